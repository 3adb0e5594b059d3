"""Every channel across the sandbox boundary: what the grader accepts on it, and how it is made inert.

The student's code runs in a sandbox process (:mod:`grader.sandbox.agent`); the lesson's tests run in the
grader (:mod:`grader.trusted`). Every byte that comes back was written by the student's process, which may
have replaced the agent's code: the grader treats it as an attacker's. :data:`CHANNELS` lists each way
anything crosses, and the functions below check each reply's shape before any of it is used. They raise
:class:`~grader.wire.WireError` on anything unexpected (an unknown key, a wrong type, a string too long,
``seconds`` not a float) and return a new, plain dict: nothing of the reply is used unchecked.

Nothing from the sandbox acts in the grader's process: values are rebuilt as plain data (:mod:`grader.wire`),
in-place changes and shared memory are recorded as facts, never applied to the grader's objects, and a
Keras model is rebuilt only from the allow-list of standard layers in :func:`check_model_config`. A test may
call a student's function with ``keras.Input`` tensors: they cross as shapes, and the Keras tensor the function
returns comes back as a model from them (the same allow-list), whose layers :func:`apply_model` calls on the
grader's own tensors.

For the sandbox client: :func:`validate_reply` ``(op, message)`` checks a reply to ``"hello"`` (the
greeting), ``"run_cell"``, ``"lookup"`` or ``"call"``; :func:`inert_text` makes the student's stdout and
stderr bytes safe to store and show; :func:`exit_reason` words the sandbox's exit status.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.messages import MESSAGE_CAP
from grader.wire import PARSE_ERRORS, WireError, parse_json

#: The longest exception message the agent sends and the grader accepts is MESSAGE_CAP characters; the
#: longest "cannot be sent" reason and run_cell error (a type name and the message) this many.
ERROR_LIMIT = MESSAGE_CAP + 200
#: Longest exception type name and MRO entry, and the most MRO entries.
NAME_LIMIT = 300
MRO_LIMIT = 64
#: Argument paths (which argument, and where inside it): at most this deep, with at most this many entries.
PATH_DEPTH = 4
PATH_ENTRIES = 256
MAX_ARGUMENTS = 256
KEY_LIMIT = 200


@dataclass(frozen=True)
class Channel:
    """One way something crosses the sandbox boundary."""

    name: str
    direction: str
    carries: str
    accepted: str
    inert: str
    check: str = ""  #: the function of this module that validates it ("" when there is nothing to validate)


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "hello",
        "sandbox → grader",
        "the agent's greeting once it has started",
        "exactly {ready: true, pid: int}",
        "only compared with true; the pid is never used to signal (the grader finds the agent itself)",
        "check_hello",
    ),
    Channel(
        "run_cell request",
        "grader → sandbox",
        "{op: 'run_cell', source}: one of the student's own cells",
        "written by the grader",
        "-",
    ),
    Channel(
        "run_cell reply",
        "sandbox → grader",
        "whether the cell raised, its error line, how long it ran",
        "exactly {ok: bool, error: str (≤ ERROR_LIMIT), seconds: finite float ≥ 0}",
        "plain values; the error is text shown to the instructor, escaped wherever it is displayed",
        "check_run_cell_reply",
    ),
    Channel(
        "lookup request",
        "grader → sandbox",
        "{op: 'lookup', name}: a name a test cell reads from the student's notebook",
        "written by the grader",
        "-",
    ),
    Channel(
        "lookup reply",
        "sandbox → grader",
        "what the name is: missing, a function, a value, or a value that cannot be sent",
        "exactly {kind: 'missing'} | {kind: 'callable'} | {kind: 'value', value} | {kind: 'unsendable', error}",
        "a function becomes a RemoteFunction (calls go back to the sandbox); a value is decoded by grader.wire "
        "into plain data (numbers, strings, lists, numeric arrays, generators rebuilt from their state, Keras "
        "models rebuilt from the allow-list); nothing is imported or executed",
        "check_lookup_reply",
    ),
    Channel(
        "call request",
        "grader → sandbox",
        "{op: 'call', name, args, kwargs}: the test's arguments, encoded by grader.wire (lenient: what cannot "
        "cross goes as an opaque stand-in; a keras.Input goes as {shape, dtype: float32}, any other Keras tensor "
        "is refused)",
        "written by the grader",
        "-",
    ),
    Channel(
        "call reply",
        "sandbox → grader",
        "result, raised or unsendable; seconds; changed (arguments the function changed in place, with their "
        "new values); views (result parts that share memory with an argument)",
        "exactly one of {result} | {raised: {type, mro, message}} | {unsendable: str}, plus seconds (finite "
        "float ≥ 0), changed [{path, value}] and views [{result, arg}] (≤ PATH_ENTRIES each, paths ≤ "
        "PATH_DEPTH deep, rooted at an argument that was passed)",
        "result and changed values are decoded as plain data (for a call with keras.Input arguments, the result "
        "is the Keras tensor it returned, as the model from those inputs to it: rebuilt like any model, its "
        "layers are applied to the grader's own tensors by apply_model); a raised exception is rebuilt as a builtin "
        "exception class from its MRO with a capped message (grader.trusted.rebuild_exception); changed and "
        "views are recorded on the RemoteFunction as facts and never written into the grader's arrays or "
        "generators",
        "check_call_reply",
    ),
    Channel(
        "interrupted reply",
        "sandbox → grader",
        "{interrupted: true} after the grader's SIGINT at a deadline",
        "exactly {interrupted: true}",
        "becomes SandboxTimeout",
        "validate_reply",
    ),
    Channel(
        "stdout and stderr",
        "sandbox → grader",
        "what the student's code prints (two pipes)",
        "any bytes, capped while they stream (grader.sandbox.client.CappedStream)",
        "decoded as UTF-8 with replacement, control characters removed, capped; stored as text for the "
        "instructor and escaped in HTML; never parsed or executed",
        "inert_text",
    ),
    Channel(
        "exit status",
        "sandbox → grader",
        "the sandbox process's return code (the student may call os._exit with any value)",
        "an int or None",
        "only worded into a reason (exit_reason); a crash costs the running test cell, never the class",
        "exit_reason",
    ),
    Channel(
        "files",
        "either way",
        "none: the sandbox has its own temporary home, removed afterwards; the grader reads no file the "
        "student's code wrote",
        "nothing",
        "-",
    ),
    Channel(
        "Keras models",
        "sandbox → grader",
        "a model returned or looked up, or the Keras tensor a function returned for keras.Input arguments: its "
        "JSON configuration and its weights (npy blobs)",
        "Sequential or Functional models of standard keras.layers from LAYERS only (no Lambda, no TFSMLayer, no "
        "custom objects or modules, no registered names outside Keras) and x + y (OPERATIONS); in a functional "
        "model each layer called once on one earlier layer's output, Add and Concatenate on one list of 2 to "
        "MAX_MERGE_INPUTS such outputs of matching shapes, x + y on exactly two of the same shape, no other "
        "arguments, 1 to MAX_MODEL_INPUTS InputLayers and one output; activations by builtin name, bounded "
        "sizes (MAX_UNITS, MAX_FILTERS, MAX_KERNEL, MAX_LAYERS, MAX_PARAMS, MAX_ACTIVATIONS, MAX_MACS), weights "
        "whose number and shapes match the rebuilt model",
        "the configuration is re-written from the checked fields (build and compile settings dropped) and "
        "rebuilt with keras.saving.deserialize_keras_object(safe_mode=True); then the weights are set",
        "rebuild_model",
    ),
)


# ----------------------------------------------------------------------------- small validators


def _keys(msg: Any, required: set[str], optional: set[str] = frozenset(), what: str = "reply") -> dict:
    if type(msg) is not dict:
        raise WireError(f"the {what} is not an object")
    keys = set(msg)
    if not required <= keys:
        raise WireError(f"the {what} lacks {sorted(required - keys)}")
    extra = keys - required - set(optional)
    if extra:
        raise WireError(f"the {what} has unexpected keys {sorted(str(k)[:40] for k in extra)[:5]}")
    return msg


def _text(value: Any, what: str, limit: int) -> str:
    if type(value) is not str:
        raise WireError(f"{what} is not a string")
    if len(value) > limit:
        raise WireError(f"{what} is longer than {limit:,} characters")
    return inert_text(value, limit)


def _bool(value: Any, what: str) -> bool:
    if type(value) is not bool:
        raise WireError(f"{what} is not true or false")
    return value


def _seconds(value: Any) -> float:
    if type(value) is not float or not math.isfinite(value) or value < 0:
        raise WireError("seconds is not a finite float ≥ 0")
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def inert_text(data: bytes | bytearray | str, limit: int = MESSAGE_CAP) -> str:
    """Bytes or text from the sandbox as plain, writable text: UTF-8 (bad bytes and lone surrogates replaced),
    no control characters but newlines and tabs, at most ``limit`` characters."""
    text = bytes(data).decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else str(data)
    text = text[: limit * 2]
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("", text)[:limit]


def exit_reason(returncode: int | None) -> str:
    """The sandbox's exit status in words (the student chooses the code: it is only reported)."""
    if type(returncode) is not int:
        return "the sandbox stopped answering"
    if returncode < 0:
        return f"the sandbox was killed by signal {min(-returncode, 999)}"
    return f"the sandbox exited with code {min(returncode, 999)} (sys.exit, os._exit, or a crash)"


