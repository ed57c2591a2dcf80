"""Every API error as `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`, and for refused
input an `errors` map of field → messages. DRF's own errors, the services' `DomainError`s, `NotFound` from the
authorization layer take this shape here; the errors raised before DRF runs (the portal's state gate, unknown
URLs) take it in `core.problems` and `portal.api.middleware`, so a client parses one format."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import DomainError
from core.problems import CONTENT_TYPE, problem


def _field_errors(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error data, flattened to `field` / `field.sub` / `items.0.field` → messages."""
    found: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for name, value in data.items():
            key = "" if name == "non_field_errors" else str(name)
            found |= _field_errors(value, f"{prefix}.{key}".strip(".") if key else prefix)
    elif isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        found[prefix or "_"] = [str(item) for item in data]
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found |= _field_errors(item, f"{prefix}.{index}".strip("."))
    else:
        found[prefix or "_"] = [str(data)]
    return found


def reply(status: int, detail: str, *, kind: str = "", errors: dict[str, list[str]] | None = None) -> Response:
    """A DRF answer with a problem+json body."""
    response = Response(problem(status, detail, kind=kind, errors=errors), status=status)
    response.content_type = CONTENT_TYPE
    return response


def handle(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: the problem+json body for every error it knows, and the domain's own."""
    if isinstance(error, DomainError):
        field = getattr(error, "field", None) or "_"
        return reply(422 if field != "_" else 409, error.message, errors={field: [error.message]})
    if isinstance(error, IntegrityError):  # two calls created the same thing at once (an upsert's external id)
        return reply(409, "Another call changed this at the same time: send it again.", kind="conflict")
    if isinstance(error, Http404):
        error = exceptions.NotFound()
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    handled = exception_handler(error, context)
    if handled is None:
        return None
    response = handled
    status = response.status_code
    if isinstance(error, exceptions.ValidationError):  # well-formed, but not acceptable: 422, as a domain refusal
        status = response.status_code = 422
        body = problem(status, "The request has invalid fields.", kind="validation", errors=_field_errors(error.detail))
    else:
        detail = error.detail if isinstance(error, exceptions.APIException) else str(error)
        body = problem(status, str(detail), kind=getattr(error, "default_code", "") or "")
    response.data = body
    response.content_type = CONTENT_TYPE
    return response
