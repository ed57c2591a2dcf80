"""django-allauth glue."""

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from tenants.context import current_tenant
from tenants.urls_external import portal_url, root_url


def site_link(url: str) -> str:
    """A link for an e-mail: the path (and query) of `url` on the current portal's host, or the root site's,
    with SITE_SCHEME and SITE_PORT. Never the request's scheme, host or port: those are whatever the client
    sent (a `Host: demo.localhost:9999` header, a proxy's internal port)."""
    parts = urlsplit(url)
    path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    tenant = current_tenant(optional=True)
    return portal_url(tenant, path) if tenant is not None else root_url(path)


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up through allauth, on any host: provider accounts come from the signup flow on the root
    site and portal accounts from invitations. Links and names in allauth's e-mails are those of the portal the
    account belongs to, even when the e-mail is sent from the root site (right after signup)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return site_link(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        """allauth builds the link from the request (its Host, port included); ours follows the settings."""
        return site_link(str(super().get_reset_password_from_key_url(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        tenant = current_tenant(optional=True)
        if tenant is not None:
            context["current_site"] = SimpleNamespace(name=tenant.portal_name, domain=portal_url(tenant))
            context["tenant"] = tenant
        for key, value in list(context.items()):  # links allauth built from the request (signup, password reset)
            if key.endswith("_url") and isinstance(value, str):
                context[key] = site_link(value)
        super().send_mail(template_prefix, email, context)
