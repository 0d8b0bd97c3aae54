"""Every public function of the core against PyTorch: values, dtype, shape, grad_fn, gradients.

One table; each row runs ``fn(T, *inputs)`` with ``T`` = torch and ``T`` = numtorch on the
same data (see ``_parity.py``). Skipped without torch.
"""
from __future__ import annotations

import numpy as np
import pytest

from _parity import Case, F, D, P, N, I, B, run_case
from _oracle import Oracle, live_torch

ORACLE = Oracle("ops_parity")

C = Case
_A = np.arange(12, dtype=np.float32).reshape(3, 4)

CREATION = [
    C("tensor_int", lambda T: T.tensor([1, 2, 3])),
    C("tensor_float", lambda T: T.tensor([1.0, 2, 3])),
    C("tensor_bool", lambda T: T.tensor([True, False])),
    C("tensor_scalar", lambda T: T.tensor(3.5)),
    C("tensor_int_scalar", lambda T: T.tensor(7)),
    C("tensor_empty", lambda T: T.tensor([])),
    C("tensor_nested", lambda T: T.tensor([[1, 2], [3, 4]], dtype=T.float64)),
    C("tensor_np64", lambda T: T.tensor(np.arange(4.0))),
    C("tensor_np_int32", lambda T: T.tensor(np.arange(4, dtype=np.int32))),
    C("tensor_np_scalar", lambda T: T.tensor(np.float64(2.5))),
    C("tensor_of_tensors", lambda T: T.tensor([T.tensor(1.5), T.tensor(2.0)])),
    C("tensor_requires_grad", lambda T: T.tensor([1.0, 2.0], requires_grad=True)),
    C("tensor_dtype_cast", lambda T: T.tensor([1.7, -2.7], dtype=T.int64)),
    C("tensor_half", lambda T: T.tensor([1.5, 2.25], dtype=T.half)),
    C("tensor_mixed_bool_int", lambda T: T.tensor([True, 2])),
    C("as_tensor", lambda T: T.as_tensor([1, 2])),
    C("as_tensor_dtype", lambda T: T.as_tensor(np.arange(3), dtype=T.float32)),
    C("from_numpy", lambda T: T.from_numpy(np.arange(6).reshape(2, 3))),
    C("from_numpy_f32", lambda T: T.from_numpy(_A.copy())),
    C("zeros", lambda T: T.zeros(2, 3)),
    C("zeros_tuple", lambda T: T.zeros((2, 3), dtype=T.int64)),
    C("zeros_list", lambda T: T.zeros([4])),
    C("zeros_0d", lambda T: T.zeros(())),
    C("ones", lambda T: T.ones(3, dtype=T.bool)),
    C("ones_rg", lambda T: T.ones(3, requires_grad=True)),
    C("full_int", lambda T: T.full((2, 2), 3)),
    C("full_float", lambda T: T.full((2,), 1.5)),
    C("full_bool", lambda T: T.full((2,), True)),
    C("full_dtype", lambda T: T.full([2, 1], 7, dtype=T.float64)),
    C("empty", lambda T: T.empty(2, 3), values=False),
    C("empty_dtype", lambda T: T.empty((4,), dtype=T.int32), values=False),
    C("arange_int", lambda T: T.arange(5)),
    C("arange_start_end", lambda T: T.arange(1, 10, 3)),
    C("arange_float", lambda T: T.arange(0, 1, 0.1)),
    C("arange_float_end", lambda T: T.arange(5.0)),
    C("arange_neg", lambda T: T.arange(5, 0, -1)),
    C("arange_dtype", lambda T: T.arange(4, dtype=T.float32)),
    C("arange_half_step", lambda T: T.arange(-1, 1, 0.5)),
    C("linspace", lambda T: T.linspace(0, 1, 5)),
    C("linspace_neg", lambda T: T.linspace(-3, 3, 7)),
    C("linspace_one", lambda T: T.linspace(2, 3, 1)),
    C("linspace_f64", lambda T: T.linspace(0, 1, 4, dtype=T.float64)),
    # every point one fused multiply-add in PyTorch: bit-exact, not just close
    C("linspace_fma_f32", lambda T: T.linspace(-37.3, 91.7, 157), rtol=0, atol=0),
    C("linspace_fma_f64", lambda T: T.linspace(-37.3, 91.7, 157, dtype=T.float64), rtol=0, atol=0),
    C("linspace_fma_f64b", lambda T: T.linspace(0.1, 2.9, 1001, dtype=T.float64), rtol=0, atol=0),
    C("linspace_fma_f16", lambda T: T.linspace(-3.3, 5.1, 41, dtype=T.float16), rtol=0, atol=0),
    C("eye", lambda T: T.eye(3)),
    C("eye_rect", lambda T: T.eye(2, 3)),
    C("eye_int", lambda T: T.eye(2, dtype=T.int64)),
    C("zeros_like", lambda T, x: T.zeros_like(x), F(2, 3)),
    C("ones_like", lambda T, x: T.ones_like(x), I(2, 3)),
    C("full_like", lambda T, x: T.full_like(x, 2.5), F(2, 3)),
    C("full_like_int", lambda T, x: T.full_like(x, 2.5), I(2)),
    C("empty_like", lambda T, x: T.empty_like(x), F(2, 3), values=False),
    C("zeros_like_dtype", lambda T, x: T.zeros_like(x, dtype=T.float64), I(3)),
    C("ones_like_rg", lambda T, x: T.ones_like(x, requires_grad=True), F(3, grad=False)),
    C("cat", lambda T, a, b: T.cat([a, b]), F(2, 3), F(1, 3)),
    C("cat_dim1", lambda T, a, b: T.cat((a, b), dim=1), F(2, 3), F(2, 2)),
    C("cat_neg", lambda T, a, b: T.cat((a, b), -1), F(2, 3), N(2, 2)),
    C("cat_promote", lambda T, a, b: T.cat((a, b)), F(2), I(3)),
    C("cat_empty", lambda T, a: T.cat((a, T.tensor([]))), F(3)),
    C("stack", lambda T, a, b: T.stack([a, b]), F(2, 3), F(2, 3)),
    C("stack_dim", lambda T, a, b: T.stack([a, b], dim=2), F(2, 3), F(2, 3)),
    C("stack_neg", lambda T, a, b: T.stack([a, b], -1), F(2), F(2)),
    C("Tensor_data", lambda T: T.Tensor([1, 2])),
    C("Tensor_shape", lambda T: T.Tensor(2, 3), values=False),
    C("Tensor_empty", lambda T: T.Tensor()),
    C("FloatTensor", lambda T: T.FloatTensor([1, 2])),
    C("FloatTensor_shape", lambda T: T.FloatTensor(2, 2), values=False),
    C("LongTensor", lambda T: T.LongTensor([1, 2])),
    C("DoubleTensor", lambda T: T.DoubleTensor([1.5])),
    C("BoolTensor", lambda T: T.BoolTensor([1, 0])),
    C("scalar_tensor", lambda T: T.scalar_tensor(3)),
]

