"""Blends: the mean of models of different specs, fitted, backtested, chosen, saved and loaded through the run path."""

import json

import numpy as np
import pandas as pd
import pytest

from gradstep import backtest as bt, run as runs
from gradstep.cli import main
from gradstep.data import Standardizer
from gradstep.errors import InputError
from gradstep.forecast import Forecaster
from gradstep.modeldir import ModelDirectory
from gradstep.spec import BlendSpec, DataSpec, ModelSpec, RunSpec, TrainSpec, spec_from_dict
from gradstep.training import Callback

LINEAR = RunSpec(data=DataSpec(days=14), train=TrainSpec(epochs=5))
RELU = RunSpec(data=DataSpec(days=28, valid_days=28), model=ModelSpec(kind="relu", units=8, layers=2),
               train=TrainSpec(epochs=8, patience=2, seed=4))
NAIVE = RunSpec(data=DataSpec(days=7), model=ModelSpec(kind="naive", dtype="float64"))
BLEND = BlendSpec((("linear", LINEAR), ("relu", RELU), ("naive", NAIVE)))


@pytest.fixture(scope="module")
def series():
    return runs.load_series(DataSpec()).loc["2019-01-01":"2021-03-31"]


@pytest.fixture(scope="module")
def blend(series):
    return runs.fit(BLEND, series)


def test_a_blend_spec_reads_the_most_days_of_its_members_and_round_trips_through_json():
    assert BLEND.data == DataSpec(days=28) and BLEND.names == ("linear", "relu", "naive")
    assert BLEND.describe() == "mean of 3 models: linear, relu, naive"
    assert spec_from_dict(json.loads(json.dumps(BLEND.to_dict()))) == BLEND
    assert spec_from_dict(LINEAR.to_dict()) == LINEAR
    moved = BLEND.replace(page="Easter", test=("2021-01-01", "2021-01-31"))
    assert all(spec.data.page == "Easter" and spec.data.test == ("2021-01-01", "2021-01-31") for spec in moved.specs)
    assert [spec.data.days for spec in moved.specs] == [14, 28, 7]


