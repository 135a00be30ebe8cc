"""Forms for the children ledger's staff pages.

The forms check the shape of the input (dates parse, choices exist); every rule about children lives
in children.services, whose ValidationErrors the views attach back onto these forms' fields
(``SERVICE_FIELDS`` maps a service's error key to the field that carried the input, where they differ).
"""

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts import idcard
from accounts.models import Region
from children.models import (
    Category,
    DifficultyType,
    ExitReason,
    Gender,
    Household,
    NeedKind,
    RiskColor,
    RiskFactor,
    Status,
)
from children.selectors import transfer_destinations
from children.services import CHILD_REGION_LEVELS, GuardianData, check_id_number
from core.regioncodes import COUNTY, TOWNSHIP, VILLAGE
from core.widgets import TRANSFER, RegionField

GUARDIAN_ROWS = 3
# Above this many regions the create form offers the search picker (core.widgets) instead of a select.
REGION_SELECT_LIMIT = 400


def _date_field(label, *, required: bool = True, initial_today: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text,
        initial=timezone.localdate if initial_today else None,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _indent(region: Region, top_depth: int) -> str:
    depth = {COUNTY: 0, TOWNSHIP: 1, VILLAGE: 2}.get(region.level, 0) - top_depth
    return "\u3000" * max(depth, 0) + region.name


def region_choices(regions) -> list[tuple[str, str]]:
    regions = list(regions)
    top = min(({COUNTY: 0, TOWNSHIP: 1, VILLAGE: 2}.get(r.level, 0) for r in regions), default=0)
    return [("", "---------")] + [(r.code, _indent(r, top)) for r in regions]


class GuardianRowsWidget(forms.Widget):
    """Up to three guardian rows (name, relation, phone) posted as ``<name>-<i>-name`` etc."""

    parts = (("name", _lazy("Name"), "text", 40), ("relation", _lazy("Relation"), "text", 20),
             ("phone", _lazy("Phone"), "tel", 20))

    def value_from_datadict(self, data, files, name):
        return [tuple((data.get(f"{name}-{i}-{part}") or "").strip() for part, *_rest in self.parts)
                for i in range(GUARDIAN_ROWS)]

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}-{i}-name" in data for i in range(GUARDIAN_ROWS))

    def id_for_label(self, id_):
        return f"{id_}-0-name" if id_ else id_

    def format_value(self, value):
        rows = []
        for row in value or []:
            if isinstance(row, GuardianData):
                row = (row.name, row.relation, row.phone)
            rows.append(tuple(row))
        return (rows + [("", "", "")] * GUARDIAN_ROWS)[:GUARDIAN_ROWS]

    def render(self, name, value, attrs=None, renderer=None):
        id_ = (attrs or {}).get("id") or f"id_{name}"
        rows = []
        for i, row in enumerate(self.format_value(value)):
            cells = format_html_join(
                "", '<label class="guardian-cell"><span>{}</span><input type="{}" name="{}" id="{}" value="{}" maxlength="{}"{}></label>',
                ((label, kind, f"{name}-{i}-{part}", f"{id_}-{i}-{part}", row[j], size,
                  mark_safe(' inputmode="tel" autocomplete="off"') if part == "phone" else "")
                 for j, (part, label, kind, size) in enumerate(self.parts)),
            )
            rows.append(format_html('<div class="guardian-row"><span class="guardian-n">{}</span>{}</div>', i + 1, cells))
        return format_html('<div class="guardian-rows">{}</div>', format_html_join("", "{}", ((r,) for r in rows)))


class GuardiansField(forms.Field):
    widget = GuardianRowsWidget

    def to_python(self, value) -> list[GuardianData]:
        guardians = []
        for index, (name, relation, phone) in enumerate(value or [], start=1):
            if not (name or relation or phone):
                continue
            if not name:
                raise forms.ValidationError(_("Guardian %(n)s: enter the name.") % {"n": index})
            guardians.append(GuardianData(name=name, relation=relation, phone=phone))
        return guardians

    def has_changed(self, initial, data):
        return True


