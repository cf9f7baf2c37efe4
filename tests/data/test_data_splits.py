import re

import numpy as np
import pandas as pd
import pytest

from gradstep.data import (
    LECTURE_TEST,
    LECTURE_TRAIN,
    load_pageviews,
    make_windows,
    minimum_rows,
    split_windows,
)
from gradstep.errors import InputError


def _series(n, start="2022-01-01"):
    values = 100 + 10 * np.sin(np.arange(n)) + np.arange(n)
    return pd.Series(values, index=pd.date_range(start, periods=n, freq="D", name="date"))


def _first_last_count(part):
    return f"{part.dates[0]:%Y-%m-%d}", f"{part.dates[-1]:%Y-%m-%d}", len(part)


@pytest.fixture(scope="module")
def pageviews():
    return load_pageviews()


def test_lecture_constants():
    assert LECTURE_TRAIN == ("2017-01-01", "2020-12-31")
    assert LECTURE_TEST == ("2021-01-01", "2021-02-14")


def test_default_split_on_built_in_data_is_the_lecture_one(pageviews):
    split = split_windows(make_windows(pageviews, 56))
    assert _first_last_count(split.train) == ("2017-02-26", "2020-12-31", 1405)
    assert _first_last_count(split.test) == ("2021-01-01", "2021-02-14", 45)
    assert len(split.valid) == 0
    assert split.describe() == "train 2017-02-26..2020-12-31 (1405 days), test 2021-01-01..2021-02-14 (45 days)"


def test_valid_days_come_off_the_end_of_training(pageviews):
    split = split_windows(make_windows(pageviews, 7), valid_days=30)
    assert _first_last_count(split.train) == ("2017-01-08", "2020-12-01", 1424)
    assert _first_last_count(split.valid) == ("2020-12-02", "2020-12-31", 30)
    assert split.describe() == ("train 2017-01-08..2020-12-01 (1424 days), valid 2020-12-02..2020-12-31 (30 days), "
                                "test 2021-01-01..2021-02-14 (45 days)")


def test_parts_hold_the_right_examples(pageviews):
    windows = make_windows(pageviews, 7)
    split = split_windows(windows)
    position = windows.dates.get_loc(pd.Timestamp("2021-01-01"))
    assert split.test.y[0] == windows.y[position] == pageviews["2021-01-01"]
    assert split.test.X[0].tolist() == windows.X[position].tolist()


def test_short_user_series_falls_back_to_the_last_45_days():
    windows = make_windows(_series(200), 7)
    split = split_windows(windows)
    assert _first_last_count(split.test) == ("2022-06-05", "2022-07-19", 45)
    assert _first_last_count(split.train) == ("2022-01-08", "2022-06-04", 148)
    assert len(split.train) + len(split.test) == len(windows)


def test_fallback_with_validation_days():
    split = split_windows(make_windows(_series(200), 7), valid_days=10)
    assert _first_last_count(split.train) == ("2022-01-08", "2022-05-25", 138)
    assert _first_last_count(split.valid) == ("2022-05-26", "2022-06-04", 10)
    assert _first_last_count(split.test) == ("2022-06-05", "2022-07-19", 45)


def test_series_that_only_partly_covers_the_lecture_falls_back():
    split = split_windows(make_windows(_series(1500, start="2017-01-01"), 7))
    assert split.test.dates[-1] == pd.Timestamp("2021-02-08")
    assert len(split.test) == 45


@pytest.mark.parametrize("convert", [str, pd.Timestamp])
def test_explicit_ranges_as_strings_or_timestamps(pageviews, convert):
    windows = make_windows(pageviews, 28)
    split = split_windows(windows, train=(convert("2019-01-01"), convert("2019-12-31")),
                          test=(convert("2020-01-01"), convert("2020-01-31")))
    assert _first_last_count(split.train) == ("2019-01-01", "2019-12-31", 365)
    assert _first_last_count(split.test) == ("2020-01-01", "2020-01-31", 31)


def test_test_range_alone_trains_on_everything_before():
    split = split_windows(make_windows(_series(200), 7), test=("2022-07-01", "2022-07-10"))
    assert _first_last_count(split.train) == ("2022-01-08", "2022-06-30", 174)
    assert _first_last_count(split.test) == ("2022-07-01", "2022-07-10", 10)


