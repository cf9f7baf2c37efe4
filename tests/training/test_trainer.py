"""src/gradstep/training/trainer.py, the Trainer: batches and updates, history, seeds, the divergence guard,
penalties and hooks, silence. Its callbacks are in test_callbacks.py."""

import ctypes.util
import functools
import io
import re
import time
import warnings

import numpy as np
import pytest
from rich.console import Console
from threadpoolctl import threadpool_info, threadpool_limits

import gradstep.training.trainer as trainer_module
from gradstep import losses, nn, optim
from gradstep.errors import InputError
from gradstep.tensor import Tensor
from gradstep.training import Callback, DivergedError, History, Trainer, make_optimizer, predict, weights_of


def data(n=100, days=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, days))
    return X, X @ np.array([0.5, -0.2, 0.1]) + 0.05 * rng.normal(size=n)


class CountingSGD:
    """Wraps an optimizer's step to count the updates."""

    def __init__(self, trainer):
        self.count = 0
        inner = trainer.optimizer.step

        def step():
            self.count += 1
            inner()
        trainer.optimizer.step = step


@pytest.mark.parametrize("batch_size, updates", [(None, 1), (1, 100), (32, 4), (100, 1), (500, 1)])
def test_updates_per_epoch_is_ceil_n_over_b(batch_size, updates):
    X, y = data()
    trainer = Trainer(nn.linear_model(3, seed=0), epochs=3, batch_size=batch_size, progress=False)
    counter = CountingSGD(trainer)
    history = trainer.fit(X, y)
    assert history.updates_per_epoch == updates and counter.count == 3 * updates
    assert list(history.column("updates")) == [updates, 2 * updates, 3 * updates]


def test_training_lowers_the_loss_and_records_history():
    X, y = data()
    history = Trainer(nn.linear_model(3, seed=0), loss="mse", optimizer="sgd", lr=0.05, epochs=30,
                      progress=False).fit(X, y, X[:20], y[:20])
    train = history.column("train_loss")
    assert train[-1] < 0.1 * train[0] and len(history) == 30
    assert not np.isnan(history.column("valid_loss")).any()


def test_same_seed_same_weights_and_batch_order():
    X, y = data()
    runs = [Trainer(nn.relu_network(3, 5, seed=1), epochs=3, seed=s, progress=False) for s in (7, 7, 8)]
    for trainer in runs:
        trainer.fit(X, y)
    states = [t.model.state_dict()["0.weight"] for t in runs]
    assert np.array_equal(states[0], states[1]) and not np.array_equal(states[0], states[2])


def test_divergence_stops_with_a_smaller_learning_rate_suggestion():
    X, y = data()
    with pytest.raises(DivergedError, match=r"learning rate 1e\+08; try a smaller learning rate such as lr=1e\+07"):
        Trainer(nn.linear_model(3, seed=0), loss="mse", optimizer="sgd", lr=1e8, epochs=50, progress=False).fit(X, y)


def test_batches_are_reshuffled_every_epoch_from_the_seed(monkeypatch):
    import gradstep.training.trainer as train_module
    orders = []
    real = train_module.iterate_batches

    def spy(n, batch_size, rng):
        batches = list(real(n, batch_size, rng))
        orders.append(np.concatenate(batches))
        return batches
    monkeypatch.setattr(train_module, "iterate_batches", spy)
    X, y = data()
    Trainer(nn.linear_model(3), epochs=3, batch_size=10, seed=4, progress=False).fit(X, y)
    Trainer(nn.linear_model(3), epochs=1, batch_size=10, seed=4, progress=False).fit(X, y)
    assert all(sorted(order) == list(range(100)) for order in orders)
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    assert np.array_equal(orders[0], orders[3])


def test_a_loss_that_explodes_without_overflowing_is_divergence():
    X, y = data()
    with pytest.raises(DivergedError, match="times that of always predicting 0"):
        Trainer(nn.linear_model(3, seed=0), loss="mae", optimizer="sgd", lr=1e6, epochs=5, progress=False).fit(X, y)


def test_l1_penalty_shrinks_weights_to_zero():
    X, y = data()
    X = np.hstack([X, np.random.default_rng(5).normal(size=(100, 1))])
    plain, sparse = (Trainer(nn.linear_model(4, dtype=np.float64, seed=0), loss="mse", optimizer="sgd", lr=0.02,
                             epochs=200, l1=l1, progress=False) for l1 in (0.0, 0.05))
    plain.fit(X, y)
    sparse.fit(X, y)
    assert abs(sparse.model[0].weight.data[0, 3]) < 0.01
    assert np.abs(sparse.model[0].weight.data).sum() < np.abs(plain.model[0].weight.data).sum()


