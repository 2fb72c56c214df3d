"""Reading typed UK times and showing instants in UK time, across the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.errors import InvalidInput
from bot.services.timeparse import (
    format_local,
    format_local_range,
    localize,
    parse_date,
    parse_duration,
    parse_local,
)

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday 23 November 2026, GMT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03 17:00", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("2026-12-03T17:00", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("3 Dec 5pm", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("3rd December 2026 at 5:30pm", datetime(2026, 12, 3, 17, 30, tzinfo=UTC)),
        ("Dec 3 5pm", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("Thursday 3 December 17:00", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("3/12 17.00", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("03/12/2026 5pm", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("tomorrow 16:30", datetime(2026, 11, 24, 16, 30, tzinfo=UTC)),
        ("5pm tomorrow", datetime(2026, 11, 24, 17, 0, tzinfo=UTC)),
        ("tomorrow noon", datetime(2026, 11, 24, 12, 0, tzinfo=UTC)),
        ("next Tuesday 4pm", datetime(2026, 11, 24, 16, 0, tzinfo=UTC)),
        ("Monday 10am", datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),  # never today
        ("today 6pm", datetime(2026, 11, 23, 18, 0, tzinfo=UTC)),
        ("12am tomorrow", datetime(2026, 11, 24, 0, 0, tzinfo=UTC)),
        ("3 Jan 10am", datetime(2027, 1, 3, 10, 0, tzinfo=UTC)),  # next year
        # Summer: UK time is BST, an hour ahead of UTC.
        ("2027-06-01 17:00", datetime(2027, 6, 1, 16, 0, tzinfo=UTC)),
        ("1 Jun 5pm", datetime(2027, 6, 1, 16, 0, tzinfo=UTC)),
        ("2026-12-03 17:00 UTC", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
    ],
)
def test_forms_people_type(text: str, expected: datetime) -> None:
    assert parse_local(text, NOW, TZ) == expected


def test_a_date_just_gone_is_kept_so_it_reads_as_past() -> None:
    assert parse_local("20 Nov 5pm", NOW, TZ) == datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please give a date and time"),
        ("soon", "couldn't read"),
        ("3 Dec", "include a time"),
        ("5pm", "include the date"),
        ("31 Feb 5pm", "not a real date"),
        ("25:00 tomorrow", "not a time of day"),
        ("13pm tomorrow", "not a time of day"),
        ("Friday 3 December 5pm", "is a Thursday, not a Friday"),
        ("3 Smarch 5pm", "couldn't read"),
        ("x" * 200, "too long"),
    ],
)
def test_unreadable_times_explain_themselves(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_local(text, NOW, TZ)


# The clock-change weekends: forward at 01:00 UTC on the last Sunday of March, back at 01:00
# UTC on the last Sunday of October.
SPRING = [datetime(2026, 3, 29), datetime(2027, 3, 28)]  # noqa: DTZ001 (wall-clock days)
AUTUMN = [datetime(2026, 10, 25), datetime(2027, 10, 31)]  # noqa: DTZ001


@pytest.mark.parametrize("day", SPRING)
@pytest.mark.parametrize("clock", ["01:00", "01:30", "01:59"])
def test_spring_gap_times_do_not_exist(day: datetime, clock: str) -> None:
    now = day - timedelta(days=30)
    text = f"{day:%Y-%m-%d} {clock}"
    with pytest.raises(InvalidInput, match="doesn't exist in UK time"):
        parse_local(text, now.replace(tzinfo=UTC), TZ)
    for zone in ("BST", "GMT"):
        with pytest.raises(InvalidInput, match="doesn't exist"):
            parse_local(f"{text} {zone}", now.replace(tzinfo=UTC), TZ)


@pytest.mark.parametrize("day", SPRING)
def test_spring_either_side_of_the_gap(day: datetime) -> None:
    now = (day - timedelta(days=30)).replace(tzinfo=UTC)
    assert parse_local(f"{day:%Y-%m-%d} 00:59", now, TZ) == day.replace(
        hour=0, minute=59, tzinfo=UTC
    )
    assert parse_local(f"{day:%Y-%m-%d} 02:00", now, TZ) == day.replace(hour=1, tzinfo=UTC)
    assert parse_local(f"{day:%Y-%m-%d} 17:00", now, TZ) == day.replace(hour=16, tzinfo=UTC)


@pytest.mark.parametrize("day", AUTUMN)
@pytest.mark.parametrize("clock", ["01:00", "01:30", "01:59"])
def test_autumn_repeated_hour_is_ambiguous(day: datetime, clock: str) -> None:
    now = (day - timedelta(days=30)).replace(tzinfo=UTC)
    text = f"{day:%Y-%m-%d} {clock}"
    with pytest.raises(InvalidInput, match="happens twice") as caught:
        parse_local(text, now, TZ)
    assert "BST" in caught.value.message and "GMT" in caught.value.message
    hour, minute = int(clock[:2]), int(clock[3:])
    first = parse_local(f"{text} BST", now, TZ)
    second = parse_local(f"{text} GMT", now, TZ)
    assert first == day.replace(hour=hour - 1, minute=minute, tzinfo=UTC)
    assert second == day.replace(hour=hour, minute=minute, tzinfo=UTC)
    assert second - first == timedelta(hours=1)
    assert format_local(first, TZ).endswith(f"{hour}:{minute:02d}am BST (UK time)")
    assert format_local(second, TZ).endswith(f"{hour}:{minute:02d}am GMT (UK time)")


@pytest.mark.parametrize("day", AUTUMN)
def test_autumn_either_side_of_the_overlap(day: datetime) -> None:
    now = (day - timedelta(days=30)).replace(tzinfo=UTC)
    assert parse_local(f"{day:%Y-%m-%d} 00:30", now, TZ) == (day - timedelta(minutes=30)).replace(
        tzinfo=UTC
    )
    assert parse_local(f"{day:%Y-%m-%d} 02:00", now, TZ) == day.replace(hour=2, tzinfo=UTC)
    # The week before is BST, the week after GMT: 5pm local is 16:00 then 17:00 UTC.
    before = day - timedelta(days=7)
    after = day + timedelta(days=7)
    assert parse_local(f"{before:%Y-%m-%d} 17:00", now, TZ).hour == 16
    assert parse_local(f"{after:%Y-%m-%d} 17:00", now, TZ).hour == 17


def test_a_zone_that_does_not_apply_is_refused() -> None:
    with pytest.raises(InvalidInput, match="UK time is GMT, not BST"):
        parse_local("2026-12-03 17:00 BST", NOW, TZ)


def test_localize_refuses_aware_input() -> None:
    with pytest.raises(ValueError):
        localize(datetime(2026, 1, 1, tzinfo=UTC), TZ)


def test_display_matches_product_wording() -> None:
    start = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert format_local(start, TZ) == "Thursday 3 December 2026, 5:00pm (UK time)"
    summer = datetime(2027, 6, 1, 11, 30, tzinfo=UTC)
    assert format_local(summer, TZ) == "Tuesday 1 June 2027, 12:30pm (UK time)"
    assert (
        format_local_range(start, start + timedelta(minutes=90), TZ)
        == "Thursday 3 December 2026, 5:00pm to 6:30pm (UK time)"
    )


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("90 min", 90), ("1h30", 90), ("1.5 hours", 90), ("2 hours", 120), ("1:15", 75)],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "-30", "1h-5", "ninety"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_duration(text)


def test_parse_date_for_series_end() -> None:
    assert parse_date("1 Mar 2027", NOW, TZ).isoformat() == "2027-03-01"
    assert parse_date("2027-03-01", NOW, TZ).isoformat() == "2027-03-01"
    with pytest.raises(InvalidInput):
        parse_date("whenever", NOW, TZ)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_a_time_or_a_friendly_error(text: str) -> None:
    try:
        result = parse_local(text, NOW, TZ)
    except InvalidInput as exc:
        assert exc.message and "Traceback" not in exc.message
    else:
        assert result.tzinfo is not None and result.utcoffset() == timedelta(0)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)))  # noqa: DTZ001
def test_round_trip_through_the_typed_form(moment: datetime) -> None:
    """Any UK wall-clock time either round-trips exactly or is refused (gap or overlap)."""
    naive = moment.replace(second=0, microsecond=0)
    try:
        instant = parse_local(f"{naive:%Y-%m-%d %H:%M}", NOW.replace(year=2025), TZ)
    except InvalidInput as exc:
        assert "doesn't exist" in exc.message or "happens twice" in exc.message
        assert naive.month in (3, 10) and naive.hour == 1
    else:
        assert instant.astimezone(TZ).replace(tzinfo=None) == naive


@pytest.mark.parametrize(
    "text", ["0001-01-01 00:00 BST", "9999-12-31 23:59", "0001-01-01 00:00", "1 Jan 3000 10:00"]
)
def test_years_nobody_means_are_refused_kindly(text: str) -> None:
    with pytest.raises(InvalidInput, match="too far from today"):
        parse_local(text, NOW, TZ)
