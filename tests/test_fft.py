"""``torch.fft`` and the complex-tensor support it needs, against PyTorch 2.13.

PyTorch's answers (complex and real values, dtypes, shapes, ``grad_fn`` names, gradients of a
random real loss, error types and messages, printed complex tensors, second and third
derivatives) are recorded in ``tests/data/fft.npz`` / ``fft.json``, so these tests run without
torch; with torch installed each record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_fft.py``. float64 ``gradcheck`` / ``gradgradcheck`` (through
``view_as_real`` where an output is complex) need no torch at all.
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
RECORD_NPZ = os.path.join(DATA, "fft.npz")
RECORD_JSON = os.path.join(DATA, "fft.json")


def _rng(name: str):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _t(T, rng, shape, dtype="float32", grad=True):
    if dtype.startswith("complex"):
        a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    elif dtype.startswith("int"):
        a = rng.integers(-3, 4, shape).astype(dtype)
        grad = False
    else:
        a = rng.standard_normal(shape).astype(dtype)
    return T.tensor(a, requires_grad=grad)


def one(fn, *shapes, dtype="float32"):
    """``fn(T, *inputs)`` on random inputs (``dtype`` one for all, or one per input)."""
    dtypes = dtype if isinstance(dtype, tuple) else (dtype,) * len(shapes)

    def make(T, rng):
        xs = [_t(T, rng, s, d) for s, d in zip(shapes, dtypes)]
        out = fn(T.fft, T, *xs)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        return outs, {f"x{i}": x for i, x in enumerate(xs)}
    return make


C64, C128 = "complex64", "complex128"

CASES = {
    # one dimension
    "fft": one(lambda F, T, a: F.fft(a), (8,)),
    "fft_batched_dim0": one(lambda F, T, a: F.fft(a, dim=0), (5, 3)),
    "fft_n_pad": one(lambda F, T, a: F.fft(a, n=10), (2, 7)),
    "fft_n_trim": one(lambda F, T, a: F.fft(a, n=4, norm="ortho"), (2, 7)),
    "fft_forward_norm": one(lambda F, T, a: F.fft(a, norm="forward"), (6,), dtype="float64"),
    "fft_complex": one(lambda F, T, a: F.fft(a), (3, 6), dtype=C64),
    "fft_complex128_n": one(lambda F, T, a: F.fft(a, n=9, norm="ortho"), (6,), dtype=C128),
    "fft_int": one(lambda F, T, a: F.fft(a), (6,), dtype="int64"),
    "ifft": one(lambda F, T, a: F.ifft(a), (8,), dtype=C64),
    "ifft_real": one(lambda F, T, a: F.ifft(a, n=6), (2, 5)),
    "ifft_norms": one(lambda F, T, a: [F.ifft(a, norm=n) for n in ("backward", "ortho", "forward")],
                      (5,), dtype=C128),
    "rfft": one(lambda F, T, a: F.rfft(a), (8,)),
    "rfft_odd": one(lambda F, T, a: F.rfft(a, dim=0), (7, 2), dtype="float64"),
    "rfft_n": one(lambda F, T, a: F.rfft(a, n=11, norm="forward"), (3, 8)),
    "rfft_trim": one(lambda F, T, a: F.rfft(a, n=5, norm="ortho"), (3, 8)),
    "irfft": one(lambda F, T, a: F.irfft(a), (5,), dtype=C64),
    "irfft_odd_n": one(lambda F, T, a: F.irfft(a, n=9), (2, 5), dtype=C128),
    "irfft_trim_n": one(lambda F, T, a: F.irfft(a, n=4, norm="ortho"), (6,), dtype=C64),
    "irfft_pad_n": one(lambda F, T, a: F.irfft(a, n=14, norm="forward", dim=0), (4, 2), dtype=C64),
    "irfft_real_input": one(lambda F, T, a: F.irfft(a), (5,)),
    "round_trip": one(lambda F, T, a: F.irfft(F.rfft(a), n=a.shape[-1]), (3, 7)),
    "rfft_abs": one(lambda F, T, a: F.rfft(a).abs(), (2, 16)),
    "rfft_power": one(lambda F, T, a: F.rfft(a).abs() ** 2, (10,), dtype="float64"),
    "hfft": one(lambda F, T, a: F.hfft(a), (5,), dtype=C64),
    "hfft_n": one(lambda F, T, a: F.hfft(a, n=7, norm="ortho"), (2, 4), dtype=C128),
    "ihfft": one(lambda F, T, a: F.ihfft(a), (7,)),
    # n dimensions
    "fft2": one(lambda F, T, a: F.fft2(a), (2, 4, 5)),
    "fft2_complex": one(lambda F, T, a: F.fft2(a, norm="ortho"), (4, 3), dtype=C64),
    "ifft2": one(lambda F, T, a: F.ifft2(a, s=(5, 2)), (3, 4), dtype=C128),
    "rfft2": one(lambda F, T, a: F.rfft2(a), (2, 4, 6)),
    "irfft2": one(lambda F, T, a: F.irfft2(a), (4, 3), dtype=C64),
    "irfft2_s": one(lambda F, T, a: F.irfft2(a, s=(6, 7)), (4, 3), dtype=C128),
    "fftn": one(lambda F, T, a: F.fftn(a), (2, 3, 4)),
    "fftn_s_dim": one(lambda F, T, a: F.fftn(a, s=(4, -1), dim=(2, 0), norm="forward"), (2, 3, 3)),
    "fftn_s_only": one(lambda F, T, a: F.fftn(a, s=(2, 5)), (3, 3, 4), dtype=C64),
    "ifftn": one(lambda F, T, a: F.ifftn(a, dim=(0,)), (4, 3), dtype=C64),
    "ifftn_real": one(lambda F, T, a: F.ifftn(a), (3, 4)),
    "rfftn": one(lambda F, T, a: F.rfftn(a, dim=(0, 2)), (3, 2, 5)),
    "irfftn": one(lambda F, T, a: F.irfftn(a, s=(4, 9)), (4, 3), dtype=C64),
    "hfft2": one(lambda F, T, a: F.hfft2(a), (3, 3), dtype=C64),
    "ihfft2": one(lambda F, T, a: F.ihfft2(a), (3, 4)),
    "ihfftn": one(lambda F, T, a: F.ihfftn(a, s=(3, 6), norm="ortho"), (2, 4, 5), dtype="float64"),
    "conv_via_fft": one(lambda F, T, a, b: F.irfft(F.rfft(a, n=12) * F.rfft(b, n=12), n=12),
                        (8,), (5,)),
    "filter_real_mask": one(lambda F, T, a, m: F.irfft(F.rfft(a) * m, n=8), (3, 8), (5,)),
    # helpers
    "fftfreq": one(lambda F, T: [F.fftfreq(5), F.fftfreq(8, 0.1), F.fftfreq(4, dtype=T.float64)]),
    "rfftfreq": one(lambda F, T: [F.rfftfreq(5), F.rfftfreq(8, d=2.0)]),
    "fftshift": one(lambda F, T, a: [F.fftshift(a), F.fftshift(a, dim=1), F.ifftshift(a),
                                     F.ifftshift(a, dim=(0,))], (3, 5)),
    "fftshift_freq": one(lambda F, T: F.fftshift(F.fftfreq(7))),
    # complex tensors themselves
    "complex_parts": one(lambda F, T, z: [z.real, z.imag, z.abs(), z.angle(), z.conj(),
                                          T.view_as_real(z), T.conj_physical(z)], (2, 3),
                         dtype=C64),
    "complex_from_parts": one(lambda F, T, a, b: [T.complex(a, b), T.polar(a.abs(), b),
                                                  T.view_as_complex(T.stack([a, b], -1))],
                              (4,), (4,), dtype="float64"),
    "complex_mul_div": one(lambda F, T, z, w: [z * w, z / w, z * w.conj(), (z * z.conj()).real],
                           (3,), (3,), dtype=C64),
    "complex_real_mixed": one(lambda F, T, z, x: [z * x, x * z, z / x, z + x, x - z],
                              (3,), (3,), dtype=(C128, "float64")),
    "complex_scalars": one(lambda F, T, z, x: [z * 2.5, z + 1, x * 1j, 1j * x, z * (2 - 1j)],
                           (3,), (3,), dtype=(C64, "float32")),
    "complex_angle_real": one(lambda F, T, x: x.angle(), (4,), dtype="float64"),
    "complex_sum_mean": one(lambda F, T, z: [z.sum(), z.mean(dim=0), z.reshape(-1)[1:4]],
                            (2, 3), dtype=C64),
}


def run_case(T, case_id: str) -> dict:
    """Outputs, dtypes, shapes, grad_fn names and the gradients of ``sum(out_i * g_i)`` (a
    complex output enters as ``view_as_real``)."""
    rng = _rng(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs, leaves = CASES[case_id](T, rng)
        res = {"dtypes": [str(o.dtype) for o in outs], "shapes": [list(o.shape) for o in outs],
               "names": [None if o.grad_fn is None else o.grad_fn.name() for o in outs]}
        loss = None
        for i, o in enumerate(outs):
            res[f"out{i}"] = o.detach().resolve_conj().numpy().copy()
            if o.requires_grad:
                r = T.view_as_real(o.resolve_conj()) if o.is_complex() else o
                g = T.tensor(rng.standard_normal(tuple(r.shape)).astype(
                    "float64" if r.dtype == T.float64 else "float32"))
                term = (r * g).sum()
                loss = term if loss is None else loss + term
        if loss is not None:
            loss.backward()
            for k, t in leaves.items():
                if t.grad is not None:
                    res["grad_" + k] = t.grad.resolve_conj().numpy().copy()
    return res


# -- errors ---------------------------------------------------------------------------------------

def _o(T, *shape, dtype=None):
    return T.ones(*shape, dtype=dtype) if dtype is not None else T.ones(*shape)


ERRORS = {
    "rfft_complex": lambda T: T.fft.rfft(_o(T, 4, dtype=T.complex64)),
    "rfft2_complex": lambda T: T.fft.rfft2(_o(T, 4, 4, dtype=T.complex128)),
    "ihfft_complex": lambda T: T.fft.ihfft(_o(T, 4, dtype=T.complex64)),
    "ihfft2_complex": lambda T: T.fft.ihfft2(_o(T, 4, 4, dtype=T.complex64)),
    "fft2_1d": lambda T: T.fft.fft2(_o(T, 3)),
    "dims_unique": lambda T: T.fft.fftn(_o(T, 3, 3), dim=(0, 0)),
    "dim_0d_explicit": lambda T: T.fft.rfft(T.tensor(1.0), dim=0),
    "half": lambda T: T.fft.fft(_o(T, 4, dtype=T.float16)),
    "norm": lambda T: T.fft.fft(_o(T, 4), norm="foo"),
    "norm_rfft": lambda T: T.fft.rfft(_o(T, 4), norm="Ortho"),
    "n_zero": lambda T: T.fft.fft(_o(T, 4), n=0),
    "n_negative": lambda T: T.fft.rfft(_o(T, 4), n=-2),
    "irfft_length_one": lambda T: T.fft.irfft(_o(T, 1, dtype=T.complex64)),
    "dim_range": lambda T: T.fft.fft(_o(T, 4, 3), dim=3),
    "dim_0d": lambda T: T.fft.fft(T.tensor(1.0)),
    "s_dim_length": lambda T: T.fft.fftn(_o(T, 4, 3), s=(3,), dim=(0, 1)),
    "s_zero": lambda T: T.fft.fftn(_o(T, 4, 3), s=(0, 3)),
    "view_as_real_real": lambda T: T.view_as_real(_o(T, 3)),
    "view_as_complex_shape": lambda T: T.view_as_complex(_o(T, 3, 3)),
    "view_as_complex_int": lambda T: T.view_as_complex(_o(T, 3, 2, dtype=T.int64)),
    "complex_dtypes": lambda T: T.complex(_o(T, 3), _o(T, 3, dtype=T.float64)),
    "complex_int": lambda T: T.complex(_o(T, 3, dtype=T.int64), _o(T, 3, dtype=T.int64)),
    "imag_real": lambda T: _o(T, 3).imag,
    "complex_to_float_inplace": lambda T: _o(T, 3).add_(_o(T, 3, dtype=T.complex64)),
}


def error_of(T, case_id: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ERRORS[case_id](T)
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return [type(e).__name__, str(e)]
    return None


# -- printing and dtypes --------------------------------------------------------------------------

REPRS = {
    "fft": lambda T: T.fft.fft(T.arange(8.0)),
    "rfft_grad": lambda T: T.fft.rfft(T.arange(4.0, requires_grad=True)),
    "mixed_widths": lambda T: T.tensor([[1.5 + 2j, -3 - 4j], [0.001 + 1000j, 0j]]),
    "sci_real": lambda T: T.tensor([1e-5 + 2j, 3 - 4j]),
    "scalar": lambda T: T.tensor(1 + 2j),
    "complex128": lambda T: T.tensor([1 + 2j], dtype=T.complex128),
    "nan_inf": lambda T: T.tensor([float("nan") + 1j, 1 + float("inf") * 1j]),
    "wrapped": lambda T: T.tensor([1 + 2j, -1 - 2j] * 15),
    "wrapped_2d": lambda T: T.tensor([1.5 + 2j] * 30).reshape(2, 15),
    "summarized": lambda T: T.tensor([1 + 2j] * 2000),
    "empty": lambda T: T.zeros(0, dtype=T.complex64),
    "precision": lambda T: T.tensor([1.23456789 + 2j, 3 - 4j]),
    "big_imag": lambda T: T.tensor([1 + 1e10j, 1]),
    "dtypes": lambda T: (T.tensor([1 + 2j]).dtype, T.tensor([1, 2.5j]).dtype,
                         (T.ones(2) * 1j).dtype, (T.ones(2, dtype=T.float64) * 1j).dtype,
                         (T.ones(2, dtype=T.int64) * 1j).dtype,
                         T.promote_types(T.float64, T.complex64),
                         T.promote_types(T.int64, T.complex64),
                         T.promote_types(T.complex64, T.complex128),
                         T.complex64.is_complex, T.complex128.is_floating_point, T.cfloat,
                         T.cdouble, T.fft.fft(T.ones(2, dtype=T.float64)).dtype,
                         T.fft.irfft(T.ones(3, dtype=T.complex128)).dtype),
    "is_complex": lambda T: (T.is_complex(T.ones(2, dtype=T.complex64)), T.ones(2).is_complex(),
                             T.ones(2, dtype=T.complex128).is_floating_point(),
                             T.ones(2).real is not None),
    "items": lambda T: (T.tensor(1 + 2j).item(), complex(T.tensor(3 - 1j)),
                        T.tensor([1 + 2j, 3j]).tolist()),
    "numpy": lambda T: T.tensor([1 + 2j]).numpy().dtype,
    "from_numpy": lambda T: T.from_numpy(np.array([1j, 2.0], np.complex128)),
    "to": lambda T: (T.ones(2).to(T.complex64), T.tensor([1 + 2j]).to(T.complex128)),
    "requires_grad": lambda T: T.tensor([1 + 2j], requires_grad=True),
    "zeros_complex": lambda T: T.zeros(2, dtype=T.complex64) + T.ones(2, dtype=T.complex128),
}


def repr_of(T, key: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return repr(REPRS[key](T))


# -- second and third derivatives ---------------------------------------------------------------

def _vr(T, z):
    return T.view_as_real(z)


HIGHER = {
    "fft": (lambda T, a: _vr(T, T.fft.fft(a.sin(), norm="ortho")), (6,)),
    "rfft_abs": (lambda T, a: T.fft.rfft(a).abs(), (8,)),
    "irfft_rfft": (lambda T, a: T.fft.irfft(T.fft.rfft(a) * T.fft.rfft(a), n=8), (8,)),
    "fft2": (lambda T, a: _vr(T, T.fft.fft2(a * a, s=(3, 5))), (2, 4)),
    "irfft_complex": (lambda T, a: T.fft.irfft(T.view_as_complex(a) * T.view_as_complex(a),
                                               n=7), (4, 2)),
    "power": (lambda T, a: (T.fft.fft(a) * T.fft.fft(a).conj()).real, (5,)),
}


def run_higher(T, case_id: str) -> dict:
    rng = _rng("higher-" + case_id)
    fn, shape = HIGHER[case_id]
    x = T.tensor(rng.standard_normal(shape), requires_grad=True)
    y = fn(T, x)
    g = T.tensor(rng.standard_normal(tuple(y.shape)))
    gx, = T.autograd.grad((y * g).sum(), x, create_graph=True)
    ggx, = T.autograd.grad((gx * gx).sum(), x, create_graph=True)
    g3x, = T.autograd.grad((ggx * ggx * ggx).sum(), x)
    return {"gx": gx.detach().numpy(), "ggx": ggx.detach().numpy(), "g3x": g3x.numpy()}


# -- the record ---------------------------------------------------------------------------------

def regenerate() -> tuple:
    """PyTorch's answers for every case: (arrays for the .npz, facts for the .json)."""
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "reprs": {}}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = {k: res.pop(k) for k in ("dtypes", "shapes", "names")}
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


