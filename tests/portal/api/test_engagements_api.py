"""The engagements endpoints: projects read with their plan and hours and upserted from the provider's project
tool, deliverables with their versions (downloadable) and the client's decisions, time entries listed and logged
in batches (all or none, a sync sent twice logging nothing twice); a key reaches only its clients (404 beyond
them) and writes only with its write scopes (403)."""

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent
from portal.api.models import ApiKey
from portal.engagements.models import Deliverable, DeliverableState, Project, TimeEntry
from portal.engagements.services import (
    deliverable_add,
    deliverable_decide,
    deliverable_submit,
    deliverable_version_add,
    phase_add,
    phase_start,
    project_save,
)
from tenants.models import Tenant
from tests.portal import demo_people
from tests.portal.api import support
from tests.portal.api.support import api, make_key

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects/"
WRITE_SCOPES = ["projects:read", "projects:write", "time:read", "time:write"]


def send(client: Client, method: str, url: str, body: Any = None, **headers: Any) -> Any:
    """`support.send`, its answer with the test client's `json()`."""
    return support.send(client, method, url, body, **headers)


def problem(response: Any, status: int) -> dict[str, Any]:
    return support.problem(response, status)


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema."""


@pytest.fixture
def caller() -> Client:
    """A key over every client, reading and writing projects and time."""
    _key, token = make_key(scopes=WRITE_SCOPES)
    return api(token)


def project_named(name: str) -> Project:
    return Project.objects.get(name=name)


def loyalty() -> Project:
    return project_named("Loyalty programme relaunch")  # Contoso's, demo data


def reporting() -> Project:
    return project_named("Reporting platform")  # Fabrikam's, demo data


def yesterday() -> str:
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def hours_logged(project: Project) -> Decimal:
    return project.time_entries.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def entries_url(project: Project) -> str:
    return f"{PROJECTS}{project.pk}/time-entries/"


def entry(**fields: Any) -> dict[str, Any]:
    return {"person": "mia.member@northwind.example", "date": yesterday(), "hours": "2.5"} | fields


def a_fabrikam_deliverable() -> Deliverable:
    """Submitted, with one version, and decided on by Fabrikam's client admin."""
    deliverable = deliverable_add(actor=actor_for(demo_people.adam()), project=reporting(), title="Data model")
    version = deliverable_version_add(
        actor=actor_for(demo_people.adam()), deliverable=deliverable,
        upload=SimpleUploadedFile("data-model.txt", b"tables and keys", content_type="text/plain"),
    )  # fmt: skip
    deliverable_submit(actor=actor_for(demo_people.adam()), deliverable=deliverable)
    deliverable_decide(
        actor=actor_for(demo_people.hana()), deliverable=deliverable, version_id=version.pk,
        outcome="changes_requested", comment="Name the keys.",
    )  # fmt: skip
    return deliverable


# --- projects: read -------------------------------------------------------------------------------------------------


def test_the_list_gives_every_project_the_key_reaches_with_its_hours_and_current_phase(caller: Client) -> None:
    listed = caller.get(PROJECTS)

    assert listed.status_code == 200
    rows = {row["name"]: row for row in listed.json()["results"]}
    assert set(rows) == set(Project.objects.values_list("name", flat=True))
    row = rows["Loyalty programme relaunch"]
    assert row["client"] == demo_people.contoso().pk
    assert Decimal(row["hours_used"]) == hours_logged(loyalty()) > 0
    assert Decimal(row["budget_hours"]) == Decimal(320)
    assert row["current_phase"]["name"] == "Build"


def test_the_list_filters_by_client_and_by_updated_since(caller: Client) -> None:
    contoso = demo_people.contoso()
    since = timezone.now()
    project_save(actor=actor_for(demo_people.mia()), project=None, org=contoso, name="Spring campaign")

    by_client = caller.get(PROJECTS, {"client": contoso.pk}).json()["results"]
    changed = caller.get(PROJECTS, {"updated_since": since.isoformat()}).json()["results"]

    assert {row["name"] for row in by_client} == set(contoso.projects.values_list("name", flat=True))
    assert [row["name"] for row in changed] == ["Spring campaign"]
    problem(caller.get(PROJECTS, {"client": "Contoso"}), 422)


