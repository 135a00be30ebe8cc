"""Which shape of a child the API answers with, by role (core.access.is_volunteer), and who may write."""

import pytest

from tests.pairing.conftest import pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401

pytestmark = pytest.mark.django_db


def detail(child) -> str:
    return f"/api/v1/children/{child.pk}/"


def test_a_paired_caring_mother_reads_her_child_without_id_number_or_surname(api_client_for, volunteer_lishi,
                                                                            volunteer_mother_lishi,  # noqa: F811
                                                                            pair, child_lishi):  # noqa: F811
    pair(child_lishi, volunteer_mother_lishi)
    body = api_client_for(volunteer_lishi).get(detail(child_lishi)).json()
    assert body["given_name"] == "小雨"
    assert not {"name", "id_number_masked", "address"} & set(body)


def test_a_superuser_reads_the_full_record(api_client_for, superuser, child_lishi):
    body = api_client_for(superuser).get(detail(child_lishi)).json()
    assert (body["name"], body["id_number_masked"]) == (child_lishi.name, child_lishi.id_number_masked)


def test_a_paired_caring_mother_cannot_change_her_child(api_client_for, volunteer_lishi,
                                                        volunteer_mother_lishi, pair, child_lishi):  # noqa: F811
    pair(child_lishi, volunteer_mother_lishi)
    response = api_client_for(volunteer_lishi).patch(detail(child_lishi), {"school": "别处小学"}, format="json")
    assert response.status_code == 403
    child_lishi.refresh_from_db()
    assert child_lishi.school == ""