class ChildForm(forms.Form):
    """Create (``child=None``) or edit a child. On edit the region is not a field: moving a child is a
    transfer, and the ID number is an optional correction.

    The ID number comes first and is checked with the other fields (its check digit before anything
    else): on create, a blank birth date or gender is taken from it, and one typed that disagrees with
    it is an error on the ID number, as the service would say. static/children/id_number.js fills the
    two inputs in as the number is typed."""

    field_order = ["id_number", "name", "gender", "birth_date"]

    name = forms.CharField(label=_lazy("Name"), max_length=40)
    gender = forms.ChoiceField(label=_lazy("Gender"), choices=Gender.choices, widget=forms.RadioSelect)
    birth_date = _date_field(_lazy("Birth date"))
    id_number = forms.CharField(label=_lazy("ID number (身份证号)"), max_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    region = RegionField(label=_lazy("Region"))
    categories = forms.MultipleChoiceField(label=_lazy("Categories"), choices=Category.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    difficulty_types = forms.MultipleChoiceField(
        label=_lazy("Kinds of difficulty"), choices=DifficultyType.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_lazy("Only for a child in difficulty."))
    guardians = GuardiansField(label=_lazy("Guardians"), required=False,
                               help_text=_lazy("Up to three: name, relation to the child, phone."))
    school = forms.CharField(label=_lazy("School"), max_length=80, required=False)
    grade = forms.CharField(label=_lazy("Grade"), max_length=20, required=False)
    address = forms.CharField(label=_lazy("Address"), max_length=200, required=False)
    household = forms.ChoiceField(label=_lazy("Household registration"), choices=Household.choices,
                                  initial=Household.RURAL, widget=forms.RadioSelect)
    parents_work_place = forms.CharField(label=_lazy("Where the parents work"), max_length=120, required=False)
    notes = forms.CharField(label=_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    entered_on = _date_field(_lazy("Entered the programme on"), required=False, initial_today=True)

    def __init__(self, *args, actor, child=None, **kwargs):
        self.child = child
        if child is not None:
            kwargs.setdefault("initial", {
                **{f: getattr(child, f) for f in ("name", "gender", "birth_date", "school", "grade", "address",
                                                  "household", "parents_work_place", "notes")},
                "categories": child.categories, "difficulty_types": child.difficulty_types,
                "guardians": [GuardianData(g.name, g.relation, g.phone) for g in child.guardians.all()],
            })
        super().__init__(*args, **kwargs)
        self.id_info: idcard.IdCardInfo | None = None
        if child is None:
            self._set_up_region(actor)
            for name in ("gender", "birth_date"):
                self.fields[name].required = False
                self.fields[name].help_text = _("Filled in from the ID number.")
        else:
            del self.fields["region"], self.fields["entered_on"]
            field = self.fields["id_number"]
            field.required = False
            field.label = _lazy("Correct the ID number")
            field.help_text = _("Leave empty to keep %(masked)s.") % {"masked": child.id_number_masked}

    def _set_up_region(self, actor) -> None:
        """A select of the regions the actor may register a child at, or the search picker when they are
        more than :data:`REGION_SELECT_LIMIT`. The field refuses any other; the level is the service's to
        judge too."""
        regions = Region.objects.manageable_by(actor).filter(level__in=CHILD_REGION_LEVELS)
        field = self.fields["region"]
        options = list(regions.order_by("code")[: REGION_SELECT_LIMIT + 1])
        if len(options) <= REGION_SELECT_LIMIT:
            field.offer(regions, options=region_choices(options)[1:])
        else:
            field.offer(regions, levels=CHILD_REGION_LEVELS, with_province=not actor.region_id)

    def clean_id_number(self) -> str:
        """The check digit first (a typo shows there), then the rest of accounts.idcard.validate. A birth
        date fault with a birth date typed is left to the service, which names the birth date field."""
        number = idcard.normalize(self.cleaned_data["id_number"])
        if not number:
            return number
        if idcard.FORMAT_RE.match(number) and idcard.check_char(number[:17]) != number[17]:
            raise forms.ValidationError(_("The check digit of the ID number is wrong."), code="checksum")
        try:
            self.id_info = idcard.validate(number)
        except idcard.IdCardError as exc:
            if not (exc.code == "birth_date" and self.data.get(self.add_prefix("birth_date"))):
                raise forms.ValidationError(str(exc), code=exc.code) from None
        return number

    def clean(self):
        data = super().clean()
        info = self.id_info
        if info is None:
            if self.child is None and "id_number" not in self.errors:
                for name in ("gender", "birth_date"):
                    if not data.get(name) and name not in self.errors:
                        self.add_error(name, forms.ValidationError(self.fields[name].error_messages["required"],
                                                                   code="required"))
            return data
        if self.child is None:
            if not data.get("birth_date") and "birth_date" not in self.errors:
                data["birth_date"] = info.birth_date
            if not data.get("gender") and "gender" not in self.errors:
                data["gender"] = info.sex
        if data.get("birth_date") and data.get("gender"):
            try:  # the service's own agreement check, now, beside the other fields' errors
                check_id_number(info.number, birth_date=data["birth_date"], gender=data["gender"])
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return data

    def guardians_unchanged(self) -> bool:
        if self.child is None:
            return False
        current = [(g.name, g.relation, g.phone) for g in self.child.guardians.all()]
        return current == [(g.name, g.relation, g.phone) for g in self.cleaned_data["guardians"]]


class StatusForm(forms.Form):
    SERVICE_FIELDS = {"status": "to_status", "exited_on": "effective_on"}

    to_status = forms.ChoiceField(label=_lazy("New status"), choices=Status.choices)
    effective_on = _date_field(_lazy("Effective on"), initial_today=True)
    reason = forms.ChoiceField(label=_lazy("Exit reason"), choices=[("", "---------"), *ExitReason.choices],
                               required=False, help_text=_lazy("Only when the child exits."))
    note = forms.CharField(label=_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, child=None, **kwargs):
        super().__init__(*args, **kwargs)
        if child is not None:
            allowed = [s for s in Status.values if child.can_become(s)]
            self.fields["to_status"].choices = [(v, label) for v, label in Status.choices if v in allowed]


class TransferForm(forms.Form):
    """A transfer request (children.transfers.transfer_request): the receiving region accepts it before
    the child moves. The destination is picked by name (core.widgets): any county, township or village
    the actor may move a child to (children.selectors.transfer_destinations), inside their area or not."""

    SERVICE_FIELDS = {"to_region": "region"}

    region = RegionField(label=_lazy("Moves to"),
                         help_text=_lazy("Type part of the name of the county, township or village (e.g. 吴城) "
                                         "and choose it from the list."))
    reason = forms.CharField(label=_lazy("Why the child moves"), max_length=300,
                             help_text=_lazy("The receiving region reads it before accepting."))
    effective_on = _date_field(_lazy("Moved on"), initial_today=True)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].offer(transfer_destinations(actor), scope=TRANSFER, levels=CHILD_REGION_LEVELS,
                                    with_province=not actor.region_id)


class AssessForm(forms.Form):
    color = forms.ChoiceField(label=_lazy("Colour"), choices=RiskColor.choices, widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(label=_lazy("Risk factors"), choices=RiskFactor.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_lazy("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    assessed_on = _date_field(_lazy("Assessed on"), initial_today=True)
    next_review_on = _date_field(_lazy("Next review on"), required=False,
                                 help_text=_lazy("Leave empty for the default interval of the colour."))


class RevealForm(forms.Form):
    reason = forms.CharField(label=_lazy("Why do you need the full number?"), max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Kind"), choices=NeedKind.choices)
    description = forms.CharField(label=_lazy("Description"), max_length=300)
    opened_on = _date_field(_lazy("Raised on"), required=False, initial_today=True)
    value_yuan = forms.DecimalField(label=_lazy("Value (yuan)"), required=False, min_value=0, max_digits=10,
                                    decimal_places=2)


class NeedTransitionForm(forms.Form):
    SERVICE_FIELDS = {"status": None}

    on = _date_field(_lazy("Date"), required=False, initial_today=True)
    claimed_by_name = forms.CharField(label=_lazy("Claimed by (volunteer or organisation)"), max_length=80,
                                      required=False)
    value_yuan = forms.DecimalField(label=_lazy("Value (yuan)"), required=False, min_value=0, max_digits=10,
                                    decimal_places=2)
    note = forms.CharField(label=_lazy("Note"), max_length=300, required=False)
