"""The reproduction's runner without its studies: src/gradstep/experiments/__init__.py driven by instant stand-in
studies (run_reproduction, _earlier, _checked, _header, run_jobs), what every study is built from
(StudyResult's JSON, lesson, source_flags, trend, movement, test_description) and Text. Written against mutmut's
survivors (docs/testing.md): each test runs in well under a second, but the two of run_jobs, which start a worker
process (about 1 s each)."""

import io
import json
import os
import re
from types import SimpleNamespace

import numpy as np
import pytest
from rich.console import Console
from rich.highlighter import Highlighter

import gradstep.experiments as experiments
from gradstep.errors import InputError
from gradstep.executor import SINGLE_THREADED
from gradstep.experiments import (
    STUDIES,
    _checked,
    _earlier,
    _header,
    _settings_record,
    run_jobs,
    run_reproduction,
)
from gradstep.experiments.common import Job, Settings, StudyResult, Table, lesson, movement, source_flags, trend
from gradstep.experiments.common import test_description as describe_test_days
from gradstep.lang import Text
from gradstep.spec import DataSpec

EN, ZH = Text("en"), Text("zh")


class Seen(Highlighter):
    """A highlighter that only records what the console asked it to highlight."""

    def __init__(self):
        self.texts = []

    def highlight(self, text):
        self.texts.append(text.plain)


def console(**options):
    return Console(record=True, width=300, file=io.StringIO(), **options)


# --- StudyResult as JSON, lesson -------------------------------------------------------------------------------------

def full_study(name="linear", held=True, formulas=None):
    return StudyResult(name, "Title", "the finding", [Table("t", ["a", "b"], [["1", "2"], ["3", "4"]])],
                       [("f.png", "a caption")], [("holds", held), ("fails", False)], idea="the idea",
                       formulas=list(STUDIES["linear"].FORMULAS if formulas is None else formulas),
                       try_next=[("gradstep train --out m", "look")])


def test_a_study_is_written_as_json_and_read_back_unchanged():
    """to_dict: exactly these keys (tables as dicts, claims as [text, bool] even for NumPy's bools, which json cannot
    write); from_dict: the same study again, its pairs as tuples."""
    study = full_study(held=np.bool_(True))
    data = study.to_dict()
    assert data == {"name": "linear", "title": "Title", "finding": "the finding",
                    "tables": [{"title": "t", "columns": ["a", "b"], "rows": [["1", "2"], ["3", "4"]]}],
                    "figures": [("f.png", "a caption")], "claims": [["holds", True], ["fails", False]],
                    "idea": "the idea", "formulas": list(STUDIES["linear"].FORMULAS),
                    "try_next": [("gradstep train --out m", "look")]}
    assert type(data["claims"][0][1]) is bool
    back = StudyResult.from_dict(json.loads(json.dumps(data)))
    assert back == full_study() and back.figures == [("f.png", "a caption")]
    assert back.claims == [("holds", True), ("fails", False)] and back.try_next == [("gradstep train --out m", "look")]
    assert back.tables == [Table("t", ["a", "b"], [["1", "2"], ["3", "4"]])]


def test_lesson_takes_the_idea_and_what_each_command_shows_from_the_catalogue():
    """In the report's language; a command that names no series gets the run's, one that names its own keeps it."""
    table = Table("t", ["a"])
    settings = Settings(lang="zh", data=DataSpec(page="Standard_deviation"))
    study = lesson("linear", "Title", "the finding", settings, ("x", "y"),
                   ["gradstep train --out 'a b'", "gradstep reproduce linear --page Christmas", "gradstep x --csv f"],
                   tables=[table], claims=[("c", True)])
    assert study == StudyResult("linear", "Title", "the finding", [table], [], [("c", True)], idea=ZH("linear.idea"),
                                formulas=["x", "y"],
                                try_next=[("gradstep train --out 'a b' --page Standard_deviation", ZH("linear.try.1")),
                                          ("gradstep reproduce linear --page Christmas", ZH("linear.try.2")),
                                          ("gradstep x --csv f", ZH("linear.try.3"))])
    assert study.idea != EN("linear.idea") and type(study.formulas) is list
    assert lesson("linear", "T", "F", Settings(), [], ["gradstep train --out m"]).try_next == \
        [("gradstep train --out m", EN("linear.try.1"))]


