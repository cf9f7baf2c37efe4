"""The chapter's studies and the runner behind ``gradstep reproduce``.

Every study is a module with ``jobs(settings)`` and ``report(settings, results, out)``, and optionally
``next_jobs(settings, results)``: the jobs of its next round, chosen from the results of its own jobs so
far ([] when it is done). All their jobs go to one executor (local worker processes or a Dask cluster:
gradstep.executor), then each study builds its tables and figures, and the runner writes
``report.json`` (every study's result, so a later run of one study can update its section and keep the
rest), ``report.md`` and ``report.html``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import re
import shlex
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import InputError
from ..executor import check_scheduler, open_executor
from ..io import read_json, write_text
from ..report import html_page, markdown, print_study
from ..version import __version__
from . import activation, batch_size, depth, gradient_descent, linear, overfitting, piecewise, units
from ..spec import DataSpec
from .common import Settings, StudyResult, source_flags, test_description

STUDIES = {
    "gradient-descent": gradient_descent,
    "linear": linear,
    "piecewise": piecewise,
    "units": units,
    "depth": depth,
    "activation": activation,
    "batch-size": batch_size,
    "overfitting": overfitting,
}

MAX_REPORT_BYTES = 16 * 2**20
FIGURE_NAME = re.compile(r"[A-Za-z0-9_-]+\.png")


def run_jobs(jobs: dict, workers: int, console: Console, t, scheduler: str | None = None,
             next_jobs: dict | None = None, starting: str | None = None) -> dict:
    """Run every study's jobs ({study: [Job]}) in ``workers`` local processes or on the Dask cluster of
    ``scheduler``, the costliest of each submission first. Once all of a study's jobs are done,
    ``next_jobs[study]`` (if given) receives their results ({key: result}) and returns the study's next round, whose
    jobs start at once while other studies' jobs go on; [] ends the study. A line is printed as each round and each
    study ends (with a progress bar in a terminal, its total growing with the rounds). Returns {key: result} in
    the order the jobs were given, whatever order they finished in. ``starting`` is printed once the workers are
    reached."""
    next_jobs = next_jobs or {}
    given = {name: [] for name in jobs}
    owner, left, results, rounds = {}, {}, {}, {}
    started = time.perf_counter()

    def add(name: str, study_jobs: list) -> list:
        for job in study_jobs:
            if job.key in owner:
                raise ValueError(f"study {name} gave the job {job.key!r} twice")
            owner[job.key] = name
            given[name].append(job.key)
        left[name] = len(study_jobs)
        return study_jobs

    with open_executor(workers, scheduler) as executor, \
            Progress(TextColumn("reproducing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     console=console, disable=not console.is_terminal, transient=True) as bar:

        def round_over(name: str) -> None:
            more = list(next_jobs[name]({key: results[key] for key in given[name]})) if name in next_jobs else []
            if more:
                rounds[name] = rounds.get(name, 0) + 1
                console.print(t("report.round", name=name, round=rounds[name], jobs=len(given[name]), more=len(more),
                                seconds=f"{time.perf_counter() - started:.1f}"), highlight=False, markup=False)
                executor.submit(add(name, more))
                bar.update(task, total=len(owner))
            else:
                console.print(t("report.done", name=name, seconds=f"{time.perf_counter() - started:.1f}",
                                jobs=len(given[name])), highlight=False, markup=False)

        if starting is not None:
            console.print(starting, highlight=False)
        executor.submit([job for name, study_jobs in jobs.items() for job in add(name, list(study_jobs))])
        task = bar.add_task("jobs", total=len(owner))
        for name in [name for name in jobs if not left[name]]:
            round_over(name)
        for key, result in executor.finished():
            results[key] = result
            bar.advance(task)
            left[owner[key]] -= 1
            if not left[owner[key]]:
                round_over(owner[key])
    return {key: results[key] for keys in given.values() for key in keys}


def machine() -> str:
    """The CPU, cores, Python and NumPy of this machine, in one line."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()}; Python {platform.python_version()}, "
            f"NumPy {np.__version__}, gradstep {__version__}")


def _earlier(out: Path, settings: Settings, partial: bool) -> dict:
    """The studies of the report already in ``out`` ({name: StudyResult}). A run of some studies (``partial``) keeps
    the others, so it refuses (InputError) a report it cannot read or one made with other settings; a full run
    only needs the earlier figures' names, to remove those no longer drawn."""
    path = out / "report.json"
    if not path.exists():
        if partial and (out / "report.html").exists():
            raise InputError(f"out={out} holds a report without report.json (written by an older gradstep), which "
                             "this run would replace by a part of it; run every study, or choose another directory")
        return {}
    try:
        saved = read_json(path, max_bytes=MAX_REPORT_BYTES)
        studies = {name: _checked(name, study) for name, study in saved["studies"].items()}
        same = saved["settings"] == _settings_record(settings)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        if partial:
            reason = (str(error) if type(error) is ValueError else
                      f"it is not a JSON object of at most {MAX_REPORT_BYTES // 2**20} MiB" if isinstance(error, InputError)
                      else "it is not the JSON gradstep writes")
            raise InputError(f"{path} is not a report gradstep can update ({reason}); run every study to replace it, "
                             "or choose another directory for out") from None
        return {}
    if partial and not same:
        raise InputError(f"out={out} holds a report made with other settings (seeds, quick, the data or lang); run "
                         "every study to replace it, or choose another directory for these")
    return studies


