"""A share — so many of so many — and its rate (core.shares.Share)."""

import pytest

from core.shares import Share


def test_the_rate_is_part_over_whole():
    assert Share(1, 4).rate == 0.25


def test_the_rate_of_nothing_is_none():
    assert Share(0, 0).rate is None


def test_the_percent_of_nothing_is_none():
    assert Share(0, 0).percent is None


def test_the_rate_of_none_of_some_is_zero():
    assert (Share(0, 5).rate, Share(0, 5).percent) == (0, 0)


@pytest.mark.parametrize(("part", "whole", "percent"), [
    (1, 3, 33.3),
    (2, 3, 66.7),
    (1, 7, 14.3),
    (5, 6, 83.3),
    (1, 8, 12.5),
    (3, 3, 100.0),
])
def test_the_percent_is_rounded_to_one_decimal(part, whole, percent):
    assert Share(part, whole).percent == percent


def test_the_rest_is_whole_minus_part():
    assert Share(2, 7).rest == 5


def test_a_share_of_all_is_full():
    assert Share(4, 4).full


def test_a_share_of_less_than_all_is_not_full():
    assert not Share(3, 4).full


def test_a_share_of_nothing_is_not_full():
    assert not Share(0, 0).full


def test_the_sum_adds_parts_and_wholes():
    assert Share.sum([Share(1, 2), Share(3, 5), Share(0, 4)]) == Share(4, 11)


def test_the_sum_of_no_shares_is_nothing():
    assert Share.sum([]) == Share(0, 0)


def test_the_sum_reads_a_generator_once():
    assert Share.sum(Share(n, 2 * n) for n in (1, 2, 3)) == Share(6, 12)


def test_an_empty_share_is_nothing_of_nothing():
    assert Share() == Share(0, 0)
