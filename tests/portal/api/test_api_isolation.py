"""Generated from the API's URLconf, so every endpoint is covered as it lands: a key reaching only Contoso gets 404
for every object of Fabrikam (client B) through every route that names one, whatever the method; a key holding
only `:read` scopes gets 403 from every write; a key holding no scope gets 403 from everything. A refused call
changes nothing.

Each route's parameters are filled from `client_b`, built on `objects_of_client_b` of the HTML's isolation test:
a route whose parameter it does not know fails, naming the parameter, so the fixture grows with the API. The
bodies sent are the operation's own request example of the OpenAPI schema, its references to other objects
(`folder`, `project`, ...) pointed at client B's, its files given as files. (Without a key, every route answers
401: tests/portal/access/test_guards.py.)"""

import base64
import datetime
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # drf-spectacular's own dependency (it validates with it)
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from portal.access.http import API_KEY, guards_of
from portal.access.policy import SYSTEM, Actor, actor_for
from portal.activity.models import ActivityEvent
from portal.api.endpoints.base import Endpoint
from portal.api.models import API_FAMILIES, ApiKey
from portal.clients.models import ClientOrg, Contact
from portal.conversations.models import Attachment
from portal.conversations.registry import COMMENTABLE
from portal.documents.models import Document, DocumentVersion
from portal.documents.services import upload_reserve
from portal.engagements.models import Deliverable, DeliverableVersion, Milestone, Phase, Project
from portal.engagements.services import Entry, time_entries_add
from portal.requests.models import ClientRequest, RequestFile
from tests.portal import demo_people
from tests.portal.access.test_isolation import objects_of_client_b
from tests.portal.api.support import READ_SCOPES, api, make_key, problem, scopeless_key

pytestmark = pytest.mark.django_db

__all__ = ["objects_of_client_b"]  # the fixture this module builds on

EXTERNAL_ID = "FABRIKAM-EXT-1"  # the provider's own id of each synced object of client B
UNSAFE = ("post", "put", "patch", "delete")
# Parameters that name the provider's own objects, not a client's: a route taking only these names nothing of
# client B (none of the API's routes takes one yet).
PROVIDER_LEVEL = {"type_id", "rule_id", "holiday_id", "role_id", "membership_id", "api_key_id", "session_id"}
# A body's reference to another object, by the name of its route parameter (`folder` → `folder_id`).
REFERENCE_ALIASES = {"client": "org_id", "client_org": "org_id", "org": "org_id"}


# --- the routes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # with its namespaces: api:client
    route: str  # api/v1/clients/<int:org_id>/
    params: tuple[str, ...]
    methods: tuple[str, ...]  # the handlers the view class has: get, post, put, patch, delete
    view: Any  # the DRF view class
    callback: Any  # what the URLconf calls: the class's view, wrapped by its guard
    type_code: str | None = None  # for `<type_code>/<target_id>` routes: one case per registered type

    @property
    def label(self) -> str:
        return f"{self.name}[{self.type_code}]" if self.type_code else self.name

    @property
    def schema_path(self) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.route)


PUBLIC_ROUTES = {"api:schema", "api:docs"}  # they describe the API and hold no data (test_guards.py)


def api_routes() -> list[Route]:
    """Every route under the `api:` namespace but the schema and the docs, with the methods its view class
    handles (a route of another shape fails `test_every_api_route_is_a_keyed_endpoint_with_a_scope_family`)."""
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and namespace.startswith("api:"):
                if f"{namespace}{pattern.name}" in PUBLIC_ROUTES:
                    continue
                view = getattr(pattern.callback, "cls", object)  # DRF's as_view() names its class
                methods = tuple(
                    method
                    for method in getattr(view, "http_method_names", ())
                    if method not in ("head", "options", "trace") and callable(getattr(view, method, None))
                )
                params = tuple(pattern.pattern.converters)
                name = f"{namespace}{pattern.name}"
                if "type_code" in params:
                    found.extend(
                        Route(name, route, params, methods, view, pattern.callback, code)
                        for code in sorted(COMMENTABLE)
                    )
                else:
                    found.append(Route(name, route, params, methods, view, pattern.callback))

    walk(get_resolver(settings.ROOT_URLCONF).url_patterns, "", "")
    return found


ROUTES = api_routes()


def calls(routes: list[Route], *, methods: tuple[str, ...] | None = None) -> list[Any]:
    return [
        pytest.param(route, method, id=f"{route.label}-{method}")
        for route in routes
        for method in route.methods
        if methods is None or method in methods
    ]


