"""Special functions and structured constructions against PyTorch 2.13: the erf family, the
gamma family, Bessel I0/I1, logaddexp, hypot, xlogy, sinc, logit, ... (``ops/special_math.py``),
cartesian_prod, combinations, tril/triu_indices, block_diag, kron, rot90, cdist, trapezoid
(``ops/combinatorics.py``), and the existing lerp, nan_to_num, meshgrid, F.normalize,
F.cosine_similarity and F.pairwise_distance.

PyTorch's answers (values incl. inf/nan/0/negative edges, dtypes, shapes, grad_fn names,
gradients, error types and messages, second and third derivatives, float32 erf/erfc/erfinv on a
dense grid) are recorded in ``tests/data/special_math.npz`` / ``.json``, so these tests run
without torch; with torch installed each record is also checked against live PyTorch.
Regenerate with ``python tests/data/regen_special_math.py``. The float64 checks against
``math.erf``/``math.lgamma`` and the ``gradcheck``/``gradgradcheck`` sweep need no torch.
"""
from __future__ import annotations

import json
import math
import os
import warnings
import zlib

import numpy as np
import pytest

import numtorch
from _oracle import live_torch as _torch_or_none  # the installed torch, or None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RECORD_NPZ = os.path.join(DATA, "special_math.npz")
RECORD_JSON = os.path.join(DATA, "special_math.json")

INF, NAN = float("inf"), float("nan")


def _rng(name: str):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _t(T, a, grad=None):
    a = np.asarray(a)
    if grad is None:
        grad = a.dtype.kind == "f"
    return T.tensor(a, requires_grad=grad)


def _u(rng, lo, hi, n=12, edges=(), dtype="float64"):
    """``n`` uniform samples in [lo, hi) followed by the ``edges``."""
    return np.concatenate([rng.uniform(lo, hi, n), np.asarray(edges, float)]).astype(dtype)


# -- parity cases: make(T, rng) -> (output or tuple of outputs, {name: leaf}) ---------------------

def unary(fn, lo, hi, edges=(), dtype="float64", grad=True, **kw):
    def make(T, rng):
        x = _t(T, _u(rng, lo, hi, 12, edges, dtype), grad and dtype.startswith("float"))
        if fn == "polygamma":
            return T.polygamma(kw["n"], x), {"x": x}
        return eval("T." + fn)(x, **kw), {"x": x}
    return make


def ints(fn, values, dtype="int64", **kw):
    def make(T, rng):
        x = T.tensor(np.asarray(values, dtype))
        if fn == "polygamma":
            return T.polygamma(kw["n"], x), {}
        return eval("T." + fn)(x, **kw), {}
    return make


def binary(fn, xs, ys, dtype="float64", lo=-3, hi=3, grad=(True, True), pairs=(), **kw):
    def make(T, rng):
        a = rng.uniform(lo, hi, xs).astype(dtype)
        b = rng.uniform(lo, hi, ys).astype(dtype)
        if pairs:
            a = np.concatenate([a.ravel(), [p[0] for p in pairs]]).astype(dtype)
            b = np.concatenate([b.ravel(), [p[1] for p in pairs]]).astype(dtype)
        x, y = _t(T, a, grad[0]), _t(T, b, grad[1])
        return eval("T." + fn)(x, y, **kw), {"x": x, "y": y}
    return make


def scalar_self(fn, s, dtype="float64"):
    def make(T, rng):
        y = _t(T, rng.uniform(0.1, 3, 6).astype(dtype))
        return eval("T." + fn)(s, y), {"y": y}
    return make


def scalar_other(fn, s, dtype="float64"):
    def make(T, rng):
        x = _t(T, rng.uniform(-2, 3, 6).astype(dtype))
        return eval("T." + fn)(x, s), {"x": x}
    return make


def expr(src, *shapes, dtype="float64", lo=-2, hi=2, grad=True):
    """``eval(src)`` with ``a``, ``b``, ... random tensors of the given shapes."""
    def make(T, rng):
        env = {"T": T, "F": T.nn.functional}
        leaves = {}
        for name, shape in zip("abcd", shapes):
            v = _t(T, rng.uniform(lo, hi, shape).astype(dtype), grad and dtype.startswith("float"))
            env[name] = leaves[name] = v
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval(src, env), leaves
    return make


_LG_EDGES = (0.0, -1.0, -2.0, 1.0, 2.0, 0.5, -0.5, -2.5, 1e-20, 100.5, INF, -INF, NAN)
_PG_EDGES = (0.0, 0.5, -0.5, -2.5, 1e-8, 30.0, INF, NAN)
_BESSEL_EDGES = (0.0, 8.0, -8.0, 30.0, -30.0, 1e-10)

