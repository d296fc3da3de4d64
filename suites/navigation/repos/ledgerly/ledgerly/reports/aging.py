"""Accounts-receivable aging report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Sequence

DEFAULT_BUCKETS: tuple[int, ...] = (30, 60, 90)


@dataclass(frozen=True)
class OpenInvoice:
    number: str
    customer: str
    due: date
    outstanding: Decimal


def days_overdue(due: date, as_of: date) -> int:
    """Days past the due date; zero or negative means not yet overdue."""
    return (as_of - due).days


def bucket_labels(buckets: Sequence[int] = DEFAULT_BUCKETS) -> list[str]:
    """``["current", "1-30", "31-60", "61-90", "90+"]`` for the default buckets."""
    labels = ["current"]
    lower = 1
    for upper in buckets:
        labels.append(f"{lower}-{upper}")
        lower = upper + 1
    labels.append(f"{buckets[-1]}+")
    return labels


def bucket_label(days: int, buckets: Sequence[int] = DEFAULT_BUCKETS) -> str:
    """Label of the bucket an invoice ``days`` overdue falls into.

    Bucket upper bounds are inclusive: 30 days overdue is still ``"1-30"``.
    """
    if list(buckets) != sorted(buckets) or not buckets:
        raise ValueError("buckets must be a non-empty ascending sequence")
    labels = bucket_labels(buckets)
    if days <= 0:
        return labels[0]
    for index, upper in enumerate(buckets):
        if days <= upper:
            return labels[index + 1]
    return labels[-1]


def aging_report(
    invoices: Iterable[OpenInvoice], as_of: date, buckets: Sequence[int] = DEFAULT_BUCKETS
) -> dict[str, Decimal]:
    """Total outstanding amount per aging bucket (every bucket present)."""
    report = {label: Decimal(0) for label in bucket_labels(buckets)}
    for invoice in invoices:
        if invoice.outstanding == 0:
            continue
        label = bucket_label(days_overdue(invoice.due, as_of), buckets)
        report[label] += invoice.outstanding
    return report


def aging_by_customer(
    invoices: Iterable[OpenInvoice], as_of: date, buckets: Sequence[int] = DEFAULT_BUCKETS
) -> dict[str, dict[str, Decimal]]:
    """Aging report broken down per customer, customers sorted by name."""
    grouped: dict[str, list[OpenInvoice]] = {}
    for invoice in invoices:
        grouped.setdefault(invoice.customer, []).append(invoice)
    return {name: aging_report(grouped[name], as_of, buckets) for name in sorted(grouped)}
