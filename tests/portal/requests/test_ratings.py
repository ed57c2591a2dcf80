"""Ratings of resolved requests: by the requester only, once, in the portal or through the signed link of the
resolution e-mail (usable without signing in, for one request, one requester and this portal, for a while; a GET
uses nothing up)."""

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent
from portal.requests import ratings
from portal.requests.models import ClientRequest, Rating, RequestType, Status
from portal.requests.services import request_change_status
from tenants.models import Tenant
from tests.portal.conftest import HOST
from tests.portal.demo_people import mia, paula, user
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]
SignIn = Callable[[Any], Client]


@pytest.fixture
def request_type(in_demo: Tenant) -> RequestType:
    return make_type("Rated work")


def resolved(requester: User, request_type: RequestType, subject: str = "New landing page") -> ClientRequest:
    request = submit(requester, request_type, subject=subject)
    staff = request.assignee or mia()
    return request_change_status(actor=actor_for(staff), request=request, to_status=Status.RESOLVED)


@pytest.fixture
def pauls_resolved(request_type: RequestType) -> ClientRequest:
    return resolved(paula(), request_type)


def ratings_of(request: ClientRequest) -> list[tuple[int, str, int | None]]:
    return list(Rating.objects.filter(request=request).values_list("score", "comment", "rated_by_id"))


# --- in the portal -----------------------------------------------------------------------------------------------


def rate(client: Client, request: ClientRequest, score: int | str, comment: str = "") -> Any:
    return client.post(reverse("requests:rate", args=[request.pk]), {"score": score, "comment": comment}, follow=True)


def test_the_requester_rates_a_resolved_request_once(pauls_resolved: ClientRequest, as_user: SignIn) -> None:
    client = as_user(paula())
    detail = client.get(reverse("requests:detail", args=[pauls_resolved.pk]))
    assert "How did we do?" in detail.content.decode()

    first = rate(client, pauls_resolved, 4, "  Quick and clear.  ")

    assert first.redirect_chain == [(reverse("requests:detail", args=[pauls_resolved.pk]) + "#rating", 302)]
    assert "Thank you for your rating." in first.content.decode()
    assert "4 / 5" in first.content.decode()
    assert ratings_of(pauls_resolved) == [(4, "Quick and clear.", paula().pk)]
    [event] = ActivityEvent.objects.filter(verb="request.rated", target_id=pauls_resolved.pk)
    assert event.data == {"score": 4, "excerpt": "Quick and clear."}

    second = rate(client, pauls_resolved, 1, "Changed my mind")

    assert second.status_code == 200
    assert "This request has already been rated. Thank you!" in second.content.decode()
    assert ratings_of(pauls_resolved) == [(4, "Quick and clear.", paula().pk)]
    assert ActivityEvent.objects.filter(verb="request.rated", target_id=pauls_resolved.pk).count() == 1


def test_a_closed_request_may_be_rated_too(pauls_resolved: ClientRequest, as_user: SignIn) -> None:
    request_change_status(actor=actor_for(paula()), request=pauls_resolved, to_status=Status.CLOSED)

    rate(as_user(paula()), pauls_resolved, 5)

    assert ratings_of(pauls_resolved) == [(5, "", paula().pk)]


def test_an_open_request_cannot_be_rated(request_type: RequestType, as_user: SignIn) -> None:
    open_request = submit(paula(), request_type)

    answer = rate(as_user(paula()), open_request, 5)

    assert "A request can be rated once it is resolved." in answer.content.decode()
    assert ratings_of(open_request) == []


@pytest.mark.parametrize("score", ["0", "6", "five", ""])
def test_a_score_outside_1_to_5_is_refused(pauls_resolved: ClientRequest, as_user: SignIn, score: str) -> None:
    answer = rate(as_user(paula()), pauls_resolved, score)

    assert "Choose a rating from 1 to 5." in answer.content.decode()
    assert ratings_of(pauls_resolved) == []


@pytest.mark.parametrize(
    "email",
    [
        "carla.admin@contoso.example",  # a colleague who sees all of Contoso's requests
        "frank.finance@contoso.example",  # a colleague who sees only his own
        "hana.admin@fabrikam.example",  # another client's
        "mia.member@northwind.example",  # staff, even the assignee
        "olivia.owner@northwind.example",  # the owner
    ],
)
def test_nobody_but_the_requester_may_rate(pauls_resolved: ClientRequest, as_user: SignIn, email: str) -> None:
    answer = as_user(user(email)).post(reverse("requests:rate", args=[pauls_resolved.pk]), {"score": 5})

    assert answer.status_code == 404
    assert ratings_of(pauls_resolved) == []


