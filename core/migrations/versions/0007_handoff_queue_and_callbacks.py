"""The officers' hand-off queue (status, owner, times) and encrypted callback requests.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_requests") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="new"))
        batch.add_column(sa.Column("owner", sa.String(64)))
        batch.add_column(sa.Column("taken_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("first_reply_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("handed_back_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("callback_offered_at", sa.DateTime(timezone=True)))
        batch.create_index("ix_handoff_requests_status", ["status"])
    # Requests recorded before the queue existed were answered by the hotline text: nothing waits.
    op.execute("UPDATE handoff_requests SET status = 'closed', closed_at = created_at")
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoff_requests.id"), nullable=False, unique=True),
        sa.Column("phone_encrypted", sa.Text),
        sa.Column("phone_hint", sa.String(8)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("callback_requests")
    with op.batch_alter_table("handoff_requests") as batch:
        batch.drop_index("ix_handoff_requests_status")
        for column in ("callback_offered_at", "closed_at", "handed_back_at", "first_reply_at", "taken_at", "owner"):
            batch.drop_column(column)
        batch.drop_column("status")
