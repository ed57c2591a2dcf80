"""The first-run checklist on a new portal's home page, shown to owners and admins until every step is done.

Each step says how to tell it is done and links to where to do it, both from the person looking (the actor):
the checks read through `portal.access` and the history like every other page. The dashboard may not import
the documents app (sibling features stay independent, pyproject's import contracts), so "a document was
published" is asked of the history, where every publication is recorded."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.access.models import InvitationKind
from portal.access.policy import Actor, client_orgs_for
from portal.activity.selectors import events_for


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    hint: str | Promise
    is_done: Callable[[Actor, Any], bool]
    link: Callable[[Actor], str | None]


def _email_verified(actor: Actor, tenant: Any) -> bool:
    return EmailAddress.objects.filter(user=actor.user, verified=True).exists()


def _branded(actor: Actor, tenant: Any) -> bool:
    return bool(tenant.logo)


def _with_people() -> Q:
    """An organisation someone of the client was brought into: an active contact, or an invitation that can
    still be accepted (sent, neither revoked nor expired; an accepted one made a contact)."""
    pending = Q(
        invitation__kind=InvitationKind.CONTACT,
        invitation__accepted_at__isnull=True,
        invitation__revoked_at__isnull=True,
        invitation__expires_at__gt=timezone.now(),
    )
    return Q(contacts__user__is_active=True) | pending


def _client_invited(actor: Actor, tenant: Any) -> bool:
    return client_orgs_for(actor).filter(_with_people()).exists()


def _invite_link(actor: Actor) -> str:
    """Invite into the first client (by name: while the step is to do, none has anyone); with none, add one."""
    org = client_orgs_for(actor).order_by("name").first()
    if org is None:
        return reverse("clients:create")
    return reverse("clients:invite", kwargs={"org_id": org.pk})


def _document_published(actor: Actor, tenant: Any) -> bool:
    return events_for(actor, verb="document.published").exists()


def _publish_link(actor: Actor) -> str:
    """The documents of the first client (by name); with no client, add one first."""
    org = client_orgs_for(actor).order_by("name").first()
    if org is None:
        return reverse("clients:create")
    return reverse("documents:list", kwargs={"org_id": org.pk})


STEPS: list[Step] = [
    Step(
        "verify", _("Verify your e-mail address"), _("Open the link we sent you."), _email_verified,
        lambda actor: reverse("account_email"),
    ),
    Step(
        "brand", _("Brand your portal"), _("Add your logo and colour."), _branded,
        lambda actor: reverse("branding:settings"),
    ),
    Step(
        "invite", _("Invite a client"),
        _("Add a client organisation and invite its first contact: they see only what concerns them."),
        _client_invited, _invite_link,
    ),
    Step(
        "publish", _("Publish a document"),
        _("Share a report or a contract in a client's documents: their contacts are told it arrived."),
        _document_published, _publish_link,
    ),
]  # fmt: skip


def checklist_for(actor: Actor, tenant: Any) -> list[dict[str, Any]]:
    """Every step, done or not, with where to do it (the links of steps still to do only)."""
    items = []
    for step in STEPS:
        done = step.is_done(actor, tenant)
        items.append({"step": step, "done": done, "url": None if done else step.link(actor)})
    return items
