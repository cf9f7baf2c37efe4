"""Read a user's CSV of daily values into the same kind of series as the built-in data, or say what is wrong."""

import csv
import io
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from gradstep.data._words import count, lines, listing, quoted, show, span
from gradstep.data.dates import is_date_like, parse_dates
from gradstep.errors import InputError

FILLS = ("interpolate", "zero")
_TOTAL = r"(?i)totals?:?"
_THOUSANDS = r"(?<=\d)[,\s](?=\d{3}(?!\d))"
_DOTTED_THOUSANDS = r"\d{1,3}(?:\.\d{3})+"
_SHOWN = 3


def read_series(
    path: str | PathLike,
    date_column: str | None = None,
    value_column: str | None = None,
    fill: str | None = None,
) -> pd.Series:
    """Read one column of daily values from a CSV file: float64, named after the column, daily index "date".

    The choices made (columns, dropped Total rows, sorting, filled days) are listed in series.attrs["notes"].
    Missing days are refused unless fill is "interpolate" (straight lines between neighbours) or "zero".
    """
    if fill not in (None, *FILLS):
        raise InputError(f"fill={show(fill)} is not a choice; use fill='interpolate' or fill='zero'")
    name = str(path)
    cells = _read_cells(Path(path), name)
    date_column, value_column = _choose_columns(cells, date_column, value_column, name)
    notes = [f"using date column {show(date_column)} and value column {show(value_column)}"]
    table = cells[[date_column, value_column]].set_axis(["date", "value"], axis=1)

    total = table["date"].str.fullmatch(_TOTAL)
    if total.any():
        notes.append(f'dropped the {show(table["date"][total].iloc[0])} {"row" if total.sum() == 1 else "rows"} '
                     f"({lines(table.index[total])})")
        table = table[~total]
    dates, order_note = parse_dates(table["date"], f"column {show(date_column)} of {name}")
    if order_note:
        notes.append(order_note)
    values = _to_numbers(table["value"])
    if _dots_are_thousands(table["value"]):
        values = _to_numbers(table["value"].str.replace(".", "", regex=False))
        notes.append('read dots as thousands separators ("1.234" as 1234), as every dotted value has groups of 3 digits')
    _check_cells(table, dates, values, date_column, value_column, name)

    series = pd.Series(values.to_numpy(), index=pd.DatetimeIndex(dates, name="date"), name=value_column)
    if not series.index.is_monotonic_increasing:
        newest_first = series.index.is_monotonic_decreasing
        notes.append("sorted newest-first rows into date order" if newest_first else "sorted the rows into date order")
        series = series.sort_index()
    series = _fill_missing_days(series, fill, name, notes)
    series.attrs["notes"] = notes
    series.attrs["date_column"], series.attrs["value_column"] = date_column, value_column
    return series


