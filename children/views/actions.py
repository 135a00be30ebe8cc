"""The child page's POST actions: status, transfer, risk assessment, ID reveal, needs.

Each admits editors only (403 for the other roles), loads the child through the user's scope (404
outside it), hands the form's data to children.services, and on a ValidationError re-renders the
child page with the errors on the form (400); on success it redirects back to the page with a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from children import services, transfers
from children.forms import (
    AssessForm,
    NeedForm,
    NeedTransitionForm,
    RevealForm,
    StatusForm,
    TransferForm,
)
from children.models import Child, Need, NeedStatus, Status
from children.services import EDIT_MESSAGE
from children.views.ledger import detail_queryset, render_detail
from core.access import EDIT, require
from core.compression import no_compression
from core.forms import attach_service_errors


def _child_for_action(request, pk: int) -> Child:
    return get_object_or_404(Child.objects.visible_to(request.user), pk=pk)


def _failed(request, pk: int, key: str, form):
    """Re-render the child page, freshly loaded (the failed write was rolled back), with the form's errors."""
    child = get_object_or_404(detail_queryset(request.user), pk=pk)
    return render_detail(request, child, forms={key: form}, open_form=key, status=400)


def _run(request, pk: int, key: str, form, action, success: str):
    """Validate ``form``, call ``action(data)``; redirect with ``success`` or re-render with the errors."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, success)
            return redirect("children:detail", pk=pk)
    return _failed(request, pk, key, form)


@require(EDIT, EDIT_MESSAGE)
@require_POST
def child_status(request, pk: int):
    child = _child_for_action(request, pk)
    form = StatusForm(request.POST, child=child)

    def action(data):
        services.child_change_status(actor=request.user, child=child, to_status=data["to_status"],
                                     effective_on=data["effective_on"], reason=data["reason"], note=data["note"])

    label = Status(form.data.get("to_status")).label if form.data.get("to_status") in Status.values else ""
    return _run(request, pk, "status", form, action,
                _("%(name)s is now %(status)s.") % {"name": child.name, "status": label})


@require(EDIT, EDIT_MESSAGE)
@require_POST
def child_transfer(request, pk: int):
    """Ask the receiving region to take the child in (children.transfers): she stays here until they accept."""
    child = _child_for_action(request, pk)
    form = TransferForm(request.POST, actor=request.user)

    def action(data):
        transfers.transfer_request(actor=request.user, child=child, to_region=data["region"], reason=data["reason"],
                                   effective_on=data["effective_on"])

    return _run(request, pk, "transfer", form, action,
                _("The transfer request is sent; it waits for the receiving region to accept it."))


@require(EDIT, EDIT_MESSAGE)
@require_POST
def child_assess(request, pk: int):
    child = _child_for_action(request, pk)
    form = AssessForm(request.POST)

    def action(data):
        services.child_assess(actor=request.user, child=child, color=data["color"], reasons=data["reasons"],
                              assessed_on=data["assessed_on"], note=data["note"],
                              next_review_on=data["next_review_on"])

    return _run(request, pk, "assess", form, action, _("The risk assessment is recorded."))


@require(EDIT, EDIT_MESSAGE)
@require_POST
@never_cache
@no_compression  # the full ID number: never compressed (BREACH, core.compression)
def child_reveal(request, pk: int):
    """Show the full ID number once, on this response only (never stored in the session); audited."""
    child = _child_for_action(request, pk)
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            number = services.child_reveal_id_number(actor=request.user, child=child,
                                                     reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            return render_detail(request, get_object_or_404(detail_queryset(request.user), pk=pk), revealed=number)
    return _failed(request, pk, "reveal", form)


@require(EDIT, EDIT_MESSAGE)
@require_POST
def need_create(request, pk: int):
    child = _child_for_action(request, pk)
    form = NeedForm(request.POST)

    def action(data):
        services.need_create(actor=request.user, child=child, kind=data["kind"], description=data["description"],
                             opened_on=data["opened_on"], value_yuan=data["value_yuan"])

    return _run(request, pk, "need", form, action, _("The need is recorded."))


NEED_DONE = {
    NeedStatus.CLAIMED: gettext_lazy("The need is claimed by %(by)s."),
    NeedStatus.FULFILLED: gettext_lazy("The need is fulfilled."),
    NeedStatus.OPEN: gettext_lazy("The need is open again."),
    NeedStatus.CANCELLED: gettext_lazy("The need is cancelled."),
}


@require(EDIT, EDIT_MESSAGE)
@require_POST
def need_transition(request, pk: int, to: str):
    if to not in NeedStatus.values:
        raise Http404
    need = get_object_or_404(Need.objects.visible_to(request.user).select_related("child"), pk=pk)
    form = NeedTransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.need_transition(actor=request.user, need=need, to_status=to, on=data["on"],
                                     claimed_by_name=data["claimed_by_name"], value_yuan=data["value_yuan"],
                                     note=data["note"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, str(NEED_DONE[NeedStatus(to)]) % {"by": data["claimed_by_name"]})
            return redirect("children:detail", pk=need.child_id)
    child = get_object_or_404(detail_queryset(request.user), pk=need.child_id)
    return render_detail(request, child, failed_need=need.pk, need_form=form, status=400)
