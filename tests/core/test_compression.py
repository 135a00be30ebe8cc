"""core.compression: pages and JSON are gzip-compressed for a client that accepts it; a response that
carries a secret (a revealed ID number, a new API token) never is (BREACH); downloads are sent as
they are, streamed, with their length."""

import gzip
import zipfile
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_the_middleware_comes_before_everything_that_touches_the_body():
    middleware = settings.MIDDLEWARE
    assert middleware.index("core.compression.CompressionMiddleware") == middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware") - 1


def test_a_page_is_gzipped_for_a_client_that_accepts_it(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:list"), **GZIP)
    assert (response.status_code, response["Content-Encoding"]) == (200, "gzip")
    assert "Accept-Encoding" in response["Vary"]
    assert child_lishi.name in gzip.decompress(response.content).decode()


def test_a_page_is_plain_for_a_client_that_does_not_accept_gzip(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:list"))
    assert not response.has_header("Content-Encoding")
    assert child_lishi.name in response.content.decode()


def test_json_from_the_api_is_gzipped(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).get("/api/v1/children/", **GZIP)
    assert (response.status_code, response["Content-Encoding"]) == (200, "gzip")
    assert child_lishi.name in gzip.decompress(response.content).decode()


def test_the_page_with_a_revealed_id_number_is_never_compressed(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:reveal", args=[child_lishi.pk]), {"reason": "核对民政名单"}, **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert child_lishi.reveal_id_number() in response.content.decode()


def test_a_new_api_token_is_never_compressed(api_client, staff_lishi):
    response = api_client.post("/api/v1/auth/token/", {"username": "staff_lishi", "password": PASSWORD},
                               format="json", **GZIP)
    assert response.status_code == 200
    # Marked, not merely too short to be worth it (core.compression.no_compression).
    assert (response.no_compression, response.has_header("Content-Encoding")) == (True, False)


def test_a_streamed_download_is_sent_as_it_is(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:import-template"), **GZIP)
    assert (response.status_code, response.streaming) == (200, True)
    assert not response.has_header("Content-Encoding")
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    assert zipfile.ZipFile(BytesIO(body)).testzip() is None  # an .xlsx workbook, intact
