"""Read a user's CSV of daily values into the same kind of series as the built-in data, or say what is wrong."""

import codecs
import contextlib
import csv
import io
import os
import re
import stat
from collections.abc import Iterator
from os import PathLike

import pandas as pd

from gradstep.data._words import count, filename, lines, listing, quoted, show, span
from gradstep.data.dates import FIRST_DAY, LAST_DAY, is_date_like, outside_days, parse_dates
from gradstep.errors import InputError

FILLS = ("interpolate", "zero")
DECIMALS = (",", ".")
# Limits checked before any parsing, so a hostile file is refused in moments instead of exhausting time or memory.
MAX_BYTES = 64 * 2**20
MAX_ROWS = 100_000  # days, about 273 years
MAX_COLUMNS = 1_000
MAX_LINE = 100_000  # characters
MAX_CELLS = 2_000_000  # choosing the columns takes about a second per million cells
# The squares of values up to 1e150, and their sums over MAX_ROWS days, stay far below float64's 1.8e308.
MAX_VALUE = 1e150
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
_SIGNATURES = {b"\x1f\x8b": "compressed with gzip; decompress it (gunzip) and give the CSV file inside",
               b"PK\x03\x04": "a zip archive (an Excel workbook is one); export the data as a CSV file (UTF-8)"}
# A byte order mark names the encoding (Excel's "Unicode text" is UTF-16 little-endian); without one, UTF-8.
_ENCODINGS = {codecs.BOM_UTF8: ("utf-8-sig", "UTF-8"), codecs.BOM_UTF16_LE: ("utf-16", "UTF-16 little-endian"),
              codecs.BOM_UTF16_BE: ("utf-16", "UTF-16 big-endian")}
# Lines whose first non-blank character is "#" (Google Analytics starts its exports with several).
_COMMENT = r"(?<![^\r\n])[^\S\r\n]*#[^\r\n]*"
# csv.Sniffer takes time growing with the square of its sample: it sees at most this many characters.
_SNIFF_CHARS = 4_000
_TOTAL = r"(?i)totals?:?"
# Number cells: separators before groups of 3 digits (1,234 or 1 234), and whole cells as _to_values tells them apart.
_THOUSANDS = r"(?<=\d)[,\s](?=\d{3}(?!\d))"
_DOTTED_THOUSANDS = r"\d{1,3}(?:\.\d{3})+"
_COMMA_THOUSANDS = r"-?(?:[1-9]\d{0,2}|0(?=\.))(?:,\d{3})+(?:\.\d+)?"
_DECIMAL_COMMA = r"-?(?:\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,\d+)?"
_THOUSANDS_BEFORE_DECIMAL_COMMA = r"(?<=\d)[.\s](?=\d{3}(?!\d))"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL_POINT = r"-?\d*\.(?:\d{1,2}|\d{4,})"  # a dot no thousands separator could be: "999.5", "0.12345"
_SHOWN = 3


