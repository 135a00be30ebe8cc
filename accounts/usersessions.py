"""One's own signed-in sessions: where she is signed in (browser, address, last seen) and ending the
others (the page /sessions/, accounts.usersessions_views; the ending is accounts.services.session_end).

A row (accounts.models.UserSession) is written when she logs in (``user_logged_in``), and its last use
at most once per :data:`TOUCH_EVERY` after a request (:class:`SessionActivityMiddleware`) — also for a
session that has none yet (a key cycled by a password change, a session from before this page). When
it was last written is kept in the cache, not in the session: writing the session would make staff
sessions slide (only caring mothers' do, accounts.tokens). Logging
out deletes it; "log out everywhere" and a new password delete them all (accounts.services). The
sessions themselves are Django's; a row whose session has expired is not listed.
"""

from datetime import datetime, timedelta

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import UserSession
from core.request_context import client_ip

TOUCH_EVERY = timedelta(minutes=1)


def _cache_key(session_key: str) -> str:
    return f"accounts.usersession.seen:{session_key}"


def _record(request, user, now: datetime) -> None:
    session = request.session
    key = session.session_key
    if not key:
        return
    updated = UserSession.objects.filter(session_key=key).update(last_seen=now)
    if not updated:
        UserSession.objects.update_or_create(session_key=key, defaults={
            "user": user, "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300], "ip": client_ip(request),
            "started_at": now, "last_seen": now})
    cache.set(_cache_key(key), True, timeout=int(TOUCH_EVERY.total_seconds()))


def session_started(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the new session's row."""
    if hasattr(request, "session"):
        _record(request, user, timezone.now())


def session_ended(sender, request, user, **kwargs) -> None:
    """``user_logged_out``: its row goes (before Django empties the session)."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


class SessionActivityMiddleware:
    """After the view: note the signed-in session's last use, at most once per TOUCH_EVERY."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        key = session.session_key
        # Only her own signed-in browser session: never one for a request that came with a token.
        if not key or session.get(SESSION_KEY) != str(user.pk):
            return response
        if not cache.get(_cache_key(key)):
            _record(request, user, timezone.now())
        return response


def active_sessions(user) -> list[UserSession]:
    """``user``'s sessions that have not expired, the last used first: two queries."""
    rows = list(UserSession.objects.filter(user=user).order_by("-last_seen", "-pk"))
    alive = set(Session.objects.filter(session_key__in=[row.session_key for row in rows],
                                       expire_date__gt=timezone.now()).values_list("session_key", flat=True))
    return [row for row in rows if row.session_key in alive]


BROWSERS = (("MicroMessenger", gettext_lazy("WeChat")), ("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Chromium/", "Chromium"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("Linux", "Linux"))


def device_label(user_agent: str) -> str:
    """A browser's User-Agent in a few words: "Chrome · Windows"; "Unknown browser" when it says nothing."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    return " · ".join(str(part) for part in (browser, system) if part) or _("Unknown browser")