@pytest.mark.parametrize("members, message", [
    ((("linear", LINEAR),), "members must be 2 to 13 (name, RunSpec) pairs"),
    ((("linear", LINEAR), ("linear", RELU)), "the members' names must differ, got 'linear, linear'"),
    ((("linear", LINEAR), ("relu", RELU.replace(page="Easter"))),
     "the members of a blend read the same series on the same dates, and 'relu' has another page; give every "
     "member the same"),
    ((("linear", LINEAR), ("relu", RELU.replace(train=("2019-01-01", "2020-06-30")))), "'relu' has another train"),
    ((("linear", LINEAR), ("relu", RELU.to_dict())), "members must be 2 to 13 (name, RunSpec) pairs"),
    ((("", LINEAR), ("relu", RELU)), "each name 1 to 200 characters"),
    (tuple((f"m{i}", LINEAR) for i in range(14)), "members must be 2 to 13"),
])
def test_a_blend_spec_refuses_what_is_not_a_blend(members, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BlendSpec(members)


def test_a_blend_spec_takes_its_bounds_and_keeps_its_members_as_tuples():
    """The edges of the checks: 13 members, names of 1 and 200 characters; a list becomes a tuple of pairs."""
    many = BlendSpec(tuple((f"m{i}", LINEAR) for i in range(13)))
    assert len(many.members) == 13 and spec_from_dict(many.to_dict()) == many
    assert BlendSpec([["a", LINEAR], ["b" * 200, RELU]]).members == (("a", LINEAR), ("b" * 200, RELU))
    with pytest.raises(InputError, match=r"each name 1 to 200 characters, got \(\('a', RunSpec\("):
        BlendSpec((("a", LINEAR), ("b" * 201, RELU)))
    with pytest.raises(InputError, match=r"'relu' has another page, test; give every member the same$"):
        BlendSpec((("linear", LINEAR), ("relu", RELU.replace(page="Easter", test=("2021-01-01", "2021-01-31")))))


def test_a_blend_changes_only_the_series_and_dates_of_its_members():
    with pytest.raises(InputError, match=r"^a blend's members keep their own days, lr; only page, csv, "):
        BLEND.replace(lr=0.1, days=3)
    with pytest.raises(InputError, match=r"^a blend spec is \{"):
        spec_from_dict({"blend": [{"name": "a"}]})


def test_a_blend_predicts_the_mean_of_its_members_each_reading_its_own_newest_days(series, blend):
    alone = [runs.fit(spec, series) for spec in BLEND.specs]
    X = blend.split_.test.X
    assert X.shape[1] == 28
    expected = np.mean([run.predict(X[:, :run.spec.data.days]) for run in alone], axis=0)
    assert np.array_equal(blend.predict(X), expected)
    assert not np.allclose(alone[0].predict(X[:, :14]), expected)  # the members differ: the mean is no one of them
    assert blend.ranges["train"][0] == "2019-01-29" and blend.ranges["valid"] is None  # the first 28-day window
    assert blend.scored == ["train"] and blend.metrics["train"] == runs.errors(blend.predict(blend.split_.train.X),
                                                                                blend.split_.train.y)
    assert list(blend.history["model"].unique()) == ["linear", "relu"]  # the naive is not trained
    assert len(blend.history) == alone[0].epochs_run + alone[1].epochs_run
    assert list(blend.history.index) == list(range(len(blend.history)))
    assert blend.standardizer_ == Standardizer.fit(blend.split_.train) and blend.data_sha256 == runs.data_hash(series)
    assert set(blend.baselines["train"]) == {"naive", "seasonal_naive"} and blend.mase_scale > 0


def test_a_blend_resumed_from_any_checkpoint_is_the_uninterrupted_one(tmp_path, series, blend):
    """Through the checkpoint files, from states inside each trained member: the same weights."""
    target = ModelDirectory(tmp_path / "m").__enter__()
    states = []

    def save(state):
        target.save_checkpoint({}, state)
        states.append(target.load_checkpoint()[1])
    epochs = Epochs()
    runs.fit(BLEND, series, checkpoint=save, checkpoint_every=0, callbacks=[epochs])
    assert {state["blend"] for state in states} == {0, 1}  # inside the linear model, then inside the relu
    assert epochs.count == len(blend.history) == len(states)  # each epoch of each member, checkpointed after it
    for done, state in [(3, states[2]), (len(states) - 1, states[-2]), (len(states), blend.state_)]:
        epochs = Epochs()
        again = runs.fit(BLEND, series, state=state, callbacks=[epochs])
        assert epochs.count == len(blend.history) - done  # only what was left is trained
        for key, value in blend.model.state_dict().items():
            assert np.array_equal(again.model.state_dict()[key], value), key
    target.close()
    for state in [{"member": 0, "done": [], "trainer": None}, {**blend.state_, "blend": 4},
                  {**blend.state_, "blend": True},
                  {"blend": 4, "done": [*blend.state_["done"], blend.state_["done"][0]], "member": None},
                  {"blend": 1, "done": ["x"], "member": None}, {"blend": 0, "done": [], "member": "x"}, {}]:
        with pytest.raises(InputError, match=r"^the saved training state does not fit this training \(it is not the "
                                             r"state of a blend of 3 models\); start the training again$"):
            runs.fit(BLEND, series, state=state)
    with pytest.raises(InputError, match=r"^the saved training state does not fit this training \(it is not the "
                                         r"state of a training of 1 model\); start the training again$"):
        runs.fit(LINEAR, series, state={"blend": 0, "done": [], "member": None})
    broken = {"member": 1, "done": [{"model": {}, "history": {"rows": 3}}], "trainer": None}
    with pytest.raises(InputError, match=r"^the saved training state does not fit this training \(cannot load .*\); "
                                         r"start the training again$"):
        runs.fit(BLEND, series, state={"blend": 1, "done": [broken], "member": None})
    with pytest.raises(InputError, match=r"^the saved training state does not fit this training \('int' object "):
        first = blend.state_["done"][0]["done"][0]
        runs.fit(LINEAR, series, state={**broken, "done": [{**first, "history": {"rows": 3}}]})
    with pytest.raises(InputError, match=r"\(it is not the state of a training of 3 models\)"):
        runs.fit(LINEAR.replace(ensemble=3), series, state={**broken, "member": 4})
    linear = blend.members[0]
    epochs = Epochs()
    again = runs.fit(LINEAR, series, state=linear.state_, callbacks=[epochs])  # a finished run: nothing to train
    assert epochs.count == 0 and linear.state_["member"] == 1
    assert all(np.array_equal(again.model.state_dict()[key], value) for key, value in linear.model.state_dict().items())


class Epochs(Callback):
    """Counts the epochs trained."""

    def __init__(self):
        self.count = 0

    def on_epoch_end(self, trainer, row):
        self.count += 1


def test_a_blend_saved_and_loaded_predicts_the_same(tmp_path, blend):
    forecaster = Forecaster(BLEND)
    forecaster.run = blend
    forecaster.save(tmp_path / "m")
    loaded, meta = Forecaster.load(tmp_path / "m")
    X = blend.split_.test.X
    assert loaded.spec == BLEND and np.array_equal(loaded.predict(X), blend.predict(X))
    assert len(meta["member_standardizers"]) == 3 and sorted(np.load(tmp_path / "m" / "model.npz")) == sorted(
        runs.shapes(BLEND))
    assert all(key.split(".")[0] in "012" for key in runs.shapes(BLEND))


def test_a_saved_blend_records_how_each_member_trained_and_reads_it_back(tmp_path, blend):
    forecaster = Forecaster(BLEND)
    forecaster.run = blend
    forecaster.save(tmp_path / "m")
    loaded, meta = Forecaster.load(tmp_path / "m")
    fields = ("epochs_run", "updates_per_epoch", "stopped_early_at", "best_epoch")
    trained = [{key: getattr(member, key) for key in fields} for member in blend.members]
    assert trained == [{"epochs_run": 5, "updates_per_epoch": 24, "stopped_early_at": None, "best_epoch": None},
                       {"epochs_run": 8, "updates_per_epoch": 23, "stopped_early_at": None, "best_epoch": 8},
                       {"epochs_run": 0, "updates_per_epoch": 0, "stopped_early_at": None, "best_epoch": None}]
    assert meta["member_training"] == trained
    assert [{key: getattr(member, key) for key in fields} for member in loaded.run.members] == trained
    assert {key: meta[key] for key in fields} == {"epochs_run": trained[1]["epochs_run"], "updates_per_epoch": None,
                                                  "stopped_early_at": None, "best_epoch": None}
    assert loaded.run.updates_per_epoch is None and loaded.run.epochs_run == blend.epochs_run


def test_a_member_s_training_record_takes_the_edges_of_its_ranges(tmp_path, blend):
    forecaster = Forecaster(BLEND)
    forecaster.run = blend
    forecaster.save(tmp_path / "m")
    path = tmp_path / "m" / "model.json"
    meta = json.loads(path.read_text())
    meta["member_training"][1].update(updates_per_epoch=10**8, stopped_early_at=1, best_epoch=1)
    path.write_text(json.dumps(meta))
    loaded, _ = Forecaster.load(tmp_path / "m")
    assert (loaded.run.members[1].updates_per_epoch, loaded.run.members[1].stopped_early_at) == (10**8, 1)


def tampered(tmp_path, blend, change) -> str:
    forecaster = Forecaster(BLEND)
    forecaster.run = blend
    forecaster.save(tmp_path / "m")
    path = tmp_path / "m" / "model.json"
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))
    with pytest.raises(InputError) as error:
        Forecaster.load(tmp_path / "m")
    return str(error.value)


