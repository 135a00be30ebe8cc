"""accounts.services: creating, changing and deactivating users, within the actor's scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import User

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Kx9!pl2mQ"


def create(actor, **overrides):
    values = {"username": "new_user", "password": GOOD_PASSWORD, "role": "staff", "region": None, "name": "刘芳"}
    values.update(overrides)
    return services.user_create(actor=actor, **values)


# --- user_create ----------------------------------------------------------------------------------

def test_admin_creates_a_user_inside_their_county(admin_lishi, regions):
    user = create(admin_lishi, region=regions.lishi_township)
    user.refresh_from_db()
    assert (user.role, user.region_id, user.created_by_id) == ("staff", "141102001000", admin_lishi.pk)
    assert user.check_password(GOOD_PASSWORD)


def test_created_admin_may_use_the_django_admin_and_others_may_not(admin_lishi, regions):
    new_admin = create(admin_lishi, username="new_admin", role="admin", region=regions.lishi)
    new_staff = create(admin_lishi, username="new_staff", role="staff", region=regions.lishi)
    assert (new_admin.is_staff, new_staff.is_staff) == (True, False)


def test_created_user_is_never_a_superuser(admin_lishi, regions):
    assert not create(admin_lishi, role="admin", region=regions.lishi).is_superuser


def test_create_outside_the_admins_subtree_is_refused_naming_region(admin_lishi, regions):
    before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        create(admin_lishi, region=regions.yuci)
    assert "region" in caught.value.message_dict
    assert User.objects.count() == before


def test_create_in_an_ancestor_of_the_admins_region_is_refused(admin_lishi, regions):
    before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        create(admin_lishi, region=regions.lvliang)
    assert "region" in caught.value.message_dict
    assert User.objects.count() == before


def test_create_without_a_region_is_refused_naming_region(superuser, regions):
    with pytest.raises(ValidationError) as caught:
        create(superuser, region=None)
    assert "region" in caught.value.message_dict


@pytest.mark.parametrize("actor_fixture", ["staff_lishi", "viewer_lvliang", "volunteer_lishi"])
def test_only_administrators_create_users(request, actor_fixture, regions):
    actor = request.getfixturevalue(actor_fixture)
    before = User.objects.count()
    with pytest.raises(PermissionDenied):
        create(actor, region=regions.lishi_village)
    assert User.objects.count() == before


def test_deactivated_admin_cannot_create(admin_lishi, regions):
    admin_lishi.is_active = False
    admin_lishi.save()
    with pytest.raises(PermissionDenied):
        create(admin_lishi, region=regions.lishi)


def test_admin_may_create_another_admin_in_their_county(admin_lishi, regions):
    assert create(admin_lishi, role="admin", region=regions.lishi).role == "admin"


def test_a_role_that_does_not_exist_is_refused_naming_role(admin_lishi, regions):
    # "superuser" is not a role: nobody becomes a superuser through the service.
    before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        create(admin_lishi, role="superuser", region=regions.lishi)
    assert "role" in caught.value.message_dict
    assert User.objects.count() == before


def test_duplicate_username_is_refused_naming_username(admin_lishi, staff_lishi, regions):
    before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        create(admin_lishi, username="staff_lishi", region=regions.lishi)
    assert "username" in caught.value.message_dict
    assert User.objects.count() == before


def test_usernames_differing_only_in_case_are_duplicates(admin_lishi, staff_lishi, regions):
    with pytest.raises(ValidationError) as caught:
        create(admin_lishi, username="STAFF_LISHI", region=regions.lishi)
    assert "username" in caught.value.message_dict


def test_blank_username_is_refused_naming_username(admin_lishi, regions):
    with pytest.raises(ValidationError) as caught:
        create(admin_lishi, username="   ", region=regions.lishi)
    assert "username" in caught.value.message_dict


@pytest.mark.parametrize("weak", ["12345678", "password", "Kx9!"])
def test_weak_password_is_refused_naming_password(admin_lishi, regions, weak):
    before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        create(admin_lishi, password=weak, region=regions.lishi)
    assert "password" in caught.value.message_dict
    assert User.objects.count() == before


# --- user_update ----------------------------------------------------------------------------------

def test_admin_changes_a_users_name_and_phone(admin_lishi, staff_lishi):
    services.user_update(actor=admin_lishi, user=staff_lishi, name=" 李敏敏 ", phone="13935800011")
    staff_lishi.refresh_from_db()
    assert (staff_lishi.name, staff_lishi.phone) == ("李敏敏", "13935800011")


def test_admin_moves_a_user_within_their_subtree(admin_lishi, staff_lishi, regions):
    services.user_update(actor=admin_lishi, user=staff_lishi, region=regions.lishi_township)
    staff_lishi.refresh_from_db()
    assert staff_lishi.region_id == "141102001000"


def test_moving_a_user_outside_the_admins_subtree_is_refused(admin_lishi, staff_lishi, regions):
    with pytest.raises(ValidationError) as caught:
        services.user_update(actor=admin_lishi, user=staff_lishi, region=regions.yuci)
    assert "region" in caught.value.message_dict
    staff_lishi.refresh_from_db()
    assert staff_lishi.region_id == "141102000000"


def test_promoting_a_user_to_admin_sets_is_staff(admin_lishi, staff_lishi):
    services.user_update(actor=admin_lishi, user=staff_lishi, role="admin")
    staff_lishi.refresh_from_db()
    assert (staff_lishi.role, staff_lishi.is_staff) == ("admin", True)


def test_admin_cannot_change_their_own_role(admin_lishi):
    with pytest.raises(ValidationError) as caught:
        services.user_update(actor=admin_lishi, user=admin_lishi, role="staff")
    assert "role" in caught.value.message_dict
    admin_lishi.refresh_from_db()
    assert admin_lishi.role == "admin"


def test_updating_a_user_outside_scope_is_does_not_exist(admin_lishi, staff_yuci):
    with pytest.raises(User.DoesNotExist):
        services.user_update(actor=admin_lishi, user=staff_yuci, name="改名")
    staff_yuci.refresh_from_db()
    assert staff_yuci.name == "张丽"


def test_county_admin_cannot_manage_the_city_leader(admin_lishi, viewer_lvliang):
    with pytest.raises(User.DoesNotExist):
        services.user_update(actor=admin_lishi, user=viewer_lvliang, name="改名")


def test_staff_cannot_update_users(staff_lishi, volunteer_lishi):
    with pytest.raises(PermissionDenied):
        services.user_update(actor=staff_lishi, user=volunteer_lishi, name="改名")


def test_province_admin_manages_county_users(admin_province, staff_lishi, regions):
    services.user_update(actor=admin_province, user=staff_lishi, region=regions.yuci)
    staff_lishi.refresh_from_db()
    assert staff_lishi.region_id == "140702000000"


def test_admin_cannot_manage_a_superuser(admin_province, superuser):
    with pytest.raises(User.DoesNotExist):
        services.user_update(actor=admin_province, user=superuser, name="改名")


# --- user_deactivate / user_reactivate ------------------------------------------------------------

def test_deactivating_keeps_the_row_and_stamps_the_time(admin_lishi, staff_lishi):
    services.user_deactivate(actor=admin_lishi, user=staff_lishi)
    staff_lishi.refresh_from_db()
    assert not staff_lishi.is_active
    assert staff_lishi.deactivated_at is not None


def test_deactivating_revokes_api_tokens(admin_lishi, staff_lishi):
    Token.objects.create(user=staff_lishi)
    services.user_deactivate(actor=admin_lishi, user=staff_lishi)
    assert not Token.objects.filter(user=staff_lishi).exists()


def test_deactivating_oneself_is_refused(admin_lishi):
    with pytest.raises(ValidationError) as caught:
        services.user_deactivate(actor=admin_lishi, user=admin_lishi)
    assert "is_active" in caught.value.message_dict
    admin_lishi.refresh_from_db()
    assert admin_lishi.is_active


def test_deactivating_a_user_outside_scope_is_does_not_exist(admin_lishi, staff_yuci):
    with pytest.raises(User.DoesNotExist):
        services.user_deactivate(actor=admin_lishi, user=staff_yuci)
    staff_yuci.refresh_from_db()
    assert staff_yuci.is_active


def test_province_admin_deactivates_a_county_user(admin_province, staff_lishi):
    services.user_deactivate(actor=admin_province, user=staff_lishi)
    staff_lishi.refresh_from_db()
    assert not staff_lishi.is_active


def test_staff_cannot_deactivate(staff_lishi, volunteer_lishi):
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=staff_lishi, user=volunteer_lishi)
    volunteer_lishi.refresh_from_db()
    assert volunteer_lishi.is_active


def test_reactivating_clears_the_deactivation(admin_lishi, staff_lishi):
    services.user_deactivate(actor=admin_lishi, user=staff_lishi)
    services.user_reactivate(actor=admin_lishi, user=staff_lishi)
    staff_lishi.refresh_from_db()
    assert (staff_lishi.is_active, staff_lishi.deactivated_at) == (True, None)


# --- user_set_password ----------------------------------------------------------------------------

def test_admin_sets_a_password_and_old_tokens_stop_working(admin_lishi, staff_lishi):
    Token.objects.create(user=staff_lishi)
    services.user_set_password(actor=admin_lishi, user=staff_lishi, password="Nw8#tq4Lz")
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password("Nw8#tq4Lz")
    assert not Token.objects.filter(user=staff_lishi).exists()


def test_a_user_sets_their_own_password(staff_lishi):
    services.user_set_password(actor=staff_lishi, user=staff_lishi, password="Nw8#tq4Lz")
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password("Nw8#tq4Lz")


def test_setting_a_weak_password_is_refused_naming_password(admin_lishi, staff_lishi):
    with pytest.raises(ValidationError) as caught:
        services.user_set_password(actor=admin_lishi, user=staff_lishi, password="12345678")
    assert "password" in caught.value.message_dict


def test_setting_a_password_outside_scope_is_does_not_exist(admin_lishi, staff_yuci):
    with pytest.raises(User.DoesNotExist):
        services.user_set_password(actor=admin_lishi, user=staff_yuci, password="Nw8#tq4Lz")