def test_progress_bar_is_silent_when_output_is_not_a_terminal(capsys):
    X, y = data()
    Trainer(nn.linear_model(3), epochs=3).fit(X, y)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_bad_trainer_options_are_named():
    model = nn.linear_model(3)
    for kwargs, words in (({"loss": "rmse"}, "loss='rmse' is not a choice"), ({"optimizer": "lbfgs"}, "optimizer='lbfgs' is not a choice"),
                          ({"lr": -1}, r"lr=-1 is out of range"), ({"epochs": 0}, "epochs=0 is out of range")):
        with pytest.raises(ValueError, match=words):
            Trainer(model, **kwargs)


def test_predict_leaves_training_mode_and_keeps_dtype():
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 1))
    X = np.ones((5, 3))
    out = predict(model, X)
    assert out.dtype == np.float32 and np.array_equal(out, predict(model, X)) and model.training


def test_a_nan_loss_in_the_first_batch_is_divergence_not_silence():
    X, y = data()
    X[5, 0] = np.nan
    with pytest.raises(DivergedError, match="the MAE loss became nan in epoch 1"):
        Trainer(nn.linear_model(3, seed=0), epochs=3, batch_size=None, progress=False).fit(X, y)


def test_all_zero_targets_train_without_dividing_by_zero():
    X, _ = data()
    history = Trainer(nn.linear_model(3, seed=0), loss="mse", epochs=3, progress=False).fit(X, np.zeros(len(X)))
    assert len(history) == 3


def test_loss_and_optimizer_can_be_objects_and_hooks_are_applied():
    from gradstep import losses, optim
    X, y = data()
    model = nn.linear_model(3, seed=0)
    calls = {"loss": 0, "penalty": 0, "transform": 0}

    def loss(prediction, target):
        calls["loss"] += 1
        return losses.mse(prediction, target)

    def penalty(m):
        calls["penalty"] += 1
        return (m[0].weight ** 2).sum() * 0.0

    def transform(X_batch, y_batch, rng):
        calls["transform"] += 1
        assert isinstance(rng, np.random.Generator)
        return X_batch, y_batch
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, loss=loss, optimizer=optimizer, epochs=2, batch_size=50, penalty=penalty,
                      batch_transform=transform, progress=False)
    trainer.fit(X, y)
    assert trainer.optimizer is optimizer and trainer.loss_name == "loss"
    assert calls["penalty"] == calls["transform"] == 4 and calls["loss"] >= 4
    reference = nn.linear_model(3, seed=0)
    Trainer(reference, loss="mse", optimizer="sgd", lr=0.1, epochs=2, batch_size=50, progress=False).fit(X, y)
    assert all(np.array_equal(a.data, b.data) for a, b in zip(model.parameters(), reference.parameters()))


def test_a_batch_transform_changes_what_the_model_learns_from():
    X, y = data()
    plain, doubled = nn.linear_model(3, seed=0), nn.linear_model(3, seed=0)
    Trainer(plain, loss="mse", epochs=3, progress=False).fit(X, y)
    Trainer(doubled, loss="mse", epochs=3, progress=False, batch_transform=lambda a, b, rng: (a, 2 * b)).fit(X, y)
    assert not np.array_equal(plain[0].weight.data, doubled[0].weight.data)


def test_weight_decay_and_l1_leave_the_biases_alone():
    from gradstep.training import make_optimizer, weights_of
    model = nn.relu_network(3, 4, layers=2, seed=0)
    assert [id(p) for p in weights_of(model)] == [id(model[i].weight) for i in (0, 2, 4)]
    for name in ("sgd", "adam", "adamw"):
        groups = make_optimizer(name, model, lr=0.1, weight_decay=0.5).param_groups
        assert [g["weight_decay"] for g in groups] == [0.5, 0.0]
        assert [id(p) for p in groups[1]["params"]] == [id(model[i].bias) for i in (0, 2, 4)]


