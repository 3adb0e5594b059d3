"""Grade a whole class: one sandbox per submission, tests in the grader's process, results in the gradebook.

For each student folder ``DIR/<student_id>/<LESSON>.ipynb``:
1. the notebook is read without following links, within the size and cell limits below, and its structure
   is checked; anything else costs the submission (0, a reason, a flag), never the class;
2. the student's code cells run in a fresh sandbox (see :mod:`grader.sandbox`), with the lesson's locked
   setup cell restored from the source and the student's copies of test cells ignored;
3. the lesson's test cells (hidden tests included) run here, calling the student's functions through
   the sandbox with plain data (see :mod:`grader.trusted`); an exception is a lost cell, nothing else is;
4. a crash or time-out costs only the test cells that were running: the sandbox is rebuilt by replaying
   the student's other cells, and grading goes on.
Grading is total: a failure that is the grader's (the sandbox did not start, an unexpected exception, a
grading process that died) is retried once, then recorded as 0 with the flag "could not grade" for an
instructor to review. Each submission is graded in a fresh process (locally; or on a Dask cluster); the
parent alone writes the nbgrader gradebook, the autograded notebooks, a JSON record per student and, on
request, feedback.
"""

from __future__ import annotations

import errno
import html
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, fields
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from grader.forbidden_calls import declared_calls, review_flags
from grader.lessons import Lesson, runtime_budget
from grader.workspace import CellResult, Workspace

# ----------------------------------------------------------------------------- limits, in one place

#: A submitted notebook over this many bytes is not read (0, flagged "notebook too large").
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
#: A submitted notebook with more cells is not graded (0, flagged "notebook too large").
MAX_CELLS = 2000
#: Every per-student message (a reason, a cell's output or detail, the student's printed output) is cut to this.
MESSAGE_CAP = 4000
#: A zip of submissions that unpacks to more is refused as a whole.
MAX_ZIP_BYTES = 2 * 1024**3
#: A failure of the grader's own (not the student's) is tried this many times before "could not grade".
ATTEMPTS = 2
#: A grading process still running this long after the notebook's own time limit is killed (then retried).
GRACE_SECONDS = 600.0
#: By default one cell (a student's cell, or a test cell and all its calls) may take this many times its
#: lesson's whole runtime budget, and a notebook NOTEBOOK_LIMIT_FACTOR times it (see :func:`time_limits`).
CELL_LIMIT_FACTOR = 4.0
NOTEBOOK_LIMIT_FACTOR = 12.0

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")

#: Flags set by the grader itself (the code-pattern flags are in SUSPICIOUS).
COULD_NOT_GRADE = "could not grade"
SUBMITTED_A_LINK = "submitted a link"
TOO_LARGE = "notebook too large"
MALFORMED = "malformed notebook"
HARD_LINK = "notebook has other hard links"
NO_SANDBOX = "graded without a sandbox"
COULD_NOT_RECORD = "could not record"

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HIDDEN_PLACEHOLDER = "# hidden tests: run by the grader; see the result below"

#: Patterns in student code worth a human look; they never change a score by themselves.
SUSPICIOUS = [
    (r"\bos\._exit\b|\bsys\.exit\b|\bos\.kill\b", "exits or kills the interpreter"),
    (r"\bsignal\.(signal|setitimer|alarm|pthread_sigmask)\b", "changes signal handling"),
    (r"\bsys\.settrace\b|\bsys\.setprofile\b|\bthreading\.settrace\b|sys\.monitoring", "installs a tracer"),
    (r"input_transformers|ast_transformers|\.events\.register|register_magic|set_custom_exc", "hooks IPython"),
    (r"\bbuiltins\b|__builtins__", "touches builtins"),
    (r"\b(np|numpy)\.(testing|allclose|array_equal|isclose)\s*=|setattr\(\s*(np|numpy)\b", "patches NumPy"),
    (
        # a bounded attribute chain: an unbounded [\w.]* is quadratic on a long run of "course_utils.course_utils…"
        r"\bcourse_utils(\.\w+){0,3}\s*=[^=]|setattr\(\s*(course_utils|checks)|\bchecks\.\w+\s*=[^=]"
        r"|CheckFailure\s*=",
        "patches the course checks",
    ),
    (r"\bsubprocess\b|\bos\.system\b|\bos\.popen\b|\bpty\b|\bos\.fork\b", "starts processes"),
    (r"\bsocket\b|\burllib\b|\brequests\b|http\.client", "uses the network"),
    (r"gradebook|\.ipynb\b|\bsolutions/|/source/|\bnbgrader\b", "looks for course files"),
    (
        r"\bctypes\b|\bgc\.get_objects\b|\binspect\.stack\b|sys\._getframe|__code__|__globals__",
        "inspects the interpreter",
    ),
]


