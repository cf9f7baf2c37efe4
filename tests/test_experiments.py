"""`gradstep reproduce` on a tiny configuration: every study's table, figure and claim, and the report."""

import re

import numpy as np
import pytest
from rich.console import Console

from gradstep import nn
from gradstep.experiments import STUDIES, run_reproduction
from gradstep.experiments.activation import collapse
from gradstep.experiments.piecewise import hard_sigmoid_sum
from gradstep.tensor import Tensor

EXPECTED_ROWS = {
    "gradient-descent": [5],
    "linear": [4, 2],
    "piecewise": [1, 2],
    "units": [6],
    "depth": [4],
    "activation": [3, 1],
    "batch-size": [5],
}


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    console = Console(record=True, width=160)
    studies = run_reproduction(None, out=out, seeds=2, quick=True, workers=2, console=console)
    return out, {s.name: s for s in studies}, console.export_text()


def test_every_study_runs_and_its_tables_have_the_expected_rows(reproduced):
    _, studies, _ = reproduced
    assert list(studies) == list(STUDIES)
    for name, rows in EXPECTED_ROWS.items():
        assert [len(table.rows) for table in studies[name].tables] == rows, name
        assert studies[name].finding


def test_tables_show_mean_and_spread_over_seeds_beside_the_lecture(reproduced):
    _, studies, _ = reproduced
    linear = studies["linear"].tables[0]
    assert [row[0] for row in linear.rows] == ["1", "7", "28", "56"]
    assert all(re.fullmatch(r"\d+\.\d{3} ± \d+\.\d{3}", cell) for row in linear.rows for cell in row[1:4])
    assert [row[-2:] for row in linear.rows] == [["0.48", "0.58"], ["0.38", "0.49"], ["0.33", "0.46"], ["0.32", "0.46"]]
    depth = studies["depth"].tables[0]
    assert [row[-2:] for row in depth.rows] == [["0.28", "0.43"], ["0.18", "0.39"], ["0.14", "0.38"], ["0.10", "0.44"]]
    units = studies["units"].tables[0]
    assert [row[-2:] for row in units.rows if row[1] == "relu"] == [["0.32", "0.45"], ["0.28", "0.43"], ["0.27", "0.43"]]
    assert studies["batch-size"].tables[0].rows[1][1] == "1405"


def test_every_claim_holds(reproduced):
    _, studies, _ = reproduced
    claims = [(name, text, held) for name, s in studies.items() for text, held in s.claims]
    assert {name for name, _, _ in claims} == {"gradient-descent", "piecewise", "activation"}
    assert all(held for _, _, held in claims), claims


def test_report_files_and_every_figure_they_name_exist(reproduced):
    out, studies, text = reproduced
    md, page = (out / "report.md").read_text(), (out / "report.html").read_text()
    figures = [name for s in studies.values() for name, _ in s.figures]
    assert len(figures) == 6
    for name in figures:
        assert (out / name).stat().st_size > 5000 and (out / name).read_bytes()[:4] == b"\x89PNG"
        assert f"]({name})" in md and f"src='{name}'" in page
    assert set(re.findall(r"src='([^']+)'", page)) == set(figures)
    assert "wall time:" in md and "machine:" in md and "<table>" in page
    assert "✓ holds" in text and "L′ test" in text
    assert not list(out.glob("*.tmp"))


def test_collapse_is_the_product_of_the_layers():
    rng = np.random.default_rng(0)
    model = nn.Sequential(*(nn.Linear(a, b, dtype=np.float64, rng=rng) for a, b in ((4, 6), (6, 5), (5, 1))))
    weight, bias = collapse(model)
    x = rng.normal(size=(7, 4))
    np.testing.assert_allclose(model(Tensor(x, dtype=np.float64)).data[:, 0], x @ weight[0] + bias[0], rtol=1e-12)
    relu = nn.relu_network(4, 6, 2, dtype=np.float64, seed=0)
    relu_weight, relu_bias = collapse(nn.Sequential(*(m for m in relu if isinstance(m, nn.Linear))))
    assert not np.allclose(relu(Tensor(x, dtype=np.float64)).data[:, 0], x @ relu_weight[0] + relu_bias[0])


def test_hard_sigmoid_sum_is_the_interpolation_through_the_knots():
    x = np.linspace(0, 10, 101)
    knots = np.array([0.0, 2.0, 5.0, 10.0])
    values = np.array([1.0, 3.0, -1.0, 4.0])
    clipped, relus = hard_sigmoid_sum(x, knots, np.diff(values), values[0])
    np.testing.assert_allclose(clipped, np.interp(x, knots, values), atol=1e-12)
    np.testing.assert_allclose(relus, clipped, atol=1e-12)


