# Vietnamese citizen assistant. Two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
RASA        := $(VENV)/bin/rasa
INSTALLED   := $(VENV)/.installed
SPACY_MODEL := var/spacy_vi/config.cfg

export RASA_PORT       ?= 5005
export ACTIONS_PORT    ?= 5055
export WEB_PORT        ?= 8000
export ACTION_SERVER_URL ?= http://127.0.0.1:$(ACTIONS_PORT)/webhook
# One endpoint file for every set-up: with REDIS_URL (and RABBITMQ_URL) set, this process is one
# replica of the scaled set-up (docs/operator-guide.md).
ENDPOINTS   := bot/endpoints.yml
export DATABASE_URL    ?= sqlite:///$(CURDIR)/var/assistant.db
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL   := 2
export PYTHONPATH := $(CURDIR)

RASA_PATHS  := --config config.yml --domain bot/domain.yml

.PHONY: help run test check unit e2e train eval shell setup browser kb data validate-data migrate stories clean \
        telegram-polling purge report bench bench-kb soak eval-real resolution-curve screenshots

## This list (the default goal).
help:
	@awk '/^## /{doc = doc (doc ? " " : "") substr($$0, 4); next} \
	  /^[a-z][a-z-]*:/ && doc {sub(/:.*/, "", $$1); printf "  %-17s %s\n", $$1, doc} {doc = ""}' $(MAKEFILE_LIST)

$(INSTALLED): pyproject.toml scripts/find-python310
	@PY310="$$(scripts/find-python310)" || exit 1; \
	  if [ ! -x $(PY) ]; then "$$PY310" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade "pip<25"
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m pip check
	@touch $@

$(SPACY_MODEL): $(INSTALLED) tools/spacy_vi.py
	$(PY) -m tools build-spacy var/spacy_vi

## Python 3.10 virtualenv with the project and its tools, and the spaCy pipeline.
setup: $(INSTALLED) $(SPACY_MODEL)

## Debian's Chromium for the browser tests (Playwright drives it; no browser download), and poppler-utils
## (pdftoppm, pdftotext), with which the browser tests read the PDF report.
browser:
	@{ command -v chromium && command -v pdftoppm && dpkg -s fonts-noto-color-emoji; } >/dev/null 2>&1 || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-color-emoji \
	  poppler-utils; }

## Load the curated procedures into DATABASE_URL (idempotent).
kb: setup
	$(PY) -m tools kb validate
	$(PY) -m tools kb guide
	$(PY) -m tools kb load

## Upgrade DATABASE_URL's schema to the newest migration (make run and every server do it too).
migrate: setup
	$(PY) -m tools migrate

## Generated training variants (deterministic).
data: setup
	$(PY) -m tools generate-nlu

