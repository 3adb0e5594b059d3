"""The nbgrader pipeline: solutions/ → notebooks/ (deterministic, in sync, no outputs) → real autograding."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from suite import SANDBOX_MISSING, STUB_HINT, class_graded, is_stub_error

from course_utils import REPOSITORY
from grader import cells, cli
from grader.cli import notebook_text
from grader.lessons import NOTEBOOKS, ROOT, SOLUTIONS, all_lessons, select
from grader.records import COULD_NOT_GRADE, NO_SANDBOX, ClassWorkspace, Result
from grader.workspace import CellResult, Grade, Workspace

LESSONS = [lesson.lesson_id for lesson in all_lessons()]
CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract_check.py"
#: A lesson cell's error in a class grader's record, and a test cell's reason: the exception's name, then its text.
CELL_ERROR = re.compile(r"cell '.*' raised (\w+):?(.*)", re.S)
TEST_REASON = re.compile(r"(\w+):?(.*)", re.S)


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
    """One release, byte for byte the committed notebooks/: made by an earlier release, so also deterministic."""
    out = tmp_path / "release"
    done = grader("release", "--output", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    for lesson_id in LESSONS:
        name = f"{lesson_id}/{lesson_id}.ipynb"
        committed = (NOTEBOOKS / name).read_text(encoding="utf-8")
        assert (out / name).read_text(encoding="utf-8") == committed, (
            f"notebooks/{name} differs from a fresh release: out of sync with solutions/ (run `python -m grader "
            "release` and commit), or the release is not deterministic"
        )
    released = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
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
        if cells.is_answer(cell) and cell["cell_type"] == "code":
            assert "raise NotImplementedError()" in cells.source(cell), cell["id"]
        if cells.is_graded(cell):
            assert cells.is_locked(cell) and cell["metadata"].get("editable") is False, cell["id"]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_exercise_has_visible_and_hidden_tests(lesson_id):
    nb = load(SOLUTIONS / lesson_id / f"{lesson_id}.ipynb")
    tests = [c for c in nb["cells"] if cells.is_graded(c)]
    answers = [c for c in nb["cells"] if cells.is_answer(c)]
    assert tests and answers
    for cell in tests:
        source = cells.source(cell)
        visible = source.split(cells.HIDDEN_BEGIN)[0]
        trains = cells.grade_id(cell).endswith("_training")  # grades a training run it does itself
        assert trains or cells.HIDDEN_BEGIN in source, f"{cell['id']} has no hidden tests"
        assert "check_" in visible, f"{cell['id']} has no visible check for students to run"
        assert source.rstrip().splitlines()[-1].startswith("passed("), f"{cell['id']} should end with passed(...)"
    defined = {m for c in answers for m in re.findall(r"^def (\w+)\(", cells.source(c), re.M)}
    # test_<name> grades the results; test_<name>_errors and test_<name>_training are its parts (grader/scheme.py)
    grade_ids = [cells.grade_id(c).removeprefix("test_") for c in tests]
    tested = {re.sub(r"_(errors|training)$", "", grade_id) for grade_id in grade_ids}
    assert tested <= defined, f"test cells for undefined functions: {tested - defined}"


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_lessons_follow_the_template(lesson_id):
    nb = load(SOLUTIONS / lesson_id / f"{lesson_id}.ipynb")
    lesson_cells = nb["cells"]
    title = cells.source(lesson_cells[0])
    badge = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/{lesson_id}/{lesson_id}.ipynb"
    assert title.startswith(f"# {lesson_id[:2]} "), "the first cell is the title"
    assert badge in title, "the Colab badge must open this lesson's student notebook"
    assert "CC BY 4.0" in title and "MIT" in title, "the title cell states the licences"
    setup = next(c for c in lesson_cells if c["cell_type"] == "code")
    setup_source = cells.source(setup)
    assert setup["id"] == "setup" and cells.is_locked(setup)
    assert f'start_lesson("{lesson_id}")' in setup_source
    assert '"google.colab" in sys.modules' in setup_source and "--no-deps" in setup_source, (
        "in Colab the setup installs the course without touching Colab's TensorFlow"
    )
    markdown = "\n".join(cells.source(c) for c in lesson_cells if c["cell_type"] == "markdown")
    for heading in ("## Objectives", "## Summary"):
        assert heading in markdown, f"{lesson_id} lacks the section {heading}"
    assert re.search(r"^#+ .*Explore", markdown, re.M), f"{lesson_id} lacks an Explore section"


def test_contract_names_are_all_defined():
    if not CONTRACT_CHECK.exists():
        pytest.skip("the syllabus contract checker is not beside this checkout")
    done = subprocess.run([sys.executable, str(CONTRACT_CHECK)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("lesson_id", class_graded(LESSONS))
def test_grader_check_gives_full_marks_to_solutions(class_check, lesson_id):
    """Each lesson's solution through the class grader (sandboxed where it works): full marks, no flag."""
    done = class_check(lesson_id)
    print(done.stdout)
    assert done.returncode == 0, done.stdout[-4000:]
    perfect = re.search(rf"^{lesson_id}\s+perfect\s+class\s+([\d.]+)\s+([\d.]+)\s+[\d.]+\s+ok$", done.stdout, re.M)
    assert perfect and perfect.group(1) == perfect.group(2), f"{lesson_id}: the class grader gives less"
    isolation = "without a sandbox (trusted code)" if SANDBOX_MISSING else "sandboxed"
    assert f"class grader: {isolation}; time limits (the lessons' defaults):" in done.stdout


