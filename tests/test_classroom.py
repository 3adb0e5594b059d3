"""Grading a class: isolated, cheat-proof, robust, parallel, and faithful to nbgrader's gradebook."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import hostile_processes
import psutil
import pytest
from hostile_class import EXPECTED as FILE_ATTACKS
from hostile_class import build
from suite import SANDBOX_MISSING, class_graded, marks

from grader import cells
from grader.classroom import autograde_class, run_jobs
from grader.example_class import EXPECTED as EXAMPLE_EXPECTED
from grader.example_class import submission, write_class
from grader.grading import LessonTests, grade_submission
from grader.intake import collect_jobs
from grader.lessons import ROOT, all_lessons, select
from grader.records import NO_SANDBOX, ClassWorkspace
from grader.sandbox.isolation import probe

LESSON = select(["01_pixels"])[0]
EXPECTED = FILE_ATTACKS | hostile_processes.EXPECTED
HOSTILE_MEMORY_GB = 4
#: Our own honest submissions (solutions, the example class) may be graded where no full sandbox exists;
#: hostile ones never are.
TRUSTED_ONLY = bool(SANDBOX_MISSING)
#: The hostile class is graded once (the ``hostile`` fixture), by ``make test-all``: every test that reads it runs in
#: that one worker, and only inside the full sandbox.
HOSTILE = marks(pytest.mark.slow, pytest.mark.root, pytest.mark.xdist_group("hostile"))


def digest_tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


class MemoryWatch:
    """The most memory in use on the machine, sampled every 50 ms while grading runs."""

    def __init__(self) -> None:
        import threading

        self.baseline = psutil.virtual_memory().used
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, psutil.virtual_memory().used)

    def stop(self) -> float:
        """The largest rise above the baseline, in GiB."""
        self._stop.set()
        self._thread.join()
        return (self.peak - self.baseline) / 1024**3


def other_workers() -> set[int]:
    """The other pytest-xdist workers of this run (siblings of this process): their class gradings run at the
    same time as ours, so their sandboxes are alive while ours must all be gone."""
    me = psutil.Process()
    parent = me.parent()
    if parent is None or os.environ.get("PYTEST_XDIST_WORKER") is None:
        return set()
    return {child.pid for child in parent.children() if child.pid != me.pid}


def sandbox_processes() -> list[str]:
    """Processes of any sandbox still alive: an agent, a bwrap, or anything running as a sandbox uid; except
    those that another xdist worker started and still holds (a process that escaped its parent counts)."""
    from grader.sandbox.isolation import UID_BASE, UID_SLOTS

    others = other_workers()
    found = []
    for proc in psutil.process_iter(["pid", "uids", "cmdline", "status"]):
        info = proc.info
        if info["status"] == psutil.STATUS_ZOMBIE:
            continue
        command = " ".join(info["cmdline"] or [])
        uid = info["uids"].real if info["uids"] else -1
        if "grader.sandbox.agent" in command or UID_BASE <= uid < UID_BASE + UID_SLOTS:
            try:
                if others & {ancestor.pid for ancestor in proc.parents()}:
                    continue
            except psutil.NoSuchProcess:
                continue
            found.append(f"{info['pid']} uid {uid}: {command[:120]}")
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    if SANDBOX_MISSING:
        pytest.skip(SANDBOX_MISSING)
    root = tmp_path_factory.mktemp("hostile")
    workspace, submissions = root / "grading", root / "submissions"
    build(submissions, workspace)
    hostile_processes.build(submissions)
    before = digest_tree(submissions)
    watch = MemoryWatch()
    results = autograde_class(
        LESSON, submissions, workspace, workers=2, cell_timeout=10, timeout=300, memory_gb=HOSTILE_MEMORY_GB,
        progress=False,
    )  # fmt: skip
    rise = watch.stop()
    return {r.folder: r for r in results}, workspace, submissions, before, rise, sandbox_processes()


def test_the_grader_runs_isolated_here():
    if not os.environ.get("CI"):
        pytest.skip("only CI must have the full sandbox (.ci/run installs bubblewrap and runs as root)")
    assert probe().full, f"CI must test the full sandbox: {SANDBOX_MISSING}"


@HOSTILE
def test_every_student_folder_is_graded(hostile):
    results, *_ = hostile
    assert sorted(results) == sorted(EXPECTED)


@HOSTILE
def test_no_sandbox_process_outlives_the_grading(hostile):
    *_, left = hostile
    assert not left, left


@HOSTILE
def test_memory_stays_within_the_sandboxes_limits(hostile):
    """Two workers: at most two sandboxes of HOSTILE_MEMORY_GB each, plus the two grader processes (TensorFlow)."""
    results, *_, rise, _ = hostile
    assert rise < 2 * HOSTILE_MEMORY_GB + 3, f"memory in use rose by {rise:.1f} GiB"


@HOSTILE
@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_hostile_submission_gets_the_honest_score(hostile, folder):
    results, *_ = hostile
    result = results[folder]
    score, word = EXPECTED[folder]
    lost = {c.grade_id: c.reason[:200] for c in result.cells if c.points < c.max_points}
    assert result.score == score, f"{folder}: {result.score} instead of {score}; lost: {lost}; notes: {result.reason}"
    assert result.max_score == 13.0
    if word:
        assert word in result.reason + " " + "; ".join(result.flags), (result.reason, result.flags)


@HOSTILE
def test_sandbox_sees_no_course_files_and_no_one_elses_work(hostile):
    results, *_ = hostile
    assert "SNOOPED 0 []" in results["snoop"].student_output, results["snoop"].student_output[:500]
    assert "OVERWROTE" not in results["vandal"].student_output


@HOSTILE
def test_vandal_leaves_every_file_and_grade_untouched(hostile):
    results, workspace, submissions, before, *_ = hostile
    assert digest_tree(submissions) == before, "a submission changed files it must not reach"
    graded = {r.student_id: r.score for r in ClassWorkspace(workspace).results(LESSON.lesson_id)}
    assert len(graded) == len(EXPECTED)
    for path in (workspace / "autograded").rglob("*.ipynb"):
        json.loads(path.read_text(encoding="utf-8"))


@HOSTILE
def test_gradebook_matches_and_nbgrader_still_reads_it(hostile):
    results, workspace, *_ = hostile
    out = workspace / "nbgrader-export.csv"
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", "--to", str(out)], cwd=workspace, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(out.open())}
    assert rows == {r.student_id: r.score for r in results.values()}


@HOSTILE
def test_formgrader_asks_for_review_of_flagged_submissions_only(hostile):
    results, workspace, *_ = hostile
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gb:
        marked = {s.student.id: s.needs_manual_grade for s in gb.find_assignment(LESSON.lesson_id).submissions}
    expected = {r.student_id: bool(r.flags or r.reason) for r in results.values()}
    assert marked == expected
    assert not marked["honest"] and marked["patcher"], marked


@HOSTILE
def test_output_and_messages_are_capped(hostile):
    results, *_ = hostile
    flood = results["flood"]
    assert len(flood.student_output) <= 4000 and "spam" in flood.student_output
    assert all(len(c.reason) <= 4000 for c in results["hugeerror"].cells)


@HOSTILE
def test_export_lists_every_folder_with_a_reason(hostile, tmp_path):
    results, workspace, *_ = hostile
    target = tmp_path / "grades.csv"
    done = subprocess.run(
        [sys.executable, "-m", "grader", "export", "--workspace", str(workspace), "--to", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(target.open()))
    assert {r["folder"] for r in rows} == set(EXPECTED)
    assert {"student_id", "assignment", "score", "max_score", "reason", "flags"} <= set(rows[0])
    broken = next(r for r in rows if r["folder"] == "broken")
    assert broken["score"] == "0" and "JSON" in broken["reason"]


@HOSTILE
def test_feedback_pages_hold_no_hidden_test_source(hostile):
    results, workspace, *_ = hostile
    done = subprocess.run(
        [sys.executable, "-m", "grader", "feedback", LESSON.lesson_id, "--workspace", str(workspace)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    source = json.loads(LESSON.source.read_text(encoding="utf-8"))
    hidden = []
    for cell in source["cells"]:
        text = cells.source(cell)
        if cells.HIDDEN_BEGIN in text:
            block = text.split(cells.HIDDEN_BEGIN)[1].split(cells.HIDDEN_END)[0]
            hidden += [line.strip() for line in block.splitlines() if len(line.strip()) > 25]
    pages = list((workspace / "feedback").rglob("*.html"))
    assert len(pages) == len(EXPECTED)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert len(text) < 200_000
        assert "HIDDEN TESTS" not in text and not any(line in text for line in hidden), page


@HOSTILE
def test_grading_twice_gives_the_same_result(hostile, tmp_path):
    """Two students of the hostile class graded again, by the process pool instead of the class run: same cells."""
    first, _, submissions, *_ = hostile
    folder = tmp_path / "again"
    for student in ("honest", "partial"):
        shutil.copytree(submissions / student, folder / student)
    jobs = collect_jobs(LESSON, folder, cell_timeout=10, timeout=300, memory_gb=HOSTILE_MEMORY_GB)
    second = {r.student_id: r for r in run_jobs(jobs, workers=1)}
    for student in ("honest", "partial"):
        again = [(c.grade_id, c.points, c.reason) for c in second[student].cells]
        assert again == [(c.grade_id, c.points, c.reason) for c in first[student].cells], student
    assert [second[s].score for s in ("honest", "partial")] == [13.0, 10.0]


@pytest.mark.parametrize("lesson", class_graded(all_lessons()))
def test_every_solution_gets_full_marks_through_the_class_grader(class_check, lesson):
    """Every lesson's tests work when they run in the grader against a sandbox, and touch only its functions."""
    source = json.loads(lesson.source.read_text(encoding="utf-8"))
    result = class_check(lesson.lesson_id).results["perfect"]  # graded with the lesson's default time limits
    lost = {c.grade_id: c.reason[:300] for c in result.cells if c.points < c.max_points}
    assert result.score == result.max_score == LessonTests.from_source(source).max_score, lost
    # no flag either: not a code pattern, not a library call its own exercise forbids (forbidden_calls)
    assert set(result.flags) <= {NO_SANDBOX}, result.flags
    defined = set()
    for cell in source["cells"]:
        if cells.is_answer(cell):
            defined |= set(re.findall(r"^(?:def|class) (\w+)", cells.source(cell), re.M))
            defined |= set(re.findall(r"^(\w+)\s*=", cells.source(cell), re.M))
    assert set(result.used_names) <= defined, (
        f"test cells read {set(result.used_names) - defined} from the student's notebook: a student could set them"
    )


