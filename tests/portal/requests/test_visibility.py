"""Who sees which request: a contact their own (or, with requests.view_all, their organisation's), never another
organisation's; staff the requests of the clients they reach, in a queue they can filter and sort; and who is told
of a submission and of each status change."""

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.access.models import Role
from portal.access.policy import actor_for
from portal.activity.models import Notification
from portal.clients.models import ClientOrg
from portal.requests.models import ClientRequest, RequestType, Status
from portal.requests.services import RequestError, request_change_status, request_submit
from tenants.models import Tenant
from tests.portal.demo_people import contoso, fabrikam, hana, mia, paula, user
from tests.portal.factories import ContactFactory, StaffFactory
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]
Told = Callable[[], AbstractContextManager[None]]


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema."""


def own_requests_only() -> User:
    """A Contoso contact who may send requests but not see their colleagues'."""
    role = Role.objects.create(
        name="Requester", slug="requester", custom_capabilities=["organisation.view", "requests.create"]
    )
    contact: Any = ContactFactory(client_org=contoso(), role=role)
    return contact.user


def list_url(org: ClientOrg, query: str = "") -> str:
    return reverse("requests:list", kwargs={"org_id": org.pk}) + query


def detail_url(request: ClientRequest) -> str:
    return reverse("requests:detail", kwargs={"request_id": request.pk})


def with_file(requester: User, request_type: RequestType, subject: str) -> ClientRequest:
    return submit(requester, request_type, subject=subject, with_file=True)


def listed(response: Any) -> set[int]:
    assert response.status_code == 200
    return {request.pk for request in response.context["requests"]}


def pages_of(request: ClientRequest) -> list[tuple[str, str, dict[str, Any]]]:
    """Every page of one request: (method, url, data)."""
    [stored] = request.files.all()
    return [
        ("get", detail_url(request), {}),
        ("get", reverse("requests:file", kwargs={"file_id": stored.pk}), {}),
        ("post", reverse("requests:move", kwargs={"request_id": request.pk}), {"status": Status.CLOSED}),
        ("post", reverse("requests:rate", kwargs={"request_id": request.pk}), {"score": 5}),
    ]


# --- contacts ----------------------------------------------------------------------------------------------------


def test_a_contact_without_view_all_sees_only_their_own_requests(as_user: SignIn) -> None:
    request_type = make_type("Visibility test")
    requester = own_requests_only()
    mine = with_file(requester, request_type, "Mine")
    colleagues = with_file(paula(), request_type, "Paula's")
    browser = as_user(requester)

    assert listed(browser.get(list_url(contoso()))) == {mine.pk}
    assert browser.get(list_url(contoso(), "?whose=all")).status_code == 404
    for method, url, data in pages_of(mine)[:2]:
        assert getattr(browser, method)(url, data).status_code == 200, url
    for method, url, data in pages_of(colleagues):
        assert getattr(browser, method)(url, data).status_code == 404, url
    colleagues.refresh_from_db()
    assert colleagues.status == Status.NEW
    assert not hasattr(colleagues, "rating")


