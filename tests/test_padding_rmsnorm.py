"""Padding (``F.pad`` in every mode and the 15 ``nn.*Pad*d`` layers), ``RMSNorm`` /
``rms_norm``, ``bilinear`` / ``nn.Bilinear`` and ``pdist`` against PyTorch 2.13.

Values, dtypes, shapes, grad_fn names and the gradients of inputs and parameters go through the
parity harness and the recorded oracle (tests/data/oracle/padding_rmsnorm.*; ``python
tests/data/regen_oracle.py tests/test_padding_rmsnorm.py`` rewrites it), so everything runs
without torch. Plus reprs, PyTorch's exception types and messages, ``nn.Bilinear``'s initial
weights after ``manual_seed`` bit for bit, float64 gradcheck and gradgradcheck, and the new
modules' doctests.
"""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck

from _oracle import Oracle, digest, error
from _parity import Case, F, D, I, N, run_case

ORACLE = Oracle("padding_rmsnorm")
C = Case
INF = float("inf")
MODES = ("constant", "reflect", "replicate", "circular")
SHAPES = {1: ((3, 5), (2, 3, 5)), 2: ((3, 4, 5), (2, 3, 4, 5)), 3: ((2, 4, 5, 3), (2, 2, 4, 5, 3))}


def _pad_fn(pad, mode, value=None):
    if value is None:
        return lambda T, a: T.nn.functional.pad(a, pad, mode)
    return lambda T, a: T.nn.functional.pad(a, pad, mode, value)


def PAD_CASES():
    cases = []
    for mode in MODES:
        for k in (1, 2, 3):
            for shape in SHAPES[k]:
                tag = f"{mode}/{k}d/{len(shape)}"
                for name, unit in (("pos", (1, 2)), ("zero", (0, 0)), ("neg", (-1, -1)),
                                   ("mixed", (2, -1)), ("mixed2", (-1, 2))):
                    cases.append(C(f"pad/{tag}/{name}", _pad_fn(unit * k, mode), F(*shape)))
                uneven = (1, 0, 0, 2, 2, 1)[:2 * k]
                cases.append(C(f"pad/{tag}/uneven", _pad_fn(uneven, mode), D(*shape)))
    cases += [
        C("pad/constant/value", _pad_fn((1, 2, 0, 1), "constant", 2.5), F(2, 3)),
        C("pad/constant/value_int", _pad_fn((1, 1), "constant", 2.5), I(2, 3)),
        C("pad/constant/more_dims", _pad_fn((1, 1, 0, 1, 2, 0, 1, 1), "constant"), F(2, 2, 2, 2)),
        C("pad/constant/crop_all", _pad_fn((-3, 0), "constant"), F(2, 3)),
        C("pad/constant/1d", _pad_fn((2, 1), "constant", -1.0), F(4)),
        C("pad/reflect/int", _pad_fn((2, 1), "reflect"), I(2, 4)),
        C("pad/replicate/int", _pad_fn((2, 1), "replicate"), I(2, 4)),
        C("pad/circular/int", _pad_fn((2, 1), "circular"), I(2, 4)),
        C("pad/reflect/max", _pad_fn((3, 3), "reflect"), F(2, 4)),
        C("pad/reflect/neg_and_big", _pad_fn((-1, 3), "reflect"), F(2, 4)),
        C("pad/replicate/big", _pad_fn((5, 7, 3, 0), "replicate"), F(2, 2, 3)),
        C("pad/circular/whole", _pad_fn((4, 4), "circular"), F(2, 4)),
        C("pad/circular/crop_then_wrap", _pad_fn((1, -2), "circular"), F(2, 4)),
        C("pad/circular/crop_to_empty", _pad_fn((-4, 0), "circular"), F(2, 4)),
        C("pad/reflect/empty_out", _pad_fn((-2, -3, 0, 0), "reflect"), F(2, 4, 5)),
        C("pad/replicate/empty_out", _pad_fn((-2, -3, 0, 0), "replicate"), F(2, 4, 5)),
        C("pad/reflect/zero_batch", _pad_fn((1, 1, 1, 1), "reflect"), F(0, 2, 4, 4)),
        C("pad/circular/zero_channels", _pad_fn((1, 1), "circular"), F(2, 0, 4)),
        C("pad/reflect/value0", lambda T, a: T.nn.functional.pad(a, (1, 1), "reflect", 0.0), F(2, 3)),
        C("pad/list", lambda T, a: T.nn.functional.pad(a, [1, 0], "replicate"), F(2, 3)),
    ]
    return cases


