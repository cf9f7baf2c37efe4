"""src/gradstep/experiments/overfitting.py: the overfitting setting, every remedy chosen on validation, the test
days scored once per final configuration."""

import copy
import zlib

import numpy as np
import pandas as pd
import pytest

from gradstep.errors import InputError
from gradstep.experiments import overfitting
from gradstep.experiments.common import Settings, k
from gradstep.lang import Text

QUICK = Settings(seeds=1, quick=True)
EN = Text("en")


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
    """One real quick run of the study, one seed (the tests using it are named test_real_…)."""
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


def test_real_jobs_come_in_rounds_and_only_final_configurations_see_the_test_days(done):
    results, sizes = done
    assert len(sizes) == 3 and sizes[0] > sizes[1] > sizes[2] > 0
    for key, result in results.items():
        final = key[1] in ("final", "base", "data")
        assert ("test" in result) == final, key
        if key[1] in ("candidate", "trial", "cv"):
            assert "test" not in result.get("scored", ["train", "valid"]), key
    assert overfitting.plan(QUICK, results) == []


def test_real_remedy_keeps_the_candidate_with_the_lowest_validation_error(done):
    results, _ = done
    for remedy in ("smaller", "l1", "l2", "dropout", "early", "noise", "lags"):
        valid = {key[3]: result["valid"] for key, result in results.items() if key[1:3] == ("candidate", remedy)}
        chosen = overfitting._final_key(results, remedy)[3]
        assert chosen == min(valid, key=valid.get), remedy
    folds = {key[3]: result["valid"] for key, result in results.items() if key[1:3] == ("cv", "l2")}
    assert overfitting._final_key(results, "cv")[3] == min(folds, key=folds.get)


def test_real_choice_that_could_read_test_scores_is_refused(done):
    results = copy.deepcopy(done[0])
    key = next(key for key in results if key[1:3] == ("candidate", "dropout"))
    results[key]["test"] = 1.0
    with pytest.raises(InputError, match="scored on the test days"):
        overfitting.choice(QUICK, results, "dropout")
    results[key].pop("test")
    results[key]["scored"].append("test")
    with pytest.raises(InputError, match="scored on the test days"):
        overfitting.plan(QUICK, results)


def test_real_search_asks_round_by_round_then_trains_its_best_trial(done):
    results, _ = done
    trials = [results[key] for key in sorted(results) if key[1] == "trial"]
    assert [trial["number"] for trial in trials] == [0, 1, 2, 3]
    best = min((t for t in trials if t["state"] == "complete"), key=lambda t: t["valid_mae"])
    assert overfitting._final_key(results, "search")[3] == overfitting._labels(best["params"])


def test_the_plan_is_the_same_every_time():
    first = overfitting.plan(QUICK, {})
    again = overfitting.plan(QUICK, {})
    assert [(job.key, job.kwargs) for job in first] == [(job.key, job.kwargs) for job in again]


@pytest.mark.parametrize("remedy, spread, expected", [
    (0.30, 0.01, "helps"), (0.39, 0.01, "same"), (0.45, 0.01, "hurts"), (0.33, 0.05, "same"), (0.30, 0.0, "helps")])
def test_verdict_needs_a_change_beyond_twice_the_larger_spread(remedy, spread, expected):
    mean, spreads = {"base": 0.40, "x": remedy}, {"base": 0.02, "x": spread}
    assert overfitting.verdict("x", mean, spreads) == expected
    assert overfitting.verdict("x", mean, {"base": 0.0, "x": 0.0}) == "one_seed"


def test_real_report_ties_the_table_the_finding_and_the_figures_to_the_results(done, tmp_path):
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


# ----- the plan and the report on made-up results (no training: fast, and every number known) -------------------------

FULL = Settings(seeds=3)


