"""The caring mother's phone pages (/m/): her children, a child's page, "记录一次关爱", her history.

Only caring mothers' logins use them (core.access.PHONE; staff are sent to the staff home or refused). Every read goes through
``Child.objects.visible_to`` / ``Activity.objects.visible_to``, so a child she is not actively paired
with is a 404 (and unnamed in her history). A child is shown by the given name only, and never with
the ID number.
"""

import hashlib
import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from accounts.profile import settings_forms
from activities import photos, rhythm
from activities.models import Activity, ActivityChild, ActivityKind
from activities.phone.forms import LogForm
from activities.services import ActivityConflict, activity_record
from children.models import Child, Guardian, Need, NeedStatus
from children.names import given_name
from core.access import PHONE, SIGNED_IN, is_volunteer, require
from core.forms import attach_service_errors
from pairing.commitments import commitments_for
from pairing.models import Pairing

HISTORY_PAGE_SIZE = 20
PHOTO_URL_ID = "00000000-0000-0000-0000-000000000000"
OPEN_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.CLAIMED)
# What staff are told on a phone page (their pages are elsewhere).
PHONE_ONLY = gettext_lazy("These pages are for caring-mother volunteers.")


# --- her children, with the contact rhythm ---------------------------------------------------------

def my_children(user):
    """Her actively paired children, annotated by activities.rhythm.with_contact (``last_contact``:
    the latest activity with the child, by anyone; ``contact_base``: that, else the lead pairing's
    start): one query, no N+1."""
    return rhythm.with_contact(Child.objects.visible_to(user)).order_by("name", "pk")


def with_due_dates(children: list[Child], *, today: date) -> list[Child]:
    """Set ``next_due_on`` / ``days_overdue`` (the regions' own rhythms: one query), the given name
    and the age on each child."""
    rhythm.attach_due_dates(children, rhythm.load_rhythms({c.region_id for c in children}), today=today)
    for child in children:
        child.given_name = given_name(child.name)
        child.age = child.age_on(today)
    return children


def my_commitments(user, *, today: date, child: Child | None = None) -> dict:
    """``{child id: Progress}``: this year's commitments of her active pairings (of ``child`` only when
    given) — pairing.commitments. Her pairings (one query) and the selector's fixed few."""
    pairings = Pairing.objects.for_volunteer(user).select_related("child")
    if child is not None:
        pairings = pairings.filter(child=child)
    pairings = list(pairings)
    progress = commitments_for(pairings, today=today)
    return {p.child_id: progress[p.pk] for p in pairings if p.pk in progress}


# --- strings and settings for static/phone/app.js ------------------------------------------------

def phone_config(user) -> dict:
    """What app.js needs: where to post, the user it queues for, and its texts (translated here)."""
    return {
        "user": user.pk,
        "api": reverse("activity-list"),
        # Where a queued photo goes: the activity's id in place of the zeros.
        "photos": reverse("activity-photos", args=[PHOTO_URL_ID]),
        # Urgent reports (alerts.views.phone_report) go through the same queue: the report, then its photo.
        "alerts": {"api": reverse("alert-list"), "photos": reverse("alert-photo", args=[PHOTO_URL_ID])},
        # The photo is shrunk on the phone to this long side, as JPEG of this quality (0–1); the server
        # refuses files over photoMaxBytes and re-encodes the rest itself (activities.photos).
        "photo": {"maxSide": photos.MAX_SIDE, "quality": 0.8, "maxBytes": settings.ACTIVITY_PHOTO_MAX_BYTES},
        "serviceWorker": reverse("phone:service-worker"),
        "scope": reverse("phone:home"),
        "warm": [reverse("phone:home"), reverse("phone:log"), reverse("phone:history")],
        "kinds": dict(ActivityKind.choices),
        # Above these app.js asks "is this right?" before queueing, and sends the confirmation flags.
        "confirmAbove": {"participants": settings.ACTIVITY_CONFIRM_PARTICIPANTS,
                         "aid": str(settings.ACTIVITY_AID_CONFIRM_YUAN)},
        "text": {
            "pending": _("Waiting to sync: %(n)s"),
            "allSynced": _("Everything is synced"),
            "synced": _("Synced"),
            "waiting": _("Waiting to sync"),
            "failed": _("Not accepted"),
            "failedCount": _("Not accepted: %(n)s"),
            "savedOffline": _("Saved on this phone. It will be sent when the network is back."),
            "savedSynced": _("Saved and synced."),
            "loginAgain": _("Your login has expired: log in again and the records will be sent."),
            "discard": _("Remove"),
            "confirmDiscard": _("Remove this record from the phone? It was not accepted by the server."),
            "chooseChild": _("Choose a child."),
            "confirmParticipants": _("%(n)s person-times is unusually many. Is it right?"),
            "confirmAid": _("%(n)s yuan is an unusually large aid value. Is it right?"),
            "pendingLogout": _("Some records are not synced yet. Log out anyway? They stay on this phone."),
            "confirmRepeat": _("Already recorded today. Record another one anyway?"),
            "confirmRepeatOn": _("Already recorded on %(date)s. Record another one anyway?"),
            "recordAnyway": _("Record another one anyway"),
            "photoUnreadable": _("This file cannot be read as a photo: choose a JPEG, PNG or WebP picture."),
            "photoTooLarge": _("The photo is too large even after shrinking: choose another one."),
            "photoWaiting": _("Photo waiting to be sent"),
            "photoSynced": _("Photo sent"),
            "photoFailed": _("Photo not accepted: %(error)s"),
            "chooseKind": _("Choose what happened."),
            "describe": _("Describe briefly what happened."),
            "alertLabel": _("Urgent report (%(kind)s)"),
            "alertSynced": _("Reported: the federation staff have been told."),
        },
    }


