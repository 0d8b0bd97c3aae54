"""``torch.save`` / ``torch.load`` in PyTorch's zip file format.

A file numtorch saves loads in PyTorch with ``torch.load`` (also with ``weights_only=True``),
and a state_dict file PyTorch saves loads here. The format: a zip archive (stored, records
aligned to 64 bytes) holding ``<name>/data.pkl`` (a protocol-2 pickle in which each tensor
is ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)``
and each storage a persistent id ``('storage', torch.FloatStorage, key, 'cpu', numel)``),
``<name>/data/<key>`` (the raw little-endian bytes of each storage), ``<name>/version``,
``<name>/byteorder`` and a few small records. Tensors that are views of one array share one
storage, as in PyTorch.

Loading, as in PyTorch 2.6+: with the default ``weights_only=True`` no code from the file runs:
the weights-only unpickler (``_weights_only_unpickler.py``) rebuilds exactly what PyTorch's
does (tensors, parameters, containers, numbers, strings, ``torch.Size``, dtypes, devices) and
refuses any other global (a NumPy array, a whole ``nn.Module``, ...) with PyTorch's
``pickle.UnpicklingError``, which names the global; ``add_safe_globals([cls])`` or the
``safe_globals([...])`` context allow more. ``weights_only=False`` (or the environment variable
``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` when ``weights_only`` is not given) unpickles the whole
file, running what it names (a pickled model, NumPy arrays): only for files you trust.
``TORCH_FORCE_WEIGHTS_ONLY_LOAD=1`` forces ``weights_only=True``. Saving is atomic: the archive
is written to a temporary file in the same folder and renamed over the target.

>>> import io, numtorch as torch
>>> buf = io.BytesIO()
>>> torch.save({"w": torch.tensor([1.0, 2.0])}, buf)
>>> _ = buf.seek(0)
>>> torch.load(buf)
{'w': tensor([1., 2.])}
"""
from __future__ import annotations

import _codecs
import _compat_pickle
import collections
import contextlib
import importlib
import io
import os
import pickle
import struct
import sys
import types
import warnings
from typing import Any, BinaryIO, Callable, Dict, List, Optional, Tuple, Union

import numpy as np

from . import _dtype
from ._device import device as _Device
from ._size import Size
from ._tensor import Tensor, _rebuild_tensor_plain
from ._foreign_dtype import FOREIGN as _FOREIGN_DTYPES, ForeignDtype as _ForeignDtype
from ._weights_only_unpickler import Unpickler as _WeightsUnpickler, wo_message as _wo_message
from .nn.parameter import Parameter, _rebuild_parameter_plain, is_lazy

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "get_unsafe_globals_in_checkpoint", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
FILE_LIKE = Union[str, os.PathLike, BinaryIO, io.BytesIO]

_ALIGN = 64
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C

_STORAGE_OF = {np.dtype(np.float32): "FloatStorage", np.dtype(np.float64): "DoubleStorage",
               np.dtype(np.float16): "HalfStorage", np.dtype(np.int64): "LongStorage",
               np.dtype(np.int32): "IntStorage", np.dtype(np.int16): "ShortStorage",
               np.dtype(np.int8): "CharStorage", np.dtype(np.uint8): "ByteStorage",
               np.dtype(np.bool_): "BoolStorage", np.dtype(np.complex64): "ComplexFloatStorage",
               np.dtype(np.complex128): "ComplexDoubleStorage"}
_DTYPE_OF = {name: dt for dt, name in _STORAGE_OF.items()}
_BFLOAT16 = "BFloat16Storage"


# -- plain pickling (copy.deepcopy, pickle.dumps of a Tensor) ------------------------------------------

# _rebuild_tensor_plain and _rebuild_parameter_plain live with their classes (imported above, so
# objects pickled under their old numtorch.serialization names still load).


def _make_parameter(t: Tensor, requires_grad: bool):
    return Parameter(t, requires_grad=bool(requires_grad))


# -- the names PyTorch's files use -----------------------------------------------------------------------