def test_study_subset_runs_alone(tmp_path):
    studies = run_reproduction(["piecewise"], out=tmp_path, seeds=1, quick=True, workers=1,
                               console=Console(file=open("/dev/null", "w")))
    assert [s.name for s in studies] == ["piecewise"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["piecewise.png", "report.html", "report.md"]


def test_trend_words_hold_for_the_numbers():
    from gradstep.experiments.common import trend
    labels = ["a", "b", "c"]
    assert trend([3.0, 2.0, 1.0], [0.1, 0.1, 0.1], labels) == "falls at every step"
    assert trend([1.0, 2.0, 3.0], [0.0] * 3, labels) == "rises at every step"
    assert trend([2.0, 1.0, 3.0], [0.0] * 3, labels) == "lowest with b"
    assert trend([2.0, 1.9, 1.8], [0.2] * 3, labels) == "falls at every step; all within the spread over seeds"


def test_findings_quote_the_tables_means(reproduced):
    _, studies, _ = reproduced

    def means(table, column):
        return " → ".join(row[column].split(" ± ")[0] for row in table.rows)
    linear = studies["linear"]
    assert means(linear.tables[0], 1) in linear.finding and means(linear.tables[0], 2) in linear.finding
    depth = studies["depth"]
    assert means(depth.tables[0], 1) in depth.finding and means(depth.tables[0], 2) in depth.finding
    units = studies["units"].tables[0]
    relu = type(units)(units.title, units.columns, [row for row in units.rows if row[1] == "relu"])
    assert means(relu, 2) in studies["units"].finding and means(relu, 3) in studies["units"].finding


def test_a_studys_numbers_match_an_independent_recomputation():
    """train_model's "train" and "test" are the MAE of its own predictions, recomputed here from the linear model's
    weights in views (y = b + Σ wj xj) on the windows built by hand: reporting one part as another fails."""
    from gradstep.data import load_pageviews
    from gradstep.experiments.common import train_model
    from gradstep.spec import ModelSpec, RunSpec, TrainSpec
    spec = RunSpec(model=ModelSpec("linear"), train=TrainSpec(epochs=3)).replace(days=7, dtype="float64")
    result = train_model(spec.to_dict(), predictions=True, weights=True)
    views = load_pageviews().to_numpy()
    dates = load_pageviews().index
    w, b = np.asarray(result["weights"]["w"]), result["weights"]["b"]

    def mae(first, last):
        rows = [i for i in range(7, len(views)) if first <= dates[i] <= last]
        X = np.stack([views[i - 7:i][::-1] for i in rows])
        return np.abs(b + X @ w - views[rows]).mean()
    import pandas as pd
    assert result["train"] == pytest.approx(mae(pd.Timestamp("2017-01-01"), pd.Timestamp("2020-12-31")), rel=1e-9)
    assert result["test"] == pytest.approx(mae(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-14")), rel=1e-9)
    assert result["year"] == pytest.approx(mae(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31")), rel=1e-9)
    assert result["test"] == pytest.approx(np.abs(np.subtract(result["prediction"], result["truth"])).mean())


@pytest.mark.parametrize("means, spreads, words", [
    ([0.5, 0.4, 0.3], [0.01, 0.01, 0.01], "falls at every step"),
    ([0.3, 0.4, 0.5], [0.01, 0.01, 0.01], "rises at every step"),
    ([0.5, 0.3, 0.4], [0.01, 0.01, 0.01], "lowest with b"),
    ([0.5, 0.49, 0.48], [0.02, 0.02, 0.02], "falls at every step; all within the spread over seeds"),
    ([0.5, 0.45, 0.4], [0.02, 0.02, 0.02], "falls at every step"),
])
def test_trend_words_follow_the_numbers(means, spreads, words):
    from gradstep.experiments.common import trend
    assert trend(means, spreads, ["a", "b", "c"]) == words


def test_reproduce_runs_the_chapter_on_a_users_csv(tmp_path, capsys):
    """--csv: the report names the file and, without the lecture's dates, tests on its own last 45 days."""
    from gradstep.cli import main
    from gradstep.data import load_pageviews
    series = load_pageviews("Standard_deviation").loc["2022-06-01":"2023-12-31"]
    csv = tmp_path / "views.csv"
    series.rename("Views").rename_axis("Date").to_frame().to_csv(csv)
    out = tmp_path / "report"
    assert main(["reproduce", "linear", "piecewise", "--quick", "--seeds", "1", "--workers", "1",
                 "--csv", str(csv), "--out", str(out)]) == 0
    md = (out / "report.md").read_text()
    assert str(csv) in md and "its own last 45 days are the test days" in md and "--csv" in md
    linear = md.split("## Linear models")[1]
    assert "| 56 |" in linear and "| – |" in linear
    assert "as in the lecture" not in md.split("## ")[0]
