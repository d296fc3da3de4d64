from decimal import Decimal

import pytest

from ledgerly import Money
from ledgerly.money.exchange import ExchangeRates, MissingRateError


def make_rates():
    return ExchangeRates.from_mapping("EUR", {"USD": "1.10", "GBP": "0.85", "EUR": "1"})


def test_rate_from_base():
    rates = make_rates()
    assert rates.rate("EUR", "USD") == Decimal("1.10")
    assert rates.rate("usd", "usd") == Decimal(1)


def test_convert_from_base():
    rates = make_rates()
    assert rates.convert(Money.of("100.00", "EUR"), "GBP") == Money.of("85.00", "GBP")


def test_convert_to_base():
    rates = make_rates()
    assert rates.convert(Money.of("110.00", "USD"), "EUR") == Money.of("100.00", "EUR")


def test_missing_rate():
    with pytest.raises(MissingRateError):
        make_rates().rate("EUR", "CHF")


def test_invalid_rates_rejected():
    rates = ExchangeRates("USD")
    with pytest.raises(ValueError):
        rates.set_rate("EUR", "0")
    with pytest.raises(ValueError):
        rates.set_rate("USD", "2")
    assert rates.currencies() == ["USD"]
