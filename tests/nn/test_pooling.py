"""Pooling, unpooling, pixel/channel shuffles and ``interpolate`` against PyTorch 2.13.

Every case runs in numtorch and is compared with PyTorch's answers recorded in
tests/data/pooling.npz / pooling.json (values, indices, dtype, shape, the gradient of the input
for a seeded upstream gradient, the ``grad_fn`` name); errors and reprs likewise. With torch
installed, each test also checks its record against live PyTorch. Regenerate with
``python tests/data/regen_pooling.py``.

float32 forward values are compared bit for bit (numtorch follows PyTorch's formulas and its
fused multiply-adds), except adaptive average pooling to size 1 (a mean, summed in another
order) and uint8 bilinear/bicubic (PyTorch's fixed-point kernel: within 1); float64 values and
all gradients to a tight tolerance. float64 gradcheck and gradgradcheck run on small cases of
every op (no torch needed).
"""
from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest

import numtorch
import numtorch.nn as nnt
import numtorch.nn.functional as Fn
from _oracle import live_torch
from _pool_cases import Case, case_seed as _seed, run_case as _run_case, run_double

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
RECORD_NPZ = os.path.join(DATA, "pooling.npz")
RECORD_JSON = os.path.join(DATA, "pooling.json")


# -- the cases ----------------------------------------------------------------------------------

def make_input(shape, dtype, kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "int":
        return rng.integers(-50, 50, shape).astype(dtype)
    if kind == "ties":
        return rng.integers(-2, 3, shape).astype(dtype)
    a = rng.standard_normal(shape).astype(dtype)
    if kind == "neginf":
        a[..., 0, :] = -np.inf
        a.reshape(-1, *shape[-2:])[0] = -np.inf
    elif kind == "nan":
        a.reshape(-1)[rng.choice(a.size, max(1, a.size // 6), replace=False)] = np.nan
    return a


CASES: list[Case] = []


def add(id, call, shape, **kw):
    CASES.append(Case(id, call, shape, **kw))


# max_pool2d: kernel, stride, padding, dilation, ceil_mode (incl. a last window dropped in ceil mode)
_MP = [(2, None, 0, 1, False), (2, None, 0, 1, True), (3, 2, 1, 1, False), (3, 2, 1, 1, True),
       (3, 1, 1, 1, False), ((2, 3), (1, 2), (1, 1), 1, True), (2, 2, 1, 2, False),
       (3, 2, 1, 2, True), ((3, 2), (2, 1), 0, (2, 1), False), (1, 1, 0, 1, False),
       (2, 3, 1, 1, True), (4, 3, 2, 1, True), (3, 3, 1, 1, True)]
for n, (k, s, p, d, c) in enumerate(_MP):
    def mp(F, x, k=k, s=s, p=p, d=d, c=c):
        return F.max_pool2d(x, k, s, p, d, c, True)
    add(f"max_pool2d-{n}", mp, (2, 2, 5, 7))
    add(f"max_pool2d-{n}-ties", mp, (1, 2, 6, 6), kind="ties")
    add(f"max_pool2d-{n}-neginf", mp, (2, 2, 5, 6), kind="neginf")
for kind, dtype in (("nan", "float32"), ("normal", "float64"), ("int", "int64"), ("int", "uint8")):
    add(f"max_pool2d-{kind}-{dtype}", lambda F, x: F.max_pool2d(x, 3, 2, 1, return_indices=True),
        (2, 2, 7, 6), dtype=dtype, kind=kind)
add("max_pool2d-unbatched", lambda F, x: F.max_pool2d(x, 2, 1, 1, return_indices=True), (3, 4, 5))
add("max_pool2d-values", lambda F, x: F.max_pool2d(x, (2, 2)), (2, 3, 8, 8))
add("max_pool2d-odd", lambda F, x: F.max_pool2d(x, 2), (2, 3, 7, 9))
add("max_pool2d-nan-tiled", lambda F, x: F.max_pool2d(x, 2, return_indices=True), (2, 2, 6, 6),
    kind="nan")
add("max_pool2d_with_indices", lambda F, x: F.max_pool2d_with_indices(x, 3, 2), (1, 2, 7, 7))

# avg_pool2d: kernel, stride, padding, ceil_mode x count_include_pad x divisor_override
_AP = [(2, None, 0, False), (3, 2, 1, False), (3, 2, 1, True), ((2, 3), (1, 2), (1, 1), True),
       (3, 3, 1, True), (4, 3, 2, True)]
for n, (k, s, p, c) in enumerate(_AP):
    for cip in (True, False):
        for dov in (None, 3):
            add(f"avg_pool2d-{n}-{cip}-{dov}",
                lambda F, x, k=k, s=s, p=p, c=c, cip=cip, dov=dov: F.avg_pool2d(x, k, s, p, c, cip, dov),
                (2, 2, 5, 7))
add("avg_pool2d-float64", lambda F, x: F.avg_pool2d(x, 3, 2, 1), (2, 2, 6, 5), dtype="float64")
add("avg_pool2d-int", lambda F, x: F.avg_pool2d(x, 3, 1, 1), (1, 2, 5, 5), dtype="int64", kind="int")
add("avg_pool2d-unbatched", lambda F, x: F.avg_pool2d(x, 2, 1, 1, True, False), (3, 4, 5))

# 1-d pooling
for n, (k, s, p, d, c) in enumerate([(2, None, 0, 1, False), (3, 2, 1, 1, True), (2, 1, 1, 2, False),
                                      (3, 3, 1, 1, True)]):
    add(f"max_pool1d-{n}", lambda F, x, k=k, s=s, p=p, d=d, c=c: F.max_pool1d(x, k, s, p, d, c), (2, 3, 8))
    add(f"max_pool1d-{n}-idx", lambda F, x, k=k, s=s, p=p, d=d, c=c: F.max_pool1d(x, k, s, p, d, c, True),
        (2, 3, 7), kind="ties")
    add(f"max_pool1d-{n}-unbatched",
        lambda F, x, k=k, s=s, p=p, d=d, c=c: F.max_pool1d(x, k, s, p, d, c, True), (3, 7))
    add(f"avg_pool1d-{n}", lambda F, x, k=k, s=s, p=p, c=c: F.avg_pool1d(x, k, s, p, c), (2, 3, 8))
    add(f"avg_pool1d-{n}-nopad",
        lambda F, x, k=k, s=s, p=p, c=c: F.avg_pool1d(x, k, s, p, c, False), (3, 7))
add("max_pool1d_with_indices", lambda F, x: F.max_pool1d_with_indices(x, 3, 2, 1), (2, 2, 9))

# adaptive pooling: even and uneven bins, growing and shrinking
for (h, w) in [(5, 7), (6, 6), (3, 2), (7, 3)]:
    for o in [2, 3, (4, 5), (None, 2), 7, (1, 3), 1]:
        tag = f"{h}x{w}-{o}"
        add(f"adaptive_avg_pool2d-{tag}", lambda F, x, o=o: F.adaptive_avg_pool2d(x, o), (2, 2, h, w),
            exact=o != 1)
        add(f"adaptive_max_pool2d-{tag}", lambda F, x, o=o: F.adaptive_max_pool2d(x, o, True),
            (2, 2, h, w), kind="ties" if h == 6 else "normal")
add("adaptive_max_pool2d-nan", lambda F, x: F.adaptive_max_pool2d(x, (2, 3), True), (2, 2, 5, 7),
    kind="nan")
add("adaptive_max_pool2d-unbatched", lambda F, x: F.adaptive_max_pool2d(x, 3, True), (2, 5, 4))
add("adaptive_avg_pool2d-unbatched", lambda F, x: F.adaptive_avg_pool2d(x, (2, 3)), (2, 5, 4))
add("adaptive_avg_pool2d-float64", lambda F, x: F.adaptive_avg_pool2d(x, (3, 4)), (1, 2, 5, 7),
    dtype="float64")
for o in (1, 3, 4, 9):
    add(f"adaptive_avg_pool1d-{o}", lambda F, x, o=o: F.adaptive_avg_pool1d(x, o), (2, 2, 7), exact=o != 1)
    add(f"adaptive_max_pool1d-{o}", lambda F, x, o=o: F.adaptive_max_pool1d(x, o, True), (2, 7))

# max_unpool: through the pooling that made the indices
add("max_unpool2d", lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2),
    (2, 2, 4, 6))
add("max_unpool2d-size", lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 3, 2, 1, return_indices=True),
                                                      3, 2, 1, output_size=x.shape[-2:]), (1, 2, 6, 7))
add("max_unpool2d-overlap", lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, 1, return_indices=True),
                                                        2, 1), (1, 2, 4, 4))
