"""Reading requests for a person, always through `portal.access`: staff see the requests of the clients they
reach; a contact sees their organisation's requests with `requests.view_all`, otherwise only their own (with
`requests.create`). Anything else is `NotFound`."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone

from portal.access.policy import Actor, NotFound, client_orgs_for, may
from portal.clients.models import ClientOrg
from portal.engagements.models import Project, ProjectStatus
from portal.engagements.selectors import project_get_for, projects_for
from portal.requests.models import (
    OPEN_STATUSES,
    ClientRequest,
    FormVersion,
    Holiday,
    RequestFile,
    RequestType,
    RoutingRule,
    ServiceHours,
    StatusChange,
)


def requests_for(actor: Actor, org: ClientOrg | None = None, *, whose: str = "") -> QuerySet[ClientRequest]:
    """The requests the actor may see, of one organisation or (staff) of every client they reach. `whose="all"`
    asks a contact for their organisation's requests (NotFound without `requests.view_all`)."""
    requests = ClientRequest.objects.select_related("request_type", "client_org", "assignee", "requester")
    if actor.is_staff:
        reached = client_orgs_for(actor, include_archived=True).values("pk")
        requests = requests.filter(client_org__in=reached)
        return requests.filter(client_org=org) if org is not None else requests
    contact = actor.contact
    if contact is None or (org is not None and org.pk != contact.client_org_id):
        return requests.none()
    requests = requests.filter(client_org_id=contact.client_org_id)
    if whose == "all":
        if "requests.view_all" not in actor.capabilities:
            raise NotFound
        return requests
    if "requests.create" in actor.capabilities:
        return requests.filter(requester=actor.user)
    if "requests.view_all" in actor.capabilities:
        return requests
    return requests.none()


