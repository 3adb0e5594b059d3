"""A control group per submission: one memory limit, one process limit and one CPU share for everything it starts.

Limits set on a process (``RLIMIT_AS``, ``RLIMIT_NPROC``) do not add up: twenty forked children get twenty
address spaces, and ``RLIMIT_NPROC`` counts every process of the same user. A control group holds all of a
submission's processes, whatever they fork, and the kernel enforces its limits on their total.

Two layouts are supported, found by :func:`detect`:

- **cgroup v2** (the unified hierarchy, ``/sys/fs/cgroup/cgroup.controllers``): one folder per submission under
  a folder of the grader's own, with ``memory.max``, ``memory.swap.max``, ``pids.max`` and ``cpu.max``. Root may
  create it anywhere; a normal user can where systemd delegated a subtree (``systemd-run --user --scope -p
  Delegate=yes …``).
- **cgroup v1** (one hierarchy per controller): a folder per submission in each of ``memory``, ``pids`` and
  ``cpu``, with ``memory.limit_in_bytes`` (and ``memory.memsw.limit_in_bytes`` so swap cannot extend it),
  ``pids.max`` and ``cpu.cfs_quota_us``.

Processes join with :meth:`SubmissionCgroup.join` (called in the child between fork and exec, so the very
first process is inside, and so is everything it forks) and leave only by dying: :meth:`SubmissionCgroup.kill`
kills every member until none is left, then the folders are removed.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu")
V2_CONTROLLERS = ("memory", "pids", "cpu")
#: The folder, under the grader's own cgroup, that holds one folder per submission.
GRADER_FOLDER = "cnn-grader"
CPU_PERIOD_US = 100_000


def _own_cgroup(controller: str | None) -> str:
    """This process's cgroup path in the hierarchy of ``controller`` (``None``: the unified hierarchy)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        names = controllers.split(",") if controllers else []
        if (controller is None and number == "0" and not controllers) or (controller in names):
            return path
    raise FileNotFoundError(f"this process is in no {controller or 'unified'} cgroup")


def _is_v2() -> bool:
    return (CGROUP_ROOT / "cgroup.controllers").is_file()


def _parents() -> dict[str, Path]:
    """The grader's folder in each hierarchy it uses: controller name → path (``"unified"`` for v2)."""
    if _is_v2():
        return {"unified": CGROUP_ROOT / _own_cgroup(None).lstrip("/") / GRADER_FOLDER}
    return {name: CGROUP_ROOT / name / _own_cgroup(name).lstrip("/") / GRADER_FOLDER for name in V1_CONTROLLERS}


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


