"""The client's address behind a load balancer, for rate limits."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """With TRUSTED_PROXIES proxies in front (each appending to X-Forwarded-For), the client is the entry that
    many places from the end; the entries before it are whatever the client sent and cannot be trusted."""
    hops = settings.TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))
