"""Time limits that fit the lessons: each lesson's defaults follow its runtime budget, and honest work passes.

The budgets live in grader/lessons.py (``runtime_budget``); the factors and their reasons in
:func:`grader.classroom.time_limits`. The last test grades a small class of honest lesson-07 submissions
(the lesson that trains networks) with 2 workers and the defaults, as an instructor would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import requires_sandbox

from grader.classroom import (
    CELL_LIMIT_FACTOR,
    NOTEBOOK_LIMIT_FACTOR,
    ClassWorkspace,
    Job,
    collect_jobs,
    time_limits,
)
from grader.lessons import ROOT, all_lessons, runtime_budget, select

TRAINING = select(["07_cnn_training"])[0]


@pytest.mark.parametrize("lesson", all_lessons(), ids=lambda lesson: lesson.lesson_id)
def test_the_default_limits_follow_the_lessons_budget(lesson):
    limits = time_limits(lesson.lesson_id)
    budget = runtime_budget(lesson.lesson_id)
    assert (limits.cell, limits.notebook) == (CELL_LIMIT_FACTOR * budget, NOTEBOOK_LIMIT_FACTOR * budget)
    assert limits.cell >= budget, "one cell may be most of a lesson (a training cell) on a loaded machine"
    assert limits.notebook >= 3 * limits.cell, "room for the cells, the tests and one rebuilt sandbox"
    assert not (limits.cell_given or limits.notebook_given)


def test_the_figures_per_lesson():
    assert (time_limits("01_pixels").cell, time_limits("01_pixels").notebook) == (240.0, 720.0)
    assert (time_limits("07_cnn_training").cell, time_limits("07_cnn_training").notebook) == (360.0, 1080.0)


def test_limits_given_on_the_command_line_win():
    limits = time_limits("07_cnn_training", cell=30, notebook=None)
    assert (limits.cell, limits.notebook, limits.cell_given, limits.notebook_given) == (30.0, 1080.0, True, False)
    said = limits.describe()
    assert "30 s per cell (given on the command line)" in said
    assert "1080 s per notebook (12 × 07_cnn_training's 90 s runtime budget)" in said


def test_jobs_get_their_lessons_defaults(tmp_path):
    job = Job(TRAINING.lesson_id, "ada", "ada", {"cells": []})
    assert (job.cell_timeout, job.timeout) == (360.0, 1080.0)
    assert Job("01_pixels", "ada", "ada", {"cells": []}, cell_timeout=5).timeout == 720.0
    (tmp_path / "ada").mkdir()
    [collected] = collect_jobs(TRAINING, tmp_path)
    assert (collected.cell_timeout, collected.timeout) == (360.0, 1080.0)


def test_the_help_says_the_defaults():
    done = subprocess.run(
        [sys.executable, "-m", "grader", "autograde", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    said = " ".join(done.stdout.split())
    assert "240 s; 360 s for 07_cnn_training" in said and "720 s; 1080 s for 07_cnn_training" in said, said


@requires_sandbox
def test_an_honest_lesson_07_class_gets_full_marks_and_no_flags_with_the_defaults(tmp_path):
    """Two copies of the solution, 2 workers, no limits given: the training cells fit, nothing is flagged."""
    source = json.loads(TRAINING.source.read_text(encoding="utf-8"))
    folder = tmp_path / "class"
    for student in ("ada", "ben"):
        (folder / student).mkdir(parents=True)
        shutil.copy(TRAINING.source, folder / student / f"{TRAINING.lesson_id}.ipynb")
    command = [sys.executable, "-m", "grader", "autograde", TRAINING.lesson_id, "--submissions", str(folder),
               "--workspace", str(tmp_path / "ws"), "--workers", "2"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=2 * 1080 + 600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    records = {r.student_id: r for r in ClassWorkspace(tmp_path / "ws").results(TRAINING.lesson_id)}
    points = sum(float(c["metadata"]["nbgrader"].get("points", 0)) for c in source["cells"]
                 if c["metadata"].get("nbgrader", {}).get("grade"))  # fmt: skip
    for student in ("ada", "ben"):
        record = records[student]
        lost = {c.grade_id: (c.detail or c.reason)[:300] for c in record.cells if c.points < c.max_points}
        assert record.score == record.max_score == points, (student, lost, record.reason)
        assert record.flags == [] and record.reason == "", (student, record.flags, record.reason)
        assert re.search(rf"^{student}\s+{points:g}\s+{points:g}\s+[\d.]+\s*$", done.stdout, re.M), done.stdout
    print(done.stdout)
    assert "time limits: 360 s per cell (4 × 07_cnn_training's 90 s runtime budget), 1080 s per notebook" in done.stdout
