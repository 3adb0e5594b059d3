"""``python -m grader collect LESSON --from DOWNLOAD --to FOLDER``: one folder per student from an LMS download.

``DOWNLOAD`` is a .zip or an unpacked folder in one of these layouts (mixed layouts work too):

- Canvas "Download Submissions": flat files ``<sortablename>[_LATE]_<userid>_<submissionid>_<file name>``,
  where Canvas appends ``-1``, ``-2`` to a re-uploaded file's name. Student id: the sortable name (``smithjane``).
- Moodle "Download all submissions": ``<Full Name>_<participantid>_assignsubmission_file_/<file>`` (or the same
  prefix on flat files). Student id: the full name slugified (``jane_smith``).
- One folder per student already: ``<student_id>/<files>``, copied as is.

It writes ``FOLDER/<student_id>/<LESSON>.ipynb``, the layout ``python -m grader autograde`` reads. Two students
with the same id get their LMS id appended. Nothing is dropped silently: other files are copied into the
student's folder (autograde then reports "wrong file name" when the lesson's notebook is missing), files of
unknown owner go to ``FOLDER/__unmatched__/``, and every entry is listed in the printed report and in
``FOLDER/collect-report.csv`` (which also keeps Canvas's late flags).
"""

from __future__ import annotations

import csv
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from grader.intake import STUDENT_ID
from grader.zips import ZipRefused, safe_members

CANVAS = re.compile(r"^(?P<name>[^_]+?)(?P<late>_LATE)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$")
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
UNMATCHED = "__unmatched__"
REPORT = "collect-report.csv"


class CollectError(RuntimeError):
    """The download cannot be collected; the message says what to do."""


@dataclass
class Entry:
    """One file of the download: its '/'-separated path inside it and how to read its bytes."""

    path: str
    read: Callable[[], bytes]
    link: bool = False


@dataclass
class Item:
    """One file of the download, attributed (or not) to a student."""

    entry: Entry
    layout: str  # canvas, moodle, folder, unmatched or ignored
    name: str = ""  # the student as the LMS names them: sortable name, full name or folder name
    lms_id: str = ""
    file: str = ""  # the file's path inside the student's submission
    late: bool = False
    order: tuple[int, int] = (0, 0)  # Canvas: (submission id, -N suffix), newest highest
    student: str = ""


@dataclass
class Row:
    """One line of the report: which entry went where, and anything the instructor should know."""

    student: str
    entry: str
    saved_as: str
    note: str
    late: bool = False
    todo: str = ""


# ----------------------------------------------------------------------------- reading the download


def _zip_entries(archive: zipfile.ZipFile, source: Path) -> list[Entry]:
    """The files of the zip, refused as a whole by the zip policy (:func:`grader.zips.safe_members`)."""
    try:
        members = safe_members(archive, source)
    except ZipRefused as err:
        advice = (
            "An LMS download never holds such entries: download the submissions again from the LMS, or unzip the "
            "file yourself, inspect it and pass the folder with --from."
            if err.unsafe
            else "Is it the right download?"
        )
        raise CollectError(f"{err}. {advice}") from err
    return [Entry(path, lambda info=info: archive.read(info)) for info, path in members if not info.is_dir()]


def _folder_entries(folder: Path) -> list[Entry]:
    return [
        Entry(path.relative_to(folder).as_posix(), path.read_bytes, path.is_symlink())
        for path in sorted(folder.rglob("*"))
        if path.is_file() or path.is_symlink()
    ]


@contextmanager
def open_download(source: Path) -> Iterator[list[Entry]]:
    """The files of a .zip or a folder, readable while the context is open."""
    if source.is_dir():
        yield _folder_entries(source)
        return
    if not source.is_file():
        raise CollectError(
            f"no such file or folder: {source}. Pass the .zip your LMS gave you, or its unpacked folder."
        )
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as err:
        raise CollectError(
            f"{source} is not a readable zip ({err}): download it again, or unzip it and pass the folder"
        ) from err
    with archive:
        yield _zip_entries(archive, source)