def check_exception_info(info: Any) -> dict:
    """``{type, mro, message}`` of a student's exception: names and a message, nothing else."""
    _keys(info, {"type", "mro", "message"}, what="exception")
    mro = info["mro"]
    if type(mro) is not list or not 1 <= len(mro) <= MRO_LIMIT:
        raise WireError("the exception's mro is not a list of 1 to 64 names")
    return {
        "type": _text(info["type"], "the exception type", NAME_LIMIT),
        "mro": [_text(name, "an mro entry", NAME_LIMIT) for name in mro],
        "message": _text(info["message"], "the exception message", MESSAGE_CAP),
    }


def _path(value: Any, what: str, *, root: bool) -> tuple:
    """A path into the arguments (``root``: starts at a position or a keyword name) or into the result."""
    if type(value) is not list or len(value) > PATH_DEPTH or (root and not value):
        raise WireError(f"{what} is not a list of at most {PATH_DEPTH} steps")
    for step in value:
        if type(step) is int:
            if not 0 <= step < 1_000_000:
                raise WireError(f"{what} has an index out of range")
        elif type(step) is str:
            _text(step, f"a key in {what}", KEY_LIMIT)
        else:
            raise WireError(f"{what} has a step that is neither an index nor a key")
    if root and type(value[0]) is int and value[0] >= MAX_ARGUMENTS:
        raise WireError(f"{what} names argument {value[0]}")
    return tuple(value)


def _entries(value: Any, what: str) -> list:
    if type(value) is not list or len(value) > PATH_ENTRIES:
        raise WireError(f"{what} is not a list of at most {PATH_ENTRIES} entries")
    return value


# ----------------------------------------------------------------------------- replies


def check_hello(msg: Any) -> dict:
    """The agent's greeting: ``{ready: true, pid: int}``."""
    _keys(msg, {"ready", "pid"}, what="greeting")
    if msg["ready"] is not True or type(msg["pid"]) is not int:
        raise WireError("the greeting is not {ready: true, pid: int}")
    return {"ready": True, "pid": msg["pid"]}