def fake(job):
    """The job's result without training, in the shape its function returns: the validation MAE is 300 plus a hash
    of the key without its seed (so the choices are fixed) plus the seed (a spread of 1 over seeds)."""
    kwargs, key = job.kwargs, job.key
    seed = key[-1] if isinstance(key[-1], int) and key[1] != "trial" else 0
    value = 300.0 + zlib.crc32(repr(key[:4] if key[1] != "trial" else key).encode()) % 400 + seed
    if job.function is overfitting.fit_job:
        result = {"train": value / 3, "valid": value, "seconds": 0.5, "epochs": 4, "best_epoch": 2,
                  "scored": ["train", "valid"]}
        if kwargs.get("history"):
            result["history"] = {"epoch": [1, 2, 3, 4], "train_mae": [900.0, 500.0, 300.0, 200.0],
                                 "valid_mae": [950.0, 600.0, 650.0, 700.0]}
        if kwargs.get("importance"):
            result["importance"] = {str(lag): float((lag * 37) % 56) for lag in range(1, 57)}
        if kwargs.get("weights"):
            result["weights"] = {"by_day": [0.1] * 56, "near_zero": 0.25 if key[2] == "l1" else 0.05}
        if kwargs.get("test"):
            result["test"] = 0.9 * value
            result["scored"].append("test")
        return result
    if job.function is overfitting.selection.cross_validate:
        starts = pd.date_range("2020-09-09", periods=4, freq="28D")
        folds = [{"train": value / 3, "valid": value + i, "train_rows": 200, "valid_rows": 28,
                  "valid_dates": [f"{start:%Y-%m-%d}", f"{start + pd.Timedelta(days=27):%Y-%m-%d}"]}
                 for i, start in enumerate(starts)]
        return {"scheme": kwargs["scheme"], "folds": folds, "train": value / 3, "valid": value + 1.5, "valid_std": 1.1}
    assert job.function is overfitting.search.run_trial
    return {"number": kwargs["number"], "params": kwargs["params"], "state": "complete", "valid_mae": value,
            "train_mae": value / 3, "valid_curve": [2 * value, value], "epochs": 2, "pruned_at": None,
            "scored": ["train", "valid"], "error": None, "seconds": 0.1}


def made_up(settings=FULL, given=None):
    """Every round of the plan, run with ``fake``: (results, jobs per round); ``given`` collects the jobs by key."""
    results, sizes = {}, []
    while jobs := overfitting.plan(settings, results):
        sizes.append(len(jobs))
        results.update((job.key, fake(job)) for job in jobs)
        if given is not None:
            given.update((job.key, job) for job in jobs)
    return results, sizes


@pytest.fixture
def invented():
    """Made up again for each test (a fraction of a second), so that each test runs the plan itself."""
    return made_up()


