"""A corpus of malformed and unsupported models, each with the refusal it must get.

Made from a real model (MLPerf Tiny KWS) by editing its tables (tflite_edit) or its bytes. Every
entry: (name, model bytes, expected exit status of hb_run or None for "any clean status").
Exit statuses are 3 + hb_status: 5 = HB_ERR_MODEL, 6 = HB_ERR_UNSUPPORTED, 7 = HB_ERR_ARENA.
"""

from __future__ import annotations

import struct

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from tflite_edit import pack, unpack

MODEL, UNSUPPORTED = 5, 6


def _edit(base: bytes, fn) -> bytes:
    m = unpack(base)
    fn(m, m.subgraphs[0])
    return pack(m)


def _table_edits(base: bytes) -> list:
    """(name, edit function, expected status, substring of the message)."""
    def op_input(k, v):
        def f(m, sg):
            sg.operators[0].inputs[k] = v
        return f

    def shape(t, dims):
        def f(m, sg):
            sg.tensors[t].shape = np.array(dims, dtype=np.int32)
        return f

    def first_op_tensor(kind):
        def pick(sg):
            return sg.operators[0].inputs[kind] if kind >= 0 else sg.operators[0].outputs[0]
        return pick

    def tensor_type(kind, typ):
        def f(m, sg):
            sg.tensors[first_op_tensor(kind)(sg)].type = typ
        return f

    def swap_ops(m, sg):
        sg.operators[0], sg.operators[1] = sg.operators[1], sg.operators[0]

    def cycle(m, sg):
        sg.operators[0].inputs[0] = sg.operators[1].outputs[0]

    def write_twice(m, sg):
        sg.operators[1].outputs[0] = sg.operators[0].outputs[0]

    def write_const(m, sg):
        sg.operators[0].outputs[0] = sg.operators[0].inputs[1]

    def opcode(v):
        def f(m, sg):
            sg.operators[0].opcodeIndex = v
        return f

    def builtin(code):
        def f(m, sg):
            c = m.operatorCodes[sg.operators[0].opcodeIndex]
            c.builtinCode, c.deprecatedBuiltinCode = code, min(code, 127)
        return f

    def buffer_index(v):
        def f(m, sg):
            sg.tensors[sg.operators[0].inputs[1]].buffer = v
        return f

    def graph_input(v):
        def f(m, sg):
            sg.inputs = np.array([v], dtype=np.int32)
        return f

    def no_ops(m, sg):
        sg.operators = []

    def two_subgraphs(m, sg):
        m.subgraphs.append(m.subgraphs[0])

    def scales(n):
        def f(m, sg):
            q = sg.tensors[sg.operators[0].inputs[1]].quantization
            q.scale = np.ones(n, dtype=np.float32) * 0.01
            q.zeroPoint = np.zeros(n, dtype=np.int64)
        return f

    def zero_scale(m, sg):
        sg.tensors[sg.operators[0].inputs[0]].quantization.scale = np.array([0.0], dtype=np.float32)

    def nan_scale(m, sg):
        sg.tensors[sg.operators[0].outputs[0]].quantization.scale = np.array([np.nan], dtype=np.float32)

    def stride(v):
        def f(m, sg):
            sg.operators[0].builtinOptions.strideW = v
        return f

    def variable(m, sg):
        sg.tensors[sg.operators[0].outputs[0]].isVariable = True

    def const_input(m, sg):
        sg.inputs = np.array([sg.operators[0].inputs[1]], dtype=np.int32)

    def huge_buffer_offset(m, sg):
        b = m.buffers[sg.tensors[sg.operators[0].inputs[1]].buffer]
        b.data, b.offset, b.size = None, 1 << 40, 144

    def output_never_written(m, sg):
        sg.outputs = np.array([sg.operators[0].inputs[1]], dtype=np.int32)

    return [
        ("op_input_out_of_range", op_input(0, 9999), MODEL, "input 0 is tensor 9999"),
        ("op_input_negative", op_input(0, -7), MODEL, "tensor -7"),
        ("op_weights_omitted", op_input(1, -1), MODEL, "input 1 is tensor -1"),
        ("huge_dims", shape(0, [1, 100000, 100000, 3]), UNSUPPORTED, "2 GiB"),
        ("zero_dim", shape(0, [1, 0, 10, 1]), UNSUPPORTED, "dimension 1 is 0"),
        ("negative_dim", shape(0, [1, -1, 10, 1]), UNSUPPORTED, "dimension 1 is -1"),
        ("rank_7", shape(0, [1, 1, 1, 49, 10, 1, 1]), UNSUPPORTED, "rank 7"),
        ("input_shape_mismatch", shape(0, [1, 48, 10, 1]), MODEL, "output shape does not match"),
        ("weights_buffer_too_small", shape(1, [64, 10, 4, 2]), MODEL, "buffer holds"),
        ("float_input", tensor_type(0, schema.TensorType.FLOAT32), UNSUPPORTED, "int8"),
        ("int32_weights", tensor_type(1, schema.TensorType.INT32), MODEL, "buffer holds"),
        ("int8_bias", tensor_type(2, schema.TensorType.INT8), MODEL, "buffer holds"),
        ("string_output", tensor_type(-1, schema.TensorType.STRING), UNSUPPORTED, "CONV_2D"),
        ("ill_ordered_ops", swap_ops, MODEL, "before any operator writes it"),
        ("cyclic_graph", cycle, MODEL, "before any operator writes it"),
        ("tensor_written_twice", write_twice, MODEL, "already written"),
        ("constant_written", write_const, MODEL, "constant"),
        ("opcode_index_out_of_range", opcode(99), MODEL, "opcode index 99"),
        ("unsupported_op_tanh", builtin(schema.BuiltinOperator.TANH), UNSUPPORTED, "TANH"),
        ("unsupported_op_lstm", builtin(schema.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM), UNSUPPORTED,
         "UNIDIRECTIONAL_SEQUENCE_LSTM"),
        ("unknown_builtin_code", builtin(5000), UNSUPPORTED, "UNKNOWN"),
        ("buffer_index_out_of_range", buffer_index(100000), MODEL, "buffer 100000"),
        ("graph_input_out_of_range", graph_input(12345), MODEL, "graph input 0 is tensor 12345"),
        ("graph_input_constant", const_input, MODEL, "constant"),
        ("graph_output_never_written", output_never_written, MODEL, "never written"),
        ("no_operators", no_ops, MODEL, "no operators"),
        ("two_subgraphs", two_subgraphs, UNSUPPORTED, "2 subgraphs"),
        ("scale_count_mismatch", scales(7), MODEL, "scales"),
        ("zero_input_scale", zero_scale, UNSUPPORTED, "int8"),
        ("nan_output_scale", nan_scale, UNSUPPORTED, "int8"),
        ("zero_stride", stride(0), MODEL, "stride"),
        ("huge_stride", stride(1 << 30), MODEL, "stride"),
        ("variable_tensor", variable, UNSUPPORTED, "variable"),
        ("buffer_outside_file", huge_buffer_offset, MODEL, "outside the file"),
    ]


