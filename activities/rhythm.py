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
    Case,
    Count,
    DateField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User
from accounts.regioncodes import PREFIX_LENGTH, ancestor_codes, in_subtree, prefix_of, subtree_q
from activities.models import ActivityChild, ContactRhythm
from children.models import Child, RiskColor
from pairing.models import PairingRole

# The colours a child can have; "" is "not assessed yet".
COLORS = (RiskColor.RED.value, RiskColor.YELLOW.value, RiskColor.GREEN.value, "")
# The ContactRhythm field holding each colour's interval.
RHYTHM_FIELDS = {"red": "red_days", "yellow": "yellow_days", "green": "green_days", "": "unassessed_days"}
# The key of each colour in counts and forms ("" is not a handy key).
COLOR_KEYS = {"red": "red", "yellow": "yellow", "green": "green", "": "unassessed"}
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
        if region_code:
            for code in (region_code, *ancestor_codes(region_code)):
                if code in self.rhythms:
                    return self.rhythms[code]
        return Intervals.defaults()

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
    codes = set()
    for code in [*region_codes, *([subtree_of] if subtree_of else [])]:
        codes.add(code)
        codes.update(ancestor_codes(code))
    if not codes:
        return RhythmBook()
    condition = Q(region_id__in=codes)
    if subtree_of:
        condition |= subtree_q("region", subtree_of)
    return RhythmBook(ContactRhythm.objects.filter(condition))


def next_due(last_contact: date | None, color: str, region_code: str, rhythms: RhythmBook) -> date | None:
    """When the next contact is due: ``last_contact`` (or, for a child never contacted, the day the
    lead pairing began) plus the interval for ``color`` in ``region_code``. None without a date."""
    if last_contact is None:
        return None
    return last_contact + timedelta(days=rhythms.days(color, region_code))


# --- querysets ------------------------------------------------------------------------------------

def with_contact(children: QuerySet) -> QuerySet:
    """Annotate children with ``last_contact`` (the latest activity date, or None), ``lead_started_on``
    and ``lead_volunteer_id`` (their active lead pairing, None when unpaired) and ``contact_base``
    (the last contact, else the pairing start: what the due date counts from).

    One LEFT JOIN to the active lead pairing (at most one per child, a constraint says so) and one
    correlated ``SELECT MAX(occurred_on) … WHERE child_id = …`` on the ``(child, -occurred_on)`` index
    (a plain MAX, without the GROUP BY an ORM aggregate would add: measurably cheaper per child)."""
    last = (ActivityChild.objects.filter(child=OuterRef("pk")).order_by()
            .annotate(last=Func(F("occurred_on"), function="MAX", output_field=DateField())).values("last"))
    return (children
            .annotate(lead=FilteredRelation("pairings", condition=Q(pairings__role=PairingRole.LEAD,
                                                                    pairings__ended_on__isnull=True)))
            .annotate(last_contact=Subquery(last, output_field=DateField()),
                      lead_started_on=F("lead__started_on"),
                      lead_volunteer_id=F("lead__volunteer_id"))
            .annotate(contact_base=Coalesce("last_contact", "lead_started_on", output_field=DateField())))


def threshold_expression(rhythms: RhythmBook, *, root_code: str | None, today: date,
                         region_field: str = "region", color_field: str = "risk_color") -> Case:
    """``today - interval`` for each row's region and colour, as SQL. ``rhythms`` must hold the rhythms
    of ``root_code``'s ancestors and subtree (:func:`load_rhythms` with ``subtree_of``); rows are
    assumed to lie in that subtree. A child is overdue when its base date is before this, due (today
    or overdue) when on or before it."""
    whens = []
    for intervals in rhythms.within(root_code):
        in_region = subtree_q(region_field, intervals.source)
        whens += [When(in_region & Q(**{color_field: color}),
                       then=Value(today - timedelta(days=intervals.days(color)))) for color in COLORS]
    base = rhythms.intervals_for(root_code)
    whens += [When(Q(**{color_field: color}), then=Value(today - timedelta(days=base.days(color))))
              for color in COLORS[:-1]]
    return Case(*whens, default=Value(today - timedelta(days=base.days(""))), output_field=DateField())


def paired_active(children: QuerySet) -> QuerySet:
    """Active children with an active lead, annotated as :func:`with_contact` does."""
    return with_contact(children.filter(status="active")).filter(lead_started_on__isnull=False)


def overdue_q(threshold: Case) -> Q:
    return Q(contact_base__lt=threshold)


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


