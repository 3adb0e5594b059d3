"""One call for the first code cell of every lesson: seeds, quiet logging, a version report."""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["LessonContext", "environment_name", "in_colab", "needs", "start_lesson", "under_grader"]


@dataclass(frozen=True)
class LessonContext:
    """What :func:`start_lesson` set up, for the notebook to show or use."""

    lesson_id: str
    seed: int
    environment: str
    versions: dict[str, str] = field(default_factory=dict)

    def report(self) -> str:
        """One line: lesson, where it runs, seed and the versions that matter."""
        parts = [f"{name} {version}" for name, version in self.versions.items()]
        return f"Lesson {self.lesson_id} · {self.environment} · seed {self.seed} · " + " · ".join(parts)


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def under_grader() -> bool:
    """True while nbgrader autogrades the notebook."""
    return os.environ.get("NBGRADER_EXECUTION") in {"autograde", "validate"}


def environment_name() -> str:
    """'Colab', 'grader' or 'local'."""
    if in_colab():
        return "Colab"
    if under_grader():
        return "grader"
    return "local"


@contextlib.contextmanager
def _stderr_fd_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment: TensorFlow's C++ start-up lines bypass Python."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real descriptor 2 (some embedded interpreters): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def quiet_tensorflow() -> None:
    """Keep TensorFlow's C++ and Python logs off stderr (nbgrader zeroes a test cell that writes there)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    if "tensorflow" not in sys.modules:
        with _stderr_fd_silenced():
            import tensorflow  # noqa: F401 - the import itself is what prints
    import absl.logging
    import tensorflow as tf

    absl.logging.set_verbosity(absl.logging.ERROR)
    tf.get_logger().setLevel("ERROR")
    tf.autograph.set_verbosity(0)


def _warnings_to_stdout() -> None:
    """Show Python warnings on stdout: a library's DeprecationWarning must not zero a test cell."""

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001 - warnings API
        print(f"{category.__name__}: {message}", file=sys.stdout)

    warnings.showwarning = show


def start_lesson(lesson_id: str, seed: int = 0, *, verbose: bool = True) -> LessonContext:
    """Prepare a lesson: quiet TensorFlow, fix every seed, route warnings to stdout, print versions."""
    quiet_tensorflow()
    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # seeds Python's random, NumPy's global RNG and TensorFlow
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    _warnings_to_stdout()
    context = LessonContext(
        lesson_id=lesson_id,
        seed=seed,
        environment=environment_name(),
        versions={
            "Python": platform.python_version(),
            "NumPy": np.__version__,
            "TensorFlow": tf.__version__,
            "Keras": keras.__version__,
        },
    )
    if verbose:
        print(context.report())
    return context


def needs(*names: str, made_by: str) -> None:
    """Stop a cell early, with NotImplementedError, when an earlier cell has not made ``names`` yet.

    For cells that use a result an exercise produces (a trained model, say): until the exercise is written,
    the cell says which exercise to finish instead of failing with a NameError. ``made_by`` names it.
    """
    caller = sys._getframe(1).f_globals
    missing = [name for name in names if name not in caller]
    if missing:
        raise NotImplementedError(
            f"this cell needs {', '.join(missing)}, made by an earlier cell once {made_by} works: "
            "finish that exercise, run its cells again, then this one"
        )
