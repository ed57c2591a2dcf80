"""Requests join the capability registry, the event types, the visible targets and the commentables."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import visibility
from portal.access.capabilities import DefaultRole, Proof, register
from portal.access.visibility import Visibility
from portal.activity import events
from portal.conversations import registry

REQUESTS_CREATE = register(
    "requests.create",
    label=_("Submit requests and follow their own"),
    description=_("Send change requests, support tickets and access requests, and follow the ones they sent."),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.FINANCE, DefaultRole.PROJECT_LEAD},
    url_name="requests:list",
    proof=Proof(url=lambda org_id: reverse("requests:new", kwargs={"org_id": org_id})),
)
REQUESTS_VIEW_ALL = register(
    "requests.view_all",
    label=_("See every request of the organisation"),
    description=_("Follow the requests their colleagues sent too, not only their own."),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.PROJECT_LEAD},
    url_name="requests:list",
    proof=Proof(url=lambda org_id: reverse("requests:list", kwargs={"org_id": org_id}) + "?whose=all"),
)

SUBMITTED = events.register("request.submitted", label=_("New requests"))
STATUS_CHANGED = events.register("request.status_changed", label=_("Request status changes"))
# Told only to the member of staff the request is (re)assigned to, or who is about to miss its due time.
ASSIGNED = events.register("request.assigned", label=_("Requests assigned to you"), staff_only=True)
DUE_SOON = events.register("request.due_soon", label=_("Requests about to miss their due time"), staff_only=True)
RATED = events.register("request.rated", label=_("Ratings of resolved requests"), staff_only=True)
# Audit-only: the portal's request settings.
TYPE_SAVED = events.register("request_type.saved", label=_("Request types changed"), staff_only=True, audit_only=True)
SETTINGS_CHANGED = events.register(
    "requests.settings_changed", label=_("Request routing and hours changed"), staff_only=True, audit_only=True
)
# Audit-only: staff linked a request to another project (or to none); history, told to nobody.
PROJECT_CHANGED = events.register(
    "request.project_changed", label=_("Requests linked to another project"), staff_only=True, audit_only=True
)

# Audit-only: staff or the provider's systems (the API) named a request by their own ticket id.
EXTERNAL_ID_SET = events.register(
    "request.external_id_set", label=_("Requests linked to a ticket of your own systems"), staff_only=True,
    audit_only=True,
)  # fmt: skip


def request_visibility(request: Any) -> Visibility:
    """A request is seen by staff who reach its client, by the organisation's contacts who see all its requests,
    and by its requester while they may submit requests."""
    return Visibility(
        request.client_org_id, REQUESTS_VIEW_ALL.code, owner_id=request.requester_id,
        owner_capability=REQUESTS_CREATE.code,
    )  # fmt: skip


def _request_for(actor: Any, pk: int) -> Any:
    from portal.requests.selectors import request_get_for

    return request_get_for(actor, pk)


def _commented(actor: Any, request: Any, comment: Any) -> None:
    from portal.requests.services import request_commented

    request_commented(actor, request, comment)


def register_targets() -> None:
    from portal.requests.models import ClientRequest, RequestType, ServiceHours

    visibility.register(
        ClientRequest,
        visibility=request_visibility,
        page=lambda pk, org_id: reverse("requests:detail", kwargs={"request_id": pk}),
    )
    visibility.register(
        RequestType,
        visibility=lambda request_type: Visibility(None),
        page=lambda pk, org_id: reverse("requests:type_edit", kwargs={"type_id": pk}),
    )
    visibility.register(
        ServiceHours,
        visibility=lambda hours: Visibility(None),
        page=lambda pk, org_id: reverse("requests:settings"),
    )
    registry.enable(ClientRequest, type_code="request", get_for=_request_for, on_comment=_commented)
