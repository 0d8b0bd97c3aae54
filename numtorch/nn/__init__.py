"""``torch.nn``: modules, parameters, initialisation, ``functional`` and ``utils``.

>>> import numtorch as torch
>>> torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
  (1): ReLU()
)
"""
from .parameter import Parameter, Buffer
from .modules import *  # noqa: F401,F403
from .modules import Module
from . import functional, parameter, modules  # noqa: F401
try:
    from . import init, utils  # noqa: F401
except ImportError:  # being written
    pass