CASES = {
    # the erf family
    "erf": unary("erf", -4, 4, (0.0, -0.0, INF, -INF, NAN, 1e-30, 6.0, -6.0)),
    "erf_f32": unary("erf", -4, 4, (0.0, INF, -INF, NAN, 0.5, -3.9), "float32"),
    "erf_f16": unary("erf", -3, 3, (0.0, 1.0), "float16", grad=False),
    "erf_int": ints("erf", [-2, 0, 1, 3]),
    "erf_bool": ints("erf", [True, False], "bool"),
    "erfc": unary("erfc", -4, 10, (0.0, INF, -INF, NAN, 26.0, 27.5, -6.0)),
    "erfc_f32": unary("erfc", -4, 9, (0.0, INF, NAN, 9.5), "float32"),
    "erfinv": unary("erfinv", -1, 1, (0.0, 1.0, -1.0, 0.999999999, -1e-12, 1.5, -2.0, NAN)),
    "erfinv_f32": unary("erfinv", -1, 1, (0.0, 1.0, -1.0, 0.9999, 1e-7), "float32"),
    "erfinv_int": ints("erfinv", [-1, 0, 1, 2]),
    "erfcx": unary("special.erfcx", -5, 30, (0.0, -27.0, 1e3, INF, NAN)),
    "erfcx_f32": unary("special.erfcx", -3, 30, (0.0, 0.49, 0.51), "float32"),
    "ndtr": unary("special.ndtr", -8, 8, (0.0, INF, -INF, NAN)),
    "ndtr_f32": unary("special.ndtr", -8, 8, (0.0,), "float32"),
    "ndtri": unary("special.ndtri", 0, 1, (0.0, 1.0, 0.5, -0.1, 1.1, 1e-30, 1 - 1e-12, NAN)),
    "ndtri_f32": unary("special.ndtri", 0, 1, (0.5, 0.001), "float32"),
    "log_ndtr": unary("special.log_ndtr", -40, 10, (0.0, -1.0, INF, 38.0, NAN)),
    "log_ndtr_f32": unary("special.log_ndtr", -20, 5, (0.0,), "float32"),
    # the gamma family
    "lgamma": unary("lgamma", -6, 12, _LG_EDGES),
    "lgamma_f32": unary("lgamma", -6, 12, (0.5, 3.0, 1.0, 2.0), "float32"),
    "lgamma_bool": ints("lgamma", [True, False], "bool"),
    "digamma": unary("digamma", -6, 12, _LG_EDGES[:1] + (-0.0,) + _LG_EDGES[3:]),
    "digamma_f32": unary("digamma", 0.1, 12, (0.5, 3.0), "float32"),
    "digamma_int": ints("digamma", [1, 2, 0, -1]),
    "polygamma1": unary("polygamma", 0.05, 8, _PG_EDGES, n=1),
    "polygamma2": unary("polygamma", -4, 8, _PG_EDGES + (-1.0, -INF), n=2),
    "polygamma3": unary("polygamma", -4, 8, _PG_EDGES + (-1.0,), n=3),
    "polygamma5_f32": unary("polygamma", 0.2, 8, (1.0, 2.0), "float32", n=5),
    "polygamma0": unary("polygamma", 0.1, 8, (1.0, -0.5), n=0),
    "polygamma_int": ints("polygamma", [1, 2, 3], n=1),
    "mvlgamma1": unary("mvlgamma", 0.5, 6, (1.0, 2.5), p=1),
    "mvlgamma3": unary("mvlgamma", 1.2, 6, (1.5, 4.0), p=3),
    "mvlgamma_int": ints("mvlgamma", [1, 2, 5], p=1),
    "mvlgamma_below_domain": unary("mvlgamma", 0.1, 0.4, (0.2,), p=2),
    "zeta": binary("special.zeta", (8,), (8,), lo=1.2, hi=6, grad=(False, True),
                   pairs=((2, 1), (4, 0.5), (3, -1.5), (2, 0.0), (1.0, 2.0), (0.5, 2.0),
                          (2.0, INF), (INF, 2.0))),
    "zeta_scalar_self": scalar_self("special.zeta", 3.0),
    "zeta_scalar_other": lambda T, rng: (T.special.zeta(_t(T, rng.uniform(1.5, 5, 6), False),
                                                        2.0), {}),
    # Bessel functions
    "i0": unary("i0", -12, 12, _BESSEL_EDGES + (NAN,)),
    # (PyTorch's i1 and i1e derivatives at nan are finite numbers: values only there)
    "i1_i1e_nan": lambda T, rng: (T.stack([T.special.i1(T.tensor([NAN, 1.0])),
                                           T.special.i1e(T.tensor([NAN, 1.0]))]), {}),
    "i0_f32": unary("i0", -12, 12, (0.0, 8.0), "float32"),
    "i0_inf": unary("i0", -1, 1, (INF, -INF), grad=False),
    "i0e": unary("special.i0e", -12, 12, _BESSEL_EDGES + (INF,)),
    "i1": unary("special.i1", -12, 12, _BESSEL_EDGES),
    "i1_f32": unary("special.i1", -12, 12, (0.0, -8.0), "float32"),
    "i1e": unary("special.i1e", -12, 12, _BESSEL_EDGES + (INF, -INF)),
    # other unary functions
    "sinc": unary("sinc", -3, 3, (0.0, 1.0, -2.0, 0.5, 1e-10, INF, NAN)),
    "sinc_f32": unary("sinc", -3, 3, (0.0, 1.0, -2.0), "float32"),
    "entr": unary("special.entr", -1, 3, (0.0, 1.0, INF, NAN, -INF)),
    "logit": unary("logit", 0, 1, (0.0, 1.0, -1.0, 2.0, 0.5, NAN)),
    "logit_f32": unary("logit", 0, 1, (0.25,), "float32"),
    "logit_eps": unary("logit", 0, 1, (0.0, 1.0, -1.0, 2.0, 0.1, 0.9), eps=0.1),
    "logit_int": ints("logit", [0, 1, 2]),
    "exp2": unary("exp2", -5, 5, (0.0, -INF, INF, 1024.0, NAN)),
    "exp2_f32": unary("exp2", -5, 5, (3.0,), "float32"),
    "exp2_int": ints("exp2", [0, 3, -1]),
    "deg2rad": unary("deg2rad", -400, 400, (0.0, 180.0, INF)),
    "deg2rad_f32": unary("deg2rad", -400, 400, (180.0, 90.0), "float32"),
    "deg2rad_int": ints("deg2rad", [180, -90, 0]),
    "rad2deg": unary("rad2deg", -7, 7, (0.0, math.pi)),
    "rad2deg_f32": unary("rad2deg", -7, 7, (3.0,), "float32"),
    "expit": unary("special.expit", -6, 6, (0.0,)),
    # binary functions
    "logaddexp": binary("logaddexp", (3, 1), (4,), lo=-5, hi=5),
    "logaddexp_edges": binary("logaddexp", (2,), (2,), pairs=(
        (0, 1), (INF, INF), (-INF, -INF), (1, 1), (-INF, 2), (INF, -INF), (1e30, 1e30),
        (NAN, 1), (0, NAN))),
    "logaddexp_f32": binary("logaddexp", (3, 4), (4,), "float32", -50, 50),
    "logaddexp_mixed": lambda T, rng: (T.logaddexp(T.tensor([1, 2]), T.tensor([0.5, 3.0])), {}),
    "logaddexp2": binary("logaddexp2", (2, 3), (3,), lo=-5, hi=5),
    "logaddexp2_edges": binary("logaddexp2", (1,), (1,), pairs=(
        (INF, INF), (-INF, -INF), (-INF, 2), (1e30, 1e30), (NAN, 1))),
    "hypot": binary("hypot", (3, 1), (4,), lo=-5, hi=5),
    "hypot_edges": binary("hypot", (1,), (1,), pairs=(
        (0, 0), (3, 4), (INF, 1), (0, 2), (-3, 4), (NAN, INF), (INF, NAN), (1e300, 1e300))),
    "hypot_f32": binary("hypot", (5,), (5,), "float32"),
    "xlogy": binary("xlogy", (3, 4), (4,), lo=0.1, hi=3),
    "xlogy_edges": binary("xlogy", (1,), (1,), pairs=(
        (0, 0), (0, NAN), (0, INF), (0, -1), (1, 0), (NAN, 0), (2, -1), (2, 3), (-1, 0.5))),
    "xlogy_scalar_self": scalar_self("xlogy", 2.0),
    "xlogy_scalar_other": scalar_other("xlogy", 2.5),
    "xlogy_scalar_other_int": scalar_other("xlogy", 3),
    "xlogy_f32": binary("xlogy", (4,), (4,), "float32", 0.1, 3),
    "xlogy_ints": lambda T, rng: (T.xlogy(T.tensor([0, 1, 2]), T.tensor([0, 3, 5])), {}),
    "xlogy_bool": lambda T, rng: (T.xlogy(T.tensor([True, False]), T.tensor([True, True])), {}),
    "xlogy_int_float": lambda T, rng: (T.xlogy(T.tensor([1, 2]), 2.5), {}),
    "xlog1py": binary("special.xlog1py", (3, 4), (4,), lo=-0.9, hi=3),
    "xlog1py_edges": binary("special.xlog1py", (1,), (1,), pairs=(
        (0, -1), (0, NAN), (0, INF), (0, -2), (1, -1), (NAN, 0), (2, -2))),
    "xlog1py_scalar_self": scalar_self("special.xlog1py", 2.0),
    "xlog1py_scalar_other": scalar_other("special.xlog1py", 2.0),
    # structured constructions
    "cartesian_prod": expr("T.cartesian_prod(a, b)", (2,), (3,)),
    "cartesian_prod_3": expr("T.cartesian_prod(a, b, c)", (2,), (1,), (3,)),
    "cartesian_prod_int": lambda T, rng: (T.cartesian_prod(T.tensor([1, 2]), T.tensor([3, 4, 5]),
                                                          T.tensor([6])), {}),
    "cartesian_prod_empty": expr("T.cartesian_prod(a, b)", (0,), (3,)),
    "combinations": expr("T.combinations(a)", (4,)),
    "combinations_3": expr("T.combinations(a, 3)", (5,)),
    "combinations_repl": expr("T.combinations(a, 2, with_replacement=True)", (3,)),
    "combinations_repl3": expr("T.combinations(a, r=3, with_replacement=True)", (3,)),
    "combinations_r0": expr("T.combinations(a, 0)", (3,)),
    "combinations_too_many": expr("T.combinations(a, 4)", (3,)),
    "combinations_int": lambda T, rng: (T.combinations(T.tensor([1, 2, 3]), r=1), {}),
    "tril_indices": lambda T, rng: (T.tril_indices(4, 3), {}),
    "tril_indices_offset": lambda T, rng: (T.tril_indices(4, 5, 1), {}),
    "tril_indices_neg": lambda T, rng: (T.tril_indices(5, 3, -2, dtype=T.int32), {}),
    "tril_indices_empty": lambda T, rng: (T.tril_indices(0, 3), {}),
    "tril_indices_far": lambda T, rng: (T.tril_indices(3, 3, -10), {}),
    "triu_indices": lambda T, rng: (T.triu_indices(3, 3), {}),
    "triu_indices_offset": lambda T, rng: (T.triu_indices(4, 3, -1), {}),
    "triu_indices_pos": lambda T, rng: (T.triu_indices(3, 5, 2), {}),
    "triu_indices_far": lambda T, rng: (T.triu_indices(3, 3, 10), {}),
    "block_diag": expr("T.block_diag(a, b, c, d)", (2, 3), (), (2,), (3, 1)),
    "block_diag_one": expr("T.block_diag(a)", (2, 2)),
    "block_diag_empty_block": expr("T.block_diag(a, b)", (0, 2), (1, 1)),
    "block_diag_none": lambda T, rng: (T.block_diag(), {}),
    "block_diag_mixed": lambda T, rng: (T.block_diag(T.tensor([[1, 2]]), T.tensor([[True]]),
                                                     T.tensor([0.5], dtype=T.float64)), {}),
    "kron": expr("T.kron(a, b)", (2, 3), (3, 2)),
    "kron_1d_2d": expr("T.kron(a, b)", (3,), (2, 2)),
    "kron_3d_2d": expr("T.kron(a, b)", (2, 1, 2), (2, 3)),
    "kron_0d": expr("T.kron(a, b)", (), (3,)),
    "kron_method": expr("a.kron(b)", (2,), (2,)),
    "kron_int": lambda T, rng: (T.kron(T.tensor([[1, 2]]), T.tensor([[1], [10]])), {}),
    "rot90": expr("T.rot90(a)", (2, 3)),
    "rot90_k2": expr("T.rot90(a, 2)", (2, 3)),
    "rot90_k3": expr("T.rot90(a, 3)", (2, 3)),
    "rot90_kneg": expr("T.rot90(a, -1)", (2, 3)),
    "rot90_k0": expr("T.rot90(a, 0)", (2, 3)),
    "rot90_k5": expr("T.rot90(a, 5, [1, 0])", (2, 3)),
    "rot90_3d": expr("T.rot90(a, 1, (0, 2))", (2, 3, 4)),
    "rot90_neg_dims": expr("a.rot90(3, [-1, -3])", (2, 3, 4)),
    # cdist: the direct path (each p) and the matrix-product path (p = 2, more than 25 rows)
    "cdist_p2": expr("T.cdist(a, b)", (4, 3), (5, 3)),
    "cdist_p1": expr("T.cdist(a, b, 1.0)", (4, 3), (5, 3)),
    "cdist_p0": expr("T.cdist(a, b, 0)", (4, 3), (5, 3)),
    "cdist_pinf": expr("T.cdist(a, b, float('inf'))", (4, 3), (5, 3)),
    "cdist_p3": expr("T.cdist(a, b, 3.0)", (4, 3), (5, 3)),
    "cdist_p05": expr("T.cdist(a, b, 0.5)", (4, 3), (5, 3)),
    "cdist_p15_f32": expr("T.cdist(a, b, 1.5)", (4, 3), (2, 3), dtype="float32"),
    "cdist_batched": expr("T.cdist(a, b)", (2, 1, 3, 4), (3, 2, 4)),
    "cdist_mm": expr("T.cdist(a, b)", (30, 3), (4, 3)),
    "cdist_mm_forced": expr("T.cdist(a, b, compute_mode='use_mm_for_euclid_dist')", (3, 3),
                            (4, 3)),
    "cdist_mm_batched": expr("T.cdist(a, b)", (2, 27, 3), (1, 5, 3)),
    "cdist_no_mm": expr("T.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist')", (30, 2),
                        (3, 2)),
    "cdist_f32_mm": expr("T.cdist(a, b)", (26, 4), (3, 4), dtype="float32"),
    "cdist_coincident": lambda T, rng: _coincident(T, 2.0),
    "cdist_coincident_mm": lambda T, rng: _coincident(T, 2.0, "use_mm_for_euclid_dist"),
    "cdist_coincident_p1": lambda T, rng: _coincident(T, 1.0),
    "cdist_coincident_p05": lambda T, rng: _coincident(T, 0.5),
    "cdist_coincident_p3": lambda T, rng: _coincident(T, 3.0),
    "cdist_coincident_inf": lambda T, rng: _coincident(T, float("inf")),
    "cdist_empty": expr("T.cdist(a, b)", (0, 3), (2, 3)),
    "cdist_no_columns": expr("T.cdist(a, b)", (2, 0), (3, 0)),
    # trapezoidal rule
    "trapezoid": expr("T.trapezoid(a)", (3, 5)),
    "trapezoid_dx": expr("T.trapezoid(a, dx=0.5, dim=0)", (3, 5)),
    "trapezoid_x": expr("T.trapezoid(a, T.sort(b)[0])", (3, 5), (5,)),
    "trapezoid_x_dim0": expr("T.trapezoid(a, b, dim=0)", (3, 5), (3,)),
    "trapezoid_x_nd": expr("T.trapezoid(a, b)", (3, 5), (3, 5)),
    "trapezoid_x_broadcast": expr("T.trapezoid(a, b)", (3, 5), (1, 5)),
    "trapezoid_int": lambda T, rng: (T.trapezoid(T.tensor([1, 2, 4])), {}),
    "trapezoid_int_dx": lambda T, rng: (T.trapezoid(T.tensor([1, 2, 4]), dx=2), {}),
    # complex samples stay complex (real spacings)
    "trapezoid_complex": lambda T, rng: (T.trapezoid(T.tensor([1 + 2j, 3 + 1j, 2 - 1j])), {}),
    "trapezoid_complex_x": lambda T, rng: (
        T.trapezoid(T.tensor([1 + 2j, 3 + 1j, 2 - 1j]), T.tensor([0.0, 1.0, 3.0])), {}),
    "cumulative_trapezoid_complex": lambda T, rng: (
        T.cumulative_trapezoid(T.tensor([1 + 2j, 3 + 1j, 2 - 1j]), dx=0.5), {}),
    "trapezoid_int_x": lambda T, rng: (T.trapezoid(T.tensor([1, 2, 4]), T.tensor([1, 2, 5])), {}),
    "trapezoid_one": expr("T.trapezoid(a)", (2, 1)),
    "trapezoid_none": expr("T.trapezoid(a)", (0,)),
    "trapz": expr("T.trapz(a, dx=2.0)", (4,)),
    "trapz_x": expr("T.trapz(a, b)", (2, 4), (4,)),
    "cumulative_trapezoid": expr("T.cumulative_trapezoid(a)", (3, 5)),
    "cumulative_trapezoid_dx": expr("T.cumulative_trapezoid(a, dx=0.25, dim=0)", (3, 5)),
    "cumulative_trapezoid_x": expr("T.cumulative_trapezoid(a, b)", (3, 5), (5,)),
    "cumulative_trapezoid_int": lambda T, rng: (T.cumulative_trapezoid(T.tensor([1, 2, 4])), {}),
    "cumulative_trapezoid_one": expr("T.cumulative_trapezoid(a)", (1,)),
    # the existing ops this task checked (and fixed)
    "lerp": expr("T.lerp(a, b, 0.3)", (3, 4), (4,)),
    "lerp_big_weight": expr("T.lerp(a, b, 0.75)", (5,), (5,), dtype="float32"),
    "lerp_f64_many": expr("T.lerp(a, b, c)", (400,), (400,), (400,), lo=-1, hi=2),
    "lerp_f64_big_weight": expr("T.lerp(a, b, 0.8)", (400,), (400,)),
    "lerp_neg_weight": expr("T.lerp(a, b, -0.7)", (5,), (5,), dtype="float32"),
    "lerp_tensor": expr("T.lerp(a, b, c)", (3, 4), (4,), (3, 1), lo=-1.5, hi=1.5),
    "lerp_tensor_f32": expr("T.lerp(a, b, c)", (6,), (6,), (6,), dtype="float32"),
    "lerp_0d_weight": lambda T, rng: (T.lerp(T.tensor([1.0, 2.0]), T.tensor([3.0, -1.0]),
                                             T.tensor(0.25, dtype=T.float64)), {}),
    "lerp_f16": lambda T, rng: (T.lerp(T.tensor(rng.uniform(-3, 3, 8), dtype=T.float16),
                                       T.tensor(rng.uniform(-3, 3, 8), dtype=T.float16), 0.3), {}),
    "nan_to_num": lambda T, rng: _nan_to_num(T, {}),
    "nan_to_num_args": lambda T, rng: _nan_to_num(T, dict(nan=2.0, posinf=9.0, neginf=-9.0)),
    "nan_to_num_f32": lambda T, rng: _nan_to_num(T, {}, "float32"),
    "nan_to_num_f16": lambda T, rng: _nan_to_num(T, dict(posinf=1e10), "float16"),
    "nan_to_num_int": lambda T, rng: (T.nan_to_num(T.tensor([1, 2]), nan=1.5), {}),
    "meshgrid_ij": expr("T.meshgrid(a, b, indexing='ij')", (2,), (3,)),
    "meshgrid_xy": expr("T.meshgrid(a, b, indexing='xy')", (2,), (3,)),
    "meshgrid_xy3": expr("T.meshgrid(a, b, c, indexing='xy')", (2,), (3,), (4,)),
    "meshgrid_default": expr("T.meshgrid(a, b)", (2,), (3,)),
    "meshgrid_list": expr("T.meshgrid([a, b, c], indexing='ij')", (), (3,), (1,)),
    "meshgrid_one": expr("T.meshgrid(a, indexing='xy')", (3,)),
    "normalize": expr("F.normalize(a)", (3, 4)),
    "normalize_p1_dim0": expr("F.normalize(a, p=1.0, dim=0)", (3, 4)),
    "normalize_p3": expr("F.normalize(a, p=3, dim=-1, eps=0.5)", (2, 3, 4), lo=-0.3, hi=0.3),
    "normalize_zero_row": lambda T, rng: _with_zero_row(T, "F.normalize(x)"),
    "cosine_similarity": expr("F.cosine_similarity(a, b)", (3, 4), (3, 4)),
    "cosine_similarity_bcast": expr("F.cosine_similarity(a, b, dim=0)", (4, 1), (4, 3)),
    "cosine_similarity_dim": expr("F.cosine_similarity(a, b, dim=-1)", (2, 3, 4), (3, 4)),
    "cosine_similarity_f32": expr("F.cosine_similarity(a, b)", (3, 4), (3, 4), dtype="float32"),
    "cosine_similarity_small": lambda T, rng: _with_zero_row(
        T, "F.cosine_similarity(x, T.tensor([[1.0, 0.0, 2.0]], dtype=T.float64))", 1e-9),
    "cosine_similarity_eps": expr("F.cosine_similarity(a, b, eps=1.0)", (3, 4), (3, 4),
                                  lo=-0.3, hi=0.3),
    "pairwise_distance": expr("F.pairwise_distance(a, b)", (3, 4), (3, 4)),
    "pairwise_distance_p1": expr("F.pairwise_distance(a, b, p=1.0, keepdim=True)", (3, 4), (4,)),
    "pairwise_distance_pinf": expr("F.pairwise_distance(a, b, p=float('inf'))", (3, 4), (3, 4)),
    "pairwise_distance_p3_eps": expr("F.pairwise_distance(a, b, p=3, eps=0.1)", (2, 5), (2, 5)),
    "pairwise_distance_1d": expr("F.pairwise_distance(a, b)", (4,), (4,)),
    "pairwise_distance_int": lambda T, rng: (T.nn.functional.pairwise_distance(
        T.tensor([[1, 2]]), T.tensor([[1, 0]])), {}),
}

