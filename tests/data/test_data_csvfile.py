import numpy as np
import pandas as pd
import pytest
from corpus import GOOD_DIR, MALFORMED, MALFORMED_DIR

from gradstep.data import Standardizer, load_pageviews, make_windows, read_series, split_windows
from gradstep.data.dates import DAY_FIRST_NOTE, MONTH_FIRST_NOTE, TWO_DIGIT_YEAR_NOTE
from gradstep.errors import InputError

USING = 'using date column "{}" and value column "{}"'
UTF8_BOM = "read the file as UTF-8, as its byte order mark says"
UTF16_LE = "read the file as UTF-16 little-endian, as its byte order mark says"
DECIMAL_COMMAS = 'read commas as decimal marks ("169,96" as 169.96){}, as not every comma has 3 digits after it'
DOTS_TOO = ' and dots as thousands separators ("1.234,5" as 1234.5)'
COMMA_THOUSANDS = ('read commas as thousands separators ("1,234" as 1234), as every comma has 3 digits after it; '
                   "if they are decimal marks, use decimal=','")


def _run_pipeline(path, read_kwargs, window_kwargs):
    """What the CLI does with a file: read it, make windows, split, standardize."""
    series = read_series(path, **read_kwargs)
    split = split_windows(make_windows(series, window_kwargs.get("days", 7)))
    Standardizer.fit(split.train)


def test_corpus_covers_every_malformed_file():
    assert {name for name, *_ in MALFORMED} == {path.name for path in MALFORMED_DIR.iterdir()}


@pytest.mark.parametrize(("name", "expected", "read_kwargs", "window_kwargs"), MALFORMED,
                         ids=[f"{name}-{kwargs}" if kwargs else name for name, _, kwargs, _ in MALFORMED])
def test_malformed_file_is_refused_with_one_line_naming_the_problem(name, expected, read_kwargs, window_kwargs):
    with pytest.raises(InputError) as caught:
        _run_pipeline(MALFORMED_DIR / name, read_kwargs, window_kwargs)
    message = str(caught.value)
    assert "\n" not in message
    for part in expected:
        assert part in message


def _day(date, n):
    return pd.date_range(date, periods=n, freq="D")


GOOD = [
    ("iso.csv", {}, _day("2021-01-01", 5), [100, 120, 130, 90, 80], "views", [USING.format("date", "views")]),
    ("dayfirst.csv", {}, _day("2020-12-30", 4), [5, 6, 7, 8], "Views",
     [USING.format("Date", "Views"), "read the dates as day/month/year"]),
    ("semicolon.csv", {}, _day("2020-12-31", 3), [1234, 1300, 999], "Aufrufe",
     [USING.format("Datum", "Aufrufe"), UTF8_BOM, "read the dates as day/month/year"]),
    ("newest_first_with_total.csv", {}, _day("2021-01-01", 4), [1200, 1302, 1200, 1234], "Views",
     [USING.format("Date", "Views"), 'dropped the "Total" row (line 2)', "sorted newest-first rows into date order"]),
    ("youtube_export.csv", {"value_column": "Views"}, _day("2021-01-01", 2), [1234, 1234], "Views",
     [USING.format("Date", "Views"), 'dropped the "Total" row (line 2)', "sorted newest-first rows into date order"]),
    ("ambiguous_dayfirst.csv", {}, _day("2021-01-01", 5), [1, 2, 3, 4, 5], "views",
     [USING.format("date", "views"), "read the dates as day/month/year"]),
    ("ambiguous_monthfirst.csv", {}, _day("2021-01-01", 5), [1, 2, 3, 4, 5], "views",
     [USING.format("date", "views"), "read the dates as month/day/year"]),
    ("monthfirst.csv", {}, _day("2020-12-30", 3), [5, 6, 7], "views",
     [USING.format("date", "views"), "read the dates as month/day/year"]),
    ("bom_crlf_tab.csv", {}, _day("2021-01-01", 3), [3, 4, 5], "count", [USING.format("day", "count"), UTF8_BOM]),
    ("blank_lines_and_notes.csv", {}, _day("2021-01-01", 3), [7, 8, 9], "views", [USING.format("date", "views")]),
    ("german_thousands.csv", {}, _day("2020-12-30", 3), [1234, 987, 12345678], "Aufrufe",
     [USING.format("Datum", "Aufrufe"), "read the dates as day/month/year",
      'read dots as thousands separators ("1.234" as 1234), as every dotted value has groups of 3 digits']),
    ("no_final_line_break.csv", {}, _day("2021-01-01", 3), [10, 12, 1], "views",
     [USING.format("date", "views"), 'the last line (line 4: "2021-01-03,1") does not end with a line break; '
      "if the file was cut short, its last value may be incomplete"]),
    ("old_mac_line_breaks.csv", {}, _day("2021-01-01", 2), [10, 12], "views", [USING.format("date", "views")]),
    # Catches a reader that takes the first "# ----" line for a one-column header, or stops at the comment block
    # after the table (Universal Analytics "Day Index" export: M/D/YY dates, quoted "1,203").
    ("google_analytics.csv", {}, _day("2022-09-01", 4), [169, 180, 1203, 97], "Users",
     [USING.format("Day Index", "Users"), "skipped 6 comment lines (starting with #)", MONTH_FIRST_NOTE,
      TWO_DIGIT_YEAR_NOTE]),
    # Catches two-digit years read as 1921/1922 or refused, and a year change (12/31/21 to 1/1/22) misread.
    ("us_short_dates.csv", {}, _day("2021-12-30", 4), [5, 6, 7, 8], "Views",
     [USING.format("Date", "Views"), MONTH_FIRST_NOTE, TWO_DIGIT_YEAR_NOTE]),
    # Catches date-times refused as "no date column", or midnight UTC shifted to another day.
    ("iso_datetime_utc.csv", {}, _day("2022-09-01", 3), [12, 15, 11], "views",
     [USING.format("date", "views"), 'read date-times like "2022-09-01T00:00:00Z" as the dates written, dropping '
      "the time of day (the same on every row) and any time zone"]),
    # Catches "169,96" refused as non-numeric, read as 16996 (comma as thousands), or "1.234,5" read as 1.2345.
    ("semicolon_decimal_commas.csv", {}, _day("2022-09-01", 4), [169.96, 1234.5, 98, 0.25],
     "Wiedergabezeit (Stunden)",
     [USING.format("Datum", "Wiedergabezeit (Stunden)"), DAY_FIRST_NOTE, DECIMAL_COMMAS.format(DOTS_TOO)]),
    # Excel's "Unicode text": catches UTF-16 called binary (its NUL bytes) or decoded as UTF-8, and a non-ASCII
    # header mangled; "1,234" in a tab file has 3 digits after its comma, so it stays 1234.
    ("excel_unicode_text.txt", {}, _day("2022-09-01", 3), [169, 1234, 98], "Visualizações",
     [USING.format("Date", "Visualizações"), UTF16_LE, MONTH_FIRST_NOTE, COMMA_THOUSANDS]),
    # Excel's "CSV UTF-8": catches the byte order mark kept in the first column's name; the value column's name is
    # the header's text, the unit the CLI shows.
    ("excel_csv_utf8.csv", {}, _day("2022-09-01", 3), [12.5, 13.25, 9], "Watch time (hours)",
     [USING.format("Date", "Watch time (hours)"), UTF8_BOM]),
    # Was refused as binary (malformed/utf16.csv): UTF-16 with a byte order mark, commas, one day.
    ("utf16.csv", {}, _day("2021-01-01", 1), [10], "views", [USING.format("date", "views"), UTF16_LE]),
]


