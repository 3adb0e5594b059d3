"""Checks of a value already computed: an array against the expected one, one number, a tuple of values, an
array's form (type, shape, dtype, allowed values), random bits, or any condition."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from course_utils.checks.messages import (
    CheckFailure,
    describe_value,
    failure,
    format_number,
    shape_hints,
    value_hints,
)

__all__ = ["check_array", "check_form", "check_random_bits", "check_scalar", "check_that", "check_tuple"]


def check_array(
    got: Any,
    expected: Any,
    *,
    exercise: str,
    case: str = "",
    call: str = "",
    rtol: float = 1e-5,
    atol: float = 1e-8,
    dtype: Any = None,
    hint: str = "",
) -> None:
    """Check that ``got`` equals ``expected`` in shape and, within tolerance, in every value.

    ``dtype``, when given, is the dtype (or dtype kind such as ``np.floating``) the result must have.
    ``hint`` is added after the automatic diagnosis; give the usual mistake for this exercise.
    """
    lines = [f"call:     {call}"] if call else []
    if got is None:
        raise failure(exercise, case, lines + ["got None: did the function forget to `return` its result?"])
    if isinstance(got, tuple) and not isinstance(expected, tuple):
        raise failure(
            exercise,
            case,
            lines + [f"got a tuple of {len(got)} values, expected one array"],
            ["return only the array, not (array, something)"],
        )
    try:
        got_arr = np.asarray(got)
    except (TypeError, ValueError) as err:
        raise failure(exercise, case, lines + [f"the result cannot be read as an array ({err})"]) from err
    exp_arr = np.asarray(expected)
    lines += [
        f"expected: shape {tuple(exp_arr.shape)}, dtype {exp_arr.dtype}",
        f"got:      shape {tuple(got_arr.shape)}, dtype {got_arr.dtype}",
    ]
    if got_arr.dtype == object or not (
        np.issubdtype(got_arr.dtype, np.number) or np.issubdtype(got_arr.dtype, np.bool_)
    ):
        raise failure(exercise, case, lines + ["the result is not numeric"], [hint])
    if dtype is not None and not np.issubdtype(got_arr.dtype, dtype):
        wanted = getattr(dtype, "__name__", str(dtype))
        raise failure(
            exercise,
            case,
            lines + [f"the dtype must be {wanted}"],
            [f"convert with .astype(np.{wanted})" if isinstance(dtype, type) else "", hint],
        )
    if got_arr.shape != exp_arr.shape:
        raise failure(exercise, case, lines, shape_hints(got_arr.shape, exp_arr.shape) + [hint])

    def close(a: Any, b: Any) -> bool:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))

    with np.errstate(all="ignore"):  # inf and NaN in a wrong answer must not print warnings to stderr
        _compare(got_arr, exp_arr, close, exercise, case, lines, rtol, atol, hint)


def _compare(
    got_arr: np.ndarray,
    exp_arr: np.ndarray,
    close: Callable[[Any, Any], bool],
    exercise: str,
    case: str,
    lines: list[str],
    rtol: float,
    atol: float,
    hint: str,
) -> None:
    if close(got_arr, exp_arr):
        return
    g = got_arr.astype(np.float64)
    e = exp_arr.astype(np.float64)
    bad = ~np.isclose(g, e, rtol=rtol, atol=atol)
    abs_err = np.abs(g - e)
    abs_err = np.where(np.isnan(abs_err), np.inf, abs_err)
    rel_err = abs_err / np.maximum(np.abs(e), 1e-12)
    if g.ndim == 0:
        lines.append(f"expected {format_number(e)}, got {format_number(g)}")
    else:
        first = _first_mismatch(bad)
        lines.append(
            f"first mismatch at index {first}: expected {format_number(e[first])}, got {format_number(g[first])}"
        )
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(abs_err)), abs_err.shape))
        lines.append(
            f"max abs error {format_number(abs_err.max())} at {worst}; "
            f"max rel error {format_number(rel_err.max())}; "
            f"{int(bad.sum())} of {bad.size} values differ (rtol={rtol:g}, atol={atol:g})"
        )
    raise failure(exercise, case, lines, value_hints(g, e, close) + [hint])


def _first_mismatch(bad: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(bad)[0])


def check_scalar(
    got: Any,
    expected: float,
    *,
    exercise: str,
    case: str = "",
    call: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hint: str = "",
) -> None:
    """Check that ``got`` is one number (a Python or NumPy scalar, not an array) close to ``expected``."""
    lines = [f"call:     {call}"] if call else []
    if got is None:
        raise failure(exercise, case, lines + ["got None: did the function forget to `return` its result?"])
    if isinstance(got, (np.ndarray, list, tuple)) and np.ndim(got) > 0:
        raise failure(
            exercise,
            case,
            lines + [f"expected one number, got {describe_value(got)}"],
            ["sum over every axis (np.sum without axis=) to get a single number", hint],
        )
    try:
        value = float(got)
    except (TypeError, ValueError) as err:
        raise failure(exercise, case, lines + [f"expected a number, got {describe_value(got)}"]) from err
    if math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
        return
    lines.append(f"expected {format_number(expected)}, got {format_number(value)}")
    lines.append(f"abs error {format_number(abs(value - expected))}")
    raise failure(exercise, case, lines, [hint])


def check_that(condition: bool, *, exercise: str, case: str, detail: str = "", hint: str = "") -> None:
    """Check a property that is not an array comparison (a view, an unchanged input, a type)."""
    if not condition:
        raise failure(exercise, case, [detail] if detail else [], [hint])


def check_tuple(got: Any, names: Sequence[str], *, exercise: str, case: str = "", call: str = "") -> tuple:
    """Check that ``got`` is a tuple (or list) of ``len(names)`` values and return it as a tuple."""
    if isinstance(got, (tuple, list)) and len(got) == len(names):
        return tuple(got)
    wanted = ", ".join(names)
    seen = f"a {type(got).__name__} of {len(got)} values" if isinstance(got, (tuple, list)) else describe_value(got)
    lines = [f"call:     {call}"] if call else []
    raise failure(
        exercise,
        case,
        lines + [f"expected: a tuple of {len(names)} values ({wanted})", f"got:      {seen}"],
        [f"end the function with `return {wanted}`"],
    )


def check_form(
    got: Any,
    *,
    exercise: str,
    case: str = "",
    name: str = "the result",
    shape: tuple[int, ...] | None = None,
    dtype: Any = None,
    values: Sequence[Any] | None = None,
    hint: str | Mapping[str, str] = "",
) -> None:
    """Check an array's type, shape, exact dtype and allowed values; ``hint`` is one string or one per symptom."""

    def fail(symptom: str, detail: str, extra: Sequence[str] = ()) -> CheckFailure:
        chosen = hint.get(symptom, "") if isinstance(hint, Mapping) else hint
        return failure(exercise, case, [detail], [*extra, chosen])

    if not isinstance(got, np.ndarray):
        raise fail(
            "type", f"{name}: got {describe_value(got) if got is None else type(got).__name__}, expected a NumPy array"
        )
    if shape is not None and got.shape != tuple(shape):
        raise fail(
            "shape", f"{name} has shape {got.shape}, expected {tuple(shape)}", shape_hints(got.shape, tuple(shape))
        )
    if dtype is not None and got.dtype != np.dtype(dtype):
        raise fail("dtype", f"{name} has dtype {got.dtype}, expected {np.dtype(dtype)}")
    if values is not None and not bool(np.isin(got, values).all()):
        seen = np.unique(got[~np.isin(got, values)])[:6]
        raise fail("values", f"{name} may hold only {list(values)}; it also holds {seen.tolist()}")


