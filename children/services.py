"""Children ledger actions. HTML views, the API, the Excel import, tasks and seed_demo all call these.

Every function takes the acting user, checks that the child is in their scope and that their role
may change it, validates, writes, and audits. Errors are Django ValidationErrors keyed by field.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import idcard
from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User
from children import identity
from children.models import (
    Category,
    Child,
    DifficultyType,
    ExitReason,
    Gender,
    Guardian,
    Household,
    Need,
    NeedKind,
    NeedStatus,
    RiskAssessment,
    RiskColor,
    RiskFactor,
    Status,
    StatusChange,
    review_days,
)
from children.retention import check_not_anonymised
from core.access import EDIT, check
from core.regioncodes import COUNTY, TOWNSHIP, VILLAGE, in_subtree, province_of
from core.updates import model_update
from reports.statstable import stats_changed, stats_changed_everywhere

CHILD_REGION_LEVELS = (COUNTY, TOWNSHIP, VILLAGE)
# The refusal of a change to a role that may only read the ledger (the pages and the import say it too).
EDIT_MESSAGE = gettext_lazy("Your role can read the ledger but not change it.")


@dataclass(frozen=True)
class GuardianData:
    name: str
    relation: str
    phone: str = ""


def today() -> date:
    return timezone.localdate()


# --- checks ---------------------------------------------------------------------------------------

def _check_editable(actor: User, child: Child) -> None:
    """The actor's role may change the ledger (else PermissionDenied) and the child is in their scope
    (else Child.DoesNotExist, a 404)."""
    check(actor, EDIT, EDIT_MESSAGE)
    if not Child.objects.visible_to(actor).filter(pk=child.pk).exists():
        raise Child.DoesNotExist


def _check_date(value: date | None, field: str, *, not_before: date | None = None,
                not_before_label: str = "") -> None:
    if value is None:
        raise ValidationError({field: _("Enter a date.")})
    if value > today():
        raise ValidationError({field: _("The date %(date)s is in the future.") % {"date": value.isoformat()}})
    if not_before is not None and value < not_before:
        raise ValidationError({field: _("The date %(date)s is before %(what)s (%(other)s).") % {
            "date": value.isoformat(), "what": not_before_label, "other": not_before.isoformat()}})


def _check_region(actor: User, region: Region | None, field: str = "region") -> Region:
    if region is None or not Region.objects.manageable_by(actor).filter(pk=region.pk).exists():
        raise ValidationError({field: _("The region does not exist or is outside your area.")})
    if region.level not in CHILD_REGION_LEVELS:
        raise ValidationError({field: _("Register a child at a county, township or village, not at %(level)s level.")
                               % {"level": region.get_level_display()}})
    return region


def transfer_area(actor: User) -> str | None:
    """The code of the subtree a child may be transferred into by ``actor``: their own province — a
    family may move beyond the actor's area, but the child stays with the province's federation —
    or None (anywhere) for a superuser. The destination search (children.selectors) uses it too."""
    return None if actor.is_superuser or not actor.region_id else province_of(actor.region_id)


def _check_transfer_destination(actor: User, region: Region | None, field: str = "region") -> Region:
    if region is None or region.level not in CHILD_REGION_LEVELS:
        raise ValidationError({field: _("Choose the county, township or village the child moves to.")})
    area = transfer_area(actor)
    if area is not None and not in_subtree(area, region.pk):
        raise ValidationError({field: _("A child can be transferred only to a region in your own province.")})
    return region


def _check_categories(categories: Iterable[str], difficulty_types: Iterable[str]) -> tuple[set[str], set[str]]:
    cats, kinds = set(categories), set(difficulty_types)
    unknown = cats - set(Category.values)
    if unknown:
        raise ValidationError({"categories": _("Unknown category: %(value)s.") % {"value": ", ".join(sorted(unknown))}})
    if not cats:
        raise ValidationError({"categories": _("Choose at least one category.")})
    unknown = kinds - set(DifficultyType.values)
    if unknown:
        raise ValidationError({"difficulty_types": _("Unknown kind of difficulty: %(value)s.")
                               % {"value": ", ".join(sorted(unknown))}})
    if kinds and Category.IN_DIFFICULTY not in cats:
        raise ValidationError({"difficulty_types": _("Kinds of difficulty apply only to a child in difficulty.")})
    if Category.IN_DIFFICULTY in cats and not kinds:
        raise ValidationError({"difficulty_types": _("Say why the child is in difficulty (poverty, disability or guardianship).")})
    return cats, kinds


def check_id_number(number: str, *, birth_date: date | None, gender: str | None) -> str:
    """Validate a 身份证号 and its agreement with the record; returns the normalised number."""
    try:
        info = idcard.validate(number)
    except idcard.IdCardError as exc:
        raise ValidationError({"id_number": str(exc)}) from None
    if birth_date is not None and info.birth_date != birth_date:
        raise ValidationError({"id_number": _("The ID number gives the birth date %(id_date)s, but the record says %(date)s.")
                               % {"id_date": info.birth_date.isoformat(), "date": birth_date.isoformat()}})
    if gender and info.sex != gender:
        raise ValidationError({"id_number": _("By the ID number the child is a %(id_gender)s, but the record says %(gender)s.")
                               % {"id_gender": Gender(info.sex).label, "gender": Gender(gender).label}})
    return info.number


def check_not_registered(*, actor: User, number: str, exclude_pk: int | None = None) -> None:
    """A number may belong to one non-exited child in the whole system.

    Within the actor's scope the message names the existing record; outside it, the message only
    says the child is registered elsewhere (no name, no region)."""
    existing = Child.objects.exclude(status=Status.EXITED).filter(id_number_digest=identity.digest(number))
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    existing = existing.first()
    if existing is None:
        return
    if Child.objects.visible_to(actor).filter(pk=existing.pk).exists():
        raise ValidationError({"id_number": _("This ID number is already registered: %(name)s, %(region)s (record %(id)s).")
                               % {"name": existing.name, "region": existing.region.name, "id": existing.pk}})
    raise ValidationError({"id_number": _("This child is already registered in another region; ask the federation there.")})


def _check_age(*, birth_date: date, categories: set[str], on: date) -> None:
    child = Child(birth_date=birth_date, **{f"is_{c}": True for c in categories})
    ages_out = child.compute_ages_out_on()
    if ages_out is not None and ages_out <= on:
        raise ValidationError({"birth_date": _("By age the child no longer qualifies for these categories (left-behind under 16, the others under 18).")})


# --- the child record -----------------------------------------------------------------------------

def _apply_categories(child: Child, cats: set[str], kinds: set[str]) -> None:
    for category in Category.values:
        setattr(child, f"is_{category}", category in cats)
    for kind in DifficultyType.values:
        setattr(child, f"difficulty_{kind}", kind in kinds)
    child.ages_out_on = child.compute_ages_out_on()


def _replace_guardians(child: Child, guardians: Iterable[GuardianData]) -> None:
    rows = [g for g in guardians if (g.name or "").strip()]
    for index, g in enumerate(rows, start=1):
        if not (g.relation or "").strip():
            raise ValidationError({"guardians": _("Guardian %(n)s: enter the relation to the child.") % {"n": index}})
        if g.phone and not (g.phone.isdigit() and 7 <= len(g.phone) <= 12):
            raise ValidationError({"guardians": _("Guardian %(n)s: “%(phone)s” is not a phone number.")
                                   % {"n": index, "phone": g.phone}})
    child.guardians.all().delete()
    Guardian.objects.bulk_create([
        Guardian(child=child, name=g.name.strip(), relation=g.relation.strip(), phone=(g.phone or "").strip(),
                 position=index)
        for index, g in enumerate(rows)
    ])


@transaction.atomic
def child_create(
    *,
    actor: User,
    name: str,
    gender: str,
    birth_date: date,
    id_number: str,
    region: Region | None,
    categories: Iterable[str],
    difficulty_types: Iterable[str] = (),
    guardians: Iterable[GuardianData] = (),
    school: str = "",
    grade: str = "",
    address: str = "",
    household: str = Household.RURAL,
    parents_work_place: str = "",
    notes: str = "",
    entered_on: date | None = None,
    audit: bool = True,
) -> Child:
    check(actor, EDIT, EDIT_MESSAGE)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the child's name.")})
    if gender not in Gender.values:
        raise ValidationError({"gender": _("Choose boy or girl.")})
    _check_date(birth_date, "birth_date")
    entered_on = entered_on or today()
    _check_date(entered_on, "entered_on", not_before=birth_date, not_before_label=_("the birth date"))
    region = _check_region(actor, region)
    cats, kinds = _check_categories(categories, difficulty_types)
    _check_age(birth_date=birth_date, categories=cats, on=entered_on)
    number = check_id_number(id_number, birth_date=birth_date, gender=gender)
    check_not_registered(actor=actor, number=number)
    if household not in Household.values:
        raise ValidationError({"household": _("Choose rural or urban.")})

    child = Child(name=name, gender=gender, birth_date=birth_date, region=region, school=school.strip(),
                  grade=grade.strip(), address=address.strip(), household=household,
                  parents_work_place=parents_work_place.strip(), notes=notes.strip(), entered_on=entered_on,
                  status=Status.ACTIVE, created_by=actor)
    child.set_id_number(number)
    _apply_categories(child, cats, kinds)
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:  # a concurrent registration of the same number won the race
        raise ValidationError({"id_number": _("This child is already registered in another region; ask the federation there.")}) from None
    _replace_guardians(child, guardians)
    # The first row (from_status "") is the registration itself.
    StatusChange.objects.create(child=child, from_status="", to_status=Status.ACTIVE, effective_on=entered_on,
                                actor=actor)
    stats_changed(since=entered_on)
    if audit:
        audit_record(actor=actor, action=AuditAction.CREATE, target=child)
    return child


def _audit_value(value: object) -> object:
    """A record's value as the audit log stores it (JSON): dates as ISO dates."""
    return value.isoformat() if isinstance(value, date) else value


