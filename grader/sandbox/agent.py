"""Runs inside the sandbox: executes the student's cells and answers calls from the grader.

Requests and replies travel on two inherited file descriptors (see :mod:`grader.wire`); the student's
own output goes to file descriptors 1 and 2, which the grader reads and caps. Nothing here decides a
grade: the grader only receives the values the student's functions return.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from typing import Any

import numpy as np

from grader import wire

MESSAGE_LIMIT = 4000


def _exception_info(err: BaseException) -> dict:
    mro = [f"{c.__module__}.{c.__qualname__}" for c in type(err).__mro__]
    return {"type": type(err).__name__, "mro": mro, "message": str(err)[:MESSAGE_LIMIT]}


def _view_of(result: np.ndarray, args: dict[str, np.ndarray]) -> dict | None:
    for key, arg in args.items():
        if result.dtype == arg.dtype and arg.flags.c_contiguous and np.shares_memory(result, arg):
            offset = result.__array_interface__["data"][0] - arg.__array_interface__["data"][0]
            return {"arg": key, "offset": int(offset), "shape": list(result.shape), "strides": list(result.strides)}
    return None


def _encode_result(value: Any, arrays: dict[str, np.ndarray], blobs: list[bytes]) -> Any:
    """Encode a return value, describing arrays that are views of an argument as such."""
    if isinstance(value, np.ndarray) and arrays:
        view = _view_of(value, arrays)
        if view is not None:
            return {"__view__": view, "value": wire.encode(value, blobs)}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode_result(v, arrays, blobs) for v in value]}
    if isinstance(value, list):
        return [_encode_result(v, arrays, blobs) for v in value]
    return wire.encode(value, blobs)


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

    def reply(self, message: dict, blobs: list[bytes] = ()) -> None:
        wire.send(self.outbox, message, list(blobs))

    def run_cell(self, source: str) -> dict:
        start = time.perf_counter()
        try:
            result = self.shell.run_cell(source, store_history=False, silent=False)
        except KeyboardInterrupt:
            return {"ok": False, "error": "KeyboardInterrupt: the cell was interrupted", "seconds": 0.0}
        error = result.error_in_exec or result.error_before_exec
        sys.stdout.flush()
        sys.stderr.flush()
        return {
            "ok": error is None,
            "error": "" if error is None else f"{type(error).__name__}: {str(error)[:MESSAGE_LIMIT]}",
            "seconds": time.perf_counter() - start,
        }

    def lookup(self, name: str) -> tuple[dict, list[bytes]]:
        if name not in self.shell.user_ns:
            return {"kind": "missing"}, []
        value = self.shell.user_ns[name]
        if callable(value) and not _is_keras_model(value):
            return {"kind": "callable"}, []
        blobs: list[bytes] = []
        try:
            return {"kind": "value", "value": wire.encode(value, blobs)}, blobs
        except wire.WireError as err:
            return {"kind": "unsendable", "error": str(err)}, []

    def call(self, name: str, args_data: Any, kwargs_data: Any, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        fn = self.shell.user_ns.get(name)
        if not callable(fn):
            return {
                "raised": {"type": "NameError", "mro": ["builtins.NameError"], "message": f"{name} is not defined"}
            }, []
        args = wire.decode(args_data, blobs)
        kwargs = wire.decode(kwargs_data, blobs)
        named = {str(i): a for i, a in enumerate(args)} | {k: v for k, v in kwargs.items()}
        arrays = {k: v for k, v in named.items() if isinstance(v, np.ndarray)}
        before = {k: v.copy() for k, v in arrays.items()}
        out_blobs: list[bytes] = []
        start = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
            message: dict = {"result": _encode_result(result, arrays, out_blobs)}
        except KeyboardInterrupt:
            raise
        except wire.WireError as err:
            message = {"unsendable": str(err)}
        except BaseException as err:  # noqa: BLE001 - every student exception is reported, typed, to the grader
            if isinstance(err, SystemExit):
                message = {"raised": {"type": "SystemExit", "mro": ["builtins.SystemExit"], "message": str(err)}}
            else:
                message = {"raised": _exception_info(err)}
        message["seconds"] = time.perf_counter() - start
        changed = {
            k: wire.encode(v, out_blobs)
            for k, v in arrays.items()
            if v.shape != before[k].shape or not np.array_equal(v, before[k], equal_nan=True)
        }
        generators = {
            k: wire.encode(v, out_blobs)
            for k, v in named.items()
            if isinstance(v, (np.random.Generator, np.random.RandomState))
        }
        message["changed"] = changed | generators
        return message, out_blobs

    def serve(self) -> None:
        self.reply({"ready": True, "pid": os.getpid()})
        while True:
            try:
                request, blobs = wire.receive(self.inbox)
            except EOFError:
                return
            op = request.get("op")
            try:
                if op == "run_cell":
                    self.reply(self.run_cell(str(request.get("source", ""))))
                elif op == "lookup":
                    self.reply(*self.lookup(str(request.get("name", ""))))
                elif op == "call":
                    self.reply(*self.call(str(request["name"]), request["args"], request["kwargs"], blobs))
                elif op == "ping":
                    self.reply({"pong": True})
                else:
                    self.reply({"error": f"unknown op {op!r}"})
            except KeyboardInterrupt:
                self.reply({"interrupted": True})
            except (wire.WireError, KeyError, TypeError, ValueError) as err:  # a malformed request: say so, go on
                self.reply({"raised": {"type": "TypeError", "mro": ["builtins.TypeError"], "message": str(err)[:500]}})


def _is_keras_model(value: Any) -> bool:
    return type(value).__module__.startswith("keras") and hasattr(value, "get_weights")


def main() -> None:
    channel_in, channel_out = int(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    Agent(channel_in, channel_out).serve()


if __name__ == "__main__":
    main()
