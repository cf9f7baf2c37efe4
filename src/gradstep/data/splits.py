"""Split windows by target date into training, validation and test parts, as the lecture does or by given dates."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gradstep.data._words import count, span
from gradstep.data.windows import Windows
from gradstep.errors import InputError
from gradstep.spec import VALID_AT, YEAR

LECTURE_TRAIN = ("2017-01-01", "2020-12-31")
LECTURE_TEST = ("2021-01-01", "2021-02-14")
TEST_DAYS = 45

DateLike = str | pd.Timestamp


@dataclass(frozen=True)
class Split:
    """The training, validation (possibly empty) and test examples of one experiment."""

    train: Windows
    valid: Windows
    test: Windows

    def describe(self) -> str:
        """One line naming each part's target dates and size, e.g. "train 2017-02-26..2020-12-31 (1405 days), ..."."""
        parts = [("train", self.train), ("valid", self.valid), ("test", self.test)]
        return ", ".join(f"{label} {span(part.dates[0], part.dates[-1])} ({count(len(part), 'day')})"
                         for label, part in parts if len(part))


def minimum_rows(days: int, test_days: int = TEST_DAYS, valid_days: int = 0, min_train: int | None = None) -> int:
    """The fewest days of data that leave `days` history days, the training, validation and test days.

    min_train defaults to days + 1, one training example per parameter of the linear model (days weights and a
    bias): with fewer, least squares has no unique answer and the training loss says nothing.
    """
    return days + (days + 1 if min_train is None else min_train) + valid_days + test_days


def split_windows(
    windows: Windows,
    train: Sequence[DateLike] | None = None,
    test: Sequence[DateLike] | None = None,
    valid_days: int = 0,
    valid_at: str | None = None,
) -> Split:
    """Split examples by target date into inclusive train and test ranges, validating on the last
    ``valid_days`` training days, or with ``valid_at="year_before"`` on the ``valid_days`` days from a year
    (``YEAR``) before the day after the training part: the season the test days are in.

    With neither range given: the lecture's ranges when the data covers them, else the last 45 days for testing
    and every earlier day for training. A missing train range is every day before the test range; a missing
    test range is the 45 days after the train range. The training part needs at least days + 1 examples.
    """
    if isinstance(valid_days, bool) or not isinstance(valid_days, (int, np.integer)) or valid_days < 0:
        raise InputError(f"valid_days={valid_days!r} is not a whole number of at least 0")
    if valid_at is not None and valid_at not in VALID_AT:
        raise InputError(f"valid_at={valid_at!r} is not one of None, {', '.join(map(repr, VALID_AT))}")
    first_day = windows.dates[0] - pd.Timedelta(days=windows.days)
    last_day = windows.dates[-1]
    if train is None and test is None:
        if first_day <= pd.Timestamp(LECTURE_TRAIN[0]) and last_day >= pd.Timestamp(LECTURE_TEST[1]):
            train, test = LECTURE_TRAIN, LECTURE_TEST
        else:
            _check_length(len(windows) + windows.days, windows.days, valid_days, windows.dates)
            test = (windows.dates[-TEST_DAYS], last_day)
            train = (first_day, windows.dates[-TEST_DAYS - 1])
    if train is None:
        test_start, test_end = _parse_range("test", test, first_day, last_day)
        train = (first_day, test_start - pd.Timedelta(days=1))
    if test is None:
        train_end = _parse_range("train", train, first_day, last_day)[1]
        test = (train_end + pd.Timedelta(days=1), train_end + pd.Timedelta(days=TEST_DAYS))

    train_start, train_end = _parse_range("train", train, first_day, last_day)
    test_start, test_end = _parse_range("test", test, first_day, last_day)
    if test_end < train_start:
        raise InputError(f"the test range {span(test_start, test_end)} comes before the train range "
                         f"{span(train_start, train_end)}; test on days after the training days")
    if test_start <= train_end:
        raise InputError(f"the train range {span(train_start, train_end)} and the test range "
                         f"{span(test_start, test_end)} overlap; start the test range after the train range ends")
    fit = _targets(windows, "train", train_start, train_end)
    test_part = _targets(windows, "test", test_start, test_end)
    if valid_at is None:
        cut = max(len(fit) - valid_days, 0)
        train_part, valid_part = fit.select(slice(0, cut)), fit.select(slice(cut, None))
    else:
        train_part, valid_part = _year_before(fit, valid_days)
    if len(train_part) < windows.days + 1:
        after_valid = f" after {count(valid_days, 'validation day')}" if valid_days else ""
        raise InputError(f"the train range {span(train_start, train_end)} leaves "
                         f"{count(len(train_part), 'training day')}{after_valid}; days={windows.days} needs at "
                         f"least {windows.days + 1}; widen the train range, or use fewer history days or validation days "
                         f"than days={windows.days} and valid_days={valid_days}")
    return Split(train=train_part, valid=valid_part, test=test_part)


