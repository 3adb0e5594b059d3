"""Every lesson's setup cell as Google Colab runs it, and every "Open In Colab" badge.

Colab is imitated once per run: a fresh virtual environment (not the course's .venv) with a *different*
TensorFlow preinstalled, the libraries Colab ships (NumPy, SciPy, scikit-learn, Matplotlib, ipywidgets, tqdm)
and no mlxtend, a stand-in ``google.colab`` package that the kernel imports at start-up as Colab's does, and
a working directory outside the repository (Colab's ``/content``). ``git+https://github.com/<REPOSITORY>``
resolves to a git copy of this working tree through a ``url.<copy>.insteadOf`` rule in a throwaway global git
config, so the setup cell's ``pip install`` really clones, builds and installs the course without GitHub.

Each lesson's setup cell then runs in a fresh IPython kernel of that environment, twice: the first lesson's
run installs the course (pip, once, ``--no-deps``), later runs find it installed and never call pip, and no
run may touch Colab's TensorFlow, Keras or any other preinstalled package.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import HeaderParser
from importlib.metadata import version as installed_version
from pathlib import Path

import nbformat
import pytest

from course_utils import REPOSITORY
from course_utils import __version__ as COURSE_VERSION
from grader.cells import grade_id
from grader.lessons import all_lessons

ROOT = Path(__file__).resolve().parents[1]
LESSONS = [lesson.lesson_id for lesson in all_lessons()]

COURSE_DIST = "pixels-to-cnns"
COURSE_URL = f"git+https://github.com/{REPOSITORY}"
COLAB_BADGE = re.compile(r"https://colab\.research\.google\.com/github/([^)\s\"'<>]+)")
#: What Colab preinstalls and the lessons import, besides TensorFlow (which brings Keras). No mlxtend, no nbgrader.
COLAB_PACKAGES = ("numpy", "scipy", "scikit-learn", "matplotlib", "ipywidgets", "ipykernel", "tqdm")
KERNEL_NAME = "colab-like"

INSTALL_TIMEOUT = 900  # seconds for TensorFlow and friends (about 1–2 minutes with a warm pip cache)
FIRST_RUN_TIMEOUT = 300  # the run that clones, builds and installs the course
RERUN_TIMEOUT = 120
#: A second run of the setup cell finds everything imported: it must not take anywhere near a pip install.
RERUN_LIMIT_SECONDS = 10.0

#: Variables the course's own environment or a developer's shell may set and Colab does not.
FOREIGN_ENV = (
    "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONEXECUTABLE", "PYTHONWARNINGS", "VIRTUAL_ENV",
    "PYTHONDONTWRITEBYTECODE",  # Colab keeps compiled modules; without them every kernel recompiles TensorFlow
    "COURSE_OFFLINE", "NBGRADER_EXECUTION", "TF_CPP_MIN_LOG_LEVEL", "GRPC_VERBOSITY", "KERAS_HOME",
    "KERAS_BACKEND", "MPLBACKEND", "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
    "JUPYTER_PATH", "JUPYTER_RUNTIME_DIR", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_DIR", "GIT_WORK_TREE",
)  # fmt: skip
#: Signs in pip's output that the package index could not be reached (then the test skips instead of failing).
NO_NETWORK = (
    "NewConnectionError", "Max retries exceeded", "Temporary failure in name resolution", "Network is unreachable",
    "Failed to establish a new connection", "ConnectTimeoutError", "ReadTimeoutError", "Connection refused",
    "No matching distribution found",
)  # fmt: skip

FAKE_GOOGLE_COLAB = '''"""Stand-in for Colab's google.colab: code detects Colab by its presence in sys.modules."""

