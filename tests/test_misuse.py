"""Misuse, everywhere: the same bad call on numtorch and on PyTorch raises the same exception.

Each case is ``(name, fn, key)``: ``fn(T)`` performs a bad call with ``T`` the module ``torch`` or
``numtorch``. PyTorch's outcome -- exception type name, message and the warnings it shows -- is
recorded in ``tests/data/misuse.json`` (regenerate with ``python tests/data/regen_misuse.py``
where torch 2.13 is installed). The test runs the numtorch side and compares with the record:

* the exception type name must be equal (``None`` where the call succeeds, e.g. warning-only cases);
* the message must be equal, unless the case gives a ``key``: then the recorded and the numtorch
  messages must both contain it. Keys are used where PyTorch's text holds C++ details (the
  argument parser's list of overloads, ``torch.FloatTensor{[2, 3]}`` reprs, internal kernel names)
  or addresses;
  ``parser(fn)`` keys the argument parser's overload list, ``MISSING`` Python's "missing 1
  required positional argument" (PyTorch says "arguments"), ``TYPE_ONLY`` compares the type alone
  (a few load errors where numtorch's text says more than PyTorch's);
* the warnings (category name and message) must be equal, after dropping PyTorch's C++ suffix
  `` (Triggered internally at <file>:<line>.)``.

``KNOWN`` lists the differences left on purpose (strict xfails, with the reason). No numtorch
exception may carry NumPy's wording or show a NumPy exception in its traceback chain. With torch
installed, ``test_record_is_pytorch`` (one test for every case) checks that the record still
equals live PyTorch under the same rules (``ONCE``: warnings PyTorch shows once per process).
"""
from __future__ import annotations

import io
import json
import os
import re
import tempfile
import traceback
import warnings

import numpy as np
import pytest

RECORD = os.path.join(os.path.dirname(__file__), "data", "misuse.json")
_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\)\s*$")


# -- helpers used by the cases --------------------------------------------------------------------

def F(T):
    return T.nn.functional


def _param(T, *shape):
    return T.nn.Parameter(T.ones(*shape))


def _nonleaf(T):
    return T.ones(2, requires_grad=True) * 2


def _ds(T, n=3):
    return T.utils.data.TensorDataset(T.arange(n * 2.0).reshape(n, 2), T.arange(n))


def _tmpfile(content: bytes) -> str:
    fd, path = tempfile.mkstemp(suffix=".pt")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return path


def _load_bytes(T, content: bytes):
    path = _tmpfile(content)
    try:
        return T.load(path)
    finally:
        os.remove(path)


def _setitem(T, t, index, value):
    t[index] = value


def _backward_twice_shape(T):
    a = T.ones(2, requires_grad=True)
    (a * 2).backward(T.ones(3))


def _grad_assign(T, value):
    a = T.ones(2, requires_grad=True)
    a.grad = value(T)


def _sched_before_step(T):
    p = _param(T, 2)
    opt = T.optim.SGD([p], lr=0.1)
    sched = T.optim.lr_scheduler.StepLR(opt, 1)
    sched.step()


def _load_state(T, state):
    m = T.nn.Linear(2, 3)
    m.load_state_dict(state(T))


def _collate_ragged(T):
    loader = T.utils.data.DataLoader([T.ones(2), T.ones(3)], batch_size=2)
    next(iter(loader))


def _set_default_tensor_type(T):
    T.set_default_tensor_type(T.FloatTensor)


def _module_no_forward(T):
    T.nn.Module()(T.ones(2))


def _zero_grad_bad(T):
    opt = T.optim.SGD([_param(T, 2)], lr=0.1)
    opt.load_state_dict({"state": {}, "param_groups": []})


def _iadd_none(T):
    t = T.ones(2)
    t += None


def _groups(T, make):
    """``make(T, p)`` with one fresh parameter ``p`` (for optimizer parameter-group errors)."""
    return make(T, _param(T, 2))


def _two_backward_retain(T):
    a = T.ones(2, requires_grad=True)
    y = (a.exp()).sum()
    y.backward()
    y.backward()


# -- the cases ------------------------------------------------------------------------------------
# (name, fn, key): key None means the whole message must be equal.

MISSING = "missing 1 required positional argument"   # Python's wording; PyTorch's says "arguments"
# Only the exception type: PyTorch's EOFError has no message at all and its unpickling error
# talks about ``weights_only`` (numtorch never runs code from a file); numtorch names the file
# and says that it is empty, truncated or not written by torch.save.
TYPE_ONLY = ""


def parser(fn: str) -> str:
    """The key of PyTorch's overload-mismatch message (it goes on to list every overload)."""
    return f"{fn}() received an invalid combination of arguments"

CREATION = [
    ("zeros_negative", lambda T: T.zeros(-1), None),
    ("zeros_negative_2d", lambda T: T.zeros(2, -3), None),
    ("ones_negative_tuple", lambda T: T.ones((4, -2)), None),
    ("empty_negative", lambda T: T.empty(-2), None),
    ("full_negative", lambda T: T.full((-1,), 1.0), None),
    ("randn_negative", lambda T: T.randn(-1), None),
    ("rand_negative", lambda T: T.rand(2, -1), None),
    ("randint_negative", lambda T: T.randint(5, (-1,)), None),
    ("randperm_negative", lambda T: T.randperm(-1), None),
    ("ones_float_size", lambda T: T.ones(2.5), None),
    ("zeros_float_size_tuple", lambda T: T.zeros((2, 1.5)), None),
    ("ones_str_size", lambda T: T.ones("a"), None),
    ("zeros_none_size", lambda T: T.zeros(None), None),
    ("randn_float_size", lambda T: T.randn(2.0), None),
    ("randint_int_size", lambda T: T.randint(5, 2), None),
    ("randint_empty_range", lambda T: T.randint(5, 3, (2,)), None),
    ("arange_zero_step", lambda T: T.arange(0, 3, 0), None),
    ("arange_wrong_sign", lambda T: T.arange(0, 10, -1), None),
    ("arange_str", lambda T: T.arange("a"), None),
    ("linspace_negative_steps", lambda T: T.linspace(0, 1, -1), None),
    ("eye_negative", lambda T: T.eye(-1), None),
    ("eye_negative_m", lambda T: T.eye(2, -1), None),
    ("tensor_ragged", lambda T: T.tensor([[1, 2], [3]]), None),
    ("tensor_ragged_deep", lambda T: T.tensor([[[1], [2]], [[3]]]), None),
    ("tensor_scalar_and_list", lambda T: T.tensor([[1, 2], 3]), None),
    ("tensor_str", lambda T: T.tensor("abc"), None),
    ("tensor_list_of_str", lambda T: T.tensor(["a", "b"]), None),
    ("tensor_mixed_str", lambda T: T.tensor([1, "a"]), None),
    ("tensor_none", lambda T: T.tensor(None), None),
    ("tensor_dict", lambda T: T.tensor({1: 2}), None),
    ("tensor_dtype_str", lambda T: T.tensor([1, 2], dtype="float32"), None),
    ("zeros_dtype_str", lambda T: T.zeros(2, dtype="float32"), None),
    ("tensor_int_requires_grad", lambda T: T.tensor([1, 2], requires_grad=True), None),
    ("zeros_int_requires_grad", lambda T: T.zeros(2, dtype=T.int64, requires_grad=True), None),
    ("arange_requires_grad", lambda T: T.arange(3, requires_grad=True), None),
    ("from_numpy_list", lambda T: T.from_numpy([1, 2]), None),
    ("from_numpy_str_array", lambda T: T.from_numpy(np.array(["a"])), None),
    ("from_numpy_object_array", lambda T: T.from_numpy(np.array([1, None], dtype=object)), None),
    ("zeros_like_list", lambda T: T.zeros_like([1, 2]), None),
    ("ones_like_int", lambda T: T.ones_like(3), None),
    ("full_like_list", lambda T: T.full_like([1.0], 2.0), None),
    ("new_zeros_negative", lambda T: T.ones(2).new_zeros(-1), None),
    ("normal_negative_std", lambda T: T.normal(0.0, -1.0, (2,)), None),
    ("bernoulli_p_over_one",
     lambda T: T.bernoulli(T.tensor([2.0])),
     "Expected p_in >= 0 && p_in <= 1"),
    ("manual_seed_str", lambda T: T.manual_seed("a"), None),
    ("device_unknown", lambda T: T.device("foo"), None),
    ("device_bad_index", lambda T: T.device("cpu:x"), None),
    ("device_negative_index", lambda T: T.device("cuda", -1), None),
    ("full_like_str", lambda T: T.full_like(T.ones(2), "a"), None),
    ("tensor_on_cuda", lambda T: T.tensor([1.0], device="cuda"), None),
    ("ones_on_cuda", lambda T: T.ones(2, device="cuda"), None),
    ("to_cuda", lambda T: T.ones(2).to("cuda"), None),
    ("cuda_method", lambda T: T.ones(2).cuda(), None),
    ("to_unknown_device", lambda T: T.ones(2).to("foo"), None),
    ("type_unknown", lambda T: T.ones(2).type("foo"), None),
]

