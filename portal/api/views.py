"""The API keys page (owners and admins): the portal's keys with what each may do and when it was last used, a form
to create one (its token shown once, on the answer to that form, never again), and revocation."""

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import add_to_form
from portal.access.confirm import destructive
from portal.access.http import PortalRequest, managers_only
from portal.api import selectors
from portal.api.forms import ApiKeyForm
from portal.api.services import ApiKeyError, api_key_create, api_key_revoke


def _page(request: PortalRequest, form: ApiKeyForm, *, token: str = "", status: int = 200) -> HttpResponse:
    context = {
        "keys": selectors.keys_for(request.actor),
        "form": form,
        "token": token,
        "now": timezone.now(),
    }
    response = render(request, "portal/api/keys.html", context, status=status)
    if token:
        response["Cache-Control"] = "no-store"  # the token is shown once: no copy of the page is kept
    return response


@managers_only
def keys(request: PortalRequest) -> HttpResponse:
    me = request.actor
    form = ApiKeyForm(request.POST or None, actor=me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires = data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.datetime.combine(expires, datetime.time.min)) if expires is not None else None
        )
        try:
            key, token = api_key_create(
                actor=me, name=data["name"], scopes=form.scopes(), all_clients=data["reach"] == "all",
                clients=data["clients"], expires_at=expires_at,
            )  # fmt: skip
        except ApiKeyError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Key “%(name)s” created: copy its token now.") % {"name": key.name})
            return _page(request, ApiKeyForm(actor=me), token=token, status=201)
    return _page(request, form, status=400 if form.errors else 200)


@managers_only
@destructive(
    gettext_lazy("Revoke this API key?"),
    consequence=gettext_lazy("Its next call is refused. The systems using it stop syncing until they get a new key."),
    label=gettext_lazy("Revoke"),
)
@require_POST
def key_revoke(request: PortalRequest, api_key_id: int) -> HttpResponse:
    me = request.actor
    key = selectors.key_get_for(me, api_key_id)
    try:
        api_key_revoke(actor=me, key=key)
    except ApiKeyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("api_keys:list")
