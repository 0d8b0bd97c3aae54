"""mish, hardswish, hardsigmoid, prelu, glu, threshold, rrelu, hardshrink, softshrink and
gumbel_softmax (functional, ``torch.*`` and Tensor forms) and their modules (with Softmax2d,
CosineSimilarity, PairwiseDistance): PyTorch's values, gradients (of inputs and parameters),
dtypes, grad_fn names, reprs, defaults, errors, random draws and second derivatives; float64
gradcheck and gradgradcheck.

PyTorch's answers are recorded in ``tests/data/oracle/nn_activations_extra.{json,npz}`` (see
``tests/_oracle.py``); regenerate with ``python tests/data/regen_oracle.py
tests/nn/test_activations_extra.py`` where torch 2.13 is installed.
"""
import inspect
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.nn.modules import activation as A, distance as D
from nn_parity_helpers import compare, error_of, rng_for
from _oracle import Oracle

ORACLE = Oracle("nn_activations_extra")
DTYPES = (np.float32, np.float64)
NAN = float("nan")


def F(T):
    """``T.nn.functional`` of either library: one case body serves numtorch and PyTorch."""
    return T.nn.functional


def data(key, shape, dtype, scale=1.0, specials=()):
    """A seeded array of ``shape``; its first entries replaced by ``specials`` (kinks, NaN)."""
    a = (rng_for(key).standard_normal(shape) * scale).astype(dtype)
    flat = a.reshape(-1)
    flat[:len(specials)] = np.asarray(specials, dtype)
    return a


def positive(key, shape, dtype, lo=0.1, hi=0.5):
    return rng_for(key + "/w").uniform(lo, hi, shape).astype(dtype)


def seeded(fn, seed=7):
    """``fn`` run right after ``manual_seed(seed)`` (the same draws in both libraries)."""
    def run(T, *a):
        T.manual_seed(seed)
        return fn(T, *a)
    return run


def _gen_rrelu(T, a):
    g = T.Generator().manual_seed(123)
    return T.rrelu(a, 0.2, 0.4, True, generator=g)


HS = (-3.0, 3.0, -4.0, 4.0, 0.0, -2.9, 2.9, -3.1, 3.1)          # hardswish/hardsigmoid kinks
# (PyTorch's gradient of hardshrink/softshrink at NaN depends on whether the element fell in a
# vectorised block: NaN is left to test_nan_passes_through)
SHRINK = (-0.5, 0.5, -0.25, 0.25, -0.0, 0.0, 1.0, -1.0)
RR = (0.0, -0.0, NAN, -1.0, 2.0)

