"""Tensors over NumPy arrays with reverse-mode automatic differentiation.

A tensor made by an operation remembers its parents and a backward function that maps
g = ∂L/∂out to ∂L/∂parent for each parent (the chain rule for that one operation).
``Tensor.backward()`` visits the graph in reverse topological order without recursion (so a
chain of any length works): every recorded tensor carries a sequence number, larger than its
parents', and a heap hands out the newest tensor holding a gradient, as PyTorch's engine does, so
a tensor is processed only once every path into it has contributed. Gradients land in ``.grad``
of the leaves (tensors made with ``requires_grad=True``) as NumPy arrays; like PyTorch, they
accumulate in place: a second ``backward()`` adds to ``.grad`` until it is zeroed
(``optimizer.zero_grad()``).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from heapq import heappop, heappush

import numpy as np

class _GradMode(threading.local):
    """Whether operations record a graph, per thread (as PyTorch's grad mode): ``no_grad()`` in one thread, say a
    model predicting, leaves another thread's training recording."""

    enabled = True


_grad_mode = _GradMode()
_sequence = itertools.count(1)

DEFAULT_DTYPE = np.dtype(np.float32)


@contextlib.contextmanager
def no_grad():
    """Within this block (or a function it decorates) operations record no graph."""
    previous = _grad_mode.enabled
    _grad_mode.enabled = False
    try:
        yield
    finally:
        _grad_mode.enabled = previous


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread)."""
    return _grad_mode.enabled


def _float_dtype(dtype) -> np.dtype:
    dtype = DEFAULT_DTYPE if dtype is None else np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"gradstep tensors hold floating-point numbers; got dtype {dtype}")
    return dtype


def op(data: np.ndarray, parents: tuple, backward) -> "Tensor":
    """A tensor computed from ``parents``; ``backward(g)`` returns ∂L/∂parent for each parent.

    This is how every differentiable operation is defined: the backward function gets the
    gradient of the output and returns a tuple aligned with ``parents`` (None where a parent
    needs no gradient). The graph is recorded only when a parent requires a gradient.
    """
    out = Tensor.__new__(Tensor)
    out.data = data
    out.grad = None
    out._pending = None
    if _grad_mode.enabled:
        for parent in parents:
            if parent.requires_grad:
                out.requires_grad = True
                out._parents = parents
                out._backward = backward
                out._seq = next(_sequence)
                return out
    out.requires_grad = False
    out._parents = ()
    out._backward = None
    out._seq = 0
    return out


def _accumulate(leaf: "Tensor", g: np.ndarray, handed_to_leaves: set) -> None:
    """leaf.grad += g, in place when the leaf owns its gradient array.

    A backward function may pass the same array to several parents, so an array first given to a
    leaf in this pass (its id is in ``handed_to_leaves``) may still be on its way elsewhere: it is
    copied if it is a view, read-only or already given to another leaf, and it is added to out of
    place. Arrays a leaf owns (from an earlier pass, or made by that addition) are added to in place.
    """
    if g.dtype != leaf.data.dtype:
        g = g.astype(leaf.data.dtype)
    if leaf.grad is None:
        if g.base is not None or not g.flags.writeable or id(g) in handed_to_leaves:
            g = g.copy()
        handed_to_leaves.add(id(g))
        leaf.grad = g
    elif id(leaf.grad) in handed_to_leaves:
        leaf.grad = leaf.grad + g
    else:
        leaf.grad += g


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum g over the axes that broadcasting stretched, so it takes ``shape`` again."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for arrays; matrices go to np.dot, which calls BLAS gemm with less overhead than @
    and stays fast for an inner dimension of 1: (1400×1)@(1×1000) takes 0.23 ms with np.dot,
    0.37 ms by broadcasting and 1.6 ms with @ (NumPy 2.4, OpenBLAS 0.3.31)."""
    if a.ndim == 2 and b.ndim == 2:
        return np.dot(a, b)
    return a @ b


# ----- activations: f(z) into a given array, and g·f′(z) from the output y = f(z) ---------------

def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """max(0, z)."""
    return np.maximum(z, 0, out=out)


