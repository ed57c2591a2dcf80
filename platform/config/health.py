"""Liveness and readiness probes for load balancers.

They answer before host validation and tenant resolution, on any host (a bare IP included), so a probe
never depends on a tenant existing. `/readyz` answers 503 (not 500) when PostgreSQL or Redis is down.
"""

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    try:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("readiness: database does not answer", exc_info=True)
        connection.close()
        return False


def _redis_answers() -> bool:
    try:
        with redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1) as client:
            return bool(client.ping())
    except Exception:
        logger.warning("readiness: redis does not answer", exc_info=True)
        return False


def readiness() -> dict[str, bool]:
    return {"database": _database_answers(), "redis": _redis_answers()}


class HealthProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = readiness()
            ready = all(checks.values())
            return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)
        return self.get_response(request)
