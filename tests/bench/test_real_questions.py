"""The real-question evaluation counts harm and success the way the shared README defines them."""
from pathlib import Path

from bench.real_questions import QUESTIONS, Outcome, Row, load_rows, summarise


def row(cat, procedures=(), field=None, style="d"):
    return Row("x", "câu hỏi", cat, style, frozenset(procedures), field)


def test_any_procedure_on_an_out_row_is_harmful_and_none_is_not():
    assert Outcome(row("OUT"), "tam-tru", "Lệ phí – …").harmful
    assert not Outcome(row("OUT"), None, "Xin lỗi, chưa có thông tin").harmful


def test_in_row_right_procedure_and_field():
    right = Outcome(row("IN", {"ho-chieu"}, "ask_fee"), "ho-chieu", "Lệ phí – Cấp hộ chiếu: …")
    assert right.right and right.field_shown and not right.harmful
    other_field = Outcome(row("IN", {"ho-chieu"}, "ask_fee"), "ho-chieu", "Hồ sơ cần chuẩn bị – Cấp hộ chiếu: …")
    assert other_field.right and not other_field.field_shown
    wrong = Outcome(row("IN", {"ho-chieu"}, "ask_fee"), "khai-sinh", "Lệ phí – …")
    assert wrong.harmful and not wrong.right


def test_summary_rates():
    outcomes = [Outcome(row("IN", {"a"}, "ask_fee"), "a", "Lệ phí – a"),
                Outcome(row("IN", {"a"}, "ask_fee", style="none"), None, ""),
                Outcome(row("OUT", style="none"), "b", ""), Outcome(row("GEN"), None, "")]
    table = summarise(outcomes)
    assert table["all"]["harmful"] == 0.25 and table["IN"]["right"] == 0.5 and table["IN"]["field_shown"] == 1.0
    assert table["style none"]["harmful"] == 0.5


def test_development_sets_load_with_their_labels():
    portal = load_rows(QUESTIONS / "portal-faq-questions.yml")
    legal = load_rows(QUESTIONS / "legal-qa-questions.yml")
    assert (len(portal), len(legal)) == (400, 187)
    assert {r.cat for r in portal} >= {"IN", "OUT", "GEN"} and all(r.procedures for r in legal if r.cat == "IN")
    assert sum(r.style == "none" for r in portal) == 200 and sum(r.style == "none" for r in legal) == 18
