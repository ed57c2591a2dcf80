"""Requests about a project (issue 16): a contact links one when sending it (only one of their organisation's
current projects they may see), staff change it (audited), routing rules may name a project, the queue and the
contact's list filter by it, and the project's page lists the requests about it that the person may see."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.models import Role
from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent, Notification
from portal.engagements.models import Project, ProjectStatus
from portal.engagements.services import project_save
from portal.requests.answers import PROJECT_FIELD
from portal.requests.models import OPEN_STATUSES, ClientRequest, RequestType, RoutingRule
from portal.requests.services import RequestError, request_set_project, request_submit, route, routing_rule_save
from tenants.models import Tenant
from tests.portal.demo_people import contoso, fabrikam, frank, mia, olivia, paula, user
from tests.portal.factories import ContactFactory, StaffFactory, make_user
from tests.portal.requests.support import make_type, owner, submit

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]
FIELDS = [{"key": "details", "label": "Details", "kind": "short_text"}]


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant) -> None:
    """Every test runs in the demo portal's schema (the services too, not only the pages)."""


def loyalty() -> Project:
    return Project.objects.get(client_org=contoso(), name="Loyalty programme relaunch")


def rollout() -> Project:
    return Project.objects.get(client_org=contoso(), name="Store rollout planning")


def reporting() -> Project:
    return Project.objects.get(client_org=fabrikam(), name="Reporting platform")


def a_type() -> RequestType:
    return make_type("About projects", fields=FIELDS)


def submit_url(request_type: RequestType) -> str:
    return reverse("requests:submit", kwargs={"org_id": contoso().pk, "type_id": request_type.pk})


def sent(request_type: RequestType, **extra: Any) -> dict[str, Any]:
    return {"version": request_type.current_version_id, "subject": "About the project", "details": "x", **extra}


def about(requester: User, project: Project | None, subject: str) -> ClientRequest:
    """A request sent through the service, about the project."""
    request_type = RequestType.objects.filter(name="About projects").first() or a_type()
    return request_submit(
        actor=actor_for(requester), org=requester.contact.client_org, type_id=request_type.pk,
        version_id=request_type.current_version_id or 0, subject=subject, answers={"details": ""}, project=project,
    )  # fmt: skip


def requests_only_contact() -> User:
    """A Contoso contact who may send requests but not see projects."""
    role = Role.objects.create(name="Requests only", slug="requests-only", custom_capabilities=["requests.create"])
    contact: Any = ContactFactory(client_org=contoso(), role=role, user=make_user("rory.requests@contoso.example"))
    return contact.user


def staff_member() -> User:
    membership: Any = StaffFactory()
    return membership.user


# --- submitting --------------------------------------------------------------------------------------------------


def test_a_request_sent_about_a_project_is_linked_to_it(as_user: SignIn) -> None:
    request_type = a_type()

    response = as_user(paula()).post(submit_url(request_type), sent(request_type, **{PROJECT_FIELD: loyalty().pk}))

    assert response.status_code == 302
    assert ClientRequest.objects.get(subject="About the project").project == loyalty()


def test_the_form_offers_the_organisations_current_projects_and_preselects_the_one_asked_for(as_user: SignIn) -> None:
    request_type = a_type()
    Project.objects.filter(pk=rollout().pk).update(status=ProjectStatus.COMPLETED)

    page = as_user(paula()).get(submit_url(request_type), {"project": loyalty().pk})

    field = page.context["form"].fields[PROJECT_FIELD]
    assert set(field.queryset) == {loyalty()}  # not the completed one, nor another client's
    assert page.context["form"][PROJECT_FIELD].value() == loyalty().pk
    assert f'<option value="{loyalty().pk}" selected>' in page.content.decode()


def test_the_new_request_page_carries_the_project_to_each_form(as_user: SignIn) -> None:
    request_type = a_type()

    page = as_user(paula()).get(reverse("requests:new", kwargs={"org_id": contoso().pk}), {"project": loyalty().pk})

    assert f"{submit_url(request_type)}?project={loyalty().pk}" in page.content.decode()


def test_a_project_of_another_client_is_refused_on_the_form_and_by_the_service(as_user: SignIn) -> None:
    request_type = a_type()

    response = as_user(paula()).post(submit_url(request_type), sent(request_type, **{PROJECT_FIELD: reporting().pk}))

    assert response.status_code == 400
    assert response.context["form"].errors[PROJECT_FIELD]
    assert not ClientRequest.objects.filter(subject="About the project").exists()
    with pytest.raises(RequestError) as refused:
        about(paula(), reporting(), "Forged")
    assert refused.value.field == PROJECT_FIELD
    assert not ClientRequest.objects.filter(subject="Forged").exists()


