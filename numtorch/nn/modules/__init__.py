"""The layers of ``torch.nn``: ``Module``, containers, ``Linear``, activations, losses, ..."""
from .module import Module
from .container import Container, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .linear import Identity, Linear, Bilinear
from .flatten import Flatten, Unflatten
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403

from . import activation as _activation, loss as _loss, dropout as _dropout  # noqa: E402

__all__ = ["Module", "Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten"] \
    + list(_activation.__all__) + list(_loss.__all__) + list(_dropout.__all__)

from . import conv as _conv, fold as _fold  # noqa: E402
__all__ += list(_conv.__all__) + list(_fold.__all__)
from .pooling import *  # noqa: F401,F403,E402
from .pixelshuffle import *  # noqa: F401,F403,E402
from .upsampling import *  # noqa: F401,F403,E402
from . import pooling as _pooling, pixelshuffle as _pixelshuffle, upsampling as _upsampling  # noqa: E402
__all__ += list(_pooling.__all__) + list(_pixelshuffle.__all__) + list(_upsampling.__all__)
from .batchnorm import *  # noqa: F401,F403,E402
from .instancenorm import *  # noqa: F401,F403,E402
from .normalization import *  # noqa: F401,F403,E402
from .sparse import *  # noqa: F401,F403,E402
from . import batchnorm as _batchnorm, instancenorm as _instancenorm, \
    normalization as _normalization, sparse as _sparse  # noqa: E402
__all__ += list(_batchnorm.__all__) + list(_instancenorm.__all__) + list(_normalization.__all__) \
    + list(_sparse.__all__)
from .transformer import *  # noqa: F401,F403,E402
from . import transformer as _transformer  # noqa: E402
__all__ += list(_transformer.__all__)
from .rnn import *  # noqa: F401,F403,E402
from . import rnn as _rnn  # noqa: E402
__all__ += list(_rnn.__all__)
from .distance import *  # noqa: F401,F403,E402
from . import distance as _distance  # noqa: E402
__all__ += list(_distance.__all__)
from .distance import *  # noqa: F401,F403,E402
from . import distance as _distance  # noqa: E402
__all__ += list(_distance.__all__)
