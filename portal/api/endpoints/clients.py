"""Client organisations: list (with `updated_since`), read, create, change (`If-Match`), and upsert by the
provider's own id (`PUT /clients/by-external-id/<id>/`). Through `portal.access` (a key reaches every client or
the chosen ones) and the organisations' services, as the HTML pages."""

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from portal.access.http import api_key_only
from portal.access.models import StaffMembership
from portal.access.policy import client_org_get_for, client_orgs_for
from portal.api.conditional import check_if_match, etag
from portal.api.endpoints.base import Creates, Endpoint, ProblemSerializer, updated_since
from portal.clients.models import ClientOrg
from portal.organisations.services import client_org_save

EXAMPLE = {
    "id": 12, "name": "Contoso Retail", "external_id": "CRM-4711", "account_manager": "mia@northwind.example",
    "notes": "", "archived": False, "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-12-01T10:30:00Z",
}  # fmt: skip
ERRORS = {400: ProblemSerializer, 401: ProblemSerializer, 403: ProblemSerializer, 404: ProblemSerializer,
          409: ProblemSerializer, 412: ProblemSerializer, 422: ProblemSerializer, 429: ProblemSerializer}  # fmt: skip


class ClientSerializer(serializers.ModelSerializer):
    account_manager = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.filter(is_active=True, staff__isnull=False), required=False,
        help_text="The e-mail address of an active member of staff (on creation: the key's creator when omitted).",
    )  # fmt: skip
    # null when the client has none; it cannot be set back to null (the systems syncing by it would lose it).
    external_id = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=False)
    archived = serializers.SerializerMethodField()

    class Meta:
        model = ClientOrg
        fields = ["id", "name", "external_id", "account_manager", "notes", "archived", "created_at", "updated_at"]
        read_only_fields = ["id", "archived", "created_at", "updated_at"]
        # Uniqueness of the external id: the service answers it, with a field error.
        extra_kwargs: ClassVar[dict[str, Any]] = {"external_id": {"validators": []}}

    def validate_external_id(self, value: str | None) -> str:
        if value is None:
            raise serializers.ValidationError("An external id cannot be removed, only replaced.")
        return value

    def get_archived(self, org: ClientOrg) -> bool:
        return org.archived_at is not None


def _manager(request: Request, data: dict[str, Any], org: ClientOrg | None) -> User:
    if data.get("account_manager") is not None:
        return data["account_manager"]
    if org is not None:
        return org.account_manager
    creator = request.auth.created_by  # type: ignore[union-attr]
    if creator is not None and StaffMembership.objects.filter(user=creator, user__is_active=True).exists():
        return creator
    raise serializers.ValidationError({"account_manager": ["Name the account manager (a member of staff)."]})


def _with_etag(response: Response, org: ClientOrg) -> Response:
    response["ETag"] = etag(org)
    return response


class ClientList(Creates):
    scope_family = "clients"
    serializer_class = ClientSerializer

    def get_queryset(self) -> QuerySet[ClientOrg]:
        rows = client_orgs_for(self.actor, include_archived=True).select_related("account_manager")
        return updated_since(self.request, rows)

    @extend_schema(
        parameters=[OpenApiParameter("updated_since", str, description="ISO 8601: changed at or after")],
        responses={200: ClientSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("A client", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ClientSerializer(page, many=True).data)

    @extend_schema(
        request=ClientSerializer,
        responses={201: ClientSerializer, **ERRORS},
        examples=[OpenApiExample("A new client", value={"name": "Contoso Retail", "external_id": "CRM-4711"})],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ClientSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        org = client_org_save(
            actor=self.actor, org=None, name=data["name"], account_manager=_manager(request, data, None), team=[],
            notes=data.get("notes", ""), external_id=data.get("external_id"),
        )  # fmt: skip
        return _with_etag(Response(ClientSerializer(org).data, status=201), org)


class ClientDetail(Endpoint):
    scope_family = "clients"
    serializer_class = ClientSerializer

    def org(self, org_id: int) -> ClientOrg:
        return client_org_get_for(self.actor, org_id, include_archived=True)

    @extend_schema(responses={200: ClientSerializer, **ERRORS}, examples=[OpenApiExample("A client", value=EXAMPLE)])
    def get(self, request: Request, org_id: int) -> Response:
        org = self.org(org_id)
        return _with_etag(Response(ClientSerializer(org).data), org)

    @extend_schema(
        request=ClientSerializer,
        responses={200: ClientSerializer, **ERRORS},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="the ETag you read")],
        examples=[OpenApiExample("A new name", value={"name": "Contoso Retail Group"})],
    )
    def patch(self, request: Request, org_id: int) -> Response:
        with transaction.atomic():
            org = self.org(org_id)
            ClientOrg.objects.select_for_update().filter(pk=org.pk).first()
            org.refresh_from_db()
            check_if_match(request, org)
            incoming = ClientSerializer(org, data=request.data, partial=True)
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            org = client_org_save(
                actor=self.actor, org=org, name=data.get("name", org.name),
                account_manager=_manager(request, data, org), team=list(org.team.all()),
                notes=data.get("notes", org.notes), external_id=data.get("external_id"),
            )  # fmt: skip
        return _with_etag(Response(ClientSerializer(org).data), org)


class ClientByExternalId(Endpoint):
    """Upsert: the client with this external id is changed, or created with it; twice the same call, one client."""

    scope_family = "clients"
    serializer_class = ClientSerializer

    @extend_schema(
        request=ClientSerializer,
        responses={200: ClientSerializer, 201: ClientSerializer, **ERRORS},
        examples=[
            OpenApiExample("Upsert", value={"name": "Contoso Retail", "account_manager": "mia@northwind.example"})
        ],
    )
    def put(self, request: Request, external_id: str) -> Response:
        with transaction.atomic():
            found = ClientOrg.objects.select_for_update().filter(external_id=external_id).first()
            if found is not None:
                found = client_org_get_for(self.actor, found.pk, include_archived=True)  # not reached: 404
                check_if_match(request, found)
            if not isinstance(request.data, dict):
                raise serializers.ValidationError({"_": ["The body must be a JSON object."]})
            body: dict[str, Any] = dict(request.data)
            incoming = ClientSerializer(found, data=body | {"external_id": external_id}, partial=found is not None)
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            org = client_org_save(
                actor=self.actor, org=found, name=data.get("name", found.name if found else ""),
                account_manager=_manager(request, data, found), team=list(found.team.all()) if found else [],
                notes=data.get("notes", found.notes if found else ""), external_id=external_id,
            )  # fmt: skip
        return _with_etag(Response(ClientSerializer(org).data, status=200 if found else 201), org)


urlpatterns = [
    path("clients/", api_key_only(ClientList.as_view()), name="clients"),
    path("clients/<int:org_id>/", api_key_only(ClientDetail.as_view()), name="client"),
    path(
        "clients/by-external-id/<str:external_id>/",
        api_key_only(ClientByExternalId.as_view()),
        name="client_by_external_id",
    ),
]
