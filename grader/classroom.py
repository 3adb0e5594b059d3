"""Grade a whole class: each submission in a fresh process (or on a Dask cluster), recorded as it arrives.

A submission travels: read and checked (:mod:`grader.intake`), graded in a sandbox of its own with the
lesson's tests run here (:mod:`grader.grading`), then recorded (:mod:`grader.records`). This module runs
that for a class: each submission is graded in a fresh process, locally or on a Dask cluster; a grading
process that dies or hangs costs only its own submission, which is tried once more, then recorded as 0 with
the flag "could not grade" for an instructor to review. The parent alone writes the nbgrader gradebook, the
autograded notebooks, a JSON record per student and, on request, feedback.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from grader import zips
from grader.grading import could_not_grade, grade_once, grade_submission, retried
from grader.intake import Job, collect_jobs
from grader.lessons import Lesson
from grader.messages import capped
from grader.records import ATTEMPTS, ClassWorkspace, Failure, Result

#: A grading process still running this long after the notebook's own time limit is killed (then retried).
GRACE_SECONDS = 600.0


# ----------------------------------------------------------------------------- grading a class


def _in_fresh_process(job: Job, context: Any) -> Result | Failure:
    """One attempt in a process of its own, started for this submission and gone after it."""
    limit = job.timeout + GRACE_SECONDS
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    killed = False
    try:
        future = pool.submit(grade_once, job)
        try:
            outcome = future.result(timeout=limit)
        except FuturesTimeout:
            killed = True
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                _kill_tree(process.pid)
            return Failure(f"the grading process did not finish within {limit:g} s and was killed")
        except BrokenProcessPool as err:
            return Failure("the grading process died (killed, or out of memory)", capped(err))
        except Exception as err:  # e.g. the job or its result could not be sent between processes
            return Failure.of(err)
        if isinstance(outcome, (Result, Failure)):
            return outcome
        return Failure(f"the grading process returned {type(outcome).__name__}, not a result")
    finally:
        pool.shutdown(wait=not killed, cancel_futures=True)


def _kill_tree(pid: int) -> None:
    """Kill a grading process and everything it started (its sandboxes)."""
    import signal

    try:
        import psutil

        victims = psutil.Process(pid).children(recursive=True)
    except Exception:  # psutil missing, or the process is already gone
        victims = []
    try:
        os.kill(pid, signal.SIGKILL)  # first, so that it starts nothing more
    except OSError:
        pass
    for victim in victims:
        try:
            victim.kill()
        except Exception:
            pass


def _grade_isolated(job: Job, context: Any, stop: threading.Event) -> Result:
    """Grade ``job`` in a fresh process; a failure of the grader's own is tried once more in another one."""
    return retried(job, lambda each: _in_fresh_process(each, context), stop.is_set)


#: What every grading process needs, imported once by the fork server rather than once per submission.
PRELOAD = ["grader.preload"]


def fresh_process_context() -> Any:
    """Processes that start fresh for each submission, forked from a server that has only imported modules.

    The fork server is a clean process (started by spawning) that imports :data:`PRELOAD` and runs nothing
    else: each grading process forked from it gets those modules without paying TensorFlow's import again,
    and shares nothing with the processes that graded other students. Where there is no fork server
    (not Linux or macOS), each process is spawned.
    """
    from multiprocessing import get_all_start_methods

    if "forkserver" not in get_all_start_methods():
        return get_context("spawn")
    context = get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def run_jobs(jobs: list[Job], workers: int, scheduler: str | None = None) -> Iterator[Result]:
    """Grade ``jobs``, ``workers`` at a time, yielding one result per job as they finish; never raises for a job.

    Locally, each submission is graded in a fresh process (started for it, gone after it), so nothing one
    student's grading leaves behind (threads, memory, open files) reaches the next; a process that dies
    costs only its own submission, which is tried once more. On a Dask cluster (``scheduler``), a failed
    task is submitted once more, then recorded as "could not grade".
    """
    if scheduler:
        yield from _run_on_dask(jobs, scheduler)
        return
    context = fresh_process_context()
    stop = threading.Event()
    threads = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="grade")
    try:
        futures = {threads.submit(_grade_isolated, job, context, stop): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as err:  # a bug in the driver itself: still this student's row
                yield could_not_grade(futures[future], Failure.of(err))
    finally:
        stop.set()
        threads.shutdown(wait=False, cancel_futures=True)


def _run_on_dask(jobs: list[Job], scheduler: str) -> Iterator[Result]:
    import uuid

    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    run = uuid.uuid4().hex[:8]
    with Client(scheduler) as client:
        owner: dict[str, tuple[Job, int]] = {}

        def submit(job: Job, attempt: int) -> Any:
            key = f"grade-{job.lesson_id}-{job.student_id}-{run}-{attempt}"
            future = client.submit(grade_submission, job, pure=False, key=key)
            owner[future.key] = (job, attempt)
            return future

        pending = dask_completed([submit(job, 0) for job in jobs])
        for future in pending:
            job, attempt = owner.pop(future.key)
            try:
                result = future.result()
                if not isinstance(result, Result):
                    raise TypeError(f"the worker returned {type(result).__name__}, not a result")
            except Exception as err:  # the worker died, the task was lost, or it could not be sent back
                if attempt + 1 < ATTEMPTS:
                    pending.add(submit(job, attempt + 1))
                    continue
                result = could_not_grade(job, Failure.of(err))
            finally:
                future.release()
            yield result


# ----------------------------------------------------------------------------- the command


def autograde_class(
    lesson: Lesson,
    submissions: Path,
    workspace: Path,
    *,
    workers: int,
    cell_timeout: float | None = None,
    timeout: float | None = None,
    memory_gb: float = 4.0,
    scheduler: str | None = None,
    progress: bool = True,
    no_sandbox: bool = False,
) -> list[Result]:
    """Grade every student folder for ``lesson`` (a folder, or a zip of one: :func:`grader.zips.extract`);
    record each result as it arrives.

    ``cell_timeout`` and ``timeout`` left out are the lesson's defaults (:func:`grader.time_limits.time_limits`).

    Refuses to start (:class:`grader.sandbox.isolation.SandboxUnavailable`, saying what to install) when
    this machine cannot sandbox student code, unless ``no_sandbox``. On a Dask cluster (``scheduler``) the
    workers' machines do the sandboxing, so this machine is not checked; a worker whose sandbox cannot
    start records its submissions as "could not grade".
    """
    if scheduler is None:
        from grader.sandbox.isolation import require

        require(no_sandbox)
    space = ClassWorkspace(workspace)
    space.prepare(lesson)
    unzipped = None
    try:
        if submissions.is_file() and submissions.suffix == ".zip":
            unzipped = Path(tempfile.mkdtemp(prefix="submissions-"))
            submissions = zips.extract(submissions, unzipped)
        jobs = collect_jobs(
            lesson, submissions, cell_timeout=cell_timeout, timeout=timeout, memory_gb=memory_gb, no_sandbox=no_sandbox
        )
        results = []
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(jobs), unit="notebook", desc=f"grading {lesson.lesson_id}")
        for result in run_jobs(jobs, workers, scheduler):
            try:
                space.record(lesson, result)
            except Exception as err:  # the disk refused even the JSON record: say so, and go on with the class
                print(f"warning: could not record {result.student_id}: {Failure.of(err).summary}", file=sys.stderr)
            results.append(result)
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
    finally:
        if unzipped is not None:
            shutil.rmtree(unzipped, ignore_errors=True)
    return sorted(results, key=lambda r: r.student_id)
