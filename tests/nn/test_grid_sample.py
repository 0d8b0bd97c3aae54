"""``F.grid_sample`` and ``F.affine_grid`` (spatial transformer networks) against PyTorch 2.13.

Values, dtypes, shapes, grad_fn names and the gradients of the input, the grid and theta, through
the recorded oracle (tests/data/oracle/grid_sample.*; ``python tests/data/regen_oracle.py
tests/nn/test_grid_sample.py`` rewrites it). 2-d bilinear and nearest sampling and affine_grid
are PyTorch's to the bit in float32 (checked with zero tolerance); bicubic within a few ulps.
Gradients: float64 gradcheck and gradgradcheck, and second derivatives against PyTorch.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck

from _oracle import Oracle, error, live_torch
from _parity import Case, D, F, run_case

ORACLE = Oracle("grid_sample")
MODES = ("bilinear", "nearest", "bicubic")
PADDINGS = ("zeros", "border", "reflection")


def _sample(mode, padding, align):
    def fn(T, x, g):
        return T.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding,
                                           align_corners=align)
    return fn


def _cases() -> list:
    cases = []
    for mode in MODES:
        for padding in PADDINGS:
            for align in (True, False):
                name = f"{mode}/{padding}/{'align' if align else 'centres'}"
                # the grid reaches past the image (-1.6..1.6): every padding rule is exercised
                cases.append(Case(f"2d/{name}", _sample(mode, padding, align),
                                  F(2, 3, 5, 7), F(2, 4, 6, 2, lo=-1.6, hi=1.6),
                                  rtol=2e-6, atol=1e-6))
                if mode != "bicubic":
                    cases.append(Case(f"3d/{name}", _sample(mode, padding, align),
                                      D(2, 2, 3, 4, 5), D(2, 2, 3, 4, 3, lo=-1.4, hi=1.4),
                                      rtol=1e-12, atol=1e-13))
    # one channel, a 1-pixel-wide image, a grid of one point, float64 bicubic
    cases.append(Case("2d/one_column", _sample("bilinear", "reflection", False),
                      F(1, 1, 4, 1), F(1, 3, 3, 2, lo=-2, hi=2), rtol=2e-6, atol=1e-6))
    cases.append(Case("2d/one_point", _sample("bilinear", "border", True),
                      F(3, 2, 2, 2), F(3, 1, 1, 2), rtol=2e-6, atol=1e-6))
    cases.append(Case("2d/bicubic_float64", _sample("bicubic", "reflection", True),
                      D(1, 2, 4, 5), D(1, 3, 3, 2, lo=-1.5, hi=1.5), rtol=1e-12, atol=1e-13))
    return cases


CASES = _cases()


def _forward(T, case):
    rng = np.random.default_rng(case.seed)
    args = [T.tensor(s.array(rng)) for s in case.specs]
    return case.fn(T, *args).detach().numpy()


@pytest.mark.parametrize("case", [c for c in CASES if c.id.startswith("2d/")
                                  and "bicubic" not in c.id], ids=repr)
def test_float32_2d_values_are_pytorchs_to_the_bit(case):
    want = ORACLE.answer(f"exact/{case.id}", lambda T: _forward(T, case))
    np.testing.assert_array_equal(_forward(numtorch, case), np.asarray(want))


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_grid_sample_parity(case):
    run_case(live_torch(), case, ORACLE)


def _affine(size, align):
    def fn(T, theta):
        return T.nn.functional.affine_grid(theta, size, align_corners=align)
    return fn


AFFINE = [Case(f"affine/{'x'.join(map(str, size))}/{align}/{dt}", _affine(size, align),
               (F if dt == "f32" else D)(*theta), rtol=1e-6 if dt == "f32" else 1e-12,
               atol=1e-6 if dt == "f32" else 1e-13)
          for size, theta in (((2, 3, 4, 5), (2, 2, 3)), ((2, 1, 1, 5), (2, 2, 3)),
                              ((3, 1, 7, 1), (3, 2, 3)), ((1, 2, 3, 4, 5), (1, 3, 4)))
          for align in (True, False) for dt in ("f32", "f64")]


@pytest.mark.filterwarnings("ignore:Since version 1.3.0")
@pytest.mark.parametrize("case", AFFINE, ids=repr)
def test_affine_grid_parity(case):
    run_case(live_torch(), case, ORACLE)


@pytest.mark.filterwarnings("ignore:Since version 1.3.0")
@pytest.mark.parametrize("case", AFFINE, ids=repr)
def test_affine_grid_values_are_pytorchs_to_the_bit(case):
    want = ORACLE.answer(f"exact/{case.id}", lambda T: _forward(T, case))
    np.testing.assert_array_equal(_forward(numtorch, case), np.asarray(want))


def test_spatial_transformer_step():
    """affine_grid then grid_sample (the STN tutorial's pattern): values and both gradients."""
    def step(T):
        rng = np.random.default_rng(7)
        theta = T.tensor(rng.uniform(-0.8, 0.8, (2, 2, 3)).astype(np.float32), requires_grad=True)
        x = T.tensor(rng.standard_normal((2, 3, 8, 8)).astype(np.float32), requires_grad=True)
        grid = T.nn.functional.affine_grid(theta, [2, 3, 6, 6], align_corners=False)
        y = T.nn.functional.grid_sample(x, grid, align_corners=False)
        (y * y).sum().backward()
        return y.detach(), theta.grad, x.grad, y.grad_fn.name(), grid.grad_fn.name()

    want = ORACLE.answer("stn_step", step)
    got = step(numtorch)
    np.testing.assert_array_equal(got[0].numpy(), want[0].detach().numpy())
    np.testing.assert_allclose(got[1].numpy(), want[1].detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[2].numpy(), want[2].detach().numpy(), rtol=1e-6, atol=1e-6)
    assert got[3:] == tuple(want[3:]) == ("GridSampler2DBackward0", "AffineGridGeneratorBackward0")


def _second_derivatives(T, mode, padding):
    rng = np.random.default_rng(11)
    x = T.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
    g = T.tensor(rng.uniform(-1.3, 1.3, (1, 3, 2, 2)), requires_grad=True)
    w = T.tensor(rng.standard_normal((1, 2, 3, 2)))
    y = T.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding, align_corners=False)
    gx, gg = T.autograd.grad((y * w).sum(), (x, g), create_graph=True)
    hx, hg = T.autograd.grad((gx * gx).sum() + (gg * gg).sum(), (x, g), allow_unused=True)
    return [gx.detach(), gg.detach(), hx, hg]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding", PADDINGS)
