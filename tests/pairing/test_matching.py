"""Suggested caring mothers (pairing.matching): nearness, skills, free capacity, scope, bounded queries."""

from datetime import date

import pytest

from accounts.roles import Role
from children import services as child_services
from pairing import matching
from tests.factories import UserFactory, ensure_region
from volunteers import services as volunteer_services
from volunteers.models import VolunteerStatus

VILLAGE = "141102001200"  # 东关村, where child_lishi lives
OTHER_VILLAGE = "141102001201"  # same township
OTHER_TOWNSHIP = "141102002200"  # same county, another township
OTHER_COUNTY = "141121001200"  # 文水县, same city (吕梁市)


@pytest.fixture
def staff_lvliang(regions):
    for code in (OTHER_VILLAGE, OTHER_TOWNSHIP, OTHER_COUNTY):
        ensure_region(code)
    return UserFactory(username="staff_lvliang", role=Role.STAFF, region=regions.lvliang)


def names(suggestions) -> list[str]:
    return [s.volunteer.name for s in suggestions]


def test_ranked_by_nearness_in_the_region_tree(make_volunteer, staff_lvliang, child_lishi):
    make_volunteer(staff_lvliang, name="同县", region_code=OTHER_TOWNSHIP)
    make_volunteer(staff_lvliang, name="同镇", region_code=OTHER_VILLAGE)
    make_volunteer(staff_lvliang, name="同村", region_code=VILLAGE)
    rows = matching.suggest_volunteers(actor=staff_lvliang, child=child_lishi)
    assert names(rows) == ["同村", "同镇", "同县"]
    assert [r.nearness for r in rows] == [3, 2, 1]


def test_skills_answering_the_risk_reasons_rank_first_among_equals(make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="普通", skills=["heritage"])
    make_volunteer(staff_lishi, name="心理", skills=["psychological"])
    child_services.child_assess(actor=staff_lishi, child=child_lishi, color="red", reasons=["mental_health"],
                                assessed_on=date(2025, 3, 1))
    rows = matching.suggest_volunteers(actor=staff_lishi, child=child_lishi)
    assert names(rows) == ["心理", "普通"]
    assert rows[0].matched_skills == ("psychological",) and rows[1].matched_skills == ()


def test_only_the_latest_assessment_counts(make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="心理", skills=["psychological"])
    make_volunteer(staff_lishi, name="辅导", skills=["tutoring"])
    child_services.child_assess(actor=staff_lishi, child=child_lishi, color="red", reasons=["mental_health"],
                                assessed_on=date(2025, 1, 1))
    child_services.child_assess(actor=staff_lishi, child=child_lishi, color="yellow", reasons=["schooling"],
                                assessed_on=date(2025, 3, 1))
    assert names(matching.suggest_volunteers(actor=staff_lishi, child=child_lishi)) == ["辅导", "心理"]


def test_guardianship_is_answered_by_family_education_and_legal(make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="一项", skills=["legal"])
    make_volunteer(staff_lishi, name="两项", skills=["legal", "family_education"])
    make_volunteer(staff_lishi, name="无关", skills=["arts_sports"])
    child_services.child_assess(actor=staff_lishi, child=child_lishi, color="yellow", reasons=["guardianship"],
                                assessed_on=date(2025, 3, 1))
    assert names(matching.suggest_volunteers(actor=staff_lishi, child=child_lishi)) == ["两项", "一项", "无关"]


def test_open_needs_are_answered_by_skills(make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="普通")
    make_volunteer(staff_lishi, name="辅导", skills=["tutoring"])
    child_services.need_create(actor=staff_lishi, child=child_lishi, kind="study", description="数学跟不上")
    rows = matching.suggest_volunteers(actor=staff_lishi, child=child_lishi)
    assert names(rows) == ["辅导", "普通"]


def test_more_free_capacity_ranks_first_among_equals(make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="三位", capacity=3)
    make_volunteer(staff_lishi, name="五位", capacity=5)
    rows = matching.suggest_volunteers(actor=staff_lishi, child=child_lishi)
    assert [(r.volunteer.name, r.free) for r in rows] == [("五位", 5), ("三位", 3)]


