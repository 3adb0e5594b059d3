"""Where the lessons live: ``solutions/<id>/<id>.ipynb`` is the source, ``notebooks/<id>/<id>.ipynb`` the release."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
LESSON_ID = re.compile(r"^\d\d_[a-z0-9_]+$")

#: Seconds a lesson may take from top to bottom on 2 CPU cores (the course's promise to students).
RUNTIME_BUDGET_SECONDS = 60.0
#: Lessons that train a full network get longer.
RUNTIME_BUDGETS = {"07_cnn_training": 90.0, "08_backprop": 90.0, "09_architectures": 90.0}


def runtime_budget(lesson_id: str) -> float:
    """Seconds lesson ``lesson_id`` may take top to bottom on 2 CPU cores."""
    return RUNTIME_BUDGETS.get(lesson_id, RUNTIME_BUDGET_SECONDS)


@dataclass(frozen=True)
class Lesson:
    """One lesson: its id and the paths of its source and released notebooks."""

    lesson_id: str

    @property
    def source_dir(self) -> Path:
        return SOLUTIONS / self.lesson_id

    @property
    def source(self) -> Path:
        return self.source_dir / f"{self.lesson_id}.ipynb"

    @property
    def release(self) -> Path:
        return NOTEBOOKS / self.lesson_id / f"{self.lesson_id}.ipynb"


def all_lessons() -> list[Lesson]:
    """Every lesson in ``solutions/``, in course order."""
    return [Lesson(p.name) for p in sorted(SOLUTIONS.iterdir()) if p.is_dir() and LESSON_ID.match(p.name)]


def select(lesson_ids: list[str] | None) -> list[Lesson]:
    """The named lessons (all when none are named); ``01`` and ``01_pixels`` both name lesson 01."""
    lessons = all_lessons()
    if not lesson_ids:
        return lessons
    chosen = []
    for wanted in lesson_ids:
        matches = [
            lesson for lesson in lessons if lesson.lesson_id == wanted or lesson.lesson_id.startswith(f"{wanted}_")
        ]
        if not matches:
            known = ", ".join(lesson.lesson_id for lesson in lessons)
            raise SystemExit(f"no lesson '{wanted}' in solutions/ (known: {known})")
        chosen += matches
    return chosen
