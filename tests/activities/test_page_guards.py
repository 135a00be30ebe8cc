"""Who gets past the activity pages' guards (core.access allow-lists, one per view), and the region a
group activity is recorded for (core.regions: chosen_region, region_options)."""

from datetime import date

import pytest

from activities.api.views import ActivityViewSet
from activities.phone import views as phone
from activities.views import editing, ledger, photos
from core.access import EDIT, PHONE, READ, SIGNED_IN

pytestmark = pytest.mark.django_db

GROUP = "/activities/new/?group=1"
VISIT_DAY = date(2025, 4, 10)  # after the pairings of tests/pairing/conftest.py (START, 2025-03-01)

ALLOW_LISTS = {
    "the ledger": (ledger.activity_list, READ),
    "an activity's page": (ledger.activity_detail, READ),
    "recording": (editing.activity_create, EDIT),
    "correcting": (editing.activity_edit, EDIT),
    "adding a photo": (editing.photo_upload, EDIT),
    "a photo": (photos.photo, SIGNED_IN),
    "the phone home (staff are sent on)": (phone.home, SIGNED_IN),
    "a child on the phone": (phone.child_detail, PHONE),
    "logging on the phone": (phone.log_activity, PHONE),
    "the phone history": (phone.history, PHONE),
}


@pytest.mark.parametrize("case", ALLOW_LISTS)
def test_each_page_names_its_allow_list(case):
    view, roles = ALLOW_LISTS[case]
    assert view.access == roles


@pytest.mark.parametrize("method, roles", [("get", READ | PHONE), ("post", EDIT | PHONE), ("patch", EDIT | PHONE)])
def test_the_api_admits_readers_and_writers_by_allow_list(method, roles):
    (permission,) = ActivityViewSet.permission_classes
    assert (permission.read if method == "get" else permission.write) == roles


def test_an_admin_records_through_the_api(api_client_for, admin_lishi, child_lishi, my_mother, pair):
    pair(child_lishi, my_mother)
    response = api_client_for(admin_lishi).post("/api/v1/activities/", {
        "volunteer": my_mother.pk, "children": [child_lishi.pk], "occurred_on": VISIT_DAY.isoformat(), "kind": "call"},
        format="json")
    assert response.status_code == 201, response.json()


def test_the_group_form_is_404_for_a_region_outside_the_subtree(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    assert client.get(f"{GROUP}&region={regions.yuci.code}").status_code == 404


def test_the_group_form_is_400_for_a_malformed_region(client, staff_lishi):
    client.force_login(staff_lishi)
    assert client.get(f"{GROUP}&region=1411").status_code == 400


def test_the_group_form_starts_at_the_users_region(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    assert client.get(GROUP).context["region"] == regions.lishi


def test_the_group_form_offers_a_county_user_the_county_and_its_townships(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    codes = [code for code, _label in client.get(GROUP).context["region_options"]]
    assert codes == [regions.lishi.code, regions.lishi_township.code]


def test_the_ledger_filter_offers_a_county_user_no_villages(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    codes = [code for code, _label in client.get("/activities/").context["region_options"]]
    assert regions.lishi_village.code not in codes


def test_a_viewer_gets_403_adding_a_photo_on_the_staff_page(client, viewer_lvliang, record, volunteer_lishi,
                                                           child_lishi, my_mother, pair):
    pair(child_lishi, my_mother)
    activity = record(volunteer_lishi, children=[child_lishi], occurred_on=VISIT_DAY)
    client.force_login(viewer_lvliang)
    assert client.post(f"/activities/{activity.pk}/photos/").status_code == 403
