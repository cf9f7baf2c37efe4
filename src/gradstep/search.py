"""Hyperparameter search: TPE proposes, the trainer's epoch hook prunes, and every trial is a job.

A search runs in rounds and keeps nothing between them. Each round ``propose`` makes a fresh in-memory
optuna study, adds the finished trials (in order of number) and asks it for ``n`` parameter sets; each
trial then runs wherever the caller likes (a loop, a process pool, a Dask cluster) as
``run_trial(**job)`` with plain keyword arguments, and its record, plain JSON data, joins the finished
ones. A round's trials are pruned against the trials finished before the round, so the same spec,
data, seed and round size give the same trials however many workers run them.

TPE (tree-structured Parzen estimator) splits the finished trials into the best few and the rest, fits
a density l(x) to the good trials' parameters and g(x) to the others', and proposes the candidate x
with the largest l(x) / g(x): where good trials were dense and bad ones sparse. The first
``startup_trials`` trials are drawn at random.

Median pruning stops a trial after epoch t when its best validation MAE so far, min over s ≤ t of v_s,
is worse than the median of the completed trials' validation MAE at epoch t (once ``n_startup_trials``
trials have completed and from epoch ``n_warmup_steps`` on). Proposals, pruning and ``best`` all
look at the validation days only; a trial never scores the test days.

    spec = RunSpec(data=DataSpec(valid_days=45), model=ModelSpec(kind="relu"))
    best_trial, finished = search(spec, trials=20, round_size=4, seed=0)
    fit(apply(spec, best_trial["params"])).score_test()     # then look at the test days, once
"""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np
import pandas as pd

from .errors import InputError
from .run import fit
from .spec import BASELINES, FIELD_SECTION, RunSpec
from .training import Callback, DivergedError

SPACE = {
    "lr": {"type": "float", "low": 1e-4, "high": 3e-2, "log": True},
    "units": {"type": "int", "low": 8, "high": 256, "log": True},
    "layers": {"type": "int", "low": 1, "high": 4},
    "weight_decay": {"type": "float", "low": 1e-6, "high": 1e-1, "log": True},
    "dropout": {"type": "float", "low": 0.0, "high": 0.5},
    "batch_size": {"type": "categorical", "choices": [16, 32, 64, 128]},
}
PRUNER = {"n_startup_trials": 5, "n_warmup_steps": 5, "interval_steps": 1}
STATES = ("complete", "pruned", "diverged")


def _optuna():
    """The optuna module, or an InputError naming the extra that installs it."""
    try:
        import optuna
    except ImportError:
        raise InputError('hyperparameter search needs optuna: pip install "gradstep[search]"') from None
    return optuna


