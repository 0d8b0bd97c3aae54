"""Complex tensors given to ops PyTorch 2.13 has no complex kernel for: numtorch refuses them
with PyTorch's exception type and message (and computes what PyTorch computes where it has one,
complex random draws bit for bit).

Each case is a function of the torch module (PyTorch or numtorch) that makes its inputs and
calls one op; its facts are what it returned (dtype, shape, values; a digest of the bytes where
the values are random draws) or raised, and the warnings given. PyTorch's facts are recorded in
``tests/data/complex_refusals.json`` (regenerate with ``python
tests/data/regen_complex_refusals.py`` where torch 2.13 is installed); with torch installed the
record is also checked against it. The function forms and the Tensor-method forms are both here.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import numtorch
from _facts import capture, check_case, check_live, cut_overloads, load, tensor_facts
from _oracle import digest

RECORD_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                           "complex_refusals.json")


# -- inputs ---------------------------------------------------------------------------------------

def c1(T):
    return T.tensor([1 + 2j, -0.5 + 1j, 3 - 1j])


def c2(T):
    return T.tensor([[1 + 2j, 0.5 - 1j], [2 + 0j, -1 + 1j]])


def cd(T):
    return c2(T).to(T.complex128)


def c0(T):
    return T.tensor(1 + 2j)


def ce(T):
    return T.zeros(0, dtype=T.complex64)


def _facts(r, exact: bool = False):
    """Plain facts of an op's result: a tensor's dtype, shape and values (a complex one as
    its real view), ``exact``: the digest of its bytes too; tuples item by item."""
    if isinstance(r, tuple):
        return [_facts(x, exact) for x in r]
    if hasattr(r, "dtype") and hasattr(r, "shape"):
        out = tensor_facts(r)
        if exact:
            out["digest"] = digest(r)
        return out
    return repr(r)


def _draw(fn):
    """A case whose result is random: the seed is PyTorch's 0, the facts hold the bytes."""
    def case(T):
        T.manual_seed(0)
        return _facts(fn(T), exact=True)
    return case


# -- the ops PyTorch refuses for complex inputs: function and method forms ------------------------

# torch.<name>(x) and x.<name>() on a 2-D complex64 tensor (torch.fix_, torch.frac, and the
# methods sign_, fix_, bitwise_not_, frac numtorch does not have yet are left out)
FUNCTIONS = ["abs_", "amax", "amin", "aminmax", "argmax", "argmin", "argsort", "msort", "sort",
             "max", "min", "median", "nanmedian", "mode", "nansum", "unique",
             "unique_consecutive", "deg2rad", "deg2rad_", "rad2deg", "rad2deg_", "digamma", "erf",
             "erf_", "erfc", "erfc_", "erfinv", "i0", "i0_", "lgamma", "logit", "logit_", "relu",
             "relu_", "round", "round_", "sign", "ceil", "ceil_", "floor", "floor_", "trunc",
             "trunc_", "fix", "signbit", "bitwise_not", "isposinf", "isneginf", "bernoulli"]
METHODS = [n for n in FUNCTIONS if n != "bernoulli"] + [
    "digamma_", "erfinv_", "lgamma_", "bernoulli_"]

CASES = {f"fn_{n}": (lambda n: lambda T: _facts(getattr(T, n)(c2(T))))(n) for n in FUNCTIONS}
CASES.update({f"method_{n}": (lambda n: lambda T: _facts(getattr(c2(T), n)()))(n)
              for n in METHODS})
CASES.update({f"fn_{n}_1d": (lambda n: lambda T: _facts(getattr(T, n)(c1(T))))(n)
              for n in ("max", "sort", "relu", "round", "median", "unique")})

