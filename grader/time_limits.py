"""The seconds grading a lesson may take: per cell and per notebook, from the lesson's runtime budget."""

from __future__ import annotations

from dataclasses import dataclass

from grader.lessons import runtime_budget

#: By default one cell (a student's cell, or a test cell and all its calls) may take this many times its
#: lesson's whole runtime budget, and a notebook NOTEBOOK_LIMIT_FACTOR times it (see :func:`time_limits`).
CELL_LIMIT_FACTOR = 4.0
NOTEBOOK_LIMIT_FACTOR = 12.0


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
    whole lesson may take top to bottom on 2 free CPU cores; 60 s, and 90 s for 07_cnn_training, 08_backprop and
    09_architectures):

    - a cell, :data:`CELL_LIMIT_FACTOR` (4) × the budget: 240 s, 360 s for lessons 07 to 09. One cell may be most of
      the lesson (a training cell), and grading is slower than the budget's measure: each sandbox gets one
      CPU's worth of time, not two cores (up to 2 ×), and with 2 workers on 2 cores the two sandboxes share
      the cores with the two grading processes, which start TensorFlow and run the test cells, and with
      whatever else the machine runs (another 2 ×). Measured with 2 workers on a busy 2-core machine (load
      about 3.5): lesson 07's longest cell took 136 s (1.5 × its budget), so the limit leaves 2.6 × that;
    - a notebook, :data:`NOTEBOOK_LIMIT_FACTOR` (12) × the budget: 720 s, 1080 s for lessons 07 to 09. Measured so,
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
