"""Engagements: staff of a client they reach write its projects, plans and time (each write recorded as an
event), with clear refusals; everyone else is refused as if nothing were there. Contacts read their organisation's
projects with projects.view, the hours only with time.view, and the pages show the hours against the budget and
which milestones are overdue or reached."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.access.models import Role
from portal.access.policy import NotFound, actor_for
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg
from portal.engagements.models import Milestone, Phase, Project, ProjectStatus, TimeEntry
from portal.engagements.selectors import projects_for
from portal.engagements.services import (
    EngagementError,
    Entry,
    milestone_add,
    milestone_complete,
    phase_add,
    phase_start,
    project_save,
    time_entries_add,
)
from tenants.models import Tenant
from tests.portal.demo_people import carla, contoso, fabrikam, frank, hana, mia, olivia, paula, victor
from tests.portal.factories import ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema."""


# --- the demo portal's people and clients --------------------------------------------------------------------


def outsider() -> User:
    """A member of staff who reaches no client."""
    staff: Any = StaffFactory()
    return staff.user


def overview_only() -> User:
    """A Contoso contact whose custom role lacks projects.view."""
    role = Role.objects.create(name="Overview only", slug="overview-only", custom_capabilities=["organisation.view"])
    contact: Any = ContactFactory(client_org=contoso(), role=role)
    return contact.user


# --- making projects, as the pages do --------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def make_project(
    name: str = "Checkout redesign", *, org: ClientOrg | None = None, by: User | None = None, **fields: Any
) -> Project:
    return project_save(actor=actor_for(by or mia()), project=None, org=org or contoso(), name=name, **fields)


def log(project: Project, *hours: str, by: User | None = None) -> list[TimeEntry]:
    entries = [Entry(person=by or mia(), date=today(), hours=Decimal(amount)) for amount in hours]
    return time_entries_add(actor=actor_for(by or mia()), project=project, entries=entries)


def verbs(project: Project) -> list[str]:
    events = ActivityEvent.objects.filter(target_type="engagements.project", target_id=project.pk).order_by("id")
    return list(events.values_list("verb", flat=True))


def text(response: Any) -> str:
    return response.content.decode()


def milestone_state(response: Any, title: str) -> str:
    """The words of the milestone's row on the project page after its title."""
    found = re.search(re.escape(title) + r"</strong>(.*?)</li>", text(response), re.S)
    assert found, title
    return re.sub(r"<[^>]+>", " ", found.group(1))


def project_url(project: Project) -> str:
    return reverse("engagements:project", kwargs={"project_id": project.pk})


def projects_url(org: ClientOrg) -> str:
    return reverse("engagements:projects", kwargs={"org_id": org.pk})


def time_url(org: ClientOrg) -> str:
    return reverse("engagements:time", kwargs={"org_id": org.pk})


# --- services: who may write ---------------------------------------------------------------------------------


def test_staff_of_a_client_they_reach_plan_a_project_log_time_and_each_write_records_its_event() -> None:
    me = actor_for(mia())
    project = make_project(start_date=today() - datetime.timedelta(days=7), budget_hours=Decimal(40))

    phases = [phase_add(actor=me, project=project, name=name) for name in ("Discovery", " Design ", "Build")]
    started = phase_start(actor=me, phase=phases[1])
    milestone = milestone_add(actor=me, project=project, title="Prototype shown", due_date=today())
    reached = milestone_complete(actor=me, milestone=milestone)
    logged = time_entries_add(
        actor=me,
        project=project,
        entries=[
            Entry(person=mia(), date=today(), hours=Decimal("2.5"), description=" Workshop "),
            Entry(person=olivia(), date=today() - datetime.timedelta(days=1), hours=Decimal(8)),
        ],
    )
    project_save(actor=me, project=project, org=contoso(), name="Checkout redesign", status=ProjectStatus.ON_HOLD)

    assert [(phase.position, phase.name) for phase in Phase.objects.filter(project=project)] == [
        (1, "Discovery"),
        (2, "Design"),
        (3, "Build"),
    ]
    project.refresh_from_db()
    assert started.current_phase == phases[1]
    assert project.current_phase == phases[1]
    assert project.status == ProjectStatus.ON_HOLD
    assert reached.completed_at is not None
    assert {
        (entry.person_label, entry.hours, entry.description) for entry in TimeEntry.objects.filter(project=project)
    } == {
        (mia().get_full_name(), Decimal("2.5"), "Workshop"),
        (olivia().get_full_name(), Decimal(8), ""),
    }
    assert len(logged) == 2
    assert verbs(project) == [
        "project.created",
        "project.changed",
        "project.changed",
        "project.changed",
        "project.phase_started",
        "project.changed",
        "project.milestone_reached",
        "time.logged",
        "project.changed",
    ]
    time_logged = ActivityEvent.objects.get(verb="time.logged", target_id=project.pk)
    assert time_logged.data == {"entries": 2, "hours": "10.5"}
    assert time_logged.actor_id == mia().pk
    assert time_logged.client_org_id == contoso().pk


