"""/api/v1/users/: administrators manage the users of their subtree; everybody else is refused."""

import pytest
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/"
GOOD_PASSWORD = "Kx9!pl2mQ"
ALL_ACTORS = ["staff_lishi", "staff_yuci", "viewer_lvliang", "admin_province", "admin_lishi", "volunteer_lishi",
              "superuser"]


def detail(user, suffix: str = "") -> str:
    return f"{URL}{user.pk}/{suffix}"


def new_user(**overrides) -> dict:
    return {"username": "ls_new", "password": GOOD_PASSWORD, "role": "staff", "region": "141102001000",
            "name": "刘芳", "phone": "13935800011", **overrides}


@pytest.fixture
def everyone(request):
    """All named actors, so list tests see who is left out."""
    return {name: request.getfixturevalue(name) for name in ALL_ACTORS}


def usernames(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["username"] for row in response.json()["results"]}


# --- list and read --------------------------------------------------------------------------------

def test_county_admin_lists_only_the_countys_users(api_client_for, everyone):
    response = api_client_for(everyone["admin_lishi"]).get(URL)
    assert usernames(response) == {"admin_lishi", "staff_lishi", "volunteer_lishi"}


def test_province_admin_lists_every_user_but_superusers(api_client_for, everyone):
    response = api_client_for(everyone["admin_province"]).get(URL)
    assert usernames(response) == set(ALL_ACTORS) - {"superuser"}


def test_superuser_lists_everyone(api_client_for, everyone):
    assert usernames(api_client_for(everyone["superuser"]).get(URL)) == set(ALL_ACTORS)


@pytest.mark.parametrize("actor", ["staff_lishi", "viewer_lvliang", "volunteer_lishi"])
def test_non_admins_may_not_list_users(api_client_for, everyone, actor):
    assert api_client_for(everyone[actor]).get(URL).status_code == 403


def test_anonymous_list_is_401(api_client, everyone):
    assert api_client.get(URL).status_code == 401


def test_list_filters_by_region_subtree(api_client_for, admin_province, staff_lishi, volunteer_lishi, staff_yuci):
    response = api_client_for(admin_province).get(URL, {"region": "141102001000"})
    assert usernames(response) == {"volunteer_lishi"}


def test_list_filter_with_a_malformed_region_names_region(api_client_for, admin_province):
    response = api_client_for(admin_province).get(URL, {"region": "1411"})
    assert response.status_code == 400
    assert "region" in response.json()


def test_list_filters_by_role(api_client_for, everyone):
    response = api_client_for(everyone["admin_province"]).get(URL, {"role": "staff"})
    assert usernames(response) == {"staff_lishi", "staff_yuci"}


def test_admin_reads_a_user_in_scope(api_client_for, admin_lishi, staff_lishi):
    body = api_client_for(admin_lishi).get(detail(staff_lishi)).json()
    assert (body["username"], body["role"], body["region"], body["is_active"]) == (
        "staff_lishi", "staff", "141102000000", True)


def test_user_representation_never_contains_the_password(api_client_for, admin_lishi, staff_lishi):
    body = api_client_for(admin_lishi).get(detail(staff_lishi)).json()
    assert "password" not in body


def test_reading_a_user_outside_scope_is_404(api_client_for, admin_lishi, staff_yuci):
    assert api_client_for(admin_lishi).get(detail(staff_yuci)).status_code == 404


def test_reading_a_superuser_as_province_admin_is_404(api_client_for, admin_province, superuser):
    assert api_client_for(admin_province).get(detail(superuser)).status_code == 404


@pytest.mark.parametrize("n_users", [5, 25])
def test_list_query_count_does_not_grow_with_the_users(api_client_for, admin_province, regions,
                                                       django_assert_num_queries, n_users):
    UserFactory.create_batch(n_users, role=Role.STAFF, region=regions.lishi_township)
    client = api_client_for(admin_province)
    # 1: the token and its user (select_related); 2: the page count; 3: the page of users with their
    # region (select_related) — the serializer reads region_id only.
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert response.json()["count"] == n_users + 1


# --- create ---------------------------------------------------------------------------------------

