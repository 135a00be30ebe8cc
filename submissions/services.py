"""Monthly submissions: the one place their rules live. The pages, the API and the reminders call these.

Who:

- **the region's own** staff and administrators (core.access.EDIT whose region IS the submission's;
  a superuser too) start the draft, write it and send it up — a county's staff do not write their
  townships' submissions;
- **the level above** — staff and administrators whose region is a strict ancestor of the submission's
  (a county's for its townships, a city's or the province's too) — return it with a reason or accept it;
  nobody accepts or returns their own region's submission, nor one they prepared, reviewed or sent;
- read-only leaders (viewers) read, caring mothers nothing; a region or submission outside the caller's
  subtree does not exist for them (``Region.DoesNotExist`` / ``Submission.DoesNotExist``: a 404).

What: townships, counties and cities submit (:data:`SUBMISSION_LEVELS`; a village has no staff of its
own, the province reports to nobody). A draft may be started for any month up to the current one; it
is **sent once the month has ended** (from the 1st of the next month: the figures of a month still
running are "so far" and would change). Sending needs the three written sections, a 审核人 who is not
the 填报人 and a contact phone; it freezes the figures (submissions.selectors.region_figures: the
sub-regions' accepted snapshots plus the live figures of the rest). A returned submission is editable
again and takes fresh figures when sent again.

Every refusal is a ValidationError naming the field (``region``, ``month``, ``work_done``,
``reviewed_by``, ``reason``, ``status`` …) or a PermissionDenied, in Chinese, and changes nothing.
Two people sending the same month at once queue on the row's lock (``select_for_update``): the first
sends it, the second is told it is already sent.
"""

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Region, User
from core import months
from core.access import EDIT, READ, check, role_of
from core.regioncodes import in_subtree
from core.regions import validate_code
from submissions import notices, selectors
from submissions.models import (
    EDITABLE,
    SUBMISSION_LEVELS,
    Submission,
    SubmissionStatus,
    SubmissionStatusChange,
)

# The longest a written section (工作开展情况 …) or a reason for returning may be.
TEXT_MAX_CHARS = 5000
REASON_MAX_CHARS = 1000
PHONE_RE = re.compile(r"[0-9][0-9\- ]{5,18}[0-9]")
SECTIONS = ("work_done", "problems", "next_steps")

EDIT_DENIED = gettext_lazy("Monthly submissions are written by federation staff and administrators; "
                           "read-only leaders can read them.")
READ_DENIED = gettext_lazy("Monthly submissions are for federation staff and leaders.")


# --- who ------------------------------------------------------------------------------------------

def is_own_region(user: User, region_code: str) -> bool:
    """The user works in this region itself (or is a superuser): they write its submission."""
    return user.is_superuser or user.region_id == region_code


def is_above(user: User, region_code: str) -> bool:
    """The user's region is a strict ancestor of ``region_code`` (a superuser is above every region)."""
    if user.is_superuser:
        return True
    return bool(user.region_id) and user.region_id != region_code and in_subtree(user.region_id, region_code)


def may_write(user: User, region_code: str) -> bool:
    return role_of(user) in EDIT and is_own_region(user, region_code)


def may_review(user: User, submission: Submission) -> bool:
    """Whether ``user`` may return or accept ``submission`` (when it is submitted): see
    :func:`check_reviewer`. No query."""
    try:
        check_reviewer(user, submission)
    except PermissionDenied:
        return False
    return True


def check_writer(actor: User, region: Region) -> None:
    """PermissionDenied, saying why, unless ``actor`` writes ``region``'s submission (its own editors)."""
    check(actor, READ, READ_DENIED)
    check(actor, EDIT, EDIT_DENIED)
    if not is_own_region(actor, region.code):
        raise PermissionDenied(_("The monthly submission of %(region)s is written by its own staff; "
                                 "you can read it.") % {"region": region.name})


def check_reviewer(actor: User, submission: Submission) -> None:
    """PermissionDenied, saying why, unless ``actor`` is an editor of the level above (a strict ancestor
    region; a superuser is above all) who had no hand in ``submission`` (prepared, reviewed or sent it)."""
    check(actor, READ, READ_DENIED)
    check(actor, EDIT, _("Submissions are returned or accepted by staff and administrators of the level above; "
                         "read-only leaders can read them."))
    if is_own_region(actor, submission.region_id) and not actor.is_superuser:
        raise PermissionDenied(_("A region's own submission is returned or accepted by the level above, "
                                 "not by itself."))
    if actor.pk in {submission.prepared_by_id, submission.reviewed_by_id, submission.submitted_by_id}:
        raise PermissionDenied(_("You prepared, reviewed or sent this submission: someone else of the level above "
                                 "returns or accepts it."))
    if not is_above(actor, submission.region_id):
        raise PermissionDenied(_("Only the level above may return or accept this submission."))


