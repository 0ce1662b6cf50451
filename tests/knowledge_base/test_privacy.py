"""Masking corpus: Vietnamese personal-data formats, and look-alikes that must survive."""

import unicodedata

import pytest

from knowledge_base.privacy import mask_personal_data

CITIZEN_IDS = [
    ("số căn cước 001203004567", "số căn cước [CCCD]"),
    ("CCCD:079095001234.", "CCCD:[CCCD]."),
    ("cccd 001 203 004 567", "cccd [CCCD]"),
    ("cccd 001.203.004.567 ạ", "cccd [CCCD] ạ"),
    ("cccd 001-203-004-567", "cccd [CCCD]"),
    ("căn cước 0012 0300 4567", "căn cước [CCCD]"),
    ("cmnd cũ 123456789 bị mất", "cmnd cũ [CMND] bị mất"),
    ("cmnd 123 456 789", "cmnd [CMND]"),
    ("chứng minh thư 123.456.789", "chứng minh thư [CMND]"),
    ("số cmnd 12 số của tôi là 123456789012", "số cmnd 12 số của tôi là [CMND]"),
    ("cmnd 123456789 2 bản", "cmnd [CMND] 2 bản"),
    ("cmnd 123456789, cccd 001203004567", "cmnd [CMND], cccd [CCCD]"),
]

PHONES = [
    ("gọi em 0912345678", "gọi em [SĐT]"),
    ("gọi em 0912345678.", "gọi em [SĐT]."),
    ("sđt 0912 345 678 nhé", "sđt [SĐT] nhé"),
    ("sdt 0912.345.678", "sdt [SĐT]"),
    ("số 091-234-5678", "số [SĐT]"),
    ("(091) 234 5671", "[SĐT]"),
    ("máy bàn (024) 3823 4567", "máy bàn [SĐT]"),
    ("0084 912 345 678", "[SĐT]"),
    ("0084912345678", "[SĐT]"),
    ("(+84) 912 345 678", "[SĐT]"),
    ("+84-912-345-678", "[SĐT]"),
    ("+84 912 345 678", "[SĐT]"),
    ("+84912345678", "[SĐT]"),
    ("84912345678", "[SĐT]"),
    ("máy bàn 024 3823 4567", "máy bàn [SĐT]"),
    ("điện thoại 028.3823.4567 hoặc +84 28 3823 4567", "điện thoại [SĐT] hoặc [SĐT]"),
    ("sdt0912345678", "sdt[SĐT]"),
    ("hai số 0912 345 678 0987 654 321", "hai số [SĐT] [SĐT]"),
    ("0912345678, 0987654321", "[SĐT], [SĐT]"),
    ("sđt 0912345678 12/05/2025", "sđt [SĐT] 12/05/2025"),
    ("số cũ 01689123456", "số cũ [SĐT]"),
    ("0123456789", "[SĐT]"),  # a bare 10-digit number starting with 0 is taken for a phone
    ("con tôi ở Anh +44 20 7946 0958", "con tôi ở Anh [SĐT]"),
]

PASSPORTS = [
    ("hộ chiếu C1234567", "hộ chiếu [HỘ CHIẾU]"),
    ("số B 1234567", "số [HỘ CHIẾU]"),
    ("N1234567 hết hạn", "[HỘ CHIẾU] hết hạn"),
    ("hộ chiếu số c1234567", "hộ chiếu số [HỘ CHIẾU]"),
    ("so ho chieu: C12345678", "so ho chieu: [HỘ CHIẾU]"),
    ("Passport No. B1234567", "Passport No. [HỘ CHIẾU]"),
    ("hộ chiếu của tôi là 123456789", "hộ chiếu của tôi là [HỘ CHIẾU]"),
    ("HỘ CHIẾU SỐ: P12345678", "HỘ CHIẾU SỐ: [HỘ CHIẾU]"),
]

