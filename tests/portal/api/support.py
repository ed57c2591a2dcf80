"""Calling the API in tests: keys made through the service (as the keys page does), a client that sends one,
and the checks every problem+json answer shares."""

import json
from collections.abc import Iterable
from typing import Any

from django.test import Client

from portal.access.policy import SYSTEM, Actor, actor_for
from portal.api.models import API_SCOPES, ApiKey
from portal.api.services import api_key_create
from portal.clients.models import ClientOrg
from tests.portal import demo_people
from tests.portal.conftest import HOST

PROBLEM = "application/problem+json"
READ_SCOPES = [scope for scope in API_SCOPES if scope.endswith(":read")]


def owner() -> Actor:
    return actor_for(demo_people.olivia())


def make_key(
    *,
    scopes: Iterable[str] = API_SCOPES,
    clients: Iterable[ClientOrg] = (),
    actor: Actor | None = None,
    name: str = "ERP sync",
    **options: Any,
) -> tuple[ApiKey, str]:
    """A key and its token: every client unless `clients` are named; made by the owner (the key's creator is the
    default account manager of the clients it creates), or by `actor`."""
    chosen = list(clients)
    return api_key_create(
        actor=actor or owner(), name=name, scopes=list(scopes), all_clients=not chosen, clients=chosen, **options
    )


def scopeless_key() -> tuple[ApiKey, str]:
    """A key holding no scope at all (the service refuses to make one: an older key whose scopes were emptied)."""
    key, token = make_key(actor=SYSTEM, name="Nothing")
    ApiKey.objects.filter(pk=key.pk).update(scopes=[])
    return key, token


def api(token: str, *, host: str = HOST, address: str = "127.0.0.1", **headers: str) -> Client:
    """A client calling with this token from `address` (REMOTE_ADDR)."""
    return Client(headers={"host": host, "authorization": f"Bearer {token}", **headers}, REMOTE_ADDR=address)


def send(client: Client, method: str, url: str, body: Any = None, **headers: Any) -> Any:
    """A call with a JSON body (none for GET): the test client's response."""
    if method.lower() in ("get", "head", "options") or body is None:
        return getattr(client, method.lower())(url, headers=headers)
    return getattr(client, method.lower())(url, data=json.dumps(body), content_type="application/json", headers=headers)


def problem(response: Any, status: int, *, kind: str | None = None) -> dict[str, Any]:
    """The problem+json body of an error answer, after checking its shape (RFC 9457)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == PROBLEM, response["Content-Type"]
    body: dict[str, Any] = json.loads(response.content)
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status
    assert body["title"], body
    assert body["detail"], body
    if kind is not None:
        assert body["type"].endswith(f"/{kind}"), body["type"]
    return body


def everything(client: Client, first: str) -> list[dict[str, Any]]:
    """Every row of a list, following its cursor from the `first` page."""
    rows: list[dict[str, Any]] = []
    page: str | None = first
    while page:
        response = client.get(page)
        assert response.status_code == 200, (response.status_code, response.content[:500])
        answer = json.loads(response.content)
        rows += answer["results"]
        page = answer["next"]
    return rows
