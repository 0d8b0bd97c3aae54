"""Small helpers shared by the dataset modules (no dependency beyond NumPy)."""
from __future__ import annotations

import hashlib
from typing import Any, Tuple

try:  # the core's Dataset base class, when it is there
    from numtorch.utils.data import Dataset as _DatasetBase
except Exception:  # pragma: no cover - depends on the core's progress
    _DatasetBase = object  # type: ignore[assignment,misc]


class Bunch(dict):
    """A dict whose keys are also attributes, like scikit-learn's ``Bunch``.

    >>> b = Bunch(data=[1, 2], target=[0, 1])
    >>> b.data
    [1, 2]
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __dir__(self) -> list[str]:
        return list(self.keys())


def file_md5(path: str) -> str:
    """The MD5 hex digest of a file, read in 1 MiB chunks (to check a download)."""
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def apply_transforms(dataset: Any, image: Any, target: Any) -> Tuple[Any, Any]:
    """A dataset item: ``dataset.transform`` applied to the image and ``dataset.target_transform``
    to the target, each when set (torchvision's rule)."""
    if dataset.transform is not None:
        image = dataset.transform(image)
    if dataset.target_transform is not None:
        target = dataset.target_transform(target)
    return image, target
