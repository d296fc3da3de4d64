from decimal import Decimal

import pytest

from ledgerly import Money
from ledgerly.money.amount import CurrencyMismatchError, sum_money
from ledgerly.money.currency import get_currency, is_known_currency, normalize_code, UnknownCurrencyError
from ledgerly.money.rounding import allocate, round_down, round_half_up, round_with_mode, split_evenly


def test_money_of_rounds_to_cents():
    assert Money.of("10.456", "usd") == Money(Decimal("10.46"), "USD")


def test_money_arithmetic():
    a = Money.of("10.00", "EUR")
    b = Money.of("2.50", "EUR")
    assert a + b == Money.of("12.50", "EUR")
    assert a - b == Money.of("7.50", "EUR")
    assert -b == Money.of("-2.50", "EUR")
    assert abs(Money.of("-4", "EUR")) == Money.of("4", "EUR")


def test_money_multiplication_rounds():
    assert Money.of("19.99", "USD") * 3 == Money.of("59.97", "USD")
    assert 2 * Money.of("1.20", "USD") == Money.of("2.40", "USD")


def test_money_currency_mismatch():
    with pytest.raises(CurrencyMismatchError):
        Money.of(1, "USD") + Money.of(1, "EUR")


def test_money_rejects_float():
    with pytest.raises(TypeError):
        Money.of(1.5, "USD")


def test_money_comparisons():
    assert Money.of("1.00", "GBP") < Money.of("1.01", "GBP")
    assert Money.of("2.00", "GBP") >= Money.of("2.00", "GBP")


def test_sum_money_empty_and_values():
    assert sum_money([], "USD").is_zero()
    assert sum_money([Money.of("1.10", "USD"), Money.of("2.20", "USD")], "USD") == Money.of("3.30", "USD")


def test_currency_registry():
    assert normalize_code(" gbp ") == "GBP"
    assert get_currency("EUR").quantum == Decimal("0.01")
    assert is_known_currency("usd")
    assert not is_known_currency("XXX")
    assert not is_known_currency("EURO")
    with pytest.raises(UnknownCurrencyError):
        get_currency("ABC")


def test_rounding_helpers():
    assert round_half_up("2.345", 2) == Decimal("2.35")
    assert round_down("2.349", 2) == Decimal("2.34")
    assert round_with_mode("7.777", 1, "half_up") == Decimal("7.8")
    with pytest.raises(ValueError):
        round_with_mode("1", 2, "ceiling")


def test_allocate_sums_to_total():
    parts = split_evenly(Decimal("100.00"), 3)
    assert parts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(parts) == Decimal("100.00")


def test_allocate_by_ratio():
    assert allocate(Decimal("10.00"), [70, 30]) == [Decimal("7.00"), Decimal("3.00")]
    with pytest.raises(ValueError):
        allocate(Decimal("1"), [0, 0])


def test_money_allocate():
    parts = Money.of("0.05", "EUR").allocate([1, 1])
    assert parts == [Money.of("0.03", "EUR"), Money.of("0.02", "EUR")]
