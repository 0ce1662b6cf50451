"""Training labels: citizen messages the team marked with the right intent and procedure, exported as
Rasa NLU data for the next training (the dashboard's "Dữ liệu huấn luyện")."""

from __future__ import annotations

from typing import Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from web.tables import TrainingLabel


class LabelStore:
    """Reads and writes ``training_labels``; one label per message (its analytics event id)."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def for_conversation(self, sender_id: str) -> Dict[int, TrainingLabel]:
        """The labels of one conversation, by event id."""
        with self.sessions() as db:
            rows = db.execute(select(TrainingLabel).where(TrainingLabel.sender_id == sender_id)).scalars()
            return {row.event_id: row for row in rows}

    def newest_first(self) -> List[TrainingLabel]:
        with self.sessions() as db:
            return list(db.execute(select(TrainingLabel).order_by(TrainingLabel.id.desc())).scalars())

    def by_intent(self) -> List[TrainingLabel]:
        """Every label, grouped by intent (the export's order)."""
        with self.sessions() as db:
            return list(db.execute(select(TrainingLabel).order_by(TrainingLabel.intent, TrainingLabel.id)).scalars())

    def label(
        self, event_id: int, sender_id: str, text: str, intent: str, procedure_id: Optional[str], by: str
    ) -> None:
        """Marks one message; marking it again replaces the label."""
        with self.sessions() as db, db.begin():
            row = db.execute(select(TrainingLabel).where(TrainingLabel.event_id == event_id)).scalar_one_or_none()
            row = row or TrainingLabel(event_id=event_id, sender_id=sender_id, text=text, labelled_by="")
            row.intent, row.procedure_id, row.labelled_by = intent, procedure_id, by
            db.add(row)
