import pytest

from ledgerly.accounts.chart import ChartOfAccounts, UnknownAccountError
from ledgerly.accounts.types import (
    AccountType,
    is_balance_sheet,
    normal_side,
    parse_account_type,
    sign_for,
    type_from_code,
)
from ledgerly.accounts.validation import (
    InvalidAccountCodeError,
    is_child_code,
    is_valid_account_code,
    normalize_account_code,
    validate_account_code,
)


def make_chart():
    chart = ChartOfAccounts()
    chart.add("1000", "Assets")
    chart.add("1100", "Cash", parent="1000")
    chart.add("1110", "Petty cash", parent="1100")
    chart.add("2000", "Liabilities")
    chart.add("4000", "Sales")
    chart.add("6000", "Operating expenses")
    chart.add("6100", "Office supplies", parent="6000")
    return chart


def test_type_from_code():
    assert type_from_code("1200") is AccountType.ASSET
    assert type_from_code("2100") is AccountType.LIABILITY
    assert type_from_code("3000") is AccountType.EQUITY
    assert type_from_code("4010") is AccountType.INCOME
    assert type_from_code("7000") is AccountType.EXPENSE
    with pytest.raises(ValueError):
        type_from_code("0100")


def test_normal_sides_and_signs():
    assert normal_side(AccountType.ASSET) == "debit"
    assert normal_side(AccountType.INCOME) == "credit"
    assert sign_for(AccountType.EXPENSE) == 1
    assert sign_for(AccountType.LIABILITY) == -1
    assert is_balance_sheet(AccountType.EQUITY)
    assert not is_balance_sheet(AccountType.EXPENSE)
    assert parse_account_type("Expenses") is AccountType.EXPENSE


def test_code_validation():
    assert normalize_account_code("10-00") == "1000"
    assert validate_account_code(" 1 200 ") == "1200"
    assert is_valid_account_code("123456")
    assert not is_valid_account_code("12")
    with pytest.raises(InvalidAccountCodeError):
        validate_account_code("12ab")


def test_child_codes():
    assert is_child_code("1100", "1000")
    assert is_child_code("1110", "1100")
    assert not is_child_code("2100", "1000")
    assert not is_child_code("1000", "1000")


def test_chart_tree():
    chart = make_chart()
    assert [a.code for a in chart.children("1000")] == ["1100"]
    assert [a.code for a in chart.descendants("1000")] == ["1100", "1110"]
    assert [a.code for a in chart.ancestors("1110")] == ["1100", "1000"]
    assert chart.get("6100").type is AccountType.EXPENSE


def test_chart_lookup_errors():
    chart = make_chart()
    with pytest.raises(UnknownAccountError):
        chart.get("9000")
    with pytest.raises(ValueError):
        chart.add("1000", "Duplicate")
    with pytest.raises(UnknownAccountError):
        chart.add("1200", "Receivables", parent="1300")


def test_find_by_name_and_type():
    chart = make_chart()
    assert [a.code for a in chart.find_by_name("CASH")] == ["1100", "1110"]
    assert [a.code for a in chart.of_type(AccountType.EXPENSE)] == ["6000", "6100"]
    assert len(chart) == 7
