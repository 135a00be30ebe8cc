"""Two-factor login for the roles in settings.OTP_REQUIRED_ROLES (default: administrators; a superuser
counts as one), with django-otp: a TOTP authenticator app, and 10 single-use recovery codes.

- Enrolment (/two-factor/, accounts.twofactor_views): a QR code and the secret, confirmed by a code;
  the recovery codes are then shown once. Regenerating the codes or removing the app needs a current
  code. Each change is audited (accounts.services.otp_enrol …).
- Web login: after the password, a user whose role requires it and who has enrolled gives a code on a
  second step (/login/code/); only then is she signed in. One whose role requires it but who has not
  enrolled is signed in with her password and then sees nothing but the enrolment page
  (:class:`OTPRequiredMiddleware`, default-deny) until she has enrolled.
- API token (POST /api/v1/auth/token/): the same roles send ``otp`` with the password.
- Wrong codes are failed logins to django-axes: they count toward the same lockout as wrong passwords
  (LOGIN_FAILURE_LIMIT per LOGIN_LOCKOUT_MINUTES, by user name), so 6 digits cannot be tried through.
- Caring mothers are never asked (their phones are basic): their password and the lockout, as before.
"""

from base64 import b32encode
from binascii import unhexlify
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from core.access import role_of

# How many recovery codes a user gets, each usable once.
RECOVERY_CODES = 10
# Where the session keeps a login waiting for its code (user, backend, when, where to go next).
PENDING_KEY = "_otp_pending"
# How long the code step waits after the password.
PENDING_FOR = timedelta(minutes=5)
# Where the session keeps the secret being enrolled until a code confirms it.
SETUP_KEY = "_otp_setup_key"


def otp_required(user) -> bool:
    """Whether ``user``'s role must give a second factor (OTP_REQUIRED_ROLES; a superuser is an admin)."""
    return role_of(user) in settings.OTP_REQUIRED_ROLES


def totp_device(user) -> TOTPDevice | None:
    """``user``'s confirmed authenticator app, if she enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user).first()
    return device.token_set.count() if device is not None else 0


def normalise(code: str) -> str:
    """A code as typed: spaces and dashes dropped, lower case (recovery codes are shown grouped)."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").lower()


def new_secret() -> str:
    """A new TOTP secret: 20 random bytes, hex (as TOTPDevice.key keeps it)."""
    return random_hex(20)


def secret_base32(key: str) -> str:
    """The secret as an authenticator app takes it by hand: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def setup_url(key: str, username: str) -> str:
    """The otpauth:// address the QR code holds (as TOTPDevice.config_url says it, issuer first)."""
    issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
    params = urlencode({"secret": b32encode(unhexlify(key)), "algorithm": "SHA1", "digits": 6, "period": 30})
    return f"otpauth://totp/{quote(f'{issuer}:{username}')}?{params}&issuer={quote(issuer)}"


def qr_svg(text: str) -> str:
    """``text`` as a QR code, inline SVG (segno; drawn here, no outside service)."""
    return segno.make(text, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def totp_matches(key: str, code: str, *, now: datetime | None = None) -> int | None:
    """The time step at which ``code`` is ``key``'s (one step either way allowed), or None."""
    code = normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = TOTP(unhexlify(key))
    totp.time = (now or timezone.now()).timestamp()
    return totp.t() if totp.verify(int(code), tolerance=1) else None


# --- the lockout ----------------------------------------------------------------------------------

def is_locked(request, username: str) -> bool:
    """Whether django-axes has locked ``username`` (wrong passwords and wrong codes alike)."""
    return AxesProxyHandler.is_locked(request, {"username": username})


def count_failure(request, username: str) -> None:
    """A wrong code is a failed login to django-axes: it counts toward the lockout, and the one that
    reaches the limit makes the response a 429 (axes.middleware.AxesMiddleware)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


# --- the pending login (between the password and the code) ---------------------------------------

def start_pending(request, user, *, next_url: str) -> None:
    request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "at": timezone.now().isoformat(),
                                    "next": next_url}


def pending(request) -> dict | None:
    """The login waiting for its code in this session, unless it is older than PENDING_FOR."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    try:
        started = datetime.fromisoformat(data["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.now() - started > PENDING_FOR:
        request.session.pop(PENDING_KEY, None)
        return None
    return data


# --- pages: default-deny until the second factor --------------------------------------------------

def _open_paths() -> tuple[str, ...]:
    """What a user who must enrol may still open: the enrolment page, logging out, static files, the
    health check and the API's token login (which asks for the code itself)."""
    return (reverse("otp-setup"), reverse("logout"), reverse("healthz"), reverse("api-token"), settings.STATIC_URL)


class OTPRequiredMiddleware:
    """After django-otp's OTPMiddleware and the login requirement: a signed-in user whose role must give
    a second factor and whose session has not — she has not enrolled yet — is sent to the enrolment page
    from every other page (the API answers 403). A session signed in with a password alone although the
    user has enrolled (from before the requirement, or another way in) is ended: she logs in again, with
    her code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not otp_required(user) or user.is_verified():
            return self.get_response(request)
        path = request.path_info
        if path.startswith(_open_paths()):
            return self.get_response(request)
        if has_device(user):
            logout(request)
            return redirect_to_login(request.get_full_path())
        if path.startswith("/api/"):
            return JsonResponse({"detail": _("Set up two-factor login on the web page first.")}, status=403)
        return redirect("otp-setup")
