"""Reconciling the ledger with the civil-affairs (民政) list: a preview first, then the apply.

``import_upload`` takes the file in the web request: cheap checks of the package only
(children.xlsx_reader.check_package), then a ``pending`` LedgerImport with the file stored encrypted,
and a Celery task queued (children.tasks.build_import_preview). The task runs
``import_preview_build``, which reads the upload (children.xlsx_reader), checks every row and compares it
with the ledger of the chosen region: rows with errors, new children, changed fields, and children
in the ledger who are missing from the list (candidates for exit, never exited here). Nothing is
committed: the rows that would be created or changed are tried through the very services the apply
calls (child_create, child_update, child_transfer) inside a transaction that is rolled back, so the
preview shows the errors the apply would meet, in the services' own words, and no rule is repeated
here. The preview is stored on the LedgerImport (now ``previewed``) so that the staff member confirms
exactly what they saw; a file that cannot be used leaves it ``failed`` with the reason instead.

An import still ``pending`` settings.TASK_LOST_AFTER after the upload (minutes) lost its job — the task
was lost with the broker's data, or no worker is left — and ``imports_fail_lost`` marks it ``failed``
and deletes its upload (beat, every 5 minutes, with the uploads no import waits for any more), as
``import_fail_if_lost`` does for one import when its page is opened.

``import_apply`` re-checks every clean row against the ledger as it is now, in one transaction; if a
row that was clean no longer is, or now differs from what the preview showed, everything is rolled
back and the rows are reported. The page does not run it in the request: ``import_apply_request`` makes
the import ``applying`` and queues children.tasks.apply_import, whose ``import_apply_run`` applies it
the same way and leaves it ``applied``, or ``apply_failed`` with the reason (the rows that stopped it
in ``summary["failures"]``). A second request, or a second delivery of the task, finds the import no
longer ``previewed`` (``applying``) and does nothing more. An import left ``applying`` by a task that
died is marked ``apply_failed`` — by the task's failure hook, or past settings.TASK_LOST_AFTER by the
same sweep as the lost previews; its transaction never committed, so the ledger is unchanged.

ID numbers in the stored preview are Fernet-encrypted like the ledger's (children.identity) and are
dropped once the import is applied or discarded.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User
from children import identity
from children.models import LEDGER_IMPORT_UPLOADS, Child, LedgerImport, LedgerImportStatus, Status
from children.services import (
    EDIT_MESSAGE,
    GuardianData,
    check_id_number,
    check_not_registered,
    child_create,
    child_transfer,
    child_update,
)
from children.xlsx_reader import check_package, read_sheet
from children.xlsx_template import (
    CATEGORY_WORDS,
    COLUMN_BY_KEY,
    DIFFICULTY_WORDS,
    GENDER_WORDS,
    HOUSEHOLD_WORDS,
    join_words,
    word_for,
)
from core.access import EDIT, check
from core.jobs import update_after_interrupt
from core.regioncodes import in_subtree, is_valid_code, subtree_q

logger = logging.getLogger(__name__)

PREVIEW_VERSION = 1
ERROR_MAX_CHARS = 2000
# Fields compared with the ledger for children already in it, in display order.
COMPARED_FIELDS = ("name", "gender", "categories", "difficulty_types", "school", "grade", "address", "household",
                   "parents_work_place", "region")
_TEXT_FIELDS = ("name", "school", "grade", "address", "parents_work_place")
# A service's error key -> the list's column that carries the input.
_SERVICE_KEY_COLUMN = {
    "name": "name", "gender": "gender", "birth_date": "birth_date", "entered_on": "birth_date",
    "id_number": "id_number", "region": "region", "categories": "categories",
    "difficulty_types": "difficulty_types", "guardians": "guardian_name", "school": "school", "grade": "grade",
    "address": "address", "household": "household", "parents_work_place": "parents_work_place", "notes": "notes",
}
_QUERY_CHUNK = 2000
# How many missing-from-list children the stored preview lists (the count is always complete).
MISSING_LISTED = 5000

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"


class ApplyFailed(Exception):
    """The apply was rolled back; ``errors`` are the rows that stopped it ({row, column, message})."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} rows failed")
        self.errors = errors


@dataclass(frozen=True)
class _Ledger:
    actor: User
    region: Region


def _header(key: str) -> str:
    column = COLUMN_BY_KEY.get(key)
    return column.header if column else ""


def _error(key: str, message: str) -> dict:
    return {"column": _header(key), "message": str(message)}


