"""A hostile class for lesson 01 (13 points): every way a submission can be broken, odd or dishonest.

``build(target, workspace)`` writes one folder per student; ``EXPECTED`` holds the score an honest,
isolated grader must give each, and a word its reason or flags must contain.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader import cells
from grader.example_class import CHEATS, WRONG_CROP, WRONG_TO_FLOAT, _answers, submission

LESSON = "01_pixels"
FILE = f"{LESSON}.ipynb"
POINTS = {"to_float": 2, "to_grayscale": 3, "crop": 3, "make_batch": 3, "channel_means": 2}

ALL_WRONG = {
    name: f"def {name}(*args, **kwargs):\n    import numpy as np\n    return np.zeros(3, dtype=np.float32)\n"
    for name in POINTS
}

SETTRACE = """import sys
def tracer(frame, event, arg):
    if event == "exception":
        frame.f_locals.clear()
    return tracer
sys.settrace(tracer)
"""

SNOOP = """import os, sys
found = []
skip = ("/proc", "/sys", "/usr", "/dev", "/etc", sys.prefix, sys.base_prefix)
for top in ["/", "/work", "/root", "/home", "/tmp", "/srv", ".."]:
    for folder, dirs, files in os.walk(top):
        folder = os.path.abspath(folder)
        if folder.startswith(skip):
            dirs[:] = []
            continue
        found += [os.path.join(folder, f) for f in files
                  if "01_pixels" in f or f.endswith((".db", ".ipynb")) or "solution" in folder]
print("SNOOPED", len(found), found[:5])
"""

VANDAL = """import os, shutil
for target in [{workspace!r}, {submissions!r}, "../..", "../../..", "/tmp"]:
    for folder, dirs, files in os.walk(target):
        if os.path.abspath(folder).startswith(("/proc", "/sys", "/dev", os.path.expanduser("~"))):
            dirs[:] = []
            continue  # the sandbox's own process files, devices and home: nobody else's
        for name in files:
            if os.path.islink(os.path.join(folder, name)):
                continue  # e.g. masked services pointing at /dev/null
            try:
                with open(os.path.join(folder, name), "w") as handle:
                    handle.write("vandalised")
                print("OVERWROTE", os.path.join(folder, name))
            except OSError:
                pass
    shutil.rmtree(target, ignore_errors=True)
"""

EXIT = "import os\nos._exit(3)\n"

#: a cell of the student's own that never ends and ignores the interrupt: killed, skipped when the sandbox is rebuilt
HANG = """import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""

#: appended to the honest to_float: the errors cell's float64 image makes it loop for ever (one test cell lost)
HANG_ON_FLOAT64 = """
_honest_to_float = to_float


def to_float(image):
    import signal
    if getattr(image, "dtype", None) == np.float64:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        while True:
            pass
    return _honest_to_float(image)
"""

HOG_CHANNEL_MEANS = """def channel_means(batch):
    import numpy as np
    hog = np.ones(10**10)
    return hog[:batch.shape[-1]]
"""

FLOOD = "print('spam ' * 10_000_000)\nimport sys\nsys.stderr.write('noise ' * 1_000_000)\n"

FAKE_ARRAY_TO_FLOAT = """class Always(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

def to_float(image):
    return np.zeros(np.shape(image), dtype=np.float32).view(Always)
"""

HUGE_ERROR_CROP = """def crop(image, top, left, height, width):
    raise ValueError("height " * 100_000)
"""


def _cell(source: str, cell_id: str = "student-extra", metadata: dict | None = None) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": metadata or {},
        "outputs": [],
        "source": source,
    }


def _append(source: str):
    def edit(notebook: dict) -> None:
        notebook["cells"].append(_cell(source))

    return edit


def _tamper(notebook: dict) -> None:
    """Delete or re-type test cells, duplicate one as a passing fake, claim 100 points on an answer cell."""
    kept = []
    for cell in notebook["cells"]:
        meta = cells.nbgrader(cell)
        gid = meta.get("grade_id", "")
        if gid == "test_to_float":
            continue  # deleted
        if gid == "test_crop":
            cell["cell_type"] = "markdown"  # re-typed
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        if gid == "test_make_batch":
            kept.append(_cell("passed('make_batch')", "test_make_batch_copy", {"nbgrader": dict(meta, grade_id="x")}))
        if meta.get("solution"):
            meta.update(grade=True, points=100, grade_id=gid + "_renamed")
            cell["id"] = cell["id"] + "-renamed"
        kept.append(cell)
    notebook["cells"] = kept


