"""The nbgrader pipeline: solutions/ → notebooks/ (deterministic, in sync, no outputs) → real autograding."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import SANDBOX_MISSING

from course_utils import REPOSITORY
from grader import cli
from grader.classroom import COULD_NOT_GRADE, NO_SANDBOX, Result
from grader.cli import notebook_text
from grader.lessons import NOTEBOOKS, ROOT, SOLUTIONS, all_lessons, select
from grader.workspace import CellResult, Grade

LESSONS = [lesson.lesson_id for lesson in all_lessons()]
CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract_check.py"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def grader(*args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def all_notebooks() -> list[Path]:
    return sorted(SOLUTIONS.glob("*/*.ipynb")) + sorted(NOTEBOOKS.glob("*/*.ipynb"))


def test_there_are_lessons():
    assert LESSONS[:2] == ["01_pixels", "02_convolution"], LESSONS


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_committed_without_outputs(path):
    nb = load(path)
    dirty = [c.get("id") for c in nb["cells"] if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
    assert not dirty, f"{path.relative_to(ROOT)} has outputs in cells {dirty}: clear them before committing"


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_lesson_is_released(lesson_id):
    release = NOTEBOOKS / lesson_id / f"{lesson_id}.ipynb"
    assert release.exists(), f"run `python -m grader release {lesson_id}` and commit notebooks/{lesson_id}/"


def test_release_is_deterministic_and_in_sync(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        done = grader("release", "--output", str(out))
        assert done.returncode == 0, done.stdout + done.stderr
    for lesson_id in LESSONS:
        name = f"{lesson_id}/{lesson_id}.ipynb"
        a, b = (first / name).read_text(encoding="utf-8"), (second / name).read_text(encoding="utf-8")
        assert a == b, f"two releases of {lesson_id} differ: generation is not deterministic"
        committed = (NOTEBOOKS / name).read_text(encoding="utf-8")
        assert a == committed, f"notebooks/{name} is out of sync with solutions/: run `python -m grader release`"
    released = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(NOTEBOOKS) for p in NOTEBOOKS.rglob("*") if p.is_file())
    assert released == committed, "notebooks/ holds files that a release does not produce (or lacks some)"


def test_committed_notebooks_use_the_canonical_serialisation():
    for path in all_notebooks():
        if path.is_relative_to(NOTEBOOKS):
            assert path.read_text(encoding="utf-8") == notebook_text(path), path


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_release_hides_solutions_and_hidden_tests(lesson_id):
    nb = load(NOTEBOOKS / lesson_id / f"{lesson_id}.ipynb")
    text = json.dumps(nb)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "HIDDEN TESTS" not in text
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            assert "raise NotImplementedError()" in "".join(cell["source"]), cell["id"]
        if meta.get("grade"):
            assert meta.get("locked") and cell["metadata"].get("editable") is False, cell["id"]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_exercise_has_visible_and_hidden_tests(lesson_id):
    nb = load(SOLUTIONS / lesson_id / f"{lesson_id}.ipynb")
    tests = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    answers = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    assert tests and answers
    for cell in tests:
        source = "".join(cell["source"])
        visible = source.split("### BEGIN HIDDEN TESTS")[0]
        trains = cell["metadata"]["nbgrader"]["grade_id"].endswith("_training")  # grades a training run it does itself
        assert trains or "### BEGIN HIDDEN TESTS" in source, f"{cell['id']} has no hidden tests"
        assert "check_" in visible, f"{cell['id']} has no visible check for students to run"
        assert source.rstrip().splitlines()[-1].startswith("passed("), f"{cell['id']} should end with passed(...)"
    defined = {m for c in answers for m in re.findall(r"^def (\w+)\(", "".join(c["source"]), re.M)}
    # test_<name> grades the results; test_<name>_errors and test_<name>_training are its parts (grader/scheme.py)
    grade_ids = [c["metadata"]["nbgrader"]["grade_id"].removeprefix("test_") for c in tests]
    tested = {re.sub(r"_(errors|training)$", "", grade_id) for grade_id in grade_ids}
    assert tested <= defined, f"test cells for undefined functions: {tested - defined}"


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_lessons_follow_the_template(lesson_id):
    nb = load(SOLUTIONS / lesson_id / f"{lesson_id}.ipynb")
    cells = nb["cells"]
    title = "".join(cells[0]["source"])
    badge = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/{lesson_id}/{lesson_id}.ipynb"
    assert title.startswith(f"# {lesson_id[:2]} "), "the first cell is the title"
    assert badge in title, "the Colab badge must open this lesson's student notebook"
    assert "CC BY 4.0" in title and "MIT" in title, "the title cell states the licences"
    setup = next(c for c in cells if c["cell_type"] == "code")
    setup_source = "".join(setup["source"])
    assert setup["id"] == "setup" and setup["metadata"]["nbgrader"]["locked"]
    assert f'start_lesson("{lesson_id}")' in setup_source
    assert '"google.colab" in sys.modules' in setup_source and "--no-deps" in setup_source, (
        "in Colab the setup installs the course without touching Colab's TensorFlow"
    )
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for heading in ("## Objectives", "## Summary"):
        assert heading in markdown, f"{lesson_id} lacks the section {heading}"
    assert re.search(r"^#+ .*Explore", markdown, re.M), f"{lesson_id} lacks an Explore section"


def test_contract_names_are_all_defined():
    if not CONTRACT_CHECK.exists():
        pytest.skip("the syllabus contract checker is not beside this checkout")
    done = subprocess.run([sys.executable, str(CONTRACT_CHECK)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_grader_check_gives_full_marks_to_solutions_and_zero_to_releases():
    """Every lesson: the class grader (sandboxed where it works) and plain nbgrader's CLI and SQLite gradebook."""
    done = grader("check", timeout=3600)
    print(done.stdout)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    for lesson_id in LESSONS:
        number = r"([\d.]+)\s+([\d.]+)\s+[\d.]+\s+ok$"
        perfect = re.search(rf"^{lesson_id}\s+perfect\s+class\s+{number}", done.stdout, re.M)
        untouched = re.search(rf"^{lesson_id}\s+untouched\s+class\s+0\.0\s+[\d.]+\s+[\d.]+\s+ok$", done.stdout, re.M)
        plain = re.search(rf"^{lesson_id}\s+perfect\s+nbgrader\s+{number}", done.stdout, re.M)
        assert perfect and perfect.group(1) == perfect.group(2), f"{lesson_id}: the class grader gives less"
        assert untouched, f"{lesson_id}: class grader's untouched row missing or not zero"
        assert plain and plain.group(1) == plain.group(2) == perfect.group(1), f"{lesson_id}: plain nbgrader differs"
    isolation = "without a sandbox (trusted code)" if SANDBOX_MISSING else "sandboxed"
    assert f"class grader: {isolation}; time limits (the lessons' defaults):" in done.stdout


