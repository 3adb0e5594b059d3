"""The grader's side of a sandbox: start it, run the student's cells, call the student's functions.

Everything that comes back is plain data (see :mod:`grader.wire`), so the tests that judge it run in
the grader's own process, out of the student's reach. Every exchange has a deadline: past it the agent is
interrupted, then killed. Output is capped while it streams. The sandbox itself is bubblewrap in a cgroup of
its own (see :mod:`grader.sandbox.launch`, :mod:`grader.sandbox.cgroups`, :mod:`grader.sandbox.isolation`).
"""

from __future__ import annotations

import contextlib
import os
import select
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
from grader import boundary, wire
from grader.messages import SUMMARY_CAP, capped
from grader.sandbox import cgroups, isolation, launch
from grader.sandbox.cgroups import SubmissionCgroup
from grader.sandbox.isolation import UidSlot

OUTPUT_CAP_BYTES = 64 * 1024
INTERRUPT_GRACE_SECONDS = 3.0
START_TIMEOUT_SECONDS = 120.0
#: Past the output cap, the grader reads at most 1 MiB per pause: a flood costs the grader almost no CPU.
FLOOD_PAUSE_SECONDS = 0.05
#: How long reading what a cell already printed may take before the grader goes on without the rest.
SETTLE_SECONDS = 1.0


class SandboxDied(RuntimeError):
    """The sandbox process ended (crash, os._exit, killed for time or memory)."""


class SandboxTimeout(RuntimeError):
    """A cell or a call ran past its time limit; the sandbox was interrupted or killed."""


