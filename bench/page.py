"""A signed-in contact's documents list: its readers, its SQL statements and its throughput.

- `seed_readers` (the bench process, owner role): in the demo portal (`operators.demo`, seeded when the bench
  database has none), two client organisations made with the project's services, one with 50 documents and one
  with 5 (tiny text files, published by the portal's owner), each with a contact who reads them.
- `python bench/page.py` (a subprocess with the production settings, the environment gunicorn gets, with the page
  cache off): signs each reader in through allauth's form with Django's test client, renders their list once to
  warm it, then counts the SQL statements of one more render (`CaptureQueriesContext` on `connection`: `SET
  search_path` included). With the page cache on, it then counts a request the cache answers. It writes the
  counts, the statements and the cookies (session and CSRF, as a browser sends them) to a JSON file.
- `measure`: gunicorn (production settings, 2 workers, loopback) under `wrk`, after a warm-up: `/healthz`, the
  same run's reference, then the 50 documents' list with the reader's cookies and the portal's Host; then the same
  list from a second gunicorn with the page cache off (`PAGE_CACHE_SECONDS=0`), every request rendered.
"""

import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANY, FEW = 50, 5
READER_PASSWORD = "bench-reader-password-2026"  # noqa: S105 - a bench login in the bench's own database
FOLDER = "Bench documents"
CACHED_FOR = 120  # seconds; the production default of PAGE_CACHE_SECONDS
TITLE = re.compile(rb"Bench document \d{2}")


@dataclass(frozen=True)
class Reader:
    """A contact and the documents list of their organisation, holding `documents` documents."""

    email: str
    path: str
    documents: int


@dataclass(frozen=True)
class PageFigures:
    healthz_rps: float
    page_rps: float
    page_p50_ms: float
    page_p99_ms: float
    page_queries: int
    page_queries_5: int
    page_queries_cached: int
    page_rendered_rps: float
    page_rendered_p50_ms: float


def seed_readers() -> tuple[str, Reader, Reader]:
    """The demo portal's host and its two readers (50 and 5 documents); idempotent, quick once made."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.urls import reverse
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from accounts.services import user_create
    from operators.demo import DEMO_SLUG, DEMO_STAFF, demo_host, seed_demo
    from portal.access.capabilities import DefaultRole
    from portal.access.models import Role
    from portal.access.policy import actor_for
    from portal.clients.models import ClientOrg, Contact
    from portal.documents.models import Category, Document, Folder
    from portal.documents.services import documents_upload, folder_create
    from portal.organisations.services import client_org_save
    from tenants.models import Tenant

    # The resolution figures leave the connection on the last tenant they resolved.
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if tenant is None:
        print("  seeding the demo portal (once per bench database)…", flush=True)
        tenant = seed_demo()
    readers = []
    with tenant_context(tenant):
        owner = actor_for(User.objects.get(email=DEMO_STAFF[0].email))
        for count in (MANY, FEW):
            name = f"Bench reading {count}"
            org = ClientOrg.objects.filter(name=name).first() or client_org_save(
                actor=owner, org=None, name=name, account_manager=owner.user, team=[], notes=""
            )
            email = f"reader{count}@bench.example"
            user = User.objects.filter(email=email).first() or user_create(
                tenant=tenant, email=email, full_name=f"Bench Reader {count}", password=READER_PASSWORD, verified=True
            )
            Contact.objects.get_or_create(
                user=user, defaults={"client_org": org, "role": Role.objects.get(slug=DefaultRole.VIEWER)}
            )
            folder = Folder.objects.filter(client_org=org, name=FOLDER).first() or folder_create(
                actor=owner, org=org, name=FOLDER, internal=False
            )
            held = Document.objects.filter(folder__client_org=org).count()
            if held > count:
                raise SystemExit(f"{name} holds {held} documents, not {count}: drop the bench database")
            files = [
                SimpleUploadedFile(f"Bench document {number:02d}.txt", f"Bench document {number}\n".encode())
                for number in range(held + 1, count + 1)
            ]
            if files:
                documents_upload(actor=owner, folder=folder, uploads=files, category=Category.REPORT)
            path = reverse("documents:list", kwargs={"org_id": org.pk})
            readers.append(Reader(email=email, path=path, documents=count))
    return demo_host(), readers[0], readers[1]


def count_queries(host: str, readers: list[Reader]) -> dict[str, dict[str, object]]:
    """In this process (production settings): sign each reader in, render their list once, then capture the
    statements of one render. Per reader: `queries` (the SQL), `cookie` (for wrk)."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    results: dict[str, dict[str, object]] = {}
    for reader in readers:
        client = Client(headers={"host": host})
        signed_in = client.post(reverse("account_login"), {"login": reader.email, "password": READER_PASSWORD})
        if signed_in.status_code != 302:
            raise SystemExit(f"{reader.email} could not sign in ({signed_in.status_code})")
        warm = client.get(reader.path)  # templates compiled, caches filled, the schema verified
        check_page(reader, warm.status_code, warm.content)
        # Read each capture at once: the next request empties the connection's log the captures slice.
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reader.path)
        rendered = [query["sql"] for query in captured.captured_queries]
        check_page(reader, response.status_code, response.content)
        with override_settings(PAGE_CACHE_SECONDS=CACHED_FOR):
            client.get(reader.path)  # rendered and kept
            with CaptureQueriesContext(connection) as reused:
                again = client.get(reader.path)
            cached = [query["sql"] for query in reused.captured_queries]
        check_page(reader, again.status_code, again.content)
        results[reader.email] = {
            "queries": rendered,
            "cached_queries": cached,
            "cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items()),
        }
    return results


