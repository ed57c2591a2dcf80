"""Load-balancer probes: answered before tenant resolution, on any host, and 503 when a dependency is down."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.support.network import closed_port


@pytest.mark.parametrize("host", ["localhost", "demo.localhost", "10.0.0.7", "ghost.localhost"])
def test_healthz_answers_on_any_host_without_the_database(client: Client, host: str) -> None:
    response = client.get("/healthz", headers={"host": host})

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "demo.localhost", "10.0.0.7"])
def test_readyz_is_200_when_postgres_and_redis_answer(client: Client, host: str) -> None:
    response = client.get("/readyz", headers={"host": host})

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "redis": True}


@pytest.fixture
def database_down(django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Point the connection at a loopback port nothing listens on: what a stopped server looks like."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        connection.close()
        original_port = connection.settings_dict["PORT"]
        connection.settings_dict["PORT"] = str(closed_port())
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["PORT"] = original_port


def test_readyz_is_503_with_the_database_stopped(
    client: Client, database_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/readyz", headers={"host": "10.0.0.7"})

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": False, "redis": True}
    assert "OperationalError" in caplog.text  # refused by the network, not by the test harness


@pytest.mark.django_db
def test_readyz_is_503_with_redis_stopped(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "REDIS_URL", f"redis://127.0.0.1:{closed_port()}/0")

    response = client.get("/readyz", headers={"host": "localhost"})

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": True, "redis": False}