@pytest.mark.parametrize(("name", "kwargs", "dates", "values", "column", "notes"), GOOD, ids=[g[0] for g in GOOD])
def test_good_file_reads_to_expected_series(name, kwargs, dates, values, column, notes):
    series = read_series(GOOD_DIR / name, **kwargs)
    expected = pd.Series(np.array(values, dtype="float64"), index=dates.rename("date"), name=column)
    pd.testing.assert_series_equal(series, expected, check_freq=True, check_index_type=True)
    assert series.index.freqstr == "D"
    assert series.attrs["notes"] == notes


def test_good_files_all_have_a_case():
    assert {g[0] for g in GOOD} == {path.name for path in GOOD_DIR.iterdir()}


@pytest.mark.parametrize(("fill", "filled", "note"), [
    ("interpolate", [40, 70, 80, 110, 130], "filled 5 missing days by interpolation"),
    ("zero", [0, 0, 0, 0, 0], "filled 5 missing days with zeros"),
])
def test_fill_gives_the_right_numbers(fill, filled, note):
    series = read_series(MALFORMED_DIR / "missing_days.csv", fill=fill)
    missing = pd.to_datetime(["2021-01-04", "2021-01-07", "2021-01-08", "2021-01-11", "2021-01-13"])
    assert series.index.equals(pd.date_range("2021-01-01", "2021-01-14", freq="D", name="date"))
    assert series.index.freqstr == "D"
    assert series[missing].tolist() == filled
    assert series.drop(missing).tolist() == [10, 20, 30, 50, 60, 90, 100, 120, 140]
    assert series.attrs["notes"][-1] == note