@pytest.mark.parametrize("data, flags", [
    (DataSpec(), []),
    (DataSpec(page="Christmas"), ["--page", "Christmas"]),
    (DataSpec(csv="v.csv"), ["--csv", "v.csv"]),
    (DataSpec(csv="v.csv", value_column="Views"), ["--csv", "v.csv", "--value-column", "Views"]),
    (DataSpec(csv="v.csv", date_column="Day", value_column="Views", fill="zero"),
     ["--csv", "v.csv", "--date-column", "Day", "--value-column", "Views", "--fill", "zero"]),
    (DataSpec(csv="v.csv", fill="interpolate"), ["--csv", "v.csv", "--fill", "interpolate"]),
])
def test_source_flags_name_the_series_as_the_command_line_takes_it(data, flags):
    assert source_flags(data) == flags


# --- trend, movement, test_description, Text ---------------------------------------------------------------------

@pytest.mark.parametrize("means, spreads, words", [
    ([0.3, 0.3, 0.4], [0.0, 0.0, 0.0], "lowest with a"),        # a tie is not a rise
    ([0.3, 0.5, 0.4], [0.0, 0.0, 0.0], "lowest with a"),        # every step, not every other step
    ([1.0, 0.5], [0.25, 0.25], "falls at every step"),          # a range of exactly twice the spread is not within it
    ([1.0, 0.5], [0.25, 0.26], "falls at every step; all within the spread over seeds"),
    ([0.5, 0.4], [], "falls at every step"),                    # no spread known: nothing is within it
])
def test_trend_at_its_edges(means, spreads, words):
    assert trend(means, spreads, ["a", "b", "c"]) == words


def test_movement_speaks_the_reports_language():
    assert movement([(0.5, 0.0), (0.4, 0.0)], ["a", "b"], [0.3, 0.2], ZH) == "为 0.500 → 0.400k（每一步都下降；课程：0.30 → 0.20）"


def test_the_built_in_page_is_also_tested_on_the_whole_year():
    assert describe_test_days(DataSpec()) == ("train 2017-01-01..2020-12-31, test 2021-01-01..2021-02-14 as in the "
                                              "lecture, and the whole of 2021 as a second test")


def test_text_is_english_by_default():
    assert Text().lang == "en" and Text()("report.holds") == "✓ holds"


# --- _settings_record, _header ---------------------------------------------------------------------------------------

def test_the_settings_record_is_what_a_later_run_compares():
    data = DataSpec(page="Standard_deviation")
    assert _settings_record(Settings(seeds=4, quick=True, data=data, lang="zh")) == \
        {"seeds": 4, "quick": True, "data": data.to_dict(), "lang": "zh"}


@pytest.fixture
def plain_machine(monkeypatch):
    monkeypatch.setattr(experiments, "machine", lambda: "the machine")


def test_the_header_of_a_full_english_run(plain_machine):
    header = _header(Settings(seeds=2, quick=True), None, 12.345, 2, {})
    assert header == {"title": EN("report.title"), "lines": [
        "data: daily English Wikipedia views of `Standard_deviation` (built in); train 2017-01-01..2020-12-31, "
        "test 2021-01-01..2021-02-14 as in the lecture, and the whole of 2021 as a second test",
        EN("report.units"),
        f"studies: `{', '.join(STUDIES)}`; seeds: 2; quick mode",
        "wall time: 12.3 s with 2 worker process(es)",
        "machine: `the machine`",
        "command: `gradstep reproduce --seeds 2 --quick --workers 2`"]}


def test_the_header_of_a_chinese_run_of_some_studies_without_a_chinese_font(plain_machine, monkeypatch):
    """The named page and --lang reach the command; the kept studies and the English figures are said."""
    from gradstep import plots
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    settings = Settings(seeds=1, quick=False, data=DataSpec(page="Standard_deviation"), lang="zh")
    header = _header(settings, ["linear", "units"], 3.0, 1, {"piecewise": None, "depth": None})
    assert header == {"title": ZH("report.title"), "lines": [
        "数据：英文维基百科页面 `Standard_deviation` 的每日浏览量（内置）；训练 2017-01-01..2020-12-31，测试 "
        "2021-01-01..2021-02-14，与课程相同，并以 2021 全年作为第二个测试",
        ZH("report.units"),
        "研究：`linear, units`；随机种子数：1",
        "用时：3.0 秒，1 个工作进程",
        "机器：`the machine`",
        "命令：`gradstep reproduce linear units --page Standard_deviation --seeds 1 --workers 1 --lang zh`",
        "沿用此目录中先前运行的结果：piecewise, depth",
        ZH("report.figure_font")]}


