"""The general ledger: stores posted entries and computes balances."""

from __future__ import annotations

from bisect import insort
from datetime import date
from decimal import Decimal
from typing import Iterable, Optional

from ledgerly.accounts.chart import ChartOfAccounts, UnknownAccountError
from ledgerly.journal.entry import JournalEntry
from ledgerly.money.amount import Money


class Ledger:
    """An append-only list of validated journal entries kept in date order."""

    def __init__(self, chart: Optional[ChartOfAccounts] = None) -> None:
        self.chart = chart
        self._entries: list[tuple[date, int, JournalEntry]] = []
        self._counter = 0

    def post(self, entry: JournalEntry) -> JournalEntry:
        """Validate and store ``entry``; entries on the same day keep post order."""
        entry.validate()
        if self.chart is not None:
            for account in entry.accounts():
                if account not in self.chart:
                    raise UnknownAccountError(account)
        self._counter += 1
        insort(self._entries, (entry.date, self._counter, entry), key=lambda t: (t[0], t[1]))
        return entry

    def post_all(self, entries: Iterable[JournalEntry]) -> int:
        count = 0
        for entry in entries:
            self.post(entry)
            count += 1
        return count

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self, start: Optional[date] = None, end: Optional[date] = None) -> list[JournalEntry]:
        """Entries dated within ``[start, end]`` (both bounds inclusive)."""
        selected = []
        for when, _, entry in self._entries:
            if start is not None and when < start:
                continue
            if end is not None and when > end:
                break
            selected.append(entry)
        return selected

    def balance(self, account: str, as_of: Optional[date] = None, currency: str = "USD") -> Money:
        """Debit-positive balance of ``account`` including entries on ``as_of``."""
        total = Decimal(0)
        for entry in self.entries(end=as_of):
            for posting in entry.postings:
                if posting.account == account and posting.amount.currency == currency:
                    total += posting.amount.amount
        return Money(total, currency)

    def balances(self, as_of: Optional[date] = None, currency: str = "USD") -> dict[str, Money]:
        """Balances of every account that has postings in ``currency``."""
        totals: dict[str, Decimal] = {}
        for entry in self.entries(end=as_of):
            for posting in entry.postings:
                if posting.amount.currency != currency:
                    continue
                totals[posting.account] = totals.get(posting.account, Decimal(0)) + posting.amount.amount
        return {account: Money(value, currency) for account, value in sorted(totals.items())}

    def activity(
        self, account: str, start: Optional[date] = None, end: Optional[date] = None, currency: str = "USD"
    ) -> list[tuple[date, Money, Money]]:
        """(date, amount, running balance) for each posting to ``account``."""
        rows = []
        running = Money.zero(currency)
        for entry in self.entries(end=end):
            for posting in entry.postings:
                if posting.account != account or posting.amount.currency != currency:
                    continue
                running = running + posting.amount
                if start is None or entry.date >= start:
                    rows.append((entry.date, posting.amount, running))
        return rows