# grad_fn names PyTorch and numtorch spell differently: these composites end in a product or
# quotient with a Python number, which numtorch's mul/div record as ...Backward0 (PyTorch: 1)
NAME_DIFFERS = {"ndtr", "ndtr_f32", "trapezoid", "trapezoid_one", "trapezoid_dx", "trapezoid_x",
                "trapezoid_x_dim0", "trapezoid_x_nd", "trapezoid_x_broadcast", "trapz", "trapz_x",
                "cumulative_trapezoid_x"}

# float tolerances where PyTorch's own float32 kernel is less accurate than numtorch's
# (numtorch rounds a float64 result; these PyTorch kernels work in float32 throughout)
LOOSE = {"erfcx_f32": 2e-4, "log_ndtr_f32": 1e-4, "lgamma_f32": 2e-5, "digamma_f32": 1e-4,
         "polygamma5_f32": 1e-5, "i0_f32": 1e-5, "i1_f32": 1e-5, "cdist_p15_f32": 1e-5,
         "cdist_f32_mm": 1e-5, "erf_f16": 1e-3, "logit_f32": 1e-6,
         "polygamma2": 1e-12, "polygamma3": 1e-12, "lgamma": 1e-12, "digamma": 2e-9,
         "zeta": 1e-12, "erfcx": 1e-12, "log_ndtr": 1e-12, "ndtr_f32": 1e-6,
         "cosine_similarity_f32": 2e-5, "digamma_int": 1e-6,
         # PyTorch's trigamma (digamma's derivative) is accurate to about 1e-9 only
         "polygamma1": 2e-9, "polygamma0": 2e-9}
