"""The ``gradstep`` command: data, train, evaluate, predict and reproduce.

Every problem with the user's input ends the command with one line on standard error that names
the problem and the fix, and exit code 2; files are written only once everything has worked. The
options of ``train`` are the fields of ``gradstep.spec`` (``valid_days`` is ``--valid-days``), with
their defaults and checks; errors the library words in Python (``days=0``) are shown in flags
(``--days 0``). Heavy modules are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import textwrap
from datetime import date
from pathlib import Path

from .errors import InputError
from .executor import MAX_WORKERS
from .spec import (BASELINES, MAX_MEMBERS, BlendSpec, DataSpec, DateRange, Interval, Lags, OneOf, RunSpec,
                   spec_fields, spec_from_dict)

# backtest.FOLDS, AUTO_FOLDS, FOLD_DAYS, HORIZON, LEVEL and BLEND, named here so that parsing the options does not
# import it
FOLDS, AUTO_FOLDS, FOLD_DAYS, HORIZON, LEVEL, BLEND = 4, 8, 28, 28, 80, 4
from .version import __version__

CPU_MAX = "/sys/fs/cgroup/cpu.max"  # a container's CPU quota, under cgroup v2

DESCRIPTION = ("gradstep: the first chapter of deep learning (Hung-yi Lee, ML 2021 lecture 1), runnable "
               "and measured: predict tomorrow's views from the previous days with a NumPy autograd engine.")
# experiments.STUDIES' keys, named here so that parsing the options does not import the studies
STUDY_NAMES = ("gradient-descent", "linear", "piecewise", "units", "depth", "activation", "batch-size", "overfitting")
FLAG_NAMES = {"kind": "model"}
SOURCE_FIELDS = ("page", "csv", "date_column", "value_column", "fill", "decimal")
SPLIT_FIELDS = ("train", "test")
SAVED_CSV = "the built-in page; a model trained on a CSV reads the file again from --csv"
MODEL_ONLY = {"units": ("sigmoid", "relu"), "layers": ("relu",), "dropout": ("relu",)}


def flag(name: str) -> str:
    """The command-line flag of a spec field: valid_days → --valid-days, kind → --model."""
    return "--" + FLAG_NAMES.get(name, name).replace("_", "-")


_NAMES = [item.name for _, item in spec_fields()] + ["folds", "blend", "horizon", "level", "seeds", "workers", "port",
                                                   "host", "out", "lang", "scheduler"]
_PYTHON_NAME = re.compile(r"\b(" + "|".join(sorted(_NAMES, key=len, reverse=True))
                          + r")=(\S+?)(?=[;,)]?(?:\s|$))")
_DATE_RANGE = re.compile(r"\b(train|test)=\('([^']*)', '([^']*)'\)")
_LAGS = re.compile(r"\blags=[(\[](\d[\d, ]*?),?[)\]]")


def in_flags(message: str) -> str:
    """A library message in the command line's words: "days=0" becomes "--days 0", None becomes "full",
    train=('2020-01-02', '2020-01-01') becomes --train 2020-01-02:2020-01-01, lags=(1, 70) --lags 1,70."""
    def replace(match):
        value = match.group(2).strip("'")
        return f"{flag(match.group(1))} {'full' if value == 'None' else value}"
    message = _DATE_RANGE.sub(lambda m: f"--{m.group(1)} {m.group(2)}:{m.group(3)}", message)
    message = _LAGS.sub(lambda m: f"--lags {m.group(1).replace(' ', '')}", message)
    return _PYTHON_NAME.sub(replace, message)


class Formatter(argparse.HelpFormatter):
    """argparse's help layout without breaking words at hyphens (batch-size, full-batch)."""

    def _split_lines(self, text, width):
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)

    def _fill_text(self, text, width, indent):
        return textwrap.fill(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False)


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (and exit code 2), and help that keeps hyphenated words whole."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        kwargs.setdefault("allow_abbrev", False)  # --day is a mistake, not --days
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _text_to(kind, none_word: str | None):
    """An argparse type reading a number of ``kind`` (its range is the spec's to check); ``none_word`` reads as None."""
    def parse(text: str):
        if none_word and text.lower() == none_word:
            return None
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not {'a whole' if kind is int else 'a'} number"
                                             + (f" or {none_word!r}" if none_word else "")) from None
    return parse


def _date_range(text: str) -> tuple[str, str]:
    start, separator, end = text.partition(":")
    if not separator or not start or not end:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date range; write START:END, e.g. 2017-01-01:2020-12-31")
    return start, end


def _lags(text: str) -> tuple[int, ...]:
    """--lags 1,7,14 (in any order): distinct whole numbers from 1, separated by commas, sorted; the spec checks
    that they are at most --days."""
    try:
        lags = tuple(sorted(int(part) for part in text.split(",")))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a list of days; write whole numbers separated by "
                                         "commas, e.g. 1,7,14") from None
    if lags[0] < 1 or len(set(lags)) < len(lags):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} " + ("holds a day before 1" if lags[0] < 1 else
                                                              "holds a day more than once")
                                         + "; give distinct days from 1 to --days, e.g. 1,7,14")
    return lags


def _add_field(group, item, default_text: str | None = None) -> None:
    """One spec field as an option: its type from its check, its help and default from the spec."""
    check = item.metadata["check"]
    options = {"dest": item.name, "default": None}
    if isinstance(check, Interval):
        options.update(type=_text_to(check.kind, "full" if item.name == "batch_size" else None),
                       metavar="N" if check.kind is int else "X")
    elif isinstance(check, OneOf):
        options["choices"] = list(check.choices) + (["auto"] if item.name == "kind" else [])
        if item.name == "decimal":
            options["metavar"] = "MARK"
    elif isinstance(check, DateRange):
        options.update(type=_date_range, metavar="START:END")
    elif isinstance(check, Lags):
        options.update(type=_lags, metavar="J,J,...")
    else:
        options["metavar"] = "NAME" if item.name != "csv" else "FILE"
    default = item.default
    if default_text is None:
        default_text = (getattr(check, "none", None) if default is None else
                        f"{default:g}" if isinstance(default, float) else str(default))
    if item.name == "batch_size":
        default_text = str(default)
    help_text = item.metadata["help"] + (f" (default: {default_text})" if default_text else "")
    group.add_argument(flag(item.name), help=help_text.replace("%", "%%"), **options)


