"""The page of a region's yearly commitments (年度结对承诺, pairing.commitments): what applies there —
its own plan, an ancestor's or the programme's defaults — and, for administrators of the region, the
form that sets its own (or goes back to the plan above).

Federation staff, viewers and administrators read it (READ; caring mothers are sent to their phone
pages); only administrators change it (MANAGE: 403 for the others). ``?region=`` outside the caller's
subtree is a 404. Writes go through pairing.commitments.commitment_plan_set / _clear.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Region
from core.access import MANAGE, READ, check, require
from core.forms import attach_service_errors
from core.regions import breadcrumbs, chosen_region
from pairing import commitments
from pairing.commitments import COUNTED, MAX_OCCASIONS, CommitmentKind, OccasionRule, RuleData

SPARE_ROWS = 2


def _url(region: Region) -> str:
    return reverse("pairing:commitments") + "?" + urlencode({"region": region.code})


class CommitmentForm(forms.Form):
    """Parses the plan; the rules (ranges, real dates, scope, who may) are commitment_plan_set's. Its
    fields: ``<kind>_enabled`` and, for the counted kinds, ``<kind>_target``; ``birthday_*``; and
    ``occasion_<i>_<field>`` per row (a row with an empty name is left out)."""

    birthday_remind_days = forms.IntegerField(label=gettext_lazy("Birthday: remind days before"))
    birthday_window_days = forms.IntegerField(label=gettext_lazy("Birthday: days either side that count"))

    def __init__(self, *args, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for kind, label in CommitmentKind.choices:
            self.fields[f"{kind}_enabled"] = forms.BooleanField(label=label, required=False)
            if kind in COUNTED:
                self.fields[f"{kind}_target"] = forms.IntegerField(
                    label=gettext_lazy("%(commitment)s: times a year") % {"commitment": label}, required=False)
        for i in range(rows):
            self.fields[f"occasion_{i}_name"] = forms.CharField(label=gettext_lazy("Occasion"), required=False,
                                                                max_length=20)
            self.fields[f"occasion_{i}_month"] = forms.IntegerField(label=gettext_lazy("Month"), required=False)
            self.fields[f"occasion_{i}_day"] = forms.IntegerField(label=gettext_lazy("Day"), required=False)
            self.fields[f"occasion_{i}_remind_days_before"] = forms.IntegerField(
                label=gettext_lazy("Remind days before"), required=False)
            self.fields[f"occasion_{i}_window_days"] = forms.IntegerField(
                label=gettext_lazy("Days either side that count"), required=False)
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField):
                field.widget.attrs.update({"inputmode": "numeric", "min": 0})

    def kind_rows(self) -> list[tuple]:
        return [(self[f"{kind}_enabled"], self[f"{kind}_target"] if kind in COUNTED else None)
                for kind in CommitmentKind.values]

    def occasion_rows(self) -> list[list]:
        return [[self[f"occasion_{i}_{f}"] for f in ("name", "month", "day", "remind_days_before", "window_days")]
                for i in range(self.rows)]

    def plan_data(self) -> dict:
        data = self.cleaned_data
        rules = {}
        for kind in CommitmentKind.values:
            enabled, target = data[f"{kind}_enabled"], data.get(f"{kind}_target") if kind in COUNTED else 1
            if target is None and not enabled:  # a commitment switched off needs no number
                target = commitments.DEFAULT_TARGETS[kind]
            rules[kind] = RuleData(enabled=enabled, target=target)
        occasions = [OccasionRule(data[f"occasion_{i}_name"].strip(), data[f"occasion_{i}_month"],
                                  data[f"occasion_{i}_day"], data[f"occasion_{i}_remind_days_before"],
                                  data[f"occasion_{i}_window_days"])
                     for i in range(self.rows) if data.get(f"occasion_{i}_name", "").strip()]
        return {"rules": rules, "birthday_remind_days": data["birthday_remind_days"],
                "birthday_window_days": data["birthday_window_days"], "occasions": occasions}


def initial_for(plan: commitments.Plan) -> dict:
    initial = {"birthday_remind_days": plan.birthday_remind_days, "birthday_window_days": plan.birthday_window_days}
    for kind in CommitmentKind.values:
        initial[f"{kind}_enabled"] = plan.enabled(kind)
        if kind in COUNTED:
            initial[f"{kind}_target"] = plan.targets.get(kind, commitments.DEFAULT_TARGETS[kind])
    for i, occasion in enumerate(plan.occasions):
        for f in ("name", "month", "day", "remind_days_before", "window_days"):
            initial[f"occasion_{i}_{f}"] = getattr(occasion, f)
    return initial


def _rows(plan: commitments.Plan, data=None) -> int:
    posted = 0
    if data is not None:
        posted = sum(1 for key in data if key.startswith("occasion_") and key.endswith("_name"))
    return min(max(len(plan.occasions) + SPARE_ROWS, posted), MAX_OCCASIONS + SPARE_ROWS)


def _render(request, region: Region, *, form: CommitmentForm | None = None, status: int = 200):
    user = request.user
    code = region.code
    # Query (+2 when regions have plans: their rules and occasions): the plans above and below.
    book = commitments.load_plans(subtree_of=code)
    plan = book.plan_for(code)
    own = plan.source == code
    inherited_from = None
    if plan.source and not own:
        # Query: the ancestor whose plan applies.
        inherited_from = Region.objects.filter(code=plan.source).first()
    below = book.within(code)
    # Query: the names of the regions below with their own plan.
    names = dict(Region.objects.filter(code__in=[p.source for p in below]).values_list("code", "name")) if below else {}
    can_edit = user.is_region_admin
    if can_edit and form is None:
        form = CommitmentForm(initial=initial_for(plan), rows=_rows(plan))
    return render(request, "pairing/commitments.html", {
        "section": "commitments",
        "region": region,
        "crumbs": breadcrumbs(user, region),
        "plan": plan,
        # Dated commitments (the birthday, the occasions) are once each: no number shown.
        "lines": [(label, plan.enabled(kind), plan.targets.get(kind) if kind in COUNTED else None)
                  for kind, label in CommitmentKind.choices],
        "own": own,
        "inherited_from": inherited_from,
        "below": [(names.get(p.source, p.source), p) for p in below],
        "form": form if can_edit else None,
        "can_edit": can_edit,
    }, status=status)


@require(READ)
@require_http_methods(["GET", "HEAD", "POST"])
def commitment_settings(request):
    """The region's yearly commitments: its own, inherited or the defaults; administrators change them."""
    user = request.user
    region = chosen_region(user, request.GET.get("region"))
    if request.method != "POST":
        return _render(request, region)
    check(user, MANAGE, _("Only administrators set a region's commitments."))
    if request.POST.get("action") == "clear":
        if commitments.commitment_plan_clear(actor=user, region=region):
            messages.success(request, _("%(region)s follows the commitments above it again.") % {"region": region.name})
        return redirect(_url(region))
    plan = commitments.load_plans([region.code]).plan_for(region.code)
    form = CommitmentForm(request.POST, rows=_rows(plan, request.POST))
    if form.is_valid():
        try:
            commitments.commitment_plan_set(actor=user, region=region, **form.plan_data())
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The commitments of %(region)s are saved.") % {"region": region.name})
            return redirect(_url(region))
    return _render(request, region, form=form, status=400)
