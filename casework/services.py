"""Casework actions (issue 13): case plans and their actions for red and yellow children, guardians'
consents and referrals to other departments. The pages and the API call these.

Who: staff and administrators (core.access.EDIT) of the child's region subtree change; read-only
leaders read (a change is a PermissionDenied, 403); caring mothers see nothing here but the actions
they own (core.scoping). A child, plan, action or referral outside the actor's subtree does not exist
for them (``DoesNotExist``: a 404).

Every refusal is a ValidationError naming the field, in Chinese, and changes nothing; every change is
audited (accounts.audit.audit_record) with its old and new values — a referral made without a
guardian's consent with the reason given for overriding it.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from casework.consents import has_consent
from casework.models import (
    REFERRAL_DATE_FIELD,
    ActionStatus,
    CaseAction,
    CasePlan,
    ConsentScope,
    Department,
    PlanStatus,
    Referral,
    ReferralStatus,
)
from children.models import Child, RiskColor, Status
from core.access import EDIT, allowed, check
from core.updates import model_update

EDIT_DENIED = gettext_lazy("Case plans and referrals are changed by federation staff and administrators; "
                           "read-only leaders can read them.")
# Colours that call for a case plan.
PLAN_COLORS = (RiskColor.RED, RiskColor.YELLOW)
GOALS_MAX_CHARS = 5000
TEXT_MAX_CHARS = 5000


def today() -> date:
    return timezone.localdate()


# --- checks ---------------------------------------------------------------------------------------

def _check_child(actor: User, child: Child) -> None:
    """The actor may change casework (else PermissionDenied) of this child (else Child.DoesNotExist)."""
    check(actor, EDIT, EDIT_DENIED)
    if not Child.objects.visible_to(actor).filter(pk=child.pk).exists():
        raise Child.DoesNotExist


def _text(value: str | None, field: str, message: str, *, max_chars: int = TEXT_MAX_CHARS) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_chars:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": max_chars}})
    return value


def _not_future(value: date | None, field: str) -> date:
    if value is None:
        raise ValidationError({field: _("Enter a date.")})
    if value > today():
        raise ValidationError({field: _("The date %(date)s is in the future.") % {"date": value.isoformat()}})
    return value


def _review_on(value: date | None) -> date:
    if value is None:
        raise ValidationError({"review_on": _("Enter a date.")})
    if value < today():
        raise ValidationError({"review_on": _("The review date cannot be in the past.")})
    return value


def _due_on(value: date | None) -> date:
    if value is None:
        raise ValidationError({"due_on": _("Enter a date.")})
    return value


def is_lead_mother(user: User, child: Child) -> bool:
    """``user`` is the login of the child's active lead caring mother."""
    from pairing.models import Pairing, PairingRole

    return Pairing.objects.filter(child=child, role=PairingRole.LEAD, ended_on__isnull=True,
                                  volunteer__user=user).exists()


def may_own(user: User, child: Child) -> bool:
    """An action of ``child``'s plan may be owned by an active staff member or administrator whose
    region subtree holds the child, or by the child's lead caring mother."""
    if user is None or not user.is_active:
        return False
    if allowed(user, EDIT):
        return Child.objects.visible_to(user).filter(pk=child.pk).exists()
    return is_lead_mother(user, child)


def _check_owner(owner: User | None, child: Child) -> User:
    if owner is None or not may_own(owner, child):
        raise ValidationError({"owner": _("The owner must be a staff member of the child's area or the child's "
                                          "lead caring mother.")})
    return owner


def _audit(actor: User, action: str, target, child: Child, changes: dict | None = None,
           detail: dict | None = None) -> None:
    audit_record(actor=actor, action=action, target=target, region_code=child.region_id,
                 changes={field: (_value(old), _value(new)) for field, (old, new) in (changes or {}).items()},
                 detail=detail)


def _value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, User):
        return value.pk
    return value


def _open_plan(actor: User, plan: CasePlan) -> CasePlan:
    _check_child(actor, plan.child)
    plan = CasePlan.objects.select_for_update().select_related("child").get(pk=plan.pk)
    if plan.status != PlanStatus.OPEN:
        raise ValidationError({"status": _("The case plan is closed.")})
    return plan


