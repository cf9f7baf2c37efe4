"""Hyperparameter search: proposals from finished trials, pruning on the epoch hook, trials as plain jobs, and
choices made on the validation days only."""

import json
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from types import SimpleNamespace

import numpy as np
import pytest

from gradstep import run as runs
from gradstep import search as gsearch
from gradstep.data import load_pageviews
from gradstep.errors import InputError
from gradstep.spec import DataSpec, ModelSpec, RunSpec, TrainSpec

SPEC = RunSpec(data=DataSpec(days=7, valid_days=30), model=ModelSpec(kind="relu", units=8),
               train=TrainSpec(epochs=5))
SMALL_SPACE = {"lr": gsearch.SPACE["lr"], "units": {"type": "int", "low": 4, "high": 16, "log": True},
               "layers": {"type": "int", "low": 1, "high": 2}, "batch_size": gsearch.SPACE["batch_size"]}
PARAMS = {"lr": 0.003, "units": 8, "layers": 1, "batch_size": 64}
FAST = {"n_startup_trials": 1, "n_warmup_steps": 0}


@pytest.fixture(scope="module")
def views():
    return load_pageviews("Standard_deviation")


def record(number, curve, state="complete", params=PARAMS, **extra):
    """A finished trial's record, made by hand."""
    return {"number": number, "params": dict(params), "state": state, "valid_curve": list(curve),
            "valid_mae": curve[-1], "train_mae": curve[-1], "epochs": len(curve),
            "pruned_at": len(curve) if state == "pruned" else None, "scored": ["train", "valid"], **extra}


def scored_trials(target_lr, count=20):
    """``count`` finished trials spread over SPACE, whose validation MAE grows with |log10 lr − log10 target_lr|."""
    proposals = gsearch.propose(gsearch.SPACE, [], count, seed=11, round=0)
    return [record(number, [abs(math.log10(params["lr"] / target_lr)) + 1.0], params=params)
            for number, params in enumerate(proposals)]


def without_seconds(records):
    return [{key: value for key, value in trial.items() if key != "seconds"} for trial in records]


def inside(space, params):
    """Whether every parameter of ``space`` is in ``params``, of its type and within its range."""
    for name, entry in space.items():
        value = params[name]
        if entry["type"] == "categorical":
            if value not in entry["choices"]:
                return False
        elif not (entry["low"] <= value <= entry["high"]) or (entry["type"] == "int") != isinstance(value, int):
            return False
    return set(params) == set(space)


def test_proposals_are_deterministic_inside_the_space_and_plain_json():
    finished = scored_trials(1e-3)
    proposals = gsearch.propose(gsearch.SPACE, finished, 6, seed=3, round=2)
    assert len(proposals) == 6 and all(inside(gsearch.SPACE, params) for params in proposals)
    assert json.loads(json.dumps(proposals)) == proposals
    assert gsearch.propose(gsearch.SPACE, finished, 6, seed=3, round=2) == proposals
    assert gsearch.propose(gsearch.SPACE, finished[::-1], 6, seed=3, round=2) == proposals  # told in order of number
    assert gsearch.propose(gsearch.SPACE, finished, 6, seed=3, round=3) != proposals
    assert gsearch.propose(gsearch.SPACE, finished, 6, seed=4, round=2) != proposals
    assert len({json.dumps(params, sort_keys=True) for params in proposals}) == 6


def test_tpe_proposes_where_the_good_trials_were():
    """The same parameters told with other scores move the proposals towards the new good region."""
    low = gsearch.propose(gsearch.SPACE, scored_trials(2e-4), 16, seed=0, round=1)
    high = gsearch.propose(gsearch.SPACE, scored_trials(2e-2), 16, seed=0, round=1)
    assert low != high
    assert np.median([params["lr"] for params in low]) < 1e-3 < np.median([params["lr"] for params in high])


def test_apply_sets_each_parameter_on_its_field():
    params = {"lr": 0.005, "units": 12, "layers": 3, "weight_decay": 0.01, "dropout": 0.2, "batch_size": 64}
    assert set(params) == set(gsearch.SPACE)
    spec = gsearch.apply(SPEC, params)
    assert (spec.train.lr, spec.model.units, spec.model.layers) == (0.005, 12, 3)
    assert (spec.regularization.weight_decay, spec.model.dropout, spec.train.batch_size) == (0.01, 0.2, 64)
    assert (spec.data, spec.train.epochs, spec.model.kind) == (SPEC.data, SPEC.train.epochs, SPEC.model.kind)
    with pytest.raises(InputError, match="no field momentum_x"):
        gsearch.apply(SPEC, {"momentum_x": 0.9})


