"""Fixtures for the statistics and the monthly reports. The children, volunteer, pairing and activity
fixtures live in sibling conftests; pytest only sees a conftest's fixtures below its own folder, so
they are imported here.

- ``lishi_month``: a small May 2025 — two children of 离石区 (named, with ID numbers) paired with one
  caring mother, a child of 榆次区 paired with another; three activities in the month (one on its last
  day, one with 350.50 yuan of aid), one on June 1st. Returns a namespace with the children, their ID
  numbers, the caring mothers and the activities, so tests can check what a report must contain
  (figures) and must never contain (names, ID numbers);
- ``private_storage``: the default (private) storage in a temporary folder.
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.activities.conftest import record  # noqa: F401
from tests.children.conftest import child_lishi, child_yuci, make_child, new_id_number  # noqa: F401
from tests.pairing.conftest import START, mother_lishi, mother_yuci, pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401


@pytest.fixture
def lishi_month(staff_lishi, staff_yuci, make_child, mother_lishi, mother_yuci, pair, record):  # noqa: F811
    """离石区 (and one 榆次区 child) with pairings from START and activities in May 2025."""
    ids = [new_id_number(), new_id_number(birth_date=date(2014, 9, 2), gender="male"),
           new_id_number(region_code="140702100000", birth_date=date(2013, 6, 1), gender="male")]
    girl = make_child(staff_lishi, name="王小雨", id_number=ids[0])
    boy = make_child(staff_lishi, name="刘子墨", gender="male", birth_date=date(2014, 9, 2), id_number=ids[1])
    far = make_child(staff_yuci, name="张小军", region_code="140702100000", gender="male",
                     birth_date=date(2013, 6, 1), categories=["orphan"], id_number=ids[2])
    pair(girl, mother_lishi)
    pair(boy, mother_lishi)
    pair(far, mother_yuci, actor=staff_yuci)
    activities = [
        record(staff_lishi, children=[girl], occurred_on=date(2025, 5, 3), volunteer=mother_lishi.pk,
               kind="home_visit", participants=1),
        record(staff_lishi, children=[boy], occurred_on=date(2025, 5, 31), volunteer=mother_lishi.pk,
               kind="material_aid", participants=2, aid_value_yuan=Decimal("350.50")),
        record(staff_yuci, children=[far], occurred_on=date(2025, 5, 20), volunteer=mother_yuci.pk,
               kind="call", participants=1),
        record(staff_lishi, children=[girl], occurred_on=date(2025, 6, 1), volunteer=mother_lishi.pk,
               kind="call", participants=1),
    ]
    return SimpleNamespace(children=[girl, boy, far], id_numbers=ids, mothers=[mother_lishi, mother_yuci],
                           activities=activities)


@pytest.fixture
def private_storage(settings, tmp_path):
    """The default (private) storage in a temporary folder, so report files do not pile up in var/."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path
