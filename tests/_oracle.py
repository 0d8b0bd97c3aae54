"""PyTorch's answers, recorded, so that every comparison with PyTorch also runs without it.

A test asks an ``Oracle`` for PyTorch's answer to a question::

    ORACLE = Oracle("ops_parity")                       # tests/data/oracle/ops_parity.{json,npz}
    want = ORACLE.answer("add/broadcast", lambda torch: torch.ones(2) + 1)

``compute(torch)`` returns tensors, sizes, dtypes, devices, Python values, NumPy arrays and
tuples/lists/dicts of them; ``error(fn)`` turns an exception into ``[type name, message]``.
- Without torch the recorded answer comes back, decoded into ``RecordedTensor``s that answer
  ``.dtype``, ``.shape``, ``.requires_grad``, ``.grad_fn.name()``, ``.detach().numpy()``.
- With torch installed the live answer is computed too and must still equal the record (same
  facts; float arrays to 1e-6 relative in float32, 1e-12 in float64, others exactly), so a new
  PyTorch release that answers differently fails loudly instead of drifting.
- ``NUMTORCH_RECORD=1`` (with torch) writes the live answers into the record instead:
  ``python tests/data/regen_oracle.py tests/test_ops_parity.py`` does that for a test file.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import tempfile

import numpy as np
import pytest

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "oracle")
RECORDING = os.environ.get("NUMTORCH_RECORD") == "1"
_UNSET = object()
_torch = _UNSET


def live_torch():
    """The installed ``torch`` module, or None."""
    global _torch
    if _torch is _UNSET:
        try:
            import torch
        except ImportError:
            torch = None
        _torch = torch
    return _torch


def error(fn):
    """``[exception type name, message]`` of ``fn()``, or None when it raises nothing."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - whatever is raised is the answer
        return [type(e).__name__, str(e)]
    return None


def digest(a) -> str:
    """``dtype[shape]:md5`` of an array's bytes (a torch or numtorch tensor, or an ndarray):
    equal digests mean bit-identical arrays. Records big arrays compared bit for bit (RNG draws,
    initialised weights) in a few bytes."""
    if hasattr(a, "detach"):
        a = a.detach().numpy()
    a = np.ascontiguousarray(np.asarray(a))
    return f"{a.dtype}{list(a.shape)}:{hashlib.md5(a.tobytes()).hexdigest()[:16]}"


class RecordedDtype:
    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__

    def __eq__(self, other) -> bool:
        return str(other) == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def is_floating_point(self) -> bool:
        return "float" in self.name or "half" in self.name or "double" in self.name


class RecordedGradFn:
    def __init__(self, name: str):
        self._name = name

    def name(self) -> str:
        return self._name


class RecordedTensor:
    """PyTorch's tensor as the record keeps it: values, dtype, shape, requires_grad, grad_fn."""

    def __init__(self, values, dtype, requires_grad, grad_fn, grad=None):
        self._values, self.dtype, self.requires_grad = values, RecordedDtype(dtype), requires_grad
        self.grad_fn = None if grad_fn is None else RecordedGradFn(grad_fn)
        self.shape = tuple(values.shape)
        self.grad = grad

    def detach(self):
        return self

    def numpy(self):
        return self._values

    def tolist(self):
        return self._values.tolist()

    def size(self):
        return self.shape

    def dim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"RecordedTensor({self._values!r}, dtype={self.dtype})"


class RecordedValue:
    """A torch object the record keeps by its text (``torch.Size``, dtypes, devices)."""

    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other) -> bool:
        return str(other) == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class _Encoder:
    def __init__(self, key: str, arrays: dict):
        self.key, self.arrays = key, arrays

    def _array(self, a: np.ndarray) -> str:
        name = f"{self.key}|{len([k for k in self.arrays if k.startswith(self.key + '|')])}"
        self.arrays[name] = np.array(a, order="C")      # keeps 0-d arrays 0-d
        return name

    def __call__(self, obj):
        torch = live_torch()
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if torch is not None and isinstance(obj, torch.Tensor):
            t = obj.detach()
            values = t.numpy() if t.dtype != torch.bfloat16 else t.float().numpy()
            return {"t": "tensor", "a": self._array(values), "dtype": str(obj.dtype),
                    "rg": bool(obj.requires_grad),
                    "gf": None if obj.grad_fn is None else obj.grad_fn.name()}
        if torch is not None and isinstance(obj, torch.Size):
            return {"t": "Size", "v": str(obj)}
        if torch is not None and isinstance(obj, (torch.dtype, torch.device)):
            return {"t": type(obj).__name__, "v": str(obj)}
        if isinstance(obj, np.ndarray):
            return {"t": "ndarray", "a": self._array(obj)}
        if isinstance(obj, np.generic):
            return self(obj.item())
        if isinstance(obj, dict):
            return {"t": "dict", "v": {str(k): self(v) for k, v in obj.items()}}
        if isinstance(obj, (tuple, list)):
            return {"t": "list" if isinstance(obj, list) else "tuple",
                    "name": type(obj).__name__, "v": [self(v) for v in obj]}
        raise TypeError(f"the oracle cannot record a {type(obj).__name__}: {obj!r}")


