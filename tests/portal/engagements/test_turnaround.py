"""Approval turnaround (submission → decision): the median and 90th percentile, interpolated like PostgreSQL's
`percentile_cont`, per client and for the provider, over the decisions made in a period."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.engagements.models import Deliverable
from portal.engagements.services import (
    deliverable_add,
    deliverable_decide,
    deliverable_submit,
    deliverable_version_add,
    project_save,
)
from portal.engagements.turnaround import turnaround

pytestmark = pytest.mark.django_db


def person(email: str) -> User:
    return User.objects.get(email=email)


def decided_after(org: ClientOrg, approver: User, hours: float, n: int) -> None:
    """A deliverable of `org` submitted `hours` ago and decided now."""
    staff = actor_for(org.account_manager)
    project = project_save(actor=staff, project=None, org=org, name=f"Turnaround {org.pk}-{n}")
    deliverable = deliverable_add(actor=staff, project=project, title=f"Deliverable {n}")
    deliverable_version_add(actor=staff, deliverable=deliverable, upload=SimpleUploadedFile("d.txt", b"v1"))
    deliverable_submit(actor=staff, deliverable=deliverable)
    Deliverable.objects.filter(pk=deliverable.pk).update(submitted_at=timezone.now() - timedelta(hours=hours))
    deliverable.refresh_from_db()
    latest = deliverable.versions.get()
    deliverable_decide(actor=actor_for(approver), deliverable=deliverable, version_id=latest.pk, outcome="approved")


def interpolated(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@pytest.fixture
def decisions(in_demo: Any) -> dict[str, list[float]]:
    contoso, fabrikam = ClientOrg.objects.get(name="Contoso Retail"), ClientOrg.objects.get(name="Fabrikam Health")
    hours = {"Contoso Retail": [2.0, 4.0, 20.0], "Fabrikam Health": [8.0]}
    for n, value in enumerate(hours["Contoso Retail"]):
        decided_after(contoso, person("paula.lead@contoso.example"), value, n)
    decided_after(fabrikam, person("hana.admin@fabrikam.example"), hours["Fabrikam Health"][0], 9)
    return hours


def test_the_turnaround_is_the_interpolated_median_and_90th_percentile_per_client_and_overall(
    decisions: dict[str, list[float]],
) -> None:
    today = timezone.localdate()
    provider, clients = turnaround(actor_for(person("olivia.owner@northwind.example")), today, today)

    everything = [value for values in decisions.values() for value in values]
    assert provider.decisions == 4
    assert provider.p50_hours == pytest.approx(interpolated(everything, 0.5), abs=0.05)  # 6.0
    assert provider.p90_hours == pytest.approx(interpolated(everything, 0.9), abs=0.05)  # 16.4
    by_client = {row.label: row for row in clients}
    assert by_client["Contoso Retail"].decisions == 3
    assert by_client["Contoso Retail"].p50_hours == pytest.approx(4.0, abs=0.05)
    assert by_client["Contoso Retail"].p90_hours == pytest.approx(interpolated([2, 4, 20], 0.9), abs=0.05)  # 16.4
    assert by_client["Fabrikam Health"].p50_hours == pytest.approx(8.0, abs=0.05)


def test_decisions_outside_the_period_and_of_clients_not_reached_are_left_out(
    decisions: dict[str, list[float]],
) -> None:
    today = timezone.localdate()
    mia = actor_for(person("mia.member@northwind.example"))  # Contoso's account manager only

    provider, clients = turnaround(mia, today, today)
    until_today, _ = turnaround(mia, today - timedelta(days=90), today)
    until_yesterday, _ = turnaround(mia, today - timedelta(days=90), today - timedelta(days=1))

    assert provider.decisions == 3
    assert [row.label for row in clients] == ["Contoso Retail"]
    assert until_today.decisions - until_yesterday.decisions == 3  # today's, and only those, left out


def test_the_turnaround_page_shows_the_figures_to_staff_only(
    decisions: dict[str, list[float]], as_user: Callable[[Any], Client]
) -> None:
    today = timezone.localdate().isoformat()
    url = reverse("engagements:turnaround") + f"?since={today}&until={today}"

    page = as_user(person("olivia.owner@northwind.example")).get(url)

    assert page.status_code == 200
    text = page.content.decode()
    assert "percentile_cont" in text
    assert str(Decimal("16.4")) in text
    assert as_user(person("paula.lead@contoso.example")).get(url).status_code == 404
