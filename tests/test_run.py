"""The one run path: fit(spec, series) -> Run; what it scores, what it sees, and how reproducible it is."""

import hashlib
import io
import re

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from threadpoolctl import threadpool_info, threadpool_limits

import gradstep.training.trainer as trainer_module
from gradstep import nn
from gradstep import run as runs
from gradstep.data import load_pageviews
from gradstep.errors import InputError
from gradstep.random import streams
from gradstep.spec import DataSpec, ModelSpec, RunSpec, TrainSpec
from gradstep.training import Callback, Trainer, make_optimizer, weights_of

SMALL = RunSpec().replace(days=7, epochs=3)


@pytest.fixture(scope="module")
def views():
    return load_pageviews("Standard_deviation")


def weights(run):
    return [p.data.copy() for p in run.model.parameters()]


def same_weights(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def history_without_time(run):
    return run.history.drop(columns="seconds")


# ----- what fit scores ---------------------------------------------------------------------------------------

def test_fit_scores_train_and_valid_but_not_the_test_days(views):
    run = runs.fit(SMALL.replace(valid_days=45), views)
    assert set(run.metrics) == {"train", "valid"} and run.scored == ["train", "valid"]
    for part in ("train", "valid"):
        windows = getattr(run.split_, part)
        assert run.metrics[part] == runs.errors(run.predict(windows.X), windows.y)
        assert set(run.metrics[part]) == {"mae", "mse"}
    plain = runs.fit(SMALL, views)
    assert set(plain.metrics) == {"train"} and plain.scored == ["train"]
    assert plain.ranges == {"train": ["2017-01-08", "2020-12-31"], "valid": None,
                            "test": ["2021-01-01", "2021-02-14"]}
    assert run.ranges["valid"] == ["2020-11-17", "2020-12-31"]


def test_no_test_window_goes_through_the_model_during_fit(views, monkeypatch):
    """The test days are made enormous: the model's forward sees them only when score_test() is called."""
    poisoned = views.copy()
    poisoned.loc["2021-01-01":"2021-02-14"] = 1e9
    seen = []
    build = runs.build_model

    def spied_model(spec, days, seed):
        model = build(spec, days, seed)
        forward = model.forward

        def spy(x):
            seen.append(float(np.abs(x.data).max()))
            return forward(x)
        model.forward = spy
        return model

    monkeypatch.setattr(runs, "build_model", spied_model)
    run = runs.fit(SMALL.replace(valid_days=45, kind="relu", units=4), poisoned)
    assert len(seen) > 3 * run.updates_per_epoch  # the spy saw every training step and every evaluation
    assert max(seen) < 100
    assert "test" not in run.metrics and "test" not in run.scored
    run.score_test()
    assert max(seen) > 1e4  # the spy would have noticed


def test_score_test_scores_the_test_days_once_on_purpose(views):
    run = runs.fit(SMALL.replace(valid_days=10), views)
    first = run.score_test()
    test = run.split_.test
    assert first == runs.errors(run.predict(test.X), test.y) == run.metrics["test"]
    assert len(test) == 45 and first["mae"] > 0
    again = run.score_test()
    assert again == first and run.scored == ["train", "valid", "test"]
    with pytest.raises(InputError, match="score_test"):
        run.score("test")
    with pytest.raises(InputError):
        run.score("validation")


def test_the_standardizer_and_weights_see_only_the_training_part(views):
    spec = SMALL.replace(valid_days=45)
    base = runs.fit(spec, views)
    later = views.copy()
    later.loc["2020-11-17":] *= 50  # the validation and test days, and everything after
    moved = runs.fit(spec, later)
    assert base.standardizer_ == moved.standardizer_
    assert same_weights(weights(base), weights(moved))
    assert base.metrics["train"] == moved.metrics["train"]
    assert base.metrics["valid"] != moved.metrics["valid"]
    assert base.score_test() != moved.score_test()
    earlier = views.copy()
    earlier.loc["2019-06-01"] *= 50  # a training day
    assert runs.fit(spec, earlier).standardizer_ != base.standardizer_
    first_day = views.copy()
    first_day.iloc[0] *= 50  # read only as x7 of the first training window
    assert runs.fit(spec, first_day).standardizer_ != base.standardizer_


def test_prepare_fits_the_standardizer_on_every_training_day_once(views):
    parts, scaler = runs.prepare(SMALL.replace(valid_days=45), views)
    days = views.loc[:"2020-11-16"]
    assert scaler.mean == pytest.approx(days.mean(), rel=1e-12)
    assert scaler.std == pytest.approx(days.std(ddof=0), rel=1e-12)
    assert len(parts.valid) == 45 and len(parts.test) == 45


# ----- reproducibility -----------------------------------------------------------------------------------------

BUSY = SMALL.replace(kind="relu", units=8, layers=2, dropout=0.2, input_noise=0.1, augment="scale", valid_days=30)


def test_the_same_spec_gives_the_same_run(views):
    first, second = runs.fit(BUSY, views), runs.fit(BUSY, views)
    assert same_weights(weights(first), weights(second))
    pd.testing.assert_frame_equal(history_without_time(first), history_without_time(second))
    assert first.metrics == second.metrics
    other = runs.fit(BUSY.replace(seed=1), views)
    assert not any(np.array_equal(a, b) for a, b in zip(weights(first), weights(other)))
    assert not history_without_time(first).equals(history_without_time(other))


def test_dropout_does_not_change_the_initial_weights():
    plain = runs.build_model(ModelSpec(kind="relu", units=8, layers=3), 7, seed=4)
    dropped = runs.build_model(ModelSpec(kind="relu", units=8, layers=3, dropout=0.5), 7, seed=4)
    assert len(dropped) == len(plain) + 3
    assert same_weights([p.data for p in plain.parameters()], [p.data for p in dropped.parameters()])
    # the masks come from the seed's own "dropout" stream, not the weights' (nor the global default generator)
    rngs = [module.rng for module in dropped if isinstance(module, nn.Dropout)]
    assert len({id(rng) for rng in rngs}) == 1
    assert np.array_equal(rngs[0].random(6), streams(4)["dropout"].random(6))
    other = runs.build_model(ModelSpec(kind="relu", units=8, layers=3), 7, seed=5)
    assert not np.array_equal(next(other.parameters()).data, next(plain.parameters()).data)


def test_build_model_makes_the_spec_model(views):
    assert [type(m) for m in runs.build_model(ModelSpec(), 7, 0)] == [nn.Linear]
    sigmoid = runs.build_model(ModelSpec(kind="sigmoid", units=5, dtype="float64"), 7, 0)
    assert [type(m) for m in sigmoid] == [nn.Linear, nn.Sigmoid, nn.Linear]
    assert sigmoid[0].weight.shape == (5, 7) and sigmoid[0].weight.dtype == np.float64
    relu = runs.build_model(ModelSpec(kind="relu", units=3, layers=2, dropout=0.1), 4, 0)
    assert [type(m) for m in relu] == [nn.Linear, nn.ReLU, nn.Dropout] * 2 + [nn.Linear]
    assert relu[2].p == 0.1 and next(relu.parameters()).dtype == np.float32


@pytest.fixture
def batch_orders(monkeypatch):
    """Every batch of every epoch the trainer draws, as lists of row indices."""
    orders = []
    iterate = trainer_module.iterate_batches

    def spy(n, batch_size, rng, *args, **kwargs):
        for index in iterate(n, batch_size, rng, *args, **kwargs):
            orders[-1].append(index.tolist())
            yield index

    monkeypatch.setattr(trainer_module, "iterate_batches", spy)

    def fit(spec, series):
        orders.append([])
        runs.fit(spec, series)
        return orders[-1]
    return fit


def test_noise_and_dropout_do_not_change_the_batch_order(views, batch_orders):
    spec = SMALL.replace(kind="relu", units=4, batch_size=64)
    plain = batch_orders(spec, views)
    assert len(plain) == 3 * 23  # ⌈1455 / 64⌉ batches an epoch
    assert plain == batch_orders(spec.replace(input_noise=0.5), views)
    assert plain == batch_orders(spec.replace(dropout=0.5), views)
    assert plain == batch_orders(spec.replace(augment="scale", input_noise=0.1, dropout=0.3), views)
    assert plain != batch_orders(spec.replace(seed=1), views)


def test_results_do_not_depend_on_the_blas_thread_count(views):
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
    threads_seen = []

    class WatchThreads(Callback):
        def on_epoch_end(self, trainer, row):
            threads_seen.extend(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")

    spec = RunSpec().replace(kind="relu", units=64, layers=2, epochs=2, batch_size=None)
    results = []
    for limit in (1, 2):
        with threadpool_limits(limits=limit, user_api="blas"):
            results.append(runs.fit(spec, views, callbacks=[WatchThreads()]))
    assert same_weights(weights(results[0]), weights(results[1]))
    pd.testing.assert_frame_equal(history_without_time(results[0]), history_without_time(results[1]))
    if blas:  # the trainer pins BLAS to one thread while it trains, whatever the caller allows
        assert threads_seen and set(threads_seen) == {1}


# ----- history, early stopping, errors ---------------------------------------------------------------------------

def test_history_is_one_row_per_epoch(views):
    run = runs.fit(SMALL.replace(batch_size=100), views)
    history = run.history
    assert isinstance(history, pd.DataFrame)
    assert list(history.columns) == ["epoch", "train_loss", "train_mae", "updates", "seconds"]
    assert history["epoch"].tolist() == [1, 2, 3]
    assert run.updates_per_epoch == 15  # ⌈1455 / 100⌉
    assert history["updates"].tolist() == [15, 30, 45]
    assert history["seconds"].is_monotonic_increasing and (history["seconds"] > 0).all()
    # train_mae is in views: the MAE of the last epoch's weights on the training part
    assert history["train_mae"].iloc[-1] == pytest.approx(run.metrics["train"]["mae"], rel=1e-5)
    assert history["train_loss"].iloc[-1] == pytest.approx(run.metrics["train"]["mae"] / run.standardizer_.std,
                                                           rel=1e-5)
    full = runs.fit(SMALL.replace(valid_days=45, batch_size=None), views)
    assert set(full.history.columns) == {"epoch", "train_loss", "train_mae", "valid_loss", "valid_mae", "updates",
                                         "seconds"}
    assert full.updates_per_epoch == 1 and full.history["updates"].tolist() == [1, 2, 3]
    assert full.history["valid_mae"].iloc[-1] == pytest.approx(full.metrics["valid"]["mae"], rel=1e-5)


def test_early_stopping_keeps_the_best_weights(views):
    states = {}

    class Record(Callback):
        def on_epoch_end(self, trainer, row):
            states[row["epoch"]] = [p.data.copy() for p in trainer.model.parameters()]

    run = runs.fit(RunSpec().replace(days=7, lr=0.05, epochs=100, patience=3, valid_days=45), views,
                   callbacks=[Record()])
    history = run.history
    best = int(history["valid_loss"].idxmin()) + 1
    assert run.best_epoch == best == history.loc[best - 1, "epoch"]
    assert run.stopped_early_at == best + 3 == len(history) < 100
    assert same_weights(weights(run), states[best])
    assert not same_weights(weights(run), states[len(history)])
    assert run.metrics["valid"]["mae"] == pytest.approx(history.loc[best - 1, "valid_mae"], rel=1e-5)
    patient = runs.fit(RunSpec().replace(days=7, lr=0.05, epochs=5, patience=100, valid_days=45), views)
    assert patient.stopped_early_at is None and len(patient.history) == 5
    no_stopping = runs.fit(SMALL, views)
    assert no_stopping.stopped_early_at is None and no_stopping.best_epoch is None


def test_errors_are_mae_and_mse_by_hand():
    result = runs.errors(np.array([1.0, 2.0, 3.0, 10.0]), np.array([[2.0], [2.0], [5.0], [4.0]]))
    assert result == {"mae": pytest.approx((1 + 0 + 2 + 6) / 4), "mse": pytest.approx((1 + 0 + 4 + 36) / 4)}
    assert runs.errors([5.0], [5.0]) == {"mae": 0.0, "mse": 0.0}
    assert runs.errors(np.array([-3.0]), np.array([1.0])) == {"mae": 4.0, "mse": 16.0}
    assert runs.errors(np.zeros(0), np.zeros(0)) == {}
    big = runs.errors(np.array([1e5], dtype=np.float32), np.array([0.0]))  # in float64: no float32 overflow of e²
    assert big["mse"] == 1e10


def test_data_hash_follows_dates_and_values(views):
    assert runs.data_hash(views) == runs.data_hash(views.copy())
    changed = views.copy()
    changed.iloc[100] += 1
    assert runs.data_hash(changed) != runs.data_hash(views)
    shifted = views.copy()
    shifted.index = shifted.index + pd.Timedelta(days=1)
    assert runs.data_hash(shifted) != runs.data_hash(views)
    assert runs.fit(SMALL, views).data_sha256 == runs.data_hash(views)


def test_fit_and_predict_refuse_wrong_input(views):
    with pytest.raises(InputError, match="RunSpec"):
        runs.fit({"data": {}}, views)
    run = runs.fit(SMALL, views)
    with pytest.raises(InputError, match="days=7"):
        run.predict(np.zeros((3, 6)))
    with pytest.raises(InputError):
        run.predict(np.zeros(7))
    assert run.predict(np.zeros((0, 7))).shape == (0,)


def test_predict_refuses_an_output_that_is_not_a_finite_number(views):
    """Finite weights far out of range overflow float32: the answer is a refusal, never "inf views"."""
    run = runs.fit(SMALL, views)
    run.model.load_state_dict({key: np.full_like(value, 3e38) for key, value in run.model.state_dict().items()})
    with pytest.raises(InputError, match=r"^the model's output is not a finite number for these inputs"):
        run.predict(np.full((1, 7), 1e6))


def test_fit_reads_the_page_the_spec_names():
    run = runs.fit(SMALL.replace(page="Standard_deviation"))
    assert run.data_sha256 == runs.data_hash(load_pageviews("Standard_deviation"))


# ----- L1 and L2 act on the weights, never the biases ------------------------------------------------------------

@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_the_optimizer_decays_the_weights_not_the_biases(optimizer):
    model = nn.relu_network(5, 4, layers=2, seed=0)
    groups = make_optimizer(optimizer, model, lr=0.01, weight_decay=0.5).param_groups
    named = dict(model.named_parameters())
    assert [id(p) for p in groups[0]["params"]] == [id(named[k]) for k in ("0.weight", "2.weight", "4.weight")]
    assert [id(p) for p in groups[1]["params"]] == [id(named[k]) for k in ("0.bias", "2.bias", "4.bias")]
    assert groups[0]["weight_decay"] == 0.5 and groups[1]["weight_decay"] == 0.0
    assert [id(p) for p in weights_of(model)] == [id(p) for p in groups[0]["params"]]


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
@pytest.mark.parametrize("penalty", ["l1", "weight_decay"])
def test_penalties_alone_shrink_the_weights_and_leave_the_biases(optimizer, penalty):
    """With a loss whose gradient is 0, only the penalty moves the parameters: the biases must not move at all."""
    model = nn.relu_network(5, 8, layers=2, seed=1, dtype="float64")
    before = {name: p.data.copy() for name, p in model.named_parameters()}
    zero_loss = lambda prediction, y: (prediction * 0.0).sum()  # noqa: E731
    X, y = np.random.default_rng(0).normal(size=(64, 5)), np.zeros(64)
    Trainer(model, loss=zero_loss, optimizer=optimizer, lr=0.01, epochs=10, batch_size=16,
            **{penalty: {"l1": 0.5, "weight_decay": 5.0}[penalty]}).fit(X, y)
    for name, parameter in model.named_parameters():
        if name.endswith("bias"):
            assert np.array_equal(parameter.data, before[name]), name
        else:
            assert np.abs(parameter.data).sum() < 0.8 * np.abs(before[name]).sum(), name


@pytest.mark.parametrize("optimizer,penalty,strength", [("sgd", "weight_decay", 1000.0), ("sgd", "l1", 10.0),
                                                        ("adamw", "weight_decay", 1000.0)])
def test_fit_penalises_the_weights_and_not_the_biases(views, monkeypatch, optimizer, penalty, strength):
    """Biases start at 5 (far from 0): a huge penalty takes the weights to 0 and leaves the biases near 5."""
    build = runs.build_model

    def biased(spec, days, seed):
        model = build(spec, days, seed)
        for name, parameter in model.named_parameters():
            if name.endswith("bias"):
                parameter.data[...] = 5.0
        return model

    monkeypatch.setattr(runs, "build_model", biased)
    spec = RunSpec().replace(days=7, epochs=3, optimizer=optimizer, lr=0.001, **{penalty: strength})
    run = runs.fit(spec, views)
    layer = run.model[0]
    assert np.abs(layer.weight.data).max() < 0.05
    assert np.abs(layer.bias.data - 5.0).max() < 0.5


# ----- reading the data, and its hash ----------------------------------------------------------------------------

def write_two_column_csv(path):
    """Two date columns, two numeric columns, and 2020-01-04 missing: nothing can be guessed."""
    days = pd.date_range("2020-01-01", periods=6)
    lines = ["day,published,views,edits"] + [f"{days[i]:%Y-%m-%d},2019-12-{20 + i},{10 * (i + 1)},{i}"
                                             for i in (0, 1, 2, 4, 5)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize("fill, fourth", [("zero", 0.0), ("interpolate", 40.0)])
def test_load_series_reads_the_csv_columns_and_fill_the_spec_names(tmp_path, fill, fourth):
    path = write_two_column_csv(tmp_path / "two.csv")
    series = runs.load_series(DataSpec(csv=path, date_column="day", value_column="views", fill=fill))
    assert series.index.equals(pd.date_range("2020-01-01", periods=6, name="date"))
    assert series.tolist() == [10.0, 20.0, 30.0, fourth, 50.0, 60.0]
    assert series.attrs["date_column"] == "day" and series.attrs["value_column"] == "views"
    edits = runs.load_series(DataSpec(csv=path, date_column="day", value_column="edits", fill=fill))
    assert edits.tolist()[:3] == [0.0, 1.0, 2.0] and edits.attrs["value_column"] == "edits"
    with pytest.raises(InputError, match="missing 1 day"):
        runs.load_series(DataSpec(csv=path, date_column="day", value_column="views"))


def test_data_hash_is_sha256_of_the_iso_dates_then_the_float64_values():
    series = pd.Series([1.0, 2.5, 4.0], index=pd.date_range("2021-03-01", periods=3))
    digest = hashlib.sha256(b"2021-03-01,2021-03-02,2021-03-03")
    digest.update(np.array([1.0, 2.5, 4.0], dtype=np.float64).tobytes())
    assert runs.data_hash(series) == digest.hexdigest()
    # dates, not times of day: the same days stamped at noon hash the same
    noon = series.copy()
    noon.index = noon.index + pd.Timedelta(hours=12)
    assert runs.data_hash(noon) == digest.hexdigest()
    # the same numbers stored as integers are the same data
    assert runs.data_hash(pd.Series([1, 3, 4], index=series.index)) == runs.data_hash(
        pd.Series([1.0, 3.0, 4.0], index=series.index))
    # dates a century apart are different data
    old = series.copy()
    old.index = pd.date_range("1921-03-01", periods=3)
    assert runs.data_hash(old) != runs.data_hash(series)


# ----- the models, seeds and dtypes -------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [ModelSpec(kind="sigmoid", units=5), ModelSpec(kind="relu", units=5, layers=2),
                                  ModelSpec(kind="linear")])
def test_every_model_kind_takes_its_weights_from_the_seeds_init_stream(spec):
    build = {"sigmoid": lambda rng: nn.sigmoid_network(7, 5, rng=rng),
             "relu": lambda rng: nn.relu_network(7, 5, 2, rng=rng),
             "linear": lambda rng: nn.linear_model(7, rng=rng)}[spec.kind]
    first, second = runs.build_model(spec, 7, 3), runs.build_model(spec, 7, 3)
    by_hand = build(streams(3)["init"])
    assert same_weights([p.data for p in first.parameters()], [p.data for p in by_hand.parameters()])
    assert same_weights([p.data for p in first.parameters()], [p.data for p in second.parameters()])


@pytest.mark.parametrize("kind", ["linear", "sigmoid", "relu"])
def test_every_model_kind_has_the_specs_dtype(kind):
    for dtype in ("float32", "float64"):
        model = runs.build_model(ModelSpec(kind=kind, units=3, layers=2, dtype=dtype), 4, 0)
        assert {p.dtype for p in model.parameters()} == {np.dtype(dtype)}


# ----- messages ---------------------------------------------------------------------------------------------------

def test_score_and_fit_refusals_word_for_word(views):
    with pytest.raises(InputError) as raised:
        runs.fit({"data": {}}, views)
    assert str(raised.value) == "fit() needs a RunSpec or a BlendSpec, got dict"
    run = runs.fit(SMALL, views)
    with pytest.raises(InputError) as raised:
        run.score("test")
    assert str(raised.value) == ("score() takes part='train' or part='valid', got part='test'; "
                                 "the test days are scored by score_test()")
    assert run.epochs_run == len(run.history) == 3


# ----- what fit passes to the trainer ------------------------------------------------------------------------------

class Grab(Callback):
    """Keeps the trainer fit() made."""

    def __init__(self):
        self.trainers = []

    def on_train_begin(self, trainer):
        self.trainers.append(trainer)


def test_fit_passes_momentum_to_sgd(views):
    grab = Grab()
    moving = runs.fit(SMALL.replace(optimizer="sgd", lr=0.01, momentum=0.9), views, callbacks=[grab])
    assert [group["momentum"] for group in grab.trainers[0].optimizer.param_groups] == [0.9, 0.9]
    plain = runs.fit(SMALL.replace(optimizer="sgd", lr=0.01), views)
    assert not same_weights(weights(moving), weights(plain))


@pytest.fixture
def progress_bars(monkeypatch):
    """Each progress bar the trainer makes: whether it was shown, and what it drew on a captured terminal; the
    trainer's own Console() says stdout is a terminal when ``terminal[0]`` is True."""
    bars, terminal = [], [False]
    real = trainer_module.Progress

    class Captured(real):
        def __init__(self, *columns, **kwargs):
            file = io.StringIO()
            bars.append({"disable": kwargs["disable"], "file": file})
            super().__init__(*columns, console=Console(file=file, force_terminal=True, color_system=None, width=100),
                             **kwargs)

    monkeypatch.setattr(trainer_module, "Progress", Captured)
    monkeypatch.setattr(trainer_module, "Console", lambda: Console(file=io.StringIO(), force_terminal=terminal[0]))
    return bars, terminal


def test_fit_shows_progress_only_when_asked(views, progress_bars):
    bars, terminal = progress_bars
    terminal[0] = True  # even on a terminal, fit() is silent unless asked
    grab = Grab()
    runs.fit(SMALL, views, callbacks=[grab])
    runs.fit(SMALL, views, progress=False)
    assert [bar["disable"] for bar in bars] == [True, True] and grab.trainers[0].progress is False
    assert all(bar["file"].getvalue() == "" for bar in bars)
    terminal[0] = False  # and asked, it shows the bar even when stdout is not a terminal
    run = runs.fit(SMALL, views, progress=True, callbacks=[grab])
    assert bars[-1]["disable"] is False and grab.trainers[-1].progress is True
    last = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", bars[-1]["file"].getvalue()).split("\r")
    assert any(f"3/3 loss {run.history['train_loss'].iloc[-1]:.4g}" in frame for frame in last)


def test_a_spec_naming_no_series_reads_the_default_built_in_page():
    from gradstep.data import load_pageviews
    from gradstep.spec import DataSpec
    assert runs.load_series(DataSpec()).equals(load_pageviews("Standard_deviation"))


# ----- lags: which past days the model reads ----------------------------------------------------------------------

LAGGED = RunSpec().replace(days=14, lags=(1, 7, 14), kind="relu", units=4, epochs=2, valid_days=20)


def test_a_model_on_lags_reads_only_those_columns(views):
    run = runs.fit(LAGGED, views)
    assert run.model[0].weight.data.shape == (4, 3)
    X = run.split_.valid.X
    others = X.copy()
    others[:, [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]] *= 3.0  # every day but 1, 7 and 14
    np.testing.assert_array_equal(run.predict(others), run.predict(X))
    for column in (0, 6, 13):  # x1, x7, x14 (a selection off by one reads x2, x8 or fails on x15)
        moved = X.copy()
        moved[:, column] *= 3.0
        assert not np.allclose(run.predict(moved), run.predict(X))


@pytest.fixture
def handed(monkeypatch):
    """handed(spec, series): the run, and the arrays fit handed Trainer.fit (X, y, X_valid, y_valid)."""
    def fitted(spec, series):
        seen = []
        fit = Trainer.fit
        monkeypatch.setattr(Trainer, "fit", lambda self, *arrays, **kw: seen.append(arrays) or fit(self, *arrays, **kw))
        return runs.fit(spec, series), seen[0]
    return fitted


def test_the_trainer_gets_the_standardised_lag_columns_and_nothing_else(views, handed):
    run, (X, y, X_valid, y_valid) = handed(LAGGED, views)
    scaler, parts = run.standardizer_, run.split_
    np.testing.assert_array_equal(X, scaler.transform(parts.train.X[:, [0, 6, 13]]))
    np.testing.assert_array_equal(X_valid, scaler.transform(parts.valid.X[:, [0, 6, 13]]))
    np.testing.assert_array_equal(y, scaler.transform(parts.train.y))
    assert run.standardizer_ == runs.fit(LAGGED.replace(lags=None), views).standardizer_  # fitted on all 14 days
    assert run.ranges == runs.fit(LAGGED.replace(lags=None), views).ranges  # the windows are made with days


def test_features_keeps_the_lag_columns_in_order():
    X = np.arange(20.0).reshape(2, 10)
    np.testing.assert_array_equal(runs.features(DataSpec(days=10, lags=(2, 10)), X), [[1.0, 9.0], [11.0, 19.0]])
    assert runs.features(DataSpec(days=10), X) is X


def test_sizes_count_the_inputs_read_not_the_days(views):
    lagged, full = RunSpec().replace(days=56, lags=(1, 7)), RunSpec().replace(days=56)
    assert runs.parameter_shapes(lagged.model, lagged.data.n_inputs) == {"0.weight": (1, 2), "0.bias": (1,)}
    assert runs.training_size(lagged, 100)[1] == pytest.approx(runs.training_size(full, 100)[1] * 3 / 57)
    long = RunSpec().replace(kind="relu", units=4096, days=3650, epochs=100_000)
    with pytest.raises(InputError, match="multiply-adds"):
        runs.check_size(long, 1000)
    runs.check_size(long.replace(lags=(1, 7)), 1000)  # 4096 units reading 2 of the 3650 days


def test_predict_takes_rows_of_all_days_and_refuses_rows_of_the_lags(views):
    run = runs.fit(LAGGED, views)
    assert run.predict(np.ones((2, 14))).shape == (2,)
    with pytest.raises(InputError, match="days=14"):
        run.predict(np.ones((2, 3)))


# ----- fit(split=): given windows, as cross-validation folds use ----------------------------------------------------

def test_fit_on_its_own_split_is_fit(views):
    spec = SMALL.replace(kind="relu", units=4, valid_days=20, patience=2)
    plain = runs.fit(spec, views)
    given = runs.fit(spec, views, split=runs.split(spec, views))
    assert same_weights(weights(plain), weights(given))
    assert plain.metrics == given.metrics and plain.baselines == given.baselines
    assert plain.standardizer_ == given.standardizer_ and plain.ranges == given.ranges
    pd.testing.assert_frame_equal(history_without_time(plain), history_without_time(given))


def test_fit_trains_standardises_and_scores_on_exactly_the_given_windows(views, monkeypatch):
    from gradstep.data import Split, Standardizer, make_windows
    windows = make_windows(views.loc[:"2019-12-31"], 7)
    rows = np.arange(len(windows))
    split = Split(windows.select(rows % 3 != 0), windows.select(rows % 3 == 0), windows.select(slice(0, 0)))
    seen = []
    fit = Trainer.fit
    monkeypatch.setattr(Trainer, "fit", lambda self, *arrays, **kw: seen.append(arrays) or fit(self, *arrays, **kw))
    run = runs.fit(SMALL, views, split=split)
    scaler = Standardizer.fit(split.train)
    assert run.standardizer_ == scaler and run.split_ is split
    X, y, X_valid, y_valid = seen[0]
    np.testing.assert_array_equal(X, scaler.transform(split.train.X))
    np.testing.assert_array_equal(y_valid, scaler.transform(split.valid.y))
    assert run.metrics["valid"] == runs.errors(run.predict(split.valid.X), split.valid.y)
    assert run.scored == ["train", "valid"] and run.score_test() == {}
    assert run.updates_per_epoch == -(-len(split.train) // 32)


def test_fit_refuses_a_split_that_does_not_fit_the_spec(views):
    from gradstep.data import Split, make_windows
    windows = make_windows(views.loc[:"2019-12-31"], 7)
    with pytest.raises(InputError) as raised:
        runs.fit(SMALL, views, split=(windows, windows, windows))
    assert str(raised.value) == "split= takes a gradstep.data.Split of train, valid and test windows, got tuple"
    with pytest.raises(InputError) as raised:
        runs.fit(SMALL.replace(days=14), views, split=Split(windows, windows, windows))
    assert str(raised.value) == ("split= holds windows of train 7, valid 7, test 7 days, and the spec has days=14; "
                                 "make them with make_windows(series, 14)")
    empty = windows.select(slice(0, 0))
    with pytest.raises(InputError, match="^split= has no training windows"):
        runs.fit(SMALL, views, split=Split(empty, windows, empty))


def test_average_is_the_mean_of_the_runs_predictions_and_is_scored_again():
    data = DataSpec(days=7, valid_days=30)
    fitted = [runs.fit(RunSpec(data=data, model=ModelSpec(kind=kind, units=4), train=TrainSpec(epochs=2)))
              for kind in ("linear", "relu", "sigmoid")]
    mean = runs.average(fitted)
    X = mean.split_.valid.X
    assert np.allclose(mean.predict(X), np.mean([run.predict(X) for run in fitted], axis=0), rtol=1e-5)
    assert mean.metrics["valid"]["mae"] == pytest.approx(runs.errors(mean.predict(X), mean.split_.valid.y)["mae"])
    assert mean.scored == ["train", "valid"] and all(run.scored == ["train", "valid"] for run in fitted)
    other = runs.fit(RunSpec(data=DataSpec(days=7, valid_days=20), train=TrainSpec(epochs=1)))
    with pytest.raises(InputError, match="same data and days"):
        runs.average([fitted[0], other])


# ----- scale="window": each window read relative to its own level ------------------------------------------------

WINDOWED = RunSpec().replace(days=14, lags=(1, 2, 3, 4, 5, 6, 7, 14), scale="window", epochs=2, valid_days=20)


def test_the_trainer_gets_each_window_as_asinh_over_its_last_weeks_mean(views, handed):
    run, (X, y, X_valid, y_valid) = handed(WINDOWED, views)
    for part, inputs, targets in ((run.split_.train, X, y), (run.split_.valid, X_valid, y_valid)):
        level = np.arcsinh(part.X[:, :7].mean(axis=1))
        np.testing.assert_allclose(inputs, np.arcsinh(part.X[:, [0, 1, 2, 3, 4, 5, 6, 13]]) - level[:, None])
        np.testing.assert_allclose(targets, np.arcsinh(part.y) - level)
    assert "train_log_mae" in run.history and "train_mae" not in run.history


def test_a_window_scaled_linear_model_predicts_by_its_formula(views):
    """ŷ = sinh(asinh(s) + b + Σ wⱼ (asinh(xⱼ) − asinh(s))), s the mean of x1..x7: a scale that fit or predict
    ignored would give the standardised model's answer instead."""
    run = runs.fit(WINDOWED, views)
    X = run.split_.valid.X
    w, b = run.model[0].weight.data.astype(np.float64), run.model[0].bias.data.astype(np.float64)
    s = X[:, :7].mean(axis=1)
    hand = np.sinh(np.arcsinh(s) + b[0] + (np.arcsinh(X[:, [0, 1, 2, 3, 4, 5, 6, 13]]) - np.arcsinh(s)[:, None]) @ w[0])
    np.testing.assert_allclose(run.predict(X), hand, rtol=1e-5)
    assert run.metrics["valid"]["mae"] == pytest.approx(runs.errors(hand, run.split_.valid.y)["mae"], rel=1e-5)
    plain = runs.fit(WINDOWED.replace(scale=None), views)
    assert not np.allclose(plain.predict(X), run.predict(X))


def test_a_window_scaled_model_follows_a_change_of_level():
    """Trained on a series at one level, it forecasts the same series at 100 times that level about 100 times
    higher: it reads each window relative to its own level, where a standardised model reads the level itself."""
    views = load_pageviews("Standard_deviation")
    spec = RunSpec().replace(days=14, scale="window", epochs=3)
    run = runs.fit(spec, views)
    X = run.split_.test.X
    np.testing.assert_allclose(run.predict(100 * X), 100 * run.predict(X), rtol=0.01)
    plain = runs.fit(spec.replace(scale=None), views)
    assert not np.allclose(plain.predict(100 * X), 100 * plain.predict(X), rtol=0.1)


def test_window_scale_takes_zero_and_negative_values(views):
    """asinh is defined everywhere: a week of zeros or values below 0 give a finite forecast, not a refusal."""
    run = runs.fit(WINDOWED, views.where(views.index != "2018-03-04", -100.0))
    rows = np.vstack([np.zeros(14), np.full(14, -50.0), np.linspace(-10, 10, 14)])
    assert np.isfinite(run.predict(rows)).all()


def test_level_is_the_mean_of_the_newest_7_days_or_of_all_when_fewer():
    X = np.arange(20.0).reshape(2, 10)
    np.testing.assert_array_equal(runs.level(X), [3.0, 13.0])
    np.testing.assert_array_equal(runs.level(X[:, :3]), [1.0, 11.0])