def test_each_chosen_configuration_is_trained_once_per_seed_with_its_options():
    jobs = {}
    results, _ = made_up(given=jobs)
    base = overfitting.setting(FULL)
    for remedy in ("smaller", "l1", "l2", "dropout", "early", "noise", "augment", "lags", "cv"):
        label = overfitting._final_key(results, remedy)[3]
        changes = overfitting.choice(FULL, results, remedy)[1]
        assert overfitting._labels(changes) == label
        for seed in range(3):
            job = jobs[("overfitting", "final", remedy, label, seed)]
            assert job.function is overfitting.fit_job and job.cost == overfitting._cost(base, **changes)
            assert job.kwargs == {"spec": base.spec(seed, **changes).to_dict(), "test": True,
                                  "history": remedy == "early" and seed == 0, "weights": remedy == "l1" and seed == 0}
    for label in {key[3] for key in jobs if key[1:3] == ("candidate", "lags")}:
        job = jobs[("overfitting", "candidate", "lags", label, 1)]
        lags = job.kwargs["spec"]["data"]["lags"]
        assert job.kwargs == {"spec": base.spec(1, lags=tuple(lags)).to_dict()} and job.cost == overfitting._cost(base)
    for seed in range(3):
        trained = jobs[("overfitting", "final", "kinds", "", seed)]
        assert trained.cost == 1.5 * overfitting._cost(base) and trained.kwargs["spec"] == base.spec(seed).to_dict()
        assert trained.kwargs["kinds"] == (base.spec(seed, kind="linear").to_dict(),
                                           base.spec(seed, kind="sigmoid", units=100).to_dict())
        assert jobs[("overfitting", "data", 1, seed)].kwargs["spec"] == base.spec(seed, size=1).to_dict()
        assert jobs[("overfitting", "candidate", "smaller", "units=8", seed)].kwargs == {
            "spec": base.spec(seed, units=8).to_dict()}
    for scheme in ("rolling", "shuffled"):
        assert jobs[("overfitting", "cv", scheme, "")].cost == 4.0
    assert jobs[("overfitting", "cv", "l2", "weight_decay=0.01")].cost == 4.0
    assert overfitting._trials(FULL) == (16, 4) and overfitting._trials(QUICK) == (4, 4)
    trials = [jobs[key] for key in sorted(jobs) if key[1] == "trial"]
    finished = [results[key] for key in sorted(results) if key[1] == "trial"]
    for number in (4, 8, 12):
        assert trials[number].kwargs["finished"] == finished[:number]
        assert [trials[n].kwargs["params"] for n in range(number, number + 4)] == overfitting.search.propose(
            overfitting.search.SPACE, finished[:number], 4, seed=0, round=number // 4, startup_trials=4)
    assert all(trial.cost == 1.0 for trial in trials)
    quick_jobs = {}
    made_up(QUICK, quick_jobs)
    assert sum(key[1] == "trial" for key in quick_jobs) == 4


def test_the_rounds_candidates_first_then_the_chosen_then_the_search_round_by_round(invented):
    results, sizes = invented
    # round 1: base 3, smaller 5 × 3, six remedies' 15 candidates × 3, 3 larger training sizes × 3, 2 ensembles × 3,
    # cross-validation 2 + 3, the search's first 4 trials; round 2: 3 lag counts × 3, 8 remedies' choices × 3,
    # 4 trials; round 3: the lags' choice × 3, 4 trials; round 4: 4 trials; round 5: the search's best × 3
    assert sizes == [3 + 15 + 45 + 9 + 6 + 5 + 4, 9 + 24 + 4, 3 + 4, 4, 3]
    assert len({key for key in results}) == sum(sizes)
    finals = [key for key in results if key[1] == "final"]
    assert sorted({key[2] for key in finals}) == sorted(set(overfitting.REMEDIES) - {"data"})
    assert all(sorted(key[-1] for key in finals if key[:4] == group[:4]) == [0, 1, 2] for group in finals)


def test_made_up_choices_are_the_lowest_mean_validation_error(invented):
    results, _ = invented
    for remedy in ("smaller", "l1", "l2", "dropout", "early", "noise", "lags"):
        groups = {}
        for key, result in results.items():
            if key[1:3] == ("candidate", remedy):
                groups.setdefault(key[3], []).append(result["valid"])
        assert len(groups) == {"smaller": 5, "early": 2}.get(remedy, 3) and all(len(v) == 3 for v in groups.values())
        means = {label: np.mean(values) for label, values in groups.items()}
        assert overfitting._final_key(results, remedy)[3] == min(means, key=means.get), remedy
        spec = next(job for job in overfitting.plan(FULL, {k: v for k, v in results.items()
                                                         if k[1:3] != ("final", remedy)})
                    if job.key[1:3] == ("final", remedy)).kwargs["spec"]
        assert spec["train"]["seed"] == 0 and spec["data"]["valid_days"] == 91


def test_the_lags_candidates_are_the_top_days_of_the_base_runs_importance(invented):
    results, _ = invented
    importance = results[("overfitting", "base", 0)]["importance"]
    ranked = sorted(importance, key=lambda lag: (-importance[lag], int(lag)))
    labels = {key[3] for key in results if key[1:3] == ("candidate", "lags")}
    assert labels == {f"lags={','.join(map(str, sorted(int(lag) for lag in ranked[:7])))}", "lags: 14 days",
                      "lags: 28 days"}


def test_the_search_stops_after_its_trials_and_trains_the_best_one_per_seed(invented):
    results, _ = invented
    trials = [results[key] for key in sorted(results) if key[1] == "trial"]
    assert [trial["number"] for trial in trials] == list(range(16))
    best = min(trials, key=lambda trial: trial["valid_mae"])
    finals = sorted(key for key in results if key[1:3] == ("final", "search"))
    assert [key[3:] for key in finals] == [(overfitting._labels(best["params"]), seed) for seed in range(3)]


def test_made_up_report_judges_each_remedy_by_twice_the_spread(invented, tmp_path, monkeypatch):
    results, _ = invented
    drawn = {}
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: drawn.update(parts) or [
        "overfitting_curves.png", "overfitting_cv.png"])
    study = overfitting.report(FULL, results, tmp_path)
    rows = {row[0]: row for row in study.tables[0].rows}
    base = np.mean([results[("overfitting", "base", s)]["test"] for s in range(3)])
    for name in overfitting.REMEDIES:
        label = EN(f"overfitting.remedy.{name}")
        group = [results[key] for key in results if key[1:3] == ("final", name)] if name != "data" else \
            [results[("overfitting", "data", 3, s)] for s in range(3)]
        test = np.mean([r["test"] for r in group])
        spread = max(np.std([r["test"] for r in group], ddof=1), np.std([results[("overfitting", "base", s)]["test"]
                                                                         for s in range(3)], ddof=1))
        expected = "helps" if test < base - 2 * spread else "hurts" if test > base + 2 * spread else "within the spread"
        assert rows[label][-1] == expected, name
        assert rows[label][4] == k([r["test"] for r in group])
    assert rows["none (the overfitting setting)"][1] == "–" and rows["more data"][1] == "3.8 years of training days"
    assert rows["L1 penalty λ Σ|w|"][1].startswith("`l1=") and rows["L1 penalty λ Σ|w|"][1].endswith("`")
    assert "L1 drives 25% of the first layer's weights" in study.finding and "against 5% without it" in study.finding
    assert "learn from 275 training days" in study.finding and "56,961 weights and biases" in study.finding
    assert drawn["early_best"] == 2 and list(drawn["data"]) == pytest.approx([1.0, 2.0, 3.0, 3.85], abs=0.01)
    assert [r["test"] for r in drawn["data"][min(drawn["data"])]] == [
        results[("overfitting", "base", s)]["test"] for s in range(3)]
    assert drawn["data"][max(drawn["data"])] == [results[("overfitting", "data", 3, s)] for s in range(3)]
    assert [label for label, _, _ in drawn["capacity"]] == ["4 × 8", "4 × 32", "1 × 128", "2 × 128", "3 × 128", "4 × 128"]
    assert [count for _, count, _ in drawn["capacity"]][-1] == 56961
    assert study.claims[1] == (EN("overfitting.claim.turns"), True)
    assert study.figures == [("overfitting_curves.png", EN("overfitting.figure.curves")),
                             ("overfitting_cv.png", EN("overfitting.figure.cv"))]


