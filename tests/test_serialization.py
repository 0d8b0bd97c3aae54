"""save/load in PyTorch's zip format: round trips, both directions with PyTorch, safety, atomicity."""
import collections
import copy
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import numtorch as torch
import numtorch.serialization as S


def _checkpoint():
    a = torch.arange(12.).reshape(3, 4)
    sd = collections.OrderedDict(w=a, row=a[1], col=a[:, 2], t=a.t(), i=torch.tensor([1, 2]),
                                 b=torch.tensor([True, False]), h=torch.zeros(2, dtype=torch.float16),
                                 d=torch.ones(2, dtype=torch.float64), s=torch.tensor(3.5),
                                 e=torch.zeros(0, 3), g=torch.ones(2, requires_grad=True),
                                 i8=torch.tensor([-1], dtype=torch.int8),
                                 u8=torch.tensor([255], dtype=torch.uint8),
                                 i16=torch.tensor([7], dtype=torch.int16),
                                 i32=torch.tensor([9], dtype=torch.int32))
    sd._metadata = {"": {"version": 1}}
    return {"model": sd, "epoch": 3, "lr": 0.5, "name": "x", "none": None, "list": [1, (2, 3.5)],
            "set": {1, 2}, "bytes": b"ab", "size": torch.Size([2, 3]), "dtype": torch.float16,
            "device": torch.device("cpu"), "opt": {"state": {0: {"step": torch.tensor(1.)}},
                                                  "param_groups": [{"betas": (0.9, 0.999),
                                                                    "params": [0]}]}}