def _text(value: object, limit: int = MESSAGE_CAP, *, tail: bool = False) -> str:
    """``value`` as text of at most ``limit`` characters (its start, or its end), always writable as UTF-8."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[-limit:] if tail else text[:limit]
    # a lone surrogate (from a student's string) would make the CSV or the feedback page fail to write
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class TimeLimits:
    """The seconds one cell and one notebook may take when grading a lesson, and where they come from."""

    lesson_id: str
    budget: float
    cell: float
    notebook: float
    cell_given: bool = False
    notebook_given: bool = False

    def describe(self) -> str:
        """One line for the instructor, e.g. ``time limits: 240 s per cell (4 × …), 720 s per notebook (…)``."""

        def why(given: bool, factor: float) -> str:
            if given:
                return "given on the command line"
            return f"{factor:g} × {self.lesson_id}'s {self.budget:g} s runtime budget"

        return (
            f"time limits: {self.cell:g} s per cell ({why(self.cell_given, CELL_LIMIT_FACTOR)}), "
            f"{self.notebook:g} s per notebook ({why(self.notebook_given, NOTEBOOK_LIMIT_FACTOR)})"
        )


def time_limits(lesson_id: str, cell: float | None = None, notebook: float | None = None) -> TimeLimits:
    """The time limits for grading ``lesson_id``: ``cell`` and ``notebook`` when given, else its defaults.

    The defaults follow the lesson's runtime budget (:func:`grader.lessons.runtime_budget`: the seconds the
    whole lesson may take top to bottom on 2 free CPU cores; 60 s, and 90 s for 07_cnn_training):

    - a cell, :data:`CELL_LIMIT_FACTOR` (4) × the budget: 240 s, 360 s for lesson 07. One cell may be most of
      the lesson (a training cell), and grading is slower than the budget's measure: each sandbox gets one
      CPU's worth of time, not two cores (up to 2 ×), and with 2 workers on 2 cores the two sandboxes share
      the cores with the two grading processes, which start TensorFlow and run the test cells, and with
      whatever else the machine runs (another 2 ×). Measured with 2 workers on a busy 2-core machine (load
      about 3.5): lesson 07's longest cell took 136 s (1.5 × its budget), so the limit leaves 2.6 × that;
    - a notebook, :data:`NOTEBOOK_LIMIT_FACTOR` (12) × the budget: 720 s, 1080 s for lesson 07. Measured so,
      grading a lesson-07 submission took 310–362 s (4 × its budget): the limit leaves room for all of it
      twice over, as when a crash or a hang rebuilds the sandbox and replays the student's cells, and more.
      Lessons 01–06 grade in 15–30 s.

    A hung cell holds its worker for the whole cell limit. With more workers than cores, or on a slower
    machine, pass larger limits (``--cell-timeout``, ``--timeout``).
    """
    budget = runtime_budget(lesson_id)
    return TimeLimits(
        lesson_id,
        budget,
        float(cell) if cell is not None else CELL_LIMIT_FACTOR * budget,
        float(notebook) if notebook is not None else NOTEBOOK_LIMIT_FACTOR * budget,
        cell_given=cell is not None,
        notebook_given=notebook is not None,
    )


@dataclass
class Job:
    """Everything a worker needs to grade one submission (plain data: it may travel to a Dask worker).

    ``cell_timeout`` and ``timeout`` left out are the lesson's defaults (:func:`time_limits`).
    """

    lesson_id: str
    student_id: str
    folder: str
    source: dict
    notebook: dict | None = None
    problem: str = ""
    cell_timeout: float | None = None
    timeout: float | None = None
    memory_gb: float = 4.0
    no_sandbox: bool = False
    #: flags found while reading the submission (a link, too large, …), copied into the result
    flags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        limits = time_limits(self.lesson_id, self.cell_timeout, self.timeout)
        self.cell_timeout, self.timeout = limits.cell, limits.notebook


@dataclass
class Result:
    student_id: str
    folder: str
    lesson_id: str
    score: float
    max_score: float
    seconds: float
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    cells: list[CellResult] = field(default_factory=list)
    isolation: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    student_output: str = ""
    cell_errors: list[str] = field(default_factory=list)
    used_names: list[str] = field(default_factory=list)
    #: the sandbox's cost: seconds to start the first one, the most memory one held (from its cgroup)
    sandbox_start_seconds: float = 0.0
    sandbox_peak_mb: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Result:
        """A record written by this or an older grader (fields it does not know are ignored)."""
        data = dict(data)
        cell_fields = {f.name for f in fields(CellResult)}
        cells = [CellResult(**{k: v for k, v in c.items() if k in cell_fields}) for c in data.pop("cells", [])]
        known = {f.name for f in fields(cls)} - {"cells"}
        return cls(**{k: v for k, v in data.items() if k in known}, cells=cells)


@dataclass
class Failure:
    """A grading attempt that failed for a reason of the grader's own (plain data: it crosses processes)."""

    summary: str
    detail: str = ""


class GraderFailure(RuntimeError):
    """Grading failed for a reason that is not the student's: retried, then recorded as "could not grade"."""


class NotebookRefused(ValueError):
    """A submission that cannot be graded as it is: 0 points, ``reason`` for everyone, ``flag`` for review."""

    def __init__(self, reason: str, flag: str = "") -> None:
        super().__init__(reason)
        self.reason, self.flag = reason, flag


# ----------------------------------------------------------------------------- the lesson's structure


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


@dataclass
class LessonTests:
    """The trusted parts of a lesson, read from its source notebook.

    ``forbidden`` maps an answer cell's grade_id to the library calls its exercise forbids, declared on the
    source's cell as ``metadata.course.forbidden_calls`` (see :mod:`grader.forbidden_calls`).
    """

    locked: dict[str, str]
    tests: list[tuple[str, str, float]]
    solution_ids: list[str]
    forbidden: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_source(cls, source: dict) -> LessonTests:
        locked, tests, solutions, forbidden = {}, [], [], {}
        for cell in source["cells"]:
            meta = _nbgrader(cell)
            gid = meta.get("grade_id")
            if not gid or cell.get("cell_type") != "code":
                continue
            if meta.get("grade"):
                tests.append((gid, _source(cell), float(meta.get("points", 0))))
            elif meta.get("solution"):
                solutions.append(gid)
                calls = declared_calls(cell.get("metadata"))
                if calls:
                    forbidden[gid] = calls
            elif meta.get("locked"):
                locked[gid] = _source(cell)
        return cls(locked, tests, solutions, forbidden)

    @property
    def max_score(self) -> float:
        return sum(points for _, _, points in self.tests)


# ----------------------------------------------------------------------------- a submitted notebook's structure


