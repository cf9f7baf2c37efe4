"""The practitioner's commands: train --model auto, backtest, predict with a horizon and intervals, evaluate
--json, all in the units of the user's own value column."""

import json
import os
import re

import numpy as np
import pandas as pd
import pytest

from gradstep.cli import AUTO_FOLDS, BLEND, FOLD_DAYS, FOLDS, HORIZON, LEVEL, _number, main
from gradstep.data import load_pageviews
from gradstep.errors import InputError
from gradstep.forecast import Forecaster
from gradstep.modeldir import ModelDirectory
from gradstep.spec import RunSpec


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A channel export of 400 days whose value column is "Watch time (hours)"."""
    path = tmp_path_factory.mktemp("export") / "channel.csv"
    hours = load_pageviews("Periodic_table").iloc[-400:] / 100
    path.write_text("Date,Watch time (hours)\n" + "".join(f"{d:%Y-%m-%d},{v:.2f}\n" for d, v in hours.items()))
    return path, hours


@pytest.fixture(scope="module")
def auto(export, tmp_path_factory):
    path, _ = export
    out = tmp_path_factory.mktemp("auto") / "m"
    capture = pytest.MonkeyPatch()
    lines = []
    capture.setattr("gradstep.cli._say", lambda console, text: lines.append(text))
    try:
        assert main(["train", "--csv", str(path), "--model", "auto", "--epochs", "20", "--folds", "2", "--quiet",
                     "--out", str(out)]) == 0
    finally:
        capture.undo()
    return out, lines


def test_the_cli_constants_are_the_backtest_modules():
    from gradstep import backtest
    assert (FOLDS, AUTO_FOLDS, FOLD_DAYS, HORIZON, LEVEL, BLEND) == (
        backtest.FOLDS, backtest.AUTO_FOLDS, backtest.FOLD_DAYS, backtest.HORIZON, backtest.LEVEL, backtest.BLEND)


def test_auto_prints_each_candidate_then_the_choice_and_records_the_table(auto):
    out, lines = auto
    assert "note: left out for lack of training days: linear a year, relu 2 × 100 a year, linear a year all " \
        "pages, relu 2 × 100 a year all pages, sigmoid 100 units valid a year before, relu 2 × 100 valid a year " \
        "before, relu 2 × 100 a year valid a year before, relu 2 × 100 all pages valid a year before, relu 2 × 100 " \
        "a year all pages valid a year before" in lines  # 400 days: the models of a year, or validated a year
    # before, have no room
    assert "choosing by backtest: 9 candidates on 2 folds of 28 days before the test days" in lines  # no year before
    finished = [line for line in lines if line.startswith("  ") and "MAE" in line]
    assert len(finished) >= 9 and all("Watch time (hours)" in line for line in finished)
    meta = json.loads((out / "model.json").read_text())
    chosen = next(line for line in lines if line.startswith("chosen: "))[len("chosen: "):]
    table = meta["candidates"]
    assert [row["mae"] for row in table] == sorted(row["mae"] for row in table)
    assert chosen == "mean of the 4 best"  # the default --blend 4: the 4 best candidates, whatever the blend's rank
    first = "note: not the first row: the mean of the best few forecasts new days better than any one of them"
    assert any(line.startswith(first) for line in lines) == (table[0]["candidate"] != chosen)
    assert next(row for row in table if row["candidate"] == chosen)["mae"] == meta["backtest"]["mae"]
    assert len(meta["backtest"]["folds"]) == 2
    members = [row["candidate"] for row in table if row["candidate"] != chosen][:4]
    assert [member["name"] for member in meta["spec"]["blend"]] == members
    trained = [line for line in lines if line.startswith("trained ")]
    assert trained and trained == [line for line in lines if line.startswith(tuple(f"trained {name}: " for name in members))]
    assert len(meta["backtest"]["scores"]) == HORIZON
    assert next(line for line in lines if line.startswith("dates: ")).endswith(
        " (scored from the first day every model has its days for; each trains from its own first day)")
    assert set(meta["baselines"]["test"]) == {"naive", "seasonal_naive"} and meta["mase_scale"] > 0


def interrupted(capsys, monkeypatch, argv, when) -> None:
    """Run ``argv``, interrupted (Ctrl-C) just after the first checkpoint whose state ``when`` accepts."""
    original = ModelDirectory.save_checkpoint

    def interrupt(self, meta, state):
        original(self, meta, state)
        if when(state):
            raise KeyboardInterrupt
    monkeypatch.setattr(ModelDirectory, "save_checkpoint", interrupt)
    code, _, err = run(capsys, *argv)
    monkeypatch.undo()
    assert code == 130 and "--resume continues from the last checkpoint" in err


def test_an_interrupted_blend_resumes_to_the_uninterrupted_one(capsys, export, auto, tmp_path, monkeypatch):
    """Interrupted inside its second model's training, --resume with the same command gives the same blend."""
    path, _ = export
    out = tmp_path / "m"
    argv = ["train", "--csv", path, "--model", "auto", "--epochs", "20", "--folds", "2", "--quiet", "--out", out]
    interrupted(capsys, monkeypatch, argv, lambda state: state["blend"] == 1)
    monkeypatch.setattr("gradstep.backtest.max_folds", lambda *args: 2)  # the saved backtest is used, not redone
    resume = [arg for arg in argv[:-2] if arg not in ("--folds", "2", "--model", "auto")] + ["--workers", "2"]
    code, text, err = run(capsys, *resume, "--out", out, "--resume")
    assert code == 0, err
    assert "; resuming model 2" in text and "choosing by backtest" not in text and "room for" not in text
    expected, resumed = (json.loads((directory / "model.json").read_text()) for directory in (auto[0], out))
    assert resumed["npz_sha256"] == expected["npz_sha256"] and resumed["spec"] == expected["spec"]
    assert [row["mae"] for row in resumed["candidates"]] == [row["mae"] for row in expected["candidates"]]
    code, _, err = run(capsys, *argv[:-2], "--out", out, "--resume", "--epochs", "30")
    assert code == 2 and "there is no checkpoint" in err


