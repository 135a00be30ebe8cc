"""Every URL, as every kind of user: the access matrix.

The test walks every URL pattern of the project (HTML pages and the API; the Django admin has its own
tests), fills in real ids of records of 离石区 (county A), and asks each URL as

    anon      not logged in
    vol       a caring mother of 离石区 (volunteer_lishi), paired with the child
    viewer    the read-only leader of 吕梁市 (viewer_lvliang), above 离石区
    staff_b   federation staff of 榆次区 (county B)
    admin_b   the administrator of 榆次区
    staff     federation staff of 离石区 (the records' own county)

and compares each status with :data:`MATRIX`. A URL missing from MATRIX fails the test: whoever adds a
URL classifies it here. GET is asked of every URL; POST (an empty body) of every URL that changes
something, so a write outside the caller's area is shown to be a 404 too, not only a read.

Statuses: 200 page, 201/202 created, 302 redirect (to the login page for ``anon`` on a page; to her
phone pages /m/ for ``vol`` on any page that is not hers), 400 refused input, 401 no credentials
(API), 403 the role may not, 404 outside the caller's area (or nothing there), 405 wrong method.
"""

import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.audit import audit_record
from accounts.models import AuditAction, Region, UserSession
from accounts.roles import Role
from activities import photos
from activities import services as activity_services
from activities.models import Notification
from alerts import services as alert_services
from casework.models import CaseAction, CasePlan, GuardianConsent, Referral
from children import services as child_services
from children import transfers as child_transfers
from children.models import LedgerImport
from exports.models import ExportKind, ExportRun, ExportStatus
from pairing import services as pairing_services
from pairing.models import PairingRole
from reports.models import ReportFormat, ReportRun, ReportStatus
from submissions.models import Submission, SubmissionStatus
from tests.activities.test_photos import image_bytes
from tests.children.conftest import new_id_number
from tests.factories import LISHI, LISHI_TOWNSHIP, LISHI_VILLAGE, LVLIANG, REGION_ROWS, YUCI, UserFactory
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db

ACTORS = ("anon", "vol", "viewer", "staff_b", "admin_b", "staff")
# The Django admin has its own tests (tests/test_admin_scoped.py).
SKIPPED = ("admin/",)


