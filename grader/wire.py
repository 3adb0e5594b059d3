"""Plain-data messages between the grader and a student's sandbox: no pickle, nothing executable crosses.

A message is a JSON object plus binary blobs (NumPy ``.npy`` bytes, parsed here, never with pickle).
Values that may cross: None, bool, int, float, str, lists, tuples, dicts with string keys, NumPy arrays
and scalars of numeric or boolean dtype, NumPy random Generators and legacy RandomStates (as their state), and
Keras models (as their configuration and weights; see :mod:`grader.boundary` for what the grader rebuilds).

Keras tensors: an argument made by ``keras.Input`` goes to the sandbox as its shape (``__keras_input__``), where
the agent makes a new ``keras.Input`` of it; a Keras tensor the function returns comes back as the model from
those inputs to it (``__keras_output__``), which the grader rebuilds and applies to its own tensors
(:class:`KerasOutput`, :func:`grader.boundary.apply_model`).

Everything the grader reads from the sandbox was written by the student's process, so :func:`receive` and
:func:`decode` assume an attacker: sizes are checked before anything is read or allocated, nesting is checked
before ``json.loads`` can recurse, every marker's payload is type-checked, and whatever goes wrong while a
frame is parsed or decoded is a :class:`WireError` (or :class:`EOFError` for a clean end of the stream),
never another exception.

Frames: an 8-byte big-endian length, then that many bytes. A message is one header frame (UTF-8 JSON
``{"message": {...}, "blobs": n}``) followed by ``n`` blob frames.
"""

from __future__ import annotations

