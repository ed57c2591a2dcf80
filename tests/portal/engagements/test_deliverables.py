"""Deliverables: staff add a deliverable (a draft, theirs alone), upload versions and submit the latest; a contact
whose role holds deliverables.approve approves it or requests changes, on the exact version submitted. Every other
move is refused with a clear error and changes nothing, and a decision, once made, is kept as it was: the database
stamps its time and refuses to change, delete or truncate it."""

import datetime
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.access.models import Role
from portal.access.policy import NotFound, actor_for
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg
from portal.engagements.models import (
    Decision,
    Deliverable,
    DeliverableState,
    DeliverableVersion,
    Outcome,
    Project,
)
from portal.engagements.selectors import deliverables_of, waiting_for_decision
from portal.engagements.services import (
    EngagementError,
    deliverable_add,
    deliverable_decide,
    deliverable_submit,
    deliverable_version_add,
    project_save,
)
from tenants.models import Tenant
from tests.portal.demo_people import carla, contoso, frank, hana, mia, olivia, paula, victor
from tests.portal.factories import ContactFactory

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema."""


# --- the demo portal's people and clients --------------------------------------------------------------------


def approver_by_custom_role() -> User:
    """A Contoso contact whose custom role holds only deliverables.approve and projects.view."""
    role = Role.objects.create(
        name="Sign-off", slug="sign-off", custom_capabilities=["deliverables.approve", "projects.view"]
    )
    contact: Any = ContactFactory(client_org=contoso(), role=role)
    return contact.user


def not_allowed_to_decide() -> list[User]:
    """Contoso contacts without deliverables.approve, Contoso's staff and another client's admin."""
    return [frank(), victor(), mia(), olivia(), hana()]


# --- making deliverables, as the pages do ----------------------------------------------------------------------


def upload(content: bytes, name: str = "style-guide.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def make_project(name: str = "Brand refresh") -> Project:
    return project_save(actor=actor_for(mia()), project=None, org=contoso(), name=name)


def draft(title: str = "Style guide", *, project: Project | None = None) -> Deliverable:
    return deliverable_add(actor=actor_for(mia()), project=project or make_project(), title=title)


def add_version(deliverable: Deliverable, content: bytes = b"Version one of the style guide.\n") -> DeliverableVersion:
    """As the page does: on the deliverable as it is now."""
    deliverable.refresh_from_db()
    return deliverable_version_add(actor=actor_for(mia()), deliverable=deliverable, upload=upload(content))


def submit(deliverable: Deliverable) -> Deliverable:
    return deliverable_submit(actor=actor_for(mia()), deliverable=deliverable)


def submitted(
    title: str = "Style guide", content: bytes = b"Version one of the style guide.\n", *, project: Project | None = None
) -> Deliverable:
    deliverable = draft(title, project=project)
    add_version(deliverable, content)
    return submit(deliverable)


def decide(
    person: User, deliverable: Deliverable, version: DeliverableVersion, outcome: str, comment: str = ""
) -> Decision:
    return deliverable_decide(
        actor=actor_for(person), deliverable=deliverable, version_id=version.pk, outcome=outcome, comment=comment
    )


def latest(deliverable: Deliverable) -> DeliverableVersion:
    found = deliverable.versions.order_by("-number").first()
    assert found is not None
    return found


def changes_requested_then_resubmitted() -> tuple[Deliverable, DeliverableVersion, DeliverableVersion]:
    """Version 1 submitted, changes requested on it, version 2 uploaded and submitted: (deliverable, v1, v2)."""
    deliverable = submitted()
    first = latest(deliverable)
    decide(paula(), deliverable, first, Outcome.CHANGES_REQUESTED, "Use the new logo.")
    second = add_version(deliverable, b"Version two, with the new logo.\n")
    return submit(deliverable), first, second


def state_of(deliverable: Deliverable) -> str:
    return Deliverable.objects.values_list("state", flat=True).get(pk=deliverable.pk)


def deliverable_verbs(deliverable: Deliverable) -> list[str]:
    events = ActivityEvent.objects.filter(target_type="engagements.deliverable", target_id=deliverable.pk)
    return list(events.order_by("id").values_list("verb", flat=True))


@contextmanager
def refused(
    deliverable: Deliverable, message: str | None, error: type[Exception] = EngagementError
) -> Iterator[pytest.ExceptionInfo[Exception]]:
    """The block raises `error` (with `message`) and leaves the deliverable's state, versions, decisions and
    events as they were."""

    def snapshot() -> tuple[object, ...]:
        return (
            state_of(deliverable),
            list(DeliverableVersion.objects.filter(deliverable=deliverable).values_list("pk", flat=True)),
            Decision.objects.count(),
            deliverable_verbs(deliverable),
        )

    before = snapshot()
    with pytest.raises(error, match=message) as info:
        yield info
    assert snapshot() == before


def text(response: Any) -> str:
    return response.content.decode()


def downloaded(response: Any) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def deliverable_url(deliverable: Deliverable) -> str:
    return reverse("engagements:deliverable", kwargs={"deliverable_id": deliverable.pk})


def decide_url(deliverable: Deliverable) -> str:
    return reverse("engagements:deliverable_decide", kwargs={"deliverable_id": deliverable.pk})


def file_url(version: DeliverableVersion) -> str:
    return reverse("engagements:deliverable_file", kwargs={"deliverable_version_id": version.pk})


def approvals_url(org: ClientOrg) -> str:
    return reverse("engagements:approvals", kwargs={"org_id": org.pk})


# --- services: the states ------------------------------------------------------------------------------------


def test_a_deliverable_goes_from_draft_to_submitted_to_changes_requested_and_with_a_new_version_to_approved() -> None:
    deliverable = draft()
    assert state_of(deliverable) == DeliverableState.DRAFT
    first = add_version(deliverable)

    submit(deliverable)
    assert state_of(deliverable) == DeliverableState.SUBMITTED
    asked = decide(paula(), deliverable, first, Outcome.CHANGES_REQUESTED, " Use the new logo. ")
    assert state_of(deliverable) == DeliverableState.CHANGES_REQUESTED
    second = add_version(deliverable, b"Version two, with the new logo.\n")
    resubmitted = submit(deliverable)
    assert state_of(deliverable) == DeliverableState.SUBMITTED
    approved = decide(carla(), deliverable, second, Outcome.APPROVED)

    assert state_of(deliverable) == DeliverableState.APPROVED
    assert resubmitted.submitted_at is not None
    assert (first.number, second.number) == (1, 2)
    assert [(d.version_id, d.outcome, d.decided_by_id, d.comment) for d in deliverable.decisions.order_by("pk")] == [
        (first.pk, Outcome.CHANGES_REQUESTED, paula().pk, "Use the new logo."),
        (second.pk, Outcome.APPROVED, carla().pk, ""),
    ]
    assert (asked.pk, approved.pk) == tuple(deliverable.decisions.order_by("pk").values_list("pk", flat=True))
    assert deliverable_verbs(deliverable) == [
        "deliverable.submitted",
        "deliverable.changes_requested",
        "deliverable.submitted",
        "deliverable.approved",
    ]


def test_a_draft_without_a_version_is_not_submitted() -> None:
    deliverable = draft()

    with refused(deliverable, "Add a version before submitting"):
        submit(deliverable)


def test_an_approved_or_already_submitted_deliverable_is_not_submitted_again() -> None:
    deliverable = submitted()

    with refused(deliverable, "“Waiting for a decision” cannot be submitted"):
        submit(deliverable)
    decide(carla(), deliverable, latest(deliverable), Outcome.APPROVED)
    with refused(deliverable, "“Approved” cannot be submitted"):
        submit(deliverable)


def test_after_changes_were_requested_the_deliverable_is_submitted_again_only_with_a_new_version() -> None:
    deliverable = submitted()
    decide(paula(), deliverable, latest(deliverable), Outcome.CHANGES_REQUESTED, "Bigger headings.")

    with refused(deliverable, "Add a new version with the changes before submitting again"):
        submit(deliverable)
    add_version(deliverable, b"Bigger headings.\n")

    assert submit(deliverable).state == DeliverableState.SUBMITTED


def test_a_draft_cannot_be_decided_on_it_is_not_there_for_contacts() -> None:
    deliverable = draft()
    version = add_version(deliverable)

    for person in (carla(), paula()):
        with refused(deliverable, None, error=NotFound):
            decide(person, deliverable, version, Outcome.APPROVED)


@pytest.mark.parametrize("outcome", [Outcome.APPROVED, Outcome.CHANGES_REQUESTED])
def test_a_decided_deliverable_is_not_decided_on_again(outcome: str) -> None:
    deliverable = submitted()
    version = latest(deliverable)
    decide(paula(), deliverable, version, outcome, "Looked at it.")
    shown = "Approved" if outcome == Outcome.APPROVED else "Changes requested"

    for again in (Outcome.APPROVED, Outcome.CHANGES_REQUESTED):
        with refused(deliverable, f"“{shown}” is not waiting for a decision"):
            decide(carla(), deliverable, version, again, "Me too.")


def test_a_decision_on_a_version_other_than_the_one_submitted_is_refused() -> None:
    deliverable, first, second = changes_requested_then_resubmitted()
    elsewhere = submitted("Logo files", b"Another deliverable's file.\n", project=deliverable.project)

    for stale in (first.pk, latest(elsewhere).pk, 0, second.pk + 10_000):
        with refused(deliverable, "A newer version was submitted meanwhile"):
            deliverable_decide(
                actor=actor_for(carla()), deliverable=deliverable, version_id=stale, outcome=Outcome.APPROVED
            )

    assert decide(carla(), deliverable, second, Outcome.APPROVED).version == second


@pytest.mark.parametrize("outcome", ["rejected", "", "APPROVED"])
def test_an_unknown_outcome_is_refused(outcome: str) -> None:
    deliverable = submitted()

    with refused(deliverable, "Approve it or request changes"):
        decide(carla(), deliverable, latest(deliverable), outcome, "Why not.")


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_changes_are_not_requested_without_saying_what_should_change(comment: str) -> None:
    deliverable = submitted()

    with refused(deliverable, "Say what should change") as error:
        decide(carla(), deliverable, latest(deliverable), Outcome.CHANGES_REQUESTED, comment)

    assert isinstance(error.value, EngagementError)
    assert error.value.field == "comment"


def test_no_version_is_added_while_submitted_or_once_approved() -> None:
    deliverable = submitted()

    with refused(deliverable, "A new version is added to a draft, or after changes were requested"):
        add_version(deliverable, b"Sneaked in.\n")
    decide(carla(), deliverable, latest(deliverable), Outcome.APPROVED)
    with refused(deliverable, "A new version is added to a draft, or after changes were requested"):
        add_version(deliverable, b"After the fact.\n")

    assert list(deliverable.versions.values_list("number", flat=True)) == [1]


def test_no_version_is_added_through_a_copy_of_the_deliverable_read_before_it_was_submitted() -> None:
    deliverable = draft()
    add_version(deliverable)
    read_before = Deliverable.objects.get(pk=deliverable.pk)  # a page opened while it was a draft
    submit(deliverable)

    with refused(deliverable, "A new version is added to a draft, or after changes were requested"):
        deliverable_version_add(actor=actor_for(mia()), deliverable=read_before, upload=upload(b"Sneaked in.\n"))

    assert list(deliverable.versions.values_list("number", flat=True)) == [1]


# --- services: who decides -----------------------------------------------------------------------------------


def test_only_contacts_whose_role_may_approve_decide() -> None:
    deliverable = submitted()
    version = latest(deliverable)

    for person in not_allowed_to_decide():
        for outcome, comment in ((Outcome.APPROVED, ""), (Outcome.CHANGES_REQUESTED, "No.")):
            with refused(deliverable, None, error=NotFound):
                decide(person, deliverable, version, outcome, comment)
    decision = decide(approver_by_custom_role(), deliverable, version, Outcome.APPROVED)

    assert decision.outcome == Outcome.APPROVED
    assert state_of(deliverable) == DeliverableState.APPROVED


@pytest.mark.parametrize("person", [carla, paula], ids=["client-admin", "project-lead"])
def test_client_admins_and_project_leads_decide_by_default(person: Callable[[], User]) -> None:
    deliverable = submitted()

    decide(person(), deliverable, latest(deliverable), Outcome.APPROVED)

    assert state_of(deliverable) == DeliverableState.APPROVED


def test_a_decision_records_the_exact_version_its_sha256_the_person_and_a_time_from_the_database() -> None:
    content = b"The exact bytes the client saw.\n"
    deliverable = submitted(content=content)
    version = latest(deliverable)
    before = timezone.now()

    made = decide(paula(), deliverable, version, Outcome.APPROVED, "Lovely.")

    decision = Decision.objects.get(pk=made.pk)
    assert decision.deliverable_id == deliverable.pk
    assert decision.version_id == version.pk
    assert decision.sha256 == version.sha256 == hashlib.sha256(content).hexdigest()
    assert (decision.decided_by_id, decision.decided_by_label) == (paula().pk, paula().get_full_name())
    assert decision.decided_by_label
    assert (decision.outcome, decision.comment) == (Outcome.APPROVED, "Lovely.")
    assert decision.decided_at is not None
    assert (
        before - datetime.timedelta(seconds=5) <= decision.decided_at <= timezone.now() + datetime.timedelta(seconds=5)
    )


def test_the_database_stamps_the_time_of_a_decision_whatever_the_application_says() -> None:
    deliverable = submitted()
    version = latest(deliverable)
    long_ago = timezone.now() - datetime.timedelta(days=400)

    made = Decision.objects.create(
        deliverable=deliverable, version=version, sha256=version.sha256, outcome=Outcome.APPROVED,
        decided_by_id=carla().pk, decided_by_label="Carla", decided_at=long_ago,
    )  # fmt: skip

    stamped = Decision.objects.get(pk=made.pk).decided_at
    assert abs(stamped - timezone.now()) < datetime.timedelta(minutes=1)


# --- the database: decisions are kept as they were -----------------------------------------------------------


def test_decisions_cannot_be_changed_deleted_or_truncated_nor_their_deliverable_deleted() -> None:
    deliverable = submitted()
    decision = decide(carla(), deliverable, latest(deliverable), Outcome.APPROVED, "As agreed.")
    kept = Decision.objects.filter(pk=decision.pk).values().get()
    table = connection.ops.quote_name(Decision._meta.db_table)

    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(comment="x")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(outcome=Outcome.CHANGES_REQUESTED, decided_at=timezone.now())
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).delete()
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Decision.objects.get(pk=decision.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")  # the runtime role may not even try; the owner: next test
    with pytest.raises((ProtectedError, DatabaseError)), transaction.atomic():
        Deliverable.objects.get(pk=deliverable.pk).delete()
    with pytest.raises((ProtectedError, DatabaseError)), transaction.atomic():
        Deliverable.objects.filter(pk=deliverable.pk).delete()

    assert Decision.objects.filter(pk=decision.pk).values().get() == kept
    assert state_of(deliverable) == DeliverableState.APPROVED
    assert Decision.objects.filter(deliverable=deliverable).count() == 1


def test_not_even_the_owner_role_may_rewrite_delete_or_truncate_decisions(owner_cursor: Any) -> None:
    """The demo's committed decisions, through the owner's own connection, each attempt rolled back."""
    table = f"{connection.ops.quote_name(connection.schema_name)}.engagements_decision"  # type: ignore[attr-defined]
    owner_cursor.execute(f"SELECT count(*), min(id) FROM {table}")  # noqa: S608 (identifiers only)
    count, some = owner_cursor.fetchone()
    assert count > 0  # the demo's decisions
    for statement in (
        f"UPDATE {table} SET comment = 'rewritten' WHERE id = {some:d}",  # noqa: S608
        f"DELETE FROM {table} WHERE id = {some:d}",  # noqa: S608
        f"TRUNCATE {table}",
    ):
        owner_cursor.execute("BEGIN")
        try:
            owner_cursor.execute("SET LOCAL lock_timeout = '5s'")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="immutable"):
                owner_cursor.execute(statement)
        finally:
            owner_cursor.execute("ROLLBACK")

    owner_cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
    assert owner_cursor.fetchone()[0] == count


# --- who sees a deliverable ----------------------------------------------------------------------------------


def test_a_draft_is_for_staff_only_until_it_is_submitted(as_user: SignIn) -> None:
    deliverable = draft("Secret draft")
    version = add_version(deliverable)
    project = deliverable.project

    for person in (carla(), paula(), frank(), victor()):
        browser = as_user(person)
        assert browser.get(deliverable_url(deliverable)).status_code == 404, person.email
        assert browser.get(file_url(version)).status_code == 404, person.email
        assert deliverable not in deliverables_of(actor_for(person), project)
        assert "Secret draft" not in text(browser.get(reverse("engagements:project", args=[project.pk])))
    assert as_user(mia()).get(deliverable_url(deliverable)).status_code == 200
    assert deliverable in deliverables_of(actor_for(mia()), project)

    submit(deliverable)

    for person in (carla(), paula(), frank(), victor()):
        browser = as_user(person)
        assert browser.get(deliverable_url(deliverable)).status_code == 200, person.email
        assert browser.get(file_url(version)).status_code == 200, person.email
        assert deliverable in deliverables_of(actor_for(person), project)
    assert as_user(hana()).get(deliverable_url(deliverable)).status_code == 404
    assert as_user(hana()).get(file_url(version)).status_code == 404


# --- pages: deciding -----------------------------------------------------------------------------------------


def test_an_approver_sees_the_decision_form_and_downloads_the_exact_version(as_user: SignIn) -> None:
    content = b"What the client downloads is what was uploaded.\n"
    deliverable = submitted(content=content)
    version = latest(deliverable)
    browser = as_user(carla())

    page = browser.get(deliverable_url(deliverable))
    download = browser.get(file_url(version))

    assert page.status_code == 200
    assert "Record my decision" in text(page)
    assert f'action="{decide_url(deliverable)}"' in text(page)
    assert f'name="version" value="{version.pk}"' in text(page)
    assert f'href="{file_url(version)}"' in text(page)
    assert download.status_code == 200
    assert downloaded(download) == content
    assert hashlib.sha256(content).hexdigest() == version.sha256
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"


def test_contacts_who_may_not_approve_see_the_deliverable_without_the_decision_form(as_user: SignIn) -> None:
    deliverable = submitted()

    for person in (frank(), victor(), mia()):
        page = as_user(person).get(deliverable_url(deliverable))
        assert page.status_code == 200, person.email
        assert "Style guide" in text(page)
        assert "Record my decision" not in text(page)
        assert decide_url(deliverable) not in text(page)


def test_approving_through_the_page_records_the_decision_on_the_version_shown(as_user: SignIn) -> None:
    deliverable = submitted()
    version = latest(deliverable)

    answer = as_user(paula()).post(
        decide_url(deliverable), {"version": str(version.pk), "outcome": "approved", "comment": "Go ahead."}
    )

    assert answer.status_code == 302
    assert answer["Location"] == deliverable_url(deliverable)
    assert state_of(deliverable) == DeliverableState.APPROVED
    decision = Decision.objects.get(deliverable=deliverable)
    assert (decision.version_id, decision.sha256, decision.decided_by_id) == (version.pk, version.sha256, paula().pk)
    page = as_user(frank()).get(deliverable_url(deliverable))
    assert "Go ahead." in text(page)
    assert decision.sha256[:16] in text(page)


def test_requesting_changes_through_the_page_needs_a_comment(as_user: SignIn) -> None:
    deliverable = submitted()
    version = latest(deliverable)
    browser = as_user(carla())

    empty = browser.post(decide_url(deliverable), {"version": str(version.pk), "outcome": "changes_requested"})
    assert empty.status_code == 400
    assert "Say what should change." in text(empty)
    assert state_of(deliverable) == DeliverableState.SUBMITTED
    asked = browser.post(
        decide_url(deliverable),
        {"version": str(version.pk), "outcome": "changes_requested", "comment": "Darker blue."},
    )

    assert asked.status_code == 302
    assert state_of(deliverable) == DeliverableState.CHANGES_REQUESTED
    assert list(deliverable.decisions.values_list("comment", flat=True)) == ["Darker blue."]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"version": "stale", "outcome": "approved"}, "A newer version was submitted meanwhile"),
        ({"version": "", "outcome": "approved"}, "A newer version was submitted meanwhile"),
        ({"version": "²", "outcome": "approved"}, "A newer version was submitted meanwhile"),
        ({"version": "current", "outcome": "rejected"}, "Select a valid choice."),
    ],
    ids=["stale-version", "no-version", "superscript-digit", "unknown-outcome"],
)
def test_a_decision_on_a_stale_version_or_with_an_unknown_outcome_answers_400_and_records_nothing(
    as_user: SignIn, data: dict[str, str], error: str
) -> None:
    deliverable, first, second = changes_requested_then_resubmitted()
    named = {"stale": str(first.pk), "current": str(second.pk)}
    data = data | {"version": named.get(data["version"], data["version"])}

    answer = as_user(carla()).post(decide_url(deliverable), data)

    assert answer.status_code == 400
    assert error in text(answer)
    assert state_of(deliverable) == DeliverableState.SUBMITTED
    assert deliverable.decisions.count() == 1


def test_those_who_may_not_decide_get_404_from_the_decision_page(as_user: SignIn) -> None:
    deliverable = submitted()
    version = latest(deliverable)

    for person in not_allowed_to_decide():
        answer = as_user(person).post(decide_url(deliverable), {"version": str(version.pk), "outcome": "approved"})
        assert answer.status_code == 404, person.email

    assert state_of(deliverable) == DeliverableState.SUBMITTED
    assert not deliverable.decisions.exists()
    custom = as_user(approver_by_custom_role())
    assert custom.post(decide_url(deliverable), {"version": str(version.pk), "outcome": "approved"}).status_code == 302
    assert state_of(deliverable) == DeliverableState.APPROVED


def test_the_approvals_page_lists_what_waits_for_a_decision_to_those_who_may_approve(as_user: SignIn) -> None:
    project = make_project()
    waiting = draft("Waiting one", project=project)
    add_version(waiting)
    submit(waiting)
    still_draft = draft("Still a draft", project=project)
    done = draft("Already approved", project=project)
    add_version(done)
    submit(done)
    decide(carla(), done, latest(done), Outcome.APPROVED)

    page = as_user(carla()).get(approvals_url(contoso()))

    assert page.status_code == 200
    assert "Waiting one" in text(page)
    assert f'href="{deliverable_url(waiting)}"' in text(page)
    assert "Still a draft" not in text(page)
    assert "Already approved" not in text(page)
    listed = waiting_for_decision(actor_for(paula()), contoso())
    assert waiting in listed
    assert still_draft not in listed
    assert done not in listed
    for person in (frank(), victor(), hana()):
        assert as_user(person).get(approvals_url(contoso())).status_code == 404, person.email
        assert not waiting_for_decision(actor_for(person), contoso()).exists()


# --- pages: the staff's forms --------------------------------------------------------------------------------


def test_staff_add_a_deliverable_upload_a_version_and_submit_it_through_the_pages(as_user: SignIn) -> None:
    project = make_project()
    browser = as_user(mia())
    content = b"Uploaded through the page.\n"

    created = browser.post(
        reverse("engagements:deliverable_new", kwargs={"project_id": project.pk}), {"title": "Tone of voice"}
    )
    deliverable = Deliverable.objects.get(project=project, title="Tone of voice")
    too_early = browser.post(
        reverse("engagements:deliverable_submit", kwargs={"deliverable_id": deliverable.pk}), follow=True
    )
    assert "Add a version before submitting." in text(too_early)
    assert state_of(deliverable) == DeliverableState.DRAFT
    uploaded = browser.post(
        reverse("engagements:deliverable_version", kwargs={"deliverable_id": deliverable.pk}),
        {"file": upload(content, "tone.txt")},
    )
    sent = browser.post(reverse("engagements:deliverable_submit", kwargs={"deliverable_id": deliverable.pk}))

    for answer in (created, uploaded, sent):
        assert answer.status_code == 302
        assert answer["Location"] == deliverable_url(deliverable)
    version = latest(deliverable)
    assert (version.number, version.original_name, version.size) == (1, "tone.txt", len(content))
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.uploaded_by == mia()
    assert state_of(deliverable) == DeliverableState.SUBMITTED
    assert downloaded(as_user(carla()).get(file_url(version))) == content


def test_a_version_upload_to_a_submitted_deliverable_answers_400_with_the_error(as_user: SignIn) -> None:
    deliverable = submitted()

    answer = as_user(mia()).post(
        reverse("engagements:deliverable_version", kwargs={"deliverable_id": deliverable.pk}),
        {"file": upload(b"Too late.\n")},
    )

    assert answer.status_code == 400
    assert "A new version is added to a draft, or after changes were requested." in text(answer)
    assert deliverable.versions.count() == 1


def test_contacts_get_404_on_every_staff_form_of_deliverables(as_user: SignIn) -> None:
    project = make_project()
    deliverable = draft(project=project)
    add_version(deliverable)
    submit(deliverable)
    decide(carla(), deliverable, latest(deliverable), Outcome.CHANGES_REQUESTED, "Again, please.")
    before = (state_of(deliverable), deliverable.versions.count(), Deliverable.objects.filter(project=project).count())

    for person in (carla(), paula(), frank(), victor(), hana()):
        browser = as_user(person)
        for name, kwargs, data in (
            ("deliverable_new", {"project_id": project.pk}, {"title": "Theirs"}),
            ("deliverable_version", {"deliverable_id": deliverable.pk}, {"file": upload(b"Theirs.\n")}),
            ("deliverable_submit", {"deliverable_id": deliverable.pk}, {}),
        ):
            assert browser.post(reverse(f"engagements:{name}", kwargs=kwargs), data).status_code == 404, (
                person.email,
                name,
            )

    after = (state_of(deliverable), deliverable.versions.count(), Deliverable.objects.filter(project=project).count())
    assert after == before
    assert not Deliverable.objects.filter(title="Theirs").exists()
