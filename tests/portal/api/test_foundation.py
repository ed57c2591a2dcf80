"""What every endpoint shares, proved with the clients endpoints: the key (of this portal, not expired, not
revoked), upsert by external id, `Idempotency-Key`, `ETag`/`If-Match`, problem+json errors, the read-only gate,
rate limits with their headers, unknown URLs, and the schema and documentation served without a CDN."""

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from portal.api.models import ApiKey
from portal.api.services import api_key_revoke
from portal.clients.models import ClientOrg
from portal.documents.models import Document, Folder
from tenants.models import Tenant
from tests.conftest import OTHER_HOST
from tests.portal import demo_people
from tests.portal.api.support import api, make_key, owner, problem, send
from tests.portal.conftest import HOST

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"
NEW_CLIENT = {"name": "Tailspin Toys", "account_manager": "mia.member@northwind.example"}


def client_url(org: ClientOrg) -> str:
    return f"{CLIENTS}{org.pk}/"


@pytest.fixture
def key(in_demo: Tenant) -> tuple[ApiKey, str]:
    return make_key()


@pytest.fixture
def caller(key: tuple[ApiKey, str]) -> Client:
    return api(key[1])


def refused_401(response: Any) -> None:
    problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# --- the key --------------------------------------------------------------------------------------------------------


def test_a_key_of_one_portal_gets_401_on_another(key: tuple[ApiKey, str], other: Tenant) -> None:
    _key, token = key
    assert api(token).get(CLIENTS).status_code == 200

    on_other = api(token, host=OTHER_HOST).get(CLIENTS)

    refused_401(on_other)


def test_an_expired_key_gets_401(in_demo: Tenant) -> None:
    key, token = make_key(expires_at=timezone.now() + timedelta(days=1))
    assert api(token).get(CLIENTS).status_code == 200

    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    refused_401(api(token).get(CLIENTS))


def test_a_revoked_key_gets_401(key: tuple[ApiKey, str]) -> None:
    api_key_revoke(actor=owner(), key=key[0])

    refused_401(api(key[1]).get(CLIENTS))
    refused_401(send(api(key[1]), "post", CLIENTS, NEW_CLIENT))


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic b2xpdmlhOnNlY3JldA==",
        "Bearer",
        "Bearer ",
        "Bearer pk_0000000000",
        "Bearer pk_0000000000.",
        "Bearer .secret",
        "Bearer not-a-key-at-all",
        "Token {token}",
        "Bearer {token}x",
        "Bearer {prefix}.{wrong}",
    ],
)
def test_a_malformed_or_wrong_authorization_header_gets_401(key: tuple[ApiKey, str], authorization: str) -> None:
    prefix = key[1].split(".")[0]
    header = authorization.format(token=key[1], prefix=prefix, wrong="x" * 43)
    caller = Client(headers={"host": HOST, "authorization": header})

    refused_401(caller.get(CLIENTS))
    refused_401(send(caller, "post", CLIENTS, NEW_CLIENT))
    assert not ClientOrg.objects.filter(name="Tailspin Toys").exists()


# --- upsert by external id ------------------------------------------------------------------------------------------


def test_upserting_by_external_id_twice_makes_one_client(caller: Client) -> None:
    url = f"{CLIENTS}by-external-id/CRM-4711/"

    created = send(caller, "put", url, NEW_CLIENT)
    again = send(caller, "put", url, NEW_CLIENT | {"notes": "Renewal in May"})

    assert created.status_code == 201
    assert again.status_code == 200
    assert created.json()["id"] == again.json()["id"]
    assert again.json()["external_id"] == "CRM-4711"
    org = ClientOrg.objects.get(external_id="CRM-4711")
    assert org.notes == "Renewal in May"
    assert ClientOrg.objects.filter(name="Tailspin Toys").count() == 1
    assert created.has_header("ETag")
    assert again.has_header("ETag")


# --- Idempotency-Key --------------------------------------------------------------------------------------------


def test_the_same_idempotency_key_and_body_replay_the_first_answer(caller: Client) -> None:
    given = str(uuid.uuid4())

    first = send(caller, "post", CLIENTS, NEW_CLIENT, **{"Idempotency-Key": given})
    second = send(caller, "post", CLIENTS, NEW_CLIENT, **{"Idempotency-Key": given})

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert second["ETag"] == first["ETag"]
    assert ClientOrg.objects.filter(name="Tailspin Toys").count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused_422(caller: Client) -> None:
    given = str(uuid.uuid4())
    send(caller, "post", CLIENTS, NEW_CLIENT, **{"Idempotency-Key": given})

    other = send(caller, "post", CLIENTS, NEW_CLIENT | {"name": "Wingtip Toys"}, **{"Idempotency-Key": given})

    problem(other, 422, kind="idempotency")
    assert not ClientOrg.objects.filter(name="Wingtip Toys").exists()
    assert ClientOrg.objects.filter(name="Tailspin Toys").count() == 1


