"""gradstep's data layer: the built-in page views, users' CSV files, the lecture's windows, splits and batches."""

from gradstep.data.csvfile import read_series
from gradstep.data.pageviews import list_pages, load_pageviews
from gradstep.data.splits import LECTURE_TEST, LECTURE_TRAIN, Split, minimum_rows, split_windows
from gradstep.data.standardizer import Standardizer
from gradstep.data.windows import Windows, make_windows

__all__ = [
    "LECTURE_TEST",
    "LECTURE_TRAIN",
    "Split",
    "Standardizer",
    "Windows",
    "list_pages",
    "load_pageviews",
    "make_windows",
    "minimum_rows",
    "read_series",
    "split_windows",
]


def __getattr__(name: str):
    """The batch helpers moved to ``gradstep.training`` in 0.2; their old names here still work."""
    if name in ("iterate_batches", "resolve_batch_size", "updates_per_epoch"):
        from gradstep import training
        return getattr(training, name)
    raise AttributeError(f"module 'gradstep.data' has no attribute {name!r}")
