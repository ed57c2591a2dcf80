"""The dashboards of the home page (issue: the client and staff dashboards): a contact's engagement summary per
project and their deadlines, "what needs you" for those who may approve, staff's approvals, overdue milestones,
budget burn and open requests (for every client or the one chosen), the htmx fragment, the charts' text
equivalents, and the whole page in a fixed number of SQL statements whatever the number of projects."""

import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import User
from portal.access.models import Role
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.engagements.models import (
    Deliverable,
    DeliverableState,
    Milestone,
    Phase,
    Project,
    ProjectStatus,
    TimeEntry,
)
from portal.engagements.panels import phase_steps, segments
from portal.engagements.services import (
    Entry,
    deliverable_add,
    deliverable_decide,
    deliverable_submit,
    deliverable_version_add,
    milestone_add,
    milestone_complete,
    phase_add,
    phase_start,
    project_save,
    time_entries_add,
)
from portal.requests.models import ClientRequest, Status
from tenants.models import Tenant
from tests.portal.demo_people import carla, contoso, fabrikam, hana, mia, olivia, victor
from tests.portal.factories import ClientOrgFactory, ContactFactory, StaffFactory, make_user
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]
HX = {"HX-Request": "true", "HX-Target": "dashboard"}
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
_serial = count(1)


@pytest.fixture(autouse=True)
def every_request_renders(in_demo: Tenant, settings: Any) -> None:
    """In the demo portal; each request is rendered (a page kept from an earlier one would hide the render)."""
    settings.PAGE_CACHE_SECONDS = 0


# --- people, organisations and engagements ----------------------------------------------------------------------


def serial() -> int:
    return next(_serial)


def today() -> datetime.date:
    return timezone.localdate()


def day(offset: int) -> datetime.date:
    return today() + datetime.timedelta(days=offset)


def shown_date(date: datetime.date) -> str:
    """A date as the dashboards print it ("4 Dec")."""
    return dateformat.format(date, "j M")


@dataclass
class World:
    """A client of its own (none of the demo's history): its account manager (staff who reach only it) and a client
    admin (projects.view, time.view, deliverables.approve, requests.create)."""

    org: ClientOrg
    manager: User
    admin: User


def world(name: str = "Tailspin") -> World:
    n = serial()
    manager = cast(User, StaffFactory(user=make_user(f"manager{n}@provider.test", full_name=f"Manny Ager{n}")).user)
    org = cast(ClientOrg, ClientOrgFactory(name=f"{name} {n}", account_manager=manager))
    admin = cast(
        User,
        ContactFactory(
            user=make_user(f"admin{n}@tailspin.test", full_name=f"Ada Min{n}"),
            client_org=org,
            role=Role.objects.get(slug="client-admin"),
        ).user,
    )
    return World(org, manager, admin)


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(f"deliverable-{serial()}.pdf", PDF)


def submitted(staff: User, project: Project, title: str, due: datetime.date | None = None) -> Deliverable:
    """A deliverable with a version, submitted for a decision (as the pages do)."""
    deliverable = deliverable_add(actor=actor_for(staff), project=project, title=title, due_date=due)
    deliverable_version_add(actor=actor_for(staff), deliverable=deliverable, upload=pdf())
    return deliverable_submit(actor=actor_for(staff), deliverable=deliverable)


def approve(person: User, deliverable: Deliverable) -> None:
    latest = deliverable.versions.order_by("-number").first()
    assert latest is not None
    deliverable_decide(actor=actor_for(person), deliverable=deliverable, version_id=latest.pk, outcome="approved")


def engaged(staff: User, org: ClientOrg, approver: User, name: str, **fields: Any) -> Project:
    """A project made through the services: 4 phases (the 2nd current), 3 milestones (the 1st reached, the 2nd
    overdue), deliverables in draft, submitted and approved, 7.5 h logged by `staff`."""
    actor = actor_for(staff)
    project = project_save(actor=actor, project=None, org=org, name=name, **fields)
    phases = [phase_add(actor=actor, project=project, name=title) for title in ("Discover", "Design", "Build", "Run")]
    project = phase_start(actor=actor, phase=phases[1])
    kickoff = milestone_add(actor=actor, project=project, title="Kick-off", due_date=day(-10))
    milestone_complete(actor=actor, milestone=kickoff)
    milestone_add(actor=actor, project=project, title="Wireframes", due_date=day(-2))
    milestone_add(actor=actor, project=project, title="Go-live", due_date=day(20))
    deliverable_add(actor=actor, project=project, title="Draft notes", due_date=day(3))
    approve(approver, submitted(staff, project, "Plan", day(-5)))
    submitted(staff, project, "Brief", day(8))
    time_entries_add(
        actor=actor, project=project,
        entries=[Entry(staff, day(-1), Decimal("3")), Entry(staff, day(-2), Decimal("4.5"))],
    )  # fmt: skip
    project.refresh_from_db()
    return project


