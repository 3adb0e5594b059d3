"""Library calls an exercise forbids, found in a student's answer for an instructor to review.

A lesson's SOURCE notebook declares them beside the exercise, on the answer cell's metadata::

    "course": {"forbidden_calls": ["np.convolve", "numpy.convolve"]}

A declared name is a dotted name: a function (``np.convolve``, ``tf.nn.conv2d``) or a module prefix
(``scipy.signal``: every name under it). Declarations are read from the trusted source only, never from
a submission (whose metadata the grader drops, see :func:`grader.intake.validate_notebook`).

Detection parses the student's code, never runs it: :func:`forbidden_uses` looks in the answer cell for
every use of a name (a call, or the function taken as a value: ``f = np.convolve``) that resolves to a
declared one, with the import aliases of all the student's code cells (``import numpy as xp`` →
``xp.convolve``; ``from numpy import convolve``; ``from scipy import signal`` → ``signal.correlate2d``) and
the course's conventional ``np`` and ``tf``. Comments and strings are not code, so they never count; a
function's parameter shadows an import of the same name (``def f(signal): signal.sum()`` is no use of
``scipy.signal``).

It is a prompt for review, not a proof, and it misses what only running the code would show:
``getattr(np, "convolve")`` (a name built from a string is fine to miss: only running the code would
tell), ``__import__``/``importlib``, ``exec``/``eval`` of a string, star imports (``from numpy import *``),
a forbidden function reached through a helper defined in another cell, and the code inside IPython
magics other than a plain ``%time expr``/``%%time`` at the start of a line. A cell that cannot be parsed
(a SyntaxError, nesting too deep, over :data:`MAX_PARSED_CELL`) is "cannot tell" (``None``), never an error.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from grader import cells
from grader.messages import shortened

#: Metadata key on an answer cell: ``cell.metadata["course"]["forbidden_calls"]``.
METADATA_KEY = "course"
DECLARATION_KEY = "forbidden_calls"
#: A cell longer than this (characters) is not parsed: "cannot tell". Answer cells are about 2,000.
MAX_PARSED_CELL = 100_000
#: At most this many import statements and ``name = a.b`` lines (all cells together) are read for aliases.
MAX_ALIAS_STATEMENTS = 10_000
#: Names the course's setup cells bind and every lesson writes; resolved even without a visible import.
CONVENTIONAL_ALIASES = {"np": "numpy", "tf": "tensorflow"}

DOTTED_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_MAGIC_LINE = re.compile(r"^(\s*)(%%?[A-Za-z_]\w*|!)(.*)$")
#: One line's import statement (a from-import's parentheses may span lines), or a line ``name = a.b``;
#: group 1 is the statement, dedented. Bounded repeats keep the scan linear on hostile text.
_ALIAS_STATEMENT = re.compile(
    r"^[ \t]*((?:from[ \t]+[\w.]{1,200}[ \t]+)?import[ \t]+(?:\([^)]{0,2000}\)|[^\n;#]{1,2000})"
    r"|[A-Za-z_]\w{0,100}[ \t]*=[ \t]*[A-Za-z_][\w.]{0,300})[ \t]*(?:[;#].*)?$",
    re.MULTILINE,
)


def declared_calls(metadata: object) -> list[str]:
    """The forbidden calls a cell's metadata declares (valid dotted names only, in their order)."""
    course = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    names = course.get(DECLARATION_KEY) if isinstance(course, dict) else None
    if not isinstance(names, list):
        return []
    return [name for name in names if isinstance(name, str) and DOTTED_NAME.match(name)]


def declaration_problems(metadata: object) -> list[str]:
    """What is wrong with a cell's declaration, for the lesson's author (empty when it is fine or absent)."""
    course = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(course, dict) or DECLARATION_KEY not in course:
        return []
    names = course[DECLARATION_KEY]
    if not isinstance(names, list):
        return [f"{DECLARATION_KEY} must be a list of dotted names, not {type(names).__name__}"]
    bad = [name for name in names if not (isinstance(name, str) and DOTTED_NAME.match(name))]
    return [f"{DECLARATION_KEY} entries that are not dotted names: {bad!r}"] if bad else []


