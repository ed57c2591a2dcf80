"""The sign-in page in the design system: a refused sign-in is announced (an error summary with role="alert" that
takes focus, both fields aria-invalid), labels sit above their fields, the page is titled and branded, and a
passkey is offered as the secondary way in. (Focus itself is the browser suite's: portico.js moves it.)"""

import pytest
from django.test import Client

from tests.accounts.markup import Element, page
from tests.conftest import DEMO_HOST, ROOT_HOST, SHARED_EMAIL

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def refused(host: str = DEMO_HOST) -> Element:
    response = Client().post(LOGIN, {"login": SHARED_EMAIL, "password": "not-the-password"}, headers={"host": host})
    assert response.status_code == 200
    return page(response.content)


def test_a_wrong_password_is_announced_in_an_error_summary_that_takes_focus() -> None:
    html = refused()

    summary = html.find(cls="error-summary")
    assert summary.attrs["role"] == "alert"
    assert summary.attrs["tabindex"] == "-1"  # focusable by script, not in the tab order
    assert "data-error-summary" in summary.attrs  # portico.js focuses it on load
    assert "not correct" in summary.text
    assert summary.ancestors()[0].tag == "form"  # inside the sign-in form, above its fields


@pytest.mark.parametrize("host", [DEMO_HOST, ROOT_HOST])
def test_a_wrong_password_marks_both_fields_invalid(host: str) -> None:
    html = refused(host)

    assert html.find("input", name="login").attrs.get("aria-invalid") == "true"
    assert html.find("input", name="password").attrs.get("aria-invalid") == "true"


def test_a_first_visit_shows_no_error() -> None:
    html = page(Client().get(LOGIN, headers={"host": DEMO_HOST}).content)

    assert not html.find_all(cls="error-summary")
    assert not html.find_all(aria_invalid="true")


def test_fields_have_their_label_above_them_and_help_tied_to_them() -> None:
    html = page(Client().get(LOGIN, headers={"host": DEMO_HOST}).content)

    for name in ("login", "password"):
        field = html.find("input", name=name)
        wrapper = field.ancestors()[0]
        assert "field" in wrapper.classes
        label = wrapper.find("label", for_=field.attrs["id"])
        assert wrapper.children.index(label) < wrapper.children.index(field)  # label first
    password = html.find("input", name="password")
    help_text = html.by_id(password.attrs["aria-describedby"])
    assert "Forgot your password?" in help_text.text


def test_the_page_is_titled_and_branded_with_the_portal() -> None:
    html = page(Client().get(LOGIN, headers={"host": DEMO_HOST}).content)

    assert html.find("title").text == "Sign in · Northwind Consulting"
    assert [h1.text for h1 in html.find_all("h1")] == ["Sign in"]
    assert "Northwind Consulting" in html.find("a", cls="entrance-brand").text
    assert "entrance-card" in html.find("main").classes


def test_a_passkey_is_the_secondary_way_in() -> None:
    html = page(Client().get(LOGIN, headers={"host": DEMO_HOST}).content)

    [submit] = html.find("form", cls="form").find_all("button", type_="submit")
    assert submit.text == "Sign in"
    assert "btn-primary" in submit.classes
    passkey = html.by_id("passkey_login")
    assert passkey.text == "Sign in with a passkey"
    assert {"btn", "btn-secondary"} <= passkey.classes
    assert passkey.attrs["form"] == "mfa_login"
    assert html.by_id("mfa_login").tag == "form"


def test_the_root_site_signs_in_in_the_same_card() -> None:
    html = page(Client().get(LOGIN, headers={"host": ROOT_HOST}).content)

    assert {"entrance-card", "site-entrance"} <= html.find("main").classes
    assert html.find("title").text == "Sign in · Portico"
