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
from .modules import Module, Container, Sequential, ModuleList, ModuleDict, ParameterList, \
    ParameterDict, Identity, Linear, Bilinear, Flatten, Unflatten  # noqa: F401
from . import init, functional, utils, parameter, modules  # noqa: F401
from .parallel import DataParallel  # noqa: F401,E402
from . import parallel  # noqa: F401,E402