VARIANTS = {
    # the dtype in the message; complex128 names ComplexDouble
    "max_complex128": lambda T: T.max(cd(T)),
    "round_complex128": lambda T: T.round(cd(T)),
    "sign_complex128": lambda T: cd(T).sign(),
    "erf_complex128": lambda T: T.erf(cd(T)),
    # with a dim: another kernel, or a check after the dim's
    "max_dim": lambda T: T.max(c2(T), 1),
    "min_dim_keepdim": lambda T: c2(T).min(dim=0, keepdim=True),
    "max_dim_0d": lambda T: c0(T).max(0),
    "max_bad_dim": lambda T: c2(T).max(5),
    "max_empty": lambda T: T.max(ce(T)),
    "max_empty_dim": lambda T: T.max(ce(T).reshape(0, 2), 0),
    "max_empty_other_dim": lambda T: T.max(ce(T).reshape(0, 2), 1),
    "min_0d": lambda T: c0(T).min(),
    "amax_dim": lambda T: T.amax(c2(T), 0),
    "amax_empty_dim": lambda T: T.amax(ce(T).reshape(0, 2), 0),
    "amax_empty_result": lambda T: T.amax(ce(T).reshape(0, 2), 1),
    "amin_bad_dim": lambda T: T.amin(c2(T), 5),
    "aminmax_dim": lambda T: T.aminmax(c2(T), dim=0),
    "aminmax_empty": lambda T: T.aminmax(ce(T)),
    "argmax_dim": lambda T: T.argmax(c2(T), 0),
    "argmax_bad_dim": lambda T: T.argmax(c2(T), 5),
    "argmin_empty": lambda T: ce(T).argmin(),
    "nansum_dim": lambda T: T.nansum(c2(T), 0),
    "nansum_bad_dim": lambda T: T.nansum(c2(T), 5),
    "nansum_dtype": lambda T: T.nansum(c2(T), dtype=T.complex128),
    "nansum_real_to_complex": lambda T: T.nansum(T.ones(2), dtype=T.complex64),
    "sort_dim": lambda T: T.sort(c2(T), 0),
    "sort_stable_descending": lambda T: c2(T).sort(stable=True, descending=True),
    "sort_0d": lambda T: c0(T).sort(),
    "sort_empty": lambda T: ce(T).sort(),
    "sort_bad_dim": lambda T: c2(T).sort(5),
    "argsort_stable": lambda T: T.argsort(c2(T), stable=True),
    "msort_empty": lambda T: T.msort(ce(T)),
    "topk": lambda T: T.topk(c2(T), 1),
    "topk_bad_k": lambda T: T.topk(c2(T), 5),
    "kthvalue": lambda T: T.kthvalue(c2(T), 1),
    "kthvalue_bad_k": lambda T: T.kthvalue(c2(T), 5),
    "kthvalue_bool_bad_k": lambda T: T.kthvalue(T.tensor([True, False]), 5),
    "median_dim": lambda T: T.median(c2(T), 0),
    "median_dim_0d": lambda T: c0(T).median(0),
    "median_empty": lambda T: T.median(ce(T)),
    "median_empty_dim": lambda T: ce(T).median(0),
    "median_bool_empty_dim": lambda T: T.zeros(0, dtype=T.bool).median(0),
    "nanmedian_dim": lambda T: T.nanmedian(c2(T), 1),
    "nanmedian_empty": lambda T: T.nanmedian(ce(T)),
    "mode_dim": lambda T: T.mode(c2(T), 0),
    "mode_0d": lambda T: T.mode(c0(T)),
    "mode_empty": lambda T: ce(T).mode(),
    "unique_sorted_false": lambda T: T.unique(c2(T), sorted=False, return_inverse=True),
    "unique_dim": lambda T: T.unique(c2(T), dim=0),
    "unique_bad_dim": lambda T: T.unique(c2(T), dim=5),
    "unique_0d": lambda T: c0(T).unique(),
    "unique_consecutive_dim": lambda T: T.unique_consecutive(c2(T), dim=1),
    "unique_consecutive_1d_dim": lambda T: T.unique_consecutive(c1(T), dim=0),
    "unique_consecutive_empty": lambda T: T.unique_consecutive(ce(T)),
    "round_decimals": lambda T: T.round(c2(T), decimals=2),
    "round_0d": lambda T: c0(T).round(),
    "floor_empty": lambda T: ce(T).floor(),
    "special_round": lambda T: T.special.round(c2(T)),
    "relu_requires_grad": lambda T: c2(T).requires_grad_().relu(),
    "max_requires_grad": lambda T: c2(T).requires_grad_().max(),
    "sort_requires_grad": lambda T: c2(T).requires_grad_().sort(),
    "floor_requires_grad": lambda T: c2(T).requires_grad_().floor(),
    "abs_empty": lambda T: ce(T).abs_(),
    "logit_eps": lambda T: T.logit(c2(T), 0.1),
    "polygamma_0": lambda T: T.polygamma(0, c2(T)),
    "polygamma_1": lambda T: T.polygamma(1, c2(T)),
    "polygamma_3": lambda T: T.polygamma(3, c2(T)),
    "mvlgamma": lambda T: T.mvlgamma(c2(T), 1),
    "mvlgamma_bad_p": lambda T: T.mvlgamma(c2(T), 0),
    "special_erfcx": lambda T: T.special.erfcx(c2(T)),
    "special_ndtri": lambda T: T.special.ndtri(c2(T)),
    "special_log_ndtr": lambda T: T.special.log_ndtr(c2(T)),
    "special_ndtr": lambda T: T.special.ndtr(c2(T)),
    "special_i0e": lambda T: T.special.i0e(c2(T)),
    "special_i1": lambda T: T.special.i1(c2(T)),
    "special_i1e": lambda T: T.special.i1e(c2(T)),
    "special_entr": lambda T: T.special.entr(c2(T)),
    "special_psi": lambda T: T.special.psi(c2(T)),
    "special_gammaln": lambda T: T.special.gammaln(c2(T)),
    # PyTorch computes these for complex inputs
    "sinc": lambda T: T.sinc(c2(T)),
    "exp2": lambda T: T.exp2(c2(T)),
    "expit": lambda T: T.special.expit(c2(T)),
    # clamp and its relatives
    "clamp": lambda T: T.clamp(c2(T), 0, 1),
    "clamp_min": lambda T: c2(T).clamp_min(0),
    "clamp_inplace": lambda T: c2(T).clamp_(0),
    "clamp_no_bounds": lambda T: c2(T).clamp(),
    "clamp_tensor_bounds": lambda T: T.clamp(c2(T), T.zeros(2), T.ones(2)),
    "clamp_real_complex_min": lambda T: T.clamp(T.ones(2), c1(T)[:2]),
    "clamp_real_complex_max": lambda T: T.clamp(T.ones(2), max=c1(T)[:2]),
    "maximum": lambda T: T.maximum(c2(T), c2(T)),
    "minimum_mixed": lambda T: T.minimum(c2(T), T.ones(2)),
    "max_two_tensors": lambda T: T.max(c2(T), T.ones(2)),
    "F_relu": lambda T: T.nn.functional.relu(c2(T)),
    "F_relu_inplace": lambda T: T.nn.functional.relu(c2(T), inplace=True),
    "F_relu6": lambda T: T.nn.functional.relu6(c2(T)),
    "F_hardtanh": lambda T: T.nn.functional.hardtanh(c2(T)),
    "nn_ReLU": lambda T: T.nn.ReLU()(c2(T)),
    "cummax": lambda T: T.cummax(c2(T), 0),
    "cummin": lambda T: c2(T).cummin(1),
    "cummax_bad_dim": lambda T: T.cummax(c1(T), 5),
    "cummax_0d": lambda T: T.cummax(c0(T), 0),
    "searchsorted": lambda T: T.searchsorted(c1(T), c1(T)),
    "searchsorted_real_sorted": lambda T: T.searchsorted(T.tensor([0.0, 1.0]), c1(T)),
    "bucketize": lambda T: T.bucketize(c2(T), c1(T)),
    "histc": lambda T: T.histc(c2(T)),
    "histc_range": lambda T: T.histc(c2(T), min=0, max=1),
    # the random ops
    "bernoulli_p": lambda T: T.bernoulli(c2(T), 0.5),
    "bernoulli_p_out_of_range": lambda T: T.bernoulli(c2(T), 2.0),
    "bernoulli_long": lambda T: T.bernoulli(T.tensor([1, 0])),
    "bernoulli_bool": lambda T: T.bernoulli(T.tensor([True])),
    "bernoulli__scalar": lambda T: c2(T).bernoulli_(0.5),
    "bernoulli__tensor": lambda T: c2(T).bernoulli_(T.full((2, 2), 0.5)),
    "bernoulli__bad_p": lambda T: c2(T).bernoulli_(2.0),
    "random_": lambda T: c2(T).random_(),
    "random__to": lambda T: c2(T).random_(5),
    "random__from_to": lambda T: c2(T).random_(1, 5),
    "exponential_": lambda T: c2(T).exponential_(),
    "normal_complex_std": lambda T: T.normal(T.ones(3), c1(T)),
    "normal_float_mean_complex_std": lambda T: T.normal(0.0, c1(T)),
    "normal_complex_mean_and_std": lambda T: T.normal(c1(T), c1(T)),
    "normal_negative_std": lambda T: T.normal(c1(T), -1.0),
    "normal_negative_std_tensor": lambda T: T.normal(c1(T), -T.ones(3)),
    "normal__negative_std": lambda T: c2(T).normal_(0, -1),
    "uniform__bad_range": lambda T: c2(T).uniform_(2, 1),
}
CASES.update({k: (lambda f: lambda T: _facts(f(T)))(f) for k, f in VARIANTS.items()})

