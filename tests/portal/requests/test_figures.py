"""Service figures: counts and interpolated percentiles (p50, p90) of first-response and resolution times per
type and per client, and satisfaction (count, average, CSAT) per type, client and assignee — each checked against
values computed here, independently of the SQL — over a period, for the clients the person reaches."""

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from portal.access.models import StaffMembership
from portal.access.policy import NotFound, actor_for
from portal.requests import figures
from portal.requests.figures import SatisfactionRow, TimeRow
from portal.requests.models import ClientRequest, Rating, RequestType, Status
from tenants.models import Tenant
from tests.portal.demo_people import contoso, user
from tests.portal.factories import StaffFactory
from tests.portal.requests.support import make_type, owner, submit

pytestmark = pytest.mark.django_db

HOUR = 3600
SINCE, UNTIL = dt.date(2025, 3, 1), dt.date(2025, 3, 31)
IN = dt.datetime(2025, 3, 14, 12, tzinfo=dt.UTC)  # mid-period, noon: no time zone moves it out
BEFORE = dt.datetime(2025, 2, 14, 12, tzinfo=dt.UTC)
AFTER = dt.datetime(2025, 4, 14, 12, tzinfo=dt.UTC)
EDGE_IN = dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)  # the last day counts whole
EDGE_OUT = dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC)


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """`percentile_cont`, as PostgreSQL defines it: position fraction*(n-1) in the sorted values, interpolated."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 1)


def test_the_reference_percentile_interpolates_as_percentile_cont_does() -> None:
    values = [1.0, 2.0, 4.0, 10.0]

    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.9) == pytest.approx(8.2)
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([], 0.5) is None


@dataclass(frozen=True)
class Row:
    """A request as the figures read it: when its first response and resolution happened, and how long each took
    (in business hours; None: not yet)."""

    type_name: str
    client: str  # "contoso" or "fabrikam"
    response: tuple[float, dt.datetime] | None
    resolution: tuple[float, dt.datetime] | None = None


ROWS = [
    # Figures A at Contoso: response times 1, 2, 4, 10 h → p50 3 h, p90 8.2 h.
    Row("Figures A", "contoso", (1, IN), (5, IN)),
    Row("Figures A", "contoso", (2, IN), (8, EDGE_IN)),
    Row("Figures A", "contoso", (4, IN), (20, IN)),
    Row("Figures A", "contoso", (10, EDGE_IN), None),  # answered, not resolved yet
    # Figures A at Fabrikam, with one answered and resolved outside the period.
    Row("Figures A", "fabrikam", (3, IN), (12, IN)),
    Row("Figures A", "fabrikam", (6, IN), (30, IN)),
    Row("Figures A", "fabrikam", (100, BEFORE), (200, AFTER)),
    # Figures B.
    Row("Figures B", "contoso", (0.5, IN), (9, IN)),
    Row("Figures B", "contoso", (1.5, BEFORE), (16, IN)),  # answered before, resolved in the period
    Row("Figures B", "contoso", (7, IN), (40, EDGE_OUT)),  # answered in, resolved after the period
    Row("Figures B", "fabrikam", (2, IN), (24, IN)),
    Row("Figures B", "fabrikam", None, None),  # not answered: no figure
]


def in_period(moment: dt.datetime) -> bool:
    return SINCE <= moment.astimezone(dt.UTC).date() <= UNTIL


def expected_times(rows: list[Row], group: Callable[[Row], str]) -> dict[str, tuple[Any, ...]]:
    """label → (responded, p50, p90, resolved, p50, p90), computed from the rows."""
    result: dict[str, tuple[Any, ...]] = {}
    for label in sorted({group(row) for row in rows}):
        mine = [row for row in rows if group(row) == label]
        responses = [row.response[0] * HOUR for row in mine if row.response and in_period(row.response[1])]
        resolutions = [row.resolution[0] * HOUR for row in mine if row.resolution and in_period(row.resolution[1])]
        if not responses and not resolutions:
            continue
        result[label] = (
            len(responses), hours(percentile(responses, 0.5)), hours(percentile(responses, 0.9)),
            len(resolutions), hours(percentile(resolutions, 0.5)), hours(percentile(resolutions, 0.9)),
        )  # fmt: skip
    return result


def as_dict(rows: list[TimeRow]) -> dict[str, tuple[Any, ...]]:
    return {
        row.label: (
            row.responded, row.response_p50, row.response_p90, row.resolved, row.resolution_p50, row.resolution_p90
        )
        for row in rows
    }  # fmt: skip


@pytest.fixture
def types(in_demo: Tenant) -> dict[str, RequestType]:
    return {name: make_type(name) for name in ("Figures A", "Figures B")}


@pytest.fixture
def made(types: dict[str, RequestType]) -> list[ClientRequest]:
    """The ROWS as requests: submitted by Paula (Contoso) and Hana (Fabrikam), their times set directly."""
    requesters = {"contoso": user("paula.lead@contoso.example"), "fabrikam": user("hana.admin@fabrikam.example")}
    created = []
    for row in ROWS:
        request = submit(requesters[row.client], types[row.type_name])
        values: dict[str, Any] = {"created_at": BEFORE - dt.timedelta(days=30)}
        if row.response is not None:
            values |= {"first_response_seconds": int(row.response[0] * HOUR), "first_response_at": row.response[1]}
            values["status"] = Status.IN_PROGRESS
        if row.resolution is not None:
            values |= {"resolution_seconds": int(row.resolution[0] * HOUR), "resolved_at": row.resolution[1]}
            values["status"] = Status.RESOLVED
        ClientRequest.objects.filter(pk=request.pk).update(**values)
        created.append(request)
    return created


def by_client_name(row: Row) -> str:
    return {"contoso": "Contoso Retail", "fabrikam": "Fabrikam Health"}[row.client]


def test_times_per_type_are_counts_and_interpolated_percentiles_of_the_period(made: list[ClientRequest]) -> None:
    got = as_dict(figures.times(actor_for(owner()), SINCE, UNTIL, "type"))

    assert got == expected_times(ROWS, lambda row: row.type_name)
    # Spelled out for Figures A: responses 1, 2, 3, 4, 6, 10 h (the 100 h one was before the period); resolutions
    # 5, 8, 12, 20, 30 h (the 200 h one after it).
    assert got["Figures A"] == (6, 3.5, 8.0, 5, 12.0, 26.0)


def test_times_per_client_are_counts_and_interpolated_percentiles_of_the_period(made: list[ClientRequest]) -> None:
    got = as_dict(figures.times(actor_for(owner()), SINCE, UNTIL, "client"))

    assert got == expected_times(ROWS, by_client_name)
    assert list(got) == ["Contoso Retail", "Fabrikam Health"]  # by name


def test_times_of_one_group_with_the_documented_example(types: dict[str, RequestType]) -> None:
    paula = user("paula.lead@contoso.example")
    for response in (10, 1, 4, 2):
        request = submit(paula, types["Figures A"])
        ClientRequest.objects.filter(pk=request.pk).update(first_response_seconds=response * HOUR, first_response_at=IN)

    [row] = figures.times(actor_for(owner()), SINCE, UNTIL, "type")

    assert (row.label, row.responded, row.response_p50, row.response_p90) == ("Figures A", 4, 3.0, 8.2)
    assert (row.resolved, row.resolution_p50, row.resolution_p90) == (0, None, None)
    assert row.key == types["Figures A"].pk


def test_nothing_in_another_period(made: list[ClientRequest]) -> None:
    assert figures.times(actor_for(owner()), dt.date(2024, 1, 1), dt.date(2024, 12, 31), "type") == []
    assert figures.satisfaction(actor_for(owner()), dt.date(2024, 1, 1), dt.date(2024, 12, 31), "type") == []


def test_staff_get_figures_only_of_the_clients_they_reach(made: list[ClientRequest]) -> None:
    newcomer = cast(StaffMembership, StaffFactory()).user
    contoso().team.add(newcomer)  # on Contoso's team; Fabrikam Health is not theirs
    contoso_rows = [row for row in ROWS if row.client == "contoso"]

    assert as_dict(figures.times(actor_for(newcomer), SINCE, UNTIL, "client")) == expected_times(
        contoso_rows, by_client_name
    )
    assert as_dict(figures.times(actor_for(newcomer), SINCE, UNTIL, "type")) == expected_times(
        contoso_rows, lambda row: row.type_name
    )
    # Mia manages Contoso only; Adam, Fabrikam only.
    mia = actor_for(user("mia.member@northwind.example"))
    assert [row.label for row in figures.times(mia, SINCE, UNTIL, "client")] == ["Contoso Retail"]
    adam = actor_for(user("adam.admin@northwind.example"))  # an admin: every client
    assert [row.label for row in figures.times(adam, SINCE, UNTIL, "client")] == ["Contoso Retail", "Fabrikam Health"]
    loner = cast(StaffMembership, StaffFactory()).user  # reaches no client
    assert figures.times(actor_for(loner), SINCE, UNTIL, "type") == []


def test_contacts_get_no_figures(made: list[ClientRequest]) -> None:
    carla = actor_for(user("carla.admin@contoso.example"))

    with pytest.raises(NotFound):
        figures.times(carla, SINCE, UNTIL, "type")
    with pytest.raises(NotFound):
        figures.satisfaction(carla, SINCE, UNTIL, "client")


# --- satisfaction ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    type_name: str
    client: str
    score: int
    at: dt.datetime
    unassigned: bool = False


RATINGS = [
    Given("Figures A", "contoso", 5, IN),
    Given("Figures A", "contoso", 4, IN),
    Given("Figures A", "contoso", 2, EDGE_IN),
    Given("Figures A", "fabrikam", 3, IN),
    Given("Figures A", "fabrikam", 1, BEFORE),  # outside the period
    Given("Figures B", "contoso", 5, IN),
    Given("Figures B", "contoso", 4, EDGE_OUT),  # outside the period
    Given("Figures B", "fabrikam", 4, IN),
    Given("Figures B", "fabrikam", 5, IN),
    Given("Figures B", "fabrikam", 3, IN, unassigned=True),
]
ASSIGNEES = {"contoso": "Mia Member", "fabrikam": "Adam Admin"}


def expected_satisfaction(group: Callable[[Given], str]) -> dict[str, tuple[int, float, float]]:
    result = {}
    for label in sorted({group(given) for given in RATINGS if in_period(given.at)}):
        scores = [given.score for given in RATINGS if in_period(given.at) and group(given) == label]
        satisfied = [score for score in scores if score >= 4]
        result[label] = (len(scores), round(sum(scores) / len(scores), 2), round(100 * len(satisfied) / len(scores), 1))
    return result


def csat_dict(rows: list[SatisfactionRow]) -> dict[str, tuple[int, float | None, float | None]]:
    return {row.label: (row.ratings, row.average, row.csat) for row in rows}


@pytest.fixture
def rated(types: dict[str, RequestType]) -> list[Rating]:
    requesters = {"contoso": user("paula.lead@contoso.example"), "fabrikam": user("hana.admin@fabrikam.example")}
    ratings = []
    for given in RATINGS:
        request = submit(requesters[given.client], types[given.type_name])
        values: dict[str, Any] = {"status": Status.RESOLVED, "resolved_at": given.at - dt.timedelta(hours=1)}
        if given.unassigned:
            values["assignee"] = None
        ClientRequest.objects.filter(pk=request.pk).update(**values)
        rating = Rating.objects.create(
            request=request, score=given.score, rated_by=requesters[given.client], created_at=given.at
        )
        ratings.append(rating)
    return ratings


@pytest.mark.parametrize(
    ("by", "group"),
    [
        ("type", lambda given: given.type_name),
        ("client", lambda given: by_client_name(Row(given.type_name, given.client, None))),
        ("assignee", lambda given: "—" if given.unassigned else ASSIGNEES[given.client]),
    ],
)
def test_satisfaction_is_count_average_and_share_of_4_and_5_in_the_period(
    rated: list[Rating], by: str, group: Callable[[Given], str]
) -> None:
    got = csat_dict(figures.satisfaction(actor_for(owner()), SINCE, UNTIL, by))

    assert got == expected_satisfaction(group)


def test_satisfaction_spelled_out(rated: list[Rating]) -> None:
    by_type = csat_dict(figures.satisfaction(actor_for(owner()), SINCE, UNTIL, "type"))
    by_assignee = csat_dict(figures.satisfaction(actor_for(owner()), SINCE, UNTIL, "assignee"))

    assert by_type == {"Figures A": (4, 3.5, 50.0), "Figures B": (4, 4.25, 75.0)}
    assert by_assignee["Mia Member"] == (4, 4.0, 75.0)  # 5, 4, 2, 5
    assert by_assignee["Adam Admin"] == (3, 4.0, 66.7)  # 3, 4, 5
    assert by_assignee["—"] == (1, 3.0, 0.0)


def test_satisfaction_only_of_the_clients_one_reaches(rated: list[Rating]) -> None:
    mia = actor_for(user("mia.member@northwind.example"))

    assert [row.label for row in figures.satisfaction(mia, SINCE, UNTIL, "client")] == ["Contoso Retail"]


# --- the page ----------------------------------------------------------------------------------------------------


def test_the_figures_page_shows_the_periods_figures_and_how_percentiles_are_computed(
    made: list[ClientRequest], rated: list[Rating], as_user: Callable[[Any], Client]
) -> None:
    page = as_user(owner()).get(reverse("requests:figures"), {"since": SINCE.isoformat(), "until": UNTIL.isoformat()})

    assert page.status_code == 200
    html = page.content.decode()
    assert "percentile_cont" in html
    assert "interpolated percentiles" in html
    # Figures A's row of the table by type: 6 responses, p50 3.5, p90 8.0; 5 resolutions, p50 12.0, p90 26.0.
    found = re.search(r">\s*Figures A\s*</th>(.*?)</tr>", html, re.DOTALL)
    assert found is not None
    cells = re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", found.group(1), re.DOTALL)
    assert cells == ["6", "3.5", "8.0", "5", "12.0", "26.0"]
    assert "66.7 %" in html  # Adam's CSAT
    assert "4.25" in html  # Figures B's average
    assert "Fabrikam Health" in html


def test_the_figures_page_defaults_to_the_last_90_days(as_user: Callable[[Any], Client]) -> None:
    page = as_user(owner()).get(reverse("requests:figures"))

    assert page.status_code == 200
    assert page.context["until"] - page.context["since"] == dt.timedelta(days=90)


@pytest.mark.parametrize("email", ["carla.admin@contoso.example", "hana.admin@fabrikam.example"])
def test_the_figures_page_is_not_found_for_contacts(as_user: Callable[[Any], Client], email: str) -> None:
    page = as_user(user(email)).get(reverse("requests:figures"), {"since": "2025-03-01", "until": "2025-03-31"})

    assert page.status_code == 404
