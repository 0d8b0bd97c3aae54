"""``torchvision.datasets``: MNIST, FashionMNIST, CIFAR10 and CIFAR100 from the files torchvision
writes (``root/MNIST/raw/*-ubyte[.gz]``, ``root/cifar-10-batches-py/``, ...).

An item is ``(image, target)``. The image is a PIL image when Pillow is installed, as in
torchvision; without Pillow (or after ``numtorch.vision.set_image_backend("numpy")``) it is a
uint8 NumPy array ``H x W`` (MNIST) or ``H x W x 3`` (CIFAR), which every transform accepts in
place of a PIL image. ``download=True`` fetches missing files when the machine is online; offline
a ``RuntimeError`` names the files and the folder to place them in.

CIFAR batches are Python pickles. They are read with an unpickler that builds only dicts, lists,
strings, numbers and NumPy arrays: loading a file never runs code from it (anything else raises
``pickle.UnpicklingError``).

>>> from numtorch.vision import datasets, transforms
>>> ds = datasets.MNIST("data", train=False, transform=transforms.ToTensor())  # doctest: +SKIP
>>> ds[0][0].shape, ds[0][1]                                                  # doctest: +SKIP
(torch.Size([1, 28, 28]), 7)
"""
from __future__ import annotations

import codecs
import io
import os
import pickle
import tarfile
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from ..datasets import mnist as _mnist
from ..datasets._base import apply_transforms, file_md5
from ..utils.data import Dataset
from ._image import to_output_image

__all__ = ["VisionDataset", "StandardTransform", "MNIST", "FashionMNIST", "CIFAR10", "CIFAR100"]


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input: Any, target: Any) -> Tuple[Any, Any]:
        return apply_transforms(self, input, target)

    @staticmethod
    def _format(transform: Any, head: str) -> List[str]:
        lines = repr(transform).splitlines()
        return [f"{head}{lines[0]}"] + [" " * len(head) + line for line in lines[1:]]

    def __repr__(self) -> str:
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format(self.target_transform, "Target transform: ")
        return "\n".join(body)


class _VisionRepr:
    """torchvision's dataset ``repr`` and ``transforms`` attribute (a mixin, no ``__init__``)."""

    _repr_indent = 4

    @property
    def transforms(self) -> Optional[Callable]:
        given = getattr(self, "_transforms", None)
        if given is not None:
            return given
        if self.transform is None and self.target_transform is None:
            return None
        return StandardTransform(self.transform, self.target_transform)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transforms is not None:
            body += [repr(self.transforms)]
        lines = [f"Dataset {self.__class__.__name__}"] + [" " * self._repr_indent + line
                                                          for line in body]
        return "\n".join(lines)


class VisionDataset(_VisionRepr, Dataset):
    """Base class of the vision datasets: ``root``, ``transform``, ``target_transform``."""

    def __init__(self, root: Any = None, transforms: Optional[Callable] = None,
                 transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None) -> None:
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        if transforms is not None and (transform is not None or target_transform is not None):
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform = transform
        self.target_transform = target_transform
        self._transforms = transforms

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


# -- MNIST and FashionMNIST: the IDX reader lives in numtorch.datasets.mnist ----------------------

class _MNISTItems(_VisionRepr):
    """torchvision's items (a PIL image or a uint8 array, and an int) and ``repr``."""

    def __getitem__(self, index: int) -> Tuple[Any, Any]:
        return apply_transforms(self, to_output_image(self._images[index].copy()),
                                int(self._labels[index]))

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class MNIST(_MNISTItems, _mnist.MNIST):
    """MNIST digits from ``root/MNIST/raw`` (``train-images-idx3-ubyte[.gz]``, ...).

    ``.data`` is a uint8 tensor ``N x 28 x 28``, ``.targets`` an int64 tensor, ``.classes`` the
    ten names; ``dataset[i]`` is ``(image, label)``.

    >>> ds = MNIST("data", train=True, download=True)   # doctest: +SKIP
    >>> len(ds), ds.data.shape                           # doctest: +SKIP
    (60000, torch.Size([60000, 28, 28]))
    """


class FashionMNIST(_MNISTItems, _mnist.FashionMNIST):
    """Zalando's Fashion-MNIST from ``root/FashionMNIST/raw``, with :class:`MNIST`'s API."""


# -- CIFAR: pickled batches, read without running code ---------------------------------------

class _Refused(pickle.UnpicklingError):
    """Something a data file may not contain."""


