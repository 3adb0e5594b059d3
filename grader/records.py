"""What grading one submission leaves: its record, and everything written from the records.

A :class:`Result` per submission (its :class:`~grader.workspace.CellResult` per test cell, its flags and its
reason) is kept as JSON under ``results/``; from it come nbgrader's gradebook and autograded notebooks
(:class:`ClassWorkspace`), the CSV export (:func:`export_csv`), the students' feedback pages
(:func:`write_feedback`) and the summary table. The flags and reasons the grader sets are defined here.
"""

from __future__ import annotations

import html
import json
import traceback
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from grader import cells
from grader.cells import HIDDEN_BEGIN, HIDDEN_END
from grader.lessons import Lesson
from grader.messages import FIELD_CAP, MESSAGE_CAP, SUMMARY_CAP, capped
from grader.time_limits import TimeLimits
from grader.workspace import CellResult, Workspace

#: Flags set by the grader itself (the code-pattern flags are :data:`grader.grading.SUSPICIOUS`).
COULD_NOT_GRADE = "could not grade"
SUBMITTED_A_LINK = "submitted a link"
TOO_LARGE = "notebook too large"
MALFORMED = "malformed notebook"
HARD_LINK = "notebook has other hard links"
NO_SANDBOX = "graded without a sandbox"
COULD_NOT_RECORD = "could not record"
CRASHED_THE_SANDBOX = "crashed the sandbox"
RAN_PAST_THE_TIME_LIMIT = "ran past the time limit"

#: A failure of the grader's own (not the student's) is tried this many times before "could not grade".
ATTEMPTS = 2

#: What an autograded notebook shows in place of each hidden-test block.
HIDDEN_PLACEHOLDER = "# hidden tests: run by the grader; see the result below"


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
    #: the sandbox's cost: seconds to start the first one, the most memory one held (from its cgroup)
    sandbox_start_seconds: float = 0.0
    sandbox_peak_mb: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Result:
        """A record written by this or an older grader (fields it does not know are ignored)."""
        data = dict(data)
        cell_fields = {f.name for f in fields(CellResult)}
        kept = [CellResult(**{k: v for k, v in c.items() if k in cell_fields}) for c in data.pop("cells", [])]
        known = {f.name for f in fields(cls)} - {"cells"}
        return cls(**{k: v for k, v in data.items() if k in known}, cells=kept)


@dataclass
class Failure:
    """A grading attempt that failed for a reason of the grader's own (plain data: it crosses processes)."""

    summary: str
    detail: str = ""

    @classmethod
    def of(cls, err: BaseException) -> Failure:
        """What went wrong, in one line (``summary``) and in full (``detail``, the traceback)."""
        try:
            message = " ".join(str(err).split())
            detail = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        except Exception:  # an exception that cannot even be printed
            message, detail = "", ""
        summary = f"{type(err).__name__}: {message}" if message else type(err).__name__
        return cls(capped(summary, SUMMARY_CAP), capped(detail, MESSAGE_CAP, tail=True))


def needs_review(result: Result) -> bool:
    """True when an instructor should look at a submission: it was flagged, or could not be graded normally."""
    return bool(result.flags or result.reason)


