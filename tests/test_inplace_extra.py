"""The in-place forms of numtorch/ops/inplace_extra.py, against PyTorch 2.13's answers.

Each case is a function of the torch module (PyTorch or numtorch) that makes its inputs (from
its own seeded ``np.random.default_rng``) and runs one in-place op; its facts are the result's
dtype, shape, values and ``grad_fn`` name, the gradients that flow back through the op, the
version counter, or the exception raised. PyTorch's facts are recorded in
``tests/data/inplace_extra.json`` (regenerate with ``python tests/data/regen_inplace_extra.py``
where torch 2.13 is installed); with torch installed the record is also checked against it.
Numeric gradient checks (float64, no torch needed) cover every differentiable op.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck
from _facts import capture, check_case, check_live, load, tensor_facts

RECORD_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                           "inplace_extra.json")


# -- inputs and facts -----------------------------------------------------------------------------

def _rand(T, seed, shape, low=-1.0, high=1.0, dtype=None):
    rng = np.random.default_rng(seed)
    return T.tensor(rng.uniform(low, high, shape), dtype=dtype or T.float32)


def _name(t):
    fn = t.grad_fn
    return None if fn is None else fn.name().replace("torch::autograd::", "")


def _facts(r):
    """A tensor's dtype, shape, values and grad_fn name; tuples and lists item by item."""
    if isinstance(r, (tuple, list)):
        return [_facts(x) for x in r]
    if hasattr(r, "dtype") and hasattr(r, "shape"):
        return dict(tensor_facts(r), grad_fn=_name(r))
    return r


def _through(T, op, seed, shape=(2, 3), low=-1.0, high=1.0, others=(), **kwargs):
    """``op`` applied in place to ``x * 1`` (x a leaf that requires grad; ``others`` are extra
    leaves made by ``others[i](T)``): the result, its version step, and the gradients of a
    weighted sum of the result with respect to x and the other leaves."""
    x = _rand(T, seed, shape, low, high).requires_grad_()
    extra = [make(T) for make in others]
    y = x * 1
    v0 = y._version
    r = op(y, *extra, **kwargs)
    w = _rand(T, seed + 1, tuple(y.shape), 0.5, 1.5)
    (y * w).sum().backward()
    grads = [t.grad for t in [x] + [e for e in extra if e.requires_grad]]
    return {"result": _facts(r), "same": r is y, "version": y._version - v0,
            "grads": _facts(grads)}


def _plain(fn):
    return lambda T: _facts(fn(T))


CASES: dict = {}

# -- unary: x.cos_() and torch.cos_(x) ----------------------------------------------------------

UNARY = {"acos_": (-0.9, 0.9), "asin_": (-0.9, 0.9), "atan_": (-2, 2), "arccos_": (-0.9, 0.9),
         "arcsin_": (-0.9, 0.9), "arctan_": (-2, 2), "cos_": (-2, 2), "cosh_": (-2, 2),
         "sin_": (-2, 2), "sinh_": (-2, 2), "tan_": (-1.2, 1.2), "expm1_": (-2, 2),
         "log10_": (0.1, 3), "log1p_": (-0.5, 3), "log2_": (0.1, 3), "rsqrt_": (0.1, 3)}

for _i, (_op, (_lo, _hi)) in enumerate(UNARY.items()):
    CASES[f"grad_{_op}"] = (lambda op, s, lo, hi: lambda T: _through(
        T, lambda y: getattr(y, op)(), s, (2, 3), lo, hi))(_op, 10 * _i, _lo, _hi)
    CASES[f"fn_{_op}"] = (lambda op, s, lo, hi: lambda T: (lambda x: [
        _facts(getattr(T, op)(x)), getattr(T, op)(x) is x])(
        _rand(T, s, (4,), lo, hi, T.float64)))(_op, 10 * _i + 5, _lo, _hi)
    CASES[f"long_{_op}"] = (lambda op: _plain(lambda T: getattr(T.tensor([1, 2]), op)()))(_op)
    CASES[f"leaf_{_op}"] = (lambda op: _plain(
        lambda T: getattr(T.tensor([0.5], requires_grad=True), op)()))(_op)

CASES.update({
    "unary_bool": _plain(lambda T: T.tensor([True]).cos_()),
    "unary_not_tensor": _plain(lambda T: T.sin_(3)),
    "unary_nograd": _plain(lambda T: (lambda x: (T.set_grad_enabled(False), (x * 1).sin_(),
                                                 T.set_grad_enabled(True))[1])(
        T.tensor([0.5], requires_grad=True))),
    "unary_complex": _plain(lambda T: T.tensor([1 + 1j, -0.5j]).sinh_()),
    "unary_view": lambda T: (lambda x: (lambda y: (lambda v: [
        _facts(v.cos_()), _name(y), (y.sum().backward(), _facts(x.grad))[1]])(y[:2]))(x * 1))(
        T.tensor([1.0, 2.0, 3.0], requires_grad=True)),
    # a tensor that a node saved is modified: PyTorch's check (its message's middle part names
    # the tensor in its own words, so the facts are the type and the opening)
    "unary_saved_modified": lambda T: (lambda x: (lambda y: (lambda z: _modified(
        lambda: (y.cos_(), z.sum().backward())))(y.sin()))(x * 1))(
        T.tensor([0.3, 0.4], requires_grad=True)),
    "unary_saved_output_ok": lambda T: (lambda x: (lambda y: (lambda z: (
        z.cos_(), z.sum().backward(), _facts(x.grad))[2])(y.sin()))(x * 1))(
        T.tensor([0.3, 0.4], requires_grad=True)),
})