def test_second_derivatives_match_pytorch(mode, padding):
    want = ORACLE.answer(f"second/{mode}/{padding}", lambda T: _second_derivatives(T, mode, padding))
    got = _second_derivatives(numtorch, mode, padding)
    for k, (a, b) in enumerate(zip(got, want)):
        if b is None:
            assert a is None or not np.any(a.numpy()), k
            continue
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"{mode}/{padding} item {k}")


# -- gradcheck / gradgradcheck (float64; mathematics, no PyTorch) ------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("align", [True, False])
def test_gradcheck_and_gradgradcheck(mode, padding, align):
    rng = np.random.default_rng(5)
    x = numtorch.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
    g = numtorch.tensor(rng.uniform(-1.2, 1.2, (1, 3, 2, 2)), requires_grad=True)

    def f(x, g):
        return numtorch.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding,
                                                  align_corners=align)
    assert gradcheck(f, (x, g))
    assert gradgradcheck(f, (x, g))


def test_gradcheck_3d_and_affine_grid():
    rng = np.random.default_rng(6)
    x = numtorch.tensor(rng.standard_normal((1, 2, 3, 4, 3)), requires_grad=True)
    g = numtorch.tensor(rng.uniform(-1.2, 1.2, (1, 2, 2, 2, 3)), requires_grad=True)
    F_ = numtorch.nn.functional

    def f(x, g):
        return F_.grid_sample(x, g, padding_mode="reflection", align_corners=False)
    assert gradcheck(f, (x, g)) and gradgradcheck(f, (x, g))
    theta = numtorch.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)

    def a(t):
        return F_.affine_grid(t, (2, 1, 2, 3, 4), align_corners=True)
    assert gradcheck(a, (theta,)) and gradgradcheck(a, (theta,))


def test_known_values():
    """By hand: the centre of a 2x2 image is the mean of its pixels; identity theta gives the
    pixel centres."""
    F_ = numtorch.nn.functional
    img = numtorch.arange(4.0).reshape(1, 1, 2, 2)
    centre = F_.grid_sample(img, numtorch.zeros(1, 1, 1, 2), align_corners=True)
    assert centre.item() == 1.5
    ident = numtorch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    grid = F_.affine_grid(ident, [1, 1, 2, 2], align_corners=False)
    assert grid[0].tolist() == [[[-0.5, -0.5], [0.5, -0.5]], [[-0.5, 0.5], [0.5, 0.5]]]
    same = F_.grid_sample(img, grid, align_corners=False)      # identity resampling
    assert same.tolist() == img.tolist()


