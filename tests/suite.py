"""What the test files share: whether the full sandbox is here, the lessons' timings, the engines' worker groups.

A plain module (not ``conftest.py``, whose name tests/browser/ has too), imported as ``from suite import …``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest


def _sandbox_missing() -> str:
    from grader.sandbox.isolation import probe

    found = probe()
    return "" if found.full else "no full sandbox here, so no hostile code is run: " + "; ".join(found.problems)


SANDBOX_MISSING = _sandbox_missing()

#: Seconds each lesson took to execute top to bottom in this run (test_lessons.py fills it, once per lesson).
LESSON_SECONDS: dict[str, float] = {}


def record_lesson_seconds(lesson_id: str, seconds: float) -> None:
    LESSON_SECONDS[lesson_id] = round(seconds, 2)


def class_grader(lesson_id: str) -> pytest.MarkDecorator:
    """Tests that read ``class_check(lesson_id)`` run in one xdist worker, so the class grader grades each lesson
    once; each lesson is a group of its own, so two lessons are graded at once."""
    return pytest.mark.xdist_group(f"class-grader-{lesson_id}")


def class_graded(lessons: list[Any]) -> list[Any]:
    """``lessons`` (ids or :class:`grader.lessons.Lesson`) as parameters, each with its class grader's group."""
    return [
        pytest.param(lesson, marks=class_grader(getattr(lesson, "lesson_id", lesson)),
                     id=getattr(lesson, "lesson_id", lesson))
        for lesson in lessons
    ]  # fmt: skip


@dataclass
class CheckRun:
    """``grader check`` of one lesson: its exit code, its table, and the class grader's result for each student."""

    returncode: int
    stdout: str
    results: dict[str, Any] = field(default_factory=dict)  # student → Result


def marks(*decorators: pytest.MarkDecorator) -> Callable[[Callable], Callable]:
    """Several marks as one decorator: ``HOSTILE = marks(pytest.mark.slow, pytest.mark.xdist_group("hostile"))``."""

    def apply(test: Callable) -> Callable:
        for decorator in reversed(decorators):
            test = decorator(test)
        return test

    return apply


#: What to do about a cell of a released lesson that fails for another reason than an unwritten exercise.
STUB_HINT = (
    "a cell that uses an exercise's result should call the exercise itself, so that it fails with "
    "NotImplementedError (not a NameError) until the student has written it"
)


def is_stub_error(ename: str, evalue: str) -> bool:
    """An error that only says an exercise is not written yet."""
    return ename == "NotImplementedError" or (ename == "CheckFailure" and "NotImplementedError" in evalue)


@dataclass
class ExampleCliRun:
    """``python -m grader autograde`` on the example class, once per session (``example_cli``, tests/conftest.py)."""

    done: Any  # the finished subprocess: returncode, stdout, stderr
    records: dict[str, Any]  # student id → its grader.records.Result
    hostile: tuple[str, ...]  # the hostile students added to the class
    as_user: bool  # graded as a normal user (unshare) rather than as root
    workspace: Any  # the grading workspace (a Path): nbgrader's course directory and the records
