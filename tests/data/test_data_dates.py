"""src/gradstep/data/dates.py: ISO dates, and day-first or month-first year-last dates told apart."""

import pandas as pd
import pytest

from gradstep.data.dates import DAY_FIRST_NOTE, MONTH_FIRST_NOTE, is_date_like, parse_dates
from gradstep.errors import InputError


def _parse(texts):
    dates, note = parse_dates(pd.Series(texts), "column \"Date\" of views.csv")
    return [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in dates], note


def test_year_first_dates_need_no_order_and_unreadable_ones_are_nat():
    assert _parse(["2021-01-31", "2021/02/01", "2021.02.02", "2021-2-3", "2021-02-04T00:00", "2021-02-05 00:00:00",
                   "2021-02-30", "Total"]) == (
        ["2021-01-31", "2021-02-01", "2021-02-02", "2021-02-03", "2021-02-04", "2021-02-05", None, None], None)


@pytest.mark.parametrize("texts, dates, note", [
    # a first field above 12 can only be a day; a second field above 12 can only be a day
    (["31/01/2021", "01/02/2021", "03/02/2021"], ["2021-01-31", "2021-02-01", "2021-02-03"], DAY_FIRST_NOTE),
    (["01/31/2021", "02/01/2021", "02/03/2021"], ["2021-01-31", "2021-02-01", "2021-02-03"], MONTH_FIRST_NOTE),
    (["13.1.2021", "5.1.2021"], ["2021-01-13", "2021-01-05"], DAY_FIRST_NOTE),
    (["1-13-2021", "1-5-2021"], ["2021-01-13", "2021-01-05"], MONTH_FIRST_NOTE),
])
def test_a_field_above_12_decides_the_order(texts, dates, note):
    """No reading of these dates is consecutive (a day is missing), so only the field above 12 can decide."""
    assert _parse(texts) == (dates, note)


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
    assert _parse(texts) == (dates, note)


def test_neither_reading_consecutive_is_refused_naming_the_column():
    with pytest.raises(InputError) as caught:
        _parse(["01/02/2021", "03/04/2021", "05/06/2021"])
    assert str(caught.value) == (
        'the dates in column "Date" of views.csv read both as day/month/year and as month/day/year, and neither '
        "reading gives consecutive days; write them as year-month-day, like 2021-01-31")


def test_is_date_like():
    texts = pd.Series(["2021-01-31", "31.01.2021", "1/2/2021", "2021-1-5", "2021-01-31T00:00", "2021-01-31 00:00:00",
                       "2021-01-31T12:00", "Total", "21-01-31", "20210131", " 2021-01-31", "views"])
    assert is_date_like(texts).tolist() == [True] * 6 + [False] * 6


def test_a_second_field_of_exactly_12_does_not_force_month_first():
    """01/12/2021, 02/12/2021: day-first gives 1 and 2 December (consecutive); 12 is a valid month."""
    import pandas as pd
    dates, note = parse_dates(pd.Series(["01/12/2021", "02/12/2021", "03/12/2021"]), "column")
    assert note == "read the dates as day/month/year" and list(dates.dt.day) == [1, 2, 3]