WARNINGS = [
    ("warn_grad_nonleaf", lambda T: _nonleaf(T).grad, None),
    ("warn_tensor_of_tensor", lambda T: T.tensor(T.ones(2)), None),
    ("warn_new_tensor_of_tensor", lambda T: T.ones(2).new_tensor(T.ones(2)), None),
    ("warn_range_deprecated", lambda T: T.range(0, 3), None),
    ("warn_from_numpy_readonly", lambda T: T.from_numpy(np.broadcast_to(np.ones(1), (3,))), None),
    ("warn_T_3d", lambda T: T.ones(2, 3, 4).T, None),
    ("warn_softmax_implicit_dim", lambda T: F(T).softmax(T.ones(2, 3)), None),
    ("warn_log_softmax_implicit_dim", lambda T: F(T).log_softmax(T.ones(2, 3)), None),
    ("warn_softmax_module_implicit", lambda T: T.nn.Softmax()(T.ones(2, 3)), None),
    ("warn_mse_target_size", lambda T: F(T).mse_loss(T.ones(3, 1), T.ones(3)), None),
    ("warn_l1_target_size", lambda T: F(T).l1_loss(T.ones(3, 1), T.ones(3)), None),
    ("warn_smooth_l1_target_size", lambda T: F(T).smooth_l1_loss(T.ones(3, 1), T.ones(3)), None),
    ("warn_huber_target_size", lambda T: F(T).huber_loss(T.ones(3, 1), T.ones(3)), None),
    ("warn_mse_module_target_size", lambda T: T.nn.MSELoss()(T.ones(2, 1), T.ones(2)), None),
    ("warn_kl_div_mean", lambda T: F(T).kl_div(T.ones(2, 3), T.ones(2, 3)), None),
    ("warn_size_average", lambda T: T.nn.MSELoss(size_average=False), None),
    ("warn_reduce_arg", lambda T: F(T).mse_loss(T.ones(2), T.ones(2), reduce=False), None),
    ("warn_scheduler_before_step", _sched_before_step, None),
    ("warn_duplicate_params", lambda T: T.optim.SGD([_param(T, 2)] * 2, lr=0.1), None),
    ("warn_out_resized", lambda T: T.add(T.ones(2), 1, out=T.zeros(3)), None),
    ("warn_set_default_tensor_type", _set_default_tensor_type, None),
]

