"""Seeding steps for the children ledger (``seed_demo``): :func:`seed_children` and :func:`seed_needs`.

``seed_children`` registers children in the villages of the seeded counties, with guardians, a dated
status history (entry, transfers, suspensions, exits with every reason) and three-colour risk
assessments with their history. ``seed_needs`` runs after the pairings, so that a need can be
claimed by the child's own caring mother.

Rows are bulk-written through :mod:`demo.copywriter` (the province scale has ≈125,000 children) but carry exactly what
``children.services`` would have stored: a 身份证号 valid for the child's county, birth date and sex,
encrypted and digested by :mod:`children.identity`; ``ages_out_on`` from the categories; the colour
and next review of the latest assessment; exits dated on or after the last status change, aged-out
exits on the day the child aged out, recorded by the system (no actor) as the daily task does.

Every random draw comes from a stream seeded with the run's seed and the county, so the same seed
gives the same children whatever the scale. The steps leave :class:`ChildPlan` records in
``ctx.extra["children"]`` (township code → plans) for the pairing and activity steps.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from accounts import idcard
from accounts.models import Region, User
from accounts.roles import Role
from children import identity
from children.models import (
    CATEGORY_AGE_LIMIT,
    Category,
    Child,
    DifficultyType,
    ExitReason,
    Guardian,
    Household,
    Need,
    NeedKind,
    NeedStatus,
    RiskAssessment,
    RiskColor,
    RiskFactor,
    Status,
    StatusChange,
    add_years,
)
from demo import names, places
from demo.context import SeedContext

# The 三年行动 started in spring 2022: nobody entered the ledger before.
LAUNCH = date(2022, 3, 1)
RED, YELLOW, GREEN, UNASSESSED = RiskColor.RED.value, RiskColor.YELLOW.value, RiskColor.GREEN.value, ""
WORSE = {GREEN: YELLOW, YELLOW: RED, RED: RED}
LB, DIFF, ORPHAN, DEFACTO = (Category.LEFT_BEHIND.value, Category.IN_DIFFICULTY.value, Category.ORPHAN.value,
                             Category.DE_FACTO_UNSUPPORTED.value)
POVERTY, DISABILITY, GUARDIANSHIP = (DifficultyType.POVERTY.value, DifficultyType.DISABILITY.value,
                                     DifficultyType.GUARDIANSHIP.value)
# Every county's first exits go through all the reasons, so each appears at every scale.
EXIT_REASON_CYCLE = (ExitReason.AGED_OUT, ExitReason.PARENTS_RETURNED, ExitReason.MOVED_AWAY,
                     ExitReason.NO_CATEGORY, ExitReason.DECEASED, ExitReason.OTHER)
EXIT_REASON_WEIGHTS = ((ExitReason.AGED_OUT, 34), (ExitReason.PARENTS_RETURNED, 26), (ExitReason.MOVED_AWAY, 16),
                       (ExitReason.NO_CATEGORY, 14), (ExitReason.DECEASED, 1), (ExitReason.OTHER, 9))


def between(rng: random.Random, start: date, end: date) -> date:
    """A day from ``start`` to ``end`` inclusive (``start`` if the range is empty)."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def review_days(color: str) -> int:
    return settings.RISK_REVIEW_DAYS[color]


