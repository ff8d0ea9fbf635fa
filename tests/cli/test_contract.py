"""The CLI contract, held for every command: a bad argument gives exit 2 (bad usage) or 1 (the work
failed), one paragraph on stderr naming the problem, no traceback, no "internal error" -- and it is
found before anything slow: argument errors must not import TensorFlow or start a board.

Each case runs the real console script in a subprocess (``python -m hil_bench.cli.main``). A stand-in
``tensorflow`` package that raises on import is put first on the path, so a case that reaches
TensorFlow fails loudly instead of quietly taking seconds.

"Unwritable" outputs use paths that refuse writes even to root (tests run as root here, where
permission bits stop nothing): a path under a regular file, and a path under /proc.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from hil_bench.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
KWS = ROOT / "tests" / "fixtures" / "mlperf_tiny" / "kws_ref_model.tflite"
PROC = "/proc/hil-bench-contract"   # /proc takes no new files, not even from root

USAGE, FAILED = 2, 1
MLPERF_IDS = "--mlperf-model: invalid choice: 'kws02' (choose from 'kws01', 'vww01', 'ic01', 'ad01', 'strww01', 'sww01')"
SWEEP = ["sweep", "--model", "digits_cnn", "--board", "corstone300"]
FIT = ["fit", "--model", "digits_cnn", "--board", "corstone300"]

# (id, argv, exit code, what the message must name). Placeholders: {tmp} a fresh folder, {file} a
# regular file in it, {bad} a corrupt .tflite, {model} a real int8 .tflite, {none} a missing path.
CASES = [
    ("no-command", [], USAGE, "required: COMMAND"),
    ("unknown-command", ["fly"], USAGE, "invalid choice: 'fly'"),
    # bench
    ("bench-no-board", ["bench"], USAGE, "--board"),
    ("bench-unknown-board", ["bench", "--board", "nosuch"], USAGE, "unknown board 'nosuch'"),
    ("bench-unknown-suite", ["bench", "--board", "corstone300", "--suite", "nosuch"], USAGE, "unknown suite 'nosuch'"),
    ("bench-limit-not-int", ["bench", "--board", "corstone300", "--limit", "ten"], USAGE, "--limit: invalid int value"),
    ("bench-compress", ["bench", "--board", "corstone300", "--compress", "zip"], USAGE, "--compress: invalid choice"),
    ("bench-kernels", ["bench", "--board", "corstone300", "--kernels", "fast"], USAGE, "--kernels: invalid choice"),
    ("bench-results-dir-file", ["bench", "--board", "corstone300", "--results-dir", "{file}"], USAGE,
     "--results-dir {file}: is a file, but a folder is needed"),
    ("bench-results-dir-under-file", ["bench", "--board", "corstone300", "--results-dir", "{file}/r"], USAGE,
     "{file} is a file, not a folder"),
    ("bench-results-dir-unwritable", ["bench", "--board", "corstone300", "--results-dir", PROC], USAGE,
     f"--results-dir {PROC}: cannot create files in /proc"),
    ("bench-jobs-zero", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--jobs", "0"], USAGE,
     "--jobs 0 is out of range"),
    ("bench-report-file", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--report", "{file}"], USAGE,
     "--report {file}: is a file, but a folder is needed"),
    ("bench-report-unwritable", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--report", PROC],
     USAGE, f"--report {PROC}: cannot create files in /proc"),
    ("bench-junit-dir", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--junit", "{tmp}"], USAGE,
     "--junit {tmp}: is a folder; give a file name (e.g. {tmp}/junit.xml)"),
    ("bench-junit-under-file", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--junit",
                                "{file}/junit.xml"], USAGE, "{file} is a file, not a folder"),
    ("bench-junit-unwritable", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--junit",
                                f"{PROC}/junit.xml"], USAGE, f"--junit {PROC}/junit.xml: cannot create files in /proc"),
    ("bench-junit-no-value", ["bench", "--board", "corstone300", "--junit"], USAGE,
     "argument --junit: expected one argument"),
    ("bench-baseline-missing", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--baseline", "{none}"],
     USAGE, "--baseline {none}: no such file or folder"),
    ("bench-tolerances-alone", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--tolerances", "{file}"],
     USAGE, "--tolerances applies to the comparison with --baseline"),
    ("bench-tolerances-bad", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--baseline", "{tmp}",
                              "--tolerances", "{file}"], USAGE, "{file}: not valid TOML"),
    # optimize
    ("optimize-unknown-recipe", ["optimize", "--model", "digits_cnn", "--recipe", "nosuch", "--out", "{tmp}/o"], USAGE,
     "unknown recipe 'nosuch'"),
    ("optimize-no-out", ["optimize", "--model", "digits_cnn", "--recipe", "ptq"], USAGE, "--out"),
    ("optimize-out-file", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", "{file}"], USAGE,
     "--out {file}: is a file, but a folder is needed"),
    ("optimize-out-under-file", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", "{file}/o"], USAGE,
     "{file} is a file, not a folder"),
    ("optimize-out-unwritable", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", PROC], USAGE,
     f"--out {PROC}: cannot create files in /proc"),
    ("optimize-unknown-model", ["optimize", "--model", "resnet9", "--recipe", "ptq", "--out", "{tmp}/o"], USAGE,
     "unknown model 'resnet9'"),
    ("optimize-missing-model-file", ["optimize", "--model", "{none}.h5", "--recipe", "ptq", "--out", "{tmp}/o"],
     USAGE, "--model {none}.h5: no such file or folder"),
    ("optimize-unknown-dataset", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", "{tmp}/o",
                                  "--dataset", "nosuch"], USAGE, "unknown data set 'nosuch'"),
    ("optimize-missing-dataset-file", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", "{tmp}/o",
                                       "--dataset", "{none}.npz"], USAGE, "{none}.npz: no such data set file"),
    ("optimize-unknown-option", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", "{tmp}/o",
                                     "--no-cache", "--bogus"], USAGE, "unrecognized arguments: --bogus"),
    # audit
    ("audit-nothing", ["audit"], USAGE, "give either a .tflite file or --elf"),
    ("audit-both", ["audit", "{model}", "--elf", "{file}"], USAGE, "give either a .tflite file or --elf"),
    ("audit-missing", ["audit", "{none}"], USAGE, "{none}: no such file"),
    ("audit-missing-elf", ["audit", "--elf", "{none}"], USAGE, "{none}: no such file"),
    ("audit-missing-against", ["audit", "{model}", "--against", "{none}"], USAGE, "{none}: no such"),
    ("audit-corrupt", ["audit", "{bad}"], FAILED, "{bad}: 4 bytes is too short"),
    ("audit-elf-no-value", ["audit", "{model}", "--elf"], USAGE, "argument --elf: expected one argument"),
    # export
    ("export-no-out", ["export", "{model}"], USAGE, "--out"),
    ("export-project-no-board", ["export", "{model}", "--project", "{tmp}/p"], USAGE, "--project needs --board"),
    ("export-project-unknown-board", ["export", "{model}", "--project", "{tmp}/p", "--board", "nosuch"], USAGE,
     "unknown board 'nosuch'"),
    ("export-project-host", ["export", "{model}", "--project", "{tmp}/p", "--board", "host"], USAGE,
     "board 'host' has no firmware"),
    ("export-project-not-empty", ["export", "{model}", "--project", "{tmp}", "--board", "mps2-an386"], USAGE,
     "{tmp}: exists and is not an empty folder"),
    ("export-project-and-out", ["export", "{model}", "--out", "{tmp}/o", "--project", "{tmp}/p"], USAGE,
     "not allowed with argument"),
    ("export-board-with-out", ["export", "{model}", "--out", "{tmp}/o", "--board", "mps2-an386"], USAGE,
     "--board goes with --project"),
    ("export-compress-with-out", ["export", "{model}", "--out", "{tmp}/o", "--compress", "lut"], USAGE,
     "--compress goes with --project"),
    ("export-missing", ["export", "{none}", "--out", "{tmp}/o"], USAGE, "{none}: no such file"),
    ("export-corrupt", ["export", "{bad}", "--out", "{tmp}/o"], FAILED, "{bad}: 4 bytes is too short"),
    ("export-out-file", ["export", "{model}", "--out", "{file}"], USAGE, "--out {file}: is a file, but a folder"),
    ("export-out-unwritable", ["export", "{model}", "--out", PROC], USAGE, "cannot create files in /proc"),
    ("export-bad-name", ["export", "{model}", "--out", "{tmp}/o", "--name", "1x"], USAGE,
     "'1x' is not usable as a C/C++ symbol"),
    # size
    ("size-no-board", ["size", "{model}"], USAGE, "--board"),
    ("size-unknown-board", ["size", "{model}", "--board", "nosuch"], USAGE, "unknown board 'nosuch'"),
    ("size-missing", ["size", "{none}", "--board", "corstone300"], USAGE, "{none}: no such file"),
    ("size-compress", ["size", "{model}", "--board", "corstone300", "--compress", "zip"], USAGE,
     "--compress: invalid choice"),
    ("size-kernels", ["size", "{model}", "--board", "corstone300", "--kernels", "fast"], USAGE,
     "--kernels: invalid choice"),
    ("size-npu-without-npu", ["size", "{model}", "--board", "mps2-an386", "--npu"], USAGE, "declares no NPU"),
    # run
    ("run-no-board", ["run", "{model}"], USAGE, "--board"),
    ("run-unknown-board", ["run", "{model}", "--board", "nosuch"], USAGE, "unknown board 'nosuch'"),
    ("run-missing-model", ["run", "{none}", "--board", "host"], USAGE, "{none}: no such file"),
    ("run-two-sources", ["run", "{model}", "--board", "host", "--random", "2", "--dataset", "digits"], USAGE,
     "not allowed with argument"),
    ("run-random-not-int", ["run", "{model}", "--board", "host", "--random", "many"], USAGE,
     "--random: invalid int value"),
    ("run-runner-unknown", ["run", "{model}", "--board", "host", "--runner", "jlink"], USAGE, "--runner: invalid choice"),
    ("run-runner-not-on-board", ["run", "{model}", "--board", "mps2-an386", "--runner", "fvp"], USAGE,
     "board 'mps2-an386' has no 'fvp' runner"),
    ("run-unknown-dataset", ["run", "{model}", "--board", "host", "--dataset", "nosuch"], USAGE,
     "unknown data set 'nosuch'"),
    ("run-missing-dataset-file", ["run", "{model}", "--board", "host", "--dataset", "{none}.npz"], USAGE,
     "{none}.npz: no such data set file"),
    ("run-seed-not-int", ["run", "{model}", "--board", "host", "--seed", "x"], USAGE, "--seed: invalid int value"),
    ("run-runs-not-int", ["run", "{model}", "--board", "host", "--runs", "1.5"], USAGE, "--runs: invalid int value"),
    ("run-limit-not-int", ["run", "{model}", "--board", "host", "--limit", "all"], USAGE, "--limit: invalid int value"),
    ("run-kernels", ["run", "{model}", "--board", "host", "--kernels", "fast"], USAGE, "--kernels: invalid choice"),
    ("run-limit-zero", ["run", "{model}", "--board", "host", "--limit", "0"], USAGE, "--limit 0 is out of range"),
    ("run-seed-negative", ["run", "{model}", "--board", "host", "--seed", "-5"], USAGE, "--seed -5 is out of range"),
    ("run-random-huge", ["run", "{model}", "--board", "host", "--random", "100000000000"], USAGE,
     "--random 100000000000 is out of range"),
    ("run-runs-zero", ["run", "{model}", "--board", "host", "--runs", "0"], USAGE, "--runs 0 is out of range"),
    ("run-inputs-missing", ["run", "{model}", "--board", "host", "--inputs", "{none}"], USAGE,
     "{none}: cannot read as .npy"),
    ("run-save-outputs-dir", ["run", "{model}", "--board", "host", "--save-outputs", "{tmp}"], USAGE,
     "--save-outputs {tmp}: is a folder; give a file name"),
    ("run-save-outputs-under-file", ["run", "{model}", "--board", "host", "--save-outputs", "{file}/y.npy"], USAGE,
     "{file} is a file, not a folder"),
    ("run-save-outputs-unwritable", ["run", "{model}", "--board", "host", "--save-outputs", f"{PROC}/y.npy"], USAGE,
     "cannot create files in /proc"),
    # --mlperf-model (run, bench, serve): an id MLPerf Tiny's runner does not know names the ones it knows
    ("run-mlperf-model", ["run", "{model}", "--board", "host", "--mlperf-model", "kws02"], USAGE, MLPERF_IDS),
    ("bench-mlperf-model", ["bench", "--board", "corstone300", "--mlperf-model", "hil-bench"], USAGE,
     "--mlperf-model: invalid choice: 'hil-bench'"),
    # serve
    ("serve-no-board", ["serve", "{model}", "--pty"], USAGE, "--board"),
    ("serve-no-front", ["serve", "{model}", "--board", "corstone300"], USAGE,
     "one of the arguments --pty --tcp is required"),
    ("serve-two-fronts", ["serve", "{model}", "--board", "corstone300", "--pty", "--tcp", "0"], USAGE,
     "not allowed with argument"),
    ("serve-mlperf-model", ["serve", "{model}", "--board", "corstone300", "--pty", "--mlperf-model", "KWS01"], USAGE,
     "invalid choice: 'KWS01' (choose from 'kws01', 'vww01', 'ic01', 'ad01', 'strww01', 'sww01')"),
    ("serve-missing-model", ["serve", "{none}", "--board", "corstone300", "--pty"], USAGE, "{none}: no such file"),
    ("serve-unknown-board", ["serve", "{model}", "--board", "nosuch", "--pty"], USAGE, "unknown board 'nosuch'"),
    ("serve-tcp-range", ["serve", "{model}", "--board", "corstone300", "--tcp", "70000"], USAGE,
     "--tcp 70000 is out of range: give 0..65535"),
    ("serve-tcp-not-int", ["serve", "{model}", "--board", "corstone300", "--tcp", "any"], USAGE,
     "--tcp: invalid int value"),
    # compare
    ("compare-one-arg", ["compare", "{file}"], USAGE, "required: NEW"),
    ("compare-missing", ["compare", "{none}", "{none}"], USAGE, "{none}: no such results file"),
    ("compare-tolerances-no-value", ["compare", "{none}", "{none}", "--tolerances"], USAGE,
     "argument --tolerances: expected one argument"),
    ("compare-bad-tolerances", ["compare", "{none}", "{none}", "--tolerances", "{file}"], USAGE,
     "{file}: not valid TOML"),
    # sweep
    ("sweep-no-board", ["sweep", "--model", "digits_cnn"], USAGE, "--board"),
    ("sweep-no-model", ["sweep", "--board", "corstone300"], USAGE, "--model"),
    ("sweep-unknown-board", ["sweep", "--model", "digits_cnn", "--board", "nosuch"], USAGE, "unknown board 'nosuch'"),
    ("sweep-unknown-model", ["sweep", "--model", "resnet9", "--board", "corstone300"],
     USAGE, "unknown model 'resnet9'"),
    ("sweep-unknown-dataset", [*SWEEP, "--dataset", "nosuch"], USAGE, "unknown data set 'nosuch'"),
    ("sweep-empty-grid", [*SWEEP, "--sparsity", ""], USAGE, "--sparsity is empty"),
    ("sweep-negative-sparsity", [*SWEEP, "--sparsity", "-0.5"], USAGE, "--sparsity: -0.5 is out of range"),
    ("sweep-sparsity-one", [*SWEEP, "--sparsity", "0,1"], USAGE, "--sparsity: 1 is out of range"),
    ("sweep-sparsity-word", [*SWEEP, "--sparsity", "half"], USAGE, "--sparsity: 'half' is not a number"),
    ("sweep-clusters-one", [*SWEEP, "--clusters", "0,1"], USAGE, "--clusters: 1 is out of range"),
    ("sweep-bad-size", [*SWEEP, "--app-flash", "64KB"], USAGE, "--app-flash '64KB' is not a size"),
    ("sweep-headroom-too-big", ["sweep", "--model", "digits_cnn", "--board", "mps2-an386", "--app-ram", "1GiB"],
     USAGE, "--app-ram 1,073,741,824 B leaves nothing of the 20,971,520 B budget on mps2-an386"),
    ("sweep-limit-zero", [*SWEEP, "--limit", "0"], USAGE, "--limit 0 is out of range"),
    ("sweep-tune-epochs-zero", [*SWEEP, "--tune-epochs", "0"], USAGE, "--tune-epochs 0 is out of range"),
    ("sweep-qat", [*SWEEP, "--qat", "pqat"], USAGE, "--qat: invalid choice"),
    ("sweep-results-dir-file", [*SWEEP, "--results-dir", "{file}"],
     USAGE, "--results-dir {file}: is a file, but a folder is needed"),
    # fit
    ("fit-no-board", ["fit", "--model", "digits_cnn"], USAGE, "--board"),
    ("fit-unknown-board", ["fit", "--model", "digits_cnn", "--board", "nosuch"], USAGE, "unknown board 'nosuch'"),
    ("fit-host-board", ["fit", "--model", "digits_cnn", "--board", "host"], USAGE, "has no flash or RAM to fit"),
    ("fit-bad-budget", [*FIT, "--flash-budget", "64KB"], USAGE, "--flash-budget '64KB' is not a size"),
    ("fit-negative-budget", [*FIT, "--ram-budget", "-5"], USAGE, "--ram-budget '-5' is not a size"),
    ("fit-headroom-over-budget", [*FIT, "--flash-budget", "64KiB", "--app-flash", "64KiB"],
     USAGE, "--app-flash 65,536 B leaves nothing"),
    ("fit-min-accuracy", [*FIT, "--min-accuracy", "95"], USAGE, "--min-accuracy 95.0 is out of range"),
    ("fit-min-accuracy-autoencoder", ["fit", "--model", "fc_autoencoder", "--board", "corstone300",
                                      "--min-accuracy", "0.9"], USAGE, "--min-accuracy applies to classifiers"),
    ("fit-empty-clusters", [*FIT, "--clusters", ","], USAGE, "--clusters is empty"),
    ("compare-junit-dir", ["compare", "{none}", "{none}", "--junit", "{tmp}"], USAGE,
     "--junit {tmp}: is a folder; give a file name"),
    ("compare-junit-unwritable", ["compare", "{file}", "{file}", "--junit", f"{PROC}/junit.xml"], USAGE,
     "cannot create files in /proc"),
    # baseline
    ("baseline-no-action", ["baseline"], USAGE, "required: ACTION"),
    ("baseline-check-missing", ["baseline", "check", "--dir", "{none}"], USAGE, "{none}: no such results file"),
    ("baseline-check-not-results", ["baseline", "check", "--dir", "{file}"], USAGE, "{file}: header lacks"),
    ("baseline-update-no-board", ["baseline", "update"], USAGE, "required: --board"),
    ("baseline-update-unknown-board", ["baseline", "update", "--board", "nosuch", "--dir", "{tmp}"], USAGE,
     "unknown board 'nosuch'"),
    ("baseline-update-limit-zero", ["baseline", "update", "--board", "host", "--dir", "{tmp}", "--limit", "0"],
     USAGE, "--limit 0 is out of range"),
    ("baseline-update-dir-is-file", ["baseline", "update", "--board", "host", "--dir", "{file}"], USAGE,
     "{file}"),
    # ops
    ("ops-extra-argument", ["ops", "extra"], USAGE, "unrecognized arguments: extra"),
    # boards (and --boards-dir, which every command takes)
    ("boards-json-value", ["boards", "--json=yes"], USAGE, "--json: ignored explicit argument 'yes'"),
    ("boards-extra-argument", ["boards", "extra"], USAGE, "unrecognized arguments: extra"),
    ("boards-dir-missing", ["boards", "--boards-dir", "{none}"], USAGE, "boards folder {none} does not exist"),
    ("run-boards-dir-file", ["run", "{model}", "--board", "host", "--boards-dir", "{file}"], USAGE,
     "boards folder {file} does not exist or is not a folder"),
    # issue 21: inputs that decide alone are refused before any training, TensorFlow import or board start
    ("bench-baseline-not-results", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--baseline",
                                    "{file}"], USAGE, "{file}: header lacks"),
    ("bench-runs-is-file", ["bench", "--board", "corstone300", "--results-dir", "{inputs}/results"], USAGE,
     "--results-dir {inputs}/results/runs: is a file, but a folder is needed"),
    ("sweep-runs-is-file", [*SWEEP, "--results-dir", "{inputs}/results"], USAGE,
     "--results-dir {inputs}/results/runs: is a file, but a folder is needed"),
    ("sweep-report-file", [*SWEEP, "--results-dir", "{tmp}", "--report", "{file}"], USAGE,
     "--report {file}: is a file, but a folder is needed"),
    ("sweep-report-unwritable", [*SWEEP, "--results-dir", "{tmp}", "--report", PROC], USAGE,
     f"--report {PROC}: cannot create files in /proc"),
    ("fit-two-boards", [*FIT, "--board", "mps2-an386"], USAGE, "fit sizes for one board, got corstone300, mps2-an386"),
    ("bench-nucleo-without-pyocd", ["bench", "--board", "nucleo-l4r5zi", "--results-dir", "{tmp}", "-q"], FAILED,
     "no runner for board 'nucleo-l4r5zi' is installed here; pyocd: "),
    ("sweep-nucleo-without-pyocd", ["sweep", "--model", "digits_cnn", "--board", "nucleo-l4r5zi", "--results-dir",
                                    "{tmp}"], FAILED, "no runner for board 'nucleo-l4r5zi' is installed here"),
    ("fit-nucleo-without-pyocd", ["fit", "--model", "digits_cnn", "--board", "nucleo-l4r5zi"], FAILED,
     "no runner for board 'nucleo-l4r5zi' is installed here"),
    *[(f"optimize-keras3-{kind}", ["optimize", "--model", f"{{inputs}}/{kind}.keras", "--recipe", "ptq", "--out",
                                   "{tmp}/o"], code, names) for kind, code, names in (
        ("lambda", USAGE, "Keras 3 layer 'double' (Lambda): not a layer hil-bench converts"),
        ("custom", USAGE, "Keras 3 layer 'mine' (My>MyLayer): a custom layer"),
        ("lstm", USAGE, "Keras 3 layer 'my_lstm' (LSTM)"),
        ("nested", USAGE, "Keras 3 layer 'inner' (Sequential): a model nested inside the model"),
        ("chfirst", USAGE, "Keras 3 layer 'cf' (Conv2D): data_format 'channels_first'"),
        ("truncated", FAILED, "{inputs}/truncated.keras: not a valid .keras archive"))],
    ("bench-keras3-lambda", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--model",
                             "{inputs}/lambda.keras"], USAGE, "Keras 3 layer 'double' (Lambda)"),
    ("optimize-tf-keras-lstm-h5", ["optimize", "--model", "{inputs}/lstm.h5", "--recipe", "ptq", "--out", "{tmp}/o"],
     FAILED, "{inputs}/lstm.h5: layer 'my_lstm' (LSTM) is recurrent; TFLite's int8 converter cannot"),
    ("bench-tf-keras-lstm-h5", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--model",
                                "{inputs}/lstm.h5"], FAILED, "layer 'my_lstm' (LSTM) is recurrent"),
    ("optimize-npz-no-keys", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", "{tmp}/o", "--dataset",
                              "{inputs}/nokeys.npz"], USAGE, "{inputs}/nokeys.npz: missing key(s) x_test, y_test"),
    ("optimize-npz-nan", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", "{tmp}/o", "--dataset",
                          "{inputs}/nan.npz"], USAGE, "{inputs}/nan.npz: x_train: contains NaN or infinite values"),
    ("optimize-npz-wrong-shape", ["optimize", "--model", "digits_cnn", "--recipe", "ptq", "--out", "{tmp}/o",
                                  "--dataset", "{inputs}/shape.npz"], USAGE,
     "x_train: samples have shape (4, 4, 1) but the model's input is (8, 8, 1)"),
    ("bench-npz-labels", ["bench", "--board", "corstone300", "--results-dir", "{tmp}", "--dataset",
                          "{inputs}/labels.npz"], USAGE, "{inputs}/labels.npz: y_test: negative class label -3"),
    ("sweep-npz-no-keys", [*SWEEP, "--results-dir", "{tmp}", "--dataset", "{inputs}/nokeys.npz"], USAGE,
     "missing key(s) x_test, y_test"),
    ("run-board-not-utf8", ["run", "{model}", "--board", "latin1", "--boards-dir", "{inputs}/boards"], FAILED,
     "{inputs}/boards/latin1.toml: not UTF-8 text (byte 0xe9"),
    ("run-board-cflags-string", ["run", "{model}", "--board", "strflags", "--boards-dir", "{inputs}/boards"], FAILED,
     "[cpu] cflags must be a list of strings, one flag each"),
    # cache, and the device watchdog's --timeout (run, bench)
    ("cache-no-action", ["cache"], USAGE, "required: ACTION"),
    ("cache-unknown-action", ["cache", "fix"], USAGE, "argument ACTION: invalid choice: 'fix'"),
    ("cache-clean-unknown-option", ["cache", "clean", "--everything"], USAGE, "unrecognized arguments: --everything"),
    ("run-timeout-zero", ["run", "{model}", "--board", "host", "--timeout", "0"], USAGE,
     "argument --timeout: 0 is out of range: give a number of seconds > 0"),
    ("run-timeout-nan", ["run", "{model}", "--board", "host", "--timeout", "nan"], USAGE,
     "argument --timeout: nan is out of range"),
    ("bench-timeout-word", ["bench", "--board", "corstone300", "--timeout", "soon"], USAGE,
     "argument --timeout: 'soon' is not a number of seconds"),
]


_INPUTS: list[Path] = []   # the folder of crafted input files, set once by the outcomes fixture


def _keras3(path: Path, layers: list[dict], kind: str = "Sequential") -> None:
    """A .keras archive as Keras 3 writes it (metadata.json, config.json, weights); only the config matters:
    it is read without TensorFlow."""
    config = {"module": "keras", "class_name": kind, "config": {"name": "m", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 1],
                                                                          "name": "input_layer"}}, *layers]}}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("model.weights.h5", b"\0" * 2048)


def _layer(name: str, class_name: str, module: str | None = "keras.layers", **config) -> dict:
    return {"module": module, "class_name": class_name, "config": {"name": name, **config}}


def make_inputs(folder: Path) -> Path:
    """Model files, data sets and board files that are wrong in one way each, for the cases using {inputs}."""
    import h5py

    folder.mkdir(exist_ok=True)
    _keras3(folder / "lambda.keras", [_layer("double", "Lambda")])
    _keras3(folder / "custom.keras", [{**_layer("mine", "MyLayer", module=None), "registered_name": "My>MyLayer"}])
    _keras3(folder / "lstm.keras", [_layer("my_lstm", "LSTM", units=4)])
    _keras3(folder / "nested.keras", [_layer("inner", "Sequential", module="keras", layers=[])], kind="Functional")
    _keras3(folder / "chfirst.keras", [_layer("cf", "Conv2D", filters=2, data_format="channels_first")])
    _keras3(folder / "whole.keras", [_layer("d", "Dense", units=3)])
    (folder / "truncated.keras").write_bytes((folder / "whole.keras").read_bytes()[:300])
    tf_keras_lstm = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8, 8], "name": "input_1"}},
        {"class_name": "LSTM", "config": {"name": "my_lstm", "units": 4}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 10}}]}}
    with h5py.File(folder / "lstm.h5", "w") as f:   # as tf_keras' model.save("lstm.h5") writes it
        f.attrs["keras_version"] = "2.21.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(tf_keras_lstm)
        f.create_group("model_weights")
    rng = np.random.default_rng(0)
    x, y = rng.random((20, 8, 8, 1), dtype=np.float32), rng.integers(0, 10, 20)
    np.savez(folder / "nokeys.npz", x_train=x, y_train=y)
    np.savez(folder / "nan.npz", x_train=np.full_like(x, np.nan), y_train=y, x_test=x, y_test=y)
    np.savez(folder / "shape.npz", x_train=x[:, :4, :4], y_train=y, x_test=x[:, :4, :4], y_test=y)
    np.savez(folder / "labels.npz", x_train=x, y_train=y, x_test=x, y_test=np.full_like(y, -3))
    (folder / "results").mkdir(exist_ok=True)
    (folder / "results" / "runs").write_text("a file where the runs folder goes\n")
    boards = folder / "boards"
    boards.mkdir(exist_ok=True)
    source = (ROOT / "boards" / "mps2-an386.toml").read_text()
    (boards / "latin1.toml").write_bytes(source.replace('"mps2-an386"', '"latin1"').replace(
        "Arm MPS2 AN386", "Arm MPS2 AN386 (d\u00e9mo)").encode("latin-1"))
    (boards / "strflags.toml").write_text(source.replace('"mps2-an386"', '"strflags"').replace(
        'cflags = ["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"]', 'cflags = "-mcpu=cortex-m4"'))
    return folder


@pytest.fixture(scope="module")
def no_tensorflow(tmp_path_factory) -> Path:
    """A folder whose ``tensorflow`` (and ``tf_keras``) raise on import, to go first on PYTHONPATH."""
    folder = tmp_path_factory.mktemp("no-tensorflow")
    for name in ("tensorflow", "tf_keras"):
        (folder / name).mkdir()
        (folder / name / "__init__.py").write_text(
            f"raise RuntimeError('contract test: {name} imported while handling a bad argument')\n")
    return folder


def _cli(argv: list[str], no_tf: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(no_tf), str(ROOT)])
    env.pop("HIL_BENCH_DEBUG", None)   # the user's view: an unexpected exception shows as "internal error"
    return subprocess.run([sys.executable, "-m", "hil_bench.cli.main", *argv], capture_output=True, text=True,
                          timeout=60, env=env, cwd=cwd)


def _paragraph(stderr: str) -> str:
    """The error paragraph: from the "error:" line to the end, continuation lines joined."""
    lines = stderr.rstrip("\n").split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(r"hil-bench( \w+){0,2}: error: ", line)), None)
    assert start is not None, f"no 'hil-bench ...: error:' line in stderr:\n{stderr}"
    rest = lines[start + 1:]
    assert all(line.startswith("  ") and line.strip() for line in rest), f"more than one paragraph:\n{stderr}"
    return " ".join([lines[start], *(line.strip() for line in rest)])


def _fill(text: str, folder: Path) -> str:
    subs = {"{tmp}": str(folder), "{file}": str(folder / "afile.txt"), "{bad}": str(folder / "bad.tflite"),
            "{model}": str(KWS), "{none}": str(folder / "none"), "{inputs}": str(_INPUTS[0]) if _INPUTS else ""}
    for key, value in subs.items():
        text = text.replace(key, value)
    return text


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, no_tensorflow) -> dict:
    """Every case run once, a few at a time (each is a fresh interpreter: ~0.3 s of CPU, mostly waiting
    when the machine is busy): case id -> (folder, completed process)."""
    from concurrent.futures import ThreadPoolExecutor

    _INPUTS[:] = [make_inputs(tmp_path_factory.mktemp("inputs"))]

    def one(case):
        name, argv = case[0], case[1]
        folder = tmp_path_factory.mktemp(name)
        (folder / "afile.txt").write_text("not what any option wants = [\n")
        (folder / "bad.tflite").write_bytes(b"\0\0\0\0")
        return name, (folder, _cli([_fill(a, folder) for a in argv], no_tensorflow, cwd=folder))

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, CASES))


@pytest.mark.parametrize("name, code, names", [(c[0], c[2], c[3]) for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument(name, code, names, outcomes):
    folder, out = outcomes[name]
    assert "Traceback" not in out.stderr, out.stderr
    assert "internal error" not in out.stderr, out.stderr
    assert out.returncode == code, f"exit {out.returncode}, expected {code}:\n{out.stderr}"
    assert _fill(names, folder) in _paragraph(out.stderr), out.stderr
    assert out.stdout == "", out.stdout
    left = sorted(p.name for p in folder.iterdir() if p.name not in ("afile.txt", "bad.tflite"))
    assert left == [], f"files left behind: {left}"   # nothing written, not even a probe or a temp file


def test_every_command_has_a_case():
    assert len({c[0] for c in CASES}) == len(CASES), "case ids must be unique"
    covered = {c[1][0] for c in CASES if c[1]}
    assert {command.NAME for command in COMMANDS} <= covered


def test_runner_fvp_without_fvp_names_the_fvp(tmp_path, no_tensorflow):
    """`--runner fvp` where no FVP is installed says the FVP is missing and where to get it (it once said
    to install QEMU), exit 1: the tool is missing, the usage is right."""
    from hil_bench.boards import load_board

    spec = next(s for s in load_board("corstone300").runners if s.kind == "fvp")
    env_path = os.environ.get("PATH", "")
    if any((Path(d) / spec.option("executable")).exists() for d in env_path.split(os.pathsep) if d):
        pytest.skip("an FVP is installed here")
    out = _cli(["run", str(KWS), "--board", "corstone300", "--runner", "fvp"], no_tensorflow, cwd=tmp_path)
    assert out.returncode == FAILED and "Traceback" not in out.stderr, out.stderr
    message = _paragraph(out.stderr)
    assert "the fvp runner of board 'corstone300' cannot start here" in message
    assert "FVP_Corstone_SSE-300_Ethos-U55 is not on PATH" in message and "Arm Ecosystem FVPs" in message
    assert "qemu" not in message.lower()


@pytest.fixture(scope="module")
def warm_cache(request, tmp_path_factory, no_tensorflow) -> tuple[Path, bytes]:
    """A cache holding the KWS image `run --board corstone300` builds, and that run's outputs."""
    if "corstone300" not in request.config.getoption("hil_boards"):
        pytest.skip("runs on corstone300 (pass --board=corstone300)")
    folder = tmp_path_factory.mktemp("warm-cache")
    out = _cli_in(folder / "cache", ["run", str(KWS), "--board", "corstone300", "--random", "2", "--save-outputs",
                                     str(folder / "y.npy")], no_tensorflow, folder)
    assert out.returncode == 0, out.stderr
    return folder / "cache", (folder / "y.npy").read_bytes()