ARITHMETIC = [
    ("add_broadcast", lambda T: T.ones(2, 3) + T.ones(3, 2), None),
    ("mul_broadcast_1d", lambda T: T.ones(3) * T.ones(4), None),
    ("sub_broadcast_3d", lambda T: T.ones(2, 3, 4) - T.ones(5, 1), None),
    ("div_broadcast", lambda T: T.ones(2, 3) / T.ones(2), None),
    ("pow_broadcast", lambda T: T.ones(2) ** T.ones(3), None),
    ("fn_add_broadcast", lambda T: T.add(T.ones(4), T.ones(5)), None),
    ("maximum_broadcast", lambda T: T.maximum(T.ones(2), T.ones(3)), None),
    ("eq_broadcast", lambda T: T.ones(2) == T.ones(3), None),
    ("lt_broadcast", lambda T: T.ones(2) < T.ones(3), None),
    ("atan2_broadcast", lambda T: T.atan2(T.ones(2), T.ones(3)), None),
    ("fmod_broadcast", lambda T: T.fmod(T.ones(2), T.ones(3)), None),
    ("lerp_broadcast", lambda T: T.lerp(T.ones(2), T.ones(3), 0.5), None),
    ("allclose_broadcast", lambda T: T.allclose(T.ones(2), T.ones(3)), None),
    ("add_inplace_broadcast", lambda T: T.ones(3).add_(T.ones(2, 3)), None),
    ("mul_inplace_mismatch", lambda T: T.ones(3).mul_(T.ones(4)), None),
    ("iadd_broadcast", lambda T: T.ones(2, 1).__iadd__(T.ones(2, 3)), None),
    ("add_str", lambda T: T.ones(2) + "a", None),
    ("radd_str", lambda T: "a" + T.ones(2), None),
    ("add_none", lambda T: T.ones(2) + None, None),
    ("radd_none", lambda T: None + T.ones(2), None),
    ("rsub_none", lambda T: None - T.ones(2), None),
    ("iadd_none", _iadd_none, None),
    ("pow_none", lambda T: T.ones(2) ** None, None),
    ("lt_none", lambda T: T.ones(2) < None, None),
    ("eq_str_is_false", lambda T: T.ones(2) == "a", None),
    ("add_list", lambda T: T.ones(2) + [1.0, 2.0], None),
    ("rmul_list", lambda T: [1.0, 2.0] * T.ones(2), None),
    ("mul_tuple", lambda T: T.ones(2) * (1, 2), None),
    ("method_add_none_alpha", lambda T: T.ones(2).add(None, alpha=2), None),
    ("fn_eq_none", lambda T: T.eq(T.ones(2), None), parser("eq")),
    ("mul_dict", lambda T: T.ones(2) * {}, None),
    ("fn_add_str", lambda T: T.add(T.ones(2), "a"), None),
    ("fn_add_list_first", lambda T: T.add([1, 2], T.ones(2)), None),
    ("method_add_str", lambda T: T.ones(2).add("a"), None),
    ("fn_mul_none", lambda T: T.mul(T.ones(2), None), None),
    ("exp_list", lambda T: T.exp([1.0]), None),
    ("sqrt_int", lambda T: T.sqrt(3), None),
    ("abs_none", lambda T: T.abs(None), None),
    ("sin_ndarray", lambda T: T.sin(np.ones(2)), None),
    ("sigmoid_list", lambda T: T.sigmoid([0.0]), None),
    ("bitwise_and_float", lambda T: T.ones(2) & T.ones(2), None),
    ("bitwise_or_float", lambda T: T.ones(2) | T.ones(2), None),
    ("bitwise_not_float", lambda T: ~T.ones(2), None),
    ("xor_float", lambda T: T.ones(2) ^ T.ones(2), None),
    ("neg_bool", lambda T: -T.tensor([True]), None),
    ("sub_bool", lambda T: T.tensor([True]) - T.tensor([False]), None),
    ("int_pow_negative", lambda T: T.tensor([2]) ** -1, None),
    ("int_floordiv_zero", lambda T: T.tensor([1]) // T.tensor([0]), None),
    ("int_remainder_zero", lambda T: T.tensor([1]) % T.tensor([0]), None),
    ("int_fmod_zero", lambda T: T.fmod(T.tensor([1]), 0), None),
    ("int_div_inplace", lambda T: T.tensor([1, 2]).div_(2), None),
    ("int_add_inplace_float", lambda T: T.tensor([1, 2]).add_(1.5), None),
    ("int_sqrt_inplace", lambda T: T.tensor([1, 2]).sqrt_(), None),
    ("int_exp_inplace", lambda T: T.tensor([1, 2]).exp_(), None),
    ("bool_mul_inplace_int", lambda T: T.tensor([True]).mul_(2), None),
    ("int_mul_inplace_float_tensor", lambda T: T.ones(2, dtype=T.int64).mul_(T.ones(2)), None),
    ("clamp_no_bounds", lambda T: T.ones(2).clamp(), None),
    ("clamp_str", lambda T: T.ones(2).clamp(min="a"), parser("clamp")),
    ("clamp_broadcast_tensor", lambda T: T.ones(2).clamp(min=T.ones(3)), None),
    ("where_not_bool", lambda T: T.where(T.ones(2), T.ones(2), T.ones(2)), None),
    ("where_int_condition", lambda T: T.where(T.tensor([1, 0]), T.ones(2), T.ones(2)), None),
    ("where_broadcast", lambda T: T.where(T.ones(2) > 0, T.ones(2), T.ones(3)), None),
    ("where_condition_broadcast", lambda T: T.where(T.ones(3) > 0, T.ones(2), T.ones(2)), None),
    ("where_two_scalars", lambda T: T.where(T.ones(2) > 0, 1.0, 0.0), None),
    ("masked_fill_value_str",
     lambda T: T.ones(2).masked_fill(T.ones(2) > 0, "a"),
     parser("masked_fill")),
    ("add_out_list", lambda T: T.add(T.ones(2), 1, out=[1]), None),
    ("max_two_tensors_broadcast", lambda T: T.max(T.ones(2), T.ones(3)), None),
    ("where_list_condition", lambda T: T.where([True], T.ones(1), T.ones(1)), parser("where")),
    ("add_alpha_bool", lambda T: T.add(T.ones(2), T.ones(2), alpha="a"), None),
    ("int_add_alpha_float", lambda T: T.add(T.tensor([1]), T.tensor([1]), alpha=0.5), None),
    ("addcmul_broadcast", lambda T: T.addcmul(T.ones(2), T.ones(3), T.ones(3)), None),
    ("isclose_dtype", lambda T: T.isclose(T.ones(2), T.ones(2, dtype=T.int64)), None),
    ("logical_and_broadcast", lambda T: T.logical_and(T.ones(2), T.ones(3)), None),
    ("nan_to_num_str", lambda T: T.nan_to_num(T.ones(2), nan="a"), None),
]

LINALG = [
    ("matmul_2d", lambda T: T.ones(2, 3) @ T.ones(2, 3), None),
    ("matmul_mnist", lambda T: T.ones(64, 784) @ T.ones(10, 10), None),
    ("matmul_1d_1d", lambda T: T.ones(3) @ T.ones(4), None),
    ("matmul_2d_1d", lambda T: T.ones(2, 3) @ T.ones(4), None),
    ("matmul_1d_2d", lambda T: T.ones(3) @ T.ones(4, 2), None),
    ("matmul_3d", lambda T: T.ones(2, 3, 4) @ T.ones(2, 5, 6), None),
    ("matmul_batch_broadcast", lambda T: T.ones(2, 3, 4) @ T.ones(3, 4, 5), None),
    ("matmul_3d_1d", lambda T: T.ones(2, 3, 4) @ T.ones(3), None),
    ("matmul_0d", lambda T: T.ones(()) @ T.ones(3), None),
    ("matmul_0d_right", lambda T: T.matmul(T.ones(3), T.tensor(2.0)), None),
    ("matmul_dtype", lambda T: T.ones(2, 2) @ T.ones(2, 2, dtype=T.float64), None),
    ("matmul_int_float", lambda T: T.ones(2, 2, dtype=T.int64) @ T.ones(2, 2), None),
    ("matmul_list", lambda T: T.matmul(T.ones(2), [1.0, 2.0]), None),
    ("matmul_op_list", lambda T: T.ones(2) @ [1.0, 2.0], None),
    ("mm_shapes", lambda T: T.mm(T.ones(2, 3), T.ones(4, 5)), None),
    ("mm_1d_self", lambda T: T.mm(T.ones(3), T.ones(3, 2)), None),
    ("mm_1d_mat2", lambda T: T.mm(T.ones(2, 3), T.ones(3)), None),
    ("mm_3d", lambda T: T.mm(T.ones(2, 2, 2), T.ones(2, 2)), None),
    ("mm_dtype", lambda T: T.mm(T.ones(2, 2, dtype=T.int64), T.ones(2, 2)), None),
    ("bmm_shapes", lambda T: T.bmm(T.ones(2, 3, 4), T.ones(2, 5, 6)), None),
    ("bmm_batch", lambda T: T.bmm(T.ones(2, 3, 4), T.ones(3, 4, 5)), None),
    ("bmm_2d", lambda T: T.bmm(T.ones(2, 3), T.ones(3, 2)), None),
    ("bmm_2d_second", lambda T: T.bmm(T.ones(2, 2, 3), T.ones(3, 2)), None),
    ("bmm_dtype", lambda T: T.bmm(T.ones(1, 2, 2), T.ones(1, 2, 2, dtype=T.float64)), None),
    ("mv_shapes", lambda T: T.mv(T.ones(2, 3), T.ones(4)), None),
    ("mv_vec_vec", lambda T: T.mv(T.ones(3), T.ones(3)), None),
    ("mv_mat_mat", lambda T: T.mv(T.ones(2, 3), T.ones(3, 2)), None),
    ("dot_sizes", lambda T: T.dot(T.ones(2), T.ones(3)), None),
    ("dot_2d", lambda T: T.dot(T.ones(2, 2), T.ones(2, 2)), None),
    ("dot_dtype", lambda T: T.dot(T.ones(2), T.ones(2, dtype=T.float64)), None),
    ("addmm_shapes", lambda T: T.addmm(T.ones(2), T.ones(2, 3), T.ones(4, 2)), None),
    ("addmm_bias", lambda T: T.addmm(T.ones(3, 3), T.ones(2, 3), T.ones(3, 2)), None),
    ("addmm_1d_mat1", lambda T: T.addmm(T.ones(2), T.ones(3), T.ones(3, 2)), None),
    ("outer_2d", lambda T: T.outer(T.ones(2, 2), T.ones(2)), None),
    ("inner_sizes", lambda T: T.inner(T.ones(2), T.ones(3)), None),
    ("trace_1d", lambda T: T.trace(T.ones(3)), None),
    ("einsum_too_few", lambda T: T.einsum("ij,jk->ik", T.ones(2, 3)), None),
    ("einsum_too_many", lambda T: T.einsum("ij->ij", T.ones(2, 3), T.ones(2, 3)), None),
    ("einsum_ndim", lambda T: T.einsum("ijk", T.ones(2, 3)), None),
    ("einsum_broadcast", lambda T: T.einsum("ij,jk->ik", T.ones(2, 3), T.ones(4, 5)), None),
    ("einsum_output_label", lambda T: T.einsum("ij->ik", T.ones(2, 3)), None),
    ("einsum_bad_char", lambda T: T.einsum("i1->i", T.ones(2, 3)), None),
]

REDUCE = [
    ("sum_dim", lambda T: T.ones(2, 3).sum(2), None),
    ("sum_dim_negative", lambda T: T.ones(2, 3).sum(-3), None),
    ("sum_dim_tuple", lambda T: T.ones(2, 3).sum((0, 3)), None),
    ("sum_dim_repeated", lambda T: T.ones(2, 3).sum((0, 0)), None),
    ("sum_0d_dim", lambda T: T.tensor(1.0).sum(1), None),
    ("sum_dim_str", lambda T: T.ones(2).sum(dim="a"), parser("sum")),
    ("sum_dim_float", lambda T: T.ones(2).sum(1.5), parser("sum")),
    ("sum_list", lambda T: T.sum([1, 2]), None),
    ("mean_dim", lambda T: T.ones(2, 3).mean(dim=5), None),
    ("mean_int", lambda T: T.arange(3).mean(), None),
    ("mean_int_dim", lambda T: T.arange(3).mean(0), None),
    ("mean_bool", lambda T: T.tensor([True]).mean(), None),
    ("sum_dtype_str", lambda T: T.ones(2).sum(dtype="float32"), parser("sum")),
    ("mean_list", lambda T: T.mean([1.0]), None),
    ("prod_dim", lambda T: T.ones(2, 3).prod(2), None),
    ("max_dim", lambda T: T.ones(2, 3).max(dim=2), None),
    ("min_dim_negative", lambda T: T.ones(2, 3).min(dim=-3), None),
    ("max_empty", lambda T: T.ones(0).max(), None),
    ("min_empty", lambda T: T.ones(0).min(), None),
    ("max_dim_empty", lambda T: T.ones(2, 0).max(dim=1), None),
    ("argmax_dim", lambda T: T.ones(2, 3).argmax(dim=3), None),
    ("argmax_empty", lambda T: T.ones(0).argmax(), None),
    ("argmin_empty", lambda T: T.ones(0).argmin(), None),
    ("amax_dim", lambda T: T.ones(2, 3).amax(dim=2), None),
    ("amax_empty", lambda T: T.ones(0).amax(), None),
    ("std_dim", lambda T: T.ones(2, 3).std(dim=2), None),
    ("var_dim", lambda T: T.ones(2, 3).var(dim=-3), None),
    ("std_int", lambda T: T.tensor([1, 2]).std(), None),
    ("var_int", lambda T: T.tensor([1, 2]).var(), None),
    ("norm_int", lambda T: T.tensor([1, 2]).norm(), None),
    ("norm_dim", lambda T: T.ones(2, 3).norm(dim=2), None),
    ("logsumexp_dim", lambda T: T.ones(2, 3).logsumexp(dim=2), None),
    ("logsumexp_no_dim", lambda T: T.logsumexp(T.ones(2)), MISSING),
    ("cumsum_dim", lambda T: T.ones(2, 3).cumsum(dim=2), None),
    ("cumsum_no_dim", lambda T: T.ones(2).cumsum(), MISSING),
    ("cumprod_dim", lambda T: T.ones(2).cumprod(1), None),
    ("all_dim", lambda T: T.ones(2, 3).all(dim=2), None),
    ("any_dim", lambda T: T.ones(2, 3).any(dim=-3), None),
    ("count_nonzero_dim", lambda T: T.count_nonzero(T.ones(2, 3), dim=3), None),
    ("softmax_dim", lambda T: T.ones(2, 3).softmax(dim=2), None),
    ("log_softmax_dim", lambda T: T.ones(2, 3).log_softmax(-3), None),
    ("softmax_no_dim", lambda T: T.softmax(T.ones(2)), MISSING),
    ("softmax_int", lambda T: T.tensor([1, 2]).softmax(0), None),
    ("log_softmax_int", lambda T: T.tensor([1, 2]).log_softmax(0), None),
    ("softmax_list", lambda T: T.softmax([1.0], 0), None),
    ("aminmax_empty", lambda T: T.aminmax(T.ones(0)), None),
]

SHAPE = [
    ("view_size", lambda T: T.arange(12).view(3, 5), None),
    ("view_two_infer", lambda T: T.ones(6).view(-1, -1), None),
    ("view_negative", lambda T: T.ones(6).view(-2, 3), None),
    ("view_noncontiguous", lambda T: T.ones(2, 3).t().view(6), None),
    ("view_float", lambda T: T.ones(6).view(2.5), parser("view")),
    ("view_str", lambda T: T.ones(6).view("a"), parser("view")),
    ("view_infer_zero", lambda T: T.ones(0).view(-1, 0), None),
    ("reshape_size", lambda T: T.arange(12).reshape(5, -1), None),
    ("reshape_big", lambda T: T.ones(6).reshape(4, 4), None),
    ("reshape_float", lambda T: T.ones(6).reshape(2, 3.0), None),
    ("reshape_none", lambda T: T.ones(6).reshape(None), None),
    ("fn_reshape_list", lambda T: T.reshape([1, 2], (2,)), None),
    ("view_as_list", lambda T: T.ones(2).view_as([1, 2]), None),
    ("expand_as_list", lambda T: T.ones(2).expand_as([1, 2]), None),
    ("unbind_0d", lambda T: T.tensor(1.0).unbind(), None),
    ("squeeze_0d_dim", lambda T: T.tensor(1.0).squeeze(1), None),
    ("chunk_0d", lambda T: T.tensor(1.0).chunk(2), None),
    ("split_0d", lambda T: T.tensor(1.0).split(1), None),
    ("diag_0d", lambda T: T.diag(T.tensor(1.0)), None),
    ("view_as_size", lambda T: T.ones(6).view_as(T.ones(4)), None),
    ("reshape_as_size", lambda T: T.ones(6).reshape_as(T.ones(4)), None),
    ("permute_few", lambda T: T.ones(2, 3).permute(0), None),
    ("permute_many", lambda T: T.ones(2, 3).permute(0, 1, 2), None),
    ("permute_duplicate", lambda T: T.ones(2, 3).permute(0, 0), None),
    ("permute_range", lambda T: T.ones(2, 3).permute(0, 2), None),
    ("transpose_dim", lambda T: T.ones(2, 3).transpose(0, 2), None),
    ("transpose_dim_negative", lambda T: T.ones(2, 3).transpose(-3, 0), None),
    ("transpose_str", lambda T: T.ones(2, 3).transpose("a", 0), None),
    ("swapaxes_dim", lambda T: T.ones(2).swapaxes(0, 1), None),
    ("t_3d", lambda T: T.ones(2, 3, 4).t(), None),
    ("squeeze_dim", lambda T: T.ones(2, 3).squeeze(3), None),
    ("squeeze_tuple_dim", lambda T: T.ones(2, 1).squeeze((0, 5)), None),
    ("unsqueeze_dim", lambda T: T.ones(2, 3).unsqueeze(4), None),
    ("unsqueeze_negative", lambda T: T.ones(2, 3).unsqueeze(-4), None),
    ("unsqueeze_float", lambda T: T.ones(2).unsqueeze(1.5), None),
    ("unsqueeze_none", lambda T: T.ones(2).unsqueeze(), MISSING),
    ("expand_size", lambda T: T.ones(3).expand(2, 4), None),
    ("expand_fewer",
     lambda T: T.ones(2, 3).expand(3),
     "the number of sizes provided (1) must be greater or equal to the number of dimensions in "
     "the tensor (2)"),
    ("expand_new_negative", lambda T: T.ones(3).expand(-1, 3), None),
    ("expand_2d", lambda T: T.ones(2, 3).expand(2, 4), None),
    ("expand_as_size", lambda T: T.ones(3).expand_as(T.ones(2, 2)), None),
    ("broadcast_to_size", lambda T: T.broadcast_to(T.ones(3), (2, 4)), None),
    ("broadcast_tensors", lambda T: T.broadcast_tensors(T.ones(2), T.ones(3)), None),
    ("repeat_few", lambda T: T.ones(2, 3).repeat(2), None),
    ("repeat_negative", lambda T: T.ones(3).repeat(-1), None),
    ("tile_negative", lambda T: T.ones(3).tile((-1,)), None),
    ("flatten_args", lambda T: T.ones(2, 3).flatten(1, 0), None),
    ("flatten_dim", lambda T: T.ones(2, 3).flatten(0, 5), None),
    ("unflatten_sizes", lambda T: T.ones(2, 3).unflatten(1, (2, 2)), None),
    ("unflatten_dim", lambda T: T.ones(2, 3).unflatten(3, (1, 3)), None),
    ("cat_empty", lambda T: T.cat([]), None),
    ("cat_sizes", lambda T: T.cat([T.ones(2, 3), T.ones(2, 4)]), None),
    ("cat_sizes_dim1", lambda T: T.cat([T.ones(2, 3), T.ones(3, 3)], dim=1), None),
    ("cat_ndim", lambda T: T.cat([T.ones(2, 2), T.ones(2)]), None),
    ("cat_dim", lambda T: T.cat([T.ones(2), T.ones(2)], dim=2), None),
    ("cat_tensor", lambda T: T.cat(T.ones(2)), None),
    ("cat_list_element", lambda T: T.cat([T.ones(2), [1.0]]), None),
    ("cat_scalar_0d", lambda T: T.cat([T.tensor(1.0), T.tensor(2.0)]), None),
    ("stack_empty", lambda T: T.stack([]), None),
    ("stack_sizes", lambda T: T.stack([T.ones(2), T.ones(3)]), None),
    ("stack_sizes_2d", lambda T: T.stack([T.ones(2, 3), T.ones(2, 3), T.ones(3, 2)]), None),
    ("stack_dim", lambda T: T.stack([T.ones(2), T.ones(2)], dim=3), None),
    ("stack_tensor", lambda T: T.stack(T.ones(2)), None),
    ("hstack_sizes", lambda T: T.hstack([T.ones(2, 3), T.ones(3, 3)]), None),
    ("vstack_sizes", lambda T: T.vstack([T.ones(2, 3), T.ones(2, 2)]), None),
    ("split_sizes", lambda T: T.ones(3).split([1, 1]), None),
    ("split_zero", lambda T: T.ones(3).split(0), None),
    ("split_negative", lambda T: T.ones(3).split(-1), None),
    ("split_dim", lambda T: T.ones(3).split(1, dim=1), None),
    ("chunk_zero", lambda T: T.ones(3).chunk(0), None),
    ("chunk_negative", lambda T: T.ones(3).chunk(-1), None),
    ("chunk_dim", lambda T: T.ones(3).chunk(2, dim=1), None),
    ("tensor_split_zero", lambda T: T.ones(3).tensor_split(0), None),
    ("narrow_length", lambda T: T.ones(3).narrow(0, 2, 2), None),
    ("narrow_start", lambda T: T.ones(3).narrow(0, 5, 1), None),
    ("narrow_negative_length", lambda T: T.ones(3).narrow(0, 0, -1), None),
    ("narrow_dim", lambda T: T.ones(3).narrow(2, 0, 1), None),
    ("narrow_0d", lambda T: T.tensor(1.0).narrow(0, 0, 1), None),
    ("select_index", lambda T: T.ones(3).select(0, 5), None),
    ("select_negative_index", lambda T: T.ones(2, 3).select(1, -4), None),
    ("select_dim", lambda T: T.ones(3).select(2, 0), None),
    ("select_0d", lambda T: T.tensor(1.0).select(0, 0), None),
    ("unbind_dim", lambda T: T.ones(2, 3).unbind(2), None),
    ("movedim_dim", lambda T: T.ones(2, 3).movedim(0, 3), None),
    ("movedim_lengths", lambda T: T.ones(2, 3).movedim((0, 1), (0,)), None),
    ("movedim_repeated", lambda T: T.ones(2, 3).movedim((0, 0), (0, 1)), None),
    ("flip_dim", lambda T: T.ones(2).flip(3), None),
    ("flip_repeated", lambda T: T.ones(2, 2).flip((0, 0)), None),
    ("roll_dim", lambda T: T.ones(2).roll(1, dims=5), None),
    ("roll_align", lambda T: T.ones(2, 2).roll((1, 2), (0,)), None),
    ("diag_3d", lambda T: T.diag(T.ones(2, 2, 2)), None),
    ("diagonal_same_dims", lambda T: T.ones(2, 2).diagonal(dim1=0, dim2=0), None),
    ("diagonal_dim", lambda T: T.ones(2, 2).diagonal(dim1=0, dim2=2), None),
    ("tril_1d", lambda T: T.ones(3).tril(), None),
    ("triu_1d", lambda T: T.triu(T.ones(3)), None),
    ("size_dim", lambda T: T.ones(2, 3).size(5), None),
    ("size_str", lambda T: T.ones(2, 3).size("a"), None),
    ("stride_dim", lambda T: T.ones(2, 3).stride(3), None),
    ("shape_index", lambda T: T.ones(2, 3).shape[5], None),
    ("atleast_2d_list", lambda T: T.atleast_2d([1]), None),
]

INDEXING = [
    ("index_int", lambda T: T.ones(3)[5], None),
    ("index_negative", lambda T: T.ones(3)[-4], None),
    ("index_second_dim", lambda T: T.ones(3, 4)[:, 7], None),
    ("index_tensor", lambda T: T.ones(3)[T.tensor([5])], None),
    ("index_list", lambda T: T.ones(3)[[0, 5]], None),
    ("index_list_negative", lambda T: T.ones(3)[[-5]], None),
    ("index_0d", lambda T: T.tensor(1.0)[0], None),
    ("index_too_many", lambda T: T.ones(3)[0, 0], None),
    ("index_too_many_slices", lambda T: T.ones(3)[:, :], None),
    ("index_float", lambda T: T.ones(3)[1.5], None),
    ("index_str", lambda T: T.ones(3)["a"], None),
    ("index_float_tensor", lambda T: T.ones(3)[T.tensor([0.0])], None),
    ("index_mask_shape", lambda T: T.ones(3)[T.tensor([True, False])], None),
    ("index_mask_2d_shape", lambda T: T.ones(2, 3)[T.ones(3, 2) > 0], None),
    ("index_two_ellipsis", lambda T: T.ones(3)[..., ...], None),
    ("index_broadcast_lists", lambda T: T.ones(2, 3)[[0, 1], [0, 1, 2]], None),
    ("index_slice_step_zero", lambda T: T.ones(3)[::0], None),
    ("index_negative_step", lambda T: T.ones(3)[::-1], None),
    ("index_int_tensor_2d_oob", lambda T: T.ones(2, 3)[T.tensor([[0, 2]])], None),
    ("setitem_int", lambda T: _setitem(T, T.ones(3), 5, 1.0), None),
    ("setitem_shape", lambda T: _setitem(T, T.ones(3), slice(None), T.ones(2)), None),
    ("setitem_scalar_with_vector",
     lambda T: _setitem(T, T.ones(3), 0, T.ones(2)),
     "the number of sizes provided (0) must be greater or equal to the number of dimensions in "
     "the tensor (1)"),
    ("setitem_advanced_shape", lambda T: _setitem(T, T.ones(3), T.tensor([0]), T.ones(2)), None),
    ("setitem_mask_shape", lambda T: _setitem(T, T.ones(3), T.tensor([True, False]), 0.0), None),
    ("setitem_str", lambda T: _setitem(T, T.ones(3), 0, "a"), None),
    ("setitem_leaf", lambda T: _setitem(T, T.ones(3, requires_grad=True), 0, 1.0), None),
    ("gather_oob", lambda T: T.ones(2, 2).gather(1, T.tensor([[3], [0]])), None),
    ("gather_float_index", lambda T: T.ones(2, 2).gather(1, T.tensor([[0.0]])), None),
    ("gather_int32_index", lambda T: T.ones(2, 2).gather(1, T.tensor([[0]], dtype=T.int32)), None),
    ("gather_ndim", lambda T: T.ones(2, 2).gather(1, T.tensor([0, 1])), None),
    ("gather_dim", lambda T: T.ones(2, 2).gather(2, T.tensor([[0]])), None),
    ("gather_size", lambda T: T.ones(2, 2).gather(0, T.zeros(3, 3, dtype=T.int64)), None),
    ("gather_negative", lambda T: T.ones(2, 2).gather(1, T.tensor([[-1]])), None),
    ("gather_list", lambda T: T.ones(2).gather(0, [0]), None),
    ("scatter_oob", lambda T: T.zeros(3).scatter(0, T.tensor([5]), T.ones(1)), None),
    ("scatter_float_index", lambda T: T.zeros(3).scatter(0, T.tensor([0.0]), T.ones(1)), None),
    ("scatter_src_dtype",
     lambda T: T.zeros(3).scatter(0, T.tensor([0]), T.ones(1, dtype=T.float64)), None),
    ("scatter_ndim", lambda T: T.zeros(3).scatter(0, T.tensor([[0]]), T.ones(1, 1)), None),
    ("scatter_dim", lambda T: T.zeros(3).scatter(1, T.tensor([0]), T.ones(1)), None),
    ("scatter_src_small", lambda T: T.zeros(3).scatter(0, T.tensor([0, 1]), T.ones(1)), None),
    ("scatter_inplace_oob", lambda T: T.zeros(3).scatter_(0, T.tensor([3]), 1.0), None),
    ("scatter_add_oob", lambda T: T.zeros(3).scatter_add(0, T.tensor([7]), T.ones(1)), None),
    ("scatter_add_dtype",
     lambda T: T.zeros(3).scatter_add(0, T.tensor([0]), T.ones(1, dtype=T.int64)), None),
    ("scatter_add_float_index",
     lambda T: T.zeros(3).scatter_add(0, T.tensor([0.0]), T.ones(1)), None),
    ("index_select_oob", lambda T: T.ones(3).index_select(0, T.tensor([4])), None),
    ("index_select_2d_index", lambda T: T.ones(3).index_select(0, T.tensor([[0]])), None),
    ("index_select_float", lambda T: T.ones(3).index_select(0, T.tensor([0.0])), None),
    ("index_select_dim", lambda T: T.ones(3).index_select(1, T.tensor([0])), None),
    ("index_select_list", lambda T: T.ones(3).index_select(0, [0]), None),
    ("index_select_negative", lambda T: T.ones(3).index_select(0, T.tensor([-1])), None),
    ("masked_fill_float_mask", lambda T: T.ones(2).masked_fill(T.ones(2), 0.0), None),
    ("masked_fill_int_mask", lambda T: T.ones(2).masked_fill(T.tensor([1, 0]), 0.0), None),
    ("masked_fill_shape", lambda T: T.ones(2).masked_fill(T.ones(3) > 0, 0.0), None),
    ("masked_fill_value_dims", lambda T: T.ones(2).masked_fill(T.ones(2) > 0, T.ones(2)), None),
    ("masked_fill_list_mask",
     lambda T: T.ones(2).masked_fill([True, False], 0.0),
     parser("masked_fill")),
    ("masked_fill_inplace_shape", lambda T: T.ones(2).masked_fill_(T.ones(2, 2) > 0, 0.0), None),
    ("masked_select_float", lambda T: T.ones(2).masked_select(T.ones(2)), None),
    ("masked_select_shape", lambda T: T.ones(2).masked_select(T.ones(3) > 0), None),
    ("take_oob", lambda T: T.ones(3).take(T.tensor([5])), None),
    ("take_float", lambda T: T.ones(3).take(T.tensor([0.0])), None),
    ("index_add_oob", lambda T: T.zeros(3).index_add(0, T.tensor([4]), T.ones(1)), None),
    ("index_add_source_shape", lambda T: T.zeros(3).index_add(0, T.tensor([0]), T.ones(2)), None),
    ("index_add_dtype",
     lambda T: T.zeros(3).index_add(0, T.tensor([0]), T.ones(1, dtype=T.float64)), None),
]

TENSOR = [
    ("item_many", lambda T: T.ones(2).item(), None),
    ("item_empty", lambda T: T.ones(0).item(), None),
    ("float_many", lambda T: float(T.ones(2)), None),
    ("int_many", lambda T: int(T.ones(2)), None),
    ("bool_many", lambda T: bool(T.ones(2)), None),
    ("bool_empty", lambda T: bool(T.ones(0)), None),
    ("index_float_tensor_as_index", lambda T: [1, 2][T.tensor(1.0)], None),
    ("index_many_tensor_as_index", lambda T: [1, 2][T.tensor([0, 1])], None),
    ("len_0d", lambda T: len(T.tensor(1.0)), None),
    ("iter_0d", lambda T: iter(T.tensor(1.0)), None),
    ("numpy_requires_grad", lambda T: T.ones(3, requires_grad=True).numpy(), None),
    ("numpy_nonleaf", lambda T: _nonleaf(T).numpy(), None),
    ("array_requires_grad", lambda T: np.asarray(T.ones(2, requires_grad=True)), None),
    ("numpy_ufunc_requires_grad", lambda T: np.exp(T.ones(2, requires_grad=True)), None),
    ("numpy_scalar_times_param_ok", lambda T: np.float64(2.0) * T.ones(2, requires_grad=True), None),
    ("numpy_scalar_minus_param_ok", lambda T: np.float32(1.0) - T.ones(2, requires_grad=True), None),
    ("tolist_ok", lambda T: T.ones(2, requires_grad=True).tolist(), None),
    ("backward_nonscalar", lambda T: _nonleaf(T).backward(), None),
    ("backward_no_grad", lambda T: T.ones(3).sum().backward(), None),
    ("backward_gradient_shape", _backward_twice_shape, None),
    ("backward_twice", _two_backward_retain, None),
    ("autograd_grad_nonscalar",
     lambda T: T.autograd.grad(_nonleaf(T), T.ones(2, requires_grad=True)), None),
    ("autograd_grad_no_grad_input",
     lambda T: T.autograd.grad((T.ones(2, requires_grad=True) * 2).sum(), T.ones(2)), None),
    ("leaf_add_", lambda T: T.ones(3, requires_grad=True).add_(1), None),
    ("leaf_zero_", lambda T: T.ones(3, requires_grad=True).zero_(), None),
    ("leaf_fill_", lambda T: T.ones(3, requires_grad=True).fill_(2.0), None),
    ("leaf_relu_", lambda T: F(T).relu(T.ones(3, requires_grad=True), inplace=True), None),
    ("leaf_view_mul_", lambda T: T.ones(3, requires_grad=True)[0].mul_(2), None),
    ("requires_grad_int", lambda T: T.tensor([1, 2]).requires_grad_(), None),
    ("requires_grad_nonleaf_off", lambda T: _nonleaf(T).requires_grad_(False), None),
    ("set_requires_grad_int", lambda T: setattr(T.tensor([1, 2]), "requires_grad", True), None),
    ("grad_assign_shape", lambda T: _grad_assign(T, lambda T: T.ones(3)), None),
    ("grad_assign_list", lambda T: _grad_assign(T, lambda T: [1.0, 2.0]), None),
    ("grad_assign_dtype", lambda T: _grad_assign(T, lambda T: T.ones(2, dtype=T.float64)), None),
    ("retain_grad_no_grad", lambda T: T.ones(2).retain_grad(), None),
    ("hook_no_grad", lambda T: T.ones(2).register_hook(lambda g: g), None),
    ("copy_shape", lambda T: T.ones(2).copy_(T.ones(3)), None),
    ("copy_list", lambda T: T.ones(2).copy_([1.0, 2.0]), None),
    ("fill_tensor", lambda T: T.ones(2).fill_(T.ones(2)), None),
    ("fill_str", lambda T: T.ones(2).fill_("a"), parser("fill_")),
    ("uniform_range", lambda T: T.ones(2).uniform_(1, 0), None),
    ("normal_std", lambda T: T.ones(2).normal_(std=-1), None),
    ("exponential_lambda", lambda T: T.ones(2).exponential_(-1), None),
    ("exponential_int", lambda T: T.zeros(2, dtype=T.int64).exponential_(), None),
    ("exponential_complex", lambda T: T.zeros(2, dtype=T.complex64).exponential_(), None),
    ("new_tensor_ragged", lambda T: T.ones(2).new_tensor([[1], [1, 2]]), None),
    ("new_full_negative", lambda T: T.ones(2).new_full((-1,), 1.0), None),
    ("to_dtype_str", lambda T: T.ones(2).to(dtype="float32"), parser("to")),
    ("type_as_list", lambda T: T.ones(2).type_as([1]), None),
    ("deepcopy_nonleaf", lambda T: __import__("copy").deepcopy(_nonleaf(T)), None),
    ("contains_str", lambda T: "a" in T.ones(2), None),
    ("float_tensor_ragged", lambda T: T.FloatTensor([[1], [1, 2]]), None),
    ("legacy_tensor_str", lambda T: T.Tensor("a"), None),
]

NN = [
    ("linear_shape", lambda T: T.nn.Linear(3, 5)(T.ones(2, 4)), None),
    ("linear_1d", lambda T: T.nn.Linear(3, 5)(T.ones(4)), None),
    ("linear_3d", lambda T: T.nn.Linear(3, 5)(T.ones(2, 2, 4)), None),
    ("linear_double", lambda T: T.nn.Linear(3, 5)(T.ones(2, 3, dtype=T.float64)), None),
    ("linear_long", lambda T: T.nn.Linear(3, 5)(T.ones(2, 3, dtype=T.int64)), None),
    ("linear_list", lambda T: T.nn.Linear(3, 5)([1.0, 2.0, 3.0]), None),
    ("linear_0d", lambda T: T.nn.Linear(1, 5)(T.tensor(1.0)), None),
    ("linear_negative_features", lambda T: T.nn.Linear(-1, 2), None),
    ("linear_float_features", lambda T: T.nn.Linear(2.5, 3), None),
    ("functional_linear_bias", lambda T: F(T).linear(T.ones(2, 3), T.ones(4, 3), T.ones(5)), None),
    ("sequential_shapes",
     lambda T: T.nn.Sequential(T.nn.Linear(2, 3), T.nn.Linear(4, 5))(T.ones(1, 2)), None),
    ("sequential_not_module", lambda T: T.nn.Sequential(1), None),
    ("sequential_index", lambda T: T.nn.Sequential(T.nn.ReLU())[3], None),
    ("modulelist_index", lambda T: T.nn.ModuleList([T.nn.ReLU()])[5], None),
    ("modulelist_not_module", lambda T: T.nn.ModuleList([1]), None),
    ("moduledict_key", lambda T: T.nn.ModuleDict({"a": T.nn.ReLU()})["x"], None),
    ("module_no_forward", _module_no_forward, None),
    ("module_attribute", lambda T: T.nn.Linear(2, 3).foo, None),
    ("module_add_dotted", lambda T: T.nn.Module().add_module("a.b", T.nn.ReLU()), None),
    ("module_add_not_module", lambda T: T.nn.Module().add_module("a", 1), None),
    ("module_add_empty_name", lambda T: T.nn.Module().add_module("", T.nn.ReLU()), None),
    ("module_register_buffer_int", lambda T: T.nn.Module().register_buffer("x", 5), None),
    ("module_register_parameter_tensor",
     lambda T: T.nn.Module().register_parameter("w", T.ones(2)), None),
    ("module_assign_tensor_to_param",
     lambda T: setattr(T.nn.Linear(2, 3), "weight", T.ones(3, 2)), None),
    ("module_get_submodule", lambda T: T.nn.Linear(2, 3).get_submodule("x"), None),
    ("module_get_parameter", lambda T: T.nn.Linear(2, 3).get_parameter("x"), None),
    ("load_state_dict_missing", lambda T: _load_state(T, lambda T: {}), None),
    ("load_state_dict_shape",
     lambda T: _load_state(T, lambda T: {"weight": T.ones(3, 3), "bias": T.ones(3)}), None),
    ("load_state_dict_unexpected",
     lambda T: _load_state(T, lambda T: {"weight": T.ones(3, 2), "bias": T.ones(3),
                                         "x": T.ones(1)}), None),
    ("load_state_dict_not_mapping", lambda T: _load_state(T, lambda T: [1]), None),
    ("softmax_module_dim", lambda T: T.nn.Softmax(dim=5)(T.ones(2)), None),
    ("flatten_module_1d", lambda T: T.nn.Flatten()(T.ones(3)), None),
    ("unflatten_module_sizes", lambda T: T.nn.Unflatten(1, (2, 2))(T.ones(2, 3)), None),
    ("dropout_p", lambda T: T.nn.Dropout(p=1.5), None),
    ("dropout_negative_p", lambda T: F(T).dropout(T.ones(2), p=-0.1), None),
    ("relu_list", lambda T: T.nn.ReLU()([1.0]), None),
    ("functional_relu_list", lambda T: F(T).relu([1.0]), None),
    ("functional_sigmoid_list", lambda T: F(T).sigmoid([1.0]), None),
    ("functional_softmax_int", lambda T: F(T).softmax(T.tensor([1, 2]), dim=0), None),
    ("bilinear_shape", lambda T: T.nn.Bilinear(2, 3, 4)(T.ones(1, 2), T.ones(1, 4)), None),
    ("init_xavier_1d", lambda T: T.nn.init.xavier_uniform_(T.ones(3)), None),
    ("init_kaiming_1d", lambda T: T.nn.init.kaiming_normal_(T.ones(3)), None),
    ("init_kaiming_mode", lambda T: T.nn.init.kaiming_uniform_(T.ones(2, 2), mode="foo"), None),
    ("init_gain", lambda T: T.nn.init.calculate_gain("foo"), None),
    ("init_gain_leaky_param", lambda T: T.nn.init.calculate_gain("leaky_relu", "a"), None),
    ("init_orthogonal_1d", lambda T: T.nn.init.orthogonal_(T.ones(3)), None),
    ("parameter_int", lambda T: T.nn.Parameter(T.tensor([1, 2])), None),
    ("one_hot_float", lambda T: F(T).one_hot(T.tensor([1.0]), 3), None),
    ("one_hot_large", lambda T: F(T).one_hot(T.tensor([5]), 3), None),
    ("one_hot_negative", lambda T: F(T).one_hot(T.tensor([-1]), 3), None),
    ("pad_odd", lambda T: F(T).pad(T.ones(2), (1,)), None),
    ("pad_too_long", lambda T: F(T).pad(T.ones(2), (1, 1, 1, 1)), None),
    ("pad_reflect_large", lambda T: F(T).pad(T.ones(1, 2, 3), (3, 3), mode="reflect"), None),
    ("pad_mode", lambda T: F(T).pad(T.ones(1, 2, 3), (1, 1), mode="foo"), None),
    ("normalize_dim", lambda T: F(T).normalize(T.ones(2, 3), dim=2), None),
    ("cosine_similarity_shape", lambda T: F(T).cosine_similarity(T.ones(2, 3), T.ones(2, 4)), None),
    ("sequential_flatten_linear",
     lambda T: T.nn.Sequential(T.nn.Flatten(), T.nn.Linear(10, 2))(T.ones(2, 3, 4)), None),
    ("log_softmax_module_dim", lambda T: T.nn.LogSoftmax(dim=3)(T.ones(2, 3)), None),
    ("dropout_inplace_leaf",
     lambda T: F(T).dropout(T.ones(2, requires_grad=True), inplace=True), None),
    ("module_cuda", lambda T: T.nn.Linear(2, 2).cuda(), None),
    ("module_to_unknown", lambda T: T.nn.Linear(2, 2).to("foo"), None),
    ("init_uniform_range", lambda T: T.nn.init.uniform_(T.ones(2), 1, 0), None),
    ("init_normal_std", lambda T: T.nn.init.normal_(T.ones(2), 0, -1), None),
    ("clip_grad_norm_type",
     lambda T: T.nn.utils.clip_grad_norm_([_param(T, 2)], 1.0, norm_type="foo"), None),
]

LOSS = [
    ("cross_entropy_target_oob",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 5])), None),
    ("cross_entropy_target_negative",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.tensor([0, -1])), None),
    ("cross_entropy_batch", lambda T: F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 1, 2])), None),
    ("cross_entropy_float_target_shape",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.tensor([0.5, 0.5])), None),
    ("cross_entropy_prob_target_shape",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.ones(2, 4)), None),
    ("cross_entropy_int32_target",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 1], dtype=T.int32)), None),
    ("cross_entropy_long_input",
     lambda T: F(T).cross_entropy(T.ones(2, 3, dtype=T.int64), T.tensor([0, 1])), None),
    ("cross_entropy_double_target",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.ones(2, 3, dtype=T.float64)), None),
    ("cross_entropy_1d_target_oob", lambda T: F(T).cross_entropy(T.ones(3), T.tensor(5)), None),
    ("cross_entropy_reduction",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 1]), reduction="foo"), None),
    ("cross_entropy_list_target", lambda T: F(T).cross_entropy(T.ones(2, 3), [0, 1]), None),
    ("cross_entropy_0d_input", lambda T: F(T).cross_entropy(T.tensor(1.0), T.tensor(0)), None),
    ("cross_entropy_weight_size",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 1]), weight=T.ones(2)), None),
    ("cross_entropy_module_oob",
     lambda T: T.nn.CrossEntropyLoss()(T.ones(2, 3), T.tensor([0, 3])), None),
    ("nll_loss_target_oob", lambda T: F(T).nll_loss(T.ones(2, 3), T.tensor([0, 5])), None),
    ("nll_loss_float_target", lambda T: F(T).nll_loss(T.ones(2, 3), T.tensor([0.0, 1.0])), None),
    ("nll_loss_batch", lambda T: F(T).nll_loss(T.ones(2, 3), T.tensor([0, 1, 2])), None),
    ("nll_loss_target_2d", lambda T: F(T).nll_loss(T.ones(2, 3), T.tensor([[0], [1]])), None),
    ("nll_loss_module_oob", lambda T: T.nn.NLLLoss()(T.ones(2, 3), T.tensor([0, 3])), None),
    ("mse_sizes", lambda T: F(T).mse_loss(T.ones(3), T.ones(4)), None),
    ("mse_reduction", lambda T: F(T).mse_loss(T.ones(3), T.ones(3), reduction="foo"), None),
    ("mse_module_reduction", lambda T: T.nn.MSELoss(reduction="foo")(T.ones(3), T.ones(3)), None),
    ("mse_long_target", lambda T: F(T).mse_loss(T.ones(2), T.tensor([1, 2])), None),
    ("mse_list_target", lambda T: F(T).mse_loss(T.ones(2), [1.0, 2.0]), None),
    ("l1_sizes", lambda T: F(T).l1_loss(T.ones(3), T.ones(4)), None),
    ("bce_sizes", lambda T: F(T).binary_cross_entropy(T.ones(3) / 2, T.ones(4)), None),
    ("bce_range", lambda T: F(T).binary_cross_entropy(T.tensor([2.0]), T.tensor([1.0])), None),
    ("bce_long_target", lambda T: F(T).binary_cross_entropy(T.tensor([0.5]), T.tensor([1])), None),
    ("bce_logits_sizes",
     lambda T: F(T).binary_cross_entropy_with_logits(T.ones(3), T.ones(4)), None),
    ("bce_logits_long_target",
     lambda T: F(T).binary_cross_entropy_with_logits(T.ones(3), T.tensor([1, 0, 1])), None),
    ("bce_module_sizes", lambda T: T.nn.BCELoss()(T.ones(2, 1) / 2, T.ones(2)), None),
    ("bce_logits_module_sizes", lambda T: T.nn.BCEWithLogitsLoss()(T.ones(2, 1), T.ones(2)), None),
    ("cross_entropy_label_smoothing",
     lambda T: F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 1]), label_smoothing=1.5), None),
    ("nll_loss_3d_target_shape",
     lambda T: F(T).nll_loss(T.ones(2, 3, 4), T.zeros(2, 5, dtype=T.int64)), None),
    ("mse_long_input", lambda T: F(T).mse_loss(T.tensor([1, 2]), T.tensor([1, 2])), None),
    ("mse_bool_input", lambda T: F(T).mse_loss(T.tensor([True]), T.tensor([True])), None),
    ("l1_long_input", lambda T: F(T).l1_loss(T.tensor([1, 2]), T.tensor([1, 2])), None),
    ("smooth_l1_long_input",
     lambda T: F(T).smooth_l1_loss(T.tensor([1, 2]), T.tensor([1, 2])), None),
    ("huber_long_input", lambda T: F(T).huber_loss(T.tensor([1, 2]), T.tensor([1, 2])), None),
    ("l1_long_input_float_target",
     lambda T: F(T).l1_loss(T.tensor([1, 2]), T.tensor([1.0, 2.0])), None),
    ("kl_div_reduction", lambda T: F(T).kl_div(T.ones(2), T.ones(2), reduction="foo"), None),
    ("smooth_l1_negative_beta",
     lambda T: F(T).smooth_l1_loss(T.ones(2), T.ones(2), beta=-1.0), None),
    ("huber_negative_delta", lambda T: F(T).huber_loss(T.ones(2), T.ones(2), delta=-1.0), None),
]

