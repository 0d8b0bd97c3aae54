"""Fisher's Iris data, embedded in the package (no scikit-learn needed)."""
from __future__ import annotations

import os
from typing import Tuple, Union

import numpy as np

from ._base import Bunch

__all__ = ["load_iris"]

_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iris.csv")

FEATURE_NAMES = [
    "sepal length (cm)",
    "sepal width (cm)",
    "petal length (cm)",
    "petal width (cm)",
]
TARGET_NAMES = np.array(["setosa", "versicolor", "virginica"])

DESCR = """Iris plants dataset (R. A. Fisher, 1936; UCI Machine Learning Repository).

150 samples, 50 of each of 3 classes (setosa, versicolor, virginica), 4 numeric
features in cm: sepal length, sepal width, petal length, petal width. The values
are those of scikit-learn's ``load_iris`` (which follows Fisher's paper).
"""


def load_iris(
    return_X_y: bool = False,
) -> Union[Bunch, Tuple[np.ndarray, np.ndarray]]:
    """Load the Iris data, like ``sklearn.datasets.load_iris``.

    Returns a :class:`Bunch` with ``data`` (150x4 float64), ``target`` (150 int64,
    0/1/2), ``feature_names``, ``target_names`` and ``DESCR``; or ``(data, target)``
    when ``return_X_y`` is true.

    >>> iris = load_iris()
    >>> iris.data.shape, iris.data[0].tolist(), str(iris.target_names[iris.target[-1]])
    ((150, 4), [5.1, 3.5, 1.4, 0.2], 'virginica')
    """
    table = np.loadtxt(_CSV, delimiter=",", comments="#", skiprows=2, dtype=np.float64)
    data = np.ascontiguousarray(table[:, :4])
    target = table[:, 4].astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        feature_names=list(FEATURE_NAMES),
        target_names=TARGET_NAMES.copy(),
        DESCR=DESCR,
        filename="iris.csv",
    )
