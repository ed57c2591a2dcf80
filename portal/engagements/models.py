"""Engagements: a client organisation's projects, their ordered phases (one current), milestones with due dates,
the time staff spend on them against the project's budget in hours, and deliverables with their versions and the
client's immutable decisions."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")


class Project(models.Model):
    client_org = models.ForeignKey("clients.ClientOrg", on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("target end"), null=True, blank=True)
    budget_hours = models.DecimalField(
        _("budget (hours)"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    current_phase = models.ForeignKey("Phase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client_org__name", "name"]
        constraints = [models.UniqueConstraint(fields=["client_org", "name"], name="unique_project_name_per_client")]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["project", "position"]
        constraints = [models.UniqueConstraint(fields=["project", "position"], name="one_phase_per_position")]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due"))
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def overdue(self, today: datetime.date | None = None) -> bool:
        return self.completed_at is None and self.due_date < (today or timezone.localdate())


class TimeEntry(models.Model):
    """Time spent on a project: by a member of staff (`person`), or by someone the provider's systems name only by
    `person_label`; entered by staff or synced through the API (`external_id`: the provider's own id)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="time_entries")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_entries"
    )
    person_label = models.CharField(max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    description = models.CharField(_("what was done"), max_length=300, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the API's cursor and `updated_since`

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="time_entry_hours_positive")]

    def __str__(self) -> str:
        return f"{self.person_label} {self.hours} h on {self.date}"


class DeliverableState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class Deliverable(models.Model):
    """Something delivered to the client for approval: its versions are files; a submitted version is decided on
    by a contact whose role may approve, and every decision is kept as it was made (`Decision`)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="deliverables")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    state = models.CharField(max_length=20, choices=DeliverableState.choices, default=DeliverableState.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the approvers were last reminded of the submission waiting (null: not yet; a new submission clears it).
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class EngagementSettings(models.Model):
    """The portal's engagement settings (one row, `services.engagement_settings()`)."""

    decision_reminder_days = models.PositiveSmallIntegerField(
        _("remind the client after (days)"), default=2, validators=[MaxValueValidator(30)],
        help_text=_(
            "A deliverable waiting this many days for a decision is brought to the attention of those who may decide, "
            "and again after as many days while it waits; 0 turns reminders off."
        ),
    )  # fmt: skip

    def __str__(self) -> str:
        return "engagement settings"


def deliverable_path(instance: "DeliverableVersion", filename: str) -> str:
    from django.db import connection

    schema = connection.schema_name  # type: ignore[attr-defined]
    return f"{schema}/deliverables/{instance.deliverable_id}/{instance.sha256[:16]}-{filename}"


class DeliverableVersion(models.Model):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=deliverable_path, max_length=400)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    scan_status = models.CharField(max_length=20, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deliverable", "-number"]
        constraints = [models.UniqueConstraint(fields=["deliverable", "number"], name="one_deliverable_version_number")]

    def __str__(self) -> str:
        return f"{self.deliverable_id} v{self.number}"


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class Decision(models.Model):
    """A decision on one exact version (its SHA-256), by whom, when, with their comment. Immutable: a trigger
    (migration 0003) stamps `decided_at` with the database clock and refuses UPDATE, DELETE and TRUNCATE. The
    person is named by id and label, never by a foreign key that could cascade or be nulled."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="decisions")
    version = models.ForeignKey(DeliverableVersion, on_delete=models.PROTECT, related_name="decisions")
    sha256 = models.CharField(max_length=64)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    decided_by_id = models.BigIntegerField(null=True, blank=True)
    decided_by_label = models.CharField(max_length=200)
    # When the version decided on was submitted: the decision's turnaround is `decided_at - submitted_at`.
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.deliverable_id}: {self.outcome}"
