"""An instant e-mail goes only to someone who may still see its event when it is sent: between the fan-out and the
send (a queue, retries backing off) a person may be deactivated, lose the capability or see their organisation
archived. Then nothing is sent, and the delivery is done, so no retry tries again."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail

from accounts.models import User
from portal.access.models import Role
from portal.access.policy import SYSTEM, actor_for
from portal.access.services import contact_change_role, person_deactivate
from portal.activity.models import Channel, Delivery
from portal.activity.tasks import send_event_email_task
from portal.clients.models import ClientOrg, Contact
from portal.conversations.services import comment_add
from portal.organisations.services import client_org_archive

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]
FRANK = "frank.finance@contoso.example"
CARLA = "carla.admin@contoso.example"
MIA = "mia.member@northwind.example"


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def lose_the_capability() -> None:
    """Frank's role becomes one that may not see the organisation (where the comment is)."""
    documents_only = Role.objects.create(name="Documents only", slug="documents-only",
                                         custom_capabilities=["documents.view"])  # fmt: skip
    contact_change_role(actor=SYSTEM, contact=Contact.objects.get(user__email=FRANK), role=documents_only)


def deactivate() -> None:
    person_deactivate(actor=SYSTEM, user=User.objects.get(email=FRANK))


def archive_the_organisation() -> None:
    client_org_archive(actor=SYSTEM, org=contoso())


@pytest.fixture
def queued(in_demo: Any, told: Told, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Paula comments on Contoso; the fan-out ran, and each person's e-mail is queued, not sent yet."""
    ids: list[int] = []
    monkeypatch.setattr("portal.activity.tasks.send_event_email_task.delay", ids.append)
    with told():
        comment_add(actor=actor_for(User.objects.get(email="paula.lead@contoso.example")), target=contoso(),
                    body="The plan for next week")  # fmt: skip
    deliveries = Delivery.objects.filter(pk__in=ids, channel=Channel.EMAIL)
    by_person = dict(deliveries.values_list("user__email", "pk"))
    assert {FRANK, CARLA, MIA} <= set(by_person)  # all three were told at fan-out
    assert mail.outbox == []
    return by_person


@pytest.mark.parametrize("change", [lose_the_capability, deactivate], ids=["role-changed", "deactivated"])
def test_a_person_who_may_no_longer_see_the_event_is_not_emailed(queued: dict[str, int], change: Any) -> None:
    change()

    assert send_event_email_task.apply(args=[queued[FRANK]]).get() is False
    assert send_event_email_task.apply(args=[queued[CARLA]]).get() is True

    assert [message.to for message in mail.outbox] == [[CARLA]]
    skipped = Delivery.objects.get(pk=queued[FRANK])
    assert skipped.sent_at is not None  # done: a retry or a duplicate message does not try again
    assert skipped.attempts == 1
    assert send_event_email_task.apply(args=[queued[FRANK]]).get() is False
    assert len(mail.outbox) == 1


def test_contacts_of_an_organisation_archived_since_are_not_emailed_but_its_staff_are(
    queued: dict[str, int],
) -> None:
    archive_the_organisation()

    for email in (FRANK, CARLA, MIA):
        send_event_email_task.apply(args=[queued[email]])

    assert [message.to for message in mail.outbox] == [[MIA]]
    sent = Delivery.objects.filter(pk__in=[queued[email] for email in (FRANK, CARLA, MIA)], sent_at__isnull=False)
    assert sent.count() == 3  # done, sent or not


def test_a_person_who_regains_access_before_the_send_is_emailed(queued: dict[str, int]) -> None:
    finance = Contact.objects.get(user__email=FRANK).role
    lose_the_capability()
    contact_change_role(actor=SYSTEM, contact=Contact.objects.get(user__email=FRANK), role=finance)

    assert send_event_email_task.apply(args=[queued[FRANK]]).get() is True
    assert [message.to for message in mail.outbox] == [[FRANK]]
