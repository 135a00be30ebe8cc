"""The region picker: nobody types a 12-digit region code.

A region is chosen by typing part of its name and picking it from a list the server searches
(``GET /accounts/regions/search/``, scoped to the user: core.regions.region_search):

- :class:`RegionPickerWidget` renders a hidden input carrying the code and a visible search box showing
  the region's path ("吕梁市 / 离石区 / 吴城镇"); static/core/region_picker.js (an external file: the CSP
  forbids inline scripts) turns the box into an accessible combobox — typeahead with a debounce, arrow
  keys, Enter, Escape, a list large enough to tap at phone width.
- :class:`RegionField` is a form field over a scoped queryset of regions: it offers them in a select
  while they fit (:meth:`RegionField.offer`), in the picker otherwise, and cleans to the Region — a code
  outside the queryset is refused whatever was posted. Without JavaScript, the search box itself is
  the fallback: the name typed there is looked up on submit (unique match taken, several listed).
- :func:`region_filter_widget` is the list filters' version: a select while the options fit; when they
  were cut short, the picker, with the select of the first options inside ``<noscript>``.
"""

from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Region
from core.regioncodes import LEVELS, is_valid_code
from core.regions import RegionOptions, region_matches, region_paths, search_text

SCRIPT = "core/region_picker.js"
# The visible search box posts its text under the field's name with this suffix.
TEXT_SUFFIX = "_text"
# A name matching several regions: the error lists this many of them.
AMBIGUOUS_SHOWN = 5
EMPTY_CHOICE = ("", "---------")
# Where the picker searches: the user's own subtree (Region.objects.manageable_by), or where they may
# transfer a child to (children.selectors.transfer_destinations). The search endpoint knows both.
MANAGE, TRANSFER = "manage", "transfer"
SCOPES = (MANAGE, TRANSFER)


class PickedRegion(NamedTuple):
    """What a picker posted: the code of the region picked (empty until one is), and the search text."""

    code: str
    text: str


def _path_of(code: str, *, with_province: bool) -> str:
    """The path shown for ``code`` ("" for no such region). One query."""
    if not is_valid_code(code):
        return ""
    region = Region.objects.filter(pk=code).values_list("code", "name").first()
    return region_paths([region], with_province=with_province)[code] if region else ""


class RegionPickerWidget(forms.Widget):
    """A hidden input ``name`` with the code and a search box ``name_text`` with the region's path.

    ``scope`` and ``levels`` say what the search offers (the field's queryset must say the same);
    ``with_province`` puts the province in the paths (a superuser's picker). With ``fallback`` options
    (the list filters) the two inputs are unnamed until the script names them, and a select of the
    fallback options named ``name`` sits in ``<noscript>``: without the script, the select is what posts.
    """

    def __init__(self, *, scope: str = MANAGE, levels=LEVELS, with_province: bool = False,
                 fallback: list[tuple[str, str]] | None = None, empty_label: str = "", attrs=None):
        super().__init__(attrs)
        self.scope, self.levels, self.with_province = scope, tuple(levels), with_province
        self.fallback, self.empty_label = fallback, empty_label

    def search_url(self) -> str:
        return f"{reverse('accounts:region-search')}?{urlencode({'scope': self.scope, 'levels': ','.join(self.levels)})}"

    def value_from_datadict(self, data, files, name):
        code = data.get(name)
        if self.fallback is not None or name + TEXT_SUFFIX not in data:
            return code  # a filter, or a post made without the search box (a test, a script)
        return PickedRegion((code or "").strip(), data.get(name + TEXT_SUFFIX) or "")

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + TEXT_SUFFIX not in data

    def id_for_label(self, id_):
        return id_

    def _code_and_text(self, value) -> tuple[str, str]:
        if isinstance(value, PickedRegion):
            return value.code, value.text
        code = value.pk if isinstance(value, Region) else str(value or "").strip()
        return code, _path_of(code, with_province=self.with_province)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        id_ = attrs.pop("id", None) or f"id_{name}"
        attrs.pop("required", None)  # the box may be empty while a region is picked, and vice versa
        code, text = self._code_and_text(value)
        is_filter = self.fallback is not None
        messages = {
            "data-msg-none": _("No region matches."),
            "data-msg-count": _("%(count)s regions found; use the up and down keys to choose."),
            "data-msg-error": _("The search failed. Try again."),
            "data-msg-cleared": _("No region chosen."),
        }
        box = {
            "type": "text", "id": id_, "value": text, "role": "combobox", "aria-autocomplete": "list",
            "aria-expanded": "false", "aria-controls": f"{id_}-list", "autocomplete": "off", "spellcheck": "false",
            "autocapitalize": "none", "class": "region-picker-box",
            "placeholder": self.empty_label or _("Type part of the name, e.g. 吴城"), "hidden": is_filter, **attrs,
        }
        if not is_filter:
            box["name"] = name + TEXT_SUFFIX
        box_html = format_html("<input{}>", flatatt(box))
        hidden = format_html('<input type="hidden" {}="{}" value="{}" data-picker-code>',
                             "data-name" if is_filter else "name", name, code)
        fallback = ""
        if is_filter:
            options = [("", self.empty_label)] if self.empty_label else []
            options += self.fallback
            fallback = format_html(
                '<noscript><select name="{}">{}</select></noscript>', name,
                format_html_join("", '<option value="{}"{}>{}</option>',
                                 ((c, mark_safe(" selected") if c == code else "", label) for c, label in options)))
        return format_html(
            '<span class="region-picker" data-region-picker data-search="{}"{}>{}{}'
            '<span class="region-picker-list" id="{}-list" role="listbox" aria-label="{}" hidden></span>'
            '<span class="visually-hidden" role="status" aria-live="polite" data-picker-status></span>{}</span>'
            '<script src="{}" defer></script>',
            self.search_url(), flatatt(messages), hidden, box_html, id_, _("Matching regions"), fallback,
            static(SCRIPT))


