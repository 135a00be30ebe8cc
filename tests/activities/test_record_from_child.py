"""Recording an activity from a child's page: the child and her active lead caring mother are chosen at
first, the breadcrumb trail leads back to the child, and Cancel returns to the page it was opened from —
a local path only."""

from datetime import date

import pytest
from django.urls import reverse

from pairing import services as pairing_services
from pairing.models import EndReason, PairingRole

pytestmark = pytest.mark.django_db


def record_page(client, child, **params):
    response = client.get(reverse("activities:create"), {"child": child.pk, **params})
    assert response.status_code == 200
    return response


@pytest.fixture
def helper_mother(make_volunteer, staff_lishi):
    return make_volunteer(staff_lishi, name="陈美华")


def test_child_is_preselected(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    assert record_page(client, child_lishi).context["form"]["children"].value() == [child_lishi.pk]


def test_active_lead_is_preselected(client, staff_lishi, child_lishi, mother_lishi, helper_mother, pair):
    pair(child_lishi, mother_lishi)
    pair(child_lishi, helper_mother, PairingRole.HELPER)
    client.force_login(staff_lishi)
    assert record_page(client, child_lishi).context["form"]["volunteer"].value() == mother_lishi.pk


def test_no_caring_mother_is_preselected_without_an_active_lead(client, staff_lishi, child_lishi, mother_lishi,
                                                                 pair):
    ended = pair(child_lishi, mother_lishi)
    pairing_services.pairing_end(actor=staff_lishi, pairing=ended, ended_on=date(2025, 6, 1),
                                 end_reason=EndReason.MOVED)
    client.force_login(staff_lishi)
    assert record_page(client, child_lishi).context["form"]["volunteer"].value() is None


def test_child_page_link_carries_the_way_back(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    child_url = reverse("children:detail", args=[child_lishi.pk])
    html = client.get(child_url).content.decode()
    assert f"?child={child_lishi.pk}&amp;next={child_url}" in html


def test_back_and_cancel_return_to_the_child(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    child_url = reverse("children:detail", args=[child_lishi.pk])
    html = record_page(client, child_lishi, next=child_url).content.decode()
    assert html.count(f'href="{child_url}"') == 2


def trail(response) -> str:
    return response.content.decode().split('class="trail"', 1)[1].split("</nav>", 1)[0]


def test_the_trail_leads_through_the_activities_and_the_child(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    shown = trail(record_page(client, child_lishi))
    assert f'href="{reverse("activities:list")}"' in shown
    child_link = f'href="{reverse("children:detail", args=[child_lishi.pk])}">王小雨</a>'
    assert shown.index(child_link) < shown.index('<span aria-current="page">记录关爱活动</span>')


def test_the_page_has_no_back_arrow_besides_the_trail(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    html = record_page(client, child_lishi).content.decode()
    assert "←" not in html and 'class="crumbs"' not in html


def test_the_trail_of_a_group_activity_names_it(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("activities:create"), {"group": "1"})
    assert '<span aria-current="page">记录集体活动</span>' in trail(response)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"])
def test_next_off_this_site_is_ignored(client, staff_lishi, child_lishi, target):
    client.force_login(staff_lishi)
    assert record_page(client, child_lishi, next=target).context["back_url"] == ""