def without_hidden_tests(source: str) -> str:
    """``source`` with every ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` block replaced by one comment.

    A block left open runs to the end of the cell, and is removed to the end.
    """
    kept, hidden = [], False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if not hidden and stripped.startswith(HIDDEN_BEGIN):
            hidden = True
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(f"{indent}{HIDDEN_PLACEHOLDER}\n")
        elif hidden and stripped.startswith(HIDDEN_END):
            hidden = False
        elif not hidden:
            kept.append(line)
    return "".join(kept)


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
        """Write one result: gradebook scores, the autograded notebook and, always, the JSON record.

        A gradebook or autograded-notebook write that fails is noted in the record (flag "could not
        record") instead of stopping the class; only a JSON record that cannot be written raises.
        """
        problems = []
        for what, step in (("gradebook", self._write_gradebook), ("autograded notebook", self._write_autograded)):
            try:
                step(lesson, result)
            except Exception as err:
                problems.append(f"could not write the {what} ({Failure.of(err).summary})")
        if problems:
            if COULD_NOT_RECORD not in result.flags:
                result.flags.append(COULD_NOT_RECORD)
            result.reason = capped("; ".join([result.reason, *problems] if result.reason else problems))
        self.write_json(lesson, result)

    def write_json(self, lesson: Lesson, result: Result) -> Path:
        out = self.results_dir / lesson.lesson_id
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{result.student_id}.json"
        target.write_text(json.dumps(result.to_json(), indent=1), encoding="utf-8")
        return target

    def _write_gradebook(self, lesson: Lesson, result: Result) -> None:
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

    def _write_autograded(self, lesson: Lesson, result: Result) -> None:
        """The lesson with the student's answers and each test cell's verdict, for nbgrader's formgrader.

        nbgrader's "Generate feedback" turns this notebook into the students' feedback, so it holds what a
        student may see: the visible tests, each test cell's verdict (its student-safe reason, or what it
        printed) and no hidden test: each hidden block is one comment line (:func:`without_hidden_tests`).
        """
        nb = json.loads(lesson.source.read_text(encoding="utf-8"))
        by_id = {c.grade_id: c for c in result.cells}
        for cell in nb["cells"]:
            gid = cells.grade_id(cell)
            source = cells.source(cell)
            if HIDDEN_BEGIN in source:
                cell["source"] = without_hidden_tests(source)
            if cell.get("cell_type") != "code":
                continue
            cell["outputs"], cell["execution_count"] = [], None
            if cells.is_answer(cell):
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
                    capped(r.reason),
                    capped("; ".join(r.flags)),
                    f"{r.seconds:.1f}",
                    capped(r.folder, FIELD_CAP),
                ]
            )
    return len(rows)


FEEDBACK_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
.ok{color:#1a7f37}.lost{color:#b42318}pre{white-space:pre-wrap;background:#f6f8fa;padding:.5rem;margin:0;font-size:.85rem}
"""


def feedback_html(result: Result) -> str:
    """A bounded, escaped page: the student's results and failure messages, never a test's source.

    Only each cell's ``reason`` (written for students) is shown, never its ``detail`` (the instructor's,
    in the JSON record); a submission the grader could not grade says so, without the grader's error.
    """
    rows = []
    for cell in result.cells:
        status = "ok" if cell.points == cell.max_points else "lost"
        found = html.escape(capped(cell.reason)) if cell.reason else "all checks passed"
        rows.append(
            f"<tr><td>{html.escape(capped(cell.grade_id.removeprefix('test_'), FIELD_CAP))}</td>"
            f"<td class='{status}'>{cell.points:g} / {cell.max_points:g}</td><td><pre>{found}</pre></td></tr>"
        )
    if COULD_NOT_GRADE in result.flags:
        said = "your submission could not be graded automatically; your instructor will review it"
    else:
        said = result.reason
    note = f"<p>Note: {html.escape(capped(said))}</p>" if said else ""
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


def summary_table(results: list[Result], limits: TimeLimits | None = None) -> str:
    """One row per student (score, seconds, flags or the reason of a 0), then the time limits used, if given."""
    lines = [f"{'student':<20} {'score':>6} {'max':>5} {'seconds':>8}  flags / reason"]
    for r in results:
        why = "; ".join(r.flags) or (r.reason if r.score == 0 else "")
        lines.append(f"{r.student_id[:20]:<20} {r.score:>6g} {r.max_score:>5g} {r.seconds:>8.1f}  {why[:FIELD_CAP]}")
    if limits is not None:
        lines += ["", limits.describe()]
    return "\n".join(lines)
