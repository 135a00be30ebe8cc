"""Each child's last contact from one pass over the contact window (activities.rhythm.children_last_contact,
what reports.stats counts with): by date comparison it says what the per-window set memberships say —
reached in the month (child_contacted_between) and contacted since each overdue cutoff
(OverdueRule.columns' ``recent_<c>``), for the hand-built ``contact_ledger`` on each calendar day."""

from datetime import timedelta

import pytest

from activities import rhythm
from children.models import Child
from core import months
from core.regioncodes import subtree_q

pytestmark = pytest.mark.django_db

DEFAULTS = {"red_days": 7, "yellow_days": 14, "green_days": 30, "unassessed_days": 30}


def by_sets(rule: rhythm.OverdueRule, first, last, region) -> dict[int, dict]:
    """Per child: reached in [first, last] and each ``recent_<c>``, as set memberships."""
    columns = rule.columns()
    rows = (Child.objects.filter(subtree_q("region", region.code))
            .annotate(contacted=rhythm.child_contacted_between(first, last, region=region), **columns)
            .values("pk", "contacted", *(name for name in columns if name.startswith("recent_"))))
    return {row.pop("pk"): row for row in rows}


def by_last_contact(rule: rhythm.OverdueRule, first, last, region) -> dict[int, dict]:
    """The same, by date comparison on each child's last contact and the cutoff of its region."""
    contacts = {row["person"]: row for row in rhythm.children_last_contact(
        rule.day, since=rule.since, first=first, last=last, region=region)}
    columns = rule.cutoff_columns()
    cutoffs = [name for name in columns if name.startswith("cutoff_")]
    out = {}
    for row in Child.objects.filter(subtree_q("region", region.code)).annotate(**columns).values("pk", *cutoffs):
        contact = contacts.get(row["pk"], {})
        latest = contact.get("last_contact")
        out[row["pk"]] = {"contacted": contact.get("month_contact") is not None,
                          **{f"recent_{name.removeprefix('cutoff_')}": latest is not None and latest >= row[name]
                             for name in cutoffs}}
    return out


def test_the_last_contact_agrees_with_the_sets_as_of_today(contact_ledger, regions):
    day = contact_ledger.today
    rule = rhythm.OverdueRule.on(day, region=regions.lishi)
    first, last = months.bounds(day)
    assert by_last_contact(rule, first, last, regions.lishi) == by_sets(rule, first, last, regions.lishi)


def test_a_contact_after_the_day_counts_in_the_month_but_not_as_recent(contact_ledger, regions):
    # As of 5 days before today, in today's month: the contacts of the last 5 days are after the day.
    day = contact_ledger.today - timedelta(days=5)
    rule = rhythm.OverdueRule.on(day, region=regions.lishi)
    first, last = months.bounds(contact_ledger.today)
    assert by_last_contact(rule, first, last, regions.lishi) == by_sets(rule, first, last, regions.lishi)


def test_the_cutoff_of_each_childs_region_decides_as_in_the_sets(contact_ledger, admin_province, regions):
    rhythm.rhythm_set(actor=admin_province, region=regions.lvliang, **{**DEFAULTS, "red_days": 2})
    rhythm.rhythm_set(actor=admin_province, region=regions.lishi_village,
                      **{**DEFAULTS, "red_days": 10, "green_days": 45, "unassessed_days": 90})
    day = contact_ledger.today
    first, last = months.bounds(day)
    for region in (regions.shanxi, regions.lvliang):  # the root (no subtree join) and below it
        rule = rhythm.OverdueRule.on(day, region=region)
        assert by_last_contact(rule, first, last, region) == by_sets(rule, first, last, region)
