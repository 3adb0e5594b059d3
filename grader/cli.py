"""``python -m grader release|check|demo [LESSON ...]``: the course's nbgrader pipeline.

- ``release`` regenerates ``notebooks/`` from ``solutions/`` with ``nbgrader generate_assignment``.
- ``check`` grades every solution (full marks, no flags expected) and every untouched release (zero
  expected) with the class grader, the engine that grades students; runs plain ``nbgrader autograde`` once
  more on every solution, for instructors who use nbgrader alone (``--no-nbgrader`` skips it); and fails
  when ``notebooks/`` is out of sync with ``solutions/``.
- ``demo`` grades every solution as a perfect student with the class grader and prints the table.
- ``autograde LESSON --submissions DIR`` grades a whole class in parallel, each notebook in a sandbox.
- ``export --to FILE.csv`` and ``feedback LESSON`` report on a graded class.
- ``collect LESSON --from DOWNLOAD --to FOLDER`` turns an LMS download (Canvas, Moodle) into one folder per student.
- ``sandbox`` says what isolation student code gets on this machine (bubblewrap, cgroups) and what is missing.

``check`` and ``demo`` grade the course's own solutions and releases in the sandbox where it works; where
it does not, they say so and grade without it, since that code is trusted (students' code never is).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.classroom import autograde_class
from grader.collect import CollectError, collect, report
from grader.forbidden_calls import lesson_declaration_problems
from grader.lessons import NOTEBOOKS, RUNTIME_BUDGETS, Lesson, runtime_budget, select
from grader.records import COULD_NOT_GRADE, NO_SANDBOX, Result, export_csv, summary_table, write_feedback
from grader.sandbox.isolation import SandboxUnavailable, probe
from grader.time_limits import CELL_LIMIT_FACTOR, NOTEBOOK_LIMIT_FACTOR, time_limits
from grader.workspace import GraderError, Workspace
from grader.zips import ZipRefused


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


#: The grader of each row of ``check``'s table: the class grader, and plain nbgrader (compatibility).
CLASS, NBGRADER = "class", "nbgrader"
#: ``check``'s two students: the solution itself, and the release as a student gets it.
PERFECT, UNTOUCHED = "perfect", "untouched"
#: ``check`` grades this many submissions at a time with the class grader, across lessons: one per core here.
CHECK_WORKERS = 2
HEADER = f"{'lesson':<22} {'student':<10} {'grader':<9} {'points':>7} {'max':>6} {'seconds':>8}  result"


def _row(lesson_id: str, student: str, engine: str, points: float, max_points: float, seconds: float, ok: bool) -> str:
    return (
        f"{lesson_id:<22} {student:<10} {engine:<9} {points:>7.1f} {max_points:>6.1f} {seconds:>8.1f}  "
        f"{'ok' if ok else 'FAIL'}"
    )


def course_code_without_sandbox() -> bool:
    """Whether to grade the course's OWN solutions and releases with ``no_sandbox``: only where the full
    sandbox is missing, which is then said on stdout. That code is trusted; students' code never is."""
    found = probe()
    if found.full:
        return False
    print(
        f"no full sandbox here ({'; '.join(found.problems)}): grading the course's own solutions and releases "
        "without it (trusted code; students' work is never graded so)",
        flush=True,
    )
    return True


