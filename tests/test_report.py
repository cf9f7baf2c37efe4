"""The report: one Markdown source, rendered to HTML with MathML formulas; a failing claim shows as failing everywhere;
every part of a lesson reaches every format, escaped."""

import re

from rich.console import Console

from gradstep.experiments.common import StudyResult, Table
from gradstep.lang import Text
from gradstep.report import escape, html_page, markdown, print_study

HEADER = {"title": "t", "lines": ["a line", "data: <script>alert(1)</script> $x$ `code_span`"]}


def study(held: bool, name: str = "s") -> StudyResult:
    table = Table("numbers", ["x", "y | z"], [["1", "<2>"], ["0.704 ± 0.010", "w_1 * [a](b)"]])
    return StudyResult(name, "Study", "the finding *not emphasis*", [table], [("fig.png", "a caption")],
                       [("the claim", held)], idea="the idea", formulas=[r"y = b + \sum_i c_i \sigma(b_i + w_i x_1)"],
                       try_next=[("gradstep train --lr 0.1 --out m", "what to look for")])


def test_a_failing_claim_renders_as_failing_in_every_format():
    console = Console(record=True, width=120)
    print_study(console, study(False))
    text = console.export_text()
    assert "✗ FAILS: the claim" in text and "✓" not in text
    assert "- **✗ FAILS**: the claim" in markdown([study(False)], HEADER)
    assert "<li><strong>✗ FAILS</strong>: the claim</li>" in html_page([study(False)], HEADER)


def test_a_holding_claim_renders_as_holding():
    console = Console(record=True, width=120)
    print_study(console, study(True))
    assert "✓ holds: the claim" in console.export_text()
    assert "- ✓ holds: the claim" in markdown([study(True)], HEADER)
    assert "<li>✓ holds: the claim</li>" in html_page([study(True)], HEADER)


def test_a_lesson_section_has_its_parts_in_the_books_order():
    md = markdown([study(True)], HEADER)
    section = md.split('<a id="s"></a>')[1]
    order = ["## Study (`s`)", "### The idea", "the idea", "### The formula", "$$\ny = b", "### What we measured",
             "*numbers*", "![a caption](fig.png)", "### What it shows", "the finding", "- ✓ holds", "### Try next",
             "- `gradstep train --lr 0.1 --out m`", "what to look for"]
    positions = [section.index(part) for part in order]
    assert positions == sorted(positions)
    assert "1. [Study](#s)" in md.split('<a id="s"></a>')[0]


def test_the_html_is_rendered_from_the_markdown_with_mathml_and_no_network():
    page = html_page([study(True)], HEADER)
    assert "<math" in page and 'display="block"' in page and "<mi>&#x003C3;</mi>" in page and "$$" not in page
    assert "<h3>The idea</h3>" in page and '<a id="s"></a>' in page and '<img src="fig.png" alt="a caption"' in page
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page) and "<link" not in page and "<script>" not in page
    assert "<code>gradstep train --lr 0.1 --out m</code>" in page


def test_text_is_escaped_so_markdown_html_and_formulas_cannot_be_injected():
    md, page = markdown([study(True)], HEADER), html_page([study(True)], HEADER)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "\\$x\\$" in md and "<code>code_span</code>" in page
    assert "| 1 | \\<2\\> |" in md and "<td>&lt;2&gt;</td>" in page
    assert "<td>w_1 * [a](b)</td>" in page and "<em>" not in page.split("the finding")[1].split("</p>")[0]
    assert "<th>y | z</th>" in page


def test_escape_keeps_code_spans_and_escapes_everything_else():
    assert escape("a_b `c_d` <x> $1 [l](u) | *") == "a\\_b `c_d` \\<x\\> \\$1 \\[l\\](u) \\| \\*"


def test_tables_keep_mean_and_spread_on_one_line():
    page = html_page([study(True)], HEADER)
    assert "white-space: nowrap" in page and "<td>0.704 ± 0.010</td>" in page


def test_the_chinese_report_uses_the_chinese_headings_and_page_language():
    t = Text("zh")
    md, page = markdown([study(False)], HEADER, t), html_page([study(False)], HEADER, t)
    for heading in ("### 思路", "### 公式", "### 测量结果", "### 结论", "### 动手试试", "## 目录"):
        assert heading in md
    assert "<html lang='zh-Hans'>" in page and "<strong>✗ 不成立</strong>" in page
    console = Console(record=True, width=120)
    print_study(console, study(True), t)
    text = console.export_text()
    assert "✓ 成立: the claim" in text and "图: fig.png" in text
