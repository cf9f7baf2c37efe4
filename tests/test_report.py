"""The report: a failing claim shows as failing everywhere, tables and figures reach every format."""

import re

from rich.console import Console

from gradstep.experiments.common import StudyResult, Table
from gradstep.report import html_page, markdown, print_study

HEADER = {"title": "t", "lines": ["a line"]}


def study(held: bool) -> StudyResult:
    table = Table("numbers", ["x", "y | z"], [["1", "<2>"]])
    return StudyResult("s", "Study", "the finding", [table], [("fig.png", "a caption")], [("the claim", held)])


def test_a_failing_claim_renders_as_failing_in_every_format():
    console = Console(record=True, width=120)
    print_study(console, study(False))
    text = console.export_text()
    assert "✗ fails: the claim" in text and "✓" not in text
    assert "- ✗ FAILS: the claim" in markdown([study(False)], HEADER)
    assert "<li class='fails'>✗ fails: the claim</li>" in html_page([study(False)], HEADER)


def test_a_holding_claim_renders_as_holding():
    console = Console(record=True, width=120)
    print_study(console, study(True))
    assert "✓ holds: the claim" in console.export_text()
    assert "- ✓ holds: the claim" in markdown([study(True)], HEADER)
    assert "<li class='holds'>✓ holds: the claim</li>" in html_page([study(True)], HEADER)


def test_tables_figures_and_header_reach_markdown_and_html_escaped():
    md, page = markdown([study(True)], HEADER), html_page([study(True)], HEADER)
    assert "| x | y \\| z |" in md and "| 1 | <2> |" in md and "![a caption](fig.png)" in md and "- a line" in md
    assert "<td>&lt;2&gt;</td>" in page and "src='fig.png'" in page and "<li>a line</li>" in page
    assert re.search(r"<h2>Study <code>s</code></h2><p class='finding'>the finding</p>", page)