class _StorageType:
    """Stands for ``torch.FloatStorage`` & co. in a saved pickle (written as that global)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


# storages PyTorch's files may name that NumPy has no arrays for: loading one says so
_FOREIGN_STORAGES = ["QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage",
                     "QUInt2x4Storage"]
_STORAGE_TYPES = {name: _StorageType(name)
                  for name in list(_DTYPE_OF) + [_BFLOAT16] + _FOREIGN_STORAGES}


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None) -> Tensor:
    """``torch._utils._rebuild_tensor_v2``: a tensor viewing ``storage`` (a 1-d array)."""
    arr = _view(storage, storage_offset, size, stride)
    t = Tensor._make(arr)
    if requires_grad:
        if arr.dtype.kind != "f":
            raise pickle.UnpicklingError("the file is corrupt: an integer tensor requires grad")
        t.requires_grad = True
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype=None, metadata=None) -> Tensor:
    if isinstance(dtype, _dtype.dtype) and storage.dtype != dtype.np:
        storage = storage.view(dtype.np) if storage.dtype.itemsize * storage.size % \
            dtype.itemsize == 0 else storage.astype(dtype.np)
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                              metadata)


def _rebuild_tensor(storage, storage_offset, size, stride) -> Tensor:
    """``torch._utils._rebuild_tensor`` (older files)."""
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks):
    """``torch._utils._rebuild_parameter``: an ``nn.Parameter`` around ``data``."""
    return _make_parameter(data, requires_grad)


def _rebuild_parameter_with_state(data: Tensor, requires_grad: bool, backward_hooks, state):
    return _make_parameter(data, requires_grad)


def _rebuild_from_type_v2(func, new_type, args, state):
    """``torch._tensor._rebuild_from_type_v2``: only for plain tensors and parameters."""
    ret = func(*args)
    if new_type is Parameter and not isinstance(ret, Parameter):
        ret = _make_parameter(ret, ret.requires_grad)
    return ret


def _not_supported(what: str) -> Callable:
    """A global PyTorch's weights-only loader allows that numtorch cannot rebuild."""
    def refuse(*args, **kwargs):
        raise RuntimeError(f"numtorch cannot load {what} (numtorch has no such tensors); this "
                           f"file holds one. Convert it in PyTorch to dense CPU tensors of a NumPy "
                           f"dtype and save it again.")
    return refuse


def _view(storage: np.ndarray, offset: int, size, stride) -> np.ndarray:
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise pickle.UnpicklingError("the file is corrupt: a tensor's size and stride disagree")
    numel = 1
    for s in size:
        numel *= s
    if numel == 0:
        return np.empty(size, storage.dtype)
    if min(size, default=0) < 0 or min(stride, default=0) < 0 or offset < 0:
        raise pickle.UnpicklingError("the file is corrupt: negative tensor size or stride")
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= storage.size:
        raise pickle.UnpicklingError(
            f"the file is truncated or corrupt: a tensor of size {list(size)} needs element {last} "
            f"of a storage holding {storage.size}")
    contiguous, expect = True, 1
    for n, s in zip(reversed(size), reversed(stride)):
        if n != 1 and s != expect:
            contiguous = False
            break
        expect *= n
    if contiguous:
        return storage[offset:offset + numel].reshape(size)
    item = storage.itemsize
    return np.lib.stride_tricks.as_strided(storage[offset:], size, tuple(s * item for s in stride))


