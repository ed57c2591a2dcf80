"""The demo portal's past: six weeks of a consultancy's work with its clients (clients added, contacts invited
and joining, documents published and revised, comments, an internal note, downloads), dated in the past through
the owner-only path (`portal.activity.history`), so the audit log, the timelines and the documents show a
history from the first `make run`.

Idempotent item by item: each object is looked up by what names it (a folder by name, a document by title, a
comment by author and text, an event by verb and target) and written, with its event, only when missing; a second
run writes nothing. Nobody is notified: this is history, not news. Dates are days before the first run, at office
hours in the portal's time zone.
"""

import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from portal.access.models import Invitation, InvitationKind
from portal.activity.history import ensure_owner, record_at
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg, Contact
from portal.conversations.models import Comment
from portal.conversations.registry import commentable_for
from portal.documents.models import Category, Document, DocumentVersion, DownloadEvent, Folder
from tenants.models import Tenant

When = tuple[int, int, int]  # days before today, hour, minute (the portal's local time)


@dataclass(frozen=True)
class Onboarding:
    client: str
    created_by: str
    created: When


@dataclass(frozen=True)
class Joining:
    email: str
    invited_by: str
    invited: When
    joined: When


@dataclass(frozen=True)
class DemoDocument:
    client: str
    folder: str
    title: str
    category: str
    by: str
    versions: tuple[When, ...]  # when each version was published, the first one first
    lines: tuple[str, ...]
    internal_folder: bool = False


@dataclass(frozen=True)
class DemoComment:
    on: str  # a document's title, or a client's name for the organisation itself
    by: str
    at: When
    body: str
    internal: bool = False


@dataclass(frozen=True)
class DemoDownload:
    document: str
    by: str
    at: When
    version: int = 1


OLIVIA, ADAM, MIA = "olivia.owner@northwind.example", "adam.admin@northwind.example", "mia.member@northwind.example"
CARLA, FRANK, PAULA = "carla.admin@contoso.example", "frank.finance@contoso.example", "paula.lead@contoso.example"
VICTOR, HANA, FRED = "victor.viewer@contoso.example", "hana.admin@fabrikam.example", "fred.finance@fabrikam.example"
LENA = "lena.lead@litware.example"
CONTOSO, FABRIKAM, LITWARE = "Contoso Retail", "Fabrikam Health", "Litware Logistics"
SOW, DISCOVERY, LOYALTY = "Statement of work: retail analytics", "Discovery workshop summary", "Loyalty data model"
RENEWAL, GAP, ROUTES = "Renewal planning", "Compliance gap analysis", "Route optimisation proposal"

