from datetime import date
from decimal import Decimal

import pytest

from ledgerly import JournalEntry, Ledger, Money
from ledgerly.accounts.chart import ChartOfAccounts, UnknownAccountError
from ledgerly.journal.entry import Posting, UnbalancedEntryError


def usd(value):
    return Money.of(value, "USD")


def test_simple_entry_is_balanced():
    entry = JournalEntry.simple(date(2024, 1, 5), "Stationery", "6100", "1100", usd("12.50"))
    assert entry.is_balanced()
    assert entry.total_debits("USD") == usd("12.50")
    assert entry.total_credits("USD") == usd("12.50")
    assert entry.accounts() == ["6100", "1100"]


def test_unbalanced_entry_rejected():
    entry = JournalEntry(date(2024, 1, 5), "Oops", [Posting("1100", usd("10")), Posting("4000", usd("-9"))])
    assert not entry.is_balanced()
    assert entry.imbalance() == {"USD": Decimal("1.00")}
    with pytest.raises(UnbalancedEntryError):
        Ledger().post(entry)


def test_simple_entry_rejects_negative_amount():
    with pytest.raises(ValueError):
        JournalEntry.simple(date(2024, 1, 5), "x", "1100", "4000", usd("-1"))


def test_reversal_cancels_out():
    entry = JournalEntry.simple(date(2024, 1, 31), "Accrual", "6100", "2000", usd("40"))
    reversal = entry.reversed(date(2024, 2, 1))
    assert reversal.date == date(2024, 2, 1)
    assert reversal.description == "Reversal of Accrual"
    ledger = Ledger()
    ledger.post_all([entry, reversal])
    assert ledger.balance("6100").is_zero()


def test_ledger_balances_and_order():
    ledger = Ledger()
    ledger.post(JournalEntry.simple(date(2024, 3, 10), "Sale", "1100", "4000", usd("100")))
    ledger.post(JournalEntry.simple(date(2024, 3, 2), "Rent", "6000", "1100", usd("30")))
    assert [e.description for e in ledger.entries()] == ["Rent", "Sale"]
    assert ledger.balance("1100") == usd("70")
    assert ledger.balance("4000") == usd("-100")
    assert ledger.balance("1100", as_of=date(2024, 3, 5)) == usd("-30")
    assert ledger.balances() == {"1100": usd("70"), "4000": usd("-100"), "6000": usd("30")}


def test_ledger_entries_window():
    ledger = Ledger()
    for day in (1, 10, 20):
        ledger.post(JournalEntry.simple(date(2024, 5, day), f"d{day}", "1100", "4000", usd("1")))
    assert [e.description for e in ledger.entries(date(2024, 5, 5), date(2024, 5, 25))] == ["d10", "d20"]
    assert [e.description for e in ledger.entries(start=date(2024, 5, 10))] == ["d10", "d20"]


def test_ledger_checks_chart():
    chart = ChartOfAccounts()
    chart.add("1100", "Cash")
    chart.add("4000", "Sales")
    ledger = Ledger(chart)
    ledger.post(JournalEntry.simple(date(2024, 1, 1), "ok", "1100", "4000", usd("1")))
    with pytest.raises(UnknownAccountError):
        ledger.post(JournalEntry.simple(date(2024, 1, 2), "bad", "1100", "4100", usd("1")))
    assert len(ledger) == 1


def test_activity_running_balance():
    ledger = Ledger()
    ledger.post(JournalEntry.simple(date(2024, 1, 3), "a", "1100", "4000", usd("5")))
    ledger.post(JournalEntry.simple(date(2024, 1, 9), "b", "6000", "1100", usd("2")))
    rows = ledger.activity("1100")
    assert [(d.day, amt, run) for d, amt, run in rows] == [(3, usd("5"), usd("5")), (9, usd("-2"), usd("3"))]
