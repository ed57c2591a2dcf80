"""The decision record: whoever may open a deliverable downloads its decisions as a PDF (WeasyPrint), naming each
decision's outcome, person, comment and the SHA-256 of the exact version decided on; whoever may not gets the same
404 as for the deliverable's page, drafts included."""

import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.policy import actor_for
from portal.engagements.models import Decision, Deliverable, DeliverableVersion, Outcome
from portal.engagements.services import (
    deliverable_add,
    deliverable_decide,
    deliverable_submit,
    deliverable_version_add,
    project_save,
)
from tenants.models import Tenant
from tests.portal.demo_people import carla, contoso, frank, hana, mia, paula

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema."""


def draft_with_a_version(title: str = "Style guide") -> tuple[Deliverable, DeliverableVersion]:
    project = project_save(actor=actor_for(mia()), project=None, org=contoso(), name="Brand refresh")
    deliverable = deliverable_add(actor=actor_for(mia()), project=project, title=title)
    return deliverable, add_version(deliverable, b"Version one of the style guide.\n")


def add_version(deliverable: Deliverable, content: bytes) -> DeliverableVersion:
    deliverable.refresh_from_db()
    upload = SimpleUploadedFile("style-guide.txt", content)
    return deliverable_version_add(actor=actor_for(mia()), deliverable=deliverable, upload=upload)


def submit(deliverable: Deliverable) -> None:
    deliverable.refresh_from_db()
    deliverable_submit(actor=actor_for(mia()), deliverable=deliverable)


def decide(person: User, deliverable: Deliverable, version: DeliverableVersion, outcome: str, comment: str) -> Decision:
    deliverable.refresh_from_db()
    return deliverable_decide(
        actor=actor_for(person), deliverable=deliverable, version_id=version.pk, outcome=outcome, comment=comment
    )


def decided_twice() -> tuple[Deliverable, list[Decision]]:
    """Changes requested on version 1 by Paula, then version 2 approved by Carla."""
    deliverable, first = draft_with_a_version()
    submit(deliverable)
    asked = decide(paula(), deliverable, first, Outcome.CHANGES_REQUESTED, "Use the new logo.")
    second = add_version(deliverable, b"Version two, with the new logo.\n")
    submit(deliverable)
    approved = decide(carla(), deliverable, second, Outcome.APPROVED, "Ship it.")
    return deliverable, [asked, approved]


def record_url(deliverable: Deliverable) -> str:
    return reverse("engagements:deliverable_record", kwargs={"deliverable_id": deliverable.pk})


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_a_contact_who_sees_the_deliverable_downloads_a_record_naming_every_decision_and_its_file(
    as_user: SignIn, in_demo: Tenant
) -> None:
    deliverable, decisions = decided_twice()

    answer = as_user(frank()).get(record_url(deliverable))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="decision-record-{deliverable.pk}.pdf"'
    assert answer["Cache-Control"] == "private, no-store"
    assert answer.content.startswith(b"%PDF")
    text = pdf_text(answer.content)
    words = " ".join(text.split())
    for expected in ("Decision record", in_demo.name, "Contoso Retail", "Brand refresh", "Style guide"):
        assert expected in words
    for decision in decisions:
        assert decision.get_outcome_display() in words
        assert decision.decided_by_label in words
        assert decision.comment in words
        assert decision.sha256 == decision.version.sha256
        assert decision.sha256 in text  # whole, on one line
    assert words.index("Use the new logo.") < words.index("Ship it.")
    assert f"({in_demo.time_zone}) — decisions are immutable" in words


def test_the_page_offers_the_record_once_there_is_a_decision(as_user: SignIn) -> None:
    deliverable, first = draft_with_a_version()
    submit(deliverable)
    browser = as_user(frank())
    page = reverse("engagements:deliverable", kwargs={"deliverable_id": deliverable.pk})

    assert record_url(deliverable) not in browser.get(page).content.decode()
    decide(paula(), deliverable, first, Outcome.APPROVED, "")
    assert f'href="{record_url(deliverable)}"' in browser.get(page).content.decode()


def test_another_organisations_contact_gets_404_for_the_record(as_user: SignIn) -> None:
    deliverable, _ = decided_twice()
    nowhere = reverse("engagements:deliverable_record", kwargs={"deliverable_id": 0})

    assert as_user(hana()).get(record_url(deliverable)).status_code == 404
    assert as_user(frank()).get(nowhere).status_code == 404  # the same answer as for no deliverable at all


def test_a_drafts_record_is_404_for_contacts_and_staff_get_it(as_user: SignIn) -> None:
    deliverable, _ = draft_with_a_version()

    for person in (carla(), paula(), frank()):
        assert as_user(person).get(record_url(deliverable)).status_code == 404, person.email
    staff = as_user(mia()).get(record_url(deliverable))
    assert staff.status_code == 200
    assert "No decision yet." in pdf_text(staff.content)
