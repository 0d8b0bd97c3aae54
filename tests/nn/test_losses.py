"""Loss functions and loss modules: torch parity (values, dtypes, grads, node names), float64
gradcheck, stability at logits of +-100, PyTorch's error texts.

PyTorch's answers are recorded in ``tests/data/oracle/nn_losses.{json,npz}`` (see
``tests/_oracle.py``); regenerate with ``python tests/data/regen_oracle.py
tests/nn/test_losses.py`` where torch 2.13 is installed.
"""
import warnings

import numpy as np
import pytest

import numtorch
import numtorch.nn.functional as F
from nn_parity_helpers import compare, gradcheck, error_of, rng_for, warning_texts
from _oracle import Oracle

ORACLE = Oracle("nn_losses")
REDUCTIONS = ["none", "mean", "sum"]
DTYPES = [np.float32, np.float64]


def randn(rng, *shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def rand(rng, *shape, dtype=np.float32, lo=0.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(dtype)


def TF(torch):
    return torch.nn.functional


def _errors_match(key, errors):
    """``errors(T)`` is a list of ``error_of`` results: PyTorch's (recorded) must all be errors
    and numtorch's must equal them."""
    want = ORACLE.answer(key, errors)
    assert all(w is not None for w in want), want
    assert errors(numtorch) == want


# -- regression losses --------------------------------------------------------------------------

REGRESSION = [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
              ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}), ("huber_loss", {"delta": 0.5})]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", REGRESSION)
def test_regression_parity(name, kw, reduction, dtype):
    key = f"regression/{name}/{kw}/{reduction}/{dtype.__name__}"
    rng = rng_for(key)
    x, y = randn(rng, 4, 5, dtype=dtype), randn(rng, 4, 5, dtype=dtype)
    compare(lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw),
            lambda torch, a, b: getattr(TF(torch), name)(a, b, reduction=reduction, **kw), [x, y],
            [True, True], oracle=ORACLE, key=key)


@pytest.mark.parametrize("name,kw", REGRESSION)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_gradcheck(name, kw, reduction):
    rng = rng_for(f"regression_gradcheck/{name}/{kw}/{reduction}")
    x, y = randn(rng, 3, 4, dtype=np.float64), randn(rng, 3, 4, dtype=np.float64)
    gradcheck(lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw), [x, y], [True, True])


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_broadcast_warns(name):
    key = f"regression_broadcast/{name}"
    rng = rng_for(key)
    x, y = randn(rng, 4, 5), randn(rng, 5)
    want = ORACLE.answer(key + "/warning", lambda torch: warning_texts(
        lambda: getattr(TF(torch), name)(torch.tensor(x), torch.tensor(y))))
    with pytest.warns(UserWarning) as rec:
        getattr(F, name)(numtorch.tensor(x), numtorch.tensor(y))
    assert want and str(rec[0].message) == want[0]
    assert str(rec[0].message) == (
        "Using a target size (torch.Size([5])) that is different to the input size (torch.Size([4, 5])). "
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
        "same size.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda a, b: getattr(F, name)(a, b), lambda torch, a, b: getattr(TF(torch), name)(a, b),
                [x, y], [True, True], oracle=ORACLE, key=key)


