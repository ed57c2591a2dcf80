import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

pytestmark = pytest.mark.django_db


def test_the_same_cache_key_in_two_tenants_holds_two_values(clean_cache: None) -> None:
    with schema_context("demo"):
        cache.set("dashboard:summary", "demo's figures")
    with schema_context("other"):
        cache.set("dashboard:summary", "other's figures")

    with schema_context("demo"):
        assert cache.get("dashboard:summary") == "demo's figures"
    with schema_context("other"):
        assert cache.get("dashboard:summary") == "other's figures"
    assert cache.get("dashboard:summary") is None  # and the public site sees neither
