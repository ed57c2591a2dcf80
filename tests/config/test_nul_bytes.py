"""A NUL byte in any form field, query string or path is answered 400 (`config.nul_bytes`), never 500.

The cases are generated, not listed: every route of the portal's and the root site's URLconfs, with a NUL in the
query string, in a posted field and (for string parameters) in the path; then every field of every form those
pages render (search boxes included), one field at a time, the others as the page filled them. As a signed-in
staff owner on demo.localhost (the portal) and anonymously on localhost (the root site)."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django_tenants.utils import tenant_context

from accounts.models import User
from config.nul_bytes import RefuseNulBytesMiddleware
from portal.access.models import Role, StaffMembership
from portal.access.policy import SYSTEM, actor_for
from portal.access.services import invitation_create
from portal.clients.models import ClientOrg, Contact
from portal.conversations.services import comment_add
from portal.documents.models import Folder
from portal.documents.services import documents_upload
from tenants.models import Tenant

pytestmark = pytest.mark.django_db

NUL_VALUE = "before\x00after"
OWNER = "olivia.owner@northwind.example"


# --- the routes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, for reverse()
    params: dict[str, str]  # parameter name -> converter class name ("IntConverter", "" for a regex group)


def routes(urlconf: str) -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = getattr(pattern.pattern, "converters", {})
                groups = pattern.pattern.regex.groupindex
                params = {name: type(converters[name]).__name__ if name in converters else "" for name in groups}
                found.append(Route(f"{namespace}{pattern.name}", params))

    walk(get_resolver(urlconf).url_patterns, "")
    return found


def fallback(converter: str) -> Any:
    """A value for a parameter no sample names: the page is then a 404, which must refuse a NUL all the same."""
    return {"IntConverter": 2_000_000_000, "UUIDConverter": uuid.uuid4()}.get(converter, "sample")


def url_of(route: Route, urlconf: str, samples: dict[str, Any]) -> str:
    kwargs = {name: samples.get(name, fallback(converter)) for name, converter in route.params.items()}
    return reverse(route.name, urlconf=urlconf, kwargs=kwargs)


# --- the forms a page renders -------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values as the page filled them
    names: list[str] = field(default_factory=list)  # every named field, in order (unchecked boxes too)


class FormParser(HTMLParser):
    """The forms of a page, with their fields as a browser would submit them (files left out: their content is
    not input of this kind)."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: str | None = None
        self.select: tuple[str, list[str], list[str]] | None = None  # name, selected, first option

    def add(self, name: str, value: str | None, submitted: bool = True) -> None:
        if self.form is None or not name:
            return
        if name not in self.form.names:
            self.form.names.append(name)
        if submitted and value is not None:
            self.form.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        name = attr.get("name", "")
        if tag == "form":
            action = urljoin(self.page_url, attr.get("action") or self.page_url)
            self.form = Form(action=urlsplit(action).path, method=(attr.get("method") or "get").lower())
            self.forms.append(self.form)
        elif tag == "input":
            kind = attr.get("type", "text").lower()
            if kind == "file":
                return
            if kind in ("checkbox", "radio"):
                self.add(name, attr.get("value", "on"), submitted="checked" in attr)
            elif kind not in ("submit", "button", "image", "reset"):
                self.add(name, attr.get("value", ""))
        elif tag == "button" and name:
            self.add(name, attr.get("value", ""), submitted=False)
        elif tag == "textarea":
            self.textarea = name
            self.add(name, None)
        elif tag == "select":
            self.select = (name, [], [])
            self.add(name, None)
        elif tag == "option" and self.select is not None:
            value = attr.get("value", "")
            self.select[2].append(value)
            if "selected" in attr:
                self.select[1].append(value)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None and self.form is not None:
            self.form.fields[self.textarea] = [self.form.fields.get(self.textarea, [""])[0] + data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            if self.form is not None:
                self.form.fields.setdefault(self.textarea, [""])
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, selected, options = self.select
            chosen = selected or options[:1]
            if chosen:
                self.add(name, chosen[0])
            self.select = None
        elif tag == "form":
            self.form = None


def forms_on(client: Client, url: str) -> list[Form]:
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser(url)
    parser.feed(response.content.decode())
    return parser.forms


def with_nul_in(form: Form, name: str) -> dict[str, Any]:
    data: dict[str, Any] = {key: values for key, values in form.fields.items() if key != name}
    data[name] = NUL_VALUE
    return data


# --- the cases ----------------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One request that carries a NUL byte."""

    label: str
    method: str
    url: str
    data: dict[str, Any]


def cases(client: Client, urlconf: str, samples: dict[str, Any]) -> Iterator[Case]:
    seen_forms: set[tuple[str, str, tuple[str, ...]]] = set()
    for route in routes(urlconf):
        try:
            url = url_of(route, urlconf, samples)
        except NoReverseMatch:  # a regex route whose groups the samples do not fit
            url = ""
        if url:
            yield Case(f"{route.name}: query string value", "get", url, {"q": NUL_VALUE, "page": "1"})
            yield Case(f"{route.name}: query string name", "get", url, {"\x00": "1"})
            yield Case(f"{route.name}: posted field", "post", url, {"name": NUL_VALUE})
        for name, converter in route.params.items():
            if converter == "StringConverter":
                path = url_of(route, urlconf, {**samples, name: NUL_VALUE})
                yield Case(f"{route.name}: {name} in the path", "get", path, {})
        if not url:
            continue
        for form in forms_on(client, url):
            key = (form.action, form.method, tuple(form.names))
            if key in seen_forms:  # the same form on several pages (the sign-out button, a search box)
                continue
            seen_forms.add(key)
            for name in form.names:
                if name == "csrfmiddlewaretoken":
                    continue
                yield Case(
                    f"{route.name}: {form.method} {form.action} field {name!r}",
                    form.method,
                    form.action,
                    {**with_nul_in(form, name)},
                )


def assert_every_case_is_refused(client: Client, urlconf: str, samples: dict[str, Any]) -> list[Case]:
    checked, failures = [], []
    for case in cases(client, urlconf, samples):
        response = getattr(client, case.method)(case.url, case.data)
        checked.append(case)
        if response.status_code != 400:
            failures.append(f"{case.label} ({case.method.upper()} {case.url}): {response.status_code}")
    assert not failures, "\n".join(failures)
    return checked


@pytest.fixture
def portal_samples(demo: Tenant) -> Iterator[dict[str, Any]]:
    """Objects the owner may see, named as the portal's URL parameters name them (other parameters get a
    value that answers 404, which must refuse a NUL as well). The test runs in the portal's schema."""
    with tenant_context(demo):
        contoso = ClientOrg.objects.get(name="Contoso Retail")
        owner = User.objects.get(email=OWNER)
        invitation = invitation_create(
            actor=SYSTEM, email="nul.check@contoso.example", client_org=contoso, role=Role.objects.get(slug="viewer")
        )
        custom = Role.objects.create(name="Nul check", slug="nul-check", custom_capabilities=["organisation.view"])
        comment = comment_add(
            actor=actor_for(owner), target=contoso, body="With a file",
            files=[SimpleUploadedFile("notes.txt", b"plain notes", content_type="text/plain")],
        )  # fmt: skip
        folder = Folder.objects.create(client_org=contoso, name="Nul check")
        [document] = documents_upload(actor=SYSTEM, folder=folder, uploads=[SimpleUploadedFile("plan.txt", b"plan")])
        yield {
            "org_id": contoso.pk,
            "contact_id": Contact.objects.get(user__email="victor.viewer@contoso.example").pk,
            "membership_id": StaffMembership.objects.get(user__email="adam.admin@northwind.example").pk,
            "invitation_id": invitation.pk,
            "role_id": custom.pk,
            "type_code": "client",
            "target_id": contoso.pk,
            "attachment_id": comment.attachments.get().pk,
            "document_id": document.pk,
            "version_id": document.versions.get().pk,
            "token": "not-a-real-token",
            "owner": owner,
        }


def test_the_portal_refuses_nul_bytes_everywhere_for_a_signed_in_owner(portal_samples: dict[str, Any]) -> None:
    client = Client(headers={"host": "demo.localhost"})
    client.force_login(portal_samples["owner"])

    checked = assert_every_case_is_refused(client, "config.urls_tenant", portal_samples)

    fields = {case.label for case in checked}
    assert any("field 'q'" in label for label in fields), "the documents search box was not reached"
    assert any("access:profile" in label and "'full_name'" in label for label in fields)
    assert any("clients:invite" in label and "'email'" in label for label in fields)
    assert client.get(reverse("access:profile")).status_code == 200  # still signed in: no case reached a view


def test_the_root_site_refuses_nul_bytes_everywhere_for_anyone() -> None:
    client = Client(headers={"host": "localhost"})

    checked = assert_every_case_is_refused(client, "config.urls_public", {})

    fields = {case.label for case in checked}
    assert any("signup:signup" in label and "'owner_name'" in label for label in fields)
    assert any("find_portal" in label and "'email'" in label for label in fields)
    assert any("account_login" in label and "'password'" in label for label in fields)


def test_a_nul_in_the_session_cookie_is_refused(demo: Tenant) -> None:
    client = Client(headers={"host": "demo.localhost"})
    client.cookies["sessionid"] = "abcdefghijkl\x00mnop"  # looked up in the session table as it is

    assert client.get(reverse("account_login")).status_code == 400


def test_a_nul_in_a_files_content_is_not_refused() -> None:
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("data.bin", b"\x00\x01\x00"), "title": "Data"})

    response = RefuseNulBytesMiddleware(lambda request: HttpResponse("ok"))(request)

    assert response.status_code == 200