def _safe_table() -> Dict[Tuple[str, str], Any]:
    """The globals ``load(weights_only=True)`` allows by default: PyTorch 2.13's list, each
    mapped to what stands for it here."""
    from . import _legacy
    t: Dict[Tuple[str, str], Any] = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("collections", "Counter"): collections.Counter,
        ("builtins", "set"): set,
        ("builtins", "bytearray"): bytearray,
        ("builtins", "complex"): complex,
        ("_codecs", "encode"): _codecs.encode,          # protocol 2 pickles bytes with it
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
        ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
        ("torch.nn.parameter", "Parameter"): Parameter,
        ("torch", "Size"): Size,
        ("torch", "device"): _Device,
        ("torch", "Tensor"): Tensor,
    }
    for fn, what in (("_rebuild_sparse_tensor", "sparse tensors"),
                     ("_rebuild_qtensor", "quantized tensors"),
                     ("_rebuild_nested_tensor", "nested tensors"),
                     ("_rebuild_meta_tensor_no_storage", "meta tensors"),
                     ("_rebuild_wrapper_subclass", "tensor subclasses"),
                     ("_rebuild_device_tensor_from_numpy", "tensors of other devices"),
                     ("_rebuild_device_tensor_from_cpu_tensor", "tensors of other devices")):
        t[("torch._utils", fn)] = _not_supported(what)
    t[("torch.serialization", "_get_layout")] = _not_supported("sparse tensors")
    for d in _dtype.ALL:
        t[("torch", d.name)] = d
    for name, d in _FOREIGN_DTYPES.items():
        t.setdefault(("torch", name), d)
    for name, st in _STORAGE_TYPES.items():
        t[("torch", name)] = st
    for name in ("FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
                 "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"):
        t[("torch", name)] = getattr(_legacy, name)
    return t


_SAFE = _safe_table()
_marked: List[Any] = []          # what add_safe_globals was given, in order


def _torch_name(module: str) -> str:
    return "torch" + module[8:] if module == "numtorch" or module.startswith("numtorch.") else module


def _global_name(obj) -> Tuple[str, str]:
    module = getattr(obj, "__module__", None) or pickle.whichmodule(obj, obj.__qualname__)
    return _torch_name(module), getattr(obj, "__qualname__", obj.__name__)


def add_safe_globals(safe_globals: List[Any]) -> None:
    """Allow ``load(weights_only=True)`` to rebuild these classes/functions too (only for files
    you trust). An entry is the object, or ``(object, "module.name")`` to match another name.

    >>> import collections
    >>> add_safe_globals([collections.defaultdict]); clear_safe_globals()
    """
    for g in safe_globals:
        if g not in _marked:
            _marked.append(g)


def get_safe_globals() -> List[Any]:
    """The globals added with ``add_safe_globals`` (entries as they were given)."""
    return list(_marked)


def clear_safe_globals() -> None:
    """Forget the globals added with ``add_safe_globals``."""
    _marked.clear()


def _user_table() -> Dict[Tuple[str, str], Any]:
    t: Dict[Tuple[str, str], Any] = {}
    for g in _marked:
        if isinstance(g, tuple):
            obj, full = g
            module, _, name = full.rpartition(".")
        else:
            obj = g
            module, name = _global_name(g)
            t[(getattr(g, "__module__", None) or module, name)] = obj
        t[(module, name)] = obj
    return t


class safe_globals:
    """Context manager: ``add_safe_globals(globals)`` for the duration of a ``with`` block.

    >>> import collections
    >>> with safe_globals([collections.defaultdict]):
    ...     get_safe_globals()
    [<class 'collections.defaultdict'>]
    """

    def __init__(self, safe_globals: List[Any]) -> None:
        self.safe_globals = safe_globals

    def __enter__(self) -> None:
        self._saved = list(_marked)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc) -> None:
        _marked[:] = self._saved


