"""SLA clocks on real requests: due times set at submission in the portal's business hours (weekends and holidays
skipped), the resolution clock stopped while the request waits on the client, the elapsed business seconds
stored at the first response and the resolution, the assignee's reminders before a due time, and the overdue flag
of the staff queue."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from portal.access.policy import SYSTEM, actor_for
from portal.activity.models import ActivityEvent
from portal.conversations.services import comment_add
from portal.requests import services
from portal.requests.models import ClientRequest, Holiday, RequestType, Status
from portal.requests.selectors import overdue_condition
from portal.requests.services import remind_due, request_change_status, service_hours_save
from tenants.models import Tenant
from tests.portal.demo_people import paula, user
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
HOUR = 3600
# Monday 12 January 2026 is the portal's holiday; Friday the 9th comes before the weekend and the holiday.
HOLIDAY = dt.date(2026, 1, 12)


def paris(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of 2026 on the wall clock of Paris (winter time: UTC+1)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def mia() -> User:
    """Contoso Retail's account manager: its requests are assigned to her."""
    return user("mia.member@northwind.example")


def office_hours(*, calendar_hours: bool = False, remind_before_hours: int = 2) -> None:
    """Paris, Monday to Friday, 09:00-17:00 (8-hour days), saved as staff save them."""
    values = {
        "time_zone": "Europe/Paris", "working_days": [0, 1, 2, 3, 4], "opens": dt.time(9), "closes": dt.time(17),
        "calendar_hours": calendar_hours, "country": "", "reopen_days": 7, "remind_before_hours": remind_before_hours,
    }  # fmt: skip
    service_hours_save(actor=SYSTEM, values=values)


