"""volunteers.services.volunteer_create_login: THE rule for opening a caring mother's login (the roster
page, volunteer_create's ``login=`` and the users API call it), and its audit event on her record."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, User
from volunteers import services
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

PASSWORD = "Lx7#mother2025"
TOWNSHIP_YUCI = "140702100000"


def refused(field: str, call, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert field in caught.value.message_dict, caught.value.message_dict
    return caught.value


def her_events(volunteer: Volunteer):
    return AuditEvent.objects.filter(target_type="volunteers.volunteer", target_id=str(volunteer.pk))


@pytest.fixture
def mother(make_volunteer, staff_lishi):
    return make_volunteer(staff_lishi, name="刘秀兰")


@pytest.fixture
def mother_yuci(make_volunteer, staff_yuci):
    return make_volunteer(staff_yuci, name="赵春梅", region_code=TOWNSHIP_YUCI)


def test_staff_opening_a_login_for_a_mother_of_another_county_is_refused_naming_her(staff_lishi, mother_yuci):
    refused("volunteer", services.volunteer_create_login, actor=staff_lishi, volunteer=mother_yuci,
            username="zhao_chunmei", password=PASSWORD)


def test_staff_opening_a_login_for_a_mother_of_another_county_writes_nothing(staff_lishi, mother_yuci):
    with pytest.raises(ValidationError):
        services.volunteer_create_login(actor=staff_lishi, volunteer=mother_yuci, username="zhao_chunmei",
                                        password=PASSWORD)
    assert not User.objects.filter(username="zhao_chunmei").exists()
    assert Volunteer.objects.get(pk=mother_yuci.pk).user_id is None
    assert not her_events(mother_yuci).filter(action=AuditAction.UPDATE).exists()


def test_an_unknown_id_is_refused_naming_the_volunteer(staff_lishi, regions):
    refused("volunteer", services.volunteer_create_login, actor=staff_lishi, volunteer=999999,
            username="nobody", password=PASSWORD)


def test_the_login_may_be_opened_by_her_id(staff_lishi, mother):
    user = services.volunteer_create_login(actor=staff_lishi, volunteer=mother.pk, username="liu_xiulan",
                                           password=PASSWORD)
    assert Volunteer.objects.get(pk=mother.pk).user == user


def test_a_region_other_than_hers_is_refused_naming_the_region(staff_lishi, mother, regions):
    error = refused("region", services.volunteer_create_login, actor=staff_lishi, volunteer=mother,
                    username="liu_xiulan", password=PASSWORD, region_code=regions.lishi.code)
    assert mother.region_id in error.message_dict["region"][0]
    assert not User.objects.filter(username="liu_xiulan").exists()


def test_her_own_region_code_is_accepted(staff_lishi, mother):
    user = services.volunteer_create_login(actor=staff_lishi, volunteer=mother, username="liu_xiulan",
                                           password=PASSWORD, region_code=mother.region_id)
    assert user.region_id == mother.region_id


def test_opening_a_login_is_audited_on_her_record_with_the_login_name(staff_lishi, mother):
    services.volunteer_create_login(actor=staff_lishi, volunteer=mother, username="liu_xiulan", password=PASSWORD)
    [event] = her_events(mother).filter(action=AuditAction.UPDATE)
    assert (event.actor, event.changes, event.region_code) == (staff_lishi, {"user": [None, "liu_xiulan"]},
                                                               mother.region_id)


def test_a_refused_login_leaves_no_audit_event(staff_lishi, mother):
    with pytest.raises(ValidationError):
        services.volunteer_create_login(actor=staff_lishi, volunteer=mother, username="liu_xiulan", password="123")
    assert not her_events(mother).exists()


def test_registering_her_with_a_login_audits_the_login(staff_lishi, regions):
    volunteer = services.volunteer_create(actor=staff_lishi, name="刘秀兰", phone="13935809876",
                                          region=regions.lishi_village,
                                          login=services.LoginData(username="liu_xiulan", password=PASSWORD))
    [event] = her_events(volunteer).filter(action=AuditAction.UPDATE)
    assert event.changes == {"user": [None, "liu_xiulan"]}


def test_the_roster_page_opens_her_login_through_the_service(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:create-login", args=[mother.pk]),
                           {"username": "liu_xiulan", "password": PASSWORD})
    assert response.status_code == 302
    [event] = her_events(mother).filter(action=AuditAction.UPDATE)
    assert event.changes == {"user": [None, "liu_xiulan"]}
