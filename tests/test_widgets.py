"""course_utils.widgets: the convolution, padding/stride and pooling explorers, live and static, checked
against scipy and TensorFlow."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import IPython  # noqa: E402
import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from scipy.signal import correlate2d  # noqa: E402

from course_utils.lesson import quiet_tensorflow  # noqa: E402
from course_utils.widgets import (  # noqa: E402
    CHANGED_COLOUR,
    POOLING_IMAGE,
    UNCOVERED_COLOUR,
    WARNING_COLOUR,
    convolution_explorer,
    has_live_frontend,
    padding_stride_explorer,
    pooling_shift_explorer,
)

IMAGE = np.random.default_rng(7).integers(0, 256, size=(7, 9)).astype(np.uint8)  # not square on purpose
SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
BOX = np.ones((3, 3)) / 9
#: Output positions of a 3x3 kernel over the 7x9 image: (rows, cols) for each stride.
POSITIONS = {1: (5, 7), 2: (3, 4)}


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    """A plain Python session (no grader, no forced static mode); figures closed after each test."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_STATIC_WIDGETS", raising=False)
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("widgets must not call plt.show()"))
    yield
    plt.close("all")


@pytest.fixture
def fake_kernel(monkeypatch):
    """Pretend to run inside a Jupyter kernel."""
    monkeypatch.setattr(IPython, "get_ipython", lambda: SimpleNamespace(kernel=object()))


def oracle(image, kernel, stride):
    """scipy's valid cross-correlation, subsampled by the stride."""
    full = correlate2d(np.asarray(image, dtype=float), np.asarray(kernel, dtype=float), mode="valid")
    return full[::stride, ::stride]


def shown_position(ax_output) -> tuple[int, int, float]:
    """(row, col, value) from the output panel's title 'output[r, c] = v'."""
    match = re.search(r"output\[(\d+), (\d+)\] = (-?[\d.]+)", ax_output.get_title())
    assert match, ax_output.get_title()
    return int(match[1]), int(match[2]), float(match[3])


def shown_sum(ax_products) -> float:
    match = re.search(r"sum = (-?[\d.]+)", ax_products.get_title())
    assert match, ax_products.get_title()
    return float(match[1])


def find(widget, kind):
    """Every descendant of ``widget`` of type ``kind``."""
    found = [widget] if isinstance(widget, kind) else []
    for child in getattr(widget, "children", ()):
        found += find(child, kind)
    return found


