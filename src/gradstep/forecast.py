"""The practitioner's task on top of the run path: train, save, load, evaluate and predict the next day.

A Forecaster fits its ``RunSpec`` (or ``BlendSpec``) through ``run.fit`` (nothing here splits, standardises
or trains on its own), and saves to a directory as ``model.npz`` (arrays, loaded with ``allow_pickle=False``)
and ``model.json`` (the spec, data hash, split, standardiser and how training went — a blend's for each
member —, metrics, which parts were scored, version).

    forecaster = Forecaster(RunSpec(data=DataSpec(days=28))).fit(series)
    forecaster.score_test(); forecaster.save("runs/mine")
"""

from __future__ import annotations

import datetime
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import run as runs
from .data import Standardizer
from .data.csvfile import MAX_VALUE
from .errors import InputError
from .backtest import (HORIZON, LEVEL, conformal, forecast_paths, local_level, origin_windows, reachable, step_scores,
                       too_few, widths)
from .baselines import baseline_errors, mase_scale
from .io import DigestError, load_arrays, read_json, save_arrays, write_json, write_text
from .modeldir import ModelDirectory, sha256_of
from .spec import BASELINES, BlendSpec, RunSpec, spec_from_dict
from .version import __version__


class Forecaster:
    """One of the chapter's models trained on a daily series to predict the next day."""

    def __init__(self, spec: RunSpec | BlendSpec | None = None):
        self.spec = RunSpec() if spec is None else spec
        self.run: runs.Run | None = None
        self.backtest: dict | None = None
        self.candidates: list | None = None

    def fit(self, series: pd.Series | None = None, progress: bool | None = False, callbacks=(), checkpoint=None,
            state: dict | None = None) -> "Forecaster":
        """Train on the training part; the training and validation parts are scored, the test days are not.
        ``checkpoint`` and ``state`` are ``run.fit``'s: save the trainer's state as it goes, continue from one."""
        self.run = runs.fit(self.spec, series, callbacks=callbacks, progress=progress, checkpoint=checkpoint,
                            state=state)
        return self

    def _fitted(self) -> runs.Run:
        if self.run is None:
            raise InputError("this forecaster is not trained yet: call fit() or Forecaster.load(directory)")
        return self.run

    @property
    def metrics(self) -> dict:
        return self._fitted().metrics

    def score_test(self) -> dict:
        """The error on the test days, recorded as scored."""
        return self._fitted().score_test()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted views for rows of past views X (x_j = the views j days before); refused when they are not
        finite or beyond the ±MAX_VALUE gradstep reads as data (a forged standardiser or weights overflow)."""
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, not warned about
            prediction = self._fitted().predict(X)
        if not (np.abs(prediction) <= MAX_VALUE).all():
            raise InputError(f"the model's output is not a finite number within ±{MAX_VALUE:g} (its weights or "
                             "standardizer overflow on these days); train the model again")
        return prediction

    def evaluate(self, series: pd.Series, level: float = LEVEL) -> dict:
        """Per part (the dates it was trained, validated and tested on), recomputed on ``series``: MAE and MSE,
        the naive and seasonal naive baselines' on the same days, MASE, and on the test days the share inside
        the one-step interval at ``level`` % (each day's interval calibrated on the backtest's scores and the
        test days before it). The test days are among them, so ``scored`` records "test"."""
        run = self._fitted()
        ranges = run.ranges
        first, end = runs.fit_days(ranges)
        last = pd.Timestamp(ranges["test"][1])
        if series.index[0] > first or series.index[-1] < last:
            raise InputError(f"the data ({series.index[0]:%Y-%m-%d}..{series.index[-1]:%Y-%m-%d}) does not hold the "
                             f"days the model was trained and tested on ({first:%Y-%m-%d}..{last:%Y-%m-%d}); give the "
                             "data the model was trained on, or a newer export of it")
        parts = runs.split(self.spec.replace(train=(first.date().isoformat(), end.date().isoformat()),
                                             test=tuple(ranges["test"])), series)
        if "test" not in run.scored:
            run.scored.append("test")
        scale = mase_scale(series, parts.train.dates, parts.train.y)
        results = {}
        for name in runs.PARTS:
            windows = getattr(parts, name)
            if not len(windows):
                continue
            prediction = self.predict(windows.X)
            result = {**runs.errors(prediction, windows.y), **baseline_errors(series, windows.dates, windows.y)}
            result["mase"] = result["mae"] / scale if scale else None
            if name == "test" and self.backtest is not None:
                scores = np.abs(windows.y - prediction) / local_level(run, windows.X)
                result["interval_coverage"] = self._coverage([scores], 1, level)
            results[name] = result
        return results

    def evaluate_ahead(self, series: pd.Series, horizon: int, level: float = LEVEL) -> list[dict]:
        """The test days forecast 1..``horizon`` days ahead, as ``forecast`` makes them (recursively, from the
        true values up to each origin): per step h, the MAE over every test day, the naive's and seasonal naive's
        made h days before too (``baseline_errors(ahead=h)``), and the share of days inside the interval at
        ``level`` % (calibrated on the backtest's scores at steps 1..h and the test days' whose day its origin
        knew, as ``forecast`` widens it). Records "test" as scored."""
        run = self._fitted()
        self._check_horizon(horizon)
        start, end = (pd.Timestamp(day) for day in run.ranges["test"])
        test = series.loc[start:end]
        if len(test) != (end - start).days + 1:
            raise InputError(f"the data does not hold the model's test days {start:%Y-%m-%d}..{end:%Y-%m-%d}; give "
                             "the data the model was trained on, or a newer export of it")
        days = self.spec.data.days
        before = len(series.loc[:start - pd.Timedelta(days=1)])
        if before < days + horizon - 1:
            fits = f"horizon={before - days + 1} or less, or " if before >= days else ""
            raise InputError(f"the data holds {before} days before the model's test days; forecasts horizon="
                             f"{horizon} days ahead of each read the days={days} days before their origin, "
                             f"{days + horizon - 1} in all: use {fits}data that starts earlier")
        position, X = origin_windows(series, start - pd.Timedelta(days=horizon), end - pd.Timedelta(days=1), days)
        origins, paths, levels = series.index[position], forecast_paths(self, X, horizon), local_level(run, X)
        if "test" not in run.scored:
            run.scored.append("test")
        rows, scores = [], []
        truth = test.to_numpy(dtype=np.float64)
        for step in range(1, horizon + 1):
            inside = (origins + pd.Timedelta(days=step) >= start) & (origins + pd.Timedelta(days=step) <= end)
            dates, prediction = origins[inside] + pd.Timedelta(days=step), paths[inside, step - 1]
            rows.append({"ahead": step, **runs.errors(prediction, truth),
                         **baseline_errors(series, dates, truth, step)})
            scores.append(np.abs(truth - prediction) / levels[inside])
        if self.backtest is not None:
            for step, row in enumerate(rows, 1):
                row["interval_coverage"] = self._coverage(scores, step, level)
        return rows

    def _coverage(self, scores: list, step: int, level: float) -> float:
        """The share of consecutive test days inside their ``step``-ahead interval at ``level`` %, each calibrated
        as ``forecast`` calibrates it from the data up to its origin (``step`` days before): at each step s ≤
        ``step``, on the backtest's scores and those ``_scores`` adds, the step-s forecasts made from the day
        before the test days on whose day has come by then (test days s..origin, counted from 1), the widest of
        those. ``scores[s - 1]`` holds the test days' scores |y − ŷ| / level at step s."""
        def width(day: int) -> float:
            return max(conformal([*self.backtest["scores"][s - 1], *scores[s - 1][s - 1:max(day - step + 1, s - 1)]],
                                 level) for s in range(1, step + 1))
        return float(np.mean([score <= width(day) for day, score in enumerate(scores[step - 1])]))

    def _scores(self, series: pd.Series, steps: int) -> list:
        """The scores by step to calibrate intervals with: the backtest's, and those of the days of ``series``
        after the training part (days the model never trained on, each known before the next forecast)."""
        base = [list(step) for step in self.backtest["scores"][:steps]]
        ranges = self._fitted().ranges
        start = runs.fit_days(ranges)[1] + pd.Timedelta(days=1)
        if start > series.index[-1]:
            return base
        seen = step_scores(self._fitted(), series, start, series.index[-1], steps)
        return [old + list(new) for old, new in zip(base, seen)]

    def forecast(self, series: pd.Series, horizon: int = 1, level: float = LEVEL) -> pd.DataFrame:
        """The next ``horizon`` days after ``series`` ends, recursively (each forecast is the input of the
        next), with the interval at ``level`` %: ŷ ± q·s, where s is the mean of the last 7 days and q the
        split-conformal quantile of the scores |y − ŷ|/s at that many days ahead (``_scores``), or of a nearer
        step's when that is wider (``widths``). Columns date, forecast, lower, upper (lower and upper NaN without a
        backtest); ``attrs["notes"]`` says from which step on the backtest has too few errors for ``level``."""
        days = self.spec.data.days
        self._check_horizon(horizon)
        if len(series) < days:
            raise InputError(f"the model reads the last days={days} days to predict; the data has only {len(series)}")
        X = series.to_numpy(dtype=np.float64)[::-1][:days].reshape(1, days)
        path = forecast_paths(self, X, horizon)[0]
        notes = []
        if self.backtest is None:
            lower = upper = np.full(horizon, np.nan)
        else:
            scores = self._scores(series, horizon)
            width = widths(scores, level) * local_level(self._fitted(), X)[0]
            lower, upper = np.maximum(path - width, 0.0), np.maximum(path + width, 0.0)  # counts are not below 0
            short = too_few(scores, level)
            if short is not None:
                fewest = min(len(step) for step in scores)
                notes.append(f"from {short} day{'s' * (short > 1)} ahead on, the backtest has too few errors per "
                             f"step for the {level:g} % interval (as few as {fewest}): those intervals are as wide as "
                             f"the largest error seen, and hold less often than {level:g} % of the time; use "
                             f"level={reachable(fewest)} or less, or train the model again on more folds")
        dates = pd.date_range(series.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
        frame = pd.DataFrame({"date": dates, "forecast": path, "lower": lower, "upper": upper})
        frame.attrs["notes"] = notes
        return frame

    def _check_horizon(self, horizon) -> None:
        """1 to the steps the backtest measured (HORIZON without one)."""
        steps = len(self.backtest["scores"]) if self.backtest else HORIZON
        if isinstance(horizon, bool) or not (isinstance(horizon, int) and 1 <= horizon <= steps):
            raise InputError(f"horizon={horizon!r} is out of range; this model forecasts 1 to {steps} days ahead "
                             f"(its backtest measured errors that far)")

    def predict_next(self, series: pd.Series) -> tuple[pd.Timestamp, float]:
        """The forecast for the day after ``series`` ends, and that day's date."""
        row = self.forecast(series, 1).iloc[0]
        return row["date"], float(row["forecast"])

    def write(self, directory) -> None:
        """Write ``model.npz``, ``model.json`` (naming the npz's sha256) and ``history.csv`` into ``directory``."""
        run = self._fitted()
        directory = Path(directory)
        save_arrays(directory / "model.npz", run.model.state_dict())
        write_text(directory / "history.csv", run.history.to_csv(index=False))
        write_json(directory / "model.json", {
            "gradstep_version": __version__,
            "spec": self.spec.to_dict(),
            "data_sha256": run.data_sha256,
            "npz_sha256": sha256_of(directory / "model.npz"),
            "split": run.ranges,
            "standardizer": run.standardizer_.to_dict(),
            **({"member_standardizers": [member.standardizer_.to_dict() for member in run.members],
                "member_training": [_training(member) for member in run.members]}
               if run.members is not None else {}),
            "metrics": run.metrics,
            "scored": run.scored,
            **_training(run),
            "baselines": run.baselines,
            "mase_scale": run.mase_scale,
            "backtest": self.backtest,
            "candidates": self.candidates,
        })

    def save(self, directory) -> None:
        """Save into ``directory`` as one unit (``ModelDirectory``): a reader sees the previous model or this one."""
        with ModelDirectory(directory) as target:
            target.commit(self.write)

    @classmethod
    def load(cls, directory) -> tuple["Forecaster", dict]:
        """A saved forecaster and its metadata (the JSON), ready to predict. Every field of the metadata and
        every array's name, dtype, shape and values are checked before the model is built; the weights must
        be the ones the metadata names (sha256), read again if a save replaced the directory meanwhile."""
        directory = Path(directory)
        if not directory.is_dir():
            raise InputError(f"{directory} is not a directory; give a directory written by gradstep train --out "
                             "or Forecaster.save")
        for attempt in range(3):
            meta = read_json(directory / "model.json")
            spec, ranges, scaler, record = _metadata(meta, directory / "model.json")
            single = _members(spec)
            for member in single:
                runs.check_size(member, 1)
            try:
                arrays = load_arrays(directory / "model.npz", expected=runs.shapes(spec),
                                     sha256=meta.get("npz_sha256"))
                break
            except DigestError:
                if attempt == 2:
                    raise
        for index, member in enumerate(single):
            limit = np.finfo(member.model.dtype).max
            prefix = f"{index}." if isinstance(spec, BlendSpec) else ""
            beyond = [name for name, values in arrays.items()
                      if name.startswith(prefix) and np.abs(values).max(initial=0) > limit]
            if beyond:
                raise InputError(f"{directory / 'model.npz'}: {beyond[0]!r} holds values beyond "
                                 f"{member.model.dtype}'s range (±{limit:.3g}), which the model cannot hold; train "
                                 "the model again")
        model = runs.build(spec)
        model.load_state_dict(arrays)
        model.eval()
        forecaster = cls(spec)
        members = None if record["member_standardizers"] is None else [
            _SavedRun(member, model[index], member_scaler, ranges, meta.get("data_sha256"), {}, [],
                      {**training, "baselines": {}, "mase_scale": None})
            for index, (member, member_scaler, training) in enumerate(
                zip(single, record["member_standardizers"], record["member_training"]))]
        forecaster.run = _SavedRun(spec, model, scaler, ranges, meta.get("data_sha256"), record["metrics"],
                                   record["scored"], record, members)
        forecaster.backtest, forecaster.candidates = record["backtest"], record["candidates"]
        return forecaster, meta


def _training(run: runs.Run) -> dict:
    """How a run trained: epochs run, updates per epoch, and where early stopping stopped and found its best (a
    blend records these per member, in ``member_training``)."""
    return {"epochs_run": run.epochs_run, "updates_per_epoch": run.updates_per_epoch,
            "stopped_early_at": run.stopped_early_at, "best_epoch": run.best_epoch}


def _checked_training(saved, epochs: int, blend: bool = False) -> dict:
    """A saved training record (``_training``), each field a whole number in range; a blend's own record keeps
    only the longest member's epochs_run (the rest are its members')."""
    if not isinstance(saved, dict):
        raise ValueError("a training record must be an object")
    return {"epochs_run": _whole("epochs_run", saved["epochs_run"], 0, epochs),
            "updates_per_epoch": _whole("updates_per_epoch", saved["updates_per_epoch"], 0, 10**8, none=blend),
            "stopped_early_at": _whole("stopped_early_at", saved["stopped_early_at"], 1, epochs, none=True),
            "best_epoch": _whole("best_epoch", saved["best_epoch"], 1, epochs, none=True)}


def _members(spec: RunSpec | BlendSpec) -> tuple:
    """A blend's members' specs, or the one spec."""
    return spec.specs if isinstance(spec, BlendSpec) else (spec,)


def _whole(name: str, value, low: int, high: int, none: bool = False):
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {str(value)[:40]}")
    return value


def _finite(value) -> bool:
    """Whether a JSON value is a finite real number: not a bool, a string, NaN, or an int beyond a float's range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _date_range(part: str, value):
    if value is None:
        return None
    message = f"split.{part} must be a [start, end] pair of dates (YYYY-MM-DD)"
    if not isinstance(value, list):
        raise ValueError(message)
    try:
        start, end = (datetime.date.fromisoformat(day) for day in value)
    except (TypeError, ValueError):  # not two items, not strings, or not dates
        raise ValueError(message) from None
    if start > end or not pd.Timestamp.min.date() < start <= end < pd.Timestamp.max.date():
        raise ValueError(f"split.{part} must run forward between 1678 and 2262")
    return [start.isoformat(), end.isoformat()]


def _metrics(metrics) -> dict:
    if not isinstance(metrics, dict) or not set(metrics) <= set(runs.PARTS):
        raise ValueError(f"metrics must map parts ({', '.join(runs.PARTS)}) to errors")
    checked = {}
    for part, values in metrics.items():
        if not isinstance(values, dict) or set(values) != {"mae", "mse"}:
            raise ValueError(f"metrics.{part} must hold mae and mse")
        if not all(_finite(v) and v >= 0 for v in values.values()):
            raise ValueError(f"metrics.{part} must be finite numbers at least 0")
        checked[part] = {key: float(value) for key, value in values.items()}
    return checked


def _standardizer(saved) -> Standardizer:
    """The saved standardiser: exactly a mean and a std, JSON numbers within the ±MAX_VALUE data can hold."""
    if not (isinstance(saved, dict) and set(saved) == {"mean", "std"}
            and all(_finite(v) and abs(v) <= MAX_VALUE for v in saved.values())):
        raise ValueError(f"standardizer must hold mean and std, numbers within ±{MAX_VALUE:g}")
    return Standardizer.from_dict(saved)


def _metadata(meta: dict, path) -> tuple:
    """The spec, split, standardiser and training record of ``model.json``, each field checked (type and range)."""
    try:
        spec = spec_from_dict(meta["spec"])
        split = meta["split"]
        if not isinstance(split, dict) or set(split) != set(runs.PARTS):
            raise ValueError(f"split must have the parts {', '.join(runs.PARTS)}")
        ranges = {part: _date_range(part, split[part]) for part in runs.PARTS}
        if ranges["train"] is None or ranges["test"] is None:
            raise ValueError("the train and test ranges are missing")
        scaler = _standardizer(meta["standardizer"])
        scored = meta["scored"]
        if not isinstance(scored, list) or not all(part in runs.PARTS for part in scored) \
                or len(set(scored)) != len(scored):
            raise ValueError(f"scored must list parts among {', '.join(runs.PARTS)}")
        for key in ("data_sha256", "npz_sha256"):
            if meta.get(key) is not None and not (isinstance(meta[key], str) and re.fullmatch(r"[0-9a-f]{64}", meta[key])):
                raise ValueError(f"{key} must be a sha256 in hex")
        epochs = max(member.train.epochs for member in _members(spec))
        member_scalers = member_training = None
        if isinstance(spec, BlendSpec):
            member_scalers, member_training = meta["member_standardizers"], meta["member_training"]
            for name, value in (("member_standardizers", "standardizer"), ("member_training", "training record")):
                if not isinstance(meta[name], list) or len(meta[name]) != len(spec.members):
                    raise ValueError(f"{name} must list one {value} per member ({len(spec.members)})")
            member_scalers = [_standardizer(saved) for saved in member_scalers]
            member_training = [_checked_training(saved, member.train.epochs)
                               for saved, member in zip(member_training, spec.specs)]
        record = {**_checked_training(meta, epochs, blend=isinstance(spec, BlendSpec)),
                  "metrics": _metrics(meta["metrics"]), "scored": list(scored),
                  "baselines": _baselines(meta.get("baselines", {})),
                  "mase_scale": _positive("mase_scale", meta.get("mase_scale")),
                  "backtest": _backtest(meta.get("backtest")), "candidates": _candidates(meta.get("candidates")),
                  "member_standardizers": member_scalers, "member_training": member_training}
    except KeyError as error:
        raise InputError(f"{path} is not valid gradstep model metadata (it has no {str(error)[:40]}); "
                         "train the model again") from None
    except (TypeError, ValueError, AttributeError, InputError) as error:
        raise InputError(f"{path} is not valid gradstep model metadata ({str(error)[:160]}); "
                         "train the model again") from None
    return spec, ranges, scaler, record


def _positive(name: str, value):
    if value is not None and not (_finite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number or null")
    return value


def _errors(name: str, value) -> dict:
    if not isinstance(value, dict) or set(value) != {"mae", "mse"} or not all(
            _finite(v) and v >= 0 for v in value.values()):
        raise ValueError(f"{name} must hold mae and mse, finite numbers at least 0")
    return {key: float(v) for key, v in value.items()}


def _baselines(value) -> dict:
    if not isinstance(value, dict) or not set(value) <= set(runs.PARTS):
        raise ValueError(f"baselines must map parts ({', '.join(runs.PARTS)}) to the baselines' errors")
    checked = {}
    for part, errors in value.items():
        if not isinstance(errors, dict) or not set(errors) <= set(BASELINES):
            raise ValueError(f"baselines.{part} must map {' and '.join(BASELINES)} to errors")
        checked[part] = {name: _errors(f"baselines.{part}.{name}", e) for name, e in errors.items()}
    return checked


def _backtest(value):
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"folds", "mae", "std", "scores"}:
        raise ValueError("backtest must hold folds, mae, std and scores")
    folds, scores = value["folds"], value["scores"]
    if not isinstance(folds, list) or not 1 <= len(folds) <= 100:
        raise ValueError("backtest.folds must be a list of 1 to 100 folds")
    for fold in folds:
        if not isinstance(fold, dict) or set(fold) != {"train", "test", "mae"} or not _finite(fold["mae"]):
            raise ValueError("each backtest fold must hold its train and test dates and its mae")
        _date_range("backtest fold's train", fold["train"])
        _date_range("backtest fold's test", fold["test"])
    if not isinstance(scores, list) or not 1 <= len(scores) <= HORIZON or not all(
            isinstance(step, list) and 1 <= len(step) <= 100_000 and all(_finite(r) and r >= 0 for r in step)
            for step in scores):
        raise ValueError(f"backtest.scores must be 1 to {HORIZON} lists of finite numbers at least 0")
    if not (_finite(value["mae"]) and _finite(value["std"])):
        raise ValueError("backtest.mae and backtest.std must be finite numbers")
    return value


def _candidates(value):
    if value is None:
        return None
    keys = {"candidate", "model", "mae", "std", "seconds"}
    if not isinstance(value, list) or len(value) > 50 or not all(
            isinstance(row, dict) and set(row) == keys and all(isinstance(row[k], str) and len(row[k]) <= 200
                                                               for k in ("candidate", "model"))
            and all(_finite(row[k]) for k in ("mae", "std", "seconds")) for row in value):
        raise ValueError("candidates must be a list of at most 50 rows of candidate, model, mae, std and seconds")
    return value


class _SavedRun(runs.Run):
    """A Run read back from disk: its ranges come from the metadata (the windows are not saved)."""

    def __init__(self, spec, model, scaler, ranges, data_sha256, metrics, scored, record, members=None):
        super().__init__(spec, model, scaler, None, pd.DataFrame(), data_sha256, metrics=metrics, scored=scored,
                         updates_per_epoch=record["updates_per_epoch"], stopped_early_at=record["stopped_early_at"],
                         best_epoch=record["best_epoch"], baselines=record["baselines"],
                         mase_scale=record["mase_scale"], members=members)
        self._ranges = ranges
        self._epochs_run = record["epochs_run"]

    @property
    def epochs_run(self) -> int:
        return self._epochs_run

    @property
    def ranges(self) -> dict:
        return self._ranges

    def _score(self, part: str) -> dict:
        raise InputError(f"a model read back from disk keeps its scores, not its windows, so part={part!r} cannot "
                         "be scored again here; use evaluate(series) with the data")



def __getattr__(name: str):
    """gradstep 0.1's ModelConfig and TrainConfig: say what replaced them (an ImportError, as an AttributeError's
    message would be replaced by the import statement's own)."""
    if name in ("ModelConfig", "TrainConfig"):
        raise ImportError(f"gradstep.forecast.{name} was replaced in 0.2 by the parts of gradstep.RunSpec: "
                             "ModelSpec(kind=..., units=..., layers=...), TrainSpec(...), DataSpec(days=...) "
                             "and RegularizationSpec(l1=..., weight_decay=...)")
    raise AttributeError(f"module 'gradstep.forecast' has no attribute {name!r}")
