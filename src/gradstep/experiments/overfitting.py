"""Study `overfitting`: a network that memorises one year of days, then every remedy of the chapter on it.

The setting: one year of training days before the test year, its last 91 days held out for validation,
4 layers of 128 ReLUs for 300 epochs — the training error falls far below the validation error, and the
validation curve turns up. Each remedy is a part of the library (RegularizationSpec, ModelSpec.dropout and
ensemble, TrainSpec.patience, DataSpec.lags, ``selection``, ``search``) run through the one run path.

The jobs come in rounds (``next_jobs``): first every remedy's candidate settings, scored on the training and
validation days only; then, after ``selection.choose`` picks each remedy's setting on validation, the chosen
configurations, each trained once per seed and scored once on the test days. Feature selection needs the
importance of the days first, and the Optuna search proposes its trials round by round.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import time

import numpy as np
import pandas as pd

from .. import search, selection
from .. import run as runs
from ..errors import InputError
from ..plots import overfitting_plots
from ..spec import DataSpec, ModelSpec, RunSpec, TrainSpec
from .common import Job, StudyResult, Table, YEAR_TEST, covers, k, lesson, seeded, series

VALID_DAYS = 91
YEAR = 365
NEAR_ZERO = 0.01
FOLDS, FOLD_DAYS = 4, 28
FORMULAS = [r"L'(\boldsymbol{\theta}) = L(\boldsymbol{\theta}) + \lambda_1 \sum_i |w_i| + \frac{\lambda_2}{2} "
            r"\sum_i w_i^2",
            r"\hat{y} = \frac{1}{N} \sum_{n=1}^{N} f_n(\boldsymbol{x}), \qquad "
            r"\tilde{\boldsymbol{x}} = \boldsymbol{x} + \boldsymbol{\epsilon}, \ \epsilon_j \sim \mathcal{N}(0, s^2)"]
TRY = ["gradstep train --model relu --layers 4 --units 128 --epochs 300 --train 2020-01-01:2020-12-31 "
       "--test 2021-01-01:2021-12-31 --valid-days 91 --out try-overfit",
       "gradstep train --model relu --layers 4 --units 128 --epochs 300 --train 2020-01-01:2020-12-31 "
       "--test 2021-01-01:2021-12-31 --valid-days 91 --patience 20 --out try-early",
       "gradstep train --model relu --layers 4 --units 128 --epochs 300 --train 2017-01-01:2020-12-31 "
       "--test 2021-01-01:2021-12-31 --valid-days 91 --out try-more-data"]

REMEDIES = ("smaller", "l1", "l2", "dropout", "early", "noise", "augment", "lags", "cv", "search", "data",
            "seeds", "kinds")
CANDIDATES = {
    "l1": [{"l1": value} for value in (1e-4, 1e-3, 1e-2)],
    "l2": [{"weight_decay": value} for value in (1e-3, 1e-2, 1e-1)],
    "dropout": [{"dropout": value} for value in (0.1, 0.3, 0.5)],
    "early": [{"patience": value} for value in (10, 30)],
    "noise": [{"input_noise": value} for value in (0.1, 0.3, 1.0)],
    "augment": [{"augment": "scale"}],
}
SMALLER = [{"units": 8}, {"units": 32}, {"layers": 1}, {"layers": 2}, {"layers": 3}]
LAG_COUNTS = (7, 14, 28)
ENSEMBLE = 5


def _labels(changes: dict) -> str:
    """A candidate's setting in one short line: "l1=0.001", "units=32", "lags=1,2,7", "lags: 14 days"."""
    return ", ".join(f"{name}={value:.2g}" if isinstance(value, float) else
                     (f"{name}={','.join(map(str, value))}" if len(value) <= 8 else f"{name}: {len(value)} days")
                     if isinstance(value, tuple) else f"{name}={value}" for name, value in changes.items())


@dataclasses.dataclass(frozen=True)
class Setting:
    """The overfitting setting on the run's series: the test days, the first training day of each training size
    (one year, two, … and every day the series has; ``starts[0]`` is the base's) and the base model."""

    data: DataSpec
    starts: tuple
    model: ModelSpec
    epochs: int

    def spec(self, seed: int = 0, size: int = 0, **changes) -> RunSpec:
        """The base run (one year of training days; ``size`` picks another of ``starts``) with ``changes``."""
        end = pd.Timestamp(self.data.test[0]) - pd.Timedelta(days=1)
        base = RunSpec(data=dataclasses.replace(self.data, train=(self.starts[size], end.date().isoformat())),
                       model=self.model, train=TrainSpec(loss="mae", optimizer="adam", lr=1e-3, epochs=self.epochs,
                                                         batch_size=32, seed=seed))
        return base.replace(**changes) if changes else base


