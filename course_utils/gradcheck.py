"""Gradient checks: compare a backward pass with a numerical gradient from central differences.

A backward function receives ``dout`` = ∂L/∂out, the gradient of some loss L with respect to the output of
the forward function f, and returns ∂L/∂x. To test it without knowing L, take the loss whose upstream gradient
is exactly ``dout``::

    L(x) = sum(f(x) * dout)          so that   ∂L/∂out = dout

and estimate ∂L/∂x_i one element at a time with a central difference::

    ∂L/∂x_i ≈ (L(x + h e_i) - L(x - h e_i)) / 2h          e_i: 1 at index i, 0 elsewhere

The two gradients are compared with the relative error (see :func:`relative_error`), which does not depend on
the scale of the values.

Why one tolerance, ``GRADIENT_TOLERANCE = 1e-7`` (float64 inputs, h = 1e-5)
    The central difference has a truncation error O(h²): h²/6 · f''' ≈ 1e-10 relative to the gradient for a
    smooth f (it is exact for quadratics). Rounding adds about ε · |L| / h ≈ 2.2e-16 / 1e-5 ≈ 2e-11 relative, where
    ε is the float64 machine epsilon. A correct backward pass therefore gives relative errors around 1e-10;
    1e-7 leaves a margin of a thousand. A real bug (a missing factor, a sign, a forgotten term) gives 1e-3 or
    more, usually 1e-2 to 1. Two cases break these numbers, and both are fixed in the test, not by a looser
    tolerance: float32 arrays (ε ≈ 1e-7: check in float64), and an input within h of a kink such as ReLU at 0
    or a tie in a max (keep the test inputs away from kinks). Use a random ``dout``, not ones: with ones
    some gradients are zero by cancellation, and the relative error of two near-zero numbers is noise.

Use :func:`gradient_check` to look at one gradient in a lesson (it prints one ✓ or ✗ line and never raises),
and :func:`check_gradient` in a test cell (it raises :class:`~course_utils.checks.CheckFailure` with a diagnosis).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course_utils.checks.messages import NOT_IMPLEMENTED_HINT, failure, format_number, shape_hints

__all__ = [
    "GRADIENT_TOLERANCE",
    "GradientCheck",
    "check_gradient",
    "gradient_check",
    "numerical_gradient",
    "relative_error",
]

#: The one tolerance on the relative error for float64 inputs and h = 1e-5 (see the module docstring).
GRADIENT_TOLERANCE = 1e-7
#: The step h of the central differences.
DEFAULT_STEP = 1e-5
#: Floor of the denominator |a| + |b| in :func:`relative_error`, so that two zeros compare as equal.
RELATIVE_ERROR_FLOOR = 1e-8


def _format_pair(analytic: Any, numeric: Any) -> tuple[str, str]:
    """The two values with 6 significant digits, or as many more (up to 12) as it takes to tell them apart."""
    first, second = format_number(analytic), format_number(numeric)
    for digits in range(7, 13):
        if first != second:
            break
        first, second = f"{float(analytic):.{digits}g}", f"{float(numeric):.{digits}g}"
    return first, second


class _OutputShapeError(ValueError):
    """f(x) and dout have different shapes (a wrong forward pass, or a wrong dout in the test)."""


# --------------------------------------------------------------------------- numerical gradient


def _require_float64_array(x: Any) -> np.ndarray:
    """x must be a writeable float64 NumPy array: it is changed in place, and float32 is too coarse for h = 1e-5."""
    if not isinstance(x, np.ndarray):
        raise ValueError(
            f"x must be a float64 NumPy array, got {type(x).__name__}: x is perturbed in place, so pass the "
            "array that f reads, e.g. x = np.asarray(values, dtype=np.float64)"
        )
    if x.dtype != np.float64:
        raise ValueError(
            f"x must be float64, got {x.dtype} (shape {x.shape}): with h = 1e-5 lower precision hides the "
            "gradient in round-off; use x = x.astype(np.float64) and build f on that array"
        )
    if not x.flags.writeable:
        raise ValueError(f"x (shape {x.shape}) is read-only: x is perturbed in place; pass x.copy()")
    return x


def _require_step(h: float) -> float:
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating, np.integer)) or not (0 < h < 1):
        raise ValueError(f"h must be a small positive number such as 1e-5, got h={h!r}")
    return float(h)


def _upstream(dout: Any) -> np.ndarray | None:
    return None if dout is None else np.array(dout, dtype=np.float64)  # a copy: f cannot change the caller's dout


def _loss(f: Callable[[np.ndarray], Any], x: np.ndarray, dout: np.ndarray | None) -> float:
    """L(x) = sum(f(x) * dout), or sum(f(x)) without dout."""
    out = f(x)
    if isinstance(out, tuple):
        raise ValueError(
            f"f returned a tuple of {len(out)} values; f must return only the output array, "
            "e.g. f = lambda x: forward(x, ...)[0] when forward returns (out, cache)"
        )
    values = np.asarray(out, dtype=np.float64)
    if dout is None:
        return float(values.sum())
    if values.shape != dout.shape:
        raise _OutputShapeError(f"f(x) returned shape {values.shape}, but dout has shape {dout.shape}")
    return float(np.sum(values * dout))


def _central_differences(
    f: Callable[[np.ndarray], Any], x: np.ndarray, dout: np.ndarray | None, h: float
) -> np.ndarray:
    grad = np.zeros(x.shape, dtype=np.float64)
    original = x.copy()
    try:
        for index in np.ndindex(x.shape):
            value = x[index]
            x[index] = value + h
            plus = _loss(f, x, dout)
            x[index] = value - h
            minus = _loss(f, x, dout)
            x[index] = value
            grad[index] = (plus - minus) / (2.0 * h)
    finally:
        np.copyto(x, original)  # exact, even when f raised or changed x itself
    return grad


def numerical_gradient(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    dout: Any = None,
    h: float = DEFAULT_STEP,
) -> np.ndarray:
    """Central-difference estimate of ∂L/∂x for L(x) = sum(f(x) * dout).

    For every index i of x::

        grad[i] = (L(x + h e_i) - L(x - h e_i)) / 2h

    Args:
        f: called as ``f(x)``; returns an array of the same shape as ``dout`` (or a number when ``dout`` is None).
            f may also ignore its argument and read x from the enclosing scope: x itself is perturbed.
        x: float64 array of any shape, e.g. the input (N, D) or a parameter (D,). It is changed in place one
            element at a time and always restored exactly, also when f raises.
        dout: upstream gradient ∂L/∂out, same shape as f(x). None means L = sum(f(x)): f(x) itself when f
            returns a number, otherwise the same as a dout of ones.
        h: the step.

    Returns:
        float64 array with the shape of x. f is called 2 · x.size times.

    Raises:
        ValueError: x is not a writeable float64 array, h is not a small positive number, f returns a tuple,
            or f(x) and dout have different shapes.
    """
    return _central_differences(f, _require_float64_array(x), _upstream(dout), _require_step(h))


# --------------------------------------------------------------------------- relative error


def _elementwise_relative_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.abs(a - b) / np.maximum(RELATIVE_ERROR_FLOOR, np.abs(a) + np.abs(b))


def relative_error(a: Any, b: Any) -> float:
    """The largest elementwise relative error between two arrays of the same shape::

        max over i of |a_i - b_i| / max(1e-8, |a_i| + |b_i|)

    The value lies in [0, 1]: 0 for equal arrays (two zeros included), 1 when some a_i and b_i have opposite
    signs, or one is 0 and the other is at least 1e-8. The floor only matters when |a_i| + |b_i| < 1e-8:
    two gradients that small are equal for every purpose of a gradient check.
    Empty arrays give 0.0; a NaN or an infinity in either array gives NaN, which fails every tolerance.

    Raises:
        ValueError: the shapes differ (nothing is broadcast).
    """
    first = np.asarray(a, dtype=np.float64)
    second = np.asarray(b, dtype=np.float64)
    if first.shape != second.shape:
        raise ValueError(f"relative_error needs two arrays of the same shape, got {first.shape} and {second.shape}")
    if first.size == 0:
        return 0.0
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(second))):
        return math.nan
    return float(np.max(_elementwise_relative_error(first, second)))


# --------------------------------------------------------------------------- the result of a check


@dataclass
class GradientCheck:
    """The outcome of one gradient check; ``str()`` gives the line :func:`gradient_check` prints.

    ``worst_index`` is the index of x with the largest relative error, ``analytic_value`` and ``numeric_value``
    the two gradients there (all three None when the gradients could not be compared; ``problem`` then says why).
    """

    name: str
    relative_error: float
    tolerance: float
    worst_index: tuple[int, ...] | None
    analytic_value: float | None
    numeric_value: float | None
    problem: str = ""
    numeric_gradient: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        """True when the gradients were compared and the relative error is at most the tolerance."""
        return not self.problem and math.isfinite(self.relative_error) and self.relative_error <= self.tolerance

    def __str__(self) -> str:
        if self.problem:
            return f"✗ {self.name}: {self.problem}"
        error = f"relative error {self.relative_error:.2g}"
        if self.passed:
            return f"✓ {self.name}: {error} ≤ {self.tolerance:g}"
        where = ""
        if self.worst_index is not None:
            analytic, numeric = _format_pair(self.analytic_value, self.numeric_value)
            where = f" (worst at {self.worst_index}: analytic {analytic}, numeric {numeric})"
        return f"✗ {self.name}: {error} > {self.tolerance:g}{where}"


def _unreadable(analytic: Any) -> str:
    """Why ``analytic`` cannot be compared with a gradient, or '' when it can be read as a number array."""
    if analytic is None:
        return "the analytic gradient is None: did the backward function forget to `return` it?"
    if isinstance(analytic, (tuple, list)) and any(hasattr(item, "shape") for item in analytic):
        return (
            f"the analytic gradient is a {type(analytic).__name__} of {len(analytic)} values, not one array: "
            "unpack what the backward function returns (dx, dw, db = ...) and pass only the one for x"
        )
    try:
        array = np.asarray(analytic)
    except (TypeError, ValueError) as err:
        return f"the analytic gradient cannot be read as an array ({err})"
    if not (np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)):
        return f"the analytic gradient is not numeric (dtype {array.dtype})"
    return ""


def _shape_problem(name: str, got: tuple[int, ...], x_shape: tuple[int, ...]) -> str:
    return f"{name} has shape {got}, but x has shape {x_shape}: a gradient always has the shape of x"


def _compare(
    name: str, analytic: np.ndarray, numeric: np.ndarray, tolerance: float
) -> tuple[GradientCheck, np.ndarray]:
    """GradientCheck of two arrays of the same shape, and the elementwise relative errors."""
    errors = _elementwise_relative_error(analytic, numeric)
    error = relative_error(analytic, numeric)
    if errors.size == 0:
        return GradientCheck(name, error, tolerance, None, None, None, numeric_gradient=numeric), errors
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(errors)), errors.shape))  # NaN counts as worst
    result = GradientCheck(
        name, error, tolerance, worst, float(analytic[worst]), float(numeric[worst]), numeric_gradient=numeric
    )
    return result, errors


# --------------------------------------------------------------------------- public checks


def gradient_check(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    analytic: Any,
    dout: Any = None,
    *,
    name: str = "dx",
    h: float = DEFAULT_STEP,
    tolerance: float = GRADIENT_TOLERANCE,
    verbose: bool = True,
) -> GradientCheck:
    """Compare ``analytic`` (∂L/∂x from a backward pass, shape of x) with :func:`numerical_gradient`.

    Prints one line when ``verbose``, e.g. ``✓ dx: relative error 2.3e-10 ≤ 1e-07``, and returns the
    :class:`GradientCheck`. A mismatch (values or shape) is reported, never raised; only invalid arguments
    (x not float64, dout of the wrong shape for f(x)) raise ValueError.
    """
    x = _require_float64_array(x)
    problem = _unreadable(analytic)
    if not problem and np.shape(analytic) != x.shape:
        problem = _shape_problem(name, tuple(np.shape(analytic)), x.shape)
    if problem:
        result = GradientCheck(name, math.inf, tolerance, None, None, None, problem=problem)
    else:
        numeric = _central_differences(f, x, _upstream(dout), _require_step(h))
        result, _ = _compare(name, np.asarray(analytic, dtype=np.float64), numeric, tolerance)
    if verbose:
        print(result)
    return result


def _gradient_shape_hints(
    got: tuple[int, ...], x_shape: tuple[int, ...], dout_shape: tuple[int, ...] | None
) -> list[str]:
    if dout_shape is not None and got == dout_shape:
        return ["the analytic gradient has the shape of dout (the output), not of x: was dout returned as it came?"]
    if len(got) != len(x_shape):
        if math.prod(got) == math.prod(x_shape):
            return ["the same number of values in another shape: a keepdims=True, a squeeze or a reshape too many"]
        return shape_hints(got, x_shape)
    if sorted(got) == sorted(x_shape):
        return ["the axes are in another order: a transpose missing, or one too many"]
    return [
        "a sum over the wrong axis, or the gradient allocated with the wrong shape (np.zeros_like(x) has the right one)"
    ]


def _factor_note(ratio: float, x_shape: tuple[int, ...]) -> str:
    """When the scale error equals a size of x, say so: that size was probably divided by too often or not at all."""
    for size in sorted(set(x_shape), reverse=True):
        if size > 1 and math.isclose(ratio, size, rel_tol=1e-6):
            return f" ({format_number(ratio)} is a size of x: a division by it missing?)"
        if size > 1 and math.isclose(ratio, 1 / size, rel_tol=1e-6):
            return f" (1/{size}, and {size} is a size of x: divided by it once too often?)"
    return ""


def _gradient_hints(
    analytic: np.ndarray, numeric: np.ndarray, errors: np.ndarray, dtype: np.dtype, x_shape: tuple[int, ...]
) -> list[str]:
    """Hints keyed to the symptom: NaN, all zeros, a constant factor, a flipped sign, float32, near-zero values."""
    if not np.all(np.isfinite(numeric)):
        return ["the numeric gradient holds NaN or inf: the forward pass overflows or divides by zero on this input"]
    if not np.all(np.isfinite(analytic)):
        return ["the analytic gradient holds NaN or inf: a division by zero, or an uninitialised array (np.empty)?"]
    largest = float(np.abs(numeric).max())
    if largest < 1e-8 and float(np.abs(analytic).max()) < 1e-8:
        return [
            f"both gradients are nearly zero (largest numeric value {format_number(largest)}): the relative "
            "error of two tiny numbers is round-off noise; test with a random dout, not ones"
        ]
    if not np.any(analytic):
        return [
            "the analytic gradient is all zeros: the gradient is never written or accumulated "
            "(the np.zeros_like array returned unchanged, or the values written into a copy)"
        ]
    hints = []
    denominator = float(np.dot(numeric.ravel(), numeric.ravel()))
    ratio = float(np.dot(analytic.ravel(), numeric.ravel())) / denominator if denominator else 0.0
    if ratio and numeric.size >= 2 and relative_error(analytic, ratio * numeric) <= 1e-6:
        if math.isclose(ratio, -1.0, rel_tol=1e-4):
            hints.append(
                "the analytic gradient has the opposite sign everywhere: a minus sign lost, "
                "or a subtraction the wrong way round (a - b instead of b - a)"
            )
        elif not math.isclose(ratio, 1.0, rel_tol=1e-4):
            flipped = " and the opposite sign" if ratio < 0 else ""
            hints.append(
                f"every value of the analytic gradient is {format_number(ratio)} times the numeric one{flipped}: "
                f"a factor is missing (e.g. 1/N, γ, 1/(1−rate)){_factor_note(abs(ratio), x_shape)}"
            )
    if dtype in (np.float32, np.float16) and float(np.nanmax(errors)) < 1e-3:
        hints.append(
            f"the analytic gradient is {dtype}: its round-off alone is about 1e-7; compute the check in float64"
        )
    elif not hints and float(np.nanmax(errors)) < 1e-4:
        hints.append(
            "the error is small but above the tolerance: an input within h of a kink (ReLU at 0, a tie in a max), "
            "or a small term treated differently in the forward and the backward pass"
        )
    return hints


def check_gradient(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    analytic: Any,
    dout: Any = None,
    *,
    exercise: str,
    case: str,
    name: str = "dx",
    h: float = DEFAULT_STEP,
    tolerance: float = GRADIENT_TOLERANCE,
    hint: str = "",
) -> GradientCheck:
    """Check in a test cell that ``analytic`` is ∂L/∂x for L = sum(f(x) * dout); silent when it is.

    ``analytic`` is what the student's backward pass returned for x (shape of x); ``f`` wraps the forward pass,
    e.g. ``lambda x: forward(x, w)[0]``. On a mismatch raises :class:`~course_utils.checks.CheckFailure` whose
    message names the exercise and the case, the shapes, the relative error against the tolerance, the worst
    index with both values, and a hint keyed to the symptom (all zeros, a constant factor, a flipped sign, ...)
    followed by ``hint``. Returns the :class:`GradientCheck` when the check passes.

    Raises:
        CheckFailure: the gradient is wrong, or f (the student's forward pass) raised or returned the wrong shape.
        ValueError: the test itself is wrong: x is not a float64 array or h is not a small positive number.
    """
    x = _require_float64_array(x)
    step = _require_step(h)
    upstream = _upstream(dout)
    header = [f"gradient: {name} = ∂L/∂x for L = sum(f(x) * dout), x of shape {x.shape}"]
    problem = _unreadable(analytic)
    if problem:
        raise failure(exercise, case, header + [problem], [hint])
    array = np.asarray(analytic)
    lines = header + [
        f"analytic: shape {tuple(array.shape)}, dtype {array.dtype}",
        f"x:        shape {x.shape}, dtype {x.dtype}",
    ]
    if array.shape != x.shape:
        dout_shape = None if upstream is None else upstream.shape
        raise failure(
            exercise,
            case,
            lines + [_shape_problem(name, tuple(array.shape), x.shape)],
            _gradient_shape_hints(tuple(array.shape), x.shape, dout_shape) + [hint],
        )
    try:
        with np.errstate(all="ignore"):  # a forward pass that overflows is diagnosed below, not warned about
            numeric = _central_differences(f, x, upstream, step)
    except NotImplementedError as err:
        raise failure(exercise, case, lines + ["f(x) raised NotImplementedError"], [NOT_IMPLEMENTED_HINT]) from err
    except _OutputShapeError as err:
        raise failure(
            exercise,
            case,
            lines + [str(err)],
            ["the forward pass returns the wrong shape: make its own test cell pass first", hint],
        ) from err
    except Exception as err:  # the student's forward pass crashed: report it with this case
        raise failure(
            exercise,
            case,
            lines + [f"computing the numeric gradient, f(x) raised {type(err).__name__}: {err}"],
            ["the forward pass crashed on this input: make its own test cell pass first", hint],
        ) from err
    values = array.astype(np.float64)
    result, errors = _compare(name, values, numeric, tolerance)
    if result.passed:
        return result
    with np.errstate(all="ignore"):
        off = int(np.sum(~(errors <= tolerance)))
    analytic_text, numeric_text = _format_pair(result.analytic_value, result.numeric_value)
    lines += [
        f"relative error {result.relative_error:.2g} > tolerance {tolerance:g} "
        "(max over elements of |analytic - numeric| / (|analytic| + |numeric|))",
        f"worst at index {result.worst_index}: analytic {analytic_text}, numeric {numeric_text}",
        f"{off} of {errors.size} values are off by more than the tolerance",
    ]
    hints = _gradient_hints(values, numeric, errors, array.dtype, x.shape)
    raise failure(exercise, case, lines, hints + [hint])