def read_series(
    path: str | PathLike,
    date_column: str | None = None,
    value_column: str | None = None,
    fill: str | None = None,
    decimal: str | None = None,
) -> pd.Series:
    """Read one column of daily values from a CSV file: float64, named after the column, daily index "date".

    The choices made (columns, encoding, skipped comment lines, dropped Total rows — and a last row without a
    date, as Google Analytics ends with its totals —, date and number readings,
    sorting, filled days) are listed in series.attrs["notes"].
    Missing days are refused unless fill is "interpolate" (straight lines between neighbours) or "zero"; with
    fill, a day whose value cell is empty is a missing day.
    decimal, "," or ".", is the values' decimal mark when the file's own is not the one guessed (``_to_values``).
    Anything but a regular file, and files beyond the MAX_ limits above, are refused before they are parsed.
    """
    if fill not in (None, *FILLS):
        raise InputError(f"fill={show(fill)} is not a choice; use fill='interpolate' or fill='zero'")
    if decimal not in (None, *DECIMALS):
        raise InputError(f"decimal={show(decimal)} is not a choice; use decimal=',' or decimal='.'")
    name = filename(path)
    text, file_notes = _read_text(path, name)
    delimiter = _sniff_delimiter(text)
    cells = _read_cells(text, delimiter, name)
    numbering = [column for column in _row_numbers(cells) if column not in (date_column, value_column)]
    date_column, value_column = _choose_columns(cells.drop(columns=numbering), date_column, value_column, delimiter,
                                                decimal, name)
    notes = [f"using date column {show(date_column)} and value column {show(value_column)}", *file_notes]
    notes += [f"ignored column {int(column.split()[-1]) + 1}, which has no name and numbers the rows (as pandas' "
              "to_csv and R's write.csv write them)" for column in numbering]
    notes += [f"the header has no name for column {int(column.split()[-1]) + 1}: called it {show(column)}, as "
              "pandas does" for column in (date_column, value_column) if column in cells.attrs["unnamed"]]
    table = cells[[date_column, value_column]].set_axis(["date", "value"], axis=1)

    total = table["date"].str.fullmatch(_TOTAL)
    if total.any():
        notes.append(f'dropped the {show(table["date"][total].iloc[0])} {"row" if total.sum() == 1 else "rows"} '
                     f"({lines(table.index[total])})")
        table = table[~total]
    if len(table) > 1 and table["date"].iloc[-1] == "":  # another row without a date is refused below
        notes.append(f"dropped the last row ({lines(table.index[-1:])}), which has no date: a totals row, as an "
                     "analytics export ends")
        table = table.iloc[:-1]
    dates, date_notes = parse_dates(table["date"], f"column {show(date_column)} of {name}")
    if fill is not None:
        table, dates = _drop_empty(table, dates, show(value_column), notes)
    values, number_note = _to_values(table["value"], delimiter, decimal)
    notes += [*date_notes, *([number_note] if number_note else [])]
    _check_cells(table, dates, values, date_column, value_column, decimal, name)

    series = pd.Series(values.to_numpy(), index=pd.DatetimeIndex(dates, name="date"), name=value_column)
    if not series.index.is_monotonic_increasing:
        newest_first = series.index.is_monotonic_decreasing
        notes.append("sorted newest-first rows into date order" if newest_first else "sorted the rows into date order")
        series = series.sort_index()
    series = _fill_missing_days(series, fill, name, notes)
    series.attrs["notes"] = notes
    series.attrs["date_column"], series.attrs["value_column"] = date_column, value_column
    return series


def _row_numbers(cells: pd.DataFrame) -> list[str]:
    """The unnamed columns that number the rows 0, 1, 2, … or 1, 2, 3, … (pandas' to_csv writes its index so)."""
    count = len(cells)
    return [column for column in cells.attrs["unnamed"] if cells[column].str.fullmatch(r"\d{1,9}").all()
            and cells[column].astype(int).tolist() in (list(range(count)), list(range(1, count + 1)))]


def _drop_empty(table: pd.DataFrame, dates: pd.Series, column: str, notes: list[str]) -> tuple:
    """With fill, the rows whose value cell is empty, dropped: days between two values are then missing days,
    filled; those before the first value or after the last are no days of the series. A note says which."""
    empty = (table["value"] == "") & dates.notna()  # an unreadable date is refused, not dropped
    if not empty.any():  # every cell empty: refused before, as a column without values
        return table, dates
    known = dates[~empty]
    outside = empty & ((dates < known.min()) | (dates > known.max()))
    if (empty & ~outside).any():
        notes.append(f"took the empty cells of column {column} ({lines(table.index[empty & ~outside])}) for "
                     "missing days")
    if outside.any():
        notes.append(f"dropped the rows whose cell of column {column} is empty before the first value or after the "
                     f"last ({lines(table.index[outside])}): there are no days to fill there")
    return table[~empty], dates[~empty]