def check_page(reader: Reader, status: int, body: bytes) -> None:
    """The reader sees their list with all its documents (a redirect to the sign-in page would be quick too)."""
    shown = len(set(TITLE.findall(body)))
    if status != 200 or shown != reader.documents:
        raise SystemExit(f"{reader.path} as {reader.email}: {status}, {shown} of {reader.documents} documents shown")


def measure(
    env: dict[str, str], state: Path, *, warmup_seconds: int, seconds: int, connections: int, threads: int
) -> PageFigures:
    """Count the statements (a subprocess with the production settings, while gunicorn starts), then load
    gunicorn with wrk: a warm-up of both URLs, then `/healthz` and the 50 documents' list, one after the other."""
    from bench import load

    wrk = load.ensure_wrk()
    host, many, few = seed_readers()
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    counts_file = state / "page_queries.json"
    uncached = {**env, "PAGE_CACHE_SECONDS": "0"}
    with load.gunicorn(env, state / "gunicorn-page.log") as server:
        subprocess.run(
            [sys.executable, "bench/page.py", host, str(counts_file), json.dumps([asdict(many), asdict(few)])],
            cwd=ROOT,
            env=uncached,
            check=True,
        )
        counts = json.loads(counts_file.read_text())
        statements = [" ".join(query.splitlines()) for query in counts[many.email]["queries"]]
        (state / "page_queries.sql").write_text("".join(f"{statement}\n" for statement in statements))
        cookie = counts[many.email]["cookie"]
        server.wait_until_up(port)
        status, body = load.get(port, many.path, {"Host": host, "Cookie": cookie})
        check_page(many, status, body)

        def run(server: load.Server, path: str, duration: int) -> load.WrkResult:
            headers = {"Host": host, "Cookie": cookie} if path == many.path else {}
            return server.wrk(wrk, port, path, headers, seconds=duration, connections=connections, threads=threads)

        if warmup_seconds:
            run(server, "/healthz", warmup_seconds)
            run(server, many.path, warmup_seconds)
        healthz = run(server, "/healthz", seconds)
        page = run(server, many.path, seconds)
    with load.gunicorn(uncached, state / "gunicorn-page-rendered.log") as server:
        server.wait_until_up(port)
        if warmup_seconds:
            run(server, many.path, warmup_seconds)
        rendered = run(server, many.path, seconds)
    return PageFigures(
        healthz_rps=round(healthz.rps, 1),
        page_rps=round(page.rps, 1),
        page_p50_ms=round(page.p50_ms, 1),
        page_p99_ms=round(page.p99_ms, 1),
        page_queries=len(counts[many.email]["queries"]),
        page_queries_5=len(counts[few.email]["queries"]),
        page_queries_cached=len(counts[many.email]["cached_queries"]),
        page_rendered_rps=round(rendered.rps, 1),
        page_rendered_p50_ms=round(rendered.p50_ms, 1),
    )


def main() -> None:
    host, out, readers = sys.argv[1], Path(sys.argv[2]), [Reader(**item) for item in json.loads(sys.argv[3])]
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "config.settings.production":
        raise SystemExit("page.py counts statements under the production settings only")
    out.write_text(json.dumps(count_queries(host, readers)))


if __name__ == "__main__":
    main()
