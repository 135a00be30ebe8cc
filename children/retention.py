"""Retention: an exited child's personal data is removed RETENTION_YEARS_AFTER_EXIT after the exit.

The daily beat task (children.tasks.anonymise_due_records) calls :func:`retention_anonymise_due`, which
anonymises the children due (:func:`children_anonymise_due`) and the caring mothers who left as long
ago (volunteers.retention). Staff see who is due within RETENTION_NOTICE_DAYS on the "upcoming
anonymisations" page and may hold a record for a legal case, with a reason (:func:`child_retention_hold`);
a held record is never anonymised until the hold is released.

What anonymisation removes and what it keeps (:func:`child_anonymise`):

- removed: the name (it becomes :data:`ANONYMISED_NAME`), the ID number in its three forms (encrypted,
  digest, last four), the guardians, the address, school, parents' work place, notes, the explanations
  written on risk assessments, the casework texts (consenting guardians' names and witnesses, consents'
  scans, urgent reports' descriptions and photos, case plans, referrals' reasons), and the photos of the
  activities where this child was the only child
  (files deleted from storage once the transaction commits). Photos of group activities (more than one
  child) are kept: they belong to the other children's records as much as to hers.
- kept: region, categories and kinds of difficulty, gender, the birth YEAR (the birth date becomes 1
  January of that year: never later than the real date, so it stays before the entry and every
  assessment), risk colours, status history, pairings, activities and needs. No figure of
  reports.stats reads the birth date, the name or anything removed, so past months' statistics do not
  change (tests/children/test_retention.py compares them).

An anonymised child is exited for good: the record is neither edited, re-admitted nor revealed. The
uniqueness of ID numbers holds only among children not exited, so the empty digests of anonymised
(exited) children never clash.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from children.models import Child, RiskAssessment, Status, add_years

ANONYMISED_NAME = "已匿名"
BATCH_SIZE = 200
# Listed in the changes of the audit row (never the old values): what child_anonymise clears.
CLEARED_FIELDS = ("name", "id_number", "birth_date", "guardians", "address", "school", "parents_work_place",
                  "notes", "assessment_notes", "photos", "consents", "alerts", "case_plans", "referrals")
ANONYMISED_MESSAGE = gettext_lazy("This record has been anonymised; its personal data no longer exists.")


def retention_years() -> int:
    return settings.RETENTION_YEARS_AFTER_EXIT


def due_on(exited_on: date) -> date:
    """The day a record that ended on ``exited_on`` is anonymised: that many years later (an exit on 29
    February is due on 1 March of a common year, as children.models.add_years counts)."""
    return add_years(exited_on, retention_years())


def exit_cutoff(on: date) -> date:
    """The latest exit date due on ``on``: ``due_on(exit) <= on`` exactly when ``exit <= exit_cutoff(on)``
    (29 February of ``on`` goes back to 28 February of a common year)."""
    years = retention_years()
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return date(on.year - years, 2, 28)


def check_not_anonymised(child: Child, field: str = "name") -> None:
    if child.anonymised_at is not None:
        raise ValidationError({field: str(ANONYMISED_MESSAGE)})


# --- who is due -----------------------------------------------------------------------------------

def children_due(queryset: QuerySet, *, on: date) -> QuerySet:
    """Exited children of ``queryset`` due for anonymisation by ``on``, held ones included."""
    return queryset.filter(status=Status.EXITED, exited_on__lte=exit_cutoff(on), anonymised_at__isnull=True)


def children_upcoming(user, *, today: date) -> QuerySet:
    """The children in ``user``'s scope anonymised within RETENTION_NOTICE_DAYS (or already due, waiting
    for the nightly task or held), soonest first."""
    on = today + timedelta(days=settings.RETENTION_NOTICE_DAYS)
    return (children_due(Child.objects.visible_to(user), on=on).select_related("region", "retention_held_by")
            .order_by("exited_on", "id"))


# --- holds ----------------------------------------------------------------------------------------

def _check_hold_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Enter the reason for keeping the record (the legal case).")})
    return reason[:300]


@transaction.atomic
def child_retention_hold(*, actor: User, child: Child, reason: str) -> Child:
    """Keep the record from anonymisation for a legal case; audited with the reason."""
    from children.services import _check_editable

    _check_editable(actor, child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    check_not_anonymised(child, "reason")
    reason = _check_hold_reason(reason)
    before = child.retention_hold_reason
    child.retention_hold_reason, child.retention_held_by, child.retention_held_at = reason, actor, timezone.now()
    child.save(update_fields=["retention_hold_reason", "retention_held_by", "retention_held_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=child,
                 changes={"retention_hold_reason": (before, reason)}, detail={"retention": "hold"})
    return child


@transaction.atomic
def child_retention_release(*, actor: User, child: Child) -> Child:
    """End the hold: the record is anonymised by the next nightly run if it is due."""
    from children.services import _check_editable

    _check_editable(actor, child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    if not child.retention_hold_reason:
        raise ValidationError({"reason": _("The record is not held.")})
    before = child.retention_hold_reason
    child.retention_hold_reason, child.retention_held_by, child.retention_held_at = "", None, None
    child.save(update_fields=["retention_hold_reason", "retention_held_by", "retention_held_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=child,
                 changes={"retention_hold_reason": (before, "")}, detail={"retention": "release"})
    return child


# --- anonymisation --------------------------------------------------------------------------------

def _solo_activity_photos(child: Child):
    """The photos of the activities whose only child is ``child``."""
    from activities.models import ActivityChild, ActivityPhoto

    solo = (ActivityChild.objects.filter(activity__in=ActivityChild.objects.filter(child=child).values("activity"))
            .values("activity").annotate(n=Count("pk")).filter(n=1).values("activity"))
    return ActivityPhoto.objects.filter(activity__in=solo)


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


@transaction.atomic
def _clear_casework(child: Child) -> list[str]:
    """The child's traces in the safeguarding records: the names of the guardians who consented and their
    witnesses, the consents' scans, the urgent reports' descriptions, outcomes and photos, the case plans'
    and actions' texts and the referrals' reasons and outcomes (who, what and when stay, for the
    figures). Returns the files to delete."""
    from alerts.models import Alert, AlertPhoto
    from casework.models import CaseAction, CasePlan, GuardianConsent, Referral

    consents = GuardianConsent.objects.filter(child=child)
    files = list(consents.exclude(document="").values_list("document", flat=True))
    consents.update(given_by=ANONYMISED_NAME, witness="", note="", document="")
    photos = AlertPhoto.objects.filter(alert__child=child)
    files += [name for name in photos.values_list("image", flat=True) if name]
    photos.delete()
    Alert.objects.filter(child=child).update(description=ANONYMISED_NAME, outcome="")
    CasePlan.objects.filter(child=child).update(goals=ANONYMISED_NAME)
    CaseAction.objects.filter(plan__child=child).update(description=ANONYMISED_NAME)
    Referral.objects.filter(child=child).update(reason=ANONYMISED_NAME, outcome="", consent_override_reason="")
    return files


def child_anonymise(*, actor: User | None, child: Child) -> bool:
    """Remove the child's personal data (see the module's docstring); ``actor=None`` is the system (the
    nightly task). Returns False when there was nothing to do (already anonymised). Refused for a child
    not exited or held. Audited, naming the fields cleared, never their values."""
    if actor is not None:
        from children.services import _check_editable

        _check_editable(actor, child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.anonymised_at is not None:
        return False
    if child.status != Status.EXITED:
        raise ValidationError({"status": _("Only a child who has exited the programme is anonymised.")})
    if child.retention_hold_reason:
        raise ValidationError({"reason": _("The record is held: release the hold first.")})
    photos = _solo_activity_photos(child)
    files = [name for name in photos.values_list("image", flat=True) if name]
    photos.delete()
    transaction.on_commit(lambda: _delete_files(files))
    child.guardians.all().delete()
    files += _clear_casework(child)
    RiskAssessment.objects.filter(child=child).exclude(note="").update(note="")
    child.name = ANONYMISED_NAME
    child.id_number_encrypted = child.id_number_digest = child.id_number_last4 = ""
    child.birth_date = date(child.birth_date.year, 1, 1)
    child.ages_out_on = child.compute_ages_out_on()
    child.address = child.school = child.parents_work_place = child.notes = ""
    child.anonymised_at = timezone.now()
    child.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, target=child,
                 changes=dict.fromkeys(CLEARED_FIELDS, (None, "cleared")),
                 detail={"retention": "anonymised", "photos_deleted": len(files),
                         "years_after_exit": retention_years()})
    return True


def children_anonymise_due(*, on: date) -> int:
    """Anonymise every exited child due by ``on`` and not held, in batches (one transaction per child,
    so one failure stops nothing already done). Safe to re-run: anonymised children are skipped."""
    count = 0
    due = children_due(Child.objects.all(), on=on).filter(retention_hold_reason="").order_by("pk")
    last = 0
    while True:
        ids = list(due.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return count
        for child in Child.objects.filter(pk__in=ids).order_by("pk"):
            count += child_anonymise(actor=None, child=child)
        last = ids[-1]


def retention_anonymise_due(*, on: date | None = None) -> dict[str, int]:
    """The nightly run: the children due, then the caring mothers who left as long ago."""
    from volunteers.retention import volunteers_anonymise_due

    on = on or timezone.localdate()
    return {"children": children_anonymise_due(on=on), "volunteers": volunteers_anonymise_due(on=on)}

