"""nbgrader's JupyterLab extensions with the course: a student validates a lesson from the Assignment List,
and an instructor opens formgrader on the class grader's workspace.

``nbgrader validate`` on the command line is run by the student guide's test (``tests/test_guides.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lab import ROOT, jupyter_lab

from grader.example_class import submission
from grader.workspace import quiet_env

#: One worker runs them all, so one JupyterLab server and one Chromium serve the whole run.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LESSON = "01_pixels"
COURSE = "pixels-to-cnns"
BIN = Path(sys.executable).parent


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    """Run a command; fail the test with its output if it fails."""
    done = subprocess.run(command, cwd=cwd, env={**quiet_env(), **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n" + (
        done.stderr[-3000:]
    )
    return done.stdout + done.stderr


def palette(page: Any, label: str, *commands: str) -> None:
    """Run a JupyterLab command from the command palette (Ctrl+Shift+C), as a user would: type, click."""
    page.locator(".jp-LauncherCard").first.wait_for(timeout=90_000)  # the application has started
    page.keyboard.press("Control+Shift+c")
    page.locator("#modal-command-palette input").fill(label)
    choices = ", ".join(f"#modal-command-palette li[data-command='{command}']" for command in commands)
    page.locator(choices).first.click()


@pytest.fixture(scope="module")
def exchange_course(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An instructor's nbgrader course that released lesson 01 to an exchange folder, and a student's home."""
    base = tmp_path_factory.mktemp("exchange-course")
    course, home, exchange, cache = (base / name for name in ("course", "home", "exchange", "cache"))
    for folder in (course / "source" / LESSON, home, exchange, cache, base / "student-config"):
        folder.mkdir(parents=True)
    (exchange).chmod(0o777)
    shared = f"c.Exchange.root = {str(exchange)!r}\nc.Exchange.cache = {str(cache)!r}\n"
    config = (ROOT / "grader" / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "nbgrader_config.py").write_text(config + shared, encoding="utf-8")
    (base / "student-config" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE!r}\n{shared}"
        f"c.Exchange.assignment_dir = {str(home)!r}\n",
        encoding="utf-8",
    )
    (course / "source" / LESSON / f"{LESSON}.ipynb").write_text(
        (ROOT / "solutions" / LESSON / f"{LESSON}.ipynb").read_text(encoding="utf-8"), encoding="utf-8"
    )
    run([str(BIN / "nbgrader"), "generate_assignment", LESSON, "--force"], course)
    run([str(BIN / "nbgrader"), "release_assignment", LESSON, "--force"], course)
    return {"course": course, "home": home, "config": base / "student-config", "base": base}


def test_student_fetches_and_validates_a_lesson_from_the_assignment_list(page, exchange_course, shots):
    home = exchange_course["home"]
    env = {"JUPYTER_CONFIG_DIR": str(exchange_course["config"]), "COURSE_OFFLINE": "1"}
    with jupyter_lab(home, exchange_course["base"] / "lab-scratch", env=env) as server:
        page.goto(server.url("lab?reset"), wait_until="domcontentloaded")
        page.wait_for_selector("#jp-main-dock-panel", timeout=90_000)
        palette(page, "Assignment List", "nbgrader:open-assignment-list", "nbgrader:assignment-list")
        released = page.locator("#released_assignments_list > .list_item")
        released.filter(has_text=LESSON).first.wait_for(timeout=60_000)
        released.filter(has_text=LESSON).first.locator(".item_status button").click()  # Fetch

        fetched = page.locator(f"#fetched_assignments_list a.assignment-notebooks-link:text('{LESSON}')")
        fetched.wait_for(timeout=60_000)
        notebook = home / LESSON / f"{LESSON}.ipynb"
        assert notebook.is_file(), f"Fetch did not write {notebook}"

        fetched.click()  # expand the lesson: one row per notebook, with its Validate button
        validate = page.locator(f"#nbgrader-{COURSE}-{LESSON} .list_item .item_status button:text('Validate')")
        validate.click()
        page.locator(".nbgrader-ErrorDialog").wait_for(timeout=180_000)
        failure = page.locator(".nbgrader-ErrorDialog").inner_text()
        page.screenshot(path=str(shots / "nbgrader-validate-untouched.png"))
        assert "NotImplementedError" in failure or "failed" in failure.lower(), failure[:1000]
        page.locator(".nbgrader-ErrorDialog button.jp-Dialog-button").click()

        notebook.write_text(json.dumps(submission(LESSON), indent=1), encoding="utf-8")  # the student's work
        validate.click()
        page.locator(".nbgrader-SuccessDialog").wait_for(timeout=180_000)
        page.screenshot(path=str(shots / "nbgrader-validate-done.png"))
        assert "passes" in page.locator(".nbgrader-SuccessDialog").inner_text().lower()


def test_formgrader_opens_on_the_class_graders_workspace(page, example_cli, shots):
    """On the workspace of the example class graded from the command line (``example_cli``, tests/conftest.py)."""
    done = example_cli.done
    assert done.returncode == 0, f"grading the example class failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    graded_class = example_cli.workspace
    with jupyter_lab(graded_class, graded_class.parent / "lab-scratch") as server:
        page.goto(server.url("lab?reset"), wait_until="domcontentloaded")
        page.wait_for_selector("#jp-main-dock-panel", timeout=90_000)
        palette(page, "Formgrader", "nbgrader:open-formgrader", "nbgrader:formgrader")
        frame = page.frame_locator("#formgrader-iframe iframe")
        frame.locator(f"text={LESSON}").first.wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "formgrader-assignments.png"))

        page.goto(server.url(f"formgrader/manage_submissions/{LESSON}"), wait_until="domcontentloaded")
        table = page.locator("table")
        table.locator("text=ada").first.wait_for(timeout=60_000)
        text = table.inner_text()
        page.screenshot(path=str(shots / "formgrader-submissions.png"))
        for student in ("ada", "ben", "cleo", "dev", "eve", "finn"):
            assert student in text, f"formgrader does not list {student}:\n{text[:2000]}"
        assert "13" in text, f"formgrader does not show ada's 13 points:\n{text[:2000]}"
        rows = {row.locator("td").nth(1).inner_text().strip(): row.inner_text()
                for row in table.locator("tbody tr").all()}
        for student in ("ada", "ben", "cleo"):  # graded normally: nothing to review
            assert "needs manual grading" not in rows[student] and "graded" in rows[student], rows[student]
        for student in ("dev", "eve", "finn"):  # damaged notebook, patched checks, misnamed file
            assert "needs manual grading" in rows[student], f"{student} should be marked for review: {rows[student]}"
