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
    return torch