add("max_unpool2d-unbatched", lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2),
    (2, 4, 4))
add("max_unpool1d", lambda F, x: F.max_unpool1d(*F.max_pool1d(x, 2, return_indices=True), 2,
                                                output_size=[x.shape[-1]]), (2, 2, 7))

# pixel and channel shuffles
add("pixel_shuffle", lambda F, x: F.pixel_shuffle(x, 2), (2, 8, 3, 2))
add("pixel_shuffle-5d", lambda F, x: F.pixel_shuffle(x, 3), (2, 1, 9, 2, 2))
add("pixel_shuffle-int", lambda F, x: F.pixel_shuffle(x, 2), (4, 2, 3), dtype="int64", kind="int")
add("pixel_unshuffle", lambda F, x: F.pixel_unshuffle(x, 2), (2, 3, 4, 6))
add("channel_shuffle", lambda F, x: F.channel_shuffle(x, 3), (2, 6, 2, 3))
add("channel_shuffle-3d", lambda F, x: F.channel_shuffle(x, 2), (2, 4, 3))

# interpolate: every mode x align_corners x size / scale_factor (x recompute_scale_factor)
_SPECS = [dict(size=1), dict(size=4), dict(size=9), dict(scale_factor=0.5), dict(scale_factor=1.7),
          dict(scale_factor=2), dict(scale_factor=2.3), dict(scale_factor=3),
          dict(scale_factor=1.7, recompute_scale_factor=True),
          dict(scale_factor=2.3, recompute_scale_factor=True),
          dict(scale_factor=0.6, recompute_scale_factor=True)]
_MODES = [("nearest", (2, 2, 5)), ("nearest", (1, 2, 4, 5)), ("nearest", (1, 1, 3, 2, 3)),
          ("nearest-exact", (2, 2, 5)), ("nearest-exact", (1, 2, 4, 5)), ("linear", (2, 2, 5)),
          ("bilinear", (1, 2, 4, 5)), ("bicubic", (1, 2, 4, 5)), ("trilinear", (1, 1, 3, 2, 3)),
          ("area", (2, 2, 5)), ("area", (1, 2, 4, 5))]
for mode, shape in _MODES:
    aligns = (None,) if mode in ("nearest", "nearest-exact", "area") else (False, True)
    for n, spec in enumerate(_SPECS):
        for align in aligns:
            kw = dict(spec, mode=mode)
            if align is not None:
                kw["align_corners"] = align
            exact = not (mode == "area" and kw.get("size") == 1)
            add(f"interpolate-{mode}-{len(shape)}d-{n}-{align}", lambda F, x, kw=kw: F.interpolate(x, **kw),
                shape, exact=exact)
add("interpolate-size-tuple", lambda F, x: F.interpolate(x, size=(3, 7), mode="bilinear"), (1, 2, 4, 5))
add("interpolate-scale-tuple", lambda F, x: F.interpolate(x, scale_factor=(1.5, 0.5), mode="bicubic",
                                                          align_corners=True), (1, 2, 4, 6))
