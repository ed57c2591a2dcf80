"""A client's contacts: list, invite (an invitation e-mailed as when staff invite from the client's page), the
invitations sent, and deactivation. Through `portal.access` (a key reaches every client or the chosen ones) and
the access services staff use, so the same checks, e-mails and events follow."""

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access.http import api_key_only
from portal.access.models import Invitation
from portal.access.policy import client_org_get_for, contact_get_for, contacts_for, invitations_for, roles_for
from portal.access.services import invitation_create, person_deactivate
from portal.api.endpoints.base import Creates, Endpoint, ProblemSerializer
from portal.api.pagination import ChangesCursor
from portal.clients.models import Contact

EXAMPLE = {
    "id": 41, "client": 12, "name": "Paula Lead", "email": "paula.lead@contoso.example", "role": "project-lead",
    "job_title": "Head of digital", "active": True, "joined": "2026-11-03T09:12:00Z",
}  # fmt: skip
INVITATION_EXAMPLE = {
    "id": 17, "client": 12, "email": "new.colleague@contoso.example", "full_name": "New Colleague",
    "role": "viewer", "status": "pending", "sent_at": "2026-12-01T09:00:00Z", "expires_at": "2026-12-08T09:00:00Z",
    "accepted_at": None,
}  # fmt: skip
ERRORS = {400: ProblemSerializer, 401: ProblemSerializer, 403: ProblemSerializer, 404: ProblemSerializer,
          409: ProblemSerializer, 422: ProblemSerializer, 429: ProblemSerializer}  # fmt: skip
IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, description="done once per key")


class JoinedCursor(ChangesCursor):
    """Contacts and invitations, the earliest first."""

    ordering = ("created_at", "pk")


class ContactSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_org_id")
    name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    role = serializers.CharField(source="role.slug", help_text="The role's slug (e.g. client-admin, viewer).")
    active = serializers.BooleanField(source="user.is_active", help_text="False once their access was ended.")
    joined = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Contact
        fields = ["id", "client", "name", "email", "role", "job_title", "active", "joined"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_org_id")
    role = serializers.CharField(source="role.slug")
    status = serializers.SerializerMethodField(help_text="pending, expired, accepted or revoked")

    class Meta:
        model = Invitation
        fields = ["id", "client", "email", "full_name", "role", "status", "sent_at", "expires_at", "accepted_at"]
        read_only_fields = fields

    def get_status(self, invitation: Invitation) -> str:
        if invitation.accepted_at is not None:
            return "accepted"
        if invitation.revoked_at is not None:
            return "revoked"
        return "expired" if invitation.expires_at <= timezone.now() else "pending"


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.SlugField(help_text="The slug of the role they will have (e.g. viewer).")
    replaces = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="The id of the address's pending invitation to this client, to replace it (refused otherwise).",
    )  # fmt: skip


class ContactList(Creates):
    scope_family = "contacts"
    serializer_class = ContactSerializer
    pagination_class = JoinedCursor

    def get_queryset(self) -> QuerySet[Contact]:
        org = client_org_get_for(self.actor, self.kwargs["org_id"], include_archived=True)
        return contacts_for(self.actor, org)

    @extend_schema(
        responses={200: ContactSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("A contact", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, org_id: int) -> Response:
        """The client's contacts (deactivated ones too), the earliest to join first."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ContactSerializer(page, many=True).data)

    @extend_schema(
        request=InviteSerializer,
        responses={201: InvitationSerializer, **ERRORS},
        parameters=[IDEMPOTENCY],
        examples=[
            OpenApiExample(
                "Invite a colleague",
                value={"email": "new.colleague@contoso.example", "full_name": "New Colleague", "role": "viewer"},
                request_only=True,
            ),
            OpenApiExample("The invitation sent", value=INVITATION_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Invite someone to the client, as staff do on its page: they are e-mailed a link to join with this role.
        An address that already has an account in the portal, or an invitation pending elsewhere, is refused
        (422, under `errors.email`); one with a pending invitation to this client too, unless `replaces` names
        that invitation (422, under `errors.replace`)."""
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = client_org_get_for(self.actor, kwargs["org_id"], include_archived=True)
        incoming = InviteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        role = roles_for(self.actor).filter(slug=data["role"]).first()
        if role is None:
            raise serializers.ValidationError({"role": ["No role has this slug."]})
        invitation = invitation_create(
            actor=self.actor, email=data["email"], full_name=data["full_name"], client_org=org, role=role,
            replaces=data["replaces"],
        )  # fmt: skip
        return Response(InvitationSerializer(invitation).data, status=201)


class InvitationList(Endpoint):
    scope_family = "contacts"
    serializer_class = InvitationSerializer
    pagination_class = JoinedCursor

    @extend_schema(
        responses={200: InvitationSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("An invitation", value=INVITATION_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, org_id: int) -> Response:
        """The invitations to the client, whatever became of them (`status`), the earliest first."""
        org = client_org_get_for(self.actor, org_id, include_archived=True)
        page = self.paginate_queryset(invitations_for(self.actor, org))
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)


class ContactDeactivate(Creates):
    scope_family = "contacts"
    serializer_class = ContactSerializer

    @extend_schema(
        request=None,
        responses={200: ContactSerializer, **ERRORS},
        parameters=[IDEMPOTENCY],
        examples=[OpenApiExample("Their access ended", value=EXAMPLE | {"active": False}, response_only=True)],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """End the contact's access at once, as staff do on the client's page: signed out everywhere, no more
        sign-in (invite them again to restore it). Once: a contact already deactivated answers 409."""
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = client_org_get_for(self.actor, kwargs["org_id"])
        contact = contact_get_for(self.actor, org, kwargs["contact_id"], capability="contacts.manage")
        person_deactivate(actor=self.actor, user=contact.user)
        return Response(ContactSerializer(contact).data)


urlpatterns = [
    path("clients/<int:org_id>/contacts/", api_key_only(ContactList.as_view()), name="contacts"),
    path("clients/<int:org_id>/invitations/", api_key_only(InvitationList.as_view()), name="invitations"),
    path(
        "clients/<int:org_id>/contacts/<int:contact_id>/deactivate/",
        api_key_only(ContactDeactivate.as_view()),
        name="contact_deactivate",
    ),
]
