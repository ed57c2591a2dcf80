"""Rate limits per API key (API_RATE, e.g. "600/min"), counted in the cache per portal schema and key: past the
limit, 429 with `Retry-After`; every answer says where the key stands (`RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset`, the IETF draft's fields). The per-person limits of the HTML (uploads, comments) count per key
too (`key_limited`)."""

import math
from typing import Any

from django.conf import settings
from django.db import connection
from django_ratelimit.core import get_usage
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from portal.access import limits
from portal.api.models import ApiKey


class KeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str:
        return str(settings.API_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return f"api-throttle:{connection.schema_name}:{request.auth.pk}"  # type: ignore[attr-defined]

    def allow_request(self, request: Request, view: Any) -> bool:
        allowed = super().allow_request(request, view)
        if self.key is not None:
            limits: Any = self  # set by SimpleRateThrottle from the rate (not in the stubs)
            remaining = max(limits.num_requests - len(self.history), 0)
            reset = math.ceil(self.history[-1] + limits.duration - self.now) if self.history else limits.duration
            request.rate_limit = (limits.num_requests, remaining, max(reset, 0))  # type: ignore[attr-defined]
        return allowed


def headers(request: Request) -> dict[str, str]:
    limit = getattr(request, "rate_limit", None)
    if limit is None:
        return {}
    total, remaining, reset = limit
    return {"RateLimit-Limit": str(total), "RateLimit-Remaining": str(remaining), "RateLimit-Reset": str(reset)}


def key_limited(request: Request, group: str) -> None:
    """The per-person limit of the HTML (`portal.access.limits`: uploads, comments), counted per API key: past it,
    429 with `Retry-After`, on top of the key's overall rate."""
    key_id = request.auth.pk
    usage = get_usage(
        request._request, group=group, key=lambda _group, _request: f"api-key:{key_id}", rate=limits.rate,
        increment=True,
    )  # fmt: skip
    if usage is not None and usage["should_limit"]:
        raise exceptions.Throttled(wait=max(usage["time_left"], 1), detail=limits.message(group))
