"""grader.boundary: every channel across the sandbox boundary refuses malformed replies, and nothing acts here.

One test (or a few) per channel with raw messages, as a student's process could write them; then the grader's
side of a call (grader.trusted) against the real agent's request handling run in this process (only this
file's own functions are "student code": nothing hostile runs, no sandbox starts). Only the Keras test
imports TensorFlow.
"""

from __future__ import annotations

import io
import json
import time
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from course_utils.checks import CheckFailure, check_array, check_output, run_case, shares_memory
from grader import boundary, wire
from grader.boundary import validate_reply
from grader.sandbox.agent import Agent
from grader.sandbox.client import SandboxDied, SandboxTimeout, call_message
from grader.trusted import (
    RemoteFunction,
    StudentCodeError,
    StudentNamespace,
    TestOutcome,
    rebuild_exception,
    run_test_cell,
)
from grader.wire import WireError

CALL = {"result": 1, "seconds": 0.5, "changed": [], "views": []}


def refused(op: str, msg: object) -> str:
    with pytest.raises(WireError) as info:
        validate_reply(op, msg)
    return str(info.value)


# ----------------------------------------------------------------------------- the channels, raw


def test_every_channel_is_listed_with_an_existing_check():
    names = {c.name for c in boundary.CHANNELS}
    for wanted in ("hello", "run_cell reply", "lookup reply", "call reply", "stdout and stderr", "exit status"):
        assert wanted in names
    assert "files" in names and "Keras models" in names
    for channel in boundary.CHANNELS:
        assert not channel.check or callable(getattr(boundary, channel.check)), channel


def test_hello():
    assert validate_reply("hello", {"ready": True, "pid": 1}) == {"ready": True, "pid": 1}
    for bad in (
        {"ready": "yes", "pid": 1},
        {"ready": True},
        {"ready": True, "pid": "1"},
        {"ready": True, "pid": 1, "x": 0},
    ):
        refused("hello", bad)
    refused("hello", {"interrupted": True})


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"ok": True, "error": ""},
        {"ok": "true", "error": "", "seconds": 0.1},
        {"ok": True, "error": 3, "seconds": 0.1},
        {"ok": True, "error": "x" * (boundary.ERROR_LIMIT + 1), "seconds": 0.1},
        {"ok": True, "error": "", "seconds": 1},
        {"ok": True, "error": "", "seconds": -0.5},
        {"ok": True, "error": "", "seconds": float("nan")},
        {"ok": True, "error": "", "seconds": "0.1"},
        {"ok": True, "error": "", "seconds": 0.1, "exec": "import os"},
    ],
    ids=repr,
)
def test_run_cell_reply(bad):
    assert validate_reply("run_cell", {"ok": False, "error": "E\x1b[31m\x00", "seconds": 0.25}) == {
        "ok": False,
        "error": "E[31m",
        "seconds": 0.25,
    }
    refused("run_cell", bad)


def test_lookup_reply():
    assert validate_reply("lookup", {"kind": "missing"}) == {"kind": "missing"}
    assert validate_reply("lookup", {"kind": "callable"}) == {"kind": "callable"}
    assert validate_reply("lookup", {"kind": "value", "value": [1]}) == {"kind": "value", "value": [1]}
    assert validate_reply("lookup", {"kind": "unsendable", "error": "no"}) == {"kind": "unsendable", "error": "no"}
    for bad in (
        {"kind": "module"},
        {"kind": "value"},
        {"kind": "missing", "value": 1},
        {"kind": "unsendable", "error": 5},
        {"kind": ["value"]},
        {},
        "callable",
    ):
        refused("lookup", bad)


@pytest.mark.parametrize(
    "bad",
    [
        {"seconds": 0.5, "changed": [], "views": []},
        {**CALL, "raised": {"type": "ValueError", "mro": ["builtins.ValueError"], "message": ""}},
        {**CALL, "copy_back": True},
        {**CALL, "seconds": 1},
        {**CALL, "seconds": float("inf")},
        {**CALL, "changed": {"0": 1}},
        {**CALL, "changed": [{"path": [], "value": 1}]},
        {**CALL, "changed": [{"path": [0, 1, 2, 3, 4], "value": 1}]},
        {**CALL, "changed": [{"path": [-1], "value": 1}]},
        {**CALL, "changed": [{"path": [1.0], "value": 1}]},
        {**CALL, "changed": [{"path": [True], "value": 1}]},
        {**CALL, "changed": [{"path": [0]}]},
        {**CALL, "changed": [{"path": [0], "value": 1}] * (boundary.PATH_ENTRIES + 1)},
        {**CALL, "views": [{"result": [], "arg": []}]},
        {**CALL, "views": [{"result": [], "arg": [0], "offset": 8}]},
        {**CALL, "views": [{"result": "0", "arg": [0]}]},
        {"raised": {"type": "E", "mro": "builtins.E", "message": ""}, "seconds": 0.5, "changed": [], "views": []},
        {"raised": {"type": "E", "mro": [], "message": ""}, "seconds": 0.5, "changed": [], "views": []},
        {"raised": {"type": "E", "mro": ["x"] * 65, "message": ""}, "seconds": 0.5, "changed": [], "views": []},
        {"raised": {"type": "E", "mro": ["x"], "message": "m" * 4001}, "seconds": 0.5, "changed": [], "views": []},
        {"raised": {"type": "E", "mro": ["x"], "message": "", "args": []}, "seconds": 0.5, "changed": [], "views": []},
        {"unsendable": ["no"], "seconds": 0.5, "changed": [], "views": []},
        {"interrupted": False},
    ],
    ids=repr,
)
def test_call_reply(bad):
    clean = validate_reply(
        "call", {**CALL, "changed": [{"path": [0, "k"], "value": 2}], "views": [{"result": [1], "arg": ["x"]}]}
    )
    assert clean["outcome"] == "result" and clean["changed"] == [((0, "k"), 2)] and clean["views"] == [((1,), ("x",))]
    refused("call", bad)