def _cli_in(cache: Path, argv: list[str], no_tf: Path, cwd: Path) -> subprocess.CompletedProcess:
    before = os.environ.get("HIL_BENCH_CACHE")
    os.environ["HIL_BENCH_CACHE"] = str(cache)
    try:
        return _cli(argv, no_tf, cwd)
    finally:
        os.environ["HIL_BENCH_CACHE"] = before


@pytest.mark.hil
@pytest.mark.parametrize("how", ["changed", "truncated", "emptied", "deleted", "folder-without-files"])
def test_a_damaged_cached_image_is_rebuilt(how, warm_cache, tmp_path, no_tensorflow):
    """A cached ELF truncated, emptied or deleted (its folder kept) gave exit 70, and every later run
    failed; one with flipped bytes ran with exit 0 and other outputs. Now: one line naming the entry,
    then the clean run's outputs, and the next run uses the rebuilt image silently."""
    import shutil

    from tests.cache.damage import damage, rebuild_lines

    cache = tmp_path / "cache"
    shutil.copytree(warm_cache[0], cache)
    (image,) = [p for p in (cache / "firmware").iterdir() if not p.name.startswith(".")]
    damage(image, "firmware.elf", how, count=64)
    argv = ["run", str(KWS), "--board", "corstone300", "--random", "2", "--save-outputs", str(tmp_path / "y.npy")]
    for rebuilt in (1, 0):
        out = _cli_in(cache, argv, no_tensorflow, tmp_path)
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
        lines = rebuild_lines(out.stderr)
        assert len(lines) == rebuilt and all(str(image) in line for line in lines), out.stderr
        assert (tmp_path / "y.npy").read_bytes() == warm_cache[1]


