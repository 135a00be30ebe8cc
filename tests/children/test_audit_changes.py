"""What the audit log records of a change to a child: ``changes`` ({field: [old, new]}) next to the
existing ``detail``; ID numbers only masked, guardians only as "changed"."""

from datetime import date

import pytest

from accounts.models import AuditAction, AuditEvent, Region
from children import services
from tests.children.conftest import new_id_number

pytestmark = pytest.mark.django_db

TOWNSHIP_LISHI = "141102001000"


def last_event(child, action=AuditAction.UPDATE) -> AuditEvent:
    return AuditEvent.objects.filter(action=action, target_id=str(child.pk)).latest("id")


def test_update_records_the_old_and_new_value_of_a_changed_field(staff_lishi, child_lishi):
    services.child_update(actor=staff_lishi, child=child_lishi, school="  信义中学 ", grade="")
    event = last_event(child_lishi)
    assert event.changes == {"school": ["", "信义中学"]}
    assert event.detail == {"fields": ["school"]}


def test_update_records_dates_as_iso_dates(staff_lishi, child_lishi):
    number = new_id_number(birth_date=date(2015, 3, 9))
    services.child_update(actor=staff_lishi, child=child_lishi, birth_date=date(2015, 3, 9), id_number=number)
    assert last_event(child_lishi).changes["birth_date"] == ["2015-03-08", "2015-03-09"]


def test_update_records_a_corrected_id_number_only_masked(staff_lishi, child_lishi):
    old_masked, old_number = child_lishi.id_number_masked, child_lishi.reveal_id_number()
    number = new_id_number(birth_date=date(2015, 3, 8))
    services.child_update(actor=staff_lishi, child=child_lishi, id_number=number)
    event = last_event(child_lishi)
    assert event.changes == {"id_number": [old_masked, "*" * 14 + number[-4:]]}
    assert number not in str(event.changes) and old_number not in str(event.changes)


def test_update_records_categories_and_kinds_of_difficulty_as_sorted_lists(staff_lishi, child_lishi):
    services.child_update(actor=staff_lishi, child=child_lishi, categories=["orphan", "in_difficulty"],
                          difficulty_types=["poverty", "disability"])
    event = last_event(child_lishi)
    assert event.changes == {"categories": [["left_behind"], ["in_difficulty", "orphan"]],
                             "difficulty_types": [[], ["disability", "poverty"]]}
    assert event.detail == {"fields": ["categories"]}


def test_update_records_only_that_the_guardians_changed(staff_lishi, child_lishi):
    services.child_update(actor=staff_lishi, child=child_lishi,
                          guardians=[services.GuardianData(name="王秀英", relation="外祖母", phone="13935800009")])
    event = last_event(child_lishi)
    assert event.changes == {"guardians": [None, "changed"]}
    assert "王秀英" not in str(event.changes) and "13935800009" not in str(event.changes)


def test_update_without_a_change_records_nothing(staff_lishi, child_lishi):
    before = AuditEvent.objects.count()
    services.child_update(actor=staff_lishi, child=child_lishi, name=child_lishi.name, school="")
    assert AuditEvent.objects.count() == before


def test_status_change_records_the_old_and_new_status(staff_lishi, child_lishi):
    services.child_change_status(actor=staff_lishi, child=child_lishi, to_status="suspended",
                                 effective_on=date(2025, 1, 10))
    event = last_event(child_lishi, AuditAction.STATUS)
    assert event.changes == {"status": ["active", "suspended"]}
    assert (event.detail["from"], event.detail["to"]) == ("active", "suspended")


def test_transfer_records_the_old_and_new_region(staff_lishi, child_lishi):
    old = child_lishi.region_id
    services.child_transfer(actor=staff_lishi, child=child_lishi, to_region=Region.objects.get(pk=TOWNSHIP_LISHI),
                            effective_on=date(2025, 1, 10))
    event = last_event(child_lishi)
    assert event.changes == {"region": [old, TOWNSHIP_LISHI]}
    assert (event.detail["transfer_from"], event.detail["transfer_to"]) == (old, TOWNSHIP_LISHI)


def test_assessment_records_the_new_colour_and_review_date(staff_lishi, child_lishi):
    services.child_assess(actor=staff_lishi, child=child_lishi, color="red", reasons=["safety"],
                          assessed_on=date(2025, 1, 10), next_review_on=date(2025, 2, 10))
    event = last_event(child_lishi, AuditAction.ASSESS)
    assert event.changes == {"risk_color": ["", "red"], "next_review_on": [None, "2025-02-10"]}
    assert event.detail == {"color": "red", "on": "2025-01-10"}