def test_on_a_series_without_2021_the_test_days_are_its_last_91_and_the_sizes_follow(tmp_path):
    from gradstep.spec import DataSpec
    days = pd.date_range("2022-01-01", periods=1000, freq="D")
    path = tmp_path / "views.csv"
    pd.DataFrame({"date": days, "views": 1000 + np.arange(1000) % 7 * 10}).to_csv(path, index=False)
    quick = overfitting.setting(Settings(quick=True, data=DataSpec(csv=str(path))))
    assert quick.data.test == ("2024-06-28", "2024-09-26") and quick.data.valid_days == 91
    # a year and two years before the test days, then every day after the first 56 (more than 30 days earlier)
    assert quick.starts == ("2023-06-28", "2022-06-28", "2022-02-26")
    assert (quick.model.units, quick.model.layers, quick.epochs) == (32, 4, 60)
    short = tmp_path / "short.csv"   # 532 days: the first 56 are history, and a year before the test days is all
    pd.DataFrame({"date": days[:532], "views": 1000.0}).to_csv(short, index=False)
    assert overfitting.setting(Settings(data=DataSpec(csv=str(short)))).starts == ("2022-03-18",)


def test_round_one_gives_each_job_its_spec_cost_and_options():
    base = overfitting.setting(FULL)
    jobs = {job.key[1:]: job for job in overfitting.plan(FULL, {})}
    assert all(job.cost > 0 for job in jobs.values())
    first = jobs[("base", 0)]
    assert first.function is overfitting.fit_job and first.cost == 1.3
    assert first.kwargs == {"spec": base.spec(0).to_dict(), "test": True, "history": True, "importance": True,
                            "weights": True}
    assert jobs[("base", 1)].kwargs == {**first.kwargs, "spec": base.spec(1).to_dict(), "importance": False,
                                        "weights": False}
    assert jobs[("candidate", "l1", "l1=0.001", 2)].kwargs == {"spec": base.spec(2, l1=1e-3).to_dict(),
                                                                "history": False}
    assert jobs[("candidate", "early", "patience=10", 0)].kwargs["history"] is True
    assert jobs[("candidate", "early", "patience=10", 1)].kwargs["history"] is False
    assert jobs[("candidate", "smaller", "units=8", 0)].cost == pytest.approx(0.3 + 4 * (8 / 128) ** 2)
    assert jobs[("candidate", "smaller", "layers=1", 0)].cost == pytest.approx(1.3)
    assert jobs[("data", 2, 0)].kwargs == {"spec": base.spec(0, size=2).to_dict(), "test": True}
    assert jobs[("data", 2, 0)].cost == pytest.approx(3 * 4.3) and jobs[("data", 3, 0)].cost == pytest.approx(4 * 4.3)
    assert jobs[("final", "seeds", "", 1)].kwargs == {"spec": base.spec(5, ensemble=5).to_dict(), "test": True}
    assert jobs[("final", "seeds", "", 1)].cost == pytest.approx(5 * 4.3)
    kinds = jobs[("final", "kinds", "", 0)]
    assert kinds.kwargs["kinds"] == (base.spec(0, kind="linear").to_dict(), base.spec(0, kind="sigmoid", units=100).to_dict())
    assert kinds.kwargs["test"] is True and kinds.kwargs["spec"] == base.spec(0).to_dict()
    rolling, l2 = jobs[("cv", "rolling", "")], jobs[("cv", "l2", "weight_decay=0.1")]
    assert rolling.function is overfitting.selection.cross_validate and rolling.cost == 4.0
    assert rolling.kwargs == {"spec": base.spec().to_dict(), "scheme": "rolling", "folds": 4, "fold_days": 28}
    assert jobs[("cv", "shuffled", "")].kwargs["scheme"] == "shuffled"
    assert l2.kwargs == {**rolling.kwargs, "spec": base.spec(weight_decay=0.1).to_dict()}
    trial = jobs[("trial", 0)]
    assert trial.function is overfitting.search.run_trial and trial.kwargs["finished"] == []
    assert trial.kwargs["spec"] == base.spec().to_dict() and trial.kwargs["number"] == 0
    assert [jobs[("trial", n)].kwargs["params"] for n in range(4)] == overfitting.search.propose(
        overfitting.search.SPACE, [], 4, seed=0, round=0, startup_trials=4)
    assert ("trial", 4) not in jobs and not any(key[0] == "final" and key[1] not in ("seeds", "kinds") for key in jobs)


