"""Small wording helpers shared by the data layer's one-line error messages and notes."""

import json
from collections.abc import Iterable, Sequence

import pandas as pd

_LONGEST = 40


def count(n: int, noun: str) -> str:
    """Return "1 day" or "3 days": n followed by noun, plural when n is not 1."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Return an inclusive date range as "2021-01-01..2021-02-14"."""
    return f"{start:%Y-%m-%d}..{end:%Y-%m-%d}"


def show(text: object) -> str:
    """Return text double-quoted for a one-line message: newlines escaped, long text cut short with "…"."""
    text = str(text)
    return json.dumps(text if len(text) <= _LONGEST else f"{text[:_LONGEST]}…", ensure_ascii=False)


def quoted(names: Iterable[object]) -> str:
    """Return names as a comma-separated list of double-quoted strings."""
    return ", ".join(show(name) for name in names)


def listing(items: Sequence[str], limit: int) -> str:
    """Join items as "a, b and c", showing at most limit of them and counting the rest as "and N more"."""
    shown = list(items[:limit])
    if len(items) > limit:
        return f"{', '.join(shown)} and {len(items) - limit} more"
    return " and ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else shown[0]


def lines(numbers: Sequence[int], limit: int = 5) -> str:
    """Return file line numbers as "line 4" or "lines 4, 9 and 12"."""
    return f"{'line' if len(numbers) == 1 else 'lines'} {listing([str(n) for n in numbers], limit)}"
