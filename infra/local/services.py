"""Make sure PostgreSQL and Redis are there for `make run` and `make test`.

    python infra/local/services.py up     # idempotent; writes .var/services.env
    python infra/local/services.py down   # stops only what `up` started

`DATABASE_URL` / `REDIS_URL` are used when they answer. Otherwise a private PostgreSQL and redis-server are
started from the installed binaries on free loopback ports (the Debian packages are installed first when
missing and apt-get is usable). PostgreSQL refuses to run as root, so as root the private server runs as the
`postgres` system user, with its data directory where that user can reach it.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / ".var"
STATE = VAR / "services.json"
ENV_FILE = VAR / "services.env"
DB_NAME = "portico"


class SetupError(Exception):
    """A problem the person running the command must fix; printed without a traceback."""


def log(message: str) -> None:
    print(f"[services] {message}", flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    # From "/": the server's user may not be allowed into the caller's directory.
    return subprocess.run(cmd, check=True, cwd="/", **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_root() -> bool:
    return os.geteuid() == 0


def can_install_packages() -> bool:
    return bool(shutil.which("apt-get")) and is_root() and not os.environ.get("PORTICO_NO_APT")


def apt_install(*packages: str) -> None:
    log(f"installing Debian packages: {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
    run(["apt-get", "install", "-y", "-q", *packages], env=env, stdout=subprocess.DEVNULL)


def load_state() -> dict:
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds the private server's password)."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)


def save_state(state: dict) -> None:
    VAR.mkdir(exist_ok=True)
    write_private(STATE, json.dumps(state, indent=2))


# --- PostgreSQL ---------------------------------------------------------------------------------------


def postgres_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return _create_database(url)
        return False


def _create_database(url: str) -> bool:
    """The server answers but the database is missing: create it through the maintenance database."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, connect_timeout=3, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        log(f"created database {name}")
        return True
    except psycopg.Error as error:
        log(f"cannot create database {name}: {error}")
        return False


def postgres_bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def postgres_data_dir() -> Path:
    """`.var/postgres/data` when the server's user can reach it, else a directory outside the checkout."""
    local = VAR / "postgres" / "data"
    if not is_root():
        return local
    reachable = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(VAR)], check=False, cwd="/")
    if reachable.returncode == 0:
        return local
    digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]  # noqa: S324 - a name, not a secret
    base = Path("/var/tmp") / f"portico-{digest}"  # noqa: S108 - named after the checkout, checked below
    try:
        base.mkdir(mode=0o711)
    except FileExistsError:
        info = base.lstat()
        # /var/tmp is world-writable: refuse a directory someone else prepared (or a symlink to one).
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
            raise SetupError(f"{base} exists but was not made by this script; remove it and run again.") from None
    return base / "postgres" / "data"


def as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if is_root() else cmd


def ensure_private_postgres(state: dict) -> str:
    bin_dir = postgres_bin_dir()
    if bin_dir is None and can_install_packages():
        apt_install("postgresql")
        bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise SetupError(
            "PostgreSQL is not installed. Install it (Debian/Ubuntu: `sudo apt-get install postgresql`; "
            "macOS: `brew install postgresql`), or set DATABASE_URL to a server that answers, "
            "or run everything with `docker compose up`."
        )
    if is_root():
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise SetupError("The `postgres` system user is missing: install the `postgresql` package.") from None

    data_dir = Path(state.get("postgres", {}).get("data_dir") or postgres_data_dir())
    server_dir = data_dir.parent
    server_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if is_root():
        os.chown(server_dir, pwd.getpwnam("postgres").pw_uid, -1, follow_symlinks=False)
    password = state.get("postgres", {}).get("password")
    if not (data_dir / "PG_VERSION").exists():
        log(f"initialising a private PostgreSQL in {data_dir}")
        password = secrets.token_urlsafe(24)
        password_file = server_dir / "initdb-password"
        write_private(password_file, password)
        if is_root():
            os.chown(password_file, pwd.getpwnam("postgres").pw_uid, -1, follow_symlinks=False)
        initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"]
        try:
            run(
                as_server_user([*initdb, "--auth=scram-sha-256", f"--pwfile={password_file}"]),
                stdout=subprocess.DEVNULL,
            )
        finally:
            password_file.unlink()

    port = state.get("postgres", {}).get("port")
    status = subprocess.run(
        as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "status"]),
        check=False,
        cwd="/",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if status.returncode != 0 or not port:
        port = free_port()
        log(f"starting the private PostgreSQL on 127.0.0.1:{port}")
        options = f"-p {port} -k {data_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        run(
            as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data_dir),
                    "-o",
                    options,
                    "-l",
                    str(data_dir.parent / "postgres.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            stdout=subprocess.DEVNULL,
        )
    state["postgres"] = {"data_dir": str(data_dir), "port": port, "bin_dir": str(bin_dir), "password": password}
    credentials = f"postgres:{password}" if password else "postgres"  # clusters made before passwords: trust
    url = f"postgres://{credentials}@127.0.0.1:{port}/{DB_NAME}"
    if not postgres_answers(url):
        raise SetupError(f"The private PostgreSQL did not answer; see {data_dir.parent / 'postgres.log'}.")
    return url


def stop_private_postgres(state: dict) -> None:
    info = state.get("postgres")
    if not info:
        return
    log("stopping the private PostgreSQL")
    subprocess.run(
        as_server_user([str(Path(info["bin_dir"]) / "pg_ctl"), "-D", info["data_dir"], "-m", "fast", "stop"]),
        check=False,
        cwd="/",
        stdout=subprocess.DEVNULL,
    )
    info.pop("port", None)