OPTIM = [
    ("sgd_empty", lambda T: T.optim.SGD([], lr=0.1), None),
    ("sgd_lr", lambda T: T.optim.SGD([_param(T, 2)], lr=-1), None),
    ("sgd_momentum", lambda T: T.optim.SGD([_param(T, 2)], lr=0.1, momentum=-1), None),
    ("sgd_weight_decay", lambda T: T.optim.SGD([_param(T, 2)], lr=0.1, weight_decay=-1), None),
    ("sgd_nesterov", lambda T: T.optim.SGD([_param(T, 2)], lr=0.1, nesterov=True), None),
    ("sgd_tensor_params", lambda T: T.optim.SGD(_param(T, 2), lr=0.1), None),
    ("sgd_nested_list", lambda T: T.optim.SGD([[_param(T, 2)]], lr=0.1), None),
    ("sgd_nonleaf", lambda T: T.optim.SGD([_nonleaf(T)], lr=0.1), None),
    ("sgd_groups_overlap",
     lambda T: _groups(T, lambda T, p: T.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)),
     None),
    ("sgd_group_no_params", lambda T: T.optim.SGD([{"lr": 0.1}], lr=0.1), None),
    ("sgd_generator", lambda T: T.optim.SGD((p for p in []), lr=0.1), None),
    ("sgd_lr_str", lambda T: T.optim.SGD([_param(T, 2)], lr="a"), None),
    ("adam_lr", lambda T: T.optim.Adam([_param(T, 2)], lr=-0.1), None),
    ("adam_beta0", lambda T: T.optim.Adam([_param(T, 2)], betas=(1.0, 0.9)), None),
    ("adam_beta1", lambda T: T.optim.Adam([_param(T, 2)], betas=(0.9, -0.1)), None),
    ("adam_eps", lambda T: T.optim.Adam([_param(T, 2)], eps=-1), None),
    ("adam_weight_decay", lambda T: T.optim.Adam([_param(T, 2)], weight_decay=-1), None),
    ("adam_empty", lambda T: T.optim.Adam([]), None),
    ("adamw_weight_decay", lambda T: T.optim.AdamW([_param(T, 2)], weight_decay=-1), None),
    ("adamw_lr", lambda T: T.optim.AdamW([_param(T, 2)], lr=-1), None),
    ("rmsprop_alpha", lambda T: T.optim.RMSprop([_param(T, 2)], alpha=-1), None),
    ("rmsprop_momentum", lambda T: T.optim.RMSprop([_param(T, 2)], momentum=-1), None),
    ("rmsprop_lr", lambda T: T.optim.RMSprop([_param(T, 2)], lr=-1), None),
    ("adagrad_lr_decay", lambda T: T.optim.Adagrad([_param(T, 2)], lr_decay=-1), None),
    ("adagrad_lr", lambda T: T.optim.Adagrad([_param(T, 2)], lr=-1), None),
    ("optimizer_load_state_groups", _zero_grad_bad, None),
    ("optimizer_add_group_dup",
     lambda T: _groups(T, lambda T, p: T.optim.SGD([p], lr=0.1).add_param_group({"params": [p]})),
     None),
    ("scheduler_not_optimizer", lambda T: T.optim.lr_scheduler.StepLR(object(), 1), None),
    ("scheduler_missing_step_size",
     lambda T: T.optim.lr_scheduler.StepLR(T.optim.SGD([_param(T, 2)], lr=0.1)), None),
]