@contextlib.contextmanager
def _quiet(optuna):
    """Optuna's INFO lines (one per study created) silenced for the block, its verbosity restored after."""
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def _whole(name: str, value, low: int) -> int:
    """``value`` as an int of at least ``low``, or an InputError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"{name}={value!r:.60} must be a whole number from {low}")
    return int(value)


def distributions(space: dict) -> dict:
    """The optuna distribution of each parameter of ``space``: {"type": "float" or "int", "low", "high",
    "log"} or {"type": "categorical", "choices"}, keyed by a run spec field (lr, units, …)."""
    d = _optuna().distributions
    if not isinstance(space, dict) or not space:
        raise InputError(f"space={space!r:.60} must be a non-empty dict of parameters, like gradstep.search.SPACE")
    made = {}
    for name, entry in space.items():
        if name not in FIELD_SECTION:
            raise InputError(f"space has a parameter {name!r:.40} that is no run spec field; "
                             f"its fields are {', '.join(FIELD_SECTION)}")
        kind = entry.get("type") if isinstance(entry, dict) else None
        try:
            if kind == "float":
                made[name] = d.FloatDistribution(float(entry["low"]), float(entry["high"]), log=bool(entry.get("log")))
            elif kind == "int":
                made[name] = d.IntDistribution(int(entry["low"]), int(entry["high"]), log=bool(entry.get("log")))
            elif kind == "categorical":
                made[name] = d.CategoricalDistribution(list(entry["choices"]))
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(f"space[{name!r}]={entry!r:.80} is not a {kind} range: {str(error)[:120]}") from None
        if name not in made:
            raise InputError(f"space[{name!r}]={entry!r:.80} needs a type: 'float' or 'int' with low, high and "
                             "log, or 'categorical' with choices")
    return made


def _checked(finished) -> list[dict]:
    """The finished trial records sorted by number; refused when one is malformed or holds a test score."""
    if not isinstance(finished, (list, tuple)):
        raise InputError(f"finished must be a list of trial records, got {type(finished).__name__}")
    for record in finished:
        if not isinstance(record, dict) or isinstance(record.get("number"), bool) or \
                not isinstance(record.get("number"), int):
            raise InputError(f"finished holds {record!r:.60}, which is not a trial record with a number")
        tested = [str(key) for key in record if str(key).startswith("test")]
        if "test" in (record.get("scored") or ()):
            tested.append("scored=['test']")
        if tested:
            raise InputError(f"trial {record['number']} holds a test score ({', '.join(tested)}); a search chooses "
                             "on the validation days only, so its records must not carry test scores")
        if record.get("state") not in STATES:
            raise InputError(f"trial {record['number']} has state={record.get('state')!r:.40}; "
                             f"it must be one of {', '.join(STATES)}")
        mae = record.get("valid_mae")
        if record["state"] == "complete" and (isinstance(mae, bool) or not isinstance(mae, (int, float))
                                               or not math.isfinite(mae)):
            raise InputError(f"trial {record['number']} completed with valid_mae={mae!r:.40}, not a finite number")
    numbers = [record["number"] for record in finished]
    if len(set(numbers)) < len(numbers):
        raise InputError(f"finished holds trial number {max(numbers, key=numbers.count)} more than once")
    return sorted(finished, key=lambda record: record["number"])


def _frozen(optuna, record: dict, dists: dict):
    """A finished record as an optuna FrozenTrial: COMPLETE with its final validation MAE, or PRUNED with its
    curve (a diverged trial with an infinite MAE at the epoch it diverged, so TPE ranks it below the rest)."""
    complete = record["state"] == "complete"
    state = optuna.trial.TrialState.COMPLETE if complete else optuna.trial.TrialState.PRUNED
    try:
        curve = {epoch: float(value) for epoch, value in enumerate(record["valid_curve"], start=1)}
        if record["state"] == "diverged":
            curve[len(curve) + 1] = math.inf
        return optuna.trial.create_trial(state=state, value=record["valid_mae"] if complete else None,
                                         params=record["params"], distributions=dists, intermediate_values=curve)
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"trial {record['number']} does not fit the space: {str(error)[:160]}") from None


def _study(optuna, finished: list[dict], dists: dict, sampler=None, pruner=None):
    """A fresh in-memory study minimising the validation MAE, holding the finished trials in order of number."""
    with _quiet(optuna):
        study = optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner)
    study.add_trials([_frozen(optuna, record, dists) for record in _checked(finished)])
    return study


def propose(space: dict, finished: list[dict], n: int, seed: int = 0, round: int = 0,
            startup_trials: int = 10) -> list[dict]:
    """``n`` parameter sets for round ``round``: TPE, seeded from (seed, round), told the finished trials in
    order of number. The same arguments always give the same proposals."""
    optuna = _optuna()
    n = _whole("n", n, 1)
    state = np.random.SeedSequence([_whole("seed", seed, 0), _whole("round", round, 0)]).generate_state(1)[0]
    sampler = optuna.samplers.TPESampler(seed=int(state), n_startup_trials=_whole("startup_trials", startup_trials, 0))
    dists = distributions(space)
    study = _study(optuna, finished, dists, sampler=sampler)
    return [dict(study.ask(dists).params) for _ in range(n)]


def apply(spec: RunSpec, params: dict) -> RunSpec:
    """``spec`` with each parameter set on its field, whatever its section: lr and batch_size on ``train``,
    units, layers and dropout on ``model``, weight_decay on ``regularization``."""
    if not isinstance(spec, RunSpec):
        raise InputError(f"spec must be a RunSpec, got {type(spec).__name__}")
    if not isinstance(params, dict) or not all(isinstance(name, str) for name in params):
        raise InputError(f"params={params!r:.60} must be a dict of run spec fields, like {{'lr': 0.001}}")
    return spec.replace(**params)


def _check_spec(spec: RunSpec) -> RunSpec:
    """Refuse a spec a search cannot tune: no validation days, a baseline (not trained) or an ensemble."""
    if not isinstance(spec, RunSpec):
        raise InputError(f"spec must be a RunSpec, got {type(spec).__name__}")
    if spec.data.valid_days < 1:
        raise InputError("a search chooses on the validation days, and spec has none (valid_days=0); "
                         "give some, e.g. valid_days=45")
    if spec.model.kind in BASELINES:
        raise InputError(f"the {spec.model.kind} baseline is not trained, so it has no hyperparameters to search")
    if spec.model.ensemble > 1:
        raise InputError(f"a search tunes one model, and spec trains ensemble={spec.model.ensemble}; search with "
                         "ensemble=1, then train the best parameters as an ensemble")
    return spec


class Pruning(Callback):
    """Record the validation MAE (a window-scaled run's, in logs) after each epoch and stop training
    (``trainer.stop``, ``pruned_at``) when optuna's MedianPruner, asked with this trial's curve so far, finds it
    worse than the completed finished trials at the same epoch; never at the last epoch, when stopping saves
    nothing. With ``pruner=None`` it only records the curve.

        pruning = Pruning(params, finished, pruner={"n_startup_trials": 5, "n_warmup_steps": 5})
        fit(apply(spec, params), callbacks=[pruning]); pruning.pruned_at
    """

    def __init__(self, params: dict, finished: list[dict] = (), space: dict = SPACE, pruner: dict | None = PRUNER):
        self.optuna = optuna = _optuna()
        self.params, self.dists = params, distributions(space)
        self.study = None
        if pruner is not None:
            if not isinstance(pruner, dict):
                raise InputError(f"pruner={pruner!r:.60} must be a dict of MedianPruner settings, e.g. {PRUNER}")
            try:
                median = optuna.pruners.MedianPruner(**pruner)
            except (TypeError, ValueError) as error:
                raise InputError(f"pruner={pruner!r:.80} are not MedianPruner settings ({str(error)[:100]}); "
                                 f"give n_startup_trials, n_warmup_steps, interval_steps or n_min_trials") from None
            self.study = _study(optuna, finished, self.dists, pruner=median)
        self.curve, self.pruned_at = [], None
        self._running()

    def _running(self):
        """This trial, running, with its curve so far (epoch → validation MAE), as a FrozenTrial."""
        try:
            return self.optuna.trial.create_trial(
                state=self.optuna.trial.TrialState.RUNNING, params=self.params, distributions=self.dists,
                intermediate_values=dict(enumerate(self.curve, start=1)))
        except (TypeError, ValueError) as error:
            raise InputError(f"params={self.params!r:.80} do not fit the space: {str(error)[:120]}") from None

    def on_train_begin(self, trainer):
        self.curve, self.pruned_at = [], None

    def on_epoch_end(self, trainer, row):
        value = row.get("valid_mae", row.get("valid_log_mae"))  # a window-scaled run records its error in logs
        if value is None:
            raise InputError("pruning watches the validation MAE, and training records none; "
                             "give validation days, e.g. valid_days=45")
        self.curve.append(float(value))
        last = row["epoch"] >= trainer.epochs
        if self.study is not None and not last and self.study.pruner.prune(self.study, self._running()):
            trainer.stop = True
            self.pruned_at = row["epoch"]

    def state_dict(self):
        return {"curve": list(self.curve), "pruned_at": self.pruned_at}

    def load_state_dict(self, state):
        self.curve, self.pruned_at = [float(value) for value in state["curve"]], state["pruned_at"]


def run_trial(spec: dict | RunSpec, params: dict, number: int, finished: list[dict] = (), space: dict = SPACE,
              pruner: dict | None = PRUNER, series: pd.Series | None = None) -> dict:
    """Train ``spec`` (a ``RunSpec.to_dict()``) with ``params`` through ``fit``, pruned against ``finished``;
    its record in plain data: state (complete, pruned or diverged), the validation MAE per epoch
    (``valid_curve``, in the series' units; in logs for scale="window"), the final ``valid_mae`` and
    ``train_mae``, ``pruned_at``, ``epochs``, the ``scored`` parts and ``seconds``. It never scores the test
    days. ``series`` None reads the spec's page or CSV."""
    run_spec = _check_spec(apply(spec if isinstance(spec, RunSpec) else RunSpec.from_dict(spec), params))
    pruning = Pruning(params, finished, space, pruner)
    record = {"number": _whole("number", number, 0), "params": dict(params)}
    started = time.perf_counter()
    try:
        run = fit(run_spec, series, callbacks=[pruning])
    except DivergedError as error:
        return {**record, "state": "diverged", "valid_mae": None, "train_mae": None, "valid_curve": pruning.curve,
                "epochs": len(pruning.curve), "pruned_at": None, "scored": [], "error": str(error),
                "seconds": time.perf_counter() - started}
    return {**record, "state": "complete" if pruning.pruned_at is None else "pruned",
            "valid_mae": run.metrics["valid"]["mae"], "train_mae": run.metrics["train"]["mae"],
            "valid_curve": pruning.curve, "epochs": run.epochs_run, "pruned_at": pruning.pruned_at,
            "scored": list(run.scored), "error": None, "seconds": time.perf_counter() - started}


def run_job(job: dict) -> dict:
    """``run_trial(**job)``: one argument, for an executor's ``map`` (picklable, as it is module-level)."""
    return run_trial(**job)


def round_jobs(spec: RunSpec, proposals: list[dict], finished: list[dict], space: dict = SPACE,
               pruner: dict | None = PRUNER, series: pd.Series | None = None) -> list[dict]:
    """``run_trial``'s keyword arguments for each proposal, numbered after the finished trials; plain JSON
    data when ``series`` is None (each worker then reads the spec's page or CSV)."""
    first = max((record["number"] for record in _checked(finished)), default=-1) + 1
    jobs = [{"spec": spec.to_dict(), "params": params, "number": first + index, "finished": list(finished),
             "space": space, "pruner": pruner} for index, params in enumerate(proposals)]
    return [{**job, "series": series} for job in jobs] if series is not None else jobs


def search(spec: RunSpec, series: pd.Series | None = None, trials: int = 20, round_size: int = 4, seed: int = 0,
           map_fn=None, *, space: dict = SPACE, pruner: dict | None = PRUNER,
           startup_trials: int = 10) -> tuple[dict, list[dict]]:
    """Run ``trials`` trials in rounds of ``round_size``: propose, run the round's jobs with
    ``map_fn(run_job, jobs)`` (a loop by default, or an executor's map), add their records. Returns
    (best trial, all trial records in order of number).

        best_trial, finished = search(spec, trials=20, map_fn=ProcessPoolExecutor(2).map)
    """
    _check_spec(spec)
    trials, round_size = _whole("trials", trials, 1), _whole("round_size", round_size, 1)
    map_fn = map if map_fn is None else map_fn
    finished = []
    for index in range(-(-trials // round_size)):
        proposals = propose(space, finished, min(round_size, trials - len(finished)), seed, index, startup_trials)
        finished = _checked(finished + list(map_fn(run_job, round_jobs(spec, proposals, finished, space, pruner,
                                                                       series))))
    return best(finished), finished


def best(finished: list[dict]) -> dict:
    """The completed trial with the lowest final validation MAE (the earlier one on a tie); pruned and
    diverged trials never win, and records holding a test score are refused."""
    complete = [record for record in _checked(finished) if record["state"] == "complete"]
    if not complete:
        raise InputError("no trial completed (each was pruned or diverged), so none is best; run more trials "
                         "or prune later (a larger n_warmup_steps in pruner)")
    return min(complete, key=lambda record: (record["valid_mae"], record["number"]))
