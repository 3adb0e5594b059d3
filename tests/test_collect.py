"""``python -m grader collect``: LMS downloads (Canvas, Moodle, student folders) → one folder per student."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from suite import SANDBOX_MISSING

from grader.collect import REPORT, UNMATCHED, CollectError, collect, report, slugify
from grader.intake import collect_jobs
from grader.lessons import NOTEBOOKS, ROOT, SOLUTIONS, select

LESSON = select(["01_pixels"])[0]
RELEASE = (NOTEBOOKS / "01_pixels" / "01_pixels.ipynb").read_bytes()
SOLUTION = (SOLUTIONS / "01_pixels" / "01_pixels.ipynb").read_bytes()


def make_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != REPORT}


def report_rows(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((folder / REPORT).open(encoding="utf-8")))


def grader(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_canvas_zip_late_resubmission_and_extra_files(tmp_path):
    download = make_zip(
        tmp_path / "canvas.zip",
        {
            "smithjane_LATE_12345_67890_01_pixels-1.ipynb": SOLUTION,
            "smithjane_12345_67800_01_pixels.ipynb": RELEASE,
            "smithjane_12345_67801_notes.txt": b"my notes",
            "doejohn_222_333_01_pixels.ipynb": RELEASE,
        },
    )
    out = tmp_path / "class"
    rows = collect("01_pixels", download, out)
    assert tree(out) == {
        "smithjane/01_pixels.ipynb",
        "smithjane/01_pixels (2).ipynb",
        "smithjane/notes.txt",
        "doejohn/01_pixels.ipynb",
    }
    assert (out / "smithjane" / "01_pixels.ipynb").read_bytes() == SOLUTION, "the newest upload is the one graded"
    assert (out / "smithjane" / "01_pixels (2).ipynb").read_bytes() == RELEASE
    graded = next(r for r in rows if r.saved_as == "smithjane/01_pixels.ipynb")
    assert graded.late and "renamed from 01_pixels-1.ipynb" in graded.note and "several files" in graded.note
    late = {r["student_id"] for r in report_rows(out) if r["late"] == "yes"}
    assert late == {"smithjane"}
    text = report(rows, "01_pixels", out)
    assert re.search(r"^smithjane\s+smithjane_LATE_12345_67890_01_pixels-1\.ipynb\s.*late", text, re.M), text
    assert "check that smithjane/01_pixels.ipynb is the one to grade" in text
    assert "1 late (smithjane)" in text and "python -m grader autograde 01_pixels --submissions" in text


def test_canvas_students_with_the_same_name_keep_apart(tmp_path):
    download = make_zip(
        tmp_path / "canvas.zip",
        {
            "leeann_11_5_01_pixels.ipynb": SOLUTION,
            "leeann_12_6_01_pixels.ipynb": RELEASE,
            "núñezjosé_13_7_01_pixels.ipynb": RELEASE,
        },
    )
    collect("01_pixels", download, tmp_path / "class")
    assert tree(tmp_path / "class") == {
        "leeann_11/01_pixels.ipynb",
        "leeann_12/01_pixels.ipynb",
        "nunezjose/01_pixels.ipynb",
    }
    assert (tmp_path / "class" / "leeann_11" / "01_pixels.ipynb").read_bytes() == SOLUTION


def test_moodle_folders_slugified_with_collisions(tmp_path):
    download = make_zip(
        tmp_path / "moodle.zip",
        {
            "Jane Smith_101_assignsubmission_file_/01_pixels.ipynb": SOLUTION,
            "Jane Smith_103_assignsubmission_file_/01_pixels.ipynb": RELEASE,
            "José Núñez_102_assignsubmission_file_/01_pixels.ipynb": RELEASE,
            "José Núñez_102_assignsubmission_file_/.ipynb_checkpoints/01_pixels-checkpoint.ipynb": RELEASE,
            "José Núñez_102_assignsubmission_onlinetext_onlinetext.html": b"<p>done</p>",
            "Ana Lee_104_assignsubmission_file_01_pixels.ipynb": SOLUTION,
        },
    )
    out = tmp_path / "class"
    rows = collect("01_pixels", download, out)
    assert tree(out) == {
        "jane_smith_101/01_pixels.ipynb",
        "jane_smith_103/01_pixels.ipynb",
        "jose_nunez/01_pixels.ipynb",
        "jose_nunez/.ipynb_checkpoints/01_pixels-checkpoint.ipynb",
        "jose_nunez/onlinetext.html",
        "ana_lee/01_pixels.ipynb",
    }
    assert (out / "jane_smith_101" / "01_pixels.ipynb").read_bytes() == SOLUTION
    notes = {r.saved_as: r.note for r in rows}
    assert "autosave" in notes["jose_nunez/.ipynb_checkpoints/01_pixels-checkpoint.ipynb"]
    assert "not a notebook" in notes["jose_nunez/onlinetext.html"]
    assert "student id from 'José Núñez'" in notes["jose_nunez/01_pixels.ipynb"]
    jobs = {job.student_id: job for job in collect_jobs(LESSON, out)}
    assert sorted(jobs) == ["ana_lee", "jane_smith_101", "jane_smith_103", "jose_nunez"]
    assert not any(job.problem for job in jobs.values())


@pytest.mark.parametrize("wrapped", [False, True])
def test_student_folders_are_copied_as_is(tmp_path, wrapped):
    prefix = "Lesson 1 submissions/" if wrapped else ""
    files = {
        f"{prefix}ada/01_pixels.ipynb": SOLUTION,
        f"{prefix}ada/data/extra.csv": b"1,2\n",
        f"{prefix}ben/01_pixels.ipynb": RELEASE,
        f"{prefix}finn/01_pixels (1).ipynb": SOLUTION,
        f"{prefix}finn/scratch.ipynb": RELEASE,
        f"{prefix}Cleo Diaz/01_pixels.ipynb": RELEASE,
        f"{prefix}notes for the TA.txt": b"stray",
        "__MACOSX/ada/._01_pixels.ipynb": b"\x00\x05\x16\x07",
        f"{prefix}.DS_Store": b"\x00",
    }
    out = tmp_path / "class"
    rows = collect("01_pixels", make_zip(tmp_path / "folders.zip", files), out)
    assert tree(out) == {
        "ada/01_pixels.ipynb",
        "ada/data/extra.csv",
        "ben/01_pixels.ipynb",
        "finn/01_pixels (1).ipynb",
        "finn/scratch.ipynb",
        "cleo_diaz/01_pixels.ipynb",
        f"{UNMATCHED}/notes for the TA.txt",
    }
    text = report(rows, "01_pixels", out)
    assert "finn has no 01_pixels.ipynb but finn/01_pixels (1).ipynb, finn/scratch.ipynb" in text
    assert "move __unmatched__/notes for the TA.txt to <student_id>/01_pixels.ipynb" in text
    assert "2 file(s) such as" in text and "ignored: macOS or Windows folder metadata" in text
    jobs = {job.student_id: job for job in collect_jobs(LESSON, out)}
    assert sorted(jobs) == ["ada", "ben", "cleo_diaz", "finn"], "the unmatched folder is not a student"
    assert jobs["finn"].problem.startswith("wrong file name: found 01_pixels (1).ipynb, scratch.ipynb")


def test_a_folder_download_is_read_like_a_zip(tmp_path):
    download = tmp_path / "download"
    (download / "ada").mkdir(parents=True)
    (download / "ada" / "01_pixels.ipynb").write_bytes(SOLUTION)
    (download / "smithjane_1_2_01_pixels.ipynb").write_bytes(RELEASE)
    (download / "ada" / "link.ipynb").symlink_to(SOLUTIONS / "01_pixels" / "01_pixels.ipynb")
    out = tmp_path / "class"
    rows = collect("01_pixels", download, out)
    assert tree(out) == {"ada/01_pixels.ipynb", "smithjane/01_pixels.ipynb"}
    assert any(r.entry == "ada/link.ipynb" and "symbolic link" in r.note for r in rows)


@pytest.mark.parametrize("evil", ["../escape.ipynb", "/abs/escape.ipynb", "ok/../../escape.ipynb", "C:/escape.ipynb"])
def test_zip_slip_is_refused_and_nothing_is_written(tmp_path, evil):
    download = make_zip(tmp_path / "evil.zip", {"ada/01_pixels.ipynb": SOLUTION, evil: b"{}"})
    out = tmp_path / "deep" / "class"
    with pytest.raises(CollectError, match=r"absolute path, '\.\.' or a link .*download the submissions again"):
        collect("01_pixels", download, out)
    assert not out.exists() or not any(out.iterdir())
    assert not list(tmp_path.rglob("escape.ipynb"))


def test_a_link_inside_a_zip_is_refused(tmp_path):
    download = tmp_path / "link.zip"
    with zipfile.ZipFile(download, "w") as archive:
        info = zipfile.ZipInfo("ada/01_pixels.ipynb")
        info.external_attr = (0o120777 << 16) | 0x20
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(CollectError, match="link"):
        collect("01_pixels", download, tmp_path / "class")


def test_existing_student_folders_need_force(tmp_path):
    download = make_zip(tmp_path / "canvas.zip", {"smithjane_1_2_01_pixels.ipynb": SOLUTION})
    out = tmp_path / "class"
    (out / "smithjane").mkdir(parents=True)
    (out / "smithjane" / "01_pixels.ipynb").write_bytes(RELEASE)
    (out / "smithjane" / "old.txt").write_text("from last time")
    with pytest.raises(CollectError, match=r"1 student folder\(s\) already exist .*smithjane.*--force"):
        collect("01_pixels", download, out)
    assert (out / "smithjane" / "01_pixels.ipynb").read_bytes() == RELEASE
    collect("01_pixels", download, out, force=True)
    assert tree(out) == {"smithjane/01_pixels.ipynb"}
    assert (out / "smithjane" / "01_pixels.ipynb").read_bytes() == SOLUTION


def test_errors_say_what_to_do(tmp_path):
    with pytest.raises(CollectError, match="no such file or folder.*Pass the .zip"):
        collect("01_pixels", tmp_path / "missing.zip", tmp_path / "class")
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(CollectError, match="not a readable zip.*download it again"):
        collect("01_pixels", tmp_path / "bad.zip", tmp_path / "class")
    empty = make_zip(tmp_path / "empty.zip", {"__MACOSX/._x": b"", "readme.txt": b"hello"})
    with pytest.raises(CollectError, match="found no submissions"):
        collect("01_pixels", empty, tmp_path / "class")
    (tmp_path / "dl" / "ada").mkdir(parents=True)
    with pytest.raises(CollectError, match="must be outside"):
        collect("01_pixels", tmp_path / "dl", tmp_path / "dl" / "class")
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(CollectError, match="is a file: give a folder"):
        collect("01_pixels", make_zip(tmp_path / "one.zip", {"ada/01_pixels.ipynb": SOLUTION}), tmp_path / "taken")


def test_slugify():
    assert slugify("Jane Smith") == "jane_smith"
    assert slugify("José Núñez-O'Brien") == "jose_nunez_o_brien"
    assert slugify("王伟") == ""


def test_cli_prints_the_table_and_fails_clearly(tmp_path):
    download = make_zip(tmp_path / "canvas.zip", {"smithjane_LATE_1_2_01_pixels.ipynb": SOLUTION})
    done = grader("collect", "01", "--from", str(download), "--to", str(tmp_path / "class"))
    assert done.returncode == 0, done.stderr
    assert re.search(r"^student id\s+source entry\s+saved as\s+note$", done.stdout, re.M), done.stdout
    assert re.search(
        r"^smithjane\s+smithjane_LATE_1_2_01_pixels\.ipynb\s+smithjane/01_pixels\.ipynb\s+late", done.stdout, re.M
    )
    again = grader("collect", "01_pixels", "--from", str(download), "--to", str(tmp_path / "class"))
    assert again.returncode == 1 and "error:" in again.stderr and "--force" in again.stderr


@pytest.mark.slow  # a class graded once more
def test_collect_then_autograde_end_to_end(tmp_path):
    download = make_zip(
        tmp_path / "submissions.zip",
        {"smithjane_LATE_12345_67890_01_pixels-1.ipynb": SOLUTION, "doejohn_222_333_01_pixels.ipynb": RELEASE},
    )
    folder = tmp_path / "class"
    done = grader("collect", "01_pixels", "--from", str(download), "--to", str(folder))
    assert done.returncode == 0, done.stderr
    done = grader(
        "autograde",
        "01_pixels",
        "--submissions",
        str(folder),
        "--workspace",
        str(tmp_path / "ws"),
        "--workers",
        "2",
        "--cell-timeout",
        "30",
        *(["--no-sandbox"] if SANDBOX_MISSING else []),  # our own two notebooks: trusted
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"^smithjane\s+13\s+13\s", done.stdout, re.M), done.stdout
    assert re.search(r"^doejohn\s+0\s+13\s", done.stdout, re.M), done.stdout
