"""Fixtures for caring mothers (volunteers). Builds on the named actors in tests/conftest.py.

``make_volunteer(actor, region_code=..., **fields)`` registers a caring mother through
volunteers.services.volunteer_create with a unique valid mobile number; ``volunteer_mother_lishi``
is the Volunteer row behind the ``volunteer_lishi`` login (a volunteer user of 东关村)."""

import itertools
from datetime import date

import pytest

from accounts.models import Region
from tests.children.conftest import child_lishi, child_yuci, make_child  # noqa: F401
from volunteers import services

_phones = itertools.count(1)


def new_phone() -> str:
    """A valid mainland mobile number, unique within the test run."""
    return f"139{next(_phones):08d}"


@pytest.fixture
def make_volunteer(regions):
    """Register a caring mother through the real service: ``make_volunteer(actor, region_code=..., **fields)``."""

    def make(actor, *, region_code: str = "141102001200", **fields):
        values = {"name": "陈桂英", "joined_on": date(2024, 1, 1), **fields}
        values.setdefault("phone", new_phone())
        return services.volunteer_create(actor=actor, region=Region.objects.get(pk=region_code), **values)

    return make


@pytest.fixture
def volunteer_mother_lishi(make_volunteer, staff_lishi, volunteer_lishi):
    """The caring mother who logs in as ``volunteer_lishi`` (东关村, 离石区)."""
    volunteer = make_volunteer(staff_lishi, name=volunteer_lishi.name, phone=new_phone())
    volunteer.user = volunteer_lishi
    volunteer.save(update_fields=["user"])
    return volunteer
