"""The documents pages: the list (filters, rows, empty states, the upload panel and its "create a folder first"),
the detail page's new-version control, and deleting behind a confirmation."""

import re
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg, Contact
from portal.documents.models import Document, DocumentVersion, Folder
from portal.documents.services import documents_upload
from tests.portal.factories import ClientOrgFactory, ContactFactory
from tests.support.seeded import recent

pytestmark = pytest.mark.django_db


def new_org(**fields: Any) -> ClientOrg:
    return cast(ClientOrg, ClientOrgFactory(**fields))


def new_contact(**fields: Any) -> Contact:
    return cast(Contact, ContactFactory(**fields))


SignIn = Callable[[Any], Client]
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
MIA = "mia.member@northwind.example"


@pytest.fixture
def contoso(in_demo: Any) -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


@pytest.fixture
def mia(as_user: SignIn) -> Client:
    return as_user(User.objects.get(email=MIA))


@pytest.fixture
def document(contoso: ClientOrg) -> Document:
    folder = Folder.objects.create(client_org=contoso, name="Reports")
    [published] = documents_upload(
        actor=actor_for(User.objects.get(email=MIA)), folder=folder,
        uploads=[SimpleUploadedFile("Quarterly report.pdf", PDF)], category="report",
    )  # fmt: skip
    return published


