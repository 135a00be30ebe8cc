"""The region tree as pages, APIs and figures use it — each helper defined once.

- :func:`validate_code` / :data:`CODE_MESSAGE`: the one check of a 12-digit 统计用区划代码 and its message;
- :func:`sub_prefix_length`: how many code digits name a direct sub-region (the roll-up's group key);
- :func:`rollup`: figures grouped by that prefix → one row per direct sub-region, then the
  "registered at this level itself" row, and the total (which the rows always add up to);
- :func:`default_root`, :func:`chosen_region`: the region a page is about;
- :func:`breadcrumbs`: the way back up to the user's own region;
- :func:`region_options`: a region select's options (:class:`RegionOptions`, which say when they were cut
  short and the search picker, core.widgets, takes over);
- :func:`region_search`, :func:`region_paths`, :func:`search_text`: the picker's server side (what
  ``GET /accounts/regions/search/`` answers, and how a typed name is resolved).

The code arithmetic itself (prefixes, parents, subtree ranges) is core.regioncodes.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Region
from core.regioncodes import (
    CODE_LENGTH,
    LEVELS,
    PREFIX_LENGTH,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    ancestor_codes,
    in_subtree,
    is_valid_code,
    level_of,
)

CODE_MESSAGE = gettext_lazy("A region code is 12 digits (统计用区划代码), e.g. 141102000000.")
# The picker lists at most this many regions (a county and its villages fit; a deeper code typed in
# the URL stays selectable).
OPTIONS_LIMIT = 600
# The search picker lists at most this many matches, and reads at most this many characters typed.
SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 40

T = TypeVar("T")


def validate_code(value: str | None, *, field: str = "region") -> str:
    """The stripped code, or a ValidationError keyed by ``field`` with :data:`CODE_MESSAGE`."""
    code = (value or "").strip()
    if not is_valid_code(code):
        raise ValidationError({field: CODE_MESSAGE})
    return code


def sub_prefix_length(region: Region | None) -> int:
    """How many leading code digits name a direct sub-region of ``region``: 2 for the provinces (no
    region), ..., 12 for a village (which has none: its own code)."""
    if region is None:
        return PREFIX_LENGTH[PROVINCE]
    index = LEVELS.index(region.level)
    return PREFIX_LENGTH[LEVELS[min(index + 1, len(LEVELS) - 1)]]


def has_subregions(region: Region | None) -> bool:
    return region is None or sub_prefix_length(region) != PREFIX_LENGTH[region.level]


def direct_subregions(region: Region | None) -> list[Region]:
    """The regions right below ``region`` (the provinces for None), in code order. One query; none
    for a village."""
    if not has_subregions(region):
        return []
    regions = Region.objects.filter(parent=region) if region is not None else Region.objects.filter(parent__isnull=True)
    return list(regions.order_by("code"))


# --- roll-up --------------------------------------------------------------------------------------

@dataclass
class RollupRow(Generic[T]):
    """A sub-region's figures (``values``); their attributes read through the row (``row.paired``)."""

    name: str
    region: Region | None  # the sub-region; the parent itself on the "itself" row
    values: T
    is_self: bool = False  # the records registered at the parent region itself, not below it

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "values":
            raise AttributeError(name)
        return getattr(self.values, name)


@dataclass
class Rollup(Generic[T]):
    region: Region | None
    total: T
    rows: list[RollupRow[T]] = field(default_factory=list)


def self_row_name(region: Region | None) -> str:
    return _("Registered at %(region)s itself") % {"region": region.name} if region else _("Other")


def rollup(*, region: Region | None, counts: Mapping[str, T], zero: Callable[[], T],
           combine: Callable[[Iterable[T]], T], subregions: list[Region] | None = None) -> Rollup[T]:
    """``counts`` are the figures of ``region``'s subtree grouped by the first
    :func:`sub_prefix_length` digits of the records' region codes (one GROUP BY). The result has one
    row per direct sub-region (``zero()`` where nothing is recorded), then — when records are
    registered at ``region`` itself, a prefix no sub-region has — the "itself" row; its total is
    ``combine`` of every group, so the rows always add up to it. A village has no rows, only the total.
    One query (the sub-regions) unless ``subregions`` are given."""
    left = dict(counts)
    result = Rollup(region=region, total=combine(list(counts.values())) if counts else zero())
    if not has_subregions(region):
        return result
    length = sub_prefix_length(region)
    for sub in direct_subregions(region) if subregions is None else subregions:
        result.rows.append(RollupRow(name=sub.name, region=sub, values=left.pop(sub.code[:length], None) or zero()))
    if left:
        result.rows.append(RollupRow(name=self_row_name(region), region=region, values=combine(list(left.values())),
                                     is_self=True))
    return result


# --- the region a page is about -------------------------------------------------------------------

def default_root(user) -> Region:
    """The region a page starts at: the user's own; for a superuser (no region), the top of the tree
    (the first province). Http404 when the tree is empty."""
    if user.region_id:
        return user.region
    root = Region.objects.filter(parent__isnull=True).order_by("code").first()
    if root is None:
        raise Http404
    return root


def chosen_region(user, value: str | None, *, field: str = "region") -> Region:
    """The region named by ``value`` (e.g. ``?region=``), which must lie in the user's subtree (else
    Http404: it does not exist for them), or :func:`default_root` when ``value`` is empty. A malformed
    code is a ValidationError keyed by ``field`` (a 400). One query."""
    if not (value or "").strip():
        return default_root(user)
    code = validate_code(value, field=field)
    region = Region.objects.manageable_by(user).filter(code=code).first()
    if region is None:
        raise Http404
    return region