# -- errors and warnings ----------------------------------------------------------------------------

def _x(T, *shape, dtype="float32"):
    return T.zeros(*shape, dtype=getattr(T, dtype))


ERRORS = {
    "mode": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 2, 2), _x(T, 1, 1, 1, 2),
                                                  mode="area", align_corners=False),
    "padding": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 2, 2), _x(T, 1, 1, 1, 2),
                                                     padding_mode="circular", align_corners=False),
    "grid_last": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 2, 2), _x(T, 1, 1, 1, 3),
                                                       align_corners=False),
    "batch": lambda T: T.nn.functional.grid_sample(_x(T, 2, 1, 2, 2), _x(T, 1, 1, 1, 2),
                                                   align_corners=False),
    "ndim": lambda T: T.nn.functional.grid_sample(_x(T, 1, 2, 2), _x(T, 1, 1, 1, 2),
                                                  align_corners=False),
    "ndim_3": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 2), _x(T, 1, 1, 2),
                                                    align_corners=False),
    "empty": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 0, 2), _x(T, 1, 1, 1, 2),
                                                   align_corners=False),
    "bicubic_3d": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 2, 2, 2),
                                                        _x(T, 1, 1, 1, 1, 3), mode="bicubic",
                                                        align_corners=False),
    "int_input": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 2, 2, dtype="int64"),
                                                       _x(T, 1, 1, 1, 2), align_corners=False),
    "dtype_mix": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 2, 2),
                                                       _x(T, 1, 1, 1, 2, dtype="float64"),
                                                       align_corners=False),
    "dtype_mix_2": lambda T: T.nn.functional.grid_sample(_x(T, 1, 1, 2, 2, dtype="float64"),
                                                         _x(T, 1, 1, 1, 2), align_corners=False),
    "affine_theta_shape": lambda T: T.nn.functional.affine_grid(_x(T, 1, 2, 2), [1, 1, 3, 4],
                                                                align_corners=False),
    "affine_theta_3d": lambda T: T.nn.functional.affine_grid(_x(T, 1, 2, 3), [1, 1, 2, 3, 4],
                                                             align_corners=False),
    "affine_size": lambda T: T.nn.functional.affine_grid(_x(T, 1, 2, 3), [1, 1, 3],
                                                         align_corners=False),
    "affine_int": lambda T: T.nn.functional.affine_grid(_x(T, 1, 2, 3, dtype="int64"),
                                                        [1, 1, 3, 4], align_corners=False),
    "affine_zero": lambda T: T.nn.functional.affine_grid(_x(T, 1, 2, 3), [1, 1, 0, 4],
                                                         align_corners=False),
    "affine_batch": lambda T: T.nn.functional.affine_grid(_x(T, 2, 2, 3), [1, 1, 3, 4],
                                                          align_corners=False),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    want = ORACLE.answer(f"error/{name}", lambda T: error(lambda: ERRORS[name](T)))
    got = error(lambda: ERRORS[name](numtorch))
    assert got == list(want), f"{name}: numtorch {got} vs PyTorch {want}"


@pytest.mark.parametrize("fn", ["grid_sample", "affine_grid"])
def test_align_corners_default_warns(fn):
    def facts(T):
        F_ = T.nn.functional
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            if fn == "grid_sample":
                y = F_.grid_sample(T.ones(1, 1, 2, 2), T.zeros(1, 1, 1, 2) + 0.25)
            else:
                y = F_.affine_grid(T.tensor([[[1.0, 0.0, 0.1], [0.0, 1.0, 0.0]]]), [1, 1, 2, 2])
        return [[type(m.message).__name__, str(m.message)] for m in w], y.detach()

    want = ORACLE.answer(f"warning/{fn}", facts)
    got = facts(numtorch)
    assert [list(m) for m in want[0]] == got[0]
    np.testing.assert_array_equal(got[1].numpy(), want[1].detach().numpy())


def test_unit_size_affine_grid_warns():
    def facts(T):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            T.nn.functional.affine_grid(T.zeros(1, 2, 3), [1, 1, 1, 3], align_corners=True)
            T.nn.functional.affine_grid(T.zeros(1, 2, 3), [1, 1, 2, 3], align_corners=True)
        return [[type(m.message).__name__, str(m.message)] for m in w]

    want = ORACLE.answer("warning/unit_size", facts)
    assert facts(numtorch) == [list(m) for m in want]
