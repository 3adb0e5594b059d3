"""The checks behind every test cell: they pass right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.checks import (
    CheckFailure,
    check_array,
    check_form,
    check_layers,
    check_model_output,
    check_output,
    check_outputs,
    check_raises,
    check_random_bits,
    check_scalar,
    check_that,
    check_tuple,
    describe_call,
    model_layers,
    passed,
    run_case,
)

RNG = np.random.default_rng(0)
EXPECTED = RNG.normal(size=(4, 5))


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailure) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_check_failure_is_an_assertion_error():
    assert issubclass(CheckFailure, AssertionError)


def test_equal_arrays_pass_silently(capsys):
    check_array(EXPECTED.copy(), EXPECTED, exercise="conv2d", case="same")
    check_array(EXPECTED.astype(np.float32), EXPECTED, exercise="conv2d", case="float32 within tolerance", rtol=1e-5)
    assert capsys.readouterr() == ("", "")


def test_value_mismatch_names_case_index_and_errors():
    got = EXPECTED.copy()
    got[2, 3] += 1.5
    message = failure(check_array, got, EXPECTED, exercise="conv2d", case="7×9 image, stride 2")
    assert message.startswith("conv2d: 7×9 image, stride 2")
    assert "first mismatch at index (2, 3)" in message
    assert "max abs error 1.5 at (2, 3)" in message
    assert "1 of 20 values differ" in message
    assert "shape (4, 5), dtype float64" in message


def test_shape_off_by_one_points_at_the_size_formula():
    message = failure(check_array, np.zeros((5, 6)), EXPECTED, exercise="conv2d", case="valid")
    assert "expected: shape (4, 5)" in message and "got:      shape (5, 6)" in message
    assert "floor((n - f) / s) + 1" in message


def test_swapped_axes_are_recognised():
    message = failure(check_array, np.zeros((5, 4)), EXPECTED, exercise="conv2d", case="H ≠ W")
    assert "swapped" in message


def test_swapped_spatial_axes_with_channels_are_recognised():
    message = failure(check_array, np.zeros((5, 4, 3)), np.zeros((4, 5, 3)), exercise="conv_forward", case="C=3")
    assert "swapped" in message


def test_ignored_stride_is_suggested_when_the_output_is_too_large():
    message = failure(check_array, np.zeros((7, 9)), np.zeros((3, 4)), exercise="conv2d", case="stride 2")
    assert "stride" in message


def test_missing_axis_is_reported():
    message = failure(check_array, np.zeros((4, 5)), np.zeros((4, 5, 1)), exercise="to_grayscale", case="keepdims")
    assert "2 axes, 3 expected" in message


def test_rotated_result_symptom():
    message = failure(check_array, np.flip(EXPECTED), EXPECTED, exercise="conv2d", case="asymmetric kernel")
    assert "rotated by 180" in message and "read backwards" in message


def test_reversed_1d_symptom():
    expected = np.arange(6.0)
    message = failure(check_array, expected[::-1], expected, exercise="conv1d", case="ramp")
    assert "reversed" in message


def test_constant_offset_suggests_a_bias():
    message = failure(check_array, EXPECTED + 0.5, EXPECTED, exercise="conv2d_multi", case="bias 0.5")
    assert "bias" in message and "0.5" in message


def test_scale_factor_is_named():
    message = failure(check_array, EXPECTED * 255 / 256, EXPECTED, exercise="to_float", case="uint8 ramp")
    assert "times the expected one" in message and "0.996094" in message


def test_opposite_sign_suggests_a_flipped_kernel():
    message = failure(check_array, -EXPECTED, EXPECTED, exercise="conv2d", case="edge kernel")
    assert "opposite sign" in message and "times the expected" not in message


def test_border_only_differences_suggest_padding():
    got = EXPECTED.copy()
    got[0, :] += 1
    got[:, -1] -= 2
    message = failure(check_array, got, EXPECTED, exercise="zero_pad", case="pad 1")
    assert "only the border differs" in message


def test_all_zeros_result():
    message = failure(check_array, np.zeros_like(EXPECTED), EXPECTED, exercise="conv2d", case="random")
    assert "all zeros" in message


def test_nan_result_is_explained():
    got = EXPECTED.copy()
    got[1, 1] = np.nan
    message = failure(check_array, got, EXPECTED, exercise="batchnorm", case="random")
    assert "NaN" in message


def test_dtype_requirement():
    message = failure(check_array, EXPECTED, EXPECTED, exercise="to_float", case="uint8 in", dtype=np.float32)
    assert "dtype must be float32" in message and "astype(np.float32)" in message
    check_array(EXPECTED.astype(np.float32), EXPECTED, exercise="to_float", case="ok", dtype=np.floating)


def test_none_and_tuple_results():
    assert "forget to `return`" in failure(check_array, None, EXPECTED, exercise="crop", case="box")
    assert "tuple of 2" in failure(check_array, (EXPECTED, 1), EXPECTED, exercise="crop", case="box")


def test_custom_hint_is_appended():
    message = failure(check_array, EXPECTED + 1, EXPECTED, exercise="x", case="y", hint="did you add the bias twice?")
    assert "hint: did you add the bias twice?" in message


def test_scalar_checks():
    check_scalar(np.float64(2.5), 2.5, exercise="conv_single_step", case="ones")
    message = failure(check_scalar, np.array([2.5, 1.0]), 2.5, exercise="conv_single_step", case="ones")
    assert "expected one number" in message
    message = failure(check_scalar, 3.0, 2.5, exercise="conv_single_step", case="ones")
    assert "expected 2.5, got 3" in message


def test_check_that():
    check_that(True, exercise="crop", case="view")
    message = failure(check_that, False, exercise="crop", case="view", detail="the result is a copy", hint="slice")
    assert "crop: view" in message and "the result is a copy" in message and "hint: slice" in message


def test_describe_call_shows_shapes_not_arrays():
    text = describe_call("conv2d", (np.zeros((7, 9)), np.ones((3, 3), np.float32)), {"stride": 2})
    assert text == "conv2d(array(7, 9) float64, array(3, 3) float32, stride=2)"
    assert describe_call("conv1d", ([0.5, 0.5],)) == "conv1d([0.5, 0.5])"


def double(x):
    return 2 * np.asarray(x)


def not_done(x):
    raise NotImplementedError()


def crashes(x):
    return x[10]


def in_place(x):
    x *= 2
    return x


def test_check_output_returns_the_result():
    got = check_output(double, (np.arange(3),), expected=[0, 2, 4], case="arange")
    assert got.tolist() == [0, 2, 4]


def test_check_output_explains_not_implemented():
    message = failure(check_output, not_done, (np.arange(3),), expected=[0, 2, 4], case="arange")
    assert "NotImplementedError" in message and "replace `raise NotImplementedError()`" in message


def test_check_output_reports_a_crash_with_its_call():
    message = failure(check_output, crashes, (np.arange(3),), expected=[0], case="short input")
    assert "crashes(array([0, 1, 2], int64))" in message and "IndexError" in message


def test_check_output_catches_in_place_changes():
    message = failure(check_output, in_place, (np.arange(3.0),), expected=[0, 2, 4], case="ramp")
    assert "changed in place" in message


def validates(x):
    if np.ndim(x) != 2:
        raise ValueError(f"image must be 2-D, got shape {np.shape(x)}")
    return x


def test_check_raises_passes_on_a_named_value_error():
    check_raises(validates, (np.zeros(3),), case="1-D input", mentions=["image", "(3,)"])


def test_check_raises_when_nothing_is_raised():
    message = failure(check_raises, double, (np.zeros(3),), case="1-D input")
    assert "no error, the function returned" in message and "raise ValueError" in message


def test_check_raises_when_the_message_is_vague():
    message = failure(check_raises, validates, (np.zeros(3),), case="1-D input", mentions=["kernel"])
    assert "should mention ['kernel']" in message


def test_check_raises_when_another_error_escapes():
    message = failure(check_raises, crashes, (np.zeros(3),), case="short input")
    assert "IndexError" in message and "expected: ValueError" in message


def test_check_raises_on_not_implemented():
    assert "NotImplementedError" in failure(check_raises, not_done, (1,), case="stub")


def test_passed_prints_one_line(capsys):
    passed("conv2d")
    out, err = capsys.readouterr()
    assert out == "✓ conv2d: all checks in this cell passed\n" and err == ""


def test_failures_write_nothing_to_stderr(capsys):
    got = EXPECTED.copy()
    got[0, 0] = np.inf
    with pytest.raises(CheckFailure):
        check_array(got, np.zeros_like(EXPECTED), exercise="x", case="inf vs zeros")
    assert capsys.readouterr().err == ""


def stats(x):
    return x - x.mean(), x.mean(), x.var()


def test_check_outputs_checks_every_value_by_name():
    x = np.arange(4.0)
    got = check_outputs(stats, (x,), expected=(x - 1.5, 1.5, 1.25), names=("out", "mean", "var"), case="ramp")
    assert len(got) == 3
    message = failure(
        check_outputs,
        stats,
        (x,),
        expected=(x - 1.5, 1.5, 1.6667),
        names=("out", "mean", "var"),
        case="ramp",
        hints=("", "", "divide by N, not N - 1"),
    )
    assert "value 3, var" in message and "divide by N, not N - 1" in message


def test_check_outputs_wants_a_tuple_of_the_right_length():
    message = failure(check_outputs, double, (np.arange(3),), expected=(1, 2), names=("a", "b"), case="c")
    assert "a tuple of 2 values (a, b)" in message and "return a, b" in message


def pair(x):
    return x, 2 * x


def test_run_case_returns_the_result_and_reports_crashes():
    assert run_case(double, (np.arange(3),), case="arange").tolist() == [0, 2, 4]
    message = failure(run_case, not_done, (np.arange(3),), case="arange")
    assert message.startswith("not_done: arange") and "replace `raise NotImplementedError()`" in message
    message = failure(run_case, crashes, (np.arange(3),), exercise="crop", case="short input")
    assert message.startswith("crop: short input") and "IndexError" in message and "crashes(array(" in message


def test_run_case_catches_in_place_changes():
    assert "argument 1 was changed in place" in failure(run_case, in_place, (np.arange(3.0),), case="ramp")


def test_run_case_with_names_wants_a_tuple():
    out, doubled = run_case(pair, (np.arange(2.0),), names=("out", "doubled"), case="ramp")
    assert doubled.tolist() == [0.0, 2.0]
    message = failure(run_case, double, (np.arange(2.0),), names=("out", "mask"), case="ramp")
    assert "call:     double(" in message and "a tuple of 2 values (out, mask)" in message
    assert "return out, mask" in message


def test_check_tuple():
    assert check_tuple([1, 2], ("a", "b"), exercise="f") == (1, 2)
    message = failure(check_tuple, (1, 2, 3), ("a", "b"), exercise="f", case="c")
    assert "got:      a tuple of 3 values" in message and "return a, b" in message
    assert "got:      None" in failure(check_tuple, None, ("a", "b"), exercise="f")


def test_check_outputs_refuses_names_that_do_not_match_the_expected_values():
    with pytest.raises(ValueError, match="2 names for 3 expected values"):
        check_outputs(stats, (np.arange(3.0),), expected=(0, 1, 2), names=("a", "b"), case="c")


def test_check_form_passes_and_names_each_symptom():
    mask = np.array([[0.0, 1.0], [1.0, 1.0]])
    check_form(mask, exercise="dropout_mask", shape=(2, 2), dtype=np.float64, values=(0.0, 1.0))
    hints = {"type": "return the array", "shape": "one per unit", "dtype": "use .astype", "values": "no scaling"}
    message = failure(check_form, mask.tolist(), exercise="m", case="c", name="the mask", hint=hints)
    assert "the mask: got list, expected a NumPy array" in message and "hint: return the array" in message
    message = failure(check_form, mask, exercise="m", shape=(2, 3), hint=hints)
    assert "has shape (2, 2), expected (2, 3)" in message and "hint: one per unit" in message
    message = failure(check_form, mask > 0, exercise="m", dtype=np.float64, hint=hints)
    assert "has dtype bool, expected float64" in message and "hint: use .astype" in message
    message = failure(check_form, mask / 0.5, exercise="m", values=(0.0, 1.0), hint="one hint for all")
    assert "may hold only [0.0, 1.0]; it also holds [2.0]" in message and "hint: one hint for all" in message
    assert "got None" in failure(check_form, None, exercise="m")


def test_check_random_bits():
    rng = np.random.default_rng(5)
    bits = (rng.random((400, 500)) >= 0.3).astype(np.float64)
    check_random_bits(bits, 0.7, exercise="dropout_mask", case="rate 0.3")
    message = failure(check_random_bits, bits, 0.5, exercise="m", case="c", label="kept fraction", hint="keep 1 - rate")
    assert "kept fraction: 0.69" in message and "expected 0.5 ± 0.01" in message and "hint: keep 1 - rate" in message
    rows = np.repeat(bits[:1], 400, axis=0)
    message = failure(check_random_bits, rows, 0.7, exercise="m", case="c")
    assert "neighbours along axis 0 agree on 1.0000" in message and "not independent" in message
    message = failure(check_random_bits, np.ones((400, 500)), 0.7, exercise="m", case="c", hint="ignored")
    assert "every element got the same decision" in message


def tiny_model(units: int = 3, activation: str = "softmax"):
    keras = pytest.importorskip("keras")
    return keras.Sequential(
        [
            keras.Input(shape=(4, 4, 1)),
            keras.layers.Conv2D(2, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(units, activation=activation),
        ]
    )


TINY_LAYERS = [
    ("Conv2D", (2, 2, 2), 20, "relu"),
    ("Flatten", (8,), 0, ""),
    ("Dropout", (8,), 0, 0.5),
    ("Dense", (3,), 27, "softmax"),
]


def test_model_layers_and_check_layers():
    model = tiny_model()
    assert model_layers(model) == TINY_LAYERS
    check_layers(model, TINY_LAYERS, exercise="build_cnn", case="default")
    wrong = [*TINY_LAYERS[:3], ("Dense", (3,), 27, "relu")]
    message = failure(check_layers, model, wrong, exercise="build_cnn", case="default")
    assert "first difference at layer 3" in message and "your layers:" in message and "activation" in message
    message = failure(check_layers, model, [("Conv2D", (3, 3, 2), 20, "relu")], exercise="b", hints={"shape": "pad"})
    assert "4 layers, 1 expected" in message and "hint: pad" in message
    message = failure(check_layers, model, TINY_LAYERS[:2], exercise="b")
    assert "first difference at layer 2" in message and "build exactly the layers listed" in message
    message = failure(check_layers, model, [("Dense", (2, 2, 2), 20, "relu")], exercise="b")
    assert "layer 0 should be a Dense" in message
    assert "got list, not a keras model" in failure(check_layers, [], TINY_LAYERS, exercise="b")


def test_check_model_output():
    out = check_model_output(tiny_model(), (4, 4, 1), 3, exercise="build_cnn", case="default")
    assert out.shape == (3, 3) and np.allclose(out.sum(axis=1), 1, atol=1e-5)
    message = failure(check_model_output, tiny_model(), (5, 5, 1), 3, exercise="b", case="c")
    assert "model(batch (3, 5, 5, 1)) raised" in message and "keras.Input(shape=input_shape)" in message
    message = failure(check_model_output, tiny_model(units=4), (4, 4, 1), 3, exercise="b", hints={"shape": "K"})
    assert "has shape (3, 4), expected (3, 3)" in message and "hint: K" in message
    message = failure(check_model_output, tiny_model(activation="linear"), (4, 4, 1), 3, exercise="b")
    assert "not 1" in message and "softmax" in message


def test_border_hint_reads_height_and_width_of_an_nhwc_batch():
    rng = np.random.default_rng(0)
    expected = rng.normal(size=(3, 5, 6, 2))
    got = expected.copy()
    got[:, 0, :, 1] += 1  # the top row of every image, one channel: a border error
    message = failure(check_array, got, expected, exercise="zero_pad", case="batch")
    assert "only the border differs" in message
    got = expected.copy()
    got[0] += 1
    got[-1] -= 1  # the first and the last image wrong, every pixel: not a border error
    message = failure(check_array, got, expected, exercise="conv_forward", case="batch")
    assert "border" not in message


def test_reversed_batch_axis_is_not_called_reversed():
    rng = np.random.default_rng(1)
    expected = rng.normal(size=(2, 4, 4, 3))
    message = failure(check_array, expected[::-1], expected, exercise="conv_forward", case="batch order")
    assert "reversed" not in message and "rotated" not in message
    message = failure(check_array, expected[:, ::-1, ::-1], expected, exercise="conv_forward", case="rotated")
    assert "rotated by 180" in message and "does not reverse" in message


def test_scale_hint_names_255_only_when_it_is_255():
    expected = np.linspace(0.1, 1.0, 6)
    assert "255" in failure(check_array, expected * 255, expected, exercise="to_float", case="ramp")
    message = failure(check_array, expected * 2, expected, exercise="pool_backward", case="ramp")
    assert "2 times the expected one" in message and "255" not in message and "dropout" not in message


def test_a_short_argument_name_must_stand_as_a_word():
    def conv1d(x, w):
        raise ValueError("expected a 1-D signal, got shape (2, 3)")

    message = failure(check_raises, conv1d, (np.ones((2, 3)), np.ones(2)), case="x is 2-D", mentions=["x", "(2, 3)"])
    assert "should mention ['x']" in message

    def conv1d_named(x, w):
        raise ValueError("x.shape is 2 x 3; a 1-D signal is needed")

    check_raises(conv1d_named, (np.ones((2, 3)), np.ones(2)), case="x is 2-D", mentions=["x", "(2, 3)"])


def test_arrays_inside_a_list_argument_must_stay_unchanged():
    def make_batch(images):
        for image in images:
            if image.ndim == 2:
                image.shape += (1,)  # reshapes the caller's array
        return np.stack(images)

    gray = [np.zeros((2, 3)), np.ones((2, 3))]
    message = failure(check_output, make_batch, (gray,), expected=np.stack([g[..., None] for g in gray]),
                      case="two gray images")
    assert "changed in place" in message


def test_symptom_hints_are_kept_from_hidden_tests():
    try:
        check_array(np.zeros(4), np.arange(1.0, 5.0), exercise="pool_forward", case="all negative")
    except CheckFailure as err:
        assert "all zeros" in str(err) and not any("zeros" in h for h in err.hints)
    else:
        raise AssertionError("no failure")
