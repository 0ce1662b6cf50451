"""The conversations export as officers open it in Excel: Vietnamese headers and words, Vietnam time."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import datetime, timezone

from web.dashboard.analytics import Turn
from web.dashboard.views import conversations_csv


def test_headers_words_and_times_are_vietnamese():
    turns = [
        Turn(
            1, "telegram:1", datetime(2026, 11, 20, 18, 5, tzinfo=timezone.utc), "hộ chiếu", "ask_fee", 0.97, "telegram"
        ),
        Turn(
            2,
            "telegram:1",
            datetime(2026, 11, 20, 18, 6, tzinfo=timezone.utc),
            '/rate_answer{"turn": "1"}',
            "rate_answer",
            1.0,
            "telegram",
        ),
        Turn(3, "web-4", datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc), "=1+1", None, 0.0, "socketio"),
    ]
    turns[0].procedure_id, turns[0].answer_status = "ho-chieu", "answered"
    answer = conversations_csv(turns, {"ho-chieu": "Cấp hộ chiếu phổ thông"})
    assert answer.body.startswith(codecs.BOM_UTF8)
    assert 'filename="hoi-thoai.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Thời gian",
        "Mã cuộc trò chuyện",
        "Kênh",
        "Tin nhắn của người dân",
        "Ý định",
        "Độ tin cậy",
        "Mã thủ tục",
        "Thủ tục",
        "Kết quả trả lời",
    ]
    assert rows[1] == [
        "21/11/2026 01:05",  # 18:05 UTC is past midnight in Vietnam
        "telegram:1",
        "Telegram",
        "hộ chiếu",
        "Hỏi phí, lệ phí",
        "97%",
        "ho-chieu",
        "Cấp hộ chiếu phổ thông",
        "Đã trả lời",
    ]
    assert rows[2][3:5] == ["[Bấm nút: Đánh giá câu trả lời]", "Đánh giá câu trả lời"]
    assert rows[3][:6] == ["21/11/2026 09:00", "web-4", "Web (cổng thông tin)", "'=1+1", "", "0%"]