def test_mse_shape_mismatch_error_and_dtypes():
    rng = rng_for("mse_shape_mismatch")
    x, y = randn(rng, 4, 5), randn(rng, 3)

    def errors(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [error_of(lambda: T.nn.functional.mse_loss(T.tensor(x), T.tensor(y)))]
    _errors_match("mse_shape_mismatch", errors)
    # dtype promotion: float32 input, float64 target -> float64
    xt = numtorch.tensor(x)
    assert F.mse_loss(xt, numtorch.tensor(randn(rng, 4, 5, dtype=np.float64))).dtype == numtorch.float64
    assert F.mse_loss(xt, numtorch.ones(4, 5, dtype=numtorch.int64)).dtype == numtorch.float32


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression(name, reduction):
    key = f"weighted_regression/{name}/{reduction}"
    rng = rng_for(key)
    x, y, w = randn(rng, 4, 5), randn(rng, 4, 5), rand(rng, 4, 5)
    compare(lambda a, b, c: getattr(F, name)(a, b, weight=c, reduction=reduction),
            lambda torch, a, b, c: getattr(TF(torch), name)(a, b, weight=c, reduction=reduction),
            [x, y, w], [True, True, False], oracle=ORACLE, key=key)
    assert error_of(lambda: getattr(F, name)(numtorch.tensor(x), numtorch.tensor(y),
                                             weight=numtorch.tensor(w[0]))) == \
        ["ValueError", "Weights and input must have the same size."]


def test_mse_bad_reduction():
    rng = rng_for("mse_bad_reduction")
    x, y = randn(rng, 4, 5), randn(rng, 4, 5)
    assert error_of(lambda: F.mse_loss(numtorch.tensor(x), numtorch.tensor(y), reduction="foo")) == \
        ["ValueError", "foo is not a valid value for reduction"]


def test_regression_errors():
    rng = rng_for("regression_errors")
    a, b = randn(rng, 3), randn(rng, 3)
    _errors_match("regression_errors", lambda T: [
        error_of(lambda: T.nn.functional.huber_loss(T.tensor(a), T.tensor(b), delta=0)),
        error_of(lambda: T.nn.functional.smooth_l1_loss(T.tensor(a), T.tensor(b), beta=-1))])


# -- binary cross entropy -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_parity(reduction, dtype, weighted):
    key = f"bce/{reduction}/{dtype.__name__}/{weighted}"
    rng = rng_for(key)
    x, y = rand(rng, 4, 5, dtype=dtype, lo=0.02, hi=0.98), rand(rng, 4, 5, dtype=dtype)
    w = rand(rng, 5, dtype=dtype) if weighted else None
    compare(lambda a, b, c: F.binary_cross_entropy(a, b, weight=c, reduction=reduction),
            lambda torch, a, b, c: TF(torch).binary_cross_entropy(a, b, weight=c, reduction=reduction),
            [x, y, w], [True, True, False], rtol=2e-6, oracle=ORACLE, key=key)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_gradcheck(reduction):
    rng = rng_for(f"bce_gradcheck/{reduction}")
    x, y, w = rand(rng, 3, 4, lo=0.1, hi=0.9), rand(rng, 3, 4), rand(rng, 4)
    gradcheck(lambda a, b, c: F.binary_cross_entropy(a, b, c, reduction=reduction), [x, y, w],
              [True, True, False])


def test_bce_saturated_inputs_are_finite():
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-30], np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0], np.float32)
    compare(lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
            lambda torch, a, b: TF(torch).binary_cross_entropy(a, b, reduction="none"), [x, y],
            [True, False], oracle=ORACLE, key="bce_saturated")
    out = F.binary_cross_entropy(numtorch.tensor(x, requires_grad=True), numtorch.tensor(y))
    assert np.isfinite(out.item())