def _reconstruct(cls: Any, shape: Any, dtype: Any) -> np.ndarray:
    if cls is not np.ndarray:
        raise _Refused("only plain NumPy arrays can be loaded")
    return np.ndarray.__new__(np.ndarray, shape, dtype)


def _safe_dtype(spec: Any, align: bool = False, copy: bool = False) -> np.dtype:
    d = np.dtype(spec, align, copy)
    if d.hasobject:
        raise _Refused("arrays of Python objects cannot be loaded")
    return d


def _latin1_encode(text: Any, encoding: str = "utf-8") -> bytes:
    """``_codecs.encode``, which Python 3 pickles of ``bytes`` (protocol 2) call."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise _Refused("unexpected call to _codecs.encode")
    return codecs.encode(text, "latin1")


def _scalar(dtype: Any, raw: Any = None) -> Any:
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise _Refused("only numeric NumPy scalars can be loaded")
    if isinstance(raw, str):
        raw = raw.encode("latin1")
    return np.frombuffer(raw, dtype=dtype, count=1)[0]


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _safe_dtype,
    ("_codecs", "encode"): _latin1_encode,
}


class _DataUnpickler(pickle.Unpickler):
    """Builds dicts, lists, tuples, strings, bytes, numbers and NumPy arrays, nothing else."""

    def __init__(self, file: Any, path: str) -> None:
        super().__init__(file, encoding="latin1")
        self._path = path

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise _Refused(
                f"{self._path}: refusing to load '{module}.{name}': a CIFAR batch holds only "
                "dicts, lists, strings, numbers and NumPy arrays (numtorch never runs code from "
                "a data file)")
        return found

    def persistent_load(self, pid: Any) -> Any:
        raise _Refused(f"{self._path}: persistent references are not allowed")


_PLAIN = (str, bytes, int, float, bool, type(None), np.generic)


def _check_plain(obj: Any, path: str) -> None:
    stack = [obj]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, np.ndarray):
            if v.dtype.hasobject or type(v) is not np.ndarray:
                raise pickle.UnpicklingError(f"{path}: unexpected array type")
        elif not isinstance(v, _PLAIN):
            raise pickle.UnpicklingError(f"{path}: unexpected {type(v).__name__} in a data file")


def load_pickled_batch(path: str) -> Dict[str, Any]:
    """Load a CIFAR batch file (a pickled dict) safely; bytes keys become str keys.

    >>> batch = load_pickled_batch("data/cifar-10-batches-py/test_batch")   # doctest: +SKIP
    >>> batch["data"].shape                                                 # doctest: +SKIP
    (10000, 3072)
    """
    with open(path, "rb") as f:
        raw = f.read()
    try:
        obj = _DataUnpickler(io.BytesIO(raw), path).load()
    except _Refused as exc:
        msg = str(exc)
        raise pickle.UnpicklingError(msg if msg.startswith(path) else f"{path}: {msg}") from None
    except Exception as exc:  # truncated or corrupt
        raise pickle.UnpicklingError(f"{path}: not a valid pickled batch ({exc})") from None
    _check_plain(obj, path)
    if not isinstance(obj, dict):
        raise pickle.UnpicklingError(f"{path}: expected a dict, got {type(obj).__name__}")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in obj.items()}


class CIFAR10(VisionDataset):
    """CIFAR-10 from ``root/cifar-10-batches-py`` (``data_batch_1`` ... ``data_batch_5``,
    ``test_batch``, ``batches.meta``, as the official archive unpacks).

    As in torchvision, ``.data`` is a uint8 NumPy array ``N x 32 x 32 x 3`` and ``.targets`` a
    list of ints; ``dataset[i]`` is ``(image, label)``. The batches' MD5 sums are not checked
    (any well-formed batch is read); the downloaded archive's is.

    >>> ds = CIFAR10("data", train=False, download=True)   # doctest: +SKIP
    >>> ds.data.shape, ds.classes[ds[0][1]]                # doctest: +SKIP
    ((10000, 32, 32, 3), 'cat')
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [f"data_batch_{i}" for i in range(1, 6)]
    test_list = ["test_batch"]
    meta = {"filename": "batches.meta", "key": "label_names"}
    #: seconds urllib waits for the server before giving up
    download_timeout: float = 30.0

    def __init__(self, root: Any, train: bool = True, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, download: bool = False) -> None:
        super().__init__(os.fspath(root) if root is not None else root, transform=transform,
                         target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        missing = self._missing(self.train_list if train else self.test_list)
        if missing:
            raise RuntimeError(self._not_found(missing))
        data, targets = [], []
        for name in (self.train_list if train else self.test_list):
            path = os.path.join(self.root, self.base_folder, name)
            entry = load_pickled_batch(path)
            labels = entry.get("labels", entry.get("fine_labels"))
            if "data" not in entry or labels is None:
                raise RuntimeError(f"{path}: not a CIFAR batch (no 'data' and 'labels')")
            arr = np.asarray(entry["data"])
            if arr.dtype != np.uint8 or arr.ndim != 2 or arr.shape[1] != 3072 or \
                    len(labels) != arr.shape[0]:
                raise RuntimeError(f"{path}: expected uint8 data of shape N x 3072 and N labels, "
                                   f"got {arr.dtype} {arr.shape} and {len(labels)} labels")
            data.append(arr)
            targets.extend(int(v) for v in labels)
        self.data: np.ndarray = np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self.data = np.ascontiguousarray(self.data)
        self.targets: List[int] = targets
        self._load_meta()

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        data = load_pickled_batch(path)
        self.classes = [c.decode("latin1") if isinstance(c, bytes) else str(c)
                        for c in data[self.meta["key"]]]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _missing(self, batches: Optional[List[str]] = None) -> List[str]:
        """The files of ``batches`` (default: all) and the meta file that are not there."""
        folder = os.path.join(self.root, self.base_folder)
        names = (self.train_list + self.test_list if batches is None else list(batches))
        names = names + [self.meta["filename"]]
        return [n for n in names if not os.path.isfile(os.path.join(folder, n))]

    def _not_found(self, missing: List[str], reason: str = "") -> str:
        folder = os.path.abspath(os.path.join(self.root, self.base_folder))
        names = "\n".join(f"  {n}" for n in missing)
        return ("Dataset not found or corrupted. You can use download=True to download it"
                + (f" (download failed: {reason})" if reason else "")
                + f".\nOffline, unpack {self.filename} ({self.url}) in "
                f"{os.path.abspath(self.root)}, so that {folder} holds:\n{names}")

    def _check_integrity(self) -> bool:
        return not self._missing()

    def download(self) -> None:
        """Fetch and unpack the archive unless the files are there; ``RuntimeError`` naming the
        files and the folder when that fails (for example offline)."""
        if self._check_integrity():
            return
        os.makedirs(self.root, exist_ok=True)
        archive = os.path.join(self.root, self.filename)
        try:
            if not (os.path.isfile(archive) and file_md5(archive) == self.tgz_md5):
                tmp = archive + ".part"
                with urllib.request.urlopen(self.url, timeout=self.download_timeout) as r, \
                        open(tmp, "wb") as f:
                    while True:
                        chunk = r.read(1 << 20)
                        if not chunk:
                            break
                        f.write(chunk)
                if file_md5(tmp) != self.tgz_md5:
                    os.remove(tmp)
                    raise ValueError(f"MD5 mismatch for {self.url}")
                os.replace(tmp, archive)
            self._extract(archive)
        except (OSError, ValueError, urllib.error.URLError, tarfile.TarError) as exc:
            raise RuntimeError(self._not_found(self._missing(), f"{self.url}: {exc}")) from None

    def _extract(self, archive: str) -> None:
        """Unpack only regular files and folders under :attr:`base_folder`."""
        with tarfile.open(archive, "r:gz") as tar:
            members = []
            for m in tar.getmembers():
                parts = m.name.replace("\\", "/").split("/")
                if parts[0] != self.base_folder or ".." in parts or os.path.isabs(m.name) or \
                        not (m.isfile() or m.isdir()):
                    raise tarfile.TarError(f"unexpected member {m.name!r} in {archive}")
                members.append(m)
            try:
                tar.extractall(self.root, members=members, filter="data")
            except TypeError:  # Python without extraction filters
                tar.extractall(self.root, members=members)

    def __getitem__(self, index: int) -> Tuple[Any, Any]:
        return apply_transforms(self, to_output_image(self.data[index].copy()), self.targets[index])

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100 from ``root/cifar-100-python`` (``train``, ``test``, ``meta``); targets are
    the 100 fine labels, as in torchvision."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = ["train"]
    test_list = ["test"]
    meta = {"filename": "meta", "key": "fine_label_names"}


def __getattr__(name: str):
    """Name what is missing (``ImageFolder``, ``CelebA``, ... are not here)."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"numtorch does not implement torchvision.datasets.{name} yet")