_MODULE_CLASSES = [(f"{kind}Pad{k}d", k) for kind in ("Zero", "Constant", "Reflection",
                                                      "Replication", "Circular") for k in (1, 2, 3)]


def _make(T, name, padding):
    cls = getattr(T.nn, name)
    return cls(padding, 1.5) if name.startswith("Constant") else cls(padding)


def MODULE_CASES():
    cases = []
    for name, k in _MODULE_CLASSES:
        tup = (2, 1, 0, 1, 1, 2)[:2 * k]
        for shape in SHAPES[k]:
            cases.append(C(f"module/{name}/int/{len(shape)}",
                           lambda T, a, name=name: _make(T, name, 1)(a), F(*shape)))
            cases.append(C(f"module/{name}/tuple/{len(shape)}",
                           lambda T, a, name=name, tup=tup: _make(T, name, tup)(a), D(*shape)))
    cases.append(C("module/ZeroPad2d/negative",
                   lambda T, a: T.nn.ZeroPad2d((-1, 1, 2, -2))(a), F(1, 3, 4)))
    return cases


def _rms(shape, weight=True, eps=None, torch_ns=False):
    def fn(T, a, *w):
        f = T.rms_norm if torch_ns else T.nn.functional.rms_norm
        return f(a, shape, w[0] if w else None, eps)
    return fn


def RMS_CASES():
    return [
        C("rms/last", _rms((4,)), F(2, 3, 4), F(4)),
        C("rms/last_f64", _rms([4]), D(2, 3, 4), D(4)),
        C("rms/two_dims", _rms((3, 4)), F(2, 3, 4), F(3, 4)),
        C("rms/all_dims", _rms((2, 3, 4)), D(2, 3, 4), D(2, 3, 4)),
        C("rms/no_weight", lambda T, a: T.nn.functional.rms_norm(a, (4,)), F(5, 4)),
        C("rms/eps", _rms((4,), eps=1e-2), F(5, 4), F(4)),
        C("rms/eps_f64", _rms((4,), eps=0.5), D(5, 4), D(4)),
        C("rms/tiny_eps_default", lambda T, a: T.nn.functional.rms_norm(a * 1e-4, (4,)),
          F(3, 4)),
        C("rms/torch_ns", _rms((4,), torch_ns=True), F(3, 4), F(4)),
        C("rms/torch_ns_size", lambda T, a: T.rms_norm(a, a.shape[-1:]), F(3, 4)),
        C("rms/1d", _rms((6,)), F(6), F(6)),
        C("rms/zeros", lambda T, a: T.nn.functional.rms_norm(a * 0, (4,)), F(2, 4)),
        C("rms/f32_in_f64_weight", _rms((4,)), F(3, 4), D(4)),
        C("rms/f64_in_f32_weight", _rms((4,)), D(3, 4), F(4)),
        C("rms/no_grad", _rms((4,)), N(3, 4), N(4)),
    ]


def _bil(bias=True, torch_ns=False):
    def fn(T, a, b, w, *rest):
        f = T.bilinear if torch_ns else T.nn.functional.bilinear
        return f(a, b, w, rest[0] if bias else None)
    return fn


def BILINEAR_CASES():
    return [
        C("bilinear/2d", _bil(), F(5, 3), F(5, 4), F(2, 3, 4), F(2)),
        C("bilinear/2d_no_bias", _bil(False), F(5, 3), F(5, 4), F(2, 3, 4)),
        C("bilinear/unbatched", _bil(), F(3), F(4), F(2, 3, 4), F(2)),
        C("bilinear/unbatched_no_bias", _bil(False), D(3), D(4), D(2, 3, 4)),
        C("bilinear/3d", _bil(), D(2, 5, 3), D(2, 5, 4), D(6, 3, 4), D(6)),
        C("bilinear/empty_batch", _bil(), F(0, 3), F(0, 4), F(2, 3, 4), F(2)),
        C("bilinear/torch_ns", _bil(torch_ns=True), F(4, 2), F(4, 3), F(5, 2, 3), F(5)),
        C("bilinear/int", _bil(), I(3, 2), I(3, 3), I(2, 2, 3), I(2)),
        C("bilinear/no_grad_input", _bil(), N(4, 3), F(4, 2), F(2, 3, 2), N(2)),
    ]


