"""Each schema's write generation: a token that changes after every committed write to the schema.

Whatever is derived from a schema's data can be kept with the tokens it was derived at (`look_up`, then
`Lookup.keep`) and is used again only while both tokens, the schema's and the public schema's, are unchanged:
a signed-in person's session row and user (`accounts.sessions`, `portal.access.backends`) and a rendered page
(`portal.access.pages`). A write anywhere in the portal (a deactivation, a role change, a session ended) or in the
public rows (the tenant, its branding and plan) retires all of it at once. The token is random, not a counter, so
a token lost from Redis (eviction, a restart) comes back as a new one, never as an old value that stale entries
still carry.

Writes are seen where every statement passes, the database backend (`tenants.db_backend`): any statement that is
not a read marks the schema the connection is working in (`public` included: the tenant, branding and billing
rows live there). A write outside a transaction changes the token at once; a write inside one changes it after
commit (`on_commit`, so a rolled-back transaction changes nothing), and until then `written_uncommitted` tells a
reader on the same connection, which sees the uncommitted rows, not to use anything kept. A reader on another
connection that reads the token before a commit keeps what it derives under a token the commit then retires.

Not seen: a `SELECT` that calls a function which writes. The project has none on request paths (the schema
functions run at provisioning, before a portal has any page to keep).
"""

import uuid
from dataclasses import dataclass
from typing import Any, cast

from django.core.cache import caches
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

# Statements that never change a row; anything else counts as a write.
READ_STATEMENTS = frozenset(
    {"SELECT", "SET", "SHOW", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "EXPLAIN", "DECLARE", "FETCH",
     "CLOSE", "VALUES", "RESET"}
)  # fmt: skip
CACHE_ALIAS = "generations"
PUBLIC = "public"


def _key(schema: str) -> str:
    return f"write-generation:{schema}"


def current(schema: str) -> str:
    """The schema's token now (a new one when Redis has none)."""
    generations = caches[CACHE_ALIAS]
    token = generations.get(_key(schema))
    if token is None:
        generations.add(_key(schema), uuid.uuid4().hex, timeout=None)
        token = generations.get(_key(schema))
    return str(token)


@dataclass(frozen=True)
class Lookup:
    """What was kept under a key of a schema, if it is still current (`value`, else None), and the tokens a value
    derived now must be kept with: read before the derivation, so a write committed meanwhile retires it."""

    name: str
    tokens: tuple[str, str]
    value: Any

    def keep(self, value: Any, seconds: int) -> None:
        caches[CACHE_ALIAS].set(self.name, (self.tokens, value), seconds)


def look_up(schema: str, key: str) -> Lookup | None:
    """One round trip to Redis: the schema's and the public schema's tokens and what was kept under `key`. None
    when this connection's open transaction has written (it sees rows no one else does yet): derive, don't keep."""
    if written_uncommitted(connection, schema) or written_uncommitted(connection, PUBLIC):
        return None
    name = f"kept:{schema}:{key}"
    found = caches[CACHE_ALIAS].get_many([_key(schema), _key(PUBLIC), name])
    tokens = (
        str(found[_key(schema)]) if _key(schema) in found else current(schema),
        str(found[_key(PUBLIC)]) if _key(PUBLIC) in found else current(PUBLIC),
    )
    kept = found.get(name)
    value = kept[1] if kept is not None and tuple(kept[0]) == tokens else None
    return Lookup(name=name, tokens=tokens, value=value)


def advance(schema: str) -> None:
    """Retire the schema's token: what was kept under it is not used again."""
    caches[CACHE_ALIAS].set(_key(schema), uuid.uuid4().hex, timeout=None)


class AfterCommit:
    """The after-commit callback of a transaction that wrote to `schema`. It stays in the connection's list of
    callbacks until the transaction ends (Django drops it with a rolled-back savepoint or transaction), which is
    how `written_uncommitted` knows; `done` covers tests that run callbacks without committing."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.done = False

    def __call__(self) -> None:
        self.done = True
        advance(self.schema)


def waiting(connection: BaseDatabaseWrapper) -> list[AfterCommit]:
    """The connection's after-commit callbacks of this module that have not run."""
    # Django keeps (savepoint ids, callback, robust) triples; the stubs still say pairs.
    callbacks = [entry[1] for entry in cast(list[tuple[Any, ...]], connection.run_on_commit)]
    return [callback for callback in callbacks if isinstance(callback, AfterCommit) and not callback.done]


def _pending(connection: BaseDatabaseWrapper, schema: str) -> bool:
    return any(callback.schema == schema for callback in waiting(connection))


def written_uncommitted(connection: BaseDatabaseWrapper, schema: str) -> bool:
    """Whether the connection's open transaction has written to `schema` (rows other connections cannot see)."""
    return connection.in_atomic_block and _pending(connection, schema)


def is_write(sql: str) -> bool:
    first = sql.lstrip(" \t\r\n(").split(None, 1)[:1]
    return bool(first) and first[0].upper() not in READ_STATEMENTS


def record_write(connection: BaseDatabaseWrapper, schema: str) -> None:
    """A statement changed `schema`: retire its token now, or after commit (once per transaction)."""
    if not connection.in_atomic_block:
        advance(schema)
    elif not _pending(connection, schema):
        connection.on_commit(AfterCommit(schema), robust=True)
