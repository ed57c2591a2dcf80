"""Writing requests: submission (validated against the type's form version, routed, with files checked like
every upload), status changes (the moves of `workflow`, in one place), assignment, the project a request is
about (always one of its client's), ratings, comments' effects, and the settings staff keep (types and their
versioned forms, routing rules, business hours and holidays). Each checks `portal.access` and records its event
in the same transaction."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audited, not_audited
from core.errors import DomainError
from portal.access.policy import Actor, NotFound, is_active_staff, may
from portal.activity.services import record
from portal.clients.models import ClientOrg
from portal.engagements.models import Project
from portal.files.inspection import FileRejected, Inspection, inspect, safe_name
from portal.files.quota import QuotaExceeded, ensure_room, quota_lock
from portal.files.scanning import ScanResult, screen
from portal.requests import workflow
from portal.requests.answers import KEY_PATTERN, PROJECT_FIELD, new_key
from portal.requests.business_hours import Calendar, holidays_for
from portal.requests.models import (
    OPEN_STATUSES,
    Assignment,
    ClientRequest,
    FieldKind,
    FormVersion,
    Holiday,
    QuarantinedRequestFile,
    Rating,
    RequestFile,
    RequestType,
    RoutingRule,
    ServiceHours,
    Status,
    StatusChange,
)
from portal.requests.selectors import projects_to_link, service_hours, type_for_client

CHOICE_KINDS = frozenset({FieldKind.CHOICE, FieldKind.MULTIPLE_CHOICE})
NOTE_MAX_LENGTH = 2000
EXTERNAL_ID_MAX_LENGTH = 100


class RequestError(DomainError):
    """A request, a status change or a request setting refused."""


# --- the clock ---------------------------------------------------------------------------------------------------


@not_audited("reads only")
def calendar() -> Calendar:
    """The portal's business hours and holidays, as SLA clocks count them."""
    hours = service_hours()
    return Calendar(
        time_zone=hours.time_zone,
        working_days=frozenset(hours.working_days or [0, 1, 2, 3, 4]),
        opens=hours.opens,
        closes=hours.closes,
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
        calendar_hours=hours.calendar_hours,
    )


# While a request is in one of these, its resolution clock stops: waiting on the client, and resolved or closed
# (a reopened request's clock resumes where it stopped, so the days it sat resolved do not count against it).
CLOCK_STOPPED = frozenset({Status.WAITING_ON_CLIENT, Status.RESOLVED, Status.CLOSED})


@not_audited("reads only")
def waiting_periods(request: ClientRequest) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
    """When the request's resolution clock stood still (waiting on the client, or resolved before a reopen), from
    its history; the last period is open (None) while it still stands."""
    periods: list[tuple[datetime.datetime, datetime.datetime | None]] = []
    started: datetime.datetime | None = None
    for change in request.changes.order_by("at", "pk"):
        if change.to_status in CLOCK_STOPPED and started is None:
            started = change.at
        elif change.to_status not in CLOCK_STOPPED and started is not None:
            periods.append((started, change.at))
            started = None
    if started is not None:
        periods.append((started, None))
    return periods


def _hours(value: int | None) -> datetime.timedelta | None:
    return None if value is None else datetime.timedelta(hours=value)


def _resolution_due(request: ClientRequest, clock: Calendar) -> datetime.datetime | None:
    allowed = _hours(request.request_type.resolution_hours)
    if allowed is None or not request.is_open:
        return None
    return clock.add_with_pauses(request.created_at, allowed, waiting_periods(request))


# --- routing -----------------------------------------------------------------------------------------------------


def _answer_matches(answer: Any, value: str) -> bool:
    wanted = value.strip().casefold()
    if isinstance(answer, list):
        return any(str(item).strip().casefold() == wanted for item in answer)
    if isinstance(answer, bool):
        return wanted in (("yes", "true", "1") if answer else ("no", "false", "0", ""))
    return str(answer).strip().casefold() == wanted


