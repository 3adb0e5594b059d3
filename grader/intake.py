"""Reading a class's submissions: one :class:`Job` per student folder, each notebook read safely and checked.

For each student folder ``DIR/<student_id>/<LESSON>.ipynb`` the notebook is read without following links
(:func:`read_notebook`), within :data:`MAX_NOTEBOOK_BYTES` and :data:`MAX_CELLS`, and its structure is
checked (:func:`validate_notebook`). Anything wrong costs that submission (a problem: 0 points, a reason,
a flag), never the class.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.lessons import Lesson
from grader.messages import FIELD_CAP, capped
from grader.records import (
    ATTEMPTS,
    COULD_NOT_GRADE,
    HARD_LINK,
    MALFORMED,
    SUBMITTED_A_LINK,
    TOO_LARGE,
    Failure,
)
from grader.time_limits import time_limits

#: A submitted notebook over this many bytes is not read (0, flagged "notebook too large").
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
#: A submitted notebook with more cells is not graded (0, flagged "notebook too large").
MAX_CELLS = 2000

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")


@dataclass
class Job:
    """Everything a worker needs to grade one submission (plain data: it may travel to a Dask worker).

    ``cell_timeout`` and ``timeout`` left out are the lesson's defaults (:func:`time_limits`).
    """

    lesson_id: str
    student_id: str
    folder: str
    source: dict
    notebook: dict | None = None
    problem: str = ""
    cell_timeout: float | None = None
    timeout: float | None = None
    memory_gb: float = 4.0
    no_sandbox: bool = False
    #: flags found while reading the submission (a link, too large, …), copied into the result
    flags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        limits = time_limits(self.lesson_id, self.cell_timeout, self.timeout)
        self.cell_timeout, self.timeout = limits.cell, limits.notebook


# ----------------------------------------------------------------------------- a submitted notebook's structure


class NotebookRefused(ValueError):
    """A submission that cannot be graded as it is: 0 points, ``reason`` for everyone, ``flag`` for review."""

    def __init__(self, reason: str, flag: str = "") -> None:
        super().__init__(reason)
        self.reason, self.flag = reason, flag


def _is_text(value: object) -> bool:
    """A str that can be written as UTF-8 (no lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(value: object) -> str:
    return {dict: "a dictionary", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def validate_notebook(notebook: object) -> dict:
    """The parts of a submitted notebook the grader uses, checked; raises :class:`NotebookRefused`.

    Returns a new, small notebook: ``nbformat`` and, per cell, ``cell_type``, ``source`` (one string) and
    ``metadata.nbgrader.grade_id`` only, so nothing else of what the student sent (outputs, attachments,
    deep metadata) travels to the grading process. Cells are numbered from 1 in the messages.
    """
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        version = notebook.get("nbformat") if isinstance(notebook, dict) else None
        if isinstance(version, int) and version < 4:
            raise NotebookRefused(
                f"old notebook format (nbformat {version}): open and save it in JupyterLab, then resubmit"
            )
        raise NotebookRefused("the file is JSON but not a Jupyter notebook (no list of cells)", MALFORMED)
    version = notebook.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool) or version < 4:
        shown = repr(version) if isinstance(version, (int, float, type(None))) or _is_text(version) else _kind(version)
        raise NotebookRefused(f"old or unknown notebook format (nbformat {shown[:20]}): save it again in JupyterLab")
    cells = notebook["cells"]
    if len(cells) > MAX_CELLS:
        raise NotebookRefused(f"the notebook has {len(cells):,} cells, over the {MAX_CELLS:,}-cell limit", TOO_LARGE)
    clean = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            raise NotebookRefused(f"cell {number} is not a cell ({_kind(cell)}): the notebook is damaged", MALFORMED)
        cell_type = cell.get("cell_type")
        if not _is_text(cell_type):
            raise NotebookRefused(f"cell {number}'s cell_type is not text: the notebook is damaged", MALFORMED)
        source = cell.get("source", "")
        if isinstance(source, list) and all(_is_text(line) for line in source):
            source = "".join(source)
        if not _is_text(source):
            raise NotebookRefused(f"cell {number}'s source is not text: the notebook is damaged", MALFORMED)
        meta = cell.get("metadata", {})
        if not isinstance(meta, dict):
            raise NotebookRefused(f"cell {number}'s metadata is not a dictionary: the notebook is damaged", MALFORMED)
        nbg = meta.get("nbgrader", {})
        if not isinstance(nbg, dict):
            raise NotebookRefused(
                f"cell {number}'s nbgrader metadata is not a dictionary: the notebook is damaged", MALFORMED
            )
        gid = nbg.get("grade_id")
        if gid is not None and not _is_text(gid):
            raise NotebookRefused(f"cell {number}'s grade_id is not text: the notebook is damaged", MALFORMED)
        metadata = {"nbgrader": {"grade_id": gid}} if gid else {}
        clean.append({"cell_type": cell_type, "source": source, "metadata": metadata})
    return {"nbformat": version, "cells": clean}


# ----------------------------------------------------------------------------- reading one notebook, without links


LINKED_FILE = "the notebook is a link; submit the file itself"
LINKED_FOLDER = "the student folder is a link, not a folder; submit the notebook file itself"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _open_without_links(path: Path, root: Path | None) -> int:
    """A read-only descriptor of ``path``, refusing a link anywhere below ``root`` (or at ``path`` itself).

    Each component is opened relative to the one before with O_NOFOLLOW, so a link swapped in between
    the check and the open is refused too.
    """
    if root is None:
        base, parts = path.parent, [path.name]
    else:
        base, parts = root, list(path.relative_to(root).parts)
    fd = os.open(base, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    try:
        for number, part in enumerate(parts, 1):
            last = number == len(parts)
            refusal = NotebookRefused(LINKED_FILE if last else LINKED_FOLDER, SUBMITTED_A_LINK)
            if stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode):
                raise refusal
            mode = os.O_NONBLOCK if last else getattr(os, "O_DIRECTORY", 0)  # O_NONBLOCK: a FIFO must not block
            try:
                child = os.open(part, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | mode, dir_fd=fd)
            except OSError as err:
                if err.errno == errno.ELOOP or (
                    err.errno == errno.ENOTDIR and stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
                ):
                    raise refusal from err
                raise
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def _read_capped(fd: int, flags: list[str]) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise NotebookRefused("the notebook is not a regular file", MALFORMED)
    if info.st_nlink > 1:
        flags.append(HARD_LINK)  # the same file as somewhere else (perhaps a classmate's): graded, but flagged
    too_large = f"over the {MAX_NOTEBOOK_BYTES // 1024**2} MB limit"
    if info.st_size > MAX_NOTEBOOK_BYTES:
        raise NotebookRefused(f"the notebook is {info.st_size / 1024**2:.0f} MB, {too_large}", TOO_LARGE)
    chunks, size = [], 0
    while size <= MAX_NOTEBOOK_BYTES:
        chunk = os.read(fd, min(1024**2, MAX_NOTEBOOK_BYTES + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_NOTEBOOK_BYTES:  # it grew after the check
        raise NotebookRefused(f"the notebook is {too_large}", TOO_LARGE)
    return b"".join(chunks)


def read_notebook(path: Path, root: Path | None = None) -> tuple[dict | None, str, list[str]]:
    """The checked notebook at ``path`` (see :func:`validate_notebook`), or why it cannot be graded.

    Returns ``(notebook, problem, flags)``: ``problem`` is '' when the notebook can be graded; ``flags``
    are for the instructor's review. Links are never followed: not at ``path``, and not in any folder
    between ``root`` (the submissions folder, when given) and ``path``. Never raises.
    """
    flags: list[str] = []
    try:
        fd = _open_without_links(Path(path), root)
        try:
            data = _read_capped(fd, flags)
        finally:
            os.close(fd)
    except NotebookRefused as err:
        return None, err.reason, flags + [err.flag]
    except FileNotFoundError:
        return None, "the notebook is missing", flags
    except OSError as err:
        return None, f"the notebook cannot be read ({err.strerror or err})", flags
    except Exception as err:  # anything else: still this submission's row, never the class
        return None, f"could not grade: the notebook could not be read ({Failure.of(err).summary})", [COULD_NOT_GRADE]
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
        del data
        return validate_notebook(parsed), "", flags
    except NotebookRefused as err:
        return None, err.reason, flags + ([err.flag] if err.flag else [])
    except UnicodeDecodeError:
        return None, "the notebook is not UTF-8 text: it is damaged or not a notebook", flags
    except json.JSONDecodeError as err:
        return None, f"the notebook is not valid JSON ({err.msg} at line {err.lineno}): it is damaged", flags
    except RecursionError:
        return None, "the notebook is nested too deeply to be a notebook: it is damaged", flags + [MALFORMED]
    except MemoryError:
        return None, "the notebook is too large to read", flags + [TOO_LARGE]
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        return None, f"the notebook is not valid JSON ({capped(err, FIELD_CAP)}): it is damaged", flags + [MALFORMED]
    except Exception as err:
        return None, f"could not grade: the notebook could not be read ({Failure.of(err).summary})", [COULD_NOT_GRADE]


# ----------------------------------------------------------------------------- a class of student folders


def _display_name(name: str) -> str:
    """A folder name as text that can be written anywhere (undecodable bytes become �)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _student_folders(submissions: Path) -> list[tuple[str, bool]]:
    """(name, is a link) of every student folder in ``submissions``; a link to a folder is listed, never followed."""
    found = []
    with os.scandir(submissions) as entries:
        for entry in entries:
            if entry.name.startswith((".", "__")):
                continue
            try:
                if entry.is_symlink():
                    if entry.is_dir():  # a link to a folder looks like a student: it gets a row, and 0
                        found.append((entry.name, True))
                elif entry.is_dir(follow_symlinks=False):
                    found.append((entry.name, False))
            except OSError:
                continue
    return sorted(found)


def _other_notebooks(folder: Path, limit: int = 20) -> list[str]:
    """Names of the notebooks in ``folder`` and below (links not followed, checkpoints skipped)."""
    names: list[str] = []
    for count, (_top, dirs, files) in enumerate(os.walk(folder)):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        names += [_display_name(f) for f in files if f.endswith(".ipynb")]
        if count > 1000 or len(names) > limit:
            break
    return sorted(names)[:limit]


def _intake(job: Job, submissions: Path, name: str, linked: bool, expected: str) -> None:
    """Fill in ``job.notebook``, or ``job.problem`` and ``job.flags``: one student's folder, read safely."""
    if linked:
        job.problem, job.flags = LINKED_FOLDER, [SUBMITTED_A_LINK]
        return
    if job.problem:
        return
    folder = submissions / name
    path = folder / expected
    try:
        info = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        info = None
    except OSError as err:
        job.problem = f"the notebook cannot be read ({err.strerror or err})"
        return
    if info is not None and stat.S_ISDIR(info.st_mode):
        job.problem = f"{expected} is a folder, not a notebook file"
    elif info is not None:
        job.notebook, job.problem, job.flags = read_notebook(path, submissions)
    else:
        others = _other_notebooks(folder)
        job.problem = (
            f"wrong file name: found {', '.join(others)}; expected {expected}"
            if others
            else f"no notebook submitted (expected {expected})"
        )


def collect_jobs(lesson: Lesson, submissions: Path, **limits: Any) -> list[Job]:
    """One job per student folder in ``submissions``; ``limits`` are :class:`Job` fields (timeouts, no_sandbox).

    Never fails for one folder: a folder that cannot be read gets a job with a problem (0 points, a reason).
    """
    source = json.loads(lesson.source.read_text(encoding="utf-8"))
    expected = f"{lesson.lesson_id}.ipynb"
    jobs: list[Job] = []
    folders = _student_folders(submissions)
    # valid names first: a folder such as "_alice" must never take the id of the real "alice"
    taken: set[str] = {name for name, _ in folders if STUDENT_ID.match(name)}
    for name, linked in folders:
        shown = _display_name(name)
        valid = bool(STUDENT_ID.match(name))
        student_id = name
        if not valid:  # cleaned, then kept apart from every valid id and from each other
            cleaned = re.sub(r"[^A-Za-z0-9_.@+-]", "_", shown).lstrip("_.")[:64] or "unnamed"
            student_id = next(
                f"{cleaned}-{n}" if n else cleaned
                for n in range(len(taken) + 2)
                if (f"{cleaned}-{n}" if n else cleaned) not in taken
            )
            taken.add(student_id)
        job = Job(lesson.lesson_id, student_id, shown, source, **limits)
        name_problem = "" if valid else f"the folder name {shown!r} is not a valid student id"
        for _ in range(ATTEMPTS):
            job.notebook, job.problem, job.flags = None, name_problem, []
            try:
                _intake(job, submissions, name, linked, expected)
                break
            except Exception as err:  # the grader's failure reading this folder: once more, then "could not grade"
                failure = Failure.of(err)
        else:
            job.notebook, job.flags = None, [COULD_NOT_GRADE]
            job.problem = f"could not grade: the folder could not be read ({failure.summary})"
        jobs.append(job)
    return jobs
