"""numtorch.vision.datasets: MNIST, FashionMNIST, CIFAR10 and CIFAR100 read from small fake files
in the exact formats torchvision reads (IDX plain and gzip'd; CIFAR pickles as Python 3 writes
them and as the official Python 2 files hold them), the offline download errors, the safe
unpickler, and an unchanged torchvision program run through ``python -m numtorch.run``.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import subprocess
import tarfile
import sys
import urllib.error
import urllib.request

import numpy as np
import pytest
from vision_fakes import CIFAR10_NAMES, make_cifar10, make_cifar100, make_mnist

import numtorch
from numtorch.utils.data import DataLoader
from numtorch.vision import datasets, set_image_backend, get_image_backend, transforms as T
from numtorch.vision.datasets import load_pickled_batch

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def numpy_backend():
    before = get_image_backend()
    set_image_backend("numpy")
    yield
    set_image_backend(before)


@pytest.fixture
def offline(monkeypatch):
    """No network: every urlopen fails as it does offline (and nothing is fetched)."""
    calls = []

    def fail(url, *args, **kwargs):
        calls.append(getattr(url, "full_url", url))
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", fail)
    return calls


# -- MNIST / FashionMNIST --------------------------------------------------------------------

def test_mnist_reads_gzip_idx_files(tmp_path, numpy_backend):
    fake = make_mnist(str(tmp_path), n_train=5, n_test=3, gz=True, seed=1)
    ds = datasets.MNIST(str(tmp_path), train=True)
    images, labels = fake["train"]
    assert len(ds) == 5
    assert ds.data.dtype == numtorch.uint8 and tuple(ds.data.shape) == (5, 28, 28)
    assert ds.targets.dtype == numtorch.int64
    np.testing.assert_array_equal(ds.data.numpy(), images)
    np.testing.assert_array_equal(ds.targets.numpy(), labels.astype(np.int64))
    img, target = ds[3]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8 and img.shape == (28, 28)
    np.testing.assert_array_equal(img, images[3])
    assert target == int(labels[3]) and type(target) is int
    assert ds.classes[0] == "0 - zero" and len(ds.classes) == 10
    test = datasets.MNIST(str(tmp_path), train=False)
    assert len(test) == 3
    np.testing.assert_array_equal(test.data.numpy(), fake["t10k"][0])


def test_mnist_items_are_pil_images_with_pillow(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    fake = make_mnist(str(tmp_path), seed=2)
    set_image_backend("PIL")
    img, _ = datasets.MNIST(str(tmp_path))[0]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), fake["train"][0][0])


def test_mnist_transforms_and_repr(tmp_path):
    fake = make_mnist(str(tmp_path), gz=False, seed=3)
    tf = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    ds = datasets.MNIST(str(tmp_path), train=True, transform=tf,
                        target_transform=lambda y: y + 100)
    x, y = ds[1]
    images, labels = fake["train"]
    f32 = np.float32
    want = (images[1].astype(f32) / f32(255) - f32(0.1307)) / f32(0.3081)
    assert tuple(x.shape) == (1, 28, 28)
    np.testing.assert_array_equal(x.numpy()[0], want)
    assert y == int(labels[1]) + 100
    plain = datasets.MNIST(str(tmp_path), train=False, transform=T.ToTensor())
    assert repr(plain) == (f"Dataset MNIST\n    Number of datapoints: 3\n"
                           f"    Root location: {tmp_path}\n    Split: Test\n"
                           f"    StandardTransform\nTransform: ToTensor()")
    assert repr(ds).splitlines()[5:9] == ["Transform: Compose(", "               ToTensor()",
                                          "               Normalize(mean=(0.1307,), "
                                          "std=(0.3081,))", "           )"]


def test_mnist_in_a_dataloader(tmp_path):
    make_mnist(str(tmp_path), n_train=7, seed=4)
    ds = datasets.MNIST(str(tmp_path), transform=T.ToTensor())
    batches = list(DataLoader(ds, batch_size=4))
    assert [tuple(b[0].shape) for b in batches] == [(4, 1, 28, 28), (3, 1, 28, 28)]
    assert batches[0][1].dtype == numtorch.int64
    np.testing.assert_array_equal(batches[1][1].numpy(), ds.targets.numpy()[4:])


def test_fashion_mnist_folder_and_classes(tmp_path, numpy_backend):
    fake = make_mnist(str(tmp_path), folder="FashionMNIST", gz=False, seed=5)
    ds = datasets.FashionMNIST(str(tmp_path), train=True)
    np.testing.assert_array_equal(ds[0][0], fake["train"][0][0])
    assert ds.classes[9] == "Ankle boot"
    with pytest.raises(RuntimeError):        # not in the MNIST folder
        datasets.MNIST(str(tmp_path))


def test_mnist_missing_files_error(tmp_path):
    with pytest.raises(RuntimeError) as e:
        datasets.MNIST(str(tmp_path), train=True)
    msg = str(e.value)
    assert "Dataset not found" in msg and "download=True" in msg
    assert os.path.join(str(tmp_path), "MNIST", "raw") in msg
    assert "train-images-idx3-ubyte.gz" in msg and "train-labels-idx1-ubyte.gz" in msg


def test_mnist_download_offline_names_files_and_folder(tmp_path, offline):
    with pytest.raises(RuntimeError) as e:
        datasets.MNIST(str(tmp_path), train=False, download=True)
    msg = str(e.value)
    assert "download failed" in msg and "Temporary failure in name resolution" in msg
    assert os.path.join(str(tmp_path), "MNIST", "raw") in msg
    for name in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert name in msg
    assert offline and all(u.startswith("http") for u in offline)


# -- CIFAR -------------------------------------------------------------------------------------

def _hwc(raw: np.ndarray) -> np.ndarray:
    return raw.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


@pytest.mark.parametrize("style", ["py2", "py3"])
def test_cifar10_reads_pickled_batches(tmp_path, style, numpy_backend):
    fake = make_cifar10(str(tmp_path), per_batch=2, style=style, seed=6)
    ds = datasets.CIFAR10(str(tmp_path), train=True)
    raw = np.vstack([d for d, _ in fake["train"]])
    assert isinstance(ds.data, np.ndarray) and ds.data.shape == (10, 32, 32, 3)
    assert ds.data.dtype == np.uint8
    np.testing.assert_array_equal(ds.data, _hwc(raw))
    assert ds.targets == [t for _, labels in fake["train"] for t in labels]
    assert ds.classes == CIFAR10_NAMES and ds.class_to_idx["cat"] == 3
    img, target = ds[7]
    assert isinstance(img, np.ndarray) and img.shape == (32, 32, 3)
    assert target == ds.targets[7]
    x = T.ToTensor()(img)
    np.testing.assert_array_equal(x.numpy(), raw[7].reshape(3, 32, 32).astype(np.float32) / 255)
    test = datasets.CIFAR10(str(tmp_path), train=False)
    assert len(test) == 2 and test.targets == fake["test"][0][1]


def test_cifar10_pil_items_and_repr(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    fake = make_cifar10(str(tmp_path), per_batch=1, seed=7)
    set_image_backend("PIL")
    ds = datasets.CIFAR10(str(tmp_path), train=False, transform=T.ToTensor())
    assert isinstance(datasets.CIFAR10(str(tmp_path), train=False)[0][0], Image.Image)
    np.testing.assert_array_equal(ds[0][0].numpy(),
                                  fake["test"][0][0][0].reshape(3, 32, 32) / np.float32(255))
    assert repr(ds).splitlines()[:4] == ["Dataset CIFAR10", "    Number of datapoints: 1",
                                         f"    Root location: {tmp_path}", "    Split: Test"]


def test_cifar100_fine_labels(tmp_path, numpy_backend):
    fake = make_cifar100(str(tmp_path), n=3, seed=8)
    ds = datasets.CIFAR100(str(tmp_path), train=True)
    assert ds.targets == fake["train"][1] and len(ds.classes) == 100
    np.testing.assert_array_equal(ds.data, _hwc(fake["train"][0]))


def test_cifar_missing_and_offline_download(tmp_path, offline):
    with pytest.raises(RuntimeError) as e:
        datasets.CIFAR10(str(tmp_path))
    msg = str(e.value)
    assert "Dataset not found or corrupted" in msg
    assert os.path.join(str(tmp_path), "cifar-10-batches-py") in msg
    assert "data_batch_1" in msg and "batches.meta" in msg and "cifar-10-python.tar.gz" in msg
    with pytest.raises(RuntimeError) as e:
        datasets.CIFAR10(str(tmp_path), train=False, download=True)
    msg = str(e.value)
    assert "download failed" in msg and "test_batch" in msg and "data_batch_5" in msg
    assert offline == ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"]


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _archive(members):
    """A .tar.gz holding ``members`` (name -> bytes), and its MD5."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    data = buf.getvalue()
    return data, hashlib.md5(data).hexdigest()