def _pd(p, dup=False, method="torch"):
    def fn(T, a):
        x = T.cat([a, a[:1], a[1:2] * T.tensor([1.0, 0.0, 1.0], dtype=a.dtype)]) if dup else a
        return T.pdist(x, p) if method == "torch" else T.nn.functional.pdist(x, p)
    return fn


def PDIST_CASES():
    cases = []
    for p in (0, 0.5, 1, 1.5, 2, 3, INF):
        cases.append(C(f"pdist/p{p}", _pd(p), F(5, 3)))
        cases.append(C(f"pdist/p{p}/ties", _pd(p, dup=True), D(4, 3)))
    cases += [
        C("pdist/default_p", lambda T, a: T.pdist(a), F(6, 2)),
        C("pdist/F", _pd(2, method="F"), D(4, 5)),
        C("pdist/one_row", _pd(2), F(1, 3)),
        C("pdist/no_cols", _pd(INF), F(3, 0)),
        C("pdist/no_grad", _pd(1), N(4, 3)),
        C("pdist/int_ties_inf", lambda T, a: T.pdist(T.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 2.0]])
                                                      * a.sum() / a.sum(), INF), F(2)),
    ]
    return cases


ALL_CASES = PAD_CASES() + MODULE_CASES() + RMS_CASES() + BILINEAR_CASES() + PDIST_CASES()


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_parity(case):
    run_case(None, case, ORACLE)


# -- errors ---------------------------------------------------------------------------------------

def _pad_err(shape, pad, mode="constant", value=None):
    def fn(T):
        kw = {} if value is None else {"value": value}
        return T.nn.functional.pad(T.zeros(shape), pad, mode, **kw)
    return fn


