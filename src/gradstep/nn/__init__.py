"""Layers, containers and the chapter's model builders (PyTorch's names and conventions)."""

from . import functional
from .container import Ensemble, Sequential
from .layers import Dropout, HardSigmoid, Identity, Linear, ReLU, Sigmoid, Tanh
from .models import lag_model, linear_model, relu_network, sigmoid_network
from .module import Module, Parameter

__all__ = [
    "Dropout", "Ensemble", "HardSigmoid", "Identity", "Linear", "Module", "Parameter", "ReLU", "Sequential",
    "Sigmoid", "Tanh", "functional", "lag_model", "linear_model", "relu_network", "sigmoid_network",
]
