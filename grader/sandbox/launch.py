"""The command line that starts a student's agent inside bubblewrap (``bwrap``), the sandbox of Flatpak.

bubblewrap does the isolating; this module only chooses its options (see ``bwrap --help``):

- new PID, network, IPC, UTS and cgroup namespaces (``--unshare-*``): the student sees only its own processes,
  has no network (a loopback that is down), and cannot signal anything outside;
- a fresh, empty root built with ``pivot_root``: only the system folders, the interpreter, the virtual
  environment, ``course_utils`` and ``grader`` appear, read-only (every bind is ``nosuid,nodev``); solutions,
  tests, the gradebook, other submissions and the rest of the disk do not exist inside;
- a minimal ``/dev`` (null, zero, random, urandom, tty, pts), a fresh ``/proc`` with ``/proc/sys`` read-only,
  private size-limited ``/tmp`` and ``/dev/shm``;
- ``--die-with-parent`` and ``--new-session``: the sandbox dies with the grader, and cannot inject keystrokes
  into the grader's terminal; ``PR_SET_NO_NEW_PRIVS`` is always set by bwrap;
- run as root, bwrap keeps only ``CAP_SETUID``, ``CAP_SETGID`` and ``CAP_SETPCAP`` for ``setpriv``, which drops
  to the worker slot's own uid, clears the bounding set and every capability before the agent starts; run as a
  normal user, bwrap puts the sandbox in a user namespace where the user has no capabilities outside.

``prlimit`` then sets the per-process limits (address space, core dumps, open files) and execs the agent.
The per-submission totals (memory, processes, CPU) come from the cgroup the sandbox is started in.
"""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
#: What TensorFlow and NumPy read to count CPUs; the rest of /sys stays out.
SYS_PATHS = ("/sys/devices/system/cpu",)
HOME = "/tmp/work"
#: util-linux's tools, by the paths the sandbox sees them at (``/usr`` is bound whole)
SETPRIV = "/usr/bin/setpriv"
PRLIMIT = "/usr/bin/prlimit"


def _in_system_folder(path: str) -> bool:
    return any(path == system or path.startswith(system + "/") for system in SYSTEM_PATHS)


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _binds(paths: list[str]) -> list[str]:
    """Read-only binds of ``paths`` at the same place, their parent folders created world-readable first.

    bubblewrap would create missing parents with the mode of the host's folder: ``/root`` (0700) would then
    hide a Python installed under it from the unprivileged user the agent runs as.
    """
    args: list[str] = []
    made: set[str] = set()
    for path in paths:
        if not os.path.exists(path):
            continue
        for folder in _ancestors(path):
            if folder not in made and folder != "/tmp" and not _in_system_folder(folder):
                args += ["--perms", "0755", "--dir", folder]
                made.add(folder)
        args += ["--ro-bind", path, path]
    return args


def system_binds() -> list[str]:
    """The system folders, read-only, and the links that stand for them (``/bin`` → ``usr/bin`` on merged-usr)."""
    args: list[str] = []
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            args += ["--ro-bind", path, path]
    for path in SYS_PATHS:
        args += ["--ro-bind-try", path, path]
    return args


def allowed_paths(paths: list[str]) -> list[str]:
    """Each path and, where it differs, its real path (a venv's ``python`` links into another prefix)."""
    found: list[str] = []
    for path in paths:
        for candidate in (os.path.abspath(path), os.path.realpath(path)):
            if candidate not in found and not _in_system_folder(candidate):
                found.append(candidate)
    # a folder inside another allowed folder is already there
    return [p for p in sorted(found) if not any(p.startswith(q + "/") for q in found if q != p)]


def bwrap_command(
    *,
    bwrap: str,
    allowed: list[str],
    env: dict[str, str],
    program: list[str],
    memory_bytes: int,
    tmp_bytes: int,
    uid: int | None,
) -> list[str]:
    """``bwrap … [setpriv …] prlimit … PROGRAM``; ``uid`` is the worker slot's own uid when run as root."""
    command = [
        bwrap,
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
    ]
    if uid is None:
        command += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns"]
    else:
        command += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        command += ["--cap-add", "CAP_SETPCAP"]
    for key, value in sorted(env.items()):
        command += ["--setenv", key, value]
    command += system_binds()
    command += ["--proc", "/proc", "--dev", "/dev"]
    command += ["--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    command += ["--perms", "1777", "--size", str(64 * 1024**2), "--tmpfs", "/dev/shm"]
    # after the private /tmp, so that a checkout or a venv under /tmp is bound inside it, not hidden by it
    command += _binds(allowed_paths(allowed))
    command += ["--perms", "0777", "--dir", HOME, "--chdir", HOME, "--"]
    if uid is not None:
        command += [
            SETPRIV,
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--ambient-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
    return command + prlimit_prefix(memory_bytes) + program


def prlimit_prefix(memory_bytes: int) -> list[str]:
    """``prlimit`` with the per-process limits (address space, no core dumps, open files), then the program."""
    return [PRLIMIT, f"--as={memory_bytes}", "--core=0", "--nofile=1024", "--"]