def test_bce_errors():
    p = rand(rng_for("bce_errors"), 4, 5)
    _errors_match("bce_errors", lambda T: [
        error_of(lambda: T.nn.functional.binary_cross_entropy(T.tensor(x), T.tensor(y)))
        for x, y in [(p, p + 1), (p + 1, p), (p, p[0]), (p - 2, p - 2), (p, p.astype(np.float64))]])
    assert error_of(lambda: F.binary_cross_entropy(numtorch.tensor(p), numtorch.tensor(p + 1))) == \
        ["RuntimeError", "all elements of target should be between 0 and 1"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted,pos", [(False, False), (True, False), (False, True), (True, True)])
def test_bce_with_logits_parity(reduction, dtype, weighted, pos):
    key = f"bce_logits/{reduction}/{dtype.__name__}/{weighted}/{pos}"
    rng = rng_for(key)
    x, y = randn(rng, 4, 5, dtype=dtype) * 3, rand(rng, 4, 5, dtype=dtype)
    w = rand(rng, 5, dtype=dtype) if weighted else None
    pw = rand(rng, 5, dtype=dtype, hi=3) if pos else None
    compare(lambda a, b, c, d: F.binary_cross_entropy_with_logits(a, b, c, reduction=reduction, pos_weight=d),
            lambda torch, a, b, c, d: TF(torch).binary_cross_entropy_with_logits(
                a, b, c, reduction=reduction, pos_weight=d),
            [x, y, w, pw], [True, True, False, False], rtol=2e-6, oracle=ORACLE, key=key)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_gradcheck(reduction):
    rng = rng_for(f"bce_logits_gradcheck/{reduction}")
    x, y, w, pw = randn(rng, 3, 4) * 3, rand(rng, 3, 4), rand(rng, 4), rand(rng, 4, hi=3)
    gradcheck(lambda a, b, c, d: F.binary_cross_entropy_with_logits(a, b, c, reduction=reduction,
                                                                     pos_weight=d),
              [x, y, w, pw], [True, True, False, False])


@pytest.mark.parametrize("fn", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_bce_weight_requiring_grad_is_refused(fn):
    key = f"bce_weight_requires_grad/{fn}"
    rng = rng_for(key)
    x, w = rand(rng, 3), rand(rng, 3)
    _errors_match(key, lambda T: [error_of(lambda: getattr(T.nn.functional, fn)(
        T.tensor(x), T.tensor(x), T.tensor(w, requires_grad=True)))])


def test_bce_with_logits_stable_at_100():
    x = np.array([100.0, -100.0, 100.0, -100.0, 0.0], np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.5], np.float32)
    pw = np.array([2.0], np.float32)
    for i, p in enumerate((None, pw)):
        out = compare(lambda a, b, c: F.binary_cross_entropy_with_logits(a, b, pos_weight=c, reduction="none"),
                      lambda torch, a, b, c: TF(torch).binary_cross_entropy_with_logits(
                          a, b, pos_weight=c, reduction="none"),
                      [x, y, p], [True, False, False], oracle=ORACLE, key=f"bce_logits_at_100/{i}")
        assert np.isfinite(out.detach().numpy()).all()


def test_bce_with_logits_errors_and_dtype():
    rng = rng_for("bce_logits_errors")
    x, y = randn(rng, 4, 5), rand(rng, 4, 5)
    _errors_match("bce_logits_errors", lambda T: [error_of(
        lambda: T.nn.functional.binary_cross_entropy_with_logits(T.tensor(x), T.tensor(y[0])))])
    out = F.binary_cross_entropy_with_logits(numtorch.tensor(x), numtorch.tensor(y.astype(np.float64)))
    assert out.dtype == numtorch.float64


# -- cross entropy / nll ------------------------------------------------------------------------

CE_OPTIONS = [{}, {"weight": True}, {"ignore_index": 1}, {"ignore_index": -100, "ignored": True},
              {"label_smoothing": 0.1}, {"label_smoothing": 0.2, "weight": True},
              {"label_smoothing": 0.1, "weight": True, "ignored": True}]


def _ce_case(rng, shape, opts, dtype):
    x = randn(rng, *shape, dtype=dtype) * 2
    c = shape[1] if len(shape) > 1 else shape[0]
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    t = rng.integers(0, c, tshape)
    kw = {k: v for k, v in opts.items() if k not in ("weight", "ignored")}
    if opts.get("ignored") and t.ndim:
        t.reshape(-1)[::3] = -100
    w = rand(rng, c, dtype=dtype) + 0.1 if opts.get("weight") else None
    return x, t, w, kw


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", CE_OPTIONS)
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2, 3), (5,)])
def test_cross_entropy_indices_parity(shape, opts, reduction, dtype):
    key = f"ce_indices/{shape}/{opts}/{reduction}/{dtype.__name__}"
    x, t, w, kw = _ce_case(rng_for(key), shape, opts, dtype)
    compare(lambda a, b, c: F.cross_entropy(a, b, weight=c, reduction=reduction, **kw),
            lambda torch, a, b, c: TF(torch).cross_entropy(a, b, weight=c, reduction=reduction, **kw),
            [x, t, w], [True, False, False], rtol=2e-6, oracle=ORACLE, key=key)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", CE_OPTIONS)
def test_cross_entropy_indices_gradcheck(opts, reduction):
    x, t, w, kw = _ce_case(rng_for(f"ce_indices_gradcheck/{opts}/{reduction}"), (4, 3, 2), opts,
                           np.float64)
    gradcheck(lambda a, b, c: F.cross_entropy(a, b, weight=c, reduction=reduction, **kw), [x, t, w],
              [True, False, False])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"weight": True}, {"label_smoothing": 0.15},
                                  {"label_smoothing": 0.1, "weight": True}])
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2), (5,)])
def test_cross_entropy_probs_parity(shape, opts, reduction, dtype):
    key = f"ce_probs/{shape}/{opts}/{reduction}/{dtype.__name__}"
    rng = rng_for(key)
    x = randn(rng, *shape, dtype=dtype) * 2
    q = rand(rng, *shape, dtype=dtype)
    q /= q.sum(axis=1 if len(shape) > 1 else 0, keepdims=True)
    c = shape[1] if len(shape) > 1 else shape[0]
    w = rand(rng, c, dtype=dtype) + 0.1 if opts.get("weight") else None
    kw = {k: v for k, v in opts.items() if k != "weight"}
    compare(lambda a, b, cc: F.cross_entropy(a, b, weight=cc, reduction=reduction, **kw),
            lambda torch, a, b, cc: TF(torch).cross_entropy(a, b, weight=cc, reduction=reduction, **kw),
            [x, q, w], [True, True, False], rtol=2e-6, oracle=ORACLE, key=key)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probs_gradcheck(reduction):
    rng = rng_for(f"ce_probs_gradcheck/{reduction}")
    x, q, w = randn(rng, 3, 4, 2), rand(rng, 3, 4, 2), rand(rng, 4)
    gradcheck(lambda a, b, c: F.cross_entropy(a, b, weight=c, reduction=reduction, label_smoothing=0.1),
              [x, q, w], [True, True, False])


