"""Every API error speaks the request's language — Simplified Chinese unless the client asks for
English — including the 404 of a record outside the caller's scope, whose Http404 carries Django's
English "No Child matches the given query." (config.api_errors)."""

import json
import re

import pytest
from rest_framework.test import APIClient

from accounts.api.views import MeView
from tests.children.conftest import child_lishi, make_child  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def messages_in(body) -> list[str]:
    if isinstance(body, str):
        return [body]
    if isinstance(body, list):
        return [m for item in body for m in messages_in(item)]
    if isinstance(body, dict):
        return [m for value in body.values() for m in messages_in(value)]
    return []


def assert_chinese(response, status: int) -> None:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    messages = messages_in(response.json())
    assert messages, response.content.decode()
    for message in messages:
        # Names in quotes (a method, a field) may stay as they are; the sentence is Chinese.
        assert CHINESE.search(message) and not ENGLISH_WORD.search(re.sub(r"“[^”]*”", "", message)), message


def test_404_of_a_record_outside_the_scope_is_chinese(api_client_for, staff_yuci, child_lishi):  # noqa: F811
    response = api_client_for(staff_yuci).get(f"/api/v1/children/{child_lishi.pk}/")
    assert_chinese(response, 404)
    assert response.json() == {"detail": "未找到。"}


def test_404_of_no_record_at_all_is_chinese(api_client_for, staff_lishi):
    assert_chinese(api_client_for(staff_lishi).get("/api/v1/children/999999/"), 404)


def test_404_of_an_unknown_api_address_is_chinese_json(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get("/api/v1/no-such-thing/")
    assert_chinese(response, 404)


def test_403_is_chinese(api_client_for, viewer_lvliang):
    assert_chinese(api_client_for(viewer_lvliang).get("/api/v1/users/"), 403)


def test_401_is_chinese(api_client, regions):
    assert_chinese(api_client.get("/api/v1/me/"), 401)
    assert_chinese(api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token " + "0" * 40), 401)


def test_405_is_chinese(api_client_for, staff_lishi):
    assert_chinese(api_client_for(staff_lishi).delete("/api/v1/me/"), 405)


def test_400_is_chinese(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).post("/api/v1/children/", {}, format="json")
    assert_chinese(response, 400)


def test_a_chinese_browser_gets_chinese(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get("/api/v1/children/999999/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.json() == {"detail": "未找到。"}


def test_a_client_asking_for_english_gets_english(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get("/api/v1/children/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_a_server_error_under_the_api_is_chinese_json(staff_lishi, monkeypatch):
    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(MeView, "get", broken)
    client = APIClient(raise_request_exception=False)
    client.force_login(staff_lishi)
    response = client.get("/api/v1/me/")
    assert response.status_code == 500
    assert CHINESE.search(json.loads(response.content)["detail"])


def test_pages_keep_their_html_404(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get("/no-such-page/")
    assert (response.status_code, response["Content-Type"].split(";")[0]) == (404, "text/html")
