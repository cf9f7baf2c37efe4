"""The layers on their own: Linear's shape check."""

import numpy as np
import pytest

from gradstep import Tensor, nn


def test_linear_layer_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"weight of shape \(1, 7\).*input of shape \(3, 5\)"):
        nn.linear_model(7)(Tensor(np.ones((3, 5))))
