"""Reminders of decisions waiting: a deliverable submitted longer ago than the portal's delay is brought to the
attention of those who may decide on it (the client's contacts whose role holds deliverables.approve), once per
delay and from scratch after a new submission; a delay of 0 sends nothing. Owners and admins set the delay on a
page of its own; Celery beat starts the reminders of every live portal."""

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import Subscription
from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent, Notification
from portal.engagements.models import Deliverable, EngagementSettings, Outcome
from portal.engagements.services import engagement_settings, engagement_settings_save, remind_waiting_decisions
from portal.engagements.tasks import dispatch_reminders_task
from tenants.models import Tenant
from tests.portal.demo_people import adam, carla, frank, hana, mia, olivia, paula, victor
from tests.portal.engagements.test_deliverables import add_version, decide, latest, submit, submitted

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]
DAY = datetime.timedelta(days=1)
SETTINGS_URL = "/approvals/settings/"


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema, whose own waiting deliverables are kept out of the way."""
    Deliverable.objects.update(reminded_at=timezone.now() + 365 * DAY)


def waiting() -> tuple[Deliverable, datetime.datetime]:
    """A deliverable submitted now, and when."""
    deliverable = submitted()
    assert deliverable.submitted_at is not None
    return deliverable, deliverable.submitted_at


def reminders(deliverable: Deliverable) -> Any:
    return ActivityEvent.objects.filter(
        verb="deliverable.decision_waiting", target_type="engagements.deliverable", target_id=deliverable.pk
    )


def set_delay(days: int) -> None:
    engagement_settings_save(actor=actor_for(olivia()), decision_reminder_days=days)


# --- the service ---------------------------------------------------------------------------------------------


def test_a_decision_waiting_longer_than_the_delay_is_reminded_to_those_who_may_decide_only(told: Told) -> None:
    deliverable, at = waiting()
    now = at + 2 * DAY + datetime.timedelta(minutes=1)  # the default delay is 2 days
    mail.outbox.clear()

    with told():
        assert remind_waiting_decisions(now=now) == 1

    [event] = reminders(deliverable)
    assert event.actor_id is None  # the system
    told_people = set(Notification.objects.filter(event=event).values_list("user__email", flat=True))
    assert told_people == {carla().email, paula().email}  # client admin, project lead: they may approve
    for not_told in (victor(), frank(), mia(), olivia(), adam(), hana()):  # viewer, finance, staff, another client
        assert not_told.email not in told_people
    emailed = {address for message in mail.outbox for address in message.to}
    assert emailed == told_people
    page = reverse("engagements:deliverable", kwargs={"deliverable_id": deliverable.pk})
    assert all(page in str(message.body) for message in mail.outbox)  # the e-mail links to the deliverable
    assert all("still waiting for your decision" in str(message.subject) for message in mail.outbox)
    deliverable.refresh_from_db()
    assert deliverable.reminded_at == now


def test_a_reminder_is_sent_once_per_delay(told: Told) -> None:
    deliverable, at = waiting()
    first = at + 2 * DAY + datetime.timedelta(minutes=1)

    assert remind_waiting_decisions(now=first) == 1
    assert remind_waiting_decisions(now=first) == 0  # the next sweep
    assert remind_waiting_decisions(now=first + DAY) == 0  # still within the delay since the reminder
    assert remind_waiting_decisions(now=first + 2 * DAY) == 1  # another delay passed, still waiting
    assert reminders(deliverable).count() == 2


def test_nothing_is_sent_before_the_delay() -> None:
    deliverable, at = waiting()

    assert remind_waiting_decisions(now=at + 2 * DAY - datetime.timedelta(minutes=1)) == 0
    assert not reminders(deliverable).exists()
    deliverable.refresh_from_db()
    assert deliverable.reminded_at is None


def test_the_portals_delay_is_used_and_0_sends_nothing() -> None:
    deliverable, at = waiting()
    set_delay(5)
    assert remind_waiting_decisions(now=at + 4 * DAY) == 0
    assert remind_waiting_decisions(now=at + 5 * DAY) == 1

    set_delay(0)
    assert remind_waiting_decisions(now=at + 60 * DAY) == 0
    assert reminders(deliverable).count() == 1


def test_a_decided_deliverable_is_not_reminded() -> None:
    deliverable, at = waiting()
    decide(carla(), deliverable, latest(deliverable), Outcome.APPROVED)

    assert remind_waiting_decisions(now=at + 10 * DAY) == 0
    assert not reminders(deliverable).exists()


def test_a_new_submission_starts_the_clock_again() -> None:
    deliverable, at = waiting()
    assert remind_waiting_decisions(now=at + 3 * DAY) == 1
    decide(paula(), deliverable, latest(deliverable), Outcome.CHANGES_REQUESTED, "Use the new logo.")
    add_version(deliverable, b"Version two, with the new logo.\n")

    again = submit(deliverable)

    assert again.reminded_at is None
    assert again.submitted_at is not None
    assert remind_waiting_decisions(now=again.submitted_at + DAY) == 0
    assert remind_waiting_decisions(now=again.submitted_at + 2 * DAY) == 1
    assert reminders(deliverable).count() == 2


# --- the tasks -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "read_only"])
def test_the_dispatcher_starts_the_reminders_of_portals_that_accept_writes_only(
    status: str, other: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a read-only or suspended portal nobody can decide: no reminder."""
    started: list[str] = []
    monkeypatch.setattr(
        "portal.engagements.tasks.remind_task.delay",
        lambda: started.append(connection.schema_name),  # type: ignore[attr-defined]
    )
    assert dispatch_reminders_task() == len(started)
    assert {"demo", "other"} <= set(started)

    started.clear()
    Subscription.objects.filter(tenant=other).update(status=status)
    dispatch_reminders_task()
    assert "demo" in started
    assert "other" not in started


