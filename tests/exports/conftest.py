"""Fixtures for the export jobs. The children, volunteer, pairing and activity fixtures live in sibling
conftests; pytest only sees a conftest's fixtures below its own folder, so they are imported here.

- ``private_storage`` (autouse): the default (private) storage in a temporary folder, so export files
  do not pile up in var/;
- ``county_a_and_b``: one record of every exported list in 离石区 (county A) and one in 榆次区 (county B),
  named so a test can tell them apart."""

from datetime import date
from types import SimpleNamespace

import pytest

from children import services as child_services
from tests.activities.conftest import record  # noqa: F401
from tests.children.conftest import child_lishi, child_yuci, make_child, new_id_number  # noqa: F401
from tests.pairing.conftest import START, mother_lishi, mother_yuci, pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def county_a_and_b(staff_lishi, staff_yuci, make_child, make_volunteer, pair, record):  # noqa: F811
    """A child, a caring mother, a pairing, an activity and a need in each county: 离石区's named 甲…,
    榆次区's named 乙… ."""
    a_number = new_id_number()
    child_a = make_child(staff_lishi, name="甲小雨", id_number=a_number)
    child_b = make_child(staff_yuci, name="乙小军", region_code="140702100000", gender="male",
                         birth_date=date(2013, 6, 1), id_number=new_id_number(region_code="140702100000",
                                                                              birth_date=date(2013, 6, 1),
                                                                              gender="male"))
    mother_a = make_volunteer(staff_lishi, name="甲桂英", phone="13900001111")
    mother_b = make_volunteer(staff_yuci, name="乙春梅", region_code="140702100000")
    pair(child_a, mother_a)
    pair(child_b, mother_b, actor=staff_yuci)
    record(staff_lishi, children=[child_a], occurred_on=date(2025, 4, 10), volunteer=mother_a.pk, title="甲探访")
    record(staff_yuci, children=[child_b], occurred_on=date(2025, 4, 11), volunteer=mother_b.pk, title="乙探访")
    child_services.need_create(actor=staff_lishi, child=child_a, kind="study", description="甲课外书",
                               opened_on=date(2025, 4, 1))
    child_services.need_create(actor=staff_yuci, child=child_b, kind="study", description="乙书包",
                               opened_on=date(2025, 4, 1))
    return SimpleNamespace(child_a=child_a, child_b=child_b, a_number=a_number, mother_a=mother_a,
                           mother_b=mother_b)
