"""Imported once by the fork server that starts each submission's grading process.

TensorFlow is imported with its start-up lines kept off stderr, then the grader's own modules; see
:func:`grader.classroom.fresh_process_context`.
"""

from course_utils.lesson import quiet_tensorflow

quiet_tensorflow()

import grader.grading  # noqa: E402,F401 - imported here so each grading process starts with it
import grader.sandbox.client  # noqa: E402,F401
import grader.trusted  # noqa: E402,F401