def _add_source(parser, page: str | None = None, csv: str | None = None) -> None:
    """The --page, --csv, --date-column, ... options, with the defaults ``page`` and ``csv`` say in --help."""
    group = parser.add_argument_group("data (the built-in Wikipedia page views, or your own daily CSV)")
    for section, item in spec_fields():
        if item.name in SOURCE_FIELDS:
            _add_field(group, item, {"page": page, "csv": csv}.get(item.name))


def cores() -> int:
    """The cores this process may run on: those it is pinned to, fewer under a container's CPU quota (cgroup v2's
    cpu.max, "QUOTA PERIOD" in microseconds, rounded up)."""
    pinned = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path(CPU_MAX).read_text(encoding="ascii").split()
        return max(1, min(pinned, -(-int(quota) // int(period))))
    except (OSError, ValueError, ZeroDivisionError):  # no cgroup v2, no quota ("max ..."), or unreadable
        return pinned


def _add_workers(parser, what: str) -> None:
    parser.add_argument("--workers", type=_text_to(int, None), default=None, metavar="N",
                        help=f"{what} in N processes on this machine, with the same numbers however many "
                             f"(default: one per core, {cores()} here)")


def build_parser() -> Parser:
    """The argument parser of every subcommand, with complete --help texts."""
    parser = Parser(prog="gradstep", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"gradstep {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parser.commands = commands.choices

    data = commands.add_parser("data", help="the built-in data", description="Show the built-in data.")
    data_commands = data.add_subparsers(dest="data_command", metavar="ACTION", parser_class=Parser)
    data_commands.add_parser("list", help="list the built-in pages",
                             description="List the built-in Wikipedia pages with their span and typical views.")

    train = commands.add_parser(
        "train", help="train a model and save it",
        description="Train one of the chapter's models to predict tomorrow's views from the previous --days days. "
                    "Default split: train 2017-01-01..2020-12-31, test 2021-01-01..2021-02-14 (the lecture's); "
                    "for data that does not cover those dates, the last 45 days are the test part. The test days "
                    "are scored once, after training, and the run records it. --model auto backtests the "
                    "candidates (gradstep backtest) and forecasts with the mean of the --blend best. Writes "
                    "DIR/model.npz, "
                    "DIR/model.json, DIR/history.csv and DIR/test.png, as one unit; --resume continues an "
                    "interrupted training.")
    _add_source(train, "Standard_deviation")
    titles = {"data": "days and dates (target days, inclusive)", "model": "model", "train": "training",
              "regularization": "regularisation (remedies for overfitting)"}
    groups = {name: train.add_argument_group(title) for name, title in titles.items()}
    for section, item in spec_fields():
        if item.name not in SOURCE_FIELDS:
            _add_field(groups[section], item)
    train.add_argument("--out", required=True, metavar="DIR", help="where to write the model, its history and the test plot")
    train.add_argument("--folds", type=_text_to(int, None), default=None, metavar="N",
                       help=f"backtest folds of {FOLD_DAYS} days at the end of the training part (and the "
                            f"{FOLD_DAYS} days from 52 weeks before the day after it, when there is room): their "
                            "errors give "
                            f"the forecasts' intervals, and --model auto chooses by them; 0 for none (default: "
                            f"{FOLDS}, or as many as the training part has room for; with --model auto "
                            f"{AUTO_FOLDS}, or as many as three quarters of the candidates have room for, the others "
                            "left out)")
    train.add_argument("--blend", type=_text_to(int, None), default=None, metavar="N",
                       help=f"--model auto: forecast with the mean of the N candidates with the lowest backtest "
                            f"error (at most the better half of them), 1 to {MAX_MEMBERS}; 1 for the best alone, as "
                            f"the mean of 3 seeds when that backtests better (default: {BLEND})")
    _add_workers(train, "--model auto: backtest the candidates")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--resume", action="store_true",
                       help="continue the interrupted training into --out from its last checkpoint (saved after "
                            "the first epoch, then about every second), with its own options; gives the same model "
                            "as an uninterrupted run")

    evaluate = commands.add_parser(
        "evaluate", help="the error of a saved model on its training and test days",
        description="Print the MAE and MSE (in the data's unit: views for the built-in pages, the value column's "
                    "name for a CSV) of a saved model on the days it was trained, validated and tested on, beside "
                    "the baselines'.")
    evaluate.add_argument("directory", metavar="DIR", help="a directory written by gradstep train")
    _add_source(evaluate, "the page it was trained on", SAVED_CSV)
    _add_level(evaluate)
    evaluate.add_argument("--horizon", type=_text_to(int, None), default=None, metavar="N",
                          help=f"also score the test days forecast 1 to N days ahead, as predict --horizon N makes "
                               f"them, 1 to {HORIZON}: the MAE, the baselines' and the interval's share per step")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of the table")

    predict = commands.add_parser(
        "predict", help="forecast the days after the data ends, with intervals",
        description="Forecast the --horizon days after the data ends (recursively: each day's forecast is an "
                    "input of the next), each with the interval that held --level % of the backtest's errors at "
                    "that many days ahead.")
    predict.add_argument("directory", metavar="DIR", help="a directory written by gradstep train")
    _add_source(predict, "the page it was trained on", SAVED_CSV)
    predict.add_argument("--horizon", type=_text_to(int, None), default=1, metavar="N",
                         help=f"days to forecast, 1 to {HORIZON} (default: 1)")
    _add_level(predict)
    predict.add_argument("--format", choices=["table", "csv", "json"], default="table",
                         help="how to print the forecast (default: table)")
    predict.add_argument("--plot", metavar="FILE", help="also draw the last 8 weeks, the forecast and its "
                                                        "interval into FILE (.png, .pdf or .svg)")

    backtest = commands.add_parser(
        "backtest", help="rank the candidate models by rolling-origin backtests",
        description=f"Backtest the baselines, linear models on 7/14/28/56 days and a year, sigmoid and ReLU "
                    "networks with early stopping, and models trained on the built-in pages too, on folds of "
                    f"{FOLD_DAYS} days at the end of the training part and the {FOLD_DAYS} days from 52 weeks "
                    "before the day after it (when every candidate has room for them), one step ahead; the test "
                    "days are never "
                    "read. Prints them ranked by mean MAE, with the spread over folds, and the mean of the "
                    f"{BLEND} best, which gradstep train --model auto forecasts with.")
    _add_source(backtest, "Standard_deviation")
    dates = backtest.add_argument_group("dates (target days, inclusive; every fold lies in the training part)")
    for section, item in spec_fields():
        if item.name in SPLIT_FIELDS:
            _add_field(dates, item)
    backtest.add_argument("--folds", type=_text_to(int, None), default=None, metavar="N",
                          help=f"folds (default: {AUTO_FOLDS}, as --model auto, or as many as three quarters of "
                               "the candidates have room for, the others left out)")
    _add_workers(backtest, "backtest the candidates")

    reproduce = commands.add_parser(
        "reproduce", help="run the chapter's studies and write the report",
        description="Run the chapter's studies on a daily series (the built-in Standard_deviation page views by "
                    "default: train 2017-2020, test 2021-01-01..2021-02-14 and the whole of 2021; on your own "
                    "--csv the last 45 days are the test days), print each table beside the lecture's numbers and "
                    "write the report as lessons — the idea, the formula, the tables, the figures, the finding and "
                    "what to try next — to DIR/report.html and DIR/report.md (DIR/report.json keeps every study's "
                    "result: running some studies into a full report's DIR updates their sections and keeps the "
                    "others).")
    reproduce.add_argument("studies", nargs="*", metavar="STUDY",
                           help=f"studies to run (default: all): {', '.join(STUDY_NAMES)}")
    _add_source(reproduce, "Standard_deviation")
    reproduce.add_argument("--out", default="report", metavar="DIR", help="where to write the report (default: report)")
    reproduce.add_argument("--seeds", type=_text_to(int, None), default=3, help="seeds per configuration (default: 3)")
    reproduce.add_argument("--quick", action="store_true", help="fewer epochs and sizes: a fast look (under 30 s)")
    reproduce.add_argument("--lang", choices=("en", "zh"), default="en",
                           help="the report's language: en (English) or zh (中文, the book's terms) (default: en)")
    reproduce.add_argument("--workers", type=_text_to(int, None), default=cores(),
                           help="worker processes on this machine (default: one per core; ignored with --scheduler)")
    reproduce.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                           help="send every job to the Dask cluster of this scheduler instead (pip install "
                                "\"gradstep[dask]\"; its workers need gradstep, and a --csv file at the same path)")
    playground = commands.add_parser(
        "playground", help="the chapter in your browser: gradient descent, hard sigmoids, a network training live",
        description="Start a local web page with three panels: drag gradient descent down the 1-day model's error "
                    "surface, build a curve from hard sigmoids, and train a network on the series (validation: its "
                    "last 45 training days) with the chapter's remedies, watching both losses live. Prints the URL "
                    "(with a random token, which every page needs) and serves until Ctrl-C. Needs the playground "
                    "extra: pip install \"gradstep[playground]\".")
    _add_source(playground, "Standard_deviation")
    playground.add_argument("--host", default="127.0.0.1",
                            help="the address to listen on (default: 127.0.0.1, this machine only)")
    playground.add_argument("--port", type=_text_to(int, None), default=0,
                            help="the port (default: a free one)")
    playground.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    playground.add_argument("--lang", choices=("en", "zh"), default="en",
                            help="the page's language: en (English) or zh (中文) (default: en)")
    return parser


def _add_level(parser) -> None:
    parser.add_argument("--level", type=_text_to(float, None), default=LEVEL, metavar="PERCENT",
                        help=f"the intervals' coverage, 50 to 99 (default: {LEVEL})")


def _given(args, names) -> dict:
    """The options among ``names`` that the user gave (argparse leaves the others None)."""
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def data_spec(args, saved: DataSpec | None = None) -> DataSpec:
    """The data source of --page / --csv / --date-column / --value-column / --fill, else the saved one."""
    given = _given(args, SOURCE_FIELDS)
    if saved is None or ("page" in given or "csv" in given):
        base = DataSpec()
    else:
        base = saved
    if "csv" in given:
        given["csv"] = str(Path(given["csv"]).resolve())
        if saved is not None and saved.csv is not None:
            given = {**{name: getattr(saved, name) for name in ("date_column", "value_column", "fill", "decimal")},
                     **given}
    values = base.to_dict()
    values.update(given)
    return DataSpec.from_dict(values)


def load_series(data: DataSpec):
    """The series ``data`` names, and ``data`` with the CSV columns that were chosen written in."""
    from .run import load_series as read
    series = read(data)
    if data.csv is None:
        data = DataSpec.from_dict({**data.to_dict(), "page": data.describe()})
    else:
        data = DataSpec.from_dict({**data.to_dict(), "date_column": series.attrs["date_column"],
                                   "value_column": series.attrs["value_column"]})
    return series, data


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str, limit: int = 400) -> str:
    """``text`` safe to print as one line: control characters escaped (\\n, \\x1b), cut to ``limit`` with "…"."""
    text = _CONTROL.sub(lambda match: repr(match.group())[1:-1], str(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _say(console, text: str) -> None:
    console.print(one_line(text, 2000), highlight=False, markup=False, soft_wrap=True)


def _notes(console, series) -> None:
    """The reader's notes on the file, in the command line's words (decimal='.' as --decimal .)."""
    for note in series.attrs.get("notes", []):
        _say(console, f"note: {in_flags(note)}")


def unit(series) -> str:
    """What the values count: "views" for the built-in pages, the value column's own name for a CSV."""
    return "views" if series.attrs.get("value_column") is None else one_line(series.name, 60)


def trained_unit(spec) -> str:
    """The unit of a saved model's own numbers (its test scores and backtest): of the data it was trained on, which
    may not be the data it is given now."""
    return "views" if spec.data.csv is None else one_line(spec.data.value_column or "values", 60)


def _series_line(series) -> str:
    return (f"{series.index[0]:%Y-%m-%d}..{series.index[-1]:%Y-%m-%d}, {len(series):,} day{'s' * (len(series) != 1)}, "
            f"median {_number(series.median())} {unit(series)}")


def _number(value) -> str:
    return "–" if value is None else f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _metrics_table(title: str, results: dict, split: dict, unit: str):
    """One row per part: its days, the model's MAE, the baselines' MAE on the same days, MASE, the MSE."""
    from rich.table import Table
    table = Table(title=title, caption="naive, seasonal naive: the baselines' MAE on each part's days; MASE: the "
                                       "MAE over the seasonal naive's on the training days, the usual scale")
    columns = ("part", "days", f"MAE ({unit})", "naive", "seasonal naive", "MASE", "MSE")
    for column in columns:
        table.add_column(column, justify="left" if column in ("part", "days") else "right")
    for part, values in results.items():
        dates = split.get(part)
        table.add_row(part, f"{dates[0]}..{dates[1]}" if dates else "", _number(values["mae"]),
                      *(_number(values.get(name, {}).get("mae")) for name in ("naive", "seasonal_naive")),
                      "–" if values.get("mase") is None else f"{values['mase']:.3f}", _number(values["mse"]))
    return table


def _results(run) -> dict:
    """A run's scored parts with their baselines and MASE, as ``Forecaster.evaluate`` gives them."""
    return {part: {**metrics, **run.baselines.get(part, {}), "mase": run.mase(part)}
            for part, metrics in run.metrics.items()}


def _spans(folds: list) -> str:
    """The folds' days as ranges, adjacent folds joined: "2020-01-03..2020-01-30, 2020-09-11..2020-12-31"."""
    spans = []
    for fold in folds:
        start, end = fold["test"]
        if spans and (date.fromisoformat(start) - date.fromisoformat(spans[-1][1])).days == 1:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return ", ".join(f"{start}..{end}" for start, end in spans)


def _backtest_line(result: dict, unit: str) -> str:
    folds = result["folds"]
    head = f"backtest: {len(folds)} fold{'s' * (len(folds) > 1)} {_spans(folds)}, one day ahead: MAE "
    if len(folds) == 1:
        return (f"{head}{_number(result['mae'])} {unit} (one fold, so no spread; the interval comes from its "
                f"{len(result['scores'][0])} errors and may hold far from its level on new days: a longer file "
                "gives more folds)")
    return f"{head}{_number(result['mae'])} ± {_number(result['std'])} {unit} (mean ± std over folds)"


def _finished_line(name: str, result, unit: str) -> str:
    """A candidate's backtest as it finishes: its MAE, ± the spread over folds when there are several."""
    spread = f" ± {_number(result.std)}" if len(result.table) > 1 else ""
    return f"  {name}: MAE {_number(result.mae)}{spread} {unit} ({result.seconds:.1f} s)"


def _candidates_table(rows: list, unit: str, folds: int):
    """The candidates ranked by backtest MAE over ``folds`` folds; with one fold, no spread ("–")."""
    from rich.table import Table
    table = Table(title="backtest of the candidates, best first (one day ahead, training days only)")
    for column in ("", "candidate", "model", f"MAE ({unit})", "± over folds", "seconds"):
        table.add_column(column, justify="left" if column in ("", "candidate", "model") else "right")
    for rank, row in enumerate(rows, 1):
        table.add_row(str(rank), row["candidate"], row["model"], _number(row["mae"]),
                      _number(row["std"]) if folds > 1 else "–", f"{row['seconds']:.1f}")
    return table


def command_data(args, console) -> int:
    from rich.table import Table

    from .data import list_pages, load_pageviews
    table = Table(title="built-in data: daily English Wikipedia page views (CC0), use with --page NAME")
    for column in ("page", "days", "from", "to", "median views 2017-2020"):
        table.add_column(column)
    for page in list_pages():
        series = load_pageviews(page)
        table.add_row(page + (" (default)" if page == "Standard_deviation" else ""), f"{len(series):,}",
                      f"{series.index[0]:%Y-%m-%d}", f"{series.index[-1]:%Y-%m-%d}",
                      f"{series.loc[:'2020-12-31'].median():,.0f}")
    console.print(table)
    return 0


def run_spec(args) -> RunSpec:
    """The RunSpec of train's options: the spec's defaults where an option is not given."""
    kind = args.kind or "linear"
    unused = [flag(name) for name, kinds in MODEL_ONLY.items() if getattr(args, name) is not None and kind not in kinds]
    if kind == "auto":
        unused += [flag(name) for name in ("days", "lags", "valid_at", "ensemble", "scale", "pool", "augment")
                   if getattr(args, name) is not None]
    else:
        for name, what in (("blend", "averages the best candidates"), ("workers", "backtests the candidates")):
            if getattr(args, name, None) is not None:
                raise InputError(f"--{name} applies to --model auto, which {what}; drop it or choose --model auto")
    if unused:
        raise InputError(f"{' and '.join(unused)} do{'es' * (len(unused) == 1)} not apply to --model {kind}; "
                         f"drop {'it' if len(unused) == 1 else 'them'} or choose --model relu")
    given = {section: {} for section, _ in spec_fields()}
    for section, item in spec_fields():
        value = getattr(args, item.name)
        if value is not None or (item.name == "batch_size" and args.batch_size_given):
            given[section][item.name] = value
    if kind == "auto":
        given["model"]["kind"] = "linear"
    if kind in BASELINES:  # a baseline reads at most a week (or the lags asked for): no need for 56 days of history
        given["data"].setdefault("days", max([7, *(given["data"].get("lags") or ())]))
    return RunSpec.from_dict(given)


def _resume_spec(args, saved: dict) -> RunSpec | BlendSpec:
    """The spec of the interrupted training; options given again must be its own (with --model auto: auto, the
    options it chose with and --blend, the choice being in the checkpoint), and a CSV must be given again."""
    try:
        spec = spec_from_dict(saved["spec"])
        asked = saved.get("asked")
        base = spec if asked is None else RunSpec.from_dict(asked["spec"])
        if isinstance(base, BlendSpec) or (asked is not None and asked["blend"] not in range(1, MAX_MEMBERS + 1)):
            raise ValueError("its --model auto options are missing")
    except (KeyError, TypeError, ValueError, InputError) as error:
        reason = f"it has no {error}" if isinstance(error, KeyError) else one_line(str(error), 160)
        raise InputError(f"the checkpoint of the interrupted training is damaged ({reason}); train again without "
                         "--resume") from None
    kind = "auto" if asked is not None else base.model.kind
    given = run_spec(argparse.Namespace(**{**vars(args), "kind": args.kind or kind}))  # options judged for its model
    changed = [f"--model {args.kind}"] if args.kind is not None and args.kind != kind else []
    changed += [f"{flag(item.name)} {getattr(getattr(given, section), item.name)}" for section, item in spec_fields()
                if item.name not in SOURCE_FIELDS and item.name != "kind" and (getattr(args, item.name) is not None or (
                    item.name == "batch_size" and args.batch_size_given))
                and getattr(getattr(given, section), item.name) != getattr(getattr(base, section), item.name)]
    if args.blend is not None and args.blend != (asked or {}).get("blend"):
        changed.append(f"--blend {args.blend}")
    if changed:
        raise InputError(f"--resume continues the interrupted training with its own options, and "
                         f"{', '.join(changed)} differ{'s' * (len(changed) == 1)} from them; drop "
                         f"{'it' if len(changed) == 1 else 'them'} or train again without --resume")
    if spec.data.csv is not None and args.csv is None:
        raise InputError("the interrupted training read a CSV file; pass the same file again with --csv FILE")
    source = data_spec(args, spec.data)
    return spec.replace(**{name: getattr(source, name) for name in SOURCE_FIELDS})


def _test_option(test: tuple) -> str:
    """"--test 2023-12-04:2023-12-31, the last 28 days," for a test part at the series' end."""
    days = (date.fromisoformat(test[1]) - date.fromisoformat(test[0])).days + 1
    return f"--test {test[0]}:{test[1]}, the last {days} days,"


def _shorter_advice(specs: dict, series, args) -> str:
    """When no candidate has room for one fold: the shorter test part that makes room for --folds folds, or
    for one with --folds 1; else, for train, a single model without a backtest."""
    from .backtest import shorter_test
    wanted = args.folds or 1
    test = shorter_test(specs, series, wanted)
    if test:
        return f"use a shorter test part, {_test_option(test)} which leaves room for " + (
            f"{wanted} folds" if wanted > 1 else "one")
    test = shorter_test(specs, series) if wanted > 1 else None
    if test:
        return f"use --folds 1 and a shorter test part, {_test_option(test)} which leaves room for one"
    return "choose a model with --model (and --folds 0)" if args.command == "train" else ""


def _with_room(spec, series, args, console) -> dict:
    """The candidates the training part has room to backtest on --folds folds (when --folds is not given, on as
    many, up to AUTO_FOLDS, as three quarters of those that fit have room for: ``args.folds`` is set to that, so
    that one candidate needing a long history, such as a year's, does not cut every backtest short); a note names
    those left out."""
    from .backtest import candidates, fitting
    everyone = candidates(spec)
    fits = fitting(everyone, series)
    if args.folds is None and fits:
        args.folds = min(AUTO_FOLDS, sorted(fits.values(), reverse=True)[math.ceil(0.75 * len(fits)) - 1])
    rooms = {name: room for name, room in fits.items() if room >= (args.folds or 0)}
    if not rooms:
        most = max(fits.values(), default=0)
        advice = f"use --folds {most}{' or fewer' * (most > 1)}" if most else _shorter_advice(everyone, series, args)
        folds = f"{args.folds} fold{'s' * (args.folds > 1)}" if args.folds else "even one fold"
        raise InputError(f"the data is too short to backtest any candidate on {folds} of {FOLD_DAYS} days; "
                         + (f"{advice}, or give a longer file" if advice else "give a longer file"))
    left_out = [name for name in everyone if name not in rooms]
    if left_out:
        fewer = [fits[name] for name in left_out if name in fits]  # room for fewer folds than were chosen
        keeps = f" (--folds {min(fewer)} keeps {'them' if len(fewer) == len(left_out) else 'those with room'})" \
            if fewer else ""
        _say(console, f"note: left out for lack of training days: {', '.join(left_out)}{keeps}")
    return {name: everyone[name] for name in rooms}


def _folds_text(chosen: dict, series, folds: int) -> str:
    """e.g. "4 folds of 28 days before the test days, and the 28 days from 52 weeks before the day after the
    training part"."""
    from .backtest import same_season
    text = f"{folds} fold{'s' * (folds > 1)} of {FOLD_DAYS} days before the test days"
    if same_season(chosen.values(), series, folds):
        text += f", and the {FOLD_DAYS} days from 52 weeks before the day after the training part"
    return text


def _choose(spec, series, args, console, unit_name: str):
    """--model auto: backtest the candidates the data has room for (a line as each finishes) on the same
    folds, and return the winner's spec, its backtest and the candidates' table."""
    from .backtest import choose
    if args.folds == 0:
        raise InputError("--model auto chooses by a backtest; give --folds 1 or more")
    chosen = _with_room(spec, series, args, console)
    _say(console, f"choosing by backtest: {len(chosen)} candidates on {_folds_text(chosen, series, args.folds)}")
    name, best, table = choose(
        chosen, series, n_folds=args.folds, blend=_blend(args), workers=_workers(args),
        on_done=lambda label, result: _say(console, _finished_line(label, result, unit_name)))
    rows = table.to_dict("records")
    console.print(_candidates_table(rows, unit_name, len(best.table)))
    _say(console, f"chosen: {name}")
    if name != rows[0]["candidate"]:
        _say(console, "note: not the first row: the mean of the best few forecasts new days better than any one of "
                      "them, even where a backtest of a few folds ranks one first (docs/benchmarks.md); --blend 1 "
                      "takes the first")
    wanted, averaged = _blend(args), len(best.spec.members) if isinstance(best.spec, BlendSpec) else 1
    if averaged < wanted:
        _say(console, f"note: {averaged} model{'s' * (averaged > 1)} averaged, not {wanted}: a blend takes at most the "
                      f"better half of the {len(chosen)} candidates")
    return best.spec, best.to_dict(), rows


def _workers(args) -> int:
    """--workers, or its default."""
    return cores() if args.workers is None else args.workers


def _blend(args) -> int:
    """--blend, or its default."""
    return BLEND if args.blend is None else args.blend


def _training_text(spec: RunSpec) -> str:
    """"; MAE loss, adam lr 0.001, 100 epochs, batch size 32", or nothing for a baseline (not trained)."""
    train = spec.train
    if spec.model.kind in BASELINES:
        return ""
    return (f"; {train.loss.upper()} loss, {train.optimizer} lr {train.lr:g}, {train.epochs} epochs, "
            f"batch size {'full' if train.batch_size is None else train.batch_size}")


def _resuming_text(state: dict | None) -> str:
    """"; resuming after epoch N" (of a blend's member in training: "resuming model 2 after epoch N")."""
    if not state:
        return ""
    if "blend" in state:
        inner = state["member"]
        epoch = f" after epoch {inner['trainer']['epoch']}" if inner and inner["trainer"] else ""
        return f"; resuming model {state['blend'] + 1}{epoch}"
    return f"; resuming after epoch {state['trainer']['epoch']}" if state["trainer"] else ""


def command_train(args, console) -> int:
    from .backtest import backtest, conformal, max_folds, shorter_test
    from .forecast import Forecaster
    from .io import writable_directory
    from .modeldir import ModelDirectory
    from .plots import prediction_plot
    from .run import data_hash, split
    from .spec import Interval as Check
    if args.folds is not None:
        Check(int, 0, 20).check("folds", args.folds)
    if args.blend is not None:
        Check(int, 1, MAX_MEMBERS).check("blend", args.blend)
    if args.workers is not None:
        Check(int, 1, MAX_WORKERS).check("workers", args.workers)
    out = writable_directory(args.out, "--out")
    spec = None if args.resume else run_spec(args)
    with ModelDirectory(out) as target:
        state, result, rows = None, None, None
        if args.resume:
            saved, state = target.load_checkpoint()
            spec = _resume_spec(args, saved)
            result, rows = saved.get("backtest"), saved.get("candidates")
        series, data = load_series(spec.data)
        spec = spec.replace(**{name: getattr(data, name) for name in ("page", "csv", "date_column", "value_column")})
        unit_name = unit(series)
        digest = data_hash(series)
        if args.resume and saved.get("data_sha256") != digest:
            raise InputError("the data differs from the data the interrupted training read; pass the same --csv "
                             "file, or train again without --resume")
        if not args.resume and target.has_checkpoint():
            _say(console, "note: starting over; the checkpoint of an interrupted training into this directory is "
                          "replaced (gradstep train --resume would have continued it)")
            target.discard_checkpoint()
        _say(console, f"data: {data.describe()}, {_series_line(series)}")
        _notes(console, series)
        asked = saved.get("asked") if args.resume else None
        if args.kind == "auto" and not args.resume:
            asked = {"spec": spec.to_dict(), "blend": _blend(args)}
            spec, result, rows = _choose(spec, series, args, console, unit_name)
        _say(console, f"dates: {split(spec, series).describe()}" + (
            " (scored from the first day every model has its days for; each trains from its own first day)"
            if isinstance(spec, BlendSpec) else ""))
        if args.folds is None and result is None:  # not when resuming with the backtest done
            args.folds = min(FOLDS, max_folds(spec, series))
            if args.folds < FOLDS:
                test = None if args.folds else shorter_test({"model": spec}, series)
                _say(console, f"note: the training part has room for {args.folds} backtest fold"
                              f"{'s' * (args.folds != 1)} of {FOLD_DAYS} days, not {FOLDS}"
                              + ("" if args.folds else "; without a backtest the forecasts have no intervals")
                              + (f"; {_test_option(test)} leaves room for one" if test else ""))
        _say(console, f"model: {spec.describe()}" + ("" if isinstance(spec, BlendSpec) else _training_text(spec))
                      + _resuming_text(state))
        meta = {"spec": spec.to_dict(), "asked": asked, "data_sha256": digest, "backtest": result, "candidates": rows}
        try:
            forecaster = Forecaster(spec).fit(series, progress=False if args.quiet else None, state=state,
                                              checkpoint=lambda training: target.save_checkpoint(meta, training))
        except InputError:  # a diverged training would diverge again: nothing to resume
            target.discard_checkpoint()
            raise
        run = forecaster.run
        for name, member in zip(spec.names, run.members) if run.members is not None else [(None, run)]:
            if len(member.history):
                _say(console, f"trained {f'{name}: ' if name else ''}{member.epochs_run} "
                              f"epoch{'s' * (member.epochs_run != 1)}, {member.updates_per_epoch} "
                              f"update{'s' * (member.updates_per_epoch != 1)} per epoch"
                              + (f"; stopped early, best epoch {member.best_epoch}" if member.stopped_early_at else ""))
        if result is None and args.folds:
            result = backtest(spec, series, n_folds=args.folds).to_dict()
        forecaster.backtest, forecaster.candidates = result, rows
        if result is not None:
            _say(console, _backtest_line(result, unit_name))
        run.score_test()
        console.print(_metrics_table("error on each part (the test days scored once, after training)", _results(run),
                                     run.ranges, unit_name))
        _beaten(console, spec, run.metrics["test"], run.baselines.get("test", {}), rows is not None, series)
        test = run.split_.test
        prediction = run.predict(test.X)
        if result is not None:
            held = forecaster.evaluate(series)["test"]["interval_coverage"]
            _say(console, f"the {LEVEL} % interval (one day ahead: ± {conformal(result['scores'][0]):.1%} of the "
                          f"last week's mean, from the backtest) held {held:.0%} of the test days")

        def write(directory):
            forecaster.write(directory)
            prediction_plot(test.dates, test.y, prediction, directory / "test.png", unit=unit_name,
                            title=f"{one_line(Path(data.describe()).name, 80)}: {spec.describe()}, test MAE "
                                  f"{_number(run.metrics['test']['mae'])} {unit_name}")
        target.commit(write)
        target.discard_checkpoint()
    _say(console, f"wrote {out / 'model.npz'}, {out / 'model.json'}, {out / 'history.csv'}, {out / 'test.png'}")
    return 0


def _beaten(console, spec, model: dict, baselines: dict, chosen: bool, series) -> None:
    """A note when a baseline scored a lower test MAE than the model (``chosen``: by --model auto's backtest): its
    forecasts are then worth no more than "same as yesterday" (or last week)."""
    if not baselines or (isinstance(spec, RunSpec) and spec.model.kind in BASELINES):
        return
    name = min(baselines, key=lambda baseline: baselines[baseline]["mae"])
    if baselines[name]["mae"] < model["mae"]:
        page = spec.data.csv is None
        if chosen:
            advice = ("--model auto chose it by a backtest that these test days did not follow: look at the ranking "
                      "with gradstep backtest" + ("" if page else ", or give a longer file for more folds"))
        else:
            more = (f"a later --train end and --test: the built-in pages run to {series.index[-1]:%Y-%m-%d}, the "
                    "data's last day" if page else "a longer file, or a shorter --test")
            advice = f"try --model auto, which backtests the baselines too, or train on more days ({more})"
        _say(console, f"note: the {name.replace('_', ' ')} baseline scored a lower test MAE than the model "
                      f"({_number(baselines[name]['mae'])} against {_number(model['mae'])}): on these days it "
                      f"forecast better; {advice}")


def _load_for(args, console):
    from .forecast import Forecaster
    from .run import data_hash
    forecaster, meta = Forecaster.load(args.directory)
    if forecaster.spec.data.csv is not None and args.csv is None and args.page is None:
        raise InputError("the model was trained on a CSV file; pass that file, or a newer export of it, with --csv "
                         "FILE (gradstep does not open a path written in a model's files)")
    series, data = load_series(data_spec(args, forecaster.spec.data))
    _notes(console, series)
    trained = trained_unit(forecaster.spec)
    if unit(series) != trained:
        _say(console, f"note: the model was trained on {trained}, and this is {unit(series)}: its saved test MAE "
                      f"and backtest are in {trained}; its forecasts, and their intervals (relative to the last "
                      "week's level), are made from this data")
    elif data_hash(series) != meta.get("data_sha256"):
        _say(console, "note: the data differs from the data the model was trained on")
    return forecaster, series, data


def _stderr_console():
    from rich.console import Console
    return Console(stderr=True, width=120)


def _check_level(args) -> None:
    """--level, a percentage from 50 to 99 (0.8 for 80 % is refused with that fix)."""
    from .spec import Interval as Check
    try:
        Check(float, 50, 99).check("level", args.level)
    except InputError as error:
        raise InputError(f"{error}: a percentage, 80 for an 80 % interval") from None


def command_evaluate(args, console) -> int:
    import json
    _check_level(args)
    forecaster, series, data = _load_for(args, _stderr_console() if args.json else console)
    results = forecaster.evaluate(series, level=args.level)
    if args.horizon is not None:
        results["test"]["ahead"] = forecaster.evaluate_ahead(series, args.horizon, level=args.level)
    unit_name = unit(series)
    model = forecaster.spec.describe()
    if args.json:
        backtest = forecaster.backtest and {**{key: forecaster.backtest[key] for key in ("mae", "std")},
                                            "unit": trained_unit(forecaster.spec)}
        print(json.dumps({"model": model, "data": data.describe(), "unit": unit_name, "level": args.level,
                          **results, "backtest": backtest}, allow_nan=False))
        return 0
    _say(console, f"model: {model} from {args.directory}")
    _say(console, f"data: {data.describe()}, {_series_line(series)}")
    console.print(_metrics_table("error on each part", results, forecaster.run.ranges, unit_name))
    if forecaster.backtest is not None:
        _say(console, _backtest_line(forecaster.backtest, trained_unit(forecaster.spec)))
        _say(console, f"the {args.level:g} % interval (one day ahead) held "
                      f"{results['test']['interval_coverage']:.0%} of the test days")
    if args.horizon is not None:
        console.print(_ahead_table(results["test"]["ahead"], forecaster.run.ranges["test"], unit_name, args.level))
    return 0


def _ahead_table(rows: list, days: list, unit: str, level: float):
    """The test days forecast 1..N days ahead: per step the MAE, the baselines' made as far ahead, the interval's
    share of days."""
    from rich.table import Table
    table = Table(title=f"the test days {days[0]}..{days[1]} forecast 1 to {len(rows)} days ahead (recursively, as "
                        "predict forecasts)",
                  caption="naive: the last value known then; seasonal naive: the last same weekday known then")
    for column in ("days ahead", f"MAE ({unit})", "naive", "seasonal naive", f"{level:g} % interval held"):
        table.add_column(column, justify="right")
    for row in rows:
        coverage = row.get("interval_coverage")
        table.add_row(str(row["ahead"]), _number(row["mae"]),
                      *(_number(row.get(name, {}).get("mae")) for name in ("naive", "seasonal_naive")),
                      "–" if coverage is None else f"{coverage:.0%}")
    return table


def command_predict(args, console) -> int:
    import json

    import numpy as np

    _check_level(args)
    if args.plot:
        _check_plot(Path(args.plot))
    if args.format != "table":  # notes go to standard error, so the output stays machine-readable
        console = _stderr_console()
    forecaster, series, data = _load_for(args, console)
    frame = forecaster.forecast(series, args.horizon, args.level)
    notes = [f"note: {in_flags(note)}" for note in frame.attrs["notes"]]
    unit_name = unit(series)
    clipped = frame["forecast"] < 0
    frame["forecast"] = frame["forecast"].clip(lower=0.0)
    if args.format != "table":
        for note in notes:
            _say(console, note)
        _plot_forecast(args, console, series, frame, data, forecaster.spec, unit_name)
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        if args.format == "csv":
            sys.stdout.write(frame.rename(columns={"forecast": unit_name, "lower": f"lower_{args.level:g}",
                                                  "upper": f"upper_{args.level:g}"}).to_csv(index=False))
        else:
            print(json.dumps({"unit": unit_name, "level": args.level, "model": forecaster.spec.describe(),
                              "forecast": frame.replace({np.nan: None}).to_dict("records")}))
        return 0
    from rich.table import Table
    _say(console, f"data: {data.describe()}, last day {series.index[-1]:%Y-%m-%d} "
                  f"({_number(series.iloc[-1])} {unit_name})")
    table = Table(title=f"forecast of {forecaster.spec.describe()}, " + (
        f"{args.level:g} % interval from its backtest" if forecaster.backtest else "no interval: no backtest"))
    for column in ("date", "day", f"forecast ({unit_name})", "lower", "upper"):
        table.add_column(column, justify="left" if column in ("date", "day") else "right")
    for row in frame.itertuples():
        table.add_row(f"{row.date:%Y-%m-%d}", f"{row.date:%a}", _number(row.forecast),
                      *("–" if np.isnan(value) else _number(value) for value in (row.lower, row.upper)))
    console.print(table)
    test = {"model": forecaster.metrics.get("test"), **forecaster.run.baselines.get("test", {})}
    if test["model"] is not None:
        _say(console, "test MAE when trained: " + ", ".join(f"{name.replace('_', ' ')} {_number(values['mae'])}"
                                                           for name, values in test.items())
             + f" {trained_unit(forecaster.spec)}")
        _beaten(console, forecaster.spec, test["model"], forecaster.run.baselines.get("test", {}),
                forecaster.candidates is not None, series)
    if forecaster.backtest is None:
        _say(console, "note: no interval: the model has no backtest errors to draw one from (it was trained with "
                      "--folds 0, or its training part had no room for a fold: gradstep train names a --test that "
                      "makes room)")
    for note in notes:
        _say(console, note)
    if clipped.any():
        _say(console, f"note: the model's output is below zero on {clipped.sum()} day(s); {unit_name} cannot be "
                      "negative, so 0 is shown. The model does not fit this data well: check gradstep evaluate")
    _plot_forecast(args, console, series, frame, data, forecaster.spec, unit_name)
    return 0


def _check_plot(path: Path) -> None:
    """--plot: a .png, .pdf or .svg file in a directory that exists (a typo in it is refused, not created)."""
    from .plots import FORMATS
    if path.suffix.lower().lstrip(".") not in FORMATS:
        raise InputError(f"--plot {path}: gradstep draws {', '.join(f'.{name}' for name in FORMATS[:-1])} or "
                         f".{FORMATS[-1]} files; end the file name with one of them")
    if not path.parent.is_dir():
        raise InputError(f"--plot {path}: there is no directory {path.parent}; create it, or choose a file in a "
                         "directory that exists")
    if path.is_dir():
        raise InputError(f"--plot {path}: that is a directory; give a file name, e.g. {path / 'forecast.png'}")


def _plot_forecast(args, console, series, frame, data, spec, unit_name: str) -> None:
    """--plot: the last 8 weeks, the forecast and its band, titled by the file's name (not its path)."""
    from .plots import forecast_plot
    if args.plot:
        forecast_plot(series.iloc[-56:], frame, args.plot, unit=unit_name, level=args.level,
                      title=f"{one_line(Path(data.describe()).name, 80)}, the next {args.horizon} "
                            f"day{'s' * (args.horizon > 1)}: {spec.describe()}")
        _say(console, f"wrote {args.plot}")


def command_backtest(args, console) -> int:
    from .backtest import choose
    from .spec import Interval as Check
    if args.folds is not None:
        Check(int, 1, 20).check("folds", args.folds)
    if args.workers is not None:
        Check(int, 1, MAX_WORKERS).check("workers", args.workers)
    series, data = load_series(data_spec(args))
    unit_name = unit(series)
    _say(console, f"data: {data.describe()}, {_series_line(series)}")
    _notes(console, series)
    data = DataSpec.from_dict({**data.to_dict(), **_given(args, SPLIT_FIELDS)})
    chosen = _with_room(RunSpec(data=data), series, args, console)
    _say(console, f"backtest: {len(chosen)} candidates on {_folds_text(chosen, series, args.folds)}, one day ahead")
    _, best, table = choose(chosen, series, n_folds=args.folds, blend=BLEND, workers=_workers(args),
                            on_done=lambda name, result: _say(console, _finished_line(name, result, unit_name)))
    console.print(_candidates_table(table.to_dict("records"), unit_name, len(best.table)))
    return 0


def command_reproduce(args, console) -> int:
    from .experiments import run_reproduction
    from .io import writable_directory
    from .spec import Interval as Check
    Check(int, 1, 100).check("seeds", args.seeds)
    Check(int, 1, MAX_WORKERS).check("workers", args.workers)
    if args.scheduler is not None:
        from .executor import check_scheduler
        check_scheduler(args.scheduler)
    out = writable_directory(args.out, "--out")
    data = data_spec(args)
    if data.csv is not None:
        load_series(data)
    try:
        run_reproduction(args.studies or None, out=out, seeds=args.seeds, quick=args.quick, workers=args.workers,
                         console=console, data=data, lang=args.lang, scheduler=args.scheduler)
    except InputError as error:
        raise InputError(str(error).replace("pass scheduler=None", "drop --scheduler")) from None
    return 0


def command_playground(args, console) -> int:
    from .spec import Interval as Check
    Check(int, 0, 65535).check("port", args.port)
    try:
        from .playground import Playground, serve
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise InputError("the playground needs Starlette and uvicorn; install them with "
                         "pip install \"gradstep[playground]\"") from None
    series, data = load_series(data_spec(args))
    playground = Playground(data, series, lang=args.lang)
    serve(playground, args.host, args.port, not args.no_browser,
          say=lambda url: print(f"gradstep playground: {url} (Ctrl-C to stop)", flush=True))
    return 0


COMMANDS = {"data": command_data, "train": command_train, "evaluate": command_evaluate,
            "predict": command_predict, "backtest": command_backtest, "reproduce": command_reproduce,
            "playground": command_playground}


def _elsewhere(unknown: list[str], commands: dict, command: str | None, before: bool) -> str:
    """"; --horizon is an option of gradstep predict" when the first unknown option belongs to other commands,
    "; put --quiet after train" when it belongs to the command it was written before."""
    option = unknown[0].split("=", 1)[0]
    if before and command is not None and option in commands[command]._option_string_actions:
        return f"; put {option} after {command}"
    owners = [f"gradstep {name}" for name, sub in commands.items()
              if name != command and option in sub._option_string_actions]
    if not owners:
        return ""
    named = f"{', '.join(owners[:-1])} and {owners[-1]}" if len(owners) > 1 else owners[0]
    return f"; {option} is an option of {named}"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input, with one line on stderr)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the parser of the command they follow, which names itself and its --help
        before = args.command is None or argv.index(unknown[0]) < argv.index(args.command)
        (parser if before else parser.commands[args.command]).error(
            f"unrecognized arguments: {' '.join(unknown)}{_elsewhere(unknown, parser.commands, args.command, before)}")
    if args.command is None or (args.command == "data" and args.data_command is None):
        parser.parse_args([args.command, "--help"] if args.command else ["--help"])
    args.batch_size_given = any(a == "--batch-size" or a.startswith("--batch-size=") for a in argv)
    if args.command == "reproduce":
        unknown = [study for study in args.studies if study not in STUDY_NAMES]
        if unknown:
            parser.error(f"unknown study {', '.join(unknown)}; choose from {', '.join(STUDY_NAMES)}")
    from rich.console import Console
    console = Console() if sys.stdout.isatty() else Console(width=120)
    try:
        return COMMANDS[args.command](args, console)
    except InputError as error:
        return _refuse(args.command, in_flags(str(error)))
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        return _refuse(args.command, f"cannot read or write{where}: {error.strerror or error}; check the path "
                                     "and that you may read and write there")
    except MemoryError:
        return _refuse(args.command, "out of memory; use a smaller model (--units, --layers) or a shorter series")
    except RecursionError:
        return _refuse(args.command, "the input is nested too deeply to read; give a file gradstep wrote")
    except KeyboardInterrupt:
        print(f"gradstep {args.command}: interrupted; nothing more was written"
              + ("; gradstep train --resume continues from the last checkpoint" if _resumable(args) else ""),
              file=sys.stderr)
        return 130
    except Exception as error:  # the boundary: whatever else reaches it is answered in one line, not a traceback
        return _refuse(args.command, f"unexpected {type(error).__name__} ({error}); nothing was written. "
                                     "This is a bug in gradstep: please report it with the command you ran")


def _resumable(args) -> bool:
    """Whether an interrupted ``train`` left a checkpoint to resume (none before its first epoch ends)."""
    from .modeldir import ModelDirectory
    try:
        return args.command == "train" and ModelDirectory(args.out).has_checkpoint()
    except OSError:  # cannot tell: say nothing of resuming
        return False


def _refuse(command: str, message: str) -> int:
    """One line on standard error, exit code 2."""
    print(one_line(f"gradstep {command}: error: {message}"), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
