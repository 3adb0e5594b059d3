"""Reading submissions before anything runs: every malformed, oversized or linked notebook costs its own row only.

Fast unit tests: no sandbox, no TensorFlow (the grader's failures are faked where a sandbox would start).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from grader import cells, classroom, grading, intake, messages, records
from grader.classroom import run_jobs
from grader.grading import LessonTests, could_not_grade, flags_for, grade_submission, student_program
from grader.intake import MAX_CELLS, Job, NotebookRefused, collect_jobs, read_notebook, validate_notebook
from grader.lessons import select
from grader.messages import MESSAGE_CAP
from grader.records import (
    COULD_NOT_GRADE,
    MALFORMED,
    NO_SANDBOX,
    SUBMITTED_A_LINK,
    TOO_LARGE,
    ClassWorkspace,
    Result,
    feedback_html,
    without_hidden_tests,
)
from grader.workspace import CellResult

LESSON = select(["01_pixels"])[0]
FILE = f"{LESSON.lesson_id}.ipynb"
SOURCE = json.loads(LESSON.source.read_text(encoding="utf-8"))
TESTS = LessonTests.from_source(SOURCE)


def code(source: object = "x = 1", grade_id: object = None, **extra: object) -> dict:
    cell = {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}
    if grade_id is not None:
        cell["metadata"] = {"nbgrader": {"grade_id": grade_id}}
    return cell | extra


def notebook(*cells: dict) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}


def write(folder: Path, content: dict | str | bytes, name: str = FILE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def big_notebook(cells: int, size: int) -> str:
    """A valid notebook of ``cells`` code cells, about ``size`` bytes long."""
    filler = "#" * max(0, size // cells - 120)
    return json.dumps(notebook(*[code(f"x = {i}  {filler}\n") for i in range(cells)]))


# ----------------------------------------------------------------------------- structure


MALFORMED_NOTEBOOKS = {
    "source is a list of numbers": (notebook(code([1], grade_id=["to_float"])), "cell 1's source is not text"),
    "grade_id is a list": (notebook(code("x = 1"), code("y = 2", grade_id=["to_float"])), "cell 2's grade_id is not"),
    "source is a number": (notebook(code(12)), "cell 1's source is not text"),
    "cell is a string": (notebook(code(), "print(1)"), "cell 2 is not a cell"),
    "metadata is a list": (notebook(code(metadata=[1])), "cell 1's metadata is not a dictionary"),
    "nbgrader metadata is text": (notebook(code(metadata={"nbgrader": "x"})), "cell 1's nbgrader metadata"),
    "cell_type is a number": (notebook(code(cell_type=3)), "cell 1's cell_type is not text"),
    "cell_type is missing": (notebook({"source": "x", "metadata": {}}), "cell 1's cell_type is not text"),
    "cells is a dict": ({"nbformat": 4, "cells": {"a": 1}}, "not a Jupyter notebook"),
    "source with a lone surrogate": (notebook(code("x = '\ud800'")), "cell 1's source is not text"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_NOTEBOOKS))
def test_malformed_structure_is_refused_with_the_cell_named(case):
    content, words = MALFORMED_NOTEBOOKS[case]
    with pytest.raises(NotebookRefused) as refused:
        validate_notebook(content)
    assert words in refused.value.reason
    assert refused.value.flag == MALFORMED


@pytest.mark.parametrize("case", sorted(MALFORMED_NOTEBOOKS))
def test_student_program_refuses_malformed_notebooks_instead_of_crashing(case):
    content, words = MALFORMED_NOTEBOOKS[case]
    with pytest.raises(NotebookRefused, match=re.escape(words)):
        student_program(content, TESTS)


@pytest.mark.parametrize("case", sorted(MALFORMED_NOTEBOOKS))
def test_a_malformed_notebook_in_a_job_scores_zero_and_is_flagged(case):
    content, words = MALFORMED_NOTEBOOKS[case]
    result = grade_submission(Job(LESSON.lesson_id, "mallory", "mallory", SOURCE, notebook=content))
    assert result.score == 0 and result.max_score == TESTS.max_score
    assert words in result.reason and MALFORMED in result.flags
    assert [c.grade_id for c in result.cells] == [gid for gid, _, _ in TESTS.tests]


def test_the_validated_notebook_keeps_only_what_the_grader_uses():
    raw = notebook(
        code(["a = 1\n", "b = 2\n"], grade_id="to_float", outputs=[{"output_type": "stream", "text": "x" * 10}]),
        {"cell_type": "markdown", "source": "# hi", "metadata": {"deep": [[[[1]]]]}, "attachments": {"a": "b"}},
    )
    clean = validate_notebook(raw)
    assert clean == {
        "nbformat": 4,
        "cells": [
            {"cell_type": "code", "source": "a = 1\nb = 2\n", "metadata": {"nbgrader": {"grade_id": "to_float"}}},
            {"cell_type": "markdown", "source": "# hi", "metadata": {}},
        ],
    }
    assert validate_notebook(clean) == clean


def test_the_released_and_solved_notebooks_pass_the_checks():
    program, answers = student_program(SOURCE, TESTS)
    assert set(answers) == set(TESTS.solution_ids)
    assert program[0] == ("setup", TESTS.locked["setup"])


def test_deep_nesting_inside_metadata_never_reaches_the_grader():
    deep = {"cells": [code(metadata={"x": json.loads("[" * 900 + "]" * 900)})], "nbformat": 4}
    assert validate_notebook(deep)["cells"][0]["metadata"] == {}


# ----------------------------------------------------------------------------- reading files


def test_an_honest_notebook_is_read(tmp_path):
    nb, problem, flags = read_notebook(write(tmp_path / "ada", LESSON.source.read_text(encoding="utf-8")))
    assert problem == "" and flags == [] and len(nb["cells"]) == len(SOURCE["cells"])


BROKEN_FILES = {
    "200,000 nested [": ("[" * 200_000, "nested too deeply", MALFORMED),
    "200,000 nested [ inside the cells": ('{"nbformat": 4, "cells": ' + "[" * 200_000, "nested too deeply", MALFORMED),
    "an integer of 5,000 digits": (
        '{"nbformat": 4, "cells": [], "x": ' + "9" * 5000 + "}",
        "not valid JSON",
        MALFORMED,
    ),
    "truncated JSON": (json.dumps(notebook(code()))[:30], "not valid JSON", ""),
    "not UTF-8": (b"\xff\xfe{}", "not UTF-8", ""),
    "old format": (json.dumps({"nbformat": 3, "worksheets": []}), "old notebook format", ""),
    "a JSON list": ("[1, 2]", "not a Jupyter notebook", MALFORMED),
    "nbformat is text": (json.dumps({"nbformat": "4", "cells": []}), "unknown notebook format", ""),
    f"{MAX_CELLS + 1000:,} small cells": (big_notebook(MAX_CELLS + 1000, 1_000_000), "cell limit", TOO_LARGE),
    "40 MB, 3,000 cells": (big_notebook(3000, 40 * 1024**2), "over the 20 MB limit", TOO_LARGE),
}


@pytest.mark.parametrize("case", sorted(BROKEN_FILES))
def test_a_broken_file_gets_a_reason_and_never_raises(tmp_path, case):
    content, words, flag = BROKEN_FILES[case]
    nb, problem, flags = read_notebook(write(tmp_path / "x", content))
    assert nb is None and words in problem, problem
    assert flags == ([flag] if flag else [])


def test_a_40_mb_3000_cell_notebook_scores_zero_and_is_flagged_for_review(tmp_path):
    write(tmp_path / "class" / "bloat", big_notebook(3000, 40 * 1024**2))
    start = time.monotonic()
    [job] = collect_jobs(LESSON, tmp_path / "class")
    result = grade_submission(job)
    assert result.score == 0 and "over the 20 MB limit" in result.reason and TOO_LARGE in result.flags
    assert records.needs_review(result)
    assert time.monotonic() - start < 5, "the file must not even be read"


def test_a_notebook_that_grows_past_the_limit_while_read_is_refused(tmp_path, monkeypatch):
    path = write(tmp_path / "x", "{}" + " " * 2000)
    monkeypatch.setattr(intake, "MAX_NOTEBOOK_BYTES", 1000)
    real_fstat = os.fstat
    monkeypatch.setattr(
        intake.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:]))
    )
    nb, problem, flags = read_notebook(path)
    assert nb is None and "over the" in problem and flags == [TOO_LARGE]


def test_a_fifo_or_a_folder_is_not_a_notebook(tmp_path):
    (tmp_path / "fifo").mkdir()
    os.mkfifo(tmp_path / "fifo" / FILE)
    nb, problem, flags = read_notebook(tmp_path / "fifo" / FILE)  # must not block
    assert nb is None and "not a regular file" in problem
    (tmp_path / "class" / "dirry" / FILE).mkdir(parents=True)
    [job] = collect_jobs(LESSON, tmp_path / "class")
    assert "is a folder, not a notebook file" in job.problem


# ----------------------------------------------------------------------------- links


@pytest.fixture
def linked_class(tmp_path):
    """honest/ with the solution; a file link, a folder link, a link inside the folder, a dangling link."""
    target = tmp_path / "class"
    honest = write(target / "honest", LESSON.source.read_text(encoding="utf-8"))
    (target / "filelink").mkdir()
    (target / "filelink" / FILE).symlink_to(honest)
    (target / "folderlink").symlink_to(target / "honest", target_is_directory=True)
    (target / "relative").mkdir()
    (target / "relative" / FILE).symlink_to(Path("..") / "honest" / FILE)
    (target / "dangling").mkdir()
    (target / "dangling" / FILE).symlink_to(tmp_path / "nowhere.ipynb")
    return target


def test_links_are_refused_with_a_reason_and_a_flag(linked_class):
    jobs = {job.folder: job for job in collect_jobs(LESSON, linked_class)}
    assert sorted(jobs) == ["dangling", "filelink", "folderlink", "honest", "relative"]
    assert jobs["honest"].notebook is not None and not jobs["honest"].problem
    for folder in ("filelink", "relative", "dangling"):
        assert jobs[folder].problem == "the notebook is a link; submit the file itself", folder
        assert jobs[folder].notebook is None and jobs[folder].flags == [SUBMITTED_A_LINK]
    assert "folder is a link" in jobs["folderlink"].problem and jobs["folderlink"].flags == [SUBMITTED_A_LINK]
    for folder in ("filelink", "folderlink"):
        result = grade_submission(jobs[folder])
        assert result.score == 0 and "link" in result.reason and SUBMITTED_A_LINK in result.flags


def test_a_link_anywhere_below_the_submissions_folder_is_refused(tmp_path):
    real = write(tmp_path / "real" / "inner", LESSON.source.read_text(encoding="utf-8"))
    (tmp_path / "class" / "eve").mkdir(parents=True)
    (tmp_path / "class" / "eve" / "inner").symlink_to(real.parent, target_is_directory=True)
    nb, problem, flags = read_notebook(tmp_path / "class" / "eve" / "inner" / FILE, root=tmp_path / "class")
    assert nb is None and "link" in problem and flags == [SUBMITTED_A_LINK]
    # the submissions folder itself may be a link: it is the instructor's
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    nb, problem, _ = read_notebook(tmp_path / "alias" / "inner" / FILE, root=tmp_path / "alias")
    assert nb is not None and problem == ""


def test_a_link_swapped_in_after_the_check_is_still_refused(tmp_path, monkeypatch):
    """O_NOFOLLOW on the open itself: the lstat check passing is not enough to follow a link."""
    honest = write(tmp_path / "honest", LESSON.source.read_text(encoding="utf-8"))
    (tmp_path / "eve").mkdir()
    (tmp_path / "eve" / FILE).symlink_to(honest)
    real_stat = os.stat
    monkeypatch.setattr(intake.os, "stat", lambda *a, **k: real_stat(honest) if a[0] == FILE else real_stat(*a, **k))
    nb, problem, flags = read_notebook(tmp_path / "eve" / FILE)
    assert nb is None and "link" in problem and flags == [SUBMITTED_A_LINK]


def test_a_hard_link_is_graded_but_flagged(tmp_path):
    honest = write(tmp_path / "class" / "honest", LESSON.source.read_text(encoding="utf-8"))
    (tmp_path / "class" / "twin").mkdir()
    os.link(honest, tmp_path / "class" / "twin" / FILE)
    jobs = {job.folder: job for job in collect_jobs(LESSON, tmp_path / "class")}
    assert jobs["twin"].notebook is not None and jobs["twin"].flags == [records.HARD_LINK]


# ----------------------------------------------------------------------------- collecting a class


def test_every_folder_gets_a_job_and_a_record_of_its_own(tmp_path):
    target = tmp_path / "class"
    write(target / "ada", LESSON.source.read_text(encoding="utf-8"))
    write(target / "bad name!", "{}")
    write(target / "bad_name_", "{}")
    write(target / "nested", "[" * 200_000)
    write(target / "types", notebook(code([1], grade_id=["x"])))
    write(target / "misnamed", "{}", name="01_pixels (1).ipynb")
    (target / "empty").mkdir()
    (target / "__unmatched__").mkdir()
    (target / "collect-report.csv").write_text("x")
    os.mkdir(target / os.fsdecode(b"caf\xe9"))
    jobs = collect_jobs(LESSON, target, cell_timeout=5, timeout=20, memory_gb=1, no_sandbox=True)
    assert len(jobs) == 8 and len({j.student_id for j in jobs}) == 8
    by_folder = {j.folder: j for j in jobs}
    assert by_folder["bad name!"].student_id != by_folder["bad_name_"].student_id
    assert "not a valid student id" in by_folder["caf\ufffd"].problem
    assert by_folder["misnamed"].problem.startswith("wrong file name: found 01_pixels (1).ipynb")
    assert by_folder["empty"].problem.startswith("no notebook submitted")
    assert all(j.no_sandbox and j.timeout == 20 for j in jobs)
    results = [grade_submission(j) for j in jobs if j.problem]
    assert len(results) == 7 and all(r.score == 0 and NO_SANDBOX in r.flags for r in results)


def test_an_unexpected_failure_reading_one_folder_costs_that_folder_only(tmp_path, monkeypatch):
    for student in ("ada", "ben", "cy"):
        write(tmp_path / "class" / student, LESSON.source.read_text(encoding="utf-8"))
    real = intake._intake
    calls = []

    def flaky(job, *args):
        calls.append(job.folder)
        if job.folder == "ben" or (job.folder == "cy" and calls.count("cy") == 1):
            raise MemoryError("boom")
        return real(job, *args)

    monkeypatch.setattr(intake, "_intake", flaky)
    jobs = {j.folder: j for j in collect_jobs(LESSON, tmp_path / "class")}
    assert calls == ["ada", "ben", "ben", "cy", "cy"], "retried once"
    assert jobs["ada"].notebook is not None and jobs["cy"].notebook is not None and not jobs["cy"].problem
    assert jobs["ben"].problem == "could not grade: the folder could not be read (MemoryError: boom)"
    assert jobs["ben"].flags == [COULD_NOT_GRADE] and jobs["ben"].notebook is None


# ----------------------------------------------------------------------------- the grader's own failures

#: A lesson with one test cell and no setup cell: grading it needs no TensorFlow.
TINY = notebook(
    {
        "cell_type": "code",
        "source": "assert double(2) == 4",
        "metadata": {"nbgrader": {"grade": True, "grade_id": "test_double", "points": 2}},
    }
)


def tiny_job(**fields) -> Job:
    return Job("tiny", "ada", "ada", TINY, notebook=notebook(code("def double(x):\n    return 2 * x\n")), **fields)


def test_a_sandbox_that_does_not_start_is_retried_then_could_not_grade(monkeypatch):
    from grader.sandbox import client

    start_error = getattr(client, "SandboxStartError", client.SandboxDied)
    starts = []

    class NoStart:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

        def start(self):
            starts.append(self.kwargs)
            raise start_error("bwrap: no permission")

        def close(self):
            pass

    monkeypatch.setattr(client, "Sandbox", NoStart)
    result = grade_submission(tiny_job(no_sandbox=True))
    assert len(starts) == 2 and starts[0] == {"memory_gb": 4.0, "no_sandbox": True}
    assert result.score == 0 and result.max_score == 2
    assert result.reason.startswith("could not grade: ") and "bwrap: no permission" in result.reason
    assert COULD_NOT_GRADE in result.flags and NO_SANDBOX in result.flags
    assert "bwrap" not in result.cells[0].reason and "bwrap" in result.cells[0].detail


def test_an_unexpected_exception_is_retried_once(monkeypatch):
    calls = []

    def flaky(job):
        calls.append(job)
        if len(calls) == 1:
            raise KeyError("a bug")
        return Result(job.student_id, job.folder, job.lesson_id, 2.0, 2.0, 0.1)

    monkeypatch.setattr(grading, "_grade", flaky)
    assert grade_submission(tiny_job()).score == 2.0 and len(calls) == 2


class DiesWhenUnpickled:
    """Kills the process that receives it: the grading process of one submission."""

    def __reduce__(self):
        return (os._exit, (3,))


def test_a_grading_process_that_dies_costs_only_its_own_submission():
    dying = Job(LESSON.lesson_id, "zed", "zed", SOURCE, notebook={"cells": [DiesWhenUnpickled()]})
    fine = Job(LESSON.lesson_id, "amy", "amy", SOURCE, problem="no notebook submitted (expected 01_pixels.ipynb)")
    results = {r.student_id: r for r in run_jobs([dying, fine], workers=2)}
    assert results["amy"].reason.startswith("no notebook submitted") and COULD_NOT_GRADE not in results["amy"].flags
    assert results["zed"].score == 0 and COULD_NOT_GRADE in results["zed"].flags
    assert "the grading process died" in results["zed"].reason


class HangsWhenUnpickled:
    """Hangs the process that receives it, as a grading process stuck beyond every time limit would."""

    def __reduce__(self):
        return (time.sleep, (120,))


def test_a_grading_process_stuck_past_every_limit_is_killed_and_retried(monkeypatch):
    import psutil

    monkeypatch.setattr(classroom, "GRACE_SECONDS", 1.0)
    stuck = Job(LESSON.lesson_id, "zed", "zed", SOURCE, notebook={"cells": [HangsWhenUnpickled()]}, timeout=1.0)
    start = time.monotonic()
    [result] = run_jobs([stuck], workers=1)
    assert time.monotonic() - start < 30
    assert COULD_NOT_GRADE in result.flags and "did not finish within 2 s and was killed" in result.reason
    time.sleep(0.5)
    workers = [p for p in psutil.Process().children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
    assert not [p for p in workers if p.status() != psutil.STATUS_ZOMBIE], "the stuck process was not killed"


def _record_pid(path: str) -> str:
    """Runs where a job is unpickled: notes that process's id, and stands for the job's problem."""
    with open(path, "a") as handle:
        handle.write(f"{os.getpid()}\n")
    return "no notebook submitted"


class RecordsPid:
    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (_record_pid, (self.path,))


def test_each_submission_is_graded_in_a_process_of_its_own(tmp_path):
    pids = tmp_path / "pids"
    jobs = [Job(LESSON.lesson_id, f"s{i}", f"s{i}", SOURCE, problem=RecordsPid(pids)) for i in range(3)]
    results = list(run_jobs(jobs, workers=1))
    assert sorted(r.student_id for r in results) == ["s0", "s1", "s2"]
    assert all(r.reason == "no notebook submitted" for r in results)
    seen = pids.read_text().split()
    assert len(seen) == len(set(seen)) == 3 and str(os.getpid()) not in seen


def test_a_failed_dask_task_is_submitted_once_more_then_could_not_grade(monkeypatch):
    from dask.distributed import LocalCluster

    real = classroom.grade_submission

    def fails_for_zed(job):
        if job.student_id == "zed":
            raise RuntimeError("the worker was lost")
        return real(job)

    monkeypatch.setattr(classroom, "grade_submission", fails_for_zed)
    jobs = [Job(LESSON.lesson_id, s, s, SOURCE, problem="no notebook submitted") for s in ("zed", "amy")]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        results = {r.student_id: r for r in run_jobs(jobs, workers=1, scheduler=cluster.scheduler_address)}
    assert results["amy"].reason == "no notebook submitted"
    assert results["zed"].reason == "could not grade: RuntimeError: the worker was lost"
    assert results["zed"].flags == [COULD_NOT_GRADE]


def test_could_not_grade_keeps_the_lesson_shape():
    result = could_not_grade(Job(LESSON.lesson_id, "a", "a", SOURCE), records.Failure("X: y", "trace"))
    assert result.max_score == 13 and len(result.cells) == len(TESTS.tests)
    assert result.flags == [COULD_NOT_GRADE] and result.reason == "could not grade: X: y"


# ----------------------------------------------------------------------------- what students see


def test_hidden_tests_are_replaced_by_one_comment():
    source = "visible()\n    ### BEGIN HIDDEN TESTS\n    secret(1)\n    ### END HIDDEN TESTS\nafter()\n"
    assert without_hidden_tests(source) == (
        "visible()\n    # hidden tests: run by the grader; see the result below\nafter()\n"
    )
    assert without_hidden_tests("a\n### BEGIN HIDDEN TESTS\nsecret()\n") == (
        "a\n# hidden tests: run by the grader; see the result below\n"
    )


def test_the_autograded_notebook_holds_no_hidden_test_source(tmp_path):
    hidden, visible = set(), set()
    for cell in SOURCE["cells"]:
        text = cells.source(cell)
        if cells.HIDDEN_BEGIN in text:
            before, rest = text.split(cells.HIDDEN_BEGIN, 1)
            block, after = rest.split(cells.HIDDEN_END, 1)
            hidden |= {line.strip() for line in block.splitlines() if len(line.strip()) > 25}
            visible |= {line.strip() for line in (before + after).splitlines()}
    hidden -= visible  # a line a visible test also has is not a secret
    assert len(hidden) > 10
    results = [CellResult(gid, 0.0, pts, f"{gid} failed", "", f"secret detail of {gid}") for gid, _, pts in TESTS.tests]
    result = Result("ada", "ada", LESSON.lesson_id, 0.0, 13.0, 1.0, cells=results)
    ClassWorkspace(tmp_path / "ws")._write_autograded(LESSON, result)
    text = (tmp_path / "ws" / "autograded" / "ada" / LESSON.lesson_id / FILE).read_text(encoding="utf-8")
    assert "HIDDEN TESTS" not in text and not any(json.dumps(line)[1:-1] in text for line in hidden)
    assert "hidden tests: run by the grader" in text and "test_to_float failed" in text
    assert "secret detail" not in text


def test_feedback_shows_reasons_never_details():
    cells = [CellResult("test_crop", 0.0, 3.0, "crop returned the wrong shape", "", "hidden input: image 7x9")]
    page = feedback_html(Result("ada", "ada", LESSON.lesson_id, 0.0, 3.0, 1.0, cells=cells))
    assert "wrong shape" in page and "hidden input" not in page
    failed = could_not_grade(Job(LESSON.lesson_id, "a", "a", SOURCE), records.Failure("OSError: /srv/x", "tb"))
    page = feedback_html(failed)
    assert "/srv/x" not in page and "your instructor will review it" in page


def test_old_records_without_detail_still_read():
    old = {
        "student_id": "ada",
        "folder": "ada",
        "lesson_id": "01_pixels",
        "score": 2.0,
        "max_score": 13.0,
        "seconds": 1.0,
        "reason": "",
        "flags": [],
        "isolation": "x",
        "answers": {},
        "student_output": "",
        "cell_errors": [],
        "used_names": [],
        "a_future_field": 1,
        "cells": [{"grade_id": "test_to_float", "points": 2.0, "max_points": 2.0, "reason": "", "output": ""}],
    }
    result = Result.from_json(old)
    assert result.cells[0].detail == "" and result.score == 2.0
    assert Result.from_json(result.to_json()) == result


def test_messages_are_capped_and_always_writable(tmp_path):
    folder = "caf\udce9"
    result = Result("ada", folder, LESSON.lesson_id, 0.0, 13.0, 1.0, reason="x\ud800" + "y" * 10_000)
    space = ClassWorkspace(tmp_path / "ws")
    space.write_json(LESSON, result)
    assert records.export_csv(tmp_path / "ws", tmp_path / "grades.csv") == 1
    assert len(messages.capped(result.reason)) == MESSAGE_CAP
    (tmp_path / "page.html").write_text(feedback_html(result), encoding="utf-8")


def test_a_gradebook_that_cannot_be_written_still_leaves_the_json_record(tmp_path):
    space = ClassWorkspace(tmp_path / "ws")  # never prepared: the gradebook does not know the lesson
    result = Result("ada", "ada", LESSON.lesson_id, 0.0, 13.0, 1.0)
    space.record(LESSON, result)
    [saved] = space.results(LESSON.lesson_id)
    assert records.COULD_NOT_RECORD in saved.flags and "gradebook" in saved.reason


def test_the_pattern_scan_is_linear_on_hostile_input():
    program = [("cell 1", "course_utils." * 200_000), ("cell 2", "checks." * 200_000 + "x = 1")]
    start = time.monotonic()
    found = flags_for(program, TESTS)
    assert time.monotonic() - start < 5
    assert "patches the course checks" in found


def test_an_invalid_folder_name_never_takes_a_valid_students_id(tmp_path):
    """'_alice' cleans to 'alice': the real alice keeps her id, the impostor gets another one."""
    for name in ("_alice", "alice", " alice", "alice-2"):
        (tmp_path / "class" / name).mkdir(parents=True)
    jobs = {job.folder: job.student_id for job in collect_jobs(LESSON, tmp_path / "class")}
    assert jobs["alice"] == "alice" and jobs["alice-2"] == "alice-2"
    assert len(set(jobs.values())) == 4, jobs
