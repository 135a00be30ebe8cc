"""Two-factor login (accounts.twofactor): enrolment, the login's code step, recovery codes, the lockout,
the API's token login, and OTP_REQUIRED_ROLES. The suite runs with it off (config/test_settings.py):
these tests turn it on for administrators (``otp_on``). Codes are computed with django-otp's TOTP on a
clock that stands still (``frozen``), never on the real one."""

import html
from binascii import unhexlify
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import services, twofactor
from accounts.audit_views import key_label
from accounts.lockout import lockout_message
from accounts.models import AuditAction, AuditEvent
from config.env import env_subset
from tests.factories import PASSWORD
from tests.test_settings_env import DEV, setup_django

pytestmark = pytest.mark.django_db

LOGIN_URL = "/login/"
CODE_URL = "/login/code/"
SETUP_URL = "/two-factor/"
TOKEN_URL = "/api/v1/auth/token/"
KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex


@pytest.fixture(autouse=True)
def otp_on(settings):
    settings.OTP_REQUIRED_ROLES = frozenset({"admin"})


@pytest.fixture
def frozen():
    """A clock that stands still (moved only by ``frozen.shift(seconds)``)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def code(key: str = KEY) -> str:
    totp = TOTP(unhexlify(key))
    totp.time = timezone.now().timestamp()
    return f"{totp.token():06d}"


def wrong(key: str = KEY) -> str:
    return f"{(int(code(key)) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def enrolled(admin_lishi, frozen):
    """admin_lishi with an authenticator app (secret KEY) and her recovery codes; the clock then moves
    on a minute, so the enrolment's code is not the next login's."""
    _device, codes = services.otp_enrol(actor=admin_lishi, key=KEY, code=code())
    frozen.shift(60)
    return codes


def password_step(client, username="admin_lishi"):
    return client.post(LOGIN_URL, {"username": username, "password": PASSWORD})


def signed_in(client) -> str | None:
    return client.session.get("_auth_user_id")


# --- OTP_REQUIRED_ROLES ---------------------------------------------------------------------------

def test_the_roles_default_to_admin(monkeypatch):
    monkeypatch.delenv("OTP_REQUIRED_ROLES", raising=False)
    assert env_subset("OTP_REQUIRED_ROLES", ["admin"], ("admin", "staff", "viewer")) == ["admin"]


def test_an_empty_setting_turns_it_off(monkeypatch):
    monkeypatch.setenv("OTP_REQUIRED_ROLES", "")
    assert env_subset("OTP_REQUIRED_ROLES", ["admin"], ("admin", "staff", "viewer")) == []


def test_a_list_of_roles_is_read(monkeypatch):
    monkeypatch.setenv("OTP_REQUIRED_ROLES", " admin, staff ,admin")
    assert env_subset("OTP_REQUIRED_ROLES", ["admin"], ("admin", "staff", "viewer")) == ["admin", "staff"]


def test_an_unknown_role_is_refused_naming_it(monkeypatch):
    monkeypatch.setenv("OTP_REQUIRED_ROLES", "admin,boss")
    with pytest.raises(ImproperlyConfigured, match="OTP_REQUIRED_ROLES: 'boss'"):
        env_subset("OTP_REQUIRED_ROLES", ["admin"], ("admin", "staff", "viewer"))


def test_the_settings_refuse_the_caring_mothers_role_at_start_up(tmp_path):
    result = setup_django({**DEV, "OTP_REQUIRED_ROLES": "admin,volunteer"}, tmp_path)
    assert result.returncode != 0
    assert "OTP_REQUIRED_ROLES: 'volunteer'" in result.stderr


def test_a_superuser_counts_as_an_administrator(superuser):
    assert twofactor.otp_required(superuser)


def test_staff_are_not_required_by_default(staff_lishi):
    assert not twofactor.otp_required(staff_lishi)


# --- enrolment ------------------------------------------------------------------------------------

def test_the_enrolment_page_shows_a_qr_code_and_the_secret(client, admin_lishi):
    client.force_login(admin_lishi)
    page = client.get(SETUP_URL).content.decode()
    secret = twofactor.secret_base32(client.session[twofactor.SETUP_KEY])
    assert ("<svg" in page, secret in page) == (True, True)


def test_enrolment_with_the_right_code_shows_ten_recovery_codes(client, admin_lishi, frozen):
    client.force_login(admin_lishi)
    client.get(SETUP_URL)
    response = client.post(SETUP_URL, {"code": code(client.session[twofactor.SETUP_KEY])})
    assert (response.status_code, len(response.context["codes"])) == (200, 10)


def test_enrolment_confirms_the_device_and_is_audited(client, admin_lishi, frozen):
    client.force_login(admin_lishi)
    client.get(SETUP_URL)
    client.post(SETUP_URL, {"code": code(client.session[twofactor.SETUP_KEY])})
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(admin_lishi.pk))
    assert (twofactor.has_device(admin_lishi), event.changes) == (True, {"otp": [False, True]})


def test_enrolment_with_a_wrong_code_stores_nothing(client, admin_lishi, frozen):
    client.force_login(admin_lishi)
    client.get(SETUP_URL)
    response = client.post(SETUP_URL, {"code": wrong(client.session[twofactor.SETUP_KEY])})
    assert (response.status_code, list(response.context["form"].errors)) == (400, ["code"])
    assert not TOTPDevice.objects.exists()


def test_an_administrator_not_enrolled_is_sent_to_enrolment_from_every_page(client, admin_lishi):
    client.force_login(admin_lishi)
    response = client.get("/children/")
    assert (response.status_code, response["Location"]) == (302, SETUP_URL)


def test_an_administrator_not_enrolled_is_refused_the_api_with_her_session(client, admin_lishi):
    client.force_login(admin_lishi)
    assert client.get("/api/v1/me/").status_code == 403


def test_after_enrolment_the_pages_open(client, admin_lishi, frozen):
    client.force_login(admin_lishi)
    client.get(SETUP_URL)
    client.post(SETUP_URL, {"code": code(client.session[twofactor.SETUP_KEY])})
    assert client.get("/children/").status_code == 200


def test_staff_not_required_see_the_pages_without_enrolling(client, staff_lishi):
    client.force_login(staff_lishi)
    assert client.get("/children/").status_code == 200


# --- the login's code step ------------------------------------------------------------------------

def test_the_password_alone_does_not_sign_an_enrolled_administrator_in(client, enrolled):
    response = password_step(client)
    assert (response.status_code, response["Location"], signed_in(client)) == (302, CODE_URL, None)


def test_the_right_code_signs_her_in(client, admin_lishi, enrolled):
    password_step(client)
    response = client.post(CODE_URL, {"code": code()})
    assert (response.status_code, signed_in(client)) == (302, str(admin_lishi.pk))
    assert client.get("/children/").status_code == 200


def test_the_code_step_goes_back_to_the_page_asked_for(client, enrolled):
    client.post(LOGIN_URL + "?next=/children/", {"username": "admin_lishi", "password": PASSWORD,
                                                  "next": "/children/"})
    assert client.post(CODE_URL, {"code": code()})["Location"] == "/children/"


def test_a_wrong_code_is_refused(client, enrolled):
    password_step(client)
    response = client.post(CODE_URL, {"code": wrong()})
    assert (response.status_code, signed_in(client)) == (400, None)


def test_a_used_code_is_not_taken_twice(client, enrolled):
    password_step(client)
    used = code()
    client.post(CODE_URL, {"code": used})
    client.logout()
    password_step(client)
    assert client.post(CODE_URL, {"code": used}).status_code == 400


def test_five_wrong_codes_lock_the_account(client, enrolled):
    password_step(client)
    for _n in range(4):
        client.post(CODE_URL, {"code": wrong()})
    assert client.post(CODE_URL, {"code": wrong()}).status_code == 429


def test_after_the_lockout_the_password_is_refused_too(client, enrolled):
    password_step(client)
    for _n in range(5):
        client.post(CODE_URL, {"code": wrong()})
    response = password_step(client)
    assert (response.status_code, signed_in(client)) == (429, None)


def test_wrong_passwords_and_wrong_codes_add_up(client, enrolled):
    for _n in range(3):
        client.post(LOGIN_URL, {"username": "admin_lishi", "password": "wrong-password"})
    password_step(client)
    client.post(CODE_URL, {"code": wrong()})
    response = client.post(CODE_URL, {"code": wrong()})
    assert (response.status_code, html.escape(lockout_message()) in response.content.decode()) == (429, True)


def test_a_right_password_does_not_reset_the_wrong_codes(client, enrolled):
    for _n in range(2):
        password_step(client)
        client.post(CODE_URL, {"code": wrong()})
        client.post(CODE_URL, {"code": wrong()})
    password_step(client)
    assert client.post(CODE_URL, {"code": wrong()}).status_code == 429


def test_the_code_step_expires(client, enrolled, frozen):
    password_step(client)
    frozen.shift(6 * 60)
    response = client.post(CODE_URL, {"code": code()})
    assert (response["Location"], signed_in(client)) == (LOGIN_URL, None)


def test_the_code_step_without_a_password_goes_to_the_login_page(client, enrolled):
    assert client.get(CODE_URL)["Location"] == LOGIN_URL


def test_a_recovery_code_signs_her_in(client, admin_lishi, enrolled):
    password_step(client)
    client.post(CODE_URL, {"code": enrolled[0].upper()})
    assert signed_in(client) == str(admin_lishi.pk)


def test_a_recovery_code_works_once(client, enrolled):
    password_step(client)
    client.post(CODE_URL, {"code": enrolled[0]})
    client.logout()
    password_step(client)
    assert client.post(CODE_URL, {"code": enrolled[0]}).status_code == 400


def test_an_enrolled_administrators_session_without_the_code_is_ended(client, admin_lishi, enrolled):
    client.force_login(admin_lishi)  # a password-only session (from before, or another way in)
    response = client.get("/children/")
    assert (response.status_code, response["Location"], signed_in(client)) == (302, "/login/?next=/children/", None)


def test_a_caring_mother_is_never_asked(client, volunteer_lishi, settings):
    settings.OTP_REQUIRED_ROLES = frozenset({"admin", "staff", "viewer"})
    password_step(client, "volunteer_lishi")
    assert (signed_in(client), client.get("/m/").status_code) == (str(volunteer_lishi.pk), 200)


def test_the_django_admins_login_page_is_ours(client):
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/login/?next=/admin/"


def test_with_the_requirement_off_an_enrolled_administrator_logs_in_with_her_password(client, admin_lishi, enrolled,
                                                                                          settings):
    settings.OTP_REQUIRED_ROLES = frozenset()
    password_step(client)
    assert signed_in(client) == str(admin_lishi.pk)


# --- recovery codes and removal -------------------------------------------------------------------

@pytest.fixture
def verified(client, enrolled, frozen):
    """admin_lishi signed in with her code; the clock then moves on a minute."""
    password_step(client)
    client.post(CODE_URL, {"code": code()})
    frozen.shift(60)
    return client


def test_new_recovery_codes_need_a_current_code(verified, enrolled):
    response = verified.post("/two-factor/recovery-codes/", {"code": wrong()})
    assert response.status_code == 400
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(enrolled)


def test_new_recovery_codes_replace_the_old_ones(verified, enrolled):
    response = verified.post("/two-factor/recovery-codes/", {"code": code()})
    new = set(StaticToken.objects.values_list("token", flat=True))
    assert (set(response.context["codes"]) == new, new & set(enrolled)) == (True, set())


def test_new_recovery_codes_are_audited(verified, admin_lishi):
    verified.post("/two-factor/recovery-codes/", {"code": code()})
    assert AuditEvent.objects.filter(changes={"recovery_codes": [10, 10]}, target_id=str(admin_lishi.pk)).exists()


def test_removing_the_app_needs_a_current_code(verified, admin_lishi):
    assert verified.post("/two-factor/remove/", {"code": wrong()}).status_code == 400
    assert twofactor.has_device(admin_lishi)


def test_removing_the_app_is_audited_and_sends_her_back_to_enrolment(verified, admin_lishi):
    verified.post("/two-factor/remove/", {"code": code()})
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(admin_lishi.pk)).first()
    assert (event.changes, twofactor.has_device(admin_lishi)) == ({"otp": [True, False]}, False)
    assert verified.get("/children/")["Location"] == SETUP_URL


# --- the API's token login ------------------------------------------------------------------------

def token_login(api_client, **extra):
    return api_client.post(TOKEN_URL, {"username": "admin_lishi", "password": PASSWORD, **extra}, format="json")


def test_the_token_needs_the_code(api_client, enrolled):
    response = token_login(api_client)
    assert (response.status_code, response.json()["otp_required"]) == (401, True)
    assert "otp" in response.json()["otp"][0] and "验证" in response.json()["otp"][0]


def test_the_token_is_issued_with_the_right_code(api_client, admin_lishi, enrolled):
    response = token_login(api_client, otp=code())
    assert response.json() == {"token": Token.objects.get(user=admin_lishi).key}


def test_the_token_is_issued_with_a_recovery_code_once(api_client, enrolled):
    assert token_login(api_client, otp=enrolled[1]).status_code == 200
    assert token_login(api_client, otp=enrolled[1]).status_code == 401


def test_a_replayed_code_gets_no_second_token(api_client, admin_lishi, enrolled):
    same = code()
    assert token_login(api_client, otp=same).status_code == 200
    Token.objects.filter(user=admin_lishi).delete()
    response = token_login(api_client, otp=same)
    assert (response.status_code, response.json()["otp_required"]) == (401, True)
    assert not Token.objects.filter(user=admin_lishi).exists()


def test_a_wrong_code_gets_no_token(api_client, admin_lishi, enrolled):
    response = token_login(api_client, otp=wrong())
    assert (response.status_code, sorted(response.json())) == (401, ["otp", "otp_required"])
    assert not Token.objects.filter(user=admin_lishi).exists()


def test_five_wrong_codes_lock_the_token_login(api_client, enrolled):
    for _n in range(4):
        token_login(api_client, otp=wrong())
    response = token_login(api_client, otp=wrong())
    assert (response.status_code, response.json()) == (429, {"detail": lockout_message()})
    assert token_login(api_client, otp=code()).status_code == 429


def test_a_missing_code_does_not_count_toward_the_lockout(api_client, enrolled):
    for _n in range(6):
        token_login(api_client)
    assert not AccessAttempt.objects.exists()


def test_an_administrator_not_enrolled_gets_no_token(api_client, admin_lishi):
    response = token_login(api_client, otp="123456")
    assert (response.status_code, response.json()["otp_required"]) == (401, True)


def test_staff_get_a_token_without_a_code(api_client, staff_lishi):
    response = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_the_enrolment_code_expires_with_the_step(admin_lishi, frozen):
    old = code()
    frozen.shift(timedelta(minutes=5).total_seconds())
    assert twofactor.totp_matches(KEY, old) is None


def test_the_audit_log_names_the_change_in_chinese():
    with translation.override("zh-hans"):
        assert (key_label("otp", "accounts.user"), key_label("recovery_codes", "accounts.user")) == ("两步验证", "恢复码")