@dataclass
class SubmissionCgroup:
    """One submission's control group: ``create()``, start its first process with :func:`join`, ``remove()``."""

    memory_bytes: int
    max_pids: int = 512
    cpus: float = 1.0
    name: str = field(default_factory=lambda: f"submission-{uuid.uuid4().hex[:12]}")
    folders: dict[str, Path] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return "v2" if "unified" in self.folders else "v1"

    def create(self) -> SubmissionCgroup:
        parents = _parents()
        try:
            for key, parent in parents.items():
                parent.mkdir(exist_ok=True)
                if key == "unified":
                    _enable_v2_controllers(parent)
                folder = parent / self.name
                folder.mkdir()
                self.folders[key] = folder
            self._set_limits()
        except OSError:
            self.remove()
            raise
        return self

    def _set_limits(self) -> None:
        quota = max(1000, int(self.cpus * CPU_PERIOD_US))
        if self.version == "v2":
            folder = self.folders["unified"]
            _write(folder / "memory.max", str(self.memory_bytes))
            if (folder / "memory.swap.max").exists():
                _write(folder / "memory.swap.max", "0")
            _write(folder / "pids.max", str(self.max_pids))
            _write(folder / "cpu.max", f"{quota} {CPU_PERIOD_US}")
            return
        memory = self.folders["memory"]
        _write(memory / "memory.limit_in_bytes", str(self.memory_bytes))
        if (memory / "memory.memsw.limit_in_bytes").exists():
            _write(memory / "memory.memsw.limit_in_bytes", str(self.memory_bytes))
        _write(self.folders["pids"] / "pids.max", str(self.max_pids))
        _write(self.folders["cpu"] / "cpu.cfs_period_us", str(CPU_PERIOD_US))
        _write(self.folders["cpu"] / "cpu.cfs_quota_us", str(quota))

    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a new process writes its pid to (see :func:`join`)."""
        return [str(folder / "cgroup.procs") for folder in self.folders.values()]

    def members(self) -> set[int]:
        pids: set[int] = set()
        for folder in self.folders.values():
            try:
                pids |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                pass
        return pids

    def peak_memory(self) -> int | None:
        """The most memory the submission held at once, in bytes (None where the kernel does not say)."""
        name = "memory.peak" if self.version == "v2" else "memory.max_usage_in_bytes"
        folder = self.folders.get("unified") or self.folders.get("memory")
        try:
            return int((folder / name).read_text().split()[0]) if folder else None
        except (OSError, ValueError, IndexError):
            return None

    def kill(self, patience: float = 10.0) -> bool:
        """Kill every process in the group until none is left; True when it is empty."""
        kill_file = self.folders.get("unified", Path("/nonexistent")) / "cgroup.kill"
        deadline = time.monotonic() + patience
        while True:
            members = self.members()
            if not members:
                return True
            if kill_file.exists():
                try:
                    _write(kill_file, "1")
                except OSError:
                    pass
            sigkill(members)
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def remove(self) -> None:
        """Kill what is left and remove the folders (the grader's own folder stays for the next submission)."""
        if self.folders:
            self.kill()
        for folder in self.folders.values():
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)
        self.folders.clear()

    def __enter__(self) -> SubmissionCgroup:
        return self.create()

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _enable_v2_controllers(parent: Path) -> None:
    """Let the submissions' folders under ``parent`` use the memory, pids and cpu controllers."""
    wanted = " ".join(f"+{name}" for name in V2_CONTROLLERS)
    for folder in (parent.parent, parent):
        enabled = set((folder / "cgroup.subtree_control").read_text().split())
        if not set(V2_CONTROLLERS) <= enabled:
            _write(folder / "cgroup.subtree_control", wanted)


def sigkill(pids: set[int]) -> None:
    """SIGKILL each of ``pids``, skipping those already gone."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def join(procs_files: list[str]) -> None:
    """Move the calling process into the group: the pre-exec step of the sandbox's first process.

    Only ``os.open``/``os.write`` here: it runs in a freshly forked child of a process that has threads.
    """
    pid = str(os.getpid()).encode()
    for path in procs_files:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, pid)
        finally:
            os.close(fd)


def detect() -> tuple[str | None, str]:
    """("v1" or "v2", "") where this process can create submission cgroups, else (None, why and what to do)."""
    if not CGROUP_ROOT.is_dir():
        return None, f"{CGROUP_ROOT} is not mounted"
    if not _is_v2():
        missing = [name for name in V1_CONTROLLERS if not (CGROUP_ROOT / name).is_dir()]
        if missing:
            return None, f"the cgroup v1 controllers {', '.join(missing)} are not mounted under {CGROUP_ROOT}"
    probe = SubmissionCgroup(memory_bytes=256 * 1024**2, max_pids=16)
    try:
        probe.create()
    except (OSError, FileNotFoundError) as err:
        where = "a delegated cgroup v2 subtree" if _is_v2() else "cgroup v1"
        return None, (
            f"cannot create a cgroup for each submission ({type(err).__name__}: {err}); run the grader as root, "
            f"or as a normal user inside {where}, e.g. `systemd-run --user --scope -p Delegate=yes python -m grader …`"
        )
    version = probe.version
    probe.remove()
    return version, ""