def check_random_bits(
    bits: np.ndarray,
    fraction: float,
    *,
    exercise: str,
    case: str = "",
    tol: float = 0.01,
    label: str = "fraction of ones",
    hint: str = "",
    independence_hint: str = "",
) -> None:
    """Check a large random 0/1 array: independent along every axis, with ``fraction`` ± ``tol`` of ones."""
    bits = np.asarray(bits, dtype=np.float64)
    ones = float(bits.mean())
    for axis in (axis for axis in range(bits.ndim) if bits.shape[axis] > 1):
        along = np.moveaxis(bits, axis, 0)
        agree, independent = float(np.mean(along[:-1] == along[1:])), ones**2 + (1 - ones) ** 2
        check_that(
            abs(agree - independent) <= tol,
            exercise=exercise,
            case=case,
            detail=f"neighbours along axis {axis} agree on {agree:.4f} of the values; independent draws with this "
            f"{label} agree on about {independent:.4f}",
            hint=independence_hint
            or "draw one random number for every element of the full shape (rng.random(shape)): a draw for one "
            "row (or one channel) repeated along an axis is not independent",
        )
    spread = 3 * math.sqrt(fraction * (1 - fraction) / max(bits.size, 1))
    if ones in (0.0, 1.0) and 0 < fraction < 1:
        hint = "every element got the same decision: draw one random number per element, rng.random(shape)"
    check_that(
        abs(ones - fraction) <= tol,
        exercise=exercise,
        case=case,
        detail=f"{label}: {ones:.4f} over {bits.size:,} values; expected {fraction:g} ± {tol:g} "
        f"(the random spread is only about ±{spread:.4f})",
        hint=hint,
    )
