"""Seeding step for care activities (``seed_demo``): :func:`seed_activities`.

A year of care (the last 365 days up to today) for every pairing, about 16 activities a child:

- each lead keeps in touch at the rhythm the child's colour asks for *on that day* (red about
  every 10 days, yellow 14, green 21, not yet assessed 23), each mother more or less diligent
  than that (a few let a month or more pass, so 月月有活动 is measured, not perfect); each helper a few times a year, in her own field (counselling, tutoring,
  legal or health help). Home visits and calls are the most common; material aid carries a value
  (50–800 yuan), everything else mostly none. After a child was suspended only calls remain;
- a mother leading several children now and then takes them out together (reading, study trips);
- every township holds three to five group activities (春节 and 中秋 visits with gift packs, 六一,
  红色研学, 防溺水 classes, 读书会) with several mothers and the children they care for; 人次 counts
  the children, the mothers and the guardians who came;
- now and then a visit is flagged for follow-up, which opens a need, as ``activity_record`` does.

Every row satisfies ``activities.services.activity_record``: never in the future, never before
the pairing began or after it ended, only by the child's lead or helper of that day (a group
activity: each child is cared for by one of the mothers taking part), after an exit never; the
activity's region and each ``ActivityChild`` row's region are the child's region on that day;
``content_digest`` is computed by ``activities.services.content_digest``. Rows are built as tuples
(no model instance per row) and written in batches township by township through
:mod:`demo.copywriter` (COPY on PostgreSQL), so memory stays bounded at province scale (≈1,800,000
activities).
"""

import calendar
import random
import uuid
from bisect import bisect_right
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.utils.translation import gettext as _

from accounts.models import Region
from activities.models import Activity, ActivityChild, ActivityKind, CareService
from activities.services import content_digest
from children.models import Need, NeedKind, NeedStatus
from demo.children import GREEN, RED, UNASSESSED, YELLOW, ChildPlan, staff_by_county, stem
from demo.context import SeedContext
from demo.pairing import LEAD, PairingPlan
from demo.volunteers import VolunteerPlan

WINDOW_DAYS = 365
# Contacts a year a lead makes, by the child's colour that day; helpers make a few.
LEAD_RATE = {RED: 38.0, YELLOW: 26.0, GREEN: 17.0, UNASSESSED: 16.0}
HELPER_RATE = 4.5
JOINT_RATE = 2.0  # outings and reading with all the children a mother leads
ZERO = Decimal("0.00")

K = ActivityKind
S = CareService
LEAD_KINDS = ((K.HOME_VISIT, 40), (K.CALL, 31), (K.TUTORING, 7), (K.COUNSELLING, 3), (K.MATERIAL_AID, 6),
              (K.SAFETY_EDUCATION, 4), (K.READING, 4), (K.FESTIVAL, 3), (K.LETTER, 2), (K.TEACHER_CONTACT, 3),
              (K.OTHER, 2))
# Skills make some kinds likelier (a teacher tutors, a counsellor counsels).
SKILL_BOOST = {"tutoring": K.TUTORING, "psychological": K.COUNSELLING, "safety": K.SAFETY_EDUCATION,
               "legal": K.OTHER, "health": K.OTHER}
HELPER_KINDS = {"psychological": K.COUNSELLING, "tutoring": K.TUTORING, "legal": K.OTHER, "health": K.OTHER,
                "family_education": K.HOME_VISIT, "safety": K.SAFETY_EDUCATION}
DURATIONS = {K.HOME_VISIT: (30, 120), K.CALL: (5, 30), K.TUTORING: (60, 120), K.COUNSELLING: (40, 90),
             K.MATERIAL_AID: (20, 60), K.SAFETY_EDUCATION: (30, 60), K.READING: (30, 90), K.OUTING: (120, 480),
             K.FESTIVAL: (60, 180), K.LETTER: (20, 60), K.TEACHER_CONTACT: (10, 30), K.OTHER: (30, 90)}
