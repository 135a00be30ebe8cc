"""Seeding step: townships and villages under real counties.

The province, cities and counties are the real ones from ``load_regions`` (run first if they are
missing). A county that already has townships (say, from a full 统计用区划代码 import) is used as it
is; only counties without any get made-up townships and villages (see :mod:`demo.places`).
"""

from functools import reduce
from operator import or_

from django.core.management import call_command
from django.utils.translation import gettext as _

from accounts.models import Region, RegionLevel
from core import regioncodes
from demo import places
from demo.context import SeedContext
from demo.scales import FOCUS_COUNTIES, JINZHONG, LVLIANG, SHANXI

BATCH_SIZE = 2000
SHANXI_COUNTY_COUNT = 117


def ensure_base_regions(ctx: SeedContext) -> None:
    """Load the real province, cities and counties unless they are all there."""
    base = (SHANXI, LVLIANG, JINZHONG, *FOCUS_COUNTIES)
    counties = Region.objects.filter(regioncodes.subtree_q("code", SHANXI), level=RegionLevel.COUNTY)
    if Region.objects.filter(code__in=base).count() < len(base) or counties.count() < SHANXI_COUNTY_COUNT:
        call_command("load_regions", stdout=ctx.stdout)


def planned_counties(ctx: SeedContext) -> list[Region]:
    """The counties this scale puts townships in: the focus counties, then the others, by code."""
    counties = Region.objects.filter(level=RegionLevel.COUNTY)
    focus = list(counties.filter(code__in=FOCUS_COUNTIES))
    others: list[Region] = []
    if ctx.spec.other_cities:
        within = reduce(or_, (regioncodes.subtree_q("code", code) for code in ctx.spec.other_cities))
        others = list(counties.filter(within).exclude(code__in=FOCUS_COUNTIES))
    return focus + others


def seed_regions(ctx: SeedContext) -> dict[str, int]:
    ensure_base_regions(ctx)
    counties = planned_counties(ctx)
    county_codes = [c.code for c in counties]
    already = set(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, parent_id__in=county_codes).values_list("parent_id", flat=True)
    )
    new_townships: list[Region] = []
    new_villages: list[Region] = []
    for county in counties:
        if county.code in already:
            continue
        focus = county.code in FOCUS_COUNTIES
        if focus:
            count, village_range = ctx.spec.focus_townships, ctx.spec.focus_villages
        else:
            count, village_range = ctx.rng.randint(*ctx.spec.other_townships), ctx.spec.other_villages
        for code, name in places.townships(ctx.rng, county_code=county.code, county_name=county.name, count=count):
            new_townships.append(Region(code=code, name=name, level=RegionLevel.TOWNSHIP, parent_id=county.code))
            village_rows = places.villages(ctx.rng, township_code=code, township_name=name,
                                           count=ctx.rng.randint(*village_range))
            new_villages += [Region(code=v_code, name=v_name, level=RegionLevel.VILLAGE, parent_id=code)
                             for v_code, v_name in village_rows]
    Region.objects.bulk_create(new_townships, batch_size=BATCH_SIZE)
    Region.objects.bulk_create(new_villages, batch_size=BATCH_SIZE)

    ctx.counties = counties
    ctx.townships = sorted(new_townships, key=lambda r: r.code)
    ctx.villages = sorted(new_villages, key=lambda r: r.code)
    if already:
        kept = reduce(or_, (regioncodes.subtree_q("code", code) for code in sorted(already)))
        ctx.townships = sorted([*ctx.townships, *Region.objects.filter(kept, level=RegionLevel.TOWNSHIP)],
                               key=lambda r: r.code)
        ctx.villages = sorted([*ctx.villages, *Region.objects.filter(kept, level=RegionLevel.VILLAGE)],
                              key=lambda r: r.code)
    return {_("townships"): len(new_townships), _("villages and communities"): len(new_villages)}
