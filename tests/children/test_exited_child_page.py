"""An exited child's page offers no new activity and shows no review date; an active child's does."""

from datetime import date

import pytest
from django.urls import reverse

from children import services
from children.models import ExitReason, RiskColor, RiskFactor

pytestmark = pytest.mark.django_db

EXITED_ON = date(2025, 1, 10)
REVIEW_ON = date(2024, 12, 1)


@pytest.fixture
def assessed_lishi(child_lishi, staff_lishi):
    services.child_assess(actor=staff_lishi, child=child_lishi, color=RiskColor.YELLOW,
                          reasons=[RiskFactor.values[0]], assessed_on=date(2024, 10, 1),
                          next_review_on=REVIEW_ON)
    return child_lishi


def exit_child(child, actor):
    services.child_exit(actor=actor, child=child, reason=ExitReason.PARENTS_RETURNED, exited_on=EXITED_ON)


def page(client, child) -> str:
    return client.get(reverse("children:detail", args=[child.pk])).content.decode()


def facts(client, child) -> str:
    """The record's facts box (the timeline below it names each assessment's review date)."""
    return page(client, child).split('<dl class="facts">')[1].split("</dl>")[0]


def test_active_child_page_offers_record_an_activity(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    assert f"{reverse('activities:create')}?child={child_lishi.pk}" in page(client, child_lishi)


def test_exited_child_page_offers_no_record_an_activity(client, staff_lishi, child_lishi):
    exit_child(child_lishi, staff_lishi)
    client.force_login(staff_lishi)
    assert reverse("activities:create") not in page(client, child_lishi)


def test_active_child_page_shows_the_review_date(client, staff_lishi, assessed_lishi):
    client.force_login(staff_lishi)
    assert REVIEW_ON.isoformat() in facts(client, assessed_lishi)


def test_exited_child_page_shows_no_review_date(client, staff_lishi, assessed_lishi):
    exit_child(assessed_lishi, staff_lishi)
    client.force_login(staff_lishi)
    assert REVIEW_ON.isoformat() not in facts(client, assessed_lishi)
