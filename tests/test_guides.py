"""The guides in docs/ hold only commands that work: every ```bash block runs here, in order, in a copy of the course.

A block that cannot run in a test is preceded by ``<!-- not run in tests: REASON -->`` with a reason from
``ALLOWED_REASONS``. The student guide runs first, then the instructor guide, in one scratch copy of the tracked
files with ``.venv`` linked to this environment; this test plays the LMS by leaving a Canvas download,
``submissions.zip``, where the instructor guide says to save it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from suite import SANDBOX_MISSING, marks

from grader.example_class import WRONG_CROP, WRONG_TO_FLOAT, _answers, submission
from grader.lessons import ROOT

DOCS = ROOT / "docs"
STUDENT_GUIDE = DOCS / "student-guide.md"
INSTRUCTOR_GUIDE = DOCS / "instructor-guide.md"
GUIDES = [STUDENT_GUIDE, INSTRUCTOR_GUIDE]
ALLOWED_REASONS = {"needs the network", "opens a server"}
SKIP_NOTE = re.compile(r"<!--\s*not run in tests:\s*(.*?)\s*-->")
FENCE = re.compile(r"^```(\w*)\s*$")
LESSON = "01_pixels"
#: The Canvas download the instructor guide collects: file name → (notebook, score out of 13).
WRONG = _answers(LESSON) | {"to_float": WRONG_TO_FLOAT, "crop": WRONG_CROP}
DOWNLOAD = {
    "lovelaceada_LATE_1001_5001_01_pixels-1.ipynb": (submission(), 13),
    "brownben_1002_5002_01_pixels.ipynb": (submission(answers=WRONG), 10),
    "cruzcleo_1003_5003_01_pixels.ipynb": (submission(answers={}), 0),
    "doradiaz_1004_5004_pixels.ipynb": (submission(), 0),
}
SCORES = {"lovelaceada": 13, "brownben": 10, "cruzcleo": 0, "doradiaz": 0}
#: After the re-grading section, which accepts doradiaz's notebook under its right name.
REGRADED = SCORES | {"doradiaz": 13}


@dataclass
class Block:
    """One fenced block of a guide."""

    guide: str
    line: int
    language: str
    code: str
    skip_reason: str | None


@dataclass
class Ran:
    block: Block
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path`` at the start of a line, with the skip note right above it, if any."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
        above = lines[index - 1] if index else ""
        note = SKIP_NOTE.fullmatch(above.strip())
        code = "\n".join(lines[index + 1 : end]) + "\n"
        blocks.append(Block(path.name, index + 1, opening[1], code, note[1] if note else None))
        index = end + 1
    return blocks


def bash_blocks(path: Path) -> list[Block]:
    return [b for b in fenced_blocks(path) if b.language == "bash"]


def _tracked_files() -> list[Path]:
    """The repository's tracked files that exist in the work tree (or every file, outside a git checkout)."""
    done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if done.returncode == 0:
        names = [n for n in done.stdout.decode("utf-8").split("\0") if n]
        return [ROOT / n for n in names if (ROOT / n).is_file()]
    skip = {".git", ".venv", "__pycache__", ".demo", "grading", "reports", ".pytest_cache", ".ruff_cache"}
    return [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]


#: The tests that read the guides' one run (a class graded once more) share its worker (``make test-all``).
GUIDE_RUN = marks(pytest.mark.slow, pytest.mark.xdist_group("guides"))


def _venv() -> Path:
    here = Path(sys.prefix)
    return here if (here / "bin" / "activate").exists() else ROOT / ".venv"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of the course as a newcomer has it after setting up: tracked files and a working .venv."""
    root = tmp_path_factory.mktemp("guides") / "pixels-to-cnns"
    for path in _tracked_files():
        target = root / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    if not (_venv() / "bin" / "activate").exists():
        pytest.skip("no virtual environment with bin/activate: run `make venv` first")
    (root / ".venv").symlink_to(_venv())
    return root


def _write_download(target: Path) -> None:
    with zipfile.ZipFile(target, "w") as archive:
        for name, (notebook, _) in DOWNLOAD.items():
            archive.writestr(name, json.dumps(notebook, indent=1))


def run_guide(guide: Path, root: Path) -> list[Ran]:
    """Run each bash block of ``guide`` not marked as skipped, in order, from the course folder."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(root / ".venv" / "bin"), env.get("PATH", "")])
    env["COURSE_OFFLINE"] = "1"
    env.pop("PYTHONPATH", None)
    results = []
    for block in bash_blocks(guide):
        if block.skip_reason is not None:
            continue
        start = time.perf_counter()
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", block.code],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        results.append(Ran(block, done.returncode, done.stdout, done.stderr, time.perf_counter() - start))
    return results


