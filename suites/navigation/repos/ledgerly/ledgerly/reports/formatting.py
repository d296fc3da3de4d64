"""Number and table formatting for reports."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional, Sequence

from ledgerly.money.amount import Money
from ledgerly.money.currency import get_currency
from ledgerly.money.rounding import round_half_even


def _group_digits(digits: str, separator: str) -> str:
    """Insert ``separator`` between groups of three digits from the right."""
    if not separator:
        return digits
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def format_amount(
    value: Decimal,
    places: int = 2,
    thousands: str = ",",
    decimal: str = ".",
    negative_style: str = "minus",
) -> str:
    """Format a decimal for display.

    ``negative_style`` is ``"minus"`` (``-1,234.50``) or ``"parens"``
    (``(1,234.50)``, the accounting convention).
    """
    if negative_style not in ("minus", "parens"):
        raise ValueError(f"unknown negative_style {negative_style!r}")
    rounded = round_half_even(Decimal(value), places)
    negative = rounded < 0
    text = f"{abs(rounded):.{places}f}"
    int_part, _, frac_part = text.partition(".")
    body = _group_digits(int_part, thousands)
    if places > 0:
        body = f"{body}{decimal}{frac_part}"
    if not negative:
        return body
    return f"({body})" if negative_style == "parens" else f"-{body}"


def format_money(money: Money, symbol: bool = True, **options: str) -> str:
    """Format a :class:`Money` using its currency's minor units and symbol."""
    currency = get_currency(money.currency)
    text = format_amount(money.amount, places=currency.minor_units, **options)
    if not symbol:
        return f"{text} {currency.code}"
    if text.startswith("-"):
        return f"-{currency.symbol}{text[1:]}"
    return f"{currency.symbol}{text}"


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: Optional[Sequence[str]] = None,
) -> str:
    """Render a plain-text table.  ``align`` holds ``"l"`` or ``"r"`` per column."""
    columns = len(headers)
    if any(len(row) != columns for row in rows):
        raise ValueError("every row must have one cell per header")
    align = list(align) if align is not None else ["l"] * columns
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def render(cells: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            parts.append(cell.rjust(widths[i]) if align[i] == "r" else cell.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    lines = [render(headers), "  ".join("-" * w for w in widths)]
    lines.extend(render(row) for row in rows)
    return "\n".join(lines)
