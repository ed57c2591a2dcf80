"""The decision record of a deliverable, as a PDF a client can file: the versions delivered (each with its
SHA-256) and every decision on them, in order. WeasyPrint renders it from a standalone print template with its own
CSS; it fetches nothing (the fetcher refuses every URL but `data:`) and needs Debian's Pango at run time
(`make system-deps`), so it is imported when a record is made, not when the portal starts."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.engagements.models import Decision, Deliverable, DeliverableVersion

TEMPLATE = "portal/engagements/decision_record.html"


def turnaround(submitted_at: datetime.datetime | None, decided_at: datetime.datetime) -> str:
    """From submission to decision, in hours under two days and in days beyond, in calendar time."""
    if submitted_at is None:
        return "—"
    hours = max((decided_at - submitted_at).total_seconds(), 0) / 3600
    if hours < 48:
        return _("%(hours)s h") % {"hours": formats.number_format(round(hours, 1), 1)}
    return _("%(days)s days") % {"days": formats.number_format(round(hours / 24, 1), 1)}


def decision_record_pdf(
    deliverable: Deliverable,
    versions: Iterable[DeliverableVersion],
    decisions: Iterable[Decision],
    *,
    provider_name: str,
    generated_at: datetime.datetime,
    time_zone: str,
) -> bytes:
    """The record as PDF bytes, its times in `time_zone` (the portal's). `deliverable` comes with its project and
    client organisation, `decisions` with their version (the selectors' querysets), oldest decision first."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with timezone.override(time_zone):
        context: dict[str, Any] = {
            "provider_name": provider_name,
            "deliverable": deliverable,
            "project": deliverable.project,
            "org": deliverable.project.client_org,
            "versions": sorted(versions, key=lambda version: version.number),
            "decisions": [
                {"decision": decision, "turnaround": turnaround(decision.submitted_at, decision.decided_at)}
                for decision in decisions
            ],
            "generated_at": timezone.localtime(generated_at),
            "time_zone": time_zone,
        }
        html = render_to_string(TEMPLATE, context)
    # Only data: URLs (none today): no file of the server and no address of the network is ever read.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()  # no target: the bytes
    return pdf
