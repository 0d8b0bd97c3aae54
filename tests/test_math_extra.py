"""numtorch.ops.math_extra against PyTorch 2.13: ``sgn``, ``frac``, ``heaviside``, ``copysign``,
``nextafter``, ``ldexp``, ``frexp``, ``float_power``, ``positive``, ``isreal``, ``gcd``/``lcm``,
the bit shifts, ``asinh``/``acosh``/``atanh`` and the in-place and method forms.

Values, dtypes, shapes, grad_fn names and input gradients go through the parity harness and the
recorded oracle (tests/data/oracle/math_extra.*; ``python tests/data/regen_oracle.py
tests/test_math_extra.py`` rewrites it), so everything runs without torch. Plus PyTorch's errors,
the inverse hyperbolic functions bit for bit, complex gradients, float64 gradcheck and
gradgradcheck, and the module's doctests.
"""
from __future__ import annotations

import doctest
import zlib

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck

from _oracle import Oracle, error, live_torch
from _parity import Case, F, D, I, B, N, Spec, run_case

ORACLE = Oracle("math_extra")
C = Case


def U8(*shape, lo=0, hi=255):
    return Spec(shape, "i", lo, hi, "uint8", False)


def I8(*shape, lo=-128, hi=127):
    return Spec(shape, "i", lo, hi, "int8", False)


