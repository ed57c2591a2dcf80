"""One guarded request path: every portal view wears exactly one guard from `portal.access.http`, and each guard
refuses what it should.

Which views are "portal views": every view of the tenant URLconf defined under `portal.*`. The tenant URLconf also
serves views from below the portal's layer, which cannot import its guards (platform apps sit under `portal`):
they are listed in `OUTSIDE_PORTAL` with the reason, and a view from any other module fails the walk too, so a new
page cannot slip in through an unexpected module.
"""

import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone
from django.views.generic import RedirectView

from portal.access.http import (
    API_KEY,
    CAPABILITY,
    MANAGERS,
    PUBLIC,
    SIGNED_IN,
    STAFF,
    client_capability,
    guards_of,
    managers_only,
    public,
    signed_in,
    staff_only,
)
from portal.access.models import Role, StaffMembership
from portal.access.policy import NotFound, actor_for
from portal.clients.models import ClientOrg, Contact
from tests.portal.factories import ContactFactory

TENANT_URLCONF = "config.urls_tenant"

OUTSIDE_PORTAL = {
    "allauth": "allauth's sign-in, e-mail and two-factor pages, guarded by allauth itself",
    "accounts.views": "part of signing in (platform layer, below portal): the sign-in hand-off (a single-use "
    "token) and the recovery-codes explanation in front of allauth's page (login_required)",
    "branding.views": "the composition layer's white-label pages: the theme and logo are public assets; the "
    "branding settings page wears `managers_only` (checked below)",
    "branding.styleguide": "the living style guide: development only (DEBUG or STYLEGUIDE_ENABLED, 404 otherwise), "
    "wears `public` (tests/branding/test_styleguide.py)",
}


def views_of(patterns: Sequence[URLPattern | URLResolver], prefix: str = "", namespace: str = "") -> Iterator[
    tuple[str, str | None, dict[str, Any], Callable[..., Any]]
]:  # fmt: skip
    """(route, URL name with namespaces, default kwargs, view) for every pattern, included ones too."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from views_of(pattern.url_patterns, route, inner)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield route, name, dict(pattern.default_args), pattern.callback


def is_under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def guard_problems(
    patterns: Sequence[URLPattern | URLResolver],
    *,
    portal: Sequence[str] = ("portal",),
    outside: Sequence[str] = tuple(OUTSIDE_PORTAL),
) -> list[str]:
    """What is wrong with the guards of these URL patterns: a portal view wearing no guard or more than one, or
    a view from a module that is neither the portal's nor a known outside one."""
    problems = []
    for route, _name, _defaults, view in views_of(patterns):
        module, label = view.__module__, f"/{route} ({view.__module__}.{view.__qualname__})"
        if any(is_under(module, package) for package in portal):
            guards = guards_of(view)
            if len(guards) != 1:
                problems.append(f"{label} wears {len(guards)} guards {guards}, not exactly one")
        elif not any(is_under(module, package) for package in outside):
            problems.append(f"{label} is neither a portal view nor a known outside one")
    return problems


def portal_views() -> list[tuple[str, str | None, dict[str, Any], Callable[..., Any]]]:
    return [
        found
        for found in views_of(get_resolver(TENANT_URLCONF).url_patterns)
        if is_under(found[3].__module__, "portal")
    ]


# --- the walk ----------------------------------------------------------------------------------------------------


def test_every_portal_view_wears_exactly_one_guard() -> None:
    assert len(portal_views()) > 30  # the walk reaches the portal's views (included URLconfs, namespaces)
    assert guard_problems(get_resolver(TENANT_URLCONF).url_patterns) == []


def guarded_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def unguarded_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("anyone, by mistake")


def test_the_walk_reports_an_unguarded_a_doubly_guarded_and_an_unknown_view() -> None:
    nested = [path("deep/", unguarded_view)]
    patterns: list[URLPattern | URLResolver] = [
        path("fine/", signed_in(guarded_view)),
        path("open/", public(guarded_view)),
        path("naked/", unguarded_view),
        path("twice/", staff_only(signed_in(guarded_view))),
        path("nested/", include((nested, "nested"))),
        path("elsewhere/", RedirectView.as_view(url="/")),
    ]

    problems = guard_problems(patterns, portal=(__name__,))

    assert [problem.split(" (")[0] for problem in problems] == ["/naked/", "/twice/", "/nested/deep/", "/elsewhere/"]
    naked, twice, deep, elsewhere = problems
    assert naked.endswith(f"{__name__}.unguarded_view) wears 0 guards (), not exactly one")
    assert twice.endswith("wears 2 guards ('signed_in', 'staff'), not exactly one")
    assert deep.endswith("wears 0 guards (), not exactly one")
    assert elsewhere.endswith("is neither a portal view nor a known outside one")