def request_get_for(actor: Actor, request_id: int) -> ClientRequest:
    """One request the actor may open (`NotFound` for anyone else): staff who reach its client; its requester
    with `requests.create`; their colleagues with `requests.view_all`."""
    found = (
        ClientRequest.objects.select_related("request_type", "client_org", "assignee", "requester", "form_version")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFound
    if actor.is_staff:
        if not may(actor, "requests.view_all", found.client_org):
            raise NotFound
        return found
    contact = actor.contact
    if contact is None or contact.client_org_id != found.client_org_id or found.client_org.archived_at is not None:
        raise NotFound
    held = actor.capabilities
    if "requests.view_all" in held or ("requests.create" in held and found.requester_id == actor.user.pk):
        return found
    raise NotFound


# --- projects (a request may be about one of its client's projects) ---------------------------------------------


def projects_to_link(actor: Actor, org: ClientOrg) -> QuerySet[Project]:
    """The projects a new request of the organisation may be about: those of its projects the actor may see
    (the engagements' rule: `projects.view` for a contact) that are not completed."""
    return projects_for(actor, org).exclude(status=ProjectStatus.COMPLETED)


def project_of(actor: Actor, request: ClientRequest) -> Project | None:
    """The project the request is about, when the actor may see it (a contact without `projects.view` is not
    shown its name)."""
    if request.project_id is None:
        return None
    try:
        return project_get_for(actor, request.project_id)
    except NotFound:
        return None


def projects_reached(actor: Actor) -> QuerySet[Project]:
    """Staff's choice of projects (queue filter, routing rules): those of the clients they reach, by client."""
    if not actor.is_staff:
        return Project.objects.none()
    reached = client_orgs_for(actor, include_archived=True).values("pk")
    projects = Project.objects.filter(client_org__in=reached).select_related("client_org")
    return projects.order_by("client_org__name", "name")


def requests_about(actor: Actor, project: Project) -> QuerySet[ClientRequest]:
    """The project's requests the actor may see, newest first: staff, those of the clients they reach; a contact
    with `requests.view_all`, all of them; with `requests.create` only, their own."""
    whose = "all" if not actor.is_staff and "requests.view_all" in actor.capabilities else ""
    return requests_for(actor, whose=whose).filter(project=project).order_by("-created_at", "-id")


def changes_of(request: ClientRequest) -> QuerySet[StatusChange]:
    return request.changes.select_related("by")


def files_of(request: ClientRequest) -> QuerySet[RequestFile]:
    return request.files.all()


def request_file_get_for(actor: Actor, file_id: int) -> RequestFile:
    found = RequestFile.objects.filter(pk=file_id).first()
    if found is None:
        raise NotFound
    request_get_for(actor, found.request_id)
    return found


# --- types -------------------------------------------------------------------------------------------------------


def types_for_client(actor: Actor, org: ClientOrg) -> QuerySet[RequestType]:
    """The types the organisation may use, with a form: what its contacts choose from."""
    if not may(actor, "requests.create", org):
        return RequestType.objects.none()
    return (
        RequestType.objects.filter(archived_at__isnull=True, current_version__isnull=False)
        .filter(Q(all_clients=True) | Q(client_orgs=org))
        .select_related("current_version")
        .distinct()
    )


def type_for_client(actor: Actor, org: ClientOrg, type_id: int) -> RequestType:
    found = types_for_client(actor, org).filter(pk=type_id).first()
    if found is None:
        raise NotFound
    return found


def types_for(actor: Actor) -> QuerySet[RequestType]:
    """Every type, for the portal's owners and admins (who define them)."""
    if not actor.manages_portal:
        return RequestType.objects.none()
    return RequestType.objects.select_related("current_version", "default_assignee").annotate(
        request_count=Count("requests", distinct=True)
    )


def type_get_for(actor: Actor, type_id: int) -> RequestType:
    found = types_for(actor).filter(pk=type_id).first()
    if found is None:
        raise NotFound
    return found


def versions_of(actor: Actor, request_type: RequestType) -> QuerySet[FormVersion]:
    if not actor.manages_portal:
        return FormVersion.objects.none()
    return request_type.versions.select_related("created_by")


def routing_rules_for(actor: Actor) -> QuerySet[RoutingRule]:
    if not actor.manages_portal:
        return RoutingRule.objects.none()
    return RoutingRule.objects.select_related("request_type", "client_org", "project", "assignee")


def routing_rule_get_for(actor: Actor, rule_id: int) -> RoutingRule:
    found = routing_rules_for(actor).filter(pk=rule_id).first()
    if found is None:
        raise NotFound
    return found


def service_hours() -> ServiceHours:
    """The portal's business hours (made with the defaults the first time)."""
    from django.db import connection

    zone = getattr(getattr(connection, "tenant", None), "time_zone", "") or "Europe/London"
    hours, _created = ServiceHours.objects.get_or_create(pk=1, defaults={"time_zone": zone})
    return hours


def holidays_for(actor: Actor) -> QuerySet[Holiday]:
    return Holiday.objects.all() if actor.manages_portal else Holiday.objects.none()


def holiday_get_for(actor: Actor, holiday_id: int) -> Holiday:
    found = holidays_for(actor).filter(pk=holiday_id).first()
    if found is None:
        raise NotFound
    return found


# --- the staff queue ---------------------------------------------------------------------------------------------


SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "due": (F("resolution_due").asc(nulls_last=True), "id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "updated": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""  # a status, "open" (the default view), or "" for every status
    type_id: int | None = None
    org_id: int | None = None
    project_id: int | None = None
    assignee: str = ""  # "me", "none", a user id, or ""
    overdue: bool = False
    sort: str = "due"


def overdue_condition(now: datetime) -> Q:
    response_late = Q(first_response_at__isnull=True, first_response_due__lt=now)
    resolution_late = Q(status__in=OPEN_STATUSES, resolution_due__lt=now)
    return response_late | resolution_late


def queue_for(actor: Actor, filters: QueueFilters) -> QuerySet[ClientRequest]:
    """Staff's queue: the requests of the clients they reach, filtered and sorted."""
    if not actor.is_staff:
        raise NotFound
    requests = requests_for(actor)
    if filters.status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        requests = requests.filter(status=filters.status)
    if filters.type_id:
        requests = requests.filter(request_type_id=filters.type_id)
    if filters.org_id:
        requests = requests.filter(client_org_id=filters.org_id)
    if filters.project_id:
        requests = requests.filter(project_id=filters.project_id)
    if filters.assignee == "me":
        requests = requests.filter(assignee=actor.user)
    elif filters.assignee == "none":
        requests = requests.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        requests = requests.filter(assignee_id=int(filters.assignee))
    if filters.overdue:
        requests = requests.filter(overdue_condition(timezone.now()))
    return requests.order_by(*SORTS.get(filters.sort, SORTS["due"]))


def overdue_count(actor: Actor) -> int:
    if not actor.is_staff:
        return 0
    return requests_for(actor).filter(overdue_condition(timezone.now())).count()


def waiting_on_client_for(actor: Actor) -> QuerySet[ClientRequest]:
    """Requests of the contact's that wait on their organisation (their own, or all with view_all)."""
    if actor.contact is None:
        return ClientRequest.objects.none()
    return requests_for(actor).filter(status="waiting_on_client")


def unrated_for(actor: Actor) -> QuerySet[ClientRequest]:
    """The person's own resolved requests they have not rated."""
    from portal.requests.models import Rating

    if actor.contact is None:
        return ClientRequest.objects.none()
    rated = Rating.objects.filter(request=OuterRef("pk"))
    return requests_for(actor).filter(requester=actor.user, status__in=["resolved", "closed"]).exclude(Exists(rated))