def _byte_edits(base: bytes) -> list[tuple[str, bytes, int | None, str]]:
    n = len(base)
    out = []
    for cut in (0, 3, 7, 8, 12, 16, 64, 256, n // 3, n // 2, n - 100, n - 1):
        out.append((f"truncated_{cut}", base[:cut], MODEL, ""))
    bad_root = bytearray(base)
    struct.pack_into("<I", bad_root, 0, n + 100)
    out.append(("root_offset_past_end", bytes(bad_root), MODEL, "malformed model table"))
    huge_root = bytearray(base)
    struct.pack_into("<I", huge_root, 0, 0xFFFFFFF0)
    out.append(("root_offset_huge", bytes(huge_root), MODEL, "malformed model table"))
    root = struct.unpack_from("<I", base, 0)[0]
    for name, value in (("vtable_offset_huge", 0x7FFFFFFF), ("vtable_offset_negative", -0x7FFFFFFF),
                        ("vtable_offset_self", 0)):
        b = bytearray(base)
        struct.pack_into("<i", b, root, value)
        out.append((name, bytes(b), MODEL, ""))
    no_id = bytearray(base)
    no_id[4:8] = b"XXXX"
    out.append(("wrong_identifier", bytes(no_id), MODEL, "TFL3"))
    return out


def _random_mutants(base: bytes, count: int, seed: int) -> list[tuple[str, bytes, int | None, str]]:
    """Byte flips and overwrites with 32-bit extremes (a mutant may stay valid: any clean status)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        b = bytearray(base)
        for _ in range(int(rng.integers(1, 8))):
            pos = int(rng.integers(0, len(b) - 4))
            if rng.random() < 0.5:
                b[pos] ^= 1 << int(rng.integers(0, 8))
            else:
                struct.pack_into("<I", b, pos, int(rng.choice([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                                                               len(b), len(b) - 4])))
        out.append((f"mutant_{k}", bytes(b), None, ""))
    return out


def corpus(base: bytes, mutants: int = 150) -> list[tuple[str, bytes, int | None, str]]:
    items = [(name, _edit(base, fn), status, text) for name, fn, status, text in _table_edits(base)]
    return items + _byte_edits(base) + _random_mutants(base, mutants, seed=7)
