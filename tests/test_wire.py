"""grader.wire against raw, hostile frames: every malformed message is a WireError (or EOFError at a clean end).

Nothing here starts a sandbox: the frames are bytes in an io.BytesIO, as the student's process could write them.
"""

from __future__ import annotations

import io
import json
import struct
import time

import numpy as np
import pytest

from grader import wire
from grader.wire import WireError


def frame(data: bytes) -> bytes:
    return struct.pack(">Q", len(data)) + data


def header(message: object, blobs: int = 0) -> bytes:
    return json.dumps({"message": message, "blobs": blobs}).encode()


def receive(raw: bytes) -> tuple[dict, list[bytes]]:
    return wire.receive(io.BytesIO(raw))


def refused(raw: bytes) -> str:
    with pytest.raises(WireError) as info:
        receive(raw)
    return str(info.value)


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def npy_with_header(text: str, body: bytes = b"") -> bytes:
    """A version 1.0 .npy file with a hand-written header dictionary."""
    head = text.encode("latin1")
    head += b" " * ((64 - (10 + len(head) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head + body


def decode_refused(data: object, blobs: list[bytes] = ()) -> str:
    with pytest.raises(WireError) as info:
        wire.decode(data, list(blobs))
    return str(info.value)


# ----------------------------------------------------------------------------- framing


def test_a_clean_end_of_stream_is_eof():
    with pytest.raises(EOFError):
        receive(b"")


def test_a_truncated_length_prefix_is_refused():
    refused(b"\x00\x00\x00")


def test_a_truncated_body_is_refused():
    refused(struct.pack(">Q", 100) + b'{"message"')


def test_a_truncated_blob_is_refused():
    refused(frame(header({"result": 1}, blobs=2)) + frame(b"abc") + struct.pack(">Q", 50) + b"x")


def test_an_oversized_length_is_refused_before_reading():
    start = time.monotonic()
    assert "over the" in refused(struct.pack(">Q", 2**62))
    assert time.monotonic() - start < 1


def test_an_oversized_header_is_refused_before_reading():
    raw = struct.pack(">Q", wire.MAX_HEADER_BYTES + 1)  # no body follows: it must not be waited for
    assert "header" in refused(raw)


def test_a_message_over_the_total_cap_is_refused_before_its_blob_is_read():
    raw = frame(header({"result": 1}, blobs=1)) + struct.pack(">Q", wire.MAX_MESSAGE_BYTES)
    assert "blob" in refused(raw)


def test_too_many_blobs_are_refused():
    assert "blob count" in refused(frame(header({"result": 1}, blobs=wire.MAX_BLOBS + 1)))


@pytest.mark.parametrize("count", [-1, True, 1.0, "3", None])
def test_a_bad_blob_count_is_refused(count):
    refused(frame(json.dumps({"message": {}, "blobs": count}).encode()))


def test_a_header_that_is_not_utf8_is_refused():
    refused(frame(b'{"message": {"x": "\xff\xfe"}, "blobs": 0}'))


@pytest.mark.parametrize(
    "body",
    [b"[1, 2, 3]", b'"text"', b"null", b'{"blobs": 0}', b'{"message": [1], "blobs": 0}', b'{"message": {}}'],
    ids=["list", "string", "null", "no message", "message not an object", "no blob count"],
)
def test_json_that_is_not_an_envelope_is_refused(body):
    refused(frame(body))


def test_an_envelope_with_extra_keys_is_refused():
    refused(frame(b'{"message": {}, "blobs": 0, "more": 1}'))


def test_deep_nesting_is_refused_before_json_recurses():
    start = time.monotonic()
    body = b'{"message": {"result": ' + b"[" * 200_000 + b"]" * 200_000 + b'}, "blobs": 0}'
    assert "nested" in refused(frame(body))
    assert time.monotonic() - start < 2


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"result": ["[[[[" * 1000, '\\"[{' * 1000]})
    message, _ = receive(frame(header(json.loads(text))))
    assert message["result"][0].startswith("[[[[")
    assert wire.json_depth(text) == 2


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_bare_nan_and_infinity_are_refused(constant):
    refused(frame(b'{"message": {"seconds": ' + constant + b'}, "blobs": 0}'))


def test_a_huge_integer_literal_is_refused():
    refused(frame(b'{"message": {"seconds": ' + b"9" * 50_000 + b'}, "blobs": 0}'))


def test_a_well_formed_message_with_blobs_is_read():
    message, blobs = receive(frame(header({"result": {"__ndarray__": 0}}, blobs=1)) + frame(npy(np.arange(3))))
    assert message == {"result": {"__ndarray__": 0}} and len(blobs) == 1
    assert wire.decode(message["result"], blobs).tolist() == [0, 1, 2]


# ----------------------------------------------------------------------------- markers


@pytest.mark.parametrize(
    "data",
    [
        {"__float__": [1]},
        {"__float__": "x" * 100},
        {"__float__": "one"},
        {"__bigint__": "1e5"},
        {"__bigint__": 12},
        {"__tuple__": 5},
        {"__tuple__": {"a": 1}},
        {"__generator__": "x"},
        {"__generator__": {"bit_generator": "PCG64", "state": "x"}},
        {"__generator__": {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}}},
        {"__generator__": {"bit_generator": "os.system"}},
        {"__generator__": {"bit_generator": 5}},
        {"__randomstate__": 5},
        {"__randomstate__": ["MT19937", 0, 0, 0]},
        {"__randomstate__": ["PCG64", 0, 0, 0, 0.0]},
        {"__ndarray__": True},
        {"__ndarray__": 0},
        {"__ndarray__": "0"},
        {"__npscalar__": -1},
        {"__opaque__": 3},
        {"__module__": ["os"]},
        {"__keras_model__": "x"},
        {"__keras_model__": {"config": 1, "weights": []}},
        {"__evil__": 1},
        {"__float__": "1.5", "extra": 2},
        {"__view__": {"arg": "0"}},
    ],
    ids=repr,
)
def test_a_bad_marker_is_a_wire_error(data):
    decode_refused(data)