@pytest.mark.parametrize("change, words", [
    (lambda meta: meta.pop("member_standardizers"), "it has no 'member_standardizers'"),
    (lambda meta: meta["member_standardizers"].pop(), "member_standardizers must list one standardizer per member (3)"),
    (lambda meta: meta["member_standardizers"][1].update(std=float("1e400")), "standardizer must hold mean and std"),
    (lambda meta: meta.pop("member_training"), "it has no 'member_training'"),
    (lambda meta: meta["member_training"].pop(), "member_training must list one training record per member (3)"),
    (lambda meta: meta["member_training"].__setitem__(0, [5]), "a training record must be an object"),
    (lambda meta: meta["member_training"][1].pop("best_epoch"), "it has no 'best_epoch'"),
    (lambda meta: meta["member_training"][1].update(best_epoch=9), "best_epoch must be a whole number from 1 to 8"),
    (lambda meta: meta["member_training"][0].update(epochs_run=6), "epochs_run must be a whole number from 0 to 5"),
    (lambda meta: meta["member_training"][0].update(updates_per_epoch=None), "updates_per_epoch must be a whole"),
    (lambda meta: meta.update(updates_per_epoch=-1), "updates_per_epoch must be a whole number from 0"),
    (lambda meta: meta["member_training"][0].update(updates_per_epoch=10**8 + 1),
     "updates_per_epoch must be a whole number from 0 to 100000000"),
    (lambda meta: meta["member_training"][1].update(stopped_early_at=0),
     "stopped_early_at must be a whole number from 1 to 8"),
    (lambda meta: meta["member_training"][1].update(stopped_early_at=9),
     "stopped_early_at must be a whole number from 1 to 8"),
    (lambda meta: (meta["spec"]["blend"].pop(), meta["member_standardizers"].pop(), meta["member_training"].pop()),
     "extra ['2.0.bias', '2.0.weight']"),
    (lambda meta: meta["spec"]["blend"][0]["spec"]["data"].update(days=15), "'0.0.weight'"),
    (lambda meta: meta["spec"].update(blend=[meta["spec"]["blend"][0]]), "members must be 2 to 13"),
])
def test_a_tampered_blend_is_refused_with_one_line(tmp_path, blend, change, words):
    message = tampered(tmp_path, blend, change)
    assert words in message and "\n" not in message


