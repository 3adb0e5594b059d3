"""Every lesson, executed once as the autograder runs it: full marks, silent test cells, on time, and wrong code loses.

Each solution notebook runs top to bottom in one kernel (hidden tests included, ``NBGRADER_EXECUTION=autograde``).
Then every plausible wrong implementation in ``tests/mutants/<lesson>.py`` is defined in that kernel and only its
exercise's test cell is run again, scored by nbgrader's own ``determine_grade``: it must lose points.
"""

from __future__ import annotations

import json
import re

import pytest
from mutation_harness import PARTS, ROOT, LessonRun, apply_edits, defining_cell, load_mutants
from suite import record_lesson_seconds

from grader import cells
from grader.lessons import all_lessons, runtime_budget

LESSONS = [lesson.lesson_id for lesson in all_lessons()]
#: A test fails only far beyond the budget, so a busy machine never turns CI red; `make bench` prints the figures.
RUNTIME_FAIL_FACTOR = 3.0
MIN_MUTANTS_PER_EXERCISE = 3



def in_kernel(lesson_id: str) -> pytest.MarkDecorator:
    """Tests that share ``lesson_id``'s executed kernel run in one xdist worker, so the lesson executes once."""
    return pytest.mark.xdist_group(f"kernel-{lesson_id}")


#: The lessons, each with its kernel's worker group.
KERNEL_LESSONS = [pytest.param(lesson_id, marks=in_kernel(lesson_id), id=lesson_id) for lesson_id in LESSONS]

MUTANT_CASES = [
    pytest.param(
        lesson_id, exercise, description, edits, id=f"{lesson_id}:{exercise}:{description}", marks=in_kernel(lesson_id)
    )
    for lesson_id in LESSONS
    for exercise, wrongs in load_mutants(lesson_id).items()
    for description, edits in wrongs
]
#: The same cases without a kernel (checked in any worker).
EDIT_CASES = [pytest.param(*case.values, id=case.id) for case in MUTANT_CASES]


@pytest.fixture(scope="session")
def runs():
    """Executed lessons, started on first use and shut down at the end of the session."""
    started: dict[str, LessonRun] = {}
    yield started
    for run in started.values():
        run.__exit__(None, None, None)


@pytest.fixture
def lesson_run(runs):
    def get(lesson_id: str) -> LessonRun:
        if lesson_id not in runs:
            run = LessonRun(lesson_id).__enter__()
            runs[lesson_id] = run
            run.run_all()
            record_lesson_seconds(lesson_id, run.total_seconds)
        return runs[lesson_id]

    return get


def exercise_of(grade_id: str) -> str:
    """``test_conv1d_errors`` → ``conv1d``: the exercise a graded cell belongs to."""
    name = grade_id.removeprefix("test_")
    for part in PARTS:
        name = name.removesuffix(part)
    return name


def grade_cells(run: LessonRun):
    return {cid: cell for cid, cell in run.cells.items() if cell.max_points is not None}


@pytest.mark.parametrize("lesson_id", KERNEL_LESSONS)
def test_solution_gets_full_marks(lesson_run, lesson_id):
    run = lesson_run(lesson_id)
    graded = grade_cells(run)
    assert graded, f"{lesson_id} has no graded test cells"
    lost = {cid: c.error or c.stderr for cid, c in graded.items() if c.points != c.max_points}
    assert not lost, f"{lesson_id}: the solution loses points in {lost}"


@pytest.mark.parametrize("lesson_id", KERNEL_LESSONS)
def test_no_cell_of_the_solution_fails(lesson_run, lesson_id):
    run = lesson_run(lesson_id)
    errors = {cid: c.error for cid, c in run.cells.items() if c.error}
    assert not errors, f"{lesson_id}: cells raise when run top to bottom: {errors}"


@pytest.mark.parametrize("lesson_id", KERNEL_LESSONS)
def test_no_cell_of_the_solution_writes_to_stderr(lesson_run, lesson_id):
    """nbgrader scores a test cell zero when it writes to stderr (TensorFlow logs there), and a lesson cell that
    writes there shows a student a red box for nothing they did."""
    run = lesson_run(lesson_id)
    noisy = {cid: c.stderr[:300] for cid, c in run.cells.items() if c.stderr}
    tests = sorted(set(noisy) & set(grade_cells(run)))
    assert not noisy, f"{lesson_id}: cells write to stderr (test cells among them: {tests or 'none'}): {noisy}"


