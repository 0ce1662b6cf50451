"""Generate NLU training variants; run by the build (``make train``), output not committed.

Writes ``nlu_data/generated/``:
- ``procedures.yml``: questions about procedures from the templates below, filled with
  the names and aliases of the curated knowledge base, plus follow-up fragments;
- ``variants.yml``: every example (hand-written and generated) again without
  diacritics and in teencode, the way citizens type on phones;
- ``synonyms.yml``: alias text -> procedure id, for EntitySynonymMapper.

Deterministic and stable: every random choice is seeded by the text it is about (a template
and an alias, an example), so the output does not change between runs (Rasa's fingerprinting
does not retrain needlessly) and editing one alias changes only the few examples it takes
part in instead of reshuffling the whole training set.
The held-out test set in tests/nlu/ is written separately and never generated here; a
generated example that reads the same as an evaluation sentence once marks and spacing are
ignored (held-out or real question, see ``evaluation_sentences``) is dropped, so no
evaluation sentence is ever trained on.
"""

from __future__ import annotations

import random
import re
from collections import Counter, OrderedDict
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

import yaml

from core.settings import PROJECT_ROOT as ROOT
from knowledge_base.schema import load_directory
from knowledge_base.text import fold, normalize, normalize_text, strip_diacritics

OUT_DIR = ROOT / "nlu_data" / "generated"
HELD_OUT_DIR = ROOT / "tests" / "nlu"
REAL_QUESTIONS_DIR = ROOT / "tests" / "real_questions"
SEED = 20251127
# Each template is filled with this many aliases: the ones that rank first for it by a hash of
# (template, alias), so every template is used equally and adding an alias moves only the few
# templates where it ranks in the first PER_TEMPLATE.
PER_TEMPLATE = 7

# {p} is replaced by a procedure phrase annotated as the `procedure` entity.
TEMPLATES: Dict[str, List[str]] = {
    "ask_procedure": [
        "tôi muốn {p}",
        "tôi cần {p}",
        "mình đang cần {p} ạ",
        "hướng dẫn {p}",
        "thủ tục {p} như thế nào",
        "làm sao để {p}",
        "{p}",
        "em cần {p} thì làm thế nào ạ",
        "cho hỏi về {p}",
        "muốn {p} thì phải làm gì",
        "chào anh chị, em là sinh viên ở trọ, em muốn {p} thì phải làm sao ạ",
        "cho mình hỏi thủ tục {p}",
        "tư vấn giúp tôi {p}",
        "{p} làm thế nào vậy",
        "nhà em mới chuyển về, giờ em muốn {p} thì bắt đầu từ đâu ạ",
    ],
    "ask_documents": [
        "{p} cần giấy tờ gì",
        "hồ sơ {p} gồm những gì",
        "{p} cần mang theo gì",
        "cần chuẩn bị gì để {p}",
        "mẫu tờ khai {p}",
        "giấy tờ để {p}",
        "{p} cần những giấy tờ nào ạ",
        "đi {p} phải mang gì",
        "thành phần hồ sơ {p}",
        "cho em xin danh sách giấy tờ {p}",
        "chào anh chị, em muốn {p} thì cần chuẩn bị hồ sơ gì ạ",
        "{p} có cần bản sao không",
    ],
    "ask_fee": [
        "{p} hết bao nhiêu tiền",
        "lệ phí {p} là bao nhiêu",
        "{p} mất phí không",
        "phí {p}",
        "{p} tốn bao nhiêu",
        "{p} có mất tiền không",
        "lệ phí {p} bao nhiêu vậy ạ",
        "{p} có miễn phí không",
        "làm {p} bao nhiêu tiền",
        "{p} giá bao nhiêu",
        "giá {p} hiện nay",
        "chi phí {p}",
        "cho em hỏi {p} thì đóng phí bao nhiêu ạ",
        "nộp online {p} có được giảm phí không",
    ],
    "ask_processing_time": [
        "{p} mất bao lâu",
        "bao lâu thì có kết quả {p}",
        "thời gian {p} là bao lâu",
        "{p} mấy ngày thì xong",
        "{p} bao giờ có",
        "nộp hồ sơ {p} bao lâu thì nhận được",
        "{p} có lâu không",
        "thời hạn giải quyết {p}",
        "{p} trong bao nhiêu ngày",
        "em nộp {p} hôm qua thì khi nào có kết quả ạ",
        "{p} làm nhanh được không",
    ],
    "ask_agency": [
        "{p} nộp ở đâu",
        "{p} làm ở đâu",
        "cơ quan nào giải quyết {p}",
        "đi đâu để {p}",
        "{p} thì đến đâu",
        "nơi nộp hồ sơ {p}",
        "{p} làm ở xã hay ở tỉnh",
        "chỗ nào nhận {p}",
        "{p} nộp ở công an hay ủy ban",
        "muốn {p} thì lên cơ quan nào ạ",
        "địa chỉ {p}",
    ],
    "ask_steps": [
        "các bước {p}",
        "quy trình {p} thế nào",
        "trình tự {p}",
        "{p} gồm những bước nào",
        "hướng dẫn từng bước {p}",
        "trình tự thực hiện {p}",
        "{p} làm theo các bước nào",
        "bước đầu tiên để {p} là gì",
        "cách thức thực hiện {p}",
        "quy trình giải quyết {p} ra sao",
    ],
    "start_walkthrough": [
        "hướng dẫn tôi nộp {p} trực tuyến",
        "hướng dẫn từng bước {p} online",
        "chỉ tôi từng bước {p} trên mạng",
        "hướng dẫn nộp {p} trên dịch vụ công từng bước",
        "từng bước làm {p} online",
        "dẫn tôi làm {p} trực tuyến",
    ],
    "ask_online": [
        "{p} làm online được không",
        "có thể {p} trực tuyến không",
        "{p} trên mạng được không",
        "nộp {p} qua dịch vụ công thế nào",
        "{p} trên vneid",
        "{p} online",
        "làm {p} trên cổng dịch vụ công",
        "có {p} qua mạng được không ạ",
        "{p} có cần đến trực tiếp không",
        "{p} nộp qua bưu điện được không",
        "link nộp {p} online",
        "{p} qua điện thoại được không",
        "{p} trên app được không",
        "cách làm {p} trên vneid như thế nào",
        "{p} nộp trên mạng thế nào ạ",
    ],
    "ask_eligibility": [
        "ai được {p}",
        "điều kiện {p} là gì",
        "{p} cần điều kiện gì",
        "bao nhiêu tuổi thì được {p}",
        "tôi có đủ điều kiện {p} không",
        "đối tượng nào được {p}",
        "người nước ngoài có được {p} không",
        "trường hợp nào được {p}",
        "{p} có yêu cầu gì không",
        "con em 10 tuổi có {p} được không",
    ],
}