def test_a_contact_with_view_all_sees_every_request_of_their_organisation(as_user: SignIn) -> None:
    request_type = make_type("Visibility test")
    theirs = with_file(own_requests_only(), request_type, "A colleague's")
    own = with_file(paula(), request_type, "Paula's")
    elsewhere = submit(hana(), request_type, subject="Fabrikam's")
    browser = as_user(paula())

    everyone = listed(browser.get(list_url(contoso(), "?whose=all")))

    assert everyone == set(ClientRequest.objects.filter(client_org=contoso()).values_list("pk", flat=True))
    assert {theirs.pk, own.pk} <= everyone
    assert elsewhere.pk not in everyone
    assert theirs.pk not in listed(browser.get(list_url(contoso())))  # the default list: her own
    assert own.pk in listed(browser.get(list_url(contoso())))
    assert browser.get(detail_url(theirs)).status_code == 200
    [stored] = theirs.files.all()
    download = browser.get(reverse("requests:file", kwargs={"file_id": stored.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"The spec\n"  # type: ignore[attr-defined]


def test_a_contact_of_another_organisation_sees_none_of_its_requests(as_user: SignIn) -> None:
    request_type = make_type("Visibility test")
    contosos = with_file(paula(), request_type, "Paula's")
    browser = as_user(hana())

    for method, url, data in pages_of(contosos):
        assert getattr(browser, method)(url, data).status_code == 404, url
    assert browser.get(list_url(contoso())).status_code == 404
    assert browser.get(list_url(contoso(), "?whose=all")).status_code == 404
    assert contosos.pk not in listed(browser.get(list_url(fabrikam(), "?whose=all")))
    contosos.refresh_from_db()
    assert contosos.status == Status.NEW


def test_a_contact_without_request_capabilities_has_no_request_list(as_user: SignIn) -> None:
    submit(paula(), make_type("Visibility test"))
    viewer = as_user(user("victor.viewer@contoso.example"))

    assert viewer.get(list_url(contoso())).status_code == 404
    assert viewer.get(list_url(contoso(), "?whose=all")).status_code == 404


def test_a_request_id_that_does_not_exist_is_the_same_404(as_user: SignIn) -> None:
    missing = (ClientRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000

    assert as_user(paula()).get(reverse("requests:detail", kwargs={"request_id": missing})).status_code == 404
    assert as_user(mia()).get(reverse("requests:detail", kwargs={"request_id": missing})).status_code == 404


def test_the_queue_is_for_staff_only(as_user: SignIn) -> None:
    for person in (paula(), hana(), user("carla.admin@contoso.example")):
        assert as_user(person).get(reverse("requests:queue")).status_code == 404


# --- staff -------------------------------------------------------------------------------------------------------


def test_staff_who_do_not_reach_the_client_neither_open_nor_see_its_requests(as_user: SignIn) -> None:
    request = with_file(paula(), make_type("Visibility test"), "Paula's")
    outsider = as_user(StaffFactory().user)
    assigned = as_user(mia())

    for method, url, data in pages_of(request):
        assert getattr(outsider, method)(url, data).status_code == 404, url
    assert listed(outsider.get(reverse("requests:queue") + "?status=")) == set()
    assert outsider.get(list_url(contoso())).status_code == 404
    request.refresh_from_db()
    assert request.status == Status.NEW

    assert assigned.get(detail_url(request)).status_code == 200
    assert request.pk in listed(assigned.get(reverse("requests:queue")))
    assert request.pk in listed(assigned.get(list_url(contoso())))


def test_a_staff_member_does_not_see_the_requests_of_clients_they_do_not_reach(as_user: SignIn) -> None:
    elsewhere = submit(hana(), make_type("Visibility test"), subject="Fabrikam's")
    browser = as_user(mia())

    assert browser.get(detail_url(elsewhere)).status_code == 404
    assert elsewhere.pk not in listed(browser.get(reverse("requests:queue") + "?status="))
    owner = as_user(user("olivia.owner@northwind.example"))
    assert owner.get(detail_url(elsewhere)).status_code == 200
    assert elsewhere.pk in listed(owner.get(reverse("requests:queue")))


def queue(browser: Client, query: str) -> list[ClientRequest]:
    response = browser.get(reverse("requests:queue") + query)
    assert response.status_code == 200
    return list(response.context["requests"])


def test_the_queue_filters_by_status_type_client_assignee_and_overdue(as_user: SignIn) -> None:
    main, other = make_type("Queue test"), make_type("Other queue test")
    assigned = submit(paula(), main, subject="Assigned to Mia")
    nobody = submit(paula(), main, subject="Nobody's")
    ClientRequest.objects.filter(pk=nobody.pk).update(assignee=None)
    waiting = submit(paula(), main, subject="Waiting")
    request_change_status(actor=actor_for(mia()), request=waiting, to_status=Status.WAITING_ON_CLIENT)
    resolved = submit(paula(), main, subject="Resolved")
    request_change_status(actor=actor_for(mia()), request=resolved, to_status=Status.RESOLVED)
    late = submit(paula(), main, subject="Late")
    ClientRequest.objects.filter(pk=late.pk).update(first_response_due=timezone.now() - datetime.timedelta(hours=1))
    other_type = submit(paula(), other, subject="Other type")
    elsewhere = submit(hana(), main, subject="Fabrikam's")
    mine = {request.pk for request in (assigned, nobody, waiting, resolved, late, other_type, elsewhere)}
    browser = as_user(mia())

    def ours(query: str, person: Client = browser) -> set[int]:
        return {request.pk for request in queue(person, query)} & mine

    assert ours("") == {assigned.pk, nobody.pk, waiting.pk, late.pk, other_type.pk}  # open, of her clients
    assert ours("?status=") == mine - {elsewhere.pk}
    assert ours("?status=waiting_on_client") == {waiting.pk}
    assert {request.status for request in queue(browser, "?status=waiting_on_client")} == {"waiting_on_client"}
    assert ours("?status=resolved") == {resolved.pk}
    assert ours(f"?status=&type={other.pk}") == {other_type.pk}
    assert {request.request_type_id for request in queue(browser, f"?status=&type={other.pk}")} == {other.pk}
    assert ours(f"?status=&client={contoso().pk}") == mine - {elsewhere.pk}
    assert ours("?status=&assignee=me") == mine - {nobody.pk, elsewhere.pk}
    assert {request.assignee_id for request in queue(browser, "?status=&assignee=me")} == {mia().pk}
    assert ours("?status=&assignee=none") == {nobody.pk}
    assert {request.assignee_id for request in queue(browser, "?status=&assignee=none")} == {None}
    assert ours("?overdue=on") == {late.pk}
    assert all(request.overdue() for request in queue(browser, "?overdue=on&status="))
    owner = as_user(user("olivia.owner@northwind.example"))
    assert ours(f"?status=&client={fabrikam().pk}", owner) == {elsewhere.pk}
    assert {request.client_org_id for request in queue(owner, f"?client={fabrikam().pk}")} == {fabrikam().pk}


def test_the_queue_sorts_by_due_time_age_and_last_update(as_user: SignIn) -> None:
    request_type = make_type("Queue test")
    now = timezone.now()
    first, second, third = (submit(paula(), request_type, subject=subject) for subject in ("One", "Two", "Three"))
    hours = datetime.timedelta(hours=1)
    ClientRequest.objects.filter(pk=first.pk).update(created_at=now - 3 * hours, resolution_due=None)
    ClientRequest.objects.filter(pk=second.pk).update(created_at=now - 2 * hours, resolution_due=now + 9 * hours)
    ClientRequest.objects.filter(pk=third.pk).update(created_at=now - 1 * hours, resolution_due=now + 5 * hours)
    ClientRequest.objects.filter(pk=first.pk).update(updated_at=now + hours)  # updated last
    ours = [first.pk, second.pk, third.pk]
    browser = as_user(mia())

    def order(query: str) -> list[int]:
        return [request.pk for request in queue(browser, query) if request.pk in ours]

    assert order("?sort=newest") == [third.pk, second.pk, first.pk]
    assert order("?sort=oldest") == [first.pk, second.pk, third.pk]
    assert order("?sort=due") == [third.pk, second.pk, first.pk]  # no due time last
    assert order("") == order("?sort=due")
    assert order("?sort=updated")[0] == first.pk
    newest = [request.created_at for request in queue(browser, "?sort=newest&status=")]
    assert newest == sorted(newest, reverse=True)


# --- who is told -------------------------------------------------------------------------------------------------


def notified(person: User, request: ClientRequest, verb: str) -> int:
    return Notification.objects.filter(user=person, event__verb=verb, event__target_id=request.pk).count()


def mails_to(person: User, since: int = 0) -> list[Any]:
    return [message for message in mail.outbox[since:] if person.email in message.to]


def text_of(message: Any) -> str:
    return message.body + "".join(str(content) for content, _type in getattr(message, "alternatives", []))


def test_the_assignee_is_told_of_a_submission_and_the_requester_is_not(told: Told) -> None:
    request_type = make_type("Notification test")

    with told():
        request = submit(paula(), request_type)

    assert request.assignee == mia()
    assert notified(mia(), request, "request.submitted") == 1
    assert notified(paula(), request, "request.submitted") == 0
    assert notified(user("frank.finance@contoso.example"), request, "request.submitted") == 0  # not his
    assert notified(user("victor.viewer@contoso.example"), request, "request.submitted") == 0
    assert notified(hana(), request, "request.submitted") == 0


def test_the_requester_is_told_of_a_status_change_once_and_by_e_mail(told: Told) -> None:
    request_type = make_type("Notification test")
    requester = own_requests_only()
    with told():
        request = submit(requester, request_type)
    sent = len(mail.outbox)

    with told():
        request_change_status(actor=actor_for(mia()), request=request, to_status=Status.IN_PROGRESS)

    assert notified(requester, request, "request.status_changed") == 1
    assert notified(mia(), request, "request.status_changed") == 0  # her own change
    assert notified(user("frank.finance@contoso.example"), request, "request.status_changed") == 0
    [message] = mails_to(requester, since=sent)
    assert request.subject in message.subject + text_of(message)


def test_the_resolution_e_mail_asks_the_requester_for_a_rating(told: Told) -> None:
    with told():
        request = submit(paula(), make_type("Notification test"))
    sent = len(mail.outbox)

    with told():
        request_change_status(actor=actor_for(mia()), request=request, to_status=Status.RESOLVED)

    assert notified(paula(), request, "request.status_changed") == 1
    [message] = mails_to(paula(), since=sent)
    assert "/requests/rate/" in text_of(message)
    others = [text_of(message) for message in mail.outbox[sent:] if paula().email not in message.to]
    assert not any("/requests/rate/" in text for text in others)  # the link acts as the requester: hers only


def test_a_submission_refused_tells_nobody(told: Told) -> None:
    request_type = make_type("Notification test")
    before = Notification.objects.count()

    with told(), pytest.raises(RequestError, match="changed"):
        request_submit(
            actor=actor_for(paula()), org=contoso(), type_id=request_type.pk, version_id=0, subject="Stale",
            answers={}, files={"specification": SimpleUploadedFile("spec.txt", b"x")},
        )  # fmt: skip

    assert Notification.objects.count() == before
