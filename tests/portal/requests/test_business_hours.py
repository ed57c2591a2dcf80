"""SLA clocks in business hours: working days and hours, holidays, pauses, daylight saving, holiday lists."""

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from portal.requests.business_hours import Calendar, countries, holidays_for

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


def hours(count: float) -> dt.timedelta:
    return dt.timedelta(hours=count)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


# Paris, Monday to Friday, 09:00-17:00 (8-hour days); variants are `replace(OFFICE, ...)`, which validates again.
OFFICE = Calendar(time_zone="Europe/Paris", working_days=WEEKDAYS, opens=dt.time(9), closes=dt.time(17))
# Every day 01:00-05:00 in Paris: the daylight-saving jumps (02:00 in March, 03:00 in October) fall inside.
NIGHT_SHIFT = replace(OFFICE, working_days=EVERY_DAY, opens=dt.time(1), closes=dt.time(5))

# January 2026: Monday 5th to Friday 9th is a full week; winter time, Paris = UTC+1.
MONDAY = paris(2026, 1, 5, 9)
FRIDAY_EVENING = paris(2026, 1, 9, 17)


# add


def test_add_within_a_day_returns_the_utc_moment() -> None:
    due = OFFICE.add(paris(2026, 1, 5, 10), hours(3))

    assert due == utc(2026, 1, 5, 12)  # 13:00 in Paris
    assert due.tzinfo is UTC


def test_add_crossing_the_evening_continues_at_the_next_opening() -> None:
    assert OFFICE.add(paris(2026, 1, 5, 15), hours(4)) == paris(2026, 1, 6, 11)


def test_add_ending_exactly_at_closing_is_due_at_closing_not_next_morning() -> None:
    assert OFFICE.add(paris(2026, 1, 5, 16), hours(1)) == paris(2026, 1, 5, 17)


def test_add_from_saturday_evening_counts_from_monday_opening() -> None:
    assert OFFICE.add(paris(2026, 1, 10, 20), hours(1)) == paris(2026, 1, 12, 10)


def test_add_from_before_opening_counts_from_that_days_opening() -> None:
    assert OFFICE.add(paris(2026, 1, 5, 6, 30), dt.timedelta(minutes=90)) == paris(2026, 1, 5, 10, 30)


def test_add_skips_a_holiday_and_the_weekend_after_it() -> None:
    christmas = replace(OFFICE, holidays=frozenset({dt.date(2026, 12, 25)}))

    # Thursday 24th 16:00: one hour that day, Friday 25th is off, then the weekend.
    assert christmas.add(paris(2026, 12, 24, 16), hours(2)) == paris(2026, 12, 28, 10)


def test_add_with_a_zero_duration_returns_start_even_outside_working_time() -> None:
    saturday = paris(2026, 1, 10, 20)

    assert OFFICE.add(saturday, dt.timedelta(0)) == saturday
    assert OFFICE.add(saturday, dt.timedelta(0)).tzinfo is UTC


def test_add_with_calendar_hours_is_plain_addition_ignoring_days_hours_and_holidays() -> None:
    round_the_clock = replace(OFFICE, calendar_hours=True, holidays=frozenset({dt.date(2026, 1, 12)}))

    assert round_the_clock.add(paris(2026, 1, 10, 20), hours(30)) == paris(2026, 1, 12, 2)


def test_add_with_calendar_hours_counts_real_hours_across_a_daylight_saving_change() -> None:
    round_the_clock = replace(OFFICE, calendar_hours=True)

    # Paris springs forward on Sunday 29 March 2026: 24 real hours from Saturday noon is Sunday 13:00 local.
    assert round_the_clock.add(paris(2026, 3, 28, 12), hours(24)) == paris(2026, 3, 29, 13)


def test_add_over_long_spans_walks_the_working_days() -> None:
    # 2026 has 261 weekdays; 261 eight-hour days from the first Thursday's opening end on the last day's closing.
    assert OFFICE.add(paris(2026, 1, 1, 9), hours(261 * 8)) == paris(2026, 12, 31, 17)


def test_add_gives_up_when_holidays_leave_no_working_time_for_years() -> None:
    days_off = frozenset(dt.date(2026, 1, 1) + dt.timedelta(days=offset) for offset in range(4 * 366))

    with pytest.raises(ValueError, match="No working time"):
        replace(OFFICE, holidays=days_off).add(MONDAY, hours(1))


def test_add_rejects_a_negative_duration() -> None:
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add(MONDAY, hours(-1))


