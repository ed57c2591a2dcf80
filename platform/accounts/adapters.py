"""django-allauth glue."""

from email.utils import formataddr, parseaddr
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.urls import reverse

from tenants.context import current_tenant
from tenants.models import DEFAULT_BRAND_COLOUR, Tenant
from tenants.urls_external import portal_url, root_url

# The platform's own name, on the root site and in what it says to providers (branding.context_processors shows
# the same name in pages; accounts sits below branding, so it cannot import it).
PLATFORM_NAME = "Portico"
# Account e-mails in Portico's own voice, even when sent for a portal: the new owner's welcome after signup.
PORTICO_SPEAKS = frozenset({"account/email/email_confirmation_signup"})


def site_link(url: str) -> str:
    """A link for an e-mail: the path (and query) of `url` on the current portal's host, or the root site's,
    with SITE_SCHEME and SITE_PORT. Never the request's scheme, host or port: those are whatever the client
    sent (a `Host: demo.localhost:9999` header, a proxy's internal port)."""
    parts = urlsplit(url)
    path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    tenant = current_tenant(optional=True)
    return portal_url(tenant, path) if tenant is not None else root_url(path)


def one_line(name: str) -> str:
    """A name as it goes into a subject or a From header: one line, no runs of spaces."""
    return " ".join(str(name).split())


def sender_name(tenant: Tenant | None) -> str:
    """Who an account e-mail comes from: the portal (its display name) or, on the root site, Portico."""
    return one_line(tenant.portal_name) if tenant is not None else PLATFORM_NAME


def mail_context(tenant: Tenant | None) -> dict[str, Any]:
    """What the account e-mail templates (templates/account/email/, mfa/email/ and their layouts in
    templates/emails/) know about the site they speak for: its name, home and colour (branded.html adds the
    logo), and the links every message may offer. Links are on the portal's host (or the root site's), never
    the request's."""
    name = sender_name(tenant)
    home = portal_url(tenant) if tenant is not None else root_url()
    context: dict[str, Any] = {
        "tenant": tenant,
        "site_name": name,
        "site_url": home,
        "platform_name": PLATFORM_NAME,
        "current_site": SimpleNamespace(name=name, domain=home),
        "brand_color": tenant.brand_color if tenant is not None else DEFAULT_BRAND_COLOUR,
        "sign_in_url": site_link(reverse("account_login")),
        "forgot_password_url": site_link(reverse("account_reset_password")),
    }
    if tenant is None:
        public = settings.PUBLIC_SCHEMA_URLCONF
        context["find_portal_url"] = root_url(reverse("signup:find_portal", urlconf=public))
        context["start_portal_url"] = root_url(reverse("signup:signup", urlconf=public))
    return context


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up through allauth, on any host: provider accounts come from the signup flow on the root
    site and portal accounts from invitations. Links and names in allauth's e-mails are those of the portal the
    account belongs to, even when the e-mail is sent from the root site (right after signup).

    Every e-mail allauth can send has its own subject, text and HTML templates in Portico's words
    (templates/account/email/, templates/mfa/email/), laid out like the notification e-mails
    (templates/emails/account_base.*, in templates/emails/branded.html): the portal's name, colour and logo, or
    Portico's on the root site. `tests/accounts/test_account_emails.py` checks none of allauth's stock ones is
    left."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return site_link(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        """allauth builds the link from the request (its Host, port included); ours follows the settings."""
        return site_link(str(super().get_reset_password_from_key_url(key)))

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """From `"Portal name" <no-reply@…>`, like the notification e-mails (formataddr quotes the name as
        needed); from Portico for what Portico says itself (the welcome after signup)."""
        message = super().render_mail(template_prefix, email, context, headers)
        tenant = current_tenant(optional=True)
        name = PLATFORM_NAME if template_prefix in PORTICO_SPEAKS else sender_name(tenant)
        message.from_email = formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
        return message

    def send_notification_mail(
        self, template_prefix: str, user: Any, context: dict[str, Any] | None = None, email: str | None = None
    ) -> None:
        """Security notices (password changed, e-mail removed, two-factor changes…) greet the person by name."""
        super().send_notification_mail(template_prefix, user, {"user": user, **(context or {})}, email)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        for key, value in list(context.items()):  # links allauth built from the request (signup, password reset)
            if key.endswith("_url") and isinstance(value, str):
                context[key] = site_link(value)
        # allauth's own send_mail adds the request's site (`get_current_site`), which needs a request: a notice
        # sent after commit may have none. Ours says which site it is from the tenant instead.
        context = {"request": allauth_context.request, "email": email, **context}
        self.render_mail(template_prefix, email, {**context, **mail_context(current_tenant(optional=True))}).send()
