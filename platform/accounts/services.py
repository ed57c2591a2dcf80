"""Writers for accounts. Call inside the schema of the portal the account belongs to."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import LoginToken, User
from core.audit import not_audited
from tenants.models import DirectoryEntry, Tenant

LOGIN_TOKEN_TTL = timedelta(minutes=5)


class LoginTokenError(Exception):
    """The sign-in link is unknown, used or expired (one message for all three)."""


@not_audited("computes a digest")
def email_digest(email: str) -> str:
    """Keyed digest of an e-mail address for the public directory: look-ups without storing addresses."""
    return salted_hmac("portico.directory", email.strip().lower(), algorithm="sha256").hexdigest()


@transaction.atomic
@not_audited("part of the invitation or provisioning that creates the person; they record it")
def user_create(*, tenant: Tenant, email: str, full_name: str, password: str | None, verified: bool = False) -> User:
    """Create a person's account in `tenant`'s portal (listed in the public directory once verified)."""
    user = User.objects.create_user(email, password, full_name=full_name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    directory_sync(tenant=tenant, user=user)
    return user


@not_audited("keeps the public directory in step with the account (a derived index)")
def directory_sync(*, tenant: Tenant, user: User) -> None:
    """List the person's address in the public directory ("find my portal") while they are active and have
    proved they own it; anyone can type someone else's address into a signup form."""
    digest = email_digest(user.email)
    owned = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    if user.is_active and owned:
        DirectoryEntry.objects.get_or_create(email_digest=digest, tenant=tenant)
    else:
        DirectoryEntry.objects.filter(email_digest=digest, tenant=tenant).delete()


@not_audited("a single-use sign-in link for the person themselves (signup hand-off)")
def login_token_issue(*, user: User, ttl: timedelta = LOGIN_TOKEN_TTL) -> str:
    token = secrets.token_urlsafe(32)
    LoginToken.objects.create(
        user=user, token_hash=hashlib.sha256(token.encode()).hexdigest(), expires_at=timezone.now() + ttl
    )
    return token


@transaction.atomic
@not_audited("spends the person's own sign-in link (the row keeps when)")
def login_token_redeem(*, token: str) -> User:
    """Spend a sign-in token: works once, before it expires, for an active user."""
    found = (
        LoginToken.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=hashlib.sha256(token.encode()).hexdigest())
        .first()
    )
    if found is None or found.used_at is not None or found.expires_at <= timezone.now() or not found.user.is_active:
        raise LoginTokenError("This sign-in link is invalid or has expired.")
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    return found.user
