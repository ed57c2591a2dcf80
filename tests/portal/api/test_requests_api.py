"""The requests endpoints: the provider's internal workflow picks up what clients send by polling
`updated_since`, reads a request (answers with their labels, files it can download, due times), names it by its
own ticket id, assigns it and links it to a project (`If-Match`), and moves it as staff do (`workflow.MOVES`, the
same refusals as problem+json), once per `Idempotency-Key`; a key reaches only its clients' requests (404 for
the others) and writes only with `requests:write`."""

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.activity.models import ActivityEvent
from portal.api.models import ApiKey
from portal.engagements.models import Project
from portal.requests.models import ClientRequest, RequestType, Status, StatusChange
from tenants.models import Tenant
from tests.portal import demo_people
from tests.portal.api.support import api, everything, make_key, problem, send
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]

REQUESTS = "/api/v1/requests/"
ERP = "API key “ERP sync”"


def url(found: ClientRequest, rest: str = "") -> str:
    return f"{REQUESTS}{found.pk}/{rest}"


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant, clean_cache: None) -> None:
    """Every test runs in the demo portal's schema, with no idempotency key or rate count left from another."""


@pytest.fixture
def request_type() -> RequestType:
    return make_type(f"Website change {uuid.uuid4().hex[:6]}")


@pytest.fixture
def caller() -> Client:
    return api(make_key()[1])


@pytest.fixture
def contoso_only() -> Client:
    """A key with every scope, over Contoso alone."""
    return api(make_key(clients=[demo_people.contoso()])[1])


def body(response: Any) -> Any:
    assert response.status_code in (200, 201), (response.status_code, response.content[:500])
    return json.loads(response.content)


def loyalty() -> Project:
    return Project.objects.get(client_org=demo_people.contoso(), name="Loyalty programme relaunch")


# --- the internal workflow picks up what clients send ------------------------------------------------------------


def test_a_request_a_contact_sends_on_the_page_is_picked_up_by_polling_updated_since(
    as_user: SignIn, caller: Client, request_type: RequestType
) -> None:
    before = timezone.now()
    paula = demo_people.paula()
    page = reverse("requests:submit", kwargs={"org_id": paula.contact.client_org_id, "type_id": request_type.pk})
    sent = as_user(paula).post(page, {
        "version": request_type.current_version_id, "subject": "New landing page", "impact": "High",
        "budget": "1200", "details": "For the spring campaign",
    })  # fmt: skip
    assert sent.status_code == 302
    new = ClientRequest.objects.get(request_type=request_type)

    polled = everything(caller, f"{REQUESTS}?updated_since={before.isoformat().replace('+00:00', 'Z')}")

    assert [row["id"] for row in polled] == [new.pk]  # the demo's requests changed before: not again
    [row] = polled
    assert (row["subject"], row["status"], row["client"]) == ("New landing page", "new", demo_people.contoso().pk)
    assert (row["requester"], row["type"]["name"]) == ("paula.lead@contoso.example", request_type.name)
    answers = {answer["key"]: answer for answer in row["answers"]}
    assert answers["impact"] == {"key": "impact", "label": "Impact", "kind": "choice", "value": "High"}
    assert answers["budget"]["value"] == "1200"
    assert answers["details"] == {"key": "details", "label": "Details", "kind": "long_text",
                                  "value": "For the spring campaign"}  # fmt: skip
    assert row["first_response_due"]
    assert row["resolution_due"]
    assert row["external_id"] is None


def test_polling_from_the_last_updated_at_seen_gets_what_changed_since(
    caller: Client, request_type: RequestType
) -> None:
    first = submit(demo_people.paula(), request_type, subject="First")
    seen = body(caller.get(url(first)))["updated_at"]
    later = submit(demo_people.paula(), request_type, subject="Later")

    polled = everything(caller, f"{REQUESTS}?updated_since={seen.replace('+00:00', 'Z')}")

    assert later.pk in {row["id"] for row in polled}
    assert polled[-1]["id"] == later.pk  # the latest change last


def test_the_list_walks_every_request_the_key_reaches_with_a_cursor(caller: Client) -> None:
    rows = everything(caller, f"{REQUESTS}?page_size=3")

    assert sorted(row["id"] for row in rows) == sorted(ClientRequest.objects.values_list("pk", flat=True))
    moments = [row["updated_at"] for row in rows]
    assert moments == sorted(moments)


