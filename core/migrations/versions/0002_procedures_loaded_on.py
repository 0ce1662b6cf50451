"""procedures.last_reviewed becomes loaded_on: it is the day a record was loaded, never a review.

Reviews live in procedure_reviews (issue 11); the old name kept existing databases working without
migrations and misled whoever read the table.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE procedures RENAME COLUMN last_reviewed TO loaded_on")


def downgrade() -> None:
    op.execute("ALTER TABLE procedures RENAME COLUMN loaded_on TO last_reviewed")
