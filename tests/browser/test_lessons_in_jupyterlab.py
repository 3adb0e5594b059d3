"""Lessons run cell by cell in JupyterLab in headless Chromium, as a student runs them.

What only a browser shows: the explorers of lessons 02, 03 and 04 render as live widgets and redraw after a
keypress on their slider, in the release (before the student has written anything) and in the solution; and
lesson 01, the first a newcomer opens, runs in JupyterLab with no error and nothing on stderr. A solution may
not fail at all, nor write to stderr; a release may fail only where an exercise is still a stub
(NotImplementedError, or a test cell saying so). Screenshots go to reports/browser/.

The other lessons have no widget, so JupyterLab would run the same kernel on the same code as the kernel run
of ``tests/test_lessons.py``, which already holds every solution to no error and nothing on stderr in any
cell; and the class grader's run of each untouched release (``tests/test_pipeline.py``) holds every release
to failing only where an exercise is unwritten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lab import NotebookPage, nudge_first_slider, widget_outputs
from suite import STUB_HINT, is_stub_error

from grader.lessons import all_lessons

#: One worker runs them all, so one JupyterLab server and one Chromium serve the whole run.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LESSONS = [lesson.lesson_id for lesson in all_lessons()]
EXPLORERS = {"02_convolution": 1, "03_padding_stride": 1, "04_pooling": 1}
#: The lessons whose solution runs in the browser: the first lesson, and those with an explorer.
IN_THE_BROWSER = [LESSONS[0], *sorted(EXPLORERS)]
CELL_TIMEOUT = 240  # seconds; the slowest solution cell trains a CNN for about 30 s


def saved_errors(path: Path) -> list[tuple[int, str, str, str]]:
    """(cell index, cell id, ename, evalue) of every error output in the notebook as saved by JupyterLab."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [
        (index, cell.get("id", "?"), output["ename"], output["evalue"])
        for index, cell in enumerate(notebook["cells"])
        for output in cell.get("outputs", [])
        if output["output_type"] == "error"
    ]


def saved_stderr(path: Path) -> list[tuple[int, str, str]]:
    """(cell index, cell id, text) of every stderr stream in the saved notebook."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [
        (index, cell.get("id", "?"), "".join(output["text"]))
        for index, cell in enumerate(notebook["cells"])
        for output in cell.get("outputs", [])
        if output["output_type"] == "stream" and output["name"] == "stderr"
    ]


def run_lesson(page: Any, lab: Any, kind: str, lesson_id: str, shots: Path) -> Path:
    """Open ``kind``/``lesson_id`` in JupyterLab, run every cell in turn and save it; the saved file.

    Screenshots: the top of the lesson as opened, and the end of it after the run.
    """
    notebook = NotebookPage(page, lab, f"{kind}/{lesson_id}.ipynb")
    notebook.open()
    page.screenshot(path=str(shots / f"{lesson_id}-{kind}-top.png"))
    try:
        notebook.run_all_one_by_one(timeout_per_cell=CELL_TIMEOUT)
    except TimeoutError:
        page.screenshot(path=str(shots / f"{lesson_id}-{kind}-stuck.png"))
        raise
    notebook.save()
    page.screenshot(path=str(shots / f"{lesson_id}-{kind}-end.png"))
    return Path(lab.root, kind, f"{lesson_id}.ipynb")


def check_explorers(page: Any, lesson_id: str, kind: str, shots: Path) -> None:
    """Each explorer rendered as a live widget and redrew its picture after one keypress on its slider."""
    explorers = widget_outputs(page)
    expected = EXPLORERS.get(lesson_id, 0)
    assert explorers.count() == expected, (
        f"{lesson_id} ({kind}): {explorers.count()} live explorer(s) rendered, expected {expected}. "
        "Is the ipywidgets JupyterLab extension installed (jupyter labextension list)?"
    )
    for index in range(expected):
        widget = explorers.nth(index)
        before, after = nudge_first_slider(page, widget)
        assert before != after, f"{lesson_id} ({kind}): the slider did not move on ArrowRight ({before} → {after})"
        widget.screenshot(path=str(shots / f"{lesson_id}-{kind}-explorer.png"))


@pytest.mark.parametrize("lesson_id", sorted(EXPLORERS))
def test_released_lesson_runs_in_jupyterlab(page, lab, shots, lesson_id):
    saved = run_lesson(page, lab, "student", lesson_id, shots)
    errors = saved_errors(saved)
    assert errors, f"{lesson_id}: no cell failed, yet the released lesson has unwritten exercises"
    unexpected = [error for error in errors if not is_stub_error(error[2], error[3])]
    assert not unexpected, (
        f"{lesson_id} (student version, run cell by cell in JupyterLab): errors other than an unwritten "
        "exercise's NotImplementedError:\n"
        + "\n".join(f"  cell {i} ({cid}): {ename}: {evalue[:300]}" for i, cid, ename, evalue in unexpected)
        + f"\nhint: {STUB_HINT}"
    )
    check_explorers(page, lesson_id, "student", shots)


@pytest.mark.parametrize("lesson_id", IN_THE_BROWSER)
def test_solution_runs_in_jupyterlab_without_errors_or_stderr(page, lab, shots, lesson_id):
    saved = run_lesson(page, lab, "solution", lesson_id, shots)
    errors = saved_errors(saved)
    assert not errors, f"{lesson_id} (solution): cells failed in JupyterLab:\n" + "\n".join(
        f"  cell {i} ({cid}): {ename}: {evalue[:300]}" for i, cid, ename, evalue in errors
    )
    stderr = saved_stderr(saved)
    assert not stderr, f"{lesson_id} (solution): cells wrote to stderr (nbgrader scores such test cells 0):\n" + (
        "\n".join(f"  cell {i} ({cid}): {text[:300]}" for i, cid, text in stderr)
    )
    check_explorers(page, lesson_id, "solution", shots)
