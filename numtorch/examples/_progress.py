"""A progress bar for the examples' training loops: tqdm when installed, a plain one otherwise.

>>> for epoch in progress(range(3), desc="train", enabled=False):
...     pass
"""
from __future__ import annotations

import sys
import time
from typing import Any, Iterable, Iterator, Optional

__all__ = ["progress", "write", "PlainBar"]

_active: list = []  # the PlainBars being drawn on a terminal


class PlainBar:
    """A minimal tqdm stand-in: ``desc  42%|####      | 42/100 [1.2s] loss=0.31`` on stderr.

    On a terminal it redraws one line at most ten times a second; elsewhere (a log
    file, a pipe) it prints a single line when the loop ends.
    """

    def __init__(self, iterable: Iterable[Any], total: Optional[int] = None, desc: str = "",
                 file: Any = None) -> None:
        self.iterable = iterable
        self.total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__")
                                                      else None)
        self.desc = desc
        self.file = file if file is not None else sys.stderr
        self.n = 0
        self.postfix = ""
        self._tty = bool(getattr(self.file, "isatty", lambda: False)())
        self._start = self._last = time.perf_counter()

    def set_postfix(self, refresh: bool = True, **kwargs: Any) -> None:
        self.postfix = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                for k, v in kwargs.items())

    def _line(self) -> str:
        elapsed = time.perf_counter() - self._start
        if self.total:
            frac = min(self.n / self.total, 1.0)
            filled = int(20 * frac)
            bar = f"{100 * frac:3.0f}%|{'#' * filled}{' ' * (20 - filled)}| {self.n}/{self.total}"
        else:
            bar = f"{self.n} it"
        return f"{self.desc}: {bar} [{elapsed:.1f}s] {self.postfix}".rstrip()

    def __iter__(self) -> Iterator[Any]:
        if self._tty:
            _active.append(self)
        for item in self.iterable:
            yield item
            self.n += 1
            if self._tty:
                now = time.perf_counter()
                if now - self._last >= 0.1:
                    self._last = now
                    self.file.write("\r\033[K" + self._line())
                    self.file.flush()
        self.close()

    def close(self) -> None:
        if self in _active:
            _active.remove(self)
        self.file.write(("\r\033[K" if self._tty else "") + self._line() + "\n")
        self.file.flush()


class _Silent:
    """No bar: iterate, accept set_postfix."""

    def __init__(self, iterable: Iterable[Any]) -> None:
        self.iterable = iterable

    def __iter__(self) -> Iterator[Any]:
        return iter(self.iterable)

    def set_postfix(self, refresh: bool = True, **kwargs: Any) -> None:
        pass


def progress(iterable: Iterable[Any], total: Optional[int] = None, desc: str = "",
             enabled: bool = True) -> Any:
    """Wrap ``iterable`` in a progress bar (``tqdm`` if importable, else :class:`PlainBar`).

    The result iterates like ``iterable`` and has ``set_postfix(**values)``.
    """
    if not enabled:
        return _Silent(iterable)
    try:
        from tqdm import tqdm
    except ImportError:
        return PlainBar(iterable, total=total, desc=desc)
    return tqdm(iterable, total=total, desc=desc, dynamic_ncols=True, mininterval=0.1)


def write(message: str) -> None:
    """Print ``message`` to stdout without garbling a progress bar being drawn."""
    try:
        from tqdm import tqdm
    except ImportError:
        for bar in _active:
            bar.file.write("\r\033[K")
            bar.file.flush()
        print(message, flush=True)
        for bar in _active:
            bar.file.write(bar._line())
            bar.file.flush()
        return
    tqdm.write(message, file=sys.stdout)