def failures_other_than_stubs(result: Result) -> list[str]:
    """The lesson cells and test cells of a class grader's record that failed for another reason than an
    unwritten exercise."""
    failed = [(error, *CELL_ERROR.fullmatch(error).groups()) for error in result.cell_errors]
    failed += [(cell.grade_id, *TEST_REASON.match(cell.reason).groups()) for cell in result.cells if cell.reason]
    return [where for where, ename, evalue in failed if not is_stub_error(ename, evalue)]


def test_only_an_unwritten_exercise_may_fail_in_a_release():
    stub = "CheckFailure: to_float: the three pixel values\n  hint: the function still raises NotImplementedError"
    result = _result("untouched", 0.0)
    result.cell_errors = ["cell 'cell 28' raised NotImplementedError:", "cell 'cell 30' raised NameError: name 'x'"]
    result.cells = [CellResult("test_to_float", 0, 3, stub), CellResult("test_crop", 0, 2, "NameError: name 'crop'")]
    assert failures_other_than_stubs(result) == ["cell 'cell 30' raised NameError: name 'x'", "test_crop"]


@pytest.mark.slow
@pytest.mark.parametrize("lesson", all_lessons(), ids=lambda lesson: lesson.lesson_id)
def test_an_untouched_release_scores_zero_through_the_class_grader(lesson, tmp_path, capsys):
    """The release as a student gets it earns nothing: no test passes without the student's code, and the only
    cells that fail, lesson or test cells, fail because an exercise is not written yet."""
    no_sandbox = cli.course_code_without_sandbox()
    rows, problems = cli._class_check(lesson, {cli.UNTOUCHED: lesson.release}, tmp_path, no_sandbox)
    assert not problems, "\n".join(problems)
    assert len(rows) == 1 and rows[0].endswith("ok") and re.search(r"\s0\.0\s", rows[0]), rows
    (result,) = ClassWorkspace(tmp_path / "class" / lesson.lesson_id).results(lesson.lesson_id)
    unexpected = failures_other_than_stubs(result)
    assert not unexpected, (
        f"{lesson.lesson_id} (untouched release): cells fail for another reason than an unwritten exercise:\n"
        + "\n".join(f"  {where}" for where in unexpected) + f"\nhint: {STUB_HINT}"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "lesson", [pytest.param(lesson, marks=pytest.mark.xdist_group(f"plain-nbgrader-{lesson.lesson_id}"))
               for lesson in all_lessons()], ids=lambda lesson: lesson.lesson_id,
)  # fmt: skip
def test_plain_nbgrader_gives_the_solution_full_marks(lesson, capsys):
    """The course still works with nbgrader alone: its CLI and SQLite gradebook, once per lesson (each lesson a
    worker group of its own, so that both workers share them)."""
    with Workspace() as ws:
        ws.generate(lesson)
        rows, problems = cli._nbgrader_check(ws, lesson)
    assert not problems, "\n".join(problems)
    assert len(rows) == 1 and rows[0].endswith("ok"), rows


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
    monkeypatch.setattr(cli.Workspace, "generate", lambda self, lesson: lesson.release)  # nbgrader's own: tested above
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
    """conda users get the same version ranges as pip users; like them, students leave out the grader's extra."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _requirements(project["dependencies"] + project["optional-dependencies"]["dev"])
    listed = re.findall(r'^\s+- "([^"]+)"$', (ROOT / "environment.yml").read_text(encoding="utf-8"), re.M)
    assert _requirements(listed) - {"-e."} == wanted
    grader_only = _requirements(project["optional-dependencies"]["grader"])
    assert not grader_only & _requirements(listed), "students do not install the grader's dependencies"


def test_readme_names_the_two_commands_and_every_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    for lesson_id in LESSONS:
        assert f"notebooks/{lesson_id}/{lesson_id}.ipynb" in readme, f"README does not link {lesson_id}"


def test_ci_runs_the_readme_full_test_command():
    """CI runs `make test-all`, which the README names, and which leaves out no marker."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test-all$", ci, re.M), ci
    assert "make test-all" in (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test-all:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and " -m " not in recipe.group(1), "make test-all must run every marker"
    assert "apt-get install" in ci and "chromium" in ci, "CI installs Debian's Chromium for the browser tests"


def test_without_the_grader_extra_the_grader_says_what_to_install(monkeypatch, capsys):
    """Students install the course without the `grader` extra; an instructor who did too is told what to run."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "dask" else real(name, *a))
    assert cli.main(["autograde", "01", "--submissions", "nowhere"]) == 2
    assert "pip install -e '.[grader]'" in capsys.readouterr().err
