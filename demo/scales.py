"""What each ``seed_demo --scale`` means.

- ``small``: 离石区 and 榆次区, about ten townships each with about five villages; only the named
  demo logins. For trying the app and for tests.
- ``county``: those two counties in full (all their real townships, ~15 villages each), plus two or
  three townships in every other county of 吕梁市 and 晋中市; staff, an admin and a viewer for each
  county and city of the two.
- ``province``: every one of Shanxi's 117 county-level units with ~12 townships (≈1,400) of ~20
  villages (≈28,000); users for every county and city.
Later steps (children, volunteers, activities …) read their own sizes from here too: children per
township (small ≈150 per county, like 离石区's 150 children; province ≈125,000) and caring mothers
per child (province ≈90,000); activities follow from the children (about 16 a child a year).
"""

from dataclasses import dataclass

SHANXI = "140000000000"
LVLIANG, JINZHONG = "141100000000", "140700000000"
LISHI, YUCI = "141102000000", "140702000000"
FOCUS_COUNTIES = (LISHI, YUCI)


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    # Townships of the focus counties: a number, or None for all their real ones.
    focus_townships: int | None
    focus_villages: tuple[int, int]  # villages per township, inclusive range
    # Other counties that get townships: None (none), or the regions whose counties do (SHANXI: all).
    other_cities: tuple[str, ...] | None
    other_townships: tuple[int, int]
    other_villages: tuple[int, int]
    # Users beyond the named demo logins: for the counties and cities that have townships.
    staff_users: bool
    # Children registered per township on average (街道 fewer, 乡 more), and caring mothers per child.
    children_per_township: int = 15
    volunteers_per_child: float = 0.8


SCALES: dict[str, ScaleSpec] = {
    "small": ScaleSpec(
        name="small", focus_townships=10, focus_villages=(4, 6),
        other_cities=None, other_townships=(0, 0), other_villages=(0, 0), staff_users=False,
        children_per_township=15, volunteers_per_child=0.8,  # ≈150 children, 120 mothers per county
    ),
    "county": ScaleSpec(
        name="county", focus_townships=None, focus_villages=(13, 17),
        other_cities=(LVLIANG, JINZHONG), other_townships=(2, 3), other_villages=(10, 16), staff_users=True,
        children_per_township=89, volunteers_per_child=0.75,
    ),
    "province": ScaleSpec(
        name="province", focus_townships=None, focus_villages=(14, 26),
        other_cities=(SHANXI,), other_townships=(8, 16), other_villages=(15, 26), staff_users=True,
        children_per_township=89, volunteers_per_child=0.72,  # ≈125,000 children, ≈90,000 mothers
    ),
}
