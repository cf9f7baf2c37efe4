"""Rolling-origin backtests inside the training part, model choice by them, and intervals from their errors.

A backtest cuts the last ``folds × fold_days`` days of the training part into folds, and adds the
``fold_days`` days a year before the forecasts start (the season they will be made in) when the training
part has room for them before the others. For each fold the run path trains the spec on every day before
the fold (its own validation days, if any, among those: at their end, or a year before the fold with
``valid_at``) and forecasts the fold's days one step ahead, from the true values before each day; it also
forecasts 1, 2, …, ``horizon`` days ahead from each day (recursively: each forecast becomes the input
of the next). The series is cut at the fold's last day, so no fold ever sees its own future, and the
test days are never read at all.

Intervals are split-conformal on scores: the error |y − ŷ| over the level at the forecast's origin
(the mean of its last 7 days), by horizon step, so an interval widens and narrows with the series'
level. The scores are the backtest's, and, as days after the training part are observed, those days'
own (online: a day's interval uses only the errors of days before it). An interval further ahead is never
narrower than a nearer one (``widths``).

    result = backtest(spec, series)            # result.table: one row per fold
    table, results = compare(candidates(spec), series)  # ranked by mean MAE over the folds
    name, chosen, table = choose(candidates(spec), series)  # the mean of the 4 best (a BlendSpec)

Forecasts from several models are combined by their mean, which is more accurate than choosing one
by a backtest this short: on the 21 built-in pages (docs/benchmarks.md) the mean of the 4 best is
never far from the best candidate in hindsight, while the single best by backtest sometimes is. The
blend's backtest is computed from its members' forecasts on the same folds, without training again.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import run as runs
from .data import make_windows
from .errors import InputError
from .executor import MAX_WORKERS, Job, open_executor
from .spec import BASELINES, MAX_MEMBERS, YEAR, BlendSpec, RunSpec

FOLDS = 4
AUTO_FOLDS = 8  # --model auto ranks its candidates on more folds: measured better, at twice the time
FOLD_DAYS = 28
HORIZON = 28
BLEND = 4
LEVEL = 80
YEARLY = tuple(range(1, 29)) + tuple(range(YEAR - 7, YEAR + 8))
NETWORKS = ("sigmoid 100 units", "relu 2 × 100", "relu 2 × 100 a year", "relu 2 × 100 all pages",
            "relu 2 × 100 a year all pages")
SEASON = " valid a year before"


@dataclass
class Backtest:
    """One spec's backtest: a row per fold (its days and one-step MAE) and the scores |y − ŷ| / level by step;
    ``paths``, per fold, the forecasts from each origin by step, their true values and the levels
    (``forecast_paths``), from which ``combine`` makes a blend's backtest."""

    spec: RunSpec | BlendSpec
    table: pd.DataFrame
    scores: list = field(default_factory=list)
    seconds: float = 0.0
    paths: list = field(default_factory=list, repr=False)

    @property
    def mae(self) -> float:
        return float(self.table["mae"].mean())

    @property
    def std(self) -> float:
        return float(self.table["mae"].std(ddof=0))

    def to_dict(self) -> dict:
        """Plain JSON: the folds, the mean and spread of their MAE, the scores by step (rounded)."""
        return {"folds": [{"train": list(row.train), "test": list(row.test), "mae": float(row.mae)}
                          for row in self.table.itertuples()],
                "mae": self.mae, "std": self.std,
                "scores": [[round(float(score), 8) for score in step] for step in self.scores]}


def training_end(spec: RunSpec | BlendSpec, series: pd.Series) -> pd.Timestamp:
    """The last day of the training part (its validation days included, wherever they lie): no backtest reads
    past it."""
    parts = runs.split(spec, series)
    return max(pd.Timestamp(part.dates[-1]) for part in (parts.train, parts.valid) if len(part))