DATA = [
    ("loader_batch_size_zero", lambda T: T.utils.data.DataLoader(_ds(T), batch_size=0), None),
    ("loader_batch_size_negative", lambda T: T.utils.data.DataLoader(_ds(T), batch_size=-1), None),
    ("loader_num_workers", lambda T: T.utils.data.DataLoader(_ds(T), num_workers=-1), None),
    ("loader_sampler_shuffle",
     lambda T: T.utils.data.DataLoader(_ds(T), shuffle=True, sampler=[0, 1]), None),
    ("loader_batch_sampler_size",
     lambda T: T.utils.data.DataLoader(_ds(T), batch_sampler=[[0]], batch_size=2), None),
    ("loader_timeout", lambda T: T.utils.data.DataLoader(_ds(T), timeout=-1), None),
    ("loader_prefetch", lambda T: T.utils.data.DataLoader(_ds(T), prefetch_factor=2), None),
    ("loader_persistent", lambda T: T.utils.data.DataLoader(_ds(T), persistent_workers=True), None),
    ("loader_not_subscriptable", lambda T: T.utils.data.DataLoader(_ds(T))[0], None),
    ("loader_collate_ragged", _collate_ragged, None),
    ("tensor_dataset_sizes", lambda T: T.utils.data.TensorDataset(T.ones(2), T.ones(3)), None),
    ("tensor_dataset_index", lambda T: _ds(T)[5], None),
    ("random_split_sum", lambda T: T.utils.data.random_split(_ds(T), [2, 2]), None),
    ("random_split_fractions", lambda T: T.utils.data.random_split(_ds(T), [0.5, 0.6]), None),
    ("subset_index", lambda T: T.utils.data.Subset(_ds(T), [5])[0], None),
    ("dataset_getitem", lambda T: T.utils.data.Dataset()[0], None),
    ("dataset_len", lambda T: len(T.utils.data.Dataset()), None),
    ("batch_sampler_size",
     lambda T: T.utils.data.BatchSampler([0, 1], batch_size=0, drop_last=False), None),
    ("batch_sampler_drop_last",
     lambda T: T.utils.data.BatchSampler([0, 1], batch_size=1, drop_last=1), None),
    ("random_sampler_num_samples",
     lambda T: T.utils.data.RandomSampler(_ds(T), num_samples=0), None),
    ("random_sampler_replacement",
     lambda T: T.utils.data.RandomSampler(_ds(T), replacement=1), None),
    ("weighted_sampler_num_samples",
     lambda T: T.utils.data.WeightedRandomSampler([0.1, 0.2], num_samples=-1), None),
    ("weighted_sampler_2d", lambda T: T.utils.data.WeightedRandomSampler(T.ones(2, 2), 1), None),
    ("default_collate_object", lambda T: T.utils.data.default_collate([object()]), None),
    ("loader_batch_size_float", lambda T: T.utils.data.DataLoader(_ds(T), batch_size=1.5), None),
    ("tensor_dataset_empty", lambda T: T.utils.data.TensorDataset()[0], None),
    ("concat_dataset_empty", lambda T: T.utils.data.ConcatDataset([]), None),
]

