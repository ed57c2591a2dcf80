"""The webhook transport against real sockets on loopback: a tiny http.server per test, a fake DNS in place of
`transport.resolve`, and a spy on `transport.create_connection`. No database."""

import datetime
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.errors import DomainError
from portal.webhooks import transport
from portal.webhooks.transport import Answer, IPAddress, LookupFailed, UnsafeUrl
from tests.support.network import closed_port

HOST = "hooks.test"
PUBLIC = "93.184.216.34"


# -- Fakes and a receiver ---------------------------------------------------------------------------------------


class FakeDNS:
    """Answers from `answers`, which a test may change between calls; records every lookup."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.calls.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(address) for address in self.answers[host]]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    fake = FakeDNS()
    monkeypatch.setattr(transport, "resolve", fake)
    return fake


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address the transport opens a TCP connection to (the real connection is still made)."""
    seen: list[tuple[str, int]] = []
    real = socket.create_connection

    def spy(address: tuple[str, int], timeout: float | None = None) -> socket.socket:
        seen.append(address)
        return real(address, timeout=timeout)

    monkeypatch.setattr(transport, "create_connection", spy)
    return seen


@pytest.fixture
def local(settings: Any, dns: FakeDNS) -> FakeDNS:
    """Loopback and plain http allowed, as for every test that talks to a receiver on this machine."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_CONNECT_TIMEOUT = 1
    settings.WEBHOOK_READ_TIMEOUT = 2
    settings.WEBHOOK_TOTAL_TIMEOUT = 5
    dns.answers[HOST] = ["127.0.0.1"]
    return dns


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # failed TLS handshakes and hang-ups are what some tests are about


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    tls: ssl.SSLContext | None = None
    redirect_to: str = ""
    received: list[Received] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                receiver.answer(self)

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            self.tls.sni_callback = self._record_server_name
            self.server.socket = self.tls.wrap_socket(
                self.server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def _record_server_name(self, sock: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
        self.server_names.append(name)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        self.received.append(Received(handler.path, dict(handler.headers.items()), handler.rfile.read(length)))
        path = handler.path.partition("?")[0]
        try:
            if path == "/ok":
                self._reply(handler, 200, b"thanks", {"X-Receiver": "yes"})
            elif path == "/redirect":
                self._reply(handler, 302, b"", {"Location": self.redirect_to})
            elif path == "/huge":
                self._reply(handler, 200, b"x" * 1_000_000)
            elif path == "/silent":
                self.release.wait(5)
            elif path == "/hang-up":
                pass  # closes the connection without a word
            elif path == "/dribble":
                handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while not self.release.wait(0.2):
                    handler.wfile.write(b"z")
                    handler.wfile.flush()
        except OSError:
            pass  # the transport hung up, as it should for /huge and /dribble

    def _reply(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(**options: Any) -> Receiver:
        receiver = Receiver(**options)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.close()


@pytest.fixture
def receiver(receivers: Callable[..., Receiver]) -> Receiver:
    return receivers()


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def localhost_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for the name "localhost" (and no IP address)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("webhook-tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Certificate(folder / "cert.pem", folder / "key.pem")


def post(url: str, **options: Any) -> Answer:
    return transport.send(url, b'{"event": "ping"}', {"Content-Type": "application/json"}, **options)


# -- validate_url -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.example.com/x", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("http://hooks.example.com/x", "scheme"),
        ("https://user:pw@example.com/", "credentials"),
        ("https://user@example.com/", "credentials"),
        ("https:///path-only", "host"),
        ("https://10.0.0.1/", "address"),
        ("https://192.168.1.20/", "address"),
        ("https://[::ffff:10.0.0.1]/", "address"),
        ("https://[fd00::1]/", "address"),
        ("https://[fd00:ec2::254]/", "address"),
        ("https://169.254.169.254/latest/meta-data", "address"),
        ("https://100.100.100.200/", "address"),
        ("https://[fe80::1]/", "address"),
        ("https://224.0.0.1/", "address"),
        ("https://[ff02::1]/", "address"),
        ("https://0.0.0.0/", "address"),
        ("https://[::]/", "address"),
        ("https://100.64.0.1/", "address"),
        ("https://127.0.0.1/", "address"),
        ("https://[::1]/", "address"),
        ("https://[2002:a00:1::]/", "address"),  # 6to4 for 10.0.0.1
        ("https://2130706433/", "host"),  # 127.0.0.1 written as one number
        ("https://0x7f.1/", "host"),
        ("https://127.1/", "host"),
        ("https://[fe80::1%25eth0]/", "host"),
        ("https://hooks.example.com:0/", "port"),
        ("https://hooks.example.com:70000/", "port"),
        ("https://hooks.example.com:+443/", "port"),
        ("https://hooks.example.com/a b", "characters"),
        ("https://hooks.example.com/\r\nX-Injected: 1", "characters"),
        ("https://hooks.example.com\\@10.0.0.1/", "characters"),
        ("https://hooks_example!.com/", "host"),
    ],
)
def test_validate_url_refuses_unsafe_addresses(url: str, code: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        transport.validate_url(url)
    assert refused.value.code == code
    assert refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/x",
        "https://hooks.example.com:8443/x?tenant=acme",
        "https://93.184.216.34/hook",
        "https://[2606:4700::1111]/hook",
        "https://bücher.example/hook",
    ],
)
def test_validate_url_accepts_public_https_addresses_without_resolving(url: str, dns: FakeDNS) -> None:
    assert transport.validate_url(url) == url
    assert dns.calls == []


def test_validate_url_allows_http_and_loopback_only_when_settings_say_so(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert transport.validate_url("http://127.0.0.1:8000/hook") == "http://127.0.0.1:8000/hook"
    assert transport.validate_url("https://[::1]/hook") == "https://[::1]/hook"
    with pytest.raises(UnsafeUrl):
        transport.validate_url("https://10.0.0.1/")  # loopback only, not private
    with pytest.raises(UnsafeUrl):
        transport.validate_url("https://0.0.0.0/")  # reaches loopback on Linux, but is not loopback


def test_unsafe_url_is_a_value_error_a_form_shows_on_the_url_field() -> None:
    with pytest.raises(UnsafeUrl) as refused:
        transport.validate_url("https://169.254.169.254/latest/meta-data")
    assert isinstance(refused.value, ValueError)
    assert isinstance(refused.value, DomainError)
    assert refused.value.field == "url"
    assert "metadata" in refused.value.message


# -- check_destination ------------------------------------------------------------------------------------------


def test_check_destination_refuses_when_any_resolved_address_is_private(dns: FakeDNS) -> None:
    dns.answers[HOST] = [PUBLIC, "10.0.0.7"]
    with pytest.raises(UnsafeUrl) as refused:
        transport.check_destination(f"https://{HOST}/hook")
    assert "10.0.0.7" in refused.value.message


def test_check_destination_judges_ipv4_mapped_answers_as_ipv4(dns: FakeDNS) -> None:
    dns.answers["mapped.test"] = ["::ffff:10.0.0.1"]
    with pytest.raises(UnsafeUrl):
        transport.check_destination("https://mapped.test/")
    dns.answers["mapped.test"] = [f"::ffff:{PUBLIC}"]
    assert transport.check_destination("https://mapped.test/").addresses == (ipaddress.ip_address(PUBLIC),)


def test_check_destination_gives_every_checked_address_once(dns: FakeDNS) -> None:
    dns.answers[HOST] = ["2606:4700::1111", PUBLIC, PUBLIC]
    destination = transport.check_destination(f"https://{HOST.upper()}:8443/in?x=1#fragment")
    assert destination == transport.Destination(
        host=HOST,
        port=8443,
        addresses=(ipaddress.ip_address("2606:4700::1111"), ipaddress.ip_address(PUBLIC)),
        scheme="https",
        path_and_query="/in?x=1",
    )
    assert dns.calls == [HOST]


def test_check_destination_does_not_resolve_an_ip_literal(dns: FakeDNS) -> None:
    assert transport.check_destination(f"https://{PUBLIC}/").addresses == (ipaddress.ip_address(PUBLIC),)
    assert dns.calls == []


def test_host_that_does_not_resolve_is_a_lookup_failure_not_an_unsafe_url(dns: FakeDNS) -> None:
    with pytest.raises(LookupFailed):
        transport.check_destination("https://nowhere.test/")
    answer = post("https://nowhere.test/")
    assert answer.status is None
    assert answer.error is not None
    assert "does not resolve" in answer.error


def test_name_server_that_never_answers_is_cut_off_at_the_connect_timeout(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WEBHOOK_CONNECT_TIMEOUT = 0.3

    def hanging(host: str, port: int) -> list[IPAddress]:
        time.sleep(1)
        return [ipaddress.ip_address(PUBLIC)]

    monkeypatch.setattr(transport, "resolve", hanging)
    started = time.monotonic()
    answer = post("https://slow-dns.test/")
    assert time.monotonic() - started < 0.9
    assert answer.error is not None
    assert "longer than 0.3 s" in answer.error


def test_default_resolver_gives_each_address_once() -> None:
    addresses = transport.resolve("localhost", 443)
    assert ipaddress.ip_address("127.0.0.1") in addresses
    assert len(addresses) == len(set(addresses))


# -- send: refusals before any connection -----------------------------------------------------------------------


def test_dns_answer_changing_to_private_after_validation_is_refused_at_send_without_connecting(
    dns: FakeDNS, connects: list[tuple[str, int]]
) -> None:
    dns.answers[HOST] = [PUBLIC]
    transport.check_destination(f"https://{HOST}/hook")  # at creation: fine
    dns.answers[HOST] = ["10.0.0.5"]
    with pytest.raises(UnsafeUrl) as refused:
        post(f"https://{HOST}/hook")
    assert "10.0.0.5" in refused.value.message
    assert connects == []


def test_send_refuses_unsafe_url_again_without_connecting(
    settings: Any, connects: list[tuple[str, int]], receiver: Receiver
) -> None:
    # Stored while tests allowed loopback and http; the settings no longer do.
    with pytest.raises(UnsafeUrl):
        post(f"http://127.0.0.1:{receiver.port}/ok")
    with pytest.raises(UnsafeUrl):
        post("https://10.0.0.1/")
    assert connects == []
    assert receiver.received == []


def test_caller_may_not_set_the_host_header(local: FakeDNS, connects: list[tuple[str, int]]) -> None:
    with pytest.raises(ValueError, match="set by the transport"):
        transport.send(f"http://{HOST}:{closed_port()}/", b"", {"Host": "internal.example"})
    assert connects == []


def test_send_refuses_a_tls_context_that_does_not_verify() -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="verify"):
        post("https://hooks.example.com/", ssl_context=context)


# -- send: delivery ---------------------------------------------------------------------------------------------


def test_send_connects_to_the_checked_address_and_sends_the_original_host(
    local: FakeDNS, connects: list[tuple[str, int]], receiver: Receiver
) -> None:
    answer = post(f"http://{HOST}:{receiver.port}/ok?id=1")

    assert answer.status == 200
    assert answer.error is None
    assert answer.headers["x-receiver"] == "yes"
    assert answer.body_excerpt == "thanks"
    assert answer.bytes_read == 6
    assert not answer.truncated
    assert connects == [("127.0.0.1", receiver.port)]
    [request] = receiver.received
    assert request.headers["Host"] == f"{HOST}:{receiver.port}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == b'{"event": "ping"}'


def test_send_resolves_once_so_a_later_dns_answer_cannot_redirect_the_connection(
    local: FakeDNS, connects: list[tuple[str, int]], receiver: Receiver
) -> None:
    class Rebinding(FakeDNS):
        def __call__(self, host: str, port: int) -> list[IPAddress]:
            answer = super().__call__(host, port)
            self.answers[host] = ["10.0.0.5"]  # every later lookup would give a private address
            return answer

    rebinding = Rebinding()
    rebinding.answers[HOST] = ["127.0.0.1"]
    transport.resolve = rebinding  # restored by the dns fixture's monkeypatch

    assert post(f"http://{HOST}:{receiver.port}/ok").status == 200
    assert rebinding.calls == [HOST]
    assert connects == [("127.0.0.1", receiver.port)]


def test_unreachable_address_falls_back_to_the_next_checked_one(
    local: FakeDNS, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    local.answers[HOST] = ["127.0.0.2", "127.0.0.1"]
    tried: list[tuple[str, int]] = []

    def connect(address: tuple[str, int], timeout: float | None = None) -> socket.socket:
        tried.append(address)
        if address[0] == "127.0.0.2":
            raise TimeoutError
        return socket.create_connection(address, timeout=timeout)

    monkeypatch.setattr(transport, "create_connection", connect)
    assert post(f"http://{HOST}:{receiver.port}/ok").status == 200
    assert tried == [("127.0.0.2", receiver.port), ("127.0.0.1", receiver.port)]


def test_connect_timeout_and_refusal_become_error_answers(local: FakeDNS, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = post(f"http://{HOST}:{closed_port()}/")
    assert refused.status is None
    assert refused.error is not None
    assert "refused" in refused.error

    def never(address: tuple[str, int], timeout: float | None = None) -> socket.socket:
        raise TimeoutError

    monkeypatch.setattr(transport, "create_connection", never)
    timed_out = post(f"http://{HOST}:8080/")
    assert timed_out.status is None
    assert timed_out.error is not None
    assert "connect timeout" in timed_out.error


def test_receiver_hanging_up_without_answering_is_an_error_answer(local: FakeDNS, receiver: Receiver) -> None:
    answer = post(f"http://{HOST}:{receiver.port}/hang-up")
    assert answer.status is None
    assert answer.error == "the receiver closed the connection without answering"


def test_redirect_is_returned_as_an_answer_and_not_followed(local: FakeDNS, receivers: Callable[..., Receiver]) -> None:
    target = receivers()
    redirecting = receivers(redirect_to=f"http://{HOST}:{target.port}/ok")

    answer = post(f"http://{HOST}:{redirecting.port}/redirect")

    assert answer.status == 302
    assert answer.error is None
    assert answer.headers["location"] == f"http://{HOST}:{target.port}/ok"
    assert target.received == []


def test_proxies_from_the_environment_are_ignored(
    local: FakeDNS, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    answer = post(f"http://{HOST}:{receiver.port}/ok")

    assert answer.status == 200
    assert len(receiver.received) == 1


def test_receiver_that_never_answers_is_cut_off_at_the_read_timeout(
    local: FakeDNS, settings: Any, receiver: Receiver
) -> None:
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    started = time.monotonic()

    answer = post(f"http://{HOST}:{receiver.port}/silent")

    assert time.monotonic() - started < 2
    assert answer.status is None
    assert answer.error is not None
    assert "timeout" in answer.error
    assert 400 <= answer.duration_ms < 2000
    assert len(receiver.received) == 1


def test_receiver_dribbling_its_answer_is_cut_off_at_the_total_deadline(
    local: FakeDNS, settings: Any, receiver: Receiver
) -> None:
    settings.WEBHOOK_READ_TIMEOUT = 0.5  # each byte comes within it
    settings.WEBHOOK_TOTAL_TIMEOUT = 1
    started = time.monotonic()

    answer = post(f"http://{HOST}:{receiver.port}/dribble")

    assert time.monotonic() - started < 2
    assert answer.status is None
    assert answer.error is not None
    assert "deadline" in answer.error


def test_huge_answer_is_read_only_up_to_the_limit(local: FakeDNS, receiver: Receiver) -> None:
    answer = post(f"http://{HOST}:{receiver.port}/huge")

    assert answer.status == 200
    assert answer.error is None
    assert answer.truncated
    assert answer.bytes_read == 64 * 1024
    assert answer.body_excerpt == "x" * 2048
    assert answer.headers["content-length"] == "1000000"


def test_response_limit_follows_the_setting(local: FakeDNS, settings: Any, receiver: Receiver) -> None:
    settings.WEBHOOK_MAX_RESPONSE_BYTES = 1000
    answer = post(f"http://{HOST}:{receiver.port}/huge")
    assert (answer.bytes_read, answer.truncated, len(answer.body_excerpt)) == (1000, True, 1000)


# -- send over TLS ----------------------------------------------------------------------------------------------


def test_https_sends_sni_and_verifies_the_certificate_against_the_host_name(
    local: FakeDNS,
    connects: list[tuple[str, int]],
    receivers: Callable[..., Receiver],
    localhost_certificate: Certificate,
) -> None:
    local.answers["localhost"] = ["127.0.0.1"]
    receiver = receivers(tls=localhost_certificate.server_context())

    answer = post(f"https://localhost:{receiver.port}/ok", ssl_context=localhost_certificate.client_context())

    assert answer.error is None
    assert answer.status == 200
    assert connects == [("127.0.0.1", receiver.port)]
    assert receiver.server_names == ["localhost"]
    assert receiver.received[0].headers["Host"] == f"localhost:{receiver.port}"


def test_https_certificate_for_another_name_is_rejected(
    local: FakeDNS, receivers: Callable[..., Receiver], localhost_certificate: Certificate
) -> None:
    # hooks.test resolves to the same address, but the certificate there is for localhost.
    receiver = receivers(tls=localhost_certificate.server_context())

    answer = post(f"https://{HOST}:{receiver.port}/ok", ssl_context=localhost_certificate.client_context())

    assert answer.status is None
    assert answer.error is not None
    assert "certificate" in answer.error
    assert receiver.server_names == [HOST]
    assert receiver.received == []


def test_https_uses_the_system_trust_store_by_default(
    local: FakeDNS, receivers: Callable[..., Receiver], localhost_certificate: Certificate
) -> None:
    local.answers["localhost"] = ["127.0.0.1"]
    receiver = receivers(tls=localhost_certificate.server_context())

    answer = post(f"https://localhost:{receiver.port}/ok")

    assert answer.status is None
    assert answer.error is not None
    assert "certificate" in answer.error
    assert receiver.received == []
