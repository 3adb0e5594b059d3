"""Run a lesson's solution notebook once in a live kernel, then grade wrong implementations against its tests.

The notebook is executed top to bottom as nbgrader's autograder would run a perfect submission
(``NBGRADER_EXECUTION=autograde``; hidden tests included). Each wrong implementation ("mutant") is then
defined in the same kernel, only that exercise's test cells are run again and scored with nbgrader's own
``determine_grade``, and the correct definition is restored. One execution serves every mutant.

A mutant is a small edit of the solution, not a copy of it: ``tests/mutants/<lesson>.py`` maps each exercise to
``(description, edits)`` pairs, where ``edits`` is one ``(old, new)`` pair of texts or a list of them. Each ``old``
must occur exactly once in the answer cell that defines the exercise's function, so a mutant follows the solution
when it changes, and the harness fails (:class:`StaleMutant`) when a mutant no longer applies.

Command line: ``python tests/mutation_harness.py LESSON_ID`` prints a table and exits 1 when a mutant
keeps its points or the solution loses any.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from grader import cells
from grader.cells import is_graded

ROOT = Path(__file__).resolve().parent.parent
MUTANTS_DIR = Path(__file__).resolve().parent / "mutants"


@dataclass
class CellRun:
    """An executed code cell: id, nbgrader points (for test cells), seconds, stderr and error text."""

    cell_id: str
    seconds: float
    points: float | None = None
    max_points: float | None = None
    stderr: str = ""
    error: str = ""


@dataclass
class MutantResult:
    """What a wrong implementation scored on its exercise's test cell."""

    exercise: str
    description: str
    points: float
    max_points: float
    reason: str

    @property
    def killed(self) -> bool:
        return self.points < self.max_points


