import unicodedata

import pytest

from knowledge_base.text import abbreviations, fold, normalize, normalize_text, strip_diacritics


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Làm HỘ CHIẾU", "làm hộ chiếu"),
        (unicodedata.normalize("NFD", "Đăng ký khai sinh"), "đăng ký khai sinh"),
        ("hoà giải", "hòa giải"),
        ("thuỷ lợi", "thủy lợi"),
        ("khoẻ", "khỏe"),
        ("quý khách", "quý khách"),
        ("hoàn thành", "hoàn thành"),
        ("ko dc", "không được"),
        ("k biết", "không biết"),
        ("hk có", "không có"),
        ("hs gồm j", "hồ sơ gồm gì"),
        ("dk ks cho con", "đăng ký khai sinh cho con"),
        ("đk tạm trú", "đăng ký tạm trú"),
        ("hết bn tiền", "hết bao nhiêu tiền"),
        ("đổi CCCD", "đổi căn cước công dân"),
        ("mất cmnd", "mất chứng minh nhân dân"),
        ("đổi gplx", "đổi giấy phép lái xe"),
        ("rút bhxh", "rút bảo hiểm xã hội"),
        ("thẻ bhyt", "thẻ bảo hiểm y tế"),
        ("thuế tncn", "thuế thu nhập cá nhân"),
        ("mst cá nhân", "mã số thuế cá nhân"),
        ("ad ơi e hỏi", "anh chị ơi em hỏi"),
        ("lltp", "lý lịch tư pháp"),
        ("đăng kí kết hôn", "đăng ký kết hôn"),
        ("e mun lm cccd", "em muốn làm căn cước công dân"),
        ("thành lập cty", "thành lập công ty"),
        ("mã hồ sơ G22.39-250101-0001", "mã hồ sơ g22.39-250101-0001"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_nfd_and_nfc_fold_to_the_same_key():
    nfc = "Cấp thẻ căn cước"
    assert fold(unicodedata.normalize("NFD", nfc)) == fold(nfc) == "cap the can cuoc"


def test_strip_diacritics_handles_d_with_stroke():
    assert strip_diacritics("Đường Đi") == "Duong Di"


def test_every_abbreviation_expands_to_normalised_vietnamese():
    for key, value in abbreviations().items():
        assert key == key.lower()
        assert unicodedata.is_normalized("NFC", value)
        assert normalize_text(key) == value


def test_entity_offsets_follow_expansion():
    text = "e muốn dk ks cho con"
    result = normalize(text)
    start, end = text.index("dk"), text.index("ks") + 2
    assert result.text[result.map_start(start) : result.map_end(end)] == "đăng ký khai sinh"
    assert result.text[result.map_start(text.index("con")) : result.map_end(len(text))] == "con"