UPDATABLE_FIELDS = ("name", "gender", "birth_date", "school", "grade", "address", "household", "parents_work_place",
                    "notes")


@transaction.atomic
def child_update(
    *,
    actor: User,
    child: Child,
    id_number: str | None = None,
    categories: Iterable[str] | None = None,
    difficulty_types: Iterable[str] | None = None,
    guardians: Iterable[GuardianData] | None = None,
    **fields,
) -> Child:
    """Change a child's record. Region changes are transfers (child_transfer), status changes go through
    child_change_status; both keep their history."""
    _check_editable(actor, child)
    check_not_anonymised(child)
    changes = {field: (_audit_value(old), _audit_value(new))
               for field, (old, new) in model_update(instance=child, data=fields, allowed=UPDATABLE_FIELDS).items()}
    if not child.name:
        raise ValidationError({"name": _("Enter the child's name.")})
    if child.gender not in Gender.values:
        raise ValidationError({"gender": _("Choose boy or girl.")})
    if child.household not in Household.values:
        raise ValidationError({"household": _("Choose rural or urban.")})
    _check_date(child.birth_date, "birth_date")
    if child.entered_on < child.birth_date:
        raise ValidationError({"birth_date": _("The birth date is after the day the child entered the programme.")})
    if categories is not None or difficulty_types is not None:
        cats, kinds = _check_categories(categories if categories is not None else child.categories,
                                        difficulty_types if difficulty_types is not None else child.difficulty_types)
        if cats != set(child.categories):
            changes["categories"] = (sorted(child.categories), sorted(cats))
        if kinds != set(child.difficulty_types):
            changes["difficulty_types"] = (sorted(child.difficulty_types), sorted(kinds))
        _apply_categories(child, cats, kinds)
    else:
        child.ages_out_on = child.compute_ages_out_on()
    if child.status != Status.EXITED and {"birth_date", "categories", "difficulty_types"} & set(changes):
        _check_age(birth_date=child.birth_date, categories=set(child.categories), on=today())
    if id_number:
        number = check_id_number(id_number, birth_date=child.birth_date, gender=child.gender)
        if identity.digest(number) != child.id_number_digest:
            if child.status != Status.EXITED:
                check_not_registered(actor=actor, number=number, exclude_pk=child.pk)
            masked = child.id_number_masked
            child.set_id_number(number)
            changes["id_number"] = (masked, child.id_number_masked)  # never the number itself
    elif {"birth_date", "gender"} & set(changes):
        # The stored number must still agree with the record.
        check_id_number(child.reveal_id_number(), birth_date=child.birth_date, gender=child.gender)
    if guardians is not None:
        _replace_guardians(child, guardians)
        changes["guardians"] = (None, "changed")  # names and phones stay out of the log
    child.save()
    if "categories" in changes:  # the statistics count a child's current categories, in every month
        stats_changed_everywhere()
    if changes:
        # ``fields`` (kept for the log's readers) names a change of the kinds of difficulty "categories".
        fields_changed = {"categories" if field == "difficulty_types" else field for field in changes}
        audit_record(actor=actor, action=AuditAction.UPDATE, target=child, changes=dict(sorted(changes.items())),
                     detail={"fields": sorted(fields_changed)})
    return child


