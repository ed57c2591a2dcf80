"""Load from Debian's `wrk` against gunicorn on loopback: the server, the load tool (installed when missing, as
`make bench` does), and wrk's figures, checked against gunicorn's access log (every measured answer a 200: a
redirect to the sign-in page would count as fast requests otherwise)."""

import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
ACCESS = re.compile(r'"[A-Z]+ (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) ')


@dataclass(frozen=True)
class WrkResult:
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float  # from bench/percentiles.lua
    p99_ms: float


def ensure_wrk() -> str:
    """wrk's path; installed from Debian when missing and this is root with apt (the test suite runs the bench's
    quick mode without `make bench`), otherwise a readable error."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("[system] installing Debian's wrk (the bench's load generator)", flush=True)
        quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "wrk"]):
            step = subprocess.run(
                [*command, "-o", "DPkg::Lock::Timeout=120"], env=quiet, capture_output=True, text=True, check=False
            )
            if step.returncode:
                raise SystemExit(f"`{' '.join(command)}` failed:\n{step.stdout[-2000:]}{step.stderr[-2000:]}")
        found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "The bench needs wrk, the HTTP load generator: install Debian's package (as root: `apt-get install wrk`)"
            " and run it again."
        )
    return found


def ms(text: str) -> float:
    number = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if number is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(number[1]) * UNITS_MS[number[2]]


def parse_wrk(output: str) -> WrkResult:
    """wrk's report, with `--latency` and bench/percentiles.lua: requests, requests per second, the 50th, 95th and
    99th percentiles. Timeouts and answers other than 2xx/3xx make the run worthless: an error."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    done = re.search(r"^\s+(\d+) requests in ", output, re.MULTILINE)
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.MULTILINE))
    p95 = re.search(r"^p95_us (\d+)$", output, re.MULTILINE)
    if rps is None or done is None or p95 is None or set(percentiles) != {"50", "99"}:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    timeouts = re.search(r"timeout (\d+)", output)
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if (timeouts and int(timeouts[1])) or failed:
        raise RuntimeError(f"wrk saw timeouts or failed answers:\n{output}")
    return WrkResult(int(done[1]), float(rps[1]), ms(percentiles["50"]), int(p95[1]) / 1000, ms(percentiles["99"]))


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Server:
    def __init__(self, process: "subprocess.Popen[bytes]", log: Path) -> None:
        self.process = process
        self.log = log

    def wait_until_up(self, port: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.log.read_text()[-3000:]}")
            try:
                if get(port, "/healthz", {})[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {seconds:.0f} s")

    def statuses(self, since: int, path: str) -> Counter[str]:
        with self.log.open("rb") as log:
            log.seek(since)
            lines = log.read().decode(errors="replace")
        return Counter(match["status"] for match in ACCESS.finditer(lines) if match["path"] == path)

    def wrk(
        self, wrk: str, port: int, path: str, headers: dict[str, str], *, seconds: int, connections: int, threads: int
    ) -> WrkResult:
        """One bounded wrk run (`seconds`, a generous timeout so slow answers count in the percentiles rather than
        vanish); every answer to it in the access log must be a 200."""
        since = self.log.stat().st_size
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
        command += ["-s", str(ROOT / "bench" / "percentiles.lua")]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        run = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=seconds + 60
        )
        if run.returncode:
            raise RuntimeError(f"wrk failed ({run.returncode}): {run.stderr}")
        result = parse_wrk(run.stdout)
        time.sleep(0.2)  # the workers' last access-log lines
        statuses = self.statuses(since, path)
        if set(statuses) != {"200"}:
            raise RuntimeError(f"{path} under load answered {dict(statuses)}, not only 200s")
        return result


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path) -> Iterator[Server]:
    """gunicorn with the project's configuration (`infra/gunicorn.conf.py`) and `env`; access and error log in
    `log_path`. Stopped (SIGTERM, then waited for) on the way out."""
    command = [sys.executable, "-m", "gunicorn", "-c", "infra/gunicorn.conf.py", "config.wsgi:application"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield Server(process, log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
