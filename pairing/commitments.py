"""The programme's yearly commitments of a pairing (年度结对承诺) and the days it is reminded of.

What a pairing promises each calendar year is configured per region (:class:`CommitmentPlan`, with
its :class:`CommitmentRule` rows and :class:`Occasion` days): the nearest region at or above the
child's that has a plan decides (a county's overrides its province's); without any, the programme's
defaults below (:data:`DEFAULT_PLAN`, defined here only — nothing is seeded in the database).

Progress is computed, never ticked: from the records of the calendar year of "today", between the
pairing's start (or 1 January) and today (or its end). An activity counts for a pairing when its caring
mother recorded it or took part in it (a co-volunteer) and it reached the child:

monthly contact     a month with any activity with the child but a contact with the class teacher;
                    target: the months of the year the pairing has run so far (at most the rule's)
letter              activities of kind ``letter`` (爱心家书)
wish                the child's needs (微心愿/急难愁盼) fulfilled, whoever fulfilled them
birthday visit      a home visit or festival activity within the plan's window around the birthday
                    (29 February: on 28 February in a common year)
occasion visits     one line per occasion (六一, 开学 …): any activity with the child, but a contact
                    with the class teacher, within its window
teacher contact     activities of kind ``teacher_contact`` (联系班主任); by default twice: once a term

:func:`commitments_for` computes it for any number of pairings in a fixed number of queries; the
service functions at the end set and clear a region's plan (administrators of the region, audited).
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User
from activities.models import ActivityChild, ActivityKind
from children.models import Need, NeedStatus
from core import regionsettings
from core.regioncodes import in_subtree
from pairing.models import CommitmentKind, CommitmentPlan, CommitmentRule, Occasion, Pairing

K = CommitmentKind
# The kinds counted a number of times a year, with the most a rule may ask for.
COUNTED = (K.MONTHLY_CONTACT, K.LETTER, K.WISH, K.TEACHER_CONTACT)
MAX_TARGET = {K.MONTHLY_CONTACT: 12, K.LETTER: 12, K.WISH: 12, K.TEACHER_CONTACT: 12}
MAX_REMIND_DAYS = 30
MAX_WINDOW_DAYS = 30
MAX_OCCASIONS = 8
# Which activities count for what.
BIRTHDAY_KINDS = frozenset({ActivityKind.HOME_VISIT, ActivityKind.FESTIVAL})
NOT_WITH_THE_CHILD = frozenset({ActivityKind.TEACHER_CONTACT})

# A leap year: an occasion or birthday on 29 February is valid; in a common year it falls on the 28th.
LEAP_YEAR = 2028


def on_year(month: int, day: int, year: int) -> date:
    """``month``-``day`` in ``year``; 29 February is kept on 28 February in a common year."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


@dataclass(frozen=True)
class OccasionRule:
    name: str
    month: int
    day: int
    remind_days_before: int = 7
    window_days: int = 7

    @property
    def key(self) -> str:
        """What identifies the occasion in reminders' dedupe keys: its day (a renamed 六一 is the same)."""
        return f"{self.month:02d}{self.day:02d}"

    def on(self, year: int) -> date:
        return on_year(self.month, self.day, year)


@dataclass(frozen=True)
class Plan:
    """The commitments that apply in a region: ``targets`` of the enabled kinds, the birthday's
    reminder and window, the occasions; ``source`` the region code of the plan (None: the defaults)."""

    targets: dict
    birthday_remind_days: int = 7
    birthday_window_days: int = 7
    occasions: tuple[OccasionRule, ...] = ()
    source: str | None = None

    def enabled(self, kind: str) -> bool:
        return kind in self.targets

    def target(self, kind: str) -> int:
        return self.targets.get(kind, 0)

    @classmethod
    def of(cls, plan: CommitmentPlan) -> "Plan":
        rules = {r.kind: r for r in plan.rules.all()}
        targets = {kind: (rules[kind].target if kind in rules else DEFAULT_TARGETS[kind])
                   for kind in CommitmentKind.values if kind not in rules or rules[kind].enabled}
        return cls(targets=targets, birthday_remind_days=plan.birthday_remind_days,
                   birthday_window_days=plan.birthday_window_days,
                   occasions=tuple(OccasionRule(o.name, o.month, o.day, o.remind_days_before, o.window_days)
                                   for o in plan.occasions.all()),
                   source=plan.region_id)


