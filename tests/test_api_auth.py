"""API authentication: tokens, /me/, and the OpenAPI schema and docs."""

import re

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def test_token_is_issued_for_the_right_password(api_client, staff_lishi):
    response = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=staff_lishi).key}


def test_the_same_token_is_returned_on_a_second_login(api_client, staff_lishi):
    first = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json").json()
    second = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json").json()
    assert first == second


def test_wrong_password_is_400_without_a_token(api_client, staff_lishi):
    response = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": "wrong-password"}, format="json")
    assert response.status_code == 400
    # The message is Chinese once the zh_Hans catalogue translates "Wrong user name or password.";
    # assert on 用户名或密码 here then.
    assert list(response.json()) == ["non_field_errors"]
    assert not Token.objects.filter(user=staff_lishi).exists()


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(api_client, staff_lishi):
    wrong_password = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": "x"}, format="json")
    unknown_user = api_client.post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json")
    assert (unknown_user.status_code, unknown_user.json()) == (wrong_password.status_code, wrong_password.json())


def test_missing_credentials_name_both_fields(api_client):
    response = api_client.post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_deactivated_user_gets_no_token(api_client, staff_lishi):
    staff_lishi.is_active = False
    staff_lishi.save()
    response = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert not Token.objects.filter(user=staff_lishi).exists()


def test_token_authenticates_with_the_authorization_header(api_client, staff_lishi):
    key = api_client.post(TOKEN_URL, {"username": "staff_lishi", "password": PASSWORD}, format="json").json()["token"]
    response = api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["username"] == "staff_lishi"


def test_an_unknown_token_is_401(api_client, staff_lishi):
    response = api_client.get(ME_URL, HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert response.status_code == 401


def test_me_without_credentials_is_401(api_client):
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_me_describes_the_caller(api_client_for, staff_lishi):
    body = api_client_for(staff_lishi).get(ME_URL).json()
    assert body == {
        "id": staff_lishi.pk,
        "username": "staff_lishi",
        "name": "李敏",
        "phone": "",
        "role": "staff",
        "region": {"code": "141102000000", "name": "离石区", "level": "county"},
        "is_superuser": False,
    }


def test_me_for_a_superuser_has_no_region(api_client_for, superuser):
    body = api_client_for(superuser).get(ME_URL).json()
    assert (body["region"], body["is_superuser"]) == (None, True)


def test_me_for_a_volunteer_shows_their_village(api_client_for, volunteer_lishi):
    body = api_client_for(volunteer_lishi).get(ME_URL).json()
    assert (body["role"], body["region"]["code"]) == ("volunteer", "141102001200")


# --- OpenAPI --------------------------------------------------------------------------------------

def test_schema_is_served(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200


def test_schema_documents_the_public_account_endpoints(api_client):
    paths = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/users/", "/api/v1/users/{id}/",
                 "/api/v1/users/{id}/deactivate/", "/api/v1/regions/", "/api/v1/regions/{code}/"):
        assert path in paths


def test_docs_page_is_served(client):
    assert client.get("/api/docs/").status_code == 200


def test_docs_page_loads_only_local_assets(client):
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert assets, "the docs page should load Swagger UI from somewhere"
    for url in assets:
        # Swagger UI's start-up script comes from the docs view itself (no inline script: CSP).
        assert url.startswith(("/static/", "/api/docs/?script=")), url
    assert "http://" not in page and "https://" not in page


def test_docs_page_has_no_inline_script_or_style(client):
    page = client.get("/api/docs/").content.decode()
    assert re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "<style" not in page and " style=" not in page
    script = client.get("/api/docs/?script=")
    assert (script.status_code, script["Content-Type"].split(";")[0]) == (200, "application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
