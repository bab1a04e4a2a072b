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


def read_frame(stream: BinaryIO) -> Any:
    """Read one frame; raises EOFError when the other end has closed the pipe."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("extraction process closed its output")
    (length,) = _HEADER.unpack(header)
    payload = stream.read(length)
    if len(payload) < length:
        raise EOFError("extraction process closed its output mid-frame")
    return pickle.loads(payload)  # noqa: S301 - frames come from our own child process
