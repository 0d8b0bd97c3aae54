"""Property tests (hypothesis): broadcasting shapes and dtype promotion.

Shapes are checked against NumPy's broadcasting rule and the gradient shape rule; dtypes against
PyTorch when it is installed, and against promotion's algebraic laws always.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import numtorch as torch

DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
          torch.float16, torch.float32, torch.float64]

shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@st.composite
def broadcastable_pair(draw):
    a = draw(shapes)
    b = list(draw(shapes))
    # make b compatible: for each aligned dim, b's size is 1 or a's size
    for i in range(1, min(len(a), len(b)) + 1):
        b[-i] = draw(st.sampled_from([1, a[-i]]))
    if draw(st.booleans()):
        a, b = tuple(b), a
    return tuple(a), tuple(b)


@settings(max_examples=60, deadline=None)
@given(broadcastable_pair(), st.sampled_from(["add", "mul", "sub", "div", "maximum"]))
def test_broadcast_shape_and_gradient_shapes(pair, op):
    sa, sb = pair
    a = torch.rand(*sa, dtype=torch.float64, requires_grad=True)
    b = (torch.rand(*sb, dtype=torch.float64) + 1).requires_grad_()
    out = getattr(torch, op)(a, b)
    assert tuple(out.shape) == np.broadcast_shapes(sa, sb)
    out.sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb


@settings(max_examples=60, deadline=None)
@given(shapes, shapes)
def test_incompatible_shapes_raise_pytorch_message(sa, sb):
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        with pytest.raises(RuntimeError, match="must match the size of tensor b"):
            torch.ones(sa) + torch.ones(sb)
    else:
        assert tuple((torch.ones(sa) + torch.ones(sb)).shape) == np.broadcast_shapes(sa, sb)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(DTYPES), st.sampled_from(DTYPES), st.sampled_from(DTYPES))
def test_promotion_laws(a, b, c):
    p = torch.promote_types
    assert p(a, b) is p(b, a)
    assert p(a, a) is a
    assert p(p(a, b), c) is p(a, p(b, c)) or {a, b, c} >= {torch.uint8, torch.int8}
    r = p(a, b)
    assert r.is_floating_point == (a.is_floating_point or b.is_floating_point)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(DTYPES), st.sampled_from(DTYPES), st.booleans(), st.booleans())
def test_tensor_tensor_dtype_matches_torch(a, b, a0, b0):
    torch_ = pytest.importorskip("torch")
    sa, sb = (() if a0 else (2,)), (() if b0 else (2,))
    want = torch_.result_type(torch_.ones(sa, dtype=getattr(torch_, str(a)[6:])),
                              torch_.ones(sb, dtype=getattr(torch_, str(b)[6:])))
    x, y = torch.ones(sa, dtype=a), torch.ones(sb, dtype=b)
    assert str(torch.result_type(x, y)) == str(want)
    if a is not torch.bool or b is not torch.bool:
        assert str((x * y).dtype) == str(want)
    assert (x == y).dtype is torch.bool


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(DTYPES), st.one_of(st.integers(-5, 5), st.floats(-3, 3), st.booleans()))
def test_scalar_never_widens_its_category(d, s):
    x = torch.ones(2, dtype=d)
    r = torch.result_type(x, s)
    kind = 0 if isinstance(s, bool) else 1 if isinstance(s, int) else 2
    tensor_kind = 0 if d is torch.bool else 2 if d.is_floating_point else 1
    if kind <= tensor_kind:
        assert r is d
    else:
        assert r is (torch.int64 if kind == 1 else torch.get_default_dtype())
