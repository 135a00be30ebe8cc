"""The ledger's staff pages: the list, the child page, and the create and edit forms, per role."""

import itertools
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts import idcard
from accounts.models import AuditAction, AuditEvent
from accounts.services import regions_import
from children import services
from children.models import Child

pytestmark = pytest.mark.django_db

_sequence = itertools.count(700)
VILLAGE_LISHI = "141102001200"


def id_number(*, birth_date=date(2014, 5, 20), gender="female", region6="141102") -> str:
    return idcard.generate(region_code6=region6, birth_date=birth_date, sex=gender, sequence=next(_sequence) % 1000)


def create_data(**overrides) -> dict:
    data = {
        "name": "刘小燕", "gender": "female", "birth_date": "2014-05-20", "region": VILLAGE_LISHI,
        "categories": ["left_behind"], "household": "rural", "entered_on": "2024-09-01",
        "guardians-0-name": "刘大山", "guardians-0-relation": "祖父", "guardians-0-phone": "13935800001",
        "school": "城北小学", "grade": "四年级",
    }
    data.setdefault("id_number", id_number())
    data.update(overrides)
    return data


def page_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- who sees what --------------------------------------------------------------------------------

def test_staff_creates_a_child_who_appears_in_the_ledger(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:create"), create_data())
    child = Child.objects.get(name="刘小燕")
    assert response.status_code == 302
    assert response.url == reverse("children:detail", args=[child.pk])
    assert "刘小燕" in page_of(client, reverse("children:list"))


def test_create_keeps_guardians_and_categories(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    client.post(reverse("children:create"), create_data(
        categories=["left_behind", "in_difficulty"], difficulty_types=["poverty"],
        **{"guardians-1-name": "王秀兰", "guardians-1-relation": "祖母"}))
    child = Child.objects.get(name="刘小燕")
    assert child.categories == ["left_behind", "in_difficulty"]
    assert child.difficulty_types == ["poverty"]
    assert [(g.name, g.relation) for g in child.guardians.all()] == [("刘大山", "祖父"), ("王秀兰", "祖母")]


def test_create_form_offers_only_regions_in_scope(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    page = page_of(client, reverse("children:create"))
    assert 'value="141102001200"' in page
    assert "140702" not in page  # nothing of 榆次区


def test_other_county_staff_gets_404_on_the_child_page(client, staff_yuci, child_lishi):
    client.force_login(staff_yuci)
    assert client.get(reverse("children:detail", args=[child_lishi.pk])).status_code == 404


def test_other_county_staff_gets_404_on_the_edit_form(client, staff_yuci, child_lishi):
    client.force_login(staff_yuci)
    assert client.get(reverse("children:edit", args=[child_lishi.pk])).status_code == 404


def test_other_county_staff_does_not_see_the_child_in_the_ledger(client, staff_yuci, child_lishi, child_yuci):
    client.force_login(staff_yuci)
    page = page_of(client, reverse("children:list"))
    assert child_yuci.name in page
    assert child_lishi.name not in page


def test_city_viewer_sees_the_ledger_and_the_child_page(client, viewer_lvliang, child_lishi):
    client.force_login(viewer_lvliang)
    assert child_lishi.name in page_of(client, reverse("children:list"))
    assert child_lishi.name in page_of(client, reverse("children:detail", args=[child_lishi.pk]))


def test_viewer_gets_403_on_the_create_form(client, viewer_lvliang, regions):
    client.force_login(viewer_lvliang)
    assert client.get(reverse("children:create")).status_code == 403


def test_viewer_cannot_create_by_posting(client, viewer_lvliang, regions):
    client.force_login(viewer_lvliang)
    assert client.post(reverse("children:create"), create_data()).status_code == 403
    assert not Child.objects.exists()


def test_viewer_gets_403_on_the_edit_form(client, viewer_lvliang, child_lishi):
    client.force_login(viewer_lvliang)
    assert client.get(reverse("children:edit", args=[child_lishi.pk])).status_code == 403


def test_volunteer_is_sent_to_her_phone_pages_from_the_edit_form(client, volunteer_lishi, child_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("children:edit", args=[child_lishi.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_viewer_sees_no_reveal_form_and_no_action_forms(client, viewer_lvliang, child_lishi):
    client.force_login(viewer_lvliang)
    page = page_of(client, reverse("children:detail", args=[child_lishi.pk]))
    assert reverse("children:reveal", args=[child_lishi.pk]) not in page
    assert reverse("children:status", args=[child_lishi.pk]) not in page
    assert reverse("children:create") not in page


def test_volunteer_is_sent_from_the_ledger_to_her_phone_pages(client, volunteer_lishi, child_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("children:list"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_volunteer_sees_nothing_of_a_child_she_is_not_paired_with(client, volunteer_lishi, child_lishi):
    client.force_login(volunteer_lishi)
    assert client.get(reverse("phone:child", args=[child_lishi.pk])).status_code == 404
    response = client.get(reverse("children:detail", args=[child_lishi.pk]), follow=True)
    assert child_lishi.name[1:] not in response.content.decode()


def test_province_admin_sees_both_counties(client, admin_province, child_lishi, child_yuci):
    client.force_login(admin_province)
    page = page_of(client, reverse("children:list"))
    assert child_lishi.name in page
    assert child_yuci.name in page


def test_anonymous_ledger_redirects_to_login(client):
    response = client.get(reverse("children:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_navigation_offers_the_ledger_to_viewers(client, viewer_lvliang, regions):
    client.force_login(viewer_lvliang)
    assert reverse("children:list") in page_of(client, reverse("home"))


def test_navigation_offers_no_ledger_to_volunteers(client, volunteer_lishi, regions):
    client.force_login(volunteer_lishi)
    assert reverse("children:list") not in page_of(client, reverse("phone:home"))


# --- bad input on the create form -----------------------------------------------------------------

def _create_errors(client, staff, **overrides):
    client.force_login(staff)
    response = client.post(reverse("children:create"), create_data(**overrides))
    assert response.status_code == 200
    return response.context["form"].errors


def test_invalid_checksum_is_an_error_on_the_id_number(client, staff_lishi, regions):
    good = id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    errors = _create_errors(client, staff_lishi, id_number=bad)
    assert list(errors) == ["id_number"]
    assert not Child.objects.exists()


def test_future_birth_date_is_an_error_on_the_birth_date(client, staff_lishi, regions, today):
    future = today + timedelta(days=30)
    errors = _create_errors(client, staff_lishi, birth_date=future.isoformat(), id_number=id_number(birth_date=future))
    assert list(errors) == ["birth_date"]
    assert not Child.objects.exists()


def test_birth_date_disagreeing_with_the_id_number_is_an_error_on_the_id_number(client, staff_lishi, regions):
    errors = _create_errors(client, staff_lishi, birth_date="2014-05-21")
    assert list(errors) == ["id_number"]
    assert "2014-05-20" in errors["id_number"][0]
    assert not Child.objects.exists()


def test_duplicate_id_number_names_the_record_in_scope(client, staff_lishi, child_lishi):
    number = child_lishi.reveal_id_number()
    errors = _create_errors(client, staff_lishi, id_number=number, birth_date=child_lishi.birth_date.isoformat())
    assert list(errors) == ["id_number"]
    assert child_lishi.name in errors["id_number"][0]
    assert Child.objects.count() == 1


def test_duplicate_id_number_out_of_scope_does_not_name_the_record(client, staff_yuci, child_lishi):
    number = child_lishi.reveal_id_number()
    errors = _create_errors(client, staff_yuci, id_number=number, birth_date=child_lishi.birth_date.isoformat(),
                            region="140702100000")
    assert list(errors) == ["id_number"]
    assert child_lishi.name not in errors["id_number"][0]
    assert Child.objects.count() == 1


def test_region_outside_scope_is_an_error_on_the_region(client, staff_lishi, regions):
    errors = _create_errors(client, staff_lishi, region="140702100000")
    assert list(errors) == ["region"]
    assert not Child.objects.exists()


def test_the_create_form_offers_the_search_picker_when_the_regions_are_too_many(client, staff_lishi, regions,
                                                                                   monkeypatch):
    monkeypatch.setattr("children.forms.REGION_SELECT_LIMIT", 2)  # 离石区 has 3 regions
    client.force_login(staff_lishi)
    page = page_of(client, reverse("children:create"))
    assert 'role="combobox"' in page and 'name="region_text"' in page
    assert '<select name="region"' not in page and 'inputmode="numeric"' not in page


def test_a_village_typed_into_the_search_box_registers_the_child_there(client, staff_lishi, regions, monkeypatch):
    monkeypatch.setattr("children.forms.REGION_SELECT_LIMIT", 2)
    client.force_login(staff_lishi)
    response = client.post(reverse("children:create"), create_data(region="", region_text="东关村"))
    assert response.status_code == 302
    assert Child.objects.get(name="刘小燕").region_id == VILLAGE_LISHI


def test_no_category_is_an_error_on_the_categories(client, staff_lishi, regions):
    errors = _create_errors(client, staff_lishi, categories=[])
    assert list(errors) == ["categories"]


def test_guardian_without_relation_is_an_error_on_the_guardians(client, staff_lishi, regions):
    errors = _create_errors(client, staff_lishi, **{"guardians-0-relation": ""})
    assert list(errors) == ["guardians"]
    assert not Child.objects.exists()


def test_create_form_shows_the_error_inline(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    page = client.post(reverse("children:create"), create_data(birth_date="2014-05-21")).content.decode()
    id_field = page[page.index('id="id_id_number"'):]
    assert 'class="field-error"' in id_field[: id_field.index("</div>")]


# --- edit -----------------------------------------------------------------------------------------

def _edit_data(child, **overrides) -> dict:
    data = {
        "name": child.name, "gender": child.gender, "birth_date": child.birth_date.isoformat(),
        "categories": child.categories, "household": child.household, "school": child.school,
        "grade": child.grade, "address": child.address, "parents_work_place": child.parents_work_place,
        "notes": child.notes, "id_number": "",
    }
    for i, g in enumerate(child.guardians.all()):
        data.update({f"guardians-{i}-name": g.name, f"guardians-{i}-relation": g.relation,
                     f"guardians-{i}-phone": g.phone})
    data.update(overrides)
    return data


def test_staff_edits_the_school(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:edit", args=[child_lishi.pk]), _edit_data(child_lishi, school="信义中学"))
    assert response.status_code == 302
    child_lishi.refresh_from_db()
    assert child_lishi.school == "信义中学"


def test_edit_form_is_filled_with_the_record(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    page = page_of(client, reverse("children:edit", args=[child_lishi.pk]))
    assert f'value="{child_lishi.name}"' in page
    assert 'value="李大山"' in page  # the guardian


def test_edit_corrects_the_id_number(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    corrected = id_number(birth_date=child_lishi.birth_date, gender=child_lishi.gender)
    client.post(reverse("children:edit", args=[child_lishi.pk]), _edit_data(child_lishi, id_number=corrected))
    child_lishi.refresh_from_db()
    assert child_lishi.reveal_id_number() == corrected


def test_edit_with_a_bad_birth_date_saves_nothing(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:edit", args=[child_lishi.pk]),
                           _edit_data(child_lishi, birth_date="2015-03-09", school="信义中学"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["id_number"]
    child_lishi.refresh_from_db()
    assert (child_lishi.birth_date, child_lishi.school) == (date(2015, 3, 8), "")


# --- the child page -------------------------------------------------------------------------------

def test_child_page_shows_the_masked_id_number_only(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    page = page_of(client, reverse("children:detail", args=[child_lishi.pk]))
    assert child_lishi.id_number_masked in page
    assert child_lishi.reveal_id_number() not in page


def test_viewing_the_child_page_is_audited(client, viewer_lvliang, child_lishi):
    client.force_login(viewer_lvliang)
    client.get(reverse("children:detail", args=[child_lishi.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.target_id, event.region_code) == (viewer_lvliang, str(child_lishi.pk), VILLAGE_LISHI)


def test_viewing_the_child_page_again_the_same_day_counts_on_the_same_audit_row(client, viewer_lvliang, child_lishi):
    client.force_login(viewer_lvliang)
    for _time in range(2):
        client.get(reverse("children:detail", args=[child_lishi.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.target_id, event.count) == (str(child_lishi.pk), 2)


def test_timeline_merges_history_newest_first(client, staff_lishi, child_lishi):
    services.child_assess(actor=staff_lishi, child=child_lishi, color="yellow", reasons=["schooling"],
                          assessed_on=date(2025, 1, 10))
    services.need_create(actor=staff_lishi, child=child_lishi, kind="study", description="一套课外读物",
                         opened_on=date(2025, 2, 1))
    client.force_login(staff_lishi)
    timeline = client.get(reverse("children:detail", args=[child_lishi.pk])).context["timeline"]
    assert [(e.kind, e.on) for e in timeline] == [
        ("need", date(2025, 2, 1)), ("assessment", date(2025, 1, 10)), ("registered", date(2024, 9, 1))]


def test_child_page_shows_the_current_colour(client, staff_lishi, child_lishi):
    services.child_assess(actor=staff_lishi, child=child_lishi, color="red", reasons=["safety"],
                          assessed_on=date(2025, 1, 10))
    client.force_login(staff_lishi)
    page = page_of(client, reverse("children:detail", args=[child_lishi.pk]))
    assert 'class="chip chip-red"' in page


def test_child_page_runs_a_fixed_number_of_queries(client, staff_lishi, child_lishi, django_assert_num_queries):
    for day in range(1, 6):
        services.child_assess(actor=staff_lishi, child=child_lishi, color="yellow", reasons=["health"],
                              assessed_on=date(2025, 1, day))
        services.need_create(actor=staff_lishi, child=child_lishi, kind="material", description=f"需要{day}",
                             opened_on=date(2025, 1, day))
    client.force_login(staff_lishi)
    url = reverse("children:detail", args=[child_lishi.pk])
    # 1 session, 2 user, 3 the child with region and creator, 4 guardians, 5 assessments with assessors,
    # 6 status changes with actors and regions, 7 needs, 8 pairings with their caring mothers,
    # 9 care activities (the child's links JOIN activity and caring mother, scoped by a subquery),
    # 10 the region's ancestors (path), 11 the audit row, 12 the unread-notifications badge.
    with django_assert_num_queries(12):
        client.get(url)


# --- the ledger's filters, sorting and pages -------------------------------------------------------

@pytest.fixture
def second_township(regions):
    """莲花池街道, a second township of 离石区 (the shared tree has one)."""
    regions_import(rows=[("141102002000", "莲花池街道")])


@pytest.fixture
def three_children(make_child, staff_lishi, second_township):
    return {
        "orphan": make_child(staff_lishi, name="赵小刚", gender="male", categories=["orphan"],
                             birth_date=date(2012, 4, 2)),
        "left": make_child(staff_lishi, name="钱小梅", categories=["left_behind"]),
        "other_township": make_child(staff_lishi, name="孙小亮", gender="male", region_code="141102002000",
                                     categories=["left_behind"]),
    }


def _names(client, query: str) -> set[str]:
    response = client.get(reverse("children:list") + query)
    assert response.status_code == 200
    return {c.name for c in response.context["page"]}


def test_filter_by_category(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    assert _names(client, "?category=orphan") == {"赵小刚"}


def test_filter_by_unassessed_colour(client, staff_lishi, three_children):
    services.child_assess(actor=staff_lishi, child=three_children["left"], color="green", reasons=[],
                          assessed_on=date(2025, 1, 10))
    client.force_login(staff_lishi)
    assert _names(client, "?risk_color=green") == {"钱小梅"}
    assert _names(client, "?risk_color=none") == {"赵小刚", "孙小亮"}


def test_filter_by_status(client, staff_lishi, three_children):
    services.child_change_status(actor=staff_lishi, child=three_children["orphan"], to_status="suspended",
                                 effective_on=date(2025, 1, 10))
    client.force_login(staff_lishi)
    assert _names(client, "?status=suspended") == {"赵小刚"}


def test_filter_by_region_subtree(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    assert _names(client, "?region=141102001000") == {"赵小刚", "钱小梅"}


def test_filter_by_id_last_four(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    last4 = three_children["left"].id_number_last4
    assert "钱小梅" in _names(client, f"?search={last4}")
    assert "赵小刚" not in _names(client, f"?search={last4}")


def test_search_by_name(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    assert _names(client, "?search=小亮") == {"孙小亮"}


def test_malformed_region_code_shows_an_error(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:list") + "?region=1411")
    assert response.status_code == 200
    assert response.context["region_error"]
    assert response.context["page"].paginator.count == 0


def test_region_filter_offers_the_users_townships(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    codes = [code for code, _label in client.get(reverse("children:list")).context["region_options"]]
    assert codes[:1] == ["141102000000"]
    assert {"141102001000", "141102002000"} <= set(codes)


def test_region_filter_of_a_county_user_stops_at_the_townships(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    codes = [code for code, _label in client.get(reverse("children:list")).context["region_options"]]
    assert "141102001000" in codes and "141102001200" not in codes


def test_sort_by_name_descending(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:list") + "?sort=-name")
    names = [c.name for c in response.context["page"]]
    assert names == sorted(names, reverse=True)


def test_overdue_review_is_highlighted(client, staff_lishi, three_children):
    services.child_assess(actor=staff_lishi, child=three_children["left"], color="red", reasons=["safety"],
                          assessed_on=date(2025, 1, 10), next_review_on=date(2025, 2, 10))
    client.force_login(staff_lishi)
    page = page_of(client, reverse("children:list"))
    assert re.search(r'class="overdue"[^>]*>2025-02-10', page)


def test_export_button_keeps_the_filters(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    page = page_of(client, reverse("children:list") + "?category=orphan&page=1")
    assert f'action="{reverse("exports:create", args=["children"])}?category=orphan"' in page


def test_page_size_is_capped(client, staff_lishi, three_children):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:list") + "?per_page=5000")
    assert response.context["page"].paginator.per_page == 200


@pytest.mark.parametrize("count", [5, 30])
def test_ledger_runs_a_fixed_number_of_queries(client, staff_lishi, make_child, count, django_assert_num_queries):
    for n in range(count):
        make_child(staff_lishi, name=f"儿童{n:02d}", categories=["left_behind", "orphan"][n % 2:n % 2 + 1])
    client.force_login(staff_lishi)
    url = reverse("children:list") + "?per_page=100&category=left_behind"
    # 1 session, 2 user, 3 count, 4 the page of children with their regions, 5 the region filter's options,
    # 6 the unread-notifications badge.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["page"]) == (count + 1) // 2


def test_a_volunteer_is_sent_to_her_phone_pages_from_a_child_record(client, volunteer_lishi, child_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("children:detail", args=[child_lishi.pk]))
    assert response.status_code == 302
    assert response.url == reverse("phone:home")