def _modified(fn):
    try:
        fn()
    except RuntimeError as e:
        return ["RuntimeError", str(e).startswith(
            "one of the variables needed for gradient computation has been modified by an "
            "inplace operation")]
    return "no error"


# -- comparisons: the tensor's own dtype, Backward0 (number) / Backward1 (tensor), no gradient ----

COMPARE = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_",
           "less_equal_", "not_equal_"]


def _steps(T, seed, shape):
    """Values on a coarse grid (so that some compare equal)."""
    rng = np.random.default_rng(seed)
    return T.tensor(rng.integers(-2, 3, shape).astype(np.float32))


def _compare_tensor(T, op, seed):
    x = _steps(T, seed, (2, 3)).requires_grad_()
    o = _steps(T, seed + 1, (3,)).to(T.float64).requires_grad_()
    y = x * 1
    r = getattr(y, op)(o)
    (r * 2).sum().backward()
    return [_facts(r), _facts(x.grad), _facts(o.grad)]


for _i, _op in enumerate(COMPARE):
    CASES[f"cmp_{_op}_scalar"] = (lambda op, s: lambda T: _through(
        T, lambda y: getattr(y, op)(0.0), s, (2, 3)))(_op, 300 + 10 * _i)
    CASES[f"cmp_{_op}_tensor"] = (lambda op, s: lambda T: _compare_tensor(T, op, s))(
        _op, 305 + 10 * _i)
    CASES[f"cmp_{_op}_long"] = (lambda op: _plain(
        lambda T: getattr(T.tensor([1, 2, 3]), op)(2.5)))(_op)
    CASES[f"cmp_{_op}_bool"] = (lambda op: _plain(
        lambda T: getattr(T.tensor([True, False, True]), op)(T.tensor([1, 0, 0]))))(_op)

CASES.update({
    "cmp_int_vs_float_tensor": _plain(lambda T: T.tensor([1, 2, 3]).lt_(T.tensor([2.5]))),
    "cmp_other_needs_grad": lambda T: (lambda o: (lambda y: [
        _facts(y.eq_(o)), y.requires_grad, (y.sum().backward(), _facts(o.grad))[1]])(
        T.tensor([1.0, 2.0, 3.0])))(T.tensor([1.0, 0.0, 3.0], requires_grad=True)),
    "cmp_output_shape": _plain(lambda T: T.tensor([1, 2, 3]).lt_(T.tensor([[2.5], [1.0]]))),
    "cmp_mismatch": _plain(lambda T: T.tensor([1, 2, 3]).lt_(T.tensor([2.5, 1.0]))),
    "cmp_leaf": _plain(lambda T: T.tensor([1.0], requires_grad=True).eq_(1)),
    "cmp_str": _plain(lambda T: T.tensor([1, 2]).eq_("a")),
    "cmp_version": lambda T: (lambda y: (y.ge_(1), y._version)[1])(T.ones(2)),
    "cmp_nograd": _plain(lambda T: (lambda x: (T.set_grad_enabled(False), (x * 1).eq_(1.0),
                                               T.set_grad_enabled(True))[1])(
        T.tensor([1.0, 2.0], requires_grad=True))),
})

# -- logical and bitwise: nothing recorded, nothing refused -----------------------------------------

for _op in ("logical_and_", "logical_or_", "logical_xor_"):
    CASES.update({
        f"{_op}_float": (lambda op: _plain(lambda T: getattr(T.tensor([1.0, 2.0, 0.0, 0.0]), op)(
            T.tensor([0, 1, 1, 0]))))(_op),
        f"{_op}_bool": (lambda op: _plain(lambda T: getattr(T.tensor([True, False, False]), op)(
            T.tensor([1.5, 0.0, 2.0]))))(_op),
        f"{_op}_long_bcast": (lambda op: _plain(lambda T: getattr(T.tensor([[3, 0], [0, 0]]), op)(
            T.tensor([True, False]))))(_op),
        f"{_op}_graph_kept": (lambda op: lambda T: (lambda x: (lambda y: (
            getattr(y, op)(T.tensor([0.0, 1.0])), [_name(y), y._version]))(x * 1))(
            T.tensor([1.0, 0.0], requires_grad=True))[1])(_op),
        f"{_op}_leaf": (lambda op: _plain(lambda T: getattr(
            T.tensor([1.0, 0.0], requires_grad=True), op)(T.tensor([0.0, 0.0]))))(_op),
        f"{_op}_number": (lambda op: _plain(lambda T: getattr(T.tensor([1, 2]), op)(2.5)))(_op),
        f"{_op}_shape": (lambda op: _plain(lambda T: getattr(T.tensor([1, 2]), op)(
            T.ones(2, 2))))(_op),
    })

