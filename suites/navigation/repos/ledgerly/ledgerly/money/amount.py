"""The :class:`Money` value type."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Union

from ledgerly.money.currency import normalize_code
from ledgerly.money.rounding import allocate, quantize_for_currency

Numeric = Union[Decimal, int, str]


class CurrencyMismatchError(ValueError):
    """Raised when combining amounts of different currencies."""


def _to_decimal(value: Numeric) -> Decimal:
    if isinstance(value, float):
        raise TypeError("use Decimal or str for money, not float")
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not a valid amount: {value!r}") from exc


@dataclass(frozen=True, order=False)
class Money:
    """An immutable amount of money in a single currency."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _to_decimal(self.amount))
        object.__setattr__(self, "currency", normalize_code(self.currency))

    # -- constructors -------------------------------------------------
    @classmethod
    def of(cls, amount: Numeric, currency: str) -> "Money":
        """Build a Money value rounded to the currency's minor units."""
        return cls(quantize_for_currency(_to_decimal(amount), currency), currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls.of(0, currency)

    # -- helpers ------------------------------------------------------
    def _check_same_currency(self, other: object) -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} != {other.currency}")
        return other

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def rounded(self, mode: str = "half_even") -> "Money":
        return Money(quantize_for_currency(self.amount, self.currency, mode), self.currency)

    def allocate(self, ratios: list[Numeric]) -> list["Money"]:
        """Split into parts proportional to ``ratios``; parts sum to self."""
        from ledgerly.money.currency import get_currency

        places = get_currency(self.currency).minor_units
        return [Money(part, self.currency) for part in allocate(self.amount, ratios, places)]

    # -- arithmetic ---------------------------------------------------
    def __add__(self, other: "Money") -> "Money":
        other = self._check_same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        other = self._check_same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __abs__(self) -> "Money":
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: Numeric) -> "Money":
        result = self.amount * _to_decimal(factor)
        return Money(quantize_for_currency(result, self.currency), self.currency)

    __rmul__ = __mul__

    # -- comparison ---------------------------------------------------
    def __lt__(self, other: "Money") -> bool:
        return self.amount < self._check_same_currency(other).amount

    def __le__(self, other: "Money") -> bool:
        return self.amount <= self._check_same_currency(other).amount

    def __gt__(self, other: "Money") -> bool:
        return self.amount > self._check_same_currency(other).amount

    def __ge__(self, other: "Money") -> bool:
        return self.amount >= self._check_same_currency(other).amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def sum_money(values: list[Money], currency: str) -> Money:
    """Sum a list of Money values, returning zero in ``currency`` if empty."""
    total = Money.zero(currency)
    for value in values:
        total = total + value
    return total
