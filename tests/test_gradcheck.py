"""course_utils.gradcheck: the numerical gradient is right, x comes back unchanged, wrong gradients are explained."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from course_utils import gradcheck
from course_utils.checks import CheckFailure
from course_utils.checks.messages import NOT_IMPLEMENTED_HINT
from course_utils.gradcheck import (
    GRADIENT_TOLERANCE,
    GradientCheck,
    check_gradient,
    gradient_check,
    numerical_gradient,
    relative_error,
)

GRADED = [
    "batchnorm_forward",
    "batchnorm_backward",
    "dropout_mask",
    "dropout_forward",
    "dropout_backward",
    "softmax",
    "cross_entropy",
    "conv_params",
    "dense_params",
    "build_cnn",
    "build_minivgg",
]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def failure(*args, **kwargs) -> str:
    with pytest.raises(CheckFailure) as info:
        check_gradient(*args, **kwargs)
    return str(info.value)


class Counted:
    """f wrapped to count its calls."""

    def __init__(self, f):
        self.f = f
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


# A product with two inputs and a coupled expression: gradients known in closed form, none a graded exercise.
X = rng(1).normal(size=(4, 5))
W = rng(2).normal(size=(5, 3))
DOUT = rng(3).normal(size=(4, 3))
DW = X.T @ DOUT
DX = DOUT @ W.T


def coupled(x: np.ndarray) -> np.ndarray:
    """out[i, j] = tanh(x[i, j]) * sum_k x[i, k]: every element of a row depends on the whole row."""
    return np.tanh(x) * x.sum(axis=1, keepdims=True)


def coupled_grad(x: np.ndarray, dout: np.ndarray) -> np.ndarray:
    t = np.tanh(x)
    s = x.sum(axis=1, keepdims=True)
    return dout * (1 - t**2) * s + (dout * t).sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- module surface


def test_module_defines_no_graded_exercise():
    assert not set(GRADED) & set(vars(gradcheck))
    assert set(gradcheck.__all__) == {
        "GRADIENT_TOLERANCE",
        "GradientCheck",
        "check_gradient",
        "gradient_check",
        "numerical_gradient",
        "relative_error",
    }


def test_the_one_tolerance():
    assert GRADIENT_TOLERANCE == 1e-7
    assert "GRADIENT_TOLERANCE = 1e-7" in gradcheck.__doc__ and "O(h²)" in gradcheck.__doc__


# --------------------------------------------------------------------------- numerical_gradient


def test_square_without_dout_is_two_x():
    x = rng().normal(size=(3, 4))
    assert relative_error(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x) < 1e-9


def test_sin_with_dout_is_cos_times_dout():
    x = rng(4).uniform(-3, 3, size=(2, 3, 4))
    dout = rng(5).normal(size=x.shape)
    assert relative_error(numerical_gradient(np.sin, x, dout), np.cos(x) * dout) < 1e-9


def test_matrix_product_with_respect_to_each_argument():
    x, w = X.copy(), W.copy()
    assert relative_error(numerical_gradient(lambda v: v @ w, x, DOUT), DX) < 1e-9
    assert relative_error(numerical_gradient(lambda v: x @ v, w, DOUT), DW) < 1e-9


def test_coupled_expression():
    x = rng(6).normal(size=(3, 4))
    dout = rng(7).normal(size=(3, 4))
    assert relative_error(numerical_gradient(coupled, x, dout), coupled_grad(x, dout)) < 1e-9


def test_f_may_read_x_from_the_enclosing_scope():
    w = W.copy()
    assert relative_error(numerical_gradient(lambda _: X @ w, w, DOUT), DW) < 1e-9


def test_a_0d_array_and_a_python_number_result():
    x = np.array(2.0)
    grad = numerical_gradient(lambda v: float(v) ** 3, x)
    assert grad.shape == () and abs(grad - 12.0) < 1e-8


def test_none_dout_is_the_same_as_ones():
    x = rng(8).normal(size=(3, 4))
    assert np.allclose(numerical_gradient(coupled, x), numerical_gradient(coupled, x, np.ones((3, 4))), atol=1e-12)


def test_f_is_called_twice_per_element_and_the_result_is_float64():
    f = Counted(lambda v: v @ W)
    grad = numerical_gradient(f, X.copy(), DOUT)
    assert f.calls == 2 * X.size
    assert grad.dtype == np.float64 and grad.shape == X.shape


def test_x_is_restored_exactly():
    x = rng(9).normal(size=(5, 6)) * 1e3  # x + h - h is not x for most of these values
    before = x.copy()
    numerical_gradient(lambda v: v**2, x, np.ones_like(x))
    assert np.array_equal(x, before) and x.tobytes() == before.tobytes()


def test_x_is_restored_when_f_raises():
    x = rng(10).normal(size=(3, 3))
    before = x.copy()
    calls = []

    def breaks_on_the_fifth_call(v):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("boom")
        return v

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(breaks_on_the_fifth_call, x, np.ones((3, 3)))
    assert np.array_equal(x, before)


def test_x_is_restored_when_f_changes_it():
    x = rng(11).normal(size=4)
    before = x.copy()

    def scribbles(v):
        v[0] = 99.0
        return v.sum()

    numerical_gradient(scribbles, x)
    assert np.array_equal(x, before)


def test_dout_is_not_changed_and_a_view_of_x_works():
    big = rng(12).normal(size=(6, 6))
    view = big[::2, 1::2]  # non-contiguous
    dout = rng(13).normal(size=view.shape)
    dout_before, big_before = dout.copy(), big.copy()
    grad = numerical_gradient(np.sin, view, dout)
    assert relative_error(grad, np.cos(view) * dout) < 1e-9
    assert np.array_equal(dout, dout_before) and np.array_equal(big, big_before)


@pytest.mark.parametrize(
    "x, match",
    [
        (np.ones(3, dtype=np.float32), "float64, got float32"),
        (np.ones(3, dtype=int), "float64, got int"),
        ([1.0, 2.0], "NumPy array, got list"),
    ],
)
def test_x_must_be_a_float64_array(x, match):
    with pytest.raises(ValueError, match=match):
        numerical_gradient(np.sum, x)


def test_bad_h_dout_shape_and_tuple_results_are_value_errors():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="h must be"):
        numerical_gradient(np.sum, x, h=0)
    with pytest.raises(ValueError, match=r"f\(x\) returned shape \(2, 3\), but dout has shape \(3, 2\)"):
        numerical_gradient(lambda v: v, x, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"tuple of 2 values.*\[0\]"):
        numerical_gradient(lambda v: (v, "cache"), x, np.ones((2, 3)))
    read_only = np.ones(3)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        numerical_gradient(np.sum, read_only)


# --------------------------------------------------------------------------- relative_error


def test_relative_error_definition():
    a = np.array([1.0, 2.0, -3.0])
    b = np.array([1.1, 2.0, -3.0])
    assert math.isclose(relative_error(a, b), 0.1 / 2.1)
    assert relative_error(a, b) == relative_error(b, a)
    assert relative_error(3.0, 3.0) == 0.0


def test_relative_error_zeros_and_tiny_values():
    zeros = np.zeros((2, 2))
    assert relative_error(zeros, zeros) == 0.0
    assert relative_error(np.zeros(2), np.array([0.0, 1.0])) == 1.0  # one of the two is 0
    assert math.isclose(relative_error(0.0, 1e-20), 1e-12)  # below the 1e-8 floor: absolute / 1e-8
    assert relative_error(np.array([2.0]), np.array([-2.0])) == 1.0  # opposite signs


def test_relative_error_empty_nan_and_shapes():
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0
    assert math.isnan(relative_error(np.array([1.0, np.nan]), np.array([1.0, 1.0])))
    assert math.isnan(relative_error(np.array([np.inf]), np.array([np.inf])))
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(3, 2\)"):
        relative_error(np.zeros((2, 3)), np.zeros((3, 2)))


# --------------------------------------------------------------------------- GradientCheck and gradient_check


def test_gradient_check_lines():
    good = GradientCheck("dx", 2.3e-10, 1e-7, (0, 0), 1.0, 1.0)
    assert good.passed and str(good) == "✓ dx: relative error 2.3e-10 ≤ 1e-07"
    bad = GradientCheck("dgamma", 0.41, 1e-7, (2, 1), 0.1, 0.17)
    assert not bad.passed
    assert str(bad) == "✗ dgamma: relative error 0.41 > 1e-07 (worst at (2, 1): analytic 0.1, numeric 0.17)"
    assert not GradientCheck("dx", math.nan, 1e-7, (0,), math.nan, 1.0).passed


def test_close_values_are_printed_with_enough_digits_to_differ():
    line = str(GradientCheck("dx", 5e-7, 1e-7, (0,), 0.1511630001, 0.1511630000))
    assert "analytic 0.1511630001, numeric 0.151163" in line


def test_gradient_check_prints_a_tick_for_a_right_gradient(capsys):
    result = gradient_check(lambda v: X @ v, W.copy(), DW, DOUT, name="dW")
    out, err = capsys.readouterr()
    assert out.startswith("✓ dW: relative error ") and out.rstrip().endswith("≤ 1e-07") and out.count("\n") == 1
    assert err == ""
    assert result.passed and result.relative_error < 1e-9
    assert result.numeric_gradient.shape == W.shape


def test_gradient_check_prints_a_cross_and_does_not_raise(capsys):
    wrong = DW.copy()
    wrong[2, 1] += 1.0
    result = gradient_check(lambda v: X @ v, W.copy(), wrong, DOUT, name="dW")
    out, err = capsys.readouterr()
    assert out.startswith("✗ dW: relative error ") and "> 1e-07 (worst at (2, 1): analytic " in out
    assert err == ""
    assert not result.passed and result.worst_index == (2, 1)
    assert math.isclose(result.analytic_value, wrong[2, 1]) and math.isclose(result.numeric_value, DW[2, 1])


def test_gradient_check_reports_a_wrong_shape_without_calling_f(capsys):
    f = Counted(lambda v: X @ v)
    result = gradient_check(f, W.copy(), DW.T, DOUT, name="dW")
    assert f.calls == 0 and not result.passed and result.worst_index is None
    line = "✗ dW: dW has shape (3, 5), but x has shape (5, 3): a gradient always has the shape of x\n"
    assert capsys.readouterr().out == line
    assert not gradient_check(f, W.copy(), None, DOUT, verbose=False).passed


def test_gradient_check_quiet(capsys):
    gradient_check(np.sin, X.copy(), np.cos(X), verbose=False)
    assert capsys.readouterr() == ("", "")


def test_gradient_check_custom_tolerance(capsys):
    result = gradient_check(np.sin, X.copy(), np.cos(X) * (1 + 1e-5), tolerance=1e-4)
    assert result.passed and result.tolerance == 1e-4
    assert capsys.readouterr().out.rstrip().endswith("≤ 0.0001")


# --------------------------------------------------------------------------- check_gradient


def test_check_gradient_passes_silently_for_right_gradients(capsys):
    x = rng(14).normal(size=(3, 4))
    dout = rng(15).normal(size=(3, 4))
    result = check_gradient(coupled, x, coupled_grad(x, dout), dout, exercise="rowwise", case="random (3, 4)")
    assert isinstance(result, GradientCheck) and result.passed
    check_gradient(lambda v: X @ v, W.copy(), DW, DOUT, exercise="dense", case="dW", name="dW")
    assert capsys.readouterr() == ("", "")


def test_check_gradient_scaled_gradient():
    message = failure(
        lambda v: X @ v, W.copy(), 0.25 * DW, DOUT, exercise="dense_backward", case="a random batch", name="dW"
    )
    assert message.startswith("dense_backward: a random batch\n")
    assert "analytic: shape (5, 3), dtype float64" in message and "x:        shape (5, 3)" in message
    assert "> tolerance 1e-07" in message and "worst at index (" in message
    assert "15 of 15 values" in message
    assert "0.25 times the numeric one" in message and "a factor is missing (e.g. 1/N, γ, 1/(1−rate))" in message


def test_check_gradient_factor_equal_to_a_size_of_x():
    message = failure(lambda v: v @ W, X.copy(), DX / 4, DOUT, exercise="dense_backward", case="dx")
    assert "0.25 times" in message and "4 is a size of x" in message
    message = failure(lambda v: v @ W, X.copy(), DX * 5, DOUT, exercise="dense_backward", case="dx")
    assert "5 times" in message and "5 is a size of x: a division by it missing?" in message


def test_check_gradient_sign_flipped():
    message = failure(lambda v: X @ v, W.copy(), -DW, DOUT, exercise="dense_backward", case="dW", name="dW")
    assert "opposite sign everywhere" in message and "relative error 1 >" in message
    assert "times the numeric one" not in message


def test_check_gradient_all_zeros():
    message = failure(lambda v: X @ v, W.copy(), np.zeros_like(DW), DOUT, exercise="dense_backward", case="dW")
    assert "all zeros" in message and "never written or accumulated" in message


@pytest.mark.parametrize(
    "analytic, expected",
    [
        (DW.T, "the axes are in another order"),
        (DW[:, :2], "wrong axis"),
        (DOUT, "the shape of dout"),
        (DW.reshape(1, 5, 3), "keepdims"),
        (DW[0], "an axis was added or dropped"),
    ],
)
def test_check_gradient_wrong_shape(analytic, expected):
    f = Counted(lambda v: X @ v)
    message = failure(f, W.copy(), analytic, DOUT, exercise="dense_backward", case="dW", name="dW", hint="see 6.2")
    assert f.calls == 0
    assert f"analytic: shape {analytic.shape}" in message and "x:        shape (5, 3)" in message
    assert f"dW has shape {analytic.shape}, but x has shape (5, 3)" in message
    assert expected in message and message.rstrip().endswith("hint: see 6.2")


def test_check_gradient_none_and_tuple():
    assert "forget to `return`" in failure(np.sin, X.copy(), None, exercise="e", case="c")
    message = failure(np.sin, X.copy(), (np.cos(X), np.zeros(3)), exercise="e", case="c")
    assert "tuple of 2 values" in message and "pass only the one for x" in message


def test_check_gradient_nan_is_named():
    message = failure(np.sin, X.copy(), np.full_like(X, np.nan), exercise="e", case="c")
    assert "relative error nan" in message and "NaN or inf" in message


def test_check_gradient_small_error_points_at_kinks():
    message = failure(np.sin, X.copy(), np.cos(X) * (1 + 1e-6), exercise="e", case="c")
    assert "small but above the tolerance" in message


def test_check_gradient_near_zero_gradients_point_at_dout():
    x = rng(16).normal(size=(3, 4))
    numeric = numerical_gradient(lambda v: v - v.mean(axis=1, keepdims=True), x, np.ones((3, 4)))
    assert np.abs(numeric).max() < 1e-8  # zero by cancellation, only round-off left
    assert np.any(numeric)
    message = failure(
        lambda v: v - v.mean(axis=1, keepdims=True),
        x,
        np.zeros_like(x),  # the exact answer, but the numeric one is round-off noise
        np.ones((3, 4)),
        exercise="centre",
        case="dout of ones",
    )
    assert "random dout, not ones" in message and "never written" not in message


def test_check_gradient_reports_the_forward_pass():
    def not_done(v):
        raise NotImplementedError()

    assert NOT_IMPLEMENTED_HINT in failure(not_done, X.copy(), DX, exercise="e", case="c")
    message = failure(lambda v: v[:, :2], X.copy(), DX, DOUT, exercise="e", case="c")
    assert "f(x) returned shape (4, 2), but dout has shape (4, 3)" in message and "forward pass" in message

    def crashes(v):
        raise IndexError("index 9 is out of bounds")

    message = failure(crashes, X.copy(), DX, exercise="e", case="c")
    assert "f(x) raised IndexError: index 9 is out of bounds" in message


def test_check_gradient_author_errors_are_value_errors():
    with pytest.raises(ValueError, match="float64"):
        check_gradient(np.sin, X.astype(np.float32), np.cos(X), exercise="e", case="c")


def test_check_failure_is_an_assertion_error_and_nothing_goes_to_stderr(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AssertionError):
            check_gradient(np.sin, X.copy(), np.cos(X) * 2, exercise="e", case="c")
        with pytest.raises(AssertionError):
            check_gradient(np.sin, X.copy(), np.full_like(X, np.inf), exercise="e", case="c")
        message = failure(np.log, np.array([-1.0, 1.0]), np.array([1.0, 1.0]), exercise="log", case="x < 0")
    assert "the numeric gradient holds NaN or inf" in message
    assert capsys.readouterr().err == ""
