"""MNIST and FashionMNIST in torchvision's layout, read from the standard IDX files.

The files live in ``root/MNIST/raw/`` (``root/FashionMNIST/raw/``), gzip'd or not:
``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
``t10k-labels-idx1-ubyte`` (each with or without ``.gz``). Unlike torchvision, an
item's image is a uint8 NumPy array of shape 28x28, not a PIL image (numtorch does
not depend on PIL); ``.data`` and ``.targets`` are numtorch tensors as in torchvision.
"""
from __future__ import annotations

import gzip
import os
import sys
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from ._base import _DatasetBase, apply_transforms, file_md5

__all__ = [
    "IDXError",
    "read_idx",
    "MNIST",
    "FashionMNIST",
    "MnistOrDigits",
    "mnist_or_digits",
]

PathLike = Union[str, "os.PathLike[str]"]

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype.
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IDXError(ValueError, RuntimeError):
    """A file is not a valid IDX file (bad magic number, truncated, ...).

    It is both a ``ValueError`` and a ``RuntimeError``, so either ``except`` catches it.
    """


def _read_bytes(path: str) -> bytes:
    """The file's bytes, gunzipped when it is gzip'd; a truncated gzip gives what it holds."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":  # not gzip'd
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError:
        # Truncated gzip stream: keep what can be decompressed; the size check reports it.
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            return d.decompress(raw)
        except zlib.error as exc:
            raise IDXError(f"{path}: truncated or corrupt gzip data ({exc})") from None
    except (OSError, zlib.error) as exc:
        raise IDXError(f"{path}: not a valid gzip file ({exc})") from None


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (gzip'd or plain) into a NumPy array of native byte order.

    The header is checked: the magic number must be ``0x0000TTDD`` with a known type
    code ``TT`` (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
    0x0E float64) and ``DD`` >= 1 dimensions, and the file must hold exactly the
    bytes its dimensions call for. Errors raise :class:`IDXError` naming the file:
    ``bad magic number`` or ``truncated: expected N bytes, got M``.

    >>> labels = read_idx("../shared/data/MNIST/raw/train-labels-idx1-ubyte.gz")  # doctest: +SKIP
    >>> labels.shape, labels.dtype                                                # doctest: +SKIP
    ((4000,), dtype('uint8'))
    """
    path = os.fspath(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise IDXError(
            f"{path}: truncated: expected at least 4 bytes (the magic number), got {len(data)}"
        )
    magic = int.from_bytes(data[:4], "big")
    type_code, ndim = data[2], data[3]
    if data[0] != 0 or data[1] != 0 or type_code not in _IDX_TYPES or ndim == 0:
        raise IDXError(
            f"{path}: bad magic number 0x{magic:08X} (an IDX file starts with 0x0000TTDD: "
            f"TT a type code in {{08, 09, 0B, 0C, 0D, 0E}}, DD >= 1 dimensions; "
            f"MNIST images have 0x00000803, labels 0x00000801)"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(
            f"{path}: truncated: expected {header} header bytes for {ndim} dimensions, "
            f"got {len(data)}"
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_TYPES[type_code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "trailing data"
        raise IDXError(
            f"{path}: {what}: expected {expected} bytes for shape {shape} "
            f"({dtype.name}), got {len(data)}"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))  # a writable native-order copy


def _find(folder: str, name: str) -> Optional[str]:
    """``folder/name`` gzip'd (``.gz``) or plain, whichever exists."""
    for candidate in (name + ".gz", name):
        p = os.path.join(folder, candidate)
        if os.path.isfile(p):
            return p
    return None


class MNIST(_DatasetBase):  # type: ignore[misc,valid-type]
    """The MNIST digits as torchvision's ``datasets.MNIST``, read from IDX files.

    Files are looked for in ``root/MNIST/raw`` (gzip'd or not). ``download=True``
    fetches missing files from :attr:`mirrors` (needs a network); otherwise, or when
    that fails, a ``RuntimeError`` names the files to place there.

    ``dataset[i]`` is ``(image, label)``: without a ``transform`` the image is a
    uint8 NumPy array of shape 28x28 (torchvision gives a PIL image) and the label
    a Python int. ``.data`` (uint8, N x 28 x 28) and ``.targets`` (int64, N) are
    numtorch tensors.

    >>> ds = MNIST("../shared/data", train=True)   # doctest: +SKIP
    >>> len(ds), ds[0][0].shape, ds.targets.dtype  # doctest: +SKIP
    (4000, (28, 28), numtorch.int64)
    """

    mirrors: List[str] = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    # (file name, md5 of the official full file or None to accept any valid IDX file)
    resources: List[Tuple[str, Optional[str]]] = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes: List[str] = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]
    #: seconds urllib waits on a mirror before giving up
    download_timeout: float = 10.0

    def __init__(
        self,
        root: PathLike,
        train: bool = True,
        transform: Optional[Callable[[Any], Any]] = None,
        target_transform: Optional[Callable[[Any], Any]] = None,
        download: bool = False,
    ) -> None:
        self.root = os.path.expanduser(os.fspath(root))
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download:
            self.download()
        missing = self._missing(self._split_files())
        if missing:
            raise RuntimeError(self._not_found_message(missing))
        images_name, labels_name = self._split_files()
        images_path = _find(self.raw_folder, images_name)
        labels_path = _find(self.raw_folder, labels_name)
        assert images_path is not None and labels_path is not None
        images = read_idx(images_path)
        labels = read_idx(labels_path)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise IDXError(
                f"{images_path}: expected uint8 images of shape N x H x W, "
                f"got {images.dtype} {images.shape}"
            )
        if labels.ndim != 1 or len(labels) != len(images):
            raise IDXError(
                f"{labels_path}: expected {len(images)} labels (one per image in "
                f"{os.path.basename(images_path)}), got shape {labels.shape}"
            )
        self._images: np.ndarray = images
        self._labels: np.ndarray = labels.astype(np.int64)
        self._data_tensor: Any = None
        self._targets_tensor: Any = None

    # -- torchvision's folder layout ------------------------------------------------
    @property
    def raw_folder(self) -> str:
        """``root/<ClassName>/raw``, where the IDX files are read from."""
        return os.path.join(self.root, type(self).__name__, "raw")

    def _split_files(self) -> Tuple[str, str]:
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _missing(self, names: Sequence[str]) -> List[str]:
        return [n for n in names if _find(self.raw_folder, n) is None]

    def _all_names(self) -> List[str]:
        return [name[:-3] if name.endswith(".gz") else name for name, _ in self.resources]

    def _not_found_message(self, missing: Sequence[str], reason: str = "") -> str:
        files = "\n".join(f"  {n}.gz" for n in missing)
        msg = (
            "Dataset not found. You can use download=True to download it"
            + (f" (download failed: {reason})" if reason else "")
            + f".\nOffline, place these files (gzip'd, or unpacked without .gz) in "
            f"{os.path.abspath(self.raw_folder)}:\n{files}"
        )
        return msg

    # -- download ---------------------------------------------------------------------
    def _check_exists(self) -> bool:
        return not self._missing(self._all_names())

    def download(self) -> None:
        """Fetch the files missing from :attr:`raw_folder` from the first mirror that works.

        Raises ``RuntimeError`` naming the files to place by hand when no mirror can be
        reached (for example offline) or a download's MD5 does not match.
        """
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            name = filename[:-3] if filename.endswith(".gz") else filename
            if _find(self.raw_folder, name) is not None:
                continue
            target = os.path.join(self.raw_folder, filename)
            errors = []
            for mirror in self.mirrors:
                url = mirror + filename
                tmp = target + ".part"
                try:
                    with urllib.request.urlopen(url, timeout=self.download_timeout) as r:
                        payload = r.read()
                    with open(tmp, "wb") as f:
                        f.write(payload)
                    if md5 is not None and file_md5(tmp) != md5:
                        raise ValueError(f"MD5 mismatch for {url}")
                    read_idx(tmp)  # a valid IDX file, not an HTML error page
                    os.replace(tmp, target)
                    break
                except (OSError, ValueError, urllib.error.URLError) as exc:
                    errors.append(f"{url}: {exc}")
                    if os.path.exists(tmp):
                        os.remove(tmp)
            else:
                missing = self._missing(self._all_names())
                raise RuntimeError(self._not_found_message(missing, "; ".join(errors)))

    # -- Dataset protocol -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._images)

    def __getitem__(self, index: int) -> Tuple[Any, Any]:
        return apply_transforms(self, self._images[index].copy(), int(self._labels[index]))

    @property
    def data(self) -> Any:
        """The images as a numtorch uint8 tensor of shape N x 28 x 28."""
        if self._data_tensor is None:
            self._data_tensor = _to_tensor(self._images)
        return self._data_tensor

    @property
    def targets(self) -> Any:
        """The labels as a numtorch int64 tensor of shape N."""
        if self._targets_tensor is None:
            self._targets_tensor = _to_tensor(self._labels)
        return self._targets_tensor

    @property
    def class_to_idx(self) -> dict:
        return {c: i for i, c in enumerate(self.classes)}

    def __repr__(self) -> str:
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
            f"    Split: {'Train' if self.train else 'Test'}",
        ]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST, same format and API as :class:`MNIST`.

    Files are looked for in ``root/FashionMNIST/raw``.

    >>> ds = FashionMNIST("data", train=False, download=True)  # doctest: +SKIP
    >>> ds.classes[ds[0][1]]                                    # doctest: +SKIP
    'Ankle boot'
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]