__version__ = "0.0.1a2"
'''
#: Colab's kernel imports google.colab at start-up; an IPython startup file does the same here.
COLAB_STARTUP = "import google.colab  # noqa: F401 - Colab's kernel has it in sys.modules from the start\n"

#: Runs before the first setup cell: records every subprocess the kernel starts, so pip calls can be counted.
AUDIT_SUBPROCESSES = """
import sys as _sys
_course_test_subprocesses = []
def _course_test_audit(event, args, _seen=_course_test_subprocesses):
    if event == "subprocess.Popen":
        command = args[1]
        _seen.append([str(part) for part in command] if isinstance(command, (list, tuple)) else [str(command)])
_sys.addaudithook(_course_test_audit)
del _sys
"""

#: Runs after a setup cell, in the same kernel: where things came from, the versions, and which pip calls ran.
PROBE = """
import importlib.metadata as _metadata
import json as _json
import sys as _sys

import course_utils as _course_utils
import keras as _keras
import numpy as _np
import tensorflow as _tf

_facts = {
    "executable": _sys.executable,
    "course_utils": _course_utils.__file__,
    "course_version": _course_utils.__version__,
    "colab_module": "google.colab" in _sys.modules,
    "tensorflow": _tf.__version__,
    "tensorflow_dist": _metadata.version("tensorflow"),
    "keras": _keras.__version__,
    "keras_backend": _keras.backend.backend(),
    "pip_calls": [cmd for cmd in _course_test_subprocesses if any("pip" in part for part in cmd)],
}
_course_test_subprocesses.clear()
if CHECK_KERAS:
    _x = _np.linspace(0, 1, 2 * 6 * 6, dtype="float32").reshape(2, 6, 6, 1)
    _model = _keras.Sequential([
        _keras.Input((6, 6, 1)),
        _keras.layers.Conv2D(2, 3, activation="relu"),
        _keras.layers.GlobalAveragePooling2D(),
        _keras.layers.Dense(3),
    ])
    _model.compile(optimizer="sgd", loss=_keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    _loss = float(_np.ravel(_model.train_on_batch(_x, _np.array([0, 2])))[0])
    _out = _model.predict(_x, verbose=0)
    _facts["keras_ok"] = bool(_out.shape == (2, 3) and _np.isfinite(_out).all() and _np.isfinite(_loss))
print("COURSE-PROBE " + _json.dumps(_facts))
"""

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------- the Colab-like environment


@dataclass(frozen=True)
class Installed:
    """One installed distribution, as pip left it: a reinstall (even of the same version) changes ``record``."""

    version: str
    record_sha256: str
    record: tuple[int, int]  # inode and mtime (ns) of its RECORD file

    def __str__(self) -> str:
        return self.version


def installed_distributions(site_packages: Path) -> dict[str, Installed]:
    """Every distribution in ``site_packages`` by normalised name."""
    found = {}
    for dist_info in site_packages.glob("*.dist-info"):
        metadata = dist_info / "METADATA"
        record = dist_info / "RECORD"
        if not metadata.is_file():
            continue
        headers = HeaderParser().parsestr(metadata.read_text(encoding="utf-8", errors="replace"))
        name = re.sub(r"[-_.]+", "-", headers["Name"]).lower()
        if record.is_file():
            stat = record.stat()
            digest, stamp = hashlib.sha256(record.read_bytes()).hexdigest(), (stat.st_ino, stat.st_mtime_ns)
        else:
            digest, stamp = "", (0, 0)
        found[name] = Installed(headers["Version"], digest, stamp)
    return found


def describe_changes(before: dict[str, Installed], after: dict[str, Installed]) -> list[str]:
    """Human-readable differences between two :func:`installed_distributions` snapshots."""
    changes = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if old is None:
            changes.append(f"{name} {new} was installed")
        elif new is None:
            changes.append(f"{name} {old} was removed")
        elif old.version != new.version:
            changes.append(f"{name} went from {old} to {new}")
        else:
            changes.append(f"{name} {new} was reinstalled (its files were rewritten)")
    return changes


def tail(text: str, lines: int = 25) -> str:
    kept = ANSI.sub("", text).rstrip().splitlines()[-lines:]
    return "\n".join("    " + line for line in kept) if kept else "    (nothing)"


def other_tensorflow() -> str:
    """A Keras 3 TensorFlow release inside the course's supported range, other than the one in .venv."""
    ours = tuple(int(part) for part in installed_version("tensorflow").split(".")[:2])
    return "2.19" if ours == (2, 20) else "2.20"


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_ENV}
    env.update(extra)
    return env


def run(command: list[str | Path], *, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=timeout, **kwargs)


def base_python() -> Path:
    """The interpreter behind the course's venv: the plain ``python3`` a new venv is made from."""
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (Path(sys.base_prefix) / "bin" / name, Path(sys.base_prefix) / "bin" / "python3"):
        if candidate.exists():
            return candidate
    found = shutil.which("python3")
    if found is None:
        pytest.fail("no python3 to create the Colab-like venv with: install Python 3.10+ and put it on PATH")
    return Path(found)


@functools.lru_cache(maxsize=1)
def tracked_files() -> tuple[str, ...]:
    listed = run(["git", "-C", ROOT, "ls-files", "-z"], timeout=60, check=True).stdout
    return tuple(name for name in listed.split("\0") if name)


def snapshot_repository(destination: Path, git_env: dict[str, str]) -> None:
    """A one-commit git repository holding this working tree's tracked files as they are on disk now."""
    for name in tracked_files():
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not part of the snapshot
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    identity = ["-c", "user.name=Course snapshot", "-c", "user.email=snapshot@localhost", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], [*identity, "commit", "-q", "-m", "Working tree"]):
        done = run(["git", "-C", destination, *command], timeout=120, env=git_env)
        assert done.returncode == 0, f"git {' '.join(command)} failed in the snapshot of the working tree:\n" + tail(
            done.stderr
        )


@dataclass
class ColabLike:
    """A Colab-like Python: its venv, site-packages, kernel environment and what was preinstalled."""

    root: Path
    python: Path
    site_packages: Path
    content: Path  # the kernel's working directory, like Colab's /content
    snapshot: Path  # the git copy of the working tree that GitHub's URL resolves to
    kernel_dirs: Path
    env: dict[str, str]
    tensorflow: str
    preinstalled: dict[str, Installed] = field(default_factory=dict)

    def course_installed(self) -> bool:
        return COURSE_DIST in installed_distributions(self.site_packages)

    def uninstall_course(self) -> None:
        """Back to a fresh Colab runtime: the course not installed."""
        if not self.course_installed():
            return
        uninstall = [self.python, "-m", "pip", "uninstall", "-y", "-q", COURSE_DIST]
        done = run(uninstall, timeout=120, env=self.env, cwd=self.content)
        assert done.returncode == 0 and not self.course_installed(), "could not uninstall the course:\n" + tail(
            done.stdout + done.stderr
        )


@pytest.fixture(scope="module")
def colab(tmp_path_factory: pytest.TempPathFactory) -> ColabLike:
    root = tmp_path_factory.mktemp("colab")
    venv = root / "venv"
    python = venv / "bin" / "python"
    made = run([base_python(), "-m", "venv", venv], timeout=300, env=clean_env())
    assert made.returncode == 0, f"python3 -m venv {venv} failed:\n" + tail(made.stderr)

    tensorflow = other_tensorflow()
    # --no-compile: byte-compiling all of TensorFlow's modules is slow, and only the imported ones are needed.
    pip_install = [python, "-m", "pip", "install", "-q", "--no-compile", "--progress-bar", "off"]
    # The real pip cache (HOME is not redirected here), so later runs install from it.
    done = run([*pip_install, f"tensorflow=={tensorflow}.*", *COLAB_PACKAGES], timeout=INSTALL_TIMEOUT, env=clean_env())
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if any(sign in output for sign in NO_NETWORK):
            pytest.skip(
                f"cannot build the Colab-like environment: pip could not install TensorFlow {tensorflow} from the "
                f"package index (no network?). Connect to PyPI and run again.\n{tail(output, 8)}"
            )
        pytest.fail(f"installing TensorFlow {tensorflow} and Colab's libraries into {venv} failed:\n{tail(output)}")

    site_packages = Path(
        run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], timeout=60).stdout.strip()
    )
    colab_package = site_packages / "google" / "colab"
    colab_package.mkdir(parents=True)
    (colab_package / "__init__.py").write_text(FAKE_GOOGLE_COLAB)

    ipython_dir = root / "ipython"
    (ipython_dir / "profile_default" / "startup").mkdir(parents=True)
    (ipython_dir / "profile_default" / "startup" / "00-google-colab.py").write_text(COLAB_STARTUP)

    kernel_dir = root / "kernels" / KERNEL_NAME
    kernel_dir.mkdir(parents=True)
    kernel_spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab-like)",
        "language": "python",
    }
    (kernel_dir / "kernel.json").write_text(json.dumps(kernel_spec, indent=1))

    git_config = root / "gitconfig"
    snapshot = root / "github.com" / REPOSITORY
    snapshot.mkdir(parents=True)
    git_config.write_text(f'[url "{snapshot.as_uri()}"]\n\tinsteadOf = https://github.com/{REPOSITORY}\n')
    git_env = clean_env(GIT_CONFIG_GLOBAL=str(git_config), GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    snapshot_repository(snapshot, git_env)

    pip_cache = run([python, "-m", "pip", "cache", "dir"], timeout=60, env=clean_env()).stdout.strip()
    content, home = root / "content", root / "home"
    content.mkdir()
    home.mkdir()
    env = {
        **git_env,
        "HOME": str(home),  # like Colab's /root: Keras and Matplotlib write their settings there
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "IPYTHONDIR": str(ipython_dir),
    }
    if pip_cache:
        env["PIP_CACHE_DIR"] = pip_cache  # the setup cell's pip fetches setuptools for the build: reuse the cache

    env_like = ColabLike(
        root=root,
        python=python,
        site_packages=site_packages,
        content=content,
        snapshot=snapshot,
        kernel_dirs=root / "kernels",
        env=env,
        tensorflow=installed_version_in(python, "tensorflow"),
        preinstalled=installed_distributions(site_packages),
    )
    assert env_like.tensorflow.startswith(f"{tensorflow}."), f"pip installed TensorFlow {env_like.tensorflow}"
    assert env_like.tensorflow != installed_version("tensorflow"), "Colab's TensorFlow must differ from .venv's"
    assert COURSE_DIST not in env_like.preinstalled and "mlxtend" not in env_like.preinstalled, sorted(
        env_like.preinstalled
    )
    return env_like


def installed_version_in(python: Path, distribution: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    done = run([python, "-c", code], timeout=60, env=clean_env())
    assert done.returncode == 0, f"{distribution} is not installed in {python}:\n{tail(done.stderr)}"
    return done.stdout.strip()


# --------------------------------------------------------------------------- a kernel of that environment


@dataclass
class CellRun:
    ok: bool
    seconds: float
    stdout: str = ""
    stderr: str = ""
    error: str = ""

    def explain(self) -> str:
        parts = [f"  error:\n{tail(self.error)}"] if self.error else []
        parts.append(f"  stderr (last lines):\n{tail(self.stderr)}")
        parts.append(f"  stdout (last lines):\n{tail(self.stdout, 12)}")
        return "\n".join(parts)


@contextlib.contextmanager
def colab_kernel(colab: ColabLike) -> Iterator[ColabKernel]:
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    specs = KernelSpecManager(kernel_dirs=[str(colab.kernel_dirs)])
    manager = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
    log = colab.root / "kernel.log"  # the kernel process's own output, outside any cell
    with log.open("a") as output:
        manager.start_kernel(cwd=str(colab.content), env=dict(colab.env), stdout=output, stderr=output)
    client = manager.client()
    try:
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
        except RuntimeError as error:
            pytest.fail(f"the Colab-like kernel ({colab.python}) did not start: {error}\n{tail(log.read_text())}")
        yield ColabKernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@dataclass
class ColabKernel:
    client: object

    def run(self, code: str, timeout: float) -> CellRun:
        streams = {"stdout": [], "stderr": []}
        errors: list[str] = []

        def collect(message: dict) -> None:
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                streams[content["name"]].append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content["traceback"]) or f"{content['ename']}: {content['evalue']}")

        started = time.perf_counter()
        try:
            reply = self.client.execute_interactive(code, timeout=timeout, output_hook=collect, allow_stdin=False)
            ok = reply["content"]["status"] == "ok"
        except TimeoutError:
            ok = False
            errors.append(f"the cell did not finish within {timeout:.0f} s")
        return CellRun(ok, time.perf_counter() - started, "".join(streams["stdout"]), "".join(streams["stderr"]),
                       "\n".join(errors))  # fmt: skip

    def probe(self, *, check_keras: bool) -> dict:
        done = self.run(f"CHECK_KERAS = {check_keras}\n{PROBE}", timeout=RERUN_TIMEOUT)
        assert done.ok, "the probe of the kernel after the setup cell failed:\n" + done.explain()
        line = next(line for line in done.stdout.splitlines() if line.startswith("COURSE-PROBE "))
        return json.loads(line.removeprefix("COURSE-PROBE "))


# --------------------------------------------------------------------------- the lessons' setup cells


def setup_cell_source(lesson_id: str) -> str:
    notebook = nbformat.read(ROOT / "notebooks" / lesson_id / f"{lesson_id}.ipynb", as_version=4)
    cells = [cell for cell in notebook.cells if grade_id(cell) == "setup"]
    assert len(cells) == 1, f"{lesson_id}: expected one cell with nbgrader grade_id 'setup', found {len(cells)}"
    assert notebook.cells.index(cells[0]) == 1, f"{lesson_id}: the setup cell must come right after the title"
    return cells[0].source


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_setup_cell_installs_the_course_from_github_without_dependencies(lesson_id):
    source = setup_cell_source(lesson_id)
    assert f'"{COURSE_URL}"' in source and '"--no-deps"' in source, (
        f"{lesson_id}: in Colab the setup cell must run pip install --no-deps {COURSE_URL} (REPOSITORY in "
        "course_utils/__init__.py), so Colab's own TensorFlow stays; fix it in solutions/ and run "
        "`python -m grader release`"
    )


@pytest.mark.slow
@pytest.mark.xdist_group("colab")  # one Colab-like venv for every lesson
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_setup_cell_under_colab_conditions(colab: ColabLike, lesson_id: str):
    source = setup_cell_source(lesson_id)
    if lesson_id == LESSONS[0]:
        colab.uninstall_course()  # the first lesson opened in a fresh Colab runtime installs the course
    fresh = not colab.course_installed()
    where = f"{lesson_id} in Colab-like Python with TensorFlow {colab.tensorflow} ({colab.python})"

    with colab_kernel(colab) as kernel:
        audit = kernel.run(AUDIT_SUBPROCESSES, timeout=RERUN_TIMEOUT)
        assert audit.ok, audit.explain()

        first = kernel.run(source, timeout=FIRST_RUN_TIMEOUT)
        assert first.ok, f"{where}: the setup cell failed on its first run.\n{first.explain()}"
        facts = kernel.probe(check_keras=False)
        after_first = installed_distributions(colab.site_packages)

        second = kernel.run(source, timeout=RERUN_TIMEOUT)
        assert second.ok, f"{where}: running the setup cell a second time failed.\n{second.explain()}"
        again = kernel.probe(check_keras=True)
        after_second = installed_distributions(colab.site_packages)

    # The first run: silent on stderr, reports Colab and Colab's versions, installs the course only if missing.
    assert first.stderr == "", (
        f"{where}: the setup cell wrote to stderr on its first run (Colab shows it in red; pip's warnings or "
        f"TensorFlow's start-up logs must be silenced):\n{tail(first.stderr)}"
    )
    report = f"Lesson {lesson_id} · Colab · seed 0 · "
    assert report in first.stdout and f"TensorFlow {colab.tensorflow}" in first.stdout, (
        f"{where}: start_lesson should print '{report}… TensorFlow {colab.tensorflow} …'; google.colab in "
        f"sys.modules: {facts['colab_module']}.\n{first.explain()}"
    )
    pip_calls = facts["pip_calls"]
    if fresh:
        assert len(pip_calls) == 1, (
            f"{where}: with the course not installed the setup cell must call pip exactly once; it called "
            f"{len(pip_calls)} times: {pip_calls}"
        )
        assert "--no-deps" in pip_calls[0] and COURSE_URL in pip_calls[0], (
            f"{where}: the setup cell must run pip install --no-deps {COURSE_URL}; it ran {pip_calls[0]}"
        )
        assert COURSE_DIST in after_first, f"{where}: pip ran but {COURSE_DIST} is not installed in {colab.python}"
    else:
        assert pip_calls == [], (
            f"{where}: course_utils was already installed, yet the setup cell called pip: {pip_calls}. "
            "Install only when importlib.util.find_spec('course_utils') is None."
        )

    # The course imported is the installed one, built from this working tree — never the repository itself.
    installed = Path(facts["course_utils"])
    assert installed.parent == colab.site_packages / "course_utils", (
        f"{where}: course_utils came from {installed}, not from Colab's site-packages {colab.site_packages}"
    )
    assert ROOT not in installed.parents and facts["executable"] == str(colab.python), facts
    assert facts["course_version"] == COURSE_VERSION, facts
    snapshot = colab.snapshot / "course_utils"
    for module in sorted(snapshot.rglob("*.py")):
        name = module.relative_to(snapshot)
        assert (installed.parent / name).read_bytes() == module.read_bytes(), (
            f"{where}: the installed course_utils/{name} differs from the working tree's: "
            f"{COURSE_URL} did not resolve to this repository"
        )

    # Colab's TensorFlow, Keras and every other preinstalled package are exactly as they were.
    for name, facts_now in (("first run", facts), ("second run", again)):
        assert facts_now["tensorflow"] == facts_now["tensorflow_dist"] == colab.tensorflow, (
            f"{where}: after the {name} TensorFlow is {facts_now['tensorflow']} (installed distribution "
            f"{facts_now['tensorflow_dist']}); Colab had {colab.tensorflow}. The setup cell must not install "
            "TensorFlow: keep --no-deps."
        )
    changed = describe_changes(colab.preinstalled, {k: v for k, v in after_second.items() if k != COURSE_DIST})
    assert changed == [], (
        f"{where}: the setup cell changed Colab's preinstalled packages: {'; '.join(changed)}. Keep "
        "pip install --no-deps, and install the course only when it is missing."
    )
    assert again["keras_ok"] and again["keras_backend"] == "tensorflow", (
        f"{where}: Keras {again['keras']} no longer builds and trains a small CNN after the setup cell: {again}"
    )

    # The second run: quick, silent, no pip, the installed course untouched.
    assert again["pip_calls"] == [], f"{where}: the second run of the setup cell called pip: {again['pip_calls']}"
    assert after_second.get(COURSE_DIST) == after_first.get(COURSE_DIST), (
        f"{where}: the second run reinstalled the course ({after_first.get(COURSE_DIST)!r} → "
        f"{after_second.get(COURSE_DIST)!r})"
    )
    assert second.stderr == "", f"{where}: the second run wrote to stderr:\n{tail(second.stderr)}"
    assert second.seconds < RERUN_LIMIT_SECONDS, (
        f"{where}: the second run of the setup cell took {second.seconds:.1f} s (limit {RERUN_LIMIT_SECONDS:.0f} s; "
        f"the first took {first.seconds:.1f} s): it should find everything installed and imported"
    )


# --------------------------------------------------------------------------- the Colab badges


def colab_target(url_tail: str) -> str:
    """``<REPOSITORY>/blob/main/<path>`` → ``<path>``, or fail saying how the link should look."""
    prefix = f"{REPOSITORY}/blob/main/"
    assert url_tail.startswith(prefix), (
        f"Colab link github/{url_tail} should start with github/{prefix} (REPOSITORY in course_utils/__init__.py)"
    )
    return url_tail.removeprefix(prefix)


def expected_badge_target(lesson_id: str) -> str:
    return f"notebooks/{lesson_id}/{lesson_id}.ipynb"


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_title_cell_badge_opens_the_released_lesson(lesson_id: str, folder: str):
    path = ROOT / folder / lesson_id / f"{lesson_id}.ipynb"
    title = nbformat.read(path, as_version=4).cells[0]
    assert title.cell_type == "markdown", f"{path.relative_to(ROOT)}: the first cell must be the markdown title"
    targets = [colab_target(tail_) for tail_ in COLAB_BADGE.findall(title.source)]
    expected = expected_badge_target(lesson_id)
    assert targets == [expected], (
        f"{path.relative_to(ROOT)}: the title cell should hold one Open In Colab badge linking "
        f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/{expected}; it links {targets}"
    )
    assert expected in tracked_files(), f"the badge of {lesson_id} opens {expected}, which git does not track"


def test_readme_badges_open_every_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tracked = set(tracked_files())
    badged = []
    for line in readme.splitlines():
        targets = [colab_target(tail_) for tail_ in COLAB_BADGE.findall(line)]
        for target in targets:
            assert target in tracked, f"README: a Colab badge opens {target}, which git does not track"
            badged.append(target)
            lesson_link = re.search(r"\]\((notebooks/[^)]+\.ipynb)\)", line)
            assert lesson_link is None or lesson_link.group(1) == target, (
                f"README: the row linking {lesson_link.group(1)} has a Colab badge opening {target}"
            )
    expected = [expected_badge_target(lesson_id) for lesson_id in LESSONS]
    assert badged == expected, (
        f"README: expected one Colab badge per lesson, in order, opening {expected}; found {badged}"
    )
