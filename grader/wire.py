"""Plain-data messages between the grader and a student's sandbox: no pickle, nothing executable crosses.

A message is a JSON object plus binary blobs (NumPy ``.npy`` bytes, read with ``allow_pickle=False``).
Values that may cross: None, bool, int, float, str, lists, tuples, dicts with string keys, NumPy arrays
and scalars of numeric or boolean dtype, NumPy random Generators and legacy RandomStates (as their state), and
Keras models (as their configuration and weights, rebuilt with ``safe_mode``).
"""

from __future__ import annotations

import io
import json
import struct
from typing import Any, BinaryIO

import numpy as np

MAX_FRAME_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 20
#: Modules a test may pass as an argument (to check that a function rejects them); rebuilt by import.
MODULES = {"numpy", "numpy.random", "math", "random"}


class Opaque:
    """Stands for an argument that cannot cross (a test passing a wrong kind of object on purpose)."""

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"<{self.description}>"


class WireError(ValueError):
    """A value that may not cross, or a malformed message."""


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    # np.ascontiguousarray would turn a 0-d array into shape (1,): copy only what is not contiguous
    np.save(buffer, array if array.flags.c_contiguous else np.array(array, order="C"), allow_pickle=False)
    return buffer.getvalue()


def _npy_array(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


def encode(value: Any, blobs: list[bytes], depth: int = 0, lenient: bool = False) -> Any:
    """Turn ``value`` into JSON-able data, appending array bytes to ``blobs``.

    ``lenient`` (for arguments): a module from ``MODULES`` travels by name, any other value that cannot
    cross becomes an :class:`Opaque` stand-in, so a test can still check that a wrong kind is rejected.
    """
    try:
        return _encode(value, blobs, depth, lenient)
    except WireError:
        if not lenient:
            raise
        return {"__opaque__": f"{type(value).__module__}.{type(value).__qualname__} object"}


def _encode(value: Any, blobs: list[bytes], depth: int, lenient: bool) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, np.integer):
        return value if abs(value) < 2**53 else {"__bigint__": str(value)}
    if isinstance(value, float) and not isinstance(value, np.generic):
        return {"__float__": repr(float(value))}
    if isinstance(value, np.generic):
        if value.dtype.kind not in "biufc":
            raise WireError(f"NumPy scalar of dtype {value.dtype} cannot be sent")
        blobs.append(_npy_bytes(np.asarray(value)))
        return {"__npscalar__": len(blobs) - 1}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise WireError(f"array of dtype {value.dtype} cannot be sent")
        blobs.append(_npy_bytes(value))
        return {"__ndarray__": len(blobs) - 1}
    if isinstance(value, np.random.Generator):
        return {"__generator__": json.loads(json.dumps(value.bit_generator.state, default=int))}
    if isinstance(value, np.random.RandomState):
        name, keys, pos, has_gauss, cached = value.get_state(legacy=True)
        blobs.append(_npy_bytes(keys))
        return {"__randomstate__": [name, len(blobs) - 1, int(pos), int(has_gauss), float(cached)]}
    if isinstance(value, (list, tuple)):
        items = [encode(v, blobs, depth + 1, lenient) for v in value]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("only dicts with string keys can be sent")
        if any(k.startswith("__") and k.endswith("__") for k in value):
            raise WireError("dict keys may not look like wire markers")
        return {k: encode(v, blobs, depth + 1, lenient) for k, v in value.items()}
    if _is_keras_model(value):
        weights = []
        for w in value.get_weights():
            blobs.append(_npy_bytes(np.asarray(w)))
            weights.append(len(blobs) - 1)
        return {"__keras_model__": {"config": value.to_json(), "weights": weights}}
    if hasattr(value, "numpy") and hasattr(value, "dtype") and hasattr(value, "shape"):  # a tf.Tensor
        return encode(np.asarray(value.numpy()), blobs, depth)
    if lenient and type(value).__name__ == "module" and getattr(value, "__name__", "") in MODULES:
        return {"__module__": value.__name__}
    raise WireError(f"a value of type {type(value).__name__} cannot be sent to or from the sandbox")


