"""The reference solutions against independent oracles, on many random cases the notebooks never show.

The answer cells of each solution notebook are executed into a namespace (no kernel, no test cells) and
compared with TensorFlow, SciPy and NumPy on random shapes, strides and dtypes. This guards the
solutions themselves: a hidden test can only be as right as the answer it was written beside.
"""

from __future__ import annotations

import json
import os
import zlib

import numpy as np
import pytest
import tensorflow as tf
from scipy import signal

from grader.cells import is_answer, is_graded, is_locked, source
from grader.lessons import SOLUTIONS
from grader.trusted import trusted_setup


def answers(lesson_id: str) -> dict:
    """Run the lesson's setup cell, then its answer cells, and return the namespace they define."""
    nb = json.loads((SOLUTIONS / lesson_id / f"{lesson_id}.ipynb").read_text(encoding="utf-8"))
    setup = next(c for c in nb["cells"] if c.get("id") == "setup")
    namespace = trusted_setup(source(setup))
    for cell in nb["cells"]:
        if is_answer(cell) and cell["cell_type"] == "code":
            exec(compile(source(cell), f"{lesson_id}:{cell['id']}", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def pixels():
    return answers("01_pixels")


@pytest.fixture(scope="module")
def conv():
    return answers("02_convolution")


RNG: np.random.Generator  # each test's own, set by _draws_of_its_own before it runs


@pytest.fixture(autouse=True)
def _draws_of_its_own(request):
    """Each test draws its cases from a generator seeded by its own name, so they do not depend on which tests
    ran before it in the same worker (xdist hands them out by timing). ``ORACLE_SALT`` draws other cases."""
    global RNG
    RNG = np.random.default_rng(zlib.crc32((request.node.nodeid + os.environ.get("ORACLE_SALT", "")).encode()))
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


@pytest.mark.parametrize(
    ("h", "w", "c", "f", "k"), [(3, 3, 1, 1, 1), (6, 6, 3, 3, 2), (7, 9, 2, 3, 4), (8, 5, 4, 5, 3)]
)
def test_conv2d_multi(conv, h, w, c, f, k):
    image, filters, biases = RNG.normal(size=(h, w, c)), RNG.normal(size=(f, f, c, k)), RNG.normal(size=k)
    expected = tf.nn.conv2d(image[None], filters, 1, "VALID").numpy()[0] + biases
    np.testing.assert_allclose(conv["conv2d_multi"](image, filters, biases), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    ("h", "w", "c", "f", "s"), [(4, 4, 1, 2, 1), (7, 9, 3, 3, 2), (8, 5, 2, 3, 1), (11, 6, 4, 4, 3)]
)
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


# ----------------------------------------------------------------------------- 03 padding and stride
@pytest.fixture(scope="module")
def padding():
    return answers("03_padding_stride")


@pytest.fixture(scope="module")
def pooling():
    return answers("04_pooling")


def _tf_valid_size(n: int, f: int, p: int, s: int) -> int:
    x = tf.zeros((1, n + 2 * p, n + 2 * p, 1))
    return int(tf.nn.conv2d(x, tf.zeros((f, f, 1, 1)), s, "VALID").shape[1])


@pytest.mark.parametrize(
    ("n", "f", "p", "s"),
    [
        (6, 3, 0, 1),
        (7, 3, 0, 2),
        (32, 5, 0, 2),
        (7, 3, 0, 3),
        (8, 3, 0, 2),
        (5, 3, 1, 2),
        (9, 4, 2, 3),
        (1, 1, 0, 5),
        (3, 5, 1, 1),
        (10, 7, 3, 4),
    ],
)
def test_conv_output_size(padding, n, f, p, s):
    assert padding["conv_output_size"](n, f, p, s) == _tf_valid_size(n, f, p, s)
    assert isinstance(padding["conv_output_size"](n, f, p=p, s=s), int)


@pytest.mark.parametrize(
    "args", [(0, 3), (5, 0), (5, 3, -1), (5, 3, 0, 0), (5.0, 3), (5, 3, 0, 1.5), (3, 5), (True, 1)]
)
def test_conv_output_size_rejects_bad_arguments(padding, args):
    with pytest.raises(ValueError):
        padding["conv_output_size"](*args)


@pytest.mark.parametrize("f", [1, 3, 5, 7, 9])
def test_same_padding_keeps_the_size(padding, f):
    p = padding["same_padding"](f)
    x = RNG.normal(size=(1, 11, 8, 1)).astype(np.float32)
    w = RNG.normal(size=(f, f, 1, 1)).astype(np.float32)
    same = tf.nn.conv2d(x, w, 1, "SAME").numpy()
    valid = tf.nn.conv2d(np.pad(x, ((0, 0), (p, p), (p, p), (0, 0))), w, 1, "VALID").numpy()
    np.testing.assert_allclose(valid, same, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("f", [0, 2, 4, -3])
def test_same_padding_rejects_even_sizes(padding, f):
    with pytest.raises(ValueError):
        padding["same_padding"](f)


@pytest.mark.parametrize(("shape", "pad"), [((1, 3, 5, 1), 0), ((2, 4, 3, 3), 1), ((3, 2, 6, 2), 3)])
def test_zero_pad(padding, shape, pad):
    X = RNG.normal(size=shape)
    expected = tf.pad(X, [[0, 0], [pad, pad], [pad, pad], [0, 0]]).numpy()
    np.testing.assert_array_equal(padding["zero_pad"](X, pad), expected)


@pytest.mark.parametrize(
    ("n", "h", "w", "c", "f", "k", "s", "p"),
    [(1, 5, 5, 1, 3, 1, 1, 0), (2, 9, 6, 3, 3, 4, 2, 1), (3, 7, 8, 2, 2, 3, 3, 2), (1, 4, 11, 4, 5, 2, 2, 2)],
)
@pytest.mark.parametrize("bias_shape", ["flat", "4d"])
def test_conv_forward(padding, n, h, w, c, f, k, s, p, bias_shape):
    X, W, b = RNG.normal(size=(n, h, w, c)), RNG.normal(size=(f, f, c, k)), RNG.normal(size=k)
    expected = tf.nn.conv2d(np.pad(X, ((0, 0), (p, p), (p, p), (0, 0))), W, s, "VALID").numpy() + b
    bias = b if bias_shape == "flat" else b.reshape(1, 1, 1, k)
    np.testing.assert_allclose(padding["conv_forward"](X, W, bias, stride=s, pad=p), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("n", [1, 2, 5, 7, 8, 10])
@pytest.mark.parametrize("f", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_tf_same_padding(padding, n, f, s):
    before, after = padding["tf_same_padding"](n, f, s)
    x = RNG.normal(size=(1, n, n + 1, 1)).astype(np.float32)
    w = RNG.normal(size=(f, f, 1, 1)).astype(np.float32)
    same = tf.nn.conv2d(x, w, s, "SAME").numpy()
    b2, a2 = padding["tf_same_padding"](n + 1, f, s)
    valid = tf.nn.conv2d(np.pad(x, ((0, 0), (before, after), (b2, a2), (0, 0))), w, s, "VALID").numpy()
    np.testing.assert_allclose(valid, same, rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- 04 pooling
POOL_CASES = [(1, 4, 4, 1, 2, 2), (2, 7, 9, 3, 3, 2), (3, 6, 5, 2, 2, 1), (1, 8, 5, 4, 3, 3), (2, 5, 7, 2, 1, 2)]


@pytest.mark.parametrize(("n", "h", "w", "c", "f", "s"), POOL_CASES)
@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool_forward(pooling, n, h, w, c, f, s, mode):
    X = RNG.normal(size=(n, h, w, c))
    oracle = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    expected = oracle(X, ksize=f, strides=s, padding="VALID").numpy()
    np.testing.assert_allclose(pooling["pool_forward"](X, f=f, stride=s, mode=mode), expected, rtol=1e-6, atol=1e-9)


def test_pool_forward_rejects_bad_arguments(pooling):
    X = np.zeros((1, 4, 4, 1))
    for kwargs in [{"mode": "min"}, {"f": 0}, {"stride": 0}, {"f": 5}, {"stride": 1.5}]:
        with pytest.raises(ValueError):
            pooling["pool_forward"](X, **kwargs)
    with pytest.raises(ValueError):
        pooling["pool_forward"](np.zeros((4, 4, 1)))


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 5, 4), (5, 7, 2, 3)])
def test_global_average_pool(pooling, shape):
    X = RNG.normal(size=shape)
    expected = tf.keras.layers.GlobalAveragePooling2D()(X).numpy()
    np.testing.assert_allclose(pooling["global_average_pool"](X), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("n", "h", "w", "c", "f", "s"), POOL_CASES)
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("ties", [False, True])
def test_pool_backward_matches_gradient_tape(pooling, n, h, w, c, f, s, mode, ties):
    X = RNG.integers(0, 3, size=(n, h, w, c)).astype(np.float64) if ties else RNG.normal(size=(n, h, w, c))
    oracle = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    Xt = tf.constant(X)
    with tf.device("/CPU:0"), tf.GradientTape() as tape:
        tape.watch(Xt)
        out = oracle(Xt, ksize=f, strides=s, padding="VALID")
    dA = RNG.normal(size=out.shape)
    expected = tape.gradient(out, Xt, output_gradients=tf.constant(dA)).numpy()
    got = pooling["pool_backward"](dA, X, f, s, mode)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------------------- 06 dropout
@pytest.fixture(scope="module")
def dropout():
    return answers("06_dropout")


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 0.9])
def test_dropout_mask_statistics(dropout, rate):
    mask = dropout["dropout_mask"]((500, 2000), rate, np.random.default_rng(5))
    assert mask.shape == (500, 2000) and set(np.unique(mask)) <= {0.0, 1.0}
    assert abs(mask.mean() - (1 - rate)) < 0.005
    again = dropout["dropout_mask"]((500, 2000), rate, np.random.default_rng(5))
    np.testing.assert_array_equal(mask, again)


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_forward_matches_keras_scaling(dropout, rate):
    x = RNG.normal(size=(300, 400)).astype(np.float32)
    out, mask = dropout["dropout_forward"](x, rate, True, np.random.default_rng(1))
    keras_out = tf.keras.layers.Dropout(rate, seed=1)(x, training=True).numpy()
    kept = keras_out != 0
    np.testing.assert_allclose(keras_out[kept], x[kept] / (1 - rate), rtol=1e-6)
    np.testing.assert_allclose(out[mask == 1], x[mask == 1] / (1 - rate), rtol=1e-6)
    assert np.all(out[mask == 0] == 0)
    assert abs((mask == 1).mean() - kept.mean()) < 0.01
    same, ones = dropout["dropout_forward"](x, rate, False, np.random.default_rng(1))
    np.testing.assert_array_equal(same, tf.keras.layers.Dropout(rate)(x, training=False).numpy())
    assert np.all(ones == 1)


def test_dropout_backward_matches_gradient_tape(dropout):
    x = tf.constant(RNG.normal(size=(20, 30)))
    rate = 0.3
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = tf.nn.experimental.stateless_dropout(x, rate, seed=[1, 2])
    dout = RNG.normal(size=(20, 30))
    expected = tape.gradient(out, x, output_gradients=tf.constant(dout)).numpy()
    mask = (out.numpy() != 0).astype(np.float64)
    np.testing.assert_allclose(dropout["dropout_backward"](dout, mask, rate), expected, rtol=1e-9)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_dropout_rejects_rates_outside_the_interval(dropout, rate):
    rng = np.random.default_rng(0)
    for call in (
        lambda: dropout["dropout_mask"]((3, 3), rate, rng),
        lambda: dropout["dropout_forward"](np.ones((3, 3)), rate, True, rng),
        lambda: dropout["dropout_backward"](np.ones((3, 3)), np.ones((3, 3)), rate),
    ):
        with pytest.raises(ValueError):
            call()


# ----------------------------------------------------------------------------- 05 batch normalization
@pytest.fixture(scope="module")
def batchnorm():
    return answers("05_batch_norm")


def _keras_bn(shape, gamma, beta, eps, momentum=0.99):
    layer = tf.keras.layers.BatchNormalization(epsilon=eps, momentum=momentum, dtype="float64")
    layer.build(shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return layer


@pytest.mark.parametrize(("n", "d", "eps"), [(2, 1, 1e-3), (8, 5, 1e-3), (33, 4, 1e-5)])
def test_batchnorm_forward(batchnorm, n, d, eps):
    x, gamma, beta = RNG.normal(2, 3, size=(n, d)), RNG.normal(size=d), RNG.normal(size=d)
    layer = _keras_bn((None, d), gamma, beta, eps)
    expected = layer(x, training=True).numpy()
    out, mean, var = batchnorm["batchnorm_forward"](x, gamma, beta, eps=eps)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(mean, x.mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(var, x.var(axis=0), rtol=1e-9)
    np.testing.assert_allclose(layer.moving_mean.numpy(), batchnorm["update_moving"](np.zeros(d), mean), rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), batchnorm["update_moving"](np.ones(d), var), rtol=1e-6)


@pytest.mark.parametrize("shape", [(1, 3, 4, 2), (4, 5, 3, 3)])
def test_batchnorm_forward_conv_and_inference(batchnorm, shape):
    c = shape[-1]
    x, gamma, beta = RNG.normal(1, 2, size=shape), RNG.normal(size=c), RNG.normal(size=c)
    layer = _keras_bn((None, *shape[1:]), gamma, beta, 1e-3)
    out, mean, var = batchnorm["batchnorm_forward_conv"](x, gamma, beta)
    np.testing.assert_allclose(out, layer(x, training=True).numpy(), rtol=1e-6, atol=1e-9)
    moving_mean, moving_var = RNG.normal(size=c), RNG.random(c) + 0.5
    layer.moving_mean.assign(moving_mean)
    layer.moving_variance.assign(moving_var)
    expected = layer(x, training=False).numpy()
    got = batchnorm["batchnorm_inference"](x, gamma, beta, moving_mean, moving_var)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("n", "d"), [(4, 3), (16, 6)])
def test_batchnorm_backward_matches_gradient_tape(batchnorm, n, d):
    x, gamma, beta = RNG.normal(size=(n, d)), RNG.normal(size=d), RNG.normal(size=d)
    dout = RNG.normal(size=(n, d))
    xt, gt, bt = (tf.Variable(v) for v in (x, gamma, beta))
    with tf.GradientTape() as tape:
        mean, var = tf.nn.moments(xt, axes=[0])
        out = tf.nn.batch_normalization(xt, mean, var, bt, gt, 1e-3)
    expected = tape.gradient(out, [xt, gt, bt], output_gradients=tf.constant(dout))
    got = batchnorm["batchnorm_backward"](dout, x, gamma, eps=1e-3)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e.numpy(), rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------------------- 07 training a full CNN
@pytest.fixture(scope="module")
def training():
    return answers("07_cnn_training")


@pytest.mark.parametrize("z", [[2.0, 1.0, 0.1], [1000.0, 1001.0], [[1.0, 2.0, 3.0], [-5.0, 0.0, 5.0]]])
def test_softmax(training, z):
    z = np.array(z)
    got = training["softmax"](z)
    np.testing.assert_allclose(got, tf.nn.softmax(z, axis=-1).numpy(), rtol=1e-9)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0)


