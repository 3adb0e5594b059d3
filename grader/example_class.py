"""A small example class for lesson 01, built from the released notebook: who gets what, and why.

``python -m grader.example_class DIR`` writes one folder per student; ``make demo`` grades them.
Each student stands for a kind of submission an instructor meets; ``EXPECTED`` is the score an honest,
isolated grader must give (13 points in lesson 01).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from grader import cells
from grader.lessons import NOTEBOOKS, SOLUTIONS

LESSON = "01_pixels"

WRONG_TO_FLOAT = '''def to_float(image):
    """Scale a uint8 image to [0, 1] (but divides by 256)."""
    if image.dtype != np.uint8:
        raise ValueError(f"image must be uint8, got {image.dtype}")
    return (image / 256).astype(np.float32)
'''

WRONG_CROP = '''def crop(image, top, left, height, width):
    """Cut out a box (but returns a copy and swaps top and left)."""
    if top < 0 or left < 0 or height < 1 or width < 1:
        raise ValueError(f"top, left, height, width out of range for image {image.shape}")
    if top + height > image.shape[0] or left + width > image.shape[1]:
        raise ValueError(f"height or width leaves image {image.shape}")
    return image[left:left + height, top:top + width].copy()
'''

CHEATS = """# Make every check pass, whatever the answers.
import builtins
import numpy as np
import course_utils.checks as checks

checks.check_output = lambda *args, **kwargs: None
checks.check_raises = lambda *args, **kwargs: None
checks.check_that = lambda *args, **kwargs: None
np.testing.assert_allclose = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
builtins.AssertionError = type("Harmless", (Exception,), {})
get_ipython().input_transformers_cleanup.append(lambda lines: [line for line in lines if "check" not in line])
print("x" * 2_000_000)
"""


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _answers(lesson: str) -> dict[str, str]:
    source = _load(SOLUTIONS / lesson / f"{lesson}.ipynb")
    return {
        cells.grade_id(c): "".join(
            line
            for line in cells.source(c).splitlines(keepends=True)
            if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
        )
        for c in source["cells"]
        if cells.is_answer(c)
    }


def submission(
    lesson: str = LESSON,
    answers: dict[str, str] | None = None,
    edit: Callable[[dict], None] | None = None,
) -> dict:
    """The released notebook with ``answers`` (default: every answer right) and an optional ``edit``."""
    notebook = _load(NOTEBOOKS / lesson / f"{lesson}.ipynb")
    chosen = _answers(lesson) if answers is None else answers
    for cell in notebook["cells"]:
        gid = cells.grade_id(cell)
        if gid in chosen:
            cell["source"] = chosen[gid]
    if edit is not None:
        edit(notebook)
    return notebook


def _append_cell(source: str) -> Callable[[dict], None]:
    def edit(notebook: dict) -> None:
        notebook["cells"].append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "extra",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        )

    return edit


def _write(folder: Path, name: str, content: dict | str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content, indent=1)
    (folder / name).write_text(text, encoding="utf-8")


#: student id → (what the submission is, the score lesson 01 must get out of 13)
EXPECTED = {
    "ada": ("every answer right", 13.0),
    "ben": ("two wrong answers: to_float divides by 256, crop swaps top and left", 10.0),
    "cleo": ("handed in the release untouched", 0.0),
    "dev": ("a damaged file (truncated JSON)", 0.0),
    "eve": ("wrong answers, then patches the checks, NumPy, builtins and IPython to pass", 10.0),
    "finn": ("right answers saved under the wrong file name", 0.0),
}


def write_class(target: Path) -> Path:
    """Write the example class for lesson 01 into ``target``; returns it."""
    ext = f"{LESSON}.ipynb"
    _write(target / "ada", ext, submission())
    wrong = _answers(LESSON) | {"to_float": WRONG_TO_FLOAT, "crop": WRONG_CROP}
    _write(target / "ben", ext, submission(answers=wrong))
    _write(target / "cleo", ext, submission(answers={}))
    _write(target / "dev", ext, json.dumps(submission())[:5000])
    _write(target / "eve", ext, submission(answers=wrong, edit=_append_cell(CHEATS)))
    _write(target / "finn", f"{LESSON} (1).ipynb", submission())
    return target


if __name__ == "__main__":
    print(write_class(Path(sys.argv[1] if len(sys.argv) > 1 else "example_class")))
