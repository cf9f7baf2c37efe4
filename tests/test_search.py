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
from gradstep.spec import FIELD_SECTION, DataSpec, ModelSpec, RunSpec, TrainSpec

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
    assert set(diverged) == COMPLETE_KEYS and 0 <= diverged["seconds"] < 60
    assert (diverged["train_mae"], diverged["pruned_at"], diverged["scored"]) == (None, None, [])
    assert diverged["epochs"] == len(diverged["valid_curve"])
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


# ----- refused arguments: exact one-line messages naming the parameter --------------------------------------------

def test_without_optuna_the_message_is_one_exact_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(InputError) as raised:
        gsearch.propose(gsearch.SPACE, [], 1)
    assert str(raised.value) == 'hyperparameter search needs optuna: pip install "gradstep[search]"'


FIELDS = ", ".join(FIELD_SECTION)  # every run spec field, in its order
NOT_FLOAT = "could not convert string to float: '" + "x" * 200 + "'"


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "n=0 must be a whole number from 1"),
    ({"n": True}, "n=True must be a whole number from 1"),
    ({"n": 1.5}, "n=1.5 must be a whole number from 1"),
    ({"seed": -1}, "seed=-1 must be a whole number from 0"),
    ({"round": -1}, "round=-1 must be a whole number from 0"),
    ({"startup_trials": -1}, "startup_trials=-1 must be a whole number from 0"),
    ({"space": {}}, "space={} must be a non-empty dict of parameters, like gradstep.search.SPACE"),
    ({"space": [("lr", 1)]}, "space=[('lr', 1)] must be a non-empty dict of parameters, like gradstep.search.SPACE"),
    ({"space": {"speed": {}}}, f"space has a parameter 'speed' that is no run spec field; its fields are {FIELDS}"),
    ({"space": {"lr": 0.1}}, "space['lr']=0.1 needs a type: 'float' or 'int' with low, high and log, or 'categorical' "
                             "with choices"),
    ({"space": {"lr": {"type": "float", "low": "x" * 200, "high": 1}}},
     "space['lr']=" + repr({"type": "float", "low": "x" * 200, "high": 1})[:80] + " is not a float range: "
     + NOT_FLOAT[:120]),
    ({"finished": {}}, "finished must be a list of trial records, got dict"),
    ({"finished": [5]}, "finished holds 5, which is not a trial record with a number"),
    ({"finished": [{"number": "1"}]}, "finished holds {'number': '1'}, which is not a trial record with a number"),
    ({"finished": [{"number": True}]}, "finished holds {'number': True}, which is not a trial record with a number"),
    ({"finished": [record(1, [3.0], test_mae=1.0)]},
     "trial 1 holds a test score (test_mae); a search chooses on the validation days only, so its records must not "
     "carry test scores"),
    ({"finished": [record(1, [3.0], test=1.0, scored=["valid", "test"])]},
     "trial 1 holds a test score (test, scored=['test']); a search chooses on the validation days only, so its "
     "records must not carry test scores"),
    ({"finished": [record(0, [3.0], state="done")]},
     "trial 0 has state='done'; it must be one of complete, pruned, diverged"),
    ({"finished": [record(0, [3.0]) | {"valid_mae": None}]}, "trial 0 completed with valid_mae=None, not a finite number"),
    ({"finished": [record(0, [3.0]) | {"valid_mae": True}]}, "trial 0 completed with valid_mae=True, not a finite number"),
    ({"finished": [record(0, [3.0]) | {"valid_mae": math.nan}]},
     "trial 0 completed with valid_mae=nan, not a finite number"),
    ({"finished": [record(0, [3.0]) | {"valid_mae": math.inf}]},
     "trial 0 completed with valid_mae=inf, not a finite number"),
    ({"finished": [record(3, [1.0]), record(1, [1.0]), record(3, [2.0]), record(5, [1.0])]},
     "finished holds trial number 3 more than once"),
])
def test_propose_refuses_with_one_line_naming_the_parameter(kwargs, message):
    arguments = {"space": SMALL_SPACE, "finished": [], "n": 1} | kwargs
    with pytest.raises(InputError) as raised:
        gsearch.propose(**arguments)
    assert str(raised.value) == message


def test_propose_defaults_and_bounds():
    finished = scored_trials(1e-3, count=10)
    proposals = gsearch.propose(gsearch.SPACE, finished, 2)
    assert proposals == gsearch.propose(gsearch.SPACE, finished, 2, seed=0, round=0, startup_trials=10)
    assert gsearch.propose(gsearch.SPACE, finished, np.int64(2), startup_trials=0) == \
        gsearch.propose(gsearch.SPACE, finished, 2, startup_trials=0)  # numpy ints are whole numbers
    # before startup_trials trials the proposals are random draws, which the finished scores do not move
    low = gsearch.propose(gsearch.SPACE, scored_trials(2e-4), 3, startup_trials=30)
    assert low == gsearch.propose(gsearch.SPACE, scored_trials(2e-2), 3, startup_trials=30)
    assert low != gsearch.propose(gsearch.SPACE, scored_trials(2e-4), 3, startup_trials=20)


