"""src/gradstep/training/callbacks.py: EarlyStopping (patience, min_delta, the best weights restored) and
Checkpoint (on improvement of the monitored loss, or every epoch), alone and inside Trainer.fit."""

import numpy as np
import pytest

from gradstep import nn
from gradstep.errors import InputError
from gradstep.training import Checkpoint, EarlyStopping, History, Trainer


def data(n=100, days=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, days))
    return X, X @ np.array([0.5, -0.2, 0.1]) + 0.05 * rng.normal(size=n)


class FakeTrainer:
    """Just what the callbacks touch: a model's state, a stop flag and a history."""

    def __init__(self):
        self.model = nn.linear_model(1, seed=0)
        self.stop = False
        self.history = History()


def _run(callback, trainer, rows):
    """Feed epoch rows to a callback the way Trainer.fit does, stopping when it says so."""
    callback.on_train_begin(trainer)
    for epoch, row in enumerate(rows, start=1):
        callback.on_epoch_end(trainer, {"epoch": epoch, **row})
        if trainer.stop:
            break
    callback.on_train_end(trainer)


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
    with pytest.raises(InputError, match=r"early stopping watches 'valid_loss' but training records only train_loss;"):
        _run(EarlyStopping(), FakeTrainer(), [{"train_loss": 1.0, "train_mae": 1.0}])


@pytest.mark.parametrize("patience", [1, 2, 3])
def test_early_stopping_waits_exactly_patience_epochs_after_the_best(patience):
    losses = [5.0, 4.0, 3.0, 3.5, 3.2, 3.0, 3.1, 2.0]
    stopper, trainer = EarlyStopping(patience=patience), FakeTrainer()
    _run(stopper, trainer, [{"valid_loss": value} for value in losses])
    assert trainer.history.stopped_early_at == 3 + patience and stopper.best_epoch == 3
    assert trainer.history.best_epoch == 3


def test_early_stopping_min_delta_counts_small_gains_as_no_gain():
    stopper, trainer = EarlyStopping(patience=2, min_delta=0.5), FakeTrainer()
    _run(stopper, trainer, [{"valid_loss": value} for value in [3.0, 2.8, 2.7]])
    assert trainer.stop and stopper.best_epoch == 1


def test_an_improvement_starts_the_wait_again():
    """Epoch 4 improves after a bad epoch 3, so patience 2 runs out at epoch 6, not 5."""
    stopper, trainer = EarlyStopping(patience=2), FakeTrainer()
    _run(stopper, trainer, [{"valid_loss": value} for value in [5.0, 4.0, 4.5, 3.9, 4.0, 4.1, 1.0]])
    assert trainer.history.stopped_early_at == 6 and trainer.history.best_epoch == 4


def test_each_fit_starts_afresh():
    """A stopper reused for a second training forgets the first one's best loss and wait."""
    stopper = EarlyStopping(patience=2)
    _run(stopper, FakeTrainer(), [{"valid_loss": value} for value in [1.0, 2.0]])
    trainer = FakeTrainer()
    _run(stopper, trainer, [{"valid_loss": value} for value in [5.0, 4.0, 3.0]])
    assert not trainer.stop and trainer.history.best_epoch == 3 and trainer.history.stopped_early_at is None


class Weighted(FakeTrainer):
    """A trainer whose model's weight is set, in place, to the epoch number at each epoch."""

    def weigh(self, epoch):
        self.model[0].weight.data[...] = epoch


@pytest.mark.parametrize("restore, final", [(True, 2.0), (False, 4.0)])
def test_the_best_epochs_weights_are_restored_only_when_asked(restore, final):
    stopper, trainer = EarlyStopping(patience=5, restore_best_weights=restore), Weighted()
    stopper.on_train_begin(trainer)
    for epoch, value in enumerate([3.0, 1.0, 2.0, 4.0], start=1):
        trainer.weigh(epoch)
        stopper.on_epoch_end(trainer, {"epoch": epoch, "valid_loss": value})
    stopper.on_train_end(trainer)
    assert trainer.model[0].weight.data.item() == final and trainer.history.best_epoch == 2


def test_checkpoint_saves_on_improvement_or_every_epoch():
    X, y = data()
    saved = []
    Trainer(nn.linear_model(3, seed=0), optimizer="sgd", lr=0.05, epochs=5, progress=False,
            callbacks=[Checkpoint(lambda m, row: saved.append(row["epoch"]), monitor="train_loss")]).fit(X, y)
    assert saved == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("monitor, rows, epochs", [
    # valid_loss improves at epochs 1 and 3 only; train_loss at every epoch
    ("valid_loss", [(3.0, 5.0), (2.0, 6.0), (1.0, 4.0), (0.5, 4.5)], [1, 3]),
    ("train_loss", [(3.0, 5.0), (2.0, 6.0), (1.0, 4.0), (0.5, 4.5)], [1, 2, 3, 4]),
    (None, [(3.0, 5.0), (4.0, 6.0), (5.0, 7.0)], [1, 2, 3]),
    # no validation: the default monitor falls back to train_loss
    ("valid_loss", [(3.0, None), (2.0, None), (2.5, None), (1.0, None)], [1, 2, 4]),
])
def test_checkpoint_saves_when_the_monitored_loss_improves(monitor, rows, epochs):
    trainer, saved = FakeTrainer(), []

    def save(model, row):
        assert model is trainer.model
        saved.append(row["epoch"])
    rows = [{"train_loss": train, **({} if valid is None else {"valid_loss": valid})} for train, valid in rows]
    _run(Checkpoint(save, monitor=monitor), trainer, rows)
    assert saved == epochs


