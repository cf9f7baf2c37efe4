"""What the studies share: their settings, the training job run in worker processes, and results.

A study has two halves. ``jobs(settings)`` lists the trainings it needs as ``Job``s (a module-level
function and its keyword arguments, so a worker process can run it); ``report(settings, results,
out)`` turns their results into tables, figures and checked claims. The runner sends the jobs of
every study to one process pool at once, so both cores stay busy.
"""

from __future__ import annotations

import dataclasses
import functools
import shlex
import time
import tracemalloc
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import run as runs
from ..data import LECTURE_TEST, LECTURE_TRAIN
from ..executor import Job
from ..lang import Text
from ..spec import DataSpec, ModelSpec, RunSpec, TrainSpec
from ..training import Trainer

YEAR_TEST = ("2021-01-01", "2021-12-31")
EN = Text("en")


@dataclass(frozen=True)
class Settings:
    """The run's choices: seeds per configuration, quick mode, the data (a built-in page or a CSV) and the
    report's language."""

    seeds: int = 3
    quick: bool = False
    data: DataSpec = field(default_factory=DataSpec)
    lang: str = "en"

    @property
    def text(self) -> Text:
        """The report's words in ``lang``."""
        return Text(self.lang)

    @property
    def figure_text(self) -> Text:
        """The figures' words: ``lang`` where a font can draw it, else English."""
        from ..plots import figure_text
        return figure_text(self.lang)

    def epochs(self, full: int, quick: int) -> int:
        """The epochs of a training: ``quick`` in quick mode, else ``full``."""
        return quick if self.quick else full


@dataclass
class Table:
    """A titled table: column names and rows of already formatted cells."""

    title: str
    columns: list
    rows: list = field(default_factory=list)


@dataclass
class StudyResult:
    """What a study shows, as a lesson: the idea, its formulas (LaTeX), tables, figures (file, caption), the
    finding, checked claims (text, held) and what to try next (command, what to look for)."""

    name: str
    title: str
    finding: str
    tables: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    idea: str = ""
    formulas: list = field(default_factory=list)
    try_next: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The result as JSON-ready data (``from_dict`` reads it back)."""
        return {**dataclasses.asdict(self), "tables": [dataclasses.asdict(table) for table in self.tables],
                "claims": [[text, bool(held)] for text, held in self.claims]}

    @classmethod
    def from_dict(cls, data: dict) -> StudyResult:
        pairs = {name: [tuple(pair) for pair in data[name]] for name in ("figures", "claims", "try_next")}
        return cls(**{**data, **pairs, "tables": [Table(**table) for table in data["tables"]]})


def source_flags(data: DataSpec) -> list[str]:
    """The command-line flags that name the run's series: --csv FILE (with its column and fill options) or --page."""
    if data.csv is not None:
        return ["--csv", data.csv, *[flag for name, value in (("--date-column", data.date_column),
                                                                ("--value-column", data.value_column),
                                                                ("--fill", data.fill)) if value is not None
                                     for flag in (name, value)]]
    return ["--page", data.page] if data.page else []


def lesson(name: str, title: str, finding: str, settings: Settings, formulas: list, commands: list,
           **parts) -> StudyResult:
    """A study's result with its lesson: the idea and what each "try next" command shows come from the catalogue
    (``NAME.idea``, ``NAME.try.1``, …), the formulas and commands from the study; a command that names no series
    gets the run's (``--csv FILE`` or ``--page NAME``), so it tries the idea on the data the report is about."""
    t = settings.text
    flags = source_flags(settings.data)
    commands = [command if "--page" in command or "--csv" in command else shlex.join([*shlex.split(command), *flags])
                for command in commands]
    return StudyResult(name, title, finding, idea=t(f"{name}.idea"), formulas=list(formulas),
                       try_next=[(command, t(f"{name}.try.{i}")) for i, command in enumerate(commands, 1)], **parts)


@functools.lru_cache(maxsize=4)
def series(data: DataSpec) -> pd.Series:
    """The series of the run (read once per process)."""
    return runs.load_series(data)


def covers(data: DataSpec, last: str) -> bool:
    """Whether the series runs from the lecture's first day (2017-01-01) to ``last``: to 2021-02-14 the run path
    takes the lecture's split (split_windows), to 2021-12-31 the whole year 2021 is a second test."""
    days = series(data).index
    return days[0] <= pd.Timestamp(LECTURE_TRAIN[0]) and days[-1] >= pd.Timestamp(last)


def test_description(data: DataSpec, t: Text = EN) -> str:
    """Which days the studies train and test on, in words."""
    if covers(data, LECTURE_TEST[1]):
        return t("common.lecture_split", train=f"{LECTURE_TRAIN[0]}..{LECTURE_TRAIN[1]}",
                 test=f"{LECTURE_TEST[0]}..{LECTURE_TEST[1]}",
                 year=t("common.year_test") if covers(data, YEAR_TEST[1]) else "")
    days = series(data).index
    return t("common.own_split", span=f"{days[0]:%Y-%m-%d}..{days[-1]:%Y-%m-%d}")


