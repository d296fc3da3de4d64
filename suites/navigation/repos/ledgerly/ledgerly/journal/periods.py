"""Fiscal years, quarters and monthly accounting periods."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class FiscalPeriod:
    label: str
    start: date
    end: date

    def contains(self, when: date) -> bool:
        return self.start <= when <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _check_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise ValueError("start_month must be in 1..12")


def month_end(when: date) -> date:
    """Last day of the month containing ``when``."""
    return date(when.year, when.month, calendar.monthrange(when.year, when.month)[1])


def add_months(when: date, months: int) -> date:
    """Shift ``when`` by ``months``, clamping the day to the target month."""
    index = when.year * 12 + (when.month - 1) + months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def fiscal_year_for(when: date, start_month: int = 1) -> int:
    """The fiscal year containing ``when``.

    A fiscal year is named after the calendar year in which it *ends*: with a
    July start, 2023-07-01 .. 2024-06-30 is fiscal year 2024.
    """
    _check_month(start_month)
    if start_month == 1:
        return when.year
    return when.year + 1 if when.month >= start_month else when.year


def fiscal_year_start(fiscal_year: int, start_month: int = 1) -> date:
    _check_month(start_month)
    return date(fiscal_year if start_month == 1 else fiscal_year - 1, start_month, 1)


def quarter_for(when: date, start_month: int = 1) -> int:
    """Fiscal quarter (1-4) of ``when``."""
    _check_month(start_month)
    offset = (when.month - start_month) % 12
    return offset // 3 + 1


def monthly_periods(fiscal_year: int, start_month: int = 1) -> list[FiscalPeriod]:
    """The twelve monthly periods of a fiscal year, labelled ``FY2024-P01`` etc."""
    first = fiscal_year_start(fiscal_year, start_month)
    periods = []
    for i in range(12):
        start = add_months(first, i)
        periods.append(FiscalPeriod(f"FY{fiscal_year}-P{i + 1:02d}", start, month_end(start)))
    return periods


def period_for(when: date, start_month: int = 1) -> FiscalPeriod:
    """The monthly period containing ``when``."""
    for period in monthly_periods(fiscal_year_for(when, start_month), start_month):
        if period.contains(when):
            return period
    raise AssertionError("unreachable: every date belongs to a period")
