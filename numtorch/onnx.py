"""``torch.onnx``: importable, but numtorch does not export ONNX.

``torch.onnx.export`` raises ``NotImplementedError`` saying so: an ONNX file is written from a
traced or exported PyTorch program, which numtorch does not build. Save the weights with
``torch.save(model.state_dict(), "model.pt")``, load them into the same model class in PyTorch
(the file is PyTorch's format) and call ``torch.onnx.export`` there. ``is_in_onnx_export()`` is
False; the enums and helpers a script may name before exporting exist.

>>> import numtorch as torch
>>> torch.onnx.is_in_onnx_export()
False
>>> torch.onnx.export(torch.nn.Linear(2, 1), (torch.ones(1, 2),), "m.onnx")
Traceback (most recent call last):
  ...
NotImplementedError: numtorch does not export ONNX: ...
"""
from __future__ import annotations

import contextlib
import enum
from typing import Any

__all__ = ["export", "dynamo_export", "is_in_onnx_export", "TrainingMode",
           "OperatorExportTypes", "OnnxExporterError", "register_custom_op_symbolic",
           "unregister_custom_op_symbolic", "select_model_mode_for_export", "producer_name",
           "producer_version"]

producer_name = "pytorch"
producer_version = "2.13.0"

_MESSAGE = ("numtorch does not export ONNX: torch.onnx.export needs PyTorch, which traces the "
            "model into an ONNX graph. Save the weights with torch.save(model.state_dict(), "
            "'model.pt'), load them into the same model class in PyTorch (numtorch writes "
            "PyTorch's file format) and call torch.onnx.export there.")


class TrainingMode(enum.IntEnum):
    """``torch.onnx.TrainingMode``."""
    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


class OperatorExportTypes(enum.IntEnum):
    """``torch.onnx.OperatorExportTypes``."""
    ONNX = 0
    ONNX_ATEN = 1
    ONNX_ATEN_FALLBACK = 2
    ONNX_FALLTHROUGH = 3


class OnnxExporterError(RuntimeError):
    """``torch.onnx.OnnxExporterError``."""


def export(model: Any, args: Any = (), f: Any = None, *pos: Any, **kwargs: Any) -> None:
    """Raises ``NotImplementedError``: numtorch does not export ONNX (see the module's notes)."""
    raise NotImplementedError(_MESSAGE)


def dynamo_export(model: Any, *args: Any, **kwargs: Any) -> None:
    """Raises ``NotImplementedError``, as ``export`` does."""
    raise NotImplementedError(_MESSAGE)


def is_in_onnx_export() -> bool:
    """False: numtorch never runs a model for an ONNX export."""
    return False


def register_custom_op_symbolic(symbolic_name: str, symbolic_fn: Any, opset_version: int) -> None:
    """Accepted and unused (``export`` raises)."""


def unregister_custom_op_symbolic(symbolic_name: str, opset_version: int) -> None:
    """Accepted and unused."""


@contextlib.contextmanager
def select_model_mode_for_export(model: Any, mode: TrainingMode):
    """Put ``model`` in the mode an export would use (eval or train) for the ``with`` block."""
    was = model.training
    if mode == TrainingMode.EVAL:
        model.train(False)
    elif mode == TrainingMode.TRAINING:
        model.train(True)
    try:
        yield
    finally:
        model.train(was)