def test_the_walk_finds_the_api_routes() -> None:
    names = {route.name for route in ROUTES}
    assert {"api:clients", "api:client", "api:client_by_external_id"} <= names
    assert "api:schema" not in names
    assert "api:docs" not in names
    assert all(route.methods for route in ROUTES), [route.name for route in ROUTES if not route.methods]


@pytest.mark.parametrize("route", ROUTES, ids=[route.label for route in ROUTES])
def test_every_api_route_is_a_keyed_endpoint_with_a_scope_family(route: Route) -> None:
    """Authentication, scope, rate limit and problem+json come from `Endpoint`; a scope family outside the keys'
    families would be a scope no key can hold."""
    assert guards_of(route.callback) == (API_KEY,), route.name
    assert issubclass(route.view, Endpoint), route.view
    assert route.view.scope_family in API_FAMILIES, (route.name, route.view.scope_family)


# --- client B's objects, by parameter -------------------------------------------------------------------------------


@pytest.fixture
def client_b(objects_of_client_b: dict[str, Any]) -> dict[str, Any]:
    """`objects_of_client_b` with what the API's routes name besides (folders, resumable uploads, time entries,
    the provider's external ids), and `_objects`: client B's instances, to check that a refused call changed
    nothing."""
    values = dict(objects_of_client_b)
    fabrikam = ClientOrg.objects.get(pk=values["org_id"])
    document = Document.objects.select_related("folder").get(pk=values["document_id"])
    project = Project.objects.get(pk=values["project_id"])
    owner = actor_for(demo_people.olivia())
    # A resumable upload is its starter's own: one started into client B's folder by a key reaching every client.
    crm, _token = make_key(actor=SYSTEM, name="CRM", scopes=["documents:read", "documents:write"])
    upload = upload_reserve(actor=Actor(api_key=crm), folder=document.folder, filename="big.bin", length=1024)
    [entry] = time_entries_add(
        actor=owner, project=project,
        entries=[Entry(person=demo_people.olivia(), date=datetime.date(2026, 1, 5), hours=Decimal("2.5"))],
    )  # fmt: skip
    comment = Attachment.objects.select_related("comment").get(pk=values["attachment_id"]).comment
    found: dict[str, models.Model] = {
        "org_id": fabrikam,
        "contact_id": Contact.objects.get(pk=values["contact_id"]),
        "folder_id": document.folder,
        "document_id": document,
        "version_id": DocumentVersion.objects.get(pk=values["version_id"]),
        "upload_id": upload,
        "request_id": ClientRequest.objects.get(pk=values["request_id"]),
        "file_id": RequestFile.objects.get(pk=values["file_id"]),
        "project_id": project,
        "phase_id": Phase.objects.get(pk=values["phase_id"]),
        "milestone_id": Milestone.objects.get(pk=values["milestone_id"]),
        "deliverable_id": Deliverable.objects.get(pk=values["deliverable_id"]),
        "deliverable_version_id": DeliverableVersion.objects.get(pk=values["deliverable_version_id"]),
        "time_entry_id": entry,
        "entry_id": entry,
        "comment_id": comment,
        "attachment_id": Attachment.objects.get(pk=values["attachment_id"]),
    }
    for instance in found.values():  # each synced object of client B carries the provider's id
        if any(field.name == "external_id" for field in instance._meta.concrete_fields):
            type(instance)._base_manager.filter(pk=instance.pk).update(external_id=EXTERNAL_ID)
    values.update({name: instance.pk for name, instance in found.items()})
    values["external_id"] = EXTERNAL_ID
    values["_objects"] = list({id(instance): instance for instance in found.values()}.values())
    return values


def synced_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("portal.") and any(f.name == "external_id" for f in model._meta.fields)
    ]


def test_client_b_has_an_object_with_the_external_id_of_every_synced_model(client_b: dict[str, Any]) -> None:
    """A by-external-id route of a model whose client B object lacks the id would create instead of refusing."""
    missing = [
        model._meta.label
        for model in synced_models()
        if not model._base_manager.filter(external_id=EXTERNAL_ID).exists()
    ]
    assert missing == [], f"add an object of client B of {missing} to the client_b fixture"


