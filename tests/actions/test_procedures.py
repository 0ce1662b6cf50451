from actions.procedures import ActionAnswerProcedure, resolve_turn
from knowledge_base.resolver import NOT_MENTIONED
from tests.actions.conftest import make_tracker, run_action, slot_events


def test_fee_question_answers_passport_fee_with_source(services):
    tracker = make_tracker("làm hộ chiếu hết bao nhiêu tiền", "ask_fee", [{"entity": "procedure", "value": "hộ chiếu"}])
    messages, events = run_action(ActionAnswerProcedure(services), tracker)
    assert "200.000 đồng" in messages[0]["text"]
    assert messages[0]["text"].splitlines()[0].startswith("Lệ phí")
    assert "Nguồn chính thức: https://" in messages[0]["text"]
    # 👍/👎 sit on the answer itself, naming the turn it answers; no separate "hữu ích?" bubble.
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Hồ sơ",
        "Thời gian",
        "Nơi nộp",
        "Làm trực tuyến",
        "👍",
        "👎",
    ]
    assert messages[0]["buttons"][-2]["payload"] == '/rate_answer{"turn":"turn-1","helpful":"up"}'
    assert len(messages) == 1
    assert slot_events(events) == {
        "guide_entry": None,
        "procedure_id": "ho-chieu",
        "answered_intent": "ask_fee",
        "answer_status": "answered",
    }


def test_answer_shows_a_review_date_only_once_an_officer_recorded_one(services):
    tracker = make_tracker(
        "đăng ký tạm trú cần giấy tờ gì", "ask_documents", [{"entity": "procedure", "value": "tam-tru"}]
    )
    before = run_action(ActionAnswerProcedure(services), tracker)[0][0]["text"].splitlines()[-1]
    assert "chưa được cán bộ đối chiếu" in before
    review = services.reviews.record("tam-tru", "editor1", "Thông tư 75/2022/TT-BTC; trang thủ tục 1.004194")
    after = run_action(ActionAnswerProcedure(services), tracker)[0][0]["text"].splitlines()[-1]
    assert after.endswith(f"(cán bộ đã đối chiếu ngày {review.reviewed_on:%d/%m/%Y})")


def test_follow_up_without_procedure_uses_slot(services):
    tracker = make_tracker("cần giấy tờ gì", "ask_documents", slots={"procedure_id": "ho-chieu"})
    messages, events = run_action(ActionAnswerProcedure(services), tracker)
    assert messages[0]["text"].startswith("Hồ sơ cần chuẩn bị – Cấp hộ chiếu")
    assert slot_events(events)["procedure_id"] == "ho-chieu"


def test_naming_another_procedure_switches(services):
    tracker = make_tracker("còn đăng ký kết hôn thì nộp ở đâu", "ask_agency", slots={"procedure_id": "ho-chieu"})
    messages, events = run_action(ActionAnswerProcedure(services), tracker)
    assert "Ủy ban nhân dân cấp xã" in messages[0]["text"]
    assert slot_events(events)["procedure_id"] == "ket-hon"


def test_ambiguous_question_offers_buttons_keeping_the_intent(services):
    messages, events = run_action(
        ActionAnswerProcedure(services), make_tracker("bằng lái xe hết bao nhiêu tiền", "ask_fee")
    )
    buttons = messages[0]["buttons"]
    assert 2 <= len(buttons) <= 3
    assert all(b["payload"].startswith("/ask_fee{") for b in buttons)
    assert slot_events(events) == {"procedure_id": None, "answer_status": "ambiguous"}


def test_unknown_procedure_is_said_plainly_and_slot_cleared(services):
    tracker = make_tracker(
        "cấp phép bắn pháo hoa bao nhiêu tiền",
        "ask_fee",
        [{"entity": "procedure", "value": "cấp phép bắn pháo hoa"}],
        slots={"procedure_id": "ho-chieu"},
    )
    messages, events = run_action(ActionAnswerProcedure(services), tracker)
    assert "chưa có thông tin" in messages[0]["text"]
    assert "dichvucong.gov.vn" in messages[0]["text"] and "18001096" in messages[0]["text"]
    assert "200.000" not in messages[0]["text"]
    assert slot_events(events)["procedure_id"] is None
    assert slot_events(events)["answer_status"] == "not_found"


