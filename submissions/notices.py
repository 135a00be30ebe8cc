"""The in-app notifications (activities.models.Notification) a submission's moves send:

- sent (报送): to the staff and administrators of the region right above, who return or accept it;
- returned (退回): to its 填报人 and whoever sent it, with the reason;
- accepted (接收): to the same.

Each is unique per recipient and move (``dedupe_key`` names the status-change row), stored in the
service's transaction and handed to the delivery backends (activities.delivery) once it commits.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from activities import delivery
from activities.models import Notification
from activities.reminders import store_new
from core import months
from core.access import EDIT
from submissions.models import Submission

KIND_SENT = "submission_sent"
KIND_RETURNED = "submission_returned"
KIND_ACCEPTED = "submission_accepted"


def submission_link(submission: Submission) -> str:
    return f"{reverse('submissions:month')}?region={submission.region_id}&month={months.label(submission.month)}"


def progress_link(submission: Submission) -> str:
    parent = submission.region.parent_id or submission.region_id
    return f"{reverse('submissions:progress')}?region={parent}&month={months.label(submission.month)}"


def _send(notes: list[Notification]) -> None:
    created = store_new(notes)
    if created:
        transaction.on_commit(lambda: delivery.deliver(created))


def _key(kind: str, submission: Submission) -> str:
    change = submission.status_changes.order_by("-at", "-id").values_list("pk", flat=True).first()
    return f"{kind}:{submission.pk}:{change}"


def submission_sent(submission: Submission) -> None:
    """Tell the editors of the region right above that ``submission`` was sent."""
    if not submission.region.parent_id:
        return
    recipients = User.objects.filter(region_id=submission.region.parent_id, is_active=True, role__in=EDIT)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(region)s sent its submission for %(month)s") % {
            "region": submission.region.name, "month": months.label(submission.month)}
        body = _("Return it with a reason, or accept it, on the submission progress page.")
    key, link = _key(KIND_SENT, submission), progress_link(submission)
    _send([Notification(recipient=user, kind=KIND_SENT, title=title, body=body, link=link, dedupe_key=key)
           for user in recipients])


def _to_senders(submission: Submission, *, kind: str, title: str, body: str) -> None:
    ids = {pk for pk in (submission.prepared_by_id, submission.submitted_by_id) if pk}
    recipients = User.objects.filter(pk__in=ids, is_active=True)
    key, link = _key(kind, submission), submission_link(submission)
    _send([Notification(recipient=user, kind=kind, title=title, body=body, link=link, dedupe_key=key)
           for user in recipients])


def submission_returned(submission: Submission) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The submission of %(region)s for %(month)s was returned") % {
            "region": submission.region.name, "month": months.label(submission.month)}
        body = _("Reason: %(reason)s") % {"reason": submission.returned_reason}
    _to_senders(submission, kind=KIND_RETURNED, title=title[:200], body=body)


def submission_accepted(submission: Submission) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The submission of %(region)s for %(month)s was accepted") % {
            "region": submission.region.name, "month": months.label(submission.month)}
    _to_senders(submission, kind=KIND_ACCEPTED, title=title[:200], body="")