def test_callbacks_are_called_in_order_and_a_stop_ends_training_after_that_epoch():
    """on_train_begin once, on_epoch_end with each epoch's history row, on_train_end once; a callback setting
    trainer.stop in epoch 3 ends training there, and the next fit starts without the stop."""
    from gradstep.training import Callback

    class Recorder(Callback):
        def __init__(self):
            self.calls = []

        def on_train_begin(self, trainer):
            self.calls.append("begin")

        def on_epoch_end(self, trainer, row):
            assert row is trainer.history.rows[-1]
            self.calls.append(row["epoch"])
            trainer.stop = trainer.stop or row["epoch"] == 3

        def on_train_end(self, trainer):
            self.calls.append("end")
    X, y = data()
    recorder = Recorder()
    trainer = Trainer(nn.linear_model(3, seed=0), epochs=10, progress=False, callbacks=[recorder])
    assert len(trainer.fit(X, y)) == 3
    assert recorder.calls == ["begin", 1, 2, 3, "end"]
    recorder.calls.clear()
    assert len(trainer.fit(X, y)) == 3 and recorder.calls == ["begin", 1, 2, 3, "end"]


# ----- the progress bar -------------------------------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def bar(monkeypatch):
    """Runs the trainer's rich progress bar on a captured terminal; ``stdout_is_terminal`` is what the trainer's
    own Console() reports. Gives a dict: the Progress kwargs and columns, the Progress itself and its output."""
    record = {"file": io.StringIO(), "made": 0}
    real = trainer_module.Progress

    class Captured(real):
        def __init__(self, *columns, **kwargs):
            record.update(made=record["made"] + 1, columns=columns, kwargs=kwargs, progress=self)
            super().__init__(*columns, console=Console(file=record["file"], force_terminal=True, color_system=None,
                                                       width=100), **kwargs)

    def set_terminal(terminal):
        monkeypatch.setattr(trainer_module, "Console",
                            lambda: Console(file=io.StringIO(), force_terminal=terminal))
    monkeypatch.setattr(trainer_module, "Progress", Captured)
    record["set_terminal"] = set_terminal
    record["output"] = lambda: record["file"].getvalue()
    record["frames"] = lambda: [ANSI.sub("", frame).strip() for frame in record["file"].getvalue().split("\r")
                                if ANSI.sub("", frame).strip()]
    set_terminal(False)
    return record


class ShowFirstEpoch(Callback):
    """Draws the bar once at the end of epoch 1, before the trainer advances it: the bar as it starts."""

    def __init__(self, record):
        self.record = record

    def on_epoch_end(self, trainer, row):
        if row["epoch"] == 1:
            self.record["progress"].refresh()


def test_progress_true_draws_the_bar_even_when_stdout_is_not_a_terminal(bar):
    X, y = data()
    history = Trainer(nn.linear_model(3, seed=0), epochs=3, progress=True, callbacks=[ShowFirstEpoch(bar)]).fit(X, y)
    assert bar["kwargs"]["disable"] is False and bar["kwargs"]["transient"] is True
    frames = bar["frames"]()
    clock = r"\d+:\d\d:\d\d"
    # before any epoch has been counted: 0 of 3, no loss yet
    assert re.fullmatch(rf"training [━ ]{{40}} 0/3  {clock}", frames[0]), frames
    assert all("None" not in frame and "XX" not in frame for frame in frames)
    # the last frame: 3 of 3 epochs and the last training loss, to 4 significant digits
    last = f"loss {history.rows[-1]['train_loss']:.4g}"
    assert re.fullmatch(rf"training ━{{40}} 3/3 {re.escape(last)} {clock}", frames[-1]), frames
    # transient: the bar is erased when training ends (cursor up, erase line), leaving nothing behind
    assert bar["output"]().endswith("\x1b[1A\x1b[2K")


def test_progress_none_shows_the_bar_only_on_a_terminal(bar):
    X, y = data()
    bar["set_terminal"](True)
    history = Trainer(nn.linear_model(3, seed=0), epochs=2).fit(X, y)
    assert bar["kwargs"]["disable"] is False
    assert bar["frames"]()[-1].startswith("training") and f"2/2 loss {history.rows[-1]['train_loss']:.4g}" in \
        bar["frames"]()[-1]
    bar["file"].seek(0), bar["file"].truncate()
    bar["set_terminal"](False)
    Trainer(nn.linear_model(3, seed=0), epochs=2).fit(X, y)
    assert bar["kwargs"]["disable"] is True and bar["output"]() == ""


def test_progress_false_is_silent_even_on_a_terminal(bar):
    X, y = data()
    bar["set_terminal"](True)
    Trainer(nn.linear_model(3, seed=0), epochs=2, progress=False).fit(X, y)
    assert bar["made"] == 1 and bar["kwargs"]["disable"] is True and bar["output"]() == ""


