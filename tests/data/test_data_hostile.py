"""Hostile files for read_series: each is read into a valid daily series or refused with one short line.

Each case says which broken reader it catches. No test measures time: a reader that parsed before checking
its caps shows in the message it gives (or in a suite that takes minutes), and the named pipe test runs under
an alarm that turns a reader blocked on the pipe into a failure instead of a hang.
"""

import codecs
import contextlib
import datetime
import gzip
import io
import os
import signal
import socket
import tempfile
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradstep.data import Standardizer, Windows, read_series
from gradstep.data.csvfile import MAX_BYTES, MAX_CELLS, MAX_COLUMNS, MAX_LINE, MAX_ROWS, MAX_VALUE
from gradstep.errors import InputError

GOOD = b"date,views\n2021-01-01,5\n2021-01-02,6\n2021-01-03,7\n"


def _rows(*cells: str) -> bytes:
    """A date,views file with one row per value, from 2021-01-01."""
    days = pd.date_range("2021-01-01", periods=len(cells))
    return "".join(["date,views\n", *(f"{day:%Y-%m-%d},{cell}\n" for day, cell in zip(days, cells))]).encode()


def _dates(*dates: str) -> bytes:
    """A date,views file with the given date cells and values 1, 2, ..."""
    return "".join(["date,views\n", *(f"{date},{n}\n" for n, date in enumerate(dates, 1))]).encode()