def test_a_colleague_with_view_all_sees_the_request_but_not_the_rating_form(
    pauls_resolved: ClientRequest, as_user: SignIn
) -> None:
    page = as_user(user("carla.admin@contoso.example")).get(reverse("requests:detail", args=[pauls_resolved.pk]))

    assert page.status_code == 200
    assert page.context["rating_form"] is None


# --- the signed link ---------------------------------------------------------------------------------------------


def anonymous() -> Client:
    return Client(headers={"host": HOST})


def link(token: str) -> str:
    return reverse("requests:rate_link", args=[token])


def assert_invalid(answer: Any) -> None:
    assert answer.status_code == 404
    assert "This link is not valid" in answer.content.decode()


def test_opening_the_link_shows_the_question_and_records_nothing(pauls_resolved: ClientRequest) -> None:
    url = link(ratings.token_for(pauls_resolved.pk, paula().pk))

    for _ in range(2):  # a mail scanner following the link, then the person
        page = anonymous().get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "How did we do?" in html
        assert f"Request #{pauls_resolved.pk}" in html
        assert 'name="score"' in html

    assert ratings_of(pauls_resolved) == []


def test_the_link_records_one_rating_then_says_it_was_rated(pauls_resolved: ClientRequest) -> None:
    url = link(ratings.token_for(pauls_resolved.pk, paula().pk))

    thanks = anonymous().post(url, {"score": "5", "comment": "Spot on"})

    assert thanks.status_code == 200
    assert "Thank you for your rating" in thanks.content.decode()
    assert ratings_of(pauls_resolved) == [(5, "Spot on", paula().pk)]

    again = anonymous().get(url)
    assert "This request has already been rated" in again.content.decode()
    assert 'name="score"' not in again.content.decode()

    other_score = anonymous().post(url, {"score": "1", "comment": "Second thoughts"})
    assert other_score.status_code == 200
    assert "This request has already been rated" in other_score.content.decode()
    assert "rated 5 out of 5" in other_score.content.decode()
    assert ratings_of(pauls_resolved) == [(5, "Spot on", paula().pk)]


def test_an_invalid_score_through_the_link_asks_again(pauls_resolved: ClientRequest) -> None:
    answer = anonymous().post(link(ratings.token_for(pauls_resolved.pk, paula().pk)), {"score": "9"})

    assert answer.status_code == 400
    assert "How did we do?" in answer.content.decode()
    assert ratings_of(pauls_resolved) == []


def test_the_link_of_an_open_request_cannot_rate_it(request_type: RequestType) -> None:
    open_request = submit(paula(), request_type)

    answer = anonymous().post(link(ratings.token_for(open_request.pk, paula().pk)), {"score": "5"})

    assert answer.status_code == 400
    assert "A request can be rated once it is resolved." in answer.content.decode()
    assert ratings_of(open_request) == []


def test_a_tampered_link_is_not_valid(pauls_resolved: ClientRequest, request_type: RequestType) -> None:
    other = resolved(paula(), request_type, subject="Another of Paula's")
    payload_a, timestamp_a, signature_a = ratings.token_for(pauls_resolved.pk, paula().pk).split(":")
    payload_b, _timestamp_b, _signature_b = ratings.token_for(other.pk, paula().pk).split(":")
    # A's signature on B's payload: the link of request A turned into one for request B.
    forged = f"{payload_b}:{timestamp_a}:{signature_a}"
    flipped = f"{payload_a}:{timestamp_a}:{signature_a[:-1]}{'A' if signature_a[-1] != 'A' else 'B'}"

    for token in (forged, flipped, "not-a-token"):
        assert_invalid(anonymous().get(link(token)))
        assert_invalid(anonymous().post(link(token), {"score": "1"}))

    assert ratings_of(pauls_resolved) == ratings_of(other) == []


def test_a_link_for_someone_else_or_their_request_is_not_valid(
    pauls_resolved: ClientRequest, request_type: RequestType
) -> None:
    hanas = resolved(user("hana.admin@fabrikam.example"), request_type, subject="Hana's")
    carla = user("carla.admin@contoso.example")  # sees all of Contoso's requests, but did not send this one

    for token in (
        ratings.token_for(pauls_resolved.pk, carla.pk),  # Paula's request, signed for Carla
        ratings.token_for(hanas.pk, paula().pk),  # Hana's request, signed for Paula
        ratings.token_for(999_999, paula().pk),  # no such request
    ):
        assert_invalid(anonymous().get(link(token)))
        assert_invalid(anonymous().post(link(token), {"score": "2"}))

    assert ratings_of(pauls_resolved) == ratings_of(hanas) == []