for _op in ("bitwise_and_", "bitwise_or_", "bitwise_xor_"):
    CASES.update({
        f"{_op}_long": (lambda op: _plain(lambda T: getattr(T.tensor([[5, 6, 7], [-1, 0, 9]]), op)(
            T.tensor([3, 12, 1]))))(_op),
        f"{_op}_number": (lambda op: _plain(lambda T: getattr(T.tensor([5, 6]), op)(3)))(_op),
        f"{_op}_bool": (lambda op: _plain(lambda T: getattr(T.tensor([True, False]), op)(
            T.tensor([True, True]))))(_op),
        f"{_op}_bool_true": (lambda op: _plain(lambda T: getattr(T.tensor([True, False]), op)(
            True)))(_op),
        f"{_op}_bool_long": (lambda op: _plain(lambda T: getattr(T.tensor([True, False]), op)(
            T.tensor([3, 1]))))(_op),
        f"{_op}_int32_long": (lambda op: _plain(lambda T: getattr(
            T.tensor([1, 2, 3], dtype=T.int32), op)(T.tensor([3]))))(_op),
        f"{_op}_uint8_wraps": (lambda op: _plain(lambda T: getattr(
            T.tensor([1, 2], dtype=T.uint8), op)(300)))(_op),
        f"{_op}_long_float": (lambda op: _plain(lambda T: getattr(T.tensor([1, 2]), op)(1.5)))(_op),
        f"{_op}_float": (lambda op: _plain(lambda T: getattr(T.tensor([1.0, 2.0]), op)(1)))(_op),
        f"{_op}_str": (lambda op: _plain(lambda T: getattr(T.tensor([1, 2]), op)("a")))(_op),
    })

# -- cumsum_, cumprod_ ------------------------------------------------------------------------------

for _op in ("cumsum_", "cumprod_"):
    CASES.update({
        f"{_op}_dim0": (lambda op: lambda T: _through(T, lambda y: getattr(y, op)(0), 500,
                                                      (3, 4), 0.5, 1.5))(_op),
        f"{_op}_dim_neg": (lambda op: lambda T: _through(T, lambda y: getattr(y, op)(-1), 510,
                                                         (3, 4), -1.5, 1.5))(_op),
        f"{_op}_0d": (lambda op: lambda T: _through(T, lambda y: getattr(y, op)(0), 520, ()))(_op),
        f"{_op}_dtype_same": (lambda op: _plain(lambda T: getattr(T.tensor([1.0, 2.0, 3.0]), op)(
            0, dtype=T.float32)))(_op),
        f"{_op}_dtype_other": (lambda op: _plain(lambda T: getattr(T.tensor([1.0, 2.0]), op)(
            0, dtype=T.float64)))(_op),
        f"{_op}_long_dtype_float": (lambda op: _plain(lambda T: getattr(T.tensor([1, 2]), op)(
            0, dtype=T.float32)))(_op),
        f"{_op}_int32": (lambda op: _plain(lambda T: getattr(T.tensor([[1, 2], [3, 4]],
                                                                      dtype=T.int32), op)(1)))(_op),
        f"{_op}_int8_wraps": (lambda op: _plain(lambda T: getattr(T.tensor([100, 3, 2, 90],
                                                                           dtype=T.int8), op)(0)))(_op),
        f"{_op}_bool": (lambda op: _plain(lambda T: getattr(T.tensor([True, True]), op)(0)))(_op),
        f"{_op}_dim_range": (lambda op: _plain(lambda T: getattr(T.tensor([5.0]), op)(1)))(_op),
        f"{_op}_dim_none": (lambda op: _plain(lambda T: getattr(T.tensor([5.0]), op)(None)))(_op),
        f"{_op}_dim_keyword": (lambda op: _plain(lambda T: getattr(T.tensor([2.0, 3.0]), op)(
            dim=0)))(_op),
        f"{_op}_leaf": (lambda op: _plain(lambda T: getattr(
            T.tensor([1.0], requires_grad=True), op)(0)))(_op),
    })