## Train only when config, domain, training data or our NLU components changed: the
## inputs' hash is kept beside the model; when they differ, `rasa train` retrains only the
## components whose fingerprint changed (Rasa's training cache). The newest two models are kept.
TRAIN_INPUTS = config.yml bot/domain.yml bot/components/*.py knowledge_base/text.py knowledge_base/abbreviations.yml
train: data
	@hash=$$(cat $(TRAIN_INPUTS) $$(find nlu_data -name '*.yml' | sort) | sha256sum | cut -d' ' -f1); \
	if ls models/*.tar.gz >/dev/null 2>&1 && [ "$$hash" = "$$(cat models/.inputs.sha256 2>/dev/null)" ]; then \
	  echo "Model is up to date: $$(ls -t models/*.tar.gz | head -1)"; \
	else \
	  $(RASA) train $(RASA_PATHS) --data nlu_data --out models && echo "$$hash" > models/.inputs.sha256 && \
	  ls -t models/*.tar.gz | tail -n +3 | xargs -r rm --; \
	fi

## Rasa server, action server and web server (widget + demo page) in the foreground, as one unit
## (tools/serve.py): Ctrl-C or a TERM stops all three; if one dies, the others stop and it exits non-zero.
run: kb train
	$(PY) -m tools serve --endpoints $(ENDPOINTS) --model models

## Chat in the terminal (starts an action server if none answers).
shell: kb train
	@set -m; \
	if ! curl -sf http://127.0.0.1:$(ACTIONS_PORT)/health >/dev/null; then \
	  $(RASA) run actions --actions actions --port $(ACTIONS_PORT) & ACTIONS=$$!; \
	  trap 'kill $$ACTIONS 2>/dev/null' INT TERM EXIT; sleep 8; fi; \
	$(RASA) shell --model models --endpoints $(ENDPOINTS)

## Telegram long polling for offices without a public HTTPS address (needs `make run` too).
telegram-polling: setup
	$(PY) -m bot.channels.telegram_polling

## Benchmarks: ours vs baselines side by side; writes bench/results/latest.{md,json} (~35 min).
bench: kb train
	$(PY) -m bench.run

## Knowledge-base search and resolver latency at 40 / 1,000 / 10,000 records only (a few minutes);
## writes bench/results/kb-search.md.
bench-kb: setup
	$(PY) -m bench.kb_search

## Real citizens' questions (tests/real_questions/) through the running stack: harmful rate, right
## procedure, field shown, per category and style; writes var/eval-real.json. `make test` gates on it.
eval-real: kb train
	$(PY) -m bench.real_questions --gate tests/real_questions/thresholds.yml

## The resolver's trade-off (harmful vs right procedure) over answer thresholds, without servers.
resolution-curve: train
	$(PY) -m bench.resolution_curve --sweep

## Soak: concurrent citizens for SOAK_MINUTES (10) with the action server killed and restarted and
## one over-long message a minute; writes bench/results/soak.{md,json}. Not part of `make test`.
soak: kb train
	$(PY) -m bench.soak

## The README's widget pictures (docs/images/), taken in Chromium from a real stack.
screenshots: kb train browser
	$(PY) -m tools.screenshots

## Delete conversations older than RETENTION_DAYS (default 365); safe to run from cron.
purge: setup
	$(PY) -m tools purge

PERIOD ?= week
## The evaluation report an office signs, XLSX and PDF, into var/reports/: PERIOD=week (the previous
## Monday-Sunday, the default) or PERIOD=month (the previous month), Vietnam time; safe from cron.
report: setup
	$(PY) -m tools report --period $(PERIOD) --out var/reports

## Rasa's own check of the training data and domain (warnings fail).
validate-data: data
	$(RASA) data validate $(RASA_PATHS) --data nlu_data --fail-on-warnings

## Intent accuracy / macro-F1, entity F1, procedure resolution per style (held-out set).
eval: train
	$(PY) -m tools evaluate --model models --data tests/nlu --report var/eval.json

## Lint and format check (ruff, configured in pyproject.toml); `ruff format .` fixes the format.
check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## The fast tests: no trained model, no browser, no servers, no root (under a minute).
unit: setup
	$(PY) -m pytest -q -m "not e2e and not browser and not services"

## The slow tests: real Rasa, action and web servers (e2e), Chromium (browser), PostgreSQL/Redis/RabbitMQ (services).
e2e: train browser
	$(PY) -m pytest -q -m "e2e or browser or services"

## Rasa end-to-end test stories: NLU and dialogue predictions for the main flows.
stories: train
	$(RASA) test core --model models --stories tests/test_stories.yml \
	  --out var/story-results --fail-on-prediction-errors

## Everything CI runs: lint, content audit, unit and slow tests, Rasa stories, the NLU and real-question gates.
test: check validate-data train
	$(PY) -m tools kb audit
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory stories
	$(PY) -m tools evaluate --model models --data tests/nlu --report var/eval.json --gate tests/nlu/thresholds.yml
	$(PY) -m bench.real_questions --gate tests/real_questions/thresholds.yml

## Remove the trained models, var/ and the generated training data.
clean:
	rm -rf models var nlu_data/generated