def test_cifar_download_unpacks_the_archive(tmp_path, monkeypatch, numpy_backend):
    src = tmp_path / "src"
    fake = make_cifar10(str(src), per_batch=1, seed=10)
    folder = src / "cifar-10-batches-py"
    data, md5 = _archive({f"cifar-10-batches-py/{p.name}": p.read_bytes()
                                    for p in sorted(folder.iterdir())})
    urls = []
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda url, timeout=None: urls.append(url) or _Response(data))
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", md5)
    ds = datasets.CIFAR10(str(tmp_path / "root"), train=False, download=True)
    assert urls == [datasets.CIFAR10.url]
    assert ds.targets == fake["test"][0][1]
    datasets.CIFAR10(str(tmp_path / "root"), train=True, download=True)   # present: no fetch
    assert len(urls) == 1
    # a wrong checksum or a member outside the dataset folder is refused, nothing unpacked
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", "0" * 32)
    with pytest.raises(RuntimeError, match="MD5 mismatch"):
        datasets.CIFAR10(str(tmp_path / "other"), download=True)
    evil, md5 = _archive({"cifar-10-batches-py/../../escape.txt": b"x"})
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: _Response(evil))
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", md5)
    with pytest.raises(RuntimeError, match="unexpected member"):
        datasets.CIFAR10(str(tmp_path / "third"), download=True)
    assert not (tmp_path / "escape.txt").exists()


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_loading_a_batch_never_runs_code(tmp_path):
    marker = str(tmp_path / "pwned")
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({"data": _Evil(marker), "labels": [1]}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load 'posix.mkdir'|refusing to "
                                                     "load 'nt.mkdir'"):
        load_pickled_batch(str(path))
    assert not os.path.exists(marker)
    path.write_bytes(pickle.dumps({"data": np.array([object()], dtype=object)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="Python objects cannot be loaded"):
        load_pickled_batch(str(path))
    path.write_bytes(pickle.dumps([1, 2], protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="expected a dict, got list"):
        load_pickled_batch(str(path))
    path.write_bytes(b"\x80\x02}q\x00(X")
    with pytest.raises(pickle.UnpicklingError, match="not a valid pickled batch"):
        load_pickled_batch(str(path))


# -- an unchanged torchvision program ------------------------------------------------------------

def test_torchvision_program_runs_through_numtorch_run(tmp_path):
    fake = make_mnist(str(tmp_path / "data"), n_train=6, n_test=2, seed=9)
    prog = os.path.join(HERE, "torchvision_mnist_program.py")
    p = subprocess.run([sys.executable, "-m", "numtorch.run", prog, str(tmp_path / "data")],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "numtorch numtorch.vision numtorch.vision.transforms"
    assert lines[1] == "6 torch.Size([6, 28, 28]) torch.uint8"
    assert lines[2] == "torch.Size([4, 1, 28, 28]) torch.float32 torch.Size([4])"
    images, labels = fake["train"]
    want = (images[0].astype(np.float32) / np.float32(255) - np.float32(0.5)) / np.float32(0.5)
    assert lines[3] == f"{float(want[14, 14]):.6f} {int(labels[0])}"
    assert lines[4] == "torch.Size([3, 32, 62])"
    assert (tmp_path / "grid.png").is_file() == (lines[5] == "saved")
    assert lines[6] == "ModuleNotFoundError numtorch does not implement torchvision.models yet"


def test_run_install_maps_torchvision_in_process():
    from numtorch import run
    run.install()
    try:
        import torchvision
        import torchvision.transforms.functional as TF
        from torchvision.utils import make_grid
        assert torchvision.__name__ == "numtorch.vision"
        assert TF.hflip is numtorch.vision.transforms.functional.hflip
        assert make_grid is numtorch.vision.utils.make_grid
        with pytest.raises(ModuleNotFoundError,
                           match="numtorch does not implement torchvision.io yet"):
            import torchvision.io  # noqa: F401
    finally:
        run.uninstall()
    assert not [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]
