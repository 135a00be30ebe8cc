"""How long a login lasts unused (accounts.tokens), and ending it: API tokens expire after their owner's
idle limit (TOKEN_IDLE_STAFF, TOKEN_IDLE_VOLUNTEER), each use renewing them (written at most once a
minute); a caring mother's phone session slides the same way; setting a password and "log out
everywhere" revoke the tokens and end the sessions.

The clock is moved with time-machine to fixed instants (``at``), never read from the machine."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from accounts.models import AuditAction, AuditEvent, TokenActivity, User
from accounts.tokens import RENEW_EVERY
from tests import clock
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

T0 = clock.moment(clock.DEFAULT_TODAY)
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
LOGIN_URL = reverse("login")
LOGOUT_ALL_URL = reverse("logout-everywhere")
EXPIRED_ZH = "登录已因长时间未使用而过期，请重新登录。"


def at(instant):
    """The clock stopped at ``instant`` for the block."""
    return time_machine.travel(instant, tick=False)


def token_key(user) -> str:
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content.decode()
    return response.json()["token"]


def me(key: str):
    return APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Token {key}")


def browser_login(user) -> Client:
    client = Client()
    response = client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def session_of(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


# --- API tokens: idle expiry ---------------------------------------------------------------------

def test_a_staff_token_works_until_twelve_hours_unused(staff_lishi):
    with at(T0):
        key = token_key(staff_lishi)
    with at(T0 + timedelta(hours=12)):
        assert me(key).status_code == 200


def test_a_staff_token_unused_for_longer_answers_401_in_chinese_and_is_gone(staff_lishi):
    with at(T0):
        key = token_key(staff_lishi)
    with at(T0 + timedelta(hours=12, seconds=1)):
        response = me(key)
    assert (response.status_code, response.json()) == (401, {"detail": EXPIRED_ZH})
    assert response["WWW-Authenticate"] == "Token"
    assert not Token.objects.filter(key=key).exists()


def test_each_use_renews_the_token(staff_lishi):
    with at(T0):
        key = token_key(staff_lishi)
    for hours in (11, 22, 33):
        with at(T0 + timedelta(hours=hours)):
            assert me(key).status_code == 200
    with at(T0 + timedelta(hours=45, seconds=1)):
        assert me(key).status_code == 401


def test_a_caring_mothers_token_lasts_thirty_days_unused(volunteer_lishi):
    with at(T0):
        key = token_key(volunteer_lishi)
    with at(T0 + timedelta(days=30)):
        assert me(key).status_code == 200
    with at(T0 + timedelta(days=60, seconds=1)):
        assert me(key).status_code == 401


@override_settings(TOKEN_IDLE_STAFF=timedelta(minutes=30))
def test_the_idle_limit_follows_the_setting(staff_lishi):
    with at(T0):
        key = token_key(staff_lishi)
    with at(T0 + timedelta(minutes=31)):
        assert me(key).status_code == 401


def test_a_use_is_written_at_most_once_a_minute(staff_lishi):
    with at(T0):
        key = token_key(staff_lishi)
    first_use = T0 + timedelta(minutes=5)
    with at(first_use):
        assert me(key).status_code == 200
    assert TokenActivity.objects.get(token_id=key).last_used == first_use
    with at(first_use + RENEW_EVERY - timedelta(seconds=1)), CaptureQueriesContext(connection) as queries:
        assert me(key).status_code == 200
    assert [q["sql"].split()[0] for q in queries.captured_queries if not q["sql"].startswith("SELECT")] == []
    assert TokenActivity.objects.get(token_id=key).last_used == first_use
    with at(first_use + RENEW_EVERY):
        assert me(key).status_code == 200
    assert TokenActivity.objects.get(token_id=key).last_used == first_use + RENEW_EVERY


def test_logging_in_again_gives_the_same_token_while_it_lasts_and_renews_it(staff_lishi):
    with at(T0):
        key = token_key(staff_lishi)
    with at(T0 + timedelta(hours=11)):
        assert token_key(staff_lishi) == key
    with at(T0 + timedelta(hours=22)):
        assert me(key).status_code == 200


def test_logging_in_after_expiry_gives_a_new_token(staff_lishi):
    with at(T0):
        old = token_key(staff_lishi)
    with at(T0 + timedelta(hours=13)):
        new = token_key(staff_lishi)
        assert new != old
        assert me(new).status_code == 200
        assert me(old).status_code == 401
    assert list(Token.objects.filter(user=staff_lishi).values_list("key", flat=True)) == [new]


# --- revoking: passwords and "log out everywhere" -------------------------------------------------

def test_changing_ones_own_password_cuts_off_the_token(client, staff_lishi):
    key = token_key(staff_lishi)
    client.force_login(staff_lishi)
    client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "Nw8#tq4Lz",
                                             "new_password2": "Nw8#tq4Lz"})
    assert me(key).status_code == 401


def test_an_admins_password_reset_cuts_off_the_token(admin_lishi, staff_lishi):
    key = token_key(staff_lishi)
    services.user_set_password(actor=admin_lishi, user=staff_lishi, password="Nw8#tq4Lz")
    assert me(key).status_code == 401


def test_log_out_everywhere_ends_every_session_and_token(volunteer_lishi):
    phone, laptop = browser_login(volunteer_lishi), browser_login(volunteer_lishi)
    key = token_key(volunteer_lishi)
    assert phone.get(reverse("phone:home")).status_code == 200
    response = laptop.post(LOGOUT_ALL_URL)
    assert (response.status_code, response.url) == (302, reverse("login"))
    for browser in (phone, laptop):
        page = browser.get(reverse("phone:home"))
        assert (page.status_code, page.url.startswith(LOGIN_URL)) == (302, True)
    assert me(key).status_code == 401
    assert not Token.objects.filter(user=volunteer_lishi).exists()


def test_after_logging_out_everywhere_one_logs_in_again(staff_lishi):
    browser = browser_login(staff_lishi)
    browser.post(LOGOUT_ALL_URL)
    browser = browser_login(staff_lishi)
    assert browser.get(reverse("home")).status_code == 200
    assert me(token_key(staff_lishi)).status_code == 200


def test_log_out_everywhere_is_audited(staff_lishi):
    token_key(staff_lishi)
    browser_login(staff_lishi).post(LOGOUT_ALL_URL)
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT_ALL)
    assert (event.actor, event.target_id, event.changes, event.detail) == (
        staff_lishi, str(staff_lishi.pk), {"session_epoch": [0, 1]}, {"tokens_revoked": 1})


def test_log_out_everywhere_is_a_post(client, staff_lishi):
    client.force_login(staff_lishi)
    assert client.get(LOGOUT_ALL_URL).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_the_password_page_offers_it(client, staff_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("password_change")).content.decode()
    assert f'action="{LOGOUT_ALL_URL}"' in page


def test_an_admin_logs_out_a_user_of_their_area(admin_lishi, volunteer_lishi):
    browser = browser_login(volunteer_lishi)
    services.user_log_out_everywhere(actor=admin_lishi, user=volunteer_lishi)
    assert browser.get(reverse("phone:home")).status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT_ALL).actor == admin_lishi


def test_staff_cannot_log_out_someone_else(staff_lishi, volunteer_lishi):
    with pytest.raises(PermissionDenied):
        services.user_log_out_everywhere(actor=staff_lishi, user=volunteer_lishi)


def test_an_admin_cannot_log_out_a_user_outside_their_area(admin_lishi, staff_yuci):
    with pytest.raises(User.DoesNotExist):
        services.user_log_out_everywhere(actor=admin_lishi, user=staff_yuci)


def test_sessions_from_before_the_epoch_existed_keep_djangos_hash(staff_lishi):
    """Epoch 0 hashes as Django does, so deploying the field signs nobody out."""
    assert staff_lishi.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(staff_lishi)


# --- the phone: a sliding session ---------------------------------------------------------------

def test_a_caring_mothers_session_lasts_thirty_days_from_her_login(volunteer_lishi):
    with at(T0):
        phone = browser_login(volunteer_lishi)
    assert session_of(phone).expire_date == T0 + timedelta(days=30)
    assert phone.cookies["sessionid"]["max-age"] == 30 * 24 * 3600


def test_each_use_renews_her_session(volunteer_lishi):
    with at(T0):
        phone = browser_login(volunteer_lishi)
    for days in (29, 58, 87):
        with at(T0 + timedelta(days=days)):
            assert phone.get(reverse("phone:home")).status_code == 200
    assert session_of(phone).expire_date == T0 + timedelta(days=87 + 30)
    with at(T0 + timedelta(days=87 + 30, seconds=1)):
        page = phone.get(reverse("phone:home"))
    assert (page.status_code, page.url.startswith(LOGIN_URL)) == (302, True)


def test_her_session_is_written_at_most_once_a_minute(volunteer_lishi):
    with at(T0):
        phone = browser_login(volunteer_lishi)
    with at(T0 + RENEW_EVERY - timedelta(seconds=1)):
        response = phone.get(reverse("phone:home"))
    assert "sessionid" not in response.cookies  # not saved again, so no new cookie
    assert session_of(phone).expire_date == T0 + timedelta(days=30)
    with at(T0 + RENEW_EVERY):
        response = phone.get(reverse("phone:home"))
    assert response.cookies["sessionid"]["max-age"] == 30 * 24 * 3600
    assert session_of(phone).expire_date == T0 + RENEW_EVERY + timedelta(days=30)


def test_the_phones_sync_renews_her_session_too(volunteer_lishi):
    with at(T0):
        phone = browser_login(volunteer_lishi)
    with at(T0 + timedelta(days=20)):
        assert phone.get(ME_URL).status_code == 200
    assert session_of(phone).expire_date == T0 + timedelta(days=50)


def test_staff_sessions_do_not_slide(staff_lishi, settings):
    with at(T0):
        browser = browser_login(staff_lishi)
    with at(T0 + timedelta(hours=6)):
        assert browser.get(reverse("home")).status_code == 200
    assert session_of(browser).expire_date == T0 + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_token_request_starts_no_session(volunteer_lishi):
    key = token_key(volunteer_lishi)
    sessions = Session.objects.count()
    response = me(key)
    assert (response.status_code, "sessionid" in response.cookies, Session.objects.count()) == (200, False, sessions)