@pytest.fixture(scope="module")
def ran(course) -> dict[str, list[Ran]]:
    student = run_guide(STUDENT_GUIDE, course)
    _write_download(course / "submissions.zip")
    # the instructor's autograde refuses without the full sandbox, as the guide says
    instructor = [] if SANDBOX_MISSING else run_guide(INSTRUCTOR_GUIDE, course)
    return {STUDENT_GUIDE.name: student, INSTRUCTOR_GUIDE.name: instructor}


@pytest.fixture
def sandboxed() -> None:
    if SANDBOX_MISSING:
        pytest.skip(SANDBOX_MISSING)


def _failures(results: list[Ran]) -> list[str]:
    failed = [r for r in results if r.returncode != 0]
    return [
        f"{r.block.guide}:{r.block.line} exited {r.returncode}\n$ {r.block.code}\n"
        f"{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        for r in failed
    ]


def _timings(results: list[Ran]) -> str:
    """Seconds per block, shown with ``pytest -s`` or on failure."""
    return "\n".join(
        f"{r.seconds:6.1f} s  {r.block.guide}:{r.block.line}  {r.block.code.splitlines()[0]}" for r in results
    )


def _output_of(results: list[Ran], command: str) -> str:
    matches = [r.stdout for r in results if command in r.block.code]
    assert matches, f"no block runs {command!r}"
    return matches[0]


# ----------------------------------------------------------------------------- the guides themselves


def test_readme_links_both_guides():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for guide in GUIDES:
        assert f"(docs/{guide.name})" in readme, f"README.md does not link docs/{guide.name}"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_block_not_run_says_why(guide):
    blocks = fenced_blocks(guide)
    assert bash_blocks(guide), f"{guide.name} has no bash blocks"
    for block in blocks:
        assert block.language in {"bash", "text", "python"}, (
            f"{guide.name}:{block.line}: a ```{block.language or '(no language)'} block: shell commands go in "
            "```bash blocks (they run in this test), output in ```text"
        )
        if block.skip_reason is not None:
            assert block.language == "bash", f"{guide.name}:{block.line}: only a bash block can be 'not run'"
            assert block.skip_reason in ALLOWED_REASONS, (
                f"{guide.name}:{block.line}: reason {block.skip_reason!r} is not one of {sorted(ALLOWED_REASONS)}"
            )
    notes = len(SKIP_NOTE.findall(guide.read_text(encoding="utf-8")))
    assert notes == sum(b.skip_reason is not None for b in blocks), f"{guide.name}: a skip note is not above a block"


