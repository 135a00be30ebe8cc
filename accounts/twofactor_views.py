"""The pages of two-factor login (accounts.twofactor): the login's second step, enrolment, recovery
codes and removing the app; and the pages of one's own sessions (accounts.usersessions)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import services, twofactor, usersessions
from accounts.forms import LoginForm
from accounts.lockout import lockout_response
from accounts.models import UserSession
from core.access import READ, SIGNED_IN, require
from core.forms import attach_service_errors


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Verification code"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                                         "autofocus": True}),
                           help_text=gettext_lazy("The 6 digits your authenticator app shows now, or one of "
                                                  "your recovery codes."))


class LoginView(auth_views.LoginView):
    """Django's login page; after the password, a user who must give a second factor and has enrolled
    is not signed in yet but sent to the code step (the pending login is kept in the session)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.otp_required(user) and twofactor.has_device(user):
            twofactor.start_pending(self.request, user, next_url=self.get_success_url())
            return redirect("login-otp")
        return super().form_valid(form)


@login_not_required
def admin_login(request):
    """The Django admin's login page would sign in with the password alone: ours, which asks for the
    code when the role requires it, and then back to the admin."""
    return redirect_to_login(_safe_next(request, request.GET.get("next", "")) if request.GET.get("next")
                             else reverse("admin:index"))


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return "/"


@login_not_required
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The login's second step: the code from the app, or a recovery code. A wrong one is a failed login
    (django-axes: the same lockout as wrong passwords)."""
    if request.user.is_authenticated:
        return redirect("home")
    data = twofactor.pending(request)
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first() if data else None
    if user is None:
        messages.info(request, _("Log in with your user name and password first."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if twofactor.is_locked(request, user.username):
            request.session.pop(twofactor.PENDING_KEY, None)
            return lockout_response(request)
        if form.is_valid():
            device = services.otp_verify(user=user, code=form.cleaned_data["code"])
            if device is not None:
                request.session.pop(twofactor.PENDING_KEY, None)
                auth_login(request, user, backend=data["backend"])
                otp_login(request, device)
                if isinstance(device, StaticDevice):
                    messages.warning(request, _("You used a recovery code; %(count)s left. Each works once.")
                                     % {"count": twofactor.recovery_codes_left(user)})
                return redirect(_safe_next(request, data.get("next", "")))
            twofactor.count_failure(request, user.username)
            form.add_error("code", _("The code is wrong or has expired."))
    return render(request, "registration/login_code.html", {"form": form}, status=400 if form.errors else 200)


def _setup_context(request) -> dict:
    key = request.session.get(twofactor.SETUP_KEY)
    if not key:
        key = request.session[twofactor.SETUP_KEY] = twofactor.new_secret()
    url = twofactor.setup_url(key, request.user.get_username())
    return {"qr": mark_safe(twofactor.qr_svg(url)), "secret": twofactor.secret_base32(key)}  # segno's own SVG


def _page(request, *, form=None, status=200, codes=None, recovery_form=None, remove_form=None):
    user = request.user
    enrolled = twofactor.has_device(user)
    context = {
        "enrolled": enrolled, "required": twofactor.otp_required(user), "codes": codes,
        "codes_left": twofactor.recovery_codes_left(user) if enrolled else 0,
        "form": form or CodeForm(),
        "recovery_form": recovery_form or CodeForm(auto_id="recovery_%s"),
        "remove_form": remove_form or CodeForm(auto_id="remove_%s"),
    }
    if not enrolled and codes is None:
        context.update(_setup_context(request))
    return render(request, "accounts/twofactor.html", context, status=status)


@require(READ)
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """两步验证: enrol (the QR code, the secret, a code to confirm; then the recovery codes, once), or
    when enrolled, new recovery codes and removing the app."""
    if request.method == "GET" or twofactor.has_device(request.user):
        return _page(request)
    form = CodeForm(request.POST)
    key = request.session.get(twofactor.SETUP_KEY)
    if form.is_valid() and key:
        try:
            device, codes = services.otp_enrol(actor=request.user, key=key, code=form.cleaned_data["code"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            request.session.pop(twofactor.SETUP_KEY, None)
            otp_login(request, device)
            messages.success(request, _("Two-factor login is set up."))
            return _page(request, codes=codes)
    return _page(request, form=form, status=400)


@require(READ)
@sensitive_post_parameters()
@never_cache
@require_POST
def otp_recovery_codes(request):
    """New recovery codes (the old ones stop working), given a current code; shown once."""
    form = CodeForm(request.POST, auto_id="recovery_%s")
    if form.is_valid():
        try:
            codes = services.otp_recovery_codes_regenerate(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("New recovery codes made; the old ones no longer work."))
            return _page(request, codes=codes)
    return _page(request, recovery_form=form, status=400)


@require(READ)
@sensitive_post_parameters()
@never_cache
@require_POST
def otp_remove(request):
    """Remove the authenticator app and the recovery codes, given a current code."""
    form = CodeForm(request.POST, auto_id="remove_%s")
    if form.is_valid():
        try:
            services.otp_remove(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("Two-factor login is removed."))
            return redirect("otp-setup")
    return _page(request, remove_form=form, status=400)


# --- one's own sessions ---------------------------------------------------------------------------

@require(SIGNED_IN)
@require_safe
def session_list(request):
    """登录设备: where the user is signed in, this browser marked; end one or all the others."""
    current = request.session.session_key
    rows = [{"pk": row.pk, "device": usersessions.device_label(row.user_agent), "user_agent": row.user_agent,
             "ip": row.ip, "started_at": row.started_at, "last_seen": row.last_seen,
             "current": row.session_key == current}
            for row in usersessions.active_sessions(request.user)]
    return render(request, "accounts/sessions.html", {"sessions": rows,
                                                      "others": sum(not row["current"] for row in rows)})


@require(SIGNED_IN)
@require_POST
def session_end(request, pk: int):
    session = get_object_or_404(UserSession.objects.filter(user=request.user), pk=pk)
    if session.session_key == request.session.session_key:
        messages.error(request, _("This is the browser you are using: log out instead."))
        return redirect("sessions")
    services.session_end(actor=request.user, session=session)
    messages.success(request, _("That session is ended: it must log in again."))
    return redirect("sessions")


@require(SIGNED_IN)
@require_POST
def sessions_end_others(request):
    count = services.sessions_end_others(actor=request.user, keep=request.session.session_key)
    messages.success(request, _("%(count)s other sessions ended.") % {"count": count})
    return redirect("sessions")

