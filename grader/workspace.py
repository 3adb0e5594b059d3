"""A throwaway nbgrader course directory, driven through the real ``nbgrader`` command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import cells
from grader.lessons import Lesson

CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


class GraderError(RuntimeError):
    """An nbgrader command failed; the message holds the command and the end of its log."""


@dataclass
class CellResult:
    """One autograded test cell: its points, why it lost them, and what it printed.

    ``reason`` is written for the student (feedback shows it); ``detail`` is the full message, for the
    instructor only (the JSON record under ``results/``). Records written before ``detail`` existed read
    back with it empty.
    """

    grade_id: str
    points: float
    max_points: float
    reason: str = ""
    output: str = ""
    detail: str = ""


@dataclass
class Grade:
    """One student's autograded lesson, read back from the gradebook."""

    lesson_id: str
    student: str
    points: float
    max_points: float
    seconds: float
    cells: list[CellResult] = field(default_factory=list)

    @property
    def lost(self) -> list[CellResult]:
        return [c for c in self.cells if c.points < c.max_points]


def quiet_env() -> dict[str, str]:
    """Environment for nbgrader and its kernels: TensorFlow quiet, no GPU search, no network datasets."""
    env = dict(os.environ)
    # nbgrader runs `alembic` and kernels from PATH: put this interpreter's scripts first.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("CUDA_VISIBLE_DEVICES", "")
    return env


class Workspace:
    """An nbgrader course directory in a temporary folder; use as a context manager."""

    def __init__(self, root: Path | None = None, keep: bool = False) -> None:
        """A temporary workspace, or the persistent one at ``root`` (kept, its gradebook reused)."""
        self.keep = keep or root is not None
        if root is None:
            self.root = Path(tempfile.mkdtemp(prefix="cnn-course-grading-"))
        else:
            self.root = Path(root).resolve()
            self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / "nbgrader_config.py").exists():
            shutil.copy(CONFIG, self.root / "nbgrader_config.py")
        self.log = self.root / "nbgrader.log"

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def nbgrader(self, *args: str) -> None:
        """Run ``nbgrader ARGS`` in the workspace; raise GraderError with the log tail on failure."""
        command = [sys.executable, "-m", "nbgrader", *args]
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n$ nbgrader {' '.join(args)}\n")
            log.flush()
            done = subprocess.run(
                command, cwd=self.root, env=quiet_env(), stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if done.returncode != 0:
            tail = "\n".join(self.log.read_text(encoding="utf-8").splitlines()[-25:])
            raise GraderError(f"`nbgrader {' '.join(args)}` failed (exit {done.returncode}):\n{tail}")

    def add_source(self, lesson: Lesson) -> None:
        """Copy a lesson's folder from ``solutions/`` into ``source/`` (replacing an older copy)."""
        target = self.root / "source" / lesson.lesson_id
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(lesson.source_dir, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))

    def generate(self, lesson: Lesson) -> Path:
        """``nbgrader generate_assignment``: returns the released notebook's path."""
        self.add_source(lesson)
        self.nbgrader("generate_assignment", lesson.lesson_id, "--force")
        return self.root / "release" / lesson.lesson_id / f"{lesson.lesson_id}.ipynb"

    def submit(self, lesson: Lesson, student: str, notebook: Path) -> None:
        """Place ``notebook`` as ``student``'s submission of ``lesson``."""
        target = self.root / "submitted" / student / lesson.lesson_id
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, target / f"{lesson.lesson_id}.ipynb")
        (target / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC\n", encoding="utf-8")

    def autograde(self, lesson: Lesson, student: str) -> Grade:
        """``nbgrader autograde`` one student's submission and read the grade from the gradebook.

        nbgrader adds a student it does not know to the gradebook itself.
        """
        start = time.perf_counter()
        self.nbgrader("autograde", lesson.lesson_id, "--student", student, "--force")
        seconds = time.perf_counter() - start
        return self.read_grade(lesson, student, seconds)

    def read_grade(self, lesson: Lesson, student: str, seconds: float) -> Grade:
        """Scores from the SQLite gradebook; reasons from the autograded notebook's outputs."""
        from nbgrader.api import Gradebook

        graded = self.root / "autograded" / student / lesson.lesson_id / f"{lesson.lesson_id}.ipynb"
        reasons = failure_reasons(graded) if graded.exists() else {}
        with Gradebook(self.db_url) as gb:
            submission = gb.find_submission_notebook(lesson.lesson_id, lesson.lesson_id, student)
            cells = [
                CellResult(g.name, float(g.score), float(g.max_score), reasons.get(g.name, ""))
                for g in sorted(submission.grades, key=lambda g: g.name)
                if g.max_score
            ]
            return Grade(
                lesson.lesson_id, student, float(submission.score), float(submission.max_score), seconds, cells
            )


def failure_reasons(notebook: Path) -> dict[str, str]:
    """For each graded cell that shows an error or stderr, the first line that says why."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    reasons = {}
    for cell in nb["cells"]:
        grade_id = cells.grade_id(cell)
        if not grade_id or cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                lines = [ln for ln in str(out.get("evalue", "")).splitlines() if ln.strip()]
                reasons[grade_id] = f"{out['ename']}: {lines[0] if lines else ''}".strip()
                break
            if out["output_type"] == "stream" and out.get("name") == "stderr":
                text = "".join(out.get("text", "")).strip().splitlines()
                reasons[grade_id] = "wrote to stderr: " + (text[0] if text else "")
                break
    return reasons