SOCIAL_INSURANCE = [
    ("mã số BHXH 0123456789", "mã số BHXH [BHXH]"),
    ("số BHXH: 7912345678", "số BHXH: [BHXH]"),
    ("mã BHXH 0912345678", "mã BHXH [BHXH]"),  # a phone-looking number after a BHXH cue
    ("sổ BHXH 01 2345 6789", "sổ BHXH [BHXH]"),
    ("mã số bảo hiểm xã hội của tôi là 0123456789", "mã số bảo hiểm xã hội của tôi là [BHXH]"),
    ("ma so bao hiem xa hoi 0123456789", "ma so bao hiem xa hoi [BHXH]"),
    ("MÃ SỐ BHXH: 0123456789", "MÃ SỐ BHXH: [BHXH]"),
]

BANK_ACCOUNTS = [
    ("số tài khoản 0011223344556", "số tài khoản [STK]"),
    ("so tai khoan 1903 6712 3456 78", "so tai khoan [STK]"),
    ("STK: 123456", "STK: [STK]"),
    ("stk vietcombank 0011-0023-4456", "stk vietcombank [STK]"),
    ("tài khoản Techcombank số 19036712345678 nhé", "tài khoản Techcombank số [STK] nhé"),
    ("chuyển vào tk 0912345678", "chuyển vào tk [STK]"),
    ("Account number: 123456789012", "Account number: [STK]"),
    ("số tài khoản của tôi là 1234567890123456789", "số tài khoản của tôi là [STK]"),
    ("So Tai Khoan: 0011 2233 4455", "So Tai Khoan: [STK]"),
]

PLATES = [
    ("biển số 29A-123.45", "biển số [BIỂN SỐ]"),
    ("xe 51F-12345 bị phạt", "xe [BIỂN SỐ] bị phạt"),
    ("biển 30E 123.45", "biển [BIỂN SỐ]"),
    ("xe máy 29-B1 123.45", "xe máy [BIỂN SỐ]"),
    ("59X3-123.45", "[BIỂN SỐ]"),
    ("bien so 29a-12345", "bien so [BIỂN SỐ]"),
]

BIRTH_DATES = [
    ("sinh ngày 12/05/1990", "sinh ngày [NGÀY SINH]"),
    ("ngày sinh: 12-05-1990", "ngày sinh: [NGÀY SINH]"),
    ("NS 12.05.1990", "NS [NGÀY SINH]"),
    ("sn 12/5/90", "sn [NGÀY SINH]"),
    ("DOB: 1990-05-12", "DOB: [NGÀY SINH]"),
    ("sinh năm 1990", "sinh năm [NGÀY SINH]"),
    ("Tôi sinh ngày 12 tháng 5 năm 1990 ở Hà Nội", "Tôi sinh ngày [NGÀY SINH] ở Hà Nội"),
    ("ngày sinh: ngày 12 tháng 5 năm 1990", "ngày sinh: [NGÀY SINH]"),
    ("ngay sinh 12/05/1990", "ngay sinh [NGÀY SINH]"),
    ("ngày tháng năm sinh: 01/01/2001", "ngày tháng năm sinh: [NGÀY SINH]"),
    ("SINH NGAY 12/05/1990", "SINH NGAY [NGÀY SINH]"),
    ("sinh ngày 12 tháng 5, năm 1990", "sinh ngày [NGÀY SINH]"),
]

EMAILS = [
    ("mail nguyen.van.a@gmail.com giúp em", "mail [EMAIL] giúp em"),
    ("Email: Tran_Thi.B+dvc@ubnd.hanoi.gov.vn", "Email: [EMAIL]"),
    ("mail: nguyễn@gmail.com", "mail: [EMAIL]"),
    ("gửi về abc @ gmail.com nhé", "gửi về [EMAIL] nhé"),
    ("abc(at)gmail.com", "[EMAIL]"),
    ("0912345678@gmail.com", "[EMAIL]"),
]