# (id, fn(T, *tensors), inputs(key, dtype) -> [(array, requires_grad)], exact)
CASES = [
    ("mish", lambda T, a: F(T).mish(a),
     lambda k, d: [(data(k, (3, 5), d, 3, (0.0, 25.0, -25.0, 100.0, -100.0)), True)], False),
    ("mish_inplace", lambda T, a: F(T).mish(a * 1, inplace=True),
     lambda k, d: [(data(k, (3, 5), d, 3), True)], False),
    ("hardswish", lambda T, a: F(T).hardswish(a), lambda k, d: [(data(k, (3, 5), d, 3, HS), True)],
     True),
    ("hardswish_inplace", lambda T, a: F(T).hardswish(a * 1, True),
     lambda k, d: [(data(k, (3, 5), d, 3, HS), True)], True),
    ("hardsigmoid", lambda T, a: F(T).hardsigmoid(a),
     lambda k, d: [(data(k, (3, 5), d, 3, HS), True)], True),
    ("hardsigmoid_inplace", lambda T, a: F(T).hardsigmoid(a * 1, inplace=True),
     lambda k, d: [(data(k, (3, 5), d, 3, HS), True)], True),
    ("prelu_one_weight", lambda T, a, w: F(T).prelu(a, w),
     lambda k, d: [(data(k, (2, 3, 4), d, 1, (0.0,)), True), (positive(k, (1,), d), True)], False),
    ("prelu_channels_4d", lambda T, a, w: F(T).prelu(a, w),
     lambda k, d: [(data(k, (2, 3, 2, 2), d), True), (positive(k, (3,), d), True)], False),
    ("prelu_channels_2d", lambda T, a, w: F(T).prelu(a, w),
     lambda k, d: [(data(k, (4, 3), d), True), (positive(k, (3,), d), True)], False),
    ("prelu_1d", lambda T, a, w: F(T).prelu(a, w),
     lambda k, d: [(data(k, (5,), d), True), (positive(k, (1,), d), True)], False),
    ("prelu_0d_input", lambda T, a, w: F(T).prelu(a, w),
     lambda k, d: [(np.array(-1.5, d), True), (positive(k, (1,), d), True)], False),
    ("prelu_0d_weight", lambda T, a, w: F(T).prelu(a, w),
     lambda k, d: [(data(k, (2, 3), d), True), (np.array(0.3, d), True)], False),
    ("prelu_weight_grad_only", lambda T, a, w: F(T).prelu(a, w),
     lambda k, d: [(data(k, (2, 3, 2), d), False), (positive(k, (3,), d), True)], False),
    ("torch.prelu", lambda T, a, w: T.prelu(a, w),
     lambda k, d: [(data(k, (2, 3), d), True), (positive(k, (3,), d), True)], False),
    ("Tensor.prelu", lambda T, a, w: a.prelu(w),
     lambda k, d: [(data(k, (2, 3), d), True), (positive(k, (1,), d), True)], False),
    ("glu", lambda T, a: F(T).glu(a), lambda k, d: [(data(k, (3, 4), d, 2), True)], False),
    ("glu_dim0", lambda T, a: F(T).glu(a, 0), lambda k, d: [(data(k, (4, 3), d, 2), True)], False),
    ("glu_3d_dim1", lambda T, a: F(T).glu(a, dim=1),
     lambda k, d: [(data(k, (2, 6, 3), d, 2), True)], False),
    ("glu_dim-2", lambda T, a: F(T).glu(a, -2), lambda k, d: [(data(k, (2, 2, 3), d, 2), True)],
     False),
    ("threshold", lambda T, a: F(T).threshold(a, 0.1, 20.0),
     lambda k, d: [(data(k, (3, 5), d, 1, (0.1, -0.1, 0.0, NAN)), True)], True),
    ("threshold_neg", lambda T, a: F(T).threshold(a, -0.5, -3),
     lambda k, d: [(data(k, (3, 5), d, 1, (-0.5,)), True)], True),
    ("threshold_inplace", lambda T, a: F(T).threshold(a * 1, 0.1, 20.0, True),
     lambda k, d: [(data(k, (3, 5), d, 1, (0.1,)), True)], True),
    ("F.threshold_", lambda T, a: F(T).threshold_(a * 1, 0.2, -1.0),
     lambda k, d: [(data(k, (3, 5), d), True)], True),
    ("torch.threshold", lambda T, a: T.threshold(a, 0.0, 1.5),
     lambda k, d: [(data(k, (3, 5), d), True)], True),
    ("torch.threshold_", lambda T, a: T.threshold_(a * 1, 0.0, 1.5),
     lambda k, d: [(data(k, (3, 5), d), True)], True),
    ("hardshrink", lambda T, a: F(T).hardshrink(a),
     lambda k, d: [(data(k, (3, 5), d, 1, SHRINK), True)], True),
    ("hardshrink_1", lambda T, a: F(T).hardshrink(a, 1.0),
     lambda k, d: [(data(k, (3, 5), d, 1, SHRINK), True)], True),
    ("hardshrink_negative_lambd", lambda T, a: F(T).hardshrink(a, -1),
     lambda k, d: [(data(k, (3, 5), d, 1, SHRINK), True)], True),
    ("torch.hardshrink", lambda T, a: T.hardshrink(a, 0.25),
     lambda k, d: [(data(k, (3, 5), d, 1, SHRINK), True)], True),
    ("Tensor.hardshrink", lambda T, a: a.hardshrink(lambd=0.3),
     lambda k, d: [(data(k, (3, 5), d), True)], True),
    ("softshrink", lambda T, a: F(T).softshrink(a),
     lambda k, d: [(data(k, (3, 5), d, 1, SHRINK), True)], True),
    ("softshrink_0.25", lambda T, a: F(T).softshrink(a, 0.25),
     lambda k, d: [(data(k, (3, 5), d, 1, SHRINK), True)], True),
    ("softshrink_0", lambda T, a: F(T).softshrink(a, 0),
     lambda k, d: [(data(k, (3, 5), d, 1, SHRINK), True)], True),
    ("rrelu_eval", lambda T, a: F(T).rrelu(a),
     lambda k, d: [(data(k, (3, 5), d, 1, RR), True)], True),
    ("rrelu_eval_bounds", lambda T, a: F(T).rrelu(a, 0.1, 0.3),
     lambda k, d: [(data(k, (3, 5), d, 1, RR), True)], True),
    ("rrelu_eval_inplace", lambda T, a: F(T).rrelu(a * 1, inplace=True),
     lambda k, d: [(data(k, (3, 5), d, 1, RR), True)], True),
    ("F.rrelu_eval", lambda T, a: F(T).rrelu_(a * 1, 0.2, 0.3),
     lambda k, d: [(data(k, (3, 5), d, 1, RR), True)], True),
    ("rrelu_train", seeded(lambda T, a: F(T).rrelu(a, training=True)),
     lambda k, d: [(data(k, (6, 7), d, 1, RR), True)], True),
    ("rrelu_train_bounds", seeded(lambda T, a: F(T).rrelu(a, 0.01, 0.77, True)),
     lambda k, d: [(data(k, (6, 7), d, 1, RR), True)], True),
    ("rrelu_train_equal_bounds", seeded(lambda T, a: F(T).rrelu(a, 0.3, 0.3, True)),
     lambda k, d: [(data(k, (4, 5), d, 1, RR), True)], True),
    ("rrelu_train_transposed", seeded(lambda T, a: F(T).rrelu(a.t(), training=True)),
     lambda k, d: [(data(k, (5, 4), d, 1, RR), True)], True),
    ("rrelu_train_inplace", seeded(lambda T, a: F(T).rrelu(a * 1, training=True, inplace=True)),
     lambda k, d: [(data(k, (6, 7), d, 1, RR), True)], True),
    ("F.rrelu_train", seeded(lambda T, a: F(T).rrelu_(a * 1, training=True)),
     lambda k, d: [(data(k, (6, 7), d, 1, RR), True)], True),
    ("torch.rrelu_generator", _gen_rrelu, lambda k, d: [(data(k, (6, 7), d, 1, RR), True)], True),
    ("torch.rrelu_", seeded(lambda T, a: T.rrelu_(a * 1, 0.1, 0.2, True)),
     lambda k, d: [(data(k, (6, 7), d), True)], True),
    ("gumbel_softmax", seeded(lambda T, a: F(T).gumbel_softmax(a)),
     lambda k, d: [(data(k, (4, 5), d), True)], False),
    ("gumbel_softmax_tau_dim0", seeded(lambda T, a: F(T).gumbel_softmax(a, tau=0.5, dim=0)),
     lambda k, d: [(data(k, (4, 5), d), True)], False),
    ("gumbel_softmax_hard", seeded(lambda T, a: F(T).gumbel_softmax(a, hard=True)),
     lambda k, d: [(data(k, (4, 5), d), True)], False),
    ("gumbel_softmax_hard_3d", seeded(lambda T, a: F(T).gumbel_softmax(a, 2.0, True, dim=1)),
     lambda k, d: [(data(k, (2, 3, 4), d), True)], False),
]
CASE_IDS = [c[0] for c in CASES]


