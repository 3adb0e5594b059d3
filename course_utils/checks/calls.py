"""Checks that call a student's function: on copies of the inputs, reporting a crash or NotImplementedError with
the call, failing an in-place change of an input; then checking what it returned, or the error it raised.

The class grader runs a student's functions in a sandbox and the tests in its own process, where the
function is a stand-in that returns copies. Two documented hooks on that stand-in keep the in-place and
view checks exact there: after a call, ``fn.changed_arguments`` (positions and keyword names of the
arguments the call changed in place) counts as an observed in-place change, and
``fn.result_shares_memory(result, argument)`` answers :func:`shares_memory`. A plain function has neither,
so in a kernel the checks look at the arrays themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from course_utils.checks.messages import NOT_IMPLEMENTED_HINT, describe_call, describe_value, failure
from course_utils.checks.values import check_array, check_scalar, check_tuple

__all__ = ["check_output", "check_outputs", "check_raises", "run_case", "shares_memory"]


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
            raise failure(
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
        raise failure(exercise, case, [f"call:     {call}"], [NOT_IMPLEMENTED_HINT]) from err
    except Exception as err:  # report the student's own error with the case that triggered it
        raise failure(
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
        raise failure(exercise, case, lines, [NOT_IMPLEMENTED_HINT]) from err
    except error as err:
        message = str(err)
        missing = [m for m in mentions if not _mentioned(m, message)]
        if missing:
            raise failure(
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
        raise failure(
            exercise,
            case,
            lines + [f"got:      {type(err).__name__}: {err}"],
            [
                f"check the arguments at the top of the function and raise {error.__name__} yourself "
                "before any other computation fails",
                hint,
            ],
        ) from err
    raise failure(
        exercise,
        case,
        lines + [f"got:      no error, the function returned {describe_value(result)}"],
        [f"validate the arguments first and raise {error.__name__} with a message naming the argument", hint],
    )
