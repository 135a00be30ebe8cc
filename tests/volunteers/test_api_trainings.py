"""/api/v1/trainings/: training sessions (赋能培训) with their roster attendees and participants (人次)."""

from datetime import date, timedelta

import pytest

from volunteers import services
from volunteers.models import Training

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainings/"


def detail(training) -> str:
    return f"{URL}{training.pk}/"


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["title"] for row in response.json()["results"]}


def snapshot() -> list[tuple]:
    return [(t.pk, t.title, t.participants, sorted(t.attendees.values_list("pk", flat=True)))
            for t in Training.objects.order_by("pk")]


@pytest.fixture
def mothers_lishi(make_volunteer, staff_lishi):
    return [make_volunteer(staff_lishi, name=name) for name in ("刘秀兰", "王春花")]


@pytest.fixture
def mother_yuci(make_volunteer, staff_yuci):
    return make_volunteer(staff_yuci, name="赵春梅", region_code="140702100000")


@pytest.fixture
def training_lishi(staff_lishi, regions, mothers_lishi):
    return services.training_create(actor=staff_lishi, title="家庭教育赋能培训", held_on=date(2025, 4, 10),
                                    region=regions.lishi, attendees=[v.pk for v in mothers_lishi], participants=60,
                                    topic="家庭教育", organiser="离石区妇联")


@pytest.fixture
def training_yuci(staff_yuci, regions, mother_yuci):
    return services.training_create(actor=staff_yuci, title="心理健康培训", held_on=date(2025, 5, 20),
                                    region=regions.yuci, attendees=[mother_yuci.pk])


def payload(attendees, **overrides) -> dict:
    return {"title": "安全教育培训", "held_on": "2025-06-01", "region": "141102001000",
            "attendees": [v.pk for v in attendees], "participants": 35, "topic": "防溺水", "organiser": "滨河街道妇联",
            **overrides}


# --- create ---------------------------------------------------------------------------------------

def test_staff_records_a_training(api_client_for, staff_lishi, mothers_lishi):
    response = api_client_for(staff_lishi).post(URL, payload(mothers_lishi), format="json")
    assert response.status_code == 201, response.content.decode()
    training = Training.objects.get(pk=response.json()["id"])
    assert (training.title, training.held_on, training.region_id, training.participants, training.created_by_id) == (
        "安全教育培训", date(2025, 6, 1), "141102001000", 35, staff_lishi.pk)
    assert set(training.attendees.values_list("pk", flat=True)) == {v.pk for v in mothers_lishi}


def test_create_answers_with_the_contract_fields(api_client_for, staff_lishi, mothers_lishi):
    body = api_client_for(staff_lishi).post(URL, payload(mothers_lishi), format="json").json()
    assert {k: body[k] for k in ("title", "held_on", "region", "participants", "topic", "organiser")} == {
        "title": "安全教育培训", "held_on": "2025-06-01", "region": "141102001000", "participants": 35,
        "topic": "防溺水", "organiser": "滨河街道妇联"}
    assert sorted(body["attendees"]) == sorted(v.pk for v in mothers_lishi)


def test_participants_default_to_the_attendees(api_client_for, staff_lishi, mothers_lishi):
    data = payload(mothers_lishi)
    del data["participants"]
    assert api_client_for(staff_lishi).post(URL, data, format="json").json()["participants"] == 2


@pytest.mark.parametrize(("overrides", "field"), [
    ({"participants": 1}, "participants"),  # fewer than the two attendees
    ({"participants": -1}, "participants"),
    ({"attendees": "YUCI"}, "attendees"),  # 榆次区's mother: outside 离石区
    ({"attendees": [999999]}, "attendees"),
    ({"attendees": ["x"]}, "attendees"),
    ({"held_on": "2025-13-01"}, "held_on"),
    ({"region": "140702000000"}, "region"),
    ({"region": "14110200100"}, "region"),
    ({"title": "  "}, "title"),
], ids=["participants-below-attendees", "participants-negative", "attendee-outside", "attendee-unknown",
        "attendee-not-an-id", "held-on-malformed", "region-outside", "region-malformed",
        "title-blank"])
def test_refused_training_names_the_field_and_records_nothing(api_client_for, staff_lishi, mothers_lishi,
                                                              mother_yuci, overrides, field):
    data = {**payload(mothers_lishi), **overrides}
    if data["attendees"] == "YUCI":
        data["attendees"] = [mothers_lishi[0].pk, mother_yuci.pk]
    response = api_client_for(staff_lishi).post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Training.objects.exists()


