from datetime import date
from decimal import Decimal

import pytest

from ledgerly import JournalEntry, Ledger, Money
from ledgerly.accounts.chart import ChartOfAccounts
from ledgerly.reports.aging import OpenInvoice, aging_by_customer, aging_report, bucket_label, bucket_labels
from ledgerly.reports.formatting import format_amount, format_money, format_table
from ledgerly.reports.income_statement import income_statement
from ledgerly.reports.trial_balance import is_in_balance, render_trial_balance, totals, trial_balance


def usd(value):
    return Money.of(value, "USD")


def build():
    chart = ChartOfAccounts()
    chart.add("1100", "Cash")
    chart.add("4000", "Sales")
    chart.add("6000", "Rent")
    chart.add("6100", "Supplies")
    ledger = Ledger(chart)
    ledger.post(JournalEntry.simple(date(2024, 3, 10), "Sale", "1100", "4000", usd("2500")))
    ledger.post(JournalEntry.simple(date(2024, 3, 2), "Rent", "6000", "1100", usd("1200")))
    ledger.post(JournalEntry.simple(date(2024, 4, 2), "Paper", "6100", "1100", usd("45")))
    return chart, ledger


def test_trial_balance_rows():
    chart, ledger = build()
    rows = trial_balance(ledger, chart)
    assert [(r.code, r.name, r.debit, r.credit) for r in rows] == [
        ("1100", "Cash", Decimal("1255.00"), Decimal(0)),
        ("4000", "Sales", Decimal(0), Decimal("2500.00")),
        ("6000", "Rent", Decimal("1200.00"), Decimal(0)),
        ("6100", "Supplies", Decimal("45.00"), Decimal(0)),
    ]
    assert totals(rows) == (Decimal("2500.00"), Decimal("2500.00"))
    assert is_in_balance(rows)


def test_trial_balance_as_of():
    chart, ledger = build()
    rows = trial_balance(ledger, chart, as_of=date(2024, 3, 20))
    assert [r.code for r in rows] == ["1100", "4000", "6000"]


def test_render_trial_balance():
    chart, ledger = build()
    text = render_trial_balance(trial_balance(ledger, chart))
    lines = text.splitlines()
    assert lines[0].split() == ["Code", "Account", "Debit", "Credit"]
    assert lines[2].split() == ["1100", "Cash", "1,255.00"]
    assert lines[-1].split() == ["Total", "2,500.00", "2,500.00"]


def test_income_statement_for_march():
    chart, ledger = build()
    statement = income_statement(ledger, chart, date(2024, 3, 1), date(2024, 3, 30))
    assert statement.revenue == {"4000": Decimal("2500.00")}
    assert statement.expenses == {"6000": Decimal("1200.00")}
    assert statement.net_income == Decimal("1300.00")
    with pytest.raises(ValueError):
        income_statement(ledger, chart, date(2024, 3, 30), date(2024, 3, 1))


def test_bucket_labels_and_buckets():
    assert bucket_labels() == ["current", "1-30", "31-60", "61-90", "90+"]
    assert bucket_label(-3) == "current"
    assert bucket_label(12) == "1-30"
    assert bucket_label(45) == "31-60"
    assert bucket_label(75) == "61-90"
    assert bucket_label(400) == "90+"
    assert bucket_label(20, buckets=(15, 45)) == "16-45"


def test_aging_report():
    as_of = date(2024, 6, 30)
    invoices = [
        OpenInvoice("A1", "Acme", date(2024, 7, 10), Decimal("50")),
        OpenInvoice("A2", "Acme", date(2024, 6, 20), Decimal("20")),
        OpenInvoice("B1", "Bolt", date(2024, 5, 10), Decimal("35")),
        OpenInvoice("B2", "Bolt", date(2024, 1, 2), Decimal("15")),
        OpenInvoice("B3", "Bolt", date(2024, 1, 2), Decimal("0")),
    ]
    report = aging_report(invoices, as_of)
    assert report == {
        "current": Decimal("50"),
        "1-30": Decimal("20"),
        "31-60": Decimal("35"),
        "61-90": Decimal("0"),
        "90+": Decimal("15"),
    }
    by_customer = aging_by_customer(invoices, as_of)
    assert list(by_customer) == ["Acme", "Bolt"]
    assert by_customer["Acme"]["current"] == Decimal("50")


def test_format_amount():
    assert format_amount(Decimal("1234567.891")) == "1,234,567.89"
    assert format_amount(Decimal("-1234.5"), negative_style="parens") == "(1,234.50)"
    assert format_amount(Decimal("-7.25")) == "-7.25"
    assert format_amount(Decimal("1234.5"), thousands=".", decimal=",") == "1.234,50"
    assert format_amount(Decimal("98765.4321"), places=0, thousands="") == "98765"


def test_format_money():
    assert format_money(Money.of("1234.5", "EUR")) == "€1,234.50"
    assert format_money(Money.of("-12", "USD")) == "-$12.00"
    assert format_money(Money.of("7.5", "GBP"), symbol=False) == "7.50 GBP"


def test_format_table():
    text = format_table(["Name", "Qty"], [["apple", "3"], ["kiwi", "12"]], align=["l", "r"])
    assert text.splitlines() == ["Name   Qty", "-----  ---", "apple    3", "kiwi    12"]
    with pytest.raises(ValueError):
        format_table(["a"], [["1", "2"]])