def test_interrupted_reply():
    assert validate_reply("call", {"interrupted": True}) == {"interrupted": True}
    assert validate_reply("run_cell", {"interrupted": True}) == {"interrupted": True}
    refused("run_cell", {"interrupted": 1})
    refused("lookup", {"interrupted": True, "kind": "missing"})
    with pytest.raises(ValueError):
        validate_reply("ping", {"pong": True})


def test_stdout_and_stderr_are_inert_text():
    text = boundary.inert_text(b"ok \xff\xfe \x1b[2J\x07 caf\xc3\xa9\n\tend" + b"x" * 100, limit=30)
    assert text.startswith("ok \ufffd\ufffd [2J café\n\tendxxx") and len(text) == 30
    assert boundary.inert_text("lone \ud800 surrogate").encode("utf-8")


def test_exit_status_is_only_worded():
    assert boundary.exit_reason(-9) == "the sandbox was killed by signal 9"
    assert "code 3" in boundary.exit_reason(3)
    assert "code 999" in boundary.exit_reason(10**30)
    assert boundary.exit_reason("3") == boundary.exit_reason(None) == "the sandbox stopped answering"


def test_no_files_cross():
    files = next(c for c in boundary.CHANNELS if c.name == "files")
    assert files.carries.startswith("none") and files.check == ""


def test_the_agent_never_sends_a_frame_the_grader_refuses(monkeypatch):
    monkeypatch.setattr(wire, "REPLY_LIMITS", wire.Limits(header=64 * 1024, message=1024 * 1024, blobs=16))
    agent = fake_agent({"huge": lambda: np.zeros(200_000), "chatty": lambda: "x" * 100_000})
    for name in ("huge", "chatty"):
        message, blobs = agent.call(name, {"__tuple__": []}, {}, [])
        agent.outbox = io.BytesIO()
        agent.reply(message, blobs, seconds=message["seconds"])
        agent.outbox.seek(0)
        reply, _ = wire.receive(agent.outbox, limits=wire.REPLY_LIMITS)
        assert validate_reply("call", reply)["outcome"] == "unsendable" and "too large" in reply["unsendable"]


def test_the_agent_answers_only_its_three_ops():
    agent = fake_agent({})
    requests = io.BytesIO()
    for op in ("ping", "shell"):
        wire.send(requests, {"op": op})
    requests.seek(0)
    agent.inbox, agent.outbox = requests, io.BytesIO()
    agent.serve()  # until the end of the requests
    agent.outbox.seek(0)
    assert validate_reply("hello", wire.receive(agent.outbox)[0])["ready"]
    for op in ("ping", "shell"):
        assert wire.receive(agent.outbox)[0] == {"error": f"unknown op {op!r}"}


# ----------------------------------------------------------------------------- Keras model configurations (no TF)

POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
INPUT = {
    "module": "keras.layers",
    "class_name": "InputLayer",
    "config": {"batch_shape": [None, 8, 8, 1], "dtype": "float32", "sparse": False, "name": "input_layer"},
    "registered_name": None,
}


def layer(cls: str, module: str = "keras.layers", registered: object = None, **config: object) -> dict:
    body = {"name": cls.lower(), "trainable": True, "dtype": POLICY, **config}
    return {"module": module, "class_name": cls, "config": body, "registered_name": registered}


def sequential(*layers: dict, first: dict = INPUT) -> dict:
    body = {"name": "m", "trainable": True, "dtype": POLICY, "layers": [first, *layers]}
    return {"module": "keras", "class_name": "Sequential", "config": body, "registered_name": None}


