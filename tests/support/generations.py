"""The suite's transaction never commits: `settle()` runs the after-commit callbacks a commit would have run for
what was written so far (`tenants.generations`), so what the fixtures wrote counts as committed."""

from django.db import connection

from tenants import generations


def settle() -> None:
    for callback in generations.waiting(connection):
        callback()
