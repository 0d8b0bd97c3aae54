"""The 8x8 handwritten digits (scikit-learn's ``load_digits``), embedded in the package."""
from __future__ import annotations

import os
from typing import Tuple, Union

import numpy as np

from ._base import Bunch

__all__ = ["load_digits"]

_NPZ = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.npz")

DESCR = """Optical recognition of handwritten digits (UCI Machine Learning Repository),
the test part as scikit-learn ships it: 1797 images of 8x8 pixels, each pixel an
integer 0..16 (a count of on-pixels in a 4x4 block of the 32x32 original), about
180 images per digit 0-9.
"""


def load_digits(
    n_class: int = 10, return_X_y: bool = False
) -> Union[Bunch, Tuple[np.ndarray, np.ndarray]]:
    """Load the 8x8 digits, like ``sklearn.datasets.load_digits``.

    Returns a :class:`Bunch` with ``images`` (N x 8 x 8 float64, values 0..16),
    ``data`` (N x 64, the images flattened), ``target`` (N int64), ``target_names``
    (0..n_class-1), ``feature_names`` (``pixel_R_C``) and ``DESCR``. Only digits
    below ``n_class`` are kept (N = 1797 for 10 classes).

    >>> digits = load_digits()
    >>> digits.images.shape, digits.data.shape, int(digits.data.max())
    ((1797, 8, 8), (1797, 64), 16)
    """
    if not 1 <= n_class <= 10:
        raise ValueError(f"n_class must be between 1 and 10, got {n_class}")
    with np.load(_NPZ, allow_pickle=False) as z:
        images = z["images"].astype(np.float64)
        target = z["target"].astype(np.int64)
    if n_class < 10:
        keep = target < n_class
        images, target = images[keep], target[keep]
    data = images.reshape(len(images), 64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=images,
        target_names=np.arange(n_class),
        feature_names=[f"pixel_{r}_{c}" for r in range(8) for c in range(8)],
        DESCR=DESCR,
    )