def test_the_chinese_header_says_nothing_of_the_figures_when_a_font_draws_them(plain_machine, monkeypatch):
    from gradstep import plots
    monkeypatch.setattr(plots, "cjk_font", lambda: "Some CJK Font")
    lines = _header(Settings(seeds=1, lang="zh"), None, 1.0, 1, {})["lines"]
    assert ZH("report.figure_font") not in lines and lines[-1].startswith("命令：")


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "views.csv"
    path.write_text("Date,Views\n" + "".join(f"2023-01-{day:02d},{100 + day}\n" for day in range(1, 31)))
    return str(path)


@pytest.mark.parametrize("column, words", [(None, "found from the file"), ("Views", "Views")])
def test_the_header_of_a_run_on_a_csv(plain_machine, csv, column, words):
    lines = _header(Settings(seeds=3, data=DataSpec(csv=csv, value_column=column)), ["linear"], 0.04, 2, {})["lines"]
    assert lines[0] == (f"data: your series {csv} (column {words}); the series spans 2023-01-01..2023-01-30, not the "
                        "lecture's 2017–2021, so its own last 45 days are the test days and every earlier day trains "
                        "(no whole-year test)")
    flags = " --value-column Views" if column else ""
    assert lines[2:] == ["studies: `linear`; seeds: 3", "wall time: 0.0 s with 2 worker process(es)",
                         "machine: `the machine`", f"command: `gradstep reproduce linear --csv {csv}{flags} --seeds 3 "
                                                   "--workers 2`"]


# --- _checked ------------------------------------------------------------------------------------------------------

def test_a_study_gradstep_wrote_is_read_back():
    assert _checked("linear", full_study().to_dict()) == full_study()
    other = full_study("retired-study", formulas=["anything"])          # not a study any more: formulas unchecked
    assert _checked("retired-study", other.to_dict()) == other


def broken(change):
    data = json.loads(json.dumps(full_study().to_dict()))
    change(data)
    return data


@pytest.mark.parametrize("change", [
    lambda d: d.update(name="units"),
    lambda d: d.update(title=1),
    lambda d: d.update(finding=None),
    lambda d: d.update(idea=["the idea"]),
    lambda d: d["claims"][0].__setitem__(0, 2),
    lambda d: d["claims"][1].__setitem__(1, 0),
    lambda d: d["figures"][0].__setitem__(0, 3),
    lambda d: d["figures"][0].__setitem__(1, 3),
    lambda d: d["figures"][0].append("x"),
    lambda d: d["try_next"][0].__setitem__(0, 1.5),
    lambda d: d["try_next"][0].__setitem__(1, False),
    lambda d: d["try_next"][0].append("x"),
    lambda d: d["tables"][0].update(title=1),
    lambda d: d["tables"][0]["columns"].__setitem__(1, 2),
    lambda d: d["tables"][0]["rows"][1].__setitem__(1, 4),
    lambda d: d["figures"][0].__setitem__(0, "../f.png"),
    lambda d: d["figures"][0].__setitem__(0, "f.png.html"),
    lambda d: d["figures"][0].__setitem__(0, "a/f.png"),
    lambda d: d["figures"][0].__setitem__(0, "f.svg"),
    lambda d: d["formulas"].append("x"),
])
def test_a_study_not_of_gradsteps_making_is_refused(change):
    with pytest.raises(ValueError, match="^its linear section is not one gradstep wrote$"):
        _checked("linear", broken(change))


def test_a_claim_not_of_two_parts_is_refused():
    with pytest.raises(ValueError, match="its linear section is not one gradstep wrote"):
        _checked("linear", broken(lambda d: d["claims"][0].append("x")))


# --- _earlier --------------------------------------------------------------------------------------------------------

