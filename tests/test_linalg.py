"""``torch.linalg`` (and torch.det / inverse / svd / cholesky_solve / ...) against PyTorch 2.13.

PyTorch's answers (values, dtypes, shapes, ``grad_fn`` names, gradients of a random linear loss,
warnings, error types and messages, reprs, second and third derivatives) are recorded in
``tests/data/linalg.npz`` / ``linalg.json``, so these tests run without torch; with torch
installed each record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_linalg.py``.

Eigenvectors and singular vectors are unique only up to sign (PyTorch documents it, and NumPy's
LAPACK may choose other signs than PyTorch's MKL): cases compare them with each column's sign
fixed by its first entry, which is a gauge-invariant, differentiable function of the
decomposition, so values and gradients are both compared. float64 ``gradcheck`` /
``gradgradcheck`` need no torch at all.
"""
from __future__ import annotations

import json
import os
import warnings
import zlib

import numpy as np
import pytest

import numtorch
from _oracle import live_torch as _torch_or_none  # the installed torch, or None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RECORD_NPZ = os.path.join(DATA, "linalg.npz")
RECORD_JSON = os.path.join(DATA, "linalg.json")


def _rng(name: str):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _t(T, rng, shape, dtype="float64", grad=True):
    return T.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=grad)


def _spd(T, x):
    n = x.shape[-1]
    return x @ x.mT + n * T.eye(n, dtype=x.dtype)


def _sym(x):
    return x + x.mT


def _fix_cols(T, v):
    """``v`` with each column's sign chosen so its first entry is positive."""
    return v * T.sign(v[..., :1, :])


def _fix_svd(T, u, s, vh):
    sign = T.sign(u[..., :1, :])
    k = s.shape[-1]
    return u[..., :, :k] * sign[..., :k], s, vh[..., :k, :] * sign[..., :k].mT


# -- parity cases: make(T, rng) -> (outputs, {name: leaf whose gradient is compared}) -------------

def one(fn, *shapes, dtype="float64", prep=None):
    """``fn(T, *inputs)`` on random inputs of ``shapes`` (``prep`` transforms them first)."""
    def make(T, rng):
        xs = [_t(T, rng, s, dtype) for s in shapes]
        ins = prep(T, *xs) if prep else xs
        out = fn(T, *ins)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        return outs, {f"x{i}": x for i, x in enumerate(xs)}
    return make


def _la(name):
    return lambda T, *a, **k: getattr(T.linalg, name)(*a, **k)


def _spd_prep(T, x):
    return [_spd(T, x)]


def _sym_prep(T, x):
    return [_sym(x)]


def _eigh(T, a, **kw):
    w, v = T.linalg.eigh(a, **kw)
    return w, _fix_cols(T, v)


def _svd(T, a, full=True):
    return _fix_svd(T, *T.linalg.svd(a, full_matrices=full))


def _old_svd(T, a, some=True):
    u, s, v = T.svd(a, some=some)
    sign = T.sign(u[..., :1, :])
    k = s.shape[-1]
    return u[..., :k] * sign[..., :k], s, v[..., :k] * sign[..., :k]


def _qr(T, a, mode="reduced"):
    q, r = T.linalg.qr(a, mode=mode)
    return q, r


def _tri3(T, a):
    return a + 3 * T.eye(a.shape[-1], dtype=a.dtype)