import io
import json
import math
import re
import struct
import sys
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps on one message, checked before the bytes are read (receive) or written (send)."""

    header: int  #: bytes of the JSON header frame
    message: int  #: bytes of the whole message: header and every blob
    blobs: int  #: number of blob frames


#: What the grader accepts from the sandbox. The agent sends its replies within these, so an honest agent
#: never writes a frame the grader refuses.
REPLY_LIMITS = Limits(header=1 * MiB, message=128 * MiB, blobs=4096)
#: What the grader may send the sandbox: requests carry the student's own cells (a notebook is at most 20 MB)
#: and the tests' arguments. Only trusted code writes them.
REQUEST_LIMITS = Limits(header=64 * MiB, message=1024 * MiB, blobs=65536)

MAX_HEADER_BYTES = REPLY_LIMITS.header
MAX_MESSAGE_BYTES = REPLY_LIMITS.message
MAX_BLOBS = REPLY_LIMITS.blobs
#: Kept for older callers: the largest single frame either side accepts.
MAX_FRAME_BYTES = REQUEST_LIMITS.message
#: Nesting of a value (lists, tuples, dicts) that encode produces and decode accepts.
MAX_DEPTH = 20
#: Nesting of a whole JSON header (the envelope and the reply around a value, plus the value).
MAX_JSON_DEPTH = MAX_DEPTH * 2 + 16
#: Longest string accepted inside a marker (a float, a big int, an opaque description, a module name).
MAX_MARKER_TEXT = 1000
#: npy blobs: dimensions, and the size of one dimension.
MAX_NDIM = 32
MAX_DIM = 2**40
#: The npy header dictionary (numpy writes about 120 bytes).
MAX_NPY_HEADER = 4096
#: Read a frame in pieces of at most this many bytes (a slow writer cannot make one read allocate much).
READ_CHUNK = 1 * MiB
#: Modules a test may pass as an argument (to check that a function rejects them); rebuilt by import, on the
#: sandbox's side only (the grader decodes a module as an :class:`Opaque`).
MODULES = {"numpy", "numpy.random", "math", "random"}
#: Bit generators a Generator may be rebuilt with.
BIT_GENERATORS = {"PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937"}
#: Dtype kinds an array may have: bool, signed and unsigned integers, floats, complex numbers.
NUMERIC_KINDS = "biufc"

#: Every marker :func:`encode` writes; a dict with any other ``__key__`` is refused on decode.
MARKERS = {
    "__float__",
    "__bigint__",
    "__tuple__",
    "__ndarray__",
    "__npscalar__",
    "__generator__",
    "__randomstate__",
    "__opaque__",
    "__module__",
    "__keras_model__",
    "__keras_input__",
    "__keras_output__",
}

#: Exceptions that parsing or decoding hostile bytes may raise inside Python, NumPy or json; all become WireError.
PARSE_ERRORS = (
    RecursionError,
    MemoryError,
    UnicodeError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    OverflowError,
    struct.error,
)


class Opaque:
    """Stands for an argument that cannot cross (a test passing a wrong kind of object on purpose)."""

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"<{self.description}>"


class WireError(ValueError):
    """A value that may not cross, or a malformed message."""


class RefusedArgument(WireError):
    """An argument that may not cross even as an :class:`Opaque` stand-in: the call is refused instead."""


class KerasOutput:
    """The Keras tensor a student's function returned for ``keras.Input`` arguments: ``model`` (rebuilt from the
    allow-list) maps those inputs to it; the grader applies it to its own tensors."""

    def __init__(self, model: Any) -> None:
        self.model = model


# ----------------------------------------------------------------------------- npy blobs


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    # np.ascontiguousarray would turn a 0-d array into shape (1,): copy only what is not contiguous
    np.save(buffer, array if array.flags.c_contiguous else np.array(array, order="C"), allow_pickle=False)
    return buffer.getvalue()


def _check_dtype(dtype: np.dtype, what: str = "array") -> None:
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"{what} of dtype {str(dtype)[:40]} refused: only numeric and boolean arrays cross")


def npy_array(data: bytes) -> np.ndarray:
    """The array in ``data`` (``.npy`` bytes), checked before anything is allocated; a fresh, writable copy.

    Refused: anything but format 1.0 or 2.0, object or structured dtypes, more than :data:`MAX_NDIM`
    dimensions, and a declared shape whose size does not match the bytes that follow the header exactly.
    """
    try:
        return _npy_array(data)
    except WireError:
        raise
    except PARSE_ERRORS as err:
        raise WireError(f"malformed array blob ({type(err).__name__})") from None


def _npy_array(data: bytes) -> np.ndarray:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError("an array blob must be bytes")
    stream = io.BytesIO(data)
    major, minor = np.lib.format.read_magic(stream)
    if (major, minor) == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream, max_header_size=MAX_NPY_HEADER)
    elif (major, minor) == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream, max_header_size=MAX_NPY_HEADER)
    else:
        raise WireError(f"npy format {major}.{minor} refused")
    _check_dtype(dtype)
    if not isinstance(shape, tuple) or len(shape) > MAX_NDIM:
        raise WireError("array blob with too many dimensions")
    if not all(type(n) is int and 0 <= n <= MAX_DIM for n in shape) or not isinstance(fortran, bool):
        raise WireError("array blob with a bad shape")
    count = math.prod(shape)  # Python ints: no overflow
    offset = stream.tell()
    if count * dtype.itemsize != len(data) - offset:
        raise WireError(
            f"array blob declares {count:,} values of {dtype.itemsize} bytes but holds {len(data) - offset:,}"
        )
    native = dtype.newbyteorder("=")
    if count == 0:
        return np.zeros(shape, dtype=native)
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return np.array(flat.reshape(shape, order="F" if fortran else "C"), dtype=native, order="C")


class Blobs:
    """The blobs of one message; each may be referenced once, so no reply can decode into more than it sent."""

    def __init__(self, blobs: list[bytes] | tuple[bytes, ...] | Blobs = ()) -> None:
        self.items = list(blobs.items if isinstance(blobs, Blobs) else blobs)
        self.used: set[int] = set()
        #: the keras.Input tensors made for ``__keras_input__`` markers (sandbox side), in the order decoded
        self.keras_inputs: list = []

    def __len__(self) -> int:
        return len(self.items)

    def array(self, index: Any) -> np.ndarray:
        if type(index) is not int or not 0 <= index < len(self.items):
            raise WireError("array reference out of range")
        if index in self.used:
            raise WireError("array referenced twice")
        self.used.add(index)
        return npy_array(self.items[index])


# ----------------------------------------------------------------------------- encoding


def encode(
    value: Any, blobs: list[bytes], depth: int = 0, lenient: bool = False, keras_inputs: list | None = None
) -> Any:
    """Turn ``value`` into JSON-able data, appending array bytes to ``blobs``.

    ``lenient`` (for arguments): a module from ``MODULES`` travels by name, any other value that cannot
    cross becomes an :class:`Opaque` stand-in, so a test can still check that a wrong kind is rejected.
    ``keras_inputs`` (for arguments): a Keras tensor made by ``keras.Input`` travels as its shape and is
    appended to this list; without it, or for any other Keras tensor, the value is refused
    (:class:`RefusedArgument`, never an opaque stand-in).
    """
    mark, inputs_mark = len(blobs), len(keras_inputs or ())
    try:
        return _encode(value, blobs, depth, lenient, keras_inputs)
    except RefusedArgument:
        del blobs[mark:]
        raise
    except WireError:
        del blobs[mark:]
        if keras_inputs is not None:
            del keras_inputs[inputs_mark:]  # the stand-in carries none of them
        if not lenient:
            raise
        return {"__opaque__": f"{type(value).__module__}.{type(value).__qualname__} object"[:200]}


def _encode(value: Any, blobs: list[bytes], depth: int, lenient: bool, keras_inputs: list | None = None) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str) and not _clean(value):
            # a lone surrogate cannot be written as UTF-8: send what can be
            return value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, int) and not isinstance(value, np.integer):
        value = int(value)  # an int subclass crosses as a plain int
        return value if abs(value) < 2**53 else {"__bigint__": _bigint_text(value)}
    if isinstance(value, float) and not isinstance(value, np.generic):
        return {"__float__": repr(float(value))}
    if isinstance(value, np.generic):
        _check_dtype(value.dtype, "NumPy scalar")
        blobs.append(_npy_bytes(np.asarray(value)))
        return {"__npscalar__": len(blobs) - 1}
    if isinstance(value, np.ndarray):
        _check_dtype(value.dtype)
        blobs.append(_npy_bytes(np.asarray(value)))
        return {"__ndarray__": len(blobs) - 1}
    if isinstance(value, np.random.Generator):
        state = value.bit_generator.state
        return {"__generator__": json.loads(json.dumps(state, default=_plain))}
    if isinstance(value, np.random.RandomState):
        name, keys, pos, has_gauss, cached = value.get_state(legacy=True)
        blobs.append(_npy_bytes(np.asarray(keys)))
        return {"__randomstate__": [name, len(blobs) - 1, int(pos), int(has_gauss), {"__float__": repr(float(cached))}]}
    if isinstance(value, (list, tuple)):
        items = [encode(v, blobs, depth + 1, lenient, keras_inputs) for v in value]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("only dicts with string keys can be sent")
        if any(_looks_like_marker(k) for k in value):
            raise WireError("dict keys may not look like wire markers")
        return {
            _encode(k, blobs, depth, False): encode(v, blobs, depth + 1, lenient, keras_inputs)
            for k, v in value.items()
        }
    if is_keras_tensor(value):
        return _encode_keras_input(value, keras_inputs)
    if _is_keras_model(value):
        return _encode_model(value, blobs)
    if hasattr(value, "numpy") and hasattr(value, "dtype") and hasattr(value, "shape"):  # a tf.Tensor
        try:
            array = np.asarray(value.numpy())
        except Exception as err:  # noqa: BLE001 - whatever the object does, it just cannot be sent
            raise WireError(f"a {type(value).__name__} could not be read as an array") from err
        return encode(array, blobs, depth)
    if lenient and type(value).__name__ == "module" and getattr(value, "__name__", "") in MODULES:
        return {"__module__": value.__name__}
    raise WireError(f"a value of type {type(value).__name__} cannot be sent to or from the sandbox")


def _bigint_text(value: int) -> str:
    if value.bit_length() > 3000:
        raise WireError("an integer that large cannot be sent")
    return str(value)


def _plain(value: Any) -> Any:
    """json.dumps fallback for a bit generator's state (NumPy integers, MT19937's key array)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.integer):
        return int(value)
    raise TypeError(f"{type(value).__name__} in a generator state")


