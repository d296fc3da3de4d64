"""Journal entries, the general ledger and fiscal periods."""

from ledgerly.journal.entry import JournalEntry, Posting, UnbalancedEntryError
from ledgerly.journal.ledger import Ledger
from ledgerly.journal.periods import fiscal_year_for, period_for, quarter_for

__all__ = ["JournalEntry", "Posting", "UnbalancedEntryError", "Ledger", "fiscal_year_for", "period_for", "quarter_for"]
