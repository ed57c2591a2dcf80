"""allauth's pages render with the design system (templates/allauth/elements/, layouts/): fields as <c-field> (label
above, errors tied to them), buttons as `.btn`, an error summary; signed-out pages in the entrance card, signed-in
ones in the app shell with the account's tabs. Generating new recovery codes (which ends the old ones) asks first."""

import time
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.accounts.markup import Element, page
from tests.conftest import DEMO_HOST

pytestmark = pytest.mark.django_db
PASSWORD = "northwind-demo-2026"
ADAM = "adam.admin@northwind.example"
SIGNED_OUT = [
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/1-not-a-key/",
]
SIGNED_IN = [
    "/accounts/logout/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/reauthenticate/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/webauthn/",
    "/accounts/2fa/webauthn/add/",
    "/accounts/2fa/recovery-codes/",
    "/accounts/2fa/recovery-codes/generate/",
]


@pytest.fixture
def adam(demo: Tenant) -> Iterator[User]:
    with tenant_context(demo):
        yield User.objects.get(email=ADAM)


def signed_in(user: User, *, fresh: bool = True) -> Client:
    """Signed in with the password (allauth asks for it again before two-factor changes, unless it is fresh)."""
    client = Client(headers={"host": DEMO_HOST})
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
    if fresh:
        client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client


def assert_design_system(html: Element, path: str) -> None:
    assert len(html.find_all("h1")) == 1, path
    for form in html.find("main").find_all("form"):
        for control in form.find_all("input") + form.find_all("textarea") + form.find_all("select"):
            if control.attrs.get("type") in ("hidden", None) and control.tag == "input":
                continue
            wrapper = control.ancestors()[0]
            assert "field" in wrapper.classes, (path, control.attrs)  # no allauth <p> around a field
            assert html.find_all("label", for_=control.attrs["id"]), (path, control.attrs)
    for button in html.find("main").find_all("button"):
        assert "btn" in button.classes, (path, button.text)
    assert not [p for p in html.find("main").find_all("p") if p.find_all("input")], path  # no form.as_p


@pytest.mark.parametrize("path", SIGNED_OUT)
def test_signed_out_pages_sit_in_the_entrance_card(demo: Tenant, path: str) -> None:
    html = page(Client(headers={"host": DEMO_HOST}).get(path, follow=True).content)

    assert "entrance-card" in html.find("main").classes
    assert_design_system(html, path)


@pytest.mark.parametrize("path", SIGNED_IN)
def test_signed_in_pages_sit_in_the_app_shell_with_the_account_tabs(adam: User, path: str) -> None:
    client = signed_in(adam)  # before any second factor: the sign-in would stop at it
    if "recovery-codes" in path:
        RecoveryCodes.activate(adam)
        Authenticator.objects.create(user=adam, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})

    response = client.get(path)

    assert response.status_code == 200, path
    html = page(response.content)
    assert html.find_all(cls="app-shell"), path
    assert_design_system(html, path)
    if path not in ("/accounts/logout/", "/accounts/reauthenticate/"):
        current = html.find("nav", cls="tabs").find("a", aria_current="page")
        assert current.attrs["href"] in path or path.startswith(current.attrs["href"]), path


def test_a_refused_code_is_announced_and_its_field_marked(adam: User) -> None:
    client = signed_in(adam)

    html = page(client.post("/accounts/2fa/totp/activate/", {"code": "000000"}).content)

    summary = html.find(cls="error-summary")
    assert summary.attrs["role"] == "alert"
    code = html.find("input", name="code")
    assert code.attrs["aria-invalid"] == "true"
    assert html.by_id(code.attrs["aria-describedby"].split()[-1]).text == "Incorrect code."
    assert summary.find("a").attrs["href"] == f"#{code.attrs['id']}"


def test_the_second_factor_at_sign_in_is_in_the_entrance_card(adam: User, clean_cache: None) -> None:
    client = signed_in(adam)
    form = client.get("/accounts/2fa/totp/activate/").context["form"]
    code = format_hotp_value(hotp_value(form.secret, int(time.time()) // 30))
    assert client.post("/accounts/2fa/totp/activate/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    cache.clear()
    later = Client(headers={"host": DEMO_HOST})
    stopped = later.post("/accounts/login/", {"login": ADAM, "password": PASSWORD})
    assert stopped["Location"] == "/accounts/2fa/authenticate/"

    html = page(later.post("/accounts/2fa/authenticate/", {"code": "123456"}).content)

    assert "entrance-card" in html.find("main").classes
    assert html.find(cls="error-summary").attrs["role"] == "alert"
    assert html.find("input", name="code").attrs["aria-invalid"] == "true"
    assert_design_system(html, "/accounts/2fa/authenticate/")


def codes_of(user: User) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return list(authenticator.wrap().get_unused_codes())


def test_generating_new_recovery_codes_without_confirmation_changes_nothing(adam: User) -> None:
    client = signed_in(adam)
    Authenticator.objects.create(user=adam, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})
    RecoveryCodes.activate(adam)
    before = codes_of(adam)

    response = client.post("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 200  # the page that asks
    assert codes_of(adam) == before
    html = page(response.content)
    assert not html.find_all(cls="error-summary")  # a question, not an error
    form = html.find("main").find("form", action="/accounts/2fa/recovery-codes/generate/")
    assert form.find("input", name="confirmed").attrs["value"] == "1"


def test_generating_new_recovery_codes_once_confirmed_replaces_them(adam: User) -> None:
    client = signed_in(adam)
    Authenticator.objects.create(user=adam, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})
    RecoveryCodes.activate(adam)
    before = codes_of(adam)

    response = client.post("/accounts/2fa/recovery-codes/generate/", {"confirmed": "1"})

    assert response.status_code == 302
    assert not set(codes_of(adam)) & set(before)


def test_the_recovery_codes_page_keeps_its_actions_apart(adam: User) -> None:
    client = signed_in(adam)
    RecoveryCodes.activate(adam)
    Authenticator.objects.create(user=adam, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})
    html = page(client.get("/accounts/2fa/recovery-codes/").content)

    codes = html.by_id("recovery_codes")
    assert len(codes.find_all("code")) == 10
    download = html.find("a", href="/accounts/2fa/recovery-codes/download/")
    assert {"btn", "btn-secondary"} <= download.classes
    cards = html.find("main").find_all("section", cls="card")
    assert download in cards[0].find_all("a")
    assert codes in cards[0].find_all("ul")
    # Generating a new set is in a section of its own, behind a confirmation dialog that sends confirmed=1.
    dialog = cards[1].find("dialog")
    assert dialog.find("form", action="/accounts/2fa/recovery-codes/generate/").find("input", name="confirmed")
    assert cards[1].find("form", data_confirm=dialog.attrs["id"])
