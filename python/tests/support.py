"""Helpers of the tests: the repository's files, running the command line, reading a model."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpora" / "debian-5000.jsonl.gz"


def run(binary: Path, *args: Any) -> str:
    """Runs the command line; its standard output."""
    done = subprocess.run(
        [str(binary), *map(str, args)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file: an 8-byte header length, a JSON header naming each
    tensor's dtype, shape and byte range, then the data, little-endian."""
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    dtypes = {"F32": "<f4", "I32": "<i4", "I64": "<i8"}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        data = raw[8 + length + start : 8 + length + end]
        tensors[name] = np.frombuffer(data, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return tensors
