"""The Trainer: batches and updates, history, early stopping, checkpoints, the divergence guard, silence."""

import numpy as np
import pytest

from gradstep import nn
from gradstep.training import Checkpoint, DivergedError, EarlyStopping, Trainer, predict


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


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = data()
    model = nn.relu_network(3, 32, seed=0)
    seen = []

    class Spy(EarlyStopping):
        def on_epoch_end(self, trainer, row):
            super().on_epoch_end(trainer, row)
            if row["epoch"] == self.best_epoch:
                seen.append(trainer.model.state_dict())
    stopper = Spy(patience=2)
    rng = np.random.default_rng(1)
    history = Trainer(model, optimizer="sgd", lr=0.5, epochs=200, progress=False,
                      callbacks=[stopper]).fit(X, y, X[:10] + rng.normal(size=(10, 3)), y[:10])
    assert history.stopped_early_at is not None and history.stopped_early_at < 200
    assert history.best_epoch == stopper.best_epoch < history.stopped_early_at
    best = seen[-1]
    assert all(np.array_equal(best[k], v) for k, v in model.state_dict().items())


def test_early_stopping_without_validation_says_what_to_do():
    X, y = data()
    with pytest.raises(ValueError, match="valid_days=45"):
        Trainer(nn.linear_model(3), epochs=2, progress=False, callbacks=[EarlyStopping()]).fit(X, y)


def test_checkpoint_saves_on_improvement_or_every_epoch():
    X, y = data()
    saved = []
    Trainer(nn.linear_model(3, seed=0), optimizer="sgd", lr=0.05, epochs=5, progress=False,
            callbacks=[Checkpoint(lambda m, row: saved.append(row["epoch"]), monitor="train_loss")]).fit(X, y)
    assert saved == [1, 2, 3, 4, 5]
    every = []
    Trainer(nn.linear_model(3, seed=0), optimizer="sgd", lr=1e-9, epochs=3, progress=False,
            callbacks=[Checkpoint(lambda m, row: every.append(row["epoch"]), monitor=None)]).fit(X, y)
    assert every == [1, 2, 3]


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


class FakeTrainer:
    """Just what EarlyStopping touches: a model's state, a stop flag and a history."""

    def __init__(self):
        from gradstep.training import History
        self.model = nn.linear_model(1, seed=0)
        self.stop = False
        self.history = History()


@pytest.mark.parametrize("patience", [1, 2, 3])
def test_early_stopping_waits_exactly_patience_epochs_after_the_best(patience):
    losses = [5.0, 4.0, 3.0, 3.5, 3.2, 3.0, 3.1, 2.0]
    stopper, trainer = EarlyStopping(patience=patience), FakeTrainer()
    stopper.on_train_begin(trainer)
    for epoch, value in enumerate(losses, start=1):
        stopper.on_epoch_end(trainer, {"epoch": epoch, "valid_loss": value})
        if trainer.stop:
            break
    assert trainer.history.stopped_early_at == 3 + patience and stopper.best_epoch == 3
    stopper.on_train_end(trainer)
    assert trainer.history.best_epoch == 3


def test_early_stopping_min_delta_counts_small_gains_as_no_gain():
    stopper, trainer = EarlyStopping(patience=2, min_delta=0.5), FakeTrainer()
    stopper.on_train_begin(trainer)
    for epoch, value in enumerate([3.0, 2.8, 2.7], start=1):
        stopper.on_epoch_end(trainer, {"epoch": epoch, "valid_loss": value})
    assert trainer.stop and stopper.best_epoch == 1


def test_checkpoint_without_validation_data_watches_the_training_loss():
    X, y = data()
    saved = []
    Trainer(nn.linear_model(3, seed=0), optimizer="sgd", lr=0.05, epochs=4, progress=False,
            callbacks=[Checkpoint(lambda m, row: saved.append(row["epoch"]))]).fit(X, y)
    assert saved == [1, 2, 3, 4]


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
