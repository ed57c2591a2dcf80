"""The activity endpoint: the events of the clients a key reaches, internal ones included as for staff, never the
portal's own business (no client) nor another client's; the oldest first, walked with a cursor; filtered by
moment, type and client."""

import json
from typing import Any

import pytest

from portal.access.policy import SYSTEM
from portal.activity.events import audit_only_types
from portal.activity.models import ActivityEvent
from portal.activity.services import record
from portal.api.models import API_SCOPES
from tenants.models import Tenant
from tests.portal import demo_people
from tests.portal.api.support import api, everything, make_key, problem, send
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db
READ_ALL = [scope for scope in API_SCOPES if scope.endswith(":read")]

ACTIVITY = "/api/v1/activity/"


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant, clean_cache: None) -> None:
    """Every test runs in the demo portal's schema, with no rate count left from another."""


def body(response: Any) -> Any:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return json.loads(response.content)


def test_a_key_for_contoso_sees_contosos_events_internal_ones_included_and_nothing_else() -> None:
    contoso, fabrikam = demo_people.contoso(), demo_people.fabrikam()
    internal = record(actor=SYSTEM, verb="note.added", target=contoso, data={"excerpt": "Renewal at risk"})
    elsewhere = record(actor=SYSTEM, verb="comment.added", target=fabrikam)
    _key, token = make_key(clients=[contoso], scopes=READ_ALL)  # records api_key.created: no client

    rows = everything(api(token), f"{ACTIVITY}?page_size=50")

    news = ActivityEvent.objects.filter(client_org_id=contoso.pk).exclude(verb__in=audit_only_types())
    assert {row["id"] for row in rows} == set(news.values_list("pk", flat=True))
    assert {row["client"] for row in rows} == {contoso.pk}
    assert internal.pk in {row["id"] for row in rows if row["internal"]}
    assert elsewhere.pk not in {row["id"] for row in rows}
    assert not any(row["type"] == "api_key.created" for row in rows)


def test_a_key_for_every_client_never_sees_the_portals_own_business() -> None:
    _key, token = make_key(scopes=READ_ALL)

    rows = everything(api(token), f"{ACTIVITY}?page_size=200")

    assert None not in {row["client"] for row in rows}
    with_a_client = ActivityEvent.objects.filter(client_org_id__isnull=False).exclude(verb__in=audit_only_types())
    assert len(rows) == with_a_client.count()
    assert ActivityEvent.objects.filter(client_org_id__isnull=True).exists()  # there was some to leave out


def test_events_come_oldest_first_through_the_cursor_without_repeats() -> None:
    _key, token = make_key(scopes=READ_ALL)

    rows = everything(api(token), f"{ACTIVITY}?page_size=7")

    moments = [(row["created_at"], row["id"]) for row in rows]
    assert moments == sorted(moments)
    assert len({row["id"] for row in rows}) == len(rows)


def test_the_events_read_as_what_happened_by_whom_to_what() -> None:
    caller = api(make_key()[1])
    found = submit(demo_people.paula(), make_type("Activity check"))
    send(caller, "POST", f"/api/v1/requests/{found.pk}/status-changes/", {"status": "in_progress"})

    [moved] = body(caller.get(f"{ACTIVITY}?type=request.status_changed&client={found.client_org_id}&page_size=200"))[
        "results"
    ][-1:]

    assert moved["type"] == "request.status_changed"
    assert moved["type_label"] == "Request status changes"
    assert moved["actor"] == "API key “ERP sync”"
    assert moved["target"] == {"type": "requests.clientrequest", "id": found.pk, "label": str(found)}
    assert moved["data"]["to"] == "in_progress"


def test_since_type_and_client_narrow_the_list() -> None:
    contoso, fabrikam = demo_people.contoso(), demo_people.fabrikam()
    first = record(actor=SYSTEM, verb="comment.added", target=contoso)
    record(actor=SYSTEM, verb="comment.added", target=fabrikam)
    record(actor=SYSTEM, verb="note.added", target=contoso)
    caller = api(make_key(scopes=READ_ALL)[1])
    since = first.created_at.isoformat().replace("+00:00", "Z")

    after = everything(caller, f"{ACTIVITY}?since={since}")
    comments = everything(caller, f"{ACTIVITY}?since={since}&type=comment.added")
    contosos = everything(caller, f"{ACTIVITY}?since={since}&client={contoso.pk}")

    assert [row["type"] for row in after] == ["comment.added", "comment.added", "note.added"]
    assert [row["client"] for row in comments] == [contoso.pk, fabrikam.pk]
    assert [row["type"] for row in contosos] == ["comment.added", "note.added"]


@pytest.mark.parametrize("query", ["since=yesterday", "since=2026-12-01", "since=2026-12-01T09:00:00", "client=x"])
def test_a_filter_that_makes_no_sense_is_422(query: str) -> None:
    caller = api(make_key(scopes=READ_ALL)[1])

    problem(caller.get(f"{ACTIVITY}?{query}"), 422)


def test_a_key_without_the_activity_scope_gets_403() -> None:
    _key, token = make_key(scopes=["requests:read", "contacts:read"])

    problem(api(token).get(ACTIVITY), 403)


def test_a_key_reads_the_events_of_the_families_it_may_read_only() -> None:
    """`activity:read` alone says nothing of comments or documents: their events (a note's excerpt) need their own
    family's scope."""
    contoso = demo_people.contoso()
    note = record(actor=SYSTEM, verb="note.added", target=contoso, data={"excerpt": "Renewal at risk"})
    joined = record(actor=SYSTEM, verb="client.updated", target=contoso)

    alone = {row["id"] for row in everything(api(make_key(scopes=["activity:read"])[1]), ACTIVITY)}
    with_comments = {
        row["id"] for row in everything(api(make_key(scopes=["activity:read", "comments:read"])[1]), ACTIVITY)
    }

    assert alone == set()
    assert note.pk in with_comments
    assert joined.pk not in with_comments  # a client's events need clients:read