def _zip(data: bytes) -> bytes:
    """A zip archive holding data as views.csv, the container an Excel workbook also is."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("views.csv", data)
    return archive.getvalue()


def _check_message(message: str) -> str:
    """A refusal is one short line that a terminal prints as written: no newline, no control character."""
    assert message.isprintable(), repr(message)
    assert len(message) < 400, message
    return message


def _refusal(path, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        read_series(path, **kwargs)
    return _check_message(str(caught.value))


def _check_series(series: pd.Series) -> None:
    """What every reader of read_series relies on: finite non-negative float64 values, one per day, no gaps."""
    assert series.dtype == np.float64
    values = series.to_numpy()
    assert len(values) > 0 and np.isfinite(values).all() and (values >= 0).all() and (values <= MAX_VALUE).all()
    assert isinstance(series.index, pd.DatetimeIndex) and series.index.name == "date"
    assert series.index.freqstr == "D" and series.index.is_unique and series.index.is_monotonic_increasing
    assert (np.diff(series.index.to_numpy()) == np.timedelta64(1, "D")).all()
    assert series.index[0] >= pd.Timestamp.min and series.index[-1] <= pd.Timestamp.max
    for note in series.attrs["notes"]:
        _check_message(note)


def _read_or_refuse(path, **kwargs) -> None:
    """Either a valid daily series or an InputError of one short line; any other exception fails the test."""
    try:
        series = read_series(path, **kwargs)
    except InputError as refusal:
        _check_message(str(refusal))
    else:
        _check_series(series)


# (id, file contents, keyword arguments, parts of the refusal). The comment on each says which reader it catches.
REFUSED = [
    # guesses a codec without a byte order mark and reads garbage (UTF-16 with a mark is read, see READ)
    ("utf16_without_bom", "date,views\n2021-01-01,1\n".encode("utf-16-le"), {}, ["is a binary file"]),
    # trusts a UTF-16 byte order mark so far that binary after it, or a UTF-32 file, passes the NUL check
    ("utf16_bom_then_nul_characters", codecs.BOM_UTF16_LE + b"d\0a\0" + b"\0" * 100, {}, ["is a binary file"]),
    ("utf16_bom_then_binary", codecs.BOM_UTF16_LE + bytes(range(256)) * 4, {},
     ["is not UTF-16 little-endian text (undecodable byte on line 1)"]),
    ("utf32", "date,views\n2021-01-01,1\n".encode("utf-32"), {}, ["is a binary file"]),
    # decodes a cut-off UTF-16 file (an odd number of bytes) with a replacement character, or crashes
    ("utf16_odd_length", "date,views\n2021-01-01,1\n".encode("utf-16") + b"7", {},
     ["is not UTF-16 little-endian text (undecodable byte on line 3)", "CSV UTF-8"]),
    # decodes compressed bytes, or says "binary" where "gunzip it" is the fix
    ("gzip", gzip.compress(GOOD), {}, ["compressed with gzip", "gunzip"]),
    ("zip_or_xlsx", _zip(GOOD), {}, ["zip archive", "Excel workbook", "CSV file"]),
    ("binary", bytes(range(256)) * 4, {}, ["is a binary file"]),
    ("nul_in_a_row", GOOD.replace(b"6", b"6\0"), {}, ["is a binary file"]),
    ("latin1", "date,views\n2021-01-01,caf\xe9\n".encode("latin-1"), {}, ["not UTF-8", "line 2"]),
    ("empty", b"", {}, ["is empty"]),
    ("bom_only", b"\xef\xbb\xbf", {}, ["is empty"]),
    ("only_line_breaks", b"\n\r\n\r\n \n", {}, ["is empty"]),
    ("header_only_without_line_break", b"date,views", {}, ["header but no data rows"]),
    # takes Excel's day numbers for days since 1970 (or nanoseconds, as pd.to_datetime does)
    ("excel_serial_dates", _dates("44197", "44198", "44199"), {}, ["no date column", "dates like 2021-01-31"]),
    ("excel_serial_dates_named", _dates("44197", "44198"), {"date_column": "date"},
     ["dates that cannot be read", 'line 2 ("44197")']),
    # drops the times of hourly data, or reads an hour of 24 or an offset of 25 hours
    ("hourly", _dates("2021-01-01T00:00:00Z", "2021-01-01T01:00:00Z"), {}, ["different times of day"]),
    ("hour_24", _dates("2021-01-01T24:00:00Z", "2021-01-02T24:00:00Z"), {}, ["no date column"]),
    ("offset_25_hours", _dates("2021-01-01T00:00+25:00", "2021-01-02T00:00+25:00"), {}, ["no date column"]),
    # keeps dates that pandas cannot hold in nanoseconds (later code converts to them)
    ("year_9999", _dates("2021-01-01", "9999-01-01"), {},
     ["dates outside 1677-09-22..2262-04-11", 'line 3 ("9999-01-01")']),
    ("year_1", _dates("0001-01-08", "0001-01-09"), {}, ["dates outside", 'line 2 ("0001-01-08") and line 3']),
    ("just_after_2262_04_11", _dates("2262-04-11", "2262-04-12"), {}, ["dates outside", 'line 3 ("2262-04-12")']),
    ("just_before_1677_09_22", _dates("1677-09-21", "1677-09-22"), {}, ["dates outside", 'line 2 ("1677-09-21")']),
    # reads 1-01-08 as 2008-01-01, as pd.to_datetime does
    ("year_with_one_digit", _dates("1-01-08", "1-01-09"), {}, ["no date column"]),
    ("year_with_one_digit_named", _dates("1-01-08", "1-01-09"), {"date_column": "date"},
     ["dates that cannot be read", 'line 2 ("1-01-08")']),
    # lets values through whose squares overflow: the standardizer's std is inf and later code divides by it
    ("value_1e297", _rows("1e297", "2"), {}, ["too large to compute with", 'line 2 ("1e297")']),
    ("value_1e308", _rows("1", "1e308"), {}, ["too large to compute with", 'line 3 ("1e308")']),
    ("value_overflowing_to_inf", _rows("1", "1e400", "9" * 400), {}, ["too large", 'line 3 ("1e400") and line 4']),
    ("value_inf", _rows("inf", "Infinity"), {}, ["too large to compute with", '("inf")']),
    ("value_minus_inf", _rows("1", "-inf"), {}, ["negative", '("-inf")']),
    ("value_nan", _rows("NaN", "nan", "1"), {}, ["empty or non-numeric", 'line 2 ("NaN") and line 3 ("nan")']),
    # stops at the first unreadable row without saying a file cut mid-row is broken
    ("truncated_mid_date", GOOD + b"2021-0", {}, ["different number of fields", "line 5"]),
    # hands a line of any length to csv and pandas (and, within 20 lines, to csv.Sniffer)
    ("long_line", b"date,views\n2021-01-01," + b"9" * (MAX_LINE + 1) + b"\n", {},
     ["line 2", "100,012 characters", "at most 100,000"]),
    # builds a DataFrame of 100,000 columns (minutes of work) before counting them: the message shows the line
    # was refused for its length, before any parsing
    ("100000_columns", (",".join(f"c{n}" for n in range(100_000)) + "\n").encode(), {},
     ["line 1", "688,889 characters", "at most 100,000"]),
    # builds a DataFrame of every column before counting them
    ("2000_columns", ("date," + ",".join(f"c{n}" for n in range(1999)) + "\n").encode() * 2, {},
     ["(line 1) has 2,000 columns", f"at most {MAX_COLUMNS:,}"]),
    # checks columns and rows but not both: 1,000 columns of 2,100 days take a minute to sort out
    ("many_cells", b"\n".join([b"date," + b",".join(b"c%d" % n for n in range(999)),
                               *[b"2021-01-01" + b",1" * 999] * 2100]) + b"\n", {},
     ["1,000 columns and over 2,000 rows", f"{MAX_CELLS:,} cells"]),
    # fills 182,000 days between two rows
    ("fill_across_centuries", _dates("1700-01-01", "2200-01-01"), {"fill": "zero"},
     ["spans 182,622 days (1700-01-01..2200-01-01)", f"at most {MAX_ROWS:,} days"]),
    # hands whole lines to csv.Sniffer, whose time grows with the square of its sample (minutes here)
    ("sniffer_quadratic", b"date,views\n" + b',"' * 40_000 + b"\n", {}, ["different number of fields", "line 2"]),
    # prints cells raw, so ESC sequences, C1 controls and line separators reach the terminal
    ("control_characters_in_a_cell", _rows("\x1b[2J\x1b[31m", "\x9b\x85\u2028\u202e"), {},
     [r'line 2 ("\u001b[2J\u001b[31m") and line 3 ("\u009b\u0085\u2028\u202e")']),
    # escapes after cutting: 40 control characters become 240 characters of message
    ("long_cell_of_control_characters", _rows("\x01" * 1000, "\x02" * 1000, "\x03" * 1000, "\x04" * 1000), {},
     [r'line 2 ("\u0001\u0001\u0001\u0001\u0001\u0001…")', "and 1 more"]),
    # lists every column name in the message
    ("many_long_column_names",
     (",".join(f"column number {n} with a long name" for n in range(999)) + "\n").encode() * 2, {},
     ['"column number 2 with a long name" and 996 more']),
    ("quoted_line_break_in_header", b'"date\nof day","views\r\nper day"\n2021-01-01,1\n', {"value_column": "x"},
     [r'its columns are "date\nof day", "views\r\nper day"']),
    ("many_repeated_dates", _dates(*["2021-01-01"] * 50, *["2021-01-02"] * 50), {},
     ["lines 2, 3, 4 and 47 more", "(1 other date also repeats)"]),
]


@pytest.mark.parametrize(("contents", "kwargs", "expected"), [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_hostile_file_is_refused_with_one_short_line(tmp_path, contents, kwargs, expected):
    path = tmp_path / "file.csv"
    path.write_bytes(contents)
    message = _refusal(path, **kwargs)
    for part in expected:
        assert part in message


# (id, file contents, values read, first day, notes after the "using" note)
READ = [
    # keeps the BOM in the first column's name, or refuses the file
    ("bom", b"\xef\xbb\xbf" + GOOD, [5, 6, 7], "2021-01-01", ["read the file as UTF-8, as its byte order mark says"]),
    ("crlf", GOOD.replace(b"\n", b"\r\n"), [5, 6, 7], "2021-01-01", []),
    # splits lines only at \n: an old Mac export (\r alone) is one long line
    ("cr_only", GOOD.replace(b"\n", b"\r"), [5, 6, 7], "2021-01-01", []),
    ("mixed_line_breaks", b"date,views\r\n2021-01-01,5\r2021-01-02,6\n2021-01-03,7", [5, 6, 7], "2021-01-01",
     ['the last line (line 4: "2021-01-03,7") does not end with a line break; if the file was cut short, '
      "its last value may be incomplete"]),
    ("tabs", GOOD.replace(b",", b"\t"), [5, 6, 7], "2021-01-01", []),
    # reads a file cut mid-row (12 cut to 1) without a word
    ("truncated_mid_line", GOOD + b"2021-01-04,1", [5, 6, 7, 1], "2021-01-01",
     ['the last line (line 5: "2021-01-04,1") does not end with a line break; if the file was cut short, '
      "its last value may be incomplete"]),
    ("truncated_mid_quote", GOOD + b'2021-01-04,"1', [5, 6, 7, 1], "2021-01-01",
     ['the last line (line 5: "2021-01-04,\\"1") does not end with a line break; if the file was cut short, '
      "its last value may be incomplete"]),
    # notes a missing line break where there is nothing to cut
    ("blank_last_line_without_line_break", GOOD + b"  \t ", [5, 6, 7], "2021-01-01", []),
    # refuses the whole range pandas can hold instead of only what lies outside it
    ("first_day_pandas_holds", _dates("1677-09-22", "1677-09-23"), [1, 2], "1677-09-22", []),
    ("last_day_pandas_holds", _dates("2262-04-10", "2262-04-11"), [1, 2], "2262-04-10", []),
    ("largest_value", _rows(f"{MAX_VALUE:g}", "0"), [MAX_VALUE, 0], "2021-01-01", []),
    # calls UTF-16 binary for its NUL bytes (Excel's "Unicode text" export), in either byte order
    ("utf16_le", codecs.BOM_UTF16_LE + "date,views\n2021-01-01,1\n".encode("utf-16-le"), [1],
     "2021-01-01", ["read the file as UTF-16 little-endian, as its byte order mark says"]),
    ("utf16_be", codecs.BOM_UTF16_BE + "date,views\n2021-01-01,1\n".encode("utf-16-be"), [1],
     "2021-01-01", ["read the file as UTF-16 big-endian, as its byte order mark says"]),
    # lets pandas parse offsets and shift days to UTC (2021-01-01T00:00+01:00 is 2020-12-31 in UTC)
    ("timezone_offsets", _dates("2021-01-01T00:00+01:00", "2021-01-02T00:00+01:00"), [1, 2], "2021-01-01",
     ['read date-times like "2021-01-01T00:00+01:00" as the dates written, dropping the time of day (the same on '
      "every row) and any time zone"]),
    ("timezone_utc", _dates("2021-01-01T00:00:00Z", "2021-01-02T00:00:00Z"), [1, 2], "2021-01-01",
     ['read date-times like "2021-01-01T00:00:00Z" as the dates written, dropping the time of day (the same on '
      "every row) and any time zone"]),
    # takes a Google Analytics comment block for a one-column header
    ("comment_lines", b"# ----\n# All Web Site Data\n# ----\n\n" + GOOD, [5, 6, 7], "2021-01-01",
     ["skipped 3 comment lines (starting with #)"]),
]


@pytest.mark.parametrize(("contents", "values", "first_day", "notes"), [case[1:] for case in READ],
                         ids=[case[0] for case in READ])
def test_awkward_but_sound_file_is_read(tmp_path, contents, values, first_day, notes):
    path = tmp_path / "file.csv"
    path.write_bytes(contents)
    series = read_series(path)
    _check_series(series)
    assert series.tolist() == values
    assert series.index[0] == pd.Timestamp(first_day)
    assert series.attrs["notes"] == ['using date column "date" and value column "views"', *notes]


def test_a_million_rows_are_refused_from_the_line_count(tmp_path):
    """Catches a reader that parses every row (or checks dates) before counting: the message has the count."""
    path = tmp_path / "file.csv"
    path.write_bytes(b"date,views\n" + b"2021-01-01,1\n" * 1_000_000)
    assert _refusal(path) == (f"{path} has 1,000,001 lines; gradstep reads at most 100,001 (a header and 100,000 "
                              "days, about 273 years); keep only the days you need")


def test_a_file_over_the_byte_cap_is_refused_from_its_size(tmp_path):
    """Catches a reader that reads the whole file first: the sparse file would be read as 64 MiB of NULs."""
    path = tmp_path / "file.csv"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)
    assert _refusal(path) == (f"{path} is larger than 64 MiB, the most gradstep reads; keep only the date and value "
                              "columns and the days you need")


def test_the_byte_cap_holds_for_utf16(tmp_path):
    """Catches a cap counted in characters after decoding: UTF-16 takes two bytes a character, so the file is
    refused from its size in bytes, before it is decoded."""
    path = tmp_path / "file.csv"
    with path.open("wb") as file:
        file.write(codecs.BOM_UTF16_LE)
        file.truncate(MAX_BYTES + 1)
    assert _refusal(path) == (f"{path} is larger than 64 MiB, the most gradstep reads; keep only the date and value "
                              "columns and the days you need")


@contextlib.contextmanager
def _failing_instead_of_hanging(seconds: int = 20):
    """Turn a read that blocks (a named pipe with no writer) into a test failure."""
    def blocked(signum, frame):
        pytest.fail(f"read_series was still waiting after {seconds} s")
    previous = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    """Catches open() without O_NONBLOCK, which waits forever for a writer, and reading by path."""
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    with _failing_instead_of_hanging():
        assert _refusal(path) == f"{path} is a named pipe (FIFO), not a file; give the path of a CSV file"


def test_a_directory_is_refused(tmp_path):
    assert _refusal(tmp_path) == f"{tmp_path} is a directory, not a file; give the path of a CSV file"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused(device):
    """Catches a reader that reads /dev/zero until memory runs out, or reads /dev/null as an empty file."""
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    assert _refusal(device) == f"{device} is a character device, not a file; give the path of a CSV file"


def test_a_link_to_a_device_is_refused_for_what_it_points_to(tmp_path):
    """Catches a check of the link itself (lstat) followed by reading what it points to."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    link = tmp_path / "views.csv"
    link.symlink_to("/dev/zero")
    assert "is a character device, not a file" in _refusal(link)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_a_socket_is_refused_naming_what_it_is():
    """Catches passing on the system's "No such device or address", which does not say what the path is."""
    with tempfile.TemporaryDirectory() as directory, socket.socket(socket.AF_UNIX) as server:
        path = os.path.join(directory, "s.csv")  # a short path: socket paths are limited to about 100 bytes
        server.bind(path)
        assert _refusal(path) == f"{path} is a socket, not a file; give the path of a CSV file"


