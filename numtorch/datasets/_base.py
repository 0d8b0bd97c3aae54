"""Small helpers shared by the dataset modules (no dependency beyond NumPy)."""
from __future__ import annotations

from typing import Any

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
