"""Pictures for the lessons: images, pixel values, kernels and feature maps.

Every function draws and returns its Figure or Axes. None calls ``plt.show()``: the notebook shows
the figures at the end of the cell (end the line with ``;`` to avoid a second copy of a returned
Figure). Functions that need a convolution take the student's own as ``conv_fn``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

__all__ = [
    "show_before_after",
    "show_feature_maps",
    "show_image",
    "show_image_values",
    "show_images",
    "show_kernel_gallery",
]

#: show_image_values refuses larger images: the printed numbers would be unreadable.
MAX_VALUES_SIDE = 32
#: show_kernel_gallery prints the values of kernels up to this size, and draws larger ones as pictures.
MAX_KERNEL_VALUES_SIDE = 7
#: Values that would need a smaller font than this (points) are not printed, unless a fontsize is given.
MIN_FONTSIZE = 6.0


# --------------------------------------------------------------------------- shared helpers


def _to_numpy(value: Any, name: str) -> np.ndarray:
    """np.asarray with a message naming the argument when it is not numeric."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype} (shape {array.shape})")
    return array


def _gray_2d(image: Any, name: str) -> np.ndarray:
    """(H, W) or (H, W, 1) -> (H, W); anything else is a ValueError naming the shape."""
    array = _to_numpy(image, name)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(f"{name} must be a grayscale image of shape (H, W) or (H, W, 1), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    return array


def _display_range(array: np.ndarray) -> tuple[float | None, float | None]:
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


def _value_formatter(values: np.ndarray, fmt: str | None) -> Callable[[Any], str]:
    """Format for one value: ``fmt`` ('.2f' or '{:.2f}'), else whole numbers or 2-3 decimals."""
    if fmt is not None:
        return (lambda v: fmt.format(v)) if "{" in fmt else (lambda v: format(v, fmt))
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if finite.size == 0 or np.all(finite == np.round(finite)):
        return lambda v: f"{float(v) + 0.0:.0f}"  # + 0.0 turns -0.0 into 0.0
    nonzero = np.abs(finite[finite != 0])
    decimals = 3 if nonzero.size and nonzero.min() < 0.01 else 2
    return lambda v: f"{float(v) + 0.0:.{decimals}f}"


def _fit_fontsize(ax: Axes, shape: tuple[int, int], longest: int) -> float:
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


def _draw_values(
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
    fmt_one = _value_formatter(values, fmt)
    python_value = int if values.dtype.kind in "biu" else float
    labels = {index: fmt_one(python_value(v)) for index, v in np.ndenumerate(values) if np.isfinite(v)}
    longest = max((len(text) for text in labels.values()), default=1)
    size = fontsize if fontsize is not None else _fit_fontsize(ax, values.shape, longest)
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


def _centred_norm(values: np.ndarray) -> Normalize:
    """A colour scale symmetric around 0, so positive and negative weights read at a glance."""
    largest = float(np.nanmax(np.abs(values))) if values.size else 0.0
    largest = 1.25 * largest if largest > 0 else 1.0  # headroom: the largest weight is strong, not black
    return Normalize(vmin=-largest, vmax=largest)


def _common_factor(kernel: np.ndarray) -> int | None:
    """n when kernel == (1/n) * integers with 1 < n <= 1024 (box and Gaussian blurs), else None."""
    nonzero = np.abs(kernel[kernel != 0]).astype(float)
    if kernel.dtype.kind != "f" or nonzero.size == 0:
        return None
    factor = round(1.0 / nonzero.min())
    scaled = kernel * factor
    whole = np.allclose(scaled, np.round(scaled), atol=1e-6) and not np.allclose(kernel, np.round(kernel))
    return factor if 1 < factor <= 1024 and whole else None


def _grid(count: int, ncols: int, size: float, rows_per_item: int = 1) -> tuple[Figure, np.ndarray]:
    """A figure with ceil(count / ncols) * rows_per_item rows of square panels; axes as a 2-D array."""
    if ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols) * rows_per_item
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False, layout="constrained")
    return fig, axes


# --------------------------------------------------------------------------- public functions


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
    array = _to_numpy(image, "image")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4), layout="constrained")
    if array.ndim == 2:
        low, high = _display_range(array)
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


