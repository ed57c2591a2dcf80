"""Comments on anything commentable (`portal.conversations.registry`: client, document, project, deliverable,
request): a target's thread (oldest first, with `updated_since`) and a new comment or internal note. The target is
found through its registry entry's `get_for`, as the HTML thread finds it, so a key reads and writes only the
threads of what it reaches; a key's comment has no person as author and shows under the key's name."""

from typing import Any

from django.db.models import F, QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access import limits
from portal.access.http import api_key_only
from portal.access.policy import NotFound
from portal.api.endpoints.base import Creates, ProblemSerializer, updated_since
from portal.api.throttling import key_limited
from portal.conversations.models import Comment
from portal.conversations.registry import COMMENTABLE
from portal.conversations.selectors import comments_for
from portal.conversations.services import comment_add

EXAMPLE = {
    "id": 88, "author": "Mia Member", "author_email": "mia@northwind.example",
    "body": "The signed version is attached to the contract.", "internal": False,
    "attachments": [{"name": "contract-signed.pdf", "size": 48213, "content_type": "application/pdf"}],
    "created_at": "2026-12-01T10:30:00Z", "updated_at": "2026-12-01T10:30:00Z",
}  # fmt: skip
ERRORS = {400: ProblemSerializer, 401: ProblemSerializer, 403: ProblemSerializer, 404: ProblemSerializer,
          409: ProblemSerializer, 422: ProblemSerializer, 429: ProblemSerializer}  # fmt: skip
TYPE_CODE = OpenApiParameter(
    "type_code", str, OpenApiParameter.PATH, enum=sorted(COMMENTABLE) or None,
    description="What is commented on: client, document, project, deliverable or request.",
)  # fmt: skip


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    content_type = serializers.CharField()


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_name", read_only=True, help_text="A person, or an API key.")
    author_email = serializers.SerializerMethodField(help_text="None for a comment an API key posted.")
    attachments = AttachmentSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(
        source="created_at", read_only=True, help_text="Comments do not change once posted: their posting time."
    )
    internal = serializers.BooleanField(
        required=False, default=False, help_text="An internal note: only staff see it, the client is not told."
    )

    class Meta:
        model = Comment
        fields = ["id", "author", "author_email", "body", "internal", "attachments", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at"]

    def get_author_email(self, comment: Comment) -> str | None:
        return comment.author.email if comment.author is not None else None


@extend_schema(tags=["comments"])
class CommentList(Creates):
    """A target's thread, oldest first (internal notes too: a key acts for the provider's staff), and new comments."""

    scope_family = "comments"
    serializer_class = CommentSerializer

    def target(self) -> Any:
        """The commented object, through its registry entry (its own access check): not reached, not found."""
        entry = COMMENTABLE.get(self.kwargs["type_code"])
        if entry is None:
            raise NotFound
        return entry.get_for(self.actor, self.kwargs["target_id"])

    def get_queryset(self) -> QuerySet[Comment]:
        # Comments do not change once posted: their last change is their posting, for the cursor and the filter.
        thread = comments_for(self.actor, self.target()).annotate(updated_at=F("created_at"))
        return updated_since(self.request, thread)

    @extend_schema(
        parameters=[TYPE_CODE, OpenApiParameter("updated_since", str, description="ISO 8601: posted at or after")],
        responses={200: CommentSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("A comment", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, type_code: str, target_id: int) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        parameters=[TYPE_CODE],
        request=CommentSerializer,
        responses={201: CommentSerializer, **ERRORS},
        examples=[
            OpenApiExample("A reply", value={"body": "Invoice 2026-114 is paid."}, request_only=True),
            OpenApiExample("An internal note", value={"body": "Check the PO number.", "internal": True}),
        ],
        description="Everyone who may see the target is told, as for a comment written in the portal (an "
        "internal note: staff only); `@their.address@example.com` mentions a person.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.target()
        incoming = CommentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        key_limited(request, limits.COMMENTS)
        comment = comment_add(actor=self.actor, target=target, body=data["body"], internal=data["internal"])
        return Response(CommentSerializer(comment).data, status=201)


urlpatterns = [
    path("<str:type_code>/<int:target_id>/comments/", api_key_only(CommentList.as_view()), name="comments"),
]
