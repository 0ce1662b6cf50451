"""Officers search conversations and keep tags, notes and a "đã xem" mark on them.

``analytics_events.search_text`` holds the folded words of each citizen message and reply
(core/search_text.py), so "ho chieu" finds "hộ chiếu" with a plain LIKE on SQLite and PostgreSQL;
the rows stored so far are filled here. ``conversation_tags``, ``conversation_notes`` and
``conversation_reviews`` belong to the dashboard (web/tables.py).

Revision ID: 0005
Revises: 0004
"""

import json

import sqlalchemy as sa
from alembic import op

from core.search_text import SEARCHED_TYPES, event_search_text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)
BATCH = 1000


def _text_of(data: str) -> object:
    try:
        event = json.loads(data)
    except (TypeError, ValueError, RecursionError):
        return None
    return event.get("text") if isinstance(event, dict) else None


def upgrade() -> None:
    op.add_column("analytics_events", sa.Column("search_text", sa.Text))
    op.create_table(
        "conversation_tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("tag", sa.String(40), nullable=False, index=True),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.UniqueConstraint("sender_id", "tag", name="uq_conversation_tag"),
    )
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", STAMP, nullable=False),
    )
    op.create_table(
        "conversation_reviews",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("seen_by", sa.String(64), nullable=False),
        sa.Column("seen_at", STAMP, nullable=False),
    )
    connection = op.get_bind()
    events = sa.Table("analytics_events", sa.MetaData(), autoload_with=connection)
    update = events.update().where(events.c.id == sa.bindparam("row_id")).values(search_text=sa.bindparam("folded"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.type_name, events.c.data)
            .where(events.c.id > last, events.c.type_name.in_(sorted(SEARCHED_TYPES)))
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        keys = [
            {"row_id": row.id, "folded": folded}
            for row in rows
            if (folded := event_search_text(row.type_name, _text_of(row.data))) is not None
        ]
        if keys:
            connection.execute(update, keys)


def downgrade() -> None:
    op.drop_table("conversation_reviews")
    op.drop_table("conversation_notes")
    op.drop_table("conversation_tags")
    with op.batch_alter_table("analytics_events") as batch:
        batch.drop_column("search_text")
