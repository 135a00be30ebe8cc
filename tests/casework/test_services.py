"""casework.services: each rule and each refusal (a Chinese message naming the field, nothing stored),
and the audit rows (old and new values; a referral without consent with the reason for overriding it)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.models import AuditAction, AuditEvent
from casework import consents, services
from casework.models import (
    ActionStatus,
    CaseAction,
    CasePlan,
    GuardianConsent,
    PlanStatus,
    Referral,
    ReferralStatus,
)
from children.models import Child
from tests.casework.conftest import assess
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def refusal(exc_info, field: str) -> str:
    messages = exc_info.value.message_dict[field]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages
    return messages[0]


# --- plans ----------------------------------------------------------------------------------------

def test_a_plan_is_opened_for_a_red_child_and_audited(red_child, staff_lishi, local_today):
    plan = services.plan_create(actor=staff_lishi, child=red_child, goals="稳定学业",
                                review_on=local_today + timedelta(days=30))
    assert plan.status == PlanStatus.OPEN
    event = AuditEvent.objects.get(target_type="casework.caseplan", target_id=str(plan.pk))
    assert event.action == AuditAction.CREATE
    assert event.region_code == red_child.region_id
    assert event.changes["goals"] == ["", "稳定学业"]


def test_a_yellow_child_may_have_a_plan(child_lishi, staff_lishi, local_today):
    assess(staff_lishi, child_lishi, "yellow", on=local_today)
    child_lishi.refresh_from_db()
    plan = services.plan_create(actor=staff_lishi, child=child_lishi, goals="关注心理", review_on=local_today)
    assert plan.is_open


@pytest.mark.parametrize("color", ["green", ""])
def test_a_green_or_unassessed_child_gets_no_plan(child_lishi, staff_lishi, local_today, color):
    if color:
        assess(staff_lishi, child_lishi, color, on=local_today)
        child_lishi.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=staff_lishi, child=child_lishi, goals="x", review_on=local_today)
    assert "红卡或黄卡" in refusal(exc, "child")
    assert not CasePlan.objects.exists()


def test_one_open_plan_per_child(plan, staff_lishi, red_child, local_today):
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=staff_lishi, child=red_child, goals="另一份", review_on=local_today)
    refusal(exc, "child")
    assert CasePlan.objects.count() == 1


def test_the_database_refuses_a_second_open_plan(plan, staff_lishi):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CasePlan.objects.create(child=plan.child, goals="x", review_on=plan.review_on, created_by=staff_lishi)


def test_a_closed_plan_makes_room_for_a_new_one(plan, staff_lishi, red_child, local_today):
    services.plan_close(actor=staff_lishi, plan=plan)
    again = services.plan_create(actor=staff_lishi, child=red_child, goals="新计划", review_on=local_today)
    assert again.pk != plan.pk


def test_a_plan_needs_goals(red_child, staff_lishi, local_today):
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=staff_lishi, child=red_child, goals="  ", review_on=local_today)
    refusal(exc, "goals")


def test_a_review_date_in_the_past_is_refused(red_child, staff_lishi, local_today):
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=staff_lishi, child=red_child, goals="x", review_on=local_today - timedelta(days=1))
    refusal(exc, "review_on")


def test_plan_update_audits_old_and_new_values(plan, staff_lishi, local_today):
    new_day = local_today + timedelta(days=60)
    services.plan_update(actor=staff_lishi, plan=plan, review_on=new_day)
    event = AuditEvent.objects.filter(target_type="casework.caseplan", target_id=str(plan.pk), action=AuditAction.UPDATE).get()
    assert event.changes == {"review_on": [plan.review_on.isoformat(), new_day.isoformat()]}


def test_plan_close_sets_the_time_and_is_audited(plan, staff_lishi):
    services.plan_close(actor=staff_lishi, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.closed_at is not None
    assert AuditEvent.objects.filter(target_type="casework.caseplan", target_id=str(plan.pk), action=AuditAction.STATUS,
                                     changes={"status": ["open", "closed"]}).exists()


def test_a_closed_plan_cannot_be_changed(plan, staff_lishi):
    services.plan_close(actor=staff_lishi, plan=plan)
    with pytest.raises(ValidationError) as exc:
        services.plan_update(actor=staff_lishi, plan=plan, goals="改")
    refusal(exc, "status")


def test_a_read_only_leader_cannot_open_a_plan(red_child, viewer_lvliang, local_today):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=viewer_lvliang, child=red_child, goals="x", review_on=local_today)


def test_staff_of_another_county_do_not_find_the_child(red_child, staff_yuci, local_today):
    with pytest.raises(Child.DoesNotExist):
        services.plan_create(actor=staff_yuci, child=red_child, goals="x", review_on=local_today)


# --- actions --------------------------------------------------------------------------------------

def test_an_action_is_added_with_a_staff_owner_and_audited(plan, staff_lishi, local_today):
    action = services.action_add(actor=staff_lishi, plan=plan, description="家访", owner=staff_lishi,
                                 due_on=local_today)
    assert action.status == ActionStatus.OPEN
    event = AuditEvent.objects.get(target_type="casework.caseaction", target_id=str(action.pk))
    assert event.changes["owner"] == [None, staff_lishi.pk]


def test_the_lead_caring_mother_may_own_an_action(plan, staff_lishi, volunteer_lishi, local_today):
    action = services.action_add(actor=staff_lishi, plan=plan, description="每周电话", owner=volunteer_lishi,
                                 due_on=local_today)
    assert action.owner == volunteer_lishi


def test_a_township_staff_member_of_the_childs_area_may_own_an_action(plan, staff_lishi, regions, local_today):
    township_staff = UserFactory(username="staff_binhe", role="staff", region=regions.lishi_township)
    action = services.action_add(actor=staff_lishi, plan=plan, description="x", owner=township_staff,
                                 due_on=local_today)
    assert action.owner == township_staff


@pytest.mark.parametrize("who", ["staff_yuci", "viewer_lvliang", "other_mother"])
def test_an_owner_outside_the_childs_scope_is_refused(plan, staff_lishi, request, regions, local_today, who):
    owner = (UserFactory(username="other", role="volunteer", region=regions.lishi_village) if who == "other_mother"
             else request.getfixturevalue(who))
    with pytest.raises(ValidationError) as exc:
        services.action_add(actor=staff_lishi, plan=plan, description="x", owner=owner, due_on=local_today)
    assert "负责人" in refusal(exc, "owner")
    assert not CaseAction.objects.exists()


def test_an_inactive_staff_member_cannot_own_an_action(plan, staff_lishi, regions, local_today):
    gone = UserFactory(username="gone", role="staff", region=regions.lishi, is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.action_add(actor=staff_lishi, plan=plan, description="x", owner=gone, due_on=local_today)
    refusal(exc, "owner")


def test_an_action_needs_a_description(plan, staff_lishi, local_today):
    with pytest.raises(ValidationError) as exc:
        services.action_add(actor=staff_lishi, plan=plan, description="", owner=staff_lishi, due_on=local_today)
    refusal(exc, "description")


def test_an_action_is_completed_today_by_default(action, staff_lishi, local_today):
    services.action_complete(actor=staff_lishi, action=action)
    action.refresh_from_db()
    assert (action.status, action.done_on) == (ActionStatus.DONE, local_today)
    event = AuditEvent.objects.get(target_type="casework.caseaction", target_id=str(action.pk), action=AuditAction.STATUS)
    assert event.changes == {"status": ["open", "done"], "done_on": [None, local_today.isoformat()]}


def test_an_action_cannot_be_done_in_the_future(action, staff_lishi, local_today):
    with pytest.raises(ValidationError) as exc:
        services.action_complete(actor=staff_lishi, action=action, done_on=local_today + timedelta(days=1))
    refusal(exc, "done_on")
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_a_done_action_cannot_be_done_again(action, staff_lishi):
    services.action_complete(actor=staff_lishi, action=action)
    with pytest.raises(ValidationError) as exc:
        services.action_complete(actor=staff_lishi, action=action)
    refusal(exc, "status")


def test_action_update_audits_the_owner_change(action, staff_lishi, volunteer_lishi):
    services.action_update(actor=staff_lishi, action=action, owner=volunteer_lishi)
    event = AuditEvent.objects.get(target_type="casework.caseaction", target_id=str(action.pk), action=AuditAction.UPDATE)
    assert event.changes == {"owner": [staff_lishi.pk, volunteer_lishi.pk]}


def test_action_update_refuses_an_owner_outside_the_scope(action, staff_lishi, staff_yuci):
    with pytest.raises(ValidationError) as exc:
        services.action_update(actor=staff_lishi, action=action, owner=staff_yuci)
    refusal(exc, "owner")
    action.refresh_from_db()
    assert action.owner == staff_lishi


def test_no_action_is_added_to_a_closed_plan(plan, staff_lishi, local_today):
    services.plan_close(actor=staff_lishi, plan=plan)
    with pytest.raises(ValidationError) as exc:
        services.action_add(actor=staff_lishi, plan=plan, description="x", owner=staff_lishi, due_on=local_today)
    refusal(exc, "status")


# --- consents and referrals -----------------------------------------------------------------------

def test_a_referral_without_consent_or_override_is_refused(red_child, staff_lishi):
    with pytest.raises(ValidationError) as exc:
        services.referral_create(actor=staff_lishi, child=red_child, department="health", organisation="卫健局",
                                 reason="需要就医")
    assert "知情同意" in refusal(exc, "consent_override_reason")
    assert not Referral.objects.exists()


def test_a_referral_with_a_sharing_consent_needs_no_override(red_child, staff_lishi, local_today):
    consents.consent_record(actor=staff_lishi, child=red_child, given_by="王大山", relation="祖父", given_on=local_today,
                            scopes=["sharing"], method="verbal", witness="李敏")
    referral = services.referral_create(actor=staff_lishi, child=red_child, department="health",
                                        organisation="离石区卫健局", reason="需要就医")
    assert referral.status == ReferralStatus.SENT and referral.consent_override_reason == ""
    assert GuardianConsent.objects.count() == 1


def test_the_consent_override_is_audited_with_its_reason(referral):
    event = AuditEvent.objects.get(target_type="casework.referral", target_id=str(referral.pk))
    assert event.detail == {"consent": "overridden", "consent_override_reason": "监护人外出务工，联系不上"}
    assert event.region_code == referral.child.region_id


def test_an_unknown_department_is_refused(red_child, staff_lishi):
    with pytest.raises(ValidationError) as exc:
        services.referral_create(actor=staff_lishi, child=red_child, department="army", organisation="x",
                                 reason="x", consent_override_reason="紧急")
    refusal(exc, "department")


def test_a_consent_without_sharing_still_needs_the_override(red_child, staff_lishi, local_today):
    consents.consent_record(actor=staff_lishi, child=red_child, given_by="王大山", relation="祖父", given_on=local_today,
                            scopes=["processing", "photos"], method="verbal", witness="李敏")
    with pytest.raises(ValidationError) as exc:
        services.referral_create(actor=staff_lishi, child=red_child, department="health", organisation="卫健局",
                                 reason="需要就医")
    refusal(exc, "consent_override_reason")


def test_a_withdrawn_sharing_consent_needs_the_override_again(red_child, staff_lishi, local_today):
    consent = consents.consent_record(actor=staff_lishi, child=red_child, given_by="王大山", relation="祖父",
                                      given_on=local_today, scopes=["sharing"], method="verbal", witness="李敏")
    consents.consent_withdraw(actor=staff_lishi, consent=consent)
    with pytest.raises(ValidationError) as exc:
        services.referral_create(actor=staff_lishi, child=red_child, department="health", organisation="卫健局",
                                 reason="需要就医")
    refusal(exc, "consent_override_reason")


def test_referral_sent_accepted_completed(referral, staff_lishi, local_today):
    services.referral_transition(actor=staff_lishi, referral=referral, to_status="accepted")
    services.referral_transition(actor=staff_lishi, referral=referral, to_status="completed", outcome="已复学")
    referral.refresh_from_db()
    assert (referral.status, referral.accepted_on, referral.completed_on, referral.outcome) == (
        "completed", local_today, local_today, "已复学")
    changes = [e.changes for e in AuditEvent.objects.filter(target_type="casework.referral", target_id=str(referral.pk), action=AuditAction.STATUS)
               .order_by("id")]
    assert changes[0] == {"status": ["sent", "accepted"], "accepted_on": [None, local_today.isoformat()]}
    assert changes[1]["status"] == ["accepted", "completed"]


def test_a_sent_referral_may_be_declined(referral, staff_lishi, local_today):
    services.referral_transition(actor=staff_lishi, referral=referral, to_status="declined")
    referral.refresh_from_db()
    assert (referral.status, referral.declined_on) == ("declined", local_today)


@pytest.mark.parametrize("to", ["completed", "sent", "bogus"])
def test_a_sent_referral_cannot_skip_ahead(referral, staff_lishi, to):
    with pytest.raises(ValidationError) as exc:
        services.referral_transition(actor=staff_lishi, referral=referral, to_status=to, outcome="x")
    refusal(exc, "status")
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_declined_referral_is_final(referral, staff_lishi):
    services.referral_transition(actor=staff_lishi, referral=referral, to_status="declined")
    with pytest.raises(ValidationError) as exc:
        services.referral_transition(actor=staff_lishi, referral=referral, to_status="accepted")
    refusal(exc, "status")


def test_completing_needs_an_outcome(referral, staff_lishi):
    services.referral_transition(actor=staff_lishi, referral=referral, to_status="accepted")
    with pytest.raises(ValidationError) as exc:
        services.referral_transition(actor=staff_lishi, referral=referral, to_status="completed", outcome=" ")
    refusal(exc, "outcome")
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_a_transition_before_the_referral_is_refused(referral, staff_lishi):
    with pytest.raises(ValidationError) as exc:
        services.referral_transition(actor=staff_lishi, referral=referral, to_status="accepted",
                                     on=referral.referred_on - timedelta(days=1))
    refusal(exc, "on")