# ----------------------------------------------------------------------------- whose file is it


def slugify(name: str) -> str:
    """A student id from a person's name: 'José Núñez' → 'jose_nunez' (ASCII letters, digits and '_')."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:64]


def _is_junk(parts: list[str]) -> bool:
    return parts[0] == "__MACOSX" or parts[-1] in JUNK_NAMES or parts[-1].startswith("._")


def strip_wrapper(entries: list[Entry]) -> list[Entry]:
    """Drop one enclosing folder that only wraps the real layout (a zip of the download's folder)."""
    real = [e for e in entries if not _is_junk(e.path.split("/"))]
    tops = {e.path.split("/")[0] for e in real}
    if len(tops) != 1 or any("/" not in e.path for e in real):
        return entries
    top = tops.pop()
    inner = [e.path.split("/", 1)[1] for e in real]
    direct = [p for p in inner if "/" not in p]
    wraps = not any(p.endswith(".ipynb") for p in direct) or any(CANVAS.match(p) or MOODLE.match(p) for p in direct)
    if MOODLE.match(top) or not wraps:
        return entries
    return [Entry(e.path.split("/", 1)[1], e.read, e.link) if e.path.startswith(f"{top}/") else e for e in entries]


def classify(entry: Entry) -> Item:
    """Say which layout an entry follows and whose it is."""
    parts = entry.path.split("/")
    if entry.link:
        return Item(entry, "link", file=entry.path)
    if _is_junk(parts):
        return Item(entry, "ignored", file=entry.path)
    moodle = MOODLE.match(parts[0])
    if moodle and (len(parts) > 1 or moodle["file"]):
        file = "/".join(parts[1:]) if len(parts) > 1 else moodle["file"]
        return Item(entry, "moodle", moodle["name"], moodle["uid"], file)
    if len(parts) > 1 and not parts[0].startswith((".", "__")):
        return Item(entry, "folder", parts[0], "", "/".join(parts[1:]))
    canvas = CANVAS.match(parts[0]) if len(parts) == 1 else None
    if canvas:
        order = (int(canvas["sid"]), 0)
        return Item(entry, "canvas", canvas["name"], canvas["uid"], canvas["file"], bool(canvas["late"]), order)
    return Item(entry, "unmatched", file=entry.path)


def _base_id(item: Item) -> str:
    if item.layout == "folder" and STUDENT_ID.match(item.name):
        return item.name
    return slugify(item.name) or (f"student_{item.lms_id}" if item.lms_id else "student")


def assign_ids(items: list[Item]) -> None:
    """Give every attributed item its student id; people who would share one get their LMS id appended."""
    people: dict[str, list[tuple[str, str, str]]] = {}
    for item in items:
        if item.layout in ("canvas", "moodle", "folder"):
            who = (item.layout, item.name, item.lms_id)
            people.setdefault(_base_id(item), [])
            if who not in people[_base_id(item)]:
                people[_base_id(item)].append(who)
    final: dict[tuple[str, str, str], str] = {}
    for base, group in people.items():
        for number, who in enumerate(sorted(group), start=1):
            final[who] = base if len(group) == 1 else f"{base}_{who[2] or number}"
    for item in items:
        item.student = final.get((item.layout, item.name, item.lms_id), "")


# ----------------------------------------------------------------------------- where each file goes


def _canvas_number(file: str, lesson_id: str) -> int | None:
    """0 for '<lesson>.ipynb', N for Canvas's re-upload name '<lesson>-N.ipynb', None for any other name."""
    if file == f"{lesson_id}.ipynb":
        return 0
    match = re.fullmatch(rf"{re.escape(lesson_id)}-(\d+)\.ipynb", file)
    return int(match[1]) if match else None


def _pick(items: list[Item], lesson_id: str) -> Item | None:
    """The student's notebook to grade: '<lesson>.ipynb' (for Canvas, the newest upload of it)."""
    candidates = []
    for item in items:
        number = _canvas_number(item.file, lesson_id) if item.layout == "canvas" else None
        if number is not None:
            item.order = (item.order[0], number)
            candidates.append(item)
        elif item.file == f"{lesson_id}.ipynb":
            candidates.append(item)
    return max(candidates, key=lambda item: item.order) if candidates else None


def _unique(taken: set[str], path: str) -> str:
    stem, dot, ext = path.rpartition(".") if "." in path.rsplit("/", 1)[-1] else (path, "", "")
    candidate, number = path, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem} ({number}){dot}{ext}"
    taken.add(candidate)
    return candidate


