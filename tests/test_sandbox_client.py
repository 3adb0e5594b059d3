"""The grader's side of the channel against a fake agent that answers with raw, malformed or endless frames.

The fake agent is a few lines of this file's own code (nothing hostile runs), started as a plain process in
place of bubblewrap, so each case takes a fraction of a second.
"""

from __future__ import annotations

import struct
import sys
import time

import pytest

from grader.sandbox import client
from grader.sandbox.client import Sandbox, SandboxDied, SandboxStartError, SandboxTimeout

GREETING = b'{"message": {"ready": true, "pid": 1}, "blobs": 0}'

FAKE_AGENT = """
import os, struct, sys, time
inbox, outbox = int(sys.argv[1]), int(sys.argv[2])
def frame(data):
    os.write(outbox, struct.pack('>Q', len(data)) + data)
greeting, reply = bytes.fromhex(sys.argv[3]), open(sys.argv[4], 'rb').read()
if greeting:
    frame(greeting)
os.read(inbox, 1)                  # wait for the first request
os.write(outbox, reply)            # answer with raw bytes, framed or not
time.sleep(float(sys.argv[5]))
"""


def fake(monkeypatch, tmp_path, reply: bytes, *, greeting: bytes = GREETING, linger: float = 30.0) -> Sandbox:
    (tmp_path / "reply").write_bytes(reply)

    def command(self, channels):
        self.isolation = "fake agent"
        (tmp_path / "agent.py").write_text(FAKE_AGENT)
        args = [sys.executable, str(tmp_path / "agent.py"), *map(str, channels), greeting.hex()]
        args += [str(tmp_path / "reply"), str(linger)]
        return args, None, None

    monkeypatch.setattr(Sandbox, "_command", command)
    monkeypatch.setattr(Sandbox, "_find_agent_pid", lambda self: self.proc.pid)  # the fake agent is the process
    monkeypatch.setattr(client, "INTERRUPT_GRACE_SECONDS", 0.5)
    box = Sandbox(memory_gb=1)
    return box


def framed(*frames: bytes) -> bytes:
    return b"".join(struct.pack(">Q", len(f)) + f for f in frames)


MALFORMED = {
    "truncated length": b"\x00\x00\x00",
    "truncated body": struct.pack(">Q", 100) + b'{"message"',
    "oversized length": struct.pack(">Q", 2**62),
    "not json": framed(b"\xff\xfe not json"),
    "json but not an object": framed(b"[1, 2, 3]"),
    "no message": framed(b'{"blobs": 0}'),
    "message not a dict": framed(b'{"message": [1], "blobs": 0}'),
    "deeply nested": framed(b'{"message": {"result": ' + b"[" * 200_000 + b"]" * 200_000 + b'}, "blobs": 0}'),
    "missing blobs": framed(b'{"message": {"result": 1}, "blobs": 3}'),
    "negative blob count": framed(b'{"message": {"result": 1}, "blobs": -1}'),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_reply_is_the_sandbox_dying_never_a_grader_crash(monkeypatch, tmp_path, case):
    box = fake(monkeypatch, tmp_path, MALFORMED[case], linger=0.5 if case.startswith("truncated") else 30)
    box.start()
    start = time.monotonic()
    with pytest.raises((SandboxDied, SandboxTimeout)):
        box.run_cell("x = 1", timeout=5)
    assert time.monotonic() - start < 8
    box.close()
    assert box.proc.poll() is not None


def test_an_agent_that_never_answers_costs_only_the_deadline(monkeypatch, tmp_path):
    box = fake(monkeypatch, tmp_path, b"")
    box.start()
    start = time.monotonic()
    with pytest.raises(SandboxTimeout):
        box.run_cell("x = 1", timeout=1)
    assert time.monotonic() - start < 1 + 0.5 + 6, "the deadline, the interrupt's grace, the kill"
    assert not box.alive
    box.close()


def test_an_agent_that_never_greets_is_a_start_error(monkeypatch, tmp_path):
    monkeypatch.setattr(client, "START_TIMEOUT_SECONDS", 1)
    box = fake(monkeypatch, tmp_path, b"", greeting=b"")
    with pytest.raises(SandboxStartError):
        box.start()
    assert box.proc.poll() is not None


def test_a_wrong_greeting_is_a_start_error(monkeypatch, tmp_path):
    box = fake(monkeypatch, tmp_path, b"", greeting=b'{"message": {"ready": "yes"}, "blobs": 0}')
    with pytest.raises(SandboxStartError, match="no greeting"):
        box.start()


def test_a_well_formed_reply_passes(monkeypatch, tmp_path):
    box = fake(monkeypatch, tmp_path, framed(b'{"message": {"ok": true, "error": "", "seconds": 0.1}, "blobs": 0}'))
    box.start()
    assert box.run_cell("x = 1", timeout=5) == {"ok": True, "error": "", "seconds": 0.1}
    box.close()


def test_a_keras_input_argument_is_sent_as_its_shape_alone():
    keras = pytest.importorskip("keras")
    from grader import wire

    x, y = keras.Input(shape=(8, 6, 4)), keras.Input(shape=(3,))
    message, blobs = client.call_message("residual_block", (x, [y]), {"stride": 2, "skip": x})
    inputs = [
        {"__keras_input__": {"shape": [8, 6, 4], "dtype": "float32"}},
        {"__keras_input__": {"shape": [3], "dtype": "float32"}},
    ]
    assert message["args"] == {"__tuple__": [inputs[0], [inputs[1]]]} and blobs == []
    assert message["kwargs"] == {"stride": 2, "skip": inputs[0]}
    with pytest.raises(wire.RefusedArgument, match="keras.Input"):
        client.call_message("f", (keras.layers.Dense(2)(y),), {})
    with pytest.raises(wire.RefusedArgument, match="only as an argument or inside"):
        client.call_message("f", ({(1, 2): x},), {})  # a dict the wire cannot carry: it would go as a stand-in