DEFAULT_TARGETS = {K.MONTHLY_CONTACT: 12, K.LETTER: 1, K.WISH: 1, K.BIRTHDAY_VISIT: 1, K.OCCASION_VISIT: 1,
                   K.TEACHER_CONTACT: 2}
# The programme's defaults, where no region has set its own plan. Occasion names are translated when shown.
DEFAULT_OCCASIONS = (
    (gettext_lazy("Children's Day (六一)"), 6, 1, 7, 7),
    (gettext_lazy("School start (开学)"), 9, 1, 7, 14),
)


def default_plan() -> Plan:
    return Plan(targets=dict(DEFAULT_TARGETS),
                occasions=tuple(OccasionRule(str(name), m, d, r, w) for name, m, d, r, w in DEFAULT_OCCASIONS))


class PlanBook:
    """The region plans that were loaded, resolving the plan for any region code below them."""

    def __init__(self, plans: Iterable[CommitmentPlan] = ()):
        self.plans = {p.region_id: Plan.of(p) for p in plans}
        self._default: Plan | None = None

    def plan_for(self, region_code: str | None) -> Plan:
        """The nearest plan at or above ``region_code``; the defaults when there is none."""
        found = regionsettings.nearest(self.plans, region_code)
        if found is not None:
            return found
        if self._default is None:
            self._default = default_plan()
        return self._default

    def within(self, root_code: str | None) -> list[Plan]:
        """Plans strictly below ``root_code`` (all for None), by region code."""
        return sorted((p for code, p in self.plans.items()
                       if root_code is None or (code != root_code and in_subtree(root_code, code))),
                      key=lambda p: p.source)


def load_plans(region_codes: Iterable[str] = (), *, subtree_of: str | None = None,
               everything: bool = False) -> PlanBook:
    """The plans of ``region_codes`` and all their ancestors (plus every plan under ``subtree_of``, or
    all of them): ONE query, plus one each for their rules and occasions when there are plans."""
    plans = CommitmentPlan.objects.prefetch_related("rules", "occasions")
    if everything:
        return PlanBook(plans.all())
    condition = regionsettings.covering(region_codes, subtree_of=subtree_of)
    return PlanBook() if condition is None else PlanBook(plans.filter(condition))


# --- progress -------------------------------------------------------------------------------------

class State:
    MET = "met"
    OPEN = "open"  # counted commitments not reached yet; a dated one whose window is now
    UPCOMING = "upcoming"
    MISSED = "missed"


STATE_LABELS = {
    State.MET: gettext_lazy("Done"),
    State.OPEN: gettext_lazy("In progress"),
    State.UPCOMING: gettext_lazy("Coming up"),
    State.MISSED: gettext_lazy("Missed"),
}


@dataclass(frozen=True)
class Item:
    kind: str
    label: str
    done: int
    target: int
    state: str
    on: date | None = None  # a dated commitment's day (the birthday, the occasion)
    key: str = ""  # "birthday", an occasion's MMDD, else the kind

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def met(self) -> bool:
        return self.state == State.MET

    def as_dict(self) -> dict:
        return {"kind": self.kind, "key": self.key, "label": self.label, "done": self.done, "target": self.target,
                "state": self.state, "on": self.on.isoformat() if self.on else None}


@dataclass(frozen=True)
class Progress:
    year: int
    items: tuple[Item, ...]

    @property
    def met(self) -> int:
        return sum(1 for i in self.items if i.met)

    @property
    def total(self) -> int:
        return len(self.items)

    def as_dict(self) -> dict:
        return {"year": self.year, "met": self.met, "total": self.total, "items": [i.as_dict() for i in self.items]}


def kind_label(kind: str) -> str:
    return str(CommitmentKind(kind).label)


def _period(pairing: Pairing, today: date) -> tuple[date, date] | None:
    first = max(pairing.started_on, date(today.year, 1, 1))
    last = min(today, pairing.ended_on) if pairing.ended_on else today
    return (first, last) if first <= last else None