def test_the_bar_counts_epochs_even_when_training_stops_early(bar):
    class StopAtTwo(Callback):
        def on_epoch_end(self, trainer, row):
            trainer.stop = row["epoch"] == 2
    X, y = data()
    Trainer(nn.linear_model(3, seed=0), epochs=5, progress=True, callbacks=[StopAtTwo()]).fit(X, y)
    assert " 2/5 loss " in bar["frames"]()[-1]


# ----- before and between fits -------------------------------------------------------------------------------------

def test_a_new_trainer_has_an_empty_history_and_no_stop():
    trainer = Trainer(nn.linear_model(3), progress=False)
    assert trainer.stop is False
    assert isinstance(trainer.history, History) and len(trainer.history) == 0 and trainer.history.rows == []
    assert trainer.history.stopped_early_at is None and trainer.history.best_epoch is None


def test_callbacks_get_the_trainer_and_each_fit_starts_with_stop_false():
    seen = []

    class Watch(Callback):
        def on_train_begin(self, trainer):
            seen.append(("begin", trainer is watched, trainer.stop))

        def on_epoch_end(self, trainer, row):
            seen.append((row["epoch"], trainer is watched, trainer.stop))
            trainer.stop = True
    X, y = data()
    watched = Trainer(nn.linear_model(3, seed=0), epochs=3, progress=False, callbacks=[Watch()])
    watched.fit(X, y)
    watched.fit(X, y)
    assert seen == [("begin", True, False), (1, True, False)] * 2
    assert all(stop is False for *_, stop in seen)


def test_seconds_are_the_time_since_training_began():
    X, y = data()
    before = time.perf_counter()
    history = Trainer(nn.linear_model(3, seed=0), epochs=4, progress=False).fit(X, y)
    took = time.perf_counter() - before
    seconds = history.column("seconds")
    assert np.all(np.diff(seconds) >= 0) and 0 < seconds[0] and seconds[-1] <= took


def test_history_rows_hold_exactly_the_epoch_losses_metrics_updates_and_seconds():
    X, y = data()
    metrics = {"mae": lambda p, t: np.abs(p - t).mean(), "max": lambda p, t: np.abs(p - t).max()}
    history = Trainer(nn.linear_model(3, seed=0), epochs=3, batch_size=40, metrics=metrics,
                      progress=False).fit(X, y, X[:7], y[:7])
    assert [list(row) for row in history.rows] == [["epoch", "train_loss", "train_mae", "train_max", "valid_loss",
                                                    "valid_mae", "valid_max", "updates", "seconds"]] * 3
    assert [row["epoch"] for row in history.rows] == [1, 2, 3]
    assert [row["updates"] for row in history.rows] == [3, 6, 9]
    assert all(row["train_loss"] == pytest.approx(row["train_mae"], rel=1e-6) for row in history.rows)
    assert all(isinstance(row["train_max"], float) for row in history.rows)


def test_history_columns_are_floats_with_nan_where_an_epoch_has_none():
    history = History(rows=[{"epoch": 1, "train_loss": 2.0}, {"epoch": 2, "train_loss": 1.0, "valid_loss": 3.0}])
    epochs = history.column("epoch")
    assert epochs.dtype == np.float64 and epochs.tolist() == [1.0, 2.0]
    valid = history.column("valid_loss")
    assert valid.dtype == np.float64 and np.isnan(valid[0]) and valid[1] == 3.0
    assert np.isnan(history.column("nothing")).all() and history.column("nothing").dtype == np.float64
    assert History().column("epoch").dtype == np.float64 and len(History().column("epoch")) == 0


# ----- dtypes: the data is cast to the model's dtype ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batches_metrics_and_losses_see_the_models_dtype(dtype):
    X, y = data()
    seen = []

    def transform(X_batch, y_batch, rng):
        seen.append(("batch", X_batch.dtype, y_batch.dtype, y_batch.shape[1:]))
        return X_batch, y_batch

    def metric(prediction, target):
        seen.append(("metric", prediction.dtype, target.dtype, target.shape[1:]))
        return 0.0
    inputs = [np.asarray(a, dtype=np.float64 if dtype == "float32" else np.float32) for a in (X, y)]
    Trainer(nn.linear_model(3, seed=0, dtype=dtype), epochs=1, batch_size=50, batch_transform=transform,
            metrics={"m": metric}, progress=False).fit(*inputs, inputs[0][:10], inputs[1][:10])
    want = np.dtype(dtype)
    assert seen == [("batch", want, want, (1,))] * 2 + [("metric", want, want, (1,))] * 2


