"""Read a model file written by Keras 3 (``.keras`` archive or legacy ``.h5``) with Keras 3 itself.

The saved config is checked first: a Lambda or custom layer is refused by name before Keras 3 is asked
to rebuild it (which would fail with a message about safe mode or an unknown class, or run the user's
code).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from hil_bench.errors import ModelFileError, UnsupportedModelError
from hil_bench.keras3.layers import LAYERS, OPS_WHY, refuse_layer


def read_keras3(path: Path):
    """The Keras 3 model in ``path``, after its config passed :func:`check_config`."""
    check_config(_saved_config(path), path)
    import hil_bench._keras  # noqa: F401  (first: fixes TF_USE_LEGACY_KERAS before Keras 3 loads TensorFlow)
    import keras

    try:
        return keras.saving.load_model(str(path), compile=False)
    except Exception as exc:  # Keras 3 raises ValueError, KeyError, OSError, ... on damaged files
        text = str(exc).strip().splitlines()
        raise ModelFileError(f"{path}: Keras 3 could not read the model ({type(exc).__name__}: "
                             f"{text[0] if text else ''}); the file is corrupt or truncated. Re-save it "
                             "with model.save('model.keras').") from None


def check_config(config: dict, path: Path) -> None:
    """Refuse a subclassed model, or the first layer that is custom, a Lambda or not in the table."""
    kind = config.get("class_name")
    if kind not in ("Functional", "Sequential"):
        raise UnsupportedModelError(
            f"{path}: a subclassed Keras 3 model ({kind}); hil-bench converts Sequential and functional "
            "models, whose layers it can see. Rebuild it with keras.Input and layer calls, or with tf_keras "
            "(`import tf_keras as keras`) directly.")
    for entry in config.get("config", {}).get("layers", []):
        class_name = entry.get("class_name", "?")
        name = entry.get("config", {}).get("name", entry.get("name", "?"))
        module = entry.get("module", "keras.layers")
        if module and module.startswith("keras.src.ops"):
            raise refuse_layer(name, f"{module}.{class_name}", OPS_WHY)
        if module != "keras.layers":
            shown = entry.get("registered_name") or f"{module}.{class_name}"
            raise refuse_layer(name, shown, "a custom layer, whose code hil-bench cannot see")
        if class_name not in LAYERS:
            raise refuse_layer(name, class_name)


def _saved_config(path: Path) -> dict:
    """The model config a .keras archive (config.json) or an .h5 file (model_config attribute) holds."""
    try:
        if path.suffix.lower() == ".keras":
            with zipfile.ZipFile(path) as zf:
                return json.loads(zf.read("config.json"))
        import h5py

        with h5py.File(path, "r") as f:
            raw = f.attrs["model_config"]
        return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelFileError(f"{path}: the Keras 3 model config cannot be read ({type(exc).__name__}: {exc}); "
                             "the file is corrupt or truncated. Re-save it with model.save('model.keras').") from None
