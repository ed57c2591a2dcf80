"""Sign-in bookkeeping: where a session was signed in from (for the user's session list), an e-mail when they
sign in from a new device, and other sessions ended when the password changes."""

import hashlib
from typing import Any

from allauth.account.signals import email_confirmed, password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_in
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from accounts.services import directory_sync
from accounts.sessions import sign_in_details
from portal.access.models import KnownDevice
from portal.access.policy import actor_for
from portal.access.services import end_sessions
from tenants.urls_external import portal_url


def in_a_portal() -> bool:
    return connection.schema_name != get_public_schema_name()  # type: ignore[attr-defined]


def client_address(request: HttpRequest) -> str | None:
    from core.proxy import client_ip

    return client_ip(request) or None


@receiver(user_logged_in, dispatch_uid="portal.access.record_sign_in")
def record_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """The session's row takes its user from the session itself (`accounts.sessions`); here it learns where it
    was signed in from, kept in the session's data so every later save (and key rotation) keeps it."""
    if request is None or not hasattr(request, "session"):
        return
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    request.session.update(sign_in_details(ip_address=client_address(request), user_agent=user_agent))
    if not in_a_portal():
        return
    fingerprint = hashlib.sha256(user_agent.encode()).hexdigest()
    device, created = KnownDevice.objects.get_or_create(
        user=user, fingerprint=fingerprint, defaults={"user_agent": user_agent}
    )
    if not created:
        device.save(update_fields=["last_seen"])
    elif KnownDevice.objects.filter(user=user).count() > 1:  # the very first sign-in is not news
        tenant = connection.tenant  # type: ignore[attr-defined]
        context = {
            "user": user,
            "tenant": tenant,
            "site_name": tenant.portal_name,
            "current_site": {"name": tenant.portal_name, "domain": portal_url(tenant)},
            "when": timezone.now(),
            "user_agent": user_agent or _("an unknown browser"),
            "ip": client_address(request) or _("an unknown address"),
        }
        message = EmailMultiAlternatives(
            subject=_("New sign-in to %(portal)s") % {"portal": tenant.portal_name},
            body=render_to_string("emails/new_device.txt", context),
            to=[user.email],
        )
        message.attach_alternative(render_to_string("emails/new_device.html", context), "text/html")
        transaction.on_commit(message.send)


@receiver(email_confirmed, dispatch_uid="portal.access.list_confirmed_address")
def list_confirmed_address(sender: Any, request: HttpRequest | None, email_address: Any, **kwargs: Any) -> None:
    """A confirmed address joins the public directory of portals ("find my portal")."""
    if in_a_portal():
        directory_sync(tenant=connection.tenant, user=email_address.user)  # type: ignore[attr-defined]


@receiver(password_changed, dispatch_uid="portal.access.end_sessions_on_password_change")
@receiver(password_set, dispatch_uid="portal.access.end_sessions_on_password_set")
@receiver(password_reset, dispatch_uid="portal.access.end_sessions_on_password_reset")
def end_other_sessions_on_new_password(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Django already refuses the user's other sessions once the password changes (their auth hash no longer
    matches), but only on their next request: until then they would stay listed under "your sessions". Deleting
    them now makes the list true. The session that made the change has its new key by now and is kept."""
    session = getattr(request, "session", None)
    keep = session.session_key if session is not None else None
    end_sessions(actor=actor_for(user), user=user, keep=keep)
