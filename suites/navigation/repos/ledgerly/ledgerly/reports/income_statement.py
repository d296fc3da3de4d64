"""Income statement (profit and loss) for a date range."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ledgerly.accounts.chart import ChartOfAccounts
from ledgerly.accounts.types import AccountType, sign_for
from ledgerly.journal.ledger import Ledger


@dataclass
class IncomeStatement:
    start: date
    end: date
    currency: str
    revenue: dict[str, Decimal] = field(default_factory=dict)
    expenses: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total_revenue(self) -> Decimal:
        return sum(self.revenue.values(), Decimal(0))

    @property
    def total_expenses(self) -> Decimal:
        return sum(self.expenses.values(), Decimal(0))

    @property
    def net_income(self) -> Decimal:
        return self.total_revenue - self.total_expenses


def _period_activity(ledger: Ledger, start: date, end: date, currency: str) -> dict[str, Decimal]:
    """Debit-positive net movement per account within ``[start, end]``."""
    movement: dict[str, Decimal] = {}
    for entry in ledger.entries(start, end):
        for posting in entry.postings:
            if posting.amount.currency == currency:
                movement[posting.account] = movement.get(posting.account, Decimal(0)) + posting.amount.amount
    return movement


def income_statement(
    ledger: Ledger, chart: ChartOfAccounts, start: date, end: date, currency: str = "USD"
) -> IncomeStatement:
    """Build the income statement; revenue and expenses are shown as positive numbers."""
    if end < start:
        raise ValueError("end must not be before start")
    statement = IncomeStatement(start, end, currency)
    for code, amount in sorted(_period_activity(ledger, start, end, currency).items()):
        if code not in chart:
            continue
        account = chart.get(code)
        presented = amount * sign_for(account.type)
        if account.type is AccountType.INCOME:
            statement.revenue[code] = presented
        elif account.type is AccountType.EXPENSE:
            statement.expenses[code] = presented
    return statement
