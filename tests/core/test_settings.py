"""Settings come from the environment, with defaults that follow each other and clear errors."""

from __future__ import annotations

import pytest

from core.settings import Settings


def test_a_malformed_number_names_its_variable(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "50O5")
    with pytest.raises(ValueError, match="RASA_PORT must be a whole number, not '50O5'"):
        Settings()


def test_derived_addresses_follow_the_rasa_port(monkeypatch):
    for name in ("PUBLIC_RASA_URL", "TELEGRAM_FORWARD_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RASA_PORT", "5105")
    settings = Settings()
    assert settings.public_rasa_url == "http://localhost:5105"
    assert settings.telegram.forward_url == "http://127.0.0.1:5105/webhooks/telegram/webhook"
    monkeypatch.setenv("PUBLIC_RASA_URL", "https://tro-ly.example.gov.vn/")
    assert Settings().public_rasa_url == "https://tro-ly.example.gov.vn"


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", " https://dichvucong.example.vn/ , ,https://a.example.vn")
    monkeypatch.setenv("OUTBOX_RETRY_SECONDS", "5, 60")
    settings = Settings()
    assert settings.widget_allowed_origins == ("https://dichvucong.example.vn", "https://a.example.vn")
    assert settings.outbox_retry_seconds == (5.0, 60.0)


def test_a_redis_key_prefix_rasa_would_ignore_is_refused(monkeypatch):
    monkeypatch.setenv("REDIS_KEY_PREFIX", "xa_phuoc_hoa")
    with pytest.raises(ValueError, match="REDIS_KEY_PREFIX must be letters and digits only"):
        Settings()
    monkeypatch.delenv("REDIS_KEY_PREFIX")
    assert Settings().redis_key_prefix == "citizenassistant"
