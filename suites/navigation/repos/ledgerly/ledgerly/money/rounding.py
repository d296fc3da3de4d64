"""Rounding and allocation helpers for monetary amounts.

All helpers operate on :class:`decimal.Decimal` values and never on floats.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Sequence, Union

from ledgerly.money.currency import get_currency

Number = Union[Decimal, int, str]

ROUNDING_MODES = ("half_even", "half_up", "down")


def _places_quantum(places: int) -> Decimal:
    if places < 0:
        raise ValueError("places must be non-negative")
    return Decimal(1).scaleb(-places)


def round_half_even(value: Number, places: int = 2) -> Decimal:
    """Round ``value`` to ``places`` decimals, ties going to the even digit
    (banker's rounding)."""
    return Decimal(value).quantize(_places_quantum(places), rounding=ROUND_HALF_EVEN)


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """Round ``value`` to ``places`` decimals, ties going away from zero."""
    return Decimal(value).quantize(_places_quantum(places), rounding=ROUND_HALF_UP)


def round_down(value: Number, places: int = 2) -> Decimal:
    """Truncate ``value`` towards zero at ``places`` decimals."""
    return Decimal(value).quantize(_places_quantum(places), rounding=ROUND_DOWN)


def round_with_mode(value: Number, places: int, mode: str = "half_even") -> Decimal:
    """Dispatch to one of the rounding helpers by name."""
    if mode == "half_even":
        return round_half_even(value, places)
    if mode == "half_up":
        return round_half_up(value, places)
    if mode == "down":
        return round_down(value, places)
    raise ValueError(f"unknown rounding mode {mode!r}; expected one of {ROUNDING_MODES}")


def quantize_for_currency(value: Number, currency_code: str, mode: str = "half_even") -> Decimal:
    """Round ``value`` to the number of minor units of ``currency_code``."""
    places = get_currency(currency_code).minor_units
    return round_with_mode(value, places, mode)


def allocate(total: Number, ratios: Sequence[Number], places: int = 2) -> list[Decimal]:
    """Split ``total`` into parts proportional to ``ratios`` without losing cents.

    Uses the largest-remainder method: every share is first truncated, then the
    leftover minor units are handed out one by one to the shares with the
    largest remainders (earlier shares win ties).  The parts always sum to
    ``total`` exactly.
    """
    total = Decimal(total)
    weights = [Decimal(r) for r in ratios]
    if not weights:
        raise ValueError("at least one ratio is required")
    if any(w < 0 for w in weights):
        raise ValueError("ratios must be non-negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("ratios must not all be zero")
    quantum = _places_quantum(places)
    exact = [total * w / weight_sum for w in weights]
    shares = [round_down(e, places) for e in exact]
    leftover_units = int((total - sum(shares)) / quantum)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    step = quantum if leftover_units >= 0 else -quantum
    for i in order[: abs(leftover_units)]:
        shares[i] += step
    return shares


def split_evenly(total: Number, parts: int, places: int = 2) -> list[Decimal]:
    """Split ``total`` into ``parts`` nearly equal shares (see :func:`allocate`)."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    return allocate(total, [1] * parts, places)