def test_staff_who_do_not_reach_the_client_and_contacts_write_nothing() -> None:
    project = make_project()
    phase = phase_add(actor=actor_for(mia()), project=project, name="Discovery")
    milestone = milestone_add(actor=actor_for(mia()), project=project, title="Kick-off", due_date=today())
    before = (verbs(project), Phase.objects.count(), Milestone.objects.count(), TimeEntry.objects.count())

    for person in (outsider(), paula(), carla(), hana()):
        who = actor_for(person)
        with pytest.raises(NotFound):
            make_project("Theirs", by=person)
        with pytest.raises(NotFound):
            project_save(actor=who, project=project, org=contoso(), name="Renamed")
        with pytest.raises(NotFound):
            phase_add(actor=who, project=project, name="Theirs")
        with pytest.raises(NotFound):
            phase_start(actor=who, phase=phase)
        with pytest.raises(NotFound):
            milestone_add(actor=who, project=project, title="Theirs", due_date=today())
        with pytest.raises(NotFound):
            milestone_complete(actor=who, milestone=milestone)
        with pytest.raises(NotFound):
            time_entries_add(actor=who, project=project, entries=[Entry(person=mia(), date=today(), hours=Decimal(1))])

    with pytest.raises(NotFound):  # Mia does not reach Fabrikam
        make_project("Not hers", org=fabrikam())
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert project.name == "Checkout redesign"
    assert project.current_phase is None
    assert milestone.completed_at is None
    assert not Project.objects.filter(name__in=["Theirs", "Not hers"]).exists()
    assert (verbs(project), Phase.objects.count(), Milestone.objects.count(), TimeEntry.objects.count()) == before


# --- services: what is refused -------------------------------------------------------------------------------


def test_a_project_needs_a_name_unique_per_client_in_any_case_and_an_end_not_before_its_start() -> None:
    project = make_project("Checkout redesign")

    with pytest.raises(EngagementError, match="name") as empty:
        make_project("   ")
    assert empty.value.field == "name"
    with pytest.raises(EngagementError, match="already has a project") as duplicate:
        make_project(" CHECKOUT Redesign ")
    assert duplicate.value.field == "name"
    other = make_project("Theirs")
    with pytest.raises(EngagementError, match="already has a project"):
        project_save(actor=actor_for(mia()), project=other, org=contoso(), name="checkout redesign")
    with pytest.raises(EngagementError, match="before the start") as backwards:
        make_project("Backwards", start_date=today(), end_date=today() - datetime.timedelta(days=1))
    assert backwards.value.field == "end_date"

    elsewhere = make_project("Checkout redesign", org=fabrikam(), by=olivia())  # another client: fine
    renamed = project_save(actor=actor_for(mia()), project=project, org=contoso(), name="checkout REDESIGN")
    assert elsewhere.client_org == fabrikam()
    assert renamed.name == "checkout REDESIGN"  # its own name, in another case
    assert Project.objects.filter(client_org=contoso(), name__iexact="checkout redesign").count() == 1
    assert not Project.objects.filter(name="Backwards").exists()


def test_a_phase_needs_a_name_and_the_current_phase_does_not_start_again() -> None:
    me = actor_for(mia())
    project = make_project()
    phase = phase_add(actor=me, project=project, name="Discovery")

    with pytest.raises(EngagementError, match="phase a name") as empty:
        phase_add(actor=me, project=project, name="  ")
    assert empty.value.field == "name"
    phase_start(actor=me, phase=phase)
    with pytest.raises(EngagementError, match="already the current phase"):
        phase_start(actor=me, phase=phase)

    assert list(project.phases.values_list("name", flat=True)) == ["Discovery"]
    assert verbs(project).count("project.phase_started") == 1


