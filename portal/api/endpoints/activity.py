"""The history of the clients a key reaches: what happened, by whom, to what, oldest first, with a cursor to walk
forward from (events never change). Through `portal.activity.selectors.events_for`, as the staff timelines: every
event of the key's clients, internal ones included; never the portal's own business (its settings, its staff,
its keys), which concerns no client."""

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import path
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access.http import api_key_only
from portal.activity.models import ActivityEvent
from portal.activity.selectors import events_for
from portal.api.endpoints.base import Endpoint, ProblemSerializer
from portal.api.pagination import ChangesCursor

EXAMPLE = {
    "id": 5120, "type": "request.status_changed", "type_label": "Request status changes",
    "created_at": "2026-12-01T10:12:00Z", "actor": "Mia Member",
    "target": {"type": "requests.clientrequest", "id": 311, "label": "#311 New landing page"},
    "client": 12, "internal": False, "data": {"from": "new", "to": "in_progress", "status": "In progress"},
}  # fmt: skip
ERRORS = {400: ProblemSerializer, 401: ProblemSerializer, 403: ProblemSerializer, 404: ProblemSerializer,
          422: ProblemSerializer, 429: ProblemSerializer}  # fmt: skip


class EventsCursor(ChangesCursor):
    """Events never change: walk them in the order they happened."""

    ordering = ("created_at", "pk")


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField(source="target_type", help_text="app.model, e.g. requests.clientrequest")
    id = serializers.IntegerField(source="target_id")
    # Declared fields leave the class (DRF's metaclass): `label` here is the body's, not `Field.label`.
    label = serializers.CharField(  # type: ignore[assignment]
        source="target_label", help_text="Its name when the event happened."
    )


class EventSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="verb")
    type_label = serializers.CharField()
    actor = serializers.CharField(source="actor_label", help_text="Who, by name when it happened (or an API key).")
    target = TargetSerializer(source="*")
    client = serializers.IntegerField(source="client_org_id")
    data = serializers.JSONField(help_text="What changed, depending on the type.")  # type: ignore[assignment]

    class Meta:
        model = ActivityEvent
        fields = ["id", "type", "type_label", "created_at", "actor", "target", "client", "internal", "data"]
        read_only_fields = fields


class Filters(serializers.Serializer):
    since = serializers.CharField(required=False)
    type = serializers.CharField(required=False, max_length=60)
    client = serializers.IntegerField(required=False, min_value=1)

    def validate_since(self, given: str) -> datetime:
        moment = parse_datetime(given)
        if moment is None or moment.tzinfo is None:
            raise serializers.ValidationError("An ISO 8601 date and time with its offset, e.g. 2026-12-01T09:00:00Z.")
        return moment


# Which family an event's type belongs to: a key reads the events of the families it may read, so an
# `activity:read` key learns no more than its other scopes let it (a comment's excerpt needs `comments:read`).
FAMILY_OF = {
    "client.": "clients", "contact.": "contacts", "invitation.": "contacts", "document.": "documents",
    "folder.": "documents", "comment.": "comments", "note.": "comments", "request.": "requests",
    "project.": "projects", "deliverable.": "projects", "time.": "time",
}  # fmt: skip


def readable(key: Any) -> Q:
    """The event types of the families the key may read (nothing else: an unknown family stays out)."""
    held = {scope.split(":")[0] for scope in key.scopes}
    allowed = Q(pk__in=[])
    for prefix, family in FAMILY_OF.items():
        if family in held:
            allowed |= Q(verb__startswith=prefix)
    return allowed


class ActivityList(Endpoint):
    scope_family = "activity"
    serializer_class = EventSerializer
    pagination_class = EventsCursor

    def get_queryset(self) -> QuerySet[ActivityEvent]:
        filters = Filters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        events = events_for(
            self.actor, since=wanted.get("since"), verb=wanted.get("type"), client_org_id=wanted.get("client")
        )
        return events.filter(readable(self.request.auth))

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="ISO 8601 date and time: only events at or after it"),
            OpenApiParameter("type", str, description="only events of this type (e.g. request.submitted)"),
            OpenApiParameter("client", int, description="only this client's events (its id)"),
        ],
        responses={200: EventSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("An event", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        """The events of the clients the key reaches, the oldest first: keep the `next` link and follow it later
        for what happened since."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EventSerializer(page, many=True).data)


urlpatterns = [path("activity/", api_key_only(ActivityList.as_view()), name="activity")]
