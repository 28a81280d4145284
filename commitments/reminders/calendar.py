"""Working days: reminders land on a Dutch working day, never on a weekend or public holiday.

A reminder whose date falls on a Saturday, a Sunday or a public holiday (the `holidays`
package's calendar for the Netherlands) moves to the working day before it, so nobody is
reminded on the day after the deadline instead.
"""

import datetime
from functools import lru_cache

import holidays

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=32)
def _dutch_public_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _dutch_public_holidays(day.year)


def working_day_on_or_before(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def days_landing_on(day: datetime.date) -> list[datetime.date]:
    """The dates whose reminders are sent on `day`: the day itself and the days off after it.

    Empty for a day off: its reminders went out on the working day before.
    """
    if not is_working_day(day):
        return []
    landing = [day]
    following = day + ONE_DAY
    while not is_working_day(following):
        landing.append(following)
        following += ONE_DAY
    return landing


def digest_occasion(day: datetime.date, *, weekday: int) -> datetime.date:
    """The nominal digest day (a `weekday`) of the digest week that `day` belongs to.

    A digest week runs from one digest day, moved to a working day, to the next. The digest of
    a week goes out with the first scan of that week, so a worker that was down on the digest
    day, or a tracker installed mid-week, still gets each manager one digest that week.
    """
    latest = day - datetime.timedelta(days=(day.weekday() - weekday) % 7)
    following = latest + datetime.timedelta(days=7)
    # Next week's digest day may be a holiday that moves its digest into this week.
    if working_day_on_or_before(following) <= day:
        return following
    return latest
