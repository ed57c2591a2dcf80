"""Writing engagements: projects and their plan (phases, one current; milestones), the time staff log, and
deliverables (versions, submission, the client's decisions). Planning and delivering are for staff of the clients
they reach; deciding for the client's contacts who may approve. Each write records its event in the same
transaction."""

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, no_control_characters
from core.audit import audited, not_audited
from core.errors import DomainError
from portal.access.policy import SYSTEM, Actor, NotFound, is_active_staff, may, people_who_may_see
from portal.access.visibility import visibility_of
from portal.activity.services import record
from portal.clients.models import ClientOrg
from portal.engagements.models import (
    Decision,
    Deliverable,
    DeliverableState,
    DeliverableVersion,
    EngagementSettings,
    Milestone,
    Outcome,
    Phase,
    Project,
    ProjectStatus,
    TimeEntry,
)
from portal.files.inspection import FileRejected, Inspection, inspect, safe_name
from portal.files.quota import QuotaExceeded, ensure_room, quota_lock
from portal.files.scanning import ScanResult, screen

logger = logging.getLogger(__name__)


class EngagementError(DomainError):
    """A project, phase, milestone or time entry refused."""


def _staff_of(actor: Actor, org: ClientOrg) -> None:
    if not actor.is_staff or not may(actor, "projects.view", org):
        raise NotFound


@transaction.atomic
@audited("project.created", "project.changed")
def project_save(
    *,
    actor: Actor,
    project: Project | None,
    org: ClientOrg,
    name: str,
    description: str = "",
    status: str = ProjectStatus.ACTIVE,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    budget_hours: Decimal | None = None,
    external_id: str | None = None,
) -> Project:
    """Create a project for a client the actor reaches, or change one (it stays with its client); `external_id`
    (the provider's own id, from the API) is set when given."""
    _staff_of(actor, org)
    if project is not None and project.client_org_id != org.pk:
        raise EngagementError(_("A project stays with its client."), field="client")
    if project is None and org.archived_at is not None:
        raise EngagementError(_("This client is archived: restore it before adding projects."), field="client")
    name = name.strip()
    if not name:
        raise EngagementError(_("Give the project a name."), field="name")
    same = Project.objects.filter(client_org=org, name__iexact=name)
    if project is not None:
        same = same.exclude(pk=project.pk)
    if same.exists():
        raise EngagementError(_("This client already has a project with this name."), field="name")
    if start_date and end_date and end_date < start_date:
        raise EngagementError(_("The target end is before the start."), field="end_date")
    if budget_hours is not None and budget_hours <= 0:
        raise EngagementError(_("A budget is more than 0 hours; leave it empty for none."), field="budget_hours")
    if status not in ProjectStatus.values:
        raise EngagementError(_("Choose a status from the list."), field="status")
    if external_id is not None:
        if not external_id.strip() or len(external_id) > 100:
            raise EngagementError(_("An external id has 1 to 100 characters."), field="external_id")
        taken = Project.objects.filter(external_id=external_id)
        if (taken.exclude(pk=project.pk) if project is not None else taken).exists():
            raise EngagementError(_("Another project already has this external id."), field="external_id")
    created = project is None
    project = project or Project(client_org=org)
    project.name, project.description, project.status = name[:150], description.strip(), status
    project.start_date, project.end_date, project.budget_hours = start_date, end_date, budget_hours
    if external_id is not None:
        project.external_id = external_id
    project.save()
    record(actor=actor, verb="project.created" if created else "project.changed", target=project)
    return project


@transaction.atomic
@audited("project.changed")
def phase_add(*, actor: Actor, project: Project, name: str) -> Phase:
    """Add a phase at the end of the project's plan."""
    _staff_of(actor, project.client_org)
    name = name.strip()
    if not name:
        raise EngagementError(_("Give the phase a name."), field="name")
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one position each, however many add at once
    position = (project.phases.aggregate(top=Max("position"))["top"] or 0) + 1
    phase = Phase.objects.create(project=project, name=name[:120], position=position)
    project.save(update_fields=["updated_at"])  # its plan is part of it: a sync by `updated_since` sees the change
    record(actor=actor, verb="project.changed", target=project, data={"phase_added": phase.name})
    return phase


