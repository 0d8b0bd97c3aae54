"""``torch.nn``: modules, parameters, initialisation, ``functional`` and ``utils``.

The layer families a plain MLP program does not use (convolution, recurrent, transformer, ...)
load on first use (``nn.Conv2d``), as does ``nn.parallel``: see ``numtorch/_lazy.py``.

>>> import numtorch as torch
>>> torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
  (1): ReLU()
)
"""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules import Module, Container, Sequential, ModuleList, ModuleDict, ParameterList, \
    ParameterDict, Identity, Linear, Bilinear, Flatten, Unflatten  # noqa: F401
from . import init, functional, utils, parameter, modules  # noqa: F401
from .._lazy import lazy_module as _lazy_module

# nn.modules' layers (``from .modules import *`` would load the lazy ones too)
globals().update((name, getattr(modules, name)) for name in modules.__all__
                 if name not in modules.__getattr__.lazy_names)


def _missing(name: str):
    if name == "__all__":       # ``from numtorch.nn import *``: every public name, lazy ones too
        return [n for n in __dir__() if not n.startswith("_")]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# the lazy layers of nn.modules (conv, rnn, ...), DataParallel and nn.parallel: on first use
__getattr__, __dir__ = _lazy_module(
    globals(), {"numtorch.nn.modules": " ".join(modules.__getattr__.lazy_names),
                "numtorch.nn.parallel": "DataParallel"}, ("parallel",), _missing)
