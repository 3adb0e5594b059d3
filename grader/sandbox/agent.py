"""Runs inside the sandbox: executes the student's cells and answers calls from the grader.

Requests and replies travel on two inherited file descriptors (see :mod:`grader.wire`); the student's
own output goes to file descriptors 1 and 2, which the grader reads and caps. Nothing here decides a
grade: the grader only receives the values the student's functions return, and checks every reply's
shape (:mod:`grader.boundary`), since the student's code runs in this process and could change this one.

Replies are sent within :data:`grader.wire.REPLY_LIMITS`, so an honest agent never writes a frame the
grader refuses: a reply too large to send becomes an "unsendable" one.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from typing import Any

import numpy as np

from grader import boundary, wire
from grader.messages import MESSAGE_CAP, SUMMARY_CAP

#: Arrays and generators inside the arguments are followed this many levels into lists, tuples and dicts.
ARGUMENT_DEPTH = 3
#: Work np.shares_memory may do before the agent settles for "may share" (exact answers can be slow).
SHARES_MEMORY_WORK = 100_000


def _safe_str(value: Any, limit: int) -> str:
    """str(value), whatever its __str__ does, cut to ``limit`` characters and writable as UTF-8."""
    try:
        text = str(value)
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise anything
        text = f"<{type(value).__name__} that cannot be printed>"
    return boundary.inert_text(text[: limit * 2], limit)


def _exception_info(err: BaseException) -> dict:
    mro = [f"{c.__module__}.{c.__qualname__}"[: boundary.NAME_LIMIT] for c in type(err).__mro__][: boundary.MRO_LIMIT]
    return {
        "type": type(err).__name__[: boundary.NAME_LIMIT],
        "mro": mro,
        "message": _safe_str(err, MESSAGE_CAP),
    }


def _watched(value: Any, path: list, found: list, depth: int = 0) -> None:
    """(path, object) of every array and generator in an argument, following lists, tuples and dicts."""
    if len(found) >= boundary.PATH_ENTRIES:
        return
    if isinstance(value, (np.ndarray, np.random.Generator, np.random.RandomState)):
        found.append((path, value))
    elif depth < ARGUMENT_DEPTH and isinstance(value, (list, tuple)):
        for i, item in enumerate(value[: boundary.PATH_ENTRIES]):
            _watched(item, [*path, i], found, depth + 1)
    elif depth < ARGUMENT_DEPTH and isinstance(value, dict):
        for key, item in list(value.items())[: boundary.PATH_ENTRIES]:
            if isinstance(key, str) and len(key) <= boundary.KEY_LIMIT:
                _watched(item, [*path, key], found, depth + 1)


def _state(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.random.Generator):
        return value.bit_generator.state
    return value.get_state(legacy=False)


def _differs(value: Any, before: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.shape != before.shape or not np.array_equal(value, before, equal_nan=True)
    if isinstance(value, np.random.Generator):
        return not _same_state(value.bit_generator.state, before)
    return not _same_state(value.get_state(legacy=False), before)


def _same_state(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_state(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def _result_arrays(value: Any) -> list[tuple[list, np.ndarray]]:
    """The result itself, or the values of a returned tuple or list, that are arrays."""
    if isinstance(value, np.ndarray):
        return [([], value)]
    if isinstance(value, (tuple, list)):
        return [([i], v) for i, v in enumerate(value[: boundary.PATH_ENTRIES]) if isinstance(v, np.ndarray)]
    return []


def _shares(a: np.ndarray, b: np.ndarray) -> bool:
    if not np.may_share_memory(a, b):
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=SHARES_MEMORY_WORK))
    except np.exceptions.TooHardError:
        return True


def _keras_outcome(name: str, inputs: list, result: Any, out_blobs: list[bytes]) -> dict:
    """The outcome of a call given keras.Input tensors: the Keras tensor it returned, as the model from those
    inputs to it; anything else it returned is a TypeError for the test to report."""
    if not wire.is_keras_tensor(result):
        message = (
            f"{name[:200]} returned {type(result).__name__[:100]}, not a Keras tensor: called with a keras.Input, "
            "it must return the tensor its last layer outputs (built with the Functional API)"
        )
        return {"raised": _exception_info(TypeError(message))}
    try:
        import keras

        model = keras.Model(inputs[0] if len(inputs) == 1 else inputs, result)
    except Exception as err:  # noqa: BLE001 - Keras refuses a graph that does not start at the given inputs
        message = (
            f"the Keras tensor {name[:200]} returned is not computed from the keras.Input it was given "
            f"({type(err).__name__}: {_safe_str(err, SUMMARY_CAP)})"
        )
        return {"raised": _exception_info(ValueError(message))}
    try:
        return {"result": wire.encode_keras_output(model, out_blobs)}
    except Exception as err:  # noqa: BLE001 - a model that cannot be described is unsendable
        del out_blobs[:]
        return {"unsendable": _safe_str(err, 1000)}


class Agent:
    """The student's namespace, an IPython shell to run cells in, and the request loop."""

    def __init__(self, channel_in: int, channel_out: int) -> None:
        self.inbox = os.fdopen(channel_in, "rb", buffering=0)
        self.outbox = os.fdopen(channel_out, "wb", buffering=0)
        from IPython.core.interactiveshell import InteractiveShell

        self.shell = InteractiveShell.instance(colors="NoColor")
        self.shell.showtraceback = self._show_traceback  # plain tracebacks on stderr, no ANSI colours

    def _show_traceback(self, *args: Any, **kwargs: Any) -> None:
        etype, value, tb = sys.exc_info()
        if etype is not None:
            sys.stderr.write("".join(traceback.format_exception(etype, value, tb.tb_next if tb else None)))

    def reply(self, message: dict, blobs: list[bytes] = (), seconds: float | None = None) -> None:
        """Send a reply within what the grader accepts; one too large becomes an error (for a call, unsendable)."""
        try:
            wire.send(self.outbox, message, list(blobs), limits=wire.REPLY_LIMITS)
        except wire.WireError as err:
            reason = f"the reply is too large to send ({_safe_str(err, SUMMARY_CAP)})"
            if seconds is None:
                small = {"error": reason}
            else:
                small = {"unsendable": reason, "seconds": seconds, "changed": [], "views": []}
            wire.send(self.outbox, small, [], limits=wire.REPLY_LIMITS)

    def run_cell(self, source: str) -> dict:
        start = time.perf_counter()
        try:
            result = self.shell.run_cell(source, store_history=False, silent=False)
        except KeyboardInterrupt:
            return {"ok": False, "error": "KeyboardInterrupt: the cell was interrupted", "seconds": 0.0}
        error = result.error_in_exec or result.error_before_exec
        sys.stdout.flush()
        sys.stderr.flush()
        text = "" if error is None else f"{type(error).__name__[:100]}: {_safe_str(error, MESSAGE_CAP)}"
        return {"ok": error is None, "error": text, "seconds": float(time.perf_counter() - start)}

    def lookup(self, name: str) -> tuple[dict, list[bytes]]:
        if name not in self.shell.user_ns:
            return {"kind": "missing"}, []
        value = self.shell.user_ns[name]
        if callable(value) and not wire._is_keras_model(value):
            return {"kind": "callable"}, []
        blobs: list[bytes] = []
        try:
            return {"kind": "value", "value": wire.encode(value, blobs)}, blobs
        except Exception as err:  # noqa: BLE001 - a value that cannot be described is just unsendable
            return {"kind": "unsendable", "error": _safe_str(err, 1000)}, []

    def call(self, name: str, args_data: Any, kwargs_data: Any, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        fn = self.shell.user_ns.get(name)
        if not callable(fn):
            info = {"type": "NameError", "mro": ["builtins.NameError"], "message": f"{name[:200]} is not defined"}
            return {"raised": info, "seconds": 0.0, "changed": [], "views": []}, []
        store = wire.Blobs(blobs)
        args = wire.decode(args_data, store, modules=True)
        kwargs = wire.decode(kwargs_data, store, modules=True)
        if not isinstance(args, tuple) or not isinstance(kwargs, dict):
            raise TypeError("args must be a tuple and kwargs a dict")
        watched: list = []
        for i, value in enumerate(args):
            _watched(value, [i], watched)
        for key, value in kwargs.items():
            _watched(value, [key], watched)
        before = [_state(value) for _, value in watched]
        out_blobs: list[bytes] = []
        start = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
            outcome: dict = {}
        except KeyboardInterrupt:
            raise
        except BaseException as err:  # noqa: BLE001 - every student exception is reported, typed, to the grader
            result, outcome = None, {"raised": _exception_info(err)}
        seconds = float(time.perf_counter() - start)
        if not outcome and store.keras_inputs:
            outcome = _keras_outcome(name, store.keras_inputs, result, out_blobs)
        if not outcome:
            try:
                outcome = {"result": wire.encode(result, out_blobs)}
            except KeyboardInterrupt:
                raise
            except Exception as err:  # noqa: BLE001 - a result that cannot be described is unsendable
                del out_blobs[:]
                outcome = {"unsendable": _safe_str(err, 1000)}
        changed = []
        for (path, value), old in zip(watched, before):
            try:
                if _differs(value, old):
                    changed.append({"path": path, "value": wire.encode(value, out_blobs)})
            except Exception:  # noqa: BLE001, S112 - an argument that cannot be compared or sent is not reported
                continue
        views = []
        if "result" in outcome:
            arrays = [(path, value) for path, value in watched if isinstance(value, np.ndarray)]
            for result_path, part in _result_arrays(result):
                for arg_path, arg in arrays:
                    if len(views) < boundary.PATH_ENTRIES and _shares(part, arg):
                        views.append({"result": result_path, "arg": arg_path})
        message = {**outcome, "seconds": seconds, "changed": changed, "views": views}
        return message, out_blobs

    def serve(self) -> None:
        self.reply({"ready": True, "pid": os.getpid()})
        while True:
            try:
                request, blobs = wire.receive(self.inbox, limits=wire.REQUEST_LIMITS)
            except (EOFError, wire.WireError):
                return  # the grader closed the channel (or it is unreadable): nothing more will come
            op = request.get("op")
            try:
                if op == "run_cell":
                    self.reply(self.run_cell(str(request.get("source", ""))))
                elif op == "lookup":
                    self.reply(*self.lookup(str(request.get("name", ""))))
                elif op == "call":
                    message, out_blobs = self.call(str(request["name"]), request["args"], request["kwargs"], blobs)
                    self.reply(message, out_blobs, seconds=message["seconds"])
                else:
                    self.reply({"error": f"unknown op {str(op)[:100]!r}"})
            except KeyboardInterrupt:
                self.reply({"interrupted": True})
            except (wire.WireError, KeyError, TypeError, ValueError) as err:  # a malformed request: say so, go on
                info = {"type": "TypeError", "mro": ["builtins.TypeError"], "message": _safe_str(err, SUMMARY_CAP)}
                self.reply({"raised": info, "seconds": 0.0, "changed": [], "views": []})


def main() -> None:
    channel_in, channel_out = int(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    Agent(channel_in, channel_out).serve()


if __name__ == "__main__":
    main()
