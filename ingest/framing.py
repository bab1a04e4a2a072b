"""Length-prefixed pickle frames between the worker and its extraction process.

Both ends are this code base, started by the worker itself, so pickle is safe here.
"""

import pickle
import struct
from typing import Any, BinaryIO

_HEADER = struct.Struct(">I")


def write_frame(stream: BinaryIO, value: Any) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    """Read exactly size bytes; an unbuffered pipe may return fewer per read call."""
    parts = []
    remaining = size
    while remaining:
        part = stream.read(remaining)
        if not part:
            raise EOFError("extraction process closed its output")
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def read_frame(stream: BinaryIO) -> Any:
    """Read one frame; raises EOFError when the other end has closed the pipe."""
    (length,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    return pickle.loads(_read_exact(stream, length))  # noqa: S301 - frames come from our own child process
