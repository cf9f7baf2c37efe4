import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradstep.data import Windows, make_windows
from gradstep.errors import InputError


def _series(values, start="2021-01-01"):
    return pd.Series(np.asarray(values, dtype="float64"),
                     index=pd.date_range(start, periods=len(values), freq="D", name="date"))


def test_hand_computed_example():
    windows = make_windows(_series(range(1, 11)), days=3)
    assert isinstance(windows, Windows)
    assert len(windows) == 7
    assert windows.days == 3
    assert windows.X[0].tolist() == [3, 2, 1]
    assert windows.y[0] == 4
    assert windows.X[-1].tolist() == [9, 8, 7]
    assert windows.y[-1] == 10
    assert windows.dates[0] == pd.Timestamp("2021-01-04")
    assert windows.dates[-1] == pd.Timestamp("2021-01-10")
    assert windows.X.dtype == windows.y.dtype == np.float64


def test_one_day_is_yesterday():
    windows = make_windows(_series([5, 7, 9]), days=1)
    assert windows.X.tolist() == [[5], [7]]
    assert windows.y.tolist() == [7, 9]


@settings(max_examples=50, deadline=None)
@given(n=st.integers(2, 60), data=st.data())
def test_x_j_is_the_value_j_days_before_the_target(n, data):
    days = data.draw(st.integers(1, n - 1))
    values = np.arange(n, dtype="float64") ** 2
    windows = make_windows(_series(values), days)
    assert windows.X.shape == (n - days, days)
    for i in range(len(windows)):
        assert windows.y[i] == values[i + days]
        for j in range(1, days + 1):
            assert windows.X[i, j - 1] == values[i + days - j]


@pytest.mark.parametrize("days", [0, -1, 2.5, True])
def test_days_below_one_or_not_whole_are_refused(days):
    with pytest.raises(InputError, match="is not a whole number of at least 1"):
        make_windows(_series(range(10)), days)


def test_too_few_days_for_one_example():
    with pytest.raises(InputError, match=r"the data has 5 days; days=5 needs at least 6"):
        make_windows(_series(range(5)), 5)


def test_gaps_in_the_dates_are_refused():
    series = _series(range(5)).drop(pd.Timestamp("2021-01-03"))
    with pytest.raises(InputError, match="one value per consecutive day"):
        make_windows(series, 1)


def test_select_and_between():
    windows = make_windows(_series(range(1, 11)), days=3)
    part = windows.between(pd.Timestamp("2021-01-05"), pd.Timestamp("2021-01-06"))
    assert part.y.tolist() == [5, 6]
    assert part.X.tolist() == [[4, 3, 2], [5, 4, 3]]
    assert list(part.dates.strftime("%m-%d")) == ["01-05", "01-06"]
    assert windows.select(windows.y > 8).y.tolist() == [9, 10]
    assert len(windows.select(slice(0, 0))) == 0


def test_gaps_message_word_for_word():
    series = _series(range(5)).drop(pd.Timestamp("2021-01-03"))
    with pytest.raises(InputError) as caught:
        make_windows(series, 1)
    assert str(caught.value) == ("make_windows needs one value per consecutive day; read the data with read_series or "
                                 "load_pageviews, which fill or refuse missing days")


def test_whole_number_series_give_float_examples():
    series = pd.Series(np.arange(1, 6, dtype="int64"), index=pd.date_range("2021-01-01", periods=5, freq="D"))
    windows = make_windows(series, 2)
    assert windows.X.dtype == windows.y.dtype == np.float64
    assert windows.X.tolist() == [[2.0, 1.0], [3.0, 2.0], [4.0, 3.0]]


def test_a_value_that_is_not_a_number_is_refused_naming_its_day():
    series = pd.Series([1.0, 2.0, np.nan, 4.0], index=pd.date_range("2021-01-01", periods=4, freq="D"))
    with pytest.raises(InputError, match=r"^the series has a value that is not a number on 2021-01-03; fill or drop "
                                         r"it first \(read_series refuses or fills such days\)$"):
        make_windows(series, 1)


def test_too_few_days_message_says_what_fits_word_for_word():
    """Catches the old "use fewer history days" advice: 10 days hold days=3 with the last 3 days for testing."""
    with pytest.raises(InputError) as caught:
        make_windows(_series(range(10)), 10)
    assert str(caught.value) == (
        "the data has 10 days; days=10 needs at least 11 (10 history days + 1 day to predict), and 66 with the default "
        "45-day test part (10 history days + 11 training days + 45 test days); use days=3 with "
        "test=('2021-01-08', '2021-01-10'), the last 3 days or fewer, or use a longer file")


def test_an_empty_series_is_refused_without_naming_dates_it_lacks():
    """Catches advice that reads the last date of a series that has none (an IndexError instead of a refusal)."""
    with pytest.raises(InputError, match=r"^the data has 0 days; days=1 needs at least 2 .*; use a longer file$"):
        make_windows(_series([]), 1)