SETTINGS = Settings(seeds=2, quick=True)


def write_report(out, studies, settings=SETTINGS, **extra):
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps({"settings": _settings_record(settings), "header": {},
                                                 "studies": {s.name: s.to_dict() for s in studies}, **extra}))


def test_an_earlier_report_of_the_same_settings_is_read(tmp_path):
    write_report(tmp_path, [full_study()])
    assert _earlier(tmp_path, SETTINGS, partial=True) == {"linear": full_study()}
    assert _earlier(tmp_path, SETTINGS, partial=False) == {"linear": full_study()}


def test_an_earlier_report_of_other_settings_is_refused_by_a_partial_run_only(tmp_path):
    write_report(tmp_path, [full_study()])
    for other in (Settings(seeds=3, quick=True), Settings(seeds=2), Settings(seeds=2, quick=True, lang="zh"),
                  Settings(seeds=2, quick=True, data=DataSpec(page="Standard_deviation", days=7))):
        with pytest.raises(InputError) as refused:
            _earlier(tmp_path, other, partial=True)
        assert str(refused.value) == (f"out={tmp_path} holds a report made with other settings (seeds, quick, the "
                                      "data or lang); run every study to replace it, or choose another directory for "
                                      "these")
        assert _earlier(tmp_path, other, partial=False) == {"linear": full_study()}


def test_an_earlier_report_up_to_16_mib_is_read(tmp_path):
    """Bigger than the 1 MiB that read_json allows by default."""
    big = full_study()
    big.finding = "x" * (2 << 20)
    write_report(tmp_path, [big])
    assert _earlier(tmp_path, SETTINGS, partial=True)["linear"].finding == big.finding


def test_an_earlier_report_over_the_size_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(experiments, "MAX_REPORT_BYTES", 100)
    write_report(tmp_path, [full_study()])
    with pytest.raises(InputError, match="is not a report gradstep can update"):
        _earlier(tmp_path, SETTINGS, partial=True)


@pytest.mark.parametrize("text, reason", [
    ("[1, 2", "it is not a JSON object of at most 16 MiB"),
    ('{"settings": {}}', "it is not the JSON gradstep writes"),                       # KeyError
    ('{"settings": {}, "studies": {"linear": {"tables": 1}}}', "it is not the JSON gradstep writes"),  # TypeError
    ('{"settings": {}, "studies": []}', "it is not the JSON gradstep writes"),         # AttributeError
    (json.dumps({"settings": {}, "studies": {"linear": broken(lambda d: d.update(title=1))}}),
     "its linear section is not one gradstep wrote"),                                  # ValueError: its own words
])
def test_an_earlier_report_that_cannot_be_read_is_refused_by_a_partial_run_and_ignored_by_a_full_one(
        tmp_path, text, reason):
    (tmp_path / "report.json").write_text(text)
    with pytest.raises(InputError) as refused:
        _earlier(tmp_path, SETTINGS, partial=True)
    assert str(refused.value) == (f"{tmp_path / 'report.json'} is not a report gradstep can update ({reason}); run "
                                  "every study to replace it, or choose another directory for out")
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert _earlier(tmp_path, SETTINGS, partial=False) == {}


def test_a_report_without_report_json(tmp_path):
    """An older gradstep's report (report.html, no report.json) is refused by a partial run only; nothing at all is
    no earlier report."""
    assert _earlier(tmp_path, SETTINGS, partial=True) == {} and _earlier(tmp_path / "new", SETTINGS, True) == {}
    (tmp_path / "report.html").write_text("<html>")
    with pytest.raises(InputError) as refused:
        _earlier(tmp_path, SETTINGS, partial=True)
    assert str(refused.value) == (f"out={tmp_path} holds a report without report.json (written by an older "
                                  "gradstep), which this run would replace by a part of it; run every study, or "
                                  "choose another directory")
    assert _earlier(tmp_path, SETTINGS, partial=False) == {}


# --- run_reproduction over stand-in studies --------------------------------------------------------------------------

