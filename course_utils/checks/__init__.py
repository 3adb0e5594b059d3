"""Checks used by the test cells: each failure says what was called, what differs and why it usually does.

Every check raises :class:`CheckFailure` (an ``AssertionError``) with a message that names the
exercise and the case, shows expected against got (shape, dtype, first mismatching index, largest
absolute and relative error) and adds a hint keyed to the symptom. The checks work the same with
or without nbgrader, so they run in Colab too.

- :mod:`~course_utils.checks.messages`: describing values, the failure message and its hints, the passing line;
- :mod:`~course_utils.checks.values`: checks of a computed value (an array, a number, a tuple, a condition);
- :mod:`~course_utils.checks.calls`: checks that call a student's function (its result, its error, its inputs);
- :mod:`~course_utils.checks.models`: checks of a Keras model.
"""

from __future__ import annotations

from course_utils.checks.calls import check_output, check_outputs, check_raises, run_case, shares_memory
from course_utils.checks.messages import CheckFailure, describe_call, describe_value, passed
from course_utils.checks.models import check_layers, check_model_output, model_layers
from course_utils.checks.values import (
    check_array,
    check_form,
    check_random_bits,
    check_scalar,
    check_that,
    check_tuple,
)

__all__ = [
    "CheckFailure",
    "check_array",
    "check_form",
    "check_layers",
    "check_model_output",
    "check_output",
    "check_outputs",
    "check_raises",
    "check_random_bits",
    "check_scalar",
    "check_that",
    "check_tuple",
    "describe_call",
    "describe_value",
    "model_layers",
    "passed",
    "run_case",
    "shares_memory",
]