# --------------------------------------------------------------------------- static fallback


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("kernel", [SOBEL_X, BOX], ids=["sobel", "box"])
def test_static_explorer_shows_first_middle_and_last_positions(stride, kernel):
    fig = convolution_explorer(IMAGE, kernel, stride=stride, static=True)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 9  # three positions x (image, products, output)
    rows, cols = POSITIONS[stride]
    expected = oracle(IMAGE, kernel, stride)
    assert expected.shape == (rows, cols)
    seen = []
    for k in range(3):
        ax_image, ax_products, ax_output = fig.axes[3 * k : 3 * k + 3]
        row, col, value = shown_position(ax_output)
        seen.append((row, col))
        assert shown_sum(ax_products) == pytest.approx(expected[row, col], abs=0.006)
        assert value == pytest.approx(expected[row, col], abs=0.006)
    middle = divmod(rows * cols // 2, cols)
    assert seen == [(0, 0), middle, (rows - 1, cols - 1)]


def test_static_explorer_outlines_the_window_and_prints_the_products():
    fig = convolution_explorer(IMAGE, SOBEL_X, stride=2, static=True)
    ax_image, ax_products, ax_output = fig.axes[3:6]  # the middle position
    row, col, _ = shown_position(ax_output)
    window = [p for p in ax_image.patches if isinstance(p, Rectangle)][0]
    assert window.get_xy() == (2 * col - 0.5, 2 * row - 0.5)
    assert (window.get_width(), window.get_height()) == (3, 3)
    products = IMAGE[2 * row : 2 * row + 3, 2 * col : 2 * col + 3].astype(int) * SOBEL_X
    texts = [t.get_text() for t in ax_products.texts]
    for value in products.flat:
        assert str(value) in texts
    assert f"{IMAGE[2 * row, 2 * col]} × 1" in texts  # the factors above each product
    assert len(ax_image.texts) == IMAGE.size  # pixel values printed
    fig.canvas.draw()


def test_static_explorer_output_is_blank_after_the_current_position():
    fig = convolution_explorer(IMAGE, SOBEL_X, stride=2, static=True)
    first_output, last_output = fig.axes[2], fig.axes[8]
    assert first_output.images[0].get_array().count() == 1  # only output[0, 0] so far
    last = last_output.images[0].get_array()
    assert last.count() == last.size
    assert np.allclose(last, oracle(IMAGE, SOBEL_X, 2))


def test_static_explorer_with_a_single_position_has_one_row():
    fig = convolution_explorer(IMAGE[:3, :3], SOBEL_X, static=True)
    assert len(fig.axes) == 3
    assert shown_sum(fig.axes[1]) == pytest.approx(oracle(IMAGE[:3, :3], SOBEL_X, 1)[0, 0])


def test_static_figure_is_closed_so_the_notebook_shows_it_once():
    fig = convolution_explorer(IMAGE, SOBEL_X, static=True)
    assert fig.number not in plt.get_fignums()  # shown as the cell's result, not again by the inline backend
    fig.canvas.draw()  # still drawable and savable


def test_static_is_the_default_outside_a_kernel():
    assert not has_live_frontend()
    assert isinstance(convolution_explorer(IMAGE, SOBEL_X), Figure)


# --------------------------------------------------------------------------- front-end detection


def test_has_live_frontend_inside_a_kernel(fake_kernel):
    assert has_live_frontend()
    assert isinstance(convolution_explorer(IMAGE, SOBEL_X), widgets.VBox)


@pytest.mark.parametrize(("name", "value"), [("NBGRADER_EXECUTION", "autograde"), ("COURSE_STATIC_WIDGETS", "1")])
def test_environment_forces_the_static_fallback(fake_kernel, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    assert not has_live_frontend()
    assert isinstance(convolution_explorer(IMAGE, SOBEL_X), Figure)


def test_missing_ipywidgets_falls_back_to_static(fake_kernel, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    assert not has_live_frontend()
    assert isinstance(convolution_explorer(IMAGE, SOBEL_X), Figure)
    with pytest.raises(ImportError, match="static=True"):
        convolution_explorer(IMAGE, SOBEL_X, static=False)


def test_a_terminal_ipython_is_not_a_frontend(monkeypatch):
    monkeypatch.setattr(IPython, "get_ipython", lambda: SimpleNamespace())  # a shell without a kernel
    assert not has_live_frontend()


# --------------------------------------------------------------------------- live widget


@pytest.mark.parametrize("stride", [1, 2])
def test_live_slider_covers_every_output_position(stride):
    box = convolution_explorer(IMAGE, SOBEL_X, stride=stride, static=False)
    assert isinstance(box, widgets.VBox)
    (slider,) = find(box, widgets.IntSlider)
    rows, cols = POSITIONS[stride]
    assert (slider.min, slider.max, slider.value) == (0, rows * cols - 1, 0)
    (play,) = find(box, widgets.Play)
    assert play.max == slider.max
    assert box.figure.get_layout_engine() is None
    assert len(find(box, widgets.Output)) == 1


def test_moving_the_slider_redraws_the_panels():
    box = convolution_explorer(IMAGE, SOBEL_X, stride=2, static=False)
    (slider,) = find(box, widgets.IntSlider)
    (output,) = find(box, widgets.Output)
    ax_image, ax_products, ax_output = box.figure.axes
    before_title, before_png = ax_products.get_title(), output.outputs[0]["data"]["image/png"]
    assert shown_position(ax_output)[:2] == (0, 0)

    slider.value = 6
    row, col = divmod(6, POSITIONS[2][1])
    assert shown_position(ax_output)[:2] == (row, col)
    assert ax_products.get_title() != before_title
    assert shown_sum(ax_products) == pytest.approx(oracle(IMAGE, SOBEL_X, 2)[row, col])
    assert len(output.outputs) == 1
    assert output.outputs[0]["data"]["image/png"] != before_png
    assert ax_output.images[0].get_array().count() == 7  # positions 0..6 filled in
    box.figure.canvas.draw()


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("image", "kernel", "stride", "message"),
    [
        (np.zeros((4, 4, 3)), SOBEL_X, 1, r"image .*\(4, 4, 3\)"),
        (np.zeros((6, 6)), np.ones(3), 1, r"kernel .*\(3,\)"),
        (np.zeros((4, 6)), np.ones((5, 5)), 1, r"kernel of shape \(5, 5\) .* image of shape \(4, 6\)"),
        (np.zeros((6, 6)), SOBEL_X, 0, "stride .* got 0"),
        (np.zeros((6, 6)), SOBEL_X, 1.5, "stride .* got 1.5"),
        (np.zeros((6, 6)), SOBEL_X, True, "stride .* got True"),
        (np.array([["a", "b"]]), np.ones((1, 1)), 1, "image must hold numbers"),
    ],
)
def test_explorer_validates_its_arguments(image, kernel, stride, message):
    with pytest.raises(ValueError, match=message):
        convolution_explorer(image, kernel, stride=stride, static=True)


def test_explorer_accepts_a_numpy_integer_stride():
    fig = convolution_explorer(IMAGE, SOBEL_X, stride=np.int64(2), static=True)
    assert "stride 2" in fig.axes[2].get_title()


# --------------------------------------------------------------------------- padding and stride explorer


def all_text(fig) -> str:
    """Every title, text and legend label of ``fig``, one per line."""
    parts = [fig.get_suptitle()]
    for ax in fig.axes:
        parts.append(ax.get_title())
        parts += [text.get_text() for text in ax.texts]
        if ax.get_legend() is not None:
            parts += [text.get_text() for text in ax.get_legend().get_texts()]
    return "\n".join(parts)


def warnings_shown(fig) -> list[str]:
    """The orange messages of a padding explorer figure."""
    return [text.get_text() for ax in fig.axes for text in ax.texts if text.get_color() == WARNING_COLOUR]


def hatched(ax) -> list[Rectangle]:
    return [patch for patch in ax.patches if patch.get_hatch()]


def centres(ax) -> np.ndarray:
    """The dots at the centres of the window positions, as (x, y) rows."""
    dots = [collection for collection in ax.collections if isinstance(collection, PathCollection)]
    return np.concatenate([collection.get_offsets() for collection in dots]) if dots else []


def flat(text: str) -> str:
    return " ".join(text.split())


def test_padding_explorer_that_fits_gives_the_formula_and_no_warning():
    fig = padding_stride_explorer(7, 3, 0, 2, static=True)
    assert isinstance(fig, Figure)
    ax_grid = fig.axes[0]
    text = all_text(fig)
    assert "out = ⌊(n + 2p − f)/s⌋ + 1 = ⌊(7 + 0 − 3)/2⌋ + 1 = 3" in text
    assert "output 3×3" in ax_grid.get_title()
    assert warnings_shown(fig) == []
    assert "do not fit" not in text and "no window fits" not in text
    assert hatched(ax_grid) == []
    assert sorted(map(tuple, centres(ax_grid))) == [(x, y) for x in (1, 3, 5) for y in (1, 3, 5)]
    fig.canvas.draw()


def test_padding_explorer_says_when_the_hyper_parameters_do_not_fit():
    fig = padding_stride_explorer(n=32, f=5, s=2, static=True)
    (warning,) = warnings_shown(fig)
    warning = flat(warning)
    assert "do not fit" in warning
    assert "(32 + 0 − 5)/2 + 1 = 14.5" in warning
    assert "floor it to 14" in warning
    assert "last row at the bottom" in warning and "last column at the right" in warning
    assert "⌊(32 + 0 − 5)/2⌋ + 1 = 14" in all_text(fig)
    ax_grid = fig.axes[0]
    strips = hatched(ax_grid)
    assert len(strips) == 2  # bottom rows and right columns
    assert all(patch.get_edgecolor()[:3] == matplotlib.colors.to_rgb(UNCOVERED_COLOUR) for patch in strips)
    assert {(patch.get_y(), patch.get_height()) for patch in strips} >= {(30.5, 1)}  # the bottom row, 31
    assert {(patch.get_x(), patch.get_width()) for patch in strips} >= {(30.5, 1)}  # the right column, 31
    assert len(centres(ax_grid)) == 14 * 14
    fig.canvas.draw()


def test_padding_explorer_with_padding_shades_the_ring_and_counts_six():
    fig = padding_stride_explorer(n=6, f=3, p=1, s=1, static=True)
    text = all_text(fig)
    assert "⌊(6 + 2 − 3)/1⌋ + 1 = 6" in text
    assert "zero padding, p = 1" in text
    assert "padded 8×8" in text
    assert warnings_shown(fig) == []
    ax_grid = fig.axes[0]
    kinds = ax_grid.images[0].get_array()
    assert kinds.shape == (8, 8)
    assert kinds[0].tolist() == [0] * 8 and kinds[1:7, 1:7].min() == 1  # the ring and the input differ
    assert sum(t.get_text() == "0" for t in ax_grid.texts) == 8 * 8 - 6 * 6
    assert len(centres(ax_grid)) == 36


def test_padding_explorer_when_no_window_fits():
    fig = padding_stride_explorer(n=2, f=5, p=0, s=2, static=True)
    (warning,) = warnings_shown(fig)
    assert "no window fits" in flat(warning)
    assert "no output" in fig.axes[0].get_title()
    assert len(centres(fig.axes[0])) == 0
    fig.canvas.draw()
    fig = padding_stride_explorer(n=1, f=9, p=4, s=5, static=True)  # 1 + 8 = 9: exactly one window
    assert warnings_shown(fig) == []
    assert "= 1" in all_text(fig)


def test_padding_explorer_says_which_uncovered_rows_hold_input():
    fig = padding_stride_explorer(n=6, f=3, p=1, s=2, static=True)
    (warning,) = warnings_shown(fig)
    assert "3.5" in flat(warning) and "no input pixel is lost" in flat(warning)
    fig = padding_stride_explorer(n=10, f=3, p=0, s=4, static=True)
    (warning,) = warnings_shown(fig)
    assert "(10 + 0 − 3)/4 + 1 = 2.75" in flat(warning) and "last 3 rows" in flat(warning)
    assert "3 rows and 3 columns of the input never reach the output" in flat(warning)
    (warning,) = warnings_shown(padding_stride_explorer(n=10, f=3, p=0, s=3, static=True))
    assert "(10 + 0 − 3)/3 + 1 ≈ 3.33" in flat(warning) and "floor it to 3" in flat(warning)


@pytest.mark.parametrize(
    ("n", "f", "p", "s"), [(7, 3, 0, 1), (7, 3, 0, 2), (8, 3, 0, 2), (5, 2, 2, 3), (16, 9, 4, 5), (1, 1, 0, 1)]
)
def test_padding_explorer_counts_positions_like_the_formula(n, f, p, s):
    fig = padding_stride_explorer(n, f, p, s, static=True)
    out = (n + 2 * p - f) // s + 1
    assert len(centres(fig.axes[0])) == out * out
    assert f"⌋ + 1 = {out}" in all_text(fig)
    uncovered = (n + 2 * p - f) % s
    assert bool(warnings_shown(fig)) == bool(uncovered)
    heights = sorted(patch.get_height() for patch in hatched(fig.axes[0]))
    assert uncovered in heights if uncovered else heights == []


def test_padding_static_figure_is_closed_and_is_the_default_outside_a_kernel():
    fig = padding_stride_explorer()
    assert isinstance(fig, Figure)
    assert fig.number not in plt.get_fignums()
    assert "⌊(7 + 0 − 3)/1⌋ + 1 = 5" in all_text(fig)


def test_padding_explorer_is_live_inside_a_kernel(fake_kernel):
    assert isinstance(padding_stride_explorer(), widgets.VBox)


def test_padding_live_has_four_sliders_and_redraws(capfd):
    box = padding_stride_explorer(n=7, f=3, p=0, s=2, static=False)
    assert isinstance(box, widgets.VBox)
    sliders = {slider.description.split()[0]: slider for slider in find(box, widgets.IntSlider)}
    assert {name: (s.min, s.max, s.value) for name, s in sliders.items()} == {
        "n": (1, 16, 7),
        "f": (1, 9, 3),
        "p": (0, 4, 0),
        "s": (1, 5, 2),
    }
    (output,) = find(box, widgets.Output)
    before = output.outputs[0]["data"]["image/png"]
    assert "= 3" in all_text(box.figure)

    sliders["s"].value = 1
    assert "⌊(7 + 0 − 3)/1⌋ + 1 = 5" in all_text(box.figure)
    sliders["p"].value = 1
    assert "⌊(7 + 2 − 3)/1⌋ + 1 = 7" in all_text(box.figure)
    sliders["n"].value = 8
    sliders["s"].value = 2
    assert "(8 + 2 − 3)/2 + 1 = 4.5" in flat(" ".join(warnings_shown(box.figure)))
    assert len(output.outputs) == 1
    assert output.outputs[0]["data"]["image/png"] != before
    assert "s = 2" in output.outputs[0]["data"]["text/plain"]
    sliders["f"].value = 9
    sliders["n"].value = 1
    sliders["p"].value = 0
    assert "no window fits" in flat(" ".join(warnings_shown(box.figure)))
    box.figure.canvas.draw()
    assert capfd.readouterr().err == ""


def test_padding_live_n_slider_reaches_a_larger_n():
    box = padding_stride_explorer(n=32, f=5, s=2, static=False)
    (n_slider,) = [s for s in find(box, widgets.IntSlider) if s.description.startswith("n")]
    assert (n_slider.max, n_slider.value) == (32, 32)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, r"n must be an integer from 1 to 32, got 0"),
        ({"n": 33}, r"n must be .* got 33"),
        ({"n": 7.0}, r"n must be .* got 7.0"),
        ({"f": 0}, r"f must be an integer from 1 to 9, got 0"),
        ({"f": 10}, r"f must be .* got 10"),
        ({"f": True}, r"f must be .* got True"),
        ({"p": -1}, r"p must be an integer from 0 to 4, got -1"),
        ({"p": 5}, r"p must be .* got 5"),
        ({"p": "1"}, r"p must be .* got '1'"),
        ({"s": 0}, r"s must be an integer from 1 to 5, got 0"),
        ({"s": 6}, r"s must be .* got 6"),
        ({"s": 1.5}, r"s must be .* got 1.5"),
    ],
)
def test_padding_explorer_validates_its_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        padding_stride_explorer(**kwargs, static=True)


