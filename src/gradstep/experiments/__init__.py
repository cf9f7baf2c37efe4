"""The chapter's studies and the runner behind ``gradstep reproduce``.

Every study is a module with ``jobs(settings)`` and ``report(settings, results, out)``; all their
jobs go to one pool of worker processes (concurrent.futures), then each study builds its tables and
figures, and the runner writes ``report.json`` (every study's result, so a later run of one study can
update its section and keep the rest), ``report.md`` and ``report.html``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shlex
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import InputError
from ..io import read_json, write_text
from ..report import html_page, markdown, print_study
from ..version import __version__
from . import activation, batch_size, depth, gradient_descent, linear, piecewise, units
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
}

MAX_REPORT_BYTES = 16 * 2**20
FIGURE_NAME = re.compile(r"[A-Za-z0-9_-]+\.png")
SINGLE_THREADED = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def _run(job):
    return job.key, job.run()


def run_jobs(jobs: dict, workers: int, console: Console, t) -> dict:
    """Run every study's jobs ({study: [Job]}) in ``workers`` fresh processes with single-threaded BLAS (so results
    do not depend on the number of workers), the costliest first; print one line as each study's last job ends
    (with a progress bar as well in a terminal). Returns {key: result}."""
    saved = {name: os.environ.get(name) for name in SINGLE_THREADED}
    os.environ.update(SINGLE_THREADED)
    owner = {job.key: name for name, study_jobs in jobs.items() for job in study_jobs}
    left = {name: len(study_jobs) for name, study_jobs in jobs.items()}
    everything = sorted((job for study_jobs in jobs.values() for job in study_jobs), key=lambda job: -job.cost)
    results = {}
    started = time.perf_counter()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool, \
                Progress(TextColumn("reproducing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                         console=console, disable=not console.is_terminal, transient=True) as bar:
            task = bar.add_task("jobs", total=len(everything))
            for future in as_completed([pool.submit(_run, job) for job in everything]):
                key, result = future.result()
                results[key] = result
                bar.advance(task)
                name = owner[key]
                left[name] -= 1
                if not left[name]:
                    console.print(t("report.done", name=name, seconds=f"{time.perf_counter() - started:.1f}",
                                    jobs=len(jobs[name])), highlight=False, markup=False)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return results


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
                     console: Console, data: DataSpec | None = None, lang: str = "en") -> list[StudyResult]:
    """Run the studies (all by default) on ``data`` (the built-in page by default), print their tables, write
    out/report.json, out/report.md and out/report.html in ``lang``. Over a report of the same settings, a run of
    some studies replaces their sections and figures and keeps the others."""
    data = DataSpec() if data is None else data
    settings = Settings(seeds=seeds, quick=quick, data=data, lang=lang)
    t = settings.text
    chosen = [name for name in STUDIES if name in (names or STUDIES)]
    out = Path(out)
    partial = len(chosen) < len(STUDIES)
    earlier = _earlier(out, settings, partial)
    started = time.perf_counter()
    jobs = {name: STUDIES[name].jobs(settings) for name in chosen}
    console.print(t("report.running", studies=len(chosen), jobs=sum(map(len, jobs.values())), seeds=settings.seeds,
                    workers=workers, quick=t("report.running_quick") if quick else ""), highlight=False)
    out.mkdir(parents=True, exist_ok=True)
    results = run_jobs(jobs, workers, console, t)
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
    header = _header(settings, chosen if names else None, seconds, workers, kept)
    files = {"report.json": json.dumps({"settings": _settings_record(settings), "header": header,
                                        "studies": {study.name: study.to_dict() for study in studies}}, indent=2),
             "report.md": markdown(studies, header, t), "report.html": html_page(studies, header, t)}
    for name, text in files.items():
        write_text(out / name, text)
    failed = [text for study in studies for text, held in study.claims if not held]
    console.print(t("report.wrote", md=out / "report.md", html=out / "report.html", seconds=f"{seconds:.1f}")
                  + (t("report.failed", failed=len(failed)) if failed else ""), highlight=False, markup=False)
    return studies


def _header(settings: Settings, names: list | None, seconds: float, workers: int, kept: dict) -> dict:
    """The report's title and the lines that say what was run, on what, where and how to run it again."""
    t, data = settings.text, settings.data
    if data.csv is not None:
        source = t("report.csv", csv=data.csv, column=data.value_column or t("report.csv_column"))
    else:
        source = t("report.builtin", page=data.page or "Standard_deviation")
    command = shlex.join(["gradstep", "reproduce", *(names or []), *source_flags(data), "--seeds",
                          str(settings.seeds), *(["--quick"] if settings.quick else []), "--workers", str(workers),
                          *(["--lang", settings.lang] if settings.lang != "en" else [])])
    lines = [t("report.data", source=source, split=test_description(data, t)), t("report.units"),
             t("report.studies", studies=", ".join(names or STUDIES), seeds=settings.seeds,
               quick=t("report.quick") if settings.quick else ""),
             t("report.wall", seconds=f"{seconds:.1f}", workers=workers),
             t("report.machine", machine=machine()), t("report.command", command=command)]
    if kept:
        lines.append(t("report.kept", studies=", ".join(kept)))
    if settings.figure_text.lang != settings.lang:
        lines.append(t("report.figure_font"))
    return {"title": t("report.title"), "lines": lines}