def test_a_reached_milestone_is_not_reached_twice() -> None:
    me = actor_for(mia())
    milestone = milestone_add(actor=me, project=make_project(), title="Go-live", due_date=today())
    first = milestone_complete(actor=me, milestone=milestone).completed_at

    with pytest.raises(EngagementError, match="already reached"):
        milestone_complete(actor=me, milestone=milestone)

    milestone.refresh_from_db()
    assert milestone.completed_at == first
    assert verbs(milestone.project).count("project.milestone_reached") == 1


def inactive_staff() -> User:
    person = outsider()
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


@pytest.mark.parametrize(
    ("entry", "message", "field"),
    [
        (lambda: Entry(mia(), today() + datetime.timedelta(days=1), Decimal(1)), "still to come", "date"),
        (lambda: Entry(mia(), today(), Decimal(0)), "more than 0", "hours"),
        (lambda: Entry(mia(), today(), Decimal("-1")), "more than 0", "hours"),
        (lambda: Entry(mia(), today(), Decimal("24.01")), "at most 24", "hours"),
        (lambda: Entry(paula(), today(), Decimal(1)), "active member of staff", "person"),
        (lambda: Entry(inactive_staff(), today(), Decimal(1)), "active member of staff", "person"),
    ],
    ids=["future-day", "zero-hours", "negative-hours", "over-24-hours", "a-contact", "inactive-staff"],
)
def test_time_is_refused_for_a_future_day_outside_0_to_24_hours_or_for_anyone_but_active_staff(
    entry: Callable[[], Entry], message: str, field: str
) -> None:
    project = make_project()

    with pytest.raises(EngagementError, match=message) as refused:
        time_entries_add(actor=actor_for(mia()), project=project, entries=[entry()])

    assert refused.value.field == field
    assert not project.time_entries.exists()


def test_time_needs_an_entry_and_24_hours_is_the_most() -> None:
    project = make_project()

    with pytest.raises(EngagementError, match="at least one entry"):
        time_entries_add(actor=actor_for(mia()), project=project, entries=[])
    log(project, "24")

    assert [entry.hours for entry in project.time_entries.all()] == [Decimal(24)]


def test_logging_time_is_all_or_none() -> None:
    project = make_project()
    good = Entry(person=mia(), date=today(), hours=Decimal(3))
    bad = Entry(person=mia(), date=today(), hours=Decimal(25))

    with pytest.raises(EngagementError):
        time_entries_add(actor=actor_for(mia()), project=project, entries=[good, good, bad])

    assert not project.time_entries.exists()
    assert "time.logged" not in verbs(project)


# --- pages: who sees what ------------------------------------------------------------------------------------


def planned_project(name: str = "Checkout redesign") -> Project:
    """A Contoso project with phases (one current), milestones and time against a budget."""
    me = actor_for(mia())
    project = make_project(name, budget_hours=Decimal(40))
    phase_add(actor=me, project=project, name="Discovery")
    phase_start(actor=me, phase=phase_add(actor=me, project=project, name="Prototype"))
    milestone_add(actor=me, project=project, title="Prototype shown", due_date=today() + datetime.timedelta(days=9))
    log(project, "6")
    return project


def test_the_project_list_shows_projects_to_contacts_with_projects_view_and_hours_only_with_time_view(
    as_user: SignIn,
) -> None:
    planned_project()

    lead = as_user(paula()).get(projects_url(contoso()))
    viewer = as_user(victor()).get(projects_url(contoso()))

    assert lead.status_code == 200
    assert viewer.status_code == 200
    assert "Checkout redesign" in text(lead)
    assert "Checkout redesign" in text(viewer)
    assert "Prototype" in text(viewer)  # the current phase
    assert '<th scope="col">Hours</th>' in text(lead)
    assert "6 h of 40 h (15 %)" in text(lead)
    assert "Hours" not in text(viewer)  # neither the column nor the link to the hours page
    assert "burn-words" not in text(viewer)
    assert " h of " not in text(viewer)


