"""allauth's account e-mails speak in Portico's words, branded like the notification e-mails: the portal's name,
colour and logo on a portal, Portico's on the root site; subjects carry the name as it is (never the domain,
never HTML-escaped); links go to the host the account belongs to.

What our settings send: the address confirmation (adding an address, signing in with an unconfirmed one), the
welcome after signup, the password reset link and the "no account for this address" answer. allauth's security
notices (password changed, address removed, two-factor changes…) are off (`ACCOUNT_EMAIL_NOTIFICATIONS`), as
are sign-in and reset codes and "account already exists" (signup through allauth is closed); they are written
all the same, so switching one on never sends allauth's stock text, and checked here with the setting on."""

import re
from collections.abc import Iterator
from email.utils import parseaddr
from html import escape
from pathlib import Path
from typing import Any

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django_tenants.utils import tenant_context

from accounts.models import User
from branding.colours import INK, WHITE, text_on
from tenants.models import DEFAULT_BRAND_COLOUR, Tenant
from tenants.routing import ROUTER
from tests.accounts.factories import UserFactory
from tests.conftest import DEMO_HOST, ROOT_HOST, SHARED_EMAIL
from tests.portal.access.test_mfa import enrol_totp

pytestmark = pytest.mark.django_db

# A name that must be quoted right everywhere: raw in subjects, text and From, escaped in HTML.
PORTAL = "Northwind & Partners <Legal>"
COLOUR = "#aa3300"
PORTAL_URL = f"http://{DEMO_HOST}/"
ROOT_URL = f"http://{ROOT_HOST}/"
# Sentences of allauth's stock e-mails (account/email/*.txt, mfa/email/*.txt): none may reach a person.
STOCK = (
    "Hello from", "Thank you for using", "You're receiving this", "You are receiving this", "has given your email",
    "Please Confirm Your Email Address", "Password Reset Email", "tried to access an account", "take proper security",
    "following change was made", "sign up for an account using the link", "In case you forgot",
)  # fmt: skip


@pytest.fixture
def portal(demo: Tenant) -> Tenant:
    """The demo portal under a name that needs quoting and a brand colour of its own."""
    Tenant.objects.filter(pk=demo.pk).update(display_name=PORTAL, brand_color=COLOUR)
    ROUTER.clear()
    return Tenant.objects.get(pk=demo.pk)


@pytest.fixture
def notifications(settings: Any) -> None:
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True


def only_message(to: str | None = None) -> EmailMultiAlternatives:
    messages = [message for message in mail.outbox if to is None or message.to == [to]]
    assert len(messages) == 1, [message.subject for message in mail.outbox]
    [message] = messages
    assert isinstance(message, EmailMultiAlternatives)
    return message


def parts(message: EmailMultiAlternatives) -> tuple[str, str, str]:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return str(message.subject), str(message.body), str(html)


