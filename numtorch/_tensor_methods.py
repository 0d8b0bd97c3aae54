"""The methods and operators of ``Tensor``, put on the class in one place once the ops exist.

``Tensor`` itself (``_tensor.py``) imports no op: ``Tensor.exp`` *is* ``torch.exp``, and this
module sets it, with the operators (``+`` is ``torch.add``), ``backward`` and the views ``.T``
and ``.mT``. ``numtorch/__init__.py`` imports it right after the ops.

>>> import numtorch as torch
>>> torch.Tensor.exp is torch.exp
True
"""
from __future__ import annotations

import warnings

import numpy as np

from ._tensor import Tensor
from . import _random_ops as RND
from .autograd import backward as autograd_backward
from .autograd.engine import run_backward as _run_backward
from .autograd.function import _RemovableHandle
from .ops import elementwise as E, math as M, reduce as R, shape as S, indexing as I, linalg as L
from .ops import convert as C
from .ops import shape_inplace as SI
from . import _dtype as _dtype_mod
from .ops import activation as A
from ._lazy import lazy_methods


def _read_from(holder: str, names: str) -> str:
    """``name=holder.name`` for each name (see _lazy.py): methods kept on a class there."""
    return " ".join(f"{name}={holder}.{name}" for name in names.split())


_OPS = "numtorch.ops."
# The methods of the families ``import numtorch`` does not load: each family loads on first use
# (``x.sort()``, ``A.det()``). ``norm`` is linalg_extra's (torch.norm), not reduce's.
LAZY_METHODS = {
    _OPS + "linalg_extra": _read_from("tensor_methods", """det logdet slogdet inverse svd cholesky
        qr pinverse matrix_power matrix_exp cholesky_solve cholesky_inverse triangular_solve cross
        norm"""),
    _OPS + "complex_ops": _read_from("tensor_methods", """real imag conj conj_physical
        resolve_conj resolve_neg is_conj angle"""),
    _OPS + "sorting": "sort argsort msort topk kthvalue median nanmedian mode unique "
                      "unique_consecutive",
    _OPS + "quantile": "quantile nanquantile",
    _OPS + "reduce_extra": "nanmean cov corrcoef renorm renorm_",
    _OPS + "math_extra": "sgn sgn_ frac frac_ fix_ sign_ bitwise_not_ heaviside heaviside_ "
                         "copysign copysign_ nextafter nextafter_ ldexp ldexp_ frexp float_power "
                         "float_power_ positive isreal gcd gcd_ lcm lcm_ bitwise_left_shift "
                         "bitwise_left_shift_ bitwise_right_shift bitwise_right_shift_ "
                         "clamp_min_ clamp_max_ negative_ absolute_ logical_not_",
    _OPS + "hyperbolic": "asinh acosh atanh asinh_ acosh_ atanh_ arcsinh arccosh arctanh arcsinh_ "
                         "arccosh_ arctanh_",
    _OPS + "shape_extra": "hsplit vsplit dsplit take_along_dim diag_embed index_copy index_copy_ "
                          "index_fill index_fill_ masked_scatter masked_scatter_ select_scatter "
                          "slice_scatter diagonal_scatter scatter_reduce scatter_reduce_ "
                          "index_reduce index_reduce_ index_put index_put_ index_add_ put put_ "
                          "unfold",
    _OPS + "products": "addmv addmv_ addr addr_ baddbmm baddbmm_ addbmm addbmm_ vdot",
    _OPS + "searching": "histc histogram bincount",
    _OPS + "strided": "as_strided as_strided_ as_strided_scatter",
    _OPS + "cumulative": "cummax cummin logcumsumexp diff repeat_interleave",
    _OPS + "special_math": _read_from("METHODS", """erf erfc erfinv erf_ erfc_ erfinv_ lgamma
        lgamma_ digamma digamma_ polygamma polygamma_ mvlgamma mvlgamma_ i0 i0_ sinc sinc_ logit
        logit_ exp2 exp2_ deg2rad deg2rad_ rad2deg rad2deg_ logaddexp logaddexp2 hypot hypot_
        xlogy xlogy_"""),        # special_math.TENSOR_METHODS (tests/test_lazy_import.py)
    _OPS + "combinatorics": "kron rot90",
    _OPS + "activation_extra": "prelu hardshrink",
    # what the engine's create_graph=True path runs gradient formulas on
    _OPS + "_tensor_array": "_TensorArray=TensorArray",
    "numtorch._random_extra": "cauchy_ geometric_ log_normal_ bernoulli=tensor_bernoulli",
    "numtorch._spectral": "stft istft",
    _OPS + "misc_extra": _read_from("tensor_methods", """dist diagflat adjoint is_nonzero
        is_same_size is_signed is_neg is_inference split_with_sizes unsafe_chunk unsafe_split
        unsafe_split_with_sizes sum_to_size transpose_ swapaxes_ swapdims_ new_empty_strided
        nbytes itemsize mH H is_cpu is_quantized is_meta is_sparse_csr is_mkldnn"""),
    _OPS + "inplace_extra": "acos_ asin_ atan_ arccos_ arcsin_ arctan_ cos_ cosh_ sin_ sinh_ tan_ "
                            "expm1_ log10_ log1p_ log2_ rsqrt_ eq_ ne_ lt_ le_ gt_ ge_ greater_ "
                            "greater_equal_ less_ less_equal_ not_equal_ logical_and_ "
                            "logical_or_ logical_xor_ bitwise_and_ bitwise_or_ bitwise_xor_ "
                            "cumsum_ cumprod_ fmod_ divide_ multiply_ subtract_ true_divide_ "
                            "atan2_ arctan2_ addmm_ fill_diagonal_ conj_physical_",
}


