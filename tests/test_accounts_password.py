"""The "Change password" page (/password/): every signed-in user changes their own password through
accounts.services.user_set_password — audited, API tokens revoked — and stays signed in."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import AuditAction, AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nw8#tq4Lz"
URL = reverse("password_change")


def change(client, *, old: str = PASSWORD, new: str = NEW_PASSWORD, repeat: str | None = None):
    return client.post(URL, {"old_password": old, "new_password1": new,
                             "new_password2": new if repeat is None else repeat})


def test_the_page_shows_the_form(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(URL)
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"old_password", "new_password1", "new_password2"}


def test_anonymous_is_sent_to_the_login_page(client, regions):
    response = client.get(URL)
    assert (response.status_code, response.url.startswith(reverse("login"))) == (302, True)


def test_changing_the_password_sets_it(client, staff_lishi):
    client.force_login(staff_lishi)
    change(client)
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password(NEW_PASSWORD)


def test_changing_the_password_leads_home_with_a_message(client, staff_lishi):
    client.force_login(staff_lishi)
    response = change(client)
    assert (response.status_code, response.url) == (302, "/")
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_the_browser_stays_signed_in(client, staff_lishi):
    client.force_login(staff_lishi)
    change(client)
    assert client.get(reverse("home")).status_code == 200


def test_the_change_is_audited_as_the_users_own(client, staff_lishi):
    client.force_login(staff_lishi)
    change(client)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD)
    assert (event.actor, event.target_id, event.changes) == (staff_lishi, str(staff_lishi.pk), {})


def test_the_change_revokes_the_users_api_tokens(client, staff_lishi):
    Token.objects.create(user=staff_lishi)
    client.force_login(staff_lishi)
    change(client)
    assert not Token.objects.filter(user=staff_lishi).exists()


def test_a_caring_mother_changes_hers_too(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    assert change(client).status_code == 302
    volunteer_lishi.refresh_from_db()
    assert volunteer_lishi.check_password(NEW_PASSWORD)


def test_a_wrong_old_password_changes_nothing(client, staff_lishi):
    client.force_login(staff_lishi)
    response = change(client, old="not-my-password")
    assert (response.status_code, list(response.context["form"].errors)) == (200, ["old_password"])
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD).exists()


def test_a_mismatched_repeat_changes_nothing(client, staff_lishi):
    client.force_login(staff_lishi)
    response = change(client, repeat=NEW_PASSWORD + "x")
    assert (response.status_code, list(response.context["form"].errors)) == (200, ["new_password2"])
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password(PASSWORD)


def test_a_weak_password_is_refused_on_the_form(client, staff_lishi):
    client.force_login(staff_lishi)
    response = change(client, new="12345678")
    assert (response.status_code, "new_password2" in response.context["form"].errors) == (200, True)
    staff_lishi.refresh_from_db()
    assert staff_lishi.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD).exists()