def test_padding_explorer_accepts_numpy_integers():
    fig = padding_stride_explorer(np.int64(7), np.int32(3), np.int64(1), np.int8(2), static=True)
    assert "⌊(7 + 2 − 3)/2⌋ + 1 = 4" in all_text(fig)


# --------------------------------------------------------------------------- pooling shift explorer


def tensorflow():
    quiet_tensorflow()
    import tensorflow as tf

    return tf


def shift(image, dx, dy):
    """The test's own zero-filled shift: pad with zeros, then crop back to the image's size."""
    height, width = image.shape
    padded = np.pad(image.astype(float), 2)
    return padded[2 - dy : 2 - dy + height, 2 - dx : 2 - dx + width]


def tf_pool(image, f=2, stride=2, mode="max"):
    tf = tensorflow()
    pool = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    return pool(np.asarray(image, np.float32)[None, :, :, None], f, stride, "VALID").numpy()[0, :, :, 0]


def tf_changed(image, dx, dy, f=2, stride=2, mode="max") -> int:
    before, after = tf_pool(image, f, stride, mode), tf_pool(shift(image, dx, dy), f, stride, mode)
    return int((~np.isclose(before, after)).sum())


def reported(fig) -> tuple[int, int]:
    match = re.search(r"(\d+) of (\d+) pooled values changed", fig.get_suptitle())
    assert match, fig.get_suptitle()
    return int(match[1]), int(match[2])