def CASE_LIST():
    return [
        # sgn, sign_, frac, fix_
        C("sgn", lambda T, a: T.sgn(a) * a, F(2, 3)),      # (a zero gradient alone is a
        C("sgn_no_grad", lambda T, a: T.sgn(a), N(2, 3)),   # ZeroTensor in PyTorch)
        C("sgn_method", lambda T, a: a.sgn() + a, D(4)),
        C("sgn_int", lambda T, a: T.sgn(a), I(5, lo=-3, hi=3)),
        C("sgn_bool", lambda T, a: T.sgn(a), B(4)),
        C("sgn_", lambda T, a: (a * 1).sgn_() * a, F(5)),
        C("sign_", lambda T, a: (a * 1).sign_() * a, F(5)),
        C("sign_bool", lambda T, a: a.clone().sign_(), B(4)),
        C("sgn_nan", lambda T, a: T.sgn(T.log(a)), N(3)),
        C("sign__nan", lambda T, a: T.log(a).sign_(), N(3)),
        C("frac", lambda T, a: T.frac(a * 3), F(2, 4)),
        C("frac_method", lambda T, a: (a * 3).frac(), D(5)),
        C("frac_", lambda T, a: (a * 3).frac_(), F(5)),
        C("frac_f16", lambda T, a: T.frac(a * 3), Spec((4,), "f", -2, 2, "float16", False)),
        C("fix_", lambda T, a: (a * 3).fix_(), F(5)),
        C("fix_int", lambda T, a: a.clone().fix_(), I(4, lo=-5, hi=5)),
        # heaviside (no derivative: backward raises)
        C("heaviside", lambda T, a, v: T.heaviside(T.round(a), v), N(3, 4), N(4)),
        C("heaviside_0d", lambda T, a: T.heaviside(T.round(a), T.tensor(0.25)), N(6)),
        C("heaviside_int", lambda T, a, v: T.heaviside(a, v), I(5, lo=-2, hi=3), I(5)),
        C("heaviside_bool", lambda T, a, v: T.heaviside(a, v), B(5), B(5)),
        C("heaviside_grad", lambda T, a, v: T.heaviside(a, v), F(4), F(4)),
        C("heaviside_", lambda T, a, v: T.round(a).heaviside_(v), N(4), N(1)),
        # copysign
        C("copysign", lambda T, a, b: T.copysign(a, b), F(3, 4), F(4)),
        C("copysign_scalar", lambda T, a: T.copysign(a, -1), F(5)),
        C("copysign_neg_zero", lambda T, a: a.copysign(-0.0), F(5)),
        C("copysign_f32_f64", lambda T, a, b: T.copysign(a, b), F(4), D(4)),
        C("copysign_int", lambda T, a, b: T.copysign(a, b), I(4, lo=-5, hi=5), I(4, lo=-5, hi=5)),
        C("copysign_int_float", lambda T, a, b: T.copysign(a, b), I(4, lo=-5, hi=5), F(4)),
        C("copysign_bool", lambda T, a: T.copysign(a, -2), B(4)),
        C("copysign_f16", lambda T, a, b: T.copysign(a, b),
          Spec((4,), "f", -2, 2, "float16", False), I(4, lo=-3, hi=3)),
        C("copysign_", lambda T, a, b: (a * 1).copysign_(b), F(4), F(4)),
        C("copysign_scalar_", lambda T, a: (a * 1).copysign_(-2), D(4)),
        # nextafter
        C("nextafter", lambda T, a, b: T.nextafter(a, b), F(3, 4), F(4)),
        C("nextafter_equal", lambda T, a, b: T.nextafter(a, T.cat([a[:2], b[2:]])), D(5), D(5)),
        C("nextafter_f64", lambda T, a, b: T.nextafter(a, b) - a, D(5), D(5)),
        C("nextafter_int_float", lambda T, a, b: T.nextafter(a, b), I(5, lo=-1, hi=2), F(5)),
        C("nextafter_f32_0d_f64", lambda T, a: T.nextafter(a, T.tensor(0.0, dtype=T.float64)),
          F(4)),
        C("nextafter_", lambda T, a, b: (a * 1).nextafter_(b), F(4), F(4)),
        # ldexp
        C("ldexp", lambda T, a, e: T.ldexp(a, e), F(3, 4), I(4, lo=-5, hi=5)),
        C("ldexp_f64", lambda T, a, e: a.ldexp(e), D(5), I(5, lo=-60, hi=60)),
        C("ldexp_extreme", lambda T, a, e: T.ldexp(a, e), F(6), I(6, lo=-160, hi=140)),
        C("ldexp_int", lambda T, a, e: T.ldexp(a, e), I(4, lo=-5, hi=5), I(4, lo=0, hi=40)),
        C("ldexp_int32", lambda T, a, e: T.ldexp(a, e), F(4), I(4, lo=-3, hi=3, dtype="int32")),
        C("ldexp_bool_input", lambda T, a, e: T.ldexp(a, e), B(4), I(4)),
        C("ldexp_float_exp", lambda T, a, e: T.ldexp(a, e), F(4), F(4)),
        C("ldexp_f16", lambda T, a, e: T.ldexp(a, e), Spec((4,), "f", -2, 2, "float16", False),
          I(4, lo=0, hi=20)),
        C("ldexp_", lambda T, a, e: (a * 1).ldexp_(e), F(4), I(4, lo=-3, hi=3)),
        C("ldexp__float", lambda T, a, e: (a * 1).ldexp_(e), F(4), D(4)),
        C("ldexp_int8_exp", lambda T, a, e: T.ldexp(a, e), F(6), I8(6, lo=-2, hi=10)),
        C("ldexp_uint8_exp", lambda T, a, e: T.ldexp(a, e), F(6), U8(6, lo=0, hi=10)),
        C("ldexp_f64_f32", lambda T, a, e: T.ldexp(a, e), D(4), F(4)),
        C("ldexp_f16_f32", lambda T, a, e: T.ldexp(a, e), Spec((4,), "f", -2, 2, "float16", False),
          F(4)),
        C("ldexp_int_bool", lambda T, a, e: T.ldexp(a, e), I(4), B(4)),
        # frexp
        C("frexp", lambda T, a: T.frexp(a * 100), F(3, 4)),
        C("frexp_f64", lambda T, a: a.frexp(), D(5)),
        C("frexp_f16", lambda T, a: T.frexp(a), Spec((5,), "f", -5, 5, "float16", False)),
        C("frexp_special", lambda T, a: T.frexp(T.tensor([0.0, -0.0, float("inf"), float("nan"),
                                                          1e-40, -3e38])), N(1)),
        # float_power
        C("float_power", lambda T, a: T.float_power(a, 2), F(2, 3)),
        C("float_power_tensor", lambda T, a, b: T.float_power(a.abs() + 0.5, b), F(3), D(3)),
        C("float_power_base", lambda T, a: T.float_power(2, a), F(4)),
        C("float_power_method", lambda T, a: a.float_power(0.5), P(4)),
        C("float_power_int", lambda T, a, b: T.float_power(a, b), I(4, lo=1, hi=5), I(4)),
        C("float_power_bool_exp", lambda T, a: T.float_power(a, True), F(3)),
        C("float_power_complex", lambda T, a: T.float_power(a, 2j), F(3), grads=False),
        C("float_power_", lambda T, a: (a * 1).float_power_(3), D(4)),
        C("float_power_tensor_", lambda T, a, b: (a * 1).float_power_(b), P(4, dtype="float64"),
          F(4)),
        # positive, isreal
        C("positive", lambda T, a: T.positive(a) * 2, F(4)),
        C("positive_int", lambda T, a: a.positive(), I(4)),
        C("isreal", lambda T, a: T.isreal(a), F(4)),
        C("isreal_method", lambda T, a: a.isreal(), I(3)),
        C("isreal_complex", lambda T, a: T.isreal(T.complex(a, T.round(a))), N(6)),
        # gcd, lcm
        C("gcd", lambda T, a, b: T.gcd(a, b), I(3, 4, lo=-30, hi=30), I(4, lo=-30, hi=30)),
        C("lcm", lambda T, a, b: T.lcm(a, b), I(3, 4, lo=-30, hi=30), I(4, lo=-30, hi=30)),
        C("gcd_promote", lambda T, a, b: T.gcd(a, b), U8(5), I8(5)),
        C("lcm_int8_wrap", lambda T, a, b: T.lcm(a, b), I8(6), I8(6)),
        C("gcd_0d", lambda T, a: T.gcd(a.short(), T.tensor(8)), I(5, lo=-20, hi=20)),
        C("gcd_", lambda T, a, b: a.clone().gcd_(b), I(5, lo=-20, hi=20), I(5, lo=-20, hi=20)),
        C("lcm_", lambda T, a, b: a.int().lcm_(b), I(5, lo=-20, hi=20), I(5, lo=-20, hi=20)),
        # shifts
        C("lshift", lambda T, a, b: T.bitwise_left_shift(a, b), I(6, lo=-9, hi=9),
          I(6, lo=-2, hi=70)),
        C("rshift", lambda T, a, b: T.bitwise_right_shift(a, b), I(6, lo=-99, hi=99),
          I(6, lo=-2, hi=70)),
        C("lshift_int8", lambda T, a, b: T.bitwise_left_shift(a, b), I8(8), I8(8, lo=-2, hi=10)),
        C("rshift_int8", lambda T, a, b: a.bitwise_right_shift(b), I8(8), I8(8, lo=-2, hi=10)),
        C("lshift_uint8", lambda T, a, b: T.bitwise_left_shift(a, b), U8(8), U8(8, lo=0, hi=10)),
        C("rshift_uint8", lambda T, a, b: T.bitwise_right_shift(a, b), U8(8), U8(8, lo=0, hi=10)),
        C("lshift_uint8_int64", lambda T, a, b: T.bitwise_left_shift(a, b), U8(4), I(4)),
        C("lshift_scalar", lambda T, a: T.bitwise_left_shift(a, 3), U8(5)),
        C("lshift_scalar_big", lambda T, a: T.bitwise_left_shift(a, 300), U8(5)),
        C("lshift_number_first", lambda T, a: T.bitwise_left_shift(3, a), I(5)),
        C("lshift_bool", lambda T, a: T.bitwise_left_shift(a, 2), B(4)),
        C("rshift_scalar", lambda T, a: a.bitwise_right_shift(2), I(5, lo=-50, hi=50)),
        C("lshift_", lambda T, a, b: a.int().bitwise_left_shift_(b), I(4, lo=-5, hi=5), I(4)),
        C("rshift_", lambda T, a: a.clone().bitwise_right_shift_(1), I(4, lo=-5, hi=5)),
        C("bitwise_not_", lambda T, a: a.clone().bitwise_not_(), I(5, lo=-5, hi=5)),
        C("bitwise_not_bool", lambda T, a: a.clone().bitwise_not_(), B(5)),
        C("logical_not_", lambda T, a: T.round(a).logical_not_(), N(5)),
        C("logical_not_int", lambda T, a: a.clone().logical_not_(), I(5, lo=-1, hi=2)),
        C("logical_not_graph", lambda T, a: T.round(a * 1).logical_not_() * a, F(5)),
        # inverse hyperbolic functions
        C("asinh", lambda T, a: T.asinh(a * 3), F(3, 4)),
        C("acosh", lambda T, a: T.acosh(a), F(3, 4, lo=1.05, hi=5.0)),
        C("atanh", lambda T, a: T.atanh(a), F(3, 4, lo=-0.95, hi=0.95)),
        C("asinh_f64", lambda T, a: a.asinh(), D(20)),
        C("acosh_f64", lambda T, a: a.arccosh(), Spec((20,), "f", 1.01, 9.0, "float64")),
        C("atanh_f64", lambda T, a: a.arctanh(), D(20, lo=-0.99, hi=0.99)),
        C("acosh_below_one", lambda T, a: T.acosh(a), F(6, lo=-3.0, hi=1.0)),
        C("atanh_edges", lambda T, a: T.atanh(T.tensor([-1.0, 1.0, 2.0, -0.0])), N(1)),
        C("asinh_int", lambda T, a: T.arcsinh(a), I(5, lo=-5, hi=5)),
        C("acosh_bool", lambda T, a: T.acosh(a), B(4)),
        C("asinh_", lambda T, a: (a * 1).asinh_(), F(5)),
        C("acosh_", lambda T, a: (a * 1).acosh_(), F(5, lo=1.1, hi=3)),
        C("atanh_", lambda T, a: (a * 1).arctanh_(), F(5, lo=-0.9, hi=0.9)),
        C("arcsinh_fn_", lambda T, a: T.arcsinh_(a * 1), F(5)),
        C("asinh_f16", lambda T, a: T.asinh(a), Spec((4,), "f", -2, 2, "float16", False)),
        # in-place forms of math.py's ops
        C("clamp_min_", lambda T, a: (a * 1).clamp_min_(0.25), F(3, 4)),
        C("clamp_max_", lambda T, a: T.clamp_max_(a * 1, -0.25), F(3, 4)),
        C("clamp_min_tensor", lambda T, a, b: (a * 1).clamp_min_(b), F(3, 4), F(4)),
        C("clamp_max_tensor", lambda T, a, b: (a * 1).clamp_max_(b), F(3, 4), F(4)),
        C("clamp_min_int", lambda T, a: a.clone().clamp_min_(1), I(5)),
        C("negative_", lambda T, a: T.negative_(a * 1), F(5)),
        C("absolute_", lambda T, a: (a * 1).absolute_(), F(5)),
        C("absolute_int", lambda T, a: a.clone().absolute_(), I(5, lo=-5, hi=5)),
        # out=
        C("out_sgn", lambda T, a: T.sgn(a, out=T.empty(4)), N(4)),
        C("out_frac", lambda T, a: T.frac(a, out=T.empty(0)), N(4)),
        C("out_copysign", lambda T, a: T.copysign(a, -1, out=T.empty(4, dtype=T.float64)), N(4)),
        C("out_ldexp", lambda T, a, e: T.ldexp(a, e, out=T.empty(4)), N(4), I(4)),
        C("out_frexp", lambda T, a: T.frexp(a, out=(T.empty(4), T.empty(4, dtype=T.int32))),
          N(4)),
        C("out_float_power", lambda T, a: T.float_power(a, 2, out=T.empty(4, dtype=T.float64)),
          N(4)),
        C("out_gcd", lambda T, a, b: T.gcd(a, b, out=T.empty(4, dtype=T.int64)), I(4), I(4)),
        C("out_lshift", lambda T, a: T.bitwise_left_shift(a, 1, out=T.empty(4, dtype=T.int64)),
          I(4)),
        C("out_atanh", lambda T, a: T.atanh(a / 3, out=T.empty(4)), N(4)),
        C("out_heaviside", lambda T, a, b: T.heaviside(a, b, out=T.empty(4)), N(4), N(4)),
        C("out_nextafter", lambda T, a, b: T.nextafter(a, b, out=T.empty(4)), N(4), N(4)),
    ]