ATTRIBUTES = [
    C("shape", lambda T, x: x.shape, F(2, 3)),
    C("size", lambda T, x: x.size(), F(2, 3)),
    C("size_dim", lambda T, x: (x.size(1), x.size(-1)), F(2, 3)),
    C("dim", lambda T, x: (x.dim(), x.ndim, x.ndimension()), F(2, 3, 1)),
    C("numel", lambda T, x: (x.numel(), x.nelement()), F(2, 3)),
    C("dtype", lambda T, x: x.dtype, I(2)),
    C("device", lambda T, x: str(x.device), F(2)),
    C("T", lambda T, x: x.T, F(2, 3)),
    C("T_3d", lambda T, x: x.permute(2, 1, 0), F(2, 3, 4)),
    C("mT", lambda T, x: x.mT, F(2, 3, 4)),
    C("is_leaf", lambda T, x: (x.is_leaf, (x * 2).is_leaf, x.detach().is_leaf), F(2)),
    C("requires_grad", lambda T, x: (x.requires_grad, (x + 1).requires_grad), F(2)),
    C("data", lambda T, x: x.data, F(2)),
    C("grad_none", lambda T, x: x.grad is None, F(2)),
    C("is_floating_point", lambda T, x, y: (x.is_floating_point(), y.is_floating_point()),
      F(2), I(2)),
    C("element_size", lambda T, x, y: (x.element_size(), y.element_size()), F(2), I(2)),
    C("stride", lambda T, x: x.stride(), F(2, 3)),
    C("is_contiguous", lambda T, x: (x.is_contiguous(), x.t().is_contiguous()), F(2, 3)),
]

CONVERSION = [
    C("item", lambda T, x: x.item(), F(1)),
    C("item_int", lambda T, x: x.item(), I()),
    C("item_bool", lambda T, x: x.item(), B()),
    C("tolist", lambda T, x: x.tolist(), I(2, 3)),
    C("tolist_0d", lambda T, x: x.tolist(), I()),
    C("tolist_bool", lambda T, x: x.tolist(), B(3)),
    C("float", lambda T, x: x.float(), I(3)),
    C("float_grad", lambda T, x: x.float(), D(3)),
    C("double", lambda T, x: x.double(), F(3)),
    C("half", lambda T, x: x.half(), F(3), rtol=1e-3),
    C("long", lambda T, x: x.long(), F(3)),
    C("int", lambda T, x: x.int(), F(3)),
    C("bool", lambda T, x: x.bool(), I(3, lo=0, hi=2)),
    C("byte", lambda T, x: x.byte(), I(3)),
    C("short_char", lambda T, x: (x.short(), x.char()), I(3)),
    C("to_dtype", lambda T, x: x.to(T.float64), F(3)),
    C("to_same", lambda T, x: x.to(T.float32) is x, F(3)),
    C("to_kw", lambda T, x: x.to(dtype=T.int32), I(3)),
    C("to_device", lambda T, x: x.to("cpu"), F(3)),
    C("to_tensor", lambda T, x, y: x.to(y), F(3), D(2)),
    C("type_str", lambda T, x: x.type(), F(3)),
    C("type_str_long", lambda T, x: x.type(), I(3)),
    C("type_cast", lambda T, x: x.type(T.float64), F(3)),
    C("type_cast_str", lambda T, x: x.type("torch.LongTensor"), F(3)),
    C("type_as", lambda T, x, y: x.type_as(y), F(3), I(2)),
    C("clone", lambda T, x: x.clone(), F(2, 3)),
    C("detach", lambda T, x: x.detach(), F(2, 3)),
    C("contiguous", lambda T, x: x.t().contiguous(), F(2, 3)),
    C("cpu", lambda T, x: x.cpu(), F(2, 3)),
    C("new_tensor", lambda T, x: x.new_tensor([1, 2]), D(2)),
    C("new_zeros", lambda T, x: x.new_zeros(2, 3), D(2)),
    C("new_ones", lambda T, x: x.new_ones((2,)), I(2)),
    C("new_full", lambda T, x: x.new_full((2,), 3), D(2)),
    C("array", lambda T, x: np.asarray(x).tolist(), N(2, 3)),
    C("array_dtype", lambda T, x: str(np.asarray(x).dtype), I(2)),
    C("len", lambda T, x: len(x), F(4, 2)),
    C("iter", lambda T, x: list(x), F(3, 2)),
    C("bool_proto", lambda T, x: (bool(x), bool(x - x)), P(1)),
    C("format", lambda T, x: f"{x:.3f}", N()),
    C("format_int", lambda T, x: f"{x:5d}", I()),
    C("index_proto", lambda T, x: [10, 20, 30, 40, 50, 60][x], I(hi=5)),
    C("float_int_proto", lambda T, x: (float(x), int(x)), N(1)),
    C("contains", lambda T, x: (2 in x, 7 in x), I(4, hi=3)),
]