def walk(patterns, prefix: str = "", namespace: str = ""):
    """(route, name) for every URL pattern, resolvers included."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, ":".join(part for part in (namespace, pattern.name or "") if part)


def url_patterns() -> dict[str, str]:
    """``{name: route}`` of every URL the matrix covers (the API's ``.json`` suffix variants left out)."""
    return {name or route: route for route, name in walk(get_resolver().url_patterns)
            if not route.startswith(SKIPPED) and "(?P<format>" not in route}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Records of 离石区 (county A), one of each kind the URLs name, and the actors — built once for the
    module inside a transaction rolled back at its end (each test's own changes roll back with it)."""
    storage = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": str(tmp_path_factory.mktemp("private"))}}}
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(STORAGES={**settings.STORAGES,
                                                                                         **storage}):
        yield build_world()
        transaction.set_rollback(True)


def build_world() -> SimpleNamespace:
    account_services.regions_import(rows=REGION_ROWS)
    lishi, township, yuci = (Region.objects.get(pk=code) for code in (LISHI, LISHI_TOWNSHIP, YUCI))
    staff = UserFactory(username="staff_lishi", role=Role.STAFF, region=lishi)
    actors = {
        "anon": None,
        "vol": UserFactory(username="volunteer_lishi", role=Role.VOLUNTEER, region=Region.objects.get(pk=LISHI_VILLAGE)),
        "viewer": UserFactory(username="viewer_lvliang", role=Role.VIEWER, region=Region.objects.get(pk=LVLIANG)),
        "staff_b": UserFactory(username="staff_yuci", role=Role.STAFF, region=yuci),
        "admin_b": UserFactory(username="admin_yuci", role=Role.ADMIN, region=yuci),
        "staff": staff,
    }
    w = SimpleNamespace(actors=actors, user=staff, region=township)
    w.mother = volunteer_services.volunteer_create(actor=staff, region=Region.objects.get(pk=LISHI_VILLAGE),
                                                   name="陈桂英", phone="13900000001", joined_on=date(2024, 1, 1))
    w.mother.user = actors["vol"]
    w.mother.save(update_fields=["user"])
    w.child = child_services.child_create(
        actor=staff, name="王小雨", gender="female", birth_date=date(2015, 3, 8), categories=["left_behind"],
        region=Region.objects.get(pk=LISHI_VILLAGE), entered_on=date(2024, 9, 1), id_number=new_id_number(),
        guardians=[child_services.GuardianData(name="王大山", relation="祖父", phone="13935800001")])
    # The guardian's signed consent, with its scan in the private storage (casework.consents).
    w.consent = GuardianConsent.objects.create(child=w.child, given_by="王大山", relation="祖父", given_on=date(2025, 4, 1),
                                               processing=True, photos=True, method="signed", recorded_by=staff)
    w.consent.document.save("consent.pdf", ContentFile(b"%PDF-1.4"), save=True)
    w.pairing = pairing_services.pairing_create(actor=staff, child=w.child, volunteer=w.mother, role=PairingRole.LEAD,
                                                started_on=date(2025, 3, 1))
    w.need = child_services.need_create(actor=staff, child=w.child, kind="study", description="课外书",
                                        opened_on=date(2025, 4, 1))
    # The child's pending transfer to a township of 榆次区 (county B): county B's staff and admin accept or
    # reject it, 离石区's staff cancel it (children.transfers).
    w.transfer = child_transfers.transfer_request(actor=staff, child=w.child, reason="随父母务工",
                                                  to_region=Region.objects.get(pk="140702100000"),
                                                  effective_on=date(2025, 4, 1))
    w.helper = volunteer_services.reserve_helper_add(actor=staff, volunteer=w.mother, name="张医生",
                                                     added_on=date(2025, 4, 1))
    w.team = volunteer_services.team_create(actor=staff, name="离石区爱心妈妈服务队", region=lishi)
    w.station = volunteer_services.station_create(actor=staff, name="滨河工作站", region=township)
    w.training = volunteer_services.training_create(actor=staff, title="心理疏导培训", held_on=date(2025, 4, 2),
                                                    region=lishi, attendees=[w.mother.pk], participants=20)
    w.activity, _created = activity_services.activity_record(actor=staff, children=[w.child.pk],
                                                             occurred_on=date(2025, 4, 3), kind="home_visit",
                                                             volunteer=w.mother.pk)
    w.photo = photos.photo_add(actor=staff, activity=w.activity,
                               upload=SimpleUploadedFile("a.jpg", image_bytes(), content_type="image/jpeg"))
    w.run = ReportRun.objects.create(region=lishi, month=date(2025, 4, 1), format=ReportFormat.XLSX,
                                     status=ReportStatus.DONE, progress=100, requested_by=staff)
    w.run.file.save("离石区-2025-04.xlsx", ContentFile(b"PK"), save=True)
    # staff's own export of the ledger: hers alone (everyone else, even above her, gets a 404).
    w.export_run = ExportRun.objects.create(kind=ExportKind.CHILDREN, requested_by=staff, region=lishi,
                                            status=ExportStatus.DONE, progress=100, rows=1, filename="儿童台账.xlsx")
    w.export_run.file.save("export.xlsx", ContentFile(b"PK"), save=True)
    w.ledger_import = LedgerImport.objects.create(region=lishi, file_name="名单.xlsx", file_sha256="0" * 64,
                                                  uploaded_by=staff, preview={"rows": []}, summary={})
    # staff's own signed-in session on another computer (accounts.usersessions): hers alone to end.
    w.user_session = UserSession.objects.create(user=staff, session_key="s" * 32, started_at=timezone.now(),
                                                last_seen=timezone.now())
    w.notification = Notification.objects.create(recipient=staff, kind="digest", title="逾期", dedupe_key="x")
    w.event = audit_record(actor=staff, action=AuditAction.EXPORT, target_type="children.child",
                           region_code=lishi.code)
    # A township's April submission, sent up to 离石区 (county A), whose staff return or accept it.
    preparer, reviewer = (UserFactory(username=name, role=Role.STAFF, region=township)
                          for name in ("staff_binhe", "admin_binhe"))
    w.submission = Submission.objects.create(region=township, month=date(2025, 4, 1), status=SubmissionStatus.SUBMITTED,
                                             work_done="走访", problems="无", next_steps="继续", prepared_by=preparer,
                                             reviewed_by=reviewer, contact_phone="13900000002", submitted_by=preparer)
    # The child's case plan with one action (staff's) and a referral sent without consent (casework).
    w.case_plan = CasePlan.objects.create(child=w.child, goals="稳定学业", review_on=date(2025, 6, 1), created_by=staff)
    w.case_action = CaseAction.objects.create(plan=w.case_plan, description="联系学校", owner=staff,
                                              due_on=date(2025, 5, 1))
    w.referral = Referral.objects.create(child=w.child, department="education", organisation="离石区教育局",
                                         reason="辍学风险", referred_on=date(2025, 4, 5), created_by=staff,
                                         consent_override_reason="监护人外出务工，无法联系")
    # An urgent report by the caring mother about her paired child (alerts): open, in 离石区.
    w.alert, _created = alert_services.alert_report(actor=actors["vol"], id="5f0c3d5e-8a51-4e38-9d8b-2b3c4d5e6f70",
                                                    child=w.child.pk, kind="injury", description="摔伤",
                                                    occurred_on=date(2025, 4, 3))
    w.alert_photo, _created = alert_services.alert_photo_add(
        actor=actors["vol"], alert=w.alert,
        upload=SimpleUploadedFile("a.jpg", image_bytes(), content_type="image/jpeg"))
    return w


# Which record fills each URL argument: by URL name first, then by the name's prefix.
ARGUMENTS_BY_NAME = {
    "children:need-transition": {"pk": "need", "to": "claimed"},
    "children:transfer-accept": {"pk": "transfer"}, "children:transfer-reject": {"pk": "transfer"},
    "children:transfer-cancel": {"pk": "transfer"},
    "exports:create": {"kind": "children"},
    "children:import-preview": {"pk": "ledger_import"},
    "volunteers:helper-remove": {"pk": "helper"},
    "volunteers:training-detail": {"pk": "training"},
    "activities:photo": {"pk": "photo"},
    "rhythm:notification-read": {"pk": "notification"},
    "notification-read": {"pk": "notification"},
    "session-end": {"pk": "user_session"},
    "accounts:user-detail": {"pk": "user"}, "accounts:user-deactivate": {"pk": "user"},
    "accounts:user-reactivate": {"pk": "user"}, "accounts:region-detail": {"code": "region"},
    "user-detail": {"pk": "user"}, "user-deactivate": {"pk": "user"}, "user-reactivate": {"pk": "user"},
    "region-detail": {"code": "region"}, "audit-detail": {"pk": "event"}, "need-detail": {"pk": "need"},
    "need-transition": {"pk": "need"}, "team-detail": {"pk": "team"}, "training-detail": {"pk": "training"},
    "volunteer-reserve-helper-remove": {"helper_id": "helper"},
    "casework:plan-update": {"pk": "case_plan"}, "casework:plan-close": {"pk": "case_plan"},
    "casework:action-add": {"pk": "case_plan"}, "casework:action-complete": {"pk": "case_action"},
    "casework:referral-transition": {"pk": "referral", "to": "accepted"},
    "casework:consent-withdraw": {"pk": "consent"}, "casework:consent-document": {"pk": "consent"},
    "child-consent-withdraw": {"pk": "consent"}, "child-consent-document": {"pk": "consent"},
    "case-plan-action": {"pk": "case_plan", "action_id": "case_action"},
    "case-plan-action-complete": {"pk": "case_plan", "action_id": "case_action"},
}
ARGUMENTS_BY_PREFIX = {  # URL name prefix → the record its pk is
    "transfer-": "transfer",
    "alerts:": "alert", "alert-": "alert",
    "children:": "child", "child-": "child", "volunteers:": "mother", "volunteer-": "mother",
    "pairing:": "pairing", "pairing-": "pairing", "activities:": "activity", "activity-": "activity",
    "reports:": "run", "report-": "run", "phone:": "child", "exports:": "export_run", "export-": "export_run", "submissions:": "submission", "submission-": "submission",
    "case-plan-": "case_plan", "referral-": "referral",
}


# Pages and endpoints about a region take it from the query: ask about county A's.
COUNTY_A = "?region=141102000000"
QUERIES = {
    "api-stats": COUNTY_A + "&month=2025-04", "reports:dashboard": COUNTY_A, "rhythm:overdue": COUNTY_A,
    "rhythm:overdue-list": COUNTY_A, "rhythm:overdue-volunteers": COUNTY_A, "rhythm:coverage": COUNTY_A,
    "rhythm:settings": COUNTY_A, "pairing:coverage": COUNTY_A, "children:risk-board": COUNTY_A,
    "pairing:commitments": COUNTY_A,
    "submissions:month": COUNTY_A + "&month=2025-04", "submissions:progress": COUNTY_A + "&month=2025-04",
    "submission-progress": COUNTY_A + "&month=2025-04",
}


def fill(name: str, route: str, world) -> str:
    """The route with its arguments replaced by the ids of the world's records."""
    def value(argument: str) -> str:
        chosen = ARGUMENTS_BY_NAME.get(name, {}).get(argument)
        if chosen is None:
            chosen = "child" if argument == "child_pk" else next(
                (record for prefix, record in ARGUMENTS_BY_PREFIX.items() if name.startswith(prefix)), None)
        assert chosen is not None, f"no record for <{argument}> of {name} ({route}): add it to ARGUMENTS_BY_NAME"
        attribute = getattr(world, chosen, None)
        return chosen if attribute is None else str(getattr(attribute, "pk", attribute))

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)  # the API's regex groups
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), path)  # path() converters
    return "/" + path.replace("^", "").replace("$", "") + QUERIES.get(name, "")