class Clock:
    """Sets the time the services read (`timezone.now`) for each step of a test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def at(self, moment: dt.datetime) -> None:
        self.monkeypatch.setattr(services.timezone, "now", lambda: moment)


@pytest.fixture
def clock(in_demo: Tenant, monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def sla_type(in_demo: Tenant) -> RequestType:
    """First response within 4 business hours, resolution within 16."""
    office_hours()
    Holiday.objects.create(date=HOLIDAY, name="Company day")
    return make_type("SLA type", first_response_hours=4, resolution_hours=16)


def move(request: ClientRequest, to_status: str, by: User | None = None) -> ClientRequest:
    return request_change_status(actor=actor_for(by or mia()), request=request, to_status=to_status)


def fresh(request: ClientRequest) -> ClientRequest:
    return ClientRequest.objects.get(pk=request.pk)


# --- due times at submission -------------------------------------------------------------------------------------


def test_due_times_count_business_hours_skipping_the_weekend_and_the_holiday(
    sla_type: RequestType, clock: Clock
) -> None:
    clock.at(paris(1, 9, 16))  # Friday 16:00: one working hour left that day

    request = submit(paula(), sla_type)

    # 1 h on Friday; the weekend and Monday's holiday are skipped; 3 h on Tuesday → Tuesday 12:00 in Paris.
    assert request.first_response_due == utc(1, 13, 11)
    # 1 h on Friday, 8 h on Tuesday, 7 h on Wednesday → Wednesday 16:00 in Paris.
    assert fresh(request).resolution_due == utc(1, 14, 15)
    assert request.created_at == paris(1, 9, 16)
    assert request.assignee == mia()


def test_due_times_with_calendar_hours_are_plain_additions(sla_type: RequestType, clock: Clock) -> None:
    office_hours(calendar_hours=True)
    clock.at(paris(1, 9, 16))

    request = fresh(submit(paula(), sla_type))

    assert request.first_response_due == paris(1, 9, 16) + dt.timedelta(hours=4)
    assert request.resolution_due == paris(1, 9, 16) + dt.timedelta(hours=16)  # Saturday 08:00, holiday or not


def test_a_type_without_targets_sets_no_due_times(sla_type: RequestType, clock: Clock) -> None:
    no_targets = make_type("Best effort", first_response_hours=None, resolution_hours=None)
    clock.at(paris(1, 9, 16))

    request = fresh(submit(paula(), no_targets))

    assert (request.first_response_due, request.resolution_due) == (None, None)


# --- the clock stops while waiting on the client -----------------------------------------------------------------


@pytest.mark.parametrize("resumed_by", ["client comment", "staff move"])
def test_time_waiting_on_the_client_does_not_count_toward_resolution(
    sla_type: RequestType, clock: Clock, resumed_by: str
) -> None:
    clock.at(paris(1, 5, 10))  # Monday 10:00
    request = submit(paula(), sla_type)
    # 7 h on Monday, 8 h on Tuesday, 1 h on Wednesday.
    assert fresh(request).resolution_due == paris(1, 7, 10)

    clock.at(paris(1, 5, 12))  # T1: Monday 12:00, staff ask the client (2 business hours in)
    waiting = move(request, Status.WAITING_ON_CLIENT)
    assert waiting.resolution_due is None  # the clock is stopped: nothing is due
    assert fresh(request).resolution_due is None
    assert (waiting.first_response_at, waiting.first_response_seconds) == (paris(1, 5, 12), 2 * HOUR)

    clock.at(paris(1, 6, 10))  # T2: Tuesday 10:00; waited 5 h on Monday + 1 h on Tuesday
    if resumed_by == "client comment":
        comment_add(actor=actor_for(paula()), target=request, body="Here is what you asked for.")
    else:
        move(request, Status.IN_PROGRESS)
    resumed = fresh(request)
    assert resumed.status == Status.IN_PROGRESS
    waited = services.calendar().between(paris(1, 5, 12), paris(1, 6, 10))
    assert waited == dt.timedelta(hours=6)
    # Moved by exactly the business time waited: Wednesday 10:00 + 6 business hours = Wednesday 16:00.
    assert resumed.resolution_due == services.calendar().add(paris(1, 7, 10), waited) == paris(1, 7, 16)
    assert resumed.first_response_seconds == 2 * HOUR  # the first response stays the first

    clock.at(paris(1, 7, 12))  # T3: Wednesday 12:00
    resolved = move(request, Status.RESOLVED)

    # Monday 10-17 (7 h) + Tuesday (8 h) + Wednesday 9-12 (3 h) = 18 h, minus the 6 h waited.
    assert resolved.resolution_seconds == 12 * HOUR
    assert resolved.resolved_at == paris(1, 7, 12)
    assert fresh(request).resolution_due is None  # nothing is due once resolved
    # The wait, then the clock standing from the resolution on (a reopen would resume it).
    assert services.waiting_periods(resolved) == [(paris(1, 5, 12), paris(1, 6, 10)), (paris(1, 7, 12), None)]


def test_two_waits_are_both_left_out_of_the_resolution_time(sla_type: RequestType, clock: Clock) -> None:
    clock.at(paris(1, 5, 9))  # Monday 09:00
    request = submit(paula(), sla_type)
    for moment, status in [
        (paris(1, 5, 10), Status.IN_PROGRESS),
        (paris(1, 5, 11), Status.WAITING_ON_CLIENT),  # waits 2 h
        (paris(1, 5, 13), Status.IN_PROGRESS),
        (paris(1, 5, 15), Status.WAITING_ON_CLIENT),  # waits 2 h on Monday, the night, 1 h on Tuesday
        (paris(1, 6, 10), Status.IN_PROGRESS),
    ]:
        clock.at(moment)
        move(request, status)
    # 16 h from Monday 09:00, plus the 5 business hours waited: Tuesday 17:00 + 5 h = Wednesday 14:00.
    assert fresh(request).resolution_due == paris(1, 7, 14)

    clock.at(paris(1, 6, 12))
    resolved = move(request, Status.RESOLVED)

    assert resolved.resolution_seconds == (8 + 3 - 5) * HOUR
    assert resolved.first_response_seconds == 1 * HOUR  # the first staff move, Monday 10:00


def test_first_response_is_the_first_public_staff_comment_not_a_note_nor_the_clients_comment(
    sla_type: RequestType, clock: Clock
) -> None:
    clock.at(paris(1, 9, 16))  # Friday 16:00
    request = submit(paula(), sla_type)

    clock.at(paris(1, 9, 16, 30))
    comment_add(actor=actor_for(mia()), target=request, body="Internal: check the budget.", internal=True)
    clock.at(paris(1, 9, 16, 45))
    comment_add(actor=actor_for(paula()), target=request, body="Any news?")
    assert fresh(request).first_response_at is None

    clock.at(paris(1, 13, 9, 30))  # Tuesday 09:30, after the weekend and Monday's holiday
    comment_add(actor=actor_for(mia()), target=request, body="On it.")
    clock.at(paris(1, 13, 11))
    move(request, Status.IN_PROGRESS)

    answered = fresh(request)
    assert answered.first_response_at == paris(1, 13, 9, 30)
    assert answered.first_response_seconds == 90 * 60  # 1 h on Friday + 30 min on Tuesday
    assert answered.status == Status.IN_PROGRESS


# --- reminders ---------------------------------------------------------------------------------------------------


def due_soon(request: ClientRequest) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(verb="request.due_soon", target_id=request.pk).order_by("id"))


def test_the_assignee_is_reminded_once_of_each_due_time_within_the_window(sla_type: RequestType, clock: Clock) -> None:
    clock.at(paris(1, 5, 10))  # Monday 10:00: first response due 14:00, resolution due Wednesday 10:00
    request = submit(paula(), sla_type)

    assert remind_due(now=paris(1, 5, 11, 59)) == 0  # 14:00 is more than 2 h away
    assert due_soon(request) == []

    assert remind_due(now=paris(1, 5, 12, 30)) == 1
    [reminder] = due_soon(request)
    assert reminder.data == {
        "recipients": [mia().pk], "due": "first_response", "due_at": utc(1, 5, 13).isoformat(),
    }  # fmt: skip
    assert reminder.actor_id is None  # the system

    assert remind_due(now=paris(1, 5, 12, 30)) == 0  # once only
    assert remind_due(now=paris(1, 5, 13, 45)) == 0
    assert len(due_soon(request)) == 1

    # The resolution is its own due time, reminded separately (the first response, now missed, is not again).
    assert remind_due(now=paris(1, 7, 8, 30)) == 1
    first, second = due_soon(request)
    assert first.data["due"] == "first_response"
    assert second.data == {"recipients": [mia().pk], "due": "resolution", "due_at": utc(1, 7, 9).isoformat()}
    assert remind_due(now=paris(1, 7, 9, 30)) == 0
    assert len(due_soon(request)) == 2
    stored = fresh(request)
    assert (stored.first_response_reminded, stored.resolution_reminded) == (True, True)


def test_both_due_times_in_the_window_are_two_reminders(sla_type: RequestType, clock: Clock) -> None:
    quick = make_type("Quick fix", first_response_hours=1, resolution_hours=2)
    clock.at(paris(1, 5, 10))  # first response due 11:00, resolution due 12:00
    request = submit(paula(), quick)

    assert remind_due(now=paris(1, 5, 10, 5)) == 2

    assert sorted(event.data["due"] for event in due_soon(request)) == ["first_response", "resolution"]
    assert all(event.data["recipients"] == [mia().pk] for event in due_soon(request))


def test_no_reminder_past_the_due_time_nor_without_an_assignee_nor_once_answered_or_resolved(
    sla_type: RequestType, clock: Clock
) -> None:
    clock.at(paris(1, 5, 10))
    late = submit(paula(), sla_type, subject="Already late")  # first response due Monday 14:00
    clock.at(paris(1, 5, 13))  # first responses due Monday 17:00
    unassigned = submit(paula(), sla_type, subject="Nobody's")
    ClientRequest.objects.filter(pk=unassigned.pk).update(assignee=None)
    answered = submit(paula(), sla_type, subject="Answered")
    clock.at(paris(1, 5, 13, 30))
    move(answered, Status.IN_PROGRESS)
    resolved = submit(paula(), sla_type, subject="Resolved")
    move(resolved, Status.RESOLVED)

    # Monday 15:30 (the window runs to 17:30): `late` missed 14:00, `unassigned` has nobody to tell, `answered`
    # was answered (its resolution is due on Wednesday), `resolved` is resolved.
    assert remind_due(now=paris(1, 5, 15, 30)) == 0
    for request in (late, unassigned, answered, resolved):
        assert due_soon(request) == []

    ClientRequest.objects.filter(pk=unassigned.pk).update(assignee=mia())
    assert remind_due(now=paris(1, 5, 15, 30)) == 1  # the same request, once someone has it
    assert [event.data["due"] for event in due_soon(unassigned)] == ["first_response"]
    assert due_soon(late) == []


# --- overdue -----------------------------------------------------------------------------------------------------


def overdue_ids(now: dt.datetime) -> set[int]:
    return set(ClientRequest.objects.filter(overdue_condition(now)).values_list("pk", flat=True))


def test_overdue_is_a_missed_first_response_or_a_missed_resolution_while_open(
    sla_type: RequestType, clock: Clock
) -> None:
    clock.at(paris(1, 5, 10))  # first response due Monday 14:00, resolution due Wednesday 10:00
    unanswered = submit(paula(), sla_type, subject="Unanswered")
    answered = submit(paula(), sla_type, subject="Answered")
    resolved = submit(paula(), sla_type, subject="Resolved late")
    waiting = submit(paula(), sla_type, subject="Waiting")
    clock.at(paris(1, 5, 11))
    for request in (answered, resolved, waiting):
        move(request, Status.IN_PROGRESS)
    clock.at(paris(1, 6, 10))
    move(waiting, Status.WAITING_ON_CLIENT)
    mine = {unanswered.pk, answered.pk, resolved.pk, waiting.pk}

    def overdue_at(now: dt.datetime) -> set[int]:
        flagged = {request.pk for request in ClientRequest.objects.filter(pk__in=mine) if request.overdue(now)}
        assert overdue_ids(now) & mine == flagged  # the queue's filter and the request's flag agree
        return flagged

    assert overdue_at(paris(1, 5, 13, 59)) == set()
    assert overdue_at(paris(1, 5, 14, 1)) == {unanswered.pk}  # its first response is late
    # Wednesday 10:01: the open ones missed their resolution, but the one waiting on the client has nothing due.
    assert overdue_at(paris(1, 7, 10, 1)) == {unanswered.pk, answered.pk, resolved.pk}

    clock.at(paris(1, 7, 11))
    move(resolved, Status.RESOLVED)  # late, but resolved: no longer overdue

    assert overdue_at(paris(1, 7, 12)) == {unanswered.pk, answered.pk}
    assert overdue_at(paris(3, 2, 12)) == {unanswered.pk, answered.pk}


def test_a_reopened_request_does_not_count_the_days_it_sat_resolved(sla_type: RequestType, clock: Clock) -> None:
    clock.at(paris(1, 5, 9))  # Monday 09:00
    request = submit(paula(), sla_type, subject="Reopened")
    clock.at(paris(1, 5, 13))  # Monday 13:00: 4 business hours in
    move(request, Status.RESOLVED)
    clock.at(paris(1, 7, 9))  # Wednesday 09:00: two days later the requester reopens it
    services.request_change_status(actor=actor_for(paula()), request=fresh(request), to_status=Status.IN_PROGRESS)
    clock.at(paris(1, 7, 11))  # Wednesday 11:00
    resolved = move(request, Status.RESOLVED)

    assert resolved.resolution_seconds == 6 * HOUR  # 4 h before the first resolution + 2 h after the reopen


def test_a_new_assignee_is_reminded_in_turn(sla_type: RequestType, clock: Clock) -> None:
    clock.at(paris(1, 5, 10))  # Monday 10:00: first response due 14:00
    request = submit(paula(), sla_type)
    assert remind_due(now=paris(1, 5, 12, 30)) == 1  # Mia
    owner = User.objects.get(email="olivia.owner@northwind.example")
    services.request_assign(actor=actor_for(owner), request=fresh(request), assignee=owner)

    assert remind_due(now=paris(1, 5, 12, 45)) == 1
    assert [event.data["recipients"] for event in due_soon(request)] == [[mia().pk], [owner.pk]]