def bulk_projects(wld: World, n: int) -> None:
    """`n` more projects under way, written as rows (the dashboard only reads them): 3 phases (the 2nd current),
    milestones (one reached, one overdue, one to come), deliverables (draft, submitted, approved, changes
    requested) and two time entries each."""
    now = timezone.now()
    projects = Project.objects.bulk_create(
        Project(
            client_org=wld.org, name=f"Bulk project {serial():05d}", status=ProjectStatus.ACTIVE,
            start_date=day(-30), end_date=day(60), budget_hours=Decimal(40),
        )
        for _ in range(n)
    )  # fmt: skip
    phases = Phase.objects.bulk_create(
        Phase(project=project, name=name, position=position)
        for project in projects
        for position, name in ((1, "Plan"), (3, "Build"), (7, "Run"))
    )
    current = {phase.project_id: phase for phase in phases if phase.position == 3}
    for project in projects:
        project.current_phase = current[project.pk]
    Project.objects.bulk_update(projects, ["current_phase"])
    Milestone.objects.bulk_create(
        Milestone(project=project, title=title, due_date=day(offset), completed_at=now if reached else None)
        for project in projects
        for title, offset, reached in (("Start", -20, True), ("Review", -3, False), ("Sign-off", 12, False))
    )
    Deliverable.objects.bulk_create(
        Deliverable(
            project=project, title=title, due_date=day(offset), state=state,
            submitted_at=None if state == DeliverableState.DRAFT else now - datetime.timedelta(days=2),
        )
        for project in projects
        for title, offset, state in (
            ("Notes", 4, DeliverableState.DRAFT), ("Report", 9, DeliverableState.SUBMITTED),
            ("Design", -6, DeliverableState.APPROVED), ("Mock-ups", 2, DeliverableState.CHANGES_REQUESTED),
        )
    )  # fmt: skip
    TimeEntry.objects.bulk_create(
        TimeEntry(project=project, person=wld.manager, person_label="Manny", date=day(-k), hours=Decimal(3))
        for project in projects
        for k in (1, 2)
    )


# --- reading the page ---------------------------------------------------------------------------------------------


def page(client: Client, url: str = "/", **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return str(response.content.decode())


def home(user: User, as_user: SignIn, url: str = "/") -> str:
    return page(as_user(user), url)


def text(html: str) -> str:
    """The words of an HTML snippet, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def card(html: str, title: str) -> str:
    """The HTML of the dashboard card titled `title` (from its heading to the end of its card)."""
    start = html.index(f"<h2>{title}</h2>")
    return html[start : html.index("</section>", start)]


def panels_only(html: str) -> str:
    """The dashboard's panels, without the recent activity (which a client filter does not narrow)."""
    start = html.index('id="dashboard"')
    return html[start : html.index("<h2>Recent activity</h2>", start)]


def summary_of(html: str, project: str) -> str:
    """The words of `project`'s summary on the client dashboard."""
    rows = [row.split("</li>")[0] for row in html.split('<li class="project-summary">')[1:]]
    rows = [row for row in rows if f">{project}</a>" in row]
    assert len(rows) == 1, f"{project!r} is shown {len(rows)} times"
    return text(rows[0])


def needs_of(html: str) -> str:
    start = html.index('id="needs-title"')
    return html[start : html.index("</section>", start)]


def titles_in(section: str) -> list[str]:
    return re.findall(r'class="feed-title"[^>]*>([^<]+)<', section)


# --- 1. the query budget --------------------------------------------------------------------------------------------


def statements(client: Client) -> tuple[list[str], str]:
    """The statements of the second of two requests (the first fills the per-process caches), and the page."""
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries], str(response.content.decode())


