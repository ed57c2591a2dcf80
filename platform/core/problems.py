"""RFC 9457 problem details (`application/problem+json`), the one error format of the API: built here so the
layers that answer before the API's own code runs (the portal's state gate, unknown API URLs) give the same shape."""

from typing import Any

from django.http import JsonResponse

CONTENT_TYPE = "application/problem+json"
TYPES = "https://portico.example/problems/"  # each kind is described in docs/api.md
TITLES = {
    400: "Invalid request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 406: "Not acceptable", 409: "Conflict", 412: "Precondition failed",
    413: "Payload too large", 415: "Unsupported media type", 422: "Unprocessable content",
    428: "Precondition required", 429: "Too many requests", 500: "Server error", 503: "Unavailable",
}  # fmt: skip
API_PREFIX = "/api/v1/"


def problem(status: int, detail: str, *, kind: str = "", errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPES + (kind or str(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(status: int, detail: str, *, kind: str = "") -> JsonResponse:
    return JsonResponse(problem(status, detail, kind=kind), status=status, content_type=CONTENT_TYPE)


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIX)
