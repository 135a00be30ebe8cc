"""Every privilege change is audited by its service, in its transaction, with the old and new values:
users created, changed, deactivated and reactivated, passwords set, regions added and imported.
A refused change writes no event."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import AuditAction, AuditEvent
from tests.factories import LISHI, LISHI_TOWNSHIP, PASSWORD, YUCI

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Kx9!pl2mQ"


def events(action=None) -> list[AuditEvent]:
    """The events about users and regions (the ``regions`` fixture's own import aside), oldest first."""
    found = AuditEvent.objects.filter(target_type__in=["accounts.user", "accounts.region"]).exclude(
        action=AuditAction.IMPORT, actor=None)
    return list((found.filter(action=action) if action else found).order_by("id"))


def the_event(action) -> AuditEvent:
    (event,) = events(action)
    return event


def create(actor, **overrides):
    values = {"username": "ls_new", "password": GOOD_PASSWORD, "role": "staff", "region": None, "name": "刘芳",
              "phone": "13935800011"}
    return services.user_create(actor=actor, **{**values, **overrides})


# --- user_create ----------------------------------------------------------------------------------

def test_creating_a_user_records_who_what_and_where(admin_lishi, regions):
    user = create(admin_lishi, region=regions.lishi_township)
    event = the_event(AuditAction.CREATE)
    assert (event.actor, event.target_type, event.target_id, event.region_code) == (
        admin_lishi, "accounts.user", str(user.pk), LISHI_TOWNSHIP)


def test_creating_a_user_records_role_region_name_and_username_from_nothing(admin_lishi, regions):
    create(admin_lishi, region=regions.lishi_township)
    assert the_event(AuditAction.CREATE).changes == {
        "username": [None, "ls_new"], "name": [None, "刘芳"], "role": [None, "staff"], "region": [None, LISHI_TOWNSHIP],
    }


def test_the_creation_event_holds_no_password_or_hash(admin_lishi, regions):
    user = create(admin_lishi, region=regions.lishi)
    event = the_event(AuditAction.CREATE)
    written = json.dumps([event.changes, event.detail], ensure_ascii=False)
    assert GOOD_PASSWORD not in written and user.password not in written


def test_a_refused_creation_writes_no_event(admin_lishi, regions):
    with pytest.raises(ValidationError):
        create(admin_lishi, region=regions.yuci)
    assert events() == []


def test_a_creation_refused_to_staff_writes_no_event(staff_lishi, regions):
    with pytest.raises(PermissionDenied):
        create(staff_lishi, region=regions.lishi)
    assert events() == []


# --- user_update ----------------------------------------------------------------------------------

def test_a_role_change_records_the_old_and_new_role(admin_lishi, staff_lishi):
    services.user_update(actor=admin_lishi, user=staff_lishi, role="admin")
    event = the_event(AuditAction.UPDATE)
    assert (event.actor, event.target_id, event.changes) == (admin_lishi, str(staff_lishi.pk),
                                                             {"role": ["staff", "admin"]})


def test_a_move_records_the_region_codes(admin_lishi, staff_lishi, regions):
    services.user_update(actor=admin_lishi, user=staff_lishi, region=regions.lishi_township)
    assert the_event(AuditAction.UPDATE).changes == {"region": [LISHI, LISHI_TOWNSHIP]}


def test_the_update_event_lies_in_the_users_region(admin_province, staff_lishi, regions):
    services.user_update(actor=admin_province, user=staff_lishi, region=regions.yuci)
    assert the_event(AuditAction.UPDATE).region_code == YUCI


def test_an_update_records_only_the_fields_that_changed(admin_lishi, staff_lishi):
    services.user_update(actor=admin_lishi, user=staff_lishi, role="staff", name=" 李敏敏 ", phone="")
    assert the_event(AuditAction.UPDATE).changes == {"name": ["李敏", "李敏敏"]}


def test_an_update_that_changes_nothing_writes_no_event(admin_lishi, staff_lishi, regions):
    services.user_update(actor=admin_lishi, user=staff_lishi, role="staff", region=regions.lishi, name="李敏")
    assert events() == []


def test_a_refused_role_change_writes_no_event(admin_lishi):
    with pytest.raises(ValidationError):
        services.user_update(actor=admin_lishi, user=admin_lishi, role="staff")
    assert events() == []


def test_a_refused_move_writes_no_event_and_leaves_the_user(admin_lishi, staff_lishi, regions):
    with pytest.raises(ValidationError):
        services.user_update(actor=admin_lishi, user=staff_lishi, region=regions.yuci, name="改名")
    staff_lishi.refresh_from_db()
    assert (events(), staff_lishi.region_id, staff_lishi.name) == ([], LISHI, "李敏")


def test_an_update_refused_to_staff_writes_no_event(staff_lishi, volunteer_lishi):
    with pytest.raises(PermissionDenied):
        services.user_update(actor=staff_lishi, user=volunteer_lishi, name="改名")
    assert events() == []


# --- user_deactivate / user_reactivate ------------------------------------------------------------

def test_deactivating_records_the_login_going_inactive(admin_lishi, staff_lishi):
    services.user_deactivate(actor=admin_lishi, user=staff_lishi)
    event = the_event(AuditAction.DEACTIVATE)
    assert (event.actor, event.target_id, event.region_code, event.changes) == (
        admin_lishi, str(staff_lishi.pk), LISHI, {"is_active": [True, False]})


def test_deactivating_an_inactive_login_again_writes_no_second_event(admin_lishi, staff_lishi):
    services.user_deactivate(actor=admin_lishi, user=staff_lishi)
    services.user_deactivate(actor=admin_lishi, user=staff_lishi)
    assert len(events(AuditAction.DEACTIVATE)) == 1


def test_a_refused_deactivation_writes_no_event(admin_lishi):
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=admin_lishi, user=admin_lishi)
    assert events() == []


