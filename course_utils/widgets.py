"""Interactive pictures: slide a kernel over an image and watch the output map fill in; see where padding
and stride put the windows; shift an image by a pixel and see which pooled values change.

Live with ipywidgets in a notebook; a static Figure wherever no widget can run (the grader, plain
Python, an exported notebook, or ``COURSE_STATIC_WIDGETS=1``). Nothing here returns an output size,
padding amounts or pooled values: the pictures count window positions as they draw them, and pooling
is TensorFlow's or the caller's own ``pool_fn``.
"""

from __future__ import annotations

import base64
import io
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from scipy.signal import correlate2d

from course_utils.plotting.primitives import (
    MIN_FONTSIZE,
    centred_norm,
    common_factor,
    draw_values,
    fit_fontsize,
    gray_2d,
    value_formatter,
)

__all__ = ["convolution_explorer", "has_live_frontend", "padding_stride_explorer", "pooling_shift_explorer"]

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


def _show_png(output: Any, fig: Figure, text: str) -> None:
    """Replace what ``output`` (an ipywidgets.Output) shows with ``fig`` as a PNG; ``text`` for plain front ends."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    picture = base64.b64encode(buffer.getvalue()).decode("ascii")
    output.outputs = (
        {"output_type": "display_data", "data": {"image/png": picture, "text/plain": text}, "metadata": {}},
    )


def _freeze_layout(fig: Figure) -> None:
    """Keep the axes where the layout engine put them and drop the engine. (An engine, even "none",
    makes every savefig draw the figure twice.)"""
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)


# --------------------------------------------------------------------------- live or static


@dataclass(frozen=True)
class _Slider:
    """An integer slider of a live explorer: the keyword it gives the drawing, its label, start value and range.

    ``wide_label`` lets the label take the width it needs; ``play_interval`` (milliseconds) puts a play button
    before the slider that steps it on its own.
    """

    name: str
    description: str
    value: int
    low: int
    high: int
    wide_label: bool = True
    play_interval: int | None = None


def _explorer(
    static: bool | None,
    *,
    figure: Mapping[str, Any],
    panels: Callable[[Figure], Any],
    draw: Callable[..., None],
    rows: Sequence[Sequence[_Slider]],
    caption: Callable[[Figure, Mapping[str, int]], str],
    still: Callable[[], Figure] | None = None,
) -> Any:
    """An explorer's picture, ``draw(panels(fig), **values)`` for the values of its sliders, live or static.

    ``static=None`` picks live only when :func:`has_live_frontend` says widgets can run. Live: an ipywidgets.VBox
    of the sliders (each of ``rows`` side by side) above an Output that shows the picture, redrawn on every change,
    with ``caption(fig, values)`` as its text for plain front ends; the drawn Figure is its ``figure``. Static: a
    matplotlib Figure, ``still()`` or else the picture for the sliders' start values. ``figure`` holds the keyword
    arguments of the Figure (figsize, layout). Either way the result shows when it is the last expression of the
    cell (assigning it shows nothing).
    """
    if static is None:
        static = not has_live_frontend()
    if static:
        if still is not None:
            fig = still()
        else:
            fig = plt.figure(**figure)
            draw(panels(fig), **{slider.name: slider.value for row in rows for slider in row})
        # Shown by being the cell's last expression, like the live widget. Closing it keeps the inline
        # backend from drawing it a second time at the end of the cell; the Figure itself stays usable.
        plt.close(fig)
        return fig
    try:
        import ipywidgets as widgets
    except ImportError as error:
        raise ImportError("the live explorer needs ipywidgets: pip install ipywidgets, or pass static=True") from error

    fig = Figure(**figure)
    FigureCanvasAgg(fig)
    axes = panels(fig)
    controls: dict[str, Any] = {}
    lines = []
    for row in rows:
        line = []
        for slider in row:
            control = widgets.IntSlider(
                value=slider.value,
                min=slider.low,
                max=slider.high,
                description=slider.description,
                continuous_update=False,
                **({"style": {"description_width": "initial"}} if slider.wide_label else {}),
            )
            if slider.play_interval is not None:
                play = widgets.Play(
                    value=slider.value,
                    min=slider.low,
                    max=slider.high,
                    interval=slider.play_interval,
                    description="play",
                )
                widgets.jslink((play, "value"), (control, "value"))
                line.append(play)
            line.append(control)
            controls[slider.name] = control
        lines.append(widgets.HBox(line))
    output = widgets.Output()

    def redraw(change: Any = None) -> None:
        values = {name: control.value for name, control in controls.items()}
        draw(axes, **values)
        _show_png(output, fig, caption(fig, values))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    _freeze_layout(fig)  # keep the first layout: redrawing on each change is then about twice as fast
    box = widgets.VBox([*lines, output])
    box.figure = fig  # the drawn Figure, for inspection and tests
    return box


# --------------------------------------------------------------------------- convolution


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
    factor = common_factor(weights)
    if factor is None:
        return value_formatter(weights, None)
    return lambda weight: f"{round(weight * factor)}/{factor}"


def _label_factors(ax: Axes, window: np.ndarray, weights: np.ndarray) -> None:
    """Write "pixel × weight" above each product already printed in ``ax``, when there is room."""
    labels = list(ax.texts)
    if max(weights.shape) > 5 or len(labels) != weights.size or 0.6 * labels[0].get_fontsize() < MIN_FONTSIZE:
        return
    pixel_text, weight_text = value_formatter(window, None), _weight_text(weights)
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
    total = value_formatter(sums, None)(products.sum())

    low, high = (0, 255) if image.dtype == np.uint8 else (None, None)
    small = max(image.shape) <= MAX_VALUES_SIDE
    draw_values(ax_image, image, cmap="gray", norm=Normalize(low, high), numbers=small)
    ax_image.add_patch(Rectangle((left - 0.5, top - 0.5), f_w, f_h, fill=False, edgecolor=WINDOW_COLOUR, lw=3))
    ax_image.set_title(
        f"image {image.shape}\nwindow: rows {top}–{top + f_h - 1}, cols {left}–{left + f_w - 1}", fontsize=10
    )

    largest = np.abs(pixels).max() * np.abs(weights).max()
    draw_values(ax_products, products, cmap="RdBu_r", norm=centred_norm(np.array([largest])), indices=False)
    _label_factors(ax_products, pixels[top : top + f_h, left : left + f_w], weights)
    ax_products.set_title(f"window × kernel (element-wise)\nsum = {total}", fontsize=10)

    so_far = np.where(np.arange(sums.size).reshape(sums.shape) <= step, sums, np.nan)
    draw_values(ax_output, so_far, cmap="gray", norm=Normalize(sums.min(), sums.max()), fmt=None)
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
    return fig


def convolution_explorer(image: Any, kernel: Any, stride: int = 1, static: bool | None = None) -> Any:
    """Slide ``kernel`` (f, f) over a small ``image`` (H, W) with ``stride``: the window, the products and
    their sum, and the output map so far. Returns an ipywidgets.VBox when live, else a matplotlib Figure.

    ``static=None`` picks live only when :func:`has_live_frontend` says widgets can run. Either way the
    result shows when it is the last expression of the cell (assigning it shows nothing).
    """
    image, kernel = _validate(image, kernel, stride)
    stride = int(stride)
    out_h, out_w = _positions(image.shape, kernel.shape, stride)
    position = _Slider("position", "position", 0, 0, out_h * out_w - 1, wide_label=False, play_interval=800)
    return _explorer(
        static,
        figure={"figsize": (3 * PANEL_WIDTH, PANEL_HEIGHT), "layout": "constrained"},
        panels=lambda fig: fig.subplots(1, 3),
        draw=lambda axes, position: _draw_step(axes, image, kernel, stride, position),
        rows=[[position]],
        caption=lambda fig, values: f"convolution explorer, position {values['position']}",
        still=lambda: _static_explorer(image, kernel, stride),
    )


# --------------------------------------------------------------------------- padding and stride

#: The values padding_stride_explorer accepts. Its n slider stops at 16 (or at n, when n is larger).
PADDING_LIMITS = {"n": (1, 32), "f": (1, 9), "p": (0, 4), "s": (1, 5)}
N_SLIDER_MAX = 16
PADDING_FIGSIZE = (9.0, 8.4)  # inches
#: The label of each slider of padding_stride_explorer.
PADDING_LABELS = {"n": "n (input)", "f": "f (window)", "p": "p (padding)", "s": "s (stride)"}
INPUT_COLOUR, INPUT_EDGE, PADDING_COLOUR = "#cfe2f3", "#3c78d8", "#d9d9d9"
UNCOVERED_COLOUR = "#d62728"
WARNING_COLOUR = "#d95f02"


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an int when it is a whole number in [low, high]; else a ValueError naming ``name``."""
    wanted = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {wanted}, got {int(value)}")
    return int(value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _last(count: int, word: str) -> str:
    """'row' or '2 rows', to follow 'the last'."""
    return word if count == 1 else f"{count} {word}s"


def _padding_axes(fig: Figure) -> tuple[Axes, Axes]:
    """The grid (left, square) and the text block (bottom) at fixed places, so redrawing needs no layout."""
    width, height = fig.get_size_inches()
    side = 5.5
    ax_grid = fig.add_axes((0.45 / width, 2.25 / height, side / width, side / height))
    ax_text = fig.add_axes((0.3 / width, 0.1 / height, (width - 0.5) / width, 2.0 / height))
    return ax_grid, ax_text


def _exact(value: Fraction) -> str:
    """'14.5' for 29/2, '≈ 2.67' for 8/3: what (n + 2p − f)/s + 1 would be without the floor."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return f"= {text}" if Fraction(text) == value else f"≈ {text}"


def _draw_padding(ax_grid: Axes, ax_text: Axes, n: int, f: int, p: int, s: int) -> None:
    """The padded input, the windows along the first row and column, every window's centre, and the formula."""
    ax_grid.clear()
    ax_text.clear()
    ax_text.set_axis_off()
    size = n + 2 * p  # the padded input is size × size
    kinds = np.zeros((size, size))
    kinds[p : p + n, p : p + n] = 1
    colours = ListedColormap([PADDING_COLOUR, INPUT_COLOUR])
    ax_grid.imshow(kinds, cmap=colours, vmin=0, vmax=1, interpolation="nearest")
    ax_grid.vlines(np.arange(0.5, size - 1), -0.5, size - 0.5, colors="0.6", linewidth=0.6)
    ax_grid.hlines(np.arange(0.5, size - 1), -0.5, size - 0.5, colors="0.6", linewidth=0.6)
    ax_grid.add_patch(Rectangle((p - 0.5, p - 0.5), n, n, fill=False, edgecolor=INPUT_EDGE, lw=1.8))
    zero_size = fit_fontsize(ax_grid, (size, size), 1)
    if p and zero_size >= MIN_FONTSIZE:
        for (row, col), kind in np.ndenumerate(kinds):
            if kind == 0:
                ax_grid.text(col, row, "0", ha="center", va="center", fontsize=zero_size, color="0.45")

    starts = range(0, n + 2 * p - f + 1, s)  # the first row (and column) of every window position
    count = len(starts)
    handles = [Patch(facecolor=INPUT_COLOUR, edgecolor=INPUT_EDGE, label=f"input {n}×{n}")]
    if p:
        handles.append(Patch(facecolor=PADDING_COLOUR, edgecolor="0.6", label=f"zero padding, p = {p}"))
    left_over, margin = 0, 0.0
    if count == 0:
        ax_grid.add_patch(Rectangle((-0.5, -0.5), f, f, fill=False, edgecolor=UNCOVERED_COLOUR, lw=2.5, linestyle="--"))
        handles.append(Line2D([], [], color=UNCOVERED_COLOUR, lw=2.5, linestyle="--", label=f"window {f}×{f}"))
    else:
        # Every window of the first row as the span of columns it covers, in lanes above the grid; every
        # window of the first column likewise at its left. Windows k and k + lanes never overlap.
        lanes = -(-f // s)
        pitch = min(max(0.05 * max(size, f), 0.4), 0.75)  # in cells: thinner beside a small grid
        margin = 0.3 + lanes * pitch
        for k, start in enumerate(starts):
            offset = -0.5 - 0.3 - (k % lanes + 0.85) * pitch
            style = {"facecolor": WINDOW_COLOUR, "alpha": 1.0 if k == 0 else 0.55, "lw": 1.2 if k == 0 else 0}
            ax_grid.add_patch(Rectangle((start - 0.45, offset), f - 0.1, 0.7 * pitch, edgecolor="black", **style))
            ax_grid.add_patch(Rectangle((offset, start - 0.45), 0.7 * pitch, f - 0.1, edgecolor="black", **style))
        ax_grid.add_patch(Rectangle((-0.5, -0.5), f, f, fill=False, edgecolor=WINDOW_COLOUR, lw=3.5))
        centres = [(left + (f - 1) / 2, top + (f - 1) / 2) for top in starts for left in starts]
        dot = max(6.0, min(40.0, (5.5 * 72 / size) ** 2 / 12))
        ax_grid.scatter(*zip(*centres), s=dot, color=WINDOW_COLOUR, edgecolors="black", linewidths=0.5, zorder=3)
        handles += [
            Line2D([], [], color=WINDOW_COLOUR, lw=3.5, label=f"first window {f}×{f}"),
            Patch(facecolor=WINDOW_COLOUR, alpha=0.55, label="span of each window along\nrow 0 (top), column 0 (left)"),
            Line2D([], [], color=WINDOW_COLOUR, ls="", marker="o", mec="black", mew=0.5, label="centre of each window"),
        ]
        end = starts[-1] + f  # one past the last row (and column) any window reaches
        left_over = size - end
        if left_over:
            hatched = {"facecolor": (0.84, 0.15, 0.16, 0.12), "edgecolor": UNCOVERED_COLOUR, "hatch": "///", "lw": 1.5}
            ax_grid.add_patch(Rectangle((-0.5, end - 0.5), size, left_over, **hatched))
            ax_grid.add_patch(Rectangle((end - 0.5, -0.5), left_over, end, **hatched))
            handles.append(Patch(**hatched, label="never covered by a window"))
    reach = max(size, f)
    ax_grid.set_xlim(-0.6 - margin, reach - 0.4)  # 0.1 cell to spare: lines on the edge are drawn whole
    ax_grid.set_ylim(reach - 0.4, -0.6 - margin)
    ax_grid.set_axis_off()
    ax_grid.add_patch(Rectangle((-0.5, -0.5), size, size, fill=False, edgecolor="0.35", lw=1.0))
    ax_grid.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9.5, frameon=False)
    output = f"output {count}×{count}" if count else "no output"
    ax_grid.set_title(
        f"input {n}×{n}, padding p = {p} → padded {size}×{size}\nwindow f = {f}, stride s = {s} → {output}",
        fontsize=12,
    )

    numbers = f"⌊({n} + {2 * p} − {f})/{s}⌋ + 1"
    formula = f"out = ⌊(n + 2p − f)/s⌋ + 1 = {numbers} = {count}" if count else f"out = {numbers}: no window fits"
    ax_text.text(0, 1, formula, transform=ax_text.transAxes, fontsize=14, va="top")
    if count == 0:
        warning = (
            f"The {f}×{f} window is larger than the padded {size}×{size} input (n + 2p = {size} < f = {f}): "
            "no window fits, so there is no output at all. Choose a smaller f or a larger p."
        )
    elif left_over:
        exact = _exact(Fraction(size - f, s) + 1)
        lost = left_over - p  # the uncovered strip starts with the p rows of padding at the bottom
        if lost <= 0:
            fate = "They hold only padding, so no input pixel is lost."
        else:
            fate = f"{_plural(lost, 'row')} and {_plural(lost, 'column')} of the input never reach the output."
        warning = (
            f"The hyper-parameters do not fit: ({n} + {2 * p} − {f})/{s} + 1 {exact} is not a whole number. "
            f"Frameworks floor it to {count}, so the last {_last(left_over, 'row')} at the bottom and the last "
            f"{_last(left_over, 'column')} at the right are never covered by any window (hatched). {fate}"
        )
    else:
        warning = ""
    if count:
        ax_text.text(
            0,
            0.8,
            f"{count} × {count} = {count * count} window positions, one output value each "
            "(dots mark the centres of the windows).",
            transform=ax_text.transAxes,
            fontsize=10.5,
            va="top",
            color="0.3",
        )
    if warning:
        ax_text.text(
            0,
            0.64 if count else 0.8,
            textwrap.fill(warning, 88),
            transform=ax_text.transAxes,
            fontsize=11,
            va="top",
            color=WARNING_COLOUR,
            fontweight="bold",
        )


def padding_stride_explorer(n: int = 7, f: int = 3, p: int = 0, s: int = 1, static: bool | None = None) -> Any:
    """How padding ``p`` and stride ``s`` decide where an f×f window goes over an n×n input.

    The picture: the input (blue) inside its ring of zero padding (gray), the first window (bold outline),
    every window along the first row as a bar above the grid spanning the columns it covers (and every
    window along the first column as a bar at its left, spanning its rows; overlapping windows go in
    separate lanes), a dot at the centre of every window position, and the formula for the number of
    positions with these numbers filled in. When (n + 2p − f) is not a multiple of s, an orange message
    gives the exact value, says that frameworks floor it, and counts the rows and columns at the bottom and
    right that no window covers (hatched). When f > n + 2p, it says that no window fits.

    Live (four sliders: n 1–16, or up to ``n`` when larger; f 1–9; p 0–4; s 1–5) when
    :func:`has_live_frontend` says widgets can run, or ``static=False``; else a matplotlib Figure for these
    values. Arguments: n 1–32, f 1–9, p 0–4, s 1–5, each an integer (ValueError otherwise).
    """
    checked = {name: _check_int(name, value, *PADDING_LIMITS[name]) for name, value in zip("nfps", (n, f, p, s))}

    def slider(name: str) -> _Slider:
        low, high = PADDING_LIMITS[name]
        if name == "n":
            high = max(N_SLIDER_MAX, checked["n"])
        return _Slider(name, PADDING_LABELS[name], checked[name], low, high)

    return _explorer(
        static,
        figure={"figsize": PADDING_FIGSIZE},
        panels=_padding_axes,
        draw=lambda axes, **values: _draw_padding(*axes, **values),
        rows=[[slider("n"), slider("f")], [slider("p"), slider("s")]],
        caption=lambda fig, values: (
            "padding and stride explorer: " + ", ".join(f"{name} = {value}" for name, value in values.items())
        ),
    )


# --------------------------------------------------------------------------- pooling and shifts

#: The default image of pooling_shift_explorer: a dim background with a few bright features, some on an
#: even column (a 1-pixel shift right keeps them in their 2×2 pooling window), some on an odd one.
POOLING_IMAGE = np.array(
    [
        [20, 20, 20, 20, 20, 20, 20, 20],
        [20, 200, 20, 20, 20, 20, 20, 20],
        [20, 20, 20, 20, 230, 20, 20, 20],
        [20, 20, 20, 20, 20, 20, 20, 20],
        [20, 20, 20, 20, 20, 20, 20, 20],
        [20, 20, 120, 120, 20, 20, 160, 20],
        [20, 20, 20, 20, 20, 20, 160, 20],
        [20, 20, 20, 20, 20, 20, 20, 250],
    ],
    dtype=np.uint8,
)
SHIFT_LIMIT = 2  # the shift sliders go from -2 to 2 pixels
POOL_MODES = ("max", "average")
CHANGED_COLOUR = "#e7298a"
POOLING_FIGSIZE = (8.2, 8.6)  # inches


def _tensorflow() -> Any:
    """TensorFlow, imported without its start-up lines on stderr."""
    from course_utils.lesson import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    return tf


def _shifted(image: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """``image`` moved ``dx`` pixels right and ``dy`` down (negative: left, up); pixels moved in are 0."""
    height, width = image.shape
    moved = np.zeros_like(image)
    moved[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = image[
        max(-dy, 0) : height - max(dy, 0), max(-dx, 0) : width - max(dx, 0)
    ]
    return moved


def _pooled(image: np.ndarray, f: int, stride: int, mode: str, pool_fn: Callable[..., Any] | None) -> np.ndarray:
    """The pooled (H', W') map of ``image``: the caller's ``pool_fn`` on a batch of one, else TensorFlow's."""
    if pool_fn is not None:
        batch = image.astype(float)[np.newaxis, :, :, np.newaxis]
        result = pool_fn(batch, f=f, stride=stride, mode=mode)
    else:
        tf = _tensorflow()
        pool = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
        result = pool(image.astype(np.float32)[np.newaxis, :, :, np.newaxis], ksize=f, strides=stride, padding="VALID")
    array = np.asarray(result, dtype=float)
    if array.ndim != 4 or array.shape[0] != 1 or array.shape[-1] != 1 or 0 in array.shape:
        raise ValueError(
            f"pool_fn(X of shape (1, {image.shape[0]}, {image.shape[1]}, 1), f={f}, stride={stride}, mode={mode!r}) "
            f"returned shape {array.shape}; expected (1, H_out, W_out, 1)"
        )
    return array[0, :, :, 0]


def _not_written_yet(pool_fn: Callable[..., Any], image: np.ndarray, f: int, stride: int, mode: str) -> bool:
    """True if ``pool_fn`` is still an exercise stub: calling it raises NotImplementedError."""
    try:
        pool_fn(image.astype(float)[np.newaxis, :, :, np.newaxis], f=f, stride=stride, mode=mode)
    except NotImplementedError:
        return True
    except Exception:  # noqa: BLE001 - any other failure is reported, with its shape, by the first drawing
        return False
    return False


def _shift_words(dx: int, dy: int) -> str:
    """'1-pixel shift right', 'shift of 1 pixel left and 2 pixels down', or 'no shift'."""
    moves = [(abs(dx), "right" if dx > 0 else "left"), (abs(dy), "down" if dy > 0 else "up")]
    moves = [(size, way) for size, way in moves if size]
    if not moves:
        return "no shift"
    if len(moves) == 1:
        size, way = moves[0]
        return f"{size}-pixel shift {way}"
    return "shift of " + " and ".join(f"{_plural(size, 'pixel')} {way}" for size, way in moves)


def _filled_edges(dx: int, dy: int) -> str:
    """Where 0 moves in: 'the left column', 'the 2 right columns and the top row'."""
    edges = []
    for size, side, line in ((dx, "left" if dx > 0 else "right", "column"), (dy, "top" if dy > 0 else "bottom", "row")):
        if size:
            edges.append(f"the {side} {line}" if abs(size) == 1 else f"the {abs(size)} {side} {line}s")
    return " and ".join(edges)


def _short_format(*arrays: np.ndarray) -> str | None:
    """'g' (72.5, not 72.50) when every value has at most two decimals; else the usual format."""
    values = np.concatenate([np.ravel(array) for array in arrays]).astype(float)
    values = values[np.isfinite(values)]
    if values.size == 0 or np.abs(values).max() >= 1e5:
        return None
    return "g" if np.allclose(values * 100, np.round(values * 100), rtol=0, atol=1e-6) else None


def _draw_pooling(
    axes: Sequence[Axes],
    image: np.ndarray,
    dx: int,
    dy: int,
    f: int,
    stride: int,
    mode: str,
    pool_fn: Callable[..., Any] | None,
) -> None:
    """The image and its pooled map, the shifted image and its pooled map; the pooled values that changed."""
    ax_image, ax_pooled, ax_moved, ax_moved_pooled = axes
    for ax in axes:
        ax.clear()
    moved = _shifted(image, dx, dy)
    before = _pooled(image, f, stride, mode, pool_fn)
    after = _pooled(moved, f, stride, mode, pool_fn)
    if after.shape != before.shape:
        raise ValueError(f"pool_fn returned shape {before.shape} for the image and {after.shape} once shifted")
    changed = ~np.isclose(before, after, rtol=1e-6, atol=1e-6)

    if image.dtype == np.uint8:
        low, high = 0.0, 255.0
    else:
        values = np.concatenate([image.ravel(), moved.ravel(), before.ravel(), after.ravel()]).astype(float)
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
    fmt = _short_format(image, before, after)
    for ax, values in ((ax_image, image), (ax_moved, moved), (ax_pooled, before), (ax_moved_pooled, after)):
        draw_values(ax, values, cmap="gray", norm=Normalize(low, high), fmt=fmt)

    height, width = image.shape
    tops, lefts = range(0, height - f + 1, stride), range(0, width - f + 1, stride)  # where windows start
    tiled = f == stride and (len(tops), len(lefts)) == before.shape
    for ax in (ax_image, ax_moved):
        outlined = [(top, left) for top in tops for left in lefts] if tiled else [(0, 0)]
        for top, left in outlined:
            ax.add_patch(
                Rectangle((left - 0.5, top - 0.5), f, f, fill=False, edgecolor=WINDOW_COLOUR, lw=1.6 if tiled else 3)
            )
    for row, col in zip(*np.nonzero(changed)):
        ax_moved_pooled.add_patch(
            Rectangle((col - 0.47, row - 0.47), 0.94, 0.94, fill=False, edgecolor=CHANGED_COLOUR, lw=3.5)
        )
        ax_pooled.add_patch(
            Rectangle((col - 0.47, row - 0.47), 0.94, 0.94, fill=False, edgecolor=CHANGED_COLOUR, lw=2, ls="--")
        )
        if (len(tops), len(lefts)) == before.shape:
            top, left = tops[row], lefts[col]
            ax_moved.add_patch(
                Rectangle((left - 0.4, top - 0.4), f - 0.2, f - 0.2, fill=False, edgecolor=CHANGED_COLOUR, lw=2.2)
            )

    if pool_fn is None:
        source = "tf.nn.max_pool2d" if mode == "max" else "tf.nn.avg_pool2d"
    else:
        source = getattr(pool_fn, "__name__", "pool_fn").replace("<lambda>", "pool_fn")
    how = f"{mode} pooling, f = {f}, stride {stride} ({source})"
    windows = "pooling windows" if tiled else "first pooling window"
    ax_image.set_title(f"original image {height}×{width}\n({windows} in orange)", fontsize=10.5)
    ax_moved.set_title(
        f"after a {_shift_words(dx, dy)}\n(0 fills {_filled_edges(dx, dy)})" if dx or dy else "not shifted\n",
        fontsize=10.5,
    )
    ax_pooled.set_title(f"{how}\n{before.shape[0]}×{before.shape[1]} pooled values", fontsize=10.5)
    ax_moved_pooled.set_title(
        f"{how}\n{int(changed.sum())} changed (outlined in pink)" if changed.any() else f"{how}\nnone changed",
        fontsize=10.5,
    )
    words = _shift_words(dx, dy)
    summary = f"after a {words}" if dx or dy else "(no shift)"
    headline = f"{int(changed.sum())} of {changed.size} pooled values changed {summary}"
    fig = ax_image.figure
    laid_out = getattr(fig, "_suptitle", None)
    if laid_out is not None and fig.get_layout_engine() is None:
        laid_out.set_text(headline)  # a frozen layout: keep the title where the layout engine put it
    else:
        fig.suptitle(headline, fontsize=13, fontweight="bold")


def _pooling_axes(fig: Figure) -> list[Axes]:
    """Image above its pooled map, the original on the left and the shifted copy on the right."""
    grid = fig.add_gridspec(2, 2)
    return [
        fig.add_subplot(grid[0, 0]),
        fig.add_subplot(grid[1, 0]),
        fig.add_subplot(grid[0, 1]),
        fig.add_subplot(grid[1, 1]),
    ]


def pooling_shift_explorer(
    image: Any = None,
    f: int = 2,
    stride: int = 2,
    mode: str = "max",
    pool_fn: Callable[..., Any] | None = None,
    static: bool | None = None,
) -> Any:
    """How much of a pooled map changes when the picture moves by a pixel or two.

    Four panels: the ``image`` (H, W) with its pooling windows (orange), its pooled map, the image shifted,
    and the pooled map of the shifted image, where the pooled values that changed are outlined (pink) and
    counted in the title ("3 of 16 pooled values changed after a 1-pixel shift right"). The default image
    is a fixed 8×8 picture with a few bright features.

    The shift is two sliders, right (dx) and down (dy), each from -2 to 2 pixels (negative: left, up), so
    that horizontal and vertical moves, and both together, can be compared. It is a shift, not a roll:
    pixels leaving one side are gone and 0 moves in on the other, as when an object moves in the frame.

    The pooled values are ``pool_fn(X, f=f, stride=stride, mode=mode)`` for X of shape (1, H, W, 1) when
    ``pool_fn`` is given (your pooling function, returning (1, H_out, W_out, 1)); else TensorFlow's
    tf.nn.max_pool2d or tf.nn.avg_pool2d with VALID padding. ``mode`` is "max" or "average".

    While ``pool_fn`` still raises NotImplementedError (an exercise not written yet) the explorer says so and
    uses TensorFlow's pooling instead.

    Live with ipywidgets when :func:`has_live_frontend` says widgets can run, or ``static=False``; else a
    matplotlib Figure comparing no shift with a 1-pixel shift right.
    """
    picture = POOLING_IMAGE if image is None else gray_2d(image, "image")
    if max(picture.shape) > MAX_VALUES_SIDE:
        raise ValueError(
            f"image of shape {picture.shape} is too large to print its values (at most "
            f"{MAX_VALUES_SIDE}×{MAX_VALUES_SIDE}): pass a crop such as image[:8, :8]"
        )
    f = _check_int("f", f, 1, min(picture.shape))
    stride = _check_int("stride", stride, 1)
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
    if pool_fn is not None and not callable(pool_fn):
        raise ValueError(f"pool_fn must be a function such as pool_forward, got {pool_fn!r}")
    if pool_fn is not None and _not_written_yet(pool_fn, picture, f, stride, mode):
        print(
            f"{getattr(pool_fn, '__name__', 'pool_fn')} is not written yet (it raises NotImplementedError), so the "
            "explorer shows TensorFlow's pooling. Run this cell again once your function passes its tests."
        )
        pool_fn = None
    shifts = (("dx", "shift right (px)", 1), ("dy", "shift down (px)", 0))
    return _explorer(
        static,
        figure={"figsize": POOLING_FIGSIZE, "layout": "constrained"},
        panels=_pooling_axes,
        draw=lambda axes, dx, dy: _draw_pooling(axes, picture, dx, dy, f, stride, mode, pool_fn),
        rows=[[_Slider(name, label, value, -SHIFT_LIMIT, SHIFT_LIMIT) for name, label, value in shifts]],
        caption=lambda fig, values: f"pooling shift explorer: {fig.get_suptitle()}",
    )
