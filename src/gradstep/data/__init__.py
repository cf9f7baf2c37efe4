"""gradstep's data layer: the built-in page views, users' CSV files, the lecture's windows, splits and batches."""

from gradstep.data.batches import iterate_batches, resolve_batch_size, updates_per_epoch
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
    "iterate_batches",
    "list_pages",
    "load_pageviews",
    "make_windows",
    "minimum_rows",
    "read_series",
    "resolve_batch_size",
    "split_windows",
    "updates_per_epoch",
]