def test_a_member_beyond_its_dtype_is_refused(tmp_path, blend):
    forecaster = Forecaster(BLEND.replace())
    forecaster.run = blend
    forecaster.save(tmp_path / "m")
    arrays = dict(np.load(tmp_path / "m" / "model.npz"))
    arrays["1.0.weight"] = np.full_like(arrays["1.0.weight"], 1e300, dtype=np.float64)
    np.savez(tmp_path / "m" / "model.npz", **arrays)
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    meta["npz_sha256"] = None
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match=r"model\.npz: '1\.0\.weight' holds values beyond float32's range "
                                         r"\(±3\.4e\+38\), which the model cannot hold; train the model again$"):
        Forecaster.load(tmp_path / "m")


def test_each_member_is_held_to_its_own_dtype(tmp_path, series):
    """A float64 member may hold what a float32 one may not: the check reads each member's own arrays."""
    wide = LINEAR.replace(dtype="float64")
    forecaster = Forecaster(BlendSpec((("float32", LINEAR), ("float64", wide)))).fit(series)
    forecaster.save(tmp_path / "m")
    arrays = dict(np.load(tmp_path / "m" / "model.npz"))
    arrays["1.0.weight"] = np.full_like(arrays["1.0.weight"], 1e300)
    np.savez(tmp_path / "m" / "model.npz", **arrays)
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    (tmp_path / "m" / "model.json").write_text(json.dumps({**meta, "npz_sha256": None}))
    loaded, _ = Forecaster.load(tmp_path / "m")
    assert loaded.run.members[1].model.state_dict()["0.weight"].max() == 1e300


