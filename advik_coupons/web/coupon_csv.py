"""Coupons as CSV, both ways: the export's columns are what the import reads back.

One column per field of the field list (the code first), each cell written
as the form shows it (dates in the site's time zone, ``set`` fields as
space-separated choices, flags ``true``/``false``). An import runs every row
through the same :class:`~.forms.CouponForm` as the admin form and the API,
checks each code against the others in the file and the stored ones, and
reports every problem by line; :func:`read_import` returns the rows' clean
values only when every row passed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..domain.codes import normalize_code
from ..domain.coupon import BY_NAME, FIELD_NAMES
from ..store.queries import code_exists
from .forms import CouponForm, create_defaults, form_values

COLUMNS: tuple[str, ...] = ("code", *(n for n in FIELD_NAMES if n != "code"))
MAX_ROWS = 2000
MAX_BYTES = 2_000_000
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", ""})


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str
    message: str


class ImportRejected(Exception):
    """The file, with every problem found; nothing was written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def export_row(coupon: Any, code: str | None, tz: tzinfo) -> list[Any]:
    """A stored coupon as one CSV row of :data:`COLUMNS`."""
    values = form_values(coupon, code, tz)
    row: list[Any] = []
    for name in COLUMNS:
        value = values.get(name)
        kind = BY_NAME[name].kind
        if kind == "set":
            value = " ".join(value or ())
        elif kind == "flag":
            value = "true" if value else "false"
        row.append("" if value is None else value)
    return row


def _formdata(row: dict[str, str]) -> tuple[MultiDict[str, Any], dict[str, str]]:
    """A CSV row as form data (defaults where a column is absent), and its flag errors."""
    base = create_defaults()
    errors: dict[str, str] = {}
    data: MultiDict[str, Any] = MultiDict()
    if not (row.get("code") or "").strip():
        data.add("generate", "y")  # an empty code: one is generated, as in the form
    for name in FIELD_NAMES:
        spec = BY_NAME[name]
        raw = row.get(name)
        if spec.kind == "flag":
            text = (raw if raw is not None else ("true" if base.get(name) else "")).strip()
            if text.lower() in TRUE_WORDS:
                data.add(name, "y")
            elif text.lower() not in FALSE_WORDS:
                errors[name] = "Write true or false."
        elif spec.kind == "set":
            chosen = raw.replace(",", " ").split() if raw is not None else base.get(name, [])
            for item in chosen:
                data.add(name, item)
        else:
            value = raw if raw is not None else base.get(name)
            if value is not None:
                data.add(name, str(value))
    return data, errors


def read_import(text: str, session: Session, tz: tzinfo) -> list[tuple[int, dict[str, Any]]]:
    """Every row's line and clean values, or :class:`ImportRejected` naming each line's problems."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in COLUMNS]
    if not header or "name" not in header or unknown:
        message = (f"Unknown column {unknown[0]!r}." if unknown
                   else "The first line must name the columns, with at least name and "
                        "discount_value.")
        raise ImportRejected([ImportProblem(1, unknown[0] if unknown else "", message)])
    reader.fieldnames = header
    problems: list[ImportProblem] = []
    found: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    start = 2
    for number, row in enumerate(reader):
        line = start
        start = reader.line_num + 1
        if number >= MAX_ROWS:
            problems.append(ImportProblem(line, "", f"At most {MAX_ROWS} coupons per file."))
            break
        cells = {k: (v or "") for k, v in row.items() if k is not None}
        if not any(v.strip() for v in cells.values()):
            continue
        data, flag_errors = _formdata(cells)
        form = CouponForm(formdata=data, meta={"csrf": False}, tz=tz)
        valid = form.validate()
        errors = {**flag_errors, **form.error_messages()}
        code = normalize_code(cells.get("code", ""))
        if code and "code" not in errors:
            if code in seen:
                errors["code"] = f"{code} is also on line {seen[code]}."
            elif code_exists(session, code):
                errors["code"] = f"{code} is already in use."
            seen.setdefault(code, line)
        problems.extend(ImportProblem(line, k, v) for k, v in errors.items())
        if valid and not errors:
            found.append((line, form.values()))
    if problems:
        raise ImportRejected(problems)
    if not found:
        raise ImportRejected([ImportProblem(1, "", "The file has no coupons.")])
    return found