def _tol(dtype, exact):
    if exact:
        return {"rtol": 0, "atol": 0}
    return {"rtol": 2e-6, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-13}


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_functional_parity(case, dtype):
    """Value, dtype, shape, grad_fn name and the gradient of every input that requires grad."""
    name, fn, make, exact = case
    key = f"fn/{name}/{np.dtype(dtype).name}"
    inputs = make(key, dtype)
    out = compare(lambda *a: fn(numtorch, *a), fn, [a for a, _ in inputs], [g for _, g in inputs],
                  oracle=ORACLE, key=key, **_tol(dtype, exact))
    # the same zeros as PyTorch (not softshrink's: PyTorch's sign of 0 there depends on whether
    # the element fell in a vectorised block)
    if exact and not name.startswith("softshrink"):
        want = ORACLE.answer(key + "/signbit", lambda torch: np.signbit(
            fn(torch, *[torch.tensor(a) for a, _ in inputs]).numpy()))
        np.testing.assert_array_equal(np.signbit(out.detach().numpy()), want)


def test_threshold_other_dtypes():
    cases = [("int64", np.array([-2, -1, 0, 1, 5]), -1.5, 7.9), ("uint8", np.array([0, 1, 2, 254],
             np.uint8), -2, 9), ("int32", np.array([3, -4, 7], np.int32), 3, -1),
             ("uint8_float", np.array([1, 2, 3], np.uint8), 1.7, 200), ("float16", np.array(
                 [0.5, 2.0, -1.0], np.float16), 0.5, 1e4)]
    for name, a, thr, val in cases:
        want = ORACLE.answer(f"threshold_dtype/{name}",
                             lambda torch: torch.nn.functional.threshold(torch.tensor(a), thr, val))
        got = numtorch.nn.functional.threshold(numtorch.tensor(a), thr, val)
        assert str(got.dtype) == str(want.dtype), name
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=name)


# -- random draws -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_rrelu_draws_bit_identical(dtype):
    """Training-mode slopes are PyTorch's draws bit for bit, one per element <= 0 (NaN draws
    nothing); the generator ends in PyTorch's state."""
    key = f"rrelu_draws/{np.dtype(dtype).name}"
    x = data(key, (40, 50), dtype, 1, (0.0, NAN, -0.0, 3.0))

    def run(T):
        T.manual_seed(2024)
        y = F(T).rrelu(T.tensor(x), 0.05, 0.9, training=True)
        return {"y": y, "next": T.rand(4, dtype=T.float64)}
    want = ORACLE.answer(key, run)
    got = run(numtorch)
    np.testing.assert_array_equal(got["y"].numpy(), want["y"].numpy())
    np.testing.assert_array_equal(got["next"].numpy(), want["next"].numpy())


def test_rrelu_module_train_eval():
    key = "rrelu_module"
    x = data(key, (5, 6), np.float32, 1, RR)

    def run(T):
        m = T.nn.RReLU(0.1, 0.3)
        T.manual_seed(5)
        train = m(T.tensor(x))
        m.eval()
        return {"train": train, "eval": m(T.tensor(x)), "repr": repr(m), "training": m.training}
    want = ORACLE.answer(key, run)
    got = run(numtorch)
    np.testing.assert_array_equal(got["train"].numpy(), want["train"].numpy())
    np.testing.assert_array_equal(got["eval"].numpy(), want["eval"].numpy())
    assert got["repr"] == want["repr"] and got["training"] is want["training"] is False


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_gumbel_softmax_draws(dtype):
    """The noise is PyTorch's ``exponential_`` draws: the hard samples (argmax of the noisy
    logits) are PyTorch's exactly, over many rows; the soft ones agree to rounding; the generator
    ends in PyTorch's state."""
    key = f"gumbel_draws/{np.dtype(dtype).name}"
    logits = data(key, (300, 6), dtype, 0.5)

    def run(T):
        T.manual_seed(99)
        hard = F(T).gumbel_softmax(T.tensor(logits), tau=0.7, hard=True)
        soft = F(T).gumbel_softmax(T.tensor(logits), tau=0.7)
        return {"hard": hard.argmax(-1), "soft": soft, "next": T.rand(3, dtype=T.float64)}
    want = ORACLE.answer(key, run)
    got = run(numtorch)
    np.testing.assert_array_equal(got["hard"].numpy(), want["hard"].numpy())
    tol = 2e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got["soft"].numpy(), want["soft"].numpy(), rtol=tol, atol=tol)
    np.testing.assert_array_equal(got["next"].numpy(), want["next"].numpy())


