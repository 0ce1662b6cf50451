"""Masking personal data in citizens' free text before it is stored or shown.

Conversations are kept for review and analytics (the tracker store, rating comments, the
outbox, log lines), and a security audit requires that nothing identifying a citizen reaches
the database, the logs or the event broker. Each piece of personal data becomes a typed placeholder, so a
reviewer still sees what kind of thing was written:

    [CCCD] [CMND] [SĐT] [HỘ CHIẾU] [BHXH] [STK] [BIỂN SỐ] [NGÀY SINH] [EMAIL] [HỌ TÊN] [ĐỊA CHỈ]

How it works:

* The text is NFC-normalised first (Apple keyboards send NFD), so the result is NFC.
* Application codes ("G22.39-250101-0001") are shielded behind a private-use character while
  the rules run and put back afterwards: their digit runs look like phone and account numbers.
  (That character, should a text already contain it, becomes U+FFFD.)
* Cues ("số tài khoản", "ngày sinh", "địa chỉ", ...) are matched on a folded copy of the text:
  lower case, no diacritics, "đ" -> "d", one character for one character. Spans found in the
  folded copy are therefore spans of the text, and "so tai khoan" is the same cue as
  "Số Tài Khoản".
* The rules run in a fixed order, each on the output of the previous one: cue-based values
  first (a 10-digit number after "mã số BHXH" is BHXH, after "stk" an account), then
  free-standing passports, plates and 12-digit ID numbers (so the phone check never eats half
  of one), phones, 9-digit ID numbers, and finally names and addresses, whose extent is
  decided by words and punctuation.
* Phone numbers are recognised by ``phonenumbers`` (valid numbers, Vietnam as the default
  region). Candidates are runs of digit groups; from each group that starts like a phone
  number ("0", "+", "(", "84") the longest valid number of up to five groups is taken. A
  plain 10- or 11-digit number starting with "0" counts even when not valid (retired 11-digit
  mobiles, typos).
  ``PhoneNumberMatcher`` itself is not used: it silently misses a number that is followed by
  another digit group ("0912 345 678 0987 654 321", "0912345678 12/05/2025").

Kept readable on purpose: hotlines and other service numbers (1800/1900, toll-free, premium,
shared-cost), application and procedure codes, amounts, legal document numbers, years,
times and dates without a birth cue, and digit runs glued to letters (hex ids, UUIDs: the REST
channel refuses a sender id that masking would change). Masking is idempotent: no rule matches a placeholder
or a cue followed by one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable, Iterator, List, Optional, Pattern, Tuple

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

# Codes printed on receipts: "G22.39-250101-0001", optionally "000.00.12.H12-250101-0001".
APPLICATION_CODE = re.compile(r"(?:\d{3}\.\d{2}\.\d{2}\.[A-Za-z]\d{2}|[A-Za-z]\d{2}\.\d{2})-\d{6}-\d{4}")

CCCD_TAG = "[CCCD]"
CMND_TAG = "[CMND]"
PHONE_TAG = "[SĐT]"
PASSPORT_TAG = "[HỘ CHIẾU]"
BHXH_TAG = "[BHXH]"
ACCOUNT_TAG = "[STK]"
PLATE_TAG = "[BIỂN SỐ]"
BIRTH_DATE_TAG = "[NGÀY SINH]"
EMAIL_TAG = "[EMAIL]"
NAME_TAG = "[HỌ TÊN]"
ADDRESS_TAG = "[ĐỊA CHỈ]"

# (start, end, placeholder): a stretch of the text to replace.
Span = Tuple[int, int, str]
# A rule gets the text and its folded copy (same length) and yields spans in order.
Rule = Callable[[str, str], Iterator[Span]]

_BLANK_RUN = re.compile(r"[ \t]*\n\s*|[ \t]{2,}")

# Stands in for an application code while the rules run; no keyboard produces it.
SHIELD = "\U000f0000"

# --- Number boundaries (patterns below run on the folded text unless said otherwise) ---
# A number stands alone: no letter, digit or number punctuation glued to it, so the digit runs
# inside hexadecimal ids and UUIDs are left alone; only a few cues with a letter that is not a
# hex digit may be glued on ("sdt0912...", "cmnd123...").
_NUM_START = r"(?:(?<!\w)|(?<=dt)|(?<=so)|(?<=tel)|(?<=cmnd)|(?<=cmt))(?<![.,/-])"
_NUM_END = r"(?!\w|[.,/-]\d)"
# Amounts ("123.456.789 đồng", "500000đ") are not ID or account numbers.
_NOT_MONEY = r"(?![ \t]?(?:d|dong|vnd|k|tr|trieu|nghin|ngan|usd)\b|[ \t]?[$%])"
# A cue is never the inside of a placeholder ("[NGÀY SINH]", "[HỌ TÊN]", "[STK]").
_CUE_START = r"(?<!\[)\b"

EMAIL = re.compile(  # on the original text; also "abc @ gmail.com", "abc(at)gmail.com"
    r"(?<![\w.%+-])[\w.%+-]+[ \t]?(?:@|\(at\)|\[at\])[ \t]?"
    r"[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
BIRTH_DATE = re.compile(
    _CUE_START + r"(?:ngay\s+(?:thang\s+nam\s+)?sinh|sinh\s+(?:ngay|nam)|nam\s+sinh|ns|sn|dob"
    r"|date\s+of\s+birth)\b[ \t]*(?::|-|la\b)?[ \t]*"
    r"(?P<value>\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"
    r"|\d{1,2}[ \t]?[/.-][ \t]?\d{1,2}[ \t]?[/.-][ \t]?(?:\d{4}|\d{2})"
    r"|(?:ngay\s+)?\d{1,2}\s+thang\s+\d{1,2}(?:\s*,?\s*nam\s+\d{2,4})?"
    r"|thang\s+\d{1,2}(?:\s*/\s*|\s*,?\s*nam\s+)\d{4}"
    r"|\d{1,2}[/.-]\d{4}"
    r"|\d{4})(?!\d)"
)
PASSPORT_AFTER_CUE = re.compile(
    _CUE_START + r"(?:(?:so\s+)?ho\s+chieu|passport)\b"
    r"(?:[ \t]+(?:so|no|number|cua\s+(?:toi|em|minh)|la)\b\.?)*[ \t]*:?[ \t]*"
    r"(?P<value>[a-z]{1,2}[ \t]?\d{6,8}|\d{8,9})" + _NUM_END
)
# Vietnamese passports: one capital letter and 7 digits ("C1234567", "B 1234567"); original text.
PASSPORT = re.compile(r"(?<![\w.,/-])[A-Z][ \t]?\d{7}" + _NUM_END)
BHXH = re.compile(
    _CUE_START + r"(?:(?:ma\s+so|ma|so)\s+)?(?:bhxh|bao\s+hiem\s+xa\s+hoi)\b"
    r"(?:[ \t]+(?:cua\s+)?(?:toi|em|minh))?[ \t]*(?::|la\b)?[ \t]*"
    r"(?P<value>\d(?:[ .-]?\d){9})" + _NUM_END
)
ACCOUNT = re.compile(  # the cue, up to four words ("của tôi là", "Vietcombank số"), the number
    _CUE_START + r"(?:so\s+tai\s+khoan|tai\s+khoan|stk|tk|account|a/c)\b"
    r"(?:[ \t:]+[^\W\d_]+){0,4}?[ \t]*[:#-]?[ \t]*"
    r"(?P<value>\d{2,}(?:[ -]\d{2,})*)" + _NUM_END + _NOT_MONEY
)
ACCOUNT_DIGITS = 6
# "29A-123.45", "51F-12345", "30E 123.45", "29-B1 123.45", "59X3-123.45"; on the original text.
# Written without a separator ("29A12345") the series must be upper case: hex ids look the same.
PLATE = re.compile(
    r"(?<![\w.,/-])\d{2}(?:[ \t-]?[A-Za-z][A-Za-z0-9]?[ \t-]|-?[A-Z][A-Z0-9]?)"
    r"(?:\d{3}\.\d{2}|\d{4,5})(?![\w-])" + _NUM_END
)
CCCD = re.compile(  # 12 digits: plain, 3-3-3-3, 4-4-4 or 6-6
    _NUM_START + r"(?:\d{12}|\d{3}(?:[ .-]\d{3}){3}|\d{4}(?:[ .-]\d{4}){2}|\d{6}[ .-]\d{6})" + _NUM_END + _NOT_MONEY
)
# A 12-digit number shortly after this (and no CCCD cue in between) is a 2012-2016 CMND.
CMND_CUE = re.compile(r"\b(?:cmnd|cmt|chung\s+minh)\b(?:(?!cccd|can\s+cuoc)[^.?!\n]){0,30}$")
CMND = re.compile(_NUM_START + r"(?:\d{9}|\d{3}(?:[ .-]\d{3}){2})" + _NUM_END + _NOT_MONEY)

# Phone candidates: digit groups joined by one separator; "(+84)" and "(024)" are groups too.
PHONE_RUN = re.compile(_NUM_START + r"\(?\+?\d+\)?(?:(?:[ .-]|[ \t]-[ \t])\(?\+?\d+\)?)*" + _NUM_END)
PHONE_GROUP = re.compile(r"\(?\+?\d+\)?")
PHONE_STARTS = ("0", "+", "84")
PHONE_MAX_GROUPS = 5
PHONE_DIGITS = (10, 15)  # with the trunk "0" or country code: 10 (mobile) to 15 (E.164 max)
PLAIN_PHONE_DIGITS = (10, 11)
SERVICE_NUMBER_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
    }
)

NAME_CUE = re.compile(
    _CUE_START + r"(?:"
    r"(?:toi|em|minh|be|(?:con|chau)(?:\s+(?:toi|em|minh))?)\s+ten"
    r"|ten\s+(?:cua\s+)?(?:toi|em|minh|con|chau)\s+la"
    r"|nguoi\s+nhan(?=[ \t]*:|[ \t]+la\b)"
    r"|ten\s+la"
    r"|(?P<form>ho\s+(?:va\s+)?ten)"
    r"|(?P<weak>toi\s+la)"
    r")(?P<suffix>[ \t]*:|[ \t]+la\b)?(?!\w)"
)
NAME_WORD = re.compile(r"[ \t]*([^\W\d_]+)")  # original text
NAME_MAX_WORDS = 5
NAME_MAX_LOWER_CASE_WORDS = 4
NAME_MIN_WORDS_AFTER_TOI_LA = 2
# Lower-case words that end a typed name ("tên là nguyen van an muốn hỏi"). Syllables that
# are also common names ("minh", "nhung", "tai") are left out of the plain-letter forms.
NAME_STOP_WORDS = frozenset(
    """
    và va muốn muon cần can ở o nhé nhe ạ a à ah sinh ngày ngay tháng năm tuổi tuoi là la
    làm có co không khong ko k thì của cua cho xin hỏi hoi em tôi toi mình đã da sẽ se đang
    được duoc bị bi nhà nha số so đến den từ với voi về ve rồi roi thôi thoi gì gi sao ai nào
    nao đây day đó hiện nay hay hoặc hoac nhưng mà để de nên nen vậy vay giúp giup ơi oi nhỉ
    tại quê que địa dia vào vao người nguoi thế như nhu ra lên len sđt sdt đt dt email cccd
    cmnd gọi goi liên lien