def test_full_inactive_already_paired_and_out_of_scope_mothers_are_left_out(make_volunteer, make_child, pair,
                                                                             staff_lishi, child_lishi, mother_yuci):
    full = make_volunteer(staff_lishi, name="满员", capacity=1)
    pair(make_child(staff_lishi, name="甲小一"), full)
    gone = make_volunteer(staff_lishi, name="离开")
    volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=gone, status=VolunteerStatus.INACTIVE,
                                            effective_on=date(2025, 1, 1), reason="外出")
    lead = make_volunteer(staff_lishi, name="已结对")
    pair(child_lishi, lead)
    available = make_volunteer(staff_lishi, name="可结对")
    assert names(matching.suggest_volunteers(actor=staff_lishi, child=child_lishi)) == [available.name]


def test_widens_to_the_city_when_the_county_has_too_few(make_volunteer, staff_lvliang, child_lishi):
    make_volunteer(staff_lvliang, name="同村", region_code=VILLAGE)
    make_volunteer(staff_lvliang, name="外县", region_code=OTHER_COUNTY)
    rows = matching.suggest_volunteers(actor=staff_lvliang, child=child_lishi, limit=5)
    assert names(rows) == ["同村", "外县"]
    assert rows[1].nearness == matching.SAME_CITY


def test_stays_in_the_county_when_it_has_enough(make_volunteer, staff_lvliang, child_lishi):
    make_volunteer(staff_lvliang, name="同村", region_code=VILLAGE)
    make_volunteer(staff_lvliang, name="外县", region_code=OTHER_COUNTY)
    assert names(matching.suggest_volunteers(actor=staff_lvliang, child=child_lishi, limit=1)) == ["同村"]


def test_explanation_names_nearness_room_and_skills(make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="心理", skills=["psychological"], capacity=2)
    child_services.child_assess(actor=staff_lishi, child=child_lishi, color="red", reasons=["mental_health"],
                                assessed_on=date(2025, 3, 1))
    suggestion = matching.suggest_volunteers(actor=staff_lishi, child=child_lishi)[0]
    parts = suggestion.explanation.split(" · ")
    assert parts[0] == str(matching.nearness_label(3))
    assert "2" in parts[1]
    assert suggestion.skill_labels[0] in parts[2]


@pytest.mark.parametrize("volunteers", [2, 40])
def test_bounded_queries_whatever_the_number_of_volunteers(make_volunteer, staff_lvliang, child_lishi,
                                                            django_assert_num_queries, volunteers):
    for i in range(volunteers):
        make_volunteer(staff_lvliang, name=f"妈妈{i}", region_code=(VILLAGE, OTHER_TOWNSHIP)[i % 2])
    child = type(child_lishi).objects.get(pk=child_lishi.pk)
    # reasons, needs, county candidates, and (2 < 10 only) the city candidates
    with django_assert_num_queries(4 if volunteers < 10 else 3):
        rows = matching.suggest_volunteers(actor=staff_lvliang, child=child)
        [r.explanation for r in rows]
    assert len(rows) == min(volunteers, 10)


def test_search_finds_any_active_mother_in_scope_even_a_full_one(make_volunteer, make_child, pair, staff_lishi,
                                                                  child_lishi, mother_yuci):
    full = make_volunteer(staff_lishi, name="王满员", capacity=1, phone="13800001111")
    pair(make_child(staff_lishi, name="甲小一"), full)
    make_volunteer(staff_lishi, name="李其他")
    by_name = matching.search_volunteers(actor=staff_lishi, child=child_lishi, query="满员")
    assert [(s.volunteer, s.free) for s in by_name] == [(full, 0)]
    assert [s.volunteer for s in matching.search_volunteers(actor=staff_lishi, child=child_lishi,
                                                            query="1380000")] == [full]
    assert matching.search_volunteers(actor=staff_lishi, child=child_lishi, query=mother_yuci.name) == []