def test_float64_input_trains_exactly_as_the_same_data_in_float32():
    X, y = data()
    a, b = nn.linear_model(3, seed=0), nn.linear_model(3, seed=0)
    Trainer(a, loss="mse", optimizer="sgd", lr=0.1, epochs=2, batch_size=25, progress=False).fit(X, y)
    Trainer(b, loss="mse", optimizer="sgd", lr=0.1, epochs=2, batch_size=25, progress=False).fit(
        X.astype(np.float32), y.astype(np.float32))
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))


def test_a_float64_model_trains_and_is_scored_in_float64():
    """One full-batch SGD step on the MSE, by hand in float64: any float32 rounding would show at 1e-8."""
    X, y = data()
    model = nn.linear_model(3, seed=0, dtype="float64")
    w, b = model[0].weight.data.copy(), model[0].bias.data.copy()
    history = Trainer(model, loss="mse", optimizer="sgd", lr=0.1, epochs=1, batch_size=None,
                      progress=False).fit(X, y)
    e = (X @ w.T + b).ravel() - y
    w1 = w - 0.1 * (2 / len(y)) * (e @ X)
    b1 = b - 0.1 * (2 / len(y)) * e.sum()
    np.testing.assert_allclose(model[0].weight.data, w1, rtol=1e-13, atol=0)
    np.testing.assert_allclose(model[0].bias.data, b1, rtol=1e-13, atol=0)
    loss = np.mean(((X @ w1.T + b1).ravel() - y) ** 2)
    assert history.rows[0]["train_loss"] == pytest.approx(loss, rel=1e-13, abs=0)


def test_one_validation_row_is_enough_for_a_validation_loss():
    X, y = data()
    history = Trainer(nn.linear_model(3, seed=0), epochs=2, progress=False).fit(X, y, X[:1], y[:1])
    assert "valid_loss" in history.rows[0] and not np.isnan(history.column("valid_loss")).any()
    empty = Trainer(nn.linear_model(3, seed=0), epochs=1, progress=False).fit(X, y, X[:0], y[:0])
    assert "valid_loss" not in empty.rows[0]


# ----- BLAS, and only BLAS, on one thread --------------------------------------------------------------------------

def openmp_runtime():
    """The OpenMP runtime torch would load (so a later import of torch finds the same one), else the system's."""
    import glob
    import importlib.util
    spec = importlib.util.find_spec("torch")
    if spec is not None and spec.submodule_search_locations:
        found = sorted(glob.glob(f"{spec.submodule_search_locations[0]}/lib/libgomp*.so*"))
        if found:
            return found[0]
    return ctypes.util.find_library("gomp")


def test_only_blas_is_pinned_to_one_thread_while_training():
    """Other thread pools (OpenMP, which torch uses) keep the caller's setting while the trainer runs."""
    if not any(info["user_api"] == "openmp" for info in threadpool_info()):
        gomp = openmp_runtime()
        if gomp is None:
            pytest.skip("no OpenMP runtime to watch")
        ctypes.CDLL(gomp)
    if not any(info["user_api"] == "openmp" for info in threadpool_info()):
        pytest.skip("threadpoolctl does not see the OpenMP runtime")
    seen = []

    class Watch(Callback):
        def on_epoch_end(self, trainer, row):
            seen.append([(info["user_api"], info["num_threads"]) for info in threadpool_info()])
    with threadpool_limits(limits=2):
        Trainer(nn.linear_model(3, seed=0), epochs=2, progress=False, callbacks=[Watch()]).fit(*data())
    assert len(seen) == 2
    for pools in seen:
        assert {n for api, n in pools if api == "openmp"} == {2}
        assert {n for api, n in pools if api == "blas"} <= {1}


# ----- floating-point warnings are silenced, divergence is reported ------------------------------------------------

def test_overflow_and_invalid_values_raise_divergence_not_numpy_warnings():
    """Values too large for float32 overflow in the forward pass; a row of inf makes inf − inf = nan: numpy's
    warnings about them are silenced while training, and the divergence is reported instead. Errors of 1e20
    square past float32's largest value (3.4e38) one by one, so the loss is inf on every CPU (errors of 1e18
    square to 1e36, and whether their sums overflow to inf or to nan depends on the order BLAS adds them in)."""
    X, y = data()
    X_inf = X.copy()
    X_inf[4] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergedError, match="the MSE loss became inf in epoch 1"):
            Trainer(nn.linear_model(3, seed=0), loss="mse", optimizer="sgd", lr=1.0, epochs=5, batch_size=None,
                    progress=False).fit(X * 1e20, y * 1e20)
        with pytest.raises(DivergedError, match="the MAE loss became nan in epoch 1"):
            Trainer(nn.linear_model(3, seed=0), optimizer="sgd", epochs=5, batch_size=None,
                    progress=False).fit(X_inf, y)


