"""What the examples share: their context (output folder, quick mode, progress, plots), result."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from ._plot import Plots
from ._progress import progress, write

__all__ = ["Context", "Result"]

SKIPPED = ("plots skipped: matplotlib is not installed "
           "(pip install \"numtorch[examples]\" to get them)")


@dataclass
class Result:
    """An example's summary: the final loss, an accuracy where it has one, time and plots."""

    name: str
    final_loss: float
    seconds: float = 0.0
    accuracy: Optional[float] = None
    metrics: Dict[str, Any] = field(default_factory=dict)
    plots: List[str] = field(default_factory=list)
    plots_skipped: bool = False

    def summary(self) -> str:
        parts = [f"final loss {self.final_loss:.6g}"]
        if self.accuracy is not None:
            parts.append(f"accuracy {100 * self.accuracy:.2f}%")
        for k, v in self.metrics.items():
            if isinstance(v, float):
                v = f"{100 * v:.2f}%" if k.endswith("accuracy") else f"{v:.6g}"
            parts.append(f"{k.replace('_', ' ')} {v}")
        parts.append(f"time {self.seconds:.2f} s")
        return ", ".join(parts)


class Context:
    """Passed to each example's ``run``: where to write, how long to train, what to show.

    ``quick=True`` trains for a few steps only (for tests); ``show_progress`` turns the
    progress bars on or off; ``plots=False`` skips the figures.
    """

    def __init__(self, name: str, out_dir: str = "numtorch-out", quick: bool = False,
                 show_progress: bool = True, plots: bool = True, verbose: bool = True) -> None:
        self.name = name
        self.out_dir = out_dir
        self.quick = quick
        self.show_progress = show_progress
        self.verbose = verbose
        self.plots = Plots(out_dir, name.replace("-", "_"), enabled=plots)
        self.plots_wanted = plots
        self._start = time.perf_counter()

    def epochs(self, full: int, quick: int = 3) -> int:
        """``full`` normally, ``quick`` in quick mode."""
        return quick if self.quick else full

    def progress(self, iterable: Iterable[Any], desc: str = "train", total: Optional[int] = None
                 ) -> Any:
        return progress(iterable, total=total, desc=f"{self.name} {desc}",
                        enabled=self.show_progress)

    def print(self, *args: Any) -> None:
        if self.verbose:
            write(" ".join(str(a) for a in args))

    def finish(self, final_loss: float, accuracy: Optional[float] = None,
               **metrics: Any) -> Result:
        """Build the :class:`Result`, print the summary and the plots' paths."""
        res = Result(self.name, float(final_loss), time.perf_counter() - self._start,
                     None if accuracy is None else float(accuracy), dict(metrics),
                     list(self.plots.paths), self.plots_wanted and not self.plots.enabled)
        self.print(f"[{self.name}] {res.summary()}")
        for p in res.plots:
            self.print(f"[{self.name}] saved {p}")
        if res.plots_skipped:
            self.print(f"[{self.name}] {SKIPPED}")
        return res