CASES["cumprod__zeros"] = lambda T: (lambda x: (lambda y: (
    y.cumprod_(0), (y * T.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward(), _facts(x.grad))[2])(
    x * 1))(T.tensor([2.0, 0.0, 3.0, 0.5], requires_grad=True))

# -- binary arithmetic -----------------------------------------------------------------------------

def _other(seed, shape=(3,), low=-2.0, high=2.0, grad=True, dtype=None):
    def make(T):
        t = _rand(T, seed, shape, low, high, dtype)
        return t.requires_grad_() if grad else t
    return make


CASES.update({
    "fmod_number": lambda T: _through(T, lambda y: y.fmod_(0.7), 600, (2, 3), -2, 2),
    "fmod_int_number": lambda T: _through(T, lambda y: y.fmod_(2), 605, (2, 3), -5, 5),
    "fmod_tensor": lambda T: _through(T, lambda y, o: y.fmod_(o), 610, (2, 3), -3, 3,
                                      others=(_other(611, (3,), 0.5, 1.5),)),
    "fmod_0d_tensor": lambda T: _through(T, lambda y: y.fmod_(T.tensor(0.8)), 615, (3,), -3, 3),
    "fmod_long": _plain(lambda T: T.tensor([5, -7, 9]).fmod_(3)),
    "fmod_long_float": _plain(lambda T: T.tensor([5, -7]).fmod_(3.5)),
    "fmod_long_zero": _plain(lambda T: T.tensor([5, -7]).fmod_(0)),
    "fmod_float64_other": _plain(lambda T: T.tensor([5.0, -7.0]).fmod_(
        T.tensor([1.5, 2.0], dtype=T.float64))),
    "fmod_shape": _plain(lambda T: T.tensor([5.0, -7.0]).fmod_(T.tensor([[1.0], [2.0]]))),
    "fmod_str": _plain(lambda T: T.tensor([5.0, -7.0]).fmod_("a")),
    "fmod_leaf": _plain(lambda T: T.tensor([5.0], requires_grad=True).fmod_(2)),
    "divide_tensor": lambda T: _through(T, lambda y, o: y.divide_(o), 620, (2, 3),
                                        others=(_other(621, (3,), 0.5, 2.0),)),
    "divide_floor": lambda T: _through(T, lambda y, o: y.divide_(o, rounding_mode="floor"), 625,
                                       (2, 3), -3, 3, others=(_other(626, (3,), 0.5, 2.0),)),
    "divide_trunc": lambda T: _through(T, lambda y: y.divide_(0.7, rounding_mode="trunc"), 630,
                                       (2, 3), -3, 3),
    "divide_long": _plain(lambda T: T.tensor([5, -7]).divide_(2)),
    "divide_long_floor": _plain(lambda T: T.tensor([5, -7]).divide_(2, rounding_mode="floor")),
    "true_divide_number": lambda T: _through(T, lambda y: y.true_divide_(4), 635, (3,)),
    "true_divide_long": _plain(lambda T: T.tensor([5, -7]).true_divide_(2)),
    "multiply_tensor": lambda T: _through(T, lambda y, o: y.multiply_(o), 640, (2, 3),
                                          others=(_other(641),)),
    "multiply_long_float": _plain(lambda T: T.tensor([5, -7]).multiply_(2.5)),
    "multiply_long_int": _plain(lambda T: T.tensor([5, -7]).multiply_(3)),
    "subtract_alpha": lambda T: _through(T, lambda y, o: y.subtract_(o, alpha=2), 645, (2, 3),
                                         others=(_other(646),)),
    "subtract_bool": _plain(lambda T: T.tensor([True, False]).subtract_(True)),
    "subtract_shape": _plain(lambda T: T.ones(3).subtract_(T.ones(2, 3))),
    "atan2_tensor": lambda T: _through(T, lambda y, o: y.atan2_(o), 650, (2, 3),
                                       others=(_other(651),)),
    "arctan2_tensor": lambda T: _through(T, lambda y, o: y.arctan2_(o), 655, (3,),
                                         others=(_other(656),)),
    "atan2_long": _plain(lambda T: T.tensor([5, -7]).atan2_(T.tensor([1, 2]))),
    "atan2_float_long": _plain(lambda T: T.tensor([5.0, -7.0]).atan2_(T.tensor([1, 2]))),
    "atan2_float64_self": _plain(lambda T: T.tensor([5.0, -7.0], dtype=T.float64).atan2_(
        T.tensor([1.0, 2.0]))),
    "atan2_number": _plain(lambda T: T.tensor([5.0, -7.0]).atan2_(2)),
    "atan2_mismatch": _plain(lambda T: T.tensor([5.0, -7.0]).atan2_(T.tensor([1.0, 2.0, 3.0]))),
    "atan2_shape": _plain(lambda T: T.tensor([5.0, -7.0]).atan2_(T.tensor([[1.0], [2.0]]))),
    "atan2_leaf": _plain(lambda T: T.tensor([5.0], requires_grad=True).atan2_(T.tensor([1.0]))),
})

# -- addmm_ ----------------------------------------------------------------------------------------

CASES.update({
    "addmm_grad": lambda T: _through(
        T, lambda y, a, b: y.addmm_(a, b), 700, (2, 3),
        others=(_other(701, (2, 4)), _other(702, (4, 3)))),
    "addmm_beta_alpha": lambda T: _through(
        T, lambda y, a, b: y.addmm_(a, b, beta=0.5, alpha=-2), 705, (3, 2),
        others=(_other(706, (3, 5)), _other(707, (5, 2), grad=False)),),
    "addmm_beta0_nan": _plain(lambda T: T.full((2, 3), float("nan")).addmm_(
        T.ones(2, 4), T.ones(4, 3), beta=0)),
    "addmm_long": _plain(lambda T: T.full((2, 3), 3).addmm_(
        T.ones(2, 4, dtype=T.long), T.ones(4, 3, dtype=T.long), beta=1.5, alpha=2.7)),
    "addmm_size": _plain(lambda T: T.zeros(3).addmm_(T.ones(2, 4), T.ones(4, 3))),
    "addmm_size_row": _plain(lambda T: T.zeros(1, 3).addmm_(T.ones(2, 4), T.ones(4, 3))),
    "addmm_shapes": _plain(lambda T: T.zeros(2, 3).addmm_(T.ones(2, 4), T.ones(3, 4))),
    "addmm_vector": _plain(lambda T: T.zeros(2, 3).addmm_(T.ones(2, 4), T.ones(4))),
    "addmm_3d": _plain(lambda T: T.zeros(2, 3).addmm_(T.ones(2, 4, 1), T.ones(4, 3))),
    "addmm_dtype_self": _plain(lambda T: T.zeros(2, 3, dtype=T.float64).addmm_(
        T.ones(2, 4, dtype=T.float64), T.ones(4, 3))),
    "addmm_dtype_mats": _plain(lambda T: T.zeros(2, 3).addmm_(T.ones(2, 4, dtype=T.float64),
                                                              T.ones(4, 3))),
    "addmm_dtype_self_only": _plain(lambda T: T.zeros(2, 3, dtype=T.float64).addmm_(
        T.ones(2, 4), T.ones(4, 3))),
    "addmm_number": _plain(lambda T: T.zeros(2, 3).addmm_(T.ones(2, 4), 3)),
    "addmm_transposed_self": _plain(lambda T: T.zeros(3, 2).t().addmm_(T.ones(2, 4),
                                                                      T.ones(4, 3))),
    "addmm_leaf": _plain(lambda T: T.zeros(2, 3, requires_grad=True).addmm_(T.ones(2, 4),
                                                                           T.ones(4, 3))),
})

# -- fill_diagonal_ --------------------------------------------------------------------------------

FILL_SHAPES = {"square": (3, 3), "tall": (7, 3), "tall_edge": (4, 3), "wide": (3, 5),
               "cube": (2, 2, 2)}
for _k, _shape in FILL_SHAPES.items():
    for _wrap in (False, True):
        CASES[f"fill_diagonal_{_k}_{_wrap}"] = (lambda shape, wrap: lambda T: (lambda y: [
            _facts(y.fill_diagonal_(1.5, wrap=wrap)), y._version])(T.zeros(*shape)))(_shape, _wrap)
        CASES[f"fill_diagonal_{_k}_{_wrap}_grad"] = (lambda shape, wrap: lambda T: _through(
            T, lambda y: y.fill_diagonal_(-2.0, wrap=wrap), 800, shape))(_shape, _wrap)

CASES.update({
    "fill_diagonal_transposed_wrap": _plain(lambda T: T.zeros(3, 7).t().fill_diagonal_(1, wrap=True)),
    "fill_diagonal_transposed_wrap_grad": lambda T: (lambda w: (lambda y: [
        _facts(y.fill_diagonal_(5.0, wrap=True)), (y.pow(2).sum().backward(), _facts(w.grad))[1]])(
        w.t() * 2))(T.ones(3, 7, requires_grad=True)),
    "fill_diagonal_view_grad": lambda T: (lambda w: (lambda y: (lambda v: [
        _facts(v.fill_diagonal_(0.0)), _name(y), (y.sum().backward(), _facts(w.grad))[1]])(y[1:]))(
        w * 3))(T.ones(4, 3, requires_grad=True)),
    "fill_diagonal_long_float": _plain(lambda T: T.zeros(2, 2, dtype=T.long).fill_diagonal_(1.7)),
    "fill_diagonal_bool": _plain(lambda T: T.zeros(2, 2, dtype=T.bool).fill_diagonal_(2)),
    "fill_diagonal_0d_tensor": _plain(lambda T: T.zeros(2, 2).fill_diagonal_(T.tensor(3.0))),
    "fill_diagonal_true": _plain(lambda T: T.zeros(2, 2).fill_diagonal_(True)),
    "fill_diagonal_empty": _plain(lambda T: T.zeros(0, 0).fill_diagonal_(1)),
    "fill_diagonal_keywords": _plain(lambda T: T.zeros(2, 2).fill_diagonal_(fill_value=2,
                                                                            wrap=True)),
    "fill_diagonal_1d": _plain(lambda T: T.zeros(3).fill_diagonal_(1)),
    "fill_diagonal_unequal": _plain(lambda T: T.zeros(2, 2, 3).fill_diagonal_(1)),
    "fill_diagonal_str": _plain(lambda T: T.zeros(2, 2).fill_diagonal_("a")),
    "fill_diagonal_1d_tensor": _plain(lambda T: T.zeros(2, 2).fill_diagonal_(T.tensor([1.0, 2.0]))),
    "fill_diagonal_complex_value": _plain(lambda T: T.zeros(2, 2).fill_diagonal_(1 + 2j)),
    "fill_diagonal_leaf": _plain(lambda T: T.ones(3, 3, requires_grad=True).fill_diagonal_(5.0)),
})

# -- torch.* in-place functions --------------------------------------------------------------------

def _seeded_dropout(T):
    T.manual_seed(0)
    return _through(T, lambda y: T.dropout_(y, 0.4, True), 900, (3, 5))


CASES.update({
    "celu_": lambda T: _through(T, lambda y: T.celu_(y), 910, (2, 3), -2, 2),
    "celu_alpha": lambda T: _through(T, lambda y: T.celu_(y, 2.0), 915, (2, 3), -2, 2),
    "celu_alpha_keyword": _plain(lambda T: T.celu_(T.tensor([-1.0, 0.5]), alpha=0.5)),
    "celu_alpha_zero": _plain(lambda T: T.celu_(T.tensor([1.0]), 0.0)),
    "celu_long": _plain(lambda T: T.celu_(T.tensor([1, 2]))),
    "celu_leaf": _plain(lambda T: T.celu_(T.tensor([1.0], requires_grad=True))),
    "celu_not_tensor": _plain(lambda T: T.celu_(3)),
    "F_celu_": lambda T: _through(T, lambda y: T.nn.functional.celu_(y, 1.5), 920, (4,), -2, 2),
    "selu_": lambda T: _through(T, lambda y: T.selu_(y), 925, (2, 3), -2, 2),
    "F_selu_": lambda T: _through(T, lambda y: T.nn.functional.selu_(y), 930, (4,), -2, 2),
    "selu_long": _plain(lambda T: T.selu_(T.tensor([1, 2]))),
    "F_is_torch": lambda T: [T.nn.functional.celu_ is T.celu_, T.nn.functional.selu_ is T.selu_],
    "dropout_": _seeded_dropout,
    "dropout_eval": lambda T: (lambda x: [_facts(T.dropout_(x, 0.5, False)),
                                          T.dropout_(x, 0.5, False) is x])(T.ones(3)),
    "dropout_range": _plain(lambda T: T.dropout_(T.ones(3), 1.5, True)),
    "dropout_missing": _plain(lambda T: T.dropout_(T.ones(3), 0.5)),
    "dropout_long": _plain(lambda T: T.dropout_(T.ones(3, dtype=T.long), 0.5, True)),
    "conj_physical_complex": lambda T: (lambda z: [_facts(T.conj_physical_(z)), z._version])(
        T.tensor([1 + 2j, 3 - 1j])),
    "conj_physical_method": _plain(lambda T: T.tensor([1 + 2j, -1j]).conj_physical_()),
    "conj_physical_real": lambda T: (lambda r: [T.conj_physical_(r) is r, r._version,
                                                _facts(r)])(T.tensor([1.0, -2.0])),
    "conj_physical_grad_real": lambda T: _through(T, lambda y: T.conj_physical_(y), 940, (3,)),
    "conj_physical_grad_complex": lambda T: (lambda z: (lambda y: [
        _facts(y.conj_physical_()),
        (T.view_as_real(y).pow(2).mul(T.tensor([1.0, 3.0])).sum().backward(),
         _facts(z.grad))[1]])(z * 1))(T.tensor([1 + 2j, -0.5 + 1j], requires_grad=True)),
    "conj_physical_leaf": _plain(lambda T: T.conj_physical_(T.tensor([1.0], requires_grad=True))),
    "zero_": _plain(lambda T: T.zero_(T.ones(2, 2))),
    "gcd_": _plain(lambda T: T.gcd_(T.tensor([12, 18, -4]), T.tensor([8, 12, 6]))),
    "lcm_": _plain(lambda T: T.lcm_(T.tensor([4, 6, 0]), T.tensor([6, 4, 5]))),
    "ldexp_": _plain(lambda T: T.ldexp_(T.tensor([1.5, 3.0]), T.tensor([2, -1]))),
    "addmv_": _plain(lambda T: T.addmv_(T.ones(2), T.tensor([[1.0, 2.0], [3.0, 4.0]]),
                                        T.tensor([1.0, -1.0]), beta=2, alpha=3)),
    "index_put_": _plain(lambda T: T.index_put_(T.zeros(4), (T.tensor([0, 2]),),
                                                T.tensor([5.0, 6.0]), accumulate=True)),
})

CASES["cmp_long_self_float_other_needs_grad"] = _plain(lambda T: T.tensor([1, 2, 3]).eq_(
    T.tensor([1.0, 0.0, 3.0], requires_grad=True)))


# -- more edges: views, no_grad, NumPy scalars, complex, NaN, overflow of fill values ---------------

CASES.update({
    "edge_cmp_view": lambda T: (lambda x: (lambda y: (lambda v: [
        _facts(v.gt_(0.5)), _name(y), (y.sum().backward(), _facts(x.grad))[1]])(y[1:]))(x * 1))(
        T.tensor([1.0, 0.2, 3.0], requires_grad=True)),
    "edge_cmp_numpy_scalars": lambda T: _facts([T.tensor([1.0, 2.0]).eq_(np.float64(2.0)),
                                                T.tensor([1, 2]).ne_(np.int64(2))]),
    "edge_cmp_none": _plain(lambda T: T.tensor([1.0, 2.0]).eq_(None)),
    "edge_cmp_nan_inf": lambda T: _facts([(lambda y: y.eq_(y))(T.tensor([1.0, float("nan")])),
                                          T.tensor([float("inf"), 1.0]).ge_(float("inf"))]),
    "edge_cmp_complex_eq": _plain(lambda T: T.tensor([1 + 1j, 2]).eq_(2)),
    "edge_cmp_complex_lt": _plain(lambda T: T.tensor([1 + 1j]).lt_(0)),
    "edge_cmp_complex_greater_equal": _plain(lambda T: T.tensor([1 + 1j]).greater_equal_(0)),
    "edge_cmp_real_vs_complex_le": _plain(lambda T: T.tensor([1.0]).le_(T.tensor([1j]))),
    "edge_unary_param_nograd": _plain(lambda T: (lambda p: (
        T.set_grad_enabled(False), T.cos_(p), T.set_grad_enabled(True))[1])(
        T.nn.Parameter(T.zeros(2)))),
    "edge_unary_float16": _plain(lambda T: T.tensor([0.5, 1.0], dtype=T.float16).cos_()),
    "edge_unary_complex_grad": lambda T: (lambda x: (lambda y: [
        _facts(y.cos_()), (y.abs().sum().backward(), _facts(x.grad))[1]])(x * 1))(
        T.tensor([1 + 1j, -0.5j], requires_grad=True)),
    "edge_cumsum_transposed": _plain(lambda T: T.arange(6.0).reshape(2, 3).t().cumsum_(0)),
    "edge_cumsum_float_dim": _plain(lambda T: T.tensor([5.0]).cumsum_(0.0)),
    "edge_cumsum_numpy_dim": _plain(lambda T: T.tensor([[1.0, 2.0]]).cumsum_(np.int64(1))),
    "edge_cumprod_bool_dim": _plain(lambda T: T.tensor([5.0]).cumprod_(True)),
    "edge_divide_bad_mode": _plain(lambda T: T.tensor([5.0]).divide_(2, rounding_mode="x")),
    "edge_true_divide_mode": _plain(lambda T: T.tensor([5.0]).true_divide_(
        2, rounding_mode="floor")),
    "edge_fmod_bool": _plain(lambda T: T.tensor([True]).fmod_(2)),
    "edge_addmm_only_mats_need_grad": lambda T: (lambda a: (lambda y: [
        _facts(y.addmm_(a, T.ones(4, 3))), (y.sum().backward(), _facts(a.grad))[1]])(
        T.zeros(2, 3)))(T.ones(2, 4, requires_grad=True)),
    "edge_addmm_complex": _plain(lambda T: T.zeros(1, 1, dtype=T.complex64).addmm_(
        T.tensor([[1j]]), T.tensor([[1j]]))),
    "edge_celu_view": lambda T: (lambda x: (lambda y: [
        _facts(T.celu_(y[0])), _name(y), (y.sum().backward(), _facts(x.grad))[1]])(x * 1))(
        T.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)),
    "edge_dropout_p0": lambda T: (lambda x: [T.dropout_(x, 0.0, True) is x, _facts(x)])(T.ones(3)),
    "edge_dropout_p1": lambda T: _through(T, lambda y: T.dropout_(y, 1.0, True), 960, (3,)),
    "edge_conj_physical_view": lambda T: (lambda x: (lambda y: [
        _facts(T.conj_physical_(y[:1])), _name(y)])(x * 1))(
        T.tensor([1 + 1j, 2j], requires_grad=True)),
    "edge_fill_diagonal_param_nograd": _plain(lambda T: (lambda p: (
        T.set_grad_enabled(False), p.fill_diagonal_(0.0), T.set_grad_enabled(True))[1])(
        T.nn.Parameter(T.ones(2, 2)))),
})

