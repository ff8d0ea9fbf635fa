"""The layering rule, read from the source with ``ast`` (imports inside functions included):
``hil_bench.boards`` is board data and runners only, no two parts of hil_bench import each other
(directly or round a longer cycle), no part imports from a layer above its own, and every exception
class is defined in ``hil_bench/errors.py``."""

import ast
import builtins
import functools
import subprocess
import sys
from pathlib import Path

import hil_bench
from hil_bench import errors

PACKAGE = Path(hil_bench.__file__).parent
BOARDS_MAY_NOT_IMPORT = ("firmware", "runtime", "bench", "cli", "dut", "pytest_plugin")

# The parts of hil_bench (subpackages and top-level modules) in layers, lowest first. A part may import
# parts of its own layer (the cycle test keeps those acyclic) and of the layers below, never above.
# DESIGN.md's data flow (optimize -> convert -> audit -> compress -> build -> run -> results) read as
# dependencies: result rows, the serial link and the model formats know nothing of boards; the device
# path (build, fits check, run) knows boards but no Keras model; training and audits use the device
# path's image reader; bench measures recipes on boards, sizing and baselines run bench; the CLI and the
# pytest plugin are the fronts that turn names into objects.
LAYERS = (
    ("foundation", ("errors", "resources", "paths", "cache", "quiet", "metrics", "weighted", "tensor_types",
                    "toolchain")),
    ("result records and the serial link", ("results", "link")),
    ("model formats and data", ("_keras", "keras3", "tflite", "tflite_parts", "datasets", "nm", "qat")),
    ("codecs", ("compress", "export")),
    ("boards", ("boards",)),
    ("the device path", ("runtime", "firmware", "board_fit", "watchdog", "timing", "dut", "project")),
    ("models, training and audits", ("models", "zoo", "audit", "evaluate", "optimize")),
    ("measurement", ("bench", "serve")),
    ("sizing and baselines", ("sizing", "baseline")),
    ("fronts", ("cli", "pytest_plugin")),
)
LAYER_OF = {part: i for i, (_, parts) in enumerate(LAYERS) for part in parts}


def part_of(module: str) -> str | None:
    """``hil_bench.X.y`` -> ``X`` (a subpackage or a top-level module); None outside hil_bench."""
    names = module.split(".")
    return names[1] if names[0] == "hil_bench" and len(names) > 1 else None


def _is_part(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def _modules():
    """(module name, its part, its file, its parsed tree) for every file of hil_bench."""
    return _parsed(PACKAGE)


@functools.cache
def _parsed(package: Path) -> tuple:
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        part = part_of(module)
        if part is not None:
            found.append((module, part, path, ast.parse(path.read_text(), str(path))))
    return tuple(found)


def internal_imports():
    """(importing part, imported part, file, line) for every import of another part, anywhere in a file
    (function bodies too); relative imports are resolved against the importing module."""
    for module, part, path, tree in _modules():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                found = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in {p for p in map(part_of, found) if p and p != part and _is_part(p)}:
                yield part, target, path, node.lineno


def imports_by_part() -> dict[str, set[str]]:
    """Every hil_bench part -> the other parts it imports (anywhere in its files, function bodies too)."""
    graph: dict[str, set[str]] = {part: set() for _, part, _, _ in _modules()}
    for part, target, _, _ in internal_imports():
        graph[part].add(target)
    return graph


def test_boards_imports_only_board_data_and_runners():
    bad = imports_by_part()["boards"] & set(BOARDS_MAY_NOT_IMPORT)
    assert not bad, f"hil_bench.boards imports {sorted(bad)}; move that code to hil_bench.dut"


def find_cycles(graph: dict[str, set[str]]) -> list[str]:
    cycles = []

    def visit(node, trail):
        for nxt in sorted(graph.get(node, ())):
            if nxt == trail[0]:
                cycles.append(" -> ".join(trail + [nxt]))
            elif nxt not in trail and nxt > trail[0]:    # each cycle once, from its smallest part
                visit(nxt, trail + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    return cycles


def test_no_import_cycle_between_parts():
    cycles = find_cycles(imports_by_part())
    assert not cycles, "import cycles between parts of hil_bench:\n" + "\n".join(cycles)


def test_the_cycle_finder_finds_cycles():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_every_part_has_one_layer():
    parts = set(imports_by_part())
    listed = [part for _, layer in LAYERS for part in layer]
    assert len(listed) == len(set(listed)), "a part is listed in two layers"
    assert parts == set(listed), (f"not in LAYERS: {sorted(parts - set(listed))}; "
                                  f"in LAYERS but not a part of hil_bench: {sorted(set(listed) - parts)}")


def test_no_part_imports_from_a_layer_above_it():
    upward = [f"{path.relative_to(PACKAGE.parent)}:{line}: {part} ({LAYERS[LAYER_OF[part]][0]}) imports "
              f"{target} ({LAYERS[LAYER_OF[target]][0]})"
              for part, target, path, line in internal_imports()
              if part in LAYER_OF and target in LAYER_OF and LAYER_OF[target] > LAYER_OF[part]]
    assert not upward, "imports from a layer above (pass what is needed in instead):\n" + "\n".join(sorted(upward))


def _exception_names() -> set[str]:
    """Builtin exception classes and the classes of errors.py, by name."""
    return {name for module in (builtins, errors) for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, BaseException)}


def exception_classes_outside_errors() -> list[str]:
    """``file:line: Name`` of every class outside errors.py deriving from an exception (a builtin one, one
    of errors.py, or one found here), through any number of classes."""
    known = _exception_names()
    classes = [(path, node) for _, _, path, tree in _modules() if path.name != "errors.py" or path.parent != PACKAGE
               for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    found: dict[str, str] = {}
    grew = True
    while grew:   # a class deriving from one found outside errors.py is one too
        grew = False
        for path, node in classes:
            bases = {b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else None
                     for b in node.bases}
            if node.name not in found and bases & (known | set(found)):
                found[node.name] = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.name}"
                grew = True
    return sorted(found.values())


def test_every_exception_class_is_defined_in_errors():
    outside = exception_classes_outside_errors()
    assert not outside, "exception classes outside hil_bench/errors.py (define them there):\n" + "\n".join(outside)


def test_the_layer_and_exception_checks_see_what_they_check(tmp_path, monkeypatch):
    """The checks find an upward import inside a function and an exception class outside errors.py."""
    fake = tmp_path / "hil_bench"
    (fake / "boards").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "errors.py").write_text("class Error(Exception):\n    pass\n")
    (fake / "results.py").write_text("def budget():\n    from hil_bench.boards import load_board\n")
    (fake / "boards" / "__init__.py").write_text("from .. import results\n\n\nclass Own(ValueError):\n    pass\n\n\n"
                                                 "class Deeper(Own):\n    pass\n")
    monkeypatch.setitem(globals(), "PACKAGE", fake)
    edges = {(part, target, line) for part, target, _, line in internal_imports()}
    assert edges == {("results", "boards", 2), ("boards", "results", 1)}
    assert [e.split(": ")[1] for e in exception_classes_outside_errors()] == ["Own", "Deeper"]


def test_cli_start_up_loads_no_tensorflow_pandas_or_matplotlib():
    """`hil-bench --help` (every command module's arguments) stays quick: the heavy libraries wait until a
    command needs them (the imports that stay inside functions say so)."""
    code = ("import sys\nfrom hil_bench.cli.main import build_parser\nbuild_parser().format_help()\n"
            "heavy = {'tensorflow', 'tf_keras', 'keras', 'tensorflow_model_optimization', 'pandas', 'matplotlib'}\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