# Complex random draws: PyTorch fills the real view (real, imaginary, real, ...), normal parts
# with standard deviation std / sqrt(2); both the small (< 16) and the vectorised paths.
DRAWS = {
    "randn_c64": lambda T: T.randn(3, dtype=T.complex64),
    "randn_c64_vectorised": lambda T: T.randn(5, 8, dtype=T.complex64),
    "randn_c128_vectorised": lambda T: T.randn(20, dtype=T.complex128),
    "randn_0d": lambda T: T.randn((), dtype=T.complex64),
    "rand_c64": lambda T: T.rand(3, dtype=T.complex64),
    "rand_c128": lambda T: T.rand(4, 5, dtype=T.complex128),
    "randn_like_1d": lambda T: T.randn_like(c1(T)),
    "randn_like_2d": lambda T: T.randn_like(c2(T)),
    "randn_like_dtype": lambda T: T.randn_like(T.ones(20), dtype=T.complex64),
    "rand_like_1d": lambda T: T.rand_like(c1(T)),
    "rand_like_2d": lambda T: T.rand_like(c2(T)),
    "normal_1d": lambda T: T.normal(c1(T)),
    "normal_2d": lambda T: T.normal(c2(T)),
    "normal_std": lambda T: T.normal(c1(T).repeat(10), 2.5),
    "normal_std_tensor": lambda T: T.normal(c1(T).repeat(10), T.arange(30.0) / 7),
    "normal_std_tensor_small": lambda T: T.normal(c1(T), T.tensor([0.5, 1.5, 3.0])),
    "normal_size_dtype": lambda T: T.normal(0.0, 1.0, (5,), dtype=T.complex64),
    "normal_size_dtype_vectorised": lambda T: T.normal(1.0, 2.0, (20,), dtype=T.complex128),
    "normal_": lambda T: T.zeros(3, dtype=T.complex64).normal_(1.0, 2.0),
    "normal__vectorised": lambda T: T.zeros(4, 10, dtype=T.complex64).normal_(),
    "normal__non_contiguous": lambda T: T.zeros(10, 4, dtype=T.complex64).t().normal_(),
    "uniform_": lambda T: T.zeros(3, dtype=T.complex64).uniform_(-1, 1),
    "uniform__vectorised": lambda T: T.zeros(4, 10, dtype=T.complex128).uniform_(),
    "randn_requires_grad": lambda T: T.randn(2, dtype=T.complex64, requires_grad=True),
}
CASES.update({f"draw_{k}": _draw(f) for k, f in DRAWS.items()})

