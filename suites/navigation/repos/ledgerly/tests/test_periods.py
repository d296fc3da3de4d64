from datetime import date

import pytest

from ledgerly.journal.periods import (
    add_months,
    fiscal_year_for,
    fiscal_year_start,
    month_end,
    monthly_periods,
    period_for,
    quarter_for,
)


def test_month_end_and_add_months():
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)


def test_fiscal_year_calendar_and_july_start():
    assert fiscal_year_for(date(2024, 5, 1)) == 2024
    assert fiscal_year_for(date(2023, 9, 15), start_month=7) == 2024
    assert fiscal_year_for(date(2024, 3, 15), start_month=7) == 2024
    assert fiscal_year_start(2024, 7) == date(2023, 7, 1)
    with pytest.raises(ValueError):
        fiscal_year_for(date(2024, 1, 1), start_month=13)


def test_quarters():
    assert quarter_for(date(2024, 2, 1)) == 1
    assert quarter_for(date(2024, 12, 1)) == 4
    assert quarter_for(date(2024, 9, 1), start_month=7) == 1
    assert quarter_for(date(2024, 6, 1), start_month=7) == 4


def test_monthly_periods():
    periods = monthly_periods(2024, 4)
    assert len(periods) == 12
    assert periods[0].start == date(2023, 4, 1)
    assert periods[-1].end == date(2024, 3, 31)
    assert periods[10].label == "FY2024-P11"
    assert period_for(date(2024, 2, 14)).label == "FY2024-P02"
    assert period_for(date(2024, 2, 14)).days == 29
