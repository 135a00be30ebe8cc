"""Chinese person names as they are common in Shanxi.

Surnames are drawn with weights close to their share of Shanxi's population (the national top ten
plus names frequent there: 郭 贾 武 薛 闫/阎 牛 白 乔 霍 郝 …). Given names depend on the generation:
an adult's (a volunteer or staff member, born 1960s–1990s) looks different from a child's (born
2008–2022). Every function takes the ``random.Random`` to draw from, so output is reproducible.
"""

import random
from itertools import accumulate

MALE, FEMALE = "male", "female"
ADULT, CHILD = "adult", "child"

# (surname, weight ≈ per mille of the population)
_SURNAME_WEIGHTS = (
    ("王", 75), ("李", 62), ("张", 60), ("刘", 45), ("郭", 30), ("杨", 27), ("赵", 25), ("高", 20),
    ("陈", 16), ("武", 15), ("贾", 14), ("梁", 13), ("韩", 12), ("任", 12), ("马", 11), ("田", 10),
    ("冯", 10), ("孙", 10), ("白", 10), ("薛", 9), ("闫", 9), ("郝", 9), ("周", 8), ("宋", 8),
    ("吴", 7), ("徐", 7), ("胡", 7), ("乔", 7), ("黄", 6), ("牛", 6), ("霍", 6), ("曹", 6), ("段", 6),
    ("侯", 6), ("董", 6), ("朱", 6), ("石", 5), ("秦", 5), ("常", 5), ("温", 5), ("崔", 5), ("孟", 5),
    ("程", 5), ("魏", 5), ("史", 5), ("杜", 5), ("阎", 3), ("苏", 4), ("康", 4), ("吕", 4), ("姚", 4),
    ("范", 4), ("许", 4), ("卫", 3), ("申", 3), ("雷", 3), ("邢", 3), ("岳", 3), ("柴", 3), ("靳", 3),
    ("樊", 3), ("成", 3), ("安", 3), ("裴", 2), ("景", 2), ("尚", 2), ("原", 2), ("畅", 1), ("亢", 1),
)
SURNAMES = tuple(s for s, _w in _SURNAME_WEIGHTS)
_SURNAME_CUM = tuple(accumulate(w for _s, w in _SURNAME_WEIGHTS))

WOMAN_GIVEN = (
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "丽娟", "丽华", "丽萍", "海燕", "红梅", "晓燕", "春梅", "美玲",
    "瑞芳", "彩霞", "淑芬", "翠萍", "建英", "俊英", "慧敏", "艳红", "艳芳", "秀梅", "爱萍", "润梅", "美英",
    "金凤", "巧玲", "晓红", "晓丽", "丽霞", "丽琴", "志红", "雪梅", "凤英", "月娥", "春燕", "玉梅", "晋芳",
    "晋梅", "晋英", "文娟", "文静", "秀芳", "亚琴", "永红", "利平", "俊芳", "慧芳", "改莲", "银平", "海霞",
    "燕", "芳", "静", "敏", "霞", "娟", "艳", "丽", "萍", "英", "红", "娜", "洁", "琴", "丹", "慧",
)
MAN_GIVEN = (
    "建国", "建军", "建平", "建华", "志刚", "志强", "志勇", "国强", "国庆", "海军", "海平", "卫东", "卫国",
    "文斌", "文杰", "晓东", "晓军", "俊峰", "永明", "振华", "晋生", "晋平", "宏伟", "红军", "跃进", "守仁",
    "二虎", "保平", "全贵", "润生", "军", "斌", "勇", "强", "伟", "涛", "鹏", "磊", "刚", "峰", "杰", "波",
)
GIRL_GIVEN = (
    "梓涵", "欣怡", "子涵", "诗涵", "雨桐", "一诺", "可馨", "思彤", "若曦", "语桐", "欣妍", "佳怡", "梦琪",
    "雨欣", "紫涵", "佳琪", "思琪", "艺涵", "梓萱", "沐晴", "诗琪", "雨萱", "佳欣", "芯蕊", "晨曦", "紫萱",
    "心怡", "梓琪", "嘉怡", "婉清", "安琪", "小雨", "悦", "雅", "涵", "婷", "琪", "馨", "怡", "彤",
)
BOY_GIVEN = (
    "浩宇", "子轩", "宇轩", "梓豪", "俊杰", "浩然", "博文", "皓轩", "一鸣", "子豪", "宇航", "明轩", "梓睿",
    "俊熙", "浩轩", "文博", "天佑", "嘉豪", "宇豪", "子墨", "宇泽", "锦程", "昊天", "晨阳", "家乐", "思远",
    "睿", "博", "轩", "浩", "杰", "鑫", "宇", "阳", "晨", "磊", "凯", "帅",
)
_GIVEN = {
    (ADULT, FEMALE): WOMAN_GIVEN,
    (ADULT, MALE): MAN_GIVEN,
    (CHILD, FEMALE): GIRL_GIVEN,
    (CHILD, MALE): BOY_GIVEN,
}


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, *, sex: str, generation: str = ADULT) -> str:
    return rng.choice(_GIVEN[(generation, sex)])


def full_name(rng: random.Random, *, sex: str, generation: str = ADULT) -> str:
    return surname(rng) + given_name(rng, sex=sex, generation=generation)


def volunteer_name(rng: random.Random) -> str:
    """A caring mother: a woman's name."""
    return full_name(rng, sex=FEMALE, generation=ADULT)


def child_name(rng: random.Random, *, sex: str) -> str:
    return full_name(rng, sex=sex, generation=CHILD)
