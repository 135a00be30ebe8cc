"""Township (街道/镇/乡) and village (村/社区) names and codes that look like Shanxi's.

Codes follow the 统计用区划代码 convention: a township is its county's 6 digits + 3 (街道 001–099,
镇 100–199, 乡 200–299) + ``000``; a village is its township's 9 digits + 3 (社区 001–099, 村 200–499).

离石区 and 榆次区 get their real township names (codes assigned by the convention, in the order
listed); elsewhere names are composed the way loess-plateau place names are: a family's hamlet
(王家庄, 郭家堡), a landform (沟 湾 坪 塔 峁 垣 …) after a tree, a rock or a direction (柳树沟,
上坪), or a town-like two-character stem. Everything is drawn from the ``random.Random`` passed in.
"""

import random

from demo.names import SURNAMES

STREET, TOWN, XIANG = "街道", "镇", "乡"
COMMUNITY, VILLAGE = "社区", "村"
# First code of each kind, and how many codes it has.
TOWNSHIP_CODE_START = {STREET: 1, TOWN: 100, XIANG: 200}
VILLAGE_CODE_START = {COMMUNITY: 1, VILLAGE: 200}
CODE_ROOM = {STREET: 99, TOWN: 100, XIANG: 100, COMMUNITY: 99, VILLAGE: 300}

REAL_TOWNSHIPS: dict[str, tuple[str, ...]] = {
    # 吕梁市 离石区
    "141102": (
        "滨河街道", "凤山街道", "莲花池街道", "城北街道", "田家会街道", "交口街道", "西属巴街道",
        "信义镇", "吴城镇", "枣林乡", "坪头乡", "红眼川乡",
    ),
    # 晋中市 榆次区
    "140702": (
        "锦纶街道", "北关街道", "西南街道", "路西街道", "安宁街道", "新建街道", "晋华街道",
        "修文镇", "东阳镇", "长凝镇", "北田镇", "什贴镇", "乌金山镇",
        "郭家堡乡", "张庆乡", "庄子乡", "东赵乡",
    ),
}

_DIRECTIONS = "东西南北上下前后大小中新"
_LANDFORMS = "庄沟湾坪塔峁坡岭峪河洼梁垣滩寨堡"
_NATURE = (
    "柳树", "杏树", "枣树", "桃树", "梨树", "榆树", "槐树", "松树", "柏树", "石板", "石门", "红崖", "白草",
    "黄土", "青石", "马鞍", "卧龙", "凤凰", "龙王", "神堂", "官道", "水泉", "砖窑", "碾子", "磨石", "窑头",
)
_TOWN_STEMS = (
    "古城", "龙泉", "清泉", "金城", "凤城", "石门", "红崖", "马坊", "店头", "峪口", "河底", "寨子", "三交",
    "杏花", "桃园", "梨园", "枣园", "柳湾", "泉子", "温泉", "沙河", "西河", "东河", "南河", "大营", "王营",
    "安业", "永安", "永宁", "长乐", "安乐", "太平", "兴隆", "乐平", "平安", "双池", "水头", "水峪", "曲峪",
    "岔口", "城关", "上庄", "下庄", "东坡", "西坡", "南庄", "北庄", "东社", "西社", "南关", "北关", "高阳",
)
_STREET_STEMS = (
    "东城", "西城", "南城", "北城", "城东", "城西", "城南", "城北", "东关", "西关", "南关", "北关", "新华",
    "新建", "新兴", "解放", "建设", "胜利", "和平", "朝阳", "向阳", "光明", "文化", "文昌", "府前", "府东",
    "府西", "鼓楼", "钟楼", "龙泉", "凤鸣", "滨河", "汾河", "锦绣", "迎宾", "振兴", "矿区", "铁北", "车站",
)
_COMMUNITY_STEMS = (
    "滨河", "凤山", "龙凤", "永宁", "馨园", "阳光", "康宁", "福苑", "和谐", "锦绣", "怡景", "翠苑", "新华",
    "光明", "向阳", "文苑", "东关", "西关", "南关", "北关", "建设", "朝阳", "胜利", "团结", "学府", "丽景",
    "金山", "玉湖", "杏园", "枣园", "花园", "府前", "宁安", "安泰", "祥和", "瑞祥", "世纪", "新城", "华苑",
    "龙城", "迎宾", "御景", "泰和", "鑫苑", "长青", "育才", "铁路", "煤机", "电厂", "医苑", "书香", "一矿",
)


def kind_of(name: str) -> str:
    """The kind a township or village name ends with (街道 镇 乡 社区 村)."""
    for kind in (STREET, TOWN, XIANG, COMMUNITY, VILLAGE):
        if name.endswith(kind):
            return kind
    raise ValueError(f"{name!r} ends with none of 街道 镇 乡 社区 村.")


