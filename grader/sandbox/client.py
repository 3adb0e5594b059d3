"""The grader's side of a sandbox: start it, run the student's cells, call the student's functions.

Everything that comes back is plain data (see :mod:`grader.wire`), so the tests that judge it run in
the grader's own process, out of the student's reach. Time limits interrupt and then kill; output is
capped while it streams; the memory limit is an address-space limit on the sandbox.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import course_utils
import grader
from grader import wire

OUTPUT_CAP_BYTES = 64 * 1024
INTERRUPT_GRACE_SECONDS = 3.0


class SandboxDied(RuntimeError):
    """The sandbox process ended (crash, os._exit, killed for time or memory)."""


class SandboxTimeout(RuntimeError):
    """A cell or a call ran past its time limit; the sandbox was interrupted or killed."""


@dataclass
class CappedStream:
    """Reads a pipe to its end, keeping at most ``cap`` bytes."""

    cap: int = OUTPUT_CAP_BYTES
    data: bytearray = field(default_factory=bytearray)
    dropped: int = 0

    def drain(self, pipe: Any) -> None:
        while True:
            chunk = pipe.read1(8192)
            if not chunk:
                return
            room = self.cap - len(self.data)
            if room > 0:
                self.data += chunk[:room]
            self.dropped += max(0, len(chunk) - max(room, 0))

    def take(self) -> str:
        """Text written since the last call (the cap applies to the whole life of the sandbox)."""
        text = self.data.decode("utf-8", "replace")
        self.data.clear()
        if self.dropped:
            text += f"\n[… {self.dropped:,} more bytes of output were cut]"
            self.dropped = 0
        return text


def can_isolate() -> bool:
    """Full isolation needs root (namespaces, chroot, dropping to an unprivileged user) and `unshare`."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare") is not None