def plan_student(student: str, items: list[Item], lesson_id: str) -> list[Row]:
    """The report rows for one student, the graded notebook first; ``saved_as`` is relative to the target."""
    expected = f"{lesson_id}.ipynb"
    graded = _pick(items, lesson_id)
    several = graded is not None and sum(_is_notebook(i.file) for i in items) > 1
    taken = {expected} if graded else set()
    rows = []
    for item in sorted(items, key=lambda i: (i is not graded, i.entry.path)):
        notes = ["late" if item.late else "", "" if rows else _id_note(item, student)]
        if item is graded:
            saved = f"{student}/{expected}"
            notes += [f"renamed from {item.file}" if item.file != expected else "", "several files" if several else ""]
        else:
            saved = f"{student}/{_unique(taken, item.file)}"
            notes.append(_why_not_graded(item, graded, lesson_id))
        rows.append(Row(student, item.entry.path, saved, "; ".join(n for n in notes if n), item.late))
    rows[0].todo = _student_todo(student, rows, graded is not None, lesson_id)
    return rows


def _is_notebook(path: str) -> bool:
    return path.endswith(".ipynb") and ".ipynb_checkpoints" not in path.split("/")


def _student_todo(student: str, rows: list[Row], has_graded: bool, lesson_id: str) -> str:
    """What the instructor should check for this student, or ''."""
    graded = f"{student}/{lesson_id}.ipynb"
    others = [r.saved_as for r in rows if r.saved_as != graded and _is_notebook(r.saved_as)]
    if has_graded and others:
        return f"{student} handed in {len(others) + 1} notebooks: check that {graded} is the one to grade"
    if others:
        which = "it" if len(others) == 1 else "the one to grade"
        return (
            f"{student} has no {lesson_id}.ipynb but {', '.join(others)}: rename {which} to {graded}, "
            "or autograde gives 0 ('wrong file name')"
        )
    if not has_graded:
        return f"{student} handed in no notebook: autograde gives 0 ('no notebook submitted'); check the LMS"
    return ""


def _id_note(item: Item, student: str) -> str:
    if student == item.name:
        return ""
    if student != _base_id(item):
        return f"another student is also {_base_id(item)!r}: id made unique"
    return f"student id from {item.name!r}"


def _why_not_graded(item: Item, graded: Item | None, lesson_id: str) -> str:
    if ".ipynb_checkpoints" in item.file.split("/"):
        return "not graded: Jupyter's autosave copy"
    if graded is not None and _canvas_number(item.file, lesson_id) is not None and item.layout == "canvas":
        return "not graded: an older upload of the notebook"
    if item.file.endswith(".ipynb"):
        return "not graded: wrong file name" if graded is None else "not graded: several files"
    return "not graded: not a notebook"


def plan(items: list[Item], lesson_id: str) -> list[Row]:
    """Every row of the report: students first, then files of unknown owner, then ignored files."""
    assign_ids(items)
    by_student: dict[str, list[Item]] = {}
    for item in items:
        if item.student:
            by_student.setdefault(item.student, []).append(item)
    rows = []
    for student in sorted(by_student):
        rows += plan_student(student, by_student[student], lesson_id)
    for item in items:
        if item.layout == "unmatched":
            saved = f"{UNMATCHED}/{item.entry.path}"
            todo = f"whose is {item.entry.path}? If it is a submission, move {saved} to <student_id>/{lesson_id}.ipynb"
            rows.append(
                Row(
                    "?", item.entry.path, saved, "unknown owner: not a Canvas, Moodle or student-folder name", todo=todo
                )
            )
    for item in items:
        if item.layout == "link":
            todo = f"{item.entry.path} is a symbolic link: if it is a submission, copy the file it points to by hand"
            rows.append(Row("-", item.entry.path, "", "not copied: a symbolic link", todo=todo))
    ignored = [item for item in items if item.layout == "ignored"]
    if ignored:
        rows.append(
            Row(
                "-",
                f"{len(ignored)} file(s) such as {ignored[0].entry.path}",
                "",
                "ignored: macOS or Windows folder metadata, not anyone's work",
            )
        )
    return rows