def _hamlet(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "家" + rng.choice(_LANDFORMS)


def _rural_stem(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        return _hamlet(rng)  # 王家庄, 郭家峁
    if roll < 0.65:
        return rng.choice(_NATURE) + rng.choice(_LANDFORMS)  # 柳树沟, 石板坪
    if roll < 0.9:
        return rng.choice(_DIRECTIONS) + rng.choice(_LANDFORMS + "".join(SURNAMES[:20]))  # 上坪, 东王
    return rng.choice(_DIRECTIONS) + _hamlet(rng)  # 下白家庄


def _town_stem(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(_TOWN_STEMS)
    if roll < 0.8:
        return _hamlet(rng)  # 郭家堡乡
    return rng.choice("东西南北大") + rng.choice(SURNAMES[:30])  # 东赵乡


def _unique(rng: random.Random, draw, used: set[str], suffix: str) -> str:
    """A name not yet in ``used`` by its stem (so no 寨子镇 beside a 寨子乡)."""
    for _attempt in range(200):
        stem = draw(rng)
        if stem not in used:
            used.add(stem)
            return stem + suffix
    raise RuntimeError(f"Ran out of distinct {suffix} names.")  # pragma: no cover - the pools are large


def _coded(prefix: str, names: list[str], starts: dict[str, int], tail: str) -> list[tuple[str, str]]:
    """Number names by kind from each kind's first code, in the order given."""
    next_code = dict(starts)
    out = []
    for name in names:
        kind = kind_of(name)
        if next_code[kind] >= starts[kind] + CODE_ROOM[kind]:
            raise ValueError(f"More than {CODE_ROOM[kind]} {kind} under {prefix}.")
        out.append((f"{prefix}{next_code[kind]:03d}{tail}", name))
        next_code[kind] += 1
    return sorted(out)


def township_mix(rng: random.Random, *, county_name: str, count: int) -> dict[str, int]:
    """How many 街道, 镇 and 乡 a county of that kind (…区, …市 or …县) has among ``count``."""
    if county_name.endswith("区"):
        streets = max(1, round(count * rng.uniform(0.35, 0.6)))
    elif county_name.endswith("市"):
        streets = max(1, round(count * rng.uniform(0.2, 0.4)))
    else:
        streets = rng.choice((0, 0, 1))
    streets = min(streets, count)
    towns = round((count - streets) * rng.uniform(0.45, 0.7))
    return {STREET: streets, TOWN: towns, XIANG: count - streets - towns}


def townships(rng: random.Random, *, county_code: str, county_name: str, count: int | None) -> list[tuple[str, str]]:
    """``(code, name)`` of ``count`` townships of a county, sorted by code.

    A county with real names listed here gets those (``count=None``: all of them, else a sample);
    otherwise ``count`` made-up names (``None`` then means 12).
    """
    code6 = county_code[:6]
    real = REAL_TOWNSHIPS.get(code6)
    if real:
        coded = _coded(code6, list(real), TOWNSHIP_CODE_START, "000")
        if count is None or count >= len(coded):
            return coded
        return sorted(rng.sample(coded, count))
    mix = township_mix(rng, county_name=county_name, count=12 if count is None else count)
    used: set[str] = set()
    names = [_unique(rng, lambda r: r.choice(_STREET_STEMS), used, STREET) for _ in range(mix[STREET])]
    names += [_unique(rng, _town_stem, used, TOWN) for _ in range(mix[TOWN])]
    names += [_unique(rng, _town_stem, used, XIANG) for _ in range(mix[XIANG])]
    return _coded(code6, names, TOWNSHIP_CODE_START, "000")


def villages(rng: random.Random, *, township_code: str, township_name: str, count: int) -> list[tuple[str, str]]:
    """``(code, name)`` of ``count`` villages and communities under a township, sorted by code.

    A 街道 has mostly 社区 (now and then an urban village), a 镇 one to three 社区 around its seat
    and villages beyond, a 乡 villages only.
    """
    kind = kind_of(township_name)
    if kind == STREET:
        communities = count - min(count - 1, rng.choice((0, 0, 0, 1, 2))) if count else 0
    elif kind == TOWN:
        communities = min(count // 3, rng.randint(1, 3))
    else:
        communities = 0
    used: set[str] = set()
    names = [_unique(rng, lambda r: r.choice(_COMMUNITY_STEMS), used, COMMUNITY) for _ in range(communities)]
    names += [_unique(rng, _rural_stem, used, VILLAGE) for _ in range(count - communities)]
    return _coded(township_code[:9], names, VILLAGE_CODE_START, "")