def run_spec(data: DataSpec, model: ModelSpec, training: TrainSpec, days: int) -> RunSpec:
    """The RunSpec of a study's training: the run's data with ``days`` days, default split."""
    return RunSpec(data=dataclasses.replace(data, days=days), model=model, train=training)


def train_model(spec: dict, predictions: bool = False, history: bool = False, weights: bool = False,
                memory: bool = False) -> dict:
    """Fit one RunSpec through the run path; MAE in views on train, validation (if the spec holds days out), the
    test days and (if covered) the year 2021.

    The test days are scored with ``Run.score_test()``, as a study's whole point is to report them. Optionally
    also returns the test predictions, the per-epoch history, the raw-view weights of a linear model and (in a
    second, separate run of one epoch) the peak memory training allocates.
    """
    spec = RunSpec.from_dict(spec)
    data = series(spec.data)
    started = time.perf_counter()
    run = runs.fit(spec, data)
    seconds = time.perf_counter() - started
    result = {
        "train": run.metrics["train"]["mae"],
        "test": run.score_test()["mae"],
        "year": None,
        "seconds": seconds,
        "epochs": len(run.history),
        "updates_per_epoch": run.updates_per_epoch,
    }
    if covers(spec.data, YEAR_TEST[1]):
        year = runs.split(spec.replace(train=LECTURE_TRAIN, test=YEAR_TEST), data).test
        result["year"] = runs.errors(run.predict(year.X), year.y)["mae"]
    if predictions:
        test = run.split_.test
        result["dates"] = [f"{d:%Y-%m-%d}" for d in test.dates]
        result["truth"] = test.y.tolist()
        result["prediction"] = run.predict(test.X).tolist()
    if len(run.split_.valid):
        result["valid"] = run.metrics["valid"]["mae"]
    if history:
        result["history"] = {key: run.history[key].tolist() for key in ("epoch", "train_mae", "valid_mae", "seconds",
                                                                         "updates") if key in run.history}
    if weights:
        result["weights"] = raw_linear_weights(run)
    if memory:
        result["peak_bytes"] = peak_training_memory(spec, data)
    return result


def raw_linear_weights(run) -> dict:
    """w and b of a linear model in views: y = b + Σ wj xj (the standardisation undone)."""
    layer = run.model[0]
    w = layer.weight.data[0].astype(np.float64)
    mean, std = run.standardizer_.mean, run.standardizer_.std
    b = std * float(layer.bias.data[0]) + mean * (1 - w.sum())
    return {"w": w.tolist(), "b": b}


def peak_training_memory(spec: RunSpec, data: pd.Series) -> int:
    """Peak bytes allocated by one epoch of Trainer.fit alone (tracemalloc sees NumPy's buffers), over what was
    held before."""
    parts, scaler = runs.prepare(spec, data)
    X, y = scaler.transform(parts.train.X), scaler.transform(parts.train.y)
    trainer = Trainer(runs.build_model(spec.model, spec.data.n_inputs, 0), loss=spec.train.loss,
                      optimizer=spec.train.optimizer, lr=spec.train.lr, epochs=1, batch_size=spec.train.batch_size,
                      progress=False)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        trainer.fit(X, y)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def training_job(key: tuple, model: ModelSpec, training: TrainSpec, settings: Settings, days: int = 56,
                 cost: float = 1.0, **options) -> Job:
    """A Job that runs train_model for one configuration and seed."""
    return Job(key, train_model, dict(spec=run_spec(settings.data, model, training, days).to_dict(), **options), cost)


def seeded(settings: Settings) -> range:
    """The seeds of the run: 0, 1, …, seeds − 1."""
    return range(settings.seeds)


def k(values, spread: bool = True) -> str:
    """Views as thousands, "mean ± std" over seeds (just the mean for one seed): 0.513 ± 0.004; "–" where a
    value was not measured (a whole-year test on a series that does not cover the year)."""
    if any(value is None for value in values):
        return "–"
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


def trend(means, spreads, labels, t: Text = EN) -> str:
    """How a row of means moves, in words that hold for these numbers: "falls at every step", "rises at every
    step" or "lowest with <label>", and whether its range is within twice the largest spread over seeds."""
    means = list(means)
    if all(a > b for a, b in zip(means, means[1:])):
        words = t("common.falls")
    elif all(a < b for a, b in zip(means, means[1:])):
        words = t("common.rises")
    else:
        words = t("common.lowest", label=labels[means.index(min(means))])
    if max(means) - min(means) < 2 * max(spreads, default=0.0):
        words += t("common.within_spread")
    return words


def movement(numbers: list, labels: list, lecture_values=None, t: Text = EN) -> str:
    """"goes 0.458 → 0.450k (falls at every step; the lecture: 0.28 → 0.18)" for (mean, std) pairs in k views."""
    means, spreads = zip(*numbers)
    book = t("common.the_lecture", path=path(lecture_values, 2)) if lecture_values is not None else ""
    return t("common.goes", path=path(means), trend=trend(means, spreads, labels, t), lecture=book)


def summary(runs: list, part: str) -> tuple[float, float]:
    """Mean and standard deviation over seeds of one part's MAE, in thousands of views."""
    values = np.asarray([r[part] for r in runs], dtype=float) / 1e3
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0