def test_train_range_alone_tests_on_the_next_45_days():
    split = split_windows(make_windows(_series(200), 7), train=("2022-01-01", "2022-03-31"))
    assert _first_last_count(split.test) == ("2022-04-01", "2022-05-15", 45)


@pytest.mark.parametrize(("train", "test", "expected"), [
    (("2016-01-01", "2020-12-31"), LECTURE_TEST,
     "the train range 2016-01-01..2020-12-31 reaches outside the data, which spans 2017-01-01..2024-11-08"),
    (LECTURE_TRAIN, ("2024-11-01", "2024-12-31"), "the test range 2024-11-01..2024-12-31 reaches outside the data"),
    (LECTURE_TRAIN, ("2021-02-14", "2021-01-01"), "the test range 2021-02-14..2021-01-01 is empty"),
    (LECTURE_TRAIN, ("2020-12-01", "2021-01-31"), "the train range 2017-01-01..2020-12-31 and the test range "
                                                  "2020-12-01..2021-01-31 overlap"),
    (("2019-01-01", "2019-12-31"), ("2018-01-01", "2018-01-31"), "the test range 2018-01-01..2018-01-31 comes "
                                                                 "before the train range 2019-01-01..2019-12-31"),
    (("2017-01-01", "2017-01-05"), LECTURE_TEST, "the train range 2017-01-01..2017-01-05 has no day to predict "
                                                 "with days=7: the first day with 7 earlier days is 2017-01-08"),
    (("2020-12-25", "2020-12-31"), LECTURE_TEST, "the train range 2020-12-25..2020-12-31 leaves 7 training days; "
                                                 "days=7 needs at least 8"),
    (("2020-13-01", "2020-12-31"), LECTURE_TEST, "cannot read the train range"),
    ((None, "2020-12-31"), LECTURE_TEST, "is missing a date"),
])
def test_bad_ranges_are_refused(pageviews, train, test, expected):
    with pytest.raises(InputError) as caught:
        split_windows(make_windows(pageviews, 7), train=train, test=test)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("valid_days", [-1, 1.5])
def test_bad_valid_days_are_refused(pageviews, valid_days):
    with pytest.raises(InputError, match="is not a whole number of at least 0"):
        split_windows(make_windows(pageviews, 7), valid_days=valid_days)


def test_minimum_rows_rule():
    assert minimum_rows(56) == 56 + 57 + 45
    assert minimum_rows(56, min_train=1) == 102
    assert minimum_rows(7, test_days=10, valid_days=30) == 7 + 8 + 30 + 10


@pytest.mark.parametrize(("days", "valid_days"), [(1, 0), (7, 0), (56, 0), (7, 20)])
def test_minimum_rows_is_exactly_enough(days, valid_days):
    need = minimum_rows(days, valid_days=valid_days)
    split = split_windows(make_windows(_series(need), days), valid_days=valid_days)
    assert (len(split.train), len(split.valid), len(split.test)) == (days + 1, valid_days, 45)
    with pytest.raises(InputError, match=f"the data has {need - 1} days; days={days} with a 45-day test part "
                                         f"needs at least {need} days"):
        split_windows(make_windows(_series(need - 1), days), valid_days=valid_days)


def test_too_short_message_spells_out_the_sum():
    with pytest.raises(InputError) as caught:
        split_windows(make_windows(_series(60), 7), valid_days=5)
    assert str(caught.value) == ("the data has 60 days; days=7 with a 45-day test part needs at least 65 days "
                                 "(7 history days + 8 training days + 5 validation days + 45 test days); "
                                 "use days=4, or keep days=7 with test=('2022-01-21', '2022-03-01'), the last 40 "
                                 "days or fewer, or use a longer file")


def test_train_range_alone_needs_45_days_after_it():
    with pytest.raises(InputError, match=r"the test range 2022-07-11..2022-08-24 reaches outside the data, which "
                                         r"spans 2022-01-01..2022-07-19"):
        split_windows(make_windows(_series(200), 7), train=("2022-01-01", "2022-07-10"))


