"""One period's report: its dates (a Vietnamese week or month) and its figures.

The figures come from the dashboard's own functions (web/dashboard/analytics.py: ``evaluate``,
``totals``, ``group_unanswered``), so a signed report and the services page never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import List, Optional

from actions.stores.tables import AnswerFeedback
from core.settings import VIETNAM_TIME
from web.dashboard import analytics
from web.dashboard.wording import NO_PROCEDURE

WEEK, MONTH, RANGE = "week", "month", "range"
PERIODS = (WEEK, MONTH)
TITLE = "Báo cáo đánh giá dịch vụ công trực tuyến"


@dataclass(frozen=True)
class Period:
    """The days a report covers (inclusive, Vietnam time) and what kind of period they are."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        """How the report names its period: "Tuần 47/2026 (16/11/2026 – 22/11/2026)"."""
        span = f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"
        if self.kind == WEEK:
            year, week, _ = self.start.isocalendar()
            return f"Tuần {week}/{year} ({span})"
        if self.kind == MONTH:
            return f"Tháng {self.start:%m/%Y} ({span})"
        return f"Từ {self.start:%d/%m/%Y} đến {self.end:%d/%m/%Y}"

    @property
    def file_stem(self) -> str:
        """An ASCII file name for the period: bao-cao-tuan-2026-W47, bao-cao-thang-2026-11, ..."""
        if self.kind == WEEK:
            year, week, _ = self.start.isocalendar()
            return f"bao-cao-tuan-{year}-W{week:02d}"
        if self.kind == MONTH:
            return f"bao-cao-thang-{self.start:%Y-%m}"
        return f"bao-cao-{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def filters(self) -> analytics.Filters:
        """Every channel, over the period's days."""
        return analytics.Filters(self.start, self.end)


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM_TIME).date()


def previous_week(today: date) -> Period:
    """The last whole ISO week before ``today``: Monday to Sunday."""
    monday = today - timedelta(days=today.weekday() + 7)
    return Period(WEEK, monday, monday + timedelta(days=6))


def previous_month(today: date) -> Period:
    """The last whole calendar month before ``today``."""
    last = today.replace(day=1) - timedelta(days=1)
    return Period(MONTH, last.replace(day=1), last)


def period_between(start: date, end: date) -> Period:
    """An explicit range (--from/--to, or the dashboard's filter)."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    return Period(RANGE, start, end)


def named_period(kind: str, today: Optional[date] = None) -> Period:
    """The previous week or month, as cron and the dashboard's buttons ask for them."""
    today = today or today_in_vietnam()
    if kind == WEEK:
        return previous_week(today)
    if kind == MONTH:
        return previous_month(today)
    raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {kind!r}")


@dataclass
class Report:
    """What one report shows: the period, who issues it, and the dashboard's figures for it."""

    period: Period
    office_name: str
    generated_at: datetime
    totals: analytics.Totals
    evaluation: analytics.Evaluation
    unanswered: List[analytics.UnansweredGroup]
    comments: List[AnswerFeedback]

    def procedure(self, procedure_id: str) -> str:
        """A procedure's name, its id when it is no longer in the knowledge base."""
        if not procedure_id:
            return NO_PROCEDURE
        info = self.evaluation.procedures.get(procedure_id)
        return info.name if info else procedure_id


def build_report(
    data: analytics.ReviewData, period: Period, office_name: str, min_answers: int, now: Optional[datetime] = None
) -> Report:
    """Compute one period's report from the database, with the services page's functions."""
    filters = period.filters
    turns = data.turns(filters)
    feedback = data.feedback(filters)
    return Report(
        period=period,
        office_name=office_name,
        generated_at=(now or datetime.now(VIETNAM_TIME)).astimezone(VIETNAM_TIME),
        totals=analytics.totals(turns),
        evaluation=analytics.evaluate(data, filters, min_answers),
        unanswered=analytics.group_unanswered(turns, feedback),
        comments=sorted(
            (row for row in feedback if row.comment and not row.helpful),
            key=lambda row: (row.created_at, row.id),
            reverse=True,
        ),
    )