def client_for(user, api: bool) -> APIClient:
    client = APIClient()
    if user is not None:
        if api:
            client.force_authenticate(user)
        else:
            client.force_login(user)
    return client


def statuses(world, name: str, method: str) -> tuple[int, ...]:
    """The status each actor gets (in ACTORS order) for ``method`` on the URL named ``name``."""
    route = url_patterns()[name]
    path, api = fill(name, route, world), route.startswith("api/")
    found = []
    for actor in ACTORS:
        client = client_for(world.actors[actor], api)
        response = client.get(path) if method == "GET" else client.post(path, {}, format="json" if api else None)
        found.append(response.status_code)
    return tuple(found)


# name: ((GET statuses), (POST statuses)), each in ACTORS order: anon, vol, viewer, staff_b, admin_b, staff.
MATRIX = {
    "accounts:audit-list": ((302, 302, 403, 403, 200, 403), (302, 302, 403, 403, 405, 403)),
    "accounts:region-detail": ((302, 302, 403, 403, 404, 403), (302, 302, 403, 403, 404, 403)),
    "accounts:region-list": ((302, 302, 403, 403, 200, 403), (302, 302, 403, 403, 200, 403)),
    "accounts:region-search": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "accounts:user-create": ((302, 302, 403, 403, 200, 403), (302, 302, 403, 403, 200, 403)),
    "accounts:user-deactivate": ((302, 302, 403, 403, 405, 403), (302, 302, 403, 403, 404, 403)),
    "accounts:user-detail": ((302, 302, 403, 403, 404, 403), (302, 302, 403, 403, 404, 403)),
    "accounts:user-list": ((302, 302, 403, 403, 200, 403), (302, 302, 403, 403, 200, 403)),
    "accounts:user-reactivate": ((302, 302, 403, 403, 405, 403), (302, 302, 403, 403, 404, 403)),
    "activities:create": ((302, 302, 403, 200, 200, 200), (302, 302, 403, 200, 200, 200)),
    "activities:detail": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "activities:edit": ((302, 302, 403, 404, 404, 200), (302, 302, 403, 404, 404, 400)),
    "activities:list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "activities:photo": ((302, 200, 200, 404, 404, 200), (302, 405, 405, 405, 405, 405)),
    "activities:photo-upload": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "activity-detail": ((401, 200, 200, 404, 404, 200), (401, 405, 403, 405, 405, 405)),
    "activity-list": ((401, 200, 200, 200, 200, 200), (401, 400, 403, 400, 400, 400)),
    "activity-photos": ((401, 405, 405, 405, 405, 405), (401, 415, 403, 404, 404, 415)),
    # Urgent reports (issue 13): the caring mother's report about her paired child, in 离石区. She reads her
    # own reports and files new ones (an empty body: 400) but does not act on them (403); the read-only leader
    # reads (acting: 403); staff of county B get 404; 离石区's staff acknowledge it (200) and an empty close is
    # refused (400: the outcome).
    "alert-acknowledge": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 200)),
    "alert-close": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    # Her own report's photo: the caring mother adds it (415: an empty JSON body is not multipart).
    "alert-photo": ((401, 405, 405, 405, 405, 405), (401, 415, 403, 404, 404, 415)),
    "alert-detail": ((401, 200, 200, 404, 404, 200), (401, 405, 403, 405, 405, 405)),
    "alert-list": ((401, 200, 200, 200, 200, 200), (401, 400, 403, 400, 400, 400)),
    "alerts:acknowledge": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "alerts:close": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "alerts:detail": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "alerts:list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    # The photo of a report, to whoever can see the report (the caring mother: her own).
    "alerts:photo": ((302, 200, 200, 404, 404, 200), (302, 405, 405, 405, 405, 405)),
    "alerts:report": ((302, 302, 403, 404, 404, 200), (302, 302, 403, 404, 404, 400)),
    "api-docs": ((200, 200, 200, 200, 200, 200), (405, 405, 405, 405, 405, 405)),
    "api-me": ((401, 200, 200, 200, 200, 200), (401, 405, 405, 405, 405, 405)),
    "api-schema": ((200, 200, 200, 200, 200, 200), (405, 405, 405, 405, 405, 405)),
    "api-stats": ((401, 403, 200, 404, 404, 200), (401, 403, 405, 405, 405, 405)),
    "api-token": ((405, 405, 405, 405, 405, 405), (400, 400, 400, 400, 400, 400)),
    "audit-detail": ((401, 403, 403, 403, 404, 403), (401, 403, 403, 403, 405, 403)),
    "audit-list": ((401, 403, 403, 403, 200, 403), (401, 403, 403, 403, 405, 403)),
    "child-assessments": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 404, 404, 400)),
    "child-detail": ((401, 200, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "child-exit": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "child-history": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "child-list": ((401, 200, 200, 200, 200, 200), (401, 403, 403, 400, 400, 400)),
    "child-needs": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 404, 404, 400)),
    "child-resume": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "child-reveal-id": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "child-suspend": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "child-transfer": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "children:aging-out": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "children:assess": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "children:create": ((302, 302, 403, 200, 200, 200), (302, 302, 403, 200, 200, 200)),
    "children:detail": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "children:edit": ((302, 302, 403, 404, 404, 200), (302, 302, 403, 404, 404, 200)),
    "children:import": ((302, 302, 403, 200, 200, 200), (302, 302, 403, 200, 200, 200)),
    "children:import-preview": ((302, 302, 403, 404, 404, 200), (302, 302, 403, 404, 404, 200)),
    "children:import-template": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "children:list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "children:need-create": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "children:need-list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "children:need-transition": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "children:reveal": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    # Retention (children.retention): the upcoming anonymisations, for editors; an empty hold is refused
    # (the reason is required), a release of a record not held too.
    "children:retention": ((302, 302, 403, 200, 200, 200), (302, 302, 403, 405, 405, 405)),
    "children:retention-hold": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "children:retention-release": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "volunteers:retention-hold": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "volunteers:retention-release": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "children:risk-board": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "children:status": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "children:transfer": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    # The child's pending transfer to county B (asked in turn: anon, vol, viewer, staff_b, admin_b, staff):
    # county B's staff accept it (302), after which county B's admin is told it is decided (302 back to the
    # list with the message); 离石区's staff may not accept (403: not the receiving side). An empty
    # rejection comes back with "give the reason" (302). Only 离石区's staff cancel it.
    "children:transfer-accept": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 302, 302, 403)),
    "children:transfer-cancel": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 403, 403, 302)),
    "children:transfer-reject": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 302, 302, 403)),
    "children:transfers": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "export-detail": ((401, 403, 404, 404, 404, 200), (401, 403, 405, 405, 405, 405)),
    "export-download": ((401, 403, 404, 404, 404, 200), (401, 403, 405, 405, 405, 405)),
    "export-list": ((401, 403, 200, 200, 200, 200), (401, 403, 400, 400, 400, 400)),
    "exports:create": ((302, 302, 405, 405, 405, 405), (302, 302, 302, 302, 302, 302)),
    "exports:detail": ((302, 302, 404, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "exports:download": ((302, 302, 404, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "exports:list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "healthz": ((200, 200, 200, 200, 200, 200), (405, 405, 405, 405, 405, 405)),
    "home": ((302, 302, 200, 200, 200, 200), (302, 302, 200, 200, 200, 200)),
    "login": ((200, 302, 302, 302, 302, 302), (200, 302, 302, 302, 302, 302)),
    "logout": ((302, 405, 405, 405, 405, 405), (302, 302, 302, 302, 302, 302)),
    # Two-factor login (accounts.twofactor): the code step needs a login waiting for it (none here: back to
    # the login page; signed in: home); the federation roles enrol (an empty code: 400), a caring mother
    # is never asked (to /m/).
    "login-otp": ((302, 302, 302, 302, 302, 302), (302, 302, 302, 302, 302, 302)),
    "otp-setup": ((302, 302, 200, 200, 200, 200), (302, 302, 400, 400, 400, 400)),
    "otp-recovery-codes": ((302, 302, 405, 405, 405, 405), (302, 302, 400, 400, 400, 400)),
    "otp-remove": ((302, 302, 405, 405, 405, 405), (302, 302, 400, 400, 400, 400)),
    # One's own sessions (accounts.usersessions): everyone signed in lists and ends theirs; staff's session
    # is hers alone to end (anyone else: 404).
    "sessions": ((302, 200, 200, 200, 200, 200), (302, 405, 405, 405, 405, 405)),
    "session-end": ((302, 405, 405, 405, 405, 405), (302, 404, 404, 404, 404, 302)),
    "sessions-end-others": ((302, 405, 405, 405, 405, 405), (302, 302, 302, 302, 302, 302)),
    "logout-everywhere": ((302, 405, 405, 405, 405, 405), (302, 302, 302, 302, 302, 302)),
    "need-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "need-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 405, 405, 405)),
    "need-transition": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    # The caller's own notifications: everyone signed in lists theirs; staff's own is marked read, anyone
    # else's is a 404.
    "notification-list": ((401, 200, 200, 200, 200, 200), (401, 405, 405, 405, 405, 405)),
    "notification-read": ((401, 405, 405, 405, 405, 405), (401, 404, 404, 404, 404, 200)),
    "pairing-detail": ((401, 200, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "pairing-end": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "pairing-list": ((401, 200, 200, 200, 200, 200), (401, 403, 403, 400, 400, 400)),
    "pairing:card": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "pairing:commitments": ((302, 302, 200, 404, 404, 200), (302, 302, 403, 404, 404, 403)),
    "pairing:coverage": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "pairing:confirm": ((302, 302, 403, 404, 404, 400), (302, 302, 403, 405, 405, 405)),
    "pairing:create": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "pairing:detail": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "pairing:end": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "pairing:list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "pairing:suggest": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "password_change": ((302, 200, 200, 200, 200, 200), (302, 200, 200, 200, 200, 200)),
    "phone:alert": ((302, 200, 403, 403, 403, 403), (302, 400, 403, 403, 403, 403)),
    "phone:child": ((302, 200, 403, 403, 403, 403), (302, 200, 403, 403, 403, 403)),
    "phone:history": ((302, 200, 403, 403, 403, 403), (302, 200, 403, 403, 403, 403)),
    "phone:home": ((302, 200, 302, 302, 302, 302), (302, 200, 302, 302, 302, 302)),
    "phone:log": ((302, 200, 403, 403, 403, 403), (302, 200, 403, 403, 403, 403)),
    "phone:me": ((302, 200, 403, 403, 403, 403), (302, 400, 403, 403, 403, 403)),
    "phone:offline": ((200, 200, 200, 200, 200, 200), (405, 405, 405, 405, 405, 405)),
    "phone:service-worker": ((200, 200, 200, 200, 200, 200), (405, 405, 405, 405, 405, 405)),
    "profile": ((302, 302, 200, 200, 200, 200), (302, 302, 400, 400, 400, 400)),
    "region-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 403, 405, 403)),
    "region-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 403, 400, 403)),
    "report-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "report-download": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "report-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 400, 400, 400)),
    "reports:dashboard": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "reports:detail": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "reports:download": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "reports:list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "reports:regenerate": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "reports:request": ((302, 302, 403, 200, 200, 200), (302, 302, 403, 200, 200, 200)),
    "rhythm:coverage": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "rhythm:notification-read": ((302, 405, 405, 405, 405, 405), (302, 404, 404, 404, 404, 302)),
    "rhythm:notifications": ((302, 200, 200, 200, 200, 200), (302, 405, 405, 405, 405, 405)),
    "rhythm:notifications-read-all": ((302, 405, 405, 405, 405, 405), (302, 302, 302, 302, 302, 302)),
    "rhythm:overdue": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "rhythm:overdue-list": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "rhythm:overdue-volunteers": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "rhythm:settings": ((302, 302, 200, 404, 404, 200), (302, 302, 403, 404, 404, 403)),
    # The township's submission (sent): staff of 离石区 (the level above) return or accept it; they do not
    # send it (403: it is the township's to send); a read-only leader reads.
    "submission-accept": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 200)),
    "submission-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "submission-list": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 400, 400, 400)),
    "submission-progress": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "submission-return": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "submission-submit": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 403)),
    "submissions:accept": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    # 离石区's own month: its staff save the draft (302); a read-only leader may not (403).
    "submissions:month": ((302, 302, 200, 404, 404, 200), (302, 302, 403, 404, 404, 302)),
    "submissions:progress": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    # The report of the township's submission: staff of 离石区 ask for it (an empty form: back to the page,
    # 302, with the message naming the format); a read-only leader downloads reports but does not make them.
    "submissions:report": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "submissions:return": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    # Casework (issue 13): the child's case plan, its action and a referral, all of 离石区. Staff of county B
    # get a 404, the read-only leader reads (a change: 403), the caring mother is refused (pages: to /m/).
    # An empty form goes back to the child's page with the reasons (302); closing the plan, completing the
    # action and accepting the referral need no input.
    "case-plan-action": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 405, 405, 405)),
    "case-plan-action-complete": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 200)),
    "case-plan-actions": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "case-plan-close": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 200)),
    "case-plan-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "case-plan-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 400, 400, 400)),
    "casework:action-add": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "casework:action-complete": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "casework:child": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "casework:consent-add": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    # The consent's scan: read by the child's area (a leader too), audited; withdrawn by its staff.
    "casework:consent-document": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "casework:consent-withdraw": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "child-consents": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 404, 404, 400)),
    # A guardian's access copy (an export job): staff of the child's area make it (202); a leader may not.
    "child-access-copy": ((401, 405, 405, 405, 405, 405), (401, 403, 403, 404, 404, 202)),
    "child-consent-document": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "child-consent-withdraw": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 200)),
    "casework:overdue-actions": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "casework:plan-close": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "casework:plan-create": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "casework:plan-update": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "casework:referral-create": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "casework:referral-transition": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "referral-accept": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 200)),
    "referral-complete": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "referral-decline": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 200)),
    "referral-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "referral-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 400, 400, 400)),
    "team-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    # The same transfer over the API: county B accepts (200), then it is decided (400 for its admin); an
    # empty rejection names the reason (400); 离石区's staff are the sending side (403 on accept/reject).
    "transfer-accept": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 200, 400, 403)),
    "transfer-cancel": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 403, 403, 200)),
    "transfer-detail": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 405, 405, 405)),
    "transfer-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 405, 405, 405)),
    "transfer-reject": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 400, 400, 403)),
    "team-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 400, 400, 400)),
    "training-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "training-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 400, 400, 400)),
    "user-deactivate": ((401, 403, 403, 403, 405, 403), (401, 403, 403, 403, 404, 403)),
    "user-detail": ((401, 403, 403, 403, 404, 403), (401, 403, 403, 403, 405, 403)),
    "user-list": ((401, 403, 403, 403, 200, 403), (401, 403, 403, 403, 400, 403)),
    "user-reactivate": ((401, 403, 403, 403, 405, 403), (401, 403, 403, 403, 404, 403)),
    "volunteer-deactivate": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "volunteer-detail": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "volunteer-list": ((401, 403, 200, 200, 200, 200), (401, 403, 403, 400, 400, 400)),
    "volunteer-reactivate": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 400)),
    "volunteer-recognitions": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 404, 404, 400)),
    "volunteer-reserve-helper-remove": ((401, 403, 405, 405, 405, 405), (401, 403, 403, 404, 404, 200)),
    "volunteer-reserve-helpers": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 404, 404, 400)),
    "volunteer-trainings": ((401, 403, 200, 404, 404, 200), (401, 403, 403, 405, 405, 405)),
    "volunteers:create": ((302, 302, 403, 200, 200, 200), (302, 302, 403, 200, 200, 200)),
    "volunteers:create-login": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "volunteers:detail": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "volunteers:edit": ((302, 302, 403, 404, 404, 200), (302, 302, 403, 404, 404, 200)),
    "volunteers:helper-add": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "volunteers:helper-remove": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 302)),
    "volunteers:list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "volunteers:recognition-create": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "volunteers:station-create": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 400, 400, 400)),
    "volunteers:station-list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "volunteers:status": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 404, 404, 400)),
    "volunteers:team-create": ((302, 302, 403, 405, 405, 405), (302, 302, 403, 400, 400, 400)),
    "volunteers:team-list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
    "volunteers:training-create": ((302, 302, 403, 200, 200, 200), (302, 302, 403, 200, 200, 200)),
    "volunteers:training-detail": ((302, 302, 200, 404, 404, 200), (302, 302, 405, 405, 405, 405)),
    "volunteers:training-list": ((302, 302, 200, 200, 200, 200), (302, 302, 405, 405, 405, 405)),
}

