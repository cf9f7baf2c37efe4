"""Small wording helpers shared by the data layer's one-line error messages and notes."""

import bisect
import itertools
import json
from collections.abc import Iterable, Sequence

import pandas as pd

_LONGEST = 40
_LONGEST_PATH = 100


def count(n: int, noun: str) -> str:
    """Return "1 day" or "3 days": n followed by noun, plural when n is not 1."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Return an inclusive date range as "2021-01-01..2021-02-14"."""
    return f"{start:%Y-%m-%d}..{end:%Y-%m-%d}"


def show(text: object) -> str:
    """Return text double-quoted for a one-line message, escaped as in JSON (newlines, control characters),
    and cut short with "…" when its escaped form is longer than 40 characters."""
    pieces = [_escaped(char) for char in str(text)[:_LONGEST + 1]]
    kept = bisect.bisect_right(list(itertools.accumulate(map(len, pieces))), _LONGEST)
    return f'"{"".join(pieces[:kept])}{"…" if kept < len(pieces) else ""}"'


def filename(path: object) -> str:
    """Return a path for a one-line message: unprintable characters escaped, a long path cut to its last 100."""
    text = "".join(char if char.isprintable() else _escaped(char) for char in str(path))
    return text if len(text) <= _LONGEST_PATH else f"…{text[1 - _LONGEST_PATH:]}"


def _escaped(char: str) -> str:
    """Return one character as written inside a JSON string, as \\uXXXX when a terminal would not print it."""
    return json.dumps(char, ensure_ascii=not char.isprintable())[1:-1]


def quoted(names: Iterable[object], limit: int = 3) -> str:
    """Return names as a comma-separated list of double-quoted strings, at most limit of them, then "and N more"."""
    names = list(names)
    shown = ", ".join(show(name) for name in names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def listing(items: Sequence[str], limit: int) -> str:
    """Join items as "a, b and c", showing at most limit of them and counting the rest as "and N more"."""
    shown = list(items[:limit])
    if len(items) > limit:
        return f"{', '.join(shown)} and {len(items) - limit} more"
    return " and ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else "".join(shown)


def lines(numbers: Sequence[int], limit: int = 5) -> str:
    """Return file line numbers as "line 4" or "lines 4, 9 and 12"."""
    return f"{'line' if len(numbers) == 1 else 'lines'} {listing([str(n) for n in numbers], limit)}"
