"""Layers, containers and the chapter's model builders (PyTorch's names and conventions)."""

from . import functional
from .container import Sequential
from .layers import Dropout, HardSigmoid, Identity, Linear, ReLU, Sigmoid, Tanh
from .models import linear_model, relu_network, sigmoid_network
from .module import Module, Parameter

__all__ = [
    "Dropout", "HardSigmoid", "Identity", "Linear", "Module", "Parameter", "ReLU", "Sequential",
    "Sigmoid", "Tanh", "functional", "linear_model", "relu_network", "sigmoid_network",
]
