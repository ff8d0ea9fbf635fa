"""Read a model file written by Keras 3 (``.keras`` archive or legacy ``.h5``) with Keras 3 itself.

The saved config is checked first: a Lambda or custom layer is refused by name before Keras 3 is asked
to rebuild it (which would fail with a message about safe mode or an unknown class, or run the user's
code). :func:`check_model_file` does that (and more) with the file alone, before TensorFlow is imported:
the CLI calls it while checking its arguments, so a model that cannot work is refused in a fraction of
a second rather than after TensorFlow's start-up and a training run.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from hil_bench.errors import ModelFileError, UnsupportedModelError
from hil_bench.keras3.layers import CHANNELS_FIRST_WHY, LAYERS, NESTED_MODELS, OPS_WHY, refuse_layer


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


# Recurrent layers: TFLite's int8 conversion of these fails (ConverterError) or needs ops the runtime lacks.
RECURRENT = ("LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
             "CuDNNLSTM", "CuDNNGRU", "TimeDistributed")


def check_model_file(path: Path) -> None:
    """What a ``.keras``/``.h5`` file alone decides, without TensorFlow: an archive that is damaged or
    truncated (every member's CRC is checked), and a layer hil-bench cannot run -- for a Keras 3 file what
    :func:`check_config` refuses plus channels_first; for a tf_keras file a recurrent layer (LSTM, GRU...),
    which TFLite's int8 converter cannot turn into ops the runtime has."""
    suffix = path.suffix.lower()
    if suffix == ".keras":
        try:
            with zipfile.ZipFile(path) as zf:
                damaged = zf.testzip()
                if damaged is not None:
                    raise zipfile.BadZipFile(f"member {damaged} fails its CRC check")
                version = str(json.loads(zf.read("metadata.json")).get("keras_version", ""))
                config = json.loads(zf.read("config.json"))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
            raise ModelFileError(f"{path}: not a valid .keras archive ({type(exc).__name__}: {exc}); the file is "
                                 "corrupt or truncated. Re-save the model with model.save('model.keras').") from None
    elif suffix in (".h5", ".hdf5"):
        try:
            import h5py

            with h5py.File(path, "r") as f:
                version = _text(f.attrs.get("keras_version", ""))
                raw = f.attrs.get("model_config")
        except OSError:
            return   # the loader names what is wrong with the file
        if raw is None:
            return
        try:
            config = json.loads(_text(raw))
        except ValueError as exc:
            raise ModelFileError(f"{path}: the model config cannot be read ({exc}); the file is corrupt. Re-save "
                                 "it with model.save().") from None
    else:
        return
    if not isinstance(config, dict):
        raise ModelFileError(f"{path}: the model config is not a Keras model config; re-save it with model.save()")
    if version.startswith("3"):
        check_config(config, path)
    else:
        _check_tf_keras_layers(config, path)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _layers(config: dict):
    """(name, class_name, layer config) of every layer, nested models' layers included."""
    for entry in config.get("config", {}).get("layers", []) if isinstance(config.get("config"), dict) else []:
        if not isinstance(entry, dict):
            continue
        inner = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        yield inner.get("name", entry.get("name", "?")), entry.get("class_name", "?"), inner
        if "layers" in inner:
            yield from _layers(entry)


def _check_tf_keras_layers(config: dict, path: Path) -> None:
    for name, class_name, inner in _layers(config):
        if class_name in RECURRENT:
            raise UnsupportedModelError(
                f"{path}: layer {name!r} ({class_name}) is recurrent; TFLite's int8 converter cannot turn it into "
                "operators TFLite Micro's kernels (and hil-bench's runtime) run. Use convolutions or Dense layers "
                "over the time axis instead.")
        wrapped = inner.get("layer", {}) if isinstance(inner.get("layer"), dict) else {}
        if wrapped.get("class_name") in RECURRENT:
            raise UnsupportedModelError(f"{path}: layer {name!r} ({class_name} of {wrapped['class_name']}) is "
                                        "recurrent; TFLite's int8 converter cannot turn it into operators the "
                                        "runtime runs. Use convolutions or Dense layers over the time axis instead.")


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
        if class_name in NESTED_MODELS:   # before the module check: a nested keras.Sequential is no custom layer
            raise refuse_layer(name, class_name)
        if module and module.startswith("keras.src.ops"):
            raise refuse_layer(name, f"{module}.{class_name}", OPS_WHY)
        if module != "keras.layers":
            shown = entry.get("registered_name") or f"{module}.{class_name}"
            raise refuse_layer(name, shown, "a custom layer, whose code hil-bench cannot see")
        if class_name not in LAYERS:
            raise refuse_layer(name, class_name)
        if entry.get("config", {}).get("data_format", "channels_last") == "channels_first":
            raise refuse_layer(name, class_name, CHANNELS_FIRST_WHY)


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
