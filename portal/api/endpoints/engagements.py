"""Engagements: projects (list with `updated_since` and `client`, read with their phases, milestones and hours,
upsert by the provider's own id from its project tool), their deliverables with versions (each downloadable) and
the client's decisions (read only: the client's people decide in the portal), and time entries (list, and a
batch logged all or none, a sync sent twice logging nothing twice). Through the engagements' selectors and
services, as the HTML pages: a key acts for the provider, like staff, so it sees drafts; phases and milestones
are planned in the portal and only read here."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import HttpResponseBase
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access.http import api_key_only
from portal.access.policy import NotFound, active_staff_for, client_org_get_for
from portal.api.conditional import check_if_match, etag
from portal.api.endpoints.base import Creates, Endpoint, ProblemSerializer, updated_since
from portal.api.pagination import ChangesCursor
from portal.clients.models import ClientOrg
from portal.engagements import selectors
from portal.engagements.models import (
    Decision,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Phase,
    Project,
    ProjectStatus,
    TimeEntry,
)
from portal.engagements.services import EngagementError, Entry, EntryRefused, project_save, time_entries_add
from portal.files import downloads

ERRORS = {400: ProblemSerializer, 401: ProblemSerializer, 403: ProblemSerializer, 404: ProblemSerializer,
          409: ProblemSerializer, 412: ProblemSerializer, 422: ProblemSerializer, 429: ProblemSerializer}  # fmt: skip
READ_ERRORS = {code: ERRORS[code] for code in (400, 401, 403, 404, 422, 429)}
MAX_ID = 2**63 - 1
MAX_ENTRIES = 500  # time entries in one call

PROJECT = {
    "id": 7, "name": "Checkout redesign", "client": 12, "external_id": "JIRA-CHK", "description": "",
    "status": "active", "start_date": "2026-11-02", "end_date": "2027-02-26", "budget_hours": "120.00",
    "hours_used": "46.50", "current_phase": {"id": 31, "name": "Design", "position": 2},
    "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-12-01T10:30:00Z",
}  # fmt: skip
PROJECT_DETAIL = PROJECT | {
    "phases": [
        {"id": 30, "name": "Discovery", "position": 1, "current": False},
        {"id": 31, "name": "Design", "position": 2, "current": True},
        {"id": 32, "name": "Build", "position": 3, "current": False},
    ],
    "milestones": [
        {"id": 4, "title": "Prototype shown", "due_date": "2026-11-27", "reached_at": "2026-11-26T15:00:00Z",
         "overdue": False},
        {"id": 5, "title": "Go live", "due_date": "2027-02-26", "reached_at": None, "overdue": False},
    ],
}  # fmt: skip
VERSION = {
    "number": 2, "file_name": "checkout-flows-v2.pdf", "size": 482113, "content_type": "application/pdf",
    "sha256": "9f2c0e…", "uploaded_at": "2026-12-01T10:00:00Z",
    "download_url": "https://northwind.portico.example/api/v1/deliverables/versions/88/file/",
}  # fmt: skip
DECISION = {
    "id": 3, "version": 1, "outcome": "changes_requested", "comment": "The basket step needs the promo code field.",
    "sha256": "51ab7d…", "person": "Paula Lead", "submitted_at": "2026-11-20T09:00:00Z",
    "decided_at": "2026-11-21T14:12:00Z",
}  # fmt: skip
DELIVERABLE = {
    "id": 21, "project": 7, "title": "Checkout flows", "description": "", "due_date": "2026-12-05",
    "state": "submitted", "submitted_at": "2026-12-01T10:05:00Z", "latest_version": VERSION,
    "created_at": "2026-11-10T09:00:00Z", "updated_at": "2026-12-01T10:05:00Z",
}  # fmt: skip
TIME_ENTRY = {
    "id": 301, "project": 7, "person": "mia.member@northwind.example", "person_label": "Mia Member",
    "date": "2026-12-01", "hours": "2.50", "description": "Checkout workshop", "external_id": "HRV-99812",
    "created_at": "2026-12-01T18:00:00Z", "updated_at": "2026-12-01T18:00:00Z",
}  # fmt: skip


# --- serializers ---------------------------------------------------------------------------------------------------


class PhaseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["id", "name", "position"]


class PhaseSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="Whether this is the project's current phase.")

    class Meta:
        model = Phase
        fields = ["id", "name", "position", "current"]

    def get_current(self, phase: Phase) -> bool:
        return phase.project.current_phase_id == phase.pk


class MilestoneSerializer(serializers.ModelSerializer):
    reached_at = serializers.DateTimeField(
        source="completed_at", read_only=True, allow_null=True, help_text="Null: not reached."
    )
    overdue = serializers.SerializerMethodField(help_text="Past its due date and not reached.")

    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "reached_at", "overdue"]

    def get_overdue(self, milestone: Milestone) -> bool:
        return milestone.overdue()


class ProjectSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_org_id", read_only=True, help_text="The client organisation's id.")
    hours_used = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, help_text="The hours logged on the project."
    )
    current_phase = PhaseRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id", "name", "client", "external_id", "description", "status", "start_date", "end_date",
            "budget_hours", "hours_used", "current_phase", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ProjectDetailSerializer(ProjectSerializer):
    phases = serializers.SerializerMethodField(help_text="In order; `current` marks the current one.")
    milestones = serializers.SerializerMethodField(help_text="By due date.")

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "phases", "milestones"]
        read_only_fields = fields

    @extend_schema_field(PhaseSerializer(many=True))
    def get_phases(self, project: Project) -> Any:
        return PhaseSerializer(selectors.phases_of(project), many=True).data

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, project: Project) -> Any:
        return MilestoneSerializer(selectors.milestones_of(project), many=True).data


class ProjectInput(serializers.Serializer):
    """A project as the provider's project tool sends it (on a change, the fields left out keep their values)."""

    name = serializers.CharField(max_length=150)
    client = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The client organisation's id (a project stays with its client)."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    budget_hours = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, help_text="Null: no budget."
    )


class VersionSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DeliverableVersion
        fields = ["number", "file_name", "size", "content_type", "sha256", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, version: DeliverableVersion) -> str:
        address = reverse("api:deliverable_version_file", kwargs={"deliverable_version_id": version.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(address) if request is not None else address


class DecisionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        source="version.number", read_only=True, help_text="The number of the version decided on."
    )
    person = serializers.CharField(
        source="decided_by_label", read_only=True, help_text="Who decided, as named when they did."
    )

    class Meta:
        model = Decision
        fields = ["id", "version", "outcome", "comment", "sha256", "person", "submitted_at", "decided_at"]
        read_only_fields = fields


class DeliverableSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = Deliverable
        fields = [
            "id", "project", "title", "description", "due_date", "state", "submitted_at", "latest_version",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_latest_version(self, deliverable: Deliverable) -> Any:
        latest = next(iter(deliverable.versions.all()), None)  # newest first (prefetched by the selector)
        return None if latest is None else VersionSerializer(latest, context=self.context).data


class DeliverableDetailSerializer(DeliverableSerializer):
    versions = serializers.SerializerMethodField(help_text="Newest first.")
    decisions = serializers.SerializerMethodField(help_text="Oldest first; a decision never changes.")

    class Meta(DeliverableSerializer.Meta):
        fields = [*DeliverableSerializer.Meta.fields, "versions", "decisions"]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, deliverable: Deliverable) -> Any:
        return VersionSerializer(selectors.versions_of(deliverable), many=True, context=self.context).data

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, deliverable: Deliverable) -> Any:
        return DecisionSerializer(selectors.decisions_of(deliverable), many=True).data


class TimeEntrySerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    person = serializers.EmailField(
        source="person.email", read_only=True, allow_null=True, help_text="The member of staff; null: a label only."
    )

    class Meta:
        model = TimeEntry
        fields = [
            "id", "project", "person", "person_label", "date", "hours", "description", "external_id", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class TimeEntryInput(serializers.Serializer):
    person = serializers.EmailField(
        required=False, allow_null=True, help_text="The e-mail address of an active member of staff."
    )
    person_label = serializers.CharField(
        max_length=100, required=False, allow_blank=True,
        help_text="Instead of `person`: who did the work, for someone without an account (a contractor).",
    )  # fmt: skip
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, help_text="More than 0, at most 24.")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(
        max_length=100, required=False, allow_null=True,
        help_text="Your id for the entry: sent again, it changes that entry instead of adding one.",
    )  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        by_email, by_label = attrs.get("person"), (attrs.get("person_label") or "").strip()
        if by_email and by_label:
            raise ValidationError({"person_label": ["Name the person by e-mail or by a label, not both."]})
        if not by_email and not by_label:
            raise ValidationError({"person": ["Name who did the work: a member of staff's e-mail, or a label."]})
        return attrs