def test_gumbel_softmax_hard_is_one_hot_with_soft_gradient():
    x = data("gumbel_hard_grad", (3, 4), np.float64)
    t = numtorch.tensor(x, requires_grad=True)
    numtorch.manual_seed(1)
    y = numtorch.nn.functional.gumbel_softmax(t, hard=True)
    np.testing.assert_allclose(y.detach().numpy().sum(-1), 1.0)
    assert set(np.round(y.detach().numpy(), 12).ravel()) <= {0.0, 1.0}
    numtorch.manual_seed(1)
    s = numtorch.nn.functional.gumbel_softmax(t)
    w = numtorch.tensor(rng_for("gumbel_w").standard_normal((3, 4)))
    gh, = numtorch.autograd.grad((y * w).sum(), t)
    gs, = numtorch.autograd.grad((s * w).sum(), t)
    np.testing.assert_allclose(gh.numpy(), gs.numpy(), rtol=1e-12, atol=1e-14)


def test_gumbel_softmax_eps_warns():
    def run(T):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            F(T).gumbel_softmax(T.zeros(3), eps=1e-5)
        return [str(w.message) for w in rec if issubclass(w.category, UserWarning)]
    want = ORACLE.answer("gumbel_eps_warning", run)
    assert want and run(numtorch) == want


# -- errors -------------------------------------------------------------------------------------

def _i(T, *v):
    return T.tensor(list(v))


ERRORS = [
    ("mish_int", lambda T: F(T).mish(_i(T, 1, 2))),
    ("mish_list", lambda T: F(T).mish([1.0, 2.0])),
    ("mish_leaf_inplace", lambda T: F(T).mish(T.ones(2, requires_grad=True), inplace=True)),
    ("hardswish_int", lambda T: F(T).hardswish(_i(T, 1, 2))),
    ("hardswish_bool", lambda T: F(T).hardswish(T.tensor([True]))),
    ("hardsigmoid_int", lambda T: F(T).hardsigmoid(_i(T, 1, 2))),
    ("hardsigmoid_list", lambda T: F(T).hardsigmoid([1.0])),
    ("prelu_int", lambda T: F(T).prelu(_i(T, 1, -2), _i(T, 1))),
    ("prelu_promote", lambda T: F(T).prelu(T.ones(3), T.ones(1, dtype=T.float64))),
    ("prelu_promote_int_weight", lambda T: F(T).prelu(T.ones(3), _i(T, 1))),
    ("prelu_channels", lambda T: F(T).prelu(T.ones(2, 3), T.ones(2))),
    ("prelu_1d_channels", lambda T: F(T).prelu(T.ones(3), T.ones(3))),
    ("prelu_weight_2d", lambda T: F(T).prelu(T.ones(2, 3), T.ones(1, 1))),
    ("prelu_0d_input", lambda T: F(T).prelu(T.tensor(1.0), T.ones(2))),
    ("prelu_0d_input_2d_weight", lambda T: F(T).prelu(T.tensor(1.0), T.ones(2, 2))),
    ("prelu_weight_float", lambda T: F(T).prelu(T.ones(2, 3), 0.1)),
    ("prelu_list", lambda T: F(T).prelu([1.0], T.ones(1))),
    ("glu_odd", lambda T: F(T).glu(T.ones(2, 3))),
    ("glu_odd_dim0", lambda T: F(T).glu(T.ones(3, 2), 0)),
    ("glu_0d", lambda T: F(T).glu(T.tensor(1.0))),
    ("glu_dim_range", lambda T: F(T).glu(T.ones(2, 4), 2)),
    ("glu_dim_float", lambda T: F(T).glu(T.ones(2, 4), 1.5)),
    ("glu_int", lambda T: F(T).glu(_i(T, 1, 2, 3, 4))),
    ("glu_int_odd", lambda T: F(T).glu(_i(T, 1, 2, 3))),
    ("threshold_bool", lambda T: F(T).threshold(T.tensor([True]), 0, 1)),
    ("threshold_str", lambda T: F(T).threshold(T.ones(2), "a", 1.0)),
    ("threshold_value_str", lambda T: F(T).threshold(T.ones(2), 0.5, "b")),
    ("threshold_overflow_float", lambda T: F(T).threshold(T.ones(2), 1e39, 1.0)),
    ("threshold_overflow_value", lambda T: F(T).threshold(T.ones(2), 0, 1e300)),
    ("threshold_overflow_half", lambda T: F(T).threshold(T.ones(2, dtype=T.float16), 0, 1e5)),
    ("threshold_overflow_int", lambda T: F(T).threshold(_i(T, 1, 2), 1, 1e20)),
    ("threshold_overflow_int32", lambda T: F(T).threshold(_i(T, 1).int(), 1, 3e9)),
    ("threshold_overflow_uint8", lambda T: F(T).threshold(_i(T, 1).to(T.uint8), -2.5, 1)),
    ("threshold_overflow_uint8_int", lambda T: F(T).threshold(_i(T, 1).to(T.uint8), -300, 1)),
    ("threshold_nan_int", lambda T: F(T).threshold(_i(T, 1, 2), NAN, 1)),
    ("threshold_big_int", lambda T: F(T).threshold(T.ones(2), 1, 2 ** 70)),
    ("threshold_leaf_inplace", lambda T: F(T).threshold(T.ones(2, requires_grad=True), 0, 1, True)),
    ("threshold__list", lambda T: F(T).threshold_([1.0], 0, 1)),
    ("rrelu_bounds", lambda T: F(T).rrelu(T.ones(3), 0.5, 0.1)),
    ("rrelu_bounds_train", lambda T: F(T).rrelu(T.ones(3), 0.5, 0.1, training=True)),
    ("rrelu_int", lambda T: F(T).rrelu(_i(T, 1, -2))),
    ("rrelu_int_train", lambda T: F(T).rrelu(_i(T, 1, -2), training=True)),
    ("rrelu_list", lambda T: F(T).rrelu([1.0])),
    ("rrelu_leaf_inplace", lambda T: F(T).rrelu(T.ones(2, requires_grad=True), inplace=True)),
    ("hardshrink_int", lambda T: F(T).hardshrink(_i(T, 1, 2))),
    ("hardshrink_str", lambda T: F(T).hardshrink(T.ones(2), "1")),
    ("hardshrink_overflow", lambda T: F(T).hardshrink(T.ones(2), 1e39)),
    ("softshrink_int", lambda T: F(T).softshrink(_i(T, 1, 2))),
    ("softshrink_negative", lambda T: F(T).softshrink(T.ones(2), -1)),
    ("softshrink_negative_double", lambda T: F(T).softshrink(T.ones(2, dtype=T.float64), -0.5)),
    ("softshrink_big", lambda T: F(T).softshrink(T.ones(2), 1e39)),
    ("softshrink_nan", lambda T: F(T).softshrink(T.ones(2), NAN)),
    ("softshrink_str", lambda T: F(T).softshrink(T.ones(2), "1")),
    ("gumbel_int", lambda T: F(T).gumbel_softmax(_i(T, 1, 2))),
    ("gumbel_list", lambda T: F(T).gumbel_softmax([1.0, 2.0])),
    ("softmax2d_2d", lambda T: T.nn.Softmax2d()(T.ones(3, 4))),
    ("softmax2d_5d", lambda T: T.nn.Softmax2d()(T.ones(1, 2, 3, 4, 5))),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn):
    want = ORACLE.answer(f"error/{name}", lambda torch: error_of(lambda: fn(torch)))
    assert want is not None
    assert error_of(lambda: fn(numtorch)) == want


