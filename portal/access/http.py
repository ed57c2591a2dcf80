"""The portal's one guarded request path: a typed request and the guards every portal view wears.

Every view under `portal.*` carries exactly one guard (`tests/portal/access/test_guards.py` walks the tenant
URLconf and fails otherwise), and the guard is the outermost decorator, so it runs before anything else the view
does:

- `public`: explicitly unguarded (the invitation link, the unsubscribe link): the view proves what it needs itself;
- `signed_in`: any signed-in person of the portal; the view scopes every object through `portal.access.policy`;
- `staff_only`: staff (owners, admins, members);
- `managers_only`: the portal's owners and admins;
- `client_capability(code)`: a signed-in person who holds `code` in the organisation named by the URL's `org_id`
  (staff: an organisation they reach). The view receives the organisation as `org` instead of `org_id`.

Every guard but `public` keeps `login_required`'s behaviour (an anonymous person is sent to sign in, coming back
afterwards), reads the actor once from `request.actor` (set by `ActorMiddleware`) and answers everyone else with the
same `NotFound` a missing page gives. Views read `request.actor`, never another app's helper.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails

from portal.access.policy import Actor, NotFound, client_org_get_for, may
from portal.clients.models import ClientOrg
from tenants import generations
from tenants.models import Tenant

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

# The attribute each guard appends its name to; `functools.wraps` copies it outwards, so a view that wears two
# guards shows both.
GUARD_ATTRIBUTE = "portal_guards"
PUBLIC, SIGNED_IN, STAFF, MANAGERS, CAPABILITY = "public", "signed_in", "staff", "managers", "capability"
API_KEY = "api_key"


class PortalRequest(HttpRequest):
    """A request of a portal (the tenant URLconf), as the middleware leaves it: the resolved tenant, the acting
    person (`portal.access.middleware.ActorMiddleware`, computed on first use) and django-htmx's details.
    Only a type: requests are Django's own."""

    tenant: Tenant
    actor: Actor
    htmx: HtmxDetails


def guards_of(view: Callable[..., Any]) -> tuple[str, ...]:
    """The guards a view function wears, outermost last."""
    return tuple(getattr(view, GUARD_ATTRIBUTE, ()))


def mark(view: View, guard: str) -> View:
    setattr(view, GUARD_ATTRIBUTE, (*guards_of(view), guard))
    return view


def person_guard(guard: str, allowed: Callable[[Actor], bool] | None) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: PortalRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if allowed is not None and not allowed(request.actor):
                raise NotFound
            return view(request, *args, **kwargs)

        return mark(cast(View, login_required(guarded)), guard)

    return decorate


def public(view: View) -> View:
    """No guard, on purpose: anyone may open this view (it checks what it needs, e.g. a signed token)."""

    @wraps(view)
    def unguarded(request: PortalRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, *args, **kwargs)

    return mark(cast(View, unguarded), PUBLIC)  # a wrapper: marking `view` itself would mark it wherever it is used


signed_in = person_guard(SIGNED_IN, None)
"""Any signed-in person of the portal (staff or contact)."""

staff_only = person_guard(STAFF, lambda actor: actor.is_staff)
"""Staff only; contacts get 404."""

managers_only = person_guard(MANAGERS, lambda actor: actor.manages_portal)
"""The portal's owners and admins only; staff members and contacts get 404."""


AnyView = Callable[..., HttpResponseBase]


def api_key_only(view: View) -> View:
    """An API endpoint: no session, no person; the caller is an API key of this portal and holds the endpoint's
    scope, checked by the API's own authentication and permission classes (`portal.api.auth`) before the view's
    handler runs (401 without a valid key, 403 without the scope). Marks the class-based view's function."""

    @wraps(view)
    def keyed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, *args, **kwargs)

    return mark(cast(View, keyed), API_KEY)


def _org_for(actor: Actor, org_id: int, capability: str, include_archived: bool) -> ClientOrg:
    """`client_org_get_for`, its answer kept for the person like the person themselves (`portal.access.backends`):
    under the portal's and the public schema's write generations (`tenants.generations`), so any write that could
    change it (a role, an archive, a team, a deactivation) retires it before the next request. Refusals are not
    kept."""
    lookup = None
    if actor.user is not None and settings.KEPT_SECONDS > 0:
        key = f"guard:{actor.user.pk}:{org_id}:{capability}:{int(include_archived)}"
        lookup = generations.look_up(connection.schema_name, key)  # type: ignore[attr-defined]
    if lookup is not None and lookup.value is not None:
        return cast(ClientOrg, lookup.value)
    org = client_org_get_for(actor, org_id, capability=capability, include_archived=include_archived)
    if lookup is not None:
        lookup.keep(org, settings.KEPT_SECONDS)
    return org


def client_capability(capability: str, *others: str, archived_for_staff: bool = False) -> Callable[[AnyView], AnyView]:
    """A signed-in person holding `capability` (or any of `others`) in the organisation of the URL's `org_id`
    (staff: one they reach; with `archived_for_staff`, archived ones too). The view is called with `org` (the
    `ClientOrg`) instead, so the guarded view takes `org_id` where the function takes `org`."""

    def decorate(view: AnyView) -> AnyView:
        @wraps(view)
        def guarded(request: PortalRequest, *args: Any, org_id: int, **kwargs: Any) -> HttpResponseBase:
            actor = request.actor
            include_archived = archived_for_staff and actor.is_staff
            if not others:
                org = _org_for(actor, org_id, capability, include_archived)
            else:
                org = client_org_get_for(actor, org_id, include_archived=include_archived)
                if not any(may(actor, code, org) for code in (capability, *others)):
                    raise NotFound
            return view(request, *args, org=org, **kwargs)

        guarded.portal_capability = capability  # type: ignore[attr-defined]
        return mark(login_required(guarded), CAPABILITY)

    return decorate
