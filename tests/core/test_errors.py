"""A ValidationError that gets out of a page answers 400 listing its messages, never a 500
(core.errors.BadRequestMiddleware). The pages are the tiny views of tests/core/urls.py."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from core.errors import BadRequestMiddleware, messages_of

pytestmark = pytest.mark.urls("tests.core.urls")


@pytest.fixture
def signed_in(client, staff_lishi):
    client.force_login(staff_lishi)
    return client


def test_a_page_raising_a_validation_error_answers_400(signed_in):
    assert signed_in.get("/__core__/refuse/fields/").status_code == 400


def test_the_400_page_lists_every_message_of_every_field(signed_in):
    page = signed_in.get("/__core__/refuse/fields/").content.decode()
    assert ("月份格式不对：2025-3" in page, "区划代码须为12位数字" in page) == (True, True)


def test_the_400_page_lists_every_message_of_a_list(signed_in):
    page = signed_in.get("/__core__/refuse/list/").content.decode()
    assert ("第一条理由" in page, "第二条理由" in page) == (True, True)


def test_the_400_page_is_the_invalid_request_page(signed_in):
    assert "400.html" in [template.name for template in signed_in.get("/__core__/refuse/list/").templates]


def test_the_400_page_passes_the_messages_to_the_template(signed_in):
    assert signed_in.get("/__core__/refuse/list/").context["errors"] == ["第一条理由", "第二条理由"]


def test_the_400_page_escapes_the_messages(signed_in):
    page = signed_in.get("/__core__/refuse/markup/").content.decode()
    assert ("<script>alert(1)</script>" in page, "&lt;script&gt;alert(1)&lt;/script&gt;" in page) == (False, True)


def test_the_middleware_leaves_other_errors_alone(staff_lishi):
    request = RequestFactory().get("/")
    request.user = staff_lishi
    middleware = BadRequestMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(request, PermissionDenied("no")) is None


def test_the_middleware_passes_a_response_through(staff_lishi):
    response = HttpResponse("fine")
    assert BadRequestMiddleware(lambda request: response)(RequestFactory().get("/")) is response


def test_messages_of_a_field_keyed_error_are_all_its_messages():
    error = ValidationError({"month": ["a", "b"], "region": ["c"]})
    assert messages_of(error) == ["a", "b", "c"]


def test_messages_of_a_list_error_are_its_messages():
    assert messages_of(ValidationError(["a", "b"])) == ["a", "b"]


def test_messages_of_a_single_error_is_its_message():
    assert messages_of(ValidationError("%(month)s is in the future.", params={"month": "2099-01"})) \
        == ["2099-01 is in the future."]
