"""A NUL byte (0x00) in a request's values answers 400 in Chinese, never a 500.

PostgreSQL cannot store or compare a string with NUL in it (psycopg refuses such a parameter with a
ValueError), so before core.errors refused them these pages answered 500 there. Run on SQLite and on
PostgreSQL (DATABASE_URL=postgres://… bin/test tests/core/test_nul_bytes.py)."""

import json
import re

import pytest
from django.db import DataError
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import AuditEvent
from core.errors import BadRequestMiddleware

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def admin(client, admin_lishi):
    client.force_login(admin_lishi)
    return client


@pytest.fixture
def staff(client, staff_lishi):
    client.force_login(staff_lishi)
    return client


def refused_page(response, name: str) -> str:
    assert response.status_code == 400
    assert "400.html" in [template.name for template in response.templates]
    errors = response.context["errors"]
    assert len(errors) == 1 and name in errors[0] and CJK.search(errors[0]), errors
    return errors[0]


def test_the_coverage_page_refuses_a_nul_in_the_region(staff):
    refused_page(staff.get("/pairing/coverage/?region=%00"), "region")


def test_a_childs_pairing_page_refuses_a_nul_in_the_search(staff, child_lishi):
    refused_page(staff.get(f"/pairing/child/{child_lishi.pk}/?q=%00"), "q")


def test_the_user_list_refuses_a_nul_in_the_search(admin):
    refused_page(admin.get("/accounts/users/?q=%00"), "q")


def test_the_audit_log_refuses_a_nul_in_the_actor(admin):
    refused_page(admin.get("/accounts/audit/?actor=%00"), "actor")


def test_a_nul_inside_a_longer_value_is_refused_too(admin):
    refused_page(admin.get("/accounts/users/?q=%E6%9D%8E%00x"), "q")


def test_a_nul_in_a_posted_form_value_is_refused(admin, admin_lishi):
    before = AuditEvent.objects.count()
    response = admin.post("/accounts/users/new/", {"username": "a\x00b", "name": "李\x00"})
    refused_page(response, "username")
    assert AuditEvent.objects.count() == before


def test_a_nul_in_a_parameters_name_is_refused(admin):
    assert admin.get("/accounts/users/?%00=1").status_code == 400


def test_the_page_still_answers_without_a_nul(admin, staff_lishi):
    assert admin.get("/accounts/users/?q=%E6%9D%8E").status_code == 200


def test_the_api_answers_json_in_chinese(api_client_for, admin_lishi):
    response = api_client_for(admin_lishi).get("/api/v1/audit/?actor=%00")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["actor"]
    assert CJK.search(body["actor"][0])


def test_the_children_api_refuses_a_nul_in_a_filter(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get("/api/v1/children/?q=%00")
    assert response.status_code == 400
    assert "q" in response.json()


def test_a_nul_in_an_api_json_body_is_a_field_error(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).patch(f"/api/v1/children/{child_lishi.pk}/", {"school": "一中\x00"},
                                                  format="json")
    assert response.status_code == 400
    assert "school" in response.json()


# --- the driver's refusal, should a NUL reach the database another way ----------------------------

DRIVER_REFUSALS = [
    DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),  # psycopg 3
    ValueError("A string literal cannot contain NUL (0x00) characters."),  # psycopg2
]


@pytest.mark.parametrize("refusal", DRIVER_REFUSALS, ids=["psycopg3", "psycopg2"])
def test_the_drivers_refusal_answers_the_400_page(staff_lishi, refusal):
    request = RequestFactory().get("/children/")
    request.user = staff_lishi
    response = BadRequestMiddleware(lambda request: HttpResponse()).process_exception(request, refusal)
    assert response.status_code == 400
    assert CJK.search(response.content.decode())


def test_the_drivers_refusal_answers_json_in_the_api(staff_lishi):
    request = RequestFactory().post("/api/v1/activities/")
    request.user = staff_lishi
    response = BadRequestMiddleware(lambda request: HttpResponse()).process_exception(request, DRIVER_REFUSALS[0])
    assert response.status_code == 400
    body = json.loads(response.content)
    assert list(body) == ["non_field_errors"] and CJK.search(body["non_field_errors"][0])


def test_other_data_errors_are_left_alone(staff_lishi):
    request = RequestFactory().get("/children/")
    request.user = staff_lishi
    middleware = BadRequestMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(request, DataError("integer out of range")) is None
    assert middleware.process_exception(request, ValueError("something else")) is None
