"""Run a lesson's test cells in the grader's own process, against a student's sandboxed functions.

A test cell's code runs here, never in the student's kernel. Names it does not define itself (the
exercise functions) are looked up in the sandbox: a function becomes a :class:`RemoteFunction` that
sends plain data and gets plain data back; nothing the student's code does can reach this process,
so it cannot patch NumPy, the checks, builtins or IPython for the tests.
"""

from __future__ import annotations

import builtins
import contextlib
import io
from typing import Any

import numpy as np

from grader import wire
from grader.sandbox.client import Sandbox, SandboxDied, SandboxTimeout

#: Student exceptions are rebuilt as the first builtin exception class in their MRO; these never are.
NOT_REBUILT = {BaseException, SystemExit, KeyboardInterrupt, GeneratorExit}


class StudentCodeError(RuntimeError):
    """The student's code crashed the sandbox or ran out of time during a call."""


def rebuild_exception(info: dict) -> BaseException:
    """The student's exception as a builtin exception of the same family, with its message."""
    message = str(info.get("message", ""))
    for qualified in info.get("mro", []):
        module, _, name = str(qualified).partition(".")
        cls = getattr(builtins, name, None) if module == "builtins" else None
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in NOT_REBUILT:
            try:
                return cls(message)
            except TypeError:  # exceptions that need more arguments (UnicodeDecodeError, …)
                break
    return RuntimeError(f"{info.get('type', 'an exception')}: {message}")


def _as_view(spec: dict, copy: np.ndarray, named: dict[str, Any]) -> np.ndarray:
    """Rebuild a result that the student's function returned as a view of one of its arguments."""
    original = named.get(str(spec.get("arg")))
    if not (isinstance(original, np.ndarray) and original.flags.c_contiguous and original.dtype == copy.dtype):
        return copy
    try:
        view = np.ndarray(
            tuple(int(s) for s in spec["shape"]),
            dtype=original.dtype,
            buffer=original,
            offset=int(spec["offset"]),
            strides=tuple(int(s) for s in spec["strides"]),
        )
    except (TypeError, ValueError, KeyError):
        return copy
    return view if view.shape == copy.shape and np.array_equal(view, copy, equal_nan=True) else copy


def decode_result(data: Any, blobs: list[bytes], named: dict[str, Any]) -> Any:
    if isinstance(data, dict) and "__view__" in data:
        return _as_view(data["__view__"], wire.decode(data["value"], blobs), named)
    if isinstance(data, dict) and "__tuple__" in data:
        return tuple(decode_result(v, blobs, named) for v in data["__tuple__"])
    if isinstance(data, list):
        return [decode_result(v, blobs, named) for v in data]
    return wire.decode(data, blobs)


class RemoteFunction:
    """Stands for the student's function ``name``; every call runs in the sandbox."""

    def __init__(self, sandbox: Sandbox, name: str, timeout: float) -> None:
        self.sandbox, self.__name__, self.timeout = sandbox, name, timeout
        self.__qualname__ = name

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            reply = self.sandbox.call(self.__name__, args, kwargs, timeout=self.timeout)
        except SandboxTimeout as err:
            raise StudentCodeError(f"{self.__name__} did not return within {self.timeout:g} s") from err
        except SandboxDied as err:
            raise StudentCodeError(f"{self.__name__} crashed the sandbox: {err}") from err
        except wire.WireError as err:
            raise TypeError(f"{self.__name__} was called with a value the grader cannot send: {err}") from err
        blobs = reply.pop("_blobs", [])
        named = {str(i): a for i, a in enumerate(args)} | dict(kwargs)
        for key, data in (reply.get("changed") or {}).items():
            _copy_back(named.get(key), wire.decode(data, blobs))
        if "raised" in reply:
            raise rebuild_exception(reply["raised"])
        if "unsendable" in reply:
            raise TypeError(f"{self.__name__} returned a value the grader cannot read: {reply['unsendable']}")
        return decode_result(reply.get("result"), blobs, named)


def _copy_back(original: Any, new: Any) -> None:
    """Mirror an in-place change the student's function made to an argument."""
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray) and original.shape == new.shape:
        if original.flags.writeable:
            np.copyto(original, new, casting="unsafe")
    elif isinstance(original, np.random.Generator) and isinstance(new, np.random.Generator):
        if type(original.bit_generator) is type(new.bit_generator):
            original.bit_generator.state = new.bit_generator.state
    elif isinstance(original, np.random.RandomState) and isinstance(new, np.random.RandomState):
        original.set_state(new.get_state())


class StudentNamespace(dict):
    """Globals for a test cell: the grader's own names first, then the student's, looked up on demand."""

    def __init__(self, base: dict, sandbox: Sandbox, timeout: float) -> None:
        super().__init__(base)
        self.sandbox, self.timeout = sandbox, timeout
        self.fetched: list[str] = []

    def rebind(self, sandbox: Sandbox) -> None:
        """Point at a rebuilt sandbox: forget what came from the old one, keep what the test cells defined."""
        for name in self.fetched:
            self.pop(name, None)
        self.sandbox = sandbox

    def __missing__(self, name: str) -> Any:
        if hasattr(builtins, name):
            return getattr(builtins, name)
        try:
            kind, value = self.sandbox.lookup(name, timeout=self.timeout)
        except (SandboxTimeout, SandboxDied) as err:
            raise StudentCodeError(f"could not look up {name} in the student's notebook: {err}") from err
        if kind == "callable":
            self.fetched.append(name)
            self[name] = RemoteFunction(self.sandbox, name, self.timeout)
            return self[name]
        if kind == "value":
            self.fetched.append(name)
            self[name] = value
            return value
        if kind == "unsendable":
            raise TypeError(f"{name} in the student's notebook cannot be read by the grader: {value}")
        raise KeyError(name)


def trusted_setup(setup_source: str) -> dict:
    """Run the lesson's setup cell here (quietly) and return its namespace, the base of every test cell."""
    namespace: dict = {"__name__": "__grader__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(_without_magics(setup_source), "<setup>", "exec"), namespace)
    return namespace


def _without_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def run_test_cell(source: str, namespace: StudentNamespace, timeout: float) -> tuple[bool, str, str]:
    """Execute one test cell in ``namespace`` (shared by a lesson's test cells, as in a kernel).

    Returns (passed, reason, stdout); the names read from the student's notebook accumulate in
    ``namespace.fetched``.
    """
    namespace.timeout = timeout
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(_without_magics(source), "<test cell>", "exec"), namespace)
    except NameError as err:
        return False, f"NameError: {err} (is the function defined, under exactly this name?)", out.getvalue()
    except Exception as err:  # any failure of a test is its verdict; the message explains it
        return False, f"{type(err).__name__}: {err}", out.getvalue()
    return True, "", out.getvalue()