def setting(settings) -> Setting:
    """One year of training days before the test days: the year 2021 where the series covers it, else its last
    91 days; 4 layers of 128 ReLUs for 300 epochs (32 units for 60 epochs in quick mode)."""
    data, days = settings.data, settings.data.days
    values = series(data)
    if covers(data, YEAR_TEST[1]):
        test = YEAR_TEST
    else:
        last = values.index[-1]
        test = ((last - pd.Timedelta(days=VALID_DAYS - 1)).date().isoformat(), last.date().isoformat())
    first = values.index[0] + pd.Timedelta(days=days)
    starts = [start for start in (pd.Timestamp(test[0]) - pd.DateOffset(years=n) for n in (1, 2, 3)) if start >= first]
    if not starts:
        raise InputError(f"the overfitting study trains on a year of days before its {VALID_DAYS} test days and "
                         f"needs {YEAR + days + VALID_DAYS} days of data with days={days}; the series has "
                         f"{len(values)}: use a longer series or fewer days")
    if first < starts[-1] - pd.Timedelta(days=30):
        starts.append(first)
    quick = settings.quick
    return Setting(dataclasses.replace(data, test=test, valid_days=VALID_DAYS),
                   tuple(start.date().isoformat() for start in starts),
                   ModelSpec("relu", units=32 if quick else 128, layers=4), settings.epochs(300, 60))


def fit_job(spec: dict, test: bool = False, history: bool = False, importance: bool = False,
            weights: bool = False, kinds: tuple = ()) -> dict:
    """Train one RunSpec through the run path; MAE in views on the training and validation days, and on the test
    days only when ``test`` (a final configuration, after every choice). ``kinds`` (more specs on the same data)
    make it the mean of models of different kinds. Optionally the epoch history, the importance of each past day
    on validation and the first layer's weights."""
    spec = RunSpec.from_dict(spec)
    data = series(spec.data)
    started = time.perf_counter()
    run = runs.fit(spec, data)
    if kinds:
        run = runs.average([run, *(runs.fit(RunSpec.from_dict(other), data) for other in kinds)])
    result = {"train": run.metrics["train"]["mae"], "valid": run.metrics["valid"]["mae"],
              "seconds": time.perf_counter() - started, "epochs": run.epochs_run, "best_epoch": run.best_epoch}
    if history:
        result["history"] = {key: run.history[key].tolist() for key in ("epoch", "train_mae", "valid_mae")}
    if importance:
        result["importance"] = selection.lag_importance(run, "valid").to_dict()
    if weights:
        first = np.abs(run.model[0].weight.data.astype(np.float64))
        result["weights"] = {"by_day": first.mean(axis=0).tolist(), "near_zero": float((first < NEAR_ZERO).mean())}
    if test:
        result["test"] = run.score_test()["mae"]
    result["scored"] = list(run.scored)
    return result


def _job(key: tuple, spec: RunSpec, cost: float = 1.0, **options) -> Job:
    return Job(("overfitting", *key), fit_job, dict(spec=spec.to_dict(), **options), cost)


def _cost(base: Setting, years: float = 1, **changes) -> float:
    units = changes.get("units", base.model.units)
    return years * (0.3 + changes.get("layers", base.model.layers) * (units / 128) ** 2)


def _trials(settings) -> tuple[int, int]:
    """The search's trials and trials per round."""
    return (4, 4) if settings.quick else (16, 4)