add("interpolate-bilinear-large", lambda F, x: F.interpolate(x, size=(9, 130), mode="bilinear"),
    (1, 2, 4, 5))
add("interpolate-bicubic-same-size", lambda F, x: F.interpolate(x, scale_factor=1.1, mode="bicubic"),
    (1, 2, 4, 5))
add("interpolate-uint8-nearest", lambda F, x: F.interpolate(x, scale_factor=1.5), (1, 2, 3, 4),
    dtype="uint8", kind="int")
for mode in ("bilinear", "bicubic"):      # PyTorch's fixed-point uint8 kernel: within 1
    add(f"interpolate-uint8-{mode}", lambda F, x, m=mode: F.interpolate(x.abs() * 2, size=(9, 13), mode=m),
        (2, 3, 5, 6), dtype="uint8", kind="int", atol=1)
for mode in ("linear", "bilinear", "bicubic", "trilinear"):
    shape = {"linear": (2, 2, 5), "trilinear": (1, 1, 3, 2, 3)}.get(mode, (1, 2, 4, 5))
    add(f"interpolate-{mode}-float64", lambda F, x, m=mode: F.interpolate(x, scale_factor=1.7, mode=m),
        shape, dtype="float64")
add("interpolate-nearest-float64", lambda F, x: F.interpolate(x, size=7), (2, 2, 5), dtype="float64")
# antialias=True (bilinear/bicubic): float32 to the bit (weights summed in PyTorch's order), incl.
# large downscales (many taps), upscales, scale factors, align_corners, and a one-pixel-wide
# output (PyTorch 2.13 repeats the first row of its height pass there; its gradient is the true one)
_AA_SPECS = [dict(size=(4, 6)), dict(size=(2, 3)), dict(size=(13, 20)), dict(size=(3, 17)),
             dict(size=(9, 5)), dict(scale_factor=0.4), dict(scale_factor=(0.3, 1.6)),
             dict(scale_factor=0.45, recompute_scale_factor=True), dict(size=(4, 6), align_corners=True),
             dict(size=(1, 1)), dict(size=(5, 1))]
for mode in ("bilinear", "bicubic"):
    for n, spec in enumerate(_AA_SPECS):
        add(f"interpolate-aa-{mode}-{n}",
            lambda F, x, kw=dict(spec, mode=mode): F.interpolate(x, antialias=True, **kw), (2, 2, 9, 13))
    add(f"interpolate-aa-{mode}-width1", lambda F, x, m=mode: F.interpolate(x, size=(4, 1), mode=m,
                                                                            antialias=True), (1, 2, 7, 1))
    add(f"interpolate-aa-{mode}-float64", lambda F, x, m=mode: F.interpolate(x, size=(4, 9), mode=m,
                                                                             antialias=True),
        (2, 2, 9, 13), dtype="float64")


# errors: ``call(T, F)`` with T the tensor library (numtorch or torch)
def _x(T, *shape, dtype=None):
    return T.ones(*shape) if dtype is None else T.ones(*shape, dtype=getattr(T, dtype))


