"""A small clamd on a loopback port, speaking INSTREAM, for tests (no signature database can be downloaded
here). Like the real one, it calls anything above its scan limit clean without looking at it."""

import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
ZIP_BOMBISH = b"member-too-large-to-scan"


class _Handler(socketserver.BaseRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            size = struct.unpack("!L", self._exactly(4))[0]
            if size == 0:
                break
            data += self._exactly(size)
        self.server.received.append(len(data))
        if ZIP_BOMBISH in data:  # an archive member beyond the limits, with AlertExceedsMax yes
            self.request.sendall(b"stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND\0")
        elif len(data) > self.server.scan_limit:
            self.request.sendall(b"stream: OK\0")  # not scanned, but said clean: what real clamd does
        elif EICAR in data:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")

    def _exactly(self, count: int) -> bytes:
        chunks = b""
        while len(chunks) < count:
            chunk = self.request.recv(count - len(chunks))
            if not chunk:
                raise ConnectionError("client went away")
            chunks += chunk
        return chunks


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, scan_limit: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scan_limit = scan_limit
        self.received: list[int] = []


@contextmanager
def fake_clamd(scan_limit: int = 1024 * 1024) -> Iterator[_Server]:
    server = _Server(scan_limit)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