""".split()
)

ADDRESS_CUE = re.compile(
    _CUE_START + r"(?:"
    r"(?P<office>dia\s+chi(?:\s+(?:nha|thuong\s+tru|tam\s+tru|cu\s+tru|lien\s+(?:he|lac)"
    r"|hien\s+(?:tai|nay)|(?:cua\s+)?(?:toi|em|minh)))*|d/c|dc(?=[ \t]*:))"
    r"|(?P<residence>(?<!luat )nha\s+o(?!\s+xa\s+hoi)|(?:thuong|tam|cu)\s+tru\s+tai|que\s+o)|o\s+so|so\s+nha"
    r")(?P<colon>[ \t]*(?::|-)|[ \t]+la\b)?[ \t]*"
)
# Without a colon the address must start like one: a digit, a capital or an address word.
ADDRESS_WORD = re.compile(
    r"(?:so|to|lo|km|p|q|f)\.?[ \t]*\d|(?:ngo|ngach|hem|kiet|duong|pho|thon|xom|ap|xa(?!\s+hoi)"
    r"|phuong|thi\s+(?:tran|xa)|quan|huyen|tp|thanh\s+pho|tinh|khu|chung\s+cu|toa|can\s+ho)\b"
)
# After "thường trú tại", "quê ở", ... a place ("Hà Nội", "xã Tân Hòa") is what procedures ask
# about, not personal: only a street-level address (a number, a lane, a hamlet) is masked there.
STREET_LEVEL = re.compile(
    r"\d|(?:so|to|lo|km)\.?[ \t]*\d|(?:ngo|ngach|hem|kiet|duong|pho|thon|xom|ap|khu|chung\s+cu|toa|can\s+ho)\b"
)
# "Địa chỉ Sở Tư pháp ở đâu?" asks for an office, not about the citizen.
OFFICE = re.compile(
    r"(?:ubnd|uy\s+ban|cong\s+an|co\s+quan|trung\s+tam|bo\s+phan|buu\s+dien|toa\s+an|kho\s+bac"
    r"|ngan\s+hang|benh\s+vien|van\s+phong|chi\s+cuc|cuc|phong|e-?mail|mail|web(?:site)?)\b"
)
OFFICE_WITH_DIACRITICS = re.compile(r"(?:sở|bộ)\b", re.IGNORECASE)  # "so"/"bo" would also be "số"
# An address runs to the end of its clause; original text, lower-case words only.
ADDRESS_BREAK = re.compile(
    r"[?!;\n\[" + SHIELD + r"]|\.(?=\s|$)"
    r"|\s(?:và|muốn|cần(?! (?:thơ|giờ|đước|giuộc))|thì|nhưng|mà|để|nên|vậy|nhé|ạ|xin|hỏi"
    r"|được|không|làm|phải|ở đâu)(?!\w)"
    r"|\s(?:va|muon|can(?! (?:tho|gio|duoc|giuoc))|thi(?! (?:tran|xa))|nhung|nen|vay|nhe|xin"
    r"|duoc|khong|ko|phai|o dau)(?!\w)"
    r"|[,\s]\s*(?i:sđt|sdt|số điện thoại|so dien thoai|điện thoại|dien thoai|đt|e-?mail|mail"
    r"|cccd|cmnd|căn cước|can cuoc|ngày sinh|ngay sinh|sinh ngày|sinh ngay|họ tên|ho ten|stk"
    r"|số tài khoản|so tai khoan|tên là|ten la|tôi tên|toi ten|em tên|em ten|họ và tên|ho va ten)"
    r"(?!\w)"
)
# A full stop after these ("P. Bến Thành", "TP. HCM") does not end the address.
ADDRESS_ABBREVIATION = re.compile(r"(?<![^\W\d_])(?:p|q|tp|tx|tt|h|x|f|kp|đ|d|ng)$", re.IGNORECASE)


class _FoldTable(dict):
    """``str.translate`` table: each character to one lower-case character without diacritics."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = "d" if char in "đĐ" else unicodedata.normalize("NFD", char)[0].lower()
        self[code] = folded if len(folded) == 1 else char
        return self[code]