def test_the_tenant_task_reminds_in_its_own_portal(told: Told) -> None:
    deliverable, _at = waiting()
    Deliverable.objects.filter(pk=deliverable.pk).update(submitted_at=timezone.now() - 3 * DAY)

    with told():  # tasks run here and at once, each in the schema it was sent for
        dispatch_reminders_task()

    assert reminders(deliverable).count() == 1


# --- the settings page ---------------------------------------------------------------------------------------


def test_owners_and_admins_set_the_delay(as_user: Callable[[Any], Client], told: Told) -> None:
    assert reverse("engagements:settings") == SETTINGS_URL
    page = as_user(olivia()).get(SETTINGS_URL)
    assert page.status_code == 200
    assert 'name="decision_reminder_days"' in page.content.decode()
    notifications = Notification.objects.count()

    with told():
        response = as_user(adam()).post(SETTINGS_URL, {"decision_reminder_days": "7"})

    assert response.status_code == 302
    assert engagement_settings().decision_reminder_days == 7
    event = ActivityEvent.objects.filter(verb="engagements.settings_changed").latest("pk")
    assert event.actor_id == adam().pk
    assert event.data == {"decision_reminder_days": [2, 7]}
    assert Notification.objects.count() == notifications  # audit-only: history, not news


@pytest.mark.parametrize("value", ["31", "-1", "", "two"])
def test_a_delay_out_of_range_is_refused_with_a_form_error(as_user: Callable[[Any], Client], value: str) -> None:
    response = as_user(olivia()).post(SETTINGS_URL, {"decision_reminder_days": value})

    assert response.status_code == 400
    assert response.context["form"].errors["decision_reminder_days"]
    assert engagement_settings().decision_reminder_days == 2
    assert not ActivityEvent.objects.filter(verb="engagements.settings_changed").exists()


@pytest.mark.parametrize("who", [carla, paula, victor, mia])
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_settings_page_is_refused_to_contacts_and_staff_members(
    as_user: Callable[[Any], Client], who: Callable[[], User], method: str
) -> None:
    response = getattr(as_user(who()), method)(SETTINGS_URL, {"decision_reminder_days": "0"})

    assert response.status_code == 404
    assert engagement_settings().decision_reminder_days == 2


def test_the_turnaround_page_links_to_the_settings_for_those_who_manage_the_portal(
    as_user: Callable[[Any], Client],
) -> None:
    turnaround = reverse("engagements:turnaround")
    button = f'<a href="{SETTINGS_URL}" class="btn btn-ghost'

    assert button in as_user(olivia()).get(turnaround).content.decode()
    assert button not in as_user(mia()).get(turnaround).content.decode()


def test_the_portal_section_of_the_navigation_lists_the_page_for_those_who_manage_the_portal(
    as_user: Callable[[Any], Client],
) -> None:
    def urls(person: User) -> list[str]:
        sections = as_user(person).get("/").context["nav_sections"]
        return [item.url for section in sections for item in section.items]

    assert SETTINGS_URL in urls(adam())
    assert SETTINGS_URL not in urls(mia())


def test_the_settings_are_one_row_made_with_the_defaults() -> None:
    EngagementSettings.objects.all().delete()

    assert engagement_settings().decision_reminder_days == 2
    assert engagement_settings().pk == 1
    assert EngagementSettings.objects.count() == 1