def _bad_cell(source: object, grade_id: object) -> dict:
    """A code cell no Jupyter writes: ``source`` or ``grade_id`` of the wrong type."""
    return _cell(source, "student-bad", {"nbgrader": {"grade_id": grade_id, "solution": True}})


def _bloat(notebook: dict) -> None:
    """3,000 extra cells of about 14 KB each: a 40 MB notebook, over both the size and the cell limits."""
    notebook["cells"] += [_cell(f"# note {i}\n" + "#" * 14_000 + "\n", f"bloat-{i}") for i in range(3000)]


def build(target: Path, workspace: Path) -> Path:
    """Write the hostile class into ``target``."""
    right = _answers(LESSON)

    def write(student: str, content: dict | str, name: str = FILE) -> None:
        folder = target / student
        folder.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content)
        (folder / name).write_text(text, encoding="utf-8")

    write("honest", submission())
    write("partial", submission(answers=right | {"to_float": WRONG_TO_FLOAT, "crop": WRONG_CROP}))
    write("blank", submission(answers={}))
    write("broken", json.dumps(submission())[:3000])
    write("oldformat", json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": []}], "metadata": {}}))
    write("misnamed", submission(), name="01_pixels-Copy1.ipynb")
    (target / "empty").mkdir(parents=True, exist_ok=True)
    write("bad name!", submission())
    write("patcher", submission(answers=ALL_WRONG, edit=_append(CHEATS)))
    write("tracer", submission(answers=ALL_WRONG, edit=_append(SETTRACE)))
    write("snoop", submission(edit=_append(SNOOP)))
    write("vandal", submission(edit=_append(VANDAL.format(workspace=str(workspace), submissions=str(target)))))
    write("exiter", submission(edit=_append(EXIT)))
    write("hang", submission(answers=right | {"to_float": right["to_float"] + HANG_ON_FLOAT64}, edit=_append(HANG)))
    write("hog", submission(answers=right | {"channel_means": HOG_CHANNEL_MEANS}))
    write("flood", submission(edit=_append(FLOOD)))
    write("tamper", submission(edit=_tamper))
    write("fakearray", submission(answers=right | {"to_float": FAKE_ARRAY_TO_FLOAT}))
    write("hugeerror", submission(answers=right | {"crop": HUGE_ERROR_CROP}))
    write("badsource", submission(edit=lambda nb: nb["cells"].append(_bad_cell([1], ["to_float"]))))
    write("badgradeid", submission(edit=lambda nb: nb["cells"].append(_bad_cell("x = 1\n", ["to_float"]))))
    write("deepnest", "[" * 200_000)
    write("bloated", submission(edit=_bloat))
    (target / "linkfile").mkdir(parents=True, exist_ok=True)
    (target / "linkfile" / FILE).symlink_to(Path("..") / "honest" / FILE)  # the honest classmate's notebook
    (target / "linkfolder").symlink_to("honest", target_is_directory=True)  # the honest classmate's folder
    return target


#: student folder → (score out of 13, a word the reason or the flags must contain, "" for none)
EXPECTED = {
    "honest": (13.0, ""),
    "partial": (10.0, ""),
    "blank": (0.0, ""),
    "broken": (0.0, "not valid JSON"),
    "oldformat": (0.0, "old notebook format"),
    "misnamed": (0.0, "wrong file name"),
    "empty": (0.0, "no notebook submitted"),
    "bad name!": (0.0, "not a valid student id"),
    "patcher": (0.0, "patches the course checks"),
    "tracer": (0.0, "installs a tracer"),
    "snoop": (13.0, "looks for course files"),
    "vandal": (13.0, ""),
    "exiter": (13.0, "crashed the sandbox"),
    "hang": (12.0, "ran past the time limit"),
    "hog": (11.0, ""),
    "flood": (13.0, ""),
    "tamper": (13.0, ""),
    "fakearray": (11.0, ""),
    "hugeerror": (10.0, ""),
    "badsource": (0.0, "source is not text"),
    "badgradeid": (0.0, "grade_id is not text"),
    "deepnest": (0.0, "nested too deeply"),
    "bloated": (0.0, "notebook too large"),
    "linkfile": (0.0, "submitted a link"),
    "linkfolder": (0.0, "submitted a link"),
}
