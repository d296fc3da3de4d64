from datetime import date
from decimal import Decimal

from ledgerly import Ledger, Money
from ledgerly.io.importer import CategoryRule, categorize, import_transactions, transaction_to_entry
from ledgerly.io.parsers.csv_reader import BankTransaction

RULES = [CategoryRule("coffee", "6200"), CategoryRule(" salary ", "4000"), CategoryRule("", "6999")]


def test_categorize_first_match_and_default():
    assert categorize("coffee shop", RULES) == "6200"
    assert categorize("monthly salary payment", RULES) == "4000"
    assert categorize("unknown vendor", RULES) == "9999"
    assert categorize("unknown vendor", RULES, default="6900") == "6900"


def test_transaction_to_entry_signs():
    tx = BankTransaction(date(2024, 1, 3), "coffee", Decimal("-4.50"), "R1")
    entry = transaction_to_entry(tx, "1100", "6200", "EUR")
    assert [(p.account, p.amount) for p in entry.postings] == [
        ("1100", Money.of("-4.50", "EUR")),
        ("6200", Money.of("4.50", "EUR")),
    ]
    assert entry.reference == "R1"


def test_import_transactions_posts_and_dedupes():
    txs = [
        BankTransaction(date(2024, 1, 3), "coffee shop", Decimal("-4.50"), "R1"),
        BankTransaction(date(2024, 1, 3), "coffee shop", Decimal("-4.50"), "R1"),
        BankTransaction(date(2024, 1, 4), "salary", Decimal("2500.00"), "R2"),
        BankTransaction(date(2024, 1, 5), "fee reversal", Decimal("0"), "R3"),
        BankTransaction(date(2024, 1, 6), "mystery", Decimal("-1.00"), "R4"),
    ]
    ledger = Ledger()
    posted = import_transactions(ledger, txs, "1100", "EUR", RULES)
    assert len(posted) == 3
    assert ledger.balance("1100", currency="EUR") == Money.of("2494.50", "EUR")
    assert ledger.balance("6200", currency="EUR") == Money.of("4.50", "EUR")
    assert ledger.balance("9999", currency="EUR") == Money.of("1.00", "EUR")