def get_unsafe_globals_in_checkpoint(f: FILE_LIKE) -> List[str]:
    """The ``module.name`` of each global in the checkpoint that ``load(weights_only=True)``
    would refuse (neither allowed by default nor added with ``add_safe_globals``).

    >>> import io, collections, numtorch as torch
    >>> buf = io.BytesIO(); torch.save({"d": collections.defaultdict(int)}, buf); _ = buf.seek(0)
    >>> sorted(get_unsafe_globals_in_checkpoint(buf))
    ['builtins.int', 'collections.defaultdict']
    """
    import pickletools
    fh, what, close = _open_for_load(f)
    try:
        archive = _Archive(fh, what)
        pkl = archive.read(archive.prefix + "data.pkl")
    finally:
        if close:
            fh.close()
    user = _user_table()
    found: List[str] = []
    strings: List[str] = []
    readable = _WeightsUnpickler.dispatch
    for op, arg, _ in pickletools.genops(pkl):
        code = op.code.encode("latin-1")[0]
        if code not in readable:
            raise pickle.UnpicklingError(f"Unsupported operand {code}")
        if op.name in ("GLOBAL", "STACK_GLOBAL"):
            if op.name == "GLOBAL":
                module, name = arg.split(" ", 1)
            elif len(strings) >= 2:
                module, name = strings[-2], strings[-1]
            else:
                continue
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            module = _compat_pickle.IMPORT_MAPPING.get(module, module)
            full = f"{module}.{name}"
            if (module, name) not in _SAFE and (module, name) not in user and full not in found:
                found.append(full)
        elif isinstance(arg, str):
            strings.append(arg)
    return found


# -- saving ------------------------------------------------------------------------------------------

class _StorageRef:
    __slots__ = ("key", "array")

    def __init__(self, key: str, array: np.ndarray) -> None:
        self.key = key
        self.array = array


def _contiguous_strides(shape) -> Tuple[int, ...]:
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