def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad``."""
    data = self._data
    if gradient is None and inputs is None and self.grad_fn is not None and data.size == 1 \
            and data.dtype.kind == "f" and not create_graph:
        # the common case, a scalar loss: seed with 1 and run the engine directly
        seed = np.array(1.0, data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
        _run_backward([self], [seed], bool(retain_graph))
        return
    autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def register_hook(self, hook):
    """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self.grad_fn is None:
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)
    entries = self.grad_fn.__dict__.setdefault("_tensor_hooks", [])
    self.grad_fn._hooked = True
    for tensor, hooks in entries:
        if tensor is self:
            break
    else:
        hooks = []
        entries.append((self, hooks))
    hooks.append(hook)
    return _RemovableHandle(hooks, hook, self.grad_fn)


def T(self) -> Tensor:
    """``x.T``: the dimensions reversed (a view)."""
    if self._data.ndim != 2:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                      "these cases." if self._data.ndim == 0 else
                      "The use of `x.T` on tensors of dimension other than 2 to reverse their "
                      "shape is deprecated and it will throw an error in a future release. "
                      "Consider `x.mT` to transpose batches of matrices or `x.permute(*torch."
                      "arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                      UserWarning, stacklevel=2)
    return S.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))


def mT(self) -> Tensor:
    """``x.mT``: the last two dimensions swapped (a view)."""
    return S.transpose(self, -2, -1)


def __iter__(self):
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(S.unbind(self, 0))


def _invert(self):
    """``~t``: logical not for bool tensors, bitwise not for integers."""
    kind = self._data.dtype.kind
    if kind == "b":
        return E.logical_not(self)
    if kind not in "iu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return E.bitwise_not(self)


