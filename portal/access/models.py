"""Who is who in a portal. Issue 03 adds client contacts, roles and capabilities beside staff."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class StaffMembership(models.Model):
    """Makes a user one of the provider's staff in this portal."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=10, choices=StaffRole.choices, default=StaffRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
