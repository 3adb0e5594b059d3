"""Notebook lint: what every lesson notebook, source and student version, must look like.

``python -m grader.lint`` checks every notebook in solutions/ and notebooks/ and prints one line per
problem (exit status 1 if there is any). The rules:

- committed without outputs or execution counts;
- every cell has a stable id (nbformat 4.5): present, unique, made of letters, digits, ``-`` and ``_``;
  the student version keeps the source's ids, in the same order;
- the template: a title cell ``# NN · …`` with the Colab badge of *this* file and the licence line; the
  setup cell is the first code cell (id ``setup``, locked, ``start_lesson("<id>")``); sections
  Objectives, Explore and Summary, in that order;
- in the student version no cell is longer than a screen (:data:`SCREEN_LINES` lines);
- a test cell binds only names ending in :data:`TEST_NAME_SUFFIX` (``rng_t``, ``hint_conv1d_t``): test cells run in
  the student's namespace (nbgrader, Colab), and a plain name such as ``batch`` would overwrite the student's own.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

from course_utils import REPOSITORY
from grader.cells import is_graded, is_locked, source
from grader.lessons import NOTEBOOKS, ROOT, SOLUTIONS

#: About one laptop screen of a JupyterLab notebook (a 900-pixel-high window shows some 40 lines of code).
SCREEN_LINES = 40
CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SECTIONS = ("## Objectives", "Explore", "## Summary")
#: What every name a test cell binds ends with, so that it cannot collide with a student's name.
TEST_NAME_SUFFIX = "_t"


def badge_url(lesson_id: str) -> str:
    """The Colab address of a lesson's student notebook."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/{lesson_id}/{lesson_id}.ipynb"


def _outputs(cells: list[dict]) -> list[str]:
    return [
        f"cell {i} ({c.get('id', '?')}) has committed outputs or an execution count: clear them before committing"
        for i, c in enumerate(cells)
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]


def _ids(cells: list[dict]) -> list[str]:
    problems, seen = [], set()
    for i, cell in enumerate(cells):
        cid = cell.get("id")
        if not isinstance(cid, str) or not CELL_ID.match(cid):
            problems.append(f"cell {i} has no valid id ({cid!r}): nbformat 4.5 ids are 1-64 letters, digits, - or _")
        elif cid in seen:
            problems.append(f"cell {i}: the id {cid!r} is used twice")
        seen.add(cid)
    return problems


def _template(cells: list[dict], lesson_id: str) -> list[str]:
    problems = []
    title = source(cells[0]) if cells and cells[0].get("cell_type") == "markdown" else ""
    if not title.startswith(f"# {lesson_id[:2]} · "):
        problems.append(f"the first cell must be the title '# {lesson_id[:2]} · …'")
    if badge_url(lesson_id) not in title:
        problems.append(f"the title cell must hold the Colab badge of this lesson: {badge_url(lesson_id)}")
    if "MIT" not in title or "CC BY 4.0" not in title:
        problems.append("the title cell must state the licences (code MIT, text CC BY 4.0)")
    code = [c for c in cells if c.get("cell_type") == "code"]
    setup = code[0] if code else {}
    if setup.get("id") != "setup" or not is_locked(setup):
        problems.append("the first code cell must be the locked setup cell (id 'setup')")
    elif f'start_lesson("{lesson_id}")' not in source(setup):
        problems.append(f'the setup cell must call start_lesson("{lesson_id}")')
    markdown = [source(c) for c in cells if c.get("cell_type") == "markdown"]
    where = []
    for section in SECTIONS:
        found = next((i for i, text in enumerate(markdown) if re.search(rf"^#+ .*{section.lstrip('# ')}", text, re.M)),
                     None)
        if found is None:
            problems.append(f"no '{section}' section")
        where.append(found)
    located = [w for w in where if w is not None]
    if located != sorted(located):
        problems.append("the sections must come in the order Objectives, Explore, Summary")
    return problems


