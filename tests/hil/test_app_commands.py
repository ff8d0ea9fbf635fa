"""The device app's command table on real QEMU boards (every --board): every malformed command is answered
with one e-[...] line saying what was wrong, then m-ready, and the device stays usable; limits (line length,
operators profiled) are lifted or reported; help lists every command; hb-info names the kernel path."""

import re

import pytest

from hil_bench.boards.session import open_dut

from .conftest import needs_tools

pytestmark = needs_tools

COMMANDS = {"help", "name", "profile", "timestamp", "db", "infer", "results", "hb-info", "hb-put", "hb-get",
            "hb-infer", "hb-batch", "hb-read", "hb-crc", "hb-sink", "hb-exit", "hb-fault", "hb-hang"}
KERNELS = {"cortex-m55": "helium", "cortex-m4": "dsp", "cortex-m7": "dsp", "cortex-m33": "dsp"}


def _reply(link, cmd: bytes) -> list[str]:
    link.write(cmd + b"%")
    return link.reply_lines(10, cmd[:40].decode(errors="replace"))


def _error(link, cmd: bytes, *phrases: str) -> str:
    """Send a malformed command: exactly one e-[...] line containing every phrase, and the device still answers."""
    lines = _reply(link, cmd)
    assert len(lines) == 1 and lines[0].startswith("e-[") and lines[0].endswith("]"), (cmd, lines)
    for phrase in phrases:
        assert phrase in lines[0], (cmd, lines[0], phrase)
    assert _reply(link, b"name")[0].startswith("m-name-dut-[hil-bench ")
    return lines[0]