# outputs equal to PyTorch's bit for bit (lerp's single rounding, like PyTorch's fused kernel)
EXACT = {"lerp_big_weight", "lerp_neg_weight", "lerp_tensor_f32", "lerp_f16", "lerp_0d_weight",
         "lerp", "lerp_tensor", "lerp_f64_many", "lerp_f64_big_weight",
         "rot90_3d", "kron_int", "block_diag_mixed", "tril_indices_neg", "cartesian_prod_int"}
# and absolute ones: 1 - 0.99999994 (PyTorch's float32 erf, 1 ulp from numtorch's) in ndtr
ABS = {"ndtr_f32": 1e-7, "cosine_similarity_f32": 1e-7}
# second/third derivatives that go through PyTorch's trigamma (accurate to about 1e-9)
HIGHER_LOOSE = {"lgamma": 1e-7, "mvlgamma": 1e-7}


def _coincident(T, p, mode="use_mm_for_euclid_dist_if_necessary"):
    x1 = T.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, -1.0]], dtype=T.float64, requires_grad=True)
    x2 = T.tensor([[0.0, 0.0], [3.0, 4.0], [2.0, 1.0]], dtype=T.float64, requires_grad=True)
    return T.cdist(x1, x2, p, compute_mode=mode), {"x1": x1, "x2": x2}


def _nan_to_num(T, kw, dtype="float64"):
    x = T.tensor(np.array([NAN, INF, -INF, 1.5, -2.0, 0.0], dtype), requires_grad=True)
    return T.nan_to_num(x, **kw), {"x": x}


def _with_zero_row(T, src, tiny=0.0):
    x = T.tensor([[0.0, 0.0, 0.0], [tiny, 0.0, 0.0], [1.0, -2.0, 0.5]], dtype=T.float64,
                 requires_grad=True)
    return eval(src, {"T": T, "F": T.nn.functional, "x": x}), {"x": x}


