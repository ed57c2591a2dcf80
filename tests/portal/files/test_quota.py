"""One measure of storage for the quota, and no file kind left out of it."""

import uuid
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from accounts.models import User
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.conversations.services import comment_add
from portal.documents.models import Folder, ResumableUpload
from portal.documents.services import documents_upload
from portal.files import quota
from portal.files.quota import storage_used


def file_fields() -> set[str]:
    """Every file field (ImageField included) of every installed model, as `app_label.Model.field`."""
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


def test_every_stored_file_kind_is_counted_in_the_quota_or_exempted_with_a_reason() -> None:
    fields = file_fields()
    assert "documents.DocumentVersion.file" in fields  # the walk finds them

    forgotten = fields - quota.counted_fields() - set(quota.EXEMPT)

    assert not forgotten, f"count these in a usage source (portal.files.quota.register) or exempt them: {forgotten}"
    assert quota.counted_fields().isdisjoint(quota.EXEMPT)
    assert all(reason.strip() for reason in quota.EXEMPT.values())


def test_the_quota_names_only_fields_that_exist() -> None:
    stale = (quota.counted_fields() | set(quota.EXEMPT)) - file_fields()

    assert not stale


def test_the_apps_register_their_sources() -> None:
    assert {"document-versions", "resumable-reservations", "comment-attachments"} <= set(quota.SOURCES)


@pytest.mark.django_db
def test_storage_used_counts_versions_attachments_and_active_reservations(in_demo: Any) -> None:
    mia = User.objects.get(email="mia.member@northwind.example")
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    folder = Folder.objects.create(client_org=contoso, name="Counted")
    before = storage_used()

    documents_upload(actor=actor_for(mia), folder=folder, uploads=[SimpleUploadedFile("a.txt", b"a" * 100)])
    comment_add(actor=actor_for(mia), target=contoso, body="See", files=[SimpleUploadedFile("b.txt", b"b" * 30)])
    upload = ResumableUpload.objects.create(id=uuid.uuid4(), user=mia, folder=folder, filename="c.txt", length=7)

    assert storage_used() == before + 100 + 30 + 7
    ResumableUpload.objects.filter(pk=upload.pk).update(offset=7)  # complete: its file is counted once published
    assert storage_used() == before + 100 + 30