def _read_bytes(path: str | PathLike, name: str) -> bytes:
    """Return the contents of a regular file of at most MAX_BYTES, read through the descriptor that was checked."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # without O_NONBLOCK a named pipe waits for a writer
    except FileNotFoundError:
        raise InputError(f"cannot read {name}: there is no such file; check the path") from None
    except OSError as err:
        with contextlib.suppress(OSError):
            _refuse_unless_regular(os.stat(path).st_mode, name)  # a socket cannot even be opened
        raise InputError(f"cannot read {name}: {err.strerror}; check the path and its permissions") from None
    try:
        info = os.fstat(descriptor)
        _refuse_unless_regular(info.st_mode, name)
        with open(descriptor, "rb", closefd=False) as file:
            data = file.read(MAX_BYTES + 1) if info.st_size <= MAX_BYTES else b""
    except OSError as err:
        raise InputError(f"cannot read {name}: {err.strerror}; check the path and its permissions") from None
    finally:
        os.close(descriptor)
    if info.st_size > MAX_BYTES or len(data) > MAX_BYTES:
        raise InputError(f"{name} is larger than {MAX_BYTES // 2**20} MiB, the most gradstep reads; "
                         "keep only the date and value columns and the days you need")
    return data


def _refuse_unless_regular(mode: int, name: str) -> None:
    """Refuse a directory, named pipe, socket or device, naming which it is."""
    if not stat.S_ISREG(mode):
        kind = next((kind for is_kind, kind in _KINDS if is_kind(mode)), "a special file")
        raise InputError(f"{name} is {kind}, not a file; give the path of a CSV file")


def _read_text(path: str | PathLike, name: str) -> tuple[str, list[str]]:
    """Return the file's text with its comment lines blanked, and notes on its encoding, comments and last line.

    Refuses compressed, binary and undecodable files, and files with too many or too long lines.
    """
    text, encoding = _decode(_read_bytes(path, name), name)
    _check_lines(text, name)
    text, comments = re.subn(_COMMENT, "", text)  # blanked, not removed, so that line numbers stay the file's
    notes = [f"read the file as {encoding}, as its byte order mark says"] if encoding else []
    if comments:
        notes.append(f"skipped {count(comments, 'comment line')} (starting with #)")
    unended = _unended_last_line(text)
    return text, [*notes, *([unended] if unended else [])]


def _decode(data: bytes, name: str) -> tuple[str, str | None]:
    """Decode the bytes as their byte order mark says, else as UTF-8; return the text and the encoding a mark named.

    The encoding is chosen before looking for NUL characters, so UTF-16 text is not mistaken for binary.
    """
    for signature, what in _SIGNATURES.items():
        if data.startswith(signature):
            raise InputError(f"{name} is {what}")
    codec, encoding = next((found for mark, found in _ENCODINGS.items() if data.startswith(mark)), ("utf-8", None))
    try:
        text, undecodable = data.decode(codec), None
    except UnicodeDecodeError as err:
        text, undecodable = data.decode(codec, errors="replace"), err.start
    if "\0" in text:
        raise InputError(f"{name} is a binary file, not CSV text; export the data as a CSV file (UTF-8)")
    if undecodable is not None:
        line = data[:undecodable].decode(codec, errors="replace").count("\n") + 1
        raise InputError(f"{name} is not {encoding or 'UTF-8'} text (undecodable byte on line {line}); "
                         "save it as a CSV UTF-8 file")
    return text, encoding


def _line_breaks(text: str) -> int:
    """Count line breaks as csv reads them: LF, CR LF or a lone CR."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _check_lines(text: str, name: str) -> None:
    """Refuse more lines than a header and MAX_ROWS days, or a line longer than MAX_LINE characters."""
    count_of_lines = _line_breaks(text) + (not text.endswith(("\n", "\r")))
    if count_of_lines > MAX_ROWS + 1:
        raise InputError(f"{name} has {count_of_lines:,} lines; gradstep reads at most {MAX_ROWS + 1:,} (a header "
                         f"and {MAX_ROWS:,} days, about {MAX_ROWS // 365} years); keep only the days you need")
    lengths = (len(line.rstrip("\r\n")) for line in io.StringIO(text, newline=""))
    too_long = next(((number, length) for number, length in enumerate(lengths, 1) if length > MAX_LINE), None)
    if too_long:
        raise InputError(f"line {too_long[0]} of {name} has {too_long[1]:,} characters; gradstep reads lines of at "
                         f"most {MAX_LINE:,}; export only the date and value columns")