@transaction.atomic
def child_change_status(
    *,
    actor: User | None,
    child: Child,
    to_status: str,
    effective_on: date,
    reason: str = "",
    note: str = "",
) -> StatusChange:
    """Move a child along an allowed transition, appending a dated row. ``actor=None`` is the system
    (the daily aging-out task)."""
    if actor is not None:
        _check_editable(actor, child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    check_not_anonymised(child, "status")
    if to_status not in Status.values:
        raise ValidationError({"status": _("Unknown status “%(value)s”.") % {"value": to_status}})
    if not child.can_become(to_status):
        raise ValidationError({"status": _("A child who is %(from)s cannot become %(to)s.")
                               % {"from": child.get_status_display(), "to": Status(to_status).label}})
    last = child.status_changes.order_by("-effective_on", "-id").first()
    field = "exited_on" if to_status == Status.EXITED else "effective_on"
    _check_date(effective_on, field, not_before=max(child.entered_on, last.effective_on if last else child.entered_on),
                not_before_label=_("the child's last status change"))
    if to_status == Status.EXITED:
        if reason not in ExitReason.values:
            raise ValidationError({"reason": _("Choose why the child exits.")})
        child.exited_on, child.exit_reason = effective_on, reason
    else:
        reason = ""
        if child.status == Status.EXITED:
            # Re-admission: the number must not have been registered again meanwhile.
            check_not_registered(actor=actor or child.created_by, number=child.reveal_id_number(), exclude_pk=child.pk)
            child.exited_on, child.exit_reason = None, ""
    change = StatusChange.objects.create(child=child, from_status=child.status, to_status=to_status, reason=reason,
                                         note=(note or "").strip()[:300], effective_on=effective_on, actor=actor)
    if to_status == Status.EXITED:
        from children.transfers import transfers_cancel_on_exit
        from pairing.models import EndReason
        from pairing.services import pairings_end_for_child

        pairings_end_for_child(actor=actor, child=child, on=effective_on, reason=EndReason.CHILD_EXITED)
        transfers_cancel_on_exit(actor=actor, child=child)
    child.status = to_status
    child.save(update_fields=["status", "exited_on", "exit_reason", "updated_at"])
    stats_changed(since=effective_on)
    audit_record(actor=actor, action=AuditAction.STATUS, target=child,
                 changes={"status": (change.from_status, to_status)},
                 detail={"from": change.from_status, "to": to_status, "reason": reason,
                         "on": effective_on.isoformat()})
    return change


def child_exit(*, actor: User, child: Child, reason: str, exited_on: date, note: str = "") -> StatusChange:
    return child_change_status(actor=actor, child=child, to_status=Status.EXITED, effective_on=exited_on,
                               reason=reason, note=note)


@transaction.atomic
def child_transfer(*, actor: User, child: Child, to_region: Region | None, effective_on: date, note: str = "") -> StatusChange:
    """Move a child to another region at once (e.g. the family moved; the civil-affairs list import
    applies a changed region this way). History stays with the record; the destination may lie outside
    the actor's own area, not outside their province (:func:`transfer_area`). The pages and the API ask
    the receiving side first instead (children.transfers)."""
    _check_editable(actor, child)
    if child.status == Status.EXITED:
        raise ValidationError({"status": _("An exited child cannot be transferred.")})
    _check_transfer_destination(actor, to_region)
    if to_region.pk == child.region_id:
        raise ValidationError({"region": _("The child is already registered there.")})
    _check_date(effective_on, "effective_on", not_before=child.entered_on, not_before_label=_("the entry date"))
    return move_child(actor=actor, child=child, to_region=to_region, effective_on=effective_on, note=note)


def move_child(*, actor: User | None, child: Child, to_region: Region, effective_on: date, note: str = "",
               detail: dict | None = None) -> StatusChange:
    """Write the move itself, checked by the caller (:func:`child_transfer`, or the acceptance of a
    two-sided transfer in children.transfers): the history row (from and to region), the audit row and
    the child's new region."""
    change = StatusChange.objects.create(child=child, from_status=child.status, to_status=child.status,
                                         effective_on=effective_on, from_region_id=child.region_id, to_region=to_region,
                                         actor=actor, note=(note or "").strip()[:300])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=child,
                 changes={"region": (child.region_id, to_region.pk)},
                 detail={"transfer_from": child.region_id, "transfer_to": to_region.pk, **(detail or {})})
    child.region = to_region
    child.save(update_fields=["region", "updated_at"])
    stats_changed_everywhere()  # the statistics count a child where she is registered now, in every month
    return change


