"""Two-sided transfers (转移) of a child to another region: the one place their rules live. The child
page, the transfers page and the API (/api/v1/children/<id>/transfer/, /api/v1/transfers/) call these.

Who:

- **the sending side** — staff and administrators (core.access.EDIT) who may change the child's record
  (she is in their subtree) — asks for the transfer (:func:`transfer_request`) and may cancel it while it
  is pending (:func:`transfer_cancel`: staff whose subtree contains ``from_region``);
- **the receiving side** — staff and administrators whose subtree contains ``to_region`` — accepts it
  (:func:`transfer_accept`: the child moves, her history row is written, her pairings end with the reason
  "transferred", and the receiving staff are asked to pair her) or rejects it with a reason
  (:func:`transfer_reject`). The sender may accept only when their subtree contains the destination too
  (a move inside their own area);
- read-only leaders read the transfers of their subtree and change none (403); caring mothers see none.

A transfer outside the caller's subtree (neither region in it) does not exist for them
(``Transfer.DoesNotExist``: a 404). Until the transfer is accepted the receiving side sees the child's
summary only (:func:`child_summary`: name, age, categories, the masked ID number) — never her record,
whose page stays a 404 for them.

Every refusal is a ValidationError naming the field (``to_region``, ``reason``, ``effective_on``,
``child``, ``status``) or a PermissionDenied, in Chinese, and changes nothing. Each change of status is
checked against children.models.TRANSFER_TRANSITIONS and audited with the old and new status in the
same transaction; the transfer row is locked (``select_for_update``) so of two people deciding at once,
the second is told it is already decided.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User
from activities import delivery
from activities.models import Notification
from activities.reminders import store_new
from children import services
from children.models import Child, Status, Transfer, TransferStatus
from core.access import EDIT, READ, check
from core.regioncodes import ancestor_codes, in_subtree, level_of, subtree_q

REASON_MAX_CHARS = 300

READ_DENIED = gettext_lazy("Transfers are for federation staff and leaders.")
EDIT_DENIED = gettext_lazy("Your role can read transfers but not request, accept, reject or cancel them.")
RECEIVER_DENIED = gettext_lazy("Only the staff of the receiving region may accept or reject this transfer.")
SENDER_DENIED = gettext_lazy("Only the staff of the sending region may cancel this transfer.")
REFUSED = {
    TransferStatus.ACCEPTED: gettext_lazy("Only a pending transfer can be accepted; this one is %(status)s."),
    TransferStatus.REJECTED: gettext_lazy("Only a pending transfer can be rejected; this one is %(status)s."),
    TransferStatus.CANCELLED: gettext_lazy("Only a pending transfer can be cancelled; this one is %(status)s."),
}
ALREADY_PENDING = gettext_lazy("This child already has a pending transfer; cancel it or wait for the "
                               "receiving region to decide.")

KIND_REQUESTED = "transfer_requested"
KIND_TO_PAIR = "transfer_to_pair"
KIND_ACCEPTED = "transfer_accepted"
KIND_REJECTED = "transfer_rejected"
KIND_CANCELLED = "transfer_cancelled"


# --- who ------------------------------------------------------------------------------------------

def is_receiver(user: User, transfer: Transfer) -> bool:
    """The user's subtree contains the destination (a superuser's contains everything). No query."""
    return user.is_superuser or (bool(user.region_id) and in_subtree(user.region_id, transfer.to_region_id))


def is_sender(user: User, transfer: Transfer) -> bool:
    """The user's subtree contains the region the child leaves. No query."""
    return user.is_superuser or (bool(user.region_id) and in_subtree(user.region_id, transfer.from_region_id))


def may_decide(user: User, transfer: Transfer) -> bool:
    """Whether ``user`` may accept or reject ``transfer`` (if it is pending). No query."""
    try:
        check_receiver(user, transfer)
    except PermissionDenied:
        return False
    return transfer.is_pending


def may_cancel(user: User, transfer: Transfer) -> bool:
    try:
        check_sender(user, transfer)
    except PermissionDenied:
        return False
    return transfer.is_pending


def check_receiver(actor: User, transfer: Transfer) -> None:
    check(actor, READ, READ_DENIED)
    check(actor, EDIT, EDIT_DENIED)
    if not is_receiver(actor, transfer):
        raise PermissionDenied(RECEIVER_DENIED)