@pytest.mark.parametrize("lesson_id", KERNEL_LESSONS)
def test_lesson_runs_within_its_budget(lesson_run, lesson_id):
    run = lesson_run(lesson_id)
    slowest = sorted(run.cells.values(), key=lambda c: -c.seconds)[:3]
    budget = runtime_budget(lesson_id)
    print(f"{lesson_id}: {run.total_seconds:.1f} s (budget {budget:.0f} s); slowest cells: "
          + ", ".join(f"{c.cell_id} {c.seconds:.1f} s" for c in slowest))
    assert run.total_seconds < RUNTIME_FAIL_FACTOR * budget, (
        f"{lesson_id} took {run.total_seconds:.0f} s, far beyond its {budget:.0f} s budget"
    )


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_exercise_has_wrong_implementations(lesson_id):
    source = (ROOT / "solutions" / lesson_id / f"{lesson_id}.ipynb").read_text(encoding="utf-8")
    nb = json.loads(source)
    exercises = {
        exercise_of(cells.grade_id(cell))
        for cell in nb["cells"]
        if cells.is_graded(cell)
    }
    mutants = load_mutants(lesson_id)
    short = {e: len(mutants.get(e, [])) for e in exercises if len(mutants.get(e, [])) < MIN_MUTANTS_PER_EXERCISE}
    assert not short, f"{lesson_id}: exercises with fewer than {MIN_MUTANTS_PER_EXERCISE} wrong versions: {short}"
    unknown = set(mutants) - set(exercises)
    assert not unknown, f"{lesson_id}: mutants for exercises without a test cell: {unknown}"


def defining_source(lesson_id: str, function: str) -> str:
    """The source of the solution's answer cell that defines ``function``."""
    nb = json.loads((ROOT / "solutions" / lesson_id / f"{lesson_id}.ipynb").read_text(encoding="utf-8"))
    return cells.source(defining_cell(nb["cells"], function, where=lesson_id))


@pytest.mark.parametrize(("lesson_id", "exercise", "description", "edits"), EDIT_CASES)
def test_every_mutant_still_applies_to_the_solution(lesson_id, exercise, description, edits):
    """Without a kernel: a mutant whose text no longer matches the solution fails here, named."""
    source = defining_source(lesson_id, exercise)
    wrong = apply_edits(source, edits, where=f"{exercise}: {description}")
    assert wrong != source
    assert re.search(rf"^def {exercise}\(", wrong, re.M), "a mutant must still define its exercise's function"


@pytest.mark.parametrize(("lesson_id", "exercise", "description", "edits"), MUTANT_CASES)
def test_wrong_implementation_loses_points(lesson_run, lesson_id, exercise, description, edits):
    run = lesson_run(lesson_id)
    result = run.try_mutant(exercise, description, edits)
    assert result.killed, (
        f"{lesson_id}: the wrong {exercise} ({description}) still earns "
        f"{result.points:g}/{result.max_points:g}: the tests do not catch it"
    )
    assert result.reason, "a lost point must come with an explanation in the cell's output"


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_results_and_errors_are_graded_in_separate_cells(lesson_id):
    """A message that misses a word costs the errors cell's point, never the results' points."""
    nb = json.loads((ROOT / "solutions" / lesson_id / f"{lesson_id}.ipynb").read_text(encoding="utf-8"))
    graded = [c for c in nb["cells"] if cells.is_graded(c)]
    ids = [cells.grade_id(c) for c in graded]
    for cell in graded:
        grade_id, text = cells.grade_id(cell), cells.source(cell)
        assert cell.get("id") == grade_id, f"{lesson_id}: cell id {cell.get('id')!r} differs from grade id {grade_id}"
        if grade_id.endswith("_errors"):
            assert "check_raises(" in text, f"{lesson_id}: {grade_id} checks no error"
            assert f"test_{exercise_of(grade_id)}" in ids, f"{lesson_id}: {grade_id} has no results cell"
            assert cells.points(cell) == 1, f"{lesson_id}: {grade_id} is worth 1 point"
        else:
            assert "check_raises(" not in text, (
                f"{lesson_id}: {grade_id} grades results and errors together: move the check_raises calls to a "
                f"cell {grade_id}_errors of its own"
            )


@pytest.mark.parametrize("lesson_id", KERNEL_LESSONS[:1])
def test_a_lessons_tests_stay_in_the_worker_of_its_kernel(request, lesson_id):
    """Under `--dist loadgroup` the worker group is part of the node id; without it each lesson would run twice."""
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith(f"@kernel-{lesson_id}"), (
            f"{request.node.nodeid}: pytest-xdist's groups are not applied (a pytest it does not support yet?)"
        )
        assert not request.config.option.loadscopereorder, (
            "with --dist loadgroup, pass --no-loadscope-reorder: xdist would hand out the groups with the most tests "
            "first, not the longest first (tests/conftest.py), and a long group could start last"
        )