@transaction.atomic
def child_assess(
    *,
    actor: User,
    child: Child,
    color: str,
    reasons: Iterable[str],
    assessed_on: date,
    note: str = "",
    next_review_on: date | None = None,
) -> RiskAssessment:
    """Record a three-colour risk assessment (三色卡); the latest one sets the child's colour."""
    _check_editable(actor, child)
    if color not in RiskColor.values:
        raise ValidationError({"color": _("The colour must be red, yellow or green.")})
    reasons = list(dict.fromkeys(reasons or []))
    unknown = set(reasons) - set(RiskFactor.values)
    if unknown:
        raise ValidationError({"reasons": _("Unknown risk factor: %(value)s.") % {"value": ", ".join(sorted(unknown))}})
    if color != RiskColor.GREEN and not reasons and not (note or "").strip():
        raise ValidationError({"reasons": _("Give at least one risk factor or an explanation for a red or yellow card.")})
    if child.status == Status.EXITED:
        raise ValidationError({"status": _("An exited child is not assessed.")})
    _check_date(assessed_on, "assessed_on", not_before=child.birth_date, not_before_label=_("the birth date"))
    next_review_on = next_review_on or assessed_on + timedelta(days=review_days(color))
    if next_review_on < assessed_on:
        raise ValidationError({"next_review_on": _("The next review cannot be before the assessment.")})
    assessment = RiskAssessment.objects.create(child=child, color=color, reasons=reasons, note=(note or "").strip(),
                                               assessed_on=assessed_on, next_review_on=next_review_on, assessor=actor)
    latest = child.assessments.order_by("-assessed_on", "-recorded_at", "-id").first()
    # The child's colour and next review follow the latest assessment (a back-dated one changes neither).
    changes = model_update(instance=child, data={"risk_color": latest.color, "next_review_on": latest.next_review_on},
                           allowed=("risk_color", "next_review_on"))
    child.save(update_fields=["risk_color", "next_review_on", "updated_at"])
    stats_changed(since=assessed_on)
    audit_record(actor=actor, action=AuditAction.ASSESS, target=child,
                 changes={field: (_audit_value(old), _audit_value(new)) for field, (old, new) in changes.items()},
                 detail={"color": color, "on": assessed_on.isoformat()})
    return assessment


