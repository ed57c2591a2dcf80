"""`make bench` runs end to end: its quick mode, as a subprocess with the suite's own environment, in a database
and a state folder of its own. The folder starts missing, as on a fresh clone (where the bench used to crash
opening gunicorn's log). Its page figures come from gunicorn under wrk and from one in-process render with 50 and
with 5 documents; its dashboard figures from a contact's home page under wrk (p95 from bench/percentiles.lua) and
one in-process render."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from bench.run import FIGURES

ROOT = Path(__file__).resolve().parents[2]
PAGE_FIGURES = (
    "healthz_rps", "page_rps", "page_p50_ms", "page_p99_ms", "page_queries", "page_queries_5", "page_queries_cached",
    "page_rendered_rps", "page_rendered_p50_ms",
)  # fmt: skip
DASHBOARD_FIGURES = (
    "dashboard_p50_ms", "dashboard_p95_ms", "dashboard_rps", "dashboard_queries", "dashboard_rendered_p50_ms",
    "dashboard_rendered_p95_ms",
)  # fmt: skip


def test_the_bench_runs_end_to_end_in_quick_mode(tmp_path: Path) -> None:
    state = tmp_path / "fresh-clone" / ".var" / "bench"
    database = f"{settings.DATABASES['default']['TEST']['NAME']}_bench"  # never the suite's or development's

    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--database", database, "--state-dir", str(state)],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    printed = {line.split()[0] for line in result.stdout.splitlines() if re.match(r"^[a-z_0-9]+\s+[\d.]+\s+\S+$", line)}
    assert set(FIGURES) <= printed, result.stdout
    assert {*PAGE_FIGURES, "page_over_healthz"} <= set(FIGURES)
    written = json.loads((state / "results.json").read_text())
    assert [figure["name"] for figure in written] == list(FIGURES)
    value = {figure["name"]: figure["value"] for figure in written}
    assert all(value[name] > 0 for name in PAGE_FIGURES if name != "page_queries_cached"), value
    assert all(value[name] > 0 for name in DASHBOARD_FIGURES), value
    assert len((state / "dashboard_queries.sql").read_text().splitlines()) == value["dashboard_queries"]
    assert value["page_queries_cached"] < value["page_queries"], "the page cache did not answer"
    assert (state / "gunicorn.log").exists()
    statements = (state / "page_queries.sql").read_text().splitlines()
    assert len(statements) == value["page_queries"]