def _class_verdicts(lesson: Lesson, results: list[Result]) -> tuple[list[str], list[str]]:
    """Rows and problems for the class grader's results: the perfect student must get full marks and no flag
    or reason; the untouched release zero, from tests that ran (not a submission it could not grade)."""
    rows, problems = [], []
    for result in results:
        flags = [flag for flag in result.flags if flag != NO_SANDBOX]
        if result.student_id == PERFECT:
            ok = result.score == result.max_score > 0 and not flags and not result.reason
            for cell in result.cells:
                if cell.points < cell.max_points:
                    problems.append(
                        f"{lesson.lesson_id}: the solution loses {cell.max_points - cell.points:g} point(s) in "
                        f"{cell.grade_id}: {(cell.detail or cell.reason or 'no error recorded')[:600]}"
                    )
            problems += [f"{lesson.lesson_id}: the solution is flagged: {flag}" for flag in flags]
            if result.reason:
                problems.append(f"{lesson.lesson_id}: grading the solution said: {result.reason}")
        else:
            ok = result.score == 0 and COULD_NOT_GRADE not in flags
            problems += [
                f"{lesson.lesson_id}: the untouched release earns {cell.points:g} point(s) in {cell.grade_id}: "
                "that test passes without any student code"
                for cell in result.cells
                if cell.points
            ]
            if COULD_NOT_GRADE in flags:
                problems.append(f"{lesson.lesson_id}: the untouched release could not be graded: {result.reason}")
        rows.append(
            _row(lesson.lesson_id, result.student_id, CLASS, result.score, result.max_score, result.seconds, ok)
        )
    return rows, problems


def _class_check(
    lesson: Lesson, students: dict[str, Path], root: Path, no_sandbox: bool, workers: int = 1
) -> tuple[list[str], list[str]]:
    """Grade ``students`` (name → notebook) with the class grader, as a class, with the lesson's time limits."""
    submissions = root / "submissions" / lesson.lesson_id
    for student, notebook in students.items():
        (submissions / student).mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, submissions / student / f"{lesson.lesson_id}.ipynb")
    limits = time_limits(lesson.lesson_id)
    print(f"grading {lesson.lesson_id} as the {' and '.join(students)} student with the class grader "
          f"({limits.describe()}) …", flush=True)  # fmt: skip
    try:
        results = autograde_class(
            lesson, submissions, root / "class" / lesson.lesson_id, workers=workers, cell_timeout=limits.cell,
            timeout=limits.notebook, progress=False, no_sandbox=no_sandbox,
        )  # fmt: skip
    except (GraderError, SandboxUnavailable) as err:
        return [], [f"{lesson.lesson_id}: the class grader failed\n{err}"]
    return _class_verdicts(lesson, results)


def _nbgrader_check(ws: Workspace, lesson: Lesson) -> tuple[list[str], list[str]]:
    """Plain ``nbgrader autograde`` of the solution (full marks): the course still works with nbgrader alone."""
    print(f"grading {lesson.lesson_id} as the perfect student with plain nbgrader …", flush=True)
    ws.submit(lesson, PERFECT, lesson.source)
    try:
        grade = ws.autograde(lesson, PERFECT)
    except GraderError as err:
        return [], [f"{lesson.lesson_id} (perfect, nbgrader): autograde failed\n{err}"]
    ok = grade.points == grade.max_points > 0
    problems = [
        f"{lesson.lesson_id}: under plain nbgrader the solution loses {cell.max_points - cell.points:g} point(s) "
        f"in {cell.grade_id}: {cell.reason or 'no error recorded'}"
        for cell in grade.lost
    ]
    return [_row(lesson.lesson_id, PERFECT, NBGRADER, grade.points, grade.max_points, grade.seconds, ok)], problems


def _limits_used(lessons: list[Lesson]) -> str:
    """The class grader's default time limits for ``lessons``, e.g. ``240 s per cell, 720 s per notebook (01, …)``."""
    by_limits: dict[tuple[float, float], list[str]] = {}
    for lesson in lessons:
        limits = time_limits(lesson.lesson_id)
        by_limits.setdefault((limits.cell, limits.notebook), []).append(lesson.lesson_id)
    used = [
        f"{cell:g} s per cell, {notebook:g} s per notebook ({', '.join(ids)})"
        for (cell, notebook), ids in by_limits.items()
    ]
    return "time limits (the lessons' defaults): " + "; ".join(used)


