"""The layers of ``torch.nn``: ``Module``, containers, ``Linear``, activations, losses, ..."""
from .module import Module

try:
    from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
    from .linear import Identity, Linear, Bilinear
    from .flatten import Flatten, Unflatten
except ImportError:  # being written
    pass
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