SERIALIZATION = [
    ("load_missing", lambda T: T.load("/nonexistent/x.pt"), None),
    ("load_directory", lambda T: T.load("."), None),
    ("save_missing_dir", lambda T: T.save(T.ones(2), "/nonexistent_dir/x.pt"), None),
    ("load_empty_file", lambda T: _load_bytes(T, b""), TYPE_ONLY),
    ("load_empty_buffer", lambda T: T.load(io.BytesIO(b"")), TYPE_ONLY),
    ("load_garbage", lambda T: _load_bytes(T, b"garbage bytes"), TYPE_ONLY),
    ("save_to_int", lambda T: T.save(T.ones(2), 5), None),
    ("load_int", lambda T: T.load(5), None),
]

CASES = (CREATION + WARNINGS + ARITHMETIC + LINALG + REDUCE + SHAPE + INDEXING + TENSOR + NN + LOSS
         + OPTIM + DATA + SERIALIZATION)
BY_NAME = {c[0]: c for c in CASES}
assert len(BY_NAME) == len(CASES), "duplicate case names"

# Differences left on purpose: name -> why (the test expects them to differ, strictly).
KNOWN = {
    "set_requires_grad_int": "requires_grad is a plain slot; checking the dtype on every "
                             "assignment would make each tensor construction pay for a property",
}