def _sync_problem(lesson: Lesson, released: Path) -> str:
    """Why ``notebooks/`` does not hold what nbgrader just released for ``lesson`` ('' when it does)."""
    if lesson.release.exists() and notebook_text(released) == lesson.release.read_text(encoding="utf-8"):
        return ""
    return (
        f"{lesson.lesson_id}: notebooks/ is out of sync with solutions/: run `python -m grader release "
        f"{lesson.lesson_id}` and commit notebooks/{lesson.lesson_id}/"
    )


def check(lessons: list[Lesson], *, untouched: bool = True, sync: bool = True, nbgrader: bool = True) -> int:
    """The instructor's gate; 0 when all holds.

    With the class grader (sandboxed where the sandbox works, see :func:`course_code_without_sandbox`), each
    solution must get full marks with no flag, and each untouched release (``untouched``) zero. With plain
    ``nbgrader autograde`` (``nbgrader``), each solution must get full marks too. Each lesson's
    ``forbidden_calls`` declarations must be well formed, and ``notebooks/`` in sync with ``solutions/`` (``sync``).
    """
    no_sandbox = course_code_without_sandbox()
    problems: list[str] = []
    rows: list[str] = []
    with Workspace() as ws:
        classes: list[tuple[Lesson, dict[str, Path]]] = []
        for lesson in lessons:
            released = lesson.release
            try:
                # nbgrader's own release: to compare with notebooks/, to autograde with it, or for want of one
                if sync or nbgrader or not released.exists():
                    released = ws.generate(lesson)
            except GraderError as err:
                problems.append(f"{lesson.lesson_id}: generate_assignment failed\n{err}")
                continue
            if sync:
                problems += [problem for problem in [_sync_problem(lesson, released)] if problem]
            source = json.loads(lesson.source.read_text(encoding="utf-8"))
            problems += [f"{lesson.lesson_id}: {p}" for p in lesson_declaration_problems(source)]
            students = {PERFECT: lesson.source}
            if untouched:  # the release students get: the committed one where there is one
                students[UNTOUCHED] = lesson.release if lesson.release.exists() else released
            classes.append((lesson, students))
        # the lessons are graded side by side, one submission each at a time (CHECK_WORKERS sandboxes in all),
        # the longest lesson first, so that it does not finish alone at the end
        at_once = min(CHECK_WORKERS, len(classes)) or 1
        workers = max(1, CHECK_WORKERS // at_once)
        longest_first = sorted(classes, key=lambda item: -runtime_budget(item[0].lesson_id))
        def grade(item: tuple[Lesson, dict[str, Path]]) -> tuple[list[str], list[str]]:
            return _class_check(*item, ws.root / "class-grader", no_sandbox, workers)

        with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="check") as pool:
            graded = dict(zip([lesson.lesson_id for lesson, _ in longest_first], pool.map(grade, longest_first)))
        for lesson, _ in classes:
            found_rows, found_problems = graded[lesson.lesson_id]
            rows += found_rows
            problems += found_problems
            if nbgrader:
                found_rows, found_problems = _nbgrader_check(ws, lesson)
                rows += found_rows
                problems += found_problems
    print()
    print(HEADER)
    print("\n".join(rows))
    isolation = "without a sandbox (trusted code)" if no_sandbox else "sandboxed"
    print(f"\nclass grader: {isolation}; {_limits_used(lessons)}")
    if problems:
        print("\nProblems:")
        print("\n".join(f"- {p}" for p in problems))
        return 1
    checks = ["solutions get full marks from the class grader"]
    if untouched:
        checks.append("untouched releases get zero")
    if nbgrader:
        checks.append("solutions get full marks from plain nbgrader")
    if sync:
        checks.append("notebooks/ in sync")
    print(f"\nAll {len(lessons)} lesson(s) pass: {', '.join(checks)}.")
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


