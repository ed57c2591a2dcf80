"""The demo portal shows the requests feature from the first `make run`: request types with their forms, requests
in every status with realistic timestamps, and enough first responses, resolutions and ratings for the figures."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from portal.access.policy import actor_for
from portal.requests import figures
from portal.requests.models import ClientRequest, Holiday, Rating, RequestType, Status

pytestmark = pytest.mark.django_db
DEMO_TYPES = {"Change request", "Support ticket", "Access request"}


def test_the_demo_has_the_three_request_types_with_their_forms(in_demo: Any) -> None:
    types = RequestType.objects.filter(name__in=DEMO_TYPES).select_related("current_version")

    assert {request_type.name for request_type in types} == DEMO_TYPES
    change = types.get(name="Change request")
    assert change.current_version is not None
    assert {"impact", "budget_hours", "needed_by"} <= {field["key"] for field in change.current_version.fields}
    assert Holiday.objects.exists()


def test_the_demo_has_requests_in_every_status_with_consistent_timestamps(in_demo: Any) -> None:
    seeded = ClientRequest.objects.filter(request_type__name__in=DEMO_TYPES)

    assert set(seeded.values_list("status", flat=True)) == set(Status.values)
    for request in seeded:
        moments = list(request.changes.values_list("at", flat=True))
        assert moments == sorted(moments), request.subject
        assert request.created_at <= timezone.now()
        if request.status in (Status.RESOLVED, Status.CLOSED):
            assert request.resolution_seconds, request.subject
            assert request.first_response_seconds is not None, request.subject
            assert request.first_response_at is not None, request.subject
            assert request.resolved_at is not None, request.subject
            assert request.first_response_at <= request.resolved_at, request.subject


def test_the_demo_figures_show_times_and_satisfaction(in_demo: Any) -> None:
    owner = actor_for(User.objects.get(email="olivia.owner@northwind.example"))
    today = timezone.localdate()
    since = today - datetime.timedelta(days=120)

    by_type = {row.label: row for row in figures.times(owner, since, today, "type")}
    ratings = figures.satisfaction(owner, since, today, "type")

    assert set(by_type) >= DEMO_TYPES
    assert all(row.resolution_p50 is not None for row in by_type.values() if row.label in DEMO_TYPES)
    assert Rating.objects.count() >= 5
    assert sum(row.ratings for row in ratings) >= 5
