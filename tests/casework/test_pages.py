"""The casework pages, the home page's 我的逾期行动, the daily reminder of overdue actions, and the risk
board's 红卡儿童尚无帮扶计划 list (on pinned days)."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from activities import reminders
from activities.models import Notification
from casework import selectors, services
from casework.models import CasePlan, Referral
from tests.casework.conftest import assess

pytestmark = pytest.mark.django_db


def overdue_action(plan, owner, actor, days: int = 3):
    """An action of ``plan`` owned by ``owner``, due ``days`` days ago."""
    from django.utils import timezone

    return services.action_add(actor=actor, plan=plan, description="电话回访", owner=owner,
                               due_on=timezone.localdate() - timedelta(days=days))


# --- the child's casework page --------------------------------------------------------------------

def test_the_child_page_links_to_the_casework_page(client, staff_lishi, red_child):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:detail", args=[red_child.pk])).content.decode()
    assert reverse("casework:child", args=[red_child.pk]) in page
    assert "帮扶计划与转介" in page


def test_the_casework_page_shows_the_plan_actions_and_referrals(client, staff_lishi, plan, action, referral):
    client.force_login(staff_lishi)
    page = client.get(reverse("casework:child", args=[plan.child_id])).content.decode()
    for text in ("稳定学业，改善监护", "联系学校班主任", "离石区教育局", "教育", "已转介", "监护人外出务工"):
        assert text in page
    assert 'data-label="行动"' in page


def test_a_plan_is_opened_from_the_page(client, staff_lishi, red_child, local_today):
    client.force_login(staff_lishi)
    response = client.post(reverse("casework:plan-create", args=[red_child.pk]),
                           {"goals": "稳定学业", "review_on": (local_today + timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    assert CasePlan.objects.filter(child=red_child, status="open").count() == 1


def test_a_refused_form_names_the_field_in_chinese(client, staff_lishi, red_child):
    client.force_login(staff_lishi)
    response = client.post(reverse("casework:referral-create", args=[red_child.pk]),
                           {"department": "health", "organisation": "卫健局", "reason": "就医"}, follow=True)
    assert "未经同意转介的原因：" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_malformed_date_is_refused_naming_it(client, staff_lishi, red_child):
    client.force_login(staff_lishi)
    response = client.post(reverse("casework:plan-create", args=[red_child.pk]),
                           {"goals": "x", "review_on": "2027-02-30"}, follow=True)
    assert "复核日期：" in response.content.decode()
    assert not CasePlan.objects.exists()


def test_county_b_staff_get_404_on_the_page(client, staff_yuci, plan):
    client.force_login(staff_yuci)
    assert client.get(reverse("casework:child", args=[plan.child_id])).status_code == 404
    assert client.post(reverse("casework:plan-close", args=[plan.pk])).status_code == 404


def test_a_leader_reads_the_page_without_forms_and_may_not_post(client, viewer_lvliang, plan):
    client.force_login(viewer_lvliang)
    page = client.get(reverse("casework:child", args=[plan.child_id])).content.decode()
    assert "稳定学业" in page and reverse("casework:plan-close", args=[plan.pk]) not in page
    assert client.post(reverse("casework:plan-close", args=[plan.pk])).status_code == 403


def test_a_caring_mother_is_sent_to_her_phone_pages(client, volunteer_lishi, plan):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("casework:child", args=[plan.child_id]))
    assert response.status_code == 302 and response["Location"] == reverse("phone:home")


# --- overdue actions ------------------------------------------------------------------------------

def test_the_overdue_selector_lists_only_the_users_own_open_actions_past_due(plan, staff_lishi, regions,
                                                                          action, local_today):
    from tests.factories import UserFactory

    colleague = UserFactory(username="colleague", role="staff", region=regions.lishi)
    late = overdue_action(plan, staff_lishi, staff_lishi)
    overdue_action(plan, colleague, staff_lishi)
    done = overdue_action(plan, staff_lishi, staff_lishi)
    services.action_complete(actor=staff_lishi, action=done)
    due_today = services.action_add(actor=staff_lishi, plan=plan, description="今天", owner=staff_lishi,
                                    due_on=local_today)
    listed = list(selectors.overdue_actions(staff_lishi, local_today))
    assert listed == [late] and due_today not in listed


def test_the_home_page_counts_my_overdue_actions_and_links_the_list(client, staff_lishi, plan):
    overdue_action(plan, staff_lishi, staff_lishi)
    client.force_login(staff_lishi)
    page = client.get(reverse("home")).content.decode()
    assert "我的逾期行动" in page
    assert f'href="{reverse("casework:overdue-actions")}">1</a>' in page


def test_the_overdue_list_shows_the_child_and_days(client, staff_lishi, plan):
    overdue_action(plan, staff_lishi, staff_lishi, days=4)
    client.force_login(staff_lishi)
    response = client.get(reverse("casework:overdue-actions"))
    [row] = response.context["page"]
    assert row.days_overdue == 4 and "王小雨" in response.content.decode()


def test_the_overdue_list_is_a_fixed_number_of_queries(client, staff_lishi, plan, django_assert_num_queries):
    for _ in range(3):
        overdue_action(plan, staff_lishi, staff_lishi)
    client.force_login(staff_lishi)
    # 1 the session; 2 the user; 3 the count of overdue actions; 4 one page of them with their plans and
    # children; 5 the unread-notifications badge in the layout.
    with django_assert_num_queries(5):
        client.get(reverse("casework:overdue-actions"))


def test_the_daily_reminders_notify_each_owner_once_a_day(plan, staff_lishi, volunteer_lishi, local_today):
    overdue_action(plan, staff_lishi, staff_lishi)
    overdue_action(plan, staff_lishi, staff_lishi)
    overdue_action(plan, volunteer_lishi, staff_lishi)
    first = reminders.send_daily(today=local_today)
    second = reminders.send_daily(today=local_today)
    notes = Notification.objects.filter(kind="actions").order_by("recipient_id")
    assert (first.actions, second.actions) == (2, 0)
    by_user = {n.recipient_id: n for n in notes}
    assert "2" in by_user[staff_lishi.pk].title
    assert by_user[staff_lishi.pk].link == reverse("casework:overdue-actions")
    assert by_user[volunteer_lishi.pk].link == reverse("phone:home")
    assert {n.dedupe_key for n in notes} == {f"actions:{local_today.isoformat()}"}


# --- the risk board -------------------------------------------------------------------------------

def board_without_plan(client, user):
    client.force_login(user)
    return client.get(reverse("children:risk-board")).context["without_plan"]


def test_a_red_child_without_a_plan_after_the_due_days_is_listed(client, staff_lishi, child_lishi, today):
    assess(staff_lishi, child_lishi, "red", on=today - timedelta(days=8))
    [listed] = board_without_plan(client, staff_lishi)
    assert (listed.pk, listed.red_since, listed.days_red) == (child_lishi.pk, today - timedelta(days=8), 8)
    assert "红卡儿童尚无帮扶计划" in client.get(reverse("children:risk-board")).content.decode()


def test_a_child_red_for_exactly_the_due_days_is_not_listed_yet(client, staff_lishi, child_lishi, today):
    assess(staff_lishi, child_lishi, "red", on=today - timedelta(days=7))
    assert board_without_plan(client, staff_lishi) == []


def test_the_red_date_is_the_start_of_the_current_red_run(client, staff_lishi, child_lishi, today):
    assess(staff_lishi, child_lishi, "red", on=today - timedelta(days=40))
    assess(staff_lishi, child_lishi, "yellow", on=today - timedelta(days=30))
    assess(staff_lishi, child_lishi, "red", on=today - timedelta(days=5))
    assert board_without_plan(client, staff_lishi) == []  # red again only 5 days ago
    assess(staff_lishi, child_lishi, "red", on=today - timedelta(days=1))  # a review keeps it red
    assert board_without_plan(client, staff_lishi) == []


def test_an_open_plan_takes_the_child_off_the_list(client, staff_lishi, child_lishi, today):
    assess(staff_lishi, child_lishi, "red", on=today - timedelta(days=20))
    child_lishi.refresh_from_db()
    services.plan_create(actor=staff_lishi, child=child_lishi, goals="x", review_on=today)
    assert board_without_plan(client, staff_lishi) == []


def test_the_due_days_come_from_the_setting(client, staff_lishi, child_lishi, today):
    assess(staff_lishi, child_lishi, "red", on=today - timedelta(days=3))
    with override_settings(CASE_PLAN_DUE_DAYS=2):
        assert [c.pk for c in board_without_plan(client, staff_lishi)] == [child_lishi.pk]


def test_county_b_does_not_see_county_as_red_child(client, staff_yuci, staff_lishi, child_lishi, today):
    assess(staff_lishi, child_lishi, "red", on=today - timedelta(days=20))
    assert board_without_plan(client, staff_yuci) == []
