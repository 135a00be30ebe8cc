"""Arithmetic on 12-digit 统计用区划代码 (statistical division codes).

A code reads PP CC DD TTT VVV: province, city, county, township, village. A region's subtree is
every code sharing its significant prefix, so a subtree is also a closed range of codes
(``140100000000``..``140199999999`` for 太原市). We filter subtrees with that range rather than
``LIKE 'prefix%'``: a range uses the ordinary B-tree index on both PostgreSQL (whatever the
collation, where ``LIKE`` would need ``varchar_pattern_ops``) and SQLite (where ``LIKE`` is
case-insensitive and skips the index), and it needs no join when the filtered column is a foreign
key to the region (its value is the code).
"""

import re

from django.db.models import Q

CODE_LENGTH = 12
CODE_RE = re.compile(r"[0-9]{12}")

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = "province", "city", "county", "township", "village"
LEVELS = (PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE)
# Significant prefix length of a code at each level.
PREFIX_LENGTH = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}


def is_valid_code(code: str) -> bool:
    return bool(CODE_RE.fullmatch(code or "")) and code[:2] != "00"


def level_of(code: str) -> str:
    """The level a well-formed code denotes, read from where its trailing zeros begin."""
    if code[9:] != "000":
        return VILLAGE
    if code[6:9] != "000":
        return TOWNSHIP
    if code[4:6] != "00":
        return COUNTY
    if code[2:4] != "00":
        return CITY
    return PROVINCE


def prefix_of(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == PROVINCE:
        return None
    parent_prefix_len = PREFIX_LENGTH[LEVELS[LEVELS.index(level) - 1]]
    return code[:parent_prefix_len].ljust(CODE_LENGTH, "0")


def ancestor_codes(code: str) -> list[str]:
    """Codes of every ancestor, nearest first."""
    out = []
    current = parent_code(code)
    while current is not None:
        out.append(current)
        current = parent_code(current)
    return out


def province_of(code: str) -> str:
    """The code of the province ``code`` lies in (a province's own code for a province)."""
    return code[: PREFIX_LENGTH[PROVINCE]].ljust(CODE_LENGTH, "0")


def subtree_bounds(code: str) -> tuple[str, str]:
    prefix = prefix_of(code)
    pad = CODE_LENGTH - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def in_subtree(code: str, other: str) -> bool:
    low, high = subtree_bounds(code)
    return low <= other <= high


def subtree_q(field: str, code: str) -> Q:
    """A filter selecting rows whose ``field`` (a region code or FK to Region) lies in ``code``'s subtree."""
    low, high = subtree_bounds(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})