class Sandbox:
    """One student's sandbox process; use as a context manager."""

    def __init__(self, *, memory_gb: float = 4.0, isolate: bool | None = None, env: dict[str, str] | None = None):
        self.memory_bytes = int(memory_gb * 1024**3)
        self.isolated = can_isolate() if isolate is None else isolate
        self.extra_env = env or {}
        self.stdout = CappedStream()
        self.stderr = CappedStream()
        self.proc: subprocess.Popen | None = None
        self.agent_pid: int | None = None
        self.killed = False
        self._root = None

    # ------------------------------------------------------------------ life cycle
    def _environment(self, home: str) -> dict[str, str]:
        env = {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": home,
            "MPLCONFIGDIR": f"{home}/.matplotlib",
            "KERAS_HOME": f"{home}/.keras",
            "MPLBACKEND": "Agg",
            "NBGRADER_EXECUTION": "autograde",
            "COURSE_OFFLINE": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "CUDA_VISIBLE_DEVICES": "",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1",
            "TF_NUM_INTEROP_THREADS": "1",
            "TF_NUM_INTRAOP_THREADS": "1",
            "LANG": "C.UTF-8",
        }
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        to_agent_r, to_agent_w = os.pipe()
        from_agent_r, from_agent_w = os.pipe()
        if self.isolated:
            self._root = tempfile.mkdtemp(prefix="cnn-sandbox-root-")
            allowed = sorted(
                {
                    sys.prefix,
                    sys.base_prefix,
                    sys.exec_prefix,
                    os.path.dirname(os.path.realpath(sys.executable)),
                    os.path.dirname(course_utils.__file__),
                    os.path.dirname(grader.__file__),
                }
            )
            command = [
                "unshare",
                "--mount",
                "--pid",
                "--net",
                "--ipc",
                "--uts",
                "--fork",
                "--kill-child",
                sys.executable,
                "-m",
                "grader.sandbox.launch",
                "--root",
                self._root,
                "--memory",
                str(self.memory_bytes),
                "--channels",
                str(to_agent_r),
                str(from_agent_w),
            ]
            for path in allowed:
                command += ["--allow", path]
            env = self._environment("/tmp/work")
            # the launcher imports grader from here before it changes root
            env["PYTHONPATH"] = str(Path(grader.__file__).resolve().parent.parent)
            preexec = None
            cwd = "/"
        else:
            home = tempfile.mkdtemp(prefix="cnn-sandbox-")
            self._root = home
            command = [sys.executable, "-m", "grader.sandbox.agent", str(to_agent_r), str(from_agent_w)]
            env = self._environment(home)
            env["PYTHONPATH"] = str(Path(grader.__file__).resolve().parent.parent)
            memory = self.memory_bytes

            def preexec() -> None:
                import resource

                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
                os.setsid()

            cwd = home
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(to_agent_r, from_agent_w),
            env=env,
            cwd=cwd,
            preexec_fn=preexec,
        )
        os.close(to_agent_r)
        os.close(from_agent_w)
        self.to_agent = os.fdopen(to_agent_w, "wb", buffering=0)
        self.from_agent = os.fdopen(from_agent_r, "rb", buffering=0)
        for stream, pipe in ((self.stdout, self.proc.stdout), (self.stderr, self.proc.stderr)):
            threading.Thread(target=stream.drain, args=(pipe,), daemon=True).start()
        hello = self._receive(timeout=120)
        self.agent_pid = self._find_agent_pid()
        if not hello[0].get("ready"):
            raise SandboxDied("the sandbox did not start")

    def _find_agent_pid(self) -> int:
        if not self.isolated:
            return self.proc.pid
        import psutil

        for _ in range(50):
            children = psutil.Process(self.proc.pid).children()
            if children:
                return children[0].pid
            time.sleep(0.05)
        return self.proc.pid

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self._kill()
        if self.proc is not None:
            self.proc.wait()
        for stream in ("to_agent", "from_agent"):
            handle = getattr(self, stream, None)
            if handle is not None:
                try:
                    handle.close()
                except OSError:
                    pass
        if self._root:
            if self.isolated:
                try:
                    os.rmdir(self._root)
                except OSError:
                    pass
            else:
                shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.proc is not None and not self.killed and self.proc.poll() is None

    def _kill(self) -> None:
        self.killed = True
        for pid in {self.agent_pid, self.proc.pid if self.proc else None} - {None}:
            try:
                if not self.isolated:
                    os.killpg(pid, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    # ------------------------------------------------------------------ messages
    def _receive(self, timeout: float) -> tuple[dict, list[bytes]]:
        box: dict[str, Any] = {}

        def read() -> None:
            try:
                box["value"] = wire.receive(self.from_agent)
            except (EOFError, wire.WireError, OSError, ValueError) as err:
                box["error"] = err

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            self._interrupt_or_kill(reader)
            raise SandboxTimeout(f"no answer within {timeout:g} s")
        if "error" in box:
            reason = self._death_reason(box["error"])
            self._kill()
            raise SandboxDied(reason)
        return box["value"]

    def _interrupt_or_kill(self, reader: threading.Thread) -> None:
        """Send SIGINT; if the sandbox does not answer within the grace period, kill it."""
        try:
            os.kill(self.agent_pid or self.proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        reader.join(INTERRUPT_GRACE_SECONDS)
        if reader.is_alive():
            self._kill()
            reader.join(5)

    def _death_reason(self, error: BaseException) -> str:
        time.sleep(0.1)
        code = self.proc.poll() if self.proc else None
        if code is not None and code < 0:
            return f"the sandbox was killed by signal {-code}"
        if code is not None:
            return f"the sandbox exited with code {code} (sys.exit, os._exit, or a crash)"
        return f"the sandbox stopped answering ({error})"

    def request(self, message: dict, blobs: list[bytes] = (), timeout: float = 60.0) -> tuple[dict, list[bytes]]:
        if not self.alive:
            raise SandboxDied("the sandbox is not running")
        try:
            wire.send(self.to_agent, message, list(blobs))
        except (BrokenPipeError, OSError) as err:
            reason = self._death_reason(err)
            self._kill()
            raise SandboxDied(reason) from err
        reply, reply_blobs = self._receive(timeout)
        if reply.get("interrupted"):
            raise SandboxTimeout(f"interrupted after {timeout:g} s")
        return reply, reply_blobs

    # ------------------------------------------------------------------ operations
    def run_cell(self, source: str, timeout: float = 60.0) -> dict:
        """Execute one cell of the student's notebook; returns ok, error, seconds."""
        reply, _ = self.request({"op": "run_cell", "source": source}, timeout=timeout)
        return reply

    def lookup(self, name: str, timeout: float = 60.0) -> tuple[str, Any]:
        """('callable', None), ('value', value), ('missing', None) or ('unsendable', reason)."""
        reply, blobs = self.request({"op": "lookup", "name": name}, timeout=timeout)
        kind = reply.get("kind")
        if kind == "value":
            return kind, wire.decode(reply.get("value"), blobs)
        return kind, reply.get("error")

    def call(self, name: str, args: tuple, kwargs: dict, timeout: float = 60.0) -> dict:
        """Call the student's ``name(*args, **kwargs)``; returns the raw reply and its blobs decoded later."""
        blobs: list[bytes] = []
        message = {
            "op": "call",
            "name": name,
            "args": wire.encode(tuple(args), blobs, lenient=True),
            "kwargs": wire.encode(dict(kwargs), blobs, lenient=True),
        }
        reply, reply_blobs = self.request(message, blobs, timeout=timeout)
        reply["_blobs"] = reply_blobs
        return reply
