"""src/gradstep/experiments/activation.py: linear layers collapse to one; ReLUs between them bend the fit."""

import re

import numpy as np
import pytest

from gradstep import nn
from gradstep.experiments import activation
from gradstep.experiments.activation import collapse
from gradstep.experiments.common import Settings
from gradstep.tensor import Tensor

MODELS = ["linear model", "3 layers, no activation", "3 layers of ReLUs"]


def test_tables_and_figure(reproduced):
    out, studies, _ = reproduced
    study = studies["activation"]
    curve, forecast = study.tables
    assert [len(curve.rows), len(forecast.rows)] == [3, 1]
    assert [row[0] for row in curve.rows] == MODELS
    assert all(re.fullmatch(r"\d+\.\d{3} ± \d+\.\d{3}", cell) for cell in forecast.rows[0])
    line, deep = (row[1].split(" ± ")[0] for row in curve.rows[:2])
    assert f"({deep}k vs {line}k)" in study.finding
    assert (out / "activation.png").read_bytes()[:4] == b"\x89PNG"


def test_collapse_is_the_product_of_the_layers():
    rng = np.random.default_rng(0)
    model = nn.Sequential(*(nn.Linear(a, b, dtype=np.float64, rng=rng) for a, b in ((4, 6), (6, 5), (5, 1))))
    weight, bias = collapse(model)
    x = rng.normal(size=(7, 4))
    np.testing.assert_allclose(model(Tensor(x, dtype=np.float64)).data[:, 0], x @ weight[0] + bias[0], rtol=1e-12)
    relu = nn.relu_network(4, 6, 2, dtype=np.float64, seed=0)
    relu_weight, relu_bias = collapse(nn.Sequential(*(m for m in relu if isinstance(m, nn.Linear))))
    assert not np.allclose(relu(Tensor(x, dtype=np.float64)).data[:, 0], x @ relu_weight[0] + relu_bias[0])


def _results(relu=(300.0, 500.0), gaps=(1e-12, 1e-11)):
    """2 seeds: the line 1.2k, the linear layers 1.1k, the ReLUs as given; forecast train 0.5k, test 0.8k."""
    errors = {"linear": (1100.0, 1300.0), "deep_linear": (1000.0, 1200.0), "relu": relu}
    return {("activation", seed): {"errors": {name: values[seed] for name, values in errors.items()},
                                   "forecast": {"train": (400.0, 600.0)[seed], "test": (700.0, 900.0)[seed]},
                                   "collapse_gap": gaps[seed], "seed": seed}
            for seed in (0, 1)}


@pytest.fixture
def drawn(record):
    return record(activation, "activation_plot")


def test_report_tabulates_each_model_and_the_forecast(tmp_path, drawn):
    results = _results()
    study = activation.report(Settings(seeds=2), results, tmp_path)
    curve, forecast = study.tables
    assert curve.rows == [["linear model", "1.200 ± 0.141"], ["3 layers, no activation", "1.100 ± 0.141"],
                          ["3 layers of ReLUs", "0.400 ± 0.141"]]
    assert forecast.rows == [["0.500 ± 0.141", "0.800 ± 0.141"]]
    assert "(largest difference 1.0e-11)" in study.finding and "(1.100k vs 1.200k)" in study.finding
    assert study.finding.endswith("with ReLUs the same depth follows the curve (0.400k).")
    assert study.claims == [("the network without activations equals its collapsed linear model W = W3 W2 W1: "
                             "largest difference 1.0e-11 (standardised units)", True)]
    assert drawn == [(results[("activation", 0)], tmp_path / "activation.png")]


def test_relus_that_do_not_halve_the_lines_error_only_fit_somewhat_better(tmp_path, drawn):
    study = activation.report(Settings(seeds=2), _results(relu=(500.0, 900.0)), tmp_path)
    assert study.finding.endswith("with ReLUs the same depth fits it only somewhat better (0.700k).")


def test_the_claim_fails_if_any_seeds_network_does_not_collapse(tmp_path, drawn):
    study = activation.report(Settings(seeds=2), _results(gaps=(1e-6, 1e-12)), tmp_path)
    assert study.claims[0][1] is False and "largest difference 1.0e-06" in study.claims[0][0]
