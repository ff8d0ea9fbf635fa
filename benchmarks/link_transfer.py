"""Host -> device transfer rate on a QEMU board: binary hb-put (length + CRC-32) vs the raw link rate.

Raw link rate: ``hb-sink N``, the device swallows N raw bytes with no checking, timed from the first
byte written to the device's confirmation. Binary: ``hb-put N CRC`` including the command, the CRC
check and the reply. Hex: MLPerf Tiny's ``db load`` + ``db HEX`` commands of 31 bytes. Rates are wall
clock on this machine (QEMU's UART model paces the link), the target is binary >= 80 % of raw.

    .venv/bin/python benchmarks/link_transfer.py [--board corstone300] [--bytes 32768] [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from hil_bench.boards.session import open_dut
from hil_bench.firmware import build_firmware


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _rate(fn, nbytes: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return nbytes / statistics.median(times)


def measure(board: str, nbytes: int, repeats: int) -> dict:
    image = build_firmware(board)  # the model-less test image is enough: only the link is measured
    data = os.urandom(nbytes)
    hex_bytes = min(nbytes, 4096)
    with open_dut(board, image.elf) as dut:
        p = dut.protocol
        p.sink(data[:1024])  # warm-up, so the first timed transfer does not pay for it
        raw_times, put_times = [], []
        for _ in range(repeats):  # interleaved, so machine load drifts hit both alike
            raw_times.append(_timed(lambda: p.sink(data)))
            put_times.append(_timed(lambda: p.put(data)))
        raw, binary = nbytes / statistics.median(raw_times), nbytes / statistics.median(put_times)
        hexed = _rate(lambda: p.db_load_hex(data[:hex_bytes]), hex_bytes, 1)
        p.exit(0)
    return {"board": board, "bytes": nbytes, "repeats": repeats, "unit": "bytes/s (wall clock, QEMU TCP UART)",
            "raw_link": round(raw), "binary_put": round(binary), "mlperf_hex_db": round(hexed),
            "binary_over_raw": round(binary / raw, 3), "binary_over_hex": round(binary / hexed, 2),
            "target_binary_over_raw": 0.8}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", default="corstone300")
    ap.add_argument("--bytes", type=int, default=32768)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = measure(args.board, args.bytes, args.repeats)
    if args.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k:>24}: {v}")


if __name__ == "__main__":
    main()
