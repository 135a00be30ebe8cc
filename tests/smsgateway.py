"""A real HTTP SMS gateway for tests: http.server in a thread on 127.0.0.1, recording each request.

``gateway.status`` is the answer it gives (200 by default), ``gateway.delay`` how long it sleeps
before answering (past SMS_GATEWAY_TIMEOUT: the sender gives up). ``gateway.requests`` holds
``{"path", "headers", "json", "answered", "status"}`` per request received (``answered``: not
slow); ``gateway.delivered`` those answered in time with a 2xx.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Gateway:
    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"

    @property
    def delivered(self) -> list[dict]:
        return [r for r in self.requests if r["answered"] and 200 <= r["status"] < 300]


def _handler(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            # A slow answer comes after the sender gave up: not a delivery.
            entry = {"path": self.path, "headers": dict(self.headers), "json": json.loads(self.rfile.read(length)),
                     "answered": not gateway.delay, "status": gateway.status}
            with gateway.lock:
                gateway.requests.append(entry)
            if gateway.delay:
                time.sleep(gateway.delay)
            try:
                self.send_response(entry["status"])
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')
            except OSError:  # the sender closed the connection
                pass

        def log_message(self, *args):  # keep the test output quiet
            pass

    return Handler


@pytest.fixture
def sms_gateway(settings):
    """The gateway running, and the settings pointing at it (SMS_GATEWAY_TIMEOUT 1 s)."""
    gateway = Gateway()
    gateway.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    gateway.server.daemon_threads = True
    thread = threading.Thread(target=gateway.server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_KEY = "test-gateway-key"
    settings.SMS_GATEWAY_TIMEOUT = 1
    yield gateway
    gateway.server.shutdown()
    gateway.server.server_close()