def test_missing_file_and_directory_are_refused(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_series(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a directory"):
        read_series(tmp_path)


def _write(tmp_path, text, name="file.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_line_numbers_count_blank_lines_and_the_header(tmp_path):
    path = _write(tmp_path, "date,views\n\n2021-01-01,1\n\n2021-01-02,x\n")
    with pytest.raises(InputError, match=r'line 5 \("x"\)'):
        read_series(path)


def test_many_bad_values_list_the_first_three_and_count_the_rest(tmp_path):
    rows = [f"2021-01-{d:02d},{d if d <= 6 else f'bad{d}'}" for d in range(1, 12)]
    path = _write(tmp_path, "\n".join(["date,views", *rows]) + "\n")
    with pytest.raises(InputError) as caught:
        read_series(path)
    assert 'line 8 ("bad7"), line 9 ("bad8"), line 10 ("bad9") and 2 more' in str(caught.value)


def test_number_formats(tmp_path):
    path = _write(tmp_path, 'date,views\n2021-01-01,"1,234,567"\n2021-01-02,"1 234"\n2021-01-03,12.5\n'
                            "2021-01-04, 7 \n2021-01-05,1e3\n")
    assert read_series(path).tolist() == [1234567, 1234, 12.5, 7, 1000]


def test_dots_stay_decimal_points_unless_every_dotted_value_groups_thousands(tmp_path):
    path = _write(tmp_path, "date,views\n2021-01-01,1.234\n2021-01-02,2.5\n2021-01-03,3\n")
    series = read_series(path)
    assert series.tolist() == [1.234, 2.5, 3] and not any("thousands" in n for n in series.attrs["notes"])
    assert series.attrs["date_column"] == "date" and series.attrs["value_column"] == "views"


def test_unsorted_rows_are_sorted_with_a_note(tmp_path):
    path = _write(tmp_path, "date,views\n2021-01-02,2\n2021-01-01,1\n2021-01-03,3\n")
    series = read_series(path)
    assert series.tolist() == [1, 2, 3]
    assert series.attrs["notes"][-1] == "sorted the rows into date order"


def test_named_columns_override_detection(tmp_path):
    path = _write(tmp_path, "when,a,b\n2021-01-01,1,10\n2021-01-02,2,20\n")
    series = read_series(path, date_column="when", value_column="b")
    assert series.tolist() == [10, 20]
    assert series.name == "b"


def test_same_column_for_dates_and_values_is_refused(tmp_path):
    path = _write(tmp_path, "date,views\n2021-01-01,1\n")
    with pytest.raises(InputError, match='name the same column'):
        read_series(path, date_column="date", value_column="date")


def test_several_date_columns_need_a_choice(tmp_path):
    path = _write(tmp_path, "start,end,views\n2021-01-01,2021-01-02,1\n2021-01-02,2021-01-03,2\n")
    with pytest.raises(InputError, match='several date columns: "start", "end"; choose one with date_column=NAME'):
        read_series(path)
    assert read_series(path, date_column="end").index[0] == pd.Timestamp("2021-01-02")


def test_built_in_series_round_trips_through_csv(tmp_path):
    series = load_pageviews()
    path = tmp_path / "views.csv"
    series.to_csv(path)
    again = read_series(path)
    pd.testing.assert_series_equal(again, series, check_freq=True)
    assert again.attrs["notes"] == ['using date column "date" and value column "Standard_deviation"']


def test_unbalanced_quote_is_cited_on_one_line_at_its_first_line(tmp_path):
    path = _write(tmp_path, 'date,views\n2021-01-01,"5\n2021-01-02,6\n2021-01-03,7\n2021-01-04,8\n')
    with pytest.raises(InputError) as caught:
        read_series(path)
    message = str(caught.value)
    assert "\n" not in message
    assert 'line 2 ("5\\n2021-01-02,6\\n2021-01-03,7\\n2021-01-0…")' in message  # 40 characters once escaped


def test_long_bad_text_is_cut_short(tmp_path):
    path = _write(tmp_path, "date,views\n2021-01-01,1\n2021-01-02,2\n2021-01-03," + "x" * 500 + "\n")
    with pytest.raises(InputError) as caught:
        read_series(path)
    assert f'line 4 ("{"x" * 40}…")' in str(caught.value)


# Exact one-line refusals: each names the file (or column) and says how to fix it.

def _refusal(path, **kwargs):
    with pytest.raises(InputError) as caught:
        read_series(path, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("name", "kwargs", "expected"), [
    ("not_csv.txt", {},
     '{} has only one column ("This is not a CSV file."); it needs a date column and a value column separated by '
     "commas, semicolons or tabs"),
    ("duplicate_header.csv", {},
     'the header of {} (line 1) names the column "views" more than once; give each column its own name'),
    ("no_header.csv", {},
     'line 1 of {} looks like data ("2021-01-01"), not a header; add a header line such as date,views'),
    ("no_date_column.csv", {},
     '{} has no date column (its columns are "views", "clicks"); add a column with dates like 2021-01-31, or name '
     "it with date_column=NAME"),
    ("no_value_column.csv", {},
     '{} has no numeric column (its columns are "date", "comment", "weekday"); add a column of daily values besides '
     'the date column "date", or name it with value_column=NAME'),
    ("unknown_column.csv", {"value_column": "Clicks"},
     '{} has no column named "Clicks"; its columns are "Date", "Views": choose one with value_column=NAME'),
    ("unknown_column.csv", {"date_column": "Day"},
     '{} has no column named "Day"; its columns are "Date", "Views": choose one with date_column=NAME'),
    ("bad_date.csv", {},
     'column "date" of {} has dates that cannot be read on line 4 ("yesterday") and line 6 ("2021-02-30"); write '
     "dates like 2021-01-31 or 31/01/2021"),
    ("non_numeric.csv", {},
     'column "views" of {} has empty or non-numeric values on line 4 ("n/a"); put a number on those lines, or '
     "delete them and use fill='interpolate'"),
    ("negative.csv", {},
     'column "views" of {} has negative values on line 5 ("-12"); gradstep forecasts counts (views, visits, sales), '
     "which cannot be negative: correct those lines (a series that goes below zero, such as temperatures or "
     "changes, is not one gradstep models)"),
    ("missing_days.csv", {},
     "{} is missing 5 days in 4 gaps (2021-01-04, 2021-01-07..2021-01-08, 2021-01-11 and 1 more); add those rows, "
     "or read it with fill='interpolate' or fill='zero'"),
    ("ambiguous_dates.csv", {},
     'the dates in column "date" of {} read both as day/month/year and as month/day/year, and neither reading '
     "gives consecutive days; write them as year-month-day, like 2021-01-31"),
    ("duplicate_dates.csv", {}, "{} has the date 2021-01-03 more than once, on lines 4 and 5; keep one row per day"),
    ("ragged.csv", {},
     "{} has a different number of fields than its 2-field header on line 4; give every row the same columns"),
])
def test_refusals_word_for_word(name, kwargs, expected):
    path = MALFORMED_DIR / name
    assert _refusal(path, **kwargs) == expected.format(path)


def test_same_column_for_dates_and_values_message_names_both_options():
    path = GOOD_DIR / "iso.csv"
    assert _refusal(path, date_column="views", value_column="views") == (
        f'date_column="views" and value_column="views" name the same column of {path}; name two different columns')


def test_an_unreadable_path_gives_the_system_reason(tmp_path):
    path = _write(tmp_path, "date,views\n") / "inner.csv"  # a file used as a directory
    assert _refusal(path) == f"cannot read {path}: Not a directory; check the path and its permissions"


def test_undecodable_byte_line_counts_a_leading_blank_line(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\ndate,views\n2021-01-01,1\n2021-01-02,caf\xe9\n")
    assert _refusal(path) == (f"{path} is not UTF-8 text (undecodable byte on line 4); save it as a CSV UTF-8 file")


def test_a_line_too_long_is_refused_with_its_number_and_the_limit(tmp_path):
    path = _write(tmp_path, "date,views\n2021-01-01,1\n2021-01-02," + "9" * 200_000 + "\n")
    assert _refusal(path) == (f"line 3 of {path} has 200,011 characters; gradstep reads lines of at most 100,000; "
                              "export only the date and value columns")


def test_a_quoted_field_too_long_for_csv_is_refused_with_the_line(tmp_path):
    """Each line is short enough, but the quoted field spanning them is longer than csv's field limit."""
    path = _write(tmp_path, 'date,views\n2021-01-01,1\n2021-01-02,"' + ("9" * 60_000 + "\n") * 3 + '"\n')
    assert _refusal(path) == (f"{path} is not a readable CSV file (line 5: field larger than field limit (131072)); "
                              "export it as CSV")


def test_many_ragged_lines_list_the_first_three(tmp_path):
    rows = [f"2021-01-{d:02d},{d},extra" for d in range(1, 6)]
    path = _write(tmp_path, "\n".join(["date,views", *rows]) + "\n")
    assert "on lines 2, 3, 4 and 2 more; give every row" in _refusal(path)


def test_quoted_field_after_a_space_keeps_its_comma(tmp_path):
    path = _write(tmp_path, 'date, views\n2021-01-01, "1,234"\n2021-01-02, "2,345"\n')
    assert read_series(path).tolist() == [1234, 2345]


def test_only_the_first_20_lines_choose_the_delimiter(tmp_path):
    """Line 21 has commas and quotes inside a note; the first 20 lines say the file is separated by semicolons."""
    rows = [f"2021-01-{d:02d};note {d};{d}" for d in range(1, 20)] + ['2021-01-20;a,"b",c;20']
    path = _write(tmp_path, "\n".join(["date;note;views", *rows]) + "\n")
    assert read_series(path).tolist() == list(range(1, 21))


def test_quoted_first_fields_show_the_delimiter(tmp_path):
    """Commas and semicolons are both once on every line; the quoted notes starting each row show it is ";"."""
    rows = [f'"note {d}, quoted";2021-01-{d:02d};{d}' for d in range(1, 5)]
    path = _write(tmp_path, "\n".join(["note, free text;date;views", *rows]) + "\n")
    assert read_series(path).tolist() == [1, 2, 3, 4]


def test_only_commas_semicolons_and_tabs_separate_fields(tmp_path):
    """Every line has one X, but a letter is never a separator: the file has one column."""
    path = _write(tmp_path, "date views XL\n2021-01-01 5 XL\n2021-01-02 6 XL\n")
    assert "has only one column" in _refusal(path)


def test_two_total_rows_are_both_dropped_and_counted_out_of_the_column_choice(tmp_path):
    """Half the date cells are Total: they do not count against the date column."""
    path = _write(tmp_path, "date,views\nTotal,30\n2021-01-01,10\n2021-01-02,20\nTotal,30\n")
    series = read_series(path)
    assert series.tolist() == [10, 20]
    assert series.attrs["notes"] == [USING.format("date", "views"), 'dropped the "Total" rows (lines 2 and 5)']


def test_a_last_row_without_a_date_is_the_totals_row_of_an_analytics_export(tmp_path):
    """Universal Analytics ends its export with the totals in a row whose date cell is empty."""
    path = _write(tmp_path, '# Users\nDay Index,Pageviews\n6/1/19,"1,000"\n6/2/19,"2,000"\n6/3/19,"3,000"\n'
                            ',"6,000"\n')
    series = read_series(path)
    assert series.tolist() == [1000, 2000, 3000]
    assert 'dropped the last row (line 6), which has no date: a totals row, as an analytics export ends' in \
        series.attrs["notes"]


def test_one_day_and_its_totals_row_is_one_day(tmp_path):
    assert read_series(_write(tmp_path, "date,views\n2021-01-01,1\n,1\n")).tolist() == [1]


@pytest.mark.parametrize("text, line", [
    ("date,views\n2021-01-01,1\n,2\n2021-01-03,3\n", 3),  # not the last row: no totals row
    ("date,views\n2021-01-01,1\n,2\n,3\n", 3),  # two rows without dates: not one totals row
])
def test_a_row_without_a_date_elsewhere_is_refused(tmp_path, text, line):
    path = _write(tmp_path, text)
    assert f"cannot be read on line {line} (empty)" in _refusal(path)


def test_a_totals_row_alone_is_no_data(tmp_path):
    """Not "no date column": the file has one, and no day in it."""
    path = _write(tmp_path, "date,views\n,2\n")
    words = (f"{path} has a header but no data rows, only one row without a date (an analytics export's totals row); "
             "add one row per day")
    assert _refusal(path) == _refusal(path, date_column="date") == words
    assert "has no date column" in _refusal(_write(tmp_path, "date,views\nmonday,2\n"))  # a cell that is no date


def test_blank_cells_do_not_count_when_choosing_columns(tmp_path):
    """"likes" has one number and blanks: it is numeric, so there are two numeric columns."""
    path = _write(tmp_path, "date,views,likes\n2021-01-01,10,\n2021-01-02,20,\n2021-01-03,30,4\n")
    assert _refusal(path) == (f'{path} has several numeric columns: "views", "likes"; '
                              "choose one with value_column=NAME")


def test_a_named_value_column_is_not_a_date_candidate(tmp_path):
    path = _write(tmp_path, "date,published\n2021-01-01,2020-12-01\n2021-01-02,2020-12-02\n")
    assert _refusal(path, value_column="published") == (
        f'column "published" of {path} holds dates, not numbers, on line 2 ("2020-12-01") and line 3 '
        '("2020-12-02"), and the file has no column of numbers; add a column of daily values')


@pytest.mark.parametrize(("text", "kwargs", "problem", "advice"), [
    ("date,views\n2021-01-01,5\n2021-01-02,6\n", {"value_column": "date"},
     'column "date" of {} holds dates, not numbers, on line 2 ("2021-01-01") and line 3 ("2021-01-02")',
     '; its column of numbers is "views": choose one with value_column=NAME'),
    ("date,note,views,likes\n2021-01-01,a,5,1\n2021-01-02,b,6,2\n", {"value_column": "note"},
     'column "note" of {} holds text, not numbers, on line 2 ("a") and line 3 ("b")',
     '; its columns of numbers are "views", "likes": choose one with value_column=NAME'),
    ("date,note\n2021-01-01,a\n2021-01-02,\n2021-01-03,b\n", {},
     'column "note" of {} holds text, not numbers, on line 2 ("a") and line 4 ("b")',
     ", and the file has no column of numbers; add a column of daily values"),
    # half dates and half words, or some numbers: the wrong cells are cited instead (catches "> 0.5" as ">= 0.5")
    ("date,note,views\n2021-01-01,2020-05-05,5\n2021-01-02,abc,6\n", {"value_column": "note"},
     'column "note" of {} has empty or non-numeric values on line 2 ("2020-05-05") and line 3 ("abc")',
     "; put a number on those lines, or delete them and use fill='interpolate'"),
    # a column without values; the date column named is no column to choose, though its cells are numbers
    ("date,views,note\n20210101,5,\n20210102,6,\n", {"value_column": "note", "date_column": "date"},
     'column "note" of {} has no values, only empty cells',
     '; its column of numbers is "views": choose one with value_column=NAME'),
    ("date,note\n2021-01-01,\n2021-01-02,\n", {"fill": "zero"}, 'column "note" of {} has no values, only empty cells',
     ", and the file has no column of numbers; add a column of daily values"),
    ("date,published\n2021-01-01,2020-12-01\n2021-01-02,2020-12-02\n2021-01-03,7\n", {"value_column": "published"},
     'column "published" of {} has empty or non-numeric values on line 2 ("2020-12-01") and line 3 ("2020-12-02")',
     "; put a number on those lines, or delete them and use fill='interpolate'"),
])
def test_a_value_column_without_numbers_is_named_with_the_columns_that_have_them(tmp_path, text, kwargs, problem,
                                                                                 advice):
    """Catches "put a number on those lines" for a column that holds no numbers at all (the wrong column, not
    a few bad cells), "no date column" when value_column names the date column, and advice to choose a column
    where there is none."""
    path = _write(tmp_path, text)
    assert _refusal(path, **kwargs) == problem.format(path) + advice


def test_a_column_needs_more_than_half_its_cells_to_qualify(tmp_path):
    """"note" has exactly half dates and half numbers: it is neither a date nor a numeric column."""
    path = _write(tmp_path, "date,views,note\n2021-01-01,10,2021-02-01\n2021-01-02,20,2021-03-01\n"
                            "2021-01-03,30,5\n2021-01-04,40,7\n")
    series = read_series(path)
    assert series.tolist() == [10, 20, 30, 40]
    assert series.attrs["notes"] == [USING.format("date", "views")]


def test_an_empty_value_does_not_stop_dots_being_thousands(tmp_path):
    path = _write(tmp_path, "Datum;Aufrufe\n30.12.2020;1.234\n31.12.2020;\n01.01.2021;12.345.678\n")
    assert _refusal(path) == (f'column "Aufrufe" of {path} has empty values on line 3; put a number on those '
                              "lines, or use fill='interpolate' or fill='zero'")
    series = read_series(path, fill="interpolate")
    assert series.tolist() == [1234, (1234 + 12345678) / 2, 12345678]
    assert series.attrs["notes"][1:] == [
        'took the empty cells of column "Aufrufe" (line 3) for missing days', "read the dates as day/month/year",
        'read dots as thousands separators ("1.234" as 1234), as every dotted value has groups of 3 digits',
        "filled 1 missing day by interpolation"]


@pytest.mark.parametrize(("fill", "values"), [("zero", [5, 0, 0, 8]), ("interpolate", [5, 6, 7, 8])])
def test_fill_takes_empty_cells_for_missing_days(tmp_path, fill, values):
    """Catches fill applied only to absent rows (an empty cell is refused), and empty cells dropped without
    being filled (3 days in place of 4). Empty cells first or last are not days between two known ones: the
    series starts at the first day with a value, and a note says so (newest first, the last line is the first
    day). An empty cell on a row whose date cannot be read is refused for its date, not dropped."""
    path = _write(tmp_path, "date,views\n2021-01-06,\n2021-01-05,8\n2021-01-04,\n2021-01-03,\n2021-01-02,5\n"
                            "2021-01-01,\n")
    series = read_series(path, fill=fill)
    assert series.tolist() == values and series.index[0] == pd.Timestamp("2021-01-02")
    assert series.attrs["notes"][1:3] == [
        'took the empty cells of column "views" (lines 4 and 5) for missing days',
        'dropped the rows whose cell of column "views" is empty before the first value or after the last (lines 2 '
        "and 7): there are no days to fill there"]
    assert "has empty values on lines 2, 4, 5 and 1 more" in _refusal(path)
    path = _write(tmp_path, "date,views\n2021-01-01,5\n2021-13-45,\n2021-01-03,6\n")
    assert "has dates that cannot be read on line 3" in _refusal(path, fill=fill)
    series = read_series(_write(tmp_path, "date,views\n2021-01-01,\n2021-01-02,5\n2021-01-03,6\n"), fill=fill)
    assert series.tolist() == [5, 6] and series.attrs["notes"][1].startswith("dropped the rows")  # nothing taken
    path = _write(tmp_path, "date,views\n" + "".join(f"2021-01-0{day},{day % 2 or ''}\n" for day in range(1, 10)))
    assert "has empty values on lines 3, 5, 7 and 1 more;" in _refusal(path)


def test_zero_and_fractional_values_are_not_negative(tmp_path):
    path = _write(tmp_path, "date,views\n2021-01-01,0\n2021-01-02,0.5\n2021-01-03,3\n")
    assert read_series(path).tolist() == [0, 0.5, 3]
    bad = _write(tmp_path, "date,views\n2021-01-01,0\n2021-01-02,0.5\n2021-01-03,-3\n", name="bad.csv")
    assert 'negative values on line 4 ("-3"); gradstep forecasts counts' in _refusal(bad)


@pytest.mark.parametrize(("dates", "repeat"), [
    (["01", "02", "03", "02"], "2021-01-02 more than once, on lines 3 and 5; keep"),
    (["03", "04", "03", "04"], "2021-01-03 more than once, on lines 2 and 4 (1 other date also repeats); keep"),
    (["03", "04", "05", "03", "04", "05"],
     "2021-01-03 more than once, on lines 2 and 5 (2 other dates also repeat); keep"),
    (["07"] * 5, "2021-01-07 more than once, on lines 2, 3, 4 and 2 more; keep"),
])
def test_repeated_dates_name_the_first_and_count_the_others(tmp_path, dates, repeat):
    rows = [f"2021-01-{day},{n}" for n, day in enumerate(dates)]
    path = _write(tmp_path, "\n".join(["date,views", *rows]) + "\n")
    assert _refusal(path) == f"{path} has the date {repeat} one row per day"


def test_a_gap_of_three_days_is_shown_as_a_range(tmp_path):
    path = _write(tmp_path, "date,views\n2021-01-01,1\n2021-01-05,5\n")
    assert "is missing 3 days in 1 gap (2021-01-02..2021-01-04); add" in _refusal(path)


def test_reading_gives_no_warnings(tmp_path):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_series(GOOD_DIR / "newest_first_with_total.csv")
        read_series(MALFORMED_DIR / "missing_days.csv", fill="interpolate")


def test_error_messages_name_the_file_and_column_choice_failures(tmp_path):
    path = _write(tmp_path, "start,end,views\n2021-01-01,2021-01-02,1\n")
    assert _refusal(path) == (f'{path} has several date columns: "start", "end"; choose one with date_column=NAME')


def test_the_series_index_is_named_date(tmp_path):
    path = tmp_path / "views.csv"
    path.write_text("Day,Views\n2021-01-01,5\n2021-01-02,6\n")
    assert read_series(path).index.name == "date"


# Comment lines (issue 11, item 5): lines whose first non-blank character is "#".

def test_comment_lines_after_the_header_are_skipped_before_the_csv_parser_sees_them(tmp_path):
    """Catches skipping only the comments before the header, or skipping rows after csv has parsed them: the
    unbalanced quote in a comment would swallow the next lines, and the indented comment has leading blanks."""
    path = _write(tmp_path, 'date,views\n# exported "by hand\n2021-01-01,1\n   # a note\n2021-01-02,2\n#\n')
    series = read_series(path)
    assert series.tolist() == [1, 2]
    assert series.attrs["notes"] == [USING.format("date", "views"), "skipped 3 comment lines (starting with #)"]


def test_line_numbers_count_comment_lines(tmp_path):
    """Catches a reader that deletes comment lines and then cites the wrong line for a bad value."""
    path = _write(tmp_path, "# one\n# two\ndate,views\n2021-01-01,1\n2021-01-02,x\n")
    assert 'line 5 ("x")' in _refusal(path)


def test_a_hash_that_is_not_first_on_its_line_is_no_comment(tmp_path):
    """Catches skipping every line containing "#": here "#" is part of a note cell."""
    path = _write(tmp_path, "date,note,views\n2021-01-01,ad #1,5\n2021-01-02,,6\n")
    series = read_series(path)
    assert series.tolist() == [5, 6] and not any("comment" in note for note in series.attrs["notes"])


def test_many_comment_lines_do_not_hide_the_delimiter(tmp_path):
    """Catches sniffing the first 20 lines as they are: 25 blanked comment lines would leave it nothing but
    blank lines, and the semicolon file would be read as one column."""
    path = _write(tmp_path, "# note\n" * 25 + "date;views\n2021-01-01;5\n2021-01-02;6\n")
    assert read_series(path).tolist() == [5, 6]


def test_a_file_of_comments_only_is_empty(tmp_path):
    """Catches a comment line taken for the header once the comments before it are gone."""
    path = _write(tmp_path, "# ----\n# All Web Site Data\n")
    assert _refusal(path) == f"{path} is empty (no rows); give a CSV file with a header line and one row per day"


# Decimal commas in files separated by semicolons or tabs; commas stay thousands separators in comma files.

@pytest.mark.parametrize(("cells", "values", "note"), [
    # every comma has 3 digits after it: thousands (a reader always taking commas as decimals gives 1.234)
    (["1,234", "12,345,678", "98"], [1234, 12345678, 98], COMMA_THOUSANDS),
    (["1,234.5", "2,000"], [1234.5, 2000], COMMA_THOUSANDS),
    # one comma without 3 digits after it makes every comma a decimal mark, "1,234" included
    (["1,234", "2,5"], [1.234, 2.5], DECIMAL_COMMAS.format("")),
    (["1.234,5", "1 234,5", "7"], [1234.5, 1234.5, 7], DECIMAL_COMMAS.format(DOTS_TOO)),
    (["0,5", "10"], [0.5, 10], DECIMAL_COMMAS.format("")),
])
@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_commas_in_a_semicolon_or_tab_file_follow_the_three_digit_rule(tmp_path, delimiter, cells, values, note):
    """Catches commas read one way for every file, or cell by cell (1,234 and 2,5 in one column as 1234 and 2.5)."""
    rows = [f"2021-01-{day:02d}{delimiter}{cell}" for day, cell in enumerate(cells, 1)]
    path = _write(tmp_path, "\n".join([f"date{delimiter}views", *rows]) + "\n")
    series = read_series(path)
    assert series.tolist() == values
    assert series.attrs["notes"] == [USING.format("date", "views"), note]


@pytest.mark.parametrize(("delimiter", "values", "note"), [
    (";", [21.826, 1.5, 1.25], DECIMAL_COMMAS.format("").replace(
        "as not every comma has 3 digits after it",
        """as a file separated by semicolons writes them; if "21,826" means 21,826, use decimal='.'""")),
    ("\t", [21826, 1500, 1250], COMMA_THOUSANDS),
])
def test_three_digits_after_every_comma_are_decimals_with_semicolons_and_thousands_with_tabs(tmp_path, delimiter,
                                                                                            values, note):
    """A European spreadsheet's semicolon file writes decimal commas (a rain gauge's "21,826" mm); an analytics
    export separated by tabs writes thousands. Catches the one rule for both, which reads one of them 1000 times
    too large or too small, and a note that does not say how to read it the other way."""
    rows = [f"2021-01-0{day}{delimiter}{cell}" for day, cell in enumerate(["21,826", "1,500", "1,250"], 1)]
    series = read_series(_write(tmp_path, "\n".join([f"date{delimiter}views", *rows]) + "\n"))
    assert series.tolist() == values
    assert series.attrs["notes"] == [USING.format("date", "views"), note]


@pytest.mark.parametrize(("decimal", "values", "note"), [
    (",", [1.234, 0.5], DECIMAL_COMMAS.format("").replace("not every comma has 3 digits after it",
                                                          "decimal=',' says")),
    (".", [1234, 500], 'read commas as thousands separators ("1,234" as 1234), as decimal=\'.\' says'),
])
def test_decimal_overrides_the_guess(tmp_path, decimal, values, note):
    """Catches decimal= ignored: the tab file's guess (thousands) and the semicolon file's (decimals) differ from
    what it asks for; in a column of percentages too, and when choosing the value column (a column of "1,5" is
    numeric only with decimal=',')."""
    for delimiter in (";", "\t"):
        path = _write(tmp_path, f"date{delimiter}views\n2021-01-01{delimiter}1,234\n2021-01-02{delimiter}0,500\n")
        series = read_series(path, decimal=decimal)
        assert series.tolist() == values and series.attrs["notes"] == [USING.format("date", "views"), note]
        path = _write(tmp_path, f"date{delimiter}CTR\n2021-01-01{delimiter}1,234 %\n2021-01-02{delimiter}0,500%\n")
        assert read_series(path, decimal=decimal).tolist() == values
    path = _write(tmp_path, "date;share;views\n2021-01-01;1,5;10\n2021-01-02;2,5;20\n")
    if decimal == ".":
        assert read_series(path, decimal=decimal).tolist() == [10, 20]
    else:
        assert "several numeric columns" in _refusal(path, decimal=decimal)


def test_a_comma_file_s_column_of_decimal_commas_is_not_numeric_when_choosing_columns(tmp_path):
    """Catches the column choice reading cells without the file's delimiter: a quoted "1,5" in a comma file is
    not a number, so "views" is the only numeric column."""
    path = _write(tmp_path, 'date,share,views\n2021-01-01,"1,5",10\n2021-01-02,"2,5",20\n')
    assert read_series(path).tolist() == [10, 20]


def test_a_decimal_point_file_with_decimal_point_has_no_note(tmp_path):
    series = read_series(_write(tmp_path, "date,views\n2021-01-01,1.5\n2021-01-02,2.000\n"), decimal=".")
    assert series.tolist() == [1.5, 2.0] and series.attrs["notes"] == [USING.format("date", "views")]


def test_a_decimal_point_beside_commas_in_a_semicolon_file_makes_the_commas_thousands(tmp_path):
    """ "999.5" can only be read with a decimal point, so "1,234" holds a thousands separator (as before this
    release's semicolon rule). Catches the semicolon rule refusing "999.5" as no number."""
    series = read_series(_write(tmp_path, "date;views\n2021-01-01;1,234\n2021-01-02;999.5\n2021-01-03;0.12345\n"))
    assert series.tolist() == [1234, 999.5, 0.12345] and series.attrs["notes"][1] == COMMA_THOUSANDS
    assert read_series(_write(tmp_path, "date;views\n2021-01-01;1,234\n2021-01-02;999.123\n")).tolist() == [
        1.234, 999123]  # a dot before 3 digits may be a thousands separator: no proof


def test_decimal_comma_says_nothing_of_a_file_without_commas_or_dots(tmp_path):
    series = read_series(_write(tmp_path, "date,views\n2021-01-01,5\n2021-01-02,6\n"), decimal=",")
    assert series.tolist() == [5, 6] and series.attrs["notes"] == [USING.format("date", "views")]
    series = read_series(_write(tmp_path, "date,views\n2021-01-01,1.234\n2021-01-02,6\n"), decimal=",")
    assert series.tolist() == [1234, 6] and series.attrs["notes"][1] == DECIMAL_COMMAS.format(DOTS_TOO).replace(
        "not every comma has 3 digits after it", "decimal=',' says")


def test_an_unnamed_column_of_row_numbers_is_ignored(tmp_path):
    """pandas' to_csv of a frame with its default index: an unnamed column 0, 1, 2, … (or 1, 2, 3, …), which is
    no value column. Catches "several numeric columns", and an unnamed column of other numbers ignored too."""
    for first in (0, 1):
        rows = "".join(f"{first + row},2021-01-0{row + 1},{row * 10}\n" for row in range(3))
        series = read_series(_write(tmp_path, ",date,views\n" + rows))
        assert series.tolist() == [0, 10, 20]
        assert series.attrs["notes"][1] == ("ignored column 1, which has no name and numbers the rows (as pandas' "
                                            "to_csv and R's write.csv write them)")
    assert "several numeric columns" in _refusal(_write(tmp_path, ",date,views\n5,2021-01-01,1\n7,2021-01-02,2\n"))
    series = read_series(_write(tmp_path, ",date\n0,2021-01-01\n1,2021-01-02\n"), value_column="Unnamed: 0")
    assert series.tolist() == [0, 1]  # named, it is read


def test_decimal_must_be_a_comma_or_a_dot(tmp_path):
    with pytest.raises(InputError, match="^decimal=\";\" is not a choice; use decimal=',' or decimal='.'$"):
        read_series(_write(tmp_path, "date,views\n2021-01-01,1\n"), decimal=";")


@pytest.mark.parametrize("header", [",views", "date,", '"",views'])
def test_a_blank_header_name_is_called_unnamed_as_pandas_does(tmp_path, header):
    """pandas' to_csv of an unnamed index and R's write.csv leave the first header field blank. Catches the blank
    name kept (a spec refuses an empty column name), and the note numbering the column from 0."""
    date, value = (name or f"Unnamed: {index}" for index, name in enumerate(header.replace('"', "").split(",")))
    series = read_series(_write(tmp_path, f"{header}\n2021-01-01,5\n2021-01-02,6\n"))
    assert series.tolist() == [5, 6] and series.attrs["date_column"] == date and series.attrs["value_column"] == value
    blank = [f'the header has no name for column {index + 1}: called it "Unnamed: {index}", as pandas does'
             for index, name in enumerate((date, value)) if name.startswith("Unnamed")]
    assert series.attrs["notes"] == [USING.format(date, value), *blank]
    assert read_series(_write(tmp_path, f"{header}\n2021-01-01,7\n"), date_column=date, value_column=value).tolist() \
        == [7]


@pytest.mark.parametrize(("text", "values", "notes"), [
    # Search Console's CTR column: every value ends in "%"
    ("date,CTR\n2021-01-01,4.2%\n2021-01-02,10%\n", [4.2, 10.0], ['read values like "4.2%" in percent, as "4.2"']),
    ("date;CTR\n2021-01-01;4,2 %\n2021-01-02;3,5 %\n", [4.2, 3.5],
     ['read values like "4,2 %" in percent, as "4,2"; ' + DECIMAL_COMMAS.format("")]),
])
def test_a_column_of_percentages_is_read_in_percent(tmp_path, text, values, notes):
    series = read_series(_write(tmp_path, text))
    assert series.tolist() == values and series.attrs["notes"] == [USING.format("date", "CTR"), *notes]


def test_a_percent_sign_on_some_values_only_is_refused_on_those_lines(tmp_path):
    """Catches a reader that drops "%" wherever it appears (4.0% and 0.035 are not on one scale), and one that
    strips it more than once ("4.2%%" is not a percentage)."""
    path = _write(tmp_path, "date,CTR\n2021-01-01,4.0%\n2021-01-02,0.035\n2021-01-03,\n")
    assert _refusal(path) == (f'column "CTR" of {path} has values in percent on line 2 ("4.0%") but not on line 3 '
                              '("0.035"); write every value with a % sign, or none')
    path = _write(tmp_path, "date,CTR\n2021-01-01,4.2%%\n2021-01-02,3%%\n")
    assert 'non-numeric values on line 2 ("4.2%%") and line 3 ("3%%")' in _refusal(path)


def test_a_percent_column_keeps_the_file_s_number_rules(tmp_path):
    """An empty cell does not make a column of percentages plain (it is refused on its own line), and a comma in
    a comma-separated file is no decimal mark in percent either. Catches the empty cell counted as a value
    without "%", and the percentages read without the file's delimiter."""
    path = _write(tmp_path, "date,CTR\n2021-01-01,4.2%\n2021-01-02,\n2021-01-03,10%\n")
    assert 'has empty values on line 3;' in _refusal(path)
    assert 'non-numeric values on line 2 ("4,2%")' in _refusal(_write(tmp_path, 'date,CTR\n2021-01-01,"4,2%"\n'))


def test_a_comma_file_never_reads_commas_as_decimal_marks(tmp_path):
    """Catches decimal commas applied to every file: in a comma-separated file "1,234" is 1234 and "169,96" is
    not a number, with advice to say decimal=',' (not to put a number there), which reads both as decimals; a
    cell that is no number beside it gets the general advice."""
    path = _write(tmp_path, 'date,views\n2021-01-01,"1,234"\n2021-01-02,"169,96"\n')
    assert _refusal(path) == (f'column "views" of {path} has numbers with a decimal comma on line 3 ("169,96"), '
                              "which were not read as numbers; if the file's commas are decimal marks, use "
                              "decimal=','")
    assert read_series(path, decimal=",").tolist() == [1.234, 169.96]
    path = _write(tmp_path, 'date,views\n2021-01-01,"1,234"\n2021-01-02,"169,96"\n2021-01-03,"1,5x"\n')
    assert 'non-numeric values on line 3 ("169,96") and line 4 ("1,5x"); put a number' in _refusal(path)
    path = _write(tmp_path, 'date,views\n2021-01-01,"169,96"\n')
    assert 'non-numeric values on line 2 ("169,96"); put a number' in _refusal(path, decimal=".")  # as told


def test_decimal_commas_count_when_choosing_the_value_column(tmp_path):
    """Catches a column chooser that parses numbers the comma-file way: it would find no numeric column."""
    path = _write(tmp_path, "Datum;Notiz;Stunden\n01.09.2022;Urlaub;1,5\n02.09.2022;;2,25\n")
    series = read_series(path)
    assert series.name == "Stunden" and series.tolist() == [1.5, 2.25]


@pytest.mark.parametrize(("cell", "problem"), [
    ("-1,5", 'negative values on line 3 ("-1,5")'),
    ("1,2,3", 'non-numeric values on line 3 ("1,2,3")'),
    ("2.5", 'non-numeric values on line 3 ("2.5")'),  # a dot among decimal commas groups thousands, or nothing
])
def test_bad_cells_among_decimal_commas_are_cited(tmp_path, cell, problem):
    """Catches a decimal-comma reader that drops or guesses at cells it cannot read."""
    path = _write(tmp_path, f"date;views\n2021-01-01;0,5\n2021-01-02;{cell}\n")
    assert problem in _refusal(path)


# Encodings: a byte order mark decides, before any check for NUL bytes.

@pytest.mark.parametrize(("codec", "encoding"), [("utf-16-le", "UTF-16 little-endian"),
                                                  ("utf-16-be", "UTF-16 big-endian")])
def test_utf16_with_a_byte_order_mark_is_read_in_either_byte_order(tmp_path, codec, encoding):
    """Catches a reader that decodes one byte order only, or calls the NUL bytes of UTF-16 binary."""
    path = tmp_path / "views.txt"
    path.write_bytes(("\ufeffDate\tAufrufe für März\r\n2022-09-01\t1,5\r\n2022-09-02\t2\r\n").encode(codec))
    series = read_series(path)
    assert series.name == "Aufrufe für März" and series.tolist() == [1.5, 2]
    assert series.attrs["notes"] == [USING.format("Date", "Aufrufe für März"),
                                     f"read the file as {encoding}, as its byte order mark says",
                                     DECIMAL_COMMAS.format("")]


def test_the_value_columns_name_is_the_headers_text(tmp_path):
    """The CLI shows series.name as the unit: catches a name stripped of its unit, lower-cased or renamed."""
    series = read_series(GOOD_DIR / "youtube_export.csv", value_column="Watch time (hours)")
    assert series.name == "Watch time (hours)" and series.attrs["value_column"] == "Watch time (hours)"
    assert series.tolist() == [50.3, 50.2]


def test_values_beyond_float64_are_inf_whether_or_not_pandas_reads_them(monkeypatch):
    """pandas 3 reads "1e400" as inf, pandas 2 as NaN; either way the value is inf (refused as too large), while
    a cell that is no number stays NaN."""
    from gradstep.data.csvfile import _to_numbers
    texts = pd.Series(["1e400", "9" * 400, "-1e400", "1,234", "x", "1e4oo", "12"])
    expected = [np.inf, np.inf, -np.inf, 1234.0, np.nan, np.nan, 12.0]
    np.testing.assert_array_equal(_to_numbers(texts).to_numpy(), expected)
    original = pd.to_numeric

    def like_pandas_2(cells, errors):
        numbers = original(cells, errors=errors)
        return numbers.where(np.isfinite(numbers) | cells.str.contains("inf", case=False))
    monkeypatch.setattr(pd, "to_numeric", like_pandas_2)
    np.testing.assert_array_equal(_to_numbers(texts).to_numpy(), expected)
