"""Input files the data layer must refuse (malformed/) or read (good/), shared with CLI-level tests.

Each MALFORMED entry is (file name in malformed/, substrings the one-line message must contain,
read_series keyword arguments, make_windows keyword arguments). The messages are the library's, in
Python's words (days=7, test=('2021-01-16', '2021-01-30')); the CLI tests expect the same words in flags
(--days 7, --test 2021-01-16:2021-01-30), through cli.in_flags. An empty window dict means the file is refused
while it is read, before any --days matters; entries with {"days": N} are refused later, by make_windows or the
split (too short) or by the standardizer (constant values), so they need the whole pipeline.
"""

from pathlib import Path

HERE = Path(__file__).parent
MALFORMED_DIR = HERE / "malformed"
GOOD_DIR = HERE / "good"

MALFORMED = [
    ("duplicate_dates.csv", ["duplicate_dates.csv", "2021-01-03", "more than once", "lines 4 and 5"], {}, {}),
    ("missing_days.csv", ["missing 5 days in 4 gaps", "2021-01-04, 2021-01-07..2021-01-08, 2021-01-11 and 1 more",
                          "fill='interpolate'", "fill='zero'"], {}, {}),
    ("missing_days.csv", ['fill="mean" is not a choice', "fill='interpolate'", "fill='zero'"], {"fill": "mean"}, {}),
    ("non_numeric.csv", ["non-numeric", 'line 4 ("n/a")', 'column "views"'], {}, {}),
    ("empty_value.csv", ["has empty values on line 3;", "fill='zero'", 'column "views"'], {}, {}),
    ("negative.csv", ["negative", 'line 5 ("-12")'], {}, {}),
    ("empty.csv", ["empty.csv is empty"], {}, {}),
    ("blank.csv", ["blank.csv is empty"], {}, {}),
    ("header_only.csv", ["header but no data rows"], {}, {}),
    ("total_only.csv", ["header but no data rows", "Total"], {}, {}),
    ("totals_row_only.csv", ["header but no data rows, only one row without a date", "totals row"], {}, {}),
    ("bad_date.csv", ["dates that cannot be read", 'line 4 ("yesterday")', 'line 6 ("2021-02-30")', "2021-01-31"],
     {}, {}),
    ("ambiguous_dates.csv", ["day/month/year", "month/day/year", "neither", "consecutive", "like 2021-01-31"], {}, {}),
    ("binary.bin", ["binary.bin is a binary file", "CSV"], {}, {}),
    ("latin1.csv", ["not UTF-8", "line 3"], {}, {}),
    ("not_csv.txt", ["only one column", "commas, semicolons or tabs"], {}, {}),
    ("ragged.csv", ["different number of fields", "2-field header", "line 4"], {}, {}),
    ("no_header.csv", ["line 1", "looks like data", '("2021-01-01")', "add a header line"], {}, {}),
    ("duplicate_header.csv", ['"views" more than once'], {}, {}),
    ("no_date_column.csv", ["no date column", '"views", "clicks"', "date_column=NAME"], {}, {}),
    ("no_value_column.csv", ["no numeric column", '"date", "comment", "weekday"', "value_column=NAME"], {}, {}),
    ("two_value_columns.csv", ["several numeric columns", '"Views", "Watch time (hours)"', "value_column=NAME"],
     {}, {}),
    ("unknown_column.csv", ['no column named "Clicks"', '"Date", "Views"'], {"value_column": "Clicks"}, {}),
    ("unknown_column.csv", ['no column named "Day"', '"Date", "Views"'], {"date_column": "Day"}, {}),
    # The fixes name the dates of the file's last 15 days (2021-01-16..2021-01-30), not "fewer days".
    ("too_short.csv", ["the data has 30 days", "days=7 with a 45-day test part needs at least 60 days",
                       "(7 history days + 8 training days + 45 test days)",
                       "; keep days=7 with test=('2021-01-16', '2021-01-30'), the last 15 days or fewer, "
                       "or use a longer file"],
     {}, {"days": 7}),
    ("too_short.csv", ["the data has 30 days; days=56 needs at least 57 (56 history days + 1 day to predict), and 158 "
                       "with the default 45-day test part (56 history days + 57 training days + 45 test days)",
                       "; use days=7 with test=('2021-01-16', '2021-01-30'), the last 15 days or fewer, "
                       "or use a longer file"],
     {}, {"days": 56}),
    ("constant.csv", ["constant", "all 500"], {}, {"days": 7}),
    ("year_9999.csv", ["dates outside 1677-09-22..2262-04-11", 'line 4 ("9999-12-31")'], {}, {}),
    ("huge_values.csv", ["too large to compute with", 'line 3 ("1e297")', "scale the column down"], {}, {}),
    ("excel_serial_dates.csv", ["no date column", "dates like 2021-01-31"], {}, {}),
    ("gzipped.csv.gz", ["gzipped.csv.gz is compressed with gzip", "gunzip"], {}, {}),
    ("hourly.csv", ['"2022-09-01T00:00:00Z" and "2022-09-01T01:00:00Z"', "needs one value per day",
                    "add up each day's values into one row per day"], {}, {}),
    ("ambiguous_two_digit_years.csv", ["day/month/year", "month/day/year", "neither", "like 2021-01-31"], {}, {}),
]