def test_fit_job_reports_each_part_it_is_asked_for_and_the_test_days_only_when_asked():
    from gradstep import run as runs
    from gradstep.spec import DataSpec, ModelSpec, RunSpec, TrainSpec
    spec = RunSpec(data=DataSpec(days=7, valid_days=30), model=ModelSpec(kind="relu", units=4, layers=2),
                   train=TrainSpec(epochs=3))
    plain = overfitting.fit_job(spec.to_dict())
    assert set(plain) == {"train", "valid", "seconds", "epochs", "best_epoch", "scored"}
    run = runs.fit(spec)
    assert plain["train"] == run.metrics["train"]["mae"] and plain["valid"] == run.metrics["valid"]["mae"]
    assert plain["scored"] == ["train", "valid"] and plain["epochs"] == 3 and plain["best_epoch"] is None
    assert 0 < plain["seconds"] < 60
    full = overfitting.fit_job(spec.to_dict(), test=True, history=True, importance=True, weights=True)
    assert full["test"] == run.score_test()["mae"] and full["scored"] == ["train", "valid", "test"]
    assert full["history"]["epoch"] == [1, 2, 3] and full["history"]["valid_mae"] == run.history["valid_mae"].tolist()
    assert list(full["importance"]) == list(range(1, 8))
    first = np.abs(run.model[0].weight.data.astype(np.float64))
    assert full["weights"]["by_day"] == pytest.approx(first.mean(axis=0).tolist())
    assert full["weights"]["near_zero"] == pytest.approx((first < 0.01).mean())
    kinds = overfitting.fit_job(spec.to_dict(), kinds=(spec.replace(kind="linear").to_dict(),))
    mean = runs.average([run, runs.fit(spec.replace(kind="linear"))])
    assert kinds["valid"] == pytest.approx(mean.metrics["valid"]["mae"]) and kinds["valid"] != plain["valid"]


