"""``torch.special``: special functions, under PyTorch's names.

The ops themselves live in ``numtorch/ops/special_math.py`` (shared with ``torch.erf``,
``torch.lgamma``, ...) and the existing math, reduction and activation modules; this module
only names them as ``torch.special`` does (``gammaln`` is ``lgamma``, ``psi`` is ``digamma``,
``expit`` is ``sigmoid``, ``multigammaln`` is ``mvlgamma``), with ``special_<name>`` in the
argument errors, as PyTorch words them.

>>> import numtorch as torch
>>> torch.special.ndtr(torch.tensor([0.0, 1.96]))
tensor([0.5000, 0.9750])
>>> torch.special.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0]))
tensor([0.0000, 2.1972])
"""
from __future__ import annotations

from ._errors import not_tensor, arg_error
from ._tensor import Tensor
from .ops import special_math as _S
from .ops import math as _M
from .ops import reduce as _R
from .ops import activation as _A
from .ops._apply import write_out as _write_out

__all__ = ["erf", "erfc", "erfinv", "erfcx", "ndtr", "ndtri", "log_ndtr", "expit", "logit",
           "exp2", "expm1", "log1p", "round", "sinc", "entr", "xlogy", "xlog1py", "zeta",
           "gammaln", "digamma", "psi", "polygamma", "multigammaln", "i0", "i0e", "i1", "i1e",
           "softmax", "log_softmax", "logsumexp"]


def _named(fn, name: str, doc: str):
    """``fn`` as ``torch.special.<name>``: a non-tensor input is reported as ``special_<name>``."""
    def op(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise not_tensor("special_" + name, input)
        return fn(input, *args, **kwargs)
    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    op.__doc__ = doc
    return op


def _out(fn):
    def run(input, *, out=None):
        return fn(input) if out is None else _write_out(fn.__name__, fn(input), out)
    return run


erf = _named(_S.erf, "erf", "The error function (``torch.erf``).")
erfc = _named(_S.erfc, "erfc", "The complementary error function ``1 - erf(x)``.")
erfinv = _named(_S.erfinv, "erfinv", "The inverse error function (``torch.erfinv``).")
erfcx = _named(_S.erfcx, "erfcx", "The scaled complementary error function "
                                  "``exp(x^2) erfc(x)``.")
ndtr = _named(_S.ndtr, "ndtr", "The standard normal CDF.")
ndtri = _named(_S.ndtri, "ndtri", "The standard normal quantile function (inverse of ``ndtr``).")
log_ndtr = _named(_S.log_ndtr, "log_ndtr", "``log(ndtr(x))``, accurate in both tails.")
expit = _named(_S.expit, "expit", "The logistic sigmoid ``1 / (1 + exp(-x))``.")
logit = _named(_S.logit, "logit", "``log(x / (1 - x))``, ``x`` clamped to ``[eps, 1 - eps]`` "
                                  "when ``eps`` is given.")
exp2 = _named(_S.exp2, "exp2", "``2 ** x``.")
expm1 = _named(_out(_M.expm1), "expm1", "``exp(x) - 1``, accurate near 0.")
log1p = _named(_out(_M.log1p), "log1p", "``log(1 + x)``, accurate near 0.")
round = _named(_S.special_round, "round", "``torch.round`` (half to even).")
sinc = _named(_S.sinc, "sinc", "The normalized sinc ``sin(pi x) / (pi x)``.")
entr = _named(_S.entr, "entr", "The elementwise entropy ``-x log x``.")
gammaln = _named(_S.lgamma, "gammaln", "``log |Gamma(x)|`` (``torch.lgamma``).")
digamma = _named(_S.digamma, "digamma", "``d/dx lgamma(x)``.")
psi = _named(_S.digamma, "psi", "``digamma``.")
i0 = _named(_S.i0, "i0", "The modified Bessel function of the first kind, order 0.")
i0e = _named(_S.i0e, "i0e", "``exp(-|x|) i0(x)``.")
i1 = _named(_S.i1, "i1", "The modified Bessel function of the first kind, order 1.")
i1e = _named(_S.i1e, "i1e", "``exp(-|x|) i1(x)``.")
multigammaln = _named(_S.multigammaln, "multigammaln",
                      "The multivariate log-gamma function (``torch.mvlgamma``).")


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, 0 where ``input == 0`` (either may be a number)."""
    return _S._xlogy(input, other, out, "special_xlogy")


def xlog1py(input, other, *, out=None) -> Tensor:
    """``input * log1p(other)``, 0 where ``input == 0`` (either may be a number)."""
    return _S.xlog1py(input, other, out=out)


def zeta(input, other, *, out=None) -> Tensor:
    """The Hurwitz zeta function ``sum_k (other + k) ** -input``."""
    return _S.zeta(input, other, out=out)


def polygamma(n: int, input, *, out=None) -> Tensor:
    """The n-th derivative of ``digamma``."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise arg_error("special_polygamma", "n", 1, "int", n)
    if not isinstance(input, Tensor):
        raise not_tensor("special_polygamma", input, position=2)
    return _S.polygamma(n, input, out=out)


def softmax(input, dim: int, *, dtype=None) -> Tensor:
    """Softmax along ``dim`` (computed in ``dtype`` when given)."""
    if not isinstance(input, Tensor):
        raise not_tensor("special_softmax", input)
    return _A.softmax_dim(input, dim, dtype=dtype)


def log_softmax(input, dim: int, *, dtype=None) -> Tensor:
    """Log-softmax along ``dim`` (computed in ``dtype`` when given)."""
    if not isinstance(input, Tensor):
        raise not_tensor("special_log_softmax", input)
    return _A.log_softmax_dim(input, dim, dtype=dtype)


def logsumexp(input, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, without overflow."""
    if not isinstance(input, Tensor):
        raise not_tensor("special_logsumexp", input)
    res = _R.logsumexp(input, dim, keepdim)
    return res if out is None else _write_out("logsumexp", res, out)
