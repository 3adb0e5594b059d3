"""Notebook lint (grader/lint.py) on every committed notebook, and proof that it catches each rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from grader.cells import is_graded, source
from grader.lessons import NOTEBOOKS, SOLUTIONS, all_lessons
from grader.lint import SCREEN_LINES, lint_course, lint_notebook, lint_release, unsuffixed_test_names

LESSONS = [lesson.lesson_id for lesson in all_lessons()]


def test_every_committed_notebook_is_clean():
    report = lint_course()
    assert len(report) == 2 * len(LESSONS)
    problems = [f"{path}: {problem}" for path, found in report.items() for problem in found]
    assert not problems, "notebook lint (python -m grader.lint):\n" + "\n".join(problems)


def _release(lesson_id: str) -> dict:
    return json.loads((NOTEBOOKS / lesson_id / f"{lesson_id}.ipynb").read_text(encoding="utf-8"))


def _lint(notebook: dict, tmp_path: Path, lesson_id: str = "01_pixels", student: bool = True) -> list[str]:
    path = tmp_path / f"{lesson_id}.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return lint_notebook(path, student=student)


def _broken(edit) -> dict:
    notebook = copy.deepcopy(_release("01_pixels"))
    edit(notebook)
    return notebook


def _code(notebook: dict, index: int = 0) -> dict:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"][index]


BREAKAGES = {
    "committed outputs": (lambda nb: _code(nb, 1).update(outputs=[{"output_type": "stream", "name": "stdout",
                                                                    "text": "hi"}]), "committed outputs"),
    "execution count": (lambda nb: _code(nb, 1).update(execution_count=3), "execution count"),
    "missing id": (lambda nb: nb["cells"][3].pop("id"), "no valid id"),
    "duplicate id": (lambda nb: nb["cells"][3].update(id=nb["cells"][2]["id"]), "used twice"),
    "no title": (lambda nb: nb["cells"].pop(0), "title"),
    "badge of another lesson": (
        lambda nb: nb["cells"][0].update(source=source(nb["cells"][0]).replace("01_pix", "02_conv")),
        "Colab badge",
    ),
    "no licence": (lambda nb: nb["cells"][0].update(source=source(nb["cells"][0]).replace("MIT", "")),
                   "licences"),
    "setup not first": (lambda nb: nb["cells"].insert(1, {"cell_type": "code", "id": "early", "metadata": {},
                                                          "source": "x = 1", "outputs": [],
                                                          "execution_count": None}), "setup cell"),
    "no summary": (lambda nb: [c.update(source="text") for c in nb["cells"] if "## Summary" in source(c)],
                   "'## Summary'"),
    "long cell": (lambda nb: _code(nb, 2).update(source="x = 1\n" * (SCREEN_LINES + 1)), "more than a screen"),
    "old nbformat": (lambda nb: nb.update(nbformat_minor=4), "nbformat"),
    "test cell binds a student's name": (
        lambda nb: next(c for c in nb["cells"] if is_graded(c)).update(
            source="batch = 3\npassed('x')\n"),
        "binds batch",
    ),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_lint_catches(breakage, tmp_path):
    edit, words = BREAKAGES[breakage]
    assert _lint(_release("01_pixels"), tmp_path) == []
    problems = _lint(_broken(edit), tmp_path)
    assert any(words in p for p in problems), f"{breakage}: not reported; lint said {problems}"


def test_long_cells_are_allowed_in_the_source_version_only(tmp_path):
    notebook = _broken(BREAKAGES["long cell"][0])
    assert _lint(notebook, tmp_path, student=False) == []


def test_release_must_keep_the_source_cell_ids(tmp_path):
    solution = SOLUTIONS / "01_pixels" / "01_pixels.ipynb"
    release = tmp_path / "01_pixels.ipynb"
    notebook = _release("01_pixels")
    notebook["cells"][2]["id"], notebook["cells"][3]["id"] = notebook["cells"][3]["id"], notebook["cells"][2]["id"]
    release.write_text(json.dumps(notebook), encoding="utf-8")
    assert lint_release(solution, NOTEBOOKS / "01_pixels" / "01_pixels.ipynb") == []
    assert lint_release(solution, release), "swapped cell ids were not reported"


def test_test_cells_may_bind_only_names_ending_in_t():
    cell = """
import numpy as np
from scipy import signal as signal_t
rng_t, height = 1, 2
for i in range(3):
    pass
for j_t in range(3):
    pass
def helper_t(x):
    local = [w for w in x]
    global leaked
    leaked = local
    return local
with open("f") as handle:
    pass
try:
    pass
except ValueError as err:
    pass
values_t = [(kept := k) for k in range(3)]
square_t = lambda v: v * v
"""
    assert unsuffixed_test_names(cell) == ["np", "height", "i", "leaked", "handle", "err", "kept"]
    assert unsuffixed_test_names("x = (") == []


def test_the_grading_scheme_page_lists_every_graded_cell():
    """docs/grading-scheme.md is what the sources say: every grade id with its points (python -m grader.scheme)."""
    from grader.scheme import scheme

    page = (SOLUTIONS.parent / "docs" / "grading-scheme.md").read_text(encoding="utf-8")
    assert page == scheme(), "docs/grading-scheme.md is stale: run python -m grader.scheme > docs/grading-scheme.md"
