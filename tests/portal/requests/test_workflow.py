"""The status workflow of a request: only the moves of `workflow.MOVES`, each by the side that may make it, the
reopen window, the moves comments cause, staff's bulk change, the closing of old resolved requests, and the error
a person reads when a move is refused."""

import datetime
from collections.abc import Callable
from itertools import product
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent
from portal.conversations.services import comment_add
from portal.requests import workflow
from portal.requests.models import ClientRequest, RequestType, ServiceHours, Status, StatusChange
from portal.requests.selectors import service_hours
from portal.requests.services import RequestError, close_resolved, request_change_status
from tenants.models import Tenant
from tests.portal.demo_people import mia, paula, user
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]

LABELS = dict(Status.choices)
INVALID_MOVES = [
    (from_status, to_status)
    for from_status, to_status in product(Status.values, Status.values)
    if workflow.move(from_status, to_status) is None
]


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema."""


def a_type() -> RequestType:
    return make_type("Workflow test")


def paulas_request(request_type: RequestType | None = None, subject: str = "New landing page") -> ClientRequest:
    return submit(paula(), request_type or a_type(), subject=subject)


def put(request: ClientRequest, status: str, **values: Any) -> ClientRequest:
    """Set the request's status directly (no history), as if it had got there."""
    ClientRequest.objects.filter(pk=request.pk).update(status=status, **values)
    request.refresh_from_db()
    return request


def move(person: User, request: ClientRequest, to_status: str) -> ClientRequest:
    return request_change_status(actor=actor_for(person), request=request, to_status=to_status)


def history(request: ClientRequest) -> list[tuple[str, str]]:
    return list(StatusChange.objects.filter(request=request).values_list("from_status", "to_status"))


def events(request: ClientRequest, verb: str = "request.status_changed") -> int:
    return ActivityEvent.objects.filter(verb=verb, target_type="requests.clientrequest", target_id=request.pk).count()


def refused(person: User, request: ClientRequest, to_status: str) -> str:
    """Try the move; it must be refused, leaving the request, its history and its events as they were."""
    request.refresh_from_db()
    status, changes, recorded = request.status, history(request), events(request)
    with pytest.raises(RequestError) as error:
        move(person, request, to_status)
    request.refresh_from_db()
    assert request.status == status
    assert history(request) == changes
    assert events(request) == recorded
    return error.value.message


# --- moves that do not exist -------------------------------------------------------------------------------------


def test_the_invalid_moves_are_every_pair_but_the_workflows() -> None:
    valid = {(from_status, move.to) for from_status, moves in workflow.MOVES.items() for move in moves}
    assert len(INVALID_MOVES) == len(Status.values) ** 2 - len(valid)
    assert (Status.NEW, Status.CLOSED) in INVALID_MOVES
    assert (Status.CLOSED, Status.RESOLVED) in INVALID_MOVES


@pytest.mark.parametrize(("from_status", "to_status"), INVALID_MOVES, ids=lambda status: str(status))
def test_a_move_the_workflow_does_not_have_is_refused_naming_both_statuses(from_status: str, to_status: str) -> None:
    request = put(paulas_request(), from_status, resolved_at=timezone.now())

    for person in (mia(), paula()):
        message = refused(person, request, to_status)

        assert message == f"A request that is “{LABELS[from_status]}” cannot be moved to “{LABELS[to_status]}”."


@pytest.mark.parametrize("to_status", ["archived", "", "NEW", "in progress"])
def test_a_status_that_does_not_exist_is_refused(to_status: str) -> None:
    request = paulas_request()

    message = refused(mia(), request, to_status)

    assert message == f"“{to_status}” is not a status a request can have."


# --- who makes which move ----------------------------------------------------------------------------------------


def test_staff_make_the_moves_of_the_work_and_each_is_recorded_once() -> None:
    request = paulas_request()

    for to_status in (Status.IN_PROGRESS, Status.WAITING_ON_CLIENT, Status.IN_PROGRESS, Status.RESOLVED):
        move(mia(), request, to_status)

    request.refresh_from_db()
    assert request.status == Status.RESOLVED
    assert request.resolved_at is not None
    assert request.resolution_due is None
    assert request.first_response_at is not None
    assert history(request) == [
        ("", "new"), ("new", "in_progress"), ("in_progress", "waiting_on_client"),
        ("waiting_on_client", "in_progress"), ("in_progress", "resolved"),
    ]  # fmt: skip
    assert all(StatusChange.objects.filter(request=request).exclude(from_status="").values_list("by_staff", flat=True))
    assert events(request) == 4


def test_staff_cannot_reopen_a_resolved_or_closed_request() -> None:
    request = paulas_request()
    move(mia(), request, Status.RESOLVED)

    assert refused(mia(), request, Status.IN_PROGRESS) == "Staff cannot make this change."

    move(mia(), request, Status.CLOSED)

    assert refused(mia(), request, Status.IN_PROGRESS) == "Staff cannot make this change."


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (Status.NEW, Status.IN_PROGRESS),
        (Status.NEW, Status.WAITING_ON_CLIENT),
        (Status.NEW, Status.RESOLVED),
        (Status.IN_PROGRESS, Status.RESOLVED),
        (Status.IN_PROGRESS, Status.WAITING_ON_CLIENT),
        (Status.WAITING_ON_CLIENT, Status.IN_PROGRESS),
        (Status.WAITING_ON_CLIENT, Status.RESOLVED),
    ],
)
def test_a_client_cannot_make_the_moves_of_the_work(from_status: str, to_status: str) -> None:
    request = put(paulas_request(), from_status)

    assert refused(paula(), request, to_status) == "Clients cannot make this change."


