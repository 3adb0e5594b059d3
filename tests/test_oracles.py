"""The reference solutions against independent oracles, on many random cases the notebooks never show.

The answer cells of each solution notebook are executed into a namespace (no kernel, no test cells) and
compared with TensorFlow, SciPy and NumPy on random shapes, strides and dtypes. This guards the
solutions themselves: a hidden test can only be as right as the answer it was written beside.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf
from scipy import signal

from grader.lessons import SOLUTIONS


def answers(lesson_id: str) -> dict:
    """Execute the answer cells of a solution notebook and return the functions they define."""
    nb = json.loads((SOLUTIONS / lesson_id / f"{lesson_id}.ipynb").read_text(encoding="utf-8"))
    namespace: dict = {"np": np, "__name__": f"solutions_{lesson_id}"}
    exec("from __future__ import annotations\nfrom typing import *\nfrom collections.abc import *", namespace)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution") and cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{lesson_id}:{cell['id']}", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def pixels():
    return answers("01_pixels")


@pytest.fixture(scope="module")
def conv():
    return answers("02_convolution")


RNG = np.random.default_rng(20261122)
SHAPES = [(1, 1), (2, 3), (5, 4), (7, 11), (16, 9)]


# ----------------------------------------------------------------------------- 01 pixels
@pytest.mark.parametrize("shape", [(3,), (4, 5), (6, 7, 3), (2, 3, 4, 1)])
def test_to_float(pixels, shape):
    image = RNG.integers(0, 256, size=shape, dtype=np.uint8)
    got = pixels["to_float"](image)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, tf.image.convert_image_dtype(image, tf.float32).numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint16, bool])
def test_to_float_rejects_other_dtypes(pixels, dtype):
    with pytest.raises(ValueError, match="image"):
        pixels["to_float"](np.zeros((2, 2), dtype=dtype))


@pytest.mark.parametrize("shape", [(1, 1, 3), (5, 8, 3), (2, 4, 6, 3)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_to_grayscale(pixels, shape, dtype):
    image = (RNG.random(shape) * 255).astype(dtype)
    expected = tf.image.rgb_to_grayscale(image.astype(np.float32)).numpy()[..., 0]
    np.testing.assert_allclose(pixels["to_grayscale"](image), expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("shape", [(4, 4), (4, 4, 4), (4, 3, 3, 2)])
def test_to_grayscale_rejects_non_rgb(pixels, shape):
    with pytest.raises(ValueError, match="image"):
        pixels["to_grayscale"](np.zeros(shape[:-1] + (shape[-1] if shape[-1] != 3 else 4,)))
    with pytest.raises(ValueError):
        pixels["to_grayscale"](np.zeros((4, 4)))


@pytest.mark.parametrize("box", [(0, 0, 1, 1), (2, 1, 4, 5), (0, 0, 9, 7), (8, 6, 1, 1)])
@pytest.mark.parametrize("channels", [None, 1, 3])
def test_crop(pixels, box, channels):
    shape = (9, 7) if channels is None else (9, 7, channels)
    image = RNG.random(shape)
    got = pixels["crop"](image, *box)
    as3d = image if channels else image[..., None]
    expected = tf.image.crop_to_bounding_box(as3d, *box).numpy()
    np.testing.assert_array_equal(got if channels else got[..., None], expected)
    assert np.shares_memory(got, image), "crop must return a view"


@pytest.mark.parametrize("box", [(-1, 0, 2, 2), (0, -1, 2, 2), (0, 0, 0, 2), (0, 0, 2, 0), (8, 0, 2, 2), (0, 6, 2, 2)])
def test_crop_rejects_boxes_outside_the_image(pixels, box):
    with pytest.raises(ValueError):
        pixels["crop"](np.zeros((9, 7, 3)), *box)


@pytest.mark.parametrize("shape", [(3, 5), (3, 5, 1), (4, 2, 3)])
@pytest.mark.parametrize("n", [1, 4])
def test_make_batch(pixels, shape, n):
    images = [(RNG.random(shape) * 255).astype(np.uint8) for _ in range(n)]
    got = pixels["make_batch"](images)
    expected = tf.stack([tf.cast(im if im.ndim == 3 else im[..., None], tf.float32) for im in images]).numpy()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)
    assert not any(np.shares_memory(got, im) for im in images)


def test_make_batch_rejects_mismatched_and_empty(pixels):
    with pytest.raises(ValueError):
        pixels["make_batch"]([np.zeros((3, 4, 3)), np.zeros((4, 3, 3))])
    with pytest.raises(ValueError):
        pixels["make_batch"]([])


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 5, 3, 3), (6, 4, 7, 2)])
def test_channel_means(pixels, shape):
    batch = RNG.random(shape).astype(np.float32)
    expected = tf.reduce_mean(tf.constant(batch, tf.float64), axis=[0, 1, 2]).numpy()
    np.testing.assert_allclose(pixels["channel_means"](batch), expected, rtol=1e-5)


# ----------------------------------------------------------------------------- 02 convolution
@pytest.mark.parametrize(("n", "f", "s"), [(1, 1, 1), (5, 2, 1), (14, 2, 2), (10, 3, 3), (9, 9, 4), (12, 4, 5)])
def test_conv1d(conv, n, f, s):
    x, w = RNG.normal(size=n), RNG.normal(size=f)
    expected = tf.nn.conv1d(x[None, :, None], w[:, None, None], stride=s, padding="VALID").numpy().ravel()
    np.testing.assert_allclose(conv["conv1d"](x, w, stride=s), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(conv["conv1d"](x, w, s), np.correlate(x, w, "valid")[::s], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("stride", [0, -1, 1.5, True])
def test_conv1d_rejects_bad_strides(conv, stride):
    with pytest.raises(ValueError, match="stride"):
        conv["conv1d"](np.ones(5), np.ones(2), stride=stride)


@pytest.mark.parametrize(("n", "f"), [(1, 1), (5, 3), (3, 5), (8, 1), (6, 6)])
def test_true_convolve1d(conv, n, f):
    x, w = RNG.normal(size=n), RNG.normal(size=f)
    np.testing.assert_allclose(conv["true_convolve1d"](x, w), np.convolve(x, w), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shape", [(1,), (3, 3), (3, 3, 4), (2, 5, 1)])
@pytest.mark.parametrize("bias", [0.0, -1.5, np.array([[[2.0]]])])
def test_conv_single_step(conv, shape, bias):
    a, w = RNG.normal(size=shape), RNG.normal(size=shape)
    got = conv["conv_single_step"](a, w, bias)
    assert isinstance(got, float)
    assert got == pytest.approx(float(np.tensordot(a, w, axes=a.ndim)) + float(np.ravel(bias)[0]), rel=1e-9)


@pytest.mark.parametrize("image_shape", SHAPES[1:])
@pytest.mark.parametrize("kernel_shape", [(1, 1), (2, 2), (3, 3), (1, 3), (2, 1)])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv2d(conv, image_shape, kernel_shape, stride):
    if kernel_shape[0] > image_shape[0] or kernel_shape[1] > image_shape[1]:
        pytest.skip("kernel larger than image")
    image, kernel = RNG.normal(size=image_shape), RNG.normal(size=kernel_shape)
    expected = signal.correlate2d(image, kernel, "valid")[::stride, ::stride]
    np.testing.assert_allclose(conv["conv2d"](image, kernel, stride=stride), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("h", "w", "c", "f", "k"), [(3, 3, 1, 1, 1), (6, 6, 3, 3, 2), (7, 9, 2, 3, 4), (8, 5, 4, 5, 3)])
def test_conv2d_multi(conv, h, w, c, f, k):
    image, filters, biases = RNG.normal(size=(h, w, c)), RNG.normal(size=(f, f, c, k)), RNG.normal(size=k)
    expected = tf.nn.conv2d(image[None], filters, 1, "VALID").numpy()[0] + biases
    np.testing.assert_allclose(conv["conv2d_multi"](image, filters, biases), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("h", "w", "c", "f", "s"), [(4, 4, 1, 2, 1), (7, 9, 3, 3, 2), (8, 5, 2, 3, 1), (11, 6, 4, 4, 3)])
def test_im2col(conv, h, w, c, f, s):
    image = RNG.normal(size=(h, w, c))
    patches = tf.image.extract_patches(image[None], [1, f, f, 1], [1, s, s, 1], [1, 1, 1, 1], "VALID").numpy()[0]
    expected = patches.reshape(-1, f * f * c).T
    np.testing.assert_allclose(conv["im2col"](image, f, stride=s), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("h", "w", "c", "f", "k", "s"), [(6, 6, 3, 3, 2, 1), (7, 9, 2, 3, 4, 2), (10, 7, 3, 2, 5, 3)])
def test_conv2d_im2col(conv, h, w, c, f, k, s):
    image, filters, biases = RNG.normal(size=(h, w, c)), RNG.normal(size=(f, f, c, k)), RNG.normal(size=k)
    expected = tf.nn.conv2d(image[None], filters, s, "VALID").numpy()[0] + biases
    np.testing.assert_allclose(conv["conv2d_im2col"](image, filters, biases, stride=s), expected, rtol=1e-6, atol=1e-9)


def test_conv2d_rejects_bad_arguments(conv):
    for args in [(np.ones((3, 3, 1)), np.ones((2, 2))), (np.ones((3, 3)), np.ones((4, 4))), (np.ones(3), np.ones(2))]:
        with pytest.raises(ValueError):
            conv["conv2d"](*args)
    with pytest.raises(ValueError):
        conv["conv2d_multi"](np.ones((5, 5, 3)), np.ones((3, 3, 2, 4)), np.ones(4))
    with pytest.raises(ValueError):
        conv["conv2d_multi"](np.ones((5, 5, 3)), np.ones((3, 3, 3, 4)), np.ones(3))