def lesson_declaration_problems(source: dict) -> list[str]:
    """What is wrong with a source notebook's declarations: malformed ones, and ones not on an answer cell."""
    problems = []
    for number, cell in enumerate(source.get("cells", []), 1):
        metadata = cell.get("metadata", {})
        where = f"cell {number} ({cells.grade_id(cell) or cell.get('id', 'no id')})"
        problems += [f"{where}: {problem}" for problem in declaration_problems(metadata)]
        if declared_calls(metadata) and not (cell.get("cell_type") == "code" and cells.is_answer(cell)):
            problems.append(f"{where}: {DECLARATION_KEY} is read only on an answer cell (nbgrader solution): ignored")
    return problems


def _parse(source: str) -> ast.Module | None:
    """The cell's syntax tree; None when it cannot tell.

    Plain Python is parsed as it is; a cell that is not (IPython's magics and shell lines) is parsed again
    with its line-start magics read as the code they run, then with them as ``pass``.
    """
    if len(source) > MAX_PARSED_CELL:
        return None
    for attempt in (str, _magics_as_code, _magics_as_pass):
        try:
            return ast.parse(attempt(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            continue
    return None


def _magics_as_code(source: str) -> str:
    """``%time expr`` → ``expr`` and ``%%time`` → an empty line: the code a timing magic runs stays visible."""
    lines = source.split("\n")
    return "\n".join(_MAGIC_LINE.sub(lambda m: m[1] + ("" if m[2] == "!" else m[3].strip()), line) for line in lines)


def _magics_as_pass(source: str) -> str:
    """Every magic or shell line → ``pass`` (for magics whose argument is not Python: ``%pip install …``)."""
    return "\n".join(_MAGIC_LINE.sub(lambda m: m[1] + "pass", line) for line in source.split("\n"))


def _canonical(name: str, aliases: Mapping[str, str]) -> str:
    """``name`` with its first part replaced by what it stands for (``xp.convolve`` → ``numpy.convolve``).

    The student's own imports (``aliases``) come first, then the course's :data:`CONVENTIONAL_ALIASES`.
    """
    head, dot, rest = name.partition(".")
    target = aliases.get(head) or CONVENTIONAL_ALIASES.get(head)
    return f"{target}{dot}{rest}" if target else name


def import_aliases(sources: Iterable[str]) -> dict[str, str]:
    """Local name → the module or object it stands for, from the imports in ``sources`` (in order).

    Every ``import`` statement counts, wherever it is (scopes are ignored); so does a top-level
    ``name = a.b`` whose ``a`` is already known (``conv = np.convolve``). Relative and star imports are
    skipped; a name bound twice keeps its first meaning. Only those statements are parsed, one at a time
    (:data:`_ALIAS_STATEMENT`), so a cell that does not parse, or a huge one before them, hides none; at
    most :data:`MAX_ALIAS_STATEMENTS` are read.
    """
    aliases: dict[str, str] = {}
    seen = 0
    for source in sources:
        for match in _ALIAS_STATEMENT.finditer(source):
            seen += 1
            if seen > MAX_ALIAS_STATEMENTS:
                return aliases
            try:
                statement = ast.parse(match[1]).body[0]
            except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
                continue
            for local, target in _imported(statement):
                aliases.setdefault(local, target)
            top_level = not match[0][:1].isspace()
            local, target = _assigned_alias(statement, aliases) if top_level else ("", "")
            if local:
                aliases.setdefault(local, target)
    return aliases


def _imported(node: ast.AST) -> list[tuple[str, str]]:
    """(local name, what it names) for each name an import statement binds."""
    if isinstance(node, ast.Import):
        # `import a.b` binds a (to a); `import a.b as x` binds x to a.b
        return [(a.asname, a.name) if a.asname else (a.name.partition(".")[0],) * 2 for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [(a.asname or a.name, f"{node.module}.{a.name}") for a in node.names if a.name != "*"]
    return []


def _assigned_alias(statement: ast.stmt, aliases: Mapping[str, str]) -> tuple[str, str]:
    """``("conv", "numpy.convolve")`` for ``conv = np.convolve``; ``("", "")`` for anything else."""
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
        return "", ""
    target, value = statement.targets[0], _dotted(statement.value)
    if not isinstance(target, ast.Name) or value is None:
        return "", ""
    head = value.partition(".")[0]
    if head not in aliases and head not in CONVENTIONAL_ALIASES:
        return "", ""
    return target.id, _canonical(value, aliases)


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _parameters(function: ast.AST) -> set[str]:
    args = function.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return {arg.arg for arg in every if arg is not None}


def _used_names(tree: ast.Module) -> Iterator[tuple[str, frozenset[str], tuple[int, int]]]:
    """Every dotted name the code reads (in a call, an assignment, an argument …), with the parameter names
    of the functions around it (a parameter called ``signal`` is not the module ``signal``) and its place.

    The walk keeps its own stack (no recursion), so a deep tree cannot overflow Python's stack.
    """
    stack: list[tuple[ast.AST, frozenset[str]]] = [(tree, frozenset())]
    while stack:
        node, shadowed = stack.pop()
        if isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
            # getattr(np, "convolve") reads only `np` and a string: missed on purpose (see the module's docstring)
            name = _dotted(node)
            if name is not None:
                yield name, shadowed, (node.lineno, node.col_offset)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner = shadowed | _parameters(node)
            body = node.body if isinstance(node.body, list) else [node.body]
            stack += [(child, inner) for child in body]
            outside = [c for c in ast.iter_child_nodes(node) if c not in body]  # defaults, decorators, annotations
            stack += [(child, shadowed) for child in outside]
        else:
            stack += [(child, shadowed) for child in ast.iter_child_nodes(node)]


def _matches(used: str, declared: str) -> bool:
    return used == declared or used.startswith(declared + ".")


def forbidden_uses(answer: str, declared: list[str], aliases: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """``(declared name, the name as written)`` for each declared call the answer uses; None: cannot tell.

    ``aliases`` come from :func:`import_aliases` over all the student's code cells. Each declared name is
    reported once, and names that mean the same (``np.convolve``, ``numpy.convolve``) once between them.
    """
    if not declared:
        return []
    tree = _parse(answer)
    if tree is None:
        return None
    wanted: dict[str, str] = {}
    for name in declared:
        wanted.setdefault(_canonical(name, {}), name)
    found: dict[str, tuple[tuple[int, int], str]] = {}  # canonical → (where, as written): the first use
    for written, shadowed, where in _used_names(tree):
        if written.partition(".")[0] in shadowed:
            continue
        resolved = _canonical(written, aliases)
        for canonical in wanted:
            if _matches(resolved, canonical) and (canonical not in found or where < found[canonical][0]):
                found[canonical] = (where, written)
    return [(wanted[canonical], found[canonical][1]) for canonical in wanted if canonical in found]


def review_flags(program: Sequence[tuple[str, str]], declarations: Mapping[str, Sequence[str]]) -> list[str]:
    """The review flags for one submission: ``program`` is its code cells as (label, source), a cell's
    label its grade_id; ``declarations`` maps an answer cell's grade_id to the calls it forbids.

    A cell that does not parse gives no flag: Python could not have run it either (IPython magics aside, see
    the module's docstring). One too long to parse is flagged as unchecked, since it may well have run.
    """
    if not declarations:
        return []
    aliases = import_aliases(source for _, source in program)
    flags: list[str] = []
    for label, source in program:
        declared = list(declarations.get(label, ()))
        uses = forbidden_uses(source, declared, aliases) if declared else []
        if uses is None and len(source) > MAX_PARSED_CELL:
            flags.append(f"review: {label} is too long to check for the calls the exercise forbids")
        flags += [review_flag(label, name, written) for name, written in uses or []]
    return list(dict.fromkeys(flags))


def review_flag(exercise: str, declared: str, written: str) -> str:
    """The flag an instructor reads: ``review: true_convolve1d uses np.convolve, which the exercise forbids``."""
    shown = shortened(written)
    as_written = "" if shown == declared else f" (as {shown})"
    return f"review: {exercise} uses {declared}{as_written}, which the exercise forbids"
