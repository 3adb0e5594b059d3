"""Build the sandbox and start the agent in it (run as root inside new mount, PID and network namespaces).

``unshare --mount --pid --net --fork`` starts this module; it then
1. mounts a fresh tmpfs as the new root and bind-mounts read-only only what Python needs (system
   folders, the interpreter, the virtual environment, ``course_utils`` and ``grader``): solutions,
   tests, the gradebook, other submissions and the rest of the disk simply do not exist inside;
2. gives the sandbox a private, size-limited ``/tmp`` and ``/dev/shm`` and a fresh ``/proc``;
3. changes root, sets the memory and process limits, drops to an unprivileged user and execs the agent.
The network namespace has only a loopback interface that is down: no network at all.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys

SYSTEM_PATHS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys"]


def _run(*command: str) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _bind(source: str, root: str, *, read_only: bool = True, recursive: bool = False) -> None:
    """Make ``source`` appear at the same path under ``root``."""
    target = root + source
    if os.path.islink(source) and not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.readlink(source), target)
        return
    if not os.path.exists(source):
        return
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _run("mount", "--rbind" if recursive else "--bind", source, target)
    if read_only:
        _run("mount", "-o", "remount,bind,ro", target)


def build_root(root: str, allowed: list[str], tmp_size: str) -> None:
    """Populate ``root`` (an empty tmpfs) with the allow-listed paths."""
    _run("mount", "--make-rprivate", "/")
    os.makedirs(root, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", "size=64m,mode=755", "tmpfs", root)
    # the private /tmp first: allowed paths that live under /tmp (a checkout there) are bound inside it
    os.makedirs(root + "/tmp", exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={tmp_size},mode=1777", "tmpfs", root + "/tmp")
    for path in SYSTEM_PATHS:
        _bind(path, root)
    for path in allowed:
        _bind(os.path.realpath(path), root)
        if os.path.realpath(path) != os.path.abspath(path):
            _bind(os.path.abspath(path), root)
    _bind("/dev", root, read_only=False, recursive=True)
    os.makedirs(root + "/dev/shm", exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", "size=64m,mode=1777", "tmpfs", root + "/dev/shm")
    os.makedirs(root + "/proc", exist_ok=True)
    _run("mount", "-t", "proc", "proc", root + "/proc")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--allow", action="append", default=[])
    parser.add_argument("--uid", type=int, default=65534)
    parser.add_argument("--gid", type=int, default=65534)
    parser.add_argument("--memory", type=int, required=True, help="bytes of address space")
    parser.add_argument("--tmp-size", default="512m")
    parser.add_argument("--channels", nargs=2, type=int, required=True)
    args = parser.parse_args()

    build_root(args.root, args.allow, args.tmp_size)
    os.chroot(args.root)
    work = "/tmp/work"
    os.makedirs(work, exist_ok=True)
    os.chown(work, args.uid, args.gid)
    os.chdir(work)
    resource.setrlimit(resource.RLIMIT_AS, (args.memory, args.memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (4096, 4096))
    os.setgroups([])
    os.setgid(args.gid)
    os.setuid(args.uid)
    for fd in args.channels:
        os.set_inheritable(fd, True)
    python = sys.executable
    os.execv(python, [python, "-m", "grader.sandbox.agent", *map(str, args.channels)])


if __name__ == "__main__":
    main()
