"""Tables defined once: TFLite tensor types, DECODE types, compression methods, weighted layers."""

import numpy as np
import pytest

from hil_bench.errors import ModelFileError
from hil_bench.tensor_types import element_bytes, numpy_dtype
from hil_bench.weighted import BY_KERAS_CLASS, BY_TFLITE_OP, WEIGHTED_LAYERS


def test_tensor_types_follow_the_schema():
    assert numpy_dtype(9) == np.int8 and numpy_dtype(3) == np.uint8 and numpy_dtype(0) == np.float32
    assert element_bytes(7) == 2 and element_bytes(4) == 8


def test_unknown_tensor_type_is_an_error_not_a_guess():
    with pytest.raises(ModelFileError, match="input 0: tensor type STRING \\(5\\) is not supported"):
        element_bytes(5, "input 0")
    with pytest.raises(ModelFileError, match="unknown type 99"):
        numpy_dtype(99)


def test_decode_types_and_methods_are_the_codecs_own():
    from hil_bench.compress import decode, hbcodec, nm
    from hil_bench.compress.formats import DECODE_TYPES, METHODS
    from hil_bench.compress.model import compress_model

    assert DECODE_TYPES == {decode.TYPE_LUT: "lut", hbcodec.HB_DECODE_TYPE: "hb", nm.DECODE_TYPE_NM: "nm"}
    assert set(DECODE_TYPES.values()) | {"auto", "none"} == set(METHODS)
    with pytest.raises(Exception, match="use one of auto, none, lut, hb, nm"):
        compress_model(b"", "zip")


def test_weighted_layers_drive_every_user():
    from hil_bench.audit import _KERAS_KERNELS
    from hil_bench.tflite import WEIGHTED_OPS

    assert set(_KERAS_KERNELS) == set(BY_KERAS_CLASS)
    assert {name for name, _, _ in WEIGHTED_OPS.values()} == set(BY_TFLITE_OP)
    assert len(WEIGHTED_LAYERS) == len(BY_KERAS_CLASS) == len(BY_TFLITE_OP)