def _errors_from(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [_error(_SERVICE_KEY_COLUMN.get(key, ""), message)
                for key, messages in exc.message_dict.items() for message in messages]
    return [_error("", message) for message in exc.messages]


def _chunks(items: list, size: int = _QUERY_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- preview --------------------------------------------------------------------------------------

def _row_from_sheet(sheet_row) -> dict:
    values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in sheet_row.values.items()}
    raw_number = values.pop("id_number", None) or ""
    return {
        "row": sheet_row.row,
        "name": values.get("name") or "",
        "id_masked": identity.mask_last4(raw_number[-4:]) if raw_number else "",
        "values": values,
        "id_enc": None,
        "digest": None,
        "kind": ERROR if sheet_row.errors else None,
        "child_id": None,
        "changes": [],
        "errors": [{"column": e.column, "message": e.message} for e in sheet_row.errors],
        "_number": raw_number,
    }


def _check_id_numbers(rows: list[dict]) -> None:
    """The services' check of each number and its agreement with the row; then duplicates in the file."""
    for row in rows:
        number = row.pop("_number", "")
        if not number or any(e["column"] == _header("id_number") for e in row["errors"]):
            continue
        try:
            number = check_id_number(number, birth_date=None, gender=None)
        except ValidationError as exc:
            row["errors"].extend(_error("id_number", m) for m in exc.message_dict["id_number"])
            continue
        row["id_enc"], row["digest"] = identity.encrypt(number), identity.digest(number)
        row["id_masked"] = identity.mask_last4(number[-4:])
        # The number must agree with the row; each disagreement is reported on the cell that disagrees.
        birth_date, gender = row["values"].get("birth_date"), row["values"].get("gender")
        agreements = []
        if birth_date:
            agreements.append(("birth_date", {"birth_date": date.fromisoformat(birth_date), "gender": None}))
        if gender:
            agreements.append(("gender", {"birth_date": None, "gender": gender}))
        for key, record in agreements:
            try:
                check_id_number(number, **record)
            except ValidationError as exc:
                row["errors"].extend(_error(key, m) for m in exc.message_dict["id_number"])

    by_digest: dict[str, list[dict]] = {}
    for row in rows:
        if row["digest"]:
            by_digest.setdefault(row["digest"], []).append(row)
    for same in by_digest.values():
        if len(same) > 1:
            numbers = "、".join(str(r["row"]) for r in same)
            for row in same:
                row["errors"].append(_error("id_number", _("The same ID number is in rows %(rows)s of the file.")
                                            % {"rows": numbers}))
    for row in rows:
        if row["errors"]:
            row["kind"] = ERROR


def _existing_by_digest(digests: list[str]) -> dict[str, dict]:
    fields = ["id", "id_number_digest", "name", "gender", "school", "grade", "address", "household",
              "parents_work_place", "region_id", "region__name",
              *(f"is_{w}" for w in CATEGORY_WORDS.values()), *(f"difficulty_{w}" for w in DIFFICULTY_WORDS.values())]
    found = {}
    for chunk in _chunks(digests):
        for child in Child.objects.exclude(status=Status.EXITED).filter(id_number_digest__in=chunk).values(*fields):
            child["categories"] = sorted(c for c in CATEGORY_WORDS.values() if child[f"is_{c}"])
            child["difficulty_types"] = sorted(d for d in DIFFICULTY_WORDS.values() if child[f"difficulty_{d}"])
            found[child["id_number_digest"]] = child
    return found


def _visible_ids(actor: User, ids: list[int]) -> set[int]:
    visible = set()
    for chunk in _chunks(ids):
        visible.update(Child.objects.visible_to(actor).filter(pk__in=chunk).values_list("pk", flat=True))
    return visible


def _regions(codes: list[str]) -> dict[str, Region]:
    found = {}
    for chunk in _chunks(codes):
        found.update({r.code: r for r in Region.objects.filter(code__in=chunk)})
    return found


def _display(key: str, value, regions: dict[str, Region]) -> str:
    if value is None:
        return ""
    if key == "gender":
        return word_for(GENDER_WORDS, value)
    if key == "household":
        return word_for(HOUSEHOLD_WORDS, value)
    if key == "categories":
        return join_words(CATEGORY_WORDS, value)
    if key == "difficulty_types":
        return join_words(DIFFICULTY_WORDS, value)
    if key == "region":
        region = regions.get(value)
        return f"{region.name}（{value}）" if region else value
    return str(value)


def _file_value(key: str, values: dict, current: dict):
    """What the list says for a compared field, or None when it says nothing (empty cell or no column)."""
    if key == "difficulty_types":
        kinds = values.get("difficulty_types")
        if kinds is None and "in_difficulty" not in (values.get("categories") or current["categories"]):
            return []  # no longer in difficulty: its kinds go too
        return kinds
    return values.get(key)


def _changes(values: dict, current: dict, regions: dict[str, Region]) -> list[dict]:
    changes = []
    for key in COMPARED_FIELDS:
        new = _file_value(key, values, current)
        old = current["region_id"] if key == "region" else current[key]
        if new is None or new == old:
            continue
        changes.append({"field": key, "column": _header(key), "old": _display(key, old, regions),
                        "new": _display(key, new, regions)})
    return changes


def _classify(rows: list[dict], ledger: _Ledger) -> None:
    """Sort clean rows into new, changed and unchanged against the ledger as it is now; rows whose region
    is unusable or whose child is registered outside the user's scope become errors."""
    codes = sorted({r["values"]["region"] for r in rows if is_valid_code(r["values"].get("region") or "")})
    regions = _regions(codes)
    manageable = set()
    for chunk in _chunks(codes):
        manageable.update(Region.objects.manageable_by(ledger.actor).filter(code__in=chunk)
                          .values_list("code", flat=True))
    existing = _existing_by_digest([r["digest"] for r in rows])
    visible = _visible_ids(ledger.actor, [c["id"] for c in existing.values()])
    regions.update(_regions(sorted({c["region_id"] for c in existing.values()} - set(regions))))

    for row in rows:
        row.update(kind=None, child_id=None, changes=[], errors=[])
        code = row["values"].get("region") or ""
        if not is_valid_code(code):
            row["errors"].append(_error("region", _("“%(value)s” is not a region code: it has 12 digits "
                                                    "(统计用区划代码), e.g. 141102001200.") % {"value": code}))
        elif code not in regions:
            row["errors"].append(_error("region", _("No region has the code %(code)s. Ask an administrator to add it.")
                                        % {"code": code}))
        elif code not in manageable or not in_subtree(ledger.region.code, code):
            row["errors"].append(_error("region", _("The region %(region)s is outside the area you import for "
                                                    "(%(area)s).") % {"region": _display("region", code, regions),
                                                                      "area": ledger.region.name}))
        current = existing.get(row["digest"])
        if current is not None and current["id"] not in visible:
            try:
                check_not_registered(actor=ledger.actor, number=identity.decrypt(row["id_enc"]))
            except ValidationError as exc:
                row["errors"].extend(_errors_from(exc))
            else:  # pragma: no cover - the child exited or moved between the two queries
                row["errors"].append(_error("id_number", _("The ledger changed while the list was read; try again.")))
        if row["errors"]:
            row["kind"] = ERROR
            continue
        row["region_label"] = _display("region", code, regions)
        row["categories_label"] = _display("categories", row["values"]["categories"], regions)
        if current is None:
            row["kind"] = NEW
        else:
            row["child_id"] = current["id"]
            row["changes"] = _changes(row["values"], current, regions)
            row["kind"] = CHANGED if row["changes"] else UNCHANGED


def _guardians(values: dict) -> list[GuardianData]:
    if not values.get("guardian_name"):
        return []
    return [GuardianData(name=values["guardian_name"], relation=values.get("guardian_relation") or "",
                         phone=values.get("guardian_phone") or "")]


def _run_row(row: dict, ledger: _Ledger, regions: dict[str, Region], *, dry_run: bool) -> None:
    """Write one new or changed row through the services (each is atomic: a refused row leaves nothing)."""
    values = row["values"]
    if row["kind"] == NEW:
        child_create(
            actor=ledger.actor, name=values["name"], gender=values["gender"],
            birth_date=date.fromisoformat(values["birth_date"]), id_number=identity.decrypt(row["id_enc"]),
            region=regions[values["region"]], categories=values["categories"],
            difficulty_types=values.get("difficulty_types") or [], guardians=_guardians(values),
            school=values.get("school") or "", grade=values.get("grade") or "", address=values.get("address") or "",
            household=values.get("household") or "rural", parents_work_place=values.get("parents_work_place") or "",
            notes=values.get("notes") or "", audit=not dry_run,
        )
        return
    child = Child.objects.visible_to(ledger.actor).get(pk=row["child_id"])
    changed = {c["field"] for c in row["changes"]}
    fields = {key: values[key] for key in (*_TEXT_FIELDS, "gender", "household") if key in changed}
    if changed & {"categories", "difficulty_types"}:
        fields["categories"] = values.get("categories") or child.categories
        kinds = _file_value("difficulty_types", values, {"categories": child.categories})
        fields["difficulty_types"] = child.difficulty_types if kinds is None else kinds
    if fields:
        child_update(actor=ledger.actor, child=child, **fields)
    if "region" in changed:
        child_transfer(actor=ledger.actor, child=child, to_region=regions[values["region"]],
                       effective_on=timezone.localdate(), note=_("Civil-affairs list import"))


def _run(rows: list[dict], ledger: _Ledger, *, dry_run: bool, on_row=None) -> list[dict]:
    """Write every new or changed row; returns the rows' errors. The caller's transaction decides what
    stays: a dry run (the preview) and a failed apply roll it all back. No savepoint per row is needed
    for that, as each service call is atomic itself. ``on_row(done, total)`` follows the rows written."""
    regions = _regions(sorted({r["values"]["region"] for r in rows if r["kind"] in (NEW, CHANGED)}))
    failures = []
    total = sum(1 for row in rows if row["kind"] in (NEW, CHANGED))
    done = 0
    for row in rows:
        if row["kind"] not in (NEW, CHANGED):
            continue
        done += 1
        if on_row is not None:
            on_row(done, total)
        try:
            _run_row(row, ledger, regions, dry_run=dry_run)
        except ValidationError as exc:
            failures.extend({"row": row["row"], **e} for e in _errors_from(exc))
        except Child.DoesNotExist:
            failures.append({"row": row["row"], **_error("id_number", _("The child is no longer in your ledger."))})
    return failures


def _missing(ledger: _Ledger, digests: set[str]) -> tuple[int, list[dict]]:
    children = (Child.objects.visible_to(ledger.actor).filter(subtree_q("region", ledger.region.code))
                .exclude(status=Status.EXITED).order_by("region_id", "name", "id")
                .values_list("id", "id_number_digest", "name", "id_number_last4", "region__name", "status"))
    missing = [row for row in children.iterator(chunk_size=_QUERY_CHUNK) if row[1] not in digests]
    statuses = dict(Status.choices)
    return len(missing), [
        {"child_id": pk, "name": name, "id_masked": identity.mask_last4(last4), "region": region_name,
         "status": str(statuses.get(status, status))}
        for pk, _digest, name, last4, region_name, status in missing[:MISSING_LISTED]
    ]


def _counts(rows: list[dict]) -> dict:
    counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0, ERROR: 0}
    for row in rows:
        counts[row["kind"]] += 1
    return counts


