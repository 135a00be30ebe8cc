"""The request context (core.request_context): while a request is served, the client's address is
known — REMOTE_ADDR, or with PROXY_COUNT trusted proxies the X-Forwarded-For entry they added — and
an audit event written meanwhile carries it; outside a request there is none."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent
from core.request_context import RequestContextMiddleware, client_ip, current_client_ip


def request_from(remote_addr: str | None = "10.0.0.5", forwarded: str | None = None):
    meta = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr
    return request


def served(request, during=current_client_ip):
    """What ``during`` returned while the middleware served ``request``."""
    seen = []

    def view(request):
        seen.append(during())
        return HttpResponse()

    RequestContextMiddleware(view)(request)
    return seen[0]


# --- the client's address -------------------------------------------------------------------------

def test_the_address_is_remote_addr(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(request_from("10.0.0.5")) == "10.0.0.5"


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(request_from("10.0.0.5", forwarded="203.0.113.9")) == "10.0.0.5"


def test_behind_one_proxy_the_address_is_the_forwarded_one(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.1", forwarded="203.0.113.9")) == "203.0.113.9"


def test_behind_one_proxy_a_forged_forwarded_entry_is_ignored(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.1", forwarded="6.6.6.6, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_address_is_the_second_last_entry(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.1", forwarded="6.6.6.6, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


def test_behind_a_proxy_without_a_forwarded_entry_the_address_is_remote_addr(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.1")) == "10.0.0.1"


def test_fewer_forwarded_entries_than_proxies_fall_back_to_remote_addr(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.1", forwarded="203.0.113.9")) == "10.0.0.1"


def test_without_remote_addr_there_is_no_address(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(request_from(None)) is None


# --- the middleware -------------------------------------------------------------------------------

def test_the_middleware_sets_the_address_for_the_request(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert served(request_from("10.0.0.5")) == "10.0.0.5"


def test_the_middleware_sets_the_forwarded_address_behind_a_proxy(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert served(request_from("10.0.0.1", forwarded="203.0.113.9")) == "203.0.113.9"


def test_there_is_no_address_outside_a_request():
    assert current_client_ip() is None


def test_the_middleware_resets_the_address_after_the_request():
    served(request_from("10.0.0.5"))
    assert current_client_ip() is None


def test_the_middleware_resets_the_address_after_a_failed_request():
    def failing(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        RequestContextMiddleware(failing)(request_from("10.0.0.5"))
    assert current_client_ip() is None


@pytest.mark.urls("tests.core.urls")
def test_a_page_knows_the_callers_address(client, staff_lishi, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    client.force_login(staff_lishi)
    assert client.get("/__core__/ip/", REMOTE_ADDR="198.51.100.4").json() == {"ip": "198.51.100.4"}


@pytest.mark.urls("tests.core.urls")
def test_a_page_behind_a_proxy_knows_the_forwarded_address(client, staff_lishi, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    client.force_login(staff_lishi)
    response = client.get("/__core__/ip/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert response.json() == {"ip": "198.51.100.4"}


# --- the audit log --------------------------------------------------------------------------------

@pytest.mark.urls("tests.core.urls")
def test_an_audit_event_written_during_a_request_carries_the_address(client, staff_lishi, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    client.force_login(staff_lishi)
    event = client.get("/__core__/audited/", REMOTE_ADDR="198.51.100.4").json()["event"]
    assert AuditEvent.objects.get(pk=event).ip == "198.51.100.4"


@pytest.mark.urls("tests.core.urls")
def test_an_audit_event_behind_a_proxy_carries_the_forwarded_address(client, staff_lishi, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    client.force_login(staff_lishi)
    event = client.get("/__core__/audited/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4").json()
    assert AuditEvent.objects.get(pk=event["event"]).ip == "198.51.100.4"


def test_a_folded_view_written_during_a_request_carries_the_address(staff_lishi, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    event = served(request_from("10.0.0.5"), during=lambda: audit_record(
        actor=staff_lishi, action=AuditAction.VIEW, target_type="children.child", target_id="1"))
    assert AuditEvent.objects.get(pk=event.pk).ip == "10.0.0.5"


def test_an_audit_event_outside_a_request_has_no_address(staff_lishi):
    event = audit_record(actor=staff_lishi, action=AuditAction.UPDATE, target_type="children.child", target_id="1")
    assert AuditEvent.objects.get(pk=event.pk).ip is None


@pytest.mark.parametrize("forwarded", ["unknown", "203.0.113.9:4711", "[2001:db8::1]", "二〇三"])
def test_a_forwarded_entry_that_is_no_address_falls_back_to_remote_addr(settings, forwarded):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.1", forwarded=forwarded)) == "10.0.0.1"


def test_an_ipv6_forwarded_entry_is_kept(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.1", forwarded="2001:db8::1")) == "2001:db8::1"
