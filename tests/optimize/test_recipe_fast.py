"""A recipe typo is reported by `hil-bench optimize` in well under a second: the recipe is validated
before TensorFlow is imported. Each case runs the real CLI in a fresh interpreter, so the import cost
is measured, not hidden by a warm test process."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT_S = 1.0  # the bound; a bad recipe takes ~0.2 s, TensorFlow's import alone takes 5-9 s

# Prints the exit code and whether TensorFlow got imported, after the CLI ran.
PROBE = ("import sys\n"
         "from hil_bench.cli.main import main\n"
         "code = main(sys.argv[1:])\n"
         "print('exit', code, 'tensorflow' in sys.modules)\n")


@pytest.mark.parametrize("toml,message", [
    ("[train]\nbatch_size = 0\n", "batch_size 0 must be at least 1"),
    ("[prune]\nsparsity = 0.5\n", "unknown option(s) sparsity"),
    ("[pruning]\n", "unknown key(s) pruning"),
    ("[train]\nepochs = true\n", "train.epochs must be a int"),
    ("[train]\nlearning_rate = nan\n", "learning_rate must be positive"),
    ("seed = -5\n", "seed must be an integer"),
    ("[qat]\nmode = \"pcqat\"\n", "no [prune] step"),
    ("[train\n", "not valid TOML"),
    ("[prune]\npattern = \"3:4\"\n", "not a supported N:M pattern"),
    ("[prune]\npattern = \"1:4\"\ntarget_sparsity = 0.5\n", "contradicts prune.pattern"),
])
def test_recipe_typo_reported_fast_without_tensorflow(tmp_path, toml, message):
    recipe = tmp_path / "bad.toml"
    recipe.write_text(toml)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", PROBE, "optimize", "--model", "digits_cnn", "--recipe", str(recipe),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=60)
    elapsed = time.monotonic() - start
    assert done.stdout.strip() == "exit 2 False", done.stdout + done.stderr
    assert message in " ".join(done.stderr.split()) and "Traceback" not in done.stderr, done.stderr
    assert elapsed < LIMIT_S, f"recipe error took {elapsed:.2f} s"
    assert not (tmp_path / "out").exists()