def shape(sql: str) -> str:
    return re.sub(r"\d+", "N", sql)


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_the_dashboard_runs_the_same_statements_for_5_and_200_projects_and_a_contacts_at_most_15(
    as_user: SignIn, who: str
) -> None:
    wld = world()
    engaged(wld.manager, wld.org, wld.admin, "Website relaunch", budget_hours=Decimal(50))
    bulk_projects(wld, 4)
    client = as_user(getattr(wld, who))

    few, few_html = statements(client)
    bulk_projects(wld, 195)
    many, many_html = statements(client)

    print(f"\n{who}: {len(few)} statements with 5 projects, {len(many)} with 200")
    grown = "\n".join(difflib.unified_diff([shape(s) for s in few], [shape(s) for s in many], lineterm=""))
    assert len(many) == len(few), f"statements that grew with the projects:\n{grown}"
    if who == "admin":
        assert len(many) <= 15, "\n".join(many)
        assert few_html.count('<li class="project-summary">') == 5
        assert many_html.count('<li class="project-summary">') == 6
        assert "All 200 projects" in many_html
        words = text(card(many_html, "Your projects"))  # phases at positions 1, 3, 7, the 2nd current
        assert words.count("Phase 2 of 3: Build") == 6
        assert words.count("1 of 3 approved · 1 waiting for a decision") == 6
        assert words.count("6 h of 40 h (15 %)") == 6
    else:
        assert "The 6 waiting longest of 200." in text(card(many_html, "Waiting for a client decision"))
        assert "The 6 most overdue of 200." in text(card(many_html, "Overdue milestones"))
        assert len(titles_in(card(many_html, "Budget burn"))) == 6


# --- 2. the engagement summary ------------------------------------------------------------------------------------


@pytest.fixture
def pilot() -> Project:
    """A Contoso project under way (made by mia, whose client it is; carla approved one deliverable), and a
    completed one."""
    project = engaged(mia(), contoso(), carla(), "Dashboard pilot", budget_hours=Decimal(50))
    project_save(actor=actor_for(mia()), project=None, org=contoso(), name="Closed engagement",
                 status=ProjectStatus.COMPLETED)  # fmt: skip
    return project


def test_the_summary_shows_each_projects_phase_milestones_deliverables_and_hours(
    pilot: Project, as_user: SignIn
) -> None:
    html = home(carla(), as_user)
    words = summary_of(html, "Dashboard pilot")

    assert "Phase 2 of 4: Design" in words
    assert f"1 of 3 reached · next: Wireframes, due {shown_date(day(-2))} Overdue" in words
    assert "1 of 2 approved · 1 waiting for a decision" in words  # the draft is not the client's
    assert "Hours 7.5 h of 50 h (15 %)" in words


def test_a_contact_without_time_view_sees_the_summary_without_hours(pilot: Project, as_user: SignIn) -> None:
    html = home(victor(), as_user)
    words = summary_of(html, "Dashboard pilot")

    assert "Phase 2 of 4: Design" in words
    assert "1 of 2 approved" in words
    assert "Hours" not in words
    assert " h of " not in text(card(html, "Your projects"))
    assert "burn-words" not in html


def test_completed_projects_are_not_in_the_summary(pilot: Project, as_user: SignIn) -> None:
    html = home(carla(), as_user)

    assert ">Closed engagement</a>" not in card(html, "Your projects")
    under_way = Project.objects.filter(client_org=contoso()).exclude(status=ProjectStatus.COMPLETED).count()
    assert html.count('<li class="project-summary">') == min(under_way, 6)


def test_a_project_without_a_current_phase_says_none_started_and_one_without_phases_says_so(
    as_user: SignIn,
) -> None:
    wld = world()
    actor = actor_for(wld.manager)
    planned = project_save(actor=actor, project=None, org=wld.org, name="Planned", status=ProjectStatus.PLANNED)
    phase_add(actor=actor, project=planned, name="Scoping")
    phase_add(actor=actor, project=planned, name="Delivery")
    project_save(actor=actor, project=None, org=wld.org, name="Empty")

    html = home(wld.admin, as_user)

    assert "2 phases planned, none started" in summary_of(html, "Planned")
    assert "No phases planned yet" in summary_of(html, "Empty")
    assert "No milestones yet" in summary_of(html, "Empty")