def _lengths(cells: list[dict]) -> list[str]:
    return [
        f"cell {i} ({c.get('id', '?')}) has {n} lines, more than a screen ({SCREEN_LINES}): split it, or move "
        "checks into the hidden tests"
        for i, c in enumerate(cells)
        if (n := len(source(c).splitlines())) > SCREEN_LINES
    ]


class _BoundNames(ast.NodeVisitor):
    """The names a cell binds in its global scope (not the locals of its functions, classes and comprehensions)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def _target(self, node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                self.names.append(sub.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._target(node.target)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._target(node.optional_vars)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.names.append(node.name)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:  # := binds in the cell's scope, even in a comprehension
        self._target(node.target)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            self.names.append(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: ast.Global) -> None:  # a function that writes a global binds it
        self.names.extend(node.names)

    def _scope(self, node: ast.AST) -> None:
        """A def or a class binds its own name; its body is another scope (but may still declare globals)."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.names.append(node.name)
        self.names.extend(name for sub in ast.walk(node) if isinstance(sub, ast.Global) for name in sub.names)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _scope

    def _comprehension(self, node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.NamedExpr):
                self._target(sub.target)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def unsuffixed_test_names(text: str) -> list[str]:
    """The names a test cell binds that do not end in :data:`TEST_NAME_SUFFIX` (in order, once each)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []  # a cell that does not parse fails loudly when it runs
    visitor = _BoundNames()
    visitor.visit(tree)
    return list(dict.fromkeys(n for n in visitor.names if not n.endswith(TEST_NAME_SUFFIX)))


def _test_names(cells: list[dict]) -> list[str]:
    problems = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and is_graded(cell):
            if bad := unsuffixed_test_names(source(cell)):
                problems.append(
                    f"cell {i} ({cell.get('id', '?')}) is a test cell that binds {', '.join(bad)}: a test cell runs "
                    f"in the student's namespace, so name what it binds with the suffix '{TEST_NAME_SUFFIX}' "
                    f"(e.g. {bad[0]}{TEST_NAME_SUFFIX})"
                )
    return problems


def lint_notebook(path: Path, student: bool) -> list[str]:
    """The problems of one lesson notebook (``student``: the released version, held to the screen rule)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook.get("cells", [])
    problems = []
    if (notebook.get("nbformat"), notebook.get("nbformat_minor", 0)) < (4, 5):
        problems.append("nbformat must be 4.5 or newer (cell ids)")
    problems += _outputs(cells) + _ids(cells) + _template(cells, path.stem) + _test_names(cells)
    if student:
        problems += _lengths(cells)
    return problems


def lint_release(solution: Path, release: Path) -> list[str]:
    """The student version keeps the source's cell ids, in order (only hidden cells may be missing)."""
    ids = [c.get("id") for c in json.loads(solution.read_text(encoding="utf-8"))["cells"]]
    released = [c.get("id") for c in json.loads(release.read_text(encoding="utf-8"))["cells"]]
    kept = [cid for cid in ids if cid in set(released)]
    if kept != released:
        return ["the student version's cell ids differ from the source's: regenerate it (python -m grader release)"]
    return []


def lint_course(root: Path = ROOT) -> dict[str, list[str]]:
    """Every lesson notebook of the course and its problems (an empty list when it is clean)."""
    report = {}
    for solution in sorted((root / SOLUTIONS.name).glob("*/*.ipynb")):
        release = root / NOTEBOOKS.name / solution.parent.name / solution.name
        report[str(solution.relative_to(root))] = lint_notebook(solution, student=False)
        if release.exists():
            report[str(release.relative_to(root))] = lint_notebook(release, student=True) + lint_release(
                solution, release
            )
        else:
            report[str(release.relative_to(root))] = ["missing: run python -m grader release"]
    return report


def main() -> int:
    report = lint_course()
    for path, problems in report.items():
        for problem in problems:
            print(f"{path}: {problem}")
    bad = sum(bool(p) for p in report.values())
    print(f"{len(report)} notebooks checked, {bad} with problems" if bad else f"{len(report)} notebooks: all clean")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
