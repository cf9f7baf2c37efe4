"""Each remedy for overfitting, through the run path, does what it says — none is silently a no-op.

Every test compares a run with the remedy against the same run without it (same data, seed and epochs), so a
remedy that is dropped on the way from the spec to the trainer, or that acts at the wrong time, fails here.
"""

import numpy as np
import pytest

from gradstep import nn
from gradstep import run as runs
from gradstep.spec import DataSpec, ModelSpec, RegularizationSpec, RunSpec, TrainSpec
from gradstep.training import weights_of

DATA = DataSpec(days=14, valid_days=60, train=("2019-01-01", "2020-12-31"))


def fitted(kind="relu", units=32, layers=2, epochs=30, dropout=0.0, ensemble=1, patience=None, **regularization):
    spec = RunSpec(data=DATA, model=ModelSpec(kind=kind, units=units, layers=layers, dropout=dropout,
                                              ensemble=ensemble),
                   train=TrainSpec(epochs=epochs, patience=patience), regularization=RegularizationSpec(**regularization))
    return runs.fit(spec)


@pytest.fixture(scope="module")
def plain():
    return fitted()


def weights(run) -> np.ndarray:
    return np.concatenate([w.data.ravel() for w in weights_of(run.model)]).astype(np.float64)


def test_l1_shrinks_the_weights_and_zeroes_more_of_them(plain):
    """Catches an L1 term that is not added to the loss (or added with the wrong sign)."""
    penalised = fitted(l1=1e-2)
    assert np.abs(weights(penalised)).sum() < 0.6 * np.abs(weights(plain)).sum()
    assert (np.abs(weights(penalised)) < 0.01).mean() > 2 * (np.abs(weights(plain)) < 0.01).mean()


def test_l2_shrinks_the_sum_of_squares(plain):
    """Catches weight decay that does not reach the optimizer."""
    decayed = fitted(weight_decay=0.1)
    assert (weights(decayed) ** 2).sum() < 0.6 * (weights(plain) ** 2).sum()


def test_dropout_acts_while_training_and_never_when_predicting(plain):
    """Catches dropout left on at evaluation (predictions would change call to call) or never applied."""
    dropped = fitted(dropout=0.5)
    X = dropped.split_.valid.X
    assert np.array_equal(dropped.predict(X), dropped.predict(X))
    assert dropped.metrics["train"]["mae"] != pytest.approx(plain.metrics["train"]["mae"], rel=1e-3)
    assert not dropped.model.training


def test_early_stopping_restores_the_weights_of_the_best_validation_epoch():
    """Catches early stopping that stops but keeps the last weights: the run's validation MAE must be the best
    epoch's, not the last one's."""
    run = fitted(units=64, layers=3, epochs=200, patience=5)
    history = run.history
    assert run.stopped_early_at is not None and run.stopped_early_at < 200
    assert run.best_epoch == int(history.loc[history["valid_mae"].idxmin(), "epoch"])
    assert run.metrics["valid"]["mae"] == pytest.approx(history["valid_mae"].min(), rel=1e-3)
    assert history["valid_mae"].iloc[-1] > history["valid_mae"].min()


@pytest.mark.parametrize("changes", [{"input_noise": 0.5}, {"augment": "scale"}])
def test_noise_and_augmentation_change_the_training(plain, changes):
    """Catches a batch transform that the spec names but the trainer never applies."""
    run = fitted(**changes)
    assert run.metrics["train"]["mae"] != pytest.approx(plain.metrics["train"]["mae"], rel=1e-4)


def test_a_seed_ensemble_predicts_the_mean_of_its_members():
    """Catches an ensemble whose members share a seed (all equal) or that returns one member."""
    run = fitted(units=8, epochs=5, ensemble=3)
    X = run.split_.valid.X
    assert isinstance(run.model, nn.Ensemble) and len(run.model) == 3
    members = [runs.fit(run.spec.replace(ensemble=1, seed=seed)) for seed in range(3)]
    predictions = [member.predict(X) for member in members]
    assert not np.allclose(predictions[0], predictions[1])
    assert np.allclose(run.predict(X), np.mean(predictions, axis=0), rtol=1e-5)


def test_a_smaller_model_has_fewer_parameters_and_fits_the_training_days_less_closely(plain):
    small = fitted(units=4, layers=1)
    assert sum(p.data.size for p in small.model.parameters()) < sum(p.data.size for p in plain.model.parameters()) / 10
    assert small.metrics["train"]["mae"] > plain.metrics["train"]["mae"]
