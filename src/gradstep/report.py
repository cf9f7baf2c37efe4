"""The reproduction's report: each study's finding, tables, checked claims and figures, as terminal
tables (rich), Markdown and a self-contained HTML page that shows the PNG figures beside it."""

from __future__ import annotations

import html

from rich.console import Console
from rich.table import Table as RichTable


def print_study(console: Console, study) -> None:
    """The study's tables, finding and claims in the terminal."""
    console.rule(f"[bold]{study.title}[/bold] ({study.name})")
    for table in study.tables:
        console.print(f"[italic]{table.title}[/italic]", highlight=False)
        rich_table = RichTable()
        for column in table.columns:
            rich_table.add_column(column)
        for row in table.rows:
            rich_table.add_row(*row)
        console.print(rich_table)
    console.print(study.finding, highlight=False)
    for text, held in study.claims:
        console.print(f"{'[green]✓ holds' if held else '[red]✗ fails'}[/]: {text}", highlight=False)
    for name, _ in study.figures:
        console.print(f"figure: {name}", highlight=False)


def _markdown_table(table) -> str:
    def cells(row):
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |"
    return "\n".join([f"*{table.title}*", "", cells(table.columns), cells(["---"] * len(table.columns)),
                      *map(cells, table.rows)])


def markdown(studies: list, header: dict) -> str:
    """The whole report as Markdown, figures referenced by their file names beside it."""
    parts = [f"# {header['title']}", "", *[f"- {line}" for line in header["lines"]], ""]
    for study in studies:
        parts += [f"## {study.title} (`{study.name}`)", "", study.finding, ""]
        for table in study.tables:
            parts += [_markdown_table(table), ""]
        for text, held in study.claims:
            parts.append(f"- {'✓ holds' if held else '✗ FAILS'}: {text}")
        if study.claims:
            parts.append("")
        for name, caption in study.figures:
            parts += [f"![{caption}]({name})", "", f"*{caption}*", ""]
    return "\n".join(parts)


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3em; }
img { max-width: 100%; border: 1px solid #ddd; } figure { margin: 1em 0; }
.holds { color: #1a7f37; } .fails { color: #cf222e; font-weight: bold; } .finding { font-size: 1.05em; }
"""


def _html_table(table) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in table.rows)
    return f"<table><caption>{html.escape(table.title)}</caption><tr>{head}</tr>{body}</table>"


def html_page(studies: list, header: dict) -> str:
    """The whole report as one HTML page; figures are <img> of the PNG files beside it."""
    e = html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(header['title'])}</title>"
             f"<style>{STYLE}</style></head><body><h1>{e(header['title'])}</h1><ul>",
             *[f"<li>{e(line)}</li>" for line in header["lines"]], "</ul>"]
    for study in studies:
        parts.append(f"<h2>{e(study.title)} <code>{e(study.name)}</code></h2><p class='finding'>{e(study.finding)}</p>")
        parts += [_html_table(table) for table in study.tables]
        if study.claims:
            parts.append("<ul>" + "".join(
                f"<li class='{'holds' if held else 'fails'}'>{'✓ holds' if held else '✗ fails'}: {e(text)}</li>"
                for text, held in study.claims) + "</ul>")
        parts += [f"<figure><img src='{e(name)}' alt='{e(caption)}'><figcaption>{e(caption)}</figcaption></figure>"
                  for name, caption in study.figures]
    parts.append("</body></html>")
    return "\n".join(parts)
