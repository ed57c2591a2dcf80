import pytest
from django.core.exceptions import ValidationError

from tenants.subdomains import schema_name_for, validate_subdomain
from tenants.template import TEMPLATE_SCHEMA


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("ab", "too_short"),
        ("a" * 41, "too_long"),
        ("-acme", "edge_hyphen"),
        ("acme-", "edge_hyphen"),
        ("ac_me", "invalid_characters"),
        ("ac.me", "invalid_characters"),
        ("ac me", "invalid_characters"),
        ("acmé", "invalid_characters"),
        ("acme!", "invalid_characters"),
        ("www", "reserved"),
        ("api", "reserved"),
        ("admin", "reserved"),
        ("ops", "reserved"),
        ("public", "reserved"),
        ("billing", "reserved"),
        ("static", "reserved"),
        ("portico-template", "reserved"),
        ("information-schema", "reserved"),
        ("pg-catalog", "reserved"),
        ("pg-anything", "reserved"),
        ("xn--bcher-kva", "reserved"),
    ],
)
def test_invalid_subdomains_get_their_own_error(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_subdomain(value)

    assert raised.value.code == code
    assert raised.value.messages[0]


@pytest.mark.parametrize(
    ("value", "slug"), [("Acme", "acme"), ("  northwind-co ", "northwind-co"), ("3com", "3com"), ("a" * 40, "a" * 40)]
)
def test_valid_subdomains_are_case_folded(value: str, slug: str) -> None:
    assert validate_subdomain(value) == slug


@pytest.mark.parametrize(
    ("slug", "schema"), [("acme", "acme"), ("acme-co", "acme_co"), ("3com", "_3com"), ("a-1-b", "a_1_b")]
)
def test_schema_name_is_derived_from_the_subdomain(slug: str, schema: str) -> None:
    assert schema_name_for(slug) == schema


@pytest.mark.parametrize("slug", ["public", "portico-template", "pg-toast", "information-schema"])
def test_schema_name_can_never_be_public_the_template_or_a_pg_name(slug: str) -> None:
    with pytest.raises(ValueError, match="cannot name a schema"):
        schema_name_for(slug)
    assert TEMPLATE_SCHEMA == "portico_template"