# ----------------------------------------------------------------------------- writing


def _check_targets(rows: list[Row], target: Path, force: bool) -> list[Path]:
    folders = sorted({target / row.saved_as.split("/")[0] for row in rows if row.saved_as})
    existing = [folder for folder in folders if folder.exists()]
    if existing and not force:
        shown = ", ".join(f.name for f in existing[:8]) + (" …" if len(existing) > 8 else "")
        raise CollectError(
            f"{len(existing)} student folder(s) already exist in {target} ({shown}); nothing was written. "
            "Pass --force to replace them, or collect into an empty folder (one folder per lesson)."
        )
    return existing


def write(rows: list[Row], items: list[Item], target: Path, force: bool = False) -> None:
    """Copy each entry to its place under ``target``; replace existing student folders only with ``force``."""
    for folder in _check_targets(rows, target, force):
        shutil.rmtree(folder) if folder.is_dir() else folder.unlink()
    by_entry = {item.entry.path: item.entry for item in items}
    for row in rows:
        if not row.saved_as:
            continue
        out = target / row.saved_as
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(by_entry[row.entry].read())
    with (target / REPORT).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "entry", "saved_as", "late", "note"])
        for row in rows:
            writer.writerow([row.student, row.entry, row.saved_as, "yes" if row.late else "", row.note])


def report(rows: list[Row], lesson_id: str, target: Path) -> str:
    """The table, what to do, and the next command."""
    header = ("student id", "source entry", "saved as", "note")
    table = [header, *((r.student, r.entry, r.saved_as, r.note) for r in rows)]
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    lines = ["  ".join(f"{cell:<{width}}" for cell, width in zip(line, widths)) + "  " + line[3] for line in table]
    lines = [line.rstrip() for line in lines]
    todos = [r.todo for r in rows if r.todo]
    if todos:
        lines += ["", "To do before grading:"] + [f"- {todo}" for todo in todos]
    students = sorted({r.student for r in rows if r.student not in ("?", "-")})
    ready = sum(r.saved_as == f"{r.student}/{lesson_id}.ipynb" for r in rows)
    late = sorted({r.student for r in rows if r.late})
    lines += [
        "",
        f"{len(students)} student(s) in {target}: {ready} with {lesson_id}.ipynb, {len(late)} late"
        + (f" ({', '.join(late)})" if late else "")
        + f". The report is in {target / REPORT}.",
        f"Next: python -m grader autograde {lesson_id} --submissions {target}",
    ]
    return "\n".join(lines)


def collect(lesson_id: str, source: Path, target: Path, force: bool = False) -> list[Row]:
    """Turn the download at ``source`` into ``target/<student_id>/<lesson_id>.ipynb``; returns the report rows."""
    if source.resolve() == target.resolve() or source.is_dir() and source.resolve() in target.resolve().parents:
        raise CollectError(f"--to {target} must be outside --from {source}: choose another target folder")
    if target.exists() and not target.is_dir():
        raise CollectError(f"--to {target} is a file: give a folder (it is created if missing)")
    with open_download(source) as entries:
        items = [classify(entry) for entry in strip_wrapper(entries)]
        if not any(item.layout in ("canvas", "moodle", "folder") for item in items):
            raise CollectError(
                f"found no submissions in {source}: expected Canvas or Moodle file names, or one folder per student. "
                "Check that it is the LMS's 'download all submissions' file."
            )
        rows = plan(items, lesson_id)
        target.mkdir(parents=True, exist_ok=True)
        write(rows, items, target, force)
    return rows
