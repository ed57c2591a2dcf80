"""The demo portal's requests: three request types (a change request with impact, budget and deadline; a support
ticket routed by severity; an access request), the portal's business hours with the country's public holidays,
and about twenty requests of the demo clients in every status, dated over the past weeks with their status
history, first responses, resolutions and ratings, so the queue, the SLA figures and CSAT show real figures from
the first `make run`. Several are about the demo projects of their client (operators.demo_engagements, seeded
first), and one routing rule sends a project's requests to the person who leads it.

Idempotent: types are found by name, requests by subject; only what is missing is written (a request seeded
before its project existed is linked to it). The events are history
(`portal.activity.history.record_at`, as the owner): nobody is notified."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from core.audit import system
from operators.demo_history import DemoClock, When
from portal.activity.history import ensure_owner, record_at
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg
from portal.engagements.models import Project
from portal.requests.business_hours import holidays_for
from portal.requests.models import Assignment, ClientRequest, Holiday, Rating, RequestType, RoutingRule, StatusChange
from portal.requests.selectors import service_hours
from portal.requests.services import calendar, request_type_save
from tenants.models import Tenant

CHANGE, SUPPORT, ACCESS = "Change request", "Support ticket", "Access request"
TYPES: dict[str, dict[str, Any]] = {
    CHANGE: {
        "description": "Ask for a change to the scope, a deliverable or a deadline of your engagement.",
        "assign_to": Assignment.ACCOUNT_MANAGER, "first_response_hours": 8, "resolution_hours": 40,
        "fields": [
            {"label": "What should change?", "kind": "long_text", "required": True},
            {"label": "Impact", "kind": "choice", "required": True, "choices": ["Low", "Medium", "High"]},
            {"label": "Budget (hours)", "kind": "number", "help": "Your estimate, if you have one."},
            {"label": "Needed by", "kind": "date"},
            {"label": "Supporting document", "kind": "file"},
        ],
    },
    SUPPORT: {
        "description": "Something does not work as it should: tell us what happens and how to see it.",
        "assign_to": Assignment.ACCOUNT_MANAGER, "first_response_hours": 4, "resolution_hours": 16,
        "fields": [
            {"label": "Severity", "kind": "choice", "required": True, "choices": ["Blocking", "Degraded", "Question"]},
            {"label": "Affected system", "kind": "short_text", "required": True},
            {"label": "What happens", "kind": "long_text", "required": True},
            {"label": "Page or link", "kind": "url"},
            {"label": "Screenshot", "kind": "file"},
        ],
    },
    ACCESS: {
        "description": "Give a colleague access to a system we run for you.",
        "assign_to": Assignment.PERSON, "first_response_hours": 8, "resolution_hours": 16,
        "fields": [
            {"label": "Colleague's name", "kind": "short_text", "required": True},
            {"label": "Colleague's e-mail", "kind": "email", "required": True},
            {"label": "Systems", "kind": "multiple_choice", "required": True,
             "choices": ["Reporting", "VPN", "Ticketing"]},
            {"label": "Starting on", "kind": "date"},
            {"label": "Approved by their manager", "kind": "checkbox", "required": True},
        ],
    },
}  # fmt: skip


@dataclass(frozen=True)
class DemoRequest:
    subject: str
    kind: str
    by: str
    sent: When
    answers: dict[str, Any]
    # (when, status, who) after submission; who is an e-mail (staff or the requester)
    steps: tuple[tuple[When, str, str], ...] = ()
    rating: tuple[When, int, str] | None = None
    project: str = ""  # the name of one of the requester's organisation's demo projects


OLIVIA, ADAM, MIA = "olivia.owner@northwind.example", "adam.admin@northwind.example", "mia.member@northwind.example"
CARLA, PAULA, FRANK = "carla.admin@contoso.example", "paula.lead@contoso.example", "frank.finance@contoso.example"
HANA, FRED, LENA = "hana.admin@fabrikam.example", "fred.finance@fabrikam.example", "lena.lead@litware.example"
LOYALTY, ROLLOUT = "Loyalty programme relaunch", "Store rollout planning"  # operators.demo_engagements
REPORTING, TRACKING = "Reporting platform", "Tracking page redesign"


def _change(what: str, impact: str, budget: str = "", by: str = "") -> dict[str, Any]:
    return {"what_should_change": what, "impact": impact, "budget_hours": budget, "needed_by": by}


def _ticket(severity: str, system_name: str, what: str) -> dict[str, Any]:
    return {"severity": severity, "affected_system": system_name, "what_happens": what, "page_or_link": ""}


def _access(name: str, email: str, systems: list[str]) -> dict[str, Any]:
    return {"colleagues_name": name, "colleagues_e_mail": email, "systems": systems, "starting_on": "",
            "approved_by_their_manager": True}  # fmt: skip


REQUESTS = (
    DemoRequest("Add a loyalty tier to the Q3 campaign", CHANGE, PAULA, (41, 10, 5),
                _change("Add a Gold tier with its own landing page.", "Medium", "24"),
                (((41, 14, 30), "in_progress", MIA), ((39, 11, 0), "resolved", MIA), ((32, 9, 0), "closed", MIA)),
                ((39, 16, 20), 5, "Quick and clear, thank you."), LOYALTY),
    DemoRequest("Checkout page times out", SUPPORT, CARLA, (37, 9, 40),
                _ticket("Blocking", "Web shop", "Customers get a timeout after paying."),
                (((37, 10, 5), "in_progress", ADAM), ((37, 15, 45), "resolved", ADAM)),
                ((36, 9, 10), 4, "")),
    DemoRequest("Access for our new analyst", ACCESS, CARLA, (35, 11, 20),
                _access("Nora Quinn", "nora.quinn@contoso.example", ["Reporting"]),
                (((35, 13, 0), "in_progress", ADAM), ((35, 16, 10), "resolved", ADAM)),
                ((34, 8, 45), 5, "")),
    DemoRequest("Move the launch to the 14th", CHANGE, PAULA, (33, 15, 10),
                _change("Move the campaign launch by one week.", "High"),
                (((32, 9, 30), "waiting_on_client", MIA), ((31, 10, 0), "in_progress", PAULA),
                 ((30, 12, 0), "resolved", MIA)),
                ((30, 17, 0), 3, "We had to chase for an answer."), LOYALTY),
    DemoRequest("Report export shows the wrong month", SUPPORT, FRANK, (30, 9, 15),
                _ticket("Degraded", "Reporting", "The May export lists April figures."),
                (((30, 16, 50), "in_progress", MIA), ((28, 11, 30), "resolved", MIA)),
                ((28, 14, 0), 4, "")),
    DemoRequest("Quarterly report in Spanish too", CHANGE, HANA, (28, 10, 0),
                _change("Provide the quarterly report in Spanish as well.", "Low", "6"),
                (((28, 11, 15), "in_progress", ADAM), ((25, 16, 0), "resolved", ADAM)),
                ((25, 17, 30), 5, "Exactly what we needed."), REPORTING),
    DemoRequest("VPN access for Fred", ACCESS, HANA, (26, 8, 50),
                _access("Fred Finance", "fred.finance@fabrikam.example", ["VPN", "Reporting"]),
                (((26, 9, 40), "in_progress", ADAM), ((26, 11, 0), "resolved", ADAM))),
    DemoRequest("Dashboard totals do not match the invoice", SUPPORT, FRED, (23, 14, 30),
                _ticket("Question", "Reporting", "The dashboard total differs from invoice 2026-031."),
                (((22, 10, 0), "waiting_on_client", ADAM), ((21, 9, 30), "in_progress", FRED),
                 ((21, 15, 0), "resolved", ADAM)),
                ((20, 9, 0), 2, "Took two days for a simple answer."), REPORTING),
    DemoRequest("Extra workshop with the store managers", CHANGE, LENA, (20, 11, 0),
                _change("Add a half-day workshop with the twelve store managers.", "Medium", "12"),
                (((20, 15, 0), "in_progress", OLIVIA), ((17, 10, 30), "resolved", OLIVIA)),
                ((17, 12, 0), 5, "")),
    DemoRequest("Tracking page shows an old status", SUPPORT, LENA, (16, 9, 5),
                _ticket("Degraded", "Tracking", "Parcels delivered yesterday still show 'in transit'."),
                (((16, 9, 50), "in_progress", OLIVIA), ((15, 16, 0), "resolved", OLIVIA)),
                ((14, 10, 0), 4, ""), TRACKING),
    DemoRequest("Access for two seasonal staff", ACCESS, PAULA, (12, 10, 30),
                _access("Sam and Alex Rivera", "seasonal@contoso.example", ["Ticketing"]),
                (((12, 11, 10), "in_progress", ADAM), ((12, 14, 20), "resolved", ADAM))),
    DemoRequest("Add the new stores to the rollout plan", CHANGE, CARLA, (9, 9, 45),
                _change("Three stores open in October: add them to the rollout.", "High", "30"),
                (((9, 13, 0), "in_progress", MIA),), project=ROLLOUT),
    DemoRequest("Newsletter sign-up form rejects valid addresses", SUPPORT, PAULA, (6, 14, 20),
                _ticket("Degraded", "Web shop", "Addresses with a + are refused."),
                (((5, 9, 10), "waiting_on_client", MIA),)),
    DemoRequest("Budget figures for the board pack", CHANGE, FRANK, (4, 10, 10),
                _change("Add a one-page budget summary to the board pack.", "Low", "4")),
    DemoRequest("Weekly status call at a new time", CHANGE, HANA, (3, 16, 40),
                _change("Move the weekly call to Thursdays 10:00.", "Low"),
                (((2, 9, 20), "in_progress", ADAM),)),
    DemoRequest("Cannot open the shared planning sheet", SUPPORT, FRED, (2, 11, 5),
                _ticket("Blocking", "Planning", "The sheet says access denied since this morning.")),
    DemoRequest("Reporting access for the new controller", ACCESS, HANA, (1, 9, 30),
                _access("Ivo Petrov", "ivo.petrov@fabrikam.example", ["Reporting"])),
    DemoRequest("Loyalty e-mails go out twice", SUPPORT, CARLA, (0, 9, 0),
                _ticket("Blocking", "E-mail", "Every loyalty e-mail reached customers twice this morning."),
                project=LOYALTY),
)  # fmt: skip


def seed_requests(tenant: Tenant) -> int:
    """Write what is missing of the demo's requests (inside `tenant_context` and a transaction, as the owner).
    Returns the number of requests written."""
    ensure_owner(ActivityEvent._meta.db_table)
    at = _Past(tenant)
    people = {user.email: user for user in User.objects.all()}
    hours = service_hours()
    if not hours.country:
        hours.country, hours.time_zone = "GB", tenant.time_zone
        hours.save()
    year = at.today.year
    for day, name in holidays_for(hours.country, [year - 1, year, year + 1]):
        Holiday.objects.get_or_create(date=day, defaults={"name": name[:120]})
    types = {name: _type(name, people) for name in TYPES}
    if not RoutingRule.objects.exists():
        RoutingRule.objects.create(
            position=1, request_type=types[SUPPORT], field_key="severity", value="Blocking", assignee=people[ADAM]
        )
    loyalty = Project.objects.filter(client_org__name="Contoso Retail", name=LOYALTY).first()
    if loyalty is not None and not RoutingRule.objects.filter(project__isnull=False).exists():
        RoutingRule.objects.create(position=2, project=loyalty, assignee=people[MIA])  # the project's lead
    clock = calendar()
    written = 0
    for item in REQUESTS:
        project = _project(item, people)
        existing = ClientRequest.objects.filter(subject=item.subject)
        if existing.exists():
            if project is not None:
                existing.filter(project__isnull=True).update(project=project)
            continue
        _write(item, types[item.kind], people, at, clock, project)
        written += 1
    return written


def _project(item: DemoRequest, people: dict[str, User]) -> Project | None:
    """The demo project the request is about, of its requester's organisation (None if not seeded)."""
    if not item.project:
        return None
    return Project.objects.filter(client_org=people[item.by].contact.client_org, name=item.project).first()


