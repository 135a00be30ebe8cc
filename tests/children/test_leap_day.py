"""A child born on 29 February: one rule for the age and the age-out date (children.models.add_years,
Child.age_on) — in a common year the birthday is 1 March."""

from datetime import date

from children.models import Child, add_years


def test_a_leap_day_plus_years_is_1_march_in_a_common_year():
    assert add_years(date(2012, 2, 29), 17) == date(2029, 3, 1)


def test_a_leap_day_plus_years_is_29_february_in_a_leap_year():
    assert add_years(date(2012, 2, 29), 16) == date(2028, 2, 29)


def test_the_age_turns_on_the_day_the_age_out_date_says():
    child = Child(birth_date=date(2008, 2, 29))
    turns_18 = add_years(child.birth_date, 18)
    assert (child.age_on(date(2026, 2, 28)), child.age_on(turns_18)) == (17, 18)
