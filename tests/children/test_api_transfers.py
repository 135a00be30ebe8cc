"""Two-sided transfers over the API: POST /api/v1/children/<id>/transfer/ asks, /api/v1/transfers/ lists
what the caller sends or receives, …/accept/, …/reject/ and …/cancel/ decide (children.transfers).

The child (``child_lishi``, 离石区) is asked to move to 修文镇 (榆次区, staff_yuci's county).
"""

from datetime import date

import pytest

from children import transfers
from children.models import Child, Transfer, TransferStatus
from tests.factories import YUCI_TOWNSHIP, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/transfers/"
SHAPE = {"id", "child", "child_summary", "from_region", "from_region_name", "to_region", "to_region_name", "status",
         "reason", "effective_on", "requested_by", "requested_at", "decided_by", "decided_at", "decision_reason"}


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def request_url(child) -> str:
    return f"/api/v1/children/{child.pk}/transfer/"


@pytest.fixture
def transfer(staff_lishi, child_lishi, regions) -> Transfer:
    return transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=regions.yuci_township,
                                      reason="随父母到榆次务工", effective_on=date(2025, 1, 10))


@pytest.fixture
def staff_fenyang(regions):
    from accounts.roles import Role

    return UserFactory(username="staff_fenyang", role=Role.STAFF,
                       region=RegionFactory(code="141182000000", name="汾阳市"))


# --- asking ---------------------------------------------------------------------------------------

def test_a_request_answers_201_with_the_transfer(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(request_url(child_lishi), {"to_region": YUCI_TOWNSHIP,
                                                                           "reason": "随父母务工"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == SHAPE
    assert (body["child"], body["from_region"], body["to_region"], body["status"], body["reason"],
            body["decided_by"], body["decided_at"]) == (child_lishi.pk, "141102001200", YUCI_TOWNSHIP, "pending",
                                                        "随父母务工", None, None)
    assert body["effective_on"] == transfers.services.today().isoformat()
    assert Child.objects.get(pk=child_lishi.pk).region_id == "141102001200"


def test_the_older_field_names_are_still_accepted(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(request_url(child_lishi), {
        "region": YUCI_TOWNSHIP, "effective_on": "2025-01-10", "note": "随父母务工"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["reason"], response.json()["effective_on"]) == ("随父母务工", "2025-01-10")


def test_a_request_without_a_destination_names_to_region(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(request_url(child_lishi), {"reason": "搬家"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["to_region"])
    assert not Transfer.objects.exists()


def test_a_request_without_a_reason_names_reason(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(request_url(child_lishi), {"to_region": YUCI_TOWNSHIP}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["reason"])
    assert has_chinese(response.json()["reason"][0])


def test_a_second_pending_request_is_a_400_in_chinese(api_client_for, transfer, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(request_url(child_lishi), {"to_region": "140702000000",
                                                                           "reason": "再次"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["child"])
    assert has_chinese(response.json()["child"][0])
    assert Transfer.objects.count() == 1


# --- reading --------------------------------------------------------------------------------------

def test_the_receiver_lists_the_pending_transfer_by_its_summary(api_client_for, transfer, staff_yuci, child_lishi):
    response = api_client_for(staff_yuci).get(URL, {"status": "pending"})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["child_summary"] == {"name": "王小雨", "age": child_lishi.age_on(transfers.services.today()),
                                    "categories": ["left_behind"], "id_number_masked": child_lishi.id_number_masked}
    assert child_lishi.reveal_id_number() not in response.content.decode()


def test_the_receiver_cannot_read_the_child_before_accepting(api_client_for, transfer, staff_yuci, child_lishi):
    assert api_client_for(staff_yuci).get(f"/api/v1/children/{child_lishi.pk}/").status_code == 404


def test_the_status_filter_leaves_the_decided_out(api_client_for, transfer, staff_lishi):
    transfers.transfer_cancel(actor=staff_lishi, transfer=transfer)
    client = api_client_for(staff_lishi)
    assert client.get(URL, {"status": "pending"}).json()["count"] == 0
    assert client.get(URL, {"status": "cancelled"}).json()["count"] == 1


def test_a_bad_status_filter_is_a_400_naming_it(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get(URL, {"status": "done"})
    assert (response.status_code, list(response.json())) == (400, ["status"])


def test_a_third_county_lists_nothing_and_gets_404(api_client_for, transfer, staff_fenyang):
    client = api_client_for(staff_fenyang)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{transfer.pk}/").status_code == 404
    assert client.post(f"{URL}{transfer.pk}/accept/").status_code == 404
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def test_the_list_runs_a_fixed_number_of_queries(api_client_for, staff_lishi, staff_yuci, make_child, regions,
                                                 django_assert_num_queries):
    client = api_client_for(staff_yuci)

    def add(n):
        for i in range(n):
            child = make_child(staff_lishi, name=f"孩子{Transfer.objects.count()}{i}")
            transfers.transfer_request(actor=staff_lishi, child=child, to_region=regions.yuci, reason="搬家",
                                       effective_on=date(2025, 1, 10))

    add(1)
    # 1 the token and its user, 2 the count, 3 one page of transfers (child, regions and users JOINed).
    with django_assert_num_queries(3):
        client.get(URL)
    add(3)
    with django_assert_num_queries(3):
        assert client.get(URL).json()["count"] == 4


# --- deciding -------------------------------------------------------------------------------------

def test_the_receiver_accepts(api_client_for, transfer, staff_yuci, child_lishi):
    response = api_client_for(staff_yuci).post(f"{URL}{transfer.pk}/accept/")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["decided_by"]) == ("accepted", staff_yuci.pk)
    assert response.json()["decided_at"]
    assert Child.objects.get(pk=child_lishi.pk).region_id == YUCI_TOWNSHIP


def test_the_sender_gets_403_in_chinese_accepting(api_client_for, transfer, staff_lishi):
    response = api_client_for(staff_lishi).post(f"{URL}{transfer.pk}/accept/")
    assert response.status_code == 403
    assert has_chinese(response.json()["detail"])
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def test_a_read_only_leader_gets_403(api_client_for, transfer, viewer_lvliang):
    client = api_client_for(viewer_lvliang)
    assert client.get(URL).json()["count"] == 1
    response = client.post(f"{URL}{transfer.pk}/accept/")
    assert response.status_code == 403
    assert has_chinese(response.json()["detail"])


def test_a_rejection_without_a_reason_is_a_400_naming_reason(api_client_for, transfer, staff_yuci):
    response = api_client_for(staff_yuci).post(f"{URL}{transfer.pk}/reject/", {}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["reason"])
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def test_the_receiver_rejects_with_a_reason(api_client_for, transfer, staff_yuci):
    response = api_client_for(staff_yuci).post(f"{URL}{transfer.pk}/reject/", {"reason": "家庭未迁入"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_reason"]) == ("rejected", "家庭未迁入")


def test_the_sender_cancels(api_client_for, transfer, staff_lishi):
    response = api_client_for(staff_lishi).post(f"{URL}{transfer.pk}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")


def test_the_receiver_gets_403_cancelling(api_client_for, transfer, staff_yuci):
    response = api_client_for(staff_yuci).post(f"{URL}{transfer.pk}/cancel/")
    assert response.status_code == 403
    assert has_chinese(response.json()["detail"])


def test_deciding_twice_is_a_400_naming_status(api_client_for, transfer, staff_yuci):
    client = api_client_for(staff_yuci)
    client.post(f"{URL}{transfer.pk}/accept/")
    response = client.post(f"{URL}{transfer.pk}/accept/")
    assert (response.status_code, list(response.json())) == (400, ["status"])
