"""Choosing on validation data: which past days to read, folds that never train on the future, and the
guard that keeps the test days for the end.

- ``lag_importance(run)``: permutation importance of each past day x_j on the validation part
  (Breiman 2001, scikit-learn's ``permutation_importance``): MAE with column j shuffled − MAE.
- ``rolling_origin(spec, series)``: folds at the end of the training part (``backtest.folds``), each
  trained on the days before it and validated on its own days, with the series cut at its last day.
- ``shuffled_kfold(spec, series)``: scikit-learn's ``KFold(shuffle=True)`` on the training part's
  windows — what not to do with a series: it trains on days after the days it validates on.
- ``cross_validate(spec, scheme)``: either scheme's per-fold MAE as plain JSON (a job's result).
- ``choose(candidates)``: the lowest validation MAE, refused once a candidate has seen the test days.

    importance = lag_importance(gs.fit(spec.replace(valid_days=90), series))
    fitted = {m: gs.fit(spec.replace(lags=top_lags(importance, m), valid_days=90), series) for m in (1, 4, 16)}
    best = choose(fitted)                       # on validation; then, once: fitted[best].score_test()
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import backtest
from . import run as runs
from .data import Split, Windows, make_windows
from .errors import InputError
from .spec import Interval, OneOf, RunSpec

SCHEMES = ("rolling", "shuffled")
REPEATS = 5


def lag_importance(run: runs.Run, part: str = "valid", seed: int = 0, repeats: int = REPEATS) -> pd.Series:
    """For each past day j the model reads, the mean over ``repeats`` shuffles of MAE(x_j shuffled among the
    rows of ``part``) − MAE, in the series' units: how much worse the model gets without that day. Indexed
    by lag, in the run's order; "test" is refused, as lags are chosen before the test days are looked at."""
    if part not in ("train", "valid"):
        raise InputError(f"lag_importance() takes part='valid' (or 'train'), got part={part!r}; lags are chosen "
                         "before the test days are scored, once, after the choice")
    seed = Interval(int, 0, 2**32 - 1).check("seed", seed)
    repeats = Interval(int, 1, 1000).check("repeats", repeats)
    if run.split_ is None:
        raise InputError("this run keeps its scores, not its windows (a model read back from disk); fit the spec "
                         "again to measure the importance of its days")
    windows = getattr(run.split_, part)
    if not len(windows):
        raise InputError(f"the run has no {part} days to shuffle; fit it with a validation part, e.g. "
                         "valid_days=90")
    data = run.spec.data
    base = runs.errors(run.predict(windows.X), windows.y)["mae"]
    rng = np.random.default_rng(seed)
    lags = data.lags or tuple(range(1, data.days + 1))
    importance = {}
    for lag in lags:
        X = np.tile(windows.X, (repeats, 1))
        X[:, lag - 1] = np.concatenate([rng.permutation(windows.X[:, lag - 1]) for _ in range(repeats)])
        error = np.abs(run.predict(X) - np.tile(windows.y, repeats)).reshape(repeats, -1).mean(axis=1)
        importance[lag] = float(error.mean() - base)
    return pd.Series(importance, name="importance").rename_axis("lag")


def ranked_lags(importance: pd.Series) -> tuple[int, ...]:
    """The lags from the most to the least important (ties: the more recent day first)."""
    ordered = importance.sort_index().sort_values(ascending=False, kind="stable")
    return tuple(int(lag) for lag in ordered.index)


def top_lags(importance: pd.Series, m: int) -> tuple[int, ...]:
    """The ``m`` most important lags, sorted: a value for ``DataSpec.lags``."""
    m = Interval(int, 1, len(importance)).check("m", m)
    return tuple(sorted(ranked_lags(importance)[:m]))


@dataclass(frozen=True)
class Fold:
    """One cross-validation fold: the spec, the series it may read (cut at its last day) and its windows, a
    Split with no test part. The spec keeps the model and training settings and names the days read
    (``train``) and the validation rows' count (``valid_days``); the split says which rows those are."""

    spec: RunSpec
    series: pd.Series = field(repr=False)
    split: Split = field(repr=False)

    def fit(self) -> runs.Run:
        """The fold's run: trained on ``split.train``, scored on ``split.train`` and ``split.valid``."""
        return runs.fit(self.spec, self.series, split=self.split)


