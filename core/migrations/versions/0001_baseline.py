"""The schema as the versions before migrations made it (create_all, up to commit acd730d).

A database made by such a version already has some or all of these tables: each is created only
when missing, so the same revision starts a new database and adopts an existing one.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def _tables() -> list:
    return [
        (
            "procedures",
            [
                sa.Column("id", sa.String(64), primary_key=True),
                sa.Column("code", sa.String(32), index=True),
                sa.Column("name", sa.Text, nullable=False),
                sa.Column("field", sa.Text),
                sa.Column("level", sa.String(32)),
                sa.Column("source_url", sa.Text, nullable=False),
                sa.Column("last_reviewed", sa.Date, nullable=False),
                sa.Column("origin", sa.String(16), nullable=False),
                sa.Column("data", sa.JSON, nullable=False),
                sa.Column("updated_at", STAMP),
            ],
        ),
        (
            "procedure_reviews",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column(
                    "procedure_id",
                    sa.String(64),
                    sa.ForeignKey("procedures.id", ondelete="CASCADE"),
                    nullable=False,
                    index=True,
                ),
                sa.Column("reviewed_on", sa.Date, nullable=False),
                sa.Column("reviewer", sa.String(255), nullable=False),
                sa.Column("checked_against", sa.Text, nullable=False),
                sa.Column("note", sa.Text),
                sa.Column("created_at", STAMP, nullable=False),
            ],
        ),
        (
            "ratings",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
                sa.Column("channel", sa.String(32), nullable=False),
                sa.Column("procedure_id", sa.String(64), index=True),
                sa.Column("intent", sa.String(64)),
                sa.Column("score", sa.Integer),
                sa.Column("helpful", sa.Boolean),
                sa.Column("comment", sa.Text),
                sa.Column("created_at", STAMP, nullable=False, index=True),
            ],
        ),
        (
            "applications",
            [
                sa.Column("code", sa.String(64), primary_key=True),
                sa.Column("procedure_id", sa.String(64)),
                sa.Column("status", sa.Text, nullable=False),
                sa.Column("note", sa.Text),
                sa.Column("updated_at", STAMP, nullable=False),
            ],
        ),
        (
            "handoff_requests",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
                sa.Column("channel", sa.String(32), nullable=False),
                sa.Column("kind", sa.String(32), nullable=False),
                sa.Column("procedure_id", sa.String(64)),
                sa.Column("created_at", STAMP, nullable=False),
            ],
        ),
        (
            "callback_payloads",
            [
                sa.Column("key", sa.String(64), primary_key=True),
                sa.Column("payload", sa.Text, nullable=False),
                sa.Column("created_at", STAMP, nullable=False),
            ],
        ),
        (
            "oauth_tokens",
            [
                sa.Column("provider", sa.String(32), primary_key=True),
                sa.Column("access_token", sa.Text, nullable=False),
                sa.Column("refresh_token", sa.Text, nullable=False),
                sa.Column("expires_at", STAMP),
                sa.Column("updated_at", STAMP, nullable=False),
            ],
        ),
        (
            "outbound_messages",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("channel", sa.String(32), nullable=False, index=True),
                sa.Column("recipient", sa.String(255), nullable=False, index=True),
                sa.Column("body", sa.JSON, nullable=False),
                sa.Column("attempts", sa.Integer, nullable=False),
                sa.Column("last_error", sa.String(200)),
                sa.Column("created_at", STAMP, nullable=False, index=True),
                sa.Column("next_attempt_at", STAMP, nullable=False, index=True),
                sa.Column("delivered_at", STAMP),
                sa.Column("given_up_at", STAMP),
            ],
        ),
        (
            "review_users",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("username", sa.String(64), nullable=False, unique=True),
                sa.Column("password_hash", sa.Text, nullable=False),
                sa.Column("role", sa.String(16), nullable=False),
                sa.Column("failed_logins", sa.Integer, nullable=False),
                sa.Column("locked_until", STAMP),
                sa.Column("created_at", STAMP, nullable=False),
            ],
        ),
        (
            "review_audit",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("username", sa.String(64), nullable=False, index=True),
                sa.Column("action", sa.String(32), nullable=False),
                sa.Column("target", sa.Text, nullable=False),
                sa.Column("at", STAMP, nullable=False, index=True),
            ],
        ),
        (
            "training_labels",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("event_id", sa.Integer, nullable=False, unique=True),
                sa.Column("sender_id", sa.String(255), nullable=False),
                sa.Column("text", sa.Text, nullable=False),
                sa.Column("intent", sa.String(64), nullable=False),
                sa.Column("procedure_id", sa.String(64)),
                sa.Column("labelled_by", sa.String(64), nullable=False),
                sa.Column("at", STAMP, nullable=False),
            ],
        ),
        (
            "analytics_events",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("digest", sa.String(64), nullable=False, unique=True),
                sa.Column("sender_id", sa.String(255), nullable=False, index=True),
                sa.Column("type_name", sa.String(32), nullable=False),
                sa.Column("timestamp", sa.Float, nullable=False, index=True),
                sa.Column("data", sa.Text, nullable=False),
            ],
        ),
        (
            "review_sessions",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
                sa.Column("username", sa.String(64), nullable=False, index=True),
                sa.Column("created_at", STAMP, nullable=False),
                sa.Column("expires_at", STAMP, nullable=False, index=True),
                sa.Column("revoked_at", STAMP),
            ],
        ),
    ]


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in _tables():
        if name in existing:
            continue
        op.create_table(name, *columns)  # with the ix_<table>_<column> indexes create_all made


def downgrade() -> None:
    for name, _columns in reversed(_tables()):
        op.drop_table(name)