def test_internal_error_is_short_and_logged(tmp_path, monkeypatch, capsys):
    """An exception hil-bench did not raise on purpose: exit 70, a short message, the traceback in a log
    under the cache folder (and re-raised when HIL_BENCH_DEBUG is set, as the test suite does)."""
    from hil_bench.cli import boards, main as cli_main

    def broken(args):
        raise ZeroDivisionError("deliberate bug for the test")

    monkeypatch.setattr(boards, "run", broken)
    monkeypatch.setenv("HIL_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HIL_BENCH_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli_main.main(["boards"])
    monkeypatch.delenv("HIL_BENCH_DEBUG")
    assert cli_main.main(["boards"]) == cli_main.INTERNAL_ERROR == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("hil-bench boards: internal error: ZeroDivisionError: deliberate bug for the test")
    log = Path(re.search(r"the traceback is in (\S+)\.", err).group(1))
    assert log.parent == tmp_path / "cache" / "logs"
    text = log.read_text()
    assert "Traceback" in text and "deliberate bug for the test" in text and "in broken" in text


# --- issue 21: interrupts, a closed stdout, the boards folder from the environment ----------------------

def _program(argv: list[str], no_tf: Path, cwd: Path, **env) -> subprocess.Popen:
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(no_tf), str(ROOT)]), **env}
    environ.pop("HIL_BENCH_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "hil_bench.cli.main", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environ, cwd=cwd)


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.25, 0.4])
def test_ctrl_c_while_loading_ends_with_130_and_one_line(delay, tmp_path, no_tensorflow):
    """Ctrl-C in the first 0.4 s (modules still loading, the parser being built, the command starting)."""
    proc = _program(["boards", "--json"], no_tensorflow, tmp_path)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:   # `boards` finished before the signal on a fast machine: nothing to check
        pytest.skip(f"boards ended within {delay} s")
    if proc.returncode != 130 and "hil_bench" not in err:   # a loaded machine: Python itself was still starting
        pytest.skip(f"the signal came {delay} s in, before Python ran any hil-bench code (site, runpy)")
    assert proc.returncode == 130, err
    assert err.strip().count("\n") == 0 and err.startswith("hil-bench") and err.strip().endswith("interrupted"), err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_sigterm_and_sighup_end_like_ctrl_c(signum, tmp_path, no_tensorflow):
    """SIGTERM (kill, a CI timeout) and SIGHUP (a closed terminal) run every cleanup and end with 130, as
    Ctrl-C does (README: 130 interrupted), saying which signal; before, SIGTERM killed it (-15)."""
    code = "import sys, time; from hil_bench.cli import boards; " \
           "boards.run = lambda args: print('running', flush=True) or time.sleep(60); " \
           "from hil_bench.cli.main import main; sys.exit(main(['boards']))"
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(no_tensorflow), str(ROOT)])}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environ, cwd=tmp_path)
    assert proc.stdout.readline() == "running\n"   # inside main(), in the command
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == f"hil-bench boards: interrupted ({signum.name})\n", err