def test_reactivating_records_the_login_coming_back(admin_lishi, staff_lishi):
    services.user_deactivate(actor=admin_lishi, user=staff_lishi)
    services.user_reactivate(actor=admin_lishi, user=staff_lishi)
    event = the_event(AuditAction.REACTIVATE)
    assert (event.actor, event.target_id, event.changes) == (admin_lishi, str(staff_lishi.pk),
                                                             {"is_active": [False, True]})


def test_a_reactivation_refused_to_staff_writes_no_event(admin_lishi, staff_lishi, volunteer_lishi):
    services.user_deactivate(actor=admin_lishi, user=volunteer_lishi)
    with pytest.raises(PermissionDenied):
        services.user_reactivate(actor=staff_lishi, user=volunteer_lishi)
    assert events(AuditAction.REACTIVATE) == []


# --- user_set_password ----------------------------------------------------------------------------

def test_an_admin_setting_a_password_is_recorded_without_values(admin_lishi, staff_lishi):
    services.user_set_password(actor=admin_lishi, user=staff_lishi, password="Nw8#tq4Lz")
    event = the_event(AuditAction.PASSWORD)
    assert (event.actor, event.target_id, event.region_code, event.changes, event.detail) == (
        admin_lishi, str(staff_lishi.pk), LISHI, {}, {})


def test_a_user_setting_their_own_password_is_recorded(staff_lishi):
    services.user_set_password(actor=staff_lishi, user=staff_lishi, password="Nw8#tq4Lz")
    event = the_event(AuditAction.PASSWORD)
    assert (event.actor, event.target_id) == (staff_lishi, str(staff_lishi.pk))


def test_a_refused_password_writes_no_event(admin_lishi, staff_lishi):
    with pytest.raises(ValidationError):
        services.user_set_password(actor=admin_lishi, user=staff_lishi, password="12345678")
    assert events() == []


def test_staff_may_not_set_anothers_password(staff_lishi, volunteer_lishi):
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=staff_lishi, user=volunteer_lishi, password="Nw8#tq4Lz")
    volunteer_lishi.refresh_from_db()
    assert (events(), volunteer_lishi.check_password(PASSWORD)) == ([], True)