def show_image_values(
    image: Any,
    ax: Axes | None = None,
    title: str | None = None,
    fmt: str | None = None,
    cmap: str = "gray",
    fontsize: float | None = None,
    *,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Draw a small (H, W) or (H, W, 1) image as pixels with each value printed; row 0 at the top."""
    array = _gray_2d(image, "image")
    if max(array.shape) > MAX_VALUES_SIDE:
        raise ValueError(
            f"image of shape {array.shape} is too large to print its values (at most "
            f"{MAX_VALUES_SIDE}x{MAX_VALUES_SIDE}): show a crop such as image[:12, :12], or use show_image"
        )
    if ax is None:
        height, width = array.shape
        cell = min(0.5, 9.0 / width, 9.0 / height)
        figsize = (max(2.5, width * cell + 1.0), max(2.5, height * cell + 1.2))
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    low, high = _display_range(array)
    norm = Normalize(vmin=low if vmin is None else vmin, vmax=high if vmax is None else vmax)
    _draw_values(ax, array, cmap=cmap, norm=norm, fmt=fmt, fontsize=fontsize)
    if title is not None:
        ax.set_title(title)
    return ax


def show_images(
    images: Sequence[Any] | np.ndarray,
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    cmap: str = "gray",
    size: float = 3.0,
) -> Figure:
    """A grid of images: a sequence of (H, W) / (H, W, 3) images, or an array (N, H, W) / (N, H, W, C)."""
    if isinstance(images, np.ndarray) and images.ndim == 2:
        images = [images]
    images = list(images)
    if not images:
        raise ValueError("images is empty: pass at least one image")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    fig, axes = _grid(len(images), ncols, size)
    for index, ax in enumerate(axes.flat):
        if index < len(images):
            show_image(images[index], ax=ax, title=None if titles is None else titles[index], cmap=cmap)
        else:
            ax.set_axis_off()
    return fig


def show_kernel_gallery(
    kernels: Mapping[str, Any],
    image: Any | None = None,
    conv_fn: Callable[[np.ndarray, np.ndarray], Any] | None = None,
    ncols: int = 4,
) -> Figure:
    """Each kernel (f, f) with its values (red positive, blue negative); with ``image`` (H, W), also
    ``conv_fn(image, kernel)`` drawn below each kernel."""
    if not kernels:
        raise ValueError("kernels is empty: pass a mapping such as {'identity': np.array([[0, 0, 0], ...])}")
    if image is not None and conv_fn is None:
        raise ValueError(
            "image was given without conv_fn: pass your 2-D convolution, e.g. conv_fn=conv2d, to filter the image"
        )
    arrays = {name: _to_numpy(kernel, f"kernel {name!r}") for name, kernel in kernels.items()}
    for name, kernel in arrays.items():
        if kernel.ndim != 2:
            raise ValueError(f"kernel {name!r} must be 2-D (f, f), got shape {kernel.shape}")
    picture = None if image is None else _gray_2d(image, "image")
    rows_per_item = 1 if picture is None else 2
    fig, axes = _grid(len(arrays), ncols, 2.4, rows_per_item)
    ncols = axes.shape[1]
    for ax in axes.flat:
        ax.set_axis_off()
    for index, (name, kernel) in enumerate(arrays.items()):
        block, col = divmod(index, ncols)
        ax = axes[block * rows_per_item, col]
        ax.set_axis_on()
        small = max(kernel.shape) <= MAX_KERNEL_VALUES_SIDE
        factor = _common_factor(kernel) if small else None
        shown = kernel if factor is None else np.round(kernel * factor)  # print 1/16 × [[1, 2, 1], ...]
        _draw_values(ax, shown, cmap="RdBu_r", norm=_centred_norm(shown), indices=False, numbers=small)
        scale = "" if factor is None else f" = 1/{factor} ×"
        ax.set_title(f"{name}\nkernel {kernel.shape}{scale}", fontsize=10)
        if picture is not None:
            filtered = np.squeeze(np.asarray(conv_fn(picture, kernel)))
            if filtered.ndim != 2:
                raise ValueError(
                    f"conv_fn(image {picture.shape}, kernel {name!r} {kernel.shape}) returned shape "
                    f"{filtered.shape}; expected a 2-D output (H - f + 1, W - f + 1)"
                )
            below = axes[block * rows_per_item + 1, col]
            below.set_axis_on()
            show_image(filtered, ax=below, cmap="gray")
            below.set_title(f"output {filtered.shape}", fontsize=10)
    return fig


def show_before_after(
    before: Any,
    after: Any,
    titles: tuple[str, str] = ("before", "after"),
    cmap: str = "gray",
) -> Figure:
    """Two images side by side, each titled with its shape, drawn at their relative sizes."""
    first, second = _to_numpy(before, "before"), _to_numpy(after, "after")
    for name, array in (("before", first), ("after", second)):
        if array.ndim not in (2, 3):
            raise ValueError(f"{name} must be an image (H, W) or (H, W, C), got shape {array.shape}")
    widest = max(first.shape[1], second.shape[1])
    widths = [max(first.shape[1], 0.25 * widest), max(second.shape[1], 0.25 * widest)]  # tiny outputs stay visible
    tallest = max(first.shape[0], second.shape[0])
    inches_per_pixel = min(7.0 / sum(widths), 4.5 / tallest)
    figsize = (sum(widths) * inches_per_pixel + 1.0, tallest * inches_per_pixel + 1.0)
    fig, axes = plt.subplots(1, 2, figsize=figsize, layout="constrained", width_ratios=widths)
    for ax, array, title in zip(axes, (first, second), titles):
        show_image(array, ax=ax, title=f"{title}\nshape {array.shape}", cmap=cmap)
    return fig


def show_feature_maps(
    maps: Any,
    ncols: int = 8,
    titles: Sequence[str] | None = None,
    cmap: str = "viridis",
    *,
    size: float = 1.8,
) -> Figure:
    """One panel per channel of feature maps (H, W, K) or (1, H, W, K), each on its own colour scale."""
    array = _to_numpy(maps, "maps")
    if array.ndim == 4:
        if array.shape[0] != 1:
            raise ValueError(
                f"maps has a batch of {array.shape[0]} (shape {array.shape}): pass one example, e.g. maps[0]"
            )
        array = array[0]
    if array.ndim == 2:
        array = array[..., np.newaxis]
    if array.ndim != 3:
        raise ValueError(f"maps must have shape (H, W, K) or (1, H, W, K), got shape {np.shape(maps)}")
    channels = array.shape[-1]
    if titles is not None and len(titles) != channels:
        raise ValueError(f"got {len(titles)} titles for {channels} channels")
    fig, axes = _grid(channels, ncols, size)
    for index, ax in enumerate(axes.flat):
        if index < channels:
            title = f"channel {index}" if titles is None else titles[index]
            show_image(array[..., index].astype(float), ax=ax, cmap=cmap)
            ax.set_title(title, fontsize=9)
        else:
            ax.set_axis_off()
    return fig