def test_malformed_commands_get_an_error_and_the_device_stays_usable(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        link = dut.link
        _error(link, b"bogus", "Unknown command: bogus")
        _error(link, b"", "Empty command")
        _error(link, b"   ", "Empty command")
        # extra arguments: named, with the usage
        _error(link, b"name now", "name: unexpected argument 'now'", "usage: name")
        _error(link, b"help me", "unexpected argument 'me'")
        _error(link, b"results 1", "unexpected argument '1'")
        _error(link, b"hb-info all", "hb-info: unexpected argument 'all'")
        _error(link, b"db print 8", "unexpected argument '8'")
        _error(link, b"infer 1 0 7", "infer: unexpected argument '7'")
        _error(link, b"hb-sink 4 4", "hb-sink: unexpected argument '4'")
        # missing arguments
        _error(link, b"hb-put", "hb-put: LEN missing", "usage: hb-put LEN CRC32")
        _error(link, b"hb-put 16", "hb-put: CRC32 missing")
        _error(link, b"hb-infer 1", "hb-infer: WARMUP missing", "usage: hb-infer N WARMUP (PROFILE=0)")
        _error(link, b"hb-batch 1 4", "hb-batch: CRC32 missing")
        _error(link, b"hb-read 0", "hb-read: LEN missing")
        _error(link, b"hb-crc", "hb-crc: OFFSET missing")
        _error(link, b"hb-sink", "hb-sink: LEN missing")
        _error(link, b"db load", "'db load' requires the # of bytes")
        # not numbers
        _error(link, b"hb-sink ten", "LEN 'ten' is not an unsigned number")
        _error(link, b"hb-put 1x 0", "LEN '1x' is not an unsigned number")
        _error(link, b"hb-put 4 0xfffffffff", "CRC32 '0xfffffffff' is not an unsigned number")
        _error(link, b"hb-read -1 4", "OFFSET '-1' is not an unsigned number")
        _error(link, b"hb-exit x", "CODE 'x' is not an unsigned number")
        _error(link, b"hb-infer 1 0 yes", "PROFILE 'yes' is not an unsigned number")
        _error(link, b"db load many", "'db load' needs a number of bytes, not 'many'")
        _error(link, b"infer 1 w", "Inference warmup must be >=0")
        # out of range: P and CODE are no longer ignored
        _error(link, b"hb-infer 1 0 2", "hb-infer: PROFILE 2 outside 0..1")
        _error(link, b"hb-exit 256", "hb-exit: CODE 256 outside 0..255")
        _error(link, b"hb-put 0 0", "hb-put: LEN 0 outside 1..")
        _error(link, b"hb-get 0", "hb-get: no output: no-model")
        _error(link, b"hb-crc 0 1", "outside the model's 0 bytes")
        # and no garbage reaches the input buffer on the way
        assert _reply(link, b"db print") == []


def test_db_chunks_are_all_or_nothing(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        link = dut.link
        _error(link, b"db 0011", "no 'db load N' before the data")
        assert _reply(link, b"db load 3") == ["m-[Expecting 3 bytes]"]
        _error(link, b"db 00112233", "4 bytes sent, only 3 of the 3 announced left")
        _error(link, b"db 0011zz", "Invalid hex digit 'zz'")     # checked before anything is stored
        assert _reply(link, b"db print") == []
        assert _reply(link, b"db 0a0b") == []
        _error(link, b"db 0c0d", "2 bytes sent, only 1 of the 3 announced left")
        assert _reply(link, b"db 0c") == ["m-load-done"]
        _error(link, b"db 0e", "db buffer already full: 3 bytes")
        assert _reply(link, b"db print") == ["m-buffer-0a-0b-0c"]


def test_command_line_limit_is_reported(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        link = dut.link
        limit = dut.protocol.info()["command_bytes"]
        assert limit == 80
        # exactly at the limit the command runs (CR/LF are not part of a line) ...
        assert _reply(link, b"name" + b" " * (limit - 4) + b"\r\n") == [f"m-name-dut-[hil-bench {board.name}]"]
        # ... one character more and the whole line is refused, not run cut short: a cut db HEX would load
        # part of its data; the rest of the line up to its '%' is dropped with it
        assert _reply(link, b"db load 40") == ["m-[Expecting 40 bytes]"]
        err = _error(link, b"db " + bytes(range(40)).hex().encode(), f"Command longer than {limit} characters",
                     "(83 received)", "ignored: db 0001020304050...")
        assert err.endswith("...]")
        assert _reply(link, b"db print") == []
        _error(link, b"x" * 5000, "(5000 received)")
        assert _reply(link, b"db " + bytes(range(31)).hex().encode()) == []   # MLPerf's runner chunk fits
        assert len(_reply(link, b"db print")) == 4


def test_help_walks_the_command_table(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        lines = _reply(dut.link, b"help")
        assert lines[0] == "ULPMark for tinyML Firmware V0.0.1"
        listed = {line.split()[0] for line in lines[1:]}
        assert listed == COMMANDS
        assert all(" - " in line for line in lines[1:])
        # every command listed is dispatched (none answers "Unknown command"); only side-effect-free ones run
        for name in sorted(COMMANDS - {"hb-exit", "hb-fault", "hb-hang", "hb-sink", "hb-put", "hb-batch"}):
            assert not any("Unknown command" in line for line in _reply(dut.link, name.encode())), name
        dut.protocol.exit(7)
        assert dut.runner.wait_exit(10) == 7


def test_info_reports_the_kernel_path(board, test_image):
    with open_dut(board, test_image.elf, boot_timeout_s=20) as dut:
        assert dut.protocol.info()["kernels"] == "none"      # the test image links no runtime


def _add_chain(ops: int, width: int = 64) -> bytes:
    """An int8 model of ``ops`` ADD operators in a chain (x + x each), written with the TFLite schema."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.ADD
    code.version = 1
    sg = schema.SubGraphT()
    sg.tensors, sg.operators = [], []
    for i in range(ops + 1):
        q = schema.QuantizationParametersT()
        q.scale, q.zeroPoint = [0.01 * 2 ** min(i, 20)], [0]
        t = schema.TensorT()
        t.shape, t.type, t.buffer, t.name, t.quantization = [1, width], schema.TensorType.INT8, i + 1, f"t{i}", q
        sg.tensors.append(t)
    for i in range(ops):
        op = schema.OperatorT()
        op.opcodeIndex, op.inputs, op.outputs = 0, [i, i], [i + 1]
        op.builtinOptionsType, op.builtinOptions = schema.BuiltinOptions.AddOptions, schema.AddOptionsT()
        sg.operators.append(op)
    sg.inputs, sg.outputs = [0], [ops]
    model = schema.ModelT()
    model.version, model.operatorCodes, model.subgraphs = 3, [code], [sg]
    model.buffers = [schema.BufferT() for _ in range(ops + 2)]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def test_profile_covers_every_operator_beyond_256(board):
    """More operators than the firmware keeps per-op ticks for (256): every one is still profiled."""
    import numpy as np

    from hil_bench.firmware import build_firmware

    ops = 600
    image = build_firmware(board, _add_chain(ops))
    with open_dut(board, image.elf, boot_timeout_s=20) as dut:
        p = dut.protocol
        info = p.info()
        assert info["model_status"] == "ok" and info["ops"] == ops
        assert info["kernels"] == KERNELS[board.cpu.core]
        p.put(np.arange(64, dtype=np.int8).tobytes())
        result = p.infer(2, 0, profile=True)
        assert [name for name, _ in result.layers] == ["ADD"] * ops
        ticks = [t for _, t in result.layers]
        assert min(ticks) > 0, "an operator past the first window got no ticks"
        # every op does the same work: the windows measure alike (one tick of quantization either way)
        assert max(ticks) - min(ticks) <= 1 + max(ticks) // 10
        # the ops' ticks add up to the profiled run (the hook's own time is outside every op)
        assert 0.8 * result.profiled_ticks <= sum(ticks) <= result.profiled_ticks
        assert result.profiled_ticks >= result.ticks[0]
        lines = dut.link.command("hb-infer 0 0 1", timeout=60)
        indices = [int(m.group(1)) for m in map(re.compile(r"m-hb-layer-(\d+)-").match, lines) if m]
        assert indices == list(range(ops)) and lines[-1] == "m-hb-infer-done"
