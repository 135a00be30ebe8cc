"""Seeding step for pairings (``seed_demo``): :func:`seed_pairings`.

Within every township the children are paired with the caring mothers who pair there, nearest
first (same village), in the three shapes of the practice: 一对一 (a mother leading one child),
一对多 (a "1+3" mother leading three) and 多对一 (a lead with one or two helpers). About 92% of the
active children end up with a lead, so the unpaired list has entries: children registered in the
last weeks, some whose mother left recently, a few nobody took yet. History is kept as the
services keep it: pairings ended because the mother left (on the day she left), because the child
was reassigned (the new lead starts that day), because the child exited (every pairing of the
child, on the exit date) and a few helpers who stopped.

The rules of ``pairing.services.pairing_create`` hold for every row: a pairing starts neither
before the child entered nor before the mother joined, nor while the child was suspended or
after it exited; one active lead per child; a helper only beside a lead; and a mother never
leads more children than her capacity — not just today but at every date, because all her lead
pairings, past and present, together stay within it. The demo login's mother leads two children
(a red and a yellow card) and helps with a third (green).

:class:`PairingPlan` records go to ``ctx.extra["pairings"]`` (township code → plans) for the
activity step, and the name of each child's lead to ``ctx.extra["lead_names"]`` for the needs.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from children.models import ExitReason, Status
from demo.children import GREEN, RED, YELLOW, ChildPlan, between, staff_by_county
from demo.context import SeedContext
from demo.volunteers import VolunteerPlan
from pairing.models import EndReason, Pairing, PairingRole

LEAD, HELPER = PairingRole.LEAD.value, PairingRole.HELPER.value
REASSIGN_NOTES = ("因工作安排调整，改由其他爱心妈妈结对", "孩子转学，改由就近的爱心妈妈结对", "根据孩子需求调整结对")
HELPER_STOP_NOTES = ("工作繁忙，不再协助", "调往外地工作")
# How many children an active mother is meant to lead (capped by her capacity): 0 (helps only), 1, 2, 3 ("1+3").
LEAD_TARGETS, LEAD_TARGET_WEIGHTS = (0, 1, 2, 3), (18, 45, 20, 17)
HELPFUL_SKILLS = {"psychological", "tutoring", "legal", "health"}


@dataclass(slots=True)
class PairingPlan:
    child: ChildPlan
    volunteer: VolunteerPlan
    role: str
    started_on: date
    ended_on: date | None = None
    end_reason: str = ""
    end_note: str = ""

    def covers(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


def _latest_start(child: ChildPlan, today: date) -> date:
    """The last day a pairing of this child could begin: before it was suspended or exited."""
    return child.suspended_on or child.exited_on or today


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


class _Township:
    """The pairing of one township's children with its mothers."""

    def __init__(self, rng: random.Random, today: date, kids: list[ChildPlan], pool: list[VolunteerPlan]):
        self.rng, self.today, self.kids = rng, today, kids
        self.active = [v for v in pool if v.left_on is None]
        self.inactive = [v for v in pool if v.left_on is not None]
        self.demo = next((v for v in self.active if v.is_demo), None)
        self.leads_ever: Counter = Counter()  # lead pairings per mother, past and present (index in pool)
        self.out: list[PairingPlan] = []
        self.final: dict[int, VolunteerPlan] = {}  # child index → her lead at the end
        self.switch: dict[int, date] = {}  # child index → the day the final lead took over

    def run(self) -> list[PairingPlan]:
        self._final_leads()
        self._leaving_mothers()
        self._reassignments()
        self._final_pairings()
        self._helpers()
        return self.out

    def _room(self, v: VolunteerPlan) -> int:
        return v.capacity - self.leads_ever[id(v)]

    def _final_leads(self) -> None:
        rng, today = self.rng, self.today
        targets = {id(v): min(v.capacity, rng.choices(LEAD_TARGETS, weights=LEAD_TARGET_WEIGHTS)[0])
                   for v in self.active}
        if self.demo is not None:
            targets[id(self.demo)] = 2
        order = sorted(range(len(self.kids)), key=lambda i: (not self.kids[i].pinned, rng.random()))
        for i in order:
            child = self.kids[i]
            if child.pinned:
                if child.color in (RED, YELLOW) and self.demo is not None:
                    self._take(i, self.demo)
                    continue
            elif not self._wants_lead(child):
                continue
            latest = _latest_start(child, today) - timedelta(days=5)
            fits = [v for v in self.active if v is not self.demo and v.joined_on <= latest]
            planned = [v for v in fits if self.leads_ever[id(v)] < targets[id(v)]]
            spare = planned or [v for v in fits if self._room(v) > 0]
            near = [v for v in spare if v.region_id == child.region_id]
            if spare:
                self._take(i, rng.choice(near or spare))

    def _wants_lead(self, child: ChildPlan) -> bool:
        roll = self.rng.random()
        if child.status == Status.EXITED:
            return roll < 0.85
        if child.status == Status.SUSPENDED:
            return roll < 0.9
        return roll >= (0.8 if (self.today - child.entered_on).days < 40 else 0.065)

    def _take(self, i: int, v: VolunteerPlan) -> None:
        self.final[i] = v
        self.leads_ever[id(v)] += 1

    def _drop(self, i: int) -> None:
        self.leads_ever[id(self.final.pop(i))] -= 1

    def _leaving_mothers(self) -> None:
        """Each mother who left led one or two children until the day she left."""
        rng, today = self.rng, self.today
        taken: set[int] = set()
        for v in self.inactive:
            left = v.left_on
            candidates = [i for i, c in enumerate(self.kids)
                          if not c.pinned and i not in taken and c.entered_on <= left - timedelta(days=40)
                          and _latest_start(c, today) > left + timedelta(days=1)]
            for i in rng.sample(candidates, min(len(candidates), rng.randint(1, min(2, v.capacity)))):
                child = self.kids[i]
                start = max(child.entered_on + _days(rng, 5, 40), v.joined_on + _days(rng, 0, 20))
                if start >= left - timedelta(days=10):
                    continue
                taken.add(i)
                self.leads_ever[id(v)] += 1
                self.out.append(PairingPlan(child, v, LEAD, start, left, EndReason.VOLUNTEER_LEFT))
                self.switch[i] = left + _days(rng, 0, 20)
                if i in self.final and child.status == Status.ACTIVE and (today - left).days < 90 \
                        and rng.random() < 0.45:
                    self._drop(i)  # waiting for a new lead: on the unpaired list

    def _reassignments(self) -> None:
        """About one lead in fifteen took over from another mother who still volunteers."""
        rng, today = self.rng, self.today
        used_once: set[int] = set()
        for i, lead in list(self.final.items()):
            child = self.kids[i]
            if i in self.switch or child.pinned or rng.random() >= 0.07:
                continue
            others = [v for v in self.active if v is not lead and v is not self.demo and self._room(v) > 0
                      and id(v) not in used_once]
            if not others:
                continue
            before = rng.choice(others)
            start = max(child.entered_on + _days(rng, 5, 40), before.joined_on + _days(rng, 0, 20))
            low = max(start + timedelta(days=60), lead.joined_on + timedelta(days=1))
            high = min(_latest_start(child, today), today) - timedelta(days=30)
            if low > high:
                continue
            handover = between(rng, low, high)
            used_once.add(id(before))
            self.leads_ever[id(before)] += 1
            self.out.append(PairingPlan(child, before, LEAD, start, handover, EndReason.REASSIGNED,
                                        rng.choice(REASSIGN_NOTES)))
            self.switch[i] = handover

    def _final_pairings(self) -> None:
        rng, today = self.rng, self.today
        self.lead_rows: dict[int, PairingPlan] = {}
        for i, lead in sorted(self.final.items()):
            child = self.kids[i]
            if child.pinned and lead is self.demo:
                start = today - _days(rng, 250, 300)
            elif i in self.switch:
                start = max(self.switch[i], lead.joined_on)
            else:
                start = max(child.entered_on + _days(rng, 5, 45), lead.joined_on + _days(rng, 0, 20))
            if start > _latest_start(child, today):
                self._drop(i)
                continue
            row = PairingPlan(child, lead, LEAD, start)
            if child.exited_on:
                row.ended_on, row.end_reason = child.exited_on, EndReason.CHILD_EXITED
            self.out.append(row)
            self.lead_rows[i] = row

    def _helpers(self) -> None:
        """多对一: a quarter of the led children get one or two helpers (never their lead or a past lead)."""
        rng, today = self.rng, self.today
        helping: Counter = Counter()
        partners: dict[int, set[int]] = {}
        for row in self.out:
            partners.setdefault(id(row.child), set()).add(id(row.volunteer))
        for i, lead_row in sorted(self.lead_rows.items()):
            child = self.kids[i]
            if child.pinned:
                helpers = [self.demo] if child.color == GREEN and self.demo is not None else []
            elif rng.random() < 0.25:
                latest = _latest_start(child, today)
                fits = [v for v in self.active if id(v) not in partners[id(child)] and helping[id(v)] < 2
                        and v is not self.demo and v.joined_on <= latest]
                free = [v for v in fits if self.leads_ever[id(v)] == 0 or HELPFUL_SKILLS & set(v.skills)]
                pool = free or fits
                helpers = rng.sample(pool, min(len(pool), 1 if rng.random() < 0.7 else 2))
            else:
                continue
            for helper in helpers:
                start = max(lead_row.started_on, helper.joined_on) + _days(rng, 0, 60)
                if start > min(_latest_start(child, today), today):
                    continue
                row = PairingPlan(child, helper, HELPER, start)
                if child.exited_on:
                    row.ended_on, row.end_reason = child.exited_on, EndReason.CHILD_EXITED
                elif not helper.is_demo and rng.random() < 0.05 and (today - start).days > 60:
                    row.ended_on = between(rng, start + timedelta(days=30), today - timedelta(days=1))
                    row.end_reason, row.end_note = EndReason.OTHER, rng.choice(HELPER_STOP_NOTES)
                helping[id(helper)] += 1
                partners[id(child)].add(id(helper))
                self.out.append(row)