def kwargs_for(route: Route, values: dict[str, Any]) -> dict[str, Any]:
    """The route's parameters from client B's objects; fails naming a parameter the fixture lacks."""
    given = dict(values)
    if route.type_code is not None:
        model = COMMENTABLE[route.type_code].model
        targets = [obj for obj in values["_objects"] if isinstance(obj, model)]
        if not targets:
            pytest.fail(f"{route.label}: client_b has no {model._meta.label} to comment on: add one")
        given |= {"type_code": route.type_code, "target_id": targets[0].pk}
    missing = [param for param in route.params if param not in given]
    if missing:
        pytest.fail(f"{route.name} ({route.route}) takes {missing}: add client B's object to the client_b fixture")
    return {param: given[param] for param in route.params}


# --- what is sent: the operation's own example ----------------------------------------------------------------------


@cache
def openapi() -> dict[str, Any]:
    return dict(SchemaGenerator().get_schema(request=None, public=True))


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    found: Any = openapi()
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return dict(found)


def a_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("report.txt", b"Fabrikam quarterly report\n", content_type="text/plain")


def reference(name: str, values: dict[str, Any]) -> Any:
    """Client B's object a body's field names by its route parameter's name (`folder` → `folder_id`), if any."""
    param = REFERENCE_ALIASES.get(name) or (name if name.endswith("_id") else f"{name}_id")
    return values.get(param)


def pointed_at_client_b(body: Any, values: dict[str, Any], referred: set[str] | None = None) -> Any:
    """The example's references to other objects (`folder: 7`) replaced by client B's (their names added to
    `referred`), and the provider's staff it names (fictional addresses) by a member of staff of the demo portal."""
    if isinstance(body, list):
        return [pointed_at_client_b(item, values, referred) for item in body]
    if not isinstance(body, dict):
        return body
    changed = {}
    for name, value in body.items():
        if isinstance(value, int) and not isinstance(value, bool) and reference(name, values) is not None:
            value = reference(name, values)
            if referred is not None:
                referred.add(name)
        elif isinstance(value, str) and value.endswith("@northwind.example"):
            value = demo_people.mia().email
        changed[name] = value
    return changed


def from_schema(schema: dict[str, Any], values: dict[str, Any], referred: set[str] | None = None) -> dict[str, Any]:
    """A body made from the request schema when the operation shows no example: its required fields and its
    references to other objects, files as files."""
    properties: dict[str, Any] = resolved(schema).get("properties", {})
    required = set(resolved(schema).get("required", []))
    body: dict[str, Any] = {}
    for name, spec in properties.items():
        spec = resolved(spec)
        if spec.get("readOnly"):
            continue
        if spec.get("format") == "binary":
            body[name] = a_file()
        elif spec.get("type") == "integer" and reference(name, values) is not None:
            body[name] = reference(name, values)
            if referred is not None:
                referred.add(name)
        elif name in required:
            body[name] = (spec.get("enum") or [None])[0] or {
                "integer": 1, "number": 1, "boolean": False, "array": [], "object": {},
            }.get(spec.get("type", ""), "Fabrikam")  # fmt: skip
    return body


def headers_for(operation: dict[str, Any], values: dict[str, Any]) -> dict[str, str]:
    """The header parameters the operation names, with plausible values (tus: a small file into client B's
    folder)."""
    metadata = ",".join(
        f"{name} {base64.b64encode(str(value).encode()).decode()}"
        for name, value in (("filename", "report.txt"), ("folder", values.get("folder_id", 0)), ("category", "other"))
    )
    known = {
        "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Upload-Length": "8", "Upload-Metadata": metadata,
        "Idempotency-Key": str(uuid.uuid4()),
    }  # fmt: skip
    return {
        parameter["name"]: known[parameter["name"]]
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "header" and parameter["name"] in known
    }


def request_for(
    route: Route, method: str, values: dict[str, Any], referred: set[str] | None = None
) -> tuple[bytes, str, dict[str, str]]:
    """(body, content type, headers) of a plausible call: the operation's request example, else a body made from
    its request schema; the names of the other objects it refers to go to `referred`."""
    operation = openapi()["paths"].get(route.schema_path, {}).get(method, {})
    headers = headers_for(operation, values)
    if referred is not None and "Upload-Metadata" in headers:
        referred.add("Upload-Metadata: folder")
    content: dict[str, Any] = operation.get("requestBody", {}).get("content", {})
    if not content:
        return b"", "application/json", headers
    kind = next((k for k in ("application/json", "multipart/form-data") if k in content), next(iter(content)))
    described = content[kind]
    examples = [example["value"] for example in described.get("examples", {}).values()]
    schema = resolved(described.get("schema", {}))
    if examples and schema.get("type") == "array" and all(isinstance(item, list) for item in examples[0]):
        examples[0] = examples[0][0]  # drf-spectacular lists a list serializer's example once more
    example = pointed_at_client_b(examples[0], values, referred) if examples else from_schema(schema, values, referred)
    if kind == "application/json":
        return json.dumps(example, default=str).encode(), kind, headers
    if kind == "multipart/form-data":
        fields = {name: a_file() if value == "(the file)" else value for name, value in dict(example).items()}
        return encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT, headers
    return b"Fabrikam", kind, headers  # a raw body: a tus chunk