def test_cross_entropy_stable_at_100():
    x = np.array([[100.0, -100.0, 0.0], [-100.0, 100.0, -100.0], [-100.0, -100.0, 100.0]], np.float32)
    t = np.array([1, 1, 0])
    for i, kw in enumerate(({}, {"label_smoothing": 0.1})):
        out = compare(lambda a, b: F.cross_entropy(a, b, reduction="none", **kw),
                      lambda torch, a, b: TF(torch).cross_entropy(a, b, reduction="none", **kw), [x, t],
                      [True, False], oracle=ORACLE, key=f"ce_at_100/{i}")
        assert np.isfinite(out.detach().numpy()).all()
    q = np.eye(3, dtype=np.float32)[[1, 1, 0]]
    out = compare(lambda a, b: F.cross_entropy(a, b), lambda torch, a, b: TF(torch).cross_entropy(a, b),
                  [x, q], [True, False], oracle=ORACLE, key="ce_at_100/probs")
    assert np.isfinite(out.item())
    xt = numtorch.tensor(x, requires_grad=True)
    F.cross_entropy(xt, numtorch.tensor(t)).backward()
    assert np.isfinite(xt.grad.numpy()).all()


def test_cross_entropy_grad_fn_is_one_node():
    x = numtorch.tensor(randn(rng_for("ce_one_node"), 4, 5), requires_grad=True)
    loss = F.cross_entropy(x, numtorch.tensor([0, 1, 2, 3]))
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert loss.grad_fn.next_functions[0][0].variable is x


def test_cross_entropy_all_ignored_is_nan_like_torch():
    x = randn(rng_for("ce_all_ignored"), 3, 4)
    t = np.full(3, -100)
    out = compare(lambda a, b: F.cross_entropy(a, b), lambda torch, a, b: TF(torch).cross_entropy(a, b),
                  [x, t], [True, False], oracle=ORACLE, key="ce_all_ignored")
    assert np.isnan(out.item())


CE_ERRORS = [
    ("float 1-D target", (4, 5), np.array([0.0, 1.0, 2.0, 3.0], np.float32)),
    ("2-D long target", (4, 5), np.array([[0, 1], [2, 3]])),
    ("int32 target", (4, 5), np.array([0, 1, 2, 3], np.int32)),
    ("float 2-D target of other shape", (4, 5), np.zeros((4, 6), np.float32)),
    ("long probability target", (4, 5), np.zeros((4, 5), np.int64)),
    ("target out of bounds", (4, 5), np.array([0, 1, 2, 7])),
    ("negative target", (4, 5), np.array([0, 1, 2, -1])),
    ("batch mismatch", (4, 5), np.array([0, 1, 2])),
    ("spatial mismatch", (2, 5, 3), np.zeros((2, 4), np.int64)),
    ("spatial float target", (2, 5, 3), np.zeros((2, 3), np.float32)),
    ("3-D float target", (4, 5), np.zeros((4, 5, 2), np.float32)),
]


@pytest.mark.parametrize("what,shape,target", CE_ERRORS, ids=[c[0] for c in CE_ERRORS])
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_cross_entropy_errors_match_torch(what, shape, target, fn):
    key = f"ce_errors/{fn}/{what}"
    x = randn(rng_for(key), *shape)
    _errors_match(key, lambda T: [error_of(lambda: getattr(T.nn.functional, fn)(T.tensor(x),
                                                                                T.tensor(target)))])


def test_cross_entropy_error_texts():
    x = numtorch.tensor(randn(rng_for("ce_error_texts"), 4, 5))
    assert error_of(lambda: F.cross_entropy(x, numtorch.tensor([0.0, 1.0, 2.0, 3.0]))) == \
        ["RuntimeError", "expected target dtype to be Long or Byte, but got Float"]
    assert error_of(lambda: F.cross_entropy(x, numtorch.zeros(4, 6))) == \
        ["RuntimeError", "0D or 1D target tensor expected, multi-target not supported"]
    assert error_of(lambda: F.cross_entropy(x, numtorch.tensor([0, 1]))) == \
        ["ValueError", "Expected input batch_size (4) to match target batch_size (2)."]