def check_sender(actor: User, transfer: Transfer) -> None:
    check(actor, READ, READ_DENIED)
    check(actor, EDIT, EDIT_DENIED)
    if not is_sender(actor, transfer):
        raise PermissionDenied(SENDER_DENIED)


# --- input ----------------------------------------------------------------------------------------

def _reason(value: str | None, *, message: str) -> str:
    reason = str(value or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({"reason": _("The reason is at most %(n)s characters.") % {"n": REASON_MAX_CHARS}})
    return reason


def _locked(actor: User, transfer: Transfer | int) -> Transfer:
    """The transfer re-read under a row lock through the actor's scope (Transfer.DoesNotExist outside it)."""
    pk = getattr(transfer, "pk", transfer)
    return (Transfer.objects.visible_to(actor).select_for_update(of=("self",))
            .select_related("child", "from_region", "to_region").get(pk=pk))


def _move(transfer: Transfer, status: str, *, actor: User, fields: list[str]) -> None:
    """Check the move against TRANSFER_TRANSITIONS (else a ValidationError on ``status``), save it and
    audit the old and new status."""
    if not transfer.can_move_to(status):
        raise ValidationError({"status": REFUSED[status] % {"status": transfer.get_status_display()}})
    old = transfer.status
    transfer.status = status
    transfer.save(update_fields=["status", *fields])
    audit_record(actor=actor, action=AuditAction.STATUS, target=transfer, region_code=transfer.from_region_id,
                 changes={"status": (old, status)},
                 detail={"child": transfer.child_id, "from_region": transfer.from_region_id,
                         "to_region": transfer.to_region_id, "reason": transfer.decision_reason or transfer.reason})


# --- the sending side -----------------------------------------------------------------------------

@transaction.atomic
def transfer_request(*, actor: User, child: Child, to_region: Region | None, reason: str,
                     effective_on: date | None = None) -> Transfer:
    """Ask the receiving region to take ``child`` in. She stays where she is until they accept."""
    services._check_editable(actor, child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.status == Status.EXITED:
        raise ValidationError({"status": _("An exited child cannot be transferred.")})
    services._check_transfer_destination(actor, to_region, field="to_region")
    if to_region.pk == child.region_id:
        raise ValidationError({"to_region": _("The child is already registered there.")})
    effective_on = effective_on or services.today()
    services._check_date(effective_on, "effective_on", not_before=child.entered_on,
                         not_before_label=_("the entry date"))
    reason = _reason(reason, message=_("Say why the child moves."))
    if Transfer.objects.filter(child=child, status=TransferStatus.PENDING).exists():
        raise ValidationError({"child": ALREADY_PENDING})
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(child=child, from_region_id=child.region_id, to_region=to_region,
                                               reason=reason, effective_on=effective_on, requested_by=actor)
    except IntegrityError:  # a second request for the same child won the race
        raise ValidationError({"child": ALREADY_PENDING}) from None
    transfer.child = child
    audit_record(actor=actor, action=AuditAction.CREATE, target=transfer, region_code=transfer.from_region_id,
                 changes={"status": ("", TransferStatus.PENDING)},
                 detail={"child": child.pk, "from_region": transfer.from_region_id, "to_region": to_region.pk,
                         "reason": reason, "on": effective_on.isoformat()})
    _notify_requested(transfer, actor=actor)
    return transfer


@transaction.atomic
def transfer_cancel(*, actor: User, transfer: Transfer | int) -> Transfer:
    """The sending side withdraws a pending request."""
    transfer = _locked(actor, transfer)
    check_sender(actor, transfer)
    transfer.decided_by, transfer.decided_at = actor, timezone.now()
    _move(transfer, TransferStatus.CANCELLED, actor=actor, fields=["decided_by", "decided_at"])
    _notify_decided(transfer, actor=actor, kind=KIND_CANCELLED)
    return transfer


def transfers_cancel_on_exit(*, actor: User | None, child: Child) -> list[Transfer]:
    """A child who exits moves nowhere: her pending transfer is cancelled, in the exit's transaction
    (children.services.child_change_status; ``actor=None`` is the system), and the receiving side is
    told why."""
    cancelled = list(Transfer.objects.select_for_update(of=("self",)).select_related("child", "from_region", "to_region")
                     .filter(child_id=child.pk, status=TransferStatus.PENDING))
    for transfer in cancelled:
        transfer.decided_by, transfer.decided_at = actor, timezone.now()
        _move(transfer, TransferStatus.CANCELLED, actor=actor, fields=["decided_by", "decided_at"])
        _notify_decided(transfer, actor=actor, kind=KIND_CANCELLED, exited=True)
    return cancelled


# --- the receiving side ---------------------------------------------------------------------------

@transaction.atomic
def transfer_accept(*, actor: User, transfer: Transfer | int) -> Transfer:
    """The receiving side takes the child in: she moves (the history row of children.services.move_child),
    her active pairings end ("transferred"), and both sides are told — the receiving staff with a link to
    pair her."""
    from pairing.models import EndReason
    from pairing.services import pairings_end_for_child

    transfer = _locked(actor, transfer)
    check_receiver(actor, transfer)
    if not transfer.can_move_to(TransferStatus.ACCEPTED):
        raise ValidationError({"status": REFUSED[TransferStatus.ACCEPTED] % {"status": transfer.get_status_display()}})
    child = Child.objects.select_for_update().get(pk=transfer.child_id)
    if child.status == Status.EXITED:
        raise ValidationError({"status": _("An exited child cannot be transferred.")})
    if child.region_id == transfer.to_region_id:
        raise ValidationError({"to_region": _("The child is already registered there.")})
    today = services.today()
    services.move_child(actor=actor, child=child, to_region=transfer.to_region,
                        effective_on=min(max(transfer.effective_on, child.entered_on), today), note=transfer.reason,
                        detail={"transfer": transfer.pk})
    pairings_end_for_child(actor=actor, child=child, on=today, reason=EndReason.TRANSFERRED)
    transfer.child = child
    transfer.decided_by, transfer.decided_at = actor, timezone.now()
    _move(transfer, TransferStatus.ACCEPTED, actor=actor, fields=["decided_by", "decided_at"])
    _notify_accepted(transfer, actor=actor)
    return transfer


@transaction.atomic
def transfer_reject(*, actor: User, transfer: Transfer | int, reason: str) -> Transfer:
    """The receiving side refuses the child, saying why; she stays where she is."""
    transfer = _locked(actor, transfer)
    check_receiver(actor, transfer)
    if not transfer.can_move_to(TransferStatus.REJECTED):
        raise ValidationError({"status": REFUSED[TransferStatus.REJECTED] % {"status": transfer.get_status_display()}})
    transfer.decision_reason = _reason(reason, message=_("Give the reason for rejecting the transfer."))
    transfer.decided_by, transfer.decided_at = actor, timezone.now()
    _move(transfer, TransferStatus.REJECTED, actor=actor, fields=["decided_by", "decided_at", "decision_reason"])
    _notify_decided(transfer, actor=actor, kind=KIND_REJECTED)
    return transfer


# --- reading --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChildSummary:
    """What the receiving side may know of a child before accepting her: never her record."""

    name: str
    age: int
    categories: list[str]
    category_labels: list[str]
    id_number_masked: str


def child_summary(child: Child, *, today: date | None = None) -> ChildSummary:
    return ChildSummary(name=child.name, age=child.age_on(today or services.today()), categories=child.categories,
                        category_labels=[str(label) for label in child.get_categories_display()],
                        id_number_masked=child.id_number_masked)


def transfers_for(user: User) -> QuerySet:
    """The transfers ``user`` sends or receives, in the transfers page's order: incoming pending ones
    first, then outgoing pending ones, then the decided ones (latest decision first). One query, with
    the child, both regions and both users joined."""
    if user.is_superuser:
        incoming = Q(pk__isnull=False)
    elif getattr(user, "region_id", None):  # an anonymous user (the schema generator) sees none anyway
        incoming = subtree_q("to_region", user.region_id)
    else:
        incoming = Q(pk__isnull=True)
    pending = Q(status=TransferStatus.PENDING)
    return (Transfer.objects.visible_to(user)
            .select_related("child", "from_region", "to_region", "requested_by", "decided_by")
            .annotate(box=Case(When(pending & incoming, then=Value(0)), When(pending, then=Value(1)),
                               default=Value(2), output_field=IntegerField()))
            .order_by("box", "-decided_at", "-requested_at", "-id"))


def incoming_pending(user: User) -> QuerySet:
    """The pending transfers ``user``'s side is asked to accept (the home page's to-do)."""
    return Transfer.objects.visible_to(user).incoming(user).pending()


# --- notifications --------------------------------------------------------------------------------

def side_users(region_code: str) -> QuerySet:
    """The active staff and administrators of one side: the region itself and its county and township
    above it (not the city or province, who would hear of every transfer)."""
    codes = [region_code, *(code for code in ancestor_codes(region_code)
                            if level_of(code) in services.CHILD_REGION_LEVELS)]
    return User.objects.filter(region_id__in=codes, is_active=True, is_superuser=False, role__in=EDIT)


def transfers_link() -> str:
    return reverse("children:transfers")


def _send(notes: list[Notification]) -> None:
    created = store_new(notes)
    if created:
        transaction.on_commit(lambda: delivery.deliver(created))


def _notes(users, *, kind: str, transfer: Transfer, title: str, body: str, link: str) -> list[Notification]:
    return [Notification(recipient=user, kind=kind, title=title[:200], body=body, link=link,
                         dedupe_key=f"{kind}:{transfer.pk}") for user in users]


def _senders(transfer: Transfer, *, actor: User) -> list[User]:
    users = {user.pk: user for user in side_users(transfer.from_region_id).exclude(pk=actor.pk)}
    if transfer.requested_by_id != actor.pk and transfer.requested_by.is_active:
        users.setdefault(transfer.requested_by_id, transfer.requested_by)
    return list(users.values())


def _names(transfer: Transfer) -> dict[str, str]:
    return {"name": transfer.child.name, "region": transfer.to_region.name, "from": transfer.from_region.name}


def _notify_requested(transfer: Transfer, *, actor: User) -> None:
    """Tell the receiving side a child waits for them to accept or reject her."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s from %(from)s is to be transferred to %(region)s") % _names(transfer)
        body = _("Accept or reject the transfer on the transfers page. Reason: %(reason)s") % {
            "reason": transfer.reason}
    _send(_notes(side_users(transfer.to_region_id).exclude(pk=actor.pk), kind=KIND_REQUESTED, transfer=transfer,
                 title=title, body=body, link=transfers_link()))


def _notify_accepted(transfer: Transfer, *, actor: User) -> None:
    """The receiving staff (the one who accepted too) are asked to pair her; the sending side is told."""
    with translation.override(settings.LANGUAGE_CODE):
        pair_title = _("%(name)s was transferred to %(region)s: pair the child with a caring mother") % _names(transfer)
        pair_body = _("The child's pairings in %(from)s have ended. Choose a caring mother from the suggestions.") \
            % _names(transfer)
        sent_title = _("The transfer of %(name)s to %(region)s was accepted") % _names(transfer)
    _send(_notes(side_users(transfer.to_region_id), kind=KIND_TO_PAIR, transfer=transfer, title=pair_title,
                 body=pair_body, link=reverse("pairing:suggest", args=[transfer.child_id]))
          + _notes(_senders(transfer, actor=actor), kind=KIND_ACCEPTED, transfer=transfer, title=sent_title, body="",
                   link=transfers_link()))


def _notify_decided(transfer: Transfer, *, actor: User | None, kind: str, exited: bool = False) -> None:
    """A rejection goes to the sending side, with the reason; a cancellation to the receiving side (with
    the reason when the child's exit cancelled it)."""
    with translation.override(settings.LANGUAGE_CODE):
        if kind == KIND_REJECTED:
            title = _("The transfer of %(name)s to %(region)s was rejected") % _names(transfer)
            body = _("Reason: %(reason)s") % {"reason": transfer.decision_reason}
            users = _senders(transfer, actor=actor)
        else:
            title = _("The transfer of %(name)s to %(region)s was cancelled") % _names(transfer)
            body = _("The child has exited the programme.") if exited else ""
            users = list(side_users(transfer.to_region_id).exclude(pk=getattr(actor, "pk", None)))
    _send(_notes(users, kind=kind, transfer=transfer, title=title, body=body, link=transfers_link()))
