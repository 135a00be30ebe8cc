"""The children API (/api/v1/children/): CRUD, actions, bad input, scoping, masking, audit, filters."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from accounts.models import AuditAction, AuditEvent
from children import services
from children.models import Child, Guardian, RiskAssessment, StatusChange
from tests.children.conftest import new_id_number
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/children/"
LISHI_VILLAGE = "141102001200"


def detail(child, suffix: str = "") -> str:
    return f"{URL}{child.pk}/{suffix}"


def id_number(*, region_code: str = LISHI_VILLAGE, birth_date: date = date(2015, 3, 8), gender: str = "female") -> str:
    return new_id_number(region_code=region_code, birth_date=birth_date, gender=gender)


def with_bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def payload(**fields) -> dict:
    values = {
        "name": "刘小梅",
        "gender": "female",
        "birth_date": "2015-03-08",
        "region": LISHI_VILLAGE,
        "categories": ["left_behind"],
        "guardians": [{"name": "刘大山", "relation": "祖父", "phone": "13935800001"}],
        "school": "信义镇中心小学",
        "grade": "三年级",
        "entered_on": "2024-09-01",
        **fields,
    }
    if "id_number" not in values:
        values["id_number"] = id_number(birth_date=date.fromisoformat(values["birth_date"]), gender=values["gender"])
    return values


def snapshot(child: Child) -> dict:
    """Everything a failed request must leave as it was."""
    child.refresh_from_db()
    return {
        "row": {f.attname: getattr(child, f.attname) for f in Child._meta.concrete_fields},
        "status_changes": StatusChange.objects.filter(child=child).count(),
        "assessments": RiskAssessment.objects.filter(child=child).count(),
        "guardians": list(Guardian.objects.filter(child=child).values_list("name", "relation", "phone")),
        "audit": AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    }


def expected_message(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


# --- create, read, update -------------------------------------------------------------------------

def test_create_registers_a_child(api_client_for, staff_lishi, regions):
    response = api_client_for(staff_lishi).post(URL, payload(), format="json")
    assert response.status_code == 201, response.json()
    child = Child.objects.get()
    assert response.json()["id"] == child.pk
    assert child.name == "刘小梅"
    assert child.region_id == LISHI_VILLAGE
    assert child.status == "active"
    assert list(child.guardians.values_list("name", "relation", "phone")) == [("刘大山", "祖父", "13935800001")]


def test_create_response_has_the_contract_fields(api_client_for, staff_lishi, regions):
    body = api_client_for(staff_lishi).post(URL, payload(categories=["in_difficulty", "orphan"],
                                              difficulty_types=["poverty"]), format="json").json()
    assert body["gender"] == "female"
    assert body["birth_date"] == "2015-03-08"
    assert body["region"] == LISHI_VILLAGE
    assert sorted(body["categories"]) == ["in_difficulty", "orphan"]
    assert body["difficulty_types"] == ["poverty"]
    assert body["status"] == "active"
    assert body["risk_color"] is None
    assert body["guardians"] == [{"name": "刘大山", "relation": "祖父", "phone": "13935800001"}]
    assert body["ages_out_on"] == "2033-03-08"


def test_create_returns_the_id_number_masked_only(api_client_for, staff_lishi, regions):
    data = payload()
    body = api_client_for(staff_lishi).post(URL, data, format="json").json()
    assert "id_number" not in body
    assert body["id_number_masked"] == "*" * 14 + data["id_number"][-4:]
    assert data["id_number"] not in str(body)


def test_list_returns_children_in_scope(api_client_for, staff_lishi, child_lishi, child_yuci):
    body = api_client_for(staff_lishi).get(URL).json()
    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [child_lishi.pk]


def test_retrieve_returns_the_child(api_client_for, staff_lishi, child_lishi):
    body = api_client_for(staff_lishi).get(detail(child_lishi)).json()
    assert body["name"] == "王小雨"
    assert body["id_number_masked"] == child_lishi.id_number_masked
    assert body["guardians"][0]["relation"] == "祖父"


def test_full_id_number_is_in_neither_list_nor_detail(api_client_for, staff_lishi, child_lishi):
    full = child_lishi.reveal_id_number()
    client = api_client_for(staff_lishi)
    for response in (client.get(URL), client.get(detail(child_lishi))):
        assert response.status_code == 200
        assert full not in response.content.decode()
        assert child_lishi.id_number_masked in response.content.decode()


def test_patch_changes_the_given_fields(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).patch(detail(child_lishi), {"school": "城北小学", "grade": "五年级"}, format="json")
    assert response.status_code == 200, response.json()
    child_lishi.refresh_from_db()
    assert (child_lishi.school, child_lishi.grade) == ("城北小学", "五年级")
    assert child_lishi.name == "王小雨"


def test_patch_replaces_the_guardians(api_client_for, staff_lishi, child_lishi):
    guardians = [{"name": "王秀英", "relation": "祖母", "phone": ""}, {"name": "王强", "relation": "父亲"}]
    response = api_client_for(staff_lishi).patch(detail(child_lishi), {"guardians": guardians}, format="json")
    assert response.status_code == 200, response.json()
    assert list(child_lishi.guardians.values_list("name", "relation")) == [("王秀英", "祖母"), ("王强", "父亲")]


def test_put_changes_the_record(api_client_for, staff_lishi, child_lishi):
    data = {"name": "王小语", "gender": "female", "birth_date": "2015-03-08",
            "categories": ["left_behind", "in_difficulty"], "difficulty_types": ["disability"]}
    response = api_client_for(staff_lishi).put(detail(child_lishi), data, format="json")
    assert response.status_code == 200, response.json()
    child_lishi.refresh_from_db()
    assert child_lishi.name == "王小语"
    assert child_lishi.difficulty_types == ["disability"]


def test_patch_refuses_a_region_change(api_client_for, staff_lishi, child_lishi):
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).patch(detail(child_lishi), {"region": "141102000000"}, format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    assert snapshot(child_lishi) == before


def test_delete_is_not_allowed(api_client_for, admin_lishi, child_lishi):
    response = api_client_for(admin_lishi).delete(detail(child_lishi))
    assert response.status_code == 405
    assert Child.objects.filter(pk=child_lishi.pk).exists()


def test_anonymous_gets_401(api_client, child_lishi):
    assert api_client.get(URL).status_code == 401


# --- bad input: 400, the field named, nothing written ---------------------------------------------

def test_create_with_an_invalid_checksum_is_refused(api_client_for, staff_lishi, regions):
    response = api_client_for(staff_lishi).post(URL, payload(id_number=with_bad_checksum(id_number())), format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert Child.objects.count() == 0


def test_create_with_a_future_birth_date_is_refused(api_client_for, staff_lishi, regions, today):
    tomorrow = today + timedelta(days=1)
    data = payload(birth_date=tomorrow.isoformat(), id_number=id_number(birth_date=tomorrow))
    response = api_client_for(staff_lishi).post(URL, data, format="json")
    assert response.status_code == 400
    assert "birth_date" in response.json()
    assert Child.objects.count() == 0


def test_create_with_a_birth_date_disagreeing_with_the_id_is_refused(api_client_for, staff_lishi, regions):
    data = payload(birth_date="2015-03-09", id_number=id_number(birth_date=date(2015, 3, 8)))
    response = api_client_for(staff_lishi).post(URL, data, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert "2015-03-08" in response.json()["id_number"][0]
    assert Child.objects.count() == 0


def test_create_with_a_date_that_does_not_parse_is_refused(api_client_for, staff_lishi, regions):
    response = api_client_for(staff_lishi).post(URL, payload(birth_date="2015-13-40", id_number=id_number()), format="json")
    assert response.status_code == 400
    assert "birth_date" in response.json()
    assert Child.objects.count() == 0


def test_create_with_an_unknown_category_is_refused(api_client_for, staff_lishi, regions):
    response = api_client_for(staff_lishi).post(URL, payload(categories=["runaway"]), format="json")
    assert response.status_code == 400
    assert "categories" in response.json()
    assert Child.objects.count() == 0


def test_duplicate_id_in_scope_names_the_existing_record(api_client_for, staff_lishi, child_lishi):
    data = payload(id_number=child_lishi.reveal_id_number(), name="王小雨二")
    response = api_client_for(staff_lishi).post(URL, data, format="json")
    assert response.status_code == 400
    message = response.json()["id_number"][0]
    assert "王小雨" in message
    assert str(child_lishi.pk) in message
    assert Child.objects.count() == 1


def test_duplicate_id_out_of_scope_says_only_registered_elsewhere(api_client_for, staff_yuci, child_lishi):
    data = payload(id_number=child_lishi.reveal_id_number(), region="140702100000", name="某某")
    response = api_client_for(staff_yuci).post(URL, data, format="json")
    assert response.status_code == 400
    message = response.json()["id_number"][0]
    assert message == expected_message(
        "This child is already registered in another region; ask the federation there.")
    assert "王小雨" not in message
    assert str(child_lishi.pk) not in message
    assert Child.objects.count() == 1


def test_create_with_a_malformed_region_code_names_region(api_client_for, staff_lishi, regions):
    response = api_client_for(staff_lishi).post(URL, payload(region="离石区"), format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    assert Child.objects.count() == 0


def test_create_in_a_region_outside_scope_names_region(api_client_for, staff_lishi, regions):
    data = payload(region="140702000000", id_number=id_number(region_code="140702000000"))
    response = api_client_for(staff_lishi).post(URL, data, format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    assert Child.objects.count() == 0


def test_create_in_an_unknown_region_names_region(api_client_for, staff_lishi, regions):
    response = api_client_for(staff_lishi).post(URL, payload(region="141102999999"), format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    assert Child.objects.count() == 0


def test_patch_with_a_birth_date_disagreeing_with_the_id_changes_nothing(api_client_for, staff_lishi, child_lishi):
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).patch(detail(child_lishi), {"birth_date": "2015-04-01"}, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert snapshot(child_lishi) == before


def test_exit_date_before_entry_is_refused(api_client_for, staff_lishi, child_lishi):
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).post(detail(child_lishi, "exit/"),
                                     {"reason": "parents_returned", "exited_on": "2024-08-31"}, format="json")
    assert response.status_code == 400
    assert "exited_on" in response.json()
    assert snapshot(child_lishi) == before


def test_exit_with_an_unknown_reason_is_refused(api_client_for, staff_lishi, child_lishi):
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).post(detail(child_lishi, "exit/"),
                                     {"reason": "bored", "exited_on": "2025-01-10"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert snapshot(child_lishi) == before


def test_colour_outside_the_three_is_refused(api_client_for, staff_lishi, child_lishi):
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).post(detail(child_lishi, "assessments/"),
                                     {"color": "blue", "reasons": ["health"], "assessed_on": "2025-01-10"},
                                     format="json")
    assert response.status_code == 400
    assert "color" in response.json()
    assert snapshot(child_lishi) == before


def test_an_exited_child_is_not_assessed(api_client_for, staff_lishi, child_lishi):
    services.child_exit(actor=staff_lishi, child=child_lishi, reason="parents_returned",
                        exited_on=date(2025, 1, 5))
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).post(detail(child_lishi, "assessments/"),
                                     {"color": "red", "reasons": ["safety"], "assessed_on": "2025-01-10"},
                                     format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    assert snapshot(child_lishi) == before


def test_assessment_in_the_future_is_refused(api_client_for, staff_lishi, child_lishi, today):
    before = snapshot(child_lishi)
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = api_client_for(staff_lishi).post(detail(child_lishi, "assessments/"),
                                     {"color": "green", "reasons": [], "assessed_on": tomorrow}, format="json")
    assert response.status_code == 400
    assert "assessed_on" in response.json()
    assert snapshot(child_lishi) == before


def test_errors_are_in_chinese(api_client_for, staff_lishi, regions):
    response = api_client_for(staff_lishi).post(URL, payload(gender="unknown", id_number=id_number()), format="json")
    assert response.status_code == 400
    assert "不是合法选项" in response.json()["gender"][0]


# --- actions --------------------------------------------------------------------------------------

def test_assessment_sets_the_colour(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(detail(child_lishi, "assessments/"),
                                     {"color": "red", "reasons": ["guardianship", "safety"],
                                      "assessed_on": "2025-01-10", "note": "祖父病重"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["next_review_on"] == "2025-02-09"  # 30 days for red by default
    child_lishi.refresh_from_db()
    assert child_lishi.risk_color == "red"


def test_assessments_are_listed(api_client_for, viewer_lvliang, staff_lishi, child_lishi):
    services.child_assess(actor=staff_lishi, child=child_lishi, color="yellow", reasons=["schooling"],
                          assessed_on=date(2025, 1, 10))
    body = api_client_for(viewer_lvliang).get(detail(child_lishi, "assessments/")).json()
    assert [(a["color"], a["reasons"]) for a in body] == [("yellow", ["schooling"])]


def test_exit_records_the_status_change(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(detail(child_lishi, "exit/"),
                                     {"reason": "parents_returned", "exited_on": "2025-01-10", "note": "父母返乡"},
                                     format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["exit_reason"]) == ("exited", "parents_returned")
    last = child_lishi.status_changes.last()
    assert (last.to_status, last.reason, last.effective_on, last.actor) == (
        "exited", "parents_returned", date(2025, 1, 10), staff_lishi)


def test_suspend_then_resume(api_client_for, staff_lishi, child_lishi):
    client = api_client_for(staff_lishi)
    assert client.post(detail(child_lishi, "suspend/"), {"effective_on": "2025-01-10"},
                       format="json").json()["status"] == "suspended"
    assert client.post(detail(child_lishi, "resume/"), {"effective_on": "2025-02-10"},
                       format="json").json()["status"] == "active"
    assert list(child_lishi.status_changes.values_list("to_status", flat=True)) == ["active", "suspended", "active"]


def test_resume_of_an_active_child_is_refused(api_client_for, staff_lishi, child_lishi):
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).post(detail(child_lishi, "resume/"), {"effective_on": "2025-01-10"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    assert snapshot(child_lishi) == before


def test_transfer_moves_the_child_and_keeps_the_history(api_client_for, staff_lishi, child_lishi):
    # Asked (201, pending: she stays), then accepted — by the county's own staff, the destination being theirs.
    client = api_client_for(staff_lishi)
    response = client.post(detail(child_lishi, "transfer/"),
                           {"to_region": "141102000000", "effective_on": "2025-01-10", "reason": "搬到城区"}, format="json")
    assert response.status_code == 201, response.json()
    assert client.get(detail(child_lishi)).json()["region"] == LISHI_VILLAGE
    accepted = client.post(f"/api/v1/transfers/{response.json()['id']}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert client.get(detail(child_lishi)).json()["region"] == "141102000000"
    history = api_client_for(staff_lishi).get(detail(child_lishi, "history/")).json()
    assert [(h["from_region"], h["to_region"]) for h in history if h["is_transfer"]] == [
        (LISHI_VILLAGE, "141102000000")]


def test_transfer_to_a_malformed_region_names_region(api_client_for, staff_lishi, child_lishi):
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).post(detail(child_lishi, "transfer/"),
                                     {"region": "1411", "effective_on": "2025-01-10"}, format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    assert snapshot(child_lishi) == before


def test_transfer_to_another_province_is_refused_on_region(api_client_for, staff_lishi, child_lishi):
    RegionFactory(code="610102001000", name="吴城街道")  # 陕西省
    before = snapshot(child_lishi)
    response = api_client_for(staff_lishi).post(detail(child_lishi, "transfer/"),
                                     {"region": "610102001000", "effective_on": "2025-01-10"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["region"])
    assert snapshot(child_lishi) == before


def test_history_lists_the_status_changes(api_client_for, staff_lishi, child_lishi):
    services.child_change_status(actor=staff_lishi, child=child_lishi, to_status="suspended",
                                 effective_on=date(2025, 1, 10), note="外出就医")
    body = api_client_for(staff_lishi).get(detail(child_lishi, "history/")).json()
    assert [(h["from_status"], h["to_status"]) for h in body] == [(None, "active"), ("active", "suspended")]
    assert body[1]["note"] == "外出就医"
    assert body[1]["actor"] == staff_lishi.pk


# --- audit ----------------------------------------------------------------------------------------

def test_reveal_returns_the_number_and_audits_the_reason(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(detail(child_lishi, "reveal-id/"), {"reason": "办理医保需核对"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"id_number": child_lishi.reveal_id_number()}
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (event.actor, event.target_id, event.detail["reason"]) == (staff_lishi, str(child_lishi.pk), "办理医保需核对")


def test_reveal_without_a_reason_is_refused_and_not_audited(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(detail(child_lishi, "reveal-id/"), {"reason": " "}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_retrieve_records_a_view(api_client_for, viewer_lvliang, child_lishi):
    api_client_for(viewer_lvliang).get(detail(child_lishi))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.target_id, event.region_code) == (viewer_lvliang, str(child_lishi.pk), LISHI_VILLAGE)


def test_retrieving_again_the_same_day_counts_on_the_same_audit_row(api_client_for, viewer_lvliang, child_lishi):
    client = api_client_for(viewer_lvliang)
    for _time in range(2):
        client.get(detail(child_lishi))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.target_id, event.count) == (str(child_lishi.pk), 2)


def test_list_records_no_view(api_client_for, viewer_lvliang, child_lishi):
    api_client_for(viewer_lvliang).get(URL)
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


# --- scoping with the named actors ----------------------------------------------------------------

OUT_OF_SCOPE_REQUESTS = [
    ("get", "", None),
    ("patch", "", {"school": "别处小学"}),
    ("post", "exit/", {"reason": "moved_away", "exited_on": "2025-01-10"}),
    ("get", "assessments/", None),
    ("post", "assessments/", {"color": "red", "reasons": ["safety"], "assessed_on": "2025-01-10"}),
    ("post", "reveal-id/", {"reason": "核对身份"}),
    ("get", "history/", None),
    ("post", "suspend/", {"effective_on": "2025-01-10"}),
    ("post", "transfer/", {"region": "140702000000", "effective_on": "2025-01-10"}),
    ("get", "needs/", None),
]


@pytest.mark.parametrize(("method", "suffix", "data"), OUT_OF_SCOPE_REQUESTS)
def test_staff_of_another_county_gets_404(api_client_for, staff_yuci, child_lishi, method, suffix, data):
    before = snapshot(child_lishi)
    response = getattr(api_client_for(staff_yuci), method)(detail(child_lishi, suffix), data, format="json")
    assert response.status_code == 404
    assert snapshot(child_lishi) == before
    assert not AuditEvent.objects.filter(actor=staff_yuci).exists()


def test_city_viewer_lists_the_countys_children(api_client_for, viewer_lvliang, child_lishi, child_yuci):
    body = api_client_for(viewer_lvliang).get(URL).json()
    assert [row["id"] for row in body["results"]] == [child_lishi.pk]


def test_city_viewer_reads_a_child(api_client_for, viewer_lvliang, child_lishi):
    assert api_client_for(viewer_lvliang).get(detail(child_lishi)).status_code == 200


VIEWER_WRITES = [
    ("patch", "", {"school": "别处小学"}),
    ("put", "", {"name": "改名", "gender": "female", "birth_date": "2015-03-08", "categories": ["orphan"]}),
    ("post", "exit/", {"reason": "moved_away", "exited_on": "2025-01-10"}),
    ("post", "suspend/", {"effective_on": "2025-01-10"}),
    ("post", "resume/", {"effective_on": "2025-01-10"}),
    ("post", "transfer/", {"region": "141102000000", "effective_on": "2025-01-10"}),
    ("post", "assessments/", {"color": "red", "reasons": ["safety"], "assessed_on": "2025-01-10"}),
    ("post", "reveal-id/", {"reason": "核对身份"}),
    ("post", "needs/", {"kind": "study", "description": "一套课外书"}),
]


@pytest.mark.parametrize(("method", "suffix", "data"), VIEWER_WRITES)
def test_city_viewer_gets_403_on_writes(api_client_for, viewer_lvliang, child_lishi, method, suffix, data):
    before = snapshot(child_lishi)
    response = getattr(api_client_for(viewer_lvliang), method)(detail(child_lishi, suffix), data, format="json")
    assert response.status_code == 403
    assert snapshot(child_lishi) == before


def test_city_viewer_cannot_create(api_client_for, viewer_lvliang, regions):
    response = api_client_for(viewer_lvliang).post(URL, payload(), format="json")
    assert response.status_code == 403
    assert Child.objects.count() == 0


def test_volunteer_lists_nothing(api_client_for, volunteer_lishi, child_lishi):
    assert api_client_for(volunteer_lishi).get(URL).json()["count"] == 0


def test_volunteer_cannot_read_a_child(api_client_for, volunteer_lishi, child_lishi):
    assert api_client_for(volunteer_lishi).get(detail(child_lishi)).status_code == 404


def test_province_admin_sees_both_counties(api_client_for, admin_province, child_lishi, child_yuci):
    body = api_client_for(admin_province).get(URL).json()
    assert {row["id"] for row in body["results"]} == {child_lishi.pk, child_yuci.pk}


# --- filters --------------------------------------------------------------------------------------

def ids(client, query: str) -> set[int]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_filter_by_region_takes_the_subtree(api_client_for, admin_province, child_lishi, child_yuci):
    client = api_client_for(admin_province)
    assert ids(client, "?region=141100000000") == {child_lishi.pk}  # 吕梁市 ⊃ 离石区 ⊃ the village
    assert ids(client, "?region=140702000000") == {child_yuci.pk}


def test_filter_by_a_malformed_region_names_region(api_client_for, admin_province, child_lishi):
    response = api_client_for(admin_province).get(URL + "?region=14")
    assert response.status_code == 400
    assert "region" in response.json()


def test_filter_by_status(api_client_for, staff_lishi, make_child, child_lishi):
    other = make_child(staff_lishi, name="赵小川", birth_date=date(2014, 5, 1), gender="male")
    services.child_exit(actor=staff_lishi, child=other, reason="moved_away", exited_on=date(2025, 1, 5))
    client = api_client_for(staff_lishi)
    assert ids(client, "?status=exited") == {other.pk}
    assert ids(client, "?status=active") == {child_lishi.pk}


def test_filter_by_risk_color(api_client_for, staff_lishi, make_child, child_lishi):
    other = make_child(staff_lishi, name="赵小川", birth_date=date(2014, 5, 1), gender="male")
    services.child_assess(actor=staff_lishi, child=other, color="red", reasons=["safety"],
                          assessed_on=date(2025, 1, 10))
    client = api_client_for(staff_lishi)
    assert ids(client, "?risk_color=red") == {other.pk}
    assert ids(client, "?risk_color=none") == {child_lishi.pk}


def test_filter_by_category(api_client_for, staff_lishi, make_child, child_lishi):
    orphan = make_child(staff_lishi, name="赵小川", birth_date=date(2014, 5, 1), gender="male",
                        categories=["orphan"])
    assert ids(api_client_for(staff_lishi), "?category=orphan") == {orphan.pk}


def test_search_by_name(api_client_for, staff_lishi, make_child, child_lishi):
    make_child(staff_lishi, name="赵小川", birth_date=date(2014, 5, 1), gender="male")
    assert ids(api_client_for(staff_lishi), "?search=小雨") == {child_lishi.pk}


def test_search_by_the_last_four_id_digits(api_client_for, staff_lishi, make_child, child_lishi):
    make_child(staff_lishi, name="赵小川", birth_date=date(2014, 5, 1), gender="male")
    assert ids(api_client_for(staff_lishi), f"?search={child_lishi.id_number_last4}") == {child_lishi.pk}


def test_sort_by_birth_date(api_client_for, staff_lishi, make_child, child_lishi):
    older = make_child(staff_lishi, name="赵小川", birth_date=date(2012, 5, 1), gender="male")
    body = api_client_for(staff_lishi).get(URL + "?sort=birth_date").json()
    assert [row["id"] for row in body["results"]] == [older.pk, child_lishi.pk]


# --- performance ----------------------------------------------------------------------------------

def test_list_query_count_does_not_grow_with_the_page(api_client_for, staff_lishi, make_child, django_assert_num_queries):
    client = api_client_for(staff_lishi)
    for size in (3, 20):
        while Child.objects.count() < size:
            n = Child.objects.count()
            make_child(staff_lishi, name=f"孩子{n}", birth_date=date(2012, 1, 1) + timedelta(days=n))
        # 1. the token JOIN its user (TokenAuthentication);
        # 2. COUNT(*) of the filtered, scoped children, for the page count;
        # 3. the page of children JOIN region (select_related);
        # 4. the guardians of the children on the page (prefetch_related, one IN query).
        with django_assert_num_queries(4):
            response = client.get(URL)
        assert response.json()["count"] == size


# --- schema ---------------------------------------------------------------------------------------

def test_schema_documents_the_children_endpoints(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/children/", "/api/v1/children/{id}/", "/api/v1/children/{id}/assessments/",
                 "/api/v1/children/{id}/exit/", "/api/v1/children/{id}/reveal-id/", "/api/v1/needs/",
                 "/api/v1/needs/{id}/transition/"):
        assert path in paths
    assert "delete" not in paths["/api/v1/children/{id}/"]
    child = response.json()["components"]["schemas"]["Child"]["properties"]
    assert "id_number" not in child
    assert "id_number_masked" in child


def test_a_volunteer_reads_her_child_without_id_number_surname_or_address(api_client_for, volunteer_lishi,
                                                                             staff_lishi, child_lishi):
    from pairing import services as pairing_services
    from volunteers import services as volunteer_services

    mother = volunteer_services.volunteer_create(actor=staff_lishi, name="郭丽", phone="13935899001",
                                                 region=child_lishi.region, joined_on=child_lishi.entered_on)
    mother.user = volunteer_lishi
    mother.save(update_fields=["user"])
    pairing_services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother, role="lead",
                                    started_on=child_lishi.entered_on)
    body = api_client_for(volunteer_lishi).get(f"/api/v1/children/{child_lishi.pk}/").json()
    assert body["given_name"] == "小雨"
    assert not {"name", "id_number_masked", "address", "region"} & set(body)
    assert child_lishi.id_number_last4 not in str(body)
