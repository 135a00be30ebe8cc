"""The transfers page (待确认的转移) and its accept / reject / cancel buttons.

The page lists what the user's side sends or receives (children.transfers.transfers_for: incoming
pending first, then outgoing pending, then the decided ones), each child by her summary only — the
receiving side has not seen her record and may not before accepting. ``?box=incoming&status=pending``
is the home page's to-do (the requests waiting for the user's side).

The page is for federation roles (core.access.READ); the buttons for editors (EDIT); who may press which
button for which transfer is children.transfers' to say (403 with the reason). A transfer outside the
user's subtree is a 404; a refused decision (no reason, already decided) comes back as a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from children import transfers
from children.models import Transfer, TransferStatus
from core.access import EDIT, READ, allowed, require
from core.errors import messages_of
from core.security import no_store

PAGE_SIZE = 50


@require(READ, transfers.READ_DENIED)
@require_safe
@no_store
def transfer_list(request):
    user = request.user
    rows = transfers.transfers_for(user)
    box = request.GET.get("box", "")
    if box == "incoming":
        rows = rows.filter(pk__in=Transfer.objects.incoming(user).values("pk"))
    elif box == "outgoing":
        rows = rows.exclude(pk__in=Transfer.objects.incoming(user).values("pk"))
    else:
        box = ""
    status = request.GET.get("status", "")
    if status in TransferStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    # Queries: the count, then one page of transfers with their child, regions and users (JOINs).
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    can_edit = allowed(user, EDIT)
    for transfer in page:
        transfer.summary = transfers.child_summary(transfer.child, today=today)
        transfer.incoming = transfers.is_receiver(user, transfer)
        transfer.can_decide = can_edit and transfers.may_decide(user, transfer)
        transfer.can_cancel = can_edit and transfers.may_cancel(user, transfer)
    return render(request, "children/transfer_list.html", {
        "page": page,
        "box": box,
        "status": status,
        "statuses": TransferStatus.choices,
        "can_edit": can_edit,
    })


def _back(request):
    """Back where the button was pressed (the transfers page or the child page), else the transfers page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("children:transfers")


def _decide(request, pk: int, action, success: str):
    user = request.user
    transfer = get_object_or_404(Transfer.objects.visible_to(user).select_related("child"), pk=pk)
    try:
        action(transfer)
    except ValidationError as exc:
        for error in messages_of(exc):
            messages.error(request, f"{transfer.child.name}：{error}")
    else:
        messages.success(request, success % {"name": transfer.child.name})
    return _back(request)


@require(EDIT, transfers.EDIT_DENIED)
@require_POST
def transfer_accept(request, pk: int):
    return _decide(request, pk, lambda t: transfers.transfer_accept(actor=request.user, transfer=t),
                   _("%(name)s is transferred to your area; pair the child with a caring mother."))


@require(EDIT, transfers.EDIT_DENIED)
@require_POST
def transfer_reject(request, pk: int):
    return _decide(request, pk, lambda t: transfers.transfer_reject(actor=request.user, transfer=t,
                                                                      reason=request.POST.get("reason", "")),
                   _("The transfer of %(name)s is rejected."))


@require(EDIT, transfers.EDIT_DENIED)
@require_POST
def transfer_cancel(request, pk: int):
    return _decide(request, pk, lambda t: transfers.transfer_cancel(actor=request.user, transfer=t),
                   _("The transfer of %(name)s is cancelled."))