@transaction.atomic
@audited("project.phase_started")
def phase_start(*, actor: Actor, phase: Phase) -> Project:
    """Make `phase` the project's current one; the client is told."""
    project = phase.project
    _staff_of(actor, project.client_org)
    if project.current_phase_id == phase.pk:
        raise EngagementError(_("This is already the current phase."), field="phase")
    project.current_phase = phase
    project.save(update_fields=["current_phase", "updated_at"])
    record(actor=actor, verb="project.phase_started", target=project, data={"phase": phase.name})
    return project


@transaction.atomic
@audited("project.changed")
def milestone_add(*, actor: Actor, project: Project, title: str, due_date: datetime.date) -> Milestone:
    _staff_of(actor, project.client_org)
    title = title.strip()
    if not title:
        raise EngagementError(_("Give the milestone a title."), field="title")
    milestone = Milestone.objects.create(project=project, title=title[:200], due_date=due_date)
    project.save(update_fields=["updated_at"])
    data = {"milestone_added": milestone.title, "due": due_date.isoformat()}
    record(actor=actor, verb="project.changed", target=project, data=data)
    return milestone


@transaction.atomic
@audited("project.milestone_reached")
def milestone_complete(*, actor: Actor, milestone: Milestone) -> Milestone:
    """Mark a milestone reached; the client is told."""
    project = milestone.project
    _staff_of(actor, project.client_org)
    if milestone.completed_at is not None:
        raise EngagementError(_("This milestone is already reached."), field="milestone")
    milestone.completed_at = timezone.now()
    milestone.save(update_fields=["completed_at"])
    project.save(update_fields=["updated_at"])
    data = {"milestone": milestone.title, "excerpt": milestone.title}
    record(actor=actor, verb="project.milestone_reached", target=project, data=data)
    return milestone


@dataclass(frozen=True)
class Entry:
    """Time to log: by a member of staff (`person`), or, from the provider's systems, by someone named only by
    `person_label` (a contractor without an account); `external_id` is the provider's own id for the entry."""

    person: User | None
    date: datetime.date
    hours: Decimal
    description: str = ""
    person_label: str = ""
    external_id: str | None = None


TIME_ENTRY_FIELDS = ["person", "person_label", "date", "hours", "description"]


class EntryRefused(EngagementError):
    """One entry of several refused: `index` names it (from 0, in the order given); `field` is the entry's."""

    def __init__(self, message: str, *, field: str, index: int) -> None:
        super().__init__(message, field=field)
        self.index = index


def _entry_label(entry: Entry, index: int) -> str:
    """Who the entry names, as shown: the member of staff's name, or the label given for someone else."""
    if entry.person is not None:
        if not is_active_staff(entry.person):
            raise EntryRefused(_("Time is logged for an active member of staff."), field="person", index=index)
        return str(entry.person.get_full_name())[:200]
    label = entry.person_label.strip()
    if not label:
        raise EntryRefused(_("Name who did the work."), field="person", index=index)
    try:
        no_control_characters(label)
    except ValidationError as error:
        raise EntryRefused(error.messages[0], field="person_label", index=index) from None
    return label