_FOLD_TABLE = _FoldTable()


def _fold(text: str) -> str:
    """``text`` lower-cased without diacritics, character for character (same length)."""
    return text.translate(_FOLD_TABLE)


def _matches(pattern: Pattern[str], tag: str, on_original: bool = False) -> Rule:
    """A rule replacing each match of ``pattern`` (its ``value`` group if it has one)."""
    group = "value" if "value" in pattern.groupindex else 0

    def rule(text: str, folded: str) -> Iterator[Span]:
        for match in pattern.finditer(text if on_original else folded):
            yield match.start(group), match.end(group), tag

    return rule


def _accounts(text: str, folded: str) -> Iterator[Span]:
    for match in ACCOUNT.finditer(folded):
        value = match.group("value")
        if sum(char.isdigit() for char in value) >= ACCOUNT_DIGITS:
            yield match.start("value"), match.end("value"), ACCOUNT_TAG


def _twelve_digit_ids(text: str, folded: str) -> Iterator[Span]:
    for match in CCCD.finditer(folded):
        after_cmnd_cue = CMND_CUE.search(folded, max(0, match.start() - 40), match.start())
        yield match.start(), match.end(), CMND_TAG if after_cmnd_cue else CCCD_TAG


@lru_cache(maxsize=4096)
def _is_personal_phone(raw: str) -> bool:
    """Whether ``raw`` is a phone number (Vietnam by default) that is not a service line.

    A valid number counts; so does a plain 10- or 11-digit number starting with "0": the
    pre-2018 11-digit mobiles ("0168...") and mistyped numbers are still somebody's.
    """
    try:
        number = phonenumbers.parse(raw, "VN")
    except NumberParseException:
        return False
    if phonenumbers.is_valid_number(number):
        return phonenumbers.number_type(number) not in SERVICE_NUMBER_TYPES
    return raw.isdigit() and raw.startswith("0") and len(raw) in PLAIN_PHONE_DIGITS