FILL_VALUES = [("int8", 200), ("int16", 40000), ("int32", 2 ** 31), ("int32", -2 ** 31),
               ("int64", 2 ** 63), ("int64", float("inf")), ("int64", float("nan")),
               ("uint8", 300), ("uint8", -1), ("uint8", -200), ("uint8", -256), ("uint8", 255.5),
               ("uint8", -1.5), ("float16", 1e5), ("float32", 1e300), ("float64", float("inf")),
               ("float16", float("nan")), ("complex64", 1e300), ("bool", 5), ("bool", 0.0)]
for _dt, _v in FILL_VALUES:
    CASES[f"fill_value_{_dt}_{_v}"] = (lambda dt, v: _plain(lambda T: T.zeros(
        2, 2, dtype=getattr(T, dt)).fill_diagonal_(v)))(_dt, _v)


# -- second derivatives through the in-place ops (create_graph=True), float64 -----------------------

def _second(T, op, seed):
    x = _rand(T, seed, (3,), -1.2, 1.2, T.float64).requires_grad_()
    r = op(T, x * 1)
    g, = T.autograd.grad((r * r).sum(), x, create_graph=True)
    gg, = T.autograd.grad((g * T.tensor([1.0, -2.0, 0.5], dtype=T.float64)).sum(), x)
    return _facts([g, gg])


