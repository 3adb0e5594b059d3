"""Run a lesson's test cells in the grader's own process, against a student's sandboxed functions.

A test cell's code runs here, never in the student's kernel. Names it does not define itself (the
exercise functions) are looked up in the sandbox: a function becomes a :class:`RemoteFunction` that
sends plain data and gets plain data back; nothing the student's code does can reach this process,
so it cannot patch NumPy, the checks, builtins or IPython for the tests.

Nothing from the sandbox acts here (see :mod:`grader.boundary`): the sandbox's replies are checked and
decoded into fresh values; what the student's function did to its arguments (changed them in place,
returned a view of them) is recorded on the :class:`RemoteFunction` as facts for the checks to read
(``changed_arguments``, ``result_shares_memory``), never copied back into the grader's arrays or generators.

A test cell has one deadline for all its calls (:func:`run_test_cell`). When it fails on a line inside
``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS``, the student is told only the exercise, the case and
the check's hint; the full message goes to the instructor (:class:`TestOutcome`).
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import io
import time
import traceback
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import boundary, wire
from grader.cells import HIDDEN_BEGIN, HIDDEN_END
from grader.messages import CAUSE_CAP, EXCEPTION_CAP
from grader.sandbox.client import Sandbox, SandboxDied, SandboxTimeout

#: Student exceptions are rebuilt as the first builtin exception class in their MRO; these never are.
NOT_REBUILT = {BaseException, SystemExit, KeyboardInterrupt, GeneratorExit}
#: How many recent calls of one function keep their facts (for checks that look back a few calls).
REMEMBERED_CALLS = 8


class StudentCodeError(RuntimeError):
    """The student's code crashed the sandbox, ran out of time, or answered with a malformed reply.

    ``kind`` is ``"timeout"``, ``"crash"`` or ``"reply"``.
    """

    def __init__(self, message: str, kind: str = "crash") -> None:
        super().__init__(message)
        self.kind = kind


def rebuild_exception(info: Any) -> BaseException:
    """The student's exception as a builtin exception of the same family, with its message (capped)."""
    try:
        info = boundary.check_exception_info(info)
    except wire.WireError:
        return _from_sandbox(RuntimeError("the student's code raised an exception the grader cannot read"))
    message = info["message"][:EXCEPTION_CAP]
    for qualified in info["mro"]:
        module, _, name = qualified.partition(".")
        cls = getattr(builtins, name, None) if module == "builtins" and name.isidentifier() else None
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in NOT_REBUILT:
            try:
                return _from_sandbox(cls(message))
            except TypeError:  # exceptions that need more arguments (UnicodeDecodeError, …)
                break
    return _from_sandbox(RuntimeError(f"{info['type'][:100]}: {message}"))


def _from_sandbox(err: BaseException) -> BaseException:
    err.from_sandbox = True  # its type and text were chosen by the student's code
    return err


# ----------------------------------------------------------------------------- facts about a call


@dataclass
class CallRecord:
    """What the sandbox reported about one call, as inert data.

    ``changed``: argument path → the argument's new value (decoded: a fresh array or generator, not the
    grader's) for the arrays and generators the function changed in place. A path starts with the position
    (int) or keyword name (str) of an argument, then indexes into lists, tuples and dicts.
    ``views``: (result path, argument path) pairs the sandbox says share memory; a result path is () for the
    result itself, (i,) for the i-th value of a returned tuple or list.
    """

    name: str
    seconds: float
    changed: dict[tuple, Any]
    views: frozenset[tuple[tuple, tuple]]
    #: id() of each array in the call's arguments and in its result → (a weak reference to it, its path)
    argument_refs: dict[int, tuple[weakref.ref, tuple]]
    result_refs: dict[int, tuple[weakref.ref, tuple]]

    def argument_path(self, value: Any) -> tuple | None:
        return _path_of(self.argument_refs, value)

    def result_path(self, value: Any) -> tuple | None:
        return _path_of(self.result_refs, value)

    @property
    def changed_arguments(self) -> tuple[int | str, ...]:
        """Positions and keyword names of the arguments whose arrays the call changed in place."""
        roots = dict.fromkeys(path[0] for path, value in self.changed.items() if isinstance(value, np.ndarray))
        return tuple(roots)


def _path_of(refs: dict[int, tuple[weakref.ref, tuple]], value: Any) -> tuple | None:
    entry = refs.get(id(value))
    return entry[1] if entry is not None and entry[0]() is value else None