def child_reveal_id_number(*, actor: User, child: Child, reason: str) -> str:
    """The full 身份证号, for staff who say why. Every reveal is audited with the reason."""
    _check_editable(actor, child)
    if child.anonymised_at is not None:
        raise ValidationError({"id_number": _("The record has been anonymised: its ID number was deleted and "
                                              "cannot be shown.")})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why you need the full ID number.")})
    try:
        number = child.reveal_id_number()
    except ValueError:  # keys missing (a restore without them, a key removed too early): nothing shown
        raise ValidationError({"id_number": _("The ID number cannot be decrypted with the keys this platform "
                                              "has; tell the system administrator.")}) from None
    audit_record(actor=actor, action=AuditAction.REVEAL, target=child, detail={"reason": reason[:300]})
    return number


def child_record_view(*, actor: User, child: Child) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, target=child)


def children_exit_aged_out(*, on: date | None = None) -> int:
    """Exit every non-exited child whose categories all ended by age, dated the day they aged out.
    Run daily by Celery beat; safe to re-run (exited children are skipped)."""
    on = on or today()
    count = 0
    ids = list(Child.objects.exclude(status=Status.EXITED).filter(ages_out_on__lte=on).values_list("pk", flat=True))
    for child in Child.objects.filter(pk__in=ids).iterator():
        last = child.status_changes.order_by("-effective_on").values_list("effective_on", flat=True).first()
        child_change_status(actor=None, child=child, to_status=Status.EXITED,
                            effective_on=max(d for d in (child.ages_out_on, child.entered_on, last) if d),
                            reason=ExitReason.AGED_OUT)
        count += 1
    return count