NAMES = [
    ("Tôi tên là Nguyễn Văn An, muốn hỏi", "Tôi tên là [HỌ TÊN], muốn hỏi"),
    ("tôi tên Lê Thị Hoa", "tôi tên [HỌ TÊN]"),
    ("Tên tôi là Trần Minh Đức ạ", "Tên tôi là [HỌ TÊN] ạ"),
    ("tên em là Hoa", "tên em là [HỌ TÊN]"),
    ("em tên lan ạ", "em tên [HỌ TÊN] ạ"),
    ("mình tên Phạm Thu Trang nhé", "mình tên [HỌ TÊN] nhé"),
    ("Tôi là Trần Thị Bình", "Tôi là [HỌ TÊN]"),
    ("Họ tên: NGUYỄN VĂN AN", "Họ tên: [HỌ TÊN]"),
    ("họ và tên: lê thị hoa", "họ và tên: [HỌ TÊN]"),
    ("Họ tên là Tôn Nữ Thị Ngọc Hân", "Họ tên là [HỌ TÊN]"),
    ("con tôi tên Minh, 5 tuổi", "con tôi tên [HỌ TÊN], 5 tuổi"),
    ("cháu tên Nguyễn Bảo Ngọc", "cháu tên [HỌ TÊN]"),
    ("người nhận là Phạm Minh Châu nhé", "người nhận là [HỌ TÊN] nhé"),
    ("tên là nguyen van an muốn hỏi", "tên là [HỌ TÊN] muốn hỏi"),
    ("ten la nguyen van an o ha noi", "ten la [HỌ TÊN] o ha noi"),
    ("toi ten tran thi b va can hoi", "toi ten [HỌ TÊN] va can hoi"),
    ("HO VA TEN: NGUYEN VAN AN", "HO VA TEN: [HỌ TÊN]"),
]

ADDRESSES = [
    ("thường trú tại số 5 ngõ 12 Láng Hạ, Hà Nội", "thường trú tại [ĐỊA CHỈ]"),
    ("tôi thường trú tại thôn Đông, xã Tân Hòa", "tôi thường trú tại [ĐỊA CHỈ]"),
    (
        "địa chỉ 12 ngõ 34 đường Láng, Đống Đa, Hà Nội. Cần làm gì",
        "địa chỉ [ĐỊA CHỈ]. Cần làm gì",
    ),
    ("tôi ở số 5 đường Lê Lợi muốn hỏi", "tôi ở số [ĐỊA CHỈ] muốn hỏi"),
    ("số nhà 12 ngõ 34", "số nhà [ĐỊA CHỈ]"),
    ("Địa chỉ: Thôn 3, xã Yên Sở, huyện Thanh Trì", "Địa chỉ: [ĐỊA CHỈ]"),
    ("đ/c: thôn 3, xã Yên Sở", "đ/c: [ĐỊA CHỈ]"),
    ("dc: 45 Nguyen Trai, Q.1, TP. HCM. Cam on", "dc: [ĐỊA CHỈ]. Cam on"),
    ("dia chi 12 ngo 5 lang ha, dong da", "dia chi [ĐỊA CHỈ]"),
    ("DIA CHI: SO 5 NGO 10 PHO HUE", "DIA CHI: [ĐỊA CHỈ]"),
    ("địa chỉ nhà tôi là 12 ngõ 5 Láng Hạ, Đống Đa", "địa chỉ nhà tôi là [ĐỊA CHỈ]"),
    ("địa chỉ thường trú: Thôn 2, xã Đông Hội", "địa chỉ thường trú: [ĐỊA CHỈ]"),
    ("nhà ở 15 Hàng Bài và muốn hỏi", "nhà ở [ĐỊA CHỈ] và muốn hỏi"),
    ("cư trú tại ấp 3, xã Tân Phú? ", "cư trú tại [ĐỊA CHỈ]? "),
    ("địa chỉ 123 Lê Lợi, P. Bến Thành, Q. 1, TP. HCM", "địa chỉ [ĐỊA CHỈ]"),
    ("địa chỉ 12 Láng, sđt 0912345678", "địa chỉ [ĐỊA CHỈ], sđt [SĐT]"),
    ("địa chỉ 12 Láng, tên là Nguyễn Văn An", "địa chỉ [ĐỊA CHỈ], tên là [HỌ TÊN]"),
]