def relu_backward(y: np.ndarray, g: np.ndarray) -> np.ndarray:
    """g where y > 0, else 0."""
    return g * (y > 0)


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(z) = 1 / (1 + e^−z); e^−z may overflow to ∞, giving σ = 0 exactly."""
    out = np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def sigmoid_backward(y: np.ndarray, g: np.ndarray) -> np.ndarray:
    """g·σ′(z) = g·y·(1 − y)."""
    slope = 1 - y
    slope *= y
    slope *= g
    return slope


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(z)."""
    return np.tanh(z, out=out)


def tanh_backward(y: np.ndarray, g: np.ndarray) -> np.ndarray:
    """g·tanh′(z) = g·(1 − y²)."""
    slope = y * y
    np.subtract(1, slope, out=slope)
    slope *= g
    return slope


ACTIVATIONS = {"relu": (relu, relu_backward), "sigmoid": (sigmoid, sigmoid_backward), "tanh": (tanh, tanh_backward)}


def _constant(value, dtype) -> "Tensor":
    """Wrap a number or array taking part in an operation as a tensor needing no gradient."""
    if isinstance(value, Tensor):
        return value
    return op(np.asarray(value, dtype=dtype), (), None)


def _is_basic_index(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


def _shape_error(name: str, a: "Tensor", b: "Tensor") -> ValueError:
    return ValueError(f"cannot {name} tensors of shapes {a.shape} and {b.shape}")


class Tensor:
    """An n-dimensional array (float32 unless ``dtype`` says otherwise) that can carry a gradient."""

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_pending", "_seq")
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        self.data = np.array(data, dtype=_float_dtype(dtype))
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self._backward = None
        self._pending = None
        self._seq = 0

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, separator=', ')}, dtype={self.dtype}{grad})"

    def numpy(self) -> np.ndarray:
        """The underlying NumPy array (shared, not copied)."""
        return self.data

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        return self.data.item()

    def detach(self) -> "Tensor":
        """The same values, cut from the graph."""
        return op(self.data, (), None)

    # ----- backpropagation -------------------------------------------------------------

    def backward(self, grad=None) -> None:
        """Add ∂self/∂leaf (times ``grad``) to ``.grad`` of every leaf that requires a gradient.

        For a scalar the seed is 1; a non-scalar needs ``grad`` of its own shape. Gradients
        accumulate across calls, as in PyTorch: zero them between steps.
        """
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: "
                               "create the leaves with requires_grad=True")
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() on a non-scalar tensor of shape {self.shape} needs a "
                                 "gradient argument of that shape; or reduce it first with .sum() or .mean()")
            grad = np.array(1, self.data.dtype).reshape(self.data.shape)
        else:
            grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward() got a gradient of shape {grad.shape} for a tensor of shape {self.shape}")
        if self._backward is None:
            _accumulate(self, grad, set())
            return
        handed_to_leaves = set()
        self._pending = grad
        heap = [(-self._seq, self)]
        while heap:
            node = heappop(heap)[1]
            g = node._pending
            node._pending = None
            for parent, parent_grad in zip(node._parents, node._backward(g)):
                if parent_grad is None or not parent.requires_grad:
                    continue
                if parent._backward is None:
                    _accumulate(parent, parent_grad, handed_to_leaves)
                elif parent._pending is None:
                    parent._pending = parent_grad
                    heappush(heap, (-parent._seq, parent))
                else:
                    parent._pending = parent._pending + parent_grad

    # ----- arithmetic ------------------------------------------------------------------

    def __add__(self, other) -> "Tensor":
        """a + b; ∂/∂a = g, ∂/∂b = g (summed over broadcast axes)."""
        a, b = self, _constant(other, self.dtype)
        try:
            data = a.data + b.data
        except ValueError:
            raise _shape_error("add", a, b) from None

        def backward(g):
            return (unbroadcast(g, a.shape) if a.requires_grad else None,
                    unbroadcast(g, b.shape) if b.requires_grad else None)
        return op(data, (a, b), backward)

    def __radd__(self, other) -> "Tensor":
        return self + other

    def __sub__(self, other) -> "Tensor":
        """a − b; ∂/∂a = g, ∂/∂b = −g."""
        a, b = self, _constant(other, self.dtype)
        try:
            data = a.data - b.data
        except ValueError:
            raise _shape_error("subtract", a, b) from None

        def backward(g):
            return (unbroadcast(g, a.shape) if a.requires_grad else None,
                    unbroadcast(-g, b.shape) if b.requires_grad else None)
        return op(data, (a, b), backward)

    def __rsub__(self, other) -> "Tensor":
        return _constant(other, self.dtype) - self

    def __mul__(self, other) -> "Tensor":
        """a · b; ∂/∂a = g·b, ∂/∂b = g·a."""
        if isinstance(other, (int, float)):
            return self._scale(other)
        a, b = self, _constant(other, self.dtype)
        try:
            data = a.data * b.data
        except ValueError:
            raise _shape_error("multiply", a, b) from None

        def backward(g):
            return (unbroadcast(g * b.data, a.shape) if a.requires_grad else None,
                    unbroadcast(g * a.data, b.shape) if b.requires_grad else None)
        return op(data, (a, b), backward)

    def __rmul__(self, other) -> "Tensor":
        return self * other

    def _scale(self, k: float) -> "Tensor":
        """k · a for a Python number k; ∂/∂a = k·g."""
        k = float(k)
        return op(self.data * k, (self,), lambda g: (g * k,))

    def __truediv__(self, other) -> "Tensor":
        """a / b; ∂/∂a = g/b, ∂/∂b = −g·a/b²."""
        if isinstance(other, (int, float)) and other != 0:
            return self._scale(1.0 / other)
        a, b = self, _constant(other, self.dtype)
        try:
            data = a.data / b.data
        except ValueError:
            raise _shape_error("divide", a, b) from None

        def backward(g):
            g_over_b = g / b.data
            return (unbroadcast(g_over_b, a.shape) if a.requires_grad else None,
                    unbroadcast(-g_over_b * data, b.shape) if b.requires_grad else None)
        return op(data, (a, b), backward)

    def __rtruediv__(self, other) -> "Tensor":
        return _constant(other, self.dtype) / self

    def __neg__(self) -> "Tensor":
        """−a; ∂/∂a = −g."""
        return op(-self.data, (self,), lambda g: (-g,))

    def __pow__(self, exponent) -> "Tensor":
        """a ** p for a number p; ∂/∂a = g·p·a^(p−1)."""
        if not isinstance(exponent, (int, float)):
            raise TypeError(f"the exponent must be a number, got {type(exponent).__name__}")
        exponent = exponent if isinstance(exponent, int) else float(exponent)
        a = self
        data = a.data ** exponent
        if exponent == 0:
            return op(data, (a,), lambda g: (np.zeros_like(g),))
        return op(data, (a,), lambda g: (g * exponent * a.data ** (exponent - 1),))

    def __matmul__(self, other) -> "Tensor":
        """a @ b; ∂/∂a = g @ bᵀ, ∂/∂b = aᵀ @ g (vectors are promoted to matrices and back).

        When b is itself computed — the Wᵀ of y = x Wᵀ + b — ∂/∂b is formed as (gᵀ a)ᵀ, the same
        numbers: the transpose node then hands W the product gᵀ a in W's own layout, exactly what
        the fused linear node (nn.functional.linear) computes.
        """
        a, b = self, _constant(other, self.dtype)
        try:
            data = matmul(a.data, b.data)
        except ValueError:
            raise _shape_error("matrix-multiply", a, b) from None

        def backward(g):
            a2 = a.data if a.ndim > 1 else a.data[None, :]
            b2 = b.data if b.ndim > 1 else b.data[:, None]
            g2 = g[..., None] if b.ndim == 1 else g
            if a.ndim == 1:
                g2 = np.expand_dims(g2, -2)
            ga = gb = None
            if a.requires_grad:
                ga = unbroadcast(matmul(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
            if b.requires_grad and b._backward is not None and a2.ndim == b2.ndim == g2.ndim == 2:
                gb = matmul(g2.T, a2).T
            elif b.requires_grad:
                gb = unbroadcast(matmul(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
            return ga, gb
        return op(data, (a, b), backward)

    def __rmatmul__(self, other) -> "Tensor":
        return _constant(other, self.dtype) @ self

    # ----- reductions and shapes --------------------------------------------------------

    def sum(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Σ over ``axis`` (all by default); ∂/∂a = g spread back over the summed axes."""
        shape = self.shape
        data = np.asarray(self.data.sum(axis=axis, keepdims=keepdims))

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, shape),)
        return op(data, (self,), backward)

    def mean(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Σ/n over ``axis`` (all by default); ∂/∂a = g/n spread back over the axes."""
        total = self.sum(axis=axis, keepdims=keepdims)
        count = self.data.size // max(total.data.size, 1)
        return total / count

    def reshape(self, *shape) -> "Tensor":
        """The same values in a new shape; ∂/∂a = g in the old shape."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        old = self.shape
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {old} into shape {shape}") from None
        return op(data, (self,), lambda g: (g.reshape(old),))

    def transpose(self, *axes) -> "Tensor":
        """Axes permuted (reversed by default); ∂/∂a = g with the inverse permutation."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = axes or tuple(reversed(range(self.ndim)))
        inverse = tuple(np.argsort(axes))
        return op(self.data.transpose(axes), (self,), lambda g: (g.transpose(inverse),))

    @property
    def T(self) -> "Tensor":
        return self.transpose()

    def __getitem__(self, index) -> "Tensor":
        """Indexing and slicing; ∂/∂a scatters g back (adding where an index repeats)."""
        if isinstance(index, Tensor):
            index = index.data.astype(np.intp)
        a = self
        data = a.data[index]
        basic = _is_basic_index(index)

        def backward(g):
            full = np.zeros_like(a.data)
            if basic:
                full[index] = g
            else:
                np.add.at(full, index, g)
            return (full,)
        return op(data, (a,), backward)

    # ----- elementwise functions ----------------------------------------------------------

    def abs(self) -> "Tensor":
        """|a|; ∂/∂a = g·sign(a)."""
        a = self
        return op(np.abs(a.data), (a,), lambda g: (g * np.sign(a.data),))

    def exp(self) -> "Tensor":
        """e^a; ∂/∂a = g·e^a."""
        data = np.exp(self.data)
        return op(data, (self,), lambda g: (g * data,))

    def log(self) -> "Tensor":
        """ln a; ∂/∂a = g/a."""
        a = self
        return op(np.log(a.data), (a,), lambda g: (g / a.data,))

    def maximum(self, other) -> "Tensor":
        """max(a, b) elementwise; g goes to the larger, half to each on a tie (as PyTorch)."""
        a, b = self, _constant(other, self.dtype)
        try:
            data = np.maximum(a.data, b.data)
        except ValueError:
            raise _shape_error("take the maximum of", a, b) from None

        def backward(g):
            share = np.where(a.data == b.data, g.dtype.type(0.5), (a.data > b.data).astype(g.dtype))
            return (unbroadcast(g * share, a.shape) if a.requires_grad else None,
                    unbroadcast(g * (1 - share), b.shape) if b.requires_grad else None)
        return op(data, (a, b), backward)

    def clip(self, low=None, high=None) -> "Tensor":
        """min(max(a, low), high); ∂/∂a = g where low ≤ a ≤ high, else 0 (as torch.clamp)."""
        a = self
        low, high = (None if bound is None else float(bound) for bound in (low, high))
        data = np.clip(a.data, low, high)

        def backward(g):
            inside = np.ones(a.shape, dtype=bool)
            if low is not None:
                inside &= a.data >= low
            if high is not None:
                inside &= a.data <= high
            return (g * inside,)
        return op(data, (a,), backward)

    def relu(self) -> "Tensor":
        """max(0, a); ∂/∂a = g where a > 0."""
        return self._activation("relu")

    def hard_sigmoid(self) -> "Tensor":
        """clip(a, 0, 1) = relu(a) − relu(a − 1): 0, then a straight ramp, then 1."""
        return self.clip(0, 1)

    def sigmoid(self) -> "Tensor":
        """σ(a) = 1 / (1 + e^−a); ∂/∂a = g·σ(a)·(1 − σ(a))."""
        return self._activation("sigmoid")

    def tanh(self) -> "Tensor":
        """tanh(a); ∂/∂a = g·(1 − tanh²(a))."""
        return self._activation("tanh")

    def _activation(self, name: str) -> "Tensor":
        """f(a) for an activation of ``ACTIVATIONS``; ∂/∂a = g·f′(a), computed from the output."""
        forward, backward = ACTIVATIONS[name]
        data = forward(self.data)
        return op(data, (self,), lambda g: (backward(data, g),))
