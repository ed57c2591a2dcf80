"""Client requests: list (with `updated_since`, so the provider's internal workflow picks up what clients submit by
polling), read (answers with their labels, files, SLA due times), change (`If-Match`: the provider's ticket id,
the assignee, the project), look up by that ticket id, move through the workflow (`status-changes`, the staff
page's moves) and its history, and download a request's files. Through `portal.requests.selectors` and
`portal.requests.services`, as the staff pages."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access.http import api_key_only
from portal.access.policy import Actor, NotFound, active_staff_for
from portal.api.conditional import check_if_match, etag
from portal.api.endpoints.base import Creates, Endpoint, ProblemSerializer, updated_since
from portal.api.pagination import ChangesCursor
from portal.engagements.selectors import projects_for
from portal.files import downloads
from portal.requests.answers import shown
from portal.requests.models import ClientRequest, RequestFile, RequestType, Status, StatusChange
from portal.requests.selectors import changes_of, request_file_get_for, request_get_for, requests_for
from portal.requests.services import (
    EXTERNAL_ID_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    request_assign,
    request_change_status,
    request_set_external_id,
    request_set_project,
)

EXAMPLE = {
    "id": 311, "subject": "New landing page", "type": {"id": 4, "name": "Website change"}, "client": 12,
    "client_name": "Contoso Retail", "project": 7, "status": "in_progress", "status_label": "In progress",
    "requester": "paula.lead@contoso.example", "requester_name": "Paula Lead", "assignee": "mia@northwind.example",
    "answers": [
        {"key": "impact", "label": "Impact", "kind": "choice", "value": "High"},
        {"key": "budget", "label": "Budget", "kind": "number", "value": "1200"},
        {"key": "specification", "label": "Specification", "kind": "file", "value": "spec.pdf"},
    ],
    "files": [{
        "id": 90, "field": "specification", "name": "spec.pdf", "size": 48213, "content_type": "application/pdf",
        "download_url": "https://acme.example.com/api/v1/requests/311/files/90/",
    }],
    "first_response_due": "2026-12-01T13:00:00Z", "first_response_at": "2026-12-01T10:12:00Z",
    "resolution_due": "2026-12-03T11:00:00Z", "resolved_at": None, "closed_at": None, "overdue": False,
    "external_id": "OPS-1042", "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T10:30:00Z",
}  # fmt: skip
CHANGE_EXAMPLE = {
    "id": 903, "from_status": "new", "to_status": "in_progress", "by": None, "by_label": "API key “Ops workflow”",
    "by_staff": True, "note": "Picked up as OPS-1042", "at": "2026-12-01T10:12:00Z",
}  # fmt: skip
ERRORS = {400: ProblemSerializer, 401: ProblemSerializer, 403: ProblemSerializer, 404: ProblemSerializer,
          409: ProblemSerializer, 412: ProblemSerializer, 422: ProblemSerializer, 429: ProblemSerializer}  # fmt: skip
IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="the ETag you read")


# Described by a pattern rather than an enum: drf-spectacular names every enum after its field, and "status" is
# also a project's and a deliverable's (an enum here would collide with theirs, or need a settings override).
STATUS_SCHEMA = {
    "type": "string", "pattern": f"^({'|'.join(Status.values)})$",
    "description": "A request's status: " + ", ".join(f"`{value}`" for value in Status.values) + ".",
}  # fmt: skip


@extend_schema_field(STATUS_SCHEMA)
class StatusField(serializers.ChoiceField):
    """A request's status (`new`, `in_progress`, `waiting_on_client`, `resolved`, `closed`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Status.choices, **kwargs)


class HistoryCursor(ChangesCursor):
    """A request's status changes, oldest first (they never change)."""

    ordering = ("at", "pk")


# --- serializers -------------------------------------------------------------------------------------------------


class TypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestType
        fields = ["id", "name"]


class AnswerSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The field's stable key (answers are stored under it).")
    # Declared fields leave the class (DRF's metaclass): `label` here is the body's, not `Field.label`.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The field's label in the form version the request was sent with."
    )
    kind = serializers.CharField()
    value = serializers.JSONField(help_text="As stored: text, a number as text, an ISO date, a list, a boolean.")