ERRORS = {
    # F.pad: checks in PyTorch's order, with its messages
    "pad/odd": _pad_err((2, 4), (1, 1, 1)),
    "pad/too_long": _pad_err((2, 4), (1,) * 6),
    "pad/mode": _pad_err((2, 4), (1, 1, 1), "bogus"),
    "pad/float_entry": _pad_err((2, 4), (1.5, 1)),
    "pad/int_arg": _pad_err((2, 4), 1),
    "pad/constant_crop": _pad_err((2, 4), (-3, -2)),
    "pad/constant_crop_then_grow": _pad_err((2, 4), (-5, 1)),
    "pad/reflect_value": _pad_err((2, 4), (1, 1), "reflect", 2.0),
    "pad/reflect_value_6d": _pad_err((2, 4, 5, 6, 7, 8), (1, 1), "reflect", 2.0),
    "pad/reflect_1d_input": _pad_err((4,), (1, 1), "reflect"),
    "pad/circular_4d_input_1d_pad": _pad_err((2, 3, 4, 5), (1, 1), "circular"),
    "pad/replicate_empty_pad": _pad_err((2, 4), (), "replicate"),
    "pad/reflect_too_big_w": _pad_err((2, 4, 5), (5, 0, 0, 0), "reflect"),
    "pad/reflect_too_big_h": _pad_err((2, 4, 5), (0, 0, 0, 4), "reflect"),
    "pad/reflect_too_big_both": _pad_err((2, 4, 5), (5, 0, 5, 0), "reflect"),
    "pad/reflect_too_big_d": _pad_err((2, 4, 5, 3), (0, 0, 0, 0, 4, 0), "reflect"),
    "pad/reflect_1d_too_small": _pad_err((2, 4), (-3, -1), "reflect"),
    "pad/replicate_1d_too_small": _pad_err((2, 4), (-4, -1), "replicate"),
    "pad/reflect_2d_too_small": _pad_err((2, 4, 5), (-2, -3, -3, -1), "reflect"),
    "pad/replicate_2d_too_small": _pad_err((2, 4, 5), (-2, -3, -3, -1), "replicate"),
    "pad/reflect_3d_too_small": _pad_err((2, 4, 5, 3), (-3, 0, -5, 0, -4, 0), "reflect"),
    "pad/replicate_3d_too_small": _pad_err((2, 4, 5, 3), (-3, 0, -5, 0, -4, 0), "replicate"),
    "pad/replicate_2d_negative": _pad_err((2, 3, 4), (-5, -5, 1, 1), "replicate"),
    "pad/reflect_2d_negative": _pad_err((2, 3, 4), (-5, -5, 1, 1), "reflect"),
    "pad/reflect_3d_negative": _pad_err((2, 4, 5, 3), (0, 0, -6, 0, 0, 0), "reflect"),
    "pad/reflect_empty_dim": _pad_err((2, 0, 4), (1, 1), "reflect"),
    "pad/replicate_empty_dim_2d": _pad_err((2, 4, 0), (1, 1, 1, 1), "replicate"),
    "pad/replicate_empty_dim_3d": _pad_err((2, 2, 2, 0), (1, 1, 1, 1, 1, 1), "replicate"),
    "pad/circular_wrap": _pad_err((2, 4), (5, 0), "circular"),
    "pad/circular_wrap_empty": _pad_err((2, 3, 0), (1, 1), "circular"),
    "pad/circular_negative": _pad_err((2, 4), (-4, -1), "circular"),
    "pad/circular_order_h_first": _pad_err((2, 3, 4), (5, 0, -4, 0), "circular"),
    "pad/circular_order_h_wrap": _pad_err((2, 3, 4), (-5, 0, 4, 0), "circular"),
    # modules
    "module/circular1d_1d": lambda T: T.nn.CircularPad1d(1)(T.zeros(4)),
    "module/circular2d_5d": lambda T: T.nn.CircularPad2d(1)(T.zeros(1, 1, 1, 3, 3)),
    "module/circular3d_3d": lambda T: T.nn.CircularPad3d(1)(T.zeros(3, 3, 3)),
    "module/reflection2d_2d": lambda T: T.nn.ReflectionPad2d(1)(T.zeros(3, 3)),
    "module/replication3d_6d": lambda T: T.nn.ReplicationPad3d(1)(T.zeros(1, 1, 1, 2, 2, 2)),
    "module/zeropad_float": lambda T: T.nn.ZeroPad1d(1.5)(T.zeros(2, 3)),
    "module/zeropad2d_odd": lambda T: T.nn.ZeroPad2d((1, 1, 1))(T.zeros(2, 3)),
    # rms_norm
    "rms/int_shape": lambda T: T.nn.functional.rms_norm(T.zeros(2, 4), 4),
    "rms/shape_mismatch": lambda T: T.nn.functional.rms_norm(T.zeros(2, 3, 4), (5,)),
    "rms/shape_mismatch_2": lambda T: T.rms_norm(T.zeros(2, 3, 4), (2, 4)),
    "rms/weight_shape": lambda T: T.nn.functional.rms_norm(T.zeros(2, 4), (4,), T.ones(3)),
    "rms/empty_shape": lambda T: T.nn.functional.rms_norm(T.zeros(2, 4), ()),
    "rms/too_many_dims": lambda T: T.rms_norm(T.zeros(2, 3, 4), (2, 2, 3, 4)),
    "rms/long": lambda T: T.rms_norm(T.zeros(2, 4, dtype=T.int64), (4,)),
    "rms/module_mismatch": lambda T: T.nn.RMSNorm(4)(T.zeros(2, 5)),
    "rms/module_float_shape": lambda T: T.nn.RMSNorm(4.0),
    # bilinear
    "bilinear/batch": lambda T: T.nn.functional.bilinear(T.zeros(5, 3), T.zeros(4, 4),
                                                         T.zeros(2, 3, 4)),
    "bilinear/in1": lambda T: T.nn.functional.bilinear(T.zeros(5, 2), T.zeros(5, 4),
                                                       T.zeros(2, 3, 4)),
    "bilinear/in2": lambda T: T.nn.functional.bilinear(T.zeros(5, 3), T.zeros(5, 3),
                                                       T.zeros(2, 3, 4)),
    "bilinear/bias": lambda T: T.nn.functional.bilinear(T.zeros(5, 3), T.zeros(5, 4),
                                                        T.zeros(2, 3, 4), T.zeros(3)),
    "bilinear/bias_2d": lambda T: T.bilinear(T.zeros(5, 3), T.zeros(5, 4), T.zeros(2, 3, 4),
                                             T.zeros(1, 2)),
    "bilinear/bias_0d": lambda T: T.bilinear(T.zeros(5, 3), T.zeros(5, 4), T.zeros(2, 3, 4),
                                             T.tensor(1.0)),
    "bilinear/ndim": lambda T: T.nn.functional.bilinear(T.zeros(1, 5, 3), T.zeros(5, 4),
                                                        T.zeros(2, 3, 4)),
    "bilinear/dtype": lambda T: T.nn.functional.bilinear(T.zeros(5, 3), T.zeros(5, 4).double(),
                                                         T.zeros(2, 3, 4), T.zeros(2)),
    "bilinear/dtype_no_bias": lambda T: T.bilinear(T.zeros(5, 3), T.zeros(5, 4),
                                                   T.zeros(2, 3, 4).double()),
    "bilinear/dtype_bias": lambda T: T.bilinear(T.zeros(5, 3).double(), T.zeros(5, 4).double(),
                                                T.zeros(2, 3, 4).double(), T.zeros(2)),
    "bilinear/0d": lambda T: T.bilinear(T.tensor(1.0), T.tensor(1.0), T.zeros(2, 3, 4)),
    "bilinear/module_batch": lambda T: T.nn.Bilinear(3, 4, 2)(T.zeros(5, 3), T.zeros(4, 4)),
    "bilinear/module_ndim": lambda T: T.nn.Bilinear(3, 4, 2)(T.zeros(5, 3), T.zeros(4)),
    # pdist
    "pdist/3d": lambda T: T.pdist(T.zeros(2, 3, 4)),
    "pdist/1d": lambda T: T.nn.functional.pdist(T.zeros(3)),
    "pdist/int": lambda T: T.pdist(T.zeros(3, 2, dtype=T.int64)),
    "pdist/negative_p": lambda T: T.pdist(T.zeros(3, 2), -1),
    "pdist/half": lambda T: T.pdist(T.zeros(3, 2, dtype=T.float16)),
}