@not_audited("reads only")
def rule_matches(
    rule: RoutingRule,
    request_type: RequestType,
    org: ClientOrg,
    answers: Mapping[str, Any],
    project: Project | None = None,
) -> bool:
    if rule.request_type_id is not None and rule.request_type_id != request_type.pk:
        return False
    if rule.client_org_id is not None and rule.client_org_id != org.pk:
        return False
    if rule.project_id is not None and rule.project_id != (project.pk if project is not None else None):
        return False
    return not rule.field_key or _answer_matches(answers.get(rule.field_key, ""), rule.value)


@not_audited("reads only")
def route(
    request_type: RequestType, org: ClientOrg, answers: Mapping[str, Any], project: Project | None = None
) -> User | None:
    """Who a new request goes to: the first routing rule that matches (in their order) and names an active
    member of staff, else the type's own rule (a chosen person, or the client's account manager)."""
    for rule in RoutingRule.objects.select_related("assignee", "assignee__staff").order_by("position", "pk"):
        if rule_matches(rule, request_type, org, answers, project) and is_active_staff(rule.assignee):
            return rule.assignee
    if request_type.assign_to == Assignment.PERSON:
        chosen = request_type.default_assignee
        return chosen if chosen is not None and is_active_staff(chosen) else None
    manager = org.account_manager
    return manager if is_active_staff(manager) else None


# --- submission --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    key: str
    upload: UploadedFile
    name: str
    inspection: Inspection
    scan_status: str