def test_another_organisation_and_a_role_without_projects_view_get_no_project_list(as_user: SignIn) -> None:
    project = planned_project()
    limited = overview_only()

    assert as_user(hana()).get(projects_url(contoso())).status_code == 404
    assert as_user(limited).get(projects_url(contoso())).status_code == 404
    assert as_user(limited).get(project_url(project)).status_code == 404
    assert as_user(outsider()).get(projects_url(contoso())).status_code == 404


def test_the_project_page_shows_its_phases_milestones_and_hours_to_the_client_only(as_user: SignIn) -> None:
    project = planned_project()

    page = as_user(paula()).get(project_url(project))

    assert page.status_code == 200
    content = text(page)
    assert "Discovery" in content
    assert "Prototype" in content
    assert "Current phase" in content
    assert "Prototype shown" in content
    assert "6 h of 40 h (15 %)" in content
    assert "Make current" not in content
    assert "Mark reached" not in content
    assert as_user(hana()).get(project_url(project)).status_code == 404
    assert as_user(outsider()).get(project_url(project)).status_code == 404
    missing = (Project.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    assert as_user(paula()).get(reverse("engagements:project", kwargs={"project_id": missing})).status_code == 404
    assert as_user(olivia()).get(project_url(project)).status_code == 200


def test_the_viewer_sees_the_project_page_without_its_hours(as_user: SignIn) -> None:
    project = planned_project()

    page = as_user(victor()).get(project_url(project))

    assert page.status_code == 200
    assert "Prototype shown" in text(page)
    assert "Hours" not in text(page)  # no hours card
    assert " h of " not in text(page)
    assert "burn-words" not in text(page)


def test_the_hours_page_is_for_contacts_with_time_view(as_user: SignIn) -> None:
    project = planned_project()

    page = as_user(frank()).get(time_url(contoso()))

    assert page.status_code == 200
    assert project.name in text(page)
    assert "6 h of 40 h (15 %)" in text(page)
    assert as_user(victor()).get(time_url(contoso())).status_code == 404
    assert as_user(hana()).get(time_url(contoso())).status_code == 404


# --- pages: the staff's forms --------------------------------------------------------------------------------


def test_staff_plan_a_project_and_log_time_through_the_pages(as_user: SignIn) -> None:
    browser = as_user(mia())
    due = today() + datetime.timedelta(days=14)
    assert browser.get(reverse("engagements:project_new", kwargs={"org_id": contoso().pk})).status_code == 200

    created = browser.post(
        reverse("engagements:project_new", kwargs={"org_id": contoso().pk}),
        {"name": "Gift cards", "description": "Digital gift cards", "status": "active", "budget_hours": "20"},
    )
    project = Project.objects.get(client_org=contoso(), name="Gift cards")
    assert created.status_code == 302
    assert created["Location"] == project_url(project)

    added = browser.post(reverse("engagements:phase_new", kwargs={"project_id": project.pk}), {"name": "Build"})
    phase = project.phases.get()
    started = browser.post(reverse("engagements:phase_start", kwargs={"phase_id": phase.pk}))
    planned = browser.post(
        reverse("engagements:milestone_new", kwargs={"project_id": project.pk}),
        {"title": "Cards on sale", "due_date": due.isoformat()},
    )
    milestone = project.milestones.get()
    reached = browser.post(reverse("engagements:milestone_reached", kwargs={"milestone_id": milestone.pk}))
    logged = browser.post(
        reverse("engagements:time_new", kwargs={"project_id": project.pk}),
        {"person": mia().pk, "date": today().isoformat(), "hours": "3.5", "description": "Card designs"},
    )
    edited = browser.post(
        reverse("engagements:project_edit", kwargs={"project_id": project.pk}),
        {"name": "Gift cards", "description": "Digital gift cards", "status": "completed", "budget_hours": "20"},
    )

    for answer in (added, started, planned, reached, logged, edited):
        assert answer.status_code == 302
        assert answer["Location"] == project_url(project)
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert (phase.position, project.current_phase) == (1, phase)
    assert (milestone.title, milestone.due_date, milestone.completed_at is not None) == ("Cards on sale", due, True)
    [entry] = project.time_entries.all()
    assert (entry.person, entry.hours, entry.description) == (mia(), Decimal("3.5"), "Card designs")
    assert project.status == ProjectStatus.COMPLETED
    assert project.budget_hours == Decimal(20)
    assert verbs(project) == [
        "project.created",
        "project.changed",
        "project.phase_started",
        "project.changed",
        "project.milestone_reached",
        "time.logged",
        "project.changed",
    ]
    form = browser.get(reverse("engagements:project_edit", kwargs={"project_id": project.pk}))
    assert form.status_code == 200
    assert 'value="Gift cards"' in text(form)
    assert f'href="{project_url(project)}"' in text(browser.get(projects_url(contoso())))
    page = browser.get(project_url(project))
    assert "3.5 h of 20 h (17 %)" in text(page)
    assert "Reached" in milestone_state(page, "Cards on sale")
    assert 'aria-current="step"' in text(page)


def test_starting_the_current_phase_again_through_the_page_says_so_and_changes_nothing(as_user: SignIn) -> None:
    project = planned_project()
    browser = as_user(mia())
    assert project.current_phase is not None

    answer = browser.post(
        reverse("engagements:phase_start", kwargs={"phase_id": project.current_phase.pk}), follow=True
    )

    assert answer.status_code == 200
    assert "already the current phase" in text(answer)
    assert verbs(project).count("project.phase_started") == 1


@pytest.mark.parametrize(
    ("form", "data", "error"),
    [
        ("phase_new", {"name": ""}, "This field is required."),
        ("milestone_new", {"title": "Launch", "due_date": "not a date"}, "Enter a valid date."),
        ("time_new", {"hours": "25"}, "Ensure this value is less than or equal to 24."),
        ("time_new", {"hours": "0"}, "Ensure this value is greater than or equal to 0.25."),
        ("time_new", {"date": "2999-01-01"}, "Time cannot be logged for a day still to come."),
    ],
    ids=["empty-phase-name", "bad-due-date", "25-hours", "0-hours", "future-day"],
)
def test_an_invalid_plan_or_time_entry_answers_400_with_the_error_and_saves_nothing(
    as_user: SignIn, form: str, data: dict[str, str], error: str
) -> None:
    project = planned_project()
    counts = (project.phases.count(), project.milestones.count(), project.time_entries.count(), len(verbs(project)))
    if form == "time_new":
        data = {"person": str(mia().pk), "date": today().isoformat(), "hours": "2"} | data

    answer = as_user(mia()).post(reverse(f"engagements:{form}", kwargs={"project_id": project.pk}), data)

    assert answer.status_code == 400
    assert error in text(answer)
    assert project.name in text(answer)  # the project page, with the form and its error
    after = (project.phases.count(), project.milestones.count(), project.time_entries.count(), len(verbs(project)))
    assert after == counts


def test_a_new_project_with_a_taken_name_answers_400_with_the_error(as_user: SignIn) -> None:
    planned_project("Gift cards")

    answer = as_user(mia()).post(
        reverse("engagements:project_new", kwargs={"org_id": contoso().pk}), {"name": "GIFT CARDS", "status": "active"}
    )

    assert answer.status_code == 400
    assert "This client already has a project with this name." in text(answer)
    assert Project.objects.filter(client_org=contoso(), name__iexact="gift cards").count() == 1


def staff_posts(project: Project) -> list[tuple[str, dict[str, Any]]]:
    """Every staff form of the engagement pages, filled in validly: (url, data)."""
    phase = project.phases.filter(position=1).first()  # not the current one
    milestone = project.milestones.filter(completed_at__isnull=True).first()
    assert phase is not None
    assert milestone is not None
    fields = {"name": "Taken over", "status": "active"}
    return [
        (reverse("engagements:project_new", kwargs={"org_id": project.client_org_id}), fields),
        (reverse("engagements:project_edit", kwargs={"project_id": project.pk}), fields),
        (reverse("engagements:phase_new", kwargs={"project_id": project.pk}), {"name": "Taken over"}),
        (reverse("engagements:phase_start", kwargs={"phase_id": phase.pk}), {}),
        (
            reverse("engagements:milestone_new", kwargs={"project_id": project.pk}),
            {"title": "Taken over", "due_date": today().isoformat()},
        ),
        (reverse("engagements:milestone_reached", kwargs={"milestone_id": milestone.pk}), {}),
        (
            reverse("engagements:time_new", kwargs={"project_id": project.pk}),
            {"person": mia().pk, "date": today().isoformat(), "hours": "1"},
        ),
    ]


def test_contacts_and_staff_who_do_not_reach_the_client_get_404_on_every_staff_form(as_user: SignIn) -> None:
    project = planned_project()
    before = verbs(project)

    for person in (carla(), paula(), hana(), outsider()):
        browser = as_user(person)
        for url, data in staff_posts(project):
            assert browser.post(url, data).status_code == 404, (person.email, url)
        assert browser.get(reverse("engagements:project_edit", kwargs={"project_id": project.pk})).status_code == 404

    project.refresh_from_db()
    assert project.name == "Checkout redesign"
    assert project.current_phase is not None
    assert project.current_phase.name == "Prototype"
    assert not project.milestones.filter(completed_at__isnull=False).exists()
    assert project.time_entries.count() == 1
    assert not Project.objects.filter(name="Taken over").exists()
    assert verbs(project) == before


# --- pages: the figures --------------------------------------------------------------------------------------


def test_hours_over_the_budget_show_the_share_and_over_budget(as_user: SignIn) -> None:
    project = make_project("Budget check", budget_hours=Decimal(10))
    log(project, "8", "4.5")
    browser = as_user(paula())

    for page in (browser.get(project_url(project)), browser.get(projects_url(contoso()))):
        assert page.status_code == 200
        assert "12.5 h of 10 h (125 %) · over budget" in text(page)


def test_hours_within_the_budget_are_not_over_and_without_a_budget_say_so(as_user: SignIn) -> None:
    within = make_project("Within budget", budget_hours=Decimal(10))
    log(within, "10")
    unbudgeted = make_project("No budget")
    log(unbudgeted, "2.5")
    browser = as_user(frank())

    page = browser.get(project_url(within))
    assert "10 h of 10 h (100 %)" in text(page)
    assert "over budget" not in text(page)
    page = browser.get(project_url(unbudgeted))
    assert "2.5 h, no budget set" in text(page)
    assert "2.5 h, no budget set" in text(browser.get(time_url(contoso())))


def test_overdue_milestones_show_overdue_and_reached_ones_reached(as_user: SignIn) -> None:
    me = actor_for(mia())
    project = make_project("Milestone check")
    yesterday = today() - datetime.timedelta(days=1)
    milestone_add(actor=me, project=project, title="Late review", due_date=yesterday)
    milestone_complete(
        actor=me, milestone=milestone_add(actor=me, project=project, title="Done early", due_date=yesterday)
    )
    milestone_add(actor=me, project=project, title="Due today", due_date=today())
    milestone_add(actor=me, project=project, title="Next month", due_date=today() + datetime.timedelta(days=30))

    page = as_user(paula()).get(project_url(project))

    assert page.status_code == 200
    assert "Overdue" in milestone_state(page, "Late review")
    assert "Reached" in milestone_state(page, "Done early")
    assert "Overdue" not in milestone_state(page, "Done early")
    for title in ("Due today", "Next month"):
        assert "Upcoming" in milestone_state(page, title)
        assert "Overdue" not in milestone_state(page, title)


@pytest.mark.parametrize("budget", [Decimal(0), Decimal(-5)])
def test_a_budget_of_zero_or_less_is_refused_by_the_service_itself(budget: Decimal) -> None:
    with pytest.raises(EngagementError, match="more than 0 hours") as refused:
        project_save(actor=actor_for(mia()), project=None, org=contoso(), name="No budget at all", budget_hours=budget)

    assert refused.value.field == "budget_hours"


def test_projects_under_way_are_listed_first_then_paused_planned_and_done() -> None:
    for status, name in [("completed", "Zeta done"), ("planned", "Alpha planned"), ("on_hold", "Beta paused")]:
        project_save(actor=actor_for(mia()), project=None, org=contoso(), name=name, status=status)
    listed = [project.status for project in projects_for(actor_for(mia()), contoso())]

    ranks = {"active": 0, "on_hold": 1, "planned": 2, "completed": 3}
    assert [ranks[status] for status in listed] == sorted(ranks[status] for status in listed)