def panel_values(ax) -> np.ndarray:
    return np.asarray(ax.images[0].get_array())


def outlined(ax, colour=CHANGED_COLOUR) -> list[Rectangle]:
    rgb = matplotlib.colors.to_rgb(colour)
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_edgecolor()[:3] == rgb]


def test_pooling_static_shows_four_panels_for_a_one_pixel_shift(capfd):
    fig = pooling_shift_explorer(static=True)
    assert isinstance(fig, Figure)
    assert fig.number not in plt.get_fignums()
    ax_image, ax_pooled, ax_moved, ax_moved_pooled = fig.axes
    assert len(fig.axes) == 4
    assert np.array_equal(panel_values(ax_image), POOLING_IMAGE)
    assert len(ax_image.texts) == 64  # values printed
    assert np.array_equal(panel_values(ax_moved), shift(POOLING_IMAGE, 1, 0))
    assert np.array_equal(panel_values(ax_pooled), tf_pool(POOLING_IMAGE))
    assert np.array_equal(panel_values(ax_moved_pooled), tf_pool(shift(POOLING_IMAGE, 1, 0)))
    changed, total = reported(fig)
    assert (changed, total) == (tf_changed(POOLING_IMAGE, 1, 0), 16)
    assert 0 < changed < total  # the default image shows both: some values move, some stay
    assert fig.get_suptitle() == f"{changed} of 16 pooled values changed after a 1-pixel shift right"
    assert len(outlined(ax_moved_pooled)) == changed
    assert "0 fills the left column" in ax_moved.get_title()
    assert "tf.nn.max_pool2d" in ax_pooled.get_title()
    fig.canvas.draw()
    assert capfd.readouterr().err == ""


