"""Ledgerly: a small double-entry bookkeeping toolkit."""

from ledgerly.money.amount import Money
from ledgerly.journal.entry import JournalEntry, Posting
from ledgerly.journal.ledger import Ledger
from ledgerly.accounts.chart import ChartOfAccounts

__version__ = "0.4.1"

__all__ = ["Money", "JournalEntry", "Posting", "Ledger", "ChartOfAccounts", "__version__"]
