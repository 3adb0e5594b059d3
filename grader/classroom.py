"""Grade a whole class: one sandbox per submission, tests in the grader's process, results in the gradebook.

For each student folder ``DIR/<student_id>/<LESSON>.ipynb``:
1. the student's code cells run in a fresh sandbox (see :mod:`grader.sandbox`), with the lesson's locked
   setup cell restored from the source and the student's copies of test cells ignored;
2. the lesson's test cells (hidden tests included) run here, calling the student's functions through
   the sandbox with plain data (see :mod:`grader.trusted`); an exception is a lost cell, nothing else is;
3. a crash or time-out costs only the test cells that were running: the sandbox is rebuilt by replaying
   the student's other cells, and grading goes on.
Submissions are graded in parallel (local processes, or a Dask cluster); the parent alone writes the
nbgrader gradebook, the autograded notebooks, a JSON record per student and, on request, feedback.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from grader.lessons import Lesson
from grader.workspace import CellResult, Workspace

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_ZIP_BYTES = 2 * 1024**3
MESSAGE_CAP = 4000

#: Patterns in student code worth a human look; they never change a score by themselves.
SUSPICIOUS = [
    (r"\bos\._exit\b|\bsys\.exit\b|\bos\.kill\b", "exits or kills the interpreter"),
    (r"\bsignal\.(signal|setitimer|alarm|pthread_sigmask)\b", "changes signal handling"),
    (r"\bsys\.settrace\b|\bsys\.setprofile\b|\bthreading\.settrace\b|sys\.monitoring", "installs a tracer"),
    (r"input_transformers|ast_transformers|\.events\.register|register_magic|set_custom_exc", "hooks IPython"),
    (r"\bbuiltins\b|__builtins__", "touches builtins"),
    (r"\b(np|numpy)\.(testing|allclose|array_equal|isclose)\s*=|setattr\(\s*(np|numpy)\b", "patches NumPy"),
    (
        r"\bcourse_utils\b[\w.]*\s*=[^=]|setattr\(\s*(course_utils|checks)|\bchecks\.\w+\s*=[^=]|CheckFailure\s*=",
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


@dataclass
class Job:
    """Everything a worker needs to grade one submission (plain data: it may travel to a Dask worker)."""

    lesson_id: str
    student_id: str
    folder: str
    source: dict
    notebook: dict | None = None
    problem: str = ""
    cell_timeout: float = 60.0
    timeout: float = 600.0
    memory_gb: float = 4.0
    isolate: bool | None = None


@dataclass
class Result:
    student_id: str
    folder: str
    lesson_id: str
    score: float
    max_score: float
    seconds: float
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    cells: list[CellResult] = field(default_factory=list)
    isolation: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    student_output: str = ""
    cell_errors: list[str] = field(default_factory=list)
    used_names: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Result:
        cells = [CellResult(**c) for c in data.pop("cells", [])]
        return cls(**data, cells=cells)


# ----------------------------------------------------------------------------- the lesson's structure


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


@dataclass
class LessonTests:
    """The trusted parts of a lesson, read from its source notebook."""

    locked: dict[str, str]
    tests: list[tuple[str, str, float]]
    solution_ids: list[str]

    @classmethod
    def from_source(cls, source: dict) -> LessonTests:
        locked, tests, solutions = {}, [], []
        for cell in source["cells"]:
            meta = _nbgrader(cell)
            gid = meta.get("grade_id")
            if not gid or cell.get("cell_type") != "code":
                continue
            if meta.get("grade"):
                tests.append((gid, _source(cell), float(meta.get("points", 0))))
            elif meta.get("solution"):
                solutions.append(gid)
            elif meta.get("locked"):
                locked[gid] = _source(cell)
        return cls(locked, tests, solutions)

    @property
    def max_score(self) -> float:
        return sum(points for _, _, points in self.tests)


def student_program(notebook: dict, lesson: LessonTests) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The code to run in the sandbox, in the student's order, and the student's answer cells by id.

    Locked cells (the setup) are restored from the source, even if deleted; the student's copies of
    test cells are skipped, whatever their metadata says, because the tests run in the grader.
    """
    test_ids = {gid for gid, _, _ in lesson.tests}
    test_sources = {src.strip() for _, src, _ in lesson.tests}
    program: list[tuple[str, str]] = []
    answers: dict[str, str] = {}
    restored: set[str] = set()
    for index, cell in enumerate(notebook.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        gid = _nbgrader(cell).get("grade_id")
        source = _source(cell)
        if gid in test_ids or source.strip() in test_sources:
            continue
        if gid in lesson.locked:
            if gid not in restored:
                program.append((gid, lesson.locked[gid]))
                restored.add(gid)
            continue
        if gid in lesson.solution_ids:
            answers[gid] = source
        program.append((str(gid or f"cell {index + 1}"), source))
    missing = [(gid, src) for gid, src in lesson.locked.items() if gid not in restored]
    return missing + program, answers


def flags_for(program: list[tuple[str, str]], lesson: LessonTests) -> list[str]:
    """Human-readable reasons to review a submission by hand."""
    found = []
    for label, source in program:
        if label in lesson.locked:
            continue
        for pattern, what in SUSPICIOUS:
            if re.search(pattern, source) and what not in found:
                found.append(what)
    return found


# ----------------------------------------------------------------------------- one submission


def grade_submission(job: Job) -> Result:
    """Grade one submission from start to end; never raises for anything the student did."""
    from grader.sandbox.client import Sandbox, SandboxDied, SandboxTimeout, can_isolate
    from grader.trusted import StudentNamespace, run_test_cell, trusted_setup

    start = time.perf_counter()
    lesson = LessonTests.from_source(job.source)
    result = Result(job.student_id, job.folder, job.lesson_id, 0.0, lesson.max_score, 0.0)
    if job.problem or job.notebook is None:
        result.reason = job.problem or "no notebook"
        result.cells = [CellResult(gid, 0.0, pts, result.reason) for gid, _, pts in lesson.tests]
        return result
    isolate = can_isolate() if job.isolate is None else job.isolate
    result.isolation = "sandboxed (namespaces, no network, unprivileged)" if isolate else "memory limit only (not root)"
    program, result.answers = student_program(job.notebook, lesson)
    result.flags = flags_for(program, lesson)
    deadline = start + job.timeout
    bad_cells: set[int] = set()
    notes: list[str] = []

    def remaining() -> float:
        return max(0.0, deadline - time.perf_counter())

    def boot() -> Sandbox:
        """A fresh sandbox with every student cell replayed, except cells that crashed or hung before."""
        sandbox = Sandbox(memory_gb=job.memory_gb, isolate=isolate)
        sandbox.start()
        for index, (label, source) in enumerate(program):
            if index in bad_cells:
                continue
            if remaining() <= 0:
                raise SandboxTimeout("the notebook ran past its total time limit")
            # the lesson's own setup (importing TensorFlow) is not the student's code: it gets the notebook's time
            limit = remaining() if label in lesson.locked else min(job.cell_timeout, remaining())
            try:
                reply = sandbox.run_cell(source, timeout=limit)
            except SandboxTimeout:
                bad_cells.add(index)
                notes.append(f"cell '{label}' ran past the {job.cell_timeout:g} s cell limit and was skipped")
                if not sandbox.alive:
                    sandbox.close()
                    return boot()
                continue
            except SandboxDied as err:
                bad_cells.add(index)
                notes.append(f"cell '{label}' crashed the sandbox ({err}) and was skipped")
                sandbox.close()
                return boot()
            if not reply.get("ok"):
                error = " ".join(str(reply.get("error", "")).split())[:300]
                result.cell_errors.append(f"cell '{label}' raised {error}")
        return sandbox

    base = trusted_setup(next(iter(lesson.locked.values()), "")) if lesson.locked else {}
    sandbox = None
    try:
        sandbox = boot()
        namespace = StudentNamespace(base, sandbox, job.cell_timeout)
        for gid, source, points in lesson.tests:
            if remaining() <= 0:
                result.cells.append(CellResult(gid, 0.0, points, "the notebook ran past its total time limit"))
                continue
            if not sandbox.alive:
                sandbox.close()
                sandbox = boot()
                namespace.rebind(sandbox)
            passed, reason, output = run_test_cell(source, namespace, min(job.cell_timeout, remaining()))
            result.used_names += [name for name in namespace.fetched if name not in result.used_names]
            result.cells.append(
                CellResult(gid, points if passed else 0.0, points, reason[:MESSAGE_CAP], output[-MESSAGE_CAP:])
            )
    except SandboxTimeout as err:
        done = {c.grade_id for c in result.cells}
        result.cells += [CellResult(g, 0.0, p, str(err)) for g, _, p in lesson.tests if g not in done]
    finally:
        if sandbox is not None:
            out, err = sandbox.stdout.take(), sandbox.stderr.take()
            result.student_output = _head_and_tail(out, MESSAGE_CAP // 2)
            if err:
                result.student_output += "\n[stderr]\n" + _head_and_tail(err, MESSAGE_CAP // 2 - 20)
            sandbox.close()
    if any("crashed" in n for n in notes):
        result.flags.append("crashed the sandbox")
    if any("cell limit" in n for n in notes) or any("did not return within" in c.reason for c in result.cells):
        result.flags.append("ran past the time limit")
    result.cell_errors = result.cell_errors[:50]
    result.reason = "; ".join(dict.fromkeys(notes))[:MESSAGE_CAP]
    result.score = sum(c.points for c in result.cells)
    result.seconds = round(time.perf_counter() - start, 2)
    return result


def _head_and_tail(text: str, limit: int) -> str:
    """At most ``limit`` characters: the start and the end of ``text``, the middle cut."""
    if len(text) <= limit:
        return text
    half = (limit - 20) // 2
    return f"{text[:half]}\n[… cut …]\n{text[-half:]}"


# ----------------------------------------------------------------------------- a class of submissions


def _safe_extract(archive: Path, target: Path) -> Path:
    """Unzip student folders, refusing absolute paths, '..', links and oversized archives."""
    with zipfile.ZipFile(archive) as zf:
        total = 0
        for info in zf.infolist():
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or (info.external_attr >> 28) == 0o12:
                continue
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                raise ValueError(f"{archive} unpacks to more than {MAX_ZIP_BYTES // 1024**3} GB")
            zf.extract(info, target)
    entries = [p for p in target.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir() and not any(entries[0].glob("*.ipynb")):
        return entries[0]  # a zip of one folder that holds the student folders
    return target


def read_notebook(path: Path) -> tuple[dict | None, str]:
    """The notebook at ``path`` or a reason it cannot be graded."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return None, f"the notebook is {size / 1024**2:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 1024**2} MB limit"
        text = path.read_bytes().decode("utf-8")
        notebook = json.loads(text)
    except UnicodeDecodeError:
        return None, "the notebook is not UTF-8 text: it is damaged or not a notebook"
    except json.JSONDecodeError as err:
        return None, f"the notebook is not valid JSON ({err.msg} at line {err.lineno}): it is damaged"
    except OSError as err:
        return None, f"the notebook cannot be read ({err.strerror})"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        version = notebook.get("nbformat") if isinstance(notebook, dict) else None
        if isinstance(version, int) and version < 4:
            return None, f"old notebook format (nbformat {version}): open and save it in JupyterLab, then resubmit"
        return None, "the file is JSON but not a Jupyter notebook (no list of cells)"
    version = notebook.get("nbformat")
    if not isinstance(version, int) or version < 4:
        return None, f"old or unknown notebook format (nbformat {version!r}): save it again in JupyterLab"
    return notebook, ""


def collect_jobs(lesson: Lesson, submissions: Path, **limits: Any) -> list[Job]:
    """One job per student folder in ``submissions`` (a folder, or a .zip of folders)."""
    source = json.loads(lesson.source.read_text(encoding="utf-8"))
    jobs = []
    expected = f"{lesson.lesson_id}.ipynb"
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))):
        student_id = folder.name if STUDENT_ID.match(folder.name) else re.sub(r"[^A-Za-z0-9_.@+-]", "_", folder.name)
        job = Job(lesson.lesson_id, student_id.lstrip("_.") or "unnamed", folder.name, source, **limits)
        if student_id != folder.name:
            job.problem = f"the folder name {folder.name!r} is not a valid student id"
        path = folder / expected
        if job.problem:
            pass
        elif path.is_file():
            job.notebook, job.problem = read_notebook(path)
        else:
            others = sorted(p.name for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            job.problem = (
                f"wrong file name: found {', '.join(others)}; expected {expected}"
                if others
                else f"no notebook submitted (expected {expected})"
            )
        jobs.append(job)
    return jobs


def run_jobs(jobs: list[Job], workers: int, scheduler: str | None = None) -> Iterator[Result]:
    """Grade ``jobs`` in parallel, yielding results as they finish."""
    if scheduler:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed

        with Client(scheduler) as client:
            futures = client.map(grade_submission, jobs, pure=False, key=[f"grade-{j.student_id}" for j in jobs])
            for future in dask_completed(futures):
                yield future.result()
        return
    if workers <= 1:
        for job in jobs:
            yield grade_submission(job)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(grade_submission, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


# ----------------------------------------------------------------------------- recording


def needs_review(result: Result) -> bool:
    """True when an instructor should look at a submission: it was flagged, or could not be graded normally."""
    return bool(result.flags or result.reason)


class ClassWorkspace:
    """The grading workspace: nbgrader's course directory and gradebook, plus our JSON records."""

    def __init__(self, root: Path) -> None:
        self.ws = Workspace(root)
        self.root = self.ws.root
        self.results_dir = self.root / "results"

    def prepare(self, lesson: Lesson) -> None:
        """Register the lesson in the gradebook (``nbgrader generate_assignment``), once per source version."""
        stamp = self.root / "source" / lesson.lesson_id / ".source-sha"
        digest = _digest(lesson.source.read_bytes())
        if stamp.exists() and stamp.read_text() == digest and (self.root / "gradebook.db").exists():
            return
        self.ws.generate(lesson)
        stamp.write_text(digest)

    def record(self, lesson: Lesson, result: Result) -> None:
        """Write one result: gradebook scores, the autograded notebook and the JSON record."""
        import warnings

        from nbgrader.api import Gradebook, MissingEntry

        with warnings.catch_warnings(), Gradebook(self.ws.db_url) as gb:
            warnings.simplefilter("ignore")  # SQLAlchemy chatter inside nbgrader's own API
            gb.update_or_create_student(result.student_id)
            try:
                gb.remove_submission(lesson.lesson_id, result.student_id)
            except MissingEntry:
                pass
            submission = gb.add_submission(lesson.lesson_id, result.student_id)
            by_id = {c.grade_id: c for c in result.cells}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    cell = by_id.get(grade.name)
                    grade.auto_score = cell.points if cell is not None else 0.0
                    # formgrader's "needs manual grading": only the submissions an instructor should look at
                    grade.needs_manual_grade = needs_review(result)
            gb.db.commit()
        out = self.results_dir / lesson.lesson_id
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{result.student_id}.json").write_text(json.dumps(result.to_json(), indent=1), encoding="utf-8")
        self._write_autograded(lesson, result)

    def _write_autograded(self, lesson: Lesson, result: Result) -> None:
        """The lesson with the student's answers and each test cell's verdict, for nbgrader's formgrader."""
        nb = json.loads(lesson.source.read_text(encoding="utf-8"))
        by_id = {c.grade_id: c for c in result.cells}
        for cell in nb["cells"]:
            meta = _nbgrader(cell)
            gid = meta.get("grade_id")
            if cell.get("cell_type") != "code":
                continue
            cell["outputs"], cell["execution_count"] = [], None
            if meta.get("solution"):
                cell["source"] = result.answers.get(gid, "# (no answer submitted)\n")
            elif gid in by_id:
                verdict = by_id[gid]
                if verdict.reason:
                    cell["outputs"] = [
                        {
                            "output_type": "error",
                            "ename": "TestFailed",
                            "evalue": verdict.reason,
                            "traceback": verdict.reason.splitlines(),
                        }
                    ]
                else:
                    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": verdict.output}]
        target = self.root / "autograded" / result.student_id / lesson.lesson_id
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{lesson.lesson_id}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")

    def results(self, lesson_id: str | None = None) -> list[Result]:
        folders = [self.results_dir / lesson_id] if lesson_id else sorted(self.results_dir.glob("*"))
        found = []
        for folder in folders:
            for path in sorted(folder.glob("*.json")):
                found.append(Result.from_json(json.loads(path.read_text(encoding="utf-8"))))
        return found


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------- export and feedback


def export_csv(workspace: Path, target: Path) -> int:
    """One row per student and lesson; returns the number of rows."""
    import csv

    rows = ClassWorkspace(workspace).results()
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", "score", "max_score", "reason", "flags", "seconds", "folder"])
        for r in sorted(rows, key=lambda r: (r.lesson_id, r.student_id)):
            writer.writerow(
                [
                    r.student_id,
                    r.lesson_id,
                    f"{r.score:g}",
                    f"{r.max_score:g}",
                    r.reason,
                    "; ".join(r.flags),
                    f"{r.seconds:.1f}",
                    r.folder,
                ]
            )
    return len(rows)


FEEDBACK_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
.ok{color:#1a7f37}.lost{color:#b42318}pre{white-space:pre-wrap;background:#f6f8fa;padding:.5rem;margin:0;font-size:.85rem}
"""


def feedback_html(result: Result) -> str:
    """A bounded, escaped page: the student's results and failure messages, never a test's source."""
    rows = []
    for cell in result.cells:
        status = "ok" if cell.points == cell.max_points else "lost"
        detail = html.escape(cell.reason[:MESSAGE_CAP]) if cell.reason else "all checks passed"
        rows.append(
            f"<tr><td>{html.escape(cell.grade_id.removeprefix('test_'))}</td>"
            f"<td class='{status}'>{cell.points:g} / {cell.max_points:g}</td><td><pre>{detail}</pre></td></tr>"
        )
    note = f"<p>Note: {html.escape(result.reason[:MESSAGE_CAP])}</p>" if result.reason else ""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(result.lesson_id)} feedback"
        f"</title><style>{FEEDBACK_STYLE}</style></head><body><h1>{html.escape(result.lesson_id)}: "
        f"{result.score:g} / {result.max_score:g}</h1><p>Student: {html.escape(result.student_id)}</p>{note}"
        f"<table><tr><th>exercise</th><th>points</th><th>what the tests found</th></tr>{''.join(rows)}</table>"
        "</body></html>"
    )


def write_feedback(workspace: Path, lesson_id: str) -> list[Path]:
    space = ClassWorkspace(workspace)
    written = []
    for result in space.results(lesson_id):
        target = space.root / "feedback" / result.student_id / lesson_id / f"{lesson_id}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(feedback_html(result), encoding="utf-8")
        written.append(target)
    return written


# ----------------------------------------------------------------------------- the command


def autograde_class(
    lesson: Lesson,
    submissions: Path,
    workspace: Path,
    *,
    workers: int,
    cell_timeout: float,
    timeout: float,
    memory_gb: float,
    scheduler: str | None = None,
    progress: bool = True,
) -> list[Result]:
    """Grade every student folder for ``lesson``; record each result as it arrives."""
    space = ClassWorkspace(workspace)
    space.prepare(lesson)
    unzipped = None
    if submissions.is_file() and submissions.suffix == ".zip":
        unzipped = Path(tempfile.mkdtemp(prefix="submissions-"))
        submissions = _safe_extract(submissions, unzipped)
    try:
        jobs = collect_jobs(lesson, submissions, cell_timeout=cell_timeout, timeout=timeout, memory_gb=memory_gb)
        results = []
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(jobs), unit="notebook", desc=f"grading {lesson.lesson_id}")
        for result in run_jobs(jobs, workers, scheduler):
            space.record(lesson, result)
            results.append(result)
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
    finally:
        if unzipped is not None:
            shutil.rmtree(unzipped, ignore_errors=True)
    return sorted(results, key=lambda r: r.student_id)


def summary_table(results: list[Result]) -> str:
    lines = [f"{'student':<20} {'score':>6} {'max':>5} {'seconds':>8}  flags / reason"]
    for r in results:
        why = "; ".join(r.flags) or (r.reason if r.score == 0 else "")
        lines.append(f"{r.student_id[:20]:<20} {r.score:>6g} {r.max_score:>5g} {r.seconds:>8.1f}  {why[:90]}")
    return "\n".join(lines)