def test_cross_entropy_is_keras_sparse_categorical(training):
    probs = tf.nn.softmax(RNG.normal(size=(16, 10))).numpy()
    labels = RNG.integers(0, 10, size=16)
    expected = tf.keras.losses.SparseCategoricalCrossentropy()(labels, probs).numpy()
    assert training["cross_entropy"](labels, probs) == pytest.approx(float(expected), rel=1e-5)
    assert training["cross_entropy"](np.array([0]), np.array([[0.6, 0.4]])) == pytest.approx(0.5108, abs=1e-4)


@pytest.mark.parametrize(("f", "c_in", "k"), [(3, 1, 32), (3, 32, 64), (5, 3, 10), (11, 3, 96)])
def test_conv_params_match_keras(training, f, c_in, k):
    layer = tf.keras.layers.Conv2D(k, f)
    layer.build((None, 64, 64, c_in))
    assert training["conv_params"](f, c_in, k) == layer.count_params()


def test_reference_model_parameter_count(training):
    model = training["build_cnn"]()
    assert model.count_params() == 1_199_882
    assert training["dense_params"](9216, 128) == 1_179_776
    assert model.output_shape == (None, 10)
    minivgg = training["build_minivgg"]()
    assert minivgg.output_shape == (None, 10)


# ----------------------------------------------------------------------------- 08 backpropagation
@pytest.fixture(scope="module")
def backprop():
    """Lesson 08's answers, with the forward passes its locked cells give (the network's answers call them)."""
    nb = json.loads((SOLUTIONS / "08_backprop" / "08_backprop.ipynb").read_text(encoding="utf-8"))
    namespace = trusted_setup(source(next(c for c in nb["cells"] if c.get("id") == "setup")))
    for cell in nb["cells"]:
        given = is_locked(cell) and cell.get("id") != "setup" and not is_graded(cell)
        if cell["cell_type"] == "code" and (given or (is_answer(cell) and source(cell).startswith("def "))):
            exec(compile(source(cell), f"08_backprop:{cell['id']}", "exec"), namespace)
    return namespace