def test_a_project_reads_with_its_phases_in_order_the_current_one_its_milestones_and_hours(caller: Client) -> None:
    project = loyalty()

    read = caller.get(f"{PROJECTS}{project.pk}/")

    assert read.status_code == 200
    body = read.json()
    assert [(phase["name"], phase["current"]) for phase in body["phases"]] == [
        ("Discovery", False), ("Design", False), ("Build", True), ("Launch", False),
    ]  # fmt: skip
    assert [phase["position"] for phase in body["phases"]] == [1, 2, 3, 4]
    milestones = {milestone["title"]: milestone for milestone in body["milestones"]}
    assert milestones["Tier design signed off"]["reached_at"] is not None
    assert milestones["App journey in test"]["reached_at"] is None
    assert milestones["App journey in test"]["overdue"] is True
    assert milestones["Campaign live"]["due_date"] == (timezone.localdate() + datetime.timedelta(days=24)).isoformat()
    assert Decimal(body["budget_hours"]) == Decimal(320)
    assert Decimal(body["hours_used"]) == hours_logged(project)
    assert read.has_header("ETag")


def test_a_new_phase_shows_as_a_change_to_the_project(caller: Client) -> None:
    project = loyalty()
    since = timezone.now()

    phase = phase_add(actor=actor_for(demo_people.mia()), project=project, name="Aftercare")
    phase_start(actor=actor_for(demo_people.mia()), phase=phase)

    changed = caller.get(PROJECTS, {"updated_since": since.isoformat()}).json()["results"]
    assert [row["name"] for row in changed] == ["Loyalty programme relaunch"]
    assert changed[0]["current_phase"]["name"] == "Aftercare"


# --- projects: upsert -----------------------------------------------------------------------------------------------


def test_upserting_a_project_by_external_id_twice_makes_one_project(caller: Client) -> None:
    contoso = demo_people.contoso()
    url = f"{PROJECTS}by-external-id/JIRA-CHK/"
    body = {"name": "Checkout redesign", "client": contoso.pk, "budget_hours": "80", "start_date": yesterday()}

    created = send(caller, "put", url, body)
    again = send(caller, "put", url, body | {"budget_hours": "120.5", "status": "on_hold"})

    assert created.status_code == 201, created.content
    assert again.status_code == 200
    assert created.json()["id"] == again.json()["id"]
    project = Project.objects.get(external_id="JIRA-CHK")
    assert (project.name, project.client_org, project.budget_hours, project.status) == (
        "Checkout redesign", contoso, Decimal("120.5"), "on_hold",
    )  # fmt: skip
    assert Project.objects.filter(name="Checkout redesign").count() == 1
    assert again.json()["external_id"] == "JIRA-CHK"
    assert again.json()["phases"] == []
    assert again.json()["hours_used"] == "0.00"
    events = ActivityEvent.objects.filter(target_type="engagements.project", target_id=project.pk)
    assert list(events.order_by("id").values_list("verb", "actor_label")) == [
        ("project.created", "API key “ERP sync”"), ("project.changed", "API key “ERP sync”"),
    ]  # fmt: skip


def test_an_upsert_keeps_the_fields_left_out_and_honours_if_match(caller: Client) -> None:
    url = f"{PROJECTS}by-external-id/JIRA-CHK/"
    created = send(caller, "put", url, {"name": "Checkout redesign", "client": demo_people.contoso().pk,
                                         "description": "Fewer steps", "budget_hours": "80"})  # fmt: skip
    renamed = send(caller, "put", url, {"name": "Checkout v2"}, **{"If-Match": created["ETag"]})
    stale = send(caller, "put", url, {"name": "Checkout v3"}, **{"If-Match": created["ETag"]})

    assert renamed.status_code == 200
    assert renamed["ETag"] != created["ETag"]
    problem(stale, 412)
    project = Project.objects.get(external_id="JIRA-CHK")
    assert (project.name, project.description, project.budget_hours) == ("Checkout v2", "Fewer steps", Decimal(80))


def test_an_upsert_is_refused_with_the_field_a_project_cannot_move_or_be_made_without_a_client(caller: Client) -> None:
    url = f"{PROJECTS}by-external-id/JIRA-CHK/"
    send(caller, "put", url, {"name": "Checkout redesign", "client": demo_people.contoso().pk})

    moved = send(caller, "put", url, {"client": demo_people.fabrikam().pk})
    no_client = send(caller, "put", f"{PROJECTS}by-external-id/JIRA-NEW/", {"name": "Orphan"})
    backwards = send(caller, "put", url, {"start_date": "2027-03-01", "end_date": "2027-02-01"})

    assert problem(moved, 422)["errors"] == {"client": ["A project stays with its client."]}
    assert "client" in problem(no_client, 422)["errors"]
    assert "end_date" in problem(backwards, 422)["errors"]
    assert Project.objects.get(external_id="JIRA-CHK").client_org == demo_people.contoso()
    assert not Project.objects.filter(name="Orphan").exists()