# --- helpers -------------------------------------------------------------------------------------------------------


def _project(request: Request, project: Project, *, status: int = 200) -> Response:
    """The project as read (its hours used counted again), with its ETag (for `If-Match` on the upsert: the
    project's own fields; its phases, milestones and hours change without it)."""
    response = Response(ProjectDetailSerializer(project, context={"request": request}).data, status=status)
    response["ETag"] = etag(project)
    return response


def _client(actor: Any, org_id: int) -> ClientOrg:
    """The client named in a body: one the key does not reach is refused as if there were none."""
    try:
        return client_org_get_for(actor, org_id, include_archived=True)
    except NotFound:
        raise ValidationError({"client": ["No client has this id."]}) from None


def _int_param(request: Request, name: str) -> int | None:
    given = request.query_params.get(name)
    if given is None or given == "":
        return None
    if not (given.isascii() and given.isdigit()) or int(given) > MAX_ID:
        raise ValidationError({name: ["An id (a whole number)."]})
    return int(given)


class UnpagedPost(AutoSchema):
    """A POST that answers a list answers it whole (the entries it logged), not as a page of a listing."""

    def _get_paginator(self) -> Any:
        return None if self.method == "POST" else super()._get_paginator()


class DecisionsCursor(ChangesCursor):
    ordering = ("decided_at", "pk")  # decisions never change: in the order they were made


# --- projects ------------------------------------------------------------------------------------------------------


class ProjectList(Endpoint):
    scope_family = "projects"
    serializer_class = ProjectSerializer

    def get_queryset(self) -> QuerySet[Project]:
        rows = selectors.projects_reached_by(self.actor)
        client = _int_param(self.request, "client")
        if client is not None:
            rows = rows.filter(client_org_id=client)  # a client the key does not reach: no rows
        return updated_since(self.request, rows)

    @extend_schema(
        parameters=[
            OpenApiParameter("updated_since", str, description="ISO 8601: changed at or after"),
            OpenApiParameter("client", int, description="Only this client organisation's projects"),
        ],
        responses={200: ProjectSerializer(many=True), **READ_ERRORS},
        examples=[OpenApiExample("A project", value=PROJECT, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ProjectSerializer(page, many=True).data)


class ProjectDetail(Endpoint):
    scope_family = "projects"
    serializer_class = ProjectDetailSerializer

    @extend_schema(
        responses={200: ProjectDetailSerializer, **READ_ERRORS},
        examples=[OpenApiExample("A project", value=PROJECT_DETAIL, response_only=True)],
    )
    def get(self, request: Request, project_id: int) -> Response:
        return _project(request, selectors.project_get_for(self.actor, project_id))


class ProjectByExternalId(Endpoint):
    """Upsert from the provider's project tool: the project with this external id is changed (the fields left out
    keep their values), or created with it; twice the same call, one project. Phases and milestones are planned
    in the portal."""

    scope_family = "projects"
    serializer_class = ProjectDetailSerializer

    @extend_schema(
        request=ProjectInput,
        responses={200: ProjectDetailSerializer, 201: ProjectDetailSerializer, **ERRORS},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="the ETag you read")],
        examples=[
            OpenApiExample(
                "Upsert",
                value={
                    "name": "Checkout redesign",
                    "client": 12,
                    "status": "active",
                    "start_date": "2026-11-02",
                    "end_date": "2027-02-26",
                    "budget_hours": "120.00",
                },
                request_only=True,
            ),
            OpenApiExample("The project", value=PROJECT_DETAIL, response_only=True),
        ],
    )
    def put(self, request: Request, external_id: str) -> Response:
        me = self.actor
        with transaction.atomic():
            found = selectors.project_by_external_id_for(me, external_id, lock=True)  # not reached: 404
            if found is not None:
                check_if_match(request, found)
            incoming = ProjectInput(data=request.data, partial=found is not None)
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            org = _client(me, data["client"]) if "client" in data or found is None else found.client_org

            def given(name: str, default: Any) -> Any:
                return data[name] if name in data else getattr(found, name, default)

            project = project_save(
                actor=me, project=found, org=org, name=given("name", ""), description=given("description", ""),
                status=given("status", ProjectStatus.ACTIVE), start_date=given("start_date", None),
                end_date=given("end_date", None), budget_hours=given("budget_hours", None), external_id=external_id,
            )  # fmt: skip
        return _project(request, selectors.project_get_for(me, project.pk), status=200 if found else 201)