ARITH = [
    C("add", lambda T, a, b: a + b, F(3, 4), F(3, 4)),
    C("add_bcast", lambda T, a, b: a + b, F(3, 1), F(4)),
    C("add_scalar", lambda T, a: a + 2, F(3)),
    C("radd", lambda T, a: 2.5 + a, F(3)),
    C("add_alpha", lambda T, a, b: T.add(a, b, alpha=2), F(3), F(3)),
    C("sub", lambda T, a, b: a - b, F(2, 3), F(3)),
    C("rsub", lambda T, a: 1 - a, F(3)),
    C("sub_alpha", lambda T, a, b: a.sub(b, alpha=0.5), F(3), F(3)),
    C("mul", lambda T, a, b: a * b, F(2, 3), F(2, 1)),
    C("rmul", lambda T, a: 3 * a, F(3)),
    C("mul_0d", lambda T, a, b: a * b, F(3), F()),
    C("div", lambda T, a, b: a / b, F(2, 3), P(3)),
    C("rdiv", lambda T, a: 1 / a, P(3)),
    C("div_scalar", lambda T, a: a / 4, F(3)),
    C("div_trunc", lambda T, a, b: T.div(a, b, rounding_mode="trunc"), F(4), P(4)),
    C("div_floor", lambda T, a, b: T.div(a, b, rounding_mode="floor"), F(4), P(4)),
    C("div_floor_int", lambda T, a: T.div(a, 2, rounding_mode="floor"), I(5, lo=-5)),
    C("floordiv", lambda T, a, b: a // b, F(4), P(4)),
    C("floordiv_int", lambda T, a: a // 3, I(6, lo=-9, hi=9)),
    C("rfloordiv", lambda T, a: 7 // a, I(6, lo=1, hi=9)),
    C("mod", lambda T, a, b: a % b, F(4), P(4)),
    C("mod_int_neg", lambda T, a: a % 3, I(6, lo=-9, hi=9)),
    C("mod_scalar", lambda T, a: a % 1.5, F(4)),
    C("rmod", lambda T, a: 5.0 % a, P(4)),
    C("fmod", lambda T, a, b: T.fmod(a, b), F(4), P(4)),
    C("pow", lambda T, a, b: a ** b, P(3), F(3)),
    C("pow_scalar", lambda T, a: a ** 2, F(3)),
    C("pow_half", lambda T, a: a ** 0.5, P(3)),
    C("pow_neg", lambda T, a: a ** -1, P(3)),
    C("rpow", lambda T, a: 2 ** a, F(3)),
    C("pow_int", lambda T, a: a ** 2, I(3)),
    C("pow_int_float", lambda T, a: a ** 0.5, I(3)),
    C("pow_fn", lambda T, a: T.pow(a, 3), F(3)),
    C("pow_zero_base", lambda T, a: T.zeros(3) ** a, P(3)),
    C("matmul_op", lambda T, a, b: a @ b, F(2, 3), F(3, 4)),
    C("matmul_vec", lambda T, a, b: a @ b, F(3), F(3, 2)),
    C("neg_op", lambda T, a: -a, F(3)),
    C("abs_op", lambda T, a: abs(a), F(3)),
    C("pos_op", lambda T, a: +a, F(3), names=False),
    C("int_true_div", lambda T, a: a / 2, I(3)),
    C("int_int_div", lambda T, a, b: a / b, I(3), I(3, lo=1)),
    C("int_mul_float", lambda T, a: a * 1.5, I(3)),
    C("int_add_int", lambda T, a: a + 1, I(3)),
    C("int_add_bool", lambda T, a: a + True, I(3)),
    C("bool_add_bool", lambda T, a, b: a + b, B(3), B(3)),
    C("bool_mul_int", lambda T, a: a * 3, B(3)),
    C("bool_add_float", lambda T, a: a + 0.5, B(3)),
    C("int32_int64", lambda T, a, b: a + b, I(3, dtype="int32"), I(3)),
    C("uint8_int8", lambda T, a, b: a + b, I(3, dtype="uint8"), I(3, dtype="int8")),
    C("int16_float16", lambda T, a, b: a * b, I(3, dtype="int16"), F(3, dtype="float16"),
      rtol=1e-3),
    C("f16_f32", lambda T, a, b: a + b, F(3, dtype="float16"), F(3)),
    C("f32_f64", lambda T, a, b: a + b, F(3), D(3)),
    C("f32_0d_f64", lambda T, a, b: a * b, F(3), D()),
    C("int_0d_float", lambda T, a, b: a * b, I(3), F()),
    C("f16_0d_int", lambda T, a, b: a * b, F(3, dtype="float16", grad=False), I(), rtol=1e-3),
    C("int32_0d_int64", lambda T, a, b: a + b, I(3, dtype="int32"), I()),
    C("f32_npfloat", lambda T, a: a * np.float64(2.0), F(3)),
    C("f32_list", lambda T, a: a + T.tensor([1.0, 2.0, 3.0]), F(3)),
    C("int_scalar_float", lambda T, a: a - 2.5, I(3, dtype="int32")),
    C("uint8_scalar", lambda T, a: a + 300, I(3, dtype="uint8"), values=False),
    C("f16_scalar", lambda T, a: a * 3.0, F(3, dtype="float16"), rtol=1e-3),
]

INPLACE = [
    C("add_", lambda T, a, b: a.clone().add_(b), F(3), F(3)),
    C("add_alpha_", lambda T, a, b: a.clone().add_(b, alpha=-2), F(3), F(3)),
    C("sub_", lambda T, a, b: a.clone().sub_(b), F(3), F(3)),
    C("mul_", lambda T, a, b: a.clone().mul_(b), F(3), F(3)),
    C("mul_scalar_", lambda T, a: a.clone().mul_(3), F(3)),
    C("div_", lambda T, a, b: a.clone().div_(b), F(3), P(3)),
    C("iadd", lambda T, a, b: _iop(a, b, "add"), F(3), F(3)),
    C("isub", lambda T, a, b: _iop(a, b, "sub"), F(3), F(1)),
    C("imul", lambda T, a, b: _iop(a, b, "mul"), F(3), F(3)),
    C("idiv", lambda T, a, b: _iop(a, b, "div"), F(3), P(3)),
    C("ipow", lambda T, a: _iop(a, 2, "pow"), F(3)),
    C("iadd_int_float_scalar", lambda T, a: _iadd_plain(a, 1), I(3)),
    C("iadd_int_tensor_on_float", lambda T, a, b: _iadd_plain(a, b), N(3), I(3)),
    C("zero_", lambda T, a: a.clone().zero_(), F(3)),
    C("fill_", lambda T, a: a.clone().fill_(2.5), F(3)),
    C("fill_int", lambda T, a: a.clone().fill_(2.7), I(3)),
    C("fill_tensor", lambda T, a, v: a.clone().fill_(v), F(3), F()),
    C("copy_", lambda T, a, b: a.clone().copy_(b), F(2, 3), F(3)),
    C("copy_cast", lambda T, a, b: a.clone().copy_(b), N(3), I(3)),
    C("clamp_", lambda T, a: a.clone().clamp_(-1, 1), F(5)),
    C("clamp_min_only_", lambda T, a: a.clone().clamp_(min=0), F(5)),
    C("neg_", lambda T, a: a.clone().neg_(), F(3)),
    C("exp_", lambda T, a: a.clone().exp_(), F(3)),
    C("relu_", lambda T, a: a.clone().relu_(), F(3)),
    C("sigmoid_", lambda T, a: a.clone().sigmoid_(), F(3)),
    C("masked_fill_", lambda T, a, m: a.clone().masked_fill_(m, 0.0), F(2, 3), B(2, 3)),
    C("inplace_chain", lambda T, a: (a.exp() * 1).mul_(2).add_(1), F(3)),
    C("inplace_no_grad", lambda T, a: _no_grad_update(T, a), F(3)),
]


def _iop(a, b, op):
    c = a * 1
    if op == "add":
        c += b
    elif op == "sub":
        c -= b
    elif op == "mul":
        c *= b
    elif op == "div":
        c /= b
    else:
        c **= b
    return c


def _iadd_plain(a, b):
    c = a.clone()
    c += b
    return c


def _no_grad_update(T, a):
    with T.no_grad():
        a.sub_(0.1 * a)
    return a.detach() * 1


def _math(name, spec=None, **kw):
    tag = "" if spec is None else "_" + spec.dtype + "_" + "x".join(map(str, spec.shape))
    return C(name + tag, lambda T, a: getattr(T, name)(a), spec or F(2, 3), **kw)


def _meth(name, spec=None, **kw):
    return C(name + "_method", lambda T, a: getattr(a, name)(), spec or F(2, 3), **kw)


MATH = [
    _math("neg"), _math("abs"), _math("sign"), _math("exp"), _math("log", P(2, 3)),
    _math("log2", P(2, 3)), _math("log10", P(2, 3)), _math("log1p", P(2, 3)), _math("expm1"),
    _math("sqrt", P(2, 3)), _math("rsqrt", P(2, 3)), _math("square"), _math("reciprocal", P(3)),
    _math("sin"), _math("cos"), _math("tan", F(3, lo=-1, hi=1)), _math("tanh"), _math("sigmoid"),
    _math("relu"), _math("floor"), _math("ceil"), _math("round"), _math("trunc"),
    _math("atan"), _math("asin", F(3, lo=-0.9, hi=0.9)), _math("acos", F(3, lo=-0.9, hi=0.9)),
    _math("sinh"), _math("cosh"),
    _meth("exp"), _meth("abs"), _meth("sqrt", P(3)), _meth("sigmoid"), _meth("relu"),
    _math("neg", I(3), grads=False), _math("abs", I(3, lo=-3)), _math("sign", I(3, lo=-3)),
    _math("exp", I(3)), _math("sqrt", I(3)), _math("sigmoid", I(3)), _math("square", I(3)),
    _math("relu", I(3, lo=-3)), _math("floor", I(3)), _math("round", I(3)),
    _math("exp", D(3)), _math("log", P(3, dtype="float16"), rtol=1e-3, atol=1e-3),
    C("round_decimals", lambda T, a: T.round(a, decimals=2), F(4)),
    C("round_half", lambda T: T.round(T.tensor([0.5, 1.5, 2.5, -0.5]))),
    C("clamp", lambda T, a: T.clamp(a, -1, 1), F(6)),
    C("clamp_min", lambda T, a: a.clamp(min=0.5), F(6)),
    C("clamp_max", lambda T, a: a.clamp(max=0.5), F(6)),
    C("clamp_tensor", lambda T, a, lo, hi: T.clamp(a, lo, hi + 2), F(6), F(6), F(6)),
    C("clamp_int", lambda T, a: a.clamp(1, 3), I(6)),
    C("clamp_int_float", lambda T, a: a.clamp(0.5, 3), I(6), values=True),
    C("clip", lambda T, a: T.clip(a, -0.5, 0.5), F(6)),
    C("clamp_min_fn", lambda T, a: T.clamp_min(a, 0.1), F(6)),
    C("where", lambda T, c, a, b: T.where(c, a, b), B(2, 3), F(2, 3), F(3)),
    C("where_scalar", lambda T, c, a: T.where(c, a, 0.0), B(2, 3), F(2, 3)),
    C("where_scalar_left", lambda T, c, a: T.where(c, 1.0, a), B(3), F(3)),
    C("where_int", lambda T, c, a: T.where(c, a, 0), B(3), I(3)),
    C("where_promote", lambda T, c, a, b: T.where(c, a, b), B(3), I(3), F(3)),
    C("where_method", lambda T, c, a, b: a.where(c, b), B(3), F(3), F(3)),
    C("where_cond_only", lambda T, c: T.where(c), B(2, 3)),
    C("maximum", lambda T, a, b: T.maximum(a, b), F(2, 3), F(3)),
    C("minimum", lambda T, a, b: T.minimum(a, b), F(2, 3), F(2, 3)),
    C("maximum_tie", lambda T, a: T.maximum(a, a.detach()), F(3)),
    C("maximum_int", lambda T, a, b: T.maximum(a, b), I(3), I(3)),
    C("lerp", lambda T, a, b: T.lerp(a, b, 0.3), F(3), F(3)),
    C("lerp_tensor", lambda T, a, b, w: T.lerp(a, b, w), F(3), F(3), F(3, lo=0, hi=1)),
    C("atan2", lambda T, a, b: T.atan2(a, b), F(3), F(3)),
    C("addcmul", lambda T, a, b, c: T.addcmul(a, b, c, value=0.5), F(3), F(3), F(3)),
    C("addcdiv", lambda T, a, b, c: T.addcdiv(a, b, c, value=2), F(3), F(3), P(3)),
    C("nan_to_num", lambda T: T.nan_to_num(T.tensor([float("nan"), float("inf"), -1.0]))),
    C("isnan", lambda T: T.isnan(T.tensor([float("nan"), 1.0]))),
    C("isinf_isfinite", lambda T: (T.isinf(T.tensor([float("inf"), 1.0])),
                                    T.isfinite(T.tensor([float("inf"), 1.0])))),
]

COMPARE = [
    C("eq", lambda T, a, b: a == b, I(6), I(6)),
    C("ne", lambda T, a, b: a != b, I(6), I(6)),
    C("lt", lambda T, a, b: a < b, F(6), F(6)),
    C("le", lambda T, a: a <= 0.5, F(6)),
    C("gt", lambda T, a, b: a > b, F(2, 3), F(3)),
    C("ge", lambda T, a: a >= 2, I(6)),
    C("eq_scalar", lambda T, a: a == 1, I(6)),
    C("eq_float_int", lambda T, a, b: T.eq(a, b), N(3), I(3)),
    C("gt_fn", lambda T, a, b: T.gt(a, b), F(3), F(3)),
    C("reverse_compare", lambda T, a: 1 < a, F(3)),
    C("equal", lambda T, a, b: (T.equal(a, a), T.equal(a, b)), I(3), I(3)),
    C("allclose", lambda T, a: T.allclose(a, a + 1e-9), F(3)),
    C("isclose", lambda T, a, b: T.isclose(a, b), F(3), F(3)),
    C("logical_and", lambda T, a, b: T.logical_and(a, b), B(4), B(4)),
    C("logical_or", lambda T, a, b: T.logical_or(a, b), I(4, hi=2), B(4)),
    C("logical_xor", lambda T, a, b: T.logical_xor(a, b), B(4), B(4)),
    C("logical_not", lambda T, a: T.logical_not(a), F(4)),
    C("and_op", lambda T, a, b: a & b, B(4), B(4)),
    C("or_op", lambda T, a, b: a | b, B(4), B(4)),
    C("xor_op", lambda T, a, b: a ^ b, I(4), I(4)),
    C("invert_bool", lambda T, a: ~a, B(4)),
    C("invert_int", lambda T, a: ~a, I(4)),
    C("bitwise_and_int", lambda T, a: a & 3, I(4, hi=9)),
]

REDUCE = [
    C("sum", lambda T, a: a.sum(), F(3, 4)),
    C("sum_dim", lambda T, a: a.sum(1), F(3, 4)),
    C("sum_neg_keep", lambda T, a: a.sum(-1, keepdim=True), F(3, 4)),
    C("sum_tuple", lambda T, a: T.sum(a, (0, 2)), F(2, 3, 4)),
    C("sum_int", lambda T, a: a.sum(), I(3, 4)),
    C("sum_int32", lambda T, a: a.sum(0), I(3, 4, dtype="int32")),
    C("sum_bool", lambda T, a: a.sum(), B(5)),
    C("sum_dtype", lambda T, a: a.sum(dtype=T.float64), F(3)),
    C("sum_dim_kw", lambda T, a: a.sum(dim=0), F(3, 2)),
    C("sum_empty_tuple", lambda T, a: a.sum(dim=()), F(3, 2), names=False),
    C("mean", lambda T, a: a.mean(), F(3, 4)),
    C("mean_dim", lambda T, a: a.mean(dim=(0, 1), keepdim=True), F(3, 4)),
    C("mean_neg", lambda T, a: T.mean(a, -2), F(2, 3, 4)),
    C("prod", lambda T, a: a.prod(), F(3, 2)),
    C("prod_dim", lambda T, a: a.prod(1), F(3, 4)),
    C("prod_int", lambda T, a: a.prod(), I(4, lo=1)),
    C("prod_zero", lambda T, a: (a * T.tensor([0.0, 1.0, 1.0])).prod(), F(3)),
    C("max", lambda T, a: a.max(), F(3, 4)),
    C("max_dim", lambda T, a: a.max(1), F(3, 4)),
    C("max_dim_keep", lambda T, a: T.max(a, dim=-1, keepdim=True), F(3, 4)),
    C("max_binary", lambda T, a, b: T.max(a, b), F(3), F(3)),
    C("max_fields", lambda T, a: (a.max(0).values, a.max(0).indices), F(3, 4)),
    C("max_int", lambda T, a: a.max(), I(5, hi=100)),
    C("min", lambda T, a: a.min(), F(3, 4)),
    C("min_dim", lambda T, a: a.min(0), F(3, 4)),
    C("max_ties", lambda T: T.tensor([1.0, 3.0, 3.0], requires_grad=True).max()),
    C("amax", lambda T, a: a.amax(), F(3, 4)),
    C("amax_dim", lambda T, a: T.amax(a, dim=(0, 1)), F(2, 3, 4)),
    C("amin", lambda T, a: a.amin(-1, keepdim=True), F(3, 4)),
    C("argmax", lambda T, a: a.argmax(), F(3, 4)),
    C("argmax_dim", lambda T, a: T.argmax(a, dim=1, keepdim=True), F(3, 4)),
    C("argmin", lambda T, a: a.argmin(0), F(3, 4)),
    C("std", lambda T, a: a.std(), F(3, 4)),
    C("std_dim", lambda T, a: a.std(1, keepdim=True), F(3, 4)),
    C("std_unbiased_false", lambda T, a: a.std(unbiased=False), F(5)),
    C("std_correction", lambda T, a: T.std(a, dim=0, correction=0), F(3, 4)),
    C("var", lambda T, a: a.var(), F(3, 4)),
    C("var_dims", lambda T, a: a.var((0, 2)), F(2, 3, 4)),
    C("var_unbiased_dim", lambda T, a: T.var(a, 1, unbiased=False), F(3, 4)),
    C("var_mean", lambda T, a: T.var_mean(a, 1), F(3, 4)),
    C("std_mean", lambda T, a: T.std_mean(a), F(3, 4)),
    C("norm", lambda T, a: a.norm(), F(3, 4)),
    C("norm_p1", lambda T, a: a.norm(p=1), F(3, 4)),
    C("norm_dim", lambda T, a: T.norm(a, dim=1), F(3, 4)),
    C("norm_p2_dim_keep", lambda T, a: a.norm(2, dim=0, keepdim=True), F(3, 4)),
    C("norm_inf", lambda T, a: a.norm(float("inf")), F(3, 4)),
    C("logsumexp", lambda T, a: T.logsumexp(a, 1), F(3, 4)),
    C("logsumexp_keep", lambda T, a: a.logsumexp(dim=(0, 1), keepdim=True), F(3, 4)),
    C("logsumexp_big", lambda T, a: (a * 100).logsumexp(0), F(3, 4), rtol=1e-4),
    C("cumsum", lambda T, a: a.cumsum(1), F(3, 4)),
    C("cumsum_neg", lambda T, a: T.cumsum(a, dim=-2), F(3, 4)),
    C("cumsum_int", lambda T, a: a.cumsum(0), I(4, dtype="int32")),
    C("cumprod", lambda T, a: a.cumprod(0), F(4)),
    C("all", lambda T, a: (a.all(), a.all(1)), B(3, 4)),
    C("any", lambda T, a: (a.any(), T.any(a, dim=0, keepdim=True)), B(3, 4)),
    C("all_float", lambda T, a: a.all(), F(3)),
    C("any_int", lambda T, a: a.any(), I(3)),
    C("count_nonzero", lambda T, a: T.count_nonzero(a), I(3, 4)),
    C("aminmax", lambda T, a: T.aminmax(a), F(4)),
    C("nansum", lambda T, a: T.nansum(a), F(4)),
    C("sum_0d", lambda T, a: a.sum(), F()),
    C("mean_int_err_free", lambda T, a: a.float().mean(), I(3)),
]

SHAPE = [
    C("reshape", lambda T, a: a.reshape(4, 3), F(3, 4)),
    C("reshape_tuple", lambda T, a: T.reshape(a, (2, -1)), F(3, 4)),
    C("reshape_list", lambda T, a: a.reshape([-1]), F(3, 4)),
    C("view", lambda T, a: a.view(2, 6), F(3, 4)),
    C("view_neg", lambda T, a: a.view(-1, 2), F(3, 4)),
    C("view_size", lambda T, a: a.view(a.size()), F(3, 4)),
    C("view_as", lambda T, a, b: a.view_as(b), F(3, 4), N(12)),
    C("reshape_as", lambda T, a, b: a.reshape_as(b), F(3, 4), N(2, 6)),
    C("flatten", lambda T, a: a.flatten(), F(2, 3, 4)),
    C("flatten_start", lambda T, a: T.flatten(a, 1), F(2, 3, 4)),
    C("flatten_range", lambda T, a: a.flatten(0, 1), F(2, 3, 4)),
    C("unflatten", lambda T, a: a.unflatten(1, (2, 2)), F(3, 4)),
    C("unflatten_neg", lambda T, a: T.unflatten(a, -1, (2, -1)), F(3, 4)),
    C("squeeze", lambda T, a: a.squeeze(), F(1, 3, 1)),
    C("squeeze_dim", lambda T, a: a.squeeze(0), F(1, 3, 1)),
    C("squeeze_noop", lambda T, a: a.squeeze(1), F(1, 3, 1)),
    C("squeeze_tuple", lambda T, a: a.squeeze((0, 2)), F(1, 3, 1)),
    C("unsqueeze", lambda T, a: a.unsqueeze(0), F(3)),
    C("unsqueeze_neg", lambda T, a: T.unsqueeze(a, -1), F(3, 2)),
    C("transpose", lambda T, a: a.transpose(0, 1), F(3, 4)),
    C("transpose_neg", lambda T, a: T.transpose(a, -1, -3), F(2, 3, 4)),
    C("t", lambda T, a: a.t(), F(3, 4)),
    C("t_1d", lambda T, a: a.t(), F(3)),
    C("permute", lambda T, a: a.permute(2, 0, 1), F(2, 3, 4)),
    C("permute_tuple", lambda T, a: T.permute(a, (1, 0, 2)), F(2, 3, 4)),
    C("permute_neg", lambda T, a: a.permute(-1, 0, 1), F(2, 3, 4)),
    C("expand", lambda T, a: a.expand(2, 3, 4), F(3, 1)),
    C("expand_neg", lambda T, a: a.expand(-1, 5), F(3, 1)),
    C("expand_as", lambda T, a, b: a.expand_as(b), F(1, 4), N(3, 4)),
    C("broadcast_to", lambda T, a: T.broadcast_to(a, (2, 3)), F(3)),
    C("repeat", lambda T, a: a.repeat(2, 3), F(2, 2)),
    C("repeat_more", lambda T, a: a.repeat(2, 1, 3), F(2)),
    C("tile", lambda T, a: a.tile((2,)), F(3)),
    C("split", lambda T, a: a.split(2), F(5, 2)),
    C("split_sections", lambda T, a: T.split(a, [1, 3], dim=1), F(2, 4)),
    C("chunk", lambda T, a: a.chunk(3), F(7)),
    C("chunk_dim", lambda T, a: T.chunk(a, 2, dim=1), F(2, 5)),
    C("unbind", lambda T, a: a.unbind(1), F(2, 3)),
    C("unbind_fn", lambda T, a: T.unbind(a), F(2, 3)),
    C("narrow", lambda T, a: a.narrow(1, 1, 2), F(3, 4)),
    C("narrow_neg", lambda T, a: T.narrow(a, -1, 0, 3), F(3, 4)),
    C("flip", lambda T, a: a.flip(0), F(3, 4)),
    C("flip_dims", lambda T, a: T.flip(a, (0, 1)), F(3, 4)),
    C("flip_list", lambda T, a: a.flip([-1]), F(3, 4)),
    C("roll", lambda T, a: a.roll(1, 0), F(3, 4)),
    C("tril", lambda T, a: a.tril(), F(4, 4)),
    C("tril_k", lambda T, a: T.tril(a, -1), F(3, 4)),
    C("triu", lambda T, a: a.triu(1), F(4, 3)),
    C("triu_batch", lambda T, a: T.triu(a), F(2, 3, 3)),
    C("swapaxes", lambda T, a: a.swapaxes(0, 1), F(2, 3)),
    C("movedim", lambda T, a: T.movedim(a, 0, -1), F(2, 3, 4)),
    C("diag", lambda T, a: T.diag(a), F(3)),
    C("diag_matrix", lambda T, a: a.diag(), F(3, 3)),
    C("diagonal", lambda T, a: a.diagonal(), F(3, 4)),
    C("hstack", lambda T, a, b: T.hstack([a, b]), F(2), F(3)),
    C("vstack", lambda T, a, b: T.vstack([a, b]), F(3), F(3)),
    C("broadcast_tensors", lambda T, a, b: T.broadcast_tensors(a, b), F(3, 1), F(4)),
    C("contiguous_same", lambda T, a: a.contiguous() is a, F(3)),
    C("ravel", lambda T, a: a.ravel(), F(3, 2)),
]

INDEX = [
    C("index_int", lambda T, a: a[0], F(3, 4)),
    C("index_neg", lambda T, a: a[-1], F(3, 4)),
    C("index_slice", lambda T, a: a[1:], F(3, 4)),
    C("index_slice_step", lambda T, a: a[::2], F(5, 2)),
    C("index_slice_2d", lambda T, a: a[:, 1:3], F(3, 4)),
    C("index_int_int", lambda T, a: a[1, 2], F(3, 4)),
    C("index_none", lambda T, a: a[None], F(3)),
    C("index_none_mid", lambda T, a: a[:, None], F(3, 4)),
    C("index_ellipsis", lambda T, a: a[..., 0], F(2, 3, 4)),
    C("index_ellipsis_slice", lambda T, a: a[..., 1:], F(2, 3, 4)),
    C("index_tensor", lambda T, a, i: a[i], F(5, 2), I(4)),
    C("index_tensor_dup", lambda T, a: a[T.tensor([0, 0, 2])], F(3, 2)),
    C("index_list", lambda T, a: a[[0, 2]], F(3, 2)),
    C("index_mask", lambda T, a, m: a[m], F(3, 4), B(3, 4)),
    C("index_mask_rows", lambda T, a, m: a[m], F(3, 4), B(3)),
    C("index_mask_cmp", lambda T, a: a[a > 0], F(3, 4)),
    C("index_range_target", lambda T, a, t: a[range(4), t], F(4, 5), I(4)),
    C("index_arange_target", lambda T, a, t: a[T.arange(4), t], F(4, 5), I(4)),
    C("index_2d_tensor", lambda T, a, i: a[i], F(5), I(2, 3)),
    C("index_slice_tensor", lambda T, a, i: a[:, i], F(3, 5), I(4)),
    C("index_int_tensor_2", lambda T, a: a[1, T.tensor([0, 2])], F(3, 4)),
    C("index_0d_tensor", lambda T, a: a[T.tensor(1)], F(3, 4)),
    C("index_bool_scalar", lambda T, a: a[True], F(3), names=False),
    C("index_int_dtype", lambda T, a: a[1:, 0], I(3, 4)),
    C("index_neg_step_free", lambda T, a: a[-2:], F(4)),
    C("index_adv_sep", lambda T, a: a[T.tensor([0, 1]), :, T.tensor([1, 2])], F(2, 3, 4)),
    C("setitem_int", lambda T, a: _set(a, 0, 5.0), N(3, 2)),
    C("setitem_slice_tensor", lambda T, a, v: _set(a, slice(1, None), v), N(3, 2), N(2)),
    C("setitem_mask", lambda T, a: _set(a, a > 0, 0.0), N(3, 4)),
    C("setitem_index", lambda T, a: _set(a, T.tensor([0, 2]), -1.0), N(3, 2)),
    C("setitem_autograd", lambda T, a, v: _set(a * 1, (slice(None), 0), v), F(3, 2), F(3)),
    C("setitem_autograd_mask", lambda T, a: _set(a * 2, a > 0, 0.0), F(3, 4)),
    C("setitem_autograd_leaf_value", lambda T, a, v: _set(T.zeros(2, 3), 1, v), N(1), F(3)),
    C("setitem_int_tensor", lambda T, a: _set(a, (0, 1), 7), I(2, 3)),
    C("setitem_cast", lambda T, a: _set(a, 0, 2.7), I(2, 3)),
    C("gather", lambda T, a, i: T.gather(a, 1, i), F(3, 4), I(3, 2, hi=4)),
    C("gather_dim0", lambda T, a, i: a.gather(0, i), F(3, 4), I(2, 4, hi=3)),
    C("scatter", lambda T, a, i, s: a.scatter(1, i, s), F(3, 4), I(3, 1, hi=4), F(3, 1)),
    C("scatter_value", lambda T, a, i: T.scatter(a, 0, i, 9.0), F(3, 4), I(1, 4, hi=3)),
    C("scatter_", lambda T, a, i: a.clone().scatter_(1, i, 1.0), N(3, 4), I(3, 1, hi=4)),
    C("scatter_add", lambda T, a, i, s: a.scatter_add(0, i, s), F(3, 2), I(4, 2, hi=3), F(4, 2)),
    C("index_select", lambda T, a, i: a.index_select(0, i), F(4, 3), I(5, hi=4)),
    C("index_select_dim1", lambda T, a, i: T.index_select(a, -1, i), F(4, 3), I(2, hi=3)),
    C("masked_fill", lambda T, a, m: a.masked_fill(m, -1.0), F(3, 4), B(3, 4)),
    C("masked_fill_bcast", lambda T, a, m: T.masked_fill(a, m, 0), F(3, 4), B(4)),
    C("masked_fill_tensor_value", lambda T, a, m: a.masked_fill(m, T.tensor(2.0)), F(3), B(3)),
    C("masked_select", lambda T, a, m: T.masked_select(a, m), F(3, 4), B(3, 4)),
    C("nonzero", lambda T, a: a.nonzero(), I(3, 4, hi=2)),
    C("nonzero_tuple", lambda T, a: T.nonzero(a, as_tuple=True), I(3, 4, hi=2)),
    C("take", lambda T, a, i: T.take(a, i), F(3, 4), I(5, hi=12)),
    C("index_add", lambda T, a, i, s: a.index_add(0, i, s), F(3, 2), I(4, hi=3), F(4, 2)),
    C("argwhere", lambda T, a: T.argwhere(a), B(3, 3)),
]


def _set(a, index, value):
    a[index] = value
    return a


# einsum: PyTorch's grad_fn is whatever op its contraction path ends with (ViewBackward0,
# PermuteBackward0, ...); numtorch records one EinsumBackward0 node, so names are not compared.
LINALG = [
    C("matmul_2d", lambda T, a, b: T.matmul(a, b), F(2, 3), F(3, 4)),
    C("matmul_1d_1d", lambda T, a, b: a @ b, F(3), F(3)),
    C("matmul_2d_1d", lambda T, a, b: a @ b, F(2, 3), F(3)),
    C("matmul_1d_3d", lambda T, a, b: a @ b, F(3), F(2, 3, 4)),
    C("matmul_batched", lambda T, a, b: a @ b, F(2, 3, 4), F(2, 4, 5)),
    C("matmul_bcast", lambda T, a, b: a @ b, F(2, 1, 3, 4), F(3, 4, 2)),
    C("matmul_3d_2d", lambda T, a, b: a @ b, F(2, 3, 4), F(4, 2)),
    C("matmul_3d_1d", lambda T, a, b: a @ b, F(2, 3, 4), F(4)),
    C("matmul_int", lambda T, a, b: a @ b, I(2, 3), I(3, 2)),
    C("matmul_f64", lambda T, a, b: a @ b, D(2, 3), D(3, 2)),
    C("mm", lambda T, a, b: T.mm(a, b), F(2, 3), F(3, 4)),
    C("mm_method", lambda T, a, b: a.mm(b), F(2, 3), F(3, 4)),
    C("bmm", lambda T, a, b: T.bmm(a, b), F(2, 3, 4), F(2, 4, 5)),
    C("mv", lambda T, a, b: T.mv(a, b), F(2, 3), F(3)),
    C("dot", lambda T, a, b: T.dot(a, b), F(3), F(3)),
    C("dot_method", lambda T, a, b: a.dot(b), F(3), F(3)),
    C("outer", lambda T, a, b: T.outer(a, b), F(3), F(4)),
    C("ger", lambda T, a, b: a.ger(b), F(3), F(4), names=False),
    C("inner", lambda T, a, b: T.inner(a, b), F(3), F(3), names=False),
    C("addmm", lambda T, c, a, b: T.addmm(c, a, b), F(4), F(2, 3), F(3, 4)),
    C("addmm_full", lambda T, c, a, b: T.addmm(c, a, b, beta=0.5, alpha=2), F(2, 4), F(2, 3),
      F(3, 4)),
    C("einsum_mm", lambda T, a, b: T.einsum("ij,jk->ik", a, b), F(2, 3), F(3, 4), names=False),
    C("einsum_bmm", lambda T, a, b: T.einsum("bij,bjk->bik", a, b), F(2, 2, 3), F(2, 3, 4),
      names=False),
    C("einsum_trace", lambda T, a: T.einsum("ii", a), F(3, 3), names=False),
    C("einsum_diag", lambda T, a: T.einsum("ii->i", a), F(3, 3), names=False),
    C("einsum_transpose", lambda T, a: T.einsum("ij->ji", a), F(2, 3), names=False),
    C("einsum_sum", lambda T, a: T.einsum("ij->", a), F(2, 3), names=False),
    C("einsum_outer", lambda T, a, b: T.einsum("i,j->ij", a, b), F(2), F(3), names=False),
    C("einsum_dot", lambda T, a, b: T.einsum("i,i->", a, b), F(3), F(3), names=False),
    C("einsum_implicit", lambda T, a, b: T.einsum("ij,jk", a, b), F(2, 3), F(3, 4), names=False),
    C("einsum_ellipsis", lambda T, a, b: T.einsum("...ij,...jk->...ik", a, b), F(2, 2, 3),
      F(2, 3, 4), names=False),
    C("einsum_list", lambda T, a, b: T.einsum("ij,j->i", [a, b]), F(2, 3), F(3), names=False),
    C("einsum_mul", lambda T, a, b: T.einsum("ij,ij->ij", a, b), F(2, 3), F(2, 3), names=False),
    C("trace", lambda T, a: T.trace(a), F(3, 3)),
]

AUTOGRAD = [
    C("reuse", lambda T, a: a * a + a, F(3)),
    C("chain", lambda T, a, b: ((a @ b).relu().sum(1) ** 2).mean(), F(4, 3), F(3, 2)),
    C("detach_mixed", lambda T, a: a * a.detach(), F(3)),
    C("retain_grad", lambda T, a: _retained(a), F(3)),
    C("no_grad_result", lambda T, a: _nograd(T, a), F(3)),
    C("grad_fn_next", lambda T, a, b: [f[0] is None for f in (a * b).grad_fn.next_functions],
      F(3), N(3)),
    C("grad_fn_next_names", lambda T, a, b: [f[0].name() for f in (a * b + a).grad_fn.next_functions],
      F(3), F(3)),
    C("autograd_grad", lambda T, a, b: T.autograd.grad((a * b).sum(), [a, b]), F(3), F(3),
      names=False),
    C("accumulate", lambda T, a: _twice(a), F(3)),
]


def _retained(a):
    h = a * 2
    h.retain_grad()
    (h * h).sum().backward()
    return h.grad


def _nograd(T, a):
    with T.no_grad():
        return a * 2


def _twice(a):
    (a * a).sum().backward()
    (a * 3).sum().backward()
    return a.grad


TABLE = CREATION + ATTRIBUTES + CONVERSION + ARITH + INPLACE + MATH + COMPARE + REDUCE + SHAPE \
    + INDEX + LINALG + AUTOGRAD


def test_ids_unique():
    ids = [c.id for c in TABLE]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("case", TABLE, ids=[c.id for c in TABLE])
def test_parity(case):
    run_case(live_torch(), case, ORACLE)
