import numpy as np
import pandas as pd
import pytest
from corpus import GOOD_DIR, MALFORMED, MALFORMED_DIR

from gradstep.data import Standardizer, load_pageviews, make_windows, read_series, split_windows
from gradstep.errors import InputError

USING = 'using date column "{}" and value column "{}"'


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
     [USING.format("Datum", "Aufrufe"), "read the dates as day/month/year"]),
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
    ("bom_crlf_tab.csv", {}, _day("2021-01-01", 3), [3, 4, 5], "count", [USING.format("day", "count")]),
    ("blank_lines_and_notes.csv", {}, _day("2021-01-01", 3), [7, 8, 9], "views", [USING.format("date", "views")]),
    ("german_thousands.csv", {}, _day("2020-12-30", 3), [1234, 987, 12345678], "Aufrufe",
     [USING.format("Datum", "Aufrufe"), "read the dates as day/month/year",
      'read dots as thousands separators ("1.234" as 1234), as every dotted value has groups of 3 digits']),
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
    assert 'line 2 ("5\\n2021-01-02,6\\n2021-01-03,7\\n2021-01-04,8")' in message


def test_long_bad_text_is_cut_short(tmp_path):
    path = _write(tmp_path, "date,views\n2021-01-01,1\n2021-01-02,2\n2021-01-03," + "x" * 500 + "\n")
    with pytest.raises(InputError) as caught:
        read_series(path)
    assert f'line 4 ("{"x" * 40}…")' in str(caught.value)