def check_run_cell_reply(msg: Any) -> dict:
    """``{ok: bool, error: str, seconds: float}``."""
    _keys(msg, {"ok", "error", "seconds"}, what="run_cell reply")
    return {
        "ok": _bool(msg["ok"], "ok"),
        "error": _text(msg["error"], "the cell's error", ERROR_LIMIT),
        "seconds": _seconds(msg["seconds"]),
    }


LOOKUP_KINDS = {"missing": set(), "callable": set(), "value": {"value"}, "unsendable": {"error"}}


def check_lookup_reply(msg: Any) -> dict:
    """``{kind: 'missing' | 'callable'}``, ``{kind: 'value', value}`` (the value still encoded) or
    ``{kind: 'unsendable', error}``."""
    if type(msg) is not dict or type(msg.get("kind")) is not str or msg["kind"] not in LOOKUP_KINDS:
        raise WireError("the lookup reply has no known kind")
    kind = msg["kind"]
    _keys(msg, {"kind"} | LOOKUP_KINDS[kind], what="lookup reply")
    clean: dict = {"kind": kind}
    if kind == "value":
        clean["value"] = msg["value"]
    if kind == "unsendable":
        clean["error"] = _text(msg["error"], "the reason", ERROR_LIMIT)
    return clean


CALL_OUTCOMES = ("result", "raised", "unsendable")


def check_call_reply(msg: Any) -> dict:
    """A reply to a call, as a new dict with every key present.

    Returns ``{outcome, result, raised, unsendable, seconds, changed, views}`` where ``outcome`` is
    ``"result"``, ``"raised"`` or ``"unsendable"``; ``result`` is still-encoded data (decode it with
    :func:`grader.wire.decode`), ``raised`` the checked exception info, ``changed`` a list of
    ``(argument path, encoded new value)`` and ``views`` a list of ``(result path, argument path)``.
    """
    if type(msg) is not dict:
        raise WireError("the call reply is not an object")
    outcomes = [k for k in CALL_OUTCOMES if k in msg]
    if len(outcomes) != 1:
        raise WireError("the call reply must hold exactly one of result, raised, unsendable")
    outcome = outcomes[0]
    _keys(msg, {outcome, "seconds", "changed", "views"}, what="call reply")
    changed = []
    for entry in _entries(msg["changed"], "changed"):
        _keys(entry, {"path", "value"}, what="changed entry")
        changed.append((_path(entry["path"], "a changed path", root=True), entry["value"]))
    views = []
    for entry in _entries(msg["views"], "views"):
        _keys(entry, {"result", "arg"}, what="views entry")
        views.append(
            (_path(entry["result"], "a result path", root=False), _path(entry["arg"], "a view's argument", root=True))
        )
    return {
        "outcome": outcome,
        "result": msg.get("result"),
        "raised": check_exception_info(msg["raised"]) if outcome == "raised" else None,
        "unsendable": _text(msg["unsendable"], "the reason", ERROR_LIMIT) if outcome == "unsendable" else "",
        "seconds": _seconds(msg["seconds"]),
        "changed": changed,
        "views": views,
    }


INTERRUPTED = {"interrupted": True}

_CHECKS = {
    "hello": check_hello,
    "run_cell": check_run_cell_reply,
    "lookup": check_lookup_reply,
    "call": check_call_reply,
}


def validate_reply(op: str, msg: Any) -> dict:
    """Check a reply to ``op`` ("hello", "run_cell", "lookup" or "call"); a clean copy, or WireError.

    ``{interrupted: true}`` (the agent's answer to the grader's SIGINT) is accepted for every op but the
    greeting and returned as it is: test ``reply == INTERRUPTED`` (or ``reply.get("interrupted")``) first.
    """
    if op not in _CHECKS:
        raise ValueError(f"unknown op {op!r}")
    try:
        if op != "hello" and type(msg) is dict and "interrupted" in msg:
            if len(msg) != 1 or msg["interrupted"] is not True:
                raise WireError("a malformed interrupted reply")
            return dict(INTERRUPTED)
        return _CHECKS[op](msg)
    except WireError:
        raise
    except PARSE_ERRORS as err:  # a shape no check foresaw: still only a malformed reply
        raise WireError(f"a malformed {op} reply ({type(err).__name__})") from None


# ----------------------------------------------------------------------------- Keras models

#: Layers a model may be built of (all from keras.layers), and what is checked about each.
LAYERS = {
    "InputLayer",
    "Conv2D",
    "Dense",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
    "Flatten",
    "Dropout",
    "SpatialDropout2D",
    "BatchNormalization",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "Softmax",
    "Rescaling",
    "ZeroPadding2D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "Add",
    "Concatenate",
    "RandomTranslation",
    "RandomRotation",
    "RandomFlip",
    "RandomZoom",
    "RandomContrast",
}
#: Layers that merge a list of tensors (functional models only): ``layer([a, b, …])``.
MERGE_LAYERS = {"Add", "Concatenate"}
#: Functional operations a model may hold besides layers, as Keras serializes them: (module, class name) →
#: registered name. ``x + y`` of two Keras tensors is ``keras.src.ops.numpy.Add``.
OPERATIONS = {("keras.src.ops.numpy", "Add"): "Add"}
#: Tensors one merge layer may take, and inputs (keras.Input) one functional model may have.
MAX_MERGE_INPUTS = 8
MAX_MODEL_INPUTS = 8
#: Activations, by the builtin names Keras serializes them with.
ACTIVATIONS = {
    "linear",
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "softplus",
    "softsign",
    "exponential",
    "mish",
}
#: float32 only: a wider type would double what a student's model may make the grader hold
DTYPES = {"float32"}
#: Serialized objects (module, class name) allowed inside a layer's configuration, with registered_name None.
OBJECTS = {
    ("keras", "DTypePolicy"),
    *(
        ("keras.initializers", name)
        for name in (
            "Constant",
            "GlorotNormal",
            "GlorotUniform",
            "HeNormal",
            "HeUniform",
            "LecunNormal",
            "LecunUniform",
            "Ones",
            "RandomNormal",
            "RandomUniform",
            "TruncatedNormal",
            "VarianceScaling",
            "Zeros",
        )
    ),
    *(("keras.regularizers", name) for name in ("L1", "L2", "L1L2")),
    *(("keras.constraints", name) for name in ("MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm")),
}
#: Settings that must be absent or null (they add weights or code the allow-list does not cover).
MUST_BE_NULL = {"quantization_config", "lora_rank", "lora_alpha", "input_tensor", "noise_shape", "renorm_clipping"}
#: Settings that must be absent or false.
MUST_BE_FALSE = {"sparse", "ragged", "optional", "synchronized", "renorm"}