DENSE = {"units": 3, "activation": "softmax", "use_bias": True}
CONV = {"filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "activation": "relu"}


def model_refused(config: dict) -> str:
    with pytest.raises(WireError) as info:
        boundary.check_model_config(config)
    return str(info.value)


def test_a_small_cnn_config_is_accepted_and_cleaned():
    config = sequential(
        layer("Conv2D", **CONV), layer("MaxPooling2D", pool_size=[2, 2]), layer("Flatten"), layer("Dense", **DENSE)
    )
    config["compile_config"] = {"optimizer": {"module": "keras.optimizers", "class_name": "Adam"}}
    config["config"]["layers"][1]["build_config"] = {"input_shape": [None, 10**6, 10**6, 1]}
    clean, params = boundary.check_model_config(config)
    assert params == 3 * 3 * 1 * 4 + 4 + 3 * 3 * 4 * 3 + 3
    assert "compile_config" not in clean and all("build_config" not in entry for entry in clean["config"]["layers"])


@pytest.mark.parametrize(
    "config",
    [
        sequential(layer("Lambda", function={"class_name": "__lambda__", "config": {"code": "..."}})),
        sequential(layer("TFSMLayer", filepath="/tmp/model", call_endpoint="serve")),
        sequential(layer("Dense", module="my_module", **DENSE)),
        sequential(layer("Dense", registered="Custom>Dense", **DENSE)),
        sequential(
            layer("Dense", **{**DENSE, "activation": {"module": "os", "class_name": "function", "config": "system"}})
        ),
        sequential(layer("Dense", **{**DENSE, "activation": "os.system"})),
        sequential(layer("Dense", **DENSE, kernel_initializer={"module": "evil", "class_name": "Init", "config": {}})),
        sequential(
            layer(
                "Dense",
                **DENSE,
                kernel_regularizer={"module": "keras.regularizers", "class_name": "L2", "registered_name": "x"},
            )
        ),
        sequential(layer("Dense", **{**DENSE, "units": boundary.MAX_UNITS + 1})),
        sequential(
            layer("Flatten"), layer("Dense", **{**DENSE, "units": 16384}), layer("Dense", **{**DENSE, "units": 400})
        ),
        sequential(layer("Conv2D", **{**CONV, "kernel_size": [99, 99]})),
        sequential(layer("Conv2D", **{**CONV, "filters": 10**6})),
        sequential(
            *[layer("Conv2D", **{**CONV, "filters": 256, "padding": "same"}) for _ in range(2)],
            first={**INPUT, "config": {**INPUT["config"], "batch_shape": [None, 128, 128, 3]}},
        ),
        sequential(*[layer("Dropout", rate=0.1) for _ in range(boundary.MAX_LAYERS)]),
        sequential(layer("Dense", **DENSE, quantization_config={"mode": "int8"})),
        sequential(layer("Dense", **DENSE), first=layer("Dense", **DENSE)),
        sequential(layer("Dense", **{**DENSE, "dtype": "object"})),
        sequential(first={**INPUT, "config": {**INPUT["config"], "batch_shape": [None, 10**5, 10**5, 3]}}),
        {**sequential(), "class_name": "MyModel", "module": "__main__"},
        {**sequential(layer("Dense", **DENSE)), "config": {**sequential()["config"], "exec": "x"}},
    ],
    ids=[
        "Lambda",
        "TFSMLayer",
        "custom module",
        "registered name outside keras",
        "activation function object",
        "activation by dotted name",
        "initializer from another module",
        "regularizer with a registered name",
        "oversized Dense units",
        "over the parameter limit",
        "kernel too large",
        "too many filters",
        "too much compute",
        "too many layers",
        "quantization",
        "no input",
        "object dtype",
        "huge input",
        "subclassed model",
        "unknown model setting",
    ],
)
def test_a_config_outside_the_allow_list_is_refused(config, request):
    message = model_refused(config)
    assert message.startswith("Keras model refused")
    if request.node.callspec.id == "too much compute":
        assert "multiply-adds" in message or "values per example" in message


# functional models: merges (Add, Concatenate, x + y) and the nodes that feed them

FUNCTIONAL_INPUT = {**INPUT, "name": "input_layer", "inbound_nodes": []}
SAME = {"filters": 1, "kernel_size": [3, 3], "padding": "same", "activation": "linear"}
PLUS = {"module": "keras.src.ops.numpy", "class_name": "Add", "config": {"name": "add"}, "registered_name": "Add"}


def tensor(source: str, shape: tuple = (8, 8, 1)) -> dict:
    config = {"shape": [None, *shape], "dtype": "float32", "keras_history": [source, 0, 0]}
    return {"class_name": "__keras_tensor__", "config": config}


def called(entry: dict, name: str, *args: object, **kwargs: object) -> dict:
    """``entry`` (a layer or operation) as a functional layer called once with ``args``."""
    return {**entry, "name": name, "inbound_nodes": [{"args": list(args), "kwargs": kwargs}]}


def functional(*entries: dict, inputs: object = ("input_layer", 0, 0), output: str | None = None) -> dict:
    body = {
        "name": "f",
        "trainable": True,
        "layers": [FUNCTIONAL_INPUT, *entries],
        "input_layers": list(inputs),
        "output_layers": [output or entries[-1]["name"], 0, 0],
    }
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": body,
        "registered_name": "Functional",
    }


CONV_IN = called(layer("Conv2D", **SAME), "conv", tensor("input_layer"))


def test_residual_merges_and_separable_convolutions_are_accepted_and_cleaned():
    added = called(layer("Add"), "add", [tensor("conv"), tensor("input_layer")])
    plus = called(PLUS, "plus", tensor("add"), tensor("conv"))
    joined = called(layer("Concatenate", axis=-1), "joined", [tensor("plus"), tensor("conv"), tensor("input_layer")])
    depthwise = called(
        layer("DepthwiseConv2D", kernel_size=[3, 3], depth_multiplier=2), "dw", tensor("joined", (8, 8, 3))
    )
    separable = called(
        layer("SeparableConv2D", filters=5, kernel_size=[3, 3], strides=[2, 2], padding="same"),
        "sep",
        tensor("dw", (6, 6, 6)),
    )
    clean, params = boundary.check_model_config(functional(CONV_IN, added, plus, joined, depthwise, separable))
    conv, depthwise_params, separable_params = 9 + 1, 9 * 3 * 2 + 6, 9 * 6 + 6 * 5 + 5
    assert params == conv + depthwise_params + separable_params
    entries = {entry["name"]: entry for entry in clean["config"]["layers"]}
    assert entries["add"]["inbound_nodes"][0]["args"] == [[tensor("conv"), tensor("input_layer")]]
    assert entries["plus"]["inbound_nodes"][0]["args"] == [tensor("add"), tensor("conv")]
    assert entries["plus"]["module"] == "keras.src.ops.numpy" and entries["plus"]["registered_name"] == "Add"
    two = functional(
        called(layer("Add"), "add", [tensor("input_layer"), tensor("second")]),
        inputs=[["input_layer", 0, 0], ["second", 0, 0]],
    )
    two["config"]["layers"].insert(1, {**FUNCTIONAL_INPUT, "name": "second"})
    clean, _ = boundary.check_model_config(two)
    assert clean["config"]["input_layers"] == [["input_layer", 0, 0], ["second", 0, 0]]


