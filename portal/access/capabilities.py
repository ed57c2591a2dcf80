"""The capability registry: the single list of what a client contact may be allowed to do.

Every check on a contact goes through a capability code from here. An app that adds a feature registers its
capabilities (at import of its `capabilities` module, loaded by `portal.access` at start-up), saying which
default roles get it and either which page it unlocks or, for a capability that unlocks an action rather than a
page, how that action is proved (a `Proof`: the request a contact holding it may make in their organisation);
custom roles tick capabilities from this same list; the navigation (pages only) and the authorization matrix
test (every capability, by its proof) are built from it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DefaultRole:
    CLIENT_ADMIN = "client-admin"
    FINANCE = "finance"
    PROJECT_LEAD = "project-lead"
    VIEWER = "viewer"


DEFAULT_ROLE_NAMES: dict[str, str | Promise] = {
    DefaultRole.CLIENT_ADMIN: _("Client admin"),
    DefaultRole.FINANCE: _("Finance"),
    DefaultRole.PROJECT_LEAD: _("Project lead"),
    DefaultRole.VIEWER: _("Viewer"),
}


@dataclass(frozen=True)
class Proof:
    """How a capability is proved in an organisation: one request that answers `allowed_status` to a contact of
    that organisation who holds the capability (and the capabilities in `also`, which reaching it takes), and 404
    to everyone else. The authorization matrix test makes it for every role and capability."""

    url: Callable[[int], str]  # from the organisation's id
    method: str = "GET"
    data: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    allowed_status: int = 200
    also: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Capability:
    code: str
    label: str | Promise
    default_roles: frozenset[str]
    # The page this capability unlocks in the contact's own organisation (a URL name taking `org_id`), listed in
    # the contact's navigation; None for a capability that unlocks an action, proved by `proof`.
    url_name: str | None
    proof: Proof
    description: str | Promise = field(default="")


REGISTRY: dict[str, Capability] = {}


def register(
    code: str,
    *,
    label: str | Promise,
    default_roles: set[str],
    url_name: str | None = None,
    proof: Proof | None = None,
    description: str | Promise = "",
) -> Capability:
    """Register a capability that unlocks a page (`url_name`; its proof is a GET of that page) or an action
    (`proof`)."""
    unknown = default_roles - set(DEFAULT_ROLE_NAMES)
    if unknown:
        raise ValueError(f"{code}: unknown default roles {sorted(unknown)}")
    if proof is None:
        if url_name is None:
            raise ValueError(f"{code}: name the page it unlocks (url_name) or how it is proved (proof)")
        page = url_name
        proof = Proof(url=lambda org_id: reverse(page, kwargs={"org_id": org_id}))
    capability = Capability(code, label, frozenset(default_roles), url_name, proof, description)
    REGISTRY[code] = capability
    return capability


def default_role_capabilities(slug: str) -> frozenset[str]:
    return frozenset(code for code, capability in REGISTRY.items() if slug in capability.default_roles)


ALL = set(DEFAULT_ROLE_NAMES)
ORGANISATION_VIEW = register(
    "organisation.view",
    label=_("See the organisation's overview"),
    description=_("Open their organisation's page in the portal: its details and what happened recently."),
    default_roles=ALL,
    url_name="clients:detail",
)
CONTACTS_VIEW = register(
    "contacts.view",
    label=_("See colleagues who use the portal"),
    description=_("See who else in their organisation has access to the portal, and with which role."),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.PROJECT_LEAD},
    url_name="clients:contacts",
)
CONTACTS_MANAGE = register(
    "contacts.manage",
    label=_("Invite colleagues and manage their access"),
    description=_("Invite people from their organisation, change their roles and end their access."),
    default_roles={DefaultRole.CLIENT_ADMIN},
    url_name="clients:invite",
)
