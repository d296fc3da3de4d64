"""Account types and their accounting conventions."""

from __future__ import annotations

from enum import Enum


class AccountType(Enum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


DEBIT = "debit"
CREDIT = "credit"

_NORMAL_BALANCE = {
    AccountType.ASSET: DEBIT,
    AccountType.EXPENSE: DEBIT,
    AccountType.LIABILITY: CREDIT,
    AccountType.EQUITY: CREDIT,
    AccountType.INCOME: CREDIT,
}


def normal_side(account_type: AccountType) -> str:
    """Return ``"debit"`` or ``"credit"``: the side that increases the account."""
    return _NORMAL_BALANCE[account_type]


def sign_for(account_type: AccountType) -> int:
    """+1 for debit-normal accounts, -1 for credit-normal accounts.

    Multiplying a raw (debit-positive) balance by this sign yields the balance
    as it is usually presented on reports.
    """
    return 1 if normal_side(account_type) == DEBIT else -1


def is_balance_sheet(account_type: AccountType) -> bool:
    """Assets, liabilities and equity appear on the balance sheet."""
    return account_type in (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)


def is_profit_and_loss(account_type: AccountType) -> bool:
    return not is_balance_sheet(account_type)


def type_from_code(code: str) -> AccountType:
    """Infer the account type from the first digit of a standard account code.

    1xxx assets, 2xxx liabilities, 3xxx equity, 4xxx income and 5xxx-9xxx
    expenses (cost of sales, operating expenses, other expenses ...).
    """
    code = code.strip()
    if not code or not code[0].isdigit():
        raise ValueError(f"cannot infer account type from code {code!r}")
    first = code[0]
    if first == "1":
        return AccountType.ASSET
    if first == "2":
        return AccountType.LIABILITY
    if first == "3":
        return AccountType.EQUITY
    if first == "4":
        return AccountType.INCOME
    if first in "56789":
        return AccountType.EXPENSE
    raise ValueError(f"cannot infer account type from code {code!r}")


def parse_account_type(name: str) -> AccountType:
    """Parse a type name such as ``"Asset"`` or ``"expenses"``."""
    key = name.strip().lower().rstrip("s")
    for member in AccountType:
        if member.value == key:
            return member
    raise ValueError(f"unknown account type {name!r}")