ERRORS = {
    "pad-too-large": lambda T, F: F.max_pool2d(_x(T, 1, 1, 2, 2), 2, padding=2),
    "output-too-small": lambda T, F: F.max_pool2d(_x(T, 1, 1, 2, 2), 3),
    "output-too-small-avg": lambda T, F: F.avg_pool2d(_x(T, 1, 5, 5), (1, 6)),
    "pad-dilated": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 3, dilation=2, padding=2),
    "max-2d-input": lambda T, F: F.max_pool2d(_x(T, 5, 5), 1),
    "max-5d-input": lambda T, F: F.max_pool2d(_x(T, 1, 1, 1, 5, 5), 1),
    "max-empty-channels": lambda T, F: F.max_pool2d(_x(T, 1, 0, 5, 5), 1),
    "max-kernel-tuple": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), (2, 2, 2)),
    "max-stride-tuple": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 2, (1, 1, 1)),
    "max-padding-tuple": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 2, 2, (1, 1, 1)),
    "max-dilation-tuple": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 2, 2, 0, (1, 1, 1)),
    "max-kernel-negative": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), -1),
    "max-stride-zero": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 2, 0),
    "max-stride-negative": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 2, -1),
    "max-padding-negative": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 2, 2, -1),
    "max-dilation-zero": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 2, 2, 0, 0),
    "max-kernel-float": lambda T, F: F.max_pool2d(_x(T, 1, 1, 5, 5), 2.0),
    "max-not-tensor": lambda T, F: F.max_pool2d([1.0], 2),
    "max-bool": lambda T, F: F.max_pool2d(_x(T, 1, 1, 4, 4, dtype="bool"), 2),
    "avg-bool": lambda T, F: F.avg_pool2d(_x(T, 1, 1, 4, 4, dtype="bool"), 2),
    "avg-divisor-zero": lambda T, F: F.avg_pool2d(_x(T, 1, 1, 4, 4), 2, divisor_override=0),
    "avg-2d-input": lambda T, F: F.avg_pool2d(_x(T, 5, 5), 1),
    "avg-5d-input": lambda T, F: F.avg_pool2d(_x(T, 1, 1, 1, 5, 5), 1),
    "avg1d-1d-input": lambda T, F: F.avg_pool1d(_x(T, 5), 1),
    "avg1d-kernel-pair": lambda T, F: F.avg_pool1d(_x(T, 1, 1, 5), (2, 2)),
    "avg1d-too-small": lambda T, F: F.avg_pool1d(_x(T, 1, 2, 2), 3),
    "max1d-1d-input": lambda T, F: F.max_pool1d(_x(T, 2), 1),
    "max1d-4d-input": lambda T, F: F.max_pool1d(_x(T, 1, 1, 1, 2), 1),
    "max1d-kernel-pair": lambda T, F: F.max_pool1d(_x(T, 1, 1, 5), (2, 2)),
    "max1d-stride-pair": lambda T, F: F.max_pool1d(_x(T, 1, 1, 5), 2, (1, 1)),
    "max1d-kernel-negative": lambda T, F: F.max_pool1d(_x(T, 1, 1, 5), -1),
    "max1d-stride-negative": lambda T, F: F.max_pool1d(_x(T, 1, 1, 5), 2, -1),
    "max1d-padding-negative": lambda T, F: F.max_pool1d(_x(T, 1, 1, 5), 2, 2, -1),
    "max1d-padding-large": lambda T, F: F.max_pool1d(_x(T, 1, 1, 5), 3, 1, 2),
    "max1d-dilation-zero": lambda T, F: F.max_pool1d(_x(T, 1, 1, 5), 2, 2, 0, 0),
    "max1d-too-small": lambda T, F: F.max_pool1d(_x(T, 1, 2, 2), 3),
    "max1d-idx-too-small": lambda T, F: F.max_pool1d(_x(T, 1, 2, 2), 3, return_indices=True),
    "max1d-idx-kernel-pair": lambda T, F: F.max_pool1d(_x(T, 1, 1, 5), (2, 2), return_indices=True),
    "adaptive-avg-5d": lambda T, F: F.adaptive_avg_pool2d(_x(T, 1, 1, 1, 5, 5), 2),
    "adaptive-avg-2d": lambda T, F: F.adaptive_avg_pool2d(_x(T, 5, 5), 2),
    "adaptive-max-2d": lambda T, F: F.adaptive_max_pool2d(_x(T, 5, 5), 2),
    "adaptive-avg-empty": lambda T, F: F.adaptive_avg_pool2d(_x(T, 1, 1, 0, 5), 2),
    "adaptive-max-empty": lambda T, F: F.adaptive_max_pool2d(_x(T, 1, 0, 3, 5), 2),
    "adaptive-avg-negative": lambda T, F: F.adaptive_avg_pool2d(_x(T, 1, 1, 5, 5), -1),
    "adaptive-avg-triple": lambda T, F: F.adaptive_avg_pool2d(_x(T, 1, 1, 5, 5), (2, 2, 2)),
    "adaptive-max-triple": lambda T, F: F.adaptive_max_pool2d(_x(T, 1, 1, 5, 5), (2, 2, 2)),
    "adaptive-avg-long": lambda T, F: F.adaptive_avg_pool2d(_x(T, 1, 1, 4, 4, dtype="long"), 2),
    "adaptive-max-long": lambda T, F: F.adaptive_max_pool2d(_x(T, 1, 1, 4, 4, dtype="long"), 2),
    "adaptive-avg1d-pair": lambda T, F: F.adaptive_avg_pool1d(_x(T, 1, 1, 5), (2, 2)),
    "adaptive-max1d-none": lambda T, F: F.adaptive_max_pool1d(_x(T, 1, 1, 5), None),
    "adaptive-avg1d-1d": lambda T, F: F.adaptive_avg_pool1d(_x(T, 5), 2),
    "unpool-index-range": lambda T, F: F.max_unpool2d(_x(T, 1, 1, 2, 2), T.tensor([[[[0, 1], [2, 99]]]]), 2),
    "unpool-index-dtype": lambda T, F: F.max_unpool2d(_x(T, 1, 1, 2, 2), _x(T, 1, 1, 2, 2), 2),
    "unpool-index-shape": lambda T, F: F.max_unpool2d(_x(T, 1, 1, 2, 2), T.zeros(1, 2, 2, dtype=T.long), 2),
    "unpool-2d-input": lambda T, F: F.max_unpool2d(_x(T, 2, 2), T.zeros(2, 2, dtype=T.long), 2),
    "unpool-output-size": lambda T, F: F.max_unpool2d(_x(T, 1, 1, 2, 2), T.zeros(1, 1, 2, 2, dtype=T.long),
                                                      2, output_size=(6, 6)),
    "unpool-output-size-len": lambda T, F: F.max_unpool2d(_x(T, 1, 1, 2, 2),
                                                          T.zeros(1, 1, 2, 2, dtype=T.long), 2,
                                                          output_size=(2, 4, 4)),
    "unpool-long": lambda T, F: F.max_unpool2d(_x(T, 1, 1, 2, 2, dtype="long"),
                                               T.zeros(1, 1, 2, 2, dtype=T.long), 2),
    "pixel-shuffle-2d": lambda T, F: F.pixel_shuffle(_x(T, 2, 2), 2),
    "pixel-shuffle-channels": lambda T, F: F.pixel_shuffle(_x(T, 3, 2, 2), 2),
    "pixel-shuffle-zero": lambda T, F: F.pixel_shuffle(_x(T, 4, 2, 2), 0),
    "pixel-shuffle-float": lambda T, F: F.pixel_shuffle(_x(T, 4, 2, 2), 2.0),
    "pixel-unshuffle-height": lambda T, F: F.pixel_unshuffle(_x(T, 1, 3, 2), 2),
    "pixel-unshuffle-width": lambda T, F: F.pixel_unshuffle(_x(T, 1, 2, 3), 2),
    "channel-shuffle-groups": lambda T, F: F.channel_shuffle(_x(T, 1, 3, 2, 2), 2),
    "channel-shuffle-zero": lambda T, F: F.channel_shuffle(_x(T, 1, 4, 2, 2), 0),
    "channel-shuffle-2d": lambda T, F: F.channel_shuffle(_x(T, 1, 4), 2),
    "interp-both": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=2, scale_factor=2),
    "interp-neither": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3)),
    "interp-size-len": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=(2, 2, 2)),
    "interp-scale-len": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), scale_factor=(2, 2, 2)),
    "interp-align-nearest": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=4, align_corners=True),
    "interp-linear-4d": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=4, mode="linear"),
    "interp-bilinear-3d": lambda T, F: F.interpolate(_x(T, 1, 1, 3), size=4, mode="bilinear"),
    "interp-bicubic-3d": lambda T, F: F.interpolate(_x(T, 1, 1, 3), size=4, mode="bicubic"),
    "interp-trilinear-4d": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=4, mode="trilinear"),
    "interp-mode": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=4, mode="foo"),
    "interp-1d-input": lambda T, F: F.interpolate(_x(T, 3), size=4),
    "interp-antialias-3d": lambda T, F: F.interpolate(_x(T, 1, 1, 3), size=4, mode="bilinear",
                                                      antialias=True),
    "interp-size-zero": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=0),
    "interp-aa-long": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3, dtype="long"), size=2,
                                                 mode="bilinear", antialias=True),
    "interp-aa-bool": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3, dtype="bool"), size=2,
                                                 mode="bicubic", antialias=True),
    "interp-aa-size-zero": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=(0, 2), mode="bilinear",
                                                      antialias=True),
    "interp-aa-empty-channels": lambda T, F: F.interpolate(_x(T, 1, 0, 3, 3), size=2, mode="bicubic",
                                                           antialias=True),
    "interp-scale-small": lambda T, F: F.interpolate(_x(T, 1, 1, 3), scale_factor=0.1, mode="linear"),
    "interp-scale-negative": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3, 3), scale_factor=-1.0),
    "interp-recompute-size": lambda T, F: F.interpolate(_x(T, 1, 1, 3, 3), size=4,
                                                        recompute_scale_factor=True),
    "interp-empty-channels": lambda T, F: F.interpolate(_x(T, 1, 0, 3, 3), size=4),
    "interp-long-nearest": lambda T, F: F.interpolate(_x(T, 2, 3, 3, 3, dtype="long"), size=4),
    "interp-long-linear": lambda T, F: F.interpolate(_x(T, 2, 3, 3, dtype="long"), size=4, mode="linear"),
    "interp-long-bicubic": lambda T, F: F.interpolate(_x(T, 2, 3, 3, 3, dtype="long"), size=4,
                                                      mode="bicubic"),
    "interp-long-nearest-3d": lambda T, F: F.interpolate(_x(T, 2, 3, 2, 3, 3, dtype="long"), size=4),
    "interp-byte-trilinear": lambda T, F: F.interpolate(_x(T, 2, 3, 2, 3, 3, dtype="uint8"), size=4,
                                                        mode="trilinear"),
    "interp-long-area": lambda T, F: F.interpolate(_x(T, 2, 3, 3, 3, dtype="long"), size=2, mode="area"),
}

