"""/api/v1/case-plans/ and /api/v1/referrals/: the shapes, 400 naming the field, 404 outside the
caller's subtree, 403 for read-only leaders writing and for caring mothers, list query counts."""

from datetime import timedelta

import pytest

from casework.models import CasePlan, Referral

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/case-plans/"
REFERRALS = "/api/v1/referrals/"


def test_a_plan_reads_in_the_issues_shape(api_client_for, staff_lishi, plan, action):
    body = api_client_for(staff_lishi).get(f"{PLANS}{plan.pk}/").json()
    assert body == {"id": plan.pk, "child": plan.child_id, "goals": plan.goals,
                    "review_on": plan.review_on.isoformat(), "status": "open",
                    "actions": [{"id": action.pk, "description": "联系学校班主任", "owner": staff_lishi.pk,
                                 "due_on": action.due_on.isoformat(), "status": "open", "done_on": None}]}


def test_a_referral_reads_in_the_issues_shape(api_client_for, staff_lishi, referral):
    body = api_client_for(staff_lishi).get(f"{REFERRALS}{referral.pk}/").json()
    assert {key: body[key] for key in ("id", "child", "department", "organisation", "reason", "status", "outcome",
                                       "referred_on", "consent_override_reason")} == {
        "id": referral.pk, "child": referral.child_id, "department": "education", "organisation": "离石区教育局",
        "reason": "有辍学风险", "status": "sent", "outcome": "", "referred_on": referral.referred_on.isoformat(),
        "consent_override_reason": "监护人外出务工，联系不上"}


def test_staff_open_a_plan_and_add_and_complete_an_action(api_client_for, staff_lishi, red_child, local_today):
    client = api_client_for(staff_lishi)
    created = client.post(PLANS, {"child": red_child.pk, "goals": "稳定学业",
                                  "review_on": (local_today + timedelta(days=30)).isoformat()}, format="json")
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    added = client.post(f"{PLANS}{plan_id}/actions/", {"description": "家访", "owner": staff_lishi.pk,
                                                         "due_on": local_today.isoformat()}, format="json")
    assert added.status_code == 201, added.json()
    done = client.post(f"{PLANS}{plan_id}/actions/{added.json()['id']}/complete/", {}, format="json")
    assert done.json()["status"] == "done" and done.json()["done_on"] == local_today.isoformat()
    assert client.post(f"{PLANS}{plan_id}/close/").json()["status"] == "closed"


def test_a_green_child_is_a_400_naming_child(api_client_for, staff_lishi, child_lishi, local_today):
    response = api_client_for(staff_lishi).post(PLANS, {"child": child_lishi.pk, "goals": "x",
                                                        "review_on": local_today.isoformat()}, format="json")
    assert response.status_code == 400
    assert "红卡或黄卡" in response.json()["child"][0]


def test_an_owner_outside_the_scope_is_a_400_naming_owner(api_client_for, staff_lishi, staff_yuci, plan, local_today):
    response = api_client_for(staff_lishi).post(f"{PLANS}{plan.pk}/actions/", {
        "description": "x", "owner": staff_yuci.pk, "due_on": local_today.isoformat()}, format="json")
    assert response.status_code == 400 and "owner" in response.json()


def test_an_unknown_owner_is_a_400_naming_owner(api_client_for, staff_lishi, plan, local_today):
    response = api_client_for(staff_lishi).post(f"{PLANS}{plan.pk}/actions/", {
        "description": "x", "owner": 999999, "due_on": local_today.isoformat()}, format="json")
    assert response.status_code == 400 and "owner" in response.json()


def test_a_malformed_date_is_a_400_naming_it(api_client_for, staff_lishi, red_child):
    response = api_client_for(staff_lishi).post(PLANS, {"child": red_child.pk, "goals": "x", "review_on": "明天"},
                                                format="json")
    assert response.status_code == 400 and "review_on" in response.json()


def test_a_referral_without_consent_is_a_400_naming_the_override(api_client_for, staff_lishi, red_child):
    response = api_client_for(staff_lishi).post(REFERRALS, {"child": red_child.pk, "department": "justice",
                                                            "organisation": "司法所", "reason": "法律援助"},
                                                format="json")
    assert response.status_code == 400 and "consent_override_reason" in response.json()
    assert not Referral.objects.exists()