def test_the_same_idempotency_key_while_the_first_call_runs_is_refused_409(
    key: tuple[ApiKey, str], caller: Client
) -> None:
    """The first call is still running: its record, as `portal.api.idempotency` writes it, is in the cache."""
    given = str(uuid.uuid4())
    body = json.dumps(NEW_CLIENT).encode()
    slot = f"api-idempotency:{key[0].pk}:{hashlib.sha256(given.encode()).hexdigest()}"
    fingerprint = hashlib.sha256(b"POST" + CLIENTS.encode() + body).hexdigest()
    cache.set(slot, {"state": "running", "fingerprint": fingerprint}, 60)
    try:
        running = caller.post(CLIENTS, data=body, content_type="application/json", headers={"Idempotency-Key": given})
    finally:
        cache.delete(slot)

    problem(running, 409, kind="idempotency")
    assert not ClientOrg.objects.filter(name="Tailspin Toys").exists()


def test_idempotency_keys_are_per_api_key(in_demo: Tenant) -> None:
    given = str(uuid.uuid4())
    _one, first_token = make_key(name="ERP")
    _two, second_token = make_key(name="CRM")

    first = send(api(first_token), "post", CLIENTS, NEW_CLIENT, **{"Idempotency-Key": given})
    second = send(api(second_token), "post", CLIENTS, NEW_CLIENT, **{"Idempotency-Key": given})

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert not second.has_header("Idempotent-Replayed")


def test_a_refused_post_is_not_kept_so_the_corrected_one_goes_through_under_the_same_idempotency_key(
    caller: Client,
) -> None:
    """As Stripe does: a call refused before it did anything (a raised error: invalid fields, a domain refusal,
    not found) frees its key; only what a call answered is kept and replayed."""
    given = str(uuid.uuid4())

    refused = send(caller, "post", CLIENTS, {"name": ""}, **{"Idempotency-Key": given})
    corrected = send(caller, "post", CLIENTS, NEW_CLIENT, **{"Idempotency-Key": given})
    replayed = send(caller, "post", CLIENTS, NEW_CLIENT, **{"Idempotency-Key": given})

    problem(refused, 422)
    assert not refused.has_header("Idempotent-Replayed")
    assert corrected.status_code == 201
    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.json()["id"] == corrected.json()["id"]
    assert ClientOrg.objects.filter(name="Tailspin Toys").count() == 1


def test_without_an_idempotency_key_two_posts_make_two_clients(caller: Client) -> None:
    first = send(caller, "post", CLIENTS, NEW_CLIENT)
    second = send(caller, "post", CLIENTS, NEW_CLIENT)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert ClientOrg.objects.filter(name="Tailspin Toys").count() == 2


# --- ETag and If-Match ------------------------------------------------------------------------------------------


def test_if_match_lets_the_reader_of_the_latest_version_change_it_and_refuses_a_stale_one(caller: Client) -> None:
    contoso = demo_people.contoso()
    read = caller.get(client_url(contoso))
    tag = read["ETag"]
    assert re.fullmatch(r'(W/)?"[^"]+"', tag)

    changed = send(caller, "patch", client_url(contoso), {"name": "Contoso Group"}, **{"If-Match": tag})

    assert changed.status_code == 200
    assert changed.json()["name"] == "Contoso Group"
    assert changed["ETag"] != tag
    assert caller.get(client_url(contoso))["ETag"] == changed["ETag"]

    stale = send(caller, "patch", client_url(contoso), {"name": "Contoso Stale"}, **{"If-Match": tag})

    problem(stale, 412)
    contoso.refresh_from_db()
    assert contoso.name == "Contoso Group"


def test_a_stale_if_match_on_an_upsert_is_refused_412(caller: Client) -> None:
    url = f"{CLIENTS}by-external-id/CRM-4711/"
    created = send(caller, "put", url, NEW_CLIENT)
    send(caller, "put", url, {"notes": "changed meanwhile"})

    stale = send(caller, "put", url, {"name": "Tailspin Stale"}, **{"If-Match": created["ETag"]})

    problem(stale, 412)
    assert ClientOrg.objects.get(external_id="CRM-4711").name == "Tailspin Toys"