def test_hardsigmoid_refuses_double_backward_as_pytorch():
    x = data("hardsigmoid_gg", (5,), np.float64, 2)

    def run(T):
        t = T.tensor(x, requires_grad=True)
        g, = T.autograd.grad(F(T).hardsigmoid(t).sum(), t, create_graph=True)
        return {"g": g, "requires_grad": g.requires_grad, "name": g.grad_fn.name(),
                "error": error_of(lambda: T.autograd.grad(g.sum(), t))}
    want = ORACLE.answer("hardsigmoid_double_backward", run)
    got = run(numtorch)
    assert want["error"] is not None and got["error"] == want["error"]
    assert got["name"] == want["name"] and got["requires_grad"] is want["requires_grad"] is True
    np.testing.assert_array_equal(got["g"].detach().numpy(), want["g"].numpy())
    with pytest.raises(RuntimeError, match="hardsigmoid_backward is not implemented"):
        numtorch.autograd.gradgradcheck(numtorch.nn.functional.hardsigmoid,
                                        (numtorch.tensor(x, requires_grad=True),))


# -- second derivatives -------------------------------------------------------------------------

# (id, fn(T, *tensors), inputs(key) -> [(float64 array, requires_grad)], first-order grad_fn
# names comparable with PyTorch's: the piecewise-linear ops record PyTorch's double-backward node)
SECOND = [
    ("mish", lambda T, a: F(T).mish(a), lambda k: [(data(k, (3, 4), np.float64, 2), True)], False),
    ("hardswish", lambda T, a: F(T).hardswish(a),
     lambda k: [(data(k, (3, 4), np.float64, 2, (-3.5, 3.5)), True)], False),
    # (not at x == 0 exactly: there PyTorch's separate double-backward formula takes the mixed
    # second derivatives from the right (0), numtorch's one formula from the left)
    ("prelu", lambda T, a, w: F(T).prelu(a, w),
     lambda k: [(data(k, (2, 3, 2), np.float64, 1), True),
                (positive(k, (3,), np.float64), True)], False),
    ("glu", lambda T, a: F(T).glu(a, 0), lambda k: [(data(k, (4, 3), np.float64), True)], False),
    ("threshold", lambda T, a: F(T).threshold(a, 0.1, 2.0),
     lambda k: [(data(k, (3, 4), np.float64), True)], True),
    ("threshold_inplace", lambda T, a: F(T).threshold(a * 1, 0.1, 2.0, True),
     lambda k: [(data(k, (3, 4), np.float64), True)], True),
    ("hardshrink", lambda T, a: F(T).hardshrink(a), lambda k: [(data(k, (3, 4), np.float64), True)],
     True),
    ("softshrink", lambda T, a: F(T).softshrink(a), lambda k: [(data(k, (3, 4), np.float64), True)],
     True),
    ("rrelu_eval", lambda T, a: F(T).rrelu(a), lambda k: [(data(k, (3, 4), np.float64), True)],
     True),
    ("rrelu_train", seeded(lambda T, a: F(T).rrelu(a, training=True)),
     lambda k: [(data(k, (3, 4), np.float64), True)], True),
    ("gumbel_softmax", seeded(lambda T, a: F(T).gumbel_softmax(a, tau=0.5)),
     lambda k: [(data(k, (3, 4), np.float64), True)], False),
]


def _second(T, fn, inputs, key):
    """First and second derivatives (also with respect to the output gradient ``v``)."""
    rng = rng_for(key + "/weights")
    ts = [T.tensor(a, requires_grad=g) for a, g in inputs]
    y = fn(T, *ts)
    v = T.tensor(rng.standard_normal(tuple(y.shape)), requires_grad=True)
    wrt = [t for t in ts if t.requires_grad]
    g1 = T.autograd.grad(y, wrt, v, create_graph=True)
    s = sum((g * T.tensor(rng.standard_normal(tuple(g.shape)))).sum() for g in g1)
    g2 = T.autograd.grad(s, wrt + [v], allow_unused=True)
    return {"g1": list(g1), "names": [g.grad_fn.name() for g in g1], "g2": list(g2)}