def links(body: str, html: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", body) + re.findall(r'href="([^"]+)"', html)


def assert_ours(
    message: EmailMultiAlternatives, *, subject: str, says: str, name: str, colour: str, home: str, sender: str = ""
) -> tuple[str, str]:
    """The message is ours, for this site: subject, a sentence of ours in both parts, the name raw in text and
    escaped in HTML, the HTML framed in the brand colour with readable text, every link on `home`'s host, and
    From in the site's name. Returns (text, HTML)."""
    actual_subject, body, html = parts(message)
    assert actual_subject == subject
    assert "\n" not in actual_subject
    for part in (actual_subject, body, html):
        assert not [stock for stock in STOCK if stock in part], part
    assert says in body
    assert escape(says, quote=False) in html.replace("&#x27;", "'")
    assert name in body
    assert escape(name) in html
    assert f"background:{colour};color:{text_on(colour)};" in html  # the header: brand colour, readable name
    assert body.rstrip().endswith(home)
    found = links(body, html)
    assert found
    assert all(link.startswith(home) for link in found), found
    assert parseaddr(str(message.from_email)) == (sender or name, parseaddr(django_settings.DEFAULT_FROM_EMAIL)[1])
    return body, html


# --- what our settings send, through the real flows ----------------------------------------------------------------


def test_adding_an_address_sends_the_portal_s_confirmation(portal: Tenant) -> None:
    with tenant_context(portal):
        client = Client(headers={"host": DEMO_HOST})
        client.force_login(User.objects.get(email="victor.viewer@contoso.example"))
        client.post("/accounts/email/", {"action_add": "", "email": "victor.second@contoso.example"})

    message = only_message("victor.second@contoso.example")
    body, html = assert_ours(
        message,
        subject=f"Confirm your e-mail address for {PORTAL}",
        says=f"Please confirm victor.second@contoso.example as your e-mail address on {PORTAL} with this link:",
        name=PORTAL,
        colour=COLOUR,
        home=PORTAL_URL,
    )
    assert re.search(r"\nhttp://demo\.localhost/accounts/confirm-email/[\w:-]+/\n", body)
    assert ">Confirm my e-mail address</a>" in html
    assert body.startswith("Hello ")


def test_signing_in_with_an_unconfirmed_address_sends_the_confirmation(portal: Tenant, demo_password: str) -> None:
    with tenant_context(portal):
        EmailAddress.objects.filter(email="mia.member@northwind.example").update(verified=False)
    Client(headers={"host": DEMO_HOST}).post(
        "/accounts/login/", {"login": "mia.member@northwind.example", "password": demo_password}
    )

    assert_ours(
        only_message("mia.member@northwind.example"),
        subject=f"Confirm your e-mail address for {PORTAL}",
        says="Please confirm mia.member@northwind.example as your e-mail address",
        name=PORTAL,
        colour=COLOUR,
        home=PORTAL_URL,
    )


def test_signup_welcomes_the_owner_in_portico_s_voice_framed_in_the_new_portal_s_brand(client: Client) -> None:
    client.post(
        "/signup/",
        {
            "company_name": "Contoso & Sons", "subdomain": "contoso", "owner_name": "Carla Owner",
            "email": "carla@contoso.test", "password": "a-long-and-unusual-passphrase", "brand_color": "#ffcc00",
        },
        headers={"host": ROOT_HOST},
    )  # fmt: skip

    body, html = assert_ours(
        only_message("carla@contoso.test"),
        subject="Welcome to Portico: please confirm your e-mail address",
        says="One last step: please confirm your e-mail address",
        name="Contoso & Sons",
        colour="#ffcc00",
        home="http://contoso.localhost/",
        sender="Portico",
    )
    assert "Welcome to Portico! Your client portal, Contoso & Sons, is ready at http://contoso.localhost/" in body
    assert "background:#ffcc00;color:#1b1f24;" in html  # a light brand colour: ink, not white, on it
    assert re.search(r"\nhttp://contoso\.localhost/accounts/confirm-email/[\w:-]+/\n", body)
    assert "The Portico team" in body
    assert "The Portico team" in html


@pytest.mark.parametrize("colour", [COLOUR, "#ffcc00", "#000000", "#ffffff"])
def test_the_password_reset_link_is_the_portal_s_in_its_brand(portal: Tenant, colour: str) -> None:
    Tenant.objects.filter(pk=portal.pk).update(brand_color=colour)
    ROUTER.clear()

    Client(headers={"host": DEMO_HOST}).post("/accounts/password/reset/", {"email": SHARED_EMAIL})

    body, html = assert_ours(
        only_message(SHARED_EMAIL),
        subject=f"Reset your {PORTAL} password",
        says=f"Someone, hopefully you, asked to reset the password of your {PORTAL} account.",
        name=PORTAL,
        colour=colour,
        home=PORTAL_URL,
    )
    assert re.search(r"\nhttp://demo\.localhost/accounts/password/reset/key/[\w-]+/\n", body)
    button = f"background:{colour};color:{text_on(colour)};padding:12px 20px"
    assert button in html
    assert text_on(colour) in (WHITE, INK)


def test_the_password_reset_link_on_the_root_site_is_portico_s() -> None:
    UserFactory(email="operator@portico.test", full_name="Oscar Operator")  # an account in the public schema

    Client(headers={"host": ROOT_HOST}).post("/accounts/password/reset/", {"email": "operator@portico.test"})

    body, _html = assert_ours(
        only_message("operator@portico.test"),
        subject="Reset your Portico password",
        says="Someone, hopefully you, asked to reset the password of your Portico account.",
        name="Portico",
        colour=DEFAULT_BRAND_COLOUR,
        home=ROOT_URL,
    )
    assert body.startswith("Hello Oscar Operator,")
    assert re.search(r"\nhttp://localhost/accounts/password/reset/key/[\w-]+/\n", body)


def test_an_unknown_address_on_a_portal_hears_about_invitations_and_nothing_of_portico(portal: Tenant) -> None:
    Client(headers={"host": DEMO_HOST}).post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})

    body, html = assert_ours(
        only_message("nobody@nowhere.example"),
        subject=f"There is no {PORTAL} account for this address",
        says=f"Accounts on {PORTAL} are made by invitation.",
        name=PORTAL,
        colour=COLOUR,
        home=PORTAL_URL,
    )
    assert "Portico" not in body + html  # a white-label portal never points its clients at the platform
    assert "/signup/" not in body + html


def test_an_unknown_address_on_the_root_site_is_shown_find_my_portal_and_signup() -> None:
    Client(headers={"host": ROOT_HOST}).post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})

    body, html = assert_ours(
        only_message("nobody@nowhere.example"),
        subject="There is no Portico account for this address",
        says="but no Portico account uses this address.",
        name="Portico",
        colour=DEFAULT_BRAND_COLOUR,
        home=ROOT_URL,
    )
    assert "\nhttp://localhost/find-my-portal/\n" in body
    assert "\nhttp://localhost/signup/\n" in body
    assert 'href="http://localhost/find-my-portal/"' in html