SECOND = {
    "cos_": lambda T, y: y.cos_(), "tan_": lambda T, y: y.tan_(),
    "log1p_": lambda T, y: y.pow(2).log1p_(), "rsqrt_": lambda T, y: y.pow(2).add_(0.5).rsqrt_(),
    "atan2_": lambda T, y: y.atan2_(T.tensor([0.5, -1.0, 2.0], dtype=T.float64)),
    "cumsum_": lambda T, y: y.cumsum_(0), "cumprod_": lambda T, y: y.cumprod_(0),
    "fill_diagonal_": lambda T, y: y.reshape(1, 3).fill_diagonal_(0.5),
    "celu_": lambda T, y: T.celu_(y, 0.5), "selu_": lambda T, y: T.selu_(y),
    "fmod_": lambda T, y: y.pow(3).fmod_(0.7), "eq_": lambda T, y: y.sin() + y.clone().eq_(0.3),
    "addmm_": lambda T, y: (y * 2).reshape(1, 3).addmm_(y[:1].reshape(1, 1).sin(),
                                                        y.reshape(1, 3).exp(), alpha=0.5),
}
for _i, (_op, _f) in enumerate(SECOND.items()):
    CASES[f"second_{_op}"] = (lambda f, s: lambda T: _second(T, f, s))(_f, 950 + _i)


