import secrets
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


def valid_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."), code="time_zone")


HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))
DEFAULT_BRAND_COLOUR = "#1f4e79"


def logo_path(tenant: "Tenant", filename: str) -> str:
    """Every file of a tenant lives under its schema's prefix; a new name per upload (the form sets the
    extension from the sniffed format)."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"{tenant.schema_name}/branding/logo-{secrets.token_hex(4)}.{extension}"


class MfaPolicy(models.TextChoices):
    OPTIONAL = "optional", _("Optional for everyone")
    STAFF = "staff", _("Required for staff")
    EVERYONE = "everyone", _("Required for everyone")


class Tenant(TenantMixin):
    """A provider company: one PostgreSQL schema, one branded portal on `<slug>.ROOT_DOMAIN`."""

    slug = models.SlugField(_("subdomain"), max_length=40, unique=True)
    name = models.CharField(_("company name"), max_length=120)
    display_name = models.CharField(_("portal name"), max_length=120, blank=True)
    brand_color = models.CharField(
        _("brand colour"), max_length=7, default=DEFAULT_BRAND_COLOUR, validators=[HEX_COLOUR]
    )
    logo = models.FileField(_("logo"), upload_to=logo_path, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels", validators=[valid_time_zone])
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest at"), default=8, validators=[MaxValueValidator(23)], help_text=_("Hour of the day, 0 to 23.")
    )
    unscanned_files = models.CharField(
        _("files too large for the virus scanner"), max_length=10,
        choices=[("reject", _("Refuse them")), ("flag", _("Accept them, flagged as not scanned"))], default="reject",
    )  # fmt: skip
    mfa_policy = models.CharField(
        _("two-factor authentication"), max_length=10, choices=MfaPolicy.choices, default=MfaPolicy.OPTIONAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are made by the provisioning service, never implicitly on save, and dropped only by the purge.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("tenant")

    def __str__(self) -> str:
        return self.name

    @property
    def portal_name(self) -> str:
        return self.display_name or self.name


class Domain(DomainMixin):
    """A host name that serves a tenant's portal (`<slug>.ROOT_DOMAIN` or a verified custom domain)."""

    class Meta:
        verbose_name = _("domain")

    def __str__(self) -> str:
        return self.domain


class DirectoryEntry(models.Model):
    """ "This e-mail address has an account in this portal": the public directory behind "find my portal".

    Only a keyed digest of the address is kept, never the address itself. Written by the accounts services."""

    email_digest = models.CharField(max_length=64, db_index=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="directory_entries")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email_digest", "tenant"], name="one_entry_per_portal")]

    def __str__(self) -> str:
        return f"{self.email_digest[:12]}… → {self.tenant_id}"


class SchemaTemplate(models.Model):
    """The template schema's DDL and data recipe, snapshotted by `migrate` (see tenants.template)."""

    # "app.name" of every migration recorded in the template when it was snapshotted.
    applied_migrations = models.JSONField(default=list)
    ddl = models.TextField()
    data_tables = models.JSONField(default=list)
    sequences = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"template of {self.created_at:%Y-%m-%d %H:%M} ({len(self.applied_migrations)} migrations)"
