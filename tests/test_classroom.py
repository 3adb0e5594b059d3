"""Grading a class: isolated, cheat-proof, robust, parallel, and faithful to nbgrader's gradebook."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_class import EXPECTED, build

from grader.classroom import (
    ClassWorkspace,
    LessonTests,
    autograde_class,
    collect_jobs,
    grade_submission,
    run_jobs,
)
from grader.example_class import EXPECTED as EXAMPLE_EXPECTED
from grader.example_class import _answers, submission, write_class
from grader.lessons import ROOT, SOLUTIONS, all_lessons, select
from grader.sandbox.client import can_isolate

LESSON = select(["01_pixels"])[0]
#: Values (not functions) a lesson's tests may read from the student's notebook: the model the student trained.
TRAINED_VALUES = {"07_cnn_training": {"improved_model"}}


def digest_tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    workspace, submissions = root / "grading", root / "submissions"
    build(submissions, workspace)
    before = digest_tree(submissions)
    results = autograde_class(
        LESSON, submissions, workspace, workers=2, cell_timeout=10, timeout=300, memory_gb=4, progress=False
    )
    return {r.folder: r for r in results}, workspace, submissions, before


def test_the_grader_runs_isolated_here():
    assert can_isolate(), "CI runs as root with unshare: the full sandbox must be used and tested"


def test_every_student_folder_is_graded(hostile):
    results, *_ = hostile
    assert sorted(results) == sorted(EXPECTED)


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


def test_sandbox_sees_no_course_files_and_no_one_elses_work(hostile):
    results, *_ = hostile
    assert "SNOOPED 0 []" in results["snoop"].student_output, results["snoop"].student_output[:500]
    assert "OVERWROTE" not in results["vandal"].student_output


def test_vandal_leaves_every_file_and_grade_untouched(hostile):
    results, workspace, submissions, before = hostile
    assert digest_tree(submissions) == before, "a submission changed files it must not reach"
    graded = {r.student_id: r.score for r in ClassWorkspace(workspace).results(LESSON.lesson_id)}
    assert len(graded) == len(EXPECTED)
    for path in (workspace / "autograded").rglob("*.ipynb"):
        json.loads(path.read_text(encoding="utf-8"))


def test_gradebook_matches_and_nbgrader_still_reads_it(hostile):
    results, workspace, *_ = hostile
    out = workspace / "nbgrader-export.csv"
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", "--to", str(out)], cwd=workspace, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(out.open())}
    assert rows == {r.student_id: r.score for r in results.values()}


def test_formgrader_asks_for_review_of_flagged_submissions_only(hostile):
    results, workspace, *_ = hostile
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gb:
        marked = {s.student.id: s.needs_manual_grade for s in gb.find_assignment(LESSON.lesson_id).submissions}
    expected = {r.student_id: bool(r.flags or r.reason) for r in results.values()}
    assert marked == expected
    assert not marked["honest"] and marked["patcher"], marked


def test_output_and_messages_are_capped(hostile):
    results, *_ = hostile
    flood = results["flood"]
    assert len(flood.student_output) <= 4000 and "spam" in flood.student_output
    assert all(len(c.reason) <= 4000 for c in results["hugeerror"].cells)


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
        text = "".join(cell["source"])
        if "### BEGIN HIDDEN TESTS" in text:
            block = text.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            hidden += [line.strip() for line in block.splitlines() if len(line.strip()) > 25]
    pages = list((workspace / "feedback").rglob("*.html"))
    assert len(pages) == len(EXPECTED)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert len(text) < 200_000
        assert "HIDDEN TESTS" not in text and not any(line in text for line in hidden), page


def test_grading_twice_gives_the_same_result(tmp_path):
    folder = tmp_path / "class"
    wrong = _answers(LESSON.lesson_id) | {"to_float": "def to_float(image):\n    return image / 255\n"}
    for student, answers in [("a", None), ("b", wrong)]:
        (folder / student).mkdir(parents=True)
        notebook = submission() if answers is None else submission(answers=answers)
        (folder / student / f"{LESSON.lesson_id}.ipynb").write_text(json.dumps(notebook))
    jobs = collect_jobs(LESSON, folder, cell_timeout=30, timeout=300, memory_gb=4)
    first = [grade_submission(j) for j in jobs]
    second = list(run_jobs(jobs, workers=2))
    key = {r.student_id: [(c.grade_id, c.points, c.reason) for c in r.cells] for r in second}
    assert {r.student_id: [(c.grade_id, c.points, c.reason) for c in r.cells] for r in first} == key
    assert [r.score for r in sorted(first, key=lambda r: r.student_id)] == [13.0, 11.0]


@pytest.mark.parametrize("lesson", all_lessons(), ids=lambda lesson: lesson.lesson_id)
def test_every_solution_gets_full_marks_through_the_class_grader(lesson, tmp_path):
    """Every lesson's tests work when they run in the grader against a sandbox, and touch only its functions."""
    source = json.loads(lesson.source.read_text(encoding="utf-8"))
    folder = tmp_path / "perfect"
    folder.mkdir()
    (folder / f"{lesson.lesson_id}.ipynb").write_text(json.dumps(source))
    job = collect_jobs(lesson, tmp_path, cell_timeout=300, timeout=900, memory_gb=6)[0]
    result = grade_submission(job)
    lost = {c.grade_id: c.reason[:300] for c in result.cells if c.points < c.max_points}
    assert result.score == result.max_score == LessonTests.from_source(source).max_score, lost
    defined = set()
    for cell in source["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            defined |= set(re.findall(r"^(?:def|class) (\w+)", "".join(cell["source"]), re.M))
            defined |= set(re.findall(r"^(\w+)\s*=", "".join(cell["source"]), re.M))
    defined |= TRAINED_VALUES.get(lesson.lesson_id, set())
    assert set(result.used_names) <= defined, (
        f"test cells read {set(result.used_names) - defined} from the student's notebook: a student could set them"
    )


def test_a_dask_cluster_gives_the_same_scores(tmp_path):
    from dask.distributed import LocalCluster

    folder = write_class(tmp_path / "class")
    jobs = [
        j
        for j in collect_jobs(LESSON, folder, cell_timeout=30, timeout=300, memory_gb=4)
        if j.student_id in {"ada", "ben", "dev"}
    ]
    local = {r.student_id: r.score for r in run_jobs(jobs, workers=1)}
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = {r.student_id: r.score for r in run_jobs(jobs, workers=2, scheduler=cluster.scheduler_address)}
    assert remote == local == {"ada": 13.0, "ben": 8.0, "dev": 0.0}


def test_example_class_scores_as_documented(tmp_path):
    folder = write_class(tmp_path / "class")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "autograde",
            LESSON.lesson_id,
            "--submissions",
            str(folder),
            "--workspace",
            str(tmp_path / "ws"),
            "--workers",
            "2",
            "--cell-timeout",
            "30",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for student, (_, score) in EXAMPLE_EXPECTED.items():
        assert re.search(rf"^{student}\s+{score:g}\s+13\s", done.stdout, re.M), (student, done.stdout)


def test_zip_of_folders_is_accepted(tmp_path):
    import shutil

    folder = tmp_path / "class"
    (folder / "zed").mkdir(parents=True)
    (folder / "zed" / f"{LESSON.lesson_id}.ipynb").write_text(json.dumps(submission()))
    archive = shutil.make_archive(str(tmp_path / "class"), "zip", folder)
    results = autograde_class(
        LESSON, Path(archive), tmp_path / "ws", workers=1, cell_timeout=30, timeout=300, memory_gb=4, progress=False
    )
    assert [(r.student_id, r.score) for r in results] == [("zed", 13.0)]


def test_solutions_are_the_source_of_the_hostile_class():
    assert (SOLUTIONS / "01_pixels" / "01_pixels.ipynb").exists()


def test_without_root_the_same_scores_with_memory_limit_only(hostile):
    """Instructors who are not root get the same verdicts; only the isolation is weaker, and says so."""
    _, _, submissions, _ = hostile
    jobs = {j.folder: j for j in collect_jobs(LESSON, submissions, cell_timeout=10, timeout=300, memory_gb=4)}
    for folder in ("honest", "patcher", "hang"):
        jobs[folder].isolate = False
        result = grade_submission(jobs[folder])
        assert result.score == EXPECTED[folder][0], (folder, [(c.grade_id, c.reason[:200]) for c in result.cells])
        assert result.isolation == "memory limit only (not root)"
