"""The chart of accounts: a tree of accounts keyed by code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from ledgerly.accounts.types import AccountType, type_from_code
from ledgerly.accounts.validation import validate_account_code


class UnknownAccountError(KeyError):
    """Raised when an account code is not in the chart."""


@dataclass
class Account:
    code: str
    name: str
    type: AccountType
    parent: Optional[str] = None

    @property
    def is_top_level(self) -> bool:
        return self.parent is None


class ChartOfAccounts:
    """A collection of accounts organised as a tree."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}

    def add(
        self,
        code: str,
        name: str,
        type: Optional[AccountType] = None,
        parent: Optional[str] = None,
    ) -> Account:
        code = validate_account_code(code)
        if code in self._accounts:
            raise ValueError(f"duplicate account code {code}")
        if parent is not None:
            parent = validate_account_code(parent)
            if parent not in self._accounts:
                raise UnknownAccountError(parent)
        account_type = type if type is not None else type_from_code(code)
        account = Account(code, name, account_type, parent)
        self._accounts[code] = account
        return account

    def get(self, code: str) -> Account:
        try:
            return self._accounts[validate_account_code(code)]
        except KeyError:
            raise UnknownAccountError(code) from None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._accounts

    def __iter__(self) -> Iterator[Account]:
        return iter(sorted(self._accounts.values(), key=lambda a: a.code))

    def __len__(self) -> int:
        return len(self._accounts)

    def children(self, code: str) -> list[Account]:
        """Direct children of ``code`` sorted by code."""
        code = self.get(code).code
        return [a for a in self if a.parent == code]

    def descendants(self, code: str) -> list[Account]:
        """All accounts below ``code`` (depth-first, sorted by code per level)."""
        result: list[Account] = []
        for child in self.children(code):
            result.append(child)
            result.extend(self.descendants(child.code))
        return result

    def ancestors(self, code: str) -> list[Account]:
        """Parents of ``code`` from the closest up to the top-level account."""
        result: list[Account] = []
        current = self.get(code)
        while current.parent is not None:
            current = self._accounts[current.parent]
            result.append(current)
        return result

    def find_by_name(self, fragment: str) -> list[Account]:
        """Case-insensitive substring search on account names."""
        needle = fragment.casefold()
        return [a for a in self if needle in a.name.casefold()]

    def of_type(self, account_type: AccountType) -> list[Account]:
        return [a for a in self if a.type is account_type]
