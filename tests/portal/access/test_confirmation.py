"""Destructive actions ask first: every view marked `@destructive` answers a GET, or a POST without `confirmed=1`,
with a confirmation page and changes nothing; with `confirmed=1` it acts.

`CASES` holds, for each marked view, a person allowed to act and an object to act on, and how to tell whether it
was acted on. The walk over both URLconfs fails when a marked view has no case (add one with the view) and when a
view whose URL name says it deletes, archives, deactivates, revokes or ends something is not marked."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.models import User, UserSession
from operators.demo import DEMO_STAFF
from portal.access.confirm import is_destructive
from portal.access.models import Invitation, StaffMembership
from portal.access.policy import SYSTEM, actor_for
from portal.api.models import ApiKey
from portal.api.services import api_key_create
from portal.clients.models import ClientOrg, Contact
from portal.documents.models import Document
from portal.requests.models import Holiday, RequestType, RoutingRule
from portal.requests.services import holiday_add, routing_rule_save
from portal.webhooks.models import WebhookEndpoint
from portal.webhooks.services import endpoint_create
from tests.portal.access.test_guards import views_of
from tests.portal.conftest import HOST
from tests.portal.requests.support import make_type

pytestmark = pytest.mark.django_db

DESTRUCTIVE_WORDS = ("delete", "archive", "deactivate", "revoke", "end_", "remove")


@dataclass
class Prepared:
    client: Client
    url: str
    acted: Callable[[], bool]  # has the action happened?


def _signed_in(email: str) -> Client:
    client = Client(headers={"host": HOST})
    client.force_login(User.objects.get(email=email))
    return client


def _owner() -> Client:
    return _signed_in(DEMO_STAFF[0].email)


def _delete_document() -> Prepared:
    document = Document.objects.order_by("pk").first()
    assert document is not None
    url = reverse("documents:delete", kwargs={"document_id": document.pk})
    return Prepared(_owner(), url, lambda: not Document.objects.filter(pk=document.pk).exists())


def _archive_client() -> Prepared:
    org = ClientOrg.objects.filter(archived_at__isnull=True).order_by("pk").first()
    assert org is not None
    url = reverse("clients:archive", kwargs={"org_id": org.pk})
    return Prepared(_owner(), url, lambda: ClientOrg.objects.get(pk=org.pk).archived_at is not None)


def _deactivate_contact() -> Prepared:
    contact = Contact.objects.filter(user__is_active=True, user__email="victor.viewer@contoso.example").get()
    url = reverse("clients:contact_deactivate", kwargs={"org_id": contact.client_org_id, "contact_id": contact.pk})
    return Prepared(_owner(), url, lambda: not User.objects.get(pk=contact.user_id).is_active)


def _deactivate_staff() -> Prepared:
    membership = StaffMembership.objects.exclude(user__email=DEMO_STAFF[0].email).order_by("pk").first()
    assert membership is not None
    url = reverse("access:staff_deactivate", kwargs={"membership_id": membership.pk})
    return Prepared(_owner(), url, lambda: not User.objects.get(pk=membership.user_id).is_active)


def _revoke_invitation() -> Prepared:
    now = timezone.now()
    invitation = Invitation.objects.create(
        email="new.person@example.com", kind="staff", staff_role="member", token_hash="c" * 64,
        sent_at=now, expires_at=now + timedelta(days=7),
    )  # fmt: skip
    url = reverse("access:revoke", kwargs={"invitation_id": invitation.pk})
    return Prepared(_owner(), url, lambda: Invitation.objects.get(pk=invitation.pk).revoked_at is not None)


def _other_session_of_the_owner() -> tuple[Client, UserSession]:
    elsewhere = _owner()  # another browser of the same person
    key = elsewhere.session.session_key
    return _owner(), UserSession.objects.get(session_key=key)


def _end_session() -> Prepared:
    client, other = _other_session_of_the_owner()
    url = reverse("access:end_session", kwargs={"session_id": other.public_id})
    return Prepared(client, url, lambda: not UserSession.objects.filter(session_key=other.session_key).exists())


def _end_other_sessions() -> Prepared:
    client, other = _other_session_of_the_owner()
    url = reverse("access:end_other_sessions")
    return Prepared(client, url, lambda: not UserSession.objects.filter(session_key=other.session_key).exists())


def _withdraw_request_type() -> Prepared:
    request_type = make_type("Withdrawn soon")
    url = reverse("requests:type_archive", kwargs={"type_id": request_type.pk})
    return Prepared(_owner(), url, lambda: RequestType.objects.get(pk=request_type.pk).archived_at is not None)


def _delete_routing_rule() -> Prepared:
    owner = User.objects.get(email=DEMO_STAFF[0].email)
    rule = routing_rule_save(
        actor=SYSTEM, rule=None, request_type=None, client_org=None, field_key="", value="", assignee=owner
    )
    url = reverse("requests:routing_delete", kwargs={"rule_id": rule.pk})
    return Prepared(_owner(), url, lambda: not RoutingRule.objects.filter(pk=rule.pk).exists())


def _remove_holiday() -> Prepared:
    holiday = holiday_add(actor=SYSTEM, date=date(2031, 3, 6), name="Away day")
    url = reverse("requests:holiday_delete", kwargs={"holiday_id": holiday.pk})
    return Prepared(_owner(), url, lambda: not Holiday.objects.filter(pk=holiday.pk).exists())


def _revoke_api_key() -> Prepared:
    key, _token = api_key_create(actor=SYSTEM, name="ERP", scopes=["clients:read"], all_clients=True, clients=[])
    url = reverse("api_keys:revoke", kwargs={"api_key_id": key.pk})
    return Prepared(_owner(), url, lambda: ApiKey.objects.get(pk=key.pk).revoked_at is not None)


def _delete_webhook_endpoint() -> Prepared:
    with override_settings(WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOW_LOOPBACK=True):  # an IP literal: no DNS lookup
        endpoint, _secret = endpoint_create(
            actor=actor_for(User.objects.get(email=DEMO_STAFF[0].email)), url="http://127.0.0.1:9/hook",
            description="ERP", event_types=["comment.added"], all_clients=True, clients=[],
        )  # fmt: skip
    url = reverse("webhooks:delete", kwargs={"endpoint_id": endpoint.pk})
    return Prepared(_owner(), url, lambda: not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists())


CASES: dict[str, Callable[[], Prepared]] = {
    "api_keys:revoke": _revoke_api_key,
    "webhooks:delete": _delete_webhook_endpoint,
    "requests:type_archive": _withdraw_request_type,
    "requests:routing_delete": _delete_routing_rule,
    "requests:holiday_delete": _remove_holiday,
    "documents:delete": _delete_document,
    "clients:archive": _archive_client,
    "clients:contact_deactivate": _deactivate_contact,
    "access:staff_deactivate": _deactivate_staff,
    "access:revoke": _revoke_invitation,
    "access:end_session": _end_session,
    "access:end_other_sessions": _end_other_sessions,
}


def _all_views() -> list[tuple[str | None, Any]]:
    views = []
    for urlconf in ("config.urls_tenant", "config.urls_public"):
        views += [(name, view) for _route, name, _kwargs, view in views_of(get_resolver(urlconf).url_patterns)]
    return views


def test_every_destructive_view_has_a_case_here() -> None:
    marked = {name for name, view in _all_views() if is_destructive(view)}

    assert marked == set(CASES)


def test_every_view_named_for_a_destructive_action_is_marked() -> None:
    def says_destructive(name: str | None) -> bool:
        if not name or name.startswith(("account_", "mfa_", "api:")):  # an API call is its system's own decision
            return False
        return any(word in name.split(":")[-1] for word in DESTRUCTIVE_WORDS)

    unmarked = [name for name, view in _all_views() if says_destructive(name) and not is_destructive(view)]

    assert unmarked == []  # allauth's own views (account_*, mfa_*) confirm through <c-confirm> in their templates


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_destructive_view_asks_first_and_acts_only_when_confirmed(name: str, in_demo: Any) -> None:
    prepared = CASES[name]()

    asked = prepared.client.get(prepared.url)
    refused = prepared.client.post(prepared.url, {"note": "kept"})

    for response in (asked, refused):
        assert response.status_code == 200
        assert response.templates[0].name == "portal/confirm.html"
        assert b'name="confirmed" value="1"' in response.content
    assert b'name="note" value="kept"' in refused.content  # the confirmation posts the same fields back
    assert not prepared.acted()

    confirmed = prepared.client.post(prepared.url, {"confirmed": "1"})

    assert confirmed.status_code == 302
    assert prepared.acted()
