"""The catalogues: English and Chinese have the same keys and placeholders; the Chinese report leaks no English prose;
every "try next" command of the lessons is a command gradstep accepts."""

import os
import re
import shlex
import string

import pytest
from rich.console import Console

from gradstep.cli import build_parser
from gradstep.experiments import STUDIES, run_reproduction
from gradstep.lang import CATALOGUE, LANGUAGES, Text

# Words that stay as they are in the Chinese report: names of functions and models as the book writes them, units,
# libraries, the test data's names, and column names of the files gradstep writes.
KEPT = {"MAE", "MSE", "ReLU", "ReLUs", "Sigmoid", "Hard", "Adam", "Dropout", "YouTube", "NumPy", "Python", "gradstep",
        "relu", "hard_sigmoid", "sigmoid", "clip", "max", "hard", "wij", "Debian", "Optuna", "TPE"}


def placeholders(template: str) -> set:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_both_languages_have_the_same_keys_and_placeholders():
    english, chinese = CATALOGUE["en"], CATALOGUE["zh"]
    assert set(english) == set(chinese)
    assert {key for key in english if placeholders(english[key]) != placeholders(chinese[key])} == set()
    assert LANGUAGES == ("en", "zh") and Text("zh")("linear.label", days=7) == "7 天"


def test_every_chinese_string_is_translated():
    """A template copied from English untranslated would pass the key check: no Chinese template has English prose."""
    untranslated = [key for key, template in CATALOGUE["zh"].items()
                    if english_words(re.sub(r"\{[^}]*\}", "", template))]
    assert untranslated == []


def test_an_unknown_language_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="lang='fr' is not a language of the report; choose one of en, zh"):
        Text("fr")


@pytest.fixture(scope="module")
def chinese_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    console = Console(record=True, width=160, file=open(os.devnull, "w"))
    studies = run_reproduction(None, out=out, seeds=1, quick=True, workers=2, console=console, lang="zh")
    return out, studies, console.export_text()


def english_words(text: str) -> set:
    """Latin words of three letters or more outside code spans, formulas, links, HTML anchors, figure and file names,
    the studies' names and the book's English glosses in full-width parentheses, e.g. 模型偏差（model bias）."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"（[A-Za-z ]+）", " ", text)
    text = re.sub(r"\S*/\S*|\b\w+\.(png|md|html|json|csv|npz)\b", " ", text)
    text = re.sub("|".join(sorted(STUDIES, key=len, reverse=True)), " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)|<a id=\"[^\"]*\"></a>|\(#[^)]*\)", " ", text)
    return set(re.findall(r"[A-Za-z][A-Za-z_]{2,}", text)) - KEPT


def test_the_chinese_report_and_terminal_have_no_english_prose(chinese_report):
    out, studies, text = chinese_report
    md = (out / "report.md").read_text()
    assert english_words(md) == set()
    assert english_words(text) == set()
    for term in ("模型偏差", "批量", "回合", "过拟合", "激活函数", "平均绝对误差", "梯度下降", "学习率"):
        assert term in md, term
    assert "<html lang='zh-Hans'>" in (out / "report.html").read_text()


def test_the_chinese_report_has_every_study_as_a_lesson(chinese_report):
    out, studies, _ = chinese_report
    assert [study.name for study in studies] == list(STUDIES)
    for study in studies:
        assert study.idea and study.formulas and len(study.try_next) >= 2 and study.figures, study.name


def commands():
    return [(name, command) for name, module in STUDIES.items() for command in module.TRY]


@pytest.mark.parametrize("study, command", commands())
def test_every_try_next_command_is_one_gradstep_accepts(study, command):
    words = shlex.split(command)
    assert words[0] == "gradstep"
    args = build_parser().parse_args(words[1:])
    assert args.command in ("train", "reproduce")
    if args.command == "reproduce":
        assert args.studies == [study]
    assert "--out" in words


def test_each_study_says_what_each_command_shows_in_both_languages():
    for name, module in STUDIES.items():
        for lang in LANGUAGES:
            t = Text(lang)
            assert [t(f"{name}.try.{i}") for i in range(1, len(module.TRY) + 1)], name
        assert f"{name}.try.{len(module.TRY) + 1}" not in CATALOGUE["en"], name
