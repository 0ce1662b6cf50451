"""Feedback belongs to the answered turn; the service's own evaluation gets its own table.

``ratings`` mixed two things: a 👍/👎 on the assistant's answer (joined to the answer by time) and a
1-5 score of "the service". They become ``answer_feedback`` (one row per answered turn, with the
reason and comment after a 👎) and ``service_surveys`` (one evaluation of an online public service
per conversation, overall and four criteria). Earlier rows are carried over: a 👍/👎 keeps its
procedure, intent and comment under a turn id ``legacy-<row id>`` (the turn itself was never
recorded); a 1-5 score becomes a survey with only the overall score and the comment given with it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    feedback = op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("turn_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("procedure_id", sa.String(64), index=True),
        sa.Column("intent", sa.String(64)),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(32)),
        sa.Column("comment", sa.Text),
        sa.Column("created_at", STAMP, nullable=False, index=True),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.UniqueConstraint("conversation_id", "turn_id", name="uq_answer_feedback_turn"),
    )
    surveys = op.create_table(
        "service_surveys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("session_key", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("procedure_id", sa.String(64), index=True),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("overall", sa.Integer),
        sa.Column("finding_information", sa.Integer),
        sa.Column("submitting_online", sa.Integer),
        sa.Column("time_as_promised", sa.Integer),
        sa.Column("cost_as_announced", sa.Integer),
        sa.Column("comment", sa.Text),
        sa.Column("created_at", STAMP, nullable=False, index=True),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.UniqueConstraint("conversation_id", "session_key", name="uq_service_survey_conversation"),
    )
    connection = op.get_bind()
    ratings = sa.Table("ratings", sa.MetaData(), autoload_with=connection)
    rows = connection.execute(sa.select(ratings).order_by(ratings.c.id)).mappings().all()
    carried_feedback, carried_surveys = [], []
    for row in rows:
        legacy = f"legacy-{row['id']}"
        if row["helpful"] is not None:
            carried_feedback.append(
                {
                    "conversation_id": row["conversation_id"],
                    "turn_id": legacy,
                    "channel": row["channel"],
                    "procedure_id": row["procedure_id"],
                    "intent": row["intent"],
                    "helpful": bool(row["helpful"]),
                    "comment": row["comment"],
                    "created_at": row["created_at"],
                    "updated_at": row["created_at"],
                }
            )
        elif row["score"] is not None:
            carried_surveys.append(
                {
                    "conversation_id": row["conversation_id"],
                    "session_key": legacy,
                    "channel": row["channel"],
                    "procedure_id": row["procedure_id"],
                    "trigger": "legacy",
                    "overall": row["score"],
                    "comment": row["comment"],
                    "created_at": row["created_at"],
                    "updated_at": row["created_at"],
                }
            )
    if carried_feedback:
        op.bulk_insert(feedback, carried_feedback)
    if carried_surveys:
        op.bulk_insert(surveys, carried_surveys)
    op.drop_table("ratings")


def downgrade() -> None:
    """Not supported: the turn and criteria columns have no place in the old table."""
    raise NotImplementedError("0004 cannot be downgraded; restore the backup taken before upgrading")
