"""The real-question evaluation counts harm and success the way the shared README defines them."""

import yaml

from bench.real_questions import QUESTIONS, Outcome, Row, check_gate, load_rows, summarise
from core.contract import FIELD_OF_INTENT, Field


def row(cat, procedures=(), field=None, style="d"):
    return Row("x", "câu hỏi", cat, style, frozenset(procedures), field)


def test_any_procedure_on_an_out_row_is_harmful_and_none_is_not():
    assert Outcome(row("OUT"), "tam-tru", "Lệ phí – …").harmful
    assert not Outcome(row("OUT"), None, "Xin lỗi, chưa có thông tin").harmful


def test_in_row_right_procedure_and_field():
    right = Outcome(row("IN", {"ho-chieu"}, "fee"), "ho-chieu", "Lệ phí – Cấp hộ chiếu: …")
    assert right.right and right.field_shown and not right.harmful
    other_field = Outcome(row("IN", {"ho-chieu"}, "fee"), "ho-chieu", "Hồ sơ cần chuẩn bị – Cấp hộ chiếu: …")
    assert other_field.right and not other_field.field_shown
    wrong = Outcome(row("IN", {"ho-chieu"}, "fee"), "khai-sinh", "Lệ phí – …")
    assert wrong.harmful and not wrong.right


def test_summary_rates():
    outcomes = [
        Outcome(row("IN", {"a"}, "fee"), "a", "Lệ phí – a"),
        Outcome(row("IN", {"a"}, "fee", style="none"), None, ""),
        Outcome(row("OUT", style="none"), "b", ""),
        Outcome(row("GEN"), None, ""),
    ]
    table = summarise(outcomes)
    assert table["all"]["harmful"] == 0.25 and table["IN"]["right"] == 0.5 and table["IN"]["field_shown"] == 1.0
    assert table["style none"]["harmful"] == 0.5


def test_development_sets_load_with_their_labels():
    portal = load_rows(QUESTIONS / "portal-faq-questions.yml")
    legal = load_rows(QUESTIONS / "legal-qa-questions.yml")
    assert (len(portal), len(legal)) == (400, 187)
    assert {r.cat for r in portal} >= {"IN", "OUT", "GEN"} and all(r.procedures for r in legal if r.cat == "IN")
    assert sum(r.style == "none" for r in portal) == 200 and sum(r.style == "none" for r in legal) == 18


def test_imported_rows_count_sibling_buttons_as_right_only_when_nothing_is_answered():
    imported = row("IMPORTED", {"1.013134"}, "agency")
    assert Outcome(imported, None, "", choices=("1.013133", "1.013134")).right
    assert not Outcome(imported, None, "", choices=("1.013133", "1.013137")).right
    assert not Outcome(row("IN", {"tam-tru"}), None, "", choices=("tam-tru",)).right  # curated rows must be answered


def test_field_labels_of_every_set_are_read_as_fields():
    """The sets label "documents" or "ask_documents", and "procedure" for the whole procedure."""
    for name in ("portal-faq-questions.yml", "legal-qa-questions.yml"):
        labels = {r.field for r in load_rows(QUESTIONS / name) if r.field}
        assert labels <= set(FIELD_OF_INTENT.values()), name
        assert Field.SUMMARY in labels and Field.DOCUMENTS in labels, name


def test_gate_reports_every_figure_outside_its_threshold():
    report = {
        "s.yml": {
            "all": {"harmful": 0.05, "right": 0.9, "field_shown": 0.8},
            "IN": {"harmful": 0.0, "right": 0.7, "field_shown": 0.8},
            "style d": {"right": 0.9},
            "style none": {"right": 0.8},
        }
    }
    limits = {
        "s.yml": {"all": {"harmful_max": 0.02}, "IN": {"right_min": 0.75, "field_shown_min": 0.7}, "none_gap_max": 0.02}
    }
    failures = check_gate(report, limits)
    assert len(failures) == 3
    assert any("harmful 5.0%" in f for f in failures) and any("right 70.0%" in f for f in failures)
    assert any("no-diacritics" in f for f in failures)
    report["s.yml"] |= {
        "all": {"harmful": 0.0},
        "IN": {"right": 0.8, "field_shown": 0.7},
        "style none": {"right": 0.89},
    }
    assert check_gate(report, limits) == []
    assert check_gate({}, limits) == ["s.yml: not measured"]


def test_the_committed_thresholds_hold_issue_targets():
    limits = yaml.safe_load((QUESTIONS / "thresholds.yml").read_text(encoding="utf-8"))
    assert limits["portal-faq-questions.yml"]["all"]["harmful_max"] <= 0.02
    assert limits["legal-qa-questions.yml"]["IN"]["right_min"] >= 0.80
    assert limits["imported-procedure-questions.yml"]["IMPORTED"]["right_min"] >= 0.80


def test_guide_answers_count_as_useful_only_on_gen_rows_with_a_labelled_entry():
    general = Row("g", "thanh toán lỗi", "GEN", "d", frozenset(), None, guides=frozenset({"thanh-toan-loi"}))
    assert Outcome(general, None, "", guide_entry="thanh-toan-loi").guide_useful
    assert not Outcome(general, None, "", guide_entry="chu-ky-so").guide_useful
    assert not Outcome(general, None, "").guide_useful
    assert Outcome(row("OUT"), None, "", guide_entry="chu-ky-so").guide_elsewhere
    assert not Outcome(general, None, "", guide_entry="chu-ky-so").guide_elsewhere
    table = summarise([Outcome(general, None, "", guide_entry="thanh-toan-loi"), Outcome(row("OUT"), None, "")])
    assert table["all"]["guide_useful"] == 1.0 and table["all"]["guide_elsewhere"] == 0.0


def test_every_gen_row_has_guide_labels_naming_existing_entries():
    from knowledge_base.guide import load_guide

    known = {entry.id for entry in load_guide()}
    for name in ("portal-faq-questions.yml", "legal-qa-questions.yml"):
        general = [r for r in load_rows(QUESTIONS / name) if r.cat == "GEN"]
        assert general and all(r.guides and r.guides <= known for r in general), name
