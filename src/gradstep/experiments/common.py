"""What the studies share: their settings, the training job run in worker processes, and results.

A study has two halves. ``jobs(settings)`` lists the trainings it needs as ``Job``s (a module-level
function and its keyword arguments, so a worker process can run it); ``report(settings, results,
out)`` turns their results into tables, figures and checked claims. The runner sends the jobs of
every study to one process pool at once, so both cores stay busy.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..data import Standardizer, load_pageviews, make_windows
from ..forecast import Forecaster, ModelConfig, TrainConfig
from ..train import Trainer

YEAR_TEST = ("2021-01-01", "2021-12-31")


@dataclass(frozen=True)
class Settings:
    """The run's choices: seeds per configuration, quick mode, and the data (page, train and test dates)."""

    seeds: int = 3
    quick: bool = False
    page: str = "Standard_deviation"

    def epochs(self, full: int, quick: int) -> int:
        """The epochs of a training: ``quick`` in quick mode, else ``full``."""
        return quick if self.quick else full


@dataclass(frozen=True)
class Job:
    """One unit of work for a worker process: ``function(**kwargs)`` under the name ``key``."""

    key: tuple
    function: object
    kwargs: dict
    cost: float = 1.0

    def run(self):
        return self.function(**self.kwargs)


@dataclass
class Table:
    """A titled table: column names and rows of already formatted cells."""

    title: str
    columns: list
    rows: list = field(default_factory=list)


@dataclass
class StudyResult:
    """What a study shows: one line of conclusion, tables, figures (file, caption) and checked claims (text, held)."""

    name: str
    title: str
    finding: str
    tables: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    claims: list = field(default_factory=list)


def series(page: str) -> pd.Series:
    """The built-in page views (loaded once per process)."""
    return load_pageviews(page)


def train_model(model: dict, training: dict, page: str, predictions: bool = False, history: bool = False,
                weights: bool = False, memory: bool = False) -> dict:
    """Train one model on the lecture's split; MAE in views on train, test (45 days) and the year 2021.

    Optionally also returns the test predictions, the per-epoch history, the raw-view weights of a
    linear model and (in a second, separate run of one epoch) the peak memory training allocates.
    """
    data = series(page)
    forecaster = Forecaster(ModelConfig(**model), TrainConfig(**training))
    started = time.perf_counter()
    forecaster.fit(data, progress=False)
    seconds = time.perf_counter() - started
    year = make_windows(data, forecaster.model_config.days).between(*map(pd.Timestamp, YEAR_TEST))
    result = {
        "train": forecaster.metrics["train"]["mae"],
        "test": forecaster.metrics["test"]["mae"],
        "year": float(np.abs(forecaster.predict(year.X) - year.y).mean()),
        "seconds": seconds,
        "epochs": len(forecaster.history),
        "updates_per_epoch": forecaster.history.updates_per_epoch,
    }
    if predictions:
        test = forecaster.split(data).test
        result["dates"] = [d.strftime("%Y-%m-%d") for d in test.dates]
        result["truth"] = test.y.tolist()
        result["prediction"] = forecaster.predict(test.X).tolist()
    if history:
        result["history"] = {key: forecaster.history.column(key).tolist()
                             for key in ("epoch", "train_mae", "seconds", "updates")}
    if weights:
        result["weights"] = raw_linear_weights(forecaster)
    if memory:
        result["peak_bytes"] = peak_training_memory(model, training, data)
    return result


def raw_linear_weights(forecaster: Forecaster) -> dict:
    """w and b of a linear model in views: y = b + Σ wj xj (the standardisation undone)."""
    layer = forecaster.model[0]
    w = layer.weight.data[0].astype(np.float64)
    mean, std = forecaster.scaler.mean, forecaster.scaler.std
    b = std * float(layer.bias.data[0]) + mean * (1 - w.sum())
    return {"w": w.tolist(), "b": b}


def peak_training_memory(model: dict, training: dict, data: pd.Series) -> int:
    """Peak bytes allocated by Trainer.fit alone (tracemalloc, which sees NumPy's buffers), over what was held before."""
    forecaster = Forecaster(ModelConfig(**model), TrainConfig(**training))
    parts = forecaster.split(data)
    scaler = Standardizer.fit(parts.train)
    X, y = scaler.transform(parts.train.X), scaler.transform(parts.train.y)
    trainer = Trainer(forecaster.model_config.build(0), loss=forecaster.train_config.loss,
                      optimizer=forecaster.train_config.optimizer, lr=forecaster.train_config.lr, epochs=1,
                      batch_size=forecaster.train_config.batch_size, progress=False)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        trainer.fit(X, y)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def training_job(key: tuple, model: ModelConfig, training: TrainConfig, settings: Settings, cost: float = 1.0,
                 **options) -> Job:
    """A Job that runs train_model for one configuration and seed."""
    return Job(key, train_model, dict(model=asdict(model), training=asdict(training), page=settings.page, **options),
               cost)


def seeded(settings: Settings) -> range:
    """The seeds of the run: 0, 1, …, seeds − 1."""
    return range(settings.seeds)


def k(values, spread: bool = True) -> str:
    """Views as thousands, "mean ± std" over seeds (just the mean for one seed): 0.513 ± 0.004."""
    values = np.asarray(values, dtype=float) / 1e3
    if values.size > 1 and spread:
        return f"{values.mean():.3f} ± {values.std(ddof=1):.3f}"
    return f"{values.mean():.3f}"


def mean_k(values) -> float:
    """The mean of views in thousands."""
    return float(np.mean(values)) / 1e3


def lecture(value) -> str:
    """A number from the lecture, or a dash where it gave none."""
    return "–" if value is None else f"{value:.2f}"



def path(values, digits: int = 3) -> str:
    """Numbers joined by arrows: 0.538 → 0.501 → 0.551."""
    return " → ".join(f"{v:.{digits}f}" for v in values)


def trend(means, spreads, labels) -> str:
    """How a row of means moves, in words that hold for these numbers: "falls at every step", "rises at every
    step" or "lowest with <label>", and whether its range is within twice the largest spread over seeds."""
    means = list(means)
    if all(a > b for a, b in zip(means, means[1:])):
        words = "falls at every step"
    elif all(a < b for a, b in zip(means, means[1:])):
        words = "rises at every step"
    else:
        words = f"lowest with {labels[means.index(min(means))]}"
    if max(means) - min(means) < 2 * max(spreads, default=0.0):
        words += "; all within the spread over seeds"
    return words


def movement(numbers: list, labels: list, lecture_values=None) -> str:
    """"goes 0.458 → 0.450k (falls at every step; the lecture: 0.28 → 0.18)" for (mean, std) pairs in k views."""
    means, spreads = zip(*numbers)
    book = f"; the lecture: {path(lecture_values, 2)}" if lecture_values is not None else ""
    return f"goes {path(means)}k ({trend(means, spreads, labels)}{book})"


def summary(runs: list, part: str) -> tuple[float, float]:
    """Mean and standard deviation over seeds of one part's MAE, in thousands of views."""
    values = np.asarray([r[part] for r in runs], dtype=float) / 1e3
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0