def tape(forward, sources, dout):
    """Gradients of sum(forward(*sources) * dout) with respect to every source, by tf.GradientTape (float64)."""
    tensors = [tf.constant(s, tf.float64) for s in sources]
    with tf.GradientTape() as recorder:
        recorder.watch(tensors)
        out = forward(*tensors)
    return [g.numpy() for g in recorder.gradient(out, tensors, output_gradients=tf.constant(dout, tf.float64))]


@pytest.mark.parametrize(("n", "h", "w", "c", "k", "f", "stride", "pad"),
                         [(1, 5, 5, 1, 1, 3, 1, 0), (2, 7, 6, 3, 4, 3, 2, 1), (3, 9, 8, 2, 5, 4, 3, 2),
                          (2, 6, 11, 4, 2, 1, 2, 0), (1, 8, 8, 3, 3, 5, 1, 2), (4, 10, 7, 1, 6, 2, 3, 1)])
def test_conv_backward_is_tensorflows_gradient(backprop, n, h, w, c, k, f, stride, pad):
    X, W = RNG.normal(size=(n, h, w, c)), RNG.normal(size=(f, f, c, k))
    padding = [[0, 0], [pad, pad], [pad, pad], [0, 0]]
    dout = RNG.normal(size=tf.nn.conv2d(X, W, stride, padding).shape)
    got = backprop["conv_backward"](dout, X, W, stride, pad)
    expected = tape(lambda x, v, b: tf.nn.conv2d(x, v, stride, padding) + b, [X, W, np.zeros(k)], dout)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12)


