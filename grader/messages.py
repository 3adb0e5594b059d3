"""How long a message the grader writes may be, and how it is cut: every such cap, in one place.

A student controls much of what ends up in a message (an exception's text, printed output, a grade id, a
folder name), so every message is cut to a cap before it is kept, and kept as text that can always be
written as UTF-8.
"""

from __future__ import annotations

#: Every per-student message (a reason, a cell's output or detail, the student's printed output) is cut to
#: this; so is the exception message the sandbox's agent sends (:mod:`grader.boundary`): it never sends more
#: than the grader keeps.
MESSAGE_CAP = 4000
#: A student's exception message, as the grader rebuilds the exception (:mod:`grader.trusted`).
EXCEPTION_CAP = 2000
#: A one-line summary of a failure: the grader's own, or a sandbox that did not start.
SUMMARY_CAP = 500
#: A cause quoted inside a sentence: why a cell crashed the sandbox, what a cell raised.
CAUSE_CAP = 300
#: One field of a table row or of a record (a folder name, an exercise's name, the flags or reason column).
FIELD_CAP = 200
#: A name quoted in a message or a flag (a student's grade id, a name as the student wrote it).
NAME_CAP = 80


def capped(value: object, limit: int = MESSAGE_CAP, *, tail: bool = False) -> str:
    """``value`` as text of at most ``limit`` characters (its start, or its end), always writable as UTF-8."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[-limit:] if tail else text[:limit]
    # a lone surrogate (from a student's string) would make the CSV or the feedback page fail to write
    return text.encode("utf-8", "replace").decode("utf-8")


def head_and_tail(text: str, limit: int) -> str:
    """At most ``limit`` characters: the start and the end of ``text``, the middle cut."""
    if len(text) <= limit:
        return text
    half = (limit - 20) // 2
    return f"{text[:half]}\n[… cut …]\n{text[-half:]}"


def shortened(name: str, limit: int = NAME_CAP) -> str:
    """``name`` as it is, or cut to ``limit`` characters ending in "…"."""
    return name if len(name) <= limit else name[: limit - 3] + "…"
