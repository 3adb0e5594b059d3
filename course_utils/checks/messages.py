"""What a check says: values described briefly, the failure message and its hints, the line of a passing cell.

A failure names the exercise and the case, shows expected against got, and adds hints keyed to the symptom
(a wrong shape, values off by a constant, reversed, scaled, ...). A hint computed from the result or the inputs
is a diagnosis: a grader with hidden inputs leaves it out of :attr:`CheckFailure.hints`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "NOT_IMPLEMENTED_HINT",
    "CheckFailure",
    "describe_call",
    "describe_value",
    "failure",
    "format_number",
    "passed",
    "shape_hints",
    "value_hints",
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


def format_number(x: Any) -> str:
    """A number as the messages print it: booleans and integers exactly, other numbers to 6 significant digits."""
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


# --------------------------------------------------------------------------- failures


def failure(exercise: str, case: str, lines: Iterable[str], hints: Iterable[str] = ()) -> CheckFailure:
    """The :class:`CheckFailure` to raise: the headline ``exercise: case``, each of ``lines`` indented, then each
    distinct non-empty hint. Hints that are diagnoses of the result stay out of its ``hints``."""
    unique = list(dict.fromkeys(h for h in hints if h))
    body = [_headline(exercise, case)]
    body += [f"  {line}" for line in lines]
    body += [f"  hint: {h}" for h in unique]
    error = CheckFailure("\n".join(body))
    error.exercise, error.case, error.headline = exercise, case, _headline(exercise, case)
    error.hints = tuple(str(h) for h in unique if not isinstance(h, _Diagnosis))
    return error


# --------------------------------------------------------------------------- diagnosing symptoms


def shape_hints(got: tuple[int, ...], expected: tuple[int, ...]) -> list[str]:
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


def value_hints(got: np.ndarray, expected: np.ndarray, close: Callable[[Any, Any], bool]) -> list[str]:
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
                f"every value is off by the same amount ({format_number(diff.flat[0])}): "
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
                        f"every value is {format_number(ratio.mean())} times the expected one: "
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


# --------------------------------------------------------------------------- passing


def passed(exercise: str, detail: str = "") -> None:
    """Print the one line a passing test cell shows."""
    print(f"✓ {exercise}: all checks in this cell passed" + (f" ({detail})" if detail else ""))
