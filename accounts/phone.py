"""Mainland China mobile numbers: 11 digits, ``1`` then ``3``-``9``."""

import re

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def is_valid_mobile(number: str) -> bool:
    """True for an 11-digit mainland mobile number (surrounding spaces ignored)."""
    return bool(MOBILE_RE.match((number or "").strip()))


def mask_mobile(number: str) -> str:
    """The first 3 and last 4 digits with the middle starred: ``138****5678``."""
    number = (number or "").strip()
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
