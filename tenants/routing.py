"""Host → tenant resolution, cached in each process.

Stock django-tenants reads the domain table on every request. Here each process keeps what it resolved, so a
warm request resolves its tenant with no SQL at all. Any change that affects routing or what the cached tenant
carries (status, branding, domains) bumps a version number in Redis after commit; each process compares its copy
with Redis at most every CHECK_INTERVAL seconds and starts afresh when it moved, so a suspension or a domain change
reaches every web process within CHECK_INTERVAL plus one request. The person who made a change sees it at
once: the view that made it sets a cookie with the new version (`remember_routing_version`), and a process that
gets a request carrying a newer version than its own refreshes before resolving.
"""

import logging
import threading
import time
from functools import cache

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_tenants.utils import get_public_schema_name

from tenants.db_backend.base import verified_schemas
from tenants.models import Domain, Tenant

logger = logging.getLogger(__name__)

VERSION_KEY = "portico:routing-version"
# A route is kept at most this long even if no version change arrives (Redis down, a bump lost): the bound on
# how long a missed invalidation can last.
MAX_AGE = 60.0
VERSION_COOKIE = "portico_rv"
CHECK_INTERVAL = 2.0
MAX_ENTRIES = 10_000  # unknown hosts are cached too; the bound keeps random-host floods from growing memory


@cache
def _redis() -> "redis.Redis[bytes]":
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def tenant_for_hostname(hostname: str) -> Tenant | None:
    """The tenant served on this host, read from the database, or None. Call on the public schema."""
    domain = (
        Domain.objects.select_related("tenant", "tenant__subscription", "tenant__subscription__plan")
        .filter(domain=hostname)
        .exclude(tenant__schema_name=get_public_schema_name())
        .first()
    )
    return domain.tenant if domain else None


def routing_changed() -> None:
    """Tell every process to drop its cached routes. Call after commit (`transaction.on_commit`)."""
    try:
        _redis().incr(VERSION_KEY)
    except redis.RedisError:
        logger.exception("could not publish a routing change; processes will keep stale routes")
    ROUTER.clear()


class HostRouter:
    def __init__(self, check_interval: float = CHECK_INTERVAL, max_age: float = MAX_AGE) -> None:
        self.check_interval = check_interval
        self.max_age = max_age
        self._entries: dict[str, Tenant | None] = {}
        self._version: bytes | None = None
        self._checked_at = float("-inf")
        self._filled_at = time.monotonic()
        # Bumped whenever the entries are dropped, so a lookup that raced with a drop does not store its
        # (possibly stale) result in the fresh dict.
        self._generation = 0
        self._lock = threading.Lock()

    def resolve(self, hostname: str, at_least: int = 0) -> Tenant | None:
        """The tenant on `hostname`; `at_least` is a routing version the caller has seen (0: none)."""
        if at_least and at_least > int(self._version or 0):
            self._checked_at = float("-inf")
        self._refresh_if_due()
        try:
            return self._entries[hostname]
        except KeyError:
            generation = self._generation
            tenant = tenant_for_hostname(hostname)
            with self._lock:
                if generation == self._generation:
                    if len(self._entries) >= MAX_ENTRIES:
                        self._entries = {}
                    self._entries[hostname] = tenant
            return tenant

    def clear(self) -> None:
        with self._lock:
            self._drop()
            self._checked_at = float("-inf")

    def _drop(self) -> None:
        """Forget every route, and every schema this process verified (a purged tenant's schema is gone: with
        `public` next on the search path, only a fresh check stops a fall-through). Call with the lock held."""
        self._entries = {}
        self._generation += 1
        self._filled_at = time.monotonic()
        verified_schemas.clear()

    def _refresh_if_due(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self.check_interval:
            return
        with self._lock:
            if now - self._checked_at < self.check_interval:
                return
            try:
                version = _redis().get(VERSION_KEY)
            except redis.RedisError:
                logger.warning("routing version unavailable; resolving from the database", exc_info=True)
                self._drop()
                self._checked_at = now
                return
            if version != self._version or now - self._filled_at > self.max_age:
                self._drop()
                self._version = version
            self._checked_at = now


ROUTER = HostRouter()


def current_version() -> int:
    try:
        return int(_redis().get(VERSION_KEY) or 0)
    except redis.RedisError:
        return 0


def remember_routing_version(response: HttpResponse) -> HttpResponse:
    """Let the browser that made a routing change carry its version, so every process shows it at once."""
    response.set_cookie(
        VERSION_COOKIE, str(current_version()), max_age=int(CHECK_INTERVAL * 5), httponly=True, samesite="Lax"
    )
    return response


def version_seen(request: HttpRequest) -> int:
    value = request.COOKIES.get(VERSION_COOKIE, "")
    return int(value) if value.isdigit() else 0