def _render(request, template: str, context: dict):
    context.setdefault("phone_config", phone_config(request.user))
    return render(request, template, context)


# --- pages ----------------------------------------------------------------------------------------

@require(SIGNED_IN)
@ensure_csrf_cookie
def home(request):
    """我的孩子: her children, most urgent first, each with a big "记录一次关爱" button. Other roles are
    sent to the staff home."""
    if not is_volunteer(request.user):
        return redirect("home")
    today = timezone.localdate()
    children = sorted(with_due_dates(list(my_children(request.user)), today=today),
                      key=lambda c: (c.next_due_on or date.max, c.given_name))
    linked = hasattr(request.user, "volunteer")
    progress = my_commitments(request.user, today=today)
    for child in children:
        child.commitments = progress.get(child.pk)
    return _render(request, "phone/home.html", {
        "children": children, "today": today, "linked": linked,
        "n_overdue": sum(1 for c in children if c.days_overdue),
    })


@require(PHONE, message=PHONE_ONLY)
@ensure_csrf_cookie
def child_detail(request, pk: int):
    """What a caring mother needs about one child: given name, age, school, guardians' phones, open
    needs. Never the ID number."""
    today = timezone.localdate()
    child = get_object_or_404(
        my_children(request.user).prefetch_related(
            Prefetch("guardians", queryset=Guardian.objects.only("child_id", "relation", "phone", "position")),
            Prefetch("needs", queryset=Need.objects.filter(status__in=OPEN_NEED_STATUSES).order_by("-opened_on"),
                     to_attr="open_needs"),
        ),
        pk=pk,
    )
    with_due_dates([child], today=today)
    commitments = my_commitments(request.user, today=today, child=child)
    recent = (Activity.objects.visible_to(request.user).filter(child_links__child=child)
              .order_by("-occurred_on", "-created_at")[:5])
    return _render(request, "phone/child.html", {"child": child, "recent": recent, "today": today,
                                                 "commitments": commitments.get(child.pk)})