# --- case plans -----------------------------------------------------------------------------------

@transaction.atomic
def plan_create(*, actor: User, child: Child, goals: str, review_on: date | None) -> CasePlan:
    """Open a case plan for a red or yellow child (one open plan per child)."""
    _check_child(actor, child)
    if child.risk_color not in PLAN_COLORS:
        raise ValidationError({"child": _("A case plan is made only for a child whose risk card is red or yellow.")})
    if child.status == Status.EXITED:
        raise ValidationError({"child": _("The child has exited the programme.")})
    goals = _text(goals, "goals", _("Write the plan's goals."), max_chars=GOALS_MAX_CHARS)
    review_on = _review_on(review_on)
    if CasePlan.objects.filter(child=child, status=PlanStatus.OPEN).exists():
        raise ValidationError({"child": _("The child already has an open case plan.")})
    try:
        with transaction.atomic():
            plan = CasePlan.objects.create(child=child, goals=goals, review_on=review_on, created_by=actor)
    except IntegrityError:  # another plan opened at the same moment
        raise ValidationError({"child": _("The child already has an open case plan.")}) from None
    _audit(actor, AuditAction.CREATE, plan, child,
           changes={"goals": ("", goals), "review_on": (None, review_on), "status": ("", PlanStatus.OPEN)})
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: CasePlan, goals: str | None = None, review_on: date | None = None) -> CasePlan:
    plan = _open_plan(actor, plan)
    data = {}
    if goals is not None:
        data["goals"] = _text(goals, "goals", _("Write the plan's goals."), max_chars=GOALS_MAX_CHARS)
    if review_on is not None:
        data["review_on"] = _review_on(review_on)
    changes = model_update(instance=plan, data=data, allowed=("goals", "review_on"))
    if changes:
        plan.save(update_fields=list(changes))
        _audit(actor, AuditAction.UPDATE, plan, plan.child, changes=changes)
    return plan


@transaction.atomic
def plan_close(*, actor: User, plan: CasePlan) -> CasePlan:
    plan = _open_plan(actor, plan)
    plan.status, plan.closed_at = PlanStatus.CLOSED, timezone.now()
    plan.save(update_fields=["status", "closed_at"])
    _audit(actor, AuditAction.STATUS, plan, plan.child, changes={"status": (PlanStatus.OPEN, PlanStatus.CLOSED)})
    return plan


# --- actions --------------------------------------------------------------------------------------

@transaction.atomic
def action_add(*, actor: User, plan: CasePlan, description: str, owner: User | None,
               due_on: date | None) -> CaseAction:
    plan = _open_plan(actor, plan)
    description = _text(description, "description", _("Describe the action."), max_chars=300)
    owner = _check_owner(owner, plan.child)
    due_on = _due_on(due_on)
    action = CaseAction.objects.create(plan=plan, description=description, owner=owner, due_on=due_on)
    _audit(actor, AuditAction.CREATE, action, plan.child,
           changes={"description": ("", description), "owner": (None, owner.pk), "due_on": (None, due_on)},
           detail={"plan": plan.pk})
    return action


def _open_action(actor: User, action: CaseAction) -> CaseAction:
    _check_child(actor, action.plan.child)
    action = CaseAction.objects.select_for_update().select_related("plan__child").get(pk=action.pk)
    if action.status != ActionStatus.OPEN:
        raise ValidationError({"status": _("The action is already done.")})
    if action.plan.status != PlanStatus.OPEN:
        raise ValidationError({"status": _("The case plan is closed.")})
    return action


@transaction.atomic
def action_complete(*, actor: User, action: CaseAction, done_on: date | None = None) -> CaseAction:
    action = _open_action(actor, action)
    done_on = _not_future(done_on or today(), "done_on")
    action.status, action.done_on = ActionStatus.DONE, done_on
    action.save(update_fields=["status", "done_on"])
    _audit(actor, AuditAction.STATUS, action, action.plan.child,
           changes={"status": (ActionStatus.OPEN, ActionStatus.DONE), "done_on": (None, done_on)},
           detail={"plan": action.plan_id})
    return action


