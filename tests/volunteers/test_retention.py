"""Retention for caring mothers who left (volunteers.retention): her mobile number and work unit go
RETENTION_YEARS_AFTER_EXIT after she left; her name and her history stay."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent, User
from children.tasks import anonymise_due_records
from volunteers import retention
from volunteers import services as volunteer_services
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

LEFT = date(2024, 1, 10)  # due on 2027-01-10; the suite's today is 2027-03-15


@pytest.fixture(autouse=True)
def _three_years(settings):
    settings.RETENTION_YEARS_AFTER_EXIT = 3


def leave(volunteer, actor, *, on: date = LEFT) -> Volunteer:
    volunteer_services.volunteer_set_status(actor=actor, volunteer=volunteer, status="inactive", effective_on=on,
                                            reason="外出务工")
    return Volunteer.objects.get(pk=volunteer.pk)


@pytest.fixture
def left_mother(make_volunteer, staff_lishi):
    return leave(make_volunteer(staff_lishi, name="刘秀兰", joined_on=date(2023, 1, 1), employer="东关小学",
                                phone="13912345678"), staff_lishi)


def run_task() -> dict:
    return anonymise_due_records.apply().get()


def test_her_phone_and_employer_are_cleared(left_mother):
    assert run_task()["volunteers"] == 1
    mother = Volunteer.objects.get(pk=left_mother.pk)
    assert (mother.phone, mother.employer, mother.anonymised) == ("", "", True)


def test_her_name_is_kept(left_mother):
    run_task()
    assert Volunteer.objects.get(pk=left_mother.pk).name == "刘秀兰"


def test_her_login_phone_is_cleared(volunteer_mother_lishi, staff_lishi):
    User.objects.filter(pk=volunteer_mother_lishi.user_id).update(phone="13912345678")
    leave(volunteer_mother_lishi, staff_lishi)
    run_task()
    assert User.objects.get(pk=volunteer_mother_lishi.user_id).phone == ""


def test_two_anonymised_mothers_may_both_have_no_phone(left_mother, make_volunteer, staff_lishi):
    leave(make_volunteer(staff_lishi, name="赵春梅", joined_on=date(2023, 1, 1)), staff_lishi)
    assert run_task()["volunteers"] == 2
    assert Volunteer.objects.filter(phone="").count() == 2


def test_an_active_mother_is_kept(make_volunteer, staff_lishi):
    mother = make_volunteer(staff_lishi, joined_on=date(2020, 1, 1))
    run_task()
    assert Volunteer.objects.get(pk=mother.pk).phone == mother.phone


def test_a_mother_who_left_recently_is_kept(make_volunteer, staff_lishi):
    mother = leave(make_volunteer(staff_lishi, joined_on=date(2023, 1, 1)), staff_lishi, on=date(2024, 3, 16))
    run_task()
    assert Volunteer.objects.get(pk=mother.pk).anonymised_at is None


def test_re_running_anonymises_her_once(left_mother):
    run_task()
    assert run_task()["volunteers"] == 0
    assert AuditEvent.objects.filter(target_id=str(left_mother.pk), target_type="volunteers.volunteer",
                                     detail__retention="anonymised").count() == 1


def test_the_audit_names_the_fields_not_the_values(left_mother):
    run_task()
    event = AuditEvent.objects.get(target_id=str(left_mother.pk), target_type="volunteers.volunteer",
                                   detail__retention="anonymised")
    assert set(event.changes) == {"phone", "employer"}
    assert "13912345678" not in str(event.changes) and "东关小学" not in str(event.changes)


def test_a_held_mother_is_kept(left_mother, staff_lishi):
    retention.volunteer_retention_hold(actor=staff_lishi, volunteer=left_mother, reason="劳动争议诉讼")
    assert run_task()["volunteers"] == 0


def test_an_anonymised_mother_is_not_reactivated(left_mother, staff_lishi):
    run_task()
    with pytest.raises(ValidationError) as caught:
        volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=left_mother, status="active",
                                                effective_on=date(2027, 3, 1))
    assert "status" in caught.value.message_dict


def test_staff_of_another_county_get_404_on_her_hold(client, staff_yuci, left_mother):
    client.force_login(staff_yuci)
    response = client.post(reverse("volunteers:retention-hold", args=[left_mother.pk]), {"reason": "劳动争议诉讼"})
    assert response.status_code == 404
    assert Volunteer.objects.get(pk=left_mother.pk).retention_hold_reason == ""


def test_the_release_button_ends_the_hold(client, staff_lishi, left_mother):
    retention.volunteer_retention_hold(actor=staff_lishi, volunteer=left_mother, reason="劳动争议诉讼")
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:retention-release", args=[left_mother.pk]))
    assert response.status_code == 302
    assert Volunteer.objects.get(pk=left_mother.pk).retention_hold_reason == ""
