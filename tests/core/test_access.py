"""Who may do what (core.access): the role a user acts in, the allow-lists, the page guard and the API
permission classes — default-deny everywhere."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.models import User
from accounts.roles import Role
from core import access
from core.access import EDIT, MANAGE, PHONE, READ, SIGNED_IN

ALLOW_LISTS = {"READ": READ, "EDIT": EDIT, "MANAGE": MANAGE, "PHONE": PHONE, "SIGNED_IN": SIGNED_IN}
# Who each allow-list admits, spelled out (a role missing here is admitted nowhere).
ADMITTED = {
    "READ": {Role.ADMIN, Role.STAFF, Role.VIEWER},
    "EDIT": {Role.ADMIN, Role.STAFF},
    "MANAGE": {Role.ADMIN},
    "PHONE": {Role.VOLUNTEER},
    "SIGNED_IN": {Role.ADMIN, Role.STAFF, Role.VIEWER, Role.VOLUNTEER},
}
CASES = [(name, role) for name in ALLOW_LISTS for role in Role.values]


def person(role: str, **fields) -> User:
    """An active, signed-in user of ``role`` (unsaved: the guards read only the user object)."""
    return User(username=f"u_{role}", role=role, **fields)


def page_request(user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return request


def view(request):
    return HttpResponse("ok")


# --- role_of --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", Role.values)
def test_an_active_user_acts_in_their_own_role(role):
    assert access.role_of(person(role)) == role


def test_a_superuser_acts_as_an_administrator():
    assert access.role_of(person(Role.VOLUNTEER, is_superuser=True)) == Role.ADMIN


def test_an_inactive_user_has_no_role():
    assert access.role_of(person(Role.ADMIN, is_active=False)) is None


def test_an_inactive_superuser_has_no_role():
    assert access.role_of(person(Role.ADMIN, is_superuser=True, is_active=False)) is None


def test_an_anonymous_user_has_no_role():
    assert access.role_of(AnonymousUser()) is None


def test_no_user_has_no_role():
    assert access.role_of(None) is None


def test_a_superuser_is_never_a_caring_mother():
    assert not access.is_volunteer(person(Role.VOLUNTEER, is_superuser=True))


def test_a_signed_in_volunteer_is_a_caring_mother():
    assert access.is_volunteer(person(Role.VOLUNTEER))


# --- the allow-lists ------------------------------------------------------------------------------

@pytest.mark.parametrize(("allow_list", "role"), CASES)
def test_an_allow_list_admits_exactly_its_roles(allow_list, role):
    assert access.allowed(person(role), ALLOW_LISTS[allow_list]) == (role in ADMITTED[allow_list])


@pytest.mark.parametrize(("allow_list", "role"), CASES)
def test_check_refuses_exactly_the_roles_outside_the_list(allow_list, role):
    if role in ADMITTED[allow_list]:
        access.check(person(role), ALLOW_LISTS[allow_list])
    else:
        with pytest.raises(PermissionDenied):
            access.check(person(role), ALLOW_LISTS[allow_list])


@pytest.mark.parametrize("allow_list", ALLOW_LISTS)
def test_a_made_up_role_is_admitted_nowhere(allow_list):
    assert not access.allowed(person("intruder"), ALLOW_LISTS[allow_list])


@pytest.mark.parametrize("allow_list", ALLOW_LISTS)
def test_check_refuses_a_made_up_role(allow_list):
    with pytest.raises(PermissionDenied):
        access.check(person("intruder"), ALLOW_LISTS[allow_list])


@pytest.mark.parametrize("allow_list", ALLOW_LISTS)
def test_an_anonymous_user_is_admitted_nowhere(allow_list):
    assert not access.allowed(AnonymousUser(), ALLOW_LISTS[allow_list])


@pytest.mark.parametrize("allow_list", ALLOW_LISTS)
def test_an_inactive_administrator_is_admitted_nowhere(allow_list):
    assert not access.allowed(person(Role.ADMIN, is_active=False), ALLOW_LISTS[allow_list])


def test_a_superuser_is_admitted_where_administrators_are():
    superuser = person(Role.VIEWER, is_superuser=True)
    assert [access.allowed(superuser, roles) for roles in ALLOW_LISTS.values()] == [True, True, True, False, True]


def test_check_says_why_with_the_allow_lists_own_message():
    with pytest.raises(PermissionDenied) as refused:
        access.check(person(Role.VIEWER), EDIT)
    assert str(refused.value) == str(access.DEFAULT_MESSAGES[EDIT])


def test_check_says_why_with_the_callers_message():
    with pytest.raises(PermissionDenied) as refused:
        access.check(person(Role.VIEWER), EDIT, "只有工作人员可以修改")
    assert str(refused.value) == "只有工作人员可以修改"


def test_check_has_a_message_for_an_allow_list_of_its_own():
    with pytest.raises(PermissionDenied) as refused:
        access.check(person(Role.VIEWER), frozenset({Role.STAFF}))
    assert str(refused.value)


# --- the page guard -------------------------------------------------------------------------------

def test_require_lets_a_listed_role_through():
    assert access.require(EDIT)(view)(page_request(person(Role.STAFF))).content == b"ok"


def test_require_refuses_a_role_outside_the_list():
    with pytest.raises(PermissionDenied):
        access.require(EDIT)(view)(page_request(person(Role.VIEWER)))


def test_require_refuses_a_made_up_role():
    with pytest.raises(PermissionDenied):
        access.require(SIGNED_IN)(view)(page_request(person("intruder")))


def test_require_refuses_with_its_message():
    with pytest.raises(PermissionDenied) as refused:
        access.require(EDIT, "只读")(view)(page_request(person(Role.VIEWER)))
    assert str(refused.value) == "只读"


def test_require_marks_the_view_with_its_allow_list():
    assert access.require(MANAGE)(view).access is MANAGE


def test_require_keeps_the_views_name():
    assert access.require(MANAGE)(view).__name__ == "view"


@pytest.mark.urls("tests.core.urls")
def test_a_guarded_page_answers_403_to_a_role_outside_the_list(client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    assert client.get("/__core__/edit/").status_code == 403


@pytest.mark.urls("tests.core.urls")
def test_a_guarded_page_answers_a_listed_role(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get("/__core__/edit/")
    assert (response.status_code, response.content) == (200, b"edited")


# --- the API --------------------------------------------------------------------------------------

def api_request(method: str, user):
    request = getattr(APIRequestFactory(), method.lower())("/api/v1/things/")
    request.user = user
    return request


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_api_roles_admits_the_read_roles_to_safe_methods(method):
    permission = access.api_roles(READ, EDIT)()
    assert permission.has_permission(api_request(method, person(Role.VIEWER)), None)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_api_roles_refuses_a_read_only_role_the_writing_methods(method):
    permission = access.api_roles(READ, EDIT)()
    assert not permission.has_permission(api_request(method, person(Role.VIEWER)), None)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_api_roles_admits_the_write_roles_to_the_writing_methods(method):
    permission = access.api_roles(READ, EDIT)()
    assert permission.has_permission(api_request(method, person(Role.STAFF)), None)


def test_api_roles_without_write_roles_lets_the_read_roles_write():
    permission = access.api_roles(MANAGE)()
    assert permission.has_permission(api_request("POST", person(Role.ADMIN)), None)


def test_api_roles_without_write_roles_refuses_others_the_writing_methods():
    permission = access.api_roles(MANAGE)()
    assert not permission.has_permission(api_request("POST", person(Role.STAFF)), None)


def test_api_roles_can_admit_a_role_to_write_it_may_not_read():
    permission = access.api_roles(frozenset(), PHONE)()
    request_get, request_post = api_request("GET", person(Role.VOLUNTEER)), api_request("POST", person(Role.VOLUNTEER))
    assert (permission.has_permission(request_get, None), permission.has_permission(request_post, None)) == (False, True)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_api_roles_refuses_a_made_up_role(method):
    permission = access.api_roles(SIGNED_IN)()
    assert not permission.has_permission(api_request(method, person("intruder")), None)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_api_roles_refuses_an_anonymous_caller(method):
    permission = access.api_roles(SIGNED_IN)()
    assert not permission.has_permission(api_request(method, AnonymousUser()), None)


def test_api_roles_names_the_class_after_its_roles():
    assert access.api_roles(READ, EDIT).__name__ == "AllowAdminStaffViewerWriteAdminStaff"


def test_api_roles_makes_a_role_permission():
    assert issubclass(access.api_roles(READ), access.RolePermission)


def test_deny_all_refuses_even_a_superuser():
    assert not access.DenyAll().has_permission(api_request("GET", person(Role.ADMIN, is_superuser=True)), None)


def test_deny_all_is_the_api_default(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["core.access.DenyAll"]


def test_an_api_view_naming_no_permission_refuses_a_superuser(superuser):
    class Unnamed(APIView):
        def get(self, request):
            return HttpResponse("secret")

    request = APIRequestFactory().get("/api/v1/unnamed/")
    force_authenticate(request, user=superuser)
    assert Unnamed.as_view()(request).status_code == 403
