"""A webhook receiver for tests: an HTTP server on loopback that answers POSTs with the statuses it is told (then
200), keeps every request it got, and verifies each with the Standard Webhooks reference verifier."""

import datetime
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

from django.utils import timezone
from standardwebhooks import Webhook, webhooks


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: datetime.datetime  # by `django.utils.timezone.now`, which a test may have frozen

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]

    def verified_with(self, secret: str) -> Any:
        """The payload, if the delivery's signature verifies with `secret` (raises otherwise), as the reference
        verifier judged it when it arrived: its timestamp check (5 minutes either way) reads the moment of arrival,
        so a test on a frozen clock verifies on that clock."""
        arrived = self.at

        class AtArrival(datetime.datetime):
            @classmethod
            def now(cls, tz: datetime.tzinfo | None = None) -> "AtArrival":
                moment = arrived.astimezone(tz) if tz is not None else arrived
                return cls.fromtimestamp(moment.timestamp(), tz)

        with mock.patch.object(webhooks, "datetime", AtArrival):
            return Webhook(secret).verify(self.body, self.headers)


class Receiver:
    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.url = ""

    def answer(self) -> int:
        with self._lock:
            return self.statuses.pop(0) if self.statuses else 200


@contextmanager
def receiving(statuses: list[int] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(statuses)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.received.append(Received(headers, body, timezone.now()))
            status = receiver.answer()
            reply = b'{"ok": true}' if status < 300 else b"receiver is down"
            self.send_response(status)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/portico"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
