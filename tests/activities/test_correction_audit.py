"""Correcting an activity (activities.services.activity_update over core.updates.model_update): the audit
row names each changed field with its old and new value (dates in ISO form, yuan as strings), only what
changed is saved and audited, and text is stripped like when it was recorded."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditAction, AuditEvent
from activities import services

pytestmark = pytest.mark.django_db

VISIT_DAY = date(2025, 4, 10)  # after the pairings of tests/pairing/conftest.py (START, 2025-03-01)


@pytest.fixture
def visit(record, volunteer_lishi, child_lishi, my_mother, pair):
    """A home visit to 王小雨 (离石区) by the caring mother behind ``volunteer_lishi``, long past the edit
    window: 1 person-time, 120.50 yuan of aid."""
    pair(child_lishi, my_mother)
    return record(volunteer_lishi, children=[child_lishi], occurred_on=VISIT_DAY, aid_value_yuan="120.50",
                  notes="书包破了")


def correction_audit(activity) -> AuditEvent:
    return AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(activity.pk))


def test_the_audit_has_the_old_and_new_value(staff_lishi, visit):
    services.activity_update(actor=staff_lishi, activity=visit, participants=2)
    assert correction_audit(visit).changes == {"participants": [1, 2]}


def test_a_corrected_date_is_audited_in_iso_form(staff_lishi, visit):
    services.activity_update(actor=staff_lishi, activity=visit, occurred_on=date(2025, 4, 9))
    assert correction_audit(visit).changes == {"occurred_on": ["2025-04-10", "2025-04-09"]}


def test_a_corrected_aid_value_is_audited_as_a_string(staff_lishi, visit):
    services.activity_update(actor=staff_lishi, activity=visit, aid_value_yuan=Decimal("80"))
    assert correction_audit(visit).changes == {"aid_value_yuan": ["120.50", "80.00"]}


def test_only_the_changed_fields_are_audited(staff_lishi, visit):
    services.activity_update(actor=staff_lishi, activity=visit, participants=2, notes="书包破了", kind="home_visit")
    assert correction_audit(visit).detail["fields"] == ["participants"]


def test_a_correction_that_changes_nothing_is_not_audited(staff_lishi, visit):
    services.activity_update(actor=staff_lishi, activity=visit, participants=1, aid_value_yuan="120.5")
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(visit.pk)).exists()


def test_a_correction_strips_the_text(staff_lishi, visit):
    services.activity_update(actor=staff_lishi, activity=visit, notes="  书包已补上  ")
    visit.refresh_from_db()
    assert visit.notes == "书包已补上"


def test_a_field_that_cannot_be_corrected_is_refused(staff_lishi, visit):
    with pytest.raises(ValidationError):
        services.activity_update(actor=staff_lishi, activity=visit, is_group=True)
    visit.refresh_from_db()
    assert visit.is_group is False
