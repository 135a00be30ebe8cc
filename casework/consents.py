"""Guardians' consents (PIPL Art. 31; 未成年人网络保护条例): recording one, withdrawing it, and asking whether
a child's information may be kept, photographed or shared today.

A consent says who gave it (and their relation to the child), when, to what — ``processing`` (keeping and
using the child's information), ``photos``, ``sharing`` with other departments (a referral) — and how:
a signed paper, scanned and kept in the private storage, or verbally, before a named witness. It is
withdrawn by dating the withdrawal; nothing is deleted.

Who: staff and administrators of the child's region subtree record and withdraw (core.access.EDIT);
read-only leaders read; caring mothers see none (a 404). Every change is audited with its values, and
each download of a scanned paper too.

Where it is asked: a photo of a child (activities.photos, alerts) needs a current ``photos`` consent; a
referral (casework.services.referral_create) a ``sharing`` consent or an override with a reason.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from casework.models import ConsentMethod, ConsentScope, GuardianConsent
from children.models import Child
from core.access import EDIT, check

NAME_MAX_CHARS = 40
RELATION_MAX_CHARS = 20
NOTE_MAX_CHARS = 300
# The scanned paper: a PDF or a photo of it, at most this big.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {".pdf": b"%PDF", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG"}


def today() -> date:
    return timezone.localdate()


def has_consent(child: Child | int, scope: str, *, on: date | None = None) -> bool:
    """Whether a current consent of ``child`` covers ``scope`` (a ConsentScope value) on ``on``."""
    pk = getattr(child, "pk", child)
    return GuardianConsent.objects.covering(scope, on or today()).filter(child_id=pk).exists()


def children_without(scope: str, child_ids, *, on: date | None = None) -> list[int]:
    """Which of ``child_ids`` have no current consent covering ``scope`` (one query)."""
    ids = set(child_ids)
    if not ids:
        return []
    covered = set(GuardianConsent.objects.covering(scope, on or today()).filter(child_id__in=ids)
                  .values_list("child_id", flat=True))
    return sorted(ids - covered)


def _check(actor: User, child: Child) -> Child:
    from casework.services import EDIT_DENIED as DENIED

    check(actor, EDIT, DENIED)
    return Child.objects.visible_to(actor).get(pk=child.pk)  # DoesNotExist outside the subtree: a 404


def _text(value, field: str, *, required: str | None, max_chars: int) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > max_chars:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": max_chars}})
    return text


def _date(value: date | None, field: str, *, not_before: date | None = None, before_message: str = "") -> date:
    if value is None:
        raise ValidationError({field: _("Enter a date.")})
    if value > today():
        raise ValidationError({field: _("The date %(date)s is in the future.") % {"date": value.isoformat()}})
    if not_before is not None and value < not_before:
        raise ValidationError({field: before_message})
    return value


def _scopes(scopes) -> list[str]:
    if isinstance(scopes, str):
        scopes = [scopes]
    chosen = [str(s) for s in (scopes or [])]
    unknown = [s for s in chosen if s not in ConsentScope.values]
    if unknown:
        raise ValidationError({"scopes": _("Unknown scope “%(value)s”; the scopes are: %(scopes)s.") % {
            "value": unknown[0][:40], "scopes": ", ".join(ConsentScope.values)}})
    if not chosen:
        raise ValidationError({"scopes": _("Tick at least one thing the guardian agreed to.")})
    return list(dict.fromkeys(chosen))


def _document(upload: UploadedFile | None) -> UploadedFile | None:
    if upload is None:
        return None
    name = (upload.name or "").lower()
    suffix = name[name.rfind("."):] if "." in name else ""
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError({"document": _("Upload the scan as a PDF, JPEG or PNG file.")})
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": _("The scan is larger than %(mb)s MB.") % {"mb": DOCUMENT_MAX_BYTES // 2**20}})
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(DOCUMENT_TYPES[suffix]):
        raise ValidationError({"document": _("The file is not the PDF, JPEG or PNG its name says.")})
    return upload


@transaction.atomic
def consent_record(*, actor: User, child: Child, given_by: str, relation: str, given_on: date | None,
                   scopes, method: str, witness: str = "", document: UploadedFile | None = None,
                   note: str = "") -> GuardianConsent:
    """Record a guardian's consent. A signed consent needs its scan (``document``); a verbal one the
    witness's name."""
    child = _check(actor, child)
    given_by = _text(given_by, "given_by", required=_("Give the name of the guardian who consented."),
                     max_chars=NAME_MAX_CHARS)
    relation = _text(relation, "relation", required=_("Give the guardian's relation to the child."),
                     max_chars=RELATION_MAX_CHARS)
    given_on = _date(given_on, "given_on")
    chosen = _scopes(scopes)
    if method not in ConsentMethod.values:
        raise ValidationError({"method": _("Choose how the consent was given: signed on paper or verbally.")})
    witness = _text(witness, "witness", max_chars=NAME_MAX_CHARS,
                    required=_("A verbal consent needs the name of its witness.") if method == ConsentMethod.VERBAL
                    else None)
    document = _document(document)
    if method == ConsentMethod.SIGNED and document is None:
        raise ValidationError({"document": _("Upload the scan of the signed paper.")})
    note = _text(note, "note", required=None, max_chars=NOTE_MAX_CHARS)
    consent = GuardianConsent(child=child, given_by=given_by, relation=relation, given_on=given_on, method=method,
                              witness=witness if method == ConsentMethod.VERBAL else "", note=note,
                              recorded_by=actor, **{scope: scope in chosen for scope in ConsentScope.values})
    consent.save()
    if document is not None:
        consent.document.save(document.name, document, save=True)
    audit_record(actor=actor, action=AuditAction.CREATE, target=consent, region_code=child.region_id,
                 changes={"given_by": ("", given_by), "relation": ("", relation), "given_on": (None, given_on.isoformat()),
                          **dict.fromkeys(chosen, (False, True)), "method": ("", method),
                          "witness": ("", consent.witness)},
                 detail={"child": child.pk, "document": bool(document)})
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: GuardianConsent, withdrawn_on: date | None = None,
                     note: str = "") -> GuardianConsent:
    """Date the withdrawal of a consent (today by default); from that day it covers nothing."""
    locked = GuardianConsent.objects.select_for_update().select_related("child").get(pk=consent.pk)
    _check(actor, locked.child)
    if locked.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": _("This consent was already withdrawn on %(date)s.") % {
            "date": locked.withdrawn_on.isoformat()}})
    withdrawn_on = _date(withdrawn_on or today(), "withdrawn_on", not_before=locked.given_on,
                         before_message=_("The consent cannot be withdrawn before it was given (%(date)s).") % {
                             "date": locked.given_on.isoformat()})
    note = _text(note, "note", required=None, max_chars=NOTE_MAX_CHARS)
    locked.withdrawn_on, locked.withdrawn_by = withdrawn_on, actor
    locked.save(update_fields=["withdrawn_on", "withdrawn_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=locked, region_code=locked.child.region_id,
                 changes={"withdrawn_on": (None, withdrawn_on.isoformat())},
                 detail={"child": locked.child_id, "scopes": locked.scopes, **({"note": note} if note else {})})
    for field in ("withdrawn_on", "withdrawn_by_id"):
        setattr(consent, field, getattr(locked, field))
    return consent


def consent_document_opened(*, actor: User, consent: GuardianConsent) -> None:
    """Audit a download of the scanned paper (the view checks the scope first)."""
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, target=consent, region_code=consent.child.region_id,
                 detail={"child": consent.child_id, "document": True})
