"""Grading one submission: the student's cells in a fresh sandbox, the lesson's test cells here.

1. the student's code cells run in a fresh sandbox (see :mod:`grader.sandbox`), with the lesson's locked
   setup cell restored from the source and the student's copies of test cells ignored;
2. the lesson's test cells (hidden tests included) run here, calling the student's functions through
   the sandbox with plain data (see :mod:`grader.trusted`); an exception is a lost cell, nothing else is;
3. a crash or time-out costs only the test cells that were running: the sandbox is rebuilt by replaying
   the student's other cells, and grading goes on.

Grading is total: a failure that is the grader's (the sandbox did not start, an unexpected exception) is
retried once, then recorded as 0 with the flag "could not grade" (:func:`could_not_grade`) for an
instructor to review.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader import cells
from grader.forbidden_calls import declared_calls, review_flags
from grader.intake import Job, NotebookRefused, validate_notebook
from grader.messages import CAUSE_CAP, EXCEPTION_CAP, MESSAGE_CAP, capped, head_and_tail, shortened
from grader.records import (
    ATTEMPTS,
    COULD_NOT_GRADE,
    CRASHED_THE_SANDBOX,
    NO_SANDBOX,
    RAN_PAST_THE_TIME_LIMIT,
    Failure,
    Result,
)
from grader.workspace import CellResult

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


# ----------------------------------------------------------------------------- the lesson's structure


class GraderFailure(RuntimeError):
    """Grading failed for a reason that is not the student's: retried, then recorded as "could not grade"."""


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
            gid = cells.grade_id(cell)
            if not gid or cell.get("cell_type") != "code":
                continue
            if cells.is_graded(cell):
                tests.append((gid, cells.source(cell), cells.points(cell)))
            elif cells.is_answer(cell):
                solutions.append(gid)
                calls = declared_calls(cell.get("metadata"))
                if calls:
                    forbidden[gid] = calls
            elif cells.is_locked(cell):
                locked[gid] = cells.source(cell)
        return cls(locked, tests, solutions, forbidden)

    @property
    def max_score(self) -> float:
        return sum(points for _, _, points in self.tests)


def student_program(notebook: dict, lesson: LessonTests) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The code to run in the sandbox, in the student's order, and the student's answer cells by id.

    Locked cells (the setup) are restored from the source, even if deleted; the student's copies of
    test cells are skipped, whatever their metadata says, because the tests run in the grader. The
    notebook is checked first (:func:`validate_notebook`): a malformed one raises :class:`NotebookRefused`.
    """
    checked = validate_notebook(notebook)["cells"]
    test_ids = {gid for gid, _, _ in lesson.tests}
    test_sources = {src.strip() for _, src, _ in lesson.tests}
    program: list[tuple[str, str]] = []
    answers: dict[str, str] = {}
    restored: set[str] = set()
    for index, cell in enumerate(checked):
        if cell["cell_type"] != "code":
            continue
        gid = cells.grade_id(cell)
        source = cells.source(cell)
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
    flag "could not grade". (:func:`grader.classroom.run_jobs` retries in a fresh process instead.)
    """
    return retried(job, grade_once)


def retried(
    job: Job, attempt: Callable[[Job], Result | Failure], stopped: Callable[[], bool] = lambda: False
) -> Result:
    """``attempt(job)`` until it gives a result, :data:`ATTEMPTS` times at most (none once ``stopped()``);
    else 0 points and the flag "could not grade", with the last failure (:func:`could_not_grade`)."""
    start = time.monotonic()
    failure = Failure("grading was stopped")
    for _ in range(ATTEMPTS):
        if stopped():
            break
        outcome = attempt(job)
        if isinstance(outcome, Result):
            return outcome
        failure = outcome
    return could_not_grade(job, failure, time.monotonic() - start)


def grade_once(job: Job) -> Result | Failure:
    """One try at grading ``job``: its result, or what went wrong on the grader's side."""
    try:
        return _grade(job)
    except Exception as err:  # everything the student can cause is handled inside: this is the grader's failure
        return Failure.of(err)


def could_not_grade(job: Job, failure: Failure, seconds: float = 0.0) -> Result:
    """0 points and the flag "could not grade": the grader failed on this submission, twice."""
    try:
        tests = [(gid, points) for gid, _, points in LessonTests.from_source(job.source).tests]
    except Exception:
        tests = []
    reason = capped(f"could not grade: {failure.summary}")
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
    result.reason = capped(reason)
    result.flags = list(dict.fromkeys(result.flags + [f for f in flags if f]))
    result.cells = [CellResult(gid, 0.0, points, result.reason) for gid, _, points in lesson.tests]
    return result


def _grade(job: Job) -> Result:
    """Grade one submission; raises only for failures that are the grader's (see :func:`grade_once`)."""
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
            printed["out"] = head_and_tail(printed["out"] + out, MESSAGE_CAP // 2)
            printed["err"] = head_and_tail(printed["err"] + err, MESSAGE_CAP // 2 - 20)
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
                notes.append(
                    f"cell '{shortened(label)}' ran past the {job.cell_timeout:g} s cell limit and was skipped"
                )
                if sandbox.alive:
                    continue
                return False
            except sandbox_died as err:
                if grader_side:
                    raise GraderFailure(f"the lesson's setup cell crashed the sandbox: {err}") from err
                bad_cells.add(index)
                notes.append(
                    f"cell '{shortened(label)}' crashed the sandbox ({capped(err, CAUSE_CAP)}) and was skipped"
                )
                return False
            if not reply.get("ok"):
                error = " ".join(capped(reply.get("error", ""), EXCEPTION_CAP).split())[:CAUSE_CAP]
                if grader_side:
                    raise GraderFailure(f"the lesson's setup cell failed: {error}")
                if len(result.cell_errors) < 50:
                    result.cell_errors.append(f"cell '{shortened(label)}' raised {error}")
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
                    capped(outcome.reason),
                    capped(outcome.output, tail=True),
                    capped(outcome.detail),
                )
            )
        failed = False
    except sandbox_timeout as err:
        done = {c.grade_id for c in result.cells}
        result.cells += [CellResult(g, 0.0, p, capped(err)) for g, _, p in lesson.tests if g not in done]
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
        result.flags.append(CRASHED_THE_SANDBOX)
    timed_out = any("did not return within" in f"{c.reason} {c.detail}" for c in result.cells)
    if any("cell limit" in n for n in notes) or timed_out:
        result.flags.append(RAN_PAST_THE_TIME_LIMIT)
    result.reason = capped("; ".join(dict.fromkeys(notes)))
    result.score = sum(c.points for c in result.cells)
    result.seconds = round(time.monotonic() - start, 2)
    return result