def _is_keras_model(value: Any) -> bool:
    return type(value).__module__.startswith("keras") and hasattr(value, "to_json") and hasattr(value, "get_weights")


def decode(data: Any, blobs: list[bytes], depth: int = 0) -> Any:
    """Inverse of :func:`encode`; rebuilds Keras models only from standard layers (``safe_mode``)."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, list):
        return [decode(v, blobs, depth + 1) for v in data]
    if not isinstance(data, dict):
        raise WireError(f"unexpected {type(data).__name__} in a message")
    if "__float__" in data:
        return float(data["__float__"])
    if "__bigint__" in data:
        return int(data["__bigint__"])
    if "__tuple__" in data:
        return tuple(decode(v, blobs, depth + 1) for v in data["__tuple__"])
    if "__ndarray__" in data:
        return _blob_array(blobs, data["__ndarray__"])
    if "__npscalar__" in data:
        return _blob_array(blobs, data["__npscalar__"])[()]
    if "__generator__" in data:
        state = data["__generator__"]
        name = state.get("bit_generator")
        if name not in {"PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937"}:
            raise WireError(f"unknown bit generator {name!r}")
        bit_generator = getattr(np.random, name)()
        bit_generator.state = state
        return np.random.Generator(bit_generator)
    if "__opaque__" in data:
        return Opaque(str(data["__opaque__"])[:200])
    if "__module__" in data:
        import importlib

        name = str(data["__module__"])
        return importlib.import_module(name) if name in MODULES else Opaque(f"module {name[:100]}")
    if "__randomstate__" in data:
        name, keys, pos, has_gauss, cached = data["__randomstate__"]
        if name != "MT19937":
            raise WireError(f"unknown legacy generator {name!r}")
        legacy = np.random.RandomState()
        legacy.set_state((name, _blob_array(blobs, keys).astype(np.uint32), int(pos), int(has_gauss), float(cached)))
        return legacy
    if "__keras_model__" in data:
        return _rebuild_model(data["__keras_model__"], blobs)
    return {k: decode(v, blobs, depth + 1) for k, v in data.items()}


def _blob_array(blobs: list[bytes], index: Any) -> np.ndarray:
    if not isinstance(index, int) or not 0 <= index < len(blobs):
        raise WireError("array reference out of range")
    array = _npy_array(blobs[index])
    if array.dtype.kind not in "biufc":
        raise WireError(f"array of dtype {array.dtype} refused")
    return array


def _rebuild_model(spec: dict, blobs: list[bytes]) -> Any:
    import keras

    model = keras.models.model_from_json(spec["config"])  # safe_mode: no lambdas or arbitrary code
    model.set_weights([_blob_array(blobs, i) for i in spec["weights"]])
    return model


# ----------------------------------------------------------------------------- framing


def send(stream: BinaryIO, message: dict, blobs: list[bytes] = ()) -> None:
    """Write one message: a header frame (JSON) then one frame per blob."""
    header = json.dumps({"message": message, "blobs": len(blobs)}, allow_nan=False).encode()
    for frame in (header, *blobs):
        stream.write(struct.pack(">Q", len(frame)))
        stream.write(frame)
    stream.flush()


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream: BinaryIO) -> bytes:
    (size,) = struct.unpack(">Q", _read_exact(stream, 8))
    if size > MAX_FRAME_BYTES:
        raise WireError(f"frame of {size} bytes is over the limit")
    return _read_exact(stream, size)


def receive(stream: BinaryIO) -> tuple[dict, list[bytes]]:
    """Read one message written by :func:`send`."""
    try:
        envelope = json.loads(_read_frame(stream))
    except json.JSONDecodeError as err:
        raise WireError(f"malformed message: {err}") from err
    if not isinstance(envelope, dict) or not isinstance(envelope.get("message"), dict):
        raise WireError("malformed message envelope")
    count = envelope.get("blobs", 0)
    if not isinstance(count, int) or not 0 <= count <= 10_000:
        raise WireError("bad blob count")
    return envelope["message"], [_read_frame(stream) for _ in range(count)]
