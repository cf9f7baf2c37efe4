"""src/gradstep/training/trainer.py, the Trainer: batches and updates, history, seeds, the divergence guard,
penalties and hooks, silence. Its callbacks are in test_callbacks.py."""

import numpy as np
import pytest

from gradstep import nn
from gradstep.training import DivergedError, Trainer, predict


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
