"""Interactive pictures: slide a kernel over an image and watch the output map fill in.

Live with ipywidgets in a notebook; a static Figure wherever no widget can run (the grader, plain
Python, an exported notebook, or ``COURSE_STATIC_WIDGETS=1``).
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from scipy.signal import correlate2d

from course_utils.plotting import MIN_FONTSIZE, _centred_norm, _common_factor, _draw_values, _value_formatter

__all__ = ["convolution_explorer", "has_live_frontend"]

#: The image panel prints pixel values up to this size; larger images are drawn without numbers.
MAX_VALUES_SIDE = 16
PANEL_WIDTH, PANEL_HEIGHT = 3.8, 4.1  # inches, one row of three panels
WINDOW_COLOUR = "#ff7f0e"


def has_live_frontend() -> bool:
    """True when widgets can run: ipywidgets installed, inside an IPython kernel, not under the grader."""
    if os.environ.get("NBGRADER_EXECUTION") or os.environ.get("COURSE_STATIC_WIDGETS") == "1":
        return False
    try:
        import IPython
        import ipywidgets  # noqa: F401 - only checking that it is installed
    except ImportError:
        return False
    shell = IPython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _validate(image: Any, kernel: Any, stride: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check the explorer's arguments; ValueError names the argument and the shape seen."""
    image, kernel = np.asarray(image), np.asarray(kernel)
    for name, array in (("image", image), ("kernel", kernel)):
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{name} must hold numbers, got dtype {array.dtype} (shape {array.shape})")
        if array.ndim != 2 or array.size == 0:
            raise ValueError(f"{name} must be a non-empty 2-D array, got shape {array.shape}")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"kernel of shape {kernel.shape} is larger than the image of shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    return image, kernel


def _positions(image_shape: tuple[int, int], kernel_shape: tuple[int, int], stride: int) -> tuple[int, int]:
    """Number of window positions down and across (no padding)."""
    return tuple((size - f) // stride + 1 for size, f in zip(image_shape, kernel_shape))


def _weight_text(weights: np.ndarray) -> Callable[[float], str]:
    """How to print one weight: '1/9' for blur kernels, so the products visibly add up; else like any value."""
    factor = _common_factor(weights)
    if factor is None:
        return _value_formatter(weights, None)
    return lambda weight: f"{round(weight * factor)}/{factor}"


def _label_factors(ax: Axes, window: np.ndarray, weights: np.ndarray) -> None:
    """Write "pixel × weight" above each product already printed in ``ax``, when there is room."""
    labels = list(ax.texts)
    if max(weights.shape) > 5 or len(labels) != weights.size or 0.6 * labels[0].get_fontsize() < MIN_FONTSIZE:
        return
    pixel_text, weight_text = _value_formatter(window, None), _weight_text(weights)
    for text, (r, c) in zip(labels, np.ndindex(weights.shape)):
        text.set_y(r + 0.15)
        weight = weight_text(weights[r, c])
        factors = f"{pixel_text(window[r, c])} × {f'({weight})' if weight.startswith('-') else weight}"
        ax.text(
            c, r - 0.22, factors, ha="center", va="center", fontsize=0.6 * text.get_fontsize(), color=text.get_color()
        )


def _draw_step(axes: Sequence[Axes], image: np.ndarray, kernel: np.ndarray, stride: int, step: int) -> None:
    """Draw window position ``step`` (row-major): the window, window × kernel, the output so far."""
    ax_image, ax_products, ax_output = axes
    for ax in axes:
        ax.clear()
    f_h, f_w = kernel.shape
    out_h, out_w = _positions(image.shape, kernel.shape, stride)
    pixels, weights = image.astype(float), kernel.astype(float)
    # Every output value, for a colour scale that stays put while stepping. SciPy computes it, so this
    # module holds no convolution loop that a student could lift for the lesson's exercise.
    sums = correlate2d(pixels, weights, mode="valid")[::stride, ::stride]
    row, col = divmod(step, out_w)
    top, left = row * stride, col * stride
    products = pixels[top : top + f_h, left : left + f_w] * weights
    total = _value_formatter(sums, None)(products.sum())

    low, high = (0, 255) if image.dtype == np.uint8 else (None, None)
    small = max(image.shape) <= MAX_VALUES_SIDE
    _draw_values(ax_image, image, cmap="gray", norm=Normalize(low, high), numbers=small)
    ax_image.add_patch(Rectangle((left - 0.5, top - 0.5), f_w, f_h, fill=False, edgecolor=WINDOW_COLOUR, lw=3))
    ax_image.set_title(
        f"image {image.shape}\nwindow: rows {top}–{top + f_h - 1}, cols {left}–{left + f_w - 1}", fontsize=10
    )

    largest = np.abs(pixels).max() * np.abs(weights).max()
    _draw_values(ax_products, products, cmap="RdBu_r", norm=_centred_norm(np.array([largest])), indices=False)
    _label_factors(ax_products, pixels[top : top + f_h, left : left + f_w], weights)
    ax_products.set_title(f"window × kernel (element-wise)\nsum = {total}", fontsize=10)

    so_far = np.where(np.arange(sums.size).reshape(sums.shape) <= step, sums, np.nan)
    _draw_values(ax_output, so_far, cmap="gray", norm=Normalize(sums.min(), sums.max()), fmt=None)
    ax_output.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=WINDOW_COLOUR, lw=3))
    ax_output.set_title(f"output {sums.shape}, stride {stride}\noutput[{row}, {col}] = {total}", fontsize=10)