def sub_prefix_length(region: Region | None) -> int:
    """How many leading code digits name a direct sub-region of ``region`` (a village: its own)."""
    if region is None:
        return PREFIX_LENGTH["province"]
    levels = list(PREFIX_LENGTH)
    index = levels.index(region.level)
    return PREFIX_LENGTH[levels[min(index + 1, len(levels) - 1)]]


def color_counts() -> dict:
    """Aggregates counting rows in total (``overdue``: the rows are filtered to the overdue) and by colour."""
    counts = {COLOR_KEYS[c]: Count("pk", filter=Q(risk_color=c)) for c in COLORS}
    counts["overdue"] = Count("pk")
    return counts


def overdue_counts(*, actor: User, region: Region | None, today: date, rhythms: RhythmBook | None = None,
                   prefix_length: int | None = None) -> dict[str, dict[str, int]]:
    """``{sub-region prefix: {paired, overdue, red, yellow, green, unassessed}}`` for the paired active
    children under ``region`` — ONE aggregate query (plus one for the rhythms when not given). The
    prefix names the direct sub-regions unless ``prefix_length`` says otherwise (e.g. 6: counties).

    It groups on (region-code prefix, colour, overdue or not), so the per-child last-contact subquery
    runs once per child; counting with one FILTER per colour would repeat it in every FILTER."""
    code = region.code if region else None
    rhythms = rhythms or (load_rhythms(subtree_of=code) if code else load_rhythms(everything=True))
    threshold = threshold_expression(rhythms, root_code=code, today=today)
    rows = (paired_active(scope_children(actor=actor, region=region))
            .annotate(prefix=Substr("region_id", 1, prefix_length or sub_prefix_length(region)),
                      late=Case(When(overdue_q(threshold), then=Value(1)), default=Value(0),
                                output_field=IntegerField()))
            .order_by().values("prefix", "risk_color", "late")
            .annotate(n=Count("pk")))
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        bucket = counts.setdefault(row["prefix"], dict.fromkeys(("paired", "overdue", *COLOR_KEYS.values()), 0))
        bucket["paired"] += row["n"]
        if row["late"]:
            bucket["overdue"] += row["n"]
            bucket[COLOR_KEYS[row["risk_color"]]] += row["n"]
    return counts


def overdue_children(*, actor: User, region: Region | None, today: date, rhythms: RhythmBook,
                     volunteer_id: int | None = None) -> QuerySet:
    """The overdue children under ``region`` (most at risk, then longest waiting, first), annotated
    with their lead caring mother's ``lead_volunteer_name``."""
    threshold = threshold_expression(rhythms, root_code=region.code if region else None, today=today)
    children = paired_active(scope_children(actor=actor, region=region)).filter(overdue_q(threshold))
    if volunteer_id is not None:
        children = children.filter(lead_volunteer_id=volunteer_id)
    return (children.select_related("region")
            .annotate(lead_volunteer_name=F("lead__volunteer__name"), color_rank=COLOR_RANK)
            .order_by("color_rank", "contact_base", "pk"))


def overdue_by_volunteer(*, actor: User, region: Region | None, today: date, rhythms: RhythmBook) -> QuerySet:
    """``[{lead_volunteer_id, overdue, red, yellow, green, unassessed}]`` — overdue children grouped by
    their lead caring mother, the most overdue first. One aggregate query (paginate it)."""
    threshold = threshold_expression(rhythms, root_code=region.code if region else None, today=today)
    return (paired_active(scope_children(actor=actor, region=region)).filter(overdue_q(threshold))
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
               unassessed_days: int, request=None) -> ContactRhythm:
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
    audit_record(actor=actor, action=AuditAction.CREATE if before is None else AuditAction.UPDATE, target=rhythm,
                 target_label=_("Contact rhythm of %(region)s") % {"region": region.name}, region_code=region.code,
                 request=request, detail={"before": before, "after": _snapshot(rhythm)})
    return rhythm


@transaction.atomic
def rhythm_clear(*, actor: User, region: Region, request=None) -> bool:
    """Remove ``region``'s own rhythm: it follows its nearest ancestor's (or the defaults) again. Audited."""
    _check_admin(actor, region)
    rhythm = ContactRhythm.objects.select_for_update().filter(region=region).first()
    if rhythm is None:
        return False
    before = _snapshot(rhythm)
    rhythm.delete()
    audit_record(actor=actor, action=AuditAction.UPDATE, target_type="activities.contactrhythm",
                 target_id=region.code, target_label=_("Contact rhythm of %(region)s") % {"region": region.name},
                 region_code=region.code, request=request, detail={"before": before, "after": None})
    return True