# PyTorch shows these warnings once per process (C++ TORCH_WARN_ONCE): the live check accepts
# their absence when another test already triggered them.
ONCE = {"warn_from_numpy_readonly", "warn_T_3d", "warn_set_default_tensor_type"}

# The "not compiled with CUDA" errors hold only where the library has no CUDA device.
NEEDS_NO_CUDA = {"tensor_on_cuda", "ones_on_cuda", "to_cuda", "cuda_method", "module_cuda"}


# -- running a case -------------------------------------------------------------------------------

def run(fn, module) -> dict:
    """Run ``fn(module)``: the exception's type name and message (None when it returns) and the
    warnings shown, in order."""
    err = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"numtorch\.")
        try:
            fn(module)
        except Exception as e:      # noqa: BLE001  (recording any exception is the point)
            err = e
    out = {"type": None if err is None else type(err).__name__,
           "message": None if err is None else str(err),
           "warnings": [[w.category.__name__, str(w.message)] for w in caught]}
    out["_exc"] = err
    return out


def _clean_warning(msg: str) -> str:
    return _TRIGGERED.sub("", msg)


def mismatch(case, want: dict, got: dict) -> str | None:
    """Why ``got`` differs from ``want`` under the case's rule (None when they agree)."""
    _, _, key = case
    if got["type"] != want["type"]:
        return f"type {got['type']} != {want['type']}: {got['message']!r} vs {want['message']!r}"
    if want["type"] is not None:
        if key is None:
            if got["message"] != want["message"]:
                return f"message {got['message']!r} != {want['message']!r}"
        elif key not in got["message"] or key not in want["message"]:
            return f"key {key!r} not in both: {got['message']!r} / {want['message']!r}"
    gw = [[c, _clean_warning(m)] for c, m in got["warnings"]]
    ww = [[c, _clean_warning(m)] for c, m in want["warnings"]]
    if gw != ww:
        return f"warnings {gw!r} != {ww!r}"
    return None


