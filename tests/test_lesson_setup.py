"""The setup call of every lesson's first cell: quiet, seeded, and it says what it runs on."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from course_utils.lesson import environment_name, start_lesson


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def test_start_lesson_is_silent_on_stderr_and_reports_versions():
    done = run_python(
        """
        from course_utils import start_lesson
        start_lesson("01_pixels")
        import tensorflow as tf
        tf.nn.conv2d(tf.ones((1, 4, 4, 1)), tf.ones((3, 3, 1, 1)), 1, "VALID")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", f"TensorFlow wrote to stderr: {done.stderr[:500]}"
    line = done.stdout.strip().splitlines()[0]
    assert line.startswith("Lesson 01_pixels · local · seed 0 · Python ")
    for name in ("NumPy", "TensorFlow", "Keras"):
        assert name in line


def test_start_lesson_fixes_every_seed(capsys):
    import random

    import numpy as np
    import tensorflow as tf

    draws = []
    for _ in range(2):
        start_lesson("02_convolution", seed=3, verbose=False)
        draws.append((random.random(), np.random.rand(), float(tf.random.uniform(()))))
    assert draws[0] == draws[1]
    assert capsys.readouterr().out == ""


def test_warnings_go_to_stdout_not_stderr():
    done = run_python(
        """
        import warnings
        from course_utils import start_lesson
        start_lesson("01_pixels", verbose=False)
        warnings.warn("old API", DeprecationWarning)
        warnings.warn("something odd", UserWarning)
        """,
        PYTHONWARNINGS="always",
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "UserWarning: something odd" in done.stdout


def test_environment_names(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert environment_name() == "local"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert environment_name() == "grader"
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert environment_name() == "Colab"


def test_needs_names_the_exercise_to_finish():
    import pytest

    from course_utils.lesson import needs

    with pytest.raises(NotImplementedError, match=r"needs trained_model, made by .* once build_cnn works"):
        needs("trained_model", made_by="build_cnn")
    needs("test_needs_names_the_exercise_to_finish", made_by="anything")  # a global of this module: no error
