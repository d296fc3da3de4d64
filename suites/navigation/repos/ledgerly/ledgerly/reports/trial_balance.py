"""Trial balance: every account's balance split into debit and credit columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from ledgerly.accounts.chart import ChartOfAccounts
from ledgerly.journal.ledger import Ledger
from ledgerly.reports.formatting import format_amount, format_table


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name: str
    debit: Decimal
    credit: Decimal


def trial_balance(
    ledger: Ledger,
    chart: Optional[ChartOfAccounts] = None,
    as_of: Optional[date] = None,
    currency: str = "USD",
) -> list[TrialBalanceRow]:
    """Rows for every account with a non-zero balance, sorted by account code."""
    rows = []
    for account, balance in ledger.balances(as_of, currency).items():
        if balance.is_zero():
            continue
        name = chart.get(account).name if chart is not None and account in chart else ""
        if balance.amount > 0:
            rows.append(TrialBalanceRow(account, name, balance.amount, Decimal(0)))
        else:
            rows.append(TrialBalanceRow(account, name, Decimal(0), -balance.amount))
    rows.sort(key=lambda r: r.code)
    return rows


def totals(rows: list[TrialBalanceRow]) -> tuple[Decimal, Decimal]:
    """(total debits, total credits)."""
    return sum((r.debit for r in rows), Decimal(0)), sum((r.credit for r in rows), Decimal(0))


def is_in_balance(rows: list[TrialBalanceRow]) -> bool:
    debit, credit = totals(rows)
    return debit == credit


def render_trial_balance(rows: list[TrialBalanceRow]) -> str:
    """Plain-text rendering with a totals line; zero cells are left blank."""

    def cell(value: Decimal) -> str:
        return format_amount(value) if value else ""

    body = [[r.code, r.name, cell(r.debit), cell(r.credit)] for r in rows]
    debit, credit = totals(rows)
    body.append(["", "Total", format_amount(debit), format_amount(credit)])
    return format_table(["Code", "Account", "Debit", "Credit"], body, align=["l", "l", "r", "r"])
