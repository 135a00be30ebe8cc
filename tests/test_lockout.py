"""django-axes locks a user name after AXES_FAILURE_LIMIT (5) wrong passwords, on the web and the API."""

import html
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.db.models import F
from rest_framework.authtoken.models import Token

from accounts.lockout import lockout_message
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/login/"
TOKEN_URL = "/api/v1/auth/token/"


def fail_web_logins(client, username: str, times: int) -> None:
    for _ in range(times):
        client.post(LOGIN_URL, {"username": username, "password": "wrong-password"})


def fail_api_logins(client, username: str, times: int) -> None:
    for _ in range(times):
        client.post(TOKEN_URL, {"username": username, "password": "wrong-password"}, format="json")


def age_attempts(username: str) -> None:
    """Move the user's failed attempts back past the cool-off, as if the time had passed."""
    AccessAttempt.objects.filter(username=username).update(
        attempt_time=F("attempt_time") - django_settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_the_limit_is_five_by_username():
    assert (django_settings.AXES_FAILURE_LIMIT, django_settings.AXES_LOCKOUT_PARAMETERS) == (5, ["username"])


def test_four_failures_still_allow_the_right_password(client, staff_lishi):
    fail_web_logins(client, "staff_lishi", 4)
    response = client.post(LOGIN_URL, {"username": "staff_lishi", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(staff_lishi.pk)


def test_a_wrong_password_on_the_login_page_is_200_with_the_form(client, staff_lishi):
    response = client.post(LOGIN_URL, {"username": "staff_lishi", "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_five_failures_lock_the_web_login_with_429(client, staff_lishi):
    fail_web_logins(client, "staff_lishi", 5)
    response = client.post(LOGIN_URL, {"username": "staff_lishi", "password": PASSWORD})
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_locked_web_login_shows_the_lockout_message(client, staff_lishi):
    fail_web_logins(client, "staff_lishi", 5)
    page = client.post(LOGIN_URL, {"username": "staff_lishi", "password": PASSWORD}).content.decode()
    # Chinese once the zh_Hans catalogue translates it; compared with the same gettext call meanwhile.
    assert html.escape(lockout_message()) in page


def test_five_failures_lock_the_token_endpoint_with_429_json(api_client, staff_lishi):
    fail_api_logins(api_client, "staff_lishi", 5)
    response = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json() == {"detail": lockout_message()}
    assert not Token.objects.filter(user=staff_lishi).exists()


def test_failures_on_the_web_and_the_api_add_up(client, api_client, staff_lishi):
    fail_web_logins(client, "staff_lishi", 3)
    fail_api_logins(api_client, "staff_lishi", 2)
    response = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json")
    assert response.status_code == 429


def test_another_username_from_the_same_address_is_not_locked(client, staff_lishi, admin_lishi):
    fail_web_logins(client, "staff_lishi", 5)
    response = client.post(LOGIN_URL, {"username": "admin_lishi", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(admin_lishi.pk)


def test_the_web_login_works_again_after_the_cool_off(client, staff_lishi):
    fail_web_logins(client, "staff_lishi", 5)
    age_attempts("staff_lishi")
    response = client.post(LOGIN_URL, {"username": "staff_lishi", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(staff_lishi.pk)


def test_the_token_endpoint_works_again_after_the_cool_off(api_client, staff_lishi):
    fail_api_logins(api_client, "staff_lishi", 5)
    age_attempts("staff_lishi")
    response = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_a_success_resets_the_count(client, staff_lishi):
    fail_web_logins(client, "staff_lishi", 4)
    client.post(LOGIN_URL, {"username": "staff_lishi", "password": PASSWORD})
    client.logout()
    fail_web_logins(client, "staff_lishi", 4)
    response = client.post(LOGIN_URL, {"username": "staff_lishi", "password": PASSWORD})
    assert response.status_code == 302


def test_the_limit_follows_the_setting(settings, client, staff_lishi):
    settings.AXES_FAILURE_LIMIT = 2
    fail_web_logins(client, "staff_lishi", 2)
    response = client.post(LOGIN_URL, {"username": "staff_lishi", "password": PASSWORD})
    assert response.status_code == 429


def test_the_lockout_message_states_the_cool_off_in_minutes(settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    assert "30" in lockout_message()