def run_case(T, case_id: str) -> dict:
    """The case on ``T`` (torch or numtorch): outputs, dtypes, shapes, grad_fn names, grads."""
    rng = _rng(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, leaves = CASES[case_id](T, rng)
    outs = out if isinstance(out, tuple) else (out,)
    res = {"dtype": [str(o.dtype) for o in outs], "shape": [list(o.shape) for o in outs],
           "name": [None if o.grad_fn is None else o.grad_fn.name() for o in outs]}
    for i, o in enumerate(outs):
        res[f"out{i}"] = o.detach().numpy().copy()
    live = [o for o in outs if o.requires_grad]
    if live:
        total = None
        for o in live:
            g = rng.standard_normal(tuple(o.shape)).astype(o.detach().numpy().dtype)
            term = (o * T.tensor(g)).sum()
            total = term if total is None else total + term
        total.backward()
        for k, t in leaves.items():
            if t.requires_grad:
                res["grad_" + k] = t.grad.numpy().copy()
    return res


# -- errors ----------------------------------------------------------------------------------------

def _f(T):
    return T.nn.functional


ERRORS = {
    "erf_list": lambda T: T.erf([1.0]),
    "erf_float": lambda T: T.erf(3.0),
    "erf_out_long": lambda T: T.erf(T.tensor([1.0]), out=T.tensor([1])),
    "erf_inplace_long": lambda T: T.tensor([1, 2]).erf_(),
    "lgamma_list": lambda T: T.lgamma([1.0]),
    "polygamma_float_n": lambda T: T.polygamma(1.5, T.tensor([1.0])),
    "polygamma_negative_n": lambda T: T.polygamma(-1, T.tensor([1.0])),
    "polygamma_input": lambda T: T.polygamma(1, 2.0),
    "mvlgamma_p0": lambda T: T.mvlgamma(T.tensor([2.0]), 0),
    "mvlgamma_float_p": lambda T: T.mvlgamma(T.tensor([2.0]), 1.5),
    "logit_eps_str": lambda T: T.logit(T.tensor([0.5]), "a"),
    "logaddexp_long": lambda T: T.logaddexp(T.tensor([1, 2]), T.tensor([1, 2])),
    "logaddexp_bool": lambda T: T.logaddexp(T.tensor([True]), T.tensor([False])),
    "logaddexp_number": lambda T: T.logaddexp(T.tensor([1.0]), 2),
    "logaddexp_number_first": lambda T: T.logaddexp(2.0, T.tensor([1.0])),
    "logaddexp_method_number": lambda T: T.tensor([1.0]).logaddexp(2.0),
    "logaddexp_shapes": lambda T: T.logaddexp(T.ones(2), T.ones(3)),
    "logaddexp2_long": lambda T: T.logaddexp2(T.tensor([1, 2]), T.tensor([1, 2])),
    "hypot_long": lambda T: T.hypot(T.tensor([1, 2]), T.tensor([1, 2])),
    "hypot_number": lambda T: T.hypot(T.tensor([1.0]), 2.5),
    "xlogy_numbers": lambda T: T.xlogy(2, 3),
    "xlogy_shapes": lambda T: T.xlogy(T.ones(2), T.ones(3)),
    "xlogy_inplace_long": lambda T: T.tensor([1, 2]).xlogy_(T.tensor([1.0, 2.0])),
    "xlog1py_numbers": lambda T: T.special.xlog1py(2, 3),
    "zeta_numbers": lambda T: T.special.zeta(2, 3),
    "zeta_grad_x": lambda T: T.special.zeta(T.tensor([2.0], requires_grad=True),
                                            T.tensor([1.0])).sum().backward(),
    "cartesian_prod_2d": lambda T: T.cartesian_prod(T.ones(1, 2)),
    "cartesian_prod_0d": lambda T: T.cartesian_prod(T.tensor(1.0)),
    "cartesian_prod_none": lambda T: T.cartesian_prod(),
    "cartesian_prod_dtypes": lambda T: T.cartesian_prod(T.tensor([1, 2]), T.tensor([1.0])),
    "cartesian_prod_list": lambda T: T.cartesian_prod(T.tensor([1.0]), [1.0]),
    "combinations_2d": lambda T: T.combinations(T.ones(1, 2)),
    "combinations_negative": lambda T: T.combinations(T.ones(3), -1),
    "combinations_float_r": lambda T: T.combinations(T.ones(3), 2.5),
    "combinations_list": lambda T: T.combinations([1, 2]),
    "tril_indices_float": lambda T: T.tril_indices(3, 3, dtype=T.float32),
    "tril_indices_bool": lambda T: T.tril_indices(3, 3, dtype=T.bool),
    "tril_indices_int16": lambda T: T.tril_indices(3, 3, dtype=T.int16),
    "tril_indices_negative_row": lambda T: T.tril_indices(-1, 3),
    "tril_indices_negative_col": lambda T: T.tril_indices(3, -1),
    "triu_indices_negative_row": lambda T: T.triu_indices(-2, 3),
    "tril_indices_float_row": lambda T: T.tril_indices(3.0, 3),
    "tril_indices_float_offset": lambda T: T.tril_indices(3, 3, 1.5),
    "block_diag_3d": lambda T: T.block_diag(T.ones(1, 1, 1)),
    "block_diag_number": lambda T: T.block_diag(T.ones(1), 2),
    "kron_number": lambda T: T.kron(T.ones(1), 2),
    "kron_number_first": lambda T: T.kron(2, T.ones(1)),
    "rot90_same_dims": lambda T: T.rot90(T.ones(2, 2), 1, [0, 0]),
    "rot90_wrapped_same": lambda T: T.rot90(T.ones(2, 3), 1, [0, -2]),
    "rot90_out_of_range": lambda T: T.rot90(T.ones(2, 2), 1, [0, 2]),
    "rot90_one_dim": lambda T: T.rot90(T.ones(2, 2), 1, [0]),
    "rot90_three_dims": lambda T: T.rot90(T.ones(2, 2), 1, [0, 1, 2]),
    "rot90_1d": lambda T: T.rot90(T.ones(3)),
    "rot90_float_k": lambda T: T.rot90(T.ones(2, 2), 1.5),
    "cdist_mode": lambda T: T.cdist(T.ones(2, 3), T.ones(2, 3), compute_mode="foo"),
    "cdist_negative_p": lambda T: T.cdist(T.ones(2, 3), T.ones(2, 3), -1.0),
    "cdist_1d": lambda T: T.cdist(T.ones(3), T.ones(3)),
    "cdist_1d_second": lambda T: T.cdist(T.ones(2, 3), T.ones(3)),
    "cdist_columns": lambda T: T.cdist(T.ones(3, 4), T.ones(3, 5)),
    "cdist_long": lambda T: T.cdist(T.ones(3, 4, dtype=T.int64), T.ones(3, 4, dtype=T.int64)),
    "cdist_dtypes": lambda T: T.cdist(T.ones(3, 4), T.ones(3, 4, dtype=T.float64)),
    "cdist_batch": lambda T: T.cdist(T.ones(2, 3, 4), T.ones(3, 3, 4)),
    "trapezoid_x_and_dx": lambda T: T.trapezoid(T.ones(3), T.ones(3), dx=1.0),
    "trapezoid_x_length": lambda T: T.trapezoid(T.ones(2, 3), T.tensor([1.0, 3.0])),
    "trapezoid_0d": lambda T: T.trapezoid(T.tensor(1.0)),
    "trapezoid_dim": lambda T: T.trapezoid(T.ones(2, 3), dim=2),
    "trapezoid_bool": lambda T: T.trapezoid(T.tensor([True, False])),
    "cumulative_trapezoid_x_and_dx": lambda T: T.cumulative_trapezoid(T.ones(3), T.ones(3),
                                                                      dx=1.0),
    "cumulative_trapezoid_x_length": lambda T: T.cumulative_trapezoid(T.ones(2, 3),
                                                                      T.tensor([1.0, 2.0])),
    "lerp_long": lambda T: T.lerp(T.tensor([1]), T.tensor([2]), 0.5),
    "lerp_long_tensor_weight": lambda T: T.lerp(T.tensor([1]), T.tensor([2]), T.tensor([1])),
    "lerp_end_dtype": lambda T: T.lerp(T.ones(1), T.ones(1, dtype=T.float64), 0.5),
    "lerp_end_0d_dtype": lambda T: T.lerp(T.ones(1), T.tensor(2.0, dtype=T.float64), 0.5),
    "lerp_weight_dtype": lambda T: T.lerp(T.ones(1), T.ones(1), T.ones(1, dtype=T.float64)),
    "lerp_weight_half": lambda T: T.lerp(T.ones(1), T.ones(1), T.ones(1, dtype=T.float16)),
    "lerp_end_number": lambda T: T.lerp(T.ones(1), 2.0, 0.5),
    "lerp_weight_str": lambda T: T.lerp(T.ones(2), T.ones(2), "a"),
    "lerp_shapes": lambda T: T.lerp(T.ones(2), T.ones(3), 0.5),
    "lerp_weight_shape": lambda T: T.lerp(T.ones(2), T.ones(2), T.ones(3)),
    "lerp_inplace_long": lambda T: T.tensor([1]).lerp_(T.tensor([2]), 0.5),
    "lerp_inplace_shape": lambda T: T.ones(2).lerp_(T.ones(2, 1), 0.5),
    "nan_to_num_str": lambda T: T.nan_to_num(T.ones(1), nan="a"),
    "meshgrid_dtypes": lambda T: T.meshgrid(T.tensor([1, 2]), T.tensor([1.0]), indexing="ij"),
    "meshgrid_indexing": lambda T: T.meshgrid(T.ones(2), T.ones(3), indexing="foo"),
    "meshgrid_empty": lambda T: T.meshgrid(indexing="xy"),
    "meshgrid_2d": lambda T: T.meshgrid(T.tensor([[1, 2]]), T.tensor([3]), indexing="ij"),
    "cosine_similarity_long": lambda T: _f(T).cosine_similarity(T.tensor([1, 0]),
                                                                T.tensor([1, 0]), dim=0),
    "cosine_similarity_shapes": lambda T: _f(T).cosine_similarity(T.ones(2), T.ones(3), dim=0),
    "cosine_similarity_dim": lambda T: _f(T).cosine_similarity(T.ones(1, 2), T.ones(2), dim=2),
    "pairwise_distance_shapes": lambda T: _f(T).pairwise_distance(T.ones(1, 2), T.ones(3)),
    "normalize_dim": lambda T: _f(T).normalize(T.ones(1, 2), dim=3),
}


def error_of(T, case_id: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ERRORS[case_id](T)
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return [type(e).__name__, str(e)]
    return None


# -- second and third derivatives (float64), against PyTorch's create_graph results ---------------

HIGHER = {
    "erf": ("T.erf(a)", (5,), -2, 2),
    "erfc": ("T.erfc(a)", (5,), -2, 2),
    "erfinv": ("T.erfinv(a)", (5,), -0.9, 0.9),
    "erfcx": ("T.special.erfcx(a)", (5,), -2, 4),
    "ndtri": ("T.special.ndtri(a)", (5,), 0.05, 0.95),
    "log_ndtr": ("T.special.log_ndtr(a)", (5,), -8, 3),
    "lgamma": ("T.lgamma(a)", (5,), 0.2, 6),
    "digamma": ("T.digamma(a)", (5,), 0.2, 6),
    "polygamma2": ("T.polygamma(2, a)", (5,), 0.2, 6),
    "mvlgamma": ("T.mvlgamma(a, 3)", (5,), 1.5, 6),
    "i0": ("T.i0(a)", (5,), -5, 5),
    "i0e": ("T.special.i0e(a)", (5,), 0.1, 5),
    "i1": ("T.special.i1(a)", (5,), -5, 5),
    "i1e": ("T.special.i1e(a)", (5,), 0.1, 5),
    "sinc": ("T.sinc(a)", (5,), 0.1, 3),
    "entr": ("T.special.entr(a)", (5,), 0.1, 3),
    "logit": ("T.logit(a)", (5,), 0.1, 0.9),
    "logit_eps": ("T.logit(a, eps=0.05)", (5,), 0.1, 0.9),
    "exp2": ("T.exp2(a)", (5,), -2, 2),
    "deg2rad": ("T.deg2rad(a) ** 2", (5,), -2, 2),
    "logaddexp": ("T.logaddexp(a, b)", (4,), -2, 2),
    "logaddexp2": ("T.logaddexp2(a, b)", (4,), -2, 2),
    "hypot": ("T.hypot(a, b)", (4,), 0.5, 2),
    "xlogy": ("T.xlogy(a, b)", (4,), 0.5, 2),
    "xlog1py": ("T.special.xlog1py(a, b)", (4,), 0.5, 2),
    "zeta_q": ("T.special.zeta(3.0, b)", (4,), 0.5, 2),
    "block_diag": ("T.block_diag(a, b) ** 3", (2, 2), -1, 1),
    "kron": ("T.kron(a, b)", (2, 2), -1, 1),
    "rot90": ("T.rot90(a * b, 3) ** 2", (2, 2), -1, 1),
    "cartesian_prod": ("T.cartesian_prod(a, b) ** 3", (3,), -1, 1),
    "combinations": ("T.combinations(a * b) ** 3", (3,), -1, 1),
    "cdist_mm": ("T.cdist(a, b, compute_mode='use_mm_for_euclid_dist')", (3, 2), -1, 1),
    "trapezoid": ("T.trapezoid(a ** 2, b.cumsum(0) ** 2)", (4,), 0.5, 1.5),
    "lerp": ("T.lerp(a, b ** 2, a * b)", (4,), -1, 1),
    "nan_to_num": ("T.nan_to_num(a * b) ** 2", (4,), -1, 1),
    "cosine_similarity": ("T.nn.functional.cosine_similarity(a, b, dim=0)", (4,), -1, 1),
    "pairwise_distance": ("T.nn.functional.pairwise_distance(a, b)", (4,), -1, 1),
    "normalize": ("T.nn.functional.normalize(a * b, dim=0)", (4,), -1, 1),
}


def run_higher(T, case_id: str) -> dict:
    src, shape, lo, hi = HIGHER[case_id]
    rng = _rng("higher-" + case_id)
    a = T.tensor(rng.uniform(lo, hi, shape), requires_grad=True)
    b = T.tensor(rng.uniform(lo, hi, shape), requires_grad=True)
    y = eval(src, {"T": T, "a": a, "b": b})
    g = T.tensor(rng.standard_normal(tuple(y.shape)))
    ga, gb = T.autograd.grad((y * g).sum(), (a, b), create_graph=True, allow_unused=True)
    ga = ga if ga is not None else T.zeros_like(a)
    gb = gb if gb is not None else T.zeros_like(b)
    gga, ggb = T.autograd.grad((ga * ga).sum() + (gb * gb * gb).sum(), (a, b), create_graph=True,
                               allow_unused=True)
    gga = gga if gga is not None else T.zeros_like(a)
    ggb = ggb if ggb is not None else T.zeros_like(b)
    g3a, g3b = T.autograd.grad((gga * gga).sum() + (ggb * ggb).sum(), (a, b), allow_unused=True)
    z = np.zeros(shape)
    return {"ga": ga.detach().numpy(), "gb": gb.detach().numpy(), "gga": gga.detach().numpy(),
            "ggb": ggb.detach().numpy(), "g3a": z if g3a is None else g3a.numpy(),
            "g3b": z if g3b is None else g3b.numpy()}


# -- float32 erf / erfc / erfinv on a dense grid: within 1 ulp of PyTorch -------------------------

GRIDS = {
    "erf": np.concatenate([np.linspace(-6, 6, 3001), np.geomspace(1e-30, 1, 200)]),
    "erfc": np.concatenate([np.linspace(-6, 10, 3001), np.geomspace(1e-30, 1, 200)]),
    "erfinv": np.concatenate([np.linspace(-1, 1, 3001), 1 - np.geomspace(1e-7, 0.5, 200)]),
}


def grid_values(T, name: str, dtype: str) -> np.ndarray:
    x = T.tensor(GRIDS[name].astype(dtype))
    return getattr(T, name)(x).numpy()


# -- the record ------------------------------------------------------------------------------------

def regenerate() -> tuple:
    """PyTorch's answers for every case: (arrays for the .npz, facts for the .json)."""
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = {k: res.pop(k) for k in ("dtype", "shape", "name")}
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid in ERRORS:
        facts["errors"][cid] = error_of(torch, cid)
    for cid in HIGHER:
        arrays.update({f"higher/{cid}/{k}": v for k, v in run_higher(torch, cid).items()})
    for name in GRIDS:
        arrays[f"grid/{name}"] = grid_values(torch, name, "float32")
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    with np.load(RECORD_NPZ) as z:
        arrays = {k: z[k] for k in z.files}
    with open(RECORD_JSON, encoding="utf-8") as f:
        facts = json.load(f)
    return arrays, facts


def _tol(case_id: str, dtypes) -> dict:
    if case_id in LOOSE:
        rtol = LOOSE[case_id]
        return dict(rtol=rtol, atol=ABS.get(case_id, rtol * 1e-3))
    if all(d == "torch.float64" for d in dtypes):
        return dict(rtol=1e-13, atol=1e-300)
    return dict(rtol=2.5e-7, atol=1e-30)                  # float32: about 2 ulps


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    arrays, facts = record
    want = facts["cases"][case_id]
    got = run_case(numtorch, case_id)
    assert got["dtype"] == want["dtype"]
    assert got["shape"] == want["shape"]
    if case_id not in NAME_DIFFERS:
        assert got["name"] == want["name"]
    keys = sorted(k[len(case_id) + 1:] for k in arrays if k.startswith(case_id + "/"))
    assert sorted(k for k in got if k.startswith(("out", "grad_"))) == keys
    for k in keys:
        expected = arrays[f"{case_id}/{k}"]
        if expected.dtype.kind in "iub" or (case_id in EXACT and k.startswith("out")):
            np.testing.assert_array_equal(got[k], expected)
        else:
            np.testing.assert_allclose(got[k], expected, **_tol(case_id, want["dtype"]))
            np.testing.assert_array_equal(np.isnan(got[k]), np.isnan(expected))
    torch = _torch_or_none()
    if torch is not None:                              # the record is still PyTorch's answer
        live = run_case(torch, case_id)
        assert [live[k] for k in ("dtype", "shape", "name")] == \
            [want[k] for k in ("dtype", "shape", "name")]
        for k in keys:
            np.testing.assert_allclose(live[k], arrays[f"{case_id}/{k}"], rtol=1e-6, atol=1e-30)


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(numtorch, case_id)
    assert want is not None and got is not None, (want, got)
    assert got[0] == want[0]
    if case_id == "meshgrid_2d":                 # PyTorch prints the tensor C++-style
        assert got[1].split(":")[0] == want[1].split(":")[0]
    else:
        assert got[1] == want[1]
    torch = _torch_or_none()
    if torch is not None:
        assert error_of(torch, case_id) == want


@pytest.mark.parametrize("case_id", list(HIGHER))
def test_higher_order(case_id, record):
    arrays = record[0]
    got = run_higher(numtorch, case_id)
    rtol = HIGHER_LOOSE.get(case_id, 1e-9)
    for k, v in got.items():
        np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=rtol, atol=1e-12,
                                   err_msg=k)
    torch = _torch_or_none()
    if torch is not None:
        live = run_higher(torch, case_id)
        for k, v in live.items():
            np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=1e-12, atol=1e-14)


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ia = a.astype(np.float32).view(np.int32).astype(np.int64)
    ib = b.astype(np.float32).view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, -(ia & 0x7FFFFFFF), ia)
    ib = np.where(ib < 0, -(ib & 0x7FFFFFFF), ib)
    return np.where(np.isnan(a) & np.isnan(b), 0, np.abs(ia - ib))


