"""DataSpec.pool="pages": more data from the built-in pages, cut at the training part's last day, used for
training only; every test names the broken implementation it catches."""

import numpy as np
import pandas as pd
import pytest

from gradstep import run as runs
from gradstep.data import list_pages, load_pageviews, make_windows
from gradstep.errors import InputError
from gradstep.spec import DataSpec, RunSpec
from gradstep.training import Trainer

POOLED = RunSpec().replace(page="Easter", days=7, scale="window", pool="pages", kind="linear", epochs=1,
                           batch_size=256, train=("2017-01-01", "2018-06-30"), test=("2018-07-01", "2018-08-14"))


def test_the_pool_is_every_other_page_cut_at_the_given_day():
    """Catches the page itself pooled (its windows twice), a page left out, or days after ``end`` read."""
    end = pd.Timestamp("2018-06-30")
    pool = runs.pooled(POOLED.data, end)
    others = [page for page in list_pages() if page != "Easter"]
    assert len(others) == len(list_pages()) - 1
    assert len(pool) == sum(len(make_windows(load_pageviews(page).loc[:end], 7)) for page in others)
    assert pool.dates.max() == end and pool.X.shape[1] == 7
    first = make_windows(load_pageviews(others[0]).loc[:end], 7)
    np.testing.assert_array_equal(pool.X[:len(first)], first.X)
    np.testing.assert_array_equal(pool.y[:len(first)], first.y)


def test_no_pool_is_empty_and_a_csv_pools_every_page(tmp_path):
    """Catches windows pooled without pool="pages", or a CSV's pool missing the default page."""
    end = pd.Timestamp("2017-03-01")
    assert len(runs.pooled(DataSpec(days=7), end)) == 0
    assert runs.pooled(DataSpec(days=7), end).X.shape == (0, 7)
    csv = DataSpec(csv=str(tmp_path / "x.csv"), days=7, scale="window", pool="pages")
    assert len(runs.pooled(csv, end)) == len(list_pages()) * (60 - 7)  # 2017-01-01..03-01: 60 days
    assert len(runs.pooled(POOLED.data, pd.Timestamp("2017-01-07"))) == 0  # 7 days: no window of 7, no error


def test_fit_trains_on_the_pool_and_scores_the_series_alone(monkeypatch):
    """Catches the pool left out of training, put into the split (its training MAE would change), or
    validated on."""
    seen = []
    real = Trainer.fit

    def spy(self, X, y, X_valid=None, y_valid=None, **options):
        seen.append((len(X), 0 if X_valid is None else len(X_valid)))
        return real(self, X, y, X_valid, y_valid, **options)
    monkeypatch.setattr(Trainer, "fit", spy)
    run = runs.fit(POOLED.replace(valid_days=28))
    alone = runs.fit(POOLED.replace(valid_days=28, pool=None))
    pool = runs.pooled(POOLED.data, run.split_.train.dates[-1])
    assert seen == [(len(run.split_.train) + len(pool), 28), (len(alone.split_.train), 28)]
    assert run.ranges == alone.ranges and len(run.split_.train) == len(alone.split_.train)
    assert run.metrics["train"] != alone.metrics["train"]  # the same days, a model trained on more
    assert pool.dates.max() <= run.split_.train.dates[-1] < run.split_.valid.dates[0]


def test_a_pool_needs_windows_read_relative_to_their_level():
    """Catches pooling standardised windows, whose levels are other pages' (a thousand times apart)."""
    with pytest.raises(InputError, match="^pool='pages' trains on other series too.*needs scale='window'"):
        DataSpec(pool="pages")
    with pytest.raises(InputError, match="pool=.*is not a choice"):
        DataSpec(pool="everything", scale="window")


def test_a_pooled_spec_says_so_and_round_trips():
    """Catches a pooled model described like the same model trained on its series alone."""
    assert POOLED.describe() == "linear, 7 days, trained on the built-in pages too"
    assert POOLED.replace(pool=None).describe() == "linear, 7 days"
    assert RunSpec.from_dict(POOLED.to_dict()) == POOLED


def test_a_pool_that_adds_nothing_is_refused_and_leaves_no_room_to_backtest():
    """Catches a model described as trained on the pages that trained on its series alone, and folds whose
    training ends before the pages have a window."""
    from gradstep import backtest as bt
    early = pd.Series(np.arange(400.0) + 100, index=pd.date_range("2015-06-01", periods=400), name="x")
    with pytest.raises(InputError, match=r"^pool='pages' adds no windows: the built-in pages start on 2017-01-01, "
                                         r"so their first window of days=7 is for 2017-01-08, after the training "
                                         r"part's last day \(2016-05-20\); drop pool, or train on later days$"):
        runs.fit(POOLED.replace(page=None, train=None, test=None), early)
    spec = POOLED.replace(page=None, train=None, test=None, valid_days=0)
    later = pd.Series(np.arange(700.0) + 100, index=pd.date_range("2016-06-01", periods=700), name="x")
    # training targets 2016-06-08..2018-03-17 (648 days); a fold's training must reach 2017-01-08, the pages'
    # first window: 207 + 7 + 1 = 215 days from the first target, more than the 44 a fold needs otherwise
    assert bt.max_folds(spec, later) == (648 - 215) // 28 == 15
    assert bt.max_folds(spec.replace(pool=None, scale=None), later) == (648 - 44) // 28 == 21
    first = bt.folds(spec, later, 15)[0]
    assert len(runs.pooled(spec.data, pd.Timestamp(first["train"][1]))) > 0
    # folds of one day count the days needed exactly: the earliest fold trains up to 2017-01-08, the day of
    # the pages' first windows (one per page), and not a day before
    assert bt.max_folds(spec, later, 1) == 648 - 215
    earliest = pd.Timestamp(bt.folds(spec, later, 648 - 215, 1)[0]["train"][1])
    assert earliest == pd.Timestamp("2017-01-08") and len(runs.pooled(spec.data, earliest)) == len(list_pages())
