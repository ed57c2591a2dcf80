"""Submitting a request: every answer validated against the form version the contact was shown (with an error on
its field and nothing saved when refused), files checked like every upload and served only to those who see the
request, versioned forms (old requests keep their version's fields), routing, and who may submit."""

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg
from portal.requests.models import (
    Assignment,
    ClientRequest,
    FieldKind,
    FormVersion,
    QuarantinedRequestFile,
    RequestFile,
    RequestType,
    RoutingRule,
    StatusChange,
)
from portal.requests.services import (
    RequestError,
    request_submit,
    request_type_archive,
    request_type_save,
    route,
    routing_rule_move,
    routing_rule_save,
)
from tenants.models import Tenant
from tests.portal.demo_people import adam, contoso, fabrikam, mia, paula, user
from tests.portal.factories import StaffFactory
from tests.portal.requests.support import make_type, owner, submit

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]

KEY = "answer"
LABEL = "The answer"
REQUIRED = "This field is required."
CHOICES = ["Low", "High"]
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema (the services too, not only the pages)."""


def staff_member() -> User:
    membership: Any = StaffFactory()
    return membership.user


def submit_url(request_type: RequestType, org: ClientOrg | None = None) -> str:
    return reverse("requests:submit", kwargs={"org_id": (org or contoso()).pk, "type_id": request_type.pk})


def one_field_type(kind: str, **options: Any) -> RequestType:
    field = {"key": KEY, "label": LABEL, "kind": kind, "required": True}
    if kind in ("choice", "multiple_choice"):
        field["choices"] = CHOICES
    return make_type(f"One {kind}", fields=[field], **options)


def counts() -> dict[str, int]:
    return {
        "requests": ClientRequest.objects.count(),
        "changes": StatusChange.objects.count(),
        "files": RequestFile.objects.count(),
        "quarantined": QuarantinedRequestFile.objects.count(),
        "events": ActivityEvent.objects.count(),
    }


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(Path(folder) / name) for folder, _dirs, names in os.walk(root) for name in names}


# --- every kind of field refuses a missing or invalid answer ----------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    kind: str
    name: str
    value: Any  # None: not sent at all; bytes: a file named by `filename`
    error: str
    filename: str = "upload.txt"

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.name}"


REFUSALS = [
    Refusal("short_text", "missing", None, REQUIRED),
    Refusal("short_text", "blank", "   ", REQUIRED),
    Refusal("short_text", "too-long", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    Refusal("long_text", "missing", None, REQUIRED),
    Refusal("long_text", "too-long", "x" * 10_001, "Ensure this value has at most 10000 characters (it has 10001)."),
    Refusal("number", "missing", None, REQUIRED),
    Refusal("number", "words", "twelve", "Enter a number."),
    Refusal("number", "three-decimals", "1.234", "Ensure that there are no more than 2 decimal places."),
    Refusal("date", "missing", None, REQUIRED),
    Refusal("date", "no-such-day", "2026-02-30", "Enter a valid date."),
    Refusal("date", "words", "next tuesday", "Enter a valid date."),
    Refusal("choice", "missing", None, REQUIRED),
    Refusal("choice", "empty", "", REQUIRED),
    Refusal("choice", "not-a-choice", "Medium", "Select a valid choice. Medium is not one of the available choices."),
    Refusal("choice", "wrong-case", "high", "Select a valid choice. high is not one of the available choices."),
    Refusal("multiple_choice", "missing", None, REQUIRED),
    Refusal(
        "multiple_choice",
        "not-a-choice",
        ["Low", "Medium"],
        "Select a valid choice. Medium is not one of the available choices.",
    ),
    Refusal("checkbox", "missing", None, REQUIRED),
    Refusal("checkbox", "unticked", "false", REQUIRED),
    Refusal("file", "missing", None, REQUIRED),
    Refusal("file", "empty", b"", "The submitted file is empty."),
    Refusal("file", "program", MZ, "evil.exe: this kind of file is not accepted.", filename="evil.exe"),
    Refusal("file", "program-named-as-text", MZ, "notes.txt: this kind of file is not accepted.", filename="notes.txt"),
    Refusal(
        "file",
        "text-named-as-pdf",
        b"plain words\n",
        "report.pdf: the name says .pdf but the content is not that kind of file.",
        filename="report.pdf",
    ),
    Refusal("email", "missing", None, REQUIRED),
    Refusal("email", "not-an-address", "carla at contoso", "Enter a valid email address."),
    Refusal("url", "missing", None, REQUIRED),
    Refusal("url", "not-an-address", "not a web address", "Enter a valid URL."),
]


def test_every_field_kind_has_refusal_cases() -> None:
    assert {refusal.kind for refusal in REFUSALS} == set(FieldKind.values)


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda refusal: refusal.id)
def test_a_missing_or_invalid_answer_is_refused_on_its_field_and_nothing_is_saved(
    as_user: SignIn, refusal: Refusal
) -> None:
    request_type = one_field_type(refusal.kind)
    version = request_type.current_version
    assert version is not None
    data: dict[str, Any] = {"version": version.pk, "subject": "Please help"}
    if isinstance(refusal.value, bytes):
        data[KEY] = SimpleUploadedFile(refusal.filename, refusal.value)
    elif refusal.value is not None:
        data[KEY] = refusal.value
    browser = as_user(paula())
    before, files_before = counts(), stored_files()

    response = browser.post(submit_url(request_type), data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [KEY]
    assert refusal.error in errors[KEY]
    assert escape(refusal.error) in response.content.decode()
    assert counts() == before
    assert stored_files() == files_before


def test_a_missing_subject_is_refused_and_nothing_is_saved(as_user: SignIn) -> None:
    request_type = one_field_type("short_text")
    browser = as_user(paula())
    before = counts()

    response = browser.post(
        submit_url(request_type), {"version": request_type.current_version_id, "subject": " ", KEY: "Hello"}
    )

    assert response.status_code == 400
    assert REQUIRED in response.context["form"].errors["subject"]
    assert counts() == before


# --- a valid submission ------------------------------------------------------------------------------------------


EVERY_KIND: list[dict[str, Any]] = [
    {"key": "title", "label": "Title", "kind": "short_text", "required": True},
    {"key": "details", "label": "Details", "kind": "long_text"},
    {"key": "budget", "label": "Budget", "kind": "number"},
    {"key": "deadline", "label": "Deadline", "kind": "date"},
    {"key": "impact", "label": "Impact", "kind": "choice", "choices": CHOICES},
    {"key": "areas", "label": "Areas", "kind": "multiple_choice", "choices": ["Web", "Mobile", "Shop"]},
    {"key": "urgent", "label": "Urgent", "kind": "checkbox"},
    {"key": "contact", "label": "Who to ask", "kind": "email"},
    {"key": "page", "label": "Page", "kind": "url"},
    {"key": "specification", "label": "Specification", "kind": "file", "required": True},
]


def test_a_valid_submission_stores_the_answers_under_their_keys_and_the_file_for_those_who_see_it(
    as_user: SignIn,
) -> None:
    request_type = make_type("Everything", fields=EVERY_KIND)
    browser = as_user(paula())
    data = {
        "version": request_type.current_version_id, "subject": "  New landing page ", "title": "Landing page",
        "details": "Two columns\nand a footer", "budget": "1200", "deadline": "2026-03-31", "impact": "High",
        "areas": ["Web", "Shop"], "urgent": "on", "contact": "carla.admin@contoso.example",
        "page": "contoso.example/new", "specification": SimpleUploadedFile("spec.txt", b"The spec\n"),
    }  # fmt: skip

    response = browser.post(submit_url(request_type), data)

    created = ClientRequest.objects.get(request_type=request_type)
    assert response.status_code == 302
    assert response["Location"] == reverse("requests:detail", kwargs={"request_id": created.pk})
    assert created.subject == "New landing page"
    assert created.form_version_id == request_type.current_version_id
    assert created.requester == paula()
    assert created.client_org == contoso()
    assert created.answers == {
        "title": "Landing page", "details": "Two columns\nand a footer", "budget": "1200", "deadline": "2026-03-31",
        "impact": "High", "areas": ["Web", "Shop"], "urgent": True, "contact": "carla.admin@contoso.example",
        "page": "https://contoso.example/new", "specification": "spec.txt",
    }  # fmt: skip
    assert list(created.changes.values_list("from_status", "to_status")) == [("", "new")]
    assert ActivityEvent.objects.filter(verb="request.submitted", target_id=created.pk).count() == 1
    [stored] = created.files.all()
    assert (stored.field_key, stored.original_name, stored.size, stored.content_type) == (
        "specification", "spec.txt", 9, "text/plain"
    )  # fmt: skip

    download = browser.get(reverse("requests:file", kwargs={"file_id": stored.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"The spec\n"  # type: ignore[attr-defined]
    page = browser.get(reverse("requests:detail", kwargs={"request_id": created.pk}))
    assert page.status_code == 200
    assert reverse("requests:file", kwargs={"file_id": stored.pk}) in page.content.decode()
    stranger = as_user(user("hana.admin@fabrikam.example"))
    assert stranger.get(reverse("requests:file", kwargs={"file_id": stored.pk})).status_code == 404


def test_a_number_answer_is_stored_as_typed_in_plain_digits(as_user: SignIn) -> None:
    request_type = make_type("Numbers", fields=[{"key": "amount", "label": "Amount", "kind": "number"}])
    browser = as_user(paula())
    stored = []
    for typed in ("1200", "10", "1200.00", "0.5", "-3"):
        response = browser.post(
            submit_url(request_type), {"version": request_type.current_version_id, "subject": typed, "amount": typed}
        )
        assert response.status_code == 302
        stored.append(ClientRequest.objects.get(subject=typed).answers["amount"])

    assert stored == ["1200", "10", "1200", "0.5", "-3"]


def test_optional_fields_left_empty_are_stored_empty(as_user: SignIn) -> None:
    request_type = make_type("Optional", fields=[{**field, "required": False} for field in EVERY_KIND])

    response = as_user(paula()).post(
        submit_url(request_type), {"version": request_type.current_version_id, "subject": "Nothing else"}
    )

    assert response.status_code == 302
    created = ClientRequest.objects.get(request_type=request_type)
    assert created.answers == {
        "title": "", "details": "", "budget": "", "deadline": "", "impact": "", "areas": [], "urgent": False,
        "contact": "", "page": "",
    }  # fmt: skip
    assert not created.files.exists()


# --- form versions -----------------------------------------------------------------------------------------------


def save_form(request_type: RequestType, fields: list[dict[str, Any]]) -> RequestType:
    return request_type_save(
        actor=actor_for(owner()), request_type=request_type, name=request_type.name,
        description=request_type.description, all_clients=request_type.all_clients, client_orgs=[],
        assign_to=request_type.assign_to, default_assignee=request_type.default_assignee,
        first_response_hours=request_type.first_response_hours, resolution_hours=request_type.resolution_hours,
        fields=fields,
    )  # fmt: skip


VERSION_ONE: list[dict[str, Any]] = [
    {"key": "impact", "label": "Impact", "kind": "choice", "required": True, "choices": CHOICES},
    {"key": "budget", "label": "Budget", "kind": "number"},
    {"key": "details", "label": "Details", "kind": "long_text"},
]


def test_answers_sent_against_a_form_that_changed_since_it_was_shown_are_refused(as_user: SignIn) -> None:
    request_type = make_type("Versioned", fields=VERSION_ONE)
    browser = as_user(paula())
    shown = browser.get(submit_url(request_type))
    shown_version = shown.context["version"]
    assert shown_version.number == 1
    renamed = [{**VERSION_ONE[0], "label": "Business impact"}, *VERSION_ONE[1:]]
    request_type = save_form(request_type, renamed)
    assert request_type.current_version is not None
    assert request_type.current_version.number == 2
    before = counts()

    response = browser.post(
        submit_url(request_type), {"version": shown_version.pk, "subject": "Old form", "impact": "High"}
    )

    assert response.status_code == 400
    message = "This form has just been changed: check your answers and send it again."
    assert message in response.context["form"].non_field_errors()
    assert escape(message) in response.content.decode()
    assert response.context["version"] == request_type.current_version  # shown again, as it now is
    assert counts() == before


def test_answers_sent_against_a_form_that_gained_a_required_field_are_refused(as_user: SignIn) -> None:
    request_type = make_type("Versioned", fields=VERSION_ONE)
    browser = as_user(paula())
    shown_version = browser.get(submit_url(request_type)).context["version"]
    request_type = save_form(request_type, [*VERSION_ONE, {"key": "owner", "label": "Owner", "kind": "email",
                                                           "required": True}])  # fmt: skip
    before = counts()

    response = browser.post(
        submit_url(request_type), {"version": shown_version.pk, "subject": "Old form", "impact": "High"}
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert REQUIRED in form.errors["owner"]
    assert counts() == before


@pytest.mark.parametrize("version", ["", "not-a-number"])
def test_answers_sent_without_the_version_shown_are_refused(as_user: SignIn, version: str) -> None:
    request_type = make_type("Versioned", fields=VERSION_ONE)
    browser = as_user(paula())
    before = counts()

    response = browser.post(submit_url(request_type), {"version": version, "subject": "Which form?", "impact": "High"})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert counts() == before


def test_a_request_keeps_the_fields_of_its_version_after_they_are_renamed_or_removed(as_user: SignIn) -> None:
    request_type = make_type("Versioned", fields=VERSION_ONE)
    old = submit(paula(), request_type, answers={"impact": "High", "budget": "1250", "details": "Soon"})
    request_type = save_form(
        request_type,
        [
            {**VERSION_ONE[0], "label": "Business impact"},  # renamed: keeps its key
            VERSION_ONE[2],  # Budget removed
            {"label": "Budget", "kind": "short_text"},  # a new field with the removed one's label
        ],
    )
    new_version = request_type.current_version
    assert new_version is not None
    assert [field["key"] for field in new_version.fields] == ["impact", "details", "budget_2"]
    browser = as_user(paula())

    old_page = browser.get(reverse("requests:detail", kwargs={"request_id": old.pk}))

    assert old_page.status_code == 200
    shown = [(row["label"], row["value"]) for row in old_page.context["answers"]]
    assert shown == [("Impact", "High"), ("Budget", "1250"), ("Details", "Soon")]
    assert "Business impact" not in old_page.content.decode()
    assert "1250" in old_page.content.decode()

    response = browser.post(
        submit_url(request_type),
        {"version": new_version.pk, "subject": "New form", "impact": "Low", "details": "Later", "budget_2": "a lot"},
    )
    assert response.status_code == 302
    new = ClientRequest.objects.get(subject="New form")
    assert new.form_version == new_version
    assert new.answers == {"impact": "Low", "details": "Later", "budget_2": "a lot"}
    new_page = browser.get(reverse("requests:detail", kwargs={"request_id": new.pk}))
    shown = [(row["label"], row["value"]) for row in new_page.context["answers"]]
    assert shown == [("Business impact", "Low"), ("Details", "Later"), ("Budget", "a lot")]
    old.refresh_from_db()
    assert old.form_version.number == 1


def test_an_answer_under_a_key_its_version_does_not_define_is_still_shown(as_user: SignIn) -> None:
    request_type = make_type("Versioned", fields=VERSION_ONE)
    old = submit(paula(), request_type, answers={"impact": "High", "budget": "", "details": ""})
    ClientRequest.objects.filter(pk=old.pk).update(answers={**old.answers, "legacy": "Kept"})

    page = as_user(paula()).get(reverse("requests:detail", kwargs={"request_id": old.pk}))

    assert ("legacy", "Kept") in [(row["label"], row["value"]) for row in page.context["answers"]]


def type_form_data(request_type: RequestType, rows: list[dict[str, Any]], initial: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": request_type.name, "description": "", "all_clients": "on", "assign_to": Assignment.ACCOUNT_MANAGER,
        "default_assignee": "", "first_response_hours": "4", "resolution_hours": "16",
        "fields-TOTAL_FORMS": str(len(rows)), "fields-INITIAL_FORMS": str(initial), "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for number, row in enumerate(rows):
        for name in ("key", "label", "kind", "help", "choices", "ORDER"):
            data[f"fields-{number}-{name}"] = str(row.get(name, ""))
        if row.get("required"):
            data[f"fields-{number}-required"] = "on"
        if row.get("DELETE"):
            data[f"fields-{number}-DELETE"] = "on"
    return data


def test_editing_the_form_on_its_page_makes_a_new_version_in_the_order_given_and_an_unchanged_save_keeps_it(
    as_user: SignIn,
) -> None:
    request_type = make_type("Versioned", fields=VERSION_ONE)
    browser = as_user(owner())
    url = reverse("requests:type_edit", kwargs={"type_id": request_type.pk})
    assert browser.get(url).status_code == 200
    impact = {"key": "impact", "label": "Impact", "kind": "choice", "required": True, "choices": "Low\nHigh"}
    budget = {"key": "budget", "label": "Budget", "kind": "number"}
    details = {"key": "details", "label": "Details", "kind": "long_text"}
    rows: list[dict[str, Any]] = [
        {**impact, "ORDER": 3},
        {**budget, "ORDER": 2, "DELETE": True},
        {**details, "ORDER": 1},
        {"label": "Deadline", "kind": "date", "ORDER": 2},  # a new row
        {"label": "", "kind": "short_text"},  # an empty extra row
    ]

    response = browser.post(url, type_form_data(request_type, rows, initial=3))

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    request_type.refresh_from_db()
    version = request_type.current_version
    assert version is not None
    assert version.number == 2
    assert [(field["key"], field["label"]) for field in version.fields] == [
        ("details", "Details"), ("deadline", "Deadline"), ("impact", "Impact")
    ]  # fmt: skip
    assert version.fields[2]["choices"] == CHOICES

    unchanged: list[dict[str, Any]] = [
        {**details, "ORDER": 1},
        {"key": "deadline", "label": "Deadline", "kind": "date", "ORDER": 2},
        {**impact, "ORDER": 3},
    ]
    response = browser.post(url, type_form_data(request_type, unchanged, initial=3))

    assert response.status_code == 302
    request_type.refresh_from_db()
    assert request_type.current_version == version
    assert FormVersion.objects.filter(request_type=request_type).count() == 2


# --- routing -----------------------------------------------------------------------------------------------------


def add_rule(assignee: User, *, request_type: RequestType | None = None, client_org: ClientOrg | None = None,
             field_key: str = "", value: str = "") -> RoutingRule:  # fmt: skip
    return routing_rule_save(
        actor=actor_for(owner()), rule=None, request_type=request_type, client_org=client_org, field_key=field_key,
        value=value, assignee=assignee,
    )  # fmt: skip


ROUTED: list[dict[str, Any]] = [
    {"key": "impact", "label": "Impact", "kind": "choice", "required": True, "choices": CHOICES},
    {"key": "areas", "label": "Areas", "kind": "multiple_choice", "choices": ["Web", "Mobile"]},
    {"key": "budget", "label": "Budget", "kind": "number"},
]


def test_without_rules_a_request_goes_to_the_clients_account_manager() -> None:
    request_type = make_type("Routed", fields=ROUTED)

    assert route(request_type, contoso(), {"impact": "High"}) == mia()
    assert route(request_type, fabrikam(), {"impact": "High"}) == adam()
    assert submit(paula(), request_type, answers={"impact": "Low"}).assignee == mia()


def test_without_rules_a_type_for_a_chosen_person_goes_to_them() -> None:
    chosen = staff_member()
    request_type = make_type("Routed", fields=ROUTED, assign_to=Assignment.PERSON, default_assignee=chosen)

    assert route(request_type, contoso(), {}) == chosen
    assert submit(paula(), request_type, answers={"impact": "Low"}).assignee == chosen


def test_a_rule_on_the_type_routes_that_type_only() -> None:
    routed, other = make_type("Routed", fields=ROUTED), make_type("Other", fields=ROUTED)
    specialist = staff_member()
    add_rule(specialist, request_type=routed)

    assert route(routed, contoso(), {}) == specialist
    assert route(routed, fabrikam(), {}) == specialist
    assert route(other, contoso(), {}) == mia()
    assert submit(paula(), routed, answers={"impact": "Low"}).assignee == specialist


def test_a_rule_on_the_client_routes_that_clients_requests_only() -> None:
    request_type = make_type("Routed", fields=ROUTED)
    specialist = staff_member()
    add_rule(specialist, client_org=fabrikam())

    assert route(request_type, fabrikam(), {}) == specialist
    assert route(request_type, contoso(), {}) == mia()


def test_a_rule_on_a_choice_answer_matches_the_value_whatever_its_case() -> None:
    request_type = make_type("Routed", fields=ROUTED)
    specialist = staff_member()
    add_rule(specialist, request_type=request_type, field_key="impact", value=" high ")

    assert route(request_type, contoso(), {"impact": "High"}) == specialist
    assert route(request_type, contoso(), {"impact": "Low"}) == mia()
    assert route(request_type, contoso(), {}) == mia()
    assert submit(paula(), request_type, answers={"impact": "High"}).assignee == specialist
    assert submit(paula(), request_type, answers={"impact": "Low"}).assignee == mia()


def test_a_rule_on_a_multiple_choice_answer_matches_when_the_value_is_among_those_chosen() -> None:
    request_type = make_type("Routed", fields=ROUTED)
    specialist = staff_member()
    add_rule(specialist, request_type=request_type, field_key="areas", value="MOBILE")

    assert route(request_type, contoso(), {"areas": ["Web", "Mobile"]}) == specialist
    assert route(request_type, contoso(), {"areas": ["Mobile"]}) == specialist
    assert route(request_type, contoso(), {"areas": ["Web"]}) == mia()
    assert route(request_type, contoso(), {"areas": []}) == mia()


def test_a_rule_on_a_number_answer_matches_the_number_as_typed_on_the_form(as_user: SignIn) -> None:
    request_type = make_type("Routed", fields=ROUTED)
    specialist = staff_member()
    add_rule(specialist, request_type=request_type, field_key="budget", value="1200")

    response = as_user(paula()).post(
        submit_url(request_type),
        {"version": request_type.current_version_id, "subject": "Big", "impact": "Low", "budget": "1200"},
    )

    assert response.status_code == 302
    assert ClientRequest.objects.get(subject="Big").assignee == specialist


def test_a_rule_on_a_checkbox_answer_matches_yes_or_no() -> None:
    fields = [*ROUTED, {"key": "urgent", "label": "Urgent", "kind": "checkbox"}]
    request_type = make_type("Routed", fields=fields)
    specialist = staff_member()
    add_rule(specialist, request_type=request_type, field_key="urgent", value="Yes")

    assert route(request_type, contoso(), {"urgent": True}) == specialist
    assert route(request_type, contoso(), {"urgent": False}) == mia()


def test_rules_are_tried_in_order_and_the_first_that_matches_wins() -> None:
    request_type = make_type("Routed", fields=ROUTED)
    first, second = staff_member(), staff_member()
    broad = add_rule(first, client_org=contoso())
    narrow = add_rule(second, request_type=request_type, field_key="impact", value="High")

    assert route(request_type, contoso(), {"impact": "High"}) == first

    routing_rule_move(actor=actor_for(owner()), rule=narrow, up=True)

    mine = RoutingRule.objects.filter(pk__in=[broad.pk, narrow.pk]).order_by("position", "pk")
    assert list(mine.values_list("pk", flat=True)) == [narrow.pk, broad.pk]
    assert route(request_type, contoso(), {"impact": "High"}) == second
    assert route(request_type, contoso(), {"impact": "Low"}) == first
    assert route(request_type, fabrikam(), {"impact": "Low"}) == adam()


def test_a_rule_naming_someone_no_longer_active_is_skipped() -> None:
    request_type = make_type("Routed", fields=ROUTED)
    gone, backup = staff_member(), staff_member()
    add_rule(gone, request_type=request_type)
    add_rule(backup, request_type=request_type, field_key="impact", value="High")
    User.objects.filter(pk=gone.pk).update(is_active=False)

    assert route(request_type, contoso(), {"impact": "High"}) == backup
    assert route(request_type, contoso(), {"impact": "Low"}) == mia()


# --- who may submit ----------------------------------------------------------------------------------------------


def test_a_contact_without_requests_create_cannot_open_or_send_the_form(as_user: SignIn) -> None:
    request_type = one_field_type("short_text")
    viewer = as_user(user("victor.viewer@contoso.example"))
    before = counts()

    assert viewer.get(reverse("requests:new", kwargs={"org_id": contoso().pk})).status_code == 404
    assert viewer.get(submit_url(request_type)).status_code == 404
    sent = viewer.post(
        submit_url(request_type), {"version": request_type.current_version_id, "subject": "Hi", KEY: "x"}
    )
    assert sent.status_code == 404
    assert counts() == before


def test_a_contact_cannot_send_a_request_for_another_organisation(as_user: SignIn) -> None:
    request_type = one_field_type("short_text")
    browser = as_user(paula())
    before = counts()

    response = browser.post(
        submit_url(request_type, fabrikam()), {"version": request_type.current_version_id, "subject": "Hi", KEY: "x"}
    )

    assert response.status_code == 404
    assert counts() == before


def test_a_type_not_offered_to_the_organisation_cannot_be_used(as_user: SignIn) -> None:
    for_fabrikam = one_field_type("short_text", all_clients=False, client_orgs=[fabrikam()])
    withdrawn = make_type("Withdrawn", fields=[{"key": KEY, "label": LABEL, "kind": "short_text"}])
    request_type_archive(actor=actor_for(owner()), request_type=withdrawn, archived=True)
    browser = as_user(paula())
    before = counts()

    offered = browser.get(reverse("requests:new", kwargs={"org_id": contoso().pk})).context["types"]
    assert for_fabrikam not in offered
    assert withdrawn not in offered
    for request_type in (for_fabrikam, withdrawn):
        assert browser.get(submit_url(request_type)).status_code == 404
        sent = browser.post(
            submit_url(request_type), {"version": request_type.current_version_id, "subject": "Hi", KEY: "x"}
        )
        assert sent.status_code == 404
    assert counts() == before
    hana = as_user(user("hana.admin@fabrikam.example"))
    assert hana.get(submit_url(for_fabrikam, fabrikam())).status_code == 200


def test_staff_cannot_send_requests(as_user: SignIn) -> None:
    request_type = one_field_type("short_text")
    browsers = [as_user(mia()), as_user(owner())]
    before = counts()

    for browser in browsers:
        response = browser.post(
            submit_url(request_type), {"version": request_type.current_version_id, "subject": "Hi", KEY: "x"}
        )
        assert response.status_code == 404
    assert counts() == before


def test_a_form_changed_while_it_was_open_is_shown_again_with_a_message_and_saves_nothing(
    in_demo: Any, as_user: Callable[[Any], Client]
) -> None:
    first = make_type(f"Changing {uuid.uuid4().hex[:6]}", fields=[{"label": "Details", "kind": "long_text"}])
    shown = first.current_version_id
    changed = request_type_save(
        actor=actor_for(owner()), request_type=first, name=first.name, description="", all_clients=True,
        client_orgs=[], assign_to="account_manager", default_assignee=None, first_response_hours=None,
        resolution_hours=None,
        fields=[
            {"key": "details", "label": "Details", "kind": "long_text"},
            {"label": "Cost centre", "kind": "short_text", "required": True},
        ],
    )  # fmt: skip
    before = ClientRequest.objects.count()
    paula = User.objects.get(email="paula.lead@contoso.example")
    url = reverse("requests:submit", kwargs={"org_id": paula.contact.client_org_id, "type_id": changed.pk})

    response = as_user(paula).post(url, {"version": shown, "subject": "Old form", "details": "x"})

    assert response.status_code == 400
    assert "This form has just been changed" in response.content.decode()
    assert ClientRequest.objects.count() == before


def test_staff_are_not_offered_the_submission_form(in_demo: Any, as_user: Callable[[Any], Client]) -> None:
    request_type = make_type(f"Staff-proof {uuid.uuid4().hex[:6]}")
    mia = User.objects.get(email="mia.member@northwind.example")
    org_id = User.objects.get(email="paula.lead@contoso.example").contact.client_org_id

    assert as_user(mia).get(reverse("requests:new", kwargs={"org_id": org_id})).status_code == 404
    url = reverse("requests:submit", kwargs={"org_id": org_id, "type_id": request_type.pk})
    assert as_user(mia).get(url).status_code == 404


@pytest.fixture
def clean_limits(settings: Any, clean_cache: None) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.REQUEST_RATE = "2/h"


def test_sending_requests_is_rate_limited_per_person_with_a_message(
    in_demo: Any, as_user: Callable[[Any], Client], clean_limits: None
) -> None:
    request_type = make_type(f"Limited {uuid.uuid4().hex[:6]}", fields=[{"label": "Details", "kind": "long_text"}])
    paula = User.objects.get(email="paula.lead@contoso.example")
    url = reverse("requests:submit", kwargs={"org_id": paula.contact.client_org_id, "type_id": request_type.pk})
    client = as_user(paula)
    data = {"version": request_type.current_version_id, "details": "x"}
    for number in range(2):
        assert client.post(url, {**data, "subject": f"Allowed {number}"}).status_code == 302

    refused = client.post(url, {**data, "subject": "One too many"})

    assert refused.status_code == 429
    assert "many requests in a short time" in refused.content.decode()
    assert not ClientRequest.objects.filter(subject="One too many").exists()
    carla = User.objects.get(email="carla.admin@contoso.example")  # per person: a colleague still may
    assert as_user(carla).post(url, {**data, "subject": "Carla's"}).status_code == 302


def test_one_person_cannot_fill_the_quota_with_request_files(in_demo: Any, settings: Any) -> None:
    settings.REQUEST_FILE_BYTES_PER_DAY = 25
    request_type = make_type(f"Budgeted {uuid.uuid4().hex[:6]}", fields=[{"label": "Attachment", "kind": "file"}])
    paula = User.objects.get(email="paula.lead@contoso.example")

    def send(subject: str, content: bytes, who: User = paula) -> ClientRequest:
        return request_submit(
            actor=actor_for(who), org=who.contact.client_org, type_id=request_type.pk,
            version_id=request_type.current_version_id or 0, subject=subject, answers={},
            files={"attachment": SimpleUploadedFile("notes.txt", content)},
        )  # fmt: skip

    send("Within the budget", b"twenty bytes of text")
    with pytest.raises(RequestError, match="in 24 hours") as refused:
        send("Over the budget", b"ten bytes.")

    assert refused.value.field == "attachment"
    assert not ClientRequest.objects.filter(subject="Over the budget").exists()
    send("A colleague's own budget", b"ten bytes.", User.objects.get(email="carla.admin@contoso.example"))


def test_a_request_file_larger_than_the_limit_is_refused_before_anything_is_read(in_demo: Any, settings: Any) -> None:
    settings.REQUEST_FILE_MAX_BYTES = 10
    request_type = make_type(f"Small files {uuid.uuid4().hex[:6]}", fields=[{"label": "Attachment", "kind": "file"}])
    paula = User.objects.get(email="paula.lead@contoso.example")

    with pytest.raises(RequestError, match="larger than"):
        request_submit(
            actor=actor_for(paula), org=paula.contact.client_org, type_id=request_type.pk,
            version_id=request_type.current_version_id or 0, subject="Too big", answers={},
            files={"attachment": SimpleUploadedFile("big.txt", b"more than ten bytes")},
        )  # fmt: skip
