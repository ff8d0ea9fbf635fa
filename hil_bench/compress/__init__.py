"""Weight compression for flash: TFLM DECODE/LUT, hil-bench's hb codec, sizes, Vela, image audits.

Modules: ``hbcodec`` (hb encoder, a ``tflite_micro`` compressor plug-in), ``decode`` (independent
decoders for the audits), ``lut`` (TFLM's own tool and pipeline), ``model`` (per-tensor choice),
``sizes`` (size report), ``vela`` (Ethos-U estimates), ``find_in_image`` (survival in a flash image).
"""

from hil_bench.compress.decode import DecodeError, decode_tensor
from hil_bench.compress.model import CompressedModel, TensorChoice, compress_model

__all__ = ["CompressedModel", "TensorChoice", "compress_model", "decode_tensor", "DecodeError"]