def epochs_until_pruned(curve, finished, pruner, epochs=10):
    """Feed ``curve`` to a Pruning callback epoch by epoch; the epoch it stopped the trainer at, or None."""
    pruning = gsearch.Pruning(PARAMS, finished, SMALL_SPACE, pruner)
    trainer = SimpleNamespace(stop=False, epochs=epochs)
    pruning.on_train_begin(trainer)
    for epoch, value in enumerate(curve, start=1):
        pruning.on_epoch_end(trainer, {"epoch": epoch, "valid_mae": value})
        if trainer.stop:
            assert pruning.pruned_at == epoch and pruning.curve == list(curve[:epoch])
            return epoch
    assert pruning.pruned_at is None
    return None


FINISHED = [record(0, [10.0, 9.0, 8.0]), record(1, [12.0, 11.0, 10.0]), record(2, [14.0, 13.0, 12.0]),
            record(3, [0.1, 0.1], state="pruned")]


@pytest.mark.parametrize("curve, pruned_at", [
    ([20.0, 19.0, 18.0], 1),      # worse than the median (12, 11, 10) from the first epoch
    ([9.0, 8.0, 7.0], None),      # better at every epoch
    ([11.9, 11.8, 11.7], 2),      # better than 12 at epoch 1, worse than 11 at epoch 2: compared epoch by epoch
])
def test_pruning_stops_a_curve_worse_than_the_median_of_completed_trials_at_the_same_epoch(curve, pruned_at):
    """The pruned trial's 0.1s are not completed trials: counted, they would lower the median to 11 at epoch 1."""
    assert epochs_until_pruned(curve, FINISHED, FAST) == pruned_at


def test_pruning_waits_for_its_settings_and_never_stops_the_last_epoch():
    bad = [20.0, 19.0, 18.0]
    assert epochs_until_pruned(bad, FINISHED, {"n_startup_trials": 4, "n_warmup_steps": 0}) is None
    assert epochs_until_pruned(bad, FINISHED, {"n_startup_trials": 1, "n_warmup_steps": 2}) == 2
    assert epochs_until_pruned(bad, FINISHED, None) is None
    assert epochs_until_pruned([11.9, 11.8], FINISHED, FAST, epochs=2) is None


def test_a_pruned_trial_records_its_epoch_and_runs_fewer_epochs(views):
    finished = [record(0, [1.0] * 5), record(1, [1.0] * 5)]
    pruned = gsearch.run_trial(SPEC.to_dict(), PARAMS, 2, finished, SMALL_SPACE, FAST | {"n_warmup_steps": 2}, views)
    assert (pruned["state"], pruned["pruned_at"], pruned["epochs"], len(pruned["valid_curve"])) == ("pruned", 2, 2, 2)
    finished = [record(0, [1e9] * 5), record(1, [1e9] * 5)]
    kept = gsearch.run_trial(SPEC.to_dict(), PARAMS, 2, finished, SMALL_SPACE, FAST, views)
    assert (kept["state"], kept["pruned_at"], kept["epochs"], len(kept["valid_curve"])) == ("complete", None, 5, 5)
    assert kept["valid_curve"][:2] == pruned["valid_curve"]
    assert kept["valid_curve"][-1] == pytest.approx(kept["valid_mae"], rel=1e-3)  # in views, as the run's MAE
    assert kept["valid_curve"][-1] > 100


def test_a_trial_never_scores_the_test_days(views, monkeypatch):
    def refuse(self):
        raise AssertionError("a trial scored the test days")

    monkeypatch.setattr(runs.Run, "score_test", refuse)
    trial = gsearch.run_trial(SPEC.to_dict(), PARAMS, 0, [], SMALL_SPACE, gsearch.PRUNER, views)
    assert trial["scored"] == ["train", "valid"]
    assert not [key for key in trial if key.startswith("test")]
    assert json.loads(json.dumps(trial)) == trial


def test_a_diverged_trial_is_recorded_and_told_as_worse_than_the_rest(views):
    space = SMALL_SPACE | {"lr": {"type": "float", "low": 1e-4, "high": 1e9, "log": True}}
    diverged = gsearch.run_trial(SPEC.to_dict(), PARAMS | {"lr": 1e8}, 1, [], space, None, views)
    assert diverged["state"] == "diverged" and "diverged" in diverged["error"] and diverged["valid_mae"] is None
    finished = [record(0, [5.0]), diverged]
    assert gsearch.best(finished)["number"] == 0
    assert len(gsearch.propose(space, finished, 2, seed=0, round=1)) == 2


