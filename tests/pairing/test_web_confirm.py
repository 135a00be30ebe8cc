"""Pairing from the suggestions page asks first: each caring mother's row has one primary button, 结对,
which opens a confirmation step showing the child, the caring mother, her role and the start date;
confirming creates the pairing through pairing.services, cancelling creates nothing."""

from datetime import date

import pytest
from django.urls import reverse

from pairing.models import Pairing, PairingRole

pytestmark = pytest.mark.django_db

START = "2025-03-01"


def page(response) -> str:
    return response.content.decode()


def confirm_url(child, volunteer, role: str = "lead", started_on: str = START, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"choice": f"{volunteer.pk}:{role}", "started_on": started_on,
                                             **extra}.items())
    return reverse("pairing:confirm", args=[child.pk]) + "?" + query


# --- the suggestions page -------------------------------------------------------------------------

def test_each_row_has_one_primary_button_and_it_says_pair(client, make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="同村妈妈")
    make_volunteer(staff_lishi, name="邻村妈妈")
    client.force_login(staff_lishi)
    html = page(client.get(reverse("pairing:suggest", args=[child_lishi.pk])))
    rows = html.split('<li class="candidate">')[1:]
    assert len(rows) == 2
    for row in rows:
        assert row.count("<button") == 1 and row.count("btn-primary") == 1
        assert ">结对</button>" in row


def test_the_helper_button_is_the_same_primary_pair_button(client, pair, make_volunteer, staff_lishi,
                                                          child_lishi, mother_lishi):
    pair(child_lishi, mother_lishi)
    doctor = make_volunteer(staff_lishi, name="医生张")
    client.force_login(staff_lishi)
    html = page(client.get(reverse("pairing:suggest", args=[child_lishi.pk])))
    row = html.split(f'value="{doctor.pk}:helper"')[1].split("</button>")[0]
    assert "btn-primary" in row and row.endswith(">结对")


def test_the_pair_buttons_go_to_the_confirmation_not_to_the_pairing(client, make_volunteer, staff_lishi,
                                                                   child_lishi):
    make_volunteer(staff_lishi, name="同村妈妈")
    client.force_login(staff_lishi)
    html = page(client.get(reverse("pairing:suggest", args=[child_lishi.pk])))
    assert f'<form method="get" action="{reverse("pairing:confirm", args=[child_lishi.pk])}"' in html
    assert reverse("pairing:create", args=[child_lishi.pk]) not in html


# --- the confirmation step ------------------------------------------------------------------------

def test_confirmation_shows_the_child_the_caring_mother_the_role_and_the_start_date(client, staff_lishi,
                                                                                     child_lishi, mother_lishi):
    client.force_login(staff_lishi)
    response = client.get(confirm_url(child_lishi, mother_lishi, started_on="2025-03-02"))
    assert response.status_code == 200
    html = page(response)
    assert "王小雨" in html and "刘秀兰" in html and "主责爱心妈妈" in html and "2025-03-02" in html
    assert f'action="{reverse("pairing:create", args=[child_lishi.pk])}"' in html
    assert 'name="started_on" value="2025-03-02"' in html


def test_opening_the_confirmation_creates_nothing(client, staff_lishi, child_lishi, mother_lishi):
    client.force_login(staff_lishi)
    client.get(confirm_url(child_lishi, mother_lishi))
    assert not Pairing.objects.exists()


def test_confirming_creates_the_pairing_with_the_date_shown(client, staff_lishi, child_lishi, mother_lishi):
    client.force_login(staff_lishi)
    shown = client.get(confirm_url(child_lishi, mother_lishi, started_on="2025-03-02")).context
    response = client.post(reverse("pairing:create", args=[child_lishi.pk]),
                           {"choice": shown["choice"], "started_on": shown["started_on"].isoformat()})
    assert (response.status_code, response["Location"]) == (302, reverse("children:detail", args=[child_lishi.pk]))
    pairing = Pairing.objects.get()
    assert (pairing.volunteer, pairing.role, pairing.started_on) == (mother_lishi, PairingRole.LEAD, date(2025, 3, 2))


def test_cancel_goes_back_to_the_suggestions_and_creates_nothing(client, staff_lishi, child_lishi, mother_lishi):
    client.force_login(staff_lishi)
    back = client.get(confirm_url(child_lishi, mother_lishi, q="刘")).context["back_url"]
    assert back == reverse("pairing:suggest", args=[child_lishi.pk]) + "?q=%E5%88%98"
    assert client.get(back).status_code == 200
    assert not Pairing.objects.exists()


def test_confirmation_without_a_choice_shows_the_suggestions_with_the_error(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:confirm", args=[child_lishi.pk]) + f"?started_on={START}")
    assert response.status_code == 400
    assert response.context["form"].errors["choice"]


def test_confirmation_of_a_caring_mother_outside_the_area_names_no_one(client, staff_lishi, child_lishi,
                                                                       mother_yuci):
    client.force_login(staff_lishi)
    response = client.get(confirm_url(child_lishi, mother_yuci))
    assert response.status_code == 400
    assert response.context["form"].errors["choice"]
    assert "赵春梅" not in page(response)


def test_confirmation_with_a_malformed_date_is_an_error_on_the_date(client, staff_lishi, child_lishi, mother_lishi):
    client.force_login(staff_lishi)
    response = client.get(confirm_url(child_lishi, mother_lishi, started_on="2025-02-30"))
    assert response.status_code == 400
    assert response.context["form"].errors["started_on"]


def test_a_viewer_may_not_open_the_confirmation(client, viewer_lvliang, child_lishi, mother_lishi):
    client.force_login(viewer_lvliang)
    assert client.get(confirm_url(child_lishi, mother_lishi)).status_code == 403


def test_the_confirmation_for_a_child_outside_the_area_is_404(client, staff_yuci, child_lishi, mother_yuci):
    client.force_login(staff_yuci)
    assert client.get(confirm_url(child_lishi, mother_yuci)).status_code == 404
