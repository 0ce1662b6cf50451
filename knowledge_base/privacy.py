"""Masking personal data in citizens' free text before it is stored or shown.

Citizen ID numbers (12-digit căn cước, 9-digit CMND), Vietnamese phone numbers and
e-mail addresses become typed placeholders. Application codes, procedure codes
("1.013133"), dates and amounts ("200.000 đồng") are left alone.
"""
from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# +84 or 0, then 9 digits (mobile) or 10 (landline), optionally grouped by spaces, dots or dashes.
PHONE = re.compile(r"(?<![\w+])(?<!\d\.)(?:\+84|84|0)(?:[\s.-]?\d){9,10}(?!\w|[.-]\d)")
CCCD = re.compile(r"(?<![\w-])(?<!\d\.)\d{12}(?![\w-]|\.\d)")
CMND = re.compile(r"(?<![\w-])(?<!\d\.)\d{9}(?![\w-]|\.\d)")


def mask_personal_data(text: str) -> str:
    """``text`` with e-mails, phone numbers and citizen ID numbers replaced by placeholders."""
    if not text:
        return text
    text = EMAIL.sub("[EMAIL]", text)
    text = CCCD.sub("[CCCD]", text)
    text = PHONE.sub("[SĐT]", text)
    text = CMND.sub("[CMND]", text)
    return text
