from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientOrg(models.Model):
    """One of the provider's client organisations: its people see only what concerns it."""

    name = models.CharField(_("name"), max_length=150)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="managed_clients",
        verbose_name=_("account manager"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_clients", verbose_name=_("other staff assigned")
    )
    notes = models.TextField(_("internal notes"), blank=True, help_text=_("Visible to staff only."))
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the API's `updated_since` and ETag
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client organisation")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a client organisation, with a role there. Each contact is one user of this portal."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact")
    client_org = models.ForeignKey(ClientOrg, on_delete=models.CASCADE, related_name="contacts")
    role = models.ForeignKey("access.Role", on_delete=models.PROTECT, related_name="contacts")
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__full_name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.client_org})"
