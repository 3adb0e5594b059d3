"""Zips of student work: the one policy for what may be unpacked from one.

``python -m grader collect`` reads an LMS download and ``python -m grader autograde`` a zip of student
folders. Both refuse a zip as a whole, before anything is written, when an entry could land outside the
target folder (an absolute path, a drive letter, ``..``, a symbolic link) or when it unpacks to more than
:data:`MAX_ZIP_BYTES`. Entry names are read as UTF-8 even when the zip tool did not say so, with ``/``
between folders.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

#: A zip that unpacks to more is refused as a whole.
MAX_ZIP_BYTES = 2 * 1024**3


class ZipRefused(ValueError):
    """A zip that is not unpacked at all; ``unsafe`` lists its unsafe entries (empty: it is too large)."""

    def __init__(self, message: str, unsafe: list[str] | None = None) -> None:
        super().__init__(message)
        self.unsafe = unsafe or []


def member_name(info: zipfile.ZipInfo) -> str:
    """The entry's name, read as UTF-8 even when the zip tool did not set the UTF-8 flag, '/' between folders."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def is_unsafe(name: str, info: zipfile.ZipInfo) -> bool:
    """True for entries that would land outside the target: absolute, drive letters, '..', symbolic links."""
    is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
    return name.startswith("/") or bool(re.match(r"^[A-Za-z]:", name)) or ".." in name.split("/") or is_link


def _clean(name: str) -> str:
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def safe_members(archive: zipfile.ZipFile, source: Path) -> list[tuple[zipfile.ZipInfo, str]]:
    """Every entry of ``archive`` (the zip at ``source``) with its clean relative path; raises :class:`ZipRefused`."""
    members = [(info, member_name(info)) for info in archive.infolist()]
    unsafe = [name for info, name in members if is_unsafe(name, info)]
    if unsafe:
        shown = ", ".join(repr(n) for n in unsafe[:5]) + (" …" if len(unsafe) > 5 else "")
        raise ZipRefused(
            f"{source} holds {len(unsafe)} entr{'y' if len(unsafe) == 1 else 'ies'} with an absolute path, '..' or "
            f"a link ({shown}), which could write outside the target folder; nothing was unpacked",
            unsafe,
        )
    if sum(info.file_size for info, _ in members) > MAX_ZIP_BYTES:
        raise ZipRefused(f"{source} unpacks to more than {MAX_ZIP_BYTES // 1024**3} GB; nothing was unpacked")
    return [(info, _clean(name)) for info, name in members if _clean(name)]


def extract(source: Path, target: Path) -> Path:
    """Unpack the zip of student folders at ``source`` into ``target`` (raises :class:`ZipRefused`).

    Returns the folder that holds the student folders: ``target``, or the one folder the zip wraps them in.
    """
    with zipfile.ZipFile(source) as archive:
        for info, path in safe_members(archive, source):
            out = target.joinpath(*path.split("/"))
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as packed, out.open("wb") as unpacked:
                shutil.copyfileobj(packed, unpacked)
    entries = [p for p in target.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir() and not any(entries[0].glob("*.ipynb")):
        return entries[0]  # a zip of one folder that holds the student folders
    return target
