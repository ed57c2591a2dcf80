from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.lifecycle import TenantStatus


class Plan(models.Model):
    """What a provider may use. Limits are enforced by the services that create the limited things."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    max_client_orgs = models.PositiveIntegerField(_("client organisations"))
    max_staff_seats = models.PositiveIntegerField(_("staff seats"))
    storage_bytes = models.PositiveBigIntegerField(_("storage"))
    trial_days = models.PositiveSmallIntegerField(default=14)
    is_default = models.BooleanField(default=False, help_text=_("The plan new signups start on."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_plan")
        ]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A tenant's plan and lifecycle state: the single source of truth for `status`."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=16, choices=TenantStatus.choices, default=TenantStatus.TRIALING)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField()
    status_reason = models.CharField(max_length=200, blank=True)
    # Written by the database clock for every role but the owner (trigger, migration 0003): the purge trusts it.
    canceled_at = models.DateTimeField(null=True, blank=True)
    # Set by the hourly lifecycle job once the retention period is over; `purge_tenants`, run with the owner's
    # credentials, drops the marked portals after checking `status` and `canceled_at` again. Cleared by any move.
    purge_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "trial_ends_at"])]

    def __str__(self) -> str:
        return f"{self.tenant} · {self.plan} · {self.status}"