# ----------------------------------------------------------------------------- check's wiring, without grading


def _result(student: str, score: float, flags: list[str] | None = None, reason: str = "") -> Result:
    cells = [CellResult("test_a", score, 13.0, "" if score else "AssertionError: wrong")]
    return Result(student, student, "01_pixels", score, 13.0, 1.0, reason=reason, flags=flags or [], cells=cells)


@pytest.fixture
def fake_graders(monkeypatch):
    """check() with the graders replaced: records the class grader's calls and plain nbgrader's students."""
    calls: dict[str, list] = {"class": [], "nbgrader": []}

    def class_grader(lesson, submissions, workspace, **options):
        calls["class"].append((lesson.lesson_id, sorted(p.name for p in submissions.iterdir()), options))
        return [_result("perfect", 13.0), _result("untouched", 0.0)][: len(list(submissions.iterdir()))]

    def plain(self, lesson, student):
        calls["nbgrader"].append((lesson.lesson_id, student))
        return Grade(lesson.lesson_id, student, 13.0, 13.0, 1.0, [])

    monkeypatch.setattr(cli, "autograde_class", class_grader)
    monkeypatch.setattr(cli.Workspace, "autograde", plain)
    return calls


def _probe(full: bool):
    return lambda: SimpleNamespace(full=full, problems=[] if full else ["bubblewrap (bwrap) is not installed"])


