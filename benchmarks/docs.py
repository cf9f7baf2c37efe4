"""docs/benchmarks.md is written by several commands, each owning one part: the engine suite writes
everything before the first section below; each section runs from its heading to the next one of them
(or the end) and is replaced only by its own command, which keeps every other part."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

REPRODUCE_HEADING = "## gradstep reproduce"
STARTUP_HEADING = "## Start-up"
COMPARE_HEADING = "## Before and after"
FORECAST_HEADING = "## Forecasts against statsforecast"
SECTIONS = (REPRODUCE_HEADING, STARTUP_HEADING, COMPARE_HEADING, FORECAST_HEADING)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as f:
        f.write(text)
    os.replace(f.name, path)


def _parts(path: Path) -> dict:
    """{"engine": text before the first section, heading: that section's text} of the current file."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    starts = sorted((text.find("\n" + heading + "\n") + 1, heading) for heading in SECTIONS
                    if text.find("\n" + heading + "\n") >= 0)
    parts = {"engine": text[:starts[0][0]] if starts else text}
    for (start, heading), (end, _) in zip(starts, starts[1:] + [(len(text), None)]):
        parts[heading] = text[start:end]
    return parts


def _write(path: Path, parts: dict) -> None:
    ordered = [parts.get("engine", "")] + [parts[h] for h in SECTIONS if h in parts]
    write_atomically(path, "\n\n".join(part.strip("\n") for part in ordered if part.strip()) + "\n")


def write_engine_part(path: Path, text: str) -> None:
    """Replace everything before the sections."""
    _write(path, {**_parts(path), "engine": text})


def write_section(path: Path, heading: str, text: str) -> None:
    """Replace (or add) the section that starts with ``heading``; ``text`` starts with that heading."""
    assert heading in SECTIONS and text.startswith(heading + "\n")
    _write(path, {**_parts(path), heading: text})


def write_reproduce_section(path: Path, text: str) -> None:
    """Replace (or add) the reproduce section."""
    write_section(path, REPRODUCE_HEADING, text)
