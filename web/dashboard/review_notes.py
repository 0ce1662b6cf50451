"""The team's own marks on conversations: tags, notes and "đã xem" (seen), so that officers sharing the
dashboard know which conversations were read, what was found and which ones to come back to."""

from __future__ import annotations

import logging
import unicodedata
from typing import Dict, Iterable, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from core.db import utcnow
from knowledge_base.privacy import mask_personal_data
from knowledge_base.stored_text import storable_text, strip_control_characters
from web.tables import ConversationNote, ConversationReview, ConversationTag

logger = logging.getLogger(__name__)

MAX_TAG_CHARS = 40
MAX_NOTE_CHARS = 2000


class ReviewNoteError(ValueError):
    """A refused tag or note; the message is safe to show."""


def clean_tag(tag: str) -> str:
    """One spelling per tag: NFC, lower case, single spaces, no personal data ("Khiếu  Nại" -> "khiếu nại")."""
    words = strip_control_characters(unicodedata.normalize("NFC", tag or "")).split()
    cleaned = mask_personal_data(" ".join(words)).lower()
    if not cleaned:
        raise ReviewNoteError("Nhãn không được để trống.")
    if len(cleaned) > MAX_TAG_CHARS:
        raise ReviewNoteError(f"Nhãn dài tối đa {MAX_TAG_CHARS} ký tự.")
    return cleaned


class ConversationReviewStore:
    """Reads and writes ``conversation_tags``, ``conversation_notes`` and ``conversation_reviews``."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    # ---- tags ------------------------------------------------------------------------------------
    def tags_of(self, sender_ids: Optional[Iterable[str]] = None) -> Dict[str, List[str]]:
        """Tags by conversation (every conversation, or those named), each list sorted."""
        query = select(ConversationTag.sender_id, ConversationTag.tag).order_by(ConversationTag.tag)
        if sender_ids is not None:
            query = query.where(ConversationTag.sender_id.in_(list(sender_ids)))
        result: Dict[str, List[str]] = {}
        with self.sessions() as db:
            for sender_id, tag in db.execute(query):
                result.setdefault(sender_id, []).append(tag)
        return result

    def all_tags(self) -> List[str]:
        """Every tag in use, for the list's filter."""
        with self.sessions() as db:
            return list(db.execute(select(ConversationTag.tag).distinct().order_by(ConversationTag.tag)).scalars())

    def add_tag(self, sender_id: str, tag: str, by: str) -> str:
        """Files the conversation under ``tag`` (cleaned, returned); a tag it already has is kept once."""
        tag = clean_tag(tag)
        try:
            with self.sessions() as db, db.begin():
                exists = db.execute(
                    select(ConversationTag.id).where(ConversationTag.sender_id == sender_id, ConversationTag.tag == tag)
                ).first()
                if exists is None:
                    db.add(ConversationTag(sender_id=sender_id, tag=tag, added_by=by))
        except IntegrityError:
            logger.info("review_notes.tag_added_concurrently sender=%s", sender_id)  # another officer was first
        return tag

    def remove_tag(self, sender_id: str, tag: str) -> bool:
        """Takes ``tag`` off the conversation; False when it did not have it."""
        with self.sessions() as db, db.begin():
            result = db.execute(
                delete(ConversationTag).where(ConversationTag.sender_id == sender_id, ConversationTag.tag == tag)
            )
            return bool(result.rowcount)

    # ---- notes -----------------------------------------------------------------------------------
    def notes_of(self, sender_id: str) -> List[ConversationNote]:
        """The conversation's notes, oldest first."""
        with self.sessions() as db:
            query = select(ConversationNote).where(ConversationNote.sender_id == sender_id)
            return list(db.execute(query.order_by(ConversationNote.id)).scalars())

    def add_note(self, sender_id: str, text: str, by: str) -> ConversationNote:
        """Adds a note, masked like citizens' words (an officer may paste a phone number) and bounded."""
        cleaned = (storable_text((text or "").strip(), MAX_NOTE_CHARS) or "").strip()
        if not cleaned:
            raise ReviewNoteError("Ghi chú không được để trống.")
        note = ConversationNote(sender_id=sender_id, author=by, text=cleaned)
        with self.sessions() as db, db.begin():
            db.add(note)
        return note

    # ---- đã xem ----------------------------------------------------------------------------------
    def seen(self, sender_ids: Optional[Iterable[str]] = None) -> Dict[str, ConversationReview]:
        """The "đã xem" marks by conversation (every conversation, or those named)."""
        query = select(ConversationReview)
        if sender_ids is not None:
            query = query.where(ConversationReview.sender_id.in_(list(sender_ids)))
        with self.sessions() as db:
            return {row.sender_id: row for row in db.execute(query).scalars()}

    def mark_seen(self, sender_id: str, by: str) -> None:
        """Marks the conversation "đã xem" by ``by`` now (marking again updates who and when)."""
        try:
            with self.sessions() as db, db.begin():
                row = db.get(ConversationReview, sender_id) or ConversationReview(sender_id=sender_id)
                row.seen_by, row.seen_at = by, utcnow()
                db.add(row)
        except IntegrityError:
            logger.info("review_notes.seen_concurrently sender=%s", sender_id)  # another officer was first

    def unmark_seen(self, sender_id: str) -> None:
        """Back to "chưa xem"."""
        with self.sessions() as db, db.begin():
            db.execute(delete(ConversationReview).where(ConversationReview.sender_id == sender_id))
