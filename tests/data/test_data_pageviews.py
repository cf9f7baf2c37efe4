from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from gradstep.data import list_pages, load_pageviews
from gradstep.errors import InputError

SHARED = Path("/work/shared/data/wikipedia_daily_pageviews_2017_2024.csv")


def test_standard_deviation_is_2869_daily_values():
    series = load_pageviews()
    assert series.name == "Standard_deviation"
    assert len(series) == 2869
    assert series.index[0] == pd.Timestamp("2017-01-01")
    assert series.index[-1] == pd.Timestamp("2024-11-08")
    assert series.index.name == "date"
    assert series.index.freqstr == "D"
    assert series.dtype == "float64"


@pytest.mark.skipif(not SHARED.exists(), reason="the shared copy of the data is not on this machine")
@pytest.mark.parametrize("page", ["Standard_deviation", "all"])
def test_equals_the_shared_csv_column(page):
    shared = pd.read_csv(SHARED, index_col="date", parse_dates=["date"])[f"wiki_{page}"]
    series = load_pageviews(page)
    assert series.index.equals(shared.index)
    assert (series.to_numpy() == shared.to_numpy()).all()


def test_list_pages_strips_the_prefix_in_file_order():
    pages = list_pages()
    assert len(pages) == 21
    assert pages[0] == "United_States"
    assert pages[-1] == "all"
    assert "Standard_deviation" in pages
    assert not any(page.startswith("wiki_") for page in pages)


def test_unknown_page_lists_the_pages():
    with pytest.raises(InputError) as caught:
        load_pageviews("Nope")
    message = str(caught.value)
    assert message.startswith('unknown page "Nope"')
    assert "Standard_deviation" in message and "Cleopatra" in message
    assert "\n" not in message


def test_returns_a_copy_of_the_cached_data():
    series = load_pageviews()
    series.iloc[0] = -1.0
    assert load_pageviews().iloc[0] == 3299.0


def test_packaged_file_is_a_deterministic_gzip():
    data = resources.files("gradstep.data").joinpath("pageviews.csv.gz").read_bytes()
    assert data[:2] == b"\x1f\x8b"
    assert data[4:8] == b"\0\0\0\0"  # the gzip header's mtime


def test_unknown_page_message_word_for_word():
    with pytest.raises(InputError) as caught:
        load_pageviews("Nope")
    assert str(caught.value) == (f'unknown page "Nope"; the built-in pages are {", ".join(list_pages())}; '
                                 "pick one of them")