def _is_keras_model(value: Any) -> bool:
    return type(value).__module__.startswith("keras") and hasattr(value, "to_json") and hasattr(value, "get_weights")


def is_keras_tensor(value: Any) -> bool:
    """Whether ``value`` is a symbolic Keras tensor (what ``keras.Input`` and layers called on one return)."""
    return type(value).__name__ == "KerasTensor" and type(value).__module__.startswith("keras")


def keras_inputs_in(args: tuple, kwargs: dict) -> list:
    """The Keras tensors in a call's arguments, in the order :func:`encode` meets them (lists, tuples and dict
    values followed as deep as it follows them)."""
    found: list = []

    def walk(value: Any, depth: int) -> None:
        if is_keras_tensor(value):
            found.append(value)
        elif depth <= MAX_DEPTH and isinstance(value, (list, tuple)):
            for item in value:
                walk(item, depth + 1)
        elif depth <= MAX_DEPTH and isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)

    walk(tuple(args), 0)
    walk(dict(kwargs), 0)
    return found


def _encode_keras_input(tensor: Any, keras_inputs: list | None) -> dict:
    if keras_inputs is None:
        raise RefusedArgument("a Keras tensor can be sent only as an argument of a student's function")
    history = getattr(tensor, "_keras_history", None)
    if type(getattr(history, "operation", None)).__name__ != "InputLayer" or getattr(history, "tensor_index", 0):
        raise RefusedArgument(
            "only Keras tensors made by keras.Input(shape=...) can be sent to the student's function, "
            "not one with layers behind it"
        )
    spec = {"shape": list(tensor.shape)[1:], "dtype": str(tensor.dtype)}
    if list(tensor.shape)[:1] != [None] or getattr(tensor, "sparse", False) or getattr(tensor, "ragged", False):
        raise RefusedArgument("only a dense keras.Input without a batch size can be sent to the student's function")
    check_keras_input(spec, RefusedArgument)
    keras_inputs.append(tensor)
    return {"__keras_input__": spec}


