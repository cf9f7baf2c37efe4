"""The practitioner's task on top of the run path: train, save, load, evaluate and predict the next day.

A Forecaster fits its ``RunSpec`` through ``run.fit`` (nothing here splits, standardises or trains on its
own), and saves to a directory as ``model.npz`` (arrays, loaded with ``allow_pickle=False``) and
``model.json`` (the spec, data hash, split, standardiser, metrics, which parts were scored, version).

    forecaster = Forecaster(RunSpec(data=DataSpec(days=28))).fit(series)
    forecaster.score_test(); forecaster.save("runs/mine")
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import run as runs
from .data import Standardizer
from .errors import InputError
from .io import load_arrays, read_json, save_arrays, write_json
from .spec import RunSpec
from .version import __version__


class Forecaster:
    """One of the chapter's models trained on a daily series to predict the next day."""

    def __init__(self, spec: RunSpec | None = None):
        self.spec = RunSpec() if spec is None else spec
        self.run: runs.Run | None = None

    def fit(self, series: pd.Series | None = None, progress: bool | None = False, callbacks=()) -> "Forecaster":
        """Train on the training part; the training and validation parts are scored, the test days are not."""
        self.run = runs.fit(self.spec, series, callbacks=callbacks, progress=progress)
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
        """Predicted views for rows of past views X (x_j = the views j days before)."""
        return self._fitted().predict(X)

    def evaluate(self, series: pd.Series) -> dict:
        """MAE and MSE in views on the dates it was trained, validated and tested on, recomputed on ``series``;
        the test days are among them, so ``scored`` records "test"."""
        run = self._fitted()
        ranges = run.ranges
        end = ranges["valid"] or ranges["train"]
        parts = runs.split(self.spec.replace(train=(ranges["train"][0], end[1]), test=tuple(ranges["test"])), series)
        if "test" not in run.scored:
            run.scored.append("test")
        return {name: runs.errors(self.predict(getattr(parts, name).X), getattr(parts, name).y)
                for name in runs.PARTS if len(getattr(parts, name))}

    def predict_next(self, series: pd.Series) -> tuple[pd.Timestamp, float]:
        """The forecast for the day after ``series`` ends, and that day's date."""
        days = self.spec.data.days
        if len(series) < days:
            raise InputError(f"the model reads the last days={days} days to predict; the data has only {len(series)}")
        x = series.to_numpy(dtype=np.float64)[::-1][:days].reshape(1, days)
        return series.index[-1] + pd.Timedelta(days=1), float(self.predict(x)[0])

    def save(self, directory) -> None:
        """Write ``model.npz`` and ``model.json`` into ``directory`` (each atomically)."""
        run = self._fitted()
        directory = Path(directory)
        save_arrays(directory / "model.npz", run.model.state_dict())
        write_json(directory / "model.json", {
            "gradstep_version": __version__,
            "spec": self.spec.to_dict(),
            "data_sha256": run.data_sha256,
            "split": run.ranges,
            "standardizer": run.standardizer_.to_dict(),
            "metrics": run.metrics,
            "scored": run.scored,
            "epochs_run": run.epochs_run,
            "updates_per_epoch": run.updates_per_epoch,
            "stopped_early_at": run.stopped_early_at,
            "best_epoch": run.best_epoch,
        })

    @classmethod
    def load(cls, directory) -> tuple["Forecaster", dict]:
        """A saved forecaster and its metadata (the JSON), ready to predict."""
        directory = Path(directory)
        if not directory.is_dir():
            raise InputError(f"{directory} is not a directory; give a directory written by gradstep train --out "
                             "or Forecaster.save")
        meta = read_json(directory / "model.json")
        try:
            spec = RunSpec.from_dict(meta["spec"])
            ranges = {part: None if meta["split"][part] is None else [str(pd.Timestamp(d).date()) for d in
                                                                       meta["split"][part]] for part in runs.PARTS}
            if ranges["train"] is None or ranges["test"] is None:
                raise ValueError("the train and test ranges are missing")
            scaler = Standardizer.from_dict(meta["standardizer"])
            metrics, scored = dict(meta["metrics"]), list(meta["scored"])
            record = {key: meta[key] for key in ("epochs_run", "updates_per_epoch", "stopped_early_at", "best_epoch")}
            model = runs.build_model(spec.model, spec.data.days, spec.train.seed)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InputError(f"{directory / 'model.json'} is not valid gradstep model metadata ({error}); "
                             "train the model again") from None
        arrays = load_arrays(directory / "model.npz")
        try:
            model.load_state_dict(arrays)
        except ValueError as error:
            raise InputError(f"{directory / 'model.npz'} does not fit {directory / 'model.json'}: {error}") from None
        model.eval()
        forecaster = cls(spec)
        forecaster.run = _SavedRun(spec, model, scaler, ranges, meta.get("data_sha256"), metrics, scored, record)
        return forecaster, meta


class _SavedRun(runs.Run):
    """A Run read back from disk: its ranges come from the metadata (the windows are not saved)."""

    def __init__(self, spec, model, scaler, ranges, data_sha256, metrics, scored, record):
        super().__init__(spec, model, scaler, None, pd.DataFrame(), data_sha256, metrics=metrics, scored=scored,
                         updates_per_epoch=record["updates_per_epoch"], stopped_early_at=record["stopped_early_at"],
                         best_epoch=record["best_epoch"])
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