# --- deliverables and decisions ------------------------------------------------------------------------------------


class DeliverableList(Endpoint):
    scope_family = "projects"
    serializer_class = DeliverableSerializer

    @extend_schema(
        parameters=[OpenApiParameter("updated_since", str, description="ISO 8601: changed at or after")],
        responses={200: DeliverableSerializer(many=True), **READ_ERRORS},
        examples=[OpenApiExample("A deliverable", value=DELIVERABLE, response_only=True)],
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = selectors.project_get_for(self.actor, project_id)
        rows = updated_since(request, selectors.deliverables_of(self.actor, project))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeliverableSerializer(page, many=True, context={"request": request}).data)


class DeliverableDetail(Endpoint):
    scope_family = "projects"
    serializer_class = DeliverableDetailSerializer

    @extend_schema(
        responses={200: DeliverableDetailSerializer, **READ_ERRORS},
        examples=[
            OpenApiExample(
                "A deliverable",
                value=DELIVERABLE | {"versions": [VERSION], "decisions": [DECISION]},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, deliverable_id: int) -> Response:
        deliverable = selectors.deliverable_get_for(self.actor, deliverable_id)
        return Response(DeliverableDetailSerializer(deliverable, context={"request": request}).data)


class DecisionList(Endpoint):
    """The client's decisions on a deliverable, in the order they were made (read only: the client's people decide
    in the portal)."""

    scope_family = "projects"
    serializer_class = DecisionSerializer
    pagination_class = DecisionsCursor

    @extend_schema(
        responses={200: DecisionSerializer(many=True), **READ_ERRORS},
        examples=[OpenApiExample("A decision", value=DECISION, response_only=True)],
    )
    def get(self, request: Request, deliverable_id: int) -> Response:
        deliverable = selectors.deliverable_get_for(self.actor, deliverable_id)
        page = self.paginate_queryset(selectors.decisions_of(deliverable))
        return self.get_paginated_response(DecisionSerializer(page, many=True).data)


class DeliverableVersionFile(Endpoint):
    """A version's file, as an attachment under its original name."""

    scope_family = "projects"

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        """Whatever the caller accepts: the file bypasses renderers, and an error on the way is JSON (no 406)."""
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
            **READ_ERRORS,
        },
        examples=[OpenApiExample("Not found", value={"type": "https://portico.example/problems/404",
                                                     "title": "Not found", "status": 404, "detail": "Not found."},
                                 response_only=True, status_codes=["404"])],
    )  # fmt: skip
    def get(self, request: Request, deliverable_version_id: int) -> HttpResponseBase:
        version = selectors.version_get_for(self.actor, deliverable_version_id)
        return downloads.attachment(str(version.file.name), version.original_name, version.content_type)


# --- time ----------------------------------------------------------------------------------------------------------


def _entries(actor: Any, rows: list[dict[str, Any]]) -> list[Entry]:
    """The entries as the service takes them, each person found by e-mail among the active staff (one query)."""
    emails = {row["person"].lower() for row in rows if row.get("person")}
    staff = active_staff_for(actor).annotate(address=Lower("email")).filter(address__in=emails)
    by_email = {person.address: person for person in staff} if emails else {}
    missing = [
        {"person": ["No active member of staff has this e-mail address."]}
        if row.get("person") and row["person"].lower() not in by_email
        else {}
        for row in rows
    ]
    if any(missing):
        raise ValidationError(missing)
    return [
        Entry(
            person=by_email[row["person"].lower()] if row.get("person") else None,
            person_label=(row.get("person_label") or "").strip(),
            date=row["date"],
            hours=row["hours"],
            description=row.get("description", ""),
            external_id=row.get("external_id"),
        )
        for row in rows
    ]


