"""Drive a real JupyterLab in headless Chromium: start a server, open a notebook, run its cells one by one.

The browser is Debian's Chromium (``/usr/bin/chromium``, or $CHROMIUM), driven by Playwright without any
browser download. Cells are run as a student runs them, Shift+Enter on each in turn, so that a failing cell
does not stop the rest (JupyterLab's "Run All" stops at the first error, and a released lesson has one error
per unwritten exercise).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: JupyterLab settings for a test run: every cell in the DOM, no news or update checks, no autosave races.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "recordTiming": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}
PROMPT_DONE = re.compile(r"\[\d+\]")
PROMPT_BUSY = re.compile(r"\[\*\]")
#: Seconds after Shift+Enter with neither ``[*]`` nor a number in a code cell's prompt: the press was lost.
LOST_KEYPRESS = 15
PRESSES = 3


def chromium_path() -> str | None:
    """The Chromium binary to drive: $CHROMIUM, else Debian's chromium on PATH."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    """A running ``jupyter lab`` on localhost, serving ``root``."""

    root: Path
    port: int
    token: str
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The address of ``path`` (such as ``lab/tree/x.ipynb``) with the token."""
        joiner = "&" if "?" in path else "?"
        return f"{self.base}/{path}{joiner}token={self.token}"

    def api(self, path: str) -> Any:
        """GET a server REST endpoint and return its JSON."""
        request = urllib.request.Request(f"{self.base}/{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def log_tail(self, lines: int = 40) -> str:
        """The last lines the server wrote, for failure messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def jupyter_lab(root: Path, scratch: Path, extra_args: list[str] | None = None,
                env: dict[str, str] | None = None, timeout: float = 120) -> Iterator[LabServer]:
    """Start JupyterLab from this venv on ``root``, with settings and config kept under ``scratch``."""
    settings = scratch / "lab-settings"
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        target = settings / package / f"{name}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    (scratch / "workspaces").mkdir(parents=True, exist_ok=True)
    (scratch / "runtime").mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    full_env = dict(os.environ)
    full_env.update(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        PYTHONUNBUFFERED="1",
    )
    full_env.update(env or {})
    log = scratch / "jupyterlab.log"
    command = [
        str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *(["--allow-root"] if os.geteuid() == 0 else []),
        *(extra_args or []),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=root, env=full_env, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = LabServer(root, port, token, process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with status {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("api/status")
                break
            except OSError as error:
                if time.monotonic() > deadline:
                    message = f"jupyter lab did not answer within {timeout:.0f} s:\n{server.log_tail()}"
                    raise RuntimeError(message) from error
                time.sleep(0.5)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@dataclass
class CellRun:
    """What one cell showed after it ran, read from the page."""

    index: int
    kind: str
    seconds: float = 0.0
    presses: int = 1


def launch_browser(playwright: Any) -> Any:
    """Debian's Chromium, headless, with the flags that keep it off the closed network."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)


class NotebookPage:
    """One notebook open in JupyterLab in a browser page."""

    def __init__(self, page: Any, server: LabServer, path: str) -> None:
        self.page, self.server, self.path = page, server, path

    def open(self, timeout: float = 90) -> None:
        """Load JupyterLab on the notebook and wait for the kernel to be idle."""
        self.page.goto(self.server.url(f"lab/tree/{self.path}?reset"), wait_until="domcontentloaded")
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout * 1000)
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float) -> None:
        """Wait until the notebook's kernel reports idle."""
        self.page.wait_for_selector(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']",
            timeout=timeout * 1000,
        )

    @property
    def cells(self) -> Any:
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")

    def cell_count(self) -> int:
        return self.cells.count()

    def file_kinds(self) -> list[str]:
        """Each cell's type ("code", "markdown") as the notebook file on the server has it."""
        notebook = json.loads(Path(self.server.root, self.path).read_text(encoding="utf-8"))
        return [cell["cell_type"] for cell in notebook["cells"]]

    def run_cell(self, index: int, kind: str, timeout: float) -> CellRun:
        """Select cell ``index``, press Shift+Enter and, for a code cell, wait until its prompt shows a number.

        A keypress that the page swallowed while it was still busy (the prompt shows neither ``[*]`` nor a
        number ``LOST_KEYPRESS`` seconds later) is pressed again, up to ``PRESSES`` times in all.
        """
        cell = self.cells.nth(index)
        start = time.monotonic()
        run = CellRun(index, kind)
        self._press_run(cell)
        if kind != "code":
            return run
        prompt = cell.locator(".jp-InputArea-prompt").first
        pressed, presses = start, 1
        while not PROMPT_DONE.search(text := prompt.inner_text()):
            now = time.monotonic()
            if now > start + timeout:
                raise TimeoutError(self._stuck(index, text, timeout, presses))
            if not PROMPT_BUSY.search(text) and now - pressed > LOST_KEYPRESS and presses < PRESSES:
                self._press_run(cell)
                pressed, presses = time.monotonic(), presses + 1
            time.sleep(0.1)
        run.seconds, run.presses = time.monotonic() - start, presses
        return run

    def _press_run(self, cell: Any) -> None:
        cell.locator(".jp-InputPrompt").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Shift+Enter")

    def _stuck(self, index: int, prompt: str, timeout: float, presses: int) -> str:
        """Why cell ``index`` seems stuck: its prompt and classes, the kernel's status, the server's last lines."""
        cell = self.cells.nth(index)
        status = self.page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status")
        return (
            f"cell {index} of {self.path} still running after {timeout:.0f} s ({presses} Shift+Enter); "
            f"its prompt shows {prompt!r}, its classes are {cell.get_attribute('class')!r}, the kernel is "
            f"{status!r}\nJupyterLab's log ends:\n{self.server.log_tail(15)}"
        )

    def run_all_one_by_one(self, timeout_per_cell: float = 180) -> list[CellRun]:
        """Run every cell in order, as a student pressing Shift+Enter through the notebook."""
        kinds = self.file_kinds()
        shown = self.cell_count()
        assert shown == len(kinds), f"{self.path}: the page shows {shown} cells, the file has {len(kinds)}"
        return [self.run_cell(index, kind, timeout_per_cell) for index, kind in enumerate(kinds)]

    def save(self) -> None:
        """Save the notebook to disk (Ctrl+S) and wait until JupyterLab says it is saved."""
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function(
            "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
            "?.parentElement?.querySelector('.jp-mod-dirty')",
            timeout=30_000,
        )


def widget_outputs(page: Any) -> Any:
    """The live explorers on the page: a VBox of sliders over an Output showing a picture."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output .widget-vbox").filter(
        has=page.locator(".widget-slider")
    )


def picture_source(widget: Any) -> str:
    """The data URL of the picture an explorer shows now."""
    return widget.locator(".widget-output img").first.get_attribute("src") or ""


def nudge_first_slider(page: Any, widget: Any, timeout: float = 60) -> tuple[str, str]:
    """Move the explorer's first slider one step with the keyboard; wait for the picture to change.

    Returns the slider's readout before and after.
    """
    readout = widget.locator(".widget-slider .widget-readout").first
    before_text, before_picture = readout.inner_text(), picture_source(widget)
    handle = widget.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for key in ("ArrowRight", "ArrowLeft"):  # left when the slider already stands at its maximum
        page.keyboard.press(key)
        moved = time.monotonic() + 3
        while readout.inner_text() == before_text and time.monotonic() < moved:
            time.sleep(0.1)
        if readout.inner_text() != before_text:
            break
    deadline = time.monotonic() + timeout
    while picture_source(widget) == before_picture:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"the explorer's picture did not change within {timeout:.0f} s after its slider moved "
                f"from {before_text} to {readout.inner_text()}"
            )
        time.sleep(0.2)
    return before_text, readout.inner_text()
