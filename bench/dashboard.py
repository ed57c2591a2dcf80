"""The client dashboard of a contact (the home page of Carla, client admin of Contoso Retail in the demo portal, with
the demo's projects, deliverables, time entries, requests and activity): its SQL statements and its latency.

- `python bench/dashboard.py` (a subprocess with the production settings, the page cache off): signs Carla in
  through allauth's form with Django's test client, renders her dashboard once to warm it, then counts every SQL
  statement of one more render (`SET search_path` included), and writes the count, the statements and the cookies
  to a JSON file.
- `measure`: gunicorn with the production configuration and 2 workers on loopback, after a warm-up, loaded by `wrk`
  with 4 connections for 30 s, three times: the latency figures are the median of the three runs' (measured at the
  client, by wrk). Then the same from a gunicorn with the page cache off, every request rendered, reported beside.
"""

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTACT = "carla.admin@contoso.example"
MARK = b"Your projects"  # the engagement summary's title: the dashboard, not a sign-in page


@dataclass(frozen=True)
class DashboardFigures:
    dashboard_p50_ms: float
    dashboard_p95_ms: float
    dashboard_rps: float
    dashboard_queries: int
    dashboard_rendered_p50_ms: float
    dashboard_rendered_p95_ms: float


def count_queries(host: str, email: str, password: str) -> dict[str, object]:
    """In this process (production settings, page cache off): sign in, render the dashboard once, then capture the
    statements of one render; `queries` (the SQL) and `cookie` (for wrk)."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(headers={"host": host})
    signed_in = client.post(reverse("account_login"), {"login": email, "password": password})
    if signed_in.status_code != 302:
        raise SystemExit(f"{email} could not sign in ({signed_in.status_code})")
    check_page(*_answer(client.get("/")))
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    queries = [query["sql"] for query in captured.captured_queries]
    check_page(*_answer(response))
    return {"queries": queries, "cookie": "; ".join(f"{name}={m.value}" for name, m in client.cookies.items())}


def _answer(response: object) -> tuple[int, bytes]:
    return response.status_code, response.content  # type: ignore[attr-defined]


def check_page(status: int, body: bytes) -> None:
    if status != 200 or MARK not in body:
        raise SystemExit(f"the dashboard answered {status} without its engagement summary")


def measure(
    env: dict[str, str], state: Path, *, warmup_seconds: int, seconds: int, runs: int, connections: int
) -> DashboardFigures:
    from bench import load
    from bench.page import seed_readers
    from operators.demo import DEMO_PASSWORD

    wrk = load.ensure_wrk()
    host, _many, _few = seed_readers()  # the demo portal, seeded once per bench database
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    out = state / "dashboard_queries.json"
    uncached = {**env, "PAGE_CACHE_SECONDS": "0"}
    count = [sys.executable, "bench/dashboard.py", host, str(out), CONTACT, DEMO_PASSWORD]
    subprocess.run(count, cwd=ROOT, env=uncached, check=True)
    counted = json.loads(out.read_text())
    (state / "dashboard_queries.sql").write_text("".join(" ".join(q.splitlines()) + "\n" for q in counted["queries"]))
    headers = {"Host": host, "Cookie": counted["cookie"]}

    def load_runs(server: load.Server, count: int) -> list[load.WrkResult]:
        server.wait_until_up(port)
        check_page(*load.get(port, "/", headers))
        if warmup_seconds:
            server.wrk(wrk, port, "/", headers, seconds=warmup_seconds, connections=connections, threads=2)
        return [
            server.wrk(wrk, port, "/", headers, seconds=seconds, connections=connections, threads=2)
            for _ in range(count)
        ]

    with load.gunicorn(env, state / "gunicorn-dashboard.log") as server:
        served = load_runs(server, runs)
    with load.gunicorn(uncached, state / "gunicorn-dashboard-rendered.log") as server:
        rendered = load_runs(server, 1)
    return DashboardFigures(
        dashboard_p50_ms=round(statistics.median(run.p50_ms for run in served), 1),
        dashboard_p95_ms=round(statistics.median(run.p95_ms for run in served), 1),
        dashboard_rps=round(statistics.median(run.rps for run in served), 1),
        dashboard_queries=len(counted["queries"]),
        dashboard_rendered_p50_ms=round(rendered[0].p50_ms, 1),
        dashboard_rendered_p95_ms=round(rendered[0].p95_ms, 1),
    )


def main() -> None:
    host, out, email, password = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "config.settings.production":
        raise SystemExit("dashboard.py counts statements under the production settings only")
    out.write_text(json.dumps(count_queries(host, email, password)))


if __name__ == "__main__":
    main()