def test_a_link_of_a_deactivated_requester_is_not_valid(pauls_resolved: ClientRequest) -> None:
    token = ratings.token_for(pauls_resolved.pk, paula().pk)
    User.objects.filter(pk=paula().pk).update(is_active=False)

    assert_invalid(anonymous().post(link(token), {"score": "3"}))
    assert ratings_of(pauls_resolved) == []


def test_a_link_signed_for_another_portal_is_not_valid(
    pauls_resolved: ClientRequest, in_demo: Tenant, other: Tenant
) -> None:
    foreign = signing.dumps({"p": other.pk, "r": pauls_resolved.pk, "u": paula().pk}, salt=ratings.SALT)
    here = signing.dumps({"p": in_demo.pk, "r": pauls_resolved.pk, "u": paula().pk}, salt=ratings.SALT)

    assert_invalid(anonymous().get(link(foreign)))
    assert_invalid(anonymous().post(link(foreign), {"score": "4"}))
    assert ratings_of(pauls_resolved) == []
    assert anonymous().get(link(here)).status_code == 200  # the same payload, for this portal, works


def test_an_expired_link_is_not_valid(pauls_resolved: ClientRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    token = ratings.token_for(pauls_resolved.pk, paula().pk)
    with monkeypatch.context() as patched:  # signed 31 days ago
        real_time = time.time
        patched.setattr(time, "time", lambda: real_time() - 31 * 24 * 3600)
        old_token = ratings.token_for(pauls_resolved.pk, paula().pk)

    assert_invalid(anonymous().get(link(old_token)))
    assert_invalid(anonymous().post(link(old_token), {"score": "4"}))

    monkeypatch.setattr(ratings, "MAX_AGE", -1)  # every link is too old
    assert_invalid(anonymous().post(link(token), {"score": "4"}))
    assert ratings_of(pauls_resolved) == []


# --- the resolution e-mail ---------------------------------------------------------------------------------------


RATE_LINK = re.compile(r"https?://demo\.localhost(?::\d+)?(/requests/rate/[^/\s\"<>]+/)")


def test_the_resolution_email_carries_a_working_rating_link_until_the_request_is_rated(
    request_type: RequestType, told: Told
) -> None:
    request = submit(paula(), request_type)
    mail.outbox.clear()

    with told():
        request_change_status(actor=actor_for(mia()), request=request, to_status=Status.RESOLVED)

    [message] = [message for message in mail.outbox if message.to == [paula().email]]
    found = RATE_LINK.search(str(message.body))
    assert found is not None, message.body
    assert "How did we do? Rate this request" in str(message.body)
    others = [message for message in mail.outbox if message.to != [paula().email]]
    assert all("/requests/rate/" not in str(message.body) for message in others)  # only the requester's

    path = found.group(1)
    assert "How did we do?" in anonymous().get(path).content.decode()
    assert anonymous().post(path, {"score": "4", "comment": "Thanks"}).status_code == 200
    assert ratings_of(request) == [(4, "Thanks", paula().pk)]

    event = ActivityEvent.objects.get(verb="request.status_changed", target_id=request.pk, data__to="resolved")
    assert ratings.rating_action(paula(), event) is None  # rated: the next e-mail asks no more


def test_the_rating_question_is_for_the_requester_of_a_resolution_only(
    pauls_resolved: ClientRequest, request_type: RequestType
) -> None:
    resolution = ActivityEvent.objects.get(
        verb="request.status_changed", target_id=pauls_resolved.pk, data__to="resolved"
    )
    action = ratings.rating_action(paula(), resolution)
    assert action is not None
    url, label = action
    assert label == "How did we do? Rate this request"
    found = RATE_LINK.match(url)
    assert found is not None
    assert ratings.read_token(found.group(1).split("/")[-2]) == (pauls_resolved.pk, paula().pk)

    assert ratings.rating_action(user("carla.admin@contoso.example"), resolution) is None
    started = submit(paula(), request_type)
    request_change_status(actor=actor_for(mia()), request=started, to_status=Status.IN_PROGRESS)
    progress = ActivityEvent.objects.get(verb="request.status_changed", target_id=started.pk)
    assert ratings.rating_action(paula(), progress) is None
