"""`make bench`: provisioning, tenant-resolution, upload and page-throughput figures, side by side in one run.

Runs against its own database (`<name>_bench`, kept between runs) holding at least 200 tenant schemas, prints a
table with the ratios the issues ask for, writes `.var/bench/results.json` (a list of {name, value, unit}) and
exits non-zero when a target is missed. Figures are medians after a warm-up; the machines are shared, so the
targets are checked as ratios where two methods are compared.

Everything it writes is its own: the database, a Redis database, and a state folder (`.var/bench/`: results,
gunicorn's log, media, uploads, collected static files), so it never disturbs development or the test suite.

Page throughput (bench/page.py): gunicorn with the production settings and 2 workers on loopback, loaded by Debian's
`wrk` (installed when missing) after a warm-up: `/healthz` as the same run's reference, then a signed-in contact's
documents list with 50 documents in the demo portal; and the SQL statements of one render of that list, with 50 and
with 5 documents (in-process, the test client, the same settings).

Client dashboard (bench/dashboard.py): a contact's home page in the demo portal, the same gunicorn, 4 connections for
30 s three times after a warm-up, the median of the runs' p50 and p95 (wrk, at the client); its statements; and the
same latency with every request rendered (page cache off), beside it.

`--quick` runs the same harness end to end in seconds (a few tenants, a few runs, a small upload, a second of load
from two connections) in a database
and state folder of its own (`<name>_bench_quick`, `.var/bench-quick/`, or `--database` / `--state-dir`): the
test suite runs it so a broken bench fails CI. Its figures mean nothing and its targets are not enforced.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlunparse

if TYPE_CHECKING:
    from bench.dashboard import DashboardFigures
    from bench.page import PageFigures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests.support`, when run as a script
BASELINE_SCHEMAS = 200
RESOLVE_TENANTS = 100
MIB = 1024 * 1024
FIGURES = (
    "tenant_schemas",
    "provision_schema_clone_ms",
    "provision_schema_migrate_ms",
    "provision_total_ms",
    "resolve_cached_us",
    "resolve_stock_us",
    "upload_1gb_peak_rss_mb",
    "healthz_rps",
    "page_rps",
    "page_p50_ms",
    "page_p99_ms",
    "page_queries",
    "page_queries_5",
    "page_queries_cached",
    "page_rendered_rps",
    "page_rendered_p50_ms",
    "dashboard_p50_ms",
    "dashboard_p95_ms",
    "dashboard_rps",
    "dashboard_queries",
    "dashboard_rendered_p50_ms",
    "dashboard_rendered_p95_ms",
    "provision_migrate_over_clone",
    "resolve_stock_over_cached",
    "page_over_healthz",
    "page_rendered_over_healthz",
)


@dataclass(frozen=True)
class Plan:
    """How much to measure: the real bench, or `--quick` (proves the harness runs, measures nothing)."""

    quick: bool
    baseline_schemas: int
    resolve_tenants: int
    clone_runs: int
    migrate_runs: int
    total_runs: int
    resolve_passes: int
    upload_bytes: int
    redis_db: int
    # wrk: seconds of warm-up (each URL), then of each measurement; connections and threads.
    load_warmup_s: int
    load_s: int
    load_connections: int
    load_threads: int
    # The client dashboard: runs of `dashboard_s` seconds each (their median taken) from `dashboard_connections`.
    dashboard_runs: int
    dashboard_s: int
    dashboard_connections: int


FULL = Plan(False, BASELINE_SCHEMAS, RESOLVE_TENANTS, 15, 5, 15, 20, 1024 * MIB, 14, 5, 15, 8, 2, 3, 30, 4)
QUICK = Plan(True, 3, 3, 2, 1, 1, 3, 4 * MIB, 13, 1, 1, 2, 1, 1, 1, 2)


def use_bench_services(plan: Plan, database: str | None, state: Path) -> str:
    """Point settings at the bench's own database, Redis database, mail and files before Django loads them
    (the development settings, whatever DJANGO_SETTINGS_MODULE the caller had: the test suite's settings would
    put files in the suite's media folder)."""
    from environ import Env

    Env.read_env(str(ROOT / ".var" / "services.env"), overwrite=False)
    url = urlparse(os.environ["DATABASE_URL"])
    bench_db = database or url.path.lstrip("/") + ("_bench_quick" if plan.quick else "_bench")
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path=f"/{bench_db}"))
    redis = urlparse(os.environ["REDIS_URL"])
    os.environ["REDIS_URL"] = urlunparse(redis._replace(path=f"/{plan.redis_db}"))
    os.environ.pop("CELERY_BROKER_URL", None)  # follow the bench's Redis, never a queue a worker consumes
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    os.environ["CACHE_KEY_PREFIX"] = bench_db  # two quick runs on one Redis database never share keys
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["EMAIL_URL"] = "dummymail://"  # not the development inbox
    os.environ["MEDIA_ROOT"] = str(state / "media")
    os.environ["RESUMABLE_UPLOAD_DIR"] = str(state / "uploads")
    os.environ["DEBUG"] = "false"  # no query log growing through the loops
    os.environ["LOG_LEVEL"] = "ERROR"
    return bench_db