def _tol(dtypes) -> dict:
    if any(d in ("torch.float32", "torch.complex64") for d in dtypes):
        return dict(rtol=2e-5, atol=2e-5)
    return dict(rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    arrays, facts = record
    want = facts["cases"][case_id]
    got = run_case(numtorch, case_id)
    for k in ("dtypes", "shapes", "names"):
        assert got[k] == want[k], k
    keys = sorted(k[len(case_id) + 1:] for k in arrays if k.startswith(case_id + "/"))
    assert sorted(k for k in got if k.startswith(("out", "grad_"))) == keys
    for k in keys:
        assert got[k].dtype == arrays[f"{case_id}/{k}"].dtype, k
        np.testing.assert_allclose(got[k], arrays[f"{case_id}/{k}"], err_msg=k,
                                   **_tol(want["dtypes"]))
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
        np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=1e-8, atol=1e-10,
                                   err_msg=k)
    torch = _torch_or_none()
    if torch is not None:
        for k, v in run_higher(torch, case_id).items():
            np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=1e-9, atol=1e-10)


# -- numeric gradient checks (float64, no torch) ------------------------------------------------

F = numtorch.fft
_R = numtorch.view_as_real
_C = numtorch.view_as_complex

GRADCHECK = {
    "fft": (lambda a: _R(F.fft(a)), [(5,)]),
    "fft_n_ortho": (lambda a: _R(F.fft(a, n=8, norm="ortho")), [(2, 5)]),
    "fft_trim_forward": (lambda a: _R(F.fft(a, n=3, dim=0, norm="forward")), [(5, 2)]),
    "fft_complex": (lambda a: _R(F.fft(_C(a))), [(4, 2)]),
    "ifft_real": (lambda a: _R(F.ifft(a)), [(6,)]),
    "ifft_complex": (lambda a: _R(F.ifft(_C(a), n=7, norm="ortho")), [(5, 2)]),
    "rfft": (lambda a: _R(F.rfft(a)), [(6,)]),
    "rfft_odd_n": (lambda a: _R(F.rfft(a, n=7, norm="forward")), [(2, 5)]),
    "irfft": (lambda a: F.irfft(_C(a)), [(4, 2)]),
    "irfft_odd": (lambda a: F.irfft(_C(a), n=7, norm="ortho"), [(4, 2)]),
    "irfft_trim": (lambda a: F.irfft(_C(a), n=4, norm="forward"), [(5, 2)]),
    "irfft_real_input": (lambda a: F.irfft(a), [(5,)]),
    "rfft_abs": (lambda a: F.rfft(a).abs(), [(8,)]),
    "round_trip": (lambda a: F.irfft(F.rfft(a), n=6), [(6,)]),
    "fft2": (lambda a: _R(F.fft2(a)), [(3, 4)]),
    "fftn_s": (lambda a: _R(F.fftn(a, s=(4, 5))), [(3, 4)]),
    "ifft2_complex": (lambda a: _R(F.ifft2(_C(a))), [(3, 3, 2)]),
    "rfft2": (lambda a: _R(F.rfft2(a, norm="ortho")), [(3, 4)]),
    "irfft2": (lambda a: F.irfft2(_C(a)), [(3, 3, 2)]),
    "irfftn_s": (lambda a: F.irfftn(_C(a), s=(4, 5), dim=(0, 1)), [(3, 3, 2)]),
    "hfft": (lambda a: F.hfft(_C(a)), [(4, 2)]),
    "ihfft": (lambda a: _R(F.ihfft(a)), [(5,)]),
    "hfft2": (lambda a: F.hfft2(_C(a)), [(3, 3, 2)]),
    "ihfft2": (lambda a: _R(F.ihfft2(a)), [(3, 4)]),
    "ihfftn": (lambda a: _R(F.ihfftn(a, s=(3, 6), norm="forward")), [(2, 4, 5)]),
    "fftshift": (lambda a: F.ifftshift(F.fftshift(a, dim=0)), [(3, 4)]),
    "convolution": (lambda a, b: F.irfft(F.rfft(a) * F.rfft(b), n=6), [(6,), (6,)]),
    "power_spectrum": (lambda a: (F.fft(a) * F.fft(a).conj()).real, [(5,)]),
    "complex_parts": (lambda a: numtorch.stack([_C(a).real, _C(a).imag, _C(a).angle(),
                                                _C(a).abs()]), [(3, 2)]),
    "complex_from_parts": (lambda a, b: _R(numtorch.complex(a, b) * numtorch.polar(a.exp(), b)),
                           [(3,), (3,)]),
    "complex_division": (lambda a, b: _R(_C(a) / (_C(b) + 3)), [(3, 2), (3, 2)]),
}


@pytest.mark.parametrize("case_id", list(GRADCHECK))
def test_gradcheck(case_id):
    fn, shapes = GRADCHECK[case_id]
    rng = _rng("gradcheck-" + case_id)
    xs = [numtorch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert numtorch.autograd.gradcheck(fn, xs, eps=1e-6, atol=1e-5, rtol=1e-3)
    assert numtorch.autograd.gradgradcheck(fn, xs, eps=1e-6, atol=1e-5, rtol=1e-3)


def test_namespace():
    for name in ("fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
                 "ifftn", "rfftn", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift",
                 "ifftshift"):
        assert callable(getattr(numtorch.fft, name)), name
    with pytest.raises(AttributeError, match="torch.fft.foo yet"):
        numtorch.fft.foo


def test_real_shares_memory():
    """``z.real`` / ``z.imag`` are views, as in PyTorch: writing them writes ``z``."""
    z = numtorch.tensor([1 + 2j, 3 - 1j])
    z.real.mul_(2)
    z.imag.zero_()
    assert z.tolist() == [2 + 0j, 6 + 0j]
