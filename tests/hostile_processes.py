"""Students of the hostile class who attack with processes, memory and the channel rather than with files.

Each one answers every exercise of lesson 01 correctly and adds one attack, so each must still get what
its honest part earns; ``build(target)`` writes them beside :mod:`hostile_class`'s students.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.example_class import _answers, submission

LESSON = "01_pixels"

FORK_BOMB = """import os
for _ in range(200):
    if os.fork() == 0:
        while True:
            pass
"""

MEMORY_CHILDREN = """import os, time
import numpy as np
for _ in range(20):
    if os.fork() == 0:
        block = np.ones(512 * 1024**2 // 8)
        time.sleep(600)
        os._exit(0)
time.sleep(5)
"""

DAEMON = """import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.chdir("/")
        time.sleep(3600)
    os._exit(0)
"""

KILL_ALL = """import os, signal
os.kill(-1, signal.SIGKILL)
"""

#: writes a frame of 200,000 nested lists straight to the agent's reply channel, as if it were the agent
FORGED_REPLY = """import os, struct, sys
body = b'{"message": {"ok": ' + b"[" * 200_000 + b"]" * 200_000 + b'}, "blobs": 0}'
os.write(int(sys.argv[2]), struct.pack(">Q", len(body)) + body)
"""

DEEP_LIST_TO_FLOAT = """def to_float(image):
    deep = []
    for _ in range(200_000):
        deep = [deep]
    return deep
"""

BROADCAST_CHANNEL_MEANS = """def channel_means(batch):
    import numpy as np
    return np.broadcast_to(np.float32(1), (5 * 1024**3,))  # a 20 GB view of one number
"""


def _append(source: str):
    def edit(notebook: dict) -> None:
        cell = {"cell_type": "code", "execution_count": None, "id": "attack", "metadata": {}, "outputs": []}
        notebook["cells"].append(cell | {"source": source})

    return edit


def build(target: Path) -> Path:
    right = _answers(LESSON)
    notebooks = {
        "forkbomb": submission(edit=_append(FORK_BOMB)),
        "memchildren": submission(edit=_append(MEMORY_CHILDREN)),
        "daemon": submission(edit=_append(DAEMON)),
        "killall": submission(edit=_append(KILL_ALL)),
        "forgedreply": submission(edit=_append(FORGED_REPLY)),
        "deeplist": submission(answers=right | {"to_float": DEEP_LIST_TO_FLOAT}),
        "broadcast": submission(answers=right | {"channel_means": BROADCAST_CHANNEL_MEANS}),
    }
    for student, notebook in notebooks.items():
        (target / student).mkdir(parents=True, exist_ok=True)
        (target / student / f"{LESSON}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return target


#: student folder → (score out of 13, a word the reason or flags must contain, "" for none)
EXPECTED = {
    "forkbomb": (13.0, ""),
    "memchildren": (13.0, ""),
    "daemon": (13.0, ""),
    "killall": (13.0, ""),
    "forgedreply": (13.0, "crashed the sandbox"),
    "deeplist": (11.0, ""),
    "broadcast": (11.0, ""),
}