def test_a_file_name_with_control_characters_is_shown_escaped(tmp_path):
    """Catches a message with the raw name: ESC sequences and line breaks in it would reach the terminal."""
    path = tmp_path / "views\x1b[31m\nred.csv"
    path.write_bytes(b"no commas here\n")
    assert _refusal(path).startswith(f"{tmp_path}/views\\u001b[31m\\nred.csv has only one column")


def test_a_long_file_name_is_cut_to_its_end(tmp_path):
    """Catches a message as long as the path: the name is cut to its last 100 characters."""
    directory = tmp_path / ("d" * 200)
    directory.mkdir()
    message = _refusal(directory / "views.csv")
    assert message.startswith(f"cannot read …{'d' * 89}/views.csv: there is no such file")


def test_the_file_is_opened_once_without_blocking_and_read_through_that_descriptor(tmp_path, monkeypatch):
    """Catches checking one opening of the path and reading another (the path may change in between)."""
    path = tmp_path / "file.csv"
    path.write_bytes(GOOD)
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *args, **kwargs: opened.append(args) or real_open(*args, **kwargs))
    assert read_series(path).tolist() == [5, 6, 7]
    assert len(opened) == 1 and opened[0][1] & os.O_NONBLOCK


def _windows(values) -> Windows:
    """Windows of one previous day over the given values."""
    values = np.asarray(values, dtype="float64")
    return Windows(X=values[:-1, None], y=values[1:], dates=pd.date_range("2021-01-02", periods=len(values) - 1))