REPRS = {
    "MaxPool1d": lambda nn: nn.MaxPool1d(3),
    "MaxPool1d-full": lambda nn: nn.MaxPool1d(3, 2, 1, 2, True, True),
    "MaxPool2d": lambda nn: nn.MaxPool2d(2),
    "MaxPool2d-full": lambda nn: nn.MaxPool2d((2, 3), stride=(1, 2), padding=1, dilation=(1, 2),
                                              ceil_mode=True),
    "AvgPool1d": lambda nn: nn.AvgPool1d(3),
    "AvgPool1d-full": lambda nn: nn.AvgPool1d(3, 2, 1, True, False),
    "AvgPool2d": lambda nn: nn.AvgPool2d(2),
    "AvgPool2d-full": lambda nn: nn.AvgPool2d((2, 3), 1, (0, 1), True, False, 3),
    "AdaptiveAvgPool1d": lambda nn: nn.AdaptiveAvgPool1d(3),
    "AdaptiveAvgPool2d": lambda nn: nn.AdaptiveAvgPool2d((None, 3)),
    "AdaptiveMaxPool1d": lambda nn: nn.AdaptiveMaxPool1d(3),
    "AdaptiveMaxPool2d": lambda nn: nn.AdaptiveMaxPool2d((2, 3), return_indices=True),
    "MaxUnpool1d": lambda nn: nn.MaxUnpool1d(2),
    "MaxUnpool2d": lambda nn: nn.MaxUnpool2d(2),
    "MaxUnpool2d-full": lambda nn: nn.MaxUnpool2d((2, 3), stride=1, padding=(0, 1)),
    "PixelShuffle": lambda nn: nn.PixelShuffle(2),
    "PixelUnshuffle": lambda nn: nn.PixelUnshuffle(3),
    "ChannelShuffle": lambda nn: nn.ChannelShuffle(2),
    "Upsample": lambda nn: nn.Upsample(scale_factor=2),
    "Upsample-size": lambda nn: nn.Upsample(size=3, mode="bilinear"),
    "Upsample-tuple": lambda nn: nn.Upsample(scale_factor=(2, 3), mode="bilinear", align_corners=True),
    "Upsample-size-tuple": lambda nn: nn.Upsample(size=(3, 4)),
    "UpsamplingNearest2d": lambda nn: nn.UpsamplingNearest2d(scale_factor=2),
    "UpsamplingBilinear2d": lambda nn: nn.UpsamplingBilinear2d(size=3),
    "Sequential": lambda nn: nn.Sequential(nn.MaxPool2d(2, 1), nn.AdaptiveAvgPool2d(1),
                                           nn.Upsample(scale_factor=1.5, mode="bicubic")),
}