def stand_in(name, figures, held=True, cost=1.0):
    """A study module as the runner sees it: jobs(settings), one per seed (dict(**kwargs), which a worker could run),
    and report(settings, results, out), which draws its figures as files."""
    calls = []

    def jobs(settings):
        return [Job((name, seed), dict, {"seed": seed}, cost) for seed in range(settings.seeds)]

    def report(settings, results, out):
        calls.append((settings, results, out))
        for figure in figures:
            (out / figure).write_bytes(b"new")
        return StudyResult(name, f"{name.title()} [study]", f"{name} finding", [Table(f"{name} table", ["n"], [["1"]])],
                           [(figure, f"{figure} caption") for figure in figures], [(f"{name} claim", held)],
                           formulas=[f"{name} = 1"])

    return SimpleNamespace(jobs=jobs, report=report, FORMULAS=[f"{name} = 1"], calls=calls)


@pytest.fixture
def stand_ins(monkeypatch, plain_machine):
    """Three stand-in studies; run_jobs runs their jobs in this process and records how it was called."""
    studies = {"alpha": stand_in("alpha", ["alpha.png"]), "beta": stand_in("beta", ["beta.png", "beta_2.png"]),
               "gamma": stand_in("gamma", [], held=False)}
    monkeypatch.setattr(experiments, "STUDIES", studies)
    calls = []

    def in_process(jobs, workers, console, t, scheduler=None, next_jobs=None, starting=None):
        assert scheduler is None and next_jobs == {}
        console.print(starting, highlight=False)
        calls.append((jobs, workers, console, t))
        return {job.key: job.run() for study_jobs in jobs.values() for job in study_jobs}

    monkeypatch.setattr(experiments, "run_jobs", in_process)
    return studies, calls


def names(out):
    return sorted(path.name for path in out.iterdir())


def test_a_full_run_writes_the_report_of_every_study(stand_ins, tmp_path):
    studies, calls = stand_ins
    seen = Seen()
    out, screen = tmp_path / "a" / "[bold]report", console(highlighter=seen)
    result = run_reproduction(None, out=out, seeds=2, quick=False, workers=3, console=screen)
    assert [study.name for study in result] == ["alpha", "beta", "gamma"]
    assert names(out) == ["alpha.png", "beta.png", "beta_2.png", "report.html", "report.json", "report.md"]
    (jobs, workers, used, t), = calls
    assert {name: [job.key for job in study_jobs] for name, study_jobs in jobs.items()} == \
        {name: [(name, 0), (name, 1)] for name in ("alpha", "beta", "gamma")}
    assert workers == 3 and used is screen and t.lang == "en"
    settings = Settings(seeds=2, quick=False, data=DataSpec(), lang="en")
    results = {(name, seed): {"seed": seed} for name in ("alpha", "beta", "gamma") for seed in (0, 1)}
    assert studies["alpha"].calls == [(settings, results, out)]
    saved = json.loads((out / "report.json").read_text())
    assert (out / "report.json").read_text() == json.dumps(saved, indent=2)       # readable, diffs line by line
    assert saved["settings"] == _settings_record(settings) and list(saved) == ["settings", "header", "studies"]
    assert saved["studies"] == {study.name: json.loads(json.dumps(study.to_dict())) for study in result}
    assert saved["header"]["lines"][2] == "studies: `alpha, beta, gamma`; seeds: 2"
    assert saved["header"]["lines"][5] == "command: `gradstep reproduce --seeds 2 --workers 3`"
    assert (out / "report.md").read_text() == experiments.markdown(result, saved["header"])
    assert (out / "report.html").read_text() == experiments.html_page(result, saved["header"])
    lines = screen.export_text().splitlines()
    assert lines[0] == EN("report.running", studies=3, jobs=6, seeds=2, workers=3, quick="")
    assert "Alpha [study] (alpha)" in lines[1] and "gamma finding" in lines and "✗ FAILS: gamma claim" in lines
    assert lines[-1].startswith(f"wrote {out / 'report.md'} and {out / 'report.html'} in ")    # the path as it is
    assert lines[-1].endswith(" s; 1 claim(s) FAILED")
    wrote = float(lines[-1].split(" in ")[-1].split(" s;")[0])
    wall = float(saved["header"]["lines"][3].split("wall time: ")[1].split(" s ")[0])
    assert 0 <= wall <= wrote < 60                                                   # seconds since the start
    assert not [text for text in seen.texts if "running" in text or "wrote" in text]  # numbers not highlighted