def test_resuming_auto_refuses_other_options_than_it_chose_with(capsys, export, tmp_path, monkeypatch):
    path, _ = export
    out = tmp_path / "m"
    argv = ["train", "--csv", path, "--model", "auto", "--epochs", "20", "--folds", "1", "--quiet", "--out", out]
    interrupted(capsys, monkeypatch, argv, lambda state: True)
    code, _, err = run(capsys, *argv, "--resume", "--epochs", "30")
    assert code == 2 and err.strip().endswith("--epochs 30 differs from them; drop it or train again without --resume")
    code, _, err = run(capsys, *argv, "--resume", "--blend", "2")
    assert code == 2 and "--blend 2 differs from them" in err
    plain = [arg for arg in argv if arg not in ("--model", "auto")]
    code, _, err = run(capsys, *plain, "--model", "linear", "--resume")
    assert code == 2 and "--model linear differs from them" in err
    checkpoint = out.parent / ".m.checkpoint" / "checkpoint.json"
    meta = json.loads(checkpoint.read_text())
    checkpoint.write_text(json.dumps({**meta, "asked": {"spec": {}}}))
    code, _, err = run(capsys, *argv, "--resume")
    assert code == 2 and err.count("\n") == 1
    assert "the checkpoint of the interrupted training is damaged (it has no 'blend'); train again without --resume" in err
    checkpoint.write_text(json.dumps({key: value for key, value in meta.items() if key != "asked"}))
    code, _, err = run(capsys, *argv, "--resume")
    assert code == 2 and "is damaged (its --model auto options are missing)" in err


def test_the_blend_workers_and_folds_options_reach_the_choice(capsys, export, tmp_path, monkeypatch):
    """--blend, --workers (one per core by default) and auto's own default of AUTO_FOLDS folds (fewer when the
    training part has no room), in train and in backtest."""
    asked = []

    def choose(*args, **kwargs):
        asked.append((kwargs["blend"], kwargs["n_folds"], kwargs["workers"]))
        raise InputError("stopped here")
    monkeypatch.setattr("gradstep.backtest.choose", choose)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr("gradstep.cli.CPU_MAX", str(tmp_path / "no-cpu.max"))  # whatever this machine's quota
    for command in (["train", "--csv", export[0], "--model", "auto", "--out", tmp_path / "m"],
                    ["train", "--csv", export[0], "--model", "auto", "--blend", "2", "--workers", "1",
                     "--out", tmp_path / "m"],
                    ["train", "--model", "auto", "--out", tmp_path / "m"], ["backtest", "--workers", "5"],
                    ["backtest", "--folds", "3"]):
        code, _, err = run(capsys, *command)
        assert code == 2 and "stopped here" in err
    assert asked == [(4, 4, 3), (2, 4, 1), (4, AUTO_FOLDS, 3), (4, AUTO_FOLDS, 5), (4, 3, 3)]  # 400 days: room for 4


def test_predict_gives_the_horizon_with_intervals_in_every_format(capsys, auto, export, tmp_path):
    out, _ = auto
    path, hours = export
    code, text, err = run(capsys, "predict", out, "--csv", path, "--horizon", 14, "--plot", tmp_path / "f.png")
    assert code == 0, err
    rows = [line for line in text.splitlines() if line.startswith("│ 20")]
    assert len(rows) == 14 and "forecast (Watch time (hours))" in text and "test MAE when trained: model" in text
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"wrote {tmp_path / 'f.png'}" in text
    code, text, err = run(capsys, "predict", out, "--csv", path, "--horizon", 3, "--format", "csv", "--level", 90,
                          "--plot", tmp_path / "f.PDF")
    assert (tmp_path / "f.PDF").read_bytes()[:5] == b"%PDF-" and f"wrote {tmp_path / 'f.PDF'}" in err
    assert err.startswith("note: using date column")  # notes go to standard error: the output stays CSV
    lines = text.splitlines()
    assert lines[0] == "date,Watch time (hours),lower_90,upper_90" and len(lines) == 4
    first = lines[1].split(",")
    assert first[0] == f"{hours.index[-1] + np.timedelta64(1, 'D'):%Y-%m-%d}"
    assert float(first[2]) <= float(first[1]) <= float(first[3])
    code, text, _ = run(capsys, "predict", out, "--csv", path, "--horizon", 3, "--format", "json")
    result = json.loads(text)
    assert result["unit"] == "Watch time (hours)" and result["level"] == 80 and len(result["forecast"]) == 3
    wide = run(capsys, "predict", out, "--csv", path, "--horizon", 3, "--format", "json", "--level", 95)[1]
    for narrow_row, wide_row in zip(result["forecast"], json.loads(wide)["forecast"]):
        assert wide_row["lower"] <= narrow_row["lower"] and wide_row["upper"] >= narrow_row["upper"]


def test_predict_says_in_flags_from_which_day_the_backtest_has_too_few_errors_for_the_level(capsys, auto, export):
    """2 folds and the test days: too few errors for 99 % from the second day. The note is shown under the table,
    and on standard error with --format csv; none at 50 %. Catches the note dropped, printed into the CSV, or
    left in Python's words (level=…)."""
    out, _ = auto
    path, _ = export
    note = "note: from 2 days ahead on, the backtest has too few errors per step for the 99 % interval (as few as "
    code, text, err = run(capsys, "predict", out, "--csv", path, "--horizon", 3, "--level", 99)
    assert code == 0 and note in text and "train the model again on more folds" in text, err
    assert re.search(r"use --level \d\d or less", text) and "level=" not in text
    code, text, err = run(capsys, "predict", out, "--csv", path, "--horizon", 3, "--level", 99, "--format", "csv")
    assert note in err and note not in text and len(text.splitlines()) == 4
    assert note[:40] not in "".join(run(capsys, "predict", out, "--csv", path, "--horizon", 3, "--level", 50)[1:])