PLACES = {
    K.HOME_VISIT: ("孩子家中",), K.CALL: ("电话", "电话", "微信视频"),
    K.TUTORING: ("孩子家中", "{village}儿童之家", "爱心妈妈工作站"),
    K.COUNSELLING: ("爱心妈妈工作站", "孩子家中", "学校心理咨询室"), K.MATERIAL_AID: ("孩子家中",),
    K.SAFETY_EDUCATION: ("孩子家中", "{village}儿童之家"), K.READING: ("{village}儿童之家", "孩子家中", "{county}图书馆"),
    K.OUTING: ("{county}科技馆", "{county}博物馆", "{county}人民公园"), K.FESTIVAL: ("孩子家中",),
    K.LETTER: ("爱心妈妈工作站", "家中"), K.TEACHER_CONTACT: ("{village}小学", "电话"),
    K.OTHER: ("孩子家中", "爱心妈妈工作站"),
}
NOTES = {
    K.HOME_VISIT: ("入户走访，和{guardian}聊了孩子近期的学习和生活情况", "检查了孩子的作业，叮嘱按时休息",
                   "孩子期中考试有进步，鼓励继续努力", "帮孩子整理了书桌，聊了学校里的趣事",
                   "了解到孩子最近情绪不太好，陪他聊了很久", "和孩子一起做饭，教她注意用火用电安全",
                   "天气转凉，提醒{guardian}给孩子添衣", "陪孩子做游戏、谈理想，孩子话比以前多了"),
    K.CALL: ("电话询问孩子近况，一切正常", "视频通话，孩子说这周在学校得了小红花", "电话提醒假期注意防溺水",
             "和{guardian}通话，了解孩子身体情况", "孩子想爸爸妈妈了，陪她聊了半小时", "电话询问期末考试准备情况"),
    K.TUTORING: ("辅导数学作业，讲解了分数应用题", "辅导语文阅读理解和作文", "辅导英语单词和听力",
                 "检查暑假作业完成情况", "讲解了物理浮力的知识点"),
    K.COUNSELLING: ("进行了一次心理疏导，孩子愿意说出心里话了", "针对孩子的考试焦虑做了放松训练",
                    "和孩子聊了与同学相处的烦恼", "青春期心理健康谈心"),
    K.MATERIAL_AID: ("送去冬衣一件、书包一个、文具一套", "送去米面油等生活物资", "送去一套课外读物和学习用品",
                     "为孩子购买了一双运动鞋", "送去一台护眼台灯"),
    K.SAFETY_EDUCATION: ("讲解防溺水“六不”常识", "讲解交通安全和防拐骗知识", "教孩子安全用电和燃气",
                         "开展防性侵安全教育"),
    K.READING: ("和孩子一起读了《草房子》", "亲子共读绘本，孩子讲了自己的读后感", "一起读了《西游记》的两个章节"),
    K.OUTING: ("带孩子们去看展览，孩子们很开心", "一起去公园放风筝", "参观科技馆，体验了科普小实验"),
    K.FESTIVAL: ("节日上门慰问，送去节日礼物", "和孩子一起包饺子过节", "给孩子过了一个生日，送去蛋糕"),
    K.LETTER: ("给孩子写了一封爱心家书，鼓励她好好学习", "回复了孩子的来信，聊了新学期的打算"),
    K.TEACHER_CONTACT: ("和班主任沟通了孩子在校的学习情况", "联系班主任，了解孩子期中考试和在校表现"),
    K.OTHER: ("陪孩子去医院复查视力", "为{guardian}讲解监护相关法律问题", "陪孩子参加学校家长会"),
}
FOLLOW_UPS = ("{guardian}反映孩子近期视力下降，需要配眼镜", "孩子冬衣不够，需要帮助解决", "孩子学习跟不上，需要课业辅导",
              "{guardian}身体不好，孩子照料存在困难，需要关注", "孩子情绪低落，建议安排心理疏导")
GUARDIAN_WORDS = ("奶奶", "爷爷", "姥姥", "孩子妈妈", "监护人")
# Lunar festivals by year (春节, 中秋); activities dated around them.
SPRING_FESTIVAL = {2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
                   2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
                   2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}
MID_AUTUMN = {2023: date(2023, 9, 29), 2024: date(2024, 9, 17), 2025: date(2025, 10, 6), 2026: date(2026, 9, 25),
              2027: date(2027, 9, 15), 2028: date(2028, 10, 3), 2029: date(2029, 9, 22), 2030: date(2030, 9, 12)}