@pytest.mark.parametrize("case", SECOND, ids=[c[0] for c in SECOND])
def test_second_derivatives_match_pytorch(case):
    name, fn, make, names = case
    key = f"second/{name}"
    inputs = make(key)
    want = ORACLE.answer(key, lambda torch: _second(torch, fn, inputs, key))
    got = _second(numtorch, fn, inputs, key)
    for part in ("g1", "g2"):
        for i, (a, b) in enumerate(zip(got[part], want[part])):
            assert (a is None) == (b is None), f"{part}[{i}]"
            if b is not None:
                np.testing.assert_allclose(a.detach().numpy(), b.numpy(), rtol=1e-10, atol=1e-12,
                                           err_msg=f"{part}[{i}]")
    if names:
        assert got["names"] == want["names"]


# -- numeric gradient checks (float64; no torch) ------------------------------------------------

def _away(a, kinks, margin=0.05):
    a = np.array(a, np.float64)
    for k in kinks:
        near = np.abs(a - k) < margin
        a[near] = k + np.where(a[near] >= k, 2 * margin, -2 * margin)
    return a


def _seeded_nt(fn, seed=3):
    def run(*a):
        numtorch.manual_seed(seed)
        return fn(*a)
    return run


NF = numtorch.nn.functional
GRADCHECK = [
    ("mish", NF.mish, [(3, 4)], ()),
    ("mish_inplace", lambda a: NF.mish(a * 1, inplace=True), [(3, 4)], ()),
    ("hardswish", NF.hardswish, [(3, 4)], (-3.0, 3.0)),
    ("hardswish_inplace", lambda a: NF.hardswish(a * 1, True), [(3, 4)], (-3.0, 3.0)),
    ("prelu_one", NF.prelu, [(2, 3, 2), "w1"], (0.0,)),
    ("prelu_channels", NF.prelu, [(2, 3, 2, 2), "w3"], (0.0,)),
    ("prelu_1d", NF.prelu, [(5,), "w1"], (0.0,)),
    ("glu", lambda a: NF.glu(a), [(3, 4)], ()),
    ("glu_dim1", lambda a: NF.glu(a, 1), [(2, 4, 3)], ()),
    ("threshold", lambda a: NF.threshold(a, 0.1, -2.0), [(3, 4)], (0.1,)),
    ("threshold_inplace", lambda a: NF.threshold(a * 1, 0.1, -2.0, True), [(3, 4)], (0.1,)),
    ("hardshrink", lambda a: NF.hardshrink(a, 0.4), [(3, 4)], (-0.4, 0.4)),
    ("softshrink", lambda a: NF.softshrink(a, 0.4), [(3, 4)], (-0.4, 0.4)),
    ("rrelu_eval", lambda a: NF.rrelu(a, 0.1, 0.3), [(3, 4)], (0.0,)),
    ("rrelu_eval_inplace", lambda a: NF.rrelu(a * 1, inplace=True), [(3, 4)], (0.0,)),
    ("rrelu_train", _seeded_nt(lambda a: NF.rrelu(a, training=True)), [(3, 4)], (0.0,)),
    ("rrelu_train_inplace", _seeded_nt(lambda a: NF.rrelu(a * 1, training=True, inplace=True)),
     [(3, 4)], (0.0,)),
    ("gumbel_softmax", _seeded_nt(lambda a: NF.gumbel_softmax(a, tau=0.8)), [(3, 4)], ()),
    ("gumbel_softmax_dim0", _seeded_nt(lambda a: NF.gumbel_softmax(a, dim=0)), [(3, 4)], ()),
]


