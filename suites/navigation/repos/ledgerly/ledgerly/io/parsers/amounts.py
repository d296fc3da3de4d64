"""Parsing of human-written amounts such as ``"1.234,56 €"`` or ``"(12.00)"``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Optional

_CURRENCY_NOISE = re.compile(r"[€$£¥]|\b[A-Z]{3}\b|\s")


class AmountParseError(ValueError):
    """Raised when a string cannot be interpreted as an amount."""


def _detect_decimal_separator(text: str) -> Optional[str]:
    """Guess which of ``.`` and ``,`` is the decimal separator in ``text``.

    * both present: whichever comes last is the decimal separator;
    * a single kind present once and followed by exactly three digits: it is a
      thousands separator (``"1,234"``), so there is no decimal part;
    * a single kind present several times: thousands separators;
    * otherwise the single separator is the decimal separator.
    """
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    sep = "." if last_dot >= 0 else "," if last_comma >= 0 else None
    if sep is None:
        return None
    if text.count(sep) > 1:
        return None
    tail = text[text.rfind(sep) + 1 :]
    if len(tail) == 3:
        return None
    return sep


def _strip_sign(text: str) -> tuple[str, bool]:
    """Remove a sign marker and report whether the amount is negative."""
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1], True
    if text.endswith("-"):
        return text[:-1], True
    if text.startswith("-"):
        return text[1:], True
    if text.startswith("+"):
        return text[1:], False
    return text, False


def parse_amount(text: str, decimal_separator: Optional[str] = None) -> Decimal:
    """Parse an amount written with optional currency symbols, grouping and sign.

    Negative amounts may be written as ``-12.50``, ``12.50-`` or ``(12.50)``.
    Pass ``decimal_separator`` to disable auto-detection.
    """
    if text is None:
        raise AmountParseError("no amount given")
    cleaned = _CURRENCY_NOISE.sub("", str(text))
    cleaned, negative = _strip_sign(cleaned)
    if not cleaned:
        raise AmountParseError(f"empty amount: {text!r}")
    sep = decimal_separator if decimal_separator is not None else _detect_decimal_separator(cleaned)
    if sep is None:
        digits = cleaned.replace(",", "").replace(".", "")
    else:
        grouping = "," if sep == "." else "."
        digits = cleaned.replace(grouping, "").replace(sep, ".")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        raise AmountParseError(f"not an amount: {text!r}") from None
    return -value if negative else value
