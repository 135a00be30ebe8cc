from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts import services
from accounts.forms import PasswordChangeForm, UserCreateForm
from accounts.home import home_todo
from accounts.models import Region, User
from accounts.roles import Role
from children.selectors import transfer_destinations
from children.services import EDIT_MESSAGE
from core import regioncodes
from core.access import EDIT, MANAGE, READ, SIGNED_IN, allowed, is_volunteer, require
from core.forms import attach_service_errors
from core.regions import region_search as search_regions
from core.widgets import MANAGE as MANAGE_SCOPE
from core.widgets import SCOPES, TRANSFER


@require(SIGNED_IN)
def home(request):
    user = request.user
    if is_volunteer(user):
        return redirect("phone:home")
    region = user.region
    return render(request, "home.html", {
        "region": region,
        "region_path": region.path_name() if region else _("All regions"),
        # The to-do list with its counts, and the sub-region tiles (accounts.home): a fixed number of queries.
        "home": home_todo(user, timezone.localdate()),
    })


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """Liveness for load balancers and docker-compose: the database answers (and Redis, when configured)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # pragma: no cover - reported, not raised
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # pragma: no cover
            checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@require(MANAGE)
def user_list(request):
    users = User.objects.visible_to(request.user).select_related("region").order_by("region_id", "username")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(name__icontains=q) | Q(phone__contains=q))
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role=role)
    status = request.GET.get("status", "")
    if status in ("active", "inactive"):
        users = users.filter(is_active=status == "active")
    region = request.GET.get("region", "").strip()
    if region and regioncodes.is_valid_code(region):
        users = users.filter(regioncodes.subtree_q("region", region))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {
        "page": page, "q": q, "role": role, "status": status, "roles": Role.choices,
    })


@require(MANAGE)
def user_create(request):
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user, username=data["username"], password=data["password"], role=data["role"],
                region=data["region"], name=data["name"], phone=data["phone"],
            )
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user})
            return redirect("accounts:user-detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@require(MANAGE)
def user_detail(request, pk: int):
    target = get_object_or_404(User.objects.visible_to(request.user).select_related("region", "created_by"), pk=pk)
    return render(request, "accounts/user_detail.html", {"target": target})


def _toggle(request, pk: int, action, done_message: str):
    target = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    try:
        action(actor=request.user, user=target)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done_message % {"name": target})
    return redirect("accounts:user-detail", pk=pk)


@require(MANAGE)
@require_POST
def user_deactivate(request, pk: int):
    return _toggle(request, pk, services.user_deactivate, _("%(name)s can no longer log in."))


@require(MANAGE)
@require_POST
def user_reactivate(request, pk: int):
    return _toggle(request, pk, services.user_reactivate, _("%(name)s can log in again."))


@require(MANAGE)
def region_list(request, code: str | None = None):
    """Browse the region tree below the user's region; admins add townships and villages here."""
    visible = Region.objects.visible_to(request.user)
    root_code = code or request.user.region_id
    if root_code is None:
        current = None
        children = visible.filter(parent__isnull=True)
    else:
        current = get_object_or_404(visible, code=root_code)
        children = visible.filter(parent=current)
    children = children.annotate(n_sub=Count("subregions"), n_users=Count("users")).order_by("code")
    error = None
    if request.method == "POST":
        try:
            region = services.region_create(actor=request.user, code=request.POST.get("code", ""),
                                            name=request.POST.get("name", ""))
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("Region %(name)s added.") % {"name": region.name})
            return redirect(request.path)
    return render(request, "accounts/region_list.html", {
        "current": current, "ancestors": current.ancestors() if current else [], "children": children,
        "can_add": current is not None and current.level in ("county", "township")
        and Region.objects.manageable_by(request.user).filter(pk=current.pk).exists(),
        "error": error, "post": request.POST,
    })


@require(READ)
@require_safe
def region_search(request):
    """The region picker's search (core.widgets): ``?q=`` (part of a name, or the leading digits of a
    code), ``levels=county,township,village`` (default: every level), ``scope=manage`` (the user's own
    subtree, the default) or ``scope=transfer`` (where they may move a child: editors only) →
    ``[{code, name, path, level}]``, at most 20, higher levels first. Bad input is a 400 naming the
    parameter; nothing outside the scope is ever listed."""
    user = request.user
    scope = request.GET.get("scope") or MANAGE_SCOPE
    levels = [level for level in (request.GET.get("levels") or "").split(",") if level] or list(regioncodes.LEVELS)
    errors = {}
    if scope not in SCOPES:
        errors["scope"] = [_("Unknown search scope “%(value)s”: use manage or transfer.") % {"value": scope[:20]}]
    unknown = [level for level in levels if level not in regioncodes.LEVELS]
    if unknown:
        errors["levels"] = [_("Unknown region level “%(value)s”: use province, city, county, township or village.")
                            % {"value": unknown[0][:20]}]
    if errors:
        return JsonResponse(errors, status=400, json_dumps_params={"ensure_ascii": False})
    if scope == TRANSFER and not allowed(user, EDIT):
        raise PermissionDenied(EDIT_MESSAGE)
    regions = transfer_destinations(user) if scope == TRANSFER else Region.objects.manageable_by(user)
    found = search_regions(regions, text=request.GET.get("q", ""), levels=levels, with_province=not user.region_id)
    return JsonResponse(found, safe=False, json_dumps_params={"ensure_ascii": False})


@require(SIGNED_IN)
@require_POST
def logout_everywhere(request):
    """End all of the user's sessions and API tokens (accounts.services.user_log_out_everywhere), then
    this one: the button on the password page."""
    services.user_log_out_everywhere(actor=request.user, user=request.user)
    logout(request)
    messages.success(request, _("You have been logged out on every computer and phone."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require(SIGNED_IN)
@sensitive_post_parameters()
@never_cache
def password_change(request):
    """Everyone changes their own password here: Django's form checks the old one and the repeat,
    accounts.services.user_set_password sets it (audited; the user's API tokens are revoked). This
    browser stays signed in."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_set_password(actor=request.user, user=request.user,
                                              password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("/")
    return render(request, "registration/password_change_form.html", {"form": form})
