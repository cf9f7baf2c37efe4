"""src/gradstep/data/dates.py: ISO dates and date-times, and day-first or month-first year-last dates told apart."""

import pandas as pd
import pytest

from gradstep.data.dates import (DAY_FIRST_NOTE, MONTH_FIRST_NOTE, TWO_DIGIT_YEAR_NOTE, is_date_like,
                                 outside_days, parse_dates)
from gradstep.errors import InputError


WHERE = 'column "Date" of views.csv'


def _parse(texts):
    dates, notes = parse_dates(pd.Series(texts), WHERE)
    return [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in dates], notes


def _refusal(texts):
    with pytest.raises(InputError) as caught:
        _parse(texts)
    return str(caught.value)


def test_year_first_dates_need_no_order_and_unreadable_ones_are_nat():
    assert _parse(["2021-01-31", "2021/02/01", "2021.02.02", "2021-2-3", "2021-02-30", "Total"]) == (
        ["2021-01-31", "2021-02-01", "2021-02-02", "2021-02-03", None, None], [])


@pytest.mark.parametrize("texts, dates, note", [
    # a first field above 12 can only be a day; a second field above 12 can only be a day
    (["31/01/2021", "01/02/2021", "03/02/2021"], ["2021-01-31", "2021-02-01", "2021-02-03"], DAY_FIRST_NOTE),
    (["01/31/2021", "02/01/2021", "02/03/2021"], ["2021-01-31", "2021-02-01", "2021-02-03"], MONTH_FIRST_NOTE),
    (["13.1.2021", "5.1.2021"], ["2021-01-13", "2021-01-05"], DAY_FIRST_NOTE),
    (["1-13-2021", "1-5-2021"], ["2021-01-13", "2021-01-05"], MONTH_FIRST_NOTE),
])
def test_a_field_above_12_decides_the_order(texts, dates, note):
    """No reading of these dates is consecutive (a day is missing), so only the field above 12 can decide."""
    assert _parse(texts) == (dates, [note])


@pytest.mark.parametrize("texts, dates, note", [
    # all fields ≤ 12: the reading that gives consecutive days wins
    (["01/02/2021", "02/02/2021", "03/02/2021"], ["2021-02-01", "2021-02-02", "2021-02-03"], DAY_FIRST_NOTE),
    (["02/01/2021", "02/02/2021", "02/03/2021"], ["2021-02-01", "2021-02-02", "2021-02-03"], MONTH_FIRST_NOTE),
    # newest first: consecutive once sorted
    (["03/02/2021", "02/02/2021", "01/02/2021"], ["2021-02-03", "2021-02-02", "2021-02-01"], DAY_FIRST_NOTE),
    # both readings are consecutive for one date: day-first
    (["05/06/2021"], ["2021-06-05"], DAY_FIRST_NOTE),
    # ISO dates count towards consecutiveness too
    (["2021-01-30", "31.01.2021", "01.02.2021", "02.02.2021"],
     ["2021-01-30", "2021-01-31", "2021-02-01", "2021-02-02"], DAY_FIRST_NOTE),
])
def test_consecutive_days_decide_the_order_when_no_field_is_above_12(texts, dates, note):
    assert _parse(texts) == (dates, [note])


def test_neither_reading_consecutive_is_refused_naming_the_column():
    assert _refusal(["01/02/2021", "03/04/2021", "05/06/2021"]) == (
        'the dates in column "Date" of views.csv read both as day/month/year and as month/day/year, and neither '
        "reading gives consecutive days; write them as year-month-day, like 2021-01-31")


def test_is_date_like():
    texts = pd.Series(["2021-01-31", "31.01.2021", "1/2/2021", "2021-1-5", "2021-01-31T00:00", "2021-01-31 00:00:00",
                       "2021-01-31T12:00", "9/1/22", "2022-09-01T00:00:00.000Z", "2022-09-01T00:00:00+02:00",
                       "2022-09-01 00:00:00 UTC",
                       "Total", "21-01-31", "20210131", " 2021-01-31", "views", "2021-01-31T24:00", "2021-01-31T",
                       "1-2-22", "1.2.22", "1/2/222", "2021-01-31T00:00+25:00"])
    assert is_date_like(texts).tolist() == [True] * 11 + [False] * 11