def _dated(*, kind: str, key: str, label: str, day: date, window: int, period: tuple[date, date],
           ended: bool, today: date, dates: list[date]) -> Item | None:
    """A visit due within ``window`` days of ``day``; None when the pairing did not run then."""
    low, high = day - timedelta(days=window), day + timedelta(days=window)
    first, last = period
    if high < first or (ended and low > last):
        return None
    done = any(max(low, first) <= d <= min(high, last) for d in dates)
    if done:
        state = State.MET
    elif low > today:
        state = State.UPCOMING
    elif high >= today and not ended:
        state = State.OPEN
    else:
        state = State.MISSED
    return Item(kind=kind, key=key, label=label, done=int(done), target=1, state=state, on=day)


def _counted(kind: str, done: int, target: int, ended: bool) -> Item:
    state = State.MET if done >= target else (State.MISSED if ended else State.OPEN)
    return Item(kind=kind, key=kind, label=kind_label(kind), done=done, target=target, state=state)


def progress_of(pairing: Pairing, plan: Plan, *, today: date, activities: list[tuple[date, str]],
                fulfilled: list[date]) -> Progress | None:
    """The year's progress of one pairing from its caring mother's ``activities`` with the child
    ((day, kind) this year) and the child's ``fulfilled`` needs (days). None: not paired this year."""
    period = _period(pairing, today)
    if period is None:
        return None
    first, last = period
    ended = pairing.ended_on is not None and pairing.ended_on <= today
    within = [(d, kind) for d, kind in activities if first <= d <= last]
    items: list[Item] = []
    if plan.enabled(K.MONTHLY_CONTACT):
        months = {d.month for d, kind in within if kind not in NOT_WITH_THE_CHILD}
        target = min(plan.target(K.MONTHLY_CONTACT), last.month - first.month + 1)
        items.append(_counted(K.MONTHLY_CONTACT, len(months), target, ended))
    if plan.enabled(K.LETTER):
        items.append(_counted(K.LETTER, sum(1 for _d, k in within if k == ActivityKind.LETTER),
                              plan.target(K.LETTER), ended))
    if plan.enabled(K.WISH):
        items.append(_counted(K.WISH, sum(1 for d in fulfilled if first <= d <= last), plan.target(K.WISH), ended))
    if plan.enabled(K.BIRTHDAY_VISIT):
        birth = pairing.child.birth_date
        item = _dated(kind=K.BIRTHDAY_VISIT, key="birthday", label=kind_label(K.BIRTHDAY_VISIT),
                      day=on_year(birth.month, birth.day, today.year), window=plan.birthday_window_days,
                      period=period, ended=ended, today=today,
                      dates=[d for d, k in within if k in BIRTHDAY_KINDS])
        if item:
            items.append(item)
    if plan.enabled(K.OCCASION_VISIT):
        dates = [d for d, k in within if k not in NOT_WITH_THE_CHILD]
        for occasion in plan.occasions:
            item = _dated(kind=K.OCCASION_VISIT, key=occasion.key, label=occasion.name, day=occasion.on(today.year),
                          window=occasion.window_days, period=period, ended=ended, today=today, dates=dates)
            if item:
                items.append(item)
    if plan.enabled(K.TEACHER_CONTACT):
        items.append(_counted(K.TEACHER_CONTACT, sum(1 for _d, k in within if k == ActivityKind.TEACHER_CONTACT),
                              plan.target(K.TEACHER_CONTACT), ended))
    return Progress(year=today.year, items=tuple(items))


