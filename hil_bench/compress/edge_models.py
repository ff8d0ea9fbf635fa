"""Small int8 models whose weights exercise every in-place weight format's edge cases, for the host
tests, the kernel checker and the board tests: reduction lengths that are no multiple of M or of the
SIMD width (3x3x3 = 27, 12, 20), an all-zero and a single-value output channel in every layer, and
per-channel palettes of exactly 2^b values (b = 1..4) or N:M patterns (2:4, 1:4, 1:8)."""

from __future__ import annotations

import numpy as np

# conv 3x3 over 3 channels (K = 27), 1x1 conv (K = 12), dense (K = 20): no K a multiple of 8 or 16
EDGE_LAYERS = (("conv", 3, 3, 12), ("conv", 1, 12, 20), ("dense", 0, 20, 10))
EDGE_VARIANTS = {
    "palette:1": dict(clusters=2), "palette:2": dict(clusters=4), "palette:3": dict(clusters=8),
    "palette:4": dict(clusters=16), "nm:2:4": dict(nm=(2, 4)), "nm:1:4": dict(nm=(1, 4)),
    "nm:1:8": dict(nm=(1, 8)), "nm:2:4+palette": dict(nm=(2, 4), clusters=4),
}


def edge_base(seed: int = 0) -> bytes:
    """The dense int8 model the variants start from (random weights, random calibration)."""
    from hil_bench.compress.synthetic import synthetic_tflite

    return synthetic_tflite(0.0, 256, seed, layers=EDGE_LAYERS, input_hw=8)


def edge_variant(base: bytes, variant: str) -> bytes:
    """``base`` restructured as ``variant`` (:data:`EDGE_VARIANTS`), then channel 0 of every weight
    tensor set to zeros and channel 1 to one repeated value (its largest weight)."""
    from hil_bench.compress.lut import _aligned, weight_refs
    from hil_bench.compress.synthetic import restructure_tflite
    from hil_bench.tflite import edit_model

    model = restructure_tflite(base, **EDGE_VARIANTS[variant])
    editor = edit_model(model)
    for ref in weight_refs(model):
        tensor = editor.subgraphs[ref.subgraph].tensors[ref.tensor]
        values = tensor.array.copy()
        axis = ref.channel_axis or 0
        moved = np.moveaxis(values, axis, 0)
        moved[0] = 0
        single = moved[1][moved[1] != 0]
        moved[1] = single.flat[0] if single.size else 7
        if "nm" in variant:   # keep the pattern: the single value only at the kept positions
            moved[1] = np.where(np.moveaxis(tensor.array, axis, 0)[1] != 0, moved[1], 0)
        tensor.array = values
    return _aligned(editor.build())


# Two models mixing every format across the three layers (one firmware image each on a board).
MIXED_PLANS = (("nm:1:8", "palette:3", "nm:2:4+palette"), ("palette:1", "nm:1:4", "palette:4"),
               ("palette:2", "nm:2:4", "nm:1:8"))


def edge_mixed(base: bytes, plan: tuple[str, ...]) -> tuple[bytes, bytes]:
    """(dense int8 model, the same stored in place): weight tensor i restructured and stored as
    ``plan[i]``, with the zero and single-value channels of :func:`edge_variant`."""
    from hil_bench.compress.lut import _aligned, compress_with, lut_method, weight_refs
    from hil_bench.compress.nm import NmCompression, nm_pattern
    from hil_bench.tflite import edit_model

    layers = [edit_model(edge_variant(base, variant)) for variant in plan]
    editor = edit_model(base)
    refs = weight_refs(base)
    for i, ref in enumerate(refs):
        editor.subgraphs[ref.subgraph].tensors[ref.tensor].array = \
            layers[i].subgraphs[ref.subgraph].tensors[ref.tensor].array
    dense = _aligned(editor.build())
    methods = {}
    for ref, variant in zip(weight_refs(dense), plan):
        values = edit_model(dense).subgraphs[ref.subgraph].tensors[ref.tensor].array
        if variant.startswith("nm"):
            n, m = nm_pattern(values)
            methods[(ref.subgraph, ref.tensor)] = NmCompression(n=n, m=m, axis=ref.channel_axis,
                                                                palette="palette" in variant)
        else:
            methods[(ref.subgraph, ref.tensor)] = lut_method(values, ref.channel_axis)
    return dense, compress_with(dense, methods)