def test_the_studies_chosen_run_in_the_catalogues_order_and_speak_its_language(stand_ins, tmp_path):
    studies, calls = stand_ins
    screen = console()
    data = DataSpec(page="Standard_deviation")
    result = run_reproduction(["gamma", "alpha"], out=tmp_path, seeds=1, quick=True, workers=1, console=screen,
                              data=data, lang="zh")
    assert [study.name for study in result] == ["alpha", "gamma"] and list(calls[0][0]) == ["alpha", "gamma"]
    settings = Settings(seeds=1, quick=True, data=data, lang="zh")
    assert calls[0][3].lang == "zh" and studies["alpha"].calls[0][0] == settings
    assert studies["beta"].calls == []
    lines = screen.export_text().splitlines()
    assert lines[0] == ZH("report.running", studies=2, jobs=2, seeds=1, workers=1, quick=ZH("report.running_quick"))
    assert ZH("report.claim", verdict=ZH("report.fails"), claim="gamma claim") in lines
    assert lines[-1].endswith("秒" + ZH("report.failed", failed=1))
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["settings"] == _settings_record(settings)
    assert saved["header"]["title"] == ZH("report.title")
    assert "研究：`alpha, gamma`；随机种子数：1；快速模式" in saved["header"]["lines"]
    assert "\n## 目录\n" in (tmp_path / "report.md").read_text()
    page = (tmp_path / "report.html").read_text()
    assert "<html lang='zh-Hans'>" in page and ">目录</h2>" in page


def test_every_study_named_is_a_full_run(stand_ins, tmp_path):
    """Naming every study is not a partial run (an earlier report of other settings is replaced), yet the command
    names them as given."""
    write_report(tmp_path, [], settings=Settings(seeds=9))
    run_reproduction(["alpha", "beta", "gamma"], out=tmp_path, seeds=1, quick=True, workers=1, console=console())
    header = json.loads((tmp_path / "report.json").read_text())["header"]
    assert header["lines"][5] == "command: `gradstep reproduce alpha beta gamma --seeds 1 --quick --workers 1`"


def test_a_run_with_no_failing_claim_says_so_by_saying_nothing(stand_ins, tmp_path):
    screen = console()
    run_reproduction(["alpha"], out=tmp_path, seeds=1, quick=True, workers=1, console=screen)
    last = screen.export_text().splitlines()[-1]
    assert last.startswith("wrote ") and last.endswith(" s")


def earlier_report(out):
    """A report of alpha, beta, gamma and a study no longer run ("retired"), with figures on disk: beta once drew
    beta_old.png, and retired's figure is listed but already gone."""
    old = {name: StudyResult(name, "Old", "old finding", figures=[(f, "old") for f in figures],
                             formulas=[f"{name} = 1"])
           for name, figures in (("alpha", ["alpha.png"]), ("beta", ["beta.png", "beta_old.png"]), ("gamma", []),
                                 ("retired", ["retired.png", "retired_gone.png"]))}
    write_report(out, old.values())
    for name in ("alpha.png", "beta.png", "beta_old.png", "retired.png", "notes.png"):
        (out / name).write_bytes(b"old")
    return old


def test_one_study_over_an_earlier_report_replaces_its_section_and_its_stale_figures_only(stand_ins, tmp_path):
    old = earlier_report(tmp_path)
    result = run_reproduction(["beta"], out=tmp_path, seeds=2, quick=True, workers=1, console=console())
    assert result == [old["alpha"], stand_ins[0]["beta"].report(SETTINGS, {}, tmp_path), old["gamma"]]
    assert names(tmp_path) == ["alpha.png", "beta.png", "beta_2.png", "notes.png", "report.html", "report.json",
                               "report.md", "retired.png"]
    assert (tmp_path / "alpha.png").read_bytes() == b"old" and (tmp_path / "beta.png").read_bytes() == b"new"
    saved = json.loads((tmp_path / "report.json").read_text())
    assert list(saved["studies"]) == ["alpha", "beta", "gamma"]
    assert saved["header"]["lines"][-1] == "kept from the earlier run in this directory: alpha, gamma"