def test_the_html_part_shows_the_portal_s_logo(portal: Tenant) -> None:
    Tenant.objects.filter(pk=portal.pk).update(logo="demo/branding/logo-0123abcd.png")
    ROUTER.clear()

    Client(headers={"host": DEMO_HOST}).post("/accounts/password/reset/", {"email": SHARED_EMAIL})

    _subject, _body, html = parts(only_message(SHARED_EMAIL))
    assert '<img src="http://demo.localhost/branding/logo"' in html


# --- the security notices, with allauth's notifications switched on --------------------------------------------------


def signed_in(tenant: Tenant, email: str, password: str) -> Client:
    client = Client(headers={"host": DEMO_HOST})
    assert client.post("/accounts/login/", {"login": email, "password": password}).status_code == 302
    return client


def test_a_changed_password_is_told_in_the_portal_s_words(
    portal: Tenant, notifications: None, demo_password: str
) -> None:
    client = signed_in(portal, SHARED_EMAIL, demo_password)
    new = "another-long-passphrase-2026"

    changed = client.post(
        "/accounts/password/change/", {"oldpassword": demo_password, "password1": new, "password2": new}
    )

    assert changed.status_code == 302
    body, html = assert_ours(
        only_message(SHARED_EMAIL),
        subject=f"Your {PORTAL} password was changed",
        says=f"The password of your {PORTAL} account was just changed.",
        name=PORTAL,
        colour=COLOUR,
        home=PORTAL_URL,
    )
    assert "so that only you can sign in:\nhttp://demo.localhost/accounts/password/reset/\n" in body
    assert re.search(r"When: \d{1,2} \w+ \d{4}, \d\d:\d\d \w+", body)
    assert ">Reset my password</a>" in html


def test_a_removed_and_a_changed_address_are_told(portal: Tenant, notifications: None, demo_password: str) -> None:
    with tenant_context(portal):
        olivia = User.objects.get(email=SHARED_EMAIL)
        EmailAddress.objects.create(user=olivia, email="olivia.second@northwind.example", verified=True)
        EmailAddress.objects.create(user=olivia, email="olivia.third@northwind.example", verified=True)
    client = signed_in(portal, SHARED_EMAIL, demo_password)

    client.post("/accounts/email/", {"action_remove": "", "email": "olivia.third@northwind.example"})
    assert_ours(
        only_message(),
        subject=f"An e-mail address was removed from your {PORTAL} account",
        says=f"olivia.third@northwind.example was removed from your {PORTAL} account.",
        name=PORTAL,
        colour=COLOUR,
        home=PORTAL_URL,
    )
    mail.outbox.clear()

    client.post("/accounts/email/", {"action_primary": "", "email": "olivia.second@northwind.example"})
    assert_ours(
        only_message(SHARED_EMAIL),  # told at the address it used until now
        subject=f"Your {PORTAL} e-mail address was changed",
        says=f"Your {PORTAL} account now uses olivia.second@northwind.example instead of {SHARED_EMAIL}.",
        name=PORTAL,
        colour=COLOUR,
        home=PORTAL_URL,
    )


def test_turning_on_two_factor_authentication_is_told(
    portal: Tenant, notifications: None, clean_cache: None, django_capture_on_commit_callbacks: Any
) -> None:
    with tenant_context(portal), django_capture_on_commit_callbacks(execute=True):  # allauth tells after commit
        enrol_totp("adam.admin@northwind.example")

    assert_ours(
        only_message("adam.admin@northwind.example"),
        subject=f"Two-factor authentication is on for your {PORTAL} account",
        says=f"An authenticator app now protects your {PORTAL} account",
        name=PORTAL,
        colour=COLOUR,
        home=PORTAL_URL,
    )


# --- the rest, through the adapter ---------------------------------------------------------------------------------

NOTICES = {
    "account/email/password_set": ("A password was set for your {name} account", "A password was just set"),
    "account/email/password_reset": ("Your {name} password was reset", "account was just reset."),
    "account/email/email_confirm": ("Your {name} e-mail address is confirmed", "is now confirmed on your"),
    "mfa/email/totp_deactivated": (
        "The authenticator app was removed from your {name} account",
        "signing in no longer asks for its codes.",
    ),
    "mfa/email/recovery_codes_generated": (
        "New recovery codes for your {name} account",
        "The previous ones no longer work",
    ),
    "mfa/email/webauthn_added": (
        "A passkey or security key was added to your {name} account",
        "A passkey or security key was added",
    ),
    "mfa/email/webauthn_removed": (
        "A passkey or security key was removed from your {name} account",
        "A passkey or security key was removed",
    ),
}
CODES = {
    "account/email/login_code": ("Your {name} sign-in code", "Here is your code to sign in to {name}."),
    "account/email/password_reset_code": (
        "Your {name} password reset code",
        "Here is the code to reset the password of your {name} account.",
    ),
}