def test_an_int_range_keeps_its_log_scale():
    made = gsearch.distributions(SMALL_SPACE)
    assert made["units"].log is True and made["layers"].log is False and made["lr"].log is True
    assert (made["units"].low, made["units"].high) == (4, 16)


def test_pruning_tells_the_finished_trials_diverged_ones_with_an_infinite_last_epoch():
    finished = [record(0, [5.0, 4.0]), record(1, [3.0], state="diverged") | {"valid_mae": None},
                record(2, [2.0, 0.1], state="pruned")]
    pruning = gsearch.Pruning(PARAMS, finished, SMALL_SPACE, FAST)
    assert [(t.state.name, t.value, t.intermediate_values) for t in pruning.study.trials] == [
        ("COMPLETE", 4.0, {1: 5.0, 2: 4.0}), ("PRUNED", None, {1: 3.0, 2: math.inf}),
        ("PRUNED", None, {1: 2.0, 2: 0.1})]


def test_records_and_params_outside_the_space_are_refused_with_the_reason_cut_short():
    wide = SMALL_SPACE | {"batch_size": {"type": "categorical", "choices": list(range(16, 80))}}
    with pytest.raises(InputError) as raised:
        gsearch.Pruning(PARAMS, [record(2, [1.0], params=PARAMS | {"batch_size": 7})], wide, FAST)
    prefix = "trial 2 does not fit the space: '7' not in (16, 17, 18"
    assert str(raised.value).startswith(prefix) and len(str(raised.value)) == 32 + 160
    with pytest.raises(InputError) as raised:
        gsearch.Pruning(PARAMS | {"lr": 0.5}, [], SMALL_SPACE, FAST)
    prefix = "params={'lr': 0.5, 'units': 8, 'layers': 1, 'batch_size': 64} do not fit the space: "
    assert str(raised.value).startswith(prefix + "The value 0.5 of parameter 'lr'")
    assert len(str(raised.value)) == len(prefix) + 120


@pytest.mark.parametrize("pruner, message", [
    (3, "pruner=3 must be a dict of MedianPruner settings, e.g. {'n_startup_trials': 5, 'n_warmup_steps': 5, "
        "'interval_steps': 1}"),
    ({"x" * 120: 1}, "pruner=" + repr({"x" * 120: 1})[:80] + " are not MedianPruner settings ("
     + ("MedianPruner.__init__() got an unexpected keyword argument '" + "x" * 120)[:100]
     + "); give n_startup_trials, n_warmup_steps, interval_steps or n_min_trials"),
])
def test_pruning_refuses_settings_with_one_line(pruner, message):
    with pytest.raises(InputError) as raised:
        gsearch.Pruning(PARAMS, [], SMALL_SPACE, pruner)
    assert str(raised.value) == message


def test_pruning_needs_the_validation_mae_and_its_state_survives_a_checkpoint():
    pruning = gsearch.Pruning(PARAMS, FINISHED, SMALL_SPACE, FAST)
    trainer = SimpleNamespace(stop=False, epochs=10)
    with pytest.raises(InputError) as raised:
        pruning.on_epoch_end(trainer, {"epoch": 1, "train_mae": 3.0})
    assert str(raised.value) == ("pruning watches the validation MAE, and training records none; give validation "
                                 "days, e.g. valid_days=45")
    for epoch, value in enumerate([11.9, 11.8], start=1):
        pruning.on_epoch_end(trainer, {"epoch": epoch, "valid_mae": value})
    assert pruning.state_dict() == {"curve": [11.9, 11.8], "pruned_at": 2}
    resumed = gsearch.Pruning(PARAMS, FINISHED, SMALL_SPACE, FAST)
    resumed.load_state_dict(json.loads(json.dumps({"curve": [12, 11.8], "pruned_at": 2})))
    assert resumed.curve == [12.0, 11.8] and isinstance(resumed.curve[0], float) and resumed.pruned_at == 2
    assert resumed.state_dict() == {"curve": [12.0, 11.8], "pruned_at": 2}


@pytest.mark.parametrize("call, message", [
    (lambda: gsearch.apply(SPEC.to_dict(), PARAMS), "spec must be a RunSpec, got dict"),
    (lambda: gsearch.apply(SPEC, ["lr"]), "params=['lr'] must be a dict of run spec fields, like {'lr': 0.001}"),
    (lambda: gsearch.apply(SPEC, {1: 0.1}), "params={1: 0.1} must be a dict of run spec fields, like {'lr': 0.001}"),
    (lambda: gsearch.search(SPEC.to_dict(), trials=1), "spec must be a RunSpec, got dict"),
    (lambda: gsearch.search(SPEC.replace(valid_days=0), trials=1),
     "a search chooses on the validation days, and spec has none (valid_days=0); give some, e.g. valid_days=45"),
    (lambda: gsearch.search(SPEC.replace(kind="naive"), trials=1),
     "the naive baseline is not trained, so it has no hyperparameters to search"),
    (lambda: gsearch.search(SPEC.replace(ensemble=2), trials=1),
     "a search tunes one model, and spec trains ensemble=2; search with ensemble=1, then train the best parameters as "
     "an ensemble"),
    (lambda: gsearch.search(SPEC, trials=0), "trials=0 must be a whole number from 1"),
    (lambda: gsearch.search(SPEC, trials=1, round_size=0), "round_size=0 must be a whole number from 1"),
    (lambda: gsearch.run_trial(SPEC, PARAMS, -1, [], SMALL_SPACE, None), "number=-1 must be a whole number from 0"),
    (lambda: gsearch.best([record(0, [1.0], state="pruned")]),
     "no trial completed (each was pruned or diverged), so none is best; run more trials or prune later (a larger "
     "n_warmup_steps in pruner)"),
])
def test_search_refuses_with_one_line_naming_the_parameter(call, message):
    with pytest.raises(InputError) as raised:
        call()
    assert str(raised.value) == message


