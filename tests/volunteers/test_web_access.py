"""Every roster page carries one allow-list guard (core.access.require): the staff pages READ, the
pages that change something EDIT; and her page links only the trainings the user may open."""

from datetime import date

import pytest
from django.urls import reverse

from core.access import EDIT, READ
from volunteers import services
from volunteers.urls import urlpatterns

READ_PAGES = {"list", "detail", "team-list", "station-list", "training-list", "training-detail"}


@pytest.mark.parametrize("pattern", urlpatterns, ids=[p.name for p in urlpatterns])
def test_every_roster_page_has_its_allow_list(pattern):
    assert pattern.callback.access == (READ if pattern.name in READ_PAGES else EDIT)


@pytest.mark.django_db
def test_volunteer_user_is_sent_from_the_edit_form_to_her_phone_pages(client, volunteer_mother_lishi, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("volunteers:edit", args=[volunteer_mother_lishi.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


# --- her page links only the trainings the user may open --------------------------------------------

@pytest.fixture
def mother(make_volunteer, staff_lishi):
    return make_volunteer(staff_lishi, name="刘秀兰")


def _training(actor, region, mother, title: str):
    return services.training_create(actor=actor, title=title, held_on=date(2025, 3, 8), region=region,
                                    attendees=[mother.pk])


@pytest.mark.django_db
def test_her_page_links_a_training_of_the_users_area(client, staff_lishi, mother, regions):
    training = _training(staff_lishi, regions.lishi, mother, "家庭教育讲座")
    client.force_login(staff_lishi)
    page = client.get(reverse("volunteers:detail", args=[mother.pk])).content.decode()
    assert reverse("volunteers:training-detail", args=[training.pk]) in page


@pytest.mark.django_db
def test_her_page_shows_a_training_above_the_users_area_without_a_link(client, staff_lishi, admin_province, mother,
                                                                        regions):
    training = _training(admin_province, regions.lvliang, mother, "全市心理辅导培训")
    client.force_login(staff_lishi)
    page = client.get(reverse("volunteers:detail", args=[mother.pk])).content.decode()
    assert "全市心理辅导培训" in page
    assert reverse("volunteers:training-detail", args=[training.pk]) not in page


@pytest.mark.django_db
def test_her_page_links_every_training_for_a_superuser(client, superuser, admin_province, mother, regions):
    training = _training(admin_province, regions.lvliang, mother, "全市心理辅导培训")
    client.force_login(superuser)
    page = client.get(reverse("volunteers:detail", args=[mother.pk])).content.decode()
    assert reverse("volunteers:training-detail", args=[training.pk]) in page


# --- the region field of the create forms -----------------------------------------------------------

@pytest.mark.django_db
def test_the_create_form_offers_her_region_in_a_select(client, staff_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("volunteers:create")).content.decode()
    assert '<select name="region"' in page and 'value="141102001200"' in page


@pytest.mark.django_db
def test_the_create_form_offers_the_search_picker_where_the_regions_are_too_many(client, staff_lishi, monkeypatch):
    monkeypatch.setattr("core.regions.OPTIONS_LIMIT", 2)  # 离石区 has 3 regions: the select would be cut short
    client.force_login(staff_lishi)
    page = client.get(reverse("volunteers:create")).content.decode()
    assert '<select name="region"' not in page
    assert 'role="combobox"' in page and 'name="region_text"' in page
    assert 'placeholder="141102000000"' not in page
