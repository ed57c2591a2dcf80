"""Documents: validation of every upload path, scoping of every read, search, downloads recorded."""

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import User
from billing.models import Plan
from portal.access.models import Role
from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg, Contact
from portal.documents.models import Document, DocumentVersion, DownloadEvent, Folder
from portal.documents.services import DocumentError, documents_upload
from portal.files.inspection import safe_name
from portal.files.quota import storage_used
from tests.support.seeded import recent

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#336699").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def folder(in_demo: Any) -> Folder:
    return Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Reports")


@pytest.fixture
def staff(in_demo: Any) -> Any:
    return actor_for(User.objects.get(email="mia.member@northwind.example"))


def publish(staff: Any, folder: Folder, *files: SimpleUploadedFile) -> list[Document]:
    return documents_upload(actor=staff, folder=folder, uploads=list(files), category="report")


def test_publishing_stores_hash_size_type_and_an_event(staff: Any, folder: Folder) -> None:
    [document] = publish(staff, folder, upload("Q3 report.pdf", PDF, "application/pdf"))

    version = document.versions.get()
    assert (document.title, version.number, version.size, version.content_type) == (
        "Q3 report",
        1,
        len(PDF),
        "application/pdf",
    )
    assert len(version.sha256) == 64
    assert str(version.file.name).startswith("demo/documents/")
    assert ActivityEvent.objects.filter(verb="document.published", target_id=document.pk).count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "is empty"),
        ("invoice.pdf", b"MZ\x90\x00 not a pdf but an executable \x00\x01", "not accepted"),
        ("photo.pdf", png(), "the name says .pdf"),
        ("notes.exe", b"plain text, but a dangerous name", "the name says .exe"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error_and_nothing_stored(
    staff: Any, folder: Folder, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(DocumentError, match=message):
        publish(staff, folder, upload("ok.pdf", PDF), upload(name, content))

    assert not recent(Document).exists()
    assert not recent(DocumentVersion).exists()


def test_a_file_over_the_size_limit_is_refused(staff: Any, folder: Folder, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 10

    with pytest.raises(DocumentError, match="larger than"):
        publish(staff, folder, upload("big.pdf", PDF))
    assert not recent(DocumentVersion).exists()


def test_an_upload_over_the_plan_quota_is_refused(staff: Any, folder: Folder, in_demo: Any) -> None:
    Plan.objects.filter(pk=in_demo.subscription.plan_id).update(storage_bytes=storage_used() + len(PDF) + 5)
    in_demo.subscription.plan.refresh_from_db()
    publish(staff, folder, upload("first.pdf", PDF))

    with pytest.raises(DocumentError, match="storage quota"):
        publish(staff, folder, upload("second.pdf", PDF))
    assert recent(DocumentVersion).count() == 1


@pytest.mark.parametrize(
    ("given", "kept"),
    [("../../etc/passwd.txt", "passwd.txt"), ("..\\\\..\\\\boot.ini.txt", "boot.ini.txt"),
     ("a\x00b\r\nc.pdf", "abc.pdf"),
     ("/abs/path/Report (final).pdf", "Report (final).pdf"), ("...", "file")],
)  # fmt: skip
def test_path_traversal_names_are_reduced_to_a_plain_name(given: str, kept: str) -> None:
    assert safe_name(given) == kept


def test_a_traversal_name_stays_under_the_tenant_prefix(staff: Any, folder: Folder) -> None:
    [document] = publish(staff, folder, upload("../../../../outside.txt", b"hello"))

    assert str(document.versions.get().file.name).startswith(f"demo/documents/{document.pk}/")


def test_a_contact_cannot_publish(folder: Folder) -> None:
    carla = actor_for(User.objects.get(email="carla.admin@contoso.example"))

    with pytest.raises(Exception) as raised:  # noqa: PT011 - NotFound, the same as for a missing folder
        publish(carla, folder, upload("x.pdf", PDF))
    assert type(raised.value).__name__ == "NotFound"


@pytest.fixture
def published(staff: Any, folder: Folder) -> DocumentVersion:
    [document] = publish(staff, folder, upload("Budget overview.pdf", PDF, "application/pdf"))
    document.description = "Quarterly budget and forecast"
    document.save()
    return document.versions.get()


def test_a_contact_finds_by_search_and_downloads_and_the_download_is_recorded(
    as_user: Callable[[Any], Client], published: DocumentVersion
) -> None:
    victor = as_user(User.objects.get(email="victor.viewer@contoso.example"))
    org = ClientOrg.objects.get(name="Contoso Retail")

    found = victor.get(reverse("documents:list", kwargs={"org_id": org.pk}), {"q": "forecast"})
    missing = victor.get(reverse("documents:list", kwargs={"org_id": org.pk}), {"q": "invoice"})
    response = victor.get(reverse("documents:download", kwargs={"version_id": published.pk}))

    assert [d.title for d in found.context["documents"]] == ["Budget overview"]
    assert list(missing.context["documents"]) == []
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert recent(DownloadEvent).get().user_label == "victor.viewer@contoso.example"


def test_a_pdf_previews_inline_only_when_asked(as_user: Callable[[Any], Client], published: DocumentVersion) -> None:
    victor = as_user(User.objects.get(email="victor.viewer@contoso.example"))

    preview = victor.get(reverse("documents:download", kwargs={"version_id": published.pk}), {"inline": "1"})

    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["other-client", "no-capability", "internal-folder"])
def test_people_who_may_not_see_a_document_get_404_for_the_list_and_the_download(
    as_user: Callable[[Any], Client], published: DocumentVersion, staff: Any, who: str
) -> None:
    org = ClientOrg.objects.get(name="Contoso Retail")
    if who == "other-client":
        person = User.objects.get(email="hana.admin@fabrikam.example")
    elif who == "no-capability":
        victor = Contact.objects.get(user__email="victor.viewer@contoso.example")
        victor.role = Role.objects.create(name="Org only", slug="org-only", custom_capabilities=["organisation.view"])
        victor.save()
        person = victor.user
    else:
        internal = Folder.objects.create(client_org=org, name="Staff only", internal=True)
        [document] = publish(staff, internal, upload("Margin.pdf", PDF))
        published = document.versions.get()
        person = User.objects.get(email="carla.admin@contoso.example")
    client = as_user(person)

    if who != "internal-folder":
        assert client.get(reverse("documents:list", kwargs={"org_id": org.pk})).status_code == 404
    else:
        listing = client.get(reverse("documents:list", kwargs={"org_id": org.pk}))
        assert "Margin" not in [d.title for d in listing.context["documents"]]
    download = reverse("documents:download", kwargs={"version_id": published.pk})
    assert client.get(reverse("documents:detail", kwargs={"document_id": published.document_id})).status_code == 404
    assert client.get(download).status_code == 404
    assert client.get(download, {"inline": "1"}).status_code == 404
    assert not recent(DownloadEvent).filter(user=person).exists()


def test_a_user_of_another_tenant_gets_404_for_the_page_download_and_preview(published: DocumentVersion) -> None:
    """Signed in on their own portal, the ids name nothing of theirs; on this portal they are not signed in."""
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    other = Tenant.objects.get(slug="other")
    with tenant_context(other):
        fabrikam_owner = User.objects.get(email="olivia.owner@northwind.example")
        own_portal = Client(headers={"host": "other.localhost"})
        own_portal.force_login(fabrikam_owner)
        download = reverse("documents:download", kwargs={"version_id": published.pk})
        for url in (reverse("documents:detail", kwargs={"document_id": published.document_id}), download,
                    f"{download}?inline=1"):  # fmt: skip
            assert own_portal.get(url).status_code == 404
        assert own_portal.get(download, headers={"host": "demo.localhost"}).status_code == 302  # not signed in there
    assert not recent(DownloadEvent).exists()


def test_staff_upload_through_the_page(as_user: Callable[[Any], Client], folder: Folder) -> None:
    mia = as_user(User.objects.get(email="mia.member@northwind.example"))
    org = folder.client_org

    mia.post(
        reverse("documents:upload", kwargs={"org_id": org.pk}),
        {"folder": folder.pk, "category": "report", "files": [upload("a.pdf", PDF), upload("b.png", png())]},
    )

    assert sorted(recent(Document).values_list("title", flat=True)) == ["a", "b"]


def test_the_drag_and_drop_endpoint_answers_json(as_user: Callable[[Any], Client], folder: Folder) -> None:
    mia = as_user(User.objects.get(email="mia.member@northwind.example"))
    url = reverse("documents:upload", kwargs={"org_id": folder.client_org_id})

    ok = mia.post(url, {"folder": folder.pk, "files": [upload("a.pdf", PDF)]}, headers={"accept": "application/json"})
    refused = mia.post(
        url, {"folder": folder.pk, "files": [upload("e.pdf", b"")]}, headers={"accept": "application/json"}
    )

    assert ok.status_code == 200
    assert ok.json()["published"] == [recent(Document).get().pk]
    assert refused.status_code == 400
    assert "is empty" in refused.json()["error"]


def test_comments_on_documents_follow_the_documents_visibility(
    as_user: Callable[[Any], Client], staff: Any, folder: Folder, django_capture_on_commit_callbacks: Any
) -> None:
    from portal.activity.models import Notification
    from portal.conversations.services import comment_add

    org = folder.client_org
    internal = Folder.objects.create(client_org=org, name="Staff only", internal=True)
    [shared_doc] = publish(staff, folder, upload("Plan.pdf", PDF))
    [internal_doc] = publish(staff, internal, upload("Margins.pdf", PDF))
    carla = User.objects.get(email="carla.admin@contoso.example")

    comment_add(actor=actor_for(carla), target=shared_doc, body="Looks good")
    with pytest.raises(Exception) as raised:  # noqa: PT011 - NotFound: the contact may not see it
        comment_add(actor=actor_for(carla), target=internal_doc, body="What is this?")
    assert type(raised.value).__name__ == "NotFound"
    comment_add(actor=staff, target=internal_doc, body="Margin is thin")  # not marked internal by the author

    event = ActivityEvent.objects.get(target_type="documents.document", target_id=internal_doc.pk, verb="note.added")
    assert event.internal  # a comment on a staff-only document is a staff note
    page = as_user(carla).get(reverse("documents:detail", kwargs={"document_id": shared_doc.pk}))
    assert b"Looks good" in page.content
    assert as_user(carla).get(reverse("documents:detail", kwargs={"document_id": internal_doc.pk})).status_code == 404
    from portal.activity.fanout import fan_out

    fan_out(event.pk)
    assert not Notification.objects.filter(event=event, user__contact__isnull=False).exists()


@pytest.mark.parametrize(
    ("given", "extension"), [("报" * 140 + ".txt", ".txt"), ("a" * 160 + ".pdf", ".pdf"), ("x" * 300, "")]
)
def test_long_names_keep_their_extension_and_fit_a_file_system(given: str, extension: str) -> None:
    name = safe_name(given)

    assert name.endswith(extension)
    assert len(name.encode()) <= 120


def test_odd_form_input_is_handled_not_a_server_error(as_user: Callable[[Any], Client], folder: Folder) -> None:
    mia = as_user(User.objects.get(email="mia.member@northwind.example"))
    url = reverse("documents:upload", kwargs={"org_id": folder.client_org_id})

    mia.post(url, {"folder": folder.pk, "category": "bogus" * 10, "files": [upload("a.pdf", PDF)]})
    not_a_folder = mia.post(url, {"folder": "abc", "files": [upload("b.pdf", PDF)]})

    assert recent(Document).get().category == "other"
    assert not_a_folder.status_code == 404
