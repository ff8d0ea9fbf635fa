"""`serve --pty`'s front without a board: a client that writes and closes leaves nothing for the next one."""

from __future__ import annotations

import os
import select

from hil_bench.serve import PtyFront


def _pending(front: PtyFront) -> bytes:
    """What the bridge would forward to the board now."""
    got = b""
    for reader in front.readers():
        if select.select([reader], [], [], 0.2)[0]:
            got += front.receive(reader)
    return got


def test_input_written_before_a_close_is_not_delivered_to_the_next_client():
    front = PtyFront()
    try:
        client = os.open(front.connect, os.O_RDWR | os.O_NOCTTY)
        assert _pending(front) == b""
        os.write(client, b"name%")
        os.close(client)          # gone before the bridge read it
        assert front.readers() == []   # no client: what it left is dropped
        client = os.open(front.connect, os.O_RDWR | os.O_NOCTTY)
        try:
            assert _pending(front) == b""   # nothing stale reaches the board for the new client
            os.write(client, b"profile%")
            assert _pending(front) == b"profile%"   # and what the new client writes does
        finally:
            os.close(client)
    finally:
        front.close()