def test_evaluate_json_has_the_test_mae_and_the_interval_coverage(capsys, auto, export):
    out, _ = auto
    code, text, err = run(capsys, "evaluate", out, "--csv", export[0], "--json")
    assert code == 0, err
    result = json.loads(text)
    meta = json.loads((out / "model.json").read_text())
    assert result["test"]["mae"] == pytest.approx(meta["metrics"]["test"]["mae"])
    assert 0 <= result["test"]["interval_coverage"] <= 1 and result["unit"] == "Watch time (hours)"
    assert result["test"]["seasonal_naive"]["mae"] > 0 and result["backtest"]["mae"] == meta["backtest"]["mae"]
    code, text, _ = run(capsys, "evaluate", out, "--csv", export[0])
    assert "MAE (Watch time (hours))" in text and "% interval (one day ahead) held" in text
    assert ("naive, seasonal naive: the baselines' MAE on each part's days; MASE: the MAE over the seasonal naive's "
            "on the training days, the usual scale") in " ".join(text.split())
    assert "days ahead" not in text  # the steps only when asked for
    code, text, _ = run(capsys, "evaluate", out, "--csv", export[0], "--horizon", 3, "--json")
    ahead = json.loads(text)["test"]["ahead"]
    assert [row["ahead"] for row in ahead] == [1, 2, 3] and ahead[0]["mae"] == pytest.approx(result["test"]["mae"])
    assert ahead[0]["interval_coverage"] == result["test"]["interval_coverage"]
    code, text, _ = run(capsys, "evaluate", out, "--csv", export[0], "--horizon", 3)
    steps = [line.split("│")[1:-1] for line in text.splitlines() if line.startswith("│")][-3:]
    assert [cells[0].strip() for cells in steps] == ["1", "2", "3"] and "80 % interval held" in text
    assert [cells[1].strip() for cells in steps] == [_number(row["mae"]) for row in ahead]
    assert [cells[4].strip() for cells in steps] == [f"{row['interval_coverage']:.0%}" for row in ahead]
    assert [[cells[i].strip() for i in (2, 3)] for cells in steps] == [
        [_number(row["naive"]["mae"]), _number(row["seasonal_naive"]["mae"])] for row in ahead]
    words = " ".join(text.split())
    test_days = "..".join(Forecaster.load(out)[0].run.ranges["test"])
    assert (f"the test days {test_days} forecast 1 to 3 days ahead (recursively, as predict forecasts)" in words
            and "naive: the last value known then; seasonal naive: the last same weekday known then" in words)
    header = next(line for line in text.splitlines() if line.startswith("┃ days ahead"))
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == [
        "days ahead", "MAE (Watch time (hours))", "naive", "seasonal naive", "80 % interval held"]


def test_a_model_s_own_numbers_keep_the_unit_it_was_trained_in(capsys, auto, export, tmp_path):
    """Given another file (its column "Hours"), the table is in the file's unit, the saved scores in the model's."""
    out, _ = auto
    other = tmp_path / "other.csv"
    other.write_text(export[0].read_text().replace("Watch time (hours)", "Hours"))
    code, text, _ = run(capsys, "predict", out, "--csv", other, "--value-column", "Hours")
    assert code == 0 and "forecast (Hours)" in text
    assert next(line for line in text.splitlines() if line.startswith("test MAE when trained: ")).endswith(
        " Watch time (hours)")
    code, text, _ = run(capsys, "evaluate", out, "--csv", other, "--value-column", "Hours")
    assert code == 0 and "MAE (Hours)" in text
    assert ("note: the model was trained on Watch time (hours), and this is Hours: its saved test MAE and backtest "
            "are in Watch time (hours); its forecasts, and their intervals (relative to the last week's level), are "
            "made from this data") in " ".join(text.split())
    code, text, _ = run(capsys, "evaluate", out, "--csv", export[0])
    assert code == 0 and "note: the model was trained on" not in text and "data differs" not in text
    assert next(line for line in text.splitlines() if line.startswith("backtest")).count("Watch time (hours)") == 1
    code, text, _ = run(capsys, "evaluate", out, "--csv", other, "--value-column", "Hours", "--json")
    result = json.loads(text)
    assert result["unit"] == "Hours" and result["backtest"]["unit"] == "Watch time (hours)"


@pytest.mark.parametrize("argv, words", [
    (["--horizon", "29"], f"--horizon 29 is out of range; this model forecasts 1 to {HORIZON} days ahead"),
    (["--horizon", "0"], "--horizon 0 is out of range"),
    (["--level", "99.5"], "--level 99.5 is out of range; it must be a number from 50, at most 99"),
    (["--level", "0.8"], "--level 0.8 is out of range; it must be a number from 50, at most 99: a percentage, 80 "
                         "for an 80 % interval"),
    (["--format", "xml"], "invalid choice: 'xml'"),
    (["--plot", "/proc/forecast.png"], "cannot read or write /proc/forecast.png: "),
    (["--plot", "forecast.jpg"], "--plot forecast.jpg: gradstep draws .png, .pdf or .svg files; end the file name "
                                 "with one of them"),
    (["--plot", "MISSING/dir/f.png"], "--plot MISSING/dir/f.png: there is no directory MISSING/dir; create it, or "
                                      "choose a file in a directory that exists"),
    (["--csv", "/dev/null"], "/dev/null is a character device, not a file; give the path of a CSV file"),
    (["--value-column", "Views"], 'has no column named "Views"; its columns are "Date", "Watch time (hours)": choose '
                                  "one with --value-column NAME"),
])
def test_bad_predict_options_get_one_line(capsys, auto, export, argv, words, tmp_path):
    out, _ = auto
    missing = tmp_path / "missing"  # "MISSING": a directory that must not be made
    argv, words = [arg.replace("MISSING", str(missing)) for arg in argv], words.replace("MISSING", str(missing))
    if argv[0] == "--format":
        with pytest.raises(SystemExit) as exit_:
            main(["predict", str(out), "--csv", str(export[0]), *argv])
        assert exit_.value.code == 2 and words in capsys.readouterr().err
        return
    code, _, err = run(capsys, "predict", out, "--csv", export[0], *argv)
    assert code == 2 and err.count("\n") == 1 and words in err
    assert not missing.exists()


