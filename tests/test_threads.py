import pytest

import numtorch as torch


def test_set_and_get_num_threads_round_trip():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    assert torch.get_num_threads() == before


def test_set_num_threads_rejects_non_positive():
    with pytest.raises(RuntimeError, match="positive"):
        torch.set_num_threads(0)