def _longest_phone(text: str, groups: List[Tuple[int, int, int]], first: int) -> Optional[int]:
    """Index of the last group of the longest phone number starting at group ``first``."""
    start = groups[first][0]
    if not text[start : groups[first][1]].lstrip("(").startswith(PHONE_STARTS):
        return None
    low, high = PHONE_DIGITS
    digits, longest = 0, None
    for last in range(first, min(first + PHONE_MAX_GROUPS, len(groups))):
        digits += groups[last][2]
        if digits > high:
            break
        if digits >= low and _is_personal_phone(text[start : groups[last][1]]):
            longest = last
    return longest


def _phones(text: str, folded: str) -> Iterator[Span]:
    for run in PHONE_RUN.finditer(folded):
        groups = [
            (group.start(), group.end(), sum(char.isdigit() for char in group.group()))
            for group in PHONE_GROUP.finditer(text, run.start(), run.end())
        ]
        first = 0
        while first < len(groups):
            last = _longest_phone(text, groups, first)
            if last is None:
                first += 1
            else:
                yield groups[first][0], groups[last][1], PHONE_TAG
                first = last + 1


def _is_name_word(word: str, lower_case_allowed: bool, words_before: int) -> bool:
    """Capitalised words always; typed lower-case ones only after an explicit cue."""
    if word[0].isupper():
        return True
    return lower_case_allowed and words_before < NAME_MAX_LOWER_CASE_WORDS and word.lower() not in NAME_STOP_WORDS