def test_pooling_shift_fills_with_zero_instead_of_wrapping():
    image = np.arange(1, 37, dtype=float).reshape(6, 6)
    fig = pooling_shift_explorer(image, static=True)
    moved = panel_values(fig.axes[2])
    assert moved[:, 0].tolist() == [0] * 6
    assert np.array_equal(moved[:, 1:], image[:, :-1])


def test_pooling_live_reports_the_changed_count_of_tensorflow():
    box = pooling_shift_explorer(static=False)
    assert isinstance(box, widgets.VBox)
    right, down = find(box, widgets.IntSlider)
    assert (right.min, right.max, right.value, down.min, down.max, down.value) == (-2, 2, 1, -2, 2, 0)
    assert box.figure.get_layout_engine() is None  # laid out once; each redraw then draws the figure once
    counts = set()
    for dx, dy in [(1, 0), (-1, 0), (-1, 1), (0, 1), (0, -2), (2, -2), (2, 2), (-2, 1), (0, 0)]:
        right.value, down.value = dx, dy
        changed, total = reported(box.figure)
        assert (changed, total) == (tf_changed(POOLING_IMAGE, dx, dy), 16), (dx, dy)
        assert np.array_equal(panel_values(box.figure.axes[2]), shift(POOLING_IMAGE, dx, dy))
        assert len(outlined(box.figure.axes[3])) == changed
        counts.add(changed)
    assert len(counts) > 3  # the shifts do not all change the same number of values


