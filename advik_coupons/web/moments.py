"""The form's moments (starts, ends): a native date picker and a time picker in the
site's time zone, read back as one aware ``datetime``.

The admin form posts ``<name>_date`` and ``<name>_time`` (``input type=date`` and
``type=time``); the API, the CSV import and older forms send one ``<name>`` text
(``2026-12-31`` or ``2026-12-31T18:00``, with or without an offset). A bare date
means the start of the day, or for an end its last second, in the site's zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from typing import Any

from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.validators import ValidationError

from ..domain.coupon import MOMENT_RANGE, in_range
from ..domain.rules import end_of_day, start_of_day

TIME_ONLY = "time-only:"


class DateTimePair:
    """Renders a moment as a date picker and a time picker (one text box when the stored
    moment needs its offset spelled out: the hour a DST change repeats)."""

    def __call__(self, field: MomentField, **kwargs: Any) -> Markup:
        text = field._value()
        ident = escape(kwargs.pop("id", field.id))
        extra = " ".join(f'{escape(k)}="{escape(v)}"' for k, v in kwargs.items()
                         if k.startswith("aria-"))
        if text.startswith(TIME_ONLY):
            text = "T" + text[len(TIME_ONLY):]
        if len(text) > 19 or (text and "T" not in text and len(text) != 10):
            return Markup(f'<input type="text" id="{ident}" name="{escape(field.name)}" '
                          f'value="{escape(text)}" {extra}>')
        day, _, clock = text.partition("T")
        return Markup(
            f'<span class="moment"><input type="date" id="{ident}" '
            f'name="{escape(field.name)}_date" value="{escape(day)}" {extra}> '
            f'<input type="time" id="{ident}_time" name="{escape(field.name)}_time" '
            f'value="{escape(clock)}" step="{1 if len(clock) > 5 else 60}" '
            f'aria-label="{escape(field.time_label)}"></span>')


class MomentField(StringField):
    """A date (``2026-12-31``) or a date-time with or without an offset.

    A bare date means the start of the day (``end_of_day=False``) or its last
    second (``True``) in the form's site time zone; a naive date-time is read
    in the site time zone too.
    """

    widget = DateTimePair()

    def __init__(self, *args: Any, end_of_day: bool = False, time_label: str = "Time",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.end_of_day = end_of_day
        self.time_label = time_label
        self.moment: datetime | None = None

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        """One ``<name>`` text, or the pickers' ``<name>_date`` and ``<name>_time``."""
        pair = (formdata is not None and self.name not in formdata
                and (self.name + "_date" in formdata or self.name + "_time" in formdata))
        super().process(formdata, data, extra_filters)
        if pair:
            day = (formdata.get(self.name + "_date") or "").strip()
            clock = (formdata.get(self.name + "_time") or "").strip()
            self.data = f"{day}T{clock}" if day and clock else day or (
                TIME_ONLY + clock if clock else "")

    def parse(self, tz: tzinfo) -> datetime | None:
        raw = (self.data or "").strip()
        if not raw:
            return None
        if raw.startswith(TIME_ONLY):
            raise ValidationError("Pick the day too (the time alone is not enough).")
        try:
            if len(raw) == 10:
                day = date.fromisoformat(raw)
                moment = end_of_day(day, tz) if self.end_of_day else start_of_day(day, tz)
            else:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            raise ValidationError("Use a date like 2026-12-31 or 2026-12-31T18:00.") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        if not in_range(moment):
            raise ValidationError(MOMENT_RANGE)
        return moment.replace(microsecond=0)



def moment_text(moment: datetime | None, tz: tzinfo, *, end: bool) -> str:
    """How a stored moment reads back in the form, so saving it unchanged keeps it.

    A bare date when it is the day's edge (its start, or its last second for an
    end); else the local date-time, with seconds when it has any, and with its
    offset when that wall-clock time happens twice (the hour a DST change repeats).
    """
    if moment is None:
        return ""
    local = moment.astimezone(tz).replace(microsecond=0)
    edge = time(23, 59, 59) if end else time(0, 0)
    if local.time() == edge:
        return local.date().isoformat()
    naive = local.replace(tzinfo=None)
    text = naive.isoformat(timespec="seconds" if naive.second else "minutes")
    other = naive.replace(fold=1 - local.fold).replace(tzinfo=tz)
    if other.utcoffset() != local.utcoffset():
        text += local.isoformat()[19:]
    return text