# The argument errors the same scan met (a tensor where a list or a number belongs, a missing
# argument, too few dimensions)
ARGUMENTS = {
    "hstack_tensor": lambda T: T.hstack(c1(T)),
    "vstack_tensor": lambda T: T.vstack(c2(T)),
    "column_stack_tensor": lambda T: T.column_stack(c1(T)),
    "hstack_empty": lambda T: T.hstack([]),
    "vstack_empty": lambda T: T.vstack(()),
    "column_stack_empty": lambda T: T.column_stack([]),
    "hstack_int_element": lambda T: T.hstack([1, 2]),
    "vstack_int_element": lambda T: T.vstack([c1(T), 1]),
    "column_stack_generator": lambda T: T.column_stack(t for t in [c1(T)]),
    "hstack_ok": lambda T: T.hstack([c1(T), c1(T)]),
    "scalar_tensor_tensor": lambda T: T.scalar_tensor(c1(T)),
    "scalar_tensor_0d": lambda T: T.scalar_tensor(T.tensor(2)),
    "scalar_tensor_complex": lambda T: T.scalar_tensor(1 + 2j),
    "scalar_tensor_complex_double": lambda T: T.scalar_tensor(1 + 2j, dtype=T.float64),
    "scalar_tensor_complex_long": lambda T: T.scalar_tensor(1 + 2j, dtype=T.int64),
    "scalar_tensor_complex_dtype": lambda T: T.scalar_tensor(1 + 2j, dtype=T.complex64),
    "scalar_tensor_real_complex": lambda T: T.scalar_tensor(2 + 0j),
    "scalar_tensor_str": lambda T: T.scalar_tensor("a"),
    "scalar_tensor_none": lambda T: T.scalar_tensor(None),
    "einsum_tensor_only": lambda T: T.einsum(c1(T)),
    "einsum_no_operands": lambda T: T.einsum("i"),
    "einsum_empty_list": lambda T: T.einsum("i", []),
    "permute_no_dims": lambda T: T.permute(c2(T)),
    "permute_method_no_dims": lambda T: c2(T).permute(),
    "permute_0d_no_dims": lambda T: c0(T).permute(),
    "reshape_no_shape": lambda T: T.reshape(c2(T)),
    "reshape_method_no_shape": lambda T: c1(T).reshape(),
    "reshape_0d_no_shape": lambda T: T.reshape(c0(T)),
    "arange_tensor": lambda T: T.arange(c1(T)),
    "arange_1_element_tensor": lambda T: T.arange(T.tensor([3])),
    "arange_0d_tensor": lambda T: T.arange(T.tensor(3)),
    "arange_start_tensor": lambda T: T.arange(0, c1(T)),
    "arange_complex": lambda T: T.arange(T.tensor(1 + 2j)),
    "arange_real_complex": lambda T: T.arange(2 + 0j, 5),
    "arange_str_end": lambda T: T.arange(0, "a"),
    "fliplr_1d": lambda T: T.fliplr(c1(T)),
    "fliplr_method_1d": lambda T: c1(T).fliplr(),
    "flipud_0d": lambda T: T.flipud(c0(T)),
    "repeat_interleave_complex_2d": lambda T: T.repeat_interleave(c2(T)),
    "repeat_interleave_complex_1d": lambda T: T.repeat_interleave(c1(T)),
    "repeat_interleave_float_2d": lambda T: T.repeat_interleave(T.ones(2, 2)),
    "repeat_interleave_long_2d": lambda T: T.repeat_interleave(T.ones(2, 2, dtype=T.int64)),
    "set_autocast_cache_enabled_tensor": lambda T: T.set_autocast_cache_enabled(c1(T)),
    "set_autocast_cache_enabled_int": lambda T: T.set_autocast_cache_enabled(1),
    "set_autocast_cpu_dtype_tensor": lambda T: T.set_autocast_cpu_dtype(c1(T)),
    "set_autocast_gpu_dtype_int": lambda T: T.set_autocast_gpu_dtype(1),
    "set_autocast_dtype_tensor": lambda T: T.set_autocast_dtype("cpu", c1(T)),
    "set_autocast_enabled_tensor": lambda T: T.set_autocast_enabled(c1(T)),
    "set_autocast_enabled_device_tensor": lambda T: T.set_autocast_enabled("cpu", c1(T)),
    "set_autocast_cpu_enabled_tensor": lambda T: T.set_autocast_cpu_enabled(c1(T)),
    # torch.dropout(input, p, train): both required, range checked even in eval; F.dropout
    "torch_dropout_no_args": lambda T: T.dropout(T.ones(3)),
    "torch_dropout_no_train": lambda T: T.dropout(T.ones(3), 0.5),
    "torch_dropout_eval": lambda T: T.dropout(T.ones(3), 0.5, False),
    "torch_dropout_range": lambda T: T.dropout(T.ones(3), -0.1, False),
    "torch_dropout_complex": lambda T: T.dropout(c1(T), 0.5, True),
    "torch_dropout_complex_eval": lambda T: T.dropout(c1(T), 0.5, False),
    "torch_dropout_long": lambda T: T.dropout(T.ones(3, dtype=T.int64), 0.5, True),
    "F_dropout_complex": lambda T: T.nn.functional.dropout(c1(T), 0.5, True),
    "F_dropout_long": lambda T: T.nn.functional.dropout(T.ones(3, dtype=T.int64), 0.5, True),
    "F_dropout_range": lambda T: T.nn.functional.dropout(T.ones(3), 1.5, True),
}
CASES.update({k: (lambda f: lambda T: _facts(f(T)))(f) for k, f in ARGUMENTS.items()})


