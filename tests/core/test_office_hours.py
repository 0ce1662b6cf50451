"""Office hours in Vietnam time, public holidays and swapped Saturdays from the holiday file."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from core.office_hours import OfficeHours, OfficeHoursError, load_holidays, parse_periods, parse_weekdays
from core.settings import PROJECT_ROOT, VIETNAM_TIME

WEEK = OfficeHours(parse_periods("07:30-11:30,13:30-17:00"), parse_weekdays("1,2,3,4,5"))


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VIETNAM_TIME)


def test_open_in_the_periods_of_a_working_day_only():
    assert WEEK.is_open(vn(2026, 12, 7, 7, 30))  # Monday
    assert not WEEK.is_open(vn(2026, 12, 7, 7, 29))
    assert not WEEK.is_open(vn(2026, 12, 7, 12, 0))  # lunch
    assert not WEEK.is_open(vn(2026, 12, 7, 17, 0))
    assert not WEEK.is_open(vn(2026, 12, 6, 9, 0))  # Sunday


def test_a_moment_is_read_in_vietnam_time():
    # 01:00 UTC on Monday is 08:00 in Hà Nội: open; 11:00 UTC is 18:00: closed.
    assert WEEK.is_open(datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc))
    assert not WEEK.is_open(datetime(2026, 12, 7, 11, 0, tzinfo=timezone.utc))


def test_next_opening_skips_lunch_nights_weekends_and_holidays():
    assert WEEK.next_opening(vn(2026, 12, 7, 12, 0)) == vn(2026, 12, 7, 13, 30)
    assert WEEK.next_opening(vn(2026, 12, 4, 18, 0)) == vn(2026, 12, 7, 7, 30)  # Friday night → Monday
    open_now = vn(2026, 12, 7, 9, 0)
    assert WEEK.next_opening(open_now) == open_now
    tet = OfficeHours(WEEK.periods, WEEK.weekdays, frozenset({date(2026, 2, 16), date(2026, 2, 17)}))
    assert not tet.is_open(vn(2026, 2, 16, 9, 0))
    assert tet.next_opening(vn(2026, 2, 15, 20, 0)) == vn(2026, 2, 18, 7, 30)


def test_a_swapped_saturday_is_a_working_day():
    swapped = OfficeHours(WEEK.periods, WEEK.weekdays, working_days=frozenset({date(2026, 1, 10)}))
    assert swapped.is_open(vn(2026, 1, 10, 8, 0))
    assert not WEEK.is_open(vn(2026, 1, 10, 8, 0))


def test_round_the_clock_hours():
    always = OfficeHours(parse_periods("00:00-24:00"), parse_weekdays("1,2,3,4,5,6,7"))
    assert always.is_open(vn(2026, 12, 6, 23, 59)) and always.is_open(vn(2026, 12, 6, 0, 0))


def test_the_shipped_holiday_file_closes_tet_and_national_day_and_opens_swapped_saturdays():
    holidays, saturdays = load_holidays(PROJECT_ROOT / "core" / "public_holidays.yml")
    assert {date(2026, 1, 1), date(2026, 2, 17), date(2026, 4, 30), date(2026, 9, 2)} <= holidays
    assert date(2026, 8, 22) in saturdays and date(2026, 1, 10) in saturdays
    assert all(day.year in (2026, 2027) for day in holidays)


@pytest.mark.parametrize(
    "hours, days",
    [
        ("7h30-11h30", "1"),
        ("07:30", "1"),
        ("12:00-08:00", "1"),
        ("07:30-25:00", "1"),
        ("07:30-11:30", "8"),
        ("07:30-11:30", "mon"),
    ],
)
def test_malformed_settings_are_refused_with_the_reason(hours, days):
    with pytest.raises(OfficeHoursError):
        OfficeHours(parse_periods(hours), parse_weekdays(days))


def test_a_holiday_entry_without_a_date_is_refused(tmp_path):
    bad = tmp_path / "holidays.yml"
    bad.write_text("holidays:\n  - name: Tết\n", encoding="utf-8")
    with pytest.raises(OfficeHoursError, match="needs a date"):
        load_holidays(bad)
    assert load_holidays(tmp_path / "missing.yml") == (frozenset(), frozenset())
