"""The portal's navigation, from who is looking: staff sections, or a contact's capabilities (the registry). It
lives above the access layer because it also shows the unread count of `portal.activity`."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.access.capabilities import REGISTRY
from portal.activity.selectors import unread_count

CONTACT_NAV = {
    "organisation.view": _("Your organisation"),
    "contacts.view": _("Colleagues"),
    "contacts.manage": _("Invite a colleague"),
    "documents.view": _("Documents"),
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if getattr(request, "tenant", None) is None or actor is None or not request.user.is_authenticated:
        return {}
    items: list[tuple[str, str]] = []
    if actor.is_staff:
        items.append((_("Clients"), reverse("clients:list")))
        if actor.manages_portal:
            items += [(_("Team"), reverse("access:team")), (_("Roles"), reverse("access:roles"))]
            items.append((_("Settings"), reverse("branding:settings")))
    elif actor.contact is not None:
        org_id = actor.contact.client_org_id
        for code in sorted(actor.capabilities, key=list(REGISTRY).index):
            page = REGISTRY[code].url_name
            if page is None:  # unlocks an action (commenting), not a page
                continue
            label = CONTACT_NAV.get(code) or str(REGISTRY[code].label)
            items.append((label, reverse(page, kwargs={"org_id": org_id})))
    if actor.is_staff:
        items.append((_("Activity"), reverse("activity:audit_log")))
    items.append((_("Profile"), reverse("access:profile")))
    return {"nav_items": items, "unread_notifications": unread_count(actor)}