class _Pickler(pickle._Pickler):
    """Writes PyTorch's data.pkl: tensors as ``_rebuild_tensor_v2`` over persistent storages,
    numtorch's types under their ``torch`` names."""

    dispatch = pickle._Pickler.dispatch.copy()
    dispatch[types.FunctionType] = lambda self, obj: self.save_global(obj)
    dispatch[type] = lambda self, obj: self.save_global(obj)

    def __init__(self, file, protocol: int) -> None:
        super().__init__(file, protocol)
        self.storages: Dict[int, _StorageRef] = {}
        self.records: List[_StorageRef] = []
        self._param_cls = Parameter

    # globals
    _NAMES = {id(_rebuild_tensor_v2): ("torch._utils", "_rebuild_tensor_v2"),
              id(_rebuild_parameter): ("torch._utils", "_rebuild_parameter"),
              id(Size): ("torch", "Size"), id(_Device): ("torch", "device"),
              id(Tensor): ("torch", "Tensor")}

    def save_global(self, obj, name=None) -> None:
        mapped = self._NAMES.get(id(obj))
        if mapped is not None:
            module, name = mapped
        elif isinstance(obj, (_dtype.dtype, _ForeignDtype)):
            module, name = "torch", obj.name
        elif isinstance(obj, _StorageType):
            module, name = "torch", obj.name
        else:
            name = name or getattr(obj, "__qualname__", None) or obj.__name__
            real = getattr(obj, "__module__", None) or pickle.whichmodule(obj, name)
            found = sys.modules.get(real)
            for part in name.split("."):
                found = getattr(found, part, None)
            if found is not obj:
                raise pickle.PicklingError(f"Can't pickle {obj!r}: attribute lookup {name} on "
                                           f"{real} failed")
            module = _torch_name(real)
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode("utf-8"))
        self.memoize(obj)

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            a = obj.array
            return ("storage", _STORAGE_TYPES[_STORAGE_OF[a.dtype]], obj.key, "cpu", a.size)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            if is_lazy(obj):        # a lazy module's placeholder: its class, as PyTorch writes
                return NotImplemented
            return self._reduce_tensor(obj)
        if isinstance(obj, (_dtype.dtype, _StorageType, _ForeignDtype)):
            return obj.name
        if isinstance(obj, _Device):
            return (_Device, (obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented

    def _storage(self, a: np.ndarray) -> Tuple[_StorageRef, int, Tuple[int, ...]]:
        """The storage a tensor's array lives in, its offset and strides (in elements)."""
        root = a
        while isinstance(root.base, np.ndarray):
            root = root.base
        item = a.itemsize
        ref = self.storages.get(id(root))
        if root is not a and a.size and root.dtype == a.dtype and root.flags.c_contiguous and \
                all(s >= 0 and s % item == 0 for s in a.strides) and \
                (ref is not None or root.nbytes <= 4 * a.nbytes):
            offset = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            if offset >= 0 and offset % item == 0:
                if ref is None:
                    ref = self._new_storage(root.reshape(-1), id(root), root)
                return ref, offset // item, tuple(s // item for s in a.strides)
        if root is a and a.flags.c_contiguous:
            if ref is None:
                ref = self._new_storage(a.reshape(-1), id(a), a)
            return ref, 0, _contiguous_strides(a.shape)
        flat = np.ascontiguousarray(a).reshape(-1)
        return self._new_storage(flat, None, None), 0, _contiguous_strides(a.shape)

    def _new_storage(self, flat: np.ndarray, key_id, keep) -> _StorageRef:
        if flat.dtype not in _STORAGE_OF:
            raise pickle.PicklingError(f"numtorch cannot save tensors of NumPy dtype {flat.dtype}")
        ref = _StorageRef(str(len(self.records)), flat)
        self.records.append(ref)
        if key_id is not None:
            self.storages[key_id] = ref
            self._keep = getattr(self, "_keep", [])
            self._keep.append(keep)          # the id must stay valid while pickling
        return ref

    def _reduce_tensor(self, t: Tensor):
        a = t._data
        if not isinstance(a, np.ndarray):
            a = np.asarray(a)
        if self._param_cls is not None and isinstance(t, self._param_cls):
            inner = Tensor._make(t._data)
            return (_rebuild_parameter, (inner, t.requires_grad, collections.OrderedDict()))
        ref, offset, stride = self._storage(a)
        return (_rebuild_tensor_v2, (ref, offset, tuple(a.shape), stride, t.requires_grad,
                                     collections.OrderedDict()))


def _pickle(obj, protocol: int) -> Tuple[bytes, List[_StorageRef]]:
    buf = io.BytesIO()
    p = _Pickler(buf, protocol)
    p.dump(obj)
    return buf.getvalue(), p.records


def _serialization_id() -> bytes:
    return "".join(str(b % 10) for b in os.urandom(40)).encode()


def _write_archive(fh, name: str, pkl: bytes, records: List[_StorageRef]) -> None:
    """Write PyTorch's zip layout into the binary file ``fh`` (which starts at offset 0)."""
    import zipfile

    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        def put(rel: str, data) -> None:
            arcname = f"{name}/{rel}"
            info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            size = memoryview(data).nbytes
            info.file_size = size
            zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
            start = fh.tell() + 30 + len(arcname.encode("utf-8")) + 4 + (20 if zip64 else 0)
            pad = -start % _ALIGN
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            with zf.open(info, "w", force_zip64=zip64) as dst:
                dst.write(data)

        put("data.pkl", pkl)
        put(".format_version", b"1")
        put(".storage_alignment", b"64")
        put("byteorder", b"little")
        for ref in records:
            a = ref.array
            if a.dtype.byteorder == ">":
                a = a.astype(a.dtype.newbyteorder("<"))
            put(f"data/{ref.key}", memoryview(np.ascontiguousarray(a)).cast("B"))
        put("version", b"3\n")
        put(".data/serialization_id", _serialization_id())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save(obj: Any, f: FILE_LIKE, pickle_module: Any = pickle, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` (tensors, state_dicts, nested containers) to ``f`` in PyTorch's format.

    ``f`` is a path (written atomically: a temporary file in the same folder, then a
    rename) or a writable binary file object.

    >>> import io, numtorch as torch
    >>> torch.save([torch.zeros(2), 3], io.BytesIO())
    """
    pkl, records = _pickle(obj, max(2, min(int(pickle_protocol), 5)))
    if isinstance(f, (str, os.PathLike)):
        path = os.path.realpath(os.fspath(f))
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            raise RuntimeError(f"Parent directory {os.path.dirname(os.path.abspath(os.fspath(f)))} "
                               f"does not exist.")
        name = os.path.splitext(os.path.basename(path))[0] or "archive"
        import tempfile
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                                   dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                _write_archive(fh, name, pkl, records)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                mode = os.stat(path).st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o666 & ~_umask()
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return
    if not hasattr(f, "write"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' "
                             "attribute")
    buf = io.BytesIO()
    _write_archive(buf, "archive", pkl, records)
    f.write(buf.getbuffer())
    if hasattr(f, "flush"):
        f.flush()


# -- loading -----------------------------------------------------------------------------------------

def _cuda_error() -> RuntimeError:
    return RuntimeError("Attempting to deserialize object on a CUDA device but "
                        "torch.cuda.is_available() is False. If you are running on a CPU-only "
                        "machine, please use torch.load with map_location=torch.device('cpu') to "
                        "map your storages to the CPU.")


def _check_location(location: str) -> None:
    kind = str(location).split(":")[0]
    if kind == "cpu":
        return
    if kind == "cuda":
        raise _cuda_error()
    raise RuntimeError(f"Attempting to deserialize object on a {kind} device, but numtorch runs "
                       f"on the CPU only; use torch.load with map_location='cpu'.")


class _Storages:
    """The storages of an archive, read from its records once each (``persistent_load``)."""

    def __init__(self, read_record: Callable[[str, np.dtype, int], np.ndarray],
                 map_location) -> None:
        self._read_record = read_record
        self._map_location = map_location
        self._loaded: Dict[str, np.ndarray] = {}

    def load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"Unsupported persistent id in the file: {pid!r}")
        _, stype, key, location, numel = pid[:5]
        if not isinstance(stype, _StorageType):
            if isinstance(stype, _dtype.dtype):              # newer untyped-storage files
                stype = _STORAGE_TYPES[_STORAGE_OF[stype.np]]
            elif isinstance(stype, _ForeignDtype) and stype.name == "bfloat16":
                stype = _STORAGE_TYPES[_BFLOAT16]
            else:
                raise pickle.UnpicklingError(f"Unsupported storage type in the file: {stype!r}")
        key = str(key)
        arr = self._loaded.get(key)
        if arr is None:
            arr = self._read(stype.name, key, int(numel))
            arr = self._map(arr, str(location))
            self._loaded[key] = arr
        return arr

    def _read(self, stype: str, key: str, numel: int) -> np.ndarray:
        if stype == _BFLOAT16:                    # NumPy has no bfloat16: widen to float32
            half = self._read_record(key, np.dtype(np.uint16), numel)
            return (half.astype(np.uint32) << np.uint32(16)).view(np.float32)
        if stype not in _DTYPE_OF:
            raise RuntimeError(f"numtorch cannot load tensors of torch.{stype} (numtorch has no "
                               "such tensors); this file holds one. Convert it in PyTorch to a NumPy "
                               "dtype and save it again.")
        return self._read_record(key, _DTYPE_OF[stype], numel)

    def _map(self, arr: np.ndarray, location: str) -> np.ndarray:
        ml = self._map_location
        if ml is None:
            _check_location(location)
        elif isinstance(ml, dict):
            _check_location(str(ml.get(location, location)))
        elif isinstance(ml, (str, _Device)):
            _check_location(str(_Device(ml) if isinstance(ml, str) else ml))
        elif callable(ml):
            out = ml(Tensor._make(arr), location)
            if out is None:
                _check_location(location)
            elif isinstance(out, Tensor):
                return out._data.reshape(-1)
            elif isinstance(out, np.ndarray):
                return out.reshape(-1)
        else:
            raise ValueError(f"map_location should be either a callable, a string, a torch.device "
                             f"or a dict, got {type(ml).__name__}")
        return arr


def _weights_unpickler(file, storages: _Storages, **kwargs) -> _WeightsUnpickler:
    """``load(weights_only=True)``'s unpickler: the allow-listed globals only."""
    return _WeightsUnpickler(file, _SAFE, _user_table(), persistent_load=storages.load,
                             build_types=(Tensor, Parameter, collections.OrderedDict),
                             make={Tensor: Tensor, Parameter: Parameter}, **kwargs)


def _full_unpickler(file, storages: _Storages, base=pickle.Unpickler, **kwargs):
    """``load(weights_only=False)``'s unpickler: any global, ``torch.*`` names read as numtorch's
    (a whole pickled model, NumPy arrays). It runs what the file names: trusted files only."""

    class FullUnpickler(base):
        def find_class(self, module: str, name: str):
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            module = _compat_pickle.IMPORT_MAPPING.get(module, module)
            obj = _SAFE.get((module, name))
            if obj is not None:
                return obj
            if module == "torch" or module.startswith("torch."):
                try:
                    obj = importlib.import_module("numtorch" + module[5:])
                    for part in name.split("."):
                        obj = getattr(obj, part)
                    return obj
                except (ImportError, AttributeError):
                    raise pickle.UnpicklingError(
                        f"this file needs {module}.{name}, which numtorch does not have") from None
            return super().find_class(module, name)

        def persistent_load(self, pid):
            return storages.load(pid)

    return FullUnpickler(file, **kwargs)


_TRUE = ("1", "y", "yes", "true")


def _resolve_weights_only(weights_only: Optional[bool], pickle_module: Any) -> bool:
    """``weights_only`` as PyTorch settles it: the argument, the environment variables and
    ``pickle_module`` (which implies ``weights_only=False`` unless asked otherwise)."""
    force = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    if force and force_no:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or "
                           "`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` should be set, but both were set.")
    if force:
        weights_only = True
    elif force_no and weights_only is None:
        warnings.warn("Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since "
                      "the`weights_only` argument was not explicitly passed to `torch.load`, "
                      "forcing weights_only=False.", UserWarning, stacklevel=3)
        weights_only = False
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    return bool(weights_only)


class _Archive:
    """A PyTorch zip archive opened for reading (from a path or a file object)."""

    def __init__(self, fileobj, what: str) -> None:
        import zipfile
        self.what = what
        try:
            self.zf = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, EOFError, struct.error, NotImplementedError, ValueError) as e:
            raise RuntimeError(
                "PytorchStreamReader failed reading zip archive: failed finding central "
                f"directory: {what} is truncated or corrupt ({e}); it was not saved completely, "
                "was damaged in transfer, or is not a file made by torch.save.") from None
        names = self.zf.namelist()
        pkls = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if not pkls:
            if any(n.endswith("/constants.pkl") for n in names):
                raise RuntimeError(f"{what} is a TorchScript archive (torch.jit.save); numtorch "
                                   "cannot load TorchScript. Save the model's state_dict() instead.")
            raise RuntimeError(f"PytorchStreamReader failed locating file data.pkl: {what} is not "
                               f"a file saved by torch.save")
        self.prefix = pkls[0][:-len("data.pkl")]
        self.big_endian = False
        bo = self.prefix + "byteorder"
        if bo in names:
            self.big_endian = self.read(bo).strip() == b"big"

    def read(self, name: str) -> bytes:
        import zipfile
        try:
            return self.zf.read(name)
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found "
                               f"({self.what} is truncated or corrupt)") from None
        except (zipfile.BadZipFile, EOFError, OSError, struct.error, NotImplementedError,
                ValueError, RuntimeError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {self.what} is "
                               f"truncated or corrupt ({e})") from None

    def record(self, key: str, dt: np.dtype, numel: int) -> np.ndarray:
        raw = self.read(f"{self.prefix}data/{key}")
        if numel == 0:
            return np.empty(0, dt)
        need = numel * dt.itemsize
        if len(raw) < need:
            raise RuntimeError(f"{self.what} is truncated or corrupt: storage {key} holds {len(raw)} "
                               f"bytes but needs {need}")
        src = np.frombuffer(raw, dt.newbyteorder(">") if self.big_endian else dt, numel)
        return src.astype(dt) if self.big_endian else src.copy()


def _open_for_load(f) -> Tuple[Any, str, bool]:
    if isinstance(f, (str, os.PathLike)):
        return open(os.fspath(f), "rb"), repr(os.fspath(f)), True
    if not hasattr(f, "read"):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'seek'. You can only "
                             "torch.load from a file that is seekable. Please pre-load the data into "
                             "a buffer like io.BytesIO and try to load from it instead.")
    if not (hasattr(f, "seek") and hasattr(f, "tell") and
            (not hasattr(f, "seekable") or f.seekable())):
        return io.BytesIO(f.read()), "the file object", False
    return f, "the file object", False


def load(f: FILE_LIKE, map_location=None, pickle_module: Any = None, *,
         weights_only: Optional[bool] = None, mmap: Optional[bool] = None,
         **pickle_load_args: Any) -> Any:
    """Load what ``save`` (numtorch's or PyTorch's) wrote to ``f``.

    With ``weights_only=True`` (the default) only tensors, parameters and plain containers are
    rebuilt and no code from the file runs; ``weights_only=False`` unpickles anything the file
    holds (a whole model, NumPy arrays): use it only for files you trust. ``map_location`` may
    be ``'cpu'``, a device, a dict or a callable, as in PyTorch.

    >>> import io, numtorch as torch
    >>> buf = io.BytesIO(); torch.save(torch.arange(3), buf); _ = buf.seek(0)
    >>> torch.load(buf, map_location="cpu", weights_only=True)
    tensor([0, 1, 2])
    """
    weights_only = _resolve_weights_only(weights_only, pickle_module)
    fh, what, close = _open_for_load(f)
    try:
        start = fh.tell()
        head = fh.read(4)
        fh.seek(start)
        if head[:2] != b"PK":
            _not_zip(fh, head, what)
        archive = _Archive(fh, what)
        pkl = archive.read(archive.prefix + "data.pkl")
        kwargs = {k: v for k, v in pickle_load_args.items() if k in ("encoding", "errors")}
        kwargs.setdefault("encoding", "utf-8")
        storages = _Storages(archive.record, map_location)
        if weights_only:
            if pkl[:1] == pickle.PROTO and pkl[1:2] != b"\x02" and len(pkl) > 1:
                warnings.warn(f"Detected pickle protocol {pkl[1]} in the checkpoint, which was not "
                              "the default pickle protocol used by `torch.load` (2). The "
                              "weights_only Unpickler might not support all instructions "
                              "implemented by this protocol, please file an issue for adding "
                              "support if you encounter this.", UserWarning, stacklevel=2)
            up = _weights_unpickler(io.BytesIO(pkl), storages, **kwargs)
        else:
            base = getattr(pickle_module, "Unpickler", pickle.Unpickler)
            up = _full_unpickler(io.BytesIO(pkl), storages, base, **kwargs)
        try:
            return up.load()
        except pickle.UnpicklingError as e:
            if weights_only:
                raise pickle.UnpicklingError(_wo_message(str(e))) from None
            raise
        except (EOFError, struct.error, IndexError):
            raise EOFError(f"{what} is truncated or corrupt: its data.pkl record ends too "
                           "soon") from None
    finally:
        if close:
            fh.close()


def _not_zip(fh, head: bytes, what: str) -> None:
    if not head:
        raise EOFError(f"Ran out of input: {what} is empty (truncated or not saved completely)")
    legacy = False
    if head[:1] == b"\x80":
        rest = fh.read(64)
        with contextlib.suppress(Exception):
            legacy = pickle.loads(rest[:rest.index(b".") + 1]) == _LEGACY_MAGIC
    if legacy:
        raise RuntimeError(
            f"{what} was saved in PyTorch's legacy (pre-1.6) format, which numtorch does "
            "not read. Re-save it with torch.save in a current PyTorch.")
    raise pickle.UnpicklingError(f"invalid load key, {head[:1]!r}: {what} is not a file saved by "
                                 f"torch.save (or it is corrupt)")