def _fold(spec: RunSpec, series: pd.Series, train: Windows, valid: Windows) -> Fold:
    """A fold reading ``series`` up to its last validation day, training on ``train``, validating on ``valid``."""
    end = max(train.dates[-1], valid.dates[-1])
    first = min(train.dates[0], valid.dates[0]).date().isoformat()
    fold_spec = spec.replace(train=(first, end.date().isoformat()), test=None, valid_days=len(valid), valid_at=None)
    return Fold(fold_spec, series.loc[:end], Split(train, valid, valid.select(slice(0, 0))))


def _no_early_stopping(spec: RunSpec) -> None:
    if spec.train.patience is not None:
        raise InputError(f"cross-validation scores each fold on its validation days, and early stopping "
                         f"(patience={spec.train.patience}) would choose its epoch on those same days; drop patience")


def rolling_origin(spec: RunSpec, series: pd.Series, folds: int = backtest.FOLDS,
                   fold_days: int = backtest.FOLD_DAYS) -> list[Fold]:
    """The last ``folds × fold_days`` days of the training part as folds (``backtest.folds``), oldest first:
    each trains on the training part's days before it and validates on its ``fold_days`` days, and its
    series ends on its last day, so no fold reads a day after the days it validates on."""
    _no_early_stopping(spec)
    folds = Interval(int, 1, 100).check("folds", folds)
    fold_days = Interval(int, 1, 3650).check("fold_days", fold_days)
    first = runs.split(spec, series).train.dates[0]
    made = []
    for fold in backtest.folds(spec.replace(valid_at=None), series, folds, fold_days):  # each validates on its days
        start, end = (pd.Timestamp(day) for day in fold["test"])
        windows = make_windows(series.loc[:end], spec.data.days)
        made.append(_fold(spec, series, windows.between(first, start - pd.Timedelta(days=1)),
                          windows.between(start, end)))
    return made


def shuffled_kfold(spec: RunSpec, series: pd.Series, folds: int = 5, seed: int = 0,
                   within: tuple | None = None) -> list[Fold]:
    """scikit-learn's ``KFold(n_splits=folds, shuffle=True)`` on the training part's windows (its validation
    days included): each fold validates on a random 1/``folds`` of them and trains on every other one, days
    after the validated ones among them — the leak a series' cross-validation must not have; for comparison
    only. ``within`` = (start, end) validates only on the windows of those dates (e.g. the rolling-origin
    folds' days, to compare the two schemes on the same days); the others always train."""
    _no_early_stopping(spec)
    folds = Interval(int, 2, 100).check("folds", folds)
    seed = Interval(int, 0, 2**32 - 1).check("seed", seed)
    parts = runs.split(spec, series)
    pool = parts.train if not len(parts.valid) else Windows(
        np.concatenate([parts.train.X, parts.valid.X]), np.concatenate([parts.train.y, parts.valid.y]),
        parts.train.dates.append(parts.valid.dates))
    pool = pool.select(np.argsort(pool.dates, kind="stable"))  # by date, wherever the validation days lay
    candidates = np.arange(len(pool))
    if within is not None:
        start, end = (pd.Timestamp(day) for day in within)
        candidates = np.flatnonzero((pool.dates >= start) & (pool.dates <= end))
    if len(candidates) < 2 * folds:
        raise InputError(f"the training part has {len(candidates)} days to validate on, too few for folds={folds}; "
                         "use fewer folds")
    rows = np.random.default_rng(seed).permutation(candidates)
    made = []
    for chunk in np.array_split(rows, folds):
        held = np.zeros(len(pool), dtype=bool)
        held[chunk] = True
        made.append(_fold(spec, series, pool.select(~held), pool.select(held)))
    return made