MAX_CONFIG_CHARS = 512 * 1024
MAX_CONFIG_DEPTH = 16
MAX_LAYERS = 64
MAX_UNITS = 16384
MAX_FILTERS = 2048
MAX_KERNEL = 15
MAX_STRIDE = 15
MAX_DILATION = 8
MAX_PADDING = 64
MAX_INPUT_DIM = 1024
MAX_INPUT_VALUES = 1_048_576
#: Values one layer outputs for one example (a bound on the memory a forward pass takes in the grader).
MAX_ACTIVATIONS = 262_144  # values per example per layer: × a batch of 500 in float32, at most 0.5 GB
MAX_PARAMS = 5_000_000
#: Multiply-adds of one forward pass for one example (the tests run the model in the grader's own process;
#: lesson 07's Mini-VGG needs about 27 million, its improved CNN about 8 million).
MAX_MACS = 500_000_000
MAX_LIST = 64
MAX_STRING = 256


def _fail(message: str) -> WireError:
    return WireError(f"Keras model refused: {message}")


def _plain(value: Any, key: str, depth: int) -> Any:
    """A clean copy of a configuration value: JSON scalars, short lists, dicts, and allow-listed objects."""
    if depth > MAX_CONFIG_DEPTH:
        raise _fail("the configuration is nested too deeply")
    if key in MUST_BE_NULL and value is not None:
        raise _fail(f"{key} must be null")
    if key in MUST_BE_FALSE and value is not False:
        raise _fail(f"{key} must be false")
    if key == "activation":
        if value is not None and (type(value) is not str or value not in ACTIVATIONS):
            raise _fail(f"activation {str(value)[:60]!r} is not a builtin activation name")
        return value
    if key == "dtype" and type(value) is not dict:
        if value is not None and (type(value) is not str or value not in DTYPES):
            raise _fail(f"dtype {str(value)[:40]!r} is not allowed")
        return value
    if value is None or type(value) is bool:
        return value
    if type(value) is int:
        if abs(value) > 2**53:
            raise _fail(f"{key} is too large")
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise _fail(f"{key} is not finite")
        return value
    if type(value) is str:
        if len(value) > MAX_STRING:
            raise _fail(f"{key} is a string too long")
        return value
    if type(value) is list:
        if len(value) > MAX_LIST:
            raise _fail(f"{key} is a list too long")
        return [_plain(v, key, depth + 1) for v in value]
    if type(value) is dict:
        if {"class_name", "module", "registered_name"} & set(value):
            return _object(value, key, depth)
        if len(value) > MAX_LIST:
            raise _fail(f"{key} has too many settings")
        return {k: _plain(v, k, depth + 1) for k, v in value.items() if _key(k)}
    raise _fail(f"{key} has an unexpected value")


def _key(key: Any) -> bool:
    if type(key) is not str or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", key):
        raise _fail(f"a setting named {str(key)[:40]!r}")
    return True


def _object(value: dict, key: str, depth: int) -> dict:
    if not set(value) <= {"module", "class_name", "config", "registered_name"}:
        raise _fail(f"{key} is an object with unexpected fields")
    module, name = value.get("module"), value.get("class_name")
    if (module, name) not in OBJECTS or value.get("registered_name") is not None:
        raise _fail(f"{key} is a {str(module)[:60]}.{str(name)[:60]}, not an allowed Keras object")
    config = value.get("config", {})
    if type(config) is not dict:
        raise _fail(f"{key} has a configuration that is not an object")
    clean = {k: _plain(v, k, depth + 1) for k, v in config.items() if _key(k)}
    if name == "DTypePolicy" and (set(clean) != {"name"} or clean["name"] not in DTYPES):
        raise _fail("a dtype policy that is not a plain float policy")
    return {"module": module, "class_name": name, "config": clean, "registered_name": None}


def _int(config: dict, key: str, low: int, high: int, default: Any = ...) -> int:
    value = config.get(key, default)
    if value is ...:
        raise _fail(f"{key} is missing")
    if type(value) is not int or not low <= value <= high:
        raise _fail(f"{key}={str(value)[:40]} is outside {low}..{high}")
    return value


def _pair(config: dict, key: str, low: int, high: int, default: Any = ...) -> tuple[int, int]:
    value = config.get(key, default)
    if value is ...:
        raise _fail(f"{key} is missing")
    if type(value) is int:
        value = [value, value]
    if type(value) is not list or len(value) != 2 or not all(type(v) is int and low <= v <= high for v in value):
        raise _fail(f"{key}={str(value)[:40]} is not two integers in {low}..{high}")
    return value[0], value[1]


def _choice(config: dict, key: str, allowed: set, default: Any = None) -> Any:
    value = config.get(key, default)
    if value not in allowed:
        raise _fail(f"{key}={str(value)[:40]!r} is not one of {sorted(map(str, allowed))}")
    return value


