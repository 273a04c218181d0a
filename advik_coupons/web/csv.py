"""CSV downloads: one writer for the API and the admin pages, streamed in chunks.

Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``, a tab or a carriage return first) get a leading ``'`` (CSV injection);
amounts are written as plain decimals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from flask import Response, stream_with_context
from sqlalchemy import Select
from sqlalchemy.orm import Session

from ..domain.codes import FORMULA_STARTS

CHUNK_ROWS = 1000


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    if isinstance(value, Decimal):
        return str(value)
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header and the rows as CSV text, ``CHUNK_ROWS`` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_safe(v) for v in row])
        if number % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def query_rows(session: Session, stmt: Select[Any],
               to_row: Callable[[Any], Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """The rows of a query run while the download streams, ``CHUNK_ROWS`` at a time.

    The request's own session has ended by then (its app context was torn down
    when the view returned), so the query opens a fresh transaction on it and
    closes it when the last row is written.
    """
    try:
        found = session.execute(stmt.execution_options(yield_per=CHUNK_ROWS)).scalars()
        for item in found:
            yield to_row(item)
    finally:
        session.close()


def csv_response(filename: str, header: Sequence[str],
                 rows: Iterable[Sequence[Any]]) -> Response:
    """A download of ``rows``; a lazy iterable (a query) is read while the answer streams."""
    return Response(stream_with_context(csv_chunks(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