def regenerate() -> dict:
    import torch as T
    return {name: capture(fn, T) for name, fn in CASES.items()}


RECORD = load(RECORD_JSON)

# Where numtorch answers otherwise, and why; none today.
DIFFERENT: dict = {}

# NumPy's wording must never reach a user
_NUMPY_TEXT = ("ufunc", "numpy", "ndarray", "casting rule", "could not be safely coerced",
               "ambiguous")


def test_record_covers_every_case():
    assert sorted(RECORD) == sorted(CASES)
    assert len(CASES) >= 250


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_pytorch(name):
    check_case(CASES[name], numtorch, DIFFERENT.get(name, RECORD[name]), name, _NUMPY_TEXT,
               cut_overloads)


def test_record_matches_live_pytorch():
    check_live(CASES, RECORD)


def test_complex_draws_are_the_real_views_draws():
    """Without the record: a complex draw is the real draw of twice the numbers, scaled by
    1/sqrt(2) for normal samples (what makes it PyTorch's), seen as complex."""
    numtorch.manual_seed(7)
    z = numtorch.randn(9, dtype=numtorch.complex64).numpy()
    numtorch.manual_seed(7)
    r = numtorch.normal(0.0, 1 / np.sqrt(2.0), (9, 2)).numpy()
    np.testing.assert_array_equal(z.view(np.float32).reshape(9, 2), r)
    numtorch.manual_seed(7)
    u = numtorch.rand(2, 3, dtype=numtorch.complex128).numpy()
    numtorch.manual_seed(7)
    np.testing.assert_array_equal(u.view(np.float64).reshape(2, 3, 2),
                                  numtorch.rand(2, 3, 2, dtype=numtorch.float64).numpy())
    mean = numtorch.tensor([1 + 2j, -3j])
    numtorch.manual_seed(7)
    got = numtorch.normal(mean, 1.0).numpy()
    numtorch.manual_seed(7)
    np.testing.assert_array_equal(got, numtorch.randn(2, dtype=numtorch.complex64).numpy()
                                  + mean.numpy())