def test_pooling_live_redraws_on_a_new_shift():
    box = pooling_shift_explorer(static=False)
    right, down = find(box, widgets.IntSlider)
    (output,) = find(box, widgets.Output)
    before = output.outputs[0]["data"]["image/png"]
    down.value = 1
    assert "shift of 1 pixel right and 1 pixel down" in box.figure.get_suptitle()
    assert output.outputs[0]["data"]["image/png"] != before
    assert box.figure.get_suptitle() in output.outputs[0]["data"]["text/plain"]
    right.value = down.value = 0
    assert box.figure.get_suptitle() == "0 of 16 pooled values changed (no shift)"
    box.figure.canvas.draw()


def test_pooling_explorer_is_live_inside_a_kernel(fake_kernel):
    assert isinstance(pooling_shift_explorer(), widgets.VBox)


def test_pooling_explorer_calls_the_given_pool_fn():
    tf = tensorflow()
    calls = []

    def spy(X, f, stride, mode):
        calls.append((X.shape, f, stride, mode))
        return tf.nn.max_pool2d(X, f, stride, "VALID")

    fig = pooling_shift_explorer(f=2, stride=2, mode="max", pool_fn=spy, static=True)
    assert calls == [((1, 8, 8, 1), 2, 2, "max")] * 3  # is it written yet; the image; the shifted image
    assert reported(fig) == (tf_changed(POOLING_IMAGE, 1, 0), 16)
    assert "(spy)" in fig.axes[1].get_title()

    calls.clear()
    box = pooling_shift_explorer(pool_fn=lambda X, **kw: calls.append(kw) or tf.nn.max_pool2d(X, 2, 2, "VALID"))
    assert isinstance(box, Figure) and calls == [{"f": 2, "stride": 2, "mode": "max"}] * 3


def test_pooling_explorer_shows_what_pool_fn_returns():
    def halves(X, f, stride, mode):  # a wrong pooling: the test only checks that its values are drawn
        return X[:, ::2, ::2, :] / 2

    fig = pooling_shift_explorer(pool_fn=halves, static=True)
    assert np.array_equal(panel_values(fig.axes[1]), POOLING_IMAGE[::2, ::2] / 2)