# --- 3. deadlines ----------------------------------------------------------------------------------------------


def test_coming_up_lists_what_is_overdue_or_due_within_30_days_soonest_first(as_user: SignIn) -> None:
    wld = world()
    now = timezone.now()
    project = Project.objects.create(client_org=wld.org, name="Roadmap")
    done = Project.objects.create(client_org=wld.org, name="Done", status=ProjectStatus.COMPLETED)
    for title, offset, reached in (
        ("Late milestone", -3, False), ("Soon milestone", 5, False), ("Horizon milestone", 30, False),
        ("Reached milestone", 2, True), ("Far milestone", 40, False),
    ):  # fmt: skip
        Milestone.objects.create(
            project=project, title=title, due_date=day(offset), completed_at=now if reached else None
        )
    Milestone.objects.create(project=done, title="Completed project milestone", due_date=day(1))
    for title, offset, state in (
        ("Late deliverable", -1, DeliverableState.CHANGES_REQUESTED),
        ("Soon deliverable", 10, DeliverableState.SUBMITTED),
        ("Draft deliverable", 3, DeliverableState.DRAFT), ("Approved deliverable", 4, DeliverableState.APPROVED),
        ("Far deliverable", 40, DeliverableState.SUBMITTED),
    ):  # fmt: skip
        Deliverable.objects.create(project=project, title=title, due_date=day(offset), state=state, submitted_at=now)
    other = world("Elsewhere")
    elsewhere = Project.objects.create(client_org=other.org, name="Elsewhere")
    Milestone.objects.create(project=elsewhere, title="Another client's milestone", due_date=day(1))
    Deliverable.objects.create(
        project=elsewhere, title="Another client's deliverable", due_date=day(2), state=DeliverableState.SUBMITTED
    )

    section = card(home(wld.admin, as_user), "Coming up")
    items = [text(item) for item in section.split("<li>")[1:]]

    assert titles_in(section) == [
        "Late milestone", "Late deliverable", "Soon milestone", "Soon deliverable", "Horizon milestone",
    ]  # fmt: skip
    assert [item.endswith("Overdue") for item in items] == [True, True, False, False, False]
    assert items[0].startswith(shown_date(day(-3)))
    late = Deliverable.objects.get(title="Late deliverable")
    assert f'href="{reverse("engagements:deliverable", kwargs={"deliverable_id": late.pk})}"' in section
    for absent in ("Reached", "Far", "Draft", "Approved", "Completed project", "Another client"):
        assert absent not in section


# --- 4. what needs you ---------------------------------------------------------------------------------------------


def test_a_deliverable_waiting_shows_in_what_needs_you_for_a_contact_who_may_approve(as_user: SignIn) -> None:
    for waiting in Deliverable.objects.filter(project__client_org=contoso(), state=DeliverableState.SUBMITTED):
        approve(carla(), waiting)  # the demo's: decided, so only this test's wait
    assert "waiting for your decision" not in needs_of(home(carla(), as_user))  # nothing waiting: no item
    project = project_save(actor=actor_for(mia()), project=None, org=contoso(), name="Approvals pilot")
    first = submitted(mia(), project, "Style guide")

    needs = needs_of(home(carla(), as_user))
    assert '<strong>1</strong> <span class="need-title">deliverable waiting for your decision</span>' in needs
    assert f'href="{reverse("engagements:deliverable", kwargs={"deliverable_id": first.pk})}"' in needs
    assert "Style guide" in needs

    submitted(mia(), project, "Campaign plan")
    needs = needs_of(home(carla(), as_user))
    assert '<strong>2</strong> <span class="need-title">deliverables waiting for your decision</span>' in needs
    assert f'href="{reverse("engagements:approvals", kwargs={"org_id": contoso().pk})}"' in needs


def test_what_needs_you_has_no_decision_for_a_contact_who_may_not_approve_or_of_another_organisation(
    as_user: SignIn,
) -> None:
    project = project_save(actor=actor_for(mia()), project=None, org=contoso(), name="Approvals pilot")
    submitted(mia(), project, "Style guide")

    assert "waiting for your decision" not in needs_of(home(victor(), as_user))
    theirs = Deliverable.objects.filter(project__client_org=fabrikam(), state=DeliverableState.SUBMITTED)
    needs = needs_of(home(hana(), as_user))  # Fabrikam's admin: only Fabrikam's deliverables
    assert "Style guide" not in needs
    assert all(d.title in needs for d in theirs[:3])
    if theirs:
        assert f"<strong>{len(theirs)}</strong>" in needs