RED_SITES = ("{county}红色教育基地", "晋绥边区革命纪念馆", "刘胡兰纪念馆", "{city}博物馆")
# (title, kind, services, place, gift value per child (low, high))
GROUP_EVENTS = {
    "spring": ("“新春送温暖”爱心妈妈集体慰问活动", K.FESTIVAL, [S.EMOTIONAL, S.MATERIAL], "{township}妇女之家", (80, 200)),
    "children_day": ("“爱心妈妈陪你过六一”主题活动", K.FESTIVAL, [S.EMOTIONAL, S.MATERIAL], "{township}中心校", (50, 120)),
    "red_tour": ("“童心向党”红色研学", K.OUTING, [S.GUIDANCE, S.EMOTIONAL], "", (0, 0)),
    "drowning": ("暑期防溺水安全教育课", K.SAFETY_EDUCATION, [S.SAFETY], "{township}中心校", (0, 0)),
    "mid_autumn": ("“月圆情浓”中秋手工月饼活动", K.FESTIVAL, [S.EMOTIONAL, S.MATERIAL], "{township}妇女之家", (30, 80)),
    "reading": ("“书香润童心”亲子阅读会", K.READING, [S.TUTORING, S.EMOTIONAL], "{county}图书馆", (0, 0)),
    "science": ("“科技点亮梦想”研学之旅", K.OUTING, [S.GUIDANCE], "{city}科技馆", (0, 0)),
}


def _event_days(rng: random.Random, first: date, today: date) -> list[tuple[str, date]]:
    """When each kind of group activity could fall within the window."""
    out = []
    for year in range(first.year, today.year + 1):
        candidates = [("children_day", date(year, 5, 28) + timedelta(days=rng.randint(0, 4))),
                      ("red_tour", date(year, 7, 10) + timedelta(days=rng.randint(0, 40))),
                      ("drowning", date(year, 6, 20) + timedelta(days=rng.randint(0, 20))),
                      ("reading", date(year, 4, 20) + timedelta(days=rng.randint(0, 6))),
                      ("science", date(year, 10, 2) + timedelta(days=rng.randint(0, 30)))]
        if year in SPRING_FESTIVAL:
            candidates.append(("spring", SPRING_FESTIVAL[year] - timedelta(days=rng.randint(3, 12))))
        if year in MID_AUTUMN:
            candidates.append(("mid_autumn", MID_AUTUMN[year] - timedelta(days=rng.randint(1, 5))))
        out += [(key, day) for key, day in candidates if first <= day <= today]
    return out


def _near_festival(day: date) -> bool:
    festivals = [SPRING_FESTIVAL.get(day.year), MID_AUTUMN.get(day.year), date(day.year, 6, 1)]
    return any(f is not None and abs((day - f).days) <= 10 for f in festivals)