def test_cross_entropy_option_errors():
    x, t = randn(rng_for("ce_option_errors"), 4, 5), np.array([0, 1, 2, 3])
    _errors_match("ce_option_errors", lambda T: [
        error_of(lambda: T.nn.functional.cross_entropy(T.tensor(x), T.tensor(t), **kw))
        for kw in ({"weight": T.ones(3)}, {"label_smoothing": 1.5}, {"reduction": "foo"})])


def test_cross_entropy_byte_target():
    x, t = randn(rng_for("ce_byte_target"), 4, 5), np.array([0, 1, 2, 3], np.uint8)
    compare(lambda a, b: F.cross_entropy(a, b), lambda torch, a, b: TF(torch).cross_entropy(a, b), [x, t],
            [True, False], oracle=ORACLE, key="ce_byte_target")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"weight": True}, {"ignore_index": 2}, {"ignored": True, "weight": True}])
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2, 3), (5,)])
def test_nll_loss_parity(shape, opts, reduction, dtype):
    key = f"nll/{shape}/{opts}/{reduction}/{dtype.__name__}"
    x, t, w, kw = _ce_case(rng_for(key), shape, opts, dtype)
    compare(lambda a, b, c: F.nll_loss(a, b, weight=c, reduction=reduction, **kw),
            lambda torch, a, b, c: TF(torch).nll_loss(a, b, weight=c, reduction=reduction, **kw),
            [x, t, w], [True, False, False], oracle=ORACLE, key=key)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_gradcheck(reduction):
    x, t, w, kw = _ce_case(rng_for(f"nll_gradcheck/{reduction}"), (4, 3), {"weight": True, "ignored": True},
                           np.float64)
    gradcheck(lambda a, b, c: F.nll_loss(a, b, weight=c, reduction=reduction), [x, t, w], [True, False, False])


def test_nll_of_log_softmax_equals_cross_entropy():
    x = numtorch.tensor(randn(rng_for("nll_of_log_softmax"), 5, 4))
    t = numtorch.tensor([0, 3, 1, 2, 2])
    a = F.nll_loss(F.log_softmax(x, dim=1), t)
    b = F.cross_entropy(x, t)
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-6)


# -- kl_div -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_parity(reduction, log_target, dtype):
    key = f"kl_div/{reduction}/{log_target}/{dtype.__name__}"
    rng = rng_for(key)
    x = np.log(rand(rng, 4, 5, dtype=dtype, lo=0.05))
    y = rand(rng, 4, 5, dtype=dtype, lo=0.05)
    if log_target:
        y = np.log(y)
    else:
        y[0, 0] = 0.0                         # 0 * log 0 counts as 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                lambda torch, a, b: TF(torch).kl_div(a, b, reduction=reduction, log_target=log_target),
                [x, y], [True, log_target], rtol=2e-6, oracle=ORACLE, key=key)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_gradcheck(reduction, log_target):
    rng = rng_for(f"kl_div_gradcheck/{reduction}/{log_target}")
    x = randn(rng, 3, 4)
    y = randn(rng, 3, 4) if log_target else rand(rng, 3, 4, lo=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target), [x, y],
                  [True, True])


def test_kl_div_mean_warns_like_torch():
    rng = rng_for("kl_div_mean_warns")
    x, y = randn(rng, 2, 3), rand(rng, 2, 3)
    want = ORACLE.answer("kl_div_mean_warns", lambda torch: warning_texts(
        lambda: TF(torch).kl_div(torch.tensor(x), torch.tensor(y))))
    with pytest.warns(UserWarning) as rec:
        F.kl_div(numtorch.tensor(x), numtorch.tensor(y))
    assert want and str(rec[0].message) == want[0]


# -- legacy size_average / reduce ---------------------------------------------------------------

@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, True), (False, True)])
def test_legacy_reduction_args(size_average, reduce):
    key = f"legacy/{size_average}/{reduce}"
    rng = rng_for(key)
    x, y = randn(rng, 3, 4), randn(rng, 3, 4)

    def torch_side(torch):
        out = []
        texts = warning_texts(lambda: out.append(TF(torch).mse_loss(
            torch.tensor(x), torch.tensor(y), size_average=size_average, reduce=reduce)))
        return {"warnings": texts, "out": out[0]}
    want = ORACLE.answer(key, torch_side)
    with pytest.warns(UserWarning) as rec:
        a = F.mse_loss(numtorch.tensor(x), numtorch.tensor(y), size_average=size_average, reduce=reduce)
    assert want["warnings"] and str(rec[0].message) == want["warnings"][0]
    assert tuple(a.shape) == want["out"].shape
    np.testing.assert_allclose(a.numpy(), want["out"].numpy(), rtol=1e-6)