def test_the_requester_may_close_a_resolved_request() -> None:
    request = paulas_request()
    move(mia(), request, Status.RESOLVED)

    move(paula(), request, Status.CLOSED)

    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert request.closed_at is not None
    last = StatusChange.objects.filter(request=request).last()
    assert last is not None
    assert (last.from_status, last.to_status, last.by, last.by_staff) == ("resolved", "closed", paula(), False)


@pytest.mark.parametrize("from_status", [Status.RESOLVED, Status.CLOSED])
def test_the_requester_may_reopen_within_the_window_after_the_resolution(from_status: str) -> None:
    request = paulas_request()
    move(mia(), request, Status.RESOLVED)
    if from_status == Status.CLOSED:
        move(paula(), request, Status.CLOSED)
    window = datetime.timedelta(days=service_hours().reopen_days)
    ClientRequest.objects.filter(pk=request.pk).update(
        resolved_at=timezone.now() - window + datetime.timedelta(minutes=5)
    )

    move(paula(), request, Status.IN_PROGRESS)

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert (request.resolved_at, request.closed_at, request.resolution_seconds) == (None, None, None)
    assert request.resolution_due is not None  # the clock runs again
    assert history(request)[-1] == (from_status, "in_progress")


@pytest.mark.parametrize("from_status", [Status.RESOLVED, Status.CLOSED])
def test_reopening_after_the_window_is_refused(as_user: SignIn, from_status: str) -> None:
    request = paulas_request()
    move(mia(), request, Status.RESOLVED)
    if from_status == Status.CLOSED:
        move(paula(), request, Status.CLOSED)
    window = datetime.timedelta(days=service_hours().reopen_days)
    ClientRequest.objects.filter(pk=request.pk).update(
        resolved_at=timezone.now() - window - datetime.timedelta(minutes=5)
    )
    request.refresh_from_db()

    message = refused(paula(), request, Status.IN_PROGRESS)

    assert message == "This request can no longer be reopened: send a new request instead."
    page = as_user(paula()).get(reverse("requests:detail", kwargs={"request_id": request.pk}))
    assert Status.IN_PROGRESS not in [offered.to for offered in page.context["moves"]]


def test_the_reopen_window_is_the_portals() -> None:
    ServiceHours.objects.filter(pk=service_hours().pk).update(reopen_days=30)
    request = paulas_request()
    move(mia(), request, Status.RESOLVED)
    ClientRequest.objects.filter(pk=request.pk).update(resolved_at=timezone.now() - datetime.timedelta(days=20))

    move(paula(), request, Status.IN_PROGRESS)

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


# --- comments ----------------------------------------------------------------------------------------------------


def test_a_client_comment_on_a_request_waiting_on_them_puts_it_back_in_progress() -> None:
    request = paulas_request()
    move(mia(), request, Status.WAITING_ON_CLIENT)
    recorded = events(request)

    comment_add(actor=actor_for(paula()), target=request, body="Here are the figures.")

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    last = StatusChange.objects.filter(request=request).last()
    assert last is not None
    assert (last.from_status, last.to_status, last.by, last.by_staff) == (
        "waiting_on_client", "in_progress", paula(), False
    )  # fmt: skip
    assert events(request) == recorded + 1
    event = ActivityEvent.objects.filter(verb="request.status_changed", target_id=request.pk).latest("id")
    assert (event.actor_id, event.data["from"], event.data["to"]) == (paula().pk, "waiting_on_client", "in_progress")


@pytest.mark.parametrize("status", [Status.NEW, Status.IN_PROGRESS, Status.RESOLVED])
def test_a_client_comment_on_a_request_not_waiting_on_them_moves_nothing(status: str) -> None:
    request = put(paulas_request(), status)
    changes = history(request)

    comment_add(actor=actor_for(paula()), target=request, body="Any news?")

    request.refresh_from_db()
    assert request.status == status
    assert history(request) == changes


def test_a_staff_comment_the_client_reads_is_the_first_response_once() -> None:
    request = paulas_request()

    comment_add(actor=actor_for(mia()), target=request, body="Looking at it.")

    request.refresh_from_db()
    first = request.first_response_at
    assert first is not None
    assert request.first_response_seconds is not None
    assert request.status == Status.NEW  # a comment is not a move

    comment_add(actor=actor_for(mia()), target=request, body="Still on it.")

    request.refresh_from_db()
    assert request.first_response_at == first


def test_an_internal_note_is_not_a_response() -> None:
    request = paulas_request()

    comment_add(actor=actor_for(mia()), target=request, body="Ask Adam about this.", internal=True)

    request.refresh_from_db()
    assert request.first_response_at is None
    assert request.first_response_seconds is None