def test_made_up_report_quotes_its_numbers_and_draws_what_it_was_given(invented, tmp_path, monkeypatch):
    results, _ = invented
    drawn = {}
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: drawn.update(parts, out=out, t=t) or [])
    study = overfitting.report(FULL, results, tmp_path)
    base = [results[("overfitting", "base", s)] for s in range(3)]
    final = {name: [results[key] for key in sorted(results) if key[1:3] == ("final", name)] for name in
             overfitting.REMEDIES}
    final["data"] = [results[("overfitting", "data", 3, s)] for s in range(3)]
    table = study.tables[0]
    assert table.title == EN("overfitting.table", units=128, layers=4, epochs=300, train="2020-01-01", valid=91,
                             test="2021-01-01..2021-12-31")
    assert table.columns == ["remedy", "setting chosen on validation", "L train", "L valid", "L′ test", "L′ − L",
                             "seconds", "on the test days"]
    assert table.rows[0] == ["none (the overfitting setting)", "–", k([r["train"] for r in base]),
                             k([r["valid"] for r in base]), k([r["test"] for r in base]),
                             f"{np.mean([r['test'] - r['train'] for r in base]) / 1e3:.3f}", "0.5", "–"]
    codes = [overfitting.verdict(name, {n: np.mean([r["test"] for r in g]) for n, g in [("base", base), (name, final[name])]},
                                 {n: np.std([r["test"] for r in g], ddof=1) for n, g in [("base", base), (name, final[name])]})
             for name in overfitting.REMEDIES]
    assert drawn["verdicts"] == ["base", *codes] and drawn["t"].lang == "en" and drawn["out"] == tmp_path
    names = [EN(f"overfitting.remedy.{name}") for name in ("base", *overfitting.REMEDIES)]
    assert list(drawn["rows"]) == names and list(drawn["valid"]) == names
    assert drawn["rows"][names[1]] == [r["test"] for r in final["smaller"]]
    assert drawn["valid"][names[-1]] == [r["valid"] for r in final["kinds"]]
    assert drawn["curves"] is base[0]["history"] and drawn["importance"] is base[0]["importance"]
    early = results[overfitting._final_key(results, "early") + (0,)]
    assert drawn["early"] is early["history"] and drawn["early_best"] == early["best_epoch"]
    l1 = results[overfitting._final_key(results, "l1") + (0,)]
    assert drawn["weights"] == (base[0]["weights"], l1["weights"])
    assert drawn["cv"] == {scheme: results[("overfitting", "cv", scheme, "")] for scheme in ("rolling", "shuffled")}
    assert drawn["test"] == pytest.approx(np.mean([r["test"] for r in base]))
    assert [count for _, count, _ in drawn["capacity"]] == [681, 5025, 7425, 23937, 40449, 56961]
    assert drawn["capacity"][0][2] == [results[("overfitting", "candidate", "smaller", "units=8", s)] for s in range(3)]
    rolling, shuffled = drawn["cv"]["rolling"], drawn["cv"]["shuffled"]
    helped = [EN(f"overfitting.remedy.{name}") for name, code in zip(overfitting.REMEDIES, codes) if code == "helps"]
    others = [EN(f"overfitting.remedy.{name}") for name, code in zip(overfitting.REMEDIES, codes)
              if code in ("same", "hurts")]
    assert study.finding == EN(
        "overfitting.finding", parameters="56,961", rows=275, train=k([r["train"] for r in base]),
        valid=k([r["valid"] for r in base]), test=k([r["test"] for r in base]), best=2, best_valid="0.600",
        last_valid="0.700", epochs=4, helped=", ".join(helped) or "–", others=", ".join(others) or "–",
        cv=EN("overfitting.cv" if shuffled["valid"] < rolling["valid"] else "overfitting.cv_same",
              rolling=f"{rolling['valid'] / 1e3:.3f}", shuffled=f"{shuffled['valid'] / 1e3:.3f}",
              lower=f"{100 * (1 - shuffled['valid'] / rolling['valid']):.0f}", days=112, first="2020-09-09",
              last="2020-12-29"), zero_base="5%", zero_l1="25%", restored=2)
    gap = np.mean([r["valid"] - r["train"] for r in base])
    assert study.claims[0] == (EN("overfitting.claim.gap"), bool(gap > max(4 * np.std([r["valid"] for r in base], ddof=1),
                                                                           np.mean([r["train"] for r in base]))))
    finals = sum(1 for key in results if key[1] in ("final", "base", "data"))
    assert study.claims[2] == (EN("overfitting.claim.hygiene", finals=finals), True) and finals == 12 * 3 + 3 + 9
    assert [command for command, _ in study.try_next] == overfitting.TRY
    assert study.title == EN("overfitting.title") and study.formulas == overfitting.FORMULAS