@require(PHONE, message=PHONE_ONLY)
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def log_activity(request):
    """记录一次关爱. app.js takes over the form and posts JSON to the API through the offline queue;
    without JavaScript the form posts here and the same service records it."""
    children = Child.objects.visible_to(request.user).order_by("name", "pk")
    if request.method == "POST":
        form = LogForm(request.POST, request.FILES, children=children)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # One outcome: a photo refused (too large, not an image …) leaves no activity behind,
                # and the form comes back with the photo's error to try again.
                with transaction.atomic():
                    activity, _created = activity_record(
                        actor=request.user, id=data["id"], children=[data["child"].pk],
                        occurred_on=data["occurred_on"], kind=data["kind"], services=data["services"],
                        duration_minutes=data["duration_minutes"], participants=data["participants"],
                        aid_value_yuan=data["aid_value_yuan"], notes=data["notes"], follow_up=data["follow_up"],
                        confirm_large_participants=data["confirm_large"], confirm_large_aid=data["confirm_large"],
                        confirm_repeat=data["confirm_repeat"],
                    )
                    if data["photo"] is not None:
                        try:
                            photos.photo_add(actor=request.user, activity=activity, upload=data["photo"])
                        except PermissionDenied as exc:  # a visit older than the edit window
                            raise ValidationError({"image": str(exc)}) from None
            except ValidationError as exc:
                attach_service_errors(exc, form)
            except ActivityConflict as exc:
                form.add_error(None, str(exc))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved: %(activity)s.") % {"activity": activity})
                return redirect("phone:home")
    else:
        selected = request.GET.get("child", "")
        initial = {}
        if selected.isdigit():
            initial["child"] = children.filter(pk=int(selected)).values_list("pk", flat=True).first()
        form = LogForm(initial=initial, children=children)
    config = phone_config(request.user)
    config["recorded"] = recorded_on(request.user, timezone.localdate())
    return _render(request, "phone/log.html", {"form": form, "has_children": children.exists(),
                                               "phone_config": config})


def recorded_on(user, day: date) -> dict:
    """The kinds of activity she already has with each child on ``day`` ({"day": …, "visits": {child id:
    [kind, …]}}): app.js asks before recording the same kind again (the service refuses it unconfirmed)."""
    visits: dict[str, list[str]] = {}
    rows = (ActivityChild.objects.filter(occurred_on=day, activity__volunteer__user=user, activity__is_group=False)
            .values_list("child_id", "activity__kind").distinct())
    for child_id, kind in rows:
        visits.setdefault(str(child_id), []).append(kind)
    return {"day": day.isoformat(), "visits": visits}


@require(PHONE, message=PHONE_ONLY)
def history(request):
    """Her activities, newest first, naming only the children she is still paired with."""
    mine = Child.objects.visible_to(request.user).only("pk", "name")
    activities = (Activity.objects.visible_to(request.user)
                  .prefetch_related(Prefetch("children", queryset=mine))
                  .order_by("-occurred_on", "-created_at"))
    page = Paginator(activities, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for activity in page:
        activity.child_names = [given_name(c.name) for c in activity.children.all()]
    return _render(request, "phone/history.html", {"page": page})


@require(PHONE, message=PHONE_ONLY)
@require_http_methods(["GET", "POST"])
def me(request):
    """我的: her settings (the language of her pages and her notification channels, accounts.profile),
    her password, logging out."""
    done, form, delivery = settings_forms(request, to="phone:me")
    if done is not None:
        return done
    response = _render(request, "phone/me.html", {"form": form, "delivery_form": delivery})
    if form.errors or delivery.errors:
        response.status_code = 400
    return response


@login_not_required
@require_GET
def offline(request):
    """Shown by the service worker when a page was never opened on this phone and there is no network.
    No personal data: it is cached for anyone."""
    return render(request, "phone/offline.html", {"user": AnonymousUser(), "nav_items": []})


# --- the service worker ---------------------------------------------------------------------------

def shell_urls() -> list[str]:
    """What the service worker caches on install: the pages' CSS, JS, icons and the offline page."""
    return [
        reverse("phone:offline"),
        static("css/app.css"),
        static("phone/phone.css"),
        static("phone/app.js"),
        static("phone/manifest.webmanifest"),
        static("phone/icon.svg"),
        static("phone/icon-192.png"),
        static("img/logo.svg"),
    ]


@login_not_required
@require_GET
@never_cache
def service_worker(request):
    """static/phone/sw.js, served from /m/sw.js so its scope is /m/. The shell's URLs (hashed in
    production) and a version derived from them and the script are written in front of it, so a
    deployment that changes any of them installs a new worker and a fresh cache."""
    path = finders.find("phone/sw.js")
    if not path:
        raise Http404("phone/sw.js")
    source = Path(path).read_text(encoding="utf-8")
    shell = shell_urls()
    version = hashlib.sha256((source + "\n".join(shell)).encode()).hexdigest()[:12]
    header = (f"const SHELL = {json.dumps(shell)};\nconst VERSION = {json.dumps(version)};\n"
              f"const SCOPE = {json.dumps(reverse('phone:home'))};\n")
    response = HttpResponse(header + source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("phone:home")
    return response