def test_markers_inside_containers_are_checked_too():
    decode_refused([1, {"a": {"__tuple__": 5}}])
    decode_refused({"__tuple__": [{"__float__": None}]})


def test_a_module_from_the_sandbox_is_never_imported():
    assert isinstance(wire.decode({"__module__": "os"}, []), wire.Opaque)
    assert isinstance(wire.decode({"__module__": "numpy"}, []), wire.Opaque)  # only the sandbox imports these
    assert wire.decode({"__module__": "numpy"}, [], modules=True) is np
    assert isinstance(wire.decode({"__module__": "os"}, [], modules=True), wire.Opaque)


def test_values_nested_too_deeply_are_refused():
    data: object = 1
    for _ in range(wire.MAX_DEPTH + 2):
        data = [data]
    assert "deeply" in decode_refused(data)


def test_a_blob_referenced_twice_is_refused():
    blob = npy(np.zeros(1000))
    assert "twice" in decode_refused([{"__ndarray__": 0}, {"__ndarray__": 0}], [blob])


def test_a_scalar_marker_on_an_array_blob_is_refused():
    decode_refused({"__npscalar__": 0}, [npy(np.arange(3))])


def test_a_string_with_a_lone_surrogate_is_refused():
    decode_refused("\ud800")
    decode_refused({"\udfff": 1})


# ----------------------------------------------------------------------------- npy blobs


def test_an_object_array_is_refused():
    assert "dtype" in decode_refused({"__ndarray__": 0}, [npy(np.array([{"a": 1}, None], dtype=object))])


def test_an_npy_header_with_a_pickle_flag_is_refused():
    blob = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'pickle': True, }", bytes(8))
    decode_refused({"__ndarray__": 0}, [blob])


def test_a_pickled_object_descr_is_refused():
    blob = npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\x80\x04N.")
    decode_refused({"__ndarray__": 0}, [blob])


def test_a_huge_declared_shape_is_refused_without_allocating():
    start = time.monotonic()
    blob = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000, 1000), }", bytes(8))
    assert "declares" in decode_refused({"__ndarray__": 0}, [blob])
    assert time.monotonic() - start < 1


def test_a_declared_size_that_does_not_match_the_bytes_is_refused():
    blob = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", bytes(16))
    decode_refused({"__ndarray__": 0}, [blob])
    decode_refused({"__ndarray__": 0}, [npy(np.arange(4.0)) + b"extra"])


@pytest.mark.parametrize(
    "array",
    [np.array(["text"]), np.zeros(2, dtype=[("a", "<f8")]), np.array(["2024-01-01"], dtype="datetime64[D]")],
    ids=["unicode", "structured", "datetime"],
)
def test_non_numeric_dtypes_are_refused(array):
    decode_refused({"__ndarray__": 0}, [npy(array)])