# between


def test_between_across_a_weekend_counts_only_working_hours() -> None:
    assert OFFICE.between(paris(2026, 1, 9, 15), paris(2026, 1, 12, 11)) == hours(4)


def test_between_is_zero_when_end_is_not_after_start() -> None:
    assert OFFICE.between(MONDAY, MONDAY) == dt.timedelta(0)
    assert OFFICE.between(FRIDAY_EVENING, MONDAY) == dt.timedelta(0)


def test_between_over_a_year_counts_every_weekday() -> None:
    assert OFFICE.between(paris(2026, 1, 1), paris(2027, 1, 1)) == hours(261 * 8)


def test_between_subtracts_overlapping_pauses_once() -> None:
    pauses = [(paris(2026, 1, 5, 10), paris(2026, 1, 5, 12)), (paris(2026, 1, 5, 11), paris(2026, 1, 5, 14))]

    assert OFFICE.between(MONDAY, FRIDAY_EVENING, paused=pauses) == hours(40 - 4)


def test_between_subtracts_a_pause_contained_in_another_once() -> None:
    pauses = [(paris(2026, 1, 5, 10), paris(2026, 1, 5, 16)), (paris(2026, 1, 5, 11), paris(2026, 1, 5, 12))]

    assert OFFICE.between(MONDAY, FRIDAY_EVENING, paused=pauses) == hours(40 - 6)


def test_between_subtracts_only_the_working_time_of_an_overnight_pause() -> None:
    pauses = [(paris(2026, 1, 5, 16), paris(2026, 1, 6, 10))]

    assert OFFICE.between(MONDAY, FRIDAY_EVENING, paused=pauses) == hours(40 - 2)


def test_between_runs_an_open_ended_pause_to_the_end() -> None:
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = [(paris(2026, 1, 9, 13), None)]

    assert OFFICE.between(MONDAY, FRIDAY_EVENING, paused=pauses) == hours(40 - 4)


def test_between_ignores_pauses_outside_the_window() -> None:
    before = (paris(2025, 12, 29, 9), paris(2026, 1, 2, 17))
    after: tuple[dt.datetime, dt.datetime | None] = (paris(2026, 1, 12, 9), None)

    assert OFFICE.between(MONDAY, FRIDAY_EVENING, paused=[before, after]) == hours(40)


def test_between_clips_pauses_that_straddle_the_window() -> None:
    pauses = [(paris(2026, 1, 4, 12), paris(2026, 1, 5, 10)), (paris(2026, 1, 9, 16), paris(2026, 1, 12, 12))]

    assert OFFICE.between(MONDAY, FRIDAY_EVENING, paused=pauses) == hours(40 - 1 - 1)


def test_between_with_calendar_hours_subtracts_real_paused_time() -> None:
    round_the_clock = replace(OFFICE, calendar_hours=True)
    pauses = [(paris(2026, 1, 10, 0), paris(2026, 1, 10, 6)), (paris(2026, 1, 10, 3), paris(2026, 1, 10, 8))]

    assert round_the_clock.between(paris(2026, 1, 9), paris(2026, 1, 11), paused=pauses) == hours(48 - 8)


def test_between_rejects_a_pause_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        OFFICE.between(MONDAY, FRIDAY_EVENING, paused=[(paris(2026, 1, 6), paris(2026, 1, 5))])


# add_with_pauses


def test_add_with_pauses_moves_the_due_time_by_exactly_the_paused_working_time() -> None:
    pauses = [(paris(2026, 1, 5, 11), paris(2026, 1, 5, 13))]

    due = OFFICE.add_with_pauses(MONDAY, hours(8), pauses)

    assert OFFICE.add(MONDAY, hours(8)) == paris(2026, 1, 5, 17)
    assert due == paris(2026, 1, 6, 11)  # two paused working hours later
    assert OFFICE.between(MONDAY, due, paused=pauses) == hours(8)


def test_add_with_pauses_counts_only_the_working_part_of_an_overnight_pause() -> None:
    pauses = [(paris(2026, 1, 5, 16), paris(2026, 1, 6, 10))]

    assert OFFICE.add_with_pauses(MONDAY, hours(8), pauses) == paris(2026, 1, 6, 11)


def test_add_with_pauses_ignores_pauses_before_start_or_after_the_due_time() -> None:
    pauses = [(paris(2026, 1, 2, 9), paris(2026, 1, 5, 9)), (paris(2026, 1, 5, 17), paris(2026, 1, 6, 17))]

    assert OFFICE.add_with_pauses(MONDAY, hours(8), pauses) == paris(2026, 1, 5, 17)