def P(*shape, dtype="float32"):
    return Spec(shape, "f", 0.5, 2.0, dtype, True)


CASES = CASE_LIST()


def test_case_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_as_pytorch(case):
    run_case(live_torch(), case, ORACLE)


# -- bit for bit: the inverse hyperbolic functions ----------------------------------------------

def _hyperbolic_input(name: str, dtype: str, n: int):
    rng = np.random.default_rng({"asinh": 1, "acosh": 2, "atanh": 3}[name] * 10 + n % 7)
    if name == "asinh":
        a = rng.standard_normal(n) * np.exp(rng.uniform(-10, 10, n))
    elif name == "acosh":
        a = 1 + np.exp(rng.uniform(-20, 10, n))
    else:
        a = np.concatenate([rng.uniform(-1, 1, n - n // 4),
                            np.sign(rng.uniform(-1, 1, n // 4)) * (1 - np.exp(rng.uniform(-15, 0,
                                                                                          n // 4)))])
    return a.astype(dtype)


# (name, dtype, size, fraction of values equal to PyTorch's at least)
HYPERBOLIC = [(name, dt, n) for name in ("asinh", "acosh", "atanh")
              for dt in ("float32", "float64") for n in (7, 40, 3000)]
MIN_EQUAL = {"asinh": 1.0, "acosh": 1.0, "atanh": 0.995}


@pytest.mark.parametrize("name,dtype,n", HYPERBOLIC)
def test_inverse_hyperbolic_bits(name, dtype, n):
    a = _hyperbolic_input(name, dtype, n)
    want = ORACLE.answer(f"bits/{name}/{dtype}/{n}",
                         lambda T: getattr(T, name)(T.tensor(a)).numpy())
    got = getattr(numtorch, name)(numtorch.tensor(a)).numpy()
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    assert same.mean() >= MIN_EQUAL[name], f"{name} {dtype} n={n}: {same.mean():.5f} equal"
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps, atol=0)


# -- complex inputs -----------------------------------------------------------------------------

COMPLEX = {
    "sgn": lambda T, z: T.sgn(z),
    "sgn_": lambda T, z: (z * 1).sgn_(),
    "asinh": lambda T, z: T.asinh(z),
    "acosh": lambda T, z: T.acosh(z),
    "atanh": lambda T, z: T.atanh(z),
    "ldexp": lambda T, z: T.ldexp(z, T.tensor([1, -2, 3, 0, 5])),
    "float_power": lambda T, z: T.float_power(z, 2),
    "float_power_complex_exp": lambda T, z: T.float_power(z.real, z),
    "isreal": lambda T, z: T.isreal(z),
}


def _complex_run(T, name):
    rng = np.random.default_rng(len(name))
    a = (rng.standard_normal(5) + 1j * rng.standard_normal(5)).astype(np.complex128)
    a[1] = 0 if name.startswith("sgn") else a[1]
    a[2] = -2.5 + 0j
    z = T.tensor(a, requires_grad=True)
    out = COMPLEX[name](T, z)
    if out.grad_fn is None:
        return out, None, None
    w = rng.standard_normal(5) + 1j * rng.standard_normal(5)
    (g,) = T.autograd.grad(out, z, T.tensor(w).to(out.dtype))
    return out.detach(), out.grad_fn.name(), g


@pytest.mark.parametrize("name", list(COMPLEX))
def test_complex(name):
    want = ORACLE.answer(f"complex/{name}", lambda T: _complex_run(T, name))
    got = _complex_run(numtorch, name)
    assert str(got[0].dtype) == str(want[0].dtype)
    np.testing.assert_allclose(got[0].numpy(), want[0].numpy(), rtol=1e-12, atol=1e-14)
    assert got[1] == want[1]
    if want[2] is not None:
        np.testing.assert_allclose(got[2].numpy(), want[2].numpy(), rtol=1e-10, atol=1e-12)


# -- dtypes of mixed operands -------------------------------------------------------------------

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool", "complex64", "float16"]
BINARY = ["copysign", "nextafter", "ldexp", "float_power", "gcd", "lcm", "heaviside",
          "bitwise_left_shift", "bitwise_right_shift"]


def _dtype_table(T, op):
    out = {}
    for a in DTYPES:
        for b in DTYPES:
            if "complex64" in (a, b) and "float16" in (a, b):
                continue                    # (ComplexHalf: PyTorch warns it is experimental)
            x = T.ones(2, dtype=getattr(T, a))
            y = T.ones(2, dtype=getattr(T, b))
            r = error(lambda: getattr(T, op)(x, y))
            out[f"{a},{b}"] = r if r is not None else str(getattr(T, op)(x, y).dtype)
    return out


@pytest.mark.parametrize("op", BINARY)
def test_dtype_table(op):
    want = ORACLE.answer(f"dtypes/{op}", lambda T: _dtype_table(T, op))
    assert _dtype_table(numtorch, op) == dict(want)


UNARY = ["sgn", "frac", "frexp", "positive", "isreal", "asinh", "acosh", "atanh"]


def _unary_table(T, op):
    out = {}
    for a in DTYPES:
        r = error(lambda: getattr(T, op)(T.ones(2, dtype=getattr(T, a))))
        if r is None:
            res = getattr(T, op)(T.ones(2, dtype=getattr(T, a)))
            r = [str(t.dtype) for t in res] if isinstance(res, tuple) else str(res.dtype)
        out[a] = r
    return out


@pytest.mark.parametrize("op", UNARY)
def test_unary_dtype_table(op):
    want = ORACLE.answer(f"unary_dtypes/{op}", lambda T: _unary_table(T, op))
    assert _unary_table(numtorch, op) == dict(want)


# -- errors -------------------------------------------------------------------------------------

ERRORS = {
    "frac_int": lambda T: T.frac(T.tensor([1, 2])),
    "frac_complex": lambda T: T.frac(T.tensor([1j])),
    "frac_not_tensor": lambda T: T.frac([1.0]),
    "frac__int": lambda T: T.tensor([1, 2]).frac_(),
    "heaviside_number": lambda T: T.heaviside(T.ones(2), 0.5),
    "heaviside_method_number": lambda T: T.ones(2).heaviside(0.5),
    "heaviside_dtypes": lambda T: T.heaviside(T.ones(2), T.zeros(2, dtype=T.float64)),
    "heaviside_0d_dtypes": lambda T: T.heaviside(T.ones(2), T.tensor(0.5, dtype=T.float64)),
    "heaviside_complex": lambda T: T.heaviside(T.ones(2, dtype=T.complex64),
                                               T.ones(2, dtype=T.complex64)),
    "heaviside_backward": lambda T: T.heaviside(T.ones(2, requires_grad=True),
                                                T.ones(2)).sum().backward(),
    "heaviside_broadcast": lambda T: T.heaviside(T.ones(2), T.ones(3)),
    "copysign_complex": lambda T: T.copysign(T.ones(2, dtype=T.complex64), 1.0),
    "copysign_complex_other": lambda T: T.copysign(T.ones(2), T.ones(2, dtype=T.complex64)),
    "copysign_number_first": lambda T: T.copysign(2.0, T.ones(2)),
    "copysign__int": lambda T: T.tensor([1, 2]).copysign_(-1),
    "copysign_broadcast": lambda T: T.copysign(T.ones(2), T.ones(3)),
    "nextafter_number": lambda T: T.nextafter(T.ones(2), 2),
    "nextafter_int": lambda T: T.nextafter(T.tensor([1]), T.tensor([2])),
    "nextafter_bool": lambda T: T.nextafter(T.tensor([True]), T.tensor([False])),
    "nextafter_complex": lambda T: T.nextafter(T.ones(1, dtype=T.complex64),
                                               T.ones(1, dtype=T.complex64)),
    "nextafter_broadcast": lambda T: T.nextafter(T.ones(2), T.zeros(3)),
    "ldexp_number": lambda T: T.ldexp(T.ones(2), 2),
    "ldexp_bool_exp": lambda T: T.ldexp(T.ones(2), T.tensor([True, False])),
    "ldexp__int": lambda T: T.ones(2, dtype=T.int64).ldexp_(T.tensor([1, 2])),
    "ldexp__broadcast": lambda T: T.tensor([1.5]).ldexp_(T.tensor([1, 2, 3]).view(3, 1)),
    "frexp_int": lambda T: T.frexp(T.tensor([1, 2])),
    "frexp_complex": lambda T: T.frexp(T.ones(2, dtype=T.complex64)),
    "float_power_numbers": lambda T: T.float_power(2, 3),
    "float_power__float32": lambda T: T.ones(2).float_power_(2),
    "float_power__complex_exp": lambda T: T.ones(2, dtype=T.float64).float_power_(2j),
    "float_power_out_dtype": lambda T: T.float_power(T.ones(2), 2, out=T.empty(2)),
    "positive_bool": lambda T: T.positive(T.tensor([True])),
    "gcd_float": lambda T: T.gcd(T.ones(2), T.ones(2)),
    "gcd_int_float": lambda T: T.gcd(T.tensor([12]), T.tensor([8.0])),
    "gcd_bool": lambda T: T.gcd(T.tensor([True]), T.tensor([True])),
    "gcd_number": lambda T: T.gcd(T.tensor([1]), 3.0),
    "gcd_list": lambda T: T.gcd([1], T.tensor([1])),
    "gcd__number": lambda T: T.tensor([12]).gcd_(3),
    "gcd__float": lambda T: T.tensor([12, 18]).gcd_(T.tensor([8.0, 12.0])),
    "lcm_complex": lambda T: T.lcm(T.ones(1, dtype=T.complex64), T.ones(1, dtype=T.complex64)),
    "gcd_broadcast": lambda T: T.gcd(T.tensor([12, 18]), T.tensor([1, 2, 3])),
    "lshift_float": lambda T: T.bitwise_left_shift(T.ones(2), 1),
    "lshift_float_scalar": lambda T: T.bitwise_left_shift(T.tensor([1, 2]), 1.5),
    "lshift_float_first": lambda T: T.bitwise_left_shift(3.0, T.tensor([1, 2])),
    "lshift_bool_bool": lambda T: T.bitwise_left_shift(T.tensor([True]), T.tensor([True])),
    "rshift_bool_scalar_bool": lambda T: T.bitwise_right_shift(T.tensor([True]), True),
    "rshift_complex": lambda T: T.bitwise_right_shift(T.ones(1, dtype=T.complex64), 1),
    "lshift_numbers": lambda T: T.bitwise_left_shift(1, 2),
    "lshift_broadcast": lambda T: T.bitwise_left_shift(T.tensor([1, 2]), T.tensor([1, 2, 3])),
    "bitwise_not__float": lambda T: T.ones(1).bitwise_not_(),
    "sign__complex": lambda T: T.ones(1, dtype=T.complex64).sign_(),
    "asinh__int": lambda T: T.tensor([1, 2]).asinh_(),
    "acosh__bool": lambda T: T.tensor([True]).acosh_(),
    "asinh_not_tensor": lambda T: T.asinh(1.0),
    "asinh__backward": lambda T: (T.ones(2, requires_grad=True) * 2).asinh_().sum().backward(),
    "acosh__backward_complex": lambda T: (T.ones(2, dtype=T.complex128, requires_grad=True) * 2)
    .acosh_().abs().sum().backward(),
    "out_requires_grad": lambda T: T.asinh(T.ones(2, requires_grad=True), out=T.empty(2)),
    "out_int_for_float": lambda T: T.sgn(T.ones(2), out=T.empty(2, dtype=T.int64)),
    "out_frac_double": lambda T: T.frac(T.ones(2), out=T.empty(2, dtype=T.float64)),
    "out_heaviside_dtype": lambda T: T.heaviside(T.ones(2), T.ones(2), out=T.empty(2).long()),
    "out_ldexp_long": lambda T: T.ldexp(T.ones(2), T.tensor([1, 2]), out=T.empty(2).long()),
    "out_asinh_long": lambda T: T.asinh(T.ones(2), out=T.empty(2).long()),
    "out_gcd_bool": lambda T: T.gcd(T.tensor([1]), T.tensor([2]), out=T.empty(1).bool()),
    "out_float_power_half": lambda T: T.float_power(T.ones(2), 2, out=T.empty(2).half()),
    "out_frexp_exponent": lambda T: T.frexp(T.ones(2), out=(T.empty(2), T.empty(2).long())),
    "out_frexp_mantissa": lambda T: T.frexp(T.ones(2), out=(T.empty(2).double(),
                                                            T.empty(2).int())),
    "asinh__leaf": lambda T: T.ones(2, requires_grad=True).asinh_(),
    "clamp_max__int_float": lambda T: T.tensor([1, -2]).clamp_max_(0.5),
    "clamp_min__complex": lambda T: T.ones(1, dtype=T.complex64).clamp_min_(0),
    "negative__bool": lambda T: T.tensor([True]).negative_(),
    "absolute__bool": lambda T: T.tensor([True]).absolute_(),
    "absolute__complex": lambda T: T.tensor([1j]).absolute_(),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    want = ORACLE.answer(f"error/{name}", lambda T: error(lambda: ERRORS[name](T)))
    assert want is not None
    assert error(lambda: ERRORS[name](numtorch)) == list(want)


# -- in-place semantics -------------------------------------------------------------------------

def test_inplace_returns_and_writes_self():
    x = numtorch.tensor([1.5, -2.5, 0.25])
    for op, args in (("frac_", ()), ("sgn_", ()), ("asinh_", ()), ("copysign_", (-1,)),
                     ("clamp_min_", (0,)), ("negative_", ()), ("logical_not_", ())):
        y = x.clone()
        v = y._version
        assert getattr(y, op)(*args) is y, op
        assert y._version == v + 1, op
    x = numtorch.tensor([1.0, 2.0], requires_grad=True)
    x.logical_not_()                     # PyTorch records nothing: allowed on a leaf
    assert x.tolist() == [0.0, 0.0] and x.requires_grad and x.grad_fn is None
    assert numtorch.positive(x) is x


def test_methods_are_the_module_functions():
    from numtorch import _tensor_methods
    from numtorch.ops import math_extra
    names = _tensor_methods.LAZY_METHODS["numtorch.ops.math_extra"].split()
    for name in names:
        assert getattr(numtorch.Tensor, name) is getattr(math_extra, name), name
    assert numtorch._LAZY["numtorch.ops.math_extra"].split() == math_extra.__all__
    for name in math_extra.__all__:
        assert getattr(numtorch, name) is getattr(math_extra, name), name


# second derivatives: torch.autograd.grad(..., create_graph=True) twice
SECOND = {
    "asinh": (lambda T, a: T.asinh(a), -2, 2),
    "acosh": (lambda T, a: T.acosh(a), 1.2, 3),
    "atanh": (lambda T, a: T.atanh(a), -0.8, 0.8),
    "frac": (lambda T, a: T.frac(a) * a, -2, 2),
    "copysign": (lambda T, a: T.copysign(a, -1) * a, -2, 2),
    "nextafter": (lambda T, a: T.nextafter(a, a.detach() + 1) ** 2, -2, 2),
    "ldexp": (lambda T, a: T.ldexp(a * a, T.tensor([1, 2, 0, 3])), -2, 2),
    "ldexp_float": (lambda T, a: T.ldexp(a, a), -2, 2),
    "frexp": (lambda T, a: T.frexp(a * a)[0], -2, 2),
    "float_power": (lambda T, a: T.float_power(a, 3), -2, 2),
    "float_power_tensor": (lambda T, a: T.float_power(a.abs() + 0.5, a), -2, 2),
    "sgn": (lambda T, a: T.sgn(a) * a * a, -2, 2),
}


def _second(T, name):
    fn, lo, hi = SECOND[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    a = T.tensor(rng.uniform(lo, hi, 4), requires_grad=True)
    (g,) = T.autograd.grad(fn(T, a).sum(), a, create_graph=True)
    (gg,) = T.autograd.grad((g * T.tensor([1.0, -2.0, 0.5, 3.0])).sum(), a)
    return g.detach(), gg


@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivatives(name):
    want = ORACLE.answer(f"second/{name}", lambda T: _second(T, name))
    got = _second(numtorch, name)
    for g, w in zip(got, want):
        assert str(g.dtype) == str(w.dtype)
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_frexp_result_type():
    m, e = numtorch.frexp(numtorch.tensor([8.0, 0.375]))
    assert m.tolist() == [0.5, 0.75] and e.tolist() == [4, -1] and str(e.dtype) == "torch.int32"
    r = numtorch.frexp(numtorch.tensor([3.0]))
    assert r.mantissa.item() == 0.75 and r.exponent.item() == 2
    assert repr(r).startswith("torch.return_types.frexp(\nmantissa=tensor([0.7500])")


def test_by_hand():
    T = numtorch
    assert T.gcd(T.tensor([0, -4]), T.tensor([0, 6])).tolist() == [0, 2]
    assert T.lcm(T.tensor([0, -4]), T.tensor([3, 6])).tolist() == [0, 12]
    assert T.bitwise_left_shift(T.tensor([1]), T.tensor([64])).item() == 0
    assert T.bitwise_right_shift(T.tensor([-5]), T.tensor([99])).item() == -1
    assert T.ldexp(T.tensor([3.0]), T.tensor([-150])).item() == 2 * 2.0 ** -149   # rounds, exact
    assert T.copysign(T.tensor([2.0]), -0.0).item() == -2.0
    assert T.nextafter(T.tensor([0.0], dtype=T.float64), T.tensor([1.0])).item() == 5e-324
    assert T.heaviside(T.tensor([float("nan")]), T.tensor([0.5])).item() == 0.0
    z = T.sgn(T.tensor([3 + 4j]))
    assert abs(z.item() - (0.6 + 0.8j)) < 1e-7


# -- numeric gradients --------------------------------------------------------------------------

def _t(rng, shape, lo=-2.0, hi=2.0):
    return numtorch.tensor(rng.uniform(lo, hi, shape), requires_grad=True)


GRAD = {
    "sgn_complex": (lambda z: numtorch.view_as_real(numtorch.sgn(numtorch.view_as_complex(z))),
                    (3, 2), -2, 2),
    "frac": (lambda a: numtorch.frac(a * 2.3 + 0.1), (4,), -2, 2),
    "copysign": (lambda a: numtorch.copysign(a, numtorch.tensor([1.0, -1.0, -0.0, 2.0],
                                                                 dtype=numtorch.float64)),
                 (4,), 0.2, 2),
    "copysign_scalar": (lambda a: numtorch.copysign(a, -1.0), (4,), -2, 2),
    "nextafter": (lambda a: numtorch.nextafter(a, a.detach() + 1), (4,), -2, 2),
    # (a negative integer exponent: PyTorch's gradient is 0, as pow(2, -2) is 0 in integers)
    "ldexp": (lambda a: numtorch.ldexp(a, numtorch.tensor([1, 2, 3, 0])), (4,), -2, 2),
    "ldexp_float_exp": (lambda a: numtorch.ldexp(a[:2], a[2:]), (4,), -2, 2),
    "frexp": (lambda a: numtorch.frexp(a)[0], (4,), -5, 5),
    "float_power": (lambda a: numtorch.float_power(a, 3), (4,), -2, 2),
    "float_power_tensor": (lambda a: numtorch.float_power(a[:2], a[2:]), (4,), 0.5, 2),
    "float_power_base": (lambda a: numtorch.float_power(1.5, a), (4,), -2, 2),
    "asinh": (lambda a: numtorch.asinh(a), (5,), -3, 3),
    "acosh": (lambda a: numtorch.acosh(a), (5,), 1.2, 4),
    "atanh": (lambda a: numtorch.atanh(a), (5,), -0.8, 0.8),
    "sgn_": (lambda a: (a * 1).sgn_() * a, (5,), -2, 2),
    "frac_": (lambda a: (a * 2.3 + 0.1).frac_(), (4,), -2, 2),
    "clamp_min_": (lambda a: (a * 1).clamp_min_(0.1), (6,), -2, 2),
    "clamp_max_tensor": (lambda a: (a[:3] * 1).clamp_max_(a[3:] + 0.05), (6,), -2, 2),
    "negative_": (lambda a: (a * 1).negative_(), (4,), -2, 2),
    "absolute_": (lambda a: (a * 1).absolute_(), (4,), 0.2, 2),
}


@pytest.mark.parametrize("name", list(GRAD))
def test_gradcheck_and_gradgradcheck(name):
    fn, shape, lo, hi = GRAD[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    x = _t(rng, shape, lo, hi)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


# -- the module's examples ----------------------------------------------------------------------

def test_docstring_examples():
    from numtorch.ops import math_extra
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(math_extra, math_extra.__name__, globs={"torch": numtorch})
    failed = [t.name for t in tests if runner.run(t, out=lambda s: None).failed]
    assert len(tests) > 40 and not failed, failed


def test_sign_of_nan_is_zero():
    """``torch.sign`` (math.py) and ``sign_``/``sgn`` give 0 for NaN, as PyTorch does."""
    def facts(T):
        x = [float("nan"), -0.0, 0.0, 2.5, -3.0]
        return [T.sign(T.tensor(x)), T.tensor(x).sign_(), T.sgn(T.tensor(x)),
                T.sign(T.tensor(x, dtype=T.float64))]

    want = ORACLE.answer("sign_nan", facts)
    for g, w in zip(facts(numtorch), want):
        np.testing.assert_array_equal(g.numpy(), w.detach().numpy())
