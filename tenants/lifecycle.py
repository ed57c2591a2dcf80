"""The tenant lifecycle: its states and the transitions allowed between them, in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TenantStatus(models.TextChoices):
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Payment overdue")
    READ_ONLY = "read_only", _("Read-only")
    SUSPENDED = "suspended", _("Suspended")
    CANCELED = "canceled", _("Canceled")


S = TenantStatus
ALLOWED_TRANSITIONS: dict[TenantStatus, frozenset[TenantStatus]] = {
    S.TRIALING: frozenset({S.ACTIVE, S.PAST_DUE, S.SUSPENDED, S.CANCELED}),
    S.ACTIVE: frozenset({S.PAST_DUE, S.READ_ONLY, S.SUSPENDED, S.CANCELED}),
    S.PAST_DUE: frozenset({S.ACTIVE, S.READ_ONLY, S.SUSPENDED, S.CANCELED}),
    S.READ_ONLY: frozenset({S.ACTIVE, S.SUSPENDED, S.CANCELED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.READ_ONLY, S.CANCELED}),
    # Within the retention period a canceled portal can still be brought back.
    S.CANCELED: frozenset({S.ACTIVE}),
}

# What each state lets people do in the portal.
WRITABLE = frozenset({S.TRIALING, S.ACTIVE, S.PAST_DUE})
# The states in which a portal's scheduled work runs (reminders and sweeps): every state but suspended and canceled.
LIVE_STATUSES = frozenset({S.TRIALING, S.ACTIVE, S.PAST_DUE, S.READ_ONLY})


def can_transition(current: str, target: str) -> bool:
    return TenantStatus(target) in ALLOWED_TRANSITIONS[TenantStatus(current)]