def test_a_test_score_in_a_candidate_fails_the_hygiene_claim_of_a_made_up_report(invented, tmp_path, monkeypatch):
    results = copy.deepcopy(invented[0])
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: [])
    results[("overfitting", "trial", 3)]["scored"] = ["train", "valid", "test"]
    assert overfitting.report(FULL, results, tmp_path).claims[2][1] is False
    flat = copy.deepcopy(invented[0])
    flat[("overfitting", "base", 0)]["history"]["valid_mae"] = [950.0, 600.0, 650.0, 500.0]
    assert overfitting.report(FULL, flat, tmp_path).claims[1][1] is False


@pytest.mark.parametrize("changes, label", [
    ({"l1": 1e-3}, "l1=0.001"), ({"weight_decay": 0.1}, "weight_decay=0.1"), ({"units": 8}, "units=8"),
    ({"augment": "scale", "layers": 2}, "augment=scale, layers=2"), ({"lags": (1, 7, 14)}, "lags=1,7,14"),
    ({"lags": tuple(range(1, 9))}, "lags=1,2,3,4,5,6,7,8"), ({"lags": tuple(range(1, 10))}, "lags: 9 days"),
    ({"lr": 0.0021234, "dropout": 0.35}, "lr=0.0021, dropout=0.35")])
def test_labels_name_a_setting_in_one_short_line(changes, label):
    assert overfitting._labels(changes) == label


def test_the_base_run_trains_as_the_chapter_does():
    train = overfitting.setting(FULL).spec(seed=4).train
    assert (train.loss, train.optimizer, train.lr, train.epochs, train.batch_size, train.seed) == (
        "mae", "adam", 1e-3, 300, 32, 4)
    assert overfitting.setting(QUICK).spec().train.epochs == 60


def test_a_candidate_scored_on_the_test_days_stops_the_choice(invented):
    results = copy.deepcopy(invented[0])
    key = next(key for key in results if key[1:3] == ("candidate", "noise"))
    results[key]["scored"] = ["train", "valid", "test"]
    with pytest.raises(InputError, match="has been scored on the test days"):
        overfitting.choice(FULL, results, "noise")
    folds = copy.deepcopy(invented[0])
    folds[("overfitting", "cv", "l2", "weight_decay=0.01")]["test"] = 1.0
    with pytest.raises(InputError, match="has been scored on the test days"):
        overfitting.choice(FULL, folds, "cv")


def test_the_gap_claim_needs_more_than_the_training_error_and_four_spreads(invented, tmp_path, monkeypatch):
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: [])
    results = copy.deepcopy(invented[0])
    for seed, valid in enumerate((150.0, 300.0, 450.0)):   # gap 200 over a training error of 100, but spread 150
        results[("overfitting", "base", seed)].update(train=100.0, valid=valid)
    assert overfitting.report(FULL, results, tmp_path).claims[0][1] is False
    for seed, valid in enumerate((290.0, 300.0, 310.0)):   # spread 10: the gap of 200 is beyond 4 spreads
        results[("overfitting", "base", seed)]["valid"] = valid
    assert overfitting.report(FULL, results, tmp_path).claims[0][1] is True
    for seed in range(3):                                  # valid 190: a gap of 90, below the training error
        results[("overfitting", "base", seed)]["valid"] = 190.0 + seed
    assert overfitting.report(FULL, results, tmp_path).claims[0][1] is False


