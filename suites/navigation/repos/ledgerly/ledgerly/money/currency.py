"""Currency metadata: ISO 4217 codes, minor units and display symbols."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


class UnknownCurrencyError(KeyError):
    """Raised when a currency code is not present in the registry."""


@dataclass(frozen=True)
class Currency:
    """A currency with its number of minor units (decimal places)."""

    code: str
    minor_units: int
    symbol: str
    name: str

    @property
    def quantum(self) -> Decimal:
        """Smallest representable amount, e.g. ``Decimal('0.01')`` for EUR."""
        return Decimal(1).scaleb(-self.minor_units)


_REGISTRY: dict[str, Currency] = {}


def normalize_code(code: str) -> str:
    """Normalise a currency code: strip whitespace, upper-case and validate.

    >>> normalize_code(" eur ")
    'EUR'
    """
    if not isinstance(code, str):
        raise TypeError(f"currency code must be a string, not {type(code).__name__}")
    cleaned = code.strip().upper()
    if len(cleaned) != 3 or not cleaned.isalpha():
        raise ValueError(f"invalid currency code: {code!r}")
    return cleaned


def register_currency(code: str, minor_units: int, symbol: str, name: str) -> Currency:
    """Add (or replace) a currency in the registry and return it."""
    if minor_units < 0 or minor_units > 4:
        raise ValueError("minor_units must be between 0 and 4")
    currency = Currency(normalize_code(code), minor_units, symbol, name)
    _REGISTRY[currency.code] = currency
    return currency


def get_currency(code: str) -> Currency:
    """Return the registered :class:`Currency` for ``code``."""
    key = normalize_code(code)
    try:
        return _REGISTRY[key]
    except KeyError:
        raise UnknownCurrencyError(key) from None


def is_known_currency(code: str) -> bool:
    """Return True if ``code`` is a valid, registered currency code."""
    try:
        get_currency(code)
    except (ValueError, TypeError, UnknownCurrencyError):
        return False
    return True


def known_currencies() -> list[str]:
    """Return the sorted list of registered currency codes."""
    return sorted(_REGISTRY)


for _code, _units, _symbol, _name in (
    ("USD", 2, "$", "US Dollar"),
    ("EUR", 2, "€", "Euro"),
    ("GBP", 2, "£", "Pound Sterling"),
    ("CHF", 2, "CHF ", "Swiss Franc"),
    ("SEK", 2, "kr ", "Swedish Krona"),
    ("JPY", 0, "¥", "Yen"),
    ("KWD", 3, "KD ", "Kuwaiti Dinar"),
):
    register_currency(_code, _units, _symbol, _name)
