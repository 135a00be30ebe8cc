"""accounts.idcard: validating, generating and masking 18-character 身份证号 (GB 11643)."""

from datetime import date

import pytest
from django.utils import translation

from accounts import idcard

# Check characters of these were worked out by hand with the ISO 7064 MOD 11-2 recursion.
STANDARD_EXAMPLE = "11010519491231002X"  # 北京市朝阳区, 1949-12-31, female
LISHI_GIRL = "141102201503080024"  # 离石区, 2015-03-08, female
YUCI_BOY = "140702201006151233"  # 榆次区, 2010-06-15, male


def with_check_char(first17: str) -> str:
    return first17 + idcard.check_char(first17)


def failure_code(number: str, **kwargs) -> str:
    with pytest.raises(idcard.IdCardError) as caught:
        idcard.validate(number, **kwargs)
    return caught.value.code


def test_the_standard_example_is_valid_and_decoded():
    info = idcard.validate(STANDARD_EXAMPLE)
    assert info == idcard.IdCardInfo(number=STANDARD_EXAMPLE, birth_date=date(1949, 12, 31), sex="female",
                                     region_code6="110105")


@pytest.mark.parametrize(("number", "birth_date", "sex"), [
    (LISHI_GIRL, date(2015, 3, 8), "female"),
    (YUCI_BOY, date(2010, 6, 15), "male"),
    ("510107198708025710", date(1987, 8, 2), "male"),
])
def test_hand_checked_numbers_are_valid(number, birth_date, sex):
    info = idcard.validate(number)
    assert (info.birth_date, info.sex, info.region_code6) == (birth_date, sex, number[:6])


def test_a_lowercase_x_and_surrounding_spaces_are_normalised():
    assert idcard.validate(" 11010519491231002x ").number == STANDARD_EXAMPLE


@pytest.mark.parametrize("sex", ["male", "female"])
def test_generated_numbers_validate_and_say_what_was_asked(sex):
    number = idcard.generate(region_code6="141102", birth_date=date(2016, 2, 29), sex=sex, sequence=17)
    info = idcard.validate(number)
    assert (info.region_code6, info.birth_date, info.sex) == ("141102", date(2016, 2, 29), sex)


def test_distinct_sequences_give_distinct_numbers():
    numbers = {idcard.generate(region_code6="140702", birth_date=date(2012, 1, 1), sex="female", sequence=n)
               for n in range(idcard.SEQUENCES_PER_SEX)}
    assert len(numbers) == idcard.SEQUENCES_PER_SEX


def test_generate_refuses_an_address_code_outside_any_province():
    with pytest.raises(ValueError):
        idcard.generate(region_code6="991102", birth_date=date(2012, 1, 1), sex="male", sequence=1)


def test_an_empty_number_is_required():
    assert failure_code("  ") == "required"


@pytest.mark.parametrize("number", ["1411022015030800", "1411022015030800245", "14110220150308002Y", "14110A201503080024"])
def test_a_number_that_is_not_17_digits_and_a_digit_or_x_is_malformed(number):
    assert failure_code(number) == "format"


def test_a_number_outside_every_province_is_rejected():
    assert failure_code(with_check_char("19110220150308002")) == "province"


def test_an_impossible_birth_date_is_rejected():
    assert failure_code(with_check_char("14110220150230002")) == "birth_date"


def test_a_birth_date_in_the_future_is_rejected():
    assert failure_code(LISHI_GIRL, today=date(2015, 3, 7)) == "birth_date"


def test_a_birth_date_today_is_accepted():
    assert idcard.validate(LISHI_GIRL, today=date(2015, 3, 8)).birth_date == date(2015, 3, 8)


def test_a_birth_date_before_1900_is_rejected():
    # The example in GB 11643 itself: a correct check digit, born 1880.
    assert failure_code("440524188001010014") == "birth_date"


def test_a_wrong_check_digit_is_rejected():
    assert failure_code("110105194912310021") == "checksum"


def test_the_error_is_a_value_error_with_a_readable_message():
    with translation.override("en"), pytest.raises(ValueError, match="The check digit of the ID number is wrong."):
        idcard.validate("110105194912310021")


def test_mask_shows_the_first_three_and_last_four_characters():
    assert idcard.mask("141102201503081234") == "141***********1234"


def test_mask_keeps_the_length_and_upper_cases_x():
    masked = idcard.mask("11010519491231002x")
    assert (len(masked), masked[-4:]) == (18, "002X")