@transaction.atomic
def action_update(*, actor: User, action: CaseAction, description: str | None = None, owner: User | None = None,
                  due_on: date | None = None) -> CaseAction:
    action = _open_action(actor, action)
    data: dict = {}
    if description is not None:
        data["description"] = _text(description, "description", _("Describe the action."), max_chars=300)
    if owner is not None:
        data["owner"] = _check_owner(owner, action.plan.child)
    if due_on is not None:
        data["due_on"] = due_on
    changes = model_update(instance=action, data=data, allowed=("description", "owner", "due_on"))
    if changes:
        action.save(update_fields=list(changes))
        _audit(actor, AuditAction.UPDATE, action, action.plan.child, changes=changes, detail={"plan": action.plan_id})
    return action


# --- consents and referrals -----------------------------------------------------------------------

@transaction.atomic
def referral_create(*, actor: User, child: Child, department: str, organisation: str, reason: str,
                    consent_override_reason: str = "", referred_on: date | None = None) -> Referral:
    """Refer the child to another department. Needs a guardian's consent on record, or a reason for
    referring without one (audited with the reason)."""
    _check_child(actor, child)
    if department not in Department.values:
        raise ValidationError({"department": _("Unknown department “%(value)s”.") % {"value": department}})
    organisation = _text(organisation, "organisation", _("Name the organisation the child is referred to."),
                         max_chars=120)
    reason = _text(reason, "reason", _("Say why the child is referred."))
    override = (consent_override_reason or "").strip()
    if len(override) > TEXT_MAX_CHARS:
        raise ValidationError({"consent_override_reason": _("At most %(n)s characters.") % {"n": TEXT_MAX_CHARS}})
    consented = has_consent(child, ConsentScope.SHARING)
    if not consented and not override:
        raise ValidationError({"consent_override_reason": _(
            "No guardian's consent to share the child's information is on record: record it first, or say why the "
            "child is referred without it.")})
    referred_on = _not_future(referred_on or today(), "referred_on")
    referral = Referral.objects.create(child=child, department=department, organisation=organisation, reason=reason,
                                       referred_on=referred_on, consent_override_reason=override, created_by=actor)
    _audit(actor, AuditAction.CREATE, referral, child,
           changes={"department": ("", department), "organisation": ("", organisation),
                    "status": ("", ReferralStatus.SENT), "referred_on": (None, referred_on)},
           detail={"consent": "on_record" if consented else "overridden",
                   **({"consent_override_reason": override} if override else {})})
    return referral


@transaction.atomic
def referral_transition(*, actor: User, referral: Referral, to_status: str, on: date | None = None,
                        outcome: str = "") -> Referral:
    """sent → accepted or declined; accepted → completed (with its outcome). Dated, audited."""
    _check_child(actor, referral.child)
    referral = Referral.objects.select_for_update().select_related("child").get(pk=referral.pk)
    if to_status not in ReferralStatus.values or not referral.can_become(to_status):
        raise ValidationError({"status": _("A referral that is %(from)s cannot become %(to)s.") % {
            "from": referral.get_status_display(),
            "to": ReferralStatus(to_status).label if to_status in ReferralStatus.values else to_status}})
    on = _not_future(on or today(), "on")
    previous_on = getattr(referral, REFERRAL_DATE_FIELD[ReferralStatus(referral.status)])
    if previous_on and on < previous_on:
        raise ValidationError({"on": _("The date %(date)s is before the previous step (%(other)s).") % {
            "date": on.isoformat(), "other": previous_on.isoformat()}})
    changes = {"status": (referral.status, to_status), REFERRAL_DATE_FIELD[to_status]: (None, on)}
    if to_status == ReferralStatus.COMPLETED:
        outcome = _text(outcome, "outcome", _("Describe the outcome of the referral."))
        changes["outcome"] = (referral.outcome, outcome)
        referral.outcome = outcome
    setattr(referral, REFERRAL_DATE_FIELD[to_status], on)
    referral.status = to_status
    referral.save()
    _audit(actor, AuditAction.STATUS, referral, referral.child, changes=changes)
    return referral