def test_combine_gives_the_backtest_of_the_blend_without_training_again(series):
    done = {name: bt.backtest(spec, series, n_folds=2, horizon=5) for name, spec in BLEND.members}
    combined = bt.combine(BLEND, list(done.values()))
    for index, fold in enumerate(bt.folds(NAIVE, series, 2, season=True)):  # each member on its own first days
        assert combined.table["train"][index] == fold["train"] and combined.table["test"][index] == fold["test"]
        end = pd.Timestamp(fold["test"][1])
        alone = [runs.fit(spec.replace(train=bt.folds(spec, series, 2, season=True)[index]["train"],
                                       test=fold["test"]), series.loc[:end]) for spec in BLEND.specs]
        test = alone[1].split_.test
        mean = np.mean([run.predict(test.X[:, :run.spec.data.days]) for run in alone], axis=0)
        assert combined.table["mae"][index] == pytest.approx(np.abs(mean - test.y).mean(), rel=1e-12)
    direct = bt.backtest(BLEND, series, n_folds=2, horizon=5)
    assert direct.table.equals(combined.table)
    assert all(np.array_equal(a, b) for a, b in zip(combined.scores, direct.scores))
    assert direct.spec == BLEND and combined.spec == BLEND
    assert len(bt.backtest(BLEND, series, n_folds=2, horizon=5, season=False).table) == 2  # no year before: not asked
    assert len(combined.scores) == 5 and combined.seconds == sum(result.seconds for result in done.values())
    assert combined.mae < max(result.mae for result in done.values())
    other = bt.backtest(RELU, series, n_folds=3, horizon=5, season=False)  # as many folds, other days
    assert len(other.paths) == len(done["relu"].paths)
    for members in ([other, done["relu"], done["naive"]], [done["linear"], other, done["naive"]],
                    [done["linear"], bt.backtest(RELU, series, n_folds=1, horizon=5), done["naive"]]):
        with pytest.raises(InputError, match=r"^the backtests to combine must be on the same folds; backtest the "
                                             r"members with the same folds and season$"):
            bt.combine(BLEND, members)


def test_origin_paths_are_the_horizon_wide_and_empty_without_history(series, blend):
    member = blend.members[0]
    paths, truth, level = bt.origin_paths(member, series, pd.Timestamp("2021-03-30"), pd.Timestamp("2021-03-31"), 4)
    assert paths.shape == truth.shape == (2, 4) and level.shape == (2,)
    assert np.isnan(truth[1, 1:]).all() and truth[0, 1] == series["2021-03-31"]
    empty = bt.origin_paths(member, series, pd.Timestamp("2019-01-02"), pd.Timestamp("2019-01-05"), 4)
    assert [part.shape for part in empty] == [(0, 4), (0, 4), (0,)]


def test_a_blend_scores_the_mean_of_its_members_forecasts_at_every_step(series):
    done = [bt.backtest(spec, series, n_folds=1, horizon=3, season=False) for spec in BLEND.specs]
    combined = bt.combine(BLEND, done)
    paths = np.mean([result.paths[0][0] for result in done], axis=0)
    truth, level = done[0].paths[0][1], done[0].paths[0][2]
    assert np.array_equal(combined.paths[0][0], paths)
    for step in range(3):
        known = ~np.isnan(truth[:, step])
        assert known.sum() == 28 - step
        assert np.array_equal(combined.scores[step], np.abs(truth[known, step] - paths[known, step]) / level[known])


def test_a_blend_backtests_on_the_folds_its_most_demanding_member_has_room_for(series):
    year = RELU.replace(days=371)
    assert bt.max_folds(BlendSpec((("linear", LINEAR), ("year", year))), series) == bt.max_folds(year, series)
    assert bt.max_folds(year, series) < bt.max_folds(LINEAR, series)
    # the most demanding reads fewer days (an earlier first day) but needs more before its first fold
    late, demanding = LINEAR.replace(days=56), LINEAR.replace(days=14, valid_days=300)
    assert bt.max_folds(demanding, series) < bt.max_folds(late, series)
    both = BlendSpec((("late", late), ("demanding", demanding)))
    assert bt.max_folds(both, series) == bt.max_folds(demanding, series)
    # and not the one that needs the most days after its own first day
    wide, validated = LINEAR.replace(days=100), LINEAR.replace(days=14, valid_days=200)
    assert bt.max_folds(wide, series) < bt.max_folds(validated, series)
    assert bt.max_folds(BlendSpec((("validated", validated), ("wide", wide))), series) == bt.max_folds(wide, series)