@pytest.mark.parametrize("name", list(GRIDS))
def test_float32_within_one_ulp_of_pytorch(name, record):
    want = record[0][f"grid/{name}"]
    got = grid_values(numtorch, name, "float32")
    assert _ulps(got, want).max() <= 1
    torch = _torch_or_none()
    if torch is not None:
        np.testing.assert_array_equal(grid_values(torch, name, "float32"), want)


def test_record_is_not_trivial(record):
    arrays, facts = record
    assert len(facts["cases"]) == len(CASES) and len(facts["errors"]) == len(ERRORS)
    assert all(v is not None for v in facts["errors"].values())
    assert np.isinf(arrays["erfinv/out0"]).sum() == 2 and np.isnan(arrays["erfinv/out0"]).sum() == 3


# -- float64 accuracy from mathematics (no torch) --------------------------------------------------

def _points(seed, lo, hi, n=4000):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.uniform(lo, hi, n), np.geomspace(1e-300, 1, 300)])


def test_erf_erfc_float64_against_math():
    x = np.concatenate([_points(1, -6, 6), _points(2, -27, 27, 1000)])
    x = np.concatenate([x, -x])
    got_erf = numtorch.erf(numtorch.tensor(x)).numpy()
    got_erfc = numtorch.erfc(numtorch.tensor(x)).numpy()
    want_erf = np.array([math.erf(v) for v in x])
    want_erfc = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(got_erf, want_erf, rtol=1e-15, atol=0)
    tiny = want_erfc < 1e-300                  # denormal results: absolute accuracy there
    np.testing.assert_allclose(got_erfc[~tiny], want_erfc[~tiny], rtol=2e-15, atol=0)
    np.testing.assert_allclose(got_erfc[tiny], want_erfc[tiny], rtol=0, atol=1e-310)