def _same(a, b):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape
        assert np.array_equal(a.numpy(force=True), b.numpy(force=True))
        assert a.requires_grad == b.requires_grad
    elif isinstance(a, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert a == b and type(a) is type(b)


def test_round_trip_path_and_bytesio(tmp_path):
    ck = _checkpoint()
    p = tmp_path / "ck.pt"
    torch.save(ck, p)
    back = torch.load(p, map_location="cpu", weights_only=True)
    _same(ck, back)
    assert back["model"]._metadata == {"": {"version": 1}}
    buf = io.BytesIO()
    torch.save(ck, buf)
    buf.seek(0)
    _same(ck, torch.load(buf))


def test_views_share_one_storage(tmp_path):
    back = torch.load(_save(tmp_path, _checkpoint()))["model"]
    back["w"][1, 2] = 100.0
    assert back["row"][2].item() == 100.0 and back["col"][1].item() == 100.0
    assert back["t"][2, 1].item() == 100.0
    with zipfile.ZipFile(tmp_path / "f.pt") as z:
        names = z.namelist()
    assert names[0] == "f/data.pkl" and "f/version" in names and "f/byteorder" in names
    assert sum(n.startswith("f/data/") for n in names) == 13     # w, row, col and t share


def _save(tmp_path, obj, name="f.pt"):
    p = os.path.join(tmp_path, name)
    torch.save(obj, p)
    return p


def test_records_are_aligned(tmp_path):
    p = _save(tmp_path, {"a": torch.ones(3), "b": torch.zeros(5, dtype=torch.int64)})
    raw = open(p, "rb").read()
    with zipfile.ZipFile(p) as z:
        for info in z.infolist():
            start = info.header_offset + 30 + len(info.filename) + \
                int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
            assert start % 64 == 0, info.filename


def test_plain_pickle_and_deepcopy():
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    u = pickle.loads(pickle.dumps(t))
    assert u.requires_grad and u.tolist() == [1.0, 2.0]
    assert copy.deepcopy({"t": t})["t"].tolist() == [1.0, 2.0]


def test_refuses_code_and_names_the_global(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo hacked",))

    p = tmp_path / "evil.pt"
    with zipfile.ZipFile(p, "w") as z:      # a hand-made archive whose pickle calls os.system
        z.writestr("evil/data.pkl", pickle.dumps({"x": Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError,
                       match=r"unsupported GLOBAL (posix|nt)\.system whose module (posix|nt) is "
                             "blocked"):
        torch.load(p)
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("evil/data.pkl", b"\x80\x02c__builtin__\neval\nX\x01\x00\x00\x001\x85R.")
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL eval was not an allowed global"):
        torch.load(p)
    # weights_only=False: the user trusts the file, and (as in PyTorch) its code runs
    assert torch.load(p, weights_only=False) == 1


def test_safe_globals_allow_a_trusted_class(tmp_path):
    p = _save(tmp_path, {"d": collections.defaultdict(int)})
    with pytest.raises(pickle.UnpicklingError, match="collections.defaultdict"):
        torch.load(p)
    with S.safe_globals([collections.defaultdict, int]):
        assert torch.load(p)["d"] == {}
    assert S.get_safe_globals() == []


def test_atomic_save_keeps_previous_file(tmp_path, monkeypatch):
    p = _save(tmp_path, {"a": torch.ones(2)})
    before = open(p, "rb").read()

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(S, "_serialization_id", interrupted)      # dies after the data records
    with pytest.raises(KeyboardInterrupt):
        torch.save({"a": torch.zeros(1000)}, p)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["f.pt"] and open(p, "rb").read() == before
    with pytest.raises(pickle.PicklingError):
        torch.save({"f": lambda x: x}, p)                           # unpicklable: nothing written
    assert os.listdir(tmp_path) == ["f.pt"] and open(p, "rb").read() == before


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        torch.load(tmp_path / "missing.pt")
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        torch.save(1, tmp_path / "no" / "x.pt")
    p = _save(tmp_path, {"a": torch.ones(100)})
    raw = open(p, "rb").read()
    (tmp_path / "cut.pt").write_bytes(raw[:len(raw) // 2])
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        torch.load(tmp_path / "cut.pt")
    bad = bytearray(raw)
    i = raw.index(b"f/data/0") + 100
    bad[i] ^= 0xFF
    (tmp_path / "bad.pt").write_bytes(bytes(bad))
    with pytest.raises(RuntimeError, match="corrupt"):
        torch.load(tmp_path / "bad.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(EOFError, match="empty"):
        torch.load(tmp_path / "empty.pt")
    with pytest.raises(RuntimeError, match="Torch not compiled with CUDA enabled|CUDA"):
        torch.load(p, map_location="cuda")
    assert torch.load(p, map_location=lambda s, loc: s)["a"].shape == torch.Size([100])
    assert torch.load(p, map_location={"cuda:0": "cpu"})["a"].sum().item() == 100


def test_cuda_errors_have_pytorch_text():
    assert torch.cuda.is_available() is False
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        torch.ones(2).to("cuda")
    assert torch.ones(2).cpu().device == torch.device("cpu")


# -- both directions with PyTorch -------------------------------------------------------------------

def test_pytorch_loads_numtorch_files(tmp_path):
    real = pytest.importorskip("torch")
    ck = _checkpoint()
    p = _save(tmp_path, ck)
    got = real.load(p, weights_only=True)
    assert got["model"]._metadata == {"": {"version": 1}}
    for k, v in ck["model"].items():
        r = got["model"][k]
        assert str(r.dtype) == str(v.dtype) and tuple(r.shape) == tuple(v.shape), k
        assert np.array_equal(r.detach().numpy(), v.numpy(force=True)), k
        assert r.requires_grad == v.requires_grad
    m = got["model"]
    assert m["row"].untyped_storage().data_ptr() == m["w"].untyped_storage().data_ptr()
    assert got["size"] == real.Size([2, 3]) and got["dtype"] is real.float16
    assert got["device"] == real.device("cpu") and got["list"] == [1, (2, 3.5)]
    assert got["opt"]["param_groups"][0]["betas"] == (0.9, 0.999) and got["set"] == {1, 2}


def test_numtorch_loads_pytorch_files(tmp_path):
    real = pytest.importorskip("torch")
    real.manual_seed(0)
    m = real.nn.Sequential(real.nn.Linear(3, 4), real.nn.BatchNorm1d(4))
    opt = real.optim.Adam(m.parameters())
    m(real.randn(5, 3)).sum().backward()
    opt.step()
    p = os.path.join(tmp_path, "t.pt")
    real.save({"model": m.state_dict(), "opt": opt.state_dict(), "epoch": 3,
               "p": real.nn.Parameter(real.ones(2)), "view": real.arange(10)[2:8:2],
               "bf": real.tensor([1.5, -2.25], dtype=real.bfloat16), "size": real.Size([1, 2]),
               "dt": real.int32, "bytes": b"abc", "set": {3}}, p)
    got = torch.load(p)
    assert list(got["model"]) == list(m.state_dict())
    for k, v in m.state_dict().items():
        assert np.array_equal(got["model"][k].numpy(), v.numpy()) and str(got["model"][k].dtype) == \
            str(v.dtype), k
    assert got["model"]._metadata["1"] == {"version": 2}
    st = got["opt"]["state"][0]
    assert st["exp_avg"].shape == torch.Size([4, 3]) and got["opt"]["param_groups"][0]["betas"] == \
        (0.9, 0.999)
    assert got["p"].requires_grad and got["view"].tolist() == [2, 4, 6]
    assert got["bf"].tolist() == [1.5, -2.25] and got["size"] == torch.Size([1, 2])
    assert got["dt"] is torch.int32 and got["bytes"] == b"abc" and got["set"] == {3}