# --- deliverables and decisions ------------------------------------------------------------------------------------


def test_deliverables_list_drafts_too_with_their_state_and_latest_version(caller: Client) -> None:
    draft = deliverable_add(actor=actor_for(demo_people.mia()), project=loyalty(), title="Campaign brief")

    listed = caller.get(f"{PROJECTS}{loyalty().pk}/deliverables/")

    assert listed.status_code == 200
    rows = {row["title"]: row for row in listed.json()["results"]}
    assert rows["Campaign brief"]["state"] == DeliverableState.DRAFT
    assert rows["Campaign brief"]["latest_version"] is None
    assert rows["Tier design"]["state"] == DeliverableState.APPROVED
    assert rows["Tier design"]["latest_version"]["number"] == 2
    assert set(rows) == set(loyalty().deliverables.values_list("title", flat=True))
    assert rows["Campaign brief"]["id"] == draft.pk


def test_a_deliverable_reads_with_its_versions_to_download_and_its_decisions(caller: Client) -> None:
    deliverable = a_fabrikam_deliverable()

    read = caller.get(f"/api/v1/deliverables/{deliverable.pk}/")

    assert read.status_code == 200
    body = read.json()
    assert body["state"] == DeliverableState.CHANGES_REQUESTED
    [version] = body["versions"]
    stored = deliverable.versions.get()
    assert (version["number"], version["file_name"], version["size"], version["sha256"]) == (
        1, "data-model.txt", len(b"tables and keys"), stored.sha256,
    )  # fmt: skip
    [decision] = body["decisions"]
    assert decision | {"id": 0, "submitted_at": None, "decided_at": None} == {
        "id": 0, "version": 1, "outcome": "changes_requested", "comment": "Name the keys.", "sha256": stored.sha256,
        "person": demo_people.hana().get_full_name(), "submitted_at": None, "decided_at": None,
    }  # fmt: skip
    assert decision["submitted_at"]
    assert decision["decided_at"]
    downloaded = caller.get(version["download_url"])
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == b"tables and keys"  # type: ignore[attr-defined]
    assert "attachment" in downloaded["Content-Disposition"]
    decisions = caller.get(f"/api/v1/deliverables/{deliverable.pk}/decisions/")
    assert decisions.status_code == 200
    assert [row["outcome"] for row in decisions.json()["results"]] == ["changes_requested"]


def test_a_new_version_shows_as_a_change_to_the_deliverable(caller: Client) -> None:
    deliverable = deliverable_add(actor=actor_for(demo_people.mia()), project=loyalty(), title="Campaign brief")
    since = timezone.now()

    deliverable_version_add(
        actor=actor_for(demo_people.mia()), deliverable=deliverable,
        upload=SimpleUploadedFile("brief.txt", b"the brief", content_type="text/plain"),
    )  # fmt: skip

    changed = caller.get(f"{PROJECTS}{loyalty().pk}/deliverables/", {"updated_since": since.isoformat()})
    assert [row["title"] for row in changed.json()["results"]] == ["Campaign brief"]
    assert changed.json()["results"][0]["latest_version"]["file_name"] == "brief.txt"


# --- time entries ---------------------------------------------------------------------------------------------------


def test_time_entries_list_by_project_and_updated_since(caller: Client) -> None:
    project = reporting()

    listed = caller.get(entries_url(project), {"page_size": 200})
    later = caller.get(entries_url(project), {"updated_since": timezone.now().isoformat()})

    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert len(rows) == project.time_entries.count() > 0
    assert {row["person"] for row in rows} == {"adam.admin@northwind.example"}
    assert sum(Decimal(row["hours"]) for row in rows) == hours_logged(project)
    assert later.json()["results"] == []


def test_a_batch_of_time_entries_is_logged_and_counts_on_the_project(caller: Client) -> None:
    project = loyalty()
    before = hours_logged(project)

    logged = send(caller, "post", entries_url(project), [
        entry(description="Tier workshop"),
        entry(person="adam.admin@northwind.example", hours="1.25"),
        {"person_label": "J. Doe (contractor)", "date": yesterday(), "hours": "4"},
    ])  # fmt: skip

    assert logged.status_code == 201, logged.content
    rows = logged.json()
    assert [(row["person"], row["person_label"], row["hours"]) for row in rows] == [
        ("mia.member@northwind.example", demo_people.mia().get_full_name(), "2.50"),
        ("adam.admin@northwind.example", demo_people.adam().get_full_name(), "1.25"),
        (None, "J. Doe (contractor)", "4.00"),
    ]
    assert hours_logged(project) == before + Decimal("7.75")
    event = ActivityEvent.objects.filter(verb="time.logged", target_id=project.pk).latest("id")
    assert (event.data, event.actor_label) == ({"entries": 3, "hours": "7.75"}, "API key “ERP sync”")