def _name_after(text: str, cue_end: int, lower_case_allowed: bool) -> Tuple[int, int, int]:
    """Start, end and number of words of the name right after a cue ending at ``cue_end``."""
    start = end = cue_end
    words = 0
    while words < NAME_MAX_WORDS:
        match = NAME_WORD.match(text, end)
        if not match or not _is_name_word(match.group(1), lower_case_allowed, words):
            break
        if not words:
            start = match.start(1)
        words += 1
        end = match.end()
    return start, end, words


def _names(text: str, folded: str) -> Iterator[Span]:
    done = 0
    for cue in NAME_CUE.finditer(folded):
        if cue.start() < done:
            continue
        weak = cue.group("weak") is not None
        lower_case_allowed = not weak and (cue.group("form") is None or cue.group("suffix") is not None)
        start, end, words = _name_after(text, cue.end(), lower_case_allowed)
        if words >= (NAME_MIN_WORDS_AFTER_TOI_LA if weak else 1):
            yield start, end, NAME_TAG
            done = end


def _address_end(text: str, start: int) -> int:
    """Where the address starting at ``start`` ends: the end of its clause."""
    for stop in ADDRESS_BREAK.finditer(text, start):
        if stop.group() == "." and ADDRESS_ABBREVIATION.search(text, max(start, stop.start() - 2), stop.start()):
            continue
        end = stop.start()
        while end > start and text[end - 1] in " \t,:-":
            end -= 1
        return end
    return len(text)


