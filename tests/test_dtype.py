"""dtypes: names, aliases, torch.Size, default dtype, and PyTorch's promotion table.

PyTorch's promotion answers are recorded in ``tests/data/oracle/dtype.json`` (``tests/_oracle.py``;
regenerate with ``python tests/data/regen_oracle.py tests/test_dtype.py``), so the table runs
without torch; with torch installed the record is also checked against live PyTorch.
"""
from __future__ import annotations

import itertools

import pytest

import numtorch as torch
from _oracle import Oracle

ORACLE = Oracle("dtype")

NAMES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def test_names_and_aliases():
    assert repr(torch.float32) == "torch.float32"
    assert torch.float is torch.float32 and torch.double is torch.float64
    assert torch.half is torch.float16 and torch.long is torch.int64
    assert torch.int is torch.int32 and torch.short is torch.int16
    assert torch.bool.is_floating_point is False and torch.float16.is_floating_point
    assert torch.tensor(1).dtype is torch.int64 and torch.tensor(1.0).dtype is torch.float32
    assert torch.tensor(True).dtype is torch.bool


def test_size():
    s = torch.Size([2, 3])
    assert s == (2, 3) and s.numel() == 6 and repr(s) == "torch.Size([2, 3])"
    assert isinstance(torch.ones(2, 3).shape[0:1], torch.Size)


def test_default_dtype():
    assert torch.get_default_dtype() is torch.float32
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.tensor([1.0]).dtype is torch.float64
        assert (torch.tensor([1]) / 2).dtype is torch.float64
        assert torch.zeros(1).dtype is torch.float64
    finally:
        torch.set_default_dtype(torch.float32)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)


def test_scalar_rules():
    i = torch.tensor([1, 2])
    f = torch.tensor([1.0], dtype=torch.float16)
    assert (i / 2).dtype is torch.float32                    # int / int -> float32
    assert (i * 2.5).dtype is torch.float32
    assert (i + 1).dtype is torch.int64
    assert (f * 1e3).dtype is torch.float16                  # scalar never widens its category
    assert (torch.tensor([1], dtype=torch.int8) + 1000).dtype is torch.int8
    assert (i > 1).dtype is torch.bool


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_matches_torch(a, b):
    want = ORACLE.answer(f"promote_types/{a}/{b}",
                         lambda T: T.promote_types(getattr(T, a), getattr(T, b)))
    got = torch.promote_types(getattr(torch, a if a != "bool" else "bool"), getattr(torch, b))
    assert str(got) == str(want)


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("scalar", [1, 2.5, True])
def test_result_type_with_scalar_matches_torch(a, scalar):
    want = ORACLE.answer(f"result_type_scalar/{a}/{scalar!r}",
                         lambda T: T.result_type(T.ones(2, dtype=getattr(T, a)), scalar))
    got = torch.result_type(torch.ones(2, dtype=getattr(torch, a)), scalar)
    assert str(got) == str(want)


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_zero_dim_tensor_promotion_matches_torch(a, b):
    want = ORACLE.answer(f"result_type_0d/{a}/{b}",
                         lambda T: T.result_type(T.ones(2, dtype=getattr(T, a)),
                                                 T.ones((), dtype=getattr(T, b))))
    got = torch.result_type(torch.ones(2, dtype=getattr(torch, a)),
                            torch.ones((), dtype=getattr(torch, b)))
    assert str(got) == str(want)