def test_one_study_over_a_report_of_other_settings_is_refused_before_anything_is_written(stand_ins, tmp_path):
    earlier_report(tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(InputError, match="holds a report made with other settings"):
        run_reproduction(["beta"], out=tmp_path, seeds=3, quick=True, workers=1, console=console())
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before and stand_ins[1] == []


def test_a_full_run_removes_every_figure_the_earlier_report_drew_and_this_one_does_not(stand_ins, tmp_path):
    """Even over other settings, and a listed figure already gone is no error; files the report never named stay."""
    earlier_report(tmp_path)
    saved = json.loads((tmp_path / "report.json").read_text())
    saved["settings"]["seeds"] = 5
    (tmp_path / "report.json").write_text(json.dumps(saved))
    result = run_reproduction(None, out=tmp_path, seeds=2, quick=True, workers=1, console=console())
    assert [study.name for study in result] == ["alpha", "beta", "gamma"]
    assert names(tmp_path) == ["alpha.png", "beta.png", "beta_2.png", "notes.png", "report.html", "report.json",
                               "report.md"]
    header = json.loads((tmp_path / "report.json").read_text())["header"]
    assert not [line for line in header["lines"] if line.startswith("kept")]


# --- run_jobs ------------------------------------------------------------------------------------------------------

def blas_jobs():
    """Three costly jobs that read the BLAS variables in the worker; four cheap ones: the catalogue as the worker
    sees it, and the worker's process id three times."""
    return {"dear [b]": [Job(("dear", name), os.getenv, {"key": name}, cost=5.0) for name in SINGLE_THREADED],
            "cheap [a]": [Job(("cheap", "text"), Text, {"lang": "en"}, cost=0.5),
                          *[Job(("cheap", i), os.getpid, {}, cost=0.5) for i in range(3)]]}


def test_run_jobs_runs_the_costliest_first_in_fresh_workers_and_prints_each_study_once_its_last_job_is_done(
        monkeypatch):
    """One worker (one process) runs the jobs in the order given, so the costly study is done first although listed
    last; the worker is a fresh process (spawned: it does not share this process's state, here a catalogue changed
    after start) with single-threaded BLAS, and the caller's variables (set or not) are back afterwards. The lines
    are plain text (a study's name in brackets stays, numbers are not highlighted) and a console that is not a
    terminal gets no progress bar."""
    from gradstep.lang import CATALOGUE
    monkeypatch.setitem(CATALOGUE["en"], "report.holds", "changed in this process only")
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    seen = Seen()
    screen = console(highlighter=seen)
    results = run_jobs(blas_jobs(), workers=1, console=screen, t=EN)
    assert sorted(results, key=str) == sorted([*[("dear", name) for name in SINGLE_THREADED], ("cheap", "text"),
                                               ("cheap", 0), ("cheap", 1), ("cheap", 2)], key=str)
    assert [results["dear", name] for name in SINGLE_THREADED] == ["1", "1", "1"]
    assert results["cheap", "text"]("report.holds") == "✓ holds"
    assert len({results["cheap", i] for i in range(3)}) == 1 and results["cheap", 0] != os.getpid()
    assert os.environ["OMP_NUM_THREADS"] == "7" and "MKL_NUM_THREADS" not in os.environ
    lines = screen.export_text().splitlines()
    assert [line.split(": done at ")[0] for line in lines] == ["dear [b]", "cheap [a]"]
    assert lines[0].endswith(" s (3 job(s))") and lines[1].endswith(" s (4 job(s))")
    seconds = [float(line.split(" done at ")[1].split(" s ")[0]) for line in lines]
    assert 0 <= seconds[0] <= seconds[1] < 60
    assert not [text for text in seen.texts if "done" in text]


def test_run_jobs_shows_a_progress_bar_in_a_terminal_and_clears_it_when_done():
    """The bar (its words, bar, count of all the jobs and elapsed time) is drawn on the console given, and erased at
    the end (transient): the last thing written clears its line."""
    screen = console(force_terminal=True)
    run_jobs(blas_jobs(), workers=1, console=screen, t=EN)
    written = screen.file.getvalue()
    assert re.search(r"reproducing \S*━+\S* \S*7/7\S* \S*\d:\d\d:\d\d", written)
    assert written.endswith("\x1b[2K") and "dear [b]: done at " in written