class TimeEntryList(Creates):
    """A project's time entries; POST logs several at once, all or none."""

    scope_family = "time"
    serializer_class = TimeEntrySerializer
    schema = UnpagedPost()

    def project(self, project_id: int) -> Project:
        return selectors.project_get_for(self.actor, project_id)

    @extend_schema(
        parameters=[OpenApiParameter("updated_since", str, description="ISO 8601: changed at or after")],
        responses={200: TimeEntrySerializer(many=True), **READ_ERRORS},
        examples=[OpenApiExample("A time entry", value=TIME_ENTRY, response_only=True)],
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = self.project(project_id)
        rows = selectors.time_entries_for(self.actor, project.client_org, project=project).select_related("person")
        page = self.paginate_queryset(updated_since(request, rows))
        return self.get_paginated_response(TimeEntrySerializer(page, many=True).data)

    @extend_schema(
        request=TimeEntryInput(many=True),
        responses={
            201: OpenApiResponse(TimeEntrySerializer(many=True), description="Entries logged (some may be changes)"),
            200: OpenApiResponse(TimeEntrySerializer(many=True), description="Every entry was already there"),
            **ERRORS,
        },
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, description="once per key")],
        examples=[
            # drf-spectacular shows each example of a list body as a list of it
            OpenApiExample(
                "An entry by a member of staff",
                value={
                    "person": "mia.member@northwind.example",
                    "date": "2026-12-01",
                    "hours": "2.5",
                    "description": "Checkout workshop",
                    "external_id": "HRV-99812",
                },
                request_only=True,
            ),
            OpenApiExample(
                "An entry by a contractor",
                value={
                    "person_label": "J. Doe (contractor)",
                    "date": "2026-12-01",
                    "hours": "4",
                    "external_id": "HRV-99813",
                },
                request_only=True,
            ),
            OpenApiExample("The entries", value=TIME_ENTRY, response_only=True, status_codes=["200", "201"]),
            OpenApiExample(
                "A refused entry (nothing logged)",
                value={
                    "type": "https://portico.example/problems/422",
                    "title": "Unprocessable content",
                    "status": 422,
                    "detail": "Log more than 0 and at most 24 hours a day.",
                    "errors": {"1.hours": ["Log more than 0 and at most 24 hours a day."]},
                },
                response_only=True,
                status_codes=["422"],
            ),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.project(kwargs["project_id"])
        incoming: serializers.ListSerializer[Any] = serializers.ListSerializer(
            child=TimeEntryInput(), data=request.data, allow_empty=False, max_length=MAX_ENTRIES
        )
        incoming.is_valid(raise_exception=True)
        entries = _entries(self.actor, incoming.validated_data)
        started = timezone.now()
        try:
            logged = time_entries_add(actor=self.actor, project=project, entries=entries)
        except EntryRefused as refused:
            raise EngagementError(refused.message, field=f"{refused.index}.{refused.field}") from None
        added = any(entry.created_at >= started for entry in logged)
        return Response(TimeEntrySerializer(logged, many=True).data, status=201 if added else 200)


urlpatterns = [
    path("projects/", api_key_only(ProjectList.as_view()), name="projects"),
    path("projects/<int:project_id>/", api_key_only(ProjectDetail.as_view()), name="project"),
    path(
        "projects/by-external-id/<str:external_id>/",
        api_key_only(ProjectByExternalId.as_view()),
        name="project_by_external_id",
    ),
    path("projects/<int:project_id>/deliverables/", api_key_only(DeliverableList.as_view()), name="deliverables"),
    path("projects/<int:project_id>/time-entries/", api_key_only(TimeEntryList.as_view()), name="time_entries"),
    path("deliverables/<int:deliverable_id>/", api_key_only(DeliverableDetail.as_view()), name="deliverable"),
    path(
        "deliverables/<int:deliverable_id>/decisions/",
        api_key_only(DecisionList.as_view()),
        name="deliverable_decisions",
    ),
    path(
        "deliverables/versions/<int:deliverable_version_id>/file/",
        api_key_only(DeliverableVersionFile.as_view()),
        name="deliverable_version_file",
    ),
]
