"""gradstep's version, as installed."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gradstep")
except PackageNotFoundError:
    __version__ = "0.0.0+unknown"
