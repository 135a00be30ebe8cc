"""The 18-character resident identity number (居民身份证号码, GB 11643-1999).

Layout: ``AAAAAA YYYYMMDD SSS C``

- ``AAAAAA``: the address code of the county where the number was issued (its first two digits
  are the province);
- ``YYYYMMDD``: the birth date;
- ``SSS``: the order code; its last digit (the 17th character) is odd for a man, even for a woman;
- ``C``: the ISO 7064 MOD 11-2 check character, ``0``-``9`` or ``X``.

:func:`validate` checks all of that and returns what the number says; :func:`generate` makes a
valid number (demo data, tests); :func:`mask` is the form shown to people who may not see it all.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

LENGTH = 18
FORMAT_RE = re.compile(r"^\d{17}[\dX]$")
# First two digits of every province-level unit (GB/T 2260), including 71 台湾, 81 香港, 82 澳门.
PROVINCE_CODES = frozenset(
    [str(n) for n in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
                      *range(61, 66), 71, 81, 82)]
)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
MALE, FEMALE = "male", "female"
# generate() spends the last order digit on the sex, so one place and day has 500 numbers per sex.
SEQUENCES_PER_SEX = 500


class IdCardError(ValueError):
    """An invalid ID number. ``str(error)`` is a message for the user; ``code`` names the check that failed:
    ``required``, ``format``, ``province``, ``birth_date`` or ``checksum``."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class IdCardInfo:
    number: str  # normalised: upper-case X
    birth_date: date
    sex: str  # "male" or "female"
    region_code6: str  # the issuing county's address code


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(number: str) -> str:
    return (number or "").strip().upper()


def validate(number: str, *, today: date | None = None) -> IdCardInfo:
    """Check an ID number; return what it encodes or raise :class:`IdCardError` naming the first fault.

    ``today`` (default: the local date) bounds the birth date from above.
    """
    number = normalize(number)
    if not number:
        raise IdCardError(_("Enter the ID number."), code="required")
    if not FORMAT_RE.match(number):
        raise IdCardError(_("An ID number is 18 characters: 17 digits, then a digit or X."), code="format")
    if number[:2] not in PROVINCE_CODES:
        raise IdCardError(_("The ID number starts with %(code)s, which is not a province code.")
                          % {"code": number[:2]}, code="province")
    birth_date = _birth_date(number[6:14], today=today or timezone.localdate())
    if check_char(number[:17]) != number[17]:
        raise IdCardError(_("The check digit of the ID number is wrong."), code="checksum")
    return IdCardInfo(number=number, birth_date=birth_date, sex=_sex(number[16]), region_code6=number[:6])


def _birth_date(digits: str, *, today: date) -> date:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdCardError(_("The birth date in the ID number (%(digits)s) is not a real date.")
                          % {"digits": digits}, code="birth_date") from None
    if born > today:
        raise IdCardError(_("The birth date in the ID number (%(date)s) is in the future.")
                          % {"date": born.isoformat()}, code="birth_date")
    if born < EARLIEST_BIRTH_DATE:
        raise IdCardError(_("The birth date in the ID number (%(date)s) is before 1900.")
                          % {"date": born.isoformat()}, code="birth_date")
    return born


def _sex(digit: str) -> str:
    return MALE if int(digit) % 2 else FEMALE


def generate(*, region_code6: str, birth_date: date, sex: str, sequence: int) -> str:
    """A valid number for the ``sequence``-th person of ``sex`` registered in that county on that day.

    The order code is ``2 * sequence`` (+1 for a man), so distinct sequences below
    :data:`SEQUENCES_PER_SEX` give distinct numbers; larger ones wrap around.
    """
    if not (len(region_code6) == 6 and region_code6.isdigit() and region_code6[:2] in PROVINCE_CODES):
        raise ValueError(f"{region_code6!r} is not a 6-digit address code of a province.")
    if sex not in (MALE, FEMALE):
        raise ValueError(f"sex must be {MALE!r} or {FEMALE!r}, not {sex!r}.")
    if sequence < 0:
        raise ValueError("sequence must not be negative.")
    order = 2 * (sequence % SEQUENCES_PER_SEX) + (1 if sex == MALE else 0)
    first17 = f"{region_code6}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)


def mask(number: str) -> str:
    """The first 3 and last 4 characters, the rest starred, keeping the length: ``141***********1234``."""
    number = normalize(number)
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