@pytest.mark.slow
def test_a_dask_cluster_gives_the_documented_scores(tmp_path):
    from dask.distributed import LocalCluster

    folder = write_class(tmp_path / "class")
    jobs = [
        j
        for j in collect_jobs(LESSON, folder, cell_timeout=30, timeout=300, memory_gb=4, no_sandbox=TRUSTED_ONLY)
        if j.student_id in {"ada", "ben", "dev"}
    ]
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = {r.student_id: r.score for r in run_jobs(jobs, workers=2, scheduler=cluster.scheduler_address)}
    assert remote == {student: EXAMPLE_EXPECTED[student][1] for student in ("ada", "ben", "dev")}


#: The tests that read the one command-line run of the example class (``example_cli``, tests/conftest.py) share
#: its worker with the browser tests, whose formgrader test opens the same workspace (``make test-all``).
EXAMPLE_CLI = marks(pytest.mark.slow, pytest.mark.xdist_group("browser"))


@EXAMPLE_CLI
def test_example_class_scores_as_documented(example_cli):
    done = example_cli.done
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for student, (_, score) in EXAMPLE_EXPECTED.items():
        assert re.search(rf"^{student}\s+{score:g}\s+13\s", done.stdout, re.M), (student, done.stdout)


@EXAMPLE_CLI
def test_zip_of_folders_is_accepted(example_cli):
    done, records = example_cli.done, example_cli.records
    assert set(records) == set(EXAMPLE_EXPECTED) | set(example_cli.hostile), done.stdout[-3000:]