def check_keras_input(spec: Any, error: type[WireError] = WireError) -> tuple[int, ...]:
    """The shape (without the batch axis) of a ``keras.Input`` sent as ``{shape, dtype}``: float32, 1 to 3
    sizes each at most boundary.MAX_INPUT_DIM, at most boundary.MAX_INPUT_VALUES values in all."""
    from grader.boundary import MAX_INPUT_DIM, MAX_INPUT_VALUES

    if type(spec) is not dict or set(spec) != {"shape", "dtype"} or spec["dtype"] != "float32":
        raise error("a keras.Input sent to the student's function must be float32")
    shape = spec["shape"]
    if (
        type(shape) is not list
        or not 1 <= len(shape) <= 3
        or not all(type(n) is int and 1 <= n <= MAX_INPUT_DIM for n in shape)
        or math.prod(shape) > MAX_INPUT_VALUES
    ):
        raise error(
            f"a keras.Input sent to the student's function must have a known shape of 1 to 3 sizes, each "
            f"1..{MAX_INPUT_DIM}, at most {MAX_INPUT_VALUES:,} values in all (got {str(shape)[:80]})"
        )
    return tuple(shape)


def encode_keras_output(model: Any, blobs: list[bytes]) -> dict:
    """The Keras tensor a student's function returned, as ``model`` (from the keras.Input arguments to it)."""
    return {"__keras_output__": _encode_model(model, blobs)["__keras_model__"]}