def test_no_procedure_and_no_context_asks_which(services):
    messages, events = run_action(ActionAnswerProcedure(services), make_tracker("lệ phí bao nhiêu", "ask_fee"))
    assert messages[0]["text"].startswith("Bạn muốn hỏi về thủ tục nào")
    assert slot_events(events) == {"answer_status": "no_procedure"}


def test_button_payload_entity_is_a_procedure_id(services):
    tracker = make_tracker(
        '/ask_online{"procedure": "tam-tru"}', "ask_online", [{"entity": "procedure", "value": "tam-tru"}]
    )
    messages, _ = run_action(ActionAnswerProcedure(services), tracker)
    assert messages[0]["text"].startswith("Làm trực tuyến – Đăng ký tạm trú")


def test_bad_input_gets_a_polite_answer(services):
    for text in ["", "😀😀😀", "<script>alert(1)</script>", "a" * 5000]:
        messages, _ = run_action(ActionAnswerProcedure(services), make_tracker(text, "ask_procedure"))
        assert messages and messages[0]["text"]


def test_legal_question_is_redirected_never_answered_with_a_record(services):
    tracker = make_tracker(
        "không đăng ký tạm trú bị phạt bao nhiêu",
        "ask_fee",
        [{"entity": "procedure", "value": "đăng ký tạm trú"}],
        slots={"procedure_id": "tam-tru"},
    )
    messages, events = run_action(ActionAnswerProcedure(services), tracker)
    text = messages[0]["text"]
    assert "https://phapluat.gov.vn" in text and "https://tgpl.moj.gov.vn" in text and "18001233" in text
    assert "15.000" not in text
    assert slot_events(events) == {"procedure_id": None, "answered_intent": None, "answer_status": "legal_question"}


def test_not_found_links_the_portal_search_for_the_words_asked_without_personal_data(services):
    tracker = make_tracker("cấp phép bắn pháo hoa cho tôi, sđt 0912345678, cccd 001203004567", "ask_procedure")
    messages, _ = run_action(ActionAnswerProcedure(services), tracker)
    text = messages[0]["text"]
    assert "keyword=" in text and "ph%C3%A1o+hoa" in text
    assert "0912345678" not in text and "001203004567" not in text and "cccd" not in text.lower()


def test_a_variant_we_do_not_hold_is_offered_not_answered(services):
    tracker = make_tracker("làm hộ chiếu công vụ cần giấy tờ gì", "ask_documents")
    messages, events = run_action(ActionAnswerProcedure(services), tracker)
    assert messages[0]["text"].startswith("Tôi chưa chắc bạn hỏi đúng thủ tục này")
    assert "Cấp hộ chiếu phổ thông ở trong nước" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ['/ask_documents{"procedure": "ho-chieu"}']
    assert slot_events(events) == {"procedure_id": None, "answer_status": "ambiguous"}


def test_only_procedure_intents_are_resolved(curated_index):
    assert resolve_turn(curated_index, "greet", "làm hộ chiếu").status == NOT_MENTIONED
    assert resolve_turn(curated_index, "ask_fee", "làm hộ chiếu").procedure_id == "ho-chieu"
    follow_up = resolve_turn(curated_index, "ask_processing_time", "mất mấy ngày", current_id="ho-chieu")
    assert follow_up.procedure_id == "ho-chieu", "a follow-up stays on the procedure under discussion"
    unsure = resolve_turn(curated_index, "nlu_fallback", "mất mấy ngày", current_id="ho-chieu")
    assert unsure.procedure_id is None, "an unsure message is resolved on its own words only"
