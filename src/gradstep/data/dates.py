"""Read date strings such as 2021-01-31, 31/01/2021, 31.01.2021, 01/31/2021 or 9/1/22, working out day/month order.

Years have four digits, or two after a slash (9/1/22): 21-01-31 or 1-01-08 is no date, never a guess at 2021 or
2008. Year-first dates may carry a time of day and a time zone (2022-09-01T00:00:00Z), dropped when every row
has the same time (daily data): the date is the one written, never shifted to another zone.
"""

import pandas as pd

from gradstep.data._words import show
from gradstep.errors import InputError

_TIME = (r"(?:[T ](?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d(?:\.\d+)?))?"
         r"(?:Z| ?UTC|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?")
_YEAR_FIRST = r"(?P<year>\d{4})[-/.](?P<a>\d{1,2})[-/.](?P<b>\d{1,2})" + _TIME
_YEAR_LAST = r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})(?:[-/.](?P<year>\d{4})|/(?P<short_year>\d{2}))"
# Two-digit years as Python's strptime reads %y: 00 to 68 are 2000 to 2068, 69 to 99 are 1969 to 1999.
_CENTURY_TURN = 69
# The first and last whole days a pandas timestamp in nanoseconds can hold; dates outside them are refused.
FIRST_DAY = pd.Timestamp.min.ceil("D")
LAST_DAY = pd.Timestamp.max.floor("D")
DAY_FIRST_NOTE = "read the dates as day/month/year"
MONTH_FIRST_NOTE = "read the dates as month/day/year"
TWO_DIGIT_YEAR_NOTE = "read two-digit years 00 to 68 as 2000 to 2068 and 69 to 99 as 1969 to 1999"


def is_date_like(texts: pd.Series) -> pd.Series:
    """Tell, for each string, whether it has the shape of a date that parse_dates reads."""
    return texts.str.fullmatch(_YEAR_FIRST) | texts.str.fullmatch(_YEAR_LAST)


def parse_dates(texts: pd.Series, where: str) -> tuple[pd.Series, list[str]]:
    """Parse date strings into timestamps (NaT where unreadable) and list the readings chosen, as notes.

    Year-last dates are day-first when a first field above 12 appears, month-first when a second one does,
    and otherwise whichever reading gives consecutive days (day-first if both do). `where` names the column
    and file for the errors raised when neither reading gives consecutive days, or when times of day differ.
    """
    year_first = _parts(texts, _YEAR_FIRST)
    notes = _time_of_day(texts, year_first, where)
    dates = _to_dates(year_first.year, month=year_first.a, day=year_first.b)
    year_last = _parts(texts, _YEAR_LAST)
    if year_last.b.isna().all():
        return dates, notes
    short = year_last.short_year
    year = year_last.year.fillna(short + 1900 + 100 * (short < _CENTURY_TURN))
    day_first = dates.fillna(_to_dates(year, month=year_last.b, day=year_last.a))
    month_first = dates.fillna(_to_dates(year, month=year_last.a, day=year_last.b))
    first_over_12, second_over_12 = (year_last.a > 12).any(), (year_last.b > 12).any()
    if first_over_12 or (not second_over_12 and _consecutive(day_first)):
        dates, order = day_first, DAY_FIRST_NOTE
    elif second_over_12 or _consecutive(month_first):
        dates, order = month_first, MONTH_FIRST_NOTE
    else:
        raise InputError(
            f"the dates in {where} read both as day/month/year and as month/day/year, and neither reading gives "
            "consecutive days; write them as year-month-day, like 2021-01-31"
        )
    return dates, [*notes, order, *([TWO_DIGIT_YEAR_NOTE] if short.notna().any() else [])]


def outside_days(texts: pd.Series, dates: pd.Series) -> pd.Series:
    """Whether each date lies outside FIRST_DAY..LAST_DAY: read past them (pandas 3 holds such dates), or unread
    with a four-digit year at or beyond theirs (pandas 2 reads such dates as NaT)."""
    year = _parts(texts, _YEAR_FIRST).year.fillna(_parts(texts, _YEAR_LAST).year)
    unread = dates.isna() & ((year <= FIRST_DAY.year) | (year >= LAST_DAY.year))
    return (dates < FIRST_DAY) | (dates > LAST_DAY) | unread


def _time_of_day(texts: pd.Series, year_first: pd.DataFrame, where: str) -> list[str]:
    """A note when the dates carry a time of day, the same on every row; refuse times that differ (not daily data)."""
    timed = year_first.hour.notna()
    if not timed.any():
        return []
    seconds = (year_first.hour * 3600 + year_first.minute * 60 + year_first.second.fillna(0))[timed]
    first = texts[timed].iloc[0]
    if seconds.nunique() > 1:
        other = texts[timed][seconds != seconds.iloc[0]].iloc[0]
        raise InputError(
            f"the dates in {where} have different times of day ({show(first)} and {show(other)}), but gradstep "
            "needs one value per day; add up each day's values into one row per day (a pivot table by date, or "
            "series.resample('D').sum() in pandas)"
        )
    return [f"read date-times like {show(first)} as the dates written, dropping the time of day (the same on "
            "every row) and any time zone"]


def _parts(texts: pd.Series, pattern: str) -> pd.DataFrame:
    """Split strings matching pattern into one numeric column per named group (NaN where a string does not match)."""
    return texts.str.extract(f"^{pattern}$").astype("float64")


def _to_dates(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Build timestamps from numeric parts, NaT where a part is missing or the date does not exist."""
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")


def _consecutive(dates: pd.Series) -> bool:
    """Tell whether the readable dates, sorted, step one day at a time."""
    steps = dates.dropna().sort_values().diff().dropna()
    return bool((steps == pd.Timedelta(days=1)).all())