def _is_text(value: object) -> bool:
    """A str that can be written as UTF-8 (no lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(value: object) -> str:
    return {dict: "a dictionary", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def validate_notebook(notebook: object) -> dict:
    """The parts of a submitted notebook the grader uses, checked; raises :class:`NotebookRefused`.

    Returns a new, small notebook: ``nbformat`` and, per cell, ``cell_type``, ``source`` (one string) and
    ``metadata.nbgrader.grade_id`` only, so nothing else of what the student sent (outputs, attachments,
    deep metadata) travels to the grading process. Cells are numbered from 1 in the messages.
    """
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        version = notebook.get("nbformat") if isinstance(notebook, dict) else None
        if isinstance(version, int) and version < 4:
            raise NotebookRefused(
                f"old notebook format (nbformat {version}): open and save it in JupyterLab, then resubmit"
            )
        raise NotebookRefused("the file is JSON but not a Jupyter notebook (no list of cells)", MALFORMED)
    version = notebook.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool) or version < 4:
        shown = repr(version) if isinstance(version, (int, float, type(None))) or _is_text(version) else _kind(version)
        raise NotebookRefused(f"old or unknown notebook format (nbformat {shown[:20]}): save it again in JupyterLab")
    cells = notebook["cells"]
    if len(cells) > MAX_CELLS:
        raise NotebookRefused(f"the notebook has {len(cells):,} cells, over the {MAX_CELLS:,}-cell limit", TOO_LARGE)
    clean = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            raise NotebookRefused(f"cell {number} is not a cell ({_kind(cell)}): the notebook is damaged", MALFORMED)
        cell_type = cell.get("cell_type")
        if not _is_text(cell_type):
            raise NotebookRefused(f"cell {number}'s cell_type is not text: the notebook is damaged", MALFORMED)
        source = cell.get("source", "")
        if isinstance(source, list) and all(_is_text(line) for line in source):
            source = "".join(source)
        if not _is_text(source):
            raise NotebookRefused(f"cell {number}'s source is not text: the notebook is damaged", MALFORMED)
        meta = cell.get("metadata", {})
        if not isinstance(meta, dict):
            raise NotebookRefused(f"cell {number}'s metadata is not a dictionary: the notebook is damaged", MALFORMED)
        nbg = meta.get("nbgrader", {})
        if not isinstance(nbg, dict):
            raise NotebookRefused(
                f"cell {number}'s nbgrader metadata is not a dictionary: the notebook is damaged", MALFORMED
            )
        gid = nbg.get("grade_id")
        if gid is not None and not _is_text(gid):
            raise NotebookRefused(f"cell {number}'s grade_id is not text: the notebook is damaged", MALFORMED)
        metadata = {"nbgrader": {"grade_id": gid}} if gid else {}
        clean.append({"cell_type": cell_type, "source": source, "metadata": metadata})
    return {"nbformat": version, "cells": clean}


def student_program(notebook: dict, lesson: LessonTests) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The code to run in the sandbox, in the student's order, and the student's answer cells by id.

    Locked cells (the setup) are restored from the source, even if deleted; the student's copies of
    test cells are skipped, whatever their metadata says, because the tests run in the grader. The
    notebook is checked first (:func:`validate_notebook`): a malformed one raises :class:`NotebookRefused`.
    """
    cells = validate_notebook(notebook)["cells"]
    test_ids = {gid for gid, _, _ in lesson.tests}
    test_sources = {src.strip() for _, src, _ in lesson.tests}
    program: list[tuple[str, str]] = []
    answers: dict[str, str] = {}
    restored: set[str] = set()
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        gid = _nbgrader(cell).get("grade_id")
        source = cell["source"]
        if gid in test_ids or source.strip() in test_sources:
            continue
        if gid in lesson.locked:
            if gid not in restored:
                program.append((gid, lesson.locked[gid]))
                restored.add(gid)
            continue
        if gid in lesson.solution_ids:
            answers[gid] = source
        program.append((gid or f"cell {index + 1}", source))
    missing = [(gid, src) for gid, src in lesson.locked.items() if gid not in restored]
    return missing + program, answers


def flags_for(program: list[tuple[str, str]], lesson: LessonTests) -> list[str]:
    """Human-readable reasons to review a submission by hand: code patterns (:data:`SUSPICIOUS`), then the
    library calls an exercise forbids that its answer makes (:func:`grader.forbidden_calls.review_flags`)."""
    found = []
    for label, source in program:
        if label in lesson.locked:
            continue
        for pattern, what in SUSPICIOUS:
            if what not in found and re.search(pattern, source):
                found.append(what)
    return found + [flag for flag in review_flags(program, lesson.forbidden) if flag not in found]


# ----------------------------------------------------------------------------- one submission


def grade_submission(job: Job) -> Result:
    """Grade one submission in this process; never raises.

    A failure of the grader's own is retried once here; if it fails again, the result is 0 with the
    flag "could not grade". (``run_jobs`` retries in a fresh process instead.)
    """
    start = time.monotonic()
    failure = Failure("no attempt was made")
    for _ in range(ATTEMPTS):
        outcome = _attempt(job)
        if isinstance(outcome, Result):
            return outcome
        failure = outcome
    return could_not_grade(job, failure, time.monotonic() - start)


def _attempt(job: Job) -> Result | Failure:
    """One try at grading ``job``: its result, or what went wrong on the grader's side."""
    try:
        return _grade(job)
    except Exception as err:  # everything the student can cause is handled inside: this is the grader's failure
        return _failure(err)


def _failure(err: BaseException) -> Failure:
    """What went wrong, in one line (``summary``) and in full (``detail``, the traceback)."""
    try:
        message = " ".join(str(err).split())
        detail = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    except Exception:  # an exception that cannot even be printed
        message, detail = "", ""
    summary = f"{type(err).__name__}: {message}" if message else type(err).__name__
    return Failure(_text(summary, 500), _text(detail, MESSAGE_CAP, tail=True))


def could_not_grade(job: Job, failure: Failure, seconds: float = 0.0) -> Result:
    """0 points and the flag "could not grade": the grader failed on this submission, twice."""
    try:
        tests = [(gid, points) for gid, _, points in LessonTests.from_source(job.source).tests]
    except Exception:
        tests = []
    reason = _text(f"could not grade: {failure.summary}")
    cell_reason = "not graded: the grader could not run this submission; your instructor will review it"
    flags = list(dict.fromkeys([*job.flags, COULD_NOT_GRADE] + ([NO_SANDBOX] if job.no_sandbox else [])))
    return Result(
        job.student_id,
        job.folder,
        job.lesson_id,
        0.0,
        sum(points for _, points in tests),
        round(seconds, 2),
        reason=reason,
        flags=flags,
        cells=[CellResult(gid, 0.0, points, cell_reason, "", failure.detail) for gid, points in tests],
    )


def _refused(lesson: LessonTests, result: Result, reason: str, flags: list[str]) -> Result:
    """0 points: the submission cannot be graded as it is (``reason`` says why, for the student too)."""
    result.reason = _text(reason)
    result.flags = list(dict.fromkeys(result.flags + [f for f in flags if f]))
    result.cells = [CellResult(gid, 0.0, points, result.reason) for gid, _, points in lesson.tests]
    return result


