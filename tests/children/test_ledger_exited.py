"""Exited children: hidden from the staff ledger and its export unless the status filter asks for them;
the API lists them as before (DESIGN.md's contract)."""

from datetime import date

import pytest
from django.urls import reverse

from children import services
from children.models import ExitReason
from tests.exports.helpers import exported_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def exited_lishi(make_child, staff_lishi):
    child = make_child(staff_lishi, name="赵已退")
    services.child_exit(actor=staff_lishi, child=child, reason=ExitReason.PARENTS_RETURNED,
                        exited_on=date(2025, 1, 10))
    return child


def ledger_names(client, **params) -> set[str]:
    response = client.get(reverse("children:list"), params)
    assert response.status_code == 200
    return {c.name for c in response.context["page"]}


def export_names(client, **params) -> set[str]:
    sheet = exported_sheet(client, "children", **params)
    rows = sheet.iter_rows(values_only=True)
    column = next(rows).index("姓名")
    return {row[column] for row in rows}


def test_ledger_hides_exited_children_by_default(client, staff_lishi, child_lishi, exited_lishi):
    client.force_login(staff_lishi)
    assert ledger_names(client) == {child_lishi.name}


def test_ledger_status_exited_shows_only_them(client, staff_lishi, child_lishi, exited_lishi):
    client.force_login(staff_lishi)
    assert ledger_names(client, status="exited") == {exited_lishi.name}


def test_ledger_status_all_shows_everyone(client, staff_lishi, child_lishi, exited_lishi):
    client.force_login(staff_lishi)
    assert ledger_names(client, status="all") == {child_lishi.name, exited_lishi.name}


def test_ledger_offers_the_all_statuses_choice(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    assert 'value="all"' in client.get(reverse("children:list")).content.decode()


def test_export_follows_the_ledger_default(client, staff_lishi, child_lishi, exited_lishi):
    client.force_login(staff_lishi)
    assert export_names(client) == {child_lishi.name}


def test_export_with_status_all_includes_exited_children(client, staff_lishi, child_lishi, exited_lishi):
    client.force_login(staff_lishi)
    assert export_names(client, status="all") == {child_lishi.name, exited_lishi.name}


def test_api_list_still_includes_exited_children(api_client_for, staff_lishi, child_lishi, exited_lishi):
    body = api_client_for(staff_lishi).get("/api/v1/children/").json()
    assert {c["name"] for c in body["results"]} == {child_lishi.name, exited_lishi.name}
