"""When an officer can answer: working days and hours in Vietnam time, less public holidays.

The hand-off (actions/handoff.py) uses it to decide between "an officer will join" and a callback
offer, and to tell the citizen when to expect the call. Hours, days and the holiday file are
settings (``OFFICE_HOURS``, ``OFFICE_WEEKDAYS``, ``HOLIDAYS_FILE``); the holiday file lists each
closed date with the text that declared it, and the Saturdays made working days by a swap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import FrozenSet, Iterable, Tuple

import yaml

from core.settings import VIETNAM_TIME, Settings

Period = Tuple[time, time]
# How far ahead the next opening is looked for: the longest closure (Tết and weekends) is ~10 days.
LOOKAHEAD_DAYS = 31


class OfficeHoursError(ValueError):
    """A malformed OFFICE_HOURS, OFFICE_WEEKDAYS or holiday file; the message says which."""


def _clock(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit()) or not (0 <= int(minutes) < 60):
        raise OfficeHoursError(f"OFFICE_HOURS times must be HH:MM, not {text!r}")
    if int(hours) == 24 and int(minutes) == 0:
        return time.max
    if not 0 <= int(hours) < 24:
        raise OfficeHoursError(f"OFFICE_HOURS times must be HH:MM, not {text!r}")
    return time(int(hours), int(minutes))


def parse_periods(text: str) -> Tuple[Period, ...]:
    """``"07:30-11:30,13:30-17:00"`` → the periods of one working day, in order."""
    periods = []
    for item in (part for part in text.split(",") if part.strip()):
        start, separator, end = item.partition("-")
        if not separator:
            raise OfficeHoursError(f"OFFICE_HOURS periods must be HH:MM-HH:MM, not {item.strip()!r}")
        period = (_clock(start), _clock(end))
        if period[0] >= period[1]:
            raise OfficeHoursError(f"OFFICE_HOURS period {item.strip()!r} ends before it starts")
        periods.append(period)
    return tuple(sorted(periods))


def parse_weekdays(text: str) -> FrozenSet[int]:
    """``"1,2,3,4,5"`` (ISO: 1 is Monday, 7 is Sunday) → the working weekdays."""
    days = set()
    for item in (part.strip() for part in text.split(",") if part.strip()):
        if not item.isdigit() or not 1 <= int(item) <= 7:
            raise OfficeHoursError(f"OFFICE_WEEKDAYS must list days 1 (Monday) to 7 (Sunday), not {item!r}")
        days.add(int(item))
    return frozenset(days)


def _dates(entries: Iterable[object], path: Path, key: str) -> FrozenSet[date]:
    found = set()
    for entry in entries or []:
        value = entry.get("date") if isinstance(entry, dict) else None
        if not isinstance(value, date):
            raise OfficeHoursError(f"{path}: every entry of {key!r} needs a date (YYYY-MM-DD), got {entry!r}")
        found.add(value)
    return frozenset(found)


def load_holidays(path: Path) -> Tuple[FrozenSet[date], FrozenSet[date]]:
    """``(closed dates, working Saturdays)`` from a holiday file; a missing file means none."""
    if not path.is_file():
        return frozenset(), frozenset()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise OfficeHoursError(f"{path}: expected the keys 'holidays' and 'working_saturdays'")
    return _dates(data.get("holidays"), path, "holidays"), _dates(
        data.get("working_saturdays"), path, "working_saturdays"
    )


@dataclass(frozen=True)
class OfficeHours:
    """The office's opening periods on working days; every time is read in Vietnam time."""

    periods: Tuple[Period, ...]
    weekdays: FrozenSet[int]
    holidays: FrozenSet[date] = frozenset()
    working_days: FrozenSet[date] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> "OfficeHours":
        holidays, working_days = load_holidays(settings.holidays_file)
        return cls(
            parse_periods(settings.office_hours), parse_weekdays(settings.office_weekdays), holidays, working_days
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.working_days or day.isoweekday() in self.weekdays

    def is_open(self, moment: datetime) -> bool:
        """True when ``moment`` (aware) falls in an opening period of a working day."""
        local = moment.astimezone(VIETNAM_TIME)
        if not self.is_working_day(local.date()):
            return False
        now = local.time().replace(tzinfo=None)
        return any(start <= now < end or (end == time.max and now >= start) for start, end in self.periods)

    def next_opening(self, moment: datetime) -> datetime:
        """The start of the next opening period after ``moment`` (``moment`` itself when open)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(VIETNAM_TIME)
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            if not self.is_working_day(day):
                continue
            for start, _end in self.periods:
                opening = datetime.combine(day, start, VIETNAM_TIME)
                if opening > local:
                    return opening
        raise OfficeHoursError(f"the office does not open within {LOOKAHEAD_DAYS} days of {local:%d/%m/%Y}")