@pytest.mark.parametrize("values", [[1e297, 2e297, 3e297, 4e297], [1e200, 0, 1e200, 0], [1, np.nan, 3, 4]],
                         ids=["std_overflows", "variance_overflows", "nan"])
def test_standardizer_refuses_a_mean_or_std_that_is_not_finite(values):
    """Catches dividing by an infinite std (a ZeroDivisionError later) or calling NaN values constant."""
    with pytest.raises(InputError) as caught:
        Standardizer.fit(_windows(values))
    assert "so they cannot be standardized; use finite values of at most 1e150" in _check_message(str(caught.value))


def test_standardizer_message_for_huge_values_word_for_word():
    with pytest.raises(InputError) as caught:
        Standardizer.fit(_windows([1e297, 2e297, 3e297, 4e297]))
    assert str(caught.value) == ("the training values have mean 2.5e+297 and standard deviation inf, so they cannot "
                                 "be standardized; use finite values of at most 1e150")


def test_standardizer_refusal_of_a_huge_saved_dict_stays_short():
    """Catches a message with the repr of whatever the saved file held."""
    with pytest.raises(InputError) as caught:
        Standardizer.from_dict({"mean": "x" * 10_000, "std": list(range(10_000)), "note": "a\nb"})
    _check_message(str(caught.value))