def _to_tensor(arr: np.ndarray) -> Any:
    """A numtorch tensor holding ``arr`` (imported lazily: this module works without the core)."""
    import numtorch

    from_numpy = getattr(numtorch, "from_numpy", None)
    if from_numpy is not None:
        return from_numpy(arr)
    return numtorch.tensor(arr)


# -- MNIST if present, else the embedded digits ------------------------------------------

_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


@dataclass
class MnistOrDigits:
    """What :func:`mnist_or_digits` returns.

    ``x_train``/``x_valid`` are float32 in [0, 1], one flattened image per row
    (784 columns for MNIST, 64 for digits); ``y_train``/``y_valid`` are int64.
    ``source`` is ``"mnist"`` or ``"digits"``; ``image_shape`` is (28, 28) or (8, 8);
    ``raw_folder`` is where MNIST was read from (None for digits); ``message`` says
    which data was used, for the example to print.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_valid: np.ndarray
    y_valid: np.ndarray
    source: str
    image_shape: Tuple[int, int]
    message: str
    raw_folder: Optional[str] = field(default=None)

    @property
    def is_mnist(self) -> bool:
        return self.source == "mnist"


def _candidate_raw_folders(root: Optional[PathLike]) -> List[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))  # <repo>/numtorch/datasets -> <repo>
    out: List[str] = []
    if root is not None:
        r = os.path.expanduser(os.fspath(root))
        out += [os.path.join(r, "MNIST", "raw"), r]
    env = os.environ.get("MNIST_RAW")
    if env:
        out.append(os.path.expanduser(env))
    out.append(os.path.join(os.getcwd(), "..", "shared", "data", "MNIST", "raw"))
    out.append(os.path.join(repo, "..", "shared", "data", "MNIST", "raw"))
    return out


def mnist_or_digits(root: Optional[PathLike] = None, verbose: bool = False) -> MnistOrDigits:
    """Real MNIST when its IDX files can be found, else scikit-learn's 8x8 digits.

    MNIST's four files are looked for in ``root/MNIST/raw``, ``root`` itself,
    ``$MNIST_RAW``, and ``../shared/data/MNIST/raw`` (from the working directory and
    from the project's root). If none holds them, the embedded digits are used:
    the first 1,500 images for training and the other 297 for validation. The
    pixels are scaled to [0, 1] (MNIST / 255, digits / 16). ``verbose=True``
    prints :attr:`MnistOrDigits.message` to stderr.

    >>> d = mnist_or_digits()
    >>> d.source in ("mnist", "digits"), d.x_train.shape[1] == d.image_shape[0] ** 2
    (True, True)
    """
    for folder in _candidate_raw_folders(root):
        paths = [_find(folder, name) for name in _FILES]
        if all(p is not None for p in paths):
            x_tr, y_tr, x_va, y_va = (read_idx(p) for p in paths)  # type: ignore[arg-type]
            folder = os.path.abspath(folder)
            shape = (int(x_tr.shape[1]), int(x_tr.shape[2]))
            result = MnistOrDigits(
                x_train=(x_tr.reshape(len(x_tr), -1) / 255.0).astype(np.float32),
                y_train=y_tr.astype(np.int64),
                x_valid=(x_va.reshape(len(x_va), -1) / 255.0).astype(np.float32),
                y_valid=y_va.astype(np.int64),
                source="mnist",
                image_shape=shape,
                message=f"Using MNIST from {folder} ({len(x_tr)} training, "
                f"{len(x_va)} validation images).",
                raw_folder=folder,
            )
            break
    else:
        from .digits import load_digits

        digits = load_digits()
        x = (digits.data / 16.0).astype(np.float32)
        y = digits.target
        result = MnistOrDigits(
            x_train=x[:1500],
            y_train=y[:1500],
            x_valid=x[1500:],
            y_valid=y[1500:],
            source="digits",
            image_shape=(8, 8),
            message="MNIST not found (looked for root/MNIST/raw, $MNIST_RAW and "
            "../shared/data/MNIST/raw); using the embedded 8x8 digits instead "
            "(1500 training, 297 validation images, 64 pixels each).",
        )
    if verbose:
        print(result.message, file=sys.stderr)
    return result
