"""Client requests: the types staff define (with a versioned form), the requests contacts submit through them,
their status history, files, ratings, and the business hours their SLA clocks count in."""

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FieldKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    CHECKBOX = "checkbox", _("Checkbox")
    FILE = "file", _("File")
    EMAIL = "email", _("E-mail address")
    URL = "url", _("Web address")


class Assignment(models.TextChoices):
    PERSON = "person", _("A chosen member of staff")
    ACCOUNT_MANAGER = "account_manager", _("The client's account manager")


class RequestType(models.Model):
    """What clients may ask for. Its form lives in `FormVersion`s: `current_version` is what new requests use;
    a request keeps the version it was submitted with, so editing the form never changes what was submitted."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    all_clients = models.BooleanField(_("every client may use it"), default=True)
    client_orgs = models.ManyToManyField(
        "clients.ClientOrg", blank=True, related_name="request_types", verbose_name=_("clients who may use it")
    )
    assign_to = models.CharField(
        _("assign new requests to"), max_length=20, choices=Assignment.choices, default=Assignment.ACCOUNT_MANAGER
    )
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("member of staff"),
    )  # fmt: skip
    first_response_hours = models.PositiveIntegerField(_("first response within (hours)"), null=True, blank=True)
    resolution_hours = models.PositiveIntegerField(_("resolution within (hours)"), null=True, blank=True)
    current_version = models.ForeignKey(
        "FormVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FormVersion(models.Model):
    """One version of a type's form, never changed once a request may use it: `fields` is a list of
    {"key", "label", "kind", "required", "help", "choices"}; keys are stable across versions (a renamed field
    keeps its key), answers are stored under them."""

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    fields = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request_type", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["request_type", "number"], name="one_form_version_number_per_type")
        ]

    def __str__(self) -> str:
        return f"{self.request_type_id} v{self.number}"


class RoutingRule(models.Model):
    """Ordered rules tried before the type's own assignment: the first whose conditions (type, client, project,
    one answer; each optional) all hold assigns."""

    position = models.PositiveIntegerField(default=0)
    request_type = models.ForeignKey(
        RequestType, null=True, blank=True, on_delete=models.CASCADE, related_name="routing_rules",
        verbose_name=_("request type"),
    )  # fmt: skip
    client_org = models.ForeignKey(
        "clients.ClientOrg", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("client"),
    )  # fmt: skip
    # A rule on a project is dropped with it: left without its project it would match every request.
    project = models.ForeignKey(
        "engagements.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("project"),
    )  # fmt: skip
    field_key = models.CharField(_("answer to"), max_length=60, blank=True)
    value = models.CharField(_("is"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("assign to")
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"rule {self.pk} → {self.assignee_id}"


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_CLIENT = "waiting_on_client", _("Waiting on the client")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_CLIENT)


class ClientRequest(models.Model):
    """A request a contact submitted. Its number is its id (per portal). SLA: `first_response_due` is set at
    submission; `resolution_due` is recomputed at each status change (time waiting on the client does not count,
    None while it waits); the elapsed business seconds are stored when the response and the resolution happen."""

    subject = models.CharField(_("subject"), max_length=200)
    request_type = models.ForeignKey(RequestType, on_delete=models.PROTECT, related_name="requests")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="requests")
    client_org = models.ForeignKey("clients.ClientOrg", on_delete=models.CASCADE, related_name="requests")
    # The project the request is about, one of its client's (the services check it: a constraint cannot reach
    # the project's client).
    project = models.ForeignKey(
        "engagements.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests",
        verbose_name=_("project"),
    )  # fmt: skip
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="client_requests"
    )
    requester_label = models.CharField(max_length=200)
    # The provider's own id for it (its internal workflow's ticket), set through the API.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    answers = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_requests"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_reminded = models.BooleanField(default=False)
    resolution_reminded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client_org", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["status", "resolution_due"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, now: datetime.datetime | None = None) -> bool:
        """Past a due time it has not met: the first response, or (while open) the resolution."""
        now = now or timezone.now()
        late_response = self.first_response_at is None and self.first_response_due is not None
        late_response = late_response and self.first_response_due < now  # type: ignore[operator]
        late_resolution = self.is_open and self.resolution_due is not None and self.resolution_due < now
        return bool(late_response or late_resolution)


class StatusChange(models.Model):
    """The status history (the submission is the first row, from "")."""

    request = models.ForeignKey(ClientRequest, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Who, when no person made it: an API key, by its name (empty for a person or the system).
    by_label = models.CharField(max_length=200, blank=True, default="")
    by_staff = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    # Why, when the provider's systems said so (the API's status change): for staff only.
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"#{self.request_id}: {self.from_status} → {self.to_status}"


def request_file_path(instance: "RequestFile", filename: str) -> str:
    from django.db import connection

    schema = connection.schema_name  # type: ignore[attr-defined]
    return f"{schema}/requests/{instance.request_id}/{instance.sha256[:16]}-{filename}"


class RequestFile(models.Model):
    """A file answered in a request's form (a field of kind `file`), checked like every uploaded file."""

    request = models.ForeignKey(ClientRequest, on_delete=models.CASCADE, related_name="files")
    field_key = models.CharField(max_length=60)
    file = models.FileField(upload_to=request_file_path, max_length=400)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    scan_status = models.CharField(max_length=20, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class Rating(models.Model):
    """The requester's answer to "how did we do?" once the request was resolved: one per request."""

    request = models.OneToOneField(ClientRequest, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="score_1_to_5")]

    def __str__(self) -> str:
        return f"#{self.request_id}: {self.score}"


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]


class ServiceHours(models.Model):
    """The portal's business hours, which SLA clocks count in (one row)."""

    time_zone = models.CharField(_("time zone"), max_length=60, default="Europe/London")
    working_days = ArrayField(models.PositiveSmallIntegerField(), default=default_working_days)
    opens = models.TimeField(_("opens"), default=datetime.time(9, 0))
    closes = models.TimeField(_("closes"), default=datetime.time(17, 30))
    calendar_hours = models.BooleanField(
        _("count calendar hours"), default=False, help_text=_("Count every hour of every day, ignoring the above.")
    )
    country = models.CharField(_("country for public holidays"), max_length=2, blank=True)
    reopen_days = models.PositiveSmallIntegerField(
        _("reopen window (days)"), default=7,
        help_text=_("How long after a request is resolved its requester may reopen it; it is then closed."),
    )  # fmt: skip
    remind_before_hours = models.PositiveSmallIntegerField(_("remind the assignee (hours before a breach)"), default=2)

    def __str__(self) -> str:
        return "service hours"


class Holiday(models.Model):
    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class QuarantinedRequestFile(models.Model):
    """A file refused as infected when a request was submitted: kept aside for review, never served."""

    file = models.FileField(max_length=400)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    signature = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_org = models.ForeignKey("clients.ClientOrg", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name