def test_data_starting_after_the_lecture_train_start_falls_back():
    series = _series(len(pd.date_range("2018-01-01", "2021-03-31")), start="2018-01-01")
    split = split_windows(make_windows(series, 7))
    assert _first_last_count(split.train) == ("2018-01-08", "2021-02-14", 1134)
    assert _first_last_count(split.test) == ("2021-02-15", "2021-03-31", 45)


def test_data_ending_on_the_last_lecture_test_day_gets_the_lecture_split():
    """Data from mid-2016: the lecture split still trains from 2017-01-01 only."""
    series = _series(len(pd.date_range("2016-06-01", "2021-02-14")), start="2016-06-01")
    split = split_windows(make_windows(series, 7))
    assert _first_last_count(split.train) == ("2017-01-01", "2020-12-31", 1461)
    assert _first_last_count(split.test) == ("2021-01-01", "2021-02-14", 45)


def test_fallback_tests_on_the_last_45_examples_even_when_days_are_skipped():
    windows = make_windows(_series(200), 7)
    weekdays = windows.select(windows.dates.day_of_week < 5)
    split = split_windows(weekdays)
    assert _first_last_count(split.test) == ("2022-05-18", "2022-07-19", 45)
    assert _first_last_count(split.train) == ("2022-01-10", "2022-05-17", 92)


def _refusal(windows, **kwargs):
    with pytest.raises(InputError) as caught:
        split_windows(windows, **kwargs)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_a_test_range_alone_outside_the_data_is_called_the_test_range():
    assert _refusal(make_windows(_series(200), 7), test=("2022-07-01", "2022-08-30")) == (
        "the test range 2022-07-01..2022-08-30 reaches outside the data, which spans 2022-01-01..2022-07-19; "
        "choose dates within it")


def test_a_train_range_alone_outside_the_data_is_called_the_train_range():
    assert _refusal(make_windows(_series(200), 7), train=("2021-12-01", "2022-03-31")) == (
        "the train range 2021-12-01..2022-03-31 reaches outside the data, which spans 2022-01-01..2022-07-19; "
        "choose dates within it")


@pytest.mark.parametrize("test", [("2022-02-01", "2022-03-01"), ("2022-03-31", "2022-04-30")])
def test_ranges_sharing_a_day_overlap(test):
    """A test range ending on the first training day, or starting on the last one, overlaps it."""
    train = ("2022-03-01", "2022-03-31")
    assert _refusal(make_windows(_series(200), 7), train=train, test=test) == (
        f"the train range 2022-03-01..2022-03-31 and the test range {test[0]}..{test[1]} overlap; start the test "
        "range after the train range ends")


def test_a_test_range_without_examples_is_called_the_test_range():
    windows = make_windows(_series(200), 7)
    gapped = windows.select(~((windows.dates >= "2022-05-01") & (windows.dates <= "2022-05-10")))
    assert _refusal(gapped, train=("2022-01-01", "2022-04-30"), test=("2022-05-01", "2022-05-10")) == (
        "the test range 2022-05-01..2022-05-10 has no day to predict with days=7: the first day with 7 earlier "
        "days is 2022-01-08")


@pytest.mark.parametrize(("valid_days", "left"), [
    (200, "leaves 0 training days after 200 validation days"),
    (6, "leaves 7 training days after 6 validation days"),
    (1, "leaves 7 training days after 1 validation day"),
])
def test_validation_days_that_leave_too_few_training_days(valid_days, left):
    windows = make_windows(_series(200), 7)
    train_end = {200: "2022-03-31", 6: "2022-01-20", 1: "2022-01-15"}[valid_days]
    assert _refusal(windows, train=("2022-01-01", train_end), test=("2022-04-01", "2022-04-30"),
                    valid_days=valid_days) == (
        f"the train range 2022-01-01..{train_end} {left}; days=7 needs at least 8; widen the train range, or use "
        f"fewer history days or validation days than days=7 and valid_days={valid_days}")


