"""The User model, installed in every schema: a person's account belongs to one portal (or the root site)."""

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.sessions.backends.db import SessionStore


NAME_MAX_LENGTH = 100  # the column holds 150; names are shown in subjects, lists and other people's inboxes
# Line and paragraph separators, surrogates, private-use and unassigned code points, besides control characters.
_REFUSED_CATEGORIES = {"Cc", "Zl", "Zp", "Cs", "Co", "Cn"}
# Bidirectional embeddings, overrides and isolates: they make "moc.live" read as "evil.com".
_BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_WEB_ADDRESS = re.compile(
    r"://|\bwww\s*[.\u3002]"
    # a domain-looking token: labels joined by dots, the last one of two letters or more (example.com, t.co)
    r"|[\w-]+(?:[.\u3002][\w-]+)*[.\u3002][^\W\d_]{2,}(?![\w-])",
    re.IGNORECASE,
)


def no_control_characters(value: str) -> None:
    """A display name: at most NAME_MAX_LENGTH characters, no line breaks or other control characters (names
    end up in e-mail headers), and nothing a mail client or a page would show as a link (no `http://`, `www.`
    or domain-looking token), since other people read the name in e-mails the portal sends them.

    (The name predates the other rules; it stays, so the field's migration state does not change.)"""
    if len(value) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("Keep the name to %(limit)d characters or fewer.") % {"limit": NAME_MAX_LENGTH}, code="too_long"
        )
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _BIDI_CONTROLS for ch in value):
        raise ValidationError(_("Use letters, not line breaks or control characters."), code="control_characters")
    if _WEB_ADDRESS.search(unicodedata.normalize("NFKC", value)):
        raise ValidationError(
            _(
                "A name cannot contain a web or e-mail address (nothing like “http://”, “www.” or “example.com”). "
                "For initials, put a space after each dot: “J. R. Smith”."
            ),
            code="web_address",
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """E-mail is the login. `is_staff` is Django's admin flag only; portal roles live in `portal.access`."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True, validators=[no_control_characters])
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class LoginToken(models.Model):
    """A single-use, short-lived sign-in link (the hand-off from signup on the root site to the new portal).

    Only the SHA-256 of the token is stored, so a database read does not yield a usable link."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in link for {self.user} (expires {self.expires_at:%Y-%m-%d %H:%M})"


class UserSession(AbstractBaseSession):
    """Django's session row, plus whose session it is and where it was signed in from (`SESSION_ENGINE` is
    `accounts.sessions`, which fills these on every save, so a rotated key never loses its user).

    Installed in every schema like the rest of `accounts`: a portal's sessions live in the portal's schema."""

    user = models.ForeignKey(
        User, null=True, blank=True, db_index=True, on_delete=models.CASCADE, related_name="sessions"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(AbstractBaseSession.Meta):
        ordering = ["-created_at"]

    @classmethod
    def get_session_store_class(cls) -> "type[SessionStore]":
        from accounts.sessions import SessionStore

        return SessionStore

    @property
    def public_id(self) -> int:
        """Names the session in pages and URLs. The key is the session's secret and never leaves the cookie;
        this is a one-way digest of it, stable for as long as the key is."""
        return int(hashlib.sha256(self.session_key.encode()).hexdigest()[:12], 16)