def _check_files(actor: Actor, org: ClientOrg, files: Mapping[str, UploadedFile]) -> list[CheckedFile]:
    """The checks every upload goes through (portal.files): a safe name, the size limit, the sniffed type against
    the allow-list, the virus scan (an infected file is quarantined) and the plan's quota. Before the request's
    transaction, so a quarantine record survives the refusal."""
    checked = []
    inspected = []
    for key, upload in files.items():
        name = safe_name(upload.name or "")
        if (upload.size or 0) > settings.REQUEST_FILE_MAX_BYTES:
            raise RequestError(
                _("%(name)s is larger than the %(limit)d MB a file may be.")
                % {"name": name, "limit": settings.REQUEST_FILE_MAX_BYTES // 1024**2},
                field=key,
            )
        try:
            inspected.append((key, upload, name, inspect(upload, name)))
        except FileRejected as error:
            raise RequestError(error.message, field=key) from None
    if inspected:
        incoming = sum(inspection.size for *_rest, inspection in inspected)
        _ensure_within_budget(actor, incoming, field=inspected[0][0])
        try:
            ensure_room(incoming)
        except QuotaExceeded as error:
            raise RequestError(error.message, field=inspected[0][0]) from None
    for key, upload, name, inspection in inspected:

        def quarantine(stored: str, outcome: ScanResult, name: str = name, inspection: Inspection = inspection) -> None:
            QuarantinedRequestFile.objects.create(
                file=stored, original_name=name, sha256=inspection.sha256, signature=outcome.signature[:200],
                uploaded_by=actor.user, client_org=org,
            )  # fmt: skip

        try:
            status = screen(upload, name=name, sha256=inspection.sha256, size=inspection.size, quarantine=quarantine)
        except FileRejected as error:
            raise RequestError(error.message, field=key) from None
        checked.append(CheckedFile(key, upload, name, inspection, status))
    return checked


def _ensure_within_budget(actor: Actor, incoming: int, *, field: str) -> None:
    """Refuse files that would take the person over `REQUEST_FILE_BYTES_PER_DAY` in 24 hours: the portal has one
    quota, and one person must not be able to fill it. Checked before the scan and again under the quota lock."""
    budget = settings.REQUEST_FILE_BYTES_PER_DAY
    since = timezone.now() - datetime.timedelta(hours=24)
    used = int(
        RequestFile.objects.filter(uploaded_by=actor.user, created_at__gte=since).aggregate(total=Sum("size"))["total"]
        or 0
    )
    if used + incoming > budget:
        raise RequestError(
            _(
                "You can attach up to %(budget)s of files to requests in 24 hours, and you have %(left)s left: try "
                "again later, or attach smaller files."
            )
            % {"budget": filesizeformat(budget), "left": filesizeformat(max(budget - used, 0))},
            field=field,
        )


@audited("request.submitted")
def request_submit(
    *,
    actor: Actor,
    org: ClientOrg,
    type_id: int,
    version_id: int,
    subject: str,
    answers: Mapping[str, Any],
    files: Mapping[str, UploadedFile] | None = None,
    project: Project | None = None,
) -> ClientRequest:
    """A contact with `requests.create` submits a request of a type their organisation may use, answered against
    the form version they were shown (the view validates every answer against it; a version replaced in between
    is refused, so nobody's answers are read against a form they did not see), about one of the organisation's
    current projects they may see, or none. Routed, due times set, files checked and stored; nothing is saved on
    error."""
    if actor.is_staff or not may(actor, "requests.create", org):
        raise NotFound
    request_type = type_for_client(actor, org, type_id)
    if request_type.current_version_id != version_id:
        raise RequestError(_("This form has just been changed: check your answers and send it again."))
    subject = subject.strip()
    if not subject:
        raise RequestError(_("Give the request a subject."), field="subject")
    if project is not None and not projects_to_link(actor, org).filter(pk=project.pk).exists():
        raise RequestError(_("Choose one of your organisation's current projects, or none."), field=PROJECT_FIELD)
    checked = _check_files(actor, org, files or {})
    written: list[str] = []
    try:
        return _submit(actor, org, request_type, subject, dict(answers), checked, written, project)
    except BaseException:
        for name in written:  # the rows rolled back; their files go too
            default_storage.delete(name)
        raise


@transaction.atomic
def _submit(
    actor: Actor,
    org: ClientOrg,
    request_type: RequestType,
    subject: str,
    answers: dict[str, Any],
    checked: list[CheckedFile],
    written: list[str],
    project: Project | None,
) -> ClientRequest:
    if checked:
        quota_lock()  # also serialises one person's submissions, so two cannot both squeeze under the budget
        incoming = sum(item.inspection.size for item in checked)
        _ensure_within_budget(actor, incoming, field=checked[0].key)
        try:
            ensure_room(incoming)
        except QuotaExceeded as error:
            raise RequestError(error.message, field=checked[0].key) from None
    for item in checked:
        answers[item.key] = item.name
    now = timezone.now()
    version = request_type.current_version
    if version is None:
        raise RequestError(_("This request type has no form yet."))
    clock = calendar()
    first_response = _hours(request_type.first_response_hours)
    request = ClientRequest.objects.create(
        subject=subject[:200], request_type=request_type, form_version=version,
        client_org=org, project=project, requester=actor.user, requester_label=actor.user.get_full_name()[:200],
        answers=answers, assignee=route(request_type, org, answers, project), created_at=now,
        first_response_due=clock.add(now, first_response) if first_response is not None else None,
    )  # fmt: skip
    StatusChange.objects.create(request=request, from_status="", to_status=Status.NEW, by=actor.user, at=now)
    request.resolution_due = _resolution_due(request, clock)
    request.save(update_fields=["resolution_due"])
    for item in checked:
        stored = RequestFile(
            request=request, field_key=item.key, original_name=item.name, size=item.inspection.size,
            sha256=item.inspection.sha256, content_type=item.inspection.content_type, scan_status=item.scan_status,
            uploaded_by=actor.user,
        )  # fmt: skip
        stored.file.save(item.name, item.upload, save=False)
        written.append(str(stored.file.name))
        stored.save()
    data = {"type": request_type.name, "assignee": request.assignee_id, "project": request.project_id}
    record(actor=actor, verb="request.submitted", target=request, data=data)
    return request


# --- status ------------------------------------------------------------------------------------------------------


def _apply(
    request: ClientRequest, actor: Actor, to_status: str, *, by_staff: bool, now: datetime.datetime, note: str = ""
) -> None:
    """Move the request, stamp what the move means for its SLA, and record it (once)."""
    from_status = request.status
    clock = calendar()
    if workflow.is_reopen(from_status, to_status):
        request.resolved_at = request.closed_at = request.resolution_seconds = None
        request.resolution_reminded = False
    request.status = to_status
    StatusChange.objects.create(
        request=request, from_status=from_status, to_status=to_status, by=actor.user, by_staff=by_staff, at=now,
        by_label=actor.label[:200] if actor.api_key is not None else "", note=note,
    )  # fmt: skip
    if by_staff:
        _first_response(request, clock, now)
    if to_status == Status.RESOLVED:
        request.resolved_at = now
        request.resolution_seconds = int(
            clock.between(request.created_at, now, paused=waiting_periods(request)).total_seconds()
        )
    if to_status == Status.CLOSED:
        request.closed_at = now
    due = _resolution_due(request, clock)
    if due != request.resolution_due:  # a new due time gets its own reminder
        request.resolution_reminded = False
    request.resolution_due = due
    request.save()
    record(
        actor=actor, verb="request.status_changed", target=request,
        data={"from": from_status, "to": to_status, "status": str(Status(to_status).label)},
    )  # fmt: skip


def _first_response(request: ClientRequest, clock: Calendar, now: datetime.datetime) -> None:
    if request.first_response_at is None:
        request.first_response_at = now
        request.first_response_seconds = int(clock.between(request.created_at, now).total_seconds())


def _refuse(request: ClientRequest, to_status: str) -> RequestError:
    names = dict(Status.choices)
    if to_status not in names:
        return RequestError(_("“%(status)s” is not a status a request can have.") % {"status": to_status})
    return RequestError(
        _("A request that is “%(from)s” cannot be moved to “%(to)s”.")
        % {"from": names[request.status], "to": names[to_status]},
        field="status",
    )


@transaction.atomic
@audited("request.status_changed")
def request_change_status(*, actor: Actor, request: ClientRequest, to_status: str, note: str = "") -> ClientRequest:
    """Make one move of the workflow: staff every move but reopening; the client (the requester, or a colleague who
    sees all the organisation's requests) closes a resolved request and reopens within the portal's window.
    `note` (staff and API keys: why, from the provider's own workflow) is kept with the change, for staff only."""
    from portal.requests.selectors import request_get_for

    locked = ClientRequest.objects.select_for_update().select_related("request_type").get(pk=request.pk)
    request_get_for(actor, locked.pk)  # NotFound for anyone who may not see it
    move = workflow.move(locked.status, to_status)
    if move is None:
        raise _refuse(locked, to_status)
    if not (move.by_staff if actor.is_staff else move.by_client):
        who = _("Staff") if actor.is_staff else _("Clients")
        raise RequestError(_("%(who)s cannot make this change.") % {"who": who}, field="status")
    now = timezone.now()
    if workflow.is_reopen(locked.status, to_status):
        window = datetime.timedelta(days=service_hours().reopen_days)
        if locked.resolved_at is None or now > locked.resolved_at + window:
            raise RequestError(_("This request can no longer be reopened: send a new request instead."), field="status")
    note = note.strip()
    if note and not actor.is_staff:
        raise RequestError(_("Only staff add a note to a status change."), field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise RequestError(_("A note has at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}, field="note")
    _apply(locked, actor, to_status, by_staff=actor.is_staff, now=now, note=note)
    return locked


@transaction.atomic
@audited("request.external_id_set")
def request_set_external_id(*, actor: Actor, request: ClientRequest, external_id: str | None) -> ClientRequest:
    """Staff or the provider's systems (the API) name the request by their own id, its ticket in their internal
    workflow (unique in the portal), or clear it. Audit-only: history, told to nobody."""
    from portal.requests.selectors import request_get_for

    if not actor.is_staff:
        raise NotFound
    locked = ClientRequest.objects.select_for_update().get(pk=request_get_for(actor, request.pk).pk)
    external_id = (external_id or "").strip() or None
    if external_id is not None and len(external_id) > EXTERNAL_ID_MAX_LENGTH:
        raise RequestError(
            _("An external id has at most %(n)d characters.") % {"n": EXTERNAL_ID_MAX_LENGTH}, field="external_id"
        )
    if locked.external_id == external_id:
        raise RequestError(_("The request already has this external id."), field="external_id")
    if external_id is not None and ClientRequest.objects.filter(external_id=external_id).exclude(pk=locked.pk).exists():
        raise RequestError(_("Another request already has this external id."), field="external_id")
    before = locked.external_id
    locked.external_id = external_id
    try:
        with transaction.atomic():
            locked.save(update_fields=["external_id", "updated_at"])
    except IntegrityError:  # given to another request in between
        raise RequestError(_("Another request already has this external id."), field="external_id") from None
    record(actor=actor, verb="request.external_id_set", target=locked, data={"from": before, "to": external_id})
    return locked


@not_audited("each change is made by request_change_status, which records it")
def requests_change_status(*, actor: Actor, requests: Iterable[ClientRequest], to_status: str) -> tuple[int, int]:
    """Staff's bulk change: each request moves on its own (one transaction each); those the workflow refuses are
    left as they are. Returns (changed, refused)."""
    if not actor.is_staff:
        raise NotFound
    changed = refused = 0
    for request in requests:
        try:
            request_change_status(actor=actor, request=request, to_status=to_status)
            changed += 1
        except RequestError:
            refused += 1
    return changed, refused


@transaction.atomic
@audited("request.assigned")
def request_assign(*, actor: Actor, request: ClientRequest, assignee: User | None) -> ClientRequest:
    """Staff (re)assign a request to an active member of staff, or to nobody. The new assignee is told."""
    from portal.requests.selectors import request_get_for

    if not actor.is_staff:
        raise NotFound
    locked = ClientRequest.objects.select_for_update().get(pk=request_get_for(actor, request.pk).pk)
    if assignee is not None and not is_active_staff(assignee):
        raise RequestError(_("Assign requests to an active member of staff."), field="assignee")
    if locked.assignee_id == (assignee.pk if assignee else None):
        raise RequestError(_("The request is already assigned to them."), field="assignee")
    locked.assignee = assignee
    locked.first_response_reminded = locked.resolution_reminded = False  # the new assignee is reminded in turn
    locked.save(update_fields=["assignee", "first_response_reminded", "resolution_reminded", "updated_at"])
    # Told to the new assignee only; unassigning is history, told to nobody.
    data = {"recipients": [assignee.pk] if assignee else [], "assignee": assignee.get_full_name() if assignee else ""}
    record(actor=actor, verb="request.assigned", target=locked, data=data)
    return locked


@transaction.atomic
@audited("request.project_changed")
def request_set_project(*, actor: Actor, request: ClientRequest, project: Project | None) -> ClientRequest:
    """Staff link a request to one of its client's projects, or to none. Audit-only: history, told to nobody."""
    from portal.requests.selectors import request_get_for

    if not actor.is_staff:
        raise NotFound
    locked = ClientRequest.objects.select_for_update().get(pk=request_get_for(actor, request.pk).pk)
    if project is not None and project.client_org_id != locked.client_org_id:
        raise RequestError(_("Choose one of the client's projects."), field="project")
    before = locked.project_id
    if before == (project.pk if project is not None else None):
        raise RequestError(_("The request is already linked to this project."), field="project")
    locked.project = project
    locked.save(update_fields=["project", "updated_at"])
    data = {"from": before, "to": project.pk if project else None, "project": project.name if project else ""}
    record(actor=actor, verb="request.project_changed", target=locked, data=data)
    return locked


@not_audited("the comment is recorded by comment_add; a move it causes is recorded as a status change")
def request_commented(actor: Actor, request: ClientRequest, comment: Any) -> None:
    """Called in the comment's transaction (`conversations.registry.enable`): a comment by staff the client can
    read is the first response; a client's comment on a request waiting on them puts it back in progress."""
    now = timezone.now()
    locked = ClientRequest.objects.select_for_update().select_related("request_type").get(pk=request.pk)
    if actor.is_staff:
        if not comment.internal and locked.first_response_at is None:
            _first_response(locked, calendar(), now)
            locked.save(update_fields=["first_response_at", "first_response_seconds", "updated_at"])
    elif locked.status == Status.WAITING_ON_CLIENT:
        _apply(locked, actor, Status.IN_PROGRESS, by_staff=False, now=now)


# --- ratings -----------------------------------------------------------------------------------------------------


@transaction.atomic
@audited("request.rated")
def request_rate(*, actor: Actor, request: ClientRequest, score: int, comment: str = "") -> Rating:
    """The requester rates their resolved request, once (in the portal, or through the signed link of the
    resolution e-mail, which acts as them)."""
    from portal.requests.selectors import request_get_for

    found = request_get_for(actor, request.pk)
    if actor.is_staff or found.requester_id != actor.user.pk:
        raise NotFound
    if found.status not in (Status.RESOLVED, Status.CLOSED):
        raise RequestError(_("A request can be rated once it is resolved."), field="score")
    if score not in range(1, 6):
        raise RequestError(_("Choose a rating from 1 to 5."), field="score")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                request=found, score=score, comment=comment.strip()[:2000], rated_by=actor.user
            )
    except IntegrityError:
        raise RequestError(_("This request has already been rated. Thank you!"), field="score") from None
    record(actor=actor, verb="request.rated", target=found, data={"score": score, "excerpt": rating.comment[:200]})
    return rating


# --- Celery beat -------------------------------------------------------------------------------------------------


@not_audited("each reminder is recorded as a request.due_soon event")
def remind_due(now: datetime.datetime | None = None) -> int:
    """Tell each assignee, once per due time, of an open request whose first response or resolution is due within
    the portal's reminder window and not yet missed."""
    from portal.access.policy import SYSTEM

    now = now or timezone.now()
    window = datetime.timedelta(hours=service_hours().remind_before_hours)
    sent = 0
    candidates = ClientRequest.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=False)
    for request in candidates.select_related("assignee"):
        due = []
        response_due = None if request.first_response_at else request.first_response_due
        if not request.first_response_reminded and response_due and now <= response_due <= now + window:
            due.append(("first_response", response_due))
        if not request.resolution_reminded and request.resolution_due and now <= request.resolution_due <= now + window:
            due.append(("resolution", request.resolution_due))
        if not due:
            continue
        with transaction.atomic():
            for kind, when in due:
                setattr(request, f"{kind}_reminded", True)
                data = {"recipients": [request.assignee_id], "due": kind, "due_at": when.isoformat()}
                record(actor=SYSTEM, verb="request.due_soon", target=request, data=data)
                sent += 1
            request.save(update_fields=["first_response_reminded", "resolution_reminded"])
    return sent


@not_audited("each closure is recorded as a status change by the system")
def close_resolved(now: datetime.datetime | None = None) -> int:
    """Close the requests resolved longer ago than the reopen window."""
    from portal.access.policy import SYSTEM

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=service_hours().reopen_days)
    closed = 0
    for request in ClientRequest.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).select_related(
        "request_type"
    ):
        with transaction.atomic():
            _apply(request, SYSTEM, Status.CLOSED, by_staff=False, now=now)
        closed += 1
    return closed


