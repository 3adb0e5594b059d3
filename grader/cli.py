"""``python -m grader release|check|demo [LESSON ...]``: the course's nbgrader pipeline.

- ``release`` regenerates ``notebooks/`` from ``solutions/`` with ``nbgrader generate_assignment``.
- ``check`` autogrades every solution (full marks expected) and every untouched release (zero expected)
  and fails when ``notebooks/`` is out of sync with ``solutions/``.
- ``demo`` autogrades every solution as a perfect student and prints the table.
- ``autograde LESSON --submissions DIR`` grades a whole class in parallel, each notebook in a sandbox.
- ``export --to FILE.csv`` and ``feedback LESSON`` report on a graded class.
- ``collect LESSON --from DOWNLOAD --to FOLDER`` turns an LMS download (Canvas, Moodle) into one folder per student.
- ``sandbox`` says what isolation student code gets on this machine (bubblewrap, cgroups) and what is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from grader.classroom import autograde_class, export_csv, summary_table, write_feedback
from grader.collect import CollectError, collect, report
from grader.lessons import NOTEBOOKS, Lesson, select
from grader.sandbox.isolation import SandboxUnavailable, probe
from grader.workspace import Grade, GraderError, Workspace


def notebook_text(path: Path) -> str:
    """A notebook serialised the one way the course commits it: sorted keys, one-space indent, final newline."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _copy_release(released_dir: Path, target_dir: Path) -> None:
    """Make ``target_dir`` hold exactly what nbgrader released, notebooks normalised."""
    if target_dir.exists():
        shutil.rmtree(target_dir)
    target_dir.mkdir(parents=True)
    for path in sorted(released_dir.rglob("*")):
        if path.is_dir():
            continue
        out = target_dir / path.relative_to(released_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".ipynb":
            out.write_text(notebook_text(path), encoding="utf-8")
        else:
            shutil.copy(path, out)


def release(lessons: list[Lesson], output: Path = NOTEBOOKS) -> list[Path]:
    """Regenerate the student notebooks of ``lessons`` into ``output``; returns the notebooks written."""
    written = []
    with Workspace() as ws:
        for lesson in lessons:
            print(f"releasing {lesson.lesson_id} …", flush=True)
            released = ws.generate(lesson)
            _copy_release(released.parent, output / lesson.lesson_id)
            written.append(output / lesson.lesson_id / released.name)
    return written


def _row(grade: Grade, verdict: str) -> str:
    return (
        f"{grade.lesson_id:<22} {grade.student:<10} {grade.points:>7.1f} {grade.max_points:>6.1f} "
        f"{grade.seconds:>8.1f}  {verdict}"
    )


HEADER = f"{'lesson':<22} {'student':<10} {'points':>7} {'max':>6} {'seconds':>8}  result"


def check(lessons: list[Lesson], *, untouched: bool = True, sync: bool = True) -> int:
    """Autograde solutions (must get full marks) and untouched releases (must get zero); 0 when all holds."""
    problems: list[str] = []
    rows: list[str] = []
    with Workspace() as ws:
        for lesson in lessons:
            try:
                released = ws.generate(lesson)
            except GraderError as err:
                problems.append(f"{lesson.lesson_id}: generate_assignment failed\n{err}")
                continue
            if sync and (
                not lesson.release.exists() or notebook_text(released) != lesson.release.read_text(encoding="utf-8")
            ):
                problems.append(
                    f"{lesson.lesson_id}: notebooks/ is out of sync with solutions/: run `python -m grader release "
                    f"{lesson.lesson_id}` and commit notebooks/{lesson.lesson_id}/"
                )
            students = [("perfect", lesson.source)]
            if untouched:
                students.append(("untouched", lesson.release if lesson.release.exists() else released))
            for student, notebook in students:
                print(f"autograding {lesson.lesson_id} as the {student} student …", flush=True)
                ws.submit(lesson, student, notebook)
                try:
                    grade = ws.autograde(lesson, student)
                except GraderError as err:
                    problems.append(f"{lesson.lesson_id} ({student}): autograde failed\n{err}")
                    continue
                if student == "perfect":
                    ok = grade.points == grade.max_points and grade.max_points > 0
                    for cell in grade.lost:
                        problems.append(
                            f"{lesson.lesson_id}: the solution loses {cell.max_points - cell.points:g} point(s) "
                            f"in {cell.grade_id}: {cell.reason or 'no error recorded'}"
                        )
                else:
                    ok = grade.points == 0
                    for cell in grade.cells:
                        if cell.points:
                            problems.append(
                                f"{lesson.lesson_id}: the untouched release earns {cell.points:g} point(s) in "
                                f"{cell.grade_id}: that test passes without any student code"
                            )
                rows.append(_row(grade, "ok" if ok else "FAIL"))
    print()
    print(HEADER)
    print("\n".join(rows))
    if problems:
        print("\nProblems:")
        print("\n".join(f"- {p}" for p in problems))
        return 1
    print(f"\nAll {len(lessons)} lesson(s) pass: solutions get full marks"
          + (", untouched releases get zero" if untouched else "") + (", notebooks/ in sync." if sync else "."))
    return 0


def _not_graded(workspace: Path, lesson_id: str = "") -> str:
    """Why ``workspace`` holds no graded class (for ``lesson_id``), or '' when it does."""
    if any((workspace / "results" / lesson_id).glob("**/*.json")):
        return ""
    what = f"no graded {lesson_id} submissions" if lesson_id else "no graded submissions"
    return (
        f"{what} in {workspace}: pass the --workspace you gave autograde, or grade first with "
        f"`python -m grader autograde {lesson_id or 'LESSON'} --submissions DIR --workspace {workspace}`"
    )


def sandbox_report(*, quiet: bool = False) -> int:
    """Print what isolation student code gets here; 0 when the full sandbox works, 1 otherwise."""
    found = probe()
    if not quiet:
        print(f"student code here: {found.describe()}")
        for problem in found.problems:
            print(f"  missing: {problem}")
        if not found.full:
            print("autograde refuses to grade until this is fixed, unless you pass --no-sandbox")
    return 0 if found.full else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_release = sub.add_parser("release", help="regenerate notebooks/ from solutions/")
    p_release.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    p_release.add_argument("--output", type=Path, default=NOTEBOOKS, help="folder to write (default: notebooks/)")
    p_check = sub.add_parser("check", help="full marks for solutions, zero for releases, notebooks/ in sync")
    p_check.add_argument("lessons", nargs="*")
    p_demo = sub.add_parser("demo", help="autograde every solution as a perfect student")
    p_demo.add_argument("lessons", nargs="*")
    p_class = sub.add_parser("autograde", help="grade a class: DIR/<student_id>/<LESSON>.ipynb (or a .zip)")
    p_class.add_argument("lesson")
    p_class.add_argument("--submissions", type=Path, required=True)
    p_class.add_argument("--workspace", type=Path, default=Path("grading"))
    p_class.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p_class.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell and per test call")
    p_class.add_argument("--timeout", type=float, default=600.0, help="seconds per notebook")
    p_class.add_argument("--memory", type=float, default=4.0, help="GB of memory per notebook")
    p_class.add_argument("--scheduler", default=None, help="a Dask scheduler address, e.g. tcp://host:8786")
    p_class.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade even where the full sandbox is not available (trusted code only; every row is flagged)",
    )
    p_sandbox = sub.add_parser("sandbox", help="what isolation student code gets here, and what is missing")
    p_sandbox.add_argument("--quiet", action="store_true", help="print nothing; exit 0 only if the full sandbox works")
    p_export = sub.add_parser("export", help="write the graded class as CSV")
    p_export.add_argument("--workspace", type=Path, default=Path("grading"))
    p_export.add_argument("--to", type=Path, required=True)
    p_feedback = sub.add_parser("feedback", help="one HTML page per student")
    p_feedback.add_argument("lesson")
    p_feedback.add_argument("--workspace", type=Path, default=Path("grading"))
    p_collect = sub.add_parser("collect", help="an LMS download (Canvas, Moodle) → FOLDER/<student_id>/")
    p_collect.add_argument("lesson")
    p_collect.add_argument("--from", dest="download", type=Path, required=True, help="the LMS's .zip or its folder")
    p_collect.add_argument("--to", type=Path, required=True, metavar="FOLDER", help="folder to write for autograde")
    p_collect.add_argument("--force", action="store_true", help="replace student folders that already exist")
    args = parser.parse_args(argv)

    if args.command == "collect":
        lesson = select([args.lesson])[0]
        try:
            rows = collect(lesson.lesson_id, args.download, args.to, force=args.force)
        except CollectError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(report(rows, lesson.lesson_id, args.to))
        return 0

    if args.command in ("export", "feedback"):
        problem = _not_graded(args.workspace, select([args.lesson])[0].lesson_id if args.command == "feedback" else "")
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 1
    if args.command == "export":
        count = export_csv(args.workspace, args.to)
        print(f"wrote {count} row(s) to {args.to}")
        return 0
    if args.command == "feedback":
        lesson = select([args.lesson])[0]
        pages = write_feedback(args.workspace, lesson.lesson_id)
        print(f"wrote {len(pages)} feedback page(s) under {args.workspace / 'feedback'}")
        return 0
    if args.command == "sandbox":
        return sandbox_report(quiet=args.quiet)
    if args.command == "autograde":
        lesson = select([args.lesson])[0]
        if not args.submissions.exists():
            print(f"error: no such folder or zip: {args.submissions}", file=sys.stderr)
            return 1
        try:
            results = autograde_class(
                lesson, args.submissions, args.workspace, workers=max(1, args.workers), cell_timeout=args.cell_timeout,
                timeout=args.timeout, memory_gb=args.memory, scheduler=args.scheduler, no_sandbox=args.no_sandbox,
            )
        except SandboxUnavailable as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        except GraderError as err:
            hint = "if the lesson's graded cells changed since this workspace graded it, pass a new --workspace"
            print(f"error: {err}\n{hint}", file=sys.stderr)
            return 1
        print(summary_table(results))
        print(f"\n{len(results)} submission(s) graded; gradebook: {args.workspace / 'gradebook.db'}")
        return 0

    lessons = select(args.lessons)
    if not lessons:
        print("no lessons found in solutions/", file=sys.stderr)
        return 1
    try:
        if args.command == "release":
            for path in release(lessons, args.output):
                print(f"wrote {path}")
            return 0
        if args.command == "check":
            return check(lessons)
        return check(lessons, untouched=False, sync=False)
    except GraderError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
