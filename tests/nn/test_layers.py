"""The layers on their own: Linear's shape check and initialisation, Dropout, and their functional forms."""

import numpy as np
import pytest

import gradstep as gs
from gradstep import Tensor, nn
from gradstep.nn import functional


def test_linear_layer_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"weight of shape \(1, 7\).*input of shape \(3, 5\)"):
        nn.linear_model(7)(Tensor(np.ones((3, 5))))


def test_linear_draws_weight_then_bias_uniform_in_one_over_root_in_features():
    layer = nn.Linear(4, 3, dtype=np.float64, rng=np.random.default_rng(0))
    draws = np.random.default_rng(0)
    np.testing.assert_array_equal(layer.weight.data, draws.uniform(-0.5, 0.5, (3, 4)))
    np.testing.assert_array_equal(layer.bias.data, draws.uniform(-0.5, 0.5, 3))
    wide = nn.Linear(100, 50, dtype=np.float64, rng=np.random.default_rng(1))
    for values in (wide.weight.data, wide.bias.data):
        assert np.all(np.abs(values) <= 0.1) and values.min() < -0.08 and values.max() > 0.08


def test_linear_with_one_input_draws_in_plus_minus_one():
    layer = nn.Linear(1, 200, dtype=np.float64, rng=np.random.default_rng(2))
    for values in (layer.weight.data, layer.bias.data):
        assert np.all(np.abs(values) <= 1.0) and values.min() < -0.9 and values.max() > 0.9


def test_linear_without_inputs_has_a_zero_bias_and_outputs_it():
    layer = nn.Linear(0, 3, dtype=np.float64, rng=np.random.default_rng(3))
    assert layer.weight.shape == (3, 0)
    np.testing.assert_array_equal(layer.bias.data, np.zeros(3))
    x = Tensor(np.ones((5, 0)), dtype=np.float64)
    np.testing.assert_array_equal(layer(x).data, np.zeros((5, 3)))
    np.testing.assert_array_equal(nn.Sequential(layer)(x).data, np.zeros((5, 3)))  # the fused node too
    np.testing.assert_array_equal(functional.linear(x, layer.weight, layer.bias + 1.0).data, np.ones((5, 3)))


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False, rng=np.random.default_rng(4))
    assert layer.bias is None and [name for name, _ in layer.named_parameters()] == ["weight"]


@pytest.mark.parametrize("shape", [(4,), (2, 3, 4)])
@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh"])
def test_functional_linear_on_one_and_three_dimensional_inputs(shape, activation):
    rng = np.random.default_rng(5)
    x = Tensor(rng.normal(size=shape), requires_grad=True, dtype=np.float64)
    weight = Tensor(rng.normal(size=(3, 4)), requires_grad=True, dtype=np.float64)
    bias = Tensor(rng.normal(size=3), requires_grad=True, dtype=np.float64)
    out = functional.linear(x, weight, bias, activation)
    assert out.shape == shape[:-1] + (3,)
    z = x @ weight.T + bias
    expected = z if activation is None else z._activation(activation)
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-12)
    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    fused = [x.grad, weight.grad, bias.grad]
    for tensor in (x, weight, bias):
        tensor.grad = None
    expected.backward(upstream)
    for got, want in zip(fused, (x.grad, weight.grad, bias.grad)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_functional_linear_without_bias_and_without_gradients():
    x, weight = Tensor([[1.0, 2.0]], dtype=np.float64), Tensor([[3.0, -1.0]], dtype=np.float64)
    out = functional.linear(x, weight)
    np.testing.assert_array_equal(out.data, [[1.0]])
    assert not out.requires_grad
    weight.requires_grad = True
    functional.linear(x, weight).backward(np.array([[2.0]]))
    np.testing.assert_array_equal(weight.grad, [[2.0, 4.0]])


def test_dropout_probability_is_checked_and_defaults_to_a_half():
    assert nn.Dropout().p == 0.5
    assert nn.Dropout(0).p == 0 and nn.Dropout(1).p == 1
    for p in (-0.1, 1.5, 2):
        with pytest.raises(ValueError, match=rf"^dropout probability must be between 0 and 1, got {p}$"):
            nn.Dropout(p)


def test_dropout_edges_keep_or_zero_everything():
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True, dtype=np.float64)
    rng = np.random.default_rng(6)
    state = rng.bit_generator.state
    assert functional.dropout(x, 0.0, rng) is x
    zeros = functional.dropout(x, 1.0, rng)
    assert rng.bit_generator.state == state  # neither edge draws
    np.testing.assert_array_equal(zeros.data, np.zeros((2, 3)))
    zeros.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, np.zeros((2, 3)))


def test_dropout_keeps_a_value_whose_draw_equals_p():
    draws = np.random.default_rng(7).random(6)
    p = float(np.sort(draws)[2])  # a draw exactly p is kept (drop when u < p: probability exactly p)
    x = Tensor(np.ones(6), dtype=np.float64)
    out = functional.dropout(x, p, np.random.default_rng(7))
    np.testing.assert_array_equal(out.data, np.where(draws >= p, 1.0 / (1.0 - p), 0.0))
    assert np.count_nonzero(out.data) == 4


def test_dropout_module_uses_its_generator_or_the_default_one_and_is_off_in_eval():
    x = Tensor(np.ones((4, 5)), dtype=np.float64)
    expected = (np.random.default_rng(8).random((4, 5)) >= 0.3) / 0.7
    np.testing.assert_allclose(nn.Dropout(0.3, rng=np.random.default_rng(8))(x).data, expected, rtol=1e-15)
    gs.manual_seed(8)
    np.testing.assert_allclose(nn.Dropout(0.3)(x).data, expected, rtol=1e-15)
    assert nn.Dropout(0.3).eval()(x) is x


def test_layer_reprs_as_torch():
    assert repr(nn.Linear(2, 3)) == "Linear(in_features=2, out_features=3, bias=True)"
    assert repr(nn.Linear(4, 1, bias=False)) == "Linear(in_features=4, out_features=1, bias=False)"
    assert repr(nn.ReLU()) == "ReLU()" and repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"


def test_linear_with_no_input_features_takes_any_batch_shape():
    from gradstep.nn import functional
    weight, bias = Tensor(np.ones((3, 0))), Tensor(np.arange(3.0))
    for shape in [(0,), (2, 0), (2, 4, 0)]:
        out = functional.linear(Tensor(np.ones(shape)), weight, bias)
        assert out.shape == shape[:-1] + (3,) and np.all(out.data == np.arange(3.0))
