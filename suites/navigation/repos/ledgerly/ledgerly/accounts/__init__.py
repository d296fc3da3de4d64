"""Chart of accounts, account types and account-code validation."""

from ledgerly.accounts.chart import Account, ChartOfAccounts
from ledgerly.accounts.types import AccountType

__all__ = ["Account", "ChartOfAccounts", "AccountType"]
