"""The losses beyond tests/nn/test_losses.py: poisson_nll, gaussian_nll, cosine_embedding,
margin_ranking, hinge_embedding, soft_margin, multilabel_soft_margin, multilabel_margin,
multi_margin, triplet_margin, triplet_margin_with_distance and ctc, functional and modules
(with PairwiseDistance and CosineSimilarity).

Torch parity (values, dtypes, shapes, grad_fn names, the gradients of every input) for every
reduction in float32 and float64; the legacy size_average/reduce arguments; PyTorch's errors and
odd shapes; signatures, module options and reprs; float64 gradcheck and gradgradcheck; second
derivatives against PyTorch's (and its refusal where it defines none).

PyTorch's answers are recorded in ``tests/data/oracle/nn_losses_extra.{json,npz}`` (see
``tests/_oracle.py``); regenerate with ``python tests/data/regen_oracle.py
tests/nn/test_losses_extra.py`` where torch 2.13 is installed.
"""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import numtorch
from nn_parity_helpers import compare, error_of, rng_for, warning_texts
from _oracle import Oracle

ORACLE = Oracle("nn_losses_extra")
REDUCTIONS = ["none", "mean", "sum"]
DTYPES = [np.float32, np.float64]


def TF(T):
    return T.nn.functional


def N(rng, *shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def U(rng, lo, hi, *shape):
    return rng.uniform(lo, hi, shape)


def ints(*rows):
    return np.array(rows, np.int64)


PM1 = np.array([[1.0, -1.0, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, -1.0]])


class Case:
    """``fn(T, *tensors, reduction)`` on the arrays ``make(rng)`` (float arrays are cast to the
    test's dtype); ``grads[i]``: whether tensor i requires grad."""

    def __init__(self, id, fn, make, grads):
        self.id, self.fn, self.make, self.grads = id, fn, make, grads


def _poisson_edges(rng):
    t = U(rng, 1.5, 4.0, 3, 4)
    t[0] = [0.0, 1.0, 0.5, 1.0 + 1e-3]              # Stirling's term only above 1; nan grad at 0
    return [N(rng, 3, 4), t]


def _cos_zero_row(rng):
    a = N(rng, 4, 3)
    a[1] = 0.0                                      # a zero vector: cosine 0 (eps in the norms)
    return [a, N(rng, 4, 3), np.array([1.0, 1.0, -1.0, 0.0])]


CASES = [
    Case("poisson", lambda T, x, y, r: TF(T).poisson_nll_loss(x, y, reduction=r),
         lambda rng: [N(rng, 3, 4), U(rng, 0, 3, 3, 4)], [True, True]),
    Case("poisson_rate", lambda T, x, y, r: TF(T).poisson_nll_loss(x, y, log_input=False, reduction=r),
         lambda rng: [U(rng, 0.1, 3, 3, 4), U(rng, 0, 3, 3, 4)], [True, True]),
    Case("poisson_full_edges", lambda T, x, y, r: TF(T).poisson_nll_loss(x, y, full=True, reduction=r),
         _poisson_edges, [True, True]),
    Case("poisson_rate_full_eps", lambda T, x, y, r: TF(T).poisson_nll_loss(
        x, y, log_input=False, full=True, eps=0.1, reduction=r),
         lambda rng: [np.vstack([np.zeros((1, 4)), U(rng, 0.1, 3, 2, 4)]), U(rng, 0, 4, 3, 4)],
         [True, False]),
    Case("poisson_target_bcast", lambda T, x, y, r: TF(T).poisson_nll_loss(x, y, reduction=r),
         lambda rng: [N(rng, 3, 4), U(rng, 0, 3, 4)], [True, True]),
    Case("gaussian", lambda T, x, y, v, r: TF(T).gaussian_nll_loss(x, y, v, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), U(rng, 0.5, 2, 3, 4)], [True, True, True]),
    Case("gaussian_full", lambda T, x, y, v, r: TF(T).gaussian_nll_loss(x, y, v, full=True, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), U(rng, 0.5, 2, 3, 4)], [True, False, True]),
    Case("gaussian_var_per_row", lambda T, x, y, v, r: TF(T).gaussian_nll_loss(x, y, v, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), U(rng, 0.5, 2, 3)], [True, True, True]),
    Case("gaussian_var_col1", lambda T, x, y, v, r: TF(T).gaussian_nll_loss(x, y, v, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), U(rng, 0.5, 2, 3, 1)], [True, True, True]),
    Case("gaussian_var_row1", lambda T, x, y, v, r: TF(T).gaussian_nll_loss(x, y, v, reduction=r),
         lambda rng: [N(rng, 2, 3, 4), N(rng, 2, 3, 4), U(rng, 0.5, 2, 1, 3, 4)], [True, True, True]),
    Case("gaussian_var_float", lambda T, x, y, r: TF(T).gaussian_nll_loss(x, y, 0.7, full=True, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4)], [True, True]),
    Case("gaussian_var_clamped", lambda T, x, y, v, r: TF(T).gaussian_nll_loss(x, y, v, eps=0.25,
                                                                                 reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), np.hstack([np.zeros((3, 1)), U(rng, 0, 0.6, 3, 3)])],
         [True, True, True]),
    Case("gaussian_target_bcast", lambda T, x, y, v, r: TF(T).gaussian_nll_loss(x, y, v, reduction=r),
         lambda rng: [N(rng, 2, 3, 4), N(rng, 3, 4), U(rng, 0.5, 2, 2, 3)], [True, True, True]),
    Case("gaussian_1d_scalar_var", lambda T, x, y, v, r: TF(T).gaussian_nll_loss(x, y, v, reduction=r),
         lambda rng: [N(rng, 4), N(rng, 4), np.array(1.3)], [True, True, True]),
    Case("cosine_embedding", lambda T, a, b, t, r: TF(T).cosine_embedding_loss(a, b, t, margin=0.2,
                                                                               reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), ints(1, -1, 1)], [True, True, False]),
    Case("cosine_embedding_zero_row", lambda T, a, b, t, r: TF(T).cosine_embedding_loss(
        a, b, t, margin=-0.5, reduction=r), _cos_zero_row, [True, True, False]),
    Case("cosine_embedding_1d", lambda T, a, b, t, r: TF(T).cosine_embedding_loss(
        a, b, t, margin=-0.3, reduction=r), lambda rng: [N(rng, 5), N(rng, 5), np.array(-1)],
         [True, True, False]),
    Case("margin_ranking", lambda T, a, b, t, r: TF(T).margin_ranking_loss(a, b, t, margin=0.5,
                                                                           reduction=r),
         lambda rng: [N(rng, 6), N(rng, 6), np.array([1.0, -1, 1, -1, 1, -1])], [True, True, False]),
    Case("margin_ranking_2d_target_grad", lambda T, a, b, t, r: TF(T).margin_ranking_loss(
        a, b, t, reduction=r), lambda rng: [N(rng, 3, 4), N(rng, 1, 4), PM1[:1]], [True, True, True]),
    Case("hinge_embedding", lambda T, x, t, r: TF(T).hinge_embedding_loss(x, t, margin=0.8, reduction=r),
         lambda rng: [N(rng, 3, 4), np.where(np.arange(12).reshape(3, 4) % 5 == 0, 0.0, PM1)],
         [True, False]),
    Case("hinge_embedding_bcast", lambda T, x, t, r: TF(T).hinge_embedding_loss(x, t, reduction=r),
         lambda rng: [N(rng, 3, 4), PM1[1]], [True, False]),
    Case("soft_margin", lambda T, x, t, r: TF(T).soft_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng, 3, 4, scale=3), PM1], [True, False]),
    Case("soft_margin_bcast", lambda T, x, t, r: TF(T).soft_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng, 3, 4, scale=3), PM1[2]], [True, False]),
    Case("soft_margin_saturated", lambda T, x, t, r: TF(T).soft_margin_loss(x, t, reduction=r),
         lambda rng: [np.array([100.0, -100.0, 30.0, -30.0, 89.0, -89.0]),
                      np.array([1.0, 1.0, -1.0, -1.0, -1.0, 1.0])], [True, False]),
    Case("multilabel_soft_margin", lambda T, x, t, r: TF(T).multilabel_soft_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng, 3, 4, scale=2), (PM1 > 0).astype(float)], [True, False]),
    Case("multilabel_soft_margin_weight", lambda T, x, t, w, r: TF(T).multilabel_soft_margin_loss(
        x, t, weight=w, reduction=r),
         lambda rng: [N(rng, 3, 4, scale=2), U(rng, 0, 1, 3, 4), U(rng, 0.5, 2, 4)], [True, True, True]),
    Case("multilabel_soft_margin_1d", lambda T, x, t, r: TF(T).multilabel_soft_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng, 5), np.array([1.0, 0, 0, 1, 1])], [True, False]),
    Case("multilabel_soft_margin_3d", lambda T, x, t, r: TF(T).multilabel_soft_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng, 2, 3, 4), U(rng, 0, 1, 2, 3, 4)], [True, False]),
    Case("multilabel_margin", lambda T, x, t, r: TF(T).multilabel_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng, 4, 4), ints([3, 0, -1, 1], [1, 1, -1, 2], [0, 1, 2, 3], [-1, 2, 2, 2])],
         [True, False]),
    Case("multilabel_margin_1d", lambda T, x, t, r: TF(T).multilabel_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng, 5), ints(4, 0, -1, 3, 3)], [True, False]),
    Case("multilabel_margin_0d", lambda T, x, t, r: TF(T).multilabel_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng), np.array(0)], [True, False]),
    Case("multi_margin", lambda T, x, t, r: TF(T).multi_margin_loss(x, t, reduction=r),
         lambda rng: [N(rng, 4, 5), ints(0, 4, 2, 2)], [True, False]),
    Case("multi_margin_weight", lambda T, x, t, w, r: TF(T).multi_margin_loss(x, t, weight=w, reduction=r),
         lambda rng: [N(rng, 4, 5), ints(0, 4, 2, 2), U(rng, 0.5, 2, 5)], [True, False, False]),
    Case("multi_margin_p2_margin_weight", lambda T, x, t, w, r: TF(T).multi_margin_loss(
        x, t, p=2, margin=0.5, weight=w, reduction=r),
         lambda rng: [N(rng, 4, 5), ints(1, 3, 0, 4), U(rng, 0.5, 2, 5)], [True, False, False]),
    Case("multi_margin_1d", lambda T, x, t, r: TF(T).multi_margin_loss(x, t, p=2, reduction=r),
         lambda rng: [N(rng, 5), ints(3)], [True, False]),
    Case("multi_margin_1d_0d_target", lambda T, x, t, r: TF(T).multi_margin_loss(x, t, margin=2.0,
                                                                                  reduction=r),
         lambda rng: [N(rng, 5), np.array(1)], [True, False]),
    Case("triplet", lambda T, a, p, n, r: TF(T).triplet_margin_loss(a, p, n, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    Case("triplet_p1_swap", lambda T, a, p, n, r: TF(T).triplet_margin_loss(a, p, n, p=1, swap=True,
                                                                            reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    Case("triplet_p3_margin_eps", lambda T, a, p, n, r: TF(T).triplet_margin_loss(
        a, p, n, margin=2.0, p=3, eps=1e-3, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    Case("triplet_1d", lambda T, a, p, n, r: TF(T).triplet_margin_loss(a, p, n, margin=3.0, reduction=r),
         lambda rng: [N(rng, 4), N(rng, 4), N(rng, 4)], [True, True, True]),
    Case("triplet_bcast_3d", lambda T, a, p, n, r: TF(T).triplet_margin_loss(a, p, n, swap=True, reduction=r),
         lambda rng: [N(rng, 2, 3, 4), N(rng, 1, 3, 4), N(rng, 2, 1, 4)], [True, True, True]),
    Case("triplet_distance", lambda T, a, p, n, r: TF(T).triplet_margin_with_distance_loss(
        a, p, n, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    Case("triplet_distance_cosine_swap", lambda T, a, p, n, r: TF(T).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda x, y: 1 - TF(T).cosine_similarity(x, y), swap=True,
        margin=0.5, reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    Case("triplet_distance_l1", lambda T, a, p, n, r: TF(T).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda x, y: TF(T).pairwise_distance(x, y, 1.0), margin=2.0,
        reduction=r),
         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
]


def _log_probs(rng, *shape):
    x = N(rng, *shape)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


CTC_TARGETS = ints([1, 2, 2, 3], [3, 1, 0, 0], [2, 0, 0, 0])
CASES += [
    Case("ctc_padded", lambda T, lp, t, il, tl, r: TF(T).ctc_loss(lp, t, il, tl, reduction=r),
         lambda rng: [_log_probs(rng, 7, 3, 4), CTC_TARGETS, ints(7, 5, 4), ints(4, 2, 1)],
         [True, False, False, False]),
    Case("ctc_concatenated_tuples", lambda T, lp, t, r: TF(T).ctc_loss(lp, t, (7, 6, 3), (3, 2, 0),
                                                                       reduction=r),
         lambda rng: [_log_probs(rng, 7, 3, 4), ints(1, 2, 2, 3, 1)], [True, False]),
    Case("ctc_blank_last_targets_with_blank", lambda T, lp, t, r: TF(T).ctc_loss(
        lp, t, [7, 7, 2], [4, 2, 1], blank=3, reduction=r),
         lambda rng: [_log_probs(rng, 7, 3, 4), ints([0, 1, 3, 1], [2, 2, 0, 0], [0, 0, 0, 0])],
         [True, False]),
    Case("ctc_impossible", lambda T, lp, t, r: TF(T).ctc_loss(lp, t, (7, 2, 4), (4, 2, 1), reduction=r),
         lambda rng: [_log_probs(rng, 7, 3, 4), ints([1, 2, 2, 3], [3, 3, 0, 0], [2, 0, 0, 0])],
         [True, False]),
    Case("ctc_zero_infinity", lambda T, lp, t, r: TF(T).ctc_loss(lp, t, (7, 2, 0), (4, 2, 1),
                                                                 zero_infinity=True, reduction=r),
         lambda rng: [_log_probs(rng, 7, 3, 4), CTC_TARGETS], [True, False]),
    Case("ctc_unnormalized", lambda T, lp, t, r: TF(T).ctc_loss(lp, t, (5, 5, 5), (4, 2, 1), reduction=r),
         lambda rng: [N(rng, 5, 3, 4), CTC_TARGETS], [True, False]),
    Case("ctc_unbatched", lambda T, lp, t, il, tl, r: TF(T).ctc_loss(lp, t, il, tl, reduction=r),
         lambda rng: [_log_probs(rng, 6, 5), ints(4, 4, 1), np.array(6), np.array(3)],
         [True, False, False, False]),
]


def _arrays(case, key, dtype):
    out = []
    for a in case.make(rng_for(key)):
        a = np.asarray(a)
        out.append(a.astype(dtype) if a.dtype.kind == "f" else a)
    return out


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_parity(case, reduction, dtype):
    key = f"parity/{case.id}/{reduction}/{dtype.__name__}"
    arrays = _arrays(case, key, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # nan/inf of the saturated cases
        compare(lambda *a: case.fn(numtorch, *a, reduction),
                lambda torch, *a: case.fn(torch, *a, reduction), arrays, case.grads,
                oracle=ORACLE, key=key)


# -- gradcheck and gradgradcheck (float64, no torch) ----------------------------------------------

def _away(a, kinks, margin=0.05):
    a = np.array(a, np.float64)
    for k in kinks:
        near = np.abs(a - k) < margin
        a[near] = k + np.where(a[near] >= k, 2 * margin, -2 * margin)
    return a


SMOOTH = {
    # id: (fn(T, *tensors), make(rng), requires_grad) -- away from the kinks
    "poisson": (lambda T, x, y: TF(T).poisson_nll_loss(x, y, reduction="sum"),
                lambda rng: [N(rng, 3, 4), U(rng, 0, 3, 3, 4)], [True, True]),
    "poisson_rate_full": (lambda T, x, y: TF(T).poisson_nll_loss(x, y, log_input=False, full=True),
                          lambda rng: [U(rng, 0.5, 3, 3, 4), U(rng, 1.5, 4, 3, 4)], [True, True]),
    "gaussian": (lambda T, x, y, v: TF(T).gaussian_nll_loss(x, y, v, reduction="none"),
                 lambda rng: [N(rng, 3, 4), N(rng, 3, 4), U(rng, 0.5, 2, 3, 1)], [True, True, True]),
    "gaussian_full_rows": (lambda T, x, y, v: TF(T).gaussian_nll_loss(x, y, v, full=True),
                           lambda rng: [N(rng, 3, 4), N(rng, 3, 4), U(rng, 0.5, 2, 3)], [True, True, True]),
    "cosine_embedding": (lambda T, a, b: TF(T).cosine_embedding_loss(a, b, T.tensor([1, -1, 1]),
                                                                     margin=-0.9),
                         lambda rng: [N(rng, 3, 4), N(rng, 3, 4)], [True, True]),
    "margin_ranking": (lambda T, a, b, t: TF(T).margin_ranking_loss(a, b, t, margin=5.0, reduction="none"),
                       lambda rng: [N(rng, 4), N(rng, 4), np.array([1.0, -1, 1, -1])], [True, True, True]),
    "hinge_embedding": (lambda T, x: TF(T).hinge_embedding_loss(x, T.tensor(PM1), margin=5.0),
                        lambda rng: [N(rng, 3, 4)], [True]),
    "soft_margin": (lambda T, x: TF(T).soft_margin_loss(x, T.tensor(PM1), reduction="none"),
                    lambda rng: [N(rng, 3, 4, scale=2)], [True]),
    "multilabel_soft_margin": (lambda T, x, t, w: TF(T).multilabel_soft_margin_loss(x, t, weight=w),
                               lambda rng: [N(rng, 3, 4), U(rng, 0, 1, 3, 4), U(rng, 0.5, 2, 4)],
                               [True, True, True]),
    "multilabel_margin": (lambda T, x: TF(T).multilabel_margin_loss(
        x, T.tensor(ints([3, 0, -1, 1], [1, 1, 2, -1], [-1, 0, 0, 0]))),
                          lambda rng: [_away(N(rng, 3, 4) * 0.2, ())], [True]),
    "multi_margin_p1": (lambda T, x: TF(T).multi_margin_loss(x, T.tensor(ints(0, 3, 1)), reduction="sum"),
                        lambda rng: [_away(N(rng, 3, 4) * 0.2, ())], [True]),
    "multi_margin_p2_weight": (lambda T, x: TF(T).multi_margin_loss(
        x, T.tensor(ints(0, 3, 1)), p=2, weight=T.tensor(np.array([1.0, 2, 0.5, 1.5])), reduction="none"),
                               lambda rng: [N(rng, 3, 4) * 0.2], [True]),
    "triplet_swap": (lambda T, a, p, n: TF(T).triplet_margin_loss(a, p, n, margin=10.0, swap=True),
                     lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    "triplet_p3": (lambda T, a, p, n: TF(T).triplet_margin_loss(a, p, n, margin=10.0, p=3, reduction="none"),
                   lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    "triplet_distance_swap": (lambda T, a, p, n: TF(T).triplet_margin_with_distance_loss(
        a, p, n, margin=10.0, swap=True, reduction="sum"),
                              lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    # through log_softmax, PyTorch's CTC gradient is the derivative
    "ctc": (lambda T, x: TF(T).ctc_loss(TF(T).log_softmax(x, 2), T.tensor(CTC_TARGETS), (5, 4, 3), (4, 2, 1),
                                        reduction="none"),
            lambda rng: [N(rng, 5, 3, 4)], [True]),
}
# PyTorch defines no second derivative of these (the first is checked here all the same)
NO_SECOND = {"multilabel_margin": "multilabel_margin_loss", "multi_margin_p1": "multi_margin_loss",
             "multi_margin_p2_weight": "multi_margin_loss", "ctc": "_ctc_loss"}


def _smooth_inputs(name):
    fn, make, grads = SMOOTH[name]
    arrays = make(rng_for(f"smooth/{name}"))
    return fn, [numtorch.tensor(np.asarray(a, np.float64), requires_grad=g)
                for a, g in zip(arrays, grads)]


@pytest.mark.parametrize("name", list(SMOOTH))
def test_gradcheck_and_gradgradcheck(name):
    fn, inputs = _smooth_inputs(name)
    f = lambda *a: fn(numtorch, *a)                # noqa: E731
    assert numtorch.autograd.gradcheck(f, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)
    if name in NO_SECOND:
        with pytest.raises(RuntimeError, match=f"derivative for aten::{NO_SECOND[name]}_backward "
                                               "is not implemented"):
            numtorch.autograd.gradgradcheck(f, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)
    else:
        assert numtorch.autograd.gradgradcheck(f, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)


def test_gradcheck_catches_a_wrong_gradient():
    """The checks above can fail: a multi_margin gradient off by a factor is caught."""
    fn, inputs = _smooth_inputs("multi_margin_p2_weight")
    # the same values, twice the gradient
    bad = lambda x: fn(numtorch, x) * 2 - fn(numtorch, x.detach())  # noqa: E731
    assert numtorch.autograd.gradcheck(lambda x: fn(numtorch, x), tuple(inputs))
    assert not numtorch.autograd.gradcheck(bad, tuple(inputs), raise_exception=False)


def _second_order(T, name):
    """First-order gradients (create_graph) and the gradients of a weighted sum of them."""
    fn, make, grads = SMOOTH[name]
    arrays = make(rng_for(f"second/{name}"))
    ts = [T.tensor(np.asarray(a, np.float64), requires_grad=g) for a, g in zip(arrays, grads)]
    out = fn(T, *ts)
    out = (out * T.tensor(np.linspace(1.0, 2.0, out.numel()).reshape(tuple(out.shape)))).sum()
    diff = [t for t in ts if t.requires_grad]
    first = T.autograd.grad(out, diff, create_graph=True)
    answer = {"first": list(first), "names": [None if g.grad_fn is None else g.grad_fn.name()
                                              for g in first]}
    s = sum((g * T.tensor(np.linspace(0.5, 1.5, g.numel()).reshape(tuple(g.shape)))).sum()
            for g in first)
    if not s.requires_grad:                 # piecewise linear: the gradient is a constant
        answer["second"] = None
        return answer
    err = error_of(lambda: answer.update(second=list(T.autograd.grad(s, diff, allow_unused=True))))
    if err is not None:
        answer["second"] = err
    return answer


# first-order gradients whose grad_fn names are PyTorch's (composed losses: the same ops; the
# refusing node of the losses without a second derivative); a fused node's recorded backward
# (soft_margin), un-broadcast weight gradients, unsqueeze's backward (a var per row: numtorch's
# ViewBackward0, PyTorch's SqueezeBackward1) and log_softmax's (ctc) are numtorch's own ops
SAME_FIRST_NAMES = {"poisson", "poisson_rate_full", "gaussian",
                    "cosine_embedding", "margin_ranking", "hinge_embedding", "multilabel_margin",
                    "multi_margin_p1", "multi_margin_p2_weight", "triplet_swap", "triplet_p3",
                    "triplet_distance_swap"}


@pytest.mark.parametrize("name", list(SMOOTH))
def test_second_derivatives_match_torch(name):
    want = ORACLE.answer(f"second/{name}", lambda torch: _second_order(torch, name))
    got = _second_order(numtorch, name)
    for g, w in zip(got["first"], want["first"]):
        np.testing.assert_allclose(g.detach().numpy(), w.numpy(), rtol=1e-10, atol=1e-12)
    if name in SAME_FIRST_NAMES:
        assert got["names"] == want["names"]
    if want["second"] is None or isinstance(want["second"], list) and isinstance(want["second"][0], str):
        assert got["second"] == want["second"]          # None, or PyTorch's error
        return
    assert len(got["second"]) == len(want["second"])
    for g, w in zip(got["second"], want["second"]):
        if w is None:
            assert g is None or not g.detach().numpy().any()
        else:
            np.testing.assert_allclose(g.detach().numpy(), w.numpy(), rtol=1e-9, atol=1e-11)


def test_refused_second_derivative_node_is_torchs():
    """Without a reduction, the first-order gradient of multi_margin / multilabel_margin / ctc
    is PyTorch's refusing node itself (``grad_fn=<NotImplemented>``), tied to the input."""
    def first(T):
        x = T.tensor(N(rng_for("refused_node"), 3, 4), requires_grad=True)
        lp = T.tensor(_log_probs(rng_for("refused_node/ctc"), 3, 1, 4), requires_grad=True)
        out = []
        for x, loss in ((x, TF(T).multi_margin_loss(x, T.tensor(ints(0, 3, 1)), reduction="none")),
                        (x, TF(T).multilabel_margin_loss(x, T.tensor(ints([3, 0, -1, 1], [1, 2, -1, 0],
                                                                          [0, -1, 0, 0])), reduction="none")),
                        (lp, TF(T).ctc_loss(lp, T.tensor([[1, 2]]), (3,), (2,), reduction="none"))):
            g, = T.autograd.grad(loss.sum(), x, create_graph=True)
            out.append({"grad": g, "name": g.grad_fn.name(),
                        "next_is_x": any(getattr(f, "variable", None) is x
                                         for f, _ in g.grad_fn.next_functions)})
        return out
    want = ORACLE.answer("refused_node", first)
    got = first(numtorch)
    for g, w in zip(got, want):
        assert g["name"] == w["name"] == "torch::autograd::NotImplemented"
        assert g["next_is_x"] and w["next_is_x"]
        np.testing.assert_allclose(g["grad"].detach().numpy(), w["grad"].numpy(), rtol=1e-6)


# -- legacy size_average / reduce -----------------------------------------------------------------

LEGACY = {
    "poisson_nll_loss": lambda T, a, b, **kw: TF(T).poisson_nll_loss(a, b, **kw),
    "cosine_embedding_loss": lambda T, a, b, **kw: TF(T).cosine_embedding_loss(
        a, b, T.tensor([1, -1, 1]), **kw),
    "margin_ranking_loss": lambda T, a, b, **kw: TF(T).margin_ranking_loss(a, b, T.ones(3, 4), **kw),
    "hinge_embedding_loss": lambda T, a, b, **kw: TF(T).hinge_embedding_loss(a, T.tensor(PM1), **kw),
    "soft_margin_loss": lambda T, a, b, **kw: TF(T).soft_margin_loss(a, T.tensor(PM1), **kw),
    "multilabel_soft_margin_loss": lambda T, a, b, **kw: TF(T).multilabel_soft_margin_loss(
        a, T.tensor(PM1 > 0).float(), **kw),
    "multilabel_margin_loss": lambda T, a, b, **kw: TF(T).multilabel_margin_loss(
        a, T.tensor(ints([3, 0, -1, 1], [1, 2, -1, 0], [0, -1, 0, 0])), **kw),
    "multi_margin_loss": lambda T, a, b, **kw: TF(T).multi_margin_loss(a, T.tensor(ints(0, 3, 1)), **kw),
    "triplet_margin_loss": lambda T, a, b, **kw: TF(T).triplet_margin_loss(a, b, a * 0.5, **kw),
}


@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, True),
                                                 (False, True), (True, None)])
@pytest.mark.parametrize("name", list(LEGACY))
def test_legacy_reduction_args(name, size_average, reduce):
    key = f"legacy/{name}/{size_average}/{reduce}"
    rng = rng_for(key)
    x, y = N(rng, 3, 4).astype(np.float32), U(rng, 0, 2, 3, 4).astype(np.float32)

    def run(T):
        out = []
        texts = warning_texts(lambda: out.append(LEGACY[name](
            T, T.tensor(x), T.tensor(y), size_average=size_average, reduce=reduce)))
        return {"warnings": texts, "out": out[0]}
    want = ORACLE.answer(key, run)
    got = run(numtorch)
    assert want["warnings"] and got["warnings"] == want["warnings"]
    assert tuple(got["out"].shape) == want["out"].shape
    np.testing.assert_allclose(got["out"].numpy(), want["out"].numpy(), rtol=1e-6)


def test_legacy_warning_points_at_the_caller():
    with pytest.warns(UserWarning) as rec:
        numtorch.nn.functional.soft_margin_loss(numtorch.ones(2), numtorch.ones(2), reduce=False)
    assert rec[0].filename == __file__


# -- errors, dtypes and odd shapes ----------------------------------------------------------------

def _outcome(fn):
    """What ``fn()`` gives: [exception type, message], or ["OK", shape, dtype, values]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001 - whatever is raised is the answer
            return [type(e).__name__, str(e)]
    if not hasattr(r, "shape"):
        return ["OK", repr(r)]
    return ["OK", list(r.shape), str(r.dtype), r.detach().numpy()]


_A = np.random.default_rng(20).standard_normal((3, 4)).astype(np.float32)
L64 = np.int64


def _a(T, dtype=None):
    a = _A if dtype is None else _A.astype(dtype)
    return T.tensor(a)


OUTCOMES = {
    # reductions, shapes, dtypes, non-tensors, per loss
    "poisson/reduction": lambda T: TF(T).poisson_nll_loss(_a(T), _a(T), reduction="foo"),
    "poisson/shape": lambda T: TF(T).poisson_nll_loss(_a(T), _a(T)[:, :3]),
    "poisson/list": lambda T: TF(T).poisson_nll_loss(_a(T), [1.0]),
    "poisson/long": lambda T: TF(T).poisson_nll_loss(_a(T, L64), _a(T, L64), reduction="none"),
    "poisson/float64_target": lambda T: TF(T).poisson_nll_loss(_a(T), _a(T, np.float64), reduction="none"),
    "gaussian/reduction": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.ones(3, 4), reduction="foo"),
    "gaussian/reduction_after_var": lambda T:
        TF(T).gaussian_nll_loss(_a(T), _a(T), -T.ones(3), reduction="foo"),
    "gaussian/negative": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), -T.ones(3, 4)),
    "gaussian/negative_inf": lambda T:
        TF(T).gaussian_nll_loss(_a(T), _a(T), T.tensor([1.0, -float("inf"), 1.0])),
    "gaussian/nan_var": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.tensor([1.0, float("nan"), 1.0])),
    "gaussian/negative_float": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), -0.5),
    "gaussian/var_size_last": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.ones(4)),
    "gaussian/var_size_11": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.ones(1, 1)),
    "gaussian/var_size_extra": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.ones(3, 4, 1)),
    "gaussian/var_size_0d": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.tensor(2.0)),
    "gaussian/var_size_3d_two_ones": lambda T: TF(T).gaussian_nll_loss(T.ones(2, 3, 4), T.ones(2, 3, 4),
                                                                        T.ones(1, 1, 4)),
    "gaussian/var_long": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.ones(3, 4, dtype=T.long)),
    "gaussian/var_int": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.ones(3, 4, dtype=T.int32)),
    "gaussian/var_python_int": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), 1),
    "gaussian/var_list": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), [1.0]),
    "gaussian/target_shape": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T)[:2], T.ones(3, 4)),
    "gaussian/0d": lambda T: TF(T).gaussian_nll_loss(_a(T)[0, 0], _a(T)[0, 1], T.tensor(2.0)),
    "gaussian/1d_0d_var": lambda T:
        TF(T).gaussian_nll_loss(_a(T)[0], _a(T)[1], T.tensor(2.0), reduction="none"),
    "gaussian/long_input_float_var": lambda T: TF(T).gaussian_nll_loss(_a(T, L64), _a(T, L64), 0.5,
                                                                        reduction="none"),
    "gaussian/float64_var": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T), T.ones(3, 4, dtype=T.float64),
                                                               reduction="none"),
    "gaussian/zero_var": lambda T: TF(T).gaussian_nll_loss(_a(T), _a(T) * 0, T.zeros(3, 4), reduction="none"),
    "cosine/reduction": lambda T: TF(T).cosine_embedding_loss(_a(T), _a(T), T.ones(3), reduction="foo"),
    "cosine/2d_target": lambda T: TF(T).cosine_embedding_loss(_a(T), _a(T), T.ones(3, 1)),
    "cosine/1d_target_1d_input": lambda T: TF(T).cosine_embedding_loss(_a(T)[0], _a(T), T.ones(3)),
    "cosine/0d_target": lambda T: TF(T).cosine_embedding_loss(_a(T), _a(T), T.tensor(1)),
    "cosine/3d_input": lambda T: TF(T).cosine_embedding_loss(T.ones(3, 2, 2), T.ones(3, 2, 2), T.ones(3)),
    "cosine/target_len": lambda T: TF(T).cosine_embedding_loss(_a(T), _a(T), T.ones(2)),
    "cosine/input_len": lambda T: TF(T).cosine_embedding_loss(_a(T), _a(T)[:2], T.ones(3)),
    "cosine/input_width": lambda T: TF(T).cosine_embedding_loss(_a(T), _a(T)[:, :3], T.ones(3)),
    "cosine/list": lambda T: TF(T).cosine_embedding_loss(_a(T), _a(T), [1.0]),
    "cosine/long": lambda T: TF(T).cosine_embedding_loss(_a(T, L64), _a(T, L64), T.tensor([1, -1, 1]),
                                                         reduction="none"),
    "cosine/float64": lambda T: TF(T).cosine_embedding_loss(_a(T, np.float64), _a(T), T.ones(3)),
    "cosine/bool_target": lambda T: TF(T).cosine_embedding_loss(
        _a(T), _a(T) + 1, T.tensor([True, False, True]), reduction="none"),
    "cosine/empty": lambda T: TF(T).cosine_embedding_loss(T.zeros(0, 3), T.zeros(0, 3), T.zeros(0)),
    "margin_ranking/reduction": lambda T: TF(T).margin_ranking_loss(_a(T), _a(T), _a(T), reduction="foo"),
    "margin_ranking/dims": lambda T: TF(T).margin_ranking_loss(_a(T), _a(T), _a(T)[0]),
    "margin_ranking/shape": lambda T: TF(T).margin_ranking_loss(_a(T), _a(T)[:2], _a(T)),
    "margin_ranking/list": lambda T: TF(T).margin_ranking_loss(_a(T), [1.0], _a(T)),
    "margin_ranking/long": lambda T: TF(T).margin_ranking_loss(_a(T, L64), _a(T, L64) * 2, _a(T, L64),
                                                               margin=1, reduction="none"),
    "margin_ranking/float64_target": lambda T: TF(T).margin_ranking_loss(_a(T), _a(T), _a(T, np.float64)),
    "hinge/reduction": lambda T: TF(T).hinge_embedding_loss(_a(T), _a(T), reduction="foo"),
    "hinge/shape": lambda T: TF(T).hinge_embedding_loss(_a(T), _a(T)[:, :3]),
    "hinge/long_mean": lambda T: TF(T).hinge_embedding_loss(_a(T, L64), _a(T, L64)),
    "hinge/long_none": lambda T:
        TF(T).hinge_embedding_loss(T.tensor([0, 1, 2, -1, -3]), T.tensor([-1, -1, 1, 0, -1]), margin=1.5,
            reduction="none"),
    "hinge/float64_target": lambda T: TF(T).hinge_embedding_loss(_a(T), T.tensor(PM1)),
    "hinge/list": lambda T: TF(T).hinge_embedding_loss([1.0], _a(T)),
    "soft_margin/reduction": lambda T: TF(T).soft_margin_loss(_a(T), _a(T), reduction="foo"),
    "soft_margin/shape": lambda T: TF(T).soft_margin_loss(_a(T), _a(T)[:, :3]),
    "soft_margin/broadcast_input": lambda T: TF(T).soft_margin_loss(_a(T)[0], _a(T)),
    "soft_margin/long": lambda T: TF(T).soft_margin_loss(_a(T, L64), _a(T)),
    "soft_margin/int": lambda T: TF(T).soft_margin_loss(_a(T, np.int32), _a(T)),
    "soft_margin/float64_target": lambda T:
        TF(T).soft_margin_loss(_a(T), _a(T, np.float64), reduction="none"),
    "soft_margin/target_requires_grad": lambda T: TF(T).soft_margin_loss(
        _a(T), T.tensor(PM1.astype(np.float32), requires_grad=True)),
    "soft_margin/target_requires_grad_no_grad": lambda T: _no_grad(T, lambda: TF(T).soft_margin_loss(
        _a(T), T.tensor(PM1.astype(np.float32), requires_grad=True))),
    "soft_margin/list": lambda T: TF(T).soft_margin_loss(_a(T), [1.0]),
    "multilabel_soft_margin/reduction": lambda T:
        TF(T).multilabel_soft_margin_loss(_a(T), _a(T), reduction="foo"),
    "multilabel_soft_margin/shape": lambda T: TF(T).multilabel_soft_margin_loss(_a(T), _a(T)[:, :3]),
    "multilabel_soft_margin/weight": lambda T:
        TF(T).multilabel_soft_margin_loss(_a(T), _a(T), weight=T.ones(3)),
    "multilabel_soft_margin/list": lambda T: TF(T).multilabel_soft_margin_loss([1.0], _a(T)),
    "multilabel_soft_margin/long": lambda T: TF(T).multilabel_soft_margin_loss(_a(T, L64), _a(T)),
    "multilabel_soft_margin/0d": lambda T: TF(T).multilabel_soft_margin_loss(_a(T)[0, 0], _a(T)[0, 0]),
    "multilabel_soft_margin/target_wider": lambda T: TF(T).multilabel_soft_margin_loss(
        _a(T)[:, :1], _a(T), reduction="none"),
    "multilabel_soft_margin/float64": lambda T: TF(T).multilabel_soft_margin_loss(_a(T), _a(T, np.float64)),
    "multilabel_margin/reduction": lambda T: TF(T).multilabel_margin_loss(_a(T), T.zeros(3, 4, dtype=T.long),
                                                                          reduction="foo"),
    "multilabel_margin/target_size": lambda T: TF(T).multilabel_margin_loss(_a(T), T.zeros(4, dtype=T.long)),
    "multilabel_margin/target_size_1d": lambda T:
        TF(T).multilabel_margin_loss(_a(T)[0], T.zeros(1, 4, dtype=T.long)),
    "multilabel_margin/target_size_0d": lambda T: TF(T).multilabel_margin_loss(_a(T), T.tensor(0)),
    "multilabel_margin/3d": lambda T:
        TF(T).multilabel_margin_loss(T.ones(3, 2, 2), T.zeros(3, 2, 2, dtype=T.long)),
    "multilabel_margin/no_classes": lambda T:
        TF(T).multilabel_margin_loss(T.ones(2, 0), T.zeros(2, 0, dtype=T.long)),
    "multilabel_margin/empty_vector": lambda T:
        TF(T).multilabel_margin_loss(T.ones(0), T.zeros(0, dtype=T.long)),
    "multilabel_margin/float_target": lambda T: TF(T).multilabel_margin_loss(_a(T), T.zeros(3, 4)),
    "multilabel_margin/int_target": lambda T:
        TF(T).multilabel_margin_loss(_a(T), T.zeros(3, 4, dtype=T.int32)),
    "multilabel_margin/float_target_out_of_range": lambda T:
        TF(T).multilabel_margin_loss(_a(T), T.zeros(3, 4) + 9),
    "multilabel_margin/out_of_range": lambda T:
        TF(T).multilabel_margin_loss(_a(T), T.full((3, 4), 4, dtype=T.long)),
    "multilabel_margin/below_minus_one": lambda T:
        TF(T).multilabel_margin_loss(_a(T), T.full((3, 4), -2, dtype=T.long)),
    "multilabel_margin/out_of_range_after_end": lambda T: TF(T).multilabel_margin_loss(
        _a(T), T.tensor(ints([3, 0, -1, 7]) * np.ones((3, 1), np.int64))),
    "multilabel_margin/long_input": lambda T:
        TF(T).multilabel_margin_loss(_a(T, L64), T.zeros(3, 4, dtype=T.long)),
    "multilabel_margin/long_input_float_target": lambda T:
        TF(T).multilabel_margin_loss(_a(T, L64), T.zeros(3, 4)),
    "multilabel_margin/list": lambda T: TF(T).multilabel_margin_loss(_a(T), [1]),
    "multilabel_margin/0d_target_1": lambda T:
        TF(T).multilabel_margin_loss(_a(T)[0, 0], T.zeros(1, dtype=T.long), reduction="none"),
    "multilabel_margin/1_0d_target": lambda T: TF(T).multilabel_margin_loss(_a(T)[0, :1], T.tensor(0),
                                                                            reduction="none"),
    "multilabel_margin/empty_batch_none": lambda T: TF(T).multilabel_margin_loss(
        T.zeros(0, 4), T.zeros(0, 4, dtype=T.long), reduction="none"),
    "multi_margin/reduction": lambda T: TF(T).multi_margin_loss(_a(T), T.zeros(3, dtype=T.long), p=3,
                                                                reduction="foo"),
    "multi_margin/p": lambda T: TF(T).multi_margin_loss(_a(T), T.zeros(3, dtype=T.long), p=3,
                                                        weight=T.ones(1, 4)),
    "multi_margin/p_float": lambda T: TF(T).multi_margin_loss(_a(T), T.zeros(3, dtype=T.long), p=2.0),
    "multi_margin/weight_dim": lambda T: TF(T).multi_margin_loss(_a(T), T.zeros(2, dtype=T.long),
                                                                 weight=T.ones(1, 4)),
    "multi_margin/weight_size": lambda T:
        TF(T).multi_margin_loss(_a(T), T.tensor([0, 1, 7]), weight=T.ones(3)),
    "multi_margin/weight_dtype": lambda T: TF(T).multi_margin_loss(_a(T), T.tensor([0, 1, 7]),
                                                                   weight=T.ones(4, dtype=T.float64)),
    "multi_margin/weight_requires_grad": lambda T: TF(T).multi_margin_loss(
        _a(T), T.zeros(3, dtype=T.long), weight=T.ones(4, requires_grad=True)),
    "multi_margin/target_size": lambda T: TF(T).multi_margin_loss(_a(T), T.zeros(2, dtype=T.long),
                                                                  weight=T.ones(3)),
    "multi_margin/target_2d": lambda T: TF(T).multi_margin_loss(_a(T), T.zeros(3, 1, dtype=T.long)),
    "multi_margin/target_0d": lambda T: TF(T).multi_margin_loss(_a(T), T.tensor(0)),
    "multi_margin/target_1d_input": lambda T: TF(T).multi_margin_loss(_a(T)[0], T.zeros(3, dtype=T.long)),
    "multi_margin/float_target": lambda T: TF(T).multi_margin_loss(_a(T), T.zeros(3)),
    "multi_margin/int_target": lambda T: TF(T).multi_margin_loss(_a(T), T.tensor([0, 1, 7], dtype=T.int32)),
    "multi_margin/out_of_range": lambda T: TF(T).multi_margin_loss(_a(T), T.tensor([0, 4, 1])),
    "multi_margin/negative": lambda T: TF(T).multi_margin_loss(_a(T), T.tensor([0, -1, 1])),
    "multi_margin/long_input": lambda T: TF(T).multi_margin_loss(_a(T, L64), T.tensor([0, 1, 7])),
    "multi_margin/3d": lambda T: TF(T).multi_margin_loss(T.ones(3, 2, 2), T.zeros(3, dtype=T.long)),
    "multi_margin/no_classes": lambda T: TF(T).multi_margin_loss(T.ones(2, 0), T.zeros(2, dtype=T.long)),
    "multi_margin/list": lambda T: TF(T).multi_margin_loss([1.0], T.zeros(3, dtype=T.long)),
    "multi_margin/0d": lambda T: TF(T).multi_margin_loss(_a(T)[0, 0], T.tensor(0), reduction="none"),
    "multi_margin/0d_input_1d_target": lambda T: TF(T).multi_margin_loss(_a(T)[0, 0], T.tensor([0]),
                                                                         reduction="none"),
    "multi_margin/row_0d_target": lambda T: TF(T).multi_margin_loss(_a(T)[:1], T.tensor(2), reduction="none"),
    "multi_margin/empty_batch_none": lambda T:
        TF(T).multi_margin_loss(T.zeros(0, 4), T.zeros(0, dtype=T.long), reduction="none"),
    "triplet/reduction": lambda T:
        TF(T).triplet_margin_loss(_a(T), _a(T), _a(T)[0], margin=-1, reduction="foo"),
    "triplet/margin": lambda T: TF(T).triplet_margin_loss(_a(T), _a(T), _a(T)[0], margin=-1),
    "triplet/margin_zero": lambda T: TF(T).triplet_margin_loss(_a(T), _a(T), _a(T), margin=0.0),
    "triplet/dims": lambda T: TF(T).triplet_margin_loss(_a(T), _a(T)[0], _a(T)),
    "triplet/shape": lambda T: TF(T).triplet_margin_loss(_a(T), _a(T)[:2], _a(T)),
    "triplet/list": lambda T: TF(T).triplet_margin_loss(_a(T), _a(T), [1.0]),
    "triplet/long": lambda T: TF(T).triplet_margin_loss(_a(T, L64), _a(T, L64), _a(T, L64) * 2),
    "triplet/float64": lambda T: TF(T).triplet_margin_loss(_a(T), _a(T, np.float64), _a(T) * 2),
    "triplet/0d": lambda T:
        TF(T).triplet_margin_loss(_a(T)[0, 0], _a(T)[0, 1], _a(T)[0, 2], reduction="none"),
    "triplet/p0_pinf_pneg": lambda T: T.stack([TF(T).triplet_margin_loss(
        _a(T), _a(T) * 2, -_a(T), p=p, margin=3.0, reduction="none") for p in (0, float("inf"), -1)]),
    "triplet_distance/reduction": lambda T: TF(T).triplet_margin_with_distance_loss(
        _a(T), _a(T), _a(T), margin=0, reduction="foo"),
    "triplet_distance/margin": lambda T:
        TF(T).triplet_margin_with_distance_loss(_a(T), _a(T), _a(T)[0], margin=0),
    "triplet_distance/dims": lambda T: TF(T).triplet_margin_with_distance_loss(_a(T), _a(T), _a(T)[0]),
    "triplet_distance/list": lambda T: TF(T).triplet_margin_with_distance_loss(_a(T), [1.0], _a(T)),
    "triplet_distance/positional": lambda T:
        TF(T).triplet_margin_with_distance_loss(_a(T), _a(T), _a(T), None),
    "triplet_distance/elementwise_distance": lambda T: TF(T).triplet_margin_with_distance_loss(
        _a(T), _a(T) * 2, _a(T) - 1, distance_function=lambda a, b: (a - b).abs(), reduction="none"),
    "ctc/reduction": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (6, 5, 4), (3, 2, 1), blank=9, reduction="foo"),
    "ctc/blank": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (6, 5, 4), (3, 2, 1), blank=4),
    "ctc/blank_negative": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (6, 5, 4), (3, 2, 1), blank=-1),
    "ctc/long": lambda T: TF(T).ctc_loss(_lp(T).long(), _CT(T), (6, 5, 4), (3, 2, 1), blank=4),
    "ctc/input_length_long": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (7, 5, 4), (3, 2, 1)),
    "ctc/input_length_negative": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (-1, 5, 4), (3, 2, 1)),
    "ctc/input_lengths_size": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (6, 5), (3, 2, 1)),
    "ctc/target_lengths_size": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (6, 5, 4), (3, 2)),
    "ctc/target_length_long": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (6, 5, 4), (4, 2, 1)),
    "ctc/target_length_negative": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (6, 5, 4), (-1, 2, 1)),
    "ctc/targets_batch": lambda T: TF(T).ctc_loss(_lp(T), _CT(T)[:2], (6, 5, 4), (3, 2, 1)),
    "ctc/targets_3d": lambda T: TF(T).ctc_loss(_lp(T), _CT(T).reshape(3, 3, 1), (6, 5, 4), (3, 2, 1)),
    "ctc/concatenated_size": lambda T:
        TF(T).ctc_loss(_lp(T), T.tensor([1, 2, 2, 3, 1]), (6, 5, 4), (3, 2, 1)),
    "ctc/float_lengths": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), T.tensor([6.0, 5, 4]), T.tensor([3, 2, 1])),
    "ctc/float_target_lengths": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), T.tensor([6, 5, 4]),
                                                         T.tensor([3.0, 2, 1])),
    "ctc/float_in_tuple": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (6, 5, 4), (3, 2, 1.0)),
    "ctc/empty": lambda T: TF(T).ctc_loss(T.zeros(0, 3, 4), _CT(T), (0, 0, 0), (0, 0, 0)),
    "ctc/log_probs_1d": lambda T: TF(T).ctc_loss(_lp(T)[0, 0], _CT(T), (6, 5, 4), (3, 2, 1)),
    "ctc/log_probs_4d": lambda T: TF(T).ctc_loss(_lp(T).reshape(6, 3, 2, 2), _CT(T), (6, 5, 4), (3, 2, 1)),
    "ctc/unbatched_batched_targets": lambda T: TF(T).ctc_loss(_lp(T)[:, 0], _CT(T), T.tensor(6), T.tensor(3)),
    "ctc/unbatched_tuples": lambda T: TF(T).ctc_loss(_lp(T)[:, 0], _CT(T)[0], (6,), (3,), reduction="none"),
    "ctc/lengths_2d_tensor": lambda T:
        TF(T).ctc_loss(_lp(T), _CT(T), T.tensor([[6, 5, 4]]), T.tensor([3, 2, 1]), reduction="none"),
    "ctc/int32": lambda T: TF(T).ctc_loss(_lp(T), _CT(T).int(), T.tensor([6, 5, 4], dtype=T.int32),
                                          T.tensor([3, 2, 1], dtype=T.int32), reduction="none"),
    "ctc/float_targets": lambda T:
        TF(T).ctc_loss(_lp(T), _CT(T).float(), (6, 5, 4), (3, 2, 1), reduction="none"),
    "ctc/float64": lambda T: TF(T).ctc_loss(_lp(T).double(), _CT(T), (6, 5, 4), (3, 2, 1)),
    "ctc/empty_input_empty_target": lambda T: TF(T).ctc_loss(_lp(T), _CT(T), (0, 5, 0), (0, 2, 1),
                                                             reduction="none"),
    # modules: option checks at construction
    "module/triplet_margin": lambda T: T.nn.TripletMarginLoss(margin=-1),
    "module/triplet_margin_zero": lambda T: T.nn.TripletMarginLoss(margin=0.0, reduction="foo"),
    "module/triplet_distance_margin": lambda T: T.nn.TripletMarginWithDistanceLoss(margin=0.0),
    "module/multi_margin_p": lambda T: T.nn.MultiMarginLoss(p=3, weight=T.ones(2, 2)),
    "module/multi_margin_weight": lambda T: T.nn.MultiMarginLoss(weight=T.ones(2, 2)),
    "module/bad_reduction_is_lazy": lambda T: T.nn.PoissonNLLLoss(reduction="foo"),
    "module/bad_reduction_forward": lambda T: T.nn.SoftMarginLoss(reduction="foo")(_a(T), _a(T)),
}


def _lp(T):
    x = np.random.default_rng(21).standard_normal((6, 3, 4)).astype(np.float32)
    return TF(T).log_softmax(T.tensor(x), 2)


def _CT(T):
    return T.tensor(ints([1, 2, 2], [3, 1, 0], [2, 0, 0]))


def _no_grad(T, fn):
    with T.no_grad():
        return fn()


@pytest.mark.parametrize("key", list(OUTCOMES))
def test_errors_dtypes_and_shapes(key):
    want = ORACLE.answer(f"outcome/{key}", lambda torch: _outcome(lambda: OUTCOMES[key](torch)))
    got = _outcome(lambda: OUTCOMES[key](numtorch))
    assert got[:3] == want[:3], (got, want)
    if len(want) == 4:
        np.testing.assert_allclose(got[3], want[3], rtol=1e-6, atol=1e-7)


# -- signatures, modules, reprs -------------------------------------------------------------------

FUNCTIONS = ["poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
             "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
             "multilabel_margin_loss", "multi_margin_loss", "triplet_margin_loss",
             "triplet_margin_with_distance_loss", "ctc_loss"]
MODULES = ["PoissonNLLLoss", "GaussianNLLLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
           "HingeEmbeddingLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss",
           "MultiMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "PairwiseDistance",
           "CosineSimilarity", "CTCLoss"]


def _parameters(fn):
    """Names, kinds and defaults of ``fn``'s parameters (annotations aside)."""
    return [[p.name, p.kind.name, None if p.default is inspect.Parameter.empty else repr(p.default)]
            for p in inspect.signature(fn).parameters.values()]


def test_signatures():
    def sigs(T):
        return {"functions": {n: _parameters(getattr(TF(T), n)) for n in FUNCTIONS},
                "modules": {n: _parameters(getattr(T.nn, n).__init__) for n in MODULES},
                "forward": {n: _parameters(getattr(T.nn, n).forward) for n in MODULES}}
    want = ORACLE.answer("signatures", sigs)
    got = sigs(numtorch)
    assert got == want
    assert set(FUNCTIONS) <= set(numtorch.nn.functional.__all__)
    assert set(MODULES) <= set(numtorch.nn.modules.__all__)


def _module_facts(T, m):
    return {"repr": repr(m), "reduction": getattr(m, "reduction", None),
            "attrs": {k: repr(getattr(m, k)) for k in ("log_input", "full", "eps", "margin", "p", "swap",
                                                        "norm", "keepdim", "dim", "blank", "zero_infinity")
                      if hasattr(m, k)},
            "buffers": [name for name, _ in m.named_buffers()],
            "modules": [name for name, _ in m.named_children()],
            "state_dict": list(m.state_dict())}


REPRS = {
    "poisson": lambda T: T.nn.PoissonNLLLoss(log_input=False, full=True, eps=1e-3, reduction="sum"),
    "poisson_legacy": lambda T: T.nn.PoissonNLLLoss(size_average=False),
    "gaussian": lambda T: T.nn.GaussianNLLLoss(full=True, eps=1e-3, reduction="none"),
    "cosine": lambda T: T.nn.CosineEmbeddingLoss(margin=0.3, reduce=False),
    "margin_ranking": lambda T: T.nn.MarginRankingLoss(margin=0.5),
    "hinge": lambda T: T.nn.HingeEmbeddingLoss(margin=2.0, reduction="sum"),
    "soft_margin": lambda T: T.nn.SoftMarginLoss(),
    "multilabel_soft_margin": lambda T: T.nn.MultiLabelSoftMarginLoss(weight=T.ones(3)),
    "multilabel_margin": lambda T: T.nn.MultiLabelMarginLoss(reduction="none"),
    "multi_margin": lambda T: T.nn.MultiMarginLoss(p=2, margin=0.5, weight=T.ones(3)),
    "triplet": lambda T: T.nn.TripletMarginLoss(margin=2.0, p=1.0, eps=1e-3, swap=True),
    "triplet_distance": lambda T: T.nn.TripletMarginWithDistanceLoss(),
    "triplet_distance_function": lambda T: T.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda a, b: (a - b).abs().sum(-1), margin=2.0, swap=True),
    "triplet_distance_module": lambda T: T.nn.TripletMarginWithDistanceLoss(
        distance_function=T.nn.CosineSimilarity(dim=0)),
    "pairwise_distance": lambda T: T.nn.PairwiseDistance(p=1.0, eps=1e-3, keepdim=True),
    "cosine_similarity": lambda T: T.nn.CosineSimilarity(dim=0, eps=1e-4),
    "ctc": lambda T: T.nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True),
}


@pytest.mark.parametrize("name", list(REPRS))
def test_module_reprs_and_options(name):
    def facts(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _module_facts(T, REPRS[name](T))
    want = ORACLE.answer(f"module/{name}", facts)
    assert facts(numtorch) == want


MODULE_CALLS = {
    # name: (module(T), arrays(rng), requires_grad)
    "poisson": (lambda T: T.nn.PoissonNLLLoss(log_input=False, full=True, reduction="none"),
                lambda rng: [U(rng, 0.1, 3, 3, 4), U(rng, 0, 4, 3, 4)], [True, True]),
    "gaussian": (lambda T: T.nn.GaussianNLLLoss(full=True, eps=0.1),
                 lambda rng: [N(rng, 3, 4), N(rng, 3, 4), U(rng, 0, 1, 3, 1)], [True, True, True]),
    "cosine": (lambda T: T.nn.CosineEmbeddingLoss(margin=0.3, reduction="sum"),
               lambda rng: [N(rng, 3, 4), N(rng, 3, 4), ints(1, -1, -1)], [True, True, False]),
    "margin_ranking": (lambda T: T.nn.MarginRankingLoss(margin=0.5),
                       lambda rng: [N(rng, 5), N(rng, 5), np.array([1.0, -1, -1, 1, 1])],
                       [True, True, False]),
    "hinge": (lambda T: T.nn.HingeEmbeddingLoss(margin=2.0, reduction="none"),
              lambda rng: [N(rng, 3, 4), PM1], [True, False]),
    "soft_margin": (lambda T: T.nn.SoftMarginLoss(reduction="sum"),
                    lambda rng: [N(rng, 3, 4), PM1], [True, False]),
    "multilabel_soft_margin": (lambda T: T.nn.MultiLabelSoftMarginLoss(
        weight=T.tensor(np.array([0.5, 1.0, 1.5, 2.0], np.float32))),
                               lambda rng: [N(rng, 3, 4), (PM1 > 0).astype(float)], [True, False]),
    "multilabel_margin": (lambda T: T.nn.MultiLabelMarginLoss(),
                          lambda rng: [N(rng, 3, 4), ints([3, 0, -1, 1], [1, 2, -1, 0], [0, -1, 0, 0])],
                          [True, False]),
    "multi_margin": (lambda T: T.nn.MultiMarginLoss(p=2, margin=0.5, weight=T.tensor(
        np.array([0.5, 1.0, 1.5, 2.0], np.float32)), reduction="none"),
                     lambda rng: [N(rng, 3, 4), ints(0, 3, 1)], [True, False]),
    "triplet": (lambda T: T.nn.TripletMarginLoss(margin=2.0, p=1.0, swap=True),
                lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    "triplet_distance": (lambda T: T.nn.TripletMarginWithDistanceLoss(swap=True, reduction="none"),
                         lambda rng: [N(rng, 3, 4), N(rng, 3, 4), N(rng, 3, 4)], [True, True, True]),
    "pairwise_distance": (lambda T: T.nn.PairwiseDistance(p=3.0, keepdim=True),
                          lambda rng: [N(rng, 3, 4), N(rng, 3, 4)], [True, True]),
    "cosine_similarity": (lambda T: T.nn.CosineSimilarity(dim=0),
                          lambda rng: [N(rng, 3, 4), N(rng, 3, 4)], [True, True]),
    "ctc": (lambda T: T.nn.CTCLoss(blank=3, zero_infinity=True),
            lambda rng: [_log_probs(rng, 6, 3, 4), ints(0, 1, 2, 2, 1, 0), ints(6, 5, 1), ints(3, 1, 2)],
            [True, False, False, False]),
}


@pytest.mark.parametrize("name", list(MODULE_CALLS))
def test_module_forward_parity(name):
    make_module, make, grads = MODULE_CALLS[name]
    key = f"module_call/{name}"
    arrays = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in map(np.asarray, make(rng_for(key)))]
    compare(lambda *a: make_module(numtorch)(*a), lambda torch, *a: make_module(torch)(*a), arrays, grads,
            oracle=ORACLE, key=key)


def test_multi_margin_weight_is_a_buffer_that_moves_with_the_module():
    m = numtorch.nn.MultiMarginLoss(weight=numtorch.ones(3))
    assert isinstance(m.weight, numtorch.Tensor)
    m = m.double()
    assert m.weight.dtype == numtorch.float64
    out = m(numtorch.tensor(N(rng_for("mm_buffer"), 2, 3)), numtorch.tensor([0, 2]))
    assert out.dtype == numtorch.float64
