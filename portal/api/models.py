"""API keys: the provider's systems (ERP, CRM, project tools) calling the REST API."""

import hashlib

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

# What an API key may reach, per resource family: read, or read and write.
API_FAMILIES = ("clients", "contacts", "documents", "comments", "requests", "projects", "time", "activity")
API_SCOPES = tuple(f"{family}:{access}" for family in API_FAMILIES for access in ("read", "write"))
FAMILY_LABELS = {
    "clients": _("Client organisations"), "contacts": _("Contacts"), "documents": _("Folders and documents"),
    "comments": _("Comments"), "requests": _("Requests"), "projects": _("Projects and deliverables"),
    "time": _("Time entries"), "activity": _("Activity"),
}  # fmt: skip


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    """A key the provider's systems (ERP, CRM, project tools) call the API with: an explicit principal of its own
    (`portal.access.policy.Actor.api_key`), never a person. The secret is shown once, at creation; only its SHA-256
    is kept (a random 256-bit secret needs no slow hash), with a visible `prefix` to recognise the key by. Its
    reach is every client or the chosen ones; its scopes say what it may read or write."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=30), default=list)
    all_clients = models.BooleanField(_("every client"), default=True)
    clients = models.ManyToManyField("clients.ClientOrg", blank=True, related_name="+")
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    known_ips = ArrayField(models.GenericIPAddressField(), default=list)  # first use from a new one is audited
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def access(self) -> list[tuple[str, str]]:
        """What the key may do, as people read it: (family, "read" or "read and write")."""
        held = set(self.scopes)
        return [
            (str(FAMILY_LABELS[family]), str(_("read and write") if f"{family}:write" in held else _("read")))
            for family in API_FAMILIES
            if f"{family}:read" in held or f"{family}:write" in held
        ]
