"""Months (core.months): ``YYYY-MM`` parsed to the month's first day, a month's bounds, and the day its
figures are taken on. Tests that depend on "today" take the ``today`` fixture and run on each of the
calendar's days (tests/clock.py): the pinned instant is 07:30 in Beijing, when the UTC date is still
the day before."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core import months


def refusal(value, **kwargs) -> dict:
    with pytest.raises(ValidationError) as refused:
        months.parse_month(value, **kwargs)
    return refused.value.message_dict


# --- parse_month ----------------------------------------------------------------------------------

def test_parse_month_gives_the_months_first_day():
    assert months.parse_month("2025-03") == date(2025, 3, 1)


def test_parse_month_strips_the_value():
    assert months.parse_month(" 2025-03\n") == date(2025, 3, 1)


@pytest.mark.parametrize("value", [
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
    pytest.param("2025-3", id="one-digit-month"),
    pytest.param("25-03", id="two-digit-year"),
    pytest.param("2025/03", id="slash"),
    pytest.param("202503", id="no-dash"),
    pytest.param("2025-03-01", id="a-day"),
    pytest.param("2025-00", id="month-0"),
    pytest.param("2025-13", id="month-13"),
    pytest.param("abcd-ef", id="letters"),
    pytest.param("2025-03\x00", id="nul-byte"),
])
def test_parse_month_refuses_a_malformed_month(value):
    assert list(refusal(value)) == ["month"]


def test_parse_month_says_how_to_write_a_month():
    with translation.override("en"):
        assert refusal("2025-3") == {"month": ["Enter the month as YYYY-MM, e.g. 2025-03."]}


def test_parse_month_refuses_a_month_before_2000():
    assert list(refusal("1999-12")) == ["month"]


def test_parse_month_accepts_january_2000():
    assert months.parse_month("2000-01") == date(2000, 1, 1)


def test_parse_month_keys_its_message_by_the_field_given():
    assert list(refusal("2025-3", field="from")) == ["from"]


def test_parse_month_refuses_next_month(today):
    assert list(refusal(months.label(months.next_month(today)))) == ["month"]


def test_parse_month_names_the_future_month_it_refuses(today):
    future = months.label(months.next_month(today))
    assert future in refusal(future)["month"][0]


def test_parse_month_keys_the_future_by_the_field_given(today):
    assert list(refusal(months.label(months.next_month(today)), field="to")) == ["to"]


def test_parse_month_accepts_the_current_month(today):
    assert months.parse_month(months.label(today)) == today.replace(day=1)


def test_parse_month_accepts_last_month(today):
    assert months.parse_month(months.label(today.replace(day=1) - timedelta(days=1))) < today.replace(day=1)


def test_parse_month_takes_the_future_from_the_day_given():
    assert list(refusal("2025-04", today=date(2025, 3, 31))) == ["month"]


# --- bounds and neighbours ------------------------------------------------------------------------

def test_bounds_of_february_in_a_leap_year_end_on_the_29th():
    assert months.bounds(date(2028, 2, 29)) == (date(2028, 2, 1), date(2028, 2, 29))


def test_bounds_of_february_in_a_common_year_end_on_the_28th():
    assert months.bounds(date(2027, 2, 10)) == (date(2027, 2, 1), date(2027, 2, 28))


def test_bounds_of_december_end_on_the_31st():
    assert months.bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_bounds_of_a_30_day_month_end_on_the_30th():
    assert months.bounds(date(2027, 4, 1)) == (date(2027, 4, 1), date(2027, 4, 30))


def test_the_month_after_december_is_next_january():
    assert months.next_month(date(2026, 12, 31)) == date(2027, 1, 1)


def test_the_month_before_january_is_last_december():
    assert months.previous_month(date(2027, 1, 31)) == date(2026, 12, 1)


def test_the_month_before_march_is_february_even_from_the_31st():
    assert months.previous_month(date(2028, 3, 31)) == date(2028, 2, 1)


def test_the_current_month_starts_on_the_first_of_today(today):
    assert months.current_month() == today.replace(day=1)


# --- as_of and is_current -------------------------------------------------------------------------

def test_the_current_months_figures_are_taken_today(today):
    assert months.as_of(today.replace(day=1)) == today


def test_a_past_months_figures_are_taken_on_its_last_day(today):
    last_month = months.previous_month(today)
    assert months.as_of(last_month) == today.replace(day=1) - timedelta(days=1)


def test_as_of_takes_today_from_the_day_given():
    assert months.as_of(date(2028, 2, 1), today=date(2028, 2, 10)) == date(2028, 2, 10)


def test_as_of_a_past_february_in_a_leap_year_is_the_29th():
    assert months.as_of(date(2028, 2, 1), today=date(2028, 3, 1)) == date(2028, 2, 29)


def test_the_month_of_today_is_current(today):
    assert months.is_current(today)


def test_the_first_of_this_month_is_current(today):
    assert months.is_current(today.replace(day=1))


def test_last_month_is_not_current(today):
    assert not months.is_current(months.previous_month(today))


def test_next_month_is_not_current(today):
    assert not months.is_current(months.next_month(today))


def test_is_current_takes_today_from_the_day_given():
    assert months.is_current(date(2026, 12, 1), today=date(2026, 12, 31))


# --- months_ending and label ----------------------------------------------------------------------

def test_months_ending_crosses_the_year_boundary_oldest_first():
    assert months.months_ending(date(2027, 2, 1), 4) == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1),
                                                         date(2027, 2, 1)]


def test_months_ending_starts_each_month_on_its_first_day():
    assert months.months_ending(date(2028, 3, 31), 2) == [date(2028, 2, 1), date(2028, 3, 1)]


def test_months_ending_a_year_gives_twelve_months():
    ending = months.months_ending(date(2026, 12, 31), 12)
    assert (len(ending), ending[0], ending[-1]) == (12, date(2026, 1, 1), date(2026, 12, 1))


def test_months_ending_one_month_is_that_month():
    assert months.months_ending(date(2027, 3, 15), 1) == [date(2027, 3, 1)]


def test_label_writes_the_month_as_year_dash_month():
    assert months.label(date(2027, 3, 1)) == "2027-03"


def test_label_ignores_the_day():
    assert months.label(date(2026, 12, 31)) == "2026-12"


def test_label_reads_back_through_parse_month():
    assert months.parse_month(months.label(date(2024, 2, 29))) == date(2024, 2, 1)