def test_dense_relu_and_softmax_backward_are_tensorflows_gradients(backprop):
    x, W, dout = RNG.normal(size=(5, 4)), RNG.normal(size=(4, 4)), RNG.normal(size=(5, 4))
    expected = tape(lambda a, v, b: a @ v + b, [x, W, np.zeros(4)], dout)
    for g, e in zip(backprop["affine_backward"](dout, x, W), expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)
    x[0, :2] = 0.0
    np.testing.assert_array_equal(backprop["relu_backward"](dout, x), tape(tf.nn.relu, [x], dout)[0])
    scores, labels = RNG.normal(scale=300.0, size=(6, 10)), RNG.integers(0, 10, size=6)
    logits = tf.constant(scores)
    with tf.GradientTape() as recorder:
        recorder.watch(logits)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
    got_loss, got_grad = backprop["softmax_cross_entropy"](scores, labels)
    assert got_loss == pytest.approx(float(loss), rel=1e-12)
    np.testing.assert_allclose(got_grad, recorder.gradient(loss, logits).numpy(), rtol=1e-9, atol=1e-15)


def test_cnn_loss_is_tensorflows_gradient_and_sgd_momentum_is_keras(backprop):
    X, y = RNG.normal(size=(4, 7, 6, 2)), np.array([0, 2, 1, 2])
    params = {"W1": RNG.normal(size=(3, 3, 2, 5)), "b1": RNG.normal(size=5), "W2": RNG.normal(size=(45, 3)),
              "b2": RNG.normal(size=3)}
    sources = {name: tf.constant(value) for name, value in params.items()}
    with tf.GradientTape() as recorder:
        recorder.watch(sources)
        a = tf.nn.conv2d(X, sources["W1"], 1, [[0, 0], [1, 1], [1, 1], [0, 0]]) + sources["b1"]
        pooled = tf.nn.max_pool2d(tf.nn.relu(a), 2, 2, "VALID")
        scores = tf.reshape(pooled, (4, -1)) @ sources["W2"] + sources["b2"]
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, scores))
    got_loss, got_grads = backprop["cnn_loss"](params, X, y)
    assert got_loss == pytest.approx(float(loss), rel=1e-12)
    for name, grad in recorder.gradient(loss, sources).items():
        np.testing.assert_allclose(got_grads[name], grad.numpy(), rtol=1e-9, atol=1e-12)
    w, dw = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    variable = tf.keras.Variable(w, dtype="float64")
    tf.keras.optimizers.SGD(learning_rate=0.5, momentum=0.9).apply([tf.constant(dw)], [variable])
    np.testing.assert_allclose(backprop["sgd_momentum"](w, dw, np.zeros_like(w), 0.5)[0], variable.numpy(), rtol=1e-12)


