"""The runner kinds hil-bench knows, keyed by the ``kind`` a board file's ``[[runner]]`` names.

Adding a kind: one Runner subclass in its own module, and one line here.
"""

from __future__ import annotations

from hil_bench.boards.fvp import FvpRunner
from hil_bench.boards.host import HostRunner
from hil_bench.boards.labgrid import LabgridRunner
from hil_bench.boards.pyocd import PyocdRunner
from hil_bench.boards.qemu import QemuRunner
from hil_bench.boards.runner import Runner
from hil_bench.errors import BoardError

RUNNERS: dict[str, type[Runner]] = {cls.kind: cls for cls in (QemuRunner, FvpRunner, PyocdRunner, HostRunner,
                                                             LabgridRunner)}


def runner_class(kind: str) -> type[Runner]:
    try:
        return RUNNERS[kind]
    except KeyError:
        raise BoardError(f"runner kind {kind!r} unknown; known: {', '.join(RUNNERS)}") from None
