"""Runnable examples written for numtorch: ``numtorch examples`` lists them.

Each example is a module with ``run(ctx) -> Result`` that trains a small model with
``import numtorch as torch``, prints a summary and saves its plots as PNG files.

>>> from numtorch.examples import EXAMPLES
>>> "xor-mse" in EXAMPLES
True
"""
from __future__ import annotations

import contextlib
import importlib
from typing import Dict, List, NamedTuple, Optional, Sequence

from ._common import Context, Result

__all__ = ["EXAMPLES", "Example", "Context", "Result", "load", "run_example", "run_examples"]


class Example(NamedTuple):
    module: str
    description: str


EXAMPLES: Dict[str, Example] = {
    "xor-mse": Example("xor_mse", "XOR with a 2-2-1 sigmoid net and MSE; 3-D output surface"),
    "xor-classifier": Example("xor_classifier", "noisy XOR: Dataset, DataLoader, BCEWithLogits, "
                                                "state_dict save/load"),
    "iris-linear": Example("iris_linear", "Iris linear regression (petal width); y-y plot"),
    "iris-logistic": Example("iris_logistic", "Iris logistic (softmax) regression"),
    "iris-mlp-regression": Example("iris_mlp_regression", "Iris MLP regression; y-y plot"),
    "iris-mlp-classification": Example("iris_mlp_classification", "Iris MLP classifier"),
    "iris-autoencoder": Example("iris_autoencoder",
                                "Iris autoencoder with a 2-D code; latent scatter"),
    "mnist-scratch": Example("mnist_scratch", "MNIST logistic regression from scratch "
                                              "(tensors and autograd only)"),
    "mnist-mlp": Example("mnist_mlp", "MNIST MLP with nn, DataLoader and Adam"),
    "mnist-cnn": Example("mnist_cnn", "MNIST LeNet-style CNN with BatchNorm; learned filters "
                                      "and feature maps"),
    "mnist-ddp": Example("mnist_ddp", "MNIST MLP with DistributedDataParallel and "
                                      "DistributedSampler (--nproc 2: two processes on MPI)"),
    "char-lstm": Example("char_lstm", "character-level LSTM language model on generated text; "
                                      "samples a line with multinomial"),
    "transformer-reverse": Example("transformer_reverse", "transformer encoder reversing digit "
                                                          "sequences; attention map"),
    "sqrt2": Example("sqrt2", "solve x**2 = 2 by gradient descent"),
}


def load(name: str):
    """The example's module (imported on first use)."""
    if name not in EXAMPLES:
        raise KeyError(f"no example named {name!r}; choose from: {', '.join(EXAMPLES)}")
    return importlib.import_module(f"{__name__}.{EXAMPLES[name].module}")


def run_example(name: str, out_dir: str = "numtorch-out", quick: bool = False,
                show_progress: bool = True, plots: bool = True, verbose: bool = True) -> Result:
    """Run one example and return its :class:`Result`."""
    module = load(name)
    ctx = Context(name, out_dir=out_dir, quick=quick, show_progress=show_progress,
                  plots=plots, verbose=verbose)
    if verbose:
        print(f"=== {name}: {EXAMPLES[name].description}", flush=True)
    with _one_blas_thread():
        return module.run(ctx)


@contextlib.contextmanager
def _one_blas_thread():
    """Run with one BLAS thread (``torch.set_num_threads(1)``): the examples' matrices are
    small, and on a 2-core machine two BLAS threads make their matmuls several times slower."""
    import numtorch
    before = numtorch.get_num_threads()
    numtorch.set_num_threads(1)
    try:
        yield
    finally:
        numtorch.set_num_threads(before)


def run_examples(names: Optional[Sequence[str]] = None, **kwargs) -> List[Result]:
    """Run several examples (all by default), one after the other."""
    return [run_example(n, **kwargs) for n in (names or list(EXAMPLES))]
