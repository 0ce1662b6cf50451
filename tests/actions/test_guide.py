"""Questions about using the portals are answered from the guide, never instead of a procedure."""

from actions.guide import ActionAnswerGuide
from actions.procedures import ActionAnswerProcedure
from actions.service_help import ActionFallback, ActionGreet, ActionOtherQuestion, ActionPaymentHelp
from tests.actions.conftest import make_tracker, run_action, slot_events


def test_a_button_opens_the_entry_it_names_with_related_entries(services):
    tracker = make_tracker(
        '/ask_guide{"guide": "vneid-dang-ky-muc-2"}', "ask_guide", [{"entity": "guide", "value": "vneid-dang-ky-muc-2"}]
    )
    messages, events = run_action(ActionAnswerGuide(services), tracker)
    assert messages[0]["text"].startswith("Đăng ký tài khoản định danh điện tử mức 2")
    assert "Nguồn chính thức: https://vneid.gov.vn" in messages[0]["text"]
    related, thumbs = messages[0]["buttons"][:-2], messages[0]["buttons"][-2:]
    assert related and all(b["payload"].startswith("/ask_guide{") for b in related)
    assert [b["title"] for b in thumbs] == ["👍", "👎"]
    assert slot_events(events) == {
        "guide_entry": "vneid-dang-ky-muc-2",
        "answered_intent": None,
        "answer_status": "guide",
    }


def test_without_a_clear_entry_the_guide_offers_its_menu(services):
    messages, events = run_action(ActionAnswerGuide(services), make_tracker("/ask_guide", "ask_guide"))
    assert messages[0]["response"] == "utter_guide_menu" and len(messages[0]["buttons"]) == 6
    assert slot_events(events) == {"guide_entry": None}


def test_a_failed_payment_nlu_did_not_understand_gets_the_guide_entry(services):
    tracker = make_tracker("thanh toán lệ phí bằng thẻ bị lỗi thì làm sao", "nlu_fallback")
    messages, events = run_action(ActionFallback(services), tracker)
    assert messages[0]["text"].startswith("Thanh toán không thành công")
    assert slot_events(events)["answer_status"] == "guide"


def test_payment_help_answers_from_the_guide_when_it_can_and_keeps_its_reply_otherwise(services):
    messages, _ = run_action(ActionPaymentHelp(services), make_tracker("lấy biên lai điện tử ở đâu", "payment_help"))
    assert messages[0]["text"].startswith("Tải biên lai điện tử")
    messages, _ = run_action(ActionPaymentHelp(services), make_tracker("tiền", "payment_help"))
    assert messages[0]["response"] == "utter_payment_help"


def test_a_procedure_question_the_resolver_cannot_place_may_be_a_guide_question(services):
    messages, events = run_action(ActionAnswerProcedure(services), make_tracker("quên mật khẩu vneid", "ask_procedure"))
    assert messages[0]["text"].startswith("Quên mật khẩu VNeID")
    assert slot_events(events)["guide_entry"] == "vneid-quen-mat-khau-doi-sdt"


def test_a_named_procedure_is_answered_from_its_record_not_the_guide(services):
    tracker = make_tracker(
        "nộp lệ phí hộ chiếu online thế nào", "ask_fee", [{"entity": "procedure", "value": "hộ chiếu"}]
    )
    messages, events = run_action(ActionAnswerProcedure(services), tracker)
    assert messages[0]["text"].startswith("Lệ phí – Cấp hộ chiếu")
    assert slot_events(events)["guide_entry"] is None


def test_out_of_scope_questions_are_not_answered_from_the_guide(services):
    messages, _ = run_action(
        ActionOtherQuestion(services), make_tracker("Một người đứng tên nhiều sổ đỏ có được không?", "out_of_scope")
    )
    assert messages[0]["response"] == "utter_out_of_scope"


def test_the_first_screen_says_what_the_assistant_does_and_offers_topics(services):
    messages, events = run_action(ActionGreet(services), make_tracker("/greet", "greet"))
    assert messages[0]["text"].startswith("Xin chào!") and "không tư vấn pháp luật" in messages[0]["text"]
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert 4 <= len(titles) <= 6
    assert {"Hướng dẫn dịch vụ công trực tuyến", "Tra cứu hồ sơ", "Gặp cán bộ"} <= set(titles)
    assert events == []


def test_a_citizen_writing_in_english_is_told_answers_are_in_vietnamese_every_time(services):
    messages, _ = run_action(ActionGreet(services), make_tracker("hello, how are you", "greet"))
    assert messages[0]["text"].startswith("Sorry, I can only answer in Vietnamese")
    assert messages[1]["text"].startswith("Xin chào!")
    for action, text, intent in [
        (ActionFallback(services), "how do I renew my passport", "nlu_fallback"),
        (ActionPaymentHelp(services), "how do I pay the fee online", "payment_help"),
        (ActionAnswerProcedure(services), "what documents do I need for the passport", "ask_documents"),
        (ActionOtherQuestion(services), "what can you do", "help"),
    ]:
        messages, _ = run_action(action, make_tracker(text, intent))
        assert [m["response"] for m in messages].count("utter_english_note") == 1, text
        assert messages[0]["response"] == "utter_english_note" and len(messages) > 1, text
    messages, _ = run_action(ActionGreet(services), make_tracker("xin chào", "greet"))
    assert messages[0]["text"].startswith("Xin chào!")


def test_everyday_words_of_a_keyword_do_not_bring_a_guide_answer(services):
    for text in ["quên mật khẩu email", "mật khẩu wifi", "mở khóa điện thoại", "tôi không hài lòng với câu trả lời"]:
        assert services.guide.match(text).entry is None, text


def test_over_the_law_redirect_only_a_strong_guide_match_answers(services):
    messages, _ = run_action(
        ActionAnswerProcedure(services), make_tracker("tôi nộp phạt giao thông online được không", "ask_steps")
    )
    assert messages[0]["text"].startswith("Nộp phạt vi phạm giao thông trực tuyến")
    messages, events = run_action(
        ActionAnswerProcedure(services), make_tracker("không đăng ký tạm trú bị phạt bao nhiêu", "ask_fee")
    )
    assert messages[0]["response"] == "utter_legal_question"
    assert slot_events(events)["answer_status"] == "legal_question"