def _defaults(which: str) -> str:
    """The default ``cell`` or ``notebook`` limit, and those of the lessons with a budget of their own (help text)."""
    special = [f"{getattr(time_limits(lesson_id), which):g} s for {lesson_id}" for lesson_id in RUNTIME_BUDGETS]
    return "; ".join([f"{getattr(time_limits(''), which):g} s", *special])


#: What the class grader imports beyond the course's own dependencies: pyproject.toml's ``grader`` extra.
GRADER_EXTRA = ("psutil", "dask")


def missing_grader_extra() -> str:
    """'' when the class grader's extra is installed, else what to run (students install the course without it)."""
    import importlib.util

    missing = [name for name in GRADER_EXTRA if importlib.util.find_spec(name) is None]
    if not missing:
        return ""
    return (f"the class grader needs {', '.join(missing)}, which students do not install: "
            "pip install -e '.[grader]' (or make venv)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_release = sub.add_parser("release", help="regenerate notebooks/ from solutions/")
    p_release.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    p_release.add_argument("--output", type=Path, default=NOTEBOOKS, help="folder to write (default: notebooks/)")
    p_check = sub.add_parser(
        "check",
        help="class grader: full marks for solutions, zero for releases; plain nbgrader: full marks for solutions; "
        "notebooks/ in sync",
        description="Grade every solution (full marks, no flags) and every untouched release (zero) with the class "
        "grader that grades students, sandboxed where the sandbox works (else without it, said: the course's own "
        "code is trusted); grade every solution once more with plain `nbgrader autograde` (full marks), for "
        "instructors who use nbgrader alone; check that notebooks/ is in sync with solutions/.",
    )
    p_check.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    p_check.add_argument(
        "--no-nbgrader", action="store_true", help="skip the plain-nbgrader run of the solutions (faster)"
    )
    p_demo = sub.add_parser("demo", help="grade every solution as a perfect student with the class grader")
    p_demo.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    p_class = sub.add_parser("autograde", help="grade a class: DIR/<student_id>/<LESSON>.ipynb (or a .zip)")
    p_class.add_argument("lesson")
    p_class.add_argument("--submissions", type=Path, required=True)
    p_class.add_argument("--workspace", type=Path, default=Path("grading"))
    p_class.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p_class.add_argument(
        "--cell-timeout",
        type=float,
        default=None,
        help=f"seconds per cell and per test cell (default: {CELL_LIMIT_FACTOR:g} × the lesson's runtime budget: "
        f"{_defaults('cell')})",
    )
    p_class.add_argument(
        "--timeout",
        type=float,
        default=None,
        help=f"seconds per notebook (default: {NOTEBOOK_LIMIT_FACTOR:g} × the lesson's runtime budget: "
        f"{_defaults('notebook')})",
    )
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
    missing = missing_grader_extra() if args.command in ("autograde", "check", "demo") else ""
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    if args.command == "autograde":
        lesson = select([args.lesson])[0]
        if not args.submissions.exists():
            print(f"error: no such folder or zip: {args.submissions}", file=sys.stderr)
            return 1
        limits = time_limits(lesson.lesson_id, args.cell_timeout, args.timeout)
        try:
            results = autograde_class(
                lesson,
                args.submissions,
                args.workspace,
                workers=max(1, args.workers),
                cell_timeout=limits.cell,
                timeout=limits.notebook,
                memory_gb=args.memory,
                scheduler=args.scheduler,
                no_sandbox=args.no_sandbox,
            )
        except SandboxUnavailable as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        except ZipRefused as err:
            hint = "unzip it yourself, inspect it and pass the folder with --submissions"
            print(f"error: {err}: {hint}", file=sys.stderr)
            return 1
        except GraderError as err:
            hint = "if the lesson's graded cells changed since this workspace graded it, pass a new --workspace"
            print(f"error: {err}\n{hint}", file=sys.stderr)
            return 1
        print(summary_table(results, limits))
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
            return check(lessons, nbgrader=not args.no_nbgrader)
        return check(lessons, untouched=False, sync=False, nbgrader=False)
    except GraderError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
