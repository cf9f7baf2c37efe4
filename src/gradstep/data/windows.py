"""Turn a daily series into the lecture's examples: the previous `days` values (x1 = yesterday) and the day's value."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from gradstep.data._words import count
from gradstep.errors import InputError


@dataclass(frozen=True, eq=False)
class Windows:
    """Examples for predicting a day from the days before it.

    X[i, j-1] is the value j days before target day i, y[i] is the target day's value and dates[i] its date.
    """

    X: np.ndarray
    y: np.ndarray
    dates: pd.DatetimeIndex

    @property
    def days(self) -> int:
        """The number of previous days each example sees."""
        return self.X.shape[1]

    def __len__(self) -> int:
        """The number of examples (target days)."""
        return len(self.y)

    def select(self, key: slice | np.ndarray) -> "Windows":
        """Return the examples picked by a slice, a boolean mask or an array of positions."""
        return Windows(self.X[key], self.y[key], self.dates[key])

    def between(self, start: pd.Timestamp, end: pd.Timestamp) -> "Windows":
        """Return the examples whose target date lies in start..end (inclusive)."""
        return self.select(np.asarray((self.dates >= start) & (self.dates <= end)))


def make_windows(series: pd.Series, days: int) -> Windows:
    """Build one example per day that has `days` earlier values: len(series) - days examples, oldest first."""
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise InputError(f"days={days!r} is not a whole number of at least 1; use e.g. days=7")
    if len(series) <= days:
        from gradstep.data.splits import TEST_DAYS, minimum_rows, what_fits  # splits imports this module
        raise InputError(f"the data has {count(len(series), 'day')}; days={days} needs at least {days + 1} "
                         f"({count(days, 'history day')} + 1 day to predict), and {minimum_rows(days)} with the "
                         f"default {TEST_DAYS}-day test part ({count(days, 'history day')} + "
                         f"{count(days + 1, 'training day')} + {TEST_DAYS} test days); "
                         f"{what_fits(len(series), days, 0, series.index)}")
    steps = np.diff(series.index.to_numpy())
    if not (steps == np.timedelta64(1, "D")).all():
        raise InputError("make_windows needs one value per consecutive day; read the data with "
                         "read_series or load_pageviews, which fill or refuse missing days")
    values = series.to_numpy(dtype="float64")
    if not np.isfinite(values).all():
        first = series.index[~np.isfinite(values)][0]
        raise InputError(f"the series has a value that is not a number on {first:%Y-%m-%d}; fill or drop it first "
                         "(read_series refuses or fills such days)")
    X = sliding_window_view(values[:-1], days)[:, ::-1]
    return Windows(X=np.ascontiguousarray(X), y=values[days:].copy(), dates=pd.DatetimeIndex(series.index[days:]))
