"""What the bytes of a stored .tflite are, and the model without the strings the runtime never reads.

A firmware engineer plans flash by parts: the weights (the weighted ops' kernels, raw or compressed,
with their decode tables), the biases and other constant tensors, the quantization parameters (a
float scale and a 64-bit zero point per channel), the names (tensor, subgraph and signature names,
the description: often 100 characters a tensor) and the rest, the graph metadata (flatbuffer
tables, shapes, operator options, metadata entries, padding). :func:`model_parts` splits a model so, the
parts summing to its length; :func:`strip_names` drops the names, keeping every tensor, buffer and
operator in its place, so the outputs are bit-exact and the weight checksum table still applies.
"""

from __future__ import annotations

from hil_bench.tflite import WEIGHTED_OPS, int_list, opcode_name, read_model

PARTS = ("weights", "biases", "quantization", "metadata", "names")
_DECODE = "CUSTOM:TFLM_DECODE"


def _string_bytes(text) -> int:
    """A flatbuffer string's bytes: a 4-byte length, the characters and the terminating NUL."""
    if text is None:
        return 0
    return 4 + len(text if isinstance(text, (bytes, bytearray)) else str(text).encode()) + 1


def _weight_tensors(model) -> set[tuple[int, int]]:
    """(subgraph, tensor) of every weight input of a weighted op and every input of a DECODE op."""
    found = set()
    for s, sg in enumerate(model.subgraphs or []):
        for op in sg.operators or []:
            code = model.operatorCodes[op.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            inputs = int_list(op.inputs)
            if builtin in WEIGHTED_OPS:
                index = WEIGHTED_OPS[builtin][1]
                if index < len(inputs) and inputs[index] >= 0:
                    found.add((s, inputs[index]))
            elif opcode_name(model, op) == _DECODE:
                found.update((s, t) for t in inputs if t >= 0)
    return found


def model_parts(model_bytes: bytes) -> dict[str, int]:
    """``{part: bytes}`` for :data:`PARTS`, summing to ``len(model_bytes)``; ``metadata`` is what
    the others leave (tables, length words, shapes, options, metadata entries, alignment)."""
    model = read_model(model_bytes)
    weights = _weight_tensors(model)
    parts = dict.fromkeys(PARTS, 0)
    counted = set()
    for s, sg in enumerate(model.subgraphs or []):
        parts["names"] += _string_bytes(sg.name)
        for t, tensor in enumerate(sg.tensors or []):
            parts["names"] += _string_bytes(tensor.name)
            q = tensor.quantization
            if q is not None:
                parts["quantization"] += sum(4 * len(v) for v in (q.scale, q.min, q.max) if v is not None)
                parts["quantization"] += 8 * len(q.zeroPoint) if q.zeroPoint is not None else 0
            buf = model.buffers[tensor.buffer] if tensor.buffer < len(model.buffers or []) else None
            if buf is None or buf.data is None or len(buf.data) == 0 or tensor.buffer in counted:
                continue
            counted.add(tensor.buffer)
            parts["weights" if (s, t) in weights else "biases"] += len(buf.data)
    parts["names"] += _string_bytes(model.description)
    for sig in model.signatureDefs or []:
        parts["names"] += _string_bytes(sig.signatureKey)
        for tmap in (sig.inputs or []) + (sig.outputs or []):
            parts["names"] += _string_bytes(tmap.name)
    parts["metadata"] = len(model_bytes) - sum(parts.values())
    return parts


def strip_names(model_bytes: bytes) -> bytes:
    """The model without tensor, subgraph and signature names and its description. Tensors, buffers and
    operators keep their indices (the runtime and the weight checksums address them so), so the
    outputs are the same bytes; the binary audit pairs stripped tensors with a reference by position."""
    import flatbuffers

    model = read_model(model_bytes)
    model.description = None
    model.signatureDefs = None
    for sg in model.subgraphs or []:
        sg.name = None
        for tensor in sg.tensors or []:
            tensor.name = None
    builder = flatbuffers.Builder(len(model_bytes))
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def decoded_weight_bytes(model_bytes: bytes) -> int:
    """Bytes of the tensors DECODE operators produce: what decoding at init keeps in the arena."""
    from hil_bench.tensor_types import element_bytes

    model = read_model(model_bytes)
    total = 0
    for sg in model.subgraphs or []:
        for op in sg.operators or []:
            if opcode_name(model, op) != _DECODE:
                continue
            for t in int_list(op.outputs):
                tensor = sg.tensors[t]
                count = 1
                for d in int_list(tensor.shape):
                    count *= max(d, 1)
                total += count * element_bytes(tensor.type, f"tensor {t}")
    return total


__all__ = ["PARTS", "decoded_weight_bytes", "model_parts", "strip_names"]
