"""Fixtures for pairings. The children and volunteer fixtures live in sibling conftests; pytest
only sees a conftest's fixtures below its own folder, so they are imported here."""

from datetime import date

import pytest

from pairing import services
from pairing.models import PairingRole
from tests.children.conftest import child_lishi, child_yuci, make_child  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401

START = date(2025, 3, 1)


@pytest.fixture
def mother_lishi(make_volunteer, staff_lishi):  # noqa: F811
    """An active caring mother of 东关村 (离石区) with the default capacity of 3."""
    return make_volunteer(staff_lishi, name="刘秀兰")


@pytest.fixture
def mother_yuci(make_volunteer, staff_yuci):  # noqa: F811
    """A caring mother of 修文镇 (榆次区), outside 离石区 staff's scope."""
    return make_volunteer(staff_yuci, name="赵春梅", region_code="140702100000")


@pytest.fixture
def pair(staff_lishi):
    """``pair(child, volunteer, role="lead", actor=staff_lishi, started_on=START)`` through the service."""

    def make(child, volunteer, role: str = PairingRole.LEAD, *, actor=None, started_on: date = START):
        return services.pairing_create(actor=actor or staff_lishi, child=child, volunteer=volunteer, role=role,
                                       started_on=started_on)

    return make
