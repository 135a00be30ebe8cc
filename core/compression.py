"""Gzip for pages and JSON: Django's GZipMiddleware, narrowed to what is worth compressing and safe to.

Compressed, for a client that sends ``Accept-Encoding: gzip``: a whole (not streamed) response of
200 bytes or more whose type is text (pages, the service worker's script) or JSON (the API, its
schema). Left alone:

- downloads — a response with ``Content-Disposition`` (exports, reports, the pair card, photos) —
  and every streamed response: files already compressed (.xlsx is a zip, PDF, JPEG), which keep their
  ``Content-Length`` (the browser's progress bar) and cost no CPU;
- responses of a view marked :func:`no_compression`: the few that carry a secret.

BREACH (guessing a secret in a compressed HTTPS answer from its length, by making the victim's browser
send many requests that put the attacker's text into the same answer): Django masks the CSRF token
anew in every response, and GZipMiddleware pads each compressed answer with up to 100 random bytes
("Heal the BREACH"); the session cookie is SameSite=Lax, so another site's scripts cannot make
authenticated requests in bulk. The secrets a response may carry besides the CSRF token are a child's
full ID number, shown once (the child page answering children:reveal, and the API's reveal-id), and a
new API token (POST /api/v1/auth/token/): those views are marked :func:`no_compression`, so their
answers are never compressed whatever they reflect. No page ever shows an API token.

Placed in settings.MIDDLEWARE after WhiteNoise (which serves static files pre-compressed, before
any other middleware sees them) and before every middleware that reads or writes a response's body,
so compression is the last thing done to it.
"""

from collections.abc import Callable
from functools import wraps

from django.middleware.gzip import GZipMiddleware
from django.utils.decorators import method_decorator

# Content types worth compressing (prefixes of the Content-Type header).
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/vnd.oai.openapi",
                "image/svg+xml")
# The response attribute no_compression sets.
FLAG = "no_compression"


def no_compression(view: Callable) -> Callable:
    """A view whose responses are never gzip-compressed (they carry a secret: see BREACH above). Wraps
    a function view, a method of a REST framework view (under ``@action``), or a class through its
    ``dispatch``."""
    if isinstance(view, type):
        return method_decorator(no_compression, name="dispatch")(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = view(*args, **kwargs)
        setattr(response, FLAG, True)
        return response

    return wrapped


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if (getattr(response, FLAG, False) or response.streaming or response.has_header("Content-Disposition")
                or not content_type.startswith(COMPRESSIBLE)):
            return response
        return super().process_response(request, response)
