"""The requests pages: a contact's list, the choice of type and the form; a request's page (answers, files,
status, conversation, rating); the staff queue with bulk changes, the service figures; and the settings owners and
admins keep (types and their forms, routing rules, business hours and holidays). Each view wears one guard and
calls one service or selector."""

import datetime

from django.contrib import messages
from django.core import signing
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from core import periods
from core.errors import add_to_form
from portal.access import limits
from portal.access.confirm import destructive
from portal.access.http import PortalRequest, client_capability, managers_only, public, signed_in, staff_only
from portal.access.policy import NotFound, active_staff_for, actor_for, client_orgs_for
from portal.clients.models import ClientOrg
from portal.conversations.selectors import comments_for, may_comment
from portal.engagements.selectors import projects_for
from portal.files import downloads
from portal.requests import figures, ratings, selectors, workflow
from portal.requests.answers import PROJECT_FIELD, AnswersForm, shown
from portal.requests.forms import (
    AssignForm,
    FieldFormSet,
    HolidayForm,
    HolidayImportForm,
    QueueFilterForm,
    RatingForm,
    RequestProjectForm,
    RequestTypeForm,
    RoutingRuleForm,
    ServiceHoursForm,
    field_initial,
)
from portal.requests.models import ClientRequest, Rating, Status
from portal.requests.services import (
    RequestError,
    holiday_add,
    holiday_delete,
    holidays_import,
    request_assign,
    request_change_status,
    request_rate,
    request_set_project,
    request_submit,
    request_type_archive,
    request_type_save,
    requests_change_status,
    routing_rule_delete,
    routing_rule_move,
    routing_rule_save,
    service_hours_save,
)

QUEUE_SIZE = 200
LIST_SIZE = 200
STATUS_TONES = {
    Status.NEW: "info",
    Status.IN_PROGRESS: "accent",
    Status.WAITING_ON_CLIENT: "warning",
    Status.RESOLVED: "success",
    Status.CLOSED: "neutral",
}


# --- contacts: list, new, submit ---------------------------------------------------------------------------------


