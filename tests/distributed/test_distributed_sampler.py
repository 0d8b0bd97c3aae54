"""DistributedSampler: PyTorch's indices per rank (shuffle, seed, set_epoch, drop_last, padding).

Runs without torch and without MPI: the expected indices are PyTorch's, recorded in
tests/data/distributed_sampler.json (regenerate with ``python
tests/data/regen_distributed_sampler.py``, torch installed); with torch present the record is
also checked against live PyTorch.
"""
from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pytest

import numtorch as torch
from numtorch.utils.data import DataLoader, DistributedSampler, TensorDataset

RECORD = os.path.join(os.path.dirname(__file__), "..", "data", "distributed_sampler.json")

# (dataset length, num_replicas, shuffle, seed, drop_last, epochs): every rank is recorded
CASES = [
    (10, 3, True, 0, False, (0, 1)),
    (10, 3, True, 0, True, (0, 2)),
    (10, 3, False, 0, False, (0,)),
    (10, 3, False, 0, True, (0,)),
    (10, 4, True, 7, False, (0, 3)),
    (7, 2, True, 42, False, (0, 1, 9)),
    (7, 2, True, 42, True, (0, 1)),
    (2, 5, True, 0, False, (0,)),        # fewer samples than ranks: padding repeats them
    (2, 5, False, 0, False, (0,)),
    (3, 8, True, 1, False, (0,)),        # padding longer than the dataset
    (1, 3, True, 0, False, (0,)),
    (0, 2, True, 0, False, (0,)),
    (13, 1, True, 5, False, (0, 1)),
    (100, 3, True, -1, False, (0, 1)),   # a negative seed (two's complement, low 32 bits)
    (100, 8, True, 2 ** 40 + 3, True, (0, 4)),
    (1000, 6, True, 123, False, (2,)),
]
# large datasets: length, first 12 indices and a hash of each rank's int64 indices
BIG = [(60000, 4, True, 0, False, (0, 1)), (50001, 3, True, 9, True, (3,))]


def _key(n, reps, shuffle, seed, drop_last, epoch, rank) -> str:
    return f"n={n} replicas={reps} shuffle={shuffle} seed={seed} drop_last={drop_last} " \
           f"epoch={epoch} rank={rank}"


def _digest(indices) -> dict:
    a = np.asarray(indices, dtype=np.int64)
    return {"len": int(a.size), "head": a[:12].tolist(),
            "sha256": hashlib.sha256(a.tobytes()).hexdigest()}


def _entries(make):
    """``{key: indices or digest}`` for every case, with ``make(n, reps, rank, shuffle, seed,
    drop_last)`` building the sampler of the framework under test."""
    out = {}
    for cases, big in ((CASES, False), (BIG, True)):
        for n, reps, shuffle, seed, drop_last, epochs in cases:
            for rank in range(reps):
                s = make(n, reps, rank, shuffle, seed, drop_last)
                for epoch in epochs:
                    s.set_epoch(epoch)
                    got = [int(i) for i in s]
                    assert len(got) == len(s)
                    out[_key(n, reps, shuffle, seed, drop_last, epoch, rank)] = \
                        _digest(got) if big else got
    return out


def regenerate() -> dict:
    import torch as real
    from torch.utils.data import DistributedSampler as TorchSampler

    def make(n, reps, rank, shuffle, seed, drop_last):
        return TorchSampler(range(n), num_replicas=reps, rank=rank, shuffle=shuffle, seed=seed,
                            drop_last=drop_last)
    return {"torch": real.__version__, "cases": _entries(make)}


def _numtorch_entries() -> dict:
    def make(n, reps, rank, shuffle, seed, drop_last):
        return DistributedSampler(range(n), num_replicas=reps, rank=rank, shuffle=shuffle,
                                  seed=seed, drop_last=drop_last)
    return _entries(make)


@pytest.fixture(scope="module")
def record():
    with open(RECORD) as f:
        return json.load(f)


def test_indices_equal_pytorchs(record):
    got = _numtorch_entries()
    assert set(got) == set(record["cases"])
    bad = [k for k in got if got[k] != record["cases"][k]]
    assert not bad, f"{len(bad)} cases differ, e.g. {bad[0]}: {got[bad[0]]} vs " \
                    f"{record['cases'][bad[0]]}"


def test_record_matches_live_pytorch(record):
    pytest.importorskip("torch")
    assert regenerate()["cases"] == record["cases"]


def test_ranks_partition_the_epoch():
    # without drop_last every index appears, and the ranks together visit total_size indices
    n, reps = 103, 4
    samplers = [DistributedSampler(range(n), reps, r, seed=3) for r in range(reps)]
    seen = []
    for s in samplers:
        s.set_epoch(2)
        seen += list(s)
    assert len(seen) == samplers[0].total_size == 104
    assert set(seen) == set(range(n))
    # with drop_last the ranks' shares are disjoint
    samplers = [DistributedSampler(range(n), reps, r, seed=3, drop_last=True)
                for r in range(reps)]
    seen = [i for s in samplers for i in s]
    assert len(seen) == len(set(seen)) == 100


def test_attributes_and_errors():
    s = DistributedSampler(range(10), num_replicas=3, rank=1)
    assert (s.num_replicas, s.rank, s.epoch, s.num_samples, s.total_size, s.shuffle, s.seed,
            s.drop_last) == (3, 1, 0, 4, 12, True, 0, False)
    for rank in (3, -1):
        with pytest.raises(ValueError, match=rf"Invalid rank {rank}, rank should be in the "
                                             r"interval \[0, 2\]"):
            DistributedSampler(range(10), num_replicas=3, rank=rank)
    import numtorch.distributed as dist
    if dist.is_available():                # no process group, no world size given
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            DistributedSampler(range(10))
    else:                                  # without the distributed extra: PyTorch's text too
        with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
            DistributedSampler(range(10))


def test_dataloader_batches_follow_the_sampler():
    ds = TensorDataset(torch.arange(20))
    s = DistributedSampler(ds, num_replicas=3, rank=2, seed=11)
    s.set_epoch(4)
    order = list(s)
    batches = [b[0].tolist() for b in DataLoader(ds, batch_size=3, sampler=s)]
    assert [i for b in batches for i in b] == order
    assert [len(b) for b in batches] == [3, 3, 1]
