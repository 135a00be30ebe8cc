"""One's own signed-in sessions (accounts.usersessions): listed with browser, address and last use, the
current one marked; ending one or all the others (audited); nobody else's."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts import usersessions
from accounts.models import AuditAction, AuditEvent, UserSession
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/130.0 Safari/537.36")
WECHAT_ANDROID = ("Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.49")


def browser(user, agent: str = CHROME_WINDOWS, address: str = "10.0.0.7") -> Client:
    """A browser that logged ``user`` in through the login page."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def signed_in(client) -> bool:
    return client.get("/sessions/").status_code == 200


def test_a_login_records_the_browser_and_the_address(staff_lishi):
    browser(staff_lishi)
    row = UserSession.objects.get(user=staff_lishi)
    assert (row.user_agent, row.ip) == (CHROME_WINDOWS, "10.0.0.7")


def test_the_list_shows_her_sessions_with_the_current_one_marked(staff_lishi):
    here = browser(staff_lishi)
    browser(staff_lishi, WECHAT_ANDROID, "10.0.0.8")
    rows = here.get("/sessions/").context["sessions"]
    assert sorted((row["device"], row["current"]) for row in rows) == [
        ("Chrome · Windows", True), ("微信 · Android", False)]


def test_the_list_shows_nobody_elses_sessions(staff_lishi, staff_yuci):
    here = browser(staff_lishi)
    browser(staff_yuci)
    assert len(here.get("/sessions/").context["sessions"]) == 1


def test_an_expired_session_is_not_listed(staff_lishi):
    here = browser(staff_lishi)
    other = browser(staff_lishi, WECHAT_ANDROID)
    Session.objects.filter(session_key=other.session.session_key).update(expire_date=timezone.now() - timedelta(1))
    assert len(here.get("/sessions/").context["sessions"]) == 1


def test_the_list_takes_a_fixed_number_of_queries(staff_lishi, django_assert_num_queries):
    here = browser(staff_lishi)
    for _n in range(3):
        browser(staff_lishi, WECHAT_ANDROID)
    # session, user, the rows, which sessions are alive; the navigation's badge.
    with django_assert_num_queries(5):
        here.get("/sessions/")


def test_ending_another_session_logs_that_browser_out(staff_lishi):
    here = browser(staff_lishi)
    there = browser(staff_lishi, WECHAT_ANDROID)
    row = UserSession.objects.get(session_key=there.session.session_key)
    here.post(f"/sessions/{row.pk}/end/")
    assert (signed_in(here), there.get("/sessions/").status_code) == (True, 302)


def test_ending_a_session_is_audited(staff_lishi):
    here = browser(staff_lishi)
    there = browser(staff_lishi, WECHAT_ANDROID, "10.0.0.8")
    here.post(f"/sessions/{UserSession.objects.get(session_key=there.session.session_key).pk}/end/")
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert (event.actor, event.detail["ip"], event.detail["sessions"]) == (staff_lishi, "10.0.0.8", 1)


def test_another_users_session_cannot_be_ended(staff_lishi, staff_yuci):
    here = browser(staff_lishi)
    theirs = browser(staff_yuci)
    row = UserSession.objects.get(user=staff_yuci)
    assert here.post(f"/sessions/{row.pk}/end/").status_code == 404
    assert signed_in(theirs)


def test_the_current_session_is_not_ended_from_the_list(staff_lishi):
    here = browser(staff_lishi)
    here.post(f"/sessions/{UserSession.objects.get(user=staff_lishi).pk}/end/")
    assert signed_in(here)


def test_ending_all_others_keeps_this_one(staff_lishi):
    here = browser(staff_lishi)
    others = [browser(staff_lishi, WECHAT_ANDROID) for _n in range(2)]
    here.post("/sessions/end-others/")
    assert (signed_in(here), [signed_in(c) for c in others]) == (True, [False, False])


def test_ending_all_others_is_one_audit_event(staff_lishi):
    here = browser(staff_lishi)
    for _n in range(2):
        browser(staff_lishi, WECHAT_ANDROID)
    here.post("/sessions/end-others/")
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT).detail == {"sessions": 2}


def test_logging_out_removes_the_row(staff_lishi):
    here = browser(staff_lishi)
    here.post("/logout/")
    assert not UserSession.objects.exists()


def test_logging_out_everywhere_removes_every_row(staff_lishi):
    here = browser(staff_lishi)
    browser(staff_lishi, WECHAT_ANDROID)
    here.post("/logout/everywhere/")
    assert not UserSession.objects.exists()


def test_the_last_use_is_written_at_most_once_a_minute(staff_lishi):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        here = browser(staff_lishi)
        started = UserSession.objects.get().last_seen
        clock.shift(30)
        here.get("/sessions/")
        assert UserSession.objects.get().last_seen == started
        clock.shift(60)
        here.get("/sessions/")
        assert UserSession.objects.get().last_seen == started + timedelta(seconds=90)


def test_a_caring_mother_sees_her_sessions(volunteer_lishi):
    here = browser(volunteer_lishi)
    assert len(here.get("/sessions/").context["sessions"]) == 1


def test_an_unknown_browser_is_named_so():
    assert usersessions.device_label("curl/8.0") == "未知浏览器"