CASES = {
    # inverses and determinants
    "inv": one(lambda T, a: T.linalg.inv(a), (3, 3), dtype="float32"),
    "inv_batched": one(lambda T, a: T.linalg.inv(a), (2, 2, 4, 4)),
    "inv_ex": one(lambda T, a: T.linalg.inv_ex(a), (2, 3, 3)),
    "inverse": one(lambda T, a: T.inverse(a), (3, 3)),
    "inverse_method": one(lambda T, a: a.inverse(), (3, 3), dtype="float32"),
    "det": one(lambda T, a: T.linalg.det(a), (3, 3), dtype="float32"),
    "det_batched": one(lambda T, a: T.det(a), (2, 4, 4)),
    "det_singular": one(lambda T, a: T.det(a * T.tensor([1.0, 1.0, 0.0], dtype=a.dtype)), (3, 3)),
    "det_method": one(lambda T, a: a.det(), (2, 3, 3)),
    "slogdet": one(lambda T, a: T.linalg.slogdet(a), (2, 3, 3)),
    "slogdet_f32": one(lambda T, a: T.linalg.slogdet(a), (4, 4), dtype="float32"),
    "torch_slogdet": one(lambda T, a: T.slogdet(a), (3, 3)),
    "slogdet_method": one(lambda T, a: a.slogdet(), (3, 3)),
    "logdet": one(lambda T, a: T.logdet(a), (3, 3), prep=_spd_prep),
    "logdet_negative": one(lambda T, a: T.logdet(a * T.tensor([-1.0, 1.0, 1.0], dtype=a.dtype)),
                           (3, 3), prep=_spd_prep),
    "logdet_method": one(lambda T, a: a.logdet(), (2, 3, 3), prep=_spd_prep),
    # solve
    "solve": one(lambda T, a, b: T.linalg.solve(a, b), (3, 3), (3, 2), dtype="float32"),
    "solve_vector": one(lambda T, a, b: T.linalg.solve(a, b), (4, 4), (4,)),
    "solve_batched_vectors": one(lambda T, a, b: T.linalg.solve(a, b), (2, 3, 3), (2, 3)),
    "solve_broadcast": one(lambda T, a, b: T.linalg.solve(a, b), (3, 3), (2, 3, 2)),
    "solve_broadcast_a": one(lambda T, a, b: T.linalg.solve(a, b), (2, 3, 3), (3, 1)),
    "solve_right": one(lambda T, a, b: T.linalg.solve(a, b, left=False), (3, 3), (2, 3)),
    "solve_ex": one(lambda T, a, b: T.linalg.solve_ex(a, b), (3, 3), (3, 2)),
    # cholesky
    "cholesky": one(lambda T, a: T.linalg.cholesky(a), (3, 3), prep=_spd_prep),
    "cholesky_f32": one(lambda T, a: T.linalg.cholesky(a), (2, 4, 4), dtype="float32",
                        prep=_spd_prep),
    "cholesky_upper": one(lambda T, a: T.linalg.cholesky(a, upper=True), (3, 3), prep=_spd_prep),
    "cholesky_ex": one(lambda T, a: T.linalg.cholesky_ex(a), (2, 3, 3), prep=_spd_prep),
    "torch_cholesky": one(lambda T, a: T.cholesky(a), (3, 3), prep=_spd_prep),
    "cholesky_method_upper": one(lambda T, a: a.cholesky(upper=True), (3, 3), prep=_spd_prep),
    # qr
    "qr": one(_qr, (4, 3)),
    "qr_f32": one(_qr, (5, 3), dtype="float32"),
    "qr_square_batched": one(_qr, (2, 3, 3)),
    "qr_wide": one(_qr, (2, 4)),
    "qr_complete_wide": one(lambda T, a: _qr(T, a, "complete"), (2, 3)),
    "qr_complete_square": one(lambda T, a: _qr(T, a, "complete"), (3, 3)),
    "torch_qr": one(lambda T, a: T.qr(a), (4, 3)),
    "qr_method": one(lambda T, a: a.qr(), (3, 3)),
    # eigh
    "eigh": one(_eigh, (4, 4), prep=_sym_prep),
    "eigh_f32": one(_eigh, (3, 3), dtype="float32", prep=_sym_prep),
    "eigh_batched": one(_eigh, (2, 3, 3), prep=_sym_prep),
    "eigh_upper": one(lambda T, a: _eigh(T, a, UPLO="U"), (3, 3)),
    "eigh_lower_nonsymmetric": one(_eigh, (3, 3)),
    "eigvalsh": one(lambda T, a: T.linalg.eigvalsh(a), (4, 4), prep=_sym_prep),
    "eigvalsh_upper": one(lambda T, a: T.linalg.eigvalsh(a, UPLO="U"), (3, 3)),
    # svd
    "svd": one(_svd, (3, 3)),
    "svd_tall_full": one(_svd, (4, 3)),
    "svd_wide_full": one(_svd, (2, 4)),
    "svd_tall_reduced": one(lambda T, a: _svd(T, a, False), (5, 3)),
    "svd_wide_reduced_batched": one(lambda T, a: _svd(T, a, False), (2, 3, 5)),
    "svd_f32": one(lambda T, a: _svd(T, a, False), (4, 3), dtype="float32"),
    "svdvals": one(lambda T, a: T.linalg.svdvals(a), (2, 4, 3)),
    "torch_svd": one(_old_svd, (4, 3)),
    "torch_svd_full": one(lambda T, a: _old_svd(T, a, some=False), (3, 4)),
    "torch_svd_no_uv": one(lambda T, a: T.svd(a, compute_uv=False), (4, 3)),
    "svd_method": one(lambda T, a: _old_svd(T, a), (3, 3)),
    # pinv / lstsq / matrix_rank
    "pinv": one(lambda T, a: T.linalg.pinv(a), (4, 3)),
    "pinv_f32_wide": one(lambda T, a: T.linalg.pinv(a), (2, 3, 5), dtype="float32"),
    "pinv_hermitian": one(lambda T, a: T.linalg.pinv(a, hermitian=True), (3, 3), prep=_sym_prep),
    "pinv_rank_deficient": one(lambda T, a: T.linalg.pinv(a[:, :2] @ a[:2, :], rtol=1e-6), (3, 3)),
    "pinv_atol": one(lambda T, a: T.linalg.pinv(a, atol=0.5), (4, 4)),
    "pinv_rcond": one(lambda T, a: T.linalg.pinv(a, 0.3), (4, 4)),
    "pinverse": one(lambda T, a: T.pinverse(a), (3, 4)),
    "lstsq": one(lambda T, a, b: T.linalg.lstsq(a, b), (5, 3), (5, 2)),
    "lstsq_f32": one(lambda T, a, b: T.linalg.lstsq(a, b), (2, 6, 3), (2, 6, 2), dtype="float32"),
    "lstsq_vector": one(lambda T, a, b: T.linalg.lstsq(a, b), (4, 3), (4,)),
    "lstsq_wide": one(lambda T, a, b: T.linalg.lstsq(a, b), (2, 4), (2, 3)),
    "lstsq_gelsd": one(lambda T, a, b: T.linalg.lstsq(a, b, driver="gelsd"), (5, 3), (5, 2)),
    "lstsq_gelss_batched": one(lambda T, a, b: T.linalg.lstsq(a, b, driver="gelss"), (2, 5, 3),
                               (2, 5, 2)),
    "lstsq_gels": one(lambda T, a, b: T.linalg.lstsq(a, b, driver="gels"), (5, 3), (5, 1)),
    "lstsq_gelsd_vector": one(lambda T, a, b: T.linalg.lstsq(a, b, driver="gelsd"), (4, 3), (4,)),
    "lstsq_gelsd_wide": one(lambda T, a, b: T.linalg.lstsq(a, b, driver="gelsd"), (2, 3), (2, 2)),
    "lstsq_rank_deficient": one(lambda T, a, b: T.linalg.lstsq(
        a[:, :1] @ a[:1, :], b, driver="gelsd").singular_values[:1], (4, 3), (4, 2)),
    "matrix_rank": one(lambda T, a: T.linalg.matrix_rank(a), (2, 4, 3), dtype="float32"),
    "matrix_rank_deficient": one(lambda T, a: T.linalg.matrix_rank(a[..., :2] @ a[..., :2, :]),
                                 (3, 3, 3)),
    "matrix_rank_tols": one(lambda T, a: (T.linalg.matrix_rank(a, atol=1.0),
                                          T.linalg.matrix_rank(a, rtol=0.5),
                                          T.linalg.matrix_rank(a, atol=0.1, rtol=0.2),
                                          T.linalg.matrix_rank(a, 1.5),
                                          T.linalg.matrix_rank(_sym(a), hermitian=True)), (4, 4)),
    # matrix functions
    "matrix_exp": one(lambda T, a: T.linalg.matrix_exp(a), (3, 3), dtype="float32"),
    "matrix_exp_batched": one(lambda T, a: T.matrix_exp(a), (2, 4, 4)),
    "matrix_exp_large": one(lambda T, a: T.linalg.matrix_exp(4 * a), (3, 3)),
    "matrix_exp_method": one(lambda T, a: a.matrix_exp(), (2, 2)),
    "matrix_power": one(lambda T, a: [T.linalg.matrix_power(a, k) for k in (0, 1, 2, 3, 5, 6)],
                        (3, 3)),
    "matrix_power_negative": one(lambda T, a: [T.linalg.matrix_power(a, k) for k in (-1, -2, -3)],
                                 (2, 3, 3)),
    "matrix_power_f32": one(lambda T, a: T.matrix_power(a, 4), (3, 3), dtype="float32"),
    "matrix_power_int": one(lambda T, a: T.linalg.matrix_power((a * 2).long(), 3), (3, 3)),
    "matrix_power_method": one(lambda T, a: a.matrix_power(2), (3, 3)),
    # products
    "cross": one(lambda T, a, b: T.linalg.cross(a, b), (4, 3), (4, 3), dtype="float32"),
    "cross_dim": one(lambda T, a, b: T.linalg.cross(a, b, dim=0), (3, 2), (3, 1)),
    "cross_broadcast": one(lambda T, a, b: T.linalg.cross(a, b), (2, 1, 3), (1, 4, 3)),
    "torch_cross_default_dim": one(lambda T, a, b: T.cross(a, b), (2, 3, 3), (2, 3, 3)),
    "torch_cross_dim": one(lambda T, a, b: T.cross(a, b, dim=-1), (2, 3), (2, 3)),
    "cross_method": one(lambda T, a, b: a.cross(b, dim=1), (2, 3), (2, 3)),
    "multi_dot": one(lambda T, a, b, c: T.linalg.multi_dot([a, b, c]), (2, 5), (5, 3), (3, 4)),
    "multi_dot_vectors": one(lambda T, a, b, c, d: T.linalg.multi_dot([a, b, c, d]), (3,), (3, 4),
                             (4, 2), (2,)),
    "multi_dot_first_vector": one(lambda T, a, b: T.linalg.multi_dot([a, b]), (3,), (3, 4),
                                  dtype="float32"),
    "multi_dot_long_chain": one(lambda T, *m: T.linalg.multi_dot(list(m)), (10, 2), (2, 8),
                                (8, 1), (1, 6), (6, 3)),
    "vecdot": one(lambda T, a, b: T.linalg.vecdot(a, b), (2, 3), (3,)),
    "vecdot_dim": one(lambda T, a, b: T.linalg.vecdot(a, b, dim=0), (3, 2), (3, 2),
                      dtype="float32"),
    # triangular systems
    "solve_triangular_upper": one(lambda T, a, b: T.linalg.solve_triangular(_tri3(T, a), b,
                                                                            upper=True),
                                  (3, 3), (3, 2)),
    "solve_triangular_lower_right": one(lambda T, a, b: T.linalg.solve_triangular(
        _tri3(T, a), b, upper=False, left=False), (2, 3, 3), (2, 4, 3)),
    "solve_triangular_unit": one(lambda T, a, b: T.linalg.solve_triangular(
        a, b, upper=False, unitriangular=True), (3, 3), (3, 2), dtype="float32"),
    "torch_triangular_solve": one(lambda T, b, a: T.triangular_solve(b, _tri3(T, a)), (3, 2),
                                  (3, 3)),
    "triangular_solve_lower_t": one(lambda T, b, a: T.triangular_solve(
        b, _tri3(T, a), upper=False, transpose=True), (2, 3, 2), (2, 3, 3)),
    "triangular_solve_method": one(lambda T, b, a: b.triangular_solve(_tri3(T, a), False,
                                                                     unitriangular=True),
                                   (3, 2), (3, 3)),
    "cholesky_solve": one(lambda T, b, l: T.cholesky_solve(b, _tri3(T, l)), (3, 2), (3, 3)),
    "cholesky_solve_upper": one(lambda T, b, l: T.cholesky_solve(b, _tri3(T, l), upper=True),
                                (2, 3, 2), (2, 3, 3)),
    "cholesky_solve_method": one(lambda T, b, l: b.cholesky_solve(_tri3(T, l)), (3, 1), (3, 3),
                                 dtype="float32"),
    "cholesky_inverse": one(lambda T, l: T.cholesky_inverse(_tri3(T, l)), (3, 3)),
    "cholesky_inverse_upper": one(lambda T, l: T.cholesky_inverse(_tri3(T, l), upper=True),
                                  (2, 3, 3)),
    "cholesky_inverse_method": one(lambda T, l: _tri3(T, l).cholesky_inverse(), (3, 3)),
    # norms
    "vector_norm": one(lambda T, a: T.linalg.vector_norm(a), (3, 4), dtype="float32"),
    "vector_norm_ords": one(lambda T, a: [T.linalg.vector_norm(a, o, dim=-1)
                                          for o in (1, 3, 0.5, -1, float("inf"), -float("inf"))],
                            (2, 5)),
    "vector_norm_zero": one(lambda T, a: T.linalg.vector_norm(a * (a > 0), 0, dim=(0, 1)), (2, 3)),
    "vector_norm_keepdim": one(lambda T, a: T.linalg.vector_norm(a, 2, dim=(0, 2), keepdim=True),
                               (2, 3, 4)),
    "vector_norm_dtype": one(lambda T, a: T.linalg.vector_norm(a, dtype=T.float64), (3,),
                             dtype="float32"),
    "matrix_norm": one(lambda T, a: [T.linalg.matrix_norm(a, o) for o in
                                     ("fro", "nuc", 2, -2, 1, -1, float("inf"), -float("inf"))],
                       (2, 4, 3)),
    "matrix_norm_dims_keepdim": one(lambda T, a: [T.linalg.matrix_norm(a, o, dim=(2, 0),
                                                                       keepdim=True)
                                                  for o in ("fro", "nuc", 2, 1, -float("inf"))],
                                    (3, 2, 4)),
    "matrix_norm_f32": one(lambda T, a: T.linalg.matrix_norm(a, "nuc"), (3, 3), dtype="float32"),
    "norm": one(lambda T, a: [T.linalg.norm(a), T.linalg.norm(a, 2), T.linalg.norm(a, "nuc"),
                              T.linalg.norm(a, dim=1), T.linalg.norm(a, 3, dim=0),
                              T.linalg.norm(a, -1, dim=(1, 0)), T.linalg.norm(a[0], 1)], (3, 4)),
    "norm_3d": one(lambda T, a: [T.linalg.norm(a), T.linalg.norm(a, dim=(0, 2)),
                                 T.linalg.norm(a, 2, dim=(1, 2), keepdim=True)], (2, 3, 4)),
    "torch_norm_nuc": one(lambda T, a: [T.norm(a, "nuc"), a.norm(p="nuc"),
                                        T.norm(a.unsqueeze(0), "nuc", dim=(1, 2))], (3, 4)),
}