def test_add_with_pauses_merges_overlapping_pauses() -> None:
    pauses = [(paris(2026, 1, 5, 10), paris(2026, 1, 5, 12)), (paris(2026, 1, 5, 11), paris(2026, 1, 5, 13))]

    assert OFFICE.add_with_pauses(MONDAY, hours(8), pauses) == paris(2026, 1, 6, 12)


def test_add_with_pauses_returns_none_while_an_open_pause_stops_the_clock() -> None:
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = [(paris(2026, 1, 5, 12), None)]
    since_before_start: list[tuple[dt.datetime, dt.datetime | None]] = [(paris(2026, 1, 2, 12), None)]

    assert OFFICE.add_with_pauses(MONDAY, hours(8), pauses) is None
    assert OFFICE.add_with_pauses(MONDAY, hours(8), since_before_start) is None


def test_add_with_pauses_is_due_when_an_open_pause_starts_after_the_due_moment() -> None:
    later: list[tuple[dt.datetime, dt.datetime | None]] = [(paris(2026, 1, 6, 9), None)]
    at_due_moment: list[tuple[dt.datetime, dt.datetime | None]] = [(paris(2026, 1, 5, 17), None)]

    assert OFFICE.add_with_pauses(MONDAY, hours(8), later) == paris(2026, 1, 5, 17)
    assert OFFICE.add_with_pauses(MONDAY, hours(8), at_due_moment) == paris(2026, 1, 5, 17)


def test_add_with_pauses_and_zero_duration_is_start() -> None:
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = [(MONDAY, None)]

    assert OFFICE.add_with_pauses(MONDAY, dt.timedelta(0), pauses) == MONDAY


# Daylight saving in Paris: 2026-03-29 02:00 -> 03:00 (UTC+1 -> UTC+2), 2026-10-25 03:00 -> 02:00.


def test_spring_forward_week_keeps_wall_clock_opening_hours() -> None:
    # Friday 27 March 16:00 CET: one hour on Friday, one on Monday 30 March (now CEST, UTC+2).
    assert OFFICE.add(paris(2026, 3, 27, 16), hours(2)) == utc(2026, 3, 30, 8)
    assert OFFICE.between(paris(2026, 3, 23, 9), paris(2026, 3, 30, 17)) == hours(6 * 8)


def test_fall_back_week_keeps_wall_clock_opening_hours() -> None:
    # Friday 23 October 16:00 CEST: one hour on Friday, one on Monday 26 October (now CET, UTC+1).
    assert OFFICE.add(paris(2026, 10, 23, 16), hours(2)) == utc(2026, 10, 26, 9)
    assert OFFICE.between(paris(2026, 10, 19, 9), paris(2026, 10, 26, 17)) == hours(6 * 8)


def test_a_jump_inside_working_hours_counts_real_elapsed_time() -> None:
    # 01:00-05:00 local is 3 real hours on the spring-forward day and 5 on the fall-back day.
    assert NIGHT_SHIFT.between(paris(2026, 3, 29), paris(2026, 3, 29, 12)) == hours(3)
    assert NIGHT_SHIFT.between(paris(2026, 10, 25), paris(2026, 10, 25, 12)) == hours(5)
    assert NIGHT_SHIFT.add(paris(2026, 3, 29, 1), hours(3)) == utc(2026, 3, 29, 3)  # 05:00 CEST
    assert NIGHT_SHIFT.add(paris(2026, 10, 25, 1), hours(5)) == utc(2026, 10, 25, 4)  # 05:00 CET


# Time zones


def test_start_in_another_time_zone_than_the_calendar() -> None:
    # 04:00 in New York is 10:00 in Paris in January.
    assert OFFICE.add(dt.datetime(2026, 1, 5, 4, tzinfo=NEW_YORK), hours(3)) == utc(2026, 1, 5, 12)


def test_another_time_zone_while_only_one_side_has_changed_to_summer_time() -> None:
    # 16 March 2026: New York is on EDT (UTC-4), Paris still on CET (UTC+1): 04:00 there is 09:00 in Paris.
    start = dt.datetime(2026, 3, 16, 4, tzinfo=NEW_YORK)

    assert OFFICE.add(start, hours(1)) == utc(2026, 3, 16, 9)
    assert OFFICE.between(start, dt.datetime(2026, 3, 16, 12, tzinfo=UTC)) == hours(4)


# Validation