# --- 5. the staff dashboard ------------------------------------------------------------------------------------------


@dataclass
class Staffed:
    fabrikam_waiting: Deliverable
    contoso_waiting: Deliverable


@pytest.fixture
def staffed() -> Staffed:
    """Fabrikam: a project with a budget nearly used (9 of 10 h), an overdue milestone, an overdue one reached and
    a deliverable waiting 9 days; a completed project with an overdue milestone. Contoso: a project without a
    budget and a deliverable just submitted."""
    owner = olivia()
    claims = project_save(actor=actor_for(owner), project=None, org=fabrikam(), name="Claims portal",
                          budget_hours=Decimal(10))  # fmt: skip
    time_entries_add(actor=actor_for(owner), project=claims, entries=[Entry(owner, day(-1), Decimal(9))])
    milestone_add(actor=actor_for(owner), project=claims, title="Fabrikam sign-off", due_date=day(-5))
    reached = milestone_add(actor=actor_for(owner), project=claims, title="Fabrikam kick-off", due_date=day(-8))
    milestone_complete(actor=actor_for(owner), milestone=reached)
    old = project_save(actor=actor_for(owner), project=None, org=fabrikam(), name="Old archive",
                       status=ProjectStatus.COMPLETED)  # fmt: skip
    Milestone.objects.create(project=old, title="Archive milestone", due_date=day(-20))
    waiting = submitted(owner, claims, "Fabrikam claims spec")
    Deliverable.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=9))
    pilot = project_save(actor=actor_for(mia()), project=None, org=contoso(), name="Contoso pilot")
    return Staffed(waiting, submitted(mia(), pilot, "Contoso brief"))


def test_staff_see_the_deliverables_waiting_for_every_clients_decision_longest_first(
    staffed: Staffed, as_user: SignIn
) -> None:
    section = card(home(olivia(), as_user), "Waiting for a client decision")
    titles = titles_in(section)

    assert titles[0] == "Fabrikam claims spec"
    assert titles[-1] == "Contoso brief"
    waiting = Deliverable.objects.filter(state=DeliverableState.SUBMITTED).order_by("submitted_at", "pk")
    assert titles == [d.title for d in waiting][:6]
    assert "9 days" in text(section).split("Contoso")[0]
    assert "Approval turnaround, last 90 days:" in text(section)  # the demo's clients have decided


def test_the_approval_turnaround_shows_once_a_decision_exists(as_user: SignIn) -> None:
    wld = world()
    project = project_save(actor=actor_for(wld.manager), project=None, org=wld.org, name="Turnaround")
    waiting = submitted(wld.manager, project, "Report")
    Deliverable.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - datetime.timedelta(hours=10))
    url = f"/?client={wld.org.pk}"

    before = text(card(home(olivia(), as_user, url), "Waiting for a client decision"))
    assert "No decision in the last 90 days" in before
    assert "Report" in before

    waiting.refresh_from_db()
    approve(wld.admin, waiting)
    after = text(card(home(olivia(), as_user, url), "Waiting for a client decision"))
    assert "Approval turnaround, last 90 days: 10 h median, 10 h for 9 in 10 (1 decision)." in after
    assert "No deliverable waiting" in after


def test_staff_see_the_overdue_milestones_of_projects_under_way_most_overdue_first(
    staffed: Staffed, as_user: SignIn
) -> None:
    section = card(home(olivia(), as_user), "Overdue milestones")
    titles = titles_in(section)

    assert titles[0] == "Fabrikam sign-off"
    assert "5 days late" in text(section)
    assert "Fabrikam kick-off" not in titles
    assert "Archive milestone" not in titles
    expected = Milestone.objects.filter(
        completed_at__isnull=True, due_date__lt=today(), project__status__in=["active", "on_hold", "planned"]
    ).order_by("due_date", "pk")
    assert titles == [m.title for m in expected][:6]


