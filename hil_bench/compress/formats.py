"""The compression formats hil-bench knows, defined once: DECODE type codes and the method names."""

DECODE_TYPE_LUT = 0      # TFLite Micro's DECODE: look-up table (its own type 0)
DECODE_TYPE_HB = 200     # hil-bench's hb codec: zeros and clusters, entropy coded (DECODE custom range 128-255)
DECODE_TYPE_NM = 202     # hil-bench's N:M sparse (+ palette) format, executed in place by the kernels
DECODE_TYPES = {DECODE_TYPE_LUT: "lut", DECODE_TYPE_HB: "hb", DECODE_TYPE_NM: "nm"}    # type code -> method name

# auto: per tensor the smallest form the decode mode allows (in place: int8, palette, N:M, N:M + palette;
# init / per-layer: raw, lut, hb); nm: N:M (+ palette) wherever a tensor holds a pattern.
METHODS = ("auto", "none", "lut", "hb", "nm")

# When compressed weights are decoded on the device: "in-place" (the kernels read palette (LUT) and
# N:M weights straight from flash; anything else is decoded once at init), "per-layer" (decoded at
# every invoke), "init" (decoded once into the arena). The default is hil_bench.compress.defaults.DECODE.
DECODE_MODES = ("in-place", "per-layer", "init")