def _subcommand_options(subcommand: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "grader", subcommand, "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(re.findall(r"--[a-z][a-z-]*", done.stdout))


def test_grader_options_in_the_guides_exist():
    """Also for the blocks that do not run (a Dask cluster, say): every option is one the CLI knows."""
    cache: dict[str, set[str]] = {}
    for guide in GUIDES:
        for block in bash_blocks(guide):
            for line in block.code.splitlines():
                call = re.search(r"python -m grader (\w+)(.*)", line.split("#")[0])
                if not call:
                    continue
                known = cache.setdefault(call[1], _subcommand_options(call[1]))
                unknown = set(re.findall(r"--[a-z][a-z-]*", call[2])) - known
                assert not unknown, f"{guide.name}: `{line.strip()}` uses {unknown}, unknown to `grader {call[1]}`"


# ----------------------------------------------------------------------------- running them


@GUIDE_RUN
def test_student_guide_commands_run(ran):
    results = ran[STUDENT_GUIDE.name]
    print(_timings(results))
    assert len(results) >= 3
    assert not _failures(results), "\n\n".join(_failures(results))
    assert "ready: TensorFlow" in _output_of(results, "ready: TensorFlow")
    assert "VALIDATION FAILED" in _output_of(results, "nbgrader validate"), "an untouched lesson must fail validation"
    assert "mlxtend" in _output_of(results, "COURSE_OFFLINE=1")


@GUIDE_RUN
def test_instructor_guide_commands_run(ran, sandboxed):
    results = ran[INSTRUCTOR_GUIDE.name]
    print(_timings(results))
    assert not _failures(results), "\n\n".join(_failures(results))


@GUIDE_RUN
def test_instructor_flow_gives_the_right_grades(course, ran, sandboxed):
    assert not _failures(ran[INSTRUCTOR_GUIDE.name])
    released = course / "lms-release" / LESSON / f"{LESSON}.ipynb"
    assert released.read_bytes() == (course / "notebooks" / LESSON / f"{LESSON}.ipynb").read_bytes()
    collected = course / "submissions" / LESSON
    assert {p.name for p in collected.iterdir() if p.is_dir()} == set(SCORES)
    late = {r["student_id"] for r in csv.DictReader((collected / "collect-report.csv").open()) if r["late"]}
    assert late == {"lovelaceada"}
    reviewed = _output_of(ran[INSTRUCTOR_GUIDE.name], "grader export")
    assert re.search(r"^doradiaz\s+0 .*reason: wrong file name", reviewed, re.M), reviewed
    grades = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open(encoding="utf-8"))}
    assert {s: float(r["score"]) for s, r in grades.items()} == REGRADED
    assert not grades["doradiaz"]["reason"]
    for student, score in REGRADED.items():
        page = course / "grading" / "feedback" / student / LESSON / f"{LESSON}.html"
        assert f"{LESSON}: {score:g} / 13" in page.read_text(encoding="utf-8"), student
    nbgrader_rows = list(csv.DictReader((course / "grading" / "nbgrader-grades.csv").open(encoding="utf-8")))
    assert {r["student_id"]: float(r["score"]) for r in nbgrader_rows} == SCORES, "exported before re-grading"


def _squeeze(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _text_after(guide: Path, command: str) -> str:
    blocks = fenced_blocks(guide)
    index = next(i for i, b in enumerate(blocks) if b.language == "bash" and command in b.code)
    assert blocks[index + 1].language == "text", f"no ```text example after the block that runs {command!r}"
    return blocks[index + 1].code


@GUIDE_RUN
def test_the_guide_shows_real_output(ran, sandboxed):
    """The example outputs printed in the instructor guide are what the commands print."""
    results = ran[INSTRUCTOR_GUIDE.name]
    collect_out = _squeeze(_output_of(results, "grader collect"))
    for line in _squeeze(_text_after(INSTRUCTOR_GUIDE, "grader collect")):
        assert line in collect_out, f"the guide shows {line!r}; collect printed:\n" + "\n".join(collect_out)
    graded = _output_of(results, "--submissions submissions/01_pixels --workspace grading --workers")
    shown = re.findall(r"^(\w+)\s+(\d+)\s+(\d+)\s", _text_after(INSTRUCTOR_GUIDE, "--workers"), re.M)
    assert shown, "the autograde example shows no rows"
    for student, score, top in shown:
        assert re.search(rf"^{student}\s+{score}\s+{top}\s", graded, re.M), (student, graded)


def test_export_and_feedback_refuse_a_workspace_that_graded_nothing(tmp_path):
    for args in (["export", "--to", str(tmp_path / "g.csv")], ["feedback", LESSON]):
        done = subprocess.run(
            [sys.executable, "-m", "grader", *args, "--workspace", str(tmp_path / "typo")],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 1 and "pass the --workspace you gave autograde" in done.stderr, done.stderr
        assert not (tmp_path / "typo").exists() and not (tmp_path / "g.csv").exists()
