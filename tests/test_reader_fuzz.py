"""Fuzz the Python model reader: mutants of real models (random bytes, offsets, vector lengths,
truncation) through `audit`, the size report, the C export and the compressors must either work or raise
hil-bench's own error — never a TypeError, IndexError, ... from deep inside a parser.

Budget: HIL_BENCH_FUZZ_EXAMPLES mutants for the audit (default 300, derandomized so `make test` is
stable; the nightly sets e.g. 20000 and then draws fresh random mutants), a third of that for the
slower size report and compressors.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from hil_bench.errors import Error  # noqa: E402
from tests.fuzz_models import layout, mutate  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "mlperf_tiny"
EXAMPLES = int(os.environ.get("HIL_BENCH_FUZZ_EXAMPLES", "300"))
NIGHTLY = "HIL_BENCH_FUZZ_EXAMPLES" in os.environ
KINDS = ("byte", "offset", "length", "truncate")


@functools.lru_cache(maxsize=None)
def model(name: str) -> bytes:
    if name == "kws_lut":  # a compressed model: DECODE op, encoded buffers, ancillary tables
        from hil_bench.compress import compress_model

        return compress_model(model("kws"), "lut").model
    return (FIXTURES / {"kws": "kws_ref_model.tflite", "resnet8": "ic_resnet8_int8.tflite"}[name]).read_bytes()


_layout = functools.lru_cache(maxsize=None)(layout)
MODELS = ("kws", "resnet8", "kws_lut")
mutants = st.tuples(st.sampled_from(MODELS), st.sampled_from(KINDS),
                    st.integers(0, 2**31), st.integers(0, 2**41))


def _settings(share: int):
    return settings(max_examples=max(1, EXAMPLES // share), deadline=None, derandomize=not NIGHTLY,
                    database=None, suppress_health_check=list(HealthCheck))


def build(case) -> bytes:
    name, kind, where, value = case
    return mutate(model(name), kind, where, value, _layout)


def hil_bench_error_or_success(fn, data: bytes, *args):
    try:
        fn(data, *args)
    except Error:
        pass  # refused with a message: fine. Anything else propagates and fails the test.


# Mutants the fuzzer once turned into an unexpected exception, kept as regression cases.
REGRESSIONS = [
    ("kws", "offset", 78, 0),     # an operator's inputs vector gone: TypeError in weighted_operands
    ("kws", "length", 26, 2),     # operator input index -498: ValueError in tflite_micro's model editor
    ("kws", "length", 25, 4),     # tensor index -498 in an operator's outputs: same
    ("kws", "offset", 232657, 0),  # a weight tensor without a shape: TypeError decoding it (nightly run)
]


@_settings(1)
@given(mutants)
def test_audit_never_crashes(case):
    from hil_bench.audit import audit

    hil_bench_error_or_success(audit, build(case))


@_settings(3)
@given(mutants)
def test_size_report_and_export_never_crash(case):
    import tempfile

    from hil_bench.compress.sizes import size_report
    from hil_bench.export import export_c_array

    data = build(case)
    hil_bench_error_or_success(size_report, data)
    with tempfile.TemporaryDirectory() as out:
        hil_bench_error_or_success(export_c_array, data, out)


@_settings(3)
@given(mutants, st.sampled_from(("auto", "lut", "hb", "none")))
def test_compressors_never_crash(case, method):
    from hil_bench.compress import compress_model

    hil_bench_error_or_success(compress_model, build(case), method)


@pytest.mark.parametrize("case", REGRESSIONS)
def test_regressions(case, tmp_path):
    from hil_bench.audit import audit
    from hil_bench.export import export_c_array
    from hil_bench.compress import compress_model
    from hil_bench.compress.sizes import size_report

    data = build(case)
    for fn, args in ((audit, ()), (size_report, ()), (compress_model, ("auto",)), (export_c_array, (tmp_path,))):
        hil_bench_error_or_success(fn, data, *args)


def test_operator_without_inputs_is_refused_naming_it():
    import flatbuffers

    from hil_bench.audit import audit
    from hil_bench.compress.sizes import size_report
    from hil_bench.errors import ModelFileError
    from hil_bench.tflite import TFLITE_IDENTIFIER, read_model

    m = read_model(model("kws"))
    m.subgraphs[0].operators[0].inputs = []  # kws starts with a CONV_2D
    builder = flatbuffers.Builder(0)
    builder.Finish(m.Pack(builder), file_identifier=TFLITE_IDENTIFIER)
    data = bytes(builder.Output())
    for fn in (audit, size_report):
        with pytest.raises(ModelFileError, match="CONV_2D operator 0 has 0 inputs and no weight tensor"):
            fn(data)


def test_mutants_are_mostly_refused_not_all():
    """The fuzzer exercises both paths: some mutants still read, most are refused."""
    from hil_bench.audit import audit

    outcomes = []
    for i in range(40):
        try:
            audit(build(("resnet8", KINDS[i % 4], i * 7919, i * 104729)))
            outcomes.append("ok")
        except Error:
            outcomes.append("refused")
    assert "ok" in outcomes and "refused" in outcomes


@pytest.mark.parametrize("case", [REGRESSIONS[0], REGRESSIONS[-1], ("kws", "truncate", 20000, 0)])
def test_cli_audit_refuses_mutants_cleanly(tmp_path, case):
    path = tmp_path / "bad.tflite"
    path.write_bytes(build(case))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-m", "hil_bench.cli.main", "audit", str(path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert str(path) in done.stderr.replace("\n  ", " "), done.stderr
