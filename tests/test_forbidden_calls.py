"""Library calls an exercise forbids: flagged for review, never scored, declared only in the trusted source.

A small lesson of our own (no TensorFlow) stands for the course's: ``true_convolve1d`` forbids
``np.convolve``, ``conv2d`` forbids ``tf.nn.conv2d`` and all of ``scipy.signal``, and ``conv1d`` forbids
nothing (``np.convolve`` is fine there). Most tests only parse; the last ones grade in the sandbox.
"""

from __future__ import annotations

import csv
import json
import time

import pytest
from suite import SANDBOX_MISSING

from grader.forbidden_calls import (
    MAX_PARSED_CELL,
    forbidden_uses,
    import_aliases,
    lesson_declaration_problems,
    review_flags,
)
from grader.grading import LessonTests, flags_for, grade_submission, student_program
from grader.intake import Job
from grader.lessons import Lesson
from grader.records import ClassWorkspace, export_csv, summary_table

LESSON_ID = "98_forbidden"
SETUP = "import numpy as np\nfrom scipy import signal\n"
LOOPS_1D = '''def true_convolve1d(x, w):
    """Full convolution, like np.convolve(x, w) (which this exercise forbids)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    out = np.zeros(x.size + w.size - 1)
    for i in range(x.size):
        out[i:i + w.size] += x[i] * w  # not np.convolve!
    return out
'''
LOOPS_2D = '''def conv2d(image, kernel):
    """Cross-correlation with loops; scipy.signal.correlate2d is the oracle, not the answer."""
    h, w = kernel.shape
    out = np.zeros((image.shape[0] - h + 1, image.shape[1] - w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + h, j:j + w] * kernel)
    return out
'''
CONV1D = "def conv1d(x, w):\n    return np.convolve(x, np.asarray(w)[::-1], 'valid')\n"
TEST_1D = "assert np.allclose(true_convolve1d(np.array([1.0, 2.0]), np.array([1.0, 1.0])), [1, 3, 2])\n"
TEST_2D = (
    "image_t = np.arange(16.0).reshape(4, 4)\nkernel_t = np.array([[1.0, 0.0], [0.0, -1.0]])\n"
    "assert np.allclose(conv2d(image_t, kernel_t), signal.correlate2d(image_t, kernel_t, 'valid'))\n"
)
TEST_CONV1D = "assert np.allclose(conv1d(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0])), [3, 5])\n"
FORBIDDEN = {"true_convolve1d": ["np.convolve", "numpy.convolve"], "conv2d": ["tf.nn.conv2d", "scipy.signal"]}
ANSWERS = {"true_convolve1d": LOOPS_1D, "conv2d": LOOPS_2D, "conv1d": CONV1D}
TESTS = {"true_convolve1d": (TEST_1D, 2.0), "conv2d": (TEST_2D, 3.0), "conv1d": (TEST_CONV1D, 1.0)}
#: Code outside the sandbox only if it is our own honest code and no full sandbox exists here.
TRUSTED_ONLY = bool(SANDBOX_MISSING)


def cell(source: str, *, metadata: dict | None = None, kind: str = "code") -> dict:
    made = {"cell_type": kind, "metadata": metadata or {}, "source": source}
    return made | ({"outputs": [], "execution_count": None} if kind == "code" else {})