def seed_pairings(ctx: SeedContext) -> dict[str, int]:
    children: dict[str, list[ChildPlan]] = ctx.extra["children"]
    volunteers: dict[str, list[VolunteerPlan]] = ctx.extra["volunteers"]
    staff = staff_by_county(ctx)
    plans: dict[str, list[PairingPlan]] = {}
    lead_names: dict[int, str] = {}
    writer = ctx.bulk.writer(Pairing)
    townships = sorted(children)
    bar = ctx.progress(len(townships))
    for township_code in townships:
        rng = random.Random(f"{ctx.seed}:pairings:{township_code}")
        township_plans = _Township(rng, ctx.today, children[township_code], volunteers.get(township_code, [])).run()
        plans[township_code] = township_plans
        for plan in township_plans:
            if plan.role == LEAD:
                lead_names[plan.child.id] = plan.volunteer.name  # the final lead comes last
            actor = staff.get(plan.child.county_id)
            aged_out = plan.end_reason == EndReason.CHILD_EXITED and plan.child.exit_reason == ExitReason.AGED_OUT
            writer.add_instance(Pairing(child_id=plan.child.id, volunteer_id=plan.volunteer.id, role=plan.role,
                                started_on=plan.started_on, ended_on=plan.ended_on, end_reason=plan.end_reason,
                                end_note=plan.end_note, created_by_id=actor,
                                ended_by_id=None if plan.ended_on is None or aged_out else actor))
        bar.advance()
    writer.flush()
    bar.close()
    ctx.extra["pairings"] = plans
    ctx.extra["lead_names"] = lead_names
    return {_("pairings"): writer.count}