@transaction.atomic
@audited("time.logged")
def time_entries_add(*, actor: Actor, project: Project, entries: Sequence[Entry]) -> list[TimeEntry]:
    """Log time on a project, several entries at once (all or none): each by an active member of staff (or someone
    named by a label), a day not in the future, more than 0 and at most 24 hours. An entry whose `external_id` is
    already logged on this project changes that entry instead of adding one (a sync sent twice logs nothing
    twice); an external id of another project's entry, or given twice, is refused. A refusal is an `EntryRefused`
    naming the entry. Holds the project's row lock, so two syncs of the same project take turns."""
    _staff_of(actor, project.client_org)
    if not entries:
        raise EngagementError(_("Add at least one entry."), field="hours")
    Project.objects.select_for_update().filter(pk=project.pk).first()
    given = [entry.external_id for entry in entries if entry.external_id is not None]
    known = (
        {found.external_id: found for found in TimeEntry.objects.select_related("person").filter(external_id__in=given)}
        if given
        else {}
    )
    today = timezone.localdate()
    now = timezone.now()
    rows: list[TimeEntry] = []  # in the order given
    added: list[TimeEntry] = []
    changed: list[TimeEntry] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = _entry_label(entry, index)
        if entry.date > today:
            raise EntryRefused(_("Time cannot be logged for a day still to come."), field="date", index=index)
        if not Decimal("0") < entry.hours <= Decimal("24"):
            raise EntryRefused(_("Log more than 0 and at most 24 hours a day."), field="hours", index=index)
        row = known.get(entry.external_id or "")
        if entry.external_id is not None:
            if not entry.external_id.strip() or len(entry.external_id) > 100:
                raise EntryRefused(_("An external id has 1 to 100 characters."), field="external_id", index=index)
            if entry.external_id in seen:
                raise EntryRefused(_("This external id is given twice."), field="external_id", index=index)
            seen.add(entry.external_id)
            if row is not None and row.project_id != project.pk:
                raise EntryRefused(
                    _("This external id names a time entry of another project."), field="external_id", index=index
                )
        values = (entry.person, label, entry.date, entry.hours, entry.description.strip()[:300])
        if row is None:
            row = TimeEntry(project=project, external_id=entry.external_id)
            added.append(row)
        elif (row.person, row.person_label, row.date, row.hours, row.description) != values:
            changed.append(row)  # the same values again (a retried sync): left as it is, its updated_at too
        row.person, row.person_label, row.date, row.hours, row.description = values
        rows.append(row)
    if changed:
        for row in changed:
            row.updated_at = now  # bulk_update does not apply auto_now
        TimeEntry.objects.bulk_update(changed, [*TIME_ENTRY_FIELDS, "updated_at"])
    if added:
        try:
            with transaction.atomic():  # a savepoint: another project's sync took one of these ids meanwhile
                TimeEntry.objects.bulk_create(added)  # sets each row's pk
        except IntegrityError:
            message = _("Another time entry took this external id meanwhile: send the entries again.")
            raise EngagementError(message, field="external_id") from None
    total = sum((entry.hours for entry in entries), Decimal(0))
    data: dict[str, Any] = {"entries": len(entries), "hours": str(total)}
    if len(added) < len(entries):  # a sync: some entries were already there
        data |= {"updated": len(changed), "unchanged": len(entries) - len(added) - len(changed)}
    record(actor=actor, verb="time.logged", target=project, data=data)
    return rows


# --- deliverables --------------------------------------------------------------------------------------------------
#
#   draft → submitted → approved
#                     → changes_requested → (a new version) → submitted → …
#
# Staff create deliverables, add versions and submit; only contacts whose role holds `deliverables.approve` decide,
# on the exact version submitted. A decision is final for that version (an immutable `Decision`).


@transaction.atomic
@audited("project.changed")
def deliverable_add(
    *, actor: Actor, project: Project, title: str, description: str = "", due_date: datetime.date | None = None
) -> Deliverable:
    """A new deliverable, in draft (staff only until it is submitted)."""
    _staff_of(actor, project.client_org)
    title = title.strip()
    if not title:
        raise EngagementError(_("Give the deliverable a title."), field="title")
    deliverable = Deliverable.objects.create(
        project=project, title=title[:200], description=description.strip(), due_date=due_date
    )
    record(actor=actor, verb="project.changed", target=project, data={"deliverable_added": deliverable.title})
    return deliverable


