"""The hand-computed world of the statistics tests: 离石区 in March 2025, built through the services.

Regions: 离石区 (county, 141102000000) with two townships, 滨河街道 (T1, 141102001000, with its village
东关村 141102001200) and 凤山街道 (T2, 141102002000, added here). A 榆次区 child, caring mother and
activity sit outside, to show the subtree is respected.

Children (as of 2025-03-31)::

    name  where            categories                  history                                 at 03-31
    甲    东关村 (T1)      left_behind                 in 2024-09-01; red 01-10; lead 母一 01-15 active, red, paired
    乙    东关村 (T1)      left_behind, in_difficulty  in 2024-09-01; yellow 02-01, green 04-05 active, yellow, paired
    丙    滨河街道 (T1)    orphan                      in 2025-03-05; exited 03-15             exited (new, exited)
    丁    凤山街道 (T2)    left_behind                 in 2024-10-01; suspended 02-20, back 04-10 suspended
    戊    凤山街道 (T2)    de_facto_unsupported        in 2024-10-01; lead 母二 02-01; exited 04-20 active, unassessed, paired
    己    离石区 itself    left_behind                 in 2025-03-20; green 03-21             active, green, unpaired (new)
    庚    东关村 (T1)      left_behind                 in 2024-09-01; green 01-05; lead 母一 01-20..03-25 active, green, unpaired
    辛    凤山街道 (T2)    left_behind                 in 2025-04-02                           not yet in

Caring mothers: 母一 (东关村, joined 2024-06-01, active, leads 甲 乙 (and 庚 until 03-25)); 母二 (凤山街道,
joined 2025-01-01, leads 戊); 母三 (离石区 itself, joined 2025-03-08, deactivated 04-15, no pairing);
母四 (凤山街道, joined 2024-05-01, helper of 戊 from 02-10, deactivated 03-20).

Activities: 甲 home visit 03-31 (1 人次), 乙 material aid 03-10 (2 人次, 200.50 元), 庚 home visit 03-12,
a group festival 03-22 by 母三 with 甲 and 己 (12 人次, 300.00 元; children of two regions → counted
at 母三's region, 离石区 itself); outside the month: 甲 02-28, 戊 call 04-01.
Trainings: 滨河街道 03-15 (20 人次), 离石区 03-31 (35 人次), 凤山街道 04-01 (8 人次).
Needs: 甲 opened 03-05 fulfilled 03-28; 戊 opened 02-20 fulfilled 03-03; 己 opened 03-25; 乙 opened 03-30
fulfilled 04-02.

The expected figures are written out by hand in :data:`EXPECTED` (test_stats.py checks them).
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from accounts.models import Region
from activities.services import activity_record
from children import services as children
from pairing import services as pairing
from pairing.models import EndReason, PairingRole
from tests.factories import RegionFactory
from volunteers import services as volunteers

MONTH = date(2025, 3, 1)
T1, T2, COUNTY, VILLAGE = "141102001000", "141102002000", "141102000000", "141102001200"


def _zero_kinds(**kinds) -> dict:
    from activities.models import ActivityKind

    return {kind: kinds.get(kind, 0) for kind in ActivityKind.values}


# Hand-computed, from the table in the module docstring.
EXPECTED = {
    COUNTY: {
        "children_active": 5,  # 甲 乙 戊 己 庚
        "children_by_category": {"left_behind": 4, "in_difficulty": 1, "orphan": 0, "de_facto_unsupported": 1},
        "children_by_risk": {"red": 1, "yellow": 1, "green": 2, "unassessed": 1},
        "children_by_status": {"active": 5, "suspended": 1, "exited": 1},
        "children_paired": 3,  # 甲 乙 戊
        "pairing_rate": 0.6,
        "children_without_activity": 1,  # 戊 (its call is on 04-01)
        "monthly_coverage": 0.8,
        "paired_children_without_activity": 1,
        "paired_monthly_coverage": 0.6667,
        "children_new": 2,  # 丙 己
        "children_exited": 1,  # 丙
        "overdue_by_color": {"red": 0, "yellow": 1, "green": 0, "unassessed": 1},  # 乙 (03-10 + 14 d), 戊 (02-01 + 30 d)
        "volunteers_active": 3,  # 母一 母二 母三
        "volunteers_paired": 2,  # 母一 母二
        "volunteers_new": 1,  # 母三
        "activities": 4,
        "activities_by_kind": _zero_kinds(home_visit=2, material_aid=1, festival=1),
        "participant_times": 16,
        "aid_value_yuan": "500.50",
        "trainings": 2,
        "training_participant_times": 55,
        "needs_opened": 3,
        "needs_fulfilled": 2,
    },
    T1: {
        "children_active": 3,  # 甲 乙 庚
        "children_by_category": {"left_behind": 3, "in_difficulty": 1, "orphan": 0, "de_facto_unsupported": 0},
        "children_by_risk": {"red": 1, "yellow": 1, "green": 1, "unassessed": 0},
        "children_by_status": {"active": 3, "suspended": 0, "exited": 1},
        "children_paired": 2,
        "pairing_rate": 0.6667,
        "children_without_activity": 0,
        "monthly_coverage": 1.0,
        "paired_children_without_activity": 0,
        "paired_monthly_coverage": 1.0,
        "children_new": 1,
        "children_exited": 1,
        "overdue_by_color": {"red": 0, "yellow": 1, "green": 0, "unassessed": 0},
        "volunteers_active": 1,
        "volunteers_paired": 1,
        "volunteers_new": 0,
        "activities": 3,
        "activities_by_kind": _zero_kinds(home_visit=2, material_aid=1),
        "participant_times": 4,
        "aid_value_yuan": "200.50",
        "trainings": 1,
        "training_participant_times": 20,
        "needs_opened": 2,
        "needs_fulfilled": 1,
    },
    T2: {
        "children_active": 1,  # 戊
        "children_by_category": {"left_behind": 0, "in_difficulty": 0, "orphan": 0, "de_facto_unsupported": 1},
        "children_by_risk": {"red": 0, "yellow": 0, "green": 0, "unassessed": 1},
        "children_by_status": {"active": 1, "suspended": 1, "exited": 0},
        "children_paired": 1,
        "pairing_rate": 1.0,
        "children_without_activity": 1,
        "monthly_coverage": 0.0,
        "paired_children_without_activity": 1,
        "paired_monthly_coverage": 0.0,
        "children_new": 0,
        "children_exited": 0,
        "overdue_by_color": {"red": 0, "yellow": 0, "green": 0, "unassessed": 1},
        "volunteers_active": 1,  # 母二 (母四 left on 03-20)
        "volunteers_paired": 1,
        "volunteers_new": 0,
        "activities": 0,
        "activities_by_kind": _zero_kinds(),
        "participant_times": 0,
        "aid_value_yuan": "0.00",
        "trainings": 0,
        "training_participant_times": 0,
        "needs_opened": 0,
        "needs_fulfilled": 1,
    },
    "own": {  # registered at 离石区 itself: 己, 母三, the group festival, the county training, 己's need
        "children_active": 1,
        "children_by_category": {"left_behind": 1, "in_difficulty": 0, "orphan": 0, "de_facto_unsupported": 0},
        "children_by_risk": {"red": 0, "yellow": 0, "green": 1, "unassessed": 0},
        "children_by_status": {"active": 1, "suspended": 0, "exited": 0},
        "children_paired": 0,
        "pairing_rate": 0.0,
        "children_without_activity": 0,
        "monthly_coverage": 1.0,
        "paired_children_without_activity": 0,
        "paired_monthly_coverage": 0.0,
        "children_new": 1,
        "children_exited": 0,
        "overdue_by_color": {"red": 0, "yellow": 0, "green": 0, "unassessed": 0},
        "volunteers_active": 1,
        "volunteers_paired": 0,
        "volunteers_new": 1,
        "activities": 1,
        "activities_by_kind": _zero_kinds(festival=1),
        "participant_times": 12,
        "aid_value_yuan": "300.00",
        "trainings": 1,
        "training_participant_times": 35,
        "needs_opened": 1,
        "needs_fulfilled": 0,
    },
}


def build(*, staff, staff_yuci, make_child, make_volunteer) -> SimpleNamespace:
    """Build the world (``staff`` is staff_lishi); returns the named rows."""
    RegionFactory(code=T2, name="凤山街道")
    d = date
    w = SimpleNamespace(region=Region.objects.get(pk=COUNTY), t1=Region.objects.get(pk=T1),
                        t2=Region.objects.get(pk=T2))

    def child(name, code, entered_on, categories=("left_behind",), **extra):
        return make_child(staff, name=name, region_code=code, entered_on=entered_on, categories=list(categories),
                          **extra)

    w.jia = child("甲", VILLAGE, d(2024, 9, 1))
    w.yi = child("乙", VILLAGE, d(2024, 9, 1), ("left_behind", "in_difficulty"), difficulty_types=["poverty"])
    w.bing = child("丙", T1, d(2025, 3, 5), ("orphan",))
    w.ding = child("丁", T2, d(2024, 10, 1))
    w.wu = child("戊", T2, d(2024, 10, 1), ("de_facto_unsupported",))
    w.ji = child("己", COUNTY, d(2025, 3, 20))
    w.geng = child("庚", VILLAGE, d(2024, 9, 1))
    w.xin = child("辛", T2, d(2025, 4, 2))

    w.mu1 = make_volunteer(staff, name="母一", region_code=VILLAGE, joined_on=d(2024, 6, 1))
    w.mu2 = make_volunteer(staff, name="母二", region_code=T2, joined_on=d(2025, 1, 1))
    w.mu3 = make_volunteer(staff, name="母三", region_code=COUNTY, joined_on=d(2025, 3, 8))
    w.mu4 = make_volunteer(staff, name="母四", region_code=T2, joined_on=d(2024, 5, 1))

    for kid, color, on in ((w.jia, "red", d(2025, 1, 10)), (w.yi, "yellow", d(2025, 2, 1)),
                           (w.geng, "green", d(2025, 1, 5)), (w.ji, "green", d(2025, 3, 21)),
                           (w.yi, "green", d(2025, 4, 5))):
        children.child_assess(actor=staff, child=kid, color=color, reasons=["guardianship"], assessed_on=on)

    lead = PairingRole.LEAD
    pairing.pairing_create(actor=staff, child=w.jia, volunteer=w.mu1, role=lead, started_on=d(2025, 1, 15))
    pairing.pairing_create(actor=staff, child=w.yi, volunteer=w.mu1, role=lead, started_on=d(2025, 1, 15))
    geng_lead = pairing.pairing_create(actor=staff, child=w.geng, volunteer=w.mu1, role=lead, started_on=d(2025, 1, 20))
    pairing.pairing_create(actor=staff, child=w.wu, volunteer=w.mu2, role=lead, started_on=d(2025, 2, 1))
    pairing.pairing_create(actor=staff, child=w.wu, volunteer=w.mu4, role=PairingRole.HELPER, started_on=d(2025, 2, 10))

    def activity(kid_list, on, kind, volunteer, **extra):
        return activity_record(actor=staff, children=[k.pk for k in kid_list], occurred_on=on, kind=kind,
                               volunteer=volunteer.pk, **extra)[0]

    w.activities = [
        activity([w.jia], d(2025, 2, 28), "festival", w.mu1),
        activity([w.yi], d(2025, 3, 10), "material_aid", w.mu1, participants=2, aid_value_yuan=Decimal("200.50")),
        activity([w.geng], d(2025, 3, 12), "home_visit", w.mu1),
        activity([w.jia, w.ji], d(2025, 3, 22), "festival", w.mu3, is_group=True, participants=12,
                 aid_value_yuan=Decimal("300.00")),
        activity([w.jia], d(2025, 3, 31), "home_visit", w.mu1),
        activity([w.wu], d(2025, 4, 1), "call", w.mu2),
    ]
    pairing.pairing_end(actor=staff, pairing=geng_lead, ended_on=d(2025, 3, 25), end_reason=EndReason.OTHER)

    volunteers.training_create(actor=staff, title="心理疏导培训", held_on=d(2025, 3, 15), region=w.t1,
                               attendees=[w.mu1.pk], participants=20)
    volunteers.training_create(actor=staff, title="全区爱心妈妈培训", held_on=d(2025, 3, 31), region=w.region,
                               attendees=[w.mu1.pk, w.mu2.pk], participants=35)
    volunteers.training_create(actor=staff, title="安全教育培训", held_on=d(2025, 4, 1), region=w.t2,
                               attendees=[w.mu2.pk], participants=8)

    def need(kid, opened_on, claimed_on=None, fulfilled_on=None):
        row = children.need_create(actor=staff, child=kid, kind="material", description="冬衣", opened_on=opened_on)
        if claimed_on:
            row = children.need_transition(actor=staff, need=row, to_status="claimed", on=claimed_on,
                                           claimed_by_name="区妇联")
        if fulfilled_on:
            row = children.need_transition(actor=staff, need=row, to_status="fulfilled", on=fulfilled_on)
        return row

    need(w.jia, d(2025, 3, 5), d(2025, 3, 10), d(2025, 3, 28))
    need(w.wu, d(2025, 2, 20), d(2025, 2, 25), d(2025, 3, 3))
    need(w.ji, d(2025, 3, 25))
    need(w.yi, d(2025, 3, 30), d(2025, 3, 31), d(2025, 4, 2))

    children.child_exit(actor=staff, child=w.bing, reason="moved_away", exited_on=d(2025, 3, 15))
    children.child_change_status(actor=staff, child=w.ding, to_status="suspended", effective_on=d(2025, 2, 20))
    children.child_change_status(actor=staff, child=w.ding, to_status="active", effective_on=d(2025, 4, 10))
    children.child_exit(actor=staff, child=w.wu, reason="parents_returned", exited_on=d(2025, 4, 20))
    volunteers.volunteer_set_status(actor=staff, volunteer=w.mu4, status="inactive", effective_on=d(2025, 3, 20),
                                    reason="工作调动")
    volunteers.volunteer_set_status(actor=staff, volunteer=w.mu3, status="inactive", effective_on=d(2025, 4, 15),
                                    reason="身体原因")

    # Outside 离石区: a 榆次区 child with a caring mother and an activity in March.
    far = make_child(staff_yuci, name="张小军", region_code="140702100000", entered_on=d(2024, 9, 1))
    far_mother = make_volunteer(staff_yuci, name="赵春梅", region_code="140702100000", joined_on=d(2024, 1, 1))
    pairing.pairing_create(actor=staff_yuci, child=far, volunteer=far_mother, role=lead, started_on=d(2025, 1, 1))
    activity_record(actor=staff_yuci, children=[far.pk], occurred_on=d(2025, 3, 15), kind="home_visit",
                    volunteer=far_mother.pk, participants=3, aid_value_yuan=Decimal("80.00"))
    w.far, w.far_mother = far, far_mother
    return w
