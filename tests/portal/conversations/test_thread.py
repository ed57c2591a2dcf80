"""The comment thread after the review (issue 13): internal notes cannot be mistaken for replies, the mention
picker offers exactly the people the author may mention, unread comments reach "what needs you", and every
notification of a comment leads to the comment itself."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access import attention
from portal.access.models import Role
from portal.access.policy import Actor, actor_for
from portal.activity import digest
from portal.activity.models import Frequency, Notification, NotificationPreference
from portal.clients.models import ClientOrg
from portal.conversations.models import Comment
from portal.conversations.selectors import mention_candidates
from portal.conversations.services import comment_add
from portal.documents.models import Document, Folder
from portal.documents.services import document_delete, documents_upload
from tests.portal.factories import ContactFactory, StaffFactory, make_user

pytestmark = pytest.mark.django_db


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def user(email: str) -> User:
    return User.objects.get(email=email)


def person(email: str) -> Actor:
    return actor_for(user(email))


def document(internal: bool = False) -> Document:
    folder = Folder.objects.create(
        client_org=contoso(), name="Staff workings" if internal else "Reports", internal=internal
    )
    upload = [SimpleUploadedFile("plan.txt", b"plan")]
    [published] = documents_upload(actor=person("mia.member@northwind.example"), folder=folder, uploads=upload)
    return published


def mentions_url(type_code: str, target_id: int) -> str:
    return reverse("conversations:mentions", kwargs={"type_code": type_code, "target_id": target_id})


# --- internal notes ---------------------------------------------------------------------------------------------------


def test_internal_notes_say_so_and_staff_choose_explicitly(as_user: Callable[[Any], Client], in_demo: Any) -> None:
    comment_add(actor=person("mia.member@northwind.example"), target=contoso(), body="Renewal at risk", internal=True)
    comment_add(actor=person("paula.lead@contoso.example"), target=contoso(), body="Kick-off on Monday")
    page = reverse("clients:detail", kwargs={"org_id": contoso().pk})

    staff = as_user(user("mia.member@northwind.example")).get(page).content.decode()
    notes = re.findall(r'<li id="comment-\d+" class="comment internal">.*?</li>', staff, re.S)
    [note] = [note for note in notes if "Renewal at risk" in note]
    assert "Internal note — only staff see this" in note
    assert "<svg" in note
    [reply] = [c for c in re.findall(r'<li id="comment-\d+" class="comment">.*?</li>', staff, re.S) if "Kick-off" in c]
    assert "only staff" not in reply
    assert '<input type="radio" name="internal" value="" checked>' in staff
    assert "Reply to the client" in staff
    assert '<input type="radio" name="internal" value="on">' in staff

    contact = as_user(user("paula.lead@contoso.example")).get(page).content.decode()
    assert "Renewal at risk" not in contact
    assert 'name="internal"' not in contact
    assert "Internal note" not in contact


def test_the_composer_posts_a_reply_or_an_internal_note(as_user: Callable[[Any], Client], in_demo: Any) -> None:
    mia = as_user(user("mia.member@northwind.example"))
    url = reverse("conversations:add", kwargs={"type_code": "client", "target_id": contoso().pk})

    mia.post(url, {"body": "For the client", "internal": ""})
    mia.post(url, {"body": "For the team", "internal": "on"})

    assert Comment.objects.get(body="For the client").internal is False
    assert Comment.objects.get(body="For the team").internal is True


# --- the mention picker ----------------------------------------------------------------------------------------------


def who_opens(as_user: Callable[[Any], Client], url: str) -> set[str]:
    """Everyone active whose browser opens `url`: the people who may see a comment there."""
    return {
        someone.email for someone in User.objects.filter(is_active=True) if as_user(someone).get(url).status_code == 200
    }


@pytest.mark.parametrize("target", ["client", "document", "document-internal"])
def test_the_picker_offers_exactly_the_people_the_author_may_mention(
    as_user: Callable[[Any], Client], in_demo: Any, target: str
) -> None:
    StaffFactory(user=make_user("sam.member@northwind.example"))  # staff who does not reach Contoso
    overview = Role.objects.create(name="Overview", slug="overview", custom_capabilities=["organisation.view"])
    ContactFactory(client_org=contoso(), user=make_user("nina.none@contoso.example"), role=overview)
    if target == "client":
        made: Any = contoso()
        page = reverse("clients:detail", kwargs={"org_id": made.pk})
    else:
        made = document(internal=target.endswith("internal"))
        page = reverse("documents:detail", kwargs={"document_id": made.pk})
    readers = who_opens(as_user, page)
    staff = set(User.objects.filter(staff__isnull=False).values_list("email", flat=True))

    for author in ("carla.admin@contoso.example", "mia.member@northwind.example"):
        if author not in readers:
            continue
        offered = {p.email for p in mention_candidates(person(author), made, internal=False)}
        assert offered == readers - {author}, author
        if author in staff:
            notes = {p.email for p in mention_candidates(person(author), made, internal=True)}
            assert notes == (readers & staff) - {author}, author
    assert not {p.email for p in mention_candidates(person("carla.admin@contoso.example"), contoso(), internal=False)
                if not p.email.endswith(("@contoso.example", "@northwind.example"))}  # fmt: skip


def test_a_contact_who_may_not_see_colleagues_is_offered_staff_only(in_demo: Any) -> None:
    """The picker is no back door to the roster that `contacts.view` gates: such a contact finds only the staff
    who may see the comment (a colleague's full address still mentions them, as it did before the picker)."""
    commenter = Role.objects.create(
        name="Commenter", slug="commenter", custom_capabilities=["organisation.view", "comments.create"]
    )
    ContactFactory(client_org=contoso(), user=make_user("cole.commenter@contoso.example"), role=commenter)
    staff = set(User.objects.filter(staff__isnull=False).values_list("email", flat=True))

    offered = {p.email for p in mention_candidates(person("cole.commenter@contoso.example"), contoso(), internal=False)}

    assert offered
    assert offered <= staff
    assert "carla.admin@contoso.example" not in offered


def test_the_picker_answers_over_http_with_matching_people_of_the_authors_own_organisation(
    as_user: Callable[[Any], Client], in_demo: Any
) -> None:
    carla = as_user(user("carla.admin@contoso.example"))
    fabrikam = ClientOrg.objects.get(name="Fabrikam Health")

    answer = carla.get(mentions_url("client", contoso().pk), {"q": "vic"}).json()
    assert answer == {"people": [{"name": "Victor Viewer", "email": "victor.viewer@contoso.example"}]}
    assert carla.get(mentions_url("client", contoso().pk), {"q": "hana"}).json() == {"people": []}
    assert carla.get(mentions_url("client", contoso().pk), {"q": "fabrikam"}).json() == {"people": []}
    assert carla.get(mentions_url("client", fabrikam.pk), {"q": "hana"}).status_code == 404
    assert carla.get(mentions_url("client", contoso().pk), {"q": "mia", "internal": "1"}).status_code == 404
    victor = as_user(user("victor.viewer@contoso.example"))  # may not comment, so may not mention
    assert victor.get(mentions_url("client", contoso().pk), {"q": "carla"}).status_code == 404


def test_the_picker_is_rate_limited_per_person(
    as_user: Callable[[Any], Client], in_demo: Any, settings: Any, clean_cache: None
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.MENTION_LOOKUP_RATE = "3/m"
    carla = as_user(user("carla.admin@contoso.example"))
    mia = as_user(user("mia.member@northwind.example"))
    url = mentions_url("client", contoso().pk)

    answers = [carla.get(url, {"q": letter}) for letter in "abcd"]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert "faster than this portal allows" in answers[-1].json()["error"]
    assert mia.get(url, {"q": "a"}).status_code == 200  # per person


def test_the_thread_offers_the_picker_accessibly(as_user: Callable[[Any], Client], in_demo: Any) -> None:
    page = as_user(user("carla.admin@contoso.example")).get(reverse("clients:detail", args=[contoso().pk]))
    html = page.content.decode()

    assert f'data-mentions="{mentions_url("client", contoso().pk)}"' in html
    assert 'aria-autocomplete="list" aria-controls="comment-mentions"' in html
    assert 'id="comment-mentions" class="mention-list" role="listbox" aria-label="People you can mention"' in html
    assert "conversations/mentions.js" in html
    assert '<label for="comment-body">' in html


def test_a_mention_picked_from_the_list_is_a_mention_the_service_reads(in_demo: Any, told: Any) -> None:
    [victor] = mention_candidates(person("carla.admin@contoso.example"), contoso(), internal=False, query="victor")
    with told():
        comment = comment_add(
            actor=person("carla.admin@contoso.example"), target=contoso(), body=f"@{victor.email} ok?"
        )

    assert list(comment.mentions.all()) == [victor]


# --- "what needs you": unread comments ---------------------------------------------------------------------------


def unread_need(email: str) -> attention.Need | None:
    return next((need for need in attention.needs_for(person(email)) if need.key == "unread-comments"), None)


def test_unread_comments_need_the_person_until_read(as_user: Callable[[Any], Client], told: Any) -> None:
    shared = document()
    assert unread_need("victor.viewer@contoso.example") is None
    with told():
        comment_add(actor=person("paula.lead@contoso.example"), target=contoso(), body="First")
        latest = comment_add(actor=person("paula.lead@contoso.example"), target=shared, body="Second")
        comment_add(actor=person("mia.member@northwind.example"), target=contoso(), body="Staff only", internal=True)

    need = unread_need("victor.viewer@contoso.example")
    assert need is not None
    assert need.count == 2  # the internal note is not his to read
    assert str(need.title) == "unread comments"
    assert need.url == reverse("documents:detail", kwargs={"document_id": shared.pk}) + f"#comment-{latest.pk}"
    assert str(need.detail) == f"on {shared.title}, Contoso Retail"
    staff_need = unread_need("olivia.owner@northwind.example")
    assert staff_need is not None
    assert staff_need.count == 3
    home = as_user(user("victor.viewer@contoso.example")).get("/").content.decode()
    assert need.url in home

    Notification.objects.filter(user=user("victor.viewer@contoso.example")).update(read_at="2026-01-01T00:00Z")
    assert unread_need("victor.viewer@contoso.example") is None


def test_a_mention_is_one_unread_comment(told: Any, in_demo: Any) -> None:
    with told():
        comment_add(
            actor=person("carla.admin@contoso.example"), target=contoso(), body="@victor.viewer@contoso.example?"
        )

    need = unread_need("victor.viewer@contoso.example")
    assert need is not None
    assert need.count == 1


# --- links lead to the item ------------------------------------------------------------------------------------------


def test_notifications_e_mails_and_digests_lead_to_the_comment(as_user: Callable[[Any], Client], told: Any) -> None:
    shared = document()
    victor = user("victor.viewer@contoso.example")
    NotificationPreference.objects.create(user=user("paula.lead@contoso.example"), event_type="comment.added",
                                          frequency=Frequency.DIGEST)  # fmt: skip
    mail.outbox.clear()
    with told():
        comment = comment_add(actor=person("carla.admin@contoso.example"), target=shared, body="On the document")
    item = reverse("documents:detail", kwargs={"document_id": shared.pk}) + f"#comment-{comment.pk}"

    centre = as_user(victor).get(reverse("activity:notifications")).content.decode()
    assert f'href="{item}"' in centre
    organisation_page = reverse("clients:detail", kwargs={"org_id": contoso().pk})
    assert f'href="{organisation_page}"' not in centre.split('id="notification-list"')[1]
    [to_victor] = [message for message in mail.outbox if message.to == [victor.email]]
    assert f"http://demo.localhost{item}" in str(to_victor.body)
    mail.outbox.clear()
    digest.send_digests()
    [to_paula] = [message for message in mail.outbox if message.to == ["paula.lead@contoso.example"]]
    assert f"http://demo.localhost{item}" in str(to_paula.body)
    assert as_user(victor).get(item.split("#")[0]).content.decode().count(f'id="comment-{comment.pk}"') == 1


def test_a_notification_of_a_deleted_item_leads_to_its_organisation(
    as_user: Callable[[Any], Client], told: Any
) -> None:
    shared = document()
    shared_page = reverse("documents:detail", kwargs={"document_id": shared.pk})
    with told():
        comment_add(actor=person("carla.admin@contoso.example"), target=shared, body="Soon gone")
    document_delete(actor=person("mia.member@northwind.example"), document=shared)

    page = as_user(user("victor.viewer@contoso.example")).get(reverse("activity:notifications")).content.decode()
    centre = page.split('id="notification-list"')[1]  # the list, not the navigation

    assert f'href="{reverse("clients:detail", kwargs={"org_id": contoso().pk})}"' in centre
    assert shared_page not in centre