# double backward: d/dg of sum(w * grad_x(g)) (the gradient's own gradient) and d/dx of it
DOUBLE = {
    "max_pool2d": (lambda F, x: F.max_pool2d(x, 2), (1, 2, 4, 4)),
    "max_pool2d-overlap": (lambda F, x: F.max_pool2d(x, 3, 1, 1), (1, 2, 4, 5)),
    "avg_pool2d": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, True, False), (1, 2, 5, 5)),
    "adaptive_avg_pool2d": (lambda F, x: F.adaptive_avg_pool2d(x, (3, 2)), (1, 2, 5, 3)),
    "adaptive_max_pool2d": (lambda F, x: F.adaptive_max_pool2d(x, (3, 2)), (1, 2, 5, 3)),
    "max_unpool2d": (lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2),
                     (1, 2, 4, 4)),
    "pixel_shuffle": (lambda F, x: F.pixel_shuffle(x, 2), (1, 4, 2, 3)),
    "channel_shuffle": (lambda F, x: F.channel_shuffle(x, 2), (1, 4, 3)),
    "nearest": (lambda F, x: F.interpolate(x, scale_factor=1.5), (1, 2, 3, 4)),
    "bilinear": (lambda F, x: F.interpolate(x, size=(5, 3), mode="bilinear"), (1, 2, 3, 4)),
    "bicubic": (lambda F, x: F.interpolate(x, scale_factor=2, mode="bicubic", align_corners=True),
                (1, 1, 3, 3)),
    "bilinear-aa": (lambda F, x: F.interpolate(x, size=(2, 5), mode="bilinear", antialias=True),
                    (1, 2, 5, 3)),
    "bicubic-aa": (lambda F, x: F.interpolate(x, scale_factor=0.4, mode="bicubic", antialias=True),
                   (1, 1, 6, 8)),
    "max_pool1d": (lambda F, x: F.max_pool1d(x, 2), (2, 2, 6)),
}


# -- running a case (numtorch or torch) ---------------------------------------------------------

def run_case(case: Case, T, F, grad: bool = True) -> dict:
    """The case on this file's ``make_input`` (see ``_pool_cases.run_case``)."""
    return _run_case(case, make_input, T, F, grad)


def run_error(call, T, F):
    try:
        call(T, F)
    except Exception as e:  # noqa: BLE001 - the type and text are what we compare
        return [type(e).__name__, str(e)]
    return None


def regenerate():
    """Run every case in PyTorch: (arrays for the .npz, metadata for the .json)."""
    import torch
    import torch.nn.functional as TF
    arrays, meta = {}, {"cases": {}, "errors": {}, "reprs": {}, "double": {}}
    for case in CASES:
        r = run_case(case, torch, TF)
        for key in ("out", "idx", "grad"):
            if key in r:
                arrays[f"{case.id}:{key}"] = r.pop(key)
        meta["cases"][case.id] = r
    for name, call in ERRORS.items():
        meta["errors"][name] = run_error(call, torch, TF)
    for name, make in REPRS.items():
        meta["reprs"][name] = repr(make(torch.nn))
    for name, (call, shape) in DOUBLE.items():
        r = run_double(call, shape, torch, TF, name)
        meta["double"][name] = {"gxx_none": r["gxx"] is None}
        for key, v in r.items():
            if v is not None:
                arrays[f"double:{name}:{key}"] = v
    return arrays, meta


_RECORD = {}


def record():
    if not _RECORD:
        with np.load(RECORD_NPZ) as z:
            _RECORD["arrays"] = {k: z[k] for k in z.files}
        with open(RECORD_JSON, encoding="utf-8") as f:
            _RECORD["meta"] = json.load(f)
    return _RECORD["arrays"], _RECORD["meta"]


# -- tests against the record -------------------------------------------------------------------

def _check_case(case, got, arrays, meta, what="numtorch"):
    ref = meta["cases"][case.id]
    want = arrays[f"{case.id}:out"]
    assert got["dtype"] == ref["dtype"] and got["shape"] == ref["shape"], (what, case.id)
    if case.atol:
        diff = np.abs(got["out"].astype(np.int64) - want.astype(np.int64))
        assert diff.max() <= case.atol and (diff == 0).mean() > 0.9, (what, case.id)
    elif case.exact or want.dtype.kind not in "fc":
        np.testing.assert_array_equal(got["out"], want, err_msg=f"{what} {case.id}")
    else:
        np.testing.assert_allclose(got["out"], want, rtol=1e-6, atol=1e-7, err_msg=f"{what} {case.id}")
    if "idx_dtype" in ref:
        assert got["idx_dtype"] == ref["idx_dtype"]
        np.testing.assert_array_equal(got["idx"], arrays[f"{case.id}:idx"], err_msg=f"{what} {case.id}")
    if "gname" in ref and "gname" in got:
        assert got["gname"] == ref["gname"], (what, case.id)
        np.testing.assert_allclose(got["grad"], arrays[f"{case.id}:grad"], rtol=1e-5, atol=1e-4,
                                   err_msg=f"{what} {case.id}")


def _torch_functional():
    """Live PyTorch and its ``torch.nn.functional`` (None without torch): each test then also
    checks its record still equals live PyTorch."""
    torch = live_torch()
    if torch is None:
        return None, None
    import torch.nn.functional as TF
    return torch, TF


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_matches_pytorch(case):
    arrays, meta = record()
    torch, TF = _torch_functional()
    if torch is not None:
        _check_case(case, run_case(case, torch, TF), arrays, meta, what="torch (record is stale)")
    _check_case(case, run_case(case, numtorch, Fn), arrays, meta)
    with numtorch.no_grad():                   # the no-graph path gives the same values
        _check_case(case, run_case(case, numtorch, Fn, grad=False), arrays, meta)


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_matches_pytorch(name):
    _, meta = record()
    want = meta["errors"][name]
    assert want is not None, f"PyTorch raised nothing for {name}"
    torch, TF = _torch_functional()
    if torch is not None:
        assert run_error(ERRORS[name], torch, TF) == want, "record is stale"
    assert run_error(ERRORS[name], numtorch, Fn) == want


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_matches_pytorch(name):
    _, meta = record()
    torch, _ = _torch_functional()
    if torch is not None:
        assert repr(REPRS[name](torch.nn)) == meta["reprs"][name], "record is stale"
    assert repr(REPRS[name](nnt)) == meta["reprs"][name]


