"""The built-in data: daily views of English Wikipedia pages, 2017-01-01 to 2024-11-08 (see PAGEVIEWS.md)."""

from functools import lru_cache
from importlib import resources

import pandas as pd

from gradstep.data._words import show
from gradstep.errors import InputError

DEFAULT_PAGE = "Standard_deviation"
_FILE = "pageviews.csv.gz"
_PREFIX = "wiki_"


@lru_cache(maxsize=1)
def _frame() -> pd.DataFrame:
    """Parse the packaged file once: one float64 column per page, a daily index named "date"."""
    with resources.files(__package__).joinpath(_FILE).open("rb") as file:
        frame = pd.read_csv(file, compression="gzip", index_col="date", parse_dates=["date"])
    frame.columns = frame.columns.str.removeprefix(_PREFIX)
    return frame.astype("float64").asfreq("D")


def list_pages() -> list[str]:
    """Return the built-in page names (without the "wiki_" prefix) in file order; "all" is all of English Wikipedia."""
    return list(_frame().columns)


def load_pageviews(page: str = DEFAULT_PAGE) -> pd.Series:
    """Return a copy of one page's daily views: float64, named after the page, daily index "date" with freq "D"."""
    frame = _frame()
    if page not in frame.columns:
        raise InputError(f"unknown page {show(page)}; the built-in pages are {', '.join(frame.columns)}; "
                         "pick one of them")
    return frame[page].copy()
