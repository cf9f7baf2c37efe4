"""src/gradstep/experiments/overfitting.py: the overfitting setting, every remedy chosen on validation, the test
days scored once per final configuration."""

import copy

import numpy as np
import pandas as pd
import pytest

from gradstep.errors import InputError
from gradstep.experiments import overfitting
from gradstep.experiments.common import Settings

QUICK = Settings(seeds=1, quick=True)


def rounds(settings, results=None):
    """Run the study's jobs round by round in this process, as the runner does; (results, jobs per round)."""
    results = {} if results is None else results
    sizes = []
    while jobs := overfitting.plan(settings, results):
        sizes.append(len(jobs))
        for job in jobs:
            results[job.key] = job.run()
    return results, sizes


@pytest.fixture(scope="module")
def done():
    return rounds(QUICK)


def test_the_setting_trains_on_the_year_before_the_test_year_and_grows_back_to_the_first_day():
    base = overfitting.setting(QUICK)
    assert base.data.test == ("2021-01-01", "2021-12-31") and base.data.valid_days == 91
    assert base.starts == ("2020-01-01", "2019-01-01", "2018-01-01", "2017-02-26")
    spec = base.spec(seed=2, size=1, weight_decay=0.01)
    assert spec.data.train == ("2019-01-01", "2020-12-31") and spec.train.seed == 2
    assert spec.regularization.weight_decay == 0.01 and spec.model.layers == 4
    full = overfitting.setting(Settings())
    assert (full.model.units, full.epochs) == (128, 300)


def test_a_series_shorter_than_a_year_and_its_test_days_is_refused(tmp_path):
    from gradstep.spec import DataSpec
    days = pd.date_range("2023-01-01", periods=300, freq="D")
    path = tmp_path / "short.csv"
    pd.DataFrame({"date": days, "views": np.arange(300) + 100}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"needs 512 days of data with days=56; the series has 300"):
        overfitting.setting(Settings(data=DataSpec(csv=str(path))))


def test_jobs_come_in_rounds_and_only_final_configurations_see_the_test_days(done):
    results, sizes = done
    assert len(sizes) == 3 and sizes[0] > sizes[1] > sizes[2] > 0
    for key, result in results.items():
        final = key[1] in ("final", "base", "data")
        assert ("test" in result) == final, key
        if key[1] in ("candidate", "trial", "cv"):
            assert "test" not in result.get("scored", ["train", "valid"]), key
    assert overfitting.plan(QUICK, results) == []


def test_each_remedy_keeps_the_candidate_with_the_lowest_validation_error(done):
    results, _ = done
    for remedy in ("smaller", "l1", "l2", "dropout", "early", "noise", "lags"):
        valid = {key[3]: result["valid"] for key, result in results.items() if key[1:3] == ("candidate", remedy)}
        chosen = overfitting._final_key(results, remedy)[3]
        assert chosen == min(valid, key=valid.get), remedy
    folds = {key[3]: result["valid"] for key, result in results.items() if key[1:3] == ("cv", "l2")}
    assert overfitting._final_key(results, "cv")[3] == min(folds, key=folds.get)


def test_a_choice_that_could_read_test_scores_is_refused(done):
    results = copy.deepcopy(done[0])
    key = next(key for key in results if key[1:3] == ("candidate", "dropout"))
    results[key]["test"] = 1.0
    with pytest.raises(InputError, match="scored on the test days"):
        overfitting.choice(QUICK, results, "dropout")
    results[key].pop("test")
    results[key]["scored"].append("test")
    with pytest.raises(InputError, match="scored on the test days"):
        overfitting.plan(QUICK, results)


def test_the_search_asks_round_by_round_then_trains_its_best_trial(done):
    results, _ = done
    trials = [results[key] for key in sorted(results) if key[1] == "trial"]
    assert [trial["number"] for trial in trials] == [0, 1, 2, 3]
    best = min((t for t in trials if t["state"] == "complete"), key=lambda t: t["valid_mae"])
    assert overfitting._final_key(results, "search")[3] == overfitting._labels(best["params"])


def test_the_plan_is_the_same_every_time(done):
    first = overfitting.plan(QUICK, {})
    again = overfitting.plan(QUICK, {})
    assert [(job.key, job.kwargs) for job in first] == [(job.key, job.kwargs) for job in again]


@pytest.mark.parametrize("remedy, spread, expected", [
    (0.30, 0.01, "helps"), (0.39, 0.01, "same"), (0.45, 0.01, "hurts"), (0.33, 0.05, "same"), (0.30, 0.0, "helps")])
def test_verdict_needs_a_change_beyond_twice_the_larger_spread(remedy, spread, expected):
    mean, spreads = {"base": 0.40, "x": remedy}, {"base": 0.02, "x": spread}
    assert overfitting.verdict("x", mean, spreads) == expected
    assert overfitting.verdict("x", mean, {"base": 0.0, "x": 0.0}) == "one_seed"


def test_report_ties_the_table_the_finding_and_the_figures_to_the_results(done, tmp_path):
    results, _ = done
    study = overfitting.report(QUICK, results, tmp_path)
    table = study.tables[0]
    assert [row[0] for row in table.rows][:2] == ["none (the overfitting setting)", "a smaller model"]
    assert len(table.rows) == 1 + len(overfitting.REMEDIES)
    base = results[("overfitting", "base", 0)]
    assert table.rows[0][2:5] == [f"{base[part] / 1e3:.3f}" for part in ("train", "valid", "test")]
    assert f"L = {base['train'] / 1e3:.3f}k" in study.finding and f"test error {base['test'] / 1e3:.3f}k" in study.finding
    data = results[("overfitting", "data", 3, 0)]
    row = table.rows[[r[0] for r in table.rows].index("more data")]
    assert row[1] == "3.8 years of training days" and row[4] == f"{data['test'] / 1e3:.3f}"
    assert all(row[-1] == "one seed: no spread to judge by" for row in table.rows[1:])
    assert [name for name, _ in study.figures] == [f"overfitting_{name}.png" for name in
                                                   ("curves", "capacity", "remedies", "data", "days", "cv")]
    assert all((tmp_path / name).read_bytes()[:4] == b"\x89PNG" for name, _ in study.figures)
    assert [held for _, held in study.claims] == [True, True, True]