def test_erfinv_inverts_erf_to_float64_precision():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-5.8, 5.8, 4000), np.geomspace(1e-300, 1, 300)])
    y = np.array([math.erf(v) for v in x])
    keep = np.abs(y) < 1 - 1e-15                     # where erf still tells x apart
    back = numtorch.erfinv(numtorch.tensor(y[keep])).numpy()
    # erfinv's conditioning: d x / x = (dy / y) * y / (x erf'(x)): the rounding of y (half an
    # ulp, times that) plus erfinv's own error (a few units of 1e-16)
    cond = np.abs(y[keep] / (x[keep] * 2 / math.sqrt(math.pi) * np.exp(-x[keep] ** 2)))
    err = np.abs(back - x[keep]) / np.abs(x[keep])
    assert np.all(err <= 3e-16 * (cond + 1))


def test_erfcinv_tail_through_ndtri():
    # ndtri(p) = -sqrt(2) erfcinv(2p): erfc(-ndtri(p)/sqrt(2)) = 2p down to p = 1e-300
    p = np.geomspace(1e-300, 0.4, 400)
    q = numtorch.special.ndtri(numtorch.tensor(p)).numpy()
    back = np.array([math.erfc(-v / math.sqrt(2)) / 2 for v in q])
    # erfc's conditioning at x ~ 26 (2 x^2 ~ 1400) times the roundings of q and of x / sqrt(2)
    np.testing.assert_allclose(back, p, rtol=1e-12)


def test_lgamma_float64_against_math():
    x = np.concatenate([_points(4, 0, 30), _points(5, -30, 0), np.geomspace(30, 1e300, 300),
                        np.arange(1, 40) + 0.5, np.linspace(0.9, 1.1, 201),
                        np.linspace(1.9, 2.1, 201)])
    x = x[~((x <= 0) & (x == np.floor(x)))]
    got = numtorch.lgamma(numtorch.tensor(x)).numpy()
    want = np.array([math.lgamma(v) for v in x])
    # relative where |lgamma| >= 1; absolute below (near lgamma's zeros at 1 and 2 CPython's own
    # math.lgamma is only absolutely accurate, and on the negative axis the reflection formula)
    scale = np.maximum(np.abs(want), 1.0)
    assert np.max(np.abs(got - want) / scale) < 5e-15


def test_lgamma_relative_accuracy_near_one_and_two():
    # lgamma(1 + z) = -gamma z + sum_k (-1)^k zeta(k) z^k / k; lgamma(2 + z) = lgamma(1 + z) +
    # log1p(z): full relative accuracy where lgamma is tiny
    zeta = {2: math.pi ** 2 / 6, 3: 1.2020569031595943, 4: math.pi ** 4 / 90,
            5: 1.0369277551433699, 6: math.pi ** 6 / 945}
    z = np.concatenate([np.geomspace(1e-12, 1e-3, 60), -np.geomspace(1e-12, 1e-3, 60)])
    series = -0.5772156649015329 * z + sum((-1) ** k * zeta[k] * z ** k / k for k in zeta)
    got1 = numtorch.lgamma(numtorch.tensor(1 + z)).numpy()
    got2 = numtorch.lgamma(numtorch.tensor(2 + z)).numpy()
    # (1 + z and 2 + z are rounded: compare at the argument actually passed)
    z1, z2 = (1 + z) - 1, (2 + z) - 2
    s1 = -0.5772156649015329 * z1 + sum((-1) ** k * zeta[k] * z1 ** k / k for k in zeta)
    s2 = -0.5772156649015329 * z2 + sum((-1) ** k * zeta[k] * z2 ** k / k for k in zeta) + \
        np.log1p(z2)
    assert series.shape == got1.shape
    np.testing.assert_allclose(got1, s1, rtol=1e-14)
    np.testing.assert_allclose(got2, s2, rtol=1e-14)


def test_gamma_family_identities():
    x = np.linspace(0.1, 20, 500)
    t = numtorch.tensor(x)
    # digamma(x + 1) = digamma(x) + 1/x, trigamma(x + 1) = trigamma(x) - 1/x^2
    d, d1 = numtorch.digamma(t).numpy(), numtorch.digamma(t + 1).numpy()
    np.testing.assert_allclose(d1, d + 1 / x, rtol=1e-13, atol=1e-14)
    p, p1 = numtorch.polygamma(1, t).numpy(), numtorch.polygamma(1, t + 1).numpy()
    np.testing.assert_allclose(p1, p - 1 / x ** 2, rtol=1e-13, atol=1e-14)
    # polygamma(n, 1) = (-1)^(n+1) n! zeta(n+1); zeta(2) = pi^2/6, zeta(4) = pi^4/90
    one = numtorch.tensor([1.0], dtype=numtorch.float64)
    assert numtorch.polygamma(1, one).item() == pytest.approx(math.pi ** 2 / 6, rel=1e-15)
    assert numtorch.polygamma(3, one).item() == pytest.approx(6 * math.pi ** 4 / 90, rel=1e-14)
    assert numtorch.digamma(one).item() == pytest.approx(-0.5772156649015329, rel=1e-15)
    z = numtorch.special.zeta(numtorch.tensor([2.0, 4.0], dtype=numtorch.float64), 1.0).numpy()
    np.testing.assert_allclose(z, [math.pi ** 2 / 6, math.pi ** 4 / 90], rtol=1e-15)


def test_bessel_against_series():
    x = np.linspace(-20, 20, 401)
    want0 = np.array([math.fsum((v * v / 4) ** k / math.factorial(k) ** 2 for k in range(80))
                      for v in x])
    want1 = np.array([v / 2 * math.fsum((v * v / 4) ** k / (math.factorial(k) *
                                                            math.factorial(k + 1))
                                        for k in range(80)) for v in x])
    t = numtorch.tensor(x)
    np.testing.assert_allclose(numtorch.i0(t).numpy(), want0, rtol=2e-15)
    np.testing.assert_allclose(numtorch.special.i1(t).numpy(), want1, rtol=2e-15)
    np.testing.assert_allclose(numtorch.special.i0e(t).numpy(), want0 * np.exp(-np.abs(x)),
                               rtol=2e-15)


