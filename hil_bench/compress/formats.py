"""The compression formats hil-bench knows, defined once: DECODE type codes and the method names."""

DECODE_TYPE_LUT = 0      # TFLite Micro's DECODE: look-up table (its own type 0)
DECODE_TYPE_HB = 200     # hil-bench's hb codec: zeros and clusters, entropy coded (DECODE custom range 128-255)
DECODE_TYPES = {DECODE_TYPE_LUT: "lut", DECODE_TYPE_HB: "hb"}    # type code -> method name

METHODS = ("auto", "none", "lut", "hb")   # auto: per tensor the smallest of none (raw), lut and hb
