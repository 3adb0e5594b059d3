"""``python -m grader.bench [LESSON ...]``: run each lesson top to bottom as a student would and time it.

Each solution notebook runs in a fresh kernel ("Restart and run all"); the table shows the seconds
against the 60 s budget, the kernel start-up apart, and the slowest cells. Figures go to
``reports/bench.json`` too. Nothing fails here: the benchmark informs, the tests hold the limits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grader.lessons import ROOT, Lesson, runtime_budget, select


def time_lesson(lesson: Lesson) -> dict:
    """Execute one solution notebook in a fresh kernel; return the total and per-cell seconds."""
    nb = nbformat.read(lesson.source, as_version=4)
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{lesson.lesson_id}-"))
    shutil.copytree(lesson.source_dir, workdir, dirs_exist_ok=True)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    cells: dict[str, float] = {}
    try:
        start = time.perf_counter()
        with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's own start-up chatter
            kernel_ready = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    t0 = time.perf_counter()
                    client.execute_cell(cell, index)
                    cells[cell.get("id", str(index))] = time.perf_counter() - t0
            finished = time.perf_counter()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "lesson": lesson.lesson_id,
        "seconds": round(finished - kernel_ready, 2),
        "kernel_start_seconds": round(kernel_ready - start, 2),
        "budget_seconds": runtime_budget(lesson.lesson_id),
        "slowest_cells": {k: round(v, 2) for k, v in sorted(cells.items(), key=lambda kv: -kv[1])[:3]},
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    lessons = select(argv)
    results = []
    print(f"{'lesson':<22} {'seconds':>8} {'budget':>7} {'share':>6}  slowest cells", flush=True)
    for lesson in lessons:
        result = time_lesson(lesson)
        results.append(result)
        budget = runtime_budget(lesson.lesson_id)
        share = result["seconds"] / budget
        slow = ", ".join(f"{k} {v:.1f}s" for k, v in result["slowest_cells"].items())
        print(
            f"{lesson.lesson_id:<22} {result['seconds']:>8.1f} {budget:>7.0f} {share:>6.0%}  {slow}",
            flush=True,
        )
    report = ROOT / "reports" / "bench.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps({"cpu_count": os.cpu_count(), "lessons": results}, indent=1) + "\n")
    print(f"\n(kernel start-up not counted; {os.cpu_count()} CPU cores; figures in {report.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