def test_inplace_and_methods():
    x = numtorch.tensor([0.25, 0.5, 2.0])
    assert numtorch.equal(x.erf(), numtorch.erf(x))
    assert numtorch.equal(x.polygamma(2), numtorch.polygamma(2, x))
    y = x.clone()
    assert y.lgamma_() is y and numtorch.equal(y, numtorch.lgamma(x))
    y = x.clone()
    y.xlogy_(numtorch.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(y.numpy(), x.numpy() * np.log([1.0, 2.0, 3.0]), rtol=1e-6)
    y = numtorch.tensor([float("nan"), 1.0])
    assert y.nan_to_num_(nan=5.0) is y and y.tolist() == [5.0, 1.0]
    out = numtorch.empty(3)
    assert numtorch.erfinv(x - 0.5, out=out) is out


def test_inplace_keeps_the_graph():
    a = numtorch.tensor([0.3, 0.6], dtype=numtorch.float64, requires_grad=True)
    b = a * 1
    b.erfinv_()
    assert b.grad_fn.name() == "ErfinvBackward0"
    b.sum().backward()
    expected = [math.sqrt(math.pi) / 2 * math.exp(v ** 2) for v in
                numtorch.erfinv(numtorch.tensor([0.3, 0.6], dtype=numtorch.float64)).tolist()]
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-14)


def test_meshgrid_warns_once_without_indexing(monkeypatch):
    from numtorch.ops import creation
    monkeypatch.setattr(creation, "_MESHGRID_WARNED", [False])
    a = numtorch.tensor([1, 2])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        numtorch.meshgrid(a, a)
        numtorch.meshgrid(a, a)
        numtorch.meshgrid(a, a, indexing="ij")
    msgs = [str(m.message) for m in w]
    assert msgs == ["torch.meshgrid: in an upcoming release, it will be required to pass the "
                    "indexing argument."]


# -- float64 gradcheck and gradgradcheck for every differentiable op (no torch) -------------------

def _g(lo, hi, *shapes):
    return (lo, hi, shapes)


GRADCHECK = {
    "erf": (lambda a: numtorch.erf(a), _g(-2, 2, (4,))),
    "erfc": (lambda a: numtorch.erfc(a), _g(-2, 2, (4,))),
    "erfinv": (lambda a: numtorch.erfinv(a), _g(-0.9, 0.9, (4,))),
    "erfcx": (lambda a: numtorch.special.erfcx(a), _g(-2, 5, (4,))),
    "ndtr": (lambda a: numtorch.special.ndtr(a), _g(-3, 3, (4,))),
    "ndtri": (lambda a: numtorch.special.ndtri(a), _g(0.05, 0.95, (4,))),
    "log_ndtr": (lambda a: numtorch.special.log_ndtr(a), _g(-10, 4, (4,))),
    "lgamma": (lambda a: numtorch.lgamma(a), _g(0.1, 8, (4,))),
    "lgamma_negative": (lambda a: numtorch.lgamma(a), _g(-2.9, -2.1, (4,))),
    "digamma": (lambda a: numtorch.digamma(a), _g(0.1, 8, (4,))),
    "digamma_negative": (lambda a: numtorch.digamma(a), _g(-1.9, -1.1, (4,))),
    "polygamma1": (lambda a: numtorch.polygamma(1, a), _g(0.2, 8, (4,))),
    "polygamma3": (lambda a: numtorch.polygamma(3, a), _g(0.5, 8, (4,))),
    "mvlgamma": (lambda a: numtorch.mvlgamma(a, 2), _g(1.0, 6, (4,))),
    "zeta_q": (lambda a: numtorch.special.zeta(3.0, a), _g(0.5, 4, (4,))),
    "i0": (lambda a: numtorch.i0(a), _g(-9, 9, (4,))),
    "i0e": (lambda a: numtorch.special.i0e(a), _g(0.2, 9, (4,))),
    "i1": (lambda a: numtorch.special.i1(a), _g(-9, 9, (4,))),
    "i1e": (lambda a: numtorch.special.i1e(a), _g(0.2, 9, (4,))),
    "sinc": (lambda a: numtorch.sinc(a), _g(-2, 2, (4,))),
    "entr": (lambda a: numtorch.special.entr(a), _g(0.1, 3, (4,))),
    "logit": (lambda a: numtorch.logit(a), _g(0.1, 0.9, (4,))),
    "logit_eps": (lambda a: numtorch.logit(a, 0.05), _g(0.1, 0.9, (4,))),
    "expit": (lambda a: numtorch.special.expit(a), _g(-3, 3, (4,))),
    "exp2": (lambda a: numtorch.exp2(a), _g(-2, 2, (4,))),
    "deg2rad": (lambda a: numtorch.deg2rad(a) ** 2, _g(-2, 2, (4,))),
    "rad2deg": (lambda a: numtorch.rad2deg(a) ** 2, _g(-2, 2, (4,))),
    "logaddexp": (lambda a, b: numtorch.logaddexp(a, b), _g(-2, 2, (3, 1), (4,))),
    "logaddexp2": (lambda a, b: numtorch.logaddexp2(a, b), _g(-2, 2, (3, 1), (4,))),
    "hypot": (lambda a, b: numtorch.hypot(a, b), _g(0.3, 2, (3,), (3,))),
    "xlogy": (lambda a, b: numtorch.xlogy(a, b), _g(0.3, 2, (3,), (2, 3))),
    "xlog1py": (lambda a, b: numtorch.special.xlog1py(a, b), _g(0.3, 2, (3,), (3,))),
    "cartesian_prod": (lambda a, b: numtorch.cartesian_prod(a, b) ** 2, _g(-1, 1, (2,), (3,))),
    "combinations": (lambda a: numtorch.combinations(a, 3, True) ** 2, _g(-1, 1, (3,))),
    "block_diag": (lambda a, b: numtorch.block_diag(a, b) ** 2, _g(-1, 1, (2, 3), (2,))),
    "kron": (lambda a, b: numtorch.kron(a, b), _g(-1, 1, (2, 3), (2, 1, 2))),
    "rot90": (lambda a: numtorch.rot90(a, 3, (2, 0)) ** 2, _g(-1, 1, (2, 3, 2))),
    "cdist_p2": (lambda a, b: numtorch.cdist(a, b), _g(-1, 1, (3, 2), (4, 2))),
    "cdist_p1": (lambda a, b: numtorch.cdist(a, b, 1.0), _g(-1, 1, (3, 2), (4, 2))),
    "cdist_p3": (lambda a, b: numtorch.cdist(a, b, 3.0), _g(-1, 1, (3, 2), (4, 2))),
    "cdist_p15": (lambda a, b: numtorch.cdist(a, b, 1.5), _g(-1, 1, (3, 2), (4, 2))),
    "cdist_pinf": (lambda a, b: numtorch.cdist(a, b, float("inf")), _g(-1, 1, (3, 2), (4, 2))),
    "cdist_mm": (lambda a, b: numtorch.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
                 _g(-1, 1, (2, 3, 2), (4, 2))),
    "trapezoid": (lambda a: numtorch.trapezoid(a, dx=0.5), _g(-1, 1, (3, 4))),
    "trapezoid_x": (lambda a, b: numtorch.trapezoid(a, b), _g(-1, 1, (3, 4), (4,))),
    "cumulative_trapezoid": (lambda a, b: numtorch.cumulative_trapezoid(a, b, dim=0),
                             _g(-1, 1, (3, 4), (3, 4))),
    "lerp": (lambda a, b: numtorch.lerp(a, b, 0.7), _g(-1, 1, (3,), (3,))),
    "lerp_tensor": (lambda a, b, c: numtorch.lerp(a, b, c), _g(-1, 1, (3,), (3,), (3,))),
    "nan_to_num": (lambda a: numtorch.nan_to_num(a) ** 2, _g(-1, 1, (3,))),
    "normalize": (lambda a: numtorch.nn.functional.normalize(a, p=3), _g(-1, 1, (2, 3))),
    "cosine_similarity": (lambda a, b: numtorch.nn.functional.cosine_similarity(a, b),
                          _g(-1, 1, (2, 3), (2, 3))),
    "pairwise_distance": (lambda a, b: numtorch.nn.functional.pairwise_distance(a, b, p=3),
                          _g(-1, 1, (2, 3), (2, 3))),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_and_gradgradcheck(name):
    fn, (lo, hi, shapes) = GRADCHECK[name]
    rng = _rng("gradcheck-" + name)
    inputs = tuple(numtorch.tensor(rng.uniform(lo, hi, s), requires_grad=True) for s in shapes)
    assert numtorch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
    assert numtorch.autograd.gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
