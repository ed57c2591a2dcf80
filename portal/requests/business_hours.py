"""SLA clocks for client requests, counted in the provider's business hours.

A provider promises "an answer within 8 working hours", not "within 8 hours": the clock runs only while its office is
open, skips weekends and public holidays, and stops while the request waits on the client. Opening hours are
wall-clock hours in the provider's time zone, so a day with a daylight-saving change keeps its 09:00-17:00 (only a
jump inside those hours changes how long the day is: then real elapsed time counts). Every computation is done on
UTC instants, one working interval per local day, so a clock over a year costs about 365 steps, never one per minute.

Wall times are read as PEP 495 reads them (`fold=0`): one that does not exist (inside a spring-forward gap) takes the
offset in force before the jump, i.e. it lands later by the size of the gap; an ambiguous one (fall-back) is its first
occurrence.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package

UTC = dt.UTC
ZERO = dt.timedelta(0)
# `add` gives up after this many consecutive days without a working minute (e.g. holidays covering years).
MAX_IDLE_DAYS = 3 * 366

# (start, end) of a time the clock stops; end None: still paused (open-ended).
Pause = tuple[dt.datetime, dt.datetime | None]


@dataclass(frozen=True)
class Calendar:
    """When a provider's SLA clock runs: its working days and hours, in its time zone, minus its holidays."""

    time_zone: str
    working_days: frozenset[int]
    opens: dt.time
    closes: dt.time
    holidays: frozenset[dt.date] = frozenset()
    calendar_hours: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            message = f"Unknown time zone {self.time_zone!r}: use an IANA name such as 'Europe/Paris'."
            raise ValueError(message) from error
        if not self.working_days:
            raise ValueError("A calendar needs at least one working day.")
        if not self.working_days <= frozenset(range(7)):
            raise ValueError(f"Working days are 0 (Monday) to 6 (Sunday), not {sorted(self.working_days)}.")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("Opening and closing times are wall-clock times: give them without a time zone.")
        if self.closes <= self.opens:
            raise ValueError(f"Closing time ({self.closes:%H:%M}) must be after opening time ({self.opens:%H:%M}).")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)  # ZoneInfo keeps one instance per key: this is a lookup, not a file read

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment (in UTC) when `duration` of working time has passed since `start` (aware, any time zone).

        Starting outside working time counts from the next opening; the result is the earliest such moment, so a
        duration that ends exactly at closing time is due at closing time, not at the next opening. A zero duration
        gives `start` itself (in UTC), wherever it falls."""
        cursor = _utc(start, "start")
        if duration < ZERO:
            raise ValueError(f"A duration cannot be negative ({duration}).")
        if duration == ZERO:
            return cursor
        if self.calendar_hours:
            return cursor + duration
        remaining = duration
        idle_days = 0
        for interval in self._intervals_from(cursor):
            if interval is None or interval[1] <= cursor:
                idle_days += 1
                if idle_days > MAX_IDLE_DAYS:
                    raise ValueError(f"No working time in the {MAX_IDLE_DAYS} days after {cursor.isoformat()}.")
                continue
            idle_days = 0
            begin = max(interval[0], cursor)
            if remaining <= interval[1] - begin:
                return begin + remaining
            remaining -= interval[1] - begin
        raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover

    def between(self, start: dt.datetime, end: dt.datetime, *, paused: Sequence[Pause] = ()) -> dt.timedelta:
        """Working time from `start` to `end` (zero when `end` <= `start`), minus the working time inside `paused`.

        A pause ending with None runs to `end`; pauses are clipped to [start, end] and merged, so overlapping pauses
        are never subtracted twice."""
        lower, upper = _utc(start, "start"), _utc(end, "end")
        if upper <= lower:
            return ZERO
        total = ZERO
        cursor = lower
        for pause_start, pause_end in _merge_pauses(paused, lower):
            if pause_start >= upper:
                break
            total += self._working_time(cursor, pause_start)
            if pause_end is None:
                return total
            cursor = max(cursor, pause_end)
        return total + self._working_time(cursor, upper)

    def add_with_pauses(
        self, start: dt.datetime, duration: dt.timedelta, paused: Sequence[Pause]
    ) -> dt.datetime | None:
        """The due moment (in UTC) when the clock stops during `paused` (e.g. while waiting on the client): the
        earliest m such that `between(start, m, paused=paused) == duration`.

        None when an open-ended pause (end None) starts before that moment is reached: the clock is stopped and
        nothing is due."""
        cursor = _utc(start, "start")
        if duration < ZERO:
            raise ValueError(f"A duration cannot be negative ({duration}).")
        if duration == ZERO:
            return cursor
        remaining = duration
        for pause_start, pause_end in _merge_pauses(paused, cursor):
            available = self._working_time(cursor, pause_start)
            if available >= remaining:
                return self.add(cursor, remaining)
            remaining -= available
            if pause_end is None:
                return None
            cursor = pause_end
        return self.add(cursor, remaining)

    def _working_time(self, lower: dt.datetime, upper: dt.datetime) -> dt.timedelta:
        """Working time between two UTC instants, without pauses."""
        if upper <= lower:
            return ZERO
        if self.calendar_hours:
            return upper - lower
        total = ZERO
        for day in _days(self._local_date(lower) - dt.timedelta(days=1), self._local_date(upper)):
            interval = self._interval(day)
            if interval is not None:
                opening, closing = interval
                total += max(ZERO, min(closing, upper) - max(opening, lower))
        return total

    def _intervals_from(self, moment: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime] | None]:
        """Each local day's working interval (None for a day off), from the day before `moment`'s onwards."""
        day = self._local_date(moment) - dt.timedelta(days=1)
        while True:
            yield self._interval(day)
            day += dt.timedelta(days=1)

    def _interval(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working interval [opens, closes) of a local day, as UTC instants; None on a day off."""
        if day.weekday() not in self.working_days or day in self.holidays:
            return None
        return self._instant(day, self.opens), self._instant(day, self.closes)

    def _instant(self, day: dt.date, wall_time: dt.time) -> dt.datetime:
        # Combining with the zone and then converting is DST-correct; adding timedeltas to local times is not.
        return dt.datetime.combine(day, wall_time, tzinfo=self.zone).astimezone(UTC)

    def _local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()


