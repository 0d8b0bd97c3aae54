"""Iris data for the examples: standardized features, the even/odd split of the tutorials."""
from __future__ import annotations

from typing import Tuple

import numpy as np

from numtorch.datasets import load_iris

FEATURES = ("sepal length", "sepal width", "petal length", "petal width")


def iris_split() -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_test, y_test)``: odd rows train, even rows test.

    x is float32 (n, 4) in cm; y is the species, int64 0/1/2.
    """
    iris = load_iris()
    x = iris.data.astype(np.float32)
    y = iris.target.astype(np.int64)
    return x[1::2], y[1::2], x[0::2], y[0::2]


def standardizer(x_train: np.ndarray):
    """A function scaling columns to zero mean, unit variance (statistics from ``x_train``)."""
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    return lambda x: ((x - mean) / std).astype(np.float32)