def _array_paths(value: Any, path: tuple, found: dict[int, tuple[weakref.ref, tuple]], depth: int = 0) -> None:
    """id → (weak reference, path) of every array in ``value`` (lists, tuples and dicts followed to depth 3)."""
    if isinstance(value, np.ndarray):
        if id(value) not in found:
            found[id(value)] = (weakref.ref(value), path)
    elif depth < 3 and isinstance(value, (list, tuple)):
        for i, item in enumerate(value[:256]):
            _array_paths(item, (*path, i), found, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for key, item in list(value.items())[:256]:
            if isinstance(key, str):
                _array_paths(item, (*path, key), found, depth + 1)


_MISSING = object()


def _at(path: tuple, args: tuple, kwargs: dict) -> Any:
    """What ``path`` leads to in the call's arguments, or ``_MISSING``."""
    root, *rest = path
    if type(root) is int:
        if root >= len(args):
            return _MISSING
        value = args[root]
    elif root in kwargs:
        value = kwargs[root]
    else:
        return _MISSING
    for step in rest:
        if type(step) is int and isinstance(value, (list, tuple)) and step < len(value):
            value = value[step]
        elif type(step) is str and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return _MISSING
    return value


def _exists(path: tuple, args: tuple, kwargs: dict) -> bool:
    """Whether ``path`` leads to something in the call's arguments."""
    return _at(path, args, kwargs) is not _MISSING


class _Budget:
    """A fixed time limit per call (when a RemoteFunction is used outside a test cell)."""

    def __init__(self, seconds: float) -> None:
        self.limit = float(seconds)

    def time_left(self) -> float:
        return self.limit


class RemoteFunction:
    """Stands for the student's function ``name``; every call runs in the sandbox.

    ``budget`` gives each call its time: an object with ``time_left()`` and ``limit`` (the
    :class:`StudentNamespace`, whose test cell has one deadline), or a number of seconds per call.
    After each call, :attr:`last_call` holds what the sandbox reported (a :class:`CallRecord`);
    :attr:`changed_arguments` and :meth:`result_shares_memory` are the hooks
    :mod:`course_utils.checks` reads.
    """

    def __init__(self, sandbox: Sandbox, name: str, budget: Any) -> None:
        self.sandbox, self.__name__ = sandbox, name
        self.__qualname__ = name
        self.budget = budget if hasattr(budget, "time_left") else _Budget(budget)
        self.calls: deque[CallRecord] = deque(maxlen=REMEMBERED_CALLS)
        self._last: CallRecord | None = None

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"

    @property
    def last_call(self) -> CallRecord | None:
        """What the sandbox reported about the last call (None when it did not answer)."""
        return self._last

    @property
    def changed_arguments(self) -> tuple[int | str, ...]:
        """Positions / keyword names of the arguments the last call changed in place (arrays only)."""
        return self._last.changed_arguments if self._last is not None else ()

    def result_shares_memory(self, result: Any, argument: Any) -> bool | None:
        """Whether, in the sandbox, ``result`` (returned by a recent call) shared memory with ``argument``
        (passed to that call); None when ``result`` or ``argument`` is not one this function saw."""
        for record in reversed(self.calls):
            result_path = record.result_path(result)
            if result_path is None:
                continue
            argument_path = record.argument_path(argument)
            if argument_path is None:
                return None
            return (result_path, argument_path) in record.views
        return None

    def _limit(self) -> float:
        return round(float(getattr(self.budget, "limit", 0.0)), 1)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        name = self.__name__
        self._last = None
        timeout = max(0.0, self.budget.time_left())
        if timeout <= 0:
            raise StudentCodeError(
                f"{name} did not return within {self._limit():g} s: the test cell's time was used up", "timeout"
            )
        try:
            reply = self.sandbox.call(name, args, kwargs, timeout=timeout)
        except SandboxTimeout as err:
            raise StudentCodeError(f"{name} did not return within {self._limit():g} s", "timeout") from err
        except SandboxDied as err:
            raise StudentCodeError(f"{name} crashed the sandbox: {boundary.inert_text(str(err), CAUSE_CAP)}") from err
        except wire.WireError as err:
            raise TypeError(f"{name} was called with a value the grader cannot send: {err}") from err
        if not isinstance(reply, dict):
            raise StudentCodeError(f"{name} sent a reply the grader refused", "reply")
        raw_blobs = reply.pop("_blobs", [])
        if not isinstance(raw_blobs, list) or not all(isinstance(b, (bytes, bytearray)) for b in raw_blobs):
            raise StudentCodeError(f"{name} sent a reply the grader refused", "reply")
        blobs = wire.Blobs(raw_blobs)
        try:
            checked = boundary.check_call_reply(reply)
            record = self._record(checked, blobs, args, kwargs)
        except wire.WireError as err:
            raise StudentCodeError(f"{name} sent a reply the grader refused: {err}", "reply") from None
        self.calls.append(record)
        self._last = record
        if checked["outcome"] == "raised":
            raise rebuild_exception(checked["raised"])
        if checked["outcome"] == "unsendable":
            raise TypeError(f"{name} returned a value the grader cannot read: {checked['unsendable']}")
        try:
            result = wire.decode(checked["result"], blobs)
        except wire.WireError as err:
            raise TypeError(f"{name} returned a value the grader cannot read: {err}") from None
        keras_inputs = wire.keras_inputs_in(args, kwargs)
        if isinstance(result, wire.KerasOutput) or keras_inputs:
            result = _keras_result(name, result, keras_inputs)
        _array_paths(result, (), record.result_refs, depth=2)  # the result itself, or the values of a returned tuple
        return result

    def _record(self, checked: dict, blobs: wire.Blobs, args: tuple, kwargs: dict) -> CallRecord:
        changed: dict[tuple, Any] = {}
        for path, data in checked["changed"]:
            original = _at(path, args, kwargs)
            if original is _MISSING:
                raise wire.WireError("a change reported for an argument that was not passed")
            wire.decode(data, blobs)  # checked like any reply, then dropped: only the fact is kept
            changed[path] = original
        views = set()
        for result_path, argument_path in checked["views"]:
            if not _exists(argument_path, args, kwargs):
                raise wire.WireError("a view reported of an argument that was not passed")
            views.add((result_path, argument_path))
        argument_refs: dict[int, tuple[weakref.ref, tuple]] = {}
        for i, value in enumerate(args):
            _array_paths(value, (i,), argument_refs)
        for key, value in kwargs.items():
            _array_paths(value, (key,), argument_refs)
        return CallRecord(self.__name__, checked["seconds"], changed, frozenset(views), argument_refs, {})


def _keras_result(name: str, result: Any, keras_inputs: list) -> Any:
    """For a call with keras.Input arguments: the Keras tensor, in the grader's own graph, that the student's
    layers (rebuilt, with their weights) make of those inputs."""
    if not isinstance(result, wire.KerasOutput) or not keras_inputs:
        got = "a Keras tensor" if isinstance(result, wire.KerasOutput) else type(result).__name__
        raise TypeError(f"{name} returned {got}, not a Keras tensor of the keras.Input it was given")
    try:
        return boundary.apply_model(result.model, keras_inputs)
    except wire.WireError as err:
        raise TypeError(f"{name} returned a Keras tensor the grader cannot use: {err}") from None
    except Exception as err:  # noqa: BLE001 - whatever Keras makes of it, the result is refused
        raise TypeError(
            f"{name} returned a Keras tensor the grader cannot apply to its inputs ({type(err).__name__})"
        ) from None


# ----------------------------------------------------------------------------- the test cell's namespace


class StudentNamespace(dict):
    """Globals for a test cell: the grader's own names first, then the student's, looked up on demand.

    Inside :func:`run_test_cell` every call and lookup shares the cell's deadline (:meth:`time_left`);
    outside one, each gets ``cell_timeout`` seconds.
    """

    def __init__(self, base: dict, sandbox: Sandbox, cell_timeout: float) -> None:
        super().__init__(base)
        self.sandbox = sandbox
        self.cell_timeout = float(cell_timeout)
        self.deadline: float | None = None
        self.limit = self.cell_timeout
        self.fetched: list[str] = []

    @property
    def timeout(self) -> float:
        return self.cell_timeout

    def time_left(self) -> float:
        """Seconds the next call or lookup may take: what is left of the test cell's deadline."""
        if self.deadline is None:
            return self.cell_timeout
        return max(0.0, self.deadline - time.monotonic())

    def start_cell(self, deadline: float) -> None:
        self.deadline = float(deadline)
        self.limit = max(0.0, self.deadline - time.monotonic())

    def end_cell(self) -> None:
        self.deadline, self.limit = None, self.cell_timeout

    def rebind(self, sandbox: Sandbox) -> None:
        """Point at a rebuilt sandbox: forget what came from the old one, keep what the test cells defined."""
        for name in self.fetched:
            self.pop(name, None)
        self.sandbox = sandbox

    def __missing__(self, name: str) -> Any:
        if hasattr(builtins, name):
            return getattr(builtins, name)
        timeout = self.time_left()
        limit = round(self.limit, 1)
        if timeout <= 0:
            raise StudentCodeError(
                f"looking up {name} did not return within {limit:g} s: the test cell's time was used up", "timeout"
            )
        try:
            kind, value = self.sandbox.lookup(name, timeout=timeout)
        except SandboxTimeout as err:
            raise StudentCodeError(f"looking up {name} did not return within {limit:g} s", "timeout") from err
        except SandboxDied as err:
            raise StudentCodeError(
                f"could not look up {name} in the student's notebook: {boundary.inert_text(str(err), CAUSE_CAP)}"
            ) from err
        except wire.WireError as err:
            raise TypeError(f"{name} in the student's notebook cannot be read by the grader: {err}") from None
        if kind == "callable":
            self.fetched.append(name)
            self[name] = RemoteFunction(self.sandbox, name, self)
            return self[name]
        if kind == "value":
            self.fetched.append(name)
            self[name] = value
            return value
        if kind == "unsendable":
            reason = boundary.inert_text(str(value), boundary.ERROR_LIMIT)
            raise TypeError(f"{name} in the student's notebook cannot be read by the grader: {reason}")
        if kind == "missing":
            raise KeyError(name)
        raise StudentCodeError(f"looking up {name}: the sandbox sent a reply the grader refused", "reply")


def trusted_setup(setup_source: str) -> dict:
    """Run the lesson's setup cell here (quietly) and return its namespace, the base of every test cell."""
    namespace: dict = {"__name__": "__grader__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(_without_magics(setup_source), "<setup>", "exec"), namespace)
    return namespace


def _without_magics(source: str) -> str:
    """The source with IPython magics and shell lines blanked (line numbers kept)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


# ----------------------------------------------------------------------------- running a test cell


@dataclass(frozen=True)
class TestOutcome:
    """The verdict of one test cell.

    ``reason``: why it failed, safe to show the student ("" when it passed); ``detail``: the full message,
    for the instructor only ("" when it is the same as ``reason``); ``output``: what the cell printed
    (nothing for a cell that failed in its hidden tests).
    """

    __test__ = False  # not a pytest test class

    passed: bool
    reason: str = ""
    output: str = ""
    detail: str = ""


#: compile name of each test cell seen → the line numbers (1-based) of its hidden tests
_HIDDEN_LINES: dict[str, frozenset[int]] = {}


def hidden_lines(source: str) -> frozenset[int]:
    """Line numbers (1-based) from each ``### BEGIN HIDDEN TESTS`` to its ``### END HIDDEN TESTS``, inclusive."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == HIDDEN_BEGIN:
            inside = True
        if inside:
            lines.add(number)
        if line.strip() == HIDDEN_END:
            inside = False
    return frozenset(lines)


def _cell_name(source: str) -> str:
    name = f"<test cell {hashlib.sha256(source.encode('utf-8', 'replace')).hexdigest()[:12]}>"
    _HIDDEN_LINES.setdefault(name, hidden_lines(source))
    return name


def _failed_in_hidden_tests(err: BaseException) -> bool:
    """True when the traceback passes through a hidden line of any test cell (this one or an earlier one)."""
    for frame, line in traceback.walk_tb(err.__traceback__):
        if line in _HIDDEN_LINES.get(frame.f_code.co_filename, ()):
            return True
    return False


def _full_message(err: BaseException) -> str:
    if isinstance(err, NameError) and not getattr(err, "from_sandbox", False):
        return f"NameError: {err} (is the function defined, under exactly this name?)"
    return f"{type(err).__name__}: {err}"


def _hidden_message(err: BaseException) -> str:
    """What a student may see of a failure in a hidden test: the exercise, the case and the check's hints."""
    note = "(a hidden test: its inputs, the expected values and what your code returned or raised are not shown)"
    headline = getattr(err, "headline", None)
    if isinstance(err, AssertionError) and isinstance(headline, str) and headline:
        hints = [h for h in getattr(err, "hints", ()) if isinstance(h, str) and h]
        return "\n".join([headline, f"  {note}", *(f"  hint: {h}" for h in hints)])
    if isinstance(err, StudentCodeError):
        if err.kind == "timeout":  # the text is the grader's own: a name from the test and its time limit
            return f"{err} (in a hidden test)"
        if err.kind == "reply":
            return "a hidden test failed: the student's code sent a reply the grader refused"
        return "a hidden test failed: the student's code crashed the sandbox"
    return f"a hidden test failed {note}"


def run_test_cell(source: str, namespace: StudentNamespace, deadline: float) -> TestOutcome:
    """Execute one test cell in ``namespace`` (shared by a lesson's test cells, as in a kernel).

    ``deadline`` is a :func:`time.monotonic` time for the whole cell: every call of a student's function
    and every lookup in the student's notebook gets what is left of it, and once it has passed they fail
    at once ("… did not return within …") without asking the sandbox. The names read from the student's
    notebook accumulate in ``namespace.fetched``.
    """
    name = _cell_name(source)
    if hasattr(namespace, "start_cell"):
        namespace.start_cell(deadline)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(_without_magics(source), name, "exec"), namespace)
    except Exception as err:  # any failure of a test is its verdict; the message explains it
        full = _full_message(err)
        if _failed_in_hidden_tests(err):
            reason = _hidden_message(err)
            return TestOutcome(False, reason, "", full if full != reason else "")
        return TestOutcome(False, full, out.getvalue(), "")
    finally:
        if hasattr(namespace, "end_cell"):
            namespace.end_cell()
    return TestOutcome(True, "", out.getvalue(), "")