@pytest.mark.root
@EXAMPLE_CLI
def test_as_a_normal_user_the_same_scores_in_the_same_sandbox(example_cli):
    """An instructor who is not root gets the same verdicts, in bubblewrap's user namespace instead of a uid."""
    done, records, hostile = example_cli.done, example_cli.records, example_cli.hostile
    if not example_cli.as_user:
        pytest.skip("needs root and unshare (util-linux) to become a normal user")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for student in ("ada", *hostile):
        expected = EXPECTED[student][0] if student in EXPECTED else EXAMPLE_EXPECTED[student][1]
        assert records[student].score == expected, (student, records[student].cells)
        assert "user namespace" in records[student].isolation, records[student].isolation


SLEEPER = """import time as _time
_honest = {name: globals()[name] for name in ("to_float", "to_grayscale", "crop", "make_batch", "channel_means")}


def _slow(fn):
    def call(*args, **kwargs):
        _time.sleep(4.5)  # just under the 5 s cell limit, on every call
        return fn(*args, **kwargs)

    return call


for _name, _fn in _honest.items():
    globals()[_name] = _slow(_fn)
"""


@pytest.mark.slow  # a graded submission that sleeps through its limit
@pytest.mark.root
def test_a_student_who_sleeps_on_every_call_is_done_within_the_notebook_limit(tmp_path):
    folder = tmp_path / "class" / "sleeper"
    folder.mkdir(parents=True)
    notebook = submission()
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "sleep", "metadata": {},
                              "outputs": [], "source": SLEEPER})  # fmt: skip
    (folder / f"{LESSON.lesson_id}.ipynb").write_text(json.dumps(notebook))
    job = collect_jobs(LESSON, tmp_path / "class", cell_timeout=5, timeout=20, memory_gb=4)[0]
    result = grade_submission(job)
    assert result.seconds <= 20 + 30, f"held the worker {result.seconds:.0f} s under a 20 s notebook limit"
    assert "ran past the time limit" in result.flags, result.flags
