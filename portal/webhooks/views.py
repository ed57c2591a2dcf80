"""The webhooks pages (owners and admins): the portal's endpoints and a form to add one (its signing secret shown
once, on the answer to that form), and each endpoint's page: its settings, a test event, the secret's rotation,
its delivery log with replays, and its removal."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError, add_to_form
from portal.access import limits
from portal.access.confirm import destructive
from portal.access.http import PortalRequest, managers_only
from portal.webhooks import selectors, services
from portal.webhooks.forms import EndpointForm, ReplayForm, RotateForm
from portal.webhooks.models import DeliveryStatus, WebhookEndpoint

LOG_PAGE = 25


def _shown_once(response: HttpResponse, secret: str) -> HttpResponse:
    if secret:
        response["Cache-Control"] = "no-store"  # the secret is shown once: no copy of the page is kept
    return response


@managers_only
def endpoints(request: PortalRequest) -> HttpResponse:
    me = request.actor
    form = EndpointForm(request.POST or None, actor=me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = services.endpoint_create(
                actor=me, url=data["url"], description=data["description"], event_types=data["event_types"],
                all_clients=data["reach"] == "all", clients=data["clients"],
            )  # fmt: skip
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Endpoint added: copy its signing secret now."))
            found = selectors.endpoint_get_for(me, endpoint.pk)
            return _shown_once(_endpoint_page(request, found, secret=secret, status=201), secret)
    context = {"endpoints": selectors.endpoints_for(me), "form": form}
    return render(request, "portal/webhooks/endpoints.html", context, status=400 if form.errors else 200)


def _endpoint_form(endpoint: WebhookEndpoint, request: PortalRequest, data: Any = None) -> EndpointForm:
    initial = {
        "url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types,
        "reach": "all" if endpoint.all_clients else "chosen", "clients": list(endpoint.clients.all()),
        "enabled": endpoint.enabled,
    }  # fmt: skip
    return EndpointForm(data, actor=request.actor, editing=True, initial=initial)


def _endpoint_page(
    request: PortalRequest, endpoint: WebhookEndpoint, *, secret: str = "", status: int = 200, **forms: Any
) -> HttpResponse:
    shown = request.GET.get("status", "")
    log = Paginator(selectors.delivery_log(endpoint, status=shown), LOG_PAGE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "secret": secret,
        "now": timezone.now(),
        "form": forms.get("form") or _endpoint_form(endpoint, request),
        "rotate_form": forms.get("rotate_form") or RotateForm(),
        "replay_form": forms.get("replay_form") or ReplayForm(),
        "log": log,
        "shown_status": shown,
        "statuses": DeliveryStatus.choices,
        "waiting": any(item.status == DeliveryStatus.PENDING for item in log),
    }
    template = "portal/webhooks/log.html" if request.headers.get("HX-Target") == "delivery-log" else None
    response = render(request, template or "portal/webhooks/endpoint.html", context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@managers_only
def endpoint(request: PortalRequest, endpoint_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.endpoint_get_for(me, endpoint_id)
    if request.method != "POST":
        return _endpoint_page(request, found)
    form = _endpoint_form(found, request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.endpoint_update(
                actor=me, endpoint=found, url=data["url"], description=data["description"],
                event_types=data["event_types"], all_clients=data["reach"] == "all", clients=data["clients"],
                enabled=data["enabled"],
            )  # fmt: skip
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhooks:detail", endpoint_id=found.pk)
    return _endpoint_page(request, found, form=form, status=400)


@managers_only
@limits.per_person(limits.WEBHOOK_SENDS)
@require_POST
def send_test(request: PortalRequest, endpoint_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.endpoint_get_for(me, endpoint_id)
    if limits.limited(request):
        messages.error(request, limits.message(limits.WEBHOOK_SENDS))
        return redirect("webhooks:detail", endpoint_id=found.pk)
    try:
        services.endpoint_send_test(actor=me, endpoint=found)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Test event sent: it appears in the delivery log below."))
    return redirect("webhooks:detail", endpoint_id=found.pk)


@managers_only
@require_POST
def rotate(request: PortalRequest, endpoint_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.endpoint_get_for(me, endpoint_id)
    form = RotateForm(request.POST)
    if form.is_valid():
        try:
            _rotated, secret = services.endpoint_rotate_secret(actor=me, endpoint=found, overlap=form.overlap_delta())
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("New signing secret made: copy it now."))
            refreshed = selectors.endpoint_get_for(me, endpoint_id)
            return _shown_once(_endpoint_page(request, refreshed, secret=secret), secret)
    return _endpoint_page(request, found, rotate_form=form, status=400)


@managers_only
@limits.per_person(limits.WEBHOOK_SENDS)
@require_POST
def replay(request: PortalRequest, endpoint_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.endpoint_get_for(me, endpoint_id)
    form = ReplayForm(request.POST)
    if limits.limited(request):
        form.is_valid()
        form.add_error(None, limits.message(limits.WEBHOOK_SENDS))
    elif form.is_valid():
        try:
            count = services.deliveries_replay_range(
                actor=me, endpoint=found, since=form.cleaned_data["since"], until=form.cleaned_data["until"]
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("%(count)s events are being sent again.") % {"count": count})
            return redirect("webhooks:detail", endpoint_id=found.pk)
    return _endpoint_page(request, found, replay_form=form, status=400)


@managers_only
@limits.per_person(limits.WEBHOOK_SENDS)
@require_POST
def replay_one(request: PortalRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.endpoint_get_for(me, endpoint_id)
    if limits.limited(request):
        messages.error(request, limits.message(limits.WEBHOOK_SENDS))
        return redirect("webhooks:detail", endpoint_id=found.pk)
    try:
        again = services.delivery_replay(actor=me, endpoint=found, delivery_id=delivery_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Delivery %(id)s is being sent again.") % {"id": again.message_id})
    return redirect("webhooks:detail", endpoint_id=found.pk)


@managers_only
@destructive(
    gettext_lazy("Delete this webhook endpoint?"),
    consequence=gettext_lazy("It receives nothing more, and its delivery log is deleted with it."),
    label=gettext_lazy("Delete"),
)
@require_POST
def delete(request: PortalRequest, endpoint_id: int) -> HttpResponse:
    me = request.actor
    found = selectors.endpoint_get_for(me, endpoint_id)
    services.endpoint_delete(actor=me, endpoint=found)
    messages.success(request, _("The endpoint “%(name)s” is deleted.") % {"name": str(found)})
    return redirect("webhooks:list")