def _image(shape: tuple, layer: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise _fail(f"{layer} needs images (H, W, C), got shape {shape}")
    return shape


def _window(n: int, size: int, stride: int, padding: str, dilation: int = 1) -> int:
    span = (size - 1) * dilation + 1
    out = -(-n // stride) if padding == "same" else (n - span) // stride + 1
    if out < 1:
        raise _fail("a window larger than its input")
    return out


def _layer_shape(name: str, config: dict, shape: tuple) -> tuple[tuple, int]:
    """(output shape without the batch axis, number of weights) of one allow-listed layer."""
    data_format = {"channels_last", None}
    if name in ("Conv2D",):
        h, w, c = _image(shape, name)
        filters = _int(config, "filters", 1, MAX_FILTERS)
        kh, kw = _pair(config, "kernel_size", 1, MAX_KERNEL)
        sh, sw = _pair(config, "strides", 1, MAX_STRIDE, 1)
        dh, dw = _pair(config, "dilation_rate", 1, MAX_DILATION, 1)
        groups = _int(config, "groups", 1, MAX_FILTERS, 1)
        padding = _choice(config, "padding", {"valid", "same"}, "valid")
        _choice(config, "data_format", data_format)
        use_bias = _bool(config.get("use_bias", True), "use_bias")
        if c % groups or filters % groups:
            raise _fail("groups must divide the channels and the filters")
        out = (_window(h, kh, sh, padding, dh), _window(w, kw, sw, padding, dw), filters)
        return out, kh * kw * (c // groups) * filters + (filters if use_bias else 0)
    if name in ("DepthwiseConv2D", "SeparableConv2D"):
        h, w, c = _image(shape, name)
        multiplier = _int(config, "depth_multiplier", 1, MAX_FILTERS, 1)
        filters = c * multiplier if name == "DepthwiseConv2D" else _int(config, "filters", 1, MAX_FILTERS)
        if c * multiplier > MAX_FILTERS:
            raise _fail(f"{name} makes more than {MAX_FILTERS} channels")
        kh, kw = _pair(config, "kernel_size", 1, MAX_KERNEL)
        sh, sw = _pair(config, "strides", 1, MAX_STRIDE, 1)
        dh, dw = _pair(config, "dilation_rate", 1, MAX_DILATION, 1)
        padding = _choice(config, "padding", {"valid", "same"}, "valid")
        _choice(config, "data_format", data_format)
        use_bias = _bool(config.get("use_bias", True), "use_bias")
        out = (_window(h, kh, sh, padding, dh), _window(w, kw, sw, padding, dw), filters)
        pointwise = 0 if name == "DepthwiseConv2D" else c * multiplier * filters
        return out, kh * kw * c * multiplier + pointwise + (filters if use_bias else 0)
    if name == "Dense":
        if not shape:
            raise _fail("Dense needs an input with a last axis")
        units = _int(config, "units", 1, MAX_UNITS)
        use_bias = _bool(config.get("use_bias", True), "use_bias")
        return (*shape[:-1], units), shape[-1] * units + (units if use_bias else 0)
    if name in ("MaxPooling2D", "AveragePooling2D"):
        h, w, c = _image(shape, name)
        ph, pw = _pair(config, "pool_size", 1, MAX_KERNEL, 2)
        strides = config.get("strides")
        sh, sw = (ph, pw) if strides is None else _pair(config, "strides", 1, MAX_STRIDE)
        padding = _choice(config, "padding", {"valid", "same"}, "valid")
        _choice(config, "data_format", data_format)
        return (_window(h, ph, sh, padding), _window(w, pw, sw, padding), c), 0
    if name in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        h, w, c = _image(shape, name)
        _choice(config, "data_format", data_format)
        return ((1, 1, c) if _bool(config.get("keepdims", False), "keepdims") else (c,)), 0
    if name == "Flatten":
        _choice(config, "data_format", data_format)
        return (math.prod(shape),), 0
    if name == "ZeroPadding2D":
        h, w, c = _image(shape, name)
        padding = config.get("padding", [[1, 1], [1, 1]])
        if type(padding) is int:
            padding = [[padding, padding], [padding, padding]]
        if (
            type(padding) is not list
            or len(padding) != 2
            or not all(type(p) is list and len(p) == 2 for p in padding)
            or not all(type(v) is int and 0 <= v <= MAX_PADDING for p in padding for v in p)
        ):
            raise _fail("ZeroPadding2D padding must be ((top, bottom), (left, right)) of small integers")
        _choice(config, "data_format", data_format)
        return (h + sum(padding[0]), w + sum(padding[1]), c), 0
    if name == "BatchNormalization":
        if not shape:
            raise _fail("BatchNormalization needs an input with a last axis")
        if config.get("axis", -1) not in (-1, len(shape)):
            raise _fail("BatchNormalization must normalize the last axis")
        center = _bool(config.get("center", True), "center")
        scale = _bool(config.get("scale", True), "scale")
        return shape, shape[-1] * (2 + center + scale)
    if name in ("Dropout", "SpatialDropout2D"):
        rate = config.get("rate")
        if type(rate) not in (int, float) or not 0 <= rate < 1:
            raise _fail("a dropout rate must be a number in [0, 1)")
        if name == "SpatialDropout2D":
            _image(shape, name)
        return shape, 0
    if name == "Softmax":
        if config.get("axis", -1) != -1:
            raise _fail("Softmax must work on the last axis")
        return shape, 0
    if name in ("Activation", "ReLU", "LeakyReLU", "Rescaling"):
        if name == "Rescaling" and not all(type(config.get(k, 0.0)) in (int, float) for k in ("scale", "offset")):
            raise _fail("Rescaling takes one number for scale and one for offset")
        return shape, 0
    if name.startswith("Random"):
        _image(shape, name)
        _choice(config, "data_format", data_format)
        for key in ("fill_mode",):
            if key in config:
                _choice(config, key, {"reflect", "wrap", "constant", "nearest"})
        if "interpolation" in config:
            _choice(config, "interpolation", {"nearest", "bilinear"})
        return shape, 0
    raise _fail(f"layer {name} is not allowed")


def _merge_shape(name: str, config: dict, shapes: list[tuple]) -> tuple:
    """The output shape (without the batch axis) of Add, Concatenate or ``x + y`` of tensors of ``shapes``."""
    if name != "Concatenate":
        if any(shape != shapes[0] for shape in shapes):
            raise _fail(f"{name} of tensors of different shapes {[list(s) for s in shapes][:4]}")
        return shapes[0]
    rank = len(shapes[0])
    axis = config.get("axis", -1)
    if type(axis) is not int or not -rank <= axis <= rank or axis == 0:
        raise _fail("Concatenate must join along an axis other than the batch")
    axis = (axis + rank + 1 if axis < 0 else axis) - 1  # an index into the shape without the batch axis
    if any(len(s) != rank or s[:axis] + s[axis + 1 :] != shapes[0][:axis] + shapes[0][axis + 1 :] for s in shapes):
        raise _fail(f"Concatenate of tensors whose shapes differ off its axis {[list(s) for s in shapes][:4]}")
    return (*shapes[0][:axis], sum(s[axis] for s in shapes), *shapes[0][axis + 1 :])


def _input_shape(config: dict) -> tuple:
    batch_shape = config.get("batch_shape", config.get("batch_input_shape"))
    return _batch_shape(batch_shape, "the input")


def _batch_shape(batch_shape: Any, what: str) -> tuple:
    if (
        type(batch_shape) is not list
        or not 2 <= len(batch_shape) <= 4
        or batch_shape[0] is not None
        or not all(type(n) is int and 1 <= n <= MAX_INPUT_DIM for n in batch_shape[1:])
    ):
        raise _fail(f"{what} must have a known shape [None, …] of 1 to 3 sizes, each 1..{MAX_INPUT_DIM}")
    shape = tuple(batch_shape[1:])
    if math.prod(shape) > MAX_INPUT_VALUES:
        raise _fail(f"{what} is too large")
    return shape


@dataclass
class _Walk:
    layers: int = 0
    params: int = 0
    macs: int = 0


def _layer(entry: Any, shape: tuple | list | None, walk: _Walk, functional: bool) -> tuple[dict, tuple]:
    """A clean copy of one layer entry and its output shape (``shape`` is its input's, None for an InputLayer,
    the list of its inputs' shapes for a merge)."""
    allowed = {"module", "class_name", "config", "registered_name", "build_config"}
    if functional:
        allowed |= {"name", "inbound_nodes"}
    if type(entry) is not dict or not set(entry) <= allowed:
        raise _fail("a layer entry with unexpected fields")
    name, module, registered = entry.get("class_name"), entry.get("module"), entry.get("registered_name")
    operation = _form(entry) == "pair"
    merge = operation or name in MERGE_LAYERS
    if merge and not functional:
        raise _fail(f"{name} merges tensors: it needs a functional model (keras.Model(inputs, outputs))")
    config = entry.get("config")
    if type(config) is not dict:
        raise _fail(f"{name} has no configuration")
    if operation and set(config) != {"name"}:
        raise _fail(f"operation {name} with unexpected settings")
    walk.layers += 1
    if walk.layers > MAX_LAYERS:
        raise _fail(f"more than {MAX_LAYERS} layers")
    clean = {k: _plain(v, k, 1) for k, v in config.items() if _key(k)}
    if name == "InputLayer":
        if shape is not None:
            raise _fail("an InputLayer after the first layer")
        out = _input_shape(clean)
    else:
        if shape is None:
            raise _fail(f"{name} has no input shape: start the model with keras.Input(shape=...)")
        if merge:
            out, params = _merge_shape(name, clean, shape), 0
            walk.macs += math.prod(out) * len(shape)
        else:
            out, params = _layer_shape(name, clean, shape)
            # a weight is used once per output position (Conv2D, Dense), and every layer touches its output
            walk.macs += math.prod(out[:-1]) * params + math.prod(out)
        walk.params += params
        if walk.params > MAX_PARAMS:
            raise _fail(f"more than {MAX_PARAMS:,} parameters")
        if walk.macs > MAX_MACS:
            raise _fail(f"more than {MAX_MACS:,} multiply-adds for one example")
    if math.prod(out) > MAX_ACTIVATIONS:
        raise _fail(f"{name} outputs {math.prod(out):,} values per example, over {MAX_ACTIVATIONS:,}")
    return {"module": module, "class_name": name, "config": clean, "registered_name": registered}, out


def _form(entry: dict) -> str:
    """How a functional layer entry takes its inputs (see :func:`_node_sources`), once it is known to be a
    standard keras.layers layer of LAYERS or an operation of OPERATIONS."""
    name, module, registered = entry.get("class_name"), entry.get("module"), entry.get("registered_name")
    if type(name) is str and type(module) is str and (module, name) in OPERATIONS:
        if registered != OPERATIONS[(module, name)]:
            raise _fail(f"operation {name} with an unexpected registered name")
        return "pair"
    if module != "keras.layers" or registered is not None:
        raise _fail(f"layer {str(name)[:60]!r} is not a standard keras.layers layer or an allowed operation")
    if type(name) is not str or name not in LAYERS:
        raise _fail(f"layer {str(name)[:60]!r} is not one of the allowed layers ({', '.join(sorted(LAYERS))})")
    return "list" if name in MERGE_LAYERS else "single"


def _node_sources(node: Any, known: dict[str, tuple], form: str) -> list[str]:
    """The names of the layers whose outputs feed a functional node, in order.

    ``form`` is what Keras writes for the layer: ``"single"`` ``layer(x)`` (args [x], kwargs only training or
    mask), ``"list"`` a merge layer ``layer([a, b, …])`` (args [[a, b, …]], 2 to MAX_MERGE_INPUTS tensors, no
    kwargs) or ``"pair"`` an operation ``a + b`` (args [a, b], no kwargs).
    """
    if type(node) is not dict or set(node) != {"args", "kwargs"}:
        raise _fail("a functional node with unexpected fields")
    args, kwargs = node["args"], node["kwargs"]
    allowed_kwargs = {"training", "mask"} if form == "single" else set()
    if type(kwargs) is not dict or not all(
        k in allowed_kwargs and (v is None or type(v) is bool) for k, v in kwargs.items()
    ):
        raise _fail("a functional node with unexpected arguments")
    if type(args) is not list:
        raise _fail("a functional node whose arguments are not a list")
    if form == "single":
        if len(args) != 1:
            raise _fail("a functional layer must take exactly one input (merge with Add or Concatenate)")
        tensors = args
    elif form == "list":
        if len(args) != 1 or type(args[0]) is not list or not 2 <= len(args[0]) <= MAX_MERGE_INPUTS:
            raise _fail(f"a merge layer must take one list of 2 to {MAX_MERGE_INPUTS} tensors")
        tensors = args[0]
    else:
        if len(args) != 2:
            raise _fail("x + y must add exactly two Keras tensors")
        tensors = args
    return [_tensor_source(tensor, known) for tensor in tensors]


def _tensor_source(tensor: Any, known: dict[str, tuple]) -> str:
    """The name of the earlier layer whose (only) output ``tensor`` is."""
    if (
        type(tensor) is not dict
        or tensor.get("class_name") != "__keras_tensor__"
        or set(tensor) != {"class_name", "config"}
    ):
        raise _fail("a functional input that is not a Keras tensor")
    config = tensor["config"]
    if type(config) is not dict or not {"keras_history"} <= set(config) <= {"shape", "dtype", "keras_history"}:
        raise _fail("a Keras tensor with unexpected fields")
    history = config["keras_history"]
    if type(history) is not list or len(history) != 3 or history[1:] != [0, 0] or history[0] not in known:
        raise _fail("a functional input that is not the output of an earlier layer")
    if config.get("dtype", "float32") not in DTYPES:
        raise _fail("a Keras tensor of an unexpected dtype")
    return history[0]


def _tensor_config(source: str, known: dict[str, tuple]) -> dict:
    tensor = {"shape": [None, *known[source]], "dtype": "float32", "keras_history": [source, 0, 0]}
    return {"class_name": "__keras_tensor__", "config": tensor}


def _references(value: Any, known: dict[str, tuple], what: str, most: int) -> list[str]:
    """The layers named by a model's input_layers or output_layers: ``[name, 0, 0]`` or a list of them."""
    if type(value) is list and len(value) == 3 and type(value[0]) is str:
        value = [value]
    if type(value) is not list or not 1 <= len(value) <= most:
        raise _fail(f"the model must have {'exactly one' if most == 1 else f'1 to {most}'} {what} layer(s)")
    names = []
    for reference in value:
        if type(reference) is not list or len(reference) != 3 or reference[1:] != [0, 0] or reference[0] not in known:
            raise _fail(f"the model's {what} layers must be among its layers")
        names.append(reference[0])
    if len(set(names)) != len(names):
        raise _fail(f"the model names one {what} layer twice")
    return names


def check_model_config(config: Any) -> tuple[dict, int]:
    """A clean copy of a Keras model's configuration (the allow-list above), and its number of weights (values).

    Only the checked fields are copied; build and compile settings are dropped (the model is built from its
    InputLayer). Nothing is imported: this runs before Keras sees any of it.
    """
    try:
        return _check_model_config(config)
    except WireError:
        raise
    except PARSE_ERRORS as err:
        raise _fail(f"a malformed configuration ({type(err).__name__})") from None


def _check_model_config(config: Any) -> tuple[dict, int]:
    if type(config) is not dict or not {"module", "class_name", "config"} <= set(config):
        raise _fail("not a serialized Keras model")
    if not set(config) <= {"module", "class_name", "config", "registered_name", "build_config", "compile_config"}:
        raise _fail("a model with unexpected fields")
    kind = (config.get("module"), config.get("class_name"), config.get("registered_name"))
    body = config["config"]
    if type(body) is not dict or type(body.get("layers")) is not list:
        raise _fail("a model without a list of layers")
    walk = _Walk()
    if kind == ("keras", "Sequential", None):
        top = {k: _plain(v, k, 1) for k, v in body.items() if _key(k) and k in {"name", "trainable", "dtype"}}
        extra = set(body) - {"name", "trainable", "dtype", "layers", "build_input_shape"}
        if extra:
            raise _fail(f"a Sequential model with unexpected settings {sorted(extra)[:5]}")
        entries = body["layers"]
        shape = None
        if not (entries and type(entries[0]) is dict and entries[0].get("class_name") == "InputLayer"):
            shape = _batch_shape(body.get("build_input_shape"), "a Sequential model without keras.Input")
            top["build_input_shape"] = [None, *shape]
        layers = []
        for entry in entries:
            clean, shape = _layer(entry, shape, walk, functional=False)
            layers.append(clean)
        if not layers or shape is None:
            raise _fail("a model without layers")
        top["layers"] = layers
        return {"module": "keras", "class_name": "Sequential", "config": top, "registered_name": None}, walk.params
    if kind == ("keras.src.models.functional", "Functional", "Functional"):
        extra = set(body) - {"name", "trainable", "layers", "input_layers", "output_layers"}
        if extra:
            raise _fail(f"a functional model with unexpected settings {sorted(extra)[:5]}")
        top = {k: _plain(v, k, 1) for k, v in body.items() if _key(k) and k in {"name", "trainable"}}
        known: dict[str, tuple] = {}
        layers = []
        for entry in body["layers"]:
            if type(entry) is not dict or type(entry.get("name")) is not str or entry["name"] in known:
                raise _fail("functional layers need distinct names")
            _text(entry["name"], "a layer name", MAX_STRING)
            nodes = entry.get("inbound_nodes")
            if entry.get("class_name") == "InputLayer":
                if nodes != []:
                    raise _fail("an InputLayer with inputs")
                clean, out = _layer(entry, None, walk, functional=True)
                clean["inbound_nodes"] = []
            else:
                if type(nodes) is not list or len(nodes) != 1:
                    raise _fail("each functional layer must be called exactly once")
                form = _form(entry)
                sources = _node_sources(nodes[0], known, form)
                shapes = [known[source] for source in sources]
                clean, out = _layer(entry, shapes[0] if form == "single" else shapes, walk, functional=True)
                tensors = [_tensor_config(source, known) for source in sources]
                clean["inbound_nodes"] = [{"args": [tensors] if form == "list" else tensors, "kwargs": {}}]
            clean["name"] = entry["name"]
            known[entry["name"]] = out
            layers.append(clean)
        firsts = _references(body.get("input_layers"), known, "input", MAX_MODEL_INPUTS)
        (last,) = _references(body.get("output_layers"), known, "output", 1)
        inputs = {e["name"] for e in layers if e["class_name"] == "InputLayer"}
        if set(firsts) != inputs:
            raise _fail("the functional model's inputs must be exactly its InputLayers")
        references = [[first, 0, 0] for first in firsts]
        top.update(
            layers=layers, input_layers=references[0] if len(firsts) == 1 else references, output_layers=[last, 0, 0]
        )
        clean_model = {"module": kind[0], "class_name": "Functional", "config": top, "registered_name": "Functional"}
        return clean_model, walk.params
    raise _fail(f"a {str(kind[1])[:60]} model: only keras.Sequential and functional keras.Model are rebuilt")


def rebuild_model(config_json: Any, weights: list[np.ndarray]) -> Any:
    """The Keras model a sandbox described, rebuilt from its checked configuration, with its weights.

    Raises WireError when the configuration leaves the allow-list, when its weights do not match it in
    number or shape, or when Keras cannot rebuild it.
    """
    if type(config_json) is not str or len(config_json) > MAX_CONFIG_CHARS:
        raise _fail("its configuration is not a JSON string of at most 512 KiB")
    clean, params = check_model_config(parse_json(config_json, max_depth=MAX_CONFIG_DEPTH + 8))
    if len(weights) > 4 * MAX_LAYERS or sum(int(w.size) for w in weights) != params:
        raise _fail(
            f"{len(weights)} weight arrays with {sum(int(w.size) for w in weights):,} values for a model of {params:,}"
        )
    if any(w.dtype.kind != "f" for w in weights):
        raise _fail("weights must be floating-point arrays")
    import keras

    try:
        model = keras.saving.deserialize_keras_object(clean, safe_mode=True)
    except Exception as err:  # noqa: BLE001 - whatever Keras makes of it, the model is refused
        raise _fail(f"Keras could not rebuild it ({type(err).__name__})") from None
    if not isinstance(model, keras.Model) or not model.built:
        raise _fail("Keras did not rebuild a built model")
    shapes = [tuple(int(n) for n in w.shape) for w in model.weights]
    if shapes != [tuple(w.shape) for w in weights] or model.count_params() != params:
        raise _fail("its weights do not match its layers in number or shape")
    try:
        model.set_weights(weights)
    except Exception as err:  # noqa: BLE001
        raise _fail(f"its weights could not be set ({type(err).__name__})") from None
    return model


def _names(references: Any) -> list[str]:
    """The layer names in a functional configuration's input_layers or output_layers (as Keras writes them)."""
    if type(references) is list and len(references) == 3 and type(references[0]) is str:
        references = [references]
    return [reference[0] for reference in references]


def _with_tensors(value: Any, tensors: dict[str, Any]) -> Any:
    """A node's arguments with each serialized Keras tensor replaced by the tensor of the layer it names."""
    if type(value) is list:
        return [_with_tensors(item, tensors) for item in value]
    if type(value) is dict and value.get("class_name") == "__keras_tensor__":
        return tensors[value["config"]["keras_history"][0]]
    return value


def apply_model(model: Any, inputs: list) -> Any:
    """The Keras tensor that ``model``'s layers make of ``inputs`` (Keras tensors, one per model input).

    ``model`` is a functional model :func:`rebuild_model` returned; each of its layers (with its weights) is
    called on the new tensors in turn, so a model later built on ``inputs`` holds those layers themselves, as
    if they had been called on ``inputs`` in the first place (not one nested model).
    """
    config = json.loads(model.to_json())["config"]  # plain JSON, as the allow-list checked it
    operations = {operation.name: operation for operation in model.operations}
    names = _names(config["input_layers"])
    if len(names) != len(inputs):
        raise _fail(f"it has {len(names)} inputs, not the {len(inputs)} Keras tensors it was called with")
    shapes = [tuple(tensor.shape) for tensor in model.inputs]
    if shapes != [tuple(tensor.shape) for tensor in inputs]:
        raise _fail(f"its inputs have shapes {shapes[:4]}, not those of the Keras tensors it was called with")
    tensors = dict(zip(names, inputs))
    for entry in config["layers"]:
        if entry["name"] in tensors:
            continue
        (node,) = entry["inbound_nodes"]
        tensors[entry["name"]] = operations[entry["name"]](*_with_tensors(node["args"], tensors), **node["kwargs"])
    (output,) = _names(config["output_layers"])
    return tensors[output]