def test_a_completed_project_is_refused_by_the_service() -> None:
    Project.objects.filter(pk=rollout().pk).update(status=ProjectStatus.COMPLETED)

    with pytest.raises(RequestError):
        about(paula(), rollout(), "Too late")


def test_a_contact_without_projects_view_is_offered_no_project_and_cannot_link_one(as_user: SignIn) -> None:
    request_type = a_type()
    rory = requests_only_contact()
    browser = as_user(rory)

    page = browser.get(submit_url(request_type), {"project": loyalty().pk})
    assert PROJECT_FIELD not in page.context["form"].fields
    response = browser.post(submit_url(request_type), sent(request_type, **{PROJECT_FIELD: loyalty().pk}))

    assert response.status_code == 302  # sent, without the forged project
    assert ClientRequest.objects.get(subject="About the project").project is None
    with pytest.raises(RequestError):
        about(rory, loyalty(), "Forged")


# --- on the request's page: shown, and changed by staff ------------------------------------------------------------


def test_the_requests_page_names_its_project_to_those_who_may_see_the_project(as_user: SignIn) -> None:
    rory = requests_only_contact()
    mine, theirs = about(paula(), loyalty(), "Paula's"), about(rory, None, "Rory's")
    ClientRequest.objects.filter(pk=theirs.pk).update(project=loyalty())
    project_url = reverse("engagements:project", kwargs={"project_id": loyalty().pk})

    for who, request in ((paula(), mine), (mia(), mine), (rory, theirs)):
        page = as_user(who).get(reverse("requests:detail", kwargs={"request_id": request.pk}))
        assert page.status_code == 200
        assert (project_url in page.content.decode()) is (who != rory), who.email


def test_staff_change_the_project_of_a_request_and_it_is_audited_telling_nobody(as_user: SignIn, told: Any) -> None:
    request = about(paula(), loyalty(), "Move me")
    notifications = Notification.objects.count()

    with told():
        response = as_user(mia()).post(
            reverse("requests:project", kwargs={"request_id": request.pk}), {"project": rollout().pk}
        )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.project == rollout()
    event = ActivityEvent.objects.filter(verb="request.project_changed").latest("pk")
    assert (event.actor_id, event.target_id) == (mia().pk, request.pk)
    assert (event.data["from"], event.data["to"]) == (loyalty().pk, rollout().pk)
    assert Notification.objects.count() == notifications


def test_staff_cannot_link_a_request_to_another_clients_project_nor_contacts_change_it(as_user: SignIn) -> None:
    request = about(paula(), loyalty(), "Stay")
    url = reverse("requests:project", kwargs={"request_id": request.pk})

    as_user(mia()).post(url, {"project": reporting().pk})
    assert as_user(paula()).post(url, {"project": rollout().pk}).status_code == 404
    with pytest.raises(RequestError):
        request_set_project(actor=actor_for(olivia()), request=request, project=reporting())

    request.refresh_from_db()
    assert request.project == loyalty()
    assert not ActivityEvent.objects.filter(verb="request.project_changed").exists()


def test_staff_unlink_a_request_from_its_project() -> None:
    request = about(paula(), loyalty(), "Unlink me")

    request_set_project(actor=actor_for(mia()), request=request, project=None)

    request.refresh_from_db()
    assert request.project is None


# --- routing -----------------------------------------------------------------------------------------------------


def test_a_rule_on_a_project_routes_the_requests_about_it_only() -> None:
    specialist = staff_member()
    routing_rule_save(
        actor=actor_for(owner()), rule=None, request_type=None, client_org=None, project=rollout(), field_key="",
        value="", assignee=specialist,
    )  # fmt: skip
    request_type = a_type()

    assert route(request_type, contoso(), {}, rollout()) == specialist
    assert route(request_type, contoso(), {}, loyalty()) == mia()  # the demo's rule for it: its lead
    assert route(request_type, contoso(), {}) == mia()  # the account manager
    assert about(paula(), rollout(), "Routed").assignee == specialist
    assert submit(paula(), request_type, answers={"details": ""}).assignee == mia()


