"""The demo portal's projects: phases (one current), milestones (some reached, one overdue) and weeks of time
entries against each budget, so the project pages and the hours show real figures from the first `make run`.
Idempotent: projects are found by client and name, and only a project that is missing is written."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from operators.demo_history import demo_pdf
from portal.clients.models import ClientOrg
from portal.engagements.models import (
    Decision,
    Deliverable,
    DeliverableState,
    DeliverableVersion,
    Milestone,
    Outcome,
    Phase,
    Project,
    ProjectStatus,
    TimeEntry,
)


@dataclass(frozen=True)
class DemoProject:
    client: str
    name: str
    description: str
    budget_hours: int
    phases: tuple[str, ...]
    current: int  # index of the current phase
    milestones: tuple[tuple[str, int, bool], ...]  # title, days from today (negative: past), reached
    people: tuple[str, ...]  # who logs time
    hours_per_week: int
    weeks: int


PROJECTS = (
    DemoProject(
        "Contoso Retail", "Loyalty programme relaunch",
        "New tiers, a new app journey and the campaign that announces them.", 320,
        ("Discovery", "Design", "Build", "Launch"), 2,
        (("Discovery report accepted", -40, True), ("Tier design signed off", -12, True),
         ("App journey in test", -2, False), ("Campaign live", 24, False)),
        ("mia.member@northwind.example", "adam.admin@northwind.example"), 26, 8,
    ),
    DemoProject(
        "Contoso Retail", "Store rollout planning", "Rollout plan for the new point-of-sale system in 40 stores.", 120,
        ("Assessment", "Plan", "Pilot"), 1,
        (("Store assessment complete", -9, True), ("Rollout plan approved", 10, False)),
        ("mia.member@northwind.example",), 9, 5,
    ),
    DemoProject(
        "Fabrikam Health", "Reporting platform", "Monthly board reporting moved to one platform.", 200,
        ("Requirements", "Build", "Migration", "Handover"), 1,
        (("Requirements signed off", -30, True), ("First board pack generated", 7, False)),
        ("adam.admin@northwind.example",), 22, 6,
    ),
    DemoProject(
        "Litware Logistics", "Tracking page redesign", "A clearer parcel tracking page for customers.", 60,
        ("Research", "Design", "Build"), 0, (("Research findings shared", 5, False),),
        ("olivia.owner@northwind.example",), 6, 2,
    ),
)  # fmt: skip


# Deliverables: (project, title, days before today submitted, [(outcome, days before today, by, comment)...],
# state now). A version per submission; decisions on the version they followed.
DELIVERABLES: tuple[tuple[str, str, int, list[tuple[str, int, str, str]], str], ...] = (
    ("Loyalty programme relaunch", "Discovery report", 45, [("approved", 43, "paula.lead@contoso.example", "")],
     DeliverableState.APPROVED),
    ("Loyalty programme relaunch", "Tier design", 20,
     [("changes_requested", 18, "carla.admin@contoso.example", "Gold should start at 2,000 points, not 2,500."),
      ("approved", 13, "carla.admin@contoso.example", "Thanks, that works.")], DeliverableState.APPROVED),
    ("Loyalty programme relaunch", "App journey mock-ups", 6,
     [("changes_requested", 4, "paula.lead@contoso.example", "The sign-up step should come after the tier choice.")],
     DeliverableState.SUBMITTED),
    ("Reporting platform", "Requirements document", 33, [("approved", 31, "hana.admin@fabrikam.example", "")],
     DeliverableState.APPROVED),
    ("Reporting platform", "Board pack template", 2, [], DeliverableState.SUBMITTED),
)  # fmt: skip


def seed_deliverables(project: Project) -> None:
    """The project's demo deliverables, with their versions and decisions dated in the past (as the owner, which
    the decisions' trigger lets give a time of its own)."""
    now = timezone.now()
    staff = project.client_org.account_manager
    for name, title, submitted, decisions, state in DELIVERABLES:
        if name != project.name:
            continue
        deliverable = Deliverable.objects.create(
            project=project, title=title, due_date=timezone.localdate() + timedelta(days=7 - submitted),
            state=state, submitted_at=now - timedelta(days=submitted),
        )  # fmt: skip
        rounds = max(1, len(decisions) + (1 if state == DeliverableState.SUBMITTED and decisions else 0))
        versions = []
        for number in range(1, rounds + 1):
            content = demo_pdf(title, f"Version {number}")
            version = DeliverableVersion(
                deliverable=deliverable, number=number, original_name=f"{title.lower().replace(' ', '-')}.pdf",
                size=len(content), sha256=hashlib.sha256(content).hexdigest(), content_type="application/pdf",
                scan_status="not_configured", uploaded_by=staff,
            )  # fmt: skip
            version.file.save(version.original_name, ContentFile(content), save=False)
            version.save()
            # v1 when it was first submitted; each later one the day after the decision that asked for it.
            days_ago = submitted if number == 1 else max(decisions[number - 2][1] - 1, 0)
            DeliverableVersion.objects.filter(pk=version.pk).update(uploaded_at=now - timedelta(days=days_ago))
            versions.append(version)
        latest = DeliverableVersion.objects.filter(deliverable=deliverable).order_by("-number").first()
        if latest is not None:  # submitted when its latest version was
            Deliverable.objects.filter(pk=deliverable.pk).update(submitted_at=latest.uploaded_at)
        uploaded = dict(DeliverableVersion.objects.filter(deliverable=deliverable).values_list("pk", "uploaded_at"))
        for (outcome, days, email, comment), version in zip(decisions, versions, strict=False):
            person = User.objects.get(email=email)
            Decision.objects.create(
                deliverable=deliverable, version=version, sha256=version.sha256, outcome=Outcome(outcome),
                comment=comment, decided_by_id=person.pk, decided_by_label=person.get_full_name(),
                submitted_at=uploaded[version.pk], decided_at=now - timedelta(days=days, hours=-3),
            )  # fmt: skip


def seed_engagements() -> int:
    """Write the demo projects that are missing (inside `tenant_context`). Returns how many were written."""
    today = timezone.localdate()
    written = 0
    for item in PROJECTS:
        org = ClientOrg.objects.get(name=item.client)
        if Project.objects.filter(client_org=org, name=item.name).exists():
            continue
        project = Project.objects.create(
            client_org=org, name=item.name, description=item.description, status=ProjectStatus.ACTIVE,
            start_date=today - timedelta(weeks=item.weeks), end_date=today + timedelta(weeks=6),
            budget_hours=Decimal(item.budget_hours),
        )  # fmt: skip
        phases = [Phase.objects.create(project=project, name=name, position=n) for n, name in enumerate(item.phases, 1)]
        project.current_phase = phases[item.current]
        project.save(update_fields=["current_phase"])
        now = timezone.now()
        for title, days, reached in item.milestones:
            Milestone.objects.create(
                project=project, title=title, due_date=today + timedelta(days=days),
                completed_at=now + timedelta(days=days) if reached else None,
            )  # fmt: skip
        entries = []
        for week in range(item.weeks):
            for n, email in enumerate(item.people):
                person = User.objects.get(email=email)
                day = today - timedelta(weeks=week, days=1 + n)
                hours = Decimal(item.hours_per_week) / len(item.people)
                phase = item.phases[min(week % 3, item.current)]
                entries.append(
                    TimeEntry(
                        project=project,
                        person=person,
                        person_label=person.get_full_name(),
                        date=day,
                        hours=hours.quantize(Decimal("0.25")),
                        description=f"{phase} work",
                    )
                )
        TimeEntry.objects.bulk_create(entries)
        seed_deliverables(project)
        written += 1
    return written