def test_admin_creates_a_user_in_scope(api_client_for, admin_lishi):
    response = api_client_for(admin_lishi).post(URL, new_user(), format="json")
    assert response.status_code == 201
    created = User.objects.get(username="ls_new")
    assert (created.role, created.region_id, created.created_by_id) == ("staff", "141102001000", admin_lishi.pk)
    assert created.check_password(GOOD_PASSWORD)


def test_create_answers_with_the_user_without_the_password(api_client_for, admin_lishi):
    body = api_client_for(admin_lishi).post(URL, new_user(), format="json").json()
    assert body["id"] == User.objects.get(username="ls_new").pk
    assert (body["username"], body["region"], body["role"]) == ("ls_new", "141102001000", "staff")
    assert "password" not in body


def test_the_new_user_can_obtain_a_token(api_client_for, admin_lishi):
    api_client_for(admin_lishi).post(URL, new_user(), format="json")
    assert api_client_for(User.objects.get(username="ls_new"), password=GOOD_PASSWORD).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(("overrides", "field"), [
    ({"region": "140702000000"}, "region"),  # 榆次区: outside 离石区
    ({"region": "141100000000"}, "region"),  # 吕梁市: above 离石区
    ({"region": "14110200100"}, "region"),  # 11 digits
    ({"region": "141102009000"}, "region"),  # well-formed but no such region
    ({"role": "superuser"}, "role"),  # not a role: nobody is made a superuser here
    ({"role": ""}, "role"),
    ({"username": "staff_lishi"}, "username"),
    ({"username": "STAFF_LISHI"}, "username"),
    ({"password": "12345678"}, "password"),
    ({"phone": "1393580001"}, "phone"),
], ids=["region-outside", "region-above", "region-11-digits", "region-unknown", "role-superuser", "role-blank",
        "username-taken", "username-taken-other-case", "password-weak", "phone-10-digits"])