@audited("project.changed")
def deliverable_version_add(*, actor: Actor, deliverable: Deliverable, upload: UploadedFile) -> DeliverableVersion:
    """A new version (a file, checked as every upload is: name, size, sniffed type, virus scan, the quota), while
    the deliverable is a draft or has changes requested."""
    _staff_of(actor, deliverable.project.client_org)
    if deliverable.state not in (DeliverableState.DRAFT, DeliverableState.CHANGES_REQUESTED):
        raise EngagementError(_("A new version is added to a draft, or after changes were requested."), field="file")
    name = safe_name(upload.name or "")
    if (upload.size or 0) > settings.DOCUMENT_MAX_BYTES:
        raise EngagementError(
            _("%(name)s is larger than the %(limit)d MB a file may be.")
            % {"name": name, "limit": settings.DOCUMENT_MAX_BYTES // 1024**2},
            field="file",
        )
    try:
        inspection = inspect(upload, name)
        ensure_room(inspection.size)
        scan_status = screen(
            upload, name=name, sha256=inspection.sha256, size=inspection.size, quarantine=_quarantine(actor, name)
        )
    except (FileRejected, QuotaExceeded) as error:
        raise EngagementError(error.message, field="file") from None
    written: list[str] = []
    try:
        return _version_write(actor, deliverable, upload, name, inspection, scan_status, written)
    except BaseException:
        for stored in written:
            default_storage.delete(stored)
        raise


def _quarantine(actor: Actor, name: str) -> Any:
    """An infected deliverable file stays where the scan put it (the schema's quarantine folder), logged for review;
    only staff upload deliverables, so no per-person record is needed to stop anyone filling the quota with them."""

    def keep(stored: str, outcome: ScanResult) -> None:
        logger.warning("deliverable file %s (%s) refused by the scan: %s, by %s", name, stored, outcome.signature,
                       actor.label)  # fmt: skip

    return keep


@transaction.atomic
def _version_write(
    actor: Actor,
    deliverable: Deliverable,
    upload: UploadedFile,
    name: str,
    inspection: Inspection,
    scan_status: str,
    written: list[str],
) -> DeliverableVersion:
    quota_lock()
    try:
        ensure_room(inspection.size)
    except QuotaExceeded as error:
        raise EngagementError(error.message, field="file") from None
    locked = Deliverable.objects.select_for_update().filter(pk=deliverable.pk).first()
    if locked is None or locked.state not in (DeliverableState.DRAFT, DeliverableState.CHANGES_REQUESTED):
        # the caller's copy may be stale: submitted (or decided) meanwhile
        raise EngagementError(_("A new version is added to a draft, or after changes were requested."), field="file")
    number = (deliverable.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = DeliverableVersion(
        deliverable=deliverable, number=number, original_name=name, size=inspection.size, sha256=inspection.sha256,
        content_type=inspection.content_type, scan_status=scan_status, uploaded_by=actor.user,
    )  # fmt: skip
    version.file.save(name, upload, save=False)
    written.append(str(version.file.name))
    version.save()
    locked.save(update_fields=["updated_at"])  # a new version changes the deliverable as a sync reads it
    data = {"deliverable": deliverable.title, "version": number}
    record(actor=actor, verb="project.changed", target=deliverable.project, data=data)
    return version


@transaction.atomic
@audited("deliverable.submitted")
def deliverable_submit(*, actor: Actor, deliverable: Deliverable) -> Deliverable:
    """Submit the latest version for a decision: from a draft, or after changes were requested (with a version
    newer than the one decided on)."""
    _staff_of(actor, deliverable.project.client_org)
    locked = Deliverable.objects.select_for_update().select_related("project").get(pk=deliverable.pk)
    latest = locked.versions.order_by("-number").first()
    if locked.state not in (DeliverableState.DRAFT, DeliverableState.CHANGES_REQUESTED):
        raise EngagementError(
            _("A deliverable that is “%(state)s” cannot be submitted.") % {"state": locked.get_state_display()},
            field="state",
        )
    if latest is None:
        raise EngagementError(_("Add a version before submitting."), field="file")
    decided = locked.decisions.order_by("-pk").first()
    if decided is not None and decided.version_id == latest.pk:
        raise EngagementError(_("Add a new version with the changes before submitting again."), field="file")
    locked.state = DeliverableState.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.reminded_at = None  # a new submission: its own reminder clock
    locked.save(update_fields=["state", "submitted_at", "reminded_at", "updated_at"])
    data = {"version": latest.number, "sha256": latest.sha256, "resubmitted": decided is not None}
    record(actor=actor, verb="deliverable.submitted", target=locked, data=data)
    return locked


@transaction.atomic
@audited("deliverable.approved", "deliverable.changes_requested")
def deliverable_decide(
    *, actor: Actor, deliverable: Deliverable, version_id: int, outcome: str, comment: str = ""
) -> Decision:
    """A contact whose role may approve decides on the submitted version (named by id: a decision on a version
    other than the one waiting is refused, so nobody approves what they did not see)."""
    from portal.engagements.selectors import deliverable_get_for, may_decide

    locked = (
        Deliverable.objects.select_for_update()
        .select_related("project", "project__client_org")
        .get(pk=deliverable_get_for(actor, deliverable.pk).pk)
    )
    if not may_decide(actor, locked):
        raise NotFound
    if outcome not in Outcome.values:
        raise EngagementError(_("Approve it or request changes."), field="outcome")
    if locked.state != DeliverableState.SUBMITTED:
        raise EngagementError(
            _("A deliverable that is “%(state)s” is not waiting for a decision.")
            % {"state": locked.get_state_display()},
            field="outcome",
        )
    latest = locked.versions.order_by("-number").first()
    if latest is None or latest.pk != version_id:
        raise EngagementError(
            _("A newer version was submitted meanwhile: look at it before deciding."), field="outcome"
        )
    if outcome == Outcome.CHANGES_REQUESTED and not comment.strip():
        raise EngagementError(_("Say what should change."), field="comment")
    decision = Decision.objects.create(
        deliverable=locked, version=latest, sha256=latest.sha256, outcome=outcome, comment=comment.strip()[:5000],
        decided_by_id=actor.user.pk, decided_by_label=actor.user.get_full_name()[:200],
        submitted_at=locked.submitted_at,
    )  # fmt: skip
    locked.state = outcome
    locked.save(update_fields=["state", "updated_at"])
    verb = "deliverable.approved" if outcome == Outcome.APPROVED else "deliverable.changes_requested"
    data = {"version": latest.number, "sha256": latest.sha256, "excerpt": decision.comment[:200]}
    record(actor=actor, verb=verb, target=locked, data=data)
    return decision


# --- reminders of decisions waiting, and their setting -------------------------------------------------------------


@not_audited("reads the settings; makes the row with its defaults the first time")
def engagement_settings() -> EngagementSettings:
    """The portal's engagement settings (one row, made with the defaults the first time)."""
    found, _created = EngagementSettings.objects.get_or_create(pk=1)
    return found


@transaction.atomic
@audited("engagements.settings_changed")
def engagement_settings_save(*, actor: Actor, decision_reminder_days: int) -> EngagementSettings:
    """Owners and admins set after how many days a decision waiting is reminded (0: never)."""
    if not actor.manages_portal:
        raise NotFound
    if not 0 <= decision_reminder_days <= 30:
        raise EngagementError(_("Choose from 0 to 30 days."), field="decision_reminder_days")
    found = engagement_settings()
    before = found.decision_reminder_days
    found.decision_reminder_days = decision_reminder_days
    found.save(update_fields=["decision_reminder_days"])
    data = {"decision_reminder_days": [before, decision_reminder_days]}
    record(actor=actor, verb="engagements.settings_changed", target=found, data=data)
    return found


@not_audited("each reminder is recorded as a deliverable.decision_waiting event")
def remind_waiting_decisions(now: datetime.datetime | None = None) -> int:
    """Remind those who may decide of each submitted deliverable waiting longer than the portal's delay, once per
    delay: again only when the delay has passed since the last reminder, from scratch after a new submission.
    Returns how many were reminded (none when the delay is 0).

    Each deliverable is reminded in its own transaction, under its row lock taken with SKIP LOCKED and with the
    conditions read again under it, so two sweeps at once (or a decision being made) never remind twice."""
    now = now or timezone.now()
    days = engagement_settings().decision_reminder_days
    if days == 0:
        return 0
    cutoff = now - datetime.timedelta(days=days)
    due = Deliverable.objects.filter(
        state=DeliverableState.SUBMITTED, submitted_at__lte=cutoff,
        project__client_org__archived_at__isnull=True,  # nobody of an archived client may decide
    ).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff))  # fmt: skip
    reminded = 0
    for pk in list(due.order_by("submitted_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            found = due.select_for_update(skip_locked=True, of=("self",)).select_related("project").filter(pk=pk)
            deliverable = found.first()
            if deliverable is None:  # decided, submitted again or being reminded meanwhile
                continue
            approvers = people_who_may_see(visibility_of(deliverable), capability="deliverables.approve")
            recipients = sorted(approvers.filter(contact__isnull=False).values_list("pk", flat=True))
            if not recipients:  # nobody may decide yet: tried again at the next sweep
                continue
            deliverable.reminded_at = now
            deliverable.save(update_fields=["reminded_at"])
            submitted = deliverable.submitted_at.isoformat() if deliverable.submitted_at else None
            data = {"recipients": recipients, "submitted_at": submitted, "days": days}
            record(actor=SYSTEM, verb="deliverable.decision_waiting", target=deliverable, data=data)
            reminded += 1
    return reminded
