"""The capability registry: the single list of what a client contact may be allowed to do.

Every check on a contact goes through a capability code from here. An app that adds a feature registers its
capabilities (at import of its `capabilities` module, loaded by `portal.access` at start-up), saying which
default roles get it and which page it unlocks; custom roles tick capabilities from this same list; the
navigation and the authorization matrix test are built from it.
"""

from dataclasses import dataclass, field

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
class Capability:
    code: str
    label: str | Promise
    default_roles: frozenset[str]
    # The page this capability unlocks in the contact's own organisation: a URL name taking `org_id`.
    url_name: str
    description: str | Promise = field(default="")


REGISTRY: dict[str, Capability] = {}


def register(
    code: str, *, label: str | Promise, default_roles: set[str], url_name: str, description: str | Promise = ""
) -> Capability:
    unknown = default_roles - set(DEFAULT_ROLE_NAMES)
    if unknown:
        raise ValueError(f"{code}: unknown default roles {sorted(unknown)}")
    capability = Capability(code, label, frozenset(default_roles), url_name, description)
    REGISTRY[code] = capability
    return capability


def default_role_capabilities(slug: str) -> frozenset[str]:
    return frozenset(code for code, capability in REGISTRY.items() if slug in capability.default_roles)


ALL = set(DEFAULT_ROLE_NAMES)
ORGANISATION_VIEW = register(
    "organisation.view",
    label=_("See the organisation's overview"),
    default_roles=ALL,
    url_name="clients:detail",
)
CONTACTS_VIEW = register(
    "contacts.view",
    label=_("See colleagues who use the portal"),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.PROJECT_LEAD},
    url_name="clients:contacts",
)
CONTACTS_MANAGE = register(
    "contacts.manage",
    label=_("Invite colleagues and manage their access"),
    default_roles={DefaultRole.CLIENT_ADMIN},
    url_name="clients:invite",
)