def test_a_plot_named_like_a_directory_is_refused(capsys, auto, export, tmp_path):
    """Catches matplotlib's IsADirectoryError reaching the user as "cannot read or write"."""
    (tmp_path / "figures.png").mkdir()
    code, _, err = run(capsys, "predict", auto[0], "--csv", export[0], "--plot", tmp_path / "figures.png")
    assert code == 2 and err.endswith(f"--plot {tmp_path}/figures.png: that is a directory; give a file name, e.g. "
                                      f"{tmp_path}/figures.png/forecast.png\n")


def test_backtest_command_ranks_the_candidates_without_reading_the_test_days(capsys, export, monkeypatch):
    from gradstep import run as runs
    last_days = []
    real_fit = runs.fit
    monkeypatch.setattr(runs, "fit", lambda spec, series, **o: (last_days.append(series.index[-1]),
                                                                real_fit(spec.replace(epochs=3), series, **o))[1])
    code, text, err = run(capsys, "backtest", "--csv", export[0], "--folds", 1, "--workers", 1)  # here, as patched
    assert code == 0, err
    test_start = export[1].index[-45]
    assert last_days and max(last_days) < test_start
    ranks = [line for line in text.splitlines() if line[:3] == "│ " + line[2:3] and line[2:3].isdigit()]
    assert len(ranks) == 10 and "MAE (Watch time (hours))" in text  # the 4 models of a year have no room
    assert "  mean of the 4 best: MAE " in text and "mean of 4 models: " in text  # the blend auto forecasts with
    assert "note: left out for lack of training days: linear a year, relu 2 × 100 a year," in text
    assert all(row.split("│")[5].strip() == "–" for row in ranks)  # one fold: no spread, not "± 0"
    last_days.clear()
    code, text, err = run(capsys, "backtest", "--csv", export[0], "--folds", 1, "--workers", 1, "--test",
                          f"{export[1].index[-14]:%Y-%m-%d}:{export[1].index[-1]:%Y-%m-%d}")
    assert code == 0 and last_days and max(last_days) == export[1].index[-15]  # its folds end where its test starts


def test_the_folds_line_names_the_year_before_only_when_every_candidate_has_it():
    from gradstep.backtest import candidates
    from gradstep.cli import _folds_text
    from gradstep.spec import RunSpec
    chosen, views = candidates(RunSpec()), load_pageviews("Standard_deviation")
    assert _folds_text(chosen, views, 4) == ("4 folds of 28 days before the test days, and the 28 days from 52 "
                                            "weeks before the day after the training part")
    short = {name: spec for name, spec in chosen.items() if spec.data.days <= 56}
    # training part 2019-11-26..2020-11-16 for 56 days: a year before the test days (2019-11-19) is before it
    assert _folds_text(short, views.loc["2019-10-01":"2020-12-31"], 1) == "1 fold of 28 days before the test days"


def test_predict_names_the_model_with_the_days_it_reads(capsys, export, tmp_path):
    out = tmp_path / "m"
    assert run(capsys, "train", "--csv", export[0], "--days", "14", "--lags", "1,2,7,14", "--epochs", "1",
               "--folds", "1", "--quiet", "--out", out)[0] == 0
    code, text, err = run(capsys, "predict", out, "--csv", export[0])
    assert code == 0, err
    assert "forecast of linear, 4 of 14 days (1, 2, 7, 14)" in " ".join(text.split())


def test_backtest_on_a_short_file_names_the_folds_that_fit(capsys, export, tmp_path):
    short = tmp_path / "short.csv"
    short.write_text("Date,Watch time (hours)\n" + "".join(f"{d:%Y-%m-%d},{v:.2f}\n"
                                                        for d, v in export[1].iloc[-150:].items()))
    code, _, err = run(capsys, "backtest", "--csv", short, "--folds", 4)
    assert code == 2 and err.count("\n") == 1
    assert err.endswith("the data is too short to backtest any candidate on 4 folds of 28 days; use --folds 1, or "
                        "give a longer file\n")


def test_the_backtest_line_joins_adjacent_folds_and_lists_the_year_before_apart():
    from gradstep.cli import _backtest_line
    result = {"mae": 1234.5, "std": 10.0, "folds": [
        {"test": ["2020-01-03", "2020-01-30"]}, {"test": ["2020-11-06", "2020-12-03"]},
        {"test": ["2020-12-04", "2020-12-31"]}]}
    assert _backtest_line(result, "views") == ("backtest: 3 folds 2020-01-03..2020-01-30, 2020-11-06..2020-12-31, "
                                               "one day ahead: MAE 1,234 ± 10 views (mean ± std over folds)")
    two = {**result, "folds": result["folds"][1:]}
    assert _backtest_line(two, "views").startswith("backtest: 2 folds 2020-11-06..2020-12-31, one day ahead")
    one = {"mae": 986.0, "std": 0.0, "folds": [{"test": ["2020-12-04", "2020-12-31"]}], "scores": [[1.0] * 28] * 28}
    assert _backtest_line(one, "views") == (
        "backtest: 1 fold 2020-12-04..2020-12-31, one day ahead: MAE 986 views (one fold, so no spread; the interval "
        "comes from its 28 errors and may hold far from its level on new days: a longer file gives more folds)")


def test_too_many_folds_name_the_flag_and_what_fits(capsys, export, tmp_path):
    code, _, err = run(capsys, "train", "--csv", export[0], "--days", "7", "--folds", "20", "--epochs", "1",
                       "--quiet", "--out", tmp_path / "m")
    assert code == 2 and "a backtest of --folds 20 × 28 days needs at least 44 training days" in err
    assert "use --folds 10 or fewer" in err and not (tmp_path / "m").exists()


def test_folds_zero_means_no_backtest_and_no_interval(capsys, export, tmp_path):
    out = tmp_path / "m"
    assert run(capsys, "train", "--csv", export[0], "--days", "7", "--folds", "0", "--epochs", "1", "--quiet",
               "--out", out)[0] == 0
    code, text, _ = run(capsys, "predict", out, "--csv", export[0], "--horizon", 2)
    rows = [line for line in text.splitlines() if line.startswith("│ 20")]
    assert code == 0 and "note: no interval" in text and len(rows) == 2 and all(row.count("–") == 2 for row in rows)
    assert json.loads((out / "model.json").read_text())["backtest"] is None
    code, _, err = run(capsys, "train", "--csv", export[0], "--model", "auto", "--folds", "0", "--out", out)
    assert code == 2 and "--model auto chooses by a backtest; give --folds 1 or more" in err


