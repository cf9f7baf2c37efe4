"""Read date strings such as 2021-01-31, 31/01/2021, 31.01.2021 or 01/31/2021, working out day/month order.

Years have four digits: 21-01-31 or 1-01-08 is no date, never a guess at 2021 or 2008.
"""

import pandas as pd

from gradstep.errors import InputError

_YEAR_FIRST = r"(?P<year>\d{4})[-/.](?P<a>\d{1,2})[-/.](?P<b>\d{1,2})(?:[T ]00:00(?::00)?)?"
_YEAR_LAST = r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<year>\d{4})"
# The first and last whole days a pandas timestamp in nanoseconds can hold; dates outside them are refused.
FIRST_DAY = pd.Timestamp.min.ceil("D")
LAST_DAY = pd.Timestamp.max.floor("D")
DAY_FIRST_NOTE = "read the dates as day/month/year"
MONTH_FIRST_NOTE = "read the dates as month/day/year"


def is_date_like(texts: pd.Series) -> pd.Series:
    """Tell, for each string, whether it has the shape of a date that parse_dates reads."""
    return texts.str.fullmatch(_YEAR_FIRST) | texts.str.fullmatch(_YEAR_LAST)


def parse_dates(texts: pd.Series, where: str) -> tuple[pd.Series, str | None]:
    """Parse date strings into timestamps (NaT where unreadable) and say which day/month order was used, if any.

    Year-last dates are day-first when a first field above 12 appears, month-first when a second one does,
    and otherwise whichever reading gives consecutive days (day-first if both do). `where` names the column
    and file for the error raised when neither reading gives consecutive days.
    """
    year_first = _parts(texts, _YEAR_FIRST)
    dates = _to_dates(year_first.year, month=year_first.a, day=year_first.b)
    year_last = _parts(texts, _YEAR_LAST)
    if year_last.year.isna().all():
        return dates, None
    day_first = dates.fillna(_to_dates(year_last.year, month=year_last.b, day=year_last.a))
    month_first = dates.fillna(_to_dates(year_last.year, month=year_last.a, day=year_last.b))
    first_over_12, second_over_12 = (year_last.a > 12).any(), (year_last.b > 12).any()
    if first_over_12 or (not second_over_12 and _consecutive(day_first)):
        return day_first, DAY_FIRST_NOTE
    if second_over_12 or _consecutive(month_first):
        return month_first, MONTH_FIRST_NOTE
    raise InputError(
        f"the dates in {where} read both as day/month/year and as month/day/year, and neither reading gives "
        "consecutive days; write them as year-month-day, like 2021-01-31"
    )


def _parts(texts: pd.Series, pattern: str) -> pd.DataFrame:
    """Split strings matching pattern into numeric year, a and b columns (NaN where a string does not match)."""
    return texts.str.extract(f"^{pattern}$").astype("float64")


def _to_dates(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Build timestamps from numeric parts, NaT where a part is missing or the date does not exist."""
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")


def _consecutive(dates: pd.Series) -> bool:
    """Tell whether the readable dates, sorted, step one day at a time."""
    steps = dates.dropna().sort_values().diff().dropna()
    return bool((steps == pd.Timedelta(days=1)).all())
