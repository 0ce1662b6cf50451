"""Citizens who asked to be invited to the service survey when their dossier is completed.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "completion_invitations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("application_code", sa.String(64), nullable=False, index=True),
        sa.Column("opted_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), index=True),
        sa.UniqueConstraint("conversation_id", "application_code", name="uq_completion_invitation"),
    )


def downgrade() -> None:
    op.drop_table("completion_invitations")
