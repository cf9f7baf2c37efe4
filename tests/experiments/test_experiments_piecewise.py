"""src/gradstep/experiments/piecewise.py: a curve as a constant plus hard sigmoids, and sigmoids approaching them."""

import numpy as np
import pytest

from gradstep.experiments import piecewise
from gradstep.experiments.common import Settings
from gradstep.experiments.piecewise import PIECES, SHARPNESS, hard_sigmoid_sum


def test_tables_and_figure(reproduced):
    out, studies, _ = reproduced
    study = studies["piecewise"]
    pieces, sharp = study.tables
    assert [len(pieces.rows), len(sharp.rows)] == [1, 2]
    assert pieces.columns == ["hard sigmoids n", "1", "2", "4", "8", "16", "32", "64"]
    assert sharp.columns == ["w", "1", "2", "5", "10", "50", "100"]
    assert f"{pieces.rows[0][1]}k with 1, {pieces.rows[0][-1]}k with 64" in study.finding
    assert (out / "piecewise.png").read_bytes()[:4] == b"\x89PNG"


def test_hard_sigmoid_sum_is_the_interpolation_through_the_knots():
    x = np.linspace(0, 10, 101)
    knots = np.array([0.0, 2.0, 5.0, 10.0])
    values = np.array([1.0, 3.0, -1.0, 4.0])
    clipped, relus = hard_sigmoid_sum(x, knots, np.diff(values), values[0])
    np.testing.assert_allclose(clipped, np.interp(x, knots, values), atol=1e-12)
    np.testing.assert_allclose(relus, clipped, atol=1e-12)


def _found(errors, relu_gap=1e-12, interp_gap=1e-9):
    return {"errors": dict(zip(PIECES, errors)),
            "sigmoid_gap": {w: (0.9 / w, 0.12 + w / 1e4) for w in SHARPNESS},
            "relu_gap": relu_gap, "interp_gap": interp_gap,
            "components": {"n": 4, "hard_mae": 210.0, "sigmoid_mae": 260.0}}


FALLING = [800.0, 500.0, 300.0, 200.0, 120.0, 80.0, 50.0]


def test_report_tabulates_the_errors_and_gaps_it_is_given(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(piecewise, "piecewise_plot", lambda *args, **kwargs: drawn.append(args))
    found = _found(FALLING)
    study = piecewise.report(Settings(), {("piecewise",): found}, tmp_path)
    pieces, sharp = study.tables
    assert pieces.rows == [["MAE (k)", "0.800", "0.500", "0.300", "0.200", "0.120", "0.080", "0.050"]]
    assert sharp.rows == [["area ∫|σ − hard| dz", "0.9000", "0.4500", "0.1800", "0.0900", "0.0180", "0.0090"],
                          ["max |σ − hard|", "0.1201", "0.1202", "0.1205", "0.1210", "0.1250", "0.1300"]]
    assert "with an error that falls as pieces are added: 0.800k with 1, 0.050k with 64" in study.finding
    assert "the area between them goes 0.900 → 0.0090 from w = 1 to 100" in study.finding
    assert "while the largest gap stays 0.130." in study.finding
    assert "With 4 pieces the hard sigmoids miss it by 0.210k and the same pieces made of sigmoids by 0.260k." \
        in study.finding
    assert [held for _, held in study.claims] == [True, True]
    assert drawn == [(found, tmp_path / "piecewise.png")]


def test_an_error_that_rises_is_not_called_falling(tmp_path, monkeypatch):
    monkeypatch.setattr(piecewise, "piecewise_plot", lambda *args, **kwargs: None)
    rising = FALLING[:3] + [350.0] + FALLING[4:]
    study = piecewise.report(Settings(), {("piecewise",): _found(rising)}, tmp_path)
    assert "with an error that does not always fall as pieces are added" in study.finding


@pytest.mark.parametrize("relu_gap, interp_gap, held", [
    (1e-12, 1e-9, [True, True]),
    (1e-6, 1e-9, [False, True]),
    (1e-12, 1e-3, [True, False]),
])
def test_claims_hold_only_for_small_gaps(tmp_path, monkeypatch, relu_gap, interp_gap, held):
    monkeypatch.setattr(piecewise, "piecewise_plot", lambda *args, **kwargs: None)
    study = piecewise.report(Settings(), {("piecewise",): _found(FALLING, relu_gap, interp_gap)}, tmp_path)
    assert [h for _, h in study.claims] == held
    assert f"{relu_gap:.1e} views" in study.claims[0][0] and f"{interp_gap:.1e} views" in study.claims[1][0]


def test_components_add_up_to_the_n_piece_curve_and_each_is_a_ramp_of_its_height():
    """constant + Σ ci hard_sigmoid(…) is the piecewise linear curve through the knots; each component rises from 0 to
    ci over its own interval only; the sigmoid pieces differ from the hard ones but sum near them."""
    x = np.arange(1.0, 101.0)
    f = 1000 + 300 * np.sin(x / 15)
    found = piecewise.components(x, f, 4)
    knots = np.asarray(found["knots"])
    at_knots = np.interp(knots, x, f)
    np.testing.assert_allclose(found["hard_sum"], np.interp(x, knots, at_knots), atol=1e-9)
    np.testing.assert_allclose(found["constant"] + np.sum(found["hard"], axis=0), found["hard_sum"], atol=1e-9)
    np.testing.assert_allclose(found["constant"] + np.sum(found["sigmoid"], axis=0), found["sigmoid_sum"], atol=1e-9)
    assert found["constant"] == pytest.approx(f[0])
    for i, piece in enumerate(np.asarray(found["hard"])):
        height = at_knots[i + 1] - at_knots[i]
        assert piece[x <= knots[i]] == pytest.approx(0.0) and piece[x >= knots[i + 1]] == pytest.approx(height)
        middle = np.argmin(np.abs(x - (knots[i] + knots[i + 1]) / 2))
        assert found["sigmoid"][i][middle] == pytest.approx(piece[middle], rel=0.05)
    assert found["hard_mae"] == pytest.approx(np.abs(np.asarray(found["hard_sum"]) - f).mean())
    assert found["sigmoid_mae"] == pytest.approx(np.abs(np.asarray(found["sigmoid_sum"]) - f).mean())
    assert found["sigmoid_mae"] > found["hard_mae"]
