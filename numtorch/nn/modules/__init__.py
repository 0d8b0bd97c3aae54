"""The layers of ``torch.nn``: ``Module``, containers, ``Linear``, activations, losses, ...

What a plain MLP program needs loads with ``numtorch.nn``; the other layer families
(convolution, pooling, normalization, recurrent, transformer, attention, ...) load on first use
(``nn.Conv2d``): see ``numtorch/_lazy.py``.
"""
from .module import Module
from .container import Container, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .linear import Identity, Linear, Bilinear
from .flatten import Flatten, Unflatten
from .loss import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403  (loaded by .loss anyway)
from . import activation as _activation, loss as _loss, dropout as _dropout  # noqa: E402
from . import distance as _distance  # noqa: E402
from ..._lazy import lazy_module as _lazy_module

# the activations (``from .activation import *`` would load MultiheadAttention: it is lazy there)
globals().update((name, getattr(_activation, name)) for name in _activation.__all__
                 if name not in _activation.__getattr__.lazy_names)

# submodule -> its __all__, loaded on first use (tests/test_lazy_import.py checks they agree)
_LAZY = {
    "conv": "Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d",
    "fold": "Fold Unfold",
    "pooling": "MaxPool1d MaxPool2d AvgPool1d AvgPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d "
               "AdaptiveMaxPool1d AdaptiveMaxPool2d MaxUnpool1d MaxUnpool2d MaxPool3d AvgPool3d "
               "AdaptiveAvgPool3d AdaptiveMaxPool3d MaxUnpool3d LPPool1d LPPool2d LPPool3d "
               "FractionalMaxPool2d FractionalMaxPool3d",
    "pixelshuffle": "PixelShuffle PixelUnshuffle ChannelShuffle",
    "upsampling": "Upsample UpsamplingNearest2d UpsamplingBilinear2d",
    "batchnorm": "BatchNorm1d BatchNorm2d BatchNorm3d",
    "instancenorm": "InstanceNorm1d InstanceNorm2d InstanceNorm3d",
    "normalization": "LayerNorm GroupNorm LocalResponseNorm RMSNorm",
    "padding": "CircularPad1d CircularPad2d CircularPad3d ConstantPad1d ConstantPad2d "
               "ConstantPad3d ReflectionPad1d ReflectionPad2d ReflectionPad3d "
               "ReplicationPad1d ReplicationPad2d ReplicationPad3d ZeroPad1d ZeroPad2d ZeroPad3d",
    "sparse": "Embedding EmbeddingBag",
    "transformer": "Transformer TransformerEncoder TransformerDecoder TransformerEncoderLayer "
                   "TransformerDecoderLayer",
    "rnn": "RNNBase RNN LSTM GRU RNNCellBase RNNCell LSTMCell GRUCell",
    "lazy": "LazyLinear LazyConv1d LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d "
            "LazyConvTranspose3d LazyBatchNorm1d LazyBatchNorm2d LazyBatchNorm3d LazyInstanceNorm1d "
            "LazyInstanceNorm2d LazyInstanceNorm3d",
}
__getattr__, __dir__ = _lazy_module(
    globals(), {**{f"{__name__}.{module}": names for module, names in _LAZY.items()},
                f"{__name__}.multihead": "MultiheadAttention"}, (*_LAZY, "multihead"))

__all__ = ["Module", "Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten"] \
    + list(_activation.__all__) + list(_loss.__all__) + list(_dropout.__all__) \
    + [name for names in _LAZY.values() for name in names.split()] + list(_distance.__all__)
