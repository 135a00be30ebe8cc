"""Fixtures for monthly submissions. The children, volunteer, pairing and activity fixtures live in
sibling conftests; pytest only sees a conftest's fixtures below its own folder, so they are imported here.

Besides the shared actors (tests/conftest.py: ``staff_lishi`` and ``admin_lishi`` of county A 离石区,
``staff_yuci`` of county B 榆次区, ``viewer_lvliang`` the read-only leader of 吕梁市), named actors:

====================  =====  ==========================  ==============================================
fixture               role   region                      in the story
====================  =====  ==========================  ==============================================
``staff_binhe``       staff  滨河街道 (township of A)     writes and sends the township's submission
``leader_binhe``      viewer 滨河街道                     the township's leader: its 审核人
``staff_lianhua``     staff  莲花池街道 (2nd township)     the other township of 离石区
``leader_lianhua``    viewer 莲花池街道                   its 审核人
``staff_lvliang``     staff  吕梁市                       the level above 离石区
====================  =====  ==========================  ==============================================

``MONTH`` is February 2027, ended on the pinned day (2027-03-15). ``ledger`` puts a paired child in each
township of 离石区 with a visit in February. ``send(actor, region, reviewer)`` writes and sends a
submission through the services.
"""

from datetime import date
from types import SimpleNamespace

import pytest

from accounts.roles import Role
from submissions import services
from tests.activities.conftest import record  # noqa: F401
from tests.children.conftest import make_child  # noqa: F401
from tests.factories import RegionFactory, UserFactory
from tests.pairing.conftest import mother_lishi, pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer  # noqa: F401

MONTH = date(2027, 2, 1)
LIANHUA = "141102002000"  # 莲花池街道, a second township of 离石区
LIANHUA_VILLAGE = "141102002201"
BINHE_VILLAGE = "141102001200"  # 东关村
SECTIONS = {"work_done": "入户探访 12 次，发放助学物资。", "problems": "部分爱心妈妈外出务工。",
            "next_steps": "组织一次心理辅导培训。"}


@pytest.fixture
def lianhua(regions):
    township = RegionFactory(code=LIANHUA, name="莲花池街道")
    RegionFactory(code=LIANHUA_VILLAGE, name="龙凤村")
    return township


@pytest.fixture
def staff_binhe(regions):
    return UserFactory(username="staff_binhe", name="孙丽", role=Role.STAFF, region=regions.lishi_township,
                       phone="13900000011")


@pytest.fixture
def leader_binhe(regions):
    return UserFactory(username="leader_binhe", name="周红", role=Role.VIEWER, region=regions.lishi_township)


@pytest.fixture
def staff_lianhua(lianhua):
    return UserFactory(username="staff_lianhua", name="吴芳", role=Role.STAFF, region=lianhua)


@pytest.fixture
def leader_lianhua(lianhua):
    return UserFactory(username="leader_lianhua", name="郑敏", role=Role.VIEWER, region=lianhua)


@pytest.fixture
def staff_lvliang(regions):
    return UserFactory(username="staff_lvliang", name="冯静", role=Role.STAFF, region=regions.lvliang)


@pytest.fixture
def ledger(lianhua, staff_lishi, make_child, make_volunteer, pair, record):  # noqa: F811
    """A paired child in each township of 离石区, each visited once in February 2027."""
    binhe_child = make_child(staff_lishi, name="王小雨", region_code=BINHE_VILLAGE)
    lianhua_child = make_child(staff_lishi, name="刘子墨", region_code=LIANHUA_VILLAGE, gender="male")
    binhe_mother = make_volunteer(staff_lishi, name="刘秀兰", region_code=BINHE_VILLAGE)
    lianhua_mother = make_volunteer(staff_lishi, name="王翠花", region_code=LIANHUA_VILLAGE)
    pair(binhe_child, binhe_mother)
    pair(lianhua_child, lianhua_mother)
    record(staff_lishi, children=[binhe_child], occurred_on=date(2027, 2, 10), volunteer=binhe_mother.pk)
    record(staff_lishi, children=[lianhua_child], occurred_on=date(2027, 2, 11), volunteer=lianhua_mother.pk)
    return SimpleNamespace(binhe_child=binhe_child, lianhua_child=lianhua_child, binhe_mother=binhe_mother,
                           lianhua_mother=lianhua_mother)


def write(actor, region, reviewer, *, month=MONTH, **fields):
    """The draft of ``region``'s month, written in full by ``actor`` with ``reviewer`` as 审核人."""
    submission, _created = services.submission_get_or_create_draft(actor=actor, region=region, month=month)
    values = {**SECTIONS, "contact_phone": "0358-8221234", "reviewed_by": reviewer, **fields}
    return services.submission_update(actor=actor, submission=submission, **values)


@pytest.fixture
def send():
    """``send(actor, region, reviewer, month=MONTH)``: write the draft in full and send it up."""

    def make(actor, region, reviewer, *, month=MONTH, **fields):
        submission = write(actor, region, reviewer, month=month, **fields)
        return services.submission_submit(actor=actor, submission=submission)

    return make
