"""What every endpoint shares: the key's authentication, its scope, its rate limit (with the RateLimit headers on
every answer), problem+json errors, cursor pages with `updated_since`, `Idempotency-Key` on POST, and the actor
the services are called with. Endpoints call the same services and `portal.access` selectors as the HTML views."""

from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access.policy import Actor
from portal.api import throttling
from portal.api.auth import ApiKeyAuthentication, HasScope, actor_of
from portal.api.idempotency import idempotent
from portal.api.pagination import ChangesCursor
from portal.api.throttling import KeyRateThrottle


class Endpoint(GenericAPIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [KeyRateThrottle]
    pagination_class = ChangesCursor
    metadata_class = None  # OPTIONS is not part of the API: 405, never DRF's form description
    scope_family = ""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """DRF's, with the rate limit counted before the scope check: a call refused for its scope still counts
        and still carries the RateLimit headers."""
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)

    @property
    def actor(self) -> Actor:
        return actor_of(self.request)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in throttling.headers(request).items():
            response[name] = value
        return response


class Creates(Endpoint):
    """An endpoint that creates with POST: once per `Idempotency-Key`; `create` does the work."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return idempotent(request, lambda: self.create(request, *args, **kwargs))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotImplementedError


def updated_since(request: Request, rows: QuerySet[Any]) -> QuerySet[Any]:
    """`?updated_since=<ISO 8601 date-time>`: only the rows changed at or after it."""
    given = request.query_params.get("updated_since")
    if not given:
        return rows
    moment = parse_datetime(given)
    if moment is None or moment.tzinfo is None:
        example = "2026-12-01T09:00:00Z"
        raise ValidationError({"updated_since": [f"An ISO 8601 date and time with its offset, e.g. {example}."]})
    return rows.filter(updated_at__gte=moment)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error is answered (for the schema)."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    # The field map (named as the body names it, over DRF's `errors` property of a serializer).
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
