"""The first-run checklist on a new portal's home page, shown to owners and admins until every step is done.

Each step says how to tell it is done; steps whose feature arrives later (inviting clients, publishing
documents) register their link and check when it lands, and show as upcoming until then."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    hint: str | Promise
    url_name: str | None
    is_done: Callable[[Any, Any], bool]

    def url(self) -> str | None:
        return reverse(self.url_name) if self.url_name else None


def _email_verified(user: Any, tenant: Any) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def _branded(user: Any, tenant: Any) -> bool:
    return bool(tenant.logo)


def _not_available_yet(user: Any, tenant: Any) -> bool:
    return False


STEPS: list[Step] = [
    Step("verify", _("Verify your e-mail address"), _("Open the link we sent you."), "account_email", _email_verified),
    Step("brand", _("Brand your portal"), _("Add your logo and colour."), "branding:settings", _branded),
    Step("invite", _("Invite a client"), _("Coming with client management."), None, _not_available_yet),
    Step("publish", _("Publish a document"), _("Coming with documents."), None, _not_available_yet),
]


def checklist_for(user: Any, tenant: Any) -> list[dict[str, Any]]:
    return [{"step": step, "done": step.is_done(user, tenant), "url": step.url()} for step in STEPS]
