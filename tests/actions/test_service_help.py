from actions.handoff import ActionHandoff
from actions.service_help import ActionFallback, ActionPaymentHelp, ActionTrackApplication
from actions.services import Services
from actions.stores.applications import DatabaseStatusProvider
from core.settings import Settings
from tests.actions.conftest import DOMAIN, make_tracker, run_action, slot_events


def test_track_asks_for_a_code_when_missing(services):
    messages, _ = run_action(
        ActionTrackApplication(services), make_tracker("hồ sơ của tôi đến đâu rồi", "track_application")
    )
    assert messages[0]["response"] == "utter_ask_application_code"


def test_track_known_and_unknown_code(services):
    DatabaseStatusProvider(services.sessions).upsert(
        "G22.39-250101-0001", "Đã có kết quả", "ho-chieu", "Mời nhận tại Phòng QLXNC"
    )
    messages, events = run_action(
        ActionTrackApplication(services),
        make_tracker(
            "mã g22.39-250101-0001",
            "track_application",
            [{"entity": "application_code", "value": "g22.39-250101-0001"}],
        ),
    )
    assert "Hồ sơ G22.39-250101-0001 (Cấp hộ chiếu phổ thông ở trong nước): Đã có kết quả" in messages[0]["text"]
    messages, _ = run_action(ActionTrackApplication(services), make_tracker("h12.34-250101-9999", "track_application"))
    assert "Không tìm thấy hồ sơ có mã H12.34-250101-9999" in messages[0]["text"]


def test_fallback_is_polite_and_suggests_the_close_procedures(services):
    messages, events = run_action(ActionFallback(services), make_tracker("😀😀", "nlu_fallback"))
    assert messages[0]["text"].startswith("Xin lỗi, tôi chưa hiểu")
    assert slot_events(events) == {"answer_status": "not_understood"}
    messages, _ = run_action(ActionFallback(services), make_tracker("bằng lái xe ???", "nlu_fallback"))
    suggested = [
        b["payload"]
        for b in messages[0]["buttons"]
        if b["title"].startswith("1. Ý bạn là") or b["title"].startswith("2. Ý bạn là")
    ]
    assert len(suggested) == 2 and all("gplx" in payload for payload in suggested)


def test_fallback_answers_a_procedure_named_in_full_with_the_best_ranked_field(services):
    tracker = make_tracker("Điều kiện hưởng trợ cấp thất nghiệp từ 1/1/2026 theo quy định mới nhất?", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 1.0},
        {"name": "ask_eligibility", "confidence": 0.5},
    ]
    messages, events = run_action(ActionFallback(services), tracker)
    assert messages[0]["text"].startswith("Đối tượng, điều kiện – ")
    assert slot_events(events)["procedure_id"] == "tro-cap-that-nghiep"


def test_fallback_redirects_a_question_about_the_law(services):
    messages, events = run_action(ActionFallback(services), make_tracker("quá hạn tạm trú bị phạt ???", "nlu_fallback"))
    assert "phapluat.gov.vn" in messages[0]["text"] and "18001233" in messages[0]["text"]
    assert slot_events(events) == {"procedure_id": None, "answered_intent": None, "answer_status": "legal_question"}


def test_help_account_and_out_of_scope_answer_a_procedure_named_in_full(services):
    from actions.service_help import ActionOtherQuestion

    tracker = make_tracker(
        "Đăng ký tài khoản định danh điện tử mức độ 2 cần phải có số điện thoại chính chủ không?", "account_help"
    )
    messages, events = run_action(ActionOtherQuestion(services), tracker)
    assert slot_events(events)["procedure_id"] == "dinh-danh-dien-tu"
    assert messages[0]["text"].startswith("Tóm tắt – Đăng ký tài khoản định danh điện tử")


def test_help_account_and_out_of_scope_keep_their_reply_otherwise(services):
    from actions.service_help import ActionOtherQuestion

    for text, intent in [
        ("bạn giúp được gì", "help"),
        ("tài khoản của tôi có vấn đề", "account_help"),
        ("thời tiết hôm nay thế nào", "out_of_scope"),
        ("/help", "help"),
    ]:
        messages, events = run_action(ActionOtherQuestion(services), make_tracker(text, intent))
        assert [m.get("response") for m in messages] == [f"utter_{intent}"]
        assert events == []


def test_the_office_settings_fill_the_domain_texts(loaded_database):
    """An office's own hotline and portal reach every reply that names them; the domain holds none."""
    office = Services.from_settings(
        Settings(database_url=loaded_database, hotline="02363822123", portal_url="https://dichvucong.danang.gov.vn")
    )
    payment, _ = run_action(ActionPaymentHelp(office), make_tracker("trả tiền kiểu gì", "payment_help"))
    assert payment[0]["response"] == "utter_payment_help"
    assert "gọi tổng đài 02363822123. Chi tiết: https://dichvucong.danang.gov.vn" in payment[0]["text"]
    human, _ = run_action(ActionHandoff(office), make_tracker("tôi muốn khiếu nại", "complain"))
    assert "02363822123" in human[0]["text"] and "{" not in human[0]["text"]
    unknown, _ = run_action(ActionTrackApplication(office), make_tracker("h12.34-250101-9999", "track_application"))
    assert "tra cứu tại https://dichvucong.danang.gov.vn hoặc gọi tổng đài 02363822123." in unknown[0]["text"]
    texts = [variant.get("text", "") for variants in DOMAIN.responses.values() for variant in variants]
    assert not [text for text in texts if "18001096" in text or "dichvucong.gov.vn" in text]


def test_a_messenger_user_may_ask_to_be_invited_when_the_dossier_is_completed(services):
    services.applications.upsert("G22.39-250101-0007", "Đang giải quyết", "ho-chieu")
    tracking = make_tracker("g22.39-250101-0007", "track_application", channel="telegram")
    messages, _ = run_action(ActionTrackApplication(services), tracking)
    [button] = messages[0]["buttons"]
    assert button["title"] == "Nhắn tôi khi hồ sơ có kết quả"
    assert button["payload"] == '/track_application{"application_code":"G22.39-250101-0007","notify":"yes"}'
    entities = [{"entity": "application_code", "value": "G22.39-250101-0007"}, {"entity": "notify", "value": "yes"}]
    pressed = make_tracker(button["payload"], "track_application", entities=entities, channel="telegram")
    messages, _ = run_action(ActionTrackApplication(services), pressed)
    assert messages[0]["response"] == "utter_completion_opt_in" and "G22.39-250101-0007" in messages[0]["text"]
    assert [i.application_code for i in services.invitations.for_conversation("citizen-1")] == ["G22.39-250101-0007"]
    # The widget and REST cannot message the citizen later: no button, and no opt-in.
    messages, _ = run_action(ActionTrackApplication(services), make_tracker("g22.39-250101-0007", "track_application"))
    assert messages[0]["buttons"] == []
    services.applications.upsert("G22.39-250101-0007", "Đã trả kết quả", "ho-chieu")
    messages, _ = run_action(ActionTrackApplication(services), tracking)
    assert messages[0]["buttons"] == []  # already completed: nothing to wait for
