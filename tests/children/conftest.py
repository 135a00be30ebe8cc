"""Fixtures for the children ledger. Builds on the named actors in tests/conftest.py."""

import itertools
from datetime import date

import pytest

from accounts import idcard
from accounts.models import Region
from children import services

_sequence = itertools.count(100)


def new_id_number(*, region_code: str = "141102000000", birth_date: date = date(2015, 3, 8), gender: str = "female") -> str:
    """A valid 身份证号, unique within the test run."""
    return idcard.generate(region_code6=region_code[:6], birth_date=birth_date, sex=gender,
                           sequence=next(_sequence) % 1000)


@pytest.fixture
def make_child(regions):
    """Register a child through the real service: ``make_child(actor, region_code=..., **fields)``."""

    def make(actor, *, region_code: str = "141102001200", **fields):
        birth_date = fields.pop("birth_date", date(2015, 3, 8))
        gender = fields.pop("gender", "female")
        values = {
            "name": "李小花",
            "categories": ["left_behind"],
            "entered_on": date(2024, 9, 1),
            "guardians": [services.GuardianData(name="李大山", relation="祖父", phone="13935800001")],
            **fields,
        }
        values.setdefault("id_number", new_id_number(region_code=region_code, birth_date=birth_date, gender=gender))
        return services.child_create(actor=actor, birth_date=birth_date, gender=gender,
                                     region=Region.objects.get(pk=region_code), **values)

    return make


@pytest.fixture
def child_lishi(make_child, staff_lishi):
    """A left-behind girl in a village of 离石区, registered by staff_lishi."""
    return make_child(staff_lishi, name="王小雨")


@pytest.fixture
def child_yuci(make_child, staff_yuci):
    """A child in 榆次区, outside 离石区 staff's scope."""
    return make_child(staff_yuci, name="张小军", region_code="140702100000", gender="male",
                      birth_date=date(2013, 6, 1), categories=["orphan"])


def give_consent(child, *scopes: str, actor=None):
    """A guardian's verbal consent for ``child`` (to ``scopes``; by default keeping her information and
    photos), given today, through the real service (casework.consents)."""
    from django.utils import timezone

    from casework.consents import consent_record

    return consent_record(actor=actor or child.created_by, child=child, given_by="王大山", relation="祖父",
                          given_on=timezone.localdate(), scopes=list(scopes) or ["processing", "photos"],
                          method="verbal", witness="李敏")
