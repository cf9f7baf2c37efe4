"""The report: one Markdown source, rendered to HTML with MathML formulas; a failing claim shows as failing everywhere;
every part of a lesson reaches every format, escaped."""

import io
import re

from rich.console import Console
from rich.highlighter import Highlighter

from gradstep.experiments.common import StudyResult, Table
from gradstep.lang import Text
from gradstep.report import _mathml, code, escape, html_page, markdown, print_study

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
    section = md.split("## Study (`s`)")[1]
    order = [ "### The idea", "the idea", "### The formula", "$$\ny = b", "### What we measured",
             "*numbers*", "![a caption](fig.png)", "### What it shows", "the finding", "- ✓ holds", "### Try next",
             "- `gradstep train --lr 0.1 --out m`", "what to look for"]
    positions = [section.index(part) for part in order]
    assert positions == sorted(positions)
    assert "1. [Study](#study-s)" in md.split("## Study (`s`)")[0]


def test_the_html_is_rendered_from_the_markdown_with_mathml_and_no_network():
    page = html_page([study(True)], HEADER)
    assert "<math" in page and 'display="block"' in page and "<mi>&#x003C3;</mi>" in page and "$$" not in page
    assert "<h3>The idea</h3>" in page and '<h2 id="study-s">' in page and '<a href="#study-s">' in page
    assert '<img src="fig.png" alt="a caption"' in page
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
    assert "<html lang='zh-Hans'>" in page and "<li><strong>✗ 不成立</strong>：the claim</li>" in page
    console = Console(record=True, width=120)
    print_study(console, study(True), t)
    text = console.export_text()
    assert "✓ 成立：the claim" in text and "图: fig.png" in text


# Tests written against mutmut's survivors (docs/testing.md): each names what it holds.

def bare(name: str = "b") -> StudyResult:
    """A study with no idea, formula, claim or "try next": those headings must not appear for it."""
    return StudyResult(name, "Bare", "nothing more", [Table("one", ["a"], [["1"]])])


def test_the_markdown_of_a_report_is_exactly_the_lesson_layout():
    """Every line and every blank line between the parts (without one, a figure and its caption run together into one
    paragraph), for a full lesson and a bare one."""
    full = StudyResult("s", "Study", "the finding", [Table("numbers", ["x", "y"], [["1", "2"]])],
                       [("fig.png", "a caption")], [("the claim", True), ("other", False)], idea="the idea",
                       formulas=[r"y = \sigma(x)"], try_next=[("gradstep train --out m", "what to look for")])
    assert markdown([full, bare()], {"title": "T_1", "lines": ["one", "two"]}) == "\n".join([
        "# T\\_1", "", "- one", "- two", "", "## Contents", "", "1. [Study](#study-s)", "2. [Bare](#bare-b)", "",
        "## Study (`s`)", "",
        "### The idea", "", "the idea", "",
        "### The formula", "", "$$", r"y = \sigma(x)", "$$", "",
        "### What we measured", "", "*numbers*", "", "| x | y |", "| --- | --- |", "| 1 | 2 |", "",
        "![a caption](fig.png)", "", "*a caption*", "",
        "### What it shows", "", "the finding", "",
        "- ✓ holds: the claim", "- **✗ FAILS**: other", "",
        "### Try next", "", "- `gradstep train --out m`  ", "  what to look for", "",
        "## Bare (`b`)", "",
        "### What we measured", "", "*one*", "", "| a |", "| --- |", "| 1 |", "",
        "### What it shows", "", "nothing more", ""])


class Seen(Highlighter):
    """A highlighter that only records what the console asked it to highlight."""

    def __init__(self):
        self.texts = []

    def highlight(self, text):
        self.texts.append(text.plain)


def test_the_terminal_prints_every_part_literally_and_unhighlighted():
    """Brackets are text, not rich markup, and numbers are not coloured by rich's highlighter: the finding, the table's
    title, the claims and the figures' names are printed as they are (only the rule's title may be highlighted)."""
    seen = Seen()
    console = Console(record=True, width=60, highlighter=seen, file=io.StringIO())
    lesson = StudyResult("s", "Study [b]x[/b]", "finding 0.5 [bold]x[/bold]",
                         [Table("numbers 0.5 [i]y[/i]", ["x", "y"], [["1", "[b]2[/b]"]])],
                         [("fig[b].png", "a caption")], [("claim 1 [b]x[/b]", True), ("claim 2", False)])
    print_study(console, lesson)
    lines = console.export_text().splitlines()
    assert lines[0].strip("─ ") == "Study [b]x[/b] (s)"
    assert lines[1:] == ["numbers 0.5 [i]y[/i]", "┏━━━┳━━━━━━━━━━┓", "┃ x ┃ y        ┃", "┡━━━╇━━━━━━━━━━┩",
                         "│ 1 │ [b]2[/b] │", "└───┴──────────┘", "finding 0.5 [bold]x[/bold]",
                         "✓ holds: claim 1 [b]x[/b]", "✗ FAILS: claim 2", "figure: fig[b].png"]
    assert not [text for text in seen.texts for part in ("numbers", "finding", "holds", "FAILS", "claim", "figure")
                if part in text]


