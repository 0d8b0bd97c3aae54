"""Small datasets for examples and tests, in NumPy (no scikit-learn, no torchvision).

- :func:`load_iris`: Fisher's Iris data (150 x 4), embedded.
- :func:`load_digits`: scikit-learn's 8x8 handwritten digits (1797 images), embedded.
- :class:`MNIST`, :class:`FashionMNIST`: torchvision-style datasets read from the
  standard IDX files in ``root/MNIST/raw`` (``download=True`` fetches them).
- :func:`read_idx`: read one IDX file (gzip'd or plain), with clear errors.
- :func:`mnist_or_digits`: real MNIST if present, else the digits (for examples).
- :func:`make_xor`: the noisy continuous XOR problem.

>>> from numtorch.datasets import load_iris
>>> load_iris().data.shape
(150, 4)
"""
from ._base import Bunch
from .digits import load_digits
from .iris import load_iris
from .mnist import (
    MNIST,
    FashionMNIST,
    IDXError,
    MnistOrDigits,
    mnist_or_digits,
    read_idx,
)
from .xor import make_xor

__all__ = [
    "Bunch",
    "load_iris",
    "load_digits",
    "MNIST",
    "FashionMNIST",
    "IDXError",
    "read_idx",
    "MnistOrDigits",
    "mnist_or_digits",
    "make_xor",
]
