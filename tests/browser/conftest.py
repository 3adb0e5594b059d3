"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium for the whole run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab import ROOT, LabServer, chromium_path, jupyter_lab, launch_browser

SHOTS = ROOT / "reports" / "browser"
VIEWPORT = {"width": 1400, "height": 900}


@pytest.fixture(scope="session")
def shots() -> Path:
    """Where screenshots go: reports/browser/, kept by CI as artefacts."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the lessons as a student and as an instructor have them: student/<id>.ipynb, solution/<id>.ipynb."""
    root = tmp_path_factory.mktemp("lab-root")
    for kind, folder in (("student", "notebooks"), ("solution", "solutions")):
        (root / kind).mkdir()
        for notebook in sorted((ROOT / folder).glob("*/*.ipynb")):
            shutil.copy(notebook, root / kind / notebook.name)
    return root


@pytest.fixture(scope="session")
def lab(lab_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab from the course's venv, serving the copied lessons, offline data."""
    with jupyter_lab(lab_root, tmp_path_factory.mktemp("lab-scratch"), env={"COURSE_OFFLINE": "1"}) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[browser]' (make test-browser)")
    if not chromium_path():
        pytest.fail("no Chromium found: install Debian's package (apt-get install chromium) or set $CHROMIUM")
    with sync_api.sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page (tab) of the size of a laptop screen."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    yield tab
    context.close()
