"""What a service may need to know about the request it runs in, without taking the request: the
client's address, for the audit log. A middleware sets it for the length of each request; tasks,
commands and tests run without one (None)."""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def _address(value: str | None) -> str | None:
    """``value`` when it is an IPv4 or IPv6 address, else None (a proxy's "unknown", a port …)."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or the proxy-supplied one when PROXY_COUNT says to trust it
    and it is an address at all."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= proxies and (address := _address(parts[-proxies])):
            return address
    return _address(request.META.get("REMOTE_ADDR"))


def current_client_ip() -> str | None:
    """The address of the request being served, None outside a request."""
    return _client_ip.get()


class RequestContextMiddleware:
    """Remembers the client's address while the request is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