def _static_explorer(image: np.ndarray, kernel: np.ndarray, stride: int) -> Figure:
    """The first, a middle and the last window positions, one row of three panels each."""
    out_h, out_w = _positions(image.shape, kernel.shape, stride)
    count = out_h * out_w
    steps = sorted({0, count // 2, count - 1})
    fig, axes = plt.subplots(
        len(steps), 3, figsize=(3 * PANEL_WIDTH, len(steps) * PANEL_HEIGHT), squeeze=False, layout="constrained"
    )
    for row, step in zip(axes, steps):
        _draw_step(row, image, kernel, stride, step)
    fig.suptitle(f"kernel {kernel.shape} over image {image.shape}, stride {stride}: positions {steps} of 0–{count - 1}")
    # Shown by being the cell's last expression, like the live widget. Closing it keeps the inline
    # backend from drawing it a second time at the end of the cell; the Figure itself stays usable.
    plt.close(fig)
    return fig


def _live_explorer(image: np.ndarray, kernel: np.ndarray, stride: int) -> Any:
    """A slider over the window positions and an Output showing the three panels for the current one."""
    import ipywidgets as widgets

    out_h, out_w = _positions(image.shape, kernel.shape, stride)
    last = out_h * out_w - 1
    fig = Figure(figsize=(3 * PANEL_WIDTH, PANEL_HEIGHT), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3)
    slider = widgets.IntSlider(value=0, min=0, max=last, description="position", continuous_update=False)
    play = widgets.Play(value=0, min=0, max=last, interval=800, description="play")
    widgets.jslink((play, "value"), (slider, "value"))
    output = widgets.Output()

    def redraw(change: Any = None) -> None:
        _draw_step(axes, image, kernel, stride, slider.value)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90)
        picture = base64.b64encode(buffer.getvalue()).decode("ascii")
        output.outputs = (
            {
                "output_type": "display_data",
                "data": {"image/png": picture, "text/plain": f"convolution explorer, position {slider.value}"},
                "metadata": {},
            },
        )

    slider.observe(redraw, names="value")
    redraw()
    fig.set_layout_engine("none")  # keep the first layout: redrawing on each step is then about twice as fast
    box = widgets.VBox([widgets.HBox([play, slider]), output])
    box.figure = fig  # the drawn Figure, for inspection and tests
    return box


def convolution_explorer(image: Any, kernel: Any, stride: int = 1, static: bool | None = None) -> Any:
    """Slide ``kernel`` (f, f) over a small ``image`` (H, W) with ``stride``: the window, the products and
    their sum, and the output map so far. Returns an ipywidgets.VBox when live, else a matplotlib Figure.

    ``static=None`` picks live only when :func:`has_live_frontend` says widgets can run. Either way the
    result shows when it is the last expression of the cell (assigning it shows nothing).
    """
    image, kernel = _validate(image, kernel, stride)
    stride = int(stride)
    if static is None:
        static = not has_live_frontend()
    if static:
        return _static_explorer(image, kernel, stride)
    try:
        import ipywidgets  # noqa: F401
    except ImportError as error:
        raise ImportError("the live explorer needs ipywidgets: pip install ipywidgets, or pass static=True") from error
    return _live_explorer(image, kernel, stride)