def _install_methods() -> None:
    table = {
        E: """add sub mul div floor_divide remainder fmod pow eq ne lt le gt ge greater greater_equal
              less less_equal not_equal equal logical_and logical_or logical_xor logical_not
              bitwise_and bitwise_or bitwise_xor bitwise_not isnan isinf isfinite isposinf isneginf
              signbit isclose allclose nan_to_num nan_to_num_ add_ sub_ mul_ div_ pow_ remainder_
              floor_divide_ maximum_ minimum_ addcmul addcdiv addcmul_ addcdiv_ true_divide divide multiply
              subtract""",
        M: """neg abs sign exp expm1 log log2 log10 log1p sqrt rsqrt square reciprocal sin cos tan
              tanh sigmoid relu atan asin acos sinh cosh floor ceil round trunc fix clamp clamp_min
              clamp_max clip where maximum minimum lerp atan2 lerp_ neg_ abs_ exp_ log_ sqrt_
              sigmoid_ tanh_ relu_ floor_ ceil_ round_ trunc_ reciprocal_ square_ clamp_ clip_
              negative absolute arctan arcsin arccos arctan2 fmax fmin""",
        R: """sum mean prod nansum max min amax amin aminmax argmax argmin var std norm logsumexp
              cumsum cumprod all any count_nonzero""",
        S: """view reshape view_as reshape_as flatten ravel unflatten squeeze unsqueeze permute
              transpose swapaxes swapdims t movedim moveaxis expand expand_as broadcast_to repeat
              tile narrow unbind split chunk tensor_split flip fliplr flipud roll tril triu clone
              contiguous select""",
        I: """gather scatter scatter_ scatter_add scatter_add_ index_select masked_fill masked_fill_
              masked_select nonzero argwhere take index_add diag diagonal""",
        L: "matmul mm bmm mv dot inner outer ger addmm trace",
        C: """to type type_as float double half long int short char byte bool cpu cuda new_tensor
              new_zeros new_ones new_empty new_full zero_ fill_ copy_ set_""",
    }
    table[SI] = "t_ unsqueeze_ squeeze_"                 # recorded in the graph, as PyTorch's
    Tensor.softmax, Tensor.log_softmax = A.softmax_dim, A.log_softmax_dim   # dim required
    table[RND] = "uniform_ normal_ random_ bernoulli_ exponential_ multinomial"
    for module, names in table.items():
        for name in names.split():
            setattr(Tensor, name, getattr(module, name))
    lazy_methods(Tensor, LAZY_METHODS)

    def _r(fn):
        return lambda self, other: fn(other, self)

    def _bfloat16(self, memory_format=None):
        return C.to(self, _dtype_mod.bfloat16)      # raises: NumPy has no bfloat16 arrays
    Tensor.bfloat16 = _bfloat16

    def _triu_(self, diagonal=0):
        return self.copy_(S.triu(self, diagonal))

    def _tril_(self, diagonal=0):
        return self.copy_(S.tril(self, diagonal))

    Tensor.triu_ = _triu_
    Tensor.tril_ = _tril_
    Tensor.__add__ = Tensor.__radd__ = E.add
    Tensor.__iadd__ = E.add_
    Tensor.__sub__ = E.sub
    Tensor.__rsub__ = _r(E.sub)
    Tensor.__isub__ = E.sub_
    Tensor.__mul__ = Tensor.__rmul__ = E.mul
    Tensor.__imul__ = E.mul_
    Tensor.__truediv__ = E.div
    Tensor.__rtruediv__ = _r(E.div)
    Tensor.__itruediv__ = E.div_
    Tensor.__floordiv__ = E.floor_divide
    Tensor.__rfloordiv__ = _r(E.floor_divide)
    Tensor.__ifloordiv__ = E.floor_divide_
    Tensor.__mod__ = E.remainder
    Tensor.__rmod__ = _r(E.remainder)
    Tensor.__imod__ = E.remainder_
    Tensor.__pow__ = E.pow
    Tensor.__rpow__ = _r(E.pow)
    Tensor.__ipow__ = E.pow_
    Tensor.__matmul__ = L.matmul
    Tensor.__rmatmul__ = _r(L.matmul)
    Tensor.__neg__ = M.neg
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = M.abs
    Tensor.__invert__ = _invert
    Tensor.__and__ = Tensor.__rand__ = E.bitwise_and
    Tensor.__or__ = Tensor.__ror__ = E.bitwise_or
    Tensor.__xor__ = Tensor.__rxor__ = E.bitwise_xor
    Tensor.__iand__ = lambda self, o: self.copy_(E.bitwise_and(self, o))
    Tensor.__ior__ = lambda self, o: self.copy_(E.bitwise_or(self, o))
    Tensor.__ixor__ = lambda self, o: self.copy_(E.bitwise_xor(self, o))
    Tensor.__eq__ = E.eq
    Tensor.__ne__ = E.ne
    Tensor.__lt__ = E.lt
    Tensor.__le__ = E.le
    Tensor.__gt__ = E.gt
    Tensor.__ge__ = E.ge
    Tensor.__getitem__ = I.getitem
    Tensor.__setitem__ = I.setitem
    Tensor.where = lambda self, condition, other: M.where(condition, self, other)
    Tensor.T = property(T)
    Tensor.mT = property(mT)
    Tensor.__iter__ = __iter__
    Tensor.backward = backward
    Tensor.register_hook = register_hook


_install_methods()