def test_the_routing_page_saves_a_rule_on_a_project_of_the_chosen_client_only(as_user: SignIn) -> None:
    specialist = staff_member()
    browser = as_user(olivia())
    data = {"client_org": contoso().pk, "project": rollout().pk, "assignee": specialist.pk}

    page = browser.get(reverse("requests:routing"))
    assert '<optgroup label="Contoso Retail">' in page.content.decode()
    refused = browser.post(reverse("requests:routing"), {**data, "project": reporting().pk})
    assert refused.status_code == 400
    assert refused.context["form"].errors["project"]
    assert browser.post(reverse("requests:routing"), data).status_code == 302

    assert RoutingRule.objects.get(assignee=specialist).project == rollout()


# --- filters -----------------------------------------------------------------------------------------------------


def test_the_queue_filters_by_project_and_ignores_an_unknown_one(as_user: SignIn) -> None:
    about(paula(), rollout(), "About the rollout")
    browser = as_user(mia())

    filtered = browser.get(reverse("requests:queue"), {"project": str(rollout().pk), "status": ""})
    unknown = browser.get(reverse("requests:queue"), {"project": "999999", "status": ""})

    assert {item.project_id for item in filtered.context["requests"]} == {rollout().pk}
    assert "About the rollout" in {item.subject for item in filtered.context["requests"]}
    assert len(unknown.context["requests"]) > len(filtered.context["requests"])


def test_a_contacts_list_filters_by_project(as_user: SignIn) -> None:
    about(paula(), rollout(), "About the rollout")
    url = reverse("requests:list", kwargs={"org_id": contoso().pk})

    filtered = as_user(paula()).get(url, {"project": str(rollout().pk), "whose": "all"})
    everything = as_user(paula()).get(url, {"project": "nonsense", "whose": "all"})

    assert {item.project_id for item in filtered.context["requests"]} == {rollout().pk}
    assert len(everything.context["requests"]) > len(filtered.context["requests"])


# --- the project's page ------------------------------------------------------------------------------------------


def project_page(client: Client, project: Project) -> Any:
    response = client.get(reverse("engagements:project", kwargs={"project_id": project.pk}))
    assert response.status_code == 200
    return response


def section(response: Any) -> dict[str, Any]:
    [panel] = [panel for panel in response.context["sections"] if panel.key == "requests"]
    return dict(panel.context)


def test_the_projects_page_lists_its_requests_for_staff_and_those_the_contact_may_see(as_user: SignIn) -> None:
    pauls, franks = about(paula(), loyalty(), "Paula's question"), about(frank(), loyalty(), "Frank's question")
    about(paula(), rollout(), "Another project's")

    for who, shown, hidden in (
        (mia(), {pauls, franks}, set()),  # staff: every request about it
        (paula(), {pauls, franks}, set()),  # requests.view_all: her colleagues' too
        (frank(), {franks}, {pauls}),  # requests.create only: his own
    ):
        response = project_page(as_user(who), loyalty())
        listed = set(section(response)["project_requests"])
        assert shown <= listed, who.email
        assert not hidden & listed, who.email
        assert all(item.project_id == loyalty().pk for item in listed)
        page = response.content.decode()
        assert all(item.subject.replace("'", "&#x27;") in page for item in shown)
        assert not any(item.subject.replace("'", "&#x27;") in page for item in hidden)


def test_the_section_counts_the_open_requests_and_offers_contacts_a_new_one_about_the_project(as_user: SignIn) -> None:
    about(frank(), loyalty(), "Frank's question")
    new_url = f"{reverse('requests:new', kwargs={'org_id': contoso().pk})}?project={loyalty().pk}"

    franks = section(project_page(as_user(frank()), loyalty()))
    staff = section(project_page(as_user(mia()), loyalty()))

    assert franks["requests_open"] == 1
    assert franks["requests_new_url"] == new_url
    assert staff["requests_new_url"] == ""
    assert staff["requests_open"] == ClientRequest.objects.filter(project=loyalty(), status__in=OPEN_STATUSES).count()


def test_a_project_without_requests_shows_an_empty_state_and_a_viewer_no_section(as_user: SignIn) -> None:
    quiet = project_save(actor=actor_for(mia()), project=None, org=contoso(), name="Quiet project")

    response = project_page(as_user(paula()), quiet)
    viewer = project_page(as_user(user("victor.viewer@contoso.example")), quiet)

    assert "No requests about this project" in response.content.decode()
    assert "New request about this project" in response.content.decode()
    assert not [panel for panel in viewer.context["sections"] if panel.key == "requests"]