def test_the_year_before_is_decided_on_the_folds_asked_for(series, monkeypatch):
    """13 folds of 14 days leave room for the year before, 13 of 28 do not: a blend's backtest and the seed
    ensemble's decide it on the fold days they are given."""
    assert bt.same_season(BLEND.specs, series, 13, 14) and not bt.same_season(BLEND.specs, series, 13, 28)
    original, seasons = bt.backtest, []

    def spy(spec, series, n_folds, fold_days, horizon, season=True):
        if isinstance(spec, BlendSpec):
            return original(spec, series, n_folds, fold_days, horizon, season)
        seasons.append(season)
        truth = np.ones((1, horizon))
        table = pd.DataFrame({"train": [("a", "b")], "test": [("c", "d")], "mae": [1.0]})
        return bt.Backtest(spec, table, [np.zeros(1)] * horizon, 0.0, [(truth, truth, np.ones(1))])
    monkeypatch.setattr(bt, "backtest", spy)
    bt.backtest(BLEND, series, 13, 14, 1)
    bt.choose({"linear": LINEAR}, series, 13, 14, 1, blend=1)
    assert seasons == [True] * 5  # the 3 members, the candidate and its seed ensemble


def test_a_blend_passes_its_options_to_each_member(series, monkeypatch):
    original, passed = runs.fit, []

    def spy(spec, series, **options):
        if isinstance(spec, RunSpec):
            passed.append(options["progress"])
        return original(spec, series, **options)
    monkeypatch.setattr(runs, "fit", spy)
    runs.fit(BlendSpec((("linear", LINEAR.replace(epochs=1)), ("naive", NAIVE))), series, progress=True)
    assert passed == [True, True]
    with pytest.raises(InputError, match=r"^split= applies to one RunSpec; a blend's members each split the series "
                                         r"by its dates$"):
        original(BLEND, series, split=runs.split(LINEAR, series))


def fake_paths(maes: dict, monkeypatch):
    """backtest() replaced by one whose forecasts are all off by each model's given error, on one fold of 2 days."""
    def backtest(spec, series, *args, **kwargs):
        mae = maes[spec.describe()]
        truth = np.array([[10.0, 11.0], [11.0, np.nan]])
        table = pd.DataFrame({"train": [("a", "b")], "test": [("c", "d")], "mae": [abs(mae)]})
        return bt.Backtest(spec, table, [np.zeros(2), np.zeros(1)], 0.5, [(truth + mae, truth, np.ones(2))])
    monkeypatch.setattr(bt, "backtest", backtest)