def commitments_for(pairings: Sequence[Pairing], *, today: date, plans: PlanBook | None = None) -> dict[int, Progress]:
    """``{pairing id: Progress}`` for ``pairings`` (their ``child`` loaded: select_related) in the
    calendar year of ``today``; pairings not running this year are left out. A fixed number of
    queries, whatever the number of pairings:

    1. the plans of the children's regions and their ancestors (none given: +2 for their rules and
       occasions when any region has a plan);
    2. this year's activities with the children, with the recorder and each co-volunteer (one row per
       co-volunteer);
    3. the children's needs fulfilled this year.
    """
    running = [p for p in pairings if _period(p, today) is not None]
    if not running:
        return {}
    if plans is None:
        plans = load_plans({p.child.region_id for p in running})
    children = {p.child_id for p in running}
    volunteers = {p.volunteer_id for p in running}
    year = (date(today.year, 1, 1), today)
    rows = (ActivityChild.objects.filter(child_id__in=children, occurred_on__range=year)
            .filter(Q(activity__volunteer_id__in=volunteers) | Q(activity__co_volunteers__in=volunteers))
            .values_list("child_id", "occurred_on", "activity__kind", "activity__volunteer_id",
                         "activity__co_volunteers", "activity_id"))
    seen: dict[tuple[int, int], dict] = defaultdict(dict)  # (child, volunteer) → {activity id: (day, kind)}
    for child_id, day, kind, recorder, co, activity_id in rows:
        for volunteer in {recorder, co} & volunteers:
            seen[child_id, volunteer][activity_id] = (day, kind)
    fulfilled: dict[int, list[date]] = defaultdict(list)
    for child_id, day in (Need.objects.filter(child_id__in=children, status=NeedStatus.FULFILLED,
                                              fulfilled_on__range=year).values_list("child_id", "fulfilled_on")):
        fulfilled[child_id].append(day)
    out = {}
    for pairing in running:
        progress = progress_of(pairing, plans.plan_for(pairing.child.region_id), today=today,
                               activities=list(seen.get((pairing.child_id, pairing.volunteer_id), {}).values()),
                               fulfilled=fulfilled.get(pairing.child_id, []))
        if progress is not None:
            out[pairing.pk] = progress
    return out


def attach_commitments(pairings: Sequence[Pairing], *, today: date) -> Sequence[Pairing]:
    """Set ``commitments`` (a Progress, or None) on each of ``pairings``: :func:`commitments_for`."""
    progress = commitments_for(pairings, today=today)
    for pairing in pairings:
        pairing.commitments = progress.get(pairing.pk)
    return pairings


# --- setting a region's plan ----------------------------------------------------------------------

@dataclass(frozen=True)
class RuleData:
    enabled: bool
    target: int = 1