def scripted(reference, values, name="scripted"):
    """A loss whose value is scripted on the passes without a graph: first the reference (predicting 0), then one
    value per epoch on the training part; on the training batches it is 0 with a zero gradient."""
    evaluations = iter([reference, *values])

    def loss(prediction, target):
        if prediction.requires_grad:
            return (prediction * 0.0).sum()
        return Tensor(next(evaluations), dtype=np.float64)
    loss.__name__ = name
    return loss


@pytest.mark.parametrize("reference, limit", [(0.25, 1000.0), (1.0, 1000.0), (1.5, 1500.0), (4.0, 4000.0)])
def test_a_loss_exactly_at_the_limit_is_not_divergence_just_above_is(reference, limit):
    X, y = data(n=20)
    history = Trainer(nn.linear_model(3, seed=0), loss=scripted(reference, [limit, limit]), epochs=2,
                      progress=False).fit(X, y)
    assert history.column("train_loss").tolist() == [limit, limit]
    above = np.nextafter(limit, np.inf)
    with pytest.raises(DivergedError) as raised:
        Trainer(nn.linear_model(3, seed=0), loss=scripted(reference, [limit, above]), epochs=3,
                progress=False).fit(X, y)
    assert str(raised.value) == (f"training diverged: the SCRIPTED loss grew to {above:.3g}, above {limit:.3g} "
                                 "(1000 times that of always predicting 0, or 1000) in epoch 2 with learning rate "
                                 "0.001; try a smaller learning rate such as lr=0.0001")


def test_the_exploding_message_word_for_word():
    X, y = data(n=20)
    with pytest.raises(DivergedError) as raised:
        Trainer(nn.linear_model(3, seed=0), loss=scripted(4.0, [5e4]), optimizer="sgd", lr=0.5,
                progress=False).fit(X, y)
    assert str(raised.value) == ("training diverged: the SCRIPTED loss grew to 5e+04, above 4e+03 (1000 times that "
                                 "of always predicting 0, or 1000) in epoch 1 with learning rate 0.5; try a smaller "
                                 "learning rate such as lr=0.05")


def test_a_training_loss_that_turns_nan_after_an_epoch_names_that_epoch():
    X, y = data(n=20)
    with pytest.raises(DivergedError) as raised:
        Trainer(nn.linear_model(3, seed=0), loss=scripted(1.0, [0.5, np.nan]), epochs=5, progress=False).fit(X, y)
    assert str(raised.value) == ("training diverged: the SCRIPTED loss became nan in epoch 2 with learning rate "
                                 "0.001; try a smaller learning rate such as lr=0.0001")


def test_an_infinite_loss_after_an_update_is_divergence_in_that_epoch():
    """The batch loss of epoch 1 is finite; the weights it leads to overflow float32, so the epoch's loss is inf."""
    X, y = data()
    with pytest.raises(DivergedError, match=r"^training diverged: the MSE loss became inf in epoch 1 with learning "
                                            r"rate 1e\+09; try"):
        Trainer(nn.linear_model(3, seed=0), loss="mse", optimizer="sgd", lr=1e9, epochs=3, batch_size=None,
                progress=False).fit(X * 1e6, y * 1e6)


def test_divergence_names_the_weight_decay_of_the_weights():
    X, y = data(n=20)
    with pytest.raises(DivergedError) as raised:
        Trainer(nn.linear_model(3, seed=0), loss=scripted(1.0, [np.inf]), optimizer="sgd", lr=0.1, weight_decay=0.5,
                progress=False).fit(X, y)
    assert str(raised.value) == ("training diverged: the SCRIPTED loss became inf in epoch 1 with learning rate 0.1 "
                                 "and weight decay 0.5; try a smaller learning rate such as lr=0.01 or a smaller "
                                 "weight_decay")
    with pytest.raises(DivergedError) as raised:
        Trainer(nn.linear_model(3, seed=0), loss=scripted(1.0, [np.inf]), optimizer="adamw", lr=0.1,
                progress=False).fit(X, y)
    assert str(raised.value) == ("training diverged: the SCRIPTED loss became inf in epoch 1 with learning rate 0.1; "
                                 "try a smaller learning rate such as lr=0.01")


