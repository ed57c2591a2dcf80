"""`Idempotency-Key` on every POST: a client retrying after a timeout gets the first answer again instead of a
second object. Kept 24 hours in the cache (keys carry the portal's schema), per API key and idempotency key:
- the same key and the same body: the first response is replayed (with `Idempotent-Replayed: true`);
- the same key and a different body: 422, nothing done;
- the same key while the first call is still running: 409, nothing done.
What the endpoint answered below 500 is kept; a refusal raised as an error (invalid input, not found) or a server
error frees the key, so the client may send a corrected request under it (as Stripe does)."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api.models import ApiKey
from portal.api.problems import reply

KEPT_SECONDS = 24 * 60 * 60
RUNNING_SECONDS = 5 * 60  # a call that died without answering frees its key after this
HEADER = "Idempotency-Key"
MAX_LENGTH = 255
KIND = "idempotency"  # the problem type of its refusals


def _fingerprint(request: Request) -> str:
    """The body as sent (files included) with the path: a different body under the same key is another request."""
    content_type = request.content_type or ""
    multipart = content_type.startswith("multipart/")
    raw = b"" if multipart else request._request.body
    digest = hashlib.sha256(str(request.method).encode() + request.get_full_path().encode() + raw)
    if multipart:
        fields: Any = request.data
        for name, value in sorted(fields.items()):
            digest.update(name.encode())
            if hasattr(value, "chunks"):
                for chunk in value.chunks():
                    digest.update(chunk)
                value.seek(0)
            else:
                digest.update(str(value).encode())
    return digest.hexdigest()


def idempotent(request: Request, handle: Callable[[], Response]) -> Response:
    """Run `handle` once per `Idempotency-Key` (when the POST has one)."""
    given = request.headers.get(HEADER, "")
    if request.method != "POST" or not given or not isinstance(request.auth, ApiKey):
        return handle()
    if len(given) > MAX_LENGTH:
        return reply(400, f"The {HEADER} header is longer than {MAX_LENGTH} characters.", kind=KIND)
    slot = f"api-idempotency:{request.auth.pk}:{hashlib.sha256(given.encode()).hexdigest()}"
    fingerprint = _fingerprint(request)
    if not cache.add(slot, {"state": "running", "fingerprint": fingerprint}, RUNNING_SECONDS):
        kept: dict[str, Any] | None = cache.get(slot)
        if kept is None:
            return reply(
                409, "A request with this Idempotency-Key has just finished: send it again.", kind="idempotency"
            )
        if kept["fingerprint"] != fingerprint:
            return reply(422, "This Idempotency-Key was used with a different request.", kind=KIND)
        if kept["state"] == "running":
            return reply(409, "A request with this Idempotency-Key is still running.", kind=KIND)
        replay = Response(json.loads(kept["body"]) if kept["body"] else None, status=kept["status"])
        for name, value in kept["headers"].items():
            replay[name] = value
        replay["Idempotent-Replayed"] = "true"
        return replay
    try:
        response = handle()
    except BaseException:
        cache.delete(slot)
        raise
    if response.status_code >= 500:
        cache.delete(slot)
        return response
    kept_headers = {name: response[name] for name in ("Location", "ETag") if response.has_header(name)}
    body = json.dumps(response.data, default=str) if response.data is not None else ""
    done = {"state": "done", "fingerprint": fingerprint, "status": response.status_code, "body": body}
    cache.set(slot, done | {"headers": kept_headers}, KEPT_SECONDS)
    return response