def _room(spec: RunSpec | BlendSpec, series: pd.Series, fold_days: int) -> tuple[pd.Timestamp, pd.Timestamp, int, int]:
    """The training part's first target day and last day, the training days a fold needs before it (with a
    pool, also those until the built-in pages have windows before the fold's validation days; with
    ``valid_at``, at least a year), and how many folds of ``fold_days`` fit after those; a blend's are those of
    the member that needs the latest first fold."""
    if isinstance(spec, BlendSpec):
        return max((_room(member, series, fold_days) for member in spec.specs),
                   key=lambda room: room[0] + pd.Timedelta(days=room[2]))
    end = training_end(spec, series)
    first = pd.Timestamp(make_windows(series.loc[:end], spec.data.days).dates[0])
    needed = spec.data.days + spec.data.n_inputs + spec.data.valid_days + 30
    if spec.data.pool is not None:  # and the built-in pages must have windows before a fold's validation days
        needed = max(needed, (runs.POOL_START - first).days + spec.data.days + spec.data.valid_days + 1)
    if spec.data.valid_at == "year_before":  # and its validation days, a year before the fold, must be there
        needed = max(needed, YEAR)
    return first, end, needed, max(0, ((end - first).days + 1 - needed) // fold_days)


def max_folds(spec: RunSpec | BlendSpec, series: pd.Series, fold_days: int = FOLD_DAYS) -> int:
    """How many folds of ``fold_days`` the training part has room for."""
    return _room(spec, series, fold_days)[3]


def folds(spec: RunSpec | BlendSpec, series: pd.Series, n_folds: int = FOLDS, fold_days: int = FOLD_DAYS, *,
          season: bool = False) -> list[dict]:
    """The folds' training and forecast days: the last ``n_folds × fold_days`` days of the training part, and
    with ``season``, before those, when the training part has room for it, the ``fold_days`` days a year (52
    weeks, so the same weekdays) before the first day after the training part: the season the forecasts will
    be made in."""
    first, end, needed, fits = _room(spec, series, fold_days)
    if n_folds > fits:
        advice = f"use folds={fits} or fewer" if fits else "use folds=0 (no backtest, so no intervals)"
        raise InputError(f"a backtest of folds={n_folds} × {fold_days} days needs at least {needed} training days "
                         f"before its first fold with days={spec.data.days}, and the training part "
                         f"{first:%Y-%m-%d}..{end:%Y-%m-%d} has room for {fits}; {advice}, fewer days, or a longer "
                         "training part")
    starts = [end - pd.Timedelta(days=fold_days * (n_folds - i) - 1) for i in range(n_folds)]
    year_before = end + pd.Timedelta(days=1 - YEAR)
    if season and n_folds and (year_before - first).days >= needed and \
            year_before + pd.Timedelta(days=fold_days) <= starts[0]:
        starts.insert(0, year_before)
    return [{"train": (first.date().isoformat(), (start - pd.Timedelta(days=1)).date().isoformat()),
             "test": (start.date().isoformat(), (start + pd.Timedelta(days=fold_days - 1)).date().isoformat())}
            for start in starts]


def forecast_paths(run: runs.Run, X: np.ndarray, horizon: int) -> np.ndarray:
    """Recursive forecasts 1..``horizon`` days ahead from each row of past values X (newest first):
    ŷ_{t+1} = f(y_t, …), then ŷ_{t+2} = f(ŷ_{t+1}, y_t, …), and so on. Shape (rows, horizon)."""
    X = np.array(X, dtype=np.float64)
    paths = np.empty((len(X), horizon))
    for step in range(horizon):
        paths[:, step] = run.predict(X)
        X = np.concatenate([paths[:, step:step + 1], X[:, :-1]], axis=1)
    return paths


def local_level(run: runs.Run, X: np.ndarray) -> np.ndarray:
    """The level at each row's origin: the mean of its last 7 days (all of them when fewer), floored at 1 %
    of the training mean so that a week of zeros does not give an interval of width zero."""
    floor = max(0.01 * run.standardizer_.mean, 1e-9)
    return np.maximum(np.asarray(X, dtype=np.float64)[:, :7].mean(axis=1), floor)


def origin_paths(run: runs.Run, series: pd.Series, start: pd.Timestamp, end: pd.Timestamp,
                 horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The recursive forecasts (``forecast_paths``) from each day before ``start``..``end`` (the values up to
    each origin the true ones), the true values they forecast (NaN past ``end``) and each origin's level:
    arrays (origins, horizon), (origins, horizon) and (origins,)."""
    values = series.loc[:end]
    position, X = origin_windows(values, start - pd.Timedelta(days=1), end - pd.Timedelta(days=1), run.spec.data.days)
    if not len(position):
        return np.zeros((0, horizon)), np.zeros((0, horizon)), np.zeros(0)
    array = values.to_numpy(dtype=np.float64)
    targets = position[:, None] + np.arange(1, horizon + 1)
    truth = np.where(targets < len(array), array[np.minimum(targets, len(array) - 1)], np.nan)
    return forecast_paths(run, X, horizon), truth, local_level(run, X)


def origin_windows(series: pd.Series, first: pd.Timestamp, last: pd.Timestamp, days: int) -> tuple:
    """The positions in ``series`` of the origins ``first``..``last`` that have ``days`` days of history in it,
    and those days, newest first: arrays (origins,) and (origins, days)."""
    position = series.index.get_indexer(pd.date_range(first, last, freq="D"))
    position = position[position >= days - 1]
    array = series.to_numpy(dtype=np.float64)
    return position, np.stack([array[p - days + 1:p + 1][::-1] for p in position]) if len(position) else \
        np.zeros((0, days))


def path_scores(paths: np.ndarray, truth: np.ndarray, level: np.ndarray) -> list[np.ndarray]:
    """|y − ŷ| / level for each horizon step, over the forecasts whose true value is known."""
    scores = []
    for step in range(paths.shape[1]):
        inside = ~np.isnan(truth[:, step])
        scores.append(np.abs(truth[inside, step] - paths[inside, step]) / level[inside])
    return scores


def step_scores(run: runs.Run, series: pd.Series, start: pd.Timestamp, end: pd.Timestamp,
                horizon: int) -> list[np.ndarray]:
    """|y − ŷ| / level for each horizon step h, over every forecast made from a day before ``start``..``end``
    whose target day lies in ``start``..``end`` (the values up to each origin are the true ones), in
    the order of their target days."""
    return path_scores(*origin_paths(run, series, start, end, horizon))


def backtest(spec: RunSpec | BlendSpec, series: pd.Series, n_folds: int = FOLDS, fold_days: int = FOLD_DAYS,
             horizon: int = HORIZON, season: bool = True) -> Backtest:
    """Train ``spec`` on each fold's past (``folds``, the year before's too with ``season``) and score its days
    one step ahead; collect the scores by step. A blend's is its members' backtests combined (``combine``):
    each member trains from its own first day, as in the blend (with the year before only when every member
    has room for it)."""
    if isinstance(spec, BlendSpec):
        season = season and same_season(spec.specs, series, n_folds, fold_days)
        return combine(spec, [backtest(member, series, n_folds, fold_days, horizon, season) for member in spec.specs])
    started = time.perf_counter()
    rows, paths = [], []
    for fold in folds(spec, series, n_folds, fold_days, season=season):
        start, end = (pd.Timestamp(day) for day in fold["test"])
        seen = series.loc[:end]
        fold_spec = spec.replace(train=fold["train"], test=fold["test"])
        run = runs.fit(fold_spec, seen)
        mae = run.score_test()["mae"]
        rows.append({**fold, "mae": mae})
        paths.append(origin_paths(run, seen, start, end, horizon))
    return _result(spec, rows, paths, horizon, time.perf_counter() - started)


def _result(spec, rows: list, paths: list, horizon: int, seconds: float) -> Backtest:
    """The Backtest of the folds' rows and paths: the scores by step gathered over the folds."""
    scores = [[] for _ in range(horizon)]
    for fold in paths:
        for step, errors in enumerate(path_scores(*fold)):
            scores[step].append(errors)
    return Backtest(spec, pd.DataFrame(rows), [np.concatenate([np.zeros(0), *step]) for step in scores], seconds,
                    paths)


def combine(spec: BlendSpec, members: list[Backtest]) -> Backtest:
    """The backtest of the blend of ``members``' specs from their backtests on the same folds, without training
    again: each forecast is the mean of theirs, ŷ = (1/N) Σₙ ŷₙ, each fold's MAE is that of the one-step
    forecasts, and the scores are those of the mean's forecasts (at the first member's levels)."""
    days = [list(result.table["test"]) for result in members]
    if any(other != days[0] for other in days[1:]) or any(len(result.paths) != len(days[0]) for result in members):
        raise InputError("the backtests to combine must be on the same folds; backtest the members with the same "
                         "folds and season")
    rows, paths = [], []
    for index, folds_of in enumerate(zip(*(result.paths for result in members))):
        mean = np.mean([fold[0] for fold in folds_of], axis=0)
        truth, level = folds_of[0][1], folds_of[0][2]
        train = min(tuple(result.table["train"].iloc[index]) for result in members)
        mae = float(np.abs(truth[:, 0] - mean[:, 0]).mean())
        rows.append({"train": train, "test": tuple(days[0][index]), "mae": mae})
        paths.append((mean, truth, level))
    return _result(spec, rows, paths, len(members[0].scores), sum(result.seconds for result in members))


def candidates(spec: RunSpec) -> dict[str, RunSpec]:
    """What ``--model auto`` chooses from: the two baselines; linear models on 7, 14, 28 and 56 days; a sigmoid
    (100 units) and a ReLU network (2 layers of 100) on 56 days with early stopping on the last 28 training
    days; "a year": a linear model and the ReLU network reading the last 4 weeks and the same 15 days a year
    before (``YEARLY``); "all pages": the ReLU network (56 days and a year) and the yearly linear model trained
    on the built-in pages' windows too (``pool="pages"``, 256 windows a batch); and each of the five networks
    (``NETWORKS``) again, early-stopped instead on the 28 days from a year before the day after its training
    part (``valid_at="year_before"``, named with ``SEASON``): the season its forecasts are for, where the last
    days may be another (the holidays before January). The trained ones read each window relative to its level
    (``scale="window"``, so without ``augment``); the others read the series alone; the training settings are
    otherwise ``spec``'s."""
    plain = spec.replace(ensemble=1, units=100, layers=1, dropout=0.0, lags=None, scale="window", augment=None,
                         pool=None, valid_at=None)
    chosen = {name.replace("_", " "): plain.replace(kind=name, days=7, valid_days=0, patience=None, scale=None)
              for name in BASELINES}
    for days in (7, 14, 28, 56):
        chosen[f"linear {days} days"] = plain.replace(kind="linear", days=days, valid_days=0, patience=None)
    year = {"days": YEARLY[-1], "lags": YEARLY}
    chosen["linear a year"] = plain.replace(kind="linear", valid_days=0, patience=None, **year)
    stopping = {"days": 56, "valid_days": 28, "patience": 10, "epochs": max(spec.train.epochs, 200)}
    chosen["sigmoid 100 units"] = plain.replace(kind="sigmoid", **stopping)
    relu = plain.replace(kind="relu", layers=2, **stopping)
    chosen["relu 2 × 100"] = relu
    chosen["relu 2 × 100 a year"] = relu.replace(**year)
    pages = {"pool": "pages", "batch_size": 256}
    chosen["linear a year all pages"] = chosen["linear a year"].replace(**pages)
    chosen["relu 2 × 100 all pages"] = relu.replace(**pages)
    chosen["relu 2 × 100 a year all pages"] = relu.replace(**year, **pages)
    for name in NETWORKS:
        chosen[f"{name}{SEASON}"] = chosen[name].replace(valid_at="year_before")
    return chosen


def same_season(specs, series: pd.Series, n_folds: int = FOLDS, fold_days: int = FOLD_DAYS) -> bool:
    """Whether every spec has room for the fold a year before, so that all are backtested on the same days."""
    try:
        return all(len(folds(spec, series, n_folds, fold_days, season=True)) > n_folds for spec in specs)
    except InputError:  # no room for the other folds either: backtest() says so
        return False


def compare(specs: dict[str, RunSpec], series: pd.Series, n_folds: int = AUTO_FOLDS, fold_days: int = FOLD_DAYS,
            horizon: int = HORIZON, on_done=None, workers: int = 1) -> tuple[pd.DataFrame, dict[str, Backtest]]:
    """Backtest each spec on the same folds (the year before's when every spec has room for it), in ``workers``
    processes (``executor.open_executor``; the costliest first, and the same numbers however many: a script that
    asks for more than one starts them under ``if __name__ == "__main__":``, as spawned processes import it); a
    table ranked by mean one-step MAE, and the backtests. ``on_done(name, backtest)`` is called as each finishes."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"workers must be a whole number from 1 to {MAX_WORKERS}, got {workers!r}")
    season = same_season(specs.values(), series, n_folds, fold_days)
    jobs = [Job((name,), backtest, {"spec": spec, "series": series, "n_folds": n_folds, "fold_days": fold_days,
                                    "horizon": horizon, "season": season}, cost(spec))
            for name, spec in specs.items()]
    done = {}
    for (name,), result in _finished(jobs, workers):
        done[name] = result
        if on_done is not None:
            on_done(name, result)
    done = {name: done[name] for name in specs}
    table = pd.DataFrame([{"candidate": name, "model": result.spec.describe(),
                           "mae": result.mae, "std": result.std, "seconds": result.seconds}
                          for name, result in done.items()])
    return table.sort_values("mae", kind="stable").reset_index(drop=True), done


def cost(spec: RunSpec) -> float:
    """A spec's backtest time relative to a linear model's on its own page, as measured on the built-in pages:
    about the same for a network with early stopping, 3× for a linear model and 6× for a network trained on the
    built-in pages too, a fiftieth for a baseline; the costliest start first, so no worker is left with one
    long backtest at the end."""
    if spec.model.kind in BASELINES:
        return 0.02
    if spec.data.pool is None:
        return 1.0
    return 3.0 if spec.model.kind == "linear" else 6.0


def _finished(jobs: list, workers: int):
    """Each job's (key, result) as it ends: here, in order, with one worker; else in ``workers`` processes."""
    if workers == 1 or len(jobs) == 1:
        for job in jobs:
            yield job.key, job.run()
        return
    with open_executor(min(workers, len(jobs))) as executor:
        executor.submit(jobs)
        yield from executor.finished()


def fitting(specs: dict[str, RunSpec], series: pd.Series, fold_days: int = FOLD_DAYS) -> dict[str, int]:
    """For each spec the series has room to backtest, how many folds it has room for."""
    rooms = {}
    for name, spec in specs.items():
        try:
            rooms[name] = max_folds(spec, series, fold_days)
        except InputError:  # too short even to split for this many days
            rooms[name] = 0
    return {name: room for name, room in rooms.items() if room}


def shorter_test(specs: dict[str, RunSpec], series: pd.Series, n_folds: int = 1,
                 fold_days: int = FOLD_DAYS) -> tuple | None:
    """The longest test part of the series' last 28, 21, 14 or 7 days, shorter than each spec's, that gives some
    spec room for ``n_folds`` backtest folds (its days added to the training part); None when none does."""
    end = series.index[-1]
    for days in (28, 21, 14, 7):
        test = ((end - pd.Timedelta(days=days - 1)).date().isoformat(), end.date().isoformat())
        shorter = {name: spec.replace(test=test) for name, spec in specs.items() if _test_days(spec, series) > days}
        if max(fitting(shorter, series, fold_days).values(), default=0) >= n_folds:
            return test
    return None


def _test_days(spec: RunSpec, series: pd.Series) -> float:
    """The days of the spec's test part; infinite when the series is too short to split for it at all."""
    try:
        return len(runs.split(spec, series).test)
    except InputError:
        return math.inf


def choose(specs: dict[str, RunSpec], series: pd.Series, n_folds: int = AUTO_FOLDS, fold_days: int = FOLD_DAYS,
           horizon: int = HORIZON, seeds: int = 3, blend: int = BLEND,
           on_done=None, workers: int = 1) -> tuple[str, Backtest, pd.DataFrame]:
    """The mean of the ``blend`` candidates with the lowest backtest MAE (``compare``, in ``workers`` processes),
    at most the better half of them (so that few candidates do not average in the poor ones), as a ``BlendSpec``
    backtested by ``combine``, whatever its own backtest; when that is one, the best candidate, and when it is
    trained, the mean of ``seeds`` seeds of it instead if that lowers the backtest MAE. Returns the choice's
    name, its backtest and the table of every candidate (the choice as a row of its own when it is not one of
    them)."""
    if isinstance(blend, bool) or not isinstance(blend, int) or not 1 <= blend <= MAX_MEMBERS:
        raise InputError(f"blend must be a whole number from 1 to {MAX_MEMBERS}, got {blend!r}")
    table, done = compare(specs, series, n_folds, fold_days, horizon, on_done, workers)
    name = table["candidate"].iloc[0]
    best = done[name]
    count = min(blend, math.ceil(len(table) / 2))
    if count > 1:
        names = list(table["candidate"].iloc[:count])
        label = f"mean of the {count} best"
        mean = combine(BlendSpec(tuple((member, done[member].spec) for member in names)), [done[n] for n in names])
        return label, mean, _with_row(table, label, mean, on_done)
    if best.spec.model.kind not in BASELINES and seeds > 1:
        ensemble = backtest(best.spec.replace(ensemble=seeds), series, n_folds, fold_days, horizon,
                            same_season(specs.values(), series, n_folds, fold_days))
        label = f"{name}, mean of {seeds} seeds"
        table = _with_row(table, label, ensemble, on_done)
        if ensemble.mae < best.mae:
            name, best = label, ensemble
    return name, best, table


def _with_row(table: pd.DataFrame, label: str, result: Backtest, on_done) -> pd.DataFrame:
    """The table with a row for ``result`` named ``label``, ranked again (``on_done`` told first)."""
    if on_done is not None:
        on_done(label, result)
    row = {"candidate": label, "model": result.spec.describe(), "mae": result.mae, "std": result.std,
           "seconds": result.seconds}
    return pd.concat([table, pd.DataFrame([row])]).sort_values("mae", kind="stable").reset_index(drop=True)


def widths(scores, level: float = LEVEL) -> np.ndarray:
    """The intervals' half-widths over the level, by step: qₕ = max over s ≤ h of the split-conformal quantile
    of step s's scores (``conformal``), since a forecast further ahead is no surer than a nearer one; a far step
    with few errors seen would otherwise get a narrower interval than the steps before it."""
    return np.maximum.accumulate([conformal(step, level) for step in scores])


def too_few(scores, level: float = LEVEL) -> int | None:
    """The first step (from 1) with too few scores for ``level``: n scores reach it only when
    ⌈(n + 1)·level⌉ ≤ n, i.e. n ≥ level / (1 − level) (4 for 80 %, 99 for 99 %); with fewer the quantile is
    the largest score, which holds less often than ``level`` says. None when every step has enough."""
    return next((step for step, errors in enumerate(scores, 1) if _rank(len(errors), level) > len(errors)), None)


def reachable(n: int) -> int:
    """The highest level in whole percent that n scores reach: ⌈(n + 1)·level⌉ ≤ n while level ≤ n / (n + 1)."""
    return math.floor(100 * n / (n + 1))


def _rank(n: int, level: float) -> int:
    """⌈(n + 1)·level⌉, the rank of the split-conformal quantile among n scores."""
    return int(np.ceil((n + 1) * level / 100))


def conformal(scores, level: float = LEVEL) -> float:
    """The ⌈(n + 1)·level⌉-th smallest of n scores (the largest when that is past n): a new score is at most
    this with chance at least ``level`` % when scores are exchangeable (split conformal prediction)."""
    ordered = np.sort(np.asarray(scores, dtype=np.float64))
    return float(ordered[min(len(ordered), _rank(len(ordered), level)) - 1])
