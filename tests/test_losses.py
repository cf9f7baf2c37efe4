"""The losses on their own: values by hand and against PyTorch, gradients for prediction and target."""

import numpy as np
import pytest

from gradstep import Tensor, losses
from gradstep.gradcheck import gradcheck

# e = y − ŷ = [−0.5, 0, 4, −1.1]: a target of 0.1 is not exact in float32, so it also checks the target's dtype.
Y = [[1.0], [2.0], [5.0], [-1.0]]
TARGET = np.array([[1.5], [2.0], [1.0], [0.1]])
BY_HAND = {
    "mae": (0.5 + 0 + 4 + 1.1) / 4,
    "mse": (0.25 + 0 + 16 + 1.21) / 4,
    "huber": (0.125 + 0 + (4 - 0.5) + (1.1 - 0.5)) / 4,  # ½e² inside δ = 1, δ(|e| − ½δ) outside
    "huber_delta_2": (0.125 + 0 + 2 * (4 - 1) + 0.5 * 1.21) / 4,
}
CASES = {
    "mae": (losses.mae, losses.MAELoss()),
    "mse": (losses.mse, losses.MSELoss()),
    "huber": (losses.huber, losses.HuberLoss()),
    "huber_delta_2": (lambda y, t: losses.huber(y, t, delta=2.0), losses.HuberLoss(delta=2.0)),
}


def torch_loss(torch, name, delta):
    return torch.nn.HuberLoss(delta=delta) if name == "huber" else {"mae": torch.nn.L1Loss, "mse": torch.nn.MSELoss}[name]()


def ours(name, delta):
    return (lambda y, t: losses.huber(y, t, delta)) if name == "huber" else losses.LOSSES[name]


@pytest.mark.parametrize("name", BY_HAND)
def test_values_by_hand_as_functions_and_modules(name):
    function, module = CASES[name]
    y = Tensor(Y, dtype=np.float64)
    for loss in (function, module):
        value = loss(y, TARGET)
        assert value.shape == () and value.dtype == np.float64
        assert value.item() == pytest.approx(BY_HAND[name], rel=1e-14)


@pytest.mark.parametrize("name, delta", [("mae", None), ("mse", None), ("huber", 1.0), ("huber", 0.3), ("huber", 5.0)])
def test_values_and_gradients_for_prediction_and_target_match_pytorch(torch, name, delta):
    rng = np.random.default_rng(0)
    y_np, t_np = rng.normal(size=(7, 2)) * 2, rng.normal(size=(7, 2))
    y, t = Tensor(y_np, requires_grad=True, dtype=np.float64), Tensor(t_np, requires_grad=True, dtype=np.float64)
    loss = ours(name, delta)(y, t)
    (loss * 2.5).backward()  # an upstream gradient other than 1 reaches both sides scaled
    ty, tt = torch.tensor(y_np, requires_grad=True), torch.tensor(t_np, requires_grad=True)
    t_loss = torch_loss(torch, name, delta)(ty, tt)
    (t_loss * 2.5).backward()
    assert loss.item() == pytest.approx(t_loss.item(), rel=1e-13)
    np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-13, atol=1e-16)


def test_huber_default_delta_is_pytorchs_1(torch):
    y_np, t_np = np.array([[0.2], [3.0], [-1.7]]), np.zeros((3, 1))
    expected = torch.nn.HuberLoss()(torch.tensor(y_np), torch.tensor(t_np)).item()
    assert losses.huber(Tensor(y_np, dtype=np.float64), t_np).item() == pytest.approx(expected, rel=1e-15)
    assert losses.HuberLoss().delta == 1.0 and repr(losses.HuberLoss(0.25)) == "HuberLoss(delta=0.25)"


@pytest.mark.parametrize("name", ["mae", "mse", "huber"])
def test_gradients_against_finite_differences(name):
    rng = np.random.default_rng(0)
    prediction = Tensor(rng.normal(size=(6, 1)) * 2, requires_grad=True, dtype=np.float64)
    target = Tensor(rng.normal(size=(6, 1)), requires_grad=True, dtype=np.float64)
    gradcheck(losses.LOSSES[name], [prediction, target])


