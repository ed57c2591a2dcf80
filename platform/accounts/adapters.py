"""django-allauth glue."""

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection
from django.http import HttpRequest
from django.urls import reverse

from tenants.urls_external import portal_url


def current_tenant() -> Any:
    """The Tenant the connection works for, or None on the public schema."""
    tenant = getattr(connection, "tenant", None)
    return tenant if getattr(tenant, "pk", None) else None


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up through allauth, on any host: provider accounts come from the signup flow on the root
    site and portal accounts from invitations. Links and names in allauth's e-mails are those of the portal the
    account belongs to, even when the e-mail is sent from the root site (right after signup)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        tenant = current_tenant()
        if tenant is None:
            return str(super().get_email_confirmation_url(request, emailconfirmation))
        path = reverse("account_confirm_email", args=[emailconfirmation.key])
        return portal_url(tenant, path, request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        tenant = current_tenant()
        if tenant is not None:
            context["current_site"] = SimpleNamespace(name=tenant.portal_name, domain=portal_url(tenant))
            context["tenant"] = tenant
        super().send_mail(template_prefix, email, context)