def _checked(name: str, data: dict) -> StudyResult:
    """A study read back from report.json, refused (ValueError) unless every part is text of the expected shape,
    its figures are PNG files of the report's own directory and its formulas are the study's own."""
    study = StudyResult.from_dict(data)
    if not all(isinstance(pair, tuple) and len(pair) == 2 for pair in (*study.figures, *study.try_next, *study.claims)):
        raise ValueError(f"its {name} section is not one gradstep wrote")
    texts = [study.name, study.title, study.finding, study.idea, *(text for text, _ in study.claims),
             *(part for pair in (*study.figures, *study.try_next) for part in pair),
             *(cell for table in study.tables for cell in (table.title, *table.columns, *sum(table.rows, [])))]
    if (study.name != name or not all(isinstance(text, str) for text in texts)
            or not all(isinstance(held, bool) for _, held in study.claims)
            or not all(FIGURE_NAME.fullmatch(figure) for figure, _ in study.figures)
            or (name in STUDIES and study.formulas != STUDIES[name].FORMULAS)):
        raise ValueError(f"its {name} section is not one gradstep wrote")
    return study


def _settings_record(settings: Settings) -> dict:
    return {"seeds": settings.seeds, "quick": settings.quick, "data": settings.data.to_dict(), "lang": settings.lang}


def run_reproduction(names: list | None, out: Path, seeds: int, quick: bool, workers: int,
                     console: Console, data: DataSpec | None = None, lang: str = "en",
                     scheduler: str | None = None) -> list[StudyResult]:
    """Run the studies (all by default) on ``data`` (the built-in page by default) in ``workers`` local processes,
    or on the Dask cluster of ``scheduler`` (tcp://HOST:PORT), print their tables, write out/report.json,
    out/report.md and out/report.html in ``lang``. Over a report of the same settings, a run of some studies
    replaces their sections and figures and keeps the others; where the jobs ran changes no number."""
    if scheduler is not None:
        check_scheduler(scheduler)
    data = DataSpec() if data is None else data
    settings = Settings(seeds=seeds, quick=quick, data=data, lang=lang)
    t = settings.text
    chosen = [name for name in STUDIES if name in (names or STUDIES)]
    out = Path(out)
    partial = len(chosen) < len(STUDIES)
    earlier = _earlier(out, settings, partial)
    started = time.perf_counter()
    jobs = {name: STUDIES[name].jobs(settings) for name in chosen}
    where = {"workers": workers} if scheduler is None else {"scheduler": scheduler}
    starting = t("report.running" if scheduler is None else "report.running_scheduler", studies=len(chosen),
                 jobs=sum(map(len, jobs.values())), seeds=settings.seeds,
                 quick=t("report.running_quick") if quick else "", **where)
    rounds = {name: functools.partial(STUDIES[name].next_jobs, settings) for name in chosen
              if hasattr(STUDIES[name], "next_jobs")}
    results = run_jobs(jobs, workers, console, t, scheduler=scheduler, next_jobs=rounds, starting=starting)
    out.mkdir(parents=True, exist_ok=True)
    fresh = {name: STUDIES[name].report(settings, results, out) for name in chosen}
    for study in fresh.values():
        print_study(console, study, t)
    drawn = {figure for study in fresh.values() for figure, _ in study.figures}
    for name, study in earlier.items():
        if name in fresh or not partial:
            for figure, _ in study.figures:
                if figure not in drawn:
                    with contextlib.suppress(FileNotFoundError):
                        (out / figure).unlink()
    kept = {name: study for name, study in earlier.items() if name not in fresh and name in STUDIES and partial}
    studies = [fresh.get(name) or kept[name] for name in STUDIES if name in fresh or name in kept]
    seconds = time.perf_counter() - started
    header = _header(settings, chosen if names else None, seconds, workers, kept, scheduler)
    files = {"report.json": json.dumps({"settings": _settings_record(settings), "header": header,
                                        "studies": {study.name: study.to_dict() for study in studies}}, indent=2),
             "report.md": markdown(studies, header, t), "report.html": html_page(studies, header, t)}
    for name, text in files.items():
        write_text(out / name, text)
    failed = [text for study in studies for text, held in study.claims if not held]
    console.print(t("report.wrote", md=out / "report.md", html=out / "report.html", seconds=f"{seconds:.1f}")
                  + (t("report.failed", failed=len(failed)) if failed else ""), highlight=False, markup=False)
    return studies


def _header(settings: Settings, names: list | None, seconds: float, workers: int, kept: dict,
            scheduler: str | None = None) -> dict:
    """The report's title and the lines that say what was run, on what, where (``workers`` local processes or the
    Dask cluster of ``scheduler``) and how to run it again."""
    t, data = settings.text, settings.data
    if data.csv is not None:
        source = t("report.csv", csv=data.csv, column=data.value_column or t("report.csv_column"))
    else:
        source = t("report.builtin", page=data.page or "Standard_deviation")
    command = shlex.join(["gradstep", "reproduce", *(names or []), *source_flags(data), "--seeds",
                          str(settings.seeds), *(["--quick"] if settings.quick else []),
                          *(["--workers", str(workers)] if scheduler is None else ["--scheduler", scheduler]),
                          *(["--lang", settings.lang] if settings.lang != "en" else [])])
    lines = [t("report.data", source=source, split=test_description(data, t)), t("report.units"),
             t("report.studies", studies=", ".join(names or STUDIES), seeds=settings.seeds,
               quick=t("report.quick") if settings.quick else ""),
             t("report.wall", seconds=f"{seconds:.1f}", workers=workers) if scheduler is None else
             t("report.wall_scheduler", seconds=f"{seconds:.1f}", scheduler=scheduler),
             t("report.machine", machine=machine()), t("report.command", command=command)]
    if kept:
        lines.append(t("report.kept", studies=", ".join(kept)))
    if settings.figure_text.lang != settings.lang:
        lines.append(t("report.figure_font"))
    return {"title": t("report.title"), "lines": lines}
