from datetime import date

from ledgerly import JournalEntry, Money
from ledgerly.io.exporters.csv_writer import export_journal_csv, quote_field


def test_quote_field():
    assert quote_field("plain") == "plain"
    assert quote_field("a,b") == '"a,b"'
    assert quote_field('say "hi"') == '"say ""hi"""'
    assert quote_field(" padded") == '" padded"'
    assert quote_field("a;b", delimiter=";") == '"a;b"'


def test_export_journal_csv():
    entry = JournalEntry.simple(
        date(2024, 2, 1), "Rent, February", "6000", "1100", Money.of("1450", "USD"), reference="INV-7"
    )
    text = export_journal_csv([entry])
    assert text.splitlines() == [
        "date,reference,description,account,debit,credit,currency",
        '2024-02-01,INV-7,"Rent, February",6000,1450.00,,USD',
        '2024-02-01,INV-7,"Rent, February",1100,,1450.00,USD',
    ]
    assert text.endswith("\n")
