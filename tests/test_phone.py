"""accounts.phone: mainland mobile numbers."""

import pytest

from accounts.phone import is_valid_mobile, mask_mobile


@pytest.mark.parametrize("number", ["13912345678", "15835800001", "18734561234", "19912345678", " 13012345678 "])
def test_mainland_mobile_numbers_are_valid(number):
    assert is_valid_mobile(number)


@pytest.mark.parametrize("number", ["", "1391234567", "139123456789", "12912345678", "23912345678",
                                    "1391234567a", "0358-8221234", "+8613912345678"])
def test_other_strings_are_not_mobile_numbers(number):
    assert not is_valid_mobile(number)


def test_mask_shows_the_first_three_and_last_four_digits():
    assert mask_mobile("13812345678") == "138****5678"


def test_mask_hides_a_short_string_entirely():
    assert mask_mobile("12345") == "*****"
