"""The training pages (赋能培训): the list, the create form with its attendee picker, the detail page."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from volunteers import services
from volunteers.models import Training

pytestmark = pytest.mark.django_db

VILLAGE_LISHI = "141102001200"


@pytest.fixture
def mothers(make_volunteer, staff_lishi):
    """Two caring mothers of 东关村 (离石区)."""
    return [make_volunteer(staff_lishi, name="刘秀兰"), make_volunteer(staff_lishi, name="郝秀珍")]


@pytest.fixture
def mother_yuci(make_volunteer, staff_yuci):
    return make_volunteer(staff_yuci, name="赵春梅", region_code="140702100000")


def training_data(attendees, **overrides) -> dict:
    data = {"title": "爱心妈妈赋能培训", "held_on": "2025-04-12", "region": "141102000000",
            "topic": "儿童心理健康与沟通技巧", "organiser": "离石区妇联", "attendees": [v.pk for v in attendees],
            "participants": "45"}
    data.update(overrides)
    return data


def make_training(actor, region, attendees=(), **fields) -> Training:
    values = {"title": "家庭教育讲座", "held_on": date(2025, 5, 20), **fields}
    return services.training_create(actor=actor, region=region, attendees=[v.pk for v in attendees], **values)


def page_of(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


# --- create ---------------------------------------------------------------------------------------

def test_staff_records_a_training_with_its_attendees(client, staff_lishi, mothers):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:training-create"), training_data(mothers))
    training = Training.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("volunteers:training-detail", args=[training.pk])
    assert set(training.attendees.all()) == set(mothers)
    assert training.participants == 45


def test_recorded_training_appears_in_the_list(client, staff_lishi, mothers):
    client.force_login(staff_lishi)
    client.post(reverse("volunteers:training-create"), training_data(mothers))
    assert "爱心妈妈赋能培训" in page_of(client, reverse("volunteers:training-list"))


def test_training_shows_on_the_attendees_page(client, staff_lishi, mothers):
    client.force_login(staff_lishi)
    client.post(reverse("volunteers:training-create"), training_data(mothers[:1]))
    assert "爱心妈妈赋能培训" in page_of(client, reverse("volunteers:detail", args=[mothers[0].pk]))
    assert "爱心妈妈赋能培训" not in page_of(client, reverse("volunteers:detail", args=[mothers[1].pk]))


def test_empty_participants_counts_the_attendees(client, staff_lishi, mothers):
    client.force_login(staff_lishi)
    client.post(reverse("volunteers:training-create"), training_data(mothers, participants=""))
    assert Training.objects.get().participants == 2


def test_participants_below_the_attendee_count_are_refused(client, staff_lishi, mothers):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:training-create"), training_data(mothers, participants="1"))
    assert response.status_code == 400
    assert response.context["form"].errors["participants"]
    assert not Training.objects.exists()


def test_training_in_the_future_is_refused(client, staff_lishi, mothers, today):
    client.force_login(staff_lishi)
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = client.post(reverse("volunteers:training-create"), training_data(mothers, held_on=tomorrow))
    assert response.status_code == 400
    assert response.context["form"].errors["held_on"]
    assert not Training.objects.exists()


def test_attendee_outside_the_area_is_refused(client, staff_lishi, mothers, mother_yuci):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:training-create"), training_data([*mothers, mother_yuci]))
    assert response.status_code == 400
    assert response.context["form"].errors["attendees"]
    assert not Training.objects.exists()


def test_training_region_outside_the_area_is_refused(client, staff_lishi, mothers):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:training-create"), training_data(mothers, region="140702000000"))
    assert response.status_code == 400
    assert response.context["form"].errors["region"]
    assert not Training.objects.exists()


def test_a_refused_form_keeps_the_ticked_attendees(client, staff_lishi, mothers):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:training-create"), training_data(mothers, participants="1"))
    page = response.content.decode()
    assert f'value="{mothers[0].pk}"' in page
    assert "checked" in page


# --- the attendee picker --------------------------------------------------------------------------

def test_picker_lists_only_caring_mothers_in_the_area(client, staff_lishi, mothers, mother_yuci):
    client.force_login(staff_lishi)
    page = page_of(client, reverse("volunteers:training-create"))
    assert "刘秀兰" in page and "郝秀珍" in page
    assert "赵春梅" not in page


def test_picker_narrows_by_team(client, staff_lishi, mothers, make_volunteer, regions):
    team = services.team_create(actor=staff_lishi, name="城北巾帼志愿服务队", region=regions.lishi)
    make_volunteer(staff_lishi, name="韩梅", team=team)
    client.force_login(staff_lishi)
    response = client.get(reverse("volunteers:training-create"), {"pick_team": team.pk})
    assert [label for _value, label in response.context["form"].fields["attendees"].widget.choices] \
        == ["韩梅（城北巾帼志愿服务队）"]


def test_picker_narrows_by_region(client, staff_lishi, mothers, make_volunteer):
    make_volunteer(staff_lishi, name="韩梅", region_code="141102000000")
    client.force_login(staff_lishi)
    response = client.get(reverse("volunteers:training-create"), {"pick_region": "141102001000"})
    names = {label.split("（")[0] for _value, label in response.context["form"].fields["attendees"].widget.choices}
    assert names == {"刘秀兰", "郝秀珍"}


# --- who sees what --------------------------------------------------------------------------------

def test_training_detail_lists_the_attendees(client, staff_lishi, mothers, regions):
    training = make_training(staff_lishi, regions.lishi, mothers, participants=30)
    client.force_login(staff_lishi)
    page = page_of(client, reverse("volunteers:training-detail", args=[training.pk]))
    assert "刘秀兰" in page and "郝秀珍" in page
    assert reverse("volunteers:detail", args=[mothers[0].pk]) in page


def test_other_county_staff_gets_404_on_the_training(client, staff_lishi, staff_yuci, mothers, regions):
    training = make_training(staff_lishi, regions.lishi, mothers)
    client.force_login(staff_yuci)
    assert client.get(reverse("volunteers:training-detail", args=[training.pk])).status_code == 404


def test_other_county_training_is_not_listed(client, staff_lishi, staff_yuci, regions):
    make_training(staff_yuci, regions.yuci, title="榆次区培训")
    client.force_login(staff_lishi)
    assert "榆次区培训" not in page_of(client, reverse("volunteers:training-list"))


def test_viewer_reads_trainings(client, staff_lishi, viewer_lvliang, mothers, regions):
    training = make_training(staff_lishi, regions.lishi, mothers)
    client.force_login(viewer_lvliang)
    assert "家庭教育讲座" in page_of(client, reverse("volunteers:training-list"))
    assert "刘秀兰" in page_of(client, reverse("volunteers:training-detail", args=[training.pk]))


def test_viewer_gets_403_recording_a_training(client, viewer_lvliang, mothers):
    client.force_login(viewer_lvliang)
    assert client.get(reverse("volunteers:training-create")).status_code == 403
    assert client.post(reverse("volunteers:training-create"), training_data(mothers)).status_code == 403
    assert not Training.objects.exists()


def test_volunteer_user_is_sent_from_a_training_to_her_phone_pages(client, staff_lishi, volunteer_mother_lishi,
                                                                   volunteer_lishi, regions):
    training = make_training(staff_lishi, regions.lishi, [volunteer_mother_lishi])
    client.force_login(volunteer_lishi)
    response = client.get(reverse("volunteers:training-detail", args=[training.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


# --- the list's filters and queries ---------------------------------------------------------------

def titles_on(client, **params) -> set[str]:
    response = client.get(reverse("volunteers:training-list"), params)
    assert response.status_code == 200
    return {t.title for t in response.context["page"]}


def test_list_filters_by_date_range(client, staff_lishi, regions):
    make_training(staff_lishi, regions.lishi, title="春季培训", held_on=date(2025, 3, 10))
    make_training(staff_lishi, regions.lishi, title="秋季培训", held_on=date(2025, 9, 10))
    client.force_login(staff_lishi)
    assert titles_on(client, **{"from": "2025-06-01"}) == {"秋季培训"}
    assert titles_on(client, to="2025-06-01") == {"春季培训"}


def test_list_filters_by_region_subtree(client, viewer_lvliang, staff_lishi, regions):
    make_training(staff_lishi, regions.lishi_township, title="街道培训")
    make_training(staff_lishi, regions.lishi, title="区级培训")
    client.force_login(viewer_lvliang)
    assert titles_on(client, region="141102001000") == {"街道培训"}
    assert titles_on(client, region="141102000000") == {"街道培训", "区级培训"}


def test_list_shows_attendee_counts(client, staff_lishi, mothers, regions):
    make_training(staff_lishi, regions.lishi, mothers, participants=40)
    client.force_login(staff_lishi)
    [training] = client.get(reverse("volunteers:training-list")).context["page"]
    assert (training.n_attendees, training.participants) == (2, 40)


def test_list_query_count_does_not_grow_with_rows(client, staff_lishi, mothers, regions):
    make_training(staff_lishi, regions.lishi, mothers)
    client.force_login(staff_lishi)
    url = reverse("volunteers:training-list")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    few = count()
    for i in range(8):
        make_training(staff_lishi, regions.lishi_township, mothers, title=f"培训{i}")
    assert count() == few