@pytest.mark.parametrize("name", list(DOUBLE))
def test_double_backward_matches_pytorch(name):
    arrays, meta = record()
    call, shape = DOUBLE[name]
    torch, TF = _torch_functional()
    if torch is not None:
        live = run_double(call, shape, torch, TF, name)
        np.testing.assert_allclose(live["gg"], arrays[f"double:{name}:gg"], rtol=1e-12,
                                   err_msg="record is stale")
    got = run_double(call, shape, numtorch, Fn, name)
    for key in ("gx", "gg"):
        np.testing.assert_allclose(got[key], arrays[f"double:{name}:{key}"], rtol=1e-10, atol=1e-12)
    want_xx = arrays.get(f"double:{name}:gxx")
    got_xx = got["gxx"]
    if want_xx is None:             # PyTorch: no dependence on x; numtorch: None or zeros
        assert got_xx is None or not np.any(got_xx)
    else:
        np.testing.assert_allclose(0 if got_xx is None else got_xx, want_xx, atol=1e-12)


# -- numerical gradient checks (float64, no torch) ----------------------------------------------

_IDX = np.array([[[[0, 3], [9, 14]]]])
GRADCHECK = {
    "max_pool2d": (lambda x: Fn.max_pool2d(x, 2), (2, 2, 4, 5)),
    "max_pool2d-overlap": (lambda x: Fn.max_pool2d(x, 3, 1, 1), (1, 2, 4, 5)),
    "max_pool2d-dilated-ceil": (lambda x: Fn.max_pool2d(x, 2, 2, 1, 2, True), (1, 2, 5, 5)),
    "max_pool1d": (lambda x: Fn.max_pool1d(x, 3, 2, 1), (2, 2, 7)),
    "avg_pool2d": (lambda x: Fn.avg_pool2d(x, 3, 2, 1, True, False), (1, 2, 5, 6)),
    "avg_pool2d-divisor": (lambda x: Fn.avg_pool2d(x, 2, 1, 0, False, True, 3), (1, 2, 4, 4)),
    "avg_pool1d": (lambda x: Fn.avg_pool1d(x, 3, 2, 1), (2, 2, 7)),
    "adaptive_avg_pool2d": (lambda x: Fn.adaptive_avg_pool2d(x, (3, 4)), (1, 2, 5, 7)),
    "adaptive_avg_pool2d-up": (lambda x: Fn.adaptive_avg_pool2d(x, (5, 4)), (1, 2, 3, 2)),
    "adaptive_avg_pool1d": (lambda x: Fn.adaptive_avg_pool1d(x, 3), (2, 2, 7)),
    "adaptive_max_pool2d": (lambda x: Fn.adaptive_max_pool2d(x, (3, 4)), (1, 2, 5, 7)),
    "adaptive_max_pool1d": (lambda x: Fn.adaptive_max_pool1d(x, 4), (2, 2, 5)),
    "max_unpool2d": (lambda x: Fn.max_unpool2d(x, numtorch.tensor(_IDX), 2), (1, 1, 2, 2)),
    "max_unpool1d": (lambda x: Fn.max_unpool1d(x, numtorch.tensor(np.array([[[1, 2, 5]]])), 2),
                     (1, 1, 3)),
    "pixel_shuffle": (lambda x: Fn.pixel_shuffle(x, 2), (1, 8, 2, 3)),
    "pixel_unshuffle": (lambda x: Fn.pixel_unshuffle(x, 2), (1, 2, 4, 2)),
    "channel_shuffle": (lambda x: Fn.channel_shuffle(x, 3), (2, 6, 2)),
    "nearest": (lambda x: Fn.interpolate(x, scale_factor=2.5), (1, 2, 3, 2)),
    "nearest-exact": (lambda x: Fn.interpolate(x, size=7, mode="nearest-exact"), (1, 2, 3)),
    "linear": (lambda x: Fn.interpolate(x, size=7, mode="linear"), (1, 2, 3)),
    "bilinear": (lambda x: Fn.interpolate(x, size=(5, 3), mode="bilinear", align_corners=True),
                 (1, 2, 3, 4)),
    "bicubic": (lambda x: Fn.interpolate(x, scale_factor=1.7, mode="bicubic"), (1, 1, 3, 4)),
    "trilinear": (lambda x: Fn.interpolate(x, size=(3, 3, 2), mode="trilinear"), (1, 1, 2, 2, 3)),
    "area": (lambda x: Fn.interpolate(x, size=(2, 3), mode="area"), (1, 1, 3, 5)),
    "bilinear-aa": (lambda x: Fn.interpolate(x, size=(2, 5), mode="bilinear", antialias=True),
                    (1, 2, 5, 3)),
    "bicubic-aa": (lambda x: Fn.interpolate(x, scale_factor=(0.5, 0.3), mode="bicubic",
                                            align_corners=True, antialias=True), (1, 1, 4, 9)),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_and_gradgradcheck(name):
    fn, shape = GRADCHECK[name]
    # distinct values, well apart, so no max-pooling tie sits within the finite-difference step
    rng = np.random.default_rng(_seed(name))
    x = numtorch.tensor(rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape),
                        requires_grad=True)
    assert numtorch.autograd.gradcheck(fn, (x,))
    assert numtorch.autograd.gradgradcheck(fn, (x,))


# -- behaviour beyond the record ----------------------------------------------------------------

def test_window_of_padding_only_gets_no_gradient():
    # dilated taps at -1 and 1 of a one-row input: PyTorch reports the index past the plane
    # (and its backward writes out of bounds); numtorch reports the same index, sends no gradient
    x = numtorch.tensor(np.arange(4.0, dtype=np.float32).reshape(1, 1, 1, 4), requires_grad=True)
    y, i = Fn.max_pool2d(x, 2, 1, 1, 2, False, True)
    assert y.shape == (1, 1, 1, 4)
    assert np.isneginf(y.detach().numpy()).all()
    assert i.numpy().ravel().tolist() == [5, 4, 5, 6]          # PyTorch's answer (forward only)
    y.sum().backward()
    assert not np.any(x.grad.numpy())


