"""Subdomain rules for new portals, and the schema name each subdomain maps to."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenants.template import TEMPLATE_SCHEMA

MIN_LENGTH = 3
MAX_LENGTH = 40
LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")

RESERVED = frozenset(
    {
        "www", "api", "app", "admin", "ops", "mail", "static", "media", "assets", "help", "support", "status",
        "billing", "docs", "public", "portico", "root", "dashboard", "login", "signup", "account", "accounts",
        "auth", "sso", "smtp", "imap", "pop", "ftp", "cdn", "dev", "staging", "test", "demo-admin", "blog",
        "security", "abuse", "postmaster", "webmaster", "hostmaster", "info", "about", "news", "status-page",
        "information-schema", "portico-template",
    }
)  # fmt: skip
RESERVED_PREFIXES = ("pg-", "xn--")


def normalise_subdomain(value: str) -> str:
    return value.strip().lower()


def validate_subdomain(value: str) -> str:
    """Return the case-folded subdomain, or raise a ValidationError that says what is wrong with it."""
    slug = normalise_subdomain(value)
    if not slug:
        raise ValidationError(_("Choose a subdomain."), code="required")
    if len(slug) < MIN_LENGTH:
        raise ValidationError(
            _("A subdomain has at least %(min)d characters."), code="too_short", params={"min": MIN_LENGTH}
        )
    if len(slug) > MAX_LENGTH:
        raise ValidationError(
            _("A subdomain has at most %(max)d characters."), code="too_long", params={"max": MAX_LENGTH}
        )
    if slug.startswith("-") or slug.endswith("-"):
        raise ValidationError(_("A subdomain cannot start or end with a hyphen."), code="edge_hyphen")
    if not LABEL.match(slug):
        raise ValidationError(
            _("Use only letters a-z, digits and hyphens (no spaces, accents, dots or underscores)."),
            code="invalid_characters",
        )
    if slug in RESERVED or slug.startswith(RESERVED_PREFIXES):
        raise ValidationError(
            _("“%(slug)s” is reserved. Choose another subdomain."), code="reserved", params={"slug": slug}
        )
    return slug


def schema_name_for(slug: str) -> str:
    """The schema of the portal on this subdomain: the subdomain with `_` for `-`, with a leading `_` when it
    starts with a digit (an SQL identifier cannot). Injective, so two subdomains never share a schema; and
    never `public`, the template or a `pg_` name, which the subdomain rules exclude and this re-checks."""
    name = slug.replace("-", "_")
    if name[0].isdigit():
        name = f"_{name}"
    if name in ("public", TEMPLATE_SCHEMA, "information_schema") or name.startswith("pg_"):
        raise ValueError(f"{slug!r} cannot name a schema")
    return name
