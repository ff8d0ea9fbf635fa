from __future__ import annotations

import pytest

from hil_bench.errors import ResultsError
from hil_bench.results import DEFAULT_TOLERANCES, load_tolerances, parse_tolerances


def test_defaults_are_the_documented_ones():
    t = DEFAULT_TOLERANCES
    assert (t["latency"].rel, t["latency"].abs) == (0.02, 0.0)
    assert all((t[m].rel, t[m].abs) == (0.0, 0.0) for m in ("flash_bytes", "ram_bytes", "model_bytes"))
    assert (t["accuracy_device"].abs, t["accuracy_host"].abs) == (0.01, 0.01)
    assert t["sparsity_survived"].check and t["clusters_survived"].check
    assert t["latency"].allowed(1000.0) == pytest.approx(20.0)


def test_a_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "tol.toml"
    path.write_text("[latency]\nrel = 0.05\nabs = 10\n\n[flash_bytes]\nabs = 256\n\n"
                    "[accuracy_host]\ncheck = false\n\n[clusters_survived]\ncheck = false\n")
    t = load_tolerances(path)
    assert (t["latency"].rel, t["latency"].abs) == (0.05, 10.0)
    assert t["latency"].allowed(1000.0) == pytest.approx(60.0)
    assert t["flash_bytes"].abs == 256.0 and t["flash_bytes"].worse == "higher"
    assert not t["accuracy_host"].check and not t["clusters_survived"].check
    assert t["ram_bytes"] == DEFAULT_TOLERANCES["ram_bytes"]
    assert load_tolerances(None) == DEFAULT_TOLERANCES


@pytest.mark.parametrize("text, expected", [
    ("[latency\nrel = 1", "not valid TOML"),
    ("[speed]\nrel = 0.1", "unknown metric [speed]; known: latency"),
    ("latency = 0.02", "latency must be a table"),
    ("[latency]\nrelative = 0.1", "unknown key 'relative'; allowed: rel, abs, check"),
    ("[latency]\nrel = -0.1", "rel must be a number >= 0, got -0.1 (rel is a fraction"),
    ("[flash_bytes]\nabs = '256'", "abs must be a number >= 0, got '256'"),
    ("[flash_bytes]\nabs = true", "abs must be a number >= 0, got True"),
    ("[flash_bytes]\nabs = inf", "abs must be a number >= 0, got inf"),
    ("[clusters_survived]\nrel = 0.1", "unknown key 'rel'; allowed: check"),
    ("[ram_bytes]\ncheck = 'no'", "check must be true or false"),
])
def test_bad_tolerance_files_say_what_is_wrong(tmp_path, text, expected):
    path = tmp_path / "tol.toml"
    path.write_text(text)
    with pytest.raises(ResultsError) as info:
        load_tolerances(path)
    assert str(path) in str(info.value) and expected in str(info.value)


def test_missing_tolerance_file(tmp_path):
    with pytest.raises(ResultsError, match="leave --tolerances out for the defaults"):
        load_tolerances(tmp_path / "none.toml")


def test_parse_names_its_source():
    with pytest.raises(ResultsError, match="^nightly.toml: unknown metric"):
        parse_tolerances("[x]\n", "nightly.toml")
