"""Plain Vietnamese words for everything the dashboard and the reports show officers.

Intent, status, channel, reason and criterion names are the code's; officers read these words
instead, and a raw button payload ("/rate_answer{...}") is never shown as a citizen's message.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Optional

from core.contract import AnswerStatus, FeedbackReason, Intent, SurveyCriterion
from core.settings import VIETNAM_TIME

CHANNEL_LABELS = {
    "rest": "REST/API",
    "socketio": "Web (cổng thông tin)",
    "telegram": "Telegram",
    "zalo": "Zalo",
}

STATUS_LABELS = {
    AnswerStatus.ANSWERED: "Đã trả lời",
    AnswerStatus.GUIDE: "Đã trả lời (hướng dẫn dịch vụ công)",
    AnswerStatus.AMBIGUOUS: "Hỏi lại (nhiều thủ tục)",
    AnswerStatus.NOT_FOUND: "Chưa có thông tin",
    AnswerStatus.NO_PROCEDURE: "Chưa rõ thủ tục",
    AnswerStatus.NOT_UNDERSTOOD: "Không hiểu",
    AnswerStatus.MESSAGE_TOO_LONG: "Tin nhắn quá dài",
    AnswerStatus.LEGAL_QUESTION: "Hỏi về pháp luật (đã chỉ nơi tra cứu)",
}

INTENT_LABELS = {
    Intent.ASK_PROCEDURE: "Hỏi chung về thủ tục",
    Intent.ASK_DOCUMENTS: "Hỏi hồ sơ, giấy tờ",
    Intent.ASK_FEE: "Hỏi phí, lệ phí",
    Intent.ASK_PROCESSING_TIME: "Hỏi thời hạn giải quyết",
    Intent.ASK_AGENCY: "Hỏi nơi nộp",
    Intent.ASK_STEPS: "Hỏi trình tự thực hiện",
    Intent.ASK_ONLINE: "Hỏi làm trực tuyến",
    Intent.ASK_ELIGIBILITY: "Hỏi đối tượng, điều kiện",
    Intent.TRACK_APPLICATION: "Tra cứu hồ sơ",
    Intent.ACCOUNT_HELP: "Hỏi về tài khoản",
    Intent.PAYMENT_HELP: "Hỏi về thanh toán",
    Intent.ASK_GUIDE: "Hỏi cách dùng dịch vụ công trực tuyến",
    Intent.START_WALKTHROUGH: "Bắt đầu hướng dẫn từng bước",
    Intent.WALKTHROUGH_NEXT: "Bước tiếp theo",
    Intent.WALKTHROUGH_STUCK: "Gặp lỗi ở một bước",
    Intent.RATE_ANSWER: "Đánh giá câu trả lời",
    Intent.RATE_SERVICE: "Đánh giá dịch vụ công",
    Intent.END_CONVERSATION: "Kết thúc trò chuyện",
    Intent.COMPLAIN: "Phản ánh",
    Intent.REQUEST_HUMAN: "Gặp cán bộ",
    Intent.GREET: "Chào hỏi",
    Intent.GOODBYE: "Tạm biệt",
    Intent.THANK: "Cảm ơn",
    Intent.AFFIRM: "Đồng ý",
    Intent.DENY: "Không đồng ý",
    Intent.BOT_CHALLENGE: "Hỏi có phải máy không",
    Intent.HELP: "Cần trợ giúp",
    Intent.OUT_OF_SCOPE: "Ngoài phạm vi",
    Intent.NLU_FALLBACK: "Không hiểu câu hỏi",
}

REASON_LABELS = {
    FeedbackReason.WRONG_INFORMATION: "Sai thông tin",
    FeedbackReason.WRONG_PROCEDURE: "Không đúng thủ tục tôi hỏi",
    FeedbackReason.HARD_TO_UNDERSTAND: "Khó hiểu",
    FeedbackReason.MISSING_INFORMATION: "Thiếu thông tin",
    FeedbackReason.OTHER: "Khác",
}

CRITERION_LABELS = {
    SurveyCriterion.OVERALL: "Đánh giá chung",
    SurveyCriterion.FINDING_INFORMATION: "Tìm thông tin",
    SurveyCriterion.SUBMITTING_ONLINE: "Nộp hồ sơ trực tuyến",
    SurveyCriterion.TIME_AS_PROMISED: "Thời gian so với hẹn",
    SurveyCriterion.COST_AS_ANNOUNCED: "Chi phí đúng công bố",
}

# What a button press looks like to an officer: the button's meaning, never its payload.
_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.DOTALL)


def intent_label(intent: Optional[str]) -> str:
    """The officer's words for an intent ('' for none; the name itself for one not listed)."""
    if not intent:
        return ""
    return INTENT_LABELS.get(intent, intent)


