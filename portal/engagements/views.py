"""The engagement pages: a client's projects, a project's page (phases, milestones, deliverables, hours against
budget, the conversation) with the staff's forms to plan and log time, the hours page, a deliverable's page (its
versions, the decision form for those who may approve, the decisions) and the approvals waiting. Each view wears
one guard and calls one service or selector."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import periods
from core.errors import add_to_form
from portal.access import panels
from portal.access.http import PortalRequest, client_capability, signed_in, staff_only
from portal.access.policy import NotFound, active_staff_for, client_org_get_for
from portal.clients.models import ClientOrg
from portal.conversations.selectors import comments_for, may_comment
from portal.engagements import selectors
from portal.engagements.forms import (
    DecisionForm,
    DeliverableForm,
    MilestoneForm,
    PhaseForm,
    ProjectForm,
    TimeEntryForm,
    VersionForm,
)
from portal.engagements.models import Deliverable, DeliverableState, Project
from portal.engagements.record import decision_record_pdf
from portal.engagements.services import (
    EngagementError,
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
from portal.engagements.summaries import burn
from portal.engagements.turnaround import turnaround
from portal.files import downloads

RECENT_ENTRIES = 8


@client_capability("projects.view", archived_for_staff=True)
def project_list(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    projects = list(selectors.projects_for(me, org))
    shows_time = selectors.may_see_time(me, org)
    rows = [{"project": project, "burn": burn(project.hours_used, project.budget_hours)} for project in projects]  # type: ignore[attr-defined]
    context = {"org": org, "rows": rows, "shows_time": shows_time}
    return render(request, "portal/engagements/projects.html", context)


def _project_context(request: PortalRequest, project: Project) -> dict[str, object]:
    me = request.actor
    org = project.client_org
    shows_time = selectors.may_see_time(me, org)
    context: dict[str, object] = {
        "project": project,
        "org": org,
        "phases": list(selectors.phases_of(project)),
        "milestones": list(selectors.milestones_of(project)),
        "today": timezone.localdate(),
        "shows_time": shows_time,
        "burn": burn(project.hours_used, project.budget_hours),  # type: ignore[attr-defined]
        "entries": selectors.time_entries_for(me, org, project=project)[:RECENT_ENTRIES] if shows_time else [],
        "deliverables": list(selectors.deliverables_of(me, project)),
        "sections": panels.panels_for("project", me, project),  # what other features show here (its requests)
        "thread": comments_for(me, project),
        "may_comment": may_comment(me, project),
        "target": project,
        "type_code": "project",
    }
    if me.is_staff:
        context |= {
            "phase_form": PhaseForm(),
            "milestone_form": MilestoneForm(),
            "deliverable_form": DeliverableForm(),
            "time_form": TimeEntryForm(
                initial={"person": me.user, "date": timezone.localdate()}, staff=active_staff_for(me)
            ),
        }
    return context


@signed_in
def project_detail(request: PortalRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for(request.actor, project_id)
    return render(request, "portal/engagements/project.html", _project_context(request, project))


@staff_only
def project_new(request: PortalRequest, org_id: int) -> HttpResponse:
    me = request.actor
    org = client_org_get_for(me, org_id)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_save(actor=me, project=None, org=org, **form.cleaned_data)
        except EngagementError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Project created: add its phases and milestones."))
            return redirect("engagements:project", project_id=project.pk)
    context = {"form": form, "org": org, "project": None}
    return render(request, "portal/engagements/project_form.html", context, status=400 if form.errors else 200)


@staff_only
def project_edit(request: PortalRequest, project_id: int) -> HttpResponse:
    me = request.actor
    project = selectors.project_get_for(me, project_id)
    initial = {field: getattr(project, field) for field in ProjectForm.base_fields}
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project_save(actor=me, project=project, org=project.client_org, **form.cleaned_data)
        except EngagementError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("engagements:project", project_id=project.pk)
    context = {"form": form, "org": project.client_org, "project": project}
    return render(request, "portal/engagements/project_form.html", context, status=400 if form.errors else 200)


def _invalid(request: PortalRequest, project: Project, **forms: object) -> HttpResponse:
    context = _project_context(request, project) | forms
    return render(request, "portal/engagements/project.html", context, status=400)


@staff_only
@require_POST
def phase_new(request: PortalRequest, project_id: int) -> HttpResponse:
    me = request.actor
    project = selectors.project_get_for(me, project_id)
    form = PhaseForm(request.POST)
    if form.is_valid():
        try:
            phase_add(actor=me, project=project, name=form.cleaned_data["name"])
        except EngagementError as error:
            add_to_form(form, error)
        else:
            return redirect("engagements:project", project_id=project.pk)
    return _invalid(request, project, phase_form=form)


@staff_only
@require_POST
def phase_make_current(request: PortalRequest, phase_id: int) -> HttpResponse:
    me = request.actor
    phase = selectors.phase_get_for(me, phase_id)
    try:
        phase_start(actor=me, phase=phase)
    except EngagementError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("“%(phase)s” is now the current phase; the client is told.") % {"phase": phase.name}
        )
    return redirect("engagements:project", project_id=phase.project_id)


@staff_only
@require_POST
def milestone_new(request: PortalRequest, project_id: int) -> HttpResponse:
    me = request.actor
    project = selectors.project_get_for(me, project_id)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            milestone_add(actor=me, project=project, **form.cleaned_data)
        except EngagementError as error:
            add_to_form(form, error)
        else:
            return redirect("engagements:project", project_id=project.pk)
    return _invalid(request, project, milestone_form=form)


@staff_only
@require_POST
def milestone_reached(request: PortalRequest, milestone_id: int) -> HttpResponse:
    me = request.actor
    milestone = selectors.milestone_get_for(me, milestone_id)
    try:
        milestone_complete(actor=me, milestone=milestone)
    except EngagementError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Milestone reached; the client is told."))
    return redirect("engagements:project", project_id=milestone.project_id)


@staff_only
@require_POST
def time_new(request: PortalRequest, project_id: int) -> HttpResponse:
    me = request.actor
    project = selectors.project_get_for(me, project_id)
    form = TimeEntryForm(request.POST, staff=active_staff_for(me))
    if form.is_valid():
        data = form.cleaned_data
        entry = Entry(person=data["person"], date=data["date"], hours=data["hours"], description=data["description"])
        try:
            time_entries_add(actor=me, project=project, entries=[entry])
        except EngagementError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("%(hours)s h logged.") % {"hours": data["hours"]})
            return redirect("engagements:project", project_id=project.pk)
    return _invalid(request, project, time_form=form)


@client_capability("time.view", archived_for_staff=True)
def time_list(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    entries = selectors.time_entries_for(me, org)
    context = {
        "org": org,
        "entries": entries[:200],
        "total": entries.aggregate(total=Sum("hours"))["total"] or Decimal(0),
        "projects": [
            {"project": project, "burn": burn(project.hours_used, project.budget_hours)}  # type: ignore[attr-defined]
            for project in selectors.projects_for(me, org)
        ],
    }
    return render(request, "portal/engagements/time.html", context)


# --- deliverables --------------------------------------------------------------------------------------------------


@staff_only
@require_POST
def deliverable_new(request: PortalRequest, project_id: int) -> HttpResponse:
    me = request.actor
    project = selectors.project_get_for(me, project_id)
    form = DeliverableForm(request.POST)
    if form.is_valid():
        try:
            deliverable = deliverable_add(actor=me, project=project, **form.cleaned_data)
        except EngagementError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Deliverable added as a draft: upload its first version, then submit it."))
            return redirect("engagements:deliverable", deliverable_id=deliverable.pk)
    return _invalid(request, project, deliverable_form=form)


def _deliverable_context(request: PortalRequest, deliverable: Deliverable) -> dict[str, object]:
    me = request.actor
    versions = list(selectors.versions_of(deliverable))
    decisions = list(selectors.decisions_of(deliverable))
    waiting = deliverable.state == DeliverableState.SUBMITTED
    editable = deliverable.state in (DeliverableState.DRAFT, DeliverableState.CHANGES_REQUESTED)
    return {
        "deliverable": deliverable,
        "project": deliverable.project,
        "org": deliverable.project.client_org,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "decisions": decisions,
        "decision_form": DecisionForm() if waiting and selectors.may_decide(me, deliverable) else None,
        "version_form": VersionForm() if me.is_staff and editable else None,
        "may_submit": me.is_staff and editable and bool(versions),
        "thread": comments_for(me, deliverable),
        "may_comment": may_comment(me, deliverable),
        "target": deliverable,
        "type_code": "deliverable",
    }


@signed_in
def deliverable_detail(request: PortalRequest, deliverable_id: int) -> HttpResponse:
    deliverable = selectors.deliverable_get_for(request.actor, deliverable_id)
    return render(request, "portal/engagements/deliverable.html", _deliverable_context(request, deliverable))


@staff_only
@require_POST
def deliverable_version_new(request: PortalRequest, deliverable_id: int) -> HttpResponse:
    me = request.actor
    deliverable = selectors.deliverable_get_for(me, deliverable_id)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = deliverable_version_add(actor=me, deliverable=deliverable, upload=form.cleaned_data["file"])
        except EngagementError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Version %(n)d added.") % {"n": version.number})
            return redirect("engagements:deliverable", deliverable_id=deliverable.pk)
    context = _deliverable_context(request, deliverable) | {"version_form": form}
    return render(request, "portal/engagements/deliverable.html", context, status=400)


@staff_only
@require_POST
def deliverable_submit_view(request: PortalRequest, deliverable_id: int) -> HttpResponse:
    me = request.actor
    deliverable = selectors.deliverable_get_for(me, deliverable_id)
    try:
        deliverable_submit(actor=me, deliverable=deliverable)
    except EngagementError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Submitted: the client is asked to decide."))
    return redirect("engagements:deliverable", deliverable_id=deliverable.pk)


@signed_in
@require_POST
def deliverable_decide_view(request: PortalRequest, deliverable_id: int) -> HttpResponse:
    me = request.actor
    deliverable = selectors.deliverable_get_for(me, deliverable_id)
    if not selectors.may_decide(me, deliverable):
        raise NotFound
    form = DecisionForm(request.POST)
    version = request.POST.get("version", "")
    version_id = int(version) if version.isascii() and version.isdigit() else 0  # not "²", which int() refuses
    if form.is_valid():
        try:
            deliverable_decide(
                actor=me, deliverable=deliverable, version_id=version_id,
                outcome=form.cleaned_data["outcome"], comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except EngagementError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Your decision is recorded; the team is told."))
            return redirect("engagements:deliverable", deliverable_id=deliverable.pk)
    context = _deliverable_context(request, deliverable) | {"decision_form": form}
    return render(request, "portal/engagements/deliverable.html", context, status=400)


@signed_in
def deliverable_file(request: PortalRequest, deliverable_version_id: int) -> HttpResponseBase:
    version = selectors.version_get_for(request.actor, deliverable_version_id)
    return downloads.attachment(str(version.file.name), version.original_name, version.content_type)


@signed_in
def deliverable_record(request: PortalRequest, deliverable_id: int) -> HttpResponse:
    """The deliverable's decision record, a PDF to download, for whoever may open the deliverable."""
    deliverable = selectors.deliverable_get_for(request.actor, deliverable_id)
    tenant = request.tenant
    pdf = decision_record_pdf(
        deliverable,
        selectors.versions_of(deliverable),
        selectors.decisions_of(deliverable),
        provider_name=tenant.name,
        generated_at=timezone.now(),
        time_zone=tenant.time_zone,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-record-{deliverable.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@client_capability("deliverables.approve", archived_for_staff=True)
def approvals(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    """The organisation's deliverables waiting for a decision."""
    waiting = selectors.waiting_for_decision(request.actor, org)
    return render(request, "portal/engagements/approvals.html", {"org": org, "deliverables": waiting})


@staff_only
def turnaround_view(request: PortalRequest) -> HttpResponse:
    """How long clients take to decide on deliverables, per client and overall, over a period (90 days by default)."""
    form, since, until = periods.chosen(request.GET)
    provider, clients = turnaround(request.actor, since, until)
    context = {"form": form, "provider": provider, "clients": clients, "since": since, "until": until}
    return render(request, "portal/engagements/turnaround.html", context)