def cross_validate(spec: dict | RunSpec, scheme: str = "rolling", folds: int = backtest.FOLDS,
                   fold_days: int = backtest.FOLD_DAYS, seed: int = 0, series: pd.Series | None = None) -> dict:
    """Fit ``spec`` (a RunSpec or its ``to_dict()``) on each fold of ``scheme`` ("rolling": ``rolling_origin``
    with ``fold_days``; "shuffled": ``shuffled_kfold`` with ``seed``, validating on the same last
    ``folds × fold_days`` days as the rolling folds, so the two differ only in what they train on) and return
    plain JSON: per fold the
    train and valid MAE, the rows and the validation days' first and last date; their means "train" and
    "valid" and the spread "valid_std". ``series`` defaults to the one the spec names; the test days are
    never scored (the folds have none)."""
    spec = spec if isinstance(spec, RunSpec) else RunSpec.from_dict(spec)
    scheme = OneOf(SCHEMES).check("scheme", scheme)
    series = runs.load_series(spec.data) if series is None else series
    if scheme == "rolling":
        made = rolling_origin(spec, series, folds, fold_days)
    else:
        days = backtest.folds(spec, series, folds, fold_days)
        made = shuffled_kfold(spec, series, folds, seed, within=(days[0]["test"][0], days[-1]["test"][1]))
    rows = []
    for fold in made:
        run = fold.fit()
        valid = fold.split.valid.dates
        rows.append({"train": run.metrics["train"]["mae"], "valid": run.metrics["valid"]["mae"],
                     "train_rows": len(fold.split.train), "valid_rows": len(fold.split.valid),
                     "valid_dates": [valid[0].date().isoformat(), valid[-1].date().isoformat()]})
    valid = [row["valid"] for row in rows]
    return {"scheme": scheme, "folds": rows, "train": float(np.mean([row["train"] for row in rows])),
            "valid": float(np.mean(valid)), "valid_std": float(np.std(valid))}


def _mae(name, candidate, by: str) -> float:
    """The candidate's MAE on part ``by``: a Run's ``metrics[by]["mae"]``, or a record's ``[by]`` (a number, or
    a dict holding "mae")."""
    value = (candidate.metrics if isinstance(candidate, runs.Run) else candidate).get(by)
    value = value.get("mae") if isinstance(value, dict) else value
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise InputError(f"candidate {name!r} has no {by} MAE (got {str(value)[:40]}); choose among results "
                         f"scored on {by}")
    return float(value)


def _scored_on_test(candidate) -> bool:
    """Whether a Run's ``scored`` holds "test", or a record has a "test" key or "test" in its "scored"."""
    if isinstance(candidate, runs.Run):
        return "test" in candidate.scored
    return "test" in candidate or "test" in (candidate.get("scored") or ())


def choose(candidates: dict, by: str = "valid") -> str:
    """The name of the candidate with the lowest MAE on part ``by`` (the first of equals). A candidate is a
    Run or a record, a dict of part → MAE (a number, or a dict holding "mae", as ``Run.metrics`` and
    ``cross_validate`` give). Refused when ``by`` is "test" or any candidate has been scored on the test
    days (a Run whose ``scored`` holds "test", a record with a "test" key or "test" in its "scored")."""
    if by == "test":
        raise InputError("choose(by='test') would choose on the test days, which are scored once, after the "
                         "choice; choose by='valid'")
    if not isinstance(candidates, dict) or not candidates:
        raise InputError(f"choose() needs a dict of name → result with at least one candidate, got "
                         f"{str(candidates)[:40]}")
    for name, candidate in candidates.items():
        if not isinstance(candidate, (runs.Run, dict)):
            raise InputError(f"candidate {name!r} is a {type(candidate).__name__}; give a Run or a dict of "
                             "part → MAE")
        if _scored_on_test(candidate):
            raise InputError(f"candidate {name!r} has been scored on the test days, which are scored once, after "
                             "the choice; choose among results not scored on them")
    errors = {name: _mae(name, candidate, by) for name, candidate in candidates.items()}
    return min(errors, key=errors.get)
