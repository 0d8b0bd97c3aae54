"""Anomaly mode: find the forward operation whose backward failed or produced NaN.

While anomaly mode is on, each op that records a node also records where in the user's code it
was called (the forward traceback). During backward, a node whose gradients contain NaN raises
PyTorch's ``RuntimeError("Function 'DivBackward0' returned nan values in its 0th output.")``, and
any error raised while a node runs is preceded by a warning that shows the forward traceback of
that node ("Error detected in DivBackward0. Traceback of forward call that caused the error:").

>>> import warnings
>>> import numtorch as torch
>>> x = torch.tensor([0.0, 1.0], requires_grad=True)
>>> with warnings.catch_warnings(record=True), torch.autograd.detect_anomaly():
...     y = x / x
...     try:
...         y.sum().backward()
...     except RuntimeError as e:
...         print(e)
Function 'DivBackward0' returned nan values in its 1th output.
"""
from __future__ import annotations

import os
import traceback
import warnings

import numpy as np

from . import function as _function

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]

# [enabled, check_nan]: the engine reads it once per backward call
state = [False, True]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on (``torch.is_anomaly_enabled``)."""
    return state[0]


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly mode checks gradients for NaN (``torch.is_anomaly_check_nan_enabled``)."""
    return state[1]


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn anomaly mode on or off (``torch.set_anomaly_enabled``)."""
    state[0], state[1] = bool(enabled), bool(check_nan)
    _function.set_recorder("anomaly", _keep_trace if state[0] else None)


class detect_anomaly:
    """Context manager: anomaly mode on inside the block (with PyTorch's warning on entry).

    >>> import warnings, numtorch as torch
    >>> with warnings.catch_warnings(record=True), torch.autograd.detect_anomaly():
    ...     torch.autograd.anomaly_mode.is_anomaly_enabled()
    True
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = state[0]
        self.check_nan = check_nan
        self.prev_check_nan = state[1]
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Turn anomaly mode on or off now; as a context manager, restore it on exit.

    >>> import numtorch as torch
    >>> with torch.autograd.set_detect_anomaly(True, check_nan=False):
    ...     torch.autograd.anomaly_mode.is_anomaly_check_nan_enabled()
    False
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = state[0]
        self.prev_check_nan = state[1]
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


# -- recording (forward) -------------------------------------------------------------------------

def _keep_trace(node, tensors, out) -> None:
    """The recorder installed while anomaly mode is on: keep the forward traceback."""
    d = node.__dict__
    if "_anomaly_trace" not in d:
        d["_anomaly_trace"] = forward_trace()


def forward_trace() -> str:
    """The current stack as ``traceback`` prints it, without numtorch's own innermost frames
    (PyTorch's ops are C++ and do not show either)."""
    frames = traceback.extract_stack()
    while frames and frames[-1].filename.startswith(_PACKAGE):
        frames.pop()
    return "".join(traceback.format_list(frames))


# -- checking (backward) -------------------------------------------------------------------------

def check_nan(node, in_grads) -> None:
    """Raise PyTorch's error if a gradient ``node`` computed for one of its inputs has NaN."""
    for i, (entry, g) in enumerate(zip(node._next, in_grads)):
        if entry is None or g is None:
            continue
        a = g if type(g) is np.ndarray else getattr(getattr(g, "t", g), "_data", g)
        a = np.asarray(a)
        if a.dtype.kind in "fc" and np.isnan(a).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def report(exc: BaseException, run_code) -> None:
    """Warn with the forward traceback of the node that was running when ``exc`` was raised
    (the engine calls this in anomaly mode). ``run_code`` is the engine loop's code object."""
    tb = exc.__traceback__
    node = None
    while tb is not None:
        if tb.tb_frame.f_code is run_code:
            node = tb.tb_frame.f_locals.get("node")
        tb = tb.tb_next
    if node is None:
        return
    trace = node.__dict__.get("_anomaly_trace")
    if trace is None:
        msg = (f"Error detected in {node.name()}. No forward pass information available. Enable "
               "detect anomaly during forward pass for more information.")
    else:
        msg = f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n{trace}"
    warnings.warn(msg, UserWarning, stacklevel=4)