# --- problem+json ---------------------------------------------------------------------------------------------------


def test_a_refused_field_answers_422_problem_json_naming_the_field(caller: Client) -> None:
    refused = send(caller, "post", CLIENTS, {"name": "", "account_manager": "nobody@example.test"})

    body = problem(refused, 422)
    assert body["type"].startswith("https://")
    assert body["title"]
    assert set(body["errors"]) >= {"name", "account_manager"}
    assert all(isinstance(message, str) for messages in body["errors"].values() for message in messages)
    assert not ClientOrg.objects.filter(name="").exists()


def test_a_domain_refusal_with_a_field_answers_422(caller: Client) -> None:
    send(caller, "put", f"{CLIENTS}by-external-id/CRM-1/", NEW_CLIENT)
    contoso = demo_people.contoso()

    taken = send(caller, "patch", client_url(contoso), {"external_id": "CRM-1"})

    body = problem(taken, 422)
    assert list(body["errors"]) == ["external_id"]


def test_an_external_id_set_to_null_is_refused_and_kept(caller: Client) -> None:
    contoso = demo_people.contoso()
    ClientOrg.objects.filter(pk=contoso.pk).update(external_id="CRM-1")

    answer = send(caller, "patch", client_url(contoso), {"external_id": None})

    contoso.refresh_from_db()
    problem(answer, 422)
    assert contoso.external_id == "CRM-1"


def test_an_object_the_key_does_not_reach_answers_404_problem_json(in_demo: Tenant) -> None:
    _key, token = make_key(clients=[demo_people.contoso()])
    fabrikam = demo_people.fabrikam()

    problem(api(token).get(client_url(fabrikam)), 404)
    problem(send(api(token), "patch", client_url(fabrikam), {"name": "Taken"}), 404)
    problem(api(token).get(f"{CLIENTS}999999/"), 404)
    fabrikam.refresh_from_db()
    assert fabrikam.name == "Fabrikam Health"


def test_a_missing_scope_answers_403_problem_json(in_demo: Tenant) -> None:
    _key, token = make_key(scopes=["clients:read"])

    body = problem(send(api(token), "post", CLIENTS, NEW_CLIENT), 403)

    assert "clients:write" in body["detail"]
    assert not ClientOrg.objects.filter(name="Tailspin Toys").exists()


def test_an_unknown_api_path_answers_404_problem_json(caller: Client) -> None:
    problem(caller.get("/api/v1/no-such-thing/"), 404)
    problem(Client(headers={"host": HOST}).get("/api/v1/no-such-thing/"), 404)


def test_a_method_the_endpoint_does_not_have_answers_405_problem_json(caller: Client) -> None:
    refused = caller.delete(client_url(demo_people.contoso()))

    problem(refused, 405)
    assert "DELETE" not in refused["Allow"]


# --- the portal's state ---------------------------------------------------------------------------------------------


def test_a_read_only_portal_refuses_writes_403_and_still_answers_reads(
    caller: Client, demo: Tenant, set_status: Callable[[Tenant, str], None]
) -> None:
    set_status(demo, "read_only")

    refused = send(caller, "post", CLIENTS, NEW_CLIENT)
    patched = send(caller, "patch", client_url(demo_people.contoso()), {"name": "Contoso Group"})

    problem(refused, 403, kind="read_only")
    problem(patched, 403, kind="read_only")
    assert not ClientOrg.objects.filter(name="Tailspin Toys").exists()
    assert demo_people.contoso().name == "Contoso Retail"
    assert caller.get(CLIENTS).status_code == 200
    assert caller.get(client_url(demo_people.contoso())).status_code == 200


# --- rate limits ------------------------------------------------------------------------------------------------


def rate_headers(response: Any) -> tuple[int, int, int]:
    return int(response["RateLimit-Limit"]), int(response["RateLimit-Remaining"]), int(response["RateLimit-Reset"])


@override_settings(API_RATE="3/min")
def test_past_the_rate_a_key_gets_429_with_retry_after(clean_cache: None, key: tuple[ApiKey, str]) -> None:
    caller = api(key[1])

    answers = [caller.get(CLIENTS) for _ in range(3)]
    refused = caller.get(CLIENTS)

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert [rate_headers(answer)[:2] for answer in answers] == [(3, 2), (3, 1), (3, 0)]
    assert all(0 < rate_headers(answer)[2] <= 61 for answer in answers)
    problem(refused, 429)
    assert 0 < int(refused["Retry-After"]) <= 60
    assert rate_headers(refused)[:2] == (3, 0)
    # Another key of the portal has its own count.
    assert api(make_key(name="CRM")[1]).get(CLIENTS).status_code == 200