def test_checkpoint_without_validation_data_watches_the_training_loss():
    X, y = data()
    saved = []
    Trainer(nn.linear_model(3, seed=0), optimizer="sgd", lr=0.05, epochs=4, progress=False,
            callbacks=[Checkpoint(lambda m, row: saved.append(row["epoch"]))]).fit(X, y)
    assert saved == [1, 2, 3, 4]


def test_early_stopping_waits_ten_epochs_by_default():
    stopper, trainer = EarlyStopping(), FakeTrainer()
    assert stopper.patience == 10 and stopper.monitor == "valid_loss" and stopper.restore_best_weights
    assert stopper.min_delta == 0.0
    _run(stopper, trainer, [{"valid_loss": 1.0}] + [{"valid_loss": 2.0}] * 20)
    assert trainer.history.stopped_early_at == 11 and trainer.history.best_epoch == 1


@pytest.mark.parametrize("value", [np.nan, np.inf])
@pytest.mark.parametrize("restore", [True, False])
def test_a_loss_that_never_improves_stops_after_patience_with_no_best_epoch(value, restore):
    """No epoch beats "no loss yet" (nan, inf): the wait counts from the first epoch, there is no best epoch and
    the weights are left as they are."""
    stopper, trainer = EarlyStopping(patience=3, restore_best_weights=restore), Weighted()
    stopper.on_train_begin(trainer)
    for epoch in range(1, 10):
        trainer.weigh(epoch)
        stopper.on_epoch_end(trainer, {"epoch": epoch, "valid_loss": value})
        if trainer.stop:
            break
    stopper.on_train_end(trainer)
    assert trainer.history.stopped_early_at == 3 and stopper.waited == 3
    assert stopper.best_epoch is None and trainer.history.best_epoch is None and stopper.best_state is None
    assert trainer.model[0].weight.data.item() == 3.0


def test_early_stopping_on_an_unrecorded_metric_names_the_losses_it_has():
    row = {"epoch": 1, "train_loss": 1.0, "train_mae": 2.0, "valid_loss": 1.5, "valid_mae": 2.5}
    stopper = EarlyStopping(monitor="valid_mse")
    stopper.on_train_begin(FakeTrainer())
    with pytest.raises(InputError) as raised:
        stopper.on_epoch_end(FakeTrainer(), row)
    assert str(raised.value) == ("early stopping watches 'valid_mse' but training records only train_loss, "
                                 "valid_loss; give validation data (valid_days=45, or X_valid and y_valid)")


def test_checkpoint_watches_the_validation_loss_by_default():
    trainer, saved = FakeTrainer(), []
    rows = [{"train_loss": t, "valid_loss": v} for t, v in [(3.0, 5.0), (2.0, 6.0), (1.0, 4.0), (0.5, 4.5)]]
    checkpoint = Checkpoint(lambda model, row: saved.append(row["epoch"]))
    assert checkpoint.monitor == "valid_loss"
    _run(checkpoint, trainer, rows)
    assert saved == [1, 3]


@pytest.mark.parametrize("monitor", ["valid_loss", "train_loss"])
def test_checkpoint_saves_only_on_a_strictly_better_loss(monitor):
    trainer, saved = FakeTrainer(), []
    rows = [{"train_loss": value, "valid_loss": value} for value in [2.0, 2.0, 1.0, 1.0, 1.0, 0.5]]
    _run(Checkpoint(lambda model, row: saved.append(row["epoch"]), monitor=monitor), trainer, rows)
    assert saved == [1, 3, 6]


def test_early_stopping_state_round_trips_with_its_best_weights():
    stopper = EarlyStopping(patience=3)
    trainer = Weighted()
    _run(stopper, trainer, [{"epoch": 1, "valid_loss": 2.0}, {"epoch": 2, "valid_loss": 1.0},
                            {"epoch": 3, "valid_loss": 1.5}])
    saved = stopper.state_dict()
    again = EarlyStopping(patience=3)
    again.on_train_begin(trainer)
    again.load_state_dict(saved)
    assert (again.best, again.best_epoch, again.waited) == (1.0, 2, 1)
    assert again.best_state.keys() == stopper.best_state.keys()
    assert all(np.array_equal(again.best_state[k], stopper.best_state[k]) for k in stopper.best_state)
    nothing = EarlyStopping()
    nothing.on_train_begin(trainer)
    nothing.load_state_dict({"best": float("inf"), "best_epoch": None, "waited": 0, "best_state": None})
    assert nothing.best_state is None


def test_checkpoint_state_round_trips():
    checkpoint = Checkpoint(lambda model, row: None)
    checkpoint.on_train_begin(None)
    checkpoint.on_epoch_end(FakeTrainer(), {"epoch": 1, "train_loss": 3.0, "valid_loss": 2.5})
    assert checkpoint.state_dict() == {"best": 2.5}
    other = Checkpoint(lambda model, row: None)
    other.load_state_dict({"best": "0.5"})
    assert other.best == 0.5


def test_snapshot_saves_after_the_first_epoch_then_at_most_every_interval(monkeypatch):
    from gradstep.training import Snapshot
    from gradstep.training import callbacks
    clock = iter([100.0, 100.0, 100.4, 101.0, 101.0, 101.9, 102.0])
    monkeypatch.setattr(callbacks.time, "monotonic", lambda: next(clock))
    saved = []
    trainer = FakeTrainer()
    trainer.state_dict = lambda: len(saved)
    snapshot = Snapshot(saved.append)
    assert snapshot.every == 1.0
    snapshot.on_train_begin(trainer)
    for epoch in range(1, 5):
        snapshot.on_epoch_end(trainer, {"epoch": epoch})
    # epoch 1 at t=100 (first), then 100.4 (too soon), 101.0 (exactly 1 s after: saved), 101.9 (too soon)
    assert saved == [0, 1]