# Views anyone may open, logged in or not (login_not_required); every other page names its allow-list.
PUBLIC = {"login", "login-otp", "healthz", "phone:offline", "phone:service-worker", "api-docs", "api-schema",
          "api-token"}
# Django's own auth views, which need only a login.
LOGIN_ONLY = {"logout"}


def test_every_url_is_classified():
    assert sorted(set(url_patterns()) - set(MATRIX)) == [], "classify the new URL in MATRIX"
    assert sorted(set(MATRIX) - set(url_patterns())) == [], "remove the URL that no longer exists from MATRIX"


def test_every_page_names_its_allow_list():
    """Default-deny: a page's view carries one of core.access's allow-lists (core.access.require),
    unless it is public or Django's logout."""
    unguarded = []
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED) or route.startswith("api/") or name in PUBLIC | LOGIN_ONLY:
            continue
        view = get_resolver().resolve("/" + fill_dummy(route)).func
        if not getattr(view, "access", None):
            unguarded.append(name)
    assert unguarded == []


def test_a_caring_mother_is_sent_to_her_phone_pages_from_every_other_page(world):
    """Federation pages show full names and addresses: every page whose allow-list does not name the
    volunteer role sends her to /m/, whatever the method — and she is refused the API but for the
    phone's few endpoints (their reduced serializers: tests/activities/test_volunteer_privacy.py)."""
    client = client_for(world.actors["vol"], api=False)
    staff_pages = []
    for name, route in url_patterns().items():
        if route.startswith("api/") or name in PUBLIC | LOGIN_ONLY:
            continue
        access = getattr(get_resolver().resolve("/" + fill_dummy(route)).func, "access", None)
        if Role.VOLUNTEER in access:
            continue
        staff_pages.append(name)
        path = fill(name, route, world)
        for response in (client.get(path), client.post(path, {})):
            assert (name, response.status_code, response.get("Location")) == (name, 302, reverse("phone:home"))
    assert {"children:list", "children:detail", "pairing:list", "pairing:detail", "pairing:card",
            "children:need-list"} <= set(staff_pages)


def fill_dummy(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: "00000000-0000-0000-0000-000000000000" if m.group(1) == "uuid"
                  else "1", route)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(world, name):
    expected_get, expected_post = MATRIX[name]
    assert (statuses(world, name, "GET"), statuses(world, name, "POST")) == (expected_get, expected_post)