class PlainSGD(optim.Optimizer):
    """An optimizer with no weight_decay setting at all."""

    def __init__(self, parameters, lr):
        super().__init__(parameters, {"lr": lr})

    def _update_rule(self, group):
        lr = group["lr"]

        def update(parameter, grad, state):
            parameter.data -= lr * grad
        return update


def test_divergence_with_an_optimizer_without_weight_decay_does_not_mention_it():
    X, y = data(n=20)
    model = nn.linear_model(3, seed=0)
    with pytest.raises(DivergedError) as raised:
        Trainer(model, loss=scripted(1.0, [np.nan]), optimizer=PlainSGD(model.parameters(), lr=0.2),
                progress=False).fit(X, y)
    assert str(raised.value) == ("training diverged: the SCRIPTED loss became nan in epoch 1 with learning rate 0.2; "
                                 "try a smaller learning rate such as lr=0.02")


# ----- options ----------------------------------------------------------------------------------------------------

def test_a_loss_object_without_a_name_is_named_by_its_type():
    X, y = data(n=20)
    trainer = Trainer(nn.linear_model(3, seed=0), loss=losses.MSELoss(), epochs=1, progress=False)
    assert trainer.loss_name == "MSELoss"
    assert Trainer(nn.linear_model(3), loss=functools.partial(losses.huber, delta=0.5)).loss_name == "partial"
    trainer.fit(X, y)
    X[0, 0] = np.nan
    with pytest.raises(DivergedError, match="^training diverged: the MSELOSS loss became nan in epoch 1"):
        trainer.fit(X, y)


def test_trainer_passes_momentum_to_sgd():
    model = nn.linear_model(3, seed=0)
    trainer = Trainer(model, optimizer="sgd", lr=0.1, momentum=0.9)
    assert [group["momentum"] for group in trainer.optimizer.param_groups] == [0.9, 0.9]
    X, y = data()
    moving, plain = nn.linear_model(3, seed=0), nn.linear_model(3, seed=0)
    Trainer(moving, optimizer="sgd", lr=0.01, momentum=0.9, epochs=2, progress=False).fit(X, y)
    Trainer(plain, optimizer="sgd", lr=0.01, epochs=2, progress=False).fit(X, y)
    assert not np.array_equal(moving[0].weight.data, plain[0].weight.data)


def test_a_bad_seed_is_named():
    with pytest.raises(InputError) as raised:
        Trainer(nn.linear_model(3), seed=-1)
    assert str(raised.value).startswith("seed=-1 is out of range; it must be a whole number from 0")


def test_the_penalty_is_added_to_the_loss():
    """With a zero loss, a penalty Σw² is all there is: descending on it shrinks the weights."""
    X, y = data()
    model = nn.linear_model(3, seed=0, dtype="float64")
    before = np.abs(model[0].weight.data).sum()
    Trainer(model, loss=lambda p, t: (p * 0.0).sum(), optimizer="sgd", lr=0.1, epochs=5,
            penalty=lambda m: (m[0].weight ** 2).sum(), progress=False).fit(X, y)
    assert np.abs(model[0].weight.data).sum() == pytest.approx(before * 0.8 ** (5 * 4), rel=1e-9)


# ----- make_optimizer and weights_of ------------------------------------------------------------------------------

def test_make_optimizer_defaults_to_no_weight_decay_and_no_momentum():
    model = nn.linear_model(3, seed=0)
    for name in ("sgd", "adam", "adamw"):
        groups = make_optimizer(name, model, lr=0.01).param_groups
        assert [g["weight_decay"] for g in groups] == [0.0, 0.0] and [g["lr"] for g in groups] == [0.01, 0.01]
    assert [g["momentum"] for g in make_optimizer("sgd", model, lr=0.01).param_groups] == [0.0, 0.0]


def test_make_optimizer_gives_sgd_its_momentum():
    model = nn.linear_model(3, seed=0)
    optimizer = make_optimizer("sgd", model, lr=0.01, momentum=0.9)
    assert isinstance(optimizer, optim.SGD) and [g["momentum"] for g in optimizer.param_groups] == [0.9, 0.9]
    assert isinstance(make_optimizer("adam", model, lr=0.01), optim.Adam)
    assert isinstance(make_optimizer("adamw", model, lr=0.01), optim.AdamW)


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_make_optimizer_refuses_momentum_for_adam(name):
    with pytest.raises(InputError) as raised:
        make_optimizer(name, nn.linear_model(3), lr=0.01, momentum=0.9)
    assert str(raised.value) == (f"momentum applies to optimizer='sgd'; {name} keeps its own running averages "
                                 "(got momentum=0.9)")