@override_settings(API_RATE="3/min")
def test_the_reset_never_exceeds_the_window(clean_cache: None, key: tuple[ApiKey, str]) -> None:
    first = api(key[1]).get(CLIENTS)

    assert rate_headers(first)[2] <= 60


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", CLIENTS, None, 200),
        ("post", CLIENTS, NEW_CLIENT, 201),
        ("post", CLIENTS, {"name": ""}, 422),
        ("get", f"{CLIENTS}999999/", None, 404),
        ("patch", f"{CLIENTS}999999/", {"name": "x"}, 404),
    ],
)
def test_every_answer_to_a_key_says_where_it_stands(
    caller: Client, method: str, path: str, body: Any, status: int
) -> None:
    answer = send(caller, method, path, body)

    assert answer.status_code == status
    limit, remaining, reset = rate_headers(answer)
    assert limit == 100000
    assert 0 <= remaining < limit
    assert reset > 0


def test_a_403_for_a_missing_scope_says_where_the_key_stands_too(in_demo: Tenant) -> None:
    _key, token = make_key(scopes=["clients:read"])

    answer = send(api(token), "post", CLIENTS, NEW_CLIENT)

    assert answer.status_code == 403
    assert rate_headers(answer)[0] == 100000


# --- the schema and the documentation ------------------------------------------------------------------------


def test_the_schema_is_openapi_3_and_lists_the_clients_paths(in_demo: Tenant) -> None:
    answer = Client(headers={"host": HOST}).get("/api/schema/", {"format": "json"})

    assert answer.status_code == 200
    schema = json.loads(answer.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/clients/", "/api/v1/clients/{org_id}/", "/api/v1/clients/by-external-id/{external_id}/"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "pk_<prefix>.<secret>",
    }  # fmt: skip
    create = schema["paths"]["/api/v1/clients/"]["post"]
    assert {"201", "401", "403", "422", "429"} <= set(create["responses"])


def test_the_schema_in_yaml_needs_no_key(in_demo: Tenant) -> None:
    answer = Client(headers={"host": HOST}).get("/api/schema/")

    assert answer.status_code == 200
    assert answer.content.startswith(b"openapi: 3.")


def test_the_documentation_loads_its_scripts_and_styles_from_this_host(in_demo: Tenant) -> None:
    browser = Client(headers={"host": HOST})
    page = browser.get("/api/docs/")

    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    sources = re.findall(r"""<script[^>]*\bsrc=["']([^"']+)""", html)
    styles = re.findall(r"""<link[^>]*\bhref=["']([^"']+)""", html)
    assert any(source.startswith("/static/") and "swagger-ui" in source for source in sources), sources
    assert any(style.startswith("/static/") and style.endswith(".css") for style in styles), styles
    for address in sources + styles:
        assert address.startswith("/"), address
        assert not address.startswith("//"), address
    assert not re.search(r"https?://(?!localhost|demo\.localhost)[^\s\"']*\.(js|css)", html), "no CDN"
    for address in sources + styles:
        if address.startswith("/static/"):
            assert browser.get(address).status_code == 200, address
    script = [source for source in sources if not source.startswith("/static/")]
    for address in script:  # the split view's own script, from the same page
        loaded = browser.get(address)
        assert loaded.status_code == 200, address
        assert not re.search(rb"https?://[^\s\"']*\.(js|css)", loaded.content), address


@pytest.mark.parametrize("position", ["p=garbage", "p=2026-13-45T99:00:00Z", "o=-1&p=x", "r=1&p=" + "9" * 40])
def test_a_tampered_cursor_is_404_problem_json_not_a_server_error(caller: Client, position: str) -> None:
    cursor = base64.b64encode(position.encode()).decode()

    problem(caller.get(f"{CLIENTS}?cursor={cursor}"), 404)


def test_a_document_external_id_longer_than_its_column_is_refused_on_its_field(caller: Client) -> None:
    folder = Folder.objects.filter(client_org=demo_people.contoso()).first()
    assert folder is not None
    upload = SimpleUploadedFile("sow.txt", b"Statement of work\n", content_type="text/plain")

    answer = caller.put(
        f"/api/v1/documents/by-external-id/{'x' * 150}/",
        data=encode_multipart(BOUNDARY, {"folder": str(folder.pk), "file": upload}),
        content_type=MULTIPART_CONTENT,
    )

    assert list(problem(answer, 422)["errors"]) == ["external_id"]
    assert not Document.objects.filter(external_id__startswith="xxx").exists()