def _check_region(actor: User, region: Region | None) -> Region:
    if region is None or not Region.objects.manageable_by(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": _("The region does not exist or is outside your area.")})
    return region


@transaction.atomic
def import_upload(*, actor: User, region: Region | None, file_name: str, data: bytes) -> LedgerImport:
    """Take an upload of the list: the cheap checks of the file (size, package, damaged or hostile XML),
    then a ``pending`` import holding the file encrypted, its preview job queued once the transaction
    commits. Raises ValidationError ({"file": …} or {"region": …}) and creates nothing when refused.
    The ledger is not changed."""
    check(actor, EDIT, EDIT_MESSAGE)
    region = _check_region(actor, region)
    check_package(data)
    ledger_import = LedgerImport.objects.create(
        region=region, file_name=(file_name or "")[:200], file_sha256=hashlib.sha256(data).hexdigest(),
        status=LedgerImportStatus.PENDING, uploaded_by=actor)
    ledger_import.upload.save("upload", ContentFile(identity.encrypt_bytes(data)), save=False)
    ledger_import.save(update_fields=["upload"])
    _queue_preview(ledger_import.pk)
    return ledger_import


def _queue_preview(import_id: int) -> None:
    from children.tasks import build_import_preview  # the task module imports this one

    transaction.on_commit(lambda: build_import_preview.delay(import_id))


# --- the preview job's progress -------------------------------------------------------------------
# Kept in the cache (Redis when there is one, shared by the web and the workers), not on the import's
# row: most of the work is a dry run inside one transaction, whose writes no other connection sees.
PROGRESS_READ, PROGRESS_CLASSIFIED, PROGRESS_CHECKED = 15, 25, 95


def _progress_key(import_id: int) -> str:
    return f"ledger-import-progress:{import_id}"


def _set_progress(import_id: int, progress: int) -> None:
    cache.set(_progress_key(import_id), progress, timeout=settings.TASK_LOST_AFTER)


def import_progress(ledger_import: LedgerImport) -> int:
    """How far the job of a ``pending`` (preview) or ``applying`` import is (0..100); 100 once neither."""
    if ledger_import.status not in (LedgerImportStatus.PENDING, LedgerImportStatus.APPLYING):
        return 100
    return cache.get(_progress_key(ledger_import.pk), 0)


def _row_progress(show, start: int, end: int):
    """``on_row(done, total)`` for :func:`_run` that shows the progress from ``start`` to ``end``, each
    percent once."""
    shown = [start]

    def on_row(done: int, total: int) -> None:
        progress = start + (end - start) * done // max(total, 1)
        if progress > shown[0]:
            shown[0] = progress
            show(progress)

    return on_row


def _build_preview(*, actor: User, region: Region | None, data: bytes, on_progress=None) -> dict:
    """Read the list and compare it with the ledger (a dry run of the services, rolled back). File-level
    problems raise ValidationError; row problems are part of the preview. ``on_progress(0..100)`` follows
    the work: reading the file, sorting the rows, then the dry run row by row."""
    show = on_progress or (lambda progress: None)
    check(actor, EDIT, EDIT_MESSAGE)
    region = _check_region(actor, region)
    sheet = read_sheet(data)
    ledger = _Ledger(actor=actor, region=region)
    show(PROGRESS_READ)

    rows = [_row_from_sheet(r) for r in sheet.rows]
    _check_id_numbers(rows)
    clean = [r for r in rows if r["kind"] != ERROR]
    on_row = _row_progress(show, PROGRESS_CLASSIFIED, PROGRESS_CHECKED)

    with transaction.atomic():
        _classify(clean, ledger)
        show(PROGRESS_CLASSIFIED)
        by_number = {r["row"]: r for r in clean}
        for failure in _run(clean, ledger, dry_run=True, on_row=on_row):
            row = by_number[failure["row"]]
            row.update(kind=ERROR, changes=[], child_id=None)
            row["errors"].append({"column": failure["column"], "message": failure["message"]})
        transaction.set_rollback(True)  # a dry run: nothing the services wrote is kept

    missing_total, missing = _missing(ledger, {r["digest"] for r in rows if r["digest"]})
    return {"version": PREVIEW_VERSION, "headers": sheet.headers, "rows": rows, "counts": _counts(rows),
            "missing_total": missing_total, "missing": missing}


def _read_upload(ledger_import: LedgerImport) -> bytes:
    with ledger_import.upload.open("rb") as stored:
        return identity.decrypt_bytes(stored.read())


def _finish(ledger_import: LedgerImport, *, status: str, preview: dict | None = None,
            error: str = "") -> LedgerImport:
    """Record the job's outcome over a still-pending import (so a second delivery of the task cannot
    overwrite it) and delete the stored upload."""
    fields = {"status": status, "error": error[:ERROR_MAX_CHARS], "upload": ""}
    if preview is not None:
        fields["preview"] = preview
    update_after_interrupt(LedgerImport.objects.filter(pk=ledger_import.pk, status=LedgerImportStatus.PENDING),
                           **fields)
    cache.delete(_progress_key(ledger_import.pk))
    if ledger_import.upload.name:
        ledger_import.upload.storage.delete(ledger_import.upload.name)
    ledger_import.refresh_from_db()
    return ledger_import


def import_preview_build(*, import_id: int) -> LedgerImport:
    """Build the preview of a ``pending`` import as its uploader (the Celery task's work): it becomes
    ``previewed``, or ``failed`` with the reason in the user's words when the file cannot be used, and
    the stored upload is deleted. An import no longer pending is returned as it is (a redelivered task
    does nothing twice). The database's OperationalError propagates, leaving the import pending, so
    that Celery retries. The ledger is not changed."""
    ledger_import = LedgerImport.objects.select_related("region", "uploaded_by").get(pk=import_id)
    if ledger_import.status != LedgerImportStatus.PENDING:
        return ledger_import
    try:
        preview = _build_preview(actor=ledger_import.uploaded_by, region=ledger_import.region,
                                 data=_read_upload(ledger_import),
                                 on_progress=lambda progress: _set_progress(import_id, progress))
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return _finish(ledger_import, status=LedgerImportStatus.FAILED, error=" ".join(messages))
    except OperationalError:
        raise
    except Exception:  # a bug, a lost file, the time limit: retrying would not help, waiting forever neither
        logger.exception("The preview of ledger import %s failed", import_id)
        return _finish(ledger_import, status=LedgerImportStatus.FAILED,
                       error=_("The list could not be checked because of an error on the server. Upload it again; "
                               "if this happens again, tell your administrator."))
    return _finish(ledger_import, status=LedgerImportStatus.PREVIEWED, preview=preview)


# --- lost jobs ------------------------------------------------------------------------------------

def _lost_before():
    return timezone.now() - timedelta(seconds=settings.TASK_LOST_AFTER)


def _upload_storage():
    return LedgerImport._meta.get_field("upload").storage


def _delete_uploads(names) -> None:
    storage = _upload_storage()
    for name in dict.fromkeys(names):
        try:
            storage.delete(name)
        except OSError:  # left for the next sweep (imports_fail_lost)
            logger.exception("Could not delete the upload %s", name)


def _fail_lost(imports: QuerySet) -> tuple[int, list[str]]:
    """Mark the lost pending imports among ``imports`` failed and the lost applying ones apply_failed,
    and forget the uploads still recorded on imports no longer pending. Returns how many were marked,
    and the files to delete."""
    lost_before = _lost_before()
    lost = dict(imports.filter(status=LedgerImportStatus.PENDING, created_at__lt=lost_before)
                .values_list("pk", "upload"))
    failed = 0
    if lost:
        failed = LedgerImport.objects.filter(pk__in=lost, status=LedgerImportStatus.PENDING).update(
            status=LedgerImportStatus.FAILED, upload="",
            error=_("The check of the list did not finish. Upload it again."))
    lost_applies = list(imports.filter(status=LedgerImportStatus.APPLYING, apply_requested_at__lt=lost_before)
                        .values_list("pk", flat=True))
    if lost_applies:
        # A worker still applying one holds its row's lock: this waits for it, then finds it applied.
        failed += LedgerImport.objects.filter(pk__in=lost_applies, status=LedgerImportStatus.APPLYING).update(
            status=LedgerImportStatus.APPLY_FAILED, error=str(APPLY_LOST_MESSAGE))
        for pk in lost_applies:
            cache.delete(_progress_key(pk))
    left = dict(imports.exclude(status=LedgerImportStatus.PENDING).exclude(upload="").values_list("pk", "upload"))
    if left:
        LedgerImport.objects.filter(pk__in=left).exclude(status=LedgerImportStatus.PENDING).update(upload="")
    return failed, [name for name in (*lost.values(), *left.values()) if name]


def _unclaimed_uploads() -> list[str]:
    """Files of the uploads folder older than the lost bound that no pending import waits for (an upload
    whose transaction rolled back, a deletion that failed)."""
    storage = _upload_storage()
    try:
        _folders, files = storage.listdir(LEDGER_IMPORT_UPLOADS)
    except (FileNotFoundError, NotImplementedError):
        return []
    waited_for = set(LedgerImport.objects.filter(status=LedgerImportStatus.PENDING).exclude(upload="")
                     .values_list("upload", flat=True))
    before = _lost_before()
    names = (f"{LEDGER_IMPORT_UPLOADS}/{file}" for file in files)
    return [name for name in names if name not in waited_for and storage.get_modified_time(name) < before]


def imports_fail_lost() -> int:
    """Mark every import still ``pending`` settings.TASK_LOST_AFTER after its upload ``failed`` (its
    preview job was lost), and every import still ``applying`` that long after the apply was asked for
    ``apply_failed``, and delete the uploads no pending import waits for. Returns how many were marked.
    A lost import's task that a worker takes up after all leaves it as it is."""
    failed, names = _fail_lost(LedgerImport.objects.all())
    _delete_uploads([*names, *_unclaimed_uploads()])
    if failed:
        logger.warning("Marked %s lost ledger import(s) failed", failed)
    return failed


def import_fail_if_lost(ledger_import: LedgerImport) -> LedgerImport:
    """:func:`imports_fail_lost` for one import (its page is being opened); returns it as it is now."""
    failed, names = _fail_lost(LedgerImport.objects.filter(pk=ledger_import.pk))
    _delete_uploads(names)
    if failed or names:
        ledger_import.refresh_from_db()
    return ledger_import


# --- apply ----------------------------------------------------------------------------------------

def _strip_numbers(preview: dict) -> dict:
    for row in preview.get("rows", []):
        row["id_enc"] = None
    return preview


def _drop_upload(ledger_import: LedgerImport) -> None:
    """Forget the upload of an import being applied or discarded (the preview job deletes it, this is in
    case it did not), deleting the file once the transaction commits."""
    name = ledger_import.upload.name
    if name:
        ledger_import.upload = ""
        transaction.on_commit(lambda: _delete_uploads([name]))


# Why an ``apply_failed`` import was not applied (its ``error``); the ledger is unchanged in each case.
APPLY_ROWS_MESSAGE = gettext_lazy("Some rows no longer pass the checks (listed above). Upload the file again to "
                                  "compare it with the ledger as it is now.")
APPLY_LOST_MESSAGE = gettext_lazy("The apply did not finish, and nothing was changed in the ledger. Upload the file "
                                  "again.")
APPLY_ERROR_MESSAGE = gettext_lazy("The list could not be applied because of an error on the server, and nothing "
                                   "was changed in the ledger. Upload it again; if this happens again, tell your "
                                   "administrator.")
# The apply's progress: the rows re-checked against the ledger, then written row by row.
PROGRESS_APPLY_CLASSIFIED, PROGRESS_APPLY_WRITTEN = 10, 95
# How many rows that stopped an apply are kept on the import (their count is always kept).
APPLY_FAILURES_KEPT = 1000


def _locked(actor: User, ledger_import: LedgerImport,
            status: str = LedgerImportStatus.PREVIEWED) -> LedgerImport:
    """The import locked, in the actor's scope (LedgerImport.DoesNotExist outside it), when it is in
    ``status``; else a ValidationError saying what it is."""
    locked = LedgerImport.objects.visible_to(actor).select_for_update().get(pk=ledger_import.pk)
    if locked.status == status:
        return locked
    if locked.status in (LedgerImportStatus.PENDING, LedgerImportStatus.FAILED):
        raise ValidationError({"status": _("This import has no preview to confirm.")})
    if locked.status == LedgerImportStatus.APPLYING:
        raise ValidationError({"status": _("This import is already being applied.")})
    raise ValidationError({"status": _("This import was already %(status)s.")
                           % {"status": locked.get_status_display()}})


def import_apply(*, actor: User, ledger_import: LedgerImport) -> LedgerImport:
    """Apply the clean rows of a previewed import in one transaction, through the services, with the
    actor as the acting user. Raises ApplyFailed (and changes nothing) when a clean row now fails or
    differs from the preview; LedgerImport.DoesNotExist outside the actor's scope."""
    check(actor, EDIT, EDIT_MESSAGE)
    with transaction.atomic():
        return _apply(actor, _locked(actor, ledger_import))


def _apply(actor: User, ledger_import: LedgerImport, on_progress=None) -> LedgerImport:
    """The apply of a locked import, inside the caller's transaction (see :func:`import_apply`)."""
    show = on_progress or (lambda progress: None)
    ledger = _Ledger(actor=actor, region=ledger_import.region)
    previewed = [r for r in ledger_import.preview["rows"] if r["kind"] != ERROR]
    fresh = [{**r, "changes": [], "errors": []} for r in previewed]
    _classify(fresh, ledger)
    show(PROGRESS_APPLY_CLASSIFIED)
    failures = []
    for before, now in zip(previewed, fresh, strict=True):
        if now["kind"] == ERROR:
            failures.extend({"row": now["row"], **e} for e in now["errors"])
        elif (now["kind"], now["child_id"], now["changes"]) != (before["kind"], before["child_id"],
                                                                 before["changes"]):
            failures.append({"row": now["row"], **_error("name", _(
                "The ledger changed for this child since the preview. Upload the file again to see the "
                "differences as they are now."))})
    if not failures:
        failures = _run(fresh, ledger, dry_run=False,
                        on_row=_row_progress(show, PROGRESS_APPLY_CLASSIFIED, PROGRESS_APPLY_WRITTEN))
    if failures:
        raise ApplyFailed(failures)  # leaving the atomic block rolls back every row

    counts = _counts(ledger_import.preview["rows"])
    summary = {"created": counts[NEW], "updated": counts[CHANGED], "unchanged": counts[UNCHANGED],
               "skipped": counts[ERROR],
               "skipped_rows": [r["row"] for r in ledger_import.preview["rows"] if r["kind"] == ERROR],
               "missing": ledger_import.preview.get("missing_total", 0)}
    ledger_import.status = LedgerImportStatus.APPLIED
    ledger_import.applied_at = timezone.now()
    ledger_import.applied_by = actor
    ledger_import.summary = summary
    ledger_import.preview = _strip_numbers(ledger_import.preview)
    _drop_upload(ledger_import)
    ledger_import.save(update_fields=["status", "applied_at", "applied_by", "summary", "preview", "upload"])
    audit_record(actor=actor, action=AuditAction.IMPORT, target=ledger_import, target_label=ledger_import.file_name,
                 detail={"file_sha256": ledger_import.file_sha256,
                         **{k: summary[k] for k in ("created", "updated", "skipped")}})
    return ledger_import


@transaction.atomic
def import_apply_request(*, actor: User, ledger_import: LedgerImport) -> LedgerImport:
    """Confirm a previewed import: it becomes ``applying`` and its apply job is queued once the
    transaction commits (children.tasks.apply_import, which runs :func:`import_apply_run`). Raises
    ValidationError ({"status": …}) when it is not ``previewed`` — already applying, applied, discarded —
    so a second request queues nothing; LedgerImport.DoesNotExist outside the actor's scope."""
    check(actor, EDIT, EDIT_MESSAGE)
    ledger_import = _locked(actor, ledger_import)
    ledger_import.status = LedgerImportStatus.APPLYING
    ledger_import.applied_by = actor
    ledger_import.apply_requested_at = timezone.now()
    ledger_import.save(update_fields=["status", "applied_by", "apply_requested_at"])
    cache.delete(_progress_key(ledger_import.pk))
    _queue_apply(ledger_import.pk)
    return ledger_import


def _queue_apply(import_id: int) -> None:
    from children.tasks import apply_import  # the task module imports this one

    transaction.on_commit(lambda: apply_import.delay(import_id))


def _finish_apply(import_id: int, *, error: str, failures: list[dict] | None = None) -> LedgerImport:
    """Record that the apply of a still-``applying`` import failed (the ledger unchanged): a second
    delivery of the task, or an import applied meanwhile, is left as it is."""
    fields = {"status": LedgerImportStatus.APPLY_FAILED, "error": error[:ERROR_MAX_CHARS]}
    if failures is not None:
        fields["summary"] = {"failures": failures[:APPLY_FAILURES_KEPT], "failures_total": len(failures)}
    marked = update_after_interrupt(LedgerImport.objects.filter(pk=import_id, status=LedgerImportStatus.APPLYING),
                                    **fields)
    cache.delete(_progress_key(import_id))
    ledger_import = LedgerImport.objects.get(pk=import_id)
    if marked:  # the import is closed: its ID numbers go, as when it is applied or discarded
        ledger_import.preview = _strip_numbers(ledger_import.preview)
        ledger_import.save(update_fields=["preview"])
    return ledger_import


def import_apply_run(*, import_id: int) -> LedgerImport:
    """Apply an ``applying`` import as the staff member who confirmed it (the Celery task's work), all or
    nothing as :func:`import_apply`: it becomes ``applied``, or ``apply_failed`` with the reason — the
    rows that stopped it, the confirmer no longer allowed, an error — and the ledger unchanged. An
    import no longer applying is returned as it is (a second delivery applies nothing twice). The
    database's OperationalError propagates, leaving the import applying, so that Celery retries."""
    try:
        with transaction.atomic():
            ledger_import = LedgerImport.objects.select_for_update().get(pk=import_id)
            if ledger_import.status != LedgerImportStatus.APPLYING:
                return ledger_import
            actor = ledger_import.applied_by
            check(actor, EDIT, EDIT_MESSAGE)
            if not LedgerImport.objects.visible_to(actor).filter(pk=import_id).exists():
                raise PermissionDenied(_("The import is outside your area."))
            ledger_import = _apply(actor, ledger_import,
                                   on_progress=lambda progress: _set_progress(import_id, progress))
    except ApplyFailed as exc:  # leaving the atomic block rolled back every row
        return _finish_apply(import_id, error=str(APPLY_ROWS_MESSAGE), failures=exc.errors)
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return _finish_apply(import_id, error=" ".join(messages))
    except OperationalError:
        raise
    except Exception:  # a bug, the soft time limit: retrying would not help, waiting forever neither
        logger.exception("The apply of ledger import %s failed", import_id)
        return _finish_apply(import_id, error=str(APPLY_ERROR_MESSAGE))
    cache.delete(_progress_key(import_id))
    return ledger_import


def import_apply_fail_stopped(*, import_id: int, exc: BaseException) -> bool:
    """Mark an import ``apply_failed`` at once when Celery gives up on its apply task outside
    :func:`import_apply_run` (killed at the hard time limit, its worker process lost, retries run out).
    An import no longer applying is left as it is. Returns whether it was marked."""
    marked = update_after_interrupt(
        LedgerImport.objects.filter(pk=import_id, status=LedgerImportStatus.APPLYING),
        status=LedgerImportStatus.APPLY_FAILED, error=str(APPLY_LOST_MESSAGE))
    cache.delete(_progress_key(import_id))
    if marked:
        logger.warning("The apply of ledger import %s was stopped: %r", import_id, exc)
    return bool(marked)


def import_discard(*, actor: User, ledger_import: LedgerImport) -> LedgerImport:
    check(actor, EDIT, EDIT_MESSAGE)
    with transaction.atomic():
        ledger_import = _locked(actor, ledger_import)
        ledger_import.status = LedgerImportStatus.DISCARDED
        ledger_import.preview = _strip_numbers(ledger_import.preview)
        _drop_upload(ledger_import)
        ledger_import.save(update_fields=["status", "preview", "upload"])
    return ledger_import


def applied_before(*, actor: User, ledger_import: LedgerImport) -> LedgerImport | None:
    """An earlier applied import of the same file in the actor's scope, for the "applied before" warning."""
    return (LedgerImport.objects.visible_to(actor).filter(file_sha256=ledger_import.file_sha256,
                                                          status=LedgerImportStatus.APPLIED)
            .exclude(pk=ledger_import.pk).order_by("-applied_at").first())