def test_auto_refuses_options_it_chooses_itself(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--model", "auto", "--days", "7", "--units", "5", "--out", tmp_path / "m")
    assert code == 2 and "--units and --days do not apply to --model auto" in err
    code, _, err = run(capsys, "train", "--model", "auto", "--scale", "window", "--pool", "pages", "--augment", "scale",
                       "--out", tmp_path / "m")
    assert code == 2 and err.count("\n") == 1
    assert "--scale and --pool and --augment do not apply to --model auto; drop them" in err


def test_auto_on_a_short_file_leaves_out_what_does_not_fit_and_still_chooses(capsys, export, tmp_path):
    path, hours = export
    short = tmp_path / "short.csv"
    short.write_text("Date,Watch time (hours)\n" + "".join(f"{d:%Y-%m-%d},{v:.2f}\n" for d, v in hours.iloc[-150:].items()))
    code, text, err = run(capsys, "train", "--csv", short, "--model", "auto", "--epochs", "5", "--quiet",
                          "--out", tmp_path / "m")
    assert code == 0, err
    assert ("note: left out for lack of training days: linear 28 days, linear 56 days, linear a year, sigmoid 100 "
            "units, relu 2 × 100, relu 2 × 100 a year, linear a year all pages, relu 2 × 100 all pages, relu 2 × 100 "
            "a year all pages" in " ".join(text.split()))
    assert "choosing by backtest: 4 candidates on 1 fold of 28 days" in text
    assert "note: 2 models averaged, not 4: a blend takes at most the better half of the 4 candidates" in text
    code, text, err = run(capsys, "train", "--csv", short, "--days", "7", "--epochs", "1", "--quiet", "--out",
                          tmp_path / "n")
    assert code == 0 and "note: the training part has room for 1 backtest fold of 28 days, not 4" in text
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("Date,Watch time (hours)\n" + "".join(f"{d:%Y-%m-%d},{v:.2f}\n" for d, v in hours.iloc[-100:].items()))
    code, _, err = run(capsys, "train", "--csv", tiny, "--model", "auto", "--quiet", "--out", tmp_path / "o")
    last = hours.index[-1]
    test = f"{last - pd.Timedelta(days=20):%Y-%m-%d}:{last:%Y-%m-%d}"
    assert code == 2 and ("the data is too short to backtest any candidate on even one fold of 28 days; use a "
                          f"shorter test part, --test {test}, the last 21 days, which leaves room for one, or give a "
                          "longer file") in err
    code, _, err = run(capsys, "backtest", "--csv", tiny, "--folds", "2")
    assert code == 2 and ("on 2 folds of 28 days; use --folds 1 and a shorter test part, --test "
                          f"{test}, the last 21 days, which leaves room for one, or give a longer file") in err
    code, text, err = run(capsys, "train", "--csv", tiny, "--model", "auto", "--test", test, "--epochs", "5",
                          "--quiet", "--out", tmp_path / "o")  # the advice works: a fold, so an interval
    assert code == 0 and "choosing by backtest: 3 candidates on 1 fold of 28 days" in text and "interval" in text
    code, text, err = run(capsys, "train", "--csv", tiny, "--days", "7", "--epochs", "1", "--quiet", "--out",
                          tmp_path / "p")
    assert code == 0 and ("note: the training part has room for 0 backtest folds of 28 days, not 4; without a "
                          f"backtest the forecasts have no intervals; --test {test}, the last 21 days, leaves room for "
                          "one") in " ".join(text.split())
    code, text, _ = run(capsys, "predict", tmp_path / "p", "--csv", tiny)
    assert code == 0 and "forecast of linear, 7 days, no interval: no backtest" in text
    tinier = tmp_path / "tinier.csv"
    tinier.write_text("Date,Watch time (hours)\n" + "".join(f"{d:%Y-%m-%d},{v:.2f}\n"
                                                            for d, v in hours.iloc[-60:].items()))
    code, _, err = run(capsys, "train", "--csv", tinier, "--model", "auto", "--quiet", "--out", tmp_path / "o")
    assert code == 2 and ("the data is too short to backtest any candidate on even one fold of 28 days; choose a "
                          "model with --model (and --folds 0), or give a longer file") in err
    code, _, err = run(capsys, "train", "--csv", tiny, "--model", "auto", "--folds", "2", "--quiet", "--out",
                       tmp_path / "o")
    assert code == 2 and "the data is too short to backtest any candidate on 2 folds of 28 days" in err


def test_a_model_beaten_by_a_baseline_on_the_test_days_says_so(capsys, export, auto, tmp_path):
    """A linear model on 7 days trained 20 epochs from 30 days of training data loses to yesterday's value."""
    path, hours = export
    short = tmp_path / "short.csv"
    short.write_text("Date,Watch time (hours)\n" + "".join(f"{d:%Y-%m-%d},{v:.2f}\n" for d, v in hours.iloc[-90:].items()))
    code, text, _ = run(capsys, "train", "--csv", short, "--days", "7", "--epochs", "2", "--lr", "1e-4", "--folds", "0",
                        "--quiet", "--out", tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    best = min(meta["baselines"]["test"], key=lambda name: meta["baselines"]["test"][name]["mae"])
    assert code == 0 and meta["baselines"]["test"][best]["mae"] < meta["metrics"]["test"]["mae"]
    note = (f"note: the {best.replace('_', ' ')} baseline scored a lower test MAE than the model "
            f"({_number(meta['baselines']['test'][best]['mae'])} against {_number(meta['metrics']['test']['mae'])}): on these "
            "days it forecast better; try --model auto, which backtests the baselines too, or train on more days "
            "(a longer file, or a shorter --test)")
    assert note in " ".join(text.split())
    code, text, _ = run(capsys, "predict", tmp_path / "m", "--csv", short)
    assert code == 0 and note in " ".join(text.split())
    out, lines = auto  # auto's blend beats both baselines on these test days: no note
    meta = json.loads((out / "model.json").read_text())
    assert all(values["mae"] > meta["metrics"]["test"]["mae"] for values in meta["baselines"]["test"].values())
    assert not any("baseline scored a lower test MAE" in line for line in lines)
    code, text, _ = run(capsys, "predict", out, "--csv", path)
    assert code == 0 and "baseline scored a lower test MAE" not in text


@pytest.mark.parametrize("cpu_max, cores", [("150000 100000\n", 2), ("50000 100000", 1), ("max 100000", 8),
                                            ("900000 100000", 8), ("garbage", 8), (None, 8)])
def test_the_default_workers_are_the_pinned_cores_under_the_container_s_quota(tmp_path, monkeypatch, cpu_max, cores):
    from gradstep import cli
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    monkeypatch.setattr(cli, "CPU_MAX", str(path))
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert cli.cores() == cores


CSV = RunSpec().replace(csv="views.csv", page=None)


@pytest.mark.parametrize("spec, model, chosen, words", [
    (CSV, 12.0, True, "--model auto chose it by a backtest that these test days did not follow: look at the "
                      "ranking with gradstep backtest, or give a longer file for more folds"),
    (CSV, 12.0, False, "try --model auto, which backtests the baselines too, or train on more days (a longer "
                       "file, or a shorter --test)"),
    (RunSpec(), 12.0, True, "--model auto chose it by a backtest that these test days did not follow: look at the "
                            "ranking with gradstep backtest"),
    (RunSpec(), 12.0, False, "try --model auto, which backtests the baselines too, or train on more days (a later "
                             "--train end and --test: the built-in pages run to 2024-11-08, the data's last day)"),
    (RunSpec(), 10.0, False, None),  # a tie with the baseline is not a loss
    (RunSpec().replace(kind="naive", days=7), 12.0, False, None),  # a baseline is not beaten by another
])
def test_the_beaten_note_advises_by_how_the_model_was_chosen(monkeypatch, spec, model, chosen, words):
    from gradstep import cli
    said = []
    monkeypatch.setattr(cli, "_say", lambda console, text: said.append(text))
    series = pd.Series(1.0, index=pd.date_range("2024-10-01", "2024-11-08"))
    cli._beaten(None, spec, {"mae": model}, {"naive": {"mae": 11.0}, "seasonal_naive": {"mae": 10.0}}, chosen,
                series)
    assert said == ([] if words is None else [
        f"note: the seasonal naive baseline scored a lower test MAE than the model (10 against {model:,.0f}): on these "
        f"days it forecast better; {words}"])


def test_a_model_s_unit_is_views_for_a_page_and_the_column_for_a_file():
    from gradstep.cli import trained_unit
    assert trained_unit(RunSpec()) == "views"
    assert trained_unit(RunSpec().replace(page=None, csv="a.csv", value_column="Watch time (hours)")) == \
        "Watch time (hours)"
    assert trained_unit(RunSpec().replace(page=None, csv="a.csv")) == "values"
    assert trained_unit(RunSpec().replace(page=None, csv="a.csv", value_column="v" * 70)) == "v" * 59 + "…"


@pytest.mark.parametrize("folds, line", [(1, "  naive: MAE 0.12 Hours (0.0 s)"),
                                         (2, "  naive: MAE 0.12 ± 0.05 Hours (0.0 s)")])
def test_a_finished_candidate_shows_a_spread_only_over_several_folds(folds, line):
    from types import SimpleNamespace

    from gradstep.cli import _finished_line
    result = SimpleNamespace(mae=0.12, std=0.05, seconds=0.01, table=pd.DataFrame({"mae": [0.12] * folds}))
    assert _finished_line("naive", result, "Hours") == line


def rendered(table) -> str:
    """A rich table as the terminal shows it, 200 columns wide."""
    import io

    from rich.console import Console
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


CANDIDATES = [("mean of the 4 best", "mean of 4 models"), ("seasonal naive", "seasonal naive"),
              ("linear 7 days", "linear, 7 days"), ("linear 14 days", "linear, 14 days"),
              ("linear 28 days", "linear, 28 days"), ("linear 56 days", "linear, 56 days"),
              ("sigmoid 100 units", "sigmoid 100"), ("relu 2 × 100", "relu 2 × 100"), ("naive", "naive"),
              ("linear a year", "linear, yearly")]


def test_the_candidates_table_is_drawn_whole_with_a_spread_only_over_several_folds():
    """Its title, its columns' names and sides (ranks, names and models on the left, numbers on the right: ten rows
    so that a rank has two digits), the MAE in the file's unit, the spread "–" with one fold, the seconds to 0.1."""
    from gradstep.cli import _candidates_table
    rows = [{"candidate": name, "model": model, "mae": 10.5 * (i + 1) ** 2, "std": 0.25 * (i + 1),
             "seconds": 3.14159 * i} for i, (name, model) in enumerate(CANDIDATES)]
    assert rendered(_candidates_table(rows, "Watch time (hours)", 2)).splitlines() == [
        "            backtest of the candidates, best first (one day ahead, training days only)            ",
        "┏━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━┓",
        "┃    ┃ candidate          ┃ model            ┃ MAE (Watch time (hours)) ┃ ± over folds ┃ seconds ┃",
        "┡━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━┩",
        "│ 1  │ mean of the 4 best │ mean of 4 models │                     10.5 │         0.25 │     0.0 │",
        "│ 2  │ seasonal naive     │ seasonal naive   │                       42 │          0.5 │     3.1 │",
        "│ 3  │ linear 7 days      │ linear, 7 days   │                     94.5 │         0.75 │     6.3 │",
        "│ 4  │ linear 14 days     │ linear, 14 days  │                      168 │            1 │     9.4 │",
        "│ 5  │ linear 28 days     │ linear, 28 days  │                      262 │         1.25 │    12.6 │",
        "│ 6  │ linear 56 days     │ linear, 56 days  │                      378 │          1.5 │    15.7 │",
        "│ 7  │ sigmoid 100 units  │ sigmoid 100      │                      514 │         1.75 │    18.8 │",
        "│ 8  │ relu 2 × 100       │ relu 2 × 100     │                      672 │            2 │    22.0 │",
        "│ 9  │ naive              │ naive            │                      850 │         2.25 │    25.1 │",
        "│ 10 │ linear a year      │ linear, yearly   │                    1,050 │          2.5 │    28.3 │",
        "└────┴────────────────────┴──────────────────┴──────────────────────────┴──────────────┴─────────┘"]
    one = rendered(_candidates_table(rows[:2], "views", 1)).splitlines()
    assert one == [
        "     backtest of the candidates, best first (one day ahead, training days only)     ",
        "┏━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━┓",
        "┃   ┃ candidate          ┃ model            ┃ MAE (views) ┃ ± over folds ┃ seconds ┃",
        "┡━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━┩",
        "│ 1 │ mean of the 4 best │ mean of 4 models │        10.5 │            – │     0.0 │",
        "│ 2 │ seasonal naive     │ seasonal naive   │          42 │            – │     3.1 │",
        "└───┴────────────────────┴──────────────────┴─────────────┴──────────────┴─────────┘"]


@pytest.mark.parametrize("name, horizon, title", [
    ("channel export.csv", 1, "channel export.csv, the next 1 day: linear, 7 days"),
    ("channel export.csv", 2, "channel export.csv, the next 2 days: linear, 7 days"),
    ("new\nline.csv", 28, "new\\nline.csv, the next 28 days: linear, 7 days"),  # the file's name as one line
    ("v" * 77 + ".csv", 3, "v" * 77 + ".csv, the next 3 days: linear, 7 days"),  # 81 characters: cut to 80
], ids=["a day", "days", "a newline", "a long name"])
def test_the_forecast_plot_is_handed_the_last_8_weeks_the_unit_the_level_and_a_title(monkeypatch, tmp_path, name,
                                                                                     horizon, title):
    from argparse import Namespace
    from types import SimpleNamespace

    from gradstep import cli
    drawn, said = [], []
    monkeypatch.setattr("gradstep.plots.forecast_plot", lambda *args, **kwargs: drawn.append((args, kwargs)))
    monkeypatch.setattr(cli, "_say", lambda console, text: said.append((console, text)))
    series = pd.Series(np.arange(60.0), index=pd.date_range("2024-09-10", periods=60), name="Hours")
    frame = pd.DataFrame({"date": pd.date_range("2024-11-09", periods=horizon), "forecast": 1.0})
    data = SimpleNamespace(describe=lambda: f"/exports/2024/{name}")
    spec = SimpleNamespace(describe=lambda: "linear, 7 days")
    plot = tmp_path / "f.png"
    cli._plot_forecast(Namespace(plot=plot, level=90.0, horizon=horizon), "console", series, frame, data, spec, "Hours")
    if len(name) > 80:
        title = name[:79] + "…" + title[len(name):]
    [(args, kwargs)] = drawn
    assert len(args) == 3 and args[0].equals(series.iloc[4:]) and args[1] is frame and args[2] == plot
    assert kwargs == {"unit": "Hours", "level": 90.0, "title": title}
    assert said == [("console", f"wrote {plot}")]
    drawn.clear()
    said.clear()
    cli._plot_forecast(Namespace(plot=None, level=90.0, horizon=horizon), "console", series, frame, data, spec, "Hours")
    assert drawn == [] and said == []  # no --plot, no figure


SHORT = pd.Series(1.0, index=pd.date_range("2024-08-01", "2024-11-08"), name="Hours")


def shorter_tests(monkeypatch, *answers):
    """backtest.shorter_test giving ``answers`` in turn; returns its calls' folds (the specs and series checked)."""
    specs, calls = {"naive": "the naive spec"}, []

    def shorter_test(given, series, n_folds=1):
        assert given is specs and series is SHORT
        calls.append(n_folds)
        return answers[len(calls) - 1]
    monkeypatch.setattr("gradstep.backtest.shorter_test", shorter_test)
    return specs, calls


@pytest.mark.parametrize("command, folds, answers, calls, advice", [
    ("train", None, [("2024-10-19", "2024-11-08")], [1],
     "use a shorter test part, --test 2024-10-19:2024-11-08, the last 21 days, which leaves room for one"),
    ("backtest", 1, [("2024-10-12", "2024-11-08")], [1],
     "use a shorter test part, --test 2024-10-12:2024-11-08, the last 28 days, which leaves room for one"),
    ("backtest", 2, [("2024-11-02", "2024-11-08")], [2],
     "use a shorter test part, --test 2024-11-02:2024-11-08, the last 7 days, which leaves room for 2 folds"),
    ("train", 3, [None, ("2024-10-26", "2024-11-08")], [3, 1],
     "use --folds 1 and a shorter test part, --test 2024-10-26:2024-11-08, the last 14 days, which leaves room "
     "for one"),
    ("train", 2, [None, None], [2, 1], "choose a model with --model (and --folds 0)"),
    ("train", 1, [None, ("2024-10-26", "2024-11-08")], [1], "choose a model with --model (and --folds 0)"),
    ("backtest", 2, [None, None], [2, 1], ""),  # backtest has no model to choose instead: "give a longer file"
    ("backtest", None, [None, ("2024-10-26", "2024-11-08")], [1], ""),
])
def test_the_shorter_advice_of_each_case_word_for_word(monkeypatch, command, folds, answers, calls, advice):
    from argparse import Namespace

    from gradstep.cli import _shorter_advice
    specs, asked = shorter_tests(monkeypatch, *answers)
    assert _shorter_advice(specs, SHORT, Namespace(command=command, folds=folds)) == advice
    assert asked == calls  # --folds 1 asks once: its second question would be the first


def with_room(monkeypatch, rooms: dict, folds, command="train", shorter=None):
    """cli._with_room over four candidates of which ``rooms`` have room for that many folds; returns what it
    returned (or its refusal) and said, and --folds after it."""
    from argparse import Namespace

    from gradstep import cli
    spec = RunSpec()
    everyone = {name: f"{name}'s spec" for name in ("naive", "linear 7 days", "linear a year", "relu 2 × 100")}

    def candidates(given):
        assert given is spec
        return dict(everyone)

    def fitting(specs, series):
        assert specs == everyone and series is SHORT
        return dict(rooms)
    monkeypatch.setattr("gradstep.backtest.candidates", candidates)
    monkeypatch.setattr("gradstep.backtest.fitting", fitting)
    monkeypatch.setattr("gradstep.backtest.shorter_test", lambda specs, series, n_folds=1: shorter)
    said = []
    monkeypatch.setattr(cli, "_say", lambda console, text: said.append((console, text)))
    args = Namespace(folds=folds, command=command)
    try:
        chosen = cli._with_room(spec, SHORT, args, "console")
    except InputError as error:
        chosen = str(error)
    return chosen, [text for console, text in said if console == "console"], args.folds


def test_with_room_keeps_the_candidates_with_room_for_the_folds_and_names_the_others(monkeypatch):
    assert with_room(monkeypatch, {"naive": 10, "linear 7 days": 3}, None) == (
        {"naive": "naive's spec", "linear 7 days": "linear 7 days's spec"},
        ["note: left out for lack of training days: linear a year, relu 2 × 100"], 3)  # the fewest folds of them
    everyone = {"naive": 9, "linear 7 days": 12, "linear a year": 10, "relu 2 × 100": 20}
    assert with_room(monkeypatch, everyone, None) == (
        {name: f"{name}'s spec" for name in everyone}, [], AUTO_FOLDS)  # room for more than AUTO_FOLDS: no note
    assert with_room(monkeypatch, {"naive": 3, "linear 7 days": 2, "linear a year": 5}, 3) == (
        {"naive": "naive's spec", "linear a year": "linear a year's spec"},
        ["note: left out for lack of training days: linear 7 days, relu 2 × 100 (--folds 2 keeps those with room)"],
        3)  # room for 3 is room enough; relu 2 × 100 has room for none
    # one candidate with room for 1 fold does not cut the other three's backtests to 1 fold
    assert with_room(monkeypatch, {"naive": 12, "linear 7 days": 9, "linear a year": 1, "relu 2 × 100": 7}, None) == (
        {"naive": "naive's spec", "linear 7 days": "linear 7 days's spec", "relu 2 × 100": "relu 2 × 100's spec"},
        ["note: left out for lack of training days: linear a year (--folds 1 keeps them)"], 7)
    # three quarters of three candidates are all three (rounded up, not down to 2 with room for 8)
    rooms = {"naive": 9, "linear 7 days": 8, "relu 2 × 100": 2}
    assert with_room(monkeypatch, rooms, None)[1:] == (["note: left out for lack of training days: linear a year"], 2)
    rooms = {"naive": 9, "linear 7 days": 2, "linear a year": 3, "relu 2 × 100": 9}
    assert with_room(monkeypatch, rooms, 5)[1] == ["note: left out for lack of training days: linear 7 days, linear a "
                                                   "year (--folds 2 keeps them)"]  # the fewest of those left out


@pytest.mark.parametrize("rooms, folds, command, shorter, refusal", [
    ({"naive": 3, "linear 7 days": 2}, 4, "train", None, "on 4 folds of 28 days; use --folds 3 or fewer, or give a "
                                                          "longer file"),
    ({"naive": 2, "linear a year": 1}, 3, "train", None, "on 3 folds of 28 days; use --folds 2 or fewer, or give "
                                                          "a longer file"),
    ({"naive": 1}, 2, "backtest", None, "on 2 folds of 28 days; use --folds 1, or give a longer file"),
    ({}, 1, "backtest", None, "on 1 fold of 28 days; give a longer file"),
    ({}, None, "train", None, "on even one fold of 28 days; choose a model with --model (and --folds 0), or give a "
                              "longer file"),
    ({}, 2, "backtest", ("2024-11-02", "2024-11-08"), "on 2 folds of 28 days; use a shorter test part, --test "
                                                      "2024-11-02:2024-11-08, the last 7 days, which leaves room for "
                                                      "2 folds, or give a longer file"),
])
def test_with_room_refuses_data_too_short_for_any_candidate_with_its_advice(monkeypatch, rooms, folds, command,
                                                                            shorter, refusal):
    refused, said, _ = with_room(monkeypatch, rooms, folds, command, shorter)
    assert refused == f"the data is too short to backtest any candidate {refusal}" and said == []


def test_the_ahead_table_is_drawn_whole_with_a_dash_for_what_a_step_lacks():
    """Its title and caption, every column on the right, a step without baselines or interval shown "–"."""
    from gradstep.cli import _ahead_table
    rows = [{"ahead": 1, "mae": 12.345, "naive": {"mae": 15.0}, "seasonal_naive": {"mae": 1234.5},
             "interval_coverage": 0.8},
            {"ahead": 2, "mae": 150.0, "interval_coverage": None},
            {"ahead": 10, "mae": 0.5, "naive": {"mae": 2.0}, "seasonal_naive": {"mae": 3.0}, "interval_coverage": 1.0}]
    assert rendered(_ahead_table(rows, ["2024-10-12", "2024-11-08"], "Hours", 92.5)).splitlines() == [
        "      the test days 2024-10-12..2024-11-08 forecast 1 to 3 days ahead       ",
        "                    (recursively, as predict forecasts)                     ",
        "┏━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ days ahead ┃ MAE (Hours) ┃ naive ┃ seasonal naive ┃ 92.5 % interval held ┃",
        "┡━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━┩",
        "│          1 │        12.3 │    15 │          1,234 │                  80% │",
        "│          2 │         150 │     – │              – │                    – │",
        "│         10 │         0.5 │     2 │              3 │                 100% │",
        "└────────────┴─────────────┴───────┴────────────────┴──────────────────────┘",
        "  naive: the last value known then; seasonal naive: the last same weekday   ",
        "                                 known then                                 "]