def _looks_like_address(text: str, folded: str, cue: "re.Match[str]") -> bool:
    """Whether what follows an address cue is the citizen's address."""
    start = cue.end()
    if start >= len(text) or not text[start].isalnum():
        return False
    if cue.group("office") and (OFFICE.match(folded, start) or OFFICE_WITH_DIACRITICS.match(text, start)):
        return False
    if cue.group("residence"):
        return bool(STREET_LEVEL.match(folded, start))
    first = text[start]
    return bool(cue.group("colon") or first.isdigit() or first.isupper() or ADDRESS_WORD.match(folded, start))


def _addresses(text: str, folded: str) -> Iterator[Span]:
    done = 0
    for cue in ADDRESS_CUE.finditer(folded):
        if cue.start() < done or not _looks_like_address(text, folded, cue):
            continue
        end = _address_end(text, cue.end())
        if end > cue.end():
            yield cue.end(), end, ADDRESS_TAG
            done = end


# Order matters: see the module docstring.
RULES: Tuple[Rule, ...] = (
    _matches(EMAIL, EMAIL_TAG, on_original=True),
    _matches(BIRTH_DATE, BIRTH_DATE_TAG),
    _matches(PASSPORT_AFTER_CUE, PASSPORT_TAG),
    _matches(BHXH, BHXH_TAG),
    _accounts,
    _matches(PASSPORT, PASSPORT_TAG, on_original=True),
    _matches(PLATE, PLATE_TAG, on_original=True),
    _twelve_digit_ids,
    _phones,
    _matches(CMND, CMND_TAG),
    _names,
    _addresses,
)


def _splice(text: str, spans: List[Span]) -> str:
    """``text`` with each span replaced by its placeholder; overlapping later spans are dropped."""
    pieces, done = [], 0
    for start, end, tag in spans:
        if start >= done:
            pieces += (text[done:start], tag)
            done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _fold_whitespace(text: str) -> str:
    """One space for a run of spaces and tabs, one newline for a run with a line break.

    Several cue patterns allow optional blanks on both sides of an optional separator; on a long
    run of blanks such patterns backtrack quadratically (20,000 spaces after "ngày sinh" took 23 s).
    A typed message loses nothing by it.
    """
    return _BLANK_RUN.sub(lambda run: "\n" if "\n" in run.group() else " ", text)


def _shielded(text: str) -> Tuple[str, List[str]]:
    """``text`` normalised as the rules read it, its application codes replaced by a shield, and the codes."""
    text = _fold_whitespace(unicodedata.normalize("NFC", text).replace(SHIELD, "\ufffd"))
    return APPLICATION_CODE.sub(SHIELD, text), APPLICATION_CODE.findall(text)


def phone_numbers(text: str) -> List[str]:
    """The personal phone numbers in ``text`` as typed, first to last: what the phone rule would mask.

    For the one place that needs a number itself (a callback, actions/handoff.py), so that a number
    the tracker shows as ``[SĐT]`` is the number that is recognised.
    """
    text, _codes = _shielded(text or "")
    return [text[start:end] for start, end, _tag in _phones(text, _fold(text))]


def mask_personal_data(text: str) -> str:
    """``text`` with personal data replaced by typed placeholders (see the module docstring)."""
    if not text:
        return text
    text, shielded = _shielded(text)
    folded = _fold(text)
    for rule in RULES:
        spans = list(rule(text, folded))
        if spans:
            text = _splice(text, spans)
            folded = _fold(text)
    # No rule reaches across a shield (none matches it, addresses stop at it): one per code.
    pieces = text.split(SHIELD)
    return "".join(piece + code for piece, code in zip(pieces, shielded + [""]))