def merge_variants() -> dict[str, dict]:
    add = layer("Add")
    pair = [tensor("conv"), tensor("input_layer")]
    second_input = functional(called(add, "add", [tensor("input_layer"), tensor("second")]))
    second_input["config"]["layers"].insert(1, {**FUNCTIONAL_INPUT, "name": "second"})
    return {
        "Add of one tensor": functional(CONV_IN, called(add, "add", [tensor("conv")])),
        "Add of too many tensors": functional(CONV_IN, called(add, "add", pair * 5)),
        "Add without its list": functional(CONV_IN, called(add, "add", *pair)),
        "Add with a keyword": functional(CONV_IN, called(add, "add", pair, mask=None)),
        "Add of different shapes": functional(
            called(layer("Conv2D", **{**SAME, "filters": 2}), "conv", tensor("input_layer")), called(add, "add", pair)
        ),
        "Add of an unknown layer": functional(CONV_IN, called(add, "add", [tensor("conv"), tensor("elsewhere")])),
        "Add of a later node": functional(
            CONV_IN,
            called(
                add,
                "add",
                [
                    tensor("conv"),
                    {
                        **tensor("input_layer"),
                        "config": {**tensor("input_layer")["config"], "keras_history": ["input_layer", 1, 0]},
                    },
                ],
            ),
        ),
        "Add in a Sequential model": sequential(layer("Add")),
        "plus of three": functional(CONV_IN, called(PLUS, "plus", *pair, tensor("conv"))),
        "plus of a number": functional(CONV_IN, called(PLUS, "plus", tensor("conv"), 1.0)),
        "plus of a list": functional(CONV_IN, called(PLUS, "plus", pair)),
        "plus with a keyword": functional(CONV_IN, called(PLUS, "plus", *pair, training=False)),
        "plus unregistered": functional(CONV_IN, called({**PLUS, "registered_name": None}, "plus", *pair)),
        "plus with settings": functional(
            CONV_IN, called({**PLUS, "config": {"name": "add", "dtype": "float64"}}, "plus", *pair)
        ),
        "another operation": functional(
            CONV_IN, called({**PLUS, "class_name": "Einsum", "registered_name": "Einsum"}, "op", *pair)
        ),
        "an operation from another module": functional(
            CONV_IN, called({**PLUS, "module": "keras.src.ops.core"}, "op", *pair)
        ),
        "Concatenate along the batch": functional(CONV_IN, called(layer("Concatenate", axis=0), "joined", pair)),
        "Concatenate of mismatched sizes": functional(
            called(layer("Conv2D", **{**SAME, "padding": "valid"}), "conv", tensor("input_layer")),
            called(layer("Concatenate", axis=-1), "joined", pair),
        ),
        "an InputLayer that is not an input": second_input,
        "two outputs": {
            **functional(CONV_IN),
            "config": {**functional(CONV_IN)["config"], "output_layers": [["conv", 0, 0], ["input_layer", 0, 0]]},
        },
        "a conv called on two tensors": functional(called(layer("Conv2D", **SAME), "conv", *pair)),
    }


@pytest.mark.parametrize("name", list(merge_variants()))
def test_malformed_merges_and_operations_are_refused(name):
    assert model_refused(merge_variants()[name]).startswith("Keras model refused")


def test_weights_that_do_not_match_the_model_are_refused_before_keras_is_imported():
    config = json.dumps(sequential(layer("Flatten"), layer("Dense", **DENSE)))
    with pytest.raises(WireError, match="weight"):
        boundary.rebuild_model(config, [np.zeros((64, 3), np.float32)])  # the bias is missing
    with pytest.raises(WireError, match="weight"):
        boundary.rebuild_model(config, [np.zeros((64, 3), np.float32), np.zeros(3, np.float32)] * 2)