def test_a_second_field_of_exactly_12_does_not_force_month_first():
    """01/12/2021, 02/12/2021: day-first gives 1 and 2 December (consecutive); 12 is a valid month."""
    import pandas as pd
    dates, notes = parse_dates(pd.Series(["01/12/2021", "02/12/2021", "03/12/2021"]), "column")
    assert notes == ["read the dates as day/month/year"] and list(dates.dt.day) == [1, 2, 3]


# Two-digit years (9/1/22, 31/12/21), after a slash only.

@pytest.mark.parametrize("texts, dates, order", [
    (["9/1/22", "9/2/22", "9/3/22"], ["2022-09-01", "2022-09-02", "2022-09-03"], MONTH_FIRST_NOTE),
    (["30/12/21", "31/12/21", "1/1/22"], ["2021-12-30", "2021-12-31", "2022-01-01"], DAY_FIRST_NOTE),
    (["12/31/99", "1/1/00"], ["1999-12-31", "2000-01-01"], MONTH_FIRST_NOTE),
    # mixed with four-digit years in the same column
    (["12/31/2021", "1/1/22"], ["2021-12-31", "2022-01-01"], MONTH_FIRST_NOTE),
])
def test_two_digit_years_take_the_same_order_rules(texts, dates, order):
    """Catches two-digit years refused, or read as years 21 and 22 (which pandas cannot even hold)."""
    assert _parse(texts) == (dates, [order, TWO_DIGIT_YEAR_NOTE])


@pytest.mark.parametrize("text, year", [("1/31/00", 2000), ("1/31/68", 2068), ("1/31/69", 1969), ("1/31/99", 1999)])
def test_two_digit_years_turn_century_where_strptime_does(text, year):
    """Catches another pivot (50, 70) or one century for all: strptime's %y reads 00-68 as 20xx, 69-99 as 19xx."""
    import datetime
    assert datetime.datetime.strptime(text, "%m/%d/%y").year == year
    assert _parse([text])[0] == [f"{year}-01-31"]


def test_ambiguous_two_digit_dates_are_refused_with_the_fix():
    """Catches a reader that guesses month-first (the American default) when nothing decides."""
    assert _refusal(["1/2/22", "3/4/22", "5/6/22"]) == (
        f"the dates in {WHERE} read both as day/month/year and as month/day/year, and neither reading gives "
        "consecutive days; write them as year-month-day, like 2021-01-31")


def test_two_digit_years_after_dashes_or_dots_are_no_dates():
    """Catches 21-01-31 (year first, as %y-%m-%d writes it) read as 21 January 2031."""
    assert _parse(["21-01-31", "1.2.22"]) == ([None, None], [])


# Gaps: a field above 12 decides the order whatever days are missing; only consecutiveness needs no gap.

@pytest.mark.parametrize("texts, dates, order", [
    (["9/1/22", "9/2/22", "9/5/22", "9/13/22"], ["2022-09-01", "2022-09-02", "2022-09-05", "2022-09-13"],
     MONTH_FIRST_NOTE),
    (["1/9/22", "2/9/22", "5/9/22", "13/9/22"], ["2022-09-01", "2022-09-02", "2022-09-05", "2022-09-13"],
     DAY_FIRST_NOTE),
])
def test_a_gap_does_not_matter_when_a_field_above_12_decides(texts, dates, order):
    """Catches an order inference that demands consecutive days even when a field above 12 has decided."""
    assert _parse(texts) == (dates, [order, TWO_DIGIT_YEAR_NOTE])


def test_a_gap_makes_undecided_dates_ambiguous():
    """Fields all 12 or below, day 3 missing: neither reading is consecutive, so the reader must not guess."""
    assert "neither reading gives consecutive days; write them as year-month-day" in _refusal(
        ["01/02/2021", "02/02/2021", "04/02/2021"])


# ISO date-times on daily data: the date written, whatever the time zone; times must all be the same.

