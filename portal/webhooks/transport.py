"""Deliver one webhook request to a URL a tenant typed in, without letting that URL reach inside our network.

The defences against server-side request forgery, and why each is shaped as it is:

- `validate_url` (at creation and again at send) refuses what can be judged without a DNS lookup: a scheme other
  than https (http only with `WEBHOOK_ALLOW_HTTP`, for tests), credentials in the URL, a missing or malformed host,
  a port outside 1..65535, control characters, and an IP-literal host in a refused range. Numeric hosts that are
  not a plain dotted quad (`2130706433`, `0x7f.1`, `127.1`) are refused too: the C resolver reads them as
  addresses, `ipaddress` does not, so they are a classic way round a literal check.
- `check_destination` resolves the host once and refuses the URL when ANY address is refused, not just the first:
  a name answering [public, private] would otherwise reach the private one whenever the public one fails.
- `send` does that check itself and then connects to one of the addresses it has just checked (a TCP connection
  opened to the IP, never to the name), so there is no second lookup an attacker's DNS could answer differently
  (DNS rebinding). The original host still goes in the Host header and, for https, as TLS SNI with the
  certificate verified against the host name. Addresses are tried in order, all of them checked, so a host
  whose IPv6 address is unreachable from here still gets its delivery over IPv4.
- Addresses refused: unspecified, loopback (unless `WEBHOOK_ALLOW_LOOPBACK`, for tests: loopback only), multicast,
  link-local, cloud metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200), shared address space 100.64/10,
  unique-local fc00::/7, private, reserved, and anything else Python does not consider globally routable. An
  IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged, and connected to, as the IPv4 address it maps; a 6to4
  address is judged by the IPv4 address it embeds. NAT64 (64:ff9b::/96) falls under "reserved": an IPv6-only
  deployment behind DNS64 would need a setting to allow it, deliberately not offered yet.
- Only the standard library: requests/urllib3 read proxy variables from the environment and resolve the name
  again when they connect. `http.client` does neither and never follows redirects: a 3xx is just an answer.
- Time is bounded three ways: each connection attempt by `WEBHOOK_CONNECT_TIMEOUT` (default 3 s, and the DNS
  lookup by the same value: a receiver's name server that never answers must not hold a worker), each read by
  `WEBHOOK_READ_TIMEOUT` (default 10 s), and the whole delivery by `WEBHOOK_TOTAL_TIMEOUT` (default 15 s), checked
  before every read so a receiver dribbling one byte at a time is cut off too.
- Size is bounded: at most `WEBHOOK_MAX_RESPONSE_BYTES` (default 64 KiB) of body are read, at most 64 KiB of
  status line and headers, and `Accept-Encoding: identity` (sent by http.client) keeps compressed bombs out.
  The answer keeps the first 2 KiB of the body as text.

Departures from the first design, and why: `Destination.addresses` is a tuple (the destination is a value);
`Answer` also says how many body bytes were read and whether the body was longer than the limit (the delivery
log can say "truncated"); `UnsafeUrl` is also a `core.errors.DomainError` for the `url` field so forms show it
with `add_to_form`; a name that does not resolve raises `LookupFailed` from `check_destination` (a person can
fix it, but it is not unsafe) and becomes an `Answer` error in `send`; `send` takes an optional `ssl_context`
(tests trust their own certificate with it) and refuses one that does not verify certificates and host names.

Seams for tests: the module-level `resolve` (the DNS lookup) and `create_connection` (the TCP connect) are
looked up at call time, so `monkeypatch.setattr(transport, "resolve", fake)` replaces them.

This module imports no models: it can be used before the app is installed.
"""

from __future__ import annotations

import functools
import http.client
import io
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from socket import create_connection
from typing import TYPE_CHECKING, Protocol, cast
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "Answer",
    "Destination",
    "IPAddress",
    "LookupFailed",
    "Resolver",
    "UnsafeUrl",
    "check_destination",
    "create_connection",
    "resolve",
    "send",
    "validate_url",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

