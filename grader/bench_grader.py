"""``python -m grader.bench_grader``: the class grader against plain sequential ``nbgrader autograde``.

Twelve submissions of lesson 01 (right, partly wrong and blank) are graded twice, in one run: by
``nbgrader autograde`` (sequential, tests inside each student's kernel) and by ``python -m grader
autograde`` with N workers (default: the core count). It prints both times, the throughput ratio and
whether every score agrees; figures also go to ``reports/bench_grader.json``. Exit 1 if a score differs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from grader.classroom import autograde_class
from grader.example_class import WRONG_CROP, WRONG_TO_FLOAT, _answers, submission
from grader.lessons import ROOT, select
from grader.records import ClassWorkspace
from grader.workspace import Workspace

LESSON = "01_pixels"


def make_class(folder: Path, size: int = 12) -> dict[str, dict]:
    """``size`` valid notebooks: half right, a quarter partly wrong, a quarter blank."""
    right = _answers(LESSON)
    kinds = [
        submission(),
        submission(answers=right | {"to_float": WRONG_TO_FLOAT}),
        submission(),
        submission(answers={}),
        submission(),
        submission(answers=right | {"crop": WRONG_CROP}),
    ]
    notebooks = {f"student{i + 1:02d}": kinds[i % len(kinds)] for i in range(size)}
    for student, notebook in notebooks.items():
        (folder / student).mkdir(parents=True, exist_ok=True)
        (folder / student / f"{LESSON}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return notebooks


def nbgrader_sequential(submissions: Path) -> tuple[float, dict[str, float]]:
    """Plain nbgrader: generate, submit everyone, one `nbgrader autograde` for the class."""
    from nbgrader.api import Gradebook

    lesson = select([LESSON])[0]
    with Workspace() as ws:
        ws.generate(lesson)
        students = sorted(p.name for p in submissions.iterdir())
        for student in students:
            ws.submit(lesson, student, submissions / student / f"{LESSON}.ipynb")
            ws.nbgrader("db", "student", "add", student)
        start = time.perf_counter()
        ws.nbgrader("autograde", LESSON, "--force")
        seconds = time.perf_counter() - start
        with Gradebook(ws.db_url) as gb:
            scores = {s: float(gb.find_submission(LESSON, s).score) for s in students}
    return seconds, scores


def class_grader(submissions: Path, workers: int) -> tuple[float, dict[str, float]]:
    lesson = select([LESSON])[0]
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as workspace:
        ClassWorkspace(Path(workspace)).prepare(lesson)
        start = time.perf_counter()
        results = autograde_class(
            lesson,
            submissions,
            Path(workspace),
            workers=workers,
            cell_timeout=120,
            timeout=900,
            memory_gb=4,
            progress=False,
        )
        seconds = time.perf_counter() - start
    return seconds, {r.student_id: r.score for r in results}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.bench_grader", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--size", type=int, default=12)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-class-") as folder:
        submissions = Path(folder)
        make_class(submissions, args.size)
        print(f"grading {args.size} submissions of {LESSON} on {os.cpu_count()} cores …", flush=True)
        plain_seconds, plain = nbgrader_sequential(submissions)
        print(f"  nbgrader autograde (sequential):   {plain_seconds:6.1f} s", flush=True)
        ours_seconds, ours = class_grader(submissions, args.workers)
        print(f"  grader autograde ({args.workers} workers):     {ours_seconds:6.1f} s", flush=True)
    ratio = plain_seconds / ours_seconds
    same = plain == ours
    print(
        f"\nthroughput: {args.size / plain_seconds * 60:.1f} vs {args.size / ours_seconds * 60:.1f} notebooks/minute"
        f" — {ratio:.2f}× (target ≥ 1.6×)"
    )
    print("scores identical" if same else f"SCORES DIFFER:\n  nbgrader {plain}\n  ours     {ours}")
    report = ROOT / "reports" / "bench_grader.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(
        json.dumps(
            {
                "submissions": args.size,
                "workers": args.workers,
                "cpu_count": os.cpu_count(),
                "nbgrader_seconds": round(plain_seconds, 2),
                "grader_seconds": round(ours_seconds, 2),
                "ratio": round(ratio, 3),
                "scores_identical": same,
                "scores": ours,
            },
            indent=1,
        )
        + "\n"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
