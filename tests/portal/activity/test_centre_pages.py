"""The notification centre, the notification settings and the audit log on the design system: unread items stand
out and can be marked read, an empty centre says what comes there, each kind of news is a labelled group of
choices, and the audit log pages through the history with the export beside it."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity.models import Notification
from portal.clients.models import ClientOrg
from portal.conversations.services import comment_add

pytestmark = pytest.mark.django_db


def user(email: str) -> User:
    return User.objects.get(email=email)


def test_unread_notifications_stand_out_and_are_marked_read_in_place(
    as_user: Callable[[Any], Client], told: Callable[[], Any]
) -> None:
    Notification.objects.filter(user__email="victor.viewer@contoso.example").update(read_at="2026-01-01T00:00Z")
    with told():
        comment_add(actor=actor_for(user("paula.lead@contoso.example")),
                    target=ClientOrg.objects.get(name="Contoso Retail"), body="Fresh news")  # fmt: skip
    victor = as_user(user("victor.viewer@contoso.example"))
    mine = Notification.objects.get(user__email="victor.viewer@contoso.example", read_at__isnull=True)

    page = victor.get(reverse("activity:notifications")).content.decode()
    assert page.count('<li class="unread">') == 1
    assert "Unread:" in page
    assert "1 unread" in page
    assert "Notifications: 1 unread" in page  # the bell's name
    assert reverse("activity:read", kwargs={"notification_id": mine.pk}) in page
    assert reverse("activity:read_all") in page

    swapped = victor.post(reverse("activity:read", kwargs={"notification_id": mine.pk}), headers={"hx-request": "true"})
    assert '<li class="unread">' not in swapped.content.decode()
    assert "All read" in swapped.content.decode()
    assert reverse("activity:read_all") not in swapped.content.decode()
    # the top bar's bell and the sidebar's count follow (out-of-band swaps), now with nothing unread
    assert '<a class="btn btn-icon" id="bell" href="/notifications/" hx-swap-oob="true">' in swapped.content.decode()
    assert "Notifications: 0 unread" in swapped.content.decode()
    assert '<span id="nav-count-notifications" hx-swap-oob="true">\n</span>' in swapped.content.decode()


def test_an_empty_centre_says_what_comes_there_and_where_to_choose(as_user: Callable[[Any], Client]) -> None:
    newcomer = user("lena.lead@litware.example")
    Notification.objects.filter(user=newcomer).delete()

    page = as_user(newcomer).get(reverse("activity:notifications")).content.decode()

    assert "You are all caught up" in page
    assert page.count(reverse("activity:preferences")) >= 2  # the header's action and the empty state's


def test_each_kind_of_news_is_a_labelled_group_of_choices(as_user: Callable[[Any], Client]) -> None:
    page = as_user(user("victor.viewer@contoso.example")).get(reverse("activity:preferences")).content.decode()

    assert '<fieldset class="field choices pref-row"' in page
    assert "<legend>New comments" in page
    assert page.count('type="radio" name="comment.added"') == 3
    assert 'name="note.added"' not in page


def test_the_audit_log_pages_and_exports_what_is_filtered(
    as_user: Callable[[Any], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("portal.activity.views.AUDIT_PAGE_SIZE", 10)
    owner = as_user(user("olivia.owner@northwind.example"))

    first = owner.get(reverse("activity:audit_log"))
    html = first.content.decode()
    page = first.context["page"]
    assert len(first.context["events"]) == page.paginator.per_page < page.paginator.count
    assert 'class="pagination"' in html
    assert "?page=2" in html
    assert 'data-label="Who"' in html
    assert 'href="?format=csv"' in html
    filtered = owner.get(reverse("activity:audit_log"), {"verb": "comment.added", "page": "2"}).content.decode()
    assert 'href="?verb=comment.added&amp;format=csv"' in filtered  # the export keeps the filters, not the page
