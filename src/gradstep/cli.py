"""The ``gradstep`` command: data, train, evaluate, predict and reproduce.

Every problem with the user's input ends the command with one line on standard error that names
the problem and the fix, and exit code 2; files are written only once everything has worked.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .errors import InputError
from .io import writable_directory
from .version import __version__

DESCRIPTION = ("gradstep: the first chapter of deep learning (Hung-yi Lee, ML 2021 lecture 1), runnable "
               "and measured: predict tomorrow's views from the previous days with a NumPy autograd engine.")


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (and exit code 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _number(kind, positive: bool, also: str = ""):
    """An argparse type: a number of ``kind`` that is > 0 (``positive``) or ≥ 0; ``also`` names a word allowed too."""
    words = f"{'a whole ' if kind is int else 'a '}number" + (f" or {also!r}" if also else "")

    def parse(text: str):
        if also and text.lower() == also:
            return None
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {words}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
        if value < 0 or (positive and value == 0):
            raise argparse.ArgumentTypeError(f"must be {'positive' if positive else 'at least 0'}"
                                             f"{' or ' + repr(also) if also else ''}, got {text}")
        return value
    return parse


def _date_range(text: str) -> tuple[str, str]:
    start, separator, end = text.partition(":")
    if not separator or not start or not end:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date range; write START:END, e.g. 2017-01-01:2020-12-31")
    return start, end


def _add_source(parser: argparse.ArgumentParser, default_page: bool) -> None:
    source = parser.add_argument_group("data (the built-in Wikipedia page views, or your own daily CSV)")
    choice = source.add_mutually_exclusive_group()
    choice.add_argument("--page", help="a built-in page, see 'gradstep data list'" +
                        (" (default: Standard_deviation)" if default_page else " (default: the data it was trained on)"))
    choice.add_argument("--csv", metavar="FILE", help="your daily series: a CSV with a date column and a value column")
    source.add_argument("--date-column", metavar="NAME", help="the CSV's date column (found automatically when unambiguous)")
    source.add_argument("--value-column", metavar="NAME", help="the CSV's value column (found automatically when unambiguous)")
    source.add_argument("--fill", choices=["interpolate", "zero"], help="fill missing days in the CSV instead of refusing it")


def build_parser() -> Parser:
    """The argument parser of every subcommand, with complete --help texts."""
    parser = Parser(prog="gradstep", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"gradstep {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    data = commands.add_parser("data", help="the built-in data", description="Show the built-in data.")
    data_commands = data.add_subparsers(dest="data_command", metavar="ACTION", parser_class=Parser)
    data_commands.add_parser("list", help="list the built-in pages",
                             description="List the built-in Wikipedia pages with their span and typical views.")

    train = commands.add_parser(
        "train", help="train a model and save it",
        description="Train one of the chapter's models to predict tomorrow's views from the previous --days days. "
                    "Default split: train 2017-01-01..2020-12-31, test 2021-01-01..2021-02-14 (the lecture's); "
                    "for data that does not cover those dates, the last 45 days are the test part. Writes "
                    "DIR/model.npz, DIR/model.json, DIR/history.csv and DIR/test.png.")
    _add_source(train, default_page=True)
    model = train.add_argument_group("model")
    model.add_argument("--model", choices=["linear", "sigmoid", "relu"], default="linear",
                       help="linear: y = b + Σ wj xj; sigmoid: y = b + cᵀσ(b + W x); relu: layers of ReLUs (default: linear)")
    model.add_argument("--days", type=_number(int, True), default=56, help="k, the previous days the model reads (default: 56)")
    model.add_argument("--units", type=_number(int, True), help="sigmoids or ReLUs per layer, for --model sigmoid or "
                       "relu (default: 100)")
    model.add_argument("--layers", type=_number(int, True), help="layers of ReLUs, for --model relu (default: 1)")
    model.add_argument("--dropout", type=_number(float, False), help="dropout probability after each ReLU layer, for "
                       "--model relu (default: 0)")
    fit = train.add_argument_group("training")
    fit.add_argument("--loss", choices=["mae", "mse", "huber"], default="mae", help="the loss L (default: mae, as the lecture)")
    fit.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="adam", help="(default: adam)")
    fit.add_argument("--lr", type=_number(float, True), default=0.001, help="the learning rate η (default: 0.001)")
    fit.add_argument("--epochs", type=_number(int, True), default=100, help="passes over the training days (default: 100)")
    fit.add_argument("--batch-size", type=_number(int, True, also="full"), default=32,
                     help="B: rows per update; 'full' for full-batch gradient descent, 1 for stochastic (default: 32)")
    fit.add_argument("--seed", type=_number(int, False), default=0, help="seeds the weights and the batch order (default: 0)")
    fit.add_argument("--momentum", type=_number(float, False), default=0.0, help="momentum, for --optimizer sgd (default: 0)")
    fit.add_argument("--weight-decay", type=_number(float, False), default=0.0, help="L2 penalty λ (default: 0)")
    fit.add_argument("--l1", type=_number(float, False), default=0.0, help="L1 penalty λ Σ|w| on the weights (default: 0)")
    fit.add_argument("--valid-days", type=_number(int, False), default=0, help="the last N training days become a validation part (default: 0)")
    fit.add_argument("--patience", type=_number(int, True), help="early stopping: stop when the validation loss has not "
                     "improved for N epochs and keep the best weights (needs --valid-days)")
    split = train.add_argument_group("dates (target days, inclusive)")
    split.add_argument("--train", type=_date_range, metavar="START:END", help="training days (default: 2017-01-01:2020-12-31)")
    split.add_argument("--test", type=_date_range, metavar="START:END", help="test days (default: 2021-01-01:2021-02-14)")
    train.add_argument("--out", required=True, metavar="DIR", help="where to write the model, its history and the test plot")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    evaluate = commands.add_parser(
        "evaluate", help="the error of a saved model on its training and test days",
        description="Print the MAE and MSE (in views and in thousands of views) of a saved model on the days it "
                    "was trained and tested on.")
    evaluate.add_argument("directory", metavar="DIR", help="a directory written by gradstep train")
    _add_source(evaluate, default_page=False)

    predict = commands.add_parser(
        "predict", help="forecast the day after the data ends",
        description="Print the saved model's forecast for the day after the data ends, with its date.")
    predict.add_argument("directory", metavar="DIR", help="a directory written by gradstep train")
    _add_source(predict, default_page=False)

    from .experiments import STUDIES
    reproduce = commands.add_parser(
        "reproduce", help="run the chapter's studies and write the report",
        description="Run the chapter's studies on the built-in Standard_deviation page views (train 2017-2020, "
                    "test 2021-01-01..2021-02-14 and the whole of 2021), print each table beside the lecture's "
                    "numbers and write DIR/report.md and DIR/report.html with their figures.")
    reproduce.add_argument("studies", nargs="*", metavar="STUDY",
                           help=f"studies to run (default: all): {', '.join(STUDIES)}")
    reproduce.add_argument("--out", default="report", metavar="DIR", help="where to write the report (default: report)")
    reproduce.add_argument("--seeds", type=_number(int, True), default=3, help="seeds per configuration (default: 3)")
    reproduce.add_argument("--quick", action="store_true", help="fewer epochs and sizes: a fast look (under 30 s)")
    reproduce.add_argument("--workers", type=_number(int, True), default=os.cpu_count() or 1,
                           help="worker processes (default: one per core)")
    return parser


def load_source(args, meta_source: dict | None = None):
    """(series, source description, notes) from --page / --csv, else the source a saved model recorded."""
    from .data import load_pageviews, read_series
    meta_source = meta_source or {}
    if args.csv is None and args.page is None:
        args.csv, args.page = meta_source.get("csv"), meta_source.get("page")
    if args.csv is not None and "csv" in meta_source:
        args.date_column = args.date_column or meta_source.get("date_column")
        args.value_column = args.value_column or meta_source.get("value_column")
        args.fill = args.fill or meta_source.get("fill")
    if args.csv is not None:
        series = read_series(args.csv, date_column=args.date_column, value_column=args.value_column, fill=args.fill)
        source = {"csv": str(Path(args.csv).resolve()), "date_column": series.attrs["date_column"],
                  "value_column": series.attrs["value_column"], "fill": args.fill}
        return series, source, list(series.attrs.get("notes", []))
    page = args.page or "Standard_deviation"
    return load_pageviews(page), {"page": page}, []


def _say(console: Console, text: str) -> None:
    console.print(text, highlight=False, soft_wrap=True)


def _series_line(series) -> str:
    return (f"{series.index[0]:%Y-%m-%d}..{series.index[-1]:%Y-%m-%d}, {len(series):,} day{'s' * (len(series) != 1)}, "
            f"median {series.median():,.0f} views")


def _metrics_table(title: str, metrics: dict, split: dict) -> Table:
    table = Table(title=title)
    for column in ("part", "days", "MAE (views)", "MAE (k)", "MSE (views²)", "MSE (k²)"):
        table.add_column(column, justify="left" if column in ("part", "days") else "right")
    for part, values in metrics.items():
        dates = split.get(part)
        table.add_row(part, f"{dates[0]}..{dates[1]}" if dates else "", f"{values['mae']:,.0f}",
                      f"{values['mae'] / 1e3:.3f}", f"{values['mse']:,.0f}", f"{values['mse'] / 1e6:.3f}")
    return table


def command_data(args, console: Console) -> int:
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


def _model_config(args):
    """The ModelConfig of --model/--days/--units/--layers/--dropout, refusing options the model does not have."""
    from .forecast import ModelConfig
    allowed = {"linear": (), "sigmoid": ("units",), "relu": ("units", "layers", "dropout")}[args.model]
    unused = [f"--{name}" for name in ("units", "layers", "dropout") if getattr(args, name) is not None
              and name not in allowed]
    if unused:
        raise InputError(f"{' and '.join(unused)} do{'es' * (len(unused) == 1)} not apply to --model {args.model}; "
                         f"drop {'it' if len(unused) == 1 else 'them'} or choose --model relu")
    defaults = ModelConfig()
    return ModelConfig(model=args.model, days=args.days,
                       units=defaults.units if args.units is None else args.units,
                       layers=defaults.layers if args.layers is None else args.layers,
                       dropout=defaults.dropout if args.dropout is None else args.dropout)


def command_train(args, console: Console) -> int:
    from .forecast import Forecaster, TrainConfig
    from .io import write_text
    from .plots import prediction_plot
    out = writable_directory(args.out)
    series, source, notes = load_source(args)
    name = source.get("page") or source["csv"]
    _say(console, f"data: {name}, {_series_line(series)}")
    for note in notes:
        _say(console, f"note: {note}")
    forecaster = Forecaster(
        _model_config(args),
        TrainConfig(loss=args.loss, optimizer=args.optimizer, lr=args.lr, epochs=args.epochs,
                    batch_size=args.batch_size, seed=args.seed, weight_decay=args.weight_decay,
                    momentum=args.momentum, l1=args.l1, patience=args.patience, valid_days=args.valid_days))
    parts = forecaster.split(series, train=args.train, test=args.test)
    _say(console, f"dates: {parts.describe()}")
    _say(console, f"model: {forecaster.model_config.describe()}; {args.loss.upper()} loss, {args.optimizer} lr {args.lr:g}, "
                  f"{args.epochs} epochs, batch size {'full' if args.batch_size is None else args.batch_size}")
    forecaster.fit(series, train=args.train, test=args.test, progress=False if args.quiet else None)
    history = forecaster.history
    _say(console, f"trained {len(history)} epoch{'s' * (len(history) != 1)}, {history.updates_per_epoch} "
                  f"update{'s' * (history.updates_per_epoch != 1)} per epoch"
                  + (f"; stopped early, best epoch {history.best_epoch}" if history.stopped_early_at else ""))
    console.print(_metrics_table("error on each part", forecaster.metrics, forecaster.split_ranges))
    test = parts.test
    prediction_plot(test.dates, test.y, forecaster.predict(test.X), out / "test.png",
                    title=f"{name}: {forecaster.model_config.describe()}, test MAE "
                          f"{forecaster.metrics['test']['mae'] / 1e3:.3f}k")
    columns = list(history.rows[0])
    write_text(out / "history.csv", ",".join(columns) + "\n" + "".join(
        ",".join(f"{row.get(c, '')}" for c in columns) + "\n" for row in history.rows))
    forecaster.save(out, source=source)
    _say(console, f"wrote {out / 'model.npz'}, {out / 'model.json'}, {out / 'history.csv'}, {out / 'test.png'}")
    return 0


def _load_for(args, console: Console):
    from .forecast import Forecaster, data_hash
    forecaster, meta = Forecaster.load(args.directory)
    series, source, notes = load_source(args, meta.get("source"))
    for note in notes:
        _say(console, f"note: {note}")
    if data_hash(series) != meta.get("data_sha256"):
        _say(console, "note: the data differs from the data the model was trained on")
    return forecaster, meta, series, source


def command_evaluate(args, console: Console) -> int:
    forecaster, meta, series, source = _load_for(args, console)
    _say(console, f"model: {forecaster.model_config.describe()} from {args.directory}")
    _say(console, f"data: {source.get('page') or source['csv']}, {_series_line(series)}")
    metrics = forecaster.evaluate(series)
    console.print(_metrics_table("error on each part", metrics, forecaster.split_ranges))
    return 0


def command_predict(args, console: Console) -> int:
    forecaster, meta, series, source = _load_for(args, console)
    date, value = forecaster.predict_next(series)
    _say(console, f"data: {source.get('page') or source['csv']}, last day {series.index[-1]:%Y-%m-%d} "
                  f"({series.iloc[-1]:,.0f} views)")
    test_mae = forecaster.metrics.get("test", {}).get("mae")
    _say(console, f"forecast for {date:%Y-%m-%d} ({date:%A}): {max(value, 0.0):,.0f} views"
                  + (f" (test MAE of this model: ±{test_mae:,.0f})" if test_mae is not None else ""))
    if value < 0:
        _say(console, f"note: the model's output is {value:,.0f}, below zero; views cannot be negative, so 0 is shown. "
                      "The model does not fit this data well: check gradstep evaluate")
    return 0


def command_reproduce(args, console: Console) -> int:
    from .experiments import run_reproduction
    run_reproduction(args.studies or None, out=writable_directory(args.out), seeds=args.seeds, quick=args.quick,
                     workers=args.workers, console=console)
    return 0


COMMANDS = {"data": command_data, "train": command_train, "evaluate": command_evaluate,
            "predict": command_predict, "reproduce": command_reproduce}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input, with one line on stderr)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None or (args.command == "data" and args.data_command is None):
        parser.parse_args([args.command, "--help"] if args.command else ["--help"])
    if args.command == "reproduce":
        from .experiments import STUDIES
        unknown = [study for study in args.studies if study not in STUDIES]
        if unknown:
            parser.error(f"unknown study {', '.join(unknown)}; choose from {', '.join(STUDIES)}")
    console = Console() if sys.stdout.isatty() else Console(width=120)
    try:
        return COMMANDS[args.command](args, console)
    except InputError as error:
        print(f"gradstep {args.command}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"gradstep {args.command}: error: cannot read or write{where}: {error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"gradstep {args.command}: interrupted; nothing more was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