@dataclass
class CappedStream:
    """Reads a pipe to its end, keeping at most ``cap`` bytes.

    The agent flushes its output before it replies, but the reply travels on another pipe: :meth:`take`
    first waits until what is already in this pipe has been read, so a cell's last lines are never lost.
    """

    cap: int = OUTPUT_CAP_BYTES
    data: bytearray = field(default_factory=bytearray)
    dropped: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _fd: int | None = field(default=None, repr=False)  # the pipe being drained, until its end

    def follow(self, pipe: Any) -> threading.Thread:
        """Start reading ``pipe`` in a thread of its own, which ends at the pipe's end.

        The thread reads a duplicate of the pipe's descriptor and closes it itself at the end: when ``pipe`` is
        closed (or collected) first, its number may be reused at once for another pipe, which this thread
        must never read.
        """
        self._fd = os.dup(pipe.fileno())
        reader = threading.Thread(target=self._drain, args=(self._fd,), daemon=True)
        reader.start()
        return reader

    def _drain(self, fd: int) -> None:
        """Read to the end; past the cap, slowly, so a flood blocks the flooding sandbox, not the grader's CPU."""
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while True:
            poller.poll()  # until there is something to read, or the pipe's end
            with self._lock:
                full = len(self.data) >= self.cap
                try:
                    chunk = os.read(fd, 1024 * 1024 if full else 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    self._fd = None
                    with contextlib.suppress(OSError):
                        os.close(fd)
                    return
                room = self.cap - len(self.data)
                if room > 0:
                    self.data += chunk[:room]
                self.dropped += max(0, len(chunk) - max(room, 0))
            if full:
                time.sleep(FLOOD_PAUSE_SECONDS)

    def settle(self, seconds: float = SETTLE_SECONDS) -> None:
        """Wait (at most ``seconds``) until the bytes already written to the pipe have been read."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                if self._fd is None or len(self.data) >= self.cap or not _has_bytes(self._fd):
                    return
            time.sleep(0.002)

    def take(self) -> str:
        """Text written since the last call (the cap applies to the whole life of the sandbox)."""
        self.settle()
        with self._lock:
            text = self.data.decode("utf-8", "replace")
            self.data.clear()
            if self.dropped:
                text += f"\n[… {self.dropped:,} more bytes of output were cut]"
                self.dropped = 0
        return text


def _has_bytes(fd: int) -> bool:
    """Whether a read of ``fd`` would return bytes now."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return any(events & select.POLLIN for _, events in poller.poll(0))


def call_message(name: str, args: tuple, kwargs: dict) -> tuple[dict, list[bytes]]:
    """The request that calls the student's ``name(*args, **kwargs)``, and its blobs.

    A ``keras.Input`` argument goes as its shape (:mod:`grader.wire`); one the request would not carry as such
    (inside a value that cannot be sent), any other Keras tensor, or more than MAX_MODEL_INPUTS of them is a
    :class:`~grader.wire.RefusedArgument`.
    """
    blobs: list[bytes] = []
    keras_inputs: list = []
    message = {
        "op": "call",
        "name": name,
        "args": wire.encode(tuple(args), blobs, lenient=True, keras_inputs=keras_inputs),
        "kwargs": wire.encode(dict(kwargs), blobs, lenient=True, keras_inputs=keras_inputs),
    }
    if [id(t) for t in keras_inputs] != [id(t) for t in wire.keras_inputs_in(args, kwargs)]:
        raise wire.RefusedArgument("a keras.Input can be sent only as an argument or inside lists, tuples and dicts")
    if len(keras_inputs) > boundary.MAX_MODEL_INPUTS:
        raise wire.RefusedArgument(f"at most {boundary.MAX_MODEL_INPUTS} keras.Input tensors can be sent in one call")
    return message, blobs


def _is_zombie(pid: int) -> bool:
    """True for a process that has ended and waits to be reaped (it holds no CPU or memory), or is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


class SandboxStartError(SandboxDied):
    """The sandbox did not come up: the grader's problem, not the student's (retried, then flagged)."""


class Sandbox:
    """One student's sandbox process tree; use as a context manager.

    With the full isolation (see :mod:`grader.sandbox.isolation`) the agent runs in bubblewrap inside a cgroup
    of its own; with ``no_sandbox`` on a machine without it, in what there is (bubblewrap alone, or a plain
    process with a per-process memory limit), and :attr:`isolation` says which.
    """

    def __init__(self, *, memory_gb: float = 4.0, no_sandbox: bool = False, max_pids: int = 512, cpus: float = 1.0):
        self.memory_bytes = int(memory_gb * 1024**3)
        self.no_sandbox = no_sandbox
        self.max_pids, self.cpus = max_pids, cpus
        self.stdout = CappedStream()
        self.stderr = CappedStream()
        self.proc: subprocess.Popen | None = None
        self.agent_pid: int | None = None
        self.killed = False
        self.isolation = ""
        self.cgroup: SubmissionCgroup | None = None
        self.peak_memory: int | None = None
        self.strays_stopped = 0
        self._own_pids: set[int] = set()
        self._uid = UidSlot()
        self._home: str | None = None

    # ------------------------------------------------------------------ life cycle
    def _environment(self, home: str) -> dict[str, str]:
        return {
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
            # the agent imports grader from the checkout (only grader/ and course_utils/ are visible inside)
            "PYTHONPATH": str(Path(grader.__file__).resolve().parent.parent),
        }

    def _command(self, channels: tuple[int, int]) -> tuple[list[str], dict[str, str] | None, str | None]:
        """The command, its environment (None: bwrap sets it) and working folder."""
        found = isolation.require(self.no_sandbox)
        isolation.refuse_visible_course()
        self.isolation = found.describe()
        program = [sys.executable, "-m", "grader.sandbox.agent", *map(str, channels)]
        if found.cgroup is not None:
            self.cgroup = SubmissionCgroup(self.memory_bytes, max_pids=self.max_pids, cpus=self.cpus).create()
        if found.bwrap is None:
            self._home = tempfile.mkdtemp(prefix="cnn-sandbox-")
            limits = launch.prlimit_prefix(self.memory_bytes) if os.access(launch.PRLIMIT, os.X_OK) else []
            return limits + program, self._environment(self._home), self._home
        allowed = [
            sys.prefix,
            sys.base_prefix,
            sys.exec_prefix,
            os.path.dirname(os.path.realpath(sys.executable)),
            os.path.dirname(os.path.realpath(course_utils.__file__)),
            os.path.dirname(os.path.realpath(grader.__file__)),
        ]
        uid = self._uid.acquire() if found.privileged else None
        command = launch.bwrap_command(
            bwrap=found.bwrap,
            allowed=allowed,
            env=self._environment(launch.HOME),
            program=program,
            memory_bytes=self.memory_bytes,
            tmp_bytes=min(self.memory_bytes // 4, 1024**3),
            uid=uid,
        )
        return command, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, "/"

    def start(self) -> None:
        to_agent_r, to_agent_w = os.pipe()
        from_agent_r, from_agent_w = os.pipe()
        try:
            command, env, cwd = self._command((to_agent_r, from_agent_w))
            procs = self.cgroup.procs_files() if self.cgroup is not None else []

            def preexec() -> None:
                if procs:
                    cgroups.join(procs)
                os.setsid()

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
        except (OSError, subprocess.SubprocessError) as err:
            for fd in (to_agent_r, to_agent_w, from_agent_r, from_agent_w):
                os.close(fd)
            self.close()
            raise SandboxStartError(f"the sandbox could not be started: {err}") from err
        os.close(to_agent_r)
        os.close(from_agent_w)
        self.to_agent = os.fdopen(to_agent_w, "wb", buffering=0)
        self.from_agent = os.fdopen(from_agent_r, "rb", buffering=0)
        self.stdout.follow(self.proc.stdout)
        self.stderr.follow(self.proc.stderr)
        try:
            hello, _ = self._receive(timeout=START_TIMEOUT_SECONDS)
        except (SandboxDied, SandboxTimeout) as err:
            detail = capped(self.stderr.take().strip(), SUMMARY_CAP, tail=True)
            self.close()
            raise SandboxStartError(f"the sandbox did not start ({err}){': ' + detail if detail else ''}") from err
        try:
            boundary.validate_reply("hello", hello)
        except wire.WireError as err:
            self.close()
            raise SandboxStartError(f"the sandbox did not start (no greeting from the agent: {err})") from err
        self.agent_pid = self._find_agent_pid()
        self._own_pids = self._launcher_pids()

    def _find_agent_pid(self) -> int:
        """The agent's pid as the grader sees it, found before any student code can start processes."""
        import psutil

        try:
            process = psutil.Process(self.proc.pid)
            for _ in range(100):
                tree = [process, *process.children(recursive=True)]
                found = [p for p in tree if p.cmdline()[1:3] == ["-m", "grader.sandbox.agent"]]
                if found:
                    return found[0].pid
                time.sleep(0.02)
        except psutil.Error:
            pass
        return self.proc.pid

    def _launcher_pids(self) -> set[int]:
        """The agent and the processes that started it (bwrap and its reaper): everything else is the student's."""
        import psutil

        pids = {self.proc.pid, self.agent_pid}
        try:
            pids |= {p.pid for p in psutil.Process(self.agent_pid).parents()}
        except psutil.Error:
            pass
        return pids

    def stop_strays(self) -> int:
        """Kill the processes the student's code left running (children, daemons, fork bombs); the total so far.

        Called after every cell and every call: a submission's background processes never outlive the code
        that started them, so they cannot hold its CPU, memory or process budget while its tests run.
        """
        import psutil

        def running() -> set[int]:
            if self.cgroup is not None:
                found = self.cgroup.members() - self._own_pids
            else:
                try:
                    found = {p.pid for p in psutil.Process(self.agent_pid).children(recursive=True)}
                except psutil.Error:
                    found = set()
            return {pid for pid in found if not _is_zombie(pid)}

        strays = running() if self._own_pids else set()
        for _ in range(20):
            if not strays:
                break
            cgroups.sigkill(strays)
            self.strays_stopped += len(strays)
            time.sleep(0.005)
            strays = running()
        return self.strays_stopped

    def close(self) -> None:
        """Kill the whole tree (every process of the submission, daemons included) and free what it held."""
        if self.proc is not None and self.proc.poll() is None:
            self._kill()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.cgroup is not None:
            self.peak_memory = self.cgroup.peak_memory()
            self.cgroup.remove()
            self.cgroup = None
        for stream in ("to_agent", "from_agent"):
            handle = getattr(self, stream, None)
            if handle is not None:
                try:
                    handle.close()
                except OSError:
                    pass
        self._uid.release()
        if self._home:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.proc is not None and not self.killed and self.proc.poll() is None

    def _kill(self) -> None:
        """SIGKILL the sandbox: bwrap's process group, then everything left in its cgroup."""
        self.killed = True
        if self.proc is not None and self.proc.returncode is None:  # once reaped, its pid may be someone else's
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.cgroup is not None:
            self.cgroup.kill()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    # ------------------------------------------------------------------ messages
    def _exchange(self, message: dict | None, blobs: list[bytes], timeout: float) -> tuple[dict, list[bytes]]:
        """Send ``message`` (if any) and read one reply, both within ``timeout`` seconds.

        Anything malformed, or a closed channel, counts as the sandbox dying: it is killed and rebuilt.
        """
        box: dict[str, Any] = {}

        def exchange() -> None:
            try:
                if message is not None:
                    wire.send(self.to_agent, message, blobs)
                box["value"] = wire.receive(self.from_agent)
            except BaseException as err:  # noqa: BLE001 - whatever the agent wrote, the grader goes on
                box["error"] = err

        worker = threading.Thread(target=exchange, daemon=True)
        worker.start()
        worker.join(max(0.0, timeout))
        if worker.is_alive():
            self._interrupt_or_kill(worker)
            if "error" in box:  # the channel closed while it was interrupted: that sandbox is gone, reap it now
                self._kill()
            raise SandboxTimeout(f"no answer within {timeout:g} s")
        value = box.get("value")
        if "error" in box or not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict)):
            reason = self._death_reason(box.get("error") or wire.WireError("no message"))
            self._kill()
            raise SandboxDied(reason)
        return value

    def _receive(self, timeout: float) -> tuple[dict, list[bytes]]:
        return self._exchange(None, [], timeout)

    def _interrupt_or_kill(self, reader: threading.Thread) -> None:
        """Send SIGINT; if the sandbox does not answer within the grace period, kill it.

        While it has time to answer, the student's other processes are stopped again and again, so that
        spinning children cannot starve the agent of the CPU it needs to answer.
        """
        self.stop_strays()
        try:
            os.kill(self.agent_pid or self.proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + INTERRUPT_GRACE_SECONDS
        while reader.is_alive() and time.monotonic() < deadline:
            self.stop_strays()
            reader.join(0.05)
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
        self.stop_strays()  # what an interrupted call left behind
        reply, reply_blobs = self._exchange(message, list(blobs), timeout)
        self.stop_strays()
        if reply.get("interrupted"):
            raise SandboxTimeout(f"interrupted after {timeout:g} s")
        return reply, reply_blobs

    # ------------------------------------------------------------------ operations
    def _checked(self, op: str, reply: dict) -> dict:
        """The reply as :mod:`grader.boundary` accepts it; a malformed one counts as the sandbox dying."""
        try:
            return boundary.validate_reply(op, reply)
        except wire.WireError as err:
            self._kill()
            raise SandboxDied(f"the sandbox sent a malformed {op} reply ({err})") from err

    def run_cell(self, source: str, timeout: float = 60.0) -> dict:
        """Execute one cell of the student's notebook; returns ok, error, seconds."""
        reply, _ = self.request({"op": "run_cell", "source": source}, timeout=timeout)
        return self._checked("run_cell", reply)

    def lookup(self, name: str, timeout: float = 60.0) -> tuple[str, Any]:
        """('callable', None), ('value', value), ('missing', None) or ('unsendable', reason)."""
        reply, blobs = self.request({"op": "lookup", "name": name}, timeout=timeout)
        reply = self._checked("lookup", reply)
        kind = reply.get("kind")
        if kind == "value":
            return kind, wire.decode(reply.get("value"), blobs)
        return kind, reply.get("error")

    def call(self, name: str, args: tuple, kwargs: dict, timeout: float = 60.0) -> dict:
        """Call the student's ``name(*args, **kwargs)``; returns the raw reply and its blobs decoded later."""
        message, blobs = call_message(name, args, kwargs)
        reply, reply_blobs = self.request(message, blobs, timeout=timeout)
        reply["_blobs"] = reply_blobs
        return reply
