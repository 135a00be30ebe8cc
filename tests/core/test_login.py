"""Every page needs a login (core.login.LoginRequiredMiddleware), except the REST API, which
authenticates itself and answers in JSON."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import RequestFactory
from rest_framework.views import APIView

from core.login import LoginRequiredMiddleware

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_of_a_page_is_sent_to_the_login_page(client):
    response = client.get("/children/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, resolve_url(settings.LOGIN_URL))


def test_the_login_page_remembers_where_the_visitor_was_going(client):
    assert "next=/children/" in client.get("/children/")["Location"]


@pytest.mark.urls("tests.core.urls")
def test_a_guarded_page_asks_an_anonymous_visitor_to_log_in_first(client):
    assert client.get("/__core__/edit/").status_code == 302


def test_an_anonymous_api_caller_gets_401_not_a_redirect(client):
    response = client.get("/api/v1/me/")
    assert (response.status_code, response["Content-Type"]) == (401, "application/json")


def test_a_page_marked_public_needs_no_login(client):
    assert client.get("/healthz/").status_code == 200


def anonymous_request(path: str):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def test_the_middleware_lets_a_rest_framework_view_through():
    class Anything(APIView):
        pass

    middleware = LoginRequiredMiddleware(lambda request: HttpResponse())
    assert middleware.process_view(anonymous_request("/api/v1/anything/"), Anything.as_view(), (), {}) is None


def test_the_middleware_stops_an_anonymous_visitor_of_a_plain_view():
    def page(request):
        return HttpResponse()

    middleware = LoginRequiredMiddleware(lambda request: HttpResponse())
    assert middleware.process_view(anonymous_request("/somewhere/"), page, (), {}).status_code == 302