@pytest.mark.parametrize("key", sorted(ERRORS))
def test_errors(key):
    want = ORACLE.answer(f"error/{key}", lambda torch: error(lambda: ERRORS[key](torch)))
    assert want is not None, "PyTorch raises here"
    assert error(lambda: ERRORS[key](numtorch)) == want


def test_pdist_double_backward_refuses_like_pytorch():
    def run(T):
        x = T.tensor(np.arange(6.0).reshape(3, 2) ** 1.5, requires_grad=True)
        g, = T.autograd.grad(T.pdist(x).sum(), x, create_graph=True)
        return [g, g.grad_fn.name(), error(lambda: g.sum().backward())]
    want = ORACLE.answer("pdist/double_backward", run)
    got = run(numtorch)
    np.testing.assert_allclose(got[0].detach().numpy(), want[0].numpy(), rtol=1e-12)
    assert got[1:] == list(want[1:])


# -- modules: reprs, attributes, parameters -------------------------------------------------------

def _module_facts(T):
    facts = {}
    for name, k in _MODULE_CLASSES:
        for arg in (2, (1, 2, 0, 3, 1, 1)[:2 * k], [0] * (2 * k), (1,) * (2 * k - 1)):
            m = _make(T, name, arg)
            facts[f"{name}/{arg}"] = [repr(m), m.extra_repr(), list(m.padding),
                                      type(m.padding).__name__, getattr(m, "value", None),
                                      list(m.state_dict()), [c.__name__ for c in type(m).__mro__
                                                             if not c.__name__.startswith("_")]]
    facts["ZeroPad2d/doc"] = repr(T.nn.ZeroPad2d((1, 1, 2, 0)))
    facts["ConstantPad1d/int_value"] = repr(T.nn.ConstantPad1d(2, 3))
    facts["ConstantPad1d/kw"] = repr(T.nn.ConstantPad1d(2, value=-1))
    facts["ZeroPad1d/str"] = list(T.nn.ZeroPad1d("a").padding)
    facts["seq"] = repr(T.nn.Sequential(T.nn.ReflectionPad2d(1), T.nn.ZeroPad3d((1, 0, 0, 0, 2, 2))))
    for args, kw in [((4,), {}), (([3, 4],), {"eps": 1e-6, "elementwise_affine": False}),
                     ((T.Size([5]),), {"eps": 0.1}), ((2,), {"dtype": T.float64})]:
        m = T.nn.RMSNorm(*args, **kw)
        facts[f"RMSNorm/{args}/{sorted(kw)}"] = [repr(m), m.normalized_shape, m.eps,
                                                 m.elementwise_affine, list(m.state_dict()),
                                                 m.weight, [n for n, _ in m.named_parameters()]]
    facts["RMSNorm/constants"] = list(T.nn.RMSNorm.__constants__)
    facts["Bilinear/reprs"] = [repr(T.nn.Bilinear(3, 4, 2)), repr(T.nn.Bilinear(1, 2, 3, bias=False)),
                               T.nn.Bilinear(1, 2, 3, bias=False).bias]
    return facts