def _encode_model(model: Any, blobs: list[bytes]) -> dict:
    try:
        config = model.to_json()
        weights = [np.asarray(w) for w in model.get_weights()]
    except Exception as err:  # noqa: BLE001 - a model Keras cannot describe cannot be sent
        raise WireError(f"the Keras model could not be described ({type(err).__name__}: {str(err)[:200]})") from err
    indexes = []
    for w in weights:
        _check_dtype(w.dtype, "a Keras weight")
        blobs.append(_npy_bytes(w))
        indexes.append(len(blobs) - 1)
    return {"__keras_model__": {"config": config, "weights": indexes}}


# ----------------------------------------------------------------------------- decoding


def _looks_like_marker(key: str) -> bool:
    return key.startswith("__") and key.endswith("__")


def _clean(text: str) -> bool:
    """True when ``text`` can be written as UTF-8 (no lone surrogates)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode(data: Any, blobs: list[bytes] | Blobs, depth: int = 0, *, modules: bool = False) -> Any:
    """Inverse of :func:`encode`, for data that may be hostile: anything malformed is a :class:`WireError`.

    ``blobs`` is the message's list of blobs, or a :class:`Blobs` shared by every decode of one message (then
    no blob is decoded twice across them). ``modules`` (the sandbox's side) imports a module argument from
    :data:`MODULES`; the grader leaves it off and gets an :class:`Opaque`. Keras models are rebuilt only from
    the standard layers :mod:`grader.boundary` allows, with ``safe_mode``.
    """
    store = blobs if isinstance(blobs, Blobs) else Blobs(blobs)
    try:
        return _decode(data, store, depth, modules)
    except WireError:
        raise
    except PARSE_ERRORS as err:
        raise WireError(f"malformed value ({type(err).__name__})") from None


def _decode(data: Any, blobs: Blobs, depth: int, modules: bool) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if data is None or isinstance(data, bool):
        return data
    if type(data) is int:
        return data
    if type(data) is float:
        if not math.isfinite(data):
            raise WireError("a bare non-finite number")
        return data
    if type(data) is str:
        if not _clean(data):
            raise WireError("a string that is not valid Unicode")
        return data
    if type(data) is list:
        return [_decode(v, blobs, depth + 1, modules) for v in data]
    if type(data) is not dict:
        raise WireError(f"unexpected {type(data).__name__} in a message")
    markers = [k for k in data if type(k) is not str or _looks_like_marker(k)]
    if not markers:
        result = {}
        for key, value in data.items():
            if not _clean(key):
                raise WireError("a dict key that is not valid Unicode")
            result[key] = _decode(value, blobs, depth + 1, modules)
        return result
    if len(data) != 1 or markers[0] not in MARKERS:
        raise WireError("unknown or mixed marker in a message")
    marker = markers[0]
    payload = data[marker]
    return _MARKER_DECODERS[marker](payload, blobs, depth, modules)


def _text(payload: Any, what: str, limit: int = MAX_MARKER_TEXT) -> str:
    if type(payload) is not str or len(payload) > limit or not _clean(payload):
        raise WireError(f"bad {what}")
    return payload


def _float(payload: Any, blobs: Blobs, depth: int, modules: bool) -> float:
    text = _text(payload, "float", 64)
    try:
        return float(text)
    except ValueError:
        raise WireError("bad float") from None


def _bigint(payload: Any, blobs: Blobs, depth: int, modules: bool) -> int:
    text = _text(payload, "integer", 1000)
    if not re.fullmatch(r"-?[0-9]{1,1000}", text):
        raise WireError("bad integer")
    return int(text)


def _tuple(payload: Any, blobs: Blobs, depth: int, modules: bool) -> tuple:
    if type(payload) is not list:
        raise WireError("bad tuple")
    return tuple(_decode(v, blobs, depth + 1, modules) for v in payload)


def _ndarray(payload: Any, blobs: Blobs, depth: int, modules: bool) -> np.ndarray:
    return blobs.array(payload)


def _npscalar(payload: Any, blobs: Blobs, depth: int, modules: bool) -> Any:
    array = blobs.array(payload)
    if array.ndim != 0:
        raise WireError("a NumPy scalar must be a 0-d array")
    return array[()]


def _generator(payload: Any, blobs: Blobs, depth: int, modules: bool) -> np.random.Generator:
    if type(payload) is not dict or type(payload.get("bit_generator")) is not str:
        raise WireError("bad generator state")
    name = payload["bit_generator"]
    if name not in BIT_GENERATORS:
        raise WireError(f"unknown bit generator {name[:40]!r}")
    _check_state(payload, 0)
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = payload
    except (TypeError, ValueError, KeyError, OverflowError, AttributeError, IndexError):
        raise WireError(f"bad {name} state") from None
    return np.random.Generator(bit_generator)


def _check_state(value: Any, depth: int) -> None:
    """A bit generator's state is a small tree of str keys, ints and lists of ints."""
    if depth > 4:
        raise WireError("bad generator state")
    if type(value) is dict:
        if len(value) > 16 or not all(type(k) is str and len(k) <= 40 for k in value):
            raise WireError("bad generator state")
        for key, v in value.items():
            low, high = STATE_INDEX_RANGES.get(key, (0, None))
            if type(v) is int and (v < low or (high is not None and v > high)):
                # an index out of range would make NumPy read outside the generator's buffer
                raise WireError(f"generator state {key} out of range")
            _check_state(v, depth + 1)
    elif type(value) is list:
        if len(value) > 1024 or not all(type(v) is int for v in value):
            raise WireError("bad generator state")
    elif type(value) is int:
        if value.bit_length() > 256:
            raise WireError("bad generator state")
    elif type(value) is float:
        if not math.isfinite(value):
            raise WireError("bad generator state")
    elif type(value) is not str or len(value) > 40:
        raise WireError("bad generator state")


#: Indexes inside a bit generator's state, and the values NumPy can use without reading out of bounds.
STATE_INDEX_RANGES = {"pos": (0, 624), "buffer_pos": (0, 4), "has_uint32": (0, 1), "has_gauss": (0, 1)}


def _randomstate(payload: Any, blobs: Blobs, depth: int, modules: bool) -> np.random.RandomState:
    if type(payload) is not list or len(payload) != 5:
        raise WireError("bad RandomState")
    name, keys, pos, has_gauss, cached = payload
    if name != "MT19937":
        raise WireError("unknown legacy generator")
    if type(pos) is not int or type(has_gauss) is not int or not 0 <= pos <= 624 or has_gauss not in (0, 1):
        raise WireError("bad RandomState")
    if type(cached) is dict:
        cached = _decode(cached, blobs, depth + 1, modules)
    if type(cached) not in (float, int) or not math.isfinite(cached):
        raise WireError("bad RandomState")
    key_array = blobs.array(keys)
    if key_array.shape != (624,) or key_array.dtype.kind not in "iu":
        raise WireError("bad RandomState key")
    legacy = np.random.RandomState()
    try:
        legacy.set_state((name, key_array.astype(np.uint32), pos, has_gauss, float(cached)))
    except (TypeError, ValueError, OverflowError):
        raise WireError("bad RandomState") from None
    return legacy


def _opaque(payload: Any, blobs: Blobs, depth: int, modules: bool) -> Opaque:
    if type(payload) is not str or not _clean(payload):
        raise WireError("bad opaque value")
    return Opaque(payload[:200])


def _module(payload: Any, blobs: Blobs, depth: int, modules: bool) -> Any:
    name = _text(payload, "module name", 100)
    if modules and name in MODULES:
        import importlib

        return importlib.import_module(name)
    return Opaque(f"module {name}")


def _keras_model(payload: Any, blobs: Blobs, depth: int, modules: bool) -> Any:
    if type(payload) is not dict or set(payload) != {"config", "weights"}:
        raise WireError("bad Keras model")
    config, weights = payload["config"], payload["weights"]
    if type(config) is not str or type(weights) is not list:
        raise WireError("bad Keras model")
    arrays = [blobs.array(i) for i in weights]
    from grader import boundary

    return boundary.rebuild_model(config, arrays)


def _keras_input(payload: Any, blobs: Blobs, depth: int, modules: bool) -> Any:
    if not modules:
        raise WireError("a Keras input is only sent to the sandbox")
    shape = check_keras_input(payload)
    if "keras" not in sys.modules:  # the student's notebook has not started TensorFlow: start it quietly
        from course_utils.lesson import quiet_tensorflow

        quiet_tensorflow()
    import keras

    tensor = keras.Input(shape=shape, dtype="float32")
    blobs.keras_inputs.append(tensor)
    return tensor


def _keras_output(payload: Any, blobs: Blobs, depth: int, modules: bool) -> KerasOutput:
    if modules or depth != 0:
        raise WireError("a Keras tensor may only be a function's whole result")
    return KerasOutput(_keras_model(payload, blobs, depth, modules))


_MARKER_DECODERS = {
    "__float__": _float,
    "__bigint__": _bigint,
    "__tuple__": _tuple,
    "__ndarray__": _ndarray,
    "__npscalar__": _npscalar,
    "__generator__": _generator,
    "__randomstate__": _randomstate,
    "__opaque__": _opaque,
    "__module__": _module,
    "__keras_model__": _keras_model,
    "__keras_input__": _keras_input,
    "__keras_output__": _keras_output,
}


# ----------------------------------------------------------------------------- JSON with bounded nesting

#: json_depth scans this many bytes at a time (bounded memory for a large request).
SCAN_CHUNK = 1 * MiB


def json_depth(data: bytes | str) -> int:
    """How deeply ``data`` (JSON) nests its arrays and objects, computed without recursion.

    Exact for every prefix that is valid JSON, which is all ``json.loads`` reads before it fails; brackets
    inside strings (escaped quotes included) do not count.
    """
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)
    depth = best = 0
    run = 0  # backslashes at the end of the previous chunk
    in_string = 0
    for start in range(0, len(raw), SCAN_CHUNK):
        b = np.frombuffer(raw, dtype=np.uint8, count=min(SCAN_CHUNK, len(raw) - start), offset=start)
        n = len(b)
        backslash = b == 92
        index = np.arange(n, dtype=np.int32)
        last_other = np.maximum.accumulate(np.where(backslash, -1, index))
        # the run of backslashes that ends just before each position (carried over from the previous chunk)
        ends = index - last_other + np.where(last_other < 0, run, 0)  # the run ending at each backslash
        before = np.empty(n, dtype=np.int32)
        before[0] = run
        before[1:] = np.where(backslash[:-1], ends[:-1], 0)
        run = int(ends[-1]) if backslash[-1] else 0
        quote = (b == 34) & (before % 2 == 0)
        quotes = np.cumsum(quote, dtype=np.int32) + in_string
        outside = quotes % 2 == 0
        opening = ((b == 91) | (b == 123)) & outside
        closing = ((b == 93) | (b == 125)) & outside
        levels = np.cumsum(opening.astype(np.int32) - closing, dtype=np.int32) + depth
        best = max(best, int(levels.max()))
        depth, in_string = int(levels[-1]), int(quotes[-1] % 2)
    return best