# --- needs ----------------------------------------------------------------------------------------

def _check_value(value: Decimal | None) -> Decimal | None:
    if value is not None and value < 0:
        raise ValidationError({"value_yuan": _("The value cannot be negative.")})
    return value


@transaction.atomic
def need_create(*, actor: User, child: Child, kind: str, description: str, opened_on: date | None = None,
                value_yuan: Decimal | None = None) -> Need:
    _check_editable(actor, child)
    if kind not in NeedKind.values:
        raise ValidationError({"kind": _("Unknown kind of need “%(value)s”.") % {"value": kind}})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe the need.")})
    if child.status == Status.EXITED:
        raise ValidationError({"child": _("The child has exited the programme.")})
    opened_on = opened_on or today()
    _check_date(opened_on, "opened_on")
    need = Need.objects.create(child=child, region_id=child.region_id, kind=kind, description=description,
                               value_yuan=_check_value(value_yuan), opened_on=opened_on, created_by=actor)
    stats_changed(since=opened_on)
    audit_record(actor=actor, action=AuditAction.UPDATE, target=child,
                 detail={"need": need.pk, "need_status": NeedStatus.OPEN})
    return need


def need_open_for_follow_up(*, child: Child, description: str, opened_on: date, created_by: User) -> Need:
    """A need opened by a care activity flagged for follow-up. The caller (activities.services) has
    already checked that its actor may record an activity for this child."""
    return Need.objects.create(child=child, region_id=child.region_id, kind=NeedKind.OTHER,
                               description=description.strip()[:300], opened_on=opened_on, created_by=created_by)


@transaction.atomic
def need_transition(*, actor: User, need: Need, to_status: str, on: date | None = None, claimed_by_name: str = "",
                    value_yuan: Decimal | None = None, note: str = "") -> Need:
    """open → claimed → fulfilled (or cancelled; a claim can be released back to open), dated."""
    _check_editable(actor, need.child)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if to_status not in NeedStatus.values or not need.can_become(to_status):
        raise ValidationError({"status": _("A need that is %(from)s cannot become %(to)s.")
                               % {"from": need.get_status_display(), "to": NeedStatus(to_status).label
                                  if to_status in NeedStatus.values else to_status}})
    on = on or today()
    _check_date(on, "on", not_before=need.claimed_on or need.opened_on, not_before_label=_("the previous step"))
    if to_status == NeedStatus.CLAIMED:
        claimed_by_name = (claimed_by_name or "").strip()
        if not claimed_by_name:
            raise ValidationError({"claimed_by_name": _("Say who takes the need on (a volunteer or an organisation).")})
        need.claimed_on, need.claimed_by_name = on, claimed_by_name
    elif to_status == NeedStatus.OPEN:
        need.claimed_on, need.claimed_by_name = None, ""
    elif to_status == NeedStatus.FULFILLED:
        need.fulfilled_on = on
        stats_changed(since=on)
    if value_yuan is not None:
        need.value_yuan = _check_value(value_yuan)
    if note:
        need.closed_note = note.strip()[:300]
    previous = need.status
    need.status = to_status
    need.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, target=need.child,
                 detail={"need": need.pk, "from": previous, "to": to_status, "on": on.isoformat()})
    return need