def test_a_staff_comment_on_a_request_waiting_on_the_client_keeps_it_waiting() -> None:
    request = paulas_request()
    move(mia(), request, Status.WAITING_ON_CLIENT)

    comment_add(actor=actor_for(mia()), target=request, body="A reminder: we need the figures.")

    request.refresh_from_db()
    assert request.status == Status.WAITING_ON_CLIENT


# --- bulk, the sweep, the page -----------------------------------------------------------------------------------


def test_a_bulk_change_moves_the_requests_it_may_and_reports_those_it_leaves(as_user: SignIn) -> None:
    request_type = a_type()
    first, second = paulas_request(request_type, "First"), paulas_request(request_type, "Second")
    resolved = paulas_request(request_type, "Resolved")
    move(mia(), resolved, Status.RESOLVED)
    elsewhere = submit(user("hana.admin@fabrikam.example"), request_type, subject="Fabrikam's")

    response = as_user(mia()).post(
        reverse("requests:bulk"),
        {"requests": [first.pk, second.pk, resolved.pk, elsewhere.pk, "x"], "status": Status.IN_PROGRESS},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("requests:queue"), 302)]
    said = [str(message) for message in response.context["messages"]]
    assert "2 requests moved to “In progress”." in said
    assert any(text.startswith("1 request could not move to “In progress”") for text in said), said
    statuses = dict(
        ClientRequest.objects.filter(request_type=request_type).values_list("subject", "status")
    )  # fmt: skip
    assert statuses == {"First": "in_progress", "Second": "in_progress", "Resolved": "resolved", "Fabrikam's": "new"}
    assert history(elsewhere) == [("", "new")]
    assert events(elsewhere) == 0


def test_a_bulk_change_to_no_status_moves_nothing(as_user: SignIn) -> None:
    request = paulas_request()

    response = as_user(mia()).post(
        reverse("requests:bulk"), {"requests": [request.pk], "status": "archived"}, follow=True
    )

    assert "Choose the status to move them to." in [str(message) for message in response.context["messages"]]
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_contacts_cannot_change_requests_in_bulk(as_user: SignIn) -> None:
    request = paulas_request()

    response = as_user(paula()).post(reverse("requests:bulk"), {"requests": [request.pk], "status": Status.CLOSED})

    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_resolved_requests_are_closed_once_the_reopen_window_has_passed() -> None:
    request_type = a_type()
    old, recent = paulas_request(request_type, "Old"), paulas_request(request_type, "Recent")
    still_open = paulas_request(request_type, "Open")
    for request in (old, recent):
        move(mia(), request, Status.RESOLVED)
    now = timezone.now()
    days = service_hours().reopen_days
    ClientRequest.objects.filter(pk=old.pk).update(resolved_at=now - datetime.timedelta(days=days, minutes=1))
    ClientRequest.objects.filter(pk=recent.pk).update(resolved_at=now - datetime.timedelta(days=days - 1))
    ClientRequest.objects.filter(pk=still_open.pk).update(created_at=now - datetime.timedelta(days=60))
    resolved_before = set(ClientRequest.objects.filter(status=Status.RESOLVED).values_list("pk", flat=True))

    closed = close_resolved(now)

    old.refresh_from_db()
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert old.status == Status.CLOSED
    assert old.closed_at == now
    last = StatusChange.objects.filter(request=old).last()
    assert last is not None
    assert (last.from_status, last.to_status, last.by, last.by_staff) == ("resolved", "closed", None, False)
    assert recent.status == Status.RESOLVED
    assert still_open.status == Status.NEW
    still_resolved = set(ClientRequest.objects.filter(status=Status.RESOLVED).values_list("pk", flat=True))
    assert closed == len(resolved_before - still_resolved)
    assert old.pk in resolved_before - still_resolved
    assert close_resolved(now) == 0


def test_a_refused_move_on_the_page_shows_why_and_changes_nothing(as_user: SignIn) -> None:
    request = paulas_request()
    changes = history(request)

    response = as_user(mia()).post(
        reverse("requests:move", kwargs={"request_id": request.pk}), {"status": Status.CLOSED}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("requests:detail", kwargs={"request_id": request.pk}), 302)]
    message = "A request that is “New” cannot be moved to “Closed”."
    assert message in [str(said) for said in response.context["messages"]]
    assert message in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.NEW
    assert history(request) == changes


def test_a_move_the_client_may_not_make_on_the_page_shows_why(as_user: SignIn) -> None:
    request = paulas_request()

    response = as_user(paula()).post(
        reverse("requests:move", kwargs={"request_id": request.pk}), {"status": Status.RESOLVED}, follow=True
    )

    assert "Clients cannot make this change." in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_a_move_on_the_page_is_made_and_confirmed(as_user: SignIn) -> None:
    request = paulas_request()

    response = as_user(mia()).post(
        reverse("requests:move", kwargs={"request_id": request.pk}), {"status": Status.IN_PROGRESS}, follow=True
    )

    assert "The request is now “In progress”." in [str(said) for said in response.context["messages"]]
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
