"""Who calls the API: an API key of this portal, sent as `Authorization: Bearer pk_<prefix>.<secret>`, and what it
may do: its scopes, per resource family, read for safe methods and write for the others.

Keys live in the portal's schema, so a key of another portal is simply not found here (401, as for a wrong,
expired or revoked key: one answer for all, so a key's state is not revealed to whoever holds a stale copy).
Sessions are not an API credential: a browser's cookies never authorise a call, so the API needs no CSRF check."""

import hmac
import re
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from core.proxy import client_ip
from portal.access.policy import Actor
from portal.api.models import ApiKey, secret_hash
from portal.api.services import api_key_new_address, api_key_touch

INVALID = "The API key is missing, unknown, expired or revoked."
TOKEN = re.compile(r"pk_[0-9a-f]{1,16}\.[A-Za-z0-9_-]{1,128}")


class KeyUser:
    """What DRF calls `request.user` for a key: authenticated, never a person (`request.auth` is the key)."""

    is_authenticated = True
    is_active = True
    pk = None

    def __init__(self, key: ApiKey) -> None:
        self.key = key


def _credentials(request: Request) -> tuple[str, str] | None:
    """(prefix, secret) from `Authorization: Bearer pk_<prefix>.<secret>`; None without the header; refused when
    malformed (never a database lookup with a NUL byte or a megabyte). The header's text stays in this frame."""
    header = get_authorization_header(request).decode("latin-1")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not TOKEN.fullmatch(token):
        raise exceptions.AuthenticationFailed(INVALID)
    prefix, _, secret = token.partition(".")
    return prefix, secret


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[KeyUser, ApiKey] | None:
        given = _credentials(request)
        if given is None:
            return None
        prefix, secret = given
        key = ApiKey.objects.filter(prefix=prefix).prefetch_related("clients").first()
        # The hash is compared in constant time even when no key has the prefix.
        expected = key.secret_hash if key is not None else secret_hash("")
        matches = hmac.compare_digest(secret_hash(secret), expected) and key is not None
        del secret  # nothing below may fail with the secret in a local an error report would carry
        if not matches or key is None or key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(INVALID)
        if key.expires_at is not None and key.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(INVALID)
        address = client_ip(request._request) or None
        if address is not None and address not in key.known_ips:
            api_key_new_address(key=key, address=address)
        api_key_touch(key=key, address=address)
        return KeyUser(key), key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'  # a 401, not a 403, when the key is missing or refused


def actor_of(request: Request) -> Actor:
    """The key as the services' actor."""
    if not isinstance(request.auth, ApiKey):
        raise exceptions.NotAuthenticated(INVALID)
    return Actor(api_key=request.auth)


class HasScope(BasePermission):
    """The view's `scope_family` read (GET, HEAD, OPTIONS) or write (the others) must be among the key's scopes."""

    message = "This API key may not do this: it lacks the scope {scope}."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiKey):
            return False
        access = "read" if request.method in SAFE_METHODS else "write"
        scope = f"{view.scope_family}:{access}"
        if scope in request.auth.scopes:
            return True
        self.message = HasScope.message.format(scope=scope)
        return False


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema names the key: an HTTP bearer token."""

    target_class = "portal.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "pk_<prefix>.<secret>"}