def test_the_public_portal_views_are_the_three_signed_links() -> None:
    public_names = {name for _, name, _, view in portal_views() if guards_of(view) == (PUBLIC,)}
    # The signed links, and the API's schema and documentation (they describe the API and hold no data).
    assert public_names == {"access:accept", "activity:unsubscribe", "requests:rate_link", "api:schema", "api:docs"}


# --- what each guard refuses, through every portal URL -------------------------------------------------------------

DUMMY = {"int": 999999, "str": "not-a-token", "slug": "client", "uuid": uuid.UUID(int=1)}


def url_kwargs(route: str) -> dict[str, Any]:
    """Dummy values for the route's converters (`<int:org_id>` → 999999)."""
    kwargs: dict[str, Any] = {}
    for part in route.split("<")[1:]:
        kind, key = part.split(">")[0].split(":")
        kwargs[key] = DUMMY[kind]
    return kwargs


def guarded_urls(*guards: str) -> list[tuple[str, str]]:
    """(URL name, URL) of every portal view wearing one of these guards, with dummy ids."""
    found = {}
    for route, name, _defaults, view in portal_views():
        if len(guards_of(view)) == 1 and guards_of(view)[0] in guards:
            assert name, f"/{route} has no URL name"
            found[route] = (name, reverse(name, kwargs=url_kwargs(route), urlconf=TENANT_URLCONF))
    return sorted(found.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "url"),
    guarded_urls(*{guard for _, _, _, view in portal_views() for guard in guards_of(view)} - {PUBLIC, API_KEY}),
)
def test_every_guarded_portal_view_sends_anonymous_people_to_sign_in(in_demo: Any, name: str, url: str) -> None:
    response = Client(headers={"host": "demo.localhost"}).get(url)

    assert response.status_code == 302, name
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}", name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), guarded_urls(API_KEY))
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_every_api_endpoint_refuses_a_call_without_a_key_even_from_a_signed_in_browser(
    as_user: Callable[[Any], Client], name: str, url: str, method: str
) -> None:
    """A session is not an API credential: the owner's own cookies get the same 401 as nobody."""
    for client in (Client(headers={"host": "demo.localhost"}), as_user(StaffMembership.objects.get(role="owner").user)):
        response = getattr(client, method)(url)

        assert response.status_code == 401, name
        assert response["Content-Type"] == "application/problem+json", name
        assert response["WWW-Authenticate"] == 'Bearer realm="api"', name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), guarded_urls(STAFF, MANAGERS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_contact_gets_404_from_every_staff_and_manager_page(
    as_user: Callable[[Any], Client], name: str, url: str, method: str
) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example").user  # client admin: every capability

    assert getattr(as_user(carla), method)(url).status_code == 404, name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), guarded_urls(MANAGERS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_staff_member_gets_404_from_every_manager_page(
    as_user: Callable[[Any], Client], name: str, url: str, method: str
) -> None:
    mia = StaffMembership.objects.get(user__email="mia.member@northwind.example").user

    assert getattr(as_user(mia), method)(url).status_code == 404, name


@pytest.mark.django_db
def test_a_contact_without_the_capability_gets_404_in_their_own_organisation(as_user: Callable[[Any], Client]) -> None:
    victor = Contact.objects.get(user__email="victor.viewer@contoso.example")  # viewer: no contacts.view
    url = reverse("clients:contacts", kwargs={"org_id": victor.client_org_id})
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")

    assert as_user(victor.user).get(url).status_code == 404
    assert as_user(carla.user).get(url).status_code == 200


# --- each guard on its own --------------------------------------------------------------------------------------


def request_as(user: Any) -> HttpRequest:
    request = RequestFactory(headers={"host": "demo.localhost"}).get("/somewhere/")
    request.user = user if user is not None else AnonymousUser()
    request.actor = actor_for(request.user)  # type: ignore[attr-defined]
    return request


@pytest.fixture
def people(in_demo: Any) -> dict[str, Any]:
    staff = {m.role: m.user for m in StaffMembership.objects.select_related("user")}
    contacts = {c.user.email.split("@")[0]: c.user for c in Contact.objects.select_related("user")}
    return {"owner": staff["owner"], "admin": staff["admin"], "member": staff["member"], **contacts}


def org_page(request: HttpRequest, org: ClientOrg) -> HttpResponse:
    return HttpResponse(org.name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view", "kwargs"),
    [
        (signed_in(guarded_view), {}),
        (staff_only(guarded_view), {}),
        (managers_only(guarded_view), {}),
        (client_capability("organisation.view")(org_page), {"org_id": 1}),
    ],
    ids=[SIGNED_IN, STAFF, MANAGERS, CAPABILITY],
)
def test_each_person_guard_sends_anonymous_people_to_sign_in(
    people: dict[str, Any], view: Callable[..., HttpResponse], kwargs: dict[str, Any]
) -> None:
    response = view(request_as(None), **kwargs)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/somewhere/"


@pytest.mark.django_db
def test_public_lets_anyone_in(people: dict[str, Any]) -> None:
    assert public(guarded_view)(request_as(None)).status_code == 200


@pytest.mark.django_db
def test_signed_in_lets_any_person_of_the_portal_in(people: dict[str, Any]) -> None:
    view = signed_in(guarded_view)
    for who in ("owner", "member", "victor.viewer"):
        assert view(request_as(people[who])).status_code == 200, who


@pytest.mark.django_db
def test_staff_only_refuses_contacts(people: dict[str, Any]) -> None:
    view = staff_only(guarded_view)

    assert view(request_as(people["member"])).status_code == 200
    with pytest.raises(NotFound):
        view(request_as(people["carla.admin"]))


@pytest.mark.django_db
def test_managers_only_refuses_staff_members_and_contacts(people: dict[str, Any]) -> None:
    view = managers_only(guarded_view)

    assert view(request_as(people["owner"])).status_code == 200
    assert view(request_as(people["admin"])).status_code == 200
    for who in ("member", "carla.admin"):
        with pytest.raises(NotFound):
            view(request_as(people[who]))


@pytest.mark.django_db
def test_client_capability_hands_the_organisation_to_those_holding_the_capability(people: dict[str, Any]) -> None:
    view = client_capability("contacts.view")(org_page)
    contoso, fabrikam = ClientOrg.objects.get(name="Contoso Retail"), ClientOrg.objects.get(name="Fabrikam Health")

    response = view(request_as(people["carla.admin"]), org_id=contoso.pk)
    assert isinstance(response, HttpResponse)
    assert response.content == b"Contoso Retail"
    assert view(request_as(people["member"]), org_id=contoso.pk).status_code == 200  # Mia manages Contoso
    for who, org in [("victor.viewer", contoso), ("carla.admin", fabrikam), ("member", fabrikam)]:
        with pytest.raises(NotFound):
            view(request_as(people[who]), org_id=org.pk)


@pytest.mark.django_db
def test_client_capability_shows_archived_organisations_to_staff_only_when_asked(people: dict[str, Any]) -> None:
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    ClientOrg.objects.filter(pk=contoso.pk).update(archived_at=timezone.now())
    with_archived = client_capability("organisation.view", archived_for_staff=True)(org_page)
    without = client_capability("organisation.view")(org_page)

    assert with_archived(request_as(people["owner"]), org_id=contoso.pk).status_code == 200
    with pytest.raises(NotFound):
        without(request_as(people["owner"]), org_id=contoso.pk)
    with pytest.raises(NotFound):
        with_archived(request_as(people["carla.admin"]), org_id=contoso.pk)


@pytest.mark.django_db
def test_a_custom_role_reaches_exactly_its_capabilities_pages(people: dict[str, Any]) -> None:
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    auditor = ContactFactory(
        client_org=contoso,
        role=Role.objects.create(name="Auditor", slug="auditor", custom_capabilities=["contacts.view"]),
    )

    assert client_capability("contacts.view")(org_page)(request_as(auditor.user), org_id=contoso.pk).status_code == 200
    with pytest.raises(NotFound):
        client_capability("contacts.manage")(org_page)(request_as(auditor.user), org_id=contoso.pk)


def test_the_branding_settings_page_is_guarded_like_every_manager_page() -> None:
    [view] = [
        view
        for _, name, _, view in views_of(get_resolver("config.urls_tenant").url_patterns)
        if name == "branding:settings"
    ]
    assert guards_of(view) == (MANAGERS,)
