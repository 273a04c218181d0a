"""The domain: coupon rules, money and errors, as pure Python.

Nothing here imports Flask, SQLAlchemy or any other layer of the package
(``lint-imports`` checks it): values and ``now`` come in as arguments, so
every rule is tested exhaustively without an app or a database.
"""