@pytest.mark.parametrize("case", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck_and_gradgradcheck(case):
    name, fn, shapes, kinks = case
    rng = rng_for(f"gradcheck/{name}")
    inputs = []
    for s in shapes:
        if isinstance(s, str):                 # a prelu weight: "w<number of parameters>"
            inputs.append(numtorch.tensor(rng.uniform(0.1, 0.5, int(s[1:])), requires_grad=True))
        else:
            a = _away(rng.standard_normal(s) * 2, kinks)
            inputs.append(numtorch.tensor(a, requires_grad=True))
    inputs = tuple(inputs)
    assert numtorch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
    assert numtorch.autograd.gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


def test_hardsigmoid_gradcheck():
    x = numtorch.tensor(_away(rng_for("hsig_gc").uniform(-4, 4, (3, 4)), (-3.0, 3.0)),
                        requires_grad=True)
    assert numtorch.autograd.gradcheck(NF.hardsigmoid, (x,), eps=1e-6, atol=1e-5, rtol=1e-3)


# -- in-place semantics -------------------------------------------------------------------------

INPLACE = [
    ("mish", lambda T, a: F(T).mish(a, inplace=True)),
    ("hardswish", lambda T, a: F(T).hardswish(a, inplace=True)),
    ("hardsigmoid", lambda T, a: F(T).hardsigmoid(a, inplace=True)),
    ("threshold", lambda T, a: F(T).threshold(a, 0.0, 1.0, inplace=True)),
    ("threshold_", lambda T, a: F(T).threshold_(a, 0.0, 1.0)),
    ("torch.threshold_", lambda T, a: T.threshold_(a, 0.0, 1.0)),
    ("rrelu", lambda T, a: F(T).rrelu(a, inplace=True)),
    ("rrelu_", lambda T, a: F(T).rrelu_(a)),
    ("torch.rrelu_", lambda T, a: T.rrelu_(a)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_writes_its_input(name, fn):
    x = data(f"inplace/{name}", (2, 3), np.float32)

    def run(T):
        a = T.tensor(x)
        before = a._version
        out = fn(T, a)
        return {"same": out is a, "bumped": a._version > before, "a": a}
    want = ORACLE.answer(f"inplace/{name}", run)
    got = run(numtorch)
    assert got["same"] is want["same"] is True and got["bumped"] is want["bumped"] is True
    np.testing.assert_allclose(got["a"].numpy(), want["a"].numpy(), rtol=2e-6, atol=2e-6)


# -- modules ------------------------------------------------------------------------------------

MODULES = [
    ("Mish", (), {}, (3, 4)), ("Mish", (True,), {}, (3, 4)), ("Hardswish", (), {}, (3, 4)),
    ("Hardswish", (True,), {}, (3, 4)), ("Hardsigmoid", (), {}, (3, 4)),
    ("Hardsigmoid", (), {"inplace": True}, (3, 4)), ("PReLU", (), {}, (2, 3, 4)),
    ("PReLU", (3, 0.1), {}, (2, 3, 4)), ("PReLU", (), {"num_parameters": 4, "init": -0.5}, (4, 4)),
    ("GLU", (), {}, (3, 4)), ("GLU", (1,), {}, (2, 4, 3)), ("Threshold", (0.1, 20), {}, (3, 4)),
    ("Threshold", (0.1, 20.0, True), {}, (3, 4)), ("Threshold", (1, 2), {}, (3, 4)),
    ("RReLU", (), {}, (3, 4)), ("RReLU", (0.1, 0.3, True), {}, (3, 4)),
    ("RReLU", (1, 2), {}, (3, 4)), ("Hardshrink", (), {}, (3, 4)), ("Hardshrink", (1,), {}, (3, 4)),
    ("Softshrink", (), {}, (3, 4)),
    ("Softshrink", (2,), {}, (3, 4)), ("Softshrink", (), {"lambd": 0.25}, (3, 4)),
    ("Softmax2d", (), {}, (2, 3, 2, 2)), ("Softmax2d", (), {}, (3, 2, 2)),
    ("CosineSimilarity", (), {}, (4, 5)), ("CosineSimilarity", (0, 1e-6), {}, (4, 5)),
    ("PairwiseDistance", (), {}, (4, 5)), ("PairwiseDistance", (1, 1e-3, True), {}, (4, 5)),
    ("PairwiseDistance", (), {"p": 3.0}, (4, 5)),
]
MODULE_IDS = [f"{n}{a}{k}{s}" for n, a, k, s in MODULES]
ATTRS = ("inplace", "num_parameters", "init", "dim", "threshold", "value", "lower", "upper",
         "lambd", "eps", "norm", "keepdim", "training")
TWO_INPUTS = ("CosineSimilarity", "PairwiseDistance")


def _module_side(T, name, args, kw, arrays):
    m = getattr(T.nn, name)(*args, **kw)
    info = {"repr": repr(m), "attrs": {a: getattr(m, a) for a in ATTRS if hasattr(m, a)},
            "constants": list(getattr(type(m), "__constants__", [])),
            "state": sorted(m.state_dict()),
            "params": {n: p for n, p in m.named_parameters()}}
    ts = [T.tensor(a, requires_grad=True) for a in arrays]
    T.manual_seed(3)                                  # RReLU draws in training mode
    inplace = getattr(m, "inplace", False)
    out = m(*[t * 1 if inplace else t for t in ts])
    gout = rng_for(f"module_gout/{name}").standard_normal(tuple(out.shape)).astype(arrays[0].dtype)
    (out * T.tensor(gout)).sum().backward()
    info.update(out=out, grads=[t.grad for t in ts],
                param_grads={n: p.grad for n, p in m.named_parameters()})
    return info


@pytest.mark.parametrize("name,args,kw,shape", MODULES, ids=MODULE_IDS)
def test_module(name, args, kw, shape):
    key = f"module/{name}{args}{kw}{shape}"
    arrays = [data(key, shape, np.float32, 2, (0.0,))]
    if name in TWO_INPUTS:
        arrays.append(data(key + "/2", shape, np.float32, 2))
    want = ORACLE.answer(key, lambda torch: _module_side(torch, name, args, kw, arrays))
    got = _module_side(numtorch, name, args, kw, arrays)
    cls = getattr(A, name, None) or getattr(D, name)
    assert isinstance(getattr(numtorch.nn, name)(*args, **kw), cls)
    assert got["repr"] == want["repr"]
    assert got["attrs"] == want["attrs"]
    assert got["constants"] == want["constants"]
    assert got["state"] == want["state"]
    assert sorted(got["params"]) == sorted(want["params"])
    for n, p in want["params"].items():
        assert str(got["params"][n].dtype) == str(p.dtype)
        np.testing.assert_array_equal(got["params"][n].detach().numpy(), p.numpy())
    out, w_out = got["out"], want["out"]
    assert tuple(out.shape) == tuple(w_out.shape) and str(out.dtype) == str(w_out.dtype)
    assert out.grad_fn.name() == w_out.grad_fn.name()
    np.testing.assert_allclose(out.detach().numpy(), w_out.numpy(), rtol=2e-6, atol=2e-6)
    for g, w in zip(got["grads"], want["grads"]):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=2e-5, atol=2e-5)
    for n, w in want["param_grads"].items():
        np.testing.assert_allclose(got["param_grads"][n].numpy(), w.numpy(), rtol=2e-5, atol=2e-5)


def test_prelu_module_dtype_device_and_reset():
    def run(T):
        m = T.nn.PReLU(2, 0.5, device="cpu", dtype=T.float64)
        with T.no_grad():
            m.weight.fill_(3.0)
        m.reset_parameters()
        return {"weight": m.weight, "dtype": m.weight.dtype, "repr": repr(m),
                "y": m(T.tensor([[-1.0, -2.0]], dtype=T.float64))}
    want = ORACLE.answer("prelu_module_dtype", run)
    got = run(numtorch)
    assert str(got["dtype"]) == str(want["dtype"]) == "torch.float64"
    np.testing.assert_array_equal(got["weight"].detach().numpy(), want["weight"].numpy())
    np.testing.assert_array_equal(got["y"].detach().numpy(), want["y"].numpy())
    assert got["y"].grad_fn.name() == want["y"].grad_fn.name() and got["repr"] == want["repr"]


def test_prelu_trains():
    """A PReLU weight learns: one SGD step moves it by lr * dL/dw, as computed by hand."""
    m = numtorch.nn.PReLU(2)
    x = numtorch.tensor([[-1.0, 2.0], [-3.0, -4.0]])
    opt = numtorch.optim.SGD(m.parameters(), lr=0.1)
    m(x).sum().backward()                      # dL/dw_c = sum of the negative inputs of channel c
    np.testing.assert_allclose(m.weight.grad.numpy(), [-4.0, -4.0])
    opt.step()
    np.testing.assert_allclose(m.weight.detach().numpy(), [0.65, 0.65])


SIGNATURES = [("functional", n) for n in ("mish", "hardswish", "hardsigmoid", "threshold", "rrelu",
                                          "glu", "gumbel_softmax")] + \
             [("module", n) for n in ("Mish", "Hardswish", "Hardsigmoid", "PReLU", "GLU",
                                      "Threshold", "RReLU", "Hardshrink", "Softshrink",
                                      "CosineSimilarity", "PairwiseDistance")]


def _signature(T, kind, name):
    fn = getattr(F(T), name) if kind == "functional" else getattr(T.nn, name).__init__
    return [[p.name, repr(p.default) if p.default is not inspect.Parameter.empty else None]
            for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("kind,name", SIGNATURES, ids=[f"{k}.{n}" for k, n in SIGNATURES])
def test_signatures(kind, name):
    """Parameter names and defaults as PyTorch's (keyword calls port unchanged)."""
    want = ORACLE.answer(f"signature/{kind}/{name}", lambda torch: _signature(torch, kind, name))
    assert _signature(numtorch, kind, name) == want


def test_exports():
    nn = numtorch.nn
    for name in ("Mish", "Hardswish", "Hardsigmoid", "PReLU", "GLU", "Threshold", "RReLU",
                 "Hardshrink", "Softshrink", "Softmax2d"):
        assert getattr(nn, name) is getattr(A, name) and name in A.__all__
    for name in ("CosineSimilarity", "PairwiseDistance"):
        assert getattr(nn, name) is getattr(D, name) and name in nn.modules.__all__
    names = ("mish", "hardswish", "hardsigmoid", "prelu", "glu", "threshold", "threshold_", "rrelu",
             "rrelu_", "hardshrink", "softshrink", "gumbel_softmax")
    want = ORACLE.answer("exports", lambda torch: {
        "F": [n for n in names if hasattr(torch.nn.functional, n)],
        "torch": [n for n in names if hasattr(torch, n)],
        "Tensor": [n for n in names if hasattr(torch.Tensor, n)]})
    assert [n for n in names if hasattr(numtorch.nn.functional, n)] == want["F"] == list(names)
    assert [n for n in names if hasattr(numtorch, n)] == want["torch"]
    assert [n for n in names if hasattr(numtorch.Tensor, n)] == want["Tensor"]
    for n in names:
        assert n in numtorch.nn.functional.__all__


NAN_CASES = [
    ("mish", lambda T, a: F(T).mish(a)), ("hardswish", lambda T, a: F(T).hardswish(a)),
    ("hardsigmoid", lambda T, a: F(T).hardsigmoid(a)), ("prelu", lambda T, a: F(T).prelu(
        a, T.tensor([0.2], dtype=a.dtype))), ("glu", lambda T, a: F(T).glu(a)),
    ("threshold", lambda T, a: F(T).threshold(a, 0.1, 2.0)), ("rrelu", lambda T, a: F(T).rrelu(a)),
    ("rrelu_train", seeded(lambda T, a: F(T).rrelu(a, training=True))),
    ("hardshrink", lambda T, a: F(T).hardshrink(a)),
    ("softshrink", lambda T, a: F(T).softshrink(a)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name,fn", NAN_CASES, ids=[c[0] for c in NAN_CASES])
def test_nan_passes_through(name, fn, dtype):
    x = np.array([NAN, -NAN, 1.0, -1.0], dtype)
    want = ORACLE.answer(f"nan/{name}/{np.dtype(dtype).name}",
                         lambda torch: fn(torch, torch.tensor(x)))
    got = fn(numtorch, numtorch.tensor(x))
    np.testing.assert_array_equal(np.isnan(got.numpy()), np.isnan(want.numpy()))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=2e-6)