def _unended_last_line(text: str) -> str | None:
    """A note when the last line has text but no line break, as the end of a file cut short would."""
    last = text[max(text.rfind("\n"), text.rfind("\r")) + 1:].strip()
    if not last:
        return None
    return (f"the last line (line {_line_breaks(text) + 1}: {show(last)}) does not end with a line break; "
            "if the file was cut short, its last value may be incomplete")


def _rows(text: str, delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """Yield each non-blank CSV row as its 1-based first line number and its stripped fields."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    previous_end = 0
    try:
        for row in reader:
            if any(field.strip() for field in row):
                yield previous_end + 1, [field.strip() for field in row]
            previous_end = reader.line_num
    except csv.Error as err:
        raise InputError(
            f"{name} is not a readable CSV file (line {reader.line_num}: {err}); export it as CSV"
        ) from None


def _read_cells(text: str, delimiter: str, name: str) -> pd.DataFrame:
    """Parse the text into stripped strings, one column per header field, indexed by 1-based file line number."""
    rows = _rows(text, delimiter, name)
    header_line, header = next(rows, (None, None))
    if header is None:
        raise InputError(f"{name} is empty (no rows); give a CSV file with a header line and one row per day")
    _check_header(header, header_line, name)
    unnamed = [f"Unnamed: {index}" for index, field in enumerate(header) if not field]
    header = [field or f"Unnamed: {index}" for index, field in enumerate(header)]
    _check_names(header, header_line, name)
    numbers, data, ragged = [], [], []
    for number, row in rows:
        if len(row) != len(header):
            ragged.append(number)
        elif len(data) * len(header) < MAX_CELLS:
            numbers.append(number)
            data.append(row)
        else:
            raise InputError(f"{name} has {len(header):,} columns and over {len(data):,} rows, more than the "
                             f"{MAX_CELLS:,} cells gradstep reads; export only the date and value columns")
    if ragged:
        raise InputError(f"{name} has a different number of fields than its {len(header)}-field header on "
                         f"{lines(ragged, _SHOWN)}; give every row the same columns")
    if not data:
        raise InputError(f"{name} has a header but no data rows; add one row per day")
    cells = pd.DataFrame(data, columns=header, index=pd.Index(numbers, name="line"))
    cells.attrs["unnamed"] = unnamed
    return cells


def _sniff_delimiter(text: str) -> str:
    """Guess the field separator (comma, semicolon or tab) from the first non-blank lines; a comma when unclear."""
    head = text[:_SNIFF_CHARS].splitlines()
    whole_lines = head if len(text) <= _SNIFF_CHARS else (head[:-1] or head)  # the last may be cut short
    try:
        return csv.Sniffer().sniff("\n".join([line for line in whole_lines if line.strip()][:20]),
                                   delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _check_header(header: list[str], line: int, name: str) -> None:
    """Refuse a header with over MAX_COLUMNS fields or a single one."""
    if len(header) > MAX_COLUMNS:
        raise InputError(f"the header of {name} (line {line}) has {len(header):,} columns; gradstep reads at most "
                         f"{MAX_COLUMNS:,}; export only the date and value columns")
    if len(header) < 2:
        raise InputError(f"{name} has only one column ({show(header[0])}); it needs a date column and a value "
                         "column separated by commas, semicolons or tabs")


def _check_names(header: list[str], line: int, name: str) -> None:
    """Refuse a repeated column name, or dates in the header (a file without a header). Blank names are
    already "Unnamed: i" (i counted from 0), as pandas names them: an index written by pandas' to_csv or R's
    write.csv has no name."""
    names = pd.Series(header)
    if names.duplicated().any():
        repeated = show(names[names.duplicated()].iloc[0])
        raise InputError(f"the header of {name} (line {line}) names the column {repeated} more than once; "
                         "give each column its own name")
    if is_date_like(names).any():
        raise InputError(f"line {line} of {name} looks like data ({show(names[is_date_like(names)].iloc[0])}), "
                         "not a header; add a header line such as date,views")


def _choose_columns(
    cells: pd.DataFrame, date_column: str | None, value_column: str | None, delimiter: str, decimal: str | None,
    name: str,
) -> tuple[str, str]:
    """Return the date and value columns: the ones named, else the only column that looks like dates or numbers."""
    for given, option in ((date_column, "date_column"), (value_column, "value_column")):
        if given is not None and given not in cells.columns:
            raise InputError(f"{name} has no column named {show(given)}; its columns are {quoted(cells.columns)}: "
                             f"choose one with {option}=NAME")
    if date_column is not None and date_column == value_column:
        raise InputError(f"date_column={show(date_column)} and value_column={show(value_column)} name the same "
                         f"column of {name}; name two different columns")
    total = cells.apply(lambda column: column.str.fullmatch(_TOTAL))
    if total.any(axis=1).all():
        raise InputError(f"{name} has a header but no data rows, only Total rows; add one row per day")
    if len(cells) == 1 and (cells.iloc[0] == "").any() and not is_date_like(cells.iloc[0]).any():
        raise InputError(f"{name} has a header but no data rows, only one row without a date (an analytics "
                         "export's totals row); add one row per day")
    # Blank and Total cells say nothing about a column's type; a column qualifies when most other cells fit.
    countable = cells.where((cells != "") & ~total)
    numbers = {column: _to_values(countable[column].dropna(), delimiter, decimal)[0] for column in cells.columns}
    numeric = [column for column, parsed in numbers.items() if parsed.notna().mean() > 0.5]
    if value_column is not None:
        _check_values(countable[value_column], numbers[value_column],
                      [column for column in numeric if column not in (value_column, date_column)], name)
    others = cells.columns.drop(value_column) if value_column is not None else cells.columns
    date_column = date_column or _only_candidate(
        [column for column in others if is_date_like(countable[column].dropna()).mean() > 0.5],
        "date", "with dates like 2021-01-31", "date_column", cells.columns, name)
    rest = list(cells.columns.drop(date_column))
    numeric = [column for column in numeric if column != date_column]
    if value_column is None and not numeric and len(rest) == 1:
        _check_values(countable[rest[0]], numbers[rest[0]], [], name)
    # With only one other column, that is the value column even when some of its cells are bad (reported later).
    value_column = value_column or _only_candidate(
        numeric if numeric or len(rest) > 1 else rest, "numeric",
        f"of daily values besides the date column {show(date_column)}", "value_column", cells.columns, name)
    return date_column, value_column


def _check_values(column: pd.Series, parsed: pd.Series, numeric: list[str], name: str) -> None:
    """Refuse a value column without values, or of dates or words, none of whose filled cells is a number
    (``parsed``, the column's filled cells as numbers; ``numeric`` lists the columns mostly of numbers), saying
    what it holds and which columns there are to choose instead. A column with some numbers, or of numbers
    written wrong ("4.2%%"), is read, and its bad cells cited, later."""
    filled = column.dropna()
    dates = is_date_like(filled).mean() > 0.5
    if filled.empty:
        problem = f"column {show(column.name)} of {name} has no values, only empty cells"
    elif parsed.notna().any() or not (dates or filled.str.contains(r"[^\W\d_]").all()):
        return
    else:
        problem = f"column {show(column.name)} of {name} holds {'dates' if dates else 'text'}, not numbers, on " \
                  f"{_cite(filled)}"
    if numeric:
        columns = "columns of numbers are" if len(numeric) > 1 else "column of numbers is"
        raise InputError(f"{problem}; its {columns} {quoted(numeric)}: choose one with value_column=NAME")
    raise InputError(f"{problem}, and the file has no column of numbers; add a column of daily values")


def _only_candidate(candidates: list[str], kind: str, wanted: str, option: str, columns: pd.Index, name: str) -> str:
    """Return the single candidate column, or refuse naming the columns and the option that picks one."""
    if not candidates:
        raise InputError(f"{name} has no {kind} column (its columns are {quoted(columns)}); "
                         f"add a column {wanted}, or name it with {option}=NAME")
    if len(candidates) > 1:
        raise InputError(f"{name} has several {kind} columns: {quoted(candidates)}; choose one with {option}=NAME")
    return candidates[0]


def _to_values(texts: pd.Series, delimiter: str, decimal: str | None = None) -> tuple[pd.Series, str | None]:
    """Parse value cells into float64 (NaN where a cell is not a number), with a note when separators were read.

    With decimal="," commas are decimal marks and dots or spaces before groups of 3 digits thousands separators
    ("1.234,5"); with decimal=".", dots are decimal points and commas thousands separators ("1,234.5").
    Otherwise the file tells. Commas are thousands separators in a comma-separated file. In a file separated by
    tabs, they are too when every cell with a comma is written so ("1,234", "1,234,567.5"), and otherwise
    decimal marks ("169,96"); in one separated by semicolons, as European spreadsheets write them, they are
    decimal marks unless, besides, some cell could only be written with thousands separators ("1,234,567",
    "1,234.5") or has a decimal point ("999.5"). Without
    commas, dots are thousands separators when every dotted value groups digits by 3 ("1.234", "12.345.678")
    and every other value is a whole number; otherwise decimal points. A column whose every value ends in "%"
    (a click-through rate) is read in percent: "4.2%" as 4.2.
    """
    filled = texts.dropna().str.strip()
    filled = filled[filled != ""]
    if len(filled) and filled.str.endswith("%").all():
        values, note = _to_plain_values(texts.str.strip().str.removesuffix("%").str.rstrip(), delimiter, decimal)
        percent = f'read values like {show(filled.iloc[0])} in percent, as {show(filled.iloc[0][:-1].rstrip())}'
        return values, percent + (f"; {note}" if note else "")
    return _to_plain_values(texts, delimiter, decimal)


def _to_plain_values(texts: pd.Series, delimiter: str, decimal: str | None) -> tuple[pd.Series, str | None]:
    """``_to_values`` for cells without a percent sign."""
    commas = texts.str.contains(",", regex=False)
    if decimal == ",":
        values, note = _read_decimal_commas(texts, "as decimal=',' says")
        return values, note if (commas | texts.str.contains(".", regex=False)).any() else None
    thousands = 'read commas as thousands separators ("1,234" as 1234), as '
    if decimal == ".":
        return _to_numbers(texts), f"{thousands}decimal='.' says" if commas.any() else None
    if delimiter != "," and commas.any():
        with_commas = texts[commas]
        if not with_commas.str.fullmatch(_COMMA_THOUSANDS).all():
            return _read_decimal_commas(texts, "as not every comma has 3 digits after it")
        if delimiter == ";" and not (with_commas.str.contains(r",\d{3}[,.]").any()
                                     or texts[~commas].str.fullmatch(_DECIMAL_POINT).any()):
            example = show(with_commas.iloc[0])
            return _read_decimal_commas(texts, f"as a file separated by semicolons writes them; if {example} means "
                                               f"{_to_numbers(with_commas.iloc[:1]).iloc[0]:,.0f}, use decimal='.'")
        return _to_numbers(texts), f"{thousands}every comma has 3 digits after it; if they are decimal marks, use " \
                                   "decimal=','"
    if _dots_are_thousands(texts):
        return (_to_numbers(texts.str.replace(".", "", regex=False)),
                'read dots as thousands separators ("1.234" as 1234), as every dotted value has groups of 3 digits')
    return _to_numbers(texts), None


def _read_decimal_commas(texts: pd.Series, reason: str) -> tuple[pd.Series, str]:
    """Parse cells like "169,96", "1.234,5" or "1 234" into float64 (NaN for any other cell), with a note that
    ends with ``reason``."""
    cells = texts.where(texts.str.fullmatch(_DECIMAL_COMMA))
    numbers = cells.str.replace(_THOUSANDS_BEFORE_DECIMAL_COMMA, "", regex=True).str.replace(",", ".", regex=False)
    dotted = cells.str.contains(".", regex=False).any()
    dots = ' and dots as thousands separators ("1.234,5" as 1234.5)' if dotted else ""
    return (pd.to_numeric(numbers, errors="coerce").astype("float64"),
            f'read commas as decimal marks ("169,96" as 169.96){dots}, {reason}')


def _to_numbers(texts: pd.Series) -> pd.Series:
    """Parse number strings, allowing thousands separators ("1,234", "1 234"); NaN where a cell is not a number,
    inf where it is beyond float64 ("1e400": pandas 2 reads it as NaN, so Python's float reads those cells)."""
    cells = texts.str.replace(_THOUSANDS, "", regex=True)
    numbers = pd.to_numeric(cells, errors="coerce").astype("float64")
    beyond = numbers.isna() & cells.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    return numbers.mask(beyond, cells[beyond].map(float))


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
    table: pd.DataFrame, dates: pd.Series, values: pd.Series, date_column: str, value_column: str,
    decimal: str | None, name: str,
) -> None:
    """Refuse unreadable or out-of-range dates, empty, non-numeric, negative or huge values, and repeated dates;
    numbers with a decimal comma that were not read (a comma-separated file's "169,96") with advice to say
    decimal=','."""
    outside = outside_days(table["date"], dates)
    if outside.any():
        raise InputError(f"column {show(date_column)} of {name} has dates outside {span(FIRST_DAY, LAST_DAY)}, the "
                         f"days gradstep can compute with, on {_cite(table['date'][outside])}; correct or delete them")
    if dates.isna().any():
        raise InputError(f"column {show(date_column)} of {name} has dates that cannot be read on "
                         f"{_cite(table['date'][dates.isna()])}; write dates like 2021-01-31 or 31/01/2021")
    bad = values.isna()
    percent = table["value"].str.endswith("%")  # the cells are stripped strings, "" when empty
    plain = ~percent & (table["value"] != "")
    if bad.any() and percent.any() and plain.any():
        raise InputError(f"column {show(value_column)} of {name} has values in percent on "
                         f"{_cite(table['value'][percent])} but not on {_cite(table['value'][plain])}; write "
                         "every value with a % sign, or none")
    if bad.any() and (table["value"][bad] == "").all():
        raise InputError(f"column {show(value_column)} of {name} has empty values on "
                         f"{lines(table.index[bad], _SHOWN)}; put a number on those lines, or use fill='interpolate' "
                         "or fill='zero'")
    commas = table["value"][bad]
    if bad.any() and decimal is None and commas.str.fullmatch(r"-?\d+,\d+").all():
        raise InputError(f"column {show(value_column)} of {name} has numbers with a decimal comma on {_cite(commas)}, "
                         "which were not read as numbers; if the file's commas are decimal marks, use decimal=','")
    if bad.any():
        raise InputError(f"column {show(value_column)} of {name} has empty or non-numeric values on "
                         f"{_cite(table['value'][bad])}; put a number on those lines, "
                         "or delete them and use fill='interpolate'")
    if (values < 0).any():
        raise InputError(f"column {show(value_column)} of {name} has negative values on "
                         f"{_cite(table['value'][values < 0])}; gradstep forecasts counts (views, visits, sales), "
                         "which cannot be negative: correct those lines (a series that goes below zero, such as "
                         "temperatures or changes, is not one gradstep models)")
    if (values > MAX_VALUE).any():
        raise InputError(f"column {show(value_column)} of {name} has values too large to compute with (above "
                         f"{MAX_VALUE:g}) on {_cite(table['value'][values > MAX_VALUE])}; scale the column down, "
                         "e.g. count in thousands")
    repeated = dates[dates.duplicated(keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        others = repeated.nunique() - 1
        also = f" ({count(others, 'other date')} also repeat{'s' if others == 1 else ''})" if others else ""
        raise InputError(f"{name} has the date {first:%Y-%m-%d} more than once, on "
                         f"{lines(repeated.index[repeated == first], _SHOWN)}{also}; keep one row per day")


def _fill_missing_days(series: pd.Series, fill: str | None, name: str, notes: list[str]) -> pd.Series:
    """Reindex onto every day from first to last with freq "D", filling gaps as asked or refusing them."""
    first, last = series.index[0], series.index[-1]
    spanned = (last.date() - first.date()).days + 1  # Python dates: pandas 2's Timedelta overflows past 292 years
    if spanned > MAX_ROWS:
        raise InputError(f"{name} spans {spanned:,} days ({span(first, last)}); gradstep reads at "
                         f"most {MAX_ROWS:,} days, about {MAX_ROWS // 365} years; correct the dates or keep fewer days")
    days = pd.date_range(first, last, freq="D", name="date")
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
