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
                          ({"lr": -1}, r"lr=-1.0 is out of range"), ({"epochs": 0}, "epochs=0 is out of range")):
        with pytest.raises(ValueError, match=words):
            Trainer(model, **kwargs)


def test_predict_leaves_training_mode_and_keeps_dtype():
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 1))
    X = np.ones((5, 3))
    out = predict(model, X)
    assert out.dtype == np.float32 and np.array_equal(out, predict(model, X)) and model.training
