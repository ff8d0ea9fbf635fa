"""What TFLite Micro's own interpreter (the ``tflite_micro`` wheel) reports for a model: the
reference the runtime's arena planning is compared with."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from hil_bench.errors import Error


def tflm_arena(model: bytes | str | Path) -> dict:
    """``{"total", "head", "tail"}`` bytes from ``print_allocations`` (64-bit host build of TFLM).

    ``print_allocations`` writes to the C-level stderr, so file descriptor 2 is captured around it.
    """
    from tflite_micro import runtime

    data = bytes(model) if isinstance(model, (bytes, bytearray)) else Path(model).read_bytes()
    ip = runtime.Interpreter.from_bytes(data)
    with tempfile.TemporaryFile() as f:
        saved = os.dup(2)
        sys.stderr.flush()
        os.dup2(f.fileno(), 2)
        try:
            ip.print_allocations()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        f.seek(0)
        text = f.read().decode("utf-8", "replace")
    found = dict(re.findall(r"Arena allocation (total|head|tail) (\d+) bytes", text))
    if set(found) != {"total", "head", "tail"}:
        raise Error(f"could not parse tflite_micro's print_allocations output:\n{text[:2000]}")
    return {k: int(v) for k, v in found.items()}
