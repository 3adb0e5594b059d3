"""Checks used by the test cells: each failure says what was called, what differs and why it usually does.

Every check raises :class:`CheckFailure` (an ``AssertionError``) with a message that names the
exercise and the case, shows expected against got (shape, dtype, first mismatching index, largest
absolute and relative error) and adds a hint keyed to the symptom. The checks work the same with
or without nbgrader, so they run in Colab too.

The class grader runs a student's functions in a sandbox and the tests in its own process, where the
function is a stand-in that returns copies. Two documented hooks on that stand-in keep the in-place and
view checks exact there: after a call, ``fn.changed_arguments`` (positions and keyword names of the
arguments the call changed in place) counts as an observed in-place change, and
``fn.result_shares_memory(result, argument)`` answers :func:`shares_memory`. A plain function has neither,
so in a kernel the checks look at the arrays themselves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "CheckFailure",
    "check_array",
    "check_form",
    "check_layers",
    "check_model_output",
    "check_output",
    "check_outputs",
    "check_raises",
    "check_random_bits",
    "check_scalar",
    "check_shape",
    "check_that",
    "check_tuple",
    "describe_call",
    "describe_value",
    "model_layers",
    "passed",
    "run_case",
    "shares_memory",
]

NOT_IMPLEMENTED_HINT = (
    "the function still raises NotImplementedError: replace `raise NotImplementedError()` "
    "with your code, run that cell again, then this one."
)


class CheckFailure(AssertionError):
    """A test-cell check failed; the message explains the case and the usual cause.

    Besides the message: ``exercise``, ``case``, ``headline`` (``"exercise: case"``) and ``hints``, the hints
    that hold no value computed from the inputs (what a grader may show when the inputs are hidden).
    """

    exercise: str = ""
    case: str = ""
    headline: str = ""
    hints: tuple[str, ...] = ()


class _Diagnosis(str):
    """A hint that describes the result, or quotes numbers from the inputs or the expected values (left out for
    hidden tests)."""


# --------------------------------------------------------------------------- describing values


def describe_value(value: Any) -> str:
    """Short description of an argument: arrays by shape and dtype, scalars by value."""
    if isinstance(value, np.ndarray) or _is_tensor(value):
        arr = np.asarray(value)
        if arr.size <= 6 and arr.ndim <= 1:
            return f"array({arr.tolist()}, {arr.dtype})"
        return f"array{tuple(arr.shape)} {arr.dtype}"
    if isinstance(value, (list, tuple)):
        if len(value) > 6:
            inner = ", ".join(describe_value(v) for v in value[:3])
            return f"{type(value).__name__} of {len(value)} [{inner}, ...]"
        text = ", ".join(describe_value(v) for v in value)
        return f"[{text}]" if isinstance(value, list) else f"({text}{',' if len(value) == 1 else ''})"
    if isinstance(value, np.random.Generator):
        return "rng"
    if isinstance(value, float):  # 2.0 stays 2.0: a whole float is not the int 2
        return repr(value) if value.is_integer() else f"{value:g}"
    return repr(value)


def describe_call(name: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None) -> str:
    """``name(array(7, 9) float64, stride=2)``: how a call looked, without dumping arrays."""
    parts = [describe_value(a) for a in args]
    parts += [f"{k}={describe_value(v)}" for k, v in (kwargs or {}).items()]
    return f"{name}({', '.join(parts)})"


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "numpy") and hasattr(value, "shape") and hasattr(value, "dtype")


def _format_number(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    try:
        return f"{float(x):.6g}"
    except (TypeError, ValueError):
        return repr(x)


def _headline(exercise: str, case: str) -> str:
    return f"{exercise}: {case}" if case else exercise


def _fail(exercise: str, case: str, lines: Iterable[str], hints: Iterable[str] = ()) -> CheckFailure:
    unique = list(dict.fromkeys(h for h in hints if h))
    body = [_headline(exercise, case)]
    body += [f"  {line}" for line in lines]
    body += [f"  hint: {h}" for h in unique]
    failure = CheckFailure("\n".join(body))
    failure.exercise, failure.case, failure.headline = exercise, case, _headline(exercise, case)
    failure.hints = tuple(str(h) for h in unique if not isinstance(h, _Diagnosis))
    return failure


# --------------------------------------------------------------------------- diagnosing symptoms


def _shape_hints(got: tuple[int, ...], expected: tuple[int, ...]) -> list[str]:
    """What a wrong shape points at; every hint describes the result, so hidden tests keep it to themselves."""
    return [_Diagnosis(h) for h in _shape_symptoms(got, expected)]


def _shape_symptoms(got: tuple[int, ...], expected: tuple[int, ...]) -> list[str]:
    hints = []
    if len(got) != len(expected):
        hints.append(
            _Diagnosis(
                f"the result has {len(got)} axes, {len(expected)} expected: an axis was added or "
                "dropped (a channel or batch axis, or a squeeze / keepdims slip)"
            )
        )
        return hints
    if (
        got == expected[::-1]
        or (len(got) >= 2 and got[:-2] + got[-2:][::-1] == expected)
        or (len(got) >= 3 and got[:-3] + (got[-2], got[-3], got[-1]) == expected)
    ):
        hints.append("two axes are swapped: check the order (H before W, channels last)")
    diffs = [g - e for g, e in zip(got, expected)]
    if any(diffs) and all(abs(d) <= 1 for d in diffs):
        hints.append(
            "a size is off by one: the number of valid window positions is "
            "floor((n - f) / s) + 1, not n - f or n - f + 2"
        )
    elif any(e > 0 and g >= 1.8 * e for g, e in zip(got, expected)):
        hints.append("the result is about twice as large or more: is the stride ignored?")
    elif any(g > 0 and e >= 1.8 * g for g, e in zip(got, expected)):
        hints.append("the result is much smaller than expected: a step or range too large?")
    return hints


def _spatial_axes(ndim: int) -> tuple[int, int] | None:
    """The (height, width) axes of an array the lessons use: (H, W), (H, W, C) or an NHWC batch (N, H, W, C)."""
    return {2: (0, 1), 3: (0, 1), 4: (1, 2)}.get(ndim)


def _scale_hint(ratio: float) -> str:
    """What a result that is a constant multiple of the right one points at."""
    if math.isclose(ratio, 255.0, rel_tol=1e-3) or math.isclose(ratio, 1 / 255.0, rel_tol=1e-3):
        return "a division by 255 missing, or done twice"
    if abs(ratio - 1) < 0.2:
        return "a divisor off by one (255 or 256, N or N - 1)?"
    return "a factor missing, applied twice or inverted (a division that should be a multiplication?)"


def _value_hints(got: np.ndarray, expected: np.ndarray, close: Callable[[Any, Any], bool]) -> list[str]:
    """What wrong values point at; every hint describes the result, so hidden tests keep it to themselves."""
    return [_Diagnosis(h) for h in _value_symptoms(got, expected, close)]


def _value_symptoms(got: np.ndarray, expected: np.ndarray, close: Callable[[Any, Any], bool]) -> list[str]:
    hints = []
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return ["the result holds NaN or inf: a division by zero or an uninitialised array (np.empty)?"]
    if got.size and not np.any(got) and np.any(expected):
        return ["the result is all zeros: were the values ever written into the output array?"]
    spatial = _spatial_axes(got.ndim) if got.ndim >= 2 else ((0,) if got.ndim == 1 else None)
    if spatial and got.size > 1 and not close(expected, np.flip(expected, axis=spatial)):
        if close(got, np.flip(expected, axis=spatial)):
            where = "reversed" if len(spatial) == 1 else "rotated by 180° (upside down and left to right)"
            return [
                f"the result is the expected one {where}: are the output positions filled from the end, or is "
                "the input read backwards? (Flipping the kernel changes the values, it does not reverse them.)"
            ]
    diff = got.astype(np.float64) - expected.astype(np.float64)
    if diff.size > 1 and np.ptp(diff) <= 1e-6 * (1 + np.abs(expected).max()) and abs(diff.flat[0]) > 0:
        hints.append(
            _Diagnosis(
                f"every value is off by the same amount ({_format_number(diff.flat[0])}): "
                "a bias missing, added twice, or a constant offset"
            )
        )
    else:
        nonzero = np.abs(expected) > 1e-12
        if nonzero.sum() >= 2:
            ratio = got[nonzero].astype(np.float64) / expected[nonzero].astype(np.float64)
            if np.ptp(ratio) <= 1e-6 * (1 + abs(ratio.mean())) and abs(ratio.mean() + 1) <= 1e-6:
                hints.append(
                    "every value has the opposite sign: a subtraction the wrong way round, or a kernel flipped "
                    "by mistake (an edge kernel changes sign when flipped)"
                )
            elif np.ptp(ratio) <= 1e-6 * (1 + abs(ratio.mean())) and abs(ratio.mean() - 1) > 1e-6:
                hints.append(
                    _Diagnosis(
                        f"every value is {_format_number(ratio.mean())} times the expected one: "
                        + _scale_hint(float(ratio.mean()))
                    )
                )
    axes = _spatial_axes(got.ndim)
    if axes and min(got.shape[a] for a in axes) >= 3:
        bad = ~np.isclose(got, expected, rtol=1e-5, atol=1e-8)
        others = tuple(a for a in range(got.ndim) if a not in axes)
        bad_hw = bad.any(axis=others) if others else bad  # (H, W): any image, any channel
        inner = bad_hw[1:-1, 1:-1]
        if bad_hw.any() and not inner.any():
            hints.append("only the border differs: check the padding, or the first and last window positions")
    return hints


def _first_mismatch(bad: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(bad)[0])


# --------------------------------------------------------------------------- public checks


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
        raise _fail(exercise, case, lines + ["got None: did the function forget to `return` its result?"])
    if isinstance(got, tuple) and not isinstance(expected, tuple):
        raise _fail(
            exercise,
            case,
            lines + [f"got a tuple of {len(got)} values, expected one array"],
            ["return only the array, not (array, something)"],
        )
    try:
        got_arr = np.asarray(got)
    except (TypeError, ValueError) as err:
        raise _fail(exercise, case, lines + [f"the result cannot be read as an array ({err})"]) from err
    exp_arr = np.asarray(expected)
    lines += [
        f"expected: shape {tuple(exp_arr.shape)}, dtype {exp_arr.dtype}",
        f"got:      shape {tuple(got_arr.shape)}, dtype {got_arr.dtype}",
    ]
    if got_arr.dtype == object or not (
        np.issubdtype(got_arr.dtype, np.number) or np.issubdtype(got_arr.dtype, np.bool_)
    ):
        raise _fail(exercise, case, lines + ["the result is not numeric"], [hint])
    if dtype is not None and not np.issubdtype(got_arr.dtype, dtype):
        wanted = getattr(dtype, "__name__", str(dtype))
        raise _fail(
            exercise,
            case,
            lines + [f"the dtype must be {wanted}"],
            [f"convert with .astype(np.{wanted})" if isinstance(dtype, type) else "", hint],
        )
    if got_arr.shape != exp_arr.shape:
        raise _fail(exercise, case, lines, _shape_hints(got_arr.shape, exp_arr.shape) + [hint])

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
        lines.append(f"expected {_format_number(e)}, got {_format_number(g)}")
    else:
        first = _first_mismatch(bad)
        lines.append(
            f"first mismatch at index {first}: expected {_format_number(e[first])}, got {_format_number(g[first])}"
        )
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(abs_err)), abs_err.shape))
        lines.append(
            f"max abs error {_format_number(abs_err.max())} at {worst}; "
            f"max rel error {_format_number(rel_err.max())}; "
            f"{int(bad.sum())} of {bad.size} values differ (rtol={rtol:g}, atol={atol:g})"
        )
    raise _fail(exercise, case, lines, _value_hints(g, e, close) + [hint])


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
        raise _fail(exercise, case, lines + ["got None: did the function forget to `return` its result?"])
    if isinstance(got, (np.ndarray, list, tuple)) and np.ndim(got) > 0:
        raise _fail(
            exercise,
            case,
            lines + [f"expected one number, got {describe_value(got)}"],
            ["sum over every axis (np.sum without axis=) to get a single number", hint],
        )
    try:
        value = float(got)
    except (TypeError, ValueError) as err:
        raise _fail(exercise, case, lines + [f"expected a number, got {describe_value(got)}"]) from err
    if math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
        return
    lines.append(f"expected {_format_number(expected)}, got {_format_number(value)}")
    lines.append(f"abs error {_format_number(abs(value - expected))}")
    raise _fail(exercise, case, lines, [hint])


def check_shape(got: Any, expected_shape: tuple[int, ...], *, exercise: str, case: str = "", hint: str = "") -> None:
    """Check only the shape of ``got``."""
    shape = tuple(np.shape(got))
    if shape != tuple(expected_shape):
        raise _fail(
            exercise,
            case,
            [f"expected shape {tuple(expected_shape)}, got {shape}"],
            _shape_hints(shape, tuple(expected_shape)) + [hint],
        )


def check_that(condition: bool, *, exercise: str, case: str, detail: str = "", hint: str = "") -> None:
    """Check a property that is not an array comparison (a view, an unchanged input, a type)."""
    if not condition:
        raise _fail(exercise, case, [detail] if detail else [], [hint])


def _snapshot(args: Sequence[Any]) -> list[Any]:
    """Copies of the array arguments (and of the arrays in a list or tuple argument), to tell later whether the
    function changed them in place; None for the other arguments."""

    def copy(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return np.array(value, copy=True)
        if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
            return [np.array(v, copy=True) if isinstance(v, np.ndarray) else None for v in value]
        return None

    return [copy(a) for a in args]


def _changed(arg: Any, original: Any) -> bool:
    """Whether ``arg`` differs from its snapshot: other values, another shape, or items of a list replaced."""
    if isinstance(original, np.ndarray):
        return not (isinstance(arg, np.ndarray) and np.array_equal(arg, original, equal_nan=True))
    if isinstance(original, list):
        if not isinstance(arg, (list, tuple)) or len(arg) != len(original):
            return True
        return any(o is not None and _changed(a, o) for a, o in zip(arg, original))
    return False


def _reported_changes(fn: Any) -> frozenset:
    """What ``fn`` says its last call changed in place: ``fn.changed_arguments``, positions (int) and keyword
    names (str). The class grader's stand-in for a student's function sets it (the function ran in a sandbox
    on copies, so the caller's arrays never change); a plain function has none. Read right after the call."""
    reported = getattr(fn, "changed_arguments", None)
    if not isinstance(reported, (tuple, list, set, frozenset)):
        return frozenset()
    return frozenset(k for k in reported if isinstance(k, (int, str)) and not isinstance(k, bool))


def _check_unchanged(
    args: Sequence[Any],
    originals: list[Any],
    exercise: str,
    case: str,
    call: str,
    reported: frozenset = frozenset(),
) -> None:
    """Fail when an array argument differs from its snapshot, or ``reported`` says the call changed it."""
    for i, (arg, original) in enumerate(zip(args, originals)):
        if original is not None and (i in reported or _changed(arg, original)):
            raise _fail(
                exercise,
                case,
                [f"call:     {call}", f"argument {i + 1} was changed in place"],
                ["work on a copy (or build a new array); never write into the caller's input"],
            )


def shares_memory(result: Any, argument: Any, fn: Any = None) -> bool:
    """Whether ``result``, returned by ``fn``, shares memory with ``argument``, passed to that call.

    In a kernel this is ``np.shares_memory(result, argument)``. When ``fn`` ran in another process (the class
    grader's stand-in for a student's function gets copies back), ``fn.result_shares_memory(result,
    argument)`` answers with what that process saw; None there means it does not know, and NumPy decides.
    """
    report = getattr(fn, "result_shares_memory", None)
    if callable(report):
        verdict = report(result, argument)
        if verdict is not None:
            return bool(verdict)
    return bool(np.shares_memory(result, argument))


def _call_student(
    fn: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any], exercise: str, case: str, hint: str = ""
):
    call = describe_call(getattr(fn, "__name__", exercise), args, kwargs)
    try:
        return fn(*args, **kwargs), call
    except NotImplementedError as err:
        raise _fail(exercise, case, [f"call:     {call}"], [NOT_IMPLEMENTED_HINT]) from err
    except Exception as err:  # report the student's own error with the case that triggered it
        raise _fail(
            exercise,
            case,
            [f"call:     {call}", f"raised {type(err).__name__}: {err}"],
            ["the function crashed on a valid input: read the error above, then test it on this case", hint],
        ) from err


