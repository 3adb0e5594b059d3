"""The sandbox on its own: bubblewrap's command line, the refusal without isolation, and attacks on one sandbox.

The attacks run only inside the full sandbox (marked ``root``); the command-line and refusal tests
run everywhere, in milliseconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from grader.sandbox import isolation, launch
from grader.sandbox.client import Sandbox, SandboxStartError
from grader.sandbox.isolation import Isolation, SandboxUnavailable

# ----------------------------------------------------------------------------- the command line


def _command(uid: int | None) -> list[str]:
    return launch.bwrap_command(
        bwrap="/usr/bin/bwrap",
        allowed=[sys.prefix, os.path.dirname(os.path.realpath(sys.executable))],
        env={"HOME": launch.HOME},
        program=["python", "-m", "grader.sandbox.agent", "3", "4"],
        memory_bytes=2**30,
        tmp_bytes=2**28,
        uid=uid,
    )


@pytest.mark.parametrize("uid", [None, 300_001], ids=["user", "root"])
def test_bwrap_gets_every_namespace_and_no_way_back(uid):
    command = _command(uid)
    for option in ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent"):
        assert option in command
    assert "--new-session" in command and "--clearenv" in command
    assert command[command.index("--dev") + 1] == "/dev" and "--dev-bind" not in command
    assert "--bind" not in command, "nothing of the host is bound writable"
    tmpfs = [command[i + 1] for i, arg in enumerate(command) if arg == "--tmpfs"]
    assert tmpfs == ["/tmp", "/dev/shm"]
    assert command[-5:] == ["--", "python", "-m", "grader.sandbox.agent", "3", "4"][-5:]
    assert any(arg.startswith("--as=") for arg in command), "prlimit sets the per-process address space"


def test_as_root_the_agent_drops_to_its_own_uid_with_no_capabilities():
    command = _command(300_001)
    start = command.index("/usr/bin/setpriv")
    setpriv = command[start : command.index("--", start)]
    assert "--reuid=300001" in setpriv and "--regid=300001" in setpriv and "--clear-groups" in setpriv
    assert "--bounding-set=-all" in setpriv and "--inh-caps=-all" in setpriv and "--no-new-privs" in setpriv
    kept = [command[i + 1] for i, arg in enumerate(command) if arg == "--cap-add"]
    assert sorted(kept) == ["CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID"], "bwrap keeps only what setpriv needs"


def test_as_a_user_the_sandbox_is_a_user_namespace():
    command = _command(None)
    assert "--unshare-user" in command and "/usr/bin/setpriv" not in command and "--cap-add" not in command


def test_parents_of_bound_folders_are_made_traversable():
    """A Python under /root (mode 0700 on the host) must still be reachable by the sandbox's unprivileged user."""
    args = launch._binds(["/usr/bin"])  # system folders need no parents
    assert args == ["--ro-bind", "/usr/bin", "/usr/bin"]
    here = os.path.dirname(os.path.abspath(__file__))
    args = launch._binds([here])
    made = [args[i + 1] for i, arg in enumerate(args) if arg == "--dir"]
    parents = [str(p) for p in reversed(Path(here).parents) if str(p) not in ("/", "/tmp")]
    assert made == parents, "every parent is made 0755 (but /tmp, the sandbox's own tmpfs)"
    assert all(args[args.index(folder) - 2] == "0755" for folder in made)
    assert args[-3:] == ["--ro-bind", here, here]


