"""Tests for numtorch.datasets: embedded Iris and digits, the IDX/MNIST readers, XOR."""
import gzip
import os
import shutil
import struct
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from numtorch import datasets
from numtorch.datasets import (
    MNIST,
    FashionMNIST,
    IDXError,
    load_digits,
    load_iris,
    make_xor,
    mnist_or_digits,
    read_idx,
)
from numtorch.datasets import mnist as mnist_mod

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RAW = SHARED_DATA / "MNIST" / "raw"
FILES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]
needs_mnist = pytest.mark.skipif(
    not all((RAW / f).is_file() for f in FILES), reason="../shared/data/MNIST is absent"
)


def write_idx(path, arr, type_code=0x08, gz=False):
    """Write ``arr`` as an IDX file (big-endian), optionally gzip'd."""
    arr = np.asarray(arr)
    dtypes = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    header = bytes([0, 0, type_code, arr.ndim]) + b"".join(struct.pack(">I", s) for s in arr.shape)
    payload = header + arr.astype(dtypes[type_code]).tobytes()
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(payload)
    return payload


# -- Iris ---------------------------------------------------------------------------------

def test_iris_shape_dtypes_and_names():
    iris = load_iris()
    assert iris.data.shape == (150, 4) and iris.data.dtype == np.float64
    assert iris.target.shape == (150,) and iris.target.dtype == np.int64
    assert iris.feature_names == [
        "sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
    assert list(iris.target_names) == ["setosa", "versicolor", "virginica"]
    assert iris["data"] is iris.data  # Bunch: keys are attributes


def test_iris_known_values():
    iris = load_iris()
    assert iris.data[0].tolist() == [5.1, 3.5, 1.4, 0.2]
    assert iris.data[-1].tolist() == [5.9, 3.0, 5.1, 1.8]
    # Fisher's values where the UCI file had errors (scikit-learn follows Fisher)
    assert iris.data[34].tolist() == [4.9, 3.1, 1.5, 0.2]
    assert iris.data[37].tolist() == [4.9, 3.6, 1.4, 0.1]
    np.testing.assert_array_equal(np.bincount(iris.target), [50, 50, 50])
    # the classes come in blocks of 50, in order
    np.testing.assert_array_equal(iris.target, np.repeat([0, 1, 2], 50))
    np.testing.assert_allclose(iris.data.mean(axis=0), [5.843, 3.057, 3.758, 1.199], atol=5e-4)
    np.testing.assert_allclose(iris.data.min(axis=0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_allclose(iris.data.max(axis=0), [7.9, 4.4, 6.9, 2.5])
    # setosa's petals are all shorter than 2 cm, the others' all at least 3 cm
    assert iris.data[:50, 2].max() < 2.0 < 3.0 == iris.data[50:, 2].min()


def test_iris_return_X_y():
    X, y = load_iris(return_X_y=True)
    assert X.shape == (150, 4) and y.shape == (150,)
    np.testing.assert_array_equal(X, load_iris().data)


# -- digits -------------------------------------------------------------------------------

def test_digits_shapes_and_counts():
    d = load_digits()
    assert d.images.shape == (1797, 8, 8) and d.images.dtype == np.float64
    assert d.data.shape == (1797, 64) and d.target.dtype == np.int64
    np.testing.assert_array_equal(d.data, d.images.reshape(1797, 64))
    np.testing.assert_array_equal(
        np.bincount(d.target), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert d.data.min() == 0 and d.data.max() == 16
    assert np.array_equal(d.data, np.round(d.data))  # integer counts 0..16
    assert d.target[:10].tolist() == list(range(10))
    assert len(d.feature_names) == 64 and d.feature_names[9] == "pixel_1_1"


def test_digits_first_image_is_a_zero():
    d = load_digits()
    assert d.target[0] == 0
    assert d.images[0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    # a zero: the centre of the image is empty, the ring around it is not
    assert d.images[0, 3:5, 3:5].sum() < d.images[0, 3:5, [1, 6]].sum()


def test_digits_n_class():
    d = load_digits(n_class=3)
    assert set(d.target.tolist()) == {0, 1, 2} and len(d.target) == 178 + 182 + 177
    assert d.target_names.tolist() == [0, 1, 2]
    with pytest.raises(ValueError):
        load_digits(n_class=11)


# -- read_idx -----------------------------------------------------------------------------

def test_read_idx_roundtrip_plain_and_gz(tmp_path):
    arr = np.arange(24, dtype=np.int32).reshape(2, 3, 4) - 5
    write_idx(tmp_path / "a.idx", arr, 0x0C)
    write_idx(tmp_path / "a.idx.gz", arr, 0x0C, gz=True)
    for name in ("a.idx", "a.idx.gz"):
        out = read_idx(tmp_path / name)
        assert out.dtype == np.int32 and out.dtype.isnative
        np.testing.assert_array_equal(out, arr)
    f = np.linspace(-1, 1, 5)
    write_idx(tmp_path / "f.idx", f, 0x0E)
    np.testing.assert_array_equal(read_idx(str(tmp_path / "f.idx")), f)


def test_read_idx_bad_magic_number(tmp_path):
    p = tmp_path / "bad-images-idx3-ubyte"
    p.write_bytes(b"\x12\x34\x08\x03" + bytes(12 + 4))
    with pytest.raises(IDXError, match="bad magic number") as info:
        read_idx(p)
    assert str(p) in str(info.value) and "0x12340803" in str(info.value)
    # an unknown type code, and zero dimensions, are bad magic numbers too
    for magic in (b"\x00\x00\x07\x01", b"\x00\x00\x08\x00"):
        p.write_bytes(magic + bytes(8))
        with pytest.raises(ValueError, match="bad magic number"):
            read_idx(p)
    # e.g. an HTML error page saved under the right name, gzip'd
    with gzip.open(tmp_path / "page.gz", "wb") as f:
        f.write(b"<html><body>404 Not Found</body></html>")
    with pytest.raises(RuntimeError, match="bad magic number"):
        read_idx(tmp_path / "page.gz")


def test_read_idx_truncated_plain(tmp_path):
    p = tmp_path / "labels"
    payload = write_idx(p, np.arange(10, dtype=np.uint8))
    p.write_bytes(payload[:-5])
    with pytest.raises(IDXError, match=r"truncated: expected 18 bytes .*got 13") as info:
        read_idx(p)
    assert str(p) in str(info.value)
    p.write_bytes(payload[:6])  # cut inside the header
    with pytest.raises(IDXError, match="truncated: expected 8 header bytes"):
        read_idx(p)
    p.write_bytes(payload + b"\x00")
    with pytest.raises(IDXError, match="trailing data: expected 18 bytes .*got 19"):
        read_idx(p)


@needs_mnist
def test_read_idx_truncated_gzip(tmp_path):
    src = (RAW / "train-images-idx3-ubyte.gz").read_bytes()
    p = tmp_path / "train-images-idx3-ubyte.gz"
    p.write_bytes(src[: len(src) // 2])
    with pytest.raises(IDXError, match=r"truncated: expected 3136016 bytes") as info:
        read_idx(p)
    assert str(p) in str(info.value)


@needs_mnist
def test_read_idx_real_mnist_files():
    images = read_idx(RAW / "train-images-idx3-ubyte.gz")
    labels = read_idx(RAW / "train-labels-idx1-ubyte.gz")
    assert images.shape == (4000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (4000,) and labels.dtype == np.uint8
    assert images.max() == 255 and images.min() == 0
    # real handwriting: the border is (nearly) empty, the middle is not
    assert images[:, 0, :].mean() < 1 < 20 < images[:, 10:18, 10:18].mean()


# -- MNIST / FashionMNIST -----------------------------------------------------------------

@needs_mnist
def test_mnist_train_and_test_splits():
    train = MNIST(str(SHARED_DATA), train=True)
    test = MNIST(SHARED_DATA, train=False)
    assert len(train) == 4000 and len(test) == 1000
    assert train.raw_folder == os.path.join(str(SHARED_DATA), "MNIST", "raw")
    img, label = train[0]
    assert isinstance(img, np.ndarray) and img.shape == (28, 28) and img.dtype == np.uint8
    assert type(label) is int and 0 <= label <= 9
    labels_tr = np.array([train[i][1] for i in range(len(train))])
    labels_te = np.array([test[i][1] for i in range(len(test))])
    np.testing.assert_array_equal(np.bincount(labels_tr), [400] * 10)
    np.testing.assert_array_equal(np.bincount(labels_te), [100] * 10)
    assert not np.array_equal(train[0][0], test[0][0])
    assert train.classes[3] == "3 - three" and train.class_to_idx["9 - nine"] == 9
    assert "Number of datapoints: 4000" in repr(train) and "Split: Test" in repr(test)


@needs_mnist
def test_mnist_items_are_copies_and_transforms_apply():
    ds = MNIST(SHARED_DATA, transform=lambda im: im.astype(np.float32) / 255,
               target_transform=lambda t: t + 100)
    img, label = ds[5]
    assert img.dtype == np.float32 and img.max() <= 1.0 and label >= 100
    raw = MNIST(SHARED_DATA)
    first = raw[0][0]
    first[:] = 0
    assert raw[0][0].any()  # changing a returned image does not change the dataset


@needs_mnist
def test_mnist_data_and_targets_are_tensors():
    ds = MNIST(SHARED_DATA, train=False)
    data, targets = ds.data, ds.targets
    assert tuple(data.shape) == (1000, 28, 28) and tuple(targets.shape) == (1000,)
    assert "uint8" in str(data.dtype) and "int64" in str(targets.dtype)
    np.testing.assert_array_equal(np.asarray(targets), [ds[i][1] for i in range(1000)])
    assert ds.data is data  # cached


@needs_mnist
def test_mnist_data_and_targets_go_through_from_numpy(monkeypatch):
    # works before the core exists: checks what .data/.targets hand to numtorch.from_numpy
    import numtorch

    seen = []
    monkeypatch.setattr(numtorch, "from_numpy", lambda a: seen.append(a) or ("T", a), raising=False)
    ds = MNIST(SHARED_DATA, train=False)
    kind, data = ds.data
    _, targets = ds.targets
    assert kind == "T" and len(seen) == 2
    assert data.shape == (1000, 28, 28) and data.dtype == np.uint8
    assert targets.shape == (1000,) and targets.dtype == np.int64
    np.testing.assert_array_equal(data[3], ds[3][0])
    assert targets[3] == ds[3][1]


@needs_mnist
def test_mnist_reads_unpacked_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FILES[2:]:
        with gzip.open(RAW / name, "rb") as f:
            (raw / name[:-3]).write_bytes(f.read())
    ds = MNIST(tmp_path, train=False)
    assert len(ds) == 1000
    np.testing.assert_array_equal(ds[7][0], MNIST(SHARED_DATA, train=False)[7][0])


def test_missing_files_error_names_files_and_folder(tmp_path):
    with pytest.raises(RuntimeError) as info:
        MNIST(tmp_path, train=True)
    msg = str(info.value)
    assert "Dataset not found. You can use download=True to download it" in msg
    assert "train-images-idx3-ubyte.gz" in msg and "train-labels-idx1-ubyte.gz" in msg
    assert os.path.join(str(tmp_path), "MNIST", "raw") in msg
    with pytest.raises(RuntimeError, match=r"FashionMNIST[/\\]raw"):
        FashionMNIST(tmp_path, train=False)


def test_download_offline_error_names_files(tmp_path, monkeypatch):
    calls = []

    def offline(url, timeout=None):
        calls.append((url, timeout))
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(mnist_mod.urllib.request, "urlopen", offline)
    with pytest.raises(RuntimeError) as info:
        MNIST(tmp_path, download=True)
    msg = str(info.value)
    assert "Dataset not found" in msg and "download failed" in msg
    assert "name resolution" in msg
    for name in FILES:
        assert name in msg
    assert os.path.join(str(tmp_path), "MNIST", "raw") in msg
    # every mirror was tried for the first file, with a short timeout, and nothing left behind
    assert [u for u, _ in calls] == [m + FILES[0] for m in MNIST.mirrors]
    assert all(t is not None and t <= 30 for _, t in calls)
    assert list((tmp_path / "MNIST" / "raw").iterdir()) == []


@needs_mnist
def test_download_from_a_mirror(tmp_path, monkeypatch):
    # a file:// mirror holding the subset; its MD5s are not the full files', so accept any
    monkeypatch.setattr(MNIST, "mirrors", ["file://" + str(tmp_path / "nowhere") + "/",
                                           RAW.as_uri() + "/"])
    monkeypatch.setattr(MNIST, "resources", [(n, None) for n in FILES])
    ds = MNIST(tmp_path / "data", train=False, download=True)
    assert len(ds) == 1000
    for name in FILES:
        got = (tmp_path / "data" / "MNIST" / "raw" / name).read_bytes()
        assert got == (RAW / name).read_bytes()
    # a wrong MD5 is a failed download
    monkeypatch.setattr(MNIST, "resources", [(n, "0" * 32) for n in FILES])
    with pytest.raises(RuntimeError, match="MD5 mismatch"):
        MNIST(tmp_path / "other", download=True)


@needs_mnist
def test_mnist_truncated_or_mismatched_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    src = (RAW / "t10k-images-idx3-ubyte.gz").read_bytes()
    (raw / "t10k-images-idx3-ubyte.gz").write_bytes(src[: len(src) * 3 // 4])
    shutil.copy(RAW / "t10k-labels-idx1-ubyte.gz", raw)
    with pytest.raises(IDXError, match="truncated"):
        MNIST(tmp_path, train=False)
    # labels that do not match the images in number
    shutil.copy(RAW / "t10k-images-idx3-ubyte.gz", raw)
    write_idx(raw / "t10k-labels-idx1-ubyte.gz", np.zeros(999, np.uint8), gz=True)
    with pytest.raises(IDXError, match="expected 1000 labels"):
        MNIST(tmp_path, train=False)


# -- mnist_or_digits ----------------------------------------------------------------------

@needs_mnist
def test_mnist_or_digits_finds_mnist():
    d = mnist_or_digits(SHARED_DATA)
    assert d.source == "mnist" and d.is_mnist and d.image_shape == (28, 28)
    assert d.x_train.shape == (4000, 784) and d.x_valid.shape == (1000, 784)
    assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int64
    assert 0.0 <= d.x_train.min() and d.x_train.max() == 1.0
    assert "MNIST" in d.message and "4000" in d.message
    np.testing.assert_array_equal(np.bincount(d.y_valid), [100] * 10)


@needs_mnist
def test_mnist_or_digits_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_RAW", str(RAW))
    d = mnist_or_digits(tmp_path / "empty")
    assert d.source == "mnist" and os.path.realpath(d.raw_folder) == str(RAW.resolve())


def test_mnist_or_digits_falls_back_to_digits(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(mnist_mod, "_candidate_raw_folders", lambda root: [str(tmp_path)])
    d = mnist_or_digits(tmp_path, verbose=True)
    assert d.source == "digits" and not d.is_mnist and d.image_shape == (8, 8)
    assert d.x_train.shape == (1500, 64) and d.x_valid.shape == (297, 64)
    assert d.x_train.dtype == np.float32 and d.x_train.max() == 1.0
    np.testing.assert_array_equal(d.y_valid, load_digits().target[1500:])
    assert "digits" in d.message and "MNIST not found" in d.message
    assert d.message in capsys.readouterr().err


# -- XOR ----------------------------------------------------------------------------------

def test_make_xor():
    X, y = make_xor(2000, std=0.1, seed=0)
    assert X.shape == (2000, 2) and X.dtype == np.float32
    assert y.shape == (2000,) and y.dtype == np.int64
    corners = np.round(X).clip(0, 1)
    np.testing.assert_array_equal(y, (corners.sum(1) == 1).astype(np.int64))
    assert 0.45 < y.mean() < 0.55
    noise = X - corners
    assert 0.08 < noise.std() < 0.12
    X2, y2 = make_xor(2000, std=0.1, seed=0)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(make_xor(2000, seed=1)[0], X)
    X0, y0 = make_xor(50, std=0.0, seed=3)
    assert set(np.unique(X0).tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(y0, (X0[:, 0] != X0[:, 1]).astype(np.int64))


def test_public_names():
    for name in datasets.__all__:
        assert hasattr(datasets, name), name