# Short follow-ups that rely on the procedure already under discussion.
FOLLOW_UPS: Dict[str, List[str]] = {
    "ask_documents": [
        "cần giấy tờ gì",
        "hồ sơ gồm những gì",
        "thế cần mang theo gì",
        "còn giấy tờ thì sao",
        "cần chuẩn bị gì",
        "mẫu tờ khai đâu",
        "phải nộp những gì",
        "cần bản sao không",
        "thủ tục đó cần giấy tờ gì",
        "việc này cần mang gì",
        "mình hỏi thêm là cần hồ sơ gì",
    ],
    "ask_fee": [
        "còn lệ phí?",
        "hết bao nhiêu tiền",
        "lệ phí bao nhiêu",
        "có mất phí không",
        "phí thế nào",
        "còn lệ phí thì sao",
        "tốn bao nhiêu",
        "có miễn phí không",
        "vậy phí bao nhiêu",
        "cái này mất tiền không",
    ],
    "ask_processing_time": [
        "mất bao lâu",
        "bao lâu có kết quả",
        "mấy ngày thì xong",
        "thời gian giải quyết",
        "còn thời gian thì sao",
        "bao giờ có",
        "cái này mất bao lâu",
        "vậy mấy ngày thì có",
    ],
    "ask_agency": [
        "nộp ở đâu",
        "làm ở đâu",
        "đến cơ quan nào",
        "thế nộp ở đâu ạ",
        "nơi nộp",
        "đi đâu làm",
        "việc này nộp ở đâu",
        "làm cái đó ở đâu",
    ],
    "ask_steps": ["các bước thế nào", "quy trình ra sao", "làm theo bước nào", "trình tự thế nào"],
    "ask_online": [
        "làm online được không",
        "nộp trực tuyến được không",
        "có làm qua mạng được không",
        "làm trên vneid được không",
        "có cần đến trực tiếp không",
        "thế có làm online được không",
    ],
    "ask_eligibility": ["ai được làm", "điều kiện là gì", "cần điều kiện gì", "tôi có được làm không"],
}