def test_a_closed_stdout_ends_quietly(tmp_path, no_tensorflow):
    """`hil-bench ... | head -3` where head has gone: no BrokenPipeError, no internal error; 141 (SIGPIPE)."""
    read_end, write_end = os.pipe()
    os.close(read_end)   # the reader is gone before anything is printed
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(no_tensorflow), str(ROOT)])}
    environ.pop("HIL_BENCH_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "hil_bench.cli.main", "boards"], stdout=write_end,
                          stderr=subprocess.PIPE, text=True, env=environ, cwd=tmp_path, timeout=60)
    os.close(write_end)
    assert proc.returncode in (0, 141) and proc.stderr == "", proc.stderr


def test_boards_folder_from_the_environment_is_checked_as_boards_dir(tmp_path, no_tensorflow):
    missing = tmp_path / "no-such-folder"
    proc = _program(["run", str(KWS), "--board", "host"], no_tensorflow, tmp_path, HIL_BENCH_BOARDS=str(missing))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == USAGE, err
    assert f"boards folder {missing} (from $HIL_BENCH_BOARDS) does not exist or is not a folder" in _paragraph(err)


def test_a_board_file_that_is_not_utf8_under_pytest_is_one_usage_error(tmp_path):
    """The plugin reports the bad board file as pytest usage, not 30 INTERNALERROR lines."""
    inputs = make_inputs(tmp_path / "inputs")
    (tmp_path / "test_x.py").write_text("def test_x(board):\n    pass\n")
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "hil_bench.pytest_plugin", "-p", "no:cacheprovider",
                           "--boards-dir", str(inputs / "boards"), "--board", "latin1", "test_x.py"],
                          capture_output=True, text=True, env=environ, cwd=tmp_path, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 4 and "INTERNALERROR" not in output, output   # 4: pytest's usage error
    assert "latin1.toml: not UTF-8 text" in output
