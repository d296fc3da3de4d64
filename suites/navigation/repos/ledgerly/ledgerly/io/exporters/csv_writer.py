"""Export journal entries as a flat CSV file (one line per posting)."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from ledgerly.journal.entry import JournalEntry
from ledgerly.reports.formatting import format_amount

HEADER = ("date", "reference", "description", "account", "debit", "credit", "currency")


def quote_field(value: str, delimiter: str = ",") -> str:
    """Quote a CSV field if needed, doubling embedded quotes (RFC 4180)."""
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def _amount_cell(value: Decimal) -> str:
    return format_amount(value, thousands="") if value else ""


def posting_rows(entry: JournalEntry) -> list[list[str]]:
    rows = []
    for posting in entry.postings:
        amount = posting.amount.amount
        rows.append(
            [
                entry.date.isoformat(),
                entry.reference or "",
                posting.memo or entry.description,
                posting.account,
                _amount_cell(amount if amount > 0 else Decimal(0)),
                _amount_cell(-amount if amount < 0 else Decimal(0)),
                posting.amount.currency,
            ]
        )
    return rows


def export_journal_csv(entries: Iterable[JournalEntry], delimiter: str = ",") -> str:
    """Render ``entries`` as CSV text with a header line and ``\\n`` line endings."""
    lines = [delimiter.join(HEADER)]
    for entry in entries:
        for row in posting_rows(entry):
            lines.append(delimiter.join(quote_field(cell, delimiter) for cell in row))
    return "\n".join(lines) + "\n"
