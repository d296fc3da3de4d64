"""Validation and normalisation of account codes."""

from __future__ import annotations

import re

_CODE_RE = re.compile(r"^\d{4,6}$")


class InvalidAccountCodeError(ValueError):
    """Raised for malformed account codes."""


def normalize_account_code(code: str) -> str:
    """Remove separators commonly typed by users: ``"10-00"`` -> ``"1000"``."""
    return re.sub(r"[\s.\-_]", "", str(code))


def validate_account_code(code: str) -> str:
    """Return the normalised code or raise :class:`InvalidAccountCodeError`."""
    normalized = normalize_account_code(code)
    if not _CODE_RE.match(normalized):
        raise InvalidAccountCodeError(f"account codes must have 4-6 digits: {code!r}")
    return normalized


def is_valid_account_code(code: str) -> bool:
    try:
        validate_account_code(code)
    except InvalidAccountCodeError:
        return False
    return True


def is_child_code(child: str, parent: str) -> bool:
    """A child code must extend its parent's significant prefix.

    Trailing zeros of the parent are not significant: ``1100`` is a child of
    ``1000`` and ``1110`` is a child of ``1100``.
    """
    child = validate_account_code(child)
    parent = validate_account_code(parent)
    if child == parent:
        return False
    prefix = parent.rstrip("0") or parent[0]
    return child.startswith(prefix)