def create_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    # The owner role creates databases (the runtime role may not).
    address = os.environ.get("MIGRATION_DATABASE_URL") or os.environ["DATABASE_URL"]
    maintenance = urlunparse(urlparse(address)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def take_over_the_database() -> None:
    """A bench database made before the roles existed belongs to the server's superuser: hand it to the owner,
    as `make` does for the development database (with the administrator's URL, when there is one)."""
    from tenants.db_roles import apply_roles, credentials, owner_url, role_of, use_credentials

    admin = os.environ.get("DATABASE_ADMIN_URL")
    if admin and owner_url():
        use_credentials(credentials(admin))
        apply_roles(owner=role_of(owner_url()), runtime=role_of(os.environ["DATABASE_URL"]))


def grant_the_runtime_role() -> None:
    """Default privileges belong to each database: the bench's gives the runtime role (its gunicorn) its DML."""
    from tenants.db_roles import apply_roles, owner_url, role_of

    if owner_url():
        apply_roles(owner=role_of(owner_url()), runtime=role_of(os.environ["DATABASE_URL"]))


def timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def drop_schema(name: str) -> None:
    from django.db import connection

    from tenants.template import quote

    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote(name)} CASCADE")


def provision(slug: str) -> None:
    from operators.services import tenant_provision

    tenant_provision(
        company_name=f"Bench {slug}",
        subdomain=slug,
        owner_name="Bench Owner",
        owner_email=f"owner@{slug}.example",
        owner_password="bench-owner-password-2026",  # noqa: S106 - hashing it is part of the real cost
    )


def remove_tenant(slug: str) -> None:
    from tenants.models import Tenant

    tenant = Tenant.objects.get(slug=slug)
    drop_schema(tenant.schema_name)
    tenant.delete()


def ensure_baseline(count: int) -> int:
    from tenants.models import Tenant

    existing = set(Tenant.objects.filter(slug__startswith="bench-").values_list("slug", flat=True))
    wanted = [f"bench-{number:04d}" for number in range(count)]
    missing = [slug for slug in wanted if slug not in existing]
    for count, slug in enumerate(missing, 1):
        provision(slug)
        if count % 50 == 0:
            print(f"  … {count}/{len(missing)} baseline tenants provisioned", flush=True)
    return Tenant.objects.count()


def measure_schema_steps(clone_runs: int, migrate_runs: int) -> tuple[list[float], list[float]]:
    from django.db import transaction

    from tenants import template

    current = template.current_template()
    if current is None:
        raise SystemExit("The template schema is missing or stale: run `manage.py migrate` first.")

    def clone(name: str) -> None:
        with transaction.atomic():
            template.create_schema_from_template(name)

    def migrate(name: str) -> None:
        with transaction.atomic():
            template.migrate_schema(name)

    clone_ms, migrate_ms = [], []
    for run in range(clone_runs + 1):
        name = f"bench_clone_{run}"
        elapsed = timed_ms(lambda name=name: clone(name))  # type: ignore[misc]
        drop_schema(name)
        if run:  # the first run warms caches
            clone_ms.append(elapsed)
    for run in range(migrate_runs + 1):
        name = f"bench_migrate_{run}"
        elapsed = timed_ms(lambda name=name: migrate(name))  # type: ignore[misc]
        drop_schema(name)
        if run:
            migrate_ms.append(elapsed)
    return clone_ms, migrate_ms


