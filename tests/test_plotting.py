"""course_utils.plotting: every function draws headless, prints the right values and refuses bad input."""

from __future__ import annotations

import inspect

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy.signal import correlate2d  # noqa: E402

from course_utils import plotting  # noqa: E402
from course_utils.gradcheck import relative_error  # noqa: E402
from course_utils.plotting import (  # noqa: E402
    show_before_after,
    show_confusion_matrix,
    show_feature_maps,
    show_filters,
    show_gradient_errors,
    show_image,
    show_image_values,
    show_images,
    show_kernel_gallery,
    show_misclassified,
    show_training_curves,
)

SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


@pytest.fixture(autouse=True)
def _headless(monkeypatch):
    """No function may call plt.show(); every figure is closed after the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError("plotting functions must not call plt.show()")

    monkeypatch.setattr(plt, "show", forbidden)
    yield
    plt.close("all")


def correlate_valid(image, kernel):
    """The oracle 2-D convolution (deep-learning convention: no flip, no padding)."""
    return correlate2d(np.asarray(image, dtype=float), np.asarray(kernel, dtype=float), mode="valid")


def texts_by_string(ax: Axes) -> dict[str, matplotlib.text.Text]:
    return {text.get_text(): text for text in ax.texts}


def visible_axes(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.axison]


# --------------------------------------------------------------------------- module surface


def test_module_exposes_only_the_plotting_functions():
    public = {
        name
        for name, value in vars(plotting).items()
        if not name.startswith("_") and inspect.isfunction(value) and value.__module__.startswith(plotting.__name__)
    }
    assert public == set(plotting.__all__)


# --------------------------------------------------------------------------- show_image


def test_show_image_gray_uint8_uses_the_full_scale_and_no_ticks():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    ax = show_image(image, title="tiny")
    ax.figure.canvas.draw()
    assert isinstance(ax, Axes)
    assert ax.get_title() == "tiny"
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert ax.images[0].get_clim() == (0, 255)


def test_show_image_colour_float_on_0_255_scale_is_rescaled_not_clipped():
    image = np.full((4, 5, 3), 127.5)
    ax = show_image(image)
    ax.figure.canvas.draw()
    assert np.allclose(ax.images[0].get_array(), 0.5)


def test_show_image_accepts_hw1_and_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    assert show_image(np.zeros((3, 3, 1)), ax=ax) is ax
    assert ax.images[0].get_array().shape == (3, 3)


def test_show_image_refuses_other_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3, 3, 3\)"):
        show_image(np.zeros((2, 3, 3, 3)))


# --------------------------------------------------------------------------- show_image_values


TINY = np.array([[0, 50, 100], [150, 200, 255]], dtype=np.uint8)


def test_show_image_values_prints_each_value_in_its_cell():
    ax = show_image_values(TINY, title="pixels")
    ax.figure.canvas.draw()
    texts = texts_by_string(ax)
    assert sorted(texts) == sorted(str(v) for v in TINY.flat)
    for (row, col), value in np.ndenumerate(TINY):
        assert texts[str(value)].get_position() == (col, row)
    assert ax.get_title() == "pixels"


def test_show_image_values_origin_is_top_left():
    ax = show_image_values(TINY)
    ax.figure.canvas.draw()
    texts = texts_by_string(ax)
    top = texts["0"].get_window_extent().y0  # pixel (0, 0)
    below = texts["150"].get_window_extent().y0  # pixel (1, 0)
    right = texts["50"].get_window_extent().x0  # pixel (0, 1)
    assert top > below, "row 0 must be drawn above row 1"
    assert right > texts["0"].get_window_extent().x0
    assert ax.yaxis_inverted()


def test_show_image_values_text_contrasts_with_the_pixel():
    ax = show_image_values(TINY)
    texts = texts_by_string(ax)
    assert texts["255"].get_color() == "black"  # dark text on a white pixel
    assert texts["0"].get_color() == "white"  # light text on a black pixel


def test_show_image_values_ticks_are_row_and_column_indices():
    ax = show_image_values(TINY)
    assert list(ax.get_xticks()) == [0, 1, 2]
    assert list(ax.get_yticks()) == [0, 1]
    assert ax.xaxis.get_label_position() == "top"


def test_show_image_values_formats_floats_and_skips_nan():
    image = np.array([[0.5, -0.25], [3.0, np.nan]])
    ax = show_image_values(image)
    assert sorted(texts_by_string(ax)) == sorted(["0.50", "-0.25", "3.00"])
    whole = show_image_values(np.array([[1.0, -0.0], [2.0, 3.0]]))
    assert sorted(texts_by_string(whole)) == ["0", "1", "2", "3"]


def test_show_image_values_accepts_hw1_fmt_and_fontsize():
    ax = show_image_values(np.array([[[0.5], [1.0]]]), fmt=".1f", fontsize=9)
    texts = texts_by_string(ax)
    assert sorted(texts) == ["0.5", "1.0"]
    assert texts["0.5"].get_fontsize() == 9
    brace = show_image_values(np.array([[1, 2]]), fmt="{:03d}")
    assert sorted(texts_by_string(brace)) == ["001", "002"]


def test_show_image_values_refuses_large_and_colour_images():
    with pytest.raises(ValueError, match=r"\(33, 10\).*too large"):
        show_image_values(np.zeros((33, 10)))
    with pytest.raises(ValueError, match=r"\(4, 4, 3\)"):
        show_image_values(np.zeros((4, 4, 3)))


# --------------------------------------------------------------------------- show_images


def test_show_images_grid_hides_unused_panels():
    images = [np.random.default_rng(i).random((6, 6)) for i in range(5)]
    fig = show_images(images, titles=list("abcde"), ncols=4)
    fig.canvas.draw()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 8
    assert [ax.get_title() for ax in visible_axes(fig)] == list("abcde")


def test_show_images_accepts_a_batch_array_and_colour():
    fig = show_images(np.zeros((3, 5, 5, 3), dtype=np.uint8), ncols=4)
    assert len(fig.axes) == 3  # ncols shrinks to the number of images


def test_show_images_validates_titles_and_emptiness():
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        show_images([np.zeros((2, 2))] * 3, titles=["a", "b"])
    with pytest.raises(ValueError, match="empty"):
        show_images([])


# --------------------------------------------------------------------------- show_kernel_gallery


def test_kernel_gallery_without_image_prints_small_kernels_only():
    kernels = {"identity": np.pad([[1]], 1), "sobel x": SOBEL_X, "box 21": np.ones((21, 21)) / 441}
    fig = show_kernel_gallery(kernels)
    fig.canvas.draw()
    panels = visible_axes(fig)
    assert len(panels) == 3
    assert [len(ax.texts) for ax in panels] == [9, 9, 0]  # the 21x21 kernel is drawn without numbers
    assert sorted(texts_by_string(panels[1])) == ["-1", "-2", "0", "1", "2"]
    low, high = panels[1].images[0].get_clim()
    assert low == -high and high > 0, "kernels use a colour scale centred at 0"


def test_kernel_gallery_prints_blur_kernels_as_integers_times_a_factor():
    fig = show_kernel_gallery({"blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16})
    ax = visible_axes(fig)[0]
    assert "1/16" in ax.get_title()
    assert sorted(t.get_text() for t in ax.texts) == sorted(["1", "2", "1", "2", "4", "2", "1", "2", "1"])


def test_kernel_gallery_with_image_calls_conv_fn_and_shows_its_output():
    image = np.random.default_rng(0).random((10, 12))
    kernels = {"sobel x": SOBEL_X, "box 5": np.ones((5, 5)) / 25}
    calls = []

    def conv_fn(img, kernel):
        calls.append((img.shape, np.asarray(kernel).shape))
        return correlate_valid(img, kernel)

    fig = show_kernel_gallery(kernels, image=image, conv_fn=conv_fn, ncols=4)
    fig.canvas.draw()
    assert calls == [((10, 12), (3, 3)), ((10, 12), (5, 5))]
    assert len(visible_axes(fig)) == 4
    below_sobel = fig.axes[2]  # row 0: kernels, row 1: their outputs
    assert below_sobel.axison
    assert np.allclose(below_sobel.images[0].get_array(), correlate_valid(image, SOBEL_X))
    assert "(8, 10)" in below_sobel.get_title()


def test_kernel_gallery_requires_conv_fn_with_an_image():
    with pytest.raises(ValueError, match="conv_fn"):
        show_kernel_gallery({"sobel": SOBEL_X}, image=np.zeros((6, 6)))


def test_kernel_gallery_reports_a_conv_fn_with_the_wrong_output():
    with pytest.raises(ValueError, match=r"returned shape \(2, 4, 4\)"):
        show_kernel_gallery({"sobel": SOBEL_X}, image=np.zeros((6, 6)), conv_fn=lambda x, k: np.zeros((2, 4, 4)))


def test_kernel_gallery_refuses_a_kernel_that_is_not_2d():
    with pytest.raises(ValueError, match=r"'flat'.*\(3,\)"):
        show_kernel_gallery({"flat": np.ones(3)})


# --------------------------------------------------------------------------- show_before_after


def test_before_after_titles_show_shapes_and_sizes_are_relative():
    before = np.random.default_rng(0).random((28, 28))
    after = before[::2, ::2]
    fig = show_before_after(before, after, titles=("input", "pooled"))
    fig.canvas.draw()
    first, second = fig.axes
    assert first.get_title() == "input\nshape (28, 28)"
    assert second.get_title() == "pooled\nshape (14, 14)"
    assert first.get_window_extent().width > 1.5 * second.get_window_extent().width


def test_before_after_accepts_colour_and_gray():
    fig = show_before_after(np.zeros((8, 8, 3), dtype=np.uint8), np.zeros((8, 8)))
    fig.canvas.draw()
    assert len(fig.axes) == 2


# --------------------------------------------------------------------------- show_feature_maps


def test_feature_maps_one_panel_per_channel():
    maps = np.random.default_rng(0).random((1, 6, 5, 10)).astype(np.float32)
    fig = show_feature_maps(maps, ncols=8)
    fig.canvas.draw()
    panels = visible_axes(fig)
    assert len(panels) == 10 and len(fig.axes) == 16
    assert panels[3].get_title() == "channel 3"
    assert np.allclose(panels[3].images[0].get_array(), maps[0, :, :, 3])


def test_feature_maps_accepts_hwk_and_titles():
    fig = show_feature_maps(np.zeros((4, 4, 2)), titles=["edges", "blobs"])
    assert [ax.get_title() for ax in visible_axes(fig)] == ["edges", "blobs"]


def test_feature_maps_refuses_a_batch_and_wrong_titles():
    with pytest.raises(ValueError, match=r"maps\[0\]"):
        show_feature_maps(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match="1 titles for 3 channels"):
        show_feature_maps(np.zeros((4, 4, 3)), titles=["a"])


# --------------------------------------------------------------------------- show_training_curves


class FakeHistory:
    """What model.fit returns, as far as show_training_curves cares: an object with a .history dict."""

    def __init__(self, history):
        self.history = history


WITH_BN = {
    "loss": [1.2, 0.8, 0.6],
    "val_loss": [1.3, 0.9, 0.7],
    "accuracy": [0.5, 0.7, 0.8],
    "val_accuracy": [0.45, 0.66, 0.912],
}
WITHOUT_BN = {
    "loss": [1.5, 1.1, 0.9, 0.8],
    "val_loss": [1.6, 1.2, 1.0, 0.95],
    "accuracy": [0.4, 0.55, 0.6, 0.65],
    "val_accuracy": [0.35, 0.5, 0.55, 0.6],
}


def test_training_curves_one_panel_per_metric_two_lines_per_run():
    fig = show_training_curves({"with BN": FakeHistory(WITH_BN), "without BN": WITHOUT_BN}, title="BN or not")
    fig.canvas.draw()
    loss_ax, acc_ax = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert loss_ax.get_xlabel() == "epoch" and fig.get_suptitle() == "BN or not"
    for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        lines = ax.get_lines()
        assert len(lines) == 4
        assert [line.get_linestyle() for line in lines] == ["-", "--", "-", "--"]
        assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color() == lines[3].get_color()
        assert list(lines[0].get_xdata()) == [1, 2, 3] and list(lines[2].get_xdata()) == [1, 2, 3, 4]
        assert list(lines[1].get_ydata()) == WITH_BN[f"val_{metric}"]
        assert list(lines[3].get_ydata()) == WITHOUT_BN[f"val_{metric}"]
    assert ax.get_xticks()[0] == 1


def test_training_curves_legend_labels():
    fig = show_training_curves({"with BN": WITH_BN, "without BN": WITHOUT_BN})
    (legend,) = fig.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "with BN · train",
        "with BN · validation",
        "without BN · train",
        "without BN · validation",
    ]


def test_training_curves_final_validation_values_are_written_at_the_curve_ends():
    fig = show_training_curves({"with BN": WITH_BN, "without BN": WITHOUT_BN})
    fig.canvas.draw()
    loss_ax, acc_ax = fig.axes
    assert sorted(t.get_text() for t in loss_ax.texts) == ["0.7", "0.95"]
    assert sorted(t.get_text() for t in acc_ax.texts) == ["60.0%", "91.2%"]
    label = texts_by_string(acc_ax)["91.2%"]
    assert label.get_color() == acc_ax.get_lines()[1].get_color()
    dashed_end = acc_ax.transData.transform((3, 0.912))
    box = label.get_window_extent()
    assert box.x0 > dashed_end[0] and box.y0 < dashed_end[1] < box.y1


def test_training_curves_without_validation_and_a_chosen_metric():
    fig = show_training_curves({"run": {"loss": [3.0, 2.0, 1.0]}}, metrics=("loss",))
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 1 and not fig.axes[0].texts
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["run · train"]


def test_training_curves_refuses_bad_histories():
    with pytest.raises(ValueError, match=r"'loss' has 3 epochs but 'val_loss' has 2"):
        show_training_curves({"a": {"loss": [1, 2, 3], "val_loss": [1, 2]}}, metrics=("loss",))
    with pytest.raises(ValueError, match=r"has no 'accuracy'; it has \['loss'\]"):
        show_training_curves({"a": {"loss": [1.0]}})
    with pytest.raises(ValueError, match="keras History"):
        show_training_curves({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match="empty"):
        show_training_curves({})


# --------------------------------------------------------------------------- show_confusion_matrix


def confusion_example():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 60)
    y_pred = np.where(rng.random(60) < 0.7, y_true, rng.integers(0, 4, 60))
    return y_true, y_pred


def test_confusion_matrix_cells_hold_sklearn_counts():
    from sklearn.metrics import confusion_matrix

    y_true, y_pred = confusion_example()
    fig = show_confusion_matrix(y_true, y_pred, class_names=["cat", "dog", "frog", "ship"])
    fig.canvas.draw()
    (ax,) = fig.axes
    expected = confusion_matrix(y_true, y_pred)
    cells = {tuple(int(round(v)) for v in text.get_position()): text.get_text() for text in ax.texts}
    assert len(cells) == 16
    for (row, col), count in np.ndenumerate(expected):
        assert cells[(col, row)] == str(count)  # text at (x=column, y=row)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "frog", "ship"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    accuracy = np.trace(expected) / 60
    assert f"accuracy {accuracy:.1%} ({np.trace(expected)} of 60 correct)" in ax.get_title()


def test_confusion_matrix_diagonal_is_readable():
    y_true = np.array([0] * 50 + [1] * 50 + [1])
    y_pred = np.array([0] * 50 + [1] * 50 + [0])
    ax = show_confusion_matrix(y_true, y_pred, title="tiny").axes[0]
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    assert texts[(0, 0)].get_color() == "white" and texts[(0, 0)].get_fontweight() == "bold"  # dark diagonal
    assert texts[(1, 0)].get_color() == "black"  # a pale off-diagonal cell
    assert ax.get_title().startswith("tiny\naccuracy 99.0% (100 of 101 correct)")


def test_confusion_matrix_normalized_rows_and_labels_that_occur():
    y_true = [3, 3, 3, 3, 7]
    y_pred = [3, 3, 3, 7, 7]
    ax = show_confusion_matrix(y_true, y_pred, normalize=True).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["3", "7"]
    assert [t.get_text() for t in ax.texts] == ["75%", "25%", "0", "100%"]
    assert np.allclose(ax.images[0].get_array(), [[0.75, 0.25], [0.0, 1.0]])


def test_confusion_matrix_refuses_mismatched_and_probabilities():
    with pytest.raises(ValueError, match="y_true has 3 labels but y_pred has 2"):
        show_confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match=r"argmax\(axis=1\)"):
        show_confusion_matrix([0, 1], np.eye(2))
    with pytest.raises(ValueError, match="label 5, but class_names has 3 names"):
        show_confusion_matrix([0, 5], [0, 1], class_names=["a", "b", "c"])


# --------------------------------------------------------------------------- show_misclassified


def misclassified_example():
    rng = np.random.default_rng(1)
    images = rng.random((20, 8, 8, 1))
    y_true = np.arange(20) % 3
    probs = rng.dirichlet(np.ones(3), size=20)
    y_pred = probs.argmax(axis=1)
    return images, y_true, y_pred, probs


def test_misclassified_picks_the_most_confidently_wrong():
    images, y_true, y_pred, probs = misclassified_example()
    wrong = np.flatnonzero(y_true != y_pred)
    confidence = probs[wrong, y_pred[wrong]]
    top = wrong[np.argsort(-confidence)][:4]
    fig = show_misclassified(images, y_true, y_pred, probs, n=4, ncols=2)
    fig.canvas.draw()
    panels = visible_axes(fig)
    assert len(panels) == 4
    assert [ax.get_title() for ax in panels] == [
        f"true {y_true[i]} · predicted {y_pred[i]} ({probs[i, y_pred[i]]:.2f})" for i in top
    ]
    assert np.allclose(panels[0].images[0].get_array(), images[top[0], :, :, 0])
    assert f"of {wrong.size} misclassified" in fig.get_suptitle()


def test_misclassified_without_probs_in_order_with_class_names():
    images = np.zeros((5, 4, 4))
    fig = show_misclassified(images, [0, 1, 2, 1, 0], [0, 2, 2, 0, 1], class_names=["cat", "dog", "frog"], ncols=6)
    assert [ax.get_title() for ax in visible_axes(fig)] == [
        "true dog · predicted frog",
        "true dog · predicted cat",
        "true cat · predicted dog",
    ]


def test_misclassified_grid_and_a_perfect_model():
    images, y_true, y_pred, probs = misclassified_example()
    fig = show_misclassified(images, y_true, y_pred, probs, n=5, ncols=3)
    assert len(fig.axes) == 6 and len(visible_axes(fig)) == 5
    fig = show_misclassified(images, y_true, y_true)
    assert "all 20 predictions are correct" in fig.axes[0].texts[0].get_text()


def test_misclassified_refuses_mismatched_lengths():
    images, y_true, y_pred, probs = misclassified_example()
    with pytest.raises(ValueError, match="images has 20 examples, y_true 19"):
        show_misclassified(images, y_true[:19], y_pred)
    with pytest.raises(ValueError, match=r"probs must have shape \(N, K\) with N = 20"):
        show_misclassified(images, y_true, y_pred, probs[:10])
    with pytest.raises(ValueError, match=r"images of shape \(8, 8, 1\) looks like a single image"):
        show_misclassified(images[0], y_true, y_pred)
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        show_misclassified(images[..., np.newaxis], y_true, y_pred)


# --------------------------------------------------------------------------- show_filters


def test_filters_gray_one_panel_per_filter_centred_at_zero():
    weights = np.random.default_rng(2).normal(size=(5, 5, 1, 10))
    fig = show_filters(weights, ncols=4, title="conv1")
    fig.canvas.draw()
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 10 and fig.get_suptitle() == "conv1"
    assert len([ax for ax in fig.axes if ax.axison and not ax.images]) == 1  # the shared colour bar
    assert np.allclose(panels[7].images[0].get_array(), weights[:, :, 0, 7])
    low, high = panels[0].images[0].get_clim()
    assert low == -high and high >= np.abs(weights).max()
    assert panels[0].images[0].get_clim() == panels[9].images[0].get_clim()


def test_filters_colour_min_max_scaled():
    weights = np.random.default_rng(3).normal(size=(3, 3, 3, 6)).astype(np.float32)
    fig = show_filters(weights)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 6
    pictures = np.stack([np.asarray(ax.images[0].get_array()) for ax in panels], axis=-1)
    assert pictures.shape == (3, 3, 3, 6)
    assert np.isclose(pictures.min(), 0.0) and np.isclose(pictures.max(), 1.0)
    assert np.allclose(pictures, (weights - weights.min()) / (weights.max() - weights.min()), atol=1e-6)


def test_filters_refuse_other_shapes():
    with pytest.raises(ValueError, match=r"\(f, f, C_in, K\), got shape \(3, 3, 8\)"):
        show_filters(np.zeros((3, 3, 8)))
    with pytest.raises(ValueError, match=r"C_in = 8.*weights\[:, :, c:c\+1, :\]"):
        show_filters(np.zeros((3, 3, 8, 4)))
    with pytest.raises(ValueError, match=r"get_weights\(\)\[0\]"):
        show_filters([np.zeros((3, 3, 1, 4)), np.zeros(4)])


# --------------------------------------------------------------------------- show_gradient_errors


def test_gradient_errors_one_row_of_dots_per_gradient_with_its_largest_error():
    rng = np.random.default_rng(4)
    analytic = rng.normal(size=(3, 5))
    numeric = analytic * (1 + 1e-10 * rng.normal(size=analytic.shape))
    fig = show_gradient_errors({"dW": (analytic, numeric), "db": (np.zeros(4), np.zeros(4)),
                                "dW x 1.01": (1.01 * analytic, analytic)}, title="check")
    fig.canvas.draw()
    (ax,) = fig.axes
    assert ax.get_title() == "check" and ax.get_xscale() == "log"
    assert [label.get_text() for label in ax.get_yticklabels()] == ["dW", "db", "dW x 1.01"]
    dots = [collection.get_offsets() for collection in ax.collections]
    assert [len(d) for d in dots] == [15, 4, 15]
    np.testing.assert_allclose(np.max(dots[0][:, 0]), relative_error(analytic, numeric), rtol=1e-6)
    np.testing.assert_allclose(dots[1][:, 0], 1e-16)  # exact agreement, drawn at the bottom of the scale
    np.testing.assert_allclose(dots[2][:, 0], 0.01 / 2.01)
    texts = {text.get_text().strip() for text in ax.texts}
    assert {f"max {relative_error(analytic, numeric):.1e}", "max 0", "max 5.0e-03"} <= texts
    assert {"right", "suspect", "wrong"} <= texts


def test_gradient_errors_refuse_bad_input():
    with pytest.raises(ValueError, match="empty"):
        show_gradient_errors({})
    with pytest.raises(ValueError, match=r"'dW'.*\(2, 3\).*\(3, 2\)"):
        show_gradient_errors({"dW": (np.zeros((2, 3)), np.zeros((3, 2)))})
    with pytest.raises(ValueError, match="pair"):
        show_gradient_errors({"dW": np.zeros(3)})
    with pytest.raises(ValueError, match="tolerance"):
        show_gradient_errors({"dW": (np.zeros(3), np.zeros(3))}, tolerance=1e-2, wrong=1e-3)