class RegionField(forms.Field):
    """A region among ``regions`` (a queryset already scoped to the user, at the levels offered),
    cleaned to the Region (None when left empty and not required).

    The value posted is a code (a select, or a picker where a region was picked) or, from the picker's
    search box, a name typed: a name matching one region of ``regions`` (exactly, else as the only one
    containing it) is that region; several are listed in the error. A code outside ``regions`` is refused,
    however it was posted. Set ``regions`` and the widget with :meth:`offer`."""

    widget = RegionPickerWidget
    default_error_messages = {
        "invalid": _lazy("Choose a region from the list."),
        "out_of_scope": _lazy("The region does not exist or is outside your area."),
        "no_match": _lazy("No region you can choose here matches “%(text)s”. Type part of its name and choose it "
                          "from the list."),
        "ambiguous": _lazy("“%(text)s” matches several regions: %(paths)s. Type more of the name and choose one "
                           "from the list."),
    }

    def __init__(self, *, regions: QuerySet | None = None, **kwargs):
        super().__init__(**kwargs)
        self.regions = regions if regions is not None else Region.objects.none()

    def offer(self, regions: QuerySet, *, options: list[tuple[str, str]] | None = None, scope: str = MANAGE,
              levels=LEVELS, with_province: bool = False, blank_choice: bool = True) -> None:
        """Accept ``regions`` (scoped, at ``levels``); show them in a select of ``options`` (led by an empty
        choice unless not ``blank_choice``) when given and complete (not :attr:`RegionOptions.truncated`),
        else in the search picker over ``scope``."""
        self.regions = regions.filter(level__in=list(levels))
        if options is not None and not getattr(options, "truncated", False):
            self.widget = forms.Select(choices=[EMPTY_CHOICE, *options] if blank_choice else list(options))
        else:
            self.widget = RegionPickerWidget(scope=scope, levels=levels, with_province=with_province)
            if not self.help_text:
                self.help_text = _("Type part of the name (e.g. 吴城) and choose the region from the list.")
        self.widget.is_required = self.required

    def to_python(self, value) -> Region | None:
        if isinstance(value, PickedRegion):
            code, typed = value.code, search_text(value.text)
            if not typed:
                return None  # the box was emptied: nothing is chosen, whatever code is left
        else:
            code, typed = str(value or "").strip(), None
        if code and not is_valid_code(code):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        region = Region.objects.filter(pk=code).first() if code else None
        if typed is not None and (region is None or typed not in (region.name, region.code)):
            return self._resolve(typed)  # typed without picking (no script), or changed after picking
        if code and region is None:
            raise ValidationError(self.error_messages["out_of_scope"], code="out_of_scope")
        return region

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and not self.regions.filter(pk=value.pk).exists():
            raise ValidationError(self.error_messages["out_of_scope"], code="out_of_scope")

    def _resolve(self, typed: str) -> Region:
        """The one region of ``regions`` named ``typed`` (or whose code it is), else the only one whose
        name contains it; a ValidationError naming the candidates otherwise."""
        exact = list(self.regions.filter(Q(name=typed) | Q(code=typed))[:2])
        if len(exact) == 1:
            return exact[0]
        found = list(region_matches(self.regions, typed)[:AMBIGUOUS_SHOWN + 1])
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(self.error_messages["no_match"], code="no_match", params={"text": typed})
        paths = region_paths([(r.code, r.name) for r in found[:AMBIGUOUS_SHOWN]],
                             with_province=getattr(self.widget, "with_province", False))
        shown = "、".join(paths.values()) + ("……" if len(found) > AMBIGUOUS_SHOWN else "")
        raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"text": typed, "paths": shown})


def region_filter_widget(options: RegionOptions, *, empty_label: str = "", with_province: bool = False,
                         attrs=None) -> forms.Widget:
    """A list filter's region input: a select of ``options`` (core.regions.region_options, a leading
    "all" option when ``empty_label``), or — when the options were cut short — the search picker over the
    user's subtree at the same levels, with that select as its no-script fallback."""
    if not options.truncated:
        return forms.Select(choices=[("", empty_label), *options] if empty_label else list(options), attrs=attrs)
    return RegionPickerWidget(scope=MANAGE, levels=options.levels, with_province=with_province,
                              fallback=list(options), empty_label=empty_label, attrs=attrs)