def test_allowed_paths_skip_system_folders_and_nested_ones(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    found = launch.allowed_paths([str(tmp_path / "a"), str(tmp_path / "a" / "b"), "/usr/lib"])
    assert found == [str(tmp_path / "a")]


# ----------------------------------------------------------------------------- refusing without isolation


def test_without_bubblewrap_or_cgroups_the_grader_refuses_and_says_what_to_do(monkeypatch):
    missing = Isolation(None, False, None, ("bubblewrap is not installed: sudo apt-get install bubblewrap",))
    monkeypatch.setattr(isolation, "probe", lambda: missing)
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap") as caught:
        isolation.require(no_sandbox=False)
    assert "--no-sandbox" in str(caught.value)
    assert isolation.require(no_sandbox=True) is missing
    assert "not isolated" in missing.describe()


def test_the_refusal_reaches_the_command_line(tmp_path):
    """Run as a grader that finds no bwrap on PATH: autograde exits 2 with the reason, grading nothing."""
    (tmp_path / "class" / "ada").mkdir(parents=True)
    env = dict(os.environ, PATH=os.path.dirname(sys.executable))  # no bwrap, no setpriv
    done = subprocess.run(
        [sys.executable, "-m", "grader", "autograde", "01", "--submissions", str(tmp_path / "class"),
         "--workspace", str(tmp_path / "ws")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bubblewrap" in done.stderr and "--no-sandbox" in done.stderr
    assert not (tmp_path / "ws" / "results").exists()


def test_sandbox_report_names_what_is_missing(monkeypatch, capsys):
    from grader import cli

    missing = Isolation("/usr/bin/bwrap", False, None, ("cannot create a cgroup for each submission",))
    monkeypatch.setattr(cli, "probe", lambda: missing)
    assert cli.sandbox_report() == 1
    out = capsys.readouterr().out
    assert "namespaces only" in out and "cannot create a cgroup" in out and "--no-sandbox" in out


# ----------------------------------------------------------------------------- attacks on one sandbox


def still_running(pids: set[int], patience: float = 5.0) -> list[int]:
    """Those of ``pids`` that still run (zombies waiting for the host's init to reap them count as dead)."""
    deadline = time.monotonic() + patience
    while True:
        left = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    left.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


@pytest.fixture
def sandbox():
    box = Sandbox(memory_gb=2, max_pids=64)
    box.start()
    yield box
    box.close()


@pytest.mark.root
def test_sandbox_starts_quickly_as_its_own_user(sandbox):
    reply = sandbox.run_cell("import os; print('ids', os.getuid(), os.getpid(), sorted(os.listdir('/')))", timeout=30)
    assert reply["ok"], reply
    out = sandbox.stdout.take()
    uid = int(out.split()[1])
    assert uid != os.getuid() or os.getuid() != 0
    assert int(out.split()[2]) < 10, "its own PID namespace"
    assert "sandboxed (bubblewrap" in sandbox.isolation


@pytest.mark.root
def test_the_host_is_out_of_sight_and_out_of_reach(sandbox):
    code = """
import os
from pathlib import Path
seen = {p: os.path.exists(p) for p in [{repo!r}, {solutions!r}, '/root/.ssh', '/home', '/var', '/run']}
print('SEEN', sorted(p for p, s in seen.items() if s))
for target in ['/usr/x', '/etc/x', {grader!r} + '/x']:
    try:
        open(target, 'w').write('x'); print('WROTE', target)
    except OSError:
        pass
import socket
try:
    socket.create_connection(('127.0.0.1', 22), timeout=1); print('NET')
except OSError:
    pass
print('CAPS', [l for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapBnd', 'NoNewPrivs'))])
print('DEV', sorted(os.listdir('/dev')))
"""
    import grader
    from grader.lessons import ROOT, SOLUTIONS

    grader_dir = os.path.dirname(grader.__file__)
    for key, value in {"{repo!r}": ROOT / "tests", "{solutions!r}": SOLUTIONS, "{grader!r}": grader_dir}.items():
        code = code.replace(key, repr(str(value)))
    assert sandbox.run_cell(code, timeout=30)["ok"]
    out = sandbox.stdout.take()
    assert "SEEN []" in out, out
    assert "WROTE" not in out and "NET" not in out
    caps = out.split("CAPS")[1]
    assert "CapEff:\\t0000000000000000" in caps and "CapBnd:\\t0000000000000000" in caps and "NoNewPrivs:\\t1" in caps
    devices = out.split("DEV")[1]
    assert "sda" not in devices and "vda" not in devices and "mem" not in devices and "kmsg" not in devices


@pytest.mark.root
def test_a_fork_bomb_hits_the_submissions_process_limit_and_dies_with_it(sandbox):
    reply = sandbox.run_cell(
        "import os\nn = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n            while True: pass\n"
        "        n += 1\nexcept OSError:\n    pass\nprint('FORKED', n)",
        timeout=30,
    )
    assert reply["ok"], reply
    forked = int(sandbox.stdout.take().split("FORKED")[1].split()[0])
    assert forked < 64, "the cgroup's pids.max, not the machine's, stops it"
    members = sandbox.cgroup.members()
    sandbox.close()
    assert not still_running(members), "every spinning child is dead"


@pytest.mark.root
def test_memory_is_limited_for_the_submission_not_per_process(sandbox):
    """Twenty children of 512 MiB each under a 2 GB sandbox: the total stays under 2 GB."""
    before = psutil.virtual_memory().used
    sandbox.run_cell(
        "import os, time, numpy as np\nfor _ in range(20):\n    if os.fork() == 0:\n"
        "        a = np.ones(512 * 1024**2 // 8); time.sleep(60); os._exit(0)\ntime.sleep(4)",
        timeout=30,
    )
    peak = sandbox.cgroup.peak_memory()
    rise = psutil.virtual_memory().used - before
    assert peak is not None and peak <= 2 * 1024**3
    assert rise < 2.5 * 1024**3, f"memory in use rose by {rise / 1024**3:.1f} GiB"


@pytest.mark.root
def test_a_daemon_does_not_outlive_its_sandbox(sandbox):
    sandbox.run_cell(
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(600)\n"
        "    os._exit(0)\ntime.sleep(0.5)",
        timeout=30,
    )
    members = sandbox.cgroup.members()
    assert len(members) >= 3
    sandbox.close()
    assert not still_running(members)


@pytest.mark.root
def test_kill_minus_one_reaches_only_the_sandbox(sandbox):
    me = os.getpid()
    code = "import os, signal, time\nif os.fork() == 0:\n    time.sleep(60)\n"
    code += "time.sleep(0.3)\nos.kill(-1, signal.SIGKILL)"
    reply = sandbox.run_cell(code + "\nprint('AFTER')", timeout=30)
    assert psutil.pid_exists(me) and sandbox.alive
    assert reply["ok"] and "AFTER" in sandbox.stdout.take(), reply


@pytest.mark.root
def test_a_sandbox_that_cannot_start_is_the_graders_problem(monkeypatch):
    monkeypatch.setattr("grader.sandbox.client.START_TIMEOUT_SECONDS", 5)
    box = Sandbox(memory_gb=0.01)  # too little address space for Python to start
    with pytest.raises(SandboxStartError, match="did not start"):
        box.start()
    box.close()


def test_a_checkout_under_a_system_folder_is_refused(monkeypatch, tmp_path):
    """Every sandbox sees /usr whole: a course checked out there would show students its solutions/."""
    import grader.lessons

    monkeypatch.setattr(grader.lessons, "ROOT", Path("/usr/src/app"))
    monkeypatch.setattr(isolation.os.path, "isdir", lambda path: True)
    with pytest.raises(SandboxUnavailable, match="solutions/"):
        isolation.refuse_visible_course()


def test_output_written_before_the_reply_is_never_lost():
    """The reply travels on another pipe than stdout: taking the output waits for what the pipe already holds."""
    from grader.sandbox.client import CappedStream

    for attempt in range(50):
        read_end, write_end = os.pipe()
        stream = CappedStream()
        os.write(write_end, b"AFTER %d" % attempt)
        with os.fdopen(read_end, "rb") as pipe:
            drainer = stream.follow(pipe)
            assert stream.take() == f"AFTER {attempt}"
            os.close(write_end)
            drainer.join(5)
        assert not drainer.is_alive()


def test_taking_output_from_a_pipe_that_never_goes_quiet_gives_up():
    """A child that prints without pause cannot hold the grader: the wait for the pipe is bounded."""
    import threading

    from grader.sandbox.client import CappedStream

    read_end, write_end = os.pipe()
    stream = CappedStream(cap=10**9)
    stop = threading.Event()

    def chatter() -> None:
        while not stop.is_set():
            os.write(write_end, b"x" * 4096)

    with os.fdopen(read_end, "rb") as pipe:
        stream.follow(pipe)
        writer = threading.Thread(target=chatter, daemon=True)
        writer.start()
        start = time.monotonic()
        stream.take()
        waited = time.monotonic() - start
        stop.set()
        writer.join(5)
        os.close(write_end)
    assert waited < 3, f"take() waited {waited:.1f} s"


def test_a_closed_pipe_whose_number_is_reused_is_never_read():
    """Once the pipe's own file is closed, its descriptor's number may go to another pipe (another sandbox's):
    the reader keeps draining the pipe it was given, never the newcomer."""
    from grader.sandbox.client import CappedStream

    read_end, write_end = os.pipe()
    stream = CappedStream()
    pipe = os.fdopen(read_end, "rb")
    reader = stream.follow(pipe)
    pipe.close()
    other_read, other_write = os.pipe()
    try:
        if other_read != read_end:
            pytest.skip("the closed descriptor's number was not reused")
        os.write(other_write, b"another sandbox's output")
        os.write(write_end, b"this sandbox's output")
        os.close(write_end)
        reader.join(5)
        assert stream.take() == "this sandbox's output"
        os.set_blocking(other_read, False)
        assert os.read(other_read, 100) == b"another sandbox's output"
    finally:
        os.close(other_read)
        os.close(other_write)


def test_flooding_output_costs_the_grader_little_cpu():
    """Past the cap the grader reads slowly: the flood blocks the flooder's own pipe, not the grader's CPU."""
    from grader.sandbox.client import CappedStream

    read_end, write_end = os.pipe()
    stream = CappedStream(cap=1024)
    with os.fdopen(read_end, "rb") as pipe:  # buffered, like a subprocess's stdout
        drainer = stream.follow(pipe)
        deadline = time.monotonic() + 1.0
        written = 0
        os.set_blocking(write_end, False)
        while time.monotonic() < deadline:
            try:
                written += os.write(write_end, b"x" * 65536)
            except BlockingIOError:
                time.sleep(0.001)
        os.close(write_end)
        drainer.join(5)
    assert written < 64 * 1024**2, f"{written / 1024**2:.0f} MiB read in a second: the grader is not throttling"
    assert len(stream.data) == 1024 and stream.dropped > 0


# ----------------------------------------------------------------------------- a Keras block across the boundary

STUDENT_BLOCKS = """
import keras
from keras import layers


def block(x, filters, stride=1):
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
    return layers.ReLU()(layers.Add()([y, shortcut]) + shortcut)


def with_lambda(x, filters, stride=1):
    return keras.layers.Lambda(lambda t: t * 2)(x)


def ignores_its_input(x, filters, stride=1):
    return layers.Conv2D(filters, 1)(keras.Input(shape=(8, 6, 4)))
"""


@pytest.mark.root
def test_a_students_functional_block_comes_back_as_a_tensor_of_the_graders_graph():
    """A test cell's keras.Input goes in, the student's layers (and weights) come out applied to it."""
    import warnings

    import keras
    import numpy as np

    from grader.trusted import StudentNamespace

    with Sandbox(memory_gb=3) as box:
        assert box.run_cell(STUDENT_BLOCKS, timeout=120)["ok"], box.stderr.take()
        namespace = StudentNamespace({}, box, 120)
        inp_t = keras.Input(shape=(8, 6, 4))
        out_t = namespace["block"](inp_t, 8, stride=2)
        model_t = keras.Model(inp_t, out_t)
        here: dict = {}
        exec(STUDENT_BLOCKS, here)  # the same function, in the grader's own process
        inp = keras.Input(shape=(8, 6, 4))
        reference = keras.Model(inp, here["block"](inp, 8, stride=2))
        assert [type(a).__name__ for a in model_t.layers] == [type(a).__name__ for a in reference.layers]
        assert model_t.count_params() == reference.count_params()
        reference.set_weights(model_t.get_weights())
        x = np.random.default_rng(0).random((4, 8, 6, 4)).astype(np.float32)
        assert np.allclose(model_t(x, training=False), reference(x, training=False), atol=1e-5)
        with pytest.raises(TypeError, match="Keras model refused: layer 'Lambda'"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            namespace["with_lambda"](inp_t, 8)
        with pytest.raises(ValueError, match="not computed from the keras.Input it was given"):
            namespace["ignores_its_input"](inp_t, 8)
        assert keras.Model(inp_t, namespace["block"](inp_t, 4)).count_params() > 0, "the sandbox still answers"
