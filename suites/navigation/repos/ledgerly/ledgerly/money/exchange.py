"""Exchange-rate tables and currency conversion."""

from __future__ import annotations

from decimal import Decimal
from typing import Union

from ledgerly.money.amount import Money
from ledgerly.money.currency import normalize_code

Rate = Union[Decimal, str, int]


class MissingRateError(LookupError):
    """Raised when no rate is known for a currency."""


class ExchangeRates:
    """A table of rates relative to a single base currency.

    ``set_rate("USD", "1.10")`` on a EUR-based table means 1 EUR = 1.10 USD.
    Rates between two non-base currencies are derived through the base.
    """

    def __init__(self, base: str) -> None:
        self.base = normalize_code(base)
        self._rates: dict[str, Decimal] = {self.base: Decimal(1)}

    def set_rate(self, currency: str, rate: Rate) -> None:
        code = normalize_code(currency)
        value = Decimal(rate)
        if value <= 0:
            raise ValueError("exchange rates must be positive")
        if code == self.base and value != 1:
            raise ValueError("the base currency always has rate 1")
        self._rates[code] = value

    def currencies(self) -> list[str]:
        return sorted(self._rates)

    def _lookup(self, code: str) -> Decimal:
        try:
            return self._rates[code]
        except KeyError:
            raise MissingRateError(f"no rate for {code} against {self.base}") from None

    def rate(self, source: str, target: str) -> Decimal:
        """Return how many units of ``target`` one unit of ``source`` buys."""
        source, target = normalize_code(source), normalize_code(target)
        if source == target:
            return Decimal(1)
        if source == self.base:
            return self._lookup(target)
        if target == self.base:
            return Decimal(1) / self._lookup(source)
        return self._lookup(target) / self._lookup(source)

    def convert(self, money: Money, target: str) -> Money:
        """Convert ``money`` into ``target`` currency, rounded to its minor units."""
        factor = self.rate(money.currency, target)
        return Money.of(money.amount * factor, target)

    @classmethod
    def from_mapping(cls, base: str, rates: dict[str, Rate]) -> "ExchangeRates":
        table = cls(base)
        for code, value in rates.items():
            if normalize_code(code) != table.base:
                table.set_rate(code, value)
        return table