@pytest.mark.parametrize("name", ["mae", "mse", "huber"])
def test_only_the_side_that_requires_a_gradient_gets_one(name):
    loss = losses.LOSSES[name]
    y_np, t_np = np.array([[1.0], [-2.0], [0.5]]), np.array([[0.0], [1.0], [3.0]])
    both_y, both_t = Tensor(y_np, requires_grad=True, dtype=np.float64), Tensor(t_np, requires_grad=True, dtype=np.float64)
    loss(both_y, both_t).backward()
    np.testing.assert_array_equal(both_t.grad, -both_y.grad)
    assert np.all(both_y.grad != 0)
    y, t = Tensor(y_np, dtype=np.float64), Tensor(t_np, requires_grad=True, dtype=np.float64)
    loss(y, t).backward()
    assert y.grad is None
    np.testing.assert_array_equal(t.grad, both_t.grad)
    y = Tensor(y_np, requires_grad=True, dtype=np.float64)
    loss(y, t_np).backward()
    np.testing.assert_array_equal(y.grad, both_y.grad)


def test_huber_at_the_boundary_abs_e_equal_delta(torch):
    # e = ±δ exactly (0.5 is exact in binary): both pieces give ½δ², and the slope is ±δ/N on either side.
    y_np, t_np = np.array([[2.0], [-1.5], [0.0]]), np.array([[1.5], [-1.0], [0.0]])
    y = Tensor(y_np, requires_grad=True, dtype=np.float64)
    loss = losses.huber(y, t_np, delta=0.5)
    loss.backward()
    assert loss.item() == (0.125 + 0.125 + 0) / 3
    np.testing.assert_array_equal(y.grad, [[0.5 / 3], [-0.5 / 3], [0.0]])
    ty = torch.tensor(y_np, requires_grad=True)
    t_loss = torch.nn.HuberLoss(delta=0.5)(ty, torch.tensor(t_np))
    t_loss.backward()
    assert loss.item() == t_loss.item()
    np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize("name", ["mae", "mse", "huber"])
def test_the_loss_has_the_predictions_dtype(name):
    y = Tensor([[1.0], [2.5]], requires_grad=True)  # float32
    for target in (np.array([[0.1], [0.2]]), Tensor([[0.1], [0.2]], dtype=np.float64)):
        y.grad = None
        value = losses.LOSSES[name](y, target)
        assert value.dtype == np.float32
        value.backward()
        assert y.grad.dtype == np.float32


def test_a_float64_target_is_rounded_to_a_float32_prediction_before_subtracting():
    # float32 training stays float32: e = y − float32(ŷ), so ŷ = 0.1 counts as float32(0.1), squared in float32.
    value = losses.mse(Tensor([[0.0]]), np.array([[0.1]]))
    assert value.item() == float(np.float32(0.1) * np.float32(0.1)) != float(np.float32(0.1 ** 2))


@pytest.mark.parametrize("name", ["mae", "mse", "huber"])
def test_a_shape_mismatch_is_refused_instead_of_broadcast(name):
    with pytest.raises(ValueError) as error:
        losses.LOSSES[name](Tensor(np.zeros((4, 1))), np.zeros(4))
    assert str(error.value) == ("the prediction has shape (4, 1) but the target has shape (4,); give both the "
                                "same shape (e.g. (N, 1)) so no broadcasting mixes rows")
    with pytest.raises(ValueError, match=r"^the prediction has shape \(3,\) but the target has shape \(3, 1\);"):
        losses.LOSSES[name](Tensor(np.zeros(3)), Tensor(np.zeros((3, 1))))


def test_the_registry_maps_the_cli_names_to_the_functions():
    assert losses.LOSSES == {"mae": losses.mae, "mse": losses.mse, "huber": losses.huber}


def test_huber_with_an_infinite_delta_is_half_the_mse_and_abs_e_equal_delta_takes_the_linear_piece(torch):
    # |e| = δ = ∞ is the one boundary where the pieces differ (½∞² = ∞, ∞(∞ − ½∞) = nan): |e| < δ is strict, as PyTorch's
    for y_np in (np.array([[3.0], [-2.0]]), np.array([[np.inf], [3.0]])):
        y = Tensor(y_np, requires_grad=True, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            loss = losses.huber(y, np.zeros((2, 1)), delta=np.inf)
        loss.backward()
        ty = torch.tensor(y_np, requires_grad=True)
        t_loss = torch.nn.HuberLoss(delta=float("inf"))(ty, torch.zeros(2, 1, dtype=torch.float64))
        t_loss.backward()
        np.testing.assert_array_equal(loss.data, t_loss.detach().numpy())
        np.testing.assert_array_equal(y.grad, ty.grad.numpy())
    assert np.isnan(loss.item())