def nbgrader(grade_id: str, **flags: object) -> dict:
    return {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": False} | flags


def source_notebook(forbidden: dict[str, list[str]] = FORBIDDEN) -> dict:
    """The trusted source: setup, then each exercise's answer (with its declaration) and its test."""
    cells = [cell(SETUP, metadata={"nbgrader": nbgrader("setup", locked=True)})]
    for gid, answer in ANSWERS.items():
        meta = {"nbgrader": nbgrader(gid, solution=True)}
        if gid in forbidden:
            meta["course"] = {"forbidden_calls": forbidden[gid]}
        test, points = TESTS[gid]
        cells += [
            cell(answer, metadata=meta),
            cell(test, metadata={"nbgrader": nbgrader(f"test_{gid}", grade=True, locked=True, points=points)}),
        ]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


SOURCE = source_notebook()
LESSON = LessonTests.from_source(SOURCE)


def submission(answers: dict[str, str] | None = None, extra: tuple[str, ...] = (), meta: dict | None = None) -> dict:
    """A student's notebook: the setup, any ``extra`` cells of their own, their answers (no declarations)."""
    chosen = ANSWERS | (answers or {})
    cells = [cell(SETUP, metadata={"nbgrader": {"grade_id": "setup"}})] + [cell(src) for src in extra]
    for gid, answer in chosen.items():
        cells.append(cell(answer, metadata={"nbgrader": {"grade_id": gid}} | (meta or {}).get(gid, {})))
        cells.append(cell(TESTS[gid][0], metadata={"nbgrader": {"grade_id": f"test_{gid}"}}))
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def flags(notebook: dict, lesson: LessonTests = LESSON) -> list[str]:
    program, _ = student_program(notebook, lesson)
    return [flag for flag in flags_for(program, lesson) if flag.startswith("review:")]


def test_declarations_are_read_from_the_source_answer_cells():
    assert LESSON.forbidden == FORBIDDEN
    assert lesson_declaration_problems(SOURCE) == []


# ----------------------------------------------------------------------------- flagged


def test_a_direct_call_is_flagged():
    body = "def true_convolve1d(x, w):\n    return np.convolve(x, w)\n"
    assert flags(submission({"true_convolve1d": body})) == [
        "review: true_convolve1d uses np.convolve, which the exercise forbids"
    ]


def test_an_import_alias_from_another_cell_is_flagged():
    body = "def true_convolve1d(x, w):\n    return xp.convolve(x, w)\n"
    found = flags(submission({"true_convolve1d": body}, extra=("import numpy as xp",)))
    assert found == ["review: true_convolve1d uses np.convolve (as xp.convolve), which the exercise forbids"]


def test_a_from_import_is_flagged():
    body = "from numpy import convolve as slide\n\n\ndef true_convolve1d(x, w):\n    return slide(x, w)\n"
    [found] = flags(submission({"true_convolve1d": body}))
    assert found == "review: true_convolve1d uses np.convolve (as slide), which the exercise forbids"


def test_a_module_prefix_is_flagged_whatever_the_function():
    """``scipy.signal`` is declared: the setup's ``from scipy import signal`` makes signal.correlate2d one."""
    body = "def conv2d(image, kernel):\n    return signal.correlate2d(image, kernel, mode='valid')\n"
    assert flags(submission({"conv2d": body})) == [
        "review: conv2d uses scipy.signal (as signal.correlate2d), which the exercise forbids"
    ]
    dotted = "import scipy.signal\n\ndef conv2d(image, kernel):\n    return scipy.signal.convolve2d(image, kernel)\n"
    assert flags(submission({"conv2d": dotted})) == [
        "review: conv2d uses scipy.signal (as scipy.signal.convolve2d), which the exercise forbids"
    ]


def test_tensorflow_and_a_function_taken_as_a_value_are_flagged():
    body = "import tensorflow as tf\nop = tf.nn.conv2d\n\n\ndef conv2d(x, k):\n    return op(x, k, 1, 'SAME')\n"
    assert flags(submission({"conv2d": body})) == ["review: conv2d uses tf.nn.conv2d, which the exercise forbids"]


def test_a_cell_magic_does_not_hide_the_call():
    body = "%%time\ndef true_convolve1d(x, w):\n    return np.convolve(x, w)\n"
    assert len(flags(submission({"true_convolve1d": body}))) == 1


# ----------------------------------------------------------------------------- not flagged


def test_the_allowed_solution_is_not_flagged():
    assert flags(submission()) == []


def test_a_comment_or_a_string_that_names_the_call_is_not_flagged():
    body = (
        'def true_convolve1d(x, w):\n    """Like np.convolve(x, w), without it."""\n'
        "    # np.convolve(x, w) would be one line\n    note = 'numpy.convolve'\n    return x * 0 + len(note)\n"
    )
    assert flags(submission({"true_convolve1d": body})) == []


def test_a_call_in_another_exercises_cell_is_not_flagged():
    """conv1d may use np.convolve; so may a student's own cell of experiments."""
    extra = "print(np.convolve([1, 2], [1, 1]))\nprint(signal.correlate2d(np.eye(3), np.eye(2)))"
    assert flags(submission(extra=(extra,))) == []


def test_a_parameter_named_like_an_import_is_not_the_module():
    body = "def conv2d(signal, kernel):\n    return signal.sum() * kernel\n"
    assert flags(submission({"conv2d": body})) == []


def test_getattr_with_a_string_is_missed_as_documented():
    body = "def true_convolve1d(x, w):\n    return getattr(np, 'convolve')(x, w)\n"
    assert flags(submission({"true_convolve1d": body})) == []


def test_the_submission_cannot_change_the_declarations():
    """A student's own metadata is dropped: clearing the list, or declaring another, changes nothing."""
    direct = "def true_convolve1d(x, w):\n    return np.convolve(x, w)\n"
    meta = {
        "true_convolve1d": {"course": {"forbidden_calls": []}},
        "conv1d": {"course": {"forbidden_calls": ["np.convolve"]}},
    }
    assert flags(submission({"true_convolve1d": direct}, meta=meta)) == [
        "review: true_convolve1d uses np.convolve, which the exercise forbids"
    ]


def test_a_lesson_without_declarations_flags_nothing():
    lesson = LessonTests.from_source(source_notebook({}))
    body = "def true_convolve1d(x, w):\n    return np.convolve(x, w)\n"
    assert lesson.forbidden == {} and flags(submission({"true_convolve1d": body}), lesson) == []


# ----------------------------------------------------------------------------- hostile or unparsable cells

HOSTILE = {
    "a syntax error": "def true_convolve1d(x, w)\n    return np.convolve(x, w)\n",
    "null bytes": "np.convolve(1, 2)\x00\n",
    "deep nesting": "x = " + "(" * 5000 + ")" * 5000,
    "a long chain": "y = np" + ".convolve" * 30_000,
    "deep binary operators": "z = " + " + ".join(["np.convolve(a, b)"] * 20_000),
    "lone surrogates": "s = '\udcff'\n",
    "shell and magics": "!rm -rf /\n%pip install numpy\n%time np.sum([1])\n",
}


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_a_hostile_or_unparsable_cell_never_crashes(what):
    start = time.monotonic()
    program = [("setup", SETUP), ("cell 3", HOSTILE[what]), ("true_convolve1d", HOSTILE[what])]
    found = review_flags(program, FORBIDDEN)
    assert time.monotonic() - start < 10
    assert isinstance(found, list) and all(isinstance(flag, str) and len(flag) < 300 for flag in found)
    assert forbidden_uses(HOSTILE[what], FORBIDDEN["true_convolve1d"], import_aliases([HOSTILE[what]])) in (
        None,
        [],
        [("np.convolve", "np.convolve")],
    )


def test_a_cell_too_long_to_parse_is_flagged_as_unchecked():
    body = LOOPS_1D + "\n" + "#" * MAX_PARSED_CELL
    assert flags(submission({"true_convolve1d": body})) == [
        "review: true_convolve1d is too long to check for the calls the exercise forbids"
    ]


def test_a_notebook_of_many_huge_import_cells_is_read_within_bounds():
    """19 MB of imports (a notebook at the size limit): at most MAX_ALIAS_STATEMENTS of them are parsed."""
    program, _ = student_program(submission(extra=tuple("import numpy as np\n" * 5000 for _ in range(200))), LESSON)
    start = time.monotonic()
    assert review_flags(program, FORBIDDEN) == []
    assert time.monotonic() - start < 5


def test_junk_before_an_import_does_not_hide_the_alias():
    """A huge or unparsable cell first, then ``import numpy as xp`` in a cell that does not parse either."""
    junk = ("x = (" * 20 + "\n") * 50_000
    body = "def true_convolve1d(x, w):\n    return xp.convolve(x, w)\n"
    found = flags(submission({"true_convolve1d": body}, extra=(junk, "if True\n    import numpy as xp")))
    assert found == ["review: true_convolve1d uses np.convolve (as xp.convolve), which the exercise forbids"]


def test_imports_in_any_form_are_aliases():
    aliases = import_aliases([
        "import numpy as xp, scipy.signal\nfrom tensorflow import nn as tnn; y = 2\n",
        "from numpy import (\n    convolve as c,\n    sum,\n)\nop = tnn.conv2d  # an alias\n",
        "def f():\n    import numpy.fft as spectral\n    inner = xp.convolve\n",
        "from . import local\nfrom numpy import *\n",
    ])
    assert aliases == {
        "xp": "numpy", "scipy": "scipy", "tnn": "tensorflow.nn", "c": "numpy.convolve", "sum": "numpy.sum",
        "op": "tensorflow.nn.conv2d", "spectral": "numpy.fft",
    }  # fmt: skip


def test_malformed_declarations_are_reported_for_the_author():
    source = source_notebook({"true_convolve1d": ["np.convolve", "not a name", 3]})
    source["cells"][0]["metadata"]["course"] = {"forbidden_calls": ["np.convolve"]}  # on the setup cell
    problems = lesson_declaration_problems(source)
    assert any("not dotted names" in p and "'not a name'" in p for p in problems), problems
    assert any("setup" in p and "only on an answer cell" in p for p in problems), problems
    assert LessonTests.from_source(source).forbidden["true_convolve1d"] == ["np.convolve"]


# ----------------------------------------------------------------------------- graded: the score is the tests'


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Three students graded in the sandbox: the loops, np.convolve directly, scipy.signal through an alias."""
    students = {
        "loops": submission(),
        "direct": submission({"true_convolve1d": "def true_convolve1d(x, w):\n    return np.convolve(x, w)\n"}),
        "aliased": submission(
            {"conv2d": "def conv2d(image, kernel):\n    return sp.correlate2d(image, kernel, 'valid')\n"},
            extra=("import scipy.signal as sp",),
        ),
    }
    results = {}
    for student, notebook in students.items():
        job = Job(LESSON_ID, student, student, SOURCE, notebook=notebook, cell_timeout=60, timeout=300,
                  memory_gb=2, no_sandbox=TRUSTED_ONLY)  # fmt: skip
        results[student] = grade_submission(job)
    workspace = tmp_path_factory.mktemp("forbidden") / "ws"
    space = ClassWorkspace(workspace)
    for result in results.values():
        space.write_json(Lesson(LESSON_ID), result)
    return results, workspace


def test_the_flag_never_changes_the_score(graded):
    results, _ = graded
    for student, result in results.items():
        lost = {c.grade_id: c.reason for c in result.cells if c.points < c.max_points}
        assert result.score == result.max_score == 6.0, (student, lost, result.reason)
        assert TRUSTED_ONLY or "bubblewrap" in result.isolation, result.isolation
    assert not [f for f in results["loops"].flags if f.startswith("review:")]
    assert "review: true_convolve1d uses np.convolve, which the exercise forbids" in results["direct"].flags
    aliased = "review: conv2d uses scipy.signal (as sp.correlate2d), which the exercise forbids"
    assert aliased in results["aliased"].flags


def test_the_flag_shows_in_the_json_record_the_csv_and_the_table(graded, tmp_path):
    results, workspace = graded
    flag = "review: true_convolve1d uses np.convolve, which the exercise forbids"
    record = json.loads((workspace / "results" / LESSON_ID / "direct.json").read_text(encoding="utf-8"))
    assert flag in record["flags"]
    assert export_csv(workspace, tmp_path / "grades.csv") == 3
    rows = {row["student_id"]: row for row in csv.DictReader((tmp_path / "grades.csv").open(encoding="utf-8"))}
    assert flag in rows["direct"]["flags"] and rows["direct"]["score"] == "6"
    assert "review:" not in rows["loops"]["flags"]
    table = summary_table(sorted(results.values(), key=lambda r: r.student_id))
    assert any(line.startswith("direct") and flag in line for line in table.splitlines()), table