def load_record() -> dict:
    with open(RECORD, encoding="utf-8") as f:
        return json.load(f)


_NUMPY_TEXT = ("operands could not be broadcast", "axis ", "cannot reshape array", "numpy.",
               "setting an array element with a sequence", "ndarray is not", "np.", "dimension(s)",
               "array index", "Input operand", "not aligned")


def _leaks_numpy(exc: BaseException, recorded: str | None) -> str | None:
    """NumPy text in the exception (unless PyTorch says the same), or a NumPy exception shown
    in its traceback chain."""
    msg = str(exc)
    for phrase in _NUMPY_TEXT:
        if phrase in msg and (recorded is None or phrase not in recorded):
            return f"message has NumPy text {phrase!r}: {msg!r}"
    seen = exc
    while True:
        nxt = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
        if nxt is None:
            return None
        frames = traceback.extract_tb(nxt.__traceback__)
        if frames and os.sep + "numpy" + os.sep in frames[-1].filename:
            return f"chained NumPy exception shown: {type(nxt).__name__}: {nxt}"
        seen = nxt


# -- tests ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def record():
    return load_record()


def test_record_covers_every_case(record):
    assert sorted(record) == sorted(BY_NAME)
    assert len(CASES) >= 250


def _params():
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n])) if n in KNOWN
            else n for n in BY_NAME]


@pytest.mark.parametrize("name", _params())
def test_numtorch_matches_pytorch(name, record):
    import numtorch
    if name in NEEDS_NO_CUDA and numtorch.cuda.is_available():
        pytest.skip("numtorch has a CUDA device here")
    case = BY_NAME[name]
    got = run(case[1], numtorch)
    problem = mismatch(case, record[name], got)
    assert problem is None, problem
    if got["_exc"] is not None:
        leak = _leaks_numpy(got["_exc"], record[name]["message"])
        assert leak is None, leak


def test_record_is_pytorch(record):
    """With torch installed: every case's record still equals live PyTorch (one test for all
    cases, so that without torch one test skips, not one per case)."""
    torch = pytest.importorskip("torch")
    problems = []
    for name, fn, key in CASES:
        if name in NEEDS_NO_CUDA and torch.cuda.is_available():
            continue                       # "not compiled with CUDA" holds only without a GPU
        live = run(fn, torch)
        if name in ONCE and not live["warnings"]:
            live["warnings"] = record[name]["warnings"]
        problem = mismatch(BY_NAME[name], record[name], live)
        if problem is not None:
            problems.append(f"{name}: {problem}")
    assert not problems, "the record differs from live PyTorch (regenerate with " \
                         "python tests/data/regen_misuse.py):\n" + "\n".join(problems)


def regenerate() -> dict:
    """PyTorch's outcome of every case (tests/data/regen_misuse.py writes it to the record)."""
    import torch
    rec = {}
    for name, fn, _ in CASES:
        r = run(fn, torch)
        del r["_exc"]
        rec[name] = r
    return rec
