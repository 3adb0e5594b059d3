"""Pictures for the lessons: images, pixel values, kernels, feature maps, and what training produced
(learning curves, a confusion matrix, the most confidently wrong images, first-layer filters).

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
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

__all__ = [
    "show_before_after",
    "show_confusion_matrix",
    "show_feature_maps",
    "show_filters",
    "show_image",
    "show_image_values",
    "show_images",
    "show_kernel_gallery",
    "show_misclassified",
    "show_training_curves",
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


# --------------------------------------------------------------------------- after training


def _history_dict(run: str, history: Any) -> Mapping[str, Any]:
    """The dict of per-epoch lists inside a keras History (``.history``), or the dict itself."""
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping):
        raise ValueError(
            f"histories[{run!r}] must be a keras History (what model.fit returns) or a dict of lists such as "
            f"{{'loss': [...], 'val_loss': [...]}}, got {type(history).__name__}"
        )
    return data


def _curve(run: str, data: Mapping[str, Any], key: str) -> np.ndarray:
    values = _to_numpy(data[key], f"histories[{run!r}][{key!r}]").astype(float).ravel()
    if values.size == 0:
        raise ValueError(f"histories[{run!r}][{key!r}] is empty: train for at least one epoch")
    return values


def _format_metric(metric: str, value: float) -> str:
    """Accuracies as percentages (0.912 -> 91.2%), everything else with 3 significant digits."""
    if "acc" in metric and 0.0 <= value <= 1.0:
        return f"{value:.1%}"
    return f"{value:.3g}"


def _epoch_ticks(epochs: int) -> list[int]:
    """Epoch 1, then round numbers up to the last epoch (1, 2, ..., 10 or 1, 5, 10, 15, 20, ...)."""
    step = max(1, int(MaxNLocator(nbins=8, integer=True, steps=[1, 2, 5, 10]).tick_values(0, epochs)[1]))
    return [1] + [t for t in range(step, epochs + 1, step) if t - 1 >= step / 2]


def _spread(values: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label heights near ``values``, at least ``gap`` apart and inside [low, high], in the original order."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed: list[float] = []
    for i in order:
        placed.append(max(values[i], placed[-1] + gap) if placed else values[i])
    overflow = placed[-1] - high if placed else 0.0
    if overflow > 0:
        placed = [max(y - overflow, low) for y in placed]
    result = [0.0] * len(values)
    for i, y in zip(order, placed):
        result[i] = y
    return result


def show_training_curves(
    histories: Mapping[str, Any],
    metrics: Sequence[str] = ("loss", "accuracy"),
    title: str | None = None,
) -> Figure:
    """Learning curves of one or more training runs, one panel per metric.

    ``histories`` maps a run name to what ``model.fit`` returned (a keras History) or to a dict of per-epoch
    lists such as ``{"loss": [...], "val_loss": [...]}``. Each run has one colour: training solid, validation
    (``val_<metric>``, when recorded) dashed, epochs numbered from 1. The legend reads "<run> · train" and
    "<run> · validation"; the last validation value is written at the end of each dashed curve.
    """
    if not histories:
        raise ValueError("histories is empty: pass a dict such as {'baseline': model.fit(...)}")
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not metrics:
        raise ValueError("metrics is empty: name at least one, e.g. metrics=('loss',)")
    runs = {run: _history_dict(run, history) for run, history in histories.items()}
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray | None]]] = {}
    for run, data in runs.items():
        curves[run] = {}
        for metric in metrics:
            if metric not in data:
                raise ValueError(
                    f"histories[{run!r}] has no {metric!r}; it has {sorted(data)}: compile the model with "
                    f"metrics=[{metric!r}] or pass metrics= with names from that list"
                )
            train = _curve(run, data, metric)
            val = _curve(run, data, f"val_{metric}") if f"val_{metric}" in data else None
            if val is not None and val.size != train.size:
                raise ValueError(
                    f"histories[{run!r}]: {metric!r} has {train.size} epochs but 'val_{metric}' has {val.size}"
                )
            curves[run][metric] = (train, val)
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(5.0 * len(metrics) + 0.5, 4.3), squeeze=False, layout="constrained"
    )
    handles = []
    for column, metric in enumerate(metrics):
        ax = axes[0, column]
        finals = []
        longest = 1
        for index, run in enumerate(runs):
            train, val = curves[run][metric]
            epochs = np.arange(1, train.size + 1)
            longest = max(longest, train.size)
            marker = "o" if train.size <= 30 else None
            colour = f"C{index % 10}"
            style = {"color": colour, "linewidth": 2, "marker": marker, "markersize": 3.5}
            (line,) = ax.plot(epochs, train, linestyle="-", label=f"{run} · train", **style)
            if column == 0:
                handles.append(line)
            if val is not None:
                (dashed,) = ax.plot(epochs, val, linestyle="--", label=f"{run} · validation", **style)
                if column == 0:
                    handles.append(dashed)
                finals.append((float(epochs[-1]), float(val[-1]), colour))
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_xticks(_epoch_ticks(longest))
        ax.grid(alpha=0.3)
        span = max(longest - 1, 1)
        ax.set_xlim(1 - 0.04 * span, longest + (0.2 if finals else 0.04) * span)
        if finals:
            low, high = ax.get_ylim()
            heights = _spread([y for _, y, _ in finals], 0.07 * (high - low), low, high)
            shifted = offset_copy(ax.transData, fig=fig, x=6, y=0, units="points")
            for (x_end, value, colour), height in zip(finals, heights):
                ax.text(
                    x_end,
                    height,
                    _format_metric(metric, value),
                    transform=shifted,
                    color=colour,
                    fontsize=9,
                    fontweight="bold",
                    ha="left",
                    va="center",
                )
            ax.set_ylim(low, high)
    paired = len(handles) == 2 * len(runs)  # every run has a validation curve: one column per run
    fig.legend(
        handles=handles, loc="outside lower center", ncols=max(len(runs), 2) if paired else len(handles), frameon=False
    )
    if title is not None:
        fig.suptitle(title)
    return fig


def _class_labels(values: Any, name: str) -> np.ndarray:
    """(N,) integer class labels; (N, K) probabilities or one-hot rows are refused with the fix."""
    array = _to_numpy(values, name)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim == 2:
        raise ValueError(
            f"{name} has shape {array.shape}: pass one class label per example, shape (N,), "
            f"e.g. {name} = probs.argmax(axis=1)"
        )
    if array.ndim != 1:
        raise ValueError(f"{name} must be class labels of shape (N,), got shape {array.shape}")
    if array.dtype.kind == "f" and not np.all(array == np.round(array)):
        raise ValueError(f"{name} holds non-integer values such as {array[array != np.round(array)][0]!r}")
    return array.astype(int)


def _class_name(label: int, class_names: Sequence[str] | None) -> str:
    return str(label) if class_names is None else str(class_names[label])


def _check_names_cover(labels: np.ndarray, name: str, class_names: Sequence[str] | None) -> None:
    if class_names is None or labels.size == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= len(class_names):
        bad = low if low < 0 else high
        raise ValueError(
            f"{name} holds the label {bad}, but class_names has {len(class_names)} names (0 to {len(class_names) - 1})"
        )


def show_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    class_names: Sequence[str] | None = None,
    normalize: bool = False,
    title: str | None = None,
) -> Figure:
    """Confusion matrix of class labels (rows: true class, columns: predicted class), counts in the cells.

    ``y_true`` and ``y_pred`` are (N,) integer labels (use ``probs.argmax(axis=1)`` for predictions).
    With ``class_names`` the classes are 0 .. len(class_names) - 1, otherwise those that occur. With
    ``normalize=True`` each row is divided by its count: the cells show the percentage of each true class.
    The title gives the accuracy, the diagonal's share of all examples.
    """
    from sklearn.metrics import confusion_matrix  # imported here: sklearn is slow to import

    true = _class_labels(y_true, "y_true")
    pred = _class_labels(y_pred, "y_pred")
    if true.size != pred.size:
        raise ValueError(f"y_true has {true.size} labels but y_pred has {pred.size}: pass one of each per example")
    if true.size == 0:
        raise ValueError("y_true and y_pred are empty")
    _check_names_cover(true, "y_true", class_names)
    _check_names_cover(pred, "y_pred", class_names)
    labels = np.arange(len(class_names)) if class_names is not None else np.union1d(true, pred)
    counts = confusion_matrix(true, pred, labels=labels)
    k = labels.size
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        shown = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
        norm = Normalize(vmin=0.0, vmax=1.0)
        texts = [[_percent(v) for v in row] for row in shown]
    else:
        shown = counts
        norm = Normalize(vmin=0.0, vmax=max(int(counts.max()), 1))
        texts = [[str(int(v)) for v in row] for row in counts]
    side = float(np.clip(0.55 * k + 2.2, 4.0, 11.0))
    fig, ax = plt.subplots(figsize=(side, side), layout="constrained")
    colormap = plt.get_cmap("Blues")
    ax.imshow(shown, cmap=colormap, norm=norm, interpolation="nearest")
    cell_pt = 72 * (side - 1.6) / k
    longest = max(len(t) for row in texts for t in row)
    fontsize = float(np.clip(min(0.42 * cell_pt, 0.85 * cell_pt / (0.62 * longest)), 5.0, 12.0))
    rgba = colormap(norm(shown))
    for row in range(k):
        for col in range(k):
            red, green, blue, _ = rgba[row, col]
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.55
            colour = ("black" if light else "white") if counts[row, col] else "0.6"
            ax.text(
                col,
                row,
                texts[row][col],
                ha="center",
                va="center",
                fontsize=fontsize,
                color=colour,
                fontweight="bold" if row == col else "normal",
            )
    names = [_class_name(int(label), class_names) for label in labels]
    slanted = max(len(name) for name in names) > 3
    ax.set_xticks(range(k), names, rotation=45 if slanted else 0, ha="right" if slanted else "center")
    ax.set_yticks(range(k), names)
    ax.set_xticks(np.arange(-0.5, k), minor=True)
    ax.set_yticks(np.arange(-0.5, k), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.0)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    correct = int(np.trace(counts))
    summary = f"accuracy {correct / true.size:.1%} ({correct} of {true.size} correct)"
    if normalize:
        summary += "; cells: % of the true class"
    ax.set_title(summary if title is None else f"{title}\n{summary}")
    return fig


def _percent(fraction: float) -> str:
    if fraction == 0:
        return "0"
    if fraction < 0.005:
        return "<1%"
    return f"{fraction:.0%}"


def show_misclassified(
    images: Any,
    y_true: Any,
    y_pred: Any,
    probs: Any | None = None,
    n: int = 12,
    class_names: Sequence[str] | None = None,
    ncols: int = 6,
) -> Figure:
    """Up to ``n`` misclassified images, titled "true 7 · predicted 1 (0.98)".

    ``images`` is (N, H, W), (N, H, W, 1) or (N, H, W, 3); ``y_true`` and ``y_pred`` are (N,) labels. With
    ``probs`` (N, K), the model's class probabilities, the images are the most confidently wrong ones: sorted
    by the probability given to the predicted class, highest first, which the title shows. Without ``probs``
    they are the first misclassified images in order.
    """
    pictures = _to_numpy(images, "images")
    if pictures.ndim == 4 and pictures.shape[-1] == 1:
        pictures = pictures[..., 0]
    if pictures.ndim not in (3, 4) or (pictures.ndim == 4 and pictures.shape[-1] not in (3, 4)):
        raise ValueError(
            f"images must be a batch (N, H, W), (N, H, W, 1) or (N, H, W, 3), got shape {np.shape(images)}"
        )
    true = _class_labels(y_true, "y_true")
    pred = _class_labels(y_pred, "y_pred")
    count = pictures.shape[0]
    if true.size != count or pred.size != count:
        single = pictures.ndim == 3 and np.shape(images)[-1] in (1, 3)
        raise ValueError(
            f"images has {count} examples, y_true {true.size} and y_pred {pred.size}: pass one label of each per image"
            + (f" (images of shape {np.shape(images)} looks like a single image: pass the batch)" if single else "")
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got n={n!r}")
    _check_names_cover(true, "y_true", class_names)
    _check_names_cover(pred, "y_pred", class_names)
    wrong = np.flatnonzero(true != pred)
    confidence = None
    if probs is not None:
        confidence = _to_numpy(probs, "probs").astype(float)
        if confidence.ndim != 2 or confidence.shape[0] != count:
            raise ValueError(f"probs must have shape (N, K) with N = {count} images, got shape {confidence.shape}")
        outside = pred[(pred < 0) | (pred >= confidence.shape[1])]
        if outside.size:
            raise ValueError(f"y_pred holds the label {int(outside[0])}, but probs has {confidence.shape[1]} classes")
        wrong = wrong[np.argsort(-confidence[wrong, pred[wrong]], kind="stable")]
    chosen = wrong[:n]
    if chosen.size == 0:
        fig, ax = plt.subplots(figsize=(5, 1.2), layout="constrained")
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"no misclassified images: all {count} predictions are correct", ha="center", va="center")
        return fig
    fig, axes = _grid(chosen.size, ncols, 2.0)
    for ax, index in zip(axes.flat, chosen):
        label = f"true {_class_name(true[index], class_names)} · predicted {_class_name(pred[index], class_names)}"
        if confidence is not None:
            label += f" ({confidence[index, pred[index]]:.2f})"
        show_image(pictures[index], ax=ax, cmap="gray")
        ax.set_title(label, fontsize=8 if len(label) <= 30 else 6.5)
    for ax in list(axes.flat)[chosen.size :]:
        ax.set_axis_off()
    which = "most confidently wrong" if confidence is not None else "first misclassified"
    fig.suptitle(f"the {chosen.size} {which} of {wrong.size} misclassified images (out of {count})")
    return fig


def show_filters(weights: Any, ncols: int = 8, title: str | None = None) -> Figure:
    """First-layer convolution weights (f, f, C_in, K), e.g. ``model.layers[0].get_weights()[0]``: one panel per filter.

    C_in = 1: each filter in a diverging colormap centred at 0 (red positive, blue negative), one scale for all.
    C_in = 3: each filter as a colour picture, after min–max scaling of all weights together to [0, 1], so weak
    filters look weak (gray).
    """
    if isinstance(weights, (list, tuple)):
        raise ValueError(
            f"weights is a {type(weights).__name__} of {len(weights)} arrays (kernel and bias, as get_weights() "
            "returns): pass only the kernel, e.g. layer.get_weights()[0]"
        )
    array = _to_numpy(weights, "weights").astype(float)
    if array.ndim != 4:
        raise ValueError(f"weights must have shape (f, f, C_in, K), got shape {array.shape}")
    height, width, channels, count = array.shape
    if channels not in (1, 3):
        raise ValueError(
            f"weights has C_in = {channels} input channels (shape {array.shape}): show_filters draws first-layer "
            "filters (C_in 1 or 3); for a deeper layer show one input channel, e.g. weights[:, :, c:c+1, :]"
        )
    if count == 0:
        raise ValueError(f"weights has no filters (shape {array.shape})")
    fig, axes = _grid(count, ncols, 1.25)
    image = None
    if channels == 1:
        norm = _centred_norm(array)
        for k, ax in enumerate(axes.flat[:count]):
            image = ax.imshow(array[:, :, 0, k], cmap="RdBu_r", norm=norm, interpolation="nearest")
    else:
        low, high = float(array.min()), float(array.max())
        scaled = (array - low) / (high - low) if high > low else np.full(array.shape, 0.5)
        for k, ax in enumerate(axes.flat[:count]):
            ax.imshow(scaled[..., k], interpolation="nearest")
    for k, ax in enumerate(axes.flat):
        if k < count:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"#{k}", fontsize=8)
        else:
            ax.set_axis_off()
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8, label="weight", fraction=0.04)
    kind = "red positive, blue negative" if channels == 1 else "colours min–max scaled"
    fig.suptitle(title if title is not None else f"{count} filters of {height}×{width}×{channels} ({kind})")
    return fig