def test_tiled_and_general_paths_agree():
    rng = np.random.default_rng(7)
    x = numtorch.tensor(rng.integers(-3, 4, (3, 2, 8, 6)).astype(np.float32), requires_grad=True)
    y1, i1 = Fn.max_pool2d(x, 2, return_indices=True)                  # tiled windows
    y2, i2 = Fn.max_pool2d(x, 2, 2, 0, (1, 1), True, True)              # ceil_mode: general path
    np.testing.assert_array_equal(y1.detach().numpy(), y2.detach().numpy())
    np.testing.assert_array_equal(i1.numpy(), i2.numpy())
    g = numtorch.tensor(rng.standard_normal(y1.shape).astype(np.float32))
    a, = numtorch.autograd.grad(y1, x, g)
    b, = numtorch.autograd.grad(y2, x, g)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_modules_call_the_functionals():
    rng = np.random.default_rng(3)
    x = numtorch.tensor(rng.standard_normal((2, 4, 6, 6)).astype(np.float32))
    y, i = nnt.MaxPool2d(2, return_indices=True)(x)
    np.testing.assert_array_equal(nnt.MaxUnpool2d(2)(y, i).numpy(),
                                  Fn.max_unpool2d(y, i, 2).numpy())
    np.testing.assert_array_equal(nnt.AvgPool2d(3, 1, 1, count_include_pad=False)(x).numpy(),
                                  Fn.avg_pool2d(x, 3, 1, 1, False, False).numpy())
    assert nnt.AdaptiveMaxPool1d(2, return_indices=True)(x[0])[1].dtype == numtorch.int64
    np.testing.assert_array_equal(nnt.UpsamplingBilinear2d(scale_factor=2)(x).numpy(),
                                  Fn.interpolate(x, scale_factor=2, mode="bilinear",
                                                 align_corners=True).numpy())
    np.testing.assert_array_equal(nnt.PixelUnshuffle(2)(nnt.PixelShuffle(2)(x)).numpy(), x.numpy())
    np.testing.assert_array_equal(nnt.ChannelShuffle(2)(nnt.ChannelShuffle(2)(x)).numpy(), x.numpy())
    m = nnt.Sequential(nnt.MaxPool2d(2), nnt.Upsample(scale_factor=2))
    assert m.state_dict() == {} and list(m.parameters()) == []


def test_top_level_names():
    x = numtorch.tensor(np.arange(8.0, dtype=np.float32).reshape(1, 2, 4))
    assert numtorch.max_pool1d(x, 2).tolist() == [[[1.0, 3.0], [5.0, 7.0]]]
    values, indices = numtorch.adaptive_max_pool1d(x, 2)
    assert indices.tolist() == [[[1, 3], [1, 3]]]
    assert numtorch.avg_pool1d(x, 2).tolist() == [[[0.5, 2.5], [4.5, 6.5]]]
    assert numtorch.max_pool2d(x.reshape(1, 1, 2, 4), 2).tolist() == [[[[5.0, 7.0]]]]
    assert numtorch.pixel_shuffle(x.reshape(4, 1, 2), 2).shape == (1, 2, 4)
    assert numtorch.channel_shuffle(x.reshape(1, 2, 4), 2).shape == (1, 2, 4)


def test_deprecated_upsample_functions_warn():
    x = numtorch.ones(1, 1, 2, 2)
    for fn, text in ((Fn.upsample, "upsample"), (Fn.upsample_nearest, "upsample_nearest"),
                     (Fn.upsample_bilinear, "upsample_bilinear")):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert fn(x, scale_factor=2).shape == (1, 1, 4, 4)
        assert str(w[0].message) == (f"`nn.functional.{text}` is deprecated. Use "
                                     "`nn.functional.interpolate` instead.")


def test_interpolate_antialias_by_hand():
    # downscaling 4 -> 2 with the triangle stretched to support 2: output 0 is centred at 1.0,
    # weights of inputs 0, 1, 2 are 0.75, 0.75, 0.25 before normalising (sum 1.75)
    x = numtorch.tensor(np.array([[[[0.0, 7.0, 14.0, 21.0]]]]))
    y = Fn.interpolate(x, size=(1, 2), mode="bilinear", antialias=True)
    np.testing.assert_allclose(y.numpy().ravel(), [(0.75 * 7 + 0.25 * 14) / 1.75,
                                                   (0.25 * 7 + 0.75 * 14 + 0.75 * 21) / 1.75])
    assert Fn.interpolate(x, size=(1, 4), mode="bicubic", antialias=True).equal(x)   # same size
    with pytest.raises(NotImplementedError, match="antialias=True.*uint8"):
        Fn.interpolate(x.to(numtorch.uint8), size=(1, 2), mode="bilinear", antialias=True)


def test_interpolate_formulas_by_hand():
    # nearest: floor(dst * in/out); align_corners: src = dst * (in-1)/(out-1); half-pixel otherwise
    x = numtorch.tensor(np.array([[[0.0, 10.0, 20.0]]], np.float32))
    assert Fn.interpolate(x, size=5).tolist() == [[[0.0, 0.0, 10.0, 10.0, 20.0]]]
    assert Fn.interpolate(x, size=5, mode="nearest-exact").tolist() == [[[0.0, 0.0, 10.0, 20.0, 20.0]]]
    assert Fn.interpolate(x, size=5, mode="linear", align_corners=True).tolist() == \
        [[[0.0, 5.0, 10.0, 15.0, 20.0]]]
    assert Fn.interpolate(x, size=6, mode="linear").tolist() == \
        [[[0.0, 2.5, 7.5, 12.5, 17.5, 20.0]]]
