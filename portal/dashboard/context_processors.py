"""The portal's navigation, from who is looking: staff sections, or a contact's capabilities (the registry), each
with the count of unread notifications that belong to it. It lives above the access layer because it also counts
`portal.activity`'s notifications."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.access.capabilities import REGISTRY
from portal.access.policy import Actor, client_orgs_for
from portal.activity.selectors import unread_by_capability

CONTACT_NAV = {
    "organisation.view": (_("Your organisation"), "building-office-2"),
    "contacts.view": (_("Colleagues"), "users"),
    "contacts.manage": (_("Invite a colleague"), "user-plus"),
    "documents.view": (_("Documents"), "document-text"),
    "requests.create": (_("Requests"), "inbox-stack"),
    "projects.view": (_("Projects"), "briefcase"),
    "time.view": (_("Hours"), "clock"),
    "deliverables.approve": (_("Approvals"), "check-badge"),
    "requests.view_all": (_("Requests"), "inbox-stack"),
}
# How many clients the staff switcher lists before "All clients".
SWITCHER_SIZE = 8


@dataclass
class NavItem:
    label: str | Promise
    url: str
    icon: str
    count: int = 0
    current: bool = False
    key: str = ""  # names the item's count element, for counts swapped in after a change (`nav-count-<key>`)


@dataclass
class NavSection:
    heading: str | Promise | None
    items: list[NavItem]


def _contact_items(actor: Actor, unread: dict[str, int]) -> list[NavItem]:
    if actor.contact is None:
        return []
    org_id = actor.contact.client_org_id
    items = []
    pages: set[str] = set()
    for code in sorted(actor.capabilities, key=list(REGISTRY).index):
        page = REGISTRY[code].url_name
        if page is None or page in pages:  # an action (commenting), or a page an earlier capability listed
            continue
        pages.add(page)
        label, icon = CONTACT_NAV.get(code, (REGISTRY[code].label, "squares-2x2"))
        # Every capability that unlocks this page counts toward it (a requester's news of their own request is
        # recorded under the capability that shows everyone's).
        count = sum(unread.get(other, 0) for other, entry in REGISTRY.items() if entry.url_name == page)
        items.append(NavItem(label, reverse(page, kwargs={"org_id": org_id}), icon, count))
    return items


def _sections(actor: Actor, unread: dict[str, int]) -> list[NavSection]:
    total = sum(unread.values())
    home = NavItem(_("Home"), reverse("dashboard:home"), "home")
    notifications = NavItem(_("Notifications"), reverse("activity:notifications"), "bell", total, key="notifications")
    if not actor.is_staff:
        items = [home, *(_contact_items(actor, unread) if actor.contact is not None else []), notifications]
        return [NavSection(None, items)]
    work = [
        home,
        NavItem(_("Clients"), reverse("clients:list"), "building-office-2"),
        NavItem(_("Requests"), reverse("requests:queue"), "inbox-stack"),
        NavItem(_("Approval turnaround"), reverse("engagements:turnaround"), "chart-bar"),
        notifications,
        NavItem(_("Activity"), reverse("activity:audit_log"), "clock"),
    ]
    sections = [NavSection(None, work)]
    if actor.manages_portal:
        sections.append(
            NavSection(
                _("Portal"),
                [
                    NavItem(_("Team"), reverse("access:team"), "user-group"),
                    NavItem(_("Roles"), reverse("access:roles"), "shield-check"),
                    NavItem(_("Request types"), reverse("requests:types"), "clipboard-document-list"),
                    NavItem(_("Approval reminders"), reverse("engagements:settings"), "bell-alert"),
                    NavItem(_("API keys"), reverse("api_keys:list"), "key"),
                    NavItem(_("Webhooks"), reverse("webhooks:list"), "arrow-up-right"),
                    NavItem(_("Settings"), reverse("branding:settings"), "cog-6-tooth"),
                ],
            )
        )
    return sections


def _mark_current(sections: list[NavSection], path: str) -> None:
    """The item whose URL is the longest prefix of the path is the current page (a client's contacts page keeps
    "Clients" current; "/" matches only itself)."""
    best: NavItem | None = None
    for item in (item for section in sections for item in section.items):
        matches = path == item.url or (item.url != "/" and path.startswith(item.url))
        if matches and (best is None or len(item.url) > len(best.url)):
            best = item
    if best is not None:
        best.current = True


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor: Actor | None = getattr(request, "actor", None)
    if getattr(request, "tenant", None) is None or actor is None or not request.user.is_authenticated:
        return {}
    if actor.user is None or not (actor.is_staff or actor.contact is not None):
        return {}
    unread = unread_by_capability(actor)
    sections = _sections(actor, unread)
    _mark_current(sections, request.path)
    context: dict[str, Any] = {"nav_sections": sections, "unread_notifications": sum(unread.values())}
    if actor.is_staff:
        # Lazy: evaluated by the template only, with one query for the first few clients.
        clients = client_orgs_for(actor).select_related(None).only("pk", "name").order_by("name")
        context["switcher_clients"] = clients[:SWITCHER_SIZE]
    return context
