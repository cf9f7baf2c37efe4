"""The reproduction's report: each study as a lesson — the idea, the formula, the tables beside the lecture's
numbers, the figures, the finding, the checked claims and what to try next.

One source: ``markdown()`` writes the report as Markdown (formulas as ``$$ … $$``, which GitHub renders);
``html_page()`` renders that Markdown with markdown-it-py, its formulas turned into MathML by latex2mathml,
so the page reads as mathematics in a browser with no network. The terminal gets the tables and findings
(rich).
"""

from __future__ import annotations

import html
import re

from rich.console import Console
from rich.markup import escape as rich_escape
from rich.table import Table as RichTable

from .lang import Text

EN = Text("en")
MARKDOWN_SPECIAL = re.compile(r"([\\*_<>\[\]|$&~#`])")
CODE_SPAN = re.compile(r"(`[^`]+`)")


def print_study(console: Console, study, t: Text = EN) -> None:
    """The study's tables, finding and claims in the terminal."""
    console.rule(f"[bold]{rich_escape(study.title)}[/bold] ({study.name})")
    for table in study.tables:
        console.print(f"[italic]{rich_escape(table.title)}[/italic]", highlight=False)
        rich_table = RichTable()
        for column in table.columns:
            rich_table.add_column(rich_escape(column))
        for row in table.rows:
            rich_table.add_row(*map(rich_escape, row))
        console.print(rich_table)
    console.print(study.finding, highlight=False, markup=False)
    for text, held in study.claims:
        console.print(f"{'[green]' if held else '[red]'}{t('report.claim', verdict=_verdict(held, t), claim='')}[/]",
                      end="", highlight=False)
        console.print(text, highlight=False, markup=False)
    for name, _ in study.figures:
        console.print(f"{t('report.figure')}: {name}", highlight=False, markup=False)


def escape(text: str) -> str:
    """``text`` as literal Markdown: every character Markdown or the formula syntax would read is escaped, outside
    code spans of single backticks (kept as they are, so the catalogue can mark a name or a command as code); any
    other backtick is escaped too, so no run of backticks can open a span of its own."""
    return "".join(part if part.startswith("`") else MARKDOWN_SPECIAL.sub(r"\\\1", part)
                   for part in CODE_SPAN.split(str(text)))


def code(text: str) -> str:
    """``text`` as one Markdown code span, its fence longer than any run of backticks inside it."""
    text = str(text).replace("\n", " ")
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def anchor(study) -> str:
    """The id of a study's heading, as GitHub and markdown-it-py's anchors plugin make it from its text."""
    from mdit_py_plugins.anchors.index import slugify
    return slugify(f"{study.title} ({study.name})")


def _verdict(held: bool, t: Text) -> str:
    return t("report.holds") if held else t("report.fails")


def _markdown_table(table) -> list[str]:
    def cells(row):
        return "| " + " | ".join(escape(cell) for cell in row) + " |"
    return [f"*{escape(table.title)}*", "", cells(table.columns), cells(["---"] * len(table.columns)),
            *map(cells, table.rows), ""]


def markdown(studies: list, header: dict, t: Text = EN) -> str:
    """The whole report as Markdown: a header, contents, and one lesson section per study; figures are referenced by
    their file names beside it."""
    parts = [f"# {escape(header['title'])}", "", *[f"- {escape(line)}" for line in header["lines"]], "",
             f"## {t('report.contents')}", "",
             *[f"{number}. [{escape(study.title)}](#{anchor(study)})" for number, study in enumerate(studies, 1)], ""]
    for study in studies:
        parts += [f"## {escape(study.title)} ({code(study.name)})", ""]
        if study.idea:
            parts += [f"### {t('report.idea')}", "", escape(study.idea), ""]
        if study.formulas:
            parts += [f"### {t('report.formula')}", ""]
            for formula in study.formulas:
                parts += ["$$", formula, "$$", ""]
        parts += [f"### {t('report.results')}", ""]
        for table in study.tables:
            parts += _markdown_table(table)
        for name, caption in study.figures:
            parts += [f"![{escape(caption)}]({name})", "", f"*{escape(caption)}*", ""]
        parts += [f"### {t('report.finding')}", "", escape(study.finding), ""]
        for text, held in study.claims:
            verdict = _verdict(held, t) if held else f"**{_verdict(held, t)}**"
            parts.append(f"- {t('report.claim', verdict=verdict, claim=escape(text))}")
        if study.claims:
            parts.append("")
        if study.try_next:
            parts += [f"### {t('report.try')}", ""]
            for command, look_for in study.try_next:
                parts += [f"- {code(command)}  ", f"  {escape(look_for)}"]
            parts.append("")
    return "\n".join(parts)


STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.5; }
h2 { border-top: 1px solid #ddd; padding-top: 1em; margin-top: 2em; }
h3 { font-size: 1.02em; color: #444; margin-bottom: 0.3em; }
table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 0.92em; display: block; overflow-x: auto;
        max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
td { white-space: nowrap; } th { vertical-align: bottom; }
td:first-child { white-space: normal; min-width: 10em; } td code { white-space: normal; overflow-wrap: anywhere; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #ddd; }
math[display="block"] { margin: 0.6em 0; font-size: 1.15em; }
code { background: #f4f4f4; padding: 0.1em 0.3em; border-radius: 3px; font-size: 0.9em; }
strong { color: #cf222e; }
"""


def _mathml(latex: str, options: dict) -> str:
    from latex2mathml.converter import convert
    return convert(latex, display="block" if options.get("display_mode") else "inline")


def html_page(studies: list, header: dict, t: Text = EN) -> str:
    """The whole report as one HTML page, rendered from ``markdown()`` with raw HTML off (text stays text): formulas as
    MathML, headings with ids for the contents, figures as <img> of the PNG files beside it; nothing is fetched from
    the network."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    dollarmath_plugin(renderer, renderer=_mathml, allow_labels=False)
    anchors_plugin(renderer, min_level=2, max_level=2)
    body = renderer.render(markdown(studies, header, t))
    language = "zh-Hans" if t.lang == "zh" else t.lang
    return (f"<!doctype html>\n<html lang='{language}'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(header['title'])}</title><style>{STYLE}</style></head><body>\n{body}</body></html>\n")
