"""Checks of a Keras model: its layers against the expected ones, and a classifier's output on a small batch.

Keras is imported only when a model is checked, so the lessons without models never load it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from course_utils.checks.messages import failure
from course_utils.checks.values import check_that

__all__ = ["LAYER_HINTS", "MODEL_OUTPUT_HINTS", "check_layers", "check_model_output", "model_layers"]


def _check_model(model: Any, exercise: str, case: str) -> None:
    import keras  # only the lessons with Keras models need it

    check_that(
        isinstance(model, keras.Model),
        exercise=exercise,
        case=case,
        detail=f"got {type(model).__name__}, not a keras model",
        hint="return the keras model you built",
    )


def model_layers(model: Any) -> list[tuple[str, tuple, int, Any]]:
    """(layer type, output shape without the batch axis, parameters, activation or rate) of every layer but Input."""
    rows = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        config = layer.get_config()
        detail = config.get("activation", config.get("rate", ""))
        rows.append((type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params(), detail))
    return rows


LAYER_HINTS = {
    "count": "build exactly the layers listed in the task, in that order, with activation= inside Conv2D and Dense",
    "type": "layer {index} should be a {expected}: a layer is missing, extra or out of order",
    "shape": "the output shape differs: check the padding, the pool size and the number of filters or units",
    "params": "the parameter count differs: check the number of filters or units and the kernel size",
    "detail": "the activation (or dropout rate) differs: use the activation= / rate given in the task",
}


def check_layers(
    model: Any,
    expected: Sequence[tuple],
    *,
    exercise: str,
    case: str = "",
    hints: Mapping[str, str] | None = None,
) -> None:
    """Compare a Keras model's layers (see model_layers) with ``expected`` and explain the first difference."""
    _check_model(model, exercise, case)
    got, expected = model_layers(model), [tuple(row) for row in expected]
    if got == expected:
        return
    first = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
    lines = [
        f"{len(got)} layers, {len(expected)} expected (Input not counted); first difference at layer {first}:",
        f"  expected {expected[first] if first < len(expected) else 'no more layers'}",
        f"  got      {got[first] if first < len(got) else 'no more layers'}",
        "  expected layers (type, output shape, parameters, activation or rate):",
        *(f"    {i}: {row}" for i, row in enumerate(expected)),
        "  your layers:",
        *(f"    {i}: {row}" for i, row in enumerate(got)),
    ]
    symptom = "count"
    if first < len(got) and first < len(expected):
        differs = [g != e for g, e in zip(got[first], expected[first])]
        symptom = ("type", "shape", "params", "detail")[differs.index(True)]
    hint = {**LAYER_HINTS, **(hints or {})}[symptom]
    if symptom == "type":
        hint = hint.format(index=first, expected=expected[first][0])
    check_that(False, exercise=exercise, case=case, detail="\n".join(lines), hint=hint)


MODEL_OUTPUT_HINTS = {
    "call": "start the model with keras.Input(shape=input_shape): the tests try other input shapes too",
    "shape": "use input_shape in keras.Input and num_classes units in the last layer",
    "sum": "the model must output probabilities: end with a softmax over num_classes units",
}


def check_model_output(
    model: Any,
    input_shape: tuple[int, ...],
    num_classes: int,
    *,
    exercise: str,
    case: str = "",
    seed: int = 0,
    hints: Mapping[str, str] | None = None,
) -> np.ndarray:
    """Check a classifier's output on 3 random images: shape (3, num_classes), rows of probabilities; return it."""
    _check_model(model, exercise, case)
    hints = {**MODEL_OUTPUT_HINTS, **(hints or {})}
    x = np.random.default_rng(seed).random((3, *input_shape)).astype(np.float32)
    try:
        out = np.asarray(model(x, training=False))
    except Exception as err:  # the model cannot take the batch: report it as a failed check, with the shapes
        error = f"{type(err).__name__}: {' '.join(str(err).split())[:400]}"
        raise failure(exercise, case, [f"model(batch {x.shape}) raised {error}"], [hints["call"]]) from err
    check_that(
        out.shape == (3, num_classes),
        exercise=exercise,
        case=case,
        detail=f"model(batch of 3 images {tuple(input_shape)}) has shape {out.shape}, expected {(3, num_classes)}",
        hint=hints["shape"],
    )
    check_that(
        bool(np.all(out >= 0)) and bool(np.allclose(out.sum(axis=1), 1, atol=1e-5)),
        exercise=exercise,
        case=case,
        detail=f"the rows of the output sum to {out.sum(axis=1)}, not 1 (or hold negative values)",
        hint=hints["sum"],
    )
    return out