def measure_total(runs: int) -> list[float]:
    totals = []
    for run in range(runs + 1):
        slug = f"bench-total-{run:02d}"
        elapsed = timed_ms(lambda slug=slug: provision(slug))  # type: ignore[misc]
        remove_tenant(slug)
        if run:
            totals.append(elapsed)
    return totals


def measure_resolution(passes: int, tenants: int) -> tuple[float, float]:
    """Median per-request cost of resolving the tenant, the project's middleware vs django-tenants' stock
    TenantMainMiddleware, on the same requests over RESOLVE_TENANTS tenants."""
    from django.http import HttpRequest, HttpResponse
    from django.test import RequestFactory
    from django_tenants.middleware.main import TenantMainMiddleware

    from tenants.middleware import TenantResolutionMiddleware
    from tenants.models import Domain

    def ok(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    hosts = list(
        Domain.objects.filter(tenant__slug__startswith="bench-").order_by("domain").values_list("domain", flat=True)
    )[:tenants]
    factory = RequestFactory()
    requests = [factory.get("/", headers={"host": host}) for host in hosts]

    def per_request_us(middleware: Callable[[HttpRequest], HttpResponse]) -> float:
        for request in requests:  # warm-up pass
            middleware(request)
        samples = []
        for _ in range(passes):
            for request in requests:
                started = time.perf_counter_ns()
                middleware(request)
                samples.append((time.perf_counter_ns() - started) / 1000)
        return statistics.median(samples)

    cached = per_request_us(TenantResolutionMiddleware(ok))
    stock = per_request_us(TenantMainMiddleware(ok))
    return cached, stock


def production_env(state: Path, *, workers: int) -> dict[str, str]:
    """gunicorn's environment: the production settings with bench values (bench/upload.py), on the bench's
    database, Redis database and cache prefix (already in this process's environment), on a free loopback port."""
    from bench import upload
    from tests.support.network import free_port

    env = upload.production_environment(free_port(), state)
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    env["REDIS_URL"] = os.environ["REDIS_URL"]
    env["CACHE_KEY_PREFIX"] = os.environ["CACHE_KEY_PREFIX"]
    env["WEB_CONCURRENCY"] = str(workers)
    return env


def collect_static(state: Path) -> None:
    """The production settings serve the manifest's static files (whitenoise): collected once, into the state."""
    env = production_env(state, workers=1)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def measure_page(plan: Plan, state: Path) -> "PageFigures":
    """Page throughput and statements (bench/page.py). 2 workers, the production configuration except worker
    recycling (`max_requests`), switched off: at /healthz's rate it would restart a worker every few seconds and
    measure the restarts."""
    from bench import page

    env = production_env(state, workers=2)
    env["GUNICORN_MAX_REQUESTS"] = "0"
    env.pop("GUNICORN_TIMEOUT")  # the production default
    return page.measure(
        env,
        state,
        warmup_seconds=plan.load_warmup_s,
        seconds=plan.load_s,
        connections=plan.load_connections,
        threads=plan.load_threads,
    )


def measure_dashboard(plan: Plan, state: Path) -> "DashboardFigures":
    """The client dashboard's latency (bench/dashboard.py): gunicorn as for the page figures, 2 workers."""
    from bench import dashboard

    env = production_env(state, workers=2)
    env["GUNICORN_MAX_REQUESTS"] = "0"
    env.pop("GUNICORN_TIMEOUT")
    return dashboard.measure(
        env,
        state,
        warmup_seconds=plan.load_warmup_s,
        seconds=plan.dashboard_s,
        runs=plan.dashboard_runs,
        connections=plan.dashboard_connections,
    )


def measure_upload(size: int, state: Path) -> float:
    """Set up a client, a folder and a verified owner in the first bench tenant, upload `size` bytes (1 GiB)
    through gunicorn (static files collected), then remove the document again (the quota)."""
    from allauth.account.models import EmailAddress
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from bench import upload
    from portal.access.policy import SYSTEM
    from portal.clients.models import ClientOrg
    from portal.documents.models import Document, Folder
    from portal.documents.services import document_delete
    from tenants.models import Tenant

    tenant = Tenant.objects.get(slug="bench-0000")
    email = "owner@bench-0000.example"
    with tenant_context(tenant):
        owner = User.objects.get(email=email)
        owner.set_password("bench-owner-password-2026")
        owner.save(update_fields=["password"])
        EmailAddress.objects.filter(user=owner).update(verified=True)
        org = ClientOrg.objects.filter(name="Bench client").first() or ClientOrg.objects.create(
            name="Bench client", account_manager=owner
        )
        folder, _created = Folder.objects.get_or_create(client_org=org, name="Bench uploads")
    env = production_env(state, workers=1)
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    try:
        return upload.measure(port, env, folder.pk, org.pk, email, "bench-owner-password-2026", size, state)
    finally:
        with tenant_context(tenant):
            for document in Document.objects.filter(folder=folder):
                document_delete(actor=SYSTEM, document=document)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few tenants and a small upload: the harness runs")
    parser.add_argument("--database", help="the bench's database (default <DATABASE_URL's name>_bench[_quick])")
    parser.add_argument("--state-dir", type=Path, help="results, logs and files (default .var/bench[-quick])")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    plan = QUICK if args.quick else FULL
    from bench import load

    load.ensure_wrk()  # before the long steps: a missing load tool fails the bench at once
    state = (args.state_dir or ROOT / ".var" / ("bench-quick" if plan.quick else "bench")).resolve()
    state.mkdir(parents=True, exist_ok=True)
    bench_db = use_bench_services(plan, args.database, state)
    create_database(bench_db)
    import django

    django.setup()
    from django.core.management import call_command

    mode = " (quick)" if plan.quick else ""
    print(f"Bench database {bench_db}{mode}: migrating (builds the template schema)…", flush=True)
    from tenants.db_roles import use_owner_connection

    take_over_the_database()
    use_owner_connection()  # the bench migrates and drops schemas: the owner's work, for the whole process
    call_command("migrate", interactive=False, verbosity=0)
    grant_the_runtime_role()
    tenants = ensure_baseline(plan.baseline_schemas)
    print(f"{tenants} tenant schemas in the database.", flush=True)

    clone_ms, migrate_ms = measure_schema_steps(clone_runs=plan.clone_runs, migrate_runs=plan.migrate_runs)
    total_ms = measure_total(runs=plan.total_runs)
    cached_us, stock_us = measure_resolution(passes=plan.resolve_passes, tenants=plan.resolve_tenants)
    collect_static(state)
    print(
        f"Loading gunicorn with wrk ({plan.load_connections} connections, {plan.load_s} s per URL after"
        f" {plan.load_warmup_s} s of warm-up): /healthz, then a contact's documents list…",
        flush=True,
    )
    page = measure_page(plan, state)  # before the upload: its gigabyte is still being written back to disk after it
    print(
        f"Loading a contact's dashboard ({plan.dashboard_connections} connections, {plan.dashboard_runs} runs of"
        f" {plan.dashboard_s} s, the median of the runs)…",
        flush=True,
    )
    board = measure_dashboard(plan, state)
    print(f"Uploading {plan.upload_bytes // MIB} MiB through gunicorn…", flush=True)
    upload_mb = measure_upload(plan.upload_bytes, state)

    figures: list[dict[str, float | str]] = [
        {"name": "tenant_schemas", "value": tenants, "unit": "schemas"},
        {"name": "provision_schema_clone_ms", "value": round(statistics.median(clone_ms), 2), "unit": "ms"},
        {"name": "provision_schema_migrate_ms", "value": round(statistics.median(migrate_ms), 2), "unit": "ms"},
        {"name": "provision_total_ms", "value": round(statistics.median(total_ms), 2), "unit": "ms"},
        {"name": "resolve_cached_us", "value": round(cached_us, 2), "unit": "us"},
        {"name": "resolve_stock_us", "value": round(stock_us, 2), "unit": "us"},
        {"name": "upload_1gb_peak_rss_mb", "value": round(upload_mb, 1), "unit": "MB"},
        {"name": "healthz_rps", "value": page.healthz_rps, "unit": "req/s"},
        {"name": "page_rps", "value": page.page_rps, "unit": "req/s"},
        {"name": "page_p50_ms", "value": page.page_p50_ms, "unit": "ms"},
        {"name": "page_p99_ms", "value": page.page_p99_ms, "unit": "ms"},
        {"name": "page_queries", "value": page.page_queries, "unit": "statements"},
        {"name": "page_queries_5", "value": page.page_queries_5, "unit": "statements"},
        {"name": "page_queries_cached", "value": page.page_queries_cached, "unit": "statements"},
        {"name": "page_rendered_rps", "value": page.page_rendered_rps, "unit": "req/s"},
        {"name": "page_rendered_p50_ms", "value": page.page_rendered_p50_ms, "unit": "ms"},
        {"name": "dashboard_p50_ms", "value": board.dashboard_p50_ms, "unit": "ms"},
        {"name": "dashboard_p95_ms", "value": board.dashboard_p95_ms, "unit": "ms"},
        {"name": "dashboard_rps", "value": board.dashboard_rps, "unit": "req/s"},
        {"name": "dashboard_queries", "value": board.dashboard_queries, "unit": "statements"},
        {"name": "dashboard_rendered_p50_ms", "value": board.dashboard_rendered_p50_ms, "unit": "ms"},
        {"name": "dashboard_rendered_p95_ms", "value": board.dashboard_rendered_p95_ms, "unit": "ms"},
    ]
    value = {figure["name"]: float(figure["value"]) for figure in figures}
    ratios: list[dict[str, float | str]] = [
        {
            "name": "provision_migrate_over_clone",
            "value": round(value["provision_schema_migrate_ms"] / value["provision_schema_clone_ms"], 2),
            "unit": "x",
        },
        {
            "name": "resolve_stock_over_cached",
            "value": round(value["resolve_stock_us"] / value["resolve_cached_us"], 2),
            "unit": "x",
        },
        {"name": "page_over_healthz", "value": round(value["page_rps"] / value["healthz_rps"], 3), "unit": "x"},
        {
            "name": "page_rendered_over_healthz",
            "value": round(value["page_rendered_rps"] / value["healthz_rps"], 3),
            "unit": "x",
        },
    ]
    targets = [
        ("provision_schema_migrate_ms / provision_schema_clone_ms >= 5", float(ratios[0]["value"]) >= 5),
        ("provision_total_ms < 1000", value["provision_total_ms"] < 1000),
        ("resolve_stock_us / resolve_cached_us >= 5", float(ratios[1]["value"]) >= 5),
        (f"at least {plan.baseline_schemas} tenant schemas", value["tenant_schemas"] >= plan.baseline_schemas),
        ("upload_1gb_peak_rss_mb < 100", value["upload_1gb_peak_rss_mb"] < 100),
        ("page_rps / healthz_rps >= 0.10", float(ratios[2]["value"]) >= 0.10),
        ("page_queries <= 8", value["page_queries"] <= 8),
        ("page_queries == page_queries_5", value["page_queries"] == value["page_queries_5"]),
        ("dashboard_p95_ms < 150", value["dashboard_p95_ms"] < 150),
        ("dashboard_queries <= 15", value["dashboard_queries"] <= 15),
    ]

    print()
    print(f"{'figure':<34}{'value':>12}  unit")
    for figure in figures + ratios:
        print(f"{figure['name']:<34}{figure['value']:>12}  {figure['unit']}")
    print()
    for label, met in targets:
        print(f"{'PASS' if met else 'FAIL'}  {label}")
    out = state / "results.json"
    out.write_text(json.dumps(figures + ratios, indent=2))
    print(f"\nwritten {out}")
    if plan.quick:
        print("quick mode: the harness ran end to end; its figures are not measurements and no target is enforced")
        return 0
    return 0 if all(met for _, met in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
