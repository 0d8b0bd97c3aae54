"""Tensor attributes, conversion and Python protocols (memory sharing, hashing, formatting)."""
from __future__ import annotations

import numpy as np
import pytest

import numtorch as torch


def test_from_numpy_and_numpy_share_memory():
    a = np.arange(3.0)
    t = torch.from_numpy(a)
    a[0] = 7.0
    assert t[0].item() == 7.0
    n = t.numpy()
    n[1] = 5.0
    assert t.tolist() == [7.0, 5.0, 2.0]
    assert t.dtype == torch.float64


def test_as_tensor_shares_memory_tensor_copies():
    a = np.zeros(2, np.float32)
    assert np.shares_memory(torch.as_tensor(a).numpy(), a)
    assert not np.shares_memory(torch.tensor(a).numpy(), a)


def test_attributes():
    x = torch.zeros(2, 3, requires_grad=True)
    assert x.shape == (2, 3) and x.size() == torch.Size([2, 3]) and x.size(-1) == 3
    assert isinstance(x.shape, torch.Size) and repr(x.shape) == "torch.Size([2, 3])"
    assert x.dim() == x.ndim == 2 and x.numel() == 6
    assert x.dtype is torch.float32 and str(x.device) == "cpu"
    assert x.T.shape == (3, 2)
    assert x.is_leaf and x.grad is None and x.grad_fn is None
    d = x.data
    assert not d.requires_grad and np.shares_memory(d.numpy(), x.detach().numpy())


def test_conversions():
    x = torch.tensor([1.5, -2.5])
    assert x.long().dtype is torch.int64 and x.long().tolist() == [1, -2]
    assert x.int().dtype is torch.int32 and x.half().dtype is torch.float16
    assert x.double().dtype is torch.float64 and x.bool().tolist() == [True, True]
    assert x.to(torch.float64).dtype is torch.float64 and x.to(torch.float32) is x
    assert x.type() == "torch.FloatTensor" and x.long().type() == "torch.LongTensor"
    assert x.type(torch.int64).dtype is torch.int64
    assert x.cpu() is x and x.contiguous() is x
    c = x.clone()
    c[0] = 0.0
    assert x[0].item() == 1.5


def test_protocols():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert len(x) == 2
    assert [r.tolist() for r in x] == [[1.0, 2.0], [3.0, 4.0]]
    assert np.asarray(x).dtype == np.float32 and np.argmax(x) == 3
    assert bool(torch.tensor([1])) and not bool(torch.tensor(0.0))
    assert f"{torch.tensor(3.14159):.2f}" == "3.14"
    assert [10, 20, 30][torch.tensor(2)] == 30
    assert float(torch.tensor(2.5)) == 2.5 and int(torch.tensor(7)) == 7
    with pytest.raises(TypeError):
        [1, 2][torch.tensor(1.0)]


def test_hash_by_identity():
    a, b = torch.tensor([1.0]), torch.tensor([1.0])
    assert hash(a) == id(a) and hash(a) != hash(b)
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_item_tolist_types():
    assert type(torch.tensor(2).item()) is int
    assert type(torch.tensor(2.0).item()) is float
    assert type(torch.tensor(True).item()) is bool
    assert torch.tensor([[1, 2]]).tolist() == [[1, 2]]


def test_legacy_constructors():
    assert torch.Tensor([1, 2]).dtype is torch.float32
    assert torch.Tensor(2, 3).shape == (2, 3)
    assert torch.FloatTensor([1]).dtype is torch.float32
    assert torch.LongTensor([1]).dtype is torch.int64
    assert isinstance(torch.zeros(1), torch.FloatTensor)
    assert not isinstance(torch.zeros(1, dtype=torch.int64), torch.FloatTensor)


def test_linspace_arange_values():
    assert torch.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert torch.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert torch.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_torch_select_at_top_level():
    # torch 2.13: torch.select(arange(6).reshape(2, 3), 1, 2) -> tensor([2, 5]), SelectBackward0
    import numtorch
    assert numtorch.select(numtorch.arange(6).reshape(2, 3), 1, 2).tolist() == [2, 5]
    x = numtorch.ones(2, 3, requires_grad=True)
    assert numtorch.select(x * 1, 0, 1).grad_fn.name() == "SelectBackward0"