def test_a_verdict_is_green_when_it_holds_and_red_when_it_fails():
    console = Console(record=True, width=60, force_terminal=True, color_system="standard", file=io.StringIO())
    print_study(console, StudyResult("s", "S", "f", claims=[("one", True), ("two", False)]))
    text = console.export_text(styles=True)
    assert "\n\x1b[32m✓ holds: \x1b[0mone\n" in text and "\n\x1b[31m✗ FAILS: \x1b[0mtwo\n" in text


def test_formulas_become_display_mathml_and_inline_math_stays_inline():
    """dollarmath hands _mathml display_mode=True for a $$ block (the only math markdown() writes: every other $ is
    escaped); an inline formula would be rendered inline."""
    body = html_page([study(True)], HEADER).split("</style>")[1]
    assert body.count('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">') == 1
    assert 'display="inline"' not in body
    assert _mathml("x", {"display_mode": False}).startswith(
        '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">')
    assert _mathml("x", {}).startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">')


def test_the_english_page_says_it_is_english():
    assert "<html lang='en'>" in html_page([study(True)], HEADER)


def test_a_command_or_name_is_one_code_span_whatever_backticks_or_newlines_it_holds():
    """code(): the fence is longer than any run of backticks inside; a backtick at either end is padded with a space
    (CommonMark strips one); a newline becomes a space, so a command stays on its list item's line."""
    assert code("gradstep train") == "`gradstep train`" and code("a\nb") == "`a b`"
    assert code("a`b") == "``a`b``" and code("a``b") == "```a``b```"
    assert code("`a") == "`` `a ``" and code("a`") == "`` a` ``"
    page = html_page([StudyResult("s", "S", "f", try_next=[("echo `x`\n``y``", "look")])], HEADER)
    assert "<li><code>echo `x` ``y``</code><br />" in page


def test_raw_html_is_off_so_no_part_of_a_study_can_put_a_tag_into_the_page():
    """A formula that closes its own $$ block, or a figure's name that closes its link, still reaches the page as
    text."""
    studies = [StudyResult("s", "S", "f", formulas=["x = 1\n$$\n<script>alert(1)</script>\n$$\ny"]),
               StudyResult("u", "U", "f", figures=[("x.png)<b>bold</b>(", "a caption")])]
    page = html_page(studies, HEADER)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_only_the_sections_headings_get_ids_which_the_contents_link_to():
    """The report's title and the lessons' subheadings (the same in every study) get none."""
    page = html_page([study(True)], HEADER)
    assert '<a href="#study-s">Study</a>' in page and '<h2 id="study-s">Study (<code>s</code>)</h2>' in page
    assert "<h1>t</h1>" in page and "<h3>The idea</h3>" in page and "<h3>Try next</h3>" in page


def test_backticks_in_a_file_name_or_a_command_cannot_open_raw_html():
    """A CSV named a``<img src=x onerror=alert(1)>`.csv: runs of backticks outside the catalogue's own code spans are
    escaped, commands get a fence longer than their backticks, and raw HTML is off, so the tag stays text."""
    hostile = "a``<img src=x onerror=alert(1)>`.csv"
    header = {"title": "t", "lines": [f"data: your series {hostile} (column v)"]}
    lesson = StudyResult("s", "Study", "f", try_next=[(f"gradstep train --csv '{hostile}' --out m", "look")])
    page = html_page([lesson], header)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert f"<code>gradstep train --csv '{hostile}' --out m</code>".replace("<img", "&lt;img").replace(
        ")>", ")&gt;") in page


def test_column_headers_print_literally_in_the_terminal():
    console = Console(record=True, width=80, file=io.StringIO())
    print_study(console, StudyResult("s", "S", "f", [Table("t", ["[b]x[/b]"], [["1"]])]))
    assert "[b]x[/b]" in console.export_text()