def text(response: Any) -> str:
    """The page's text without tags or repeated spaces, to read it as a person does."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def list_url(org: ClientOrg) -> str:
    return reverse("documents:list", kwargs={"org_id": org.pk})


# --- the list ---------------------------------------------------------------------------------------------------


def test_staff_see_breadcrumbs_rows_with_version_and_actions_and_the_upload_panel(
    mia: Client, contoso: ClientOrg, document: Document
) -> None:
    page = mia.get(list_url(contoso))
    html = page.content.decode()
    version = document.versions.get()

    assert f'<li><a href="{reverse("clients:detail", kwargs={"org_id": contoso.pk})}">Contoso Retail</a></li>' in html
    assert f"v1 · {len(PDF)} bytes" in text(page)
    assert f'href="{reverse("documents:download", kwargs={"version_id": version.pk})}"' in html
    assert f'href="{reverse("documents:detail", kwargs={"document_id": document.pk})}#preview"' in html
    assert f'action="{reverse("documents:delete", kwargs={"document_id": document.pk})}"' in html
    assert 'id="dropzone"' in html
    assert 'id="upload-form"' in html
    assert 'name="files" multiple' in html


def test_contacts_see_rows_without_delete_or_upload(as_user: SignIn, contoso: ClientOrg, document: Document) -> None:
    page = as_user(User.objects.get(email="victor.viewer@contoso.example")).get(list_url(contoso))
    html = page.content.decode()

    assert "Quarterly report" in html
    assert reverse("documents:delete", kwargs={"document_id": document.pk}) not in html
    assert 'id="upload-form"' not in html
    assert 'class="breadcrumbs"' not in html


def test_filters_narrow_the_list_and_a_stale_folder_is_an_error_not_a_crash(
    mia: Client, contoso: ClientOrg, document: Document
) -> None:
    other_folder = Folder.objects.create(client_org=contoso, name="Elsewhere")

    in_folder = mia.get(list_url(contoso), {"folder": str(document.folder_id)})
    elsewhere = mia.get(list_url(contoso), {"folder": str(other_folder.pk)})
    by_category = mia.get(list_url(contoso), {"category": "invoice"})
    stale = mia.get(list_url(contoso), {"folder": "999999"})

    assert [d.title for d in in_folder.context["documents"]] == ["Quarterly report"]
    assert elsewhere.context["documents"] == []
    assert "No documents match" in text(elsewhere)
    assert "Clear the filters" in text(elsewhere)
    assert document not in by_category.context["documents"]
    assert stale.status_code == 200
    assert "Select a valid choice" in text(stale)
    stale_and_category = mia.get(list_url(contoso), {"folder": "999999", "category": "invoice"})
    assert document not in stale_and_category.context["documents"]  # the valid filter still applies
    assert "Select a valid choice" in text(stale_and_category)


def test_an_empty_list_offers_staff_the_first_publication_and_reassures_contacts(in_demo: Any, as_user: SignIn) -> None:
    org = new_org(account_manager=User.objects.get(email=MIA))
    Folder.objects.create(client_org=org, name="Reports")
    contact = new_contact(client_org=org)

    for_staff = as_user(User.objects.get(email=MIA)).get(list_url(org))
    for_contact = as_user(contact.user).get(list_url(org))

    assert "No documents yet" in text(for_staff)
    assert 'href="#upload"' in for_staff.content.decode()
    assert "Publish the first document" in text(for_staff)
    assert "Nothing shared yet" in text(for_contact)
    assert "There is nothing you need to do meanwhile" in text(for_contact)
    assert "Publish" not in text(for_contact)
    assert 'aria-label="Filter documents"' not in for_contact.content.decode()  # nothing to filter yet


def test_without_a_folder_the_upload_panel_says_to_create_one_and_offers_the_form(
    in_demo: Any, as_user: SignIn
) -> None:
    org = new_org(account_manager=User.objects.get(email=MIA))
    mia = as_user(User.objects.get(email=MIA))

    before = mia.get(list_url(org))
    created = mia.post(reverse("documents:folder_new", kwargs={"org_id": org.pk}), {"name": " Reports "}, follow=True)

    assert "Create a folder first" in text(before)
    assert f'action="{reverse("documents:folder_new", kwargs={"org_id": org.pk})}"' in before.content.decode()
    assert 'id="dropzone"' not in before.content.decode()
    assert Folder.objects.get(client_org=org).name == "Reports"
    assert created.redirect_chain[-1][0].endswith("#upload")
    assert 'id="dropzone"' in created.content.decode()
    assert "Create a folder first" not in text(created)


@pytest.mark.parametrize(("name", "message"), [("", "Give the folder a name"), ("x" * 121, "at most 120"),
                                               ("Reports", "has a folder with that name")])  # fmt: skip
def test_a_refused_folder_name_is_explained(
    mia: Client, contoso: ClientOrg, document: Document, name: str, message: str
) -> None:
    response = mia.post(reverse("documents:folder_new", kwargs={"org_id": contoso.pk}), {"name": name}, follow=True)

    assert response.status_code == 200
    assert message in text(response)


# --- a new version ------------------------------------------------------------------------------------------------


def version_url(document: Document) -> str:
    return reverse("documents:version_new", kwargs={"document_id": document.pk})


def test_staff_publish_a_new_version_from_the_detail_page(mia: Client, document: Document) -> None:
    page = mia.get(reverse("documents:detail", kwargs={"document_id": document.pk}))
    assert f'action="{version_url(document)}"' in page.content.decode()
    assert "Publish as v2" in text(page)

    after = mia.post(version_url(document), {"file": SimpleUploadedFile("Quarterly report v2.pdf", PDF + b"%2")},
                     follow=True)  # fmt: skip

    latest = document.versions.first()
    assert latest is not None
    assert (latest.number, latest.original_name, latest.content_type) == (
        2,
        "Quarterly report v2.pdf",
        "application/pdf",
    )
    assert ActivityEvent.objects.filter(verb="document.version_added", target_id=document.pk).count() == 1
    assert "The new version was published." in text(after)
    assert [v.number for v in after.context["versions"]] == [2, 1]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([SimpleUploadedFile("report.pdf", b"MZ\x90\x00 an executable \x00\x01")], "not accepted"),
        ([SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)], "the name says .pdf"),
        ([SimpleUploadedFile("empty.pdf", b"")], "is empty"),
        ([], "Choose at least one file"),
        ([SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)], "A new version is one file"),
    ],
)
def test_a_new_version_goes_through_the_checks_of_every_upload(
    mia: Client, document: Document, files: list[SimpleUploadedFile], message: str
) -> None:
    response = mia.post(version_url(document), {"file": files}, follow=True)

    assert message in text(response)
    assert document.versions.count() == 1
    assert not recent(DocumentVersion).exclude(pk=document.versions.get().pk).exists()


def test_a_new_version_over_the_size_limit_is_refused(mia: Client, document: Document, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 10

    response = mia.post(version_url(document), {"file": SimpleUploadedFile("big.pdf", PDF)}, follow=True)

    assert "larger than" in text(response)
    assert document.versions.count() == 1


@pytest.mark.parametrize("who", ["victor.viewer@contoso.example", "carla.admin@contoso.example",
                                 "hana.admin@fabrikam.example"])  # fmt: skip
def test_contacts_cannot_add_versions_nor_see_the_control(as_user: SignIn, document: Document, who: str) -> None:
    person = as_user(User.objects.get(email=who))

    page = person.get(reverse("documents:detail", kwargs={"document_id": document.pk}))
    response = person.post(version_url(document), {"file": SimpleUploadedFile("x.pdf", PDF)})

    assert version_url(document) not in page.content.decode()
    assert response.status_code == 404
    assert document.versions.count() == 1


def test_staff_of_another_client_get_404_for_a_new_version(as_user: SignIn, document: Document) -> None:
    outsider = new_org().account_manager  # a staff member who reaches only their own client

    response = as_user(outsider).post(version_url(document), {"file": SimpleUploadedFile("x.pdf", PDF)})

    assert response.status_code == 404
    assert document.versions.count() == 1


# --- deleting -----------------------------------------------------------------------------------------------------


def test_deleting_asks_first_and_acts_only_when_confirmed(mia: Client, document: Document) -> None:
    url = reverse("documents:delete", kwargs={"document_id": document.pk})

    asked = mia.get(url)
    posted_without_confirmation = mia.post(url)
    assert Document.objects.filter(pk=document.pk).exists()
    confirmed = mia.post(url, {"confirmed": "1"})

    assert "Delete this document?" in text(asked)
    assert "Delete this document?" in text(posted_without_confirmation)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == list_url(document.folder.client_org)
    assert not Document.objects.filter(pk=document.pk).exists()


def test_the_delete_buttons_open_a_confirmation_dialog(mia: Client, document: Document) -> None:
    url = reverse("documents:delete", kwargs={"document_id": document.pk})
    for page in (mia.get(list_url(document.folder.client_org)),
                 mia.get(reverse("documents:detail", kwargs={"document_id": document.pk}))):  # fmt: skip
        html = page.content.decode()
        assert f'<form method="post" action="{url}" class="inline-form" data-confirm=' in html
        assert '<input type="hidden" name="confirmed" value="1">' in html


@pytest.mark.parametrize("who", ["victor.viewer@contoso.example", "carla.admin@contoso.example"])
def test_contacts_cannot_delete_even_when_confirmed(as_user: SignIn, document: Document, who: str) -> None:
    response = as_user(User.objects.get(email=who)).post(
        reverse("documents:delete", kwargs={"document_id": document.pk}), {"confirmed": "1"}
    )

    assert response.status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()