def stem(name: str) -> str:
    """A place name without its kind: 信义镇 → 信义, 王家庄村 → 王家庄, 离石区 → 离石 (two-character names stay)."""
    for suffix in ("街道", "社区", "镇", "乡", "村", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def township_kind(name: str) -> str:
    try:
        return places.kind_of(name)
    except ValueError:
        return places.TOWN


@dataclass(slots=True)
class ChildPlan:
    """What later steps need to know about a seeded child (compact: the province has 125,000)."""

    name: str
    gender: str
    birth_date: date
    region_id: str  # now
    township_id: str
    county_id: str
    entered_on: date
    status: str
    categories: tuple[str, ...]
    colors: list[tuple[date, str]]  # assessment history, oldest first
    id: int | None = None
    exited_on: date | None = None
    exit_reason: str = ""
    suspended_on: date | None = None  # suspended now, or before exiting
    moved_on: date | None = None
    old_region_id: str | None = None
    pinned: bool = False  # one of the demo volunteer's children

    @property
    def color(self) -> str:
        return self.colors[-1][1] if self.colors else UNASSESSED

    def region_on(self, day: date) -> str:
        """The child's region on ``day`` (a transferred child was elsewhere before the move)."""
        if self.moved_on is not None and day < self.moved_on:
            return self.old_region_id
        return self.region_id

    def color_on(self, day: date) -> str:
        color = UNASSESSED
        for assessed_on, c in self.colors:
            if assessed_on > day:
                break
            color = c
        return color


def staff_by_county(ctx: SeedContext) -> dict[str, int | None]:
    """A federation staff member per seeded county (the county's, else its city's, else the
    province's), who is recorded as having entered that county's rows."""
    if "staff_by_county" not in ctx.extra:
        staff = defaultdict(list)
        for pk, region_id in User.objects.filter(role=Role.STAFF, is_active=True).order_by("username") \
                .values_list("pk", "region_id"):
            staff[region_id].append(pk)
        out = {}
        for county in ctx.counties:
            city = county.code[:4] + "00000000"
            province = county.code[:2] + "0000000000"
            found = staff.get(county.code) or staff.get(city) or staff.get(province) or [None]
            out[county.code] = found[0]
        ctx.extra["staff_by_county"] = out
    return ctx.extra["staff_by_county"]


def demo_volunteer_village(ctx: SeedContext) -> str | None:
    return User.objects.filter(username="volunteer").values_list("region_id", flat=True).first()


# --- text ------------------------------------------------------------------------------------------

WORK_PLACES = (
    ("山西省太原市", "建筑工地"), ("山西省太原市", "餐饮服务"), ("山西省太原市", "物业保洁"), ("北京市", "快递配送"),
    ("北京市", "家政服务"), ("北京市", "建筑工地"), ("天津市", "港口装卸"), ("天津市", "工厂"),
    ("河北省石家庄市", "工厂"), ("河北省唐山市", "钢厂"), ("内蒙古鄂尔多斯市", "煤矿"), ("内蒙古包头市", "钢厂"),
    ("陕西省西安市", "建筑工地"), ("陕西省西安市", "餐饮服务"), ("陕西省榆林市", "煤矿"), ("广东省东莞市", "电子厂"),
    ("广东省深圳市", "工厂"), ("广东省广州市", "服装厂"), ("江苏省苏州市", "电子厂"), ("浙江省宁波市", "服装厂"),
    ("上海市", "物流"), ("山东省青岛市", "工厂"), ("河南省郑州市", "建筑工地"), ("山西省吕梁市区", "个体经营"),
)
WORK_WEIGHTS = (9, 6, 3, 5, 3, 3, 3, 2, 3, 2, 6, 3, 4, 2, 3, 5, 3, 2, 3, 2, 2, 2, 2, 2)
MOTHER_UNABLE = ("母亲患病在家，无力照料", "母亲为残疾人，无法照料", "母亲离家出走多年")
FACTOR_NOTES = {
    RiskFactor.GUARDIANSHIP: ("祖父母年迈体弱，监护能力不足", "监护人常年务工，孩子独自在家", "监护人患病，照料不周",
                              "隔代监护，沟通困难"),
    RiskFactor.HEALTH: ("患有慢性病，需长期服药", "视力下降明显，尚未配镜", "体弱多病，营养不良", "残疾，需康复训练"),
    RiskFactor.MENTAL_HEALTH: ("性格内向，不愿与人交流", "思念父母，情绪低落", "近期出现厌学、易怒情绪",
                               "曾有自伤念头，需重点关注"),
    RiskFactor.SCHOOLING: ("学习成绩下滑明显", "有辍学倾向", "经常迟到旷课", "作业无人辅导"),
    RiskFactor.SAFETY: ("家住河边，暑期溺水风险高", "放学后无人看管", "居住房屋老旧，存在安全隐患", "沉迷网络游戏"),
    RiskFactor.FAMILY_ECONOMY: ("家庭收入低，靠低保维持", "家中有病人，医疗负担重", "父母务工收入不稳定",
                                "住房困难，家中欠债"),
}
GREEN_NOTES = ("生活学习情况稳定", "监护到位，孩子身心健康", "与爱心妈妈关系融洽，状态良好", "")
CHILD_NOTES = ("性格开朗，喜欢画画", "喜欢打篮球，学习成绩中等", "爱看书，想当老师", "比较腼腆，需多鼓励", "喜欢唱歌跳舞",
               "数学成绩较好", "动手能力强，喜欢做手工", "")
DISABILITY_NOTES = ("听力残疾二级", "肢体残疾三级", "智力残疾三级", "先天性心脏病，已手术", "视力残疾二级")
SUSPEND_NOTES = ("随父母到务工地暂住", "住院治疗期间暂停", "到外地寄宿学校就读，寒暑假返回", "随亲属到外地暂住")
EXIT_NOTES = {
    ExitReason.AGED_OUT: ("",),
    ExitReason.PARENTS_RETURNED: ("父母返乡就业，回家照料", "父亲返乡创业，母亲在家照料"),
    ExitReason.MOVED_AWAY: ("随父母迁往务工地就读", "全家迁往外省"),
    ExitReason.NO_CATEGORY: ("家庭收入提高，已脱离困境", "父亲刑满释放回家抚养", "监护情况改善，不再属于三类儿童"),
    ExitReason.DECEASED: ("因病去世",),
    ExitReason.OTHER: ("被亲属收养", "转入儿童福利机构"),
}
# Grades by age on 1 September of the school year.
PRIMARY_GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级")
MIDDLE_GRADES = ("七年级", "八年级", "九年级")
HIGH_GRADES = ("高一", "高二", "高三")
VOCATIONAL_GRADES = ("中职一年级", "中职二年级", "中职三年级")
KINDERGARTEN_GRADES = ("小班", "中班", "大班")


# --- one child -------------------------------------------------------------------------------------

@dataclass
class Place:
    """Where a child lives: the names schools and addresses are made of."""

    county: Region
    city_name: str
    township: Region
    village: Region

    @property
    def urban(self) -> bool:
        return self.village.name.endswith("社区") or township_kind(self.township.name) == places.STREET


def _categories(rng: random.Random, urban: bool) -> tuple[set[str], set[str]]:
    roll = rng.random()
    cuts = (0.30, 0.35, 0.75, 0.83) if urban else (0.56, 0.64, 0.83, 0.89)
    if roll < cuts[0]:
        return {LB}, set()
    if roll < cuts[1]:
        return {LB, DIFF}, {rng.choice((POVERTY, POVERTY, GUARDIANSHIP))}
    if roll < cuts[2]:
        kinds = {rng.choices((POVERTY, DISABILITY, GUARDIANSHIP), weights=(55, 30, 15))[0]}
        if rng.random() < 0.1:
            kinds.add(rng.choice((POVERTY, DISABILITY, GUARDIANSHIP)))
        return {DIFF}, kinds
    if roll < cuts[3]:
        return ({ORPHAN, DIFF}, {POVERTY}) if rng.random() < 0.3 else ({ORPHAN}, set())
    return ({DEFACTO, DIFF}, {GUARDIANSHIP}) if rng.random() < 0.2 else ({DEFACTO}, set())


def _age_limit(categories: set[str]) -> int:
    return max(CATEGORY_AGE_LIMIT[Category(c)] for c in categories)


def _birth_date(rng: random.Random, categories: set[str], today: date) -> date:
    if LB in categories:  # under 16, mostly of school age
        age = rng.choices(range(2, 16), weights=(2, 3, 4, 5, 7, 8, 9, 9, 9, 9, 8, 7, 6, 5))[0]
    else:
        age = rng.choices(range(1, 18), weights=(2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 6, 6, 5, 4, 3))[0]
    return add_years(today, -age) - timedelta(days=rng.randint(1, 364))


def _entered_on(rng: random.Random, birth: date, latest: date) -> date:
    earliest = max(LAUNCH, birth + timedelta(days=200))
    if earliest > latest:
        return latest
    if rng.random() < 0.55:  # most were registered when the programme began
        return between(rng, earliest, min(latest, max(earliest, LAUNCH + timedelta(days=300))))
    return between(rng, earliest, latest)


def _school(rng: random.Random, place: Place, birth: date, today: date, disability: bool) -> tuple[str, str]:
    year_start = today.year if (today.month, today.day) >= (9, 1) else today.year - 1
    age = year_start - birth.year - (1 if (birth.month, birth.day) > (8, 31) else 0)
    if rng.random() < 0.08:
        age -= 1  # started school a year late
    township, village = stem(place.township.name), stem(place.village.name)
    if age < 3:
        return "", ""
    if disability and age >= 6 and rng.random() < 0.35:
        grade = (PRIMARY_GRADES + MIDDLE_GRADES + HIGH_GRADES)[min(age - 6, 11)]
        return f"{place.city_name}特殊教育学校", grade
    if age < 6:
        school = f"{place.county.name}第{rng.choice('一二三')}幼儿园" if place.urban else f"{township}中心幼儿园"
        return school, KINDERGARTEN_GRADES[age - 3]
    if age < 12:
        if place.urban:
            school = rng.choice((f"{place.county.name}{village}小学", f"{place.county.name}实验小学",
                                 f"{place.county.name}城东小学", f"{place.county.name}{township}小学"))
        else:
            school = f"{village}小学" if rng.random() < 0.35 else f"{township}中心校"
        return school, PRIMARY_GRADES[age - 6]
    if age < 15:
        if place.urban or rng.random() < 0.3:
            school = rng.choice((f"{place.county.name}实验中学", f"{place.county.name}第二中学",
                                 f"{place.county.name}第三中学"))
        else:
            school = f"{township}中学"
        return school, MIDDLE_GRADES[age - 12]
    if rng.random() < 0.3:
        return f"{place.county.name}职业中学", VOCATIONAL_GRADES[min(age - 15, 2)]
    return f"{place.county.name}{rng.choice(('第一中学', '第一中学', '第二中学'))}", HIGH_GRADES[min(age - 15, 2)]


def _address(rng: random.Random, place: Place) -> str:
    if place.village.name.endswith("社区"):
        return (f"{place.township.name}{place.village.name}{rng.randint(1, 30)}号楼{rng.randint(1, 4)}单元"
                f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室")
    return f"{place.township.name}{place.village.name}{rng.randint(1, 8)}组{rng.randint(1, 60)}号"


def _parents_work_place(rng: random.Random, categories: set[str]) -> str:
    if LB not in categories:
        return ""
    place, job = rng.choices(WORK_PLACES, weights=WORK_WEIGHTS)[0]
    if rng.random() < 0.65:
        return f"父母均在{place}{job}务工"
    if rng.random() < 0.5:
        other, other_job = rng.choices(WORK_PLACES, weights=WORK_WEIGHTS)[0]
        return f"父亲：{place}{job}；母亲：{other}{other_job}"
    return f"父亲在{place}{job}务工，{rng.choice(MOTHER_UNABLE)}"


def _guardians(rng: random.Random, ctx: SeedContext, surname: str, categories: set[str],
               kinds: set[str]) -> list[tuple[str, str, str]]:
    """(name, relation, phone) of one or two guardians; names follow the family (祖父 and 叔叔 share
    the child's surname, 外祖母 and 舅舅 the mother's)."""
    mother_surname = names.surname(rng)
    man = lambda s: s + names.given_name(rng, sex=names.MALE)  # noqa: E731
    woman = lambda s: s + names.given_name(rng, sex=names.FEMALE)  # noqa: E731
    people = {
        "祖父": lambda: man(surname), "祖母": lambda: woman(names.surname(rng)),
        "外祖父": lambda: man(mother_surname), "外祖母": lambda: woman(names.surname(rng)),
        "父亲": lambda: man(surname), "母亲": lambda: woman(mother_surname),
        "叔叔": lambda: man(surname), "伯父": lambda: man(surname), "姑姑": lambda: woman(surname),
        "舅舅": lambda: man(mother_surname), "姨妈": lambda: woman(mother_surname), "哥哥": lambda: man(surname),
    }
    if LB in categories:
        first = rng.choices(("祖母", "祖父", "外祖母", "外祖父", "母亲", "姑姑"), weights=(45, 18, 17, 6, 9, 5))[0]
    elif ORPHAN in categories:
        first = rng.choices(("祖母", "祖父", "外祖母", "叔叔", "伯父", "姑姑", "舅舅", "姨妈", "哥哥"),
                            weights=(25, 15, 12, 10, 10, 10, 8, 6, 4))[0]
    elif DEFACTO in categories:
        first = rng.choices(("祖母", "祖父", "外祖母", "母亲", "伯父", "姑姑"), weights=(35, 20, 12, 15, 10, 8))[0]
    elif GUARDIANSHIP in kinds:
        first = rng.choices(("祖母", "祖父", "姑姑", "舅舅", "伯父"), weights=(40, 20, 15, 15, 10))[0]
    else:
        first = rng.choices(("母亲", "父亲", "祖母"), weights=(55, 30, 15))[0]
    out = [(people[first](), first, ctx.mobiles.take())]
    # Grandparents often both look after the child; a parent's partner only where that parent is
    # at home and able (not for a left-behind or de facto unsupported child's mother).
    partner = {"祖父": "祖母", "祖母": "祖父", "外祖父": "外祖母", "外祖母": "外祖父", "父亲": "母亲"}
    if first == "母亲" and not categories & {LB, DEFACTO}:
        partner["母亲"] = "父亲"
    second = partner.get(first)
    if second and rng.random() < 0.45:
        out.append((people[second](), second, ctx.mobiles.take() if rng.random() < 0.5 else ""))
    return out


def _target_color(rng: random.Random, categories: set[str], entered_on: date, today: date) -> str:
    if (today - entered_on).days < 45 and rng.random() < 0.75:
        return UNASSESSED  # registered recently, not assessed yet
    if ORPHAN in categories or DEFACTO in categories:
        weights = (15, 28, 50, 7)
    elif DIFF in categories:
        weights = (11, 24, 57, 8)
    else:
        weights = (8, 21, 62, 9)
    return rng.choices((RED, YELLOW, GREEN, UNASSESSED), weights=weights)[0]


def _color_path(rng: random.Random, target: str, *, end: date, entered_on: date) -> list[tuple[date, str]]:
    """Assessment dates and colours, oldest first, ending in ``target``.

    Built backwards from the latest assessment, whose next review is usually still ahead (a
    fifth of the reds are overdue); each earlier one was the same colour or one worse, and was
    followed up when its review fell due (up to three cards), so histories show children getting better."""
    if target == UNASSESSED:
        return []
    room = (end - entered_on).days
    if target == RED and rng.random() < 0.2:
        offset = review_days(RED) + rng.randint(3, 50)  # overdue for review
    else:
        offset = rng.randint(0, review_days(target) - 1)
    last = end - timedelta(days=offset) if offset <= room else entered_on + timedelta(days=rng.randint(0, min(20, room)))
    path = [(last, target)]
    while len(path) < 3 and rng.random() < 0.75:
        color = WORSE[path[-1][1]] if rng.random() < 0.35 else path[-1][1]
        previous = path[-1][0] - timedelta(days=review_days(color) + rng.randint(-10, 10))
        if previous < entered_on:
            break
        path.append((previous, color))
    path.reverse()
    return path


def _improving_path(rng: random.Random, end: date) -> list[tuple[date, str]]:
    """Red, then yellow at the red card's review, then green at the yellow card's review."""
    green = end - timedelta(days=rng.randint(0, 30))
    yellow = green - timedelta(days=review_days(YELLOW) + rng.randint(-5, 5))
    red = yellow - timedelta(days=review_days(RED) + rng.randint(-5, 5))
    return [(red, RED), (yellow, YELLOW), (green, GREEN)]


def _reasons(rng: random.Random, color: str, categories: set[str], kinds: set[str]) -> tuple[list[str], str]:
    if color == GREEN:
        return [], rng.choice(GREEN_NOTES)
    pool = [RiskFactor.GUARDIANSHIP, RiskFactor.MENTAL_HEALTH, RiskFactor.SAFETY, RiskFactor.SCHOOLING]
    if POVERTY in kinds or ORPHAN in categories or DEFACTO in categories:
        pool += [RiskFactor.FAMILY_ECONOMY] * 2
    if DISABILITY in kinds:
        pool += [RiskFactor.HEALTH] * 3
    if LB in categories:
        pool += [RiskFactor.GUARDIANSHIP, RiskFactor.MENTAL_HEALTH]
    pool.append(RiskFactor.HEALTH)
    count = rng.randint(2, 3) if color == RED else rng.randint(1, 2)
    chosen: list[str] = []
    while len(chosen) < count:
        factor = rng.choice(pool)
        if factor.value not in chosen:
            chosen.append(factor.value)
    note = "；".join(rng.choice(FACTOR_NOTES[RiskFactor(f)]) for f in chosen)
    return chosen, note


# --- the step --------------------------------------------------------------------------------------

class _IdNumbers:
    """Distinct valid 身份证号: the order code counts people of one county, birthday and sex."""

    def __init__(self) -> None:
        self._next: Counter = Counter()

    def take(self, *, code6: str, birth: date, sex: str) -> str:
        key = (code6, birth, sex)
        sequence = self._next[key]
        self._next[key] += 1
        return idcard.generate(region_code6=code6, birth_date=birth, sex=sex, sequence=sequence)


class _Writer:
    """Children and the rows that point at them, through the run's bulk writers: each child gets
    its id as it is added, so its guardians, history and assessments can point at it."""

    def __init__(self, ctx: SeedContext) -> None:
        self.children = ctx.bulk.writer(Child, assign_ids=True)
        self.guardians = ctx.bulk.writer(Guardian)
        self.changes = ctx.bulk.writer(StatusChange)
        self.assessments = ctx.bulk.writer(RiskAssessment)

    def add(self, child: Child, plan: ChildPlan, guardians, changes, assessments) -> None:
        self.children.add_instance(child)
        plan.id = child.pk
        for writer, rows in ((self.guardians, guardians), (self.changes, changes),
                             (self.assessments, assessments)):
            for row in rows:
                writer.add_instance(row)

    def flush(self) -> None:
        for writer in (self.children, self.guardians, self.changes, self.assessments):
            writer.flush()


def _township_counts(rng: random.Random, townships: list[Region], per_township: int) -> list[int]:
    weight = {places.STREET: 0.6, places.TOWN: 1.1, places.XIANG: 1.2}
    weights = [weight.get(township_kind(t.name), 1.0) * rng.uniform(0.7, 1.3) for t in townships]
    total, scale = per_township * len(townships), sum(weights)
    counts = [int(total * w / scale) for w in weights]
    for i in sorted(range(len(townships)), key=lambda i: -weights[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def seed_children(ctx: SeedContext) -> dict[str, int]:
    staff = staff_by_county(ctx)
    cities, townships_of, villages_of = ctx.city_names(), ctx.townships_of(), ctx.villages_of()
    demo_village = demo_volunteer_village(ctx)
    numbers = _IdNumbers()
    writer = _Writer(ctx)
    plans: dict[str, list[ChildPlan]] = defaultdict(list)
    bar = ctx.progress(len(ctx.counties))

    for county in ctx.counties:
        rng = random.Random(f"{ctx.seed}:children:{county.code}")
        townships = townships_of.get(county.code, [])
        counts = _township_counts(rng, townships, ctx.spec.children_per_township) if townships else []
        county_state = {"exits": 0, "path_done": False, "transfer_done": False}
        for township, count in zip(townships, counts, strict=True):
            villages = villages_of.get(township.code) or [township]
            village_weights = [(0.45 if v.name.endswith("社区") else 1.0) * rng.uniform(0.3, 1.7) for v in villages]
            chosen = rng.choices(villages, weights=village_weights, k=count)
            pinned = 0
            if demo_village and demo_village[:9] == township.code[:9]:
                by_code = {v.code: v for v in villages}
                if demo_village in by_code:
                    chosen = [by_code[demo_village]] * 3 + chosen
                    pinned = 3
            for index, village in enumerate(chosen):
                place = Place(county=county, city_name=cities.get(county.code[:4] + "00000000", ""),
                              township=township, village=village)
                pin = (RED, YELLOW, GREEN)[index] if index < pinned else None
                row = _child(rng, ctx, place=place, numbers=numbers, staff_id=staff.get(county.code),
                             villages=villages, county_state=county_state, pin=pin)
                writer.add(*row)
                plans[township.code].append(row[1])
        bar.advance()
    writer.flush()
    bar.close()
    ctx.extra["children"] = dict(plans)
    return {_("children"): writer.children.count, _("guardians"): writer.guardians.count,
            _("status changes"): writer.changes.count, _("risk assessments"): writer.assessments.count}


def _child(rng: random.Random, ctx: SeedContext, *, place: Place, numbers: _IdNumbers, staff_id: int | None,
           villages: list[Region], county_state: dict, pin: str | None
           ) -> tuple[Child, ChildPlan, list[Guardian], list[StatusChange], list[RiskAssessment]]:
    today = ctx.today
    urban = place.urban
    categories, kinds = ({LB}, set()) if pin else _categories(rng, urban)
    limit = _age_limit(categories)
    gender = rng.choice((names.MALE, names.FEMALE))
    surname = names.surname(rng)
    name = surname + names.given_name(rng, sex=gender, generation=names.CHILD)

    roll = rng.random()
    status = Status.ACTIVE if pin or roll >= 0.105 else (Status.EXITED if roll < 0.075 else Status.SUSPENDED)
    exit_reason = ""
    if status == Status.EXITED:
        if county_state["exits"] < len(EXIT_REASON_CYCLE):
            exit_reason = EXIT_REASON_CYCLE[county_state["exits"]]
        else:
            exit_reason = rng.choices(*zip(*EXIT_REASON_WEIGHTS, strict=True))[0]
        if exit_reason == ExitReason.PARENTS_RETURNED and LB not in categories:
            categories, kinds, limit = {LB}, set(), 16
        county_state["exits"] += 1

    if exit_reason == ExitReason.AGED_OUT:
        ages_out = between(rng, max(LAUNCH + timedelta(days=400), today - timedelta(days=700)), today - timedelta(days=1))
        birth = add_years(ages_out, -limit)
        exited_on = add_years(birth, limit)
        entered_on = _entered_on(rng, birth, exited_on - timedelta(days=120))
    else:
        birth = _birth_date(rng, categories, today)
        if pin:
            entered_on = between(rng, today - timedelta(days=420), today - timedelta(days=330))
        else:
            entered_on = _entered_on(rng, birth, today - timedelta(days=3 if status == Status.ACTIVE else 90))
        exited_on = between(rng, entered_on + timedelta(days=60), today - timedelta(days=1)) if exit_reason else None
    end = exited_on or today

    # History: registration, maybe a transfer, a suspension, the exit.
    changes = [StatusChange(from_status="", to_status=Status.ACTIVE, effective_on=entered_on, actor_id=staff_id)]
    region = place.village
    moved_on = old_region = suspended_on = None
    others = [v for v in villages if v.code != region.code]
    transfer_first = not county_state["transfer_done"] and status == Status.ACTIVE
    if others and status == Status.ACTIVE and not pin and (today - entered_on).days > 120 \
            and (transfer_first or rng.random() < 0.015):
        county_state["transfer_done"] = True
        moved_on = between(rng, entered_on + timedelta(days=30), today - timedelta(days=20))
        old_region, region = region, rng.choice(others)
        place = Place(county=place.county, city_name=place.city_name, township=place.township, village=region)
        changes.append(StatusChange(from_status=Status.ACTIVE, to_status=Status.ACTIVE, effective_on=moved_on,
                                    from_region_id=old_region.code, to_region_id=region.code, actor_id=staff_id,
                                    note=f"随家人搬迁至{region.name}"))
    if status == Status.SUSPENDED or (status == Status.EXITED and rng.random() < 0.1
                                      and (end - entered_on).days > 60):
        suspended_on = between(rng, entered_on + timedelta(days=30), end - timedelta(days=20))
        changes.append(StatusChange(from_status=Status.ACTIVE, to_status=Status.SUSPENDED, effective_on=suspended_on,
                                    note=rng.choice(SUSPEND_NOTES), actor_id=staff_id))
    if status == Status.EXITED:
        aged = exit_reason == ExitReason.AGED_OUT
        changes.append(StatusChange(from_status=Status.SUSPENDED if suspended_on else Status.ACTIVE,
                                    to_status=Status.EXITED, reason=exit_reason, effective_on=exited_on,
                                    note=rng.choice(EXIT_NOTES[ExitReason(exit_reason)]),
                                    actor_id=None if aged else staff_id))

    # Three-colour card; each county has a child who went red → yellow → green.
    target = pin or _target_color(rng, categories, entered_on, end)
    if pin == RED:  # the demo volunteer's red child: yellow until a recent visit found trouble
        colors = [(today - timedelta(days=rng.randint(70, 110)), YELLOW), (today - timedelta(days=rng.randint(3, 10)), RED)]
    elif (not county_state["path_done"] and status == Status.ACTIVE and target == GREEN and not pin
            and (today - entered_on).days > review_days(RED) + review_days(YELLOW) + 60):
        county_state["path_done"] = True
        colors = _improving_path(rng, today)
    else:
        colors = _color_path(rng, target, end=end, entered_on=entered_on)
    assessments = []
    for assessed_on, color in colors:
        reasons, note = _reasons(rng, color, categories, kinds)
        assessments.append(RiskAssessment(color=color, reasons=reasons, note=note, assessed_on=assessed_on,
                                          next_review_on=assessed_on + timedelta(days=review_days(color)),
                                          assessor_id=staff_id))

    disability = DISABILITY in kinds
    school, grade = _school(rng, place, birth, today, disability)
    notes = rng.choice(DISABILITY_NOTES) if disability else rng.choice(CHILD_NOTES)
    number = numbers.take(code6=place.county.code[:6], birth=birth, sex=gender)
    child = Child(
        name=name, gender=gender, birth_date=birth, region_id=region.code, school=school, grade=grade,
        address=_address(rng, place), household=Household.URBAN if urban and rng.random() < 0.6 else Household.RURAL,
        parents_work_place=_parents_work_place(rng, categories), notes=notes, status=status, entered_on=entered_on,
        exited_on=exited_on, exit_reason=exit_reason, created_by_id=staff_id,
        risk_color=colors[-1][1] if colors else "",
        next_review_on=assessments[-1].next_review_on if assessments else None,
        **{f"is_{c}": True for c in categories}, **{f"difficulty_{k}": True for k in kinds},
    )
    child.id_number_encrypted = identity.encrypt(number)
    child.id_number_digest = identity.digest(number)
    child.id_number_last4 = number[-4:]
    child.ages_out_on = child.compute_ages_out_on()
    guardians = [Guardian(child=child, name=g_name, relation=relation, phone=phone, position=i)
                 for i, (g_name, relation, phone) in enumerate(_guardians(rng, ctx, surname, categories, kinds))]
    for row in changes + assessments:
        row.child = child
    plan = ChildPlan(name=name, gender=gender, birth_date=birth, region_id=region.code,
                     township_id=place.township.code, county_id=place.county.code, entered_on=entered_on,
                     status=status, categories=tuple(sorted(categories)), colors=colors, exited_on=exited_on,
                     exit_reason=exit_reason, suspended_on=suspended_on if status != Status.ACTIVE else None,
                     moved_on=moved_on, old_region_id=old_region.code if old_region else None, pinned=bool(pin))
    return child, plan, guardians, changes, assessments


# --- needs -----------------------------------------------------------------------------------------

NEEDS = {
    NeedKind.MATERIAL: (("冬季棉衣一件", 150, 400), ("一个新书包", 60, 150), ("一双运动鞋", 80, 260),
                        ("一张学习桌和台灯", 200, 600), ("一辆自行车", 300, 800), ("一套床上用品", 150, 400)),
    NeedKind.STUDY: (("课外读物一套", 50, 200), ("英语课外辅导", 0, 0), ("数学作业辅导", 0, 0),
                     ("学习用品一套", 50, 150), ("一台学习机", 400, 800)),
    NeedKind.HEALTH: (("配一副近视眼镜", 150, 500), ("听力复查", 100, 300), ("龋齿治疗", 200, 600),
                      ("营养补充", 100, 300)),
    NeedKind.PSYCHOLOGICAL: (("心理疏导", 0, 0), ("情绪陪伴，每周通话", 0, 0), ("青春期心理辅导", 0, 0)),
    NeedKind.LEGAL: (("监护权变更法律咨询", 0, 0), ("户籍登记法律帮助", 0, 0), ("申请低保、孤儿基本生活费", 0, 0)),
    NeedKind.OTHER: (("微心愿：一个篮球", 60, 150), ("微心愿：一套画笔", 40, 120), ("微心愿：去太原看一次动物园", 100, 300),
                     ("微心愿：一本《新华字典》", 30, 60), ("微心愿：一个生日蛋糕", 80, 200)),
}
NEED_KIND_WEIGHTS = ((NeedKind.MATERIAL, 30), (NeedKind.STUDY, 22), (NeedKind.HEALTH, 12),
                     (NeedKind.PSYCHOLOGICAL, 10), (NeedKind.LEGAL, 6), (NeedKind.OTHER, 20))
ORGANISATIONS = ("{county}妇联", "{county}妇联", "{city}女企业家协会", "{county}人民检察院妇委会", "{county}教育科技局",
                 "{county}人民医院妇委会", "爱心企业：山西{stem}农业科技有限公司", "爱心企业：{stem}鑫源煤业有限公司",
                 "{township}妇联", "{county}红十字会")
CANCEL_NOTES = ("孩子随父母外出，需求取消", "家庭已自行解决", "重复登记，已合并")


def seed_needs(ctx: SeedContext) -> dict[str, int]:
    """Needs (急难愁盼 / 微心愿) of about a third of the children, in every kind and status: open,
    claimed by the child's caring mother or an organisation, fulfilled with a value in yuan, a few
    cancelled. Exited children's needs were all settled before they left."""
    children: dict[str, list[ChildPlan]] = ctx.extra["children"]
    leads: dict[int, str] = ctx.extra.get("lead_names", {})
    staff = staff_by_county(ctx)
    regions = {r.code: r.name for r in (*ctx.counties, *ctx.townships)}
    cities = ctx.city_names()
    writer = ctx.bulk.writer(Need)
    kinds, weights = zip(*NEED_KIND_WEIGHTS, strict=True)
    bar = ctx.progress(len(children))
    for township_code in sorted(children):
        bar.advance()
        rng = random.Random(f"{ctx.seed}:needs:{township_code}")
        for plan in children[township_code]:
            if rng.random() > (0.9 if plan.pinned else 0.33):
                continue
            for n in range(1 if rng.random() < 0.75 else 2):
                kind = rng.choices(kinds, weights=weights)[0]
                # The demo volunteer's red child has an open need for her phone page to show.
                force_open = plan.pinned and plan.color == RED and n == 0
                writer.add_instance(_need(rng, ctx, plan, kind, leads.get(plan.id), staff.get(plan.county_id), regions,
                                          cities, force_open=force_open))
    writer.flush()
    bar.close()
    return {_("needs"): writer.count}


def _need(rng: random.Random, ctx: SeedContext, plan: ChildPlan, kind: str, lead_name: str | None,
          staff_id: int | None, regions: dict[str, str], cities: dict[str, str], *, force_open: bool = False) -> Need:
    today = ctx.today
    end = plan.exited_on or today
    description, low, high = rng.choice(NEEDS[NeedKind(kind)])
    opened_on = between(rng, max(plan.entered_on, today - timedelta(days=700)), end)
    if force_open:
        status = NeedStatus.OPEN
    elif plan.status == Status.EXITED:
        status = NeedStatus.FULFILLED if rng.random() < 0.85 else NeedStatus.CANCELLED
    else:
        status = rng.choices((NeedStatus.OPEN, NeedStatus.CLAIMED, NeedStatus.FULFILLED, NeedStatus.CANCELLED),
                             weights=(30, 25, 40, 5))[0]
    need = Need(child_id=plan.id, region_id=plan.region_on(opened_on), kind=kind, description=description, status=status,
                opened_on=opened_on, created_by_id=staff_id)
    value = Decimal(rng.randrange(low, high + 1, 10)) if high else None
    if status == NeedStatus.OPEN:
        need.value_yuan = value if value and rng.random() < 0.3 else None  # an estimate, sometimes
        return need
    if status == NeedStatus.CANCELLED:
        need.closed_note = rng.choice(CANCEL_NOTES)
        return need
    need.claimed_on = between(rng, opened_on, min(end, opened_on + timedelta(days=30)))
    if lead_name and rng.random() < 0.45:
        need.claimed_by_name = f"爱心妈妈{lead_name}"
    else:
        pattern = rng.choice(ORGANISATIONS)
        county = regions.get(plan.county_id, "")
        need.claimed_by_name = pattern.format(county=county, city=cities.get(plan.county_id[:4] + "00000000", ""),
                                              stem=stem(county), township=regions.get(plan.township_id, ""))
    need.value_yuan = value
    if status == NeedStatus.FULFILLED:
        need.fulfilled_on = between(rng, need.claimed_on, min(end, need.claimed_on + timedelta(days=45)))
        need.closed_note = "已送到孩子手中" if value else "已完成"
    return need