PERSONAL = (
    CITIZEN_IDS
    + PHONES
    + PASSPORTS
    + SOCIAL_INSURANCE
    + BANK_ACCOUNTS
    + PLATES
    + BIRTH_DATES
    + EMAILS
    + NAMES
    + ADDRESSES
)

SURVIVES = [
    # a place after a residence cue is what procedures ask about, not a citizen's address
    "thường trú tại Cần Thơ và muốn chuyển",
    "đăng ký tạm trú tại Hà Nội cần giấy tờ gì",
    "Đăng ký thường trú tại Hà Nội cần gì",
    "quê ở Nam Định",
    "cư trú tại Việt Nam.",
    # application and procedure codes
    "hồ sơ G22.39-250101-0001",
    "hồ sơ 000.00.12.H12-250203-0007",
    "mã hồ sơ g22.39-250101-0001 ạ",
    "mã thủ tục 1.013133",
    "thủ tục 2.000488 và 1.013133",
    # dates and times without a birth cue, years
    "ngày 12/05/2025",
    "lúc 08:30 ngày 01-07-2025",
    "từ 01/01/2025 đến 31/12/2025",
    "ngày 01.07.2025 08.30",
    "năm 2025 có 365 ngày",
    "đăng ký trước năm 2026",
    # fees and amounts
    "lệ phí 200.000 đồng",
    "phí 1.500.000 đồng",
    "phí 50,000đ",
    "khoảng 2 triệu",
    "tổng 123.456.789 đồng",
    "phí 1.500.000.000 đồng",
    "nạp vào tài khoản 200.000 đồng",
    # legal document numbers
    "Quyết định số 6375/QĐ-BQP",
    "Luật 78/2015/QH13",
    "Nghị định 07/2025/NĐ-CP",
    "TT 16/2025/TT-BTC",
    "Luật Nhà ở 2023",
    # service numbers stay readable
    "hotline 18001096",
    "tổng đài 1900 1234",
    "gọi 1900 1234 56 hoặc 1800 1096",
    "số điện thoại 1900 9068",
    "gọi 113 hoặc 114",
    # ordinary sentences with capitals or cue-like words
    "Tôi muốn làm hộ chiếu ở Hà Nội",
    "Bộ Công an",
    "Sở Tư pháp",
    "Bộ Công an, Sở Tư pháp",
    "tôi là người nước ngoài",
    "tôi là sinh viên",
    "Tôi là Việt kiều",
    "tên là gì",
    "ghi họ tên vào tờ khai thế nào",
    "quê ở đâu vậy",
    "nhà ở xã hội cần điều kiện gì",
    "mua nhà ở riêng lẻ",
    "tạm trú tại nhà người quen",
    "địa chỉ Sở Tư pháp ở đâu?",
    "cho tôi địa chỉ UBND phường",
    "tôi cần đổi địa chỉ trên căn cước",
    "làm hộ chiếu mất bao lâu, phí bao nhiêu?",
    "ko dc à",
    # ids in logs and REST sender ids: digit runs glued to letters are not numbers of their own
    "sender 29f63058-e499-4e1b-92f2-cfe099a50b3a",
    "message_id 59ff484445324436bc0cccd443751285",
    "request 41ca8607 took 12 ms",
    "citizen-1",
    # placeholders
    "[CCCD] [CMND] [SĐT] [HỘ CHIẾU] [BHXH] [STK] [BIỂN SỐ] [NGÀY SINH] [EMAIL] [HỌ TÊN] [ĐỊA CHỈ]",
    "sinh ngày [NGÀY SINH], tên là [HỌ TÊN], địa chỉ [ĐỊA CHỈ]. Cần gì",
    "",
]

