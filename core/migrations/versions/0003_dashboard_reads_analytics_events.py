"""The dashboard reads only analytics_events: copy the conversations kept so far in Rasa's events table.

Before, without RabbitMQ the dashboard read Rasa's own ``events`` table; now the Rasa server writes
``analytics_events`` for every set-up (bot/event_broker.py). This copies the earlier conversations
(citizen messages, replies, actions, slots), already masked by the tracker store, so the dashboard
keeps its history, and points the training labels at the copied rows. Rows already in
``analytics_events`` (the RabbitMQ set-up fed it) are recognised by their digest and kept once.

Revision ID: 0003
Revises: 0002
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ANALYTICS_TYPES = ("user", "bot", "action", "slot")
BATCH = 1000


def _row(sender_id: str, type_name: str, timestamp: float, data: str) -> dict:
    """The analytics_events row the broker would have written for this stored event."""
    try:
        event = json.loads(data)
    except (TypeError, ValueError):
        event = None
    if isinstance(event, dict):
        data = json.dumps({"sender_id": sender_id, **event}, sort_keys=True, ensure_ascii=False)
    return {
        "digest": hashlib.sha256(data.encode()).hexdigest(),
        "sender_id": sender_id[:255],
        "type_name": type_name,
        "timestamp": float(timestamp or 0.0),
        "data": data,
    }


def upgrade() -> None:
    connection = op.get_bind()
    if not sa.inspect(connection).has_table("events"):
        return
    metadata = sa.MetaData()
    events = sa.Table("events", metadata, autoload_with=connection)
    copies = sa.Table("analytics_events", metadata, autoload_with=connection)
    labels = sa.Table("training_labels", metadata, autoload_with=connection)
    known = set(connection.execute(sa.select(copies.c.digest)).scalars())
    last = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.id > last, events.c.type_name.in_(ANALYTICS_TYPES))
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        fresh = []
        for row in rows:
            if row.data is None or row.timestamp is None:
                continue  # nothing the dashboard could show
            copy = _row(row.sender_id, row.type_name, row.timestamp, row.data)
            if copy["digest"] not in known:
                known.add(copy["digest"])
                fresh.append(copy)
        if fresh:
            connection.execute(copies.insert(), fresh)
    # Labels point at the copied rows; a label whose event is gone keeps its old id negated, so it
    # matches no row. Two steps, so no intermediate value collides with the unique event_id.
    final = {}
    for label in connection.execute(sa.select(labels.c.id, labels.c.event_id)).all():
        stored = connection.execute(
            sa.select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data).where(
                events.c.id == label.event_id
            )
        ).first()
        copied = None
        if stored is not None:
            digest = _row(*stored)["digest"]
            copied = connection.execute(sa.select(copies.c.id).where(copies.c.digest == digest)).scalar_one_or_none()
        final[label.id] = copied if copied is not None else -abs(label.event_id)
    for label_id in final:
        connection.execute(labels.update().where(labels.c.id == label_id).values(event_id=-(10**9) - label_id))
    for label_id, event_id in final.items():
        connection.execute(labels.update().where(labels.c.id == label_id).values(event_id=event_id))


def downgrade() -> None:
    """The copied rows stay: the earlier dashboard reads them only with RabbitMQ, as before."""
