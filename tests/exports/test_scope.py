"""Every list's export holds only the rows its requester sees: 离石区's staff (county A) get county A's
records, 榆次区's staff (county B) county B's, a province administrator both — whatever the filters
ask for (a region outside one's area filters down to nothing, it does not widen the scope)."""

import pytest

from children import services
from exports.kinds import KINDS as REGISTERED
from tests.exports.helpers import exported_sheet, records

pytestmark = pytest.mark.django_db

# The column of each list's export that names the record (甲… in county A, 乙… in county B).
NAME_COLUMN = {"children": "姓名", "activities": "标题", "volunteers": "姓名", "pairings": "儿童", "needs": "儿童"}
KINDS = list(NAME_COLUMN)


def exported_names(client, user, kind, **params) -> list[str]:
    client.force_login(user)
    return sorted(r[NAME_COLUMN[kind]] for r in records(exported_sheet(client, kind, **params)))


def test_every_list_can_be_exported():
    # audit: tests/exports/test_audit_export.py; access_copy (one child's): tests/exports/test_access_copy.py.
    assert sorted(REGISTERED) == sorted([*KINDS, "audit", "access_copy"])


@pytest.mark.parametrize("kind", KINDS)
def test_county_a_staff_export_only_county_a(client, staff_lishi, county_a_and_b, kind):
    names = exported_names(client, staff_lishi, kind)
    assert names and all(name.startswith("甲") for name in names), names


@pytest.mark.parametrize("kind", KINDS)
def test_county_b_staff_export_only_county_b(client, staff_yuci, county_a_and_b, kind):
    names = exported_names(client, staff_yuci, kind)
    assert names and all(name.startswith("乙") for name in names), names


@pytest.mark.parametrize("kind", KINDS)
def test_a_province_administrator_exports_both_counties(client, admin_province, county_a_and_b, kind):
    names = exported_names(client, admin_province, kind)
    assert {name[0] for name in names} == {"甲", "乙"}


@pytest.mark.parametrize("kind", KINDS)
def test_asking_for_the_other_county_exports_nothing(client, staff_lishi, county_a_and_b, kind):
    assert exported_names(client, staff_lishi, kind, region="140702000000") == []


def test_the_export_follows_the_lists_filter(client, staff_lishi, county_a_and_b, make_child):
    make_child(staff_lishi, name="甲孤儿", categories=["orphan"])
    assert exported_names(client, staff_lishi, "children", category="orphan") == ["甲孤儿"]


def test_the_needs_export_leaves_out_finished_needs_as_the_page_does(client, staff_lishi, county_a_and_b):
    need = county_a_and_b.child_a.needs.get()
    services.need_transition(actor=staff_lishi, need=need, to_status="cancelled", note="不需要了")
    assert exported_names(client, staff_lishi, "needs") == []


def test_the_needs_export_shows_finished_needs_when_asked(client, staff_lishi, county_a_and_b):
    need = county_a_and_b.child_a.needs.get()
    services.need_transition(actor=staff_lishi, need=need, to_status="cancelled", note="不需要了")
    assert exported_names(client, staff_lishi, "needs", status="cancelled") == ["甲小雨"]
