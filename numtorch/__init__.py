"""numtorch: PyTorch's programming model on NumPy.

Use it as ``import numtorch as torch``, or run an unchanged PyTorch program with
``python -m numtorch.run program.py``.

>>> import numtorch as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from __future__ import annotations

__version__ = "0.1.0"

import warnings as _warnings

# PyTorch computes inf/nan silently (exp(1000) is inf, log(0) is -inf); NumPy warns. numtorch's ops
# raise no floating-point warnings, and a filter costs nothing until a warning would be shown,
# unlike an errstate block around every op.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"numtorch\.")

from ._allocator import tune_allocator as _tune_allocator  # keep freed arrays for reuse (glibc)
_tune_allocator()

from ._dtype import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, float32,
                     float64, promote_types, get_default_dtype, set_default_dtype, can_cast)
from ._dtype import float32 as float, float64 as double, float16 as half, int64 as long, \
    int32 as int, int16 as short, int8 as char  # noqa: E402  (PyTorch's aliases)
from ._dtype import complex64, complex128, complex64 as cfloat, complex128 as cdouble  # noqa
from ._dtype import bfloat16  # noqa: F401  (a name only: making bfloat16 tensors raises TypeError)
from ._size import Size
from ._device import device
from ._tensor import Tensor
from .autograd import grad_mode as _grad_mode
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                                 is_grad_enabled, is_inference_mode_enabled)
from . import autograd
from . import _tensor_methods  # noqa: F401  (Tensor's methods and operators, once ops exist)
from .autograd.anomaly_mode import (is_anomaly_enabled, is_anomaly_check_nan_enabled,  # noqa: F401
                                    set_anomaly_enabled)
from .ops.creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full,
                           zeros_like, ones_like, empty_like, full_like, arange, linspace, logspace,
                           eye, scalar_tensor, meshgrid, range_ as range)
from .ops.elementwise import *  # noqa: F401,F403
from .ops.math import *  # noqa: F401,F403
from .ops.reduce import (sum, mean, prod, nansum, max, min, amax, amin, aminmax, argmax, argmin,
                         var, std, var_mean, std_mean, logsumexp, cumsum, cumprod, all, any,
                         count_nonzero, return_types)   # (torch.norm is linalg_extra's: _LAZY)
from .ops.shape import (select, view_as, reshape, flatten, ravel, unflatten, squeeze, unsqueeze, permute,
                        transpose, swapaxes, swapdims, t, movedim, moveaxis, expand_as, broadcast_to,
                        broadcast_tensors, tile, narrow, unbind, split, chunk, tensor_split, flip,
                        fliplr, flipud, roll, tril, triu, clone, cat, concat,
                        concatenate, stack, hstack, vstack, column_stack, atleast_1d, atleast_2d)
from .ops.indexing import (gather, scatter, scatter_add, index_select, masked_fill, masked_select,
                           nonzero, argwhere, take, index_add, diag, diagonal)
from .ops.linalg import matmul, mm, bmm, mv, dot, inner, outer, ger, addmm, einsum, trace
from .ops.activation import softmax_dim as softmax, log_softmax_dim as log_softmax, selu, celu
from .ops.dropout import (torch_dropout as dropout, feature_dropout, feature_dropout_, alpha_dropout_,  # noqa: F401
                          feature_alpha_dropout_, torch_alpha_dropout as alpha_dropout,
                          torch_feature_alpha_dropout as feature_alpha_dropout)
from ._generator import Generator, default_generator
from .random import manual_seed, seed, initial_seed, get_rng_state, set_rng_state
from ._random_ops import *  # noqa: F401,F403
from ._printing import set_printoptions, get_printoptions
from . import random
from ._default_device import set_default_device, get_default_device  # CPU only

# The other op families load on first use (``torch.sort``, ``torch.linalg``, ``torch.conv2d``,
# ``torch.compile``, ...): ``import numtorch`` stays small. Each name: ``name`` or
# ``name=attribute`` of the module (see _lazy.py).
_LAZY = {
    "numtorch.ops.linalg_decomp": "det logdet slogdet=torch_slogdet inverse svd=torch_svd "
                                  "cholesky=torch_cholesky qr=torch_qr",
    "numtorch.ops.linalg_extra": "cholesky_solve cholesky_inverse triangular_solve pinverse "
                                 "matrix_power matrix_exp cross=torch_cross "
                                 "norm=torch_norm",     # (torch.norm: also the nuclear norm)
    "numtorch.ops.complex_ops": "real imag conj conj_physical resolve_conj resolve_neg is_conj "
                                "is_complex angle view_as_real view_as_complex complex polar",
    "numtorch.ops.special_math": "erf erfc erfinv erf_ erfc_ lgamma digamma polygamma mvlgamma "
                                 "i0 i0_ sinc sinc_ logit logit_ exp2 exp2_ deg2rad deg2rad_ "
                                 "rad2deg rad2deg_ logaddexp logaddexp2 hypot xlogy xlogy_",
    "numtorch.ops.combinatorics": "cartesian_prod combinations tril_indices triu_indices "
                                  "block_diag kron rot90 cdist trapezoid trapz "
                                  "cumulative_trapezoid",
    "numtorch.ops.sorting": "sort argsort msort topk kthvalue median nanmedian mode unique "
                            "unique_consecutive",
    "numtorch.ops.quantile": "quantile nanquantile",
    "numtorch.ops.reduce_extra": "nanmean cov corrcoef vander renorm",
    "numtorch.ops.math_extra": "sgn frac frac_ fix_ heaviside copysign nextafter ldexp frexp "
                               "float_power positive isreal gcd lcm bitwise_left_shift "
                               "bitwise_right_shift clamp_min_ clamp_max_ negative_",
    "numtorch.ops.hyperbolic": "asinh acosh atanh asinh_ acosh_ atanh_ arcsinh arccosh arctanh "
                               "arcsinh_ arccosh_ arctanh_",
    "numtorch.ops.shape_extra": "dstack row_stack hsplit vsplit dsplit take_along_dim "
                                "diag_embed index_copy index_fill masked_scatter select_scatter "
                                "slice_scatter diagonal_scatter scatter_reduce index_reduce "
                                "index_put put",
    "numtorch.ops.products": "tensordot vdot addmv addr baddbmm addbmm chain_matmul",
    "numtorch.ops.searching": "searchsorted bucketize isin histc histogram histogramdd "
                              "bincount",
    "numtorch.ops.strided": "as_strided as_strided_ as_strided_copy as_strided_scatter",
    "numtorch.ops.windows": "bartlett_window blackman_window hamming_window hann_window "
                            "kaiser_window",
    "numtorch.ops.cumulative": "cummax cummin logcumsumexp diff repeat_interleave",
    "numtorch.ops.activation_extra": "prelu hardshrink threshold=torch_threshold threshold_ "
                                     "rrelu=torch_rrelu rrelu_=torch_rrelu_",
    "numtorch.ops.pooling": "max_pool1d max_pool2d max_pool1d_with_indices avg_pool1d "
                            "adaptive_avg_pool1d "
                            "adaptive_max_pool1d=adaptive_max_pool1d_with_indices",
    "numtorch.ops.pooling3d": "max_pool3d",
    "numtorch.ops.resample": "pixel_shuffle pixel_unshuffle channel_shuffle native_channel_shuffle",
    "numtorch.ops.conv": "conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d",
    "numtorch.ops.normalization": "batch_norm=torch_batch_norm layer_norm=torch_layer_norm "
                                  "group_norm=torch_group_norm instance_norm=torch_instance_norm",
    "numtorch.ops.embedding": "embedding=torch_embedding embedding_renorm_",
    "numtorch.ops.nn_extra": "rms_norm bilinear pdist",
    "numtorch._threads": "get_num_threads set_num_threads get_num_interop_threads "
                         "set_num_interop_threads",
    "numtorch._compile": "compile",     # (torch.compile: nothing is compiled)
    "numtorch.amp.autocast_mode": "autocast is_autocast_enabled set_autocast_enabled "
                                  "get_autocast_dtype set_autocast_dtype is_autocast_cpu_enabled "
                                  "set_autocast_cpu_enabled get_autocast_cpu_dtype "
                                  "set_autocast_cpu_dtype get_autocast_gpu_dtype "
                                  "set_autocast_gpu_dtype is_autocast_cache_enabled "
                                  "set_autocast_cache_enabled clear_autocast_cache "
                                  "autocast_increment_nesting autocast_decrement_nesting",
    # legacy typed-tensor constructors
    "numtorch._legacy": "FloatTensor DoubleTensor HalfTensor LongTensor IntTensor ShortTensor "
                        "CharTensor ByteTensor BoolTensor",
    "numtorch.serialization": "save load",
    "numtorch._random_extra": "poisson binomial",
    "numtorch._spectral": "stft istft",
    "numtorch._type_info": "finfo iinfo",
    "numtorch._settings": "use_deterministic_algorithms are_deterministic_algorithms_enabled "
                          "is_deterministic_algorithms_warn_only_enabled "
                          "set_deterministic_debug_mode get_deterministic_debug_mode "
                          "set_float32_matmul_precision get_float32_matmul_precision "
                          "set_warn_always is_warn_always_enabled typename",
    "numtorch.ops.misc_extra": "broadcast_shapes atleast_3d unravel_index is_nonzero "
                               "is_same_size is_signed is_neg is_inference detach detach_ fill "
                               "fill_ dist diagflat adjoint split_with_sizes unsafe_chunk "
                               "unsafe_split unsafe_split_with_sizes",
    "numtorch.ops.inplace_extra": "acos_ asin_ atan_ arccos_ arcsin_ arctan_ cos_ cosh_ sin_ sinh_ "
                                  "tan_ expm1_ log10_ log1p_ log2_ rsqrt_ addmv_ index_put_ zero_ "
                                  "celu_ selu_ dropout_ conj_physical_ gcd_ lcm_ ldexp_",
}
# torch.cuda, torch.func (grad, jacrev, vmap, ...), draw_graph / trace_backward, torch.amp,
# torch.serialization, torch.signal
_LAZY_SUBMODULES = ("cuda", "func", "viz", "amp", "serialization", "signal")


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> builtins_bool:
    return input._data.dtype.kind == "f"


def numel(input: Tensor) -> int:
    return input._data.size


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an arithmetic op on the two operands would produce (PyTorch's rules)."""
    from .ops._apply import tensor_dtype_pair
    if isinstance(tensor1, Tensor) and isinstance(tensor2, Tensor):
        return tensor_dtype_pair(tensor1, tensor2)
    if isinstance(tensor1, Tensor):
        return _dtype_mod.result_dtype(tensor1.dtype, tensor2)
    if isinstance(tensor2, Tensor):
        return _dtype_mod.result_dtype(tensor2.dtype, tensor1)
    return promote_types(_dtype_mod.scalar_dtype(tensor1), _dtype_mod.scalar_dtype(tensor2))


def set_default_tensor_type(t) -> None:
    _warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                   "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                   UserWarning, stacklevel=2)
    set_default_dtype(float64 if "Double" in str(t) else float32)


import builtins as _builtins  # noqa: E402
from . import _dtype as _dtype_mod  # noqa: E402
builtins_bool, builtins_int = _builtins.bool, _builtins.int

_SUBMODULES = ("nn", "optim", "utils", "datasets", "serialization", "linalg", "testing", "hub",
               "backends", "jit", "amp", "fft", "special", "distributions", "distributed", "onnx",
               "multiprocessing",
               "accelerator", "vision", "cpu", "compiler")


def _missing(name: str):
    """Import submodules on first use (keeps ``import numtorch`` fast); name what is missing."""
    if name == "__all__":       # ``from numtorch import *``: every public name, lazy ones too
        return [n for n in __dir__() if not n.startswith("_")]
    if name in _SUBMODULES:
        import importlib
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"numtorch does not implement torch.{name} yet")


from ._lazy import lazy_module as _lazy_module  # noqa: E402
__getattr__, __dir__ = _lazy_module(globals(), _LAZY, _LAZY_SUBMODULES, _missing)