def plan(settings, results: dict) -> list[Job]:
    """Every job whose inputs are in ``results`` and which is not there yet: the candidates and the fixed rows
    first, then each remedy's chosen setting once its candidates are in, then the search's next round."""
    base, seeds = setting(settings), list(seeded(settings))
    wanted = []
    for seed in seeds:
        wanted.append(_job(("base", seed), base.spec(seed), 1.3, test=True, history=True, importance=seed == 0,
                           weights=seed == 0))
        for changes in SMALLER:
            wanted.append(_job(("candidate", "smaller", _labels(changes), seed), base.spec(seed, **changes),
                               _cost(base, **changes)))
        for remedy, options in CANDIDATES.items():
            for changes in options:
                wanted.append(_job(("candidate", remedy, _labels(changes), seed), base.spec(seed, **changes),
                                   _cost(base), history=remedy == "early" and seed == 0))
        for size in range(1, len(base.starts)):
            wanted.append(_job(("data", size, seed), base.spec(seed, size=size), _cost(base, size + 1), test=True))
        wanted.append(_job(("final", "seeds", "", seed), base.spec(seed * ENSEMBLE, ensemble=ENSEMBLE),
                           ENSEMBLE * _cost(base), test=True))
        kinds = [base.spec(seed, kind="linear").to_dict(), base.spec(seed, kind="sigmoid", units=100).to_dict()]
        wanted.append(_job(("final", "kinds", "", seed), base.spec(seed), 1.5 * _cost(base), test=True,
                           kinds=tuple(kinds)))
    for scheme in ("rolling", "shuffled"):
        wanted.append(Job(("overfitting", "cv", scheme, ""), selection.cross_validate,
                          dict(spec=base.spec().to_dict(), scheme=scheme, folds=FOLDS, fold_days=FOLD_DAYS), 4.0))
    for changes in CANDIDATES["l2"]:
        wanted.append(Job(("overfitting", "cv", "l2", _labels(changes)), selection.cross_validate,
                          dict(spec=base.spec(**changes).to_dict(), scheme="rolling", folds=FOLDS,
                               fold_days=FOLD_DAYS), 4.0))
    for label, changes in (_candidates(settings, results, "lags") or {}).items():
        wanted += [_job(("candidate", "lags", label, seed), base.spec(seed, **changes), _cost(base)) for seed in seeds]
    for remedy in ("smaller", *CANDIDATES, "lags", "cv"):
        chosen = choice(settings, results, remedy)
        if chosen is not None:
            changes = chosen[1]
            wanted += [_job(("final", remedy, chosen[0], seed), base.spec(seed, **changes), _cost(base, **changes),
                            test=True, history=remedy == "early" and seed == 0, weights=remedy == "l1" and seed == 0)
                       for seed in seeds]
    wanted += _search_jobs(settings, base, results)
    return [job for job in wanted if job.key not in results]


def _search_jobs(settings, base: Setting, results: dict) -> list[Job]:
    """The next round of Optuna trials (TPE after one random round), or the best trial's configuration once every
    round is in."""
    if importlib.util.find_spec("optuna") is None:
        raise InputError('the overfitting study\'s hyperparameter search needs Optuna: pip install "gradstep[search]", '
                         "or name the other studies to run them without it")
    trials, size = _trials(settings)
    finished = [results[key] for key in sorted(results) if key[:2] == ("overfitting", "trial")]
    if len(finished) < trials:
        if len(finished) % size:
            return []
        proposals = search.propose(search.SPACE, finished, size, seed=0, round=len(finished) // size,
                                   startup_trials=size)
        return [Job(("overfitting", "trial", len(finished) + i), search.run_trial,
                    dict(spec=base.spec().to_dict(), params=params, number=len(finished) + i, finished=finished), 1.0)
                for i, params in enumerate(proposals)]
    params = search.best(finished)["params"]
    return [_job(("final", "search", _labels(params), seed), search.apply(base.spec(seed), params), 1.5, test=True)
            for seed in seeded(settings)]


def _candidates(settings, results: dict, remedy: str) -> dict | None:
    """{label: changes} of a remedy's candidates (None for the lags until the base run's importance is in: the
    top 7, 14 and 28 past days)."""
    if remedy == "smaller":
        return {_labels(changes): changes for changes in SMALLER}
    if remedy in CANDIDATES:
        return {_labels(changes): changes for changes in CANDIDATES[remedy]}
    if remedy == "cv":
        return {_labels(changes): changes for changes in CANDIDATES["l2"]}
    importance = results.get(("overfitting", "base", 0), {}).get("importance")
    if importance is None:
        return None
    index = pd.Series({int(lag): value for lag, value in importance.items()})
    return {_labels({"lags": lags}): {"lags": lags} for lags in (selection.top_lags(index, m) for m in LAG_COUNTS)}