def _year_before(fit: Windows, valid_days: int) -> tuple[Windows, Windows]:
    """The training part's examples but those of the ``valid_days`` days from YEAR days before the day after
    its last, and those."""
    start = fit.dates[-1] + pd.Timedelta(days=1 - YEAR)
    end = start + pd.Timedelta(days=valid_days - 1)
    if valid_days > YEAR:
        raise InputError(f"valid_at='year_before' validates on the valid_days days from {YEAR} days before the "
                         f"training part ends, and valid_days={valid_days} reaches past its end; use valid_days="
                         f"{YEAR} or fewer")
    if start < fit.dates[0]:
        raise InputError(f"valid_at='year_before' validates on {span(start, end)}, a year before the training "
                         f"part ends, and it starts on {fit.dates[0]:%Y-%m-%d}; start the train range by "
                         f"{start:%Y-%m-%d}, or drop valid_at='year_before'")
    held = np.asarray((fit.dates >= start) & (fit.dates <= end))
    return fit.select(~held), fit.select(held)


def _check_length(total: int, days: int, valid_days: int, dates: pd.DatetimeIndex) -> None:
    """Refuse data too short for the default split, saying how many days it needs, why, and what would fit."""
    need = minimum_rows(days, valid_days=valid_days)
    if total < need:
        valid = f" + {count(valid_days, 'validation day')}" if valid_days else ""
        raise InputError(
            f"the data has {count(total, 'day')}; days={days} with a {TEST_DAYS}-day test part needs at least "
            f"{need} days ({count(days, 'history day')} + {count(days + 1, 'training day')}{valid} + "
            f"{TEST_DAYS} test days); {what_fits(total, days, valid_days, dates)}"
        )


def what_fits(total: int, days: int, valid_days: int, dates: pd.DatetimeIndex) -> str:
    """Say what splits `total` days of data ending on dates[-1], for a message: "use days=27, or keep days=56 with
    test=(...) ..., or use a longer file".

    Offered: the most history days that leave the default test part; the longest test range at the end that
    `days` leaves; when neither fits, at most a week of history days with a test range at least as long.
    """
    fits = []
    most_days = (total - TEST_DAYS - valid_days - 1) // 2  # the largest d with minimum_rows(d, ...) <= total
    if most_days >= 1:
        fits.append(f"use days={most_days}")
    longest = _longest_test(total, days, valid_days)
    if longest >= 1:
        fits.append(f"keep days={days} with {_last_days(longest, dates[-1])}")
    week = min(7, (total - valid_days - 1) // 3)  # the test part it leaves is at least as long as its history
    if not fits and week >= 1:
        fits.append(f"use days={week} with {_last_days(_longest_test(total, week, valid_days), dates[-1])}")
    return ", or ".join([*fits, "use a longer file"])


def _longest_test(total: int, days: int, valid_days: int) -> int:
    """The most test days left by `total` days after the history, days + 1 training days and the validation days."""
    return total - minimum_rows(days, test_days=0, valid_days=valid_days)


def _last_days(test_days: int, last_day: pd.Timestamp) -> str:
    """A test range of the last `test_days` days up to last_day, in Python's words: test=('2022-09-16', ...)."""
    first = last_day - pd.Timedelta(days=test_days - 1)
    last = "the last day" if test_days == 1 else f"the last {test_days} days or fewer"
    return f"test=('{first:%Y-%m-%d}', '{last_day:%Y-%m-%d}'), {last}"


def _parse_range(
    kind: str, dates: Sequence[DateLike], first_day: pd.Timestamp, last_day: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Read a (start, end) pair of dates and check it is not empty and lies within the data's first..last day."""
    try:
        start, end = (pd.Timestamp(date) for date in dates)
    except (TypeError, ValueError) as err:
        raise InputError(f"cannot read the {kind} range {dates!r} ({err}); give two dates like 2021-01-01") from None
    if pd.isna(start) or pd.isna(end):
        raise InputError(f"the {kind} range {dates!r} is missing a date; give two dates like 2021-01-01")
    if start > end:
        raise InputError(f"the {kind} range {span(start, end)} is empty: it ends before it starts; "
                         "give the earlier date first")
    if start < first_day or end > last_day:
        raise InputError(f"the {kind} range {span(start, end)} reaches outside the data, which spans "
                         f"{span(first_day, last_day)}; choose dates within it")
    return start, end


def _targets(windows: Windows, kind: str, start: pd.Timestamp, end: pd.Timestamp) -> Windows:
    """Return the examples whose target date is in start..end, refusing a range with none."""
    part = windows.between(start, end)
    if not len(part):
        raise InputError(f"the {kind} range {span(start, end)} has no day to predict with days={windows.days}: "
                         f"the first day with {windows.days} earlier days is {windows.dates[0]:%Y-%m-%d}")
    return part