def in_scope(user, code: str) -> bool:
    """Whether region ``code`` lies in the user's subtree (a superuser's is the whole tree). No query."""
    return user.is_superuser or bool(user.region_id and in_subtree(user.region_id, code))


def breadcrumbs(user, region: Region | None) -> list[Region]:
    """The regions from the user's own down to ``region``'s parent, top first — the way back up, never
    above the user's own region. One query when the user has drilled below their own region, none
    otherwise."""
    if region is None:
        return []
    codes = [c for c in ancestor_codes(region.code) if not user.region_id or in_subtree(user.region_id, c)]
    return list(Region.objects.filter(code__in=codes).order_by("code")) if codes else []


# --- the picker -----------------------------------------------------------------------------------

class RegionOptions(list):
    """``[(code, label)]`` for a region select, and whether the regions were more than it lists
    (``truncated``: then a page offers the search picker instead) and which ``levels`` it offers."""

    truncated: bool = False
    levels: tuple[str, ...] = LEVELS


def region_options(user, *, depth: int = 3, levels: Iterable[str] | None = None, selected: Region | str = "",
                   with_codes: bool = False) -> RegionOptions:
    """``[(code, label)]`` for a region select: the user's region and the ``depth - 1`` levels below it,
    in code order, indented by level; at most :data:`OPTIONS_LIMIT` (``truncated`` says when there were
    more). ``levels`` limits the levels offered; without it, villages are offered only to township (and
    village) users — a county's villages would swamp a filter. A ``selected`` region not among them (a
    village typed into the URL) is kept as the last option. One query."""
    top = level_of(user.region_id) if user.region_id else PROVINCE
    start = LEVELS.index(top)
    if levels is None:
        levels = LEVELS if top in (TOWNSHIP, VILLAGE) else [level for level in LEVELS if level != VILLAGE]
    wanted = [level for level in LEVELS[start:start + depth] if level in set(levels)]
    regions = list(Region.objects.manageable_by(user).filter(level__in=wanted).order_by("code")
                   .values_list("code", "name", "level")[:OPTIONS_LIMIT + 1])
    options = RegionOptions((code, "\u3000" * (LEVELS.index(level) - start) + (f"{name}（{code}）" if with_codes else name))
                            for code, name, level in regions[:OPTIONS_LIMIT])
    options.truncated, options.levels = len(regions) > OPTIONS_LIMIT, tuple(wanted)
    if selected:
        code, name = (selected.code, selected.name) if isinstance(selected, Region) else (selected, selected)
        if code not in {option for option, _label in options}:
            options.append((code, name))
    return options


# --- the search picker ----------------------------------------------------------------------------

_LEVEL_RANK = Case(*(When(level=level, then=Value(rank)) for rank, level in enumerate(LEVELS)),
                   output_field=IntegerField())


def search_text(value: str | None) -> str:
    """What was typed, ready to search for: without control characters (a NUL byte is a database
    error), stripped, at most :data:`SEARCH_MAX_LENGTH` characters; a path typed or pasted
    ("吕梁市 / 离石区 / 吴城镇") searches for its last part."""
    text = "".join(ch for ch in (value or "") if ch.isprintable()).strip()
    if "/" in text:
        text = text.rsplit("/", 1)[-1].strip()
    return text[:SEARCH_MAX_LENGTH]


def region_matches(regions: QuerySet, text: str) -> QuerySet:
    """``regions`` whose name contains ``text`` (a :func:`search_text`) or, for digits, whose code starts
    with them; best first: higher levels first, then code order."""
    if text:
        match = Q(name__contains=text)
        if text.isascii() and text.isdigit() and len(text) <= CODE_LENGTH:
            match |= Q(code__gte=text.ljust(CODE_LENGTH, "0"), code__lte=text.ljust(CODE_LENGTH, "9"))
        regions = regions.filter(match)
    return regions.annotate(level_rank=_LEVEL_RANK).order_by("level_rank", "code")


def region_paths(rows: Iterable[tuple[str, str]], *, with_province: bool = False) -> dict[str, str]:
    """``{code: "吕梁市 / 离石区 / 吴城镇"}`` for ``(code, name)`` rows: the names of each region's
    ancestors and its own. The province is left out (everyone below it shares it) unless
    ``with_province`` (a superuser's picker) or the region is one. One query (none for no rows)."""
    rows = [(code, name) for code, name, *_rest in rows]
    wanted = {ancestor for code, _name in rows for ancestor in ancestor_codes(code)
              if with_province or level_of(ancestor) != PROVINCE}
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name")) if wanted else {}
    return {code: " / ".join([names[a] for a in reversed(ancestor_codes(code)) if a in names] + [name])
            for code, name in rows}


def region_search(regions: QuerySet, *, text: str, levels: Iterable[str] = LEVELS, with_province: bool = False,
                  limit: int = SEARCH_LIMIT) -> list[dict[str, str]]:
    """The picker's answer: ``[{code, name, path, level}]``, at most ``limit``, of ``regions`` (already
    scoped to the user) at ``levels`` matching ``text`` (see :func:`region_matches`; all of them, best
    first, for no text). Two queries: the matches, and their ancestors' names."""
    rows = list(region_matches(regions.filter(level__in=list(levels)), search_text(text))
                .values_list("code", "name", "level")[:limit])
    paths = region_paths(rows, with_province=with_province)
    return [{"code": code, "name": name, "path": paths[code], "level": level} for code, name, level in rows]