def test_module_reprs_and_attributes():
    want = ORACLE.answer("modules/facts", _module_facts)
    got = _module_facts(numtorch)
    assert set(got) == set(want)
    for key in want:
        g, w = got[key], want[key]
        if key.startswith("RMSNorm/") and key != "RMSNorm/constants":
            assert g[:5] == [w[0], tuple(w[1]), w[2], w[3], w[4]] and g[6] == w[6], key
            if w[5] is None:
                assert g[5] is None, key
            else:
                assert str(g[5].dtype) == str(w[5].dtype), key
                np.testing.assert_array_equal(g[5].detach().numpy(), w[5].numpy(), err_msg=key)
        elif key == "Bilinear/reprs":
            assert g == list(w), key
        else:
            assert g == w, key


def _rms_module_run(T, elementwise_affine, shape, dtype):
    rng = np.random.default_rng(7)
    x = T.tensor(rng.standard_normal((3,) + shape).astype(dtype), requires_grad=True)
    m = T.nn.RMSNorm(shape, eps=1e-3 if dtype == "float64" else None,
                     elementwise_affine=elementwise_affine, dtype=getattr(T, dtype))
    if elementwise_affine:
        with T.no_grad():
            m.weight.copy_(T.tensor(rng.standard_normal(shape).astype(dtype)))
    y = m(x)
    (y * T.tensor(rng.standard_normal(tuple(y.shape)).astype(dtype))).sum().backward()
    return {"y": y, "x_grad": x.grad, "w_grad": m.weight.grad if elementwise_affine else None}


@pytest.mark.parametrize("affine,shape,dtype", [(True, (4,), "float32"), (True, (2, 3), "float64"),
                                                (False, (5,), "float32")])
