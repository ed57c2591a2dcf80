"""The registry holds capabilities that unlock a page and capabilities that unlock an action (comments.create):
the navigation lists pages only; every capability says how it is proved."""

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.capabilities import REGISTRY, register
from portal.access.models import Role

MIGRATION = importlib.import_module("portal.access.migrations.0005_comments_create_for_custom_roles")


def test_a_capability_names_the_page_it_unlocks_or_how_it_is_proved() -> None:
    with pytest.raises(ValueError, match="url_name"):
        register("nothing.to.prove", label="Nothing", default_roles=set())
    assert "nothing.to.prove" not in REGISTRY


def test_comments_create_unlocks_an_action_not_a_page() -> None:
    capability = REGISTRY["comments.create"]

    assert capability.url_name is None
    assert capability.proof.method == "POST"
    assert all(REGISTRY[code].url_name for code in REGISTRY if code != "comments.create")


@pytest.mark.django_db
def test_the_contact_navigation_lists_the_pages_of_their_capabilities_only(as_user: Callable[[Any], Client]) -> None:
    carla = User.objects.get(email="carla.admin@contoso.example")  # client admin: every capability

    response = as_user(carla).get(reverse("access:profile"))

    assert response.status_code == 200
    items = [item for section in response.context["nav_sections"] for item in section.items]
    pages = [item.url for item in items if "/clients/" in item.url]
    # One item per page, however many capabilities unlock it (requests.create and requests.view_all: Requests).
    assert sorted(pages) == sorted(set(pages))
    assert len(pages) == len({capability.url_name for capability in REGISTRY.values() if capability.url_name})


@pytest.mark.django_db
def test_the_data_migration_lets_every_existing_custom_role_keep_commenting(in_demo: Any) -> None:
    custom = Role.objects.create(name="Auditors", slug="auditors", custom_capabilities=["organisation.view"])
    viewer = Role.objects.get(slug="viewer")

    MIGRATION.grant(apps, None)

    custom.refresh_from_db()
    viewer.refresh_from_db()
    assert "comments.create" in custom.capabilities
    assert "comments.create" not in viewer.capabilities  # default roles follow the registry