def choice(settings, results: dict, remedy: str) -> tuple[str, dict] | None:
    """The remedy's setting chosen by ``selection.choose`` on the validation MAE (mean over seeds; for "cv" the
    mean over rolling-origin folds), or None while its candidates are not all in."""
    options = _candidates(settings, results, remedy)
    if options is None:
        return None
    if remedy == "cv":
        keys = {label: [("overfitting", "cv", "l2", label)] for label in options}
    else:
        keys = {label: [("overfitting", "candidate", remedy, label, seed) for seed in seeded(settings)]
                for label in options}
    if not all(key in results for group in keys.values() for key in group):
        return None
    records = {label: {"valid": float(np.mean([results[key]["valid"] for key in group])),
                       "scored": sorted({part for key in group for part in results[key].get("scored", ())}
                                        | {"test" for key in group if "test" in results[key]})}
               for label, group in keys.items()}
    label = selection.choose(records, by="valid")
    return label, options[label]


def jobs(settings) -> list[Job]:
    return plan(settings, {})


def next_jobs(settings, results: dict) -> list[Job]:
    return plan(settings, results)


def years(base: Setting, size: int) -> float:
    """The training days of a training size, in years (the validation days included)."""
    return (pd.Timestamp(base.data.test[0]) - pd.Timestamp(base.starts[size])).days / 365.25


def _final_key(results: dict, remedy: str) -> tuple:
    """("overfitting", "final", remedy, setting): the chosen configuration's key without its seed."""
    return next(key[:4] for key in results if key[:3] == ("overfitting", "final", remedy))


def _shape(spec: RunSpec) -> str:
    """Layers × units, e.g. "4 × 128"."""
    return f"{spec.model.layers} × {spec.model.units}"


def parameters(spec: RunSpec) -> int:
    """The number of weights and biases of the spec's model."""
    inputs = len(spec.data.lags) if spec.data.lags else spec.data.days
    return sum(int(np.prod(shape)) for shape in runs.parameter_shapes(spec.model, inputs).values())


def _group(results: dict, prefix: tuple, seeds) -> list[dict]:
    return [results[(*prefix, seed)] for seed in seeds]


