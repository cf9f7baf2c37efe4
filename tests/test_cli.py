"""The command line as a user meets it: help, one-line refusals with exit code 2, train → evaluate → predict."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradstep.cli import in_flags, main
from gradstep.data import load_pageviews

sys.path.insert(0, str(Path(__file__).parent / "data"))
from corpus import MALFORMED, MALFORMED_DIR  # noqa: E402

FAST = ["--epochs", "2", "--quiet", "--folds", "0"]


def run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line_refusal(code, err):
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("gradstep") and "Traceback" not in err
    return err


@pytest.mark.parametrize("name, expected, read_kwargs, window_kwargs", MALFORMED,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(MALFORMED)])
def test_every_malformed_file_gets_one_line_and_exit_2_and_nothing_written(capsys, tmp_path, name, expected,
                                                                          read_kwargs, window_kwargs):
    options = []
    for key, value in read_kwargs.items():
        options += [f"--{key.replace('_', '-')}", value]
    for key, value in window_kwargs.items():
        options += [f"--{key}", value]
    out = tmp_path / "model"
    code, _, err = run(capsys, "train", "--csv", MALFORMED_DIR / name, *options, *FAST, "--out", out)
    err = one_line_refusal(code, err)
    if read_kwargs.get("fill") == "mean":
        assert "invalid choice: 'mean'" in err
    else:
        assert all(in_flags(text) in err for text in expected), err
    assert not out.exists()


@pytest.mark.parametrize("argv, words", [
    (["train", "--lr", "abc"], "--lr: 'abc' is not a number"),
    (["train", "--model", "cnn"], "invalid choice: 'cnn'"),
    (["train", "--days", "0"], "--days 0 is out of range; it must be a whole number from 1"),
    (["train", "--batch-size", "-3"], "--batch-size -3 is out of range"),
    (["train", "--batch-size", "many"], "--batch-size: 'many' is not a whole number or 'full'"),
    (["train", "--lr", "nan"], "--lr nan is out of range"),
    (["train", "--lr", "0"], "--lr 0.0 is out of range"),
    (["train", "--model", "relu", "--dropout", "-0.1"], "--dropout -0.1 is out of range"),
    (["train", "--units", "5"], "--units does not apply to --model linear"),
    (["train", "--model", "sigmoid", "--layers", "2", "--dropout", "0.1"],
     "--layers and --dropout do not apply to --model sigmoid"),
    (["train", "--model", "relu", "--dropout", "1"], "--dropout 1.0 is out of range; it must be a number from 0, below 1"),
    (["train", "--seed", "-1"], "--seed -1 is out of range"),
    (["train", "--lr", "inf"], "--lr inf is out of range"),
    (["train", "--momentum", "0.9"], "momentum applies to --optimizer sgd"),
    (["train", "--train", "2017"], "write START:END"),
    (["train", "--page", "Nope"], "unknown page"),
    (["train", "--patience", "3"], "early stopping (--patience 3) needs a validation part; give one, e.g. --valid-days 45"),
    (["train", "--test", "2030-01-01:2030-02-01"], "2030"),
    (["train", "--workers", "2"],
     "--workers applies to --model auto, which backtests the candidates; drop it or choose --model auto"),
    (["train", "--model", "auto", "--workers", "0"],
     "--workers 0 is out of range; it must be a whole number from 1, at most 256"),
    (["backtest", "--workers", "257"], "--workers 257 is out of range; it must be a whole number from 1, at most 256"),
    (["backtest", "--workers", "two"], "--workers: 'two' is not a whole number"),
    (["evaluate", "/nonexistent/dir"], "is not a directory"),
    (["reproduce", "lineer"], "unknown study lineer"),
    (["reproduce", "--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
    (["frobnicate"], "invalid choice"),
    (["train", "--day", "7"], "gradstep train: error: unrecognized arguments: --day 7 (see gradstep train --help)"),
    (["predict", "/nonexistent", "--horizons", "3"],
     "gradstep predict: error: unrecognized arguments: --horizons 3 (see gradstep predict --help)"),
    (["train", "--horizon", "14"], "gradstep train: error: unrecognized arguments: --horizon 14; --horizon is an "
                                   "option of gradstep evaluate and gradstep predict (see gradstep train --help)"),
    (["--quiet", "train"], "gradstep: error: unrecognized arguments: --quiet; put --quiet after train (see gradstep "
                           "--help)"),
    (["evaluate", "/nonexistent", "--workers", "2"], "--workers is an option of gradstep train, gradstep backtest "
                                                     "and gradstep reproduce (see gradstep evaluate --help)"),
    (["evaluate", "/nonexistent", "--plot", "f.png"], "gradstep evaluate: error: unrecognized arguments: --plot f.png; "
                                                      "--plot is an option of gradstep predict (see"),
    (["predict", "/nonexistent", "--folds=a=b"], "--folds=a=b; --folds is an option of gradstep train and gradstep "
                                                 "backtest"),
    (["predict", "/nonexistent", "--folds=3"], "gradstep predict: error: unrecognized arguments: --folds=3; --folds is "
                                               "an option of gradstep train and gradstep backtest (see gradstep "
                                               "predict --help)"),
    (["--bogus"], "gradstep: error: unrecognized arguments: --bogus (see gradstep --help)"),
    (["--bogus", "data", "list"], "gradstep: error: unrecognized arguments: --bogus (see gradstep --help)"),
    (["train", "--test", "2021-02-01:2021-01-01"], "is empty: it ends before it starts; give the earlier date first"),
    (["predict", "/nonexistent"], "is not a directory"),
])
def test_bad_options_get_one_line_and_exit_2(capsys, tmp_path, argv, words):
    if "train" in argv[:2]:
        argv = argv + [*FAST, "--out", str(tmp_path / "out")]
    code, _, err = run(capsys, *argv)
    assert words in one_line_refusal(code, err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("loss", ["mse", "mae"])
def test_diverging_learning_rate_is_refused_and_writes_nothing(capsys, tmp_path, loss):
    out = tmp_path / "model"
    code, _, err = run(capsys, "train", "--optimizer", "sgd", "--lr", "1e6", "--loss", loss, *FAST, "--out", out)
    err = one_line_refusal(code, err)
    assert "diverged" in err and "smaller learning rate" in err and "--lr 100000" in err
    assert not out.exists() and not list(out.parent.glob(f".{out.name}*"))  # no lock, checkpoint or temporary


@pytest.mark.parametrize("command", [["train", "--epochs", "1"], ["reproduce", "piecewise", "--quick"]])
def test_out_that_is_a_file_is_refused_before_any_work(capsys, tmp_path, command):
    existing = tmp_path / "existing"
    existing.write_text("keep me")
    code, out, err = run(capsys, *command, "--out", existing)
    assert "is a file, not a directory" in one_line_refusal(code, err) and out == ""
    assert existing.read_text() == "keep me"


def test_one_study_over_a_report_of_other_settings_is_refused_in_one_line(capsys, tmp_path):
    report = tmp_path / "report"
    report.mkdir()
    (report / "report.json").write_text(json.dumps({"settings": {"seeds": 3}, "header": {}, "studies": {}}))
    (report / "report.html").write_text("the full report")
    code, _, err = run(capsys, "reproduce", "piecewise", "--quick", "--seeds", "1", "--workers", "1", "--out", report)
    assert "holds a report made with other settings" in one_line_refusal(code, err)
    assert sorted(p.name for p in report.iterdir()) == ["report.html", "report.json"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    out = tmp_path_factory.mktemp("saved") / "m"
    assert main(["train", "--model", "sigmoid", "--units", "4", "--days", "7", *FAST, "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("damage, words", [
    (lambda m: m["metrics"].pop("test"), None),
    (lambda m: m["spec"]["data"].update(days="x"), "is not valid gradstep model metadata"),
    (lambda m: m["spec"]["model"].update(units=5), "the weights do not belong to this model.json"),
    (lambda m: m["split"].update(test=None), "is not valid gradstep model metadata"),
    (lambda m: m["standardizer"].update(std=0), "positive std"),
    (lambda m: m.pop("spec"), "is not valid gradstep model metadata"),
])
def test_edited_model_json_is_refused_or_still_works(capsys, tmp_path, saved, damage, words):
    import shutil
    broken = tmp_path / "m"
    shutil.copytree(saved, broken)
    meta = json.loads((broken / "model.json").read_text())
    damage(meta)
    (broken / "model.json").write_text(json.dumps(meta))
    code, out, err = run(capsys, "predict", broken)
    if words is None:
        assert code == 0 and "│ 2024-11-09 │ Sat │" in out and "test MAE" not in out
    else:
        assert words in one_line_refusal(code, err)


@pytest.mark.parametrize("content", [b"not a zip", None])
@pytest.mark.parametrize("digest", [True, False])
def test_damaged_model_file_is_refused(capsys, tmp_path, saved, content, digest):
    import shutil
    broken = tmp_path / "m"
    shutil.copytree(saved, broken)
    model = broken / "model.npz"
    model.write_bytes(content if content is not None else model.read_bytes()[:100])
    if not digest:  # without the sha256 in model.json, the npz reader itself must refuse the damage
        meta = json.loads((broken / "model.json").read_text())
        del meta["npz_sha256"]
        (broken / "model.json").write_text(json.dumps(meta))
    code, _, err = run(capsys, "predict", broken)
    words = "the sha256 differs" if digest else "cannot read the model file"
    assert words in one_line_refusal(code, err)


def test_help_is_complete():
    for command, options in {"train": ["--model", "--days", "--units", "--layers", "--epochs", "--lr", "--batch-size",
                                       "--seed", "--page", "--csv", "--out", "--fill", "--valid-days", "--patience",
                                       "--train", "--test", "--loss", "--optimizer"],
                             "evaluate": ["DIR", "--csv", "--page"], "predict": ["DIR", "--csv"],
                             "reproduce": ["STUDY", "--out", "--seeds", "--quick", "--workers", "linear", "batch-size"]}.items():
        text = subprocess.run([sys.executable, "-m", "gradstep.cli", command, "--help"], capture_output=True,
                              text=True, check=True).stdout
        assert all(option in text for option in options), (command, text)
    version = subprocess.run([sys.executable, "-m", "gradstep.cli", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("gradstep ")


def test_train_evaluate_predict_on_built_in_data(capsys, tmp_path):
    out = tmp_path / "m"
    code, text, err = run(capsys, "train", "--model", "relu", "--units", "16", "--layers", "2", "--days", "7",
                          *FAST, "--out", out)
    assert code == 0, err
    assert "train 2017-01-08..2020-12-31 (1454 days), test 2021-01-01..2021-02-14 (45 days)" in text
    assert "46 updates per epoch" in text
    assert sorted(p.name for p in out.iterdir()) == ["history.csv", "model.json", "model.npz", "test.png"]
    meta = json.loads((out / "model.json").read_text())
    assert meta["spec"]["model"]["kind"] == "relu" and meta["spec"]["data"]["page"] == "Standard_deviation"
    assert meta["scored"] == ["train", "test"] and meta["spec"]["train"]["epochs"] == 2
    assert meta["split"]["test"] == ["2021-01-01", "2021-02-14"] and len(meta["data_sha256"]) == 64
    assert (out / "history.csv").read_text().splitlines()[0].startswith("epoch,train_loss,train_mae")
    assert len((out / "history.csv").read_text().splitlines()) == 3
    code, text, _ = run(capsys, "evaluate", out)
    test_mae = f"{meta['metrics']['test']['mae']:,.0f}"
    assert code == 0 and "test" in text and test_mae in text and "seasonal naive" in text and "MASE" in text
    code, text, _ = run(capsys, "predict", out)
    assert code == 0 and "│ 2024-11-09 │ Sat │" in text


def test_same_seed_same_metrics_different_seed_differs(capsys, tmp_path):
    metrics = []
    for seed, name in ((3, "a"), (3, "b"), (4, "c")):
        assert run(capsys, "train", "--model", "sigmoid", "--units", "8", "--seed", seed, *FAST, "--out",
                   tmp_path / name)[0] == 0
        metrics.append(json.loads((tmp_path / name / "model.json").read_text())["metrics"])
    assert metrics[0] == metrics[1] and metrics[0] != metrics[2]


def youtube_like_export(path: Path, days: int = 300) -> "np.ndarray":
    """A channel-analytics-like export: newest first, a Total row, quoted numbers with thousands separators."""
    views = load_pageviews("Standard_deviation").iloc[-days:]
    rows = [f'Total,"{int(views.sum()):,}"'] + [f'{d:%Y-%m-%d},"{int(v):,}"' for d, v in views[::-1].items()]
    path.write_text("Date,Views\n" + "\n".join(rows) + "\n")
    return views


def test_train_evaluate_predict_on_a_users_csv(capsys, tmp_path):
    csv = tmp_path / "channel.csv"
    views = youtube_like_export(csv)
    out = tmp_path / "m"
    code, text, err = run(capsys, "train", "--csv", csv, "--days", "7", *FAST, "--out", out)
    assert code == 0, err
    assert 'using date column "Date" and value column "Views"' in text and 'dropped the "Total" row' in text
    last = views.index[-1]
    assert f"test {(last - np.timedelta64(44, 'D')):%Y-%m-%d}..{last:%Y-%m-%d} (45 days)" in text
    code, _, err = run(capsys, "predict", out)  # the model names the CSV; gradstep opens it only when told to
    assert "the model was trained on a CSV file" in one_line_refusal(code, err) and str(csv) not in err
    code, text, _ = run(capsys, "predict", out, "--csv", csv)
    next_day = last + np.timedelta64(1, "D")
    assert code == 0 and f"│ {next_day:%Y-%m-%d} │" in text
    longer = tmp_path / "longer.csv"
    longer.write_text(csv.read_text().replace("Date,Views", "Date,Views,Subscribers").replace('"\n', '",3\n'))
    code, text, err = run(capsys, "predict", out, "--csv", longer)
    assert code == 0 and 'value column "Views"' in text, err
    csv.write_text(csv.read_text().replace("Date,Views", "Date;Views"))
    code, _, err = run(capsys, "predict", out, "--csv", csv)
    one_line_refusal(code, err)


def test_decimal_reaches_the_reader_and_the_saved_model_reads_the_file_again_with_it(capsys, tmp_path):
    """A semicolon file of whole views written with thousands commas ("1,234"): read as decimals by default,
    as thousands with --decimal ., which the model keeps, so that predict reads the file the same way. Catches
    --decimal not handed to the reader, and not saved (predict would forecast from values 1000 times smaller)."""
    views = load_pageviews("Standard_deviation").iloc[-200:]
    csv = tmp_path / "views.csv"
    csv.write_text("date;views\n" + "".join(f"{day:%Y-%m-%d};{int(value) + 1000:,}\n" for day, value in views.items()))
    code, text, err = run(capsys, "train", "--csv", csv, "--model", "naive", "--folds", "0", "--out",
                          tmp_path / "guessed")
    assert code == 0 and "read commas as decimal marks" in text and "use --decimal ." in text, err
    code, text, err = run(capsys, "train", "--csv", csv, "--decimal", ".", "--model", "naive", "--folds", "0",
                          "--out", tmp_path / "m")
    assert code == 0 and "read commas as thousands separators" in text, err
    code, text, err = run(capsys, "predict", tmp_path / "m", "--csv", csv, "--format", "json")
    assert code == 0, err
    assert json.loads(text)["forecast"][0]["forecast"] == pytest.approx(int(views.iloc[-1]) + 1000, rel=1e-6)


def test_a_file_with_a_blank_date_header_trains_and_predicts(capsys, tmp_path):
    """pandas' to_csv of a series with an unnamed index: the date column's header is blank. Catches the blank
    name handed to the spec, which refuses an empty column name."""
    csv = tmp_path / "views.csv"
    load_pageviews("Standard_deviation").iloc[-200:].rename_axis(None).to_csv(csv)
    code, text, err = run(capsys, "train", "--csv", csv, "--model", "naive", "--folds", "0", "--out", tmp_path / "m")
    assert code == 0 and 'using date column "Unnamed: 0"' in text, err
    assert 'the header has no name for column 1: called it "Unnamed: 0", as pandas does' in text
    code, text, err = run(capsys, "predict", tmp_path / "m", "--csv", csv)
    assert code == 0, err


@pytest.mark.parametrize("case", ["duplicate dates", "diverging"])
def test_console_script_refuses_without_traceback_or_warnings(tmp_path, case):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,views\n2021-01-01,5\n2021-01-01,6\n")
    options = ["--csv", str(bad)] if case == "duplicate dates" else ["--optimizer", "sgd", "--lr", "1e9", "--loss", "mse"]
    script = Path(sys.executable).parent / "gradstep"
    result = subprocess.run([str(script), "train", *options, "--epochs", "2", "--out", str(tmp_path / "o")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_data_list_shows_the_built_in_pages(capsys):
    code, text, _ = run(capsys, "data", "list")
    assert code == 0 and "Standard_deviation (default)" in text and "2024-11-08" in text
    assert sum(line.startswith("│") for line in text.splitlines()) == 21


def _train_parser():
    from gradstep.cli import build_parser
    commands = next(a for a in build_parser()._actions if isinstance(a, __import__("argparse")._SubParsersAction))
    return commands.choices["train"]


def test_train_options_are_the_spec_fields_with_the_spec_defaults():
    """One list of names and one set of defaults: every spec field is a train option and nothing else is."""
    from gradstep.cli import flag, run_spec
    from gradstep.spec import RunSpec, spec_fields
    train = _train_parser()
    options = {s for a in train._actions for s in a.option_strings} - {"-h", "--help", "--out", "--quiet", "--resume", "--folds",
                                                                         "--blend", "--workers"}
    assert options == {flag(item.name) for _, item in spec_fields()}
    args = train.parse_args(["--out", "x"])
    args.batch_size_given = False
    assert run_spec(args) == RunSpec()
    args = train.parse_args(["--out", "x", "--batch-size", "full", "--valid-days", "9", "--model", "relu"])
    args.batch_size_given = True
    spec = run_spec(args)
    assert spec.train.batch_size is None and spec.data.valid_days == 9 and spec.model.kind == "relu"
    for argv, days in ((["--model", "seasonal_naive"], 7), (["--model", "naive", "--days", "14"], 14)):
        args = train.parse_args(["--out", "x", *argv])  # a baseline reads a week by default, not 56 days
        args.batch_size_given = False
        assert run_spec(args).data.days == days


def test_library_messages_are_shown_in_flags():
    from gradstep.cli import in_flags
    assert in_flags("valid_days=0 is out of range; try days=7, or batch_size=None") == \
        "--valid-days 0 is out of range; try --days 7, or --batch-size full"
    assert in_flags("loss='x' is not a choice (got momentum=0.9)") == "--loss x is not a choice (got --momentum 0.9)"
    assert in_flags("kind='cnn' is not a choice") == "--model cnn is not a choice"
    assert in_flags("lags=(1, 70) is wrong; lags=(7,) too") == "--lags 1,70 is wrong; --lags 7 too"
    assert in_flags("lags=[1, 1] holds 1 more than once") == "--lags 1,1 holds 1 more than once"  # a model.json's
    assert in_flags("train=('2020-01-02', '2020-01-01') is empty") == "--train 2020-01-02:2020-01-01 is empty"
    assert in_flags("page='Xbox' is unknown") == "--page Xbox is unknown"  # only the quotes are stripped


def test_train_gives_the_same_weights_for_any_blas_thread_count(tmp_path):
    import os
    weights = []
    for threads in ("1", "2"):
        env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        out = tmp_path / threads
        subprocess.run([sys.executable, "-m", "gradstep.cli", "train", "--model", "sigmoid", "--units", "200",
                        "--batch-size", "full", "--epochs", "20", "--lr", "0.01", "--quiet", "--out", str(out)],
                       env=env, check=True, capture_output=True)
        with np.load(out / "model.npz", allow_pickle=False) as archive:
            weights.append({key: archive[key] for key in archive.files})
    assert all(np.array_equal(weights[0][key], weights[1][key]) for key in weights[0])


def test_the_parsers_study_names_are_the_studies():
    from gradstep.cli import STUDY_NAMES
    from gradstep.experiments import STUDIES
    assert STUDY_NAMES == tuple(STUDIES)


def test_train_with_lags_says_which_days_the_model_reads_and_auto_refuses_lags(capsys, tmp_path):
    """--lags reaches the model (its description names the days read); --model auto chooses its own days."""
    out = tmp_path / "lagged"
    code, printed, err = run(capsys, "train", "--model", "linear", "--days", "14", "--lags", "14,1,7", "--epochs", "2",
                             "--quiet", "--out", out)
    assert code == 0, err
    assert "model: linear, 3 of 14 days (1, 7, 14)" in printed
    code, printed, _ = run(capsys, "evaluate", out, "--json")
    assert json.loads(printed)["model"] == "linear, 3 of 14 days (1, 7, 14)"
    err = one_line_refusal(*run(capsys, "train", "--model", "auto", "--lags", "1,7", "--out", tmp_path / "auto")[::2])
    assert "--lags does not apply to --model auto; drop it" in err