class _KindChooser:
    """Weighted kinds for a mother, with her skills' kinds boosted (cached per set of skills)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, ...], tuple[list, list]] = {}

    def lead(self, rng: random.Random, skills: tuple[str, ...]) -> str:
        if skills not in self._cache:
            weights = dict(LEAD_KINDS)
            for skill in skills:
                if skill in SKILL_BOOST:
                    weights[SKILL_BOOST[skill]] += 4
            kinds = list(weights)
            self._cache[skills] = (kinds, list(accumulate(weights.values())))
        kinds, cum = self._cache[skills]
        return kinds[bisect_right(cum, rng.random() * cum[-1])]


ACTIVITY_COLUMNS = (
    "id", "volunteer_id", "region_id", "occurred_on", "kind", "services", "is_group", "title", "duration_minutes",
    "place", "participants", "aid_value_yuan", "notes", "follow_up", "created_by_id", "content_digest")


class _Batch:
    """The writers of activities and the rows that point at them (see :mod:`demo.copywriter`)."""

    def __init__(self, ctx: SeedContext) -> None:
        self.activities = ctx.bulk.writer(Activity, ACTIVITY_COLUMNS)
        self.links = ctx.bulk.writer(ActivityChild, ("activity_id", "child_id", "occurred_on", "region_id"))
        self.co = ctx.bulk.writer(Activity.co_volunteers.through, ("activity_id", "volunteer_id"))
        self.needs = ctx.bulk.writer(Need)

    def flush(self) -> None:
        for writer in (self.activities, self.links, self.co, self.needs):
            writer.flush()


class _Recorder:
    """Builds rows the way ``activity_record`` stores them."""

    def __init__(self, ctx: SeedContext, batch: _Batch, names: dict[str, str]) -> None:
        self.ctx, self.batch, self.names = ctx, batch, names
        self.stems = {code: stem(name) for code, name in names.items()}
        self.staff = staff_by_county(ctx)
        self.kinds = _KindChooser()
        # The first 48 bits count milliseconds from the run's day, as a UUIDv7's timestamp would.
        self.sequence = calendar.timegm(ctx.today.timetuple()) * 1000

    def _next_id(self, rng: random.Random) -> uuid.UUID:
        """A version-4 UUID whose first 48 bits count up (like a UUIDv7's timestamp), so the primary
        key index grows at its right edge while two million rows go in; the rest is random."""
        self.sequence += 1
        return uuid.UUID(int=(self.sequence << 80) | rng.getrandbits(80), version=4)

    def record(self, rng: random.Random, *, volunteer: VolunteerPlan, children: list[ChildPlan], day: date,
               kind: str, services: list[str], duration: int | None, place: str, notes: str,
               participants: int | None = None, aid: Decimal = ZERO, is_group: bool = False, title: str = "",
               co_volunteers: list[VolunteerPlan] = (), follow_up: bool = False) -> None:
        # The service reads the children in the ledger's order (region, name, id): the first one's
        # region is the activity's (a group across regions counts in the organiser's).
        rows = [(c.region_on(day), c.name, c.id, c) for c in children]
        if len(rows) > 1:
            rows.sort(key=lambda r: r[:3])
        participants = participants if participants is not None else len(children)
        co_ids = sorted(v.id for v in co_volunteers)
        regions = {r[0] for r in rows}
        region_id = volunteer.region_id if is_group and len(regions) > 1 else rows[0][0]
        activity_id = self._next_id(rng)
        created_by = volunteer.user_id or self.staff.get(children[0].county_id)
        aid = aid.quantize(Decimal("0.01"))
        digest = content_digest(
            volunteer_id=volunteer.id, children=[r[2] for r in rows], occurred_on=day, kind=kind, services=services,
            is_group=is_group, title=title, duration_minutes=duration, place=place, participants=participants,
            aid_value_yuan=aid, notes=notes, follow_up=follow_up, co_volunteers=co_ids)
        batch = self.batch
        batch.activities.add(activity_id, volunteer.id, region_id, day, kind, services, is_group, title, duration,
                             place, participants, aid, notes, follow_up, created_by, digest)
        for region, _name, child_id, _c in rows:
            batch.links.add(activity_id, child_id, day, region)
        for volunteer_id in co_ids:
            batch.co.add(activity_id, volunteer_id)
        if follow_up:
            for child in children:
                batch.needs.add_instance(_follow_up_need(rng, self.ctx, child, volunteer, notes, day, created_by))

    def visit(self, rng: random.Random, *, volunteer: VolunteerPlan, children: list[ChildPlan], day: date,
              kind: str) -> None:
        """One activity of a mother with one (or, for an outing, several) of her children."""
        child = children[0]
        guardian = rng.choice(GUARDIAN_WORDS)
        village = self.stems.get(child.region_on(day), "村")
        county = self.names.get(child.county_id, "")
        if kind == K.FESTIVAL and not _near_festival(day):
            kind = K.HOME_VISIT
        services = _services(rng, kind, volunteer.skills)
        low, high = DURATIONS[kind]
        duration = None if rng.random() < 0.03 else rng.randrange(low, high + 1, 5)
        place = rng.choice(PLACES[kind]).format(village=village, county=county)
        notes = "" if rng.random() < 0.08 else rng.choice(NOTES[kind]).format(guardian=guardian)
        aid = ZERO
        if kind == K.MATERIAL_AID:
            aid = Decimal(rng.choice((rng.randrange(50, 301, 10), rng.randrange(50, 301, 10), rng.randrange(300, 801, 10))))
        elif kind == K.FESTIVAL and rng.random() < 0.6:
            aid = Decimal(rng.randrange(50, 201, 10))
        follow_up = (len(children) == 1 and kind in (K.HOME_VISIT, K.CALL) and child.status == "active"
                     and rng.random() < 0.006)
        if follow_up:
            notes = rng.choice(FOLLOW_UPS).format(guardian=guardian)
        self.record(rng, volunteer=volunteer, children=children, day=day, kind=kind, services=services,
                    duration=duration, place=place, notes=notes, aid=aid, follow_up=follow_up)


def _services(rng: random.Random, kind: str, skills: tuple[str, ...]) -> list[str]:
    if kind == K.HOME_VISIT:
        out = [S.EMOTIONAL, S.GUIDANCE]
        if rng.random() < 0.2:
            out.append(S.SAFETY)
        if "health" in skills and rng.random() < 0.3:
            out.append(S.HEALTH)
        return out
    if kind == K.CALL:
        return [S.EMOTIONAL, S.GUIDANCE] if rng.random() < 0.4 else [S.EMOTIONAL]
    if kind == K.OTHER:
        return [S.LEGAL] if "legal" in skills else [S.HEALTH] if "health" in skills else [S.GUIDANCE]
    return {
        K.TUTORING: [S.TUTORING], K.COUNSELLING: [S.PSYCHOLOGICAL, S.EMOTIONAL], K.MATERIAL_AID: [S.MATERIAL, S.EMOTIONAL],
        K.SAFETY_EDUCATION: [S.SAFETY], K.READING: [S.TUTORING, S.EMOTIONAL], K.OUTING: [S.GUIDANCE, S.EMOTIONAL],
        K.FESTIVAL: [S.EMOTIONAL, S.MATERIAL], K.LETTER: [S.EMOTIONAL], K.TEACHER_CONTACT: [S.GUIDANCE],
    }[kind]


def _follow_up_need(rng: random.Random, ctx: SeedContext, child: ChildPlan, volunteer: VolunteerPlan, notes: str,
                    day: date, created_by: int | None) -> Need:
    """The need a follow-up flag opens (kind "other", the notes as description); older ones were
    since taken on by the mother and mostly settled."""
    need = Need(child_id=child.id, region_id=child.region_on(day), kind=NeedKind.OTHER, description=notes[:300],
                opened_on=day, created_by_id=created_by)
    if (ctx.today - day).days > 45:
        roll = rng.random()
        if roll < 0.8:
            need.status, need.claimed_on = NeedStatus.CLAIMED, day + timedelta(days=rng.randint(1, 10))
            need.claimed_by_name = f"爱心妈妈{volunteer.name}"
            if roll < 0.55:
                need.status, need.fulfilled_on = NeedStatus.FULFILLED, need.claimed_on + timedelta(days=rng.randint(1, 30))
                need.closed_note = "已解决"
    return need


def _contact_days(rng: random.Random, plan: PairingPlan, low: date, high: date) -> list[date]:
    """Days a mother got in touch with a child between ``low`` and ``high``: a renewal process whose
    mean gap follows the child's colour on the day (leads) or a few times a year (helpers)."""
    child, diligence = plan.child, plan.volunteer.diligence

    def gap(day: date) -> float:
        rate = LEAD_RATE[child.color_on(day)] if plan.role == LEAD else HELPER_RATE
        if child.suspended_on and day >= child.suspended_on:
            rate /= 2  # calls only, and fewer
        return 365.0 / (rate * diligence)

    days = []
    day = low + timedelta(days=int(rng.random() * gap(low)))
    while day <= high:
        days.append(day)
        day += timedelta(days=max(1, round(gap(day) * rng.uniform(0.5, 1.5))))
    return days


def seed_activities(ctx: SeedContext) -> dict[str, int]:
    pairings: dict[str, list[PairingPlan]] = ctx.extra["pairings"]
    region_names = {r.code: r.name for r in (*ctx.counties, *ctx.townships, *ctx.villages)}
    cities = {c.code[:4] + "00000000" for c in ctx.counties}
    region_names.update(dict(Region.objects.filter(code__in=cities).values_list("code", "name")))
    batch = _Batch(ctx)
    recorder = _Recorder(ctx, batch, region_names)
    first = ctx.today - timedelta(days=WINDOW_DAYS - 1)
    townships = sorted(pairings)
    bar = ctx.progress(len(townships))
    for township_code in townships:
        rng = random.Random(f"{ctx.seed}:activities:{township_code}")
        plans = pairings[township_code]
        for plan in plans:
            _pairing_activities(rng, ctx, recorder, plan, first)
        _joint_activities(rng, ctx, recorder, plans, first)
        _group_activities(rng, ctx, recorder, township_code, plans, first, region_names)
        bar.advance()
    batch.flush()
    bar.close()
    return {_("care activities"): batch.activities.count, _("children reached"): batch.links.count,
            _("follow-up needs"): batch.needs.count}


def _pairing_activities(rng: random.Random, ctx: SeedContext, recorder: _Recorder, plan: PairingPlan,
                        first: date) -> None:
    low = max(plan.started_on, first)
    high = min(plan.ended_on or ctx.today, ctx.today)
    if plan.volunteer.is_demo:
        # The demo login's children: a recent visit to the red one, the yellow one overdue.
        high = ctx.today - timedelta(days={RED: 2, YELLOW: 18}.get(plan.child.color, 9))
    if low > high:
        return
    days = _contact_days(rng, plan, low, high)
    if plan.volunteer.is_demo and (not days or days[-1] < high):
        days.append(high)
    child, volunteer = plan.child, plan.volunteer
    for day in days:
        if child.suspended_on and day >= child.suspended_on:
            kind = K.CALL
        elif plan.role == LEAD:
            kind = recorder.kinds.lead(rng, volunteer.skills)
        else:
            helpful = [HELPER_KINDS[s] for s in volunteer.skills if s in HELPER_KINDS]
            kind = rng.choice(helpful + [K.CALL, K.HOME_VISIT]) if helpful else rng.choice((K.CALL, K.HOME_VISIT))
        if kind in (K.OUTING, K.READING) and plan.role != LEAD:
            kind = K.HOME_VISIT
        recorder.visit(rng, volunteer=volunteer, children=[child], day=day, kind=kind)


def _joint_activities(rng: random.Random, ctx: SeedContext, recorder: _Recorder, plans: list[PairingPlan],
                      first: date) -> None:
    """A mother leading several children sometimes takes them out or reads with them together."""
    leads: dict[int, list[PairingPlan]] = defaultdict(list)
    for plan in plans:
        if plan.role == LEAD:
            leads[id(plan.volunteer)].append(plan)
    for group in leads.values():
        if len(group) < 2:
            continue
        volunteer = group[0].volunteer
        day = first + timedelta(days=rng.randint(0, 120))
        while day <= ctx.today:
            together = [p.child for p in group if p.covers(day) and _reachable(p.child, day)]
            if len(together) >= 2:
                recorder.visit(rng, volunteer=volunteer, children=together, day=day,
                               kind=rng.choice((K.READING, K.READING, K.OUTING, K.TUTORING)))
            day += timedelta(days=max(1, round(365 / JOINT_RATE * rng.uniform(0.5, 1.5))))


def _reachable(child: ChildPlan, day: date) -> bool:
    """Neither exited nor suspended on ``day``."""
    if child.suspended_on and day >= child.suspended_on:
        return False
    return child.exited_on is None or day <= child.exited_on


def _group_activities(rng: random.Random, ctx: SeedContext, recorder: _Recorder, township_code: str,
                      plans: list[PairingPlan], first: date, region_names: dict[str, str]) -> None:
    """Three to five township-wide events a year, each with several mothers and the children they care for."""
    events = _event_days(rng, first, ctx.today)
    township = region_names.get(township_code, "")
    for key, day in rng.sample(events, min(len(events), rng.randint(3, 5))):
        title, kind, services, place, (low, high) = GROUP_EVENTS[key]
        leads = sorted({id(p.volunteer): p.volunteer for p in plans if p.role == LEAD and p.covers(day)}.values(),
                       key=lambda v: v.id)
        if len(leads) < 2:
            continue
        mothers = rng.sample(leads, min(len(leads), rng.randint(3, 8)))
        chosen = {id(v) for v in mothers}
        children = list({id(p.child): p.child for p in plans
                         if id(p.volunteer) in chosen and p.covers(day) and _reachable(p.child, day)}.values())[:40]
        if len(children) < 3:
            continue
        county = region_names.get(children[0].county_id, "")
        city = region_names.get(children[0].county_id[:4] + "00000000", "")
        if not place:
            place = rng.choice(RED_SITES)
        place = place.format(township=township, county=county, city=city)
        # Only mothers whose children came count as taking part.
        reached = {id(c) for c in children}
        present = {id(p.volunteer) for p in plans if id(p.child) in reached and p.covers(day)} & chosen
        mothers = [v for v in mothers if id(v) in present]
        guardians = round(len(children) * rng.uniform(0.3, 0.8))
        aid = Decimal(rng.randrange(low, high + 1, 10) * len(children)) if high else ZERO
        recorder.record(
            rng, volunteer=mothers[0], children=children, day=day, kind=kind, services=list(services),
            duration=rng.randrange(240, 481, 30) if kind == K.OUTING else rng.randrange(90, 181, 15), place=place,
            notes=f"{len(mothers)}名爱心妈妈带领{len(children)}名孩子参加，{guardians}名家长陪同", is_group=True,
            title=title, participants=len(children) + len(mothers) + guardians, aid=aid,
            co_volunteers=mothers[1:])