def test_the_list_filters_by_status_client_and_project(caller: Client, request_type: RequestType) -> None:
    about = submit(demo_people.paula(), request_type, subject="About loyalty", project=loyalty())
    contoso = demo_people.contoso()

    by_status = everything(caller, f"{REQUESTS}?status=resolved")
    by_client = everything(caller, f"{REQUESTS}?client={contoso.pk}")
    by_project = everything(caller, f"{REQUESTS}?project={loyalty().pk}")

    assert by_status
    assert {row["status"] for row in by_status} == {"resolved"}
    assert by_client
    assert {row["client"] for row in by_client} == {contoso.pk}
    assert about.pk in {row["id"] for row in by_project}
    assert {row["project"] for row in by_project} == {loyalty().pk}


@pytest.mark.parametrize("query", ["status=lost", "client=abc", "updated_since=yesterday", "updated_since=2026-12-01"])
def test_a_filter_that_makes_no_sense_is_422(caller: Client, query: str) -> None:
    problem(caller.get(f"{REQUESTS}?{query}"), 422)


# --- one request -------------------------------------------------------------------------------------------------


def test_a_request_reads_with_its_files_to_download_and_an_etag(caller: Client, request_type: RequestType) -> None:
    found = submit(demo_people.paula(), request_type, with_file=True)

    response = caller.get(url(found))

    row = body(response)
    assert response["ETag"]
    [stored] = row["files"]
    assert (stored["field"], stored["name"], stored["size"]) == ("specification", "spec.txt", 9)
    assert stored["download_url"].startswith("http://demo.localhost/api/v1/requests/")
    download = caller.get(stored["download_url"].removeprefix("http://demo.localhost"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"The spec\n"  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]
    spec = next(answer for answer in row["answers"] if answer["key"] == "specification")
    assert (spec["label"], spec["value"]) == ("Specification", "spec.txt")


def test_a_patch_names_assigns_and_links_the_request_through_the_services(
    caller: Client, request_type: RequestType
) -> None:
    found = submit(demo_people.paula(), request_type)
    tag = caller.get(url(found))["ETag"]

    response = send(caller, "PATCH", url(found), {
        "external_id": "OPS-1042", "assignee": "adam.admin@northwind.example", "project": loyalty().pk,
    }, **{"If-Match": tag})  # fmt: skip

    row = body(response)
    assert (row["external_id"], row["assignee"], row["project"]) == (
        "OPS-1042",
        "adam.admin@northwind.example",
        loyalty().pk,
    )
    assert response["ETag"] != tag
    verbs = set(ActivityEvent.objects.filter(target_id=found.pk, actor_label=ERP).values_list("verb", flat=True))
    assert verbs == {"request.assigned", "request.project_changed", "request.external_id_set"}
    assert body(caller.get(f"{REQUESTS}by-external-id/OPS-1042/"))["id"] == found.pk


def test_a_patch_that_changes_nothing_writes_nothing(caller: Client, request_type: RequestType) -> None:
    found = submit(demo_people.paula(), request_type)
    about_it = ActivityEvent.objects.filter(target_type="requests.clientrequest", target_id=found.pk)
    before = about_it.count()

    assignee = found.assignee
    assert assignee is not None
    row = body(send(caller, "PATCH", url(found), {"assignee": assignee.email, "project": None}))

    assert row["assignee"] == assignee.email
    assert about_it.count() == before


def test_a_patch_with_a_stale_if_match_is_412_and_changes_nothing(caller: Client, request_type: RequestType) -> None:
    found = submit(demo_people.paula(), request_type)
    stale = caller.get(url(found))["ETag"]
    send(caller, "PATCH", url(found), {"external_id": "OPS-1"}, **{"If-Match": stale})

    refused = send(caller, "PATCH", url(found), {"external_id": "OPS-2"}, **{"If-Match": stale})

    problem(refused, 412)
    assert ClientRequest.objects.get(pk=found.pk).external_id == "OPS-1"


def test_an_external_id_another_request_has_is_refused_on_its_field(caller: Client, request_type: RequestType) -> None:
    first = submit(demo_people.paula(), request_type, subject="First")
    second = submit(demo_people.paula(), request_type, subject="Second")
    send(caller, "PATCH", url(first), {"external_id": "OPS-7"})

    refused = problem(send(caller, "PATCH", url(second), {"external_id": "OPS-7"}), 422)

    assert refused["errors"] == {"external_id": ["Another request already has this external id."]}
    assert ClientRequest.objects.get(pk=second.pk).external_id is None


@pytest.mark.parametrize(
    ("change", "field"),
    [({"assignee": "paula.lead@contoso.example"}, "assignee"), ({"assignee": "nobody@example.com"}, "assignee")],
)
def test_only_an_active_member_of_staff_may_be_assigned(
    caller: Client, request_type: RequestType, change: dict[str, Any], field: str
) -> None:
    found = submit(demo_people.paula(), request_type)

    refused = problem(send(caller, "PATCH", url(found), change), 422)

    assert field in refused["errors"]
    assert ClientRequest.objects.get(pk=found.pk).assignee_id == found.assignee_id


def test_a_project_of_another_client_is_refused_and_nothing_else_is_written(
    caller: Client, request_type: RequestType
) -> None:
    found = submit(demo_people.paula(), request_type)
    fabrikams = Project.objects.filter(client_org=demo_people.fabrikam()).first()
    assert fabrikams is not None

    refused = problem(send(caller, "PATCH", url(found), {"external_id": "OPS-9", "project": fabrikams.pk}), 422)

    assert "project" in refused["errors"]
    assert ClientRequest.objects.get(pk=found.pk).external_id is None  # all or nothing


# --- the workflow ------------------------------------------------------------------------------------------------


def test_a_status_change_moves_the_request_as_staff_do_and_joins_its_history(
    caller: Client, request_type: RequestType
) -> None:
    found = submit(demo_people.paula(), request_type)

    response = send(caller, "POST", url(found, "status-changes/"), {"status": "in_progress", "note": "OPS-1042"})

    assert response.status_code == 201
    change = body(response)
    assert (change["from_status"], change["to_status"], change["by"]) == ("new", "in_progress", None)
    assert (change["by_label"], change["by_staff"], change["note"]) == (ERP, True, "OPS-1042")
    moved = ClientRequest.objects.get(pk=found.pk)
    assert moved.status == Status.IN_PROGRESS
    assert moved.first_response_at is not None  # a staff move is the first response
    event = ActivityEvent.objects.get(verb="request.status_changed", target_id=found.pk)
    assert (event.actor_label, event.data["to"]) == (ERP, "in_progress")
    history = body(caller.get(url(found, "status-changes/")))["results"]
    assert [(row["from_status"], row["to_status"]) for row in history] == [("", "new"), ("new", "in_progress")]
    assert history[0]["by"] == "paula.lead@contoso.example"


def test_the_staff_page_shows_who_moved_it_and_the_note_to_staff_only(
    as_user: SignIn, caller: Client, request_type: RequestType
) -> None:
    found = submit(demo_people.paula(), request_type)
    send(caller, "POST", url(found, "status-changes/"), {"status": "in_progress", "note": "Picked up as OPS-1042"})
    page = reverse("requests:detail", kwargs={"request_id": found.pk})

    staff_page = as_user(demo_people.olivia()).get(page).content.decode()
    client_page = as_user(demo_people.paula()).get(page).content.decode()

    assert "ERP sync" in staff_page
    assert "Picked up as OPS-1042" in staff_page
    assert "ERP sync" in client_page
    assert "Picked up as OPS-1042" not in client_page


@pytest.mark.parametrize(
    ("status", "to", "message"),
    [
        (Status.NEW, "closed", "A request that is “New” cannot be moved to “Closed”."),
        (Status.RESOLVED, "in_progress", "Staff cannot make this change."),  # reopening is the client's
    ],
)
def test_a_move_the_workflow_does_not_allow_is_refused_with_its_reason(
    caller: Client, request_type: RequestType, status: str, to: str, message: str
) -> None:
    found = submit(demo_people.paula(), request_type)
    ClientRequest.objects.filter(pk=found.pk).update(status=status, resolved_at=timezone.now())
    changes = StatusChange.objects.count()

    refused = problem(send(caller, "POST", url(found, "status-changes/"), {"status": to}), 422)

    assert refused["errors"] == {"status": [message]}
    assert refused["detail"] == message
    assert ClientRequest.objects.get(pk=found.pk).status == status
    assert StatusChange.objects.count() == changes


def test_a_status_no_request_can_have_is_refused(caller: Client, request_type: RequestType) -> None:
    found = submit(demo_people.paula(), request_type)

    refused = problem(send(caller, "POST", url(found, "status-changes/"), {"status": "lost"}), 422)

    assert "status" in refused["errors"]


def test_a_status_change_is_made_once_per_idempotency_key(caller: Client, request_type: RequestType) -> None:
    found = submit(demo_people.paula(), request_type)
    key = {"Idempotency-Key": "move-1"}

    first = send(caller, "POST", url(found, "status-changes/"), {"status": "in_progress"}, **key)
    again = send(caller, "POST", url(found, "status-changes/"), {"status": "in_progress"}, **key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert json.loads(again.content) == json.loads(first.content)
    assert StatusChange.objects.filter(request=found).count() == 2  # the submission and one move


def test_a_status_change_with_a_stale_if_match_is_412(caller: Client, request_type: RequestType) -> None:
    found = submit(demo_people.paula(), request_type)
    stale = caller.get(url(found))["ETag"]
    ClientRequest.objects.filter(pk=found.pk).update(updated_at=timezone.now() + timedelta(seconds=1))

    problem(send(caller, "POST", url(found, "status-changes/"), {"status": "in_progress"}, **{"If-Match": stale}), 412)

    assert ClientRequest.objects.get(pk=found.pk).status == Status.NEW


# --- reach and scopes --------------------------------------------------------------------------------------------


@pytest.fixture
def fabrikams(request_type: RequestType) -> ClientRequest:
    found = submit(demo_people.hana(), request_type, subject="Fabrikam only", with_file=True)
    ClientRequest.objects.filter(pk=found.pk).update(external_id="FAB-1")
    return found


def test_a_key_for_contoso_gets_404_for_a_fabrikam_request_and_everything_of_it(
    contoso_only: Client, fabrikams: ClientRequest
) -> None:
    file_id = fabrikams.files.get().pk
    calls = [
        ("GET", url(fabrikams), None),
        ("PATCH", url(fabrikams), {"external_id": "MINE"}),
        ("GET", url(fabrikams, "status-changes/"), None),
        ("POST", url(fabrikams, "status-changes/"), {"status": "in_progress"}),
        ("GET", url(fabrikams, f"files/{file_id}/"), None),
        ("GET", f"{REQUESTS}by-external-id/FAB-1/", None),
    ]

    for method, path, payload in calls:
        problem(send(contoso_only, method, path, payload), 404)

    unchanged = ClientRequest.objects.get(pk=fabrikams.pk)
    assert (unchanged.status, unchanged.external_id) == (Status.NEW, "FAB-1")
    listed = {row["id"] for row in everything(contoso_only, REQUESTS)}
    assert fabrikams.pk not in listed
    assert listed
    assert everything(contoso_only, f"{REQUESTS}?client={demo_people.fabrikam().pk}") == []


def test_a_file_asked_for_under_another_request_is_404(
    caller: Client, fabrikams: ClientRequest, request_type: RequestType
) -> None:
    other = submit(demo_people.paula(), request_type)

    problem(caller.get(url(other, f"files/{fabrikams.files.get().pk}/")), 404)


def test_a_read_only_key_gets_403_on_every_write(request_type: RequestType) -> None:
    _key, token = make_key(scopes=["requests:read"])
    reader = api(token)
    found = submit(demo_people.paula(), request_type)

    assert reader.get(url(found)).status_code == 200
    problem(send(reader, "PATCH", url(found), {"external_id": "OPS-1"}), 403)
    problem(send(reader, "POST", url(found, "status-changes/"), {"status": "in_progress"}), 403)
    assert ClientRequest.objects.get(pk=found.pk).external_id is None
    assert StatusChange.objects.filter(request=found).count() == 1


def test_a_key_without_the_requests_scope_gets_403(request_type: RequestType) -> None:
    _key, token = make_key(scopes=["clients:read", "clients:write"])

    problem(api(token).get(REQUESTS), 403)


def test_the_key_acts_as_itself_never_as_a_person(caller: Client, request_type: RequestType) -> None:
    found = submit(demo_people.paula(), request_type)
    send(caller, "POST", url(found, "status-changes/"), {"status": "in_progress"})

    change = StatusChange.objects.filter(request=found).latest("pk")
    assert change.by_id is None
    assert ApiKey.objects.get(name="ERP sync").name in change.by_label


def test_a_page_of_requests_costs_the_same_statements_whatever_its_size(caller: Client) -> None:
    caller.get(f"{REQUESTS}?page_size=1")  # the key's first call notes its address
    with CaptureQueriesContext(connection) as small:
        body(caller.get(f"{REQUESTS}?page_size=1"))
    with CaptureQueriesContext(connection) as large:
        rows = body(caller.get(f"{REQUESTS}?page_size=20"))["results"]

    assert len(rows) > 5
    assert len(large.captured_queries) == len(small.captured_queries)
