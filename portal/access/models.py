"""Who is who in a portal: staff memberships, contact roles, invitations, and the browsers people sign in from
(new-device e-mails). Sessions are `accounts.UserSession`."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access.capabilities import default_role_capabilities


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


class Role(models.Model):
    """A contact role. Default roles take their capabilities from the registry (so a capability added later
    reaches them); custom roles keep the capabilities the provider ticked."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(unique=True)
    is_default = models.BooleanField(default=False, editable=False)
    custom_capabilities = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="unique_role_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def capabilities(self) -> frozenset[str]:
        if self.is_default:
            return default_role_capabilities(self.slug)
        return frozenset(self.custom_capabilities)


class InvitationKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    CONTACT = "contact", _("Client contact")


class Invitation(models.Model):
    """A single-use, expiring, revocable invitation by e-mail. Only the token's SHA-256 is stored."""

    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=10, choices=InvitationKind.choices)
    staff_role = models.CharField(max_length=10, choices=StaffRole.choices, blank=True)
    client_org = models.ForeignKey("clients.ClientOrg", null=True, blank=True, on_delete=models.CASCADE)
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.PROTECT)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="staff", client_org__isnull=True, role__isnull=True) & ~models.Q(staff_role="")
                )
                | models.Q(kind="contact", client_org__isnull=False, role__isnull=False, staff_role=""),
                name="invitation_kind_fields",
            )
        ]

    def __str__(self) -> str:
        return f"invitation for {self.email}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class KnownDevice(models.Model):
    """A browser a user has signed in from; a sign-in from an unknown one is e-mailed to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices")
    fingerprint = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "fingerprint"], name="one_row_per_device")]

    def __str__(self) -> str:
        return f"{self.user}: {self.user_agent[:40]}"
