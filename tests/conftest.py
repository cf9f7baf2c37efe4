import os

import pytest


@pytest.fixture(scope="session")
def torch():
    """PyTorch CPU, the reference; in CI (CI=true) its absence fails the suite instead of skipping."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("torch is not installed but CI=true: the PyTorch comparisons must run in CI "
                        "(pip install -e '.[test]' installs torch==2.13.0)")
        pytest.skip("torch is not installed")
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)  # a reference needs no speed, and a process forked later (mutmut) cannot hang on its pool
    return torch


def pytest_make_parametrize_id(config, val, argname):
    """Plain ASCII ids (letters, digits, _ . + -), so every test can be selected by its node id on a command
    line (mutmut does so); values that make none are numbered by pytest as usual."""
    import re
    if isinstance(val, str):
        text = val
    elif isinstance(val, (int, float, bool, type(None), tuple, list, dict)):
        text = repr(val)
    else:  # functions, classes, objects: their name, never a repr with a memory address
        text = getattr(val, "__name__", type(val).__name__)
    text = re.sub(r"[^A-Za-z0-9_.+-]+", "_", text).strip("_")[:40]
    return text or None
