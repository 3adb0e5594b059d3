"""The JupyterLab that `make lab` opens has nbgrader's and ipywidgets' extensions enabled and compatible."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

#: One worker asks jupyter once per listing (cached below) for every test here.
pytestmark = pytest.mark.xdist_group("jupyter-listings")

BIN = Path(sys.executable).parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LAB_EXTENSIONS = ("@jupyter/nbgrader", "@jupyter-widgets/jupyterlab-manager")
SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "jupyterlab",
)


@cache
def listing(*args: str) -> str:
    """What `jupyter <args>` prints (both streams, colours removed)."""
    done = subprocess.run([str(BIN / "jupyter"), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"jupyter {' '.join(args)} failed:\n{done.stderr[-2000:]}"
    return ANSI.sub("", done.stdout + done.stderr)


@pytest.mark.parametrize("extension", LAB_EXTENSIONS)
def test_lab_extension_is_enabled_and_ok(extension):
    text = listing("labextension", "list")
    line = next((row for row in text.splitlines() if extension in row), None)
    assert line, f"{extension} is not installed in JupyterLab:\n{text}"
    assert "enabled" in line and "OK" in line, (
        f"{extension} is not enabled and OK: {line.strip()!r}. An incompatible pair of nbgrader and JupyterLab "
        "shows as 'X' here: pick versions that `jupyter labextension list` reports OK and pin them in pyproject.toml"
    )


@pytest.mark.parametrize("extension", SERVER_EXTENSIONS)
def test_server_extension_is_enabled_and_ok(extension):
    text = listing("server", "extension", "list")
    enabled = re.compile(rf"^\s*{re.escape(extension)} enabled\s*$", re.M)
    assert enabled.search(text), f"{extension} is not an enabled server extension of this Jupyter:\n{text}"
    loads = re.compile(rf"^\s*{re.escape(extension)}\s+(\S+\s+)?OK\s*$", re.M)
    assert loads.search(text), f"{extension} does not load:\n{text}"