def run_case(
    fn: Callable[..., Any],
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    exercise: str = "",
    case: str = "",
    names: Sequence[str] = (),
) -> Any:
    """Call ``fn`` like check_output, a crash or an in-place change failing the case; with ``names``, want a tuple."""
    kwargs = dict(kwargs or {})
    exercise = exercise or getattr(fn, "__name__", "exercise")
    originals = _snapshot(args)
    got, call = _call_student(fn, args, kwargs, exercise, case)
    _check_unchanged(args, originals, exercise, case, call, _reported_changes(fn))
    return check_tuple(got, names, exercise=exercise, case=case, call=call) if names else got


def check_tuple(got: Any, names: Sequence[str], *, exercise: str, case: str = "", call: str = "") -> tuple:
    """Check that ``got`` is a tuple (or list) of ``len(names)`` values and return it as a tuple."""
    if isinstance(got, (tuple, list)) and len(got) == len(names):
        return tuple(got)
    wanted = ", ".join(names)
    seen = f"a {type(got).__name__} of {len(got)} values" if isinstance(got, (tuple, list)) else describe_value(got)
    lines = [f"call:     {call}"] if call else []
    raise _fail(
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
        return _fail(exercise, case, [detail], [*extra, chosen])

    if not isinstance(got, np.ndarray):
        raise fail(
            "type", f"{name}: got {describe_value(got) if got is None else type(got).__name__}, expected a NumPy array"
        )
    if shape is not None and got.shape != tuple(shape):
        raise fail(
            "shape", f"{name} has shape {got.shape}, expected {tuple(shape)}", _shape_hints(got.shape, tuple(shape))
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


def check_output(
    fn: Callable[..., Any],
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    expected: Any,
    exercise: str = "",
    case: str = "",
    rtol: float = 1e-5,
    atol: float = 1e-8,
    dtype: Any = None,
    hint: str = "",
    scalar: bool = False,
) -> Any:
    """Call ``fn(*args, **kwargs)`` on copies of the inputs and check the result against ``expected``.

    Also fails when the function changes its inputs in place. Returns what the function returned.
    """
    kwargs = dict(kwargs or {})
    exercise = exercise or getattr(fn, "__name__", "exercise")
    originals = _snapshot(args)
    got, call = _call_student(fn, args, kwargs, exercise, case, hint)
    reported = _reported_changes(fn)
    if scalar:
        check_scalar(got, expected, exercise=exercise, case=case, call=call, rtol=rtol, atol=atol, hint=hint)
    else:
        check_array(
            got, expected, exercise=exercise, case=case, call=call, rtol=rtol, atol=atol, dtype=dtype, hint=hint
        )
    _check_unchanged(args, originals, exercise, case, call, reported)
    return got


def check_outputs(
    fn: Callable[..., Any],
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    expected: Sequence[Any],
    names: Sequence[str],
    exercise: str = "",
    case: str = "",
    rtol: float = 1e-5,
    atol: float = 1e-8,
    hints: Sequence[str] = (),
) -> tuple:
    """Call a function that returns a tuple once and check each value, named, against ``expected``.

    ``names`` label the values in messages (``out``, ``batch_mean``, …); ``hints`` hold one hint per value.
    Also fails when the function changes its inputs in place. Returns the tuple.
    """
    kwargs = dict(kwargs or {})
    exercise = exercise or getattr(fn, "__name__", "exercise")
    if len(names) != len(expected):
        raise ValueError(f"check_outputs: {len(names)} names for {len(expected)} expected values")
    originals = _snapshot(args)
    got, call = _call_student(fn, args, kwargs, exercise, case)
    reported = _reported_changes(fn)
    got = check_tuple(got, names, exercise=exercise, case=case, call=call)
    for index, (value, want, name) in enumerate(zip(got, expected, names)):
        hint = hints[index] if index < len(hints) else ""
        check_array(
            value,
            want,
            exercise=exercise,
            case=f"{case} — value {index + 1}, {name}",
            call=call,
            rtol=rtol,
            atol=atol,
            hint=hint,
        )
    _check_unchanged(args, originals, exercise, case, call, reported)
    return tuple(got)


#: A shape written as Python prints it, e.g. ``(7, 3)`` or ``(7,)``.
_SHAPE = re.compile(r"^\(\s*\d+(\s*,\s*\d+)*\s*,?\s*\)$")


def _mentioned(word: str, message: str) -> bool:
    """Whether ``message`` mentions ``word``: case-insensitively, and a shape such as ``(7, 3)`` in any wording.

    A shape counts when its sizes appear in order as whole numbers, so ``(7, 3)``, ``7x3``, ``7 × 3`` and
    "7 rows and 3 columns" all mention ``(7, 3)``. A name of one or two letters (``x``, ``f``, ``dA``) must stand
    as a word of its own: the x of "expected" does not name ``x``.
    """
    if _SHAPE.match(word):
        sizes = re.findall(r"\d+", word)
        pattern = r".*?".join(rf"(?<!\d){size}(?!\d)" for size in sizes)
        return re.search(pattern, message, re.S) is not None
    if len(word) <= 2 and word.isidentifier():  # a short name such as `x` or `f` must stand as a word of its own
        return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", message, re.I) is not None
    return word.lower() in message.lower()


def check_raises(
    fn: Callable[..., Any],
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    exercise: str = "",
    case: str,
    error: type[BaseException] = ValueError,
    mentions: Sequence[str] = (),
    hint: str = "",
) -> None:
    """Check that ``fn(*args, **kwargs)`` raises ``error`` whose message contains every word of ``mentions``.

    ``mentions`` are matched case-insensitively; a shape such as ``"(7, 3)"`` is matched in any wording (its sizes
    in order, as whole numbers). Name the argument and the shape or value seen.
    """
    kwargs = dict(kwargs or {})
    exercise = exercise or getattr(fn, "__name__", "exercise")
    call = describe_call(getattr(fn, "__name__", exercise), args, kwargs)
    lines = [f"call:     {call}", f"expected: {error.__name__}"]
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError as err:
        raise _fail(exercise, case, lines, [NOT_IMPLEMENTED_HINT]) from err
    except error as err:
        message = str(err)
        missing = [m for m in mentions if not _mentioned(m, message)]
        if missing:
            raise _fail(
                exercise,
                case,
                lines + [f"got:      {type(err).__name__}: {message}", f"the message should mention {missing}"],
                [
                    "say which argument is wrong and what was seen, e.g. "
                    'ValueError(f"image must be 2-D (H, W), got shape {image.shape}")',
                    hint,
                ],
            ) from err
        return
    except Exception as err:  # a different error type: say which one and where it should have been caught
        raise _fail(
            exercise,
            case,
            lines + [f"got:      {type(err).__name__}: {err}"],
            [
                f"check the arguments at the top of the function and raise {error.__name__} yourself "
                "before any other computation fails",
                hint,
            ],
        ) from err
    raise _fail(
        exercise,
        case,
        lines + [f"got:      no error, the function returned {describe_value(result)}"],
        [f"validate the arguments first and raise {error.__name__} with a message naming the argument", hint],
    )


# --------------------------------------------------------------------------- Keras models


def _check_model(model: Any, exercise: str, case: str) -> None:
    import keras  # only the lessons with Keras models need it

    check_that(
        isinstance(model, keras.Model),
        exercise=exercise,
        case=case,
        detail=f"got {type(model).__name__}, not a keras model",
        hint="return the keras model you built",
    )


def model_layers(model: Any) -> list[tuple[str, tuple, int, Any]]:
    """(layer type, output shape without the batch axis, parameters, activation or rate) of every layer but Input."""
    rows = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        config = layer.get_config()
        detail = config.get("activation", config.get("rate", ""))
        rows.append((type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params(), detail))
    return rows


LAYER_HINTS = {
    "count": "build exactly the layers listed in the task, in that order, with activation= inside Conv2D and Dense",
    "type": "layer {index} should be a {expected}: a layer is missing, extra or out of order",
    "shape": "the output shape differs: check the padding, the pool size and the number of filters or units",
    "params": "the parameter count differs: check the number of filters or units and the kernel size",
    "detail": "the activation (or dropout rate) differs: use the activation= / rate given in the task",
}


def check_layers(
    model: Any,
    expected: Sequence[tuple],
    *,
    exercise: str,
    case: str = "",
    hints: Mapping[str, str] | None = None,
) -> None:
    """Compare a Keras model's layers (see model_layers) with ``expected`` and explain the first difference."""
    _check_model(model, exercise, case)
    got, expected = model_layers(model), [tuple(row) for row in expected]
    if got == expected:
        return
    first = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
    lines = [
        f"{len(got)} layers, {len(expected)} expected (Input not counted); first difference at layer {first}:",
        f"  expected {expected[first] if first < len(expected) else 'no more layers'}",
        f"  got      {got[first] if first < len(got) else 'no more layers'}",
        "  expected layers (type, output shape, parameters, activation or rate):",
        *(f"    {i}: {row}" for i, row in enumerate(expected)),
        "  your layers:",
        *(f"    {i}: {row}" for i, row in enumerate(got)),
    ]
    symptom = "count"
    if first < len(got) and first < len(expected):
        differs = [g != e for g, e in zip(got[first], expected[first])]
        symptom = ("type", "shape", "params", "detail")[differs.index(True)]
    hint = {**LAYER_HINTS, **(hints or {})}[symptom]
    if symptom == "type":
        hint = hint.format(index=first, expected=expected[first][0])
    check_that(False, exercise=exercise, case=case, detail="\n".join(lines), hint=hint)


MODEL_OUTPUT_HINTS = {
    "call": "start the model with keras.Input(shape=input_shape): the tests try other input shapes too",
    "shape": "use input_shape in keras.Input and num_classes units in the last layer",
    "sum": "the model must output probabilities: end with a softmax over num_classes units",
}


def check_model_output(
    model: Any,
    input_shape: tuple[int, ...],
    num_classes: int,
    *,
    exercise: str,
    case: str = "",
    seed: int = 0,
    hints: Mapping[str, str] | None = None,
) -> np.ndarray:
    """Check a classifier's output on 3 random images: shape (3, num_classes), rows of probabilities; return it."""
    _check_model(model, exercise, case)
    hints = {**MODEL_OUTPUT_HINTS, **(hints or {})}
    x = np.random.default_rng(seed).random((3, *input_shape)).astype(np.float32)
    try:
        out = np.asarray(model(x, training=False))
    except Exception as err:  # the model cannot take the batch: report it as a failed check, with the shapes
        error = f"{type(err).__name__}: {' '.join(str(err).split())[:400]}"
        raise _fail(exercise, case, [f"model(batch {x.shape}) raised {error}"], [hints["call"]]) from err
    check_that(
        out.shape == (3, num_classes),
        exercise=exercise,
        case=case,
        detail=f"model(batch of 3 images {tuple(input_shape)}) has shape {out.shape}, expected {(3, num_classes)}",
        hint=hints["shape"],
    )
    check_that(
        bool(np.all(out >= 0)) and bool(np.allclose(out.sum(axis=1), 1, atol=1e-5)),
        exercise=exercise,
        case=case,
        detail=f"the rows of the output sum to {out.sum(axis=1)}, not 1 (or hold negative values)",
        hint=hints["sum"],
    )
    return out


# --------------------------------------------------------------------------- passing


def passed(exercise: str, detail: str = "") -> None:
    """Print the one line a passing test cell shows."""
    print(f"✓ {exercise}: all checks in this cell passed" + (f" ({detail})" if detail else ""))
