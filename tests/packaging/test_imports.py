"""The layering rule, read from the source with ``ast``: ``hil_bench.boards`` is board data and runners
only, and no two parts of hil_bench import each other (directly or round a longer cycle)."""

import ast
from pathlib import Path

import hil_bench

PACKAGE = Path(hil_bench.__file__).parent
BOARDS_MAY_NOT_IMPORT = ("firmware", "runtime", "bench", "cli", "dut", "pytest_plugin")


def part_of(module: str) -> str | None:
    """``hil_bench.X.y`` -> ``X`` (a subpackage or a top-level module); None outside hil_bench."""
    names = module.split(".")
    return names[1] if names[0] == "hil_bench" and len(names) > 1 else None


def _is_part(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def imports_by_part() -> dict[str, set[str]]:
    """Every hil_bench part -> the other parts it imports (anywhere in its files, function bodies too)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        part = part_of(module)
        if part is None:
            continue
        targets = graph.setdefault(part, set())
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            targets.update(p for p in map(part_of, found) if p and p != part and _is_part(p))
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