def call(client: Client, route: Route, method: str, values: dict[str, Any]) -> Any:
    url = reverse(route.name, kwargs=kwargs_for(route, values))
    body, content_type, headers = request_for(route, method, values)
    if method == "get":
        return client.get(url, headers=headers)
    return client.generic(method.upper(), url, data=body, content_type=content_type, headers=headers)


# --- nothing changed ----------------------------------------------------------------------------------------------


def portal_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__module__.startswith("portal.")]


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    """Client B's objects as stored, and how many rows each portal table holds (a key's own bookkeeping aside:
    its last use and its first call from an address, audited as `api_key.*`)."""
    counts = {
        model._meta.label: (
            model._base_manager.exclude(verb__startswith="api_key.") if model is ActivityEvent else model._base_manager
        ).count()
        for model in portal_models()
        if model is not ApiKey
    }
    rows = {
        f"{type(obj)._meta.label}:{obj.pk}": list(type(obj)._base_manager.filter(pk=obj.pk).values())
        for obj in values["_objects"]
    }
    return {"counts": counts, "rows": rows}


@pytest.fixture
def unchanged(client_b: dict[str, Any]) -> Callable[[], None]:
    """`unchanged()` asserts nothing changed since the fixture was made."""
    before = snapshot(client_b)

    def check() -> None:
        after = snapshot(client_b)
        assert after["rows"] == before["rows"]
        changed = {
            label: (before["counts"][label], n) for label, n in after["counts"].items() if before["counts"][label] != n
        }
        assert changed == {}, f"rows added or removed: {changed}"

    return check


# --- (a) a key reaching Contoso: 404 for every object of client B ------------------------------------------------


def names_client_b(route: Route) -> bool:
    return route.type_code is not None or any(param not in PROVIDER_LEVEL for param in route.params)


@pytest.mark.parametrize(("route", "method"), calls([route for route in ROUTES if route.params]))
def test_a_key_of_client_a_gets_404_for_every_object_of_client_b(
    client_b: dict[str, Any], unchanged: Callable[[], None], route: Route, method: str
) -> None:
    if not names_client_b(route):
        pytest.skip(f"{route.name} names only the provider's own objects {route.params}")
    _key, token = make_key(clients=[demo_people.contoso()])  # every scope, Contoso only

    answer = call(api(token), route, method, client_b)

    problem(answer, 404)
    unchanged()


@pytest.mark.parametrize(
    ("route", "method"),
    calls([route for route in ROUTES if set(route.params) <= {"org_id", "external_id"}], methods=UNSAFE),
)
def test_a_key_of_client_a_cannot_point_a_write_at_an_object_of_client_b(
    client_b: dict[str, Any], unchanged: Callable[[], None], route: Route, method: str
) -> None:
    """A write on Contoso (or a new object) whose body names one of Fabrikam's (a folder, a client): refused,
    as the object itself would be."""
    contoso = demo_people.contoso()
    own = client_b | {"org_id": contoso.pk, "external_id": "CONTOSO-NEW-1"}
    referred: set[str] = set()
    body, content_type, headers = request_for(route, method, client_b, referred)
    if not referred:
        pytest.skip(f"{route.name} {method.upper()}: its body names no other object")
    _key, token = make_key(clients=[contoso])

    url = reverse(route.name, kwargs=kwargs_for(route, own))
    answer = api(token).generic(method.upper(), url, data=body, content_type=content_type, headers=headers)

    assert answer.status_code in (404, 422), (sorted(referred), answer.status_code, answer.content[:300])
    problem(answer, answer.status_code)
    unchanged()


@pytest.mark.parametrize(
    "route", [route for route in ROUTES if not route.params and "get" in route.methods], ids=lambda route: route.name
)
def test_a_key_of_client_a_lists_nothing_of_client_b(client_b: dict[str, Any], route: Route) -> None:
    """The lists that name no object: none of client B's rows in them (they would name Fabrikam somewhere)."""
    _key, token = make_key(clients=[demo_people.contoso()])

    answer = api(token).get(reverse(route.name))

    assert answer.status_code == 200, answer.content[:300]
    assert b"fabrikam" not in answer.content.lower(), route.name
    assert str(client_b["org_id"]) not in re.findall(r'"client(?:_org)?(?:_id)?":\s*(\d+)', answer.content.decode())


