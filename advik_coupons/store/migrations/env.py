"""Alembic environment: runs on the connection handed over by :mod:`advik_coupons.store.schema`."""

from alembic import context

from advik_coupons.store.models import Base

config = context.config
connection = config.attributes["connection"]
prefix = config.attributes["table_prefix"]

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=f"{prefix}alembic_version",
    render_as_batch=connection.dialect.name == "sqlite",
)

with context.begin_transaction():
    context.run_migrations()
