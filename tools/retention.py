"""Delete conversations older than ``RETENTION_DAYS`` (default 365): ``make purge``, e.g. from cron.

Every table that holds citizens' words or traces of them is covered: Rasa's tracker events,
their copy fed from RabbitMQ (``analytics_events``), hand-off rows with their callback records (the
encrypted numbers themselves after ``CALLBACK_RETENTION_DAYS``, default 30), opt-ins to a survey
invitation, the delivered or given-up replies of the outbox (``outbound_messages``), messages
marked for training, the dashboard's access log (it names conversations) and the comments after
a 👎, all older than the cut-off; the team's tags, notes and "đã xem" marks go with their
conversation; expired dashboard sessions go too. The 👍/👎 (with their reasons) and the service
surveys stay, without comments: they hold no words of the citizen and the yearly figures need them.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import delete, inspect, or_, select, text, update

from actions.stores.tables import AnswerFeedback, CallbackRequest, CompletionInvitation, HandoffRequest
from bot.analytics_events import AnalyticsEvent
from bot.channels.tables import OutboundMessage
from core.db import engine_for
from core.settings import get_settings
from web.tables import (
    AuditEntry,
    ConversationNote,
    ConversationReview,
    ConversationTag,
    ReviewSession,
    TrainingLabel,
)

logger = logging.getLogger(__name__)


def purge(database_url: str, days: int, now: Optional[float] = None, number_days: int = 30) -> dict:
    """Delete what is older than ``days`` (callback numbers: ``number_days``); returns how many rows went
    from each table."""
    cutoff = (now or time.time()) - days * 86400
    engine = engine_for(database_url)
    removed = {}
    with engine.begin() as connection:
        if inspect(connection).has_table("events"):
            result = connection.execute(text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff})
            removed["events"] = result.rowcount
        result = connection.execute(delete(AnalyticsEvent).where(AnalyticsEvent.timestamp < cutoff))
        removed["analytics_events"] = result.rowcount
        cutoff_dt = datetime.fromtimestamp(cutoff, tz=timezone.utc)
        # Callback numbers go after CALLBACK_RETENTION_DAYS even when nobody closed their request.
        number_cutoff = datetime.fromtimestamp(now or time.time(), tz=timezone.utc) - timedelta(days=number_days)
        result = connection.execute(
            update(CallbackRequest)
            .where(CallbackRequest.created_at < number_cutoff, CallbackRequest.phone_encrypted.is_not(None))
            .values(phone_encrypted=None, deleted_at=datetime.now(timezone.utc))
        )
        removed["callback_numbers"] = result.rowcount
        old_requests = select(HandoffRequest.id).where(HandoffRequest.created_at < cutoff_dt)
        connection.execute(delete(CallbackRequest).where(CallbackRequest.handoff_id.in_(old_requests)))
        result = connection.execute(delete(HandoffRequest).where(HandoffRequest.created_at < cutoff_dt))
        removed["handoff_requests"] = result.rowcount
        result = connection.execute(delete(CompletionInvitation).where(CompletionInvitation.opted_in_at < cutoff_dt))
        removed["completion_invitations"] = result.rowcount
        result = connection.execute(
            delete(OutboundMessage).where(
                OutboundMessage.created_at < cutoff_dt,
                or_(OutboundMessage.delivered_at.is_not(None), OutboundMessage.given_up_at.is_not(None)),
            )
        )
        removed["outbound_messages"] = result.rowcount
        result = connection.execute(delete(TrainingLabel).where(TrainingLabel.at < cutoff_dt))
        removed["training_labels"] = result.rowcount
        result = connection.execute(delete(AuditEntry).where(AuditEntry.at < cutoff_dt))
        removed["review_audit"] = result.rowcount
        result = connection.execute(
            update(AnswerFeedback)
            .where(AnswerFeedback.created_at < cutoff_dt, AnswerFeedback.comment.is_not(None))
            .values(comment=None)
        )
        removed["feedback_comments"] = result.rowcount
        remaining = select(AnalyticsEvent.sender_id).distinct()
        for table, name in (
            (ConversationNote, "conversation_notes"),
            (ConversationTag, "conversation_tags"),
            (ConversationReview, "conversation_reviews"),
        ):
            result = connection.execute(delete(table).where(table.sender_id.not_in(remaining)))
            removed[name] = result.rowcount
        result = connection.execute(
            delete(ReviewSession).where(
                ReviewSession.expires_at < datetime.fromtimestamp(now or time.time(), tz=timezone.utc)
            )
        )
        removed["review_sessions"] = result.rowcount
    logger.info("retention.purged days=%d %s", days, " ".join(f"{k}={v}" for k, v in removed.items()))
    return removed


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=settings.retention_days)
    args = parser.parse_args(argv)
    if args.days < 1:
        print("--days must be at least 1", file=sys.stderr)
        return 2
    removed = purge(settings.database_url, args.days, number_days=settings.callback_retention_days)
    print(
        f"deleted conversations older than {args.days} days "
        f"({datetime.now(timezone.utc) - timedelta(days=args.days):%Y-%m-%d}): {removed}"
    )
    return 0