def test_refused_training_held_in_the_future_names_the_field_and_records_nothing(api_client_for, staff_lishi,
                                                                                 mothers_lishi, today):
    data = payload(mothers_lishi, held_on=(today + timedelta(days=1)).isoformat())
    response = api_client_for(staff_lishi).post(URL, data, format="json")
    assert response.status_code == 400
    assert "held_on" in response.json(), response.json()
    assert not Training.objects.exists()


@pytest.mark.parametrize("actor", ["viewer_lvliang", "volunteer_lishi"])
def test_read_only_roles_may_not_record_a_training(api_client_for, request, mothers_lishi, actor):
    response = api_client_for(request.getfixturevalue(actor)).post(URL, payload(mothers_lishi), format="json")
    assert response.status_code == 403
    assert not Training.objects.exists()


def test_update_and_delete_are_not_allowed(api_client_for, staff_lishi, training_lishi):
    client = api_client_for(staff_lishi)
    before = snapshot()
    assert client.patch(detail(training_lishi), {"participants": 1}, format="json").status_code == 405
    assert client.delete(detail(training_lishi)).status_code == 405
    assert snapshot() == before


# --- read -----------------------------------------------------------------------------------------

def test_staff_lists_trainings_in_scope(api_client_for, staff_lishi, training_lishi, training_yuci):
    assert titles(api_client_for(staff_lishi).get(URL)) == {"家庭教育赋能培训"}


def test_viewer_reads_the_citys_trainings(api_client_for, viewer_lvliang, training_lishi, training_yuci):
    client = api_client_for(viewer_lvliang)
    assert titles(client.get(URL)) == {"家庭教育赋能培训"}
    body = client.get(detail(training_lishi)).json()
    assert (body["participants"], body["organiser"], body["region_name"]) == (60, "离石区妇联", "离石区")


def test_province_admin_lists_every_training(api_client_for, admin_province, training_lishi, training_yuci):
    assert titles(api_client_for(admin_province).get(URL)) == {"家庭教育赋能培训", "心理健康培训"}


def test_training_outside_scope_is_404(api_client_for, staff_yuci, training_lishi):
    assert api_client_for(staff_yuci).get(detail(training_lishi)).status_code == 404


@pytest.mark.parametrize(("params", "expected"), [
    ({"region": "140700000000"}, {"心理健康培训"}),
    ({"region": "141102000000"}, {"家庭教育赋能培训"}),
    ({"held_on_after": "2025-05-01"}, {"心理健康培训"}),
    ({"held_on_before": "2025-04-30"}, {"家庭教育赋能培训"}),
    ({"held_on_after": "2025-04-10", "held_on_before": "2025-05-20"}, {"家庭教育赋能培训", "心理健康培训"}),
], ids=["region-jinzhong", "region-lishi", "after", "before", "between-inclusive"])
def test_list_filters(api_client_for, admin_province, training_lishi, training_yuci, params, expected):
    assert titles(api_client_for(admin_province).get(URL, params)) == expected


def test_list_filters_by_attendee(api_client_for, admin_province, training_lishi, training_yuci, mother_yuci):
    assert titles(api_client_for(admin_province).get(URL, {"attendee": mother_yuci.pk})) == {"心理健康培训"}


def test_malformed_region_filter_names_region(api_client_for, admin_province):
    response = api_client_for(admin_province).get(URL, {"region": "14"})
    assert response.status_code == 400
    assert "region" in response.json()


def test_list_query_count_does_not_grow_with_the_page(api_client_for, staff_lishi, regions, mothers_lishi,
                                                      django_assert_num_queries):
    client = api_client_for(staff_lishi)
    for size in (3, 20):
        while Training.objects.count() < size:
            services.training_create(actor=staff_lishi, title=f"培训{Training.objects.count()}",
                                     held_on=date(2025, 1, 1), region=regions.lishi,
                                     attendees=[v.pk for v in mothers_lishi])
        # 1. the token JOIN its user; 2. COUNT(*); 3. the page JOIN region; 4. the attendee ids (one IN query).
        with django_assert_num_queries(4):
            response = client.get(URL)
        assert response.json()["count"] == size
        assert all(len(row["attendees"]) == 2 for row in response.json()["results"])
