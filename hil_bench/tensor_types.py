"""TFLite tensor types, defined once: code (as the flatbuffer and the device report it) -> numpy dtype.

Codes come from the TFLite schema. A type hil-bench does not handle is an error naming it, never a
guessed size.
"""

from __future__ import annotations

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from hil_bench.errors import ModelFileError

_T = schema.TensorType
DTYPES: dict[int, np.dtype] = {
    _T.FLOAT32: np.dtype(np.float32),
    _T.FLOAT16: np.dtype(np.float16),
    _T.INT32: np.dtype(np.int32),
    _T.UINT8: np.dtype(np.uint8),
    _T.INT64: np.dtype(np.int64),
    _T.BOOL: np.dtype(np.bool_),
    _T.INT16: np.dtype(np.int16),
    _T.INT8: np.dtype(np.int8),
    _T.FLOAT64: np.dtype(np.float64),
}
_NAMES = {value: name for name, value in vars(_T).items() if not name.startswith("_") and isinstance(value, int)}


def type_name(code: int) -> str:
    return _NAMES.get(int(code), f"unknown type {code}")


def numpy_dtype(code: int, what: str = "tensor") -> np.dtype:
    """The numpy dtype of TFLite type ``code``; ModelFileError naming ``what`` when hil-bench cannot handle it."""
    try:
        return DTYPES[int(code)]
    except KeyError:
        raise ModelFileError(f"{what}: tensor type {type_name(code)} ({code}) is not supported; supported: "
                             f"{', '.join(type_name(c) for c in DTYPES)}") from None


def element_bytes(code: int, what: str = "tensor") -> int:
    return numpy_dtype(code, what).itemsize