# --- Redis --------------------------------------------------------------------------------------------


def redis_answers(url: str) -> bool:
    import redis

    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


def ensure_private_redis(state: dict) -> str:
    server = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if server is None and can_install_packages():
        apt_install("redis-server")
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if server is None or not Path(server).exists():
        raise SetupError(
            "Redis is not installed. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; "
            "macOS: `brew install redis`), or set REDIS_URL to a server that answers, "
            "or run everything with `docker compose up`."
        )
    port = state.get("redis", {}).get("port")
    if port and redis_answers(f"redis://127.0.0.1:{port}/0"):
        return f"redis://127.0.0.1:{port}/0"
    port = free_port()
    redis_dir = VAR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    log(f"starting a private redis-server on 127.0.0.1:{port}")
    run(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(redis_dir),
            "--pidfile",
            str(redis_dir / "redis.pid"),
            "--logfile",
            str(redis_dir / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if redis_answers(url):
            break
        time.sleep(0.1)
    else:
        raise SetupError(f"The private redis-server did not answer; see {redis_dir / 'redis.log'}.")
    state["redis"] = {"port": port, "pidfile": str(redis_dir / "redis.pid")}
    return url


def stop_private_redis(state: dict) -> None:
    info = state.get("redis")
    if not info:
        return
    log("stopping the private redis-server")
    with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
        os.kill(int(Path(info["pidfile"]).read_text().strip()), 15)
    info.pop("port", None)


# --- commands -----------------------------------------------------------------------------------------


# --- database roles -----------------------------------------------------------------------------------


OWNER_ROLE = "portico_owner"
RUNTIME_ROLE = "portico_app"


def with_user(url: str, user: str, password: str) -> str:
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    netloc = f"{user}:{password}@{host}" + (f":{parsed.port}" if parsed.port else "")
    return urlunparse(parsed._replace(netloc=netloc))


def may_create_roles(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, connect_timeout=3) as conn:
        row = conn.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


def role_urls(admin_url: str, state: dict) -> dict[str, str]:
    """The runtime URL (DATABASE_URL), the owner's (MIGRATION_DATABASE_URL) and the administrator's that creates
    and converts them (DATABASE_ADMIN_URL, read only by `manage.py db_roles`). Passwords are made once and kept
    in the private state file."""
    passwords = state.setdefault("roles", {})
    for role in (OWNER_ROLE, RUNTIME_ROLE):
        passwords.setdefault(role, secrets.token_urlsafe(24))
    return {
        "DATABASE_URL": with_user(admin_url, RUNTIME_ROLE, passwords[RUNTIME_ROLE]),
        "MIGRATION_DATABASE_URL": with_user(admin_url, OWNER_ROLE, passwords[OWNER_ROLE]),
        "DATABASE_ADMIN_URL": admin_url,
    }


def database_urls(state: dict) -> dict[str, str]:
    """Two roles on a server that answers: given URLs as they are; a given URL whose role may create roles
    becomes the administrator of two new ones; otherwise a private server, whose superuser is the administrator."""
    database_url = os.environ.get("DATABASE_URL")
    if database_url and postgres_answers(database_url):
        log("using DATABASE_URL")
        if os.environ.get("MIGRATION_DATABASE_URL"):
            urls = {"DATABASE_URL": database_url, "MIGRATION_DATABASE_URL": os.environ["MIGRATION_DATABASE_URL"]}
            if os.environ.get("DATABASE_ADMIN_URL"):
                urls["DATABASE_ADMIN_URL"] = os.environ["DATABASE_ADMIN_URL"]
            return urls
        if may_create_roles(database_url):
            log(f"DATABASE_URL may create roles: the app will use {RUNTIME_ROLE}, migrations {OWNER_ROLE}")
            return role_urls(database_url, state)
        raise SetupError(
            "DATABASE_URL's role may not create roles, and MIGRATION_DATABASE_URL is not set. As an administrator, "
            f"run `CREATE ROLE {OWNER_ROLE} LOGIN CREATEDB PASSWORD '…'; CREATE ROLE {RUNTIME_ROLE} LOGIN "
            "PASSWORD '…';`, then set MIGRATION_DATABASE_URL to the owner's URL and DATABASE_URL to the runtime's, "
            "and run `manage.py db_roles` once with DATABASE_ADMIN_URL set to the administrator's URL."
        )
    if database_url:
        log("DATABASE_URL does not answer: falling back to a private PostgreSQL")
    return role_urls(ensure_private_postgres(state), state)


def up() -> None:
    VAR.mkdir(exist_ok=True)
    state = load_state()
    urls = database_urls(state)
    database_url = urls["DATABASE_URL"]
    redis_url = os.environ.get("REDIS_URL")
    if redis_url and redis_answers(redis_url):
        log("using REDIS_URL")
    else:
        if redis_url:
            log("REDIS_URL does not answer: falling back to a private redis-server")
        redis_url = ensure_private_redis(state)
    save_state(state)
    write_private(ENV_FILE, "".join(f"{key}={value}\n" for key, value in {**urls, "REDIS_URL": redis_url}.items()))
    log(f"PostgreSQL: {re.sub(r':[^:@/]+@', ':***@', database_url)}")
    log(f"Redis:      {redis_url}")


def down() -> None:
    state = load_state()
    stop_private_redis(state)
    stop_private_postgres(state)
    save_state(state)


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    actions = {"up": up, "down": down}
    if command not in actions:
        print("usage: services.py up|down", file=sys.stderr)
        return 2
    try:
        actions[command]()
    except SetupError as error:
        print(f"[services] {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"[services] `{' '.join(map(str, error.cmd))}` failed with exit code {error.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