def sign_off_candidates(region: Region):
    """The users who may sign a region's submission as 填报人 or 审核人: the active federation users
    (staff, administrators, leaders) of the region itself."""
    return (User.objects.filter(region=region, is_active=True, is_superuser=False, role__in=READ)
            .order_by("name", "username"))


# --- input ----------------------------------------------------------------------------------------

def _month(value, *, today: date) -> date:
    """A month (a date, or ``YYYY-MM``) that is not in the future, else a ValidationError on ``month``."""
    if isinstance(value, date):
        month = months.first_day(value)
        if month > months.current_month(today=today):
            raise ValidationError({"month": _("%(month)s is in the future.") % {"month": months.label(month)}})
        if month.year < months.MIN_YEAR:
            raise ValidationError({"month": _("Enter the month as YYYY-MM, e.g. 2025-03.")})
        return month
    return months.parse_month(str(value or ""), today=today)


def _region(actor: User, value: Region | str) -> Region:
    """The region named (a Region or its code) inside the actor's subtree; Region.DoesNotExist otherwise,
    a ValidationError on ``region`` for a malformed code."""
    code = value.code if isinstance(value, Region) else validate_code(str(value or ""))
    return Region.objects.manageable_by(actor).get(pk=code)


def _signer(region: Region, value: User | int | None, *, field: str) -> User:
    pk = getattr(value, "pk", value)
    user = sign_off_candidates(region).filter(pk=pk).first() if isinstance(pk, int) else None
    if user is None:
        raise ValidationError({field: _("Choose an active staff member, administrator or leader of %(region)s.")
                               % {"region": region.name}})
    return user


def _locked(actor: User, submission: Submission | int) -> Submission:
    """The submission, re-read under a row lock through the actor's scope (Submission.DoesNotExist
    outside it): concurrent changes of one submission queue here and see each other's result."""
    pk = getattr(submission, "pk", submission)
    return (Submission.objects.visible_to(actor).select_for_update(of=("self",)).select_related("region")
            .get(pk=pk))


# --- the region's own staff -----------------------------------------------------------------------

@transaction.atomic
def submission_get_or_create_draft(*, actor: User, region: Region | str, month: date | str,
                                   today: date | None = None) -> tuple[Submission, bool]:
    """The submission of ``region`` for ``month``: the existing one (whatever its status), or a new draft
    prepared by ``actor`` (then ``created`` is True). ``month`` may be the current month (drafted early;
    it is sent once ended), not a future one."""
    today = today or timezone.localdate()
    check(actor, READ, READ_DENIED)
    check(actor, EDIT, EDIT_DENIED)
    errors: dict[str, str] = {}
    try:
        region = _region(actor, region)
    except ValidationError as exc:
        errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
    try:
        month = _month(month, today=today)
    except ValidationError as exc:
        errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if region.level not in SUBMISSION_LEVELS:
        raise ValidationError({"region": _("Monthly submissions are sent by cities, counties and townships; "
                                           "%(region)s does not send one.") % {"region": region.name}})
    check_writer(actor, region)
    existing = Submission.objects.filter(region=region, month=month).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            submission = Submission.objects.create(region=region, month=month, prepared_by=actor)
    except IntegrityError:  # started by someone else at the same moment
        return Submission.objects.get(region=region, month=month), False
    SubmissionStatusChange.objects.create(submission=submission, from_status="", to_status=SubmissionStatus.DRAFT,
                                          actor=actor, at=submission.created_at)
    return submission, True


_UNSET = object()


