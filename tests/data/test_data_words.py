"""src/gradstep/data/_words.py: the wording of the data layer's one-line errors and notes."""

import json

import pandas as pd
import pytest

from gradstep.data._words import count, filename, lines, listing, quoted, show, span


@pytest.mark.parametrize("n, words", [(0, "0 days"), (1, "1 day"), (2, "2 days"), (45, "45 days")])
def test_count_is_plural_unless_one(n, words):
    assert count(n, "day") == words


def test_span_is_inclusive_iso_dates():
    assert span(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-14 13:45")) == "2021-01-01..2021-02-14"


@pytest.mark.parametrize("text, shown", [
    ("views", '"views"'),
    (56, '"56"'),
    ('say "hi"', '"say \\"hi\\""'),
    ("two\nlines", '"two\\nlines"'),
    ("Aufrufe für März", '"Aufrufe für März"'),
    ("x" * 40, '"' + "x" * 40 + '"'),
    ("x" * 39 + "yz", '"' + "x" * 39 + 'y…"'),
])
def test_show_quotes_escapes_and_cuts_at_40_characters(text, shown):
    assert show(text) == shown


@pytest.mark.parametrize("text, shown", [
    ("\x1b[31mred", '"\\u001b[31mred"'),  # ESC starts terminal commands
    ("\x9b2J", '"\\u009b2J"'),  # a C1 control, which JSON leaves raw
    ("a\u2028b\x85c", '"a\\u2028b\\u0085c"'),  # line breaks to some terminals and editors
    ("\u202egnp.exe", '"\\u202egnp.exe"'),  # right-to-left override
    ("\x01" * 41, '"' + "\\u0001" * 6 + '…"'),  # 40 characters once escaped, not 40 escapes
])
def test_show_escapes_every_character_a_terminal_would_not_print_as_itself(text, shown):
    assert show(text) == shown
    assert shown.isprintable()


def test_show_stays_on_one_line_and_reads_back_as_the_cut_text():
    """\r and \n take two characters each once escaped, so 38 characters of text fill the 40."""
    text = "first line\r\nsecond line, long enough to be cut somewhere after forty"
    shown = show(text)
    assert "\n" not in shown and "\r" not in shown
    assert json.loads(shown) == text[:38] + "…"


def test_quoted_lists_names_each_shown():
    assert quoted(["date", 7, "a\nb"]) == '"date", "7", "a\\nb"'
    assert quoted([]) == ""


def test_quoted_shows_at_most_limit_names_and_counts_the_rest():
    assert quoted(["a", "b", "c", "d", "e"]) == '"a", "b", "c" and 2 more'
    assert quoted(range(1000), limit=2) == '"0", "1" and 998 more'


@pytest.mark.parametrize("items, words", [
    (["a"], "a"),
    (["a", "b"], "a and b"),
    (["a", "b", "c"], "a, b and c"),
    (list("abcde"), "a, b, c, d and e"),
    (list("abcdef"), "a, b, c, d, e and 1 more"),
    (list("abcdefgh"), "a, b, c, d, e and 3 more"),
    ([], ""),
])
def test_listing_shows_at_most_limit_items_and_counts_the_rest(items, words):
    assert listing(items, 5) == words


@pytest.mark.parametrize("numbers, words", [
    ([4], "line 4"),
    ([4, 9], "lines 4 and 9"),
    ([4, 9, 12], "lines 4, 9 and 12"),
    (list(range(1, 9)), "lines 1, 2, 3, 4, 5 and 3 more"),
    (pd.Index([3, 7]), "lines 3 and 7"),
])
def test_lines(numbers, words):
    assert lines(numbers) == words


def test_lines_limit():
    assert lines([4, 9, 12], limit=2) == "lines 4, 9 and 1 more"


@pytest.mark.parametrize("path, shown", [
    ("/data/views.csv", "/data/views.csv"),
    ("C:\\data\\my \"views\".csv", "C:\\data\\my \"views\".csv"),  # printable characters stay as they are
    ("/tmp/a\nb\x1b.csv", "/tmp/a\\nb\\u001b.csv"),
    ("/" + "x" * 150 + ".csv", "…" + "x" * 95 + ".csv"),
])
def test_filename_escapes_unprintable_characters_and_keeps_the_last_100(path, shown):
    assert filename(path) == shown
