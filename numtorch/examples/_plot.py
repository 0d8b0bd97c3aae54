"""Plotting for the examples: matplotlib figures saved as PNG, skipped when matplotlib is missing.

Figures are made with :class:`matplotlib.figure.Figure` directly (no pyplot), so no
window opens and no GUI backend is needed.
"""
from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence

import numpy as np

__all__ = ["Plots", "have_matplotlib"]

SPECIES = ("setosa", "versicolor", "virginica")


def have_matplotlib() -> bool:
    """True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
    except ImportError:
        return False
    return True


class Plots:
    """Makes and saves an example's figures into ``out_dir`` as ``<prefix>_<name>.png``.

    ``enabled`` is False when matplotlib is missing or plots were turned off; then
    every method is a no-op and :attr:`paths` stays empty.
    """

    def __init__(self, out_dir: str, prefix: str, enabled: bool = True) -> None:
        self.out_dir = out_dir
        self.prefix = prefix
        self.enabled = enabled and have_matplotlib()
        self.paths: List[str] = []

    # -- plumbing ---------------------------------------------------------------------
    def figure(self, figsize: Sequence[float] = (5.0, 3.6)) -> Any:
        from matplotlib.figure import Figure

        return Figure(figsize=tuple(figsize), dpi=100)

    def save(self, fig: Any, name: str) -> str:
        os.makedirs(self.out_dir, exist_ok=True)
        path = os.path.join(self.out_dir, f"{self.prefix}_{name}.png")
        fig.tight_layout()
        fig.savefig(path)
        self.paths.append(path)
        return path

    # -- the figures the examples draw ------------------------------------------------------
    def loss_curve(self, losses: Sequence[float], title: str, xlabel: str = "epoch",
                   ylabel: str = "loss", log: bool = False, name: str = "loss") -> Optional[str]:
        """Loss against epoch (or step)."""
        if not self.enabled:
            return None
        fig = self.figure()
        ax = fig.add_subplot(111)
        ax.plot(np.arange(1, len(losses) + 1), np.asarray(losses, dtype=float), color="C0")
        if log:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        return self.save(fig, name)

    def yy(self, y_true: np.ndarray, y_pred: np.ndarray, title: str, label: str,
           name: str = "yy") -> Optional[str]:
        """The y-y plot: predicted against true values, with the diagonal y = x."""
        if not self.enabled:
            return None
        y_true = np.asarray(y_true, dtype=float).ravel()
        y_pred = np.asarray(y_pred, dtype=float).ravel()
        lo = min(y_true.min(), y_pred.min())
        hi = max(y_true.max(), y_pred.max())
        pad = 0.05 * (hi - lo)
        fig = self.figure((4.2, 4.0))
        ax = fig.add_subplot(111)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.5", lw=1, ls="--")
        ax.scatter(y_true, y_pred, s=14, alpha=0.7, color="C0")
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_aspect("equal")
        ax.set_xlabel(f"true {label}")
        ax.set_ylabel(f"predicted {label}")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        return self.save(fig, name)

    def scatter_classes(self, points: np.ndarray, labels: np.ndarray, title: str,
                        names: Sequence[str] = SPECIES, xlabel: str = "z1", ylabel: str = "z2",
                        name: str = "latent") -> Optional[str]:
        """2-D points coloured by class."""
        if not self.enabled:
            return None
        points = np.asarray(points, dtype=float)
        labels = np.asarray(labels)
        fig = self.figure((4.6, 4.0))
        ax = fig.add_subplot(111)
        for k, cls in enumerate(names):
            m = labels == k
            ax.scatter(points[m, 0], points[m, 1], s=16, alpha=0.75, color=f"C{k}", label=cls)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend()
        ax.grid(True, alpha=0.3)
        return self.save(fig, name)

    def digits(self, images: np.ndarray, shape: Sequence[int], predicted: np.ndarray,
               true: np.ndarray, title: str, name: str = "digits", cols: int = 8) -> Optional[str]:
        """A grid of digit images, each titled with its predicted label (red when wrong)."""
        if not self.enabled:
            return None
        n = len(images)
        rows = (n + cols - 1) // cols
        fig = self.figure((1.1 * cols, 1.25 * rows + 0.4))
        for i in range(n):
            ax = fig.add_subplot(rows, cols, i + 1)
            ax.imshow(np.asarray(images[i]).reshape(shape), cmap="gray_r", interpolation="nearest")
            ok = int(predicted[i]) == int(true[i])
            ax.set_title(f"pred {int(predicted[i])}" + ("" if ok else f" (true {int(true[i])})"),
                         fontsize=8, color="black" if ok else "red")
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle(title, fontsize=10)
        return self.save(fig, name)


    def image_grid(self, rows: Sequence[Sequence[np.ndarray]], title: str, name: str,
                   row_labels: Optional[Sequence[str]] = None,
                   captions: Optional[Sequence[Sequence[str]]] = None, cmap: str = "gray",
                   symmetric: bool = False, size: float = 1.0) -> Optional[str]:
        """Rows of 2-D images (e.g. a layer's filters or feature maps), each scaled to its own
        range (``symmetric``: centred on zero, for signed weights). A row is drawn as one
        mosaic (one axes, not one per image: many subplots make a slow figure)."""
        if not self.enabled:
            return None
        import matplotlib

        cols = max(len(r) for r in rows)
        fig = self.figure((size * cols + (0.9 if row_labels else 0.3), size * len(rows) + 0.5))
        colours = matplotlib.colormaps[cmap].with_extremes(bad="white")
        for r, row in enumerate(rows):
            ax = fig.add_subplot(len(rows), 1, r + 1)
            tile = max(np.shape(img)[1] for img in row)
            gap = max(1, tile // 10)
            ax.imshow(_mosaic(row, gap, symmetric), cmap=colours, vmin=-1 if symmetric else 0,
                      vmax=1, interpolation="nearest")
            ax.set_anchor("W")
            ax.set_yticks([])
            if captions is not None:
                ax.set_xticks([(tile + gap) * c + (tile - 1) / 2 for c in range(len(row))])
                ax.set_xticklabels(captions[r], fontsize=7)
                ax.tick_params(length=0)
            else:
                ax.set_xticks([])
            if row_labels is not None:
                ax.set_ylabel(row_labels[r], fontsize=8)
            for side in ax.spines.values():
                side.set_visible(False)
        fig.suptitle(title, fontsize=10)
        return self.save(fig, name)


def _mosaic(images: Sequence[np.ndarray], gap: int, symmetric: bool) -> np.ndarray:
    """Images side by side, ``gap`` NaN columns apart, each scaled to [0, 1] (``symmetric``:
    to [-1, 1] by its largest magnitude)."""
    h = max(np.shape(img)[0] for img in images)
    w = max(np.shape(img)[1] for img in images)
    out = np.full((h, len(images) * (w + gap) - gap), np.nan)
    for c, img in enumerate(images):
        img = np.asarray(img, dtype=float)
        if symmetric:
            img = img / (np.abs(img).max() or 1.0)
        else:
            lo, hi = img.min(), img.max()
            img = (img - lo) / ((hi - lo) or 1.0)
        out[:img.shape[0], c * (w + gap):c * (w + gap) + img.shape[1]] = img
    return out
