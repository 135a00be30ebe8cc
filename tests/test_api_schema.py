"""The OpenAPI schema tells the truth (core.openapi), and the API refuses what the schema does not
allow: malformed pages and filters (config.pagination, core.filters), JSON of the wrong type
(core.json_types). bin/schemathesis checks the same against a live server at random."""

from datetime import date

import pytest

from accounts import idcard
from accounts.models import Region
from children import services as children_services

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"


@pytest.fixture
def schema(api_client):
    return api_client.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


# --- errors, documented once --------------------------------------------------------------------

def test_every_operation_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        where = f"{method} {path}"
        if method != "GET" or any(p["in"] == "query" for p in parameters):
            assert "400" in responses, where
        if path != "/api/v1/auth/token/":
            assert {"401", "403"} <= set(responses), where
        if "{" in path or any(p["name"] == "page" for p in parameters):
            assert "404" in responses, where


def test_the_shared_error_bodies(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    errors = components["ValidationErrors"]
    assert {"$ref": "#/components/schemas/Error"} in errors["anyOf"]  # an unreadable body: {detail}
    operation = schema["paths"]["/api/v1/children/"]["post"]
    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrors"}
    assert operation["responses"]["404" if "404" in operation["responses"] else "403"]["content"][
        "application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_a_view_that_documents_a_status_keeps_its_own(schema):
    activities = schema["paths"]["/api/v1/activities/"]["post"]["responses"]
    assert activities["409"]["content"]["application/json"]["schema"]["$ref"] != "#/components/schemas/Error"
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_the_api_takes_json(schema):
    for path, method, operation in operations(schema):
        # Photo uploads (an activity's photos, an urgent report's photo) are multipart; a guardian's consent
        # is JSON, or multipart with the scan of a signed one.
        if "requestBody" not in operation or path.endswith(("/photos/", "/photo/")):
            continue
        expected = {"application/json", "multipart/form-data"} if path.endswith("/consents/") else {"application/json"}
        assert set(operation["requestBody"]["content"]) == expected, f"{method} {path}"


def test_a_form_encoded_request_is_415(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).post("/api/v1/teams/", {"name": "第一服务队", "region": "141102001000"})
    assert response.status_code == 415


# --- nullable where the answer can be null ------------------------------------------------------------

def test_a_superusers_region_is_null_and_documented_so(schema, api_client_for, superuser):
    client = api_client_for(superuser)
    assert client.get("/api/v1/me/").json()["region"] is None
    assert client.get(f"/api/v1/users/{superuser.pk}/").json()["region"] is None
    components = schema["components"]["schemas"]
    assert components["Me"]["properties"]["region"]["nullable"] is True
    assert components["User"]["properties"]["region"]["nullable"] is True
    # ... while a user created or changed here needs one.
    assert "nullable" not in components["UserRequest"]["properties"]["region"]
    assert "nullable" not in components["PatchedUserUpdateRequest"]["properties"]["region"]


# --- pages ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field"), [
    ("page_size=null", "page_size"),
    ("page_size=0", "page_size"),
    ("page_size=1001", "page_size"),
    ("page_size=2.5", "page_size"),
    ("page_size=", "page_size"),
    ("page=abc", "page"),
    ("page=0", "page"),
    ("page=-1", "page"),
])
def test_a_malformed_page_or_page_size_is_400_naming_it(api_client_for, staff_lishi, query, field):
    response = api_client_for(staff_lishi).get(f"/api/v1/children/?{query}")
    assert response.status_code == 400, response.content.decode()
    assert list(response.json()) == [field]


def test_pages(api_client_for, staff_lishi):
    client = api_client_for(staff_lishi)
    assert client.get("/api/v1/regions/?page_size=2").json()["results"].__len__() <= 2
    assert client.get("/api/v1/regions/?page_size=1000&page=1").status_code == 200
    assert client.get("/api/v1/regions/?page=999").status_code == 404


