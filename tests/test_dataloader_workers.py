"""DataLoader(num_workers=N) with real worker processes, as PyTorch's (issue 14).

The cases in ``CASES`` run the same code on numtorch and on PyTorch; their answers are compared
with ``tests/data/dataloader_workers.json``, recorded from torch 2.13 (regenerate with
``python tests/data/regen_dataloader_workers.py``), and, when torch is installed, the record is
checked against live PyTorch too. The tests after them check properties that need no oracle:
batches identical to ``num_workers=0``, arrays through shared memory, workers gone after a loop
(finished, broken off or collected) or a crash. Workers start with fork (one spawn test).
"""
import collections
import gc
import json
import math
import os
import random
import re
import signal
import time
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.utils import data as D
from numtorch.utils.data._utils import shm as _shm

RECORD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                      "dataloader_workers.json")
FORK = {"multiprocessing_context": "fork"}
P = collections.namedtuple("P", "a b")


# -- datasets, made for each library (their base classes differ) ----------------------------------

class MyErr(Exception):
    """An exception that cannot be built from one message (PyTorch re-raises RuntimeError)."""

    def __init__(self, a, b):
        super().__init__(a, b)


_CLASSES = {}


def _classes(lib):
    if lib.__name__ in _CLASSES:
        return _CLASSES[lib.__name__]
    LD = lib.utils.data

    class RangeSplitInIter(LD.IterableDataset):
        """PyTorch's docs, IterableDataset example 1: the split happens in ``__iter__``."""

        def __init__(self, start, end):
            self.start, self.end = start, end

        def __iter__(self):
            info = LD.get_worker_info()
            if info is None:
                lo, hi = self.start, self.end
            else:
                per = int(math.ceil((self.end - self.start) / float(info.num_workers)))
                lo = self.start + info.id * per
                hi = min(lo + per, self.end)
            return iter(range(lo, hi))

    class RangeDS(LD.IterableDataset):
        """PyTorch's docs, example 2: ``worker_init_fn`` configures each worker's copy."""

        def __init__(self, start, end):
            self.start, self.end = start, end

        def __iter__(self):
            return iter(range(self.start, self.end))

    def split_init(worker_id):
        info = LD.get_worker_info()
        ds = info.dataset
        per = int(math.ceil((ds.end - ds.start) / float(info.num_workers)))
        ds.start = ds.start + info.id * per
        ds.end = min(ds.start + per, ds.end)

    class Stream(LD.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = LD.get_worker_info()
            if info is None:
                return iter(range(self.n))
            return iter(range(info.id, self.n, info.num_workers))

        def __len__(self):
            return self.n

    class Uneven(LD.IterableDataset):
        """Worker 0 has one sample, worker 1 ten."""

        def __iter__(self):
            info = LD.get_worker_info()
            return iter([100] if info is None or info.id == 0 else range(10))

    class RandDS(LD.Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            w = LD.get_worker_info()
            return (i, lib.rand(1).item(), w.id, random.random(), float(np.random.rand()),
                    w.seed - lib.initial_seed())

    class Counter(LD.Dataset):
        def __init__(self):
            self.count = 0

        def __len__(self):
            return 6

        def __getitem__(self, i):
            self.count += 1
            return i, self.count, LD.get_worker_info().id

    class Bad(LD.Dataset):
        def __init__(self, how):
            self.how = how

        def __len__(self):
            return 8

        def __getitem__(self, i):
            if i == 3:
                if self.how == "value":
                    raise ValueError(f"bad item {i}")
                if self.how == "key":
                    raise KeyError(i)
                if self.how == "custom":
                    raise MyErr(1, 2)
                if self.how == "exit":
                    os._exit(3)
                if self.how == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                if self.how == "sleep":
                    time.sleep(1.0)
            return i

    class Arrays(LD.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full((2, 3), i, np.float32), "y": np.int64(i), "s": f"s{i}",
                    "t": (i, 0.5 * i)}

    class Len(LD.IterableDataset):
        """Says 5 items, gives 7."""

        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 5

    class Local(LD.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return i

    ns = type("Classes", (), dict(locals()))
    _CLASSES[lib.__name__] = ns
    return ns


# -- helpers --------------------------------------------------------------------------------------

def _plain(x, lib):
    """A batch as JSON-able Python values (tensors as [dtype, values])."""
    if isinstance(x, lib.Tensor):
        return ["tensor", str(x.dtype).replace("numtorch", "torch"), x.tolist()]
    if isinstance(x, np.ndarray):
        return ["ndarray", x.dtype.str, x.tolist()]
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return [type(x).__name__] + [_plain(v, lib) for v in x]
    if isinstance(x, (list, tuple)):
        return [type(x).__name__, [_plain(v, lib) for v in x]]
    if isinstance(x, dict):
        return [type(x).__name__, {str(k): _plain(v, lib) for k, v in x.items()}]
    if isinstance(x, (np.generic,)):
        return [type(x).__name__, x.item()]
    if isinstance(x, bytes):
        return ["bytes", x.decode("latin-1")]
    return [type(x).__name__, x]


def _values(loader):
    """The batches of an epoch, tensors as nested lists."""
    out = []
    for b in loader:
        if isinstance(b, (list, tuple)):
            out.append([t.tolist() for t in b])
        else:
            out.append(b.tolist())
    return out


def _pidless(text: str) -> str:
    """``text`` without what differs between runs: pids, addresses, this module's name."""
    text = re.sub(r" at 0x[0-9a-f]+", "", text.replace(__name__ + ".", "MODULE."))
    return re.sub(r"pid(\(s\))? \d+", r"pid\1 N", text)


def _error(fn):
    """What ``fn()`` raises: type, the message's first, second and last lines, its cause."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - whatever is raised is the answer
        lines = [ln for ln in str(e).splitlines() if ln.strip()] or [""]
        cause = e.__cause__
        return [type(e).__name__, _pidless(lines[0]), lines[1] if len(lines) > 1 else None,
                _pidless(lines[-1]), e.__suppress_context__,
                None if cause is None else [type(cause).__name__, _pidless(str(cause))]]
    return None


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


def _until_end(it):
    """Each ``next(it)`` until StopIteration: a batch, or the error's type and first line."""
    out = []
    while True:
        try:
            out.append(next(it).tolist())
        except StopIteration:
            return out
        except Exception as e:  # noqa: BLE001
            out.append(f"{type(e).__name__}: {str(e).splitlines()[0]}")


# -- the cases compared with PyTorch --------------------------------------------------------------

def case_docs_split_in_iter(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    ds = C.RangeSplitInIter(3, 7)
    return {"w0": _values(DL(ds, num_workers=0)),
            "w2": _values(DL(ds, num_workers=2, **FORK)),
            "w5": _quiet(lambda: _values(DL(ds, num_workers=5, **FORK)))}


def case_docs_worker_init_fn(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    ds = C.RangeDS(3, 7)
    out = {"w0": _values(DL(ds, num_workers=0)),
           "w2_no_init": _values(DL(ds, num_workers=2, **FORK))}
    loader = DL(ds, num_workers=2, worker_init_fn=C.split_init, **FORK)
    out["w2_epochs"] = [_values(loader), _values(loader)]
    out["w5"] = _quiet(lambda: _values(DL(ds, num_workers=5, worker_init_fn=C.split_init,
                                          **FORK)))
    out["main_dataset_after"] = [ds.start, ds.end]
    return out


def case_iterable_stream(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    out = {}
    for drop in (False, True):
        loader = DL(C.Stream(7), batch_size=2, num_workers=2, drop_last=drop, **FORK)
        out[f"drop_{drop}"] = [len(loader), _values(loader)]
    out["no_batch"] = _plain(list(DL(C.Stream(5), batch_size=None, num_workers=2, **FORK)), lib)
    out["uneven"] = [_values(DL(C.Uneven(), batch_size=bs, num_workers=2, **FORK))
                     for bs in (1, 3)]
    uneven = DL(C.Uneven(), batch_size=2, num_workers=2, persistent_workers=True, **FORK)
    out["uneven_persistent"] = [_values(uneven), _values(uneven)]
    pers = DL(C.Stream(9), batch_size=2, num_workers=2, persistent_workers=True, **FORK)
    first = []
    for k, b in enumerate(pers):                 # an epoch broken off, then two whole ones
        first.append(b.tolist())
        if k == 1:
            break
    out["persistent"] = [first, _values(pers), _values(pers)]
    return out


def case_worker_rng(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    out = []
    lib.manual_seed(1)
    loader = DL(C.RandDS(), batch_size=2, shuffle=True, num_workers=2, **FORK)
    out += [_values(loader), _values(loader), lib.rand(1).item()]
    lib.manual_seed(2)
    g = lib.Generator().manual_seed(5)
    loader = DL(C.RandDS(), batch_size=3, shuffle=True, num_workers=2, generator=g, **FORK)
    out += [_values(loader), lib.rand(1).item(), lib.rand(1, generator=g).item()]
    lib.manual_seed(3)
    loader = DL(C.RandDS(), batch_size=2, shuffle=True, num_workers=2, persistent_workers=True,
                prefetch_factor=1, **FORK)
    out += [_values(loader), _values(loader), lib.rand(1).item()]
    return out


def case_state_stays_in_workers(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    ds = C.Counter()
    loader = DL(ds, batch_size=2, num_workers=2, **FORK)
    pers = DL(ds, batch_size=2, num_workers=2, persistent_workers=True, **FORK)
    return {"fresh": [_values(loader), _values(loader)],
            "persistent": [_values(pers), _values(pers)], "main_count": ds.count}


def case_worker_exceptions(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    out = {}
    for how in ("value", "key", "custom"):
        out[how] = _error(lambda: list(DL(C.Bad(how), batch_size=2, num_workers=2, **FORK)))
    out["key_str_is_message"] = _key_error_text(lib)
    out["continues"] = _until_end(iter(DL(C.Bad("value"), batch_size=2, num_workers=2, **FORK)))

    def bad_init(worker_id):
        raise ValueError(f"init failed in {worker_id}")

    out["init"] = _error(lambda: list(DL(C.Bad("none"), num_workers=1, worker_init_fn=bad_init,
                                         **FORK)))
    return out


def _key_error_text(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    try:
        list(DL(C.Bad("key"), batch_size=2, num_workers=1, **FORK))
    except KeyError as e:
        return [str(e).startswith("Caught KeyError"), str(e).rstrip().endswith("KeyError: 3"),
                repr(e).startswith("KeyError(")]


def case_worker_death_and_timeout(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    out = {}
    for how in ("exit", "kill"):
        out[how] = _error(lambda: list(DL(C.Bad(how), batch_size=2, num_workers=2, **FORK)))
    out["timeout"] = _error(lambda: list(DL(C.Bad("sleep"), batch_size=2, num_workers=1,
                                            timeout=0.3, **FORK)))
    out["timeout_ok"] = _values(DL(C.Bad("none"), batch_size=4, num_workers=1, timeout=5,
                                   **FORK))
    return out


def case_options(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    ds = C.Bad("none")
    out = {}
    for pf in (1, 3):
        out[f"prefetch_{pf}"] = _values(DL(ds, batch_size=3, num_workers=2, prefetch_factor=pf,
                                           **FORK))
    out["unordered_sorted"] = sorted(_values(DL(ds, batch_size=2, num_workers=2,
                                                in_order=False, **FORK)))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out["pin_memory"] = _values(DL(ds, batch_size=4, num_workers=1, pin_memory=True,
                                       **FORK))
    out["pin_memory_warnings"] = [str(x.message) for x in w]
    out["no_batch"] = _plain(list(DL(C.Arrays(), batch_size=None, num_workers=2, **FORK)), lib)
    out["dict_batches"] = _plain(list(DL(C.Arrays(), batch_size=2, num_workers=2, **FORK)), lib)
    return out


def case_argument_errors(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    import multiprocessing as mp
    ds = C.Bad("none")
    out = {
        "prefetch_no_workers": _error(lambda: DL(ds, prefetch_factor=2)),
        "prefetch_negative": _error(lambda: DL(ds, num_workers=1, prefetch_factor=-1)),
        "prefetch_zero_iter": _error(lambda: iter(DL(ds, num_workers=1, prefetch_factor=0))),
        "workers_negative": _error(lambda: DL(ds, num_workers=-1)),
        "timeout_negative": _error(lambda: DL(ds, timeout=-1)),
        "context_no_workers": _error(lambda: DL(ds, multiprocessing_context="fork")),
        "context_bad_name": _error(lambda: DL(ds, num_workers=1, multiprocessing_context="abc")),
        "context_bad_type": _error(lambda: DL(ds, num_workers=1, multiprocessing_context=3)),
        "persistent_no_workers": _error(lambda: DL(ds, persistent_workers=True)),
    }
    spawn = mp.get_context("spawn")
    out["context_kinds"] = [
        type(DL(ds, num_workers=1,
                multiprocessing_context="spawn").multiprocessing_context).__name__,
        DL(ds, num_workers=1, multiprocessing_context=spawn).multiprocessing_context is spawn,
        DL(ds, num_workers=1).multiprocessing_context]
    # spawn pickles the dataset, collate_fn and worker_init_fn: a local class cannot travel
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out["spawn_local_class"] = _error(lambda: list(DL(C.Local(), num_workers=1,
                                                          multiprocessing_context="spawn")))
    out["spawn_warnings"] = [str(x.message) for x in w]
    return out


def case_too_many_workers_warning(lib):
    DL = lib.utils.data.DataLoader
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        loader = DL(list(range(3)), num_workers=cpus + 1)       # warns when made ...
        loader.check_worker_number_rationality()                  # ... and per iterator
        DL(list(range(3)), num_workers=cpus)                       # no warning
    return [[x.category.__name__, re.sub(r"system is \d+", "system is {cpus}",
                                         re.sub(r"create \d+ worker", "create {n} worker",
                                                str(x.message)))] for x in w]


def case_iterable_longer_than_its_len(lib):
    C, DL = _classes(lib), lib.utils.data.DataLoader
    out = []
    for nw in (0, 1):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            loader = DL(C.Len(), num_workers=nw, **(FORK if nw else {}))
            out.append([len(loader), _values(loader),
                        [_pidless(str(x.message)) for x in w]])
    return out


def case_default_convert(lib):
    convert = lib.utils.data.default_convert
    od = collections.OrderedDict(a=np.array([1]))
    dd = collections.defaultdict(list, a=np.array([1.5], np.float32))
    inputs = [(np.array([1, 2]), 3), [np.float32(1.5), "s"], {"a": np.arange(3)},
              P(np.array([1.0]), 2), np.array(["a"]), np.array([True, False]), np.int64(3),
              np.float16(0.5), 3, 2.5, "str", b"by", od, dd, [[np.array([[1, 2]], np.int32)]],
              np.zeros((0, 2), np.float32)]
    out = [_plain(convert(x), lib) for x in inputs]
    t = lib.ones(2)
    out.append(convert(t) is t)
    obj = np.array([None], dtype=object)
    out.append(convert(obj) is obj)
    return out


CASES = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


def regenerate() -> dict:
    """Every case's answer from live PyTorch (see tests/data/regen_dataloader_workers.py)."""
    import torch
    return {"torch": torch.__version__,
            "cases": {name: _jsonable(fn(torch)) for name, fn in CASES.items()}}


def _jsonable(x):
    return json.loads(json.dumps(x))


_RECORDED = None


def _record():
    global _RECORDED
    if _RECORDED is None:
        with open(RECORD, encoding="utf-8") as f:
            _RECORDED = json.load(f)
    return _RECORDED


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name):
    want = _record()["cases"][name]
    assert _jsonable(CASES[name](numtorch)) == want
    try:
        import torch
    except ImportError:
        return
    assert _jsonable(CASES[name](torch)) == want, "the record no longer equals live PyTorch"


# -- properties that need no oracle ---------------------------------------------------------------

class SpawnSquares(D.Dataset):
    """A module-level dataset, importable by spawned workers."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        info = D.get_worker_info()
        return np.float32(i) ** 2, info.id, info.seed - numtorch.initial_seed()


class Images(D.Dataset):
    def __init__(self, n=40, shape=(3, 16, 16)):
        self.n, self.shape = n, shape

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        r = np.random.default_rng(i)
        return (r.standard_normal(self.shape).astype(np.float32), i,
                {"m": r.random(600), "name": f"img{i}", "flag": bool(i % 2)})


def _same(a, b):
    if isinstance(a, numtorch.Tensor):
        assert isinstance(b, numtorch.Tensor) and a.dtype == b.dtype and a.shape == b.shape
        assert np.array_equal(a.numpy(), b.numpy())
    elif isinstance(a, dict):
        assert type(a) is type(b) and a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert type(a) is type(b) and a == b


def test_batches_identical_to_single_process():
    cases = [(Images(), {"batch_size": 8, "shuffle": True}),
             (D.TensorDataset(numtorch.arange(30.).reshape(10, 3), numtorch.arange(10)),
              {"batch_size": 4, "shuffle": True, "drop_last": True}),
             (Images(9), {"batch_size": None}),
             (Images(12), {"batch_size": 5, "sampler": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]})]
    for ds, kw in cases:
        numtorch.manual_seed(7)
        want = list(D.DataLoader(ds, **kw))
        after = numtorch.rand(2).tolist()
        numtorch.manual_seed(7)
        got = list(D.DataLoader(ds, num_workers=2, **FORK, **kw))
        _same(want, got)
        assert numtorch.rand(2).tolist() == after       # the same draws from the main generator


def test_arrays_come_through_shared_memory(monkeypatch):
    if not _shm.AVAILABLE:
        pytest.skip("no POSIX shared memory on this system")
    loaded = []
    load = _shm.SlotReader.load

    def counting(self, slot, payload):
        loaded.append(slot)
        return load(self, slot, payload)

    monkeypatch.setattr(_shm.SlotReader, "load", counting)
    want = list(D.DataLoader(Images(48), batch_size=4))
    # batches dropped as they come: every one through a slot, and slots are reused
    for k, (x, i, d) in enumerate(D.DataLoader(Images(48), batch_size=4, num_workers=2, **FORK)):
        _same(want[k], [x, i, d])
        x.mul_(0)                                 # the main process owns the batch's memory
        d["m"].add_(1)
    assert len(loaded) == 12 and len(set(loaded)) < 12
    # batches all kept: more than the slots, the rest arrive pickled, every value intact
    loaded.clear()
    got = list(D.DataLoader(Images(48), batch_size=2, num_workers=2, **FORK))
    _same(list(D.DataLoader(Images(48), batch_size=2)), got)
    assert 0 < len(loaded) < 24
    if os.path.isdir("/dev/shm"):
        gc.collect()
        assert not [n for n in os.listdir("/dev/shm") if n.startswith(f"ntdl{os.getpid()}_")]


class Pids(D.Dataset):
    def __init__(self, how="none"):
        self.how = how

    def __len__(self):
        return 12

    def __getitem__(self, i):
        if self.how == "kill" and i == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        return os.getpid()


def _gone(pids, within=5.0):
    """Whether every pid has exited and been reaped (no zombie) within ``within`` seconds."""
    deadline = time.monotonic() + within
    left = set(pids)
    while left and time.monotonic() < deadline:
        for pid in list(left):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                left.discard(pid)
        time.sleep(0.02)
    return not left


def test_workers_stop_after_a_loop_ends_breaks_or_is_collected():
    import multiprocessing
    # children left by earlier tests (live torch's loaders among them) are not this test's
    before = {p.pid for p in multiprocessing.active_children()}
    main = os.getpid()
    pids = set(b.item() for b in D.DataLoader(Pids(), num_workers=2, **FORK))
    assert len(pids) == 2 and main not in pids and _gone(pids)
    for b in D.DataLoader(Pids(), batch_size=2, num_workers=2, **FORK):
        break                                     # the iterator is collected here
    assert _gone(b.tolist())
    it = iter(D.DataLoader(Pids(), num_workers=2, persistent_workers=True, **FORK))
    pids = {next(it).item(), next(it).item()}
    del it
    assert _gone(pids)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly"):
        list(D.DataLoader(Pids("kill"), num_workers=2, **FORK))
    assert time.monotonic() - t0 < 10
    assert not [p for p in multiprocessing.active_children() if p.pid not in before]


def test_worker_info_inside_workers():
    class Info(D.Dataset):
        mark = "main"

        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = D.get_worker_info()
            try:
                info.id = 5
                err = None
            except RuntimeError as e:
                err = str(e)
            self.mark = f"worker {info.id}"
            return (repr(info).split(", seed=")[0], info.num_workers, info.dataset is self, err,
                    info.seed - numtorch.initial_seed())

    ds = Info()
    got = list(D.DataLoader(ds, batch_size=None, num_workers=2, **FORK))
    assert [g[0] for g in got] == ["WorkerInfo(id=0, num_workers=2",
                                   "WorkerInfo(id=1, num_workers=2"] * 2
    assert all(g[1] == 2 and g[2] is True and g[4] == 0 for g in got)
    assert got[0][3] == "Cannot assign attributes to WorkerInfo objects"
    assert ds.mark == "main" and D.get_worker_info() is None


def test_spawn_runs_a_dataset_from_an_importable_module():
    numtorch.manual_seed(4)
    got = list(D.DataLoader(SpawnSquares(), batch_size=3, shuffle=True, num_workers=2,
                            multiprocessing_context="spawn"))
    numtorch.manual_seed(4)
    order = [b[0].tolist() for b in D.DataLoader(D.TensorDataset(numtorch.arange(10)),
                                                  batch_size=3, shuffle=True)]
    assert [b[0].tolist() for b in got] == [[float(i * i) for i in o] for o in order]
    assert [b[1].tolist()[0] for b in got] == [0, 1, 0, 1]
    assert all(b[2].tolist() == [0] * len(b[2]) for b in got)
