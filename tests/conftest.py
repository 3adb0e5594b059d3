"""Test-suite switches: the browser tests (tests/browser) run only with ``make test-browser``."""

from __future__ import annotations

from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--browser", action="store_true", help="also run tests/browser (JupyterLab in Chromium)")


def _browser_asked(config: pytest.Config) -> bool:
    """True with --browser, or when tests/browser (or a file in it) is named on the command line."""
    if config.getoption("--browser"):
        return True
    named = (Path(arg.split("::")[0]).resolve() for arg in config.args)
    return any(path == BROWSER_TESTS or BROWSER_TESTS in path.parents for path in named)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path == BROWSER_TESTS and not _browser_asked(config):
        return True
    return None