def test_choose_blends_the_best_whatever_the_blend_backtests(monkeypatch):
    candidates = {name: spec for name, spec in bt.candidates(RunSpec()).items() if name in (
        "naive", "linear 7 days", "linear 14 days", "linear 28 days", "linear 56 days")}
    fake_paths({spec.describe(): mae for spec, mae in zip(candidates.values(), (5.0, 1.0, -2.0, 3.0, 4.0))},
               monkeypatch)
    name, chosen, table = bt.choose(candidates, pd.Series(dtype=float), blend=3)
    assert name == "mean of the 3 best" and chosen.spec.names == ("linear 7 days", "linear 14 days", "linear 28 days")
    assert chosen.mae == pytest.approx(2 / 3)  # (1 − 2 + 3)/3 off on every day
    assert list(table["candidate"])[:2] == ["mean of the 3 best", "linear 7 days"] and len(table) == 6
    assert table.iloc[0]["model"] == chosen.spec.describe() and table.iloc[0]["seconds"] == 1.5
    # at most the better half: of 5, 3 (the naive, worst here, is never averaged in)
    assert bt.choose(candidates, pd.Series(dtype=float), blend=13)[1].spec.names == chosen.spec.names
    six = {**candidates, "linear a year": bt.candidates(RunSpec())["linear a year"]}
    fake_paths({**{spec.describe(): mae for spec, mae in zip(candidates.values(), (5.0, 1.0, -2.0, 3.0, 4.0))},
                "linear, 43 of 371 days (1–28, 357–371)": 6.0}, monkeypatch)
    assert len(bt.choose(six, pd.Series(dtype=float), blend=13)[1].spec.members) == 3  # of 6, 3
    told = []
    name, chosen, _ = bt.choose(candidates, pd.Series(dtype=float), blend=2, on_done=lambda *args: told.append(args))
    assert name == "mean of the 2 best" and told[-1] == (name, chosen) and len(told) == 6
    three = {name: candidates[name] for name in ("naive", "linear 28 days", "linear 56 days")}
    assert bt.choose(three, pd.Series(dtype=float))[1].spec.names == ("linear 28 days", "linear 56 days")  # 2 of 3
    two = {name: candidates[name] for name in ("naive", "linear 28 days")}
    single = bt.choose(two, pd.Series(dtype=float), seeds=1)
    assert single[0] == "linear 28 days" and len(single[2]) == 2  # the better half of 2 is one: nothing to blend


@pytest.mark.parametrize("blend", [0, 14, 2.0, True])
def test_choose_refuses_a_blend_out_of_range(blend):
    with pytest.raises(InputError, match=rf"^blend must be a whole number from 1 to 13, got {blend!r}$"):
        bt.choose({}, pd.Series(dtype=float), blend=blend)


@pytest.mark.parametrize("options, message", [
    (["--blend", "2"], "--blend applies to --model auto, which averages the best candidates; drop it or choose "
                       "--model auto"),
    (["--model", "relu", "--blend", "2"], "--blend applies to --model auto"),
    (["--model", "auto", "--blend", "0"], "--blend 0 is out of range; it must be a whole number from 1, at most 13"),
])
def test_the_blend_option_is_for_auto_alone(capsys, tmp_path, options, message):
    assert main(["train", *options, "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("state, text", [
    (None, ""), ({"member": 0, "done": [], "trainer": None}, ""),
    ({"member": 0, "done": [], "trainer": {"epoch": 3}}, "; resuming after epoch 3"),
    ({"blend": 1, "done": [{}], "member": None}, "; resuming model 2"),
    ({"blend": 1, "done": [{}], "member": {"member": 0, "done": [], "trainer": None}}, "; resuming model 2"),
    ({"blend": 2, "done": [{}, {}], "member": {"member": 0, "done": [], "trainer": {"epoch": 5}}},
     "; resuming model 3 after epoch 5"),
])
def test_the_model_line_says_where_a_training_resumes(state, text):
    from gradstep.cli import _resuming_text
    assert _resuming_text(state) == text


def test_choose_and_compare_rank_on_auto_folds_by_default(monkeypatch):
    asked = []

    def backtest(spec, series, n_folds, *rest, **kwargs):
        asked.append(n_folds)
        truth = np.ones((1, 1))
        return bt.Backtest(spec, pd.DataFrame({"train": [("a", "b")], "test": [("c", "d")], "mae": [1.0]}),
                           [np.zeros(1)], 0.0, [(truth, truth, np.ones(1))])
    monkeypatch.setattr(bt, "backtest", backtest)
    bt.choose({"linear": LINEAR, "relu": RELU}, pd.Series(dtype=float))
    bt.compare({"linear": LINEAR}, pd.Series(dtype=float))
    assert asked == [bt.AUTO_FOLDS] * 4 and bt.AUTO_FOLDS == 8  # 2 candidates, the seed ensemble, compare's 1
