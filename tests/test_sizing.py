"""The sizing pieces without a board: grid and size parsing, point recipes, budgets, the Pareto front and
the search's probe count."""

from __future__ import annotations

import pytest

from hil_bench.boards import load_board
from hil_bench.errors import UsageError
from hil_bench.sizing.budget import board_budget, parse_budgets
from hil_bench.sizing.budget_search import _first_fitting
from hil_bench.sizing.grid import Point, grid, parse_clusters, parse_size, parse_sparsities
from hil_bench.sizing.pareto import front, quality


@pytest.mark.parametrize("text, value", [("65536", 65536), ("0x10000", 65536), ("64KiB", 65536), ("64 kib", 65536),
                                         ("1MiB", 1 << 20), ("1.5KiB", 1536), ("100B", 100), ("0", 0)])
def test_sizes(text, value):
    assert parse_size(text, "--x") == value


@pytest.mark.parametrize("text", ["64KB", "64k", "-1", "1.3", "0x10KiB", "", "lots"])
def test_bad_sizes(text):
    with pytest.raises(UsageError, match="--x"):
        parse_size(text, "--x")


def test_grid_lists():
    assert parse_sparsities("0.75, 0,0.5,0.5") == [0.0, 0.5, 0.75]
    assert parse_clusters("16,0,8") == [0, 8, 16]
    for bad in ("", "1", "-0.1", "nan", "0,,0.5"):
        with pytest.raises(UsageError, match="--sparsity"):
            parse_sparsities(bad)
    for bad in ("1", "257", "-2", "eight", ""):
        with pytest.raises(UsageError, match="--clusters"):
            parse_clusters(bad)


def test_points_become_the_matching_recipes():
    names = [p.name for p in grid([0.0, 0.5], [0, 8, 16])]
    assert names == ["s0.00-k0", "s0.50-k0", "s0.00-k16", "s0.50-k16", "s0.00-k8", "s0.50-k8"]
    plain, pruned, clustered, both = (Point(0.0, 0).recipe(), Point(0.5, 0).recipe(), Point(0.0, 16).recipe(),
                                      Point(0.5, 16).recipe(tune_epochs=1))
    assert (plain.prune, plain.cluster, plain.qat.mode) == (None, None, "qat")
    assert (pruned.prune.target_sparsity, pruned.cluster, pruned.qat.mode) == (0.5, None, "pqat")
    assert (clustered.prune, clustered.cluster.preserve_sparsity, clustered.qat.mode) == (None, False, "cqat")
    assert both.cluster.preserve_sparsity and both.qat.mode == "pcqat"
    assert both.prune.epochs == both.cluster.epochs == both.qat.epochs == 1
    assert Point(0.5, 16).recipe("none").qat.mode == "none"
    assert Point(1 / 3, 0).name == "s0.3333333333333333-k0"   # names never merge two sparsities


def test_budget_from_the_board_file_and_headroom():
    board = load_board("mps2-an386")
    budget = board_budget(board, app_flash=1024)
    assert budget.flash_bytes == 4 << 20 and budget.ram_bytes == (4 << 20) + (16 << 20)
    assert budget.judge(budget.flash_left, 10) == (True, "fits")
    fits, why = budget.judge(budget.flash_left + 5, 10)
    assert fits is False and "over the 4,194,304 B budget minus 1,024 B for the application by 5 B" in why
    given = board_budget(board, flash_budget=1000, ram_budget=500)
    assert given.judge(900, 600)[1] == "RAM 600 B is over the 500 B budget by 100 B"
    with pytest.raises(UsageError, match="--app-ram"):
        board_budget(board, ram_budget=500, app_ram=500)
    assert board_budget(load_board("host")).judge(10, 10)[0] is None


def test_pareto_front():
    points = {"a": (0.9, 100), "b": (0.95, 120), "c": (0.9, 130), "d": (0.95, 120), "e": (None, 1)}
    assert front(points) == {"a", "b", "d"}
    assert quality(0.1, "mse") > quality(0.2, "mse") and quality(None, "accuracy") < quality(0.0, "accuracy")


def test_pareto_ignores_cost_differences_below_the_noise_floor():
    """Issue 20: 500 instructions in 7.16 M made a less accurate point a latency Pareto point."""
    points = {"s0.50-k16": (0.927, 7_160_000), "s0.00-k16": (0.922, 7_159_500), "s0.75-k8": (0.90, 6_000_000)}
    assert front(points) == {"s0.50-k16", "s0.75-k8"}
    assert front(points, noise=0.0) == set(points)   # exact comparison: the old marks
    assert front({"a": (0.9, 100), "b": (0.9, 100.2)}) == {"a", "b"}   # equal on both: neither dominates


def test_budgets_per_board_or_one_for_all():
    boards = ["corstone300", "mps2-an386"]
    assert parse_budgets(None, boards, "--flash-budget") == {"corstone300": None, "mps2-an386": None}
    assert parse_budgets(["115KiB"], boards, "--flash-budget") == {"corstone300": 117760, "mps2-an386": 117760}
    assert parse_budgets(["64KiB", "mps2-an386=1MiB"], boards, "--x") == {"corstone300": 65536, "mps2-an386": 1 << 20}
    assert parse_budgets(["corstone300=1KiB,mps2-an386=2KiB"], boards, "--x") == {"corstone300": 1024,
                                                                                  "mps2-an386": 2048}
    for bad, message in ((["nucleo=1KiB"], "not among the boards"), (["1KiB", "2KiB"], "twice"),
                         (["corstone300=1KiB", "corstone300=2KiB"], "twice"), (["corstone300=lots"], "not a size"),
                         (["1KiB,"], "empty item")):
        with pytest.raises(UsageError, match=message):
            parse_budgets(bad, boards, "--flash-budget")


def test_binary_search_probes_few_points():
    for answer in range(6):
        probed = []

        def fits(i, answer=answer):
            probed.append(i)
            return i >= answer

        assert _first_fitting(fits, 6, None) == answer and len(probed) <= 3
    assert _first_fitting(lambda i: False, 6, None) is None
    probed = []   # index 2 is known to fit: only 0 and 1 are left to try
    assert _first_fitting(lambda i: probed.append(i) or False, 6, 2) == 2
    assert probed == [0, 1]


def test_grid_points_share_the_float_and_prune_stages():
    from hil_bench.optimize.pipeline import stage_keys

    keys = {p.name: stage_keys("model", "data", p.recipe()) for p in grid([0.0, 0.5], [0, 16, 32])}
    assert len({k["train"] for k in keys.values()}) == 1          # the float model: once for the grid
    assert keys["s0.50-k0"]["prune"] == keys["s0.50-k16"]["prune"] == keys["s0.50-k32"]["prune"]
    assert keys["s0.50-k16"]["cluster"] != keys["s0.50-k32"]["cluster"] != keys["s0.00-k32"]["cluster"]
    assert len({k["int8"] for k in keys.values()}) == 6
