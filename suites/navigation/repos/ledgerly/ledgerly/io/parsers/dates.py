"""Date parsing for the many formats banks use in their exports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Sequence

ISO_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d")
MONTH_FIRST: tuple[str, ...] = ("%m/%d/%Y", "%m/%d/%y")
DAY_FIRST: tuple[str, ...] = ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y")
NAMED: tuple[str, ...] = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y")


class DateParseError(ValueError):
    """Raised when no known format matches."""


def _try_formats(text: str, formats: Sequence[str]) -> date | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def candidate_formats(dayfirst: bool = False) -> list[str]:
    """Formats in the order they are tried.

    Ambiguous numeric dates like ``04/03/2024`` are read month-first unless
    ``dayfirst`` is true.
    """
    numeric = [*DAY_FIRST, *MONTH_FIRST] if dayfirst else [*MONTH_FIRST, *DAY_FIRST]
    return [*ISO_FORMATS, *numeric, *NAMED]


def parse_date(text: str, dayfirst: bool = False) -> date:
    """Parse ``text`` into a :class:`datetime.date`."""
    cleaned = " ".join(str(text).split()).rstrip(".")
    if not cleaned:
        raise DateParseError("empty date")
    parsed = _try_formats(cleaned, candidate_formats(dayfirst))
    if parsed is None:
        raise DateParseError(f"unrecognised date: {text!r}")
    return parsed


def parse_date_range(text: str, dayfirst: bool = False) -> tuple[date, date]:
    """Parse ``"<date> - <date>"`` or ``"<date> to <date>"``."""
    for separator in (" to ", " - ", " – "):
        if separator in text:
            left, right = text.split(separator, 1)
            start, end = parse_date(left, dayfirst), parse_date(right, dayfirst)
            if end < start:
                raise DateParseError("range ends before it starts")
            return start, end
    raise DateParseError(f"not a date range: {text!r}")
