"""The grading scheme: every graded cell of every lesson, its grade id, its points and what it checks.

``python -m grader.scheme`` prints ``docs/grading-scheme.md``; a test keeps that page equal to what the lesson
sources say. Grade ids are stable: gradebooks, exports and regrades refer to them.
"""

from __future__ import annotations

import json
import sys

from grader import cells
from grader.lessons import Lesson, all_lessons

HEADER = """# Grading scheme

Every graded test cell of the course: its grade id (stable: the gradebook, `grader export` and regrades use it),
its points and what it checks. An exercise that must reject bad arguments has two cells: `test_<name>` grades
the results and `test_<name>_errors` the `ValueError`s (1 point), so a message worded differently costs at most
that point. Lesson 07's `test_build_improved_cnn_training` trains the student's design itself and grades its
accuracy; lesson 08's `test_train_cnn_training` runs the student's own NumPy training once and measures the trained
network with its own forward pass. The comment at the top of each test cell (shown to students) lists what its
hidden tests check.

This page is generated from `solutions/` by `python -m grader.scheme > docs/grading-scheme.md`.
"""


def _summary(cell: dict) -> str:
    """The test cell's opening comment (what it tests, and what its hidden tests check) as one line."""
    lines = []
    for line in cells.source(cell).splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").strip())
    return " ".join(lines).replace("|", "\\|")


def graded_cells(lesson: Lesson) -> list[tuple[str, float, str]]:
    """(grade id, points, what it checks) of every graded cell of ``lesson``, in notebook order."""
    notebook = json.loads(lesson.source.read_text(encoding="utf-8"))
    return [
        (cells.grade_id(cell), cells.points(cell), _summary(cell))
        for cell in notebook["cells"]
        if cells.is_graded(cell)
    ]


def scheme() -> str:
    """The markdown of ``docs/grading-scheme.md``."""
    parts = [HEADER]
    for lesson in all_lessons():
        rows = graded_cells(lesson)
        total = sum(points for _, points, _ in rows)
        parts.append(f"\n## {lesson.lesson_id} — {total:g} points\n\n| grade id | points | checks |\n|---|---:|---|\n")
        parts.extend(f"| `{grade_id}` | {points:g} | {summary} |\n" for grade_id, points, summary in rows)
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(scheme())
