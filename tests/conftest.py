"""Test-suite switches: the browser tests (tests/browser) run only with ``make test-browser``; tests that run
hostile code are marked ``requires_sandbox`` and skip, with the reason, where the full sandbox is not available."""

from __future__ import annotations

from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def _sandbox_missing() -> str:
    from grader.sandbox.isolation import probe

    found = probe()
    return "" if found.full else "no full sandbox here, so no hostile code is run: " + "; ".join(found.problems)


SANDBOX_MISSING = _sandbox_missing()
#: For tests that run code written as an attack: never outside the full sandbox.
requires_sandbox = pytest.mark.skipif(bool(SANDBOX_MISSING), reason=SANDBOX_MISSING or "-")


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