def test_pages_are_documented(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/children/"]["get"]["parameters"]}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"]["schema"]["maximum"] == 1000


# --- filters ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/pairings/?volunteer=0.5", "volunteer"),
    ("/api/v1/pairings/?child=abc", "child"),
    ("/api/v1/pairings/?active=maybe", "active"),
    ("/api/v1/pairings/?active=", "active"),
    ("/api/v1/pairings/?role=", "role"),
    ("/api/v1/activities/?volunteer=0.5", "volunteer"),
    ("/api/v1/activities/?occurred_before=", "occurred_before"),
    ("/api/v1/activities/?is_group=null", "is_group"),
    ("/api/v1/trainings/?held_on_before=", "held_on_before"),
    ("/api/v1/trainings/?held_on_after=2025-13-01", "held_on_after"),
    ("/api/v1/volunteers/?team=1.5", "team"),
    ("/api/v1/children/?paired=yes", "paired"),
    ("/api/v1/needs/?child=0.5", "child"),
])
def test_a_filter_value_it_cannot_read_is_400_naming_it(api_client_for, staff_lishi, url, field):
    response = api_client_for(staff_lishi).get(url)
    assert response.status_code == 400, response.content.decode()
    assert field in response.json()


@pytest.mark.parametrize("url", [
    "/api/v1/pairings/?volunteer=7&active=true&role=lead",
    "/api/v1/pairings/?active=False",
    "/api/v1/activities/?occurred_before=2025-01-31&is_group=false",
    "/api/v1/children/?search=",  # free text may be empty
    "/api/v1/trainings/?held_on_after=2025-01-01",
])
def test_readable_filters_pass(api_client_for, staff_lishi, url):
    assert api_client_for(staff_lishi).get(url).status_code == 200


def test_id_filters_are_documented_as_integers(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/pairings/"]["get"]["parameters"]}
    assert parameters["volunteer"]["schema"] == {"type": "integer"}
    assert parameters["volunteer"]["description"]  # the label, not lost to the type


# --- JSON types -------------------------------------------------------------------------------------

def test_a_number_for_a_text_field_is_400(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).post(
        "/api/v1/teams/", {"name": "第一服务队", "region": "141102001000", "notes": 0}, format="json")
    assert response.status_code == 400, response.content.decode()
    assert list(response.json()) == ["notes"]


def test_a_number_for_a_decimal_string_is_400(api_client_for, staff_lishi):
    child = children_services.child_create(
        actor=staff_lishi, name="李小花", birth_date=date(2015, 3, 8), gender="female",
        region=Region.objects.get(pk="141102001200"), categories=["left_behind"], entered_on=date(2024, 9, 1),
        guardians=[children_services.GuardianData(name="李大山", relation="祖父", phone="13935800001")],
        id_number=idcard.generate(region_code6="141102", birth_date=date(2015, 3, 8), sex="female", sequence=7))
    client = api_client_for(staff_lishi)
    response = client.post(f"/api/v1/children/{child.pk}/needs/",
                           {"kind": "material", "description": "冬衣", "value_yuan": 120}, format="json")
    assert response.status_code == 400, response.content.decode()
    assert list(response.json()) == ["value_yuan"]
    response = client.post(f"/api/v1/children/{child.pk}/needs/",
                           {"kind": "material", "description": "冬衣", "value_yuan": "120"}, format="json")
    assert response.status_code == 201, response.content.decode()


def test_a_number_beyond_the_column_is_400_not_a_server_error(api_client_for, staff_lishi):
    # Found by bin/schemathesis: 593940276327053 participants reached PostgreSQL ("integer out of range").
    response = api_client_for(staff_lishi).post(
        "/api/v1/trainings/", {"title": "家庭教育培训", "held_on": "2025-01-10", "region": "141102001000",
                               "participants": 593940276327053}, format="json")
    assert response.status_code == 400, response.content.decode()
    assert list(response.json()) == ["participants"]