EXCERPT_BYTES = 2 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"https": 443, "http": 80}
# Set by the transport: a caller's value would desynchronise the request framing or the pinned host.
RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "accept-encoding"})

METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    }
)
SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")

_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")


class UnsafeUrl(DomainError, ValueError):
    """A webhook URL we refuse to call. The message says what to change; `code` names the rule for tests/logs."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, field="url")
        self.code = code


class LookupFailed(OSError):
    """The host name gave no address (or no answer within the connect timeout). Not unsafe: maybe not set up
    yet. `send` turns it into an `Answer` error; `check_destination` raises it for the caller to decide."""


@dataclass(frozen=True)
class Destination:
    host: str  # ASCII (IDNA), lower case, without brackets: what goes in SNI and, with the port, in Host
    port: int
    addresses: tuple[IPAddress, ...]  # every one checked; IPv4-mapped IPv6 answers appear as IPv4
    scheme: str
    path_and_query: str


@dataclass(frozen=True)
class Answer:
    """What the receiver said, or why there is no answer. `status` is None when no HTTP answer arrived; `error`
    is set when the delivery did not complete (no answer, or an answer cut off), with a reason for the log."""

    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body_excerpt: str = ""
    duration_ms: int = 0
    error: str | None = None
    bytes_read: int = 0
    truncated: bool = False


class Resolver(Protocol):
    def __call__(self, host: str, port: int) -> Sequence[IPAddress]: ...


def resolve(host: str, port: int) -> list[IPAddress]:
    """The default resolver: every TCP address `getaddrinfo` gives for the name, in its order, without repeats."""
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    ):
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass(frozen=True)
class _Limits:
    allow_http: bool
    allow_loopback: bool
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_response_bytes: int

    @classmethod
    def from_settings(cls) -> _Limits:
        return cls(
            allow_http=bool(getattr(settings, "WEBHOOK_ALLOW_HTTP", False)),
            allow_loopback=bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False)),
            connect_timeout=float(getattr(settings, "WEBHOOK_CONNECT_TIMEOUT", 3)),
            read_timeout=float(getattr(settings, "WEBHOOK_READ_TIMEOUT", 10)),
            total_timeout=float(getattr(settings, "WEBHOOK_TOTAL_TIMEOUT", 15)),
            max_response_bytes=int(getattr(settings, "WEBHOOK_MAX_RESPONSE_BYTES", 64 * 1024)),
        )


# -- Validation without DNS ------------------------------------------------------------------------------------


def validate_url(url: str) -> str:
    """Return `url` unchanged if it may be called, else raise `UnsafeUrl`. Does not resolve the host: a name's
    addresses are checked by `check_destination`, which `send` calls every time."""
    _parse(url, _Limits.from_settings())
    return url


def _parse(url: str, limits: _Limits) -> tuple[str, int, str, str, IPAddress | None]:
    """(scheme, port, ASCII host, path and query, the address when the host is an IP literal)."""
    if not isinstance(url, str) or not url:
        raise UnsafeUrl(_("Enter the address of your webhook receiver."), code="empty")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(_("Use an address of at most %(max)d characters.") % {"max": MAX_URL_LENGTH}, code="too_long")
    if _UNSAFE_CHARACTERS.search(url):
        raise UnsafeUrl(
            _("Remove spaces, backslashes and control characters from the address (percent-encode them)."),
            code="characters",
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UnsafeUrl(_("This is not a valid web address."), code="invalid") from None

    scheme = parts.scheme.lower()
    allowed = ("https", "http") if limits.allow_http else ("https",)
    if scheme not in allowed:
        raise UnsafeUrl(_("Use an address starting with https://."), code="scheme")
    if "@" in parts.netloc:
        raise UnsafeUrl(
            _("Remove the user name and password from the address; the request is signed instead."),
            code="credentials",
        )
    host_text, port = _split_netloc(parts)
    if not host_text:
        raise UnsafeUrl(_("The address needs a host name, such as https://hooks.example.com/."), code="host")

    literal = _literal_address(host_text)
    if literal is not None:
        reason = _refusal(literal, limits.allow_loopback)
        if reason is not None:
            raise UnsafeUrl(
                _("%(address)s cannot receive webhooks: it is %(reason)s. Use a public address.")
                % {"address": literal, "reason": reason},
                code="address",
            )
        host = literal.compressed
    else:
        host = _ascii_host(host_text)

    path = parts.path or "/"
    path_and_query = f"{path}?{parts.query}" if parts.query else path
    return scheme, port if port is not None else DEFAULT_PORTS[scheme], host, path_and_query, literal


def _split_netloc(parts: SplitResult) -> tuple[str, int | None]:
    """The host as written (brackets removed, lower case) and the port, parsed strictly: urlsplit's own `.port`
    accepts port 0 and reports out-of-range ports with a message meant for programmers."""
    netloc = parts.netloc
    if netloc.startswith("["):
        end = netloc.find("]")
        if end == -1:
            raise UnsafeUrl(_("Close the bracket around the IPv6 address."), code="host")
        host, rest = netloc[1:end], netloc[end + 1 :]
        if rest and not rest.startswith(":"):
            raise UnsafeUrl(_("This is not a valid web address."), code="invalid")
        port_text = rest[1:] if rest else None
    else:
        host, colon, port_text_or_empty = netloc.partition(":")
        port_text = port_text_or_empty if colon else None
    if port_text is None or port_text == "":
        return host.lower(), None
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise UnsafeUrl(_("Use a port between 1 and 65535, or leave it out."), code="port")
    return host.lower(), int(port_text)


def _literal_address(host: str) -> IPAddress | None:
    if ":" in host:
        if "%" in host:
            raise UnsafeUrl(_("Remove the zone (%...) from the IPv6 address."), code="host")
        try:
            return _normalise(ipaddress.IPv6Address(host))
        except ValueError:
            raise UnsafeUrl(_("This is not a valid IPv6 address."), code="host") from None
    try:
        return ipaddress.IPv4Address(host)
    except ValueError:
        pass
    last_label = host.rstrip(".").rsplit(".", 1)[-1]
    if _NUMERIC_LABEL.match(last_label):
        raise UnsafeUrl(
            _("Write an IPv4 address as four decimal numbers (such as 203.0.113.7), or use a host name."),
            code="host",
        )
    return None


def _ascii_host(host: str) -> str:
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UnsafeUrl(_("This is not a valid host name."), code="host") from None
    labels = ascii_host[:-1].split(".") if ascii_host.endswith(".") else ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise UnsafeUrl(_("This is not a valid host name."), code="host")
    return ascii_host


# -- Address policy ---------------------------------------------------------------------------------------------


def _normalise(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Address(address.compressed.split("%", 1)[0]) if address.scope_id else address
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def _refusal(address: IPAddress, allow_loopback: bool) -> str | None:
    """Why `address` may not be called (for a person to read), or None. Expects a normalised address."""
    if address in METADATA_ADDRESSES:
        return _("a cloud metadata address")
    if address.is_loopback:
        return None if allow_loopback else _("a loopback address")
    if address.is_unspecified:
        return _("an unspecified address")
    if address.is_multicast:
        return _("a multicast address")
    if address.is_link_local:
        return _("a link-local address")
    if isinstance(address, ipaddress.IPv4Address):
        if address in SHARED_ADDRESS_SPACE:
            return _("in the shared address space (100.64.0.0/10)")
    else:
        if address in UNIQUE_LOCAL:
            return _("a unique-local address (fc00::/7)")
        if address.is_site_local:
            return _("a site-local address")
        if address.sixtofour is not None:
            embedded = _refusal(address.sixtofour, allow_loopback=False)
            if embedded is not None:
                return _("a 6to4 address for %(address)s, %(reason)s") % {
                    "address": address.sixtofour,
                    "reason": embedded,
                }
    if address.is_private:
        return _("a private address")
    if address.is_reserved:
        return _("a reserved address")
    if not address.is_global:
        return _("not a public internet address")
    return None


# -- Resolution -------------------------------------------------------------------------------------------------

_lookups: tuple[int, ThreadPoolExecutor] | None = None
_lookups_lock = threading.Lock()


def _lookup_pool() -> ThreadPoolExecutor:
    """A few threads for DNS lookups, so a lookup can be abandoned at the timeout (getaddrinfo itself cannot be
    interrupted). Recreated after a fork: a forked worker inherits the pool but not its threads."""
    global _lookups
    with _lookups_lock:
        if _lookups is None or _lookups[0] != os.getpid():
            _lookups = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns"))
        return _lookups[1]


def _resolve_within(host: str, port: int, timeout: float) -> list[IPAddress]:
    if timeout <= 0:
        raise LookupFailed(_("No time was left to look up %(host)s.") % {"host": host})
    future = _lookup_pool().submit(resolve, host, port)
    try:
        answer = future.result(timeout=timeout)
    except FutureTimeout:
        future.cancel()
        raise LookupFailed(
            _("Looking up %(host)s took longer than %(seconds)g s.") % {"host": host, "seconds": timeout}
        ) from None
    except (OSError, UnicodeError) as error:
        raise LookupFailed(_("%(host)s does not resolve to an address.") % {"host": host}) from error
    addresses = [_normalise(address) for address in answer]
    if not addresses:
        raise LookupFailed(_("%(host)s does not resolve to an address.") % {"host": host})
    return list(dict.fromkeys(addresses))


def check_destination(url: str) -> Destination:
    """Validate `url`, resolve its host once and check every address. Raises `UnsafeUrl` when the URL or ANY
    address is refused, `LookupFailed` when the host gives no address within the connect timeout."""
    limits = _Limits.from_settings()
    return _destination(url, limits, timeout=limits.connect_timeout)


def _destination(url: str, limits: _Limits, *, timeout: float) -> Destination:
    scheme, port, host, path_and_query, literal = _parse(url, limits)
    addresses = [literal] if literal is not None else _resolve_within(host, port, timeout)
    for address in addresses:
        reason = _refusal(address, limits.allow_loopback)
        if reason is not None:
            raise UnsafeUrl(
                _("%(host)s resolves to %(address)s, which is %(reason)s. Use a host with only public addresses.")
                % {"host": host, "address": address, "reason": reason},
                code="address",
            )
    return Destination(host=host, port=port, addresses=tuple(addresses), scheme=scheme, path_and_query=path_and_query)


# -- Delivery ---------------------------------------------------------------------------------------------------


class _Cut(TimeoutError):
    """A read stopped by the transport's own clock; the message is the reason for the log."""


