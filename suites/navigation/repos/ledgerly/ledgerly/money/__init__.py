"""Monetary values, currencies, rounding and exchange rates."""

from ledgerly.money.amount import Money, CurrencyMismatchError
from ledgerly.money.currency import Currency, get_currency

__all__ = ["Money", "CurrencyMismatchError", "Currency", "get_currency"]