# --- types and their forms ---------------------------------------------------------------------------------------


@not_audited("checks only: request_type_save records the change")
def clean_definition(
    fields: Sequence[Mapping[str, Any]], *, previous: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """The form's fields as stored: a label each, a known kind, choices for choice fields (none for others),
    stable keys (a field that had one keeps it; a new one gets one from its label)."""
    kinds = set(FieldKind.values)
    taken = {str(field["key"]) for field in previous}
    cleaned: list[dict[str, Any]] = []
    used: set[str] = set()
    for position, field in enumerate(fields, start=1):
        label = str(field.get("label", "")).strip()
        kind = str(field.get("kind", ""))
        if not label:
            raise RequestError(_("Field %(n)d needs a label.") % {"n": position}, field="fields")
        if kind not in kinds:
            raise RequestError(_("Field “%(label)s” has no valid type.") % {"label": label}, field="fields")
        choices = [str(choice).strip() for choice in field.get("choices", []) if str(choice).strip()]
        if kind in CHOICE_KINDS and not choices:
            raise RequestError(_("Field “%(label)s” needs at least one choice.") % {"label": label}, field="fields")
        if len(set(choices)) != len(choices):
            raise RequestError(_("Field “%(label)s” lists a choice twice.") % {"label": label}, field="fields")
        key = str(field.get("key") or "")
        if not key or key in used or not KEY_PATTERN.match(key):
            key = new_key(label, taken | used)
        used.add(key)
        cleaned.append({
            "key": key, "label": label[:120], "kind": kind, "required": bool(field.get("required")),
            "help": str(field.get("help", "")).strip()[:300], "choices": choices if kind in CHOICE_KINDS else [],
        })  # fmt: skip
    return cleaned


@transaction.atomic
@audited("request_type.saved")
def request_type_save(
    *,
    actor: Actor,
    request_type: RequestType | None,
    name: str,
    description: str,
    all_clients: bool,
    client_orgs: Sequence[ClientOrg],
    assign_to: str,
    default_assignee: User | None,
    first_response_hours: int | None,
    resolution_hours: int | None,
    fields: Sequence[Mapping[str, Any]],
) -> RequestType:
    """Create or change a type. A change to its form makes a new version (requests keep theirs)."""
    if not actor.manages_portal:
        raise NotFound
    name = name.strip()
    if not name:
        raise RequestError(_("Give the type a name."), field="name")
    same_name = RequestType.objects.filter(name__iexact=name)
    if request_type is not None:
        same_name = same_name.exclude(pk=request_type.pk)
    if same_name.exists():
        raise RequestError(_("Another request type has this name."), field="name")
    if assign_to == Assignment.PERSON and not is_active_staff(default_assignee):
        raise RequestError(_("Choose the member of staff new requests go to."), field="default_assignee")
    if not all_clients and not client_orgs:
        raise RequestError(_("Choose the clients who may use it, or let every client use it."), field="client_orgs")
    previous = request_type.current_version.fields if request_type and request_type.current_version else []
    definition = clean_definition(fields, previous=previous)
    if not definition:
        raise RequestError(_("Add at least one field to the form."), field="fields")
    created = request_type is None
    request_type = request_type or RequestType()
    request_type.name, request_type.description = name[:120], description.strip()
    request_type.all_clients, request_type.assign_to = all_clients, assign_to
    request_type.default_assignee = default_assignee if assign_to == Assignment.PERSON else None
    request_type.first_response_hours, request_type.resolution_hours = first_response_hours, resolution_hours
    request_type.save()
    request_type.client_orgs.set([] if all_clients else client_orgs)
    if request_type.current_version is None or request_type.current_version.fields != definition:
        number = (request_type.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = FormVersion.objects.create(
            request_type=request_type, number=number, fields=definition, created_by=actor.user
        )
        request_type.current_version = version
        request_type.save(update_fields=["current_version"])
    record(
        actor=actor, verb="request_type.saved", target=request_type,
        data={"created": created, "version": request_type.current_version.number},
    )  # fmt: skip
    return request_type


@transaction.atomic
@audited("request_type.saved")
def request_type_archive(*, actor: Actor, request_type: RequestType, archived: bool) -> RequestType:
    """Withdraw a type from new requests (its requests stay), or offer it again."""
    if not actor.manages_portal:
        raise NotFound
    request_type.archived_at = timezone.now() if archived else None
    request_type.save(update_fields=["archived_at"])
    record(actor=actor, verb="request_type.saved", target=request_type, data={"archived": archived})
    return request_type


# --- routing rules, hours and holidays ---------------------------------------------------------------------------


def _settings_changed(actor: Actor, what: str, **data: Any) -> None:
    record(actor=actor, verb="requests.settings_changed", target=service_hours(), data={"what": what, **data})


@transaction.atomic
@audited("requests.settings_changed")
def routing_rule_save(
    *,
    actor: Actor,
    rule: RoutingRule | None,
    request_type: RequestType | None,
    client_org: ClientOrg | None,
    field_key: str,
    value: str,
    assignee: User,
    project: Project | None = None,
) -> RoutingRule:
    """Add or change a rule: each condition (type, client, project, one answer) is optional; a project must be
    one of the chosen client's."""
    if not actor.manages_portal:
        raise NotFound
    if not is_active_staff(assignee):
        raise RequestError(_("Route requests to an active member of staff."), field="assignee")
    if project is not None and client_org is not None and project.client_org_id != client_org.pk:
        raise RequestError(_("Choose a project of the chosen client, or any client."), field="project")
    if field_key and request_type is not None:
        keys = {field["key"] for field in (request_type.current_version.fields if request_type.current_version else [])}
        if field_key not in keys:
            raise RequestError(_("The chosen type's form has no such field."), field="field_key")
    if bool(field_key) != bool(value.strip()):
        raise RequestError(_("Name both the field and the answer, or neither."), field="value")
    if rule is None:
        top = RoutingRule.objects.aggregate(top=Max("position"))["top"]
        rule = RoutingRule(position=(top or 0) + 1)
    rule.request_type, rule.client_org, rule.project, rule.assignee = request_type, client_org, project, assignee
    rule.field_key, rule.value = field_key, value.strip()[:200]
    rule.save()
    _settings_changed(actor, "routing", rule=rule.pk)
    return rule


@transaction.atomic
@audited("requests.settings_changed")
def routing_rule_delete(*, actor: Actor, rule: RoutingRule) -> None:
    if not actor.manages_portal:
        raise NotFound
    _settings_changed(actor, "routing", deleted=rule.pk)
    rule.delete()


@transaction.atomic
@audited("requests.settings_changed")
def routing_rule_move(*, actor: Actor, rule: RoutingRule, up: bool) -> None:
    """Swap a rule with the one before (or after) it: rules are tried in order."""
    if not actor.manages_portal:
        raise NotFound
    rules = list(RoutingRule.objects.select_for_update().order_by("position", "pk"))
    index = next(i for i, candidate in enumerate(rules) if candidate.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, candidate in enumerate(rules, start=1):
        if candidate.position != position:
            candidate.position = position
            candidate.save(update_fields=["position"])
    _settings_changed(actor, "routing", moved=rule.pk)


@transaction.atomic
@audited("requests.settings_changed")
def service_hours_save(*, actor: Actor, values: Mapping[str, Any]) -> ServiceHours:
    """The portal's business hours, reopen window and reminder lead time. Due times already set stay as they are."""
    if not actor.manages_portal:
        raise NotFound
    hours = service_hours()
    for name in ("time_zone", "working_days", "opens", "closes", "calendar_hours", "country", "reopen_days",
                 "remind_before_hours"):  # fmt: skip
        setattr(hours, name, values[name])
    try:
        Calendar(hours.time_zone, frozenset(hours.working_days), hours.opens, hours.closes)
    except ValueError as error:
        raise RequestError(str(error)) from None
    hours.save()
    _settings_changed(actor, "hours")
    return hours


@transaction.atomic
@audited("requests.settings_changed")
def holiday_add(*, actor: Actor, date: datetime.date, name: str) -> Holiday:
    if not actor.manages_portal:
        raise NotFound
    if Holiday.objects.filter(date=date).exists():
        raise RequestError(_("That day is already a holiday."), field="date")
    holiday = Holiday.objects.create(date=date, name=name.strip()[:120] or _("Holiday"))
    _settings_changed(actor, "holidays", added=date.isoformat())
    return holiday


@transaction.atomic
@audited("requests.settings_changed")
def holiday_delete(*, actor: Actor, holiday: Holiday) -> None:
    if not actor.manages_portal:
        raise NotFound
    _settings_changed(actor, "holidays", deleted=holiday.date.isoformat())
    holiday.delete()


@transaction.atomic
@audited("requests.settings_changed")
def holidays_import(*, actor: Actor, country: str, year: int) -> int:
    """Add a country's public holidays of a year (from the holidays library); days already listed stay."""
    if not actor.manages_portal:
        raise NotFound
    try:
        found = holidays_for(country, [year])
    except ValueError as error:
        raise RequestError(str(error), field="country") from None
    existing = set(Holiday.objects.filter(date__year=year).values_list("date", flat=True))
    added = [Holiday(date=day, name=name[:120]) for day, name in found if day not in existing]
    Holiday.objects.bulk_create(added)
    _settings_changed(actor, "holidays", imported=f"{country} {year}", count=len(added))
    return len(added)