@dataclass(frozen=True)
class _Deadline:
    at: float

    def remaining(self) -> float:
        return self.at - time.monotonic()


class _BoundedSocketReader(io.RawIOBase):
    """Reads from the connected socket for http.client, with the read timeout applied to every read, the total
    deadline checked before every read, and a budget of bytes after which it reports end of stream."""

    def __init__(self, sock: socket.socket, *, deadline: _Deadline, read_timeout: float, budget: int) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline
        self._read_timeout = read_timeout
        self.budget = budget
        self.exhausted = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self.budget <= 0:
            self.exhausted = True
            return 0
        remaining = self._deadline.remaining()
        if remaining <= 0:
            raise _Cut("total deadline reached while waiting for the answer")
        timeout = min(self._read_timeout, remaining)
        self._sock.settimeout(timeout)
        try:
            count = self._sock.recv_into(memoryview(buffer)[: self.budget])
        except TimeoutError:
            if timeout < self._read_timeout:
                raise _Cut("total deadline reached while waiting for the answer") from None
            raise _Cut(f"read timeout: nothing received for {self._read_timeout:g} s") from None
        self.budget -= count
        return count


class _Source:
    """What http.client.HTTPResponse needs of a socket: a `makefile` giving our bounded reader."""

    def __init__(self, reader: _BoundedSocketReader) -> None:
        self._reader = reader

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(self._reader)


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to one of the checked addresses of a destination, never to its name: `connect`
    opens the TCP connection to the IP itself and, for https, does TLS with SNI and certificate verification
    against the host name. http.client reads no proxy settings and follows no redirects."""

    def __init__(
        self, destination: Destination, *, limits: _Limits, deadline: _Deadline, tls: ssl.SSLContext | None
    ) -> None:
        super().__init__(destination.host, destination.port, timeout=limits.connect_timeout)
        self.destination = destination
        self.limits = limits
        self.deadline = deadline
        self.tls = tls
        self.phase = "connect"

    def connect(self) -> None:
        failures: list[str] = []
        for address in self.destination.addresses:
            remaining = self.deadline.remaining()
            if remaining <= 0:
                failures.append("total deadline reached before connecting")
                break
            timeout = min(self.limits.connect_timeout, remaining)
            self.phase = "connect"
            try:
                sock = create_connection((str(address), self.destination.port), timeout=timeout)
            except TimeoutError:
                failures.append(f"connect timeout: no connection to {address} within {timeout:g} s")
                continue
            except OSError as error:
                failures.append(f"cannot connect to {address}: {_os_reason(error)}")
                continue
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self.tls is not None:
                    self.phase = "tls"
                    sock.settimeout(min(self.limits.connect_timeout, max(self.deadline.remaining(), 0.001)))
                    sock = self.tls.wrap_socket(sock, server_hostname=self.destination.host)
                sock.settimeout(min(self.limits.read_timeout, max(self.deadline.remaining(), 0.001)))
            except BaseException:
                sock.close()
                raise
            self.sock = sock
            self.phase = "send"
            return
        raise _ConnectFailed("; ".join(failures))


class _ConnectFailed(OSError):
    pass


def _os_reason(error: OSError) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return error.strerror or str(error) or type(error).__name__


def _describe(error: BaseException, phase: str, destination: Destination) -> str:
    if isinstance(error, _Cut | _ConnectFailed):
        return str(error)
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate rejected for {destination.host}: {error.verify_message or error.reason}"
    if isinstance(error, TimeoutError):
        return {
            "tls": "TLS handshake timeout",
            "send": "send timeout: the receiver did not take the request",
        }.get(phase, f"{phase} timeout")
    if isinstance(error, ssl.SSLError):
        return f"TLS error: {error.reason or error}"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the receiver closed the connection without answering"
    if isinstance(error, http.client.IncompleteRead):
        return "the receiver closed the connection before the end of its answer"
    if isinstance(error, http.client.HTTPException):
        return f"not a valid HTTP answer ({type(error).__name__})"
    if isinstance(error, OSError):
        return f"network error while {phase}: {_os_reason(error)}"
    return f"{type(error).__name__} while {phase}"


@functools.cache
def _default_tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _request_headers(headers: Mapping[str, str], destination: Destination) -> dict[str, str]:
    """The caller's headers (checked: a bad one is a programming error, raised as ValueError before any
    connection) plus Host and Connection, which the transport owns."""
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"invalid header name {name!r}")
        if any(character in value for character in "\r\n\x00"):
            raise ValueError(f"invalid value for header {name!r}")
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"header {name!r} is set by the transport")
        checked[name] = value
    host = f"[{destination.host}]" if ":" in destination.host else destination.host
    if destination.port != DEFAULT_PORTS[destination.scheme]:
        host = f"{host}:{destination.port}"
    return {"Host": host, **checked, "Connection": "close"}


def send(url: str, body: bytes, headers: Mapping[str, str], *, ssl_context: ssl.SSLContext | None = None) -> Answer:
    """POST `body` to `url` with the SSRF defences of the module docstring and return the `Answer`.

    Raises `UnsafeUrl` when the URL or any address of its host is refused (then no connection is attempted),
    and ValueError for a header the caller may not set or an `ssl_context` that does not verify. Every network
    failure, timeout and malformed answer becomes `Answer(error=...)`. Blocks for at most about
    `WEBHOOK_TOTAL_TIMEOUT`: call it from a task, never from a web request.
    """
    if ssl_context is not None and not (ssl_context.check_hostname and ssl_context.verify_mode == ssl.CERT_REQUIRED):
        raise ValueError("ssl_context must verify certificates and host names")
    limits = _Limits.from_settings()
    started = time.monotonic()
    deadline = _Deadline(started + limits.total_timeout)
    try:
        destination = _destination(url, limits, timeout=min(limits.connect_timeout, deadline.remaining()))
    except LookupFailed as error:
        return Answer(status=None, error=str(error), duration_ms=_elapsed_ms(started))
    request_headers = _request_headers(headers, destination)
    tls = (ssl_context or _default_tls()) if destination.scheme == "https" else None
    exchange = _Exchange(destination, limits=limits, deadline=deadline, tls=tls)
    exchange.run(body, request_headers)
    return exchange.answer(duration_ms=_elapsed_ms(started))


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class _Exchange:
    """One request and its answer; `run` never raises for network trouble, it records it in `error`."""

    def __init__(
        self, destination: Destination, *, limits: _Limits, deadline: _Deadline, tls: ssl.SSLContext | None
    ) -> None:
        self.destination = destination
        self.limits = limits
        self.deadline = deadline
        self.connection = _PinnedConnection(destination, limits=limits, deadline=deadline, tls=tls)
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body = bytearray()
        self.truncated = False
        self.error: str | None = None

    def run(self, body: bytes, headers: dict[str, str]) -> None:
        connection = self.connection
        try:
            connection.connect()
            connection.request("POST", self.destination.path_and_query, body=body, headers=headers)
            connection.phase = "read"
            self._read_answer()
        except (OSError, http.client.HTTPException) as error:
            self.error = _describe(error, connection.phase, self.destination)
        finally:
            connection.close()

    def _read_answer(self) -> None:
        sock = self.connection.sock
        if sock is None:  # pragma: no cover - connect() either sets it or raises
            raise _ConnectFailed("not connected")
        limit = self.limits.max_response_bytes
        # The budget only guards against framing overhead (chunk headers); the body itself stops at `limit`.
        reader = _BoundedSocketReader(
            sock, deadline=self.deadline, read_timeout=self.limits.read_timeout, budget=MAX_HEADER_BYTES + 2 * limit
        )
        response = http.client.HTTPResponse(cast(socket.socket, _Source(reader)), method="POST")
        try:
            try:
                response.begin()
            except (http.client.HTTPException, OSError):
                if reader.exhausted:
                    raise _Cut("the answer's status line and headers are too large") from None
                raise
            self.status = response.status
            for name, value in response.getheaders():
                key = name.lower()
                self.headers[key] = f"{self.headers[key]}, {value}" if key in self.headers else value
            while len(self.body) <= limit:
                try:
                    chunk = response.read(min(16 * 1024, limit + 1 - len(self.body)))
                except http.client.IncompleteRead as error:
                    self.body += error.partial
                    self.truncated = True
                    if not reader.exhausted:
                        raise
                    break
                if not chunk:
                    break
                self.body += chunk
        finally:
            response.close()

    def answer(self, *, duration_ms: int) -> Answer:
        limit = self.limits.max_response_bytes
        truncated = self.truncated or len(self.body) > limit
        body = bytes(self.body[:limit])
        return Answer(
            status=self.status,
            headers=self.headers,
            body_excerpt=body[:EXCERPT_BYTES].decode("utf-8", errors="replace"),
            duration_ms=duration_ms,
            error=self.error,
            bytes_read=len(body),
            truncated=truncated,
        )
