"""Tests for course_utils.training: lesson 07's recipes, its design rules and its graded training run (tiny data)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import training
from course_utils.data import Dataset
from course_utils.lesson import quiet_tensorflow

quiet_tensorflow()
import keras  # noqa: E402
from keras import layers  # noqa: E402


def suggested(input_shape=(28, 28, 1), num_classes=10):
    """The design of lesson 07's solution."""
    model = keras.Sequential([keras.Input(shape=input_shape), layers.RandomTranslation(0.1, 0.1, fill_mode="constant")])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model


def reference():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def tiny_model():
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.Activation("relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.2),
        layers.Dense(2, activation="softmax"),
    ])


def tiny_data(seed=0):
    """64 training and 32 test images 8 x 8 x 1: bright top half (class 1) or bright bottom half (class 0)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=96)
    x = rng.random((96, 8, 8, 1)).astype(np.float32) * 0.3
    x[y == 1, :4] += 0.7
    x[y == 0, 4:] += 0.7
    return Dataset("tiny", x[:64], y[:64], x[64:], y[64:], "test", "tiny test data", ("0", "1"))


@pytest.fixture(autouse=True)
def no_remembered_runs():
    training._RUNS.clear()
    yield
    training._RUNS.clear()


def test_recipes_say_what_they_are():
    assert training.IMPROVED.cosine and training.IMPROVED.seed == 0
    assert training.REFERENCE.steps(4000) == training.REFERENCE.epochs * 32
    assert str(training.Recipe(3, 128, 1e-3)) == (
        "3 epochs, batches of 128, Adam with learning rate 0.001 (constant), seed 0"
    )
    assert "decaying to 0 along a cosine" in str(training.IMPROVED)


def test_multiply_adds_of_the_lessons_models():
    # conv 320 x 26*26 + 18,496 x 24*24, then the two dense layers
    assert training.multiply_adds(reference()) == 12_051_082
    assert training.multiply_adds(suggested()) == 28 * 28 * 288 + 14 * 14 * 18_432 + 7 * 7 * 73_728 + 62_730


def test_the_suggested_design_breaks_no_rule_and_the_reference_breaks_two():
    assert training.design_problems(suggested()) == []
    assert training.design_problems(suggested((8, 8, 1), 2), limits=False) == []
    problems = " | ".join(detail for detail, _ in training.design_problems(reference()))
    assert "no BatchNormalization" in problems and "padding='same'" in problems


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (lambda: [layers.Lambda(lambda t: t)], "does not accept"),
        (lambda: [layers.Conv2D(400, 3, padding="same")], "output more than 262,144"),
        (lambda: [layers.Conv2D(256, 3, padding="same"), layers.Conv2D(64, 3, padding="same")], "multiply-adds"),
        (lambda: [layers.Flatten(), layers.Dense(1600), layers.Reshape((40, 40, 1))], "does not accept"),
    ],
)
def test_design_problems_name_the_rule_broken(extra, expected):
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), *extra(), layers.Conv2D(8, 3, padding="same"),
                              layers.BatchNormalization(), layers.MaxPooling2D(2), layers.Flatten(),
                              layers.Dropout(0.1), layers.Dense(10, activation="softmax")])
    problems = training.design_problems(model)
    assert any(expected in detail for detail, _ in problems), problems


def test_too_many_parameters_only_count_with_the_limits():
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(8, 3, padding="same"),
                              layers.BatchNormalization(), layers.MaxPooling2D(2), layers.Flatten(),
                              layers.Dense(1000), layers.Dropout(0.1), layers.Dense(10, activation="softmax")])
    assert any("parameters" in detail for detail, _ in training.design_problems(model))
    assert training.design_problems(model, limits=False) == []


def test_the_class_graders_limits_are_the_ones_stated():
    boundary = pytest.importorskip("grader.boundary")
    assert training.GRADER_LAYERS == frozenset(boundary.LAYERS)
    assert training.MAX_LAYER_OUTPUT == boundary.MAX_ACTIVATIONS
    assert training.MAX_PARAMS <= boundary.MAX_PARAMS
    assert training.MAX_MULTIPLY_ADDS <= boundary.MAX_MACS


def test_two_builds_of_the_same_code_are_the_same_architecture():
    assert training._architecture_key(suggested()) == training._architecture_key(suggested())
    assert training._architecture_key(suggested()) != training._architecture_key(suggested(num_classes=9))


def test_a_run_depends_on_the_architecture_not_on_the_weights_it_had():
    data, recipe = tiny_data(), training.Recipe(epochs=2, batch_size=16, learning_rate=1e-2)
    first = training.train_model(tiny_model(), data, recipe, verbose=0)
    assert isinstance(first, training.Run) and not first.reused
    assert first.probs.shape == (32, 2) and 0.0 <= first.accuracy <= 1.0
    assert first.accuracy == np.mean(first.probs.argmax(1) == data.y_test)
    training._RUNS.clear()
    odd = tiny_model()
    odd.set_weights([np.full(w.shape, 0.5, dtype=np.float32) for w in odd.get_weights()])
    second = training.train_model(odd, data, recipe, verbose=0)
    assert second.model is not odd  # a fresh copy was trained, the caller's model is untouched
    np.testing.assert_array_equal(odd.get_weights()[0], 0.5)
    for a, b in zip(first.model.get_weights(), second.model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_the_same_run_is_reused_and_a_different_one_is_not():
    data, recipe = tiny_data(), training.Recipe(epochs=1, batch_size=32, learning_rate=1e-2)
    first = training.train_model(tiny_model(), data, recipe, verbose=0)
    again = training.train_model(tiny_model(), data, recipe, verbose=0)
    assert again.reused and again.model is first.model and again.accuracy == first.accuracy
    other_seed = training.train_model(tiny_model(), data, training.Recipe(1, 32, 1e-2, seed=1), verbose=0)
    other_data = training.train_model(tiny_model(), tiny_data(seed=1), recipe, verbose=0)
    no_validation = training.train_model(tiny_model(), data, recipe, validate=False, verbose=0)
    assert not (other_seed.reused or other_data.reused or no_validation.reused)
    assert no_validation.history.history.keys() == {"accuracy", "loss"}


def test_the_graded_training_uses_the_offline_split_and_the_graded_recipe(monkeypatch):
    calls = []

    def fake_load(name, **kwargs):
        calls.append((name, kwargs))
        return tiny_data()

    monkeypatch.setattr("course_utils.data.load_dataset", fake_load)
    run = training.graded_training(tiny_model(), training.Recipe(1, 32, 1e-2))
    assert calls == [("mnist", {"source": "offline", "verbose": False})]
    assert run.recipe == training.Recipe(1, 32, 1e-2) and len(run.history.history["val_accuracy"]) == 1
    # the notebook's own run on the same data with the same recipe is the graded run
    assert training.train_model(tiny_model(), tiny_data(), training.Recipe(1, 32, 1e-2), verbose=0).reused