def regenerate() -> dict:
    import torch as T
    return {name: capture(fn, T) for name, fn in CASES.items()}


RECORD = load(RECORD_JSON)

# Where numtorch answers otherwise, and why; none today.
DIFFERENT: dict = {}

# NumPy's wording must never reach a user
_NUMPY_TEXT = ("ufunc", "numpy", "ndarray", "casting rule", "could not be safely coerced")


def test_record_covers_every_case():
    assert sorted(RECORD) == sorted(CASES)
    assert len(CASES) >= 300


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_pytorch(name):
    check_case(CASES[name], numtorch, DIFFERENT.get(name, RECORD[name]), name, _NUMPY_TEXT)


def test_record_matches_live_pytorch():
    check_live(CASES, RECORD)


# -- without the record: names, and numeric gradient checks in float64 ----------------------------

def test_names_resolve_to_one_function():
    from numtorch.ops import inplace_extra as X
    assert numtorch.Tensor.cos_ is numtorch.cos_ is X.cos_
    assert numtorch.Tensor.arccos_ is numtorch.acos_
    assert numtorch.Tensor.greater_equal_ is X.greater_equal_
    assert numtorch.nn.functional.celu_ is numtorch.celu_ is X.celu_
    assert numtorch.Tensor.cos_.__name__ == "cos_" and "CosBackward0" in X.cos_.__doc__