def test_staff_see_the_budget_burn_of_projects_with_a_budget_most_consumed_first(
    staffed: Staffed, as_user: SignIn
) -> None:
    section = card(home(olivia(), as_user), "Budget burn")
    percents = [int(p) for p in re.findall(r"\((\d+) %\)", text(section))]

    assert titles_in(section)[0] == "Claims portal"
    assert "9 h of 10 h (90 %)" in text(section)
    assert percents == sorted(percents, reverse=True)
    assert len(percents) == len(titles_in(section))
    assert "Contoso pilot" not in section  # no budget


def test_staff_see_open_requests_by_status_and_the_overdue_ones(as_user: SignIn) -> None:
    wld = world()
    kind = make_type(f"Dashboard check {serial()}")
    made = [submit(wld.admin, kind, subject=f"Request {k}") for k in range(4)]
    ClientRequest.objects.filter(pk=made[1].pk).update(status=Status.IN_PROGRESS)
    ClientRequest.objects.filter(pk=made[2].pk).update(status=Status.RESOLVED)
    ClientRequest.objects.filter(pk=made[0].pk).update(first_response_due=timezone.now() - datetime.timedelta(hours=1))

    section = card(home(olivia(), as_user, f"/?client={wld.org.pk}"), "Open requests")
    rows = re.findall(
        r'<a href="[^"]*">([^<]+)</a>\s*<svg.*?<strong class="status-count">(\d+)</strong>', section, re.S
    )

    assert rows == [("New", "2"), ("In progress", "1"), ("Waiting on the client", "0")]
    assert "1 past its due time" in text(section)


def test_mia_never_sees_another_clients_deliverables_milestones_or_projects(staffed: Staffed, as_user: SignIn) -> None:
    html = home(mia(), as_user)
    panels = panels_only(html)

    assert "Contoso brief" in panels
    for other in ("Fabrikam claims spec", "Fabrikam sign-off", "Claims portal", "Board pack template", "Fabrikam"):
        assert other not in panels
    assert "Fabrikam Health" not in html


def test_choosing_a_client_narrows_the_staff_dashboard_to_it(staffed: Staffed, as_user: SignIn) -> None:
    html = home(olivia(), as_user, f"/?client={fabrikam().pk}")
    panels = panels_only(html)

    assert f'<option value="{fabrikam().pk}" selected>Fabrikam Health</option>' in html
    assert "Fabrikam claims spec" in panels
    assert "Fabrikam sign-off" in panels
    assert "Claims portal" in panels
    assert "Contoso" not in panels
    assert "Contoso brief" not in panels
    assert "Loyalty programme relaunch" not in panels


def test_a_client_the_staff_member_does_not_reach_is_not_found(as_user: SignIn) -> None:
    response = as_user(mia()).get("/", {"client": fabrikam().pk})

    assert response.status_code == 404


@pytest.mark.parametrize("value", ["0", "999999", "99999999999999999999999"])
def test_a_client_id_that_does_not_exist_is_not_found(as_user: SignIn, value: str) -> None:
    assert as_user(olivia()).get("/", {"client": value}).status_code == 404


def test_a_contact_asking_for_another_client_still_sees_their_own_dashboard(pilot: Project, as_user: SignIn) -> None:
    html = home(carla(), as_user, f"/?client={fabrikam().pk}")

    assert "Phase 2 of 4: Design" in summary_of(html, "Dashboard pilot")
    assert "Fabrikam" not in panels_only(html)


def test_a_client_that_is_not_an_id_shows_every_client(staffed: Staffed, as_user: SignIn) -> None:
    html = home(olivia(), as_user, "/?client=abc")
    panels = panels_only(html)

    assert " selected>" not in html.split('id="dashboard-client"')[1].split("</select>")[0]
    assert "Fabrikam claims spec" in panels
    assert "Contoso brief" in panels


# --- 6. htmx ----------------------------------------------------------------------------------------------------


def test_htmx_asking_for_the_dashboard_gets_the_fragment_alone(pilot: Project, as_user: SignIn) -> None:
    fragment = page(as_user(carla()), "/", **HX)

    assert 'id="dashboard"' in fragment
    assert "<html" not in fragment
    assert "What needs you" not in fragment
    assert "Your projects" in fragment
    assert "Phase 2 of 4" in summary_of(fragment, "Dashboard pilot")


