"""The user's own model through `sweep` and `fit`: a tiny Keras 3 model trained here on the user's own
.npz, swept over 2 sparsities x 2 cluster counts on corstone300 and mps2-an386 with a budget for one
board, then `fit --flash-budget` on it picks the most accurate point that fits, reusing the sweep's
training and board rows, and a rerun trains nothing new. On today's main `sweep --model FILE.keras`
is refused ("unknown model")."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tests.cli.conftest import SWEEP_BOARDS, run_cli_json

# A Keras 3 model trained, then four points trained and run on two boards: minutes on 2 cores, so the
# nightly runs it (`make nightly`, HIL_BENCH_SLOW_TESTS=1) and `make test` keeps its time.
pytestmark = [pytest.mark.hil,
              pytest.mark.skipif(os.environ.get("HIL_BENCH_SLOW_TESTS") != "1",
                                 reason="trains a Keras 3 model and sweeps it on two boards (minutes); `make nightly` "
                                        "runs it (HIL_BENCH_SLOW_TESTS=1)")]

# --compress hb: the stored size follows the structure on every board (tests/cli/conftest.py, SWEEP_GRID)
GRID = ["--sparsity", "0,0.5", "--clusters", "0,8", "--tune-epochs", "1", "--limit", "6", "--compress", "hb"]


def _data(rng, n: int):
    """Three classes told apart by which third of the 8x8 image is brightest: learnable in a few epochs."""
    y = rng.integers(0, 3, n)
    x = rng.normal(0.0, 0.3, (n, 8, 8, 1)).astype(np.float32)
    for i, label in enumerate(y):
        x[i, :, label * 3:label * 3 + 2, 0] += 1.0
    return x, y.astype(np.int64)


@pytest.fixture(scope="module")
def user_files(request, tmp_path_factory):
    """(the .keras file, the .npz) the user brings."""
    keras3 = pytest.importorskip("keras")
    if not keras3.__version__.startswith("3"):
        pytest.skip(f"keras {keras3.__version__} installed, not Keras 3")
    if not set(SWEEP_BOARDS) <= set(request.config.getoption("hil_boards")):
        pytest.skip(f"runs on {' and '.join(SWEEP_BOARDS)}: pass --board for both")
    folder = tmp_path_factory.mktemp("user")
    rng = np.random.default_rng(7)
    (x_train, y_train), (x_test, y_test) = _data(rng, 384), _data(rng, 96)
    np.savez(folder / "my_data.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    layers = keras3.layers
    keras3.utils.set_random_seed(0)
    model = keras3.Sequential([keras3.Input((8, 8, 1)), layers.Conv2D(8, 3, activation="relu", name="conv"),
                               layers.Flatten(name="flat"), layers.Dense(16, activation="relu", name="hidden"),
                               layers.Dense(3, activation="softmax", name="out")], name="my_net")
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=3, batch_size=32, verbose=0)
    model.save(folder / "my_net.keras")
    return folder / "my_net.keras", folder / "my_data.npz"


@pytest.fixture(scope="module")
def user_sweep(user_files, tmp_path_factory):
    model, data = user_files
    results = tmp_path_factory.mktemp("user-results")
    boards = [a for b in SWEEP_BOARDS for a in ("--board", b)]
    code, summary = run_cli_json(["sweep", "--model", str(model), "--dataset", str(data), *boards, *GRID,
                                  "--flash-budget", "mps2-an386=4MiB", "--results-dir", str(results), "-q"])
    assert code == 0
    return {"summary": summary, "results": results, "model": model, "data": data}


def _fit(user_sweep, budget: int) -> tuple[int, dict]:
    return run_cli_json(["fit", "--model", str(user_sweep["model"]), "--dataset", str(user_sweep["data"]),
                         "--board", "corstone300", *GRID, "--flash-budget", str(budget),
                         "--results-dir", str(user_sweep["results"]), "-q"])


def test_sweep_takes_the_users_keras3_model_and_data(user_sweep):
    summary = user_sweep["summary"]
    rows = summary["rows"]
    assert {(e["point"], e["board"]) for e in rows} == {(p, b) for p in ("s0.00-k0", "s0.00-k8", "s0.50-k0", "s0.50-k8")
                                                       for b in SWEEP_BOARDS}
    assert all(e["accuracy_device"] is not None and e["flash_bytes"] > 0 for e in rows)
    assert all(e["compress"] == "hb" and e["decode"] for e in rows)
    assert all(e["arena_used_bytes"] > 0 and e["harness_ram_bytes"] > 0 for e in rows)
    assert summary["settings"]["model"] == str(user_sweep["model"])
    budgets = summary["budgets"]
    assert budgets["mps2-an386"]["flash_bytes"] == 4 * 1024 * 1024
    assert budgets["mps2-an386"]["source"] == "given and board file"
    assert budgets["corstone300"]["source"] == "board file"


def test_fit_picks_the_most_accurate_fitting_point_and_a_rerun_trains_nothing(user_sweep):
    swept = {e["point"]: e for e in user_sweep["summary"]["rows"] if e["board"] == "corstone300"}
    flash = sorted({e["flash_bytes"] for e in swept.values()})
    budget = flash[-1] - 1          # the largest image does not fit, the others do
    code, report = _fit(user_sweep, budget)
    assert code == 0, report
    tried = {t["point"]: t for t in report["tried"]}
    assert set(tried) == set(swept)                  # every measured point is a candidate
    assert report["work"]["stages_run"] == 0         # the sweep trained them all
    assert report["board_runs"] == 0 and report["work"]["rows_reused"] == 4
    fitting = [t for t in tried.values() if swept[t["point"]]["flash_bytes"] <= budget]
    best = max(t["accuracy_host"] for t in fitting)
    chosen = report["chosen"]
    assert chosen["accuracy_host"] == best and chosen["board_row"]["flash_bytes"] <= budget
    assert all(not t["fits"] for t in tried.values() if swept[t["point"]]["flash_bytes"] > budget)
    # device and host accuracy of the chosen point compare the same samples: the board run's
    assert chosen["board_row"]["accuracy_host"] == swept[chosen["point"]]["accuracy_host"]

    code, again = _fit(user_sweep, budget)
    assert code == 0
    assert again["work"]["stages_run"] == 0 and again["board_runs"] == 0
    assert again["chosen"]["point"] == chosen["point"]


def test_fit_says_device_and_host_accuracy_on_the_same_samples(user_sweep, capsys):
    """main printed "0.8800 on the device (50 samples), 0.9217 on the host (whole test split)"."""
    from hil_bench.cli.main import main

    budget = max(e["flash_bytes"] for e in user_sweep["summary"]["rows"])
    assert main(["fit", "--model", str(user_sweep["model"]), "--dataset", str(user_sweep["data"]),
                 "--board", "corstone300", *GRID, "--flash-budget", str(budget),
                 "--results-dir", str(user_sweep["results"]), "-q"]) == 0
    out = capsys.readouterr().out
    assert "on the same 6 test samples" in out and "on the host over the whole test split" in out
    assert "0 stages trained" in out and "weights stored: hb" in out