def test_refused_create_names_the_field_and_creates_nothing(api_client_for, admin_lishi, staff_lishi, overrides, field):
    client = api_client_for(admin_lishi)
    before = User.objects.count()
    response = client.post(URL, new_user(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == before


def test_create_ignores_a_request_to_be_superuser(api_client_for, admin_lishi):
    payload = new_user(role="admin", is_superuser=True, is_staff=True)
    assert api_client_for(admin_lishi).post(URL, payload, format="json").status_code == 201
    assert not User.objects.get(username="ls_new").is_superuser


@pytest.mark.parametrize("actor", ["staff_lishi", "viewer_lvliang", "volunteer_lishi"])
def test_non_admins_may_not_create(api_client_for, everyone, actor):
    before = User.objects.count()
    assert api_client_for(everyone[actor]).post(URL, new_user(), format="json").status_code == 403
    assert User.objects.count() == before


# --- update ---------------------------------------------------------------------------------------

def test_patch_changes_name_and_phone(api_client_for, admin_lishi, staff_lishi):
    response = api_client_for(admin_lishi).patch(detail(staff_lishi), {"name": "李敏敏", "phone": "13935800012"},
                                                  format="json")
    assert response.status_code == 200
    staff_lishi.refresh_from_db()
    assert (staff_lishi.name, staff_lishi.phone) == ("李敏敏", "13935800012")


def test_patch_moves_a_user_within_scope(api_client_for, admin_lishi, staff_lishi):
    response = api_client_for(admin_lishi).patch(detail(staff_lishi), {"region": "141102001000"}, format="json")
    assert (response.status_code, response.json()["region"]) == (200, "141102001000")


def test_patch_moving_a_user_outside_scope_is_400_naming_region(api_client_for, admin_lishi, staff_lishi):
    response = api_client_for(admin_lishi).patch(detail(staff_lishi), {"region": "140702000000"}, format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    staff_lishi.refresh_from_db()
    assert staff_lishi.region_id == "141102000000"


def test_patch_cannot_rename_the_login(api_client_for, admin_lishi, staff_lishi):
    api_client_for(admin_lishi).patch(detail(staff_lishi), {"username": "renamed"}, format="json")
    staff_lishi.refresh_from_db()
    assert staff_lishi.username == "staff_lishi"


def test_patch_sets_a_new_password(api_client_for, admin_lishi, staff_lishi):
    response = api_client_for(admin_lishi).patch(detail(staff_lishi), {"password": "Nw8#tq4Lz"}, format="json")
    assert response.status_code == 200
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password("Nw8#tq4Lz")


def test_refused_patch_does_not_change_the_password(api_client_for, admin_lishi, staff_lishi):
    # The region is refused, so the whole request must be: the password stays as it was.
    response = api_client_for(admin_lishi).patch(
        detail(staff_lishi), {"password": "Nw8#tq4Lz", "region": "140702000000"}, format="json")
    assert response.status_code == 400
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password(PASSWORD)


def test_put_without_a_password_keeps_the_password(api_client_for, admin_lishi, staff_lishi):
    # A client that GETs a user, edits it and PUTs it back has no password to send (it is write-only).
    client = api_client_for(admin_lishi)
    body = client.get(detail(staff_lishi)).json()
    body["name"] = "李敏敏"
    response = client.put(detail(staff_lishi), body, format="json")
    assert response.status_code == 200, response.content.decode()
    staff_lishi.refresh_from_db()
    assert (staff_lishi.name, staff_lishi.check_password(PASSWORD)) == ("李敏敏", True)


def test_patch_outside_scope_is_404(api_client_for, admin_lishi, staff_yuci):
    response = api_client_for(admin_lishi).patch(detail(staff_yuci), {"name": "改名"}, format="json")
    assert response.status_code == 404
    staff_yuci.refresh_from_db()
    assert staff_yuci.name == "张丽"


def test_admin_cannot_patch_their_own_role(api_client_for, admin_lishi):
    response = api_client_for(admin_lishi).patch(detail(admin_lishi), {"role": "staff"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()


def test_staff_may_not_patch_users(api_client_for, staff_lishi, volunteer_lishi):
    response = api_client_for(staff_lishi).patch(detail(volunteer_lishi), {"name": "改名"}, format="json")
    assert response.status_code == 403


def test_users_cannot_be_deleted(api_client_for, admin_lishi, staff_lishi):
    assert api_client_for(admin_lishi).delete(detail(staff_lishi)).status_code == 405
    assert User.objects.filter(pk=staff_lishi.pk).exists()


# --- deactivate and reactivate --------------------------------------------------------------------

def test_deactivate_endpoint_deactivates(api_client_for, admin_lishi, staff_lishi):
    response = api_client_for(admin_lishi).post(detail(staff_lishi, "deactivate/"))
    assert (response.status_code, response.json()["is_active"]) == (200, False)
    staff_lishi.refresh_from_db()
    assert staff_lishi.deactivated_at is not None


def test_deactivated_users_token_stops_working(api_client_for, admin_lishi, staff_lishi):
    staff_client = api_client_for(staff_lishi)
    assert staff_client.get("/api/v1/me/").status_code == 200
    api_client_for(admin_lishi).post(detail(staff_lishi, "deactivate/"))
    assert staff_client.get("/api/v1/me/").status_code == 401


def test_deactivated_user_cannot_obtain_a_new_token(api_client, api_client_for, admin_lishi, staff_lishi):
    api_client_for(admin_lishi).post(detail(staff_lishi, "deactivate/"))
    response = api_client.post("/api/v1/auth/token/", {"username": "staff_lishi", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert not Token.objects.filter(user=staff_lishi).exists()


def test_deactivating_oneself_is_400(api_client_for, admin_lishi):
    response = api_client_for(admin_lishi).post(detail(admin_lishi, "deactivate/"))
    assert response.status_code == 400
    assert "is_active" in response.json()


def test_deactivating_outside_scope_is_404(api_client_for, admin_lishi, staff_yuci):
    assert api_client_for(admin_lishi).post(detail(staff_yuci, "deactivate/")).status_code == 404
    staff_yuci.refresh_from_db()
    assert staff_yuci.is_active


def test_staff_may_not_deactivate(api_client_for, staff_lishi, volunteer_lishi):
    assert api_client_for(staff_lishi).post(detail(volunteer_lishi, "deactivate/")).status_code == 403
    volunteer_lishi.refresh_from_db()
    assert volunteer_lishi.is_active


def test_reactivate_endpoint_restores_the_login(api_client_for, admin_lishi, staff_lishi):
    client = api_client_for(admin_lishi)
    client.post(detail(staff_lishi, "deactivate/"))
    response = client.post(detail(staff_lishi, "reactivate/"))
    assert (response.status_code, response.json()["is_active"]) == (200, True)
    assert api_client_for(staff_lishi).get("/api/v1/me/").status_code == 200
