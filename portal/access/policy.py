"""The first questions of the authorization layer: is this person staff, an owner, an admin?

Issue 03 grows this module into `portal.access` proper (capabilities, client scoping)."""

from typing import Any

from portal.access.models import StaffMembership, StaffRole


def staff_role(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    membership: StaffMembership | None = getattr(user, "staff", None)
    return membership.role if membership else None


def is_owner(user: Any) -> bool:
    return staff_role(user) == StaffRole.OWNER


def may_manage_portal(user: Any) -> bool:
    """Owners and admins change the portal's settings (branding, …)."""
    return staff_role(user) in (StaffRole.OWNER, StaffRole.ADMIN)