def test_make_optimizer_checks_momentum_by_name():
    with pytest.raises(InputError) as raised:
        make_optimizer("sgd", nn.linear_model(3), lr=0.01, momentum=1.0)
    assert str(raised.value).startswith("momentum=1.0 is out of range; it must be a number from 0, below 1")


def test_a_model_without_biases_gets_one_parameter_group():
    model = nn.Sequential(nn.Linear(3, 2, bias=False), nn.Linear(2, 1, bias=False))
    groups = make_optimizer("sgd", model, lr=0.01, weight_decay=0.1).param_groups
    assert len(groups) == 1 and [id(p) for p in groups[0]["params"]] == [id(model[0].weight), id(model[1].weight)]


class Oddly(nn.Module):
    """Parameters named "weight" directly, one level down, two levels down, and not quite "weight"."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(np.ones((1, 2)))
        self.my_weights = nn.Parameter(np.ones(2))
        self.weight_scale = nn.Parameter(np.ones(1))
        self.inner = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 1)))

    def forward(self, x):
        return self.inner(x @ self.weight.T * self.weight_scale)


def test_weights_of_takes_parameters_whose_last_name_is_weight():
    model = Oddly()
    names = {id(p): name for name, p in model.named_parameters()}
    assert [names[id(p)] for p in weights_of(model)] == ["weight", "inner.0.weight", "inner.1.0.weight"]
    layer = nn.Linear(3, 1)
    assert [id(p) for p in weights_of(layer)] == [id(layer.weight)]


# ----- predict ----------------------------------------------------------------------------------------------------

def counted(model):
    sizes = []
    forward = model.forward

    def spy(x):
        sizes.append(len(x.data))
        return forward(x)
    model.forward = spy
    return sizes


def test_predict_in_chunks_gives_the_same_as_one_pass():
    model = nn.relu_network(3, 4, seed=0)
    X = np.random.default_rng(0).normal(size=(10, 3))
    whole = predict(model, X)
    sizes = counted(model)
    assert np.array_equal(predict(model, X, batch_size=4), whole) and sizes == [4, 4, 2]
    sizes.clear()
    assert np.array_equal(predict(model, X, batch_size=10), whole) and sizes == [10]


def test_predict_reads_at_most_65536_rows_at_a_time():
    model = nn.linear_model(1, seed=0)
    sizes = counted(model)
    out = predict(model, np.ones((65537, 1)))
    assert sizes == [65536, 1] and out.shape == (65537, 1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_predict_on_no_rows_gives_an_empty_column_of_the_models_dtype(dtype):
    out = predict(nn.linear_model(3, dtype=dtype), np.zeros((0, 3)))
    assert out.shape == (0, 1) and out.dtype == np.dtype(dtype)


def test_predict_restores_evaluation_mode_too():
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 1)).eval()
    predict(model, np.ones((2, 3)))
    assert not model.training and not model[1].training


@pytest.mark.parametrize("settings, words", [
    ({"optimizer": "sgd", "lr": 0.1, "momentum": 0.999},
     "with learning rate 0.1 and momentum 0.999; try a smaller momentum such as momentum=0.9 or a smaller learning "
     "rate such as lr=0.01"),
    ({"lr": 0.01, "l1": 500.0},
     "with learning rate 0.01 and L1 500; try a smaller l1 or a smaller learning rate such as lr=0.001"),
    ({"optimizer": "sgd", "lr": 0.5, "weight_decay": 4.0},
     "with learning rate 0.5 and weight decay 4; try a smaller weight_decay or a smaller learning rate such as "
     "lr=0.05"),
    ({"optimizer": "sgd", "lr": 0.01, "momentum": 0.5, "weight_decay": 0.1, "l1": 0.01},
     "with learning rate 0.01, momentum 0.5, weight decay 0.1 and L1 0.01; try a smaller learning rate such as "
     "lr=0.001 or a smaller weight_decay"),
])
def test_divergence_blames_a_huge_momentum_l1_or_weight_decay_before_the_learning_rate(settings, words):
    X, y = data(n=20)
    with pytest.raises(DivergedError) as raised:
        Trainer(nn.linear_model(3, seed=0), loss=scripted(1.0, [np.inf]), progress=False, **settings).fit(X, y)
    assert str(raised.value).endswith(words)