def _record_warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = fn()
    msgs = sorted({str(x.message).split(" (Triggered internally")[0] for x in w
                   if issubclass(x.category, UserWarning)})
    return res, msgs


def run_case(T, case_id: str) -> dict:
    """The case on ``T`` (torch or numtorch): outputs, dtypes, shapes, grad_fn names,
    warnings and the gradients of ``sum(out_i * g_i)``."""
    rng = _rng(case_id)
    (outs, leaves), msgs = _record_warnings(lambda: CASES[case_id](T, rng))
    res = {"dtypes": [str(o.dtype) for o in outs], "shapes": [list(o.shape) for o in outs],
           "names": [None if o.grad_fn is None else o.grad_fn.name() for o in outs],
           "warnings": msgs}
    loss = None
    for i, o in enumerate(outs):
        res[f"out{i}"] = o.detach().numpy().copy()
        if o.requires_grad:
            g = T.tensor(rng.standard_normal(tuple(o.shape)).astype(res[f"out{i}"].dtype))
            term = (o * g).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
        for k, t in leaves.items():
            if t.grad is not None:
                res["grad_" + k] = t.grad.numpy().copy()
    return res


# -- errors ---------------------------------------------------------------------------------------

def _z(T, *shape, dtype=None):
    return T.zeros(*shape, dtype=dtype) if dtype is not None else T.zeros(*shape)