def test_with_one_seed_the_report_judges_nothing_by_a_spread(tmp_path, monkeypatch):
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: [])
    one = Settings(seeds=1)
    results, _ = made_up(one)
    study = overfitting.report(one, results, tmp_path)
    assert {row[-1] for row in study.tables[0].rows[1:]} == {"one seed: no spread to judge by"}
    base = results[("overfitting", "base", 0)]
    assert study.claims[0][1] is (base["valid"] - base["train"] > base["train"])
    assert study.tables[0].rows[0][2] == f"{base['train'] / 1e3:.3f}"


def test_the_runner_gets_the_first_round_from_jobs_and_the_next_from_next_jobs(invented):
    results, _ = invented
    assert [(job.key, job.kwargs) for job in overfitting.jobs(FULL)] == [
        (job.key, job.kwargs) for job in overfitting.plan(FULL, {})]
    first = {key: value for key, value in results.items() if key[1] != "final" and key[1:3] != ("candidate", "lags")
             and not (key[1] == "trial" and key[2] >= 4)}
    assert [job.key for job in overfitting.next_jobs(FULL, first)] == [job.key for job in overfitting.plan(FULL, first)]
    assert overfitting.next_jobs(FULL, results) == []


def test_a_fold_scored_on_the_test_days_fails_the_hygiene_claim(invented, tmp_path, monkeypatch):
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: [])
    results = copy.deepcopy(invented[0])
    results[("overfitting", "cv", "l2", "weight_decay=0.1")]["test"] = 1.0
    study = overfitting.report(FULL, results, tmp_path)
    assert study.claims[2][1] is False
    rows = {row[0]: row for row in study.tables[0].rows}
    assert rows["ensemble of 5 seeds"][1] == "–" and rows["ensemble of kinds (relu, sigmoid, linear)"][1] == "–"


def test_on_a_series_with_room_for_one_year_more_data_is_the_base_itself(tmp_path, monkeypatch):
    from gradstep.spec import DataSpec
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: [])
    path = tmp_path / "year.csv"
    pd.DataFrame({"date": pd.date_range("2022-01-01", periods=532, freq="D"),
                  "views": 1000.0 + np.arange(532) % 7}).to_csv(path, index=False)
    settings = Settings(seeds=2, data=DataSpec(csv=str(path)))
    results, _ = made_up(settings)
    assert not any(key[1] == "data" for key in results)
    row = {row[0]: row for row in overfitting.report(settings, results, tmp_path).tables[0].rows}["more data"]
    base = [results[("overfitting", "base", s)] for s in range(2)]
    assert row[1] == "1.0 years of training days" and row[4] == k([r["test"] for r in base])


def test_a_shuffled_estimate_that_is_not_lower_is_said_as_such(invented, tmp_path, monkeypatch):
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: [])
    results = copy.deepcopy(invented[0])
    results[("overfitting", "cv", "shuffled", "")]["valid"] = results[("overfitting", "cv", "rolling", "")]["valid"]
    finding = overfitting.report(FULL, results, tmp_path).finding
    assert "here the leak did not lower the estimate" in finding and "% less" not in finding


def test_with_one_seed_no_remedy_is_listed_as_helping_or_not(tmp_path, monkeypatch):
    monkeypatch.setattr(overfitting, "overfitting_plots", lambda out, t, **parts: [])
    one = Settings(seeds=1)
    finding = overfitting.report(one, made_up(one)[0], tmp_path).finding
    assert "beyond the spread over seeds: –; within the spread or worse: –." in finding


def test_without_optuna_the_lab_names_the_extra_and_the_way_round_it(monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "optuna" else real(name, *a))
    with pytest.raises(InputError, match=r'^the overfitting study\'s hyperparameter search needs Optuna: pip install '
                                         r'"gradstep\[search\]", or name the other studies to run them without it$'):
        overfitting.jobs(QUICK)
