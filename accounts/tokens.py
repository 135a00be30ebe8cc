"""How long a login lasts without being used: API tokens and the caring mothers' phone sessions.

- An API token (``Authorization: Token <key>``, rest_framework.authtoken) expires after its owner's
  idle limit unused — settings.TOKEN_IDLE_VOLUNTEER for a caring mother, TOKEN_IDLE_STAFF for everyone
  else. Every use renews it: its last use (accounts.models.TokenActivity) is written at most once per
  :data:`RENEW_EVERY`, not on every request. An expired token answers 401 with a message saying so and
  is deleted; ``POST /api/v1/auth/token/`` then gives a new one.
- The phone pages (/m/) and the phone's sync (``fetch`` with the session cookie) use the browser
  session, not a token. Its "silent renewal" is a sliding session: while a caring mother is signed in,
  each request (at most once per :data:`RENEW_EVERY`) sets her session to end TOKEN_IDLE_VOLUNTEER
  from now, and the session cookie is sent again with that age. She signs in again only after that
  long without opening the app. Other users' sessions keep SESSION_COOKIE_AGE from their login.

Tokens are revoked (deleted) when the password is set, the login is deactivated, or the user logs
out everywhere (accounts.services).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from accounts.models import TokenActivity
from accounts.roles import Role
from core.access import is_volunteer
from core.prepared import PreparedQuery

# A use renews a token or a phone session only when the last renewal is older than this.
RENEW_EVERY = timedelta(minutes=1)
# Where a phone session keeps the time of its last renewal (an ISO timestamp).
SESSION_RENEWED_KEY = "_renewed_at"

EXPIRED = _("Your login has expired because it was not used for a long time. Please log in again.")


def idle_limit(user) -> timedelta:
    """How long ``user``'s token (or phone session) lasts unused."""
    if not user.is_superuser and user.role == Role.VOLUNTEER:
        return settings.TOKEN_IDLE_VOLUNTEER
    return settings.TOKEN_IDLE_STAFF


def last_used(token: Token) -> datetime:
    """When ``token`` was last used (renewed), or created if never since."""
    try:
        return token.activity.last_used
    except TokenActivity.DoesNotExist:
        return token.created


def is_expired(token: Token, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return now - last_used(token) > idle_limit(token.user)


def touch(token: Token, *, now: datetime | None = None) -> None:
    """Record a use of ``token`` unless one was recorded within RENEW_EVERY (so not a write per request)."""
    now = now or timezone.now()
    if now - last_used(token) < RENEW_EVERY:
        return
    activity, _created = TokenActivity.objects.update_or_create(token=token, defaults={"last_used": now})
    token.activity = activity


_TOKEN = PreparedQuery(Token, lambda *, key: Token.objects.select_related("user", "user__volunteer", "activity")
                       .filter(key=key))


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with the idle expiry above."""

    def authenticate_credentials(self, key):
        # With a caring mother's Volunteer row (user.volunteer), which her phone's calls need (recording a
        # visit): one query either way, compiled once per process (core.prepared).
        found = _TOKEN.rows(key=key)
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = found[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if is_expired(token, now=now):
            token.delete()
            raise exceptions.AuthenticationFailed(EXPIRED, code="token_expired")
        touch(token, now=now)
        return token.user, token


def _renew_session(session, user, now: datetime) -> None:
    session[SESSION_RENEWED_KEY] = now.isoformat()
    session.set_expiry(int(idle_limit(user).total_seconds()))


def start_phone_session(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: a caring mother's session lasts TOKEN_IDLE_VOLUNTEER from her login."""
    if is_volunteer(user) and hasattr(request, "session"):
        _renew_session(request.session, user, timezone.now())


class PhoneSessionMiddleware:
    """Slides a caring mother's session (see the module's docstring), after the view, so a logout is
    left alone. Her login started it (:func:`start_phone_session`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if not is_volunteer(user):
            return response
        session = request.session
        # Only her own signed-in browser session: never start one for a request that came with a token.
        if not session.session_key or session.get(SESSION_KEY) != str(user.pk):
            return response
        now = timezone.now()
        renewed = session.get(SESSION_RENEWED_KEY)
        try:
            recent = renewed is not None and now - datetime.fromisoformat(renewed) < RENEW_EVERY
        except (TypeError, ValueError):
            recent = False
        if not recent:
            _renew_session(session, user, now)
        return response