DATE_TIME_NOTE = ('read date-times like {} as the dates written, dropping the time of day (the same on every row) '
                  "and any time zone")


@pytest.mark.parametrize("texts", [
    ["2022-09-01T00:00:00Z", "2022-09-02T00:00:00Z"],
    ["2022-09-01 00:00:00", "2022-09-02 00:00:00"],
    ["2022-09-01T00:00:00+02:00", "2022-09-02T00:00:00+02:00"],
    ["2022-09-01T00:00:00.000Z", "2022-09-02T00:00:00.000Z"],
    ["2022-09-01T00:00:00-0500", "2022-09-02T00:00:00-0500"],
    ["2022-09-01 00:00:00 UTC", "2022-09-02 00:00:00 UTC"],
    ["2022-09-01T12:00", "2022-09-02T12:00"],  # a daily export stamped at noon
    ["2022-09-01T00:00:00.000Z", "2022-09-02T00:00:00Z"],  # the same time, written two ways
])
def test_daily_date_times_are_the_dates_written(texts):
    """Catches date-times refused, or converted to UTC first (2022-09-01T00:00:00+02:00 is 31 August in UTC)."""
    assert _parse(texts) == (["2022-09-01", "2022-09-02"], [DATE_TIME_NOTE.format(f'"{texts[0]}"')])


def test_a_change_of_offset_at_the_same_time_of_day_is_still_daily():
    """Summer time ends on 30 October 2022 in Europe: the offset changes, midnight stays midnight."""
    assert _parse(["2022-10-29T00:00:00+02:00", "2022-10-30T00:00:00+02:00", "2022-10-31T00:00:00+01:00"]) == (
        ["2022-10-29", "2022-10-30", "2022-10-31"], [DATE_TIME_NOTE.format('"2022-10-29T00:00:00+02:00"')])


@pytest.mark.parametrize("texts, shown", [
    (["2022-09-01T00:00:00Z", "2022-09-01T01:00:00Z", "2022-09-01T02:00:00Z"],
     '"2022-09-01T00:00:00Z" and "2022-09-01T01:00:00Z"'),
    (["2022-09-01 00:00", "2022-09-02 00:00", "2022-09-03 00:00:01"], '"2022-09-01 00:00" and "2022-09-03 00:00:01"'),
])
def test_times_that_differ_are_refused_as_not_daily(texts, shown):
    """Catches hourly data read by dropping the times: 24 rows a day would be refused as repeated dates, or
    (without repeats) a second's difference read as daily data."""
    assert _refusal(texts) == (
        f"the dates in {WHERE} have different times of day ({shown}), but gradstep needs one value per day; add up "
        "each day's values into one row per day (a pivot table by date, or series.resample('D').sum() in pandas)")


def test_outside_days_are_those_read_past_the_bounds_or_unread_with_a_year_at_or_beyond_them():
    """pandas 3 reads 9999-12-31 (past LAST_DAY), pandas 2 reads it as NaT: both are outside, whichever pandas
    parsed them; a NaT in a year inside the bounds is an unreadable date, not one outside them."""
    texts = pd.Series(["9999-12-31", "31/12/9999", "1677-09-21", "1677-02-30", "2262-04-12", "2021-02-30",
                       "2021-01-31", "1678-01-01", "2261-12-31", "0001-01-01"])
    read_by_pandas_2 = pd.Series(pd.to_datetime([None] * 6 + ["2021-01-31", "1678-01-01", "2261-12-31", None]))
    assert outside_days(texts, read_by_pandas_2).tolist() == [True, True, True, True, True, False, False, False,
                                                              False, True]
    past = pd.Series([pd.Timestamp("2262-04-12").as_unit("s"), pd.Timestamp("1677-09-21").as_unit("s"),
                      pd.Timestamp("2262-04-11").as_unit("s"), pd.Timestamp("1677-09-22").as_unit("s")])
    assert outside_days(pd.Series(["2262-04-12", "1677-09-21", "2262-04-11", "1677-09-22"]), past).tolist() == \
        [True, True, False, False]