def test_rmsnorm_module_forward_and_parameter_grads(affine, shape, dtype):
    key = f"RMSNorm/run/{affine}/{shape}/{dtype}"
    want = ORACLE.answer(key, lambda T: _rms_module_run(T, affine, shape, dtype))
    got = _rms_module_run(numtorch, affine, shape, dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    for name in ("y", "x_grad", "w_grad"):
        if want[name] is None:
            assert got[name] is None
            continue
        assert str(got[name].dtype) == str(want[name].dtype), name
        np.testing.assert_allclose(got[name].detach().numpy(), want[name].numpy(), **tol,
                                   err_msg=name)
    assert got["y"].grad_fn.name() == want["y"].grad_fn.name()


def _bilinear_module_run(T, bias):
    T.manual_seed(3)
    m = T.nn.Bilinear(3, 4, 2, bias=bias)
    rng = np.random.default_rng(11)
    a = T.tensor(rng.standard_normal((5, 3)).astype("float32"), requires_grad=True)
    b = T.tensor(rng.standard_normal((5, 4)).astype("float32"), requires_grad=True)
    y = m(a, b)
    (y * T.tensor(rng.standard_normal((5, 2)).astype("float32"))).sum().backward()
    return {"weight": digest(m.weight), "bias": None if m.bias is None else digest(m.bias),
            "y": y, "grads": [a.grad, b.grad, m.weight.grad,
                              None if m.bias is None else m.bias.grad],
            "unbatched": m(a[0].detach(), b[0].detach())}


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_module_init_forward_grads(bias):
    want = ORACLE.answer(f"Bilinear/run/{bias}", lambda T: _bilinear_module_run(T, bias))
    got = _bilinear_module_run(numtorch, bias)
    assert got["weight"] == want["weight"] and got["bias"] == want["bias"]   # same draws
    for g, w in zip([got["y"], got["unbatched"]] + got["grads"],
                    [want["y"], want["unbatched"]] + list(want["grads"])):
        if w is None:
            assert g is None
            continue
        assert tuple(g.shape) == tuple(w.shape) and str(g.dtype) == str(w.dtype)
        np.testing.assert_allclose(g.detach().numpy(), w.numpy(), rtol=1e-5, atol=1e-6)
    assert got["y"].grad_fn.name() == want["y"].grad_fn.name()


# -- numeric gradient checks (float64, no torch) --------------------------------------------------

GRAD_FNS = {
    "pad/constant": (lambda x: numtorch.nn.functional.pad(x, (1, -1, 2, 0), value=0.5), (2, 3, 4)),
    "pad/reflect": (lambda x: numtorch.nn.functional.pad(x, (2, 1, -1, 2), "reflect"), (2, 3, 4)),
    "pad/replicate": (lambda x: numtorch.nn.functional.pad(x, (3, 0, 1, 1, 0, 2), "replicate"),
                      (1, 2, 3, 2, 2)),
    "pad/circular": (lambda x: numtorch.nn.functional.pad(x, (2, -1), "circular"), (2, 4)),
    "module/reflect3d": (lambda x: numtorch.nn.ReflectionPad3d((1, 0, 1, 1, 0, 1))(x),
                         (2, 3, 2, 2)),
    "rms": (lambda x, w: numtorch.rms_norm(x, (4,), w), (3, 4), (4,)),
    "rms/2dims_eps": (lambda x, w: numtorch.nn.functional.rms_norm(x, (2, 3), w, 0.1),
                      (2, 2, 3), (2, 3)),
    "rms/no_weight": (lambda x: numtorch.nn.functional.rms_norm(x, (5,)), (2, 5)),
    "bilinear": (lambda a, b, w, c: numtorch.bilinear(a, b, w, c), (4, 2), (4, 3), (2, 2, 3), (2,)),
    "bilinear/unbatched": (lambda a, b, w: numtorch.nn.functional.bilinear(a, b, w), (2,), (3,),
                           (3, 2, 3)),
}


@pytest.mark.parametrize("name", sorted(GRAD_FNS))
def test_gradcheck_and_gradgradcheck(name):
    fn, *shapes = GRAD_FNS[name]
    rng = np.random.default_rng(5)
    args = [numtorch.tensor(rng.uniform(0.2, 1.5, s) * rng.choice([-1, 1], s), dtype=numtorch.float64,
                            requires_grad=True) for s in shapes]
    assert gradcheck(fn, args)
    assert gradgradcheck(fn, args)


@pytest.mark.parametrize("p", [0.5, 1, 1.5, 2, 3, INF])
def test_pdist_gradcheck(p):
    rng = np.random.default_rng(int(p * 10) if p != INF else 99)
    x = numtorch.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    assert gradcheck(lambda x: numtorch.pdist(x, p), (x,))


def test_pdist_matches_pairwise_definition():
    """pdist(x, p) equals the upper triangle of the plain pairwise p-norm (mathematics)."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((6, 4))
    for p in (0, 1, 2, 3, INF):
        d = numtorch.pdist(numtorch.tensor(a), p).numpy()
        i, j = np.triu_indices(6, 1)
        diff = np.abs(a[i] - a[j])
        want = ((diff != 0).sum(1) if p == 0 else diff.max(1) if p == INF
                else (diff ** p).sum(1) ** (1 / p))
        np.testing.assert_allclose(d, want, rtol=1e-12)


def test_constant_pad_fast_path_has_no_graph():
    x = numtorch.ones(2, 3)
    y = numtorch.nn.functional.pad(x, (1, 1))
    assert y.grad_fn is None and not y.requires_grad
    assert y.numpy().tolist() == [[0, 1, 1, 1, 0]] * 2


def test_doctests():
    from numtorch.nn.modules import padding
    from numtorch.ops import nn_extra
    for mod in (padding, nn_extra):
        result = doctest.testmod(mod)
        assert result.attempted > 0 and result.failed == 0, mod.__name__