# --- regions --------------------------------------------------------------------------------------

def test_adding_a_village_records_its_code_name_and_parent(admin_lishi, regions):
    services.region_create(actor=admin_lishi, code="141102001201", name="王家坡村")
    event = the_event(AuditAction.CREATE)
    assert (event.actor, event.target_type, event.target_id, event.region_code, event.changes) == (
        admin_lishi, "accounts.region", "141102001201", "141102001201",
        {"code": [None, "141102001201"], "name": [None, "王家坡村"], "parent": [None, LISHI_TOWNSHIP]})


def test_a_refused_village_writes_no_event(admin_lishi, regions):
    with pytest.raises(ValidationError):
        services.region_create(actor=admin_lishi, code="140702100001", name="榆次的村")
    assert events() == []


def test_the_command_import_records_one_event_with_its_counts(regions):
    services.regions_import(rows=[("141102001201", "王家坡村"), ("141102001000", "莲花池街道")])
    (event,) = AuditEvent.objects.filter(action=AuditAction.IMPORT).order_by("-id")[:1]
    assert (event.actor, event.target_type, event.region_code, event.detail) == (
        None, "accounts.region", "", {"rows": 2, "created": 1, "updated": 1})


def test_an_import_that_changes_nothing_writes_no_event(regions):
    before = AuditEvent.objects.count()
    services.regions_import(rows=[("141102001000", "滨河街道")])
    assert AuditEvent.objects.count() == before


def test_an_admins_import_is_recorded_in_their_region(admin_lishi, regions):
    services.regions_import(rows=[("141102001201", "王家坡村")], actor=admin_lishi)
    event = AuditEvent.objects.get(action=AuditAction.IMPORT, actor=admin_lishi)
    assert (event.region_code, event.detail) == (LISHI, {"rows": 1, "created": 1, "updated": 0})


def test_an_admin_may_not_import_outside_their_area(admin_lishi, regions):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.regions_import(rows=[("140702100001", "榆次的村")], actor=admin_lishi)
    assert AuditEvent.objects.count() == before


def test_staff_may_not_import_regions(staff_lishi, regions):
    with pytest.raises(PermissionDenied):
        services.regions_import(rows=[("141102001201", "王家坡村")], actor=staff_lishi)


# --- the Django admin site goes through the services ----------------------------------------------

def test_the_admin_sites_password_page_sets_it_through_the_service(client, admin_lishi, staff_lishi):
    Token.objects.create(user=staff_lishi)
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:auth_user_password_change", args=[staff_lishi.pk]),
                           {"password1": "Nw8#tq4Lz", "password2": "Nw8#tq4Lz"})
    assert response.status_code == 302
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password("Nw8#tq4Lz")
    assert (the_event(AuditAction.PASSWORD).actor, Token.objects.filter(user=staff_lishi).exists()) == (
        admin_lishi, False)


def test_the_admin_sites_password_page_refuses_a_mismatch(client, admin_lishi, staff_lishi):
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:auth_user_password_change", args=[staff_lishi.pk]),
                           {"password1": "Nw8#tq4Lz", "password2": "Nw8#tq4Lx"})
    assert response.status_code == 200
    staff_lishi.refresh_from_db()
    assert (staff_lishi.check_password(PASSWORD), events()) == (True, [])


def test_a_name_changed_on_the_admin_site_is_saved_and_recorded(client, admin_lishi, staff_lishi):
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:accounts_user_change", args=[staff_lishi.pk]),
                           {"name": "李敏敏", "phone": "", "role": "staff", "region": LISHI})
    assert response.status_code == 302, response.content.decode()[:2000]
    staff_lishi.refresh_from_db()
    assert (staff_lishi.name, the_event(AuditAction.UPDATE).changes) == ("李敏敏", {"name": ["李敏", "李敏敏"]})
