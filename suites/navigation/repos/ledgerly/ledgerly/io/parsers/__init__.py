"""Parsers for values found in bank statements and spreadsheets."""

from ledgerly.io.parsers.amounts import parse_amount
from ledgerly.io.parsers.dates import parse_date

__all__ = ["parse_amount", "parse_date"]
