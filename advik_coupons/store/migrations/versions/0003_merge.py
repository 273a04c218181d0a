"""One line of revisions again: the admin rollup (0002_admin) and the hook
endpoints (0002_hooks) both came after 0001; later revisions follow this one.

Revision ID: 0003_merge
Revises: 0002_admin, 0002_hooks
"""

revision = "0003_merge"
down_revision = ("0002_admin", "0002_hooks")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
