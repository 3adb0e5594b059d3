"""Markers of the test suite, and the figure it prints at the end: its time against executing every lesson once.

Markers (declared in ``pyproject.toml``):

- ``slow``: a second TensorFlow (the Colab-conditions venv), or a whole class graded once more; ``make test-all``.
- ``browser``: JupyterLab in headless Chromium; ``make test-browser`` and ``make test-all``.
- ``root``: runs code written as an attack, so only inside the full sandbox (bubblewrap and cgroups, which need
  root or user namespaces); where the sandbox is missing these tests skip and say why.

``make test`` runs everything else: every lesson executed once, every wrong implementation, the class grader on
every solution, the grader's protocol and intake, the sandbox's attacks where it can isolate.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from suite import LESSON_SECONDS, SANDBOX_MISSING, CheckRun, ExampleCliRun

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


def _group(item: pytest.Item) -> str:
    mark = item.get_closest_marker("xdist_group")
    return str(mark.args[0]) if mark and mark.args else ""


#: Seconds the heaviest groups of ``make test-all`` take on 2 cores, both workers busy.
GROUP_SECONDS = {"browser": 600, "hostile": 270, "guides": 145, "colab": 130}
#: A lesson's groups, as multiples of its time to execute once: its kernel (with every wrong implementation),
#: its class grading (sandbox start, the lesson, the tests in the grader) and its plain nbgrader run.
LESSON_GROUP_FACTORS = {"kernel-": 1.5, "class-grader-": 1.3, "plain-nbgrader-": 1.2}


def _last_lesson_seconds() -> dict[str, float]:
    """Each lesson's seconds in the last run (``reports/test-times.json``), or nothing on a fresh clone."""
    try:
        return json.loads((REPORTS / "test-times.json").read_text())["lesson_seconds"]
    except (OSError, ValueError, KeyError):
        return {}


def _expected_seconds(group: str, last: dict[str, float]) -> float:
    """About how long a worker group takes: the heavy groups of ``make test-all``, or a multiple of a lesson's
    time, from the last run's figures (``last``) or, on a fresh clone, its runtime budget."""
    if group in GROUP_SECONDS:
        return GROUP_SECONDS[group]
    for prefix, factor in LESSON_GROUP_FACTORS.items():
        if group.startswith(prefix):
            from grader.lessons import runtime_budget

            lesson_id = group.removeprefix(prefix)
            return factor * float(last.get(lesson_id) or runtime_budget(lesson_id))
    return 0.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # the longest worker groups first, so that none of them starts last and finishes alone (xdist's loadgroup
    # hands groups out in this order, given --no-loadscope-reorder); the order within a group, and of every
    # other test, stays
    last = _last_lesson_seconds()
    weights = {group: _expected_seconds(group, last) for group in {_group(item) for item in items}}
    items.sort(key=lambda item: -weights[_group(item)])
    if SANDBOX_MISSING:
        skip = pytest.mark.skip(reason=SANDBOX_MISSING)
        for item in items:
            if item.get_closest_marker("root"):
                item.add_marker(skip)


class _WorkerFigures:
    """Collects each xdist worker's lesson timings on the controller."""

    def pytest_testnodedown(self, node, error) -> None:  # noqa: ANN001 - xdist's hook signature
        LESSON_SECONDS.update(json.loads(getattr(node, "workeroutput", {}).get("lesson_seconds", "{}")))


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STARTED] = time.monotonic()
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_WorkerFigures(), "course-worker-figures")


_STARTED = pytest.StashKey[float]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the figures to the controller
        workeroutput["lesson_seconds"] = json.dumps(LESSON_SECONDS)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # noqa: ANN001
    if not LESSON_SECONDS or getattr(config, "workeroutput", None) is not None:
        return
    suite = time.monotonic() - config.stash[_STARTED]
    lessons = sum(LESSON_SECONDS.values())
    each = ", ".join(f"{lesson_id[:2]} {seconds:.0f} s" for lesson_id, seconds in sorted(LESSON_SECONDS.items()))
    terminalreporter.write_line(
        f"every solution executed once: {lessons:.0f} s ({each}); this run: {suite:.0f} s, "
        f"{suite / lessons:.1f} times that"
    )
    REPORTS.mkdir(exist_ok=True)
    figures = {"suite_seconds": round(suite, 1), "lesson_seconds": LESSON_SECONDS, "ratio": round(suite / lessons, 2)}
    (REPORTS / "test-times.json").write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")


# ----------------------------------------------------------------------------- engines shared by several test files

@pytest.fixture(scope="session")
def class_check() -> Callable[[str], CheckRun]:
    """``python -m grader check LESSON``, once per lesson and session, without what other tests cover: its sync
    check (test_pipeline's release test), its untouched release and its plain-nbgrader pass (both marked slow).

    The class grader grades the solution ("perfect") with the lesson's default time limits, sandboxed where the
    sandbox works. Tests that call this for a lesson carry its ``suite.class_grader`` group, so one worker
    grades it.
    """
    from grader import cli
    from grader.lessons import select

    runs: dict[str, CheckRun] = {}

    def run(lesson_id: str) -> CheckRun:
        if lesson_id not in runs:
            done = CheckRun(0, "")
            real = cli.autograde_class

            def keep_results(lesson, *args, **kwargs):  # noqa: ANN001, ANN202
                graded = real(lesson, *args, **kwargs)
                done.results.update({result.student_id: result for result in graded})
                return graded

            out = io.StringIO()
            with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
                patch.setattr(cli, "autograde_class", keep_results)
                done.returncode = cli.check(select([lesson_id]), untouched=False, sync=False, nbgrader=False)
            done.stdout = out.getvalue()
            runs[lesson_id] = done
        return runs[lesson_id]

    return run


#: Hostile students added to the example class for the command-line run (only inside the full sandbox).
CLI_HOSTILE = ("patcher", "hang")


@pytest.fixture(scope="session")
def example_cli(tmp_path_factory: pytest.TempPathFactory) -> ExampleCliRun:
    """``python -m grader autograde`` once, as an instructor runs it: on a zip of the example class's folders
    (plus two hostile students where the full sandbox exists), as a normal user when the tests run as root.

    Read by test_classroom's command-line tests and by the browser's formgrader test, in one worker.
    """
    import os
    import shutil
    import subprocess
    import sys

    from hostile_class import build

    from grader.example_class import write_class
    from grader.records import ClassWorkspace

    lesson_id = "01_pixels"
    root = tmp_path_factory.mktemp("example-cli")
    folder = write_class(root / "class")
    hostile = () if SANDBOX_MISSING else CLI_HOSTILE
    if hostile:
        build(root / "hostile", root / "unused-workspace")
        for student in hostile:
            shutil.copytree(root / "hostile" / student, folder / student)
    archive = shutil.make_archive(str(root / "class"), "zip", folder)
    command = [sys.executable, "-m", "grader", "autograde", lesson_id, "--submissions", archive,
               "--workspace", str(root / "ws"), "--workers", "2", "--cell-timeout", "10",
               *(["--no-sandbox"] if SANDBOX_MISSING else [])]  # fmt: skip
    as_user = os.geteuid() == 0 and shutil.which("unshare") is not None
    if as_user:
        command = ["unshare", "--user", "--map-user=1000", "--map-group=1000", *command]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    records = {r.student_id: r for r in ClassWorkspace(root / "ws").results(lesson_id)}
    return ExampleCliRun(done, records, hostile, as_user, root / "ws")