def status_label(status: Optional[str]) -> str:
    """The officer's words for an answer status."""
    if not status:
        return ""
    return STATUS_LABELS.get(status, status)


def channel_label(channel: Optional[str]) -> str:
    """The officer's words for a channel."""
    if not channel:
        return ""
    return CHANNEL_LABELS.get(channel, channel)


def vietnam_time(moment: Optional[datetime]) -> str:
    """A moment as officers write it, in Vietnam time: "20/11/2026 16:00" ('' for none)."""
    return moment.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M") if moment else ""


def message_label(text: Optional[str]) -> str:
    """A citizen's message as an officer reads it: a button press becomes "[Bấm nút: …]"."""
    text = text or ""
    match = _PAYLOAD.match(text.strip())
    if not match:
        return text
    return f"[Bấm nút: {intent_label(match.group(1))}]"


# ---- the evaluation figures: the services page and the signed reports say the same -------------
NO_PROCEDURE = "(không gắn thủ tục)"
NO_INTENT = "(không rõ ý định)"
NO_REASON = "Không nêu lý do"
UNKNOWN_FIELD = "Chưa rõ lĩnh vực"
UNKNOWN_LEVEL = "chưa rõ cấp"
ANSWERS_TITLE = "Chất lượng câu trả lời của trợ lý"
SERVICES_TITLE = "Đánh giá của người dân về dịch vụ công trực tuyến"
INTERVAL_NOTE = (
    "Cách đọc: “4,2 (3,9–4,5; n = 57)” là điểm trung bình 4,2 từ 57 lượt trả lời; với độ tin cậy 95%, "
    "con số thật nằm trong khoảng 3,9 đến 4,5 — n càng nhỏ thì khoảng càng rộng, và hai con số có khoảng "
    "chồng lên nhau thì chưa thể nói bên nào cao hơn."
)
SELF_SELECTION_NOTE = (
    "Chỉ những người dân tự chọn trả lời mới được tính, nên đây không phải mẫu đại diện cho mọi người dùng "
    "dịch vụ: dùng để phát hiện vấn đề và theo dõi xu hướng, không coi là mức hài lòng của toàn bộ người dân."
)
SEPARATE_NOTE = (
    "👍/👎 đánh giá câu trả lời của trợ lý ảo; phiếu cuối cuộc trò chuyện đánh giá chính dịch vụ công "
    "trực tuyến. Hai loại đánh giá được trình bày riêng, không cộng gộp."
)


def ranking_note(min_answers: int) -> str:
    """How services are ranked, with the threshold in force (MIN_RATINGS_TO_RANK)."""
    return (
        "Chỉ so sánh các dịch vụ cùng lĩnh vực và cùng cấp. Dịch vụ có từ "
        f"{max(min_answers, 2)} lượt chấm điểm chung trở lên được xếp hạng theo cận dưới của khoảng tin cậy "
        "95% của điểm chung (chỉ xếp cao khi chắc chắn tốt, không phải khi vài người chấm cao); dịch vụ có "
        "ít lượt hơn vẫn được liệt kê kèm số liệu nhưng không xếp hạng."
    )


def reason_label(reason: Optional[str]) -> str:
    """The officer's words for a 👎 reason; "Không nêu lý do" when the citizen gave none."""
    return REASON_LABELS.get(reason, NO_REASON) if reason else NO_REASON


def criterion_label(criterion: str) -> str:
    """The officer's words for a survey criterion."""
    return CRITERION_LABELS.get(criterion, criterion)


def group_label(field: str, level: str) -> str:
    """A field and level of services, as the services table heads them: "Cư trú · cấp xã"."""
    return f"{field or UNKNOWN_FIELD} · {level or UNKNOWN_LEVEL}"


# Dashboard roles (web/dashboard/accounts.py) as the users page names them.
ROLE_LABELS = {"viewer": "Xem", "editor": "Biên tập", "officer": "Cán bộ hỗ trợ", "admin": "Quản trị"}
# Hand-off requests (actions/stores/handoff.py) as the queue names their status.
HANDOFF_STATUS_LABELS = {"new": "Mới", "taken": "Đang xử lý", "answered": "Đã trả lời", "closed": "Đã đóng"}


def wait_label(waited: Optional[timedelta]) -> str:
    """A waiting time as officers say it: "45 giây", "12 phút", "2 giờ 5 phút", "3 ngày"."""
    if waited is None:
        return "–"
    seconds = max(0, int(waited.total_seconds()))
    if seconds < 60:
        return f"{seconds} giây"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return f"{hours // 24} ngày"