# Generated files: whatever the bytes, read_series gives a valid series or one short line.

@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile") / "file.csv"


_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(contents=st.binary(max_size=400), fill=st.sampled_from([None, "interpolate", "zero"]))
def test_arbitrary_bytes_are_read_or_refused_in_one_line(scratch, contents, fill):
    scratch.write_bytes(contents)
    _read_or_refuse(scratch, fill=fill)


# Mostly the characters of CSV files, dates and numbers, so that the text often gets past the first checks.
_CSV_LIKE = st.text(alphabet="0123456789-/.:,;\t\r\n \"'eE+TZtoalNnaif\ufeff\x1b\u2028", max_size=400)


@_SETTINGS
@given(text=st.one_of(st.text(max_size=400), _CSV_LIKE), fill=st.sampled_from([None, "interpolate", "zero"]))
def test_arbitrary_text_is_read_or_refused_in_one_line(scratch, text, fill):
    scratch.write_bytes(text.encode())
    _read_or_refuse(scratch, fill=fill)


_DATE_CELLS = st.one_of(
    st.dates().flatmap(lambda day: st.sampled_from([
        f"{day:%Y-%m-%d}", f"{day:%d/%m/%Y}", f"{day:%m/%d/%Y}", f"{day:%d.%m.%Y}", f"{day.year}-{day.month}-{day.day}",
        f"{day:%Y-%m-%d}T00:00", f"{day:%y-%m-%d}", str(day.toordinal() - 693594)])),
    st.sampled_from(["", "Total", "total:", "2021-02-30", "2021-13-01", "0000-01-01", "1-01-08", "9999-12-31"]),
    st.text(max_size=12),
)
_VALUE_CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10, 10**320).map(str),
    st.sampled_from(["", "NaN", "inf", "-0", "1,234", "1.234", "12.345.678", "1 234", '"1,234"', "1e150", "1e151",
                     "0x10", "1_000", "n/a", "٣"]),
    st.text(max_size=12),
)