ONBOARDING = (
    Onboarding(CONTOSO, OLIVIA, (45, 9, 10)),
    Onboarding(FABRIKAM, ADAM, (44, 14, 30)),
    Onboarding(LITWARE, OLIVIA, (38, 11, 5)),
)
JOININGS = (
    Joining(CARLA, MIA, (43, 10, 0), (42, 8, 45)),
    Joining(HANA, ADAM, (42, 16, 20), (41, 9, 30)),
    Joining(FRANK, CARLA, (41, 11, 15), (40, 13, 0)),
    Joining(PAULA, CARLA, (41, 11, 20), (39, 17, 40)),
    Joining(LENA, OLIVIA, (37, 15, 0), (36, 10, 10)),
    Joining(FRED, HANA, (35, 9, 50), (34, 14, 25)),
    Joining(VICTOR, CARLA, (30, 10, 30), (29, 8, 55)),
)
DOCUMENTS = (
    DemoDocument(
        CONTOSO,
        "Contracts and statements of work",
        SOW,
        Category.CONTRACT,
        MIA,
        ((40, 15, 30),),
        (
            "Scope: sales and loyalty analytics for 120 stores.",
            "Phases: discovery, data model, dashboards.",
            "Budget: 38 consultant days. Signed by both parties.",
        ),
    ),
    DemoDocument(
        CONTOSO,
        "Engagement documents",
        DISCOVERY,
        Category.REPORT,
        MIA,
        ((27, 16, 0),),
        (
            "Two workshops with store operations and finance.",
            "Agreed priorities: basket analysis first,",
            "then loyalty segments; weekly figures by Monday 9:00.",
        ),
    ),
    DemoDocument(
        CONTOSO,
        "Engagement documents",
        LOYALTY,
        Category.DELIVERABLE,
        MIA,
        ((20, 11, 45), (8, 10, 15)),
        (
            "Entities: member, card, transaction, store, campaign.",
            "Version 2 adds campaign attribution",
            "and the loyalty card data asked for in phase 2.",
        ),
    ),
    DemoDocument(
        CONTOSO,
        "Account planning",
        RENEWAL,
        Category.OTHER,
        OLIVIA,
        ((15, 18, 5),),
        ("Renewal in Q3: propose a dashboards retainer.", "Risks: budget freeze in retail, new CFO."),
        internal_folder=True,
    ),
    DemoDocument(
        FABRIKAM,
        "Audit and compliance",
        GAP,
        Category.REPORT,
        ADAM,
        ((22, 14, 0),),
        (
            "Reviewed 14 processes against the data protection policy.",
            "Three gaps: retention of lab",
            "results, access reviews, supplier contracts.",
        ),
    ),
    DemoDocument(
        LITWARE,
        "Proposals",
        ROUTES,
        Category.DELIVERABLE,
        OLIVIA,
        ((12, 9, 40),),
        (
            "Route planning for 40 vans across two depots.",
            "Expected: 11% fewer kilometres,",
            "pilot in the northern depot first.",
        ),
    ),
)
COMMENTS = (
    DemoComment(SOW, FRANK, (39, 10, 5), "Signed on our side. The purchase order follows this week."),
    DemoComment(DISCOVERY, PAULA, (26, 9, 20), "Thanks! Could phase 2 include the loyalty card data?"),
    DemoComment(DISCOVERY, MIA, (26, 11, 0), "Yes: we will add it to the data model, draft in about two weeks."),
    DemoComment(
        CONTOSO,
        MIA,
        (25, 17, 30),
        "Paula asked for the loyalty data in phase 2: check the budget with Olivia before we confirm dates.",
        internal=True,
    ),
    DemoComment(GAP, HANA, (20, 15, 10), "Our data protection officer has two questions on section 3. Thursday?"),
    DemoComment(GAP, ADAM, (19, 9, 0), "Thursday 14:00 works. I will bring the retention schedule."),
    DemoComment(LITWARE, LENA, (11, 8, 40), "Looking forward to the proposal review on Monday."),
    DemoComment(LOYALTY, CARLA, (7, 16, 45), "Reviewed version 2 with the team: approved, go ahead with dashboards."),
)
DOWNLOADS = (
    DemoDownload(SOW, FRANK, (39, 9, 50)),
    DemoDownload(DISCOVERY, PAULA, (26, 9, 5)),
    DemoDownload(DISCOVERY, VICTOR, (24, 13, 30)),
    DemoDownload(GAP, HANA, (21, 10, 0)),
    DemoDownload(LOYALTY, CARLA, (7, 15, 50), version=2),
)


class DemoClock:
    """Turns `When` into an aware datetime, days before the run's today at the portal's local time."""

    def __init__(self, tenant: Tenant) -> None:
        self.zone = zoneinfo.ZoneInfo(tenant.time_zone)
        self.today = timezone.localdate(timezone.now(), self.zone)

    def __call__(self, when: When) -> datetime:
        days, hour, minute = when
        return datetime.combine(self.today - timedelta(days=days), time(hour, minute), tzinfo=self.zone)


