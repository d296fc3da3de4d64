from datetime import date
from decimal import Decimal

import pytest

from ledgerly.io.parsers import parse_amount, parse_date
from ledgerly.io.parsers.amounts import AmountParseError
from ledgerly.io.parsers.csv_reader import StatementFormat, read_bank_csv
from ledgerly.io.parsers.dates import DateParseError, parse_date_range


AMOUNT_EXAMPLES = [
    ("12.50", Decimal("12.50")),
    ("1,234.56", Decimal("1234.56")),
    ("1.234,56", Decimal("1234.56")),
    ("1,234", Decimal("1234")),
    ("-7.00", Decimal("-7.00")),
    ("(12.00)", Decimal("-12.00")),
    ("15.25-", Decimal("-15.25")),
    ("$ 1,000,000.00", Decimal("1000000.00")),
    ("€ 2.500,00", Decimal("2500.00")),
    ("42", Decimal("42")),
]


def test_parse_amount_examples():
    for text, expected in AMOUNT_EXAMPLES:
        assert parse_amount(text) == expected, text


def test_parse_amount_explicit_separator_and_errors():
    assert parse_amount("1.234", decimal_separator=".") == Decimal("1.234")
    with pytest.raises(AmountParseError):
        parse_amount("abc")
    with pytest.raises(AmountParseError):
        parse_amount("  ")


def test_parse_date_formats():
    assert parse_date("2024-03-14") == date(2024, 3, 14)
    assert parse_date("20240314") == date(2024, 3, 14)
    assert parse_date("03/14/2024") == date(2024, 3, 14)
    assert parse_date("14.03.2024") == date(2024, 3, 14)
    assert parse_date("14 Mar 2024") == date(2024, 3, 14)
    assert parse_date("March 14, 2024") == date(2024, 3, 14)
    assert parse_date("04/03/2024") == date(2024, 4, 3)


def test_parse_date_errors_and_ranges():
    with pytest.raises(DateParseError):
        parse_date("yesterday")
    assert parse_date_range("2024-01-01 to 2024-01-31") == (date(2024, 1, 1), date(2024, 1, 31))
    with pytest.raises(DateParseError):
        parse_date_range("2024-02-01 - 2024-01-01")


STATEMENT = """Date,Description,Amount,Ref
2024-01-03,  Coffee   shop ,-4.50,R1
2024-01-05,Salary,2500.00,R2

,,,
2024-01-09,Refund,(3.20),R3
"""


def test_read_bank_csv():
    rows = read_bank_csv(STATEMENT, StatementFormat(reference_column="Ref"))
    assert [(r.date.day, r.description, r.amount, r.reference) for r in rows] == [
        (3, "Coffee shop", Decimal("-4.50"), "R1"),
        (5, "Salary", Decimal("2500.00"), "R2"),
        (9, "Refund", Decimal("-3.20"), "R3"),
    ]


def test_read_bank_csv_semicolon_european():
    text = "Datum;Text;Betrag\n15.01.2024;Miete;-1.200,00\n"
    fmt = StatementFormat(date_column="Datum", description_column="Text", amount_column="Betrag", delimiter=";")
    (row,) = read_bank_csv(text, fmt)
    assert row.date == date(2024, 1, 15)
    assert row.amount == Decimal("-1200.00")