class FileSerializer(serializers.ModelSerializer):
    field = serializers.CharField(source="field_key")
    name = serializers.CharField(source="original_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = RequestFile
        fields = ["id", "field", "name", "size", "content_type", "download_url"]

    def get_download_url(self, stored: RequestFile) -> str:
        url = reverse("api:request_file", kwargs={"request_id": stored.request_id, "file_id": stored.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class RequestSerializer(serializers.ModelSerializer):
    type = TypeSerializer(source="request_type")
    status = StatusField()
    client = serializers.IntegerField(source="client_org_id")
    client_name = serializers.CharField(source="client_org.name")
    project = serializers.IntegerField(source="project_id", allow_null=True)
    status_label = serializers.CharField(source="get_status_display")
    requester = serializers.EmailField(source="requester.email", allow_null=True, default=None)
    requester_name = serializers.CharField(source="requester_label")
    assignee = serializers.EmailField(source="assignee.email", allow_null=True, default=None)
    answers = serializers.SerializerMethodField()
    files = FileSerializer(many=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ClientRequest
        fields = [
            "id", "subject", "type", "client", "client_name", "project", "status", "status_label", "requester",
            "requester_name", "assignee", "answers", "files", "first_response_due", "first_response_at",
            "resolution_due", "resolved_at", "closed_at", "overdue", "external_id", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, found: ClientRequest) -> list[dict[str, Any]]:
        return shown(found.form_version.fields, found.answers)

    def get_overdue(self, found: ClientRequest) -> bool:
        return found.overdue()


class RequestChangeSerializer(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX_LENGTH, required=False, allow_null=True,
        help_text="Your own id for it (your workflow's ticket), unique in the portal; null to clear it.",
    )  # fmt: skip
    assignee = serializers.EmailField(
        required=False, allow_null=True, help_text="The e-mail address of an active member of staff; null: nobody."
    )
    project = serializers.IntegerField(
        required=False, allow_null=True, help_text="One of the request's client's projects; null: none."
    )


class StatusChangeSerializer(serializers.ModelSerializer):
    by = serializers.EmailField(source="by.email", allow_null=True, default=None, help_text="The person, if any.")
    by_label = serializers.CharField(help_text="An API key, by its name, when no person made the change.")
    from_status = serializers.CharField(help_text="A status, or empty for the submission (the first change).")
    to_status = StatusField()

    class Meta:
        model = StatusChange
        fields = ["id", "from_status", "to_status", "by", "by_label", "by_staff", "note", "at"]
        read_only_fields = fields


class MoveSerializer(serializers.Serializer):
    status = StatusField(help_text="The status to move the request to.")
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="",
        help_text="Why (kept with the change, shown to staff only).",
    )  # fmt: skip


class ListFilters(serializers.Serializer):
    status = StatusField(required=False)
    client = serializers.IntegerField(required=False, min_value=1)
    project = serializers.IntegerField(required=False, min_value=1)


# --- helpers -----------------------------------------------------------------------------------------------------


def _with_relations(rows: QuerySet[ClientRequest]) -> QuerySet[ClientRequest]:
    """What the serializer reads, in a constant number of statements."""
    return rows.select_related("form_version", "request_type", "client_org", "requester", "assignee").prefetch_related(
        "files"
    )


def _answer(request: Request, found: ClientRequest, status: int = 200) -> Response:
    response = Response(RequestSerializer(found, context={"request": request}).data, status=status)
    response["ETag"] = etag(found)
    return response


def _found(actor: Actor, request_id: int) -> ClientRequest:
    """The request, if the key reaches its client (NotFound otherwise), with what the answer shows."""
    found = _with_relations(requests_for(actor)).filter(pk=request_id).first()
    if found is None:
        raise NotFound
    return found


def _locked(actor: Actor, request_id: int) -> ClientRequest:
    """The request, if the key reaches its client, locked until the end of the transaction (so `If-Match` holds
    until the change is made)."""
    found = requests_for(actor).select_for_update(of=("self",)).filter(pk=request_id).first()
    if found is None:
        raise NotFound
    return found


class RequestEndpoint(Endpoint):
    scope_family = "requests"
    serializer_class = RequestSerializer


# --- endpoints ---------------------------------------------------------------------------------------------------


class RequestList(RequestEndpoint):
    def get_queryset(self) -> QuerySet[ClientRequest]:
        filters = ListFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        rows = requests_for(self.actor)
        if "status" in wanted:
            rows = rows.filter(status=wanted["status"])
        if "client" in wanted:
            rows = rows.filter(client_org_id=wanted["client"])
        if "project" in wanted:
            rows = rows.filter(project_id=wanted["project"])
        return _with_relations(updated_since(self.request, rows))

    @extend_schema(
        parameters=[
            OpenApiParameter("updated_since", str, description="ISO 8601: changed (or sent) at or after"),
            OpenApiParameter("status", str, enum=Status.values, description="only requests in this status"),
            OpenApiParameter("client", int, description="only this client's requests (its id)"),
            OpenApiParameter("project", int, description="only the requests about this project (its id)"),
        ],
        responses={200: RequestSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("A request", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        """Every request the key reaches, the least recently changed first: poll with `updated_since` (the last
        `updated_at` you saw) to pick up newly submitted requests and changes."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RequestSerializer(page, many=True, context={"request": request}).data)


class RequestDetail(RequestEndpoint):
    @extend_schema(responses={200: RequestSerializer, **ERRORS}, examples=[OpenApiExample("A request", value=EXAMPLE)])
    def get(self, request: Request, request_id: int) -> Response:
        return _answer(request, _found(self.actor, request_id))

    @extend_schema(
        request=RequestChangeSerializer,
        responses={200: RequestSerializer, **ERRORS},
        parameters=[IF_MATCH],
        examples=[
            OpenApiExample("Your ticket id", value={"external_id": "OPS-1042"}, request_only=True),
            OpenApiExample(
                "Reassigned", value={"assignee": "mia@northwind.example", "project": None}, request_only=True
            ),
            OpenApiExample("The request, changed", value=EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, request_id: int) -> Response:
        """Set your ticket id, the assignee (an active member of staff) or the project (one of its client's), each
        through the service the staff page uses; only what changes is written, all or nothing."""
        incoming = RequestChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        actor = self.actor
        with transaction.atomic():
            found = _locked(actor, request_id)
            check_if_match(request, found)
            if "assignee" in data:
                assignee = None
                if data["assignee"] is not None:
                    assignee = active_staff_for(actor).filter(email__iexact=data["assignee"]).first()
                    if assignee is None:
                        raise serializers.ValidationError({"assignee": ["Name an active member of staff."]})
                if found.assignee_id != (assignee.pk if assignee else None):
                    found = request_assign(actor=actor, request=found, assignee=assignee)
            if "project" in data:
                project = None
                if data["project"] is not None:
                    project = projects_for(actor, found.client_org).filter(pk=data["project"]).first()
                    if project is None:
                        raise serializers.ValidationError({"project": ["Choose one of the client's projects."]})
                if found.project_id != (project.pk if project else None):
                    found = request_set_project(actor=actor, request=found, project=project)
            if "external_id" in data:
                wanted = (data["external_id"] or "").strip() or None
                if found.external_id != wanted:
                    found = request_set_external_id(actor=actor, request=found, external_id=wanted)
        return _answer(request, _found(self.actor, request_id))


class RequestByExternalId(RequestEndpoint):
    """Your ticket id → the request (requests are sent by clients in the portal: the API names them, never
    creates them, so there is no upsert)."""

    @extend_schema(responses={200: RequestSerializer, **ERRORS}, examples=[OpenApiExample("A request", value=EXAMPLE)])
    def get(self, request: Request, external_id: str) -> Response:
        match = requests_for(self.actor).filter(external_id=external_id).values_list("pk", flat=True).first()
        if match is None:
            raise NotFound
        return _answer(request, _found(self.actor, match))


class StatusChanges(Creates):
    scope_family = "requests"
    serializer_class = StatusChangeSerializer
    pagination_class = HistoryCursor

    @extend_schema(
        responses={200: StatusChangeSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("A change", value=CHANGE_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, request_id: int) -> Response:
        """The request's status history, oldest first (its submission is the first change, from "")."""
        found = request_get_for(self.actor, request_id)
        page = self.paginate_queryset(changes_of(found))
        return self.get_paginated_response(StatusChangeSerializer(page, many=True).data)

    @extend_schema(
        request=MoveSerializer,
        responses={201: StatusChangeSerializer, **ERRORS},
        parameters=[
            IF_MATCH,
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, description="made once per key"),
        ],
        examples=[
            OpenApiExample("Start work", value={"status": "in_progress", "note": "OPS-1042"}, request_only=True),
            OpenApiExample("The change made", value=CHANGE_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Move the request as staff do on its page (`new → in_progress ⇄ waiting_on_client → resolved →
        closed`; reopening is the client's): a move the workflow does not allow from where the request is answers
        422 with the reason under `errors.status`."""
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = MoveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with transaction.atomic():
            found = _locked(self.actor, kwargs["request_id"])
            check_if_match(request, found)
            moved = request_change_status(actor=self.actor, request=found, to_status=data["status"], note=data["note"])
        change = changes_of(moved).order_by("-at", "-pk").first()
        return Response(StatusChangeSerializer(change).data, status=201)


class RequestFileDownload(RequestEndpoint):
    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS},
        examples=[OpenApiExample("The file", value="…the file's bytes…", response_only=True)],
    )
    def get(self, request: Request, request_id: int, file_id: int) -> Any:
        """One of the request's files, as an attachment under its original name."""
        stored = request_file_get_for(self.actor, file_id)
        if stored.request_id != request_id:
            raise NotFound
        return downloads.attachment(str(stored.file.name), stored.original_name, stored.content_type)


urlpatterns = [
    path("requests/", api_key_only(RequestList.as_view()), name="requests"),
    path("requests/<int:request_id>/", api_key_only(RequestDetail.as_view()), name="request"),
    path(
        "requests/by-external-id/<str:external_id>/",
        api_key_only(RequestByExternalId.as_view()),
        name="request_by_external_id",
    ),
    path(
        "requests/<int:request_id>/status-changes/",
        api_key_only(StatusChanges.as_view()),
        name="request_status_changes",
    ),
    path(
        "requests/<int:request_id>/files/<int:file_id>/",
        api_key_only(RequestFileDownload.as_view()),
        name="request_file",
    ),
]
