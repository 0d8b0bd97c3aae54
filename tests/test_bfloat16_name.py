"""``torch.bfloat16`` exists as a name (autocast's CPU default, checkpoints' dtype fields);
making a bfloat16 tensor raises a TypeError that says NumPy has none."""
import pytest

import numtorch as torch

MAKERS = {
    "zeros": lambda: torch.zeros(2, dtype=torch.bfloat16),
    "tensor": lambda: torch.tensor([1.0], dtype=torch.bfloat16),
    "randn": lambda: torch.randn(2, dtype=torch.bfloat16),
    "to": lambda: torch.ones(2).to(torch.bfloat16),
    "to_kw": lambda: torch.ones(2).to(dtype=torch.bfloat16),
    "type": lambda: torch.ones(2).type(torch.bfloat16),
    "method": lambda: torch.ones(2).bfloat16(),
}


def test_name_prints_as_pytorch():
    assert repr(torch.bfloat16) == "torch.bfloat16"
    assert torch.bfloat16.is_floating_point and torch.bfloat16.itemsize == 2


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_no_bfloat16_tensors(name):
    with pytest.raises(TypeError, match="NumPy has no bfloat16"):
        MAKERS[name]()


def test_autocast_with_bfloat16_computes_in_float32():
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
