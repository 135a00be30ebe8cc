"""Fixtures for urgent reports (紧急情况报告). The children, volunteer and pairing fixtures live in sibling
conftests; pytest only sees a conftest's fixtures below its own folder, so they are imported here.

Besides the shared actors (tests/conftest.py: ``staff_lishi`` and ``admin_lishi`` of county A 离石区,
``staff_yuci`` of county B 榆次区, ``viewer_lvliang`` the read-only leader of 吕梁市, ``volunteer_lishi``
the caring mother's login), named actors:

=================  =====  ==========================  ============================================
fixture            role   region                      in the story
=================  =====  ==========================  ============================================
``staff_binhe``    staff  滨河街道 (township of A)     the child's township: told of a new alert
``staff_lvliang``  staff  吕梁市                       the child's city: told when it is escalated
``admin_lvliang``  admin  吕梁市                       likewise
``other_mother``   vol.   东关村                       another caring mother, with her own child
=================  =====  ==========================  ============================================

``child`` is 王小雨 of 东关村 (a village of 滨河街道, 离石区), paired with ``my_mother`` (the caring mother
behind ``volunteer_lishi``). ``report(actor, **fields)`` reports through alerts.services and returns
the Alert.
"""

import uuid
from datetime import date

import pytest

from accounts.roles import Role
from alerts import services
from tests.children.conftest import child_lishi, child_yuci, make_child  # noqa: F401
from tests.factories import UserFactory
from tests.pairing.conftest import pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401

OCCURRED = date(2027, 3, 14)  # the day before the pinned day (2027-03-15)


@pytest.fixture
def my_mother(volunteer_mother_lishi):  # noqa: F811
    return volunteer_mother_lishi


@pytest.fixture
def child(child_lishi, my_mother, pair):  # noqa: F811
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def staff_binhe(regions):
    return UserFactory(username="staff_binhe", name="周燕", role=Role.STAFF, region=regions.lishi_township)


@pytest.fixture
def staff_lvliang(regions):
    return UserFactory(username="staff_lvliang", name="孙梅", role=Role.STAFF, region=regions.lvliang)


@pytest.fixture
def admin_lvliang(regions):
    return UserFactory(username="admin_lvliang", name="钱丽", role=Role.ADMIN, region=regions.lvliang)


@pytest.fixture
def other_mother(make_volunteer, staff_lishi, make_child, pair, regions):  # noqa: F811
    """Another caring mother's login, paired with a child of her own (``other_mother.child``)."""
    login = UserFactory(username="volunteer_other", name="吴春花", role=Role.VOLUNTEER, region=regions.lishi_village)
    volunteer = make_volunteer(staff_lishi, name="吴春花")
    volunteer.user = login
    volunteer.save(update_fields=["user"])
    login.child = make_child(staff_lishi, name="赵小草")
    pair(login.child, volunteer)
    return login


@pytest.fixture
def report():
    """``report(actor, child=…, kind="injury", description=…, occurred_on=OCCURRED, id=None)`` → the Alert."""

    def make(actor, *, child, kind: str = "injury", description: str = "从树上摔下，手臂疼痛",
             occurred_on: date = OCCURRED, id=None):
        alert, _created = services.alert_report(actor=actor, id=id or uuid.uuid4(), child=child, kind=kind,
                                                description=description, occurred_on=occurred_on)
        return alert

    return make
