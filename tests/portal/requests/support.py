"""Making request types and requests in tests, through the services (as the pages do)."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from portal.access.models import StaffMembership, StaffRole
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.engagements.models import Project
from portal.requests.models import Assignment, ClientRequest, RequestType
from portal.requests.services import request_submit, request_type_save

FIELDS: list[dict[str, Any]] = [
    {"label": "Impact", "kind": "choice", "required": True, "choices": ["Low", "High"]},
    {"label": "Budget", "kind": "number"},
    {"label": "Deadline", "kind": "date"},
    {"label": "Details", "kind": "long_text"},
    {"label": "Specification", "kind": "file"},
]


def owner() -> User:
    return StaffMembership.objects.get(role=StaffRole.OWNER).user


def make_type(
    name: str = "Website change", *, fields: list[dict[str, Any]] | None = None, **options: Any
) -> RequestType:
    values: dict[str, Any] = {
        "description": "", "all_clients": True, "client_orgs": [], "assign_to": Assignment.ACCOUNT_MANAGER,
        "default_assignee": None, "first_response_hours": 4, "resolution_hours": 16,
    }  # fmt: skip
    values.update(options)
    return request_type_save(
        actor=actor_for(owner()), request_type=None, name=name, fields=fields if fields is not None else FIELDS,
        **values,
    )  # fmt: skip


def submit(
    requester: User,
    request_type: RequestType,
    *,
    subject: str = "New landing page",
    answers: dict[str, Any] | None = None,
    with_file: bool = False,
    project: Project | None = None,
) -> ClientRequest:
    org: ClientOrg = requester.contact.client_org
    files = {"specification": SimpleUploadedFile("spec.txt", b"The spec\n")} if with_file else {}
    return request_submit(
        actor=actor_for(requester), org=org, type_id=request_type.pk,
        version_id=request_type.current_version_id or 0, subject=subject,
        answers=answers if answers is not None else {"impact": "High", "budget": "1200", "deadline": "", "details": ""},
        files=files, project=project,
    )  # fmt: skip
