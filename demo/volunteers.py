"""Seeding step for the volunteer roster (``seed_demo``): :func:`seed_volunteers`.

Per seeded county: a 志愿服务队 for every township and two county-wide ones (离石区 at small scale
thus has twelve teams, as in the 2024 report), 爱心妈妈工作站 at the county, in townships and in
villages; caring mothers of every sector with the skills that go with it, capacities 2–4, living
where the children are (≈0.72–0.8 per child); a few who left, with a dated reason; 2–3 reserve
helpers (预备志愿者) for some; 赋能培训 sessions of the county, the city and the province with their
attendees and 人次; recognitions (礼遇回馈: awards and gift packs). The demo login ``volunteer`` is
linked to a caring mother in her village.

Rows are bulk-inserted with what ``volunteers.services`` would store (status history with the
joining row, ``left_on`` on the leaving one, 人次 at least the attendees). :class:`VolunteerPlan`
records go to ``ctx.extra["volunteers"]`` (township code → the mothers who pair there).
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from accounts.models import Region, RegionLevel, User
from demo import names
from demo.children import LAUNCH, ChildPlan, between, staff_by_county, stem
from demo.context import SeedContext
from demo.scales import SHANXI
from volunteers.models import (
    Recognition,
    RecognitionKind,
    ReserveHelper,
    Sector,
    Skill,
    Team,
    Training,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
    WorkStation,
)

BATCH_SIZE = 5000
DEMO_USERNAME = "volunteer"

SECTOR_WEIGHTS = (
    (Sector.WOMEN_VOLUNTEER, 24), (Sector.TEACHER, 18), (Sector.CADRE, 12), (Sector.PUBLIC_INSTITUTION, 9),
    (Sector.FEDERATION_COMMITTEE, 9), (Sector.MEDICAL, 7), (Sector.ENTERPRISE, 8), (Sector.SOCIAL_ORGANISATION, 4),
    (Sector.COUNSELLING, 3), (Sector.JUDICIAL, 3), (Sector.OTHER, 3),
)
# Sector → (skill, probability): what a teacher, a doctor or a judge brings.
SECTOR_SKILLS = {
    Sector.TEACHER: ((Skill.TUTORING, 0.9), (Skill.FAMILY_EDUCATION, 0.5), (Skill.ARTS_SPORTS, 0.3), (Skill.SAFETY, 0.2)),
    Sector.MEDICAL: ((Skill.HEALTH, 0.95), (Skill.PSYCHOLOGICAL, 0.3), (Skill.SAFETY, 0.2)),
    Sector.COUNSELLING: ((Skill.PSYCHOLOGICAL, 1.0), (Skill.FAMILY_EDUCATION, 0.6)),
    Sector.JUDICIAL: ((Skill.LEGAL, 0.95), (Skill.SAFETY, 0.6)),
    Sector.CADRE: ((Skill.FAMILY_EDUCATION, 0.4), (Skill.SAFETY, 0.4), (Skill.LEGAL, 0.2), (Skill.TUTORING, 0.25)),
    Sector.PUBLIC_INSTITUTION: ((Skill.HEALTH, 0.3), (Skill.TUTORING, 0.3), (Skill.FAMILY_EDUCATION, 0.4)),
    Sector.ENTERPRISE: ((Skill.ARTS_SPORTS, 0.25), (Skill.TUTORING, 0.3), (Skill.FAMILY_EDUCATION, 0.3)),
    Sector.SOCIAL_ORGANISATION: ((Skill.PSYCHOLOGICAL, 0.4), (Skill.FAMILY_EDUCATION, 0.5), (Skill.SAFETY, 0.3)),
    Sector.FEDERATION_COMMITTEE: ((Skill.FAMILY_EDUCATION, 0.6), (Skill.SAFETY, 0.3), (Skill.PSYCHOLOGICAL, 0.2)),
    Sector.WOMEN_VOLUNTEER: ((Skill.FAMILY_EDUCATION, 0.5), (Skill.HERITAGE, 0.15), (Skill.ARTS_SPORTS, 0.2),
                             (Skill.TUTORING, 0.2)),
    Sector.OTHER: ((Skill.HERITAGE, 0.25), (Skill.ARTS_SPORTS, 0.25), (Skill.FAMILY_EDUCATION, 0.3)),
}
FALLBACK_SKILL = {Sector.WOMEN_VOLUNTEER: Skill.FAMILY_EDUCATION, Sector.OTHER: Skill.HERITAGE}
EMPLOYERS = {
    Sector.CADRE: ("{county}人民政府办公室", "{county}民政局", "{county}教育科技局", "{township}人民政府",
                   "{county}卫生健康局", "{county}委组织部", "{county}农业农村局"),
    Sector.PUBLIC_INSTITUTION: ("{county}妇幼保健计划生育服务中心", "{county}图书馆", "{county}融媒体中心",
                                "{county}疾病预防控制中心", "{county}文化馆"),
    Sector.TEACHER: ("{township}中心校", "{county}实验小学", "{county}第二中学", "{county}城东小学", "{township}中学",
                     "{county}第一幼儿园"),
    Sector.MEDICAL: ("{county}人民医院", "{township}卫生院", "{county}中医医院", "{county}妇幼保健院"),
    Sector.COUNSELLING: ("{county}心理咨询服务中心", "{city}心理卫生协会", "{county}阳光心理工作室"),
    Sector.JUDICIAL: ("{county}人民法院", "{county}人民检察院", "{county}公安局", "{county}司法局", "{township}司法所",
                      "山西{stem}律师事务所"),
    Sector.ENTERPRISE: ("山西{stem}煤业有限公司", "{stem}鑫源商贸有限公司", "{stem}红枣加工有限公司",
                        "中国移动{county}分公司", "中国农业银行{county}支行", "{stem}金土地农业科技有限公司"),
    Sector.SOCIAL_ORGANISATION: ("{county}益心社会工作服务中心", "{county}义工联合会", "{county}巾帼志愿者协会"),
    Sector.FEDERATION_COMMITTEE: ("{township}妇联", "{village}妇联", "{county}妇联执委会"),
    Sector.WOMEN_VOLUNTEER: ("{village}村民委员会", "{village}妇女之家", "个体经营", ""),
    Sector.OTHER: ("退休", "个体经营", "自由职业", ""),
}
LEAVE_REASONS = ("工作调动，离开本地", "身体原因，无法继续", "随子女迁居外地", "工作繁忙，申请退出", "家中老人需要照料")
HELPER_SPECIALTIES = ("心理咨询师", "小学教师", "律师", "儿科医生", "护士", "大学生志愿者", "社工", "退休教师",
                      "非遗剪纸传承人", "家庭教育指导师")
TRAININGS = (
    ("爱心妈妈赋能培训：儿童心理健康与情绪疏导", "儿童心理健康"),
    ("爱心妈妈赋能培训：法律知识与儿童权益保护", "法律知识"),
    ("爱心妈妈赋能培训：沟通技巧与家庭教育方法", "沟通技巧与家庭教育"),
    ("“三色卡”分类管理与入户走访规范培训", "走访规范"),
    ("防溺水与儿童安全教育培训", "安全教育"),
    ("爱心妈妈赋能提升培训：困境儿童心理危机识别", "心理危机识别"),
    ("家庭教育指导专题培训", "家庭教育"),
    ("爱心妈妈线上赋能课堂：留守儿童陪伴技巧", "陪伴技巧"),
)
TRAINING_ORGANISERS = ("{county}妇联", "{county}妇联、{county}民政局", "{county}妇联、{county}家庭教育指导服务中心")
# (kind, title, reason, share of the city's mothers receiving it at the yearly 礼遇回馈 event)
RECOGNITIONS = (
    (RecognitionKind.GIFT_PACK, "礼遇回馈爱心礼包", "“三八”节礼遇回馈", 0.08),
    (RecognitionKind.AWARD, "优秀爱心妈妈", "坚持每月走访结对儿童，关爱帮扶成效明显", 0.02),
    (RecognitionKind.OTHER, "免费健康体检", "礼遇回馈：合作医院提供免费体检", 0.02),
)
VOLUNTEER_DAY = (12, 5)  # 国际志愿者日: awards
DAY_AWARDS = (("最美爱心妈妈", "结对关爱事迹突出"), ("巾帼志愿服务先进个人", "长期参与巾帼志愿服务"))


@dataclass(slots=True)
class VolunteerPlan:
    """What later steps need to know about a seeded caring mother."""

    name: str
    region_id: str
    township_id: str  # the township whose children she pairs with
    county_id: str
    joined_on: date
    capacity: int
    skills: tuple[str, ...]
    sector: str
    id: int | None = None
    left_on: date | None = None
    leave_reason: str = ""
    user_id: int | None = None
    diligence: float = 1.0  # how often she gets in touch, relative to the expected rhythm

    @property
    def is_demo(self) -> bool:
        return self.user_id is not None

    def active_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


def _joined_on(rng: random.Random, today: date) -> date:
    """Recruitment came in waves: most answered the 2022 招募令."""
    year = rng.choices((2022, 2023, 2024, 2025, 2026), weights=(45, 25, 15, 10, 5))[0]
    start = LAUNCH if year == 2022 else date(year, 1, 1)
    return between(rng, start, min(date(year, 12, 31), today - timedelta(days=10)))


def _skills(rng: random.Random, sector: str) -> set[str]:
    skills = {skill.value for skill, p in SECTOR_SKILLS[Sector(sector)] if rng.random() < p}
    return skills or {(FALLBACK_SKILL.get(Sector(sector)) or SECTOR_SKILLS[Sector(sector)][0][0]).value}


def _employer(rng: random.Random, sector: str, *, county: Region, city: str, township: str, village: str) -> str:
    pattern = rng.choice(EMPLOYERS[Sector(sector)])
    return pattern.format(county=county.name, city=city, stem=stem(county.name), township=township, village=village)


class _Roster:
    """Teams, stations and mothers of one county, ready to insert."""

    def __init__(self) -> None:
        self.teams: list[Team] = []
        self.stations: list[WorkStation] = []
        self.volunteers: list[tuple[Volunteer, VolunteerPlan]] = []
        self.helpers: list[ReserveHelper] = []


def _county_roster(rng: random.Random, ctx: SeedContext, county: Region, city: str, townships: list[Region],
                   villages_of: dict, children: dict[str, list[ChildPlan]], demo_user: User | None) -> _Roster:
    today = ctx.today
    roster = _Roster()
    county_teams = [Team(name=f"{county.name}爱心妈妈志愿服务队", region_id=county.code,
                         created_on=between(rng, LAUNCH, date(2022, 6, 30)), notes="区县级志愿服务队"),
                    Team(name=f"{county.name}爱心妈妈专业服务队", region_id=county.code,
                         created_on=between(rng, date(2022, 6, 1), date(2023, 6, 30)),
                         notes="心理咨询、法律、医疗、教育等专业力量")]
    roster.teams += county_teams
    county_station = WorkStation(
        name=(f"{county.name}城东小学爱心妈妈工作站" if rng.random() < 0.5
              else f"{county.name}家庭教育指导服务中心爱心妈妈工作站"),
        region_id=county.code, address=f"{county.name}{rng.choice(('城东', '城南', '滨河'))}路{rng.randint(1, 200)}号",
        opened_on=between(rng, LAUNCH, date(2023, 12, 31)))
    roster.stations.append(county_station)
    for township in townships:
        kids = children.get(township.code, [])
        team = Team(name=f"{township.name}爱心妈妈志愿服务队", region_id=township.code,
                    created_on=between(rng, LAUNCH, date(2023, 3, 31)))
        roster.teams.append(team)
        station = None
        if rng.random() < 0.5:
            station = WorkStation(name=f"{township.name}妇女之家爱心妈妈工作站", region_id=township.code,
                                  address=f"{township.name}人民政府院内", opened_on=between(rng, LAUNCH, today - timedelta(days=60)))
            roster.stations.append(station)
        villages = villages_of.get(township.code) or [township]
        by_village = Counter(k.region_id for k in kids)
        village_stations = {}
        for village in villages:
            if by_village[village.code] >= 4 and rng.random() < 0.12:
                village_stations[village.code] = WorkStation(
                    name=f"{village.name}儿童之家爱心妈妈工作站", region_id=village.code,
                    address=f"{village.name}村委会", opened_on=between(rng, LAUNCH, today - timedelta(days=60)))
                roster.stations.append(village_stations[village.code])
        weights = [by_village[v.code] + 0.5 for v in villages]
        demo_here = demo_user is not None and demo_user.region_id[:9] == township.code[:9]
        for index in range(max(1, round(len(kids) * ctx.spec.volunteers_per_child))):
            if demo_here and index == 0:
                region = next((v for v in villages if v.code == demo_user.region_id), township)
                volunteer, plan = _demo_mother(ctx, demo_user, region=region, township=township, team=team)
            else:
                sector = rng.choices(*zip(*SECTOR_WEIGHTS, strict=True))[0]
                roll = rng.random()
                if roll < 0.1 or sector in (Sector.CADRE, Sector.JUDICIAL, Sector.COUNSELLING) and roll < 0.5:
                    region = county  # works at the county, pairs with children of this township
                elif roll < 0.25:
                    region = township
                else:
                    region = rng.choices(villages, weights=weights)[0]
                if region is county:
                    team_of = county_teams[1 if sector in (Sector.COUNSELLING, Sector.JUDICIAL, Sector.MEDICAL) else 0]
                    station_of = county_station if rng.random() < 0.3 else None
                else:
                    team_of = team if rng.random() < 0.95 else None
                    station_of = village_stations.get(region.code) or (station if station and rng.random() < 0.5 else None)
                volunteer, plan = _mother(rng, ctx, sector=sector, region=region, county=county, city=city,
                                          township=township, team=team_of, station=station_of)
            roster.volunteers.append((volunteer, plan))
            roster.helpers += _reserve_helpers(rng, ctx, volunteer, plan)
    return roster


def _mother(rng: random.Random, ctx: SeedContext, *, sector: str, region: Region, county: Region, city: str,
            township: Region, team: Team | None, station: WorkStation | None) -> tuple[Volunteer, VolunteerPlan]:
    """A caring mother of that sector: her skills, capacity, work unit, the day she joined and, for
    one in twenty-five, the day she left."""
    today = ctx.today
    skills = _skills(rng, sector)
    capacity = rng.choices((2, 3, 4), weights=(30, 50, 20))[0]
    joined_on = _joined_on(rng, today)
    name = names.volunteer_name(rng)
    village = region.name if region.level == RegionLevel.VILLAGE else township.name
    volunteer = Volunteer(
        name=name, phone=ctx.mobiles.take(), region_id=region.code, sector=sector, team=team, station=station,
        capacity=capacity, joined_on=joined_on,
        employer=_employer(rng, sector, county=county, city=city, township=township.name, village=village),
        **{f"skill_{s}": True for s in skills},
    )
    if rng.random() < 0.04 and joined_on + timedelta(days=180) < today - timedelta(days=5):
        volunteer.status = VolunteerStatus.INACTIVE
        volunteer.left_on = between(rng, joined_on + timedelta(days=180), today - timedelta(days=5))
    plan = VolunteerPlan(name=name, region_id=region.code, township_id=township.code, county_id=county.code,
                         joined_on=joined_on, capacity=capacity, skills=tuple(sorted(skills)), sector=sector,
                         left_on=volunteer.left_on, leave_reason=rng.choice(LEAVE_REASONS) if volunteer.left_on else "",
                         diligence=rng.choice((0.4, 0.7, 0.9, 1.0, 1.0, 1.1, 1.25, 1.45)))
    return volunteer, plan


def _demo_mother(ctx: SeedContext, user: User, *, region: Region, township: Region,
                 team: Team) -> tuple[Volunteer, VolunteerPlan]:
    """The roster row of the demo login ``volunteer``: her name and phone, in her village, capacity 3."""
    skills = (Skill.FAMILY_EDUCATION.value, Skill.TUTORING.value)
    joined_on = ctx.today - timedelta(days=500)
    volunteer = Volunteer(name=user.name, phone=user.phone, region_id=region.code, sector=Sector.WOMEN_VOLUNTEER,
                          team=team, capacity=3, joined_on=joined_on, user_id=user.pk,
                          employer=f"{region.name}妇女之家", **{f"skill_{s}": True for s in skills})
    plan = VolunteerPlan(name=user.name, region_id=region.code, township_id=township.code,
                         county_id=township.code[:6] + "000000", joined_on=joined_on, capacity=3, skills=skills,
                         sector=Sector.WOMEN_VOLUNTEER, user_id=user.pk)
    return volunteer, plan


def seed_volunteers(ctx: SeedContext) -> dict[str, int]:
    children: dict[str, list[ChildPlan]] = ctx.extra["children"]
    staff = staff_by_county(ctx)
    cities, townships_of, villages_of = ctx.city_names(), ctx.townships_of(), ctx.villages_of()
    demo_user = User.objects.filter(username=DEMO_USERNAME).first()
    counts: Counter = Counter()
    plans: dict[str, list[VolunteerPlan]] = defaultdict(list)
    by_county: dict[str, list[VolunteerPlan]] = defaultdict(list)
    mothers, changes, reserve = (ctx.bulk.writer(Volunteer, assign_ids=True), ctx.bulk.writer(VolunteerStatusChange),
                                 ctx.bulk.writer(ReserveHelper))
    bar = ctx.progress(len(ctx.counties))

    def add(volunteer: Volunteer, plan: VolunteerPlan) -> None:
        mothers.add_instance(volunteer)
        plan.id = volunteer.pk
        actor = staff.get(plan.county_id)
        changes.add_instance(VolunteerStatusChange(volunteer_id=plan.id, to_status=VolunteerStatus.ACTIVE,
                                                   effective_on=plan.joined_on, reason=_("Joined the roster"),
                                                   actor_id=actor))
        if plan.left_on:
            changes.add_instance(VolunteerStatusChange(volunteer_id=plan.id, from_status=VolunteerStatus.ACTIVE,
                                                       to_status=VolunteerStatus.INACTIVE, effective_on=plan.left_on,
                                                       reason=plan.leave_reason, actor_id=actor))

    for county in ctx.counties:
        rng = random.Random(f"{ctx.seed}:volunteers:{county.code}")
        city = cities.get(county.code[:4] + "00000000", "")
        roster = _county_roster(rng, ctx, county, city, townships_of.get(county.code, []), villages_of, children,
                                demo_user)
        Team.objects.bulk_create(roster.teams, batch_size=BATCH_SIZE)
        WorkStation.objects.bulk_create(roster.stations, batch_size=BATCH_SIZE)
        counts[Team] += len(roster.teams)
        counts[WorkStation] += len(roster.stations)
        for volunteer, plan in roster.volunteers:
            volunteer.team_id = volunteer.team.pk if volunteer.team else None
            volunteer.station_id = volunteer.station.pk if volunteer.station else None
            add(volunteer, plan)
            plans[plan.township_id].append(plan)
            by_county[county.code].append(plan)
        for helper in roster.helpers:  # after their mothers, whose ids they take
            reserve.add_instance(helper)
        bar.advance()
    for writer in (mothers, changes, reserve):
        writer.flush()
    bar.close()
    counts[Volunteer], counts[ReserveHelper] = mothers.count, reserve.count
    ctx.extra["volunteers"] = dict(plans)

    counts[Training], counts[Recognition] = _trainings_and_recognitions(ctx, by_county, staff, cities)
    return {_("teams"): counts[Team], _("work stations"): counts[WorkStation], _("caring mothers"): counts[Volunteer],
            _("reserve helpers"): counts[ReserveHelper], _("trainings"): counts[Training],
            _("recognitions"): counts[Recognition]}


def _reserve_helpers(rng: random.Random, ctx: SeedContext, volunteer: Volunteer,
                     plan: VolunteerPlan) -> list[ReserveHelper]:
    """2–3 reserve helpers for about one active mother in seven (and for the demo volunteer)."""
    if plan.left_on or rng.random() >= (1.0 if plan.is_demo else 0.15):
        return []
    out = []
    for _n in range(rng.randint(2, 3)):
        sex = names.FEMALE if rng.random() < 0.75 else names.MALE
        added = between(rng, plan.joined_on, ctx.today)
        removed = between(rng, added, ctx.today) if rng.random() < 0.08 else None
        out.append(ReserveHelper(volunteer=volunteer, name=names.full_name(rng, sex=sex), phone=ctx.mobiles.take(),
                                 specialty=rng.choice(HELPER_SPECIALTIES), added_on=added, removed_on=removed))
    return out


def _training_days(rng: random.Random, today: date) -> list[date]:
    """About four sessions a year since January 2024: spring, early summer (before the holidays), autumn, winter."""
    days = []
    for year in range(2024, today.year + 1):
        for month in (3, 6, 9, 11):
            day = between(rng, date(year, month, 1), date(year, month, 25))
            if day <= today:
                days.append(day)
    return days


def _trainings_and_recognitions(ctx: SeedContext, by_county: dict[str, list[VolunteerPlan]], staff,
                                cities) -> tuple[int, int]:
    """County 赋能培训 sessions, each city's yearly 赋能成长暨礼遇回馈 event (with its gift packs and
    awards), awards on 国际志愿者日 and a yearly provincial session; returns (trainings, recognitions)."""
    today = ctx.today
    Attendance = Training.attendees.through
    trainings: list[Training] = []
    attendance: list[list[int]] = []
    recognitions: list[Recognition] = []
    by_city: dict[str, list[VolunteerPlan]] = defaultdict(list)
    county_names = {c.code: c.name for c in ctx.counties}
    for county_code, plans in sorted(by_county.items()):
        rng = random.Random(f"{ctx.seed}:trainings:{county_code}")
        by_city[county_code[:4] + "00000000"] += plans
        county = county_names[county_code]
        for held_on in _training_days(rng, today):
            present = [p for p in plans if p.active_on(held_on)]
            if not present:
                continue
            attendees = rng.sample(present, max(1, round(len(present) * rng.uniform(0.15, 0.35))))
            title, topic = rng.choice(TRAININGS)
            trainings.append(Training(title=title, held_on=held_on, region_id=county_code, topic=topic,
                                      organiser=rng.choice(TRAINING_ORGANISERS).format(county=county),
                                      participants=len(attendees) + rng.randint(0, round(len(attendees) * 0.6) + 5),
                                      created_by_id=staff.get(county_code)))
            attendance.append([p.id for p in attendees])
    everyone: list[VolunteerPlan] = []
    for city_code, plans in sorted(by_city.items()):
        rng = random.Random(f"{ctx.seed}:recognition:{city_code}")
        everyone += plans
        city = cities.get(city_code, "")
        staff_id = staff.get(plans[0].county_id)
        for year in range(2025, today.year + 1):
            held_on = date(year, 3, rng.randint(6, 10))
            if held_on > today:
                continue
            present = [p for p in plans if p.active_on(held_on)]
            if not present:
                continue
            attendees = rng.sample(present, min(len(present), rng.randint(40, 100)))
            trainings.append(Training(title=f"{city}爱心妈妈赋能成长暨礼遇回馈活动", held_on=held_on, region_id=city_code,
                                      topic="赋能成长、礼遇回馈", organiser=f"{city}妇联",
                                      participants=len(attendees) + rng.randint(30, 120), created_by_id=staff_id))
            attendance.append([p.id for p in attendees])
            for kind, title, reason, share in RECOGNITIONS:
                for plan in rng.sample(present, round(len(present) * share)):
                    recognitions.append(Recognition(volunteer_id=plan.id, kind=kind, title=title, awarded_on=held_on,
                                                    reason=reason, created_by_id=staff_id))
        for year in range(2024, today.year + 1):
            awarded_on = date(year, *VOLUNTEER_DAY)
            if awarded_on > today:
                continue
            present = [p for p in plans if p.active_on(awarded_on) and p.joined_on < awarded_on - timedelta(days=180)]
            for plan in rng.sample(present, round(len(present) * 0.01)):
                title, reason = rng.choice(DAY_AWARDS)
                recognitions.append(Recognition(volunteer_id=plan.id, kind=RecognitionKind.AWARD, title=title,
                                                awarded_on=awarded_on, reason=reason, created_by_id=staff_id))
    rng = random.Random(f"{ctx.seed}:trainings:province")
    if everyone:
        for year in range(2024, today.year + 1):
            held_on = date(year, 5, rng.randint(10, 28))
            present = [p for p in everyone if p.active_on(held_on)]
            if held_on > today or not present:
                continue
            attendees = rng.sample(present, min(len(present), rng.randint(100, 200)))
            trainings.append(Training(title="全省爱心妈妈结对关爱工作推进会暨赋能培训", held_on=held_on, region_id=SHANXI,
                                      topic="结对关爱工作推进", organiser="山西省妇联",
                                      participants=len(attendees) + rng.randint(50, 150)))
            attendance.append([p.id for p in attendees])
    Training.objects.bulk_create(trainings, batch_size=BATCH_SIZE)
    writer = ctx.bulk.writer(Attendance, ("training_id", "volunteer_id"))
    for training, ids in zip(trainings, attendance, strict=True):
        for volunteer_id in ids:
            writer.add(training.pk, volunteer_id)
    writer.flush()
    Recognition.objects.bulk_create(recognitions, batch_size=BATCH_SIZE)
    return len(trainings), len(recognitions)