@st.composite
def _csv_files(draw) -> bytes:
    """CSV-shaped files: a header and rows of daily dates and counts, a few cells hostile, odd separators, line
    endings, a BOM or UTF-16, comment lines, decimal commas, scrambled or missing rows and a cut-off end, so that
    many are read and many refused."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(st.sampled_from([["date", "views"], ["Datum", "Aufrufe"], ["day", "Total"]]))
    date_format = draw(st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%y",
                                        "%d/%m/%y", "%Y-%m-%dT00:00:00Z", "%Y-%m-%d %H:00"]))
    decimal_commas = delimiter != "," and draw(st.booleans())
    start = draw(st.dates(min_value=datetime.date(1677, 9, 22), max_value=datetime.date(2262, 3, 1)))
    hostile = st.integers(0, 49).map(lambda n: n == 0)  # each cell hostile with a chance of 1 in 50
    rows = []
    for n in range(draw(st.integers(1, 40))):
        if draw(hostile):
            continue  # a missing day
        day = start + datetime.timedelta(days=n)
        date = draw(_DATE_CELLS) if draw(hostile) else f"{day:{date_format}}"
        numbers = [draw(st.integers(0, 10**6)) for _ in header[1:]]
        values = [draw(_VALUE_CELLS) if draw(hostile) else f"{n // 100},{n % 100:02d}" if decimal_commas else str(n)
                  for n in numbers]
        rows.append([date, *values])
    if draw(hostile):
        rows = draw(st.permutations(rows))
    comments = draw(st.sampled_from(["", f"# ----{ending}# All Web Site Data{ending}{ending}"]))
    text = comments + ending.join(delimiter.join(row) for row in [header, *rows])
    text = draw(st.sampled_from(["", "\ufeff"])) + text + draw(st.sampled_from([ending, "", ending * 3]))
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-16"])))
    return data[:len(data) - draw(st.sampled_from([0, 0, 0, 1, 4]))]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contents=_csv_files(), fill=st.sampled_from([None, "interpolate", "zero"]))
def test_csv_shaped_files_are_read_or_refused_in_one_line(scratch, contents, fill):
    scratch.write_bytes(contents)
    _read_or_refuse(scratch, fill=fill)