def _refuse_constant(name: str) -> Any:
    raise WireError(f"{name} is not allowed in a message")


def parse_json(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for hostile bytes: strict UTF-8, nesting checked first, no NaN or Infinity."""
    try:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
        if json_depth(data) > max_depth:
            raise WireError(f"JSON nested more than {max_depth} deep")
        return json.loads(text, parse_constant=_refuse_constant)
    except WireError:
        raise
    except PARSE_ERRORS as err:  # JSONDecodeError is a ValueError
        raise WireError(f"malformed JSON ({type(err).__name__})") from None


# ----------------------------------------------------------------------------- framing


def send(stream: BinaryIO, message: dict, blobs: list[bytes] = (), *, limits: Limits = REQUEST_LIMITS) -> None:
    """Write one message: a header frame (JSON) then one frame per blob.

    Raises :class:`WireError` before writing anything when the message is over ``limits``; the agent sends
    with :data:`REPLY_LIMITS`, what the grader accepts.
    """
    blobs = list(blobs)
    try:
        text = json.dumps({"message": message, "blobs": len(blobs)}, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as err:
        raise WireError(f"the message cannot be written as JSON ({type(err).__name__})") from None
    header = text.encode("utf-8", "replace")  # a lone surrogate becomes '?'
    if len(header) > limits.header:
        raise WireError(f"the message header is {len(header):,} bytes, over the {limits.header:,} limit")
    if len(blobs) > limits.blobs:
        raise WireError(f"{len(blobs):,} arrays in one message, over the {limits.blobs:,} limit")
    total = len(header) + sum(len(b) for b in blobs)
    if total > limits.message:
        raise WireError(f"the message is {total:,} bytes, over the {limits.message:,} limit")
    for frame in (header, *blobs):
        stream.write(struct.pack(">Q", len(frame)))
        stream.write(frame)
    stream.flush()


def _read_exact(stream: BinaryIO, size: int, *, at_start: bool = False) -> bytes:
    """``size`` bytes; EOFError only when the stream ends cleanly before a message (``at_start``)."""
    data = bytearray()
    while len(data) < size:
        try:
            chunk = stream.read(min(size - len(data), READ_CHUNK))
        except (OSError, ValueError) as err:
            raise WireError(f"the channel failed ({type(err).__name__})") from None
        if not chunk:
            if at_start and not data:
                raise EOFError("the other side closed the channel")
            raise WireError(f"the message was cut short ({len(data)} of {size} bytes)")
        data += chunk
    return bytes(data)


def _frame_size(stream: BinaryIO, limit: int, what: str, *, at_start: bool = False) -> int:
    (size,) = struct.unpack(">Q", _read_exact(stream, 8, at_start=at_start))
    if size > limit:
        raise WireError(f"{what} of {size:,} bytes is over the {limit:,} limit")
    return size


def receive(stream: BinaryIO, *, limits: Limits = REPLY_LIMITS) -> tuple[dict, list[bytes]]:
    """Read one message written by :func:`send`, within ``limits`` (by default what the grader accepts).

    Returns the message (raw JSON data: decode its values with :func:`decode`) and its blobs. Raises
    :class:`EOFError` when the stream ends before a message starts, :class:`WireError` for anything else.
    """
    try:
        header = _read_exact(stream, _frame_size(stream, limits.header, "a header", at_start=True))
        envelope = parse_json(header)
        if type(envelope) is not dict or set(envelope) != {"message", "blobs"}:
            raise WireError("malformed message envelope")
        message, count = envelope["message"], envelope["blobs"]
        if type(message) is not dict:
            raise WireError("malformed message envelope")
        if type(count) is not int or not 0 <= count <= limits.blobs:
            raise WireError("bad blob count")
        budget = limits.message - len(header)
        blobs = []
        for _ in range(count):
            size = _frame_size(stream, budget, "an array blob")
            blobs.append(_read_exact(stream, size))
            budget -= size
        return message, blobs
    except (WireError, EOFError):
        raise
    except PARSE_ERRORS as err:
        raise WireError(f"malformed message ({type(err).__name__})") from None