def _decode(fact, arrays):
    if not isinstance(fact, dict):
        return fact
    kind = fact["t"]
    if kind == "tensor":
        return RecordedTensor(arrays[fact["a"]], fact["dtype"], fact["rg"], fact["gf"])
    if kind == "ndarray":
        return arrays[fact["a"]]
    if kind == "dict":
        return {k: _decode(v, arrays) for k, v in fact["v"].items()}
    if kind in ("list", "tuple"):
        items = [_decode(v, arrays) for v in fact["v"]]
        return items if kind == "list" else tuple(items)
    return RecordedValue(kind, fact["v"])


def _same(live, rec, arrays_live, arrays_rec, where, values=True):
    """Assert the live answer still equals the record (``values=False``: not the array values)."""
    if isinstance(rec, dict) and isinstance(live, dict) and "t" in rec:
        assert live.get("t") == rec["t"], f"{where}: {live.get('t')} vs recorded {rec['t']}"
        for k in rec:
            if k == "a":
                if not values:
                    continue
                a, b = arrays_live[live["a"]], arrays_rec[rec["a"]]
                assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: array kind"
                if a.dtype.kind in "fc":
                    tol = 1e-12 if a.dtype == np.float64 else 1e-6
                    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=where)
                else:
                    np.testing.assert_array_equal(a, b, err_msg=where)
            elif k == "v" and isinstance(rec[k], (list, dict)):
                _same(live[k], rec[k], arrays_live, arrays_rec, where, values)
            else:
                assert live.get(k) == rec[k], f"{where}: {k} {live.get(k)!r} vs recorded {rec[k]!r}"
        return
    if isinstance(rec, list):
        assert isinstance(live, list) and len(live) == len(rec), f"{where}: length"
        for i, (a, b) in enumerate(zip(live, rec)):
            _same(a, b, arrays_live, arrays_rec, f"{where}[{i}]", values)
        return
    if isinstance(rec, dict):
        assert isinstance(live, dict) and set(live) == set(rec), f"{where}: keys"
        for k in rec:
            _same(live[k], rec[k], arrays_live, arrays_rec, f"{where}[{k!r}]", values)
        return
    if not values and isinstance(rec, (int, float)) and isinstance(live, (int, float)):
        return
    if isinstance(rec, float) and isinstance(live, float):
        np.testing.assert_allclose(live, rec, rtol=1e-12, atol=0, err_msg=where)
        return
    assert live == rec, f"{where}: {live!r} vs recorded {rec!r}"


class Oracle:
    """The recorded answers of one test file: ``tests/data/oracle/<name>.json`` and ``.npz``."""

    def __init__(self, name: str):
        self.name = name
        self.json_path = os.path.join(DATA, name + ".json")
        self.npz_path = os.path.join(DATA, name + ".npz")
        self._facts = self._arrays = None
        self._dirty = False

    def _load(self) -> None:
        if self._facts is not None:
            return
        self._facts, self._arrays = {}, {}
        if os.path.exists(self.json_path):
            with open(self.json_path, encoding="utf-8") as f:
                self._facts = json.load(f)
        if os.path.exists(self.npz_path):
            with np.load(self.npz_path, allow_pickle=False) as z:
                self._arrays = {k: z[k] for k in z.files}

    def answer(self, key: str, compute, values: bool = True):
        """PyTorch's answer to ``compute(torch)``: recorded, and checked live when torch is here
        (``values=False``: the live check skips values, e.g. of ``torch.empty``)."""
        self._load()
        torch = live_torch()
        if torch is not None:
            arrays_live = {}
            fact = _Encoder(key, arrays_live)(compute(torch))
            fact = json.loads(json.dumps(fact))          # the record's own form (tuples -> lists)
            if RECORDING:
                for k in [k for k in self._arrays if k.startswith(key + "|")]:
                    del self._arrays[k]
                self._facts[key], self._dirty = fact, True
                self._arrays.update(arrays_live)
                if not getattr(self, "_hooked", False):
                    atexit.register(self.save)
                    self._hooked = True
                return _decode(fact, arrays_live)
            if key not in self._facts:
                pytest.fail(f"no recorded PyTorch answer for {key!r} in {self.json_path}; "
                            f"regenerate with: python tests/data/regen_oracle.py")
            _same(fact, self._facts[key], arrays_live, self._arrays, f"{self.name}:{key} (record)",
                  values)
        elif key not in self._facts:
            pytest.fail(f"no recorded PyTorch answer for {key!r} in {self.json_path}; "
                        f"regenerate with torch installed: python tests/data/regen_oracle.py")
        return _decode(self._facts[key], self._arrays)

    def save(self) -> None:
        """Write the record atomically (called at exit when recording)."""
        if not self._dirty:
            return
        os.makedirs(DATA, exist_ok=True)
        for path, write in ((self.json_path, self._write_json), (self.npz_path, self._write_npz)):
            fd, tmp = tempfile.mkstemp(dir=DATA, suffix=".tmp")
            os.close(fd)
            write(tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        self._dirty = False

    def _write_json(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(dict(sorted(self._facts.items())), f, indent=0, sort_keys=True)
            f.write("\n")

    def _write_npz(self, path: str) -> None:
        with open(path, "wb") as f:
            np.savez_compressed(f, **dict(sorted(self._arrays.items())))
