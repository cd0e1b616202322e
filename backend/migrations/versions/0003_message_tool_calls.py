"""Assistant messages keep their tool actions and how they ended (complete, stopped, failed).

The tool actions are a JSON column on the message, not a table: they are always written and read with their
message and never queried on their own, so a table would only add a join to every history read.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.add_column(
            sa.Column("tool_calls", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True)
        )
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="complete"))


def downgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.drop_column("status")
        batch.drop_column("tool_calls")