def test_htmx_asking_for_a_chosen_clients_dashboard_gets_it_narrowed(staffed: Staffed, as_user: SignIn) -> None:
    fragment = page(as_user(olivia()), f"/?client={fabrikam().pk}", **HX)

    assert fragment.lstrip().startswith('<div id="dashboard"')
    assert "<html" not in fragment
    panels = panels_only(fragment)
    assert "Fabrikam claims spec" in panels
    assert "Contoso brief" not in panels


# --- 7. the charts' text equivalents -----------------------------------------------------------------------------


def charts(html: str) -> list[tuple[str, str]]:
    """Each chart's <svg> tag and the words after it in its container (up to the container's end)."""
    found = []
    for match in re.finditer(r'<svg class="(?:chart|burn)-bar"[^>]*>', html):
        after = html[html.index("</svg>", match.end()) + len("</svg>") :]
        end = min(after.index(tag) for tag in ("</dd>", "</li>", "</div>") if tag in after)
        found.append((match.group(0), text(after[:end])))
    return found


@pytest.mark.parametrize("who", ["carla", "olivia"])
def test_every_chart_is_hidden_from_screen_readers_and_followed_by_its_figures_in_words(
    pilot: Project, as_user: SignIn, who: str
) -> None:
    html = home({"carla": carla, "olivia": olivia}[who](), as_user)
    found = charts(html)

    assert len(found) >= 4
    assert html.count('<svg class="chart-bar"') == sum(tag.startswith('<svg class="chart-bar"') for tag, _ in found)
    for tag, words in found:
        assert 'aria-hidden="true"' in tag
        assert re.search(r"\d", words), f"no figures after {tag}: {words!r}"
    if who == "carla":
        pilot_words = [words for _, words in charts(html.split(">Dashboard pilot</a>")[1].split("</li>")[0])]
        assert pilot_words[:3] == [
            "Phase 2 of 4: Design",
            f"1 of 3 reached · next: Wireframes, due {shown_date(day(-2))} Overdue",
            "1 of 2 approved · 1 waiting for a decision",
        ]


# --- 8. the charts' geometry ------------------------------------------------------------------------------------


def project_like(positions: list[int], names: list[str], current: int | None) -> Any:
    phase = SimpleNamespace(position=current) if current is not None else None
    return SimpleNamespace(phase_positions=positions, phase_names=names, current_phase=phase)


def test_phase_steps_are_done_current_or_to_come_by_position_even_with_gaps() -> None:
    steps = phase_steps(project_like([1, 3, 7], ["Plan", "Build", "Run"], current=3))

    assert [(s["name"], s["kind"]) for s in steps] == [
        ("Plan", "step-done"), ("Build", "step-current"), ("Run", "step-todo"),
    ]  # fmt: skip
    assert [(s["x"], s["width"]) for s in steps] == [("0.00", "32.33"), ("33.33", "32.33"), ("66.67", "32.33")]
    assert all(s["round"] for s in steps)


def test_phase_steps_without_a_current_phase_are_all_to_come() -> None:
    steps = phase_steps(project_like([2, 5], ["Scoping", "Delivery"], current=None))

    assert [s["kind"] for s in steps] == ["step-todo", "step-todo"]
    assert [(s["x"], s["width"]) for s in steps] == [("0.00", "49.00"), ("50.00", "49.00")]


def test_phase_steps_of_a_project_without_phases_are_none() -> None:
    assert phase_steps(project_like([], [], current=None)) == []
    assert phase_steps(SimpleNamespace(phase_positions=None, phase_names=None, current_phase=None)) == []


def test_segments_follow_each_other_with_a_dot_and_two_decimals_and_skip_zero_counts() -> None:
    drawn = segments([("part-done", 1), ("part-none", 0), ("part-waiting", 2)], 3)

    assert drawn == [
        {"kind": "part-done", "x": "0.00", "width": "33.33", "round": False},
        {"kind": "part-waiting", "x": "33.33", "width": "66.67", "round": False},
    ]


def test_segments_of_nothing_out_of_nothing_are_none() -> None:
    assert segments([("part-done", 0), ("part-waiting", 0)], 0) == []
    assert segments([("part-done", 2)], 0) == []
    assert segments([("part-done", 0)], 5) == []