@pytest.fixture
def on_site(request: pytest.FixtureRequest, portal: Tenant) -> Iterator[tuple[Tenant | None, Any]]:
    """(tenant or None, user) with allauth's request context on that site: the demo portal, or the root site."""
    tenant = portal if request.param == "portal" else None
    fake = RequestFactory(headers={"host": DEMO_HOST if tenant else ROOT_HOST}).get("/")
    if tenant is None:
        user = UserFactory(email="operator@portico.test")
        with allauth_context.request_context(fake):
            yield None, user
        return
    with tenant_context(tenant), allauth_context.request_context(fake):
        fake.tenant = tenant  # type: ignore[attr-defined]
        yield tenant, User.objects.get(email=SHARED_EMAIL)


def site(tenant: Tenant | None) -> dict[str, str]:
    if tenant is None:
        return {"name": "Portico", "colour": DEFAULT_BRAND_COLOUR, "home": ROOT_URL}
    return {"name": PORTAL, "colour": COLOUR, "home": PORTAL_URL}


@pytest.mark.parametrize("on_site", ["portal", "root"], indirect=True)
@pytest.mark.parametrize("prefix", sorted(NOTICES))
def test_every_security_notice_is_ours(
    on_site: tuple[Tenant | None, Any], prefix: str, notifications: None, settings: Any
) -> None:
    tenant, user = on_site
    where = site(tenant)
    subject, says = NOTICES[prefix]

    get_adapter().send_notification_mail(prefix, user, {"deleted_email": "x@y.test", "from_email": "a@b.test"})

    body, _html = assert_ours(
        only_message(user.email), subject=subject.format(name=where["name"]), says=says, **where
    )  # fmt: skip
    assert "Browser:" in body
    assert "Address: 127.0.0.1" in body
    assert f"\n{where['home']}accounts/password/reset/\n" in body


@pytest.mark.parametrize("on_site", ["portal", "root"], indirect=True)
@pytest.mark.parametrize("prefix", sorted(CODES))
def test_sign_in_and_reset_codes_are_ours(on_site: tuple[Tenant | None, Any], prefix: str) -> None:
    tenant, user = on_site
    where = site(tenant)
    subject, says = CODES[prefix]

    get_adapter().send_mail(prefix, user.email, {"code": "QX7-K2P"})

    body, html = assert_ours(
        only_message(user.email),
        subject=subject.format(name=where["name"]),
        says=says.format(name=where["name"]).rstrip("."),
        **where,
    )
    assert "\nQX7-K2P\n" in body
    assert ">QX7-K2P</p>" in html


@pytest.mark.parametrize("on_site", ["portal"], indirect=True)
def test_account_already_exists_is_ours(on_site: tuple[Tenant | None, Any]) -> None:
    _tenant, user = on_site

    get_adapter().send_account_already_exists_mail(user.email)

    body, _html = assert_ours(
        only_message(user.email),
        subject=f"You already have a {PORTAL} account",
        says=f"tried to create a {PORTAL} account with {user.email}, but this address already has one.",
        name=PORTAL,
        colour=COLOUR,
        home=PORTAL_URL,
    )
    assert "\nhttp://demo.localhost/accounts/login/\n" in body
    assert "\nhttp://demo.localhost/accounts/password/reset/\n" in body


# --- nothing of allauth's stock text is left -----------------------------------------------------------------------


def allauth_mail_templates() -> list[str]:
    base = Path(allauth.__file__).parent / "templates"
    prefixes = {
        str(path.relative_to(base)).removesuffix("_subject.txt")
        for folder in ("account/email", "mfa/email")
        for path in (base / folder).glob("*_subject.txt")
    }
    assert len(prefixes) >= 18
    return sorted(prefixes)


@pytest.mark.parametrize("prefix", allauth_mail_templates())
def test_every_mail_allauth_can_send_has_our_subject_text_and_html(prefix: str) -> None:
    ours = Path(django_settings.BASE_DIR) / "templates"
    for suffix in ("_subject.txt", "_message.txt", "_message.html"):
        origin = Path(get_template(f"{prefix}{suffix}").origin.name)  # type: ignore[attr-defined]
        assert origin.is_relative_to(ours), f"{prefix}{suffix} is allauth's own: {origin}"
