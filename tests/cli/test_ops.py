"""The runtime reports its own operator × type × path table (hb_run --ops); `hil-bench ops`, `fits` and
`size` read it, and the kernel path rule of hb_kpath.h is asked of the compiler."""

from __future__ import annotations

import json
import shutil

import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from hil_bench.cli.main import main
from tests.cli.test_run import KWS
from tests.runtime.tflite_edit import pack, unpack


def _ops(capsys) -> dict[tuple[str, str], list[str]]:
    assert main(["ops", "--json"]) == 0
    return {(r["operator"], r["type"]): r["paths"] for r in json.loads(capsys.readouterr().out)["ops"]}


def test_ops_lists_every_operator_type_with_its_paths(capsys):
    ops = _ops(capsys)
    assert ops[("CONV_2D", "int8")] == ["c", "dsp", "helium"]
    assert ops[("AVERAGE_POOL_2D", "int8")] == ["c", "dsp", "helium"]
    assert ops[("MUL", "int8")] == ["c"]   # no optimized kernel: the C one runs on every core
    assert ops[("QUANTIZE", "float32->int8")] == ops[("QUANTIZE", "int8")] == ["c"]
    assert ops[("DEQUANTIZE", "int8->float32")] == ["c"]
    assert ("CUSTOM:TFLM_DECODE", "any") in ops
    assert all(paths[0] == "c" for paths in ops.values())
    assert main(["ops"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name, _ in ops)


def _unsupported_kws() -> bytes:
    """kws with an int16 input into its first CONV_2D and its last operator turned into TANH."""
    model = unpack(KWS.read_bytes())
    sg = model.subgraphs[0]
    sg.tensors[int(sg.operators[0].inputs[0])].type = schema.TensorType.INT16
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.TANH
    code.version = 1
    model.operatorCodes.append(code)
    sg.operators[-1].opcodeIndex = len(model.operatorCodes) - 1
    return pack(model)


def test_size_names_every_unsupported_operator_type_before_any_build(tmp_path, capsys, monkeypatch):
    import hil_bench.firmware.runner_image as runner_image

    def no_build(*args, **kwargs):
        raise AssertionError("size built an image for a model the runtime cannot run")

    monkeypatch.setattr(runner_image, "build_image", no_build)
    path = tmp_path / "kws_unsupported.tflite"
    path.write_bytes(_unsupported_kws())
    code = main(["size", str(path), "--board", "mps2-an386", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and not report["fits"] and report["flash_bytes"] is None
    assert report["unsupported_ops"] == ["CONV_2D(int16->int8)", "TANH(int8)"]
    assert all(op in report["reason"] for op in report["unsupported_ops"])


def test_supported_ops_come_from_the_runtime():
    from hil_bench.board_fit import supported_ops, unsupported_ops

    assert {"CONV_2D", "RELU6", "CUSTOM:TFLM_DECODE"} <= supported_ops()
    assert unsupported_ops(KWS.read_bytes()) == []


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")
@pytest.mark.parametrize("cflags, path", [
    (("-mcpu=cortex-m55+nomve.fp", "-mfloat-abi=hard"), "helium"),
    (("-mcpu=cortex-m55+nomve", "-mfloat-abi=hard"), "dsp"),
    (("-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"), "dsp"),
    (("-mcpu=cortex-m0",), "c"),
])
def test_kernel_path_is_what_hb_kpath_h_decides(cflags, path):
    from hil_bench.firmware.features import kernel_path

    assert kernel_path("arm-none-eabi-gcc", (*cflags, "-mthumb")) == path
    assert kernel_path("arm-none-eabi-gcc", (*cflags, "-mthumb"), "ref") == "c"