def _check_admin(actor: User, region: Region) -> None:
    if not actor.is_active or not actor.is_region_admin:
        raise PermissionDenied(_("Only administrators set a region's commitments."))
    if not Region.objects.manageable_by(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": _("%(region)s is outside your area.") % {"region": region.name}})


def _whole(value, low: int, high: int, field_name: str, label: str, errors: dict) -> int | None:
    try:
        if isinstance(value, bool):
            raise TypeError
        number = value if isinstance(value, int) else int(str(value).strip())
    except (TypeError, ValueError):
        errors[field_name] = _("%(field)s: enter a whole number.") % {"field": label}
        return None
    if not low <= number <= high:
        errors[field_name] = _("%(field)s: enter a number between %(min)s and %(max)s.") % {
            "field": label, "min": low, "max": high}
        return None
    return number


def _check_occasions(occasions: Sequence[OccasionRule], errors: dict) -> list[OccasionRule]:
    clean: list[OccasionRule] = []
    days: set[tuple[int, int]] = set()
    if len(occasions) > MAX_OCCASIONS:
        errors["occasions"] = _("At most %(n)s occasions.") % {"n": MAX_OCCASIONS}
        return clean
    for index, occasion in enumerate(occasions):
        prefix = f"occasion_{index}_"
        name = (occasion.name or "").strip()
        if not name:
            errors[prefix + "name"] = _("Occasion: enter its name.")
        elif len(name) > 20:
            errors[prefix + "name"] = _("Occasion: at most 20 characters.")
        month = _whole(occasion.month, 1, 12, prefix + "month", _("Month"), errors)
        day = _whole(occasion.day, 1, 31, prefix + "day", _("Day"), errors)
        remind = _whole(occasion.remind_days_before, 0, MAX_REMIND_DAYS, prefix + "remind_days_before",
                        _("Remind days before"), errors)
        window = _whole(occasion.window_days, 0, MAX_WINDOW_DAYS, prefix + "window_days",
                        _("Days either side that count"), errors)
        if month is not None and day is not None:
            try:
                date(LEAP_YEAR, month, day)
            except ValueError:
                errors[prefix + "day"] = _("Day: %(month)s/%(day)s is not a date (month %(month)s has no day "
                                           "%(day)s).") % {"month": month, "day": day}
                continue
            if (month, day) in days:
                errors[prefix + "day"] = _("Day: another occasion is already on %(month)s/%(day)s.") % {
                    "month": month, "day": day}
            days.add((month, day))
        if name and None not in (month, day, remind, window):
            clean.append(OccasionRule(name, month, day, remind, window))
    return clean


def _snapshot(plan: CommitmentPlan | None) -> dict | None:
    if plan is None:
        return None
    return {"birthday_remind_days": plan.birthday_remind_days, "birthday_window_days": plan.birthday_window_days,
            "rules": {r.kind: {"enabled": r.enabled, "target": r.target} for r in plan.rules.order_by("kind")},
            "occasions": [{"name": o.name, "on": f"{o.month:02d}-{o.day:02d}", "remind_days_before": o.remind_days_before,
                           "window_days": o.window_days} for o in plan.occasions.all()]}


@transaction.atomic
def commitment_plan_set(*, actor: User, region: Region, rules: dict[str, RuleData], birthday_remind_days: int,
                        birthday_window_days: int, occasions: Sequence[OccasionRule]) -> CommitmentPlan:
    """Give ``region`` (in the administrator's subtree) its own commitments: every kind's rule (a kind
    left out keeps the default target, enabled), the birthday's reminder and window, and the occasions
    (they replace the region's own). Regions below follow it unless they set their own. Audited.
    Errors are keyed ``<kind>_target``, ``birthday_*`` and ``occasion_<index>_<field>``; nothing is
    stored then."""
    _check_admin(actor, region)
    errors: dict[str, str] = {}
    clean_rules: dict[str, RuleData] = {}
    for kind, rule in rules.items():
        if kind not in CommitmentKind.values:
            errors["rules"] = _("Unknown commitment “%(value)s”.") % {"value": kind}
            continue
        if kind in MAX_TARGET:
            target = _whole(rule.target, 1, MAX_TARGET[kind], f"{kind}_target", kind_label(kind), errors)
        else:
            target = 1
        if target is not None:
            clean_rules[kind] = RuleData(enabled=bool(rule.enabled), target=target)
    remind = _whole(birthday_remind_days, 0, MAX_REMIND_DAYS, "birthday_remind_days",
                    _("Birthday: remind days before"), errors)
    window = _whole(birthday_window_days, 0, MAX_WINDOW_DAYS, "birthday_window_days",
                    _("Birthday: days either side that count"), errors)
    clean_occasions = _check_occasions(occasions, errors)
    if errors:
        raise ValidationError(errors)
    plan = CommitmentPlan.objects.select_for_update().filter(region=region).first()
    before = _snapshot(plan)
    if plan is None:
        plan = CommitmentPlan(region=region)
    plan.birthday_remind_days, plan.birthday_window_days, plan.updated_by = remind, window, actor
    plan.save()
    plan.rules.all().delete()
    CommitmentRule.objects.bulk_create([
        CommitmentRule(plan=plan, kind=kind, enabled=clean_rules[kind].enabled if kind in clean_rules else True,
                       target=clean_rules[kind].target if kind in clean_rules else DEFAULT_TARGETS[kind])
        for kind in CommitmentKind.values])
    plan.occasions.all().delete()
    Occasion.objects.bulk_create([Occasion(plan=plan, name=o.name, month=o.month, day=o.day,
                                           remind_days_before=o.remind_days_before, window_days=o.window_days)
                                  for o in clean_occasions])
    audit_record(actor=actor, action=AuditAction.CREATE if before is None else AuditAction.UPDATE, target=plan,
                 target_label=_("Commitments of %(region)s") % {"region": region.name}, region_code=region.code,
                 detail={"before": before, "after": _snapshot(plan)})
    return plan


@transaction.atomic
def commitment_plan_clear(*, actor: User, region: Region) -> bool:
    """Remove ``region``'s own plan: it follows its nearest ancestor's (or the defaults) again. Audited."""
    _check_admin(actor, region)
    plan = CommitmentPlan.objects.select_for_update().filter(region=region).first()
    if plan is None:
        return False
    before = _snapshot(plan)
    plan.delete()
    audit_record(actor=actor, action=AuditAction.UPDATE, target_type="pairing.commitmentplan",
                 target_id=region.code, target_label=_("Commitments of %(region)s") % {"region": region.name},
                 region_code=region.code, detail={"before": before, "after": None})
    return True