@transaction.atomic
def submission_update(*, actor: User, submission: Submission | int, work_done: str | None = None,
                      problems: str | None = None, next_steps: str | None = None, contact_phone: str | None = None,
                      prepared_by: User | int | None | object = _UNSET,
                      reviewed_by: User | int | None | object = _UNSET) -> Submission:
    """Change the written part and the sign-off block of a draft or returned submission (arguments left
    out, or None for the texts, stay as they are; ``reviewed_by=None`` clears the 审核人). A submitted or
    accepted one cannot be changed (ValidationError on ``status``)."""
    submission = _locked(actor, submission)
    check_writer(actor, submission.region)
    if submission.status not in EDITABLE:
        raise ValidationError({"status": _("The submission is %(status)s and can no longer be changed.")
                               % {"status": submission.get_status_display()}})
    errors: dict[str, str] = {}
    texts = {"work_done": work_done, "problems": problems, "next_steps": next_steps}
    labels = field_labels()
    for field, value in texts.items():
        if value is None:
            continue
        value = str(value).strip()
        if len(value) > TEXT_MAX_CHARS:
            errors[field] = _("“%(field)s” is at most %(n)s characters.") % {"field": labels[field], "n": TEXT_MAX_CHARS}
        setattr(submission, field, value)
    if contact_phone is not None:
        phone = str(contact_phone).strip()
        if phone and not PHONE_RE.fullmatch(phone):
            errors["contact_phone"] = _("Enter the contact phone as digits, e.g. 13812345678 or 0358-8221234.")
        submission.contact_phone = phone
    for field, value in (("prepared_by", prepared_by), ("reviewed_by", reviewed_by)):
        if value is _UNSET:
            continue
        if value is None and field == "reviewed_by":
            submission.reviewed_by = None
            continue
        try:
            setattr(submission, field, _signer(submission.region, value, field=field))
        except ValidationError as exc:
            errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    submission.save()
    return submission


def field_labels() -> dict[str, str]:
    """The Chinese names the messages give the fields."""
    return {"work_done": _("Work done"), "problems": _("Problems"), "next_steps": _("Next steps"),
            "prepared_by": _("Prepared by"), "reviewed_by": _("Reviewed by"), "contact_phone": _("Contact phone")}


def _ready_errors(submission: Submission, *, today: date) -> dict[str, str]:
    """What keeps a submission from being sent, by field (empty: it may be sent)."""
    labels = field_labels()
    errors = {field: _("Fill in “%(field)s” before sending.") % {"field": labels[field]}
              for field in SECTIONS if not getattr(submission, field).strip()}
    if submission.month >= months.current_month(today=today):
        errors["month"] = _("%(month)s has not ended yet: its submission is sent from %(day)s on.") % {
            "month": months.label(submission.month), "day": months.next_month(submission.month).isoformat()}
    if submission.reviewed_by_id is None:
        errors["reviewed_by"] = _("Choose the reviewer (审核人) before sending.")
    elif submission.reviewed_by_id == submission.prepared_by_id:
        errors["reviewed_by"] = _("The reviewer (审核人) must be someone other than the preparer (填报人).")
    if not submission.contact_phone.strip():
        errors["contact_phone"] = _("Fill in the contact phone before sending.")
    return errors


@transaction.atomic
def submission_submit(*, actor: User, submission: Submission | int, today: date | None = None) -> Submission:
    """报送: send a draft or returned submission up, freezing its figures as they are now (the sub-regions'
    accepted snapshots plus the live figures of the rest). Refused, naming each field, while a section,
    the 审核人 (another user than the 填报人) or the contact phone is missing, or the month has not ended;
    one already sent or accepted is refused on ``status`` (so of two people sending at once, one wins)."""
    today = today or timezone.localdate()
    submission = _locked(actor, submission)
    check_writer(actor, submission.region)
    if not submission.can_move_to(SubmissionStatus.SUBMITTED):
        raise ValidationError({"status": _("The submission is already %(status)s and cannot be submitted again.")
                               % {"status": submission.get_status_display()}})
    errors = _ready_errors(submission, today=today)
    if errors:
        raise ValidationError(errors)
    figures = selectors.region_figures(region=submission.region, month=submission.month, today=today)
    submission.submit(actor=actor, figures=figures)
    notices.submission_sent(submission)
    return submission


# --- the level above ------------------------------------------------------------------------------

@transaction.atomic
def submission_return(*, actor: User, submission: Submission | int, reason: str) -> Submission:
    """退回: the level above sends a submitted submission back to its region with a reason; the region can
    change it again, and it takes fresh figures when sent again."""
    submission = _locked(actor, submission)
    check_reviewer(actor, submission)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning the submission.")})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({"reason": _("The reason is at most %(n)s characters.") % {"n": REASON_MAX_CHARS}})
    submission.return_for_changes(actor=actor, reason=reason)
    notices.submission_returned(submission)
    return submission


@transaction.atomic
def submission_accept(*, actor: User, submission: Submission | int) -> Submission:
    """接收: the level above accepts a submitted submission (final); its frozen figures then stand for the
    region in the level above's own figures."""
    submission = _locked(actor, submission)
    check_reviewer(actor, submission)
    submission.accept(actor=actor)
    notices.submission_accepted(submission)
    return submission
