"""Journal entries made of balanced postings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Optional

from ledgerly.money.amount import Money


class UnbalancedEntryError(ValueError):
    """Raised when the debits and credits of an entry do not match."""


@dataclass(frozen=True)
class Posting:
    """One line of a journal entry.  Positive amounts are debits, negative credits."""

    account: str
    amount: Money
    memo: str = ""

    @property
    def is_debit(self) -> bool:
        return self.amount.amount > 0

    @property
    def is_credit(self) -> bool:
        return self.amount.amount < 0


@dataclass
class JournalEntry:
    date: date
    description: str
    postings: list[Posting] = field(default_factory=list)
    reference: Optional[str] = None

    @classmethod
    def simple(
        cls,
        when: date,
        description: str,
        debit_account: str,
        credit_account: str,
        amount: Money,
        reference: Optional[str] = None,
    ) -> "JournalEntry":
        """Two-line entry debiting one account and crediting another."""
        if amount.is_negative():
            raise ValueError("use a positive amount; swap the accounts instead")
        return cls(
            when,
            description,
            [Posting(debit_account, amount), Posting(credit_account, -amount)],
            reference,
        )

    def add(self, account: str, amount: Money, memo: str = "") -> "JournalEntry":
        self.postings.append(Posting(account, amount, memo))
        return self

    def currencies(self) -> list[str]:
        return sorted({p.amount.currency for p in self.postings})

    def accounts(self) -> list[str]:
        seen: list[str] = []
        for posting in self.postings:
            if posting.account not in seen:
                seen.append(posting.account)
        return seen

    def total_debits(self, currency: str) -> Money:
        total = Money.zero(currency)
        for p in self.postings:
            if p.amount.currency == currency and p.is_debit:
                total = total + p.amount
        return total

    def total_credits(self, currency: str) -> Money:
        """Sum of the credit postings, returned as a positive amount."""
        total = Money.zero(currency)
        for p in self.postings:
            if p.amount.currency == currency and p.is_credit:
                total = total - p.amount
        return total

    def imbalance(self) -> dict[str, Decimal]:
        """Per-currency sum of all postings (zero for a balanced entry)."""
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for p in self.postings:
            sums[p.amount.currency] += p.amount.amount
        return {code: value for code, value in sums.items() if value != 0}

    def is_balanced(self) -> bool:
        return len(self.postings) >= 2 and not self.imbalance()

    def validate(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedEntryError("an entry needs at least two postings")
        off = self.imbalance()
        if off:
            detail = ", ".join(f"{code} {value}" for code, value in sorted(off.items()))
            raise UnbalancedEntryError(f"entry {self.description!r} is off by {detail}")

    def reversed(self, when: date) -> "JournalEntry":
        """Return the reversing entry dated ``when``."""
        return JournalEntry(
            when,
            f"Reversal of {self.description}",
            [Posting(p.account, -p.amount, p.memo) for p in self.postings],
            self.reference,
        )