def _utc(moment: dt.datetime, label: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{label} must be an aware datetime (with a time zone), got naive {moment.isoformat()}.")
    return moment.astimezone(UTC)


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _merge_pauses(paused: Sequence[Pause], floor: dt.datetime) -> list[Pause]:
    """Pauses in UTC, clipped to start no earlier than `floor`, sorted and merged; empty ones dropped."""
    spans: list[Pause] = []
    for number, (pause_start, pause_end) in enumerate(paused, start=1):
        begin = _utc(pause_start, f"pause {number}'s start")
        finish = None if pause_end is None else _utc(pause_end, f"pause {number}'s end")
        if finish is not None and finish < begin:
            raise ValueError(f"Pause {number} ends ({finish.isoformat()}) before it starts ({begin.isoformat()}).")
        begin = max(begin, floor)
        if finish is None or finish > begin:
            spans.append((begin, finish))
    spans.sort(key=lambda span: span[0])
    merged: list[Pause] = []
    for begin, finish in spans:
        if merged and (merged[-1][1] is None or begin <= merged[-1][1]):
            last_begin, last_finish = merged[-1]
            merged[-1] = (last_begin, None if last_finish is None or finish is None else max(last_finish, finish))
        else:
            merged.append((begin, finish))
    return merged


def holidays_for(country: str, years: Iterable[int], subdivision: str | None = None) -> list[tuple[dt.date, str]]:
    """Public holidays of a country (ISO 3166-1 alpha-2 code) in the given years, sorted by date, named in English.

    One entry per date: holidays falling on the same date share it, their names joined with "; ". Observed days
    (e.g. a holiday moved off a Sunday) are included, as they are days off."""
    code = country.strip().upper()
    wanted = sorted(set(years))
    if not wanted:
        return []
    probe = _country_holidays(code, subdivision)  # no years: cheap, and tells the languages it has
    language = _english(probe.default_language, probe.supported_languages)
    found = _country_holidays(code, subdivision, years=wanted, language=language)
    return sorted(found.items())


def countries() -> list[tuple[str, str]]:
    """(code, English name) of every country the holidays package supports, sorted by name, e.g. for a <select>."""
    return list(_countries())


@functools.cache
def _countries() -> tuple[tuple[str, str], ...]:
    codes = holidays_package.list_supported_countries(include_aliases=False)
    named = ((code, _country_name(type(holidays_package.country_holidays(code)))) for code in codes)
    return tuple(sorted(named, key=lambda pair: (_sort_key(pair[1]), pair[0])))


def _sort_key(name: str) -> str:
    """Accents aside, so that "Åland Islands" sorts with the A's, not after "Zimbabwe"."""
    return "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char)).casefold()


def _country_holidays(
    code: str, subdivision: str | None, years: list[int] | None = None, language: str | None = None
) -> holidays_package.HolidayBase:
    try:
        return holidays_package.country_holidays(code, subdiv=subdivision, years=years, language=language)
    except NotImplementedError as error:
        if code not in holidays_package.list_supported_countries():
            raise ValueError(f"No public holidays are known for country code {code!r}.") from error
        raise ValueError(f"Country {code!r} has no subdivision {subdivision!r}.") from error


def _english(default: str | None, languages: Sequence[str]) -> str | None:
    """The language to ask for: the country's own English (en_GB for GB) if that is its default, else US English,
    else any English it has; None (its default) for countries the package names in English only."""
    if default is None or default.startswith("en"):
        return default
    if "en_US" in languages:
        return "en_US"
    return next((language for language in languages if language.startswith("en")), None)


def _country_name(entity: type[holidays_package.HolidayBase]) -> str:
    """The package has no name attribute, but each country's class has a docstring opening "<English name> holidays."
    (the class `country_holidays` returns is the country's code, a subclass of it)."""
    own = entity.__mro__[: entity.__mro__.index(holidays_package.HolidayBase)]
    for klass in own:
        match = re.fullmatch(r"(.+?) holidays\.?", (klass.__doc__ or "").strip().split("\n", 1)[0].strip())
        if match:
            return match.group(1).removesuffix(" (the)")
    # Without docstrings (python -OO): "UnitedKingdom" -> "United Kingdom".
    class_name = next((klass.__name__ for klass in own if not klass.__name__.isupper()), entity.__name__)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name)
