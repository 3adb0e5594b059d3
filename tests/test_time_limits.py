"""Time limits that fit the lessons: each lesson's defaults follow its runtime budget, and honest work passes.

The budgets live in grader/lessons.py (``runtime_budget``); the factors and their reasons in
:func:`grader.time_limits.time_limits`. The last test reads how the class grader graded lesson 07's solution (the
lesson that trains networks) with the defaults, as an instructor would, on a machine busy with other work.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from suite import class_grader

from grader import cells
from grader.intake import Job, collect_jobs
from grader.lessons import ROOT, all_lessons, runtime_budget, select
from grader.records import NO_SANDBOX
from grader.time_limits import CELL_LIMIT_FACTOR, NOTEBOOK_LIMIT_FACTOR, time_limits

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


@class_grader(TRAINING.lesson_id)
def test_an_honest_lesson_07_submission_gets_full_marks_and_no_flags_with_the_defaults(class_check):
    """The solution, graded by the class grader with no limits given (while the other test worker runs other
    lessons): the training cells fit within the defaults, nothing is flagged."""
    source = json.loads(TRAINING.source.read_text(encoding="utf-8"))
    checked = class_check(TRAINING.lesson_id)
    record = checked.results["perfect"]
    points = sum(cells.points(c) for c in source["cells"] if cells.is_graded(c))
    lost = {c.grade_id: (c.detail or c.reason)[:300] for c in record.cells if c.points < c.max_points}
    assert record.score == record.max_score == points, (lost, record.reason)
    assert set(record.flags) <= {NO_SANDBOX} and record.reason == "", (record.flags, record.reason)
    limits = time_limits(TRAINING.lesson_id)
    assert record.seconds < limits.notebook, f"{record.seconds:.0f} s for a {limits.notebook:g} s notebook limit"
    assert "360 s per cell, 1080 s per notebook (07_cnn_training)" in checked.stdout, checked.stdout[-2000:]
