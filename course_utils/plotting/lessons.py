"""The lessons' pictures: an image's pixel values, a grid of images, kernels and what they do, an image before and
after an operation, feature maps. Functions that need a convolution take the student's own as ``conv_fn``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from course_utils.plotting.primitives import (
    centred_norm,
    common_factor,
    display_range,
    draw_values,
    gray_2d,
    grid,
    show_image,
    to_numpy,
)

__all__ = ["show_before_after", "show_feature_maps", "show_image_values", "show_images", "show_kernel_gallery"]

#: show_image_values refuses larger images: the printed numbers would be unreadable.
MAX_VALUES_SIDE = 32
#: show_kernel_gallery prints the values of kernels up to this size, and draws larger ones as pictures.
MAX_KERNEL_VALUES_SIDE = 7


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
    array = gray_2d(image, "image")
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
    low, high = display_range(array)
    norm = Normalize(vmin=low if vmin is None else vmin, vmax=high if vmax is None else vmax)
    draw_values(ax, array, cmap=cmap, norm=norm, fmt=fmt, fontsize=fontsize)
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
    fig, axes = grid(len(images), ncols, size)
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
    arrays = {name: to_numpy(kernel, f"kernel {name!r}") for name, kernel in kernels.items()}
    for name, kernel in arrays.items():
        if kernel.ndim != 2:
            raise ValueError(f"kernel {name!r} must be 2-D (f, f), got shape {kernel.shape}")
    picture = None if image is None else gray_2d(image, "image")
    rows_per_item = 1 if picture is None else 2
    fig, axes = grid(len(arrays), ncols, 2.4, rows_per_item)
    ncols = axes.shape[1]
    for ax in axes.flat:
        ax.set_axis_off()
    for index, (name, kernel) in enumerate(arrays.items()):
        block, col = divmod(index, ncols)
        ax = axes[block * rows_per_item, col]
        ax.set_axis_on()
        small = max(kernel.shape) <= MAX_KERNEL_VALUES_SIDE
        factor = common_factor(kernel) if small else None
        shown = kernel if factor is None else np.round(kernel * factor)  # print 1/16 × [[1, 2, 1], ...]
        draw_values(ax, shown, cmap="RdBu_r", norm=centred_norm(shown), indices=False, numbers=small)
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
    first, second = to_numpy(before, "before"), to_numpy(after, "after")
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
    array = to_numpy(maps, "maps")
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
    fig, axes = grid(channels, ncols, size)
    for index, ax in enumerate(axes.flat):
        if index < channels:
            title = f"channel {index}" if titles is None else titles[index]
            show_image(array[..., index].astype(float), ax=ax, cmap=cmap)
            ax.set_title(title, fontsize=9)
        else:
            ax.set_axis_off()
    return fig