def test_naive_datetimes_are_rejected() -> None:
    naive = dt.datetime(2026, 1, 5, 10)  # noqa: DTZ001

    with pytest.raises(ValueError, match="aware"):
        OFFICE.add(naive, hours(1))
    with pytest.raises(ValueError, match="aware"):
        OFFICE.between(MONDAY, naive)
    with pytest.raises(ValueError, match="aware"):
        OFFICE.add_with_pauses(naive, hours(1), [])
    with pytest.raises(ValueError, match="aware"):
        OFFICE.between(MONDAY, FRIDAY_EVENING, paused=[(naive, None)])


@pytest.mark.parametrize("closes", [dt.time(9), dt.time(8)])
def test_closing_time_must_be_after_opening_time(closes: dt.time) -> None:
    with pytest.raises(ValueError, match="must be after opening time"):
        replace(OFFICE, closes=closes)


def test_a_calendar_needs_a_working_day() -> None:
    with pytest.raises(ValueError, match="at least one working day"):
        replace(OFFICE, working_days=frozenset())


def test_working_days_are_monday_to_sunday() -> None:
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6 \\(Sunday\\)"):
        replace(OFFICE, working_days=frozenset({1, 7}))


def test_an_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown time zone 'Europe/Atlantis'"):
        replace(OFFICE, time_zone="Europe/Atlantis")


# Property: counting back the working time of a due moment gives the duration


START_MOMENTS = [
    paris(2026, 1, 5, 9),
    paris(2026, 1, 5, 12, 17),
    paris(2026, 1, 9, 16, 59),
    paris(2026, 1, 10, 20),
    paris(2026, 3, 27, 15, 30),
    paris(2026, 3, 29, 2, 30),
    paris(2026, 10, 23, 17),
    paris(2026, 10, 25, 2, 30),
    paris(2026, 12, 24, 11),
    dt.datetime(2026, 3, 16, 23, 45, tzinfo=NEW_YORK),
]
DURATIONS = [dt.timedelta(0), dt.timedelta(minutes=1), hours(1), hours(7.5), hours(8), hours(41), hours(1000)]
CALENDARS = [
    OFFICE,
    replace(OFFICE, holidays=frozenset({dt.date(2026, 12, 25), dt.date(2026, 3, 30)}), opens=dt.time(8, 45)),
    NIGHT_SHIFT,
    replace(OFFICE, calendar_hours=True),
]


@pytest.mark.parametrize("calendar", CALENDARS)
def test_between_start_and_add_of_a_duration_is_that_duration(calendar: Calendar) -> None:
    for start in START_MOMENTS:
        for duration in DURATIONS:
            due = calendar.add(start, duration)
            assert calendar.between(start, due) == duration, (start, duration, due)
            assert calendar.add_with_pauses(start, duration, []) == due


# Public holidays


def test_holidays_for_france_lists_dated_english_names_in_order() -> None:
    french = holidays_for("FR", [2026])

    assert (dt.date(2026, 7, 14), "National Day") in french
    assert (dt.date(2026, 12, 25), "Christmas Day") in french
    assert french == sorted(french)
    assert all(day.year == 2026 for day, _ in french)


def test_holidays_for_several_years_and_a_subdivision() -> None:
    alsace_moselle = dict(holidays_for("fr", range(2026, 2028), subdivision="57"))

    assert alsace_moselle[dt.date(2026, 12, 26)] == "Saint Stephen's Day"
    assert dt.date(2027, 7, 14) in alsace_moselle


def test_holidays_for_no_years_is_empty() -> None:
    assert holidays_for("FR", []) == []


def test_holidays_for_an_unknown_country_names_the_code() -> None:
    with pytest.raises(ValueError, match="'ZZ'"):
        holidays_for("ZZ", [2026])


def test_holidays_for_an_unknown_subdivision_names_it() -> None:
    with pytest.raises(ValueError, match="'Atlantis'"):
        holidays_for("FR", [2026], subdivision="Atlantis")


def test_countries_lists_codes_with_english_names_sorted_by_name() -> None:
    listed = countries()

    assert ("FR", "France") in listed
    assert ("GB", "United Kingdom") in listed
    assert ("US", "United States of America") in listed
    names = [name for _, name in listed]
    assert names.index("Afghanistan") < names.index("Åland Islands") < names.index("Albania")  # accents aside
    assert names[-1] == "Zimbabwe"
    assert len({code for code, _ in listed}) == len(listed)
    assert all(len(code) == 2 for code, _ in listed)
