"""A guardian's access copy (PIPL Art. 45): everything the platform holds about one child, as a PDF in
Chinese — the record and guardians, the status history, the risk assessments, the needs, the pairings,
the activities, the guardians' consents, urgent reports, case plans and referrals.

Made by an export job (exports.kinds, kind ``access_copy``, filter ``child``) for federation staff of the
child's area; the making is audited like every export (and the download too). Nothing about another
child is in it: a group activity is listed by its date, kind and title, without its other children,
its notes (which may name them) or its head count. Caring mothers appear by name only (no phone). The
ID number is shown masked: the full number is kept encrypted and is checked in person.

Queries: a fixed number whatever the size of the record (one per section).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from children.models import Category, Child

TEMPLATE = "children/access_copy_pdf.html"
FILENAME_STEM = "个人信息副本"


class AccessCopyForm(forms.Form):
    """The export's one parameter: the child."""

    child = forms.IntegerField(label=gettext_lazy("Child"), min_value=1, max_value=2**31 - 1)


def copy_rows(actor: User, params: Mapping[str, str]) -> QuerySet:
    """The child of the copy, if the actor sees her (else a ValidationError naming ``child``)."""
    form = AccessCopyForm(params)
    if not form.is_valid():
        from core.exports import form_errors

        raise form_errors(form)
    rows = Child.objects.visible_to(actor).filter(pk=form.cleaned_data["child"])
    if not rows.exists():
        raise ValidationError({"child": _("No such child in your area.")})
    return rows


@dataclass
class CopyData:
    child: Child
    made_at: datetime
    made_by: str
    categories: list[str]
    sections: dict[str, list] = field(default_factory=dict)


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def collect(child_pk: int, *, made_by: User) -> CopyData:
    """Everything held about the child, one query per section (the caller checked the child is in the
    requester's scope: copy_rows)."""
    from activities.models import Activity, ActivityChild, ActivityKind
    from alerts.models import Alert
    from casework.models import CasePlan, GuardianConsent, Referral
    from pairing.models import Pairing

    child = Child.objects.select_related("region").get(pk=child_pk)
    categories = [str(label) for value, label in Category.choices if getattr(child, f"is_{value}", False)]
    data = CopyData(child=child, made_at=timezone.localtime(), made_by=made_by.get_full_name() or made_by.username,
                    categories=categories)
    data.sections["guardians"] = list(child.guardians.all())
    data.sections["statuses"] = list(child.status_changes.select_related("from_region", "to_region")
                                     .order_by("effective_on", "id"))
    data.sections["assessments"] = list(child.assessments.order_by("assessed_on", "id"))
    data.sections["needs"] = list(child.needs.order_by("opened_on", "id"))
    data.sections["pairings"] = list(Pairing.objects.filter(child=child).select_related("volunteer")
                                     .order_by("started_on", "id"))
    others = (ActivityChild.objects.filter(activity=OuterRef("pk")).exclude(child=child).values("activity")
              .annotate(n=Count("pk")).values("n"))
    activities = list(Activity.objects.filter(pk__in=ActivityChild.objects.filter(child=child).values("activity"))
                      .annotate(other_children=Subquery(others)).select_related("volunteer")
                      .order_by("occurred_on", "id"))
    kinds = dict(ActivityKind.choices)
    for activity in activities:
        activity.kind_label = str(kinds.get(activity.kind, activity.kind))
        activity.shared = activity.is_group or bool(activity.other_children)
    data.sections["activities"] = activities
    data.sections["consents"] = list(GuardianConsent.objects.filter(child=child).order_by("given_on", "id"))
    data.sections["alerts"] = list(Alert.objects.filter(child=child).order_by("occurred_on", "reported_at"))
    data.sections["plans"] = list(CasePlan.objects.filter(child=child).prefetch_related("actions")
                                  .order_by("created_at", "id"))
    data.sections["referrals"] = list(Referral.objects.filter(child=child).order_by("referred_on", "id"))
    return data


def render_html(data: CopyData) -> str:
    with translation.override("zh-hans"):  # a guardian's copy is in Chinese, whoever made it
        return render_to_string(TEMPLATE, {"data": data, "child": data.child, **data.sections})


def write_access_copy(actor: User, params: Mapping[str, str]) -> tuple[bytes, int]:
    """The PDF of the copy (the export job's ``make``) and how many records it lists."""
    from weasyprint import HTML

    child = copy_rows(actor, params).get()
    data = collect(child.pk, made_by=actor)
    records = 1 + sum(len(rows) for rows in data.sections.values())
    return HTML(string=render_html(data)).write_pdf(), records
