"""course_utils.widgets: the convolution explorer, live and static, checked against scipy."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import IPython  # noqa: E402
import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from scipy.signal import correlate2d  # noqa: E402

from course_utils.widgets import convolution_explorer, has_live_frontend  # noqa: E402

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