def test_a_batch_with_one_refused_entry_logs_nothing_and_names_the_entry(caller: Client) -> None:
    project = loyalty()
    count = TimeEntry.objects.count()

    too_many = send(caller, "post", entries_url(project), [entry(), entry(hours="25"), entry()])
    unknown = send(caller, "post", entries_url(project), [entry(), entry(), entry(person="paula.lead@contoso.example")])
    malformed = send(caller, "post", entries_url(project), [entry(date="yesterday"), entry()])
    both = send(caller, "post", entries_url(project), [entry(person_label="Mia")])
    empty = send(caller, "post", entries_url(project), [])

    assert problem(too_many, 422)["errors"] == {"1.hours": ["Log more than 0 and at most 24 hours a day."]}
    assert list(problem(unknown, 422)["errors"]) == ["2.person"]  # a contact, not a member of staff
    assert list(problem(malformed, 422)["errors"]) == ["0.date"]
    assert list(problem(both, 422)["errors"]) == ["0.person_label"]
    problem(empty, 422)
    assert TimeEntry.objects.count() == count
    assert not ActivityEvent.objects.filter(verb="time.logged", target_id=project.pk, actor_label__contains="API")


def test_entries_sent_again_with_their_external_ids_are_not_duplicated(caller: Client) -> None:
    project = loyalty()
    batch = [entry(external_id="HRV-1"), entry(external_id="HRV-2", hours="3")]

    first = send(caller, "post", entries_url(project), batch)
    again = send(caller, "post", entries_url(project), batch)
    corrected = send(caller, "post", entries_url(project), [batch[0], batch[1] | {"hours": "3.5"}, entry()])

    assert first.status_code == 201
    assert again.status_code == 200  # nothing new
    assert [row["id"] for row in again.json()] == [row["id"] for row in first.json()]
    assert corrected.status_code == 201
    assert [row["id"] for row in corrected.json()[:2]] == [row["id"] for row in first.json()]
    synced = TimeEntry.objects.filter(external_id__in=["HRV-1", "HRV-2"]).order_by("external_id")
    assert [(row.external_id, row.hours) for row in synced] == [("HRV-1", Decimal("2.5")), ("HRV-2", Decimal("3.5"))]
    assert project.time_entries.filter(external_id__startswith="HRV-").count() == 2
    events = ActivityEvent.objects.filter(verb="time.logged", target_id=project.pk).order_by("id")
    assert [event.data for event in events][-2:] == [
        {"entries": 2, "hours": "5.50", "updated": 0, "unchanged": 2},
        {"entries": 3, "hours": "8.50", "updated": 1, "unchanged": 1},
    ]


def test_an_external_id_of_another_projects_entry_is_refused(caller: Client) -> None:
    send(caller, "post", entries_url(reporting()), [entry(external_id="HRV-9")])

    taken = send(caller, "post", entries_url(loyalty()), [entry(), entry(external_id="HRV-9")])
    twice = send(caller, "post", entries_url(loyalty()), [entry(external_id="HRV-10"), entry(external_id="HRV-10")])

    assert list(problem(taken, 422)["errors"]) == ["1.external_id"]
    assert list(problem(twice, 422)["errors"]) == ["1.external_id"]
    assert TimeEntry.objects.get(external_id="HRV-9").project == reporting()
    assert not TimeEntry.objects.filter(external_id="HRV-10").exists()


def test_a_batch_sent_twice_under_one_idempotency_key_is_logged_once(caller: Client) -> None:
    project = loyalty()
    given = str(uuid.uuid4())
    before = project.time_entries.count()

    first = send(caller, "post", entries_url(project), [entry()], **{"Idempotency-Key": given})
    second = send(caller, "post", entries_url(project), [entry()], **{"Idempotency-Key": given})

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert project.time_entries.count() == before + 1


def test_hours_posted_through_the_api_count_on_the_project_page(caller: Client, as_user: Any) -> None:
    project = loyalty()
    page_url = f"/projects/{project.pk}/"
    before = as_user(demo_people.mia()).get(page_url).context["burn"]["used"]

    send(caller, "post", entries_url(project), [entry(hours="6"), entry(hours="1.5", external_id="HRV-77")])

    page = as_user(demo_people.mia()).get(page_url)
    assert page.status_code == 200
    assert page.context["burn"]["used"] == before + Decimal("7.5") == hours_logged(project)


