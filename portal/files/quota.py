"""The plan's storage quota: one measure of what a portal stores, and the lock its writers share.

`storage_used()` is the only measure. It sums the usage sources the apps register at start-up, each naming the
file fields whose files it counts (documents: versions and the room reserved by resumable uploads under way;
conversations: comment attachments). A file field no source counts must be exempted here with a reason:
`tests/portal/files/test_quota.py` walks every installed model and fails on a file kind nobody accounted for.

Every writer of stored files checks the quota twice: once before the expensive work (scanning), and again in
its writing transaction after `quota_lock()`, so two uploads at once cannot both squeeze under the quota.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from billing.models import Subscription


@dataclass(frozen=True)
class UsageSource:
    code: str
    # Bytes this source holds in the current tenant schema.
    measure: Callable[[], int]
    # The file fields (`app_label.Model.field`) whose files it counts; empty for room reserved before a file exists.
    fields: frozenset[str]


SOURCES: dict[str, UsageSource] = {}
# File fields deliberately left out of the quota: field label → why.
EXEMPT: dict[str, str] = {}


def register(code: str, *, measure: Callable[[], int], fields: Iterable[str] = ()) -> UsageSource:
    source = UsageSource(code, measure, frozenset(fields))
    SOURCES[code] = source
    return source


def exempt(field: str, *, reason: str) -> None:
    if not reason.strip():
        raise ValueError(f"{field}: say why it is not counted")
    EXEMPT[field] = reason


def counted_fields() -> frozenset[str]:
    return frozenset(field for source in SOURCES.values() for field in source.fields)


exempt(
    "tenants.Tenant.logo",
    reason="the portal's own logo, one small image kept with the tenant row in the public schema; not content "
    "people store",
)


class QuotaExceeded(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def storage_used() -> int:
    """Bytes this portal holds against its quota: every registered source, in the current tenant schema."""
    return sum(int(source.measure()) for source in SOURCES.values())


def storage_quota() -> int:
    return int(connection.tenant.subscription.plan.storage_bytes)  # type: ignore[attr-defined]


def quota_lock() -> None:
    """Serialise this portal's writers of stored files on its subscription row. Call inside the writing
    transaction, then check the quota again: the lock is held until that transaction ends."""
    Subscription.objects.select_for_update().filter(tenant_id=connection.tenant.pk).first()  # type: ignore[attr-defined]


def ensure_room(incoming: int) -> None:
    """Refuse `incoming` more bytes when they would go over the plan's storage quota (raises `QuotaExceeded`)."""
    if storage_used() + incoming > storage_quota():
        raise QuotaExceeded(_("This upload would go over your plan's storage quota."))