def test_a_one_day_test_range():
    split = split_windows(make_windows(_series(200), 7), test=("2022-07-01", "2022-07-01"))
    assert _first_last_count(split.test) == ("2022-07-01", "2022-07-01", 1)
    assert _first_last_count(split.train) == ("2022-01-08", "2022-06-30", 174)


def test_the_batch_helpers_old_names_still_work():
    import gradstep.data as data
    from gradstep import training
    assert data.iterate_batches is training.iterate_batches
    assert data.resolve_batch_size is training.resolve_batch_size
    assert data.updates_per_epoch is training.updates_per_epoch
    with pytest.raises(AttributeError) as caught:
        data.nonsense  # noqa: B018
    assert str(caught.value) == "module 'gradstep.data' has no attribute 'nonsense'"


# Data too short for the default split: the message names what would fit, with the file's own dates.

def _too_short(n, days, valid_days=0):
    """The refusal for n days of data (from 2022-09-01) with `days`, from make_windows or the default split."""
    with pytest.raises(InputError) as caught:
        split_windows(make_windows(_series(n, start="2022-09-01"), days), valid_days=valid_days)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_a_30_day_file_with_days_56_is_told_what_fits_word_for_word():
    """Catches the old advice ("use fewer history days"): the file cannot hold 45 test days at any days, so the
    message offers a week of history and the test range of the last 15 days, 2022-09-16..2022-09-30."""
    assert _too_short(30, 56) == (
        "the data has 30 days; days=56 needs at least 57 (56 history days + 1 day to predict), and 158 with the "
        "default 45-day test part (56 history days + 57 training days + 45 test days); use days=7 with "
        "test=('2022-09-16', '2022-09-30'), the last 15 days or fewer, or use a longer file")


@pytest.mark.parametrize(("n", "days", "valid_days", "fits"), [
    (100, 56, 0, "use days=27, or use a longer file"),  # 27 + 28 + 45 = 100
    (150, 56, 0, "use days=52, or keep days=56 with test=('2022-12-23', '2023-01-28'), the last 37 days or fewer"),
    (30, 7, 0, "keep days=7 with test=('2022-09-16', '2022-09-30'), the last 15 days or fewer"),
    (10, 7, 0, "use days=3 with test=('2022-09-08', '2022-09-10'), the last 3 days or fewer"),
    (4, 1, 0, "keep days=1 with test=('2022-09-04', '2022-09-04'), the last day, or use a longer file"),
    (3, 2, 0, "test days); use a longer file"),  # no split of 3 days leaves a training day per weight
])
def test_the_advice_fits_the_data(n, days, valid_days, fits):
    """Catches advice that ignores the file: the numbers and dates follow from its length and last day."""
    assert fits in _too_short(n, days, valid_days)


_ADVICE = re.compile(r"(?:use|keep) days=(\d+)(?: with test=\('([\d-]+)', '([\d-]+)'\))?")


@pytest.mark.parametrize(("n", "days", "valid_days"), [
    (n, days, valid_days) for n in [4, 5, 9, 10, 16, 30, 47, 48, 60, 100, 157] for days in [1, 2, 7, 28, 56]
    for valid_days in [0, 5] if n < minimum_rows(days, valid_days=valid_days)])
def test_every_split_the_message_offers_works_and_is_the_largest(n, days, valid_days):
    """Catches off-by-one advice: each offered split works, with days + 1 training days, while one history
    day more (with the default test part) or one test day more (with the offered days) is refused again."""
    series = _series(n, start="2022-09-01")
    message = _too_short(n, days, valid_days)
    if n <= days:
        valid_days = 0  # make_windows refused, before the split: it advises for no validation days
    for history, start, end in _ADVICE.findall(message):
        history = int(history)
        test = (start, end) if start else None
        split = split_windows(make_windows(series, history), test=test, valid_days=valid_days)
        if test:
            assert len(split.train) == history + 1
        else:
            assert len(split.test) == 45
        with pytest.raises(InputError):
            if test:
                longer = (f"{pd.Timestamp(start) - pd.Timedelta(days=1):%Y-%m-%d}", end)
                split_windows(make_windows(series, history), test=longer, valid_days=valid_days)
            else:
                split_windows(make_windows(series, history + 1), valid_days=valid_days)