def test_keras_models_round_trip_from_the_allow_list_only():
    """The one test that imports TensorFlow: lesson 07's models cross; the rest is refused."""
    import keras
    from keras import layers

    def cross(model):
        blobs: list[bytes] = []
        return wire.decode(wire.encode(model, blobs), blobs)

    reference = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="reference_cnn",
    )
    reference.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    copy = cross(reference)
    assert copy is not reference and [type(a).__name__ for a in copy.layers] == [
        type(a).__name__ for a in reference.layers
    ]
    assert np.allclose(copy(x, training=False), reference(x, training=False), atol=1e-6)
    inputs = keras.Input(shape=(8, 8, 1))
    functional = keras.Model(inputs, layers.Dense(2)(layers.GlobalAveragePooling2D()(layers.Conv2D(3, 3)(inputs))))
    assert cross(functional).count_params() == functional.count_params()
    branch = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(inputs)
    merged = layers.Concatenate()([layers.SeparableConv2D(3, 3, padding="same")(branch), inputs + inputs])
    separable = keras.Model(inputs, merged)
    images = np.random.default_rng(2).random((2, 8, 8, 1)).astype(np.float32)
    assert np.allclose(cross(separable)(images), separable(images), atol=1e-6)

    for bad in (
        keras.Sequential([keras.Input((4,)), layers.Lambda(lambda t: t * 2)]),
        keras.Sequential([keras.Input((4,)), layers.Dense(3, activation=lambda t: t)]),
        keras.Sequential([keras.Input((1000,)), layers.Dense(6000)]),
    ):
        with pytest.raises(WireError, match="Keras model refused"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns that a lambda is unsafe to serialize: it is refused
            cross(bad)
    blobs: list[bytes] = []
    data = wire.encode(reference, blobs)
    order = data["__keras_model__"]["weights"]
    data["__keras_model__"]["weights"] = [order[1], order[0], *order[2:]]  # the same sizes, in the wrong places
    with pytest.raises(WireError, match="weights"):
        wire.decode(data, blobs)


# ----------------------------------------------------------------------------- the grader's side of a call


def fake_agent(functions: dict) -> Agent:
    """The real agent's request handling over a namespace of this file's functions (no IPython, no process)."""
    agent = Agent.__new__(Agent)
    agent.shell = SimpleNamespace(user_ns=dict(functions))
    agent.outbox = io.BytesIO()
    return agent


class InProcessSandbox:
    """The client's side of call and lookup, framed with grader.wire both ways, answered by the real agent code.

    ``delay`` (seconds per call of a name) stands for a slow student function; past ``timeout`` it is a
    SandboxTimeout, as from the real client.
    """

    def __init__(self, functions: dict, delay: dict[str, float] | None = None) -> None:
        self.agent = fake_agent(functions)
        self.delay = delay or {}
        self.timeouts: list[float] = []

    def _exchange(self, message: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        stream = io.BytesIO()
        wire.send(stream, message, blobs)
        stream.seek(0)
        request, request_blobs = wire.receive(stream, limits=wire.REQUEST_LIMITS)
        self.agent.outbox = io.BytesIO()
        if request["op"] == "call":
            reply, out_blobs = self.agent.call(request["name"], request["args"], request["kwargs"], request_blobs)
            self.agent.reply(reply, out_blobs, seconds=reply["seconds"])
        else:
            self.agent.reply(*self.agent.lookup(request["name"]))
        self.agent.outbox.seek(0)
        return wire.receive(self.agent.outbox)

    def call(self, name: str, args: tuple, kwargs: dict, timeout: float = 60.0) -> dict:
        self.timeouts.append(timeout)
        delay = self.delay.get(name, 0.0)
        time.sleep(min(delay, timeout))
        if delay > timeout:
            raise SandboxTimeout(f"no answer within {timeout:g} s")
        message, blobs = call_message(name, args, kwargs)
        reply, reply_blobs = self._exchange(message, blobs)
        reply["_blobs"] = reply_blobs
        return reply

    def lookup(self, name: str, timeout: float = 60.0) -> tuple[str, object]:
        self.timeouts.append(timeout)
        reply = validate_reply("lookup", self._exchange({"op": "lookup", "name": name}, [])[0])
        if reply["kind"] == "value":
            return "value", wire.decode(reply["value"], [])
        return reply["kind"], reply.get("error")


class RawSandbox:
    """Answers every call with the same raw reply: what a student's process could write instead of the agent."""

    def __init__(self, reply: object, blobs: list[bytes] = ()) -> None:
        self.reply, self.blobs = reply, list(blobs)

    def call(self, name: str, args: tuple, kwargs: dict, timeout: float = 60.0) -> object:
        return dict(self.reply, _blobs=list(self.blobs)) if isinstance(self.reply, dict) else self.reply


def remote(functions: dict, name: str, **delay: float) -> RemoteFunction:
    return RemoteFunction(InProcessSandbox(functions, delay), name, 10.0)


def scale_in_place(x):
    x *= 2
    return x


def test_an_in_place_change_is_recorded_not_copied_back_and_the_checks_catch_it():
    fn = remote({"scale_in_place": scale_in_place}, "scale_in_place")
    x = np.arange(3.0)
    with pytest.raises(CheckFailure, match="argument 1 was changed in place"):
        check_output(fn, [x], expected=np.arange(3.0) * 2, exercise="scale", case="ramp")
    assert x.tolist() == [0.0, 1.0, 2.0], "the grader's array must not change"
    assert fn.changed_arguments == (0,)
    assert (0,) in fn.last_call.changed, "the fact is kept; the sandbox's version of the array is not"
    with pytest.raises(CheckFailure, match="changed in place"):
        run_case(fn, [np.ones(2)], case="ones")


def draw(shape, rng):
    return rng.random(shape)


def test_a_generator_argument_is_never_advanced_in_the_grader():
    fn = remote({"draw": draw}, "draw")
    rng = np.random.default_rng(7)
    before = rng.bit_generator.state
    first, second = fn((3,), rng), fn((3,), rng)
    assert rng.bit_generator.state == before and np.array_equal(first, second)
    assert (1,) in fn.last_call.changed and fn.changed_arguments == ()  # a generator is not an array
    assert rng.bit_generator.state == before


def view(x):
    return x[1:3]


def copy(x):
    return x[1:3].copy()


def pick(images):
    return images[1], np.stack(images)


def test_views_are_facts_the_shares_memory_check_reads():
    x = np.arange(5.0)
    fn = remote({"view": view}, "view")
    got = fn(x)
    assert not np.shares_memory(got, x), "the grader never builds an array over its own buffer"
    assert shares_memory(got, x, fn) and not shares_memory(got, np.arange(5.0), fn)
    fn_copy = remote({"copy": copy}, "copy")
    assert not shares_memory(fn_copy(x), x, fn_copy)
    fn_pick = remote({"pick": pick}, "pick")
    images = [np.zeros((2, 2)), np.ones((2, 2))]
    first, stacked = fn_pick(images)
    assert shares_memory(first, images[1], fn_pick) and not shares_memory(first, images[0], fn_pick)
    assert not any(shares_memory(stacked, im, fn_pick) for im in images)
    assert shares_memory(x[1:], x) and not shares_memory(x.copy(), x)  # a plain function: NumPy decides


@pytest.mark.parametrize(
    ("reply", "blobs"),
    [
        ({**CALL, "copy_back": [0]}, []),
        ({**CALL, "seconds": 1}, []),
        ({**CALL, "changed": [{"path": [5], "value": 1}]}, []),
        ({**CALL, "views": [{"result": [], "arg": ["y"]}]}, []),
        ({**CALL, "changed": [{"path": [0], "value": {"__float__": [1]}}]}, []),
        ({"interrupted": True}, []),
        ({**CALL, "result": {"__ndarray__": 0}}, [b"\x93NUMPY\x01\x00\xff\xff"]),
        (["not", "a", "dict"], []),
    ],
    ids=repr,
)
def test_a_malformed_call_reply_is_the_students_error_never_a_value_error(reply, blobs):
    fn = RemoteFunction(RawSandbox(reply, blobs), "f", 10.0)
    with pytest.raises((StudentCodeError, TypeError)) as info:
        fn(np.zeros(2))
    assert not isinstance(info.value, ValueError), "check_raises(..., ValueError) must not accept a bad reply"


def test_a_result_the_grader_cannot_read_is_a_type_error():
    fn = RemoteFunction(RawSandbox({**CALL, "result": {"__tuple__": 5}}), "f", 10.0)
    with pytest.raises(TypeError, match="cannot read"):
        fn()
    assert RemoteFunction(RawSandbox({**CALL, "result": {"__float__": "2.5"}}), "f", 10.0)() == 2.5


def test_student_exceptions_are_builtin_classes_with_capped_messages():
    def raised(mro, message="boom"):
        reply = {"raised": {"type": "X", "mro": mro, "message": message}, "seconds": 0.1, "changed": [], "views": []}
        with pytest.raises(BaseException) as info:
            RemoteFunction(RawSandbox(reply), "f", 10.0)()
        return info.value

    err = raised(["__main__.Custom", "builtins.ValueError", "builtins.Exception"], "m" * 3000)
    assert type(err) is ValueError and len(str(err)) == 2000
    for mro in (["builtins.SystemExit"], ["builtins.KeyboardInterrupt"], ["posix.system"], ["builtins.print"]):
        assert type(raised(mro)) is RuntimeError, mro
    assert type(rebuild_exception({"type": "E", "mro": "nope", "message": 1})) is RuntimeError


def test_lookups_are_checked_and_kinds_the_grader_does_not_know_are_refused():
    class Lookups:
        def __init__(self, kind, value=None):
            self.kind, self.value = kind, value

        def lookup(self, name, timeout=60.0):
            return self.kind, self.value

    namespace = StudentNamespace({}, Lookups("module"), 5)
    with pytest.raises(StudentCodeError):
        namespace["anything"]
    namespace = StudentNamespace({}, Lookups("unsendable", "a\x00b"), 5)
    with pytest.raises(TypeError, match="cannot be read by the grader: ab"):
        namespace["model"]
    outcome = run_test_cell("value = missing_name", StudentNamespace({}, Lookups("missing"), 5), time.monotonic() + 5)
    assert not outcome.passed and outcome.reason.startswith("NameError")


# ----------------------------------------------------------------------------- one deadline per test cell


def slow(i):
    return i


def test_one_deadline_bounds_a_whole_test_cell():
    sandbox = InProcessSandbox({"slow": slow}, delay={"slow": 0.3})
    namespace = StudentNamespace({}, sandbox, cell_timeout=1.0)
    source = (
        "done = 0\nfor i in range(20):\n    try:\n        slow(i)\n        done += 1\n"
        "    except Exception as err:\n        last = err\n"
    )
    start = time.monotonic()
    outcome = run_test_cell(source, namespace, time.monotonic() + 1.0)
    elapsed = time.monotonic() - start
    assert outcome.passed and 0.9 <= elapsed < 1.5, elapsed
    assert namespace["done"] == 3 and "did not return within 1 s" in str(namespace["last"])
    calls = len(sandbox.timeouts)
    assert calls <= 5, f"once the deadline passed, calls must fail without asking the sandbox ({calls} asked)"
    assert all(t <= 1.0 for t in sandbox.timeouts)


def test_a_used_up_deadline_fails_at_once():
    sandbox = InProcessSandbox({"slow": slow})
    outcome = run_test_cell("slow(1)", StudentNamespace({}, sandbox, 60), time.monotonic() - 1)
    assert not outcome.passed and "did not return within" in outcome.reason and sandbox.timeouts == []


# ----------------------------------------------------------------------------- feedback without leaks


def leaky(x):
    if x[0] > 100:
        raise ValueError(f"the hidden input was {x!r}")
    return x + (0.37 if x[0] > 50 else 0.0)


HIDDEN_CELL = """print("visible part ran")
def case_t(x, label):
    return check_output(leaky, [x], expected=x, exercise="leaky", case=label, hint="return x unchanged")
case_t(np.arange(3.0), "a visible ramp")
### BEGIN HIDDEN TESTS
case_t(np.array([{value}, 4242.0]), "a hidden case")
### END HIDDEN TESTS
"""


def namespace_for(functions: dict) -> StudentNamespace:
    base = {"np": np, "check_output": check_output, "check_array": check_array}
    return StudentNamespace(base, InProcessSandbox(functions), 10)


def test_a_hidden_failure_shows_the_case_and_the_hint_never_the_values():
    outcome = run_test_cell(HIDDEN_CELL.format(value=31337.0), namespace_for({"leaky": leaky}), time.monotonic() + 10)
    assert isinstance(outcome, TestOutcome) and not outcome.passed
    assert outcome.reason.startswith("leaky: a hidden case") and "hint: return x unchanged" in outcome.reason
    for secret in ("31337", "4242", "hidden input", "ValueError", "array("):
        assert secret not in outcome.reason, secret
    assert "31337" in outcome.detail and outcome.output == ""


def test_a_hidden_failure_hides_hints_computed_from_the_values():
    outcome = run_test_cell(HIDDEN_CELL.format(value=60.0), namespace_for({"leaky": leaky}), time.monotonic() + 10)
    assert not outcome.passed and "0.37" not in outcome.reason and "0.37" in outcome.detail


def test_a_visible_failure_keeps_the_full_teaching_message():
    cell = 'print("before")\ncheck_output(leaky, [np.array([500.0])], expected=[500.0], exercise="leaky", case="big")\n'
    outcome = run_test_cell(cell, namespace_for({"leaky": leaky}), time.monotonic() + 10)
    assert not outcome.passed and "the hidden input was array([500.])" in outcome.reason
    assert outcome.detail == "" and outcome.output == "before\n"


def test_a_passing_cell_keeps_its_output():
    outcome = run_test_cell(HIDDEN_CELL.format(value=1.0), namespace_for({"leaky": leaky}), time.monotonic() + 10)
    assert outcome == TestOutcome(True, "", "visible part ran\n", "")


def test_a_hidden_time_out_still_says_did_not_return():
    sandbox = InProcessSandbox({"slow": slow}, delay={"slow": 5})
    cell = "x = 1\n### BEGIN HIDDEN TESTS\nslow(31337)\n### END HIDDEN TESTS\n"
    outcome = run_test_cell(cell, StudentNamespace({}, sandbox, 10), time.monotonic() + 0.2)
    assert not outcome.passed and "did not return within" in outcome.reason and "31337" not in outcome.reason


def test_a_hidden_crash_does_not_show_the_exit_code():
    class Dying:
        def call(self, *args, **kwargs):
            raise SandboxDied("the sandbox exited with code 137 (sys.exit, os._exit, or a crash)")

    cell = "### BEGIN HIDDEN TESTS\nf(1)\n### END HIDDEN TESTS\n"
    namespace = StudentNamespace({}, Dying(), 10)
    namespace["f"] = RemoteFunction(Dying(), "f", namespace)
    outcome = run_test_cell(cell, namespace, time.monotonic() + 5)
    assert "crashed" in outcome.reason and "137" not in outcome.reason and "137" in outcome.detail


# ----------------------------------------------------------------------------- keras.Input arguments (TensorFlow)


def residual(x, filters, stride=1):
    """A residual block as a lesson's student writes it: two 3×3 convolutions, a 1×1 projection, Add and x + y."""
    from keras import layers

    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.Conv2D(filters, 3, padding="same")(y)
    shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
    return layers.ReLU()(layers.Add()([y, shortcut]) + shortcut)


def joined(tensors, axis=-1):
    from keras import layers

    return layers.Concatenate(axis=axis)(list(tensors))


def returns(kind):
    def student(x):
        import keras

        if kind == "model":
            return keras.Model(x, keras.layers.Dense(2)(x))
        if kind == "layer":
            return keras.layers.Dense(2)
        if kind == "lambda":
            return keras.layers.Lambda(lambda t: t * 2)(x)
        if kind == "new input":
            return keras.layers.Dense(2)(keras.Input(shape=(3,)))
        return None

    return student


def test_a_keras_input_argument_comes_back_as_the_students_block_in_the_graders_graph():
    import keras

    fn = remote({"residual": residual}, "residual")
    inp_t = keras.Input(shape=(8, 6, 4))
    out_t = fn(inp_t, 8, stride=2)
    model_t = keras.Model(inp_t, out_t)
    assert tuple(out_t.shape) == (None, 4, 3, 8) and fn.changed_arguments == () and fn.last_call.changed == {}
    inp = keras.Input(shape=(8, 6, 4))
    reference = keras.Model(inp, residual(inp, 8, stride=2))
    assert [type(a).__name__ for a in model_t.layers] == [type(a).__name__ for a in reference.layers]
    assert model_t.count_params() == reference.count_params()
    reference.set_weights(model_t.get_weights())
    x = np.random.default_rng(1).random((3, 8, 6, 4)).astype(np.float32)
    assert np.allclose(model_t(x, training=False), reference(x, training=False), atol=1e-5)
    again = keras.Model(inp_t, fn(x=inp_t, filters=2))  # a keyword argument; a second call, a new block
    assert again.count_params() == keras.Model(inp, residual(inp, 2)).count_params()
    a, b = keras.Input(shape=(4, 4, 2)), keras.Input(shape=(4, 4, 3))
    both = keras.Model([a, b], remote({"joined": joined}, "joined")((a, b)))  # inside a tuple
    assert tuple(both.output.shape) == (None, 4, 4, 5)
    assert np.array_equal(both([np.ones((1, 4, 4, 2)), np.zeros((1, 4, 4, 3))])[0, 0, 0], [1, 1, 0, 0, 0])


@pytest.mark.parametrize(
    ("kind", "error", "words"),
    [
        ("none", TypeError, "returned NoneType, not a Keras tensor"),
        ("model", TypeError, "returned Functional, not a Keras tensor"),
        ("layer", TypeError, "returned Dense, not a Keras tensor"),
        ("lambda", TypeError, "Keras model refused: layer 'Lambda'"),
        ("new input", ValueError, "not computed from the keras.Input it was given"),
    ],
)
def test_a_function_given_a_keras_input_must_return_a_tensor_of_allowed_layers_built_on_it(kind, error, words):
    import keras

    with pytest.raises(error, match=words), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns that a lambda is unsafe to serialize: it is refused
        remote({"f": returns(kind)}, "f")(keras.Input(shape=(3,)))


def test_only_plain_float_keras_inputs_of_bounded_size_are_sent():
    import keras

    fn = remote({"residual": residual}, "residual")
    x = keras.Input(shape=(8, 8, 1))
    for argument, words in [
        (keras.layers.Conv2D(2, 3)(x), "only Keras tensors made by keras.Input"),
        (keras.Input(shape=(8, 8, 1), batch_size=2), "without a batch size"),
        (keras.Input(shape=(8, 8, 1), dtype="float64"), "must be float32"),
        (keras.Input(shape=(2000, 8, 1)), "known shape of 1 to 3 sizes"),
        (keras.Input(shape=(1024, 1024, 2)), "values in all"),
        (keras.Input(shape=(2, 2, 2, 2)), "known shape of 1 to 3 sizes"),
        ({1: x}, "only as an argument or inside lists"),  # a dict the wire cannot carry would hide it
    ]:
        with pytest.raises(TypeError, match="was called with a value the grader cannot send") as info:
            fn(argument, 2)
        assert words in str(info.value)
    with pytest.raises(TypeError, match="at most 8 keras.Input"):
        remote({"joined": joined}, "joined")([keras.Input(shape=(2,)) for _ in range(9)])


def test_keras_tensors_cross_only_where_they_belong():
    import keras

    blobs: list[bytes] = []
    spec = {"__keras_input__": {"shape": [4], "dtype": "float32"}}
    with pytest.raises(WireError, match="only sent to the sandbox"):
        wire.decode(spec, blobs)  # a reply may not make the grader create inputs
    for bad in ({"shape": [10**6], "dtype": "float32"}, {"shape": [4], "dtype": "int32"}, {"shape": [4]}):
        with pytest.raises(WireError):
            wire.decode({"__keras_input__": bad}, blobs, modules=True)
    model = {"__keras_output__": {"config": "{}", "weights": []}}
    with pytest.raises(WireError, match="whole result"):
        wire.decode([model], blobs)
    fn = RemoteFunction(RawSandbox({**CALL, "result": [model]}), "f", 10.0)
    with pytest.raises(TypeError, match="cannot read"):
        fn(1)
    with pytest.raises(WireError, match="only as an argument"):
        wire.encode(keras.Input(shape=(2,)), [])  # a lookup or a reply never sends one


def test_a_keras_output_for_a_call_without_keras_inputs_is_refused():
    import keras

    inp = keras.Input(shape=(2,))
    blobs: list[bytes] = []
    data = wire.encode_keras_output(keras.Model(inp, keras.layers.Dense(1)(inp)), blobs)
    fn = RemoteFunction(RawSandbox({**CALL, "result": data}, blobs), "f", 10.0)
    with pytest.raises(TypeError, match="returned a Keras tensor, not a Keras tensor of the keras.Input"):
        fn(np.ones(2))


def test_a_block_is_applied_only_to_inputs_of_its_own_shapes():
    import keras

    inp = keras.Input(shape=(4,))
    model = boundary.rebuild_model(keras.Model(inp, keras.layers.ReLU()(inp)).to_json(), [])
    with pytest.raises(WireError, match="shapes"):
        boundary.apply_model(model, [keras.Input(shape=(5,))])
    with pytest.raises(WireError, match="1 inputs, not the 2"):
        boundary.apply_model(model, [keras.Input(shape=(4,)), keras.Input(shape=(4,))])
    assert tuple(boundary.apply_model(model, [keras.Input(shape=(4,))]).shape) == (None, 4)
