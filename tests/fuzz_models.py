"""Mutants of real .tflite files for the reader fuzz test: where a flatbuffer keeps its offsets and
vector lengths, and the mutations (bytes, offsets, vector lengths, truncation) applied to them."""

from __future__ import annotations

import struct

from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

# (table class, vtable slot) of every vector the readers follow, from the schema.
_VECTORS = {
    "Model": (6, 8, 12),
    "SubGraph": (4, 6, 8, 10),
    "Tensor": (4,),
    "Operator": (6, 8, 14),
    "Buffer": (4,),
    "QuantizationParameters": (4, 6, 8, 10),
}


def _vector(table, slot: int) -> int | None:
    """Position of a vector's length field, or None when the field is absent."""
    o = table._tab.Offset(slot)
    return table._tab.Vector(o) - 4 if o else None


def layout(data: bytes) -> tuple[list[int], list[int]]:
    """(positions of uint32 offsets, positions of uint32 vector lengths) in a valid model."""
    m = schema.Model.GetRootAs(data, 0)
    offsets, lengths = [0], []

    def table(t, kind):
        offsets.append(t._tab.Pos)  # the table's soffset to its vtable
        lengths.extend(p for p in (_vector(t, s) for s in _VECTORS.get(kind, ())) if p is not None)

    def elements(vec_len_pos, count):
        offsets.extend(vec_len_pos + 4 + 4 * i for i in range(count))

    table(m, "Model")
    for getter, count, kind, slot in ((m.Buffers, m.BuffersLength(), "Buffer", 12),
                                      (m.OperatorCodes, m.OperatorCodesLength(), None, 6)):
        elements(_vector(m, slot), count)
        for i in range(count):
            table(getter(i), kind)
    elements(_vector(m, 8), m.SubgraphsLength())
    for s in range(m.SubgraphsLength()):
        sg = m.Subgraphs(s)
        table(sg, "SubGraph")
        elements(_vector(sg, 4), sg.TensorsLength())
        for i in range(sg.TensorsLength()):
            t = sg.Tensors(i)
            table(t, "Tensor")
            q = t.Quantization()
            if q is not None:
                table(q, "QuantizationParameters")
        elements(_vector(sg, 10), sg.OperatorsLength())
        for i in range(sg.OperatorsLength()):
            table(sg.Operators(i), "Operator")
    return sorted(set(offsets)), sorted(set(lengths))


def mutate(data: bytes, kind: str, where: int, value: int, layout_of) -> bytes:
    """One mutant. ``where`` and ``value`` are raw draws, mapped onto the file per ``kind``."""
    out = bytearray(data)
    if kind == "byte":
        out[where % len(out)] = value & 0xFF
    elif kind == "truncate":
        del out[where % len(out):]
    elif kind in ("offset", "length"):
        offsets, lengths = layout_of(data)
        spots = offsets if kind == "offset" else lengths
        pos = spots[where % len(spots)]
        old = struct.unpack_from("<I", out, pos)[0]
        # half the time a near miss (off by a little), half a wild value
        new = (old + (value % 17) - 8) if value & 1 << 40 else value
        struct.pack_into("<I", out, pos, new & 0xFFFFFFFF)
    else:
        raise ValueError(kind)
    return bytes(out)
