"""What isolation this machine can give a submission, and the grader's refusal when it cannot.

The full sandbox needs two things (see :mod:`grader.sandbox.launch` and :mod:`grader.sandbox.cgroups`):

1. **bubblewrap** (``bwrap``): namespaces, a read-only root of allow-listed folders, no network. Debian and
   Ubuntu: ``sudo apt-get install bubblewrap``; Fedora: ``sudo dnf install bubblewrap``. A normal user also
   needs unprivileged user namespaces (``sysctl kernel.unprivileged_userns_clone=1``; on Ubuntu 24.04 and
   later, an AppArmor profile for bwrap, or ``kernel.apparmor_restrict_unprivileged_userns=0``).
2. **a cgroup per submission** for the total memory, processes and CPU: root, or a delegated cgroup v2 subtree.

Without both, :func:`require` refuses to grade, saying what is missing and what to do, unless the instructor
passes ``--no-sandbox``; then every row is flagged "graded without a sandbox".
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import cgroups, launch

#: Run as root, each sandbox gets a uid of its own from this range, held with a lock file while it runs.
UID_BASE = 300_000
UID_SLOTS = 256
#: root's own folder (not the shared /tmp, where another user could plant links)
UID_LOCKS = Path("/run/cnn-grader-uids") if os.path.isdir("/run") else Path(tempfile.gettempdir()) / "cnn-grader-uids"


class SandboxUnavailable(RuntimeError):
    """This machine cannot isolate a submission; the message says what to install or enable."""


@dataclass(frozen=True)
class Isolation:
    """What a sandbox started here gets."""

    bwrap: str | None
    privileged: bool
    cgroup: str | None
    problems: tuple[str, ...]

    @property
    def full(self) -> bool:
        return self.bwrap is not None and self.cgroup is not None

    def describe(self) -> str:
        if self.full:
            who = "a uid of its own" if self.privileged else "a user namespace"
            return f"sandboxed (bubblewrap, {who}, no network; cgroup {self.cgroup} memory, process and CPU limits)"
        if self.bwrap:
            return "namespaces only (bubblewrap; no cgroup: memory and process limits are per process)"
        return "not isolated (a plain process with a per-process memory limit)"


def _bwrap_works(bwrap: str) -> str:
    """'' when ``bwrap`` can build a sandbox here, else its complaint."""
    args = [bwrap, "--unshare-pid", "--unshare-net", "--die-with-parent", *launch.system_binds()]
    if os.geteuid() != 0:
        args.append("--unshare-user")
    args += ["--proc", "/proc", "--dev", "/dev", "/usr/bin/true"]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    return "" if done.returncode == 0 else (done.stderr.strip() or f"exit code {done.returncode}")


@functools.lru_cache(maxsize=1)
def probe() -> Isolation:
    """Find out once per process what isolation is available."""
    problems = []
    bwrap = shutil.which("bwrap")
    privileged = os.geteuid() == 0
    if bwrap is None:
        problems.append("bubblewrap is not installed: sudo apt-get install bubblewrap (Debian, Ubuntu)")
    else:
        complaint = _bwrap_works(bwrap)
        if complaint:
            problems.append(
                f"bubblewrap cannot create a sandbox here ({complaint}); as a normal user it needs unprivileged "
                "user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04+ also "
                "kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap), or run as root"
            )
            bwrap = None
    tools = [launch.PRLIMIT, launch.SETPRIV] if privileged else [launch.PRLIMIT]
    missing = [tool for tool in tools if not os.access(tool, os.X_OK)]
    if bwrap is not None and missing:
        problems.append(f"{' and '.join(missing)} (util-linux) are needed in the sandbox: apt-get install util-linux")
        bwrap = None
    version, why = cgroups.detect()
    if version is None:
        problems.append(why)
    return Isolation(bwrap, privileged, version, tuple(problems))


def require(no_sandbox: bool) -> Isolation:
    """The isolation to grade with; raises :class:`SandboxUnavailable` unless it is full or ``no_sandbox``."""
    found = probe()
    if found.full or no_sandbox:
        return found
    lines = "\n".join(f"  - {p}" for p in found.problems)
    raise SandboxUnavailable(
        "refusing to grade: student code would run without a full sandbox on this machine.\n"
        f"{lines}\n"
        "Fix the above, or pass --no-sandbox to grade anyway (only for code you trust: "
        "every row is then flagged 'graded without a sandbox')."
    )


def refuse_visible_course() -> None:
    """Refuse when the course checkout lies under a folder every sandbox sees whole (``/usr``, ``/etc``, …).

    There, ``solutions/`` (hidden tests, reference answers) would be readable by student code.
    """
    from grader.lessons import ROOT

    root = os.path.realpath(ROOT)
    if not os.path.isdir(os.path.join(root, "solutions")):
        return  # an installed copy of the grader: no course files beside it
    for system in launch.SYSTEM_PATHS:
        if root == system or root.startswith(system + "/"):
            raise SandboxUnavailable(
                f"the course is checked out under {system} ({root}), which every sandbox sees read-only: "
                "student code could read solutions/. Move the checkout (e.g. to /srv or a home folder)."
            )


class UidSlot:
    """A uid of its own for one sandbox (run as root), held with a lock file so no two sandboxes share it."""

    def __init__(self) -> None:
        self.uid: int | None = None
        self._handle = None

    def acquire(self) -> int:
        UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(UID_LOCKS)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            raise SandboxUnavailable(f"{UID_LOCKS} is not a private folder of this user: remove it and grade again")
        start = os.getpid() % UID_SLOTS
        for step in range(UID_SLOTS):
            slot = (start + step) % UID_SLOTS
            fd = os.open(UID_LOCKS / f"{slot}.lock", os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            handle = os.fdopen(fd, "a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self._handle, self.uid = handle, UID_BASE + slot
            return self.uid
        raise SandboxUnavailable(f"all {UID_SLOTS} sandbox uids are in use")

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle, self.uid = None, None
