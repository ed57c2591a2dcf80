"""The living style guide (`/_styleguide/` on portal hosts): every component of templates/cotton/ in each of its
states, in the portal's own brand, so a new feature reuses rather than invents.

Development only: served when `DEBUG` or `STYLEGUIDE_ENABLED` is true, a 404 otherwise (production settings
pin `STYLEGUIDE_ENABLED` off). Its sample data is built here, in memory: a bound form with errors, a `Paginator`
page, datetimes around now. It reads and writes nothing of the portal's data. It wears `public` (anyone who can
reach a development server may look); signed-in people see it inside the app shell, others in a plain layout."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal.access.attention import Need
from portal.access.http import PortalRequest, public

# The colour tokens shown as swatches; each has a `.sg-<token>` class in portico.css (no inline styles: CSP).
TOKENS = (
    "brand", "accent", "on-accent", "accent-ink", "accent-soft", "on-accent-soft", "focus",
    "surface", "canvas", "surface-2", "border", "border-strong", "text", "text-muted",
    "success", "success-soft", "warning", "warning-soft", "danger", "danger-soft", "info", "info-soft",
    "internal", "internal-soft",
)  # fmt: skip
BUTTON_VARIANTS = ("primary", "secondary", "ghost", "danger", "danger-ghost")
PILL_TONES = ("neutral", "success", "warning", "danger", "info", "accent")
ICONS = (
    "home", "building-office-2", "users", "document-text", "folder-open", "chat-bubble-left-right", "bell",
    "clock", "lock-closed", "cog-6-tooth", "trash", "pencil-square", "arrow-down-tray", "eye", "plus",
    "magnifying-glass",
)  # fmt: skip


def enabled() -> bool:
    return bool(settings.DEBUG or getattr(settings, "STYLEGUIDE_ENABLED", False))


class FieldsForm(forms.Form):
    """One field of each kind `<c-field>` draws."""

    name = forms.CharField(label=_("Organisation name"), help_text=_("As your clients know it."))
    email = forms.EmailField(label=_("Billing e-mail"), help_text=_("Invoices go to this address."))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("client", _("Client")), ("prospect", _("Prospect")), ("partner", _("Partner"))]
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    newsletter = forms.BooleanField(
        label=_("Send them our monthly update"), required=False, help_text=_("They can unsubscribe at any time.")
    )
    topics = forms.MultipleChoiceField(
        label=_("What they may see"),
        widget=forms.CheckboxSelectMultiple,
        choices=[("documents", _("Documents")), ("invoices", _("Invoices")), ("requests", _("Requests"))],
        help_text=_("Each contact's role can narrow this further."),
    )
    visibility = forms.ChoiceField(
        label=_("Who sees new documents"),
        widget=forms.RadioSelect,
        choices=[("everyone", _("Everyone in the organisation")), ("managers", _("Their managers only"))],
    )
    contract = forms.FileField(label=_("Signed contract"), required=False, help_text=_("PDF, at most 10 MB."))


class InviteForm(forms.Form):
    """A short form as `<c-form>` draws it whole."""

    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=[("viewer", _("Viewer")), ("admin", _("Client admin"))])


def fields_with_errors() -> FieldsForm:
    """A submitted form with a wrong e-mail, a missing choice and a form-wide error, as a refused POST shows it."""
    form = FieldsForm(
        data={"name": "Contoso Retail", "email": "not-an-address", "kind": "client", "topics": ["documents"]}
    )
    form.is_valid()
    form.add_error(None, _("An organisation with this name already exists."))
    return form


@dataclass
class Row:
    name: str
    owner: str
    owner_email: str
    status: str
    tone: str
    updated: datetime


def sample_times(now: datetime) -> list[tuple[str, datetime]]:
    """(what it shows, when) for each wording of `relative`."""
    return [
        (str(_("Just now")), now - timedelta(seconds=20)),
        (str(_("Minutes ago")), now - timedelta(minutes=12)),
        (str(_("Hours ago")), now - timedelta(hours=3)),
        (str(_("Yesterday")), now - timedelta(days=1)),
        (str(_("Days ago")), now - timedelta(days=4)),
        (str(_("Last year")), now - timedelta(days=400)),
        (str(_("In the future")), now + timedelta(days=3)),
    ]


def sample_page() -> Page:
    return Paginator(list(range(1, 48)), 10).page(2)


def sample_context(now: datetime) -> dict[str, Any]:
    rows = [
        Row("Statement of work.pdf", "Olivia Owner", "olivia@northwind.example", str(_("Approved")), "success",
            now - timedelta(minutes=40)),
        Row("Quarterly report - a long name that wraps on small screens.xlsx", "Carla Admin",
            "carla@contoso.example", str(_("Waiting for you")), "warning", now - timedelta(days=1)),
        Row("Kick-off notes.docx", "Mia Member", "mia@northwind.example", str(_("Draft")), "neutral",
            now - timedelta(days=9)),
    ]  # fmt: skip
    needs = [
        Need("comments", _("unread comments"), _("on Statement of work, Kick-off notes"), "#sg-needs",
             "chat-bubble-left-right", 3),
        Need("documents", _("new documents"), _("since your last visit"), "#sg-needs", "document-text", 5),
        Need("decisions", _("decisions waiting"), "", "#sg-needs", "check-badge", 1),
    ]  # fmt: skip
    messages = [
        Message(message_levels.SUCCESS, gettext("The client is saved.")),
        Message(message_levels.INFO, gettext("Invitations expire after 14 days.")),
        Message(message_levels.WARNING, gettext("This portal's trial ends in 3 days.")),
        Message(message_levels.ERROR, gettext("The file could not be uploaded. Please try again.")),
    ]
    return {
        "tokens": TOKENS,
        "button_variants": BUTTON_VARIANTS,
        "pill_tones": PILL_TONES,
        "icons": ICONS,
        "fields_form": fields_with_errors(),
        "invite_form": InviteForm(),
        "rows": rows,
        "page_obj": sample_page(),
        "times": sample_times(now),
        "needs": needs,
        "sample_messages": messages,
        "comment_times": (now - timedelta(hours=2), now - timedelta(minutes=25)),
        "people": ("Olivia Owner", "Adam Admin", "Mia Member", "Carla Admin", "Victor Viewer", "Zoë Ångström"),
    }


@public  # development only: the first thing the view does is refuse when the style guide is off
@require_safe
def styleguide(request: PortalRequest) -> HttpResponse:
    """Every component in every state, with sample data made in memory."""
    if not enabled():
        raise Http404
    actor = request.actor
    in_shell = request.user.is_authenticated and (actor.is_staff or actor.contact is not None)
    context = {
        **sample_context(timezone.now()),
        "layout": "portal/base.html" if in_shell else "styleguide/layout.html",
    }
    return render(request, "styleguide/index.html", context)
