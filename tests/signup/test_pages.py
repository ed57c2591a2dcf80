"""The root site's pages wear the design system: the header's ways in, the landing page's actions, the signup form
(labels above, the subdomain's suffix, help tied to its field) and the small forms in the entrance card."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
ROOT = {"host": "localhost"}


def page_of(client: Client, path: str) -> str:
    response = client.get(path, headers=ROOT)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("path", ["/", "/signup/", "/find-my-portal/", "/accounts/login/"])
def test_every_public_page_has_the_header_s_ways_in_and_one_h1(client: Client, path: str) -> None:
    page = page_of(client, path)

    header = page.split('<header class="site-header">')[1].split("</header>")[0]
    for link in ('href="/find-my-portal/">Find your portal', 'href="/accounts/login/">Operator sign in'):
        assert link in header, link
    assert re.search(r'<a href="/signup/" class="btn btn-primary btn-sm[^"]*"[^>]*>Start a portal</a>', header)
    assert '<footer class="site-footer">' in page
    assert page.count("<h1") == 1


def test_the_landing_page_leads_to_signup_first_then_to_finding_a_portal(client: Client) -> None:
    page = page_of(client, "/")

    hero = page.split('class="hero"')[1].split("</section>")[0]
    start = re.search(r'<a href="/signup/" class="btn btn-primary[^>]*>.*?Start your portal</a>', hero, re.S)
    find = re.search(r'<a href="/find-my-portal/" class="btn btn-secondary[^>]*>.*?Find your portal</a>', hero, re.S)
    assert start
    assert find
    assert start.start() < find.start()
    assert page.count('class="feature-icon"') == 6
    assert '<ol class="steps">' in page


def test_the_signup_form_labels_each_field_above_it_and_shows_the_subdomain_suffix(client: Client) -> None:
    page = page_of(client, "/signup/")

    for name in ("company_name", "subdomain", "owner_name", "email", "password", "brand_color", "logo"):
        label, field = page.find(f'<label for="id_{name}"'), page.find(f'id="id_{name}"')
        assert 0 < label < field, name
    suffix = r'<div class="input-affix">\s*<input[^>]*name="subdomain".*?<span class="affix"[^>]*>\.localhost</span>'
    assert re.search(suffix, page, re.S)
    assert 'aria-describedby="id_subdomain_helptext"' in page
    assert 'type="color"' in page
    assert "novalidate" in page


def test_a_refused_signup_keeps_the_suffix_and_ties_the_error_to_the_subdomain(client: Client) -> None:
    response = client.post("/signup/", {"subdomain": "www"}, headers=ROOT)

    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in page
    assert 'aria-describedby="id_subdomain_helptext id_subdomain_error"' in page
    assert re.search(r'<ul class="field-errors" id="id_subdomain_error">\s*<li>“www” is reserved\.', page)
    assert ".localhost</span>" in page


@pytest.mark.parametrize("path", ["/find-my-portal/", "/accounts/login/"])
def test_the_small_forms_sit_in_the_entrance_card(client: Client, path: str) -> None:
    assert 'class="entrance-card site-entrance"' in page_of(client, path)


def test_the_sent_page_says_what_happens_next(client: Client) -> None:
    response = client.post("/find-my-portal/", {"email": "nobody@nowhere.test"}, headers=ROOT)

    page = response.content.decode()
    assert 'class="entrance-card site-entrance"' in page
    assert "<h1>Check your inbox</h1>" in page
    assert 'href="/find-my-portal/"' in page
    assert "Try another address" in page