def test_best_is_the_lowest_completed_validation_mae():
    finished = [record(0, [5.0]), record(1, [3.0]), record(2, [1.0], state="pruned"), record(3, [4.0])]
    assert gsearch.best(finished)["number"] == 1
    assert gsearch.best([record(1, [3.0]), record(0, [3.0])])["number"] == 0
    with pytest.raises(InputError, match="no trial completed"):
        gsearch.best([record(0, [1.0], state="pruned")])


@pytest.mark.parametrize("extra", [{"test": {"mae": 1.0}}, {"test_mae": 1.0}, {"scored": ["train", "valid", "test"]}])
def test_best_refuses_records_holding_test_scores(extra):
    with pytest.raises(InputError, match=r"trial 1 holds a test score .*validation days only"):
        gsearch.best([record(0, [5.0]), record(1, [3.0], **extra)])


def test_search_is_the_same_whatever_order_the_jobs_run_in(views):
    def backwards(function, jobs):
        return [function(job) for job in reversed(list(jobs))]

    settings = dict(trials=5, round_size=2, seed=1, space=SMALL_SPACE, pruner=FAST, startup_trials=2)
    best, finished = gsearch.search(SPEC, views, **settings)
    again, finished_backwards = gsearch.search(SPEC, views, map_fn=backwards, **settings)
    assert [trial["number"] for trial in finished] == [0, 1, 2, 3, 4]
    assert without_seconds(finished) == without_seconds(finished_backwards)
    assert best["number"] == again["number"] == gsearch.best(finished)["number"]
    assert best["state"] == "complete"


def test_worker_processes_give_the_same_trials_as_a_loop():
    """Two spawned workers, each job pickled to them, give the same records as the plain loop."""
    settings = dict(trials=4, round_size=2, seed=2, space=SMALL_SPACE, pruner=FAST, startup_trials=2)
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        _, pooled = gsearch.search(SPEC, map_fn=pool.map, **settings)
    _, looped = gsearch.search(SPEC, **settings)
    assert without_seconds(pooled) == without_seconds(looped)


def test_round_jobs_are_plain_json_a_worker_runs_alone():
    """Without a series a job is JSON, and the worker reads the spec's page itself."""
    finished = [record(0, [1e9] * 5), record(3, [1e9] * 5)]
    jobs = gsearch.round_jobs(SPEC, [PARAMS, PARAMS | {"lr": 0.01}], finished, SMALL_SPACE, FAST)
    assert [job["number"] for job in jobs] == [4, 5]
    shipped = json.loads(json.dumps(jobs[1]))
    assert without_seconds([gsearch.run_job(shipped)]) == without_seconds([gsearch.run_trial(**jobs[1])])


@pytest.mark.parametrize("spec, message", [
    (SPEC.replace(valid_days=0), "valid_days=45"),
    (SPEC.replace(ensemble=3), "ensemble=1"),
    (SPEC.replace(kind="naive"), "not trained"),
])
def test_search_refuses_specs_it_cannot_tune(spec, message):
    with pytest.raises(InputError, match=message):
        gsearch.search(spec, trials=1)


def test_bad_spaces_and_pruner_settings_name_the_parameter():
    with pytest.raises(InputError, match="space has a parameter 'speed'"):
        gsearch.propose({"speed": {"type": "float", "low": 0, "high": 1}}, [], 1)
    with pytest.raises(InputError, match=r"space\['lr'\].*needs a type"):
        gsearch.propose({"lr": {"low": 0.1, "high": 1}}, [], 1)
    with pytest.raises(InputError, match="pruner=.*MedianPruner settings"):
        gsearch.Pruning(PARAMS, [], SMALL_SPACE, {"patience": 3})
    with pytest.raises(InputError, match="params=.*do not fit the space"):
        gsearch.Pruning({"lr": 0.5}, [], SMALL_SPACE, FAST)


@pytest.mark.parametrize("call", [
    lambda: gsearch.propose(gsearch.SPACE, [], 1),
    lambda: gsearch.Pruning(PARAMS, [], SMALL_SPACE),
    lambda: gsearch.search(SPEC, trials=1),
])
def test_without_optuna_the_error_names_the_pip_command(call, monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(InputError, match=r'pip install "gradstep\[search\]"'):
        call()
