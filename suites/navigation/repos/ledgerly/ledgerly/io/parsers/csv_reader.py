"""Reading bank statement CSV exports into :class:`BankTransaction` objects."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from ledgerly.io.parsers.amounts import parse_amount
from ledgerly.io.parsers.dates import parse_date


@dataclass(frozen=True)
class BankTransaction:
    date: date
    description: str
    amount: Decimal
    reference: str = ""


@dataclass
class StatementFormat:
    """Column mapping for one bank's CSV layout.

    Either ``amount_column`` (signed amounts) or both ``debit_column`` and
    ``credit_column`` (money out / money in, unsigned) must be given.
    """

    date_column: str = "Date"
    description_column: str = "Description"
    amount_column: Optional[str] = "Amount"
    debit_column: Optional[str] = None
    credit_column: Optional[str] = None
    reference_column: Optional[str] = None
    delimiter: str = ","
    dayfirst: bool = False
    decimal_separator: Optional[str] = None


def _clean_description(text: str) -> str:
    return " ".join(text.split())


def _row_amount(row: dict[str, str], fmt: StatementFormat) -> Decimal:
    """Signed amount of a row: money in is positive, money out negative."""
    if fmt.amount_column:
        return parse_amount(row[fmt.amount_column], fmt.decimal_separator)
    if not (fmt.debit_column and fmt.credit_column):
        raise ValueError("statement format needs an amount column or debit and credit columns")
    debit_text = (row.get(fmt.debit_column) or "").strip()
    credit_text = (row.get(fmt.credit_column) or "").strip()
    debit = parse_amount(debit_text, fmt.decimal_separator) if debit_text else Decimal(0)
    credit = parse_amount(credit_text, fmt.decimal_separator) if credit_text else Decimal(0)
    return credit - debit


def read_bank_csv(text: str, fmt: Optional[StatementFormat] = None) -> list[BankTransaction]:
    """Parse CSV ``text`` (with a header row) into transactions.

    Blank lines and rows whose date cell is empty are skipped.
    """
    fmt = fmt or StatementFormat()
    reader = csv.DictReader(io.StringIO(text), delimiter=fmt.delimiter)
    transactions = []
    for row in reader:
        raw_date = (row.get(fmt.date_column) or "").strip()
        if not raw_date:
            continue
        reference = (row.get(fmt.reference_column) or "").strip() if fmt.reference_column else ""
        transactions.append(
            BankTransaction(
                date=parse_date(raw_date, dayfirst=fmt.dayfirst),
                description=_clean_description(row.get(fmt.description_column) or ""),
                amount=_row_amount(row, fmt),
                reference=reference,
            )
        )
    return transactions