# --- reach and scopes -----------------------------------------------------------------------------------------------


def test_a_key_for_contoso_gets_404_for_fabrikams_project_deliverable_decisions_and_time() -> None:
    deliverable = a_fabrikam_deliverable()
    project = reporting()
    Project.objects.filter(pk=project.pk).update(external_id="FAB-1")
    _key, token = make_key(scopes=WRITE_SCOPES, clients=[demo_people.contoso()])
    caller = api(token)
    count = TimeEntry.objects.count()
    version = deliverable.versions.get()

    for url in (
        f"{PROJECTS}{project.pk}/", f"{PROJECTS}{project.pk}/deliverables/", entries_url(project),
        f"/api/v1/deliverables/{deliverable.pk}/", f"/api/v1/deliverables/{deliverable.pk}/decisions/",
        f"/api/v1/deliverables/versions/{version.pk}/file/",
    ):  # fmt: skip
        problem(caller.get(url), 404)
    problem(send(caller, "post", entries_url(project), [entry()]), 404)
    problem(send(caller, "put", f"{PROJECTS}by-external-id/FAB-1/", {"name": "Taken over"}), 404)
    new_for_fabrikam = send(caller, "put", f"{PROJECTS}by-external-id/FAB-2/", {
        "name": "Sneaky", "client": demo_people.fabrikam().pk,
    })  # fmt: skip
    assert problem(new_for_fabrikam, 422)["errors"] == {"client": ["No client has this id."]}
    names = {row["name"] for row in caller.get(PROJECTS).json()["results"]}
    assert names == set(demo_people.contoso().projects.values_list("name", flat=True))
    assert caller.get(PROJECTS, {"client": demo_people.fabrikam().pk}).json()["results"] == []
    assert TimeEntry.objects.count() == count
    assert project_named("Reporting platform").external_id == "FAB-1"
    assert not Project.objects.filter(name__in=["Taken over", "Sneaky"]).exists()
    assert caller.get(f"{PROJECTS}{loyalty().pk}/").status_code == 200


def test_a_read_only_key_gets_403_on_the_upsert_and_the_batch() -> None:
    key, token = make_key(scopes=["projects:read", "time:read"])
    caller = api(token)
    count = TimeEntry.objects.count()

    upsert = send(caller, "put", f"{PROJECTS}by-external-id/JIRA-RO/", {"name": "Nope", "client": 1})
    batch = send(caller, "post", entries_url(loyalty()), [entry()])

    assert "projects:write" in problem(upsert, 403)["detail"]
    assert "time:write" in problem(batch, 403)["detail"]
    assert TimeEntry.objects.count() == count
    assert not Project.objects.filter(external_id="JIRA-RO").exists()
    assert caller.get(entries_url(loyalty())).status_code == 200
    assert isinstance(key, ApiKey)


def test_time_needs_the_time_scope_and_projects_the_projects_scope() -> None:
    _key, projects_only = make_key(scopes=["projects:read"])
    _key, time_only = make_key(scopes=["time:read"], name="Timesheets")

    problem(api(projects_only).get(entries_url(loyalty())), 403)
    problem(api(time_only).get(f"{PROJECTS}{loyalty().pk}/"), 403)
    assert api(time_only).get(entries_url(loyalty())).status_code == 200


def test_bodies_of_the_wrong_shape_are_refused_422(caller: Client) -> None:
    count = TimeEntry.objects.count()

    problem(send(caller, "post", entries_url(loyalty()), entry()), 422)  # an object, not a list
    problem(send(caller, "put", f"{PROJECTS}by-external-id/JIRA-X/", [{"name": "X"}]), 422)
    body = {"name": "X", "client": demo_people.contoso().pk}
    long_id = send(caller, "put", f"{PROJECTS}by-external-id/{'x' * 101}/", body)

    assert list(problem(long_id, 422)["errors"]) == ["external_id"]
    assert not Project.objects.filter(name="X").exists()
    assert TimeEntry.objects.count() == count


def test_a_version_downloads_whatever_the_caller_accepts() -> None:
    _key, token = make_key(scopes=["projects:read"])
    version = a_fabrikam_deliverable().versions.get()
    url = f"/api/v1/deliverables/versions/{version.pk}/file/"

    downloaded = api(token, HTTP_ACCEPT="text/plain").get(url)
    missing = api(token).get(f"/api/v1/deliverables/versions/{version.pk + 1000}/file/", HTTP_ACCEPT="text/plain")

    assert downloaded.status_code == 200
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    assert missing.status_code == 404
