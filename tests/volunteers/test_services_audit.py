"""The audit trail of a caring mother's record: volunteer_update (old and new values; mobile numbers
masked; team, station and region by id and code) and volunteer_set_status (old and new status)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from volunteers import services
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def her_events(volunteer: Volunteer, action: str):
    return AuditEvent.objects.filter(target_type="volunteers.volunteer", target_id=str(volunteer.pk), action=action)


@pytest.fixture
def mother(make_volunteer, staff_lishi):
    return make_volunteer(staff_lishi, name="刘秀兰", phone="13935809876", employer="东关小学")


# --- volunteer_update -----------------------------------------------------------------------------

def test_update_audits_what_changed_old_and_new(staff_lishi, mother):
    services.volunteer_update(actor=staff_lishi, volunteer=mother, employer="离石区人民法院", capacity=5)
    [event] = her_events(mother, AuditAction.UPDATE)
    assert (event.actor, event.changes) == (staff_lishi, {"employer": ["东关小学", "离石区人民法院"],
                                                          "capacity": [3, 5]})


def test_update_audits_mobile_numbers_masked(staff_lishi, mother):
    services.volunteer_update(actor=staff_lishi, volunteer=mother, phone="13835801234")
    [event] = her_events(mother, AuditAction.UPDATE)
    assert event.changes == {"phone": ["139****9876", "138****1234"]}


def test_update_audits_team_and_station_by_id(staff_lishi, mother, regions):
    team = services.team_create(actor=staff_lishi, name="城北巾帼志愿服务队", region=regions.lishi)
    station = services.station_create(actor=staff_lishi, name="东关村爱心妈妈工作站", region=regions.lishi_village)
    services.volunteer_update(actor=staff_lishi, volunteer=mother, team=team, station=station)
    [event] = her_events(mother, AuditAction.UPDATE)
    assert event.changes == {"team": [None, team.pk], "station": [None, station.pk]}


def test_update_audits_the_region_by_code(staff_lishi, mother, regions):
    services.volunteer_update(actor=staff_lishi, volunteer=mother, region=regions.lishi_township)
    [event] = her_events(mother, AuditAction.UPDATE)
    assert (event.changes, event.region_code) == ({"region": [regions.lishi_village.code, regions.lishi_township.code]},
                                                  regions.lishi_township.code)


def test_update_audits_skills_and_sector(staff_lishi, mother):
    services.volunteer_update(actor=staff_lishi, volunteer=mother, sector="teacher", skills=["legal", "tutoring"])
    [event] = her_events(mother, AuditAction.UPDATE)
    assert event.changes == {"sector": ["other", "teacher"], "skill_legal": [False, True],
                             "skill_tutoring": [False, True]}


def test_update_changing_nothing_writes_no_audit_event(staff_lishi, mother):
    services.volunteer_update(actor=staff_lishi, volunteer=mother, name=" 刘秀兰 ", employer="东关小学", capacity=3)
    assert not her_events(mother, AuditAction.UPDATE).exists()


def test_refused_update_writes_no_audit_event(staff_lishi, mother):
    with pytest.raises(ValidationError):
        services.volunteer_update(actor=staff_lishi, volunteer=mother, employer="离石区人民法院", capacity=0)
    assert not her_events(mother, AuditAction.UPDATE).exists()


def test_update_refuses_a_field_it_does_not_change(staff_lishi, mother):
    with pytest.raises(ValidationError):
        services.volunteer_update(actor=staff_lishi, volunteer=mother, status="inactive")
    assert Volunteer.objects.get(pk=mother.pk).status == "active"


def test_the_edit_page_audits_through_the_service(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:edit", args=[mother.pk]), {
        "name": "刘秀兰", "phone": mother.phone, "region": mother.region_id, "sector": "other",
        "employer": "离石区人民法院", "capacity": "3", "notes": ""})
    assert response.status_code == 302
    [event] = her_events(mother, AuditAction.UPDATE)
    assert event.changes == {"employer": ["东关小学", "离石区人民法院"]}


def test_the_api_update_audits_through_the_service(api_client_for, staff_lishi, mother):
    response = api_client_for(staff_lishi).patch(f"/api/v1/volunteers/{mother.pk}/", {"capacity": 4}, format="json")
    assert response.status_code == 200, response.content.decode()
    [event] = her_events(mother, AuditAction.UPDATE)
    assert event.changes == {"capacity": [3, 4]}


# --- volunteer_set_status -------------------------------------------------------------------------

def test_deactivation_is_audited_with_the_old_and_new_status(staff_lishi, mother, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive", effective_on=today,
                                  reason="工作调动")
    [event] = her_events(mother, AuditAction.STATUS)
    assert (event.actor, event.changes, event.detail) == (
        staff_lishi, {"status": ["active", "inactive"]}, {"on": today.isoformat(), "reason": "工作调动"})


def test_reactivation_is_audited_with_the_old_and_new_status(staff_lishi, mother, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive", effective_on=today,
                                  reason="工作调动")
    services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="active", effective_on=today)
    event = her_events(mother, AuditAction.STATUS).order_by("id").last()
    assert event.changes == {"status": ["inactive", "active"]}


def test_deactivation_audits_her_login_switched_off(staff_lishi, volunteer_mother_lishi, volunteer_lishi, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=volunteer_mother_lishi, status="inactive",
                                  effective_on=today, reason="退出")
    [event] = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(volunteer_lishi.pk),
                                        action=AuditAction.DEACTIVATE)
    assert (event.actor, event.changes, event.region_code) == (staff_lishi, {"is_active": [True, False]},
                                                               volunteer_lishi.region_id)


def test_reactivation_audits_her_login_switched_on(staff_lishi, volunteer_mother_lishi, volunteer_lishi, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=volunteer_mother_lishi, status="inactive",
                                  effective_on=today, reason="退出")
    services.volunteer_set_status(actor=staff_lishi, volunteer=volunteer_mother_lishi, status="active",
                                  effective_on=today)
    events = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(volunteer_lishi.pk),
                                       action__in=[AuditAction.DEACTIVATE, AuditAction.REACTIVATE])
    assert list(events.order_by("id").values_list("action", flat=True)) == [AuditAction.DEACTIVATE,
                                                                            AuditAction.REACTIVATE]


def test_refused_status_change_writes_no_audit_event(staff_lishi, mother, today):
    with pytest.raises(ValidationError):
        services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive", effective_on=today,
                                      reason=" ")
    assert not her_events(mother, AuditAction.STATUS).exists()
