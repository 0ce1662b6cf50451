"""What stores keep of citizens' text: cleaned, masked, bounded."""

from knowledge_base.stored_text import CUT_MARK, storable_text, strip_control_characters


def test_control_characters_go_newlines_and_tabs_stay():
    assert strip_control_characters("a\x00b\x1bc\u202ed\r\ne\tf\x7f") == "ab" + "cd\ne\tf"


def test_personal_numbers_are_masked_and_text_cut_saying_so():
    text = "sđt 0912345678 " + "x" * 10_000
    stored = storable_text(text, 100)
    assert "0912345678" not in stored and stored.startswith("sđt [SĐT]")
    assert len(stored) == 100 and stored.endswith(CUT_MARK)


def test_short_text_is_not_cut_and_empty_stays_empty():
    assert storable_text("làm hộ chiếu", 100) == "làm hộ chiếu"
    assert storable_text("", 100) == "" and storable_text(None) is None