def _label(label: str) -> str:
    """A cell's name for a message: a student's grade_id may be any length."""
    return label if len(label) <= 80 else label[:77] + "…"


def _grade(job: Job) -> Result:
    """Grade one submission; raises only for failures that are the grader's (see :func:`_attempt`)."""
    start = time.monotonic()
    lesson = LessonTests.from_source(job.source)
    result = Result(job.student_id, job.folder, job.lesson_id, 0.0, lesson.max_score, 0.0, flags=list(job.flags))
    if job.no_sandbox:
        result.flags.append(NO_SANDBOX)
    if job.problem or job.notebook is None:
        return _refused(lesson, result, job.problem or "no notebook", [])
    try:
        program, result.answers = student_program(job.notebook, lesson)
    except NotebookRefused as err:
        return _refused(lesson, result, err.reason, [err.flag])
    result.flags += [flag for flag in flags_for(program, lesson) if flag not in result.flags]

    from grader.sandbox import client
    from grader.trusted import StudentNamespace, run_test_cell, trusted_setup

    sandbox_died, sandbox_timeout = client.SandboxDied, client.SandboxTimeout
    start_error = getattr(client, "SandboxStartError", client.SandboxDied)
    deadline = start + job.timeout
    bad_cells: set[int] = set()
    notes: list[str] = []
    current: list[Any] = []  # the sandbox running now, for the cleanup below
    printed = {"out": "", "err": ""}
    boots = [0]  # sandboxes started so far
    setup_id = next(iter(lesson.locked), None)

    def remaining() -> float:
        return max(0.0, deadline - time.monotonic())

    def retire(sandbox: Any) -> None:
        """Keep what the sandbox printed (the start of the first, the end of the last), then close it."""
        if sandbox in current:
            current.remove(sandbox)
        try:
            out, err = sandbox.stdout.take(), sandbox.stderr.take()
            printed["out"] = _head_and_tail(printed["out"] + out, MESSAGE_CAP // 2)
            printed["err"] = _head_and_tail(printed["err"] + err, MESSAGE_CAP // 2 - 20)
        finally:
            sandbox.close()
            peak = getattr(sandbox, "peak_memory", None) or 0
            result.sandbox_peak_mb = max(result.sandbox_peak_mb, round(peak / 1024**2, 1))

    def fresh() -> Any:
        boots[0] += 1
        sandbox = client.Sandbox(memory_gb=job.memory_gb, no_sandbox=job.no_sandbox)
        current.append(sandbox)
        started = time.monotonic()
        try:
            sandbox.start()
        except start_error:
            raise
        except (sandbox_timeout, sandbox_died) as err:  # nothing of the student's has run yet
            raise GraderFailure(f"the sandbox did not start: {err}") from err
        result.isolation = sandbox.isolation
        if boots[0] == 1:
            result.sandbox_start_seconds = round(time.monotonic() - started, 3)
        return sandbox

    def replay(sandbox: Any) -> bool:
        """Run the student's cells, except those that crashed or hung before; False when it must be rebuilt.

        The lesson's setup cell failing before any of the student's code ran is the grader's failure (the
        environment, the memory limit), not the student's: it raises :class:`GraderFailure`.
        """
        student_ran = False
        for index, (label, source) in enumerate(program):
            if index in bad_cells:
                continue
            if remaining() <= 0:
                raise sandbox_timeout("the notebook ran past its total time limit")
            locked = label in lesson.locked
            grader_side = label == setup_id and not student_ran
            # the lesson's own setup (importing TensorFlow) is not the student's code: it gets the notebook's time
            limit = remaining() if locked else min(job.cell_timeout, remaining())
            try:
                reply = sandbox.run_cell(source, timeout=limit)
            except start_error:
                raise
            except sandbox_timeout as err:
                if grader_side and boots[0] == 1:
                    raise GraderFailure(f"the lesson's setup cell did not finish within {limit:.0f} s: {err}") from err
                if grader_side:  # a rebuilt sandbox: the student's crashes and hangs used up the notebook's time
                    raise sandbox_timeout("the notebook ran past its total time limit") from err
                bad_cells.add(index)
                notes.append(f"cell '{_label(label)}' ran past the {job.cell_timeout:g} s cell limit and was skipped")
                if sandbox.alive:
                    continue
                return False
            except sandbox_died as err:
                if grader_side:
                    raise GraderFailure(f"the lesson's setup cell crashed the sandbox: {err}") from err
                bad_cells.add(index)
                notes.append(f"cell '{_label(label)}' crashed the sandbox ({_text(err, 300)}) and was skipped")
                return False
            if not reply.get("ok"):
                error = " ".join(_text(reply.get("error", ""), 2000).split())[:300]
                if grader_side:
                    raise GraderFailure(f"the lesson's setup cell failed: {error}")
                if len(result.cell_errors) < 50:
                    result.cell_errors.append(f"cell '{_label(label)}' raised {error}")
            student_ran = student_ran or not locked
        return True

    def boot() -> Any:
        """A fresh sandbox with every student cell replayed, except cells that crashed or hung before."""
        while True:
            sandbox = fresh()
            if replay(sandbox):
                return sandbox
            retire(sandbox)

    failed = True
    try:
        base = trusted_setup(next(iter(lesson.locked.values()), "")) if lesson.locked else {}
        sandbox = boot()
        namespace = StudentNamespace(base, sandbox, job.cell_timeout)
        for gid, source, points in lesson.tests:
            if remaining() <= 0:
                result.cells.append(CellResult(gid, 0.0, points, "the notebook ran past its total time limit"))
                continue
            if not sandbox.alive:
                retire(sandbox)
                sandbox = boot()
                namespace.rebind(sandbox)
            cell_deadline = time.monotonic() + min(job.cell_timeout, remaining())
            outcome = run_test_cell(source, namespace, cell_deadline)
            result.used_names += [name for name in namespace.fetched if name not in result.used_names]
            result.cells.append(
                CellResult(
                    gid,
                    points if outcome.passed else 0.0,
                    points,
                    _text(outcome.reason),
                    _text(outcome.output, tail=True),
                    _text(outcome.detail),
                )
            )
        failed = False
    except sandbox_timeout as err:
        done = {c.grade_id for c in result.cells}
        result.cells += [CellResult(g, 0.0, p, _text(err)) for g, _, p in lesson.tests if g not in done]
        failed = False
    finally:
        for sandbox in list(current):
            try:
                retire(sandbox)
            except Exception:
                if not failed:  # never hide why grading stopped behind a failure to clean up
                    raise
    result.student_output = printed["out"]
    if printed["err"]:
        result.student_output += "\n[stderr]\n" + printed["err"]
    if any("crashed" in n for n in notes):
        result.flags.append("crashed the sandbox")
    timed_out = any("did not return within" in f"{c.reason} {c.detail}" for c in result.cells)
    if any("cell limit" in n for n in notes) or timed_out:
        result.flags.append("ran past the time limit")
    result.reason = _text("; ".join(dict.fromkeys(notes)))
    result.score = sum(c.points for c in result.cells)
    result.seconds = round(time.monotonic() - start, 2)
    return result


def _head_and_tail(text: str, limit: int) -> str:
    """At most ``limit`` characters: the start and the end of ``text``, the middle cut."""
    if len(text) <= limit:
        return text
    half = (limit - 20) // 2
    return f"{text[:half]}\n[… cut …]\n{text[-half:]}"


# ----------------------------------------------------------------------------- reading a class of submissions


def _safe_extract(archive: Path, target: Path) -> Path:
    """Unzip student folders, refusing absolute paths, '..', links and oversized archives."""
    with zipfile.ZipFile(archive) as zf:
        total = 0
        for info in zf.infolist():
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or (info.external_attr >> 28) == 0o12:
                continue
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                raise ValueError(f"{archive} unpacks to more than {MAX_ZIP_BYTES // 1024**3} GB")
            zf.extract(info, target)
    entries = [p for p in target.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir() and not any(entries[0].glob("*.ipynb")):
        return entries[0]  # a zip of one folder that holds the student folders
    return target


LINKED_FILE = "the notebook is a link; submit the file itself"
LINKED_FOLDER = "the student folder is a link, not a folder; submit the notebook file itself"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _open_without_links(path: Path, root: Path | None) -> int:
    """A read-only descriptor of ``path``, refusing a link anywhere below ``root`` (or at ``path`` itself).

    Each component is opened relative to the one before with O_NOFOLLOW, so a link swapped in between
    the check and the open is refused too.
    """
    if root is None:
        base, parts = path.parent, [path.name]
    else:
        base, parts = root, list(path.relative_to(root).parts)
    fd = os.open(base, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    try:
        for number, part in enumerate(parts, 1):
            last = number == len(parts)
            refusal = NotebookRefused(LINKED_FILE if last else LINKED_FOLDER, SUBMITTED_A_LINK)
            if stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode):
                raise refusal
            mode = os.O_NONBLOCK if last else getattr(os, "O_DIRECTORY", 0)  # O_NONBLOCK: a FIFO must not block
            try:
                child = os.open(part, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | mode, dir_fd=fd)
            except OSError as err:
                if err.errno == errno.ELOOP or (
                    err.errno == errno.ENOTDIR and stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
                ):
                    raise refusal from err
                raise
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def _read_capped(fd: int, flags: list[str]) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise NotebookRefused("the notebook is not a regular file", MALFORMED)
    if info.st_nlink > 1:
        flags.append(HARD_LINK)  # the same file as somewhere else (perhaps a classmate's): graded, but flagged
    too_large = f"over the {MAX_NOTEBOOK_BYTES // 1024**2} MB limit"
    if info.st_size > MAX_NOTEBOOK_BYTES:
        raise NotebookRefused(f"the notebook is {info.st_size / 1024**2:.0f} MB, {too_large}", TOO_LARGE)
    chunks, size = [], 0
    while size <= MAX_NOTEBOOK_BYTES:
        chunk = os.read(fd, min(1024**2, MAX_NOTEBOOK_BYTES + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_NOTEBOOK_BYTES:  # it grew after the check
        raise NotebookRefused(f"the notebook is {too_large}", TOO_LARGE)
    return b"".join(chunks)


def read_notebook(path: Path, root: Path | None = None) -> tuple[dict | None, str, list[str]]:
    """The checked notebook at ``path`` (see :func:`validate_notebook`), or why it cannot be graded.

    Returns ``(notebook, problem, flags)``: ``problem`` is '' when the notebook can be graded; ``flags``
    are for the instructor's review. Links are never followed: not at ``path``, and not in any folder
    between ``root`` (the submissions folder, when given) and ``path``. Never raises.
    """
    flags: list[str] = []
    try:
        fd = _open_without_links(Path(path), root)
        try:
            data = _read_capped(fd, flags)
        finally:
            os.close(fd)
    except NotebookRefused as err:
        return None, err.reason, flags + [err.flag]
    except FileNotFoundError:
        return None, "the notebook is missing", flags
    except OSError as err:
        return None, f"the notebook cannot be read ({err.strerror or err})", flags
    except Exception as err:  # anything else: still this submission's row, never the class
        return None, f"could not grade: the notebook could not be read ({_failure(err).summary})", [COULD_NOT_GRADE]
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
        del data
        return validate_notebook(parsed), "", flags
    except NotebookRefused as err:
        return None, err.reason, flags + ([err.flag] if err.flag else [])
    except UnicodeDecodeError:
        return None, "the notebook is not UTF-8 text: it is damaged or not a notebook", flags
    except json.JSONDecodeError as err:
        return None, f"the notebook is not valid JSON ({err.msg} at line {err.lineno}): it is damaged", flags
    except RecursionError:
        return None, "the notebook is nested too deeply to be a notebook: it is damaged", flags + [MALFORMED]
    except MemoryError:
        return None, "the notebook is too large to read", flags + [TOO_LARGE]
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        return None, f"the notebook is not valid JSON ({_text(err, 200)}): it is damaged", flags + [MALFORMED]
    except Exception as err:
        return None, f"could not grade: the notebook could not be read ({_failure(err).summary})", [COULD_NOT_GRADE]


def _display_name(name: str) -> str:
    """A folder name as text that can be written anywhere (undecodable bytes become �)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _student_folders(submissions: Path) -> list[tuple[str, bool]]:
    """(name, is a link) of every student folder in ``submissions``; a link to a folder is listed, never followed."""
    found = []
    with os.scandir(submissions) as entries:
        for entry in entries:
            if entry.name.startswith((".", "__")):
                continue
            try:
                if entry.is_symlink():
                    if entry.is_dir():  # a link to a folder looks like a student: it gets a row, and 0
                        found.append((entry.name, True))
                elif entry.is_dir(follow_symlinks=False):
                    found.append((entry.name, False))
            except OSError:
                continue
    return sorted(found)


def _other_notebooks(folder: Path, limit: int = 20) -> list[str]:
    """Names of the notebooks in ``folder`` and below (links not followed, checkpoints skipped)."""
    names: list[str] = []
    for count, (_top, dirs, files) in enumerate(os.walk(folder)):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        names += [_display_name(f) for f in files if f.endswith(".ipynb")]
        if count > 1000 or len(names) > limit:
            break
    return sorted(names)[:limit]


def _intake(job: Job, submissions: Path, name: str, linked: bool, expected: str) -> None:
    """Fill in ``job.notebook``, or ``job.problem`` and ``job.flags``: one student's folder, read safely."""
    if linked:
        job.problem, job.flags = LINKED_FOLDER, [SUBMITTED_A_LINK]
        return
    if job.problem:
        return
    folder = submissions / name
    path = folder / expected
    try:
        info = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        info = None
    except OSError as err:
        job.problem = f"the notebook cannot be read ({err.strerror or err})"
        return
    if info is not None and stat.S_ISDIR(info.st_mode):
        job.problem = f"{expected} is a folder, not a notebook file"
    elif info is not None:
        job.notebook, job.problem, job.flags = read_notebook(path, submissions)
    else:
        others = _other_notebooks(folder)
        job.problem = (
            f"wrong file name: found {', '.join(others)}; expected {expected}"
            if others
            else f"no notebook submitted (expected {expected})"
        )


def collect_jobs(lesson: Lesson, submissions: Path, **limits: Any) -> list[Job]:
    """One job per student folder in ``submissions``; ``limits`` are :class:`Job` fields (timeouts, no_sandbox).

    Never fails for one folder: a folder that cannot be read gets a job with a problem (0 points, a reason).
    """
    source = json.loads(lesson.source.read_text(encoding="utf-8"))
    expected = f"{lesson.lesson_id}.ipynb"
    jobs: list[Job] = []
    folders = _student_folders(submissions)
    # valid names first: a folder such as "_alice" must never take the id of the real "alice"
    taken: set[str] = {name for name, _ in folders if STUDENT_ID.match(name)}
    for name, linked in folders:
        shown = _display_name(name)
        valid = bool(STUDENT_ID.match(name))
        student_id = name
        if not valid:  # cleaned, then kept apart from every valid id and from each other
            cleaned = re.sub(r"[^A-Za-z0-9_.@+-]", "_", shown).lstrip("_.")[:64] or "unnamed"
            student_id = next(
                f"{cleaned}-{n}" if n else cleaned
                for n in range(len(taken) + 2)
                if (f"{cleaned}-{n}" if n else cleaned) not in taken
            )
            taken.add(student_id)
        job = Job(lesson.lesson_id, student_id, shown, source, **limits)
        name_problem = "" if valid else f"the folder name {shown!r} is not a valid student id"
        for _ in range(ATTEMPTS):
            job.notebook, job.problem, job.flags = None, name_problem, []
            try:
                _intake(job, submissions, name, linked, expected)
                break
            except Exception as err:  # the grader's failure reading this folder: once more, then "could not grade"
                failure = _failure(err)
        else:
            job.notebook, job.flags = None, [COULD_NOT_GRADE]
            job.problem = f"could not grade: the folder could not be read ({failure.summary})"
        jobs.append(job)
    return jobs


# ----------------------------------------------------------------------------- grading a class


def _in_fresh_process(job: Job, context: Any) -> Result | Failure:
    """One attempt in a process of its own, started for this submission and gone after it."""
    limit = job.timeout + GRACE_SECONDS
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    killed = False
    try:
        future = pool.submit(_attempt, job)
        try:
            outcome = future.result(timeout=limit)
        except FuturesTimeout:
            killed = True
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                _kill_tree(process.pid)
            return Failure(f"the grading process did not finish within {limit:g} s and was killed")
        except BrokenProcessPool as err:
            return Failure("the grading process died (killed, or out of memory)", _text(err))
        except Exception as err:  # e.g. the job or its result could not be sent between processes
            return _failure(err)
        if isinstance(outcome, (Result, Failure)):
            return outcome
        return Failure(f"the grading process returned {type(outcome).__name__}, not a result")
    finally:
        pool.shutdown(wait=not killed, cancel_futures=True)


def _kill_tree(pid: int) -> None:
    """Kill a grading process and everything it started (its sandboxes)."""
    import signal

    try:
        import psutil

        victims = psutil.Process(pid).children(recursive=True)
    except Exception:  # psutil missing, or the process is already gone
        victims = []
    try:
        os.kill(pid, signal.SIGKILL)  # first, so that it starts nothing more
    except OSError:
        pass
    for victim in victims:
        try:
            victim.kill()
        except Exception:
            pass


def _grade_isolated(job: Job, context: Any, stop: threading.Event) -> Result:
    """Grade ``job`` in a fresh process; a failure of the grader's own is tried once more in another one."""
    start = time.monotonic()
    failure = Failure("grading was stopped")
    for _ in range(ATTEMPTS):
        if stop.is_set():
            break
        outcome = _in_fresh_process(job, context)
        if isinstance(outcome, Result):
            return outcome
        failure = outcome
    return could_not_grade(job, failure, time.monotonic() - start)


#: What every grading process needs, imported once by the fork server rather than once per submission.
PRELOAD = ["grader.preload"]


def fresh_process_context() -> Any:
    """Processes that start fresh for each submission, forked from a server that has only imported modules.

    The fork server is a clean process (started by spawning) that imports :data:`PRELOAD` and runs nothing
    else: each grading process forked from it gets those modules without paying TensorFlow's import again,
    and shares nothing with the processes that graded other students. Where there is no fork server
    (not Linux or macOS), each process is spawned.
    """
    from multiprocessing import get_all_start_methods

    if "forkserver" not in get_all_start_methods():
        return get_context("spawn")
    context = get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def run_jobs(jobs: list[Job], workers: int, scheduler: str | None = None) -> Iterator[Result]:
    """Grade ``jobs``, ``workers`` at a time, yielding one result per job as they finish; never raises for a job.

    Locally, each submission is graded in a fresh process (started for it, gone after it), so nothing one
    student's grading leaves behind (threads, memory, open files) reaches the next; a process that dies
    costs only its own submission, which is tried once more. On a Dask cluster (``scheduler``), a failed
    task is submitted once more, then recorded as "could not grade".
    """
    if scheduler:
        yield from _run_on_dask(jobs, scheduler)
        return
    context = fresh_process_context()
    stop = threading.Event()
    threads = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="grade")
    try:
        futures = {threads.submit(_grade_isolated, job, context, stop): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as err:  # a bug in the driver itself: still this student's row
                yield could_not_grade(futures[future], _failure(err))
    finally:
        stop.set()
        threads.shutdown(wait=False, cancel_futures=True)


def _run_on_dask(jobs: list[Job], scheduler: str) -> Iterator[Result]:
    import uuid

    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    run = uuid.uuid4().hex[:8]
    with Client(scheduler) as client:
        owner: dict[str, tuple[Job, int]] = {}

        def submit(job: Job, attempt: int) -> Any:
            key = f"grade-{job.lesson_id}-{job.student_id}-{run}-{attempt}"
            future = client.submit(grade_submission, job, pure=False, key=key)
            owner[future.key] = (job, attempt)
            return future

        pending = dask_completed([submit(job, 0) for job in jobs])
        for future in pending:
            job, attempt = owner.pop(future.key)
            try:
                result = future.result()
                if not isinstance(result, Result):
                    raise TypeError(f"the worker returned {type(result).__name__}, not a result")
            except Exception as err:  # the worker died, the task was lost, or it could not be sent back
                if attempt + 1 < ATTEMPTS:
                    pending.add(submit(job, attempt + 1))
                    continue
                result = could_not_grade(job, _failure(err))
            finally:
                future.release()
            yield result


# ----------------------------------------------------------------------------- recording


def needs_review(result: Result) -> bool:
    """True when an instructor should look at a submission: it was flagged, or could not be graded normally."""
    return bool(result.flags or result.reason)


def without_hidden_tests(source: str) -> str:
    """``source`` with every ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` block replaced by one comment.

    A block left open runs to the end of the cell, and is removed to the end.
    """
    kept, hidden = [], False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if not hidden and stripped.startswith(HIDDEN_BEGIN):
            hidden = True
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(f"{indent}{HIDDEN_PLACEHOLDER}\n")
        elif hidden and stripped.startswith(HIDDEN_END):
            hidden = False
        elif not hidden:
            kept.append(line)
    return "".join(kept)


class ClassWorkspace:
    """The grading workspace: nbgrader's course directory and gradebook, plus our JSON records."""

    def __init__(self, root: Path) -> None:
        self.ws = Workspace(root)
        self.root = self.ws.root
        self.results_dir = self.root / "results"

    def prepare(self, lesson: Lesson) -> None:
        """Register the lesson in the gradebook (``nbgrader generate_assignment``), once per source version."""
        stamp = self.root / "source" / lesson.lesson_id / ".source-sha"
        digest = _digest(lesson.source.read_bytes())
        if stamp.exists() and stamp.read_text() == digest and (self.root / "gradebook.db").exists():
            return
        self.ws.generate(lesson)
        stamp.write_text(digest)

    def record(self, lesson: Lesson, result: Result) -> None:
        """Write one result: gradebook scores, the autograded notebook and, always, the JSON record.

        A gradebook or autograded-notebook write that fails is noted in the record (flag "could not
        record") instead of stopping the class; only a JSON record that cannot be written raises.
        """
        problems = []
        for what, step in (("gradebook", self._write_gradebook), ("autograded notebook", self._write_autograded)):
            try:
                step(lesson, result)
            except Exception as err:
                problems.append(f"could not write the {what} ({_failure(err).summary})")
        if problems:
            if COULD_NOT_RECORD not in result.flags:
                result.flags.append(COULD_NOT_RECORD)
            result.reason = _text("; ".join([result.reason, *problems] if result.reason else problems))
        self.write_json(lesson, result)

    def write_json(self, lesson: Lesson, result: Result) -> Path:
        out = self.results_dir / lesson.lesson_id
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{result.student_id}.json"
        target.write_text(json.dumps(result.to_json(), indent=1), encoding="utf-8")
        return target

    def _write_gradebook(self, lesson: Lesson, result: Result) -> None:
        import warnings

        from nbgrader.api import Gradebook, MissingEntry

        with warnings.catch_warnings(), Gradebook(self.ws.db_url) as gb:
            warnings.simplefilter("ignore")  # SQLAlchemy chatter inside nbgrader's own API
            gb.update_or_create_student(result.student_id)
            try:
                gb.remove_submission(lesson.lesson_id, result.student_id)
            except MissingEntry:
                pass
            submission = gb.add_submission(lesson.lesson_id, result.student_id)
            by_id = {c.grade_id: c for c in result.cells}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    cell = by_id.get(grade.name)
                    grade.auto_score = cell.points if cell is not None else 0.0
                    # formgrader's "needs manual grading": only the submissions an instructor should look at
                    grade.needs_manual_grade = needs_review(result)
            gb.db.commit()

    def _write_autograded(self, lesson: Lesson, result: Result) -> None:
        """The lesson with the student's answers and each test cell's verdict, for nbgrader's formgrader.

        nbgrader's "Generate feedback" turns this notebook into the students' feedback, so it holds what a
        student may see: the visible tests, each test cell's verdict (its student-safe reason, or what it
        printed) and no hidden test: each hidden block is one comment line (:func:`without_hidden_tests`).
        """
        nb = json.loads(lesson.source.read_text(encoding="utf-8"))
        by_id = {c.grade_id: c for c in result.cells}
        for cell in nb["cells"]:
            meta = _nbgrader(cell)
            gid = meta.get("grade_id")
            source = _source(cell)
            if HIDDEN_BEGIN in source:
                cell["source"] = without_hidden_tests(source)
            if cell.get("cell_type") != "code":
                continue
            cell["outputs"], cell["execution_count"] = [], None
            if meta.get("solution"):
                cell["source"] = result.answers.get(gid, "# (no answer submitted)\n")
            elif gid in by_id:
                verdict = by_id[gid]
                if verdict.reason:
                    cell["outputs"] = [
                        {
                            "output_type": "error",
                            "ename": "TestFailed",
                            "evalue": verdict.reason,
                            "traceback": verdict.reason.splitlines(),
                        }
                    ]
                else:
                    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": verdict.output}]
        target = self.root / "autograded" / result.student_id / lesson.lesson_id
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{lesson.lesson_id}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")

    def results(self, lesson_id: str | None = None) -> list[Result]:
        folders = [self.results_dir / lesson_id] if lesson_id else sorted(self.results_dir.glob("*"))
        found = []
        for folder in folders:
            for path in sorted(folder.glob("*.json")):
                found.append(Result.from_json(json.loads(path.read_text(encoding="utf-8"))))
        return found


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------- export and feedback


def export_csv(workspace: Path, target: Path) -> int:
    """One row per student and lesson; returns the number of rows."""
    import csv

    rows = ClassWorkspace(workspace).results()
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", "score", "max_score", "reason", "flags", "seconds", "folder"])
        for r in sorted(rows, key=lambda r: (r.lesson_id, r.student_id)):
            writer.writerow(
                [
                    r.student_id,
                    r.lesson_id,
                    f"{r.score:g}",
                    f"{r.max_score:g}",
                    _text(r.reason),
                    _text("; ".join(r.flags)),
                    f"{r.seconds:.1f}",
                    _text(r.folder, 200),
                ]
            )
    return len(rows)


FEEDBACK_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
.ok{color:#1a7f37}.lost{color:#b42318}pre{white-space:pre-wrap;background:#f6f8fa;padding:.5rem;margin:0;font-size:.85rem}
"""


def feedback_html(result: Result) -> str:
    """A bounded, escaped page: the student's results and failure messages, never a test's source.

    Only each cell's ``reason`` (written for students) is shown, never its ``detail`` (the instructor's,
    in the JSON record); a submission the grader could not grade says so, without the grader's error.
    """
    rows = []
    for cell in result.cells:
        status = "ok" if cell.points == cell.max_points else "lost"
        found = html.escape(_text(cell.reason)) if cell.reason else "all checks passed"
        rows.append(
            f"<tr><td>{html.escape(_text(cell.grade_id.removeprefix('test_'), 200))}</td>"
            f"<td class='{status}'>{cell.points:g} / {cell.max_points:g}</td><td><pre>{found}</pre></td></tr>"
        )
    if COULD_NOT_GRADE in result.flags:
        said = "your submission could not be graded automatically; your instructor will review it"
    else:
        said = result.reason
    note = f"<p>Note: {html.escape(_text(said))}</p>" if said else ""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(result.lesson_id)} feedback"
        f"</title><style>{FEEDBACK_STYLE}</style></head><body><h1>{html.escape(result.lesson_id)}: "
        f"{result.score:g} / {result.max_score:g}</h1><p>Student: {html.escape(result.student_id)}</p>{note}"
        f"<table><tr><th>exercise</th><th>points</th><th>what the tests found</th></tr>{''.join(rows)}</table>"
        "</body></html>"
    )


def write_feedback(workspace: Path, lesson_id: str) -> list[Path]:
    space = ClassWorkspace(workspace)
    written = []
    for result in space.results(lesson_id):
        target = space.root / "feedback" / result.student_id / lesson_id / f"{lesson_id}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(feedback_html(result), encoding="utf-8")
        written.append(target)
    return written


# ----------------------------------------------------------------------------- the command


def autograde_class(
    lesson: Lesson,
    submissions: Path,
    workspace: Path,
    *,
    workers: int,
    cell_timeout: float | None = None,
    timeout: float | None = None,
    memory_gb: float = 4.0,
    scheduler: str | None = None,
    progress: bool = True,
    no_sandbox: bool = False,
) -> list[Result]:
    """Grade every student folder for ``lesson``; record each result as it arrives.

    ``cell_timeout`` and ``timeout`` left out are the lesson's defaults (:func:`time_limits`).

    Refuses to start (:class:`grader.sandbox.isolation.SandboxUnavailable`, saying what to install) when
    this machine cannot sandbox student code, unless ``no_sandbox``. On a Dask cluster (``scheduler``) the
    workers' machines do the sandboxing, so this machine is not checked; a worker whose sandbox cannot
    start records its submissions as "could not grade".
    """
    if scheduler is None:
        from grader.sandbox.isolation import require

        require(no_sandbox)
    space = ClassWorkspace(workspace)
    space.prepare(lesson)
    unzipped = None
    if submissions.is_file() and submissions.suffix == ".zip":
        unzipped = Path(tempfile.mkdtemp(prefix="submissions-"))
        submissions = _safe_extract(submissions, unzipped)
    try:
        jobs = collect_jobs(
            lesson, submissions, cell_timeout=cell_timeout, timeout=timeout, memory_gb=memory_gb, no_sandbox=no_sandbox
        )
        results = []
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(jobs), unit="notebook", desc=f"grading {lesson.lesson_id}")
        for result in run_jobs(jobs, workers, scheduler):
            try:
                space.record(lesson, result)
            except Exception as err:  # the disk refused even the JSON record: say so, and go on with the class
                print(f"warning: could not record {result.student_id}: {_failure(err).summary}", file=sys.stderr)
            results.append(result)
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
    finally:
        if unzipped is not None:
            shutil.rmtree(unzipped, ignore_errors=True)
    return sorted(results, key=lambda r: r.student_id)


def summary_table(results: list[Result], limits: TimeLimits | None = None) -> str:
    """One row per student (score, seconds, flags or the reason of a 0), then the time limits used, if given."""
    lines = [f"{'student':<20} {'score':>6} {'max':>5} {'seconds':>8}  flags / reason"]
    for r in results:
        why = "; ".join(r.flags) or (r.reason if r.score == 0 else "")
        lines.append(f"{r.student_id[:20]:<20} {r.score:>6g} {r.max_score:>5g} {r.seconds:>8.1f}  {why[:200]}")
    if limits is not None:
        lines += ["", limits.describe()]
    return "\n".join(lines)
