"""Small fake dataset files in the exact formats torchvision reads: IDX (plain or gzip'd) for
MNIST, pickled CIFAR batches as Python 3 writes them and as the official (Python 2) files hold
them. Pixel values come from a per-call seeded generator."""
from __future__ import annotations

import gzip
import os
import pickle
import struct
from typing import Dict, List, Tuple

import numpy as np


def write_idx(path: str, arr: np.ndarray, gz: bool = False) -> None:
    """``arr`` (uint8) as an IDX file: magic 0x0000 08 <ndim>, big-endian sizes, the bytes."""
    arr = np.asarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(struct.pack(">I", s) for s in arr.shape)
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(header + arr.tobytes())


def make_mnist(root: str, folder: str = "MNIST", n_train: int = 5, n_test: int = 3,
               gz: bool = True, seed: int = 0) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """Write ``root/<folder>/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]``."""
    rng = np.random.default_rng(seed)
    raw = os.path.join(root, folder, "raw")
    os.makedirs(raw, exist_ok=True)
    out = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        suffix = ".gz" if gz else ""
        write_idx(os.path.join(raw, f"{split}-images-idx3-ubyte{suffix}"), images, gz)
        write_idx(os.path.join(raw, f"{split}-labels-idx1-ubyte{suffix}"), labels, gz)
        out[split] = (images, labels)
    return out


# -- CIFAR ----------------------------------------------------------------------------------------

def _py2_str(b: bytes) -> bytes:
    """A Python 2 ``str`` in a protocol-2 pickle (SHORT_BINSTRING / BINSTRING)."""
    if len(b) < 256:
        return b"U" + bytes([len(b)]) + b
    return b"T" + struct.pack("<i", len(b)) + b


def _py2_int(v: int) -> bytes:
    if 0 <= v < 256:
        return b"K" + bytes([v])
    if 0 <= v < 65536:
        return b"M" + struct.pack("<H", v)
    return b"J" + struct.pack("<i", v)


def _py2_array(arr: np.ndarray) -> bytes:
    """A uint8 array pickled as NumPy 1.x under Python 2 did (``numpy.core.multiarray``)."""
    shape = b"(" + b"".join(_py2_int(s) for s in arr.shape) + b"t"
    dtype = (b"cnumpy\ndtype\n" + _py2_str(b"u1") + b"K\x00K\x01\x87R"
             + b"(K\x03" + _py2_str(b"|") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb")
    return (b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85"
            + _py2_str(b"b") + b"\x87R"
            + b"(K\x01" + shape + dtype + b"\x89" + _py2_str(arr.tobytes()) + b"tb")


def py2_pickle(obj: dict) -> bytes:
    """A protocol-2 pickle of a dict of str keys -> str / list of ints or str / uint8 array,
    byte for byte in the form of the official CIFAR files."""
    out = b"\x80\x02}(" if obj else b"\x80\x02}"
    for k, v in obj.items():
        out += _py2_str(k.encode("latin1"))
        if isinstance(v, np.ndarray):
            out += _py2_array(v)
        elif isinstance(v, list):
            out += b"](" + b"".join(_py2_str(x.encode("latin1")) if isinstance(x, str)
                                    else _py2_int(x) for x in v) + b"e"
        else:
            out += _py2_str(v.encode("latin1"))
    return out + (b"u." if obj else b".")


CIFAR10_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                 "truck"]


def make_cifar10(root: str, per_batch: int = 2, style: str = "py3",
                 seed: int = 0) -> Dict[str, List[Tuple[np.ndarray, List[int]]]]:
    """Write ``root/cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta}``."""
    rng = np.random.default_rng(seed)
    folder = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)
    out: Dict[str, List[Tuple[np.ndarray, List[int]]]] = {"train": [], "test": []}
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        data = rng.integers(0, 256, (per_batch, 3072)).astype(np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, per_batch)]
        entry = {"batch_label": f"{name} of 5", "labels": labels, "data": data,
                 "filenames": [f"img_{i}.png" for i in range(per_batch)]}
        _write_batch(os.path.join(folder, name), entry, style)
        out["test" if name == "test_batch" else "train"].append((data, labels))
    meta = {"num_cases_per_batch": per_batch, "label_names": CIFAR10_NAMES, "num_vis": 3072}
    _write_batch(os.path.join(folder, "batches.meta"), meta, style)
    return out


def _write_batch(path: str, entry: dict, style: str) -> None:
    if style == "py2":
        clean = {k: v for k, v in entry.items() if not isinstance(v, int)}
        payload = py2_pickle(clean)
    else:   # as Python 3 writes it: bytes keys, protocol 2 (the keys torchvision's readers see)
        payload = pickle.dumps({k.encode(): v for k, v in entry.items()}, protocol=2)
    with open(path, "wb") as f:
        f.write(payload)


def make_cifar100(root: str, n: int = 3, seed: int = 0) -> Dict[str, Tuple[np.ndarray, list]]:
    """Write ``root/cifar-100-python/{train, test, meta}``."""
    rng = np.random.default_rng(seed)
    folder = os.path.join(root, "cifar-100-python")
    os.makedirs(folder, exist_ok=True)
    out = {}
    for name in ("train", "test"):
        data = rng.integers(0, 256, (n, 3072)).astype(np.uint8)
        fine = [int(v) for v in rng.integers(0, 100, n)]
        coarse = [int(v) for v in rng.integers(0, 20, n)]
        entry = {"data": data, "fine_labels": fine, "coarse_labels": coarse}
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(entry, f, protocol=2)
        out[name] = (data, fine)
    meta = {"fine_label_names": [f"class{i}" for i in range(100)],
            "coarse_label_names": [f"super{i}" for i in range(20)]}
    with open(os.path.join(folder, "meta"), "wb") as f:
        pickle.dump(meta, f, protocol=2)
    return out
