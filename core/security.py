"""Response headers that protect what a page carries, set in one place.

- ``Content-Security-Policy`` on every response (settings.CONTENT_SECURITY_POLICY): scripts and
  styles only from our own files — no inline ``<script>``, no ``on…=`` handler, no ``style=``
  attribute in a template — no framing, forms posting only to us. Two exceptions: the REST framework's
  browsable API (a developer's tool whose templates carry ``style=`` attributes) may use inline
  styles, never inline scripts; and a PDF (the pair card, reports) gets no policy, since the browser's
  own PDF viewer displays it (it runs none of our code, and a policy can keep it from showing).
- ``Cache-Control: no-store`` (with Django's other never-cache headers) on every file download (a
  response with ``Content-Disposition``: exports, reports, the pair card, photos) and on every view
  wrapped in :func:`no_store` — the pages and API endpoints carrying a child's record or a revealed ID
  number — so no browser or proxy cache keeps a copy.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator

CSP_HEADER = "Content-Security-Policy"
# The browsable API's HTML (rest_framework.renderers.BrowsableAPIRenderer.format).
_BROWSABLE_API_FORMAT = "api"


def no_store(view: Callable) -> Callable:
    """A view whose responses no cache may keep (``Cache-Control: no-store``). Wraps a function view,
    or a class — a Django or REST framework view — through its ``dispatch``."""
    if isinstance(view, type):
        return method_decorator(no_store, name="dispatch")(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = view(*args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


def _policy(response) -> str:
    policy = settings.CONTENT_SECURITY_POLICY
    renderer = getattr(response, "accepted_renderer", None)
    if getattr(renderer, "format", None) == _BROWSABLE_API_FORMAT:
        policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return policy


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_pdf = response.get("Content-Type", "").startswith("application/pdf")
        if CSP_HEADER not in response and not is_pdf:
            response[CSP_HEADER] = _policy(response)
        if response.has_header("Content-Disposition"):
            add_never_cache_headers(response)
        return response
