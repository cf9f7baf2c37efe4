"""src/gradstep/experiments/gradient_descent.py: y = b + w x1 by gradient descent, three learning rates."""

import numpy as np
import pytest

from gradstep.experiments import gradient_descent
from gradstep.experiments.common import Settings


def test_table_rows_end_at_the_closed_form_and_the_book(reproduced):
    out, studies, _ = reproduced
    study = studies["gradient-descent"]
    assert [len(table.rows) for table in study.tables] == [5]
    rows = study.tables[0].rows
    assert [row[0] for row in rows] == ["0.005 (too small)", "0.1 (good)", "1.02 (too large)",
                                        "closed form (least squares)", "the book's w*, b*"]
    assert [row[-1] for row in rows[:3]] == ["not yet", "yes", "diverged"]
    assert rows[-1][2:4] == ["0.97", "0.10"]
    assert f"w* = {rows[3][2]}" in study.finding
    assert (out / "gradient_descent.png").read_bytes()[:4] == b"\x89PNG"


def _path(lr, w, b, loss, gap):
    """A path whose losses are given in k views² (the study records views²)."""
    return {"lr": lr, "path": [[0.0, 0.0]] + [[w, b]] * len(loss), "loss": [value * 1e6 for value in loss], "gap": gap}


def _found(good_gap=1e-8):
    return {"paths": {"too small": _path(0.005, 0.3, 200.0, [1.0, 0.9, 0.8], 0.5),
                      "good": _path(0.1, 0.95, 120.0, [1.0, 0.5, 0.1], good_gap),
                      "too large": _path(1.02, 5.0, -3000.0, [1.0, 3.0, 7.0], 4.0)},
            "least_squares": [0.95, 120.0], "x": [1.0, 2.0, 3.0], "y": [2.0, 3.0, 4.0]}


def test_report_reads_each_rates_end_and_the_least_squares_optimum(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(gradient_descent, "descent_plot", lambda *args, **kwargs: drawn.append(args))
    found = _found()
    study = gradient_descent.report(Settings(), {("gradient-descent",): found}, tmp_path)
    assert study.tables[0].rows == [
        ["0.005 (too small)", "3", "0.3", "0.2", "0.8", "not yet"],
        ["0.1 (good)", "3", "0.95", "0.12", "0.1", "yes"],
        ["1.02 (too large)", "3", "5", "-3", "7", "diverged"],
        ["closed form (least squares)", "", "0.9500", "0.1200", "", ""],
        ["the book's w*, b*", "", "0.97", "0.10", "", ""],
    ]
    assert "w* = 0.9500, b* = 0.120k" in study.finding
    assert study.claims == [("gradient descent (η = 0.1) reaches the closed form: w and b within 1.0e-08 of least "
                             "squares (standardised units)", True)]
    (x, y, paths, optimum, where), = drawn
    assert x.tolist() == found["x"] and y.tolist() == found["y"] and paths is found["paths"]
    assert optimum == (0.95, 120.0) and where == tmp_path / "gradient_descent.png"


def test_the_claim_fails_when_the_good_rate_stops_short(tmp_path, monkeypatch):
    monkeypatch.setattr(gradient_descent, "descent_plot", lambda *args, **kwargs: None)
    study = gradient_descent.report(Settings(), {("gradient-descent",): _found(good_gap=1e-3)}, tmp_path)
    assert study.claims[0][1] is False and "within 1.0e-03" in study.claims[0][0]
    assert study.tables[0].rows[1][-1] == "not yet"


@pytest.mark.parametrize("loss, gap, verdict", [
    ([1.0, 0.5, 0.1], 1e-8, "yes"),
    ([1.0, 0.5, 0.1], 2e-6, "not yet"),
    ([1.0, 3.0, 7.0], 4.0, "diverged"),
    ([1.0, 0.5, np.inf], np.nan, "diverged"),
    ([1.0, 0.5, np.nan], np.nan, "diverged"),
])
def test_reached_the_optimum_column(tmp_path, monkeypatch, loss, gap, verdict):
    monkeypatch.setattr(gradient_descent, "descent_plot", lambda *args, **kwargs: None)
    found = _found()
    found["paths"]["too large"] = _path(1.02, 5.0, -3000.0, loss, gap)
    study = gradient_descent.report(Settings(), {("gradient-descent",): found}, tmp_path)
    assert study.tables[0].rows[2][-1] == verdict


def test_descent_records_the_loss_in_views_squared_at_each_point_of_the_path():
    """Descent runs in standardised units; each recorded loss is the raw MSE of the point it was taken at (a loss left
    standardised, or scaled by the std instead of its square, is off by orders of magnitude)."""
    found = gradient_descent.descend(Settings().data, steps=3)
    x, y = np.asarray(found["x"]), np.asarray(found["y"])
    for run in found["paths"].values():
        for (w, b), loss in zip(run["path"], run["loss"]):
            assert loss == pytest.approx(np.mean((b + w * x - y) ** 2), rel=1e-9)


def test_the_error_surface_is_the_mse_of_the_line_and_its_minimum_least_squares():
    """Exact at large views (centred moments: the expanded square would lose the digits), minimum at least squares."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=200) * 1000 + 5000
    y = 0.8 * x + 900 + rng.normal(size=200) * 300
    loss, (w_star, b_star, minimum) = gradient_descent.mse_surface(x, y)
    for w, b in ((0.0, 0.0), (0.7, 1500.0), (1.3, -2000.0), (w_star, b_star)):
        assert loss(w, b) == pytest.approx(np.mean((b + w * x - y) ** 2), rel=1e-12)
    np.testing.assert_allclose([w_star, b_star], np.polyfit(x, y, 1), rtol=1e-9)
    assert minimum == pytest.approx(loss(w_star, b_star)) and minimum < loss(w_star + 0.01, b_star)
    flat = gradient_descent.mse_surface(np.full(5, 3.0), np.arange(5.0))
    assert flat[1][:2] == (0.0, 2.0)