EVERYTHING_AT_ONCE = (
    "Em tên Lan, sđt 0912 345 678, cccd 001203004567, sinh ngày 12/05/1990, "
    "địa chỉ số 5 ngõ 10 Phố Huế, Hà Nội, email lan.nguyen@gmail.com, stk 0011223344556, "
    "biển số 29A-123.45, hộ chiếu C1234567, mã BHXH 0123456789. "
    "Hồ sơ G22.39-250101-0001 (thủ tục 1.013133) nộp ngày 12/05/2025 lúc 08:30, "
    "phí 200.000 đồng theo Nghị định 07/2025/NĐ-CP, hotline 18001096 ạ"
)
EVERYTHING_MASKED = (
    "Em tên [HỌ TÊN], sđt [SĐT], cccd [CCCD], sinh ngày [NGÀY SINH], "
    "địa chỉ [ĐỊA CHỈ], email [EMAIL], stk [STK], "
    "biển số [BIỂN SỐ], hộ chiếu [HỘ CHIẾU], mã BHXH [BHXH]. "
    "Hồ sơ G22.39-250101-0001 (thủ tục 1.013133) nộp ngày 12/05/2025 lúc 08:30, "
    "phí 200.000 đồng theo Nghị định 07/2025/NĐ-CP, hotline 18001096 ạ"
)


@pytest.mark.parametrize("raw, masked", PERSONAL)
def test_personal_data_is_masked(raw, masked):
    assert mask_personal_data(raw) == masked


@pytest.mark.parametrize("text", SURVIVES)
def test_look_alikes_survive(text):
    assert mask_personal_data(text) == text


def test_many_values_in_one_message():
    assert mask_personal_data(EVERYTHING_AT_ONCE) == EVERYTHING_MASKED


@pytest.mark.parametrize("raw", [raw for raw, _ in PERSONAL] + [EVERYTHING_AT_ONCE])
def test_masking_is_idempotent(raw):
    once = mask_personal_data(raw)
    assert mask_personal_data(once) == once


def test_decomposed_input_is_masked():
    """Apple keyboards send NFD; the cues still match and the result is NFC."""
    raw = unicodedata.normalize("NFD", "Số tài khoản 0011223344, địa chỉ 12 Láng Hạ. Tên là Nguyễn An")
    assert mask_personal_data(raw) == "Số tài khoản [STK], địa chỉ [ĐỊA CHỈ]. Tên là [HỌ TÊN]"


def test_long_text_is_masked_throughout():
    sentence = "Tôi muốn hỏi thủ tục cấp lại căn cước, phí 200.000 đồng, hồ sơ G22.39-250101-0001. "
    filler = sentence * (100_000 // len(sentence))
    raw = filler + EVERYTHING_AT_ONCE + " " + filler + "gọi 0912345678"
    assert len(raw) > 100_000
    masked = mask_personal_data(raw)
    assert masked == filler + EVERYTHING_MASKED + " " + filler + "gọi [SĐT]"


@pytest.mark.parametrize(
    "text, masked",
    [
        ("ngày sinh" + " " * 20_000 + "12/05/1990", "ngày sinh [NGÀY SINH]"),
        ("địa chỉ:" + " " * 20_000 + "12 ngõ 34 Láng", "địa chỉ: [ĐỊA CHỈ]"),
        ("stk" + "\t" * 20_000 + "0011002345678", "stk [STK]"),
        ("địa chỉ: 12 ngõ 34" + " \n" * 10_000 + "cần gì", "địa chỉ: [ĐỊA CHỈ]\ncần gì"),
    ],
    ids=["birth-date", "address", "account", "address-newlines"],
)
def test_long_blank_runs_are_folded_before_matching(text, masked):
    """Such runs once made cue patterns backtrack for minutes (one REST body could freeze Rasa)."""
    assert mask_personal_data(text) == masked