def test_pooling_explorer_average_mode_uses_average_pooling():
    fig = pooling_shift_explorer(mode="average", static=True)
    averages = tf_pool(POOLING_IMAGE, mode="average")
    assert np.allclose(panel_values(fig.axes[1]), averages)
    assert not np.allclose(averages, tf_pool(POOLING_IMAGE, mode="max"))
    assert reported(fig) == (tf_changed(POOLING_IMAGE, 1, 0, mode="average"), 16)
    assert "average pooling" in fig.axes[1].get_title() and "tf.nn.avg_pool2d" in fig.axes[1].get_title()
    assert "72.5" in [t.get_text() for t in fig.axes[1].texts]


def test_pooling_explorer_with_overlapping_windows_and_a_float_image():
    image = np.random.default_rng(3).random((7, 9))
    fig = pooling_shift_explorer(image, f=3, stride=2, static=True)
    assert panel_values(fig.axes[1]).shape == (3, 4)
    assert reported(fig) == (tf_changed(image, 1, 0, f=3, stride=2), 12)
    fig.canvas.draw()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image": np.zeros((4, 4, 3))}, r"image .*\(4, 4, 3\)"),
        ({"image": np.zeros((20, 20))}, r"image of shape \(20, 20\) is too large"),
        ({"image": np.array([["a", "b"]])}, "image must hold numbers"),
        ({"f": 0}, "f must be an integer from 1 to 8, got 0"),
        ({"f": 9}, "f must be .* got 9"),
        ({"f": 2.0}, r"f must be .* got 2.0"),
        ({"image": np.zeros((3, 6)), "f": 4}, "f must be an integer from 1 to 3, got 4"),
        ({"stride": 0}, "stride must be an integer >= 1, got 0"),
        ({"stride": True}, "stride must be .* got True"),
        ({"mode": "avg"}, "mode must be 'max' or 'average', got 'avg'"),
        ({"pool_fn": "pool_forward"}, "pool_fn must be a function"),
        ({"pool_fn": lambda X, **kw: X[0]}, r"pool_fn\(X of shape \(1, 8, 8, 1\).* returned shape \(8, 8, 1\)"),
    ],
)
def test_pooling_explorer_validates_its_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pooling_shift_explorer(**kwargs, static=True)


# --------------------------------------------------------------------------- quiet


def test_explorers_write_nothing_to_stderr(tmp_path):
    """Run in a fresh interpreter: TensorFlow's start-up lines would go to stderr there."""
    code = f"""
        import matplotlib
        matplotlib.use("Agg")
        from course_utils.widgets import padding_stride_explorer, pooling_shift_explorer
        padding_stride_explorer(32, 5, 0, 2, static=True).savefig({str(tmp_path / "a.png")!r})
        padding_stride_explorer(2, 5, 0, 2, static=True).savefig({str(tmp_path / "b.png")!r})
        pooling_shift_explorer(static=True).savefig({str(tmp_path / "c.png")!r})
        print("done")
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr[:500]
    assert done.stdout == "done\n"


def test_pooling_explorer_falls_back_to_tensorflow_while_pool_fn_is_a_stub(capsys):
    def pool_forward(X, f, stride, mode):
        raise NotImplementedError()

    fig = pooling_shift_explorer(pool_fn=pool_forward, static=True)
    printed = capsys.readouterr()
    assert "pool_forward is not written yet" in printed.out and "TensorFlow" in printed.out
    assert printed.err == ""
    assert fig.axes, "the explorer should still draw its panels with TensorFlow's pooling"


def test_pooling_explorer_still_reports_a_broken_pool_fn():
    with pytest.raises(ValueError, match="returned shape"):
        pooling_shift_explorer(pool_fn=lambda X, **kw: X[0], static=True)


def test_live_pooling_explorer_keeps_its_title_clear_of_the_panels_after_a_move():
    box = pooling_shift_explorer(static=False)
    fig = box.figure
    fig.canvas.draw()
    first = fig._suptitle.get_window_extent()
    box.children[0].children[0].value = 2  # shift right by 2
    fig.canvas.draw()
    moved = fig._suptitle.get_window_extent()
    assert "2-pixel shift right" in fig.get_suptitle()
    assert moved.y0 == pytest.approx(first.y0), "the headline moved down onto the panel titles"
    top_titles = min(ax.title.get_window_extent().y1 for ax in (fig.axes[0], fig.axes[2]))
    assert moved.y0 >= top_titles, "the headline overlaps the titles of the top panels"