# ----------------------------------------------------------------------------- 09 classic architectures
@pytest.fixture(scope="module")
def architectures():
    return answers("09_architectures")


def field_by_intervals(stack: list[tuple[int, int]]) -> tuple[int, int]:
    """(r, j) by brute force: the input pixels under top units 0 and 1, followed down the stack as intervals."""
    spans = [(0, 0), (1, 1)]
    for f, s in reversed(stack):
        spans = [(lo * s, hi * s + f - 1) for lo, hi in spans]
    (lo0, hi0), (lo1, _) = spans
    return hi0 - lo0 + 1, lo1 - lo0


def test_receptive_field_is_the_span_of_the_input_that_reaches_a_unit(architectures):
    assert architectures["receptive_field"]([(3, 1), (2, 2), (3, 1)]) == (8, 2)
    for _ in range(40):
        stack = [tuple(int(v) for v in RNG.integers(1, 6, size=2)) for _ in range(RNG.integers(0, 7))]
        assert architectures["receptive_field"](stack) == field_by_intervals(stack), stack


def test_output_sizes_are_tensorflows_output_shapes(architectures):
    """Random stacks (their own seed: the test's order under xdist does not matter); one that stops fitting must
    raise ValueError, as the lesson states."""
    rng = np.random.default_rng(20261201)
    for _ in range(25):
        n = int(rng.integers(20, 80))
        stack = [(int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(0, 3))) for _ in range(4)]
        x, expected = tf.zeros((1, n, 3, 1)), []
        for f, s, p in stack:
            if int(x.shape[1]) + 2 * p < f:
                with pytest.raises(ValueError):
                    architectures["output_sizes"](n, stack)
                break
            x = tf.nn.conv2d(x, tf.zeros((f, 1, 1, 1)), [1, s, 1, 1], [[0, 0], [p, p], [0, 0], [0, 0]])
            expected.append(int(x.shape[1]))
        else:
            assert architectures["output_sizes"](n, stack) == expected, (n, stack)


