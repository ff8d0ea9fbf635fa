"""Ethos-U size and speed *estimates* from Arm's Vela compiler (``ethos-u-vela``), run offline.

Every number here is Vela's estimate for the NPU, not a measurement: running on an Ethos-U needs
Arm's FVP or hardware and the Ethos-U driver. Vela cannot read LUT/hb-compressed models (custom
DECODE op): give it the uncompressed int8 .tflite.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from hil_bench.errors import ToolMissingError, UnsupportedModelError, UsageError

DEFAULT_ACCELERATOR = "ethos-u55-128"
_INSTALL = "pip install ethos-u-vela"


@dataclass(frozen=True)
class VelaEstimate:
    """Vela's summary for one model; all fields are Vela estimates (``source`` says so)."""

    accelerator: str
    system_config: str
    memory_mode: str
    vela_original_weight_bytes: int
    vela_encoded_weight_bytes: int      # NPU weight stream, includes Vela's per-channel scale/bias words
    vela_sram_bytes: int
    vela_flash_bytes: int               # off-chip + on-chip flash used
    vela_npu_cycles: int
    vela_total_cycles: int
    vela_inference_time_s: float
    vela_inferences_per_second: float
    vela_cpu_operators: int | None
    source: str = "Vela estimate (ethos-u-vela, offline; not measured on an NPU)"

    def to_json(self) -> dict:
        return asdict(self)


def vela_executable() -> str:
    candidate = Path(sys.executable).with_name("vela")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("vela")
    if found is None:
        raise ToolMissingError(f"ethos-u-vela is not installed; run `{_INSTALL}`")
    return found


def run_vela(tflite: bytes | str | Path, accelerator: str = DEFAULT_ACCELERATOR, timeout_s: float = 300.0,
             extra_args: tuple[str, ...] = ()) -> VelaEstimate:
    """Compile ``tflite`` with Vela in a temporary directory and parse its summary CSV."""
    data = Path(tflite).read_bytes() if isinstance(tflite, (str, Path)) else bytes(tflite)
    exe = vela_executable()
    with tempfile.TemporaryDirectory(prefix="hil-bench-vela-") as tmp:
        model = os.path.join(tmp, "model.tflite")
        with open(model, "wb") as fh:
            fh.write(data)
        cmd = [exe, model, "--accelerator-config", accelerator, "--output-dir", os.path.join(tmp, "out"),
               *extra_args]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, cwd=tmp)
        except subprocess.TimeoutExpired as exc:
            tail = (exc.stdout or b"")[-800:] if isinstance(exc.stdout, bytes) else (exc.stdout or "")[-800:]
            raise UnsupportedModelError(f"Vela did not finish within {timeout_s:.0f} s; last output:\n{tail}") from None
        if proc.returncode != 0:
            if "invalid choice" in proc.stderr and "accelerator-config" in proc.stderr:
                raise UsageError(f"Vela does not know accelerator {accelerator!r}: {proc.stderr.strip()[-400:]}")
            raise UnsupportedModelError(
                f"Vela could not compile the model (exit {proc.returncode}); Vela needs a full-int8 model of "
                f"standard TFLite ops (not a LUT/hb-compressed one). Vela said:\n"
                f"{(proc.stderr or proc.stdout).strip()[-1200:]}")
        summaries = list(Path(tmp, "out").glob("*_summary_*.csv"))
        if not summaries:
            raise UnsupportedModelError(f"Vela wrote no summary CSV; its output:\n{proc.stdout[-800:]}")
        with open(summaries[0], newline="") as fh:
            row = next(csv.DictReader(fh))
    return _parse(row, accelerator, proc.stdout)


def _parse(row: dict, accelerator: str, stdout: str) -> VelaEstimate:
    def kib(key):
        return round(float(row.get(key) or 0.0) * 1024)

    cpu_ops = None
    for line in stdout.splitlines():
        if line.strip().startswith("CPU operators"):
            cpu_ops = int(line.split("=")[1].split("(")[0])
    return VelaEstimate(
        accelerator=accelerator,
        system_config=row["system_config"],
        memory_mode=row["memory_mode"],
        vela_original_weight_bytes=int(float(row["total_original_weights"])),
        vela_encoded_weight_bytes=int(float(row["total_npu_encoded_weights"])),
        vela_sram_bytes=kib("sram_memory_used"),
        vela_flash_bytes=kib("off_chip_flash_memory_used") + kib("on_chip_flash_memory_used"),
        vela_npu_cycles=int(float(row["cycles_npu"])),
        vela_total_cycles=int(float(row["cycles_total"])),
        vela_inference_time_s=float(row["inference_time"]),
        vela_inferences_per_second=float(row["inferences_per_second"]),
        vela_cpu_operators=cpu_ops,
    )
