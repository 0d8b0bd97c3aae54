"""Special pointwise functions, gathered for ``torch`` (``from .ops.special_math import *``),
``torch.special`` and the Tensor methods: the ops of one tensor (erf and gamma families, Bessel
functions, ``sinc``, ``logit``, ...) live in ``special_unary.py``, those of two operands
(``logaddexp``, ``hypot``, ``xlogy``, ``zeta``, ...) in ``special_binary.py``.

>>> from numtorch.ops import special_math
>>> special_math.TENSOR_METHODS["hypot"] is special_math.hypot
True
"""
from __future__ import annotations

from .special_unary import (  # noqa: F401  (torch.special reads these from here)
    erf, erfc, erfinv, erfcx, ndtri, log_ndtr, ndtr, lgamma, digamma, polygamma,
    _polygamma_method, polygamma_, mvlgamma, mvlgamma_, multigammaln, i0, i0e, i1, i1e, sinc,
    entr, logit, logit_, expit, exp2, deg2rad, rad2deg, special_round, erf_, erfc_, erfinv_,
    lgamma_, digamma_, i0_, sinc_, exp2_, deg2rad_, rad2deg_)
from .special_binary import (  # noqa: F401
    overload_error, logaddexp, logaddexp2, hypot, hypot_, xlogy, _xlogy, xlogy_, xlog1py, zeta)

# the Tensor methods (``x.polygamma(n)``: n second); ``METHODS`` is what
# ``_tensor_methods._install_methods`` reads them from
TENSOR_METHODS = {
    "erf": erf, "erfc": erfc, "erfinv": erfinv, "erf_": erf_, "erfc_": erfc_, "erfinv_": erfinv_,
    "lgamma": lgamma, "lgamma_": lgamma_, "digamma": digamma, "digamma_": digamma_,
    "polygamma": _polygamma_method, "polygamma_": polygamma_, "mvlgamma": mvlgamma,
    "mvlgamma_": mvlgamma_, "i0": i0, "i0_": i0_, "sinc": sinc, "sinc_": sinc_, "logit": logit,
    "logit_": logit_, "exp2": exp2, "exp2_": exp2_, "deg2rad": deg2rad, "deg2rad_": deg2rad_,
    "rad2deg": rad2deg, "rad2deg_": rad2deg_, "logaddexp": logaddexp, "logaddexp2": logaddexp2,
    "hypot": hypot, "hypot_": hypot_, "xlogy": xlogy, "xlogy_": xlogy_,
}
METHODS = type("METHODS", (), {name: staticmethod(fn) for name, fn in TENSOR_METHODS.items()})

__all__ = ["erf", "erfc", "erfinv", "erf_", "erfc_", "lgamma", "digamma", "polygamma",
           "mvlgamma", "i0", "i0_", "sinc", "sinc_", "logit", "logit_", "exp2", "exp2_",
           "deg2rad", "deg2rad_", "rad2deg", "rad2deg_", "logaddexp", "logaddexp2", "hypot",
           "xlogy", "xlogy_"]
