"""torch.utils.data: datasets, samplers, DataLoader (PyTorch's shuffle order), default_collate.

Expected orders come from the RNG spec's vectors (recorded from PyTorch 2.13) or from real
PyTorch when it is installed."""
import collections
import random

import numpy as np
import pytest

import numtorch as torch
from numtorch.utils import data as D


def batches(loader):
    return [b[0].tolist() if isinstance(b, list) else b.tolist() for b in loader]


# -- the spec vector (shared/specs/torch-rng.md §11) ---------------------------------------------------

def test_shuffle_matches_pytorch_vector():
    torch.manual_seed(0)
    loader = D.DataLoader(D.TensorDataset(torch.arange(10)), batch_size=4, shuffle=True)
    assert batches(loader) == [[6, 7, 1, 4], [2, 0, 9, 8], [3, 5]]
    assert batches(loader) == [[2, 4, 7, 0], [8, 9, 5, 3], [6, 1]]
    assert torch.rand(1).item() == pytest.approx(0.45562798, abs=1e-8)


def test_per_item_dataset_gives_the_same_order_and_values():
    class DS(D.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return torch.tensor(i), float(i), {"i": i}

    torch.manual_seed(0)
    out = list(D.DataLoader(DS(), batch_size=4, shuffle=True))
    assert [b[0].tolist() for b in out] == [[6, 7, 1, 4], [2, 0, 9, 8], [3, 5]]
    assert out[0][1].dtype == torch.float64 and out[0][2]["i"].tolist() == [6, 7, 1, 4]


def test_len_repr_drop_last_and_batch_size_none():
    ds = D.TensorDataset(torch.arange(10.), torch.arange(10))
    loader = D.DataLoader(ds, batch_size=4, drop_last=True)
    assert len(loader) == 2 and [b[1].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(D.DataLoader(ds, batch_size=4)) == 3
    assert repr(loader).startswith("<numtorch.utils.data.dataloader.DataLoader object at 0x")
    one = list(D.DataLoader(ds, batch_size=None))
    assert len(one) == 10 and one[3][0].shape == torch.Size([]) and one[3][1].item() == 3


def test_tensor_dataset_batch_fetch_equals_default_collate():
    x, y = torch.randn(7, 3), torch.arange(7)
    ds = D.TensorDataset(x, y)
    fast = list(D.DataLoader(ds, batch_size=3))
    slow = list(D.DataLoader(ds, batch_size=3, collate_fn=lambda b: D.default_collate(b)))
    for f, s in zip(fast, slow):
        assert isinstance(f, list) and isinstance(s, list)
        assert all(np.array_equal(a.numpy(), b.numpy()) and a.dtype == b.dtype for a, b in zip(f, s))
    assert ds.__getitems__([1, 2])[1][1].item() == 2


def test_errors_have_pytorch_text():
    ds = D.TensorDataset(torch.arange(4))
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got "
                                         "batch_size=0"):
        D.DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        D.DataLoader(ds, sampler=D.SequentialSampler(ds), shuffle=True)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        D.DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        D.DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        D.default_collate([torch.zeros(2), torch.zeros(3)])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        D.default_collate([object()])
    loader = D.DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        D.TensorDataset(torch.zeros(2), torch.zeros(3))
    two = D.TensorDataset(torch.arange(3), torch.arange(6).reshape(3, 2))
    for bad, msg in (([0, 5], "index 5 is"), ([-4, 1], "index -4 is")):
        with pytest.raises(IndexError, match=msg + " out of bounds for dimension 0 with size 3"):
            list(D.DataLoader(two, batch_size=2, sampler=bad))


def test_default_collate_types():
    P = collections.namedtuple("P", "x y")
    out = D.default_collate([{"a": 1, "b": (2.0, "s"), "c": np.array([1, 2])},
                             {"a": 3, "b": (4.0, "t"), "c": np.array([3, 4])}])
    assert out["a"].tolist() == [1, 3] and out["a"].dtype == torch.int64
    assert out["b"][0].dtype == torch.float64 and out["b"][1] == ("s", "t")
    assert out["c"].tolist() == [[1, 2], [3, 4]]
    p = D.default_collate([P(1, True), P(2, False)])
    assert isinstance(p, P) and p.y.dtype == torch.bool
    assert D.default_collate([np.float32(1.5), np.float32(2)]).dtype == torch.float32
    assert D.default_collate([[1, 2], [3, 4]])[0].tolist() == [1, 3]
    assert isinstance(D.default_collate([(1, 2)]), list)
    conv = D.default_convert([np.array([1.0]), (np.int64(3), "x")])
    assert conv[0].dtype == torch.float64 and conv[1][0].item() == 3 and conv[1][1] == "x"


def test_samplers():
    assert list(D.SequentialSampler(range(3))) == [0, 1, 2]
    assert list(D.BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert list(D.BatchSampler(D.SequentialSampler(range(5)), 2, True)) == [[0, 1], [2, 3]]
    assert len(D.BatchSampler(range(5), 2, False)) == 3
    g = torch.Generator().manual_seed(0)
    perm = list(D.RandomSampler(range(10), generator=g))
    assert perm == [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]        # randperm(10) after seed 0 (spec §11)
    assert len(list(D.RandomSampler(range(5), replacement=True, num_samples=40))) == 40
    assert sorted(D.SubsetRandomSampler([3, 5, 7])) == [3, 5, 7]
    w = list(D.WeightedRandomSampler([0.0, 1.0, 0.0], 5))
    assert w == [1] * 5


def test_dataset_combinators_and_random_split():
    ds = D.TensorDataset(torch.arange(10))
    cat = ds + D.TensorDataset(torch.arange(10, 13))
    assert len(cat) == 13 and cat[11][0].item() == 11 and cat[-1][0].item() == 12
    sub = D.Subset(ds, [5, 2])
    assert sub[1][0].item() == 2 and len(sub) == 2
    assert batches(D.DataLoader(sub, batch_size=2)) == [[5, 2]]
    torch.manual_seed(0)
    a, b = D.random_split(range(10), [0.7, 0.3])
    assert list(a) + list(b) == [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]     # randperm(10), seed 0
    with pytest.raises(ValueError, match="Sum of input lengths"):
        D.random_split(range(10), [3, 3])
    st = D.StackDataset(a=[1, 2], b=["x", "y"])
    assert st[1] == {"a": 2, "b": "y"}


class _Stream(D.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = D.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def test_iterable_dataset_and_workers_sharding():
    assert batches(D.DataLoader(_Stream(5), batch_size=2)) == [[0, 1], [2, 3], [4]]
    # two workers: batches alternate between them, as PyTorch delivers them
    assert batches(D.DataLoader(_Stream(7), batch_size=2, num_workers=2)) == \
        [[0, 2], [1, 3], [4, 6], [5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        D.DataLoader(_Stream(3), shuffle=True)
    assert len(D.DataLoader(_Stream(5), batch_size=2)) == 3


class _InitSeen(D.Dataset):
    seen = None

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return i, self.seen


def _record_init(wid):
    # runs in the worker process, on the worker's copy of the dataset
    info = D.get_worker_info()
    info.dataset.seen = (wid, info.id, info.num_workers, info.seed - torch.initial_seed())


def test_workers_call_init_fn_and_keep_order():
    ds = _InitSeen()
    torch.manual_seed(0)
    loader = D.DataLoader(ds, batch_size=4, shuffle=True, num_workers=2,
                          worker_init_fn=_record_init)
    out = list(loader)
    assert [b[0].tolist() for b in out] == [[6, 7, 1, 4], [2, 0, 9, 8], [3, 5]]
    assert [tuple(f[0].item() for f in b[1]) for b in out] == \
        [(0, 0, 2, 0), (1, 1, 2, 0), (0, 0, 2, 0)]
    assert ds.seen is None and D.get_worker_info() is None
    ds = D.TensorDataset(torch.arange(10))
    loader = D.DataLoader(ds, batch_size=3, num_workers=3, persistent_workers=True, pin_memory=False)
    assert batches(loader) == batches(loader) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_tqdm_over_loader():
    tqdm = pytest.importorskip("tqdm").tqdm
    loader = D.DataLoader(D.TensorDataset(torch.arange(10)), batch_size=4)
    bar = tqdm(loader, disable=True)
    assert bar.total == 3 and len(list(bar)) == 3


# -- parity with PyTorch ----------------------------------------------------------------------------

_PROGRAM = '''
import random
import numpy as np
D = lib.utils.data

class RandDS(D.Dataset):
    def __len__(self): return 7
    def __getitem__(self, i):
        w = D.get_worker_info()
        return (i, lib.rand(1).item(), -1 if w is None else w.id,
                random.random() if w else 0, float(np.random.rand()) if w else 0)

out = []
def run(loader, epochs=2):
    for _ in range(epochs):
        out.append([repr(b) for b in loader])
    out.append(lib.rand(1).item())

lib.manual_seed(0)
run(D.DataLoader(D.TensorDataset(lib.arange(10)), batch_size=4, shuffle=True))
for nw in (0, 1, 2, 3):
    for pers in ((False, True) if nw else (False,)):
        lib.manual_seed(1)
        run(D.DataLoader(RandDS(), batch_size=2, shuffle=True, num_workers=nw,
                         persistent_workers=pers), 3)
lib.manual_seed(2)
g = lib.Generator().manual_seed(5)
run(D.DataLoader(D.TensorDataset(lib.arange(10)), batch_size=3, shuffle=True, generator=g,
                 drop_last=True))
out.append(lib.rand(1, generator=g).item())
lib.manual_seed(3)
run(D.DataLoader(D.TensorDataset(lib.arange(5)), batch_size=8,
                 sampler=D.RandomSampler(range(5), replacement=True, num_samples=40)))
run(D.DataLoader(D.TensorDataset(lib.arange(5)), batch_size=5,
                 sampler=D.RandomSampler(range(5), num_samples=12)))
run(D.DataLoader(list(range(100, 110)), sampler=D.SubsetRandomSampler([1, 3, 5, 7, 9]),
                 batch_size=2))
for n in (1, 2, 3, 31, 32, 33, 100, 300):
    lib.manual_seed(n)
    run(D.DataLoader(D.TensorDataset(lib.arange(n)), batch_size=64, shuffle=True))
run(D.DataLoader(D.TensorDataset(lib.arange(6)), batch_size=4,
                 sampler=D.RandomSampler(range(6), num_samples=12)))
g = lib.Generator().manual_seed(7)
run(D.DataLoader(D.TensorDataset(lib.arange(6)), batch_size=4,
                 sampler=D.RandomSampler(range(6), num_samples=12, generator=g)))
out.append(lib.rand(1, generator=g).item())
out.append([list(s) for s in D.random_split(range(11), [0.3, 0.3, 0.4])])
out.append(list(D.WeightedRandomSampler([0.1, 0.5, 0.2, 0.2, 1.0], 12)))
out.append(list(D.WeightedRandomSampler([0.1, 0.5, 0.2, 0.2, 1.0], 4, replacement=False)))
out.append(lib.rand(1).item())
'''


def _run_program(lib):
    scope = {"lib": lib}
    exec(_PROGRAM, scope)
    return [str(x).replace("numtorch", "torch") for x in scope["out"]]


def test_random_draws_match_pytorch():
    import warnings
    real = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = _run_program(real)
    assert _run_program(torch) == want


def test_weighted_sampler_draws_as_torch_multinomial():
    # recorded from torch 2.13: WeightedRandomSampler draws one torch.multinomial per epoch,
    # and without replacement it may take zero-weight indices once the others are used up
    from numtorch.utils.data import WeightedRandomSampler
    torch.manual_seed(0)
    assert list(WeightedRandomSampler([0., 1, 1, 0, 0], 4, replacement=False)) == [2, 1, 0, 3]
    torch.manual_seed(0)
    assert list(WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5)) == [5, 4, 4, 5, 4]