COMPLETE_KEYS = {"number", "params", "state", "valid_mae", "train_mae", "valid_curve", "epochs", "pruned_at", "scored",
                 "error", "seconds"}


def test_a_trial_takes_a_runspec_reads_the_series_given_and_one_validation_day_is_enough(views):
    trial = gsearch.run_trial(SPEC, PARAMS, 0, [], SMALL_SPACE, None, views)
    assert set(trial) == COMPLETE_KEYS and trial["error"] is None and 0 <= trial["seconds"] < 60
    assert trial["train_mae"] > 0 and trial["number"] == 0
    tenfold = gsearch.run_trial(SPEC, PARAMS, 0, [], SMALL_SPACE, None, views * 10)
    assert tenfold["valid_mae"] == pytest.approx(10 * trial["valid_mae"], rel=1e-3)  # the series given, not the page
    one = gsearch.run_trial(SPEC.replace(valid_days=1).to_dict(), PARAMS, 1, [], SMALL_SPACE, None, views)
    assert one["state"] == "complete" and len(one["valid_curve"]) == 5


def test_round_jobs_carry_the_series_only_when_given(views):
    plain = gsearch.round_jobs(SPEC, [PARAMS], [], SMALL_SPACE, FAST)
    assert "series" not in plain[0] and plain[0]["pruner"] == FAST and plain[0]["number"] == 0
    shipped = gsearch.round_jobs(SPEC, [PARAMS], [], SMALL_SPACE, FAST, views)
    assert shipped[0]["series"] is views and {**plain[0], "series": views} == shipped[0]


def fake_map(calls, scale=1.0):
    """A map_fn that runs no trial: it keeps each round's jobs and scores each by its lr, as a finished record."""
    def map_fn(function, jobs):
        jobs = list(jobs)
        calls.append(jobs)
        return [record(job["number"], [scale * abs(math.log10(job["params"]["lr"] / 1e-3)) + 1.0],
                       params=job["params"]) for job in jobs]
    return map_fn


def test_search_defaults_and_rounds_seeded_from_seed_and_round(views):
    calls = []
    best, finished = gsearch.search(SPEC, views, map_fn=fake_map(calls), space=SMALL_SPACE, pruner=FAST)
    assert [len(jobs) for jobs in calls] == [4, 4, 4, 4, 4] and [t["number"] for t in finished] == list(range(20))
    told = []
    for index, jobs in enumerate(calls):  # each round: propose(seed=0, round=index) told the trials before it
        assert [job["params"] for job in jobs] == gsearch.propose(SMALL_SPACE, told, 4, 0, index, 10)
        assert all(job["pruner"] == FAST and job["series"] is views and job["finished"] == told for job in jobs)
        told = finished[:len(told) + 4]
    assert best == gsearch.best(finished)
    calls = []
    gsearch.search(SPEC, trials=11, round_size=1, seed=2, map_fn=fake_map(calls), space=SMALL_SPACE)
    told = [record(job["number"], [abs(math.log10(job["params"]["lr"] / 1e-3)) + 1.0], params=job["params"])
            for jobs in calls[:-1] for job in jobs]
    assert [job["params"] for job in calls[-1]] == gsearch.propose(SMALL_SPACE, told, 1, 2, 10, 10)  # TPE from 10
    assert "series" not in calls[0][0]
    calls = []
    gsearch.search(SPEC, trials=3, round_size=1, map_fn=fake_map(calls), space=SMALL_SPACE, startup_trials=2)
    told = [record(job["number"], [abs(math.log10(job["params"]["lr"] / 1e-3)) + 1.0], params=job["params"])
            for jobs in calls[:-1] for job in jobs]
    assert [job["params"] for job in calls[-1]] == gsearch.propose(SMALL_SPACE, told, 1, 0, 2, 2)  # TPE from 2


def test_a_window_scaled_trial_is_pruned_on_its_validation_error_in_logs():
    """scale="window" records the validation error as log_mae; the trial still runs, curve in those units."""
    spec = SPEC.replace(scale="window")
    record = gsearch.run_trial(spec, PARAMS, 0, [], SMALL_SPACE, None)
    assert record["state"] == "complete" and len(record["valid_curve"]) == record["epochs"]
    assert all(0 < value < 5 for value in record["valid_curve"]) and record["valid_mae"] > 5