class _Past(DemoClock):
    """The demo's clock for requests: `days` counts working days (Monday to Friday) before today, so requests are
    sent and answered in office hours as they would be; never later than now."""

    def __call__(self, when: When) -> datetime:
        days, hour, minute = when
        day = self.today
        while days > 0 or day.weekday() >= 5:
            day -= timedelta(days=1)
            if day.weekday() < 5:
                days -= 1
        moment = datetime.combine(day, time(hour, minute), tzinfo=self.zone)
        return min(moment, timezone.now())


def _type(name: str, people: dict[str, User]) -> RequestType:
    found = RequestType.objects.filter(name=name).first()
    if found is not None:
        return found
    spec = TYPES[name]
    return request_type_save(
        actor=system(), request_type=None, name=name, description=spec["description"], all_clients=True,  # type: ignore[arg-type]
        client_orgs=[], assign_to=spec["assign_to"],
        default_assignee=people[ADAM] if spec["assign_to"] == Assignment.PERSON else None,
        first_response_hours=spec["first_response_hours"], resolution_hours=spec["resolution_hours"],
        fields=spec["fields"],
    )  # fmt: skip


def _write(
    item: DemoRequest,
    request_type: RequestType,
    people: dict[str, User],
    at: _Past,
    clock: Any,
    project: Project | None,
) -> None:
    from portal.requests.services import route, waiting_periods

    requester = people[item.by]
    org: ClientOrg = requester.contact.client_org
    version = request_type.current_version
    if version is None:
        raise ValueError(f"{request_type} has no form")
    sent = at(item.sent)
    first_hours, resolution_hours = request_type.first_response_hours, request_type.resolution_hours
    request = ClientRequest.objects.create(
        subject=item.subject, request_type=request_type, form_version=version, client_org=org, project=project,
        requester=requester, requester_label=requester.get_full_name(), answers=item.answers,
        assignee=route(request_type, org, item.answers, project), created_at=sent,
        first_response_due=clock.add(sent, timedelta(hours=first_hours)) if first_hours else None,
    )  # fmt: skip
    StatusChange.objects.create(request=request, from_status="", to_status="new", by=requester, at=sent)
    _event(sent, requester, "request.submitted", request, {"type": request_type.name})
    status = "new"
    for when, to_status, who in item.steps:
        moment, person = at(when), people[who]
        staff = hasattr(person, "staff")
        StatusChange.objects.create(
            request=request, from_status=status, to_status=to_status, by=person, by_staff=staff, at=moment
        )
        if staff and request.first_response_at is None:
            request.first_response_at = moment
            request.first_response_seconds = int(clock.between(sent, moment).total_seconds())
        if to_status == "resolved":
            request.resolved_at = moment
            request.resolution_seconds = int(
                clock.between(sent, moment, paused=waiting_periods(request)).total_seconds()
            )
        if to_status == "closed":
            request.closed_at = moment
        _event(moment, person, "request.status_changed", request, {"from": status, "to": to_status})
        status = to_status
    request.status = status
    open_now = status in ("new", "in_progress", "waiting_on_client")
    request.resolution_due = (
        clock.add_with_pauses(sent, timedelta(hours=resolution_hours), waiting_periods(request))
        if open_now and resolution_hours
        else None
    )
    request.save()
    ClientRequest.objects.filter(pk=request.pk).update(updated_at=at(item.steps[-1][0]) if item.steps else sent)
    if item.rating is not None:
        when, score, comment = item.rating
        Rating.objects.create(request=request, score=score, comment=comment, rated_by=requester, created_at=at(when))
        _event(at(when), requester, "request.rated", request, {"score": score, "excerpt": comment})


def _event(when: datetime, actor: User, verb: str, target: Model, data: dict[str, Any]) -> None:
    record_at(when, actor=actor, verb=verb, target=target, data=data)
