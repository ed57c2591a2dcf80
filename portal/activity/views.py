"""The notification centre, notification preferences, one-click unsubscribe and the staff audit log."""

import csv

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import User
from portal.access import policy
from portal.access.http import PortalRequest, public, signed_in, staff_only
from portal.access.pages import cached_page
from portal.access.policy import Actor
from portal.activity import selectors, services
from portal.activity.audience import told_as
from portal.activity.emails import read_unsubscribe_token
from portal.activity.events import EVENT_TYPES
from portal.activity.forms import AuditFilterForm, PreferencesForm
from portal.activity.links import event_paths
from portal.activity.models import Notification

# The notification centre lists the latest ones.
NOTIFICATIONS_SHOWN = 100


def notification_items(actor: Actor) -> list[Notification]:
    """The actor's latest notifications, each with where it leads (`link`: the item's own page) and what it is to
    them (`label`: a comment that mentions them is a mention)."""
    items = list(selectors.notifications_for(actor)[:NOTIFICATIONS_SHOWN])
    paths = event_paths(item.event for item in items)
    for item in items:
        item.link = paths[item.event_id]  # type: ignore[attr-defined]
        item.label = EVENT_TYPES[told_as(item.event, item.user_id)].label  # type: ignore[attr-defined]
    return items


@signed_in
@cached_page
def notifications(request: PortalRequest) -> HttpResponse:
    items = notification_items(request.actor)
    template = "portal/activity/notification_list.html" if request.htmx else "portal/activity/notifications.html"
    return render(request, template, {"items": items, "unread": sum(1 for item in items if not item.read_at)})


@signed_in
@require_POST
def mark_read(request: PortalRequest, notification_id: int | None = None) -> HttpResponse:
    me = request.actor
    if notification_id is not None:
        selectors.notification_get_for(me, notification_id)
    services.notification_mark_read(actor=me, notification_id=notification_id)
    if request.htmx:
        items = notification_items(me)
        context = {
            "items": items,
            "unread": sum(1 for item in items if not item.read_at),
            # The top bar's and the sidebar's counts (the navigation's context, read after the change) follow,
            # swapped out of band.
            "counts_follow": True,
        }
        return render(request, "portal/activity/notification_list.html", context)
    return redirect("activity:notifications")


@signed_in
def preferences(request: PortalRequest) -> HttpResponse:
    me = request.actor
    types = selectors.receivable_types(me)
    current = selectors.frequencies_for(me.user, types)
    form = PreferencesForm(request.POST or None, event_types=types, initial_frequencies=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(actor=me, frequencies=form.cleaned_data)
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("activity:preferences")
    return render(request, "portal/activity/preferences.html", {"form": form})


@public  # the signed link is the proof
@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no CSRF token; the signed link is the proof
def unsubscribe(request: PortalRequest, token: str) -> HttpResponse:
    """Works without signing in: GET shows what the link does, POST does it (also RFC 8058 one-click)."""
    try:
        user_id, email, event_type = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "portal/activity/unsubscribe_invalid.html", status=400)
    user = User.objects.filter(pk=user_id, email__iexact=email).first()
    if user is None:
        return render(request, "portal/activity/unsubscribe_invalid.html", status=400)
    label = EVENT_TYPES[event_type].label if event_type in EVENT_TYPES else None
    if request.method == "POST":
        services.unsubscribe(user=user, event_type=event_type)
        return render(request, "portal/activity/unsubscribed.html", {"label": label})
    return render(request, "portal/activity/unsubscribe.html", {"label": label, "email": user.email})


# Events per page of the audit log.
AUDIT_PAGE_SIZE = 50


def spreadsheet_safe(value: str) -> str:
    """Names are typed by people: one starting with = + - @ would be a formula in a spreadsheet."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@staff_only
def audit_log(request: PortalRequest) -> HttpResponse:
    """Staff: the history with filters (person, type, client, dates), as a page or CSV."""
    me = request.actor
    clients = [(org.pk, org.name) for org in policy.client_orgs_for(me, include_archived=True)]
    form = AuditFilterForm(request.GET or None, clients=clients, people=policy.people_for(me))
    events = selectors.events_for(me, audit=True)
    if form.is_valid():
        data = form.cleaned_data
        events = selectors.filter_events(
            events,
            actor_id=data["person"].pk if data["person"] else None,
            verb=data["verb"] or None,
            client_org_id=data["client"],
            since=data["since"],
            until=data["until"],
        )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        writer = csv.writer(response)
        writer.writerow(["time", "actor", "type", "target", "client", "internal"])
        names = dict(clients)
        for event in events.iterator():
            writer.writerow(
                [event.created_at.isoformat(), spreadsheet_safe(event.actor_label), event.verb,
                 spreadsheet_safe(event.target_label), spreadsheet_safe(names.get(event.client_org_id or 0, "")),
                 event.internal]
            )  # fmt: skip
        return response
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    names = dict(clients)
    for event in page.object_list:
        event.client_name = names.get(event.client_org_id or 0, "")  # type: ignore[attr-defined]
    return render(request, "portal/activity/audit_log.html", {"form": form, "events": page.object_list, "page": page})
