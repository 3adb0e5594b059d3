"""A notebook cell as the course reads it: its source, and the nbgrader metadata that makes it graded.

Every accessor takes a cell as a JSON dictionary (an ``nbformat`` node is one too) and never raises on a
cell whose parts are missing or of the wrong type: what is not there reads as empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: nbgrader's markers around the hidden tests inside a test cell's source.
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (a notebook stores it as one string or as a list of lines)."""
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def nbgrader(cell: Mapping[str, Any]) -> dict:
    """The cell's ``metadata.nbgrader`` (``{}`` when it has none)."""
    meta = cell.get("metadata")
    found = meta.get("nbgrader") if isinstance(meta, Mapping) else None
    return found if isinstance(found, dict) else {}


def grade_id(cell: Mapping[str, Any]) -> str | None:
    """The cell's nbgrader grade id, or None."""
    return nbgrader(cell).get("grade_id")


def points(cell: Mapping[str, Any]) -> float:
    """The points a graded cell is worth (0 when it says none)."""
    return float(nbgrader(cell).get("points", 0))


def is_graded(cell: Mapping[str, Any]) -> bool:
    """True for a test cell (nbgrader ``grade``)."""
    return bool(nbgrader(cell).get("grade"))


def is_answer(cell: Mapping[str, Any]) -> bool:
    """True for an answer cell (nbgrader ``solution``)."""
    return bool(nbgrader(cell).get("solution"))


def is_locked(cell: Mapping[str, Any]) -> bool:
    """True for a read-only cell (nbgrader ``locked``), such as a lesson's setup cell."""
    return bool(nbgrader(cell).get("locked"))