@pytest.mark.parametrize(
    "blob", [b"", b"not an npy file", b"\x93NUMPY\x03\x00" + bytes(20), b"\x93NUMPY\x01\x00\xff\xff"], ids=repr
)
def test_malformed_npy_bytes_are_refused(blob):
    decode_refused({"__ndarray__": 0}, [blob])


def test_big_endian_and_fortran_arrays_arrive_native_and_writable():
    array = np.asfortranarray(np.arange(6, dtype=">f8").reshape(2, 3))
    out = wire.decode({"__ndarray__": 0}, [npy(array)])
    assert out.tolist() == array.tolist() and out.dtype == np.float64 and out.flags.writeable


# ----------------------------------------------------------------------------- the sending side


VALUES = [
    None,
    True,
    7,
    2**80,
    -1.25,
    float("inf"),
    "café",
    [1, [2, (3, "x")]],
    {"a": 1, "b": [2.5]},
    np.float32(0.5),
    np.int64(-3),
    np.arange(12.0).reshape(3, 4).T,
    np.zeros((0, 3), dtype=np.uint8),
    np.array(True),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_every_value_kind_survives_send_receive_decode(value):
    blobs: list[bytes] = []
    stream = io.BytesIO()
    wire.send(stream, {"value": wire.encode(value, blobs)}, blobs, limits=wire.REPLY_LIMITS)
    stream.seek(0)
    message, got_blobs = wire.receive(stream)
    out = wire.decode(message["value"], got_blobs)
    if isinstance(value, np.ndarray):
        assert out.dtype == value.dtype and out.shape == value.shape and np.array_equal(out, value)
    else:
        assert out == value and type(out) is type(value)


def test_generators_cross_as_their_state():
    for generator in (np.random.default_rng(3), np.random.Generator(np.random.MT19937(3))):
        blobs: list[bytes] = []
        copy = wire.decode(wire.encode(generator, blobs), blobs)
        assert copy is not generator and copy.random() == generator.random()
    legacy = np.random.RandomState(4)
    blobs = []
    assert wire.decode(wire.encode(legacy, blobs), blobs).random_sample() == legacy.random_sample()


def test_send_refuses_a_reply_over_the_limits_before_writing_anything():
    stream = io.BytesIO()
    with pytest.raises(WireError):
        wire.send(stream, {"result": "x" * (wire.MAX_HEADER_BYTES + 1)}, limits=wire.REPLY_LIMITS)
    with pytest.raises(WireError):
        wire.send(stream, {"result": 1}, [b"\0" * 10] * (wire.MAX_BLOBS + 1), limits=wire.REPLY_LIMITS)
    assert stream.getvalue() == b""


def test_a_lone_surrogate_is_sent_as_a_replacement_character():
    stream = io.BytesIO()
    wire.send(stream, {"error": "bad \ud800 text"}, limits=wire.REPLY_LIMITS)
    stream.seek(0)
    assert wire.receive(stream)[0] == {"error": "bad ? text"}


def test_values_that_cannot_cross_are_refused_or_opaque():
    with pytest.raises(WireError):
        wire.encode(object(), [])
    with pytest.raises(WireError):
        wire.encode({"__float__": 1}, [])
    assert isinstance(wire.decode(wire.encode(lambda: 1, [], lenient=True), []), wire.Opaque)
    assert isinstance(wire.decode(wire.encode(np.array([object()]), [], lenient=True), []), wire.Opaque)


@pytest.mark.parametrize(
    "state",
    [
        {"__randomstate__": ["MT19937", 0, 10**8, 0, {"__float__": "0.0"}]},
        {"__randomstate__": ["MT19937", 0, -5, 0, {"__float__": "0.0"}]},
        {"__generator__": dict(np.random.Philox(1).state, buffer_pos=-10**8)},
        {"__generator__": dict(np.random.MT19937(1).state, state={"key": [0] * 624, "pos": 10**6})},
    ],
    ids=["legacy pos too far", "legacy pos negative", "Philox buffer_pos", "MT19937 pos"],
)
def test_a_generator_state_with_an_index_out_of_range_is_refused(state):
    """Such a state would make NumPy read outside the generator's buffer (a crash, or the grader's memory)."""
    blobs = [npy(np.zeros(624, dtype=np.uint32))]
    with pytest.raises(WireError):
        wire.decode(json.loads(json.dumps(state, default=lambda a: np.asarray(a).tolist())), blobs)
