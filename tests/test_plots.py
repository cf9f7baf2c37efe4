"""The figures: each writes one readable PNG of the expected size, atomically, and draws what it is given."""

import numpy as np
import pytest

from gradstep import plots

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def drawn_lines(monkeypatch):
    """Record the axes of every figure saved, so a test can see what was drawn."""
    seen = []
    real = plots.save

    def save(figure, path):
        seen.append([line for axes in figure.axes for line in axes.get_lines()])
        real(figure, path)
    monkeypatch.setattr(plots, "save", save)
    return seen


def test_prediction_plot_draws_truth_and_prediction_in_thousands(tmp_path, monkeypatch):
    seen = drawn_lines(monkeypatch)
    plots.prediction_plot(["2021-01-01", "2021-01-02"], [1000, 2000], [1500, 2500], tmp_path / "p.png", title="t")
    assert png_size(tmp_path / "p.png") == (990, 418)
    truth, prediction = seen[0]
    assert list(truth.get_ydata()) == [1.0, 2.0] and list(prediction.get_ydata()) == [1.5, 2.5]
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"]


@pytest.mark.parametrize("year", [[0.5, 0.45], None])
def test_depth_plot_draws_the_year_only_when_measured(tmp_path, monkeypatch, year):
    seen = drawn_lines(monkeypatch)
    plots.depth_plot([1, 2], [0.3, 0.2], [0.4, 0.5], year, [(0.28, 0.43), (0.18, 0.39)], tmp_path / "d.png")
    labels = [line.get_label() for line in seen[0]]
    assert ("test 2021 (gradstep)" in labels) == (year is not None) and len(labels) == 4 + (year is not None)


def test_descent_batch_piecewise_and_activation_plots_write_pngs(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=50) * 1000 + 5000
    paths = {name: {"lr": lr, "path": [[0.0, 0.0], [0.5, 100.0], [0.9, 200.0]], "loss": [1.0, 0.5, 0.2]}
             for name, lr in (("too small", 0.005), ("good", 0.1), ("too large", 1.02))}
    plots.descent_plot(x, x * 0.9 + 300, paths, (0.9, 300.0), tmp_path / "g.png")
    history = {"epoch": [1, 2], "train_mae": [500.0, 400.0], "seconds": [0.1, 0.2], "updates": [10, 20]}
    plots.batch_plot({"full (N)": history, "1": history}, tmp_path / "b.png")
    found = {"x": list(range(1, 366)), "curve": list(rng.normal(size=365) + 5000.0),
             "fits": {n: [5000.0] * 365 for n in (4, 16)}, "errors": {1: 100.0, 4: 50.0, 16: 20.0},
             "sigmoid_gap": {1: (0.4, 0.1), 100: (0.004, 0.1)}}
    plots.piecewise_plot(found, tmp_path / "w.png")
    run = {"day": [1, 2, 3], "views": [1000, 2000, 1500], "curves": {"line": [1500, 1500, 1500]},
           "errors": {"line": 333.0}}
    plots.activation_plot(run, tmp_path / "a.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png", "g.png", "w.png"]
    assert all(min(png_size(p)) > 200 for p in tmp_path.iterdir())