def _x(seed, shape, low=-1.0, high=1.0):
    rng = np.random.default_rng(seed)
    return numtorch.tensor(rng.uniform(low, high, shape), dtype=numtorch.float64,
                           requires_grad=True)


@pytest.mark.parametrize("op", sorted(UNARY))
def test_gradcheck_unary(op):
    lo, hi = UNARY[op]
    x = _x(sorted(UNARY).index(op), (2, 3), lo, hi)
    assert gradcheck(lambda t: getattr(t * 1, op)(), (x,))


GRADCHECKS = {
    "atan2_": (lambda a, b: (a * 1).atan2_(b), ((2, 3), (3,))),
    "fmod_": (lambda a, b: (a * 1).fmod_(b.abs() + 1.5), ((2, 3), (2, 3))),
    "divide_": (lambda a, b: (a * 1).divide_(b.abs() + 0.5), ((2, 3), (3,))),
    "true_divide_": (lambda a: (a * 1).true_divide_(3.0), ((4,),)),
    "subtract_": (lambda a, b: (a * 1).subtract_(b, alpha=-3), ((2, 3), (2, 3))),
    "multiply_": (lambda a, b: (a * 1).multiply_(b), ((2, 3), (1, 3))),
    "cumsum_": (lambda a: (a * 1).cumsum_(1), ((3, 4),)),
    "cumprod_": (lambda a: (a * 1).cumprod_(0), ((3, 4),)),
    "addmm_": (lambda c, a, b: (c * 1).addmm_(a, b, beta=0.5, alpha=2), ((2, 3), (2, 4), (4, 3))),
    "fill_diagonal_": (lambda a: (a * 1).fill_diagonal_(0.25, wrap=True), ((7, 3),)),
    "fill_diagonal_cube": (lambda a: (a * 1).fill_diagonal_(0.25), ((3, 3, 3),)),
    "celu_": (lambda a: numtorch.celu_(a * 1, 0.7), ((2, 3),)),
    "selu_": (lambda a: numtorch.selu_(a * 1), ((2, 3),)),
    "conj_physical_": (lambda a: numtorch.conj_physical_(a * 1), ((3,),)),
    "eq_": (lambda a, b: (a * 1).eq_(b) + a, ((3,), (3,))),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck_binary_and_others(name):
    fn, shapes = GRADCHECKS[name]
    xs = tuple(_x(100 + 10 * sorted(GRADCHECKS).index(name) + i, s, -1.5, 1.5)
               for i, s in enumerate(shapes))
    assert gradcheck(fn, xs)


def test_inplace_result_shares_memory_and_counts_versions():
    x = numtorch.ones(2, 3)
    data = x.numpy()
    assert x.cos_() is x and x._version == 1
    x.eq_(1.0)
    x.cumsum_(1)
    assert x._version == 3 and np.shares_memory(x.numpy(), data)
    np.testing.assert_array_equal(data, [[0, 0, 0], [0, 0, 0]])     # cos(1) != 1