def test_counts_match_keras_layers(architectures):
    model = architectures["lenet5"]()
    assert model.count_params() == 61_706 and model.output_shape == (None, 10)
    for f, c_in, k in [(3, 256, 256), (5, 3, 7), (1, 8, 2)]:
        layer = tf.keras.layers.SeparableConv2D(k, f, use_bias=False)
        layer.build((None, 9, 9, c_in))
        assert architectures["separable_params"](f, c_in, k) == layer.count_params()
    for h, w, c_in, c_mid, c_out, f in [(28, 28, 192, 16, 32, 5), (7, 5, 3, 4, 6, 3)]:
        multiplies, shape = 0, (None, h, w, c_in)
        for layer in (tf.keras.layers.Conv2D(c_mid, 1), tf.keras.layers.Conv2D(c_out, f, padding="same")):
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
            multiplies += int(np.prod(shape[1:])) * int(np.prod(layer.kernel.shape[:3]))
        assert architectures["bottleneck_cost"](h, w, c_in, c_mid, c_out, f) == multiplies


@pytest.mark.parametrize(("shape", "filters", "stride"), [((8, 8, 16), 16, 1), ((8, 6, 8), 8, 2), ((5, 7, 3), 6, 1)])
def test_residual_block_is_relu_of_f_plus_the_shortcut(architectures, shape, filters, stride):
    keras = tf.keras
    inputs = keras.Input(shape=shape)
    model = keras.Model(inputs, architectures["residual_block"](inputs, filters, stride=stride))
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    for norm in norms:
        norm.set_weights([RNG.uniform(0.5, 1.5, filters), RNG.normal(size=filters), RNG.normal(size=filters),
                          RNG.uniform(0.5, 2.0, filters)])
    by_input = {id(layer): layer.input._keras_history.operation for layer in convs + norms}
    norm_of = {id(by_input[id(norm)]): norm for norm in norms}

    def conv_norm(x, conv):
        gamma, beta, mean, var = norm_of[id(conv)].get_weights()
        z = tf.nn.conv2d(x, conv.get_weights()[0], conv.strides, "SAME").numpy()
        return gamma * (z - mean) / np.sqrt(var + 1e-3) + beta

    on_input = [c for c in convs if isinstance(by_input[id(c)], keras.layers.InputLayer)]
    (first,) = [c for c in on_input if c.kernel_size == (3, 3)]
    (second,) = [c for c in convs if c not in on_input]
    x = RNG.normal(size=(3, *shape)).astype(np.float32)
    residual = conv_norm(np.maximum(conv_norm(x, first), 0), second)
    projection = [c for c in convs if c.kernel_size == (1, 1)]
    shortcut = conv_norm(x, projection[0]) if projection else x
    assert bool(projection) == (stride != 1 or shape[-1] != filters)
    np.testing.assert_allclose(model(x, training=False), np.maximum(residual + shortcut, 0), rtol=1e-4, atol=1e-4)


def test_small_resnets_have_the_published_sizes(architectures):
    """He et al. 2015, CIFAR-10: ResNet-20 has 0.27 M parameters and ResNet-56 0.85 M (identity shortcuts padded
    with zeros); our projections add 2,560 weights and their batch normalizations."""
    for n, published in [(3, 0.27e6), (9, 0.85e6)]:
        model = architectures["build_small_resnet"]((32, 32, 3), 10, n)
        trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
        assert abs(trainable - published) / published < 0.02, (n, trainable)
        assert model.output_shape == (None, 10)
