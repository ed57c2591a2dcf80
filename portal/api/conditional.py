"""ETags for optimistic concurrency: every object's answer carries an `ETag` made from its identity and its last
change; an update with `If-Match` that no longer matches answers 412 (someone changed it meanwhile) and changes
nothing."""

import hashlib
from typing import Any

from rest_framework.exceptions import APIException
from rest_framework.request import Request


class PreconditionFailed(APIException):
    status_code = 412
    default_detail = "The object changed since you read it (If-Match no longer matches): read it again."
    default_code = "precondition_failed"


def etag(obj: Any) -> str:
    stamp = f"{obj._meta.label_lower}:{obj.pk}:{obj.updated_at.isoformat()}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


def check_if_match(request: Request, obj: Any) -> None:
    wanted = request.headers.get("If-Match", "").strip()
    if not wanted or wanted == "*":
        return
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    if etag(obj) not in tags:
        raise PreconditionFailed