def _o(T, *shape, dtype=None):
    return T.ones(*shape, dtype=dtype) if dtype is not None else T.ones(*shape)


def _i64(T, *shape):
    return T.ones(*shape, dtype=T.int64)


ERRORS = {
    "inv_singular": lambda T: T.linalg.inv(_z(T, 3, 3)),
    "inv_singular_rank1": lambda T: T.linalg.inv(T.tensor([[1.0, 2.0], [2.0, 4.0]])),
    "inv_singular_batch": lambda T: T.linalg.inv(T.stack([T.eye(3), _z(T, 3, 3)])),
    "inv_singular_batch_2d": lambda T: T.linalg.inv(_z(T, 2, 2, 3, 3)),
    "inv_nonsquare": lambda T: T.linalg.inv(_o(T, 2, 3)),
    "inv_1d": lambda T: T.linalg.inv(_o(T, 3)),
    "inv_int": lambda T: T.linalg.inv(_i64(T, 3, 3)),
    "inv_half": lambda T: T.linalg.inv(_o(T, 3, 3, dtype=T.float16)),
    "inv_ex_check": lambda T: T.linalg.inv_ex(_z(T, 3, 3), check_errors=True),
    "inverse_int": lambda T: T.inverse(_i64(T, 3, 3)),
    "det_int": lambda T: T.linalg.det(_i64(T, 3, 3)),
    "det_bool": lambda T: T.linalg.det(_o(T, 3, 3, dtype=T.bool)),
    "det_nonsquare": lambda T: T.linalg.det(_o(T, 2, 3)),
    "det_1d": lambda T: T.det(_o(T, 3)),
    "det_half": lambda T: T.linalg.det(_o(T, 3, 3, dtype=T.float16)),
    "slogdet_int": lambda T: T.linalg.slogdet(_i64(T, 3, 3)),
    "logdet_int": lambda T: T.logdet(_i64(T, 3, 3)),
    "logdet_1d": lambda T: T.logdet(_o(T, 3)),
    "solve_singular": lambda T: T.linalg.solve(_z(T, 3, 3), _o(T, 3)),
    "solve_singular_batch": lambda T: T.linalg.solve(T.stack([T.eye(3), _z(T, 3, 3)]), _o(T, 2, 3)),
    "solve_int": lambda T: T.linalg.solve(_i64(T, 3, 3), _i64(T, 3)),
    "solve_shape": lambda T: T.linalg.solve(T.eye(3), _o(T, 4)),
    "solve_shape_matrix": lambda T: T.linalg.solve(T.eye(3), _o(T, 4, 2)),
    "solve_dtype": lambda T: T.linalg.solve(T.eye(3), _o(T, 3, dtype=T.float64)),
    "solve_batch": lambda T: T.linalg.solve(T.eye(3).expand(2, 3, 3), _o(T, 3, 3, 1)),
    "solve_1d_a": lambda T: T.linalg.solve(_o(T, 3), _o(T, 3)),
    "solve_0d_b": lambda T: T.linalg.solve(T.eye(3), T.tensor(1.0)),
    "cholesky_not_pd": lambda T: T.linalg.cholesky(-T.eye(3)),
    "cholesky_not_pd_2": lambda T: T.linalg.cholesky(T.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "cholesky_not_pd_batch": lambda T: T.linalg.cholesky(
        T.stack([T.eye(2), T.tensor([[1.0, 2.0], [2.0, 1.0]])])),
    "cholesky_ex_check": lambda T: T.linalg.cholesky_ex(-T.eye(2), check_errors=True),
    "cholesky_int": lambda T: T.linalg.cholesky(_i64(T, 3, 3)),
    "cholesky_half": lambda T: T.linalg.cholesky(_o(T, 3, 3, dtype=T.float16)),
    "cholesky_nonsquare": lambda T: T.linalg.cholesky(_o(T, 2, 3)),
    "qr_int": lambda T: T.linalg.qr(_i64(T, 3, 3)),
    "qr_1d": lambda T: T.linalg.qr(_o(T, 3)),
    "qr_mode": lambda T: T.linalg.qr(_o(T, 2, 3), mode="foo"),
    "qr_complete_backward": lambda T: T.linalg.qr(_o(T, 4, 3).requires_grad_(),
                                                  mode="complete")[0].sum().backward(),
    "qr_r_backward": lambda T: T.linalg.qr(_o(T, 3, 3).requires_grad_(),
                                           mode="r")[1].sum().backward(),
    "eigh_int": lambda T: T.linalg.eigh(_i64(T, 3, 3)),
    "eigh_nonsquare": lambda T: T.linalg.eigh(_o(T, 2, 3)),
    "eigh_uplo": lambda T: T.linalg.eigh(T.eye(3), UPLO="X"),
    "eigvalsh_1d": lambda T: T.linalg.eigvalsh(_o(T, 3)),
    "svd_int": lambda T: T.linalg.svd(_i64(T, 3, 3)),
    "svd_1d": lambda T: T.linalg.svd(_o(T, 3)),
    "svd_half": lambda T: T.linalg.svd(_o(T, 3, 3, dtype=T.float16)),
    "svdvals_int": lambda T: T.linalg.svdvals(_i64(T, 2, 3)),
    "torch_svd_int": lambda T: T.svd(_i64(T, 3, 3)),
    "pinv_int": lambda T: T.linalg.pinv(_i64(T, 3, 3)),
    "pinv_1d": lambda T: T.linalg.pinv(_o(T, 3)),
    "lstsq_int": lambda T: T.linalg.lstsq(_i64(T, 3, 3), _i64(T, 3, 3)),
    "lstsq_shape": lambda T: T.linalg.lstsq(_o(T, 4, 3), _o(T, 5, 2)),
    "lstsq_dtype": lambda T: T.linalg.lstsq(_o(T, 4, 3), _o(T, 4, 2, dtype=T.float64)),
    "lstsq_driver": lambda T: T.linalg.lstsq(_o(T, 4, 3), _o(T, 4, 2), driver="foo"),
    "lstsq_1d": lambda T: T.linalg.lstsq(_o(T, 4), _o(T, 4)),
    "matrix_rank_int": lambda T: T.linalg.matrix_rank(_i64(T, 3, 3)),
    "matrix_rank_1d": lambda T: T.linalg.matrix_rank(_o(T, 3)),
    "matrix_power_nonsquare": lambda T: T.linalg.matrix_power(_o(T, 2, 3), 2),
    "matrix_power_float_n": lambda T: T.linalg.matrix_power(T.eye(3), 2.0),
    "matrix_power_int_negative": lambda T: T.linalg.matrix_power(_i64(T, 3, 3), -2),
    "matrix_power_singular": lambda T: T.linalg.matrix_power(_z(T, 3, 3), -1),
    "matrix_exp_int": lambda T: T.linalg.matrix_exp(_i64(T, 3, 3)),
    "matrix_exp_nonsquare": lambda T: T.linalg.matrix_exp(_o(T, 2, 3)),
    "cross_length": lambda T: T.linalg.cross(_o(T, 3, 4), _o(T, 4, 3)),
    "cross_ndim": lambda T: T.linalg.cross(_o(T, 2, 3), _o(T, 3)),
    "torch_cross_no_3": lambda T: T.cross(_o(T, 2, 4), _o(T, 2, 4)),
    "multi_dot_one": lambda T: T.linalg.multi_dot([_o(T, 2, 3)]),
    "multi_dot_shapes": lambda T: T.linalg.multi_dot([_o(T, 2, 3), _o(T, 2, 3)]),
    "multi_dot_3d": lambda T: T.linalg.multi_dot([_o(T, 2, 3, 3), _o(T, 3, 3)]),
    "multi_dot_dtype": lambda T: T.linalg.multi_dot([_o(T, 3, 3), _o(T, 3, 3, dtype=T.float64)]),
    "vecdot_int": lambda T: T.linalg.vecdot(_i64(T, 2, 3), _i64(T, 3)),
    "vecdot_dtype": lambda T: T.linalg.vecdot(_o(T, 2, 3), _o(T, 3, dtype=T.float64)),
    "vector_norm_int": lambda T: T.linalg.vector_norm(_i64(T, 3)),
    "vector_norm_int_dtype": lambda T: T.linalg.vector_norm(_i64(T, 3), dtype=T.float32),
    "vector_norm_narrowing": lambda T: T.linalg.vector_norm(_o(T, 3, dtype=T.float64),
                                                            dtype=T.float32),
    "vector_norm_str": lambda T: T.linalg.vector_norm(_o(T, 3), "fro"),
    "matrix_norm_int": lambda T: T.linalg.matrix_norm(_i64(T, 3, 3)),
    "matrix_norm_order": lambda T: T.linalg.matrix_norm(_o(T, 2, 3), 3),
    "matrix_norm_order_str": lambda T: T.linalg.matrix_norm(_o(T, 2, 3), "foo"),
    "matrix_norm_1d": lambda T: T.linalg.matrix_norm(_o(T, 3)),
    "matrix_norm_dim": lambda T: T.linalg.matrix_norm(_o(T, 3, 3, 3), dim=(0,)),
    "matrix_norm_same_dims": lambda T: T.linalg.matrix_norm(_o(T, 3, 3, 3), dim=(0, 0)),
    "norm_3d_ord": lambda T: T.linalg.norm(_o(T, 3, 3, 3), "fro"),
    "norm_nuc_1d": lambda T: T.linalg.norm(_o(T, 3), "nuc"),
    "norm_dims": lambda T: T.linalg.norm(_o(T, 3, 3, 3), dim=(0, 1, 2)),
    "norm_int": lambda T: T.linalg.norm(_i64(T, 3, 3)),
    "torch_norm_nuc_3d": lambda T: T.norm(_o(T, 2, 3, 4), "nuc"),
    "solve_triangular_int": lambda T: T.linalg.solve_triangular(_i64(T, 3, 3), _i64(T, 3, 3),
                                                                upper=True),
    "solve_triangular_1d": lambda T: T.linalg.solve_triangular(T.eye(3), _o(T, 3), upper=True),
    "solve_triangular_shape": lambda T: T.linalg.solve_triangular(T.eye(3), _o(T, 4, 2),
                                                                  upper=True),
    "solve_triangular_nonsquare": lambda T: T.linalg.solve_triangular(_o(T, 2, 3), _o(T, 2, 3),
                                                                      upper=True),
    "cholesky_solve_1d": lambda T: T.cholesky_solve(_o(T, 3), T.eye(3)),
    "cholesky_solve_shape": lambda T: T.cholesky_solve(_o(T, 4, 2), T.eye(3)),
    "cholesky_solve_dtype": lambda T: T.cholesky_solve(_o(T, 3, 2, dtype=T.float64), T.eye(3)),
    "cholesky_solve_int": lambda T: T.cholesky_solve(_i64(T, 3, 3), _i64(T, 3, 3)),
    "cholesky_inverse_1d": lambda T: T.cholesky_inverse(_o(T, 3)),
    "cholesky_inverse_int": lambda T: T.cholesky_inverse(_i64(T, 3, 3)),
}


def error_of(T, case_id: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ERRORS[case_id](T)
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return [type(e).__name__, str(e), isinstance(e, RuntimeError)]
    return None


# -- printed results ------------------------------------------------------------------------------

_A = [[2.0, 1.0], [1.0, 3.0]]
_B = [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]
REPRS = {
    "slogdet": lambda T: T.linalg.slogdet(T.tensor(_A, requires_grad=True)),
    "torch_slogdet": lambda T: T.slogdet(T.tensor([[-2.0, 0.0], [0.0, 3.0]])),
    "inv_ex": lambda T: T.linalg.inv_ex(T.tensor(_A)),
    "cholesky_ex": lambda T: T.linalg.cholesky_ex(T.tensor([[4.0, 2.0], [2.0, 2.0]])),
    "cholesky_ex_failed": lambda T: T.linalg.cholesky_ex(T.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "cholesky_ex_failed_3": lambda T: T.linalg.cholesky_ex(
        T.tensor([[4.0, 2.0, 1.0], [2.0, 1.0, 3.0], [1.0, 3.0, 2.0]])),
    "eigvals": lambda T: T.linalg.eigh(T.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues,
    "qr_r": lambda T: T.linalg.qr(T.tensor(_B), mode="r"),
    "lstsq": lambda T: T.linalg.lstsq(T.tensor(_B), T.tensor([[1.0], [2.0], [2.0]])).rank,
    "lstsq_gelsd": lambda T: T.linalg.lstsq(T.tensor(_B, dtype=T.float64),
                                            T.tensor([1.0, 2.0, 2.0], dtype=T.float64),
                                            driver="gelsd").residuals.shape,
    "svd_no_uv": lambda T: T.svd(T.tensor(_B), compute_uv=False).V,
    "matrix_rank": lambda T: T.linalg.matrix_rank(T.tensor(_B)),
    "solve_ex_info": lambda T: T.linalg.solve_ex(T.tensor(_A), T.tensor([1.0, 2.0])).info,
    "inv_ex_info": lambda T: T.linalg.inv_ex(T.zeros(2, 3, 3)).info,
    "det_zero": lambda T: T.det(T.zeros(2, 2)),
    "slogdet_zero": lambda T: T.linalg.slogdet(T.zeros(2, 2)),
    "logdet_negative": lambda T: T.logdet(T.tensor([[-1.0, 0.0], [0.0, 1.0]])),
    "matrix_power_0": lambda T: T.linalg.matrix_power(T.tensor(_A, requires_grad=True), 0),
    "error_type": lambda T: (issubclass(T.linalg.LinAlgError, RuntimeError),
                             T.linalg.LinAlgError.__name__),
}


def repr_of(T, key: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return repr(REPRS[key](T))


# -- second and third derivatives ---------------------------------------------------------------

HIGHER = {
    "inv": (lambda T, a: T.linalg.inv(a), [(3, 3)]),
    "det": (lambda T, a: T.linalg.det(a), [(2, 3, 3)]),
    "slogdet": (lambda T, a: T.linalg.slogdet(a)[1], [(3, 3)]),
    "solve": (lambda T, a, b: T.linalg.solve(a, b), [(3, 3), (3, 2)]),
    "cholesky": (lambda T, a: T.linalg.cholesky(_spd(T, a)), [(3, 3)]),
    "qr": (lambda T, a: T.linalg.qr(a)[1], [(4, 3)]),
    "eigh": (lambda T, a: _eigh(T, _sym(a))[1], [(3, 3)]),
    "eigvalsh": (lambda T, a: T.linalg.eigvalsh(_sym(a)), [(3, 3)]),
    "svd": (lambda T, a: _svd(T, a, False)[0], [(4, 3)]),
    "svdvals": (lambda T, a: T.linalg.svdvals(a), [(3, 4)]),
    "pinv": (lambda T, a: T.linalg.pinv(a), [(4, 3)]),
    "lstsq": (lambda T, a, b: T.linalg.lstsq(a, b).solution, [(5, 3), (5, 2)]),
    "matrix_exp": (lambda T, a: T.linalg.matrix_exp(a), [(3, 3)]),
    "cross": (lambda T, a, b: T.linalg.cross(a, b), [(2, 3), (2, 3)]),
    "solve_triangular": (lambda T, a, b: T.linalg.solve_triangular(_tri3(T, a), b, upper=False),
                         [(3, 3), (3, 2)]),
    "cholesky_solve": (lambda T, b, l: T.cholesky_solve(b, _tri3(T, l)), [(3, 2), (3, 3)]),
    "matrix_norm_nuc": (lambda T, a: T.linalg.matrix_norm(a, "nuc"), [(3, 4)]),
}


def run_higher(T, case_id: str) -> dict:
    rng = _rng("higher-" + case_id)
    fn, shapes = HIGHER[case_id]
    xs = [T.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    y = fn(T, *xs)
    g = T.tensor(rng.standard_normal(tuple(y.shape)))
    gs = T.autograd.grad((y * g).sum(), xs, create_graph=True)
    loss2 = sum((gi * gi).sum() for gi in gs)
    ggs = T.autograd.grad(loss2, xs, create_graph=True)
    loss3 = sum((gi * gi * gi).sum() for gi in ggs)
    g3s = T.autograd.grad(loss3, xs)
    res = {}
    for i in range(len(xs)):
        res[f"g{i}"] = gs[i].detach().numpy()
        res[f"gg{i}"] = ggs[i].detach().numpy()
        res[f"g3{i}"] = g3s[i].numpy()
    return res


# -- the record ---------------------------------------------------------------------------------

def regenerate() -> tuple:
    """PyTorch's answers for every case: (arrays for the .npz, facts for the .json)."""
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "reprs": {}}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = {k: res.pop(k) for k in ("dtypes", "shapes", "names", "warnings")}
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid in ERRORS:
        facts["errors"][cid] = error_of(torch, cid)
    for key in REPRS:
        facts["reprs"][key] = repr_of(torch, key)
    for cid in HIGHER:
        arrays.update({f"higher/{cid}/{k}": v for k, v in run_higher(torch, cid).items()})
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    with np.load(RECORD_NPZ) as z:
        arrays = {k: z[k] for k in z.files}
    with open(RECORD_JSON, encoding="utf-8") as f:
        facts = json.load(f)
    return arrays, facts


def _tol(dtype: str) -> dict:
    if dtype in ("torch.float64", "torch.int64", "torch.int32"):
        return dict(rtol=1e-7, atol=1e-9)
    return dict(rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    arrays, facts = record
    want = facts["cases"][case_id]
    got = run_case(numtorch, case_id)
    for k in ("dtypes", "shapes", "names"):
        assert got[k] == want[k], k
    if case_id.startswith("torch_"):     # PyTorch warns once per process: on its first use
        assert got["warnings"] == want["warnings"]
    keys = sorted(k[len(case_id) + 1:] for k in arrays if k.startswith(case_id + "/"))
    assert sorted(k for k in got if k.startswith(("out", "grad_"))) == keys
    tol = _tol("torch.float32" if "torch.float32" in want["dtypes"] else want["dtypes"][0])
    for k in keys:
        np.testing.assert_allclose(got[k], arrays[f"{case_id}/{k}"], err_msg=k, **tol)
    torch = _torch_or_none()
    if torch is not None:                              # the record is still PyTorch's answer
        live = run_case(torch, case_id)
        assert [live[k] for k in ("dtypes", "shapes", "names")] == \
            [want[k] for k in ("dtypes", "shapes", "names")]
        for k in keys:
            np.testing.assert_allclose(live[k], arrays[f"{case_id}/{k}"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(numtorch, case_id)
    assert want is not None and got is not None, (want, got)
    assert got == want
    torch = _torch_or_none()
    if torch is not None:
        assert error_of(torch, case_id) == want


@pytest.mark.parametrize("key", list(REPRS))
def test_reprs(key, record):
    want = record[1]["reprs"][key]
    assert repr_of(numtorch, key) == want
    torch = _torch_or_none()
    if torch is not None:
        assert repr_of(torch, key) == want


@pytest.mark.parametrize("case_id", list(HIGHER))
def test_higher_order(case_id, record):
    arrays = record[0]
    got = run_higher(numtorch, case_id)
    for k, v in got.items():
        np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=1e-6, atol=1e-8,
                                   err_msg=k)
    torch = _torch_or_none()
    if torch is not None:
        live = run_higher(torch, case_id)
        for k, v in live.items():
            np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=1e-9, atol=1e-10)


# -- numeric gradient checks (float64, no torch) ------------------------------------------------

def _eye(n):
    return numtorch.eye(n, dtype=numtorch.float64)


L = numtorch.linalg
GRADCHECK = {
    "inv": (lambda a: L.inv(a), [(2, 3, 3)]),
    "inv_ex": (lambda a: L.inv_ex(a).inverse, [(3, 3)]),
    "det": (lambda a: L.det(a), [(2, 3, 3)]),
    "det_singular": (lambda a: L.det(a * numtorch.tensor([1.0, 1.0, 0.0], dtype=a.dtype)),
                     [(3, 3)]),
    "slogdet": (lambda a: L.slogdet(a)[1], [(2, 3, 3)]),
    "logdet": (lambda a: numtorch.logdet(_spd(numtorch, a)), [(3, 3)]),
    "solve": (lambda a, b: L.solve(a, b), [(2, 3, 3), (2, 3, 2)]),
    "solve_vector": (lambda a, b: L.solve(a, b), [(3, 3), (3,)]),
    "solve_batched_vectors": (lambda a, b: L.solve(a, b), [(2, 3, 3), (2, 3)]),
    "solve_broadcast": (lambda a, b: L.solve(a, b), [(3, 3), (2, 3, 2)]),
    "solve_right": (lambda a, b: L.solve(a, b, left=False), [(3, 3), (2, 3)]),
    "cholesky": (lambda a: L.cholesky(_spd(numtorch, a)), [(2, 3, 3)]),
    "cholesky_upper": (lambda a: L.cholesky(_spd(numtorch, a), upper=True), [(3, 3)]),
    "qr": (lambda a: L.qr(a), [(4, 3)]),
    "qr_wide": (lambda a: L.qr(a), [(2, 4)]),
    "qr_square_batched": (lambda a: L.qr(a), [(2, 3, 3)]),
    "qr_complete_wide": (lambda a: L.qr(a, mode="complete"), [(2, 4)]),
    "eigh": (lambda a: _eigh(numtorch, _sym(a)), [(2, 3, 3)]),
    "eigh_reconstruction": (lambda a: (lambda w, v: (v * w[..., None, :]) @ v.mT)(
        *L.eigh(_sym(a))), [(3, 3)]),
    "eigvalsh": (lambda a: L.eigvalsh(_sym(a)), [(3, 3)]),
    "svdvals": (lambda a: L.svdvals(a), [(4, 3)]),
    "svd_tall": (lambda a: _svd(numtorch, a, False), [(4, 3)]),
    "svd_wide": (lambda a: _svd(numtorch, a, False), [(2, 4)]),
    "svd_full": (lambda a: _svd(numtorch, a, True), [(4, 3)]),
    "svd_projector_u": (lambda a: (lambda u, s, vh: u @ u.mT)(*L.svd(a, full_matrices=False)),
                        [(4, 3)]),
    "svd_projector_v": (lambda a: (lambda u, s, vh: vh.mT @ vh)(*L.svd(a, full_matrices=False)),
                        [(2, 4)]),
    "torch_svd": (lambda a: _old_svd(numtorch, a), [(3, 3)]),
    "pinv": (lambda a: L.pinv(a), [(4, 3)]),
    "pinv_wide": (lambda a: L.pinv(a), [(2, 3, 4)]),
    "pinv_hermitian": (lambda a: L.pinv(_sym(a), hermitian=True), [(3, 3)]),
    "lstsq": (lambda a, b: L.lstsq(a, b).solution, [(5, 3), (5, 2)]),
    "lstsq_wide": (lambda a, b: L.lstsq(a, b).solution, [(2, 4), (2, 2)]),
    "lstsq_vector": (lambda a, b: L.lstsq(a, b).solution, [(5, 3), (5,)]),
    "lstsq_residuals": (lambda a, b: L.lstsq(a, b, driver="gelsd").residuals, [(5, 3), (5, 2)]),
    "matrix_exp": (lambda a: L.matrix_exp(a), [(2, 3, 3)]),
    "matrix_exp_large": (lambda a: L.matrix_exp(3 * a), [(3, 3)]),
    "cross": (lambda a, b: L.cross(a, b), [(2, 3), (2, 3)]),
    "cross_dim_broadcast": (lambda a, b: L.cross(a, b, dim=0), [(3, 2), (3, 1)]),
    "solve_triangular": (lambda a, b: L.solve_triangular(a + 3 * _eye(3), b, upper=True),
                         [(3, 3), (3, 2)]),
    "solve_triangular_right_unit": (lambda a, b: L.solve_triangular(
        a, b, upper=False, left=False, unitriangular=True), [(3, 3), (2, 3)]),
    "cholesky_solve": (lambda b, l: numtorch.cholesky_solve(b, l.tril() + 3 * _eye(3)),
                       [(3, 2), (3, 3)]),
    "cholesky_solve_upper": (lambda b, l: numtorch.cholesky_solve(b, l.triu() + 3 * _eye(3),
                                                                  upper=True), [(3, 2), (3, 3)]),
    "cholesky_inverse": (lambda l: numtorch.cholesky_inverse(l.tril() + 3 * _eye(3)), [(3, 3)]),
    "vector_norm": (lambda a: L.vector_norm(a, 3, dim=-1), [(2, 3)]),
    "norm": (lambda a: L.norm(a), [(2, 3)]),
    "matrix_norm_nuc": (lambda a: L.matrix_norm(a, "nuc"), [(2, 4, 3)]),
    "matrix_norm_2": (lambda a: L.matrix_norm(a, 2), [(4, 3)]),
    "matrix_norm_m2": (lambda a: L.matrix_norm(a, -2), [(4, 3)]),
    "matrix_power": (lambda a: L.matrix_power(a, 3), [(3, 3)]),
    "matrix_power_negative": (lambda a: L.matrix_power(a, -2), [(3, 3)]),
    "multi_dot": (lambda a, b, c: L.multi_dot([a, b, c]), [(3,), (3, 4), (4, 2)]),
    "vecdot": (lambda a, b: L.vecdot(a, b), [(2, 3), (3,)]),
}


@pytest.mark.parametrize("case_id", list(GRADCHECK))
def test_gradcheck(case_id):
    fn, shapes = GRADCHECK[case_id]
    rng = _rng("gradcheck-" + case_id)
    xs = [numtorch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert numtorch.autograd.gradcheck(fn, xs, eps=1e-6, atol=1e-5, rtol=1e-3)
    assert numtorch.autograd.gradgradcheck(fn, xs, eps=1e-6, atol=1e-5, rtol=1e-3)


# -- the namespace and the graph ------------------------------------------------------------------

def test_namespace():
    assert numtorch.linalg.LinAlgError is not RuntimeError
    assert issubclass(numtorch.linalg.LinAlgError, RuntimeError)
    for name in ("norm", "vector_norm", "matrix_norm", "inv", "inv_ex", "det", "slogdet", "solve",
                 "cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv",
                 "lstsq", "matrix_rank", "matrix_power", "cross", "multi_dot", "matrix_exp",
                 "vecdot", "solve_triangular", "solve_ex", "matmul", "diagonal"):
        assert callable(getattr(numtorch.linalg, name)), name
    with pytest.raises(AttributeError, match="torch.linalg.eig yet"):
        numtorch.linalg.eig


def test_one_node_several_outputs():
    a = numtorch.tensor(_rng("multi").standard_normal((4, 3)), requires_grad=True)
    u, s, vh = numtorch.linalg.svd(a, full_matrices=False)
    assert u.grad_fn is s.grad_fn is vh.grad_fn
    assert type(u.grad_fn).__name__ == "LinalgSvdBackward0"
    (s.sum() + (u * u).sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), (u @ vh).detach().numpy(), atol=1e-12)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        s.sum().backward()


def test_saved_output_modified_in_place():
    a = numtorch.tensor(_rng("inplace").standard_normal((3, 3)), requires_grad=True)
    w, v = numtorch.linalg.eigh(a + a.mT)
    v.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()


def test_no_grad_outputs():
    a = numtorch.tensor(_rng("nograd").standard_normal((3, 3)), requires_grad=True)
    with numtorch.no_grad():
        q, r = numtorch.linalg.qr(a)
    assert not q.requires_grad and q.grad_fn is None
    assert not numtorch.linalg.lstsq(a, a).rank.requires_grad
