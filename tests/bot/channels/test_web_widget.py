"""The widget channel never stores a session id a client chose."""

from bot.channels.web_widget import stored_session_id


def test_widget_session_ids_chosen_by_a_client_are_not_stored_raw():
    issued = "0123456789abcdef0123456789abcdef"
    assert stored_session_id(issued) == issued
    chosen = stored_session_id("0912345678")
    assert chosen != "0912345678" and len(chosen) == 32 and stored_session_id("0912345678") == chosen