# --- (b) a key that only reads: 403 for every write --------------------------------------------------------------


@pytest.mark.parametrize(("route", "method"), calls(ROUTES, methods=UNSAFE))
def test_a_read_only_key_gets_403_from_every_write(
    client_b: dict[str, Any], unchanged: Callable[[], None], route: Route, method: str
) -> None:
    _key, token = make_key(scopes=READ_SCOPES)  # every client: only the scope stands in the way

    answer = call(api(token), route, method, client_b)

    body = problem(answer, 403)
    assert f"{route.view.scope_family}:write" in body["detail"]
    unchanged()


# --- (c) a key without any scope: 403 from everything --------------------------------------------------------------


@pytest.mark.parametrize(("route", "method"), calls(ROUTES))
def test_a_key_without_scopes_gets_403_from_every_route(
    client_b: dict[str, Any], unchanged: Callable[[], None], route: Route, method: str
) -> None:
    _key, token = scopeless_key()

    answer = call(api(token), route, method, client_b)

    problem(answer, 403)
    unchanged()


# --- the examples the bodies come from --------------------------------------------------------------------------


def as_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema's null type."""
    if isinstance(schema, list):
        return [as_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {name: as_json_schema(value) for name, value in schema.items() if name != "nullable"}
    if schema.get("nullable"):
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.mark.parametrize(("route", "method"), calls(ROUTES, methods=UNSAFE))
def test_every_write_shows_a_request_example_that_fits_its_schema(route: Route, method: str) -> None:
    """What the documentation shows a client is what the endpoint takes (and what the tests above send)."""
    operation = openapi()["paths"][route.schema_path][method]
    content: dict[str, Any] = operation.get("requestBody", {}).get("content", {})
    for kind, described in content.items():
        if kind not in ("application/json", "multipart/form-data"):
            continue  # a raw body (a tus chunk) has nothing to show
        examples = [example["value"] for example in described.get("examples", {}).values()]
        assert examples, f"{route.name} {method.upper()} shows no {kind} request example"
        schema = as_json_schema({**described["schema"], "components": openapi()["components"]})
        for example in examples:
            errors = [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(example)]
            assert errors == [], f"{route.name} {method.upper()}: the example {example!r} does not fit: {errors}"


# --- whatever a route is sent: an answer, never a server error ------------------------------------------------------


NOT_AN_OBJECT = ["[]", "[1, 2]", '"text"', "null"]


def json_writes() -> list[Any]:
    """(route, method, body) for every write taking JSON, with bodies that are not what it takes."""
    found = []
    for case in calls(ROUTES, methods=("post", "put", "patch")):
        route, method = case.values
        content = openapi()["paths"][route.schema_path][method].get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        for body in [*NOT_AN_OBJECT, "{}", '{"name": {"nested": []}}']:
            found.append(pytest.param(route, method, body, id=f"{case.id}-{body}"))
    return found


@pytest.mark.parametrize(("route", "method", "body"), json_writes())
def test_every_json_write_answers_a_body_of_the_wrong_shape_without_a_server_error(
    client_b: dict[str, Any], route: Route, method: str, body: str
) -> None:
    _key, token = make_key()  # every scope, every client: the body is all that is wrong

    url = reverse(route.name, kwargs=kwargs_for(route, client_b))
    answer = api(token).generic(method.upper(), url, data=body, content_type="application/json")

    assert answer.status_code < 500, (answer.status_code, answer.content[:300])
    if answer.status_code >= 400:
        assert answer["Content-Type"] == "application/problem+json"
    else:  # an empty change, or fields it does not take: nothing to refuse
        assert body.startswith("{"), (answer.status_code, answer.content[:300])


@pytest.mark.parametrize("route", [pytest.param(route, id=route.label) for route in ROUTES])
def test_every_route_answers_options_and_head(client_b: dict[str, Any], route: Route) -> None:
    """OPTIONS is not part of the API (the schema describes it): 405 problem+json, never a server error."""
    _key, token = make_key()
    url = reverse(route.name, kwargs=kwargs_for(route, client_b))

    options = api(token).options(url)

    assert options.status_code == 405, options.status_code
    assert options["Content-Type"] == "application/problem+json"
    if "get" in route.methods:
        assert api(token).head(url).status_code < 500