def _read_text(path: Path, name: str) -> str:
    """Return the file's text, refusing missing, unreadable, binary and non-UTF-8 files; a BOM is dropped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"cannot read {name}: there is no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {name}: it is a directory; give the path of a CSV file") from None
    except OSError as err:
        raise InputError(f"cannot read {name}: {err.strerror}; check the path and its permissions") from None
    if b"\0" in data:
        raise InputError(f"{name} is a binary file, not CSV text; export the data as a CSV file (UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"{name} is not UTF-8 text (undecodable byte on line {line}); save it as a CSV UTF-8 file"
        ) from None


def _read_cells(path: Path, name: str) -> pd.DataFrame:
    """Parse the file into stripped strings, one column per header field, indexed by 1-based file line number."""
    text = _read_text(path, name)
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text), skipinitialspace=True)
    rows, numbers, previous_end = [], [], 0
    try:
        for row in reader:
            if any(field.strip() for field in row):
                rows.append([field.strip() for field in row])
                numbers.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as err:
        raise InputError(
            f"{name} is not a readable CSV file (line {reader.line_num}: {err}); export it as CSV"
        ) from None
    if not rows:
        raise InputError(f"{name} is empty (no rows); give a CSV file with a header line and one row per day")
    header, data = rows[0], rows[1:]
    _check_header(header, numbers[0], name)
    if not data:
        raise InputError(f"{name} has a header but no data rows; add one row per day")
    ragged = [number for number, row in zip(numbers[1:], data) if len(row) != len(header)]
    if ragged:
        raise InputError(f"{name} has a different number of fields than its {len(header)}-field header on "
                         f"{lines(ragged, _SHOWN)}; give every row the same columns")
    return pd.DataFrame(data, columns=header, index=pd.Index(numbers[1:], name="line"))


def _sniff_delimiter(text: str) -> str:
    """Guess the field separator (comma, semicolon or tab) from the first lines; a comma when unclear."""
    try:
        return csv.Sniffer().sniff("\n".join(text.splitlines()[:20]), delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _check_header(header: list[str], line: int, name: str) -> None:
    """Refuse a header with a single field, a repeated column name, or dates in it (a file without a header)."""
    if len(header) < 2:
        raise InputError(f"{name} has only one column ({show(header[0])}); it needs a date column and a value "
                         "column separated by commas, semicolons or tabs")
    names = pd.Series(header)
    if names.duplicated().any():
        repeated = show(names[names.duplicated()].iloc[0])
        raise InputError(f"the header of {name} (line {line}) names the column {repeated} more than once; "
                         "give each column its own name")
    if is_date_like(names).any():
        raise InputError(f"line {line} of {name} looks like data ({show(names[is_date_like(names)].iloc[0])}), "
                         "not a header; add a header line such as date,views")


def _choose_columns(
    cells: pd.DataFrame, date_column: str | None, value_column: str | None, name: str
) -> tuple[str, str]:
    """Return the date and value columns: the ones named, else the only column that looks like dates or numbers."""
    for given in (date_column, value_column):
        if given is not None and given not in cells.columns:
            raise InputError(f"{name} has no column named {show(given)}; its columns are {quoted(cells.columns)}")
    if date_column is not None and date_column == value_column:
        raise InputError(f"date_column={show(date_column)} and value_column={show(value_column)} name the same "
                         f"column of {name}; name two different columns")
    total = cells.apply(lambda column: column.str.fullmatch(_TOTAL))
    if total.any(axis=1).all():
        raise InputError(f"{name} has a header but no data rows, only Total rows; add one row per day")
    # Blank and Total cells say nothing about a column's type; a column qualifies when most other cells fit.
    countable = cells.where((cells != "") & ~total)
    others = cells.columns.drop(value_column) if value_column is not None else cells.columns
    date_column = date_column or _only_candidate(
        [column for column in others if is_date_like(countable[column].dropna()).mean() > 0.5],
        "date", "with dates like 2021-01-31", "date_column", cells.columns, name)
    rest = list(cells.columns.drop(date_column))
    numeric = [column for column in rest if _to_numbers(countable[column].dropna()).notna().mean() > 0.5]
    # With only one other column, that is the value column even when most of its cells are bad (reported later).
    value_column = value_column or _only_candidate(
        numeric if numeric or len(rest) > 1 else rest, "numeric",
        f"of daily values besides the date column {show(date_column)}", "value_column", cells.columns, name)
    return date_column, value_column


def _only_candidate(candidates: list[str], kind: str, wanted: str, option: str, columns: pd.Index, name: str) -> str:
    """Return the single candidate column, or refuse naming the columns and the option that picks one."""
    if not candidates:
        raise InputError(f"{name} has no {kind} column (its columns are {quoted(columns)}); "
                         f"add a column {wanted}, or name it with {option}=NAME")
    if len(candidates) > 1:
        raise InputError(f"{name} has several {kind} columns: {quoted(candidates)}; choose one with {option}=NAME")
    return candidates[0]


def _to_numbers(texts: pd.Series) -> pd.Series:
    """Parse number strings, allowing thousands separators ("1,234", "1 234"); NaN where a cell is not a number."""
    return pd.to_numeric(texts.str.replace(_THOUSANDS, "", regex=True), errors="coerce").astype("float64")


def _dots_are_thousands(texts: pd.Series) -> bool:
    """True when some values are like "1.234" or "12.345.678" and every other value is a plain whole number:
    a count column written with dots between thousands (as in German or Italian exports), not decimals."""
    cells = texts.dropna().str.strip()
    cells = cells[cells != ""]
    dotted = cells.str.fullmatch(_DOTTED_THOUSANDS)
    return bool(dotted.any() and (dotted | cells.str.fullmatch(r"\d+")).all())


def _cite(texts: pd.Series) -> str:
    """Describe the first few cells as 'line 4 ("n/a"), line 9 (empty)', indexed by line number."""
    shown = [f"line {line} ({show(text)})" if text else f"line {line} (empty)" for line, text in texts.items()]
    return listing(shown, _SHOWN)


def _check_cells(
    table: pd.DataFrame, dates: pd.Series, values: pd.Series, date_column: str, value_column: str, name: str
) -> None:
    """Refuse unreadable dates, empty, non-numeric or negative values, and dates that appear more than once."""
    if dates.isna().any():
        raise InputError(f"column {show(date_column)} of {name} has dates that cannot be read on "
                         f"{_cite(table['date'][dates.isna()])}; write dates like 2021-01-31 or 31/01/2021")
    bad = ~np.isfinite(values)
    if bad.any():
        raise InputError(f"column {show(value_column)} of {name} has empty or non-numeric values on "
                         f"{_cite(table['value'][bad])}; put a number on those lines, "
                         "or delete them and use fill='interpolate'")
    if (values < 0).any():
        raise InputError(f"column {show(value_column)} of {name} has negative values on "
                         f"{_cite(table['value'][values < 0])}; counts cannot be negative, so correct those lines")
    repeated = dates[dates.duplicated(keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        others = repeated.nunique() - 1
        also = f" ({count(others, 'other date')} also repeat)" if others else ""
        raise InputError(f"{name} has the date {first:%Y-%m-%d} more than once, on "
                         f"{lines(repeated.index[repeated == first], _SHOWN)}{also}; keep one row per day")


def _fill_missing_days(series: pd.Series, fill: str | None, name: str, notes: list[str]) -> pd.Series:
    """Reindex onto every day from first to last with freq "D", filling gaps as asked or refusing them."""
    days = pd.date_range(series.index[0], series.index[-1], freq="D", name="date")
    missing = days.difference(series.index)
    series = series.reindex(days)
    if missing.empty:
        return series
    if fill is None:
        days_missing = missing.to_series()
        gap_number = (days_missing.diff() != pd.Timedelta(days=1)).cumsum()
        gaps = [span(run.iloc[0], run.iloc[-1]) if len(run) > 1 else f"{run.iloc[0]:%Y-%m-%d}"
                for _, run in days_missing.groupby(gap_number)]
        raise InputError(f"{name} is missing {count(len(missing), 'day')} in {count(len(gaps), 'gap')} "
                         f"({listing(gaps, _SHOWN)}); "
                         "add those rows, or read it with fill='interpolate' or fill='zero'")
    notes.append(f"filled {count(len(missing), 'missing day')} "
                 f"{'by interpolation' if fill == 'interpolate' else 'with zeros'}")
    return series.interpolate() if fill == "interpolate" else series.fillna(0.0)
