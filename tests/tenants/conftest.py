"""Fixtures of the tenant tests."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tenants.db_roles import current_credentials, use_credentials, use_owner_connection


@pytest.fixture
def as_owner(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The test runs on the owner role's connection (DROP SCHEMA, dates of its choosing), in a transaction rolled
    back at the end; the runtime role's connection is back afterwards. Request it instead of `db`: the test's
    transaction must start on the owner's connection."""
    runtime = current_credentials()
    with django_db_blocker.unblock():
        use_owner_connection()
        try:
            with transaction.atomic():
                yield
                transaction.set_rollback(True)
        finally:
            use_credentials(runtime)
