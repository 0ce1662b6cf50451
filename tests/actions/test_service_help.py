from actions.service_help import ActionFallback, ActionHandoff, ActionTrackApplication
from knowledge_base.applications import DatabaseStatusProvider
from knowledge_base.handoff import HandoffLog
from tests.actions.conftest import make_tracker, run_action


def test_track_asks_for_a_code_when_missing(services):
    messages, _ = run_action(ActionTrackApplication(services), make_tracker("hồ sơ của tôi đến đâu rồi", "track_application"))
    assert messages[0]["response"] == "utter_ask_application_code"


def test_track_known_and_unknown_code(services):
    DatabaseStatusProvider(services.sessions).upsert("G22.39-250101-0001", "Đã có kết quả", "ho-chieu", "Mời nhận tại Phòng QLXNC")
    messages, events = run_action(
        ActionTrackApplication(services),
        make_tracker("mã g22.39-250101-0001", "track_application",
                     [{"entity": "application_code", "value": "g22.39-250101-0001"}]),
    )
    assert "Hồ sơ G22.39-250101-0001 (Cấp hộ chiếu phổ thông ở trong nước): Đã có kết quả" in messages[0]["text"]
    messages, _ = run_action(ActionTrackApplication(services), make_tracker("h12.34-250101-9999", "track_application"))
    assert "Không tìm thấy hồ sơ có mã H12.34-250101-9999" in messages[0]["text"]


def test_handoff_records_and_gives_hotline(services):
    messages, _ = run_action(ActionHandoff(services), make_tracker("tôi muốn khiếu nại", "complain", channel="zalo"))
    assert "18001096" in messages[0]["text"] and "Phản ánh, kiến nghị" in messages[0]["text"]
    messages, _ = run_action(ActionHandoff(services), make_tracker("gặp cán bộ", "request_human", channel="zalo"))
    assert "18001096" in messages[0]["text"]
    rows = HandoffLog(services.sessions).for_conversation("citizen-1")
    assert [(r.kind, r.channel) for r in rows] == [("complain", "zalo"), ("request_human", "zalo")]


def test_fallback_is_polite_and_suggests_a_recognised_procedure(services):
    messages, _ = run_action(ActionFallback(services), make_tracker("😀😀", "nlu_fallback"))
    assert messages[0]["text"].startswith("Xin lỗi, tôi chưa hiểu")
    messages, _ = run_action(ActionFallback(services), make_tracker("hộ chiếu ???", "nlu_fallback"))
    assert messages[0]["buttons"][0]["title"] == "Ý bạn là: Cấp hộ chiếu phổ thông ở trong nước?"