@client_capability("requests.create", "requests.view_all", archived_for_staff=True)
def request_list(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    whose = "all" if request.GET.get("whose") == "all" else ""
    requests = selectors.requests_for(me, org, whose=whose)
    status = request.GET.get("status", "")
    if status in Status.values:
        requests = requests.filter(status=status)
    projects = list(projects_for(me, org))  # none without projects.view: no filter then
    project = next((p for p in projects if str(p.pk) == request.GET.get("project", "")), None)
    if project is not None:  # an unknown id is ignored, as an unknown status is
        requests = requests.filter(project=project)
    context = {
        "org": org,
        "requests": requests[:LIST_SIZE],
        "whose": whose,
        "status": status,
        "statuses": Status.choices,
        "projects": projects,
        "project": project,
        "may_create": "requests.create" in me.capabilities,
        "may_view_all": me.is_staff or "requests.view_all" in me.capabilities,
        "tones": STATUS_TONES,
        "now": timezone.now(),
    }
    return render(request, "portal/requests/list.html", context)


@client_capability("requests.create")
def request_new(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    if request.actor.is_staff:  # contacts send requests; staff answer them
        raise NotFound
    types = selectors.types_for_client(request.actor, org)
    wanted = request.GET.get("project", "")  # carried to the form, which preselects it if it may be chosen
    project_id = int(wanted) if wanted.isascii() and wanted.isdigit() else None  # not "²", which int() refuses
    context = {"org": org, "types": types, "project_id": project_id}
    return render(request, "portal/requests/new.html", context)


@client_capability("requests.create")
@limits.per_person(limits.REQUESTS)
def request_submit_view(request: PortalRequest, org: ClientOrg, type_id: int) -> HttpResponse:
    me = request.actor
    if me.is_staff:  # contacts send requests; staff answer them
        raise NotFound
    request_type = selectors.type_for_client(me, org, type_id)
    version = request_type.current_version
    if version is None:  # types_for_client offers only types with a form
        raise NotFound
    linkable = selectors.projects_to_link(me, org)
    projects = linkable if linkable.exists() else None  # no choice to offer: no field (a posted one is ignored)
    if request.method == "POST":
        shown_version = request.POST.get("version") or ""
        form = AnswersForm(request.POST, request.FILES, definition=version.fields, projects=projects)
        if limits.limited(request):
            form.is_valid()
            form.add_error(None, limits.message(limits.REQUESTS))
            context = {"org": org, "request_type": request_type, "version": version, "form": form}
            return render(request, "portal/requests/submit.html", context, status=429)
        if shown_version != str(version.pk):  # the form changed since the page was shown: show the new one
            form.is_valid()
            form.add_error(None, _("This form has just been changed: check your answers and send it again."))
        elif form.is_valid():
            try:
                created = request_submit(
                    actor=me, org=org, type_id=request_type.pk,
                    version_id=int(shown_version) if shown_version.isascii() and shown_version.isdigit() else 0,
                    subject=form.cleaned_data["subject"], answers=form.answers(), files=form.files_answered(),
                    project=form.cleaned_data.get(PROJECT_FIELD),
                )  # fmt: skip
            except RequestError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Request #%(number)d was sent.") % {"number": created.pk})
                return redirect("requests:detail", request_id=created.pk)
    else:
        wanted = request.GET.get("project", "")
        given = wanted.isascii() and wanted.isdigit()
        chosen = projects.filter(pk=int(wanted)).first() if projects is not None and given else None
        form = AnswersForm(definition=version.fields, projects=projects, initial={PROJECT_FIELD: chosen})
    context = {"org": org, "request_type": request_type, "version": version, "form": form}
    return render(request, "portal/requests/submit.html", context, status=400 if form.errors else 200)


# --- one request -------------------------------------------------------------------------------------------------


def _moves(me: object, found: ClientRequest) -> list[workflow.Move]:
    staff = getattr(me, "is_staff", False)
    return [move for move in workflow.MOVES.get(found.status, ()) if (move.by_staff if staff else move.by_client)]


@signed_in
def request_detail(request: PortalRequest, request_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.request_get_for(me, request_id)
    rating = Rating.objects.filter(request=found).first()
    hours = selectors.service_hours()
    reopen_until = found.resolved_at + datetime.timedelta(days=hours.reopen_days) if found.resolved_at else None
    moves = _moves(me, found)
    if reopen_until is not None and timezone.now() > reopen_until:
        moves = [move for move in moves if not workflow.is_reopen(found.status, move.to)]
    is_requester = not me.is_staff and found.requester_id == me.user.pk
    files = {file.field_key: file for file in selectors.files_of(found)}
    answers = [{**row, "file": files.get(row["key"])} for row in shown(found.form_version.fields, found.answers)]
    context = {
        "item": found,
        "org": found.client_org,
        "answers": answers,
        "tone": STATUS_TONES.get(Status(found.status), "neutral"),
        "status_label": _("Waiting on you")
        if found.status == Status.WAITING_ON_CLIENT and not me.is_staff
        else found.get_status_display(),
        "changes": selectors.changes_of(found),
        "moves": moves,
        "reopen_until": reopen_until,
        "assign_form": AssignForm(initial={"assignee": found.assignee}, staff=active_staff_for(me))
        if me.is_staff
        else None,
        "project": selectors.project_of(me, found),
        "project_form": RequestProjectForm(
            initial={"project": found.project_id}, projects=projects_for(me, found.client_org)
        )
        if me.is_staff
        else None,
        "rating": rating,
        "rating_form": RatingForm() if is_requester and rating is None and not found.is_open else None,
        "thread": comments_for(me, found),
        "may_comment": may_comment(me, found),
        "target": found,
        "type_code": "request",
        "overdue": found.overdue(),
    }
    return render(request, "portal/requests/detail.html", context)


@signed_in
@require_POST
def request_move(request: PortalRequest, request_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.request_get_for(me, request_id)
    try:
        moved = request_change_status(actor=me, request=found, to_status=request.POST.get("status", ""))
    except RequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request is now “%(status)s”.") % {"status": moved.get_status_display()})
    return redirect("requests:detail", request_id=found.pk)


@staff_only
@require_POST
def request_assign_view(request: PortalRequest, request_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.request_get_for(me, request_id)
    form = AssignForm(request.POST, staff=active_staff_for(me))
    if not form.is_valid():
        messages.error(request, _("Choose a member of staff from the list."))
        return redirect("requests:detail", request_id=found.pk)
    if form.cleaned_data["assignee"] == found.assignee:
        messages.info(request, _("Nothing changed."))
        return redirect("requests:detail", request_id=found.pk)
    try:
        request_assign(actor=me, request=found, assignee=form.cleaned_data["assignee"])
    except RequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Assignment saved."))
    return redirect("requests:detail", request_id=found.pk)


@staff_only
@require_POST
def request_project_view(request: PortalRequest, request_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.request_get_for(me, request_id)
    form = RequestProjectForm(request.POST, projects=projects_for(me, found.client_org))
    if not form.is_valid():
        messages.error(request, _("Choose one of the client's projects from the list."))
        return redirect("requests:detail", request_id=found.pk)
    try:
        request_set_project(actor=me, request=found, project=form.cleaned_data["project"])
    except RequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Project saved."))
    return redirect("requests:detail", request_id=found.pk)


@signed_in
@require_POST
def request_rate_view(request: PortalRequest, request_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.request_get_for(me, request_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a rating from 1 to 5."))
    else:
        try:
            request_rate(
                actor=me, request=found, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except RequestError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you for your rating."))
    return redirect(reverse("requests:detail", kwargs={"request_id": found.pk}) + "#rating")


@signed_in
def request_file(request: PortalRequest, file_id: int) -> HttpResponseBase:
    stored = selectors.request_file_get_for(request.actor, file_id)
    return downloads.attachment(str(stored.file.name), stored.original_name, stored.content_type)


@public
def rate_link(request: PortalRequest, token: str) -> HttpResponse:
    """The resolution e-mail's rating link: the question on GET (nothing is used up), the answer on POST."""
    try:
        request_id, user_id = ratings.read_token(token)
    except signing.BadSignature:
        return render(request, "portal/requests/rate_invalid.html", status=404)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    try:
        found = selectors.request_get_for(actor_for(user), request_id) if user is not None else None
    except NotFound:
        found = None
    if found is None or found.requester_id != user_id:
        return render(request, "portal/requests/rate_invalid.html", status=404)
    already = Rating.objects.filter(request=found).first()
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and already is None and form.is_valid():
        try:
            already = request_rate(
                actor=actor_for(user), request=found, score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except RequestError as error:
            add_to_form(form, error)
        else:
            return render(request, "portal/requests/rate_link.html", {"item": found, "rating": already, "thanks": True})
    context = {"item": found, "rating": already, "form": form}
    return render(request, "portal/requests/rate_link.html", context, status=400 if form.errors else 200)


# --- staff: queue, bulk changes, figures -------------------------------------------------------------------------


@staff_only
def queue(request: PortalRequest) -> HttpResponse:
    me = request.actor
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "open"
    types = selectors.RequestType.objects.order_by("name")
    clients = client_orgs_for(me, include_archived=True).select_related(None).order_by("name")
    staff = active_staff_for(me)
    projects = selectors.projects_reached(me)
    form = QueueFilterForm(data, types=types, clients=clients, staff=staff, projects=projects)
    form.is_valid()
    wanted = form.cleaned_data
    filters = selectors.QueueFilters(
        status=wanted.get("status", "open") if "status" in wanted else "open",
        type_id=wanted.get("type"), org_id=wanted.get("client"), project_id=wanted.get("project"),
        assignee=wanted.get("assignee", ""),
        overdue=bool(wanted.get("overdue")), sort=wanted.get("sort") or "due",
    )  # fmt: skip
    context = {
        "form": form,
        "requests": selectors.queue_for(me, filters)[:QUEUE_SIZE],
        "statuses": Status.choices,
        "tones": STATUS_TONES,
        "now": timezone.now(),
        "overdue_count": selectors.overdue_count(me),
    }
    return render(request, "portal/requests/queue.html", context)


@staff_only
@require_POST
def bulk(request: PortalRequest) -> HttpResponse:
    me = request.actor
    ids = [int(value) for value in request.POST.getlist("requests") if value.isascii() and value.isdigit()]
    to_status = request.POST.get("status", "")
    back = reverse("requests:queue") + ("?" + request.POST["query"] if request.POST.get("query") else "")
    if not ids:
        messages.error(request, _("Tick the requests to change first."))
        return redirect(back)
    if to_status not in Status.values:
        messages.error(request, _("Choose the status to move them to."))
        return redirect(back)
    chosen = selectors.requests_for(me).filter(pk__in=ids)
    changed, refused = requests_change_status(actor=me, requests=list(chosen), to_status=to_status)
    label = Status(to_status).label
    if changed:
        moved = ngettext("%(n)d request moved to “%(status)s”.", "%(n)d requests moved to “%(status)s”.", changed)
        messages.success(request, moved % {"n": changed, "status": label})
    if refused:
        left = ngettext(
            "%(n)d request could not move to “%(status)s” from where it is, and was left as it was.",
            "%(n)d requests could not move to “%(status)s” from where they are, and were left as they were.",
            refused,
        )
        messages.warning(request, left % {"n": refused, "status": label})
    return redirect(back)


@staff_only
def figures_view(request: PortalRequest) -> HttpResponse:
    me = request.actor
    form, since, until = periods.chosen(request.GET)
    context = {
        "form": form,
        "since": since,
        "until": until,
        "by_type": figures.times(me, since, until, "type"),
        "by_client": figures.times(me, since, until, "client"),
        "csat_type": figures.satisfaction(me, since, until, "type"),
        "csat_client": figures.satisfaction(me, since, until, "client"),
        "csat_assignee": figures.satisfaction(me, since, until, "assignee"),
    }
    return render(request, "portal/requests/figures.html", context)


# --- owners and admins: types, routing, hours --------------------------------------------------------------------


@managers_only
def types(request: PortalRequest) -> HttpResponse:
    context = {"types": selectors.types_for(request.actor).order_by("archived_at", "name"), "tab": "types"}
    return render(request, "portal/requests/types.html", context)


@managers_only
def type_edit(request: PortalRequest, type_id: int | None = None) -> HttpResponse:
    me = request.actor
    request_type = selectors.type_get_for(me, type_id) if type_id is not None else None
    clients = client_orgs_for(me).select_related(None).order_by("name")
    staff = active_staff_for(me)
    current = request_type.current_version.fields if request_type and request_type.current_version else []
    if request.method == "POST":
        form = RequestTypeForm(request.POST, clients=clients, staff=staff)
        fields = FieldFormSet(request.POST, prefix="fields")
        if form.is_valid() and fields.is_valid():
            definition = [entry.definition() for entry in fields.ordered_forms]  # by Position; removed ones left out
            try:
                saved = request_type_save(
                    actor=me, request_type=request_type, **form.cleaned_data,
                    fields=[field for field in definition if field is not None],
                )  # fmt: skip
            except RequestError as error:
                add_to_form(form, error)
                if error.field == "fields":
                    form.add_error(None, error.message)
            else:
                number = saved.current_version.number if saved.current_version else 0
                messages.success(request, _("Saved: new requests use form version %(n)d.") % {"n": number})
                return redirect("requests:type_edit", type_id=saved.pk)
    else:
        initial = RequestTypeForm.initial_for(request_type) if request_type else {"all_clients": True}
        form = RequestTypeForm(initial=initial, clients=clients, staff=staff)
        fields = FieldFormSet(initial=field_initial(current), prefix="fields")
    context = {
        "request_type": request_type,
        "form": form,
        "fields": fields,
        "versions": selectors.versions_of(me, request_type) if request_type else [],
        "tab": "types",
    }
    return render(request, "portal/requests/type_form.html", context, status=400 if request.method == "POST" else 200)


@managers_only
@destructive(
    gettext_lazy("Withdraw this request type?"),
    consequence=gettext_lazy("Clients can no longer choose it. Its requests stay, and you can offer it again."),
    label=gettext_lazy("Withdraw"),
)
@require_POST
def type_archive(request: PortalRequest, type_id: int) -> HttpResponse:
    me = request.actor
    request_type_archive(actor=me, request_type=selectors.type_get_for(me, type_id), archived=True)
    messages.success(request, _("Withdrawn: clients no longer see it."))
    return redirect("requests:types")


@managers_only
@require_POST
def type_restore(request: PortalRequest, type_id: int) -> HttpResponse:
    me = request.actor
    request_type_archive(actor=me, request_type=selectors.type_get_for(me, type_id), archived=False)
    messages.success(request, _("Offered again to clients."))
    return redirect("requests:types")


@managers_only
def routing(request: PortalRequest) -> HttpResponse:
    me = request.actor
    types_all = selectors.types_for(me).order_by("name")
    clients = client_orgs_for(me).select_related(None).order_by("name")
    form = RoutingRuleForm(
        request.POST or None, types=types_all, clients=clients, staff=active_staff_for(me),
        projects=selectors.projects_reached(me).filter(client_org__in=clients.values("pk")),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            routing_rule_save(actor=me, rule=None, **form.cleaned_data)
        except RequestError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Rule added at the end of the list."))
            return redirect("requests:routing")
    context = {"rules": selectors.routing_rules_for(me), "form": form, "tab": "routing"}
    return render(request, "portal/requests/routing.html", context, status=400 if form.errors else 200)


@managers_only
@destructive(gettext_lazy("Delete this routing rule?"), label=gettext_lazy("Delete"))
@require_POST
def routing_delete(request: PortalRequest, rule_id: int) -> HttpResponse:
    me = request.actor
    routing_rule_delete(actor=me, rule=selectors.routing_rule_get_for(me, rule_id))
    messages.success(request, _("Rule deleted."))
    return redirect("requests:routing")


@managers_only
@require_POST
def routing_move(request: PortalRequest, rule_id: int) -> HttpResponse:
    me = request.actor
    routing_rule_move(
        actor=me, rule=selectors.routing_rule_get_for(me, rule_id), up=request.POST.get("direction") == "up"
    )
    return redirect("requests:routing")


@managers_only
def settings_view(request: PortalRequest) -> HttpResponse:
    me = request.actor
    hours = selectors.service_hours()
    form = ServiceHoursForm(request.POST if request.POST.get("form") == "hours" else None, instance=hours)
    holiday_form = HolidayForm(request.POST if request.POST.get("form") == "holiday" else None)
    import_form = HolidayImportForm(
        request.POST if request.POST.get("form") == "import" else None, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                service_hours_save(actor=me, values=form.cleaned_data)
                messages.success(request, _("Business hours saved. Due times already set are unchanged."))
                return redirect("requests:settings")
            if holiday_form.is_bound and holiday_form.is_valid():
                holiday_add(actor=me, **holiday_form.cleaned_data)
                messages.success(request, _("Holiday added."))
                return redirect("requests:settings")
            if import_form.is_bound and import_form.is_valid():
                if not hours.country:
                    import_form.add_error(None, _("Choose the country for public holidays above first."))
                else:
                    added = holidays_import(actor=me, country=hours.country, year=import_form.cleaned_data["year"])
                    messages.success(request, _("%(n)d public holidays added.") % {"n": added})
                    return redirect("requests:settings")
        except RequestError as error:
            add_to_form(form if form.is_bound else holiday_form if holiday_form.is_bound else import_form, error)
    context = {
        "form": form,
        "holiday_form": holiday_form,
        "import_form": import_form,
        "holidays": selectors.holidays_for(me).filter(date__year__gte=timezone.localdate().year),
        "this_year": timezone.localdate().year,
        "hours": hours,
        "tab": "settings",
    }
    invalid = form.errors or holiday_form.errors or import_form.errors
    return render(request, "portal/requests/settings.html", context, status=400 if invalid else 200)


@managers_only
@destructive(gettext_lazy("Remove this holiday?"), label=gettext_lazy("Remove"))
@require_POST
def holiday_delete_view(request: PortalRequest, holiday_id: int) -> HttpResponse:
    me = request.actor
    holiday_delete(actor=me, holiday=selectors.holiday_get_for(me, holiday_id))
    messages.success(request, _("Holiday removed."))
    return redirect("requests:settings")