def seed_history(tenant: Tenant) -> int:
    """Write whatever of the demo's history is missing, in the tenant's schema (call inside `tenant_context` and
    a transaction, as the owner). Returns the number of events written."""
    ensure_owner(ActivityEvent._meta.db_table, DownloadEvent._meta.db_table)
    at = DemoClock(tenant)
    people = {user.email: user for user in User.objects.all()}
    orgs = {org.name: org for org in ClientOrg.objects.all()}
    written = 0

    def record(
        when: When, actor: str, verb: str, target: Model, *, internal: bool = False, data: dict[str, Any] | None = None
    ) -> None:
        nonlocal written
        record_at(at(when), actor=people[actor], verb=verb, target=target, internal=internal, data=data)
        written += 1

    def recorded(verb: str, target: Model) -> bool:
        events = ActivityEvent.objects.filter(verb=verb, target_type=target._meta.label_lower, target_id=target.pk)
        return events.exists()

    for step in ONBOARDING:
        org = orgs[step.client]
        if not recorded("client.created", org):
            ClientOrg.objects.filter(pk=org.pk).update(created_at=at(step.created))
            record(step.created, step.created_by, "client.created", org)

    for joining in JOININGS:
        contact = Contact.objects.select_related("user", "role", "client_org").get(user__email=joining.email)
        invitation = Invitation.objects.filter(email=joining.email, accepted_at__isnull=False).first()
        if invitation is None:
            invitation = Invitation.objects.create(
                email=joining.email, full_name=contact.user.full_name, kind=InvitationKind.CONTACT,
                client_org=contact.client_org, role=contact.role,
                token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(), invited_by=people[joining.invited_by],
                sent_at=at(joining.invited), expires_at=at(joining.invited) + timedelta(days=7),
                accepted_at=at(joining.joined), accepted_by=contact.user,
            )  # fmt: skip
            Invitation.objects.filter(pk=invitation.pk).update(created_at=at(joining.invited))
            record(joining.invited, joining.invited_by, "contact.invited", invitation, data={"email": joining.email})
        if not recorded("contact.joined", contact):
            Contact.objects.filter(pk=contact.pk).update(created_at=at(joining.joined))
            User.objects.filter(pk=contact.user_id).update(date_joined=at(joining.joined))
            record(joining.joined, joining.email, "contact.joined", contact)

    documents = {}
    for item in DOCUMENTS:
        folder, created = Folder.objects.get_or_create(
            client_org=orgs[item.client], name=item.folder, defaults={"internal": item.internal_folder}
        )
        if created:
            Folder.objects.filter(pk=folder.pk).update(created_at=at(item.versions[0]))
        document = Document.objects.filter(folder=folder, title=item.title).first()
        if document is None:
            document = Document.objects.create(folder=folder, title=item.title, category=item.category)
        documents[item.title] = document
        for number, when in enumerate(item.versions, start=1):
            if DocumentVersion.objects.filter(document=document, number=number).exists():
                continue
            content = demo_pdf(item.title, f"Version {number}", *item.lines[: 1 + number * 2])
            name = f"{item.title.split(':')[0].lower().replace(' ', '-')}.pdf"
            version = DocumentVersion(
                document=document, number=number, original_name=name, size=len(content),
                sha256=hashlib.sha256(content).hexdigest(), content_type="application/pdf",
                uploaded_by=people[item.by], scan_status="not_configured",
            )  # fmt: skip
            version.file.save(name, ContentFile(content), save=False)
            version.save()
            DocumentVersion.objects.filter(pk=version.pk).update(uploaded_at=at(when))
            dates = {"updated_at": at(when)} | ({"created_at": at(when)} if number == 1 else {})
            Document.objects.filter(pk=document.pk).update(**dates)
            verb = "document.published" if number == 1 else "document.version_added"
            record(when, item.by, verb, document, data={"version": number, "file": name})

    for comment in COMMENTS:
        target = documents.get(comment.on) or orgs[comment.on]
        entry = commentable_for(target)
        author = people[comment.by]
        if Comment.objects.filter(
            target_type=entry.type_code, target_id=target.pk, author=author, body=comment.body
        ).exists():
            continue
        org_id = target.pk if isinstance(target, ClientOrg) else target.folder.client_org_id
        made = Comment.objects.create(
            target_type=entry.type_code, target_id=target.pk, client_org_id=org_id, author=author,
            body=comment.body, internal=comment.internal,
        )  # fmt: skip
        Comment.objects.filter(pk=made.pk).update(created_at=at(comment.at))
        data = {"excerpt": comment.body[:200], "target_type": entry.type_code, "target_id": target.pk, "excluded": []}
        verb = "note.added" if comment.internal else "comment.added"
        record(comment.at, comment.by, verb, target, internal=comment.internal, data=data)

    for download in DOWNLOADS:
        document = documents[download.document]
        user = people[download.by]
        if DownloadEvent.objects.filter(document_id=document.pk, person_id=user.pk).exists():
            continue
        version = DocumentVersion.objects.get(document=document, number=download.version)
        DownloadEvent.objects.create(
            version=version, user=user, document_id=document.pk, document_title=document.title[:200],
            version_number=version.number, person_id=user.pk, user_label=user.email, inline=False,
            at=at(download.at),
        )  # fmt: skip
        record(download.at, download.by, "document.downloaded", document, data={"version": version.number,
               "inline": False})  # fmt: skip
    return written


def demo_pdf(title: str, *lines: str) -> bytes:
    """A one-page PDF (A4, Helvetica) with a title and a few lines: small, valid, and made here."""

    def text(value: str) -> str:
        return (
            value.replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
            .encode("latin-1", "replace")
            .decode("latin-1")
        )

    body = [f"BT /F1 18 Tf 72 770 Td ({text(title)}) Tj ET"]
    body += [f"BT /F1 11 Tf 72 {740 - 18 * index} Td ({text(line)}) Tj ET" for index, line in enumerate(lines)]
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
