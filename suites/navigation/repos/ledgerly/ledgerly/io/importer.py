"""Turning bank transactions into journal entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from ledgerly.io.parsers.csv_reader import BankTransaction
from ledgerly.journal.entry import JournalEntry, Posting
from ledgerly.journal.ledger import Ledger
from ledgerly.money.amount import Money

SUSPENSE_ACCOUNT = "9999"


@dataclass(frozen=True)
class CategoryRule:
    """Assign ``account`` to transactions whose description contains ``pattern``."""

    pattern: str
    account: str


def categorize(description: str, rules: Sequence[CategoryRule], default: str = SUSPENSE_ACCOUNT) -> str:
    """Return the account of the first rule whose pattern occurs in ``description``.

    Matching ignores case and surrounding whitespace of the pattern.
    """
    haystack = description.casefold()
    for rule in rules:
        needle = rule.pattern.strip().casefold()
        if needle and needle in haystack:
            return rule.account
    return default


def _dedupe(transactions: Iterable[BankTransaction]) -> list[BankTransaction]:
    """Drop exact repeats (same date, amount, description and reference)."""
    seen: set[tuple] = set()
    unique = []
    for tx in transactions:
        key = (tx.date, tx.amount, tx.description, tx.reference)
        if key in seen:
            continue
        seen.add(key)
        unique.append(tx)
    return unique


def transaction_to_entry(
    tx: BankTransaction, bank_account: str, category_account: str, currency: str
) -> JournalEntry:
    """Money in debits the bank account; money out credits it."""
    amount = Money.of(tx.amount, currency)
    return JournalEntry(
        tx.date,
        tx.description,
        [Posting(bank_account, amount), Posting(category_account, -amount)],
        tx.reference or None,
    )


def import_transactions(
    ledger: Ledger,
    transactions: Iterable[BankTransaction],
    bank_account: str,
    currency: str,
    rules: Optional[Sequence[CategoryRule]] = None,
    suspense_account: str = SUSPENSE_ACCOUNT,
) -> list[JournalEntry]:
    """Categorise, convert and post ``transactions``; returns the posted entries.

    Zero-amount transactions are ignored and duplicates are posted once.
    """
    posted = []
    for tx in _dedupe(transactions):
        if tx.amount == 0:
            continue
        account = categorize(tx.description, rules or (), suspense_account)
        posted.append(ledger.post(transaction_to_entry(tx, bank_account, account, currency)))
    return posted