def test_referral_transitions_over_the_api(api_client_for, staff_lishi, referral):
    client = api_client_for(staff_lishi)
    assert client.post(f"{REFERRALS}{referral.pk}/complete/", {"outcome": "x"}, format="json").status_code == 400
    assert client.post(f"{REFERRALS}{referral.pk}/accept/", {}, format="json").json()["status"] == "accepted"
    missing = client.post(f"{REFERRALS}{referral.pk}/complete/", {"outcome": ""}, format="json")
    assert missing.status_code == 400 and "outcome" in missing.json()
    done = client.post(f"{REFERRALS}{referral.pk}/complete/", {"outcome": "已复学"}, format="json").json()
    assert (done["status"], done["outcome"]) == ("completed", "已复学")


# --- scope ----------------------------------------------------------------------------------------

def test_county_b_staff_get_404_for_a_plan_and_a_referral(api_client_for, staff_yuci, plan, referral):
    client = api_client_for(staff_yuci)
    assert client.get(f"{PLANS}{plan.pk}/").status_code == 404
    assert client.get(f"{REFERRALS}{referral.pk}/").status_code == 404
    assert client.post(f"{PLANS}{plan.pk}/close/").status_code == 404
    assert client.get(PLANS).json()["results"] == []


def test_county_b_staff_cannot_name_a_child_of_county_a(api_client_for, staff_yuci, red_child, local_today):
    response = api_client_for(staff_yuci).post(PLANS, {"child": red_child.pk, "goals": "x",
                                                       "review_on": local_today.isoformat()}, format="json")
    assert response.status_code == 404
    assert not CasePlan.objects.exists()


def test_a_read_only_leader_reads_but_may_not_write(api_client_for, viewer_lvliang, plan, referral):
    client = api_client_for(viewer_lvliang)
    assert client.get(f"{PLANS}{plan.pk}/").status_code == 200
    assert client.get(f"{REFERRALS}{referral.pk}/").status_code == 200
    refused = client.post(f"{PLANS}{plan.pk}/close/")
    assert refused.status_code == 403 and "查看者" in refused.json()["detail"]
    assert client.post(f"{REFERRALS}{referral.pk}/accept/", {}, format="json").status_code == 403


def test_a_caring_mother_gets_403(api_client_for, volunteer_lishi, plan, referral):
    client = api_client_for(volunteer_lishi)
    assert client.get(PLANS).status_code == 403
    assert client.get(REFERRALS).status_code == 403


def test_a_caring_mother_sees_only_her_own_actions_through_the_scoping(plan, staff_lishi, volunteer_lishi,
                                                                       local_today):
    from casework import services
    from casework.models import CaseAction, GuardianConsent

    mine = services.action_add(actor=staff_lishi, plan=plan, description="每周电话", owner=volunteer_lishi,
                               due_on=local_today)
    services.action_add(actor=staff_lishi, plan=plan, description="联系学校", owner=staff_lishi, due_on=local_today)
    assert list(CaseAction.objects.visible_to(volunteer_lishi)) == [mine]
    assert not CasePlan.objects.visible_to(volunteer_lishi).exists()
    assert not Referral.objects.visible_to(volunteer_lishi).exists()
    assert not GuardianConsent.objects.visible_to(volunteer_lishi).exists()


def test_a_bad_filter_value_is_a_400(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get(PLANS, {"child": "abc"})
    assert response.status_code == 400 and "child" in response.json()


# --- query counts ---------------------------------------------------------------------------------

def test_the_plan_list_is_a_fixed_number_of_queries(api_client_for, staff_lishi, make_child, plan, action,
                                                    django_assert_num_queries, local_today):
    from casework import services
    from tests.casework.conftest import assess

    client = api_client_for(staff_lishi)
    for i in range(3):
        child = make_child(staff_lishi, name=f"红{i}")
        assess(staff_lishi, child, "red", on=local_today)
        child.refresh_from_db()
        more = services.plan_create(actor=staff_lishi, child=child, goals="x", review_on=local_today)
        services.action_add(actor=staff_lishi, plan=more, description="y", owner=staff_lishi, due_on=local_today)
    # 1 the token; 2 its last use (at most once a minute: none here); the count; the page of plans;
    # the actions of the page's plans, in one query.
    with django_assert_num_queries(4):
        response = client.get(PLANS)
    assert response.json()["count"] == 4


def test_the_referral_list_is_a_fixed_number_of_queries(api_client_for, staff_lishi, red_child, referral,
                                                        django_assert_num_queries):
    from casework import services

    client = api_client_for(staff_lishi)
    for i in range(3):
        services.referral_create(actor=staff_lishi, child=red_child, department="other", organisation=f"单位{i}",
                                 reason="x", consent_override_reason="紧急")
    # 1 the token with its user; 2 the count; 3 the page of referrals.
    with django_assert_num_queries(3):
        response = client.get(REFERRALS)
    assert response.json()["count"] == 4