@dataclass
class LessonRun:
    """A solution notebook executed once in a kernel that stays alive for mutants."""

    lesson_id: str
    notebook: Path | None = None
    timeout: int = 300
    cells: dict[str, CellRun] = field(default_factory=dict)
    total_seconds: float = 0.0

    def __post_init__(self) -> None:
        self.notebook = self.notebook or ROOT / "solutions" / self.lesson_id / f"{self.lesson_id}.ipynb"
        self.nb = nbformat.read(self.notebook, as_version=4)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"lesson-{self.lesson_id}-"))
        shutil.copytree(self.notebook.parent, self.workdir, dirs_exist_ok=True)
        self.client = NotebookClient(
            self.nb,
            timeout=self.timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(self.workdir)}},
        )

    # -------------------------------------------------------------- kernel life cycle
    def __enter__(self) -> LessonRun:
        # the kernel runs as the autograder's would; this process's own environment stays as it is
        env = dict(os.environ, NBGRADER_EXECUTION="autograde", MPLBACKEND="Agg")
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel(stderr=subprocess.DEVNULL, env=env)  # the kernel's own start-up chatter
        self.client.start_new_kernel_client()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.client._cleanup_kernel()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # -------------------------------------------------------------- execution
    def _execute(self, cell: nbformat.NotebookNode) -> CellRun:
        """Execute one cell (appended to the notebook so nbclient can index it) and score it."""
        self.nb.cells.append(cell)
        index = len(self.nb.cells) - 1
        start = time.perf_counter()
        try:
            self.client.execute_cell(cell, index)
        finally:
            self.nb.cells.pop()
        return self._record(cell, time.perf_counter() - start)

    def _record(self, cell: nbformat.NotebookNode, seconds: float) -> CellRun:
        stderr = "".join(
            "".join(o.get("text", "")) for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"
        )
        error = next((f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"), "")
        run = CellRun(cell.get("id", ""), seconds, stderr=stderr, error=error)
        if is_graded(cell):
            run.points, run.max_points = determine_grade(cell)
        return run

    def run_all(self) -> dict[str, CellRun]:
        """Execute every code cell in order, as the autograder does."""
        start = time.perf_counter()
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.perf_counter()
            self.client.execute_cell(cell, index)
            self.cells[cell.id] = self._record(cell, time.perf_counter() - t0)
        self.total_seconds = time.perf_counter() - start
        return self.cells

    def cell(self, cell_id: str) -> nbformat.NotebookNode:
        for cell in self.nb.cells:
            if cell.get("id") == cell_id:
                return cell
        raise KeyError(f"{self.lesson_id} has no cell with id {cell_id!r}")

    def defining_cell(self, function: str) -> nbformat.NotebookNode:
        """The answer cell that defines ``function``."""
        return defining_cell(self.nb.cells, function, where=self.lesson_id)

    def rerun(self, cell_id: str) -> CellRun:
        """Run a fresh copy of a cell again (outputs cleared) and score it."""
        fresh = copy.deepcopy(self.cell(cell_id))
        fresh.outputs = []
        fresh.execution_count = None
        return self._execute(fresh)

    def run_source(self, source: str) -> CellRun:
        """Run code that is not part of the notebook."""
        return self._execute(nbformat.v4.new_code_cell(source))

    def try_mutant(self, exercise: str, description: str, edits: Edits) -> MutantResult:
        """Apply ``edits`` to the cell defining ``exercise``; re-run its test cells until one loses points; restore."""
        solution = self.defining_cell(exercise)
        defined = self.run_source(apply_edits(solution.source, edits, where=f"{exercise}: {description}"))
        if defined.error:
            raise RuntimeError(f"mutant '{description}' of {exercise} does not run: {defined.error}")
        cell_ids = self.test_cells(exercise)
        graded: list[CellRun] = []
        try:
            for cell_id in cell_ids:  # in order; once a cell loses points the mutant is caught, the rest can wait
                graded.append(self.rerun(cell_id))
                if (graded[-1].points or 0.0) < (graded[-1].max_points or 0.0):
                    break
        finally:
            restore = copy.deepcopy(solution)
            restore.outputs = []
            self._execute(restore)
        reasons = [g.error.splitlines()[0] if g.error else g.stderr.strip()[:200] for g in graded]
        reason = next((r for r in reasons if r), "")
        points = sum(g.points or 0.0 for g in graded)  # the cells not run after a loss count as lost
        max_points = sum(float(cells.points(self.cell(cell_id))) for cell_id in cell_ids)
        return MutantResult(exercise, description, points, max_points, reason)

    def test_cells(self, exercise: str) -> list[str]:
        """The graded cells of ``exercise``: ``test_<exercise>`` and, if present, its other parts (:data:`PARTS`)."""
        ids = [f"test_{exercise}"] + [f"test_{exercise}{part}" for part in PARTS]
        return [cid for cid in ids if any(c.get("id") == cid for c in self.nb.cells)]


#: Suffixes of the grade ids of an exercise's further graded cells: its errors, a network it trained.
PARTS = ("_errors", "_training")


def defining_cell(notebook_cells: list, function: str, *, where: str = "the notebook") -> dict:
    """The code cell of ``notebook_cells`` that defines ``function`` (the first one)."""
    pattern = re.compile(rf"^def {re.escape(function)}\(", re.M)
    for cell in notebook_cells:
        if cell["cell_type"] == "code" and pattern.search(cells.source(cell)):
            return cell
    raise KeyError(f"{where} defines no function {function!r}")


#: One ``(old, new)`` replacement, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]


class StaleMutant(ValueError):
    """A mutant's edit no longer matches the solution: rewrite the mutant against the current solution."""


def edit_pairs(edits: Edits) -> list[tuple[str, str]]:
    """``edits`` as a list of ``(old, new)`` pairs."""
    if isinstance(edits, tuple) and len(edits) == 2 and all(isinstance(part, str) for part in edits):
        return [edits]
    pairs = list(edits)
    if not pairs or not all(isinstance(p, tuple) and len(p) == 2 and all(isinstance(t, str) for t in p) for p in pairs):
        raise TypeError(f"edits must be an (old, new) pair of strings or a non-empty list of them, got {edits!r}")
    return pairs


def apply_edits(source: str, edits: Edits, *, where: str = "mutant") -> str:
    """``source`` with every ``(old, new)`` replacement made; each ``old`` must occur exactly once when applied."""
    for old, new in edit_pairs(edits):
        count = source.count(old) if old else 0
        if count != 1:
            found = "is not in" if count == 0 else f"occurs {count} times in"
            raise StaleMutant(f"{where}: the text {old!r} {found} the solution cell; edit the mutant to match it")
        if old == new:
            raise StaleMutant(f"{where}: the edit {old!r} changes nothing")
        source = source.replace(old, new)
    return source


def load_mutants(lesson_id: str) -> dict[str, list[tuple[str, Edits]]]:
    """``{exercise: [(description, edits), ...]}`` from ``tests/mutants/<lesson_id>.py``."""
    path = MUTANTS_DIR / f"{lesson_id}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"mutants_{lesson_id}", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.MUTANTS


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    lesson_id = argv[0]
    mutants = load_mutants(lesson_id)
    failures = 0
    with LessonRun(lesson_id) as run:
        run.run_all()
        print(f"{lesson_id}: executed in {run.total_seconds:.1f} s")
        for cell in run.cells.values():
            if cell.max_points is not None and (cell.points != cell.max_points or cell.stderr):
                failures += 1
                print(f"  SOLUTION LOSES POINTS in {cell.cell_id}: {cell.error or cell.stderr[:200]}")
        for exercise, wrongs in mutants.items():
            for description, edits in wrongs:
                result = run.try_mutant(exercise, description, edits)
                mark = "killed  " if result.killed else "SURVIVED"
                failures += not result.killed
                print(f"  {mark} {exercise:<18} {result.points:g}/{result.max_points:g}  {description}")
                if result.killed and os.environ.get("SHOW_REASONS"):
                    print(f"           ↳ {result.reason}")
    total = sum(len(w) for w in mutants.values())
    print(f"{total} mutants, {failures} problem(s)")
    print(json.dumps({"lesson": lesson_id, "seconds": round(run.total_seconds, 1)}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
