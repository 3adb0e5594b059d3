"""Drawing primitives the pictures are made of: one image, a grid of printed values, colour scales for weights,
a grid of square panels, and the argument checks they share."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

__all__ = [
    "MIN_FONTSIZE",
    "centred_norm",
    "common_factor",
    "display_range",
    "draw_values",
    "fit_fontsize",
    "gray_2d",
    "grid",
    "show_image",
    "to_numpy",
    "value_formatter",
]

#: Values that would need a smaller font than this (points) are not printed, unless a fontsize is given.
MIN_FONTSIZE = 6.0


def to_numpy(value: Any, name: str) -> np.ndarray:
    """np.asarray with a message naming the argument when it is not numeric."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype} (shape {array.shape})")
    return array


def gray_2d(image: Any, name: str) -> np.ndarray:
    """(H, W) or (H, W, 1) -> (H, W); anything else is a ValueError naming the shape."""
    array = to_numpy(image, name)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(f"{name} must be a grayscale image of shape (H, W) or (H, W, 1), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    return array


def display_range(array: np.ndarray) -> tuple[float | None, float | None]:
    """uint8 images are shown on their full 0-255 scale, booleans on 0-1, everything else stretched."""
    if array.dtype == np.uint8:
        return 0, 255
    if array.dtype == bool:
        return 0, 1
    return None, None


def _colour_for_display(array: np.ndarray) -> np.ndarray:
    """(H, W, 3 or 4) -> values imshow draws without clipping: floats in [0, 1], integers as uint8."""
    if array.dtype.kind == "f":
        if np.nanmax(array) > 1.0:  # a float image on the 0-255 scale
            array = array / 255.0
        return np.clip(array, 0.0, 1.0)
    return np.clip(array, 0, 255).astype(np.uint8)


def value_formatter(values: np.ndarray, fmt: str | None) -> Callable[[Any], str]:
    """Format for one value: ``fmt`` ('.2f' or '{:.2f}'), else whole numbers or 2-3 decimals."""
    if fmt is not None:
        return (lambda v: fmt.format(v)) if "{" in fmt else (lambda v: format(v, fmt))
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if finite.size == 0 or np.all(finite == np.round(finite)):
        return lambda v: f"{float(v) + 0.0:.0f}"  # + 0.0 turns -0.0 into 0.0
    nonzero = np.abs(finite[finite != 0])
    decimals = 3 if nonzero.size and nonzero.min() < 0.01 else 2
    return lambda v: f"{float(v) + 0.0:.{decimals}f}"


def fit_fontsize(ax: Axes, shape: tuple[int, int], longest: int) -> float:
    """A font size that fits the longest printed value inside one pixel cell of ``ax``."""
    box = ax.get_position()
    width_in = box.width * ax.figure.get_figwidth()
    height_in = box.height * ax.figure.get_figheight()
    cell_pt = 72 * min(width_in / shape[1], height_in / shape[0])
    size = min(0.38 * cell_pt, cell_pt / max(longest, 1), 14.0)  # a digit is about 0.6 of the size wide
    return max(size, 4.0)


def _index_ticks(ax: Axes, shape: tuple[int, int], fontsize: float) -> None:
    """Row indices on the left, column indices on top."""
    height, width = shape
    ax.set_xticks(range(0, width, max(1, math.ceil(width / 16))))
    ax.set_yticks(range(0, height, max(1, math.ceil(height / 16))))
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("column", fontsize=fontsize)
    ax.set_ylabel("row", fontsize=fontsize)
    ax.tick_params(labelsize=fontsize, length=2)


def draw_values(
    ax: Axes,
    values: np.ndarray,
    *,
    cmap: str,
    norm: Normalize,
    fmt: str | None = None,
    fontsize: float | None = None,
    indices: bool = True,
    numbers: bool = True,
) -> None:
    """Draw (H, W) ``values`` as pixels, print each value in its cell (NaN cells stay blank and pale)."""
    masked = np.ma.masked_invalid(values.astype(float))
    colormap = plt.get_cmap(cmap).with_extremes(bad="#f4efe1")
    norm.autoscale_None(masked)
    ax.imshow(masked, cmap=colormap, norm=norm, interpolation="nearest")
    fmt_one = value_formatter(values, fmt)
    python_value = int if values.dtype.kind in "biu" else float
    labels = {index: fmt_one(python_value(v)) for index, v in np.ndenumerate(values) if np.isfinite(v)}
    longest = max((len(text) for text in labels.values()), default=1)
    size = fontsize if fontsize is not None else fit_fontsize(ax, values.shape, longest)
    if numbers and (fontsize is not None or size >= MIN_FONTSIZE):
        rgba = colormap(norm(masked))
        for (row, col), text in labels.items():
            red, green, blue, _ = rgba[row, col]
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
            ax.text(col, row, text, ha="center", va="center", fontsize=size, color="black" if light else "white")
    height, width = values.shape
    ax.vlines(np.arange(0.5, width - 1), -0.5, height - 0.5, colors="0.55", linewidth=0.6)  # lines between pixels
    ax.hlines(np.arange(0.5, height - 1), -0.5, width - 0.5, colors="0.55", linewidth=0.6)
    if indices:
        _index_ticks(ax, values.shape, fontsize=min(max(size, 7.0), 10.0))
    else:
        ax.set_xticks([])
        ax.set_yticks([])


def centred_norm(values: np.ndarray) -> Normalize:
    """A colour scale symmetric around 0, so positive and negative weights read at a glance."""
    largest = float(np.nanmax(np.abs(values))) if values.size else 0.0
    largest = 1.25 * largest if largest > 0 else 1.0  # headroom: the largest weight is strong, not black
    return Normalize(vmin=-largest, vmax=largest)


def common_factor(kernel: np.ndarray) -> int | None:
    """n when kernel == (1/n) * integers with 1 < n <= 1024 (box and Gaussian blurs), else None."""
    nonzero = np.abs(kernel[kernel != 0]).astype(float)
    if kernel.dtype.kind != "f" or nonzero.size == 0:
        return None
    factor = round(1.0 / nonzero.min())
    scaled = kernel * factor
    whole = np.allclose(scaled, np.round(scaled), atol=1e-6) and not np.allclose(kernel, np.round(kernel))
    return factor if 1 < factor <= 1024 and whole else None


def grid(count: int, ncols: int, size: float, rows_per_item: int = 1) -> tuple[Figure, np.ndarray]:
    """A figure with ceil(count / ncols) * rows_per_item rows of square panels; axes as a 2-D array."""
    if ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols) * rows_per_item
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False, layout="constrained")
    return fig, axes


def show_image(
    image: Any,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str | None = None,
    *,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Draw one image without ticks: (H, W) or (H, W, 1) gray, (H, W, 3) colour; uint8 or float."""
    array = to_numpy(image, "image")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4), layout="constrained")
    if array.ndim == 2:
        low, high = display_range(array)
        ax.imshow(
            array.astype(float) if array.dtype == bool else array,
            cmap=cmap or "gray",
            vmin=low if vmin is None else vmin,
            vmax=high if vmax is None else vmax,
            interpolation="nearest",
        )
    elif array.ndim == 3 and array.shape[-1] in (3, 4):
        ax.imshow(_colour_for_display(array), interpolation="nearest")
    else:
        raise ValueError(f"image must have shape (H, W), (H, W, 1) or (H, W, 3), got shape {array.shape}")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return ax
