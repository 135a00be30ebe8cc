"""Contact rhythm (联系频次): how often a paired child should hear from a caring mother, by risk colour,
when the next contact is due, and which children are overdue.

Intervals
    settings.CONTACT_DAYS (red 7, yellow 14, green 30, not assessed 30 days), overridden by a
    region's own ContactRhythm: the nearest one wins, looking at the child's own region first, then its
    ancestors up to the province. Rhythms are few (one per region that chose its own), so they are
    loaded in ONE query (:func:`load_rhythms`) and resolved in Python (:class:`RhythmBook`).

Due date
    ``last contact + interval``, where the last contact is the latest ``ActivityChild.occurred_on`` of
    the child (any activity, any volunteer, group activities included). A child never contacted is due
    ``interval`` days after its lead pairing began: the clock starts at the pairing.

Overdue
    An active child with an active lead caring mother whose due date is before today. At province
    scale this is SQL, not a loop: rather than adding each child's interval to its date (date
    arithmetic differs between PostgreSQL and SQLite), the threshold ``today - interval`` is computed
    in Python for each (rhythm, colour) and placed in a Case/When over region-code ranges and the
    colour (:func:`threshold_expression`); ``base + interval < today`` ⟺ ``base < today - interval``.
    Deeper rhythms come first in the Case, so the nearest ancestor wins there too, and every rhythm
    of a subtree is handled in the same single query.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User
from activities.models import ActivityChild, ContactRhythm
from children.models import Child, RiskColor
from children.selectors import child_color_at, in_set
from core import regionsettings
from core.regioncodes import in_subtree, prefix_of, subtree_q
from core.regions import sub_prefix_length
from pairing.models import Pairing, PairingRole
from pairing.selectors import active_on as pairing_active_on
from pairing.selectors import children_paired_on, within
from reports.statstable import stats_changed_everywhere

# The colours a child can have; "" is "not assessed yet".
COLORS = (RiskColor.RED.value, RiskColor.YELLOW.value, RiskColor.GREEN.value, "")
# The ContactRhythm field holding each colour's interval.
RHYTHM_FIELDS = {"red": "red_days", "yellow": "yellow_days", "green": "green_days", "": "unassessed_days"}
# The key of each colour in counts and forms ("" is not a handy key).
COLOR_KEYS = {"red": "red", "yellow": "yellow", "green": "green", "": "unassessed"}
RISK_KEYS = tuple(COLOR_KEYS.values())
MIN_DAYS, MAX_DAYS = 1, 365
# Overdue lists put the most at risk first; a child not yet assessed is an unknown risk, before green.
COLOR_RANK = Case(When(risk_color=RiskColor.RED, then=Value(0)), When(risk_color=RiskColor.YELLOW, then=Value(1)),
                  When(risk_color=RiskColor.GREEN, then=Value(3)), default=Value(2), output_field=IntegerField())


@dataclass(frozen=True)
class Intervals:
    """Days between contacts for each colour, and where they come from (a region code, or None for
    the settings' defaults)."""

    red: int
    yellow: int
    green: int
    unassessed: int
    source: str | None = None

    def days(self, color: str) -> int:
        return getattr(self, COLOR_KEYS[color or ""])

    @classmethod
    def defaults(cls) -> "Intervals":
        days = settings.CONTACT_DAYS
        return cls(red=days["red"], yellow=days["yellow"], green=days["green"], unassessed=days[""])

    @classmethod
    def of(cls, rhythm: ContactRhythm) -> "Intervals":
        return cls(red=rhythm.red_days, yellow=rhythm.yellow_days, green=rhythm.green_days,
                   unassessed=rhythm.unassessed_days, source=rhythm.region_id)


class RhythmBook:
    """The region rhythms that were loaded, resolving the interval for any region code below them."""

    def __init__(self, rhythms: Iterable[ContactRhythm] = ()):
        self.rhythms = {r.region_id: Intervals.of(r) for r in rhythms}

    def intervals_for(self, region_code: str | None) -> Intervals:
        """The nearest rhythm at or above ``region_code``; the defaults when there is none."""
        found = regionsettings.nearest(self.rhythms, region_code)
        return found if found is not None else Intervals.defaults()

    def days(self, color: str, region_code: str | None) -> int:
        return self.intervals_for(region_code).days(color)

    def within(self, root_code: str | None) -> list[Intervals]:
        """Rhythms strictly below ``root_code`` (all of them for None), deepest first."""
        inner = [i for code, i in self.rhythms.items()
                 if root_code is None or (code != root_code and in_subtree(root_code, code))]
        return sorted(inner, key=lambda i: (-len(prefix_of(i.source)), i.source))


def load_rhythms(region_codes: Iterable[str] = (), *, subtree_of: str | None = None,
                 everything: bool = False) -> RhythmBook:
    """ONE query: the rhythms of ``region_codes`` and of all their ancestors, plus every rhythm in the
    subtree of ``subtree_of`` (which a Case over that subtree needs), or simply all (``everything``)."""
    if everything:
        return RhythmBook(ContactRhythm.objects.all())
    condition = regionsettings.covering(region_codes, subtree_of=subtree_of)
    return RhythmBook() if condition is None else RhythmBook(ContactRhythm.objects.filter(condition))


def next_due(last_contact: date | None, color: str, region_code: str, rhythms: RhythmBook) -> date | None:
    """When the next contact is due: ``last_contact`` (or, for a child never contacted, the day the
    lead pairing began) plus the interval for ``color`` in ``region_code``. None without a date."""
    if last_contact is None:
        return None
    return last_contact + timedelta(days=rhythms.days(color, region_code))


# --- the cutoff: THE rule of when a contact is late ---------------------------------------------------

@dataclass(frozen=True)
class Cutoff:
    """For one risk colour on ``day``: a child whose last contact (never contacted: the start of its
    lead pairing) is before this date is overdue — ``day`` minus the colour's interval, the nearest
    region's own ContactRhythm winning. ``rules`` are the subtree's own rhythms, deepest first, as
    (region code, cutoff); ``default`` applies elsewhere."""

    default: date
    rules: tuple[tuple[str, date], ...] = ()

    @property
    def earliest(self) -> date:
        return min([self.default, *(cut for _code, cut in self.rules)])

    def expression(self, region_field: str):
        """The cutoff of each row's region, as SQL (a constant without rules)."""
        default = Value(self.default, output_field=DateField())
        if not self.rules:
            return default
        return Case(*(When(subtree_q(region_field, code), then=Value(cut, output_field=DateField()))
                      for code, cut in self.rules), default=default, output_field=DateField())


def contact_cutoffs(rhythms: RhythmBook, *, root_code: str | None, day: date) -> dict[str, Cutoff]:
    """The cutoff of every risk key (red, yellow, green, unassessed) on ``day`` for the rows of
    ``root_code``'s subtree. ``rhythms`` must hold the rhythms of the root's ancestors and subtree
    (:func:`load_rhythms` with ``subtree_of``, or everything)."""
    inner = rhythms.within(root_code)  # deepest first: the nearest rhythm wins
    base = rhythms.intervals_for(root_code)
    return {COLOR_KEYS[color]: Cutoff(
        default=day - timedelta(days=base.days(color)),
        rules=tuple((i.source, day - timedelta(days=i.days(color))) for i in inner))
        for color in COLORS}


def threshold_expression(rhythms: RhythmBook, *, root_code: str | None, today: date,
                         region_field: str = "region", color_field: str = "risk_color") -> Case:
    """The cutoff of each row's region and colour, as SQL (:func:`contact_cutoffs`): a child is
    overdue when its base date (last contact, else the lead pairing's start) is before it, due
    (today or overdue) when on or before it."""
    cutoffs = contact_cutoffs(rhythms, root_code=root_code, day=today)
    return Case(*(When(Q(**{color_field: color}), then=cutoffs[COLOR_KEYS[color]].expression(region_field))
                  for color in COLORS[:-1]),
                default=cutoffs[COLOR_KEYS[""]].expression(region_field), output_field=DateField())


def child_contacted_between(first: date, last: date, *, region: Region | None = None) -> ExpressionWrapper:
    """Whether any activity reached the child between ``first`` and ``last`` (a month: 月月有活动)."""
    links = within(ActivityChild.objects.filter(occurred_on__range=(first, last)), "child__region", region)
    return ExpressionWrapper(in_set(links.values("child_id")), output_field=BooleanField())


def children_last_contact(day: date, *, since: date, first: date, last: date,
                          region: Region | None = None) -> QuerySet:
    """ONE grouped pass over the activity links dated from ``since`` (or ``first``, the earlier) to
    ``last`` (or ``day``, the later): a ``values()`` row per child reached in that window, with
    ``person`` (its id), ``last_contact`` (its latest link dated on or before ``day``) and
    ``month_contact`` (its latest link dated from ``first`` to ``last``), each NULL when there is none —
    for reports.stats to LEFT JOIN to its children (``_grouped_sums(per_person=…)``: no row, never
    reached in the window). By date comparison it answers what the set memberships answer, from one
    read of the window on the ``(occurred_on, child)`` index instead of one per window:

    - :func:`child_contacted_between` ``(first, last)`` ⟺ ``month_contact IS NOT NULL``;
    - :func:`child_contacted_since` ``(cutoff, day)`` ⟺ ``last_contact >= the child's cutoff``, for
      any cutoff whose earliest date is on or after ``since`` (``OverdueRule.since``)."""
    links = ActivityChild.objects.filter(occurred_on__range=(min(since, first), max(last, day)))
    return (within(links, "child__region", region).order_by().values(person=F("child_id"))
            .annotate(last_contact=Max("occurred_on", filter=Q(occurred_on__lte=day)),
                      month_contact=Max("occurred_on", filter=Q(occurred_on__gte=first, occurred_on__lte=last)))
            .values("person", "last_contact", "month_contact"))


def child_contacted_since(cutoff: Cutoff, day: date, *, region: Region | None = None) -> ExpressionWrapper:
    """Whether an activity reached the child between its region's ``cutoff`` and ``day``."""
    links = ActivityChild.objects.filter(occurred_on__lte=day, occurred_on__gte=cutoff.earliest)
    if cutoff.rules:
        links = links.filter(occurred_on__gte=cutoff.expression("child__region"))
    links = within(links, "child__region", region)
    return ExpressionWrapper(in_set(links.values("child_id")), output_field=BooleanField())


def child_newly_paired_since(cutoff: Cutoff, day: date, *, region: Region | None = None) -> ExpressionWrapper:
    """Whether the child, never contacted by ``day``, got the lead pairing active on ``day`` on or
    after its region's ``cutoff``: its first contact is not due yet (the clock starts at the
    pairing). Recent pairings are few: each is checked for earlier contacts by index."""
    contacts = ActivityChild.objects.filter(child=OuterRef("child_id"), occurred_on__lte=day)
    leads = (Pairing.objects.filter(pairing_active_on(day), role=PairingRole.LEAD, started_on__gte=cutoff.earliest)
             .filter(started_on__gte=cutoff.expression("child__region")).exclude(Exists(contacts)))
    return ExpressionWrapper(in_set(within(leads, "child__region", region).values("child_id")),
                             output_field=BooleanField())


@dataclass(frozen=True)
class OverdueRule:
    """THE overdue rule on ``day`` over a subtree, as per-child columns and a condition on them: a
    child active on ``day`` (children.selectors), with a lead caring mother that day
    (pairing.selectors), whose colour that day's cutoff has passed with no contact since (and who was
    not newly paired since it). The overdue pages filter with :meth:`q` over :meth:`columns`; the
    statistics (reports.stats) put :meth:`cutoff_columns` in their per-child rows, join each child's
    last contact (:func:`children_last_contact` from :attr:`since`) and count with
    :meth:`cutoff_flags` — the same rule, read by date comparison. Colours sharing a cutoff share
    their columns."""

    day: date
    cutoffs: dict[str, Cutoff]
    region: Region | None

    @classmethod
    def on(cls, day: date, *, region: Region | None, rhythms: RhythmBook | None = None) -> "OverdueRule":
        """One query (the rhythms) unless ``rhythms`` are given."""
        code = region.code if region else None
        rhythms = rhythms or (load_rhythms(subtree_of=code) if code else load_rhythms(everything=True))
        return cls(day=day, cutoffs=contact_cutoffs(rhythms, root_code=code, day=day), region=region)

    @property
    def _names(self) -> dict[Cutoff, str]:
        return {cutoff: f"c{index}" for index, cutoff in enumerate(dict.fromkeys(self.cutoffs.values()))}

    def columns(self) -> dict[str, ExpressionWrapper]:
        """``recent_<c>`` (contacted since the cutoff) and ``fresh_<c>`` (newly paired since it) per
        distinct cutoff."""
        columns = {}
        for cutoff, name in self._names.items():
            columns[f"recent_{name}"] = child_contacted_since(cutoff, self.day, region=self.region)
            columns[f"fresh_{name}"] = child_newly_paired_since(cutoff, self.day, region=self.region)
        return columns

    def flags(self, key: str) -> tuple[str, str]:
        """The (recent, fresh) column names that decide risk key ``key``: overdue when both are false."""
        name = self._names[self.cutoffs[key]]
        return f"recent_{name}", f"fresh_{name}"

    @property
    def since(self) -> date:
        """The earliest cutoff of any colour and region: contacts before it decide nothing."""
        return min(cutoff.earliest for cutoff in self.cutoffs.values())

    def cutoff_columns(self) -> dict:
        """For Child rows that read each child's last contact (:func:`children_last_contact`) instead of
        the ``recent_<c>`` sets: ``cutoff_<c>`` (the cutoff of the child's region) and ``fresh_<c>`` (as
        in :meth:`columns`) per distinct cutoff. ``recent_<c>`` is ``last_contact >= cutoff_<c>``."""
        columns = {}
        for cutoff, name in self._names.items():
            columns[f"cutoff_{name}"] = cutoff.expression("region")
            columns[f"fresh_{name}"] = child_newly_paired_since(cutoff, self.day, region=self.region)
        return columns

    def cutoff_flags(self, key: str) -> tuple[str, str]:
        """The (cutoff, fresh) column names of :meth:`cutoff_columns` that decide risk key ``key``:
        overdue when the last contact is before the cutoff (or none) and fresh is false."""
        name = self._names[self.cutoffs[key]]
        return f"cutoff_{name}", f"fresh_{name}"

    def q(self, *, color: str = "color") -> Q:
        """Overdue, over the :meth:`columns` and a column ``color`` holding the colour on the day (NULL:
        not assessed); the rows must already be the paired children active on the day."""
        condition = Q()
        for key in RISK_KEYS:
            recent, fresh = self.flags(key)
            of_color = Q(**{f"{color}__isnull": True}) if key == "unassessed" else Q(**{color: key})
            condition |= of_color & Q(**{recent: False, fresh: False})
        return condition

    def apply(self, children: QuerySet) -> QuerySet:
        """The overdue ones among ``children`` (any Child queryset), annotated with ``color_on_day``."""
        return (children_paired_on(children, self.day, region=self.region)
                .alias(color_on_day=child_color_at(self.day), **self.columns())
                .filter(self.q(color="color_on_day")))


# --- display: last contact and due date -------------------------------------------------------------

def active_lead(child_field: str = "pk") -> QuerySet:
    """The child's active lead pairing (at most one: a constraint says so), as a correlated subquery
    on the ``pairing_active_by_child`` index."""
    return Pairing.objects.filter(child=OuterRef(child_field), role=PairingRole.LEAD, ended_on__isnull=True)


def with_contact(children: QuerySet) -> QuerySet:
    """Annotate children with ``last_contact`` (the latest activity date, or None), ``lead_started_on``
    and ``lead_volunteer_id`` (their active lead pairing, None when unpaired) and ``contact_base``
    (the last contact, else the pairing start: what the due date counts from) — for showing a page
    of children; who counts as overdue is :class:`OverdueRule`'s to say.

    Correlated subqueries, each an index probe per child: ``SELECT MAX(occurred_on) … WHERE child_id =
    …`` on the ``(child, -occurred_on)`` index (a plain MAX, without the GROUP BY an ORM aggregate would
    add: measurably cheaper per child) and the active lead on its partial index. Not a join: after the
    overdue rule's filter the planner cannot estimate how many children are left (it guesses a
    handful), and a join then becomes a nested loop over every pairing — minutes at province scale
    (bench/stats.py)."""
    last = (ActivityChild.objects.filter(child=OuterRef("pk")).order_by()
            .annotate(last=Func(F("occurred_on"), function="MAX", output_field=DateField())).values("last"))
    lead = active_lead()
    return (children
            .annotate(last_contact=Subquery(last, output_field=DateField()),
                      lead_started_on=Subquery(lead.values("started_on")[:1], output_field=DateField()),
                      lead_volunteer_id=Subquery(lead.values("volunteer_id")[:1], output_field=IntegerField()))
            .annotate(contact_base=Coalesce("last_contact", "lead_started_on", output_field=DateField())))


def paired_active(children: QuerySet, *, day: date | None = None) -> QuerySet:
    """The children active and paired on ``day`` (default today), annotated as :func:`with_contact` does."""
    return with_contact(children_paired_on(children, day or timezone.localdate()))


def due_q(threshold: Case) -> Q:
    """Due today or overdue."""
    return Q(contact_base__lte=threshold)


def attach_due_dates(children: Iterable[Child], rhythms: RhythmBook, *, today: date) -> None:
    """Set ``next_due_on`` and ``days_overdue`` (0 when not overdue) on children annotated by
    :func:`with_contact` — for a page of rows, in Python."""
    for child in children:
        child.next_due_on = next_due(child.contact_base, child.risk_color, child.region_id, rhythms)
        child.days_overdue = max((today - child.next_due_on).days, 0) if child.next_due_on else 0


# --- staff views of who is overdue ----------------------------------------------------------------

def scope_children(*, actor: User, region: Region | None) -> QuerySet:
    """The actor's children (``Child.objects.visible_to``), under ``region`` when given."""
    children = Child.objects.visible_to(actor)
    return children.filter(subtree_q("region", region.code)) if region is not None else children


def color_counts() -> dict:
    """Aggregates counting rows in total (``overdue``: the rows are filtered to the overdue) and by colour."""
    counts = {COLOR_KEYS[c]: Count("pk", filter=Q(risk_color=c)) for c in COLORS}
    counts["overdue"] = Count("pk")
    return counts


def overdue_counts(*, actor: User, region: Region | None, today: date, rhythms: RhythmBook | None = None,
                   prefix_length: int | None = None) -> dict[str, dict[str, int]]:
    """``{sub-region prefix: {paired, overdue, red, yellow, green, unassessed}}`` for the children under
    ``region`` paired and active on ``today`` — ONE aggregate query (plus one for the rhythms when not
    given), by :class:`OverdueRule`. The prefix names the direct sub-regions unless ``prefix_length``
    says otherwise (e.g. 6: counties)."""
    rule = OverdueRule.on(today, region=region, rhythms=rhythms)
    rows = (children_paired_on(scope_children(actor=actor, region=region), today, region=region)
            .alias(color_on_day=child_color_at(today), **rule.columns())
            .annotate(prefix=Substr("region_id", 1, prefix_length or sub_prefix_length(region)),
                      color=F("color_on_day"),
                      late=Case(When(rule.q(color="color_on_day"), then=Value(1)), default=Value(0),
                                output_field=IntegerField()))
            .order_by().values("prefix", "color", "late")
            .annotate(n=Count("pk")))
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        bucket = counts.setdefault(row["prefix"], dict.fromkeys(("paired", "overdue", *RISK_KEYS), 0))
        bucket["paired"] += row["n"]
        if row["late"]:
            bucket["overdue"] += row["n"]
            bucket[row["color"] or "unassessed"] += row["n"]
    return counts


def overdue_children(*, actor: User, region: Region | None, today: date, rhythms: RhythmBook,
                     volunteer_id: int | None = None) -> QuerySet:
    """The overdue children under ``region`` (most at risk, then longest waiting, first), annotated
    with their lead caring mother's ``lead_volunteer_name``."""
    children = with_contact(OverdueRule.on(today, region=region, rhythms=rhythms).apply(
        scope_children(actor=actor, region=region)))
    if volunteer_id is not None:
        children = children.filter(lead_volunteer_id=volunteer_id)
    return (children.select_related("region")
            .annotate(lead_volunteer_name=Subquery(active_lead().values("volunteer__name")[:1],
                                                   output_field=CharField()),
                      color_rank=COLOR_RANK)
            .order_by("color_rank", "contact_base", "pk"))


def overdue_by_volunteer(*, actor: User, region: Region | None, today: date, rhythms: RhythmBook) -> QuerySet:
    """``[{lead_volunteer_id, overdue, red, yellow, green, unassessed}]`` — overdue children grouped by
    their lead caring mother, the most overdue first. One aggregate query (paginate it)."""
    children = OverdueRule.on(today, region=region, rhythms=rhythms).apply(scope_children(actor=actor, region=region))
    return (with_contact(children)
            .order_by().values("lead_volunteer_id")
            .annotate(**color_counts())
            .order_by("-overdue", "lead_volunteer_id"))


# --- setting a region's rhythm --------------------------------------------------------------------

def _check_admin(actor: User, region: Region) -> None:
    if not actor.is_active or not actor.is_region_admin:
        raise PermissionDenied(_("Only administrators set a region's contact rhythm."))
    if not Region.objects.manageable_by(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": _("%(region)s is outside your area.") % {"region": region.name}})


def _check_days(values: dict[str, object]) -> dict[str, int]:
    errors, clean = {}, {}
    for field, value in values.items():
        try:
            if isinstance(value, bool):
                raise TypeError
            days = value if isinstance(value, int) else int(str(value).strip())
        except (TypeError, ValueError):
            errors[field] = _("Enter a whole number of days.")
            continue
        if not MIN_DAYS <= days <= MAX_DAYS:
            errors[field] = _("Enter a number of days between %(min)s and %(max)s.") % {"min": MIN_DAYS,
                                                                                     "max": MAX_DAYS}
        clean[field] = days
    if errors:
        raise ValidationError(errors)
    return clean


def _snapshot(rhythm: ContactRhythm | None) -> dict | None:
    return None if rhythm is None else {f: getattr(rhythm, f) for f in RHYTHM_FIELDS.values()}


@transaction.atomic
def rhythm_set(*, actor: User, region: Region, red_days: int, yellow_days: int, green_days: int,
               unassessed_days: int) -> ContactRhythm:
    """Give ``region`` (in the admin's subtree) its own contact intervals, 1..365 days each. Audited."""
    _check_admin(actor, region)
    days = _check_days({"red_days": red_days, "yellow_days": yellow_days, "green_days": green_days,
                        "unassessed_days": unassessed_days})
    rhythm = ContactRhythm.objects.select_for_update().filter(region=region).first()
    before = _snapshot(rhythm)
    if rhythm is None:
        rhythm = ContactRhythm(region=region)
    for field, value in days.items():
        setattr(rhythm, field, value)
    rhythm.updated_by = actor
    rhythm.save()
    stats_changed_everywhere()  # every month's overdue figures are taken with the rhythms of now
    audit_record(actor=actor, action=AuditAction.CREATE if before is None else AuditAction.UPDATE, target=rhythm,
                 target_label=_("Contact rhythm of %(region)s") % {"region": region.name}, region_code=region.code,
                 detail={"before": before, "after": _snapshot(rhythm)})
    return rhythm


@transaction.atomic
def rhythm_clear(*, actor: User, region: Region) -> bool:
    """Remove ``region``'s own rhythm: it follows its nearest ancestor's (or the defaults) again. Audited."""
    _check_admin(actor, region)
    rhythm = ContactRhythm.objects.select_for_update().filter(region=region).first()
    if rhythm is None:
        return False
    before = _snapshot(rhythm)
    rhythm.delete()
    stats_changed_everywhere()
    audit_record(actor=actor, action=AuditAction.UPDATE, target_type="activities.contactrhythm",
                 target_id=region.code, target_label=_("Contact rhythm of %(region)s") % {"region": region.name},
                 region_code=region.code, detail={"before": before, "after": None})
    return True