def test_check_grades_with_the_class_grader_sandboxed_and_once_with_plain_nbgrader(fake_graders, monkeypatch, capsys):
    monkeypatch.setattr(cli, "probe", _probe(True))
    assert cli.check(select(["01"]), sync=False) == 0
    [(lesson_id, students, options)] = fake_graders["class"]
    assert (lesson_id, students, options["no_sandbox"]) == ("01_pixels", ["perfect", "untouched"], False)
    assert (options["cell_timeout"], options["timeout"]) == (240.0, 720.0)
    assert fake_graders["nbgrader"] == [("01_pixels", "perfect")]
    out = capsys.readouterr().out
    assert re.search(r"^01_pixels\s+perfect\s+class\s+13\.0\s+13\.0\s+[\d.]+\s+ok$", out, re.M), out
    assert re.search(r"^01_pixels\s+perfect\s+nbgrader\s+13\.0", out, re.M), out
    assert "class grader: sandboxed; time limits (the lessons' defaults): 240 s per cell, 720 s per notebook" in out


def test_without_the_sandbox_check_says_so_and_grades_the_course_code_without_it(fake_graders, monkeypatch, capsys):
    monkeypatch.setattr(cli, "probe", _probe(False))
    assert cli.check(select(["01"]), sync=False, nbgrader=False) == 0
    assert fake_graders["class"][0][2]["no_sandbox"] is True and fake_graders["nbgrader"] == []
    out = capsys.readouterr().out
    assert "no full sandbox here (bubblewrap (bwrap) is not installed)" in out and "trusted code" in out


def test_demo_grades_solutions_only_with_the_class_grader(fake_graders, monkeypatch, capsys):
    monkeypatch.setattr(cli, "probe", _probe(True))
    assert cli.main(["demo", "01"]) == 0
    assert [students for _, students, _ in fake_graders["class"]] == [["perfect"]]
    assert fake_graders["nbgrader"] == []


@pytest.mark.parametrize(
    "results, problem",
    [
        ([_result("perfect", 13.0, ["review: to_float uses np.divide, which the exercise forbids"])], "is flagged"),
        ([_result("perfect", 13.0, reason="cell 'x' ran past the 240 s cell limit and was skipped")], "said"),
        ([_result("perfect", 12.0)], "loses 1 point(s)"),
        ([_result("perfect", 13.0), _result("untouched", 0.0, [COULD_NOT_GRADE], "could not grade: X")], "could not"),
        ([_result("perfect", 13.0), _result("untouched", 13.0)], "passes without any student code"),
    ],
)
def test_check_fails_on_a_flagged_or_short_solution_and_an_ungraded_release(results, problem):
    rows, problems = cli._class_verdicts(select(["01"])[0], results)
    assert any("FAIL" in row for row in rows) and any(problem in p for p in problems), (rows, problems)


def test_a_solution_graded_without_a_sandbox_still_passes():
    rows, problems = cli._class_verdicts(select(["01"])[0], [_result("perfect", 13.0, [NO_SANDBOX])])
    assert rows[0].endswith("ok") and not problems


def _requirements(lines: list[str]) -> set[str]:
    return {re.sub(r"\s+", "", line) for line in lines}


def test_environment_yml_matches_pyproject():
    """conda users get the same version ranges as pip users."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _requirements(project["dependencies"] + project["optional-dependencies"]["dev"])
    listed = re.findall(r'^\s+- "([^"]+)"$', (ROOT / "environment.yml").read_text(encoding="utf-8"), re.M)
    assert _requirements(listed) - {"-e."} == wanted


def test_readme_names_the_two_commands_and_every_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    for lesson_id in LESSONS:
        assert f"notebooks/{lesson_id}/{lesson_id}.ipynb" in readme, f"README does not link {lesson_id}"


def test_ci_runs_the_readme_test_command_and_the_browser_tests():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M) and re.search(r"^make test-browser$", ci, re.M), ci
    assert "apt-get install" in ci and "chromium" in ci, "CI installs Debian's Chromium for the browser tests"