def report(settings, results, out) -> StudyResult:
    t, seeds = settings.text, list(seeded(settings))
    base = setting(settings)
    plain = _group(results, ("overfitting", "base"), seeds)
    rows = {"base": ("–", plain)}
    for remedy in REMEDIES:
        if remedy == "data":
            size = len(base.starts) - 1
            rows[remedy] = (t("overfitting.years", years=f"{years(base, size):.1f}"),
                            plain if not size else _group(results, ("overfitting", "data", size), seeds))
            continue
        key = _final_key(results, remedy)
        rows[remedy] = (key[3] or "–", _group(results, key, seeds))
    mean = {name: float(np.mean([r["test"] for r in group])) for name, (_, group) in rows.items()}
    spread = {name: float(np.std([r["test"] for r in group], ddof=1)) if len(group) > 1 else 0.0
              for name, (_, group) in rows.items()}
    table = Table(t("overfitting.table", units=base.model.units, layers=base.model.layers, epochs=base.epochs,
                    train=base.spec().data.train[0], valid=VALID_DAYS,
                    test=f"{base.data.test[0]}..{base.data.test[1]}"),
                  [t("overfitting.col.remedy"), t("overfitting.col.setting"), t("col.train"),
                   t("overfitting.col.valid"), t("col.test"), t("overfitting.col.gap"), t("overfitting.col.seconds"),
                   t("overfitting.col.verdict")])
    verdicts = {name: verdict(name, mean, spread) for name in rows}
    said = {name: "–" if code == "base" else t(f"overfitting.{code}") for name, code in verdicts.items()}
    for name, (label, group) in rows.items():
        gap = np.mean([r["test"] - r["train"] for r in group]) / 1e3
        shown = label if name in ("base", "data", "seeds", "kinds") else f"`{label}`"
        table.rows.append([t(f"overfitting.remedy.{name}"), shown, k([r["train"] for r in group]),
                           k([r["valid"] for r in group]), k([r["test"] for r in group]), f"{gap:.3f}",
                           f"{np.mean([r['seconds'] for r in group]):.1f}", said[name]])
    curves = plain[0]["history"]
    best = int(np.argmin(curves["valid_mae"]))
    early = results[_final_key(results, "early") + (0,)]
    capacity = [(_shape(base.spec(**changes)), parameters(base.spec(**changes)),
                 _group(results, ("overfitting", "candidate", "smaller", _labels(changes)), seeds))
                for changes in SMALLER]
    capacity.append((_shape(base.spec()), parameters(base.spec()), plain))
    cv = {scheme: results[("overfitting", "cv", scheme, "")] for scheme in ("rolling", "shuffled")}
    l1 = results[_final_key(results, "l1") + (0,)]
    names = {name: t(f"overfitting.remedy.{name}") for name in rows}
    figures = overfitting_plots(out, settings.figure_text, curves=curves, early=early["history"],
                                early_best=early["best_epoch"], capacity=capacity,
                                rows={names[name]: [r["test"] for r in group] for name, (_, group) in rows.items()},
                                valid={names[name]: [r["valid"] for r in group] for name, (_, group) in rows.items()},
                                verdicts=[verdicts[name] for name in rows],
                                data={years(base, size): plain if not size else _group(
                                    results, ("overfitting", "data", size), seeds) for size in range(len(base.starts))},
                                importance=plain[0]["importance"], weights=(plain[0]["weights"], l1["weights"]),
                                cv=cv, test=mean["base"])
    rows_trained = (pd.Timestamp(base.data.test[0]) - pd.Timestamp(base.starts[0])).days - VALID_DAYS
    finding = t("overfitting.finding", parameters=f"{parameters(base.spec()):,}", rows=rows_trained,
                train=k([r["train"] for r in plain]), valid=k([r["valid"] for r in plain]),
                test=k([r["test"] for r in plain]), best=curves["epoch"][best],
                best_valid=f"{curves['valid_mae'][best] / 1e3:.3f}",
                last_valid=f"{curves['valid_mae'][-1] / 1e3:.3f}", epochs=len(curves["epoch"]),
                helped=", ".join(names[name] for name in REMEDIES if verdicts[name] == "helps") or "–",
                others=", ".join(names[name] for name in REMEDIES if verdicts[name] in ("same", "hurts")) or "–",
                cv=t("overfitting.cv" if cv["shuffled"]["valid"] < cv["rolling"]["valid"] else "overfitting.cv_same",
                     rolling=f"{cv['rolling']['valid'] / 1e3:.3f}", shuffled=f"{cv['shuffled']['valid'] / 1e3:.3f}",
                     lower=f"{100 * (1 - cv['shuffled']['valid'] / cv['rolling']['valid']):.0f}",
                     days=sum(fold["valid_rows"] for fold in cv["rolling"]["folds"]),
                     first=cv["rolling"]["folds"][0]["valid_dates"][0],
                     last=cv["rolling"]["folds"][-1]["valid_dates"][1]),
                zero_base=f"{plain[0]['weights']['near_zero']:.0%}", zero_l1=f"{l1['weights']['near_zero']:.0%}",
                restored=early["best_epoch"] or "–")
    finals = [key for key in results if key[:2] == ("overfitting", "final") or key[:2] in (("overfitting", "base"),
                                                                                              ("overfitting", "data"))]
    chosen_clean = all("test" not in r and "test" not in r.get("scored", ()) for key, r in results.items()
                       if key[0] == "overfitting" and key[1] in ("candidate", "trial", "cv"))
    gap = np.mean([r["valid"] - r["train"] for r in plain])
    noise = np.std([r["valid"] for r in plain], ddof=1) if len(plain) > 1 else 0.0
    claims = [(t("overfitting.claim.gap"), bool(gap > max(4 * noise, np.mean([r["train"] for r in plain])))),
              (t("overfitting.claim.turns"), bool(curves["valid_mae"][-1] > curves["valid_mae"][best])),
              (t("overfitting.claim.hygiene", finals=len(finals)), chosen_clean)]
    return lesson("overfitting", t("overfitting.title"), finding, settings, FORMULAS, TRY, tables=[table],
                  figures=[(name, t(f"overfitting.figure.{name[len('overfitting_'):-len('.png')]}"))
                           for name in figures],
                claims=claims)


def verdict(name: str, mean: dict, spread: dict) -> str:
    """"helps" when the remedy's test MAE is below the base's by more than twice the larger spread over seeds,
    "hurts" when above by as much, "same" within that, "one_seed" with no spread to judge by ("base" for the base)."""
    if name == "base":
        return "base"
    if not spread["base"] and not spread[name]:
        return "one_seed"
    margin = 2 * max(spread[name], spread["base"])
    if mean[name] < mean["base"] - margin:
        return "helps"
    if mean[name] > mean["base"] + margin:
        return "hurts"
    return "same"