TEENCODE: List[Tuple[str, List[str]]] = [
    ("căn cước công dân", ["cccd"]),
    ("giấy phép lái xe", ["gplx"]),
    ("bảo hiểm xã hội", ["bhxh"]),
    ("bảo hiểm y tế", ["bhyt"]),
    ("thu nhập cá nhân", ["tncn"]),
    ("mã số thuế", ["mst"]),
    ("như thế nào", ["ntn"]),
    ("bao nhiêu", ["bn"]),
    ("hồ sơ", ["hs"]),
    ("đăng ký", ["dk", "đk"]),
    ("khai sinh", ["ks"]),
    ("không", ["ko", "k", "hk"]),
    ("được", ["dc", "đc"]),
    ("gì", ["j"]),
    ("anh chị", ["ad"]),
    ("vậy", ["z", "v"]),
    ("với", ["vs"]),
    ("rồi", ["r"]),
    ("em", ["e"]),
]

_ENTITY = re.compile(r"\[([^\]]+)\]\((\w+)\)")
# Both of Rasa's annotation forms: [text](entity) and [text]{"entity": ..., "value": ...}
_ANY_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def evaluation_sentences() -> frozenset:
    """Every sentence of the held-out NLU set and the real-question sets, folded (no marks, lower
    case, single spaces): the generator must never write one of them, in any style."""
    sentences = set()
    for path in sorted(HELD_OUT_DIR.glob("heldout_*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    sentences.add(fold(_plain_text(line.strip()[2:])))
    for path in sorted(REAL_QUESTIONS_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for row in data.get("questions", []) if isinstance(data, dict) else []:
            sentences.add(fold(row["text"]))
    return frozenset(sentences)


def procedure_phrases(with_ambiguous: bool = True) -> List[Tuple[str, str]]:
    """(phrase, procedure id) pairs from the curated knowledge base.

    Ambiguous aliases ("nhập khẩu") are still procedure mentions DIET should tag, but never
    synonyms: which procedure they mean is for the resolver to ask.
    """
    pairs = []
    for record in load_directory(ROOT / "knowledge_base" / "procedures"):
        extra = record.get("ambiguous_aliases", []) if with_ambiguous else []
        for alias in [*record["aliases"], *extra]:
            pairs.append((alias.lower(), record["id"]))
    return pairs


def seeded(*about: str) -> random.Random:
    """A random source fixed by what it is about: the same text always gets the same choices."""
    return random.Random("|".join((str(SEED), *about)))


def teencode(text: str, rng: random.Random) -> str:
    """Rewrite standard words as teencode, outside of entity markup keywords."""
    for word, codes in TEENCODE:
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", lambda _m: rng.choice(codes), text)
    return text


def drop_some_marks(text: str, rng: random.Random) -> str:
    """Strip diacritics from about half of the words: a typical half-typed message."""
    return " ".join(strip_diacritics(w) if rng.random() < 0.5 else w for w in text.split(" "))


@lru_cache(maxsize=1)
def _segmenter():
    """The word segmentation the NLU pipeline uses (spaCy's blank "vi" with pyvi, as tools/spacy_vi.py builds)."""
    import spacy

    return spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": True}}})


def entities_align(example: str) -> bool:
    """True when every annotated span of ``example`` starts and ends where a word of the pipeline's
    segmentation does, after normalisation. Rasa drops the labels of a span that cuts a word
    ("Misaligned entity annotation"): pyvi joins "kết quả báo tử" into one word, so "[báo tử]" after
    "kết quả" would teach nothing."""
    spans, plain, position = [], "", 0
    for match in _ENTITY.finditer(example):
        plain += example[position : match.start()]
        spans.append((len(plain), len(plain) + len(match.group(1))))
        plain += match.group(1)
        position = match.end()
    if not spans:
        return True
    plain += example[position:]
    normalized = normalize(plain)
    words = _segmenter()(normalized.text)
    starts = {word.idx for word in words}
    ends = {word.idx + len(word.text) for word in words}
    return all(normalized.map_start(s) in starts and normalized.map_end(e) in ends for s, e in spans)


def variants(text: str) -> List[str]:
    """No-diacritics and teencode forms of one annotated example (those whose entity still aligns)."""
    rng = seeded("variant", text)
    plain = strip_diacritics(text)
    coded = drop_some_marks(teencode(text, rng), rng)
    return [v for v in (plain, coded) if v != text and entities_align(v)]


def templated_examples() -> Dict[str, List[str]]:
    """Each template filled with PER_TEMPLATE aliases (skipping those pyvi would join with a
    neighbouring word, see entities_align), then the follow-ups."""
    phrases = sorted(set(phrase for phrase, _pid in procedure_phrases()))
    examples: Dict[str, List[str]] = {}
    for intent, templates in TEMPLATES.items():
        lines = []
        for template in templates:
            chosen = sorted(phrases, key=lambda phrase: seeded("template", template, phrase).random())
            filled = (template.replace("{p}", f"[{phrase}](procedure)") for phrase in chosen)
            lines.extend(islice(filter(entities_align, filled), PER_TEMPLATE))
        lines.extend(FOLLOW_UPS.get(intent, []))
        examples[intent] = lines
    return examples


def read_hand_written() -> Dict[str, List[str]]:
    data = yaml.safe_load((ROOT / "nlu_data" / "nlu.yml").read_text(encoding="utf-8"))
    examples: Dict[str, List[str]] = {}
    for block in data["nlu"]:
        if "intent" in block:
            lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
            examples[block["intent"]] = lines
    return examples


def _dump_nlu(path: Path, blocks: Iterable[Tuple[str, List[str]]], comment: str) -> None:
    out = [f"# {comment}", "# Generated by tools/generate_nlu.py; do not edit.", 'version: "3.1"', "nlu:"]
    for intent, lines in blocks:
        if not lines:
            continue
        out.append(f"- intent: {intent}")
        out.append("  examples: |")
        out.extend(f"    - {line}" for line in lines)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _plain_text(example: str) -> str:
    """An example without its annotations, in either of Rasa's forms."""
    return _ANY_ANNOTATION.sub(lambda m: m.group(1), example)


def main() -> int:
    OUT_DIR.mkdir(exist_ok=True)
    hand = read_hand_written()
    seen = {normalize_text(_plain_text(line)) for lines in hand.values() for line in lines}
    evaluation = evaluation_sentences()
    withheld = 0

    def unique(lines: Iterable[str]) -> List[str]:
        nonlocal withheld
        kept = []
        for line in lines:
            key = normalize_text(_plain_text(line))
            if key in seen:
                continue
            seen.add(key)
            if fold(key) in evaluation:
                withheld += 1
            else:
                kept.append(line)
        return kept

    generated = {intent: unique(lines) for intent, lines in templated_examples().items()}
    _dump_nlu(OUT_DIR / "procedures.yml", generated.items(), "Procedure questions and follow-ups.")

    variant_blocks = OrderedDict()
    for source in (hand, generated):
        for intent, lines in source.items():
            produced = [v for line in lines for v in variants(line)]
            variant_blocks.setdefault(intent, []).extend(unique(produced))
    _dump_nlu(OUT_DIR / "variants.yml", variant_blocks.items(), "No-diacritics and teencode variants.")

    counts = Counter(normalize_text(phrase) for phrase, _ in procedure_phrases(with_ambiguous=False))
    synonyms: Dict[str, List[str]] = OrderedDict()
    for phrase, pid in procedure_phrases(with_ambiguous=False):
        if counts[normalize_text(phrase)] == 1:
            for form in dict.fromkeys([normalize_text(phrase), strip_diacritics(normalize_text(phrase))]):
                synonyms.setdefault(pid, []).append(form)
    lines = ["# Alias -> procedure id. Generated by tools/generate_nlu.py; do not edit.", 'version: "3.1"', "nlu:"]
    for pid, forms in synonyms.items():
        lines.append(f"- synonym: {pid}")
        lines.append("  examples: |")
        lines.extend(f"    - {form}" for form in dict.fromkeys(forms))
    (OUT_DIR / "synonyms.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    total = sum(len(v) for v in generated.values()) + sum(len(v) for v in variant_blocks.values())
    print(
        f"generated {total} examples and {sum(len(v) for v in synonyms.values())} synonyms into {OUT_DIR}; "
        f"{withheld} left out because they read as an evaluation sentence"
    )
    return 0
